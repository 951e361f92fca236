/* The dataset tree: sorted element arrays, items, fragments. Freeing walks
 * the tree through a linked work list (no recursion, no allocation);
 * cloning uses an explicit stack bounded by AT_DCM_MAX_DEPTH. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

at_dcm_dataset *at_dcm_dataset_new(void)
{
    at_dcm_dataset *ds = at_calloc(1, sizeof *ds);
    return ds;
}

/* Free one element's storage; pushes its items on *list instead of freeing them. */
static void element_release(at_dcm_element *el, at_dcm_dataset **list)
{
    at_free(el->value);
    el->value = NULL;
    el->length = 0;
    for (size_t i = 0; i < el->item_count; i++) {
        if (!el->items[i])
            continue;
        el->items[i]->internal_next = *list;
        *list = el->items[i];
    }
    at_free(el->items);
    el->items = NULL;
    el->item_count = 0;
    for (size_t i = 0; i < el->fragment_count; i++)
        at_free(el->fragments[i].data);
    at_free(el->fragments);
    el->fragments = NULL;
    el->fragment_count = 0;
    el->encapsulated = 0;
    el->undefined_length = 0;
}

static void free_list(at_dcm_dataset *list)
{
    while (list) {
        at_dcm_dataset *ds = list;
        list = ds->internal_next;
        for (size_t i = 0; i < ds->count; i++)
            element_release(&ds->elements[i], &list);
        at_free(ds->elements);
        at_free(ds);
    }
}

/* Frees ds and everything under it, whatever the depth. NULL is fine. */
void at_dcm_dataset_free(at_dcm_dataset *ds)
{
    if (!ds)
        return;
    ds->internal_next = NULL;
    free_list(ds);
}

void at_dcm_element_clear(at_dcm_element *el)
{
    at_dcm_dataset *list = NULL;
    element_release(el, &list);
    free_list(list);
}

/* Index of the first element with tag >= tag. */
static size_t lower_bound(const at_dcm_dataset *ds, at_tag tag)
{
    size_t lo = 0, hi = ds->count;
    if (hi && ds->elements[hi - 1].tag < tag)
        return hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->elements[mid].tag < tag)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

at_dcm_element *at_dcm_find(const at_dcm_dataset *ds, at_tag tag)
{
    if (!ds)
        return NULL;
    size_t i = lower_bound(ds, tag);
    return (i < ds->count && ds->elements[i].tag == tag) ? &ds->elements[i] : NULL;
}

/* Insert or replace tag. The element returned (valid until the next change
 * to ds) has no value. AT_ERR_NOMEM on failure, ds unchanged. */
at_status at_dcm_put(at_dcm_dataset *ds, at_tag tag, at_vr vr, at_dcm_element **out)
{
    size_t i = lower_bound(ds, tag);
    if (i < ds->count && ds->elements[i].tag == tag) {
        at_dcm_element_clear(&ds->elements[i]);
        ds->elements[i].vr = vr;
        if (out)
            *out = &ds->elements[i];
        return AT_OK;
    }
    if (AT_GROW(ds->elements, ds->cap, ds->count + 1))
        return AT_ERR_NOMEM;
    memmove(&ds->elements[i + 1], &ds->elements[i], (ds->count - i) * sizeof *ds->elements);
    memset(&ds->elements[i], 0, sizeof *ds->elements);
    ds->elements[i].tag = tag;
    ds->elements[i].vr = vr;
    ds->count++;
    if (out)
        *out = &ds->elements[i];
    return AT_OK;
}

void at_dcm_remove(at_dcm_dataset *ds, at_tag tag)
{
    at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el)
        return;
    size_t i = (size_t)(el - ds->elements);
    at_dcm_element_clear(el);
    memmove(&ds->elements[i], &ds->elements[i + 1], (ds->count - i - 1) * sizeof *ds->elements);
    ds->count--;
}

/* Set tag's value to a copy of data (padded to even length with the VR's
 * pad). Replaces any previous value. */
at_status at_dcm_set_bytes(at_dcm_dataset *ds, at_tag tag, at_vr vr, const void *data, uint32_t len)
{
    if (len >= 0xFFFFFFFEu)
        return at_error_set(AT_ERR_LIMIT, "element (%04X,%04X): value too long", AT_TAG_GROUP(tag),
                            AT_TAG_ELEMENT(tag));
    uint32_t padded = len + (len & 1);
    unsigned char *copy = NULL;
    if (padded) {
        copy = at_malloc(padded);
        if (!copy)
            return AT_ERR_NOMEM;
        memcpy(copy, data, len);
        if (padded != len)
            copy[len] = dcm_vr_pad(vr);
    }
    at_dcm_element *el;
    at_status st = at_dcm_put(ds, tag, vr, &el);
    if (st) {
        at_free(copy);
        return st;
    }
    el->value = copy;
    el->length = padded;
    return AT_OK;
}

