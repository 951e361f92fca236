/* Unit tests for src/deid on in-memory datasets: action resolution,
 * pseudonyms, date shift, the engine on synthetic slices (referential
 * integrity, options, determinism) and every out-of-memory path of it. */
#include "support.h"

#include "atelier/deid.h"
#include "atelier/synth.h"
#include "deid/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_key key_a, key_b;

static int setup(void **state)
{
    (void)state;
    memset(&key_a, 0x11, sizeof key_a);
    memset(&key_b, 0x22, sizeof key_b);
    return at_crypto_init() == AT_OK ? 0 : -1;
}

static void test_uid_pseudonyms(void **state)
{
    (void)state;
    char a[65], b[65], c[65];
    at_deid_uid(&key_a, "1.2.826.0.1.3680043.10.1459.99.1", a);
    at_deid_uid(&key_a, "1.2.826.0.1.3680043.10.1459.99.1", b);
    at_deid_uid(&key_b, "1.2.826.0.1.3680043.10.1459.99.1", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_memory_equal(a, "2.25.", 5);
    assert_true(strlen(a) <= 44 && strlen(a) > 6);
    for (const char *p = a + 5; *p; p++)
        assert_true(*p >= '0' && *p <= '9');
    assert_true(a[5] != '0' || a[6] == '\0'); /* no leading zero */
    at_deid_uid(&key_a, "1.2.840.10008.5.1.4.1.1.2", a);
    assert_string_equal(a, "1.2.840.10008.5.1.4.1.1.2");
    char p1[20], p2[20];
    at_deid_patient_pseudonym(&key_a, "0:123", p1);
    at_deid_patient_pseudonym(&key_b, "0:123", p2);
    assert_int_equal(strlen(p1), 19);
    assert_memory_equal(p1, "ATL", 3);
    assert_string_not_equal(p1, p2);
}

static void test_date_shift(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(at_deid_shift_date("20240301", -1, out, sizeof out), AT_OK);
    assert_string_equal(out, "20240229");
    assert_int_equal(at_deid_shift_date("20230301", -1, out, sizeof out), AT_OK);
    assert_string_equal(out, "20230228");
    assert_int_equal(at_deid_shift_date("20000101101530.25+0100", -365, out, sizeof out), AT_OK);
    assert_string_equal(out, "19990101101530.25+0100");
    assert_int_equal(at_deid_shift_date("20241331", -1, out, sizeof out), AT_ERR_FORMAT);
    assert_int_equal(at_deid_shift_date("2024", -1, out, sizeof out), AT_ERR_FORMAT);
    assert_int_equal(at_deid_shift_date("20240101-20240301", -1, out, sizeof out), AT_ERR_FORMAT);
    assert_int_equal(at_deid_shift_date("20240101 DUPONT", -1, out, sizeof out), AT_ERR_FORMAT);
    assert_int_equal(at_deid_shift_date("20240101120000.1234567", -1, out, sizeof out), AT_ERR_FORMAT);
    assert_int_equal(at_deid_shift_date("2024010112", -1, out, sizeof out), AT_OK);
    assert_string_equal(out, "2023123112");
    at_error_clear();
    int s1 = at_deid_day_shift(&key_a, "0:P1"), s2 = at_deid_day_shift(&key_a, "0:P1");
    assert_int_equal(s1, s2);
    for (int i = 0; i < 200; i++) {
        char id[16];
        snprintf(id, sizeof id, "0:%d", i);
        int s = at_deid_day_shift(&key_b, id);
        assert_true(s <= -1 && s >= -1095);
    }
}

static void test_actions(void **state)
{
    (void)state;
    const at_vr PN = AT_VR('P', 'N'), DA = AT_VR('D', 'A'), TM = AT_VR('T', 'M'), UI = AT_VR('U', 'I');
    const at_vr LO = AT_VR('L', 'O'), SQ = AT_VR('S', 'Q'), AE = AT_VR('A', 'E');
    const char *code;
    assert_int_equal(at_deid_action_for(AT_TAG(0x0010, 0x0010), PN, 0, NULL, &code), AT_DEID_PSEUDONYM);
    assert_string_equal(code, "Z");
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0020), DA, 0, NULL, NULL), AT_DEID_EMPTY);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0020), DA, AT_DEID_OPT_FULL_DATES, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0020), DA, AT_DEID_OPT_MODIFIED_DATES, NULL, NULL),
                     AT_DEID_SHIFT);
    /* combined actions: the documented rule */
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0023), DA, 0, NULL, &code), AT_DEID_DUMMY);
    assert_string_equal(code, "Z/D");
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0022), DA, 0, NULL, NULL), AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0018, 0x0010), LO, 0, NULL, NULL), AT_DEID_EMPTY);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0080), LO, 0, NULL, NULL), AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x1140), SQ, 0, NULL, &code), AT_DEID_UID);
    assert_string_equal(code, "X/Z/U*");
    /* by VR, not listed */
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x9990), DA, 0, NULL, &code), AT_DEID_REMOVE);
    assert_string_equal(code, "");
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x9990), TM, AT_DEID_OPT_FULL_DATES, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x9991), UI, 0, NULL, NULL), AT_DEID_UID);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x9991), UI, AT_DEID_OPT_UIDS, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), 0, NULL, NULL),
                     AT_DEID_KEEP);
    /* private, overlays, curves, signatures */
    assert_int_equal(
        at_deid_action_for(AT_TAG(0x0019, 0x100c), AT_VR('I', 'S'), 0, "SIEMENS MR HEADER", NULL),
        AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0019, 0x100c), AT_VR('I', 'S'), AT_DEID_OPT_SAFE_PRIVATE,
                                        "SIEMENS MR HEADER", NULL),
                     AT_DEID_KEEP);
    assert_int_equal(
        at_deid_action_for(AT_TAG(0x0019, 0x1001), LO, AT_DEID_OPT_SAFE_PRIVATE, "SIEMENS MR HEADER", NULL),
        AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0x6002, 0x0010), AT_VR('U', 'S'), 0, NULL, NULL),
                     AT_DEID_REMOVE);
    assert_int_equal(
        at_deid_action_for(AT_TAG(0x6002, 0x3000), AT_VR('O', 'W'), AT_DEID_OPT_CLEAN_GRAPHICS, NULL, NULL),
        AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x5010, 0x3000), AT_VR('O', 'B'), 0, NULL, NULL),
                     AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0xfffa, 0xfffa), SQ, 0, NULL, NULL), AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0400, 0x0561), SQ, 0, NULL, NULL), AT_DEID_REMOVE);
    /* options */
    assert_int_equal(at_deid_action_for(AT_TAG(0x0008, 0x0055), AE, AT_DEID_OPT_DEVICE_IDENTITY, NULL, NULL),
                     AT_DEID_CLEAN_AE);
    assert_int_equal(
        at_deid_action_for(AT_TAG(0x0008, 0x1030), LO, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, NULL),
        AT_DEID_CLEAN_TEXT);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0010, 0x1010), AT_VR('A', 'S'),
                                        AT_DEID_OPT_PATIENT_CHARACTERISTICS, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(
        at_deid_action_for(AT_TAG(0x0008, 0x0080), LO, AT_DEID_OPT_INSTITUTION_IDENTITY, NULL, NULL),
        AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0020, 0x000d), UI, AT_DEID_OPT_UIDS, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0020, 0x000d), UI, AT_DEID_OPT_FULL_DATES, NULL, NULL),
                     AT_DEID_UID);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0018, 0x1000), LO, AT_DEID_OPT_DEVICE_IDENTITY, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(
        at_deid_action_for(AT_TAG(0x0008, 0x0020), AT_VR('U', 'N'), AT_DEID_OPT_MODIFIED_DATES, NULL, NULL),
        AT_DEID_REMOVE);
    assert_int_equal(at_deid_options_check(AT_DEID_OPT_FULL_DATES | AT_DEID_OPT_MODIFIED_DATES), AT_ERR_ARG);
    at_error_clear();
    assert_int_equal(at_deid_option_by_name("clean-descriptors"), AT_DEID_OPT_CLEAN_DESCRIPTORS);
    assert_int_equal(at_deid_option_by_name("nope"), 0);
    assert_true(at_deid_table_size() > 600);
}

