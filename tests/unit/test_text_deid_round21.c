/* Unit tests for the de-identifier's classes of issue #12, round 21.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* An initial after a name the tagger found: one space after it, after its
 * comma, in brackets; "M." before a capitalised word is the next
 * person's title, and a letter after a word that is no name stays. */
static void test_initials_after_names(void **state)
{
    (void)state;
    static const char a[] = "08h30  LE GALL Y.        suivi mélanome Breslow 2,1\n"
                            "Opérateur : Dr Ferreira Da Costa (J.)   Aide : interne\n"
                            "Présents : Dr Kerhervé, M. Le Bihan et la cadre.\n"
                            "Supplémentation en vitamine D. Puis contrôle à 3 mois.\n";
    assert_int_not_equal(label_nth(det, a, "GALL", 0), 0);
    assert_int_not_equal(label_nth(det, a, "Y.", 0), 0);
    assert_int_not_equal(label_nth(det, a, "Costa", 0), 0);
    assert_int_not_equal(label_nth(det, a, "J.)", 0), 0);
    assert_int_equal(label_nth(det, a, "M.", 0), 0);
    assert_int_equal(label_nth(det, a, "D.", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initials_after_names),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
