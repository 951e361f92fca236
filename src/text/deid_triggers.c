/* The tokeniser's rare trigger words (deid_detect.c): the words some
 * pass looks for alone, noted once a word in the look-up cache so that a
 * pass with none of them in a text may skip its search (TEXT_SEEN_*). */
#include "deid_scan.h"

unsigned deid_trigger_code(const char *f, size_t fl, int cap)
{
    if (deid_occupational_word(f, fl))
        return 1;
    if (cap && deid_place_field_word(f, fl))
        return 2;
    if (deid_unit_word(f, fl))
        return 3;
    if (cap && fl >= 3 && deid_region_word(f, fl) >= 2)
        return 4;
    return 0;
}

/* The n bytes at w are the ASCII word lit (lower case, n bytes), in any
 * case, as tok_is and tok_ascii_in compare a word of letters. */
static int ascii_word_is(const unsigned char *w, size_t n, const char *lit)
{
    for (size_t j = 0; j < n; j++)
        if ((char)(w[j] | 0x20) != lit[j])
            return 0;
    return 1;
}

int deid_door_word_bytes(const unsigned char *w, size_t n)
{
    return (n == 4 && ascii_word_is(w, n, "code")) || (n == 8 && ascii_word_is(w, n, "digicode")) ||
           (n == 9 && ascii_word_is(w, n, "digicodes")) || (n == 10 && ascii_word_is(w, n, "interphone"));
}
