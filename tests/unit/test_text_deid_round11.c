/* Unit tests for the de-identifier's classes of issue #12, round 11: a
 * doctor named by a word of the language in dictation, an item alone in a
 * list of names, door codes, a letter's reference and signatures in
 * capitals that are also medical abbreviations. Every string is invented
 * here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define LABEL(text, needle) label_nth(det, text, needle, 0)
#define IS_NAME(text, needle)                                                                                \
    assert_true(LABEL(text, needle) == AT_PHI_PRENOM || LABEL(text, needle) == AT_PHI_NOM)
#define IS_PHI(text, needle) assert_true(LABEL(text, needle) != 0)

/* After "docteur", a word of the language that goes on the phrase is
 * the doctor's name; a doctor's role or a verb is not. */
static void test_doctor_named_by_a_word(void **state)
{
    (void)state;
    IS_NAME("adressé par son médecin traitant le docteur moineau de montrésor pour une dyspnée", "moineau");
    IS_NAME("copie au docteur cordonnier et à madame leclerc", "cordonnier");
    assert_int_equal(LABEL("vu par le docteur junior de garde ce soir", "junior"), 0);
    assert_int_equal(LABEL("le docteur traitant de la patiente est prévenu", "traitant"), 0);
    assert_int_equal(LABEL("merci docteur pour votre aide", "pour"), 0);
    /* "pr" in lower case is "pour", not a professor */
    assert_int_equal(LABEL("demain matin pr évaluation pompe PCA", "évaluation"), 0);
}

/* An item alone among items labelled as people is a person; lists
 * without names, roles and acronyms stay. */
static void test_lists_of_names(void **state)
{
    (void)state;
    const char *a = "Présents : Ghiringhelli, Lepage, Rat, Facy, Lemarchand.\n";
    IS_PHI(a, "Rat");
    const char *b = "Avis pris avec : Drs Aubanel, Roumanille, Mistral, Chaix.\n";
    IS_PHI(b, "Mistral");
    assert_int_equal(LABEL("Traitement : Tahor, Kardégic, Inexium, Mistral.\n", "Mistral"), 0);
    assert_int_equal(LABEL("De : Dr Olivier Chêne, MG, Beaune\n", "MG"), 0);
    assert_int_equal(LABEL("DUPONT;Jean;IGRA-;normale;contrôle\n", "IGRA"), 0);
}

/* The code of a door after digicode, code porte, interphone. */
static void test_door_codes(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Domicile : 3 rue des Lilas, 29800 Landerneau. Digicode 2417B.\n", "2417B"),
                     AT_PHI_ID);
    assert_int_equal(LABEL("2e étage, code porte : 4B19, sans ascenseur.\n", "4B19"), AT_PHI_ID);
    assert_int_equal(LABEL("code d'accès 0705 puis interphone.\n", "0705"), AT_PHI_ID);
    /* a code of a disease stays */
    assert_int_equal(LABEL("code CIM-10 C50.9 saisi.\n", "C50"), 0);
}

/* A letter's reference after "Réf." and signatures in capitals, even
 * when the letters are also an abbreviation (AS). */
static void test_references_and_signatures(void **state)
{
    (void)state;
    const char *a = "Lyon, le 3 mars\nRéf. : JYB/SD – Dossier n° 17745\n\nCher confrère,\n";
    IS_NAME(a, "JYB");
    IS_NAME(a, "SD");
    IS_NAME("Merci de votre confiance.\nCordialement, AS\n-- \n", "AS");
    const char *b = "Bien confraternellement.\n\nAS / LD\n";
    IS_NAME(b, "AS");
    IS_NAME(b, "LD");
    /* an abbreviation alone on its line still stays */
    assert_int_equal(LABEL("Antécédents :\nHTA\nDiabète\n", "HTA"), 0);
}

/* The words before "ZIP Town" on its line end the address; a service,
 * a region's code, a sentence do not. */
