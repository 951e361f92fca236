/* Unit tests for the de-identifier's classes of issue #12, round 23.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* A surname of the lists written before a first name the detector took
 * is the person's, though a word before it calls for an eponym ("signé"
 * folds to "signe"); a word of the medical vocabulary there stays. */
static void test_surname_before_first_name(void **state)
{
    (void)state;
    static const char a[] = "Fin de dictée, signé Durand Vincent.\n";
    assert_int_equal(label_nth(det, a, "Vincent", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "Durand", 0), AT_PHI_NOM);
    static const char b[] = "Signe de Babinski, vu par Marie Dupuis.\n";
    assert_int_equal(label_nth(det, b, "Babinski", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_surname_before_first_name),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
