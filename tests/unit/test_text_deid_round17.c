/* Unit tests for the de-identifier's classes of issue #12, round 17:
 * tables in commas in a text with a ';' elsewhere, staff columns, towns
 * that also name a score, communes after an unaccented "a" in a
 * transcript, the words of letters from abroad. Every string is invented here; none is a fixture of
 * patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define LABEL(text, needle) label_nth(det, text, needle, 0)
#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* A header in commas names its columns also when a line above has two
 * ';' (a comment of the export); a column of validators or therapists
 * holds people. */
static void test_tables(void **state)
{
    (void)state;
    static const char a[] = "# séparateur : virgule ; encodage UTF-8 ; ne pas diffuser\n"
                            "nom,prenom,date_naissance,motif\n"
                            "\"VIENNE\",\"Constance\",\"1936-06-22\",\"dénosumab\"\n"
                            "\"MOREAU\",\"Jade\",\"1999-05-17\",\"ABVD\"\n";
    assert_int_equal(RULE(a, "Constance"), AT_PHI_PRENOM);
    assert_int_equal(RULE(a, "Jade"), AT_PHI_PRENOM);
    assert_int_equal(RULE(a, "ABVD"), 0);
    static const char b[] = "\"N_ECH\",\"PATIENT\",\"RESULTAT\",\"VALIDEUR\"\n"
                            "\"NGS-1\",\"FABRE Lucie\",\"KRAS G12C\",\"T.R.\"\n"
                            "\"NGS-2\",\"NOËL Pascal\",\"sauvage\",\"A.V.\"\n";
    assert_int_equal(RULE(b, "T.R."), AT_PHI_PRENOM);
    assert_int_equal(RULE(b, "A.V."), AT_PHI_PRENOM);
    assert_int_equal(RULE(b, "KRAS"), 0);
    static const char c[] = "\"Dossier\";\"Acte\";\"Orthophoniste\";\"Commentaire\"\n"
                            "\"LT-1\";\"Rééducation voix\";\"M. Cayrou\";\"en progrès\"\n"
                            "\"LT-2\";\"Bilan voix\";\"M. Cayrou\";\"annulé\"\n";
    assert_int_equal(RULE(c, "Cayrou"), AT_PHI_NOM);
    assert_int_equal(RULE(c, "voix"), 0);
}

/* A town that also names a score or a rule: a town where one lives or
 * comes from, not in the score's or the rule's name. */
static void test_towns_that_name_scores(void **state)
{
    (void)state;
    assert_int_equal(RULE("Il part vivre chez sa fille à Genève en mars.", "Genève"), AT_PHI_VILLE);
    assert_int_equal(RULE("Son petit-fils vient de Genève pour la semaine.", "Genève"), AT_PHI_VILLE);
    assert_int_equal(RULE("Score de Genève révisé à 4, faible probabilité.", "Genève"), 0);
    assert_int_equal(RULE("Règle d'Ottawa négative, pas de radiographie.", "Ottawa"), 0);
    assert_int_equal(RULE("Grade de Nottingham : 2 (3+2+1).", "Nottingham"), 0);
}

/* A transcript without accents: "a" for "à" before a commune. */
static void test_unaccented_a(void **state)
{
    (void)state;
    static const char a[] = "je revois ce jour madame x qui habite toujours a saint cyr sur loire code "
                            "postal trente-sept et qui a mal au dos elle a recu sa cure point";
    assert_int_equal(RULE(a, "saint"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "cyr"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "loire"), AT_PHI_VILLE);
    assert_int_equal(RULE(a, "mal"), 0);
    assert_int_equal(RULE(a, "recu"), 0);
    static const char b[] = "patient de soixante ans domicilie a plogoff vu ce jour en consultation de "
                            "suivi il a tolere la chimiotherapie sans probleme point";
    assert_int_equal(RULE(b, "plogoff"), AT_PHI_VILLE);
    assert_int_equal(RULE(b, "tolere"), 0);
    /* after an address or a person found, "à" and a word of the language
     * is a town; not an infinitive, not an hour said in words */
    static const char d[] =
        "patiente domiciliée quatorze rue de la gare à landerneau virgule vue ce jour "
        "pour son suivi le docteur lemoine à valider elle rappellera à quinze heures point";
    assert_int_equal(RULE(d, "landerneau"), AT_PHI_VILLE);
    assert_int_equal(RULE(d, "valider"), 0);
    assert_int_equal(RULE(d, "quinze"), 0);
    /* "lieu dit" in two words, and the hamlet's name after it */
    static const char c[] =
        "madame x qui habite toujours au lieu dit kerguerhent a plogoff et qui a mal au dos "
        "depuis un mois elle a recu sa cure point";
    assert_int_equal(RULE(c, "kerguerhent"), AT_PHI_ADRESSE);
    assert_int_equal(RULE(c, "lieu"), AT_PHI_ADRESSE);
}

