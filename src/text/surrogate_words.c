/* The shapes of a name's words, for their surrogates (surrogate.c): a
 * first name's gender by its ending, a name word's bytes, a scan's
 * misread letters read back, a surname's particle, initials. */
#include "deid_internal.h"

#include <string.h>

/* A French first name's gender from its ending when the text gives no cue:
 * 1 for a name that ends in -e or -a (Anne, Hélène, Léa), except the common
 * male names that do. Folded comparison. */
int text_sur_looks_female(const char *s, size_t n)
{
    static const char *const male_e[] = {
        "pierre",        "philippe",  "jerome",  "guillaume", "maxime",  "alexandre",  "antoine",
        "stephane",      "herve",     "rene",    "andre",     "etienne", "christophe", "baptiste",
        "jean-baptiste", "georges",   "jacques", "jules",     "gilles",  "yves",       "serge",
        "eugene",        "theophile", "aurele",  "luca",      "nicola",  "joshua",     "jonathane",
        "gaspard",       "noe",       "come",    "bertrand",  NULL};
    char f[128];
    int fl = n < 60 ? at_text_fold(s, n, f, sizeof f) : -1;
    if (fl <= 0)
        return 0;
    for (const char *const *m = male_e; *m; m++)
        if (!strcmp(f, *m))
            return 0;
    char last = f[fl - 1];
    return last == 'e' || last == 'a';
}

/* Bytes of the UTF-8 character at the start of s (n > 0 bytes left). */
size_t text_sur_char_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return k < n ? k : n;
}

/* Bytes of the name word at the start of s: ASCII letters and UTF-8
 * letters, up to a space (no-break ones too), hyphen, dot or apostrophe
 * (' or ’): U+0080..U+00BF and U+2000..U+203F are no letters. A digit
 * between letters is a scan's misread letter ("B0ILLOT", "FONTA1NE"):
 * part of the word, which gets one surrogate, no digit of it kept. */
size_t text_sur_name_word(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        int digit = c >= '0' && c <= '9';
        if (digit && i == 0 &&
            !(n > 1 && (((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z') || (unsigned char)s[1] >= 0xC3)))
            break;
        if (c < 0x80 && !digit && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            break;
        if (c == 0xC2 || (c == 0xE2 && i + 1 < n && (unsigned char)s[i + 1] == 0x80))
            break;
        i += text_sur_char_len(s + i, n - i);
    }
    return i;
}

/* The word w (n bytes) as a scan meant it, into r (n bytes): 0 read O,
 * 1 read I, and in a word otherwise in capitals l read I; whether it is
 * in capitals so read, -1 when there is nothing to read back. The
 * surrogate is keyed by that reading, so that "B0ILLOT" and "BOILLOT" get
 * the same one. */
int text_sur_ocr_reading(const char *w, size_t n, char *r)
{
    if (!memchr(w, '0', n) && !memchr(w, '1', n) && !memchr(w, 'l', n))
        return -1;
    int caps = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        caps += c >= 'A' && c <= 'Z';
        lower +=
            (c >= 'a' && c <= 'z' && c != 'l') || (c == 0xC3 && i + 1 < n && (unsigned char)w[i + 1] >= 0x9F);
    }
    int upper = caps >= 2 && !lower;
    if (!upper && !memchr(w, '0', n) && !memchr(w, '1', n))
        return -1; /* (an l in a word in lower case: nothing to read back) */
    for (size_t i = 0; i < n; i++)
        r[i] = w[i] == '0' ? 'O' : w[i] == '1' ? 'I' : (w[i] == 'l' && upper) ? 'I' : w[i];
    return upper;
}

/* A surname particle kept as written before the next word of the name
 * (the "Le" of "Le Goff", the "de" of "de La Tour"). Folded comparison. */
int text_sur_is_particle(const char *s, size_t n)
{
    static const char *const parts[] = {"le",  "la",  "les", "de",  "du", "des", "d",   "l",
                                        "van", "von", "der", "den", "di", "da",  "del", "della",
                                        "dos", "das", "ben", "el",  "al", NULL};
    char f[16];
    int fl = n < 8 ? at_text_fold(s, n, f, sizeof f) : -1;
    for (const char *const *p = parts; fl > 0 && *p; p++)
        if (!strcmp(f, *p))
            return 1;
    return 0;
}

/* Initials, not a name: two to four ASCII letters in one case, no vowel
 * (one among two capitals): "AG", "MLT", "mlb", "HG"; a short surname
 * keeps a name's surrogate ("GOFF", "ROY"). */
int text_sur_initials(const char *w, size_t n)
{
    if (n < 2 || n > 4)
        return 0;
    int up = 0, lo = 0, vowels = 0;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        up += c >= 'A' && c <= 'Z';
        lo += c >= 'a' && c <= 'z';
        vowels += strchr("aeiouyAEIOUY", c) != NULL;
    }
    /* (in lower case, no vowel: "do" of "Maria do Céu" is a particle) */
    return ((size_t)up == n && vowels <= (n == 2)) || ((size_t)lo == n && !vowels);
}
