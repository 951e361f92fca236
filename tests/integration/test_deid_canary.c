/* Proof test: a unique canary in EVERY attribute of PS3.15 Table E.1-1 that
 * has a concrete tag (value valid for the tag's VR from the dictionary),
 * in the main dataset, in nested sequence items (two levels), in the items
 * of every sequence row, in private blocks, in sequences encoded as UN
 * (PS3.5 6.2.2: defined length in the tree, undefined length spliced into
 * the encoded bytes) and in a public tag the dictionary does not know (UN),
 * in the four transfer syntaxes, and a safe private element whose value
 * does not match the safe table's pattern. After the basic profile no canary remains anywhere in the
 * output bytes (deflated outputs inflated first); with each option exactly
 * the canaries that option keeps remain, and nothing else.
 *
 * Rows skipped: group 0000 (command elements cannot be encoded in a
 * dataset); group 0002 rows are planted in the File Meta, which the door
 * rebuilds (so they never remain). */
#include "support.h"

#include "atelier/deid.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAX_CANARIES 16384

typedef struct {
    unsigned char bytes[48];
    size_t len;
    int row;  /* profile row index, -1 for private/inner */
    int kind; /* 0 row value, 1 inner of a sequence row, 2 private unsafe, 3 private safe, 4 meta row */
    at_vr vr;
} canary;

static canary canaries[MAX_CANARIES];
static size_t ncanaries;
static unsigned counter;
static int skipped_rows;

/* The calendar date of day number days after 1000-01-01 (proleptic
 * Gregorian; H. Hinnant's civil_from_days). */
