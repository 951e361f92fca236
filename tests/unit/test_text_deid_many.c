/* Unit test for at_text_deid_detect_many (deid_pipeline.c): documents
 * that go through each pass together get the spans that
 * at_text_deid_detect gives each alone, in groups of every size, with
 * empty documents, a letter-spaced one (read again in a view) and one
 * long enough to be cut into chunks among them. The notes are generated
 * here (at_synth_docs, at_synth_hospital_docs); none is a fixture. */
#include "support.h"

#include "atelier/synth.h"
#include "atelier/text.h"
#include "text_spans.h"

#include <stdlib.h>
#include <string.h>

/* texts[from, from + n) through at_text_deid_detect_many find what each
 * finds alone. */
static void check_many(const at_text_deid *d, const char *const *texts, const size_t *lens, size_t n)
{
    at_text_spans *many = calloc(n ? n : 1, sizeof *many);
    assert_non_null(many);
    assert_int_equal(at_text_deid_detect_many(d, texts, lens, n, many), AT_OK);
    for (size_t k = 0; k < n; k++) {
        at_text_spans one = {0};
        assert_int_equal(at_text_deid_detect(d, texts[k], lens[k], &one), AT_OK);
        assert_true(same_spans(&one, &many[k]));
        at_text_spans_free(&one);
        at_text_spans_free(&many[k]);
    }
    free(many);
}

static void test_many_as_one_by_one(void **state)
{
    (void)state;
    at_text_doc *classic, *hospital;
    size_t nc = 150, nh = 150;
    assert_int_equal(at_synth_docs(nc, 11, 0, &classic), AT_OK);
    assert_int_equal(at_synth_hospital_docs(nh, 12, 1, &hospital), AT_OK);
    /* one long text of every note (cut into chunks), and a note whose
     * date of birth is written letter by letter */
    size_t o = 0, cap = 150000 + 1;
    char *big = malloc(cap);
    assert_non_null(big);
    for (size_t i = 0; o < 140000; i = (i + 1) % nc) {
        if (o + classic[i].len + 1 > cap)
            break;
        memcpy(big + o, classic[i].text, classic[i].len);
        o += classic[i].len;
        big[o++] = '\n';
    }
    const char *spaced = "Patient : M. Lucien BERTRAND, né le 2 9 / 0 1 / 1 9 3 2 à Rennes.\n";
    size_t n = nc + nh + 4;
    const char **texts = calloc(n, sizeof *texts);
    size_t *lens = calloc(n, sizeof *lens);
    assert_non_null(texts);
    assert_non_null(lens);
    size_t k = 0;
    texts[k] = "";
    lens[k++] = 0;
    for (size_t i = 0; i < nc; i++, k++) {
        texts[k] = classic[i].text;
        lens[k] = classic[i].len;
        if (i == 70) { /* the long one among the short ones */
            k++;
            texts[k] = big;
            lens[k] = o;
        }
    }
    texts[k] = spaced;
    lens[k++] = strlen(spaced);
    for (size_t i = 0; i < nh; i++, k++) {
        texts[k] = hospital[i].text;
        lens[k] = hospital[i].len;
    }
    texts[k] = NULL;
    lens[k++] = 0;
    assert_int_equal(k, n);
    assert_true(o > 131072);
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    check_many(d, texts, lens, n);
    /* groups of every size up to a few, and the last documents alone */
    for (size_t m = 1; m <= 5; m++)
        check_many(d, texts + nc + 2, lens + nc + 2, m);
    check_many(d, texts, lens, 0);
    /* a document refused refuses the call */
    at_text_spans sp[2] = {{0}};
    const char *bad[2] = {"Dr Martin", NULL};
    size_t bad_lens[2] = {9, 5};
    assert_int_not_equal(at_text_deid_detect_many(d, bad, bad_lens, 2, sp), AT_OK);
    at_text_spans_free(&sp[0]);
    at_text_spans_free(&sp[1]);
    at_text_deid_free(d);
    free(texts);
    free(lens);
    free(big);
    at_text_docs_free(classic, nc);
    at_text_docs_free(hospital, nh);
}

/* Every allocation failing in turn: AT_ERR_NOMEM or the spans, never a
 * crash or a leak (the ASan build runs this too). */
static void test_many_alloc_failures(void **state)
{
    (void)state;
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    const char *texts[4] = {"Mme Rose PETIT, née le 03/04/1956, tél 06 12 34 56 78, CHU de Rennes.", "",
                            "Dr P.-Y. LE GALL, 12 rue des Lilas, 35000 Rennes.",
                            "Patient : M. Lucien BERTRAND, né le 2 9 / 0 1 / 1 9 3 2 à Rennes.\n"};
    size_t lens[4];
    for (size_t k = 0; k < 4; k++)
        lens[k] = strlen(texts[k]);
    int ok = 0;
    for (long n = 1; n < 80; n++) {
        at_text_spans sp[4];
        memset(sp, 0, sizeof sp);
        at_alloc_fail_after(n);
        at_status st = at_text_deid_detect_many(d, texts, lens, 4, sp);
        at_alloc_fail_after(0);
        assert_true(st == AT_OK || st == AT_ERR_NOMEM);
        ok += st == AT_OK;
        for (size_t k = 0; k < 4; k++)
            at_text_spans_free(&sp[k]);
    }
    assert_true(ok > 0); /* (the walk went past every allocation) */
    at_text_deid_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_as_one_by_one),
        cmocka_unit_test(test_many_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
