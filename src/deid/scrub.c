/* The clean actions on free text: collect the identifying values found in
 * the same header (names, IDs, birth date, institution, physicians, ...)
 * and scrub them out of descriptors. Also the element string helpers. */
#include "deid/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MIN_IDENTIFIER_LEN 3  /* shorter tokens ("DE", initials) are not scrubbed */
#define MAX_IDENTIFIERS 512 /* per file: bounds the scrub work (values past it are not collected) */

char *at_deid_element_string(const at_dcm_element *el)
{
    size_t n = el->value ? el->length : 0;
    while (n && (el->value[n - 1] == ' ' || el->value[n - 1] == '\0'))
        n--;
    return at_strndup(n ? (const char *)el->value : "", n);
}

at_status at_deid_element_set(at_dcm_element *el, const char *s)
{
    size_t n = strlen(s);
    if (n > 0xfffffff0u)
        return at_error_set(AT_ERR_LIMIT, "value too long");
    size_t padded = n + (n & 1);
    unsigned char *v = NULL;
    if (padded) {
        v = at_malloc(padded);
        if (!v)
            return AT_ERR_NOMEM;
        memcpy(v, s, n);
        if (n & 1)
            v[n] = (el->vr == AT_VR('U', 'I') || el->vr == AT_VR('O', 'B') || el->vr == AT_VR('U', 'N')) ? '\0' : ' ';
    }
    at_free(el->value);
    el->value = v;
    el->length = (uint32_t)padded;
    return AT_OK;
}

static char *string_of(const at_dcm_dataset *ds, at_tag tag)
{
    at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el || !el->value)
        return NULL;
    char *s = at_deid_element_string(el);
    if (s && !*s) {
        at_free(s);
        return NULL;
    }
    return s;
}

char *at_deid_patient_identity(const at_dcm_dataset *ds)
{
    static const at_tag order[] = {AT_TAG(0x0010, 0x0020), AT_TAG(0x0010, 0x0010), AT_TAG(0x0020, 0x000D)};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        char *s = string_of(ds, order[i]);
        if (s) {
            char *tagged = at_malloc(strlen(s) + 3);
            if (tagged) /* the source is part of the identity: an ID never equals a name */
                snprintf(tagged, strlen(s) + 3, "%c:%s", (char)('0' + i), s);
            at_free(s);
            return tagged;
        }
    }
    return at_strdup("");
}

static at_status add_identifier(at_deid_identifiers *ids, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == ',' || *s == '.')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == ',' || s[n - 1] == '.'))
        n--;
    if (n < MIN_IDENTIFIER_LEN)
        return AT_OK;
    for (size_t i = 0; i < ids->count; i++)
        if (strlen(ids->values[i]) == n && !strncasecmp(ids->values[i], s, n))
            return AT_OK;
    if (ids->count >= MAX_IDENTIFIERS)
        return AT_OK;
    if (ids->count == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 32;
        char **v = at_realloc(ids->values, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        ids->values = v;
        ids->cap = cap;
    }
    char *copy = at_strndup(s, n);
    if (!copy)
        return AT_ERR_NOMEM;
    ids->values[ids->count++] = copy;
    return AT_OK;
}

/* Whole value, then its parts split on the separators given. */
static at_status add_value(at_deid_identifiers *ids, const char *v, const char *seps)
{
    at_status st = add_identifier(ids, v, strlen(v));
    const char *p = v;
    while (!st && *p) {
        size_t n = strcspn(p, seps);
        if (n && p[n] != '\0')
            st = add_identifier(ids, p, n);
        else if (n && p != v)
            st = add_identifier(ids, p, n);
        p += n;
        if (*p)
            p++;
    }
    return st;
}

