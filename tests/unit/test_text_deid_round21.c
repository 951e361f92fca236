/* Unit tests for the de-identifier's classes of issue #12, round 21.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* An initial after a name the tagger found: one space after it, after its
 * comma, in brackets; "M." before a capitalised word is the next
 * person's title, and a letter after a word that is no name stays. */
static void test_initials_after_names(void **state)
{
    (void)state;
    static const char a[] = "08h30  LE GALL Y.        suivi mélanome Breslow 2,1\n"
                            "Opérateur : Dr Ferreira Da Costa (J.)   Aide : interne\n"
                            "Présents : Dr Kerhervé, M. Le Bihan et la cadre.\n"
                            "Supplémentation en vitamine D. Puis contrôle à 3 mois.\n";
    assert_int_not_equal(label_nth(det, a, "GALL", 0), 0);
    assert_int_not_equal(label_nth(det, a, "Y.", 0), 0);
    assert_int_not_equal(label_nth(det, a, "Costa", 0), 0);
    assert_int_not_equal(label_nth(det, a, "J.)", 0), 0);
    assert_int_equal(label_nth(det, a, "M.", 0), 0);
    assert_int_equal(label_nth(det, a, "D.", 0), 0);
}

/* A care service's acronym, then its own name in capitalised words that
 * do not spell it, or its department's number before a full stop or a
 * bracket; the acronym spelt out, one adjective, a drain's size stay. */
static void test_care_service_names(void **state)
{
    (void)state;
    static const char a[] = "Relais HAD Santé Service pour la suite. Suivi par HAD Soins et Santé.\n"
                            "Retour à domicile avec HAD 37. Appel du HAD 18 (Hospitalisation à domicile).\n"
                            "SSIAD Service de Soins Infirmiers à Domicile. Relais HAD Pédiatrique demain.\n"
                            "Drain de Redon CH 12. Appel au SAMU 62.\n";
    assert_int_equal(RULE(a, "Santé Service"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "Soins et Santé"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "37"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "18"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "Service de Soins"), 0);
    assert_int_equal(RULE(a, "Pédiatrique"), 0);
    assert_int_equal(RULE(a, "12"), 0);
    assert_int_equal(RULE(a, "62"), 0);
}

/* An age over 89 written with "a" before a colon or at the line's end,
 * or glued to its unit; "a" before a word is the verb, a room's letter
 * before a word stays. */
static void test_age_a(void **state)
{
    (void)state;
    static const char a[] = "Mme CHAMBON Odette 94 a : ne répond plus\n"
                            "pat. Lefort Georges 93 a\n"
                            "Le lot 92 a été rappelé.\n"
                            "14h VASSEUR Denise 96a – USP ch 3. Mme X, 91ans, vit seule. Chambre 95a bis.\n";
    assert_int_equal(RULE(a, "94"), AT_PHI_AGE);
    assert_int_equal(RULE(a, "93"), AT_PHI_AGE);
    assert_int_equal(RULE(a, "92"), 0);
    assert_int_equal(RULE(a, "96a"), AT_PHI_AGE);
    assert_int_equal(RULE(a, "91ans"), AT_PHI_AGE);
    assert_int_equal(RULE(a, "95a"), 0);
    at_buf out;
    at_buf_init(&out, 1 << 16);
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(rules, a, strlen(a), &sp), AT_OK);
    assert_int_equal(at_text_deid_apply(a, strlen(a), &sp, AT_TEXT_REDACT, NULL, NULL, &out), AT_OK);
    assert_non_null(strstr((const char *)out.data, "90 ans ou plus : ne"));
    assert_null(strstr((const char *)out.data, "plus a"));
    at_buf_free(&out);
    at_text_spans_free(&sp);
}

/* A trade's works or shop names an employer ("Ébénisterie Payen"). */
static void test_trade_employers(void **state)
{
    (void)state;
    static const char a[] = "Menuisier-ébéniste 30 ans (Ébénisterie Payen, Vire), poussières de bois.\n";
    assert_int_equal(RULE(a, "Payen"), AT_PHI_EMPLOYEUR);
    assert_int_equal(RULE(a, "Ébénisterie"), AT_PHI_EMPLOYEUR);
}

/* A town whose name opens with "Le" after "du" or "au" ("CPAM du Havre",
 * "au Mans"); a word that is no such town stays. */
