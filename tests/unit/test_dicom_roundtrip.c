/* DICOM round trips: every VR, nested sequences, private blocks, UN
 * sequences and encapsulated pixel data through each transfer syntax. */
#include "support.h"

#include "atelier/dicom.h"
#include "dicom_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const syntaxes[] = {AT_TS_IMPLICIT_LE, AT_TS_EXPLICIT_LE, AT_TS_EXPLICIT_BE,
                                       AT_TS_DEFLATED_LE};

static void test_dictionary(void **state)
{
    (void)state;
    assert_true(at_dcm_dict_size() > 4000);
    const at_dcm_dict_entry *e = at_dcm_dict_lookup(AT_TAG(0x0010, 0x0010));
    assert_non_null(e);
    assert_string_equal(e->keyword, "PatientName");
    assert_string_equal(e->name, "Patient Name");
    assert_int_equal(e->vr, AT_VR('P', 'N'));
    e = at_dcm_dict_by_keyword("SOPInstanceUID");
    assert_non_null(e);
    assert_int_equal(e->tag, AT_TAG(0x0008, 0x0018));
    assert_null(at_dcm_dict_by_keyword("NoSuchKeyword"));
    /* repeating groups through masks */
    e = at_dcm_dict_lookup(AT_TAG(0x6002, 0x0010));
    assert_non_null(e);
    assert_string_equal(e->keyword, "OverlayRows");
    assert_null(at_dcm_dict_lookup(AT_TAG(0x6001, 0x1010))); /* odd group: private */
    e = at_dcm_dict_lookup(AT_TAG(0x501E, 0x3000));
    assert_non_null(e);
    assert_string_equal(e->keyword, "CurveData");
    /* private creators and group lengths */
    assert_int_equal(at_dcm_implicit_vr(AT_TAG(0x0029, 0x0010)), AT_VR('L', 'O'));
    assert_int_equal(at_dcm_implicit_vr(AT_TAG(0x0029, 0x1010)), AT_VR('U', 'N'));
    assert_int_equal(at_dcm_implicit_vr(AT_TAG(0x0008, 0x0000)), AT_VR('U', 'L'));
    assert_int_equal(at_dcm_implicit_vr(AT_TAG(0x7FE0, 0x0010)), AT_VR('O', 'W'));
    /* the sample uses tags whose dictionary VR is the VR it tests */
    for (size_t i = 0; i < SAMPLE_COUNT; i++)
        assert_int_equal(at_dcm_implicit_vr(sample_values[i].tag), sample_values[i].vr);
    char b[3];
    assert_string_equal(at_vr_name(AT_VR('S', 'Q'), b), "SQ");
    assert_true(at_vr_is_known(AT_VR('U', 'V')));
    assert_false(at_vr_is_known(AT_VR('Q', 'Q')));
    assert_true(at_vr_has_long_length(AT_VR('U', 'C')));
    assert_false(at_vr_has_long_length(AT_VR('L', 'O')));
}