static void test_words_before_the_postcode(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Domicile : le Bourg, 19320 Marcillac-la-Croisille\n", "Bourg"), AT_PHI_ADRESSE);
    const char *a = "M. Guilbaud Joseph, 91 ans, La Petite Barre, 85230 Beauvoir-sur-Mer\n";
    assert_int_equal(LABEL(a, "Barre"), AT_PHI_ADRESSE);
    const char *b = "Habite foyer Adoma, 31 rue de la Paix, chambre 214, 44600 Saint-Nazaire\n";
    assert_int_equal(LABEL(b, "chambre"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL("Service de rhumatologie, 65200 Bagnères-de-Bigorre\n", "rhumatologie"), 0);
    assert_int_equal(LABEL("Il vit seul depuis longtemps à Quimper, 29000 Quimper\n", "seul"), 0);
}

/* Dates: an abbreviated weekday and its day (not an hour), three spaced
 * numbers before a word in capitals, a year in words after a word of
 * time (not a quantity). */
static void test_dates_of_round11(void **state)
{
    (void)state;
    assert_int_equal(LABEL("lun 07   08:30  consultation\n", "07"), AT_PHI_DATE);
    assert_int_equal(LABEL("sortie prévue jeu. 23 ?\n", "23"), AT_PHI_DATE);
    assert_int_equal(LABEL("lun.\t08:00\tcure\n", "08"), 0);
    assert_int_equal(LABEL("TRAITEMENT DU 08 09 2026 AU 23 10 2026 PROSTATE\n", "23"), AT_PHI_DATE);
    assert_int_equal(LABEL("connu depuis deux mille quinze sous decapeptyl", "quinze"), AT_PHI_DATE);
    assert_int_equal(LABEL("opéré en mil neuf cent quatre-vingt-dix", "neuf"), AT_PHI_DATE);
    assert_int_equal(LABEL("il a reçu deux mille unités", "mille"), 0);
}

/* The town after an OCR'd postcode, OCR'd too. */
static void test_town_after_an_ocr_postcode(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Chemin de Baigne-Pieds — 84O00 AVlGNON\n", "AVlGNON"), AT_PHI_VILLE);
    assert_int_equal(LABEL("Hameau de Poggiolo — 2O229 P1EDICR0CE\n", "P1EDICR0CE"), AT_PHI_VILLE);
}

/* Dictation in lower case: an establishment named by a region or after
 * someone, the town after a doctor's name and "de", a commune "X sur Y". */
static void test_dictated_places_of_round11(void **state)
{
    (void)state;
    assert_int_equal(LABEL("vu au centre hospitalier de bretagne sud point", "bretagne"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("vu au centre hospitalier de bretagne sud point", "sud"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("traité au centre oscar lambret point", "lambret"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("patiente adressée par le docteur masson de chalon sur saône pour un carcinome "
                           "épidermoïde du col",
                           "chalon"),
                     AT_PHI_VILLE);
    assert_int_equal(
        LABEL("patient adressé par le docteur lemoine de saint malo pour un carcinome urothélial "
              "de vessie",
              "saint"),
        AT_PHI_VILLE);
    assert_int_equal(LABEL("vue à mehun sur yèvre je la reverrai", "mehun"), AT_PHI_VILLE);
    /* a word of the language after the doctor's name, an hour */
    assert_int_equal(
        LABEL("patient vu par le docteur lemoine de garde cette nuit pour une douleur thoracique", "garde"),
        0);
    assert_int_equal(LABEL("isolement levé à 22h sur décision du médecin", "décision"), 0);
    /* the region alone stays */
    assert_int_equal(LABEL("Elle est originaire de Bretagne.", "Bretagne"), 0);
}

/* A transcript says its numbers, addresses and dates in words. */
static void test_transcripts_in_words(void **state)
{
    (void)state;
    const char *a =
        "madame colin céline soixante-huit ans domiciliée quarante-quatre boulevard gambetta zéro six "
        "mille nice point";
    assert_int_equal(LABEL(a, "quarante"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(a, "six"), AT_PHI_ZIP);
    assert_int_equal(LABEL(a, "nice"), AT_PHI_VILLE);
    assert_int_equal(LABEL("il a reçu deux mille unités point", "mille"), 0);
    assert_int_equal(LABEL("je propose un passage à l'upadacitinib", "passage"), 0);
    const char *b =
        "numéro d identification zéro quatre sept sept huit point adhérent quatre quatre sept deux";
    IS_PHI(b, "zéro");
    IS_PHI(b, "huit");
    assert_int_equal(LABEL(b, "deux"), AT_PHI_COMPTE);
    assert_int_equal(LABEL("numéro trois de la liste", "trois"), 0);
    assert_int_equal(LABEL("monsieur andré né le neuf novembre trente et un soit", "trente"),
                     AT_PHI_DATE_NAISSANCE);
    assert_int_equal(LABEL("hospitalisé du premier au quatre décembre pour", "premier"), AT_PHI_DATE);
    assert_int_equal(LABEL("prochaine venue le dix-huit point", "dix"), AT_PHI_DATE);
    assert_int_equal(LABEL("le deux patients sont vus", "deux"), 0);
    /* spoken addresses of mail and web; a spoken decimal stays */
    assert_int_equal(
        LABEL("la lettre sera envoyée à son adresse c point mercier arobase wanadoo point fr point",
              "wanadoo"),
        AT_PHI_MAIL);
    assert_int_equal(
        LABEL("la consultation se fera par le lien visio point doctolib point fr slash r slash k sept point",
              "doctolib"),
        AT_PHI_URL);
    assert_int_equal(LABEL("la tension est à douze point cinq", "cinq"), 0);
    /* a town after "à" in a transcript (a word of no list, a commune) */
    const char *c = "il vit avec son épouse à surgères depuis vingt ans et sa fille habite à quimper elle "
                    "vient le voir souvent la patiente est à jeun à domicile à distance de la chimiothérapie";
    assert_int_equal(LABEL(c, "surgères"), AT_PHI_VILLE);
    assert_int_equal(LABEL(c, "quimper"), AT_PHI_VILLE);
    assert_int_equal(LABEL(c, "jeun"), 0);
    assert_int_equal(LABEL(c, "distance"), 0);
}

/* Postcodes abroad with a one-letter country ("L-3321", "B-1200"), four
 * digits after "à"; an initial before a surname no list holds, or before
 * a word where a signer stands; a unit's or a side's letter stays. */
static void test_postcodes_abroad_and_initials(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Rue de la Gare 33\nL-3321 Berchem\nLuxembourg\n", "3321"), AT_PHI_ZIP);
    assert_int_equal(LABEL("Avenue Hippocrate 54, B-1200 Woluwe-Saint-Lambert (Belgique)", "1200"),
                     AT_PHI_ZIP);
    assert_int_equal(LABEL("domiciliée rue de la Station 12 à 7500 Tournai, que nous suivons", "7500"),
                     AT_PHI_ZIP);
    assert_int_equal(LABEL("Examen n° 26-B-09114      Prélevé le 13/11/2026", "Prélevé"), 0);
    IS_NAME("Dactylographié par S. Quéré le 04/11/2026", "Quéré");
    IS_NAME("Dactylographié par S. Quéré le 04/11/2026", "S");
    IS_NAME("Fait à Caen, signature du gérant J. Petit\n", "Petit");
    assert_int_equal(LABEL("SpO2 89 % sous O2 3 L. PCA de morphine posée", "PCA"), 0);
    assert_int_equal(LABEL("EVA 6/10 hanche D. Interdose Oxynorm 5 mg donnée.", "Interdose"), 0);
    assert_int_equal(LABEL("Supplémentation en vitamine D. Puis contrôle.", "Puis"), 0);
}

/* Establishments known by their acronym alone; the ones that are also
 * words of care only after an article or a preposition. */
static void test_known_establishments(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Adressée par l'IGR pour avis.", "IGR"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("RCP du HCL le 3 mars. Avis HUG demandé.", "HCL"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Avis de l'AP-HP et de l'AP-HM.", "AP-HM"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Transfert aux HUS pour greffe.", "HUS"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Suivie à l'IPC depuis 2020.", "IPC"), AT_PHI_HOPITAL);
    /* the cranial irradiation, the neurotoxicity, a regimen */
    assert_int_equal(LABEL("CBPC : radiochimiothérapie puis IPC ou surveillance IRM.", "IPC"), 0);
    assert_int_equal(LABEL("CRS grade 1, ICANS grade 2 après CAR-T.", "ICANS"), 0);
    assert_int_equal(LABEL("Protocole R-CLB puis surveillance.", "CLB"), 0);
    /* a railwayman's employer */
    assert_int_equal(LABEL("Ancien cheminot (SNCF, atelier de Saumur).", "SNCF"), AT_PHI_EMPLOYEUR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doctor_named_by_a_word),
        cmocka_unit_test(test_lists_of_names),
        cmocka_unit_test(test_door_codes),
        cmocka_unit_test(test_references_and_signatures),
        cmocka_unit_test(test_words_before_the_postcode),
        cmocka_unit_test(test_dates_of_round11),
        cmocka_unit_test(test_town_after_an_ocr_postcode),
        cmocka_unit_test(test_dictated_places_of_round11),
        cmocka_unit_test(test_transcripts_in_words),
        cmocka_unit_test(test_postcodes_abroad_and_initials),
        cmocka_unit_test(test_known_establishments),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
