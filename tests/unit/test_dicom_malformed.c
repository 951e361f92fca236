/* Hostile and broken DICOM input: a table of malformed files (each a clean
 * one-line error naming the file, the offset and the tag), every truncation
 * of small valid files, 20,000 nested sequences, and an out-of-memory walk
 * over reading, writing, cloning, dumping and JSON. ASan checks for leaks. */
#include "support.h"

#include "atelier/dicom.h"
#include "dicom_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    unsigned char *p;
    size_t n, cap;
} bytes;

static void add(bytes *b, const void *s, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void add16(bytes *b, uint16_t v)
{
    add(b, (unsigned char[]){(unsigned char)v, (unsigned char)(v >> 8)}, 2);
}
static void add32(bytes *b, uint32_t v)
{
    add16(b, (uint16_t)v);
    add16(b, (uint16_t)(v >> 16));
}

/* Explicit VR LE element header. */
static void hdr(bytes *b, uint16_t g, uint16_t e, const char *vr, uint32_t len)
{
    add16(b, g);
    add16(b, e);
    add(b, vr, 2);
    if (at_vr_has_long_length(AT_VR(vr[0], vr[1]))) {
        add16(b, 0);
        add32(b, len);
    } else {
        add16(b, (uint16_t)len);
    }
}

static void item(bytes *b, uint16_t e, uint32_t len)
{
    add16(b, 0xFFFE);
    add16(b, e);
    add32(b, len);
}

/* Preamble, DICM and a meta naming ts. */
static void part10(bytes *b, const char *ts)
{
    unsigned char zero[128] = {0};
    add(b, zero, 128);
    add(b, "DICM", 4);
    size_t n = strlen(ts), padded = n + (n & 1);
    hdr(b, 0x0002, 0x0000, "UL", 4);
    add32(b, (uint32_t)(8 + padded));
    hdr(b, 0x0002, 0x0010, "UI", (uint32_t)padded);
    add(b, ts, n);
    if (padded != n)
        add(b, "", 1);
}

/* Read b (from an exact-size copy, so ASan sees any over-read) and expect
 * failure with code and a one-line message holding want. */
static void expect_error(const bytes *b, at_status code, const char *want)
{
    unsigned char *copy = malloc(b->n ? b->n : 1);
    memcpy(copy, b->p, b->n);
    at_dcm_file *f = (at_dcm_file *)1;
    at_dcm_read_options opt = {"f03.dcm", 0};
    at_status st = at_dcm_read_memory(copy, b->n, &opt, &f);
    free(copy);
    if (st != code || !strstr(at_error_message(), want) || strncmp(at_error_message(), "f03.dcm: ", 9) ||
        strchr(at_error_message(), '\n'))
        fail_msg("got %d '%s', want %d '%s'", st, at_error_message(), code, want);
    assert_null(f);
}

static void test_malformed_table(void **state)
{
    (void)state;
    bytes b = {0};
    /* 1. length larger than what remains (implicit VR bare dataset) */
    add16(&b, 0x0010), add16(&b, 0x0010), add32(&b, 4294967280u), add(&b, "Doe^", 4);
    expect_error(&b, AT_ERR_FORMAT,
                 "f03.dcm: offset 0: element (0010,0010) length 4294967280 exceeds remaining 4 bytes");
    /* 2. odd length */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    size_t at = b.n;
    hdr(&b, 0x0010, 0x0010, "PN", 3), add(&b, "abc", 3);
    char want[128];
    snprintf(want, sizeof want, "offset %zu: element (0010,0010) has odd length 3", at);
    expect_error(&b, AT_ERR_FORMAT, want);
    /* 3. bad item tag in a sequence */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "CT", 2);
    expect_error(&b, AT_ERR_FORMAT, "sequence (0008,1115): expected an item tag, found (0008,0060)");
    /* 4. missing sequence delimiter */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
    item(&b, 0xE000, 0xFFFFFFFF);
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "CT", 2);
    item(&b, 0xE00D, 0);
    expect_error(&b, AT_ERR_FORMAT, "sequence (0008,1115) starting at offset");
    /* 5. unknown VR */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x0060, "ZZ", 2), add(&b, "CT", 2);
    expect_error(&b, AT_ERR_FORMAT, "element (0008,0060): unknown VR");
    /* 6. truncated header */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    add(&b, "\x08\x00\x60", 3);
    expect_error(&b, AT_ERR_FORMAT, "truncated element header");
    /* 7. item longer than its sequence */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x1115, "SQ", 16);
    item(&b, 0xE000, 100);
    add(&b, "\0\0\0\0\0\0\0\0", 8);
    expect_error(&b, AT_ERR_FORMAT, "sequence (0008,1115): item length 100 exceeds remaining 8 bytes");
    /* 8. undefined length on a VR that cannot have one */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x030E, "UT", 0xFFFFFFFF);
    expect_error(&b, AT_ERR_FORMAT, "element (0008,030E) has undefined length");
    /* 9. corrupt deflated dataset */
    b.n = 0;
    part10(&b, AT_TS_DEFLATED_LE);
    add(&b, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    expect_error(&b, AT_ERR_FORMAT, "deflated dataset is corrupt");
    /* 9b. a File Meta group length past the end of the file */
    b.n = 0;
    add(&b, (unsigned char[128]){0}, 128);
    add(&b, "DICM", 4);
    hdr(&b, 0x0002, 0x0000, "UL", 4);
    add32(&b, 0xFFFFFFF0u);
    hdr(&b, 0x0002, 0x0010, "UI", 20);
    add(&b, AT_TS_EXPLICIT_LE, 19), add(&b, "", 1);
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "CT", 2);
    expect_error(&b, AT_ERR_FORMAT,
                 "offset 132: File Meta group length (0002,0000) 4294967280 exceeds remaining 38 bytes");
    /* 10. repeated tag */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "CT", 2);
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "MR", 2);
    expect_error(&b, AT_ERR_FORMAT, "element (0008,0060) appears twice");
    /* 11. big endian UL of 2 bytes */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_BE);
    add(&b, "\x00\x20\x90\x57UL\x00\x02\x00\x01", 10);
    expect_error(&b, AT_ERR_FORMAT, "element (0020,9057) length 2 is not a multiple of 4");
    /* 12. encapsulated pixel data without its delimiter */
    b.n = 0;
    part10(&b, "1.2.840.10008.1.2.4.50");
    hdr(&b, 0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
    item(&b, 0xE000, 0);
    item(&b, 0xE000, 4), add(&b, "\xff\xd8\xff\xd9", 4);
    expect_error(&b, AT_ERR_FORMAT, "encapsulated pixel data (7FE0,0010): truncated");
    /* 13. fragment not an item */
    b.n -= 12;
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "CT", 2);
    expect_error(&b, AT_ERR_FORMAT, "expected an item tag, found (0008,0060)");
    /* 14. empty file; DICM with no meta */
    b.n = 0;
    expect_error(&b, AT_ERR_FORMAT, "empty file");
    unsigned char zero[128] = {0};
    add(&b, zero, 128), add(&b, "DICM", 4), add(&b, "\x08\x00", 2);
    expect_error(&b, AT_ERR_FORMAT, "no File Meta Information");
    /* 15. stray item tag in a dataset */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    item(&b, 0xE000, 0);
    expect_error(&b, AT_ERR_FORMAT, "unexpected item tag (FFFE,E000)");
    /* 16. an undefined-length sequence running past the end of its
     * defined-length parent item */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
    item(&b, 0xE000, 20);
    hdr(&b, 0x0008, 0x1140, "SQ", 0xFFFFFFFF);
    item(&b, 0xE000, 0xFFFFFFFF);
    hdr(&b, 0x0008, 0x1150, "UI", 4), add(&b, "1.2\0", 4);
    item(&b, 0xE00D, 0), item(&b, 0xE0DD, 0), item(&b, 0xE0DD, 0);
    expect_error(&b, AT_ERR_FORMAT, "truncated item");
    /* 17. the same with encapsulated pixel data inside the item */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
    item(&b, 0xE000, 20);
    hdr(&b, 0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
    item(&b, 0xE000, 0), item(&b, 0xE0DD, 0), item(&b, 0xE0DD, 0);
    expect_error(&b, AT_ERR_FORMAT, "encapsulated pixel data (7FE0,0010): truncated");
    free(b.p);
}

