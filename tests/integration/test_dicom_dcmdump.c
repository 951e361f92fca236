/* Files atelier writes from a synthetic dataset holding every VR, nested
 * sequences, a private block and (for a compressed syntax) encapsulated
 * pixel data: DCMTK's dcmdump must read each with no error and no warning,
 * and find the same elements. */
#include "support.h"

#include "atelier/dicom.h"
#include "../unit/dicom_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_dcmdump_reads_what_atelier_writes(void **state)
{
    (void)state;
    if (!test_have_program("dcmdump"))
        fail_msg("dcmdump (package dcmtk) is required");
    static const char *const syntaxes[] = {AT_TS_IMPLICIT_LE,        AT_TS_EXPLICIT_LE,
                                           AT_TS_EXPLICIT_BE,        AT_TS_DEFLATED_LE,
                                           "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.5"};
    char *dir = test_mkdtemp();
    for (size_t s = 0; s < sizeof syntaxes / sizeof *syntaxes; s++) {
        int encapsulated = s >= 4;
        at_dcm_file *f = sample_file(syntaxes[s], encapsulated);
        assert_non_null(f);
        if (!encapsulated) {
            /* large enough for at_dcm_write_file to stream it (and swap it in chunks) */
            uint32_t n = 200000;
            unsigned char *px = at_malloc(n);
            for (uint32_t i = 0; i < n; i++)
                px[i] = (unsigned char)(i * 13);
            assert_int_equal(at_dcm_set_bytes(f->dataset, AT_TAG(0x7FE0, 0x0010), AT_VR('O', 'W'), px, n),
                             AT_OK);
            at_free(px);
        }
        char name[64];
        snprintf(name, sizeof name, "sample%zu.dcm", s);
        char *path = at_path_join(dir, name);
        assert_int_equal(at_dcm_write_file(f, path), AT_OK);
        char *out = NULL, *err = NULL;
        int rc = test_run(&err, 0, "dcmdump +L -Un '%s' 2>&1 >/dev/null", path);
        if (rc != 0 || (err && *err))
            fail_msg("%s: dcmdump rc %d: %s", syntaxes[s], rc, err ? err : "");
        rc = test_run(&out, 0, "dcmdump +L -Un '%s'", path);
        assert_int_equal(rc, 0);
        /* a few elements dcmdump must see as written */
        assert_true(test_contains(out, strlen(out), "(0010,0010) PN [Doe^Jane=Ideo^Graphic]"));
        assert_true(test_contains(out, strlen(out), "(0028,0010) US 512\\4660"));
        assert_true(test_contains(out, strlen(out), "(0072,0082) SV -7"));
        assert_true(test_contains(out, strlen(out), "(0072,0083) UV 578437695752307201"));
        assert_true(test_contains(out, strlen(out), "(0018,9087) FD 2.25"));
        assert_true(test_contains(out, strlen(out), "(0029,0010) LO [ATELIER TEST]"));
        assert_true(test_contains(out, strlen(out), "(0008,1150) UI [1.2.840.10008.5.1.4.1.1.2]"));
        if (encapsulated)
            assert_true(test_contains(out, strlen(out), "(7fe0,0010) OB (PixelSequence #=3)"));
        else
            assert_true(test_contains(out, strlen(out), "# 200000, 1 PixelData"));
        /* and atelier reads back exactly what it wrote */
        at_dcm_file *back;
        assert_int_equal(at_dcm_read_file(path, NULL, &back), AT_OK);
        assert_true(trees_equal(f->dataset, back->dataset, 1));
        at_dcm_file_free(back);
        free(out);
        free(err);
        at_free(path);
        at_dcm_file_free(f);
    }
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dcmdump_reads_what_atelier_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
