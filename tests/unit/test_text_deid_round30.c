/* Unit tests for the de-identifier's classes of issue #12, round 30:
 * the eponyms of two words ("Ann Arbor", "Bence Jones") and a batch's
 * "Lot" before a medicine or a code, which is no address. Every string
 * is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"
#include "text/deid_scan.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* "Ann Arbor" stages a lymphoma, with its numeral; "Bence Jones" names
 * a protein; the doctor beside them is still a name. */
static void test_two_word_eponyms(void **state)
{
    (void)state;
    static const char a[] = "Lymphome de Hodgkin stade Ann Arbor IV, revu par le Dr Martin.\n"
                            "Classification Ann Arbor : stade IIIA. Prot\xC3\xA9inurie de Bence Jones.\n";
    assert_int_equal(label_nth(det, a, "Ann", 0), 0);
    assert_int_equal(label_nth(det, a, "Arbor", 0), 0);
    assert_int_equal(label_nth(det, a, "IV", 0), 0);
    assert_int_equal(label_nth(det, a, "Ann", 1), 0);
    assert_int_equal(label_nth(det, a, "Arbor", 1), 0);
    assert_int_equal(label_nth(det, a, "Jones", 0), 0);
    assert_int_equal(label_nth(det, a, "Martin", 0), AT_PHI_NOM);
}

/* "Lot" before a medicine or a code is a batch's word: no address; its
 * code stays redacted as a number. A lot of a housing estate, numbered
 * or abbreviated, is still an address. */
static void test_batch_lot(void **state)
{
    (void)state;
    static const char a[] =
        "Lot Xeloda dispens\xC3\xA9 : non concern\xC3\xA9.\nLot Darzalex r\xC3\xA9serv\xC3\xA9.\n"
        "Lot W012345 v\xC3\xA9rifi\xC3\xA9 par la pharmacie.\n";
    assert_int_equal(label_nth(det, a, "Lot", 0), 0);
    assert_int_equal(label_nth(det, a, "Xeloda", 0), 0);
    assert_int_equal(label_nth(det, a, "Darzalex", 0), 0);
    assert_int_equal(label_nth(det, a, "Lot", 2), 0);
    assert_int_not_equal(label_nth(det, a, "W012345", 0), 0);
    static const char b[] = "Adresse : Lotissement Les Pins, lot 24, 12 rue des Lilas, 29200 Brest\n"
                            "Domicile : Lot. Les Goyaviers, 97400 Saint-Denis\n";
    assert_int_equal(label_nth(det, b, "lot", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, b, "Lot", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, b, "Goyaviers", 0), AT_PHI_ADRESSE);
}

/* "HAD" before an anxiety score is the hospital anxiety and depression
 * scale; before a name it is still a home hospital. */
static void test_had_score(void **state)
{
    (void)state;
    static const char a[] = "Fagerstr\xC3\xB6m 7. HAD A9/D6. Tentatives ant\xC3\xA9rieures.\n"
                            "Fagerstr\xC3\xB6m 8/10. HAD A 11 D 7. CO expir\xC3\xA9 28 ppm.\n"
                            "Score HAD : A 15, D 11.\n"
                            "Retour \xC3\xA0 domicile avec HAD Sant\xC3\xA9 Service Dordogne.\n";
    assert_int_equal(label_nth(det, a, "HAD", 0), 0);
    assert_int_equal(label_nth(det, a, "A9", 0), 0);
    assert_int_equal(label_nth(det, a, "HAD", 1), 0);
    assert_int_equal(label_nth(det, a, "HAD", 2), 0);
    assert_int_not_equal(label_nth(det, a, "Dordogne", 0), 0);
}

/* A scale named like a town ("ALBI grade 1": albumin and bilirubin)
 * is no town before its grade; the town elsewhere is still one. */
static void test_scale_named_like_a_town(void **state)
{
    (void)state;
    static const char a[] = "CHC sur cirrhose, Child-Pugh A6, BCLC B, ALBI grade 1, AFP 1 350 ng/mL.\n"
                            "Retour \xC3\xA0 Albi le 12/03, revu par le Dr Martin.\n";
    assert_int_equal(label_nth(det, a, "ALBI", 0), 0);
    assert_int_equal(label_nth(det, a, "Albi", 0), AT_PHI_VILLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_word_eponyms),
        cmocka_unit_test(test_batch_lot),
        cmocka_unit_test(test_had_score),
        cmocka_unit_test(test_scale_named_like_a_town),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