static void test_deep_nesting_rejected(void **state)
{
    (void)state;
    bytes b = {0};
    part10(&b, AT_TS_EXPLICIT_LE);
    for (int i = 0; i < 20000; i++) {
        hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
        item(&b, 0xE000, 0xFFFFFFFF);
    }
    for (int i = 0; i < 20000; i++) {
        item(&b, 0xE00D, 0);
        item(&b, 0xE0DD, 0);
    }
    expect_error(&b, AT_ERR_LIMIT, "sequence (0008,1115) nested deeper than 64 levels");
    /* implicit VR, defined lengths: the same */
    b.n = 0;
    for (int i = 0; i < 20000; i++) {
        add16(&b, 0x0008), add16(&b, 0x1115), add32(&b, 0xFFFFFFFF);
        item(&b, 0xE000, 0xFFFFFFFF);
    }
    expect_error(&b, AT_ERR_LIMIT, "nested deeper than 64 levels");
    /* exactly at the ceiling is fine */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    for (int i = 0; i < AT_DCM_MAX_DEPTH; i++) {
        hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
        item(&b, 0xE000, 0xFFFFFFFF);
    }
    for (int i = 0; i < AT_DCM_MAX_DEPTH; i++) {
        item(&b, 0xE00D, 0);
        item(&b, 0xE0DD, 0);
    }
    at_dcm_file *f;
    assert_int_equal(at_dcm_read_memory(b.p, b.n, NULL, &f), AT_OK);
    unsigned char *out;
    size_t len;
    assert_int_equal(at_dcm_write_memory(f, &out, &len), AT_OK);
    /* undefined lengths kept: the same dataset bytes after the meta */
    size_t ds_bytes = (size_t)AT_DCM_MAX_DEPTH * (12 + 8 + 8 + 8);
    assert_true(len > ds_bytes);
    assert_memory_equal(out + len - ds_bytes, b.p + b.n - ds_bytes, ds_bytes);
    at_free(out);
    at_dcm_file_free(f);
    free(b.p);
}

