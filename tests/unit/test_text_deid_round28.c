/* Unit tests for the de-identifier's classes of issue #12, round 28:
 * notes typed in lower case without punctuation. Every string is
 * invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"
#include "text/deid_scan.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* A postcode written with a space after its department, before a town
 * in lower case: after a street (whose house number no longer takes the
 * department) or a word of no list; never an amount or a count. */
static void test_spaced_postcodes_lower(void **state)
{
    (void)state;
    static const char a[] = "nouvelle adresse 12 impasse des ajoncs 29 860 plabennec\n"
                            "demeurant 9 rue du general de gaulle 29 120 pont l abbe\n"
                            "domicilie lieu dit kerhuel 56 550 belz pour le suivi\n";
    assert_int_equal(label_nth(rules, a, "29", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(rules, a, "860", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(rules, a, "plabennec", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(rules, a, "ajoncs", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(rules, a, "120", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(rules, a, "pont", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(rules, a, "abbe", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(rules, a, "belz", 0), AT_PHI_VILLE);
    static const char b[] = "soit 35 000 patients par an, plafond 30 000 \xE2\x82\xAC \xC3\xA0 ce jour\n"
                            "plaquettes 12 500 mm3\n";
    assert_int_equal(label_nth(rules, b, "35", 0), 0);
    assert_int_equal(label_nth(rules, b, "30", 0), 0);
    assert_int_equal(label_nth(rules, b, "000", 1), 0);
    assert_int_equal(label_nth(rules, b, "12", 0), 0);
}

/* Dates without their signs: a day, a month and a year of two digits
 * each in a cell of their own (a table's, or alone on a line), even when
 * the extension read a code in them; a month of one digit after "le",
 * "du", "au" or a weekday; not a value's change nor a dose. */
static void test_spaced_dates_short(void **state)
{
    (void)state;
    static const char a[] = "ipp;nom;date_cure;protocole\n70045678;leclerc;12 06 24;folfox 4\n"
                            "clinique de l elorn\n28 06 24\n"
                            "ferrec\t22 07 24\t9 8\t0 9\t110\n";
    assert_int_equal(label_nth(det, a, "12", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "24", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "28", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "22", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "07", 0), AT_PHI_DATE);
    static const char b[] = "pas de probleme report au 13 2\nstaff du lundi 11 3\n"
                            "apres discussion rcp du 6 9 on propose une chimioembolisation\n";
    assert_int_equal(label_nth(rules, b, "13", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "2", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "11", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "3", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "6", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "9", 0), AT_PHI_DATE);
    static const char c[] = "hb passee de 9 8 au 11 3 apres transfusion\nle 5 10 mg\n";
    assert_int_equal(label_nth(rules, c, "11", 0), 0);
    assert_int_equal(label_nth(rules, c, "3", 0), 0);
    assert_int_equal(label_nth(rules, c, "10", 0), 0);
}

/* A surname's particle in lower case after a title or a patient's word,
 * with the surname found or the word after it; not an article after a
 * word that is no title ("pr", an SMS's "pour"; "épouse"), nor a
 * weekday. */
static void test_lower_particles(void **state)
{
    (void)state;
    static const char a[] = "operateur dr le du aide dr peron\npassage kine m le bras lundi\n"
                            "patient le gall herve ipp 40045\ngendre prevenu m l hostis 06 22 49 81 30\n";
    assert_int_equal(label_nth(det, a, "le", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "du", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "bras", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "le", 2), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "gall", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "l", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "hostis", 0), AT_PHI_NOM);
    static const char b[] = "venue avec l'\xC3\xA9pouse le samedi\n"
                            "on vient a 9h pr la chimio\n";
    assert_int_equal(label_nth(rules, b, "samedi", 0), 0);
    assert_int_equal(label_nth(rules, b, "chimio", 0), 0);
}

/* Dates in words: a day of two words from "dix" ("dix huit octobre"),
 * "dix sept" before a month as seventeen, a year in words after a date
 * read to its month. */
static void test_dates_in_words_unhyphenated(void **state)
{
    (void)state;
    static const char a[] = "debut deux septembre fin dix huit octobre deux mille vingt quatre\n"
                            "consultation le 7 fevrier deux mille vingt quatre\nrevu le dix sept mai\n";
    assert_int_equal(label_nth(rules, a, "dix", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "huit", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "mille", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "quatre", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "mille", 1), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "quatre", 1), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "sept", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "mai", 0), AT_PHI_DATE);
    /* (a postcode dictated after its street and a spoken comma) */
    static const char c[] =
        "madame aubry virgule cinq rue du g\xC3\xA9n\xC3\xA9ral sarrail virgule cinquante et "
        "un mille cent reims point \xC3\xA0 la ligne\n";
    assert_int_equal(label_nth(rules, c, "cinquante", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(rules, c, "cent", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(rules, c, "reims", 0), AT_PHI_VILLE);
    static const char b[] = "il a recu deux mille unites\n";
    assert_int_equal(label_nth(rules, b, "mille", 0), 0);
}

/* "ch de" before a commune's, a place's or an unknown word in lower
 * case, up to a record's label; not "ch de garde"; a place's qualifier
 * before an elided "d" in a name. A day and a month of
 * two digits opening a line before a time of day. */
static void test_ch_de_and_timed_dates(void **state)
{
    (void)state;
    static const char a[] = "urgences ch de landerneau passage le 3 mai\n"
                            "appel du ch de tulle ipp 4471203\nmedecin du ch de garde ce soir\n";
    assert_int_equal(label_nth(rules, a, "ch", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, a, "landerneau", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, a, "tulle", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, a, "ipp", 0), 0);
    assert_int_equal(label_nth(rules, a, "garde", 0), 0);
    /* (a place's qualifier before an elided "d": "de la cote d emeraude") */
    static const char c[] = "conseil genetique au chu de la cote d emeraude\nquorum atteint\n";
    assert_int_equal(label_nth(rules, c, "cote", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, c, "emeraude", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, c, "quorum", 0), 0);
    static const char b[] = "sms equipe mobile\n13 03 18h40 de l ide\ntension 13 08\n";
    assert_int_equal(label_nth(rules, b, "13", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "03", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "08", 0), 0);
}

/* A carer's or a typist's initials in a note in lower case: after a
 * word of signing or typing, after "dr" at the line's end, opening a
 * line before a carer's role; not a short word of the note. */
static void test_lower_signers(void **state)
{
    (void)state;
    static const char a[] = "fin de dictee hm pour frappe\na voir avec dr tanguy demain\nsigne kr ide\n"
                            "physicien manip jm\nconsentement signe anesth dr ab\n"
                            "renouvellement durogesic 25\nal ide de nuit\n";
    assert_int_equal(label_nth(rules, a, "hm", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, a, "kr", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, a, "jm", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, a, "ab", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, a, "al", 0), AT_PHI_PRENOM);
    static const char b[] = "vu dr ok\nsigne le\npansement signe ras\nas ide ok pour toilette\n";
    assert_int_equal(label_nth(rules, b, "ok", 0), 0);
    assert_int_equal(label_nth(rules, b, "le", 0), 0);
    assert_int_equal(label_nth(rules, b, "ras", 0), 0);
    assert_int_equal(label_nth(rules, b, "as", 0), 0);
    /* (after a role and its colon, a shift, a slash or a comma after
     * initials found, or before a role in brackets; in any note) */
    static const char c[] =
        "Cl\xC3\xA9 au bo\xC3\xAEtier.\nide : mh\nibode : ck / dp - anesth : Dr Vernier\n"
        "ide nuit cb\nnote : ag (secretaire)\nide : ok pour toilette\nsecretariat : cc dr x, ref\n";
    assert_int_equal(label_nth(rules, c, "mh", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, c, "ck", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, c, "dp", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, c, "cb", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, c, "ag", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, c, "ok", 0), 0);
    assert_int_equal(label_nth(rules, c, "cc", 0), 0);
    /* (capitals after a signing word at the line's end) */
    static const char d[] = "Reprise le 20 d\xC3\xA9"
                            "c.\nsign\xC3\xA9 AMG\nsigne HAD demain\n";
    assert_int_equal(label_nth(rules, d, "AMG", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, d, "HAD", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spaced_postcodes_lower), cmocka_unit_test(test_spaced_dates_short),
        cmocka_unit_test(test_lower_particles),        cmocka_unit_test(test_dates_in_words_unhyphenated),
        cmocka_unit_test(test_ch_de_and_timed_dates),  cmocka_unit_test(test_lower_signers),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
