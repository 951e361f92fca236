/* Unit tests for the de-identifier's classes of issue #12, round 23.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <stdlib.h>
#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* Text t redacted by the default detector (malloc'd). */
static char *redacted(const char *t)
{
    at_text_spans sp;
    memset(&sp, 0, sizeof sp);
    assert_int_equal(at_text_deid_detect(det, t, strlen(t), &sp), AT_OK);
    at_buf out;
    at_buf_init(&out, 1024);
    assert_int_equal(at_text_deid_apply(t, strlen(t), &sp, AT_TEXT_REDACT, NULL, NULL, &out), AT_OK);
    char *r = strdup((const char *)out.data);
    at_buf_free(&out);
    at_text_spans_free(&sp);
    return r;
}

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

/* In a letter in capitals, the article of "NÉ LE" before a date is no
 * maiden name (the guard compared "NÉ" with a capital N that its
 * comparison, lowering ASCII letters, could never match); and an age
 * over 89 takes its unit in capitals too ("97 ANS" came out "90 ans ou
 * plus ANS"). */
static void test_capitals_birth_and_age(void **state)
{
    (void)state;
    static const char a[] =
        "PATIENT : CHAMBON THÉO, NÉ LE 02/09/1999\nMME DUPONT MARIE NÉE LE 12/03/1950, 97 ANS\n";
    assert_int_equal(label_nth(det, a, "LE", 0), 0);
    assert_int_equal(label_nth(det, a, "LE", 1), 0);
    assert_int_equal(label_nth(det, a, "CHAMBON", 0), AT_PHI_NOM);
    char *o = redacted(a);
    assert_non_null(strstr(o, "90 ans ou plus\n"));
    assert_null(strstr(o, "ANS"));
    free(o);
}

/* An office's mailbox names no one ("dpo@": the acronym beside it
 * stays), and a relative's word opening a sentence is no title before
 * the word in lower case after it; a surname after it still goes. */
static void test_office_mail_and_kin_noun(void **state)
{
    (void)state;
    static const char a[] = "Rédigé par Valérie Chauvet, DPO — dpo@ghav.fr\n";
    assert_int_equal(label_nth(det, a, "DPO", 0), 0);
    assert_int_equal(label_nth(det, a, "Chauvet", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "dpo@ghav.fr", 0), AT_PHI_MAIL);
    static const char b[] = "MMS 19/30. Épouse épuisée, demande d'hébergement.\nÉpouse Martin présente.\n";
    assert_int_equal(label_nth(det, b, "épuisée", 0), 0);
    assert_int_equal(label_nth(det, b, "Martin", 0), AT_PHI_NOM);
}

/* A postcode written with a space after its department, before its
 * town: both go (the postcode was left whole, naming the town); a sum,
 * a dose and an OCR'd NIR's digits stay what they are. */
