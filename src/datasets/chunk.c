/* The upload's chunk frame (include/atelier/datasets.h): parsed with every
 * number and length checked before use; fuzz/fuzz_datasets.c drives it. */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CHUNK_MAGIC "ATLCHUNK1 "
#define CHUNK_HEADER_MAX 160

/* A decimal number without sign or leading zero, at most 20 digits, that
 * fits in 64 bits; *p moves past it. */
static int number(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    size_t n = 0;
    while (s < end && *s >= '0' && *s <= '9') {
        unsigned dgt = (unsigned)(*s - '0');
        if (n && v == 0)
            return 0; /* a leading zero */
        if (v > (UINT64_MAX - dgt) / 10)
            return 0;
        v = v * 10 + dgt;
        s++;
        n++;
    }
    if (!n || n > 20)
        return 0;
    *out = v;
    *p = s;
    return 1;
}

/* one frame at the start of frame[0..len): exact, it must end there;
 * else what follows it is left (*used says how much it took) */
static at_status parse_frame(const void *frame, size_t len, int exact, at_datasets_chunk *out, size_t *used)
{
    memset(out, 0, sizeof *out);
    const char *f = frame;
    size_t ml = sizeof CHUNK_MAGIC - 1;
    if (!frame || len < ml || memcmp(f, CHUNK_MAGIC, ml))
        return at_error_set(AT_ERR_FORMAT, "upload chunk: not an atelier chunk frame");
    size_t scan = len < CHUNK_HEADER_MAX ? len : CHUNK_HEADER_MAX;
    const char *nl = memchr(f, '\n', scan);
    if (!nl)
        return at_error_set(AT_ERR_FORMAT, "upload chunk: a header without its end in %d bytes",
                            CHUNK_HEADER_MAX);
    const char *p = f + ml, *end = nl;
    uint64_t file = 0, offset = 0, length = 0;
    if (!number(&p, end, &file) || p >= end || *p++ != ' ' || !number(&p, end, &offset) || p >= end ||
        *p++ != ' ' || !number(&p, end, &length) || p >= end || *p++ != ' ')
        return at_error_set(AT_ERR_FORMAT, "upload chunk: a malformed header");
    if (end - p != 64)
        return at_error_set(AT_ERR_FORMAT, "upload chunk: the hash must be 64 hex digits");
    unsigned char want[32];
    for (int i = 0; i < 32; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = p[2 * i + k];
            int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (x < 0)
                return at_error_set(AT_ERR_FORMAT, "upload chunk: the hash must be 64 lowercase hex digits");
            v = v * 16 + x;
        }
        want[i] = (unsigned char)v;
    }
    size_t head = (size_t)(nl - f) + 1;
    if (length == 0 || length > AT_IMPORT_CHUNK_MAX)
        return at_error_set(AT_ERR_LIMIT, "upload chunk: a length of 1 to %u bytes is expected",
                            AT_IMPORT_CHUNK_MAX);
    if (exact ? length != len - head : length > len - head)
        return at_error_set(AT_ERR_FORMAT, "upload chunk: %llu bytes announced, %zu sent",
                            (unsigned long long)length, len - head);
    if (file >= AT_IMPORT_FILES_MAX || offset > AT_VAULT_FILE_SIZE_MAX ||
        length > AT_VAULT_FILE_SIZE_MAX - offset)
        return at_error_set(AT_ERR_LIMIT, "upload chunk: file %llu, offset %llu: out of range",
                            (unsigned long long)file, (unsigned long long)offset);
    unsigned char got[32];
    crypto_generichash(got, sizeof got, (const unsigned char *)f + head, (size_t)length, NULL, 0);
    if (sodium_memcmp(got, want, sizeof got) != 0)
        return at_error_set(AT_ERR_FORMAT,
                            "upload chunk: file %llu, offset %llu: the data does not match its hash",
                            (unsigned long long)file, (unsigned long long)offset);
    out->file = file;
    out->offset = offset;
    out->length = (size_t)length;
    out->data = (const unsigned char *)f + head;
    *used = head + (size_t)length;
    return AT_OK;
}

at_status at_datasets_chunk_parse(const void *frame, size_t len, at_datasets_chunk *out)
{
    size_t used = 0;
    return parse_frame(frame, len, 1, out, &used);
}

at_status at_datasets_chunk_next(const void *frames, size_t len, at_datasets_chunk *out, size_t *used)
{
    *used = 0;
    return parse_frame(frames, len, 0, out, used);
}

size_t at_datasets_chunk_header(uint64_t file, uint64_t offset, const void *data, size_t len, char *out)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, data, len, NULL, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    int n = snprintf(out, CHUNK_HEADER_MAX, CHUNK_MAGIC "%llu %llu %zu %s\n", (unsigned long long)file,
                     (unsigned long long)offset, len, hex);
    return n > 0 ? (size_t)n : 0;
}
