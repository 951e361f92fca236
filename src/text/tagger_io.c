/* The tagger's model file: "ATDTAG05", then little-endian u32 bits, u32
 * tags, f32 O bias, u64 seed, u32 documents, u32 epochs, f32 transitions
 * ((tags + 1) x tags), f32 weight scale, u32 rows, and each nonzero
 * feature row as u32 index and tags x i16 (weight / scale), by increasing
 * index; then u32 learned words, u32 bytes and the words (folded,
 * NUL-terminated, strictly increasing); then the extension of entities:
 * u32 bits (0: none), and when nonzero f32 bias, f32 bias of the numbers
 * offered alone, f32 bias of the initials offered alone, f32 weight scale,
 * u32 rows and each nonzero row as u32 index and i16 (weight / scale), by
 * increasing index; then u32 words of the vocabulary and each as u32
 * folded hash (strictly increasing) and u8 count of notes. "ATDTAG04" is
 * the same without the vocabulary, "ATDTAG03" without the initials' bias
 * (theirs off), "ATDTAG02" without the extension and "ATDTAG01" without
 * the learned words either, all still read. Every field is read with bounds and checked. */
#include "tagger.h"
#include "dict.h"
#include "lexicon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAG_MAGIC "ATDTAG05"
#define TAG_MAGIC4 "ATDTAG04" /* read too: no vocabulary */
#define TAG_MAGIC3 "ATDTAG03" /* read too: no initials */
#define TAG_MAGIC2 "ATDTAG02" /* read too: no extension */
#define TAG_MAGIC1 "ATDTAG01" /* read too: no learned words */
#define TAG_MAX_KEEP ((uint32_t)1 << 20)
#define TAG_MAX_VOC ((uint32_t)1 << 22)
#define TAG_MAX_FILE ((size_t)64 << 20)

at_status text_tagger_new(unsigned bits, text_tagger **out)
{
    *out = NULL;
    if (bits < 8 || bits > TAG_MAX_BITS)
        return at_error_set(AT_ERR_ARG, "text tagger: %u feature bits (8 to %d)", bits, TAG_MAX_BITS);
    text_tagger *t = at_calloc(1, sizeof *t);
    if (!t)
        return AT_ERR_NOMEM;
    t->bits = bits;
    t->w = at_calloc((size_t)TAG_W << bits, sizeof *t->w);
    if (!t->w) {
        at_free(t);
        return AT_ERR_NOMEM;
    }
    *out = t;
    return AT_OK;
}

void text_tagger_free(text_tagger *t)
{
    if (!t)
        return;
    at_free(t->w);
    at_free(t->keep);
    at_free(t->keep_h);
    at_free(t->ext_w);
    at_free(t->voc_h);
    at_free(t->voc_n);
    at_free(t);
}

unsigned text_tagger_voc(const text_tagger *t, uint32_t fh)
{
    size_t at = tag_lower_bound(t->voc_h, t->nvoc, fh);
    return at < t->nvoc && t->voc_h[at] == fh ? t->voc_n[at] : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted hashes of t's learned words. */
static at_status keep_hashes(text_tagger *t)
{
    at_free(t->keep_h);
    t->keep_h = at_malloc((t->nkeep ? t->nkeep : 1) * sizeof *t->keep_h);
    if (!t->keep_h)
        return AT_ERR_NOMEM;
    const char *k = t->keep;
    for (uint32_t i = 0; i < t->nkeep; i++) {
        char pad[LEX_MAX_WORD + 16];
        size_t n = strlen(k);
        memcpy(pad, k, n);
        memset(pad + n, 0, 8);
        t->keep_h[i] = text_dict_hash_padded(pad, n);
        k += n + 1;
    }
    qsort(t->keep_h, t->nkeep, sizeof *t->keep_h, cmp_u64);
    memset(t->keep_bits, 0, sizeof t->keep_bits);
    for (uint32_t i = 0; i < t->nkeep; i++) {
        uint64_t b = (t->keep_h[i] >> 24) % TAG_KEEP_BITS;
        t->keep_bits[b >> 6] |= (uint64_t)1 << (b & 63);
    }
    return AT_OK;
}

int text_tagger_keeps(const text_tagger *t, uint64_t h)
{
    uint64_t b = (h >> 24) % TAG_KEEP_BITS;
    if (!(t->keep_bits[b >> 6] >> (b & 63) & 1))
        return 0;
    size_t lo = 0, hi = t->nkeep;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (t->keep_h[m] == h)
            return 1;
        if (t->keep_h[m] < h)
            lo = m + 1;
        else
            hi = m;
    }
    return 0;
}

