/* Unit test for the tokeniser's thread cache of look-ups (deid_detect.c):
 * a detector whose model changes, and a detector freed and another made,
 * find what a detector that never shared the thread's cache finds. The
 * notes are generated here (at_synth_hospital_docs); none is a fixture. */
#include "support.h"

#include "atelier/synth.h"
#include "atelier/text.h"
#include "text_spans.h"
#include "atelier/text_model.h"

#include <string.h>

/* The spans of every document, one after the other, with their count at
 * each document's start (owned; free). */
static at_text_spans detect_all(const at_text_deid *d, const at_text_doc *docs, size_t n)
{
    at_text_spans all = {0};
    for (size_t i = 0; i < n; i++) {
        at_text_spans sp = {0};
        assert_int_equal(at_text_deid_detect(d, docs[i].text, docs[i].len, &sp), AT_OK);
        assert_int_equal(at_text_spans_push(&all, i, sp.n, -1), AT_OK);
        for (size_t j = 0; j < sp.n; j++)
            assert_int_equal(at_text_spans_push(&all, sp.v[j].start, sp.v[j].len, sp.v[j].label), AT_OK);
        at_text_spans_free(&sp);
    }
    return all;
}

static void test_cache_follows_the_detector(void **state)
{
    (void)state;
    at_text_doc *docs;
    size_t n = 120;
    assert_int_equal(at_synth_hospital_docs(n, 7, 1, &docs), AT_OK);
    /* with the default model (its learned words), then without it: the
     * cache filled under the model must not answer for the rules alone */
    at_text_deid *d;
    assert_int_equal(at_text_deid_new(NULL, &d), AT_OK);
    at_text_spans with_model = detect_all(d, docs, n);
    assert_int_equal(at_text_deid_set_model(d, NULL), AT_OK);
    at_text_spans after = detect_all(d, docs, n);
    /* a detector made after: rules alone, its own cache */
    at_text_deid *fresh;
    assert_int_equal(at_text_deid_new(NULL, &fresh), AT_OK);
    assert_int_equal(at_text_deid_set_model(fresh, NULL), AT_OK);
    at_text_spans ref = detect_all(fresh, docs, n);
    assert_true(same_spans(&after, &ref));
    /* the same detector again, the other's cache on the thread now */
    at_text_spans again = detect_all(d, docs, n);
    assert_true(same_spans(&again, &ref));
    /* (the model's words change what is found: the check above can fail) */
    assert_false(same_spans(&with_model, &ref));
    at_text_spans_free(&with_model);
    at_text_spans_free(&after);
    at_text_spans_free(&ref);
    at_text_spans_free(&again);
    at_text_deid_free(fresh);
    at_text_deid_free(d);
    at_text_docs_free(docs, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_follows_the_detector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