static at_dcm_file *slice(int series, int index)
{
    at_synth_study_options o;
    at_synth_study_options_default(&o);
    o.size = 8;
    o.seed = 77;
    at_dcm_file *f = NULL;
    assert_int_equal(at_synth_dicom_slice(&o, series, index, &f), AT_OK);
    return f;
}

static char *get(const at_dcm_dataset *ds, at_tag tag)
{
    static char buf[4][256];
    static int k;
    char *b = buf[k++ & 3];
    if (at_dcm_get_string(ds, tag, b, 256) != AT_OK) {
        at_error_clear();
        return NULL;
    }
    return b;
}

static unsigned char *encode(const at_dcm_file *f, size_t *len)
{
    unsigned char *bytes = NULL;
    assert_int_equal(at_dcm_write_memory(f, &bytes, len), AT_OK);
    return bytes;
}

static void test_apply_basic(void **state)
{
    (void)state;
    at_dcm_file *s1 = slice(1, 0), *s2 = slice(1, 1);
    char name[128], pid[128], sop1[128], birth[16];
    strcpy(name, get(s1->dataset, AT_TAG(0x0010, 0x0010)));
    strcpy(pid, get(s1->dataset, AT_TAG(0x0010, 0x0020)));
    strcpy(sop1, get(s1->dataset, AT_TAG(0x0008, 0x0018)));
    strcpy(birth, get(s1->dataset, AT_TAG(0x0010, 0x0030)));
    at_deid_config cfg = {.options = 0, .key = &key_a};
    assert_int_equal(at_deid_apply(s1, &cfg), AT_OK);
    assert_int_equal(at_deid_apply(s2, &cfg), AT_OK);
    /* pseudonyms: same patient, same pseudonym; name = PAT^ID */
    char *p1 = get(s1->dataset, AT_TAG(0x0010, 0x0020));
    assert_non_null(p1);
    assert_memory_equal(p1, "ATL", 3);
    assert_string_equal(p1, get(s2->dataset, AT_TAG(0x0010, 0x0020)));
    char expect_name[64];
    snprintf(expect_name, sizeof expect_name, "PAT^%s", p1);
    assert_string_equal(get(s1->dataset, AT_TAG(0x0010, 0x0010)), expect_name);
    /* referential integrity: slice 2 refers to slice 1 under its new UID */
    char *new1 = get(s1->dataset, AT_TAG(0x0008, 0x0018));
    assert_string_not_equal(new1, sop1);
    at_dcm_element *ris = at_dcm_find(s2->dataset, AT_TAG(0x0008, 0x1140));
    assert_non_null(ris);
    assert_int_equal(ris->item_count, 1);
    assert_string_equal(get(ris->items[0], AT_TAG(0x0008, 0x1155)), new1);
    assert_string_equal(get(s1->dataset, AT_TAG(0x0020, 0x000d)), get(s2->dataset, AT_TAG(0x0020, 0x000d)));
    assert_string_equal(get(s1->meta, AT_TAG(0x0002, 0x0003)), new1);
    assert_string_equal(get(s1->meta, AT_TAG(0x0002, 0x0012)), AT_IMPLEMENTATION_UID);
    /* removed / emptied / added */
    assert_null(at_dcm_find(s1->dataset, AT_TAG(0x0009, 0x0010)));
    assert_null(at_dcm_find(s1->dataset, AT_TAG(0x0019, 0x100c)));
    assert_null(at_dcm_find(s1->dataset, AT_TAG(0x0008, 0x0080)));
    assert_null(at_dcm_find(s1->dataset, AT_TAG(0x0008, 0x1110)));
    assert_int_equal(at_dcm_find(s1->dataset, AT_TAG(0x0010, 0x0030))->length, 0);
    assert_string_equal(get(s1->dataset, AT_TAG(0x0008, 0x0023)), "19000101");
    assert_string_equal(get(s1->dataset, AT_TAG(0x0012, 0x0062)), "YES");
    assert_string_equal(get(s1->dataset, AT_TAG(0x0028, 0x0303)), "REMOVED");
    at_dcm_element *codes = at_dcm_find(s1->dataset, AT_TAG(0x0012, 0x0064));
    assert_non_null(codes);
    assert_int_equal(codes->item_count, 1);
    assert_string_equal(get(codes->items[0], AT_TAG(0x0008, 0x0100)), "113100");
    /* nothing identifying left in the bytes */
    size_t len;
    unsigned char *bytes = encode(s1, &len);
    assert_false(test_contains(bytes, len, name));
    assert_false(test_contains(bytes, len, pid));
    assert_false(test_contains(bytes, len, sop1));
    assert_false(test_contains(bytes, len, birth));
    assert_false(test_contains(bytes, len, "CENTRE HOSPITALIER"));
    assert_false(test_contains(bytes, len, "MOREAU"));
    at_free(bytes);
    at_dcm_file_free(s1);
    at_dcm_file_free(s2);
}

