/* Unit tests for the de-identifier's classes of issue #12, round 29:
 * notes typed in lower case (a signer's initials alone on a line, a
 * commune after where one lives) and the lists of who attends a
 * meeting. Every string is invented here; none is a fixture of patient
 * data. */
#include "text_label.h"

#include "atelier/text.h"
#include "text/deid_scan.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* Two or three letters in lower case alone on a line after the note's
 * text sign it; the note's short words there stay ("ok", "fin", "cro"). */
static void test_lone_lower_initials(void **state)
{
    (void)state;
    static const char a[] = "appel de la fille infirmiere au courant de la sortie\nvl\n";
    assert_int_equal(label_nth(det, a, "vl", 0), AT_PHI_PRENOM);
    static const char b[] = "rappeler la patiente sur son portable demain matin\neb.\n";
    assert_int_equal(label_nth(det, b, "eb", 0), AT_PHI_PRENOM);
    static const char c[] = "bilan vu avec le senior, pas de changement de traitement\nok\n"
                            "fin\ncro\n";
    assert_int_equal(label_nth(det, c, "ok", 0), 0);
    assert_int_equal(label_nth(det, c, "fin", 0), 0);
    assert_int_equal(label_nth(det, c, "cro", 0), 0);
}

/* A commune of the list after where one lives in a note in lower case,
 * though hunspell-en-med writes it as a word ("avignon"). */
static void test_commune_not_medical(void **state)
{
    (void)state;
    static const char a[] =
        "vomit depuis hier malgre le zophren on habite avignon on peut pas venir avant lundi\n";
    assert_int_equal(label_nth(det, a, "avignon", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "zophren", 0), 0);
}

/* The words after "Présents :", "Participants :", "Quorum :", "relais
 * :" that name no role are people, in lower case and bare; a particle
 * goes with its name; a role, what brackets hold and the sentence after
 * a full stop stay. */
static void test_attendance_lists(void **state)
{
    (void)state;
    static const char a[] =
        "rcp digestive\npresents : le goff morvan quemener (chir) abgrall (radiotherapie) "
        "salaun nedelec (anapath)\nrelais : martins collet barbier / cadre villard\n";
    assert_int_equal(label_nth(det, a, "le", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "goff", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "abgrall", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "salaun", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "collet", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "barbier", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "chir", 0), 0);
    assert_int_equal(label_nth(det, a, "anapath", 0), 0);
    assert_int_equal(label_nth(det, a, "cadre", 0), 0);
    static const char b[] =
        "Quorum : Marchetti, Chevalier, Le Moal (RT), Bodin (radiol). Saisie DCC : secr.\n"
        "Pr\xC3\xA9sents : patient et son \xC3\xA9pouse, en bon \xC3\xA9tat g\xC3\xA9n\xC3\xA9ral.\n"
        "Relais pr\xC3\xA9vu par apixaban 10 mg (\xC3\xA9tude Caravaggio).\n";
    assert_int_equal(label_nth(det, b, "Bodin", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, b, "radiol", 0), 0);
    assert_int_equal(label_nth(det, b, "DCC", 0), 0);
    assert_int_equal(label_nth(det, b, "bon", 0), 0);
    assert_int_equal(label_nth(det, b, "patient", 0), 0);
    assert_int_equal(label_nth(det, b, "Caravaggio", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lone_lower_initials),
        cmocka_unit_test(test_commune_not_medical),
        cmocka_unit_test(test_attendance_lists),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
