/* The containers of encapsulated pixel data: delimit the frames, clean each
 * (jpeg.c), rebuild fragments and offset tables where a frame changed, and
 * send to quarantine what cannot be cleaned safely. */
#include "deid/internal.h"
#include "deid/pixels.h"

#include <stdio.h>
#include <string.h>

enum { CODEC_NONE = 0, CODEC_JPEG, CODEC_JPEG_LS, CODEC_J2K, CODEC_RLE, CODEC_OPAQUE };

/* How the frames of a transfer syntax are coded. */
static int codec_of(const char *ts)
{
    static const struct {
        const char *prefix;
        int codec;
        int exact;
    } list[] = {
        {"1.2.840.10008.1.2.4.80", CODEC_JPEG_LS, 1}, {"1.2.840.10008.1.2.4.81", CODEC_JPEG_LS, 1},
        {"1.2.840.10008.1.2.4.90", CODEC_J2K, 1},     {"1.2.840.10008.1.2.4.91", CODEC_J2K, 1},
        {"1.2.840.10008.1.2.4.92", CODEC_J2K, 1},     {"1.2.840.10008.1.2.4.93", CODEC_J2K, 1},
        {"1.2.840.10008.1.2.4.201", CODEC_J2K, 1},    {"1.2.840.10008.1.2.4.202", CODEC_J2K, 1},
        {"1.2.840.10008.1.2.4.203", CODEC_J2K, 1},    {"1.2.840.10008.1.2.5", CODEC_RLE, 1},
    };
    for (size_t i = 0; i < sizeof list / sizeof *list; i++)
        if (!strcmp(ts, list[i].prefix))
            return list[i].codec;
    /* JPEG process 1 to 14 (.50 to .70) */
    if (!strncmp(ts, "1.2.840.10008.1.2.4.", 20)) {
        int k = 0;
        if (sscanf(ts + 20, "%d", &k) == 1 && k >= 50 && k <= 70)
            return CODEC_JPEG;
    }
    return CODEC_OPAQUE; /* MPEG, HEVC, JPEG XL, deflated image, unknown: not looked into */
}

static int starts_frame(int codec, const at_dcm_fragment *fr)
{
    if (fr->len < 4 || !fr->data)
        return 0;
    if (codec == CODEC_J2K)
        return fr->data[0] == 0xFF && fr->data[1] == 0x4F && fr->data[2] == 0xFF && fr->data[3] == 0x51;
    return fr->data[0] == 0xFF && fr->data[1] == 0xD8 && fr->data[2] == 0xFF;
}

