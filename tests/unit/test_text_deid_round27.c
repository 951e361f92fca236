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
    /* (a trade's word and a person's of the lists in lower case; a place
     * of firms in lower case is an address, a zone of the body none) */
    static const char c[] = "il travaille au garage martin depuis 2010\n"
                            "zone artisanale de la lande 29200 brest\nbiopsie de la zone de la lesion\n";
    assert_int_equal(label_nth(rules, c, "martin", 0), AT_PHI_EMPLOYEUR);
    assert_int_equal(label_nth(rules, c, "artisanale", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(rules, c, "lesion", 0), 0);
}

/* Dates written without their signs in a note typed without
 * punctuation: a day, a month and a year one space apart, or a day and a
 * month of two digits after a cue; never a phone's tail, a dose or a
 * marker's name. */
static void test_spaced_dates(void **state)
{
    (void)state;
    static const char a[] = "coloscopie du 22 08 2025 asa 3\n"
                            "traitement cycle 1 le 5 08 cycle 2 le 26 08\n"
                            "mr gerard boutin ddn 3 1 1948 vient avec sa femme\n";
    assert_int_equal(label_nth(rules, a, "22", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "2025", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "3", 0), 0);
    assert_int_equal(label_nth(rules, a, "5", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "26", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, a, "1948", 0), AT_PHI_DATE_NAISSANCE);
    static const char b[] = "rappeler le 02 98 41 22 08 20 apres 18h\n"
                            "le 5 10 mg de morphine, ca 19 9 a 812, gleason 3 4\n";
    assert_int_not_equal(label_nth(rules, b, "08", 0), AT_PHI_DATE);
    assert_int_not_equal(label_nth(rules, b, "10", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, b, "ca 19 9", 0), 0);
    assert_int_equal(label_nth(rules, b, "gleason 3 4", 0), 0);
    /* (a day "du" a month, dictated; a title's surname and a first
     * name's initial after it in lower case) */
    static const char c[] =
        "date intervention le 14 du 10\nvu le 3 du mois\ndr mahe c\nvoir la note du dr roux a propos\n";
    assert_int_equal(label_nth(rules, c, "14", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(rules, c, "3 du", 0), 0);
    assert_int_equal(label_nth(rules, c, "mahe c", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(rules, c, " a ", 0), 0);
}

/* A word of the language in lower case that no training note writes but
 * as a name, after a first name and a title, is the tagger's to decide
 * (the model's vocabulary): a surname here; a common word there is none. */
static void test_rare_words_beside_names(void **state)
{
    (void)state;
    static const char a[] = "consultation neurologie\nle 2 2 mme lise bourdais adressee par dr parkinson\n"
                            "patient bouvreuil jean-marc ne le 17 09 1960\n";
    assert_int_not_equal(label_nth(det, a, "bourdais", 0), 0);
    assert_int_equal(label_nth(det, a, "adressee", 0), 0);
    assert_int_not_equal(label_nth(det, a, "bouvreuil", 0), 0);
    assert_int_equal(label_nth(det, a, "consultation", 0), 0);
    /* (a surname before a first name found after "pt", an eponym's word
     * too; a compound of first names after a surname) */
    static const char b[] = "crh soins palliatifs\npt lhermitte georges 90 ans\n"
                            "patient santoni ange-marie soixante-trois ans\nsigne de lhermitte positif\n";
    assert_int_equal(label_nth(det, b, "lhermitte", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, b, "ange-marie", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, b, "lhermitte", 1), 0);
}

/* A lower-case establishment typed without its apostrophes ("du val d\n * orge"), or named to a region's word
 * before the sentence goes on; an identifier's words the extension joined before an OID leave it whole. */
static void test_lower_establishments_unpunctuated(void **state)
{
    (void)state;
    static const char a[] = "opere a la clinique chirurgicale du val d orge hier\n"
                            "la seance aura lieu au centre regional de cancerologie val de loire demain\n";
    assert_int_equal(label_nth(det, a, "orge", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "loire", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "hier", 0), 0);
    assert_int_equal(label_nth(det, a, "demain", 0), 0);
    static const char b[] =
        "Messagerie : identifiant de l'annuaire 1.2.250.1.71.4.2.1 (OID du r\xC3\xA9pertoire).\n";
    assert_int_equal(label_nth(det, b, "annuaire", 0), 0);
    assert_int_equal(label_nth(det, b, "1.2.250", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictated_numbers),
        cmocka_unit_test(test_lower_typist),
        cmocka_unit_test(test_employer_cues),
        cmocka_unit_test(test_spaced_dates),
        cmocka_unit_test(test_rare_words_beside_names),
        cmocka_unit_test(test_lower_establishments_unpunctuated),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
