/* Unit tests for the de-identifier's classes of issue #12, round 12:
 * establishments a transcript names in lower case by the phrase after
 * their head, and the employers known by their name. Every string is invented here; none is a fixture of
 * patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define LABEL(text, needle) label_nth(det, text, needle, 0)

/* A transcript: enough lower-case words for the chunk to read as one. */
#define DICTATED(x)                                                                                          \
    "compte rendu dicté point à la ligne le patient est revu ce jour en consultation " x " point"

/* In a transcript, the phrase after an establishment's head up to a stop
 * word is its name; a care phrase ("hôpital de jour", "pharmacie de
 * ville") is not one. */
static void test_dictated_establishment_phrases(void **state)
{
    (void)state;
    assert_int_equal(LABEL(DICTATED("elle vit à l'ehpad les tamaris à sète"), "tamaris"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(DICTATED("sortie vers le ssr les mélèzes demain"), "mélèzes"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(DICTATED("opérée à la polyclinique du val d'orge point"), "orge"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(DICTATED("vue au centre hospitalier de la presqu'île point"), "presqu"),
                     AT_PHI_HOPITAL);
    assert_int_equal(LABEL(DICTATED("traitée à l'hôpital européen marcel dassault virgule"), "européen"),
                     AT_PHI_HOPITAL);
    assert_int_equal(LABEL(DICTATED("ordonnance faxée à la pharmacie du beffroi point"), "beffroi"),
                     AT_PHI_HOPITAL);
    /* care phrases, and a phrase that goes on as prose */
    assert_int_equal(LABEL(DICTATED("prochaine cure en hôpital de jour point"), "jour"), 0);
    assert_int_equal(LABEL(DICTATED("ordonnance remise pour la pharmacie de ville point"), "ville"), 0);
    assert_int_equal(LABEL(DICTATED("adressée à la clinique de la douleur pour avis"), "douleur"), 0);
}

/* The largest employers by their name, their site's words with them;
 * a model's number after one is a product; regiments by their number. */
static void test_known_employers(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Retraité de la SNCF depuis 2019.", "SNCF"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Caissière chez Carrefour Market le matin.", "Market"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Ancien ouvrier chez Renault Trucks, exposition aux huiles.", "Renault"),
                     AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Maître principal dans la Marine nationale, muté en 2009.", "nationale"),
                     AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Son fils est au 2e REP depuis un an.", "REP"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Mari affecté à la Base aérienne 118.", "118"), AT_PHI_EMPLOYEUR);
    /* the rules leave a brand before a model's number (a product; the
     * tagger may still read one as the workplace), care words after an
     * ordinal */
    assert_int_equal(label_nth(rules, "Ajusteur sur Airbus A350 depuis dix ans.", "Airbus", 0), 0);
    assert_int_equal(label_nth(rules, "Ajusteur chez Airbus depuis dix ans.", "Airbus", 0), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Hallux valgus, 1re MTP douloureuse.", "MTP"), 0);
    assert_int_equal(LABEL("Décision de la 2e RCP : radiothérapie.", "RCP"), 0);
    /* a transcript's employer in lower case */
    assert_int_equal(
        LABEL(DICTATED("il travaille encore chez bouygues comme conducteur de travaux"), "bouygues"),
        AT_PHI_EMPLOYEUR);
    /* a departmental hospital, a centre of coordination by its territory */
    assert_int_equal(LABEL("Pharmacie à usage intérieur — CHD Vendée, site de Luçon.", "Vendée"),
                     AT_PHI_HOPITAL);
    assert_int_equal(LABEL("RCP digestive du 3C Sud-Gironde le 4 mars.", "Gironde"), AT_PHI_HOPITAL);
    /* a hospital group's acronym in brackets after one of its hospitals */
    assert_int_equal(LABEL("Hôpital Henri-Mondor (AP-HP), Créteil.", "AP-HP"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("Protocole R-CLB puis surveillance.", "CLB"), 0);
}

/* Speech recognition that writes names with capitals and says its
 * punctuation is a transcript too: its postcode said in words goes. */
static void test_transcript_with_capitals(void **state)
{
    (void)state;
    const char *t = "madame Le Goff née le douze mars mille neuf cent cinquante virgule domiciliée lieu-dit "
                    "Kerhuel vingt-neuf mille huit cent quarante Porspoder virgule revue ce jour\n";
    assert_int_equal(LABEL(t, "huit"), AT_PHI_ZIP);
    /* a note in prose with one "virgule" is none */
    const char *p = "Madame Le Goff, 74 ans, est revue ce jour. Elle habite Porspoder depuis vingt ans. La "
                    "virgule de la cicatrice est propre. Elle a vingt-neuf mille raisons de sourire.\n";
    assert_int_equal(LABEL(p, "mille"), 0);
}

/* The noun that heads a named place goes with its name; alone, or before
 * a word that names nothing, it stays. */
static void test_place_heads(void **state)
{
    (void)state;
    const char *a = "Obsèques en l'église Saint-Hilaire de Melle, le 4 mars.\n";
    assert_true(LABEL(a, "église") != 0);
    assert_int_equal(LABEL(a, "église"), LABEL(a, "Saint"));
    assert_true(LABEL("Son fils est à l'école maternelle Jacques-Prévert de Lorient.", "maternelle") != 0);
    assert_true(LABEL("Vit maison Irigoyen, quartier Ahetze, sans voisin proche.", "maison") != 0);
    assert_int_equal(LABEL("Vit seule en maison avec jardin, sans escalier.", "maison"), 0);
    assert_int_equal(LABEL("Messe à l'église tous les dimanches.", "église"), 0);
    /* a house number before an address found without it; not a count */
    assert_int_equal(LABEL("Copie : Dr Rambert, 7 Grand'Rue, 21140 Semur-en-Auxois.", "7"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL("Électrophorèse (Capillarys 3 Tera) : pic monoclonal.", "3"), 0);
    /* a postcode after its town */
    assert_int_equal(LABEL("Vit à Quimperlé (29300) avec son fils.", "29300"), AT_PHI_ZIP);
}

/* A signer after "signé"; a first name in brackets after a relative;
 * "signe" without its accent is the eponyms' noun. */
static void test_people_by_their_phrase(void **state)
{
    (void)state;
    const char *a = "RAS, patiente rassurée. Signé Aude P.\n";
    assert_int_equal(LABEL(a, "Aude"), AT_PHI_PRENOM);
    assert_int_equal(LABEL(a, "P"), AT_PHI_NOM);
    assert_int_equal(LABEL("Mari présent (Manuel), rassurant.", "Manuel"), AT_PHI_PRENOM);
    assert_int_equal(LABEL("Signe de Lasègue positif à droite.", "Lasègue"), 0);
    assert_int_equal(LABEL("Traitement : Xeloda (Capécitabine) poursuivi.", "Capécitabine"), 0);
}

/* Strings that must stay: a law's date after its authors' name, the
 * emergency number called, a medicine's CIP13 code, the NICE class of a
 * polyp; the same shapes as identifiers stay identifiers. */
static void test_strings_that_stay(void **state)
{
    (void)state;
    assert_int_equal(LABEL("Directives anticipées (loi Claeys-Leonetti du 2 février 2016).", "février"), 0);
    assert_int_equal(LABEL("Revu le 2 février 2016 par le Dr Vasseur.", "février"), AT_PHI_DATE);
    assert_int_equal(LABEL("Si dyspnée, appelez le 15 sans attendre.", "15"), 0);
    assert_int_equal(LABEL("RDV avancé, il viendra le 15.", "15"), AT_PHI_DATE);
    assert_int_equal(LABEL("Eliquis 2,5 mg | apixaban | 3400893826370 | 60 cp", "3400893826370"), 0);
    assert_int_equal(LABEL("Polype sessile 12 mm, Paris 0-Is, NICE 2 : mucosectomie.", "NICE"), 0);
    assert_true(LABEL("Adressée par le CHU de NICE pour avis.", "NICE") != 0);
    /* genes and variants joined by slashes, a blood group, a registry's
     * number after its name and a colon; a study's patient number stays
     * an identifier */
    assert_int_equal(LABEL("Oncogénétique : panel BRCA1/BRCA2/PALB2/TP53 demandé.", "BRCA2"), 0);
    assert_int_equal(LABEL("Recherche BRAF (V600E/V600K) sur le bloc.", "V600K"), 0);
    assert_int_equal(LABEL("Groupe A Rh+, RAI négatives.", "Groupe"), 0);
    assert_int_equal(LABEL("N° EudraCT : 2019-003456-21", "003456"), 0);
    assert_int_equal(LABEL("N° patient dans l'étude : 012-0047", "0047"), AT_PHI_ID);
}

/* Names an OCR wrote with digits or signs for letters; a stage, a field
 * separator and a code stay as they are. */
static void test_ocr_names(void **state)
{
    (void)state;
    const char *a = "Opérateur : Dr Qu1ntin    Anesth : Dr Ta|bot\n";
    assert_int_equal(LABEL(a, "bot"), LABEL(a, "Ta"));
    assert_true(LABEL(a, "Ta") != 0);
    assert_true(LABEL("Copie : Dr R. 0livier, radiologue.", "0livier") != 0);
    assert_true(LABEL("Bien confraternellement, Dr Duca$se", "se") != 0);
    assert_int_equal(LABEL("surveillance sein T1N0 5 ans", "T1N0"), 0);
    assert_int_equal(LABEL("NK1|1|DUPUIS^Joël|SPO^époux|14 rue des Sabliers", "SPO"), 0);
}

/* Signs that hold no letter are no words (an arrow after a role is no
 * name); a rota's shift letters spell no name; an SMS greeting is no
 * first name. */
static void test_signs_rotas_and_messages(void **state)
{
    (void)state;
    assert_int_equal(LABEL("SBAR — appel IDE \xE2\x86\x92 interne de garde.", "\xE2\x86\x92"), 0);
    assert_int_equal(LABEL("merci \xF0\x9F\x91\x8D Maddi", "Maddi"), AT_PHI_PRENOM);
    assert_int_equal(LABEL("LE BIHAN;Soizic;M04712;M M M R R;S S M M R;CA\n", "M M M R R"), 0);
    assert_true(LABEL("Nom épelé : D U M O U L I N, né le 3 mars 1950.", "D U M") != 0);
    assert_int_equal(LABEL("Bjr docteur, maman a 38,5 ce soir.", "Bjr"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dictated_establishment_phrases),
        cmocka_unit_test(test_known_employers),
        cmocka_unit_test(test_transcript_with_capitals),
        cmocka_unit_test(test_place_heads),
        cmocka_unit_test(test_people_by_their_phrase),
        cmocka_unit_test(test_strings_that_stay),
        cmocka_unit_test(test_ocr_names),
        cmocka_unit_test(test_signs_rotas_and_messages),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
