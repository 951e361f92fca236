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

#define OCR_MAX_WORD 40

/* Byte b is part of a word (ASCII letter or digit, or a UTF-8 byte). */
static int word_byte(unsigned char b)
{
    return b >= 0x80 || (unsigned)(b | 0x20) - 'a' < 26u || (unsigned)b - '0' < 10u;
}

/* Byte b is a letter's (ASCII, or a byte of a UTF-8 letter). */
static int letter_byte(unsigned char b)
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

at_status deid_ocr_view(const at_text_deid *d, const char *t, size_t len, char **copy, size_t *words)
{
    *copy = NULL;
    *words = 0;
    size_t i = 0;
    /* (the next 0, 1 and l at or after i, each looked for again only once
     * i has passed it: a text is read three times at most) */
    const char *z = memchr(t, '0', len), *o = memchr(t, '1', len), *l = memchr(t, 'l', len);
    while (i < len) {
        if (z && z < t + i)
            z = memchr(t + i, '0', len - i);
        if (o && o < t + i)
            o = memchr(t + i, '1', len - i);
        if (l && l < t + i)
            l = memchr(t + i, 'l', len - i);
        const char *p = !z ? o : !o ? z : z < o ? z : o;
        if (l && (!p || l < p)) {
            /* an l between capitals ("HOSPlTALIER", "M0NTAlGNE") */
            size_t at = (size_t)(l - t);
            i = at + 1;
            if (!(at > 0 && at + 1 < len && (unsigned)t[at - 1] - 'A' < 26u &&
                  ((unsigned)t[at + 1] - 'A' < 26u || t[at + 1] == '0' || t[at + 1] == '1')))
                continue;
            p = l;
        }
        if (!p)
            break;
        size_t at = (size_t)(p - t), a = at, b = at + 1;
        /* (a digit of a number, a date's or a phone's, has no letter beside
         * it: most end here) */
        if (p != l && !(at > 0 && letter_byte((unsigned char)t[at - 1])) &&
            !(at + 1 < len && letter_byte((unsigned char)t[at + 1]))) {
            i = at + 1;
            continue;
        }
        while (a > 0 && word_byte((unsigned char)t[a - 1]) && at - a < OCR_MAX_WORD)
            a--;
        while (b < len && word_byte((unsigned char)t[b]) && b - at < OCR_MAX_WORD)
            b++;
        i = b;
        if (b - a > OCR_MAX_WORD || (a > 0 && word_byte((unsigned char)t[a - 1])) ||
            (b < len && word_byte((unsigned char)t[b])))
            continue;
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
            continue;
        char out[OCR_MAX_WORD];
        if (!spell(d, t + a, b - a, pos, nd, caps || (lower == 0 && !memchr(t + a, 'l', b - a)), out))
            continue;
        if (!*copy) {
            *copy = at_malloc(len);
            if (!*copy)
                return AT_ERR_NOMEM;
            memcpy(*copy, t, len);
        }
        memcpy(*copy + a, out, b - a);
        (*words)++;
    }
    return AT_OK;
}
