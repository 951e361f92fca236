/* Unit tests for the de-identifier's classes of issue #12, round 6 (second
 * part, after the tagger): establishment acronyms by their context (in
 * parentheses after a person, defined beside their establishment, at
 * their other mentions), establishments whose words are all words of the
 * language (a head, specialty words and a name; an adjective of place; a
 * head the OCR read wrong), and an address's complements. Every string is
 * invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define FOUND(d, text, needle) assert_true(label_nth(d, text, needle, 0) != 0)
#define KEPT(d, text, needle) assert_int_equal(label_nth(d, text, needle, 0), 0)

/* An unknown acronym in an establishment's place is the establishment's;
 * an abbreviation of the notes, a role or a defined programme is not. */
static void test_acronym_context(void **state)
{
    (void)state;
    static const char t1[] =
        "Compte rendu de consultation.\nAvis demandé au Dr Quillard (KRVO) pour la suite.\n";
    FOUND(det, t1, "KRVO");
    static const char t2[] = "Compte rendu de consultation.\nMédecin référent : (KRTA, Dr Brunel).\n";
    FOUND(det, t2, "KRTA");
    static const char t3[] =
        "Compte rendu de consultation.\nInstitut Varlenne de Cancérologie (IVC), oncologie.\n"
        "Patiente suivie pour un cancer du sein. Bilan fait à l'IVC le mois dernier.\n";
    FOUND(det, t3, "IVC)");
    assert_true(label_nth(det, t3, "IVC", 1) == AT_PHI_HOPITAL);
    static const char t4[] = "Compte rendu de consultation.\nIVZ (Institut Varlenne de Zoologie) consulté.\n";
    FOUND(det, t4, "IVZ");
    static const char keep[] =
        "Compte rendu de consultation.\nProgramme Personnalisé de Soins (PPS) remis ce jour.\n"
        "Résultat : AUC 5, HDL 1,2 g/L. Revue par Dr Brunel (IDE) hier.\n";
    KEPT(det, keep, "PPS");
    KEPT(det, keep, "AUC");
    KEPT(det, keep, "HDL");
    KEPT(det, keep, "IDE");
}

/* Establishments whose words are all words of the language. */
static void test_establishment_words(void **state)
{
    (void)state;
    static const char t[] =
        "Compte rendu de consultation du 3 mars 2025.\n"
        "Analyse moléculaire faite par la Plateforme de génétique somatique de Vernouillet.\n"
        "Suivi par la Maison de santé pluriprofessionnelle de Saint-Aubin-sur-Loire.\n"
        "Transfert en unité de soins palliatifs de Montrevel demandé.\n"
        "Opéré à l'Hôpital d'instruction des armées Saint-Quentin en 2019.\n"
        "la patiente est suivie au centre armoricain de cancérologie depuis mars.\n"
        "lnstitut Normand d'Oncologie, service de radiothérapie.\n"
        "LAB0RAT0IRE DE BIOLOGIE MEDICALE DU VAL, résultats.\n";
    FOUND(det, t, "génétique");
    FOUND(det, t, "pluriprofessionnelle");
    FOUND(det, t, "soins palliatifs");
    FOUND(det, t, "instruction");
    FOUND(det, t, "armoricain");
    FOUND(det, t, "lnstitut");
    FOUND(det, t, "LAB0RAT0IRE");
    FOUND(det, t, "BIOLOGIE");
    /* no connector before the name: specialty words alone are no name's */
    static const char keep[] =
        "Compte rendu de consultation.\nChirurgie au centre expert Institut Varlenne.\n"
        "Export SMS – plateforme de rappel de RDV.\nBonjour, RDV HDJ le 07/11.\n";
    KEPT(det, keep, "expert");
    KEPT(det, keep, "rappel");
    KEPT(det, keep, "RDV");
}

/* An address's complements beside it; a floor or a villa alone stays. */
static void test_address_complements(void **state)
{
    (void)state;
    static const char t[] = "Compte rendu de consultation.\n"
                            "Adresse : Domaine des Ormeaux, villa 11 — 83000 Toulon\n"
                            "Adresse : 26 rue des Lilas – bât. C, 3e ét. – 68000 Colmar\n"
                            "Centre X : 3 avenue du Général-Leclerc — CS 30026 — 14076 CAEN CEDEX 5\n";
    FOUND(det, t, "villa");
    FOUND(det, t, "3e");
    FOUND(det, t, "CS");
    static const char keep[] =
        "Compte rendu de consultation.\nRendez-vous en HDJ à 11h30 (entrée B, 2e étage).\n"
        "La villa 4 est grande. Le patient est au 3e étage.\n";
    KEPT(det, keep, "2e");
    KEPT(det, keep, "villa");
    KEPT(det, keep, "3e");
}

/* A month or a word of the language in a name's place; dates stay dates. */
static void test_name_words(void **state)
{
    (void)state;
    static const char t[] = "Compte rendu de consultation du 3 avril 2025.\n"
                            "Médecin demandeur : Dr Laurence Avril, radiologue.\n"
                            "Patient : M. AVRIL Didier. Personne à prévenir : Corinne AVRIL (épouse).\n"
                            "Patiente : Mme Avril Jacqueline.\n";
    assert_int_equal(label_nth(det, t, "Avril", 0), AT_PHI_NOM);
    assert_true(label_nth(det, t, "AVRIL", 0) != 0);
    assert_true(label_nth(det, t, "AVRIL", 1) != 0);
    assert_true(label_nth(det, t, "Avril", 1) != 0);
    static const char keep[] = "Compte rendu de consultation.\nRevue le 3 Avril 2025 par Dr Morel.\n"
                               "Bilan fait en Mars, Dr Morel, Avril 2024.\n";
    assert_int_equal(label_nth(det, keep, "Avril", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, keep, "Avril", 1), AT_PHI_DATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acronym_context),
        cmocka_unit_test(test_establishment_words),
        cmocka_unit_test(test_address_complements),
        cmocka_unit_test(test_name_words),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