static void test_apply_options(void **state)
{
    (void)state;
    at_dcm_file *f = slice(1, 0);
    char date[16], time[16], desc[128], name[128];
    strcpy(date, get(f->dataset, AT_TAG(0x0008, 0x0020)));
    strcpy(time, get(f->dataset, AT_TAG(0x0008, 0x0030)));
    strcpy(desc, get(f->dataset, AT_TAG(0x0008, 0x1030)));
    strcpy(name, get(f->dataset, AT_TAG(0x0010, 0x0010)));
    assert_non_null(strstr(desc, name));
    char *identity_src = get(f->dataset, AT_TAG(0x0010, 0x0020));
    char identity[160];
    snprintf(identity, sizeof identity, "0:%s", identity_src);
    at_deid_config cfg = {.options = AT_DEID_OPT_MODIFIED_DATES | AT_DEID_OPT_CLEAN_DESCRIPTORS |
                                     AT_DEID_OPT_SAFE_PRIVATE | AT_DEID_OPT_INSTITUTION_IDENTITY,
                          .key = &key_a};
    assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
    char expect[64];
    assert_int_equal(at_deid_shift_date(date, at_deid_day_shift(&key_a, identity), expect, sizeof expect),
                     AT_OK);
    assert_string_equal(get(f->dataset, AT_TAG(0x0008, 0x0020)), expect);
    assert_string_equal(get(f->dataset, AT_TAG(0x0008, 0x0030)), time); /* TM: a day shift keeps times */
    char *clean = get(f->dataset, AT_TAG(0x0008, 0x1030));
    assert_non_null(clean);
    assert_null(strstr(clean, "DUPONT"));
    assert_null(strstr(clean, "MARTIN"));
    assert_null(strstr(clean, "BERNARD"));
    assert_null(strstr(clean, "LEFEBVRE"));
    assert_non_null(strstr(clean, "THORAX"));
    assert_non_null(strstr(clean, "*****"));
    assert_string_equal(get(f->dataset, AT_TAG(0x0008, 0x0080)), "CENTRE HOSPITALIER DE TEST");
    assert_string_equal(get(f->dataset, AT_TAG(0x0019, 0x0010)), "SIEMENS MR HEADER");
    assert_non_null(at_dcm_find(f->dataset, AT_TAG(0x0019, 0x100c)));
    assert_null(at_dcm_find(f->dataset, AT_TAG(0x0009, 0x1001)));
    assert_null(at_dcm_find(f->dataset, AT_TAG(0x0009, 0x0010)));
    assert_string_equal(get(f->dataset, AT_TAG(0x0028, 0x0303)), "MODIFIED");
    at_dcm_element *codes = at_dcm_find(f->dataset, AT_TAG(0x0012, 0x0064));
    assert_int_equal(codes->item_count, 5);
    at_dcm_file_free(f);
}