static void civil_from_days(long days, int *y, int *m, int *d)
{
    long z = days + 365183; /* days since 0000-03-01 */
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static const canary *new_canary(int row, int kind, at_vr vr)
{
    assert_true(ncanaries < MAX_CANARIES);
    canary *c = &canaries[ncanaries++];
    memset(c, 0, sizeof *c);
    c->row = row;
    c->kind = kind;
    c->vr = vr;
    unsigned n = ++counter;
    char vrs[3];
    at_vr_name(vr, vrs);
    char *s = (char *)c->bytes;
    /* dates 1100 days apart on the calendar: a shift (<= 1095 days) never
     * lands on another; their own counter keeps the years within four digits */
    static unsigned date_count;
    if (!strcmp(vrs, "DA") || !strcmp(vrs, "DT")) {
        int y, m, d;
        civil_from_days(1100L * ++date_count, &y, &m, &d);
        assert_true(y <= 9999);
        if (!strcmp(vrs, "DA"))
            snprintf(s, sizeof c->bytes, "%04d%02d%02d", y, m, d);
        else
            snprintf(s, sizeof c->bytes, "%04d%02d%02d101010.%06u", y, m, d, n);
    } else if (!strcmp(vrs, "TM"))
        snprintf(s, sizeof c->bytes, "101010.%06u", n);
    else if (!strcmp(vrs, "UI"))
        snprintf(s, sizeof c->bytes, "1.2.999.%08u", n);
    else if (!strcmp(vrs, "IS") || !strcmp(vrs, "DS")) /* the sign: never inside a date's digits */
        snprintf(s, sizeof c->bytes, "-9%07u", n);
    else if (!strcmp(vrs, "AS")) { /* digits outside the base32 alphabet (0 1 8 9) */
        static const char dg[] = "0189", unit[] = "DWMY";
        static unsigned as_count = 16; /* few AS rows: their own counter; not the dummy 000Y */
        unsigned a = as_count++;
        assert_true(a < 256);
        snprintf(s, sizeof c->bytes, "%c%c%c%c", dg[a / 64 % 4], dg[a / 16 % 4], dg[a / 4 % 4], unit[a % 4]);
    } else if (!strcmp(vrs, "UR"))
        snprintf(s, sizeof c->bytes, "http://cnry%06u.invalid/", n);
    else if (!strcmp(vrs, "AE") || !strcmp(vrs, "CS") || !strcmp(vrs, "SH") || !strcmp(vrs, "LO") ||
             !strcmp(vrs, "PN") || !strcmp(vrs, "LT") || !strcmp(vrs, "ST") || !strcmp(vrs, "UT") ||
             !strcmp(vrs, "UC")) {
        /* the counter in letters: no digit run that a date of the file
         * (12 mars 2024, 010564) or an ID could be found in */
        char l[7];
        for (int k = 5, v = (int)n; k >= 0; k--, v /= 26)
            l[k] = (char)('A' + v % 26);
        l[6] = '\0';
        snprintf(s, sizeof c->bytes, "CNRY%sQ", l);
    } else {
        /* binary: 8 bytes, palindromic within each swap unit so the byte
         * order of the transfer syntax does not change the pattern */
        unsigned unit = at_vr_swap_unit(vr);
        unsigned char m1 = 0xc3, m2 = (unsigned char)(0x5a ^ (n & 0xff)),
                      m3 = (unsigned char)(0xa5 ^ (n >> 8)), m4 = 0x3c;
        unsigned char p1[8] = {m1, m2, m3, m4, m4, m3, m2, m1};
        unsigned char p2[8] = {m1, m1, m2, m2, m3, m3, m4, m4};
        unsigned char p4[8] = {m1, m2, m2, m1, m3, m4, m4, m3};
        memcpy(c->bytes, unit == 2 ? p2 : unit == 4 ? p4 : p1, 8);
        c->len = 8;
        return c;
    }
    c->len = strlen(s);
    return c;
}

static void put_canary(at_dcm_dataset *ds, at_tag tag, const canary *c)
{
    assert_int_equal(at_dcm_set_bytes(ds, tag, c->vr, c->bytes, (uint32_t)c->len), AT_OK);
}

/* All the non-sequence rows (and one item per sequence row) into ds. */
static void plant_rows(at_dcm_dataset *ds, int with_sequences)
{
    size_t rows = at_deid_table_size();
    for (size_t i = 0; i < rows; i++) {
        at_tag tag, mask;
        assert_int_equal(at_deid_table_row(i, &tag, &mask, NULL, NULL, NULL), AT_OK);
        if (mask != 0xffffffffu || AT_TAG_GROUP(tag) <= 0x0002)
            continue;
        /* every row must be known by tag (the dictionary has a supplement for
         * rows newer than DCMTK's), also when read from implicit VR */
        const at_dcm_dict_entry *e = at_dcm_dict_lookup(tag);
        at_vr vr = e ? e->vr : AT_VR_NONE;
        if (vr == AT_VR_NONE) {
            skipped_rows++;
            continue;
        }
        if (vr == AT_VR('S', 'Q')) {
            if (!with_sequences)
                continue;
            at_dcm_dataset *item;
            assert_int_equal(at_dcm_sequence_append(ds, tag, &item), AT_OK);
            put_canary(item, AT_TAG(0x0008, 0x0050), new_canary((int)i, 1, AT_VR('S', 'H')));
            continue;
        }
        put_canary(ds, tag, new_canary((int)i, 0, vr));
    }
    /* wildcard rows: overlay data and comments, curve data */
    size_t first_wild = 0;
    for (size_t i = 0; i < rows; i++) {
        at_tag tag, mask;
        at_deid_table_row(i, &tag, &mask, NULL, NULL, NULL);
        if (mask != 0xffffffffu && !first_wild)
            first_wild = i;
        if (mask == 0xffffffffu || (tag & 0x00010000u))
            continue;
        at_tag concrete = AT_TAG(AT_TAG_GROUP(tag) + 2, AT_TAG_ELEMENT(tag) ? AT_TAG_ELEMENT(tag) : 0x3000);
        const at_dcm_dict_entry *e = at_dcm_dict_lookup(concrete);
        at_vr vr = e && e->vr ? e->vr : AT_VR('O', 'B');
        put_canary(ds, concrete, new_canary((int)i, 0, vr));
    }
    /* private blocks: an unknown vendor (never safe) and a safe element */
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0009, 0x0010), AT_VR('L', 'O'), "ACME CANARY 1"), AT_OK);
    put_canary(ds, AT_TAG(0x0009, 0x1001), new_canary(-1, 2, AT_VR('L', 'O')));
    put_canary(ds, AT_TAG(0x0009, 0x1002), new_canary(-1, 2, AT_VR('U', 'N')));
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0019, 0x0010), AT_VR('L', 'O'), "SIEMENS MR HEADER"),
                     AT_OK);
    /* safe element, value matching the safe table's pattern (a b-value): kept
     * with safe-private; a safe element whose value does not match: removed */
    canary *b = (canary *)new_canary(-1, 3, AT_VR('I', 'S'));
    static unsigned bvalue = 70002; /* last digit 2-9: never the YYYYM of a date */
    b->len = (size_t)snprintf((char *)b->bytes, sizeof b->bytes, "%u", bvalue);
    bvalue += bvalue % 10 == 9 ? 3 : 1;
    put_canary(ds, AT_TAG(0x0019, 0x100c), b);
    put_canary(ds, AT_TAG(0x0019, 0x100d), new_canary(-1, 2, AT_VR('C', 'S')));
    put_canary(ds, AT_TAG(0x0019, 0x1001), new_canary(-1, 2, AT_VR('L', 'O')));
    /* a public tag the dictionary does not know, holding a date, as UN: never kept */
    const canary *u = new_canary(-1, 2, AT_VR('D', 'A'));
    assert_int_equal(
        at_dcm_set_bytes(ds, AT_TAG(0x0018, 0x9ff2), AT_VR('U', 'N'), u->bytes, (uint32_t)u->len), AT_OK);
}

