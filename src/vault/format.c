/* The vault's formats without keys: ids in hex, paths inside a snapshot,
 * the manifest's plaintext, the frames of objects and wrapped keys. Every
 * parser here takes untrusted bytes (a damaged or hostile vault folder):
 * each count and length is checked against what remains before use. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

uint32_t vault_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

uint64_t vault_get64(const unsigned char *p)
{
    return (uint64_t)vault_get32(p) | (uint64_t)vault_get32(p + 4) << 32;
}

void vault_put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

void vault_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void vault_put64(unsigned char *p, uint64_t v)
{
    vault_put32(p, (uint32_t)v);
    vault_put32(p + 4, (uint32_t)(v >> 32));
}

/* ---- ids ---- */

void at_vault_dataset_hex(const at_vault_dataset_id *id, char out[AT_VAULT_DATASET_HEX])
{
    sodium_bin2hex(out, AT_VAULT_DATASET_HEX, id->bytes, sizeof id->bytes);
}

void at_vault_snapshot_hex(const at_vault_snapshot_id *id, char out[AT_VAULT_SNAPSHOT_HEX])
{
    sodium_bin2hex(out, AT_VAULT_SNAPSHOT_HEX, id->bytes, sizeof id->bytes);
}

static at_status parse_hex(const char *hex, unsigned char *out, size_t n, const char *what)
{
    size_t got = 0;
    const char *end = NULL;
    if (!hex || strlen(hex) != 2 * n || sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, &end) != 0 ||
        got != n || *end)
        return at_error_set(AT_ERR_ARG, "a %s id is %zu hexadecimal digits", what, 2 * n);
    return AT_OK;
}

at_status at_vault_dataset_parse(const char *hex, at_vault_dataset_id *id)
{
    return parse_hex(hex, id->bytes, sizeof id->bytes, "dataset");
}

at_status at_vault_snapshot_parse(const char *hex, at_vault_snapshot_id *id)
{
    return parse_hex(hex, id->bytes, sizeof id->bytes, "snapshot");
}

/* ---- paths ---- */

/* Length of the UTF-8 sequence at p (n bytes left), 0 when invalid
 * (overlong forms, surrogates and values past U+10FFFF refused). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (!len || len > n || c > 0xf4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
        return 0;
    if (len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
        return 0;
    return len;
}

int vault_path_valid(const char *p, size_t n, const char **why)
{
    const unsigned char *s = (const unsigned char *)p;
    if (n == 0)
        return *why = "an empty path", 0;
    if (n > AT_VAULT_PATH_MAX)
        return *why = "a path longer than 1024 bytes", 0;
    if (s[0] == '/')
        return *why = "an absolute path", 0;
    size_t depth = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            size_t len = i - start;
            if (len == 0)
                return *why = "an empty component (a trailing or doubled '/')", 0;
            if (len > AT_VAULT_NAME_MAX)
                return *why = "a component longer than 255 bytes", 0;
            if ((len == 1 && s[start] == '.') || (len == 2 && s[start] == '.' && s[start + 1] == '.'))
                return *why = "a '.' or '..' component", 0;
            if (++depth > AT_VAULT_DEPTH_MAX)
                return *why = "more than 64 components", 0;
            start = i + 1;
            continue;
        }
        if (s[i] < 0x20 || s[i] == 0x7f)
            return *why = "a control character", 0;
        if (s[i] >= 0x80) {
            size_t l = utf8_len(s + i, n - i);
            if (!l)
                return *why = "bytes that are not UTF-8", 0;
            i += l - 1;
        }
    }
    return 1;
}

at_status at_vault_path_check(const char *path)
{
    const char *why = NULL;
    if (!path)
        return at_error_set(AT_ERR_ARG, "no path given");
    size_t n = strlen(path);
    if (vault_path_valid(path, n, &why))
        return AT_OK;
    if (!strcmp(why, "a control character") || !strcmp(why, "bytes that are not UTF-8") || n > 200)
        return at_error_set(AT_ERR_ARG, "a path inside a snapshot has %s", why);
    return at_error_set(AT_ERR_ARG, "'%s': a path inside a snapshot cannot be %s", path, why);
}

/* ---- manifests ---- */
/* Layout (little endian): "ATVM", version u16, flags u16 (bit 0: has a
 * parent), created i64, parent id [32], file count u32, then per file:
 * path length u16, path, mode u16, size u64, hash [32], chunk count u32,
 * then per chunk: id [32], length u32. Nothing after the last file. */
