/* RLE frames (PS3.5 Annex G): a 64-byte header (the number of segments and
 * their offsets), then each segment, a PackBits stream of one byte plane.
 * A segment's image data ends where decoding has produced rows x columns
 * bytes; bytes after that (a trailer), bytes between the header and the
 * first segment and offsets of unused segments carry nothing of the image.
 * The frame is rewritten with each segment cut where its image data ends
 * (padded to even length with a zero, as the standard asks), offsets
 * recomputed; a frame whose segments do not decode to exactly their size
 * is not understood (the caller quarantines the file). */
#include "deid/pixels.h"

#include <string.h>

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
    p[3] = (unsigned char)(v >> 24);
}

/* Bytes of s[0..n) that decode to exactly want bytes, or 0 when the
 * segment ends first or a run goes past want. */
static size_t packbits_extent(const unsigned char *s, size_t n, size_t want)
{
    size_t i = 0, produced = 0;
    while (produced < want) {
        if (i >= n)
            return 0;
        unsigned char h = s[i++];
        if (h < 128) {
            size_t k = (size_t)h + 1;
            if (k > n - i || k > want - produced)
                return 0;
            i += k;
            produced += k;
        } else if (h > 128) {
            size_t k = 257 - (size_t)h;
            if (i >= n || k > want - produced)
                return 0;
            i++;
            produced += k;
        } /* 128: no operation */
    }
    return i;
}

int at_deid_rle_clean(const unsigned char *in, size_t n, size_t pixels, unsigned segments,
                      unsigned char **out, size_t *out_len, size_t *removed, const char **reason)
{
    *out = NULL;
    *out_len = 0;
    *removed = 0;
    if (n < 64 || !pixels) {
        *reason = "RLE frame shorter than its header";
        return -1;
    }
    uint32_t count = le32(in);
    if (count < 1 || count > 15 || count != segments) {
        *reason = "RLE frame: segment count does not match the image";
        return -1;
    }
    size_t start[15], used[15];
    for (uint32_t i = 0; i < count; i++) {
        start[i] = le32(in + 4 + 4 * i);
        size_t end = i + 1 < count ? le32(in + 8 + 4 * i) : n;
        if (start[i] < 64 || end > n || start[i] > end || (i && start[i] < start[i - 1] + used[i - 1])) {
            *reason = "RLE frame: segment offsets out of order or past the frame";
            return -1;
        }
        used[i] = packbits_extent(in + start[i], end - start[i], pixels);
        if (!used[i]) {
            *reason = "RLE frame: a segment does not decode to the image size";
            return -1;
        }
    }
    /* the layout the frame should have: segments back to back from 64, each padded to even */
    size_t total = 64, dropped = 0;
    for (uint32_t i = 0; i < count; i++) {
        size_t seg = used[i] + (used[i] & 1);
        size_t end = i + 1 < count ? le32(in + 8 + 4 * i) : n;
        if (start[i] != total || end - start[i] != seg || ((used[i] & 1) && in[start[i] + used[i]] != 0))
            dropped++;
        total += seg;
    }
    for (uint32_t i = count; i < 15; i++)
        if (le32(in + 4 + 4 * i))
            dropped++;
    if (!dropped)
        return 0;
    unsigned char *o = at_calloc(total, 1);
    if (!o) {
        *reason = "out of memory";
        return -1;
    }
    put_le32(o, count);
    size_t pos = 64;
    for (uint32_t i = 0; i < count; i++) {
        put_le32(o + 4 + 4 * i, (uint32_t)pos);
        memcpy(o + pos, in + start[i], used[i]);
        pos += used[i] + (used[i] & 1);
    }
    *out = o;
    *out_len = total;
    *removed = dropped;
    return 0;
}
