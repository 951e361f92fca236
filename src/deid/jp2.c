/* JPEG 2000 frames in a JP2 file wrapper (ISO 15444-1 Annex I). DICOM
 * wants a bare codestream, but writers wrap it; the wrapper's boxes can
 * carry anything (xml, uuid with XMP, jp2i, url, labels). The frame is
 * rewritten with the boxes the image needs only: the signature, ftyp, the
 * header superbox jp2h with ihdr, bpcc, colr (its ICC profile cleaned, icc.c),
 * pclr, cmap, cdef and res (resc, resd), and the contiguous codestream jp2c
 * (cleaned like a bare codestream: COM segments, data after EOC). Every
 * other box, and bytes after the last box, are dropped. Every length is
 * checked against what remains. */
#include "deid/pixels.h"

#include <string.h>

#define MAX_BOXES 4096

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The box at in[i..n): its type, content [*c, *end). 0, or -1 when its
 * length does not fit. */
static int box_at(const unsigned char *in, size_t n, size_t i, unsigned char type[4], size_t *c, size_t *end)
{
    if (n - i < 8)
        return -1;
    uint64_t len = be32(in + i);
    memcpy(type, in + i + 4, 4);
    size_t header = 8;
    if (len == 1) {
        if (n - i < 16)
            return -1;
        len = 0;
        for (int k = 0; k < 8; k++)
            len = len << 8 | in[i + 8 + k];
        header = 16;
    } else if (len == 0)
        len = n - i; /* to the end */
    if (len < header || len > n - i)
        return -1;
    *c = i + header;
    *end = i + (size_t)len;
    return 0;
}

static at_status put_box(at_buf *b, const char *type, const unsigned char *content, size_t len)
{
    unsigned char h[8];
    uint64_t total = (uint64_t)len + 8;
    if (total > 0xFFFFFFFFu)
        return AT_ERR_LIMIT;
    h[0] = (unsigned char)(total >> 24), h[1] = (unsigned char)(total >> 16),
    h[2] = (unsigned char)(total >> 8), h[3] = (unsigned char)total;
    memcpy(h + 4, type, 4);
    at_status st = at_buf_append(b, h, 8);
    if (!st && len)
        st = at_buf_append(b, content, len);
    return st;
}

static int is_type(const unsigned char t[4], const char *name)
{
    return !memcmp(t, name, 4);
}

static int known_brand(const unsigned char *p)
{
    return !memcmp(p, "jp2 ", 4) || !memcmp(p, "jpx ", 4) || !memcmp(p, "jpxb", 4) || !memcmp(p, "J2P0", 4) ||
           !memcmp(p, "J2P1", 4);
}

static at_status rewrite_ftyp(const unsigned char *c, size_t len, at_buf *b, int *changed)
{
    unsigned char v[8 + 4 * 8];
    size_t k = 8;
    memcpy(v, len >= 4 && known_brand(c) ? c : (const unsigned char *)"jp2 ", 4);
    memset(v + 4, 0, 4);
    for (size_t i = 8; i + 4 <= len && k < sizeof v; i += 4)
        if (known_brand(c + i))
            memcpy(v + k, c + i, 4), k += 4;
    if (k == 8)
        memcpy(v + 8, "jp2 ", 4), k = 12;
    if (k != len || memcmp(v, c, k))
        *changed = 1;
    return put_box(b, "ftyp", v, k);
}

/* The header superbox's content in[c..end) rewritten into b (children the
 * image needs; colr's ICC profile cleaned). -1 with a reason. */
