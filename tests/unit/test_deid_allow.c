/* The allow-list engine on synthetic objects made here: an unknown public
 * tag with explicit VR LO, attributes the table does not list (removed,
 * kept by the allow-list, kept under an option), structured reports nested
 * five deep, RT plan / structure set / dose, enhanced multi-frame
 * functional groups, presentation states, segmentations, private blocks
 * with the value check, text scanning after folding in Latin-1, UTF-8
 * (NFC and NFD), Greek, Cyrillic and ISO 2022 character sets, shapes
 * (phones with spaces, French dates in words and numbers, titled names),
 * ages over 89, encapsulated documents, JPEG frames, the detector callback. */
#include "support.h"

#include "atelier/deid.h"
#include "deid/pixels.h"

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
#define DS AT_VR('D', 'S')
#define IS AT_VR('I', 'S')
#define UT AT_VR('U', 'T')
#define ST AT_VR('S', 'T')
#define LT AT_VR('L', 'T')
#define US AT_VR('U', 'S')

static void put(at_dcm_dataset *ds, uint16_t g, uint16_t e, at_vr vr, const char *v)
{
    assert_int_equal(at_dcm_set_string(ds, AT_TAG(g, e), vr, v), AT_OK);
}

/* A file with a patient identity; charset NULL for the default repertoire. */
static at_dcm_file *new_file(const char *sop_class, const char *charset, const char *name)
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
    put(d, 0x0008, 0x0016, UI, sop_class);
    put(d, 0x0008, 0x0018, UI, "1.2.826.0.1.3680043.10.1459.77.1");
    put(d, 0x0008, 0x0020, DA, "20240312");
    put(d, 0x0010, 0x0010, PN, name);
    put(d, 0x0010, 0x0020, LO, "IPP884211");
    put(d, 0x0010, 0x0030, DA, "19570312");
    put(d, 0x0010, 0x2154, SH, "0123456789");
    put(d, 0x0008, 0x0090, PN, "MARTIN^Paul");
    put(d, 0x0008, 0x0080, LO, "Hopital Lariboisiere");
    put(d, 0x0020, 0x000D, UI, "1.2.826.0.1.3680043.10.1459.77.2");
    put(d, 0x0020, 0x000E, UI, "1.2.826.0.1.3680043.10.1459.77.3");
    return f;
}

static void file_free(at_dcm_file *f)
{
    at_dcm_file_free(f);
}

/* The encoded output of f after the door with options. */
static unsigned char *deid(at_dcm_file *f, unsigned options, at_deid_stats *stats, size_t *len)
{
    at_deid_stats local;
    at_deid_config cfg = {.options = options, .key = &key, .stats = stats ? stats : &local};
    assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
    unsigned char *bytes;
    assert_int_equal(at_dcm_write_memory(f, &bytes, len), AT_OK);
    return bytes;
}

/* needle (ASCII: compared without regard to case) in the bytes. */
static int holds(const unsigned char *b, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        size_t k = 0;
        while (k < m && tolower(b[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == m)
            return 1;
    }
    return 0;
}

static void assert_gone(const unsigned char *b, size_t n, const char *needle)
{
    if (holds(b, n, needle))
        fail_msg("'%s' survived the door", needle);
}

static const char *value_of(const at_dcm_dataset *ds, uint16_t g, uint16_t e, char *buf, size_t n)
{
    if (at_dcm_get_string(ds, AT_TAG(g, e), buf, n) != AT_OK) {
        at_error_clear();
        return NULL;
    }
    return buf;
}

static void test_table_is_floor(void **state)
{
    (void)state;
    size_t n = at_deid_allowlist_size();
    assert_true(n > 500);
    at_tag prev = 0;
    for (size_t i = 0; i < n; i++) {
        at_tag t;
        char action;
        const char *kw, *module;
        assert_int_equal(at_deid_allowlist_row(i, &t, &action, NULL, &kw, &module), AT_OK);
        assert_true(t > prev); /* sorted, unique */
        prev = t;
        assert_true(!(AT_TAG_GROUP(t) & 1));
        assert_true(action == 'K' || action == 'N' || action == 'W' || action == 'C' || action == 'D' ||
                    action == 'Z');
        assert_non_null(at_dcm_dict_lookup(t));
        /* never a row of Table E.1-1: the table stays the floor */
        const char *code = "x";
        at_deid_action_for(t, at_dcm_dict_lookup(t)->vr, 0, NULL, &code);
        assert_string_equal(code, "");
    }
    assert_int_equal(at_deid_allowlist_row(n, NULL, NULL, NULL, NULL, NULL), AT_ERR_ARG);
    at_error_clear();
    /* actions: not listed anywhere -> removed; allow-listed -> kept; an
     * option row */
    assert_int_equal(at_deid_action_for(AT_TAG(0x0018, 0x9FF3), LO, 0, NULL, NULL), AT_DEID_REMOVE);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0028, 0x0010), US, 0, NULL, NULL), AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0018, 0x1020), LO, 0, NULL, NULL), AT_DEID_DUMMY);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0018, 0x1020), LO, AT_DEID_OPT_DEVICE_IDENTITY, NULL, NULL),
                     AT_DEID_KEEP);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0070, 0x0006), ST, 0, NULL, NULL), AT_DEID_DUMMY);
    assert_int_equal(at_deid_action_for(AT_TAG(0x0070, 0x0006), ST, AT_DEID_OPT_CLEAN_GRAPHICS, NULL, NULL),
                     AT_DEID_KEEP);
}

