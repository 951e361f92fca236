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
    d->hash = at_calloc(cap_pow2, sizeof *d->hash);
    d->ent = at_calloc(cap_pow2, sizeof *d->ent);
    if (!d->hash || !d->ent) {
        text_dict_free(d);
        return AT_ERR_NOMEM;
    }
    return AT_OK;
}

void text_dict_free(text_dict *d)
{
    at_free(d->hash);
    at_free(d->ent);
    at_free(d->pool);
    memset(d, 0, sizeof *d);
}

/* Slot of key (n bytes, hash h): its own or the empty one ending its probe. */
static size_t find_slot(const text_dict *d, const char *s, size_t n, uint64_t h)
{
    size_t mask = d->cap - 1, i = (size_t)h & mask;
    while (d->hash[i] && (d->hash[i] != h || d->ent[i].klen != n || memcmp(d->pool + d->ent[i].koff, s, n)))
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
    if (!d->hash[i]) {
        size_t padded = (n + 8) & ~(size_t)7;
        if (d->pool_len + padded > d->pool_cap) {
            size_t ncap = d->pool_cap ? d->pool_cap * 2 : 4096;
            while (ncap < d->pool_len + padded)
                ncap *= 2;
            if (ncap > UINT32_MAX)
                return at_error_set(AT_ERR_LIMIT, "dictionary too large");
            char *np = at_realloc(d->pool, ncap);
            if (!np)
                return AT_ERR_NOMEM;
            d->pool = np;
            d->pool_cap = ncap;
        }
        memcpy(d->pool + d->pool_len, folded, n);
        memset(d->pool + d->pool_len + n, 0, padded - n);
        d->ent[i].koff = (uint32_t)d->pool_len;
        d->ent[i].klen = (uint32_t)n;
        d->pool_len += padded;
        d->hash[i] = h;
        d->n++;
    }
    d->ent[i].flags |= flags;
    if (value)
        d->ent[i].value = value;
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

at_status text_dict_compact(text_dict *d)
{
    size_t cap = 16;
    while (cap < d->n * 3)
        cap *= 2;
    if (cap >= d->cap)
        return AT_OK;
    uint64_t *hash = at_calloc(cap, sizeof *hash);
    text_dict_entry *ent = at_calloc(cap, sizeof *ent);
    if (!hash || !ent) {
        at_free(hash);
        at_free(ent);
        return AT_ERR_NOMEM;
    }
    for (size_t i = 0; i < d->cap; i++) {
        if (!d->hash[i])
            continue;
        size_t j = (size_t)d->hash[i] & (cap - 1);
        while (hash[j])
            j = (j + 1) & (cap - 1);
        hash[j] = d->hash[i];
        ent[j] = d->ent[i];
    }
    at_free(d->hash);
    at_free(d->ent);
    d->hash = hash;
    d->ent = ent;
    d->cap = cap;
    return AT_OK;
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
            int fl = (size_t)(we - p) < DICT_MAX_WORD
                         ? at_text_fold(p, (size_t)(we - p), folded, sizeof folded)
                         : -1;
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
