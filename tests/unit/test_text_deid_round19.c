/* Unit tests for the de-identifier's classes of issue #12, round 19:
 * what speech recognition writes in lower case. Every string is invented
 * here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* A record's number said in words in a transcript, with letters in lower
 * case and joints said ("barre", "tiret") inside it, or a letter first
 * right after its cue; neither a joint nor a lone "a" stretches it. */
static void test_dictated_numbers(void **state)
{
    (void)state;
    static const char a[] = "envoyé au laboratoire sous le numéro z vingt-six quatre quatre un cinq point "
                            "le patient sera revu dans trois semaines avec le scanner point";
    assert_int_equal(RULE(a, "z vingt"), AT_PHI_ID);
    assert_int_equal(RULE(a, "cinq"), AT_PHI_ID);
    assert_int_equal(RULE(a, "trois"), 0);
    static const char b[] = "pièce adressée en anatomopathologie numéro de prélèvement deux six g un deux "
                            "trois quatre cinq à la ligne la patiente a bien compris point";
    assert_int_equal(RULE(b, "g un"), AT_PHI_ID);
    assert_int_equal(RULE(b, "cinq"), AT_PHI_ID);
    assert_int_equal(RULE(b, "patiente"), 0);
    static const char c[] = "compte rendu opératoire le prélèvement part sous le numéro b vingt-six tiret "
                            "quatre mille cinq cent six barre point suites simples";
    assert_int_equal(RULE(c, "tiret"), AT_PHI_ID);
    assert_int_equal(RULE(c, "six"), AT_PHI_ID);
    assert_int_equal(label_nth(rules, c, "barre", 0), 0); /* (a joint closes no number) */
    /* letters spelled before it are its own, "a" too */
    static const char e[] = "patient monsieur le gall jean ipp h i a zéro zéro sept sept trois neuf un point "
                            "numéro de dossier a c c deux six zéro six un six zéro quarante-quatre point";
    assert_int_equal(RULE(e, "h i a"), AT_PHI_IPP);
    assert_int_equal(RULE(e, "a c c"), AT_PHI_ID);
    /* a postcode in words right after its town; a year stays */
    static const char z[] =
        "patiente de cinquante-deux ans demeurant à plonéour-lanvern vingt-neuf mille sept "
        "cent vingt point opérée à lyon deux mille dix-huit point";
    assert_int_equal(label_nth(det, z, "vingt-neuf", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, z, "cent vingt", 0), AT_PHI_ZIP);
    assert_int_not_equal(label_nth(det, z, "dix-huit", 0), AT_PHI_ZIP);
    /* a short count stays: "a" is a verb */
    static const char d[] = "la patiente a deux enfants et a trois petits-enfants qui viennent la voir "
                            "tous les dimanches point elle a soixante ans";
    assert_int_equal(RULE(d, "deux"), 0);
    assert_int_equal(RULE(d, "soixante"), 0);
}

/* A day of the month in words before a word that goes on a date, as
 * after a day in digits; not before a month nor a count. */
static void test_day_words(void **state)
{
    (void)state;
    static const char a[] = "pose de gastrostomie prophylactique prévue le dix-huit au centre point elle "
                            "veut avancer le rendez-vous du vingt-huit parce que son fils vient point je lui "
                            "ai proposé le vingt-deux à quatorze heures trente point traitement pendant le "
                            "dix-huit mois suivants point";
    assert_int_equal(RULE(a, "dix-huit au"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "vingt-huit"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "vingt-deux"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "dix-huit mois"), 0);
}

/* In a transcript, a commune said right after where one lives or comes
 * from, without "à"; how one lives is no town. */
static void test_residence_words(void **state)
{
    (void)state;
    static const char a[] = "la visite de son frère venu de cognac point son fils habite le havre et elle "
                            "travaille à mi-temps point il habite landerneau point elle habite seule dans "
                            "une maison point elle vit chez sa fille point";
    assert_int_equal(RULE(a, "cognac"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "le havre"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "landerneau"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "seule"), 0);
    assert_int_equal(RULE(a, "chez"), 0);
}

/* The N of "N°" is no one's initial, whatever the model scores. */
static void test_number_sign(void **state)
{
    (void)state;
    static const char a[] = "Prescripteur : Dr Leïla Cousin   N° RPPS 10275389152\nNº dossier 4471\n";
    assert_int_equal(label_nth(det, a, "N°", 0), 0);
    assert_int_equal(label_nth(det, a, "Nº", 0), 0);
    assert_int_equal(label_nth(det, a, "Cousin", 0), AT_PHI_NOM);
}

