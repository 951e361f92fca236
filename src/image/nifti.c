/* NIfTI-1 reading and writing. The header layout, the quaternion and
 * matrix conversions come from libnifti (nifti1_io.h); the bytes are read
 * from memory with bounded lengths (so a damaged or hostile file gives a
 * clear error, never a huge allocation) and written atomically. */
#include "atelier/image.h"

#include <nifti1_io.h>

#include <math.h>
#include <string.h>
#include <zlib.h>

#define NIFTI_HEADER_BYTES 348
#define NIFTI_MAX_OFFSET ((size_t)1 << 24) /* extensions: 16 MiB at most */
#define NIFTI_MAX_FILE_BYTES ((size_t)9 << 30)

/* Inflate a gzip stream until want bytes came out or it ends. *out owned. */
static at_status gunzip_prefix(const unsigned char *in, size_t len, size_t want, const char *name,
                               unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    /* grow as data arrives: a header may announce more than the stream holds */
    size_t cap = want < ((size_t)1 << 20) ? (want ? want : 1) : ((size_t)1 << 20);
    unsigned char *buf = at_malloc(cap);
    if (!buf)
        return AT_ERR_NOMEM;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {
        at_free(buf);
        return at_error_set(AT_ERR_NOMEM, "%s: cannot start inflating", name);
    }
    size_t done = 0, consumed = 0;
    int rc = Z_OK;
    while (done < want) {
        if (done == cap) {
            size_t ncap = cap * 2 < want ? cap * 2 : want;
            unsigned char *nb = at_realloc(buf, ncap);
            if (!nb) {
                inflateEnd(&zs);
                at_free(buf);
                return AT_ERR_NOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        size_t in_chunk = len - consumed > (1u << 30) ? (1u << 30) : len - consumed;
        size_t out_chunk = cap - done > (1u << 30) ? (1u << 30) : cap - done;
        zs.next_in = (unsigned char *)in + consumed;
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = buf + done;
        zs.avail_out = (uInt)out_chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        consumed += in_chunk - zs.avail_in;
        done += out_chunk - zs.avail_out;
        if (rc == Z_STREAM_END) {
            /* concatenated gzip members are rare in NIfTI; stop here */
            break;
        }
        if (rc != Z_OK) {
            if (rc == Z_BUF_ERROR && consumed == len)
                break; /* truncated input: report below */
            inflateEnd(&zs);
            at_free(buf);
            return at_error_set(AT_ERR_FORMAT, "%s: gzip data is corrupt at compressed offset %zu", name,
                                consumed);
        }
    }
    inflateEnd(&zs);
    *out = buf;
    *outlen = done;
    return AT_OK;
}

static double read_value(const unsigned char *p, int datatype, int swap)
{
    unsigned char b[8];
    int n = 0;
    switch (datatype) {
    case NIFTI_TYPE_UINT8:
    case NIFTI_TYPE_INT8:
        n = 1;
        break;
    case NIFTI_TYPE_INT16:
    case NIFTI_TYPE_UINT16:
        n = 2;
        break;
    case NIFTI_TYPE_INT32:
    case NIFTI_TYPE_UINT32:
    case NIFTI_TYPE_FLOAT32:
        n = 4;
        break;
    default:
        n = 8;
        break;
    }
    for (int i = 0; i < n; i++)
        b[i] = swap ? p[n - 1 - i] : p[i];
    switch (datatype) {
    case NIFTI_TYPE_UINT8:
        return b[0];
    case NIFTI_TYPE_INT8:
        return (int8_t)b[0];
    case NIFTI_TYPE_INT16: {
        int16_t v;
        memcpy(&v, b, 2);
        return v;
    }
    case NIFTI_TYPE_UINT16: {
        uint16_t v;
        memcpy(&v, b, 2);
        return v;
    }
    case NIFTI_TYPE_INT32: {
        int32_t v;
        memcpy(&v, b, 4);
        return v;
    }
    case NIFTI_TYPE_UINT32: {
        uint32_t v;
        memcpy(&v, b, 4);
        return v;
    }
    case NIFTI_TYPE_FLOAT32: {
        float v;
        memcpy(&v, b, 4);
        return v;
    }
    case NIFTI_TYPE_FLOAT64: {
        double v;
        memcpy(&v, b, 8);
        return v;
    }
    case NIFTI_TYPE_INT64: {
        int64_t v;
        memcpy(&v, b, 8);
        return (double)v;
    }
    default: {
        uint64_t v;
        memcpy(&v, b, 8);
        return (double)v;
    }
    }
}

static int bytes_per_voxel(int datatype)
{
    switch (datatype) {
    case NIFTI_TYPE_UINT8:
    case NIFTI_TYPE_INT8:
        return 1;
    case NIFTI_TYPE_INT16:
    case NIFTI_TYPE_UINT16:
        return 2;
    case NIFTI_TYPE_INT32:
    case NIFTI_TYPE_UINT32:
    case NIFTI_TYPE_FLOAT32:
        return 4;
    case NIFTI_TYPE_FLOAT64:
    case NIFTI_TYPE_INT64:
    case NIFTI_TYPE_UINT64:
        return 8;
    default:
        return 0;
    }
}

/* Parse the header in h (348 bytes, already byte-swapped to native) into
 * dims and an index -> LPS affine. */
static at_status header_geometry(const nifti_1_header *h, const char *name, int dim[3], double lps[16])
{
    int nd = h->dim[0];
    if (nd < 1 || nd > 7)
        return at_error_set(AT_ERR_FORMAT, "%s: dim[0] is %d (must be 1..7)", name, nd);
    for (int i = 1; i <= 7; i++) {
        int d = i <= nd ? h->dim[i] : 1;
        if (d < 1)
            return at_error_set(AT_ERR_FORMAT, "%s: dim[%d] is %d", name, i, d);
        if (i > 3 && d != 1)
            return at_error_set(AT_ERR_UNSUPPORTED, "%s: %d volumes along dim[%d]; only 3D is read", name, d,
                                i);
        if (i <= 3)
            dim[i - 1] = d;
    }
    nifti_image *nim = nifti_convert_nhdr2nim(*h, name);
    if (!nim)
        return at_error_set(AT_ERR_FORMAT, "%s: header rejected by libnifti", name);
    mat44 m;
    int have = 1;
    if (h->sform_code > 0)
        m = nim->sto_xyz;
    else if (h->qform_code > 0)
        m = nim->qto_xyz;
    else
        have = 0;
    double ras[16] = {0};
    if (have) {
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                ras[r * 4 + c] = m.m[r][c];
    } else {
        /* Analyze-style: spacing only, axes along +x +y +z of RAS. */
        for (int a = 0; a < 3; a++)
            ras[a * 4 + a] = fabs(h->pixdim[a + 1]) > 0 ? fabs(h->pixdim[a + 1]) : 1.0;
        ras[15] = 1;
    }
    nifti_image_free(nim);
    for (int c = 0; c < 4; c++) {
        lps[0 * 4 + c] = -ras[0 * 4 + c];
        lps[1 * 4 + c] = -ras[1 * 4 + c];
        lps[2 * 4 + c] = ras[2 * 4 + c];
        lps[3 * 4 + c] = c == 3 ? 1.0 : 0.0;
    }
    for (int i = 0; i < 16; i++)
        if (!isfinite(lps[i]))
            return at_error_set(AT_ERR_FORMAT, "%s: orientation matrix is not finite", name);
    return AT_OK;
}

at_status at_nifti_read_memory(const unsigned char *data, size_t len, const char *name, at_volume **out)
{
    *out = NULL;
    if (!name)
        name = "<memory>";
    unsigned char *plain = NULL;
    size_t plen = 0;
    const unsigned char *bytes = data;
    size_t blen = len;
    int gz = len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    at_status st;
    if (gz) {
        st = gunzip_prefix(data, len, NIFTI_HEADER_BYTES, name, &plain, &plen);
        if (st)
            return st;
        bytes = plain;
        blen = plen;
    }
    if (blen < NIFTI_HEADER_BYTES) {
        at_free(plain);
        return at_error_set(AT_ERR_FORMAT, "%s: %zu bytes, too short for a NIfTI-1 header", name, blen);
    }
    nifti_1_header h;
    memcpy(&h, bytes, sizeof h);
    int swap = 0;
    if (h.sizeof_hdr != NIFTI_HEADER_BYTES) {
        swap_nifti_header(&h, 1);
        swap = 1;
        if (h.sizeof_hdr != NIFTI_HEADER_BYTES) {
            at_free(plain);
            return at_error_set(AT_ERR_FORMAT, "%s: offset 0: sizeof_hdr is not 348 (not NIfTI-1)", name);
        }
    }
    if (memcmp(h.magic, "n+1", 4) != 0) {
        at_free(plain);
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "%s: offset 344: magic is not \"n+1\" (only single-file NIfTI-1 is read)", name);
    }
    int bpv = bytes_per_voxel(h.datatype);
    if (!bpv) {
        at_free(plain);
        return at_error_set(AT_ERR_UNSUPPORTED, "%s: offset 70: datatype %d is not supported", name,
                            h.datatype);
    }
    int dim[3];
    double lps[16];
    st = header_geometry(&h, name, dim, lps);
    if (st) {
        at_free(plain);
        return st;
    }
    if (!(h.vox_offset >= NIFTI_HEADER_BYTES) || h.vox_offset > (float)NIFTI_MAX_OFFSET) {
        at_free(plain);
        return at_error_set(AT_ERR_FORMAT, "%s: offset 108: vox_offset %g out of range", name,
                            (double)h.vox_offset);
    }
    size_t off = (size_t)h.vox_offset;
    at_grid g;
    st = at_grid_from_affine(&g, dim, lps);
    if (st) {
        at_free(plain);
        return at_error_prefix(st, "%s", name);
    }
    size_t nvox = at_grid_voxels(&g);
    size_t need = off + nvox * (size_t)bpv;
    if (gz) {
        at_free(plain);
        plain = NULL;
        st = gunzip_prefix(data, len, need, name, &plain, &plen);
        if (st)
            return st;
        bytes = plain;
        blen = plen;
    }
    if (blen < need) {
        at_free(plain);
        return at_error_set(AT_ERR_FORMAT, "%s: image data truncated: %zu bytes, %zu expected", name, blen,
                            need);
    }
    at_volume *v;
    st = at_volume_new(&g, 0.0f, &v);
    if (st) {
        at_free(plain);
        return at_error_prefix(st, "%s", name);
    }
    double slope = h.scl_slope, inter = h.scl_inter;
    int scale = isfinite(slope) && slope != 0.0;
    if (!isfinite(inter))
        inter = 0;
    const unsigned char *p = bytes + off;
    for (size_t i = 0; i < nvox; i++) {
        double x = read_value(p + i * (size_t)bpv, h.datatype, swap);
        if (scale)
            x = x * slope + inter;
        v->data[i] = (float)x;
    }
    at_free(plain);
    *out = v;
    return AT_OK;
}

at_status at_nifti_read(const char *path, at_volume **out)
{
    *out = NULL;
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, NIFTI_MAX_FILE_BYTES, &data, &len);
    if (st)
        return st;
    st = at_nifti_read_memory(data, len, path, out);
    at_free(data);
    return st;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Gzip (mtime 0, so the bytes depend only on the data). *out owned. */
static at_status gzip_bytes(const unsigned char *in, size_t len, unsigned char **out, size_t *outlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return at_error_set(AT_ERR_NOMEM, "cannot start compressing");
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    unsigned char *buf = at_malloc(cap);
    if (!buf) {
        deflateEnd(&zs);
        return AT_ERR_NOMEM;
    }
    zs.next_in = (unsigned char *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = cap - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        at_free(buf);
        return at_error_set(AT_ERR_IO, "compression failed");
    }
    *out = buf;
    *outlen = n;
    return AT_OK;
}

at_status at_nifti_write(const at_volume *v, const char *path)
{
    at_status st = at_grid_validate(&v->grid);
    if (st)
        return at_error_prefix(st, "%s", path);
    size_t nvox = at_grid_voxels(&v->grid);
    if (nvox * 4 > (size_t)UINT32_MAX - 1024)
        return at_error_set(AT_ERR_LIMIT, "%s: volume too large for one gzip pass", path);
    int dims[8] = {3, v->grid.dim[0], v->grid.dim[1], v->grid.dim[2], 1, 1, 1, 1};
    nifti_image *nim = nifti_make_new_nim(dims, NIFTI_TYPE_FLOAT32, 0);
    if (!nim)
        return at_error_set(AT_ERR_NOMEM, "%s: cannot build the NIfTI header", path);
    double ras[16];
    at_grid_affine(&v->grid, 1, ras);
    mat44 m;
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            m.m[r][c] = (float)ras[r * 4 + c];
    nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->sto_xyz = m;
    float dx, dy, dz, qfac;
    nifti_mat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x,
                           &nim->qoffset_y, &nim->qoffset_z, &dx, &dy, &dz, &qfac);
    nim->qfac = qfac;
    nim->dx = nim->pixdim[1] = (float)v->grid.spacing[0];
    nim->dy = nim->pixdim[2] = (float)v->grid.spacing[1];
    nim->dz = nim->pixdim[3] = (float)v->grid.spacing[2];
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->time_units = NIFTI_UNITS_SEC;
    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    snprintf(nim->descrip, sizeof nim->descrip, "atelier %s", ATELIER_VERSION);
    nifti_1_header h = nifti_convert_nim2nhdr(nim);
    nifti_image_free(nim);
    h.vox_offset = 352;
    memcpy(h.magic, "n+1", 4);
    size_t total = 352 + nvox * 4;
    unsigned char *buf = at_malloc(total);
    if (!buf)
        return AT_ERR_NOMEM;
    memcpy(buf, &h, NIFTI_HEADER_BYTES);
    memset(buf + NIFTI_HEADER_BYTES, 0, 4);
    memcpy(buf + 352, v->data, nvox * 4);
    if (ends_with(path, ".gz")) {
        unsigned char *z = NULL;
        size_t zlen = 0;
        st = gzip_bytes(buf, total, &z, &zlen);
        at_free(buf);
        if (st)
            return at_error_prefix(st, "%s", path);
        st = at_file_write_atomic(path, z, zlen);
        at_free(z);
        return st;
    }
    st = at_file_write_atomic(path, buf, total);
    at_free(buf);
    return st;
}
