/* Request parsers: flat JSON objects of strings (the API's bodies), forms,
 * percent-decoding, cookies and path patterns. Every length is bounded,
 * no recursion, no NUL ever decoded into a value, duplicate fields
 * refused (two parsers could read them differently). fuzz/fuzz_web.c
 * drives all of them. */
#include "internal.h"

#include <string.h>

#define KEY_MAX 64

void web_fields_free(web_fields *f)
{
    for (size_t i = 0; i < f->n; i++) {
        at_free(f->v[i].name);
        if (f->v[i].value) {
            memset(f->v[i].value, 0, strlen(f->v[i].value)); /* passwords pass through here */
            at_free(f->v[i].value);
        }
    }
    f->n = 0;
}

const char *web_fields_get(const web_fields *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->v[i].name, name))
            return f->v[i].value;
    return NULL;
}

/* Take ownership of name and value into f. */
static at_status fields_add(web_fields *f, char *name, char *value)
{
    at_status st = AT_OK;
    if (f->n >= WEB_FIELDS_MAX)
        st = at_error_set(AT_ERR_FORMAT, "more than %d fields", WEB_FIELDS_MAX);
    else if (web_fields_get(f, name))
        st = at_error_set(AT_ERR_FORMAT, "field '%.64s' given twice", name);
    if (st) {
        at_free(name);
        if (value) {
            memset(value, 0, strlen(value));
            at_free(value);
        }
        return st;
    }
    f->v[f->n].name = name;
    f->v[f->n].value = value;
    f->n++;
    return AT_OK;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len;
    unsigned cp;
    if ((p[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static size_t put_utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex4(const char *p, size_t n, unsigned *v)
{
    if (n < 4)
        return 0;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        *v = (*v << 4) | (unsigned)d;
    }
    return 1;
}

typedef struct {
    const char *s;
    size_t n, i;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->i < c->n &&
           (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
        c->i++;
}

/* A JSON string at the cursor (which is on the opening quote) decoded into
 * a new buffer of at most max bytes. */
static at_status json_string(cursor *c, size_t max, char **out)
{
    *out = NULL;
    if (c->i >= c->n || c->s[c->i] != '"')
        return at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: a string was expected", c->i);
    c->i++;
    char *o = at_malloc(max + 1);
    if (!o)
        return AT_ERR_NOMEM;
    size_t k = 0;
    at_status st = AT_OK;
    for (;;) {
        if (c->i >= c->n) {
            st = at_error_set(AT_ERR_FORMAT, "malformed JSON: unterminated string");
            break;
        }
        unsigned char ch = (unsigned char)c->s[c->i];
        if (ch == '"') {
            c->i++;
            break;
        }
        char buf[4];
        size_t add;
        if (ch < 0x20) {
            st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: a control character in a string",
                              c->i);
            break;
        } else if (ch == '\\') {
            if (c->i + 1 >= c->n) {
                st = at_error_set(AT_ERR_FORMAT, "malformed JSON: unterminated escape");
                break;
            }
            char e = c->s[c->i + 1];
            c->i += 2;
            add = 1;
            switch (e) {
            case '"':
                buf[0] = '"';
                break;
            case '\\':
                buf[0] = '\\';
                break;
            case '/':
                buf[0] = '/';
                break;
            case 'b':
                buf[0] = '\b';
                break;
            case 'f':
                buf[0] = '\f';
                break;
            case 'n':
                buf[0] = '\n';
                break;
            case 'r':
                buf[0] = '\r';
                break;
            case 't':
                buf[0] = '\t';
                break;
            case 'u': {
                unsigned cp;
                if (!hex4(c->s + c->i, c->n - c->i, &cp)) {
                    st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: bad \\u escape", c->i);
                    break;
                }
                c->i += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    unsigned lo;
                    if (c->i + 6 > c->n || c->s[c->i] != '\\' || c->s[c->i + 1] != 'u' ||
                        !hex4(c->s + c->i + 2, c->n - c->i - 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                        st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: lone surrogate", c->i);
                        break;
                    }
                    c->i += 6;
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: lone surrogate", c->i);
                    break;
                }
                if (cp == 0) {
                    st = at_error_set(AT_ERR_FORMAT, "a NUL character in a string");
                    break;
                }
                add = put_utf8(cp, buf);
                break;
            }
            default:
                st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: unknown escape", c->i - 1);
            }
            if (st)
                break;
        } else {
            add = utf8_seq((const unsigned char *)c->s + c->i, c->n - c->i);
            if (!add) {
                st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: not UTF-8", c->i);
                break;
            }
            memcpy(buf, c->s + c->i, add);
            c->i += add;
        }
        if (k + add > max) {
            st = at_error_set(AT_ERR_LIMIT, "a string longer than %zu bytes", max);
            break;
        }
        memcpy(o + k, buf, add);
        k += add;
    }
    if (st) {
        memset(o, 0, k);
        at_free(o);
        return st;
    }
    o[k] = '\0';
    *out = o;
    return AT_OK;
}

at_status web_parse_json(const char *body, size_t len, web_fields *out)
{
    memset(out, 0, sizeof *out);
    cursor c = {body, len, 0};
    skip_ws(&c);
    if (c.i >= c.n || body[c.i] != '{')
        return at_error_set(AT_ERR_FORMAT, "the body must be a JSON object");
    c.i++;
    skip_ws(&c);
    at_status st = AT_OK;
    if (c.i < c.n && body[c.i] == '}') {
        c.i++;
    } else {
        for (;;) {
            char *key = NULL, *value = NULL;
            st = json_string(&c, KEY_MAX, &key);
            if (st)
                break;
            skip_ws(&c);
            if (c.i >= c.n || body[c.i] != ':') {
                at_free(key);
                st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: ':' expected", c.i);
                break;
            }
            c.i++;
            skip_ws(&c);
            if (c.i < c.n && body[c.i] == '"') {
                st = json_string(&c, WEB_FIELD_MAX, &value);
                if (st) {
                    at_free(key);
                    break;
                }
                st = fields_add(out, key, value);
                if (st)
                    break;
            } else if (c.n - c.i >= 4 && !memcmp(body + c.i, "null", 4)) {
                c.i += 4;
                at_free(key);
            } else {
                st = at_error_set(AT_ERR_FORMAT, "field '%.64s' must be a string", key);
                at_free(key);
                break;
            }
            skip_ws(&c);
            if (c.i < c.n && body[c.i] == ',') {
                c.i++;
                skip_ws(&c);
                continue;
            }
            if (c.i < c.n && body[c.i] == '}') {
                c.i++;
                break;
            }
            st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: ',' or '}' expected", c.i);
            break;
        }
    }
    if (!st) {
        skip_ws(&c);
        if (c.i != c.n)
            st = at_error_set(AT_ERR_FORMAT, "malformed JSON at byte %zu: text after the object", c.i);
    }
    if (st)
        web_fields_free(out);
    return st;
}

at_status web_url_decode(const char *in, size_t n, int plus, char *out, size_t *outlen)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (ch == '%') {
            unsigned v = 0;
            for (int j = 1; j <= 2; j++) {
                char d = i + (size_t)j < n ? in[i + (size_t)j] : 0;
                int x = d >= '0' && d <= '9'   ? d - '0'
                        : d >= 'a' && d <= 'f' ? d - 'a' + 10
                        : d >= 'A' && d <= 'F' ? d - 'A' + 10
                                               : -1;
                if (x < 0)
                    return at_error_set(AT_ERR_FORMAT, "bad percent escape at byte %zu", i);
                v = v * 16 + (unsigned)x;
            }
            if (v == 0)
                return at_error_set(AT_ERR_FORMAT, "a NUL character at byte %zu", i);
            out[k++] = (char)v;
            i += 2;
        } else if (ch == '+' && plus) {
            out[k++] = ' ';
        } else if (ch == '\0') {
            return at_error_set(AT_ERR_FORMAT, "a NUL character at byte %zu", i);
        } else {
            out[k++] = ch;
        }
    }
    out[k] = '\0';
    *outlen = k;
    return AT_OK;
}

at_status web_parse_form(const char *body, size_t len, web_fields *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    at_status st = AT_OK;
    while (i < len && !st) {
        size_t j = i;
        while (j < len && body[j] != '&')
            j++;
        size_t eq = i;
        while (eq < j && body[eq] != '=')
            eq++;
        if (j > i) {
            size_t kl = eq - i, vl = eq < j ? j - eq - 1 : 0;
            if (kl > KEY_MAX * 3 || vl > WEB_FIELD_MAX * 3) {
                st = at_error_set(AT_ERR_LIMIT, "a form field longer than %d bytes", WEB_FIELD_MAX);
                break;
            }
            char *key = at_malloc(kl + 1), *value = at_malloc(vl + 1);
            size_t kn = 0, vn = 0;
            if (!key || !value)
                st = AT_ERR_NOMEM;
            if (!st)
                st = web_url_decode(body + i, kl, 1, key, &kn);
            if (!st)
                st = web_url_decode(body + eq + (eq < j), vl, 1, value, &vn);
            if (!st && (kn == 0 || kn > KEY_MAX || vn > WEB_FIELD_MAX))
                st = at_error_set(AT_ERR_LIMIT, "a form field's name or value is out of bounds");
            for (size_t p = 0; !st && p < vn;) {
                size_t q = utf8_seq((const unsigned char *)value + p, vn - p);
                if (!q)
                    st = at_error_set(AT_ERR_FORMAT, "a form field is not UTF-8");
                p += q ? q : 1;
            }
            if (!st) {
                st = fields_add(out, key, value);
            } else {
                at_free(key);
                if (value) {
                    memset(value, 0, vl + 1);
                    at_free(value);
                }
            }
        }
        i = j + 1;
    }
    if (st)
        web_fields_free(out);
    return st;
}

int web_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
    if (!header)
        return 0;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ';')
            p++;
        size_t len = (size_t)(p - start);
        if (len > nl && !strncmp(start, name, nl) && start[nl] == '=') {
            size_t vl = len - nl - 1;
            while (vl && (start[nl + 1 + vl - 1] == ' ' || start[nl + 1 + vl - 1] == '\t'))
                vl--;
            if (vl + 1 > cap)
                return 0;
            memcpy(out, start + nl + 1, vl);
            out[vl] = '\0';
            return 1;
        }
    }
    return 0;
}

int web_path_match(const char *pattern, const char *path, char params[][WEB_PARAM_CAP], const char *names[],
                   size_t *nparams)
{
    *nparams = 0;
    const char *p = pattern, *q = path;
    while (*p && *q) {
        if (*p != '/' || *q != '/')
            return 0;
        p++;
        q++;
        const char *pe = strchr(p, '/'), *qe = strchr(q, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p), ql = qe ? (size_t)(qe - q) : strlen(q);
        if (pl > 2 && p[0] == '{' && p[pl - 1] == '}') {
            if (ql == 0 || *nparams >= WEB_PARAMS_MAX || ql >= WEB_PARAM_CAP)
                return 0;
            size_t outlen = 0;
            if (web_url_decode(q, ql, 0, params[*nparams], &outlen) != AT_OK || outlen == 0)
                return 0;
            names[*nparams] = p + 1; /* "{name}/...": the caller compares up to '}' */
            (*nparams)++;
        } else if (pl != ql || strncmp(p, q, pl)) {
            return 0;
        }
        p += pl;
        q += ql;
    }
    return *p == '\0' && *q == '\0';
}