static void test_tree_basics(void **state)
{
    (void)state;
    at_dcm_dataset *ds = at_dcm_dataset_new();
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0010, 0x0020), AT_VR('L', 'O'), "ID1"), AT_OK);
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0008, 0x0018), AT_VR('U', 'I'), "1.2.3"), AT_OK);
    assert_int_equal(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0010), 512), AT_OK);
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0018, 0x0050), AT_VR('D', 'S'), "2.5\\-3"), AT_OK);
    assert_int_equal(ds->count, 4);
    assert_int_equal(ds->elements[0].tag, AT_TAG(0x0008, 0x0018)); /* sorted */
    /* odd strings padded: UI with NUL, LO with space */
    const at_dcm_element *el = at_dcm_find(ds, AT_TAG(0x0008, 0x0018));
    assert_int_equal(el->length, 6);
    assert_int_equal(el->value[5], 0);
    assert_int_equal(at_dcm_find(ds, AT_TAG(0x0010, 0x0020))->value[3], ' ');
    char buf[16];
    assert_int_equal(at_dcm_get_string(ds, AT_TAG(0x0010, 0x0020), buf, sizeof buf), AT_OK);
    assert_string_equal(buf, "ID1");
    assert_int_equal(at_dcm_get_string(ds, AT_TAG(0x0010, 0x0020), buf, 3), AT_ERR_LIMIT);
    assert_int_equal(at_dcm_get_string(ds, AT_TAG(0x0010, 0x0030), buf, sizeof buf), AT_ERR_NOT_FOUND);
    uint16_t u;
    assert_int_equal(at_dcm_get_u16(ds, AT_TAG(0x0028, 0x0010), &u), AT_OK);
    assert_int_equal(u, 512);
    double d;
    assert_int_equal(at_dcm_get_double(ds, AT_TAG(0x0018, 0x0050), 1, &d), AT_OK);
    assert_true(d == -3.0);
    assert_int_equal(at_dcm_get_double(ds, AT_TAG(0x0018, 0x0050), 2, &d), AT_ERR_NOT_FOUND);
    assert_int_equal(at_dcm_get_double(ds, AT_TAG(0x0028, 0x0010), 0, &d), AT_OK);
    assert_true(d == 512.0);
    at_dcm_remove(ds, AT_TAG(0x0010, 0x0020));
    assert_null(at_dcm_find(ds, AT_TAG(0x0010, 0x0020)));
    assert_int_equal(ds->count, 3);
    /* replace keeps one element */
    assert_int_equal(at_dcm_set_u16(ds, AT_TAG(0x0028, 0x0010), 256), AT_OK);
    assert_int_equal(ds->count, 3);
    at_dcm_dataset_free(ds);
}

/* Freeing a tree far deeper than AT_DCM_MAX_DEPTH (built through the API)
 * must not recurse; cloning and writing it must fail cleanly. */
static void test_deep_tree_free(void **state)
{
    (void)state;
    at_dcm_dataset *root = at_dcm_dataset_new(), *cur = root;
    for (int i = 0; i < 200000; i++)
        assert_int_equal(at_dcm_sequence_append(cur, AT_TAG(0x0008, 0x1115), &cur), AT_OK);
    at_dcm_dataset *c = at_dcm_dataset_clone(root);
    assert_null(c);
    assert_non_null(strstr(at_error_message(), "nested deeper"));
    at_dcm_file f = {0};
    f.dataset = root;
    strcpy(f.transfer_syntax, AT_TS_EXPLICIT_LE);
    unsigned char *out;
    size_t len;
    assert_int_equal(at_dcm_write_memory(&f, &out, &len), AT_ERR_LIMIT);
    assert_null(out);
    at_buf b;
    at_buf_init(&b, 1 << 30);
    assert_int_equal(at_dcm_to_json(root, &b), AT_ERR_LIMIT);
    at_buf_reset(&b);
    assert_int_equal(at_dcm_dump(&f, &b), AT_ERR_LIMIT);
    at_buf_free(&b);
    at_dcm_dataset_free(root);
}

static void test_roundtrip_each_syntax(void **state)
{
    (void)state;
    for (size_t s = 0; s < 4; s++) {
        at_dcm_file *f = sample_file(syntaxes[s], 0);
        assert_non_null(f);
        unsigned char *data;
        size_t len;
        assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
        assert_memory_equal(data + 128, "DICM", 4);
        /* (0002,0000) holds the length of the rest of the meta */
        assert_memory_equal(data + 132, "\x02\x00\x00\x00UL\x04\x00", 8);
        uint32_t gl = data[140] | data[141] << 8 | data[142] << 16 | (uint32_t)data[143] << 24;
        at_dcm_file *back;
        assert_int_equal(at_dcm_read_memory(data, len, NULL, &back), AT_OK);
        assert_string_equal(back->transfer_syntax, syntaxes[s]);
        assert_true(back->has_preamble);
        size_t meta_bytes = 0;
        for (size_t i = 0; i < back->meta->count; i++)
            if (AT_TAG_ELEMENT(back->meta->elements[i].tag) != 0)
                meta_bytes += (at_vr_has_long_length(back->meta->elements[i].vr) ? 12 : 8) +
                              back->meta->elements[i].length;
        assert_int_equal(gl, meta_bytes);
        /* implicit VR loses the private VRs (UN either way here) but not values */
        assert_true(trees_equal(f->dataset, back->dataset, 1));
        /* writing what was read gives the same bytes */
        unsigned char *again;
        size_t again_len;
        assert_int_equal(at_dcm_write_memory(back, &again, &again_len), AT_OK);
        assert_int_equal(again_len, len);
        assert_memory_equal(again, data, len);
        at_free(again);
        at_free(data);
        at_dcm_file_free(back);
        at_dcm_file_free(f);
    }
}