/* Tags out of order are sorted once (not inserted one by one: a hostile
 * order must not make reading quadratic); a repeat found then is an error. */
static void test_out_of_order_elements(void **state)
{
    (void)state;
    bytes b = {0};
    enum { N = 100000 };
    for (int i = 0; i < N; i++) {
        int k = N - 1 - i;
        add16(&b, (uint16_t)(0x0011 + 2 * (k / 0xF000)));
        add16(&b, (uint16_t)(0x1000 + k % 0xF000));
        add32(&b, 0);
    }
    at_dcm_file *f;
    double t0 = at_now_seconds();
    assert_int_equal(at_dcm_read_memory(b.p, b.n, NULL, &f), AT_OK);
    assert_true(at_now_seconds() - t0 < 20.0);
    assert_int_equal(f->dataset->count, N);
    for (size_t i = 1; i < f->dataset->count; i++)
        assert_true(f->dataset->elements[i - 1].tag < f->dataset->elements[i].tag);
    at_dcm_file_free(f);
    /* out of order inside an item, with a repeat */
    b.n = 0;
    part10(&b, AT_TS_EXPLICIT_LE);
    hdr(&b, 0x0008, 0x1115, "SQ", 0xFFFFFFFF);
    item(&b, 0xE000, 0xFFFFFFFF);
    hdr(&b, 0x0010, 0x0020, "LO", 2), add(&b, "AB", 2);
    hdr(&b, 0x0008, 0x0060, "CS", 2), add(&b, "CT", 2);
    hdr(&b, 0x0010, 0x0020, "LO", 2), add(&b, "CD", 2);
    item(&b, 0xE00D, 0), item(&b, 0xE0DD, 0);
    expect_error(&b, AT_ERR_FORMAT, "element (0010,0020) appears twice in the dataset or item starting here");
    /* without the repeat it reads, sorted */
    b.n -= 16 + 10;
    item(&b, 0xE00D, 0), item(&b, 0xE0DD, 0);
    assert_int_equal(at_dcm_read_memory(b.p, b.n, NULL, &f), AT_OK);
    const at_dcm_dataset *it = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1115))->items[0];
    assert_int_equal(it->count, 2);
    assert_int_equal(it->elements[0].tag, AT_TAG(0x0008, 0x0060));
    assert_non_null(at_dcm_find(it, AT_TAG(0x0010, 0x0020)));
    at_dcm_file_free(f);
    free(b.p);
}

