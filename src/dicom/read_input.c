/* The reader's inputs: whole regular files (never blocking on a FIFO or a
 * device) and deflated datasets inflated under documented ceilings. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void *z_alloc(void *ud, unsigned items, unsigned size)
{
    (void)ud;
    return at_calloc(items, size);
}

static void z_free(void *ud, void *p)
{
    (void)ud;
    at_free(p);
}

/* The most a deflated dataset of in_len compressed bytes may inflate to:
 * AT_DCM_MAX_INFLATED_BYTES, and at most AT_DCM_MAX_INFLATE_RATIO times
 * in_len once past AT_DCM_INFLATE_RATIO_FLOOR (a deflate bomb reaches
 * about 1000:1; DICOM images with much background rarely pass 50:1). */
static size_t inflate_limit(size_t in_len)
{
    size_t by_ratio =
        in_len > SIZE_MAX / AT_DCM_MAX_INFLATE_RATIO ? SIZE_MAX : in_len * AT_DCM_MAX_INFLATE_RATIO;
    size_t limit = by_ratio > AT_DCM_INFLATE_RATIO_FLOOR ? by_ratio : AT_DCM_INFLATE_RATIO_FLOOR;
    return limit < AT_DCM_MAX_INFLATED_BYTES ? limit : AT_DCM_MAX_INFLATED_BYTES;
}

/* Inflate raw deflate data (the deflated transfer syntax) from data[start..len)
 * into *out (at_free), bounded by inflate_limit (one byte more is room to
 * see a stream go past it). Messages name name. */
at_status dcm_inflate(const char *name, const unsigned char *data, size_t len, size_t start,
                      unsigned char **out, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = z_alloc;
    zs.zfree = z_free;
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
        return at_error_set(AT_ERR_NOMEM, "%s: cannot start inflating", name);
    size_t in_len = len - start, limit = inflate_limit(in_len), used = 0;
    size_t cap = in_len < 16384 ? 65536 : in_len * 4;
    if (cap > limit + 1)
        cap = limit + 1;
    unsigned char *buf = at_malloc(cap + 1);
    at_status st = AT_OK;
    if (!buf) {
        st = at_error_prefix(AT_ERR_NOMEM, "%s", name);
        goto done;
    }
    const unsigned char *in = data + start;
    size_t in_left = in_len;
    for (;;) {
        if (zs.avail_in == 0 && in_left) {
            size_t chunk = in_left > (1u << 30) ? (1u << 30) : in_left;
            zs.next_in = (unsigned char *)in;
            zs.avail_in = (uInt)chunk;
            in += chunk;
            in_left -= chunk;
        }
        if (used == cap) {
            size_t ncap = cap > (limit + 1) / 2 ? limit + 1 : cap * 2;
            unsigned char *nb = at_realloc(buf, ncap + 1);
            if (!nb) {
                st = at_error_prefix(AT_ERR_NOMEM, "%s", name);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t room = cap - used > (1u << 30) ? (1u << 30) : cap - used;
        zs.next_out = buf + used;
        zs.avail_out = (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        used += room - zs.avail_out;
        if (used > limit) {
            if (limit == AT_DCM_MAX_INFLATED_BYTES)
                st = at_error_set(AT_ERR_LIMIT, "%s: deflated dataset inflates past %zu bytes", name, limit);
            else
                st = at_error_set(AT_ERR_LIMIT,
                                  "%s: deflated dataset inflates past %zu bytes, more than %d times its %zu "
                                  "compressed bytes (a deflate bomb?)",
                                  name, limit, AT_DCM_MAX_INFLATE_RATIO, in_len);
            goto done;
        }
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_MEM_ERROR) {
            st = at_error_prefix(AT_ERR_NOMEM, "%s", name);
            goto done;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: deflated dataset is corrupt (%s)", name,
                              start + (size_t)zs.total_in, zs.msg ? zs.msg : "inflate error");
            goto done;
        }
        if (zr == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) {
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: deflated dataset is truncated", name, len);
            goto done;
        }
    }
done:
    inflateEnd(&zs);
    if (st) {
        at_free(buf);
        return st;
    }
    *out = buf;
    *outlen = used;
    return AT_OK;
}
