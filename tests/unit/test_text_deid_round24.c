/* Unit tests for the de-identifier's classes of issue #12, round 24.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* A care establishment in lower case named without a particle, or with
 * a number said after "des": its name goes, the word after it stays; a
 * department's description ("centre de radiothérapie", "hôpital de
 * jour") names nothing. */
static void test_lower_establishments(void **state)
{
    (void)state;
    static const char a[] = "suivi ssiad des trois vallées passe demain\n"
                            "vu à la clinique des trois frontières hier\n"
                            "appel labo cerballiance demain\n";
    assert_int_equal(label_nth(det, a, "vallées", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "trois", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "frontières", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "hier", 0), 0);
    assert_int_equal(label_nth(det, a, "cerballiance", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "demain", 0), 0);
    static const char b[] = "rdv au centre de radiothérapie lundi\nhôpital de jour les mardis\n";
    assert_int_equal(label_nth(det, b, "radiothérapie", 0), 0);
    assert_int_equal(label_nth(det, b, "mardis", 0), 0);
}

/* A surname's field gives its value that label though the value is an
 * eponym or a word of the language; an empty field's word stays, and so
 * does the eponym in a sentence. */
static void test_name_fields(void **state)
{
    (void)state;
    static const char a[] = "Nom : HARTMANN      Prénom : Paul\nNOM d'usage : FRANCE\n";
    assert_int_equal(label_nth(det, a, "HARTMANN", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "Prénom", 0), 0);
    assert_int_equal(label_nth(det, a, "FRANCE", 0), AT_PHI_NOM);
    static const char b[] = "Nom : Néant\nPrénom : inconnu\nIntervention de Hartmann en urgence.\n";
    assert_int_equal(label_nth(det, b, "Néant", 0), 0);
    assert_int_equal(label_nth(det, b, "inconnu", 0), 0);
    assert_int_equal(label_nth(det, b, "Hartmann", 0), 0);
}

/* A surname in capitals after a title's first name, whatever follows it
 * and whatever word it also is; an acronym of care stays. A name before
 * a colon after "M." is a person's, as after "Mme". */
static void test_title_first_name_capitals(void **state)
{
    (void)state;
    static const char a[] = "Patient : M. Bernard TRAVERS   né le 08.12.1946\n"
                            "Personne à prévenir : M. Yohan BISMUTH (fils)\n"
                            "Docteur Sylvain LHERMITTE\n";
    assert_int_equal(label_nth(det, a, "TRAVERS", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "BISMUTH", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "LHERMITTE", 0), AT_PHI_NOM);
    static const char b[] = "Dr Marie TEP scan prévu\n";
    assert_int_equal(label_nth(det, b, "TEP", 0), 0);
    static const char c[] = "- M. Granier : sortie vers domicile\nch 12 - M. CORBIN : dyspnée\n";
    assert_int_equal(label_nth(det, c, "Granier", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, c, "CORBIN", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, c, "sortie", 0), 0);
}

/* In a dictation, a stop said ("point", "virgule") ends the name after a
 * title as punctuation does; the stop stays. */
static void test_dictated_stop_ends_name(void **state)
{
    (void)state;
    static const char a[] = "vit avec sa compagne madame nathalie rossignol point examen normal\n";
    assert_int_equal(label_nth(det, a, "nathalie", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, a, "rossignol", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "point", 0), 0);
    assert_int_equal(label_nth(det, a, "examen", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_establishments),
        cmocka_unit_test(test_name_fields),
        cmocka_unit_test(test_title_first_name_capitals),
        cmocka_unit_test(test_dictated_stop_ends_name),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