/* Attributes outside the table: an unknown public tag with explicit VR LO,
 * known attributes nobody vouched for, URLs, HL7 identifiers, software
 * versions, window explanations; and what the allow-list keeps. */
static void test_unlisted(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "DUPONT^Jean");
    at_dcm_dataset *d = f->dataset;
    put(d, 0x0018, 0x9FF3, LO, "unknown tag ZQXUNKNOWN");
    put(d, 0x0018, 0x1020, LO, "ZQXSOFTWARE 1.0");
    put(d, 0x0008, 0x1190, AT_VR('U', 'R'), "http://pacs.example/ZQXURL");
    put(d, 0x0040, 0xE001, ST, "ZQXHL7^^^");
    put(d, 0x0028, 0x1055, LO, "ZQXWINDOW");
    put(d, 0x0018, 0x1210, SH, "B30f");
    put(d, 0x0028, 0x0010, US, "");
    assert_int_equal(at_dcm_set_u16(d, AT_TAG(0x0028, 0x0010), 512), AT_OK);
    put(d, 0x0008, 0x0070, LO, "ACME DUPONT Medical"); /* kept, scanned: the name goes */
    at_deid_stats st;
    size_t n;
    unsigned char *b = deid(f, 0, &st, &n);
    assert_gone(b, n, "ZQX");
    assert_gone(b, n, "DUPONT");
    assert_true(st.not_allowed >= 4);
    char v[128];
    assert_string_equal(value_of(d, 0x0018, 0x1210, v, sizeof v), "B30f");
    assert_string_equal(value_of(d, 0x0008, 0x0070, v, sizeof v), "ACME ****** Medical");
    uint16_t rows = 0;
    assert_int_equal(at_dcm_get_u16(d, AT_TAG(0x0028, 0x0010), &rows), AT_OK);
    assert_int_equal(rows, 512);
    free(b);
    file_free(f);
    /* numbers: an ID as a whole value goes, digits inside a decimal stay */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "DUPONT^Jean");
    put(f->dataset, 0x0010, 0x0020, LO, "884211");
    put(f->dataset, 0x0008, 0x1010, SH, "000000000");
    put(f->dataset, 0x0020, 0x0012, IS, "884211");
    put(f->dataset, 0x0018, 0x0050, DS, "0.884211");
    put(f->dataset, 0x0020, 0x0037, DS, "1\\0.000000000\\0\\0\\1\\0");
    b = deid(f, 0, NULL, &n);
    assert_string_equal(value_of(f->dataset, 0x0020, 0x0012, v, sizeof v), "0");
    assert_string_equal(value_of(f->dataset, 0x0018, 0x0050, v, sizeof v), "0.884211");
    assert_string_equal(value_of(f->dataset, 0x0020, 0x0037, v, sizeof v), "1\\0.000000000\\0\\0\\1\\0");
    free(b);
    file_free(f);
    /* a two-letter part of a name is not taken for a code string */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "CQ500-CT-310");
    put(f->dataset, 0x0008, 0x0060, CS, "CT");
    b = deid(f, 0, NULL, &n);
    assert_string_equal(value_of(f->dataset, 0x0008, 0x0060, v, sizeof v), "CT");
    free(b);
    file_free(f);
    /* device-identity keeps Software Versions */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "DUPONT^Jean");
    put(f->dataset, 0x0018, 0x1020, LO, "VA48A");
    b = deid(f, AT_DEID_OPT_DEVICE_IDENTITY, NULL, &n);
    assert_true(holds(b, n, "VA48A"));
    free(b);
    file_free(f);
}

/* Structured report nested five deep: Text Value dummied, Code Meaning and
 * other kept text scanned at every depth, unknown attributes removed. */