static uint32_t rd32le(const unsigned char *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* first[k]: index of the first fragment (1-based among el->fragments) of
 * frame k, first[nframes] = fragment_count. Returns 0 or -1 with a reason. */
static int delimit(const at_dcm_element *el, int codec, size_t nframes, size_t *first, const char **reason)
{
    size_t nfrag = el->fragment_count - 1; /* [0] is the basic offset table */
    if (nfrag < nframes) {
        *reason = "pixel data: fewer fragments than frames";
        return -1;
    }
    first[nframes] = el->fragment_count;
    if (nframes == 1) {
        first[0] = 1;
        return 0;
    }
    if (nfrag == nframes) {
        for (size_t k = 0; k < nframes; k++)
            first[k] = k + 1;
        return 0;
    }
    const at_dcm_fragment *bot = &el->fragments[0];
    if (bot->len == 4 * nframes && bot->data) {
        /* offsets of each frame's first fragment item from the first item */
        size_t f = 1;
        uint64_t pos = 0;
        for (size_t k = 0; k < nframes; k++) {
            uint32_t off = rd32le(bot->data + 4 * k);
            while (f < el->fragment_count && pos < off) {
                pos += 8 + (uint64_t)el->fragments[f].len;
                f++;
            }
            if (pos != off || f >= el->fragment_count || (k && f <= first[k - 1])) {
                *reason = "pixel data: the basic offset table does not match the fragments";
                return -1;
            }
            first[k] = f;
        }
        return 0;
    }
    /* no usable table: a frame starts where a fragment starts with SOI/SOC */
    size_t k = 0;
    for (size_t f = 1; f < el->fragment_count; f++)
        if (starts_frame(codec, &el->fragments[f])) {
            if (k == nframes) {
                *reason = "pixel data: more frame starts than frames";
                return -1;
            }
            first[k++] = f;
        }
    if (k != nframes || first[0] != 1) {
        *reason = "pixel data: frames cannot be delimited in the fragments";
        return -1;
    }
    return 0;
}

static void put64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

at_status at_deid_pixels_clean(at_dcm_file *f, at_deid_stats *stats)
{
    at_dcm_element *el = at_dcm_find(f->dataset, AT_TAG(0x7FE0, 0x0010));
    if (!el || !el->encapsulated || el->fragment_count < 1)
        return AT_OK;
    int codec = codec_of(f->transfer_syntax);
    size_t pixels = 0;
    unsigned segments = 0;
    if (codec == CODEC_RLE) {
        /* a segment per byte plane of each sample: rows x columns bytes each */
        double rows = 0, cols = 0, spp = 1, bits = 8;
        int ok = at_dcm_get_double(f->dataset, AT_TAG(0x0028, 0x0010), 0, &rows) == AT_OK &&
                 at_dcm_get_double(f->dataset, AT_TAG(0x0028, 0x0011), 0, &cols) == AT_OK;
        if (at_dcm_get_double(f->dataset, AT_TAG(0x0028, 0x0002), 0, &spp) != AT_OK)
            spp = 1;
        if (at_dcm_get_double(f->dataset, AT_TAG(0x0028, 0x0100), 0, &bits) != AT_OK)
            bits = 8;
        at_error_clear();
        if (!ok || !(rows >= 1 && rows <= 65535 && cols >= 1 && cols <= 65535 && spp >= 1 && spp <= 4 &&
                     bits >= 1 && bits <= 64)) {
            stats->quarantine = "RLE pixel data: rows, columns or samples out of range";
            return AT_OK;
        }
        pixels = (size_t)rows * (size_t)cols;
        segments = (unsigned)spp * (((unsigned)bits + 7) / 8);
    }
    if (codec == CODEC_OPAQUE) {
        stats->quarantine =
            "pixel data in a transfer syntax whose containers atelier cannot check for metadata";
        return AT_OK;
    }
    double nf = 1;
    if (at_dcm_get_double(f->dataset, AT_TAG(0x0028, 0x0008), 0, &nf) != AT_OK)
        nf = 1;
    at_error_clear();
    if (!(nf >= 1 && nf <= 1e6)) {
        stats->quarantine = "pixel data: Number of Frames out of range";
        return AT_OK;
    }
    size_t nframes = (size_t)nf;
    size_t *first = at_malloc((nframes + 1) * sizeof *first);
    if (!first)
        return AT_ERR_NOMEM;
    const char *reason = NULL;
    if (delimit(el, codec, nframes, first, &reason)) {
        stats->quarantine = reason;
        at_free(first);
        return AT_OK;
    }
    /* clean each frame; cleaned[k] NULL when unchanged */
    unsigned char **cleaned = at_calloc(nframes, sizeof *cleaned);
    size_t *clen = at_calloc(nframes, sizeof *clen);
    at_status st = cleaned && clen ? AT_OK : AT_ERR_NOMEM;
    size_t changed = 0;
    for (size_t k = 0; k < nframes && !st && !reason; k++) {
        size_t total = 0;
        for (size_t g = first[k]; g < first[k + 1]; g++)
            total += el->fragments[g].len;
        unsigned char *frame = at_malloc(total ? total : 1);
        if (!frame) {
            st = AT_ERR_NOMEM;
            break;
        }
        size_t p = 0;
        for (size_t g = first[k]; g < first[k + 1]; g++) {
            if (el->fragments[g].len)
                memcpy(frame + p, el->fragments[g].data, el->fragments[g].len);
            p += el->fragments[g].len;
        }
        size_t removed = 0;
        int r = codec == CODEC_J2K ? at_deid_j2k_clean(frame, total, &cleaned[k], &clen[k], &removed, &reason)
                : codec == CODEC_RLE ? at_deid_rle_clean(frame, total, pixels, segments, &cleaned[k],
                                                         &clen[k], &removed, &reason)
                                     : at_deid_jpeg_clean(frame, total, codec == CODEC_JPEG_LS, &cleaned[k],
                                                          &clen[k], &removed, &reason);
        at_free(frame);
        if (r) {
            if (reason && !strcmp(reason, "out of memory"))
                st = AT_ERR_NOMEM;
            break;
        }
        if (codec == CODEC_RLE)
            stats->container_parts_removed += removed;
        else
            stats->jpeg_segments += removed;
        changed += cleaned[k] != NULL;
    }
    if (!st && reason)
        stats->quarantine = reason; /* the file keeps its frames and goes to quarantine */
    if (!st && !reason && changed) {
        /* rebuild: unchanged frames keep their fragments, changed ones become one each */
        size_t nfrag = 1;
        for (size_t k = 0; k < nframes; k++)
            nfrag += cleaned[k] ? 1 : first[k + 1] - first[k];
        at_dcm_fragment *nf2 = at_calloc(nfrag, sizeof *nf2);
        uint64_t *offsets = at_calloc(nframes, sizeof *offsets),
                 *lengths = at_calloc(nframes, sizeof *lengths);
        if (!nf2 || !offsets || !lengths)
            st = AT_ERR_NOMEM;
        size_t w = 1;
        uint64_t pos = 0;
        for (size_t k = 0; k < nframes && !st; k++) {
            offsets[k] = pos;
            if (cleaned[k]) {
                size_t len = clen[k] + (clen[k] & 1);
                unsigned char *d = at_realloc(cleaned[k], len ? len : 1);
                if (!d) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                if (clen[k] & 1)
                    d[clen[k]] = 0;
                cleaned[k] = NULL;
                nf2[w].data = d;
                nf2[w].len = (uint32_t)len;
                lengths[k] = len;
                pos += 8 + len;
                w++;
            } else {
                for (size_t g = first[k]; g < first[k + 1]; g++) {
                    nf2[w] = el->fragments[g];
                    el->fragments[g].data = NULL;
                    lengths[k] += nf2[w].len;
                    pos += 8 + (uint64_t)nf2[w].len;
                    w++;
                }
            }
        }
        /* the basic offset table: recomputed when the input had one */
        if (!st && el->fragments[0].len && pos <= 0xFFFFFFFFu) {
            unsigned char *t = at_malloc(4 * nframes);
            if (!t)
                st = AT_ERR_NOMEM;
            for (size_t k = 0; t && k < nframes; k++) {
                uint32_t o = (uint32_t)offsets[k];
                t[4 * k] = (unsigned char)o, t[4 * k + 1] = (unsigned char)(o >> 8);
                t[4 * k + 2] = (unsigned char)(o >> 16), t[4 * k + 3] = (unsigned char)(o >> 24);
            }
            nf2[0].data = t;
            nf2[0].len = t ? (uint32_t)(4 * nframes) : 0;
        } else if (!st && el->fragments[0].len) {
            nf2[0].data = NULL, nf2[0].len = 0; /* offsets past 4 GiB: the table stays empty */
        }
        /* the extended offset table and lengths, when present */
        if (!st && at_dcm_find(f->dataset, AT_TAG(0x7FE0, 0x0001))) {
            unsigned char *eo = at_malloc(8 * nframes), *el2 = at_malloc(8 * nframes);
            if (!eo || !el2)
                st = AT_ERR_NOMEM;
            for (size_t k = 0; !st && k < nframes; k++) {
                put64le(eo + 8 * k, offsets[k]);
                put64le(el2 + 8 * k, lengths[k]);
            }
            if (!st)
                st = at_dcm_set_bytes(f->dataset, AT_TAG(0x7FE0, 0x0001), AT_VR('O', 'V'), eo,
                                      (uint32_t)(8 * nframes));
            if (!st)
                st = at_dcm_set_bytes(f->dataset, AT_TAG(0x7FE0, 0x0002), AT_VR('O', 'V'), el2,
                                      (uint32_t)(8 * nframes));
            at_free(eo);
            at_free(el2);
            el = at_dcm_find(f->dataset, AT_TAG(0x7FE0, 0x0010)); /* puts may move elements */
        }
        if (!st) {
            for (size_t g = 0; g < el->fragment_count; g++)
                at_free(el->fragments[g].data);
            at_free(el->fragments);
            el->fragments = nf2;
            el->fragment_count = w;
            nf2 = NULL;
        } else if (nf2) {
            /* put back what was moved, free what was made */
            for (size_t g = 1; g < w; g++)
                at_free(nf2[g].data); /* moved fragments' data were taken: freed here, el holds NULL */
            at_free(nf2[0].data);
        }
        at_free(nf2);
        at_free(offsets);
        at_free(lengths);
    }
    for (size_t k = 0; cleaned && k < nframes; k++)
        at_free(cleaned[k]);
    at_free(cleaned);
    at_free(clen);
    at_free(first);
    return st;
}
