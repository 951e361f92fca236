/* The allow-list and the safe private table (generated into allow_table.c
 * from data/deid/allowlist.txt): look-ups, and the value patterns a safe
 * private element must match. */
#include "deid/allow_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const at_deid_allow_row *at_deid_allow_find(at_tag tag)
{
    size_t lo = 0, hi = at_deid_allow_row_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        at_tag t = at_deid_allow_rows[mid].tag;
        if (t == tag)
            return &at_deid_allow_rows[mid];
        if (t < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t at_deid_allowlist_size(void)
{
    return at_deid_allow_row_count;
}

at_status at_deid_allowlist_row(size_t i, at_tag *tag, char *action, unsigned *option, const char **keyword,
                                const char **module)
{
    if (i >= at_deid_allow_row_count)
        return at_error_set(AT_ERR_ARG, "allow-list row %zu out of range", i);
    const at_deid_allow_row *r = &at_deid_allow_rows[i];
    if (tag)
        *tag = r->tag;
    if (action)
        *action = r->action;
    if (option)
        *option = r->option;
    if (keyword)
        *keyword = r->keyword;
    if (module)
        *module = r->module < at_deid_allow_module_count ? at_deid_allow_modules[r->module] : "";
    return AT_OK;
}

char at_deid_allowlist_action(at_tag tag, unsigned options)
{
    const at_deid_allow_row *r = at_deid_allow_find(tag);
    if (!r)
        return 0;
    if (r->option && !(options & r->option))
        return r->action == 'K' || r->action == 'N' ? 0
                                                    : r->action; /* K needs the option; D, Z hold without */
    return r->option ? 'K' : r->action; /* D and Z become kept (cleaned) under their option */
}

static const at_deid_private_row *private_row(at_tag tag, const char *creator)
{
    uint16_t g = AT_TAG_GROUP(tag), e = AT_TAG_ELEMENT(tag);
    if (!creator || e < 0x1000 || !(g & 1))
        return NULL;
    for (size_t i = 0; i < at_deid_private_row_count; i++) {
        const at_deid_private_row *r = &at_deid_private_rows[i];
        if (r->group == g && r->element == (e & 0xff) && !strcasecmp(r->creator, creator))
            return r;
    }
    return NULL;
}

int at_deid_private_is_safe(at_tag tag, const char *creator)
{
    return private_row(tag, creator) != NULL;
}

/* The text values of v[0..n) (trailing pad removed), each checked by ok. */
static int each_value(const unsigned char *v, uint32_t n, int max_values, const at_deid_private_row *r,
                      int (*ok)(const char *s, size_t len, const at_deid_private_row *r))
{
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\0'))
        n--;
    if (!n)
        return 1; /* empty: nothing to carry */
    int count = 0;
    size_t i = 0;
    while (i <= n) {
        size_t k = i;
        while (k < n && v[k] != '\\')
            k++;
        if (++count > max_values || !ok((const char *)v + i, k - i, r))
            return 0;
        i = k + 1;
    }
    return 1;
}

static int ok_number(const char *s, size_t len, const at_deid_private_row *r)
{
    char buf[40];
    while (len && *s == ' ')
        s++, len--;
    while (len && s[len - 1] == ' ')
        len--;
    if (!len || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        int digit = c >= '0' && c <= '9';
        int sign = (c == '+' || c == '-') && (i == 0 || buf[i - 1] == 'e' || buf[i - 1] == 'E');
        int real = !strcmp(r->kind, "ds") && (c == '.' || c == 'e' || c == 'E');
        if (!digit && !sign && !real)
            return 0;
    }
    char *end;
    double v = strtod(buf, &end);
    return *end == '\0' && isfinite(v) && v >= r->min && v <= r->max;
}

static int ok_code(const char *s, size_t len, const at_deid_private_row *r)
{
    while (len && s[len - 1] == ' ')
        len--;
    const char *p = r->codes;
    while (*p) {
        size_t k = strcspn(p, "|");
        if (k == len && !memcmp(p, s, len))
            return 1;
        p += k + (p[k] == '|');
    }
    return 0;
}

int at_deid_private_value_is_safe(at_tag tag, const char *creator, const unsigned char *value, uint32_t len)
{
    const at_deid_private_row *r = private_row(tag, creator);
    if (!r)
        return 0;
    if (!len)
        return 1;
    if (!value)
        return 0;
    if (!strcmp(r->kind, "is") || !strcmp(r->kind, "ds"))
        return each_value(value, len, r->count, r, ok_number);
    if (!strcmp(r->kind, "cs"))
        return each_value(value, len, 1, r, ok_code);
    size_t unit = !strcmp(r->kind, "fd") ? 8 : 4;
    if (len != unit * (size_t)r->count)
        return 0;
    for (int i = 0; i < r->count; i++) {
        const unsigned char *p = value + unit * (size_t)i;
        double v;
        if (unit == 8) {
            uint64_t b = 0;
            for (int k = 7; k >= 0; k--)
                b = b << 8 | p[k];
            memcpy(&v, &b, 8);
        } else {
            uint32_t b = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
            float fl;
            memcpy(&fl, &b, 4);
            v = fl;
        }
        if (!isfinite(v) || v < r->min || v > r->max)
            return 0;
    }
    return 1;
}