/* Bare datasets (no preamble, no "DICM", no File Meta) written in the three
 * syntaxes a reader can tell apart, read back the same; deflated refused. */
static void test_bare_roundtrip(void **state)
{
    (void)state;
    for (size_t s = 0; s < 4; s++) {
        at_dcm_file *f = sample_file(syntaxes[s], 0);
        assert_non_null(f);
        unsigned char *data = NULL;
        size_t len = 0;
        at_status st = at_dcm_write_bare_memory(f, &data, &len);
        if (!strcmp(syntaxes[s], AT_TS_DEFLATED_LE)) {
            assert_int_equal(st, AT_ERR_UNSUPPORTED);
            assert_null(data);
            at_error_clear();
            at_dcm_file_free(f);
            continue;
        }
        assert_int_equal(st, AT_OK);
        assert_true(len > 8);
        assert_false(len >= 132 && !memcmp(data + 128, "DICM", 4));
        assert_false(data[0] == 0x02 && data[1] == 0x00); /* no group 0002 */
        at_dcm_file *back;
        assert_int_equal(at_dcm_read_memory(data, len, NULL, &back), AT_OK);
        assert_string_equal(back->transfer_syntax, syntaxes[s]);
        assert_false(back->has_preamble);
        assert_int_equal(back->meta->count, 0);
        assert_true(trees_equal(f->dataset, back->dataset, 1));
        /* written again, the same bytes */
        unsigned char *again;
        size_t again_len;
        assert_int_equal(at_dcm_write_bare_memory(back, &again, &again_len), AT_OK);
        assert_int_equal(again_len, len);
        assert_memory_equal(again, data, len);
        /* and through a file, atomically */
        char *dir = test_mkdtemp();
        char path[512];
        snprintf(path, sizeof path, "%s/bare.dcm", dir);
        assert_int_equal(at_dcm_write_bare_file(back, path), AT_OK);
        size_t flen;
        unsigned char *fdata = test_read_file(path, &flen);
        assert_int_equal(flen, len);
        assert_memory_equal(fdata, data, len);
        free(fdata);
        test_rmtree(dir);
        free(dir);
        at_free(again);
        at_free(data);
        at_dcm_file_free(back);
        at_dcm_file_free(f);
    }
}

/* A bare dataset's byte order is guessed from its first element even when
 * the group does not start with a zero byte, or the element is a sequence. */
