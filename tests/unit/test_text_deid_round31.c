/* Unit tests for the de-identifier's classes of issue #12, round 31: the
 * départements the region list lacked ("Somme", "Ille-et-Vilaine"), the
 * tagger's candidates over every word of a line, and the places where it
 * keeps a word it would otherwise take. Every string is invented here;
 * none is a fixture of patient data. */
#include "text_label.h"
#include "text_scan_at.h"

#include "atelier/text.h"
#include "text/tagger.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* A département of the list names a home hospital in lower case and a
 * compound one an establishment in capitals; the sum of a tumour's
 * diameters is no place. */
static void test_departements(void **state)
{
    (void)state;
    static const char a[] = "patiente suivie par la had de la somme depuis mars\n"
                            "transfert au ch de la somme demain\n";
    assert_int_equal(label_nth(det, a, "somme", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "had", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "somme", 1), AT_PHI_HOPITAL);
    static const char b[] = "Relais vers la HAD Ille-et-Vilaine pour la suite des soins.\n";
    assert_int_equal(label_nth(det, b, "Ille-et-Vilaine", 0), AT_PHI_HOPITAL);
    static const char c[] = "L\xC3\xA9sions cibles : somme des diam\xC3\xA8tres 45 mm (RECIST 1.1).\n"
                            "Somme des diam\xC3\xA8tres : 39 mm contre 69 mm.\n";
    assert_int_equal(label_nth(det, c, "somme", 0), 0);
    assert_int_equal(label_nth(det, c, "Somme", 0), 0);
    assert_int_equal(deid_region_word("somme", 5), 2);
    assert_int_equal(deid_region_word("puy-de-dome", 11), 2);
    assert_int_equal(deid_region_word("pas-de-calais", 13), 2);
    assert_int_equal(deid_region_word("saint-denis", 11), 0);
}

/* Every word of a line is the tagger's to decide, but titles, months,
 * roles and single letters; a word of the language the old candidates
 * left is now one, marked as a line's word. */
static void test_line_candidates(void **state)
{
    (void)state;
    static const char a[] =
        "Le patient est vu par M. Garnier en janvier, a le suivi au centre de la Somme.\n";
    text_scan s;
    text_names nm;
    tag_doc c;
    scan(&s, &nm, a);
    memset(&c, 0, sizeof c);
    assert_int_equal(tag_doc_init(&s, &c, 1), AT_OK);
    assert_int_equal(c.cand[tok_at(&s, a, "patient")], TAG_CAND_LINE);
    assert_int_equal(c.cand[tok_at(&s, a, "suivi")], TAG_CAND_LINE);
    assert_int_equal(c.cand[tok_at(&s, a, "M.")], 0);      /* a title */
    assert_int_equal(c.cand[tok_at(&s, a, "janvier")], 0); /* a month */
    assert_int_equal(c.cand[tok_at(&s, a, "a le")], 0);    /* a single letter */
    /* (a capitalised name is a candidate as before, of its own kind) */
    size_t g = tok_at(&s, a, "Garnier");
    assert_true(s.lab[g] || (c.cand[g] && c.cand[g] != TAG_CAND_LINE));
    tag_doc_free(&c);
    deid_scan_free(&s);
}

/* The line's words where the rules keep a word stay: an eponym after the
 * noun that introduces it, a disease named after a person; the person
 * beside them is still a name, and the words of an establishment's name
 * in lower case join it. */
static void test_kept_places(void **state)
{
    (void)state;
    static const char a[] = "Patient pr\xC3\xA9sentant un syndrome de Wermer connu, une maladie de Fabry "
                            "suivie, revu par le Dr Garnier.\n";
    assert_int_equal(label_nth(det, a, "Wermer", 0), 0);
    assert_int_equal(label_nth(det, a, "Fabry", 0), 0);
    assert_int_equal(label_nth(det, a, "syndrome", 0), 0);
    assert_int_equal(label_nth(det, a, "Garnier", 0), AT_PHI_NOM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_departements),
        cmocka_unit_test(test_line_candidates),
        cmocka_unit_test(test_kept_places),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
