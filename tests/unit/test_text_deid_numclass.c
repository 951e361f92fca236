/* Unit tests for the de-identifier's number classes (issue #12, round 6;
 * deid_numclass.c): dates with English or abbreviated months, days and
 * months without a year by their writing or context, international
 * phones, OCR'd numbers, the tails of record numbers, postcodes, ages
 * over 89 in tables, codes in capitals. Every string is invented here;
 * each assertion names a string a class must find, or a trap it must
 * keep. */
#include "text_label.h"

#include "text/deid_internal.h"

#include <stdio.h>

#include "atelier/text.h"

#include <string.h>

#define IS(text, needle, label) assert_int_equal(label_of(text, needle), label)
#define KEPT(text, needle) assert_int_equal(label_of(text, needle), 0)

static void test_english_dates(void **state)
{
    (void)state;
    static const char a[] = "Seen in clinic on 7 April 2023, then on Aug 14, 2026 and 2nd December 2024.";
    IS(a, "7 ", AT_PHI_DATE);
    IS(a, "April", AT_PHI_DATE);
    IS(a, "Aug", AT_PHI_DATE);
    IS(a, "14,", AT_PHI_DATE);
    IS(a, "2nd", AT_PHI_DATE);
    IS(a, "December", AT_PHI_DATE);
    static const char b[] = "Scanner du 12-JAN-2026, relu le 03-fev-2026 ; suivi prévu December 9th.";
    IS(b, "JAN", AT_PHI_DATE);
    IS(b, "fev", AT_PHI_DATE);
    IS(b, "9th", AT_PHI_DATE);
    IS("Biopsie 21dec, puis revue en oct. 2011 au centre.", "21dec", AT_PHI_DATE);
    IS("Biopsie 21dec, puis revue en oct. 2011 au centre.", "oct", AT_PHI_DATE);
    IS("Patient né le 11 June 1948 à Leeds.", "June", AT_PHI_DATE_NAISSANCE);
    IS("Prélèvement du 12.XI.24 adressé au laboratoire.", "XI", AT_PHI_DATE);
    /* an English word of the language, a month abbreviation without its year */
    KEPT("The results may 5 times exceed the norm.", "may");
}

static void test_day_month(void **state)
{
    (void)state;
    IS("Rappel 7/05 9h : pas de fièvre.", "7/05", AT_PHI_DATE);
    IS("Avis (4/02) favorable.", "4/02", AT_PHI_DATE);
    IS("Présenté en RCP : 9/11. Décision : chirurgie.", "9/11", AT_PHI_DATE);
    IS("Séances\n14.02 — calme, dort mieux.\n28.02 — anxieux.", "28.02", AT_PHI_DATE);
    IS("Visite – 3/11 – entretien.", "3/11", AT_PHI_DATE);
    /* scores, fractions, counts of a course stay */
    KEPT("MMS 22/30 ce jour, EVA 3/10.", "22/30");
    KEPT("MMS 22/30 ce jour, EVA 3/10.", "3/10");
    KEPT("Curage : 2/14 ganglions envahis, pN1a.", "2/14");
    KEPT("Cure 2/6 de FOLFOX bien tolérée.", "2/6");
    KEPT("Potassium 4.12 mmol/L ce matin.", "4.12");
    /* days alone: a list before its month, after "le", "au" */
    static const char l[] = "Séances les 3, 8, 11 et 16 juin.";
    IS(l, "3,", AT_PHI_DATE);
    IS(l, "11", AT_PHI_DATE);
    IS("Peut-on avancer au 12 ? Passage le 9 au matin, revue le 23.", "12", AT_PHI_DATE);
    IS("Peut-on avancer au 12 ? Passage le 9 au matin, revue le 23.", "9", AT_PHI_DATE);
    IS("Peut-on avancer au 12 ? Passage le 9 au matin, revue le 23.", "23", AT_PHI_DATE);
    KEPT("Réduire le 15 mg à 10 mg ; le 2,5 mg reste.", "15");
    KEPT("Réduire le 15 mg à 10 mg ; le 2,5 mg reste.", "2,5");
    KEPT("Puis 3, 4 et 5 cycles selon tolérance.", "3,");
    IS("Semaine 2 : 1er au 6 octobre.", "1er", AT_PHI_DATE);
}

