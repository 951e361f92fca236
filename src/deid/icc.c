/* ICC profiles (ICC.1:2010 / ISO 15076-1, and version 2): what a colour
 * profile needs is numbers (primaries, curves, lookup tables); what it may
 * carry besides is text: descriptions, copyright, device manufacturer and
 * model names, a calibration date, private tags. The profile is parsed
 * (header, tag table, every tag inside the declared size) and written back
 * byte for byte except: the header's date, profile ID, CMM, platform,
 * device and creator signatures and reserved bytes zeroed; every tag whose
 * type is not a known numeric type blanked to a valid empty value
 * (textDescription: an empty string; multiLocalizedUnicode: one empty
 * record; any other: its type signature and zeros); the bytes no tag covers
 * zeroed. A profile that cannot be parsed so (a length past the end, tags
 * overlapping in part, no 'acsp') is removed: the attribute is optional. */
#include "deid/pixels.h"

#include <string.h>

#define ICC_HEADER 128
#define ICC_MAX_TAGS 1024

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
    p[3] = (unsigned char)v;
}

/* Tag types that hold numbers only (their content is kept). */
static int numeric_type(const unsigned char *t)
{
    static const char *const types[] = {"XYZ ", "curv", "para", "mft1", "mft2", "mAB ", "mBA ",
                                        "mpet", "sf32", "uf32", "ui08", "ui16", "ui32", "ui64",
                                        "chrm", "meas", "view", "sig ", "clro", "vcgt"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!memcmp(t, types[i], 4))
            return 1;
    return 0;
}

/* Blank one tag's content in place (size bytes at p, size >= 8 unless
 * noted): a valid empty value of its type. */
static void blank_tag(unsigned char *p, size_t size)
{
    if (size < 8) {
        memset(p, 0, size);
        return;
    }
    unsigned char type[4];
    memcpy(type, p, 4);
    memset(p + 4, 0, size - 4);
    if (!memcmp(type, "desc", 4) && size >= 12 + 1) {
        put_be32(p + 8, 1); /* ASCII count 1: the terminating NUL; no Unicode, no ScriptCode */
    } else if (!memcmp(type, "mluc", 4) && size >= 28) {
        put_be32(p + 8, 1);   /* one record */
        put_be32(p + 12, 12); /* record size */
        memcpy(p + 16, "enUS", 4);
        put_be32(p + 20, 0);  /* length 0 */
        put_be32(p + 24, 28); /* offset: just past the record */
    }
}

int at_deid_icc_clean_bytes(unsigned char *p, size_t n)
{
    if (n < ICC_HEADER + 4 || memcmp(p + 36, "acsp", 4))
        return -1;
    uint32_t size = be32(p);
    if (size < ICC_HEADER + 4 || size > n)
        return -1;
    uint32_t count = be32(p + ICC_HEADER);
    if (count > ICC_MAX_TAGS || (uint64_t)ICC_HEADER + 4 + 12 * (uint64_t)count > size)
        return -1;
    size_t table_end = ICC_HEADER + 4 + 12 * (size_t)count;
    /* every tag inside the profile, after the table; ranges equal or disjoint */
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *e = p + ICC_HEADER + 4 + 12 * (size_t)i;
        uint64_t off = be32(e + 4), len = be32(e + 8);
        if (off < table_end || off + len > size)
            return -1;
        for (uint32_t k = 0; k < i; k++) {
            const unsigned char *o = p + ICC_HEADER + 4 + 12 * (size_t)k;
            uint64_t off2 = be32(o + 4), len2 = be32(o + 8);
            int same = off2 == off && len2 == len;
            if (!same && off < off2 + len2 && off2 < off + len)
                return -1;
        }
    }
    unsigned char *covered = at_calloc(size, 1);
    if (!covered)
        return -2;
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *e = p + ICC_HEADER + 4 + 12 * (size_t)i;
        size_t off = be32(e + 4), len = be32(e + 8);
        if (len && covered[off])
            continue; /* a range shared with a tag seen before: done */
        memset(covered + off, 1, len);
        if (len >= 8 && numeric_type(p + off))
            memset(p + off + 4, 0, 4); /* reserved */
        else
            blank_tag(p + off, len);
    }
    /* the header: date, profile ID, CMM, platform, device, creator, reserved */
    memset(p + 4, 0, 4);
    memset(p + 24, 0, 12);
    memset(p + 40, 0, 4);
    memset(p + 48, 0, 8);
    memset(p + 80, 0, 48);
    for (size_t i = table_end; i < size; i++)
        if (!covered[i])
            p[i] = 0;
    memset(p + size, 0, n - size);
    at_free(covered);
    return 0;
}

at_status at_deid_icc_clean(at_dcm_element *el, at_deid_stats *stats, int *keep)
{
    *keep = 1;
    if (!el->value || !el->length)
        return AT_OK;
    int r = el->items ? -1 : at_deid_icc_clean_bytes(el->value, el->length);
    if (r == -2)
        return AT_ERR_NOMEM;
    if (r) {
        *keep = 0;
        stats->icc_profiles_removed++;
    } else
        stats->icc_profiles_cleaned++;
    return AT_OK;
}
