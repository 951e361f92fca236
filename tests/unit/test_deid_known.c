/* What the door keeps only when it is known safe (docs/deid.md, "Known
 * safe words", "Code items", "Code strings", "ICC profiles", "Pixel data
 * containers"), on synthetic values made here: the vocabulary and the word
 * scan (names with no title, after pr. or Dʳ, Given SURNAME, institutions,
 * lot numbers, homoglyphs, invisible characters, a NUL inside a value),
 * code items of recognised and local schemes, code strings, ICC profiles
 * with text tags, RLE frames with trailers, JP2 file boxes. */
#include "support.h"

#include "atelier/deid.h"
#include "deid/internal.h"
#include "deid/pixels.h"
#include "deid/vocab.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_key key;

static int setup(void **state)
{
    (void)state;
    memset(&key, 0x42, sizeof key);
    return at_crypto_init() == AT_OK ? 0 : -1;
}

#define CS AT_VR('C', 'S')
#define LO AT_VR('L', 'O')
#define SH AT_VR('S', 'H')
#define PN AT_VR('P', 'N')
#define UI AT_VR('U', 'I')
#define DA AT_VR('D', 'A')
#define UR AT_VR('U', 'R')

static void put(at_dcm_dataset *ds, uint16_t g, uint16_t e, at_vr vr, const char *v)
{
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(g, e), vr, v), AT_OK);
}

static at_dcm_file *new_file(const char *charset)
{
    at_dcm_file *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dataset = at_dcm_dataset_new();
    f->meta = at_dcm_dataset_new();
    f->has_preamble = 1;
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", AT_TS_EXPLICIT_LE);
    at_dcm_dataset *d = f->dataset;
    if (charset)
        put(d, 0x0008, 0x0005, CS, charset);
    put(d, 0x0008, 0x0016, UI, "1.2.840.10008.5.1.4.1.1.2");
    put(d, 0x0008, 0x0018, UI, "1.2.826.0.1.3680043.10.1459.78.1");
    put(d, 0x0010, 0x0010, PN, "KERVADEC^Yannig");
    put(d, 0x0010, 0x0020, LO, "IPP771203");
    put(d, 0x0020, 0x000D, UI, "1.2.826.0.1.3680043.10.1459.78.2");
    return f;
}

static void run_door(at_dcm_file *f, at_deid_stats *stats)
{
    at_deid_stats local;
    at_deid_config cfg = {.options = 0, .key = &key, .stats = stats ? stats : &local};
    assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
}

static const char *value_of(const at_dcm_dataset *ds, uint16_t g, uint16_t e, char *buf, size_t n)
{
    if (at_dcm_get_string(ds, AT_TAG(g, e), buf, n) != AT_OK) {
        at_error_clear();
        return NULL;
    }
    return buf;
}

static int contains(const unsigned char *b, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(b + i, needle, m))
            return 1;
    return 0;
}

/* The value of an attribute after the door: one value through one attribute. */
static void check_value(uint16_t g, uint16_t e, at_vr vr, const char *charset, const char *in,
                        const char *want)
{
    at_dcm_file *f = new_file(charset);
    put(f->dataset, g, e, vr, in);
    run_door(f, NULL);
    char v[256];
    const char *got = value_of(f->dataset, g, e, v, sizeof v);
    assert_non_null(got);
    if (strcmp(got, want))
        fail_msg("(%04X,%04X) '%s': got '%s', want '%s'", g, e, in, got, want);
    at_dcm_file_free(f);
}

static void test_vocabulary(void **state)
{
    (void)state;
    assert_int_equal(at_deid_vocab_tier("thorax", 6), AT_DEID_TIER_TECHNICAL);
    assert_int_equal(at_deid_vocab_tier("genou", 5), AT_DEID_TIER_GENERAL);
    assert_true(at_deid_vocab_known("siemens", 7, AT_DEID_TIER_TECHNICAL));
    assert_true(at_deid_vocab_known("protocole", 9, AT_DEID_TIER_GENERAL));
    assert_false(at_deid_vocab_known("protocole", 9, AT_DEID_TIER_TECHNICAL));
    /* names are negative evidence, whatever a dictionary says */
    assert_int_equal(at_deid_vocab_tier("martin", 6), 0);
    assert_int_equal(at_deid_vocab_tier("bernard", 7), 0);
    assert_int_equal(at_deid_vocab_tier("marie", 5), 0);
    assert_int_equal(at_deid_vocab_tier("", 0), 0);
    assert_int_equal(at_deid_vocab_tier("zzzzzzzz", 8), 0);
    /* the first and the last word of the table */
    assert_int_equal(at_deid_vocab_tier("a", 1), AT_DEID_TIER_TECHNICAL);
    assert_true(at_deid_cs_term_known("ORIGINAL", 8));
    assert_true(at_deid_cs_term_known("headneck", 8));
    assert_true(at_deid_dcm_code_known("121071", 6));
    assert_false(at_deid_dcm_code_known("121071X", 7));
}