/* ds encoded as one implicit VR little endian item (PS3.5 6.2.2: what a UN
 * holding a sequence contains): item tag, then the defined length or
 * undefined length (and an item delimiter after the dataset). malloc'd. */
static unsigned char *encode_implicit_item(at_dcm_dataset *ds, int undefined, size_t *n)
{
    at_dcm_file f;
    memset(&f, 0, sizeof f);
    f.meta = at_dcm_dataset_new();
    f.dataset = ds;
    snprintf(f.transfer_syntax, sizeof f.transfer_syntax, "%s", AT_TS_IMPLICIT_LE);
    unsigned char *bytes;
    size_t len;
    assert_int_equal(at_dcm_write_memory(&f, &bytes, &len), AT_OK);
    at_dcm_dataset_free(f.meta);
    uint32_t glen = bytes[140] | bytes[141] << 8 | bytes[142] << 16 | (uint32_t)bytes[143] << 24;
    size_t start = 144 + glen, body = len - start;
    unsigned char *out = malloc(body + 16);
    assert_non_null(out);
    uint32_t il = undefined ? 0xffffffffu : (uint32_t)body;
    unsigned char head[8] = {0xfe,
                             0xff,
                             0x00,
                             0xe0,
                             (unsigned char)il,
                             (unsigned char)(il >> 8),
                             (unsigned char)(il >> 16),
                             (unsigned char)(il >> 24)};
    memcpy(out, head, 8);
    memcpy(out + 8, bytes + start, body);
    *n = 8 + body;
    if (undefined) {
        memcpy(out + *n, "\xfe\xff\x0d\xe0\0\0\0\0", 8);
        *n += 8;
    }
    at_free(bytes);
    return out;
}

/* A UN element of undefined length (0008,1250) Related Series Sequence, to
 * be spliced into the encoded file (the tree cannot say "UN, undefined"). */
static unsigned char *un_undefined;
static size_t un_undefined_len;

