/* The DICOM JSON model (PS3.18 Annex F) of a dataset: strings split on
 * backslashes, PN as {"Alphabetic", "Ideographic", "Phonetic"}, IS/DS and
 * binary numbers as JSON numbers, AT as "GGGGEEEE", bulk VRs (OB OD OF OL
 * OV OW UN) and encapsulated pixel data as InlineBinary base64, sequences as
 * nested objects. Iterative, bounded by AT_DCM_MAX_DEPTH. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_status put_base64(at_buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    at_status st = AT_OK;
    char q[4];
    for (size_t i = 0; i < n && !st; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        q[0] = tab[v >> 18];
        q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? tab[v & 63] : '=';
        st = at_buf_append(b, q, 4);
    }
    return st;
}

/* 1 if s[0..n) is a number in JSON's grammar. */
static int json_number_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i == n;
}

/* An IS/DS value: a JSON number when it can be one, else a string. */
static at_status put_decimal(at_buf *b, const char *s, size_t n)
{
    if (json_number_ok(s, n))
        return at_buf_append(b, s, n);
    if (*s == '+' && n > 1 && json_number_ok(s + 1, n - 1))
        return at_buf_append(b, s + 1, n - 1);
    char tmp[64];
    if (n < sizeof tmp) {
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        char *end;
        double d = strtod(tmp, &end);
        if (end == tmp + n && isfinite(d))
            return at_buf_printf(b, "%.17g", d);
    }
    return at_buf_json_string(b, s, n);
}

/* A JSON string body of UTF-8 bytes: kept where valid, invalid bytes
 * replaced by U+FFFD, control characters escaped. */
