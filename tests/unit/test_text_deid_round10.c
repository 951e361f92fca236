/* Unit tests for the de-identifier's classes of issue #12, round 10:
 * ages with their unit, abbreviated streets, address blocks, places and
 * establishments dictated in lower case, employers of an occupational
 * physician, eponyms and particles in people's names, first names in a
 * long line of prose, communes with a capitalised article, study sites.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define LABEL(text, needle) label_nth(det, text, needle, 0)
/* a person's name, first name or surname (the label between the two is the
 * model's) */
#define IS_NAME(text, needle)                                                                                \
    assert_true(LABEL(text, needle) == AT_PHI_PRENOM || LABEL(text, needle) == AT_PHI_NOM)

/* The span of an age over 89 is what is rewritten: the number and its
 * unit, not a verb after it. */
static void test_age_spans_cover_the_unit(void **state)
{
    (void)state;
    const char *a = "M. Vuillermoz, 94 ans, ferme des Grandes Molunes. Sa mère (97 a) ; âgé de 96 a reçu.";
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(det, a, strlen(a), &sp), AT_OK);
    const char *ages[] = {"94 ans", "97 a)", "96 a re"};
    const size_t lens[] = {6, 4, 2};
    for (size_t k = 0; k < 3; k++) {
        size_t at = (size_t)(strstr(a, ages[k]) - a);
        int found = 0;
        for (size_t i = 0; i < sp.n; i++)
            if (sp.v[i].start == at) {
                assert_int_equal(sp.v[i].label, AT_PHI_AGE);
                assert_int_equal(sp.v[i].len, lens[k]);
                found = 1;
            }
        assert_true(found);
    }
    at_text_spans_free(&sp);
}

/* "av." and "pl." go on after their dot; a spaced dash ends the street
 * before the postcode; "7 pl/cm" is a unit. */
