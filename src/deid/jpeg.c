/* Rewriting JPEG and JPEG 2000 frames without their metadata segments: a
 * byte-exact copy of everything else. JPEG (ISO 10918-1, and JPEG-LS ISO
 * 14495-1 which shares its marker syntax): COM (FFFE) and APPn (FFE0-FFEF)
 * segments dropped, except JFIF APP0 (its thumbnail removed), Adobe APP14
 * (colour transform) and the JPEG-LS "mrfx" APP8 (colour transform), which
 * decoding needs; bytes after EOI other than zero padding dropped. JPEG 2000
 * (ISO 15444-1 codestream): COM (FF64) dropped from the main header and the
 * tile-part headers (Psot adjusted); a TLM marker with a tile-part changed,
 * or a JP2 file wrapper, cannot be rewritten. Every length is checked
 * against what remains. */
#include "deid/pixels.h"

#include <string.h>

typedef struct {
    unsigned char *v;
    size_t n, cap;
} obuf;

static int put(obuf *b, const unsigned char *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = (b->n + n) * 2 + 64;
        unsigned char *v = at_realloc(b->v, cap);
        if (!v)
            return -1;
        b->v = v;
        b->cap = cap;
    }
    memcpy(b->v + b->n, p, n);
    b->n += n;
    return 0;
}

#define FAIL(why)                                                                                            \
    do {                                                                                                     \
        *reason = why;                                                                                       \
        goto fail;                                                                                           \
    } while (0)

/* APPn segments decoding needs: JFIF APP0, Adobe APP14, JPEG-LS mrfx APP8. */
static int app_needed(unsigned char m, const unsigned char *p, size_t n)
{
    if (m == 0xE0 && n >= 5 && !memcmp(p, "JFIF\0", 5))
        return 1;
    if (m == 0xEE && n >= 5 && !memcmp(p, "Adobe", 5))
        return 1;
    if (m == 0xE8 && n >= 4 && !memcmp(p, "mrfx", 4))
        return 1;
    return 0;
}

int at_deid_jpeg_clean(const unsigned char *in, size_t n, int jpeg_ls, unsigned char **out, size_t *out_len,
                       size_t *removed, const char **reason)
{
    obuf b = {0};
    size_t dropped = 0;
    int changed = 0, in_scan = 0;
    *out = NULL;
    *out_len = 0;
    *removed = 0;
    if (n < 4 || in[0] != 0xFF || in[1] != 0xD8)
        FAIL("JPEG frame does not start with SOI");
    if (put(&b, in, 2))
        FAIL("out of memory");
    size_t i = 2;
    for (;;) {
        if (in_scan) {
            /* entropy-coded data up to the next marker */
            size_t j = i;
            while (j + 1 < n) {
                if (in[j] == 0xFF) {
                    unsigned char x = in[j + 1];
                    int data = jpeg_ls ? x < 0x80 : x == 0x00;
                    int rst = x >= 0xD0 && x <= 0xD7;
                    if (!data && !rst && x != 0xFF)
                        break;
                    j += x == 0xFF ? 1 : 2;
                    continue;
                }
                j++;
            }
            if (j + 1 >= n)
                FAIL("JPEG frame ends inside the scan data (no EOI)");
            if (put(&b, in + i, j - i))
                FAIL("out of memory");
            i = j;
            in_scan = 0;
        }
        if (i + 2 > n)
            FAIL("JPEG frame ends without EOI");
        if (in[i] != 0xFF)
            FAIL("JPEG frame: a marker was expected");
        /* fill bytes before a marker */
        while (i + 2 < n && in[i + 1] == 0xFF) {
            if (put(&b, in + i, 1))
                FAIL("out of memory");
            i++;
        }
        unsigned char m = in[i + 1];
        if (m == 0xD9) { /* EOI: what follows must be zero padding, else dropped */
            if (put(&b, in + i, 2))
                FAIL("out of memory");
            i += 2;
            int zeros = 1;
            for (size_t k = i; k < n; k++)
                zeros &= in[k] == 0;
            if (zeros) {
                if (put(&b, in + i, n - i))
                    FAIL("out of memory");
            } else {
                changed = 1;
                dropped++;
            }
            break;
        }
        if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) {
            if (put(&b, in + i, 2))
                FAIL("out of memory");
            i += 2;
            continue;
        }
        if (m == 0x00 || m == 0xD8)
            FAIL("JPEG frame: unexpected marker");
        if (i + 4 > n)
            FAIL("JPEG frame: segment header cut short");
        size_t len = (size_t)in[i + 2] << 8 | in[i + 3];
        if (len < 2 || len > n - i - 2)
            FAIL("JPEG frame: segment length exceeds the frame");
        const unsigned char *payload = in + i + 4;
        size_t plen = len - 2;
        if (m == 0xFE || (m >= 0xE0 && m <= 0xEF && !app_needed(m, payload, plen))) {
            changed = 1;
            dropped++;
        } else if (m == 0xE0 && plen >= 14 && (payload[12] || payload[13])) {
            /* JFIF APP0 with a thumbnail: kept without it */
            unsigned char app0[18];
            memcpy(app0, in + i, 4);
            memcpy(app0 + 4, payload, 12);
            app0[16] = app0[17] = 0;
            app0[2] = 0;
            app0[3] = 16;
            if (put(&b, app0, 18))
                FAIL("out of memory");
            changed = 1;
            dropped++;
        } else {
            if (put(&b, in + i, 2 + len))
                FAIL("out of memory");
            if (m == 0xDA)
                in_scan = 1;
        }
        i += 2 + len;
    }
    *removed = dropped;
    if (!changed) {
        at_free(b.v);
        return 0;
    }
    *out = b.v;
    *out_len = b.n;
    return 0;
