/* safetensors reader: 8-byte little-endian header length, a JSON header
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...,
 * "__metadata__": {"k": "v"}}, then raw little-endian row-major data.
 * Everything is validated before use: the header length against the file
 * size and AT_ST_MAX_HEADER, dtypes, shapes against byte ranges, offsets
 * in range and non-overlapping, names unique.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "atelier/learn.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_NAME 512

static const struct {
    const char *name;
    at_st_dtype dt;
    size_t size;
} DTYPES[] = {{"F32", AT_ST_F32, 4},   {"F64", AT_ST_F64, 8}, {"I64", AT_ST_I64, 8}, {"I32", AT_ST_I32, 4},
              {"BF16", AT_ST_BF16, 2}, {"F16", AT_ST_F16, 2}, {"U8", AT_ST_U8, 1}};

size_t lt_st_dtype_size(at_st_dtype dt)
{
    for (size_t i = 0; i < sizeof DTYPES / sizeof *DTYPES; i++)
        if (DTYPES[i].dt == dt)
            return DTYPES[i].size;
    return 0;
}

const char *lt_st_dtype_name(at_st_dtype dt)
{
    for (size_t i = 0; i < sizeof DTYPES / sizeof *DTYPES; i++)
        if (DTYPES[i].dt == dt)
            return DTYPES[i].name;
    return "?";
}

void at_st_free(at_st_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        at_free(f->tensors[i].name);
    at_free(f->tensors);
    at_free(f->metadata_json);
    at_free(f->owned);
    at_free(f);
}

static int is_uint(const cJSON *j, double max)
{
    return cJSON_IsNumber(j) && j->valuedouble >= 0 && j->valuedouble <= max &&
           j->valuedouble == (double)(uint64_t)j->valuedouble;
}

static int cmp_offset(const void *a, const void *b)
{
    const at_st_tensor *x = *(const at_st_tensor *const *)a, *y = *(const at_st_tensor *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_name(const void *a, const void *b)
{
    const at_st_tensor *x = *(const at_st_tensor *const *)a, *y = *(const at_st_tensor *const *)b;
    return strcmp(x->name, y->name);
}

/* Parse one tensor entry; errors name the tensor. */
static at_status parse_entry(const cJSON *e, size_t data_len, at_st_tensor *t)
{
    const char *name = t->name;
    if (!cJSON_IsObject(e))
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': entry is not an object", name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!cJSON_IsString(dt) || !cJSON_IsArray(shape) || !cJSON_IsArray(offs))
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': needs dtype, shape and data_offsets", name);
    size_t esize = 0;
    for (size_t i = 0; i < sizeof DTYPES / sizeof *DTYPES; i++)
        if (!strcmp(dt->valuestring, DTYPES[i].name)) {
            t->dtype = DTYPES[i].dt;
            esize = DTYPES[i].size;
        }
    if (!esize)
        return at_error_set(AT_ERR_UNSUPPORTED, "tensor '%s': unsupported dtype", name);
    int nd = cJSON_GetArraySize(shape);
    if (nd > 8)
        return at_error_set(AT_ERR_LIMIT, "tensor '%s': %d dimensions (at most 8)", name, nd);
    t->ndim = nd;
    size_t count = 1;
    for (int i = 0; i < nd; i++) {
        const cJSON *d = cJSON_GetArrayItem(shape, i);
        if (!is_uint(d, 4294967296.0))
            return at_error_set(AT_ERR_FORMAT, "tensor '%s': bad shape dimension %d", name, i);
        t->shape[i] = (int64_t)d->valuedouble;
        if (t->shape[i] && count > SIZE_MAX / (size_t)t->shape[i] / esize)
            return at_error_set(AT_ERR_LIMIT, "tensor '%s': shape too large", name);
        count *= (size_t)t->shape[i];
    }
    if (cJSON_GetArraySize(offs) != 2)
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': data_offsets needs 2 numbers", name);
    const cJSON *b = cJSON_GetArrayItem(offs, 0), *en = cJSON_GetArrayItem(offs, 1);
    if (!is_uint(b, 9.0e15) || !is_uint(en, 9.0e15))
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': bad data_offsets", name);
    uint64_t ob = (uint64_t)b->valuedouble, oe = (uint64_t)en->valuedouble;
    if (ob > oe || oe > data_len)
        return at_error_set(AT_ERR_FORMAT,
                            "tensor '%s': data_offsets [%llu, %llu] outside the %zu data bytes", name,
                            (unsigned long long)ob, (unsigned long long)oe, data_len);
    if (oe - ob != count * esize)
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': %llu bytes for a shape that needs %zu", name,
                            (unsigned long long)(oe - ob), count * esize);
    t->offset = (size_t)ob;
    t->nbytes = (size_t)(oe - ob);
    return AT_OK;
}