/* Lines of letters from abroad: the words of their language stay, a
 * German noun too; names, towns and handles are still found. */
static void test_letters_from_abroad(void **state)
{
    (void)state;
    static const char a[] =
        "Basel, 21. Oktober 2026\n\nSehr geehrte Frau Kollegin,\n"
        "wir berichten über Ihre Patientin Frau Weber, die am 3. März 2026 bei uns war.\n";
    assert_int_equal(LABEL(a, "Kollegin"), 0);
    assert_int_equal(LABEL(a, "Patientin"), 0);
    assert_int_equal(LABEL(a, "über"), 0);
    assert_int_equal(LABEL(a, "Sehr"), 0);
    /* (a town; the model may read the letterhead as the hospital's) */
    assert_int_not_equal(LABEL(a, "Basel"), 0);
    assert_int_equal(LABEL(a, "Weber"), AT_PHI_NOM);
    assert_int_equal(LABEL(a, "Oktober"), AT_PHI_DATE);
    static const char b[] = "Gentile collega, la paziente è stata ricoverata presso il nostro reparto con "
                            "dolore addominale e febbre.\n";
    assert_int_equal(LABEL(b, "ricoverata"), 0);
    assert_int_equal(LABEL(b, "dolore"), 0);
    static const char c[] = "Please note: he is on Strava as duncan_runs_geneva and wants to run a marathon.";
    assert_int_not_equal(LABEL(c, "runs"), 0);
    /* the greeting and the degree of a German signature name no one;
     * the doctor is still found */
    static const char g[] = "wir berichten über Ihre Patientin, die bei uns war.\nMit freundlichen Grüßen\n"
                            "Dr. med. Klaus Richter\n";
    assert_int_equal(LABEL(g, "Grüßen"), 0);
    assert_int_equal(LABEL(g, "med"), 0);
    assert_int_not_equal(LABEL(g, "Klaus"), 0);
    assert_int_not_equal(LABEL(g, "Richter"), 0);
    /* a day and a month with their stops on a German line; a French
     * dose stays */
    static const char d[] =
        "wie telefonisch besprochen (15.10.), bestätigen wir Ihnen, dass Ihr Sohn bei uns "
        "war und die Behandlung gut vertragen hat.";
    assert_int_equal(LABEL(d, "15.10"), AT_PHI_DATE);
    assert_int_equal(LABEL(d, "Ihnen"), 0);
    assert_int_equal(LABEL("Le patient prend 12.5 mg de prednisone le matin, et 2.5. le soir.", "2.5"), 0);
    /* an English word after a device's brand in a French note; a school
     * named in English stays a name */
    assert_int_equal(LABEL("Prévention escarres : matelas Axtair One livré ce jour.", "One"), 0);
    assert_int_not_equal(LABEL("Son fils est scolarisé à la Penryn Primary Academy depuis 2024.", "Academy"),
                         0);
    /* a French line keeps its reading */
    assert_int_equal(LABEL("Le patient habite à Stavanger depuis 2019 avec sa fille.", "Stavanger"),
                     AT_PHI_VILLE);
}

/* Establishments in a transcript: a specialty's centre and its
 * département, a region after an establishment found. */
static void test_transcript_establishments(void **state)
{
    (void)state;
    static const char a[] =
        "je vous tiendrai informe point docteur x centre de radiotherapie du cantal aurillac "
        "elle a ete operee en deux mille vingt deux au chu grenoble alpes puis suivie point";
    assert_int_equal(RULE(a, "cantal"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "radiotherapie"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "alpes"), AT_PHI_HOPITAL);
    assert_int_equal(RULE(a, "suivie"), 0);
}

/* A saint's name of two parts that no other pass read is a place (the
 * rule leaves a feast, "la Saint-Jean"; the allow-list reads that one). */
static void test_saint_compounds(void **state)
{
    (void)state;
    assert_int_equal(RULE("Obsèques prévues jeudi à l'église de Saint-Laurent, 14 h.", "Saint-Laurent"),
                     AT_PHI_VILLE);
    assert_int_equal(RULE("Originaire de Saint-Pierre (La Réunion), vit seul.", "Saint-Pierre"),
                     AT_PHI_VILLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),          cmocka_unit_test(test_towns_that_name_scores),
        cmocka_unit_test(test_unaccented_a),    cmocka_unit_test(test_letters_from_abroad),
        cmocka_unit_test(test_saint_compounds), cmocka_unit_test(test_transcript_establishments),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