static const char *const syntaxes[] = {AT_TS_IMPLICIT_LE, AT_TS_EXPLICIT_LE, AT_TS_EXPLICIT_BE,
                                       AT_TS_DEFLATED_LE, "1.2.840.10008.1.2.4.50"};

/* Every prefix of small valid files (each transfer syntax) reads without a
 * crash, an over-read or a leak; all that fail say so in one line. */
static void test_truncated_everywhere(void **state)
{
    (void)state;
    for (size_t s = 0; s < 5; s++) {
        at_dcm_file *f = sample_file(syntaxes[s], s == 4);
        unsigned char *data;
        size_t len;
        assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
        at_dcm_file_free(f);
        size_t ok = 0;
        for (size_t n = 0; n < len; n++) {
            unsigned char *copy = malloc(n ? n : 1);
            memcpy(copy, data, n);
            at_dcm_file *g;
            at_status st = at_dcm_read_memory(copy, n, NULL, &g);
            free(copy);
            if (st == AT_OK) {
                ok++;
                at_dcm_file_free(g);
            } else {
                assert_null(g);
                assert_true(st == AT_ERR_FORMAT || st == AT_ERR_LIMIT);
                assert_null(strchr(at_error_message(), '\n'));
                assert_non_null(strstr(at_error_message(), "<memory>"));
            }
        }
        /* a few cuts fall between top-level elements; most must fail */
        assert_true(ok < len / 4);
        at_free(data);
    }
}

/* Flip bytes of a valid file: whatever happens, no crash, no leak. */
static void test_corrupted_bytes(void **state)
{
    (void)state;
    at_dcm_file *f = sample_file(AT_TS_EXPLICIT_LE, 0);
    unsigned char *data;
    size_t len;
    assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
    at_dcm_file_free(f);
    at_rng rng;
    at_rng_seed(&rng, 7);
    for (int round = 0; round < 3000; round++) {
        unsigned char *copy = malloc(len);
        memcpy(copy, data, len);
        int flips = 1 + (int)(at_rng_next(&rng) % 4);
        for (int k = 0; k < flips; k++)
            copy[132 + at_rng_next(&rng) % (len - 132)] = (unsigned char)at_rng_next(&rng);
        at_dcm_file *g;
        if (at_dcm_read_memory(copy, len, NULL, &g) == AT_OK) {
            unsigned char *out;
            size_t olen;
            if (at_dcm_write_memory(g, &out, &olen) == AT_OK)
                at_free(out);
            at_buf b;
            at_buf_init(&b, 1 << 24);
            at_dcm_dump(g, &b);
            at_buf_reset(&b);
            at_dcm_to_json(g->dataset, &b);
            at_buf_free(&b);
            at_dcm_file_free(g);
        }
        free(copy);
    }
    at_free(data);
}

/* Out-of-memory walk: the n-th allocation fails, for every n until the
 * operation succeeds. Each failure must be AT_ERR_NOMEM with nothing
 * returned and nothing leaked (ASan). */
