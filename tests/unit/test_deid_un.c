/* Unit tests for elements of VR UN in src/deid (and the parser under it,
 * at_dcm_un_to_sequence): sequences encoded as UN of defined length (PS3.5
 * 6.2.2) are parsed and cleaned, unparsable ones removed, public tags the
 * dictionary does not know removed and counted, known tags read as UN
 * handled by their dictionary VR; every PS3.15 table row known by tag. */
#include "support.h"

#include "atelier/deid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_key key;

static int setup(void **state)
{
    (void)state;
    memset(&key, 0x33, sizeof key);
    return at_crypto_init() == AT_OK ? 0 : -1;
}

/* Little helpers writing implicit VR LE bytes. */
static size_t put_el(unsigned char *p, uint16_t g, uint16_t e, const char *v, uint32_t n)
{
    unsigned char h[8] = {(unsigned char)g,         (unsigned char)(g >> 8), (unsigned char)e,
                          (unsigned char)(e >> 8),  (unsigned char)n,        (unsigned char)(n >> 8),
                          (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    memcpy(p, h, 8);
    if (v && n != 0xffffffffu)
        memcpy(p + 8, v, n);
    return 8 + (v && n != 0xffffffffu ? n : 0);
}

/* One item of defined length holding (0010,0010), (0008,0020) and a nested
 * (0008,1140) item with (0008,1155): the implicit VR LE bytes of a UN. */
static size_t un_sequence_value(unsigned char *b, const char *ref_uid)
{
    unsigned char inner[128];
    size_t ni = put_el(inner, 0x0008, 0x1155, ref_uid, (uint32_t)strlen(ref_uid));
    unsigned char item[512];
    size_t n = 0;
    n += put_el(item + n, 0x0008, 0x0020, "20240317", 8);
    n += put_el(item + n, 0x0008, 0x1140, NULL, (uint32_t)(ni + 8));
    n += put_el(item + n, 0xfffe, 0xe000, (const char *)inner, (uint32_t)ni);
    n += put_el(item + n, 0x0010, 0x0010, "CANARY^UNSEQ", 12);
    return put_el(b, 0xfffe, 0xe000, (const char *)item, (uint32_t)n);
}

static void test_un_to_sequence_parser(void **state)
{
    (void)state;
    unsigned char b[1024];
    size_t n = un_sequence_value(b, "1.2.3.4.50");
    at_dcm_element el;
    memset(&el, 0, sizeof el);
    el.tag = AT_TAG(0x0008, 0x1115);
    el.vr = AT_VR('U', 'N');
    el.value = at_malloc(n);
    memcpy(el.value, b, n);
    el.length = (uint32_t)n;
    /* too shallow: the nested sequence does not fit in one level */
    assert_int_equal(at_dcm_un_to_sequence(&el, 1, "t.dcm"), AT_ERR_LIMIT);
    assert_non_null(strstr(at_error_message(), "(0008,1140)"));
    assert_null(strstr(at_error_message(), "CANARY"));
    at_error_clear();
    assert_int_equal(el.vr, AT_VR('U', 'N')); /* unchanged on error */
    assert_int_equal(el.length, n);
    if (at_dcm_un_to_sequence(&el, 2, "t.dcm") != AT_OK)
        fail_msg("%s", at_error_message());
    assert_int_equal(el.vr, AT_VR('S', 'Q'));
    assert_null(el.value);
    assert_int_equal(el.item_count, 1);
    const at_dcm_element *pn = at_dcm_find(el.items[0], AT_TAG(0x0010, 0x0010));
    assert_non_null(pn);
    assert_int_equal(pn->vr, AT_VR('P', 'N'));
    const at_dcm_element *ris = at_dcm_find(el.items[0], AT_TAG(0x0008, 0x1140));
    assert_non_null(ris);
    assert_int_equal(ris->item_count, 1);
    at_dcm_element_clear(&el);

    /* a length running past the value, trailing bytes that are no item */
    static const struct {
        const char *bytes;
        size_t n;
        const char *msg;
    } bad[] = {
        {"\xfe\xff\x00\xe0\x10\x00\x00\x00\x10\x00\x10\x00", 12, "item length 16 exceeds remaining 4"},
        {"\xfe\xff\x00\xe0\x00\x00\x00\x00\x10\x00\x10\x00", 12, "truncated item header"},
        {"\xfe\xff\x00\xe0\x00\x00\x00\x00\x10\x00\x10\x00\x00\x00\x00\x00", 16, "expected an item tag"},
        {"\xfe\xff\x00\xe0\xff\xff\xff\xff\x10\x00\x10\x00\x00\x00\x00\x00", 16, "truncated item"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&el, 0, sizeof el);
        el.tag = AT_TAG(0x0008, 0x1115);
        el.vr = AT_VR('U', 'N');
        el.value = at_malloc(bad[i].n);
        memcpy(el.value, bad[i].bytes, bad[i].n);
        el.length = (uint32_t)bad[i].n;
        assert_int_equal(at_dcm_un_to_sequence(&el, AT_DCM_MAX_DEPTH, "t.dcm"), AT_ERR_FORMAT);
        if (!strstr(at_error_message(), bad[i].msg))
            fail_msg("case %zu: %s", i, at_error_message());
        assert_non_null(strstr(at_error_message(), "t.dcm: (0008,1115) UN value offset"));
        at_error_clear();
        at_dcm_element_clear(&el);
    }
}

/* A file whose header carries sequences and attributes as UN. */
static at_dcm_file *un_file(void)
{
    at_dcm_file *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->meta = at_dcm_dataset_new();
    f->dataset = at_dcm_dataset_new();
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", AT_TS_EXPLICIT_LE);
    at_dcm_dataset *ds = f->dataset;
    assert_int_equal(
        at_dcm_set_string(ds, AT_TAG(0x0008, 0x0016), AT_VR('U', 'I'), "1.2.840.10008.5.1.4.1.1.2"), AT_OK);
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0008, 0x0018), AT_VR('U', 'I'), "1.2.3.4.50"), AT_OK);
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0010, 0x0020), AT_VR('L', 'O'), "PID0042"), AT_OK);
    unsigned char b[1024];
    size_t n = un_sequence_value(b, "1.2.3.4.50");
    /* Referenced Series Sequence (unlisted: kept, cleaned inside) as UN */
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0008, 0x1115), AT_VR('U', 'N'), b, (uint32_t)n), AT_OK);
    /* Related Series Sequence as UN that is no sequence at all */
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0008, 0x1250), AT_VR('U', 'N'), "CANARY^BAD", 10), AT_OK);
    /* a public tag the dictionary does not know, holding a date */
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0018, 0x9ff2), AT_VR('U', 'N'), "19700523", 8), AT_OK);
    /* known tags declared UN: a birth date (Z), a modality (kept, relabelled CS),
     * an issuer the DCMTK 2022b dictionary lacks (supplement; X) */
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0010, 0x0030), AT_VR('U', 'N'), "19700523", 8), AT_OK);
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0008, 0x0060), AT_VR('U', 'N'), "CT", 2), AT_OK);
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0012, 0x0022), AT_VR('U', 'N'), "CANARYISS ", 10), AT_OK);
    /* a known unlisted date declared UN: handled by its VR (removed) */
    assert_int_equal(at_dcm_set_bytes(ds, AT_TAG(0x0014, 0x1020), AT_VR('U', 'N'), "19700523", 8), AT_OK);
    return f;
}

