/* Internal helpers shared by the DICOM reader, writer and dump (dcm_:
 * internal to src/dicom; the public names are at_dcm_). */
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

/* A Specific Character Set (0008,0005), for converting text to UTF-8. */
#define DCM_CHARSET_MAX_TERMS 8
enum {
    DCM_CHARSET_DEFAULT = 0, /* absent, ISO_IR 6 or ISO_IR 192: bytes kept where valid UTF-8 */
    DCM_CHARSET_SINGLE,      /* one single-byte or stand-alone set, no code extensions */
    DCM_CHARSET_ISO2022,     /* code extensions (ISO 2022 terms or several values) */
    DCM_CHARSET_UNKNOWN      /* a term atelier does not know: as DEFAULT */
};
typedef struct {
    int mode;
    int count;                        /* values of (0008,0005) */
    int terms[DCM_CHARSET_MAX_TERMS]; /* index in the term table, -1 for an empty value */
} dcm_charset;
/* Read (0008,0005) el (NULL when absent) into cs. */
void dcm_charset_parse(const at_dcm_element *el, dcm_charset *cs);
/* Append s[0..n) (one value, or one component group of a PN) converted
 * from cs to UTF-8 onto out. Bytes that cannot be converted become U+FFFD;
 * in DEFAULT and UNKNOWN modes the bytes are appended as they are (the
 * caller keeps valid UTF-8 and replaces the rest). ISO 2022 state starts
 * from the initial designations at every call (PS3.5 6.1.2.5.3). */
at_status dcm_charset_to_utf8(const dcm_charset *cs, const unsigned char *s, size_t n, at_buf *out);

/* Inflate the raw deflate stream data[start..len) (deflated transfer
 * syntax) into *out (at_free), under the documented ceilings. Messages
 * name name and the offset. */
at_status dcm_inflate(const char *name, const unsigned char *data, size_t len, size_t start,
                      unsigned char **out, size_t *outlen);

#endif