/* Code Meaning (general vocabulary): names with no title, after pr. or Dʳ,
 * Given SURNAME, lot numbers, institutions' names, homoglyphs. */
static void test_code_meaning_words(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Thorax injecte protocole Quellec", "Thorax injecte protocole *******"},
        {"Coronarographie - Gwenola QUELLEC", "*************** - ******* *******"},
        {"TDM TAP demande pr. Quellec", "TDM TAP demande pr. *******"},
        {"Genou 3T - D\xca\xb3 Quellec", "Genou 3T - *** *******"},
        {"FDG lot 24-117A", "FDG lot **-****"},
        {"Injecteur 448213", "Injecteur ******"},
        {"Dose 0.000125 Gy", "Dose 0.000125 Gy"},
        {"IRM genou", "IRM genou"},
        {"Scanner du thorax avec injection", "Scanner du thorax avec injection"},
        /* the patient's surname with a Cyrillic o (a homoglyph) */
        {"Scanner Kervad\xd0\xb5\x63", "Scanner *********"},
        /* a zero-width space inside a name made of two French words */
        {"Scanner Du\xe2\x80\x8bpont", "Scanner *********"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        at_dcm_file *f = new_file("ISO_IR 192");
        at_dcm_dataset *item;
        assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0008, 0x1032), &item), AT_OK);
        put(item, 0x0008, 0x0100, SH, "ZBQK002");
        put(item, 0x0008, 0x0102, SH, "99LOCAL");
        put(item, 0x0008, 0x0104, LO, cases[i][0]);
        at_deid_stats stats;
        run_door(f, &stats);
        item = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1032))->items[0];
        char v[256];
        const char *got = value_of(item, 0x0008, 0x0104, v, sizeof v);
        assert_non_null(got);
        if (strcmp(got, cases[i][1]))
            fail_msg("'%s': got '%s', want '%s'", cases[i][0], got, cases[i][1]);
        at_dcm_file_free(f);
    }
}

/* Equipment strings (technical vocabulary): vendors and models stay, the
 * institution, a ward, a person go; a NUL hides nothing. */
static void test_equipment_words(void **state)
{
    (void)state;
    check_value(0x0008, 0x0070, LO, NULL, "SIEMENS", "SIEMENS");
    check_value(0x0008, 0x0070, LO, NULL, "GE MEDICAL SYSTEMS", "GE MEDICAL SYSTEMS");
    check_value(0x0008, 0x1090, LO, NULL, "SOMATOM Definition AS+", "SOMATOM Definition AS+");
    check_value(0x0008, 0x1090, LO, NULL, "Discovery MR750", "Discovery MR750");
    check_value(0x0018, 0x1250, SH, NULL, "HeadNeck_20", "HeadNeck_20");
    check_value(0x0018, 0x0024, SH, NULL, "*tse2d1_15", "*tse2d1_15");
    check_value(0x0008, 0x0070, LO, NULL, "CHU de Brocelande", "*** de **********");
    check_value(0x0008, 0x1090, LO, NULL, "Salle Urgences", "***** ********");
    check_value(0x0018, 0x0024, SH, NULL, "*tse_QUELLEC", "*tse_*******");
    /* a NUL inside the value: what follows is cut */
    at_dcm_file *f = new_file(NULL);
    static const unsigned char hidden[] = "ACME\0\0Clinique Brocelande";
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0008, 0x0070), LO, hidden, sizeof hidden - 1),
                     AT_OK);
    run_door(f, NULL);
    const at_dcm_element *el = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x0070));
    assert_non_null(el);
    assert_int_equal(el->length, 4);
    assert_memory_equal(el->value, "ACME", 4);
    at_dcm_file_free(f);
}

static const char *code_of(at_dcm_file *f, uint16_t e, char *v, size_t n)
{
    at_dcm_dataset *item = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1032))->items[0];
    return value_of(item, 0x0008, e, v, n);
}