static void test_sr_depth5(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.88.33", NULL, "LEVEQUE^Marie");
    at_dcm_dataset *cur = f->dataset;
    put(cur, 0x0040, 0xA040, CS, "CONTAINER");
    for (int depth = 1; depth <= 5; depth++) {
        at_dcm_dataset *item, *code;
        assert_int_equal(at_dcm_sequence_append(cur, AT_TAG(0x0040, 0xA730), &item), AT_OK);
        put(item, 0x0040, 0xA010, CS, "CONTAINS");
        put(item, 0x0040, 0xA040, CS, depth == 5 ? "TEXT" : "CONTAINER");
        assert_int_equal(at_dcm_sequence_append(item, AT_TAG(0x0040, 0xA043), &code), AT_OK);
        put(code, 0x0008, 0x0100, SH, "121071");
        put(code, 0x0008, 0x0102, SH, "DCM");
        put(code, 0x0008, 0x0104, LO, "Finding for Mme Leveque");
        put(item, 0x0040, 0xA160, UT, "Patient Marie LEVEQUE seen by Dr Durand on 12/03/2024");
        put(item, 0x0040, 0xA123, PN, "DURAND^Pierre");
        put(item, 0x0018, 0x9FF3, LO, "ZQXDEEP");
        put(item, 0x0040, 0xA30A, DS, "12.5");
        cur = item;
    }
    size_t n;
    unsigned char *b = deid(f, 0, NULL, &n);
    assert_gone(b, n, "LEVEQUE");
    assert_gone(b, n, "Durand");
    assert_gone(b, n, "ZQX");
    assert_gone(b, n, "12/03/2024");
    assert_true(holds(b, n, "Finding for Mme"));
    assert_true(holds(b, n, "12.5"));
    /* depth 5: the text item still has a (dummy) Text Value */
    cur = f->dataset;
    for (int depth = 1; depth <= 5; depth++)
        cur = at_dcm_find(cur, AT_TAG(0x0040, 0xA730))->items[0];
    char v[128];
    assert_string_equal(value_of(cur, 0x0040, 0xA160, v, sizeof v), "ANONYMIZED");
    assert_non_null(at_dcm_find(cur, AT_TAG(0x0040, 0xA043)));
    free(b);
    file_free(f);
}

/* RT plan, structure set and dose: geometry and dose kept, free-text
 * labels removed, ROI names scanned. */
static void test_rt(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.481.5", NULL, "BERNARD^Luc");
    at_dcm_dataset *d = f->dataset, *beam, *cp, *tol, *setup, *roi, *fg;
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x300A, 0x00B0), &beam), AT_OK);
    put(beam, 0x300A, 0x00C0, IS, "1");
    put(beam, 0x300A, 0x00C2, LO, "ZQXBEAM Bernard");
    put(beam, 0x300A, 0x00C4, CS, "STATIC");
    assert_int_equal(at_dcm_sequence_append(beam, AT_TAG(0x300A, 0x0111), &cp), AT_OK);
    put(cp, 0x300A, 0x011E, DS, "181.5");
    put(cp, 0x300A, 0x012C, DS, "0\\0\\0");
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x300A, 0x0040), &tol), AT_OK);
    put(tol, 0x300A, 0x0042, IS, "1");
    put(tol, 0x300A, 0x0043, SH, "ZQXTOL");
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x300A, 0x0180), &setup), AT_OK);
    put(setup, 0x300A, 0x0182, IS, "1");
    put(setup, 0x300A, 0x01B0, CS, "ISOCENTRIC");
    put(setup, 0x300A, 0x0183, LO, "ZQXSETUP");
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x3006, 0x0020), &roi), AT_OK);
    put(roi, 0x3006, 0x0022, IS, "1");
    put(roi, 0x3006, 0x0026, LO, "PTV Bernard");
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x300A, 0x0070), &fg), AT_OK);
    put(fg, 0x300A, 0x0078, IS, "30");
    put(d, 0x3004, 0x000E, DS, "0.0001");
    put(d, 0x3004, 0x000C, DS, "0\\2.5\\5");
    size_t n;
    unsigned char *b = deid(f, 0, NULL, &n);
    assert_gone(b, n, "ZQX");
    assert_gone(b, n, "Bernard");
    assert_true(holds(b, n, "181.5"));
    assert_true(holds(b, n, "ISOCENTRIC"));
    assert_true(holds(b, n, "0.0001"));
    assert_true(holds(b, n, "0\\2.5\\5"));
    free(b);
    file_free(f);
}

