/* Unit tests for the de-identifier's classes of issue #12, round 16:
 * dates said in words and weekdays abbreviated before a date; numbers,
 * headings and offices that name no one. Every string is invented here;
 * none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define LABEL(text, needle) label_nth(det, text, needle, 0)
#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* A day said in two words before its month, with or without the year the
 * rules read; digits read one by one and "trente sept" (seven) are no
 * date. */
static void test_day_in_words(void **state)
{
    (void)state;
    static const char a[] = "consultation dictée du vingt trois septembre patiente madame x point";
    assert_int_equal(RULE(a, "vingt"), AT_PHI_DATE);
    assert_int_equal(RULE(a, "trois"), AT_PHI_DATE);
    static const char b[] = "vue le vingt-trois septembre 2026 en consultation";
    assert_int_equal(RULE(b, "vingt-trois"), AT_PHI_DATE);
    static const char c[] = "le vingt et un mars puis le trente et un mai et le premier décembre";
    assert_int_equal(RULE(c, "vingt"), AT_PHI_DATE);
    assert_int_equal(RULE(c, "trente"), AT_PHI_DATE);
    assert_int_equal(RULE(c, "premier"), AT_PHI_DATE);
    /* a record number read out, then an e-mail with "trente sept" in it */
    static const char d[] = "dossier de monsieur x numéro huit quatre deux sept sept un le patient a été vu";
    assert_int_not_equal(RULE(d, "huit"), AT_PHI_DATE);
    assert_int_not_equal(RULE(d, "deux"), AT_PHI_DATE);
    static const char e[] = "je répète d point rousseau trente sept arobase laposte point net virgule merci";
    assert_int_not_equal(RULE(e, "trente"), AT_PHI_DATE);
}

/* An abbreviated weekday joins the numeric date after it; not the
 * anaesthetist's MAR, not a weekday alone. */
static void test_weekday_abbreviations(void **state)
{
    (void)state;
    static const char a[] = "ven 20/02 : T° 38,4 ce matin, appel astreinte.\nlun 30/11 : pansement refait.";
    assert_int_equal(LABEL(a, "ven"), AT_PHI_DATE);
    assert_int_equal(LABEL(a, "lun"), AT_PHI_DATE);
    static const char b[] = "Prélevé le vend. 27/11/2026 à 07:45 à domicile.";
    assert_int_equal(LABEL(b, "vend"), AT_PHI_DATE);
    assert_int_equal(LABEL("Planning : Lun 6h45-14h15, Ven repos.", "Ven"), 0);
    /* a mail's header in English; a weekday and a day said in words */
    assert_int_equal(LABEL("From: a@b.fr\nSent: Tue 3 Nov 2026 09:12\nTo: c@d.fr", "Tue"), AT_PHI_DATE);
    assert_int_equal(RULE("revu en rcp le vendredi vingt point la fille sera présente", "vingt"),
                     AT_PHI_DATE);
    assert_int_not_equal(RULE("note téléphonique vendredi quatorze heures à la ligne", "quatorze"),
                         AT_PHI_DATE);
    assert_int_not_equal(LABEL("Visite MAR 12/03/2026 : ASA 2.", "MAR"), AT_PHI_DATE);
}

/* A reference range and a treatment's days are no codes; a record
 * number with a dash still is. */
static void test_ranges_and_days(void **state)
{
    (void)state;
    static const char a[] = "| Plaquettes | 412 G/L | 150-400 |\nHémoglobine 12,1 g/dL 13.0-17.0\n";
    assert_int_equal(LABEL(a, "150-400"), 0);
    assert_int_equal(LABEL(a, "13.0"), 0);
    assert_int_equal(LABEL("cisplatine 100 mg/m² J1-J22-J43 puis radiothérapie", "J1-J22-J43"), 0);
    assert_int_equal(LABEL("schéma C1J1/C1J8 toutes les 3 semaines", "C1J1"), 0);
    assert_int_equal(LABEL("08:40\t3411-61209\tDUPONT\tYves\t22/33", "3411-61209"), AT_PHI_ID);
    /* a record's number with a phone's digits after its letters */
    assert_int_equal(RULE("mesure de tutelle n° TUT-03-2021-0457, prévenue.", "0457"), AT_PHI_ID);
    assert_int_equal(RULE("portable : 06-12-34-56-78 le soir", "06-12"), AT_PHI_TEL);
    /* a French number with its country code written with dashes */
    assert_int_equal(RULE("joignable au +33-6-12-34-56-78 le soir", "56-78"), AT_PHI_TEL);
    assert_int_equal(RULE("joignable au 0033.6.12.34.56.78 le soir", "56.78"), AT_PHI_TEL);
}

/* Headings and offices: a laboratory's or a day hospital's generic name
 * in capitals, an operating theatre, an office after a title, "de M."
 * are no one's; the establishment named after them still is. */
