/* Unit tests for the DICOM JSON model's strings: text in each Specific
 * Character Set converted to UTF-8 (single-byte sets through iconv, ISO 2022
 * code extensions escape by escape, stand-alone multi-byte sets), per item
 * when an item has its own (0008,0005). pydicom's character set files are
 * compared in tests/integration/test_dicom_json.sh. */
#include "support.h"

#include "atelier/dicom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON of a dataset holding (0008,0005) charset and (0008,1030) LO value. */
static char *json_of(const char *charset, const char *value)
{
    at_dcm_dataset *ds = at_dcm_dataset_new();
    assert_non_null(ds);
    if (charset)
        assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0008, 0x0005), AT_VR('C', 'S'), charset), AT_OK);
    assert_int_equal(
        at_dcm_set_bytes(ds, AT_TAG(0x0008, 0x1030), AT_VR('L', 'O'), value, (uint32_t)strlen(value)), AT_OK);
    at_buf b;
    at_buf_init(&b, 1 << 20);
    assert_int_equal(at_dcm_to_json(ds, &b), AT_OK);
    at_dcm_dataset_free(ds);
    char *s = strdup((const char *)b.data);
    at_buf_free(&b);
    return s;
}

static void expect(const char *charset, const char *value, const char *utf8)
{
    char *j = json_of(charset, value);
    char want[512];
    snprintf(want, sizeof want, "\"00081030\":{\"vr\":\"LO\",\"Value\":[\"%s\"]}", utf8);
    if (!strstr(j, want))
        fail_msg("charset [%s]: got %s, want %s", charset ? charset : "(none)", j, want);
    free(j);
}

static void test_single_byte_sets(void **state)
{
    (void)state;
    expect("ISO_IR 100", "J\xe9r\xf4me", "J\xc3\xa9r\xc3\xb4me");
    expect("ISO_IR 101",
           "\xb3\xf3"
           "d\xbc",
           "\xc5\x82\xc3\xb3"
           "d\xc5\xba"); /* Polish: łódź */
    expect("ISO_IR 144",
           "\xbb\xee\xda"
           "ce",
           "\xd0\x9b\xd1\x8e\xd0\xba"
           "ce");                                                 /* Cyrillic */
    expect("ISO_IR 126", "\xc4\xe9", "\xce\x94\xce\xb9");         /* Greek */
    expect("ISO_IR 148", "\xdd\xfe", "\xc4\xb0\xc5\x9f");         /* Turkish İş */
    expect("ISO_IR 166", "\xa1", "\xe0\xb8\x81");                 /* Thai ko kai */
    expect("ISO_IR 13", "\xd4\xcf", "\xef\xbe\x94\xef\xbe\x8f");  /* half-width katakana */
    expect("ISO_IR 192", "\xc3\xa9\xff", "\xc3\xa9\xef\xbf\xbd"); /* invalid UTF-8 replaced */
    expect("GB18030", "\xcd\xf5", "\xe7\x8e\x8b");                /* 王 */
    expect(NULL, "caf\xc3\xa9", "caf\xc3\xa9");                   /* no charset: UTF-8 kept */
    expect("ISO_IR 999", "x\xe9", "x\xef\xbf\xbd");               /* unknown term */
}

static void test_iso2022(void **state)
{
    (void)state;
    /* G1 switched by escape: Latin-1, then Cyrillic, back to ASCII text */
    expect("ISO 2022 IR 6\\ISO 2022 IR 100\\ISO 2022 IR 144",
           "a\x1b-A\xe9\x1b-L\xbb"
           "b",
           "a\xc3\xa9\xd0\x9b"
           "b");
    /* the first value designates G1 from the start */
    expect("ISO 2022 IR 100", "\xe9", "\xc3\xa9");
    /* JIS X 0208 in G0, back to ASCII */
    expect("\\ISO 2022 IR 87", "A\x1b$B;3ED\x1b(BZ", "A\xe5\xb1\xb1\xe7\x94\xb0Z");
    /* KS X 1001 in G1 */
    expect("\\ISO 2022 IR 149", "\x1b$)C\xc8\xab", "\xed\x99\x8d");
    /* an escape sequence atelier does not know: replaced, the rest kept */
    expect("\\ISO 2022 IR 87", "a\x1b%Gb", "a\xef\xbf\xbd%Gb");
    /* a high byte with no G1 designated */
    expect("\\ISO 2022 IR 87", "a\xe9", "a\xef\xbf\xbd");
}

/* An item with its own Specific Character Set; one without inherits. */
static void test_item_charset(void **state)
{
    (void)state;
    at_dcm_dataset *ds = at_dcm_dataset_new(), *item;
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(0x0008, 0x0005), AT_VR('C', 'S'), "ISO_IR 100"), AT_OK);
    assert_int_equal(at_dcm_sequence_append(ds, AT_TAG(0x0008, 0x1115), &item), AT_OK);
    assert_int_equal(at_dcm_set_string(item, AT_TAG(0x0008, 0x0005), AT_VR('C', 'S'), "ISO_IR 144"), AT_OK);
    assert_int_equal(at_dcm_set_bytes(item, AT_TAG(0x0008, 0x1030), AT_VR('L', 'O'), "\xbb", 1), AT_OK);
    assert_int_equal(at_dcm_sequence_append(ds, AT_TAG(0x0008, 0x1115), &item), AT_OK);
    assert_int_equal(at_dcm_set_bytes(item, AT_TAG(0x0008, 0x1030), AT_VR('L', 'O'), "\xbb", 1), AT_OK);
    at_buf b;
    at_buf_init(&b, 1 << 20);
    assert_int_equal(at_dcm_to_json(ds, &b), AT_OK);
    const char *s = (const char *)b.data;
    assert_non_null(strstr(s, "[\"\xd0\x9b\"]")); /* Cyrillic El in the first item */
    assert_non_null(strstr(s, "[\"\xc2\xbb\"]")); /* Latin-1 guillemet in the second */
    at_buf_free(&b);
    at_dcm_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_byte_sets),
        cmocka_unit_test(test_iso2022),
        cmocka_unit_test(test_item_charset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