at_status at_dcm_set_string(at_dcm_dataset *ds, at_tag tag, at_vr vr, const char *value)
{
    size_t n = strlen(value);
    if (n > 0xFFFFFFF0u)
        return at_error_set(AT_ERR_LIMIT, "string too long");
    return at_dcm_set_bytes(ds, tag, vr, value, (uint32_t)n);
}

at_status at_dcm_set_u16(at_dcm_dataset *ds, at_tag tag, uint16_t v)
{
    unsigned char b[2] = {(unsigned char)(v & 0xff), (unsigned char)(v >> 8)};
    return at_dcm_set_bytes(ds, tag, AT_VR('U', 'S'), b, 2);
}

/* Append an empty item to sequence tag (created as SQ if absent or not a
 * sequence yet). *item is owned by the dataset. */
at_status at_dcm_sequence_append(at_dcm_dataset *ds, at_tag tag, at_dcm_dataset **item)
{
    at_dcm_element *el = at_dcm_find(ds, tag);
    at_dcm_dataset *it = at_dcm_dataset_new();
    if (!it)
        return AT_ERR_NOMEM;
    if (!el) {
        at_status st = at_dcm_put(ds, tag, AT_VR('S', 'Q'), &el);
        if (st) {
            at_free(it);
            return st;
        }
    } else if (el->value || el->encapsulated) {
        at_dcm_element_clear(el);
        el->vr = AT_VR('S', 'Q');
    }
    at_dcm_dataset **items = at_realloc(el->items, (el->item_count + 1) * sizeof *items);
    if (!items) {
        at_free(it);
        return AT_ERR_NOMEM;
    }
    items[el->item_count++] = it;
    el->items = items;
    if (item)
        *item = it;
    return AT_OK;
}

/* Copy a string value without trailing spaces/NULs (and leading spaces for
 * text VRs other than LT/ST/UT). */
at_status at_dcm_get_string(const at_dcm_dataset *ds, at_tag tag, char *buf, size_t n)
{
    const at_dcm_element *el = at_dcm_find(ds, tag);
    if (n)
        buf[0] = '\0';
    if (!el)
        return AT_ERR_NOT_FOUND;
    size_t len = el->length;
    const unsigned char *v = el->value;
    while (len && (v[len - 1] == ' ' || v[len - 1] == '\0'))
        len--;
    if (!n)
        return AT_ERR_LIMIT;
    size_t k = len < n - 1 ? len : n - 1;
    if (k)
        memcpy(buf, v, k);
    buf[k] = '\0';
    return k < len ? AT_ERR_LIMIT : AT_OK;
}

at_status at_dcm_get_u16(const at_dcm_dataset *ds, at_tag tag, uint16_t *out)
{
    const at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el)
        return AT_ERR_NOT_FOUND;
    if (el->length < 2)
        return at_error_set(AT_ERR_FORMAT, "element (%04X,%04X) has no 16-bit value", AT_TAG_GROUP(tag),
                            AT_TAG_ELEMENT(tag));
    *out = (uint16_t)(el->value[0] | (el->value[1] << 8));
    return AT_OK;
}

static uint64_t load_le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* index-th value of a numeric element as a double. */
at_status at_dcm_get_double(const at_dcm_dataset *ds, at_tag tag, size_t index, double *out)
{
    const at_dcm_element *el = at_dcm_find(ds, tag);
    if (!el)
        return AT_ERR_NOT_FOUND;
    unsigned unit = 0;
    switch (el->vr) {
    case AT_VR('D', 'S'):
    case AT_VR('I', 'S'): {
        size_t start = 0, k = 0;
        for (size_t i = 0; i <= el->length; i++) {
            if (i == el->length || el->value[i] == '\\') {
                if (k == index) {
                    char tmp[80];
                    size_t n = i - start;
                    if (n >= sizeof tmp)
                        return at_error_set(AT_ERR_FORMAT, "number too long");
                    memcpy(tmp, el->value + start, n);
                    tmp[n] = '\0';
                    char *end;
                    double d = strtod(tmp, &end);
                    while (*end == ' ' || *end == '\0') {
                        if (!*end) {
                            if (end == tmp)
                                break;
                            *out = d;
                            return AT_OK;
                        }
                        end++;
                    }
                    return at_error_set(AT_ERR_FORMAT, "element (%04X,%04X): value %zu is not a number",
                                        AT_TAG_GROUP(tag), AT_TAG_ELEMENT(tag), index);
                }
                k++;
                start = i + 1;
            }
        }
        return AT_ERR_NOT_FOUND;
    }
    case AT_VR('U', 'S'):
    case AT_VR('S', 'S'):
        unit = 2;
        break;
    case AT_VR('U', 'L'):
    case AT_VR('S', 'L'):
    case AT_VR('F', 'L'):
        unit = 4;
        break;
    case AT_VR('F', 'D'):
    case AT_VR('S', 'V'):
    case AT_VR('U', 'V'):
        unit = 8;
        break;
    default:
        return at_error_set(AT_ERR_ARG, "element (%04X,%04X) is not numeric", AT_TAG_GROUP(tag),
                            AT_TAG_ELEMENT(tag));
    }
    if (index >= el->length / unit)
        return AT_ERR_NOT_FOUND;
    uint64_t v = load_le(el->value + index * unit, unit);
    switch (el->vr) {
    case AT_VR('U', 'S'):
        *out = (double)(uint16_t)v;
        break;
    case AT_VR('S', 'S'):
        *out = (double)(int16_t)(uint16_t)v;
        break;
    case AT_VR('U', 'L'):
        *out = (double)(uint32_t)v;
        break;
    case AT_VR('S', 'L'):
        *out = (double)(int32_t)(uint32_t)v;
        break;
    case AT_VR('F', 'L'): {
        uint32_t u = (uint32_t)v;
        float f;
        memcpy(&f, &u, 4);
        *out = f;
        break;
    }
    case AT_VR('F', 'D'): {
        double d;
        memcpy(&d, &v, 8);
        *out = d;
        break;
    }
    case AT_VR('S', 'V'):
        *out = (double)(int64_t)v;
        break;
    default:
        *out = (double)v;
        break;
    }
    return AT_OK;
}

