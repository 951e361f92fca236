/* Unit tests for the de-identifier's classes of issue #12, round 7:
 * numbers dictated in words, scores written like an acronym and a
 * department's number, a weekday beside its date, a word after a list
 * item's number, initials of who typed a letter. Every string is invented here; none is a fixture of
 * patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define LABEL(text, needle) label_nth(det, text, needle, 0)

/* A phone, a social security number, a record number dictated in words
 * (spoken letters and digits among them), labelled by their cue; the
 * few number words of a dose or a score stay. */
static void test_dictated(void **state)
{
    (void)state;
    const char *tel = "Joignable au zéro six quarante-quatre vingt-trois douze zéro huit le soir.";
    assert_int_equal(LABEL(tel, "quarante-quatre"), AT_PHI_TEL);
    assert_int_equal(LABEL(tel, "huit"), AT_PHI_TEL);
    assert_int_equal(LABEL(tel, "soir"), 0);
    const char *nir = "Numéro de sécurité sociale deux quarante-sept onze quatre-vingts zéro vingt et un "
                      "deux cent quatre dix-sept, à vérifier.";
    assert_int_equal(LABEL(nir, "onze"), AT_PHI_SECU);
    assert_int_equal(LABEL(nir, "dix-sept"), AT_PHI_SECU);
    assert_int_equal(LABEL(nir, "Numéro"), 0);
    const char *rec = "Dossier D R sept quatre quatre un deux, transmis.";
    assert_int_equal(LABEL(rec, "sept"), AT_PHI_ID);
    assert_int_equal(LABEL(rec, "R"), AT_PHI_ID);
    /* quantities: a few number words with a unit or a word between */
    const char *dose =
        "Radiothérapie de vingt six gray en cinq fractions, EVA à trois sur dix, deux fois par jour.";
    assert_int_equal(LABEL(dose, "vingt"), 0);
    assert_int_equal(LABEL(dose, "cinq"), 0);
    assert_int_equal(LABEL(dose, "trois"), 0);
    /* a date in words stays a date */
    assert_int_equal(LABEL("Vue le vingt-deux avril deux mille vingt-trois en HDJ.", "vingt-trois"),
                     AT_PHI_DATE);
}

/* An unknown acronym and a department's number are an organisation where
 * one is spoken of, a score elsewhere. */
static void test_scores_like_departments(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Tolérance : cystite grade 1, IPSS 12, pas de rectite.", "IPSS"), 0);
    assert_int_equal(LABEL("Bilan : intelligibilité 84 %, DHI 12, VHI-10 = 9.", "DHI"), 0);
    assert_int_equal(LABEL("Anastomose colorectale mécanique (CDH 29) sans incident.", "CDH"), 0);
    assert_int_equal(LABEL("Le score Oncotype DX est à RS 31 : chimiothérapie adjuvante.", "RS"), 0);
    assert_true(LABEL("À revoir avec le médecin du travail, Dr Hamon (AST 35).", "AST") != 0);
}

/* A weekday before a date is inside the date's span (round 12: the
 * writers since round 10 label it so, and it narrows the day down); the
 * date is found. */
static void test_weekday(void **state)
{
    (void)state;
    const char *t = "Appel reçu le samedi 07/06/2025 à 19 h, rappel mer. 11 juin.";
    assert_int_equal(LABEL(t, "samedi"), AT_PHI_DATE);
    assert_int_equal(LABEL(t, "07/06/2025"), AT_PHI_DATE);
    assert_int_equal(LABEL(t, "mer"), AT_PHI_DATE);
    assert_int_equal(LABEL(t, "juin"), AT_PHI_DATE);
    /* a weekday alone is no date */
    assert_int_equal(LABEL("Consultation prévue lundi matin.", "lundi"), 0);
}

/* A title-cased word after a list item's number opening its line is a
 * heading's first word, not a name. */
static void test_list_item(void **state)
{
    (void)state;
    assert_int_equal(LABEL("1 Traite\n2 Conclusion", "Traite"), 0);
    assert_int_equal(LABEL("Plan :\n2) Traite par chimiothérapie.", "Traite"), 0);
}