/* Sequences encoded as UN (PS3.5 6.2.2), holding canaries of every row:
 * (0008,1115) Referenced Series Sequence as UN of defined length in the tree
 * (a nested (0008,1140) Referenced Image Sequence inside it), and the bytes
 * of (0008,1250) as UN of undefined length for splicing (header in the
 * file's byte order, content implicit VR LE as the standard says). */
static void plant_un_sequences(at_dcm_dataset *ds, int big_endian)
{
    at_dcm_dataset *item = at_dcm_dataset_new(), *inner;
    assert_non_null(item);
    plant_rows(item, 0);
    assert_int_equal(at_dcm_sequence_append(item, AT_TAG(0x0008, 0x1140), &inner), AT_OK);
    plant_rows(inner, 0);
    size_t n;
    unsigned char *bytes = encode_implicit_item(item, 0, &n);
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0008, 0x1115), AT_VR('U', 'N'), bytes, (uint32_t)n),
                     AT_OK);
    free(bytes);
    at_dcm_dataset_free(item);

    item = at_dcm_dataset_new();
    assert_non_null(item);
    plant_rows(item, 0);
    bytes = encode_implicit_item(item, 1, &n);
    at_dcm_dataset_free(item);
    free(un_undefined);
    un_undefined = malloc(n + 20);
    assert_non_null(un_undefined);
    static const unsigned char le[12] = {0x08, 0x00, 0x50, 0x12, 'U', 'N', 0, 0, 0xff, 0xff, 0xff, 0xff};
    static const unsigned char be[12] = {0x00, 0x08, 0x12, 0x50, 'U', 'N', 0, 0, 0xff, 0xff, 0xff, 0xff};
    memcpy(un_undefined, big_endian ? be : le, 12);
    memcpy(un_undefined + 12, bytes, n);
    memcpy(un_undefined + 12 + n, "\xfe\xff\xdd\xe0\0\0\0\0", 8);
    un_undefined_len = 12 + n + 8;
    free(bytes);
}

static at_dcm_file *make_canary_file(const char *ts)
{
    at_dcm_file *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dataset = at_dcm_dataset_new();
    f->meta = at_dcm_dataset_new();
    f->has_preamble = 1;
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", ts);
    plant_rows(f->dataset, 1);
    /* nested: two levels of an unlisted sequence (Procedure Code Sequence) */
    at_dcm_dataset *lvl1, *lvl2;
    assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0008, 0x1032), &lvl1), AT_OK);
    plant_rows(lvl1, 0);
    assert_int_equal(at_dcm_sequence_append(lvl1, AT_TAG(0x0008, 0x1032), &lvl2), AT_OK);
    plant_rows(lvl2, 0);
    plant_un_sequences(f->dataset, !strcmp(ts, AT_TS_EXPLICIT_BE));
    assert_int_equal(
        at_dcm_set_string(f->dataset, AT_TAG(0x0008, 0x0016), AT_VR('U', 'I'), "1.2.840.10008.5.1.4.1.1.2"),
        AT_OK);
    assert_int_equal(at_dcm_set_string(f->dataset, AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), "CT"), AT_OK);
    /* meta rows */
    size_t rows = at_deid_table_size();
    for (size_t i = 0; i < rows; i++) {
        at_tag tag, mask;
        at_deid_table_row(i, &tag, &mask, NULL, NULL, NULL);
        if (mask != 0xffffffffu || AT_TAG_GROUP(tag) != 0x0002)
            continue;
        const at_dcm_dict_entry *e = at_dcm_dict_lookup(tag);
        if (e && e->vr)
            put_canary(f->meta, tag, new_canary((int)i, 4, e->vr));
    }
    assert_int_equal(at_dcm_set_string(f->meta, AT_TAG(0x0002, 0x0010), AT_VR('U', 'I'), ts), AT_OK);
    return f;
}

/* Would this canary survive a run with exactly these options? From the
 * table's option column and the clean rule per VR (docs/deid.md). */