static at_dcm_file *code_file(const char *value, const char *designator, const char *version)
{
    at_dcm_file *f = new_file(NULL);
    at_dcm_dataset *item;
    assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0008, 0x1032), &item), AT_OK);
    put(item, 0x0008, 0x0100, SH, value);
    put(item, 0x0008, 0x0102, SH, designator);
    if (version)
        put(item, 0x0008, 0x0103, SH, version);
    put(item, 0x0008, 0x0104, LO, "Lung");
    return f;
}

static void test_code_items(void **state)
{
    (void)state;
    /* recognised schemes with well-formed codes: kept */
    static const char *const kept[][2] = {{"39607008", "SCT"}, {"121071", "DCM"},    {"CT", "DCM"},
                                          {"8867-4", "LN"},    {"mm", "UCUM"},       {"g/ml{SUVbw}", "UCUM"},
                                          {"T-D4000", "SRT"},  {"RID1301", "RADLEX"}};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        at_dcm_file *f = code_file(kept[i][0], kept[i][1], "01");
        run_door(f, NULL);
        char v[80];
        assert_string_equal(code_of(f, 0x0100, v, sizeof v), kept[i][0]);
        assert_string_equal(code_of(f, 0x0102, v, sizeof v), kept[i][1]);
        assert_string_equal(code_of(f, 0x0103, v, sizeof v), "01");
        at_dcm_file_free(f);
    }
    /* a number under a standard designator that is no code of it, and local schemes: pseudonyms */
    static const char *const replaced[][2] = {{"10101234567", "SCT"},  {"10101234567", "DCM"},
                                              {"8867-5", "LN"},        {"{QUELLEC}", "UCUM"},
                                              {"10101234567", "RPPS"}, {"ZBQK002", "99CHUBROC"}};
    char first[80] = "";
    for (size_t i = 0; i < sizeof replaced / sizeof *replaced; i++) {
        at_dcm_file *f = code_file(replaced[i][0], replaced[i][1], "CHU 2021");
        at_deid_stats stats;
        run_door(f, &stats);
        char v[80];
        const char *value = code_of(f, 0x0100, v, sizeof v);
        assert_non_null(value);
        assert_int_equal(strlen(value), 13);
        assert_int_equal(value[0], 'C');
        if (i == 0)
            snprintf(first, sizeof first, "%s", value);
        else
            assert_string_not_equal(value, first);
        const char *d = code_of(f, 0x0102, v, sizeof v);
        assert_memory_equal(d, "99", 2);
        assert_int_equal(strlen(d), 14);
        assert_null(code_of(f, 0x0103, v, sizeof v)); /* version removed */
        assert_true(stats.codes_replaced >= 3);
        at_dcm_file_free(f);
    }
    /* the same local code gives the same pseudonym (codes still group) */
    at_dcm_file *a = code_file("ZBQK002", "99CHUBROC", NULL), *b = code_file("ZBQK002", "99CHUBROC", NULL);
    run_door(a, NULL);
    run_door(b, NULL);
    char va[80], vb[80];
    assert_string_equal(code_of(a, 0x0100, va, sizeof va), code_of(b, 0x0100, vb, sizeof vb));
    at_dcm_file_free(a);
    at_dcm_file_free(b);
    /* mapping resource, template and context identifiers: well formed or removed */
    at_dcm_file *f = code_file("121071", "DCM", "CHU 2021");
    at_dcm_dataset *item = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1032))->items[0];
    put(item, 0x0008, 0x0105, CS, "CHUBROC");
    put(item, 0x0040, 0xDB00, CS, "DR_QUELLEC");
    put(item, 0x0008, 0x010F, CS, "4031");
    put(item, 0x0008, 0x0120, UR, "https://example.org/quellec");
    run_door(f, NULL);
    item = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1032))->items[0];
    char v[80];
    assert_null(value_of(item, 0x0008, 0x0103, v, sizeof v)); /* a version not in digits */
    assert_null(value_of(item, 0x0008, 0x0105, v, sizeof v));
    assert_null(value_of(item, 0x0040, 0xDB00, v, sizeof v));
    assert_string_equal(value_of(item, 0x0008, 0x010F, v, sizeof v), "4031");
    assert_memory_equal(value_of(item, 0x0008, 0x0120, v, sizeof v), "urn:atelier:C", 13);
    at_dcm_file_free(f);
    f = code_file("121071", "DCM", NULL);
    item = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1032))->items[0];
    put(item, 0x0008, 0x0105, CS, "DCMR");
    put(item, 0x0040, 0xDB00, CS, "1500");
    run_door(f, NULL);
    item = at_dcm_find(f->dataset, AT_TAG(0x0008, 0x1032))->items[0];
    assert_string_equal(value_of(item, 0x0008, 0x0105, v, sizeof v), "DCMR");
    assert_string_equal(value_of(item, 0x0040, 0xDB00, v, sizeof v), "1500");
    at_dcm_file_free(f);
}

