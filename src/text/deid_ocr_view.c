/* Letters a scan read as digits inside words, read back before the passes:
 * "CENTRE D'IMAGERIE DE L'0RANGERIE", "EHPAD Le Clos des 0liviers",
 * "Cl1nique", "CENTRE HOSP1TALIER", "Gr0upe", "B0ILLOT", and an l for
 * an I in capitals ("HOSPlTALIER", "LANNl0N"). A word of three letters or
 * more holding one to three such signs and no other digit (fewer than half
 * its letters) becomes, in a copy of the text, the word of the lexicons
 * it spells with O for 0, I or L for 1 and I for l; a code
 * ("BRCA1", "pT1a", "MLH1", "L01BC06") spells none and stays. One byte
 * for one, so the copy's offsets are the text's: the passes read the copy,
 * the spans fall on the text. */
#include "deid_scan.h"

#include "atelier/core.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define OCR_MAX_WORD 40

/* Byte b is part of a word (ASCII letter or digit, or a UTF-8 byte). */
static int word_byte(unsigned char b)
{
    return b >= 0x80 || (unsigned)(b | 0x20) - 'a' < 26u || (unsigned)b - '0' < 10u;
}

/* Byte b is a letter's (ASCII, or a byte of a UTF-8 letter). */
static inline int letter_byte(unsigned char b)
{
    return b >= 0x80 || (unsigned)(b | 0x20) - 'a' < 26u;
}

/* The word w (n bytes, digits at pos[0..nd)) spelt with letters: the
 * first of the choices for its ones that a lexicon knows, written into
 * out (n bytes); 0 when none. */
static int spell(const at_text_deid *d, const char *w, size_t n, const size_t *pos, size_t nd, int upper,
                 char *out)
{
    size_t ones = 0;
    for (size_t q = 0; q < nd; q++)
        ones += w[pos[q]] == '1';
    for (unsigned combo = 0; combo < (1u << ones); combo++) {
        memcpy(out, w, n);
        unsigned bit = 0;
        for (size_t q = 0; q < nd; q++) {
            size_t p = pos[q];
            /* a digit opening a word in lower case is its capital ("0liviers") */
            int up = upper || p == 0;
            if (w[p] == '0')
                out[p] = up ? 'O' : 'o';
            else if (w[p] == 'l')
                out[p] = 'I';
            else
                out[p] = (combo >> bit++) & 1 ? (up ? 'L' : 'l') : (up ? 'I' : 'i');
        }
        char f[OCR_MAX_WORD * 2 + 8];
        int fl = text_lexicon_fold(out, n, f, sizeof f);
        if (fl <= 0)
            continue;
        unsigned lx = text_lexicon_get(&d->lex, f, (size_t)fl);
        if ((lx & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY |
                   LEX_STREET | LEX_ORG)) ||
            text_dict_get(&d->dict, f, (size_t)fl, NULL))
            return 1;
    }
    return 0;
}

/* Bit j set for each byte p[j] (j < 32) that is '0', '1' or 'l'. */
static inline uint32_t sign_bits(const unsigned char *p)
{
#if defined(__SSE2__)
    const __m128i zero = _mm_set1_epi8('0'), one = _mm_set1_epi8('1'), ell = _mm_set1_epi8('l');
    uint32_t m = 0;
    for (int q = 0; q < 2; q++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * q));
        __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, zero), _mm_cmpeq_epi8(x, one)),
                                 _mm_cmpeq_epi8(x, ell));
        m |= (uint32_t)_mm_movemask_epi8(e) << (16 * q);
    }
    return m;
#else
    uint32_t m = 0;
    for (unsigned j = 0; j < 32; j++)
        m |= (uint32_t)(p[j] == '0' || p[j] == '1' || p[j] == 'l') << j;
    return m;
#endif
}

/* The 0, 1 or l at offset at may be a letter read as a sign: a 0 or a 1
 * beside a letter, an l between capitals ("HOSPlTALIER", "M0NTAlGNE").
 * (A digit of a number, a date's or a phone's, has no letter beside it:
 * most end here.) */