static void test_deterministic_and_keyed(void **state)
{
    (void)state;
    at_dcm_file *a = slice(0, 2), *b = slice(0, 2), *c = slice(0, 2);
    at_deid_config ca = {.options = 0, .key = &key_a}, cb = {.options = 0, .key = &key_b};
    assert_int_equal(at_deid_apply(a, &ca), AT_OK);
    assert_int_equal(at_deid_apply(b, &ca), AT_OK);
    assert_int_equal(at_deid_apply(c, &cb), AT_OK);
    size_t la, lb, lc;
    unsigned char *ba = encode(a, &la), *bb = encode(b, &lb), *bc = encode(c, &lc);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    assert_true(la != lc || memcmp(ba, bc, la) != 0);
    at_free(ba);
    at_free(bb);
    at_free(bc);
    at_dcm_file_free(a);
    at_dcm_file_free(b);
    at_dcm_file_free(c);
}

static void test_burned_in(void **state)
{
    (void)state;
    at_dcm_file *f = slice(0, 0);
    const char *why;
    assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 0);
    assert_int_equal(at_dcm_set_string(f->dataset, AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), "US"), AT_OK);
    assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 1);
    assert_non_null(why);
    assert_int_equal(at_dcm_set_string(f->dataset, AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), "CT"), AT_OK);
    assert_int_equal(at_dcm_set_string(f->dataset, AT_TAG(0x0028, 0x0301), AT_VR('C', 'S'), "YES"), AT_OK);
    assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 1);
    /* careless spellings still count: case, spaces around */
    static const char *const yes[] = {"yes ", " Yes", "yEs", "YES\0"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0028, 0x0301), AT_VR('C', 'S'), yes[i], 4),
                         AT_OK);
        why = NULL;
        assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 1);
        assert_string_equal(why, "burned in annotation");
    }
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0028, 0x0301), AT_VR('C', 'S'), "NO  ", 4), AT_OK);
    assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 0);
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), "us", 2), AT_OK);
    assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 1);
    assert_int_equal(at_dcm_set_string(f->dataset, AT_TAG(0x0008, 0x0060), AT_VR('C', 'S'), "CT"), AT_OK);
    assert_int_equal(at_dcm_set_string(f->dataset, AT_TAG(0x0028, 0x0301), AT_VR('C', 'S'), "NO"), AT_OK);
    assert_int_equal(
        at_dcm_set_string(f->dataset, AT_TAG(0x0008, 0x0016), AT_VR('U', 'I'), "1.2.840.10008.5.1.4.1.1.7"),
        AT_OK);
    assert_int_equal(at_deid_burned_in_risk(f->dataset, &why), 1);
    at_dcm_file_free(f);
}