/* Enhanced multi-frame: functional groups kept, frame labels removed. */
static void test_functional_groups(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2.1", NULL, "PETIT^Anne");
    at_dcm_dataset *d = f->dataset, *shared, *pm, *per, *pos, *content;
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x5200, 0x9229), &shared), AT_OK);
    assert_int_equal(at_dcm_sequence_append(shared, AT_TAG(0x0028, 0x9110), &pm), AT_OK);
    put(pm, 0x0028, 0x0030, DS, "0.75\\0.75");
    for (int k = 0; k < 3; k++) {
        assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x5200, 0x9230), &per), AT_OK);
        assert_int_equal(at_dcm_sequence_append(per, AT_TAG(0x0020, 0x9113), &pos), AT_OK);
        put(pos, 0x0020, 0x0032, DS, "-10\\-20\\-33.5");
        assert_int_equal(at_dcm_sequence_append(per, AT_TAG(0x0020, 0x9111), &content), AT_OK);
        put(content, 0x0020, 0x9453, LO, "ZQXFRAME Petit");
        put(content, 0x0020, 0x9056, SH, k == 2 ? "ZQXSTACK" : "1"); /* Stack ID: a number passes */
        put(content, 0x0020, 0x9157, AT_VR('U', 'L'), "");
        put(content, 0x0018, 0x9151, AT_VR('D', 'T'), "20240312101010");
    }
    size_t n;
    unsigned char *b = deid(f, 0, NULL, &n);
    assert_gone(b, n, "ZQX");
    assert_gone(b, n, "20240312");
    assert_true(holds(b, n, "-33.5"));
    assert_true(holds(b, n, "0.75\\0.75"));
    at_dcm_dataset *first = at_dcm_find(d, AT_TAG(0x5200, 0x9230))->items[0];
    char v[64];
    assert_string_equal(
        value_of(at_dcm_find(first, AT_TAG(0x0020, 0x9111))->items[0], 0x0020, 0x9056, v, sizeof v), "1");
    free(b);
    file_free(f);
}

/* Presentation state and segmentation. */
static void test_gsps_seg(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.11.1", NULL, "ROUX^Claire");
    at_dcm_dataset *d = f->dataset, *ann, *text, *graphic, *layer;
    put(d, 0x0070, 0x0080, CS, "ROUX");
    put(d, 0x0070, 0x0081, LO, "annotated for Claire Roux");
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x0070, 0x0001), &ann), AT_OK);
    put(ann, 0x0070, 0x0002, CS, "LAYER1");
    assert_int_equal(at_dcm_sequence_append(ann, AT_TAG(0x0070, 0x0008), &text), AT_OK);
    put(text, 0x0070, 0x0006, ST, "Mme Roux, tel 01 23 45 67 89");
    assert_int_equal(at_dcm_sequence_append(ann, AT_TAG(0x0070, 0x0009), &graphic), AT_OK);
    put(graphic, 0x0070, 0x0023, CS, "POLYLINE");
    assert_int_equal(at_dcm_sequence_append(d, AT_TAG(0x0070, 0x0060), &layer), AT_OK);
    put(layer, 0x0070, 0x0002, CS, "LAYER1");
    put(layer, 0x0070, 0x0068, LO, "ZQXLAYER by Dr Roux");
    size_t n;
    unsigned char *b = deid(f, 0, NULL, &n);
    assert_gone(b, n, "Roux");
    assert_gone(b, n, "ZQX");
    assert_gone(b, n, "45 67");
    assert_true(holds(b, n, "POLYLINE"));
    free(b);
    file_free(f);

    f = new_file("1.2.840.10008.5.1.4.1.1.66.4", NULL, "FAURE^Henri");
    at_dcm_dataset *seg, *cat;
    assert_int_equal(at_dcm_sequence_append(f->dataset, AT_TAG(0x0062, 0x0002), &seg), AT_OK);
    put(seg, 0x0062, 0x0004, US, "");
    assert_int_equal(at_dcm_set_u16(seg, AT_TAG(0x0062, 0x0004), 1), AT_OK);
    put(seg, 0x0062, 0x0005, LO, "Liver Faure");
    put(seg, 0x0062, 0x0006, ST, "ZQXSEGDESC");
    put(seg, 0x0062, 0x0008, CS, "AUTOMATIC");
    assert_int_equal(at_dcm_sequence_append(seg, AT_TAG(0x0062, 0x0003), &cat), AT_OK);
    put(cat, 0x0008, 0x0100, SH, "123037004");
    put(cat, 0x0008, 0x0102, SH, "SCT");
    put(cat, 0x0008, 0x0104, LO, "Anatomical Structure");
    b = deid(f, 0, NULL, &n);
    assert_gone(b, n, "Faure");
    assert_gone(b, n, "ZQX");
    assert_gone(b, n, "Liver");            /* a label given by a person: a dummy under basic */
    assert_true(holds(b, n, "123037004")); /* a code value is not a phone number */
    assert_true(holds(b, n, "Anatomical Structure"));
    free(b);
    file_free(f);
}

/* Private blocks: kept only with safe-private, and only when the value
 * matches the safe table's pattern. */