static void test_article_towns(void **state)
{
    (void)state;
    static const char a[] = "Dossier à adresser à la CPAM du Havre. Il habite au Mans.\n"
                            "Retour au Calme depuis.\n";
    assert_int_equal(label_nth(det, a, "Havre", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Mans", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "Calme", 0), 0);
}

/* Words no person bears, whatever took them: the letter of "N°", the
 * article of "né le" before its date, an OCR's "Ie" before a word, and
 * "Marié" of a social history; a maiden name after "née" stays a name. */
static void test_not_names(void **state)
{
    (void)state;
    static const char a[] = "PATIENT GOMES DOS SANTOS MANUEL NE LE 11 03 1949 IPP 0044817265\n"
                            "Salarié : Nom MARTY  Prénom Gilles   N° SS 1 71 06 24 372 118 45\n"
                            "Concerne : Mme TREGUIER Yvette, née Ie O7/O4/1939\n"
                            "Mode de vie : Marié, 2 enfants.\n"
                            "Ie patient est vu ce jour.\n"
                            "Mme Dupont née Le Goff le 3/4/1950\n";
    assert_int_equal(label_nth(det, a, "LE", 0), 0);
    assert_int_equal(label_nth(det, a, "N°", 0), 0);
    assert_int_equal(label_nth(det, a, "Ie", 0), 0);
    assert_int_equal(label_nth(det, a, "Marié", 0), 0);
    assert_int_equal(label_nth(det, a, "Ie", 1), 0);
    assert_int_not_equal(label_nth(det, a, "Le Goff", 0), 0);
    assert_int_not_equal(label_nth(det, a, "MARTY", 0), 0);
}

/* Phrases of care and of letters that hold a name's word stay whole; the
 * same first name elsewhere is a person's. */
static void test_care_phrases(void **state)
{
    (void)state;
    static const char a[] = "Prostatectomie robot-assistée (Da Vinci Xi). Timed Up and Go 14 s.\n"
                            "PD-L1 CPS 8, Claudine 18.2 positive 80 %.\n"
                            "De : Julien Morel [mailto:julien.morel73@orange.fr]\n"
                            "Best regards,\n"
                            "08h30  BLANC Josiane  IPP SJ0098825\n"
                            "Elle a vu Claudine Martin hier.\n"
                            "Bonsoir Marc, Merci pour ta réponse.\n"
                            "Monsieur le Médecin-conseil, professeur d'EPS, vu par le Dr de garde.\n";
    assert_int_equal(label_nth(det, a, "Médecin-conseil", 0), 0);
    assert_int_equal(label_nth(det, a, "EPS", 0), 0);
    assert_int_equal(label_nth(det, a, "garde", 0), 0);
    assert_int_equal(label_nth(det, a, "Bonsoir", 0), 0);
    assert_int_equal(label_nth(det, a, "Merci", 0), 0);
    assert_int_equal(label_nth(det, a, "Vinci", 0), 0);
    assert_int_equal(label_nth(det, a, "Up", 0), 0);
    assert_int_equal(label_nth(det, a, "Claudine", 0), 0);
    assert_int_equal(label_nth(det, a, "mailto", 0), 0);
    assert_int_equal(label_nth(det, a, "Best", 0), 0);
    assert_int_equal(label_nth(det, a, "IPP", 0), 0);
    assert_int_not_equal(label_nth(det, a, "Claudine", 1), 0);
    assert_int_not_equal(label_nth(det, a, "Morel", 0), 0);
}

/* A blood group or GOLD's group after "groupe" in lower case, a carer's
 * visit after a street word ("Passage IDE") and a letterhead's line of
 * practice above the street are no establishment and no address; the
 * street and the house's name of an address block stay addresses. */
static void test_no_place_words(void **state)
{
    (void)state;
    static const char a[] = "Bio : Hb 12,4 g/dL, groupe A Rh+, RAI nég. BPCO stade GOLD 3, groupe E.\n"
                            "Vit avec sa fille à Venelles. Passage IDE 2x/j, kiné 3x/s.\n"
                            "\n"
                            "Dr Pierre-Yves MARTEAU\n"
                            "Médecine générale\n"
                            "2 place du Champ de Foire\n"
                            "35500 VITRÉ\n"
                            "\n"
                            "Madame Jocelyne GIRAUDEAU\n"
                            "La Petite Noue\n"
                            "11 route de Sancerre\n"
                            "18300 SAINT-SATUR\n";
    assert_int_equal(RULE(a, "A Rh"), 0);
    assert_int_equal(RULE(a, "E."), 0);
    assert_int_equal(RULE(a, "Passage"), 0);
    assert_int_equal(RULE(a, "Médecine"), 0);
    /* a street word's full stop ends its sentence; an abbreviation's not */
    static const char b[] =
        "Elle vit au 3e étage. Un ascenseur est présent. Rendez-vous sur place. Pas de taxi.\n"
        "Résidence Les Pins, bât. B, 4 rue de la Gare\n";
    assert_int_equal(RULE(b, "Un"), 0);
    assert_int_equal(RULE(b, "Pas"), 0);
    assert_int_equal(RULE(b, "B,"), AT_PHI_ADRESSE);
    assert_int_equal(RULE(a, "2 place"), AT_PHI_ADRESSE);
    assert_int_equal(RULE(a, "Petite Noue"), AT_PHI_ADRESSE);
}

/* A form's place field after a wide gap on the line of another field. */
static void test_second_field_on_line(void **state)
{
    (void)state;
    static const char a[] = "Code postal : 88250   Commune : La Bresse\n"
                            "Téléphone : 03.29.25.61.00\n";
    assert_int_equal(RULE(a, "Bresse"), AT_PHI_VILLE);
    assert_int_not_equal(RULE(a, "88250"), 0);
    /* one space only: the value's words, not a new field */
    static const char b[] = "Lieu : salle 3 commune des internes\n";
    assert_int_equal(RULE(b, "internes"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initials_after_names),
        cmocka_unit_test(test_care_service_names),
        cmocka_unit_test(test_age_a),
        cmocka_unit_test(test_trade_employers),
        cmocka_unit_test(test_article_towns),
        cmocka_unit_test(test_not_names),
        cmocka_unit_test(test_care_phrases),
        cmocka_unit_test(test_no_place_words),
        cmocka_unit_test(test_second_field_on_line),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