at_status at_st_parse(const unsigned char *buf, size_t len, at_st_file **out)
{
    *out = NULL;
    if (len < 8)
        return at_error_set(AT_ERR_FORMAT, "safetensors: %zu bytes, shorter than the 8-byte header length",
                            len);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | buf[i];
    if (hlen > AT_ST_MAX_HEADER)
        return at_error_set(AT_ERR_LIMIT, "safetensors: header length %llu exceeds the %u-byte limit",
                            (unsigned long long)hlen, AT_ST_MAX_HEADER);
    if (hlen > len - 8)
        return at_error_set(AT_ERR_FORMAT,
                            "safetensors: header length %llu exceeds the %zu bytes after it (truncated?)",
                            (unsigned long long)hlen, len - 8);
    if (hlen < 2)
        return at_error_set(AT_ERR_FORMAT, "safetensors: header of %llu bytes", (unsigned long long)hlen);
    cJSON *root = cJSON_ParseWithLength((const char *)buf + 8, (size_t)hlen);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return at_error_set(AT_ERR_FORMAT, "safetensors: header is not a JSON object");
    }
    const unsigned char *data = buf + 8 + hlen;
    size_t data_len = len - 8 - (size_t)hlen;
    at_st_file *f = at_calloc(1, sizeof *f);
    int n = cJSON_GetArraySize(root);
    at_status st = f ? AT_OK : AT_ERR_NOMEM;
    if (st == AT_OK && n > AT_ST_MAX_TENSORS)
        st = at_error_set(AT_ERR_LIMIT, "safetensors: %d entries (at most %d)", n, AT_ST_MAX_TENSORS);
    if (st == AT_OK && n > 0) {
        f->tensors = at_calloc((size_t)n, sizeof *f->tensors);
        if (!f->tensors)
            st = AT_ERR_NOMEM;
    }
    for (const cJSON *e = root->child; e && st == AT_OK; e = e->next) {
        if (!e->string)
            st = at_error_set(AT_ERR_FORMAT, "safetensors: entry without a name");
        else if (!strcmp(e->string, "__metadata__")) {
            if (f->metadata_json) {
                st = at_error_set(AT_ERR_FORMAT, "safetensors: __metadata__ given twice");
                break;
            }
            if (!cJSON_IsObject(e)) {
                st = at_error_set(AT_ERR_FORMAT, "safetensors: __metadata__ is not an object");
                break;
            }
            for (const cJSON *k = e->child; k; k = k->next)
                if (!cJSON_IsString(k)) {
                    st = at_error_set(AT_ERR_FORMAT, "safetensors: __metadata__ values must be strings");
                    break;
                }
            if (st == AT_OK) {
                char *txt = cJSON_PrintUnformatted(e);
                f->metadata_json = txt ? at_strdup(txt) : NULL;
                cJSON_free(txt); /* cJSON's allocator (at_cjson_use_allocator) */
                if (!f->metadata_json)
                    st = AT_ERR_NOMEM;
            }
        } else {
            size_t nl = strlen(e->string);
            if (nl == 0 || nl > ST_MAX_NAME) {
                st = at_error_set(AT_ERR_FORMAT, "safetensors: tensor name of %zu bytes (1..%d)", nl,
                                  ST_MAX_NAME);
                break;
            }
            at_st_tensor *t = &f->tensors[f->count];
            t->name = at_strdup(e->string);
            if (!t->name) {
                st = AT_ERR_NOMEM;
                break;
            }
            f->count++;
            st = parse_entry(e, data_len, t);
            if (st == AT_OK)
                t->data = data + t->offset;
            else
                at_error_prefix(st, "safetensors");
        }
    }
    cJSON_Delete(root);
    /* names unique, byte ranges disjoint */
    if (st == AT_OK && f->count > 1) {
        at_st_tensor **v = at_calloc(f->count, sizeof *v);
        if (!v)
            st = AT_ERR_NOMEM;
        for (size_t i = 0; v && i < f->count; i++)
            v[i] = &f->tensors[i];
        if (v) {
            qsort(v, f->count, sizeof *v, cmp_name);
            for (size_t i = 1; i < f->count && st == AT_OK; i++)
                if (!strcmp(v[i - 1]->name, v[i]->name))
                    st = at_error_set(AT_ERR_FORMAT, "safetensors: tensor '%s' given twice", v[i]->name);
            qsort(v, f->count, sizeof *v, cmp_offset);
            for (size_t i = 1; i < f->count && st == AT_OK; i++)
                if (v[i]->offset < v[i - 1]->offset + v[i - 1]->nbytes && v[i]->nbytes && v[i - 1]->nbytes)
                    st = at_error_set(AT_ERR_FORMAT, "safetensors: tensors '%s' and '%s' overlap",
                                      v[i - 1]->name, v[i]->name);
            at_free(v);
        }
    }
    if (st != AT_OK) {
        at_st_free(f);
        return st;
    }
    *out = f;
    return AT_OK;
}

