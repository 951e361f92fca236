/* Specific Character Set (0008,0005) to UTF-8, for the DICOM JSON model
 * (PS3.18 F.2.1: strings are UTF-8). Single-byte sets and the stand-alone
 * multi-byte ones are converted with glibc's iconv; ISO 2022 code
 * extensions (PS3.5 6.1.2.5) are followed escape by escape: G0 ASCII, JIS X
 * 0201 Romaji, JIS X 0208 and JIS X 0212; G1 the ISO 8859 parts, TIS 620,
 * JIS X 0201 Katakana, KS X 1001 and GB 2312. See docs/dicom.md for what is
 * not converted. The tree itself is never transcoded. */
#include "internal.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#define ESC 0x1B

/* Character sets a G0 or G1 register can hold. */
enum {
    SET_NONE = 0,
    SET_ASCII,    /* G0: ISO-IR 6 */
    SET_ROMAN,    /* G0: JIS X 0201 Romaji (as ASCII, as pydicom and DCMTK read it) */
    SET_JIS0208,  /* G0: JIS X 0208 (two 7-bit bytes) */
    SET_JIS0212,  /* G0: JIS X 0212 */
    SET_KATAKANA, /* G1: JIS X 0201 Katakana */
    SET_ICONV     /* G1: a set iconv converts from high bytes (8859 parts, TIS 620, EUC-KR, EUC-CN) */
};

static const struct {
    const char *term;   /* defined term of (0008,0005) */
    const char *iconv;  /* stand-alone or G1 set: iconv name, NULL for none */
    int g0, g1;         /* what the term designates */
    const char *escape; /* its escape sequence after ESC (ISO 2022 terms) */
} terms[] = {
    {"ISO_IR 6", NULL, SET_ASCII, SET_NONE, NULL},
    {"ISO_IR 100", "ISO-8859-1", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 101", "ISO-8859-2", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 109", "ISO-8859-3", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 110", "ISO-8859-4", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 144", "ISO-8859-5", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 127", "ISO-8859-6", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 126", "ISO-8859-7", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 138", "ISO-8859-8", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 148", "ISO-8859-9", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 203", "ISO-8859-15", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 166", "TIS-620", SET_ASCII, SET_ICONV, NULL},
    {"ISO_IR 13", NULL, SET_ROMAN, SET_KATAKANA, NULL},
    {"ISO_IR 192", NULL, SET_NONE, SET_NONE, NULL}, /* UTF-8: stand-alone */
    {"GB18030", "GB18030", SET_NONE, SET_NONE, NULL},
    {"GBK", "GBK", SET_NONE, SET_NONE, NULL},
    {"ISO 2022 IR 6", NULL, SET_ASCII, SET_NONE, "(B"},
    {"ISO 2022 IR 100", "ISO-8859-1", SET_NONE, SET_ICONV, "-A"},
    {"ISO 2022 IR 101", "ISO-8859-2", SET_NONE, SET_ICONV, "-B"},
    {"ISO 2022 IR 109", "ISO-8859-3", SET_NONE, SET_ICONV, "-C"},
    {"ISO 2022 IR 110", "ISO-8859-4", SET_NONE, SET_ICONV, "-D"},
    {"ISO 2022 IR 144", "ISO-8859-5", SET_NONE, SET_ICONV, "-L"},
    {"ISO 2022 IR 127", "ISO-8859-6", SET_NONE, SET_ICONV, "-G"},
    {"ISO 2022 IR 126", "ISO-8859-7", SET_NONE, SET_ICONV, "-F"},
    {"ISO 2022 IR 138", "ISO-8859-8", SET_NONE, SET_ICONV, "-H"},
    {"ISO 2022 IR 148", "ISO-8859-9", SET_NONE, SET_ICONV, "-M"},
    {"ISO 2022 IR 203", "ISO-8859-15", SET_NONE, SET_ICONV, "-b"},
    {"ISO 2022 IR 166", "TIS-620", SET_NONE, SET_ICONV, "-T"},
    {"ISO 2022 IR 13", NULL, SET_NONE, SET_KATAKANA, ")I"},
    {"ISO 2022 IR 87", NULL, SET_JIS0208, SET_NONE, "$B"},
    {"ISO 2022 IR 159", NULL, SET_JIS0212, SET_NONE, "$(D"},
    {"ISO 2022 IR 149", "EUC-KR", SET_NONE, SET_ICONV, "$)C"},
    {"ISO 2022 IR 58", "EUC-CN", SET_NONE, SET_ICONV, "$)A"},
};
#define TERM_COUNT (sizeof terms / sizeof *terms)