static void test_bare_byte_order_guess(void **state)
{
    (void)state;
    for (int seq_first = 0; seq_first < 2; seq_first++)
        for (size_t s = 0; s < 3; s++) {
            static const char *const ts[] = {AT_TS_IMPLICIT_LE, AT_TS_EXPLICIT_LE, AT_TS_EXPLICIT_BE};
            at_dcm_file f;
            memset(&f, 0, sizeof f);
            f.dataset = at_dcm_dataset_new();
            snprintf(f.transfer_syntax, sizeof f.transfer_syntax, "%s", ts[s]);
            if (seq_first) {
                at_dcm_dataset *item;
                assert_int_equal(at_dcm_sequence_append(f.dataset, AT_TAG(0x0008, 0x1115), &item), AT_OK);
                f.dataset->elements[0].undefined_length = 1;
                item->undefined_length = 1;
                assert_int_equal(at_dcm_set_string(item, AT_TAG(0x0020, 0x000e), AT_VR('U', 'I'), "1.2.3"),
                                 AT_OK);
            } else {
                assert_int_equal(
                    at_dcm_set_string(f.dataset, AT_TAG(0x3f03, 0x0010), AT_VR('L', 'O'), "ACME"), AT_OK);
                assert_int_equal(at_dcm_set_string(f.dataset, AT_TAG(0x3f03, 0x1001), AT_VR('L', 'O'), "X"),
                                 AT_OK);
            }
            assert_int_equal(at_dcm_set_string(f.dataset, AT_TAG(0x4000, 0x0010), AT_VR('L', 'O'), "Y"),
                             AT_OK);
            unsigned char *data;
            size_t len;
            assert_int_equal(at_dcm_write_bare_memory(&f, &data, &len), AT_OK);
            at_dcm_file *back;
            if (at_dcm_read_memory(data, len, NULL, &back) != AT_OK)
                fail_msg("%s, %s first: %s", ts[s], seq_first ? "sequence" : "private", at_error_message());
            assert_string_equal(back->transfer_syntax, ts[s]);
            assert_int_equal(back->dataset->count, seq_first ? 2 : 3);
            at_dcm_file_free(back);
            at_free(data);
            at_dcm_dataset_free(f.dataset);
        }
}

static void test_big_endian_bytes(void **state)
{
    (void)state;
    at_dcm_file *f = sample_file(AT_TS_EXPLICIT_BE, 0);
    unsigned char *data;
    size_t len;
    assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
    /* Rows (0028,0010) US 512\0x1234 written big endian: 00 28 00 10 'U' 'S' 00 04 02 00 12 34 */
    static const unsigned char rows[] = {0x00, 0x28, 0x00, 0x10, 'U',  'S',
                                         0x00, 0x04, 0x02, 0x00, 0x12, 0x34};
    assert_true(test_contains(data, len, "") || 1);
    int found = 0;
    for (size_t i = 0; i + sizeof rows <= len; i++)
        if (!memcmp(data + i, rows, sizeof rows))
            found = 1;
    assert_true(found);
    /* the tree still holds it little endian */
    uint16_t u;
    at_dcm_file *back;
    assert_int_equal(at_dcm_read_memory(data, len, NULL, &back), AT_OK);
    assert_int_equal(at_dcm_get_u16(back->dataset, AT_TAG(0x0028, 0x0010), &u), AT_OK);
    assert_int_equal(u, 512);
    double d;
    assert_int_equal(at_dcm_get_double(back->dataset, AT_TAG(0x0018, 0x9087), 0, &d), AT_OK);
    assert_true(d == 2.25);
    assert_int_equal(at_dcm_get_double(back->dataset, AT_TAG(0x0072, 0x0082), 0, &d), AT_OK);
    assert_true(d == -7.0);
    at_dcm_file_free(back);
    at_free(data);
    at_dcm_file_free(f);
}

static void test_encapsulated_byte_exact(void **state)
{
    (void)state;
    const char *jpeg = "1.2.840.10008.1.2.4.50";
    at_dcm_file *f = sample_file(jpeg, 1);
    assert_non_null(f);
    unsigned char *data;
    size_t len;
    assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
    static const unsigned char stream[] = {
        0xE0, 0x7F, 0x10, 0x00, 'O',  'B',  0, 0, 0xff, 0xff, 0xff, 0xff, 0xFE, 0xFF, 0x00, 0xE0, 0,    0,
        0,    0,    0xFE, 0xFF, 0x00, 0xE0, 6, 0, 0,    0,    0xff, 0xd8, 1,    2,    3,    4,    0xFE, 0xFF,
        0x00, 0xE0, 4,    0,    0,    0,    5, 6, 0xff, 0xd9, 0xFE, 0xFF, 0xDD, 0xE0, 0,    0,    0,    0};
    assert_true(len >= sizeof stream);
    assert_memory_equal(data + len - sizeof stream, stream, sizeof stream);
    at_dcm_file *back;
    assert_int_equal(at_dcm_read_memory(data, len, NULL, &back), AT_OK);
    assert_true(trees_equal(f->dataset, back->dataset, 1));
    at_dcm_element *px = at_dcm_find(back->dataset, AT_TAG(0x7FE0, 0x0010));
    assert_true(px->encapsulated);
    assert_int_equal(px->fragment_count, 3);
    assert_int_equal(px->fragments[0].len, 0);
    at_dcm_file_free(back);
    at_free(data);
    /* a native transfer syntax cannot carry encapsulated pixel data */
    for (size_t s = 0; s < 4; s++) {
        snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", syntaxes[s]);
        assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_ERR_UNSUPPORTED);
        assert_null(data);
    }
    at_dcm_file_free(f);
}