static char *get(const at_dcm_dataset *ds, at_tag tag)
{
    static char buf[256];
    if (at_dcm_get_string(ds, tag, buf, sizeof buf) != AT_OK) {
        at_error_clear();
        return NULL;
    }
    return buf;
}

static void test_deid_un_elements(void **state)
{
    (void)state;
    at_dcm_file *f = un_file();
    at_deid_stats stats;
    memset(&stats, 0xff, sizeof stats);
    at_deid_config cfg = {.options = 0, .key = &key, .stats = &stats};
    assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
    assert_int_equal(stats.unknown_removed, 1);
    assert_int_equal(stats.un_sequences, 1);
    assert_int_equal(stats.un_unparsable, 1);
    at_dcm_dataset *ds = f->dataset;
    assert_null(at_dcm_find(ds, AT_TAG(0x0018, 0x9ff2)));
    assert_null(at_dcm_find(ds, AT_TAG(0x0008, 0x1250)));
    assert_null(at_dcm_find(ds, AT_TAG(0x0012, 0x0022)));
    assert_null(at_dcm_find(ds, AT_TAG(0x0014, 0x1020)));
    assert_int_equal(at_dcm_find(ds, AT_TAG(0x0010, 0x0030))->length, 0);
    assert_int_equal(at_dcm_find(ds, AT_TAG(0x0008, 0x0060))->vr, AT_VR('C', 'S'));
    assert_string_equal(get(ds, AT_TAG(0x0008, 0x0060)), "CT");
    /* the UN sequence: parsed, its items cleaned, references remapped */
    at_dcm_element *rss = at_dcm_find(ds, AT_TAG(0x0008, 0x1115));
    assert_non_null(rss);
    assert_int_equal(rss->vr, AT_VR('S', 'Q'));
    assert_int_equal(rss->item_count, 1);
    char *pn = get(rss->items[0], AT_TAG(0x0010, 0x0010));
    assert_non_null(pn);
    assert_memory_equal(pn, "PAT^ATL", 7);
    assert_int_equal(at_dcm_find(rss->items[0], AT_TAG(0x0008, 0x0020))->length, 0);
    at_dcm_element *ris = at_dcm_find(rss->items[0], AT_TAG(0x0008, 0x1140));
    assert_non_null(ris);
    assert_int_equal(ris->item_count, 1);
    char mapped[65];
    at_deid_uid(&key, "1.2.3.4.50", mapped);
    assert_string_equal(get(ris->items[0], AT_TAG(0x0008, 0x1155)), mapped);
    assert_string_equal(get(ds, AT_TAG(0x0008, 0x0018)), mapped);
    /* nothing of the originals in the bytes, whatever the syntax */
    static const char *const ts[] = {AT_TS_IMPLICIT_LE, AT_TS_EXPLICIT_LE, AT_TS_EXPLICIT_BE,
                                     AT_TS_DEFLATED_LE};
    for (size_t t = 0; t < 4; t++) {
        snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", ts[t]);
        unsigned char *bytes;
        size_t len;
        assert_int_equal(at_dcm_write_memory(f, &bytes, &len), AT_OK);
        if (t != 3) {
            assert_false(test_contains(bytes, len, "CANARY"));
            assert_false(test_contains(bytes, len, "1970"));
            assert_false(test_contains(bytes, len, "2024"));
            assert_false(test_contains(bytes, len, "1.2.3.4.50"));
        }
        at_dcm_file *back;
        assert_int_equal(at_dcm_read_memory(bytes, len, NULL, &back), AT_OK);
        assert_int_equal(at_dcm_find(back->dataset, AT_TAG(0x0008, 0x1115))->item_count, 1);
        at_dcm_file_free(back);
        at_free(bytes);
    }
    at_dcm_file_free(f);
}