static void test_private_values(void **state)
{
    (void)state;
    for (int opt = 0; opt < 2; opt++) {
        at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.4", NULL, "GIRARD^Eve");
        at_dcm_dataset *d = f->dataset;
        put(d, 0x0019, 0x0010, LO, "SIEMENS MR HEADER");
        put(d, 0x0019, 0x100C, IS, "1000");
        put(d, 0x0019, 0x100D, CS, "GIRARD");
        put(d, 0x0029, 0x0010, LO, "SIEMENS MR HEADER");
        put(d, 0x0029, 0x100C, IS, "ZQXPRIV");
        put(d, 0x2001, 0x0010, LO, "Philips Imaging DD 001");
        float bf = 1000.0f, bad = 1e9f;
        assert_int_equal(at_dcm_set_bytes(d, AT_TAG(0x2001, 0x1003), AT_VR('F', 'L'), &bf, 4), AT_OK);
        put(d, 0x2005, 0x0010, LO, "Philips MR Imaging DD 001");
        assert_int_equal(at_dcm_set_bytes(d, AT_TAG(0x2005, 0x100E), AT_VR('U', 'N'), &bad, 4), AT_OK);
        size_t n;
        unsigned char *b = deid(f, opt ? AT_DEID_OPT_SAFE_PRIVATE : 0, NULL, &n);
        assert_gone(b, n, "GIRARD");
        assert_gone(b, n, "ZQX");
        assert_int_equal(at_dcm_find(d, AT_TAG(0x0019, 0x100C)) != NULL, opt);
        assert_int_equal(at_dcm_find(d, AT_TAG(0x0019, 0x0010)) != NULL, opt);
        assert_int_equal(at_dcm_find(d, AT_TAG(0x2001, 0x1003)) != NULL, opt);
        assert_null(at_dcm_find(d, AT_TAG(0x0029, 0x0010)));
        assert_null(at_dcm_find(d, AT_TAG(0x2005, 0x100E)));
        assert_null(at_dcm_find(d, AT_TAG(0x2005, 0x0010)));
        free(b);
        file_free(f);
    }
    assert_int_equal(at_deid_private_value_is_safe(AT_TAG(0x0019, 0x100D), "SIEMENS MR HEADER",
                                                   (const unsigned char *)"ISOTROPIC ", 10),
                     1);
    assert_int_equal(at_deid_private_value_is_safe(AT_TAG(0x0019, 0x100C), "SIEMENS MR HEADER",
                                                   (const unsigned char *)"-9", 2),
                     0);
}