static int expected_to_remain(const canary *c, unsigned options, int implicit)
{
    if (c->kind == 1 || c->kind == 2 || c->kind == 4)
        return 0;
    if (c->kind == 3)
        return (options & AT_DEID_OPT_SAFE_PRIVATE) != 0;
    const char *opts;
    assert_int_equal(at_deid_table_row((size_t)c->row, NULL, NULL, NULL, NULL, &opts), AT_OK);
    int remain = 0;
    for (int col = 0; col < AT_DEID_OPTION_COLUMNS; col++) {
        if (!(options & (1u << col)))
            continue;
        if (opts[col] == 'K')
            remain = 1;
        else if (opts[col] == 'C') {
            char v[3];
            at_vr_name(c->vr, v);
            if ((1u << col) == AT_DEID_OPT_MODIFIED_DATES)
                remain |= !strcmp(v, "TM"); /* DA and DT shifted; times of day kept */
            else if ((1u << col) == AT_DEID_OPT_DEVICE_IDENTITY)
                remain |= strcmp(v, "AE") != 0; /* AE titles get keyed pseudonyms */
            else
                remain = 1; /* scrubbed of the header's identifiers: a canary is none */
        }
    }
    return remain;
}

static unsigned char *inflate_dataset(unsigned char *data, size_t len, size_t *outlen)
{
    /* preamble, DICM, (0002,0000) UL group length */
    assert_true(len > 144 && !memcmp(data + 128, "DICM", 4));
    uint32_t glen = data[140] | data[141] << 8 | data[142] << 16 | (uint32_t)data[143] << 24;
    size_t start = 144 + glen;
    assert_true(start <= len);
    size_t cap = 64 << 20;
    unsigned char *out = malloc(start + cap);
    assert_non_null(out);
    memcpy(out, data, start);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(inflateInit2(&zs, -15), Z_OK);
    zs.next_in = data + start;
    zs.avail_in = (uInt)(len - start);
    zs.next_out = out + start;
    zs.avail_out = (uInt)cap;
    int zr = inflate(&zs, Z_FINISH);
    assert_true(zr == Z_STREAM_END);
    *outlen = start + zs.total_out;
    inflateEnd(&zs);
    return out;
}

static int contains_bytes(const unsigned char *h, size_t n, const unsigned char *needle, size_t m)
{
    return memmem(h, n, needle, m) != NULL;
}

static int is_number_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

/* A canary in the bytes. One made of digits (dates, times, numbers, UIDs)
 * counts only at the start of a value (after a length field or a
 * backslash), not after a digit or a dot: the decimal digits of a 2.25 UID
 * pseudonym hold any 8-digit string now and then. (What follows a value is
 * the next tag, whose bytes may well be digits.) */
static int contains_canary(const unsigned char *h, size_t n, const canary *c)
{
    if (!is_number_char(c->bytes[c->len - 1]))
        return contains_bytes(h, n, c->bytes, c->len);
    for (const unsigned char *p = h; (p = memmem(p, n - (size_t)(p - h), c->bytes, c->len)); p++) {
        size_t at = (size_t)(p - h);
        if (at == 0 || !is_number_char(h[at - 1]))
            return 1;
    }
    return 0;
}

/* Collect output .dcm paths (recursive). */
static void list_outputs(const char *dir, char ***paths, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        assert_int_equal(stat(p, &sb), 0);
        if (S_ISDIR(sb.st_mode))
            list_outputs(p, paths, n);
        else if (strstr(de->d_name, ".dcm")) {
            *paths = realloc(*paths, (*n + 1) * sizeof **paths);
            (*paths)[(*n)++] = strdup(p);
        }
    }
    closedir(d);
}

/* Append the UN element of undefined length to the main dataset of the file
 * at path (transfer syntax index t; the reader sorts a dataset read out of
 * order). Implicit VR cannot say UN: there the element is a plain sequence
 * of undefined length. Deflated files are inflated and deflated again. */