static void test_code_strings(void **state)
{
    (void)state;
    check_value(0x0008, 0x0008, CS, NULL, "ORIGINAL\\PRIMARY\\AXIAL", "ORIGINAL\\PRIMARY\\AXIAL");
    check_value(0x0018, 0x0015, CS, NULL, "HEADNECK", "HEADNECK");
    check_value(0x0008, 0x0060, CS, NULL, "CT", "CT");
    /* a surname after an empty value: a pseudonym in its place */
    at_dcm_file *f = new_file(NULL);
    put(f->dataset, 0x0008, 0x0008, CS, "ORIGINAL\\PRIMARY\\\\QUELLEC");
    at_deid_stats stats;
    run_door(f, &stats);
    char v[128];
    const char *got = value_of(f->dataset, 0x0008, 0x0008, v, sizeof v);
    assert_memory_equal(got, "ORIGINAL\\PRIMARY\\\\X", 19);
    assert_int_equal(strlen(got), 19 + 12);
    assert_int_equal(stats.code_strings_replaced, 1);
    at_dcm_file_free(f);
    /* a graphic layer named after its author: the same pseudonym where it is defined and used */
    f = new_file(NULL);
    at_dcm_dataset *layer, *ann;
    assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0070, 0x0060), &layer), AT_OK);
    put(layer, 0x0070, 0x0002, CS, "DR_QUELLEC");
    assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0070, 0x0001), &ann), AT_OK);
    put(ann, 0x0070, 0x0002, CS, "DR_QUELLEC");
    run_door(f, NULL);
    layer = at_dcm_find(f->dataset, AT_TAG(0x0070, 0x0060))->items[0];
    ann = at_dcm_find(f->dataset, AT_TAG(0x0070, 0x0001))->items[0];
    char w[64];
    assert_non_null(value_of(layer, 0x0070, 0x0002, v, sizeof v));
    assert_non_null(value_of(ann, 0x0070, 0x0002, w, sizeof w));
    assert_string_equal(v, w);
    assert_int_equal(v[0], 'X');
    at_dcm_file_free(f);
    assert_true(at_deid_cs_value_known("LAYER 1", 7));
    assert_false(at_deid_cs_value_known("ABCDEFGHIJKLMNOPQ", 17));
    assert_false(at_deid_cs_value_known("HEAD-NECK", 9));
    assert_false(at_deid_cs_value_known("SERIE 1234567", 13));
}

/* ---- ICC profiles ---- */

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
    p[3] = (unsigned char)v;
}

/* A version 2 display profile: desc, cprt (text), dmnd (desc), wtpt (XYZ),
 * calt (dtim), a private tag; the header dated and signed. */
static size_t make_icc(unsigned char *p, size_t cap)
{
    memset(p, 0, cap);
    size_t pos = 128 + 4 + 6 * 12;
    struct {
        const char *sig;
        size_t len;
        unsigned char data[96];
    } tags[6];
    memset(tags, 0, sizeof tags);
#define TAG(i, s, lit, total)                                                                                \
    do {                                                                                                     \
        tags[i].sig = s;                                                                                     \
        memcpy(tags[i].data, lit, sizeof lit - 1);                                                           \
        tags[i].len = total;                                                                                 \
    } while (0)
    TAG(0, "desc",
        "desc\0\0\0\0\0\0\0\x1c"
        "Ecran Dr Quellec SN 448213\0",
        12 + 28 + 12 + 3 + 67);
    TAG(1, "cprt", "text\0\0\0\0Clinique Brocelande quellec@example.fr", 52);
    TAG(2, "dmnd", "desc\0\0\0\0\0\0\0\x08Quellec", 12 + 8 + 12 + 3 + 67);
    TAG(3, "wtpt", "XYZ \0\0\0\0\x00\x00\xf6\xd6\x00\x01\x00\x00\x00\x00\xd3\x2d", 20);
    TAG(4, "calt", "dtim\0\0\0\0\x07\xe8\x00\x03\x00\x0c\x00\x08\x00\x00\x00\x00", 20);
    TAG(5, "zzzz", "zzzz\0\0\0\0QUELLEC", 16);
#undef TAG
    be32(p + 128, 6);
    for (int i = 0; i < 6; i++) {
        memcpy(p + 132 + 12 * i, tags[i].sig, 4);
        be32(p + 136 + 12 * i, (uint32_t)pos);
        be32(p + 140 + 12 * i, (uint32_t)tags[i].len);
        memcpy(p + pos, tags[i].data, tags[i].len < sizeof tags[i].data ? tags[i].len : sizeof tags[i].data);
        pos += (tags[i].len + 3) & ~(size_t)3;
    }
    memcpy(p + pos, "QUELLEC-GAP", 11); /* bytes no tag covers */
    pos += 12;
    be32(p, (uint32_t)pos);
    memcpy(p + 4, "lcms", 4);
    be32(p + 8, 0x02100000);
    memcpy(p + 12, "mntr", 4);
    memcpy(p + 16, "RGB ", 4);
    memcpy(p + 20, "XYZ ", 4);
    memcpy(p + 24, "\x07\xe8\x00\x03\x00\x0c", 6); /* 2024-03-12 */
    memcpy(p + 36, "acsp", 4);
    memcpy(p + 48, "QUEL", 4);
    memcpy(p + 80, "LLEC", 4);
    assert_true(pos <= cap);
    return pos;
}