/* Free text inside a sequence replaced by D gets dummies; inside a cleaned
 * sequence (clean-graphics) it is scrubbed of the header's identifiers. */
static void test_sequence_text(void **state)
{
    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        at_dcm_file *f = slice(0, 0);
        char name[128];
        strcpy(name, get(f->dataset, AT_TAG(0x0010, 0x0010)));
        at_dcm_dataset *ann, *text;
        assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0070, 0x0001), &ann), AT_OK);
        assert_int_equal(at_dcm_sequence_append(ann, AT_TAG(0x0070, 0x0008), &text), AT_OK);
        char value[200];
        snprintf(value, sizeof value, "arrow: %s", name);
        assert_int_equal(at_dcm_set_string(text, AT_TAG(0x0070, 0x0006), AT_VR('S', 'T'), value), AT_OK);
        at_deid_config cfg = {.options = pass ? AT_DEID_OPT_CLEAN_GRAPHICS : 0, .key = &key_a};
        assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
        ann = at_dcm_find(f->dataset, AT_TAG(0x0070, 0x0001))->items[0];
        text = at_dcm_find(ann, AT_TAG(0x0070, 0x0008))->items[0];
        char *after = get(text, AT_TAG(0x0070, 0x0006));
        assert_non_null(after);
        if (pass == 0)
            assert_string_equal(after, "ANONYMIZED");
        else {
            assert_memory_equal(after, "arrow: ", 7);
            assert_null(strstr(after, name));
            assert_non_null(strchr(after, '*'));
        }
        at_dcm_file_free(f);
    }
}

