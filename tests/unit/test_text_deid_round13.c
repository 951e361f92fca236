/* Unit tests for the de-identifier's classes of issue #12, round 13:
 * organisations named after their region, and the initials a document
 * makes of its establishments. Every string is invented here; none is a
 * fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define LABEL(text, needle) label_nth(det, text, needle, 0)

/* A region closing an organisation's name is part of it: after an
 * organisation found, an acronym, a word no list holds or a word of
 * care; opening a firm's name before a word of a firm. */
static void test_region_organisations(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Histologie définitive (Cypath Orne) en attente.", "Orne"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Dossier présenté au 3C Touraine le 4 mars.", "Touraine"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Avis UCOG Pays de la Loire demandé.", "Loire"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Réseau RESPALIA Marne contacté.", "RESPALIA"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Embauché chez Normandie Énergie Services en 2010.", "Normandie"),
                     AT_PHI_EMPLOYEUR);
    /* (a provider of equipment: an establishment's or a firm's, as the
     * writers of the notes mark them; round 31's tagger reads a firm) */
    int vosges = LABEL("Lit médicalisé loué à Vosges Médical Services.", "Vosges");
    assert_true(vosges == AT_PHI_HOPITAL || vosges == AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Suivi par le CH Bretagne Sud depuis mai.", "Sud"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Patiente suivie par le réseau Onco-Normandie.", "Onco-Normandie"),
                     AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Analyses au laboratoire Bio-Vosges Saint-Dié.", "Bio-Vosges"), AT_PHI_HOPITAL);
    /* a region alone, an administration's, a landlord's, a sentence's
     * word after it */
    assert_int_equal(LABEL("Retour en Normandie après la cure.", "Normandie"), 0);
    assert_int_equal(LABEL("Courrier de la CPAM du Calvados reçu.", "Calvados"), 0);
    assert_int_equal(LABEL("L'ARS Centre-Val de Loire a été informée.", "Loire"), 0);
    assert_int_equal(LABEL("Bailleur : Finistère Habitat.", "Finistère"), 0);
    assert_int_equal(LABEL("Le SAPAD de la Haute-Marne est sollicité.", "est"), 0);
    assert_int_equal(LABEL("IRM en Bretagne, RCP Bretagne le 3 juin.", "Bretagne"), 0);
}

/* An establishment named in full, then by its initials. */
static void test_establishment_initials(void **state)
{
    (void)state;
    assert_int_equal(LABEL("CENTRE HOSPITALIER DU LAGON\nCHL, service d'oncologie\nSuivi au CHL.", "CHL"),
                     AT_PHI_HOPITAL);
    assert_int_equal(
        LABEL("Patient adressé par le Centre de Radiothérapie du Grand Montpellier.\nDossier CRGM du 3 mai.",
              "CRGM"),
        AT_PHI_HOPITAL);
    /* a person's initials where they sign, after the person found */
    assert_int_equal(LABEL("Compte rendu dicté par Dr Olivier Bonnet.\nDictée OB / frappe le 24/01.", "OB"),
                     AT_PHI_NOM);
    assert_int_equal(LABEL("Vue par Sylvie Amand, 14 SA, terme prévu le 3 mai.", "SA"), 0);
    /* generic initials, and medical abbreviations */
    assert_int_equal(LABEL("Vue au Centre Hospitalier Universitaire de Caen.\nRetour au CHU le 3.", "CHU"),
                     0);
    assert_int_equal(LABEL("Suivie à l'Institut Médical de Carnac.\nPoids 61 kg, IMC 21.", "IMC"), 0);
}

/* A table of fields and values names no column: its labels stay, its
 * values are found by their field. */
static void test_fields_and_values_table(void **state)
{
    (void)state;
    const char *t = "| Champ | Valeur |\n|---|---|\n| Nom de naissance | FAURE |\n| Nom d'usage | "
                    "SAINT-MARTIN |\n| Prénom | Géraldine |\n| IPP | 24-11098 |\n| Histologie | CCI, SBR "
                    "III |\n| Stade | cT2 N1 M0 |\n";
    assert_int_equal(LABEL(t, "Histologie"), 0);
    assert_int_equal(LABEL(t, "Stade"), 0);
    assert_int_equal(LABEL(t, "Prénom"), 0);
    assert_int_equal(LABEL(t, "Géraldine"), AT_PHI_PRENOM);
    /* a table whose header names its columns still gives them */
    assert_int_equal(
        LABEL("NOM;PRENOM;DDN\nLE GOFF;Armelle;12/03/1950\nVIERZON;Paul;01/02/1948\n", "VIERZON"),
        AT_PHI_NOM);
}

/* A radiopharmaceutical's name opens with its isotope; a specimen's code
 * with a one-letter symbol and a number stays one. */
static void test_isotopes(void **state)
{
    (void)state;
    assert_int_equal(LABEL("TEP au 18F-PSMA-1007 le 3 mars.", "18F"), 0);
    assert_int_equal(LABEL("Cycle 2 de 177Lu-PSMA-617 à 7,4 GBq.", "177Lu"), 0);
    assert_int_equal(LABEL("Scintigraphie au 99mTc-MAA avant SIRT.", "99mTc"), 0);
    assert_int_equal(LABEL("Prélèvement 26C-004381 reçu.", "26C"), AT_PHI_ID);
}

/* A rota's days and shifts: a column of days is no one's, a range of
 * times no record's number; a message's "Rdv" is a word. */
static void test_rotas(void **state)
{
    (void)state;
    const char *t = "Jour;Physicien;Médecin;Manip référent TrueBeam 2\nLun;LGN;Dr Abgrall;Tonio\nVen;FRX;Dr "
                    "Boucher;Paulo\nSam (astreinte);LGN;Dr Abgrall;-\n";
    assert_int_equal(LABEL(t, "Ven"), 0);
    assert_int_equal(LABEL(t, "Sam"), 0);
    assert_true(LABEL(t, "FRX") != 0);
    assert_true(LABEL(t, "Paulo") != 0);
    assert_int_equal(LABEL("Légende : M 6h45-14h15 / S 13h45-21h15 / N 21h-7h", "6h45"), 0);
    assert_int_equal(LABEL("Appel de Mme Riou. Rdv avancé au 11/06.", "Rdv"), 0);
    assert_int_equal(LABEL("Planning : Lun 6h45-14h15, Ven repos.", "Lun"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_organisations),
        cmocka_unit_test(test_establishment_initials),
        cmocka_unit_test(test_fields_and_values_table),
        cmocka_unit_test(test_isotopes),
        cmocka_unit_test(test_rotas),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