/* A UN sequence nested as deep as the reader allows cannot go deeper. */
static void test_deid_un_depth(void **state)
{
    (void)state;
    at_dcm_file *f = un_file();
    at_dcm_dataset *ds = f->dataset;
    /* put the UN sequence at the bottom of AT_DCM_MAX_DEPTH nested items */
    at_dcm_element *un = at_dcm_find(ds, AT_TAG(0x0008, 0x1115));
    unsigned char *v = at_malloc(un->length);
    memcpy(v, un->value, un->length);
    uint32_t vlen = un->length;
    at_dcm_remove(ds, AT_TAG(0x0008, 0x1115));
    at_dcm_dataset *cur = ds;
    for (int d = 0; d < AT_DCM_MAX_DEPTH; d++) {
        at_dcm_dataset *item;
        assert_int_equal(at_dcm_sequence_append(cur, AT_TAG(0x0008, 0x1032), &item), AT_OK);
        cur = item;
    }
    assert_int_equal(at_dcm_set_bytes(cur, AT_TAG(0x0008, 0x1115), AT_VR('U', 'N'), v, vlen), AT_OK);
    at_free(v);
    at_deid_stats stats;
    at_deid_config cfg = {.options = 0, .key = &key, .stats = &stats};
    assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
    assert_int_equal(stats.un_unparsable, 2); /* (0008,1250) and the one too deep */
    assert_int_equal(stats.un_sequences, 0);
    assert_null(at_dcm_find(cur, AT_TAG(0x0008, 0x1115)));
    at_dcm_file_free(f);
}

/* Every allocation of the UN handling may fail: an error, no crash, no leak. */
static void test_deid_un_out_of_memory(void **state)
{
    (void)state;
    int succeeded = 0;
    for (long n = 1; n < 2000 && !succeeded; n++) {
        at_dcm_file *f = un_file();
        at_deid_config cfg = {.options = 0, .key = &key};
        at_alloc_fail_after(n);
        at_status st = at_deid_apply(f, &cfg);
        at_alloc_fail_after(0);
        if (st == AT_OK)
            succeeded = 1;
        else
            assert_int_equal(st, AT_ERR_NOMEM);
        at_error_clear();
        at_dcm_file_free(f);
    }
    assert_true(succeeded);
}

/* Every attribute of Table E.1-1 with a concrete tag has a VR in the
 * dictionary (DCMTK's, or the supplement for rows newer than it), so that
 * the engine handles it by its VR also when read from implicit VR. */
static void test_table_rows_known(void **state)
{
    (void)state;
    size_t unknown = 0;
    for (size_t i = 0; i < at_deid_table_size(); i++) {
        at_tag tag, mask;
        const char *name;
        assert_int_equal(at_deid_table_row(i, &tag, &mask, &name, NULL, NULL), AT_OK);
        if (mask != 0xffffffffu)
            continue;
        const at_dcm_dict_entry *e = at_dcm_dict_lookup(tag);
        if (!e || e->vr == AT_VR_NONE) {
            fprintf(stderr, "row (%04X,%04X) %s: not in the dictionary\n", AT_TAG_GROUP(tag),
                    AT_TAG_ELEMENT(tag), name);
            unknown++;
        }
    }
    assert_int_equal(unknown, 0);
    assert_non_null(at_dcm_dict_by_keyword("ROICreatorSequence"));
    assert_int_equal(at_dcm_implicit_vr(AT_TAG(0x3006, 0x002d)), AT_VR('D', 'T'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_un_to_sequence_parser), cmocka_unit_test(test_deid_un_elements),
        cmocka_unit_test(test_deid_un_depth),         cmocka_unit_test(test_deid_un_out_of_memory),
        cmocka_unit_test(test_table_rows_known),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