/* The fast path takes the pixel data out of the parse only at a proven
 * element boundary: a fake pixel-data header planted inside a header value
 * (with a length that reaches the end of the file) is not taken. */
static void test_fast_path_boundary(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char path[600];
    snprintf(path, sizeof path, "%s/f.dcm", dir);
    at_dcm_file *f = slice(0, 0);
    static const char fake[] = "xx\xe0\x7f\x10\x00OW\x00\x00LLLLyy";
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0008, 0x1030), AT_VR('L', 'O'), fake, 16), AT_OK);
    assert_int_equal(at_dcm_write_file(f, path), AT_OK);
    at_dcm_file_free(f);
    size_t len;
    unsigned char *data = test_read_file(path, &len);
    unsigned char *hit = memmem(data, len, "\xe0\x7f\x10\x00OW\x00\x00LLLL", 12);
    assert_non_null(hit);
    uint32_t fake_len = (uint32_t)(len - (size_t)(hit - data) - 12);
    for (int k = 0; k < 4; k++)
        hit[8 + k] = (unsigned char)(fake_len >> (8 * k));
    assert_int_equal(test_write_file(path, data, len), 0);
    at_deid_input in;
    at_dcm_file *g = NULL;
    assert_int_equal(at_deid_input_open(path, "f.dcm", &in, &g), AT_OK);
    assert_true(in.pixel_len > 0);
    assert_true(in.pixel_offset > (uint64_t)(hit - data) + 12);
    assert_int_equal(in.pixel_offset + in.pixel_len, len);
    at_dcm_element *desc = at_dcm_find(g->dataset, AT_TAG(0x0008, 0x1030));
    assert_non_null(desc);
    assert_int_equal(desc->length, 16);
    assert_null(at_dcm_find(g->dataset, AT_TAG(0x7fe0, 0x0010)));
    at_dcm_file_free(g);
    at_deid_input_close(&in);
    free(data);
    test_rmtree(dir);
    free(dir);
}

/* Every allocation of the engine may fail: no crash, no leak, an error. */
static void test_apply_out_of_memory(void **state)
{
    (void)state;
    int succeeded = 0;
    for (long n = 1; n < 5000 && !succeeded; n++) {
        at_dcm_file *f = slice(1, 1);
        at_deid_config cfg = {.options = AT_DEID_OPT_CLEAN_DESCRIPTORS | AT_DEID_OPT_MODIFIED_DATES,
                              .key = &key_a};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uid_pseudonyms),
        cmocka_unit_test(test_date_shift),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_apply_basic),
        cmocka_unit_test(test_apply_options),
        cmocka_unit_test(test_deterministic_and_keyed),
        cmocka_unit_test(test_burned_in),
        cmocka_unit_test(test_sequence_text),
        cmocka_unit_test(test_fast_path_boundary),
        cmocka_unit_test(test_apply_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
