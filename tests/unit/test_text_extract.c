/* Unit tests for extraction: each mention type, qualifiers, relative dates,
 * and the figures on held-out synthetic notes. */
#include "support.h"

#include "atelier/text.h"

#include <string.h>

static at_text_extractor *ex;

static int setup(void **state)
{
    (void)state;
    return at_text_extractor_new(NULL, &ex) == AT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    at_text_extractor_free(ex);
    return 0;
}

static const at_text_mention *find(const at_text_mentions *m, const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].start == (size_t)(hit - text))
            return &m->v[i];
    return NULL;
}

static void test_mentions(void **state)
{
    (void)state;
    const char *t = "Consultation du 12/03/2024.\nPatiente de 63 ans, ECOG 2, sous FOLFIRI cycle 4. "
                    "Irinotécan 180 mg/m² IV, Xeloda 1000 mg per os. Tumeur pT3 N1 M0. "
                    "Mucite G2. Pas de neutropénie fébrile. Colite à éliminer. Antécédent de thrombose. "
                    "Cancer chez sa sœur traité par cisplatine. Fièvre depuis hier. Contrôle dans 2 semaines.";
    at_text_mentions m = {0};
    assert_int_equal(at_text_extract(ex, t, strlen(t), NULL, &m), AT_OK);
    const at_text_mention *x;
    assert_non_null(x = find(&m, t, "12/03/2024"));
    assert_string_equal(x->value, "2024-03-12");
    assert_non_null(x = find(&m, t, "ECOG 2"));
    assert_int_equal(x->type, AT_MENTION_PS);
    assert_non_null(x = find(&m, t, "FOLFIRI"));
    assert_int_equal(x->type, AT_MENTION_REGIMEN);
    assert_int_equal(x->cycle, 4);
    assert_non_null(x = find(&m, t, "Irinotécan"));
    assert_string_equal(x->code, "L01CE02");
    assert_non_null(x = find(&m, t, "180 mg"));
    assert_string_equal(x->value, "180 mg/m2");
    assert_non_null(x = find(&m, t, "Xeloda"));
    assert_string_equal(x->value, "capécitabine");
    assert_non_null(x = find(&m, t, "per os"));
    assert_string_equal(x->value, "PO");
    assert_non_null(x = find(&m, t, "pT3"));
    assert_int_equal(x->type, AT_MENTION_TNM);
    assert_non_null(x = find(&m, t, "Mucite"));
    assert_int_equal(x->grade, 2);
    assert_int_equal(x->qual, 0);
    assert_non_null(x = find(&m, t, "neutropénie fébrile"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    assert_non_null(x = find(&m, t, "Colite"));
    assert_int_equal(x->qual, AT_QUAL_HYPOTHESIS);
    assert_non_null(x = find(&m, t, "thrombose"));
    assert_int_equal(x->qual, AT_QUAL_HISTORY);
    assert_non_null(x = find(&m, t, "cisplatine"));
    assert_int_equal(x->qual, AT_QUAL_FAMILY);
    assert_non_null(x = find(&m, t, "hier"));
    assert_string_equal(x->value, "2024-03-11");
    assert_non_null(x = find(&m, t, "dans 2 semaines"));
    assert_string_equal(x->value, "2024-03-26");
    assert_null(find(&m, t, "63 ans"));
    at_text_mentions_free(&m);
}

static void test_heldout(void **state)
{
    (void)state;
    at_text_doc *docs;
    assert_int_equal(at_text_synth_extract_docs(100, 77, 1, &docs), AT_OK);
    at_buf r;
    at_buf_init(&r, 1 << 16);
    assert_int_equal(at_text_extract_evaluate(ex, docs, 100, 1, &r), AT_OK);
    assert_true(test_contains(r.data, r.len, "\"overall\":{\"precision\":1.0000,\"recall\":1.0000"));
    at_buf_free(&r);
    at_text_docs_free(docs, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mentions), cmocka_unit_test(test_heldout)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