/* Copy el's header, value and fragments into dst (appended; items array
 * allocated empty, filled by the caller). */
static at_status element_copy_shallow(at_dcm_dataset *dst, const at_dcm_element *el)
{
    at_dcm_element *d = &dst->elements[dst->count];
    memset(d, 0, sizeof *d);
    d->tag = el->tag;
    d->vr = el->vr;
    d->undefined_length = el->undefined_length;
    d->encapsulated = el->encapsulated;
    dst->count++;
    if (el->length) {
        d->value = at_malloc(el->length);
        if (!d->value)
            return AT_ERR_NOMEM;
        memcpy(d->value, el->value, el->length);
        d->length = el->length;
    }
    if (el->fragment_count) {
        d->fragments = at_calloc(el->fragment_count, sizeof *d->fragments);
        if (!d->fragments)
            return AT_ERR_NOMEM;
        for (size_t i = 0; i < el->fragment_count; i++) {
            if (el->fragments[i].len) {
                d->fragments[i].data = at_malloc(el->fragments[i].len);
                if (!d->fragments[i].data)
                    return AT_ERR_NOMEM;
                memcpy(d->fragments[i].data, el->fragments[i].data, el->fragments[i].len);
            }
            d->fragments[i].len = el->fragments[i].len;
            d->fragment_count = i + 1;
        }
    }
    if (el->item_count) {
        d->items = at_calloc(el->item_count, sizeof *d->items);
        if (!d->items)
            return AT_ERR_NOMEM;
    }
    return AT_OK;
}

static at_dcm_dataset *dataset_new_sized(size_t count)
{
    at_dcm_dataset *ds = at_dcm_dataset_new();
    if (ds && count) {
        ds->elements = at_malloc(count * sizeof *ds->elements);
        if (!ds->elements) {
            at_free(ds);
            return NULL;
        }
        ds->cap = count;
    }
    return ds;
}

/* Deep copy of ds (NULL on OOM, or AT_ERR_LIMIT set when nested deeper
 * than AT_DCM_MAX_DEPTH). Caller frees. */
at_dcm_dataset *at_dcm_dataset_clone(const at_dcm_dataset *ds)
{
    struct {
        const at_dcm_dataset *src;
        at_dcm_dataset *dst;
        size_t ei, ii;
    } stack[AT_DCM_MAX_DEPTH + 1];
    at_dcm_dataset *root = dataset_new_sized(ds->count);
    if (!root)
        return NULL;
    root->undefined_length = ds->undefined_length;
    int sp = 0;
    stack[0].src = ds;
    stack[0].dst = root;
    stack[0].ei = stack[0].ii = 0;
    while (sp >= 0) {
        typeof(stack[0]) *f = &stack[sp];
        if (f->ei == f->src->count) {
            sp--;
            continue;
        }
        const at_dcm_element *el = &f->src->elements[f->ei];
        if (f->dst->count == f->ei && element_copy_shallow(f->dst, el) != AT_OK)
            goto fail;
        at_dcm_element *d = &f->dst->elements[f->ei];
        if (f->ii < el->item_count) {
            const at_dcm_dataset *src_item = el->items[f->ii];
            if (sp + 1 > AT_DCM_MAX_DEPTH) {
                at_error_set(AT_ERR_LIMIT, "dataset nested deeper than %d sequences", AT_DCM_MAX_DEPTH);
                goto fail;
            }
            at_dcm_dataset *item = dataset_new_sized(src_item->count);
            if (!item)
                goto fail;
            item->undefined_length = src_item->undefined_length;
            d->items[d->item_count++] = item;
            f->ii++;
            sp++;
            stack[sp].src = src_item;
            stack[sp].dst = item;
            stack[sp].ei = stack[sp].ii = 0;
            continue;
        }
        f->ei++;
        f->ii = 0;
    }
    return root;
fail:
    at_dcm_dataset_free(root);
    return NULL;
}
