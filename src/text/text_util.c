/* Text utilities: span lists, UTF-8 validation, accent/case folding
 * (libutf8proc), NIR and Luhn checks, label names. */
#include "atelier/text.h"

#include <string.h>
#include <utf8proc.h>

static const char *const label_names[AT_PHI_COUNT] = {
    "NONE", "NOM",       "PRENOM", "ADRESSE", "VILLE", "ZIP",     "DATE", "DATE_NAISSANCE",
    "TEL",  "MAIL",      "SECU",   "IPP",     "NDA",   "HOPITAL", "RPPS", "FINESS",
    "AGE",  "EMPLOYEUR", "COMPTE", "IMMAT",   "URL",   "ID"};

const char *at_phi_label_name(int label)
{
    return label > 0 && label < AT_PHI_COUNT ? label_names[label] : "NONE";
}

int at_phi_label_from_name(const char *name)
{
    for (int i = 1; i < AT_PHI_COUNT; i++)
        if (!strcmp(name, label_names[i]))
            return i;
    return AT_PHI_NONE;
}

at_status at_text_spans_push(at_text_spans *s, size_t start, size_t len, int label)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        at_text_span *v = at_realloc(s->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].start = start;
    s->v[s->n].len = len;
    s->v[s->n].label = label;
    s->n++;
    return AT_OK;
}

void at_text_spans_free(at_text_spans *s)
{
    at_free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

int at_text_utf8_check(const char *text, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (c == 0)
                goto bad;
            i++;
            continue;
        }
        size_t need;
        unsigned min;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            min = 0x10000;
        } else {
            goto bad;
        }
        if (len - i <= need)
            goto bad;
        unsigned cp = c & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07);
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += need + 1;
    }
    return 0;
bad:
    if (bad_offset)
        *bad_offset = i;
    return -1;
}

/* Latin-1 supplement letters U+00C0..U+00FF folded to ASCII ("" for none);
 * shared with the de-identifier's tokeniser (src/text/dict.h). */
extern const char text_latin1_fold[64][3];
const char text_latin1_fold[64][3] = {"a", "a", "a", "a", "a",  "a",  "ae", "c", "e", "e", "e",  "e", "i",
                                      "i", "i", "i", "d", "n",  "o",  "o",  "o", "o", "o", "",   "o", "u",
                                      "u", "u", "u", "y", "th", "ss", "a",  "a", "a", "a", "a",  "a", "ae",
                                      "c", "e", "e", "e", "e",  "i",  "i",  "i", "i", "d", "n",  "o", "o",
                                      "o", "o", "o", "",  "o",  "u",  "u",  "u", "u", "y", "th", "y"};

int at_text_fold(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;
    while (i < n) {
        unsigned c = p[i];
        const char *rep = NULL;
        size_t adv = 1;
        if (c < 0x80) {
            /* a run of ASCII bytes, one bound check for the run */
            size_t j = i + 1;
            while (j < n && p[j] < 0x80)
                j++;
            if (o + (j - i) + 1 > cap)
                return -1;
            for (; i < j; i++)
                out[o++] = (char)((unsigned)p[i] - 'A' < 26u ? p[i] + 32 : p[i]);
            continue;
        } else if (c == 0xC3 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0xBF) {
            /* Latin-1 letters: at most two ASCII bytes, written inline */
            const char *r = text_latin1_fold[p[i + 1] - 0x80];
            if (o + 3 > cap)
                return -1;
            out[o] = r[0];
            out[o + 1] = r[1];
            o += r[0] ? (r[1] ? 2 : 1) : 0;
            i += 2;
            continue;
        } else if (c == 0xC5 && i + 1 < n && (p[i + 1] == 0x92 || p[i + 1] == 0x93)) {
            rep = "oe"; /* Œ œ */
            adv = 2;
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
            if (k <= 0)
                return -1;
            adv = (size_t)k;
            utf8proc_int32_t buf[8];
            int last = 0;
            utf8proc_ssize_t m = utf8proc_decompose_char(
                cp, buf, 8, UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK, &last);
            if (m < 0 || m > 8)
                return -1;
            for (utf8proc_ssize_t j = 0; j < m; j++) {
                unsigned char enc[4];
                utf8proc_ssize_t e = utf8proc_encode_char(buf[j], enc);
                if (o + (size_t)e + 1 > cap)
                    return -1;
                memcpy(out + o, enc, (size_t)e);
                o += (size_t)e;
            }
            i += adv;
            continue;
        }
        size_t rl = strlen(rep);
        if (o + rl + 1 > cap)
            return -1;
        memcpy(out + o, rep, rl);
        o += rl;
        i += adv;
    }
    if (o + 1 > cap)
        return -1;
    out[o] = '\0';
    return (int)o;
}

/* NIR: 13 digits (2A -> 19, 2B -> 18 for the key), key = 97 - n mod 97. */
int at_text_nir_key(const char *first13)
{
    uint64_t n = 0;
    for (int i = 0; i < 13; i++) {
        char c = first13[i];
        int d;
        if (i == 5 && c == '2' &&
            (first13[6] == 'A' || first13[6] == 'a' || first13[6] == 'B' || first13[6] == 'b')) {
            int b = first13[6] == 'B' || first13[6] == 'b';
            n = n * 100 + (b ? 18 : 19);
            i++;
            continue;
        }
        if (c < '0' || c > '9')
            return -1;
        d = c - '0';
        n = n * 10 + (uint64_t)d;
    }
    return (int)(97 - n % 97);
}

int at_text_nir_valid(const char *d)
{
    if (d[0] != '1' && d[0] != '2' && d[0] != '3' && d[0] != '4' && d[0] != '7' && d[0] != '8')
        return 0;
    int key = at_text_nir_key(d);
    if (key < 0 || d[13] < '0' || d[13] > '9' || d[14] < '0' || d[14] > '9')
        return 0;
    return key == (d[13] - '0') * 10 + (d[14] - '0');
}

static int luhn_sum(const char *digits, size_t n, int double_last)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = digits[n - 1 - i];
        if (c < '0' || c > '9')
            return -1;
        int d = c - '0';
        if ((i % 2 == 0) == (double_last != 0)) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum;
}

int at_text_luhn_valid(const char *digits, size_t n)
{
    int s = luhn_sum(digits, n, 0);
    return s >= 0 && s % 10 == 0;
}

int at_text_luhn_digit(const char *digits, size_t n)
{
    int s = luhn_sum(digits, n, 1);
    return s < 0 ? -1 : (10 - s % 10) % 10;
}

static int trim_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void at_text_trim(const char **s, size_t *n)
{
    while (*n && trim_space(**s))
        (*s)++, (*n)--;
    while (*n && trim_space((*s)[*n - 1]))
        (*n)--;
}

/* The documents of a generator (src/synth) or a corpus: their text, gold
 * spans, eponyms and patient ids, then the array. */
void at_text_docs_free(at_text_doc *docs, size_t n)
{
    if (!docs)
        return;
    for (size_t i = 0; i < n; i++) {
        at_free(docs[i].text);
        at_free(docs[i].patient_id);
        at_text_spans_free(&docs[i].gold);
        at_text_spans_free(&docs[i].eponyms);
    }
    at_free(docs);
}
