/* Code items and code strings (docs/deid.md, "Code items" and "Code
 * strings"): a code is kept only under a recognised coding scheme and only
 * when it has that scheme's form; a local code and its designator get keyed
 * pseudonyms (the same local code gives the same pseudonym in every file, so
 * codes still group), an ill-formed version, mapping resource, template or
 * context identifier is removed. A code string value that is neither a
 * defined term nor made of technical words gets a keyed pseudonym. */
#include "deid/allow_table.h"
#include "deid/vocab.h"

#include <stdio.h>
#include <string.h>

#define TAG_CODE_VALUE AT_TAG(0x0008, 0x0100)
#define TAG_DESIGNATOR AT_TAG(0x0008, 0x0102)
#define TAG_VERSION AT_TAG(0x0008, 0x0103)
#define TAG_MAPPING AT_TAG(0x0008, 0x0105)
#define TAG_CONTEXT AT_TAG(0x0008, 0x010F)
#define TAG_LONG_VALUE AT_TAG(0x0008, 0x0119)
#define TAG_URN_VALUE AT_TAG(0x0008, 0x0120)
#define TAG_TEMPLATE AT_TAG(0x0040, 0xDB00)

/* ---- the patterns of code values ---- */

static int all_digits(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return n > 0;
}

/* Verhoeff's check (SNOMED CT identifiers): 1 when valid. */
static int verhoeff_ok(const char *v, size_t n)
{
    static const unsigned char d[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                            {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                            {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                            {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                            {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
    static const unsigned char p[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                                           {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                                           {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                                           {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
    unsigned c = 0;
    for (size_t i = 0; i < n; i++)
        c = d[c][p[i % 8][v[n - 1 - i] - '0']];
    return c == 0;
}

/* A SNOMED CT concept identifier: 6 to 18 digits, no leading zero,
 * partition 00 or 10 (a concept), Verhoeff check digit. */
static int sctid_ok(const char *v, size_t n)
{
    if (n < 6 || n > 18 || !all_digits(v, n) || v[0] == '0')
        return 0;
    if (v[n - 2] != '0' || (v[n - 3] != '0' && v[n - 3] != '1'))
        return 0;
    return verhoeff_ok(v, n);
}

/* A LOINC code (digits, dash, mod 10 check digit) or part (LP, LA, LG prefix). */
static int loinc_ok(const char *v, size_t n)
{
    if (n >= 2 && v[0] == 'L' && (v[1] == 'P' || v[1] == 'A' || v[1] == 'G'))
        v += 2, n -= 2;
    const char *dash = memchr(v, '-', n);
    if (!dash || dash == v || (size_t)(dash - v) > 7 || (size_t)(dash - v) + 2 != n ||
        !all_digits(v, n - 2) || dash[1] < '0' || dash[1] > '9')
        return 0;
    unsigned sum = 0;
    size_t m = (size_t)(dash - v);
    for (size_t i = 0; i < m; i++) {
        unsigned x = (unsigned)(v[m - 1 - i] - '0');
        if (!(i & 1)) { /* the rightmost digit and every other one are doubled */
            x *= 2;
            x = x / 10 + x % 10;
        }
        sum += x;
    }
    return (unsigned)(dash[1] - '0') == (10 - sum % 10) % 10;
}

/* A UCUM unit: printable, no annotation in braces, letter runs of at most 4. */
static int ucum_ok(const char *v, size_t n)
{
    if (!n || n > 16)
        return 0;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter && !(c >= '0' && c <= '9') && !strchr("./*^()[]%'+-", c))
            return 0;
        run = letter ? run + 1 : 0;
        if (run > 4)
            return 0;
    }
    return 1;
}

/* One alternative of a pattern: atoms 9, A, X or a literal, each with an
 * optional {m,n}. Greedy with bounded backtracking is not needed: the
 * patterns of the table have no two adjacent atoms of overlapping classes. */
static int atom_matches(char atom, char c)
{
    if (atom == '9')
        return c >= '0' && c <= '9';
    if (atom == 'A')
        return c >= 'A' && c <= 'Z';
    if (atom == 'X')
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return atom == c;
}

static int glob_ok(const char *p, size_t pn, const char *v, size_t n)
{
    size_t i = 0, k = 0;
    while (i < pn) {
        char atom = p[i++];
        unsigned lo = 1, hi = 1;
        if (i < pn && p[i] == '{') {
            unsigned a = 0, b = 0;
            int used = 0;
            char tmp[16];
            size_t close = i;
            while (close < pn && p[close] != '}')
                close++;
            if (close >= pn || close - i >= sizeof tmp)
                return 0;
            memcpy(tmp, p + i, close - i + 1);
            tmp[close - i + 1] = '\0';
            if (sscanf(tmp, "{%u,%u}%n", &a, &b, &used) != 2 || !used || a > b)
                return 0;
            lo = a, hi = b;
            i = close + 1;
        }
        unsigned count = 0;
        while (k < n && count < hi && atom_matches(atom, v[k]))
            k++, count++;
        if (count < lo)
            return 0;
    }
    return k == n;
}

static int pattern_ok(const char *pattern, const char *v, size_t n)
{
    const char *p = pattern;
    for (;;) {
        size_t len = strcspn(p, "|");
        if ((len == 5 && !memcmp(p, "sctid", 5) && sctid_ok(v, n)) ||
            (len == 5 && !memcmp(p, "loinc", 5) && loinc_ok(v, n)) ||
            (len == 4 && !memcmp(p, "ucum", 4) && (ucum_ok(v, n) || at_deid_ucum_code_known(v, n))) ||
            (len == 3 && !memcmp(p, "dcm", 3) && at_deid_dcm_code_known(v, n)) || glob_ok(p, len, v, n))
            return 1;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

static const at_deid_scheme_row *find_scheme(const char *designator)
{
    for (size_t i = 0; i < at_deid_scheme_row_count; i++)
        if (!strcmp(at_deid_scheme_rows[i].designator, designator))
            return &at_deid_scheme_rows[i];
    return NULL;
}

int at_deid_code_value_known(const char *designator, const char *value)
{
    const at_deid_scheme_row *s = find_scheme(designator);
    return s && pattern_ok(s->pattern, value, strlen(value));
}

/* ---- code items ---- */

/* The string of ds's element tag with spaces around trimmed, or NULL when
 * absent (at_free). *present says whether the element is there. */
static at_status trimmed(const at_dcm_dataset *ds, at_tag tag, char **out)
{
    *out = NULL;
    at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el || el->items)
        return AT_OK;
    char *s = at_deid_element_string(el);
    if (!s)
        return AT_ERR_NOMEM;
    size_t lead = strspn(s, " ");
    memmove(s, s + lead, strlen(s + lead) + 1);
    *out = s;
    return AT_OK;
}

static at_status set_pseudonym(const at_key *key, at_dcm_dataset *ds, at_tag tag, const char *domain,
                               const char *prefix, const char *designator, const char *value)
{
    at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el)
        return AT_OK;
    size_t n = strlen(designator) + strlen(value) + 2;
    char *both = at_malloc(n);
    if (!both)
        return AT_ERR_NOMEM;
    snprintf(both, n, "%s\x1f%s", designator, value);
    char p[16];
    at_deid_folder_name(key, domain, prefix, both, p);
    at_free(both);
    if (tag == TAG_URN_VALUE) {
        char urn[40];
        snprintf(urn, sizeof urn, "urn:atelier:%s", p);
        return at_deid_element_set(el, urn);
    }
    return at_deid_element_set(el, p);
}

static int digits_only(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n && n <= max && all_digits(s, n);
}

static int version_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 16 || s[0] < '0' || s[0] > '9')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
            return 0;
    return 1;
}

at_status at_deid_code_item(const at_key *key, at_dcm_dataset *ds, size_t *replaced)
{
    if (!at_dcm_find(ds, TAG_CODE_VALUE) && !at_dcm_find(ds, TAG_DESIGNATOR) &&
        !at_dcm_find(ds, TAG_LONG_VALUE) && !at_dcm_find(ds, TAG_URN_VALUE) &&
        !at_dcm_find(ds, TAG_VERSION) && !at_dcm_find(ds, TAG_MAPPING) && !at_dcm_find(ds, TAG_CONTEXT) &&
        !at_dcm_find(ds, TAG_TEMPLATE))
        return AT_OK;
    char *designator = NULL, *value = NULL, *lvalue = NULL, *urn = NULL, *s = NULL;
    at_status st = trimmed(ds, TAG_DESIGNATOR, &designator);
    if (!st)
        st = trimmed(ds, TAG_CODE_VALUE, &value);
    if (!st)
        st = trimmed(ds, TAG_LONG_VALUE, &lvalue);
    if (!st)
        st = trimmed(ds, TAG_URN_VALUE, &urn);
    const char *d = designator ? designator : "";
    const at_deid_scheme_row *scheme = designator ? find_scheme(designator) : NULL;
    int local = !scheme;
    /* each code value of a recognised scheme must have its form */
    if (!st && value && *value && (local || !pattern_ok(scheme->pattern, value, strlen(value)))) {
        st = set_pseudonym(key, ds, TAG_CODE_VALUE, "atelier/deid/code", "C", d, value);
        local = 1;
        ++*replaced;
    }
    if (!st && lvalue && *lvalue && (local || !pattern_ok(scheme->pattern, lvalue, strlen(lvalue)))) {
        st = set_pseudonym(key, ds, TAG_LONG_VALUE, "atelier/deid/code", "C", d, lvalue);
        local = 1;
        ++*replaced;
    }
    if (!st && urn && *urn) {
        int ok = !strncmp(urn, "urn:oid:", 8) && urn[8] >= '0' && urn[8] <= '9';
        for (const char *p = urn + 8; ok && *p; p++)
            ok = (*p >= '0' && *p <= '9') || *p == '.';
        if (!ok) {
            st = set_pseudonym(key, ds, TAG_URN_VALUE, "atelier/deid/code", "C", d, urn);
            ++*replaced;
        }
    }
    /* a local scheme (or a code that had to be replaced) gets a private designator */
    if (!st && designator && *designator && local) {
        st = set_pseudonym(key, ds, TAG_DESIGNATOR, "atelier/deid/code-scheme", "99", "", designator);
        ++*replaced;
    }
    /* the version of a recognised scheme only, in digits and dots */
    if (!st && at_dcm_find(ds, TAG_VERSION)) {
        st = trimmed(ds, TAG_VERSION, &s);
        if (!st && (local || !s || !version_ok(s))) {
            at_dcm_remove(ds, TAG_VERSION);
            ++*replaced;
        }
        at_free(s);
        s = NULL;
    }
    if (!st && at_dcm_find(ds, TAG_MAPPING)) {
        st = trimmed(ds, TAG_MAPPING, &s);
        if (!st && (!s || (strcmp(s, "DCMR") && strcmp(s, "SDM")))) {
            at_dcm_remove(ds, TAG_MAPPING);
            ++*replaced;
        }
        at_free(s);
        s = NULL;
    }
    static const at_tag numbered[] = {TAG_CONTEXT, TAG_TEMPLATE};
    for (size_t i = 0; !st && i < sizeof numbered / sizeof *numbered; i++) {
        if (!at_dcm_find(ds, numbered[i]))
            continue;
        st = trimmed(ds, numbered[i], &s);
        if (!st && (!s || !digits_only(s, 6))) {
            at_dcm_remove(ds, numbered[i]);
            ++*replaced;
        }
        at_free(s);
        s = NULL;
    }
    at_free(designator);
    at_free(value);
    at_free(lvalue);
    at_free(urn);
    return st;
}

/* ---- code strings ---- */

at_status at_deid_code_string(const at_key *key, at_dcm_element *el, size_t *replaced)
{
    if (!el->value || !el->length)
        return AT_OK;
    size_t n = el->length;
    while (n && (el->value[n - 1] == ' ' || el->value[n - 1] == '\0'))
        n--;
    const char *v = (const char *)el->value;
    int changed = 0;
    for (size_t i = 0; i <= n;) {
        size_t k = i;
        while (k < n && v[k] != '\\')
            k++;
        if (!at_deid_cs_value_known(v + i, k - i))
            changed = 1;
        i = k + 1;
    }
    if (!changed)
        return AT_OK;
    at_buf out;
    at_buf_init(&out, (size_t)el->length * 2 + 64);
    at_status st = AT_OK;
    for (size_t i = 0; i <= n && !st;) {
        size_t k = i;
        while (k < n && v[k] != '\\')
            k++;
        if (at_deid_cs_value_known(v + i, k - i))
            st = at_buf_append(&out, v + i, k - i);
        else {
            char *one = at_strndup(v + i, k - i);
            char p[16];
            if (!one)
                st = AT_ERR_NOMEM;
            else {
                at_deid_folder_name(key, "atelier/deid/code-string", "X", one, p);
                at_free(one);
                st = at_buf_puts(&out, p);
                ++*replaced;
            }
        }
        if (!st && k < n)
            st = at_buf_putc(&out, '\\');
        i = k + 1;
    }
    if (!st)
        st = at_buf_putc(&out, '\0');
    if (!st)
        st = at_deid_element_set(el, (const char *)out.data);
    at_buf_free(&out);
    return st;
}
