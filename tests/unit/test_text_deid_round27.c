/* Unit tests for the de-identifier's classes of issue #12, round 27.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"
#include "text/deid_scan.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* Numbers dictated in words: a number that holds "zéro" after other
 * number words is one number, not a phone from its "zéro"; two numbers
 * said in tens after "poste" are an extension. */
static void test_dictated_numbers(void **state)
{
    (void)state;
    static const char a[] = "docteur sophie lambert rpps un z\xC3\xA9ro z\xC3\xA9ro z\xC3\xA9ro deux trois "
                            "quatre cinq six sept huit neuf\n"
                            "joint par madame petit assistante sociale poste quarante-deux dix-huit\n";
    assert_int_equal(label_nth(rules, a, "un", 0), AT_PHI_RPPS);
    assert_int_equal(label_nth(rules, a, "neuf", 0), AT_PHI_RPPS);
    assert_int_equal(label_nth(rules, a, "quarante-deux", 0), AT_PHI_TEL);
    assert_int_equal(label_nth(rules, a, "dix-huit", 0), AT_PHI_TEL);
    /* (a dose said in words is no number) */
    static const char b[] = "poste de soins : deux comprim\xC3\xA9s le soir\n";
    assert_int_equal(label_nth(rules, b, "deux", 0), 0);
}

/* A typist's initials in lower case after "tapé par", "frappé par",
 * "export ... par"; a word after "par" stays. */
static void test_lower_typist(void **state)
{
    (void)state;
    static const char a[] = "dict\xC3\xA9 par le docteur morel tap\xC3\xA9 par lh le sept mai\n"
                            "frapp\xC3\xA9 par mc.\n"
                            "export du 31/05/2024 par jlb\n";
    assert_int_equal(label_nth(rules, a, "lh", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, a, "mc", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, a, "jlb", 0), AT_PHI_PRENOM);
    static const char b[] = "courrier tap\xC3\xA9 par la secr\xC3\xA9taire, dosage de la lh par ria.\n";
    assert_int_equal(label_nth(rules, b, "la", 0), 0);
    assert_int_equal(label_nth(rules, b, "lh", 0), 0);
    assert_int_equal(label_nth(rules, b, "ria", 0), 0);
}

/* Employers after a form's "Société :", after "salarié des" and
 * "licencié de", in lower case too; a veteran's "ancien du" names none. */
static void test_employer_cues(void **state)
{
    (void)state;
    static const char a[] =
        "Soci\xC3\xA9t\xC3\xA9 : Taxis-VSL Lig\xC3\xA9riens \xE2\x80\x93 v\xC3\xA9hicule FG-482-QT\n"
        "Ancien salari\xC3\xA9 des Tonnelleries Maillard-Guyot. Mari\xC3\xA9.\n"
        "il a \xC3\xA9t\xC3\xA9 licenci\xC3\xA9 de brasseries kronenhof en juin.\n";
    assert_int_equal(label_nth(rules, a, "Taxis-VSL", 0), AT_PHI_EMPLOYEUR);
    assert_int_equal(label_nth(rules, a, "Lig\xC3\xA9riens", 0), AT_PHI_EMPLOYEUR);
    assert_int_equal(label_nth(rules, a, "Tonnelleries", 0), AT_PHI_EMPLOYEUR);
    assert_int_equal(label_nth(rules, a, "kronenhof", 0), AT_PHI_EMPLOYEUR);
    static const char b[] = "Ancien du Vietnam, ancien des Beaux-Arts. Retrait\xC3\xA9 de Lyon.\n";
    assert_int_equal(label_nth(rules, b, "Beaux-Arts", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictated_numbers),
        cmocka_unit_test(test_lower_typist),
        cmocka_unit_test(test_employer_cues),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