/* Text scanning after folding, in several character sets. */
static void test_text_charsets(void **state)
{
    (void)state;
    /* Study Description under clean-descriptors: scanned for the file's
     * identifiers and shapes, with no vocabulary (docs/deid.md) */
    /* Latin-1: the name in capitals with accents, the text in lower case without */
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", "ISO_IR 100", "L\xc9V\xcaQUE^Ren\xe9");
    put(f->dataset, 0x0008, 0x1030, LO, "ACME leveque r\xe9n\xe9");
    size_t n;
    unsigned char *b = deid(f, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    char v[128];
    assert_string_equal(value_of(f->dataset, 0x0008, 0x1030, v, sizeof v),
                        "ACME ************"); /* the whole name */
    free(b);
    file_free(f);
    /* UTF-8: NFD in the text, NFC in the name; hyphenated name unaccented */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", "ISO_IR 192", "M\xc3\xbcLLER-LEF\xc3\x88VRE^Ana\xc3\xafs");
    put(f->dataset, 0x0008, 0x1030, LO, "by Muller Lefevre and anai\xcc\x88s");
    b = deid(f, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    assert_gone(b, n, "Muller");
    assert_gone(b, n, "Lefevre");
    assert_gone(b, n, "anai");
    free(b);
    file_free(f);
    /* Greek (ISO_IR 126): capitals in the name, small letters (final sigma) in the text */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", "ISO_IR 126",
                 "\xd0\xc1\xd0\xc1\xc4\xcf\xd0\xcf\xd5\xcb\xcf\xd3^\xc1");
    put(f->dataset, 0x0008, 0x1030, LO, "\xf0\xe1\xf0\xe1\xe4\xef\xf0\xef\xf5\xeb\xef\xf2 ok");
    b = deid(f, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    assert_string_equal(value_of(f->dataset, 0x0008, 0x1030, v, sizeof v), "************ ok");
    free(b);
    file_free(f);
    /* Cyrillic (ISO_IR 144): ИВАНОВ / иванов */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", "ISO_IR 144", "\xb8\xb2\xb0\xbd\xbe\xb2^\xb8");
    put(f->dataset, 0x0008, 0x1030, LO, "x \xd8\xd2\xd0\xdd\xde\xd2 y");
    b = deid(f, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    assert_string_equal(value_of(f->dataset, 0x0008, 0x1030, v, sizeof v), "x ****** y");
    free(b);
    file_free(f);
    /* UTF-8 CJK: no spaces between words, no case */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", "ISO_IR 192",
                 "\xe5\xb1\xb1\xe7\x94\xb0^\xe5\xa4\xaa\xe9\x83\x8e");
    put(f->dataset, 0x0008, 0x1030, LO, "CT\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e\xe6\xa7\x98");
    b = deid(f, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    assert_string_equal(value_of(f->dataset, 0x0008, 0x1030, v, sizeof v), "CT************\xe6\xa7\x98");
    free(b);
    file_free(f);
    /* ISO 2022 (IR 6 then IR 144 by escape): the whole value masked */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", "ISO 2022 IR 6\\ISO 2022 IR 144",
                 "\x1b-L\xb8\xb2\xb0\xbd\xbe\xb2^A");
    put(f->dataset, 0x0008, 0x1030, LO, "\x1b-L\xd8\xd2\xd0\xdd\xde\xd2");
    b = deid(f, AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    assert_string_equal(value_of(f->dataset, 0x0008, 0x1030, v, sizeof v), "*********");
    free(b);
    file_free(f);
}

/* Shapes: phones with spaces, dates in numbers and French words, titled
 * names; the file's own dates in any spelling; ages capped. */
static void test_shapes_and_age(void **state)
{
    (void)state;
    static const char *const texts[] = {"rdv 12 mars 2024 ok",      "le 1er avril 2023 ok",
                                        "vu 12/03/2024 ok",         "tel 01 23 45 67 89 ok",
                                        "tel +33 6 12 34 56 78 ok", "Dr Martin ok",
                                        "par Mme Dupont-Moreau ok", "mail jean.dupont@example.fr ok",
                                        "on March 12, 2024 ok",     "20240312 ok",
                                        "ne le 12.03.1957 ok"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
        put(f->dataset, 0x0008, 0x1090, LO, texts[i]);
        size_t n;
        unsigned char *b = deid(f, 0, NULL, &n);
        char v[128];
        const char *after = value_of(f->dataset, 0x0008, 0x1090, v, sizeof v);
        assert_non_null(after);
        if (!strchr(after, '*'))
            fail_msg("nothing masked in '%s'", texts[i]);
        assert_memory_equal(after + strlen(after) - 3, " ok", 3);
        free(b);
        file_free(f);
    }
    /* what looks like a shape but is not one stays */
    static const char *const plain[] = {"MR Head",      "DR Chest PA",     "TE 20 ms Delay",
                                        "CT 64 slices", "Series 2 of 3",   "1.25 mm 120 kV",
                                        "T2 3D FLAIR",  "Dose 2.5 Gy x 28"};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
        put(f->dataset, 0x0008, 0x1090, LO, plain[i]);
        size_t n;
        unsigned char *b = deid(f, 0, NULL, &n);
        char v[128];
        assert_string_equal(value_of(f->dataset, 0x0008, 0x1090, v, sizeof v), plain[i]);
        free(b);
        file_free(f);
    }
    /* full-dates: dates are not masked */
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
    put(f->dataset, 0x0008, 0x1030, LO, "CT 12 mars 2024");
    size_t n;
    unsigned char *b = deid(f, AT_DEID_OPT_FULL_DATES | AT_DEID_OPT_CLEAN_DESCRIPTORS, NULL, &n);
    assert_true(holds(b, n, "12 mars 2024"));
    free(b);
    file_free(f);
    /* ages */
    static const char *const ages[][2] = {
        {"093Y", "090Y"}, {"090Y", "090Y"}, {"089Y", "089Y"}, {"120Y", "090Y"}, {"011M", "011M"}};
    for (size_t i = 0; i < sizeof ages / sizeof *ages; i++) {
        f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
        put(f->dataset, 0x0010, 0x1010, AT_VR('A', 'S'), ages[i][0]);
        b = deid(f, AT_DEID_OPT_PATIENT_CHARACTERISTICS, NULL, &n);
        char v[16];
        assert_string_equal(value_of(f->dataset, 0x0010, 0x1010, v, sizeof v), ages[i][1]);
        free(b);
        file_free(f);
    }
}

/* A detector handed in marks "Durand" (a doctor nowhere in the header). */
static int detector_calls;
static at_status fake_detect(void *ud, const char *text, size_t len, at_deid_span **spans, size_t *count)
{
    (void)ud;
    detector_calls++;
    const char *p = memmem(text, len, "Durand", 6);
    if (!p)
        return AT_OK;
    at_deid_span *v = at_realloc(*spans, (*count + 1) * sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    *spans = v;
    v[*count].start = (size_t)(p - text);
    v[*count].len = 6;
    v[*count].kind = AT_DEID_SPAN_OTHER;
    (*count)++;
    return AT_OK;
}

static void test_detector_callback(void **state)
{
    (void)state;
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
    put(f->dataset, 0x0008, 0x1030, LO, "Scanner vu par Durand");
    at_deid_config cfg = {.options = AT_DEID_OPT_CLEAN_DESCRIPTORS, .key = &key, .detect = fake_detect};
    detector_calls = 0;
    assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
    char v[128];
    assert_string_equal(value_of(f->dataset, 0x0008, 0x1030, v, sizeof v), "Scanner vu par ******");
    assert_true(detector_calls >= 1);
    file_free(f);
}

/* Encapsulated documents go to quarantine unless allowed; their content is
 * replaced either way. */
static void test_documents(void **state)
{
    (void)state;
    for (int allow = 0; allow < 2; allow++) {
        at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.104.1", NULL, "X^Y");
        assert_int_equal(
            at_dcm_set_bytes(f->dataset, AT_TAG(0x0042, 0x0011), AT_VR('O', 'B'), "%PDF-1.4 ZQXPDF", 16),
            AT_OK);
        put(f->dataset, 0x0042, 0x0010, ST, "ZQXTITLE");
        at_deid_stats st;
        at_deid_config cfg = {.key = &key, .stats = &st, .allow_documents = allow};
        assert_int_equal(at_deid_apply(f, &cfg), AT_OK);
        assert_int_equal(st.quarantine != NULL, !allow);
        unsigned char *b;
        size_t n;
        assert_int_equal(at_dcm_write_memory(f, &b, &n), AT_OK);
        assert_gone(b, n, "ZQX");
        free(b);
        file_free(f);
    }
}

/* JPEG frames: COM and APPn removed, JFIF and Adobe kept, bytes otherwise
 * exact; a frame that cannot be parsed is refused. */
static void test_jpeg_frames(void **state)
{
    (void)state;
    static const unsigned char jfif[] = {0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
    static const unsigned char com[] = {0xFF, 0xFE, 0, 8, 'Z', 'Q', 'X', 'C', 'O', 'M'};
    static const unsigned char exif[] = {0xFF, 0xE1, 0, 9, 'E', 'x', 'i', 'f', 0, 'Z', 'Q'};
    static const unsigned char adobe[] = {0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 1};
    static const unsigned char dqt[] = {0xFF, 0xDB, 0, 4, 0, 1};
    static const unsigned char sos[] = {0xFF, 0xDA, 0, 4, 1, 2, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56};
    unsigned char in[256];
    size_t n = 0;
#define ADD(x) (memcpy(in + n, x, sizeof x), n += sizeof x)
    in[n++] = 0xFF, in[n++] = 0xD8;
    ADD(jfif);
    ADD(com);
    ADD(exif);
    ADD(adobe);
    ADD(dqt);
    ADD(com);
    ADD(sos);
    in[n++] = 0xFF, in[n++] = 0xD9;
    unsigned char *out;
    size_t out_len, removed;
    const char *why = NULL;
    assert_int_equal(at_deid_jpeg_clean(in, n, 0, &out, &out_len, &removed, &why), 0);
    assert_non_null(out);
    assert_int_equal(removed, 3);
    assert_int_equal(out_len, n - 2 * sizeof com - sizeof exif);
    assert_null(memmem(out, out_len, "ZQ", 2));
    assert_non_null(memmem(out, out_len, jfif, sizeof jfif));
    assert_non_null(memmem(out, out_len, adobe, sizeof adobe));
    assert_non_null(memmem(out, out_len, sos, sizeof sos));
    at_free(out);
    /* a clean frame is left as it is */
    unsigned char clean[] = {0xFF, 0xD8, 0xFF, 0xDB, 0, 4, 0, 1, 0xFF, 0xDA, 0, 2, 9, 0xFF, 0xD9, 0};
    assert_int_equal(at_deid_jpeg_clean(clean, sizeof clean, 0, &out, &out_len, &removed, &why), 0);
    assert_null(out);
    /* a segment length past the end: refused */
    unsigned char bad[] = {0xFF, 0xD8, 0xFF, 0xFE, 0x40, 0, 'Z'};
    assert_int_equal(at_deid_jpeg_clean(bad, sizeof bad, 0, &out, &out_len, &removed, &why), -1);
    assert_non_null(why);
    /* JPEG 2000: main-header COM dropped */
    unsigned char j2k[] = {0xFF, 0x4F, 0xFF, 0x51, 0, 4, 1, 2, 0xFF, 0x64, 0, 6,    0,    1, 'Z', 'Q',  0xFF,
                           0x90, 0,    10,   0,    0, 0, 0, 0, 0,    0,    1, 0xFF, 0x93, 7, 7,   0xFF, 0xD9};
    assert_int_equal(at_deid_j2k_clean(j2k, sizeof j2k, &out, &out_len, &removed, &why), 0);
    assert_non_null(out);
    assert_int_equal(out_len, sizeof j2k - 8);
    assert_null(memmem(out, out_len, "ZQ", 2));
    at_free(out);
}

/* Encapsulated pixel data with two frames (one split over two fragments),
 * a Basic Offset Table and an Extended Offset Table: the frame holding a
 * COM segment becomes one fragment, both tables are recomputed, the clean
 * frame keeps its fragments byte for byte. */
static void test_pixel_tables(void **state)
{
    (void)state;
    static const unsigned char f1a[] = {0xFF, 0xD8, 0xFF, 0xFE, 0, 5, 'Z', 'Q', 'X', 0xFF, 0xDA, 0, 2};
    static const unsigned char f1b[] = {1, 2, 3, 0xFF, 0xD9};
    static const unsigned char f2[] = {0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 7, 7, 0xFF, 0xD9};
    at_dcm_file *f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", "1.2.840.10008.1.2.4.50");
    put(f->dataset, 0x0028, 0x0008, IS, "2");
    unsigned char eot[16] = {0}, eotl[16] = {0};
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x7FE0, 0x0001), AT_VR('O', 'V'), eot, 16), AT_OK);
    assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x7FE0, 0x0002), AT_VR('O', 'V'), eotl, 16), AT_OK);
    at_dcm_element *el;
    assert_int_equal(at_dcm_put(f->dataset, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'B'), &el), AT_OK);
    el->encapsulated = 1;
    el->undefined_length = 1;
    el->fragment_count = 4;
    el->fragments = at_calloc(4, sizeof *el->fragments);
    const unsigned char *src[4] = {NULL, f1a, f1b, f2};
    size_t lens[4] = {8, sizeof f1a + 1, sizeof f1b + 1, sizeof f2};
    for (int i = 0; i < 4; i++) {
        el->fragments[i].data = at_calloc(1, lens[i]);
        el->fragments[i].len = (uint32_t)lens[i];
        if (src[i])
            memcpy(el->fragments[i].data, src[i], i == 3 ? sizeof f2 : lens[i] - 1);
    }
    /* BOT: frame 1 at 0, frame 2 after two items */
    uint32_t off2 = (uint32_t)(8 + lens[1] + 8 + lens[2]);
    memcpy(el->fragments[0].data + 4, &off2, 4);
    at_deid_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(at_deid_pixels_clean(f, &st), AT_OK);
    assert_null(st.quarantine);
    assert_int_equal(st.jpeg_segments, 1);
    el = at_dcm_find(f->dataset, AT_TAG(0x7FE0, 0x0010));
    assert_int_equal(el->fragment_count, 3);
    assert_null(memmem(el->fragments[1].data, el->fragments[1].len, "ZQX", 3));
    assert_memory_equal(el->fragments[2].data, f2, sizeof f2);
    uint32_t bot[2];
    assert_int_equal(el->fragments[0].len, 8);
    memcpy(bot, el->fragments[0].data, 8);
    assert_int_equal(bot[0], 0);
    assert_int_equal(bot[1], 8 + el->fragments[1].len);
    at_dcm_element *e1 = at_dcm_find(f->dataset, AT_TAG(0x7FE0, 0x0001));
    at_dcm_element *e2 = at_dcm_find(f->dataset, AT_TAG(0x7FE0, 0x0002));
    uint64_t o[2], l[2];
    memcpy(o, e1->value, 16);
    memcpy(l, e2->value, 16);
    assert_int_equal(o[1], bot[1]);
    assert_int_equal(l[0], el->fragments[1].len);
    assert_int_equal(l[1], sizeof f2);
    file_free(f);
    /* an opaque codec (MPEG-4): quarantine */
    f = new_file("1.2.840.10008.5.1.4.1.1.2", NULL, "X^Y");
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", "1.2.840.10008.1.2.4.102");
    assert_int_equal(at_dcm_put(f->dataset, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'B'), &el), AT_OK);
    el->encapsulated = 1;
    el->fragment_count = 1;
    el->fragments = at_calloc(1, sizeof *el->fragments);
    memset(&st, 0, sizeof st);
    assert_int_equal(at_deid_pixels_clean(f, &st), AT_OK);
    assert_non_null(st.quarantine);
    file_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_floor),    cmocka_unit_test(test_unlisted),
        cmocka_unit_test(test_sr_depth5),         cmocka_unit_test(test_rt),
        cmocka_unit_test(test_functional_groups), cmocka_unit_test(test_gsps_seg),
        cmocka_unit_test(test_private_values),    cmocka_unit_test(test_text_charsets),
        cmocka_unit_test(test_shapes_and_age),    cmocka_unit_test(test_detector_callback),
        cmocka_unit_test(test_documents),         cmocka_unit_test(test_jpeg_frames),
        cmocka_unit_test(test_pixel_tables),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