/* Initials of who typed or checked a letter, and a letter's reference. */
static void test_typist_initials(void **state)
{
    (void)state;
    const char *t = "Courrier à frapper – GP/sl\nDactylographié le 29/10/2024 par MG\n"
                    "Dictée frappée par CB le 06/03/2025.\n/ML – ASS\n";
    assert_int_equal(LABEL(t, "GP"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(t, "sl"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(t, "MG"), AT_PHI_PRENOM);
    /* (the tagger, reading the line, may take this one first: a name's
     * label either way) */
    int cb = LABEL(t, "CB");
    assert_true(cb == AT_PHI_PRENOM || cb == AT_PHI_NOM);
    assert_int_equal(LABEL(t, "ML"), AT_PHI_PRENOM);
    /* a unit or an abbreviation elsewhere stays */
    assert_int_equal(LABEL("Magnésium : MG 0,7 mmol/L, dosé par MG le matin.", "MG"), 0);
    assert_int_equal(LABEL("Débit 20 ml/h, dilution 5 ml/kg.", "ml"), 0);
}

/* Strings that stay: a reference's edition, a classification named after
 * a town, a vitamin after "vit"; the town, the year and the residence
 * elsewhere are found. */
static void test_references_kept(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Réponse selon iwCLL 2018 : RC.", "2018"), 0);
    assert_int_equal(LABEL("Conforme au référentiel OncoNormandie 2025.", "2025"), 0);
    assert_int_equal(LABEL("Hospitalisée en 2020 pour une pneumopathie.", "2020"), AT_PHI_DATE);
    assert_int_equal(LABEL("Selon la classification de Lyon, grade 2.", "Lyon"), 0);
    assert_int_equal(LABEL("Née à Lyon, suivie à Bayonne.", "Lyon"), AT_PHI_VILLE);
    assert_int_equal(LABEL("Plateau technique de Bayonne.", "Bayonne"), AT_PHI_VILLE);
    assert_int_equal(LABEL("Bilan : 25-OH vit D 18 ng/mL.", "D"), 0);
    assert_int_equal(LABEL("Il habite Rennes depuis 2019.", "Rennes"), AT_PHI_VILLE);
    /* a legal text's date, a product's expiry; a treatment stopped on a
     * date and a prescription's date are dates */
    const char *law = "Selon l'arrêté du 13 décembre 2017 et la loi n° 2022-46 du 22 janvier 2022.";
    assert_int_equal(LABEL(law, "décembre"), 0);
    assert_int_equal(LABEL(law, "janvier"), 0);
    assert_int_equal(LABEL("Xeloda arrêté du 12/03/2024.", "12/03/2024"), AT_PHI_DATE);
    assert_int_equal(LABEL("Ordonnance du Dr Vu du 12/01/2026.", "12/01/2026"), AT_PHI_DATE);
    assert_int_equal(LABEL("Flacon ouvert, péremption 08/2028.", "2028"), 0);
    assert_int_equal(LABEL("Revu en 08/2024 pour bilan.", "2024"), AT_PHI_DATE);
    /* codes of a code system, a variant's description, a drug's doses */
    assert_int_equal(LABEL("Code UCD 9426731, LPPR 1243893.", "9426731"), 0);
    assert_int_equal(LABEL("Code UCD 9426731, LPPR 1243893.", "1243893"), 0);
    assert_int_equal(LABEL("MedDRA LLT 10077012.", "10077012"), 0);
    assert_int_equal(LABEL("Mutation EGFR p.E746_A750del (exon 19).", "E746"), 0);
    assert_int_equal(LABEL("Bactrim : cotrimoxazole 800/160 un jour sur deux.", "800"), 0);
    /* the same shapes elsewhere are identifiers */
    assert_int_equal(LABEL("Dossier 4412-883190 transmis.", "883190"), AT_PHI_ID);
    assert_int_equal(LABEL("Référence 9426731 du dossier.", "9426731"), AT_PHI_ID);
    /* a medicine's CIP13 code (its check digit), a study's ID-RCB number */
    assert_int_equal(LABEL("Dispensé : 3400894223542, étude 2026-A00981-52.", "3400894223542"), 0);
    assert_int_equal(LABEL("Dispensé : 3400894223542, étude 2026-A00981-52.", "A00981"), 0);
    /* a table's column of batches and expiries */
    const char *tab = "Produit;Lot;Péremption;Patient\nOxaliplatine;E4582V00;05/2028;DUPONT Jean\n";
    assert_int_equal(LABEL(tab, "E4582V00"), 0);
    assert_int_equal(LABEL(tab, "2028"), 0);
    assert_true(LABEL(tab, "DUPONT") != 0);
    /* a product after an abbreviation is no organisation */
    assert_int_equal(LABEL("Appareil PPC AirSense 11 AutoSet, masque nasal.", "AirSense"), 0);
    assert_int_equal(LABEL("Planification TPS Oncentra Brachy 4.6 validée.", "Oncentra"), 0);
}

/* A home's coordinates are an address; decimals of measures are not. A
 * marker glued to its number stays. */
static void test_coordinates_and_markers(void **state)
{
    (void)state;
    const char *t = "Domicile : 43.2287, -0.3974 (GPS), ou 44.1412 N, 0.6098 E.";
    assert_int_equal(LABEL(t, "43"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(t, "3974"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(t, "0.6098"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL("Poids 72.500 kg, taille 1.700 m, créatinine 1.234 g/L.", "72.500"), 0);
    assert_int_equal(LABEL("Carcinome, Ki-67 : 18 %, Her-2 négatif.", "Ki"), 0);
    assert_int_equal(LABEL("Carcinome, Ki-67 : 18 %, Her-2 négatif.", "Her"), 0);
    /* a product by its model or its strength */
    assert_int_equal(LABEL("Capteur Dexcom G7 posé, pansement Urgo K2, Daflon 500 matin et soir.", "Dexcom"),
                     0);
    assert_int_equal(LABEL("Capteur Dexcom G7 posé, pansement Urgo K2, Daflon 500 matin et soir.", "Urgo"),
                     0);
    assert_int_equal(LABEL("Capteur Dexcom G7 posé, pansement Urgo K2, Daflon 500 matin et soir.", "Daflon"),
                     0);
}

/* An eponym of several words stays after its trigger; a first name and a
 * surname after "selon" are a person. */
static void test_eponyms_of_several_words(void **state)
{
    (void)state;
    const char *t = "Suspicion de maladie de Von Hippel-Lindau, signe de Claude Bernard-Horner.";
    assert_int_equal(LABEL(t, "Hippel"), 0);
    assert_int_equal(LABEL(t, "Lindau"), 0);
    assert_int_equal(LABEL(t, "Claude"), 0);
    assert_int_equal(LABEL(t, "Horner"), 0);
    const char *u = "Curage de la loge de Barety, écarteur de Bookwalter, transformation de Richter.";
    assert_int_equal(LABEL(u, "Barety"), 0);
    assert_int_equal(LABEL(u, "Bookwalter"), 0);
    assert_int_equal(LABEL(u, "Richter"), 0);
    const char *p = "Selon Pierre Martin, la maladie progresse.";
    assert_int_equal(LABEL(p, "Pierre"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(p, "Martin"), AT_PHI_NOM);
}

/* Dates with a foreign month's full name, a day and a year. */
static void test_foreign_dates(void **state)
{
    (void)state;
    const char *t =
        "Befund vom 21. Oktober 2026, referto del 9 settembre 2026, informe del 3 de marzo de 2024.";
    assert_int_equal(LABEL(t, "Oktober"), AT_PHI_DATE);
    assert_int_equal(LABEL(t, "settembre"), AT_PHI_DATE);
    assert_int_equal(LABEL(t, "marzo"), AT_PHI_DATE);
    assert_int_equal(LABEL(t, "2024"), AT_PHI_DATE);
    /* an ISO timestamp's date; an English abbreviation and a day */
    const char *ts = "Horodatage 2026-11-03T09:14:00+01:00, revu Dec 31, Mar 4 lignes.";
    assert_int_equal(LABEL(ts, "2026"), AT_PHI_DATE);
    assert_int_equal(LABEL(ts, "03T09"), AT_PHI_DATE);
    assert_int_equal(LABEL(ts, "Dec"), AT_PHI_DATE);
    assert_int_equal(LABEL(ts, "Mar"), 0);
    /* a numeric date with spaces around its separators */
    const char *sp = "Né le 6 / 6 / 1962 à Dakar, revu le 12 / 03 / 2024.";
    assert_int_equal(LABEL(sp, "6 / 6"), AT_PHI_DATE_NAISSANCE);
    assert_int_equal(LABEL(sp, "1962"), AT_PHI_DATE_NAISSANCE);
    assert_int_equal(LABEL(sp, "12 / 03"), AT_PHI_DATE);
    assert_int_equal(LABEL("Ratio 12 / 15 / 2024 impossible.", "15"), 0);
    /* no year: a dose, a count */
    assert_int_equal(LABEL("Elle prend 3 marzo, sans date.", "marzo"), 0);
}

/* Towns beside an establishment, and a town's article. */
static void test_towns_beside_establishments(void **state)
{
    (void)state;
    const char *t = "Unité de greffe, Hôpital Saint-Louis (Paris).\nClinique du Parc, Deauville\n"
                    "Funérailles : Giraud et fils, La Crau.\n";
    assert_int_equal(LABEL(t, "Paris"), AT_PHI_VILLE);
    assert_int_equal(LABEL(t, "Deauville"), AT_PHI_VILLE);
    assert_int_equal(LABEL(t, "La"), AT_PHI_VILLE);
    assert_int_equal(LABEL(t, "Crau"), AT_PHI_VILLE);
    /* a score in brackets after an establishment stays */
    assert_int_equal(LABEL("Revu à la Clinique du Parc (Karnofsky 70).", "Karnofsky"), 0);
}

/* Leaks found on fresh training sets before they joined: a name in
 * capitals on a line whose other words the model learned as safe (no
 * line of drugs), a foreign doctor's number after a word in capitals. */
static void test_round7_leaks(void **state)
{
    (void)state;
    const char *t = "Biologiste responsable : DURANDOT Gaëlle - RPPS 10003541298\n";
    assert_int_equal(LABEL(t, "DURANDOT"), AT_PHI_NOM);
    assert_int_equal(LABEL(t, "Gaëlle"), AT_PHI_PRENOM);
    assert_true(LABEL("Docteur Thys, INAMI 1-45872-33-580.", "45872") != 0);
}

/* A phone whose separators mix spaces and dots (OCR'd, hurried). */
static void test_phone_separators(void **state)
{
    (void)state;
    const char *t = "Tél : 04 71 09 .44. 18 ou 05 55 64 .12 .80, fixe 02 98 52 60 60.";
    assert_int_equal(LABEL(t, "09 .44"), AT_PHI_TEL);
    assert_int_equal(LABEL(t, ".80"), AT_PHI_TEL);
    assert_int_equal(LABEL(t, "60 60"), AT_PHI_TEL);
    assert_int_equal(LABEL("Le 01.03.2024 14 h, dosage 0.5 ml.", "14"), 0);
    /* the small countries' six-digit numbers, an area code in brackets */
    const char *f = "Tél (+687) 47 70 12, Andorre +376 812 344, Canada +1 (819) 595-4417.";
    assert_int_equal(LABEL(f, "47 70"), AT_PHI_TEL);
    assert_int_equal(LABEL(f, "812"), AT_PHI_TEL);
    assert_int_equal(LABEL(f, "819"), AT_PHI_TEL);
    assert_int_equal(LABEL(f, "4417"), AT_PHI_TEL);
    assert_int_equal(LABEL("Score +12 345 et dose +100 mg.", "345"), 0);
}

/* JSON pasted into a note: a key that names a column names its value; a
 * table's column of postcodes. */
static void test_json_fields(void **state)
{
    (void)state;
    const char *j =
        "{\"nom\": \"MARTINEAU\", \"prenom\": \"Hélène\", \"cp\": \"66300\", \"ville\": \"Llupia\", "
        "\"diagnostic\": \"Carcinome canalaire\"}";
    assert_int_equal(LABEL(j, "MARTINEAU"), AT_PHI_NOM);
    assert_int_equal(LABEL(j, "Hélène"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(j, "66300"), AT_PHI_ZIP);
    assert_int_equal(LABEL(j, "Llupia"), AT_PHI_VILLE);
    assert_int_equal(LABEL(j, "canalaire"), 0);
    assert_int_equal(LABEL("CP;Ville;Nom\n66300;Llupia;MARTINEAU\n", "66300"), AT_PHI_ZIP);
}

/* An employer's acronym after a trade in lower case. */
static void test_employer_acronym(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Patient retraité de la SNCF depuis 2015.", "SNCF"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Pompier de la BSPP, il a deux enfants.", "BSPP"), AT_PHI_EMPLOYEUR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictated),
        cmocka_unit_test(test_scores_like_departments),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_list_item),
        cmocka_unit_test(test_typist_initials),
        cmocka_unit_test(test_references_kept),
        cmocka_unit_test(test_coordinates_and_markers),
        cmocka_unit_test(test_eponyms_of_several_words),
        cmocka_unit_test(test_foreign_dates),
        cmocka_unit_test(test_towns_beside_establishments),
        cmocka_unit_test(test_round7_leaks),
        cmocka_unit_test(test_phone_separators),
        cmocka_unit_test(test_json_fields),
        cmocka_unit_test(test_employer_acronym),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