static at_status put_utf8(at_buf *b, const unsigned char *s, size_t n)
{
    at_status st = AT_OK;
    size_t i = 0;
    while (i < n && !st) {
        unsigned c = s[i];
        if (c < 0x80) {
            size_t j = i;
            while (j < n && s[j] < 0x80)
                j++;
            at_buf tmp;
            at_buf_init(&tmp, b->max);
            st = at_buf_json_string(&tmp, (const char *)s + i, j - i);
            if (!st)
                st = at_buf_append(b, tmp.data + 1, tmp.len - 2);
            at_buf_free(&tmp);
            i = j;
            continue;
        }
        size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        int ok = len && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (s[i + k] & 0xC0) == 0x80;
        if (ok && len == 3)
            ok = !(c == 0xE0 && s[i + 1] < 0xA0) && !(c == 0xED && s[i + 1] >= 0xA0);
        if (ok && len == 4)
            ok = !(c == 0xF0 && s[i + 1] < 0x90) && !(c == 0xF4 && s[i + 1] >= 0x90);
        if (ok) {
            st = at_buf_append(b, s + i, len);
            i += len;
        } else {
            st = at_buf_append(b, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    return st;
}

/* A JSON string of text bytes in the character set cs, as UTF-8 (values
 * of plain ASCII are not converted at all). */
static at_status put_text(at_buf *b, const unsigned char *s, size_t n, const dcm_charset *cs)
{
    at_status st = at_buf_putc(b, '"');
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = s[i] < 0x80 && s[i] != 0x1B;
    if (!st && (ascii || cs->mode == DCM_CHARSET_DEFAULT || cs->mode == DCM_CHARSET_UNKNOWN)) {
        st = put_utf8(b, s, n);
    } else if (!st) {
        at_buf tmp;
        at_buf_init(&tmp, b->max);
        st = dcm_charset_to_utf8(cs, s, n, &tmp);
        if (!st)
            st = put_utf8(b, tmp.data, tmp.len);
        at_buf_free(&tmp);
    }
    return st ? st : at_buf_putc(b, '"');
}

static int vr_is_bulk(at_vr vr)
{
    switch (vr) {
    case AT_VR('O', 'B'):
    case AT_VR('O', 'D'):
    case AT_VR('O', 'F'):
    case AT_VR('O', 'L'):
    case AT_VR('O', 'V'):
    case AT_VR('O', 'W'):
    case AT_VR('U', 'N'):
        return 1;
    default:
        return 0;
    }
}

static int vr_is_single_text(at_vr vr)
{
    return vr == AT_VR('L', 'T') || vr == AT_VR('S', 'T') || vr == AT_VR('U', 'T') || vr == AT_VR('U', 'R');
}

/* Trim spaces (both ends) and trailing NULs from one value. */
static void trim(const unsigned char **s, size_t *n, int leading)
{
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\0'))
        (*n)--;
    while (leading && *n && (*s)[0] == ' ')
        (*s)++, (*n)--;
}

static at_status put_person_name(at_buf *b, const unsigned char *s, size_t n, const dcm_charset *cs)
{
    static const char *groups[] = {"Alphabetic", "Ideographic", "Phonetic"};
    at_status st = at_buf_putc(b, '{');
    size_t start = 0;
    int g = 0, wrote = 0;
    for (size_t i = 0; i <= n && !st && g < 3; i++) {
        if (i == n || s[i] == '=') {
            const unsigned char *p = s + start;
            size_t len = i - start;
            trim(&p, &len, 0);
            if (len) {
                if (wrote)
                    st = at_buf_putc(b, ',');
                if (!st)
                    st = at_buf_printf(b, "\"%s\":", groups[g]);
                if (!st)
                    st = put_text(b, p, len, cs);
                wrote = 1;
            }
            g++;
            start = i + 1;
        }
    }
    return st ? st : at_buf_putc(b, '}');
}

static uint64_t le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The "Value" array of a text or numeric element (non-empty). */
static at_status put_values(at_buf *b, const at_dcm_element *el, const dcm_charset *cs)
{
    at_status st = at_buf_puts(b, ",\"Value\":[");
    at_vr vr = el->vr;
    const unsigned char *v = el->value;
    size_t n = el->length;
    unsigned unit = 0;
    switch (vr) {
    case AT_VR('U', 'S'):
    case AT_VR('S', 'S'):
        unit = 2;
        break;
    case AT_VR('U', 'L'):
    case AT_VR('S', 'L'):
    case AT_VR('F', 'L'):
    case AT_VR('A', 'T'):
        unit = 4;
        break;
    case AT_VR('F', 'D'):
    case AT_VR('S', 'V'):
    case AT_VR('U', 'V'):
        unit = 8;
        break;
    default:
        break;
    }
    if (unit) {
        for (size_t i = 0; i + unit <= n && !st; i += unit) {
            if (i)
                st = at_buf_putc(b, ',');
            uint64_t x = le(v + i, unit);
            if (st)
                break;
            switch (vr) {
            case AT_VR('U', 'S'):
            case AT_VR('U', 'L'):
                st = at_buf_printf(b, "%llu", (unsigned long long)x);
                break;
            case AT_VR('U', 'V'):
                st = at_buf_printf(b, "%llu", (unsigned long long)x);
                break;
            case AT_VR('S', 'S'):
                st = at_buf_printf(b, "%d", (int16_t)(uint16_t)x);
                break;
            case AT_VR('S', 'L'):
                st = at_buf_printf(b, "%d", (int32_t)(uint32_t)x);
                break;
            case AT_VR('S', 'V'):
                st = at_buf_printf(b, "%lld", (long long)(int64_t)x);
                break;
            case AT_VR('A', 'T'):
                st = at_buf_printf(b, "\"%04X%04X\"", (unsigned)(x & 0xffff), (unsigned)(x >> 16));
                break;
            default: {
                double d;
                if (vr == AT_VR('F', 'L')) {
                    uint32_t u = (uint32_t)x;
                    float f;
                    memcpy(&f, &u, 4);
                    d = f;
                } else {
                    memcpy(&d, &x, 8);
                }
                if (isfinite(d))
                    st = at_buf_printf(b, vr == AT_VR('F', 'L') ? "%.9g" : "%.17g", d);
                else
                    st = at_buf_printf(b, "\"%s\"", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            }
            }
        }
        return st ? st : at_buf_putc(b, ']');
    }
    int single = vr_is_single_text(vr);
    size_t start = 0;
    int first = 1;
    for (size_t i = 0; i <= n && !st; i++) {
        if (i < n && (single || v[i] != '\\'))
            continue;
        const unsigned char *p = v + start;
        size_t len = i - start;
        trim(&p, &len, !single);
        if (!first)
            st = at_buf_putc(b, ',');
        first = 0;
        if (st)
            break;
        if (!len)
            st = at_buf_puts(b, "null");
        else if (vr == AT_VR('P', 'N'))
            st = put_person_name(b, p, len, cs);
        else if (vr == AT_VR('I', 'S') || vr == AT_VR('D', 'S'))
            st = put_decimal(b, (const char *)p, len);
        else
            st = put_text(b, p, len, cs);
        start = i + 1;
    }
    return st ? st : at_buf_putc(b, ']');
}

/* Encapsulated pixel data as InlineBinary of its items (offset table and
 * fragments with their item headers, as pydicom gives it). */
static at_status put_encapsulated(at_buf *b, const at_dcm_element *el)
{
    at_buf raw;
    at_buf_init(&raw, b->max);
    at_status st = AT_OK;
    for (size_t i = 0; i < el->fragment_count && !st; i++) {
        unsigned char h[8] = {0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0};
        uint32_t len = el->fragments[i].len;
        h[4] = (unsigned char)len;
        h[5] = (unsigned char)(len >> 8);
        h[6] = (unsigned char)(len >> 16);
        h[7] = (unsigned char)(len >> 24);
        st = at_buf_append(&raw, h, 8);
        if (!st && len)
            st = at_buf_append(&raw, el->fragments[i].data, len);
    }
    if (!st)
        st = at_buf_puts(b, ",\"InlineBinary\":\"");
    if (!st)
        st = put_base64(b, raw.data, raw.len);
    if (!st)
        st = at_buf_putc(b, '"');
    at_buf_free(&raw);
    return st;
}

/* Append the JSON object for ds to out. Group length elements are left out. */
at_status at_dcm_to_json(const at_dcm_dataset *ds, at_buf *out)
{
    struct {
        const at_dcm_dataset *ds;
        size_t ei, ii;
        int started, first;
        dcm_charset cs; /* the dataset's Specific Character Set, else its parent's */
    } stack[AT_DCM_MAX_DEPTH + 1];
    int sp = 0;
    memset(&stack[0], 0, sizeof stack[0]);
    stack[0].ds = ds;
    stack[0].first = 1;
    dcm_charset_parse(at_dcm_find(ds, AT_TAG(0x0008, 0x0005)), &stack[0].cs);
    at_status st = at_buf_putc(out, '{');
    char vb[3];
    while (!st) {
        typeof(stack[0]) *f = &stack[sp];
        if (f->ei == f->ds->count) {
            st = at_buf_putc(out, '}');
            if (sp == 0 || st)
                break;
            sp--;
            stack[sp].ii++;
            continue;
        }
        const at_dcm_element *el = &f->ds->elements[f->ei];
        int seq = el->vr == AT_VR('S', 'Q') || (el->item_count && !el->encapsulated);
        if (!f->started) {
            if (AT_TAG_ELEMENT(el->tag) == 0) {
                f->ei++;
                continue;
            }
            at_vr vr = seq ? AT_VR('S', 'Q') : at_vr_is_known(el->vr) ? el->vr : AT_VR('U', 'N');
            if ((st = at_buf_printf(out, "%s\"%04X%04X\":{\"vr\":\"%s\"", f->first ? "" : ",",
                                    AT_TAG_GROUP(el->tag), AT_TAG_ELEMENT(el->tag), at_vr_name(vr, vb))))
                break;
            f->first = 0;
            if (!seq) {
                if (el->encapsulated)
                    st = put_encapsulated(out, el);
                else if (el->length && vr_is_bulk(vr)) {
                    if (!(st = at_buf_puts(out, ",\"InlineBinary\":\"")) &&
                        !(st = put_base64(out, el->value, el->length)))
                        st = at_buf_putc(out, '"');
                } else if (el->length)
                    st = put_values(out, el, &f->cs);
                if (!st)
                    st = at_buf_putc(out, '}');
                f->ei++;
                continue;
            }
            if (el->item_count && (st = at_buf_puts(out, ",\"Value\":[")))
                break;
            f->started = 1;
            f->ii = 0;
        }
        if (f->ii < el->item_count) {
            if (sp + 1 > AT_DCM_MAX_DEPTH) {
                st = at_error_set(AT_ERR_LIMIT, "dataset nested deeper than %d sequences", AT_DCM_MAX_DEPTH);
                break;
            }
            if ((f->ii && (st = at_buf_putc(out, ','))) || (st = at_buf_putc(out, '{')))
                break;
            sp++;
            memset(&stack[sp], 0, sizeof stack[sp]);
            stack[sp].ds = el->items[f->ii];
            stack[sp].first = 1;
            const at_dcm_element *own = at_dcm_find(stack[sp].ds, AT_TAG(0x0008, 0x0005));
            if (own)
                dcm_charset_parse(own, &stack[sp].cs);
            else
                stack[sp].cs = f->cs;
            continue;
        }
        st = at_buf_puts(out, el->item_count ? "]}" : "}");
        f->started = 0;
        f->ei++;
    }
    return st;
}