/* Explicit VR LE bytes helpers for hand-made inputs. */
static size_t put(unsigned char *p, const void *s, size_t n)
{
    memcpy(p, s, n);
    return n;
}

static void test_un_sequence(void **state)
{
    (void)state;
    /* (0029,0010) LO creator, then (0029,1001) UN undefined length holding an
     * implicit VR LE item with (0010,0010) PN, then (0029,1002) UN bytes */
    unsigned char b[256];
    size_t n = 0;
    n += put(b + n, "\x29\x00\x10\x00LO\x04\x00TEST", 12);
    n += put(b + n, "\x29\x00\x01\x10UN\x00\x00\xff\xff\xff\xff", 12);
    n += put(b + n, "\xfe\xff\x00\xe0\xff\xff\xff\xff", 8);
    n += put(b + n,
             "\x10\x00\x10\x00\x04\x00\x00\x00"
             "A^B ",
             12);
    n += put(b + n, "\xfe\xff\x0d\xe0\x00\x00\x00\x00", 8);
    n += put(b + n, "\xfe\xff\xdd\xe0\x00\x00\x00\x00", 8);
    n += put(b + n, "\x29\x00\x02\x10UN\x00\x00\x02\x00\x00\x00hi", 14);
    at_dcm_file *f;
    assert_int_equal(at_dcm_read_memory(b, n, NULL, &f), AT_OK);
    assert_string_equal(f->transfer_syntax, AT_TS_EXPLICIT_LE); /* detected by peeking */
    assert_false(f->has_preamble);
    const at_dcm_element *el = at_dcm_find(f->dataset, AT_TAG(0x0029, 0x1001));
    assert_non_null(el);
    assert_int_equal(el->vr, AT_VR('U', 'N'));
    assert_int_equal(el->item_count, 1);
    const at_dcm_element *pn = at_dcm_find(el->items[0], AT_TAG(0x0010, 0x0010));
    assert_non_null(pn);
    assert_int_equal(pn->vr, AT_VR('P', 'N'));
    assert_int_equal(at_dcm_find(f->dataset, AT_TAG(0x0029, 0x1002))->length, 2);
    /* written back as an SQ and read again as one */
    unsigned char *data;
    size_t len;
    assert_int_equal(at_dcm_write_memory(f, &data, &len), AT_OK);
    at_dcm_file *back;
    assert_int_equal(at_dcm_read_memory(data, len, NULL, &back), AT_OK);
    el = at_dcm_find(back->dataset, AT_TAG(0x0029, 0x1001));
    assert_int_equal(el->vr, AT_VR('S', 'Q'));
    assert_true(trees_equal(f->dataset, back->dataset, 0));
    at_dcm_file_free(back);
    at_free(data);
    at_dcm_file_free(f);
}