static void test_icc(void **state)
{
    (void)state;
    unsigned char p[1024], q[1024];
    size_t n = make_icc(p, sizeof p);
    memcpy(q, p, n);
    assert_int_equal(at_deid_icc_clean_bytes(q, n), 0);
    assert_false(contains(q, n, "Quellec") || contains(q, n, "QUELLEC") || contains(q, n, "quellec"));
    assert_false(contains(q, n, "QUEL") || contains(q, n, "LLEC"));
    assert_false(contains(q, n, "Brocelande") || contains(q, n, "448213"));
    assert_false(contains(q, n, "\x07\xe8\x00\x03")); /* dates: header and calt */
    assert_memory_equal(q, p, 4);                     /* size */
    assert_memory_equal(q + 8, p + 8, 16);            /* version, class, spaces */
    assert_memory_equal(q + 36, "acsp", 4);
    assert_memory_equal(q + 128, p + 128, 4 + 6 * 12); /* the tag table */
    size_t wtpt =
        128 + 4 + 6 * 12 + ((12 + 28 + 12 + 3 + 67 + 3) & ~3u) + 52 + ((12 + 8 + 12 + 3 + 67 + 3) & ~3u);
    assert_memory_equal(q + wtpt, p + wtpt, 20); /* numbers kept byte for byte */
    assert_memory_equal(q + 132 + 12 * 0 + 12 * 0, "desc", 4);
    size_t desc = 128 + 4 + 6 * 12;
    assert_memory_equal(q + desc, "desc", 4);
    assert_int_equal(q[desc + 11], 1); /* an empty ASCII description */
    /* not parsable: a tag past the end, no 'acsp', overlapping tags */
    memcpy(q, p, n);
    be32(q + 136, (uint32_t)n);
    assert_int_equal(at_deid_icc_clean_bytes(q, n), -1);
    memcpy(q, p, n);
    memcpy(q + 36, "xxxx", 4);
    assert_int_equal(at_deid_icc_clean_bytes(q, n), -1);
    memcpy(q, p, n);
    be32(q + 136 + 12, 128 + 4 + 6 * 12 + 8);
    assert_int_equal(at_deid_icc_clean_bytes(q, n), -1);
    /* through the door: cleaned in the dataset, removed when it cannot be parsed */
    at_dcm_file *f = new_file(NULL);
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0028, 0x2000), AT_VR('O', 'B'), p, (uint32_t)n),
                     AT_OK);
    at_deid_stats stats;
    run_door(f, &stats);
    const at_dcm_element *el = at_dcm_find(f->dataset, AT_TAG(0x0028, 0x2000));
    assert_non_null(el);
    assert_int_equal(el->length, n);
    assert_false(contains(el->value, el->length, "Quellec"));
    assert_int_equal(stats.icc_profiles_cleaned, 1);
    at_dcm_file_free(f);
    f = new_file(NULL);
    memcpy(q, p, n);
    be32(q, (uint32_t)n + 100);
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x0028, 0x2000), AT_VR('O', 'B'), q, (uint32_t)n),
                     AT_OK);
    run_door(f, &stats);
    assert_null(at_dcm_find(f->dataset, AT_TAG(0x0028, 0x2000)));
    assert_int_equal(stats.icc_profiles_removed, 1);
    at_dcm_file_free(f);
}

/* ---- RLE ---- */

static void le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
    p[3] = (unsigned char)(v >> 24);
}

