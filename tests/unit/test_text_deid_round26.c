/* Unit tests for the de-identifier's classes of issue #12, round 26.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"
#include "text/deid_scan.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* A lower-case establishment's name may hold a place's qualifier
 * ("haute", "hauts", "grand"), and "les" after what describes it before
 * one; a day's unit stays none. */
static void test_lower_establishment_qualifiers(void **state)
{
    (void)state;
    static const char a[] = "vu au centre hospitalier de la haute bruy\xC3\xA8re, consultation.\n";
    assert_int_equal(label_nth(det, a, "haute", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "bruy\xC3\xA8re", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "consultation", 0), 0);
    static const char b[] = "dialyse au centre de dialyse des hauts de varenne le mardi.\n";
    assert_int_equal(label_nth(det, b, "hauts", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, b, "varenne", 0), AT_PHI_HOPITAL);
    static const char c[] = "vient en h\xC3\xB4pital de jour les mardis et jeudis.\n";
    assert_int_equal(label_nth(det, c, "mardis", 0), 0);
    assert_int_equal(label_nth(det, c, "jour", 0), 0);
    /* (an unknown adjective before the particle describes the house) */
    static const char d[] =
        "suivi \xC3\xA0 la maison de sant\xC3\xA9 pluriprofessionnelle du val de morteau.\n";
    assert_int_equal(label_nth(det, d, "val", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, d, "morteau", 0), AT_PHI_HOPITAL);
}

/* A lower-case establishment named without a particle to the end of its
 * clause, a region's or a place's word last; a care home's plural name
 * after "les". */
