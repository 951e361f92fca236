/* Unit tests for the de-identifier's classes of issue #12, round 20.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* In a scan whose OCR wrote 0 for O on words of the language, a word in
 * capitals with such a digit between its letters that reads as no word
 * is a name, its field's label OCR'd too; a gene's digit at the end, a
 * mixed-case code, a stage and a hyphenated word stay. */
static void test_ocr_scan_names(void **state)
{
    (void)state;
    static const char a[] = "C0MPTE RENDU DE CONSULTATI0N du 2O/11/2O26\n"
                            "N0M : GRAVEL1NE   Prén0m : Jacques\n"
                            "Dr Ph. BERTH0LIEUX. HbA1c 7,2 %, T1N0M0, TTF1 +, MLH1 conservé.\n"
                            "SCANNER THORAC0-ABD0MINO-PELVIEN sans particularité.\n";
    assert_int_equal(RULE(a, "GRAVEL1NE"), AT_PHI_NOM);
    assert_int_equal(RULE(a, "BERTH0LIEUX"), AT_PHI_NOM);
    assert_int_equal(RULE(a, "C0MPTE"), 0);
    assert_int_equal(RULE(a, "HbA1c"), 0);
    assert_int_equal(RULE(a, "T1N0M0"), 0);
    assert_int_equal(RULE(a, "TTF1"), 0);
    assert_int_equal(RULE(a, "MLH1"), 0);
    assert_int_equal(RULE(a, "THORAC0"), 0);
    /* without a scan's other confusions, such a word is a code */
    static const char b[] = "Prélèvement adressé pour recherche BRAF, lot KR0ZAT remis au service.\n";
    assert_int_equal(RULE(b, "KR0ZAT"), 0);
}

/* A name or a town a scan cut with a space: the fragment joins the part
 * found, or the two together make a name of the lists; words of the
 * language and of other languages after a name stay. */
static void test_split_names(void **state)
{
    (void)state;
    static const char a[] = "Patiente : Mme Jos ette PERRIN, née à Dij on, suivie par le Dr Rog er Lefort.\n"
                            "Vu avec Julien et Marie a signé le consentement.\n";
    assert_int_not_equal(label_nth(det, a, "ette", 0), 0);
    assert_int_equal(label_nth(det, a, "on,", 0), AT_PHI_VILLE);
    assert_int_not_equal(label_nth(det, a, "er L", 0), 0);
    assert_int_equal(label_nth(det, a, " et ", 0), 0);
    assert_int_equal(label_nth(det, a, "a signé", 0), 0);
}

/* In a transcript, a postcode said in two groups or digit by digit
 * after a town or an address; a count after a town stays. */
static void test_spoken_postcodes(void **state)
{
    (void)state;
    static const char a[] =
        "patient de soixante-dix ans demeurant douze rue des tilleuls à wintzenbach soixante-sept cinq cent "
        "dix point il a été vu à colmar trois cents fois point son fils habite au trois rue de la gare six "
        "huit deux quatre zéro kientzheim point\n";
    assert_int_equal(RULE(a, "soixante-sept"), AT_PHI_ZIP);
    assert_int_equal(RULE(a, "cinq cent"), AT_PHI_ZIP);
    assert_int_equal(RULE(a, "trois cents"), 0);
    assert_int_equal(RULE(a, "six huit"), AT_PHI_ZIP);
    assert_int_equal(RULE(a, "quatre zéro"), AT_PHI_ZIP);
    /* a phone said in groups with commas between them */
    static const char b[] =
        "il donne le numéro de son épouse, zéro six, douze, trente-quatre, cinquante-six, "
        "soixante-dix-huit, elle rappellera point\n";
    assert_int_equal(RULE(b, "zéro six"), AT_PHI_TEL);
    assert_int_equal(RULE(b, "soixante-dix-huit"), AT_PHI_TEL);
    assert_int_equal(RULE(b, "elle"), 0);
}

/* A table goes on past a line whose free-text last cell holds the
 * separator: the lines after it keep their columns' labels. */
static void test_table_free_text(void **state)
{
    (void)state;
    static const char a[] = "date_rdv;nom;prenom;ville;cp;motif\n"
                            "06/01/2025;ROUSSEL;Gérard;Lens;62300;suivi BPCO\n"
                            "07/01/2025;LEFEBVRE;Nancy;Arras;62000;2e avis ALK+ ; suivi alectinib\n"
                            "07/01/2025;ZIANI;Karim;Avion;62210;apnée du sommeil\n";
    assert_int_equal(RULE(a, "Avion"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "62210"), AT_PHI_ZIP);
    assert_int_equal(RULE(a, "suivi alectinib"), 0);
}

/* A town of the language's proper nouns where a town stands: after "à"
 * or "depuis", after an establishment and its comma, in brackets with
 * its district or postcode; a score's town in brackets with its grade
 * and a planning system ("vers Eclipse") stay. */
static void test_town_contexts(void **state)
{
    (void)state;
    static const char a[] = "Pose du PAC déjà faite à Amsterdam. Sa fille appelle depuis Heidelberg.\n"
                            "Traité au St James Hospital, Dublin, pour un séminome.\n"
                            "USP Maison Jeanne Garnier (Paris 15e), chambre 212.\n"
                            "TEP intermédiaire (Deauville 2). Vaccinations à reprendre à M6.\n"
                            "Export vers Eclipse : OK.\n";
    assert_int_equal(label_nth(det, a, "Amsterdam", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Heidelberg", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Dublin", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Paris", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Deauville", 0), 0);
    assert_int_equal(label_nth(det, a, "Eclipse", 0), 0);
}