static void test_bare_implicit_dataset(void **state)
{
    (void)state;
    unsigned char b[64];
    size_t n = 0;
    n += put(b + n,
             "\x08\x00\x60\x00\x02\x00\x00\x00"
             "CT",
             10);
    n += put(b + n, "\x28\x00\x10\x00\x02\x00\x00\x00\x00\x02", 10);
    n += put(b + n, "\x29\x00\x10\x00\x02\x00\x00\x00XY", 10);
    n += put(b + n, "\x29\x00\x01\x10\x02\x00\x00\x00\x01\x02", 10);
    at_dcm_file *f;
    at_dcm_read_options opt = {"bare.dcm", 0};
    assert_int_equal(at_dcm_read_memory(b, n, &opt, &f), AT_OK);
    assert_string_equal(f->transfer_syntax, AT_TS_IMPLICIT_LE);
    assert_int_equal(f->meta->count, 0);
    assert_int_equal(at_dcm_find(f->dataset, AT_TAG(0x0008, 0x0060))->vr, AT_VR('C', 'S'));
    assert_int_equal(at_dcm_find(f->dataset, AT_TAG(0x0028, 0x0010))->vr, AT_VR('U', 'S'));
    assert_int_equal(at_dcm_find(f->dataset, AT_TAG(0x0029, 0x0010))->vr, AT_VR('L', 'O'));
    assert_int_equal(at_dcm_find(f->dataset, AT_TAG(0x0029, 0x1001))->vr, AT_VR('U', 'N'));
    at_dcm_file_free(f);
}

static void test_dump_and_json(void **state)
{
    (void)state;
    at_dcm_file *f = sample_file(AT_TS_EXPLICIT_LE, 1);
    at_buf b;
    at_buf_init(&b, 1 << 20);
    assert_int_equal(at_dcm_dump(f, &b), AT_OK);
    const char *s = (const char *)b.data;
    assert_non_null(strstr(s, "(0010,0010) PN [Doe^Jane=Ideo^Graphic]"));
    assert_non_null(strstr(s, "(0028,0010) US 512\\4660"));
    assert_non_null(strstr(s, "(0020,4000) LT [free text\\x0D\\x0Aline two]"));
    assert_non_null(strstr(s, "(0008,1115) SQ (Sequence with undefined length #=2)"));
    assert_non_null(strstr(s, "\n    (0008,1140) SQ (Sequence with explicit length #=1)"));
    assert_non_null(strstr(s, "\n        (0008,1150) UI [1.2.840.10008.5.1.4.1.1.2]"));
    assert_non_null(strstr(s, "(7fe0,0010) OB (PixelSequence #=3)"));
    assert_non_null(strstr(s, "(0028,0009) AT (0018,1063)"));
    assert_non_null(strstr(s, "PatientName"));
    at_buf_reset(&b);
    assert_int_equal(at_dcm_to_json(f->dataset, &b), AT_OK);
    s = (const char *)b.data;
    assert_non_null(strstr(s, "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Doe^Jane\","
                              "\"Ideographic\":\"Ideo^Graphic\"}]}"));
    assert_non_null(strstr(s, "\"00180050\":{\"vr\":\"DS\",\"Value\":[1.5,-2.25]}"));
    assert_non_null(strstr(s, "\"00280010\":{\"vr\":\"US\",\"Value\":[512,4660]}"));
    assert_non_null(strstr(s, "\"00280009\":{\"vr\":\"AT\",\"Value\":[\"00181063\"]}"));
    assert_non_null(strstr(s, "\"00080119\":{\"vr\":\"UC\",\"Value\":[\"LONGCODE\",\"SECOND\"]}"));
    assert_non_null(strstr(s, "\"00420011\":{\"vr\":\"OB\",\"InlineBinary\":\"AQIDBAUA\"}"));
    assert_non_null(strstr(s, "\"00081111\":{\"vr\":\"SQ\"}"));
    assert_non_null(strstr(s, "\"00081140\":{\"vr\":\"SQ\",\"Value\":[{\"00081150\":{\"vr\":\"UI\","
                              "\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]}}]}"));
    assert_int_equal(s[0], '{');
    assert_int_equal(s[b.len - 1], '}');
    at_buf_free(&b);
    at_dcm_file_free(f);
}

