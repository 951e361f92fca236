/* Unit tests for the de-identifier's classes of issue #12, round 22.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* A scan's digits inside words are read back as the letters they stand
 * for before the passes: an establishment's name in capitals with 0 for
 * O, a residence's; the spans fall on the text as written. Codes, genes,
 * stages and a drug or a word spelt with a 1 stay. */
static void test_ocr_words(void **state)
{
    (void)state;
    static const char a[] =
        "CENTRE D'IMAGERIE MEDICALE DE L'0RANGERIE\n"
        "Compte rendu. EHPAD \"Le Clos des 0liviers\" depuis mars.\n"
        "Bi1an : HbA1c 7,2 %, pT1a N0, BRCA1 muté, MLH1 conservé, sous ibrutin1b 420 mg.\n";
    assert_int_equal(RULE(a, "0RANGERIE"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "CENTRE"), AT_PHI_HOPITAL);
    assert_int_not_equal(RULE(a, "0liviers"), 0);
    assert_int_equal(label_nth(det, a, "Bi1an", 0), 0);
    assert_int_equal(label_nth(det, a, "HbA1c", 0), 0);
    assert_int_equal(label_nth(det, a, "pT1a", 0), 0);
    assert_int_equal(label_nth(det, a, "BRCA1", 0), 0);
    assert_int_equal(label_nth(det, a, "MLH1", 0), 0);
    assert_int_equal(label_nth(det, a, "ibrutin1b", 0), 0);
    /* an l for an I in a word otherwise in capitals */
    static const char b[] = "CENTRE HOSPlTALIER DE DAX\nM. M0NTAlGNE Pierre, de LANNl0N.\nVu le Dr Claude.\n";
    assert_int_equal(RULE(b, "HOSPlTALIER"), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, b, "LANNl0N", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, b, "M0NTAlGNE", 0), AT_PHI_NOM);
    /* the span covers the word as the scan wrote it */
    at_text_spans sp;
    memset(&sp, 0, sizeof sp);
    assert_int_equal(at_text_deid_detect(rules, a, strlen(a), &sp), AT_OK);
    int whole = 0;
    for (size_t q = 0; q < sp.n; q++)
        whole |= sp.v[q].start == 0 && sp.v[q].len == strlen("CENTRE D'IMAGERIE MEDICALE DE L'0RANGERIE");
    at_text_spans_free(&sp);
    assert_true(whole);
}

/* The pharmacists' abbreviation of a pharmacy opens its name as the word
 * does. */
static void test_pharmacy_abbreviation(void **state)
{
    (void)state;
    static const char a[] = "Délivré par la Phie du Loir le 12/03. Ordonnance faxée à Phie Plessis.\n";
    assert_int_not_equal(RULE(a, "Loir"), 0);
    assert_int_not_equal(RULE(a, "Plessis"), 0);
}

/* Two to four capitals that no list knows are the tagger's to decide: an
 * establishment's acronym in its place is taken, the units' and exams'
 * abbreviations around it stay. */
static void test_unknown_acronyms(void **state)
{
    (void)state;
    static const char a[] = "Service d'oncologie médicale – IKMO\n"
                            "Patiente suivie à l'IKMO pour un cancer du sein, IRM et TEP en HDJ le 3 mars.\n";
    assert_int_equal(label_nth(det, a, "IKMO", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "IKMO", 1), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "IRM", 0), 0);
    assert_int_equal(label_nth(det, a, "TEP", 0), 0);
    assert_int_equal(label_nth(det, a, "HDJ", 0), 0);
}

/* A town before its postcode in brackets, though a word of some list:
 * with a hyphen's words and its article; a label's word stays. */
static void test_town_before_bracketed_zip(void **state)
{
    (void)state;
    static const char a[] = "Patiente : LAMOTTE Yasmine, 37 ans, Deauville (14800)\n"
                            "Mme Payet, Le Tampon (97430), suivie à Saint-Yrieix-la-Perche (87500).\n"
                            "Tel (35000) inconnu.\n";
    assert_int_equal(label_nth(det, a, "Deauville", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Le Tampon", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Yrieix", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Saint", 0), AT_PHI_VILLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ocr_words),
        cmocka_unit_test(test_pharmacy_abbreviation),
        cmocka_unit_test(test_unknown_acronyms),
        cmocka_unit_test(test_town_before_bracketed_zip),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