/* A plate of the SIV whose digits an OCR read as letters, with its
 * dashes; letters alone between dashes are no plate. */
static void test_ocr_plates(void **state)
{
    (void)state;
    static const char a[] = "Transporteur : ambulances   véhicule GB-7O4-XR\nscore AB-OOl-CD ok\n";
    assert_int_equal(RULE(a, "GB-7O4"), AT_PHI_IMMAT);
    assert_int_equal(RULE(a, "AB-OOl"), 0);
}

/* A letter's dateline without its comma when its words are a town's or
 * no word of the language; a participle before "le" and a date is none;
 * a commune of the lists alone on its line is the letterhead's town. */
static void test_datelines(void **state)
{
    (void)state;
    static const char a[] = "Bordeaux le 2 décembre 2026\nQuimperlé le 3 mars 2026\nVu le 3 mars 2026\n"
                            "Unité d'endoscopie\nRennes\n\nCompte rendu.\n";
    assert_int_equal(RULE(a, "Bordeaux"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "Quimperlé"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "Vu"), 0);
    assert_int_equal(RULE(a, "Rennes"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "Compte"), 0);
}

/* After a title in lower case, a surname with two particles or "saint"
 * after a doctor's title, and a first name after it; an office after
 * the title is no name. */
static void test_lower_case_particles(void **state)
{
    (void)state;
    static const char a[] = "opération réalisée par le docteur de la vallée à la clinique point";
    assert_int_equal(RULE(a, "vallée"), AT_PHI_NOM);
    assert_int_equal(RULE(a, "la"), AT_PHI_NOM);
    assert_int_equal(label_nth(rules, a, "clinique", 0), 0);
    static const char b[] = "cr de consultation pour madame de montaigu anne-claire quarante-six ans";
    assert_int_equal(RULE(b, "montaigu"), AT_PHI_NOM);
    assert_int_not_equal(RULE(b, "anne-claire"), 0);
    static const char c[] = "opérée le neuf novembre par le professeur saint martin les suites sont simples";
    assert_int_equal(RULE(c, "martin"), AT_PHI_NOM);
    assert_int_equal(RULE(c, "suites"), 0);
    assert_int_equal(RULE("vu avec le docteur de la consultation mémoire ce matin", "consultation"), 0);
}

/* Letter-spaced text is read without its spaces: a name, a birth date
 * and a postcode spelled a letter at a time are found; a rota's codes
 * are no word. */
static void test_letter_spaced(void **state)
{
    (void)state;
    static const char a[] = "Nom-prénom : B E N H A M O U R a c h e l\n"
                            "Médecin : Dr Ch a r p e n t i e r\n"
                            "Domicile : 3 8 1 0 0 Grenoble\n";
    assert_int_equal(RULE(a, "B E N"), AT_PHI_NOM);
    assert_int_not_equal(RULE(a, "a c h e l"), 0);
    assert_int_equal(RULE(a, "Ch a r"), AT_PHI_NOM);
    assert_int_not_equal(RULE(a, "n t i e r"), 0);
    assert_int_not_equal(RULE(a, "3 8 1"), 0);
    /* two letters that make a word stand outside a run */
    static const char c[] = "Patient : M. Jean DUPONT, né le 2 9 / 0 1 / 1 9 3 2\n";
    assert_int_equal(RULE(c, "né le"), 0);
    /* and the run read whole is one birth date, not numbers in parts */
    assert_int_equal(RULE(c, "2 9 /"), AT_PHI_DATE_NAISSANCE);
    assert_int_equal(RULE(c, "1 9 3 2"), AT_PHI_DATE_NAISSANCE);
    static const char b[] = "Nom;Prénom;S14;S15\nTANGUY;Gaëlle;S S R M M;R R S S S\n";
    assert_int_equal(RULE(b, "S S R"), 0);
    assert_int_equal(RULE(b, "R R S"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictated_numbers), cmocka_unit_test(test_lower_case_particles),
        cmocka_unit_test(test_letter_spaced),    cmocka_unit_test(test_day_words),
        cmocka_unit_test(test_ocr_plates),       cmocka_unit_test(test_datelines),
        cmocka_unit_test(test_residence_words),  cmocka_unit_test(test_number_sign),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