static void test_rle(void **state)
{
    (void)state;
    /* 2 x 3 pixels, two segments (16 bits): a literal run and a repeat run,
     * each followed by a trailer */
    unsigned char in[200];
    memset(in, 0, sizeof in);
    le32(in, 2);
    size_t pos = 64;
    le32(in + 4, (uint32_t)pos);
    static const unsigned char seg1[] = {0x05, 1, 2, 3, 4, 5, 6};
    memcpy(in + pos, seg1, sizeof seg1);
    pos += sizeof seg1;
    memcpy(in + pos, "QUELLEC", 7);
    pos += 7;
    le32(in + 8, (uint32_t)pos);
    static const unsigned char seg2[] = {0xFB, 9}; /* 257 - 251 = 6 times 9 */
    memcpy(in + pos, seg2, sizeof seg2);
    pos += sizeof seg2;
    memcpy(in + pos, "19570312", 8);
    pos += 8;
    unsigned char *out;
    size_t len, removed;
    const char *reason = NULL;
    assert_int_equal(at_deid_rle_clean(in, pos, 6, 2, &out, &len, &removed, &reason), 0);
    assert_non_null(out);
    assert_int_equal(len, 64 + 8 + 2);
    assert_int_equal(removed, 2);
    assert_false(contains(out, len, "QUELLEC") || contains(out, len, "1957"));
    assert_memory_equal(out + 64, seg1, sizeof seg1);
    assert_int_equal(out[64 + 7], 0); /* the pad to even length */
    assert_memory_equal(out + 72, seg2, sizeof seg2);
    assert_int_equal(out[4], 64);
    assert_int_equal(out[8], 72);
    /* a clean frame is left as it is */
    unsigned char *again;
    size_t len2;
    assert_int_equal(at_deid_rle_clean(out, len, 6, 2, &again, &len2, &removed, &reason), 0);
    assert_null(again);
    at_free(out);
    /* not understood: a run past the image, a short segment, a count that does not match */
    static const unsigned char over[] = {0xF0, 9};
    unsigned char bad[80];
    memset(bad, 0, sizeof bad);
    le32(bad, 1);
    le32(bad + 4, 64);
    memcpy(bad + 64, over, 2);
    assert_int_equal(at_deid_rle_clean(bad, 66, 6, 1, &out, &len, &removed, &reason), -1);
    bad[64] = 0x07;
    assert_int_equal(at_deid_rle_clean(bad, 66, 6, 1, &out, &len, &removed, &reason), -1);
    assert_int_equal(at_deid_rle_clean(in, pos, 6, 3, &out, &len, &removed, &reason), -1);
    assert_non_null(reason);
}

/* ---- JP2 boxes ---- */

static size_t box(unsigned char *p, const char *type, const void *content, size_t len)
{
    be32(p, (uint32_t)(len + 8));
    memcpy(p + 4, type, 4);
    memcpy(p + 8, content, len);
    return len + 8;
}

static void test_jp2(void **state)
{
    (void)state;
    unsigned char in[512], header[64], codestream[64];
    size_t h = 0, c = 0, n = 0;
    static const unsigned char ihdr[14] = {0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 7, 7, 0, 0};
    static const unsigned char colr[7] = {1, 0, 0, 0, 0, 0, 17};
    h += box(header + h, "ihdr", ihdr, sizeof ihdr);
    h += box(header + h, "colr", colr, sizeof colr);
    h += box(header + h, "lbl ", "QUELLEC", 7);
    /* a codestream: SOC, SIZ (stand-in), COM, SOT (Psot 0), SOD, data, EOC */
    static const unsigned char cs1[] = {0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x04, 0x00, 0x00, 0xFF, 0x64, 0x00,
                                        0x0B, 0x00, 0x01, 'Q',  'U',  'E',  'L',  'L',  'E',  'C'};
    static const unsigned char cs2[] = {0xFF, 0x90, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x01, 0xFF, 0x93, 0x12, 0x34, 0xFF, 0xD9};
    memcpy(codestream, cs1, sizeof cs1);
    c = sizeof cs1;
    memcpy(codestream + c, cs2, sizeof cs2);
    c += sizeof cs2;
    static const unsigned char sig[4] = {0x0D, 0x0A, 0x87, 0x0A};
    n += box(in + n, "jP  ", sig, 4);
    n += box(in + n, "ftyp", "jp2 \0\0\0\0jp2 ", 12);
    n += box(in + n, "jp2h", header, h);
    n += box(in + n, "xml ", "<name>QUELLEC</name>", 20);
    n += box(in + n, "uuid", "0123456789abcdefXMP QUELLEC", 27);
    n += box(in + n, "jp2i", "IPP771203", 9);
    n += box(in + n, "jp2c", codestream, c);
    memcpy(in + n, "TRAILER-QUELLEC", 15);
    n += 15;
    unsigned char *out;
    size_t len, removed;
    const char *reason = NULL;
    assert_int_equal(at_deid_j2k_clean(in, n, &out, &len, &removed, &reason), 0);
    assert_non_null(out);
    assert_false(contains(out, len, "QUELLEC") || contains(out, len, "IPP771203"));
    assert_false(contains(out, len, "xml ") || contains(out, len, "uuid") || contains(out, len, "jp2i"));
    assert_true(contains(out, len, "jp2h") && contains(out, len, "ihdr") && contains(out, len, "colr"));
    assert_memory_equal(out, in, 24); /* signature box and ftyp's start */
    /* the codestream: SOC SIZ, no COM, the tile-part and EOC */
    const unsigned char *jc = NULL;
    for (size_t i = 0; i + 4 <= len; i++)
        if (!memcmp(out + i, "jp2c", 4))
            jc = out + i + 4;
    assert_non_null(jc);
    assert_memory_equal(jc, cs1, 8);
    assert_memory_equal(jc + 8, cs2, sizeof cs2);
    assert_true(removed >= 5);
    at_free(out);
    /* a box whose length runs past the frame */
    be32(in + 12, 4000);
    assert_int_equal(at_deid_j2k_clean(in, n, &out, &len, &removed, &reason), -1);
    assert_non_null(reason);
}