static int rewrite_header(const unsigned char *in, size_t c, size_t end, at_buf *b, size_t *dropped,
                          const char **reason)
{
    static const char *const keep[] = {"ihdr", "bpcc", "colr", "pclr", "cmap", "cdef", "res "};
    size_t i = c;
    int boxes = 0;
    while (i < end) {
        unsigned char t[4];
        size_t bc, be;
        if (box_at(in, end, i, t, &bc, &be) || ++boxes > MAX_BOXES) {
            *reason = "JP2 header box: a box length exceeds its superbox";
            return -1;
        }
        int wanted = 0;
        for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
            wanted |= is_type(t, keep[k]);
        if (is_type(t, "ihdr") && be - bc != 14) {
            *reason = "JP2 image header box of a wrong size";
            return -1;
        }
        if (!wanted) {
            ++*dropped;
        } else if (is_type(t, "res ")) {
            at_buf sub;
            at_buf_init(&sub, be - bc + 64);
            size_t j = bc;
            int ok = 1;
            while (j < be && ok) {
                unsigned char st2[4];
                size_t sc, se;
                if (box_at(in, be, j, st2, &sc, &se)) {
                    ok = 0;
                    break;
                }
                if ((is_type(st2, "resc") || is_type(st2, "resd")) && se - sc == 10) {
                    if (put_box(&sub, (const char *)st2, in + sc, se - sc))
                        ok = 0;
                } else
                    ++*dropped;
                j = se;
            }
            if (!ok || put_box(b, "res ", sub.data, sub.len)) {
                at_buf_free(&sub);
                *reason = "JP2 resolution box cannot be rewritten";
                return -1;
            }
            at_buf_free(&sub);
        } else if (is_type(t, "colr") && be - bc > 3 && in[bc] != 1) {
            /* an ICC profile (methods 2 and up): cleaned, or the frame is not rewritten */
            unsigned char *copy = at_malloc(be - bc);
            if (!copy) {
                *reason = "out of memory";
                return -1;
            }
            memcpy(copy, in + bc, be - bc);
            int r = at_deid_icc_clean_bytes(copy + 3, be - bc - 3);
            if (r || put_box(b, "colr", copy, be - bc)) {
                at_free(copy);
                *reason = r == -2 ? "out of memory" : "JP2 colour box: its ICC profile cannot be parsed";
                return -1;
            }
            at_free(copy);
        } else if (put_box(b, (const char *)t, in + bc, be - bc)) {
            *reason = "out of memory";
            return -1;
        }
        i = be;
    }
    return 0;
}

int at_deid_jp2_clean(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len,
                      size_t *removed, const char **reason)
{
    *out = NULL;
    *out_len = 0;
    *removed = 0;
    at_buf b;
    at_buf_init(&b, n + 1024);
    size_t dropped = 0, i = 0;
    int have_codestream = 0, boxes = 0, changed = 0;
    while (i < n) {
        unsigned char t[4];
        size_t c, end;
        if (box_at(in, n, i, t, &c, &end) || ++boxes > MAX_BOXES) {
            if (have_codestream) { /* bytes after the last box */
                dropped++;
                break;
            }
            *reason = "JP2 file: a box length exceeds the frame";
            goto fail;
        }
        if (is_type(t, "jP  ")) {
            static const unsigned char signature[4] = {0x0D, 0x0A, 0x87, 0x0A};
            if (end - c != 4 || memcmp(in + c, signature, 4))
                changed = 1;
            if (put_box(&b, "jP  ", signature, 4))
                goto nomem;
        } else if (is_type(t, "ftyp")) {
            /* brand, minor version, compatibility list: four-character codes, kept when known */
            if (rewrite_ftyp(in + c, end - c, &b, &changed))
                goto nomem;
        } else if (is_type(t, "jp2h")) {
            at_buf h;
            at_buf_init(&h, end - c + 1024);
            size_t before = dropped;
            if (rewrite_header(in, c, end, &h, &dropped, reason)) {
                at_buf_free(&h);
                goto fail;
            }
            if (h.len != end - c || dropped != before || (h.len && memcmp(h.data, in + c, h.len)))
                changed = 1;
            at_status st = put_box(&b, "jp2h", h.data, h.len);
            at_buf_free(&h);
            if (st)
                goto nomem;
        } else if (is_type(t, "jp2c") && !have_codestream) {
            if (end - c < 2 || in[c] != 0xFF || in[c + 1] != 0x4F) {
                *reason = "JP2 codestream box does not hold a codestream";
                goto fail;
            }
            unsigned char *cs = NULL;
            size_t cs_len = 0, segs = 0;
            if (at_deid_j2k_clean(in + c, end - c, &cs, &cs_len, &segs, reason))
                goto fail;
            at_status st = cs ? put_box(&b, "jp2c", cs, cs_len) : put_box(&b, "jp2c", in + c, end - c);
            at_free(cs);
            if (st)
                goto nomem;
            dropped += segs;
            have_codestream = 1;
        } else
            dropped++;
        i = end;
    }
    if (!have_codestream) {
        *reason = "JP2 file without a codestream box";
        goto fail;
    }
    if (!dropped && !changed && b.len == n) {
        at_buf_free(&b);
        return 0;
    }
    *removed = dropped;
    *out = at_buf_steal(&b, out_len);
    return 0;
nomem:
    *reason = "out of memory";
fail:
    at_buf_free(&b);
    return -1;
}
