/* Internal to src/deid: the batch's file I/O (src/deid/fileio.c). */
#ifndef ATELIER_DEID_FILEIO_H
#define ATELIER_DEID_FILEIO_H

#include "atelier/dicom.h"

#include <sys/uio.h>

typedef struct {
    int fd;             /* the input, open while the input is */
    unsigned char *map; /* bytes read: the head, or the whole file (owned) */
    size_t map_len;     /* bytes in map */
    size_t file_len;    /* size of the input */
    /* fast path: native pixel data left in the input (pixel_len > 0) */
    uint64_t pixel_offset; /* of the value in the input */
    uint32_t pixel_len;
    unsigned char pixel_header[12]; /* the element header as encoded in the input */
    size_t pixel_header_len;
} at_deid_input;

/* Open and parse an input. When native pixel data (little endian, explicit
 * or implicit VR) is the last element and the bytes before it parse on their
 * own, *out holds everything but the pixel data, which stays in the input
 * (in->pixel_len > 0); else *out is the whole file. Messages name rel, never
 * a value. On success close with at_deid_input_close after the output is
 * written; on failure nothing is left open. */
at_status at_deid_input_open(const char *path, const char *rel, at_deid_input *in, at_dcm_file **out);
void at_deid_input_close(at_deid_input *in);

/* Write iov (then the input's pixel value when pixels has one, copied by the
 * kernel) to a new temporary file in dir; *tmp_out its path (at_free). With
 * sync, writeback starts at once. Nothing is left behind on failure. */
at_status at_deid_write_temp(const char *dir, struct iovec *iov, int iovcnt, const at_deid_input *pixels,
                             int sync, char **tmp_out);
/* The same, named final (a path in dir) at once when final is given and no
 * file has that name: then *tmp_out is NULL. Used where no reader looks
 * (a fresh output's staging folder); a taken name gets a temporary one. */
at_status at_deid_write_out(const char *dir, const char *final, struct iovec *iov, int iovcnt,
                            const at_deid_input *pixels, int sync, char **tmp_out);
/* syncfs on outdir's filesystem (fsync of the folder where unavailable). */
at_status at_deid_sync_dir(const char *outdir);

#endif