/* Deflated dataset of n bytes: one OB element (0042,0011) of zeros. */
static void deflated_zeros(bytes *b, size_t n)
{
    b->n = 0;
    part10(b, AT_TS_DEFLATED_LE);
    unsigned char *plain = calloc(1, n + 12);
    assert_non_null(plain);
    memcpy(plain, "\x42\x00\x11\x00OB\x00\x00", 8);
    for (int k = 0; k < 4; k++)
        plain[8 + k] = (unsigned char)(n >> (8 * k));
    uLong cap = compressBound((uLong)(n + 12)) + 64;
    unsigned char *z = malloc(cap);
    assert_non_null(z);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = plain;
    zs.avail_in = (uInt)(n + 12);
    zs.next_out = z;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    add(b, z, zs.total_out);
    if (zs.total_out & 1)
        add(b, "", 1);
    deflateEnd(&zs);
    free(z);
    free(plain);
}

/* A deflate bomb (64 MiB of zeros in about 64 KB) is refused by the ratio
 * bound; a small highly compressible dataset (under the floor) is read. */
static void test_deflate_bomb(void **state)
{
    (void)state;
    bytes b = {0};
    deflated_zeros(&b, (size_t)64 << 20);
    assert_true(b.n < (256u << 10));
    expect_error(&b, AT_ERR_LIMIT, "deflated dataset inflates past");
    assert_non_null(strstr(at_error_message(), "more than 256 times its"));
    at_error_clear();
    deflated_zeros(&b, (size_t)8 << 20);
    at_dcm_file *f;
    assert_int_equal(at_dcm_read_memory(b.p, b.n, NULL, &f), AT_OK);
    assert_int_equal(at_dcm_find(f->dataset, AT_TAG(0x0042, 0x0011))->length, 8u << 20);
    at_dcm_file_free(f);
    free(b.p);
}

static void test_out_of_memory_walk(void **state)
{
    (void)state;
    for (size_t s = 0; s < 5; s++) {
        at_dcm_file *f = sample_file(syntaxes[s], s == 4);
        unsigned char *data;
        size_t len;
        assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
        at_dcm_file_free(f);
        for (int op = 0; op < 5; op++) {
            at_dcm_file *src = NULL;
            if (op > 0)
                assert_int_equal(at_dcm_read_memory(data, len, NULL, &src), AT_OK);
            int done = 0;
            long n;
            for (n = 1; !done; n++) {
                assert_true(n < 100000);
                at_alloc_fail_after(n);
                at_status st = AT_OK;
                if (op == 0) {
                    at_dcm_file *g = NULL;
                    st = at_dcm_read_memory(data, len, NULL, &g);
                    if (st)
                        assert_null(g);
                    at_dcm_file_free(g);
                } else if (op == 1) {
                    unsigned char *out = NULL;
                    size_t olen;
                    st = at_dcm_write_memory(src, &out, &olen);
                    if (st)
                        assert_null(out);
                    at_free(out);
                } else if (op == 2) {
                    at_dcm_dataset *c = at_dcm_dataset_clone(src->dataset);
                    st = c ? AT_OK : AT_ERR_NOMEM;
                    at_dcm_dataset_free(c);
                } else {
                    at_buf b;
                    at_buf_init(&b, 1 << 24);
                    st = op == 3 ? at_dcm_dump(src, &b) : at_dcm_to_json(src->dataset, &b);
                    at_buf_free(&b);
                }
                long used = n;
                at_alloc_fail_after(0);
                if (st == AT_OK)
                    done = 1;
                else if (st != AT_ERR_NOMEM)
                    fail_msg("op %d syntax %zu: allocation %ld failing gave %d (%s)", op, s, used, st,
                             at_error_message());
            }
            assert_true(n > 4); /* the walk did meet failing allocations */
            at_dcm_file_free(src);
        }
        at_free(data);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_table),       cmocka_unit_test(test_deep_nesting_rejected),
        cmocka_unit_test(test_out_of_order_elements), cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_corrupted_bytes),       cmocka_unit_test(test_deflate_bomb),
        cmocka_unit_test(test_out_of_memory_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
