/* Internal helpers shared by the DICOM reader, writer and dump. */
#ifndef ATELIER_DICOM_INTERNAL_H
#define ATELIER_DICOM_INTERNAL_H

#include "atelier/dicom.h"

#define DCM_UNDEFINED 0xFFFFFFFFu
#define DCM_TAG_ITEM AT_TAG(0xFFFE, 0xE000)
#define DCM_TAG_ITEM_DELIM AT_TAG(0xFFFE, 0xE00D)
#define DCM_TAG_SEQ_DELIM AT_TAG(0xFFFE, 0xE0DD)
#define DCM_TAG_PIXEL_DATA AT_TAG(0x7FE0, 0x0010)
#define DCM_TAG_TRANSFER_SYNTAX AT_TAG(0x0002, 0x0010)

/* Encodings of a dataset. */
enum { DCM_IMPLICIT_LE = 0, DCM_EXPLICIT_LE = 1, DCM_EXPLICIT_BE = 2 };

/* Encoding of the main dataset for a transfer syntax UID; *deflated set for
 * the deflated syntax. Unknown (compressed) syntaxes are explicit LE. */
int dcm_syntax_of(const char *ts, int *deflated);

/* Reverse each unit-byte group of data in place (len a multiple of unit). */
void dcm_swap(unsigned char *data, size_t len, unsigned unit);

/* Padding byte for odd-length values: space for text VRs, NUL otherwise. */
unsigned char dcm_vr_pad(at_vr vr);

/* Read a whole regular file of at most max bytes into *out (at_free; one
 * byte more allocated, NUL). A FIFO, folder or device is refused without
 * blocking. Messages name path. */
at_status dcm_read_regular_file(const char *path, size_t max, unsigned char **out, size_t *len);

/* Inflate the raw deflate stream data[start..len) (deflated transfer
 * syntax) into *out (at_free), under the documented ceilings. Messages
 * name name and the offset. */
at_status dcm_inflate(const char *name, const unsigned char *data, size_t len, size_t start, unsigned char **out,
                      size_t *outlen);

#endif