static void test_international_phones(void **state)
{
    (void)state;
    static const char a[] = "Joindre sa fille au +41 79 555 12 34 ou le médecin au +1 415 555 0137.";
    IS(a, "+41", AT_PHI_TEL);
    IS(a, "79", AT_PHI_TEL);
    IS(a, "0137", AT_PHI_TEL);
    IS(a, "415", AT_PHI_TEL);
    IS("Cabinet : 0049 89 2180 4471 (Munich).", "0049", AT_PHI_TEL);
    IS("Cabinet : 0049 89 2180 4471 (Munich).", "4471", AT_PHI_TEL);
    IS("Fils à La Réunion : (+262) 693 44 12 87.", "693", AT_PHI_TEL);
    IS("Fils à La Réunion : (+262) 693 44 12 87.", "262", AT_PHI_TEL);
    IS("Contact +590 690 12 34 56 (soir).", "+590", AT_PHI_TEL);
    KEPT("Prise de poids +2 kg, PNN +1 500 depuis J8.", "500");
    KEPT("Prise de poids +2 kg, PNN +1 500 depuis J8.", "2 kg");
    /* ten digits dictated in odd groups */
    IS("Fixe : 02 97 41 8 2 36 (soir).", "8 2", AT_PHI_TEL);
    KEPT("Scores 03 12 5 6 7 8 9 10 aux visites.", "5 6");
}

static void test_ocr_numbers(void **state)
{
    (void)state;
    /* a NIR with its key, the OCR's O and l for 0 and 1 */
    static const char a[] = "N° SS : 2 7l O5 69 l23 O45 2l\nAdresse : 3 rue Haute, 3lOOO Toulouse";
    IS(a, "7l", AT_PHI_SECU);
    IS(a, "O45", AT_PHI_SECU);
    IS(a, "2l\n", AT_PHI_SECU);
    IS(a, "3lOOO", AT_PHI_ZIP);
    IS("Né le l6 O9 l961 à Brest.", "l961", AT_PHI_DATE_NAISSANCE);
    IS("Consultation du l4 juin 2Ol8 au matin.", "l4", AT_PHI_DATE);
    IS("Consultation du l4 juin 2Ol8 au matin.", "2Ol8", AT_PHI_DATE);
    IS("Revu le O2/ll en hôpital de jour.", "O2/ll", AT_PHI_DATE);
    /* words stay words */
    KEPT("Il a lu le livre. Il dort.", "Il");
    KEPT("Lot lO2 du flacon, Il y a.", "y");
}

static void test_record_tails(void **state)
{
    (void)state;
    IS("IPP 71-204 336 ; NDA 5512 0931 4.", "336", AT_PHI_IPP);
    IS("IPP 71-204 336 ; NDA 5512 0931 4.", "4.", AT_PHI_NDA);
    assert_true(label_of("Identifiant adhérent 8834120 K\nMutuelle", "K") != 0);
    static const char b[] = "Réf. dossier QRT-MNO-0093 transmise. Protocole R-CHOP-21 et PD-L1 à 80 %.";
    IS(b, "QRT", AT_PHI_ID);
    IS(b, "0093", AT_PHI_ID);
    KEPT(b, "CHOP");
    IS("Photo prise par la tablette (QZT-PL-07) du service.", "QZT", AT_PHI_ID);
    assert_true(label_of("Séjour HAD n° MAD71-26-5502 ouvert.", "5502") != 0);
    IS("Réf. externe 41-207 318 transmise.", "318", AT_PHI_ID);
    KEPT("Plaquettes 15-400 000 /mm3 et 12-250 500 %.", "400");
    KEPT("Plaquettes 15-400 000 /mm3 et 12-250 500 %.", "250");
    KEPT(b, "L1");
    /* an OCR'd account number after its label */
    assert_int_equal(label_of("N° adhérent : 4O7l8 3Bl 52\nSuite", "4O7l8"), AT_PHI_COMPTE);
    /* blocks after a specimen number, a range of them; OCR'd groups */
    static const char c[] = "Blocs : H26-30817 C2 (marges), H26-30817 D1 à D4 (tumeur).";
    IS(c, "C2", AT_PHI_ID);
    IS(c, "D4", AT_PHI_ID);
    IS("Carte n° 4418 2O7 91530 jointe.", "2O7", label_of("Carte n° 4418 2O7 91530 jointe.", "4418"));
    assert_true(label_of("Carte n° 4418 2O7 91530 jointe.", "91530") != 0);
    /* numbers with a leading zero are no quantities; a trial's number stays */
    IS("Inclusion au centre 0318, patient 0318-011 randomisé.", "0318,", AT_PHI_ID);
    IS("Inclusion au centre 0318, patient 0318-011 randomisé.", "011", AT_PHI_ID);
    KEPT("Schéma de l'essai NRG 0617 et dose 0,5 mg.", "0617");
    /* an old plate: digits, capitals, department */
    IS("Sa voiture 812 QX 29 au parking.", "QX", AT_PHI_IMMAT);
    KEPT("Dose 1000 UI 35 fois.", "UI");
    /* a count after a record number is not its group */
    KEPT("IPP 88341207 3 cures reçues.", "3 cures");
}