static void test_headings_and_offices(void **state)
{
    (void)state;
    assert_int_equal(
        LABEL("LABORATOIRE D'ANATOMIE ET CYTOLOGIE PATHOLOGIQUES\nCompte rendu n° 12.", "ANATOMIE"), 0);
    assert_int_equal(LABEL("HÔPITAL DE JOUR ONCOLOGIE\nPatient vu ce jour.", "JOUR"), 0);
    assert_int_equal(LABEL("Clinique Saint-Yves Armor – Bloc B – salle 4", "Bloc"), 0);
    assert_int_equal(
        LABEL("CENTRE D'IMAGERIE MÉDICALE DES MARRONNIERS\n45 boulevard Hugo, 59000 Lille", "CENTRE"),
        AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Madame la Directrice,\nJe vous écris au sujet de Mme Tanguy.", "Directrice"), 0);
    assert_int_equal(LABEL("À l'attention de M. le Directeur des ressources humaines", "Directeur"), 0);
    static const char m[] = "Appel de l'épouse de M. Kerbiriou (Roger), inquiète.";
    assert_int_equal(LABEL(m, "de M"), 0);
    assert_int_not_equal(LABEL(m, "Kerbiriou"), 0);
    /* Monsieur after a relative; an initial after a doctor's title */
    static const char n[] = "Visite du mari, M. Traoré Bakary, ce soir.";
    assert_int_equal(LABEL(n, "M."), 0);
    assert_int_not_equal(LABEL(n, "Traoré"), 0);
    assert_int_equal(LABEL("Bien confraternellement,\nDr M. Quéméner\n", "M."), AT_PHI_PRENOM);
    /* an initial and a surname of the lists after it; not a roman
     * numeral's sentence, an acronym's last letter, a vitamin */
    assert_int_equal(RULE("Bien confraternellement,\nDr A.-S. Marin\n", "Marin"), AT_PHI_NOM);
    assert_int_equal(RULE("Stade Ficat II. Doppler transcrânien normal.", "Doppler"), 0);
    assert_int_equal(RULE("Pose du P.A.C. Rose par le Dr Yvon.", "Rose"), 0);
    assert_int_equal(RULE("Carence en vitamine D. Rose, sa fille, est là.", "D."), 0);
    /* a maiden name in lower case after "née" and a name found */
    static const char mn[] = "consultation de madame blanchard odile née pommier que je vois ce jour";
    assert_int_equal(LABEL(mn, "pommier"), AT_PHI_NOM);
    assert_int_not_equal(LABEL("madame blanchard odile née le trois mars", "le trois"), AT_PHI_NOM);
    /* the common noun before a firm's name */
    static const char f[] = "Il travaille dans la société Dufour Frères à Brest.";
    assert_int_equal(LABEL(f, "société"), 0);
    assert_int_not_equal(LABEL(f, "Dufour"), 0);
}

/* What stands between a street found and "ZIP Town" on its line is the
 * address's; a street's word read by the OCR with digits for letters
 * still opens one. */
static void test_address_parts(void **state)
{
    (void)state;
    static const char a[] =
        "Elle vit seule au 18 rue Paul Bert, appt 32, 4e étage sans ascenseur, 69500 Bron.";
    assert_int_equal(RULE(a, "ascenseur"), AT_PHI_ADRESSE);
    static const char b[] =
        "Hébergement : foyer, 5 rue des Chênes, chambre 214, 95000 Cergy. Référente : Mme Ferhat.";
    assert_int_equal(RULE(b, "chambre"), AT_PHI_ADRESSE);
    assert_int_equal(RULE(b, "Référente"), 0);
    assert_int_equal(RULE("dornici1iée 8 a11ée des Ch3nes 35000 Rennes", "a11ée"), AT_PHI_ADRESSE);
    assert_int_equal(RULE("Service de Radiothérapie\n20 qua1 Claude Bernard 69007 LYON", "Bernard"),
                     AT_PHI_ADRESSE);
    assert_int_equal(RULE("prendre 2 cp1 matin et soir", "cp1"), 0);
    /* a town after an establishment or a firm and a spaced dash, a comma
     * or a bracket */
    assert_int_equal(RULE("IRM PELVIENNE – Centre d'imagerie Vauban – Maubeuge\nMme Dupont", "Maubeuge"),
                     AT_PHI_VILLE);
    assert_int_equal(
        RULE("densitométrie au Cabinet de radiologie de l'Élorn, Landerneau), puis", "Landerneau"),
        AT_PHI_VILLE);
    assert_int_equal(RULE("Centre d'imagerie Vauban – Scanner de contrôle\n", "Scanner"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_in_words),    cmocka_unit_test(test_weekday_abbreviations),
        cmocka_unit_test(test_ranges_and_days), cmocka_unit_test(test_headings_and_offices),
        cmocka_unit_test(test_address_parts),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