static inline int sign_may_be_letter(const char *t, size_t len, size_t at)
{
    if (t[at] == 'l')
        return at > 0 && at + 1 < len && (unsigned)t[at - 1] - 'A' < 26u &&
               ((unsigned)t[at + 1] - 'A' < 26u || t[at + 1] == '0' || t[at + 1] == '1');
    return (at > 0 && letter_byte((unsigned char)t[at - 1])) ||
           (at + 1 < len && letter_byte((unsigned char)t[at + 1]));
}

/* The word around the sign at offset at read back into *copy (made at the
 * first word read back) when it spells a word of the lexicons; the
 * offset past the word is returned, 0 with AT_ERR_NOMEM in *st. */
static size_t read_back_word(const at_text_deid *d, const char *t, size_t len, size_t at, char **copy,
                             size_t *words, at_status *st)
{
    size_t a = at, b = at + 1;
    while (a > 0 && word_byte((unsigned char)t[a - 1]) && at - a < OCR_MAX_WORD)
        a--;
    while (b < len && word_byte((unsigned char)t[b]) && b - at < OCR_MAX_WORD)
        b++;
    if (b - a > OCR_MAX_WORD || (a > 0 && word_byte((unsigned char)t[a - 1])) ||
        (b < len && word_byte((unsigned char)t[b])))
        return b;
    size_t letters = 0, lower = 0, upper = 0, nd = 0, pos[3];
    int other = 0;
    for (size_t q = a; q < b; q++) {
        unsigned char c = (unsigned char)t[q];
        if ((unsigned)c - '0' < 10u)
            other |= c != '0' && c != '1';
        else if (c < 0x80 || (c & 0xC0) == 0xC0) { /* a letter (a lead byte for the others) */
            letters++;
            lower += (unsigned)c - 'a' < 26u && c != 'l';
            upper += (unsigned)c - 'A' < 26u;
        }
    }
    /* an l stands for I in a word otherwise in capitals */
    int caps = lower == 0 && upper >= 3;
    for (size_t q = a; q < b && !other; q++) {
        char c = t[q];
        if (c == '0' || c == '1' || (c == 'l' && caps)) {
            if (nd < 3)
                pos[nd] = q - a;
            nd++;
        }
    }
    if (other || nd == 0 || nd > 3 || letters < 3 || 2 * nd > letters)
        return b;
    char out[OCR_MAX_WORD];
    if (!spell(d, t + a, b - a, pos, nd, caps || (lower == 0 && !memchr(t + a, 'l', b - a)), out))
        return b;
    if (!*copy) {
        *copy = at_malloc(len);
        if (!*copy) {
            *st = AT_ERR_NOMEM;
            return 0;
        }
        memcpy(*copy, t, len);
    }
    memcpy(*copy + a, out, b - a);
    (*words)++;
    return b;
}

at_status deid_ocr_view(const at_text_deid *d, const char *t, size_t len, char **copy, size_t *words)
{
    *copy = NULL;
    *words = 0;
    /* the text's 0, 1 and l found 32 bytes at a time (a text is read once),
     * each read back when it may be a letter and is not inside the word
     * read last */
    size_t i = 0;
    for (size_t base = 0; base < len; base += 32) {
        uint32_t m;
        if (len - base >= 32) {
            m = sign_bits((const unsigned char *)t + base);
        } else {
            unsigned char tail[32] = {0};
            memcpy(tail, t + base, len - base);
            m = sign_bits(tail);
        }
        for (; m; m &= m - 1) {
            size_t at = base + (size_t)__builtin_ctz(m);
            if (at < i || !sign_may_be_letter(t, len, at))
                continue;
            at_status st = AT_OK;
            i = read_back_word(d, t, len, at, copy, words, &st);
            if (st)
                return st;
        }
    }
    return AT_OK;
}