at_status text_tagger_set_keep(text_tagger *t, char **words, size_t n)
{
    qsort(words, n, sizeof *words, cmp_str);
    size_t bytes = 0, u = 0;
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(words[i], words[i - 1]))
            bytes += strlen(words[i]) + 1, u++;
    if (bytes > TAG_MAX_KEEP)
        return at_error_set(AT_ERR_LIMIT, "text tagger: %zu bytes of learned words (at most %u)", bytes,
                            TAG_MAX_KEEP);
    char *k = at_malloc(bytes ? bytes : 1);
    if (!k)
        return AT_ERR_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(words[i], words[i - 1])) {
            size_t l = strlen(words[i]) + 1;
            memcpy(k + o, words[i], l);
            o += l;
        }
    at_free(t->keep);
    t->keep = k;
    t->nkeep = (uint32_t)u;
    t->keep_len = (uint32_t)bytes;
    return keep_hashes(t);
}

static void put32(at_buf *b, at_status *st, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    if (!*st)
        *st = at_buf_append(b, x, 4);
}

static void putf(at_buf *b, at_status *st, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put32(b, st, v);
}

at_status text_tagger_save(const text_tagger *t, const char *path)
{
    at_buf b;
    at_buf_init(&b, TAG_MAX_FILE);
    at_status st = at_buf_append(&b, TAG_MAGIC, 8);
    put32(&b, &st, t->bits);
    put32(&b, &st, TAG_COUNT);
    putf(&b, &st, t->o_bias);
    put32(&b, &st, (uint32_t)t->seed);
    put32(&b, &st, (uint32_t)(t->seed >> 32));
    put32(&b, &st, t->docs);
    put32(&b, &st, t->epochs);
    for (int p = 0; p <= TAG_COUNT; p++)
        for (int l = 0; l < TAG_COUNT; l++)
            putf(&b, &st, t->trans[p][l]);
    size_t rows = (size_t)1 << t->bits, used = 0;
    float mx = 0;
    for (size_t r = 0; r < rows; r++) {
        int nz = 0;
        for (int l = 0; l < TAG_COUNT; l++) {
            float a = fabsf(t->w[r * TAG_W + l]);
            mx = a > mx ? a : mx;
            nz |= a > 0;
        }
        used += nz;
    }
    float scale = mx > 0 ? mx / 32767.0f : 1.0f;
    putf(&b, &st, scale);
    put32(&b, &st, (uint32_t)used);
    for (size_t r = 0; r < rows && !st; r++) {
        int16_t q[TAG_COUNT];
        int nz = 0;
        for (int l = 0; l < TAG_COUNT; l++) {
            float v = t->w[r * TAG_W + l] / scale;
            q[l] = (int16_t)lrintf(v > 32767 ? 32767 : v < -32767 ? -32767 : v);
            nz |= t->w[r * TAG_W + l] != 0;
        }
        if (!nz)
            continue;
        put32(&b, &st, (uint32_t)r);
        for (int l = 0; l < TAG_COUNT && !st; l++) {
            unsigned char x[2] = {(unsigned char)((uint16_t)q[l]), (unsigned char)((uint16_t)q[l] >> 8)};
            st = at_buf_append(&b, x, 2);
        }
    }
    put32(&b, &st, t->nkeep);
    put32(&b, &st, t->keep_len);
    if (!st && t->keep_len)
        st = at_buf_append(&b, t->keep, t->keep_len);
    put32(&b, &st, t->ext_w ? t->ext_bits : 0);
    if (t->ext_w) {
        size_t er = (size_t)1 << t->ext_bits, eu = 0;
        float emx = 0;
        for (size_t r = 0; r < er; r++) {
            float a = fabsf(t->ext_w[r]);
            emx = a > emx ? a : emx;
        }
        float es = emx > 0 ? emx / 32767.0f : 1.0f;
        for (size_t r = 0; r < er; r++)
            eu += lrintf(t->ext_w[r] / es) != 0;
        putf(&b, &st, t->ext_bias);
        putf(&b, &st, t->seed_bias);
        putf(&b, &st, t->init_bias);
        putf(&b, &st, es);
        put32(&b, &st, (uint32_t)eu);
        for (size_t r = 0; r < er && !st; r++) {
            long q = lrintf(t->ext_w[r] / es);
            if (!q)
                continue;
            put32(&b, &st, (uint32_t)r);
            unsigned char x[2] = {(unsigned char)((uint16_t)q), (unsigned char)((uint16_t)q >> 8)};
            if (!st)
                st = at_buf_append(&b, x, 2);
        }
    }
    put32(&b, &st, t->nvoc);
    for (uint32_t v = 0; v < t->nvoc && !st; v++) {
        put32(&b, &st, t->voc_h[v]);
        if (!st)
            st = at_buf_append(&b, &t->voc_n[v], 1);
    }
    if (!st)
        st = at_file_write_atomic(path, b.data, b.len);
    at_buf_free(&b);
    return st;
}