at_status at_st_read_file(const char *path, size_t max_bytes, at_st_file **out)
{
    unsigned char *data;
    size_t len;
    *out = NULL;
    at_status st = at_file_read(path, max_bytes, &data, &len);
    if (st != AT_OK)
        return st;
    st = at_st_parse(data, len, out);
    if (st != AT_OK) {
        at_free(data);
        return at_error_prefix(st, "%s", path);
    }
    (*out)->owned = data;
    return AT_OK;
}

const at_st_tensor *at_st_find(const at_st_file *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (!strcmp(f->tensors[i].name, name))
            return &f->tensors[i];
    return NULL;
}

at_status at_st_to_f32(const at_st_tensor *t, float *dst, size_t n)
{
    size_t es = lt_st_dtype_size(t->dtype);
    if (!es || t->nbytes / es != n)
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': %zu elements, expected %zu", t->name,
                            es ? t->nbytes / es : 0, n);
    const unsigned char *p = t->data;
    for (size_t i = 0; i < n; i++, p += es) {
        uint64_t u = 0;
        for (size_t b = es; b-- > 0;)
            u = (u << 8) | p[b];
        switch (t->dtype) {
        case AT_ST_F32: {
            uint32_t w = (uint32_t)u;
            memcpy(&dst[i], &w, 4);
            break;
        }
        case AT_ST_BF16: {
            uint32_t w = (uint32_t)u << 16;
            memcpy(&dst[i], &w, 4);
            break;
        }
        case AT_ST_F64: {
            double d;
            memcpy(&d, &u, 8);
            dst[i] = (float)d;
            break;
        }
        case AT_ST_I64:
            dst[i] = (float)(int64_t)u;
            break;
        case AT_ST_I32:
            dst[i] = (float)(int32_t)(uint32_t)u;
            break;
        case AT_ST_U8:
            dst[i] = (float)u;
            break;
        default:
            return at_error_set(AT_ERR_UNSUPPORTED, "tensor '%s': dtype %s cannot be converted", t->name,
                                lt_st_dtype_name(t->dtype));
        }
    }
    return AT_OK;
}