/* G0 designations by escape that are not the escape of a term. */
static const struct {
    const char *escape;
    int g0;
} g0_escapes[] = {
    {"(B", SET_ASCII}, {"(J", SET_ROMAN}, {"$B", SET_JIS0208}, {"$@", SET_JIS0208}, {"$(D", SET_JIS0212}};

static int term_index(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < TERM_COUNT; i++)
        if (strlen(terms[i].term) == n && !memcmp(terms[i].term, s, n))
            return (int)i;
    return -1;
}

/* Read (0008,0005) el (NULL: absent) into cs. Unknown terms make the
 * whole set unknown: text is then kept as UTF-8 where valid. */
void dcm_charset_parse(const at_dcm_element *el, dcm_charset *cs)
{
    memset(cs, 0, sizeof *cs);
    cs->mode = DCM_CHARSET_DEFAULT;
    if (!el || !el->value || !el->length)
        return;
    const unsigned char *v = el->value;
    size_t n = el->length, start = 0;
    int iso2022 = 0, bad = 0;
    for (size_t i = 0; i <= n && !bad; i++) {
        if (i < n && v[i] != '\\')
            continue;
        const unsigned char *t = v + start;
        size_t len = i - start;
        while (len && (t[len - 1] == ' ' || t[len - 1] == '\0'))
            len--;
        while (len && *t == ' ')
            t++, len--;
        int k = len ? term_index(t, len) : 0; /* an empty value: the default repertoire */
        if (k < 0 || cs->count == DCM_CHARSET_MAX_TERMS)
            bad = 1;
        else {
            cs->terms[cs->count++] = len ? k : -1;
            iso2022 |= len && terms[k].escape != NULL;
        }
        start = i + 1;
    }
    if (bad) {
        cs->mode = DCM_CHARSET_UNKNOWN;
        return;
    }
    if (cs->count > 1)
        iso2022 = 1; /* several values: code extensions (PS3.3 C.12.1.1.2) */
    if (cs->count == 1 && cs->terms[0] >= 0 &&
        (!strcmp(terms[cs->terms[0]].term, "ISO_IR 6") || !strcmp(terms[cs->terms[0]].term, "ISO_IR 192")))
        return; /* ASCII or UTF-8: kept where valid UTF-8 */
    if (!iso2022 && cs->count == 1 && cs->terms[0] >= 0)
        cs->mode = DCM_CHARSET_SINGLE;
    else if (iso2022)
        cs->mode = DCM_CHARSET_ISO2022;
}

