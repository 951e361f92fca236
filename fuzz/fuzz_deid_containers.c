/* libFuzzer target: the door's parsers of what frames and profiles carry
 * besides the image, on raw bytes (the first byte picks one): RLE frames,
 * JPEG and JPEG-LS frames, JPEG 2000 codestreams and JP2 files, ICC
 * profiles, and the word scan of retained text. No crash, no leak, no
 * read past the input whatever the lengths say. */
#include "deid/pixels.h"
#include "deid/vocab.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned pick = data[0];
    const unsigned char *in = data + 1;
    size_t n = size - 1;
    unsigned char *out = NULL;
    size_t len = 0, removed = 0;
    const char *reason = NULL;
    switch (pick % 6) {
    case 0:
        (void)at_deid_rle_clean(in, n, 1 + (pick >> 3), 1 + (pick >> 6), &out, &len, &removed, &reason);
        break;
    case 1:
        (void)at_deid_jpeg_clean(in, n, pick & 8, &out, &len, &removed, &reason);
        break;
    case 2:
        (void)at_deid_j2k_clean(in, n, &out, &len, &removed, &reason);
        break;
    case 3:
        (void)at_deid_jp2_clean(in, n, &out, &len, &removed, &reason);
        break;
    case 4: {
        unsigned char *copy = at_malloc(n);
        if (copy) {
            memcpy(copy, in, n);
            (void)at_deid_icc_clean_bytes(copy, n);
            at_free(copy);
        }
        break;
    }
    default: {
        at_deid_ranges r = {0};
        (void)at_deid_scan_words((const char *)in, n,
                                 (pick & 8) ? AT_DEID_TIER_GENERAL : AT_DEID_TIER_TECHNICAL, &r);
        for (size_t i = 0; i < r.n; i++)
            if (r.start[i] > r.end[i] || r.end[i] > n)
                __builtin_trap();
        at_deid_ranges_free(&r);
        (void)at_deid_cs_value_known((const char *)in, n);
        break;
    }
    }
    at_free(out);
    return 0;
}