static at_status add_date(at_deid_identifiers *ids, const char *v)
{
    if (strlen(v) < 8)
        return AT_OK;
    for (int i = 0; i < 8; i++)
        if (!isdigit((unsigned char)v[i]))
            return AT_OK;
    char buf[4][16];
    snprintf(buf[0], sizeof buf[0], "%.8s", v);
    snprintf(buf[1], sizeof buf[1], "%.2s/%.2s/%.4s", v + 6, v + 4, v);
    snprintf(buf[2], sizeof buf[2], "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    snprintf(buf[3], sizeof buf[3], "%.2s.%.2s.%.4s", v + 6, v + 4, v);
    at_status st = AT_OK;
    for (int i = 0; i < 4 && !st; i++)
        st = add_identifier(ids, buf[i], strlen(buf[i]));
    return st;
}

/* Tags whose values identify (besides every PN, which is always collected). */
static const at_tag identifying_tags[] = {
    AT_TAG(0x0008, 0x0050), /* Accession Number */
    AT_TAG(0x0008, 0x0080), /* Institution Name */
    AT_TAG(0x0008, 0x0081), /* Institution Address */
    AT_TAG(0x0008, 0x1010), /* Station Name */
    AT_TAG(0x0008, 0x1040), /* Institutional Department Name */
    AT_TAG(0x0010, 0x0020), /* Patient ID */
    AT_TAG(0x0010, 0x0021), /* Issuer of Patient ID */
    AT_TAG(0x0010, 0x1000), /* Other Patient IDs */
    AT_TAG(0x0010, 0x1040), /* Patient's Address */
    AT_TAG(0x0010, 0x1090), /* Medical Record Locator */
    AT_TAG(0x0010, 0x2154), /* Patient's Telephone Numbers */
    AT_TAG(0x0018, 0x1000), /* Device Serial Number */
    AT_TAG(0x0020, 0x0010), /* Study ID */
    AT_TAG(0x0038, 0x0010), /* Admission ID */
    AT_TAG(0x0040, 0x1001), /* Requested Procedure ID */
};

at_status at_deid_identifiers_collect(const at_dcm_dataset *ds, at_deid_identifiers *ids)
{
    memset(ids, 0, sizeof *ids);
    at_status st = AT_OK;
    /* walk the whole tree with an explicit stack */
    size_t cap = 16, top = 0;
    const at_dcm_dataset **stack = at_malloc(cap * sizeof *stack);
    if (!stack)
        return AT_ERR_NOMEM;
    stack[top++] = ds;
    while (top && !st) {
        const at_dcm_dataset *cur = stack[--top];
        for (size_t i = 0; i < cur->count && !st; i++) {
            const at_dcm_element *el = &cur->elements[i];
            if (el->items) {
                for (size_t k = 0; k < el->item_count && !st; k++) {
                    if (top == cap) {
                        const at_dcm_dataset **s2 = at_realloc(stack, 2 * cap * sizeof *stack);
                        if (!s2) {
                            st = AT_ERR_NOMEM;
                            break;
                        }
                        stack = s2;
                        cap *= 2;
                    }
                    stack[top++] = el->items[k];
                }
                continue;
            }
            int wanted = el->vr == AT_VR('P', 'N') || el->tag == AT_TAG(0x0010, 0x0030);
            for (size_t t = 0; !wanted && t < sizeof identifying_tags / sizeof *identifying_tags; t++)
                wanted = identifying_tags[t] == el->tag;
            if (!wanted || !el->value)
                continue;
            char *v = at_deid_element_string(el);
            if (!v) {
                st = AT_ERR_NOMEM;
                break;
            }
            if (el->tag == AT_TAG(0x0010, 0x0030))
                st = add_date(ids, v);
            else if (el->vr == AT_VR('P', 'N'))
                st = add_value(ids, v, "^=\\ -");
            else
                st = add_value(ids, v, "\\");
            at_free(v);
        }
    }
    at_free(stack);
    if (st)
        at_deid_identifiers_free(ids);
    return st;
}

void at_deid_identifiers_free(at_deid_identifiers *ids)
{
    for (size_t i = 0; i < ids->count; i++)
        at_free(ids->values[i]);
    at_free(ids->values);
    memset(ids, 0, sizeof *ids);
}

size_t at_deid_scrub(char *s, const at_deid_identifiers *ids)
{
    size_t replaced = 0, len = strlen(s);
    for (size_t i = 0; i < ids->count; i++) {
        const char *id = ids->values[i];
        size_t n = strlen(id);
        if (n > len)
            continue;
        for (size_t p = 0; p + n <= len; p++) {
            if (!strncasecmp(s + p, id, n)) {
                memset(s + p, '*', n);
                replaced++;
                p += n - 1;
            }
        }
    }
    return replaced;
}
