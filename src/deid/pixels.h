/* Internal to src/deid: the pixel data's containers (pixels.c, jpeg.c). */
#ifndef ATELIER_DEID_PIXELS_H
#define ATELIER_DEID_PIXELS_H

#include "atelier/deid.h"

/* Remove what the frames of encapsulated pixel data carry besides the image:
 * JPEG COM and APPn segments (JFIF APP0 without thumbnail, Adobe APP14 and
 * the JPEG-LS colour transform APP8 kept: decoding needs them), JPEG 2000
 * COM segments, data after the end-of-image marker. Frames left unchanged
 * keep their bytes and fragments; rewritten frames become one fragment
 * each, and the Basic and Extended Offset Tables are recomputed. A frame
 * that cannot be rewritten safely (not parsable, frames not delimited, a
 * container atelier cannot look into) sets stats->quarantine. Counts the
 * segments removed in stats->jpeg_segments. AT_ERR_NOMEM only. */
at_status at_deid_pixels_clean(at_dcm_file *f, at_deid_stats *stats);

/* One JPEG (jpeg_ls: the JPEG-LS marker rules) or JPEG 2000 codestream
 * frame in[0..n): the cleaned frame in *out (at_malloc; NULL when nothing
 * changed) and the number of segments removed. Returns 0, or -1 with a
 * static reason when the frame cannot be rewritten safely. */
int at_deid_jpeg_clean(const unsigned char *in, size_t n, int jpeg_ls, unsigned char **out, size_t *out_len,
                       size_t *removed, const char **reason);
int at_deid_j2k_clean(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len,
                      size_t *removed, const char **reason);

#endif