static void splice_un_undefined(const char *path, int t)
{
    size_t len;
    unsigned char *data = test_read_file(path, &len);
    assert_non_null(data);
    unsigned char *add = malloc(un_undefined_len);
    assert_non_null(add);
    size_t addn = un_undefined_len;
    memcpy(add, un_undefined, addn);
    if (t == 0) { /* tag, then the 4-byte undefined length where explicit VR has "UN" 00 00 */
        memmove(add + 4, add + 8, addn - 8);
        addn -= 4;
    }
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (t == 2) {
        size_t flen;
        unsigned char *full = inflate_dataset(data, len, &flen);
        uint32_t glen = data[140] | data[141] << 8 | data[142] << 16 | (uint32_t)data[143] << 24;
        size_t start = 144 + glen, body = flen - start + addn;
        unsigned char *plain = malloc(body);
        assert_non_null(plain);
        memcpy(plain, full + start, flen - start);
        memcpy(plain + flen - start, add, addn);
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        size_t cap = deflateBound(&zs, body) + 2;
        unsigned char *z = malloc(cap);
        assert_non_null(z);
        zs.next_in = plain;
        zs.avail_in = (uInt)body;
        zs.next_out = z;
        zs.avail_out = (uInt)cap;
        assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
        size_t zn = zs.total_out;
        deflateEnd(&zs);
        if (zn & 1)
            z[zn++] = 0;
        assert_int_equal(fwrite(data, 1, start, fp), start);
        assert_int_equal(fwrite(z, 1, zn, fp), zn);
        free(z);
        free(plain);
        free(full);
    } else {
        assert_int_equal(fwrite(data, 1, len, fp), len);
        assert_int_equal(fwrite(add, 1, addn, fp), addn);
    }
    assert_int_equal(fclose(fp), 0);
    free(add);
    free(data);
}

static const char *const syntaxes[] = {AT_TS_IMPLICIT_LE, AT_TS_EXPLICIT_LE, AT_TS_DEFLATED_LE,
                                       AT_TS_EXPLICIT_BE};