static void test_write_file_atomic(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *path = at_path_join(dir, "out.dcm");
    at_dcm_file *f = sample_file(AT_TS_DEFLATED_LE, 0);
    assert_int_equal(at_dcm_write_file(f, path), AT_OK);
    at_dcm_file *back;
    assert_int_equal(at_dcm_read_file(path, NULL, &back), AT_OK);
    assert_true(trees_equal(f->dataset, back->dataset, 1));
    at_dcm_file_free(back);
    /* failure leaves nothing behind */
    char *bad = at_path_join(dir, "bad.dcm");
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", AT_TS_EXPLICIT_LE);
    at_dcm_element *el;
    assert_int_equal(at_dcm_put(f->dataset, AT_TAG(0x0010, 0x0020), AT_VR('L', 'O'), &el), AT_OK);
    el->value = at_malloc(70000);
    memset(el->value, 'x', 70000);
    el->length = 70000; /* too long for a 2-byte explicit length */
    assert_int_equal(at_dcm_write_file(f, bad), AT_ERR_LIMIT);
    assert_non_null(strstr(at_error_message(), "(0010,0020)"));
    assert_false(test_have_program("") && 0);
    FILE *fp = fopen(bad, "rb");
    assert_null(fp);
    /* stop before pixels */
    at_dcm_read_options opt = {NULL, 1};
    assert_int_equal(at_dcm_read_file(path, &opt, &back), AT_OK);
    assert_null(at_dcm_find(back->dataset, AT_TAG(0x7FE0, 0x0010)));
    assert_non_null(at_dcm_find(back->dataset, AT_TAG(0x0072, 0x0083)));
    at_dcm_file_free(back);
    at_dcm_file_free(f);
    test_rmtree(dir);
    free(dir);
    at_free(path);
    at_free(bad);
}

/* at_dcm_read_file hands its buffer over as a large Pixel Data value
 * (no second copy): the result must equal reading from memory, in every
 * syntax (big endian swaps in place). */
static void test_read_file_large_pixels(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *path = at_path_join(dir, "big.dcm");
    for (size_t s = 0; s < 4; s++) {
        at_dcm_file *f = sample_file(syntaxes[s], 0);
        uint32_t n = 300000;
        unsigned char *px = at_malloc(n);
        for (uint32_t i = 0; i < n; i++)
            px[i] = (unsigned char)(i * 7 + (i >> 8));
        assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'W'), px, n), AT_OK);
        /* an element after the pixel data, as some files have */
        assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0xFFFA, 0xFFFA), AT_VR('S', 'Q'), NULL, 0),
                         AT_OK);
        assert_int_equal(at_dcm_write_file(f, path), AT_OK);
        unsigned char *data;
        size_t len;
        assert_int_equal(at_file_read(path, (size_t)1 << 30, &data, &len), AT_OK);
        at_dcm_file *a, *b;
        assert_int_equal(at_dcm_read_memory(data, len, NULL, &a), AT_OK);
        assert_int_equal(at_dcm_read_file(path, NULL, &b), AT_OK);
        assert_true(trees_equal(a->dataset, b->dataset, 1));
        assert_true(trees_equal(f->dataset, b->dataset, 1));
        const at_dcm_element *el = at_dcm_find(b->dataset, AT_TAG(0x7FE0, 0x0010));
        assert_int_equal(el->length, n);
        assert_memory_equal(el->value, px, n);
        at_free(data);
        at_free(px);
        at_dcm_file_free(a);
        at_dcm_file_free(b);
        at_dcm_file_free(f);
    }
    test_rmtree(dir);
    free(dir);
    at_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictionary),
        cmocka_unit_test(test_tree_basics),
        cmocka_unit_test(test_deep_tree_free),
        cmocka_unit_test(test_roundtrip_each_syntax),
        cmocka_unit_test(test_bare_roundtrip),
        cmocka_unit_test(test_bare_byte_order_guess),
        cmocka_unit_test(test_big_endian_bytes),
        cmocka_unit_test(test_encapsulated_byte_exact),
        cmocka_unit_test(test_un_sequence),
        cmocka_unit_test(test_bare_implicit_dataset),
        cmocka_unit_test(test_dump_and_json),
        cmocka_unit_test(test_write_file_atomic),
        cmocka_unit_test(test_read_file_large_pixels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