/* The door over its own output changes no text: its method string and
 * codes are written afresh, masked words stay masked, kept words stay. */
static void test_second_pass(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("ISO_IR 192");
    put(f->dataset, 0x0008, 0x0070, LO, "ACME Imaging Brocelande");
    put(f->dataset, 0x0008, 0x1090, LO, "SOMATOM Definition Salle 3");
    at_dcm_dataset *item;
    assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0008, 0x1032), &item), AT_OK);
    put(item, 0x0008, 0x0100, SH, "T-D3000");
    put(item, 0x0008, 0x0102, SH, "SRT");
    put(item, 0x0008, 0x0104, LO, "Scanner du thorax protocole Quellec");
    at_deid_stats first, second;
    run_door(f, &first);
    assert_true(first.words_masked >= 2);
    char before[256], after[256];
    assert_non_null(value_of(f->dataset, 0x0012, 0x0063, before, sizeof before));
    run_door(f, &second);
    assert_int_equal(second.text_masked, 0);
    assert_int_equal(second.words_masked, 0);
    assert_int_equal(second.not_allowed, 0);
    assert_int_equal(second.codes_replaced, 0);
    assert_non_null(value_of(f->dataset, 0x0012, 0x0063, after, sizeof after));
    assert_string_equal(before, after);
    const at_dcm_element *codes = at_dcm_find(f->dataset, AT_TAG(0x0012, 0x0064));
    assert_non_null(codes);
    assert_int_equal(codes->item_count, 1);
    at_dcm_file_free(f);
}

static int has_id(const at_deid_identifiers *ids, const char *folded)
{
    for (size_t i = 0; i < ids->count; i++)
        if (ids->v[i].len == strlen(folded) && !memcmp(ids->v[i].text, folded, ids->v[i].len))
            return 1;
    return 0;
}

static void same_ids(const at_deid_identifiers *a, const at_deid_identifiers *b)
{
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        assert_int_equal(a->v[i].len, b->v[i].len);
        assert_memory_equal(a->v[i].text, b->v[i].text, a->v[i].len);
        assert_int_equal(a->v[i].kind, b->v[i].kind);
    }
}

/* A thread's memo gives what a fresh collection gives, and collects afresh
 * whenever anything it reads differs: another patient's name, another
 * character set, other options, a value added deep in a sequence. */