typedef struct {
    const unsigned char *p;
    size_t len, off;
    const char *path;
} reader;

static at_status get32(reader *r, uint32_t *v)
{
    if (r->len - r->off < 4)
        return at_error_set(AT_ERR_FORMAT, "%s: offset %zu: truncated tagger model", r->path, r->off);
    const unsigned char *x = r->p + r->off;
    *v = (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
    r->off += 4;
    return AT_OK;
}

static at_status getf(reader *r, float *f)
{
    uint32_t v = 0;
    at_status st = get32(r, &v);
    if (st)
        return st;
    memcpy(f, &v, 4);
    if (!isfinite(*f))
        return at_error_set(AT_ERR_FORMAT, "%s: offset %zu: non-finite value in tagger model", r->path,
                            r->off - 4);
    return AT_OK;
}

at_status text_tagger_load(const char *path, text_tagger **out)
{
    *out = NULL;
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, TAG_MAX_FILE, &data, &len);
    if (st)
        return st;
    reader r = {data, len, 0, path};
    text_tagger *t = NULL;
    uint32_t bits = 0, tags = 0, lo = 0, hi = 0, rows = 0;
    int v1 = len >= 8 && !memcmp(data, TAG_MAGIC1, 8), v2 = len >= 8 && !memcmp(data, TAG_MAGIC2, 8),
        v3 = len >= 8 && !memcmp(data, TAG_MAGIC3, 8), v4 = len >= 8 && !memcmp(data, TAG_MAGIC4, 8);
    if (len < 8 || (memcmp(data, TAG_MAGIC, 8) && !v1 && !v2 && !v3 && !v4)) {
        st = at_error_set(AT_ERR_FORMAT, "%s: offset 0: not an atelier tagger model", path);
        goto done;
    }
    r.off = 8;
    if ((st = get32(&r, &bits)) || (st = get32(&r, &tags)))
        goto done;
    if (bits < 8 || bits > TAG_MAX_BITS || tags != TAG_COUNT) {
        st = at_error_set(AT_ERR_FORMAT, "%s: offset 8: %u bits and %u tags (this build reads %d tags)", path,
                          bits, tags, TAG_COUNT);
        goto done;
    }
    if ((st = text_tagger_new(bits, &t)))
        goto done;
    uint32_t docs = 0, epochs = 0;
    if ((st = getf(&r, &t->o_bias)) || (st = get32(&r, &lo)) || (st = get32(&r, &hi)) ||
        (st = get32(&r, &docs)) || (st = get32(&r, &epochs)))
        goto done;
    t->seed = (uint64_t)hi << 32 | lo;
    t->docs = docs;
    t->epochs = epochs;
    for (int p = 0; p <= TAG_COUNT && !st; p++)
        for (int l = 0; l < TAG_COUNT && !st; l++)
            st = getf(&r, &t->trans[p][l]);
    float scale = 0;
    if (st || (st = getf(&r, &scale)) || (st = get32(&r, &rows)))
        goto done;
    if (rows > (1u << bits) || (len - r.off) / (4 + 2 * TAG_COUNT) < rows) {
        st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: %u weight rows do not fit", path, r.off, rows);
        goto done;
    }
    uint32_t prev = 0;
    for (uint32_t k = 0; k < rows && !st; k++) {
        uint32_t idx;
        if ((st = get32(&r, &idx)))
            break;
        if (idx >= (1u << bits) || (k > 0 && idx <= prev)) {
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: weight row %u out of order or range", path,
                              r.off - 4, idx);
            break;
        }
        prev = idx;
        for (int l = 0; l < TAG_COUNT; l++) {
            const unsigned char *x = data + r.off;
            int16_t q = (int16_t)(uint16_t)(x[0] | x[1] << 8);
            t->w[(size_t)idx * TAG_W + l] = (float)q * scale;
            r.off += 2;
        }
    }
    uint32_t nkeep = 0, keep_len = 0;
    if (!st && !v1 && !(st = get32(&r, &nkeep)) && !(st = get32(&r, &keep_len))) {
        if (keep_len > TAG_MAX_KEEP || keep_len > len - r.off || nkeep > keep_len / 2) {
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: %u learned words in %u bytes do not fit", path,
                              r.off - 8, nkeep, keep_len);
        } else if (keep_len) {
            /* nkeep NUL-terminated words of 1 to LEX_MAX_WORD bytes, strictly increasing */
            const char *k = (const char *)data + r.off, *prev = NULL;
            uint32_t words = 0;
            for (size_t o = 0; o < keep_len && !st;) {
                const char *e = memchr(k + o, 0, keep_len - o);
                size_t n = e ? (size_t)(e - (k + o)) : 0;
                if (!e || !n || n > LEX_MAX_WORD || (prev && strcmp(prev, k + o) >= 0))
                    st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: bad learned word", path, r.off + o);
                prev = k + o;
                o += n + 1;
                words++;
            }
            if (!st && words != nkeep)
                st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: %u learned words, %u announced", path,
                                  r.off, words, nkeep);
            if (!st && !(t->keep = at_malloc(keep_len)))
                st = AT_ERR_NOMEM;
            if (!st) {
                memcpy(t->keep, k, keep_len);
                t->nkeep = nkeep;
                t->keep_len = keep_len;
                r.off += keep_len;
                st = keep_hashes(t);
            }
        }
    }
    uint32_t ebits = 0, erows = 0;
    if (!st && !v1 && !v2 && !(st = get32(&r, &ebits)) && ebits) {
        float escale = 0;
        if (ebits < 8 || ebits > TAG_MAX_BITS)
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: %u extension bits (8 to %d)", path, r.off - 4,
                              ebits, TAG_MAX_BITS);
        t->init_bias = EXT_OFF;
        if (!st && !(st = getf(&r, &t->ext_bias)) && !(st = getf(&r, &t->seed_bias)) &&
            (v3 || !(st = getf(&r, &t->init_bias))) && !(st = getf(&r, &escale)) &&
            !(st = get32(&r, &erows)) && (erows > (1u << ebits) || (len - r.off) / 6 < erows))
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: %u extension rows do not fit", path, r.off,
                              erows);
        if (!st && !(t->ext_w = at_calloc((size_t)1 << ebits, sizeof *t->ext_w)))
            st = AT_ERR_NOMEM;
        if (!st)
            t->ext_bits = ebits;
        uint32_t eprev = 0;
        for (uint32_t k = 0; k < erows && !st; k++) {
            uint32_t idx;
            if ((st = get32(&r, &idx)))
                break;
            if (idx >= (1u << ebits) || (k > 0 && idx <= eprev)) {
                st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: extension row %u out of order or range",
                                  path, r.off - 4, idx);
                break;
            }
            eprev = idx;
            const unsigned char *x = data + r.off;
            t->ext_w[idx] = (float)(int16_t)(uint16_t)(x[0] | x[1] << 8) * escale;
            r.off += 2;
        }
    }
    uint32_t nvoc = 0;
    if (!st && !v1 && !v2 && !v3 && !v4 && !(st = get32(&r, &nvoc))) {
        if (nvoc > TAG_MAX_VOC || (len - r.off) / 5 < nvoc)
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: %u vocabulary words do not fit", path,
                              r.off - 4, nvoc);
        if (!st && nvoc &&
            (!(t->voc_h = at_malloc(nvoc * sizeof *t->voc_h)) || !(t->voc_n = at_malloc(nvoc))))
            st = AT_ERR_NOMEM;
        for (uint32_t v = 0; v < nvoc && !st; v++) {
            uint32_t h = 0;
            if ((st = get32(&r, &h)))
                break;
            if (v > 0 && h <= t->voc_h[v - 1]) {
                st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: vocabulary word %u out of order", path,
                                  r.off - 4, v);
                break;
            }
            t->voc_h[v] = h;
            t->voc_n[v] = data[r.off++];
        }
        if (!st)
            t->nvoc = nvoc;
    }
    if (!st && r.off != len)
        st =
            at_error_set(AT_ERR_FORMAT, "%s: offset %zu: trailing bytes after the tagger model", path, r.off);
done:
    at_free(data);
    if (st) {
        text_tagger_free(t);
        return st;
    }
    *out = t;
    return AT_OK;
}