static void test_canaries(void **state)
{
    (void)state;
    assert_int_equal(at_crypto_init(), AT_OK);
    char *dir = test_mkdtemp();
    char in[1024];
    snprintf(in, sizeof in, "%s/in", dir);
    assert_int_equal(at_mkdir_p(in, 0755), AT_OK);
    /* one input per transfer syntax, each with its own canaries */
    size_t file_first[4], file_end[4];
    for (int t = 0; t < 4; t++) {
        file_first[t] = ncanaries;
        at_dcm_file *f = make_canary_file(syntaxes[t]);
        file_end[t] = ncanaries;
        char path[1100];
        snprintf(path, sizeof path, "%s/canary%d.dcm", in, t);
        at_status st = at_dcm_write_file(f, path);
        if (st)
            fprintf(stderr, "write: %s\n", at_error_message());
        assert_int_equal(st, AT_OK);
        at_dcm_file_free(f);
        splice_un_undefined(path, t);
    }
    fprintf(stderr, "canaries planted: %zu (rows without a VR skipped: %d)\n", ncanaries, skipped_rows);
    assert_int_equal(skipped_rows, 0);
    /* each input holds every canary before the door */
    for (int t = 0; t < 4; t++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/canary%d.dcm", in, t);
        size_t len, flen;
        unsigned char *data = test_read_file(path, &len);
        unsigned char *full = t == 2 ? inflate_dataset(data, len, &flen) : data;
        if (t != 2)
            flen = len;
        for (size_t i = file_first[t]; i < file_end[t]; i++)
            assert_true(contains_canary(full, flen, &canaries[i]));
        if (full != data)
            free(full);
        free(data);
    }
    at_key key;
    memset(&key, 0x5c, sizeof key);
    unsigned runs[1 + AT_DEID_OPTION_COLUMNS];
    int nruns = 0;
    runs[nruns++] = 0;
    for (int col = 0; col < AT_DEID_OPTION_COLUMNS; col++)
        if (at_deid_option_name(1u << col))
            runs[nruns++] = 1u << col;
    for (int r = 0; r < nruns; r++) {
        char out[1100];
        snprintf(out, sizeof out, "%s/out%d", dir, r);
        at_deid_batch_config cfg = {.options = runs[r], .key = &key, .threads = 2};
        at_deid_batch_result res;
        const char *inputs[] = {in};
        assert_int_equal(at_deid_batch_run(inputs, 1, out, &cfg, &res), AT_OK);
        assert_int_equal(res.files_seen, 4);
        assert_int_equal(res.files_rejected, 0);
        at_deid_batch_result_free(&res);
        char **paths = NULL;
        size_t n = 0;
        list_outputs(out, &paths, &n);
        assert_int_equal(n, 4);
        /* all canaries of all inputs: each output holds exactly the expected ones of its own input */
        size_t remained = 0, expected_total = 0;
        for (size_t k = 0; k < n; k++) {
            size_t len, flen;
            unsigned char *data = test_read_file(paths[k], &len);
            assert_non_null(data);
            /* which input: the transfer syntax in the rebuilt File Meta, padded,
             * followed by the next meta element (0002,0012) */
            int t = -1;
            for (int s = 0; s < 4 && t < 0; s++) {
                unsigned char pat[80];
                size_t tl = strlen(syntaxes[s]);
                memcpy(pat, syntaxes[s], tl);
                if (tl & 1)
                    pat[tl++] = '\0';
                memcpy(pat + tl, "\x02\x00\x12\x00", 4);
                if (contains_bytes(data, len > 512 ? 512 : len, pat, tl + 4))
                    t = s;
            }
            assert_true(t >= 0);
            int deflated = t == 2;
            unsigned char *full = deflated ? inflate_dataset(data, len, &flen) : data;
            if (!deflated)
                flen = len;
            for (size_t i = 0; i < ncanaries; i++) {
                int present = contains_canary(full, flen, &canaries[i]);
                int mine = i >= file_first[t] && i < file_end[t];
                int expect = mine && expected_to_remain(&canaries[i], runs[r], t == 0);
                if (present != expect) {
                    const char *name = "?";
                    at_tag tag = 0;
                    if (canaries[i].row >= 0)
                        at_deid_table_row((size_t)canaries[i].row, &tag, NULL, &name, NULL, NULL);
                    fprintf(stderr, "options %s, %s: canary %zu (kind %d, row (%04X,%04X) %s, %.*s) %s\n",
                            runs[r] ? at_deid_option_name(runs[r]) : "none", syntaxes[t], i, canaries[i].kind,
                            AT_TAG_GROUP(tag), AT_TAG_ELEMENT(tag), name, (int)canaries[i].len,
                            canaries[i].kind == 0 && canaries[i].len && canaries[i].bytes[0] >= '-'
                                ? (const char *)canaries[i].bytes
                                : "",
                            present ? "remains but should not" : "is gone but should remain");
                }
                if (present != expect && getenv("CANARY_KEEP"))
                    fprintf(stderr, "kept for inspection: %s (output %s)\n", dir, paths[k]);
                if (present != expect && getenv("CANARY_KEEP"))
                    return;
                assert_int_equal(present, expect);
                remained += present;
                expected_total += expect;
            }
            if (full != data)
                free(full);
            free(data);
            free(paths[k]);
        }
        free(paths);
        fprintf(stderr, "options %-24s: %zu canaries remain (expected %zu)\n",
                runs[r] ? at_deid_option_name(runs[r]) : "(basic profile)", remained, expected_total);
        if (runs[r] == 0)
            assert_int_equal(remained, 0);
        else
            assert_true(expected_total > 0);
    }
    test_rmtree(dir);
    free(dir);
    free(un_undefined);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_canaries)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
