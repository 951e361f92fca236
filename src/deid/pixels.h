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

/* An ICC profile (0028,2000) kept: parsed (header, tag table, every tag
 * inside the profile), then written back byte for byte except what can
 * carry text: the header's creation date and profile ID zeroed, the content
 * of every tag whose type is not a known numeric type (desc, text, mluc,
 * dtim, colour names, private types) blanked to a valid empty value, the
 * bytes no tag covers zeroed. *keep is 0 when the profile cannot be parsed
 * safely (the caller removes it). Counts in stats. AT_ERR_NOMEM only. */
at_status at_deid_icc_clean(at_dcm_element *el, at_deid_stats *stats, int *keep);
/* The same on a profile in memory (a JPEG 2000 colr box): 0 cleaned in
 * place, -1 when it cannot be parsed safely. */
int at_deid_icc_clean_bytes(unsigned char *p, size_t n);

/* One RLE frame in[0..n) (PS3.5 Annex G) of rows x columns, segments
 * expected: rewritten without what follows each segment's image data
 * (*out, at_malloc; NULL when nothing changed), *removed the parts dropped.
 * 0, or -1 with a static reason when the layout is not understood. */
int at_deid_rle_clean(const unsigned char *in, size_t n, size_t pixels, unsigned segments,
                      unsigned char **out, size_t *out_len, size_t *removed, const char **reason);

/* A JPEG 2000 frame in a JP2 file wrapper in[0..n): rewritten with the
 * boxes the image needs only (signature, ftyp, jp2h with ihdr, bpcc, colr,
 * pclr, cmap, cdef, res; jp2c, its codestream cleaned like a bare one, an
 * ICC profile of colr cleaned), every other box (xml, uuid, jp2i, ...)
 * dropped. *out as at_deid_j2k_clean (NULL when nothing changed); -1 with
 * a reason when it cannot be rewritten safely. */
int at_deid_jp2_clean(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len,
                      size_t *removed, const char **reason);

#endif
