/* A minimal PNG writer: 8-bit greyscale, filter 0, one zlib IDAT. */
#include "atelier/sct.h"

#include <string.h>
#include <zlib.h>

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static at_status chunk(at_buf *b, const char *type, const unsigned char *data, size_t len)
{
    unsigned char head[8], crc[4];
    put32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, (const Bytef *)type, 4);
    if (len)
        c = crc32(c, data, (uInt)len);
    put32(crc, (uint32_t)c);
    at_status st = at_buf_append(b, head, 8);
    if (!st && len)
        st = at_buf_append(b, data, len);
    if (!st)
        st = at_buf_append(b, crc, 4);
    return st;
}

at_status at_png_write_gray(const char *path, const unsigned char *pixels, int width, int height)
{
    if (width < 1 || height < 1 || width > 16384 || height > 16384)
        return at_error_set(AT_ERR_ARG, "PNG size %dx%d out of range", width, height);
    size_t raw_len = (size_t)height * ((size_t)width + 1);
    unsigned char *raw = at_malloc(raw_len);
    uLongf zlen = compressBound((uLong)raw_len);
    unsigned char *z = at_malloc(zlen);
    if (!raw || !z) {
        at_free(raw);
        at_free(z);
        return AT_ERR_NOMEM;
    }
    for (int y = 0; y < height; y++) {
        raw[(size_t)y * (width + 1)] = 0;
        memcpy(raw + (size_t)y * (width + 1) + 1, pixels + (size_t)y * width, (size_t)width);
    }
    at_status st = AT_OK;
    if (compress2(z, &zlen, raw, (uLong)raw_len, 6) != Z_OK)
        st = at_error_set(AT_ERR_IO, "%s: PNG compression failed", path);
    at_buf b;
    at_buf_init(&b, (size_t)1 << 30);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)width);
    put32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 0;  /* greyscale */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering, filter 0 used */
    ihdr[12] = 0; /* no interlace */
    if (!st)
        st = at_buf_append(&b, sig, 8);
    if (!st)
        st = chunk(&b, "IHDR", ihdr, 13);
    if (!st)
        st = chunk(&b, "IDAT", z, zlen);
    if (!st)
        st = chunk(&b, "IEND", NULL, 0);
    if (!st)
        st = at_file_write_atomic(path, b.data, b.len);
    at_buf_free(&b);
    at_free(raw);
    at_free(z);
    return st;
}