/* A day and a month after a weekday cut to two or three letters, and a
 * month's middle; a course's count and a month's name alone in a
 * drug's stay. */
static void test_short_weekdays(void **state)
{
    (void)state;
    static const char a[] = "FOLFOX : C1 ma 22/9, C2 ve 9/10, C3 mer. 28/10 ; TDM je 14/1.\n"
                            "Réévaluation mi-novembre. Cure 3/6 faite. Fluorouracile (Mylan).\n"
                            "CS anesthésie 18/9 — Dr Marzin\n";
    assert_int_equal(RULE(a, "22/9"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "9/10"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "28/10"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "14/1"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "mi-novembre"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "3/6"), 0);
    /* (an event's date closed by a dash: "CS anesthésie 18/9 — Dr ...") */
    assert_int_equal(RULE(a, "18/9"), AT_PHI_DATE);
    /* a date in a form's boxes */
    static const char b[] = "Nom : DURAND   Date de naissance : 14 | 08 | 1933\nRDV : 25|04|2027\n";
    assert_int_equal(RULE(b, "14 | 08"), AT_PHI_DATE_NAISSANCE);
    assert_int_equal(RULE(b, "25|04"), AT_PHI_DATE);
    /* and filled in a form's boxes, with underscores or brackets; a row of
     * counts in a table and numbered boxes stay */
    static const char c[] = "Date : ___19___.___02___.___2026___\n"
                            "DDN : [ 2 7 ] [ 0 6 ] [ 1 9 8 5 ]\n"
                            "Date de RCP : [1][8] / [0][2] / [2][0][2][6]\n"
                            "| 3 | 5 | 200 |\nPAL [1] [2] score\n";
    assert_int_equal(RULE(c, "19___"), AT_PHI_DATE);
    assert_int_equal(RULE(c, "2 7"), AT_PHI_DATE_NAISSANCE);
    assert_int_equal(RULE(c, "1][8"), AT_PHI_DATE);
    assert_int_equal(RULE(c, "200"), 0);
    assert_int_equal(RULE(c, "[2] score"), 0);
}

/* Carers' and typists' initials: after a slash that signs a line's end,
 * after a carer's role before a bracket or a "+", right after "dicté",
 * "frappé" or "relu"; an acronym after a check or a validation stays. */
static void test_staff_initials(void **state)
{
    (void)state;
    static const char a[] = "Nuit calme, pas de douleur. /MZ\n"
                            "À l'arrivée aux urgences (IOA JBH) : SpO2 86 %.\n"
                            "Signé le 03/02/2025 — dicté EK / frappé VB\n"
                            "Relu NM\n"
                            "Contrôle QA ArcCHECK OK ; validé CBO du 04/12.\n";
    assert_int_not_equal(RULE(a, "MZ"), 0);
    assert_int_not_equal(RULE(a, "JBH"), 0);
    assert_int_not_equal(RULE(a, "EK"), 0);
    assert_int_not_equal(RULE(a, "VB"), 0);
    assert_int_not_equal(RULE(a, "NM"), 0);
    assert_int_equal(RULE(a, "QA"), 0);
    assert_int_equal(RULE(a, "CBO"), 0);
}

/* A directory's columns of extensions and pagers are phones; a post's
 * name in such a column stays. */
static void test_phone_columns(void **state)
{
    (void)state;
    static const char a[] = "| Fonction       | Nom            | Poste | Bip |\n"
                            "| Cadre de santé | Sylvie ARNAUD  | 4410  | 612 |\n"
                            "| Pharmacien     | F. Delpech     | 36 46 | 200 |\n"
                            "| Garde          | (rotation)     | IDE 1 | –   |\n";
    assert_int_equal(RULE(a, "4410"), AT_PHI_TEL);
    assert_int_equal(RULE(a, "612"), AT_PHI_TEL);
    assert_int_equal(RULE(a, "36 46"), AT_PHI_TEL);
    assert_int_equal(RULE(a, "IDE 1"), 0);
}

/* A care establishment written in lower case: its head, what describes
 * it, a particle and its name; a service, a unit of the day and a
 * house's number said after it stay. */
static void test_lower_case_establishments(void **state)
{
    (void)state;
    static const char a[] = "elle est suivie à la clinique des genêts depuis mars point\n"
                            "adressée au cabinet infirmier des tilleuls trois place du marché point\n"
                            "consultation à la clinique de la douleur et au centre de radiothérapie point\n"
                            "vue à l hôpital de jour les mardis point\n";
    assert_int_equal(RULE(a, "clinique des genêts"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "tilleuls"), AT_PHI_HOPITAL);
    assert_int_not_equal(RULE(a, "trois place"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "douleur"), 0);
    assert_int_equal(RULE(a, "radiothérapie"), 0);
    assert_int_equal(RULE(a, "mardis"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ocr_scan_names),
        cmocka_unit_test(test_split_names),
        cmocka_unit_test(test_spoken_postcodes),
        cmocka_unit_test(test_table_free_text),
        cmocka_unit_test(test_town_contexts),
        cmocka_unit_test(test_short_weekdays),
        cmocka_unit_test(test_staff_initials),
        cmocka_unit_test(test_phone_columns),
        cmocka_unit_test(test_lower_case_establishments),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