static void test_lower_establishment_clauses(void **state)
{
    (void)state;
    static const char a[] = "claire, ide coordinatrice\nch val de marne nord - poste 4417\n"
                            "son fils, infirmier \xC3\xA0 la maison de retraite les tilleuls, qui souhaite\n"
                            "had hospitalisation \xC3\xA0 domicile val de sa\xC3\xB4ne - cahier de liaison\n";
    assert_int_equal(label_nth(rules, a, "marne", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, a, "nord", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, a, "tilleuls", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(rules, a, "sa\xC3\xB4ne", 0), AT_PHI_HOPITAL);
    /* (a word of the language after the place ends no name: "fin de
     * dictée"; a time after "la clinique" is none) */
    static const char b[] = "copie au docteur roux \xC3\xA0 la clinique sainte-marie fin de dict\xC3\xA9"
                            "e\n"
                            "hospitalis\xC3\xA9"
                            "e \xC3\xA0 la clinique la semaine derni\xC3\xA8re.\n";
    assert_int_equal(label_nth(rules, b, "fin", 0), 0);
    assert_int_equal(label_nth(rules, b, "semaine", 0), 0);
}

/* A firm in lower case named by a place, a region or a person of the
 * lists is an employer; one named by a word of the language is none. */
static void test_lower_firms(void **state)
{
    (void)state;
    static const char a[] = "il travaille \xC3\xA0 la fromagerie des hautes alpes depuis vingt ans.\n";
    assert_int_equal(label_nth(rules, a, "fromagerie", 0), AT_PHI_EMPLOYEUR);
    assert_int_equal(label_nth(rules, a, "alpes", 0), AT_PHI_EMPLOYEUR);
    static const char c[] = "sa fille travaille \xC3\xA0 la fromagerie des trois vall\xC3\xA9"
                            "es l'accompagne\n";
    assert_int_equal(label_nth(rules, c,
                               "vall\xC3\xA9"
                               "es",
                               0),
                     AT_PHI_EMPLOYEUR);
    static const char b[] = "retour en taxi de la commune, puis ambulance dispo le soir.\n";
    assert_int_equal(label_nth(rules, b, "commune", 0), 0);
    assert_int_equal(label_nth(rules, b, "dispo", 0), 0);
}

/* A lower-case town of several words after a postcode, to the end of
 * its line. */
static void test_lower_town_after_postcode(void **state)
{
    (void)state;
    static const char a[] = "adresse : 3 rue des lilas 12250 roquefort sur soulzon\n"
                            "route de condat 15100 saint flour, t\xC3\xA9l 04 71 00 00 00\n";
    assert_int_equal(label_nth(det, a, "12250", 0), AT_PHI_ZIP);
    assert_int_equal(label_nth(det, a, "sur", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "soulzon", 0), AT_PHI_VILLE);
    assert_int_equal(label_nth(det, a, "flour", 0), AT_PHI_VILLE);
}

/* A lower-case town opening a letter's line before "le" and a date. */
static void test_lower_dateline_town(void **state)
{
    (void)state;
    static const char a[] =
        "secr\xC3\xA9tariat 01 02 03 04 05\n\nlimoges, le 4 mars 2025\n\ncher confr\xC3\xA8re,\n";
    assert_int_equal(label_nth(det, a, "limoges", 0), AT_PHI_VILLE);
    static const char b[] = "compte rendu\nvu le 4 mars 2025\nfait le 5 mars 2025\n";
    assert_int_equal(label_nth(det, b, "vu", 0), 0);
    assert_int_equal(label_nth(det, b, "fait", 0), 0);
}

/* A scale's name before its grade stays: after "grade", "score",
 * "stade", or a bare digit or roman numeral closing a clause. */
static void test_graded_scales(void **state)
{
    (void)state;
    static const char a[] = "Pas de fuite de LCS (Esposito grade 0). Macroad\xC3\xA9nome 24 mm, Knosp 3, "
                            "cytoponction (Vandermeer IV).\n";
    assert_int_equal(label_nth(det, a, "Esposito", 0), 0);
    assert_int_equal(label_nth(det, a, "Knosp", 0), 0);
    assert_int_equal(label_nth(det, a, "Vandermeer", 0), 0);
    static const char e[] = "Macroad\xC3\xA9nome Knosp 2, sans contact chiasmatique.\n";
    assert_int_equal(label_nth(det, e, "Knosp", 0), 0);
    static const char c[] = "HSA Hunt et Hess IV, ulc\xC3\xA8re Forrest IIa (vaisseau visible), "
                            "occlusion Raymond-Roy 1. Lymphome stade Ann Arbor IIA sus-diaphragmatique.\n"
                            "Patient : HUNT Marcel, 67 ans.\n";
    assert_int_equal(label_nth(det, c, "Hunt", 0), 0);
    assert_int_equal(label_nth(det, c, "Hess", 0), 0);
    assert_int_equal(label_nth(det, c, "Forrest", 0), 0);
    assert_int_equal(label_nth(det, c, "Raymond-Roy", 0), 0);
    assert_int_equal(label_nth(det, c, "Arbor", 0), 0);
    assert_int_equal(label_nth(det, c, "HUNT", 0), AT_PHI_NOM);
    /* (children's first names and their ages, an initial and its point,
     * a town after "à" before a list's number stay names) */
    static const char d[] = "Deux enfants (Nolan 6 ans, Lina 3 ans). IDE (Pauline V.) : RAS.\n"
                            "Souhaits : 1) EHPAD du Lac \xC3\xA0 Langres 2) EHPAD Les Tilleuls.\n";
    assert_int_equal(label_nth(det, d, "Nolan", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, d, "Lina", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, d, "Pauline", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, d, "Langres", 0), AT_PHI_VILLE);
    /* (a title keeps its name) */
    static const char b[] = "Vu par Dr Vandermeer, confr\xC3\xA8re.\n";
    assert_int_equal(label_nth(det, b, "Vandermeer", 0), AT_PHI_NOM);
}

/* Two capitals without their point before a word in lower case are an
 * acronym, no title; "m." after a number is a length. */
static void test_acronym_not_title(void **state)
{
    (void)state;
    static const char a[] = "Conclusion : EP segmentaire droite, pas d'EP proximale.\n"
                            "Marche avec d\xC3\xA9"
                            "ambulateur sur 20 m. Test Timed Up and Go 32 s.\n";
    assert_int_equal(label_nth(det, a, "segmentaire", 0), 0);
    assert_int_equal(label_nth(det, a, "proximale", 0), 0);
    assert_int_equal(label_nth(det, a, "Test", 0), 0);
    /* (an elided pronoun is no title: "m'amener") */
    static const char c[] = "ma femme peut m'amener demain, sinon m' accompagnera mon fils.\n"
                            "si je ne peux plus m\xE2\x80\x99"
                            "exprimer.\n";
    assert_int_equal(
        label_nth(det, c, "m'amener", 0) == AT_PHI_NOM || label_nth(det, c, "amener", 0) == AT_PHI_NOM, 0);
    assert_int_equal(label_nth(det, c, "accompagnera", 0), 0);
    assert_int_equal(label_nth(det, c, "exprimer", 0), 0);
    /* (a title in capitals before a capitalised name stays one) */
    static const char b[] = "Vu avec DR Kerhervé ce matin.\n";
    assert_int_equal(label_nth(det, b, "Kerherv\xC3\xA9", 0), AT_PHI_NOM);
}

/* Numbers that look like dates or codes but are a score or doses. */
static void test_scores_and_doses(void **state)
{
    (void)state;
    static const char a[] = "Enfant : gar\xC3\xA7on, 3 420 g, Apgar 9/10/10. Puis Apgar 10/10/10.\n"
                            "Relais hydrocortisone 20-10-10 mg per os. Emend 125/80/80 avant la cure.\n"
                            "Variant BRCA2 c.5946delT (p.Ser1982ArgfsTer22) classe 5.\n";
    assert_int_equal(label_nth(det, a, "9", 0), 0);
    assert_int_equal(label_nth(det, a, "10", 0), 0);
    assert_int_equal(label_nth(det, a, "20", 0), 0);
    assert_int_equal(label_nth(det, a, "125", 0), 0);
    assert_int_equal(label_nth(det, a, "Ser1982ArgfsTer22", 0), 0);
    /* (a date before a word that is no unit stays a date) */
    static const char b[] = "Revu le 20-10-24 en consultation.\n";
    assert_int_equal(label_nth(det, b, "20", 0), AT_PHI_DATE);
}

/* A form's next field label is no part of the address before it; a time
 * after "porté" is none. */
static void test_form_fields_after_address(void **state)
{
    (void)state;
    static const char a[] =
        "Adresse : Mas des Oliviers, chemin de Rocbelle   CP : 30900   Ville : N\xC3\x8EMES\n"
        "Dispositif port\xC3\xA9 19h/j en moyenne.\n";
    assert_int_equal(label_nth(det, a, "Rocbelle", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, a, "CP", 0), 0);
    assert_int_equal(label_nth(det, a, "port\xC3\xA9", 0), 0);
    /* (a first name's next word is no surname when it is the next
     * field's label) */
    static const char b[] = "Patient : BONNET, Raymond    ID : ISC2507731   Plan : ORL_VMAT\n"
                            "IBODE : Corentin / Manon     Panseuse : \xC3\x89lise\n";
    assert_int_equal(label_nth(det, b, "ID", 0), 0);
    assert_int_equal(label_nth(det, b, "Panseuse", 0), 0);
    assert_int_equal(label_nth(det, b, "Raymond", 0), AT_PHI_PRENOM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_establishment_qualifiers),
        cmocka_unit_test(test_lower_establishment_clauses),
        cmocka_unit_test(test_lower_firms),
        cmocka_unit_test(test_lower_dateline_town),
        cmocka_unit_test(test_lower_town_after_postcode),
        cmocka_unit_test(test_graded_scales),
        cmocka_unit_test(test_acronym_not_title),
        cmocka_unit_test(test_scores_and_doses),
        cmocka_unit_test(test_form_fields_after_address),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
