/* The extractor's tokens of a note: words (hyphens inside kept), folded
 * once and looked up once in the extractor's dictionary of drugs and
 * keywords; the punctuation between tokens kept as EX_BRK_* flags. The
 * risk model hashes its n-grams from the same tokens. */
#include "extract_internal.h"

#include <stdlib.h>

/* Byte classes: 1 ASCII letter or digit, 2 a byte >= 0x80 (a word
 * character unless NBSP-like or a typographic quote or dash), 0 else. */
static const uint8_t ex_class[256] = {
    ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1, [0x80 ... 0xFF] = 2};

static inline int is_wordc(const unsigned char *p, size_t left)
{
    unsigned c = ex_class[p[0]];
    if (c != 2)
        return (int)c;
    if (p[0] == 0xC2)
        return 0;
    if (p[0] == 0xE2 && left > 1 && p[1] == 0x80)
        return 0;
    return 1;
}

/* Tokens of text: words (hyphens inside kept), folded and looked up once;
 * the punctuation between tokens is kept as EX_BRK_* flags. */
at_status ex_tokenise(const at_text_extractor *x, const char *text, size_t len, ex_tok **out, size_t *n)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t cap = len / 4 + 16, k = 0;
    ex_tok *v = at_malloc(cap * sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    int sent = 0;
    unsigned brk = EX_BRK_SENT;
    for (size_t i = 0; i < len;) {
        if (!is_wordc(t + i, len - i)) {
            unsigned char c = t[i];
            if (c == '.' || c == ';' || c == '\n' || c == '!' || c == '?') {
                /* a decimal point is not a sentence end */
                if (!(c == '.' && i > 0 && i + 1 < len && t[i - 1] >= '0' && t[i - 1] <= '9' &&
                      t[i + 1] >= '0' && t[i + 1] <= '9')) {
                    sent++;
                    brk |= EX_BRK_SENT;
                }
            } else if (c == ',') {
                brk |= EX_BRK_COMMA;
            } else if (c == ':') {
                brk |= EX_BRK_COLON;
            } else if (c == '(' || c == ')') {
                brk |= EX_BRK_PAREN;
            }
            i++;
            continue;
        }
        size_t a = i;
        int num = 1, ascii = 1;
        while (i < len) {
            if (is_wordc(t + i, len - i)) {
                num &= t[i] >= '0' && t[i] <= '9';
                ascii &= t[i] < 0x80;
                i++;
            } else if (t[i] == '-' && i + 1 < len && is_wordc(t + i + 1, len - i - 1)) {
                num = 0;
                i++;
            } else {
                break;
            }
        }
        if (k == cap) {
            cap *= 2;
            ex_tok *nv = at_realloc(v, cap * sizeof *nv);
            if (!nv) {
                at_free(v);
                return AT_ERR_NOMEM;
            }
            v = nv;
        }
        ex_tok *e = &v[k];
        e->s = (uint32_t)a;
        e->e = (uint32_t)i;
        e->num = (uint8_t)num;
        e->brk = (uint8_t)brk;
        e->sent = sent;
        e->kw = 0;
        e->kval = 0;
        brk = 0;
        int fl;
        if (ascii && i - a <= 40) { /* ASCII: lower case inline */
            for (size_t j = a; j < i; j++)
                e->f[j - a] = (char)((unsigned)t[j] - 'A' < 26u ? t[j] + 32 : t[j]);
            e->f[i - a] = 0;
            fl = (int)(i - a);
        } else {
            /* ASCII and Latin-1 letters inline, anything else through at_text_fold */
            size_t lim = i - a < 40 ? i - a : 40, j = a, o = 0;
            while (j < a + lim && o + 3 < sizeof e->f) {
                unsigned b = t[j];
                if (b < 0x80) {
                    e->f[o++] = (char)(b - 'A' < 26u ? b + 32 : b);
                    j++;
                } else if (b == 0xC3 && j + 1 < a + lim && t[j + 1] >= 0x80 && t[j + 1] <= 0xBF) {
                    const char *r = text_latin1_fold[t[j + 1] - 0x80];
                    e->f[o] = r[0];
                    e->f[o + 1] = r[1];
                    o += r[0] ? (r[1] ? 2 : 1) : 0;
                    j += 2;
                } else {
                    break;
                }
            }
            e->f[o] = 0;
            fl = j == a + lim ? (int)o : at_text_fold(text + a, lim, e->f, sizeof e->f);
        }
        if (fl < 0) {
            e->f[0] = 0;
        } else if (fl > 0 && !num) {
            /* the key zero-padded to a multiple of 8 bytes for the hash */
            char key[56];
            memcpy(key, e->f, (size_t)fl);
            memset(key + fl, 0, 8);
            e->kw = text_dict_get_hashed(&x->dict, key, (size_t)fl, text_dict_hash_padded(key, (size_t)fl),
                                         &e->kval);
        }
        k++;
    }
    *out = v;
    *n = k;
    return AT_OK;
}