/* UTF-8 of one code point. */
static at_status put_cp(at_buf *b, unsigned cp)
{
    unsigned char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (unsigned char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (unsigned char)(0xC0 | cp >> 6), u[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
    else
        u[0] = (unsigned char)(0xE0 | cp >> 12), u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
    return at_buf_append(b, u, n);
}

#define REPLACEMENT 0xFFFD

/* Convert s[0..n) from the iconv charset from onto b as UTF-8, prefix
 * (an escape sequence, may be NULL) fed first; bytes iconv rejects become
 * U+FFFD one by one. */
static at_status iconv_onto(at_buf *b, const char *from, const char *prefix, const unsigned char *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) { /* the set is not installed: every byte replaced */
        at_status st = AT_OK;
        for (size_t i = 0; i < n && !st; i++)
            st = put_cp(b, REPLACEMENT);
        return st;
    }
    at_status st = AT_OK;
    char out[1024];
    if (prefix) {
        char *in = (char *)prefix, *o = out;
        size_t il = strlen(prefix), ol = sizeof out;
        iconv(cd, &in, &il, &o, &ol);
    }
    char *in = (char *)s;
    size_t il = n;
    while (il && !st) {
        char *o = out;
        size_t ol = sizeof out;
        size_t r = iconv(cd, &in, &il, &o, &ol);
        int err = r == (size_t)-1 ? errno : 0;
        st = at_buf_append(b, out, sizeof out - ol);
        if (!st && (err == EILSEQ || err == EINVAL)) {
            st = put_cp(b, REPLACEMENT);
            in++, il--;
            if (prefix) { /* back to the set after a bad byte */
                char *pin = (char *)prefix, *po = out;
                size_t pl = strlen(prefix), pol = sizeof out;
                iconv(cd, &pin, &pl, &po, &pol);
            }
        } else if (!st && err && err != E2BIG) {
            break;
        }
    }
    iconv_close(cd);
    return st;
}

/* A run of bytes between escapes in ISO 2022 mode with these G0 and G1. */
static at_status put_run(at_buf *b, int g0, int g1, const char *g1_iconv, const unsigned char *s, size_t n)
{
    if (g0 == SET_JIS0208 || g0 == SET_JIS0212) /* 7-bit two-byte set: iconv follows the escape */
        return iconv_onto(b, "ISO-2022-JP-2", g0 == SET_JIS0208 ? "\x1b$B" : "\x1b$(D", s, n);
    at_status st = AT_OK;
    size_t i = 0;
    while (i < n && !st) {
        size_t j = i;
        if (s[i] < 0x80) {
            while (j < n && s[j] < 0x80)
                j++;
            st = at_buf_append(b, s + i, j - i); /* ASCII (Romaji read as ASCII too) */
        } else {
            while (j < n && s[j] >= 0x80)
                j++;
            if (g1 == SET_ICONV)
                st = iconv_onto(b, g1_iconv, NULL, s + i, j - i);
            else
                for (size_t k = i; k < j && !st; k++)
                    st = put_cp(b, g1 == SET_KATAKANA && s[k] >= 0xA1 && s[k] <= 0xDF
                                       ? 0xFF61u + (s[k] - 0xA1u)
                                       : REPLACEMENT);
        }
        i = j;
    }
    return st;
}

/* The initial G0/G1 of an ISO 2022 set: those of its first value (empty:
 * ASCII), G0 ASCII when the first value designates only a G1. */
static void initial_state(const dcm_charset *cs, int *g0, int *g1, const char **g1_iconv)
{
    *g0 = SET_ASCII;
    *g1 = SET_NONE;
    *g1_iconv = NULL;
    int k = cs->count ? cs->terms[0] : -1;
    if (k < 0)
        return;
    if (terms[k].g0 != SET_NONE)
        *g0 = terms[k].g0;
    *g1 = terms[k].g1;
    *g1_iconv = terms[k].iconv;
}

at_status dcm_charset_to_utf8(const dcm_charset *cs, const unsigned char *s, size_t n, at_buf *out)
{
    if (cs->mode == DCM_CHARSET_DEFAULT || cs->mode == DCM_CHARSET_UNKNOWN)
        return at_buf_append(out, s, n); /* validated by the caller */
    if (cs->mode == DCM_CHARSET_SINGLE) {
        const char *t = terms[cs->terms[0]].term;
        if (!strcmp(t, "ISO_IR 13"))
            return put_run(out, SET_ROMAN, SET_KATAKANA, NULL, s, n);
        /* every other single set has ASCII as its lower half: an ASCII run
         * needs no conversion (and no iconv_open, the costly part) */
        size_t i = 0;
        while (i < n && s[i] < 0x80)
            i++;
        if (i == n)
            return at_buf_append(out, s, n);
        return iconv_onto(out, terms[cs->terms[0]].iconv, NULL, s, n);
    }
    int g0, g1;
    const char *g1_iconv;
    initial_state(cs, &g0, &g1, &g1_iconv);
    at_status st = AT_OK;
    size_t i = 0;
    while (i < n && !st) {
        if (s[i] == ESC) {
            /* an escape sequence: ESC, intermediate bytes 0x20-0x2F, a final byte */
            size_t j = i + 1;
            while (j < n && s[j] >= 0x20 && s[j] <= 0x2F)
                j++;
            size_t len = j < n ? j - i : 0; /* without ESC, with the final byte */
            int found = 0;
            for (size_t k = 0; len && k < TERM_COUNT && !found; k++)
                if (terms[k].escape && strlen(terms[k].escape) == len &&
                    !memcmp(terms[k].escape, s + i + 1, len)) {
                    if (terms[k].g0 != SET_NONE)
                        g0 = terms[k].g0;
                    else {
                        g1 = terms[k].g1;
                        g1_iconv = terms[k].iconv;
                    }
                    found = 1;
                }
            for (size_t k = 0; len && !found && k < sizeof g0_escapes / sizeof *g0_escapes; k++)
                if (strlen(g0_escapes[k].escape) == len && !memcmp(g0_escapes[k].escape, s + i + 1, len)) {
                    g0 = g0_escapes[k].g0;
                    found = 1;
                }
            if (found) {
                i += 1 + len;
                continue;
            }
            st = put_cp(out, REPLACEMENT); /* an escape we do not know */
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != ESC)
            j++;
        st = put_run(out, g0, g1, g1_iconv, s + i, j - i);
        i = j;
    }
    return st;
}

/* 1 when every character of the set of a SINGLE charset is one byte. */
static int single_byte_set(const dcm_charset *cs)
{
    const char *t = terms[cs->terms[0]].term;
    return strcmp(t, "GB18030") && strcmp(t, "GBK");
}

/* Count the UTF-8 characters of p[0..n). */
static size_t utf8_chars(const unsigned char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}

/* One segment s[a..b) converted and mapped. */
static at_status decode_segment(const dcm_charset *cs, const unsigned char *s, size_t a, size_t b,
                                at_buf *out, size_t **from, size_t **to, size_t *cap)
{
    size_t before = out->len;
    at_status st = dcm_charset_to_utf8(cs, s + a, b - a, out);
    if (st || !from)
        return st;
    size_t added = out->len - before;
    if (out->len > *cap) {
        size_t nc = out->len * 2 + 16;
        size_t *f = at_realloc(*from, nc * sizeof *f);
        if (!f)
            return AT_ERR_NOMEM;
        *from = f;
        size_t *t = at_realloc(*to, nc * sizeof *t);
        if (!t)
            return AT_ERR_NOMEM;
        *to = t;
        *cap = nc;
    }
    const unsigned char *u = out->data + before;
    if (cs->mode == DCM_CHARSET_DEFAULT || cs->mode == DCM_CHARSET_UNKNOWN) {
        for (size_t k = 0; k < added; k++)
            (*from)[before + k] = a + k, (*to)[before + k] = a + k + 1;
    } else if (cs->mode == DCM_CHARSET_SINGLE && single_byte_set(cs) && utf8_chars(u, added) == b - a) {
        size_t src = a;
        for (size_t k = 0; k < added; k++) {
            if (k && (u[k] & 0xC0) != 0x80)
                src++;
            (*from)[before + k] = src, (*to)[before + k] = src + 1;
        }
    } else {
        for (size_t k = 0; k < added; k++)
            (*from)[before + k] = a, (*to)[before + k] = b;
    }
    return AT_OK;
}

at_status at_dcm_text_decode(const at_dcm_element *charset, at_vr vr, const unsigned char *s, size_t n,
                             at_buf *out, size_t **from, size_t **to)
{
    dcm_charset cs;
    dcm_charset_parse(charset, &cs);
    size_t cap = 0;
    if (from) {
        *from = NULL;
        *to = NULL;
    }
    int single_value =
        vr == AT_VR('L', 'T') || vr == AT_VR('S', 'T') || vr == AT_VR('U', 'T') || vr == AT_VR('U', 'R');
    int pn = vr == AT_VR('P', 'N');
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\0')) /* padding: not text */
        n--;
    at_status st = AT_OK;
    size_t a = 0;
    for (size_t i = 0; i <= n && !st; i++) {
        int delim = i == n || s[i] == '\r' || s[i] == '\n' || s[i] == '\t' || s[i] == '\f' ||
                    (!single_value && s[i] == '\\') || (pn && (s[i] == '^' || s[i] == '='));
        if (!delim)
            continue;
        if (i > a)
            st = decode_segment(&cs, s, a, i, out, from, to, &cap);
        if (!st && i < n) {
            size_t at = out->len;
            st = at_buf_putc(out, (char)s[i]);
            if (!st && from) {
                if (out->len > cap) {
                    size_t nc = out->len * 2 + 16;
                    size_t *f = at_realloc(*from, nc * sizeof *f),
                           *t = f ? at_realloc(*to, nc * sizeof *t) : NULL;
                    if (f)
                        *from = f;
                    if (!f || !t)
                        st = AT_ERR_NOMEM;
                    else
                        *to = t, cap = nc;
                }
                if (!st)
                    (*from)[at] = i, (*to)[at] = i + 1;
            }
        }
        a = i + 1;
    }
    if (st && from) {
        at_free(*from);
        at_free(*to);
        *from = *to = NULL;
    }
    return st;
}