static void test_memo(void **state)
{
    (void)state;
    at_deid_memo *memo = at_deid_memo_new();
    assert_non_null(memo);
    at_dcm_file *a = new_file("ISO_IR 100");
    put(a->dataset, 0x0008, 0x0020, DA, "20240312");
    const at_dcm_element *cs = at_dcm_find(a->dataset, AT_TAG(0x0008, 0x0005));
    at_deid_identifiers fresh;
    const at_deid_identifiers *ids = NULL;
    assert_int_equal(at_deid_identifiers_collect(a->dataset, cs, 0, &fresh), AT_OK);
    assert_int_equal(at_deid_identifiers_memo(a->dataset, cs, 0, memo, &ids), AT_OK);
    same_ids(&fresh, ids);
    assert_true(has_id(ids, "yannig") && has_id(ids, "12032024"));
    /* the same header again: the same identifiers */
    assert_int_equal(at_deid_identifiers_memo(a->dataset, cs, 0, memo, &ids), AT_OK);
    same_ids(&fresh, ids);
    at_deid_identifiers_free(&fresh);

    /* another patient in the next file */
    at_dcm_file *b = new_file("ISO_IR 100");
    put(b->dataset, 0x0008, 0x0020, DA, "20240312");
    put(b->dataset, 0x0010, 0x0010, PN, "KERVADEC^Maiwenn");
    const at_dcm_element *csb = at_dcm_find(b->dataset, AT_TAG(0x0008, 0x0005));
    assert_int_equal(at_deid_identifiers_memo(b->dataset, csb, 0, memo, &ids), AT_OK);
    assert_true(has_id(ids, "maiwenn"));
    assert_false(has_id(ids, "yannig"));

    /* the same bytes under other options: full-dates keeps dates, so they are no identifiers */
    assert_int_equal(at_deid_identifiers_memo(b->dataset, csb, AT_DEID_OPT_FULL_DATES, memo, &ids), AT_OK);
    assert_false(has_id(ids, "12032024"));
    assert_true(has_id(ids, "maiwenn"));

    /* a value deep in a sequence item is read too */
    at_dcm_dataset *item;
    assert_int_equal(at_dcm_sequence_append(b->dataset, AT_TAG(0x0008, 0x1032), &item), AT_OK);
    put(item, 0x0040, 0xA123, PN, "QUELLEC^Gwenola");
    assert_int_equal(at_deid_identifiers_memo(b->dataset, csb, 0, memo, &ids), AT_OK);
    assert_true(has_id(ids, "gwenola") && has_id(ids, "maiwenn"));

    /* the same name bytes under another character set */
    at_dcm_file *c = new_file("ISO_IR 192");
    put(c->dataset, 0x0010, 0x0010, PN, "KERVADEC^Ma\xc3\xafwenn");
    const at_dcm_element *csc = at_dcm_find(c->dataset, AT_TAG(0x0008, 0x0005));
    assert_int_equal(at_deid_identifiers_collect(c->dataset, csc, 0, &fresh), AT_OK);
    assert_int_equal(at_deid_identifiers_memo(c->dataset, csc, 0, memo, &ids), AT_OK);
    same_ids(&fresh, ids);
    at_deid_identifiers_free(&fresh);
    at_dcm_file *d = new_file("ISO_IR 100");
    put(d->dataset, 0x0010, 0x0010, PN, "KERVADEC^Ma\xc3\xafwenn");
    const at_dcm_element *csd = at_dcm_find(d->dataset, AT_TAG(0x0008, 0x0005));
    assert_int_equal(at_deid_identifiers_collect(d->dataset, csd, 0, &fresh), AT_OK);
    assert_int_equal(at_deid_identifiers_memo(d->dataset, csd, 0, memo, &ids), AT_OK);
    same_ids(&fresh, ids);
    at_deid_identifiers_free(&fresh);

    /* through the door: a file's own name is masked in its retained text with a memo used before */
    at_deid_config cfg = {.options = 0, .key = &key, .memo = memo};
    at_deid_stats st;
    cfg.stats = &st;
    at_dcm_file *e = new_file("ISO_IR 100");
    put(e->dataset, 0x0010, 0x0010, PN, "THORAX^Abdomen");
    put(e->dataset, 0x0008, 0x1030, LO, "THORAX ABDOMEN");
    assert_int_equal(at_deid_apply(a, &cfg), AT_OK);
    assert_int_equal(at_deid_apply(e, &cfg), AT_OK);
    char v[256];
    const char *got = value_of(e->dataset, 0x0008, 0x1030, v, sizeof v);
    assert_true(!got || (!strstr(got, "THORAX") && !strstr(got, "ABDOMEN")));
    at_dcm_file_free(a);
    at_dcm_file_free(b);
    at_dcm_file_free(c);
    at_dcm_file_free(d);
    at_dcm_file_free(e);
    at_deid_memo_free(memo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_code_meaning_words),
        cmocka_unit_test(test_equipment_words),
        cmocka_unit_test(test_code_items),
        cmocka_unit_test(test_code_strings),
        cmocka_unit_test(test_icc),
        cmocka_unit_test(test_rle),
        cmocka_unit_test(test_jp2),
        cmocka_unit_test(test_second_pass),
        cmocka_unit_test(test_memo),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