#define MANIFEST_HEAD 52
#define FILE_FIXED 48 /* 2 + 2 + 8 + 32 + 4, besides the path */
#define CHUNK_REF 36

static int path_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : na < nb ? -1 : na > nb;
}

void at_vault_manifest_free(at_vault_manifest *m)
{
    if (!m)
        return;
    at_free(m->files);
    at_free(m->chunks);
    at_free(m->arena);
    at_free(m);
}

long at_vault_manifest_find(const at_vault_manifest *m, const char *path)
{
    size_t lo = 0, hi = m->file_count, n = strlen(path);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = path_cmp(m->files[mid].path, strlen(m->files[mid].path), path, n);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

at_status at_vault_manifest_parse(const void *data, size_t len, at_vault_manifest **out)
{
    const unsigned char *p = data;
    *out = NULL;
    if (len < MANIFEST_HEAD || memcmp(p, VAULT_MANIFEST_MAGIC, 4))
        return at_error_set(AT_ERR_FORMAT, "manifest: not an atelier vault manifest");
    if (get16(p + 4) != VAULT_MANIFEST_VERSION)
        return at_error_set(AT_ERR_UNSUPPORTED, "manifest: format version %u is not supported (1 is)",
                            get16(p + 4));
    unsigned flags = get16(p + 6);
    if (flags & ~1u)
        return at_error_set(AT_ERR_FORMAT, "manifest: unknown flags 0x%x", flags);
    if (!(flags & 1) && !sodium_is_zero(p + 16, 32))
        return at_error_set(AT_ERR_FORMAT, "manifest: a parent id without the parent flag");
    if (len > AT_VAULT_MANIFEST_MAX)
        return at_error_set(AT_ERR_LIMIT, "manifest: %zu bytes exceed the 1 GiB limit", len);
    uint32_t nfiles = vault_get32(p + 48);
    if (nfiles > AT_VAULT_FILES_MAX || nfiles > (len - MANIFEST_HEAD) / (FILE_FIXED + 1))
        return at_error_set(AT_ERR_FORMAT, "manifest: %u files cannot fit in %zu bytes", nfiles, len);
    /* first pass: check everything, count the paths' bytes and the chunks */
    size_t off = MANIFEST_HEAD, path_bytes = 0, nchunks = 0;
    const char *prev = NULL;
    size_t prev_len = 0;
    for (uint32_t i = 0; i < nfiles; i++) {
        if (len - off < 2)
            return at_error_set(AT_ERR_FORMAT, "manifest: offset %zu: file %u truncated", off, i);
        size_t plen = get16(p + off);
        if (len - off - 2 < plen + FILE_FIXED - 2)
            return at_error_set(AT_ERR_FORMAT, "manifest: offset %zu: file %u truncated", off, i);
        const char *path = (const char *)p + off + 2, *why;
        if (!vault_path_valid(path, plen, &why))
            return at_error_set(AT_ERR_FORMAT, "manifest: offset %zu: file %u has %s", off, i, why);
        if (prev && path_cmp(prev, prev_len, path, plen) >= 0)
            return at_error_set(AT_ERR_FORMAT, "manifest: offset %zu: file %u is out of order or repeated",
                                off, i);
        prev = path;
        prev_len = plen;
        const unsigned char *f = p + off + 2 + plen;
        unsigned mode = get16(f);
        uint64_t size = vault_get64(f + 2);
        uint32_t count = vault_get32(f + 42);
        if (mode != 0644 && mode != 0755)
            return at_error_set(AT_ERR_FORMAT, "manifest: file %u: mode 0%o is not 0644 or 0755", i, mode);
        if (size > AT_VAULT_FILE_SIZE_MAX)
            return at_error_set(AT_ERR_FORMAT, "manifest: file %u: size %llu exceeds the limit", i,
                                (unsigned long long)size);
        off += 2 + plen + FILE_FIXED - 2;
        if (count > (len - off) / CHUNK_REF)
            return at_error_set(AT_ERR_FORMAT, "manifest: offset %zu: file %u: %u chunks cannot fit", off, i,
                                count);
        if ((size == 0) != (count == 0) || count > size)
            return at_error_set(AT_ERR_FORMAT, "manifest: file %u: %u chunks for %llu bytes", i, count,
                                (unsigned long long)size);
        uint64_t sum = 0;
        for (uint32_t c = 0; c < count; c++) {
            uint32_t clen = vault_get32(p + off + 32);
            if (clen == 0 || clen > AT_VAULT_CHUNK_MAX)
                return at_error_set(AT_ERR_FORMAT, "manifest: offset %zu: chunk length %u out of range", off,
                                    clen);
            sum += clen;
            off += CHUNK_REF;
        }
        if (sum != size)
            return at_error_set(AT_ERR_FORMAT, "manifest: file %u: its chunks hold %llu bytes, not %llu", i,
                                (unsigned long long)sum, (unsigned long long)size);
        path_bytes += plen + 1;
        nchunks += count;
    }
    if (off != len)
        return at_error_set(AT_ERR_FORMAT, "manifest: %zu bytes after the last file", len - off);
    /* second pass: fill */
    at_vault_manifest *m = at_calloc(1, sizeof *m);
    if (!m)
        return AT_ERR_NOMEM;
    m->files = at_calloc(nfiles ? nfiles : 1, sizeof *m->files);
    m->chunks = at_calloc(nchunks ? nchunks : 1, sizeof *m->chunks);
    m->arena = at_malloc(path_bytes ? path_bytes : 1);
    if (!m->files || !m->chunks || !m->arena) {
        at_vault_manifest_free(m);
        return AT_ERR_NOMEM;
    }
    m->created = (int64_t)vault_get64(p + 8);
    m->has_parent = flags & 1;
    if (m->has_parent)
        memcpy(m->parent.bytes, p + 16, 32);
    m->file_count = nfiles;
    m->chunk_count = nchunks;
    off = MANIFEST_HEAD;
    size_t a = 0, c = 0;
    for (uint32_t i = 0; i < nfiles; i++) {
        size_t plen = get16(p + off);
        at_vault_file *f = &m->files[i];
        memcpy(m->arena + a, p + off + 2, plen);
        m->arena[a + plen] = '\0';
        f->path = m->arena + a;
        a += plen + 1;
        const unsigned char *q = p + off + 2 + plen;
        f->mode = get16(q);
        f->size = vault_get64(q + 2);
        memcpy(f->hash, q + 10, 32);
        f->chunk_count = vault_get32(q + 42);
        f->first_chunk = c;
        m->bytes += f->size;
        off += 2 + plen + FILE_FIXED - 2;
        for (size_t k = 0; k < f->chunk_count; k++, c++, off += CHUNK_REF) {
            memcpy(m->chunks[c].id, p + off, 32);
            m->chunks[c].len = vault_get32(p + off + 32);
        }
    }
    /* no file may also be a folder of another: "a" and "a/b" */
    for (size_t i = 0; i < nfiles; i++) {
        const char *path = m->files[i].path;
        for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
            size_t lo = 0, hi = nfiles, n = (size_t)(s - path);
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int cmp = path_cmp(m->files[mid].path, strlen(m->files[mid].path), path, n);
                if (!cmp) {
                    at_vault_manifest_free(m);
                    return at_error_set(AT_ERR_FORMAT, "manifest: file %zu is also a folder of file %zu", mid,
                                        i);
                }
                if (cmp < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
    }
    *out = m;
    return AT_OK;
}

at_status at_vault_manifest_encode(const at_vault_manifest *m, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (m->file_count > AT_VAULT_FILES_MAX)
        return at_error_set(AT_ERR_LIMIT, "a snapshot of %zu files exceeds the limit of %u", m->file_count,
                            AT_VAULT_FILES_MAX);
    size_t total = MANIFEST_HEAD;
    for (size_t i = 0; i < m->file_count; i++) {
        const at_vault_file *f = &m->files[i];
        size_t plen = strlen(f->path);
        if (plen > AT_VAULT_PATH_MAX || f->chunk_count > UINT32_MAX ||
            f->first_chunk + f->chunk_count > m->chunk_count)
            return at_error_set(AT_ERR_ARG, "manifest: file %zu is not valid", i);
        total += 2 + plen + FILE_FIXED - 2 + f->chunk_count * CHUNK_REF;
        if (total > AT_VAULT_MANIFEST_MAX)
            return at_error_set(AT_ERR_LIMIT, "a manifest past 1 GiB (too many files or chunks)");
    }
    unsigned char *b = at_malloc(total);
    if (!b)
        return AT_ERR_NOMEM;
    memcpy(b, VAULT_MANIFEST_MAGIC, 4);
    vault_put16(b + 4, VAULT_MANIFEST_VERSION);
    vault_put16(b + 6, m->has_parent ? 1 : 0);
    vault_put64(b + 8, (uint64_t)m->created);
    if (m->has_parent)
        memcpy(b + 16, m->parent.bytes, 32);
    else
        memset(b + 16, 0, 32);
    vault_put32(b + 48, (uint32_t)m->file_count);
    size_t off = MANIFEST_HEAD;
    for (size_t i = 0; i < m->file_count; i++) {
        const at_vault_file *f = &m->files[i];
        size_t plen = strlen(f->path);
        vault_put16(b + off, (unsigned)plen);
        memcpy(b + off + 2, f->path, plen);
        off += 2 + plen;
        vault_put16(b + off, f->mode);
        vault_put64(b + off + 2, f->size);
        memcpy(b + off + 10, f->hash, 32);
        vault_put32(b + off + 42, (uint32_t)f->chunk_count);
        off += FILE_FIXED - 2;
        for (size_t c = 0; c < f->chunk_count; c++, off += CHUNK_REF) {
            memcpy(b + off, m->chunks[f->first_chunk + c].id, 32);
            vault_put32(b + off + 32, m->chunks[f->first_chunk + c].len);
        }
    }
    *out = b;
    *len = total;
    return AT_OK;
}

/* ---- frames ---- */

at_status vault_header_parse(const unsigned char *data, size_t len, int type, vault_header *h)
{
    if (len < VAULT_OBJ_HEADER + VAULT_TAG || memcmp(data, VAULT_OBJ_MAGIC, 4))
        return at_error_set(AT_ERR_FORMAT, "not an atelier vault object");
    if (data[4] != VAULT_OBJ_VERSION)
        return at_error_set(AT_ERR_UNSUPPORTED, "object format version %u is not supported (1 is)", data[4]);
    h->type = data[5];
    h->flags = data[6];
    h->plain_len = vault_get32(data + 8);
    h->stored_len = vault_get32(data + 12);
    h->nonce = data + 16;
    if (h->type != VAULT_OBJ_CHUNK && h->type != VAULT_OBJ_MANIFEST)
        return at_error_set(AT_ERR_FORMAT, "unknown object type %u", h->type);
    if (type && h->type != (unsigned)type)
        return at_error_set(AT_ERR_FORMAT, "a %s where a %s was expected",
                            h->type == VAULT_OBJ_CHUNK ? "chunk" : "manifest",
                            type == VAULT_OBJ_CHUNK ? "chunk" : "manifest");
    if ((h->flags & ~VAULT_FLAG_DEFLATE) || data[7])
        return at_error_set(AT_ERR_FORMAT, "unknown object flags 0x%x", h->flags);
    if (h->type == VAULT_OBJ_MANIFEST && h->flags)
        return at_error_set(AT_ERR_FORMAT, "a manifest is never compressed");
    uint32_t max = h->type == VAULT_OBJ_CHUNK ? AT_VAULT_CHUNK_MAX : AT_VAULT_MANIFEST_MAX;
    if (h->plain_len > max || (h->type == VAULT_OBJ_CHUNK && h->plain_len == 0))
        return at_error_set(AT_ERR_FORMAT, "object length %u out of range", h->plain_len);
    if ((h->flags & VAULT_FLAG_DEFLATE) ? h->stored_len >= h->plain_len : h->stored_len != h->plain_len)
        return at_error_set(AT_ERR_FORMAT, "stored length %u does not fit length %u", h->stored_len,
                            h->plain_len);
    if ((uint64_t)len != (uint64_t)VAULT_OBJ_HEADER + h->stored_len + VAULT_TAG)
        return at_error_set(AT_ERR_FORMAT, "object of %zu bytes, its header says %llu", len,
                            (unsigned long long)VAULT_OBJ_HEADER + h->stored_len + VAULT_TAG);
    return AT_OK;
}

at_status at_vault_object_check(const void *data, size_t len, int type)
{
    vault_header h;
    return vault_header_parse(data, len, type, &h);
}

at_status at_vault_keyfile_check(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len != VAULT_KEYFILE_SIZE || memcmp(p, VAULT_KEYFILE_MAGIC, 4))
        return at_error_set(AT_ERR_FORMAT, "not an atelier vault key file");
    if (p[4] != VAULT_KEYFILE_VERSION)
        return at_error_set(AT_ERR_UNSUPPORTED, "key file format version %u is not supported (1 is)", p[4]);
    if (p[5] != VAULT_KEYFILE_ALG_XCHACHA)
        return at_error_set(AT_ERR_UNSUPPORTED, "key file algorithm %u is not supported", p[5]);
    if (get16(p + 6) == 0)
        return at_error_set(AT_ERR_FORMAT, "key file: key version 0");
    return AT_OK;
}
