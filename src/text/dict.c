/* Folded-word dictionaries for the de-identifier. */
#include "dict.h"

#include <string.h>

#define DICT_MAX_FILE (16u << 20)
#define DICT_MAX_WORD 128
#define DICT_MAX_KEY 256 /* folded bytes; callers fold into 256-byte buffers */

/* text_dict_hash_padded of any n bytes (the last partial word is copied
 * into a zeroed one). */
static uint64_t hash_bytes(const char *s, size_t n)
{
    char pad[8] = {0};
    size_t full = n & ~(size_t)7;
    uint64_t h = text_dict_hash_init(n);
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w;
        if (i < full) {
            memcpy(&w, s + i, 8);
        } else {
            memcpy(pad, s + i, n - i);
            memcpy(&w, pad, 8);
        }
        h = text_dict_hash_step(h, w);
    }
    return text_dict_hash_final(h);
}

at_status text_dict_init(text_dict *d, size_t cap_pow2)
{
    memset(d, 0, sizeof *d);
    d->cap = cap_pow2;
    d->keys = at_calloc(cap_pow2, sizeof *d->keys);
    d->flags = at_calloc(cap_pow2, sizeof *d->flags);
    d->klen = at_calloc(cap_pow2, sizeof *d->klen);
    d->hash = at_calloc(cap_pow2, sizeof *d->hash);
    d->value = at_calloc(cap_pow2, sizeof *d->value);
    if (!d->keys || !d->flags || !d->value || !d->klen || !d->hash) {
        text_dict_free(d);
        return AT_ERR_NOMEM;
    }
    return AT_OK;
}

void text_dict_free(text_dict *d)
{
    if (d->keys)
        for (size_t i = 0; i < d->cap; i++)
            at_free(d->keys[i]);
    at_free(d->keys);
    at_free(d->flags);
    at_free(d->klen);
    at_free(d->hash);
    at_free(d->value);
    memset(d, 0, sizeof *d);
}

static size_t find_slot(const text_dict *d, const char *s, size_t n, uint64_t h)
{
    size_t mask = d->cap - 1, i = (size_t)h & mask;
    while (d->keys[i] && (d->klen[i] != n || memcmp(d->keys[i], s, n)))
        i = (i + 1) & mask;
    return i;
}

at_status text_dict_add(text_dict *d, const char *folded, size_t n, unsigned flags, int value)
{
    if (n == 0)
        return AT_OK;
    if (n > DICT_MAX_KEY)
        return at_error_set(AT_ERR_LIMIT, "dictionary word of %zu bytes (at most %d)", n, DICT_MAX_KEY);
    if ((d->n + 1) * 2 > d->cap)
        return at_error_set(AT_ERR_LIMIT, "dictionary full (%zu words)", d->n);
    uint64_t h = hash_bytes(folded, n);
    size_t i = find_slot(d, folded, n, h);
    if (!d->keys[i]) {
        d->keys[i] = at_calloc((n + 8) & ~(size_t)7, 1);
        if (!d->keys[i])
            return AT_ERR_NOMEM;
        memcpy(d->keys[i], folded, n);
        d->klen[i] = (uint32_t)n;
        d->hash[i] = h;
        d->n++;
    }
    d->flags[i] |= flags;
    if (value)
        d->value[i] = value;
    return AT_OK;
}

unsigned text_dict_get(const text_dict *d, const char *folded, size_t n, int *value)
{
    char pad[DICT_MAX_KEY + 8];
    if (n == 0 || !d->cap || n > DICT_MAX_KEY)
        return 0; /* no key is longer */
    memcpy(pad, folded, n);
    memset(pad + n, 0, 8);
    return text_dict_get_hashed(d, pad, n, text_dict_hash_padded(pad, n), value);
}

at_status text_dict_load_file(text_dict *d, const char *path, unsigned flags)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, DICT_MAX_FILE, &data, &len);
    if (st)
        return st;
    size_t bad;
    if (at_text_utf8_check((const char *)data, len, &bad)) {
        at_free(data);
        return at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8", path, bad);
    }
    size_t line = 1;
    char *p = (char *)data, *end = p + len;
    while (p < end && !st) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        char *semi = memchr(p, ';', (size_t)(le - p));
        char *we = semi ? semi : le;
        while (we > p && (we[-1] == ' ' || we[-1] == '\r' || we[-1] == '\t'))
            we--;
        if (we > p && *p != '#') {
            char folded[DICT_MAX_WORD * 2];
            int fl = (size_t)(we - p) < DICT_MAX_WORD ? at_text_fold(p, (size_t)(we - p), folded, sizeof folded) : -1;
            if (fl < 0)
                st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: entry too long or invalid", path, line);
            else
                st = text_dict_add(d, folded, (size_t)fl, flags, 0);
        }
        p = le + 1;
        line++;
    }
    at_free(data);
    return st;
}