fail:
    at_free(b.v);
    return -1;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

int at_deid_j2k_clean(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len,
                      size_t *removed, const char **reason)
{
    obuf b = {0};
    size_t dropped = 0;
    int changed = 0, tlm = 0;
    *out = NULL;
    *out_len = 0;
    *removed = 0;
    if (n >= 12 && !memcmp(in, "\0\0\0\x0cjP  ", 8))
        return at_deid_jp2_clean(in, n, out, out_len, removed, reason); /* the wrapper's boxes: jp2.c */
    if (n < 4 || in[0] != 0xFF || in[1] != 0x4F)
        FAIL("JPEG 2000 frame does not start with SOC");
    if (put(&b, in, 2))
        FAIL("out of memory");
    size_t i = 2;
    /* main header, up to the first SOT */
    for (;;) {
        if (i + 4 > n || in[i] != 0xFF)
            FAIL("JPEG 2000 main header cut short");
        unsigned char m = in[i + 1];
        if (m == 0x90)
            break;
        size_t len = (size_t)in[i + 2] << 8 | in[i + 3];
        if (len < 2 || len > n - i - 2)
            FAIL("JPEG 2000 main header: segment length exceeds the frame");
        if (m == 0x55)
            tlm = 1;
        if (m == 0x64) {
            changed = 1;
            dropped++;
        } else if (put(&b, in + i, 2 + len))
            FAIL("out of memory");
        i += 2 + len;
    }
    /* tile-parts */
    for (;;) {
        if (i + 2 <= n && in[i] == 0xFF && in[i + 1] == 0xD9) { /* EOC */
            if (put(&b, in + i, 2))
                FAIL("out of memory");
            i += 2;
            int zeros = 1;
            for (size_t k = i; k < n; k++)
                zeros &= in[k] == 0;
            if (zeros) {
                if (put(&b, in + i, n - i))
                    FAIL("out of memory");
            } else {
                changed = 1;
                dropped++;
            }
            break;
        }
        if (i + 12 > n || in[i] != 0xFF || in[i + 1] != 0x90 || in[i + 2] != 0 || in[i + 3] != 10)
            FAIL("JPEG 2000: tile-part (SOT) expected");
        size_t start = i, psot = rd32(in + i + 6);
        size_t end;
        if (psot) {
            if (psot < 14 || psot > n - start)
                FAIL("JPEG 2000: tile-part length exceeds the frame");
            end = start + psot;
        } else {
            if (n < 2 || in[n - 2] != 0xFF || in[n - 1] != 0xD9)
                FAIL("JPEG 2000: last tile-part without EOC");
            end = n - 2;
        }
        size_t sot_at = b.n, cut = 0;
        if (put(&b, in + i, 12))
            FAIL("out of memory");
        i += 12;
        for (;;) {
            if (i + 2 > end || in[i] != 0xFF)
                FAIL("JPEG 2000 tile-part header cut short");
            if (in[i + 1] == 0x93) { /* SOD: the data follow */
                if (put(&b, in + i, end - i))
                    FAIL("out of memory");
                i = end;
                break;
            }
            if (i + 4 > end)
                FAIL("JPEG 2000 tile-part header cut short");
            size_t len = (size_t)in[i + 2] << 8 | in[i + 3];
            if (len < 2 || len > end - i - 2)
                FAIL("JPEG 2000 tile-part header: segment length exceeds the tile-part");
            if (in[i + 1] == 0x64) {
                changed = 1;
                dropped++;
                cut += 2 + len;
            } else if (put(&b, in + i, 2 + len))
                FAIL("out of memory");
            i += 2 + len;
        }
        if (cut) {
            if (tlm)
                FAIL("JPEG 2000: a tile-part changed and TLM lengths would be stale");
            if (psot) {
                uint32_t np = (uint32_t)(psot - cut);
                b.v[sot_at + 6] = (unsigned char)(np >> 24);
                b.v[sot_at + 7] = (unsigned char)(np >> 16);
                b.v[sot_at + 8] = (unsigned char)(np >> 8);
                b.v[sot_at + 9] = (unsigned char)np;
            }
        }
        if (!psot) {
            if (put(&b, in + n - 2, 2))
                FAIL("out of memory");
            i = n;
            break;
        }
    }
    *removed = dropped;
    if (!changed) {
        at_free(b.v);
        return 0;
    }
    *out = b.v;
    *out_len = b.n;
    return 0;
fail:
    at_free(b.v);
    return -1;
}