static void test_abbreviated_streets(void **state)
{
    (void)state;
    const char *a = "Cabinet de Radiologie, 19 av. de la République 93300 Aubervilliers";
    assert_int_equal(LABEL(a, "République"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(a, "93300"), AT_PHI_ZIP);
    const char *b = "Dr Leroux, 5 pl. du Ralliement 49000 Angers";
    assert_int_equal(LABEL(b, "Ralliement"), AT_PHI_ADRESSE);
    const char *c = "Laboratoire X\n4 rue Roger Aini - 14100 LISIEUX\n";
    assert_int_equal(LABEL(c, "Aini"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(c, "14100"), AT_PHI_ZIP);
    assert_int_equal(LABEL(c, "LISIEUX"), AT_PHI_VILLE);
    assert_int_equal(LABEL("Contrôle qualité : résolution 7 pl/cm, uniformité 1,9 %.", "pl"), 0);
    /* "Adr :" opens an address; "ADR de l'opérateur" is a rate */
    assert_int_equal(LABEL("Fiche.\nAdr : Le Bourg  19380 ALBUSSAC\n", "Bourg"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL("Coloscopie.\nADR de l'opérateur : 41 %.\n", "41"), 0);
}

/* The lines between the addressee's name and "ZIP Town" are the address,
 * not a line of the addressee's role. */
static void test_address_blocks(void **state)
{
    (void)state;
    const char *a = "Bourges, le 3 mars.\n\nMadame Jocelyne GIRAUDEAU\nLa Petite Noue\n11 route de Sancerre\n"
                    "18300 SAINT-SATUR\n\nMadame,\n";
    assert_int_equal(LABEL(a, "Petite"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(a, "Noue"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(a, "Madame,"), 0);
    const char *b =
        "Le 3 mars.\n\nDr Hélène Castanier\nMédecin généraliste\n3 place de la Comédie\n30000 Nîmes\n";
    assert_int_equal(LABEL(b, "Comédie"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(b, "généraliste"), 0);
    /* no name above: no block */
    const char *c = "Résultats.\nLa Petite Noue\n18300 SAINT-SATUR\n";
    assert_int_equal(LABEL(c, "Noue"), 0);
}

/* A transcript in lower case: an establishment's head and its name, a
 * commune after "à" by "saint" or by a river; words of care stay. */
static void test_dictated_places(void **state)
{
    (void)state;
    const char *a =
        "opérée en juin par le professeur guillou à la clinique saint michel hystérectomie totale";
    assert_int_equal(LABEL(a, "clinique"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(a, "michel"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(a, "hystérectomie"), 0);
    const char *b = "antécédents cholécystectomie à la clinique du chalonnais en deux mille douze";
    assert_int_equal(LABEL(b, "chalonnais"), AT_PHI_HOPITAL);
    const char *c = "elle habite à saint gengoux le national vit seule";
    assert_int_equal(LABEL(c, "gengoux"), AT_PHI_VILLE);
    assert_int_equal(LABEL(c, "seule"), 0);
    assert_int_equal(LABEL("suivie à chalon sur saône depuis mars", "saône"), AT_PHI_VILLE);
    /* the words of care and of the language stay */
    const char *d = "vu à l'hôpital de jour puis à la clinique de la douleur ; examen clinique normal ;"
                    " à dose sur mer ; il part à saint en vacances";
    assert_int_equal(LABEL(d, "jour"), 0);
    assert_int_equal(LABEL(d, "douleur"), 0);
    assert_int_equal(LABEL(d, "normal"), 0);
    assert_int_equal(LABEL(d, "mer"), 0);
    assert_int_equal(LABEL(d, "vacances"), 0);
}

/* The employer whose occupational physician is written to. */
static void test_occupational_physician_employer(void **state)
{
    (void)state;
    const char *a = "Information au médecin du travail de la RATP avec accord du patient.";
    assert_int_equal(LABEL(a, "RATP"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL(a, "accord"), 0);
    const char *b = "A l'attention du médecin du travail de l'Académie de Normandie, Dr Vasseur.";
    assert_int_equal(LABEL(b, "Académie"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL(b, "Normandie"), AT_PHI_EMPLOYEUR);
}

/* Eponyms are surnames after a title, a first name or an initial; the
 * eponym's own phrase and a score stay. */
static void test_eponyms_as_surnames(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Participants : Dr Binet, Dr Fauconnier.", "Binet"), AT_PHI_NOM);
    assert_int_equal(LABEL("Fiche validée par Dr A. Binet\n", "Binet"), AT_PHI_NOM);
    assert_int_equal(LABEL("Physicien : Paul Lhermitte\n", "Lhermitte"), AT_PHI_NOM);
    assert_int_equal(LABEL("Physicien : A. Lhermitte\n", "Lhermitte"), AT_PHI_NOM);
    assert_int_equal(LABEL("Opérateur : Dr Thomas Kremer ; aide : Dr Luc Weis", "Kremer"), AT_PHI_NOM);
    const char *k = "Signe de Lhermitte positif. Maladie de Hodgkin. LLC stade Binet A. Glasgow 15.";
    assert_int_equal(LABEL(k, "Lhermitte"), 0);
    assert_int_equal(LABEL(k, "Hodgkin"), 0);
    assert_int_equal(LABEL(k, "Binet"), 0);
    assert_int_equal(LABEL("Dextro 1,12 g/L. Glasgow 15. Médecin prévenu.", "Glasgow"), 0);
    assert_int_equal(LABEL("Sage-femme Bérangère Dimanche, étudiante Clara.", "Dimanche"), AT_PHI_NOM);
}

/* Particles between two names, foreign particles before a word, an elided
 * particle glued to a capitalised surname. */
static void test_particles(void **state)
{
    (void)state;
    const char *a = "son père m. yannick le goff (14/03/1951), cancer de la prostate";
    assert_int_equal(LABEL(a, "le"), AT_PHI_NOM);
    const char *b = "copie au docteur benali et à l'infirmière aurore da costa point";
    assert_int_equal(LABEL(b, "da"), AT_PHI_NOM);
    assert_int_equal(LABEL(b, "costa"), AT_PHI_NOM);
    int l = LABEL("Patient : Puig i Ferrer Jordi, né le 03/03/1969", "i Ferrer");
    assert_true(l == AT_PHI_NOM || l == AT_PHI_PRENOM);
    const char *c = "| 2 | N'GUESSAN Aya Marie-Laure | 19/11/1986 |";
    assert_int_equal(LABEL(c, "N'"), AT_PHI_NOM);
    /* an elided pronoun before a verb stays */
    assert_int_equal(LABEL("Ma voisine Nadège peut m'amener demain.", "m'"), 0);
}

/* A first name in a long paragraph written on one line that names a
 * disease further on is a name, not a brand on a line of drugs. */
static void test_first_names_in_long_prose(void **state)
{
    (void)state;
    const char *a = "Avec l'accord de ses parents, Cédric et Amandine Vernhet, je vous écris au sujet de "
                    "Lilou, 8 ans, née le 14/02/2018, qui est traitée depuis le printemps pour une leucémie "
                    "aiguë lymphoblastique B (protocole CAALL-F01, groupe risque standard).";
    assert_int_equal(LABEL(a, "Cédric"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(a, "Amandine"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(a, "Vernhet"), AT_PHI_NOM);
    assert_int_equal(LABEL(a, "leucémie"), 0);
    /* brands on a line of drugs stay */
    const char *d = "Traitement : Tafinlar, Mekinist, Kardégic 75 mg, Inexium 20 mg.";
    assert_int_equal(LABEL(d, "Tafinlar"), 0);
    assert_int_equal(LABEL(d, "Mekinist"), 0);
}

/* A capitalised article after "à" and a capitalised word make a commune;
 * a study's site and subject by number, not the emergency number. */
static void test_article_communes_and_sites(void **state)
{
    (void)state;
    assert_int_equal(LABEL("grand-mère décédée à La Mure ; grand-père à Lyon.", "Mure"), AT_PHI_VILLE);
    assert_int_equal(LABEL("Il suit la kinésithérapie à Le Pontet et porte des bas.", "Pontet"),
                     AT_PHI_VILLE);
    const char *s = "Site 1003 — Sujet 1003-007 — formulaire.\nCentre investigateur n° 017 — clinique.\n";
    assert_int_equal(LABEL(s, "1003"), AT_PHI_ID);
    assert_int_equal(LABEL(s, "017"), AT_PHI_ID);
    assert_int_equal(LABEL("Appel au centre 15 à 3 h ; site 2 cm.", "15"), 0);
}

/* Employers named by a word of employment, an administration's head and
 * place; a capitalised head before an establishment found; handovers'
 * day/month dates; dictated heads of several words. */
static void test_employment_and_heads(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Elle est employée de La Poste à Champagnole.", "Poste"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Son mari, ancien de MBDA (Bourges), est là.", "MBDA"), AT_PHI_EMPLOYEUR);
    const char *a =
        "M. Lacombe est agent d'entretien des routes au Conseil départemental de Tarn-et-Garonne.";
    assert_int_equal(LABEL(a, "Conseil"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL(a, "routes"), 0);
    assert_int_equal(LABEL("Patient retraité de la Marine nationale, exposé.", "nationale"),
                     AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("conjoint policier au commissariat de Roubaix.", "commissariat"),
                     AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("SON PAPA TRAVAILLE DE NUIT A ROISSY.", "NUIT"), 0);
    const char *c = "L'ostéodensitométrie sera faite au Centre d'Imagerie du Léon à Landivisiau.";
    assert_int_equal(LABEL(c, "Centre"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(c, "Léon"), AT_PHI_HOPITAL);
    const char *d = "lun 14/6 : toilette ok.\n15/6 : appel de la fille.\ncure 3/6 faite.\n";
    assert_int_equal(LABEL(d, "14/6"), AT_PHI_DATE);
    assert_int_equal(LABEL(d, "15/6"), AT_PHI_DATE);
    assert_int_equal(LABEL(d, "3/6"), 0);
    const char *e =
        "adressé par le docteur lemoine de la maison de santé pluriprofessionnelle de châteaubriant "
        "pour altération ; le centre de santé est fermé";
    assert_int_equal(LABEL(e, "maison"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(e, "châteaubriant"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(e, "fermé"), 0);
}

/* First names of the regions and of the world, and first names that the
 * medical dictionary's guessed French forms made medical words. */
static void test_first_names_of_the_lists(void **state)
{
    (void)state;
    IS_NAME("sénior : Dr S. Attal — interne : Iris Benhamou\n", "Iris");
    IS_NAME("Demandeur : Aude Cormier, sage-femme.", "Aude");
    IS_NAME("Appel de Soizic Le Goff, infirmière.", "Soizic");
    IS_NAME("Pharmacovigilance promoteur : Delphine Roussel-Baud, Drug Safety Physician\n", "Delphine");
    IS_NAME("Appel secrétariat radiothérapie (Amandine) – tracé dans le dossier.", "Amandine");
    /* a surname in capitals that only the medical dictionaries hold */
    IS_NAME("APPELANT : fils, Cyril FONTANEL — rappel OK\n", "FONTANEL");
    IS_NAME("PATIENT : FONTANEL Yvette, F, 90 ans\n", "FONTANEL");
    /* the eye's iris stays */
    assert_int_equal(LABEL("Examen : l'iris est normal, cornée claire.", "iris"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_age_spans_cover_the_unit),
        cmocka_unit_test(test_abbreviated_streets),
        cmocka_unit_test(test_address_blocks),
        cmocka_unit_test(test_dictated_places),
        cmocka_unit_test(test_occupational_physician_employer),
        cmocka_unit_test(test_eponyms_as_surnames),
        cmocka_unit_test(test_particles),
        cmocka_unit_test(test_first_names_in_long_prose),
        cmocka_unit_test(test_article_communes_and_sites),
        cmocka_unit_test(test_employment_and_heads),
        cmocka_unit_test(test_first_names_of_the_lists),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