static void test_spaced_postcode(void **state)
{
    (void)state;
    static const char a[] = "2 rue de la Liberté - 62 100 CALAIS  Tél. 03 21 36 85 00\n"
                            "12 rue des Lilas, 35 000 Rennes\n29 200 BREST\n"
                            "Dose 35 000 UI par jour ; au capital de 15 000 EUR ; Budget de 75 000 Euros\n";
    assert_int_equal(label_nth(det, a, "62 100", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, a, "CALAIS", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Tél", 0), 0);
    static const char c[] = "Adresse : 5 allée des Mimosas, 06110 Le Cannet    Tél : 06 60 21 43 87\n"
                            "15 rue du Port, 29200 Brest\tIPP 123456\n";
    assert_int_equal(label_nth(det, c, "Le Cannet", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, c, "Tél", 0), 0);
    assert_int_equal(label_nth(det, c, "Brest", 0), AT_PHI_VILLE);
    assert_int_not_equal(label_nth(det, c, "IPP", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "35 000", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, a, "29 200", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, a, "35 000", 1), 0);
    assert_int_equal(label_nth(det, a, "15 000", 0), 0);
    assert_int_equal(label_nth(det, a, "75 000", 0), 0);
    static const char b[] = "N° SS : 1 81 12 62 193 O48 72\n";
    assert_int_not_equal(label_nth(det, b, "O48", 0), AT_PHI_VILLE);
}

/* "m." in lower case before a name in lower case is a title, not the
 * unit: its surname of the lists goes, and a word of the language before
 * a first name; the metre after a number stays. */
static void test_lower_mister(void **state)
{
    (void)state;
    static const char a[] = "pouvez-vous convoquer m. caron dominique ipp 20034\n"
                            "patient: m. renard christian, lieu-dit\nmesure 1,70 m. poids 70 kg\n";
    assert_int_equal(label_nth(det, a, "caron", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "renard", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "poids", 0), 0);
}

/* A login glued from an initial (or two consonants) and a surname of
 * the lists goes; a word that only ends like one stays. */
static void test_login_names(void **state)
{
    (void)state;
    static const char a[] = "2026-09-14 08:03:40 | LINAC2 | kpichon | Field ARC1 delivered\n"
                            "2026-09-14 08:05:12 | LINAC2 | jpdupont | CBCT\nOrigine : anjouan, vue.\n";
    assert_int_equal(label_nth(det, a, "kpichon", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "jpdupont", 0), AT_PHI_NOM);
    assert_int_not_equal(label_nth(det, a, "anjouan", 0), AT_PHI_NOM);
}

/* A dictated letter's postcode and town in lower case: the town after
 * the postcode, a word of the language there only after a street on the
 * line; a count of cells and a sum stay. */
static void test_lower_postcode_town(void **state)
{
    (void)state;
    static const char a[] = "chez le docteur fournier christian route de condat 15300 murat\n"
                            "plaquettes 45000 plaquettes/mm3, montant 12000 euros\n";
    assert_int_equal(label_nth(det, a, "15300", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, a, "murat", 0), AT_PHI_VILLE);
    assert_int_not_equal(label_nth(det, a, "condat", 0), 0);
    assert_int_not_equal(label_nth(det, a, "45000", 0), AT_PHI_ZIP);
    assert_int_not_equal(label_nth(det, a, "12000", 0), AT_PHI_ZIP);
}

/* Trap strings: a TNM category not assessed ("Nx") is known safe, and a
 * laboratory's range in a tab-separated table is no reference number
 * with the value in the next cell. */
static void test_tnm_x_and_range_cell(void **state)
{
    (void)state;
    static const char a[] = "carcinome papillaire, 18 mm, pT1b (m) Nx, pMx (TNM 8e édition)\n"
                            "Sodium\t133\tmmol/L\t136-145\t139\n";
    assert_int_equal(label_nth(det, a, "Nx", 0), 0);
    assert_int_equal(label_nth(det, a, "pMx", 0), 0);
    assert_int_equal(label_nth(det, a, "136", 0), 0);
}

/* Trap strings the rules took: the vitamin after "vit" (read as "lives
 * in"), a panel of markers and a marker's value after a label, a
 * classification's code written "CIM-O-3", oxygen after "patient". */
static void test_markers_and_codes(void **state)
{
    (void)state;
    static const char a[] = "pas de tox. vit B12 faite le 6/2. Vit D3 ok.\n"
                            "Demande de CK7/CK20/CDX2/TTF1. Immunohistochimie (P504S/p63/CK5/6) : confirme.\n"
                            "LDH 1,8 N. Ki67 80 %, BCL2+. Code CIM-O-3 8858/3.\n"
                            "couché : patient O2 2L du service. Dossier n° AB12/CD34/EF56 ouvert.\n";
    assert_int_equal(label_nth(det, a, "B12", 0), 0);
    assert_int_equal(label_nth(det, a, "D3", 0), 0);
    assert_int_equal(label_nth(det, a, "CK7", 0), 0);
    assert_int_equal(label_nth(det, a, "P504S", 0), 0);
    assert_int_equal(label_nth(det, a, "Ki67", 0), 0);
    assert_int_equal(label_nth(det, a, "8858", 0), 0);
    assert_int_equal(label_nth(det, a, "O2", 0), 0);
    assert_int_equal(label_nth(det, a, "AB12", 0), AT_PHI_ID);
}

/* A scan's numbers with O for 0 and l for 1 are read back as digits
 * before the passes: dates in every writing, a month and a year in
 * brackets; oxygen and a word stay, and the output keeps the letters. */
static void test_ocr_numbers(void **state)
{
    (void)state;
    static const char a[] = "PSA : 0,08 (O3/2O24) -> 0,15 (O7/2O24)\nFAX 2O-O3-2O26 14:32\n"
                            "TELECOPIE O7-FEV-25\nBio du 8/0l : Hb 11,8\nCR du O3 nov. 2O26\n"
                            "sous O2 3 L/min, Il va bien, lOl.\n";
    assert_int_equal(label_nth(det, a, "O3/2O24", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "O7/2O24", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "2O-O3-2O26", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "O7-FEV-25", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "8/0l", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "O3 nov", 0), AT_PHI_DATE);
    assert_int_equal(label_of("Vue le O4 févr. 2O26 en HDJ.", "O4"), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "O2 3", 0), 0);
    assert_int_equal(label_nth(det, a, "Il", 0), 0);
    char *o = redacted(a);
    assert_non_null(strstr(o, "sous O2 3 L/min, Il va bien, lOl."));
    free(o);
}

/* A form's next cell, three spaces or a tab away, is no part of the
 * entity a pass ran into it; an establishment's head, initials and a
 * postcode after a gap stay. */
static void test_wide_gaps(void **state)
{
    (void)state;
    static const char a[] = "27 chemin des Fins Nord      CP : 25000\n"
                            "Nom : DE LA TOUR D'AUVERGNE    Prénom : Béatrice\n"
                            "Service de Pédiatrie          97310 Kourou\n";
    assert_int_not_equal(label_nth(det, a, "Fins", 0), 0);
    assert_int_equal(label_nth(det, a, "CP", 0), 0);
    assert_int_not_equal(label_nth(det, a, "AUVERGNE", 0), 0);
    assert_int_equal(label_nth(det, a, "Prénom", 0), 0);
    assert_int_equal(label_nth(det, a, "97310", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, a, "Kourou", 0), AT_PHI_VILLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_surname_before_first_name),
        cmocka_unit_test(test_capitals_birth_and_age),
        cmocka_unit_test(test_office_mail_and_kin_noun),
        cmocka_unit_test(test_spaced_postcode),
        cmocka_unit_test(test_lower_mister),
        cmocka_unit_test(test_login_names),
        cmocka_unit_test(test_lower_postcode_town),
        cmocka_unit_test(test_tnm_x_and_range_cell),
        cmocka_unit_test(test_markers_and_codes),
        cmocka_unit_test(test_ocr_numbers),
        cmocka_unit_test(test_wide_gaps),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