static void test_zip_and_ages(void **state)
{
    (void)state;
    static const char a[] = "Domicile : 7 rue des Ormes, 35760 saint-grégoire. Né à Vitré (35500).";
    IS(a, "35760", AT_PHI_ZIP);
    IS(a, "grégoire", AT_PHI_VILLE);
    IS(a, "35500", AT_PHI_ZIP);
    KEPT("Dose totale 12500 UI puis 45000 patients inclus.", "12500");
    static const char t[] = "Nom;Prénom;Âge;Service\nXXX;YYY;97;onco\nZZZ;WWW;64;onco\n";
    IS(t, "97", AT_PHI_AGE);
    KEPT(t, "64");
    static const char u[] = "site\tage\tsexe\n3\t93\tF\n";
    IS(u, "93", AT_PHI_AGE);
    IS("Mme X., née le 02/03/1931 (94 a), EHPAD.", "94", AT_PHI_AGE);
    IS("Lit 4 | Mme Jeanne Kervadec (97) | surveillance", "97", AT_PHI_AGE);
    KEPT("Lit 4 | Mme Jeanne Kervadec (67) | surveillance", "67");
    KEPT("Dose 95 mg, saturation 92 %, durée 91 jours.", "95");
    KEPT("Dose 95 mg, saturation 92 %, durée 91 jours.", "92");
    KEPT("Dose 95 mg, saturation 92 %, durée 91 jours.", "91");
}

/* Pseudonymised, a date with an English month is shifted with the
 * patient's other dates and written in its own layout. */
static void test_english_dates_shifted(void **state)
{
    (void)state;
    static const char a[] = "Vu le 12/03/2024. Seen on 4 March 2024, then Sep 30, 2025 and 14-NOV-2025; "
                            "biopsy 3rd November 2025.";
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(det, a, strlen(a), &sp), AT_OK);
    at_key key;
    memset(key.bytes, 7, sizeof key.bytes);
    at_buf out;
    at_buf_init(&out, 1 << 16);
    assert_int_equal(at_text_deid_apply(a, strlen(a), &sp, AT_TEXT_PSEUDONYMISE, &key, "P1", &out), AT_OK);
    assert_int_equal(at_buf_putc(&out, 0), AT_OK);
    const char *o = (const char *)out.data;
    assert_null(strstr(o, "4 March 2024"));
    assert_null(strstr(o, "Sep 30, 2025"));
    assert_null(strstr(o, "14-NOV-2025"));
    assert_null(strstr(o, "[DATE]"));
    /* the shift of the numeric date, applied to the English ones */
    int d, m, y;
    assert_int_equal(sscanf(o, "Vu le %d/%d/%d", &d, &m, &y), 3);
    int shift = (int)(text_days_from_civil(y, m, d) - text_days_from_civil(2024, 3, 12));
    int ny, nm, nd;
    text_civil_from_days(text_days_from_civil(2024, 3, 4) + shift, &ny, &nm, &nd);
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    char want[64];
    snprintf(want, sizeof want, "Seen on %d %s %d,", nd, months[nm - 1], ny);
    assert_non_null(strstr(o, want));
    text_civil_from_days(text_days_from_civil(2025, 11, 14) + shift, &ny, &nm, &nd);
    char up[4] = {(char)(months[nm - 1][0]), (char)(months[nm - 1][1] - 32), (char)(months[nm - 1][2] - 32),
                  0};
    snprintf(want, sizeof want, "%d-%s-%d", nd, up, ny);
    assert_non_null(strstr(o, want));
    at_buf_free(&out);
    at_text_spans_free(&sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_english_dates), cmocka_unit_test(test_english_dates_shifted),
        cmocka_unit_test(test_day_month),     cmocka_unit_test(test_international_phones),
        cmocka_unit_test(test_ocr_numbers),   cmocka_unit_test(test_record_tails),
        cmocka_unit_test(test_zip_and_ages),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
