/* Unit tests for the de-identifier's classes of issue #12, round 25.
 * Every string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"
#include "text/deid_scan.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

/* A capitalised particle right after the title takes the word after it,
 * though a word of the language or before a colon; a particle may open a
 * name's field's value. */
static void test_particle_after_title(void **state)
{
    (void)state;
    static const char a[] = "scanner fait, CR de Dr Le Bot : verre d\xC3\xA9poli bilat\xC3\xA9ral.\n";
    assert_int_equal(label_nth(det, a, "Le", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "Bot", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "verre", 0), 0);
    static const char b[] = "Patient : de Kerguelen Tanguy, n\xC3\xA9 le 08/08/1970\n";
    assert_int_equal(label_nth(det, b, "Kerguelen", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, b, "Tanguy", 0), AT_PHI_PRENOM);
    /* (a particle's word in lower case opens no name) */
    static const char c[] = "Patient : de retour \xC3\xA0 domicile.\n";
    assert_int_equal(label_nth(det, c, "retour", 0), 0);
}

/* A word with a digit is no first name joined to a list of first names;
 * a sum of money is no one's number. */
static void test_ages_and_money(void **state)
{
    (void)state;
    static const char a[] = "mme ribeiro ana paula, 42a, G3P2, vient avec son mari\n";
    assert_int_equal(label_nth(det, a, "42a", 0), 0);
    assert_int_equal(label_nth(det, a, "G3P2", 0), 0);
    static const char b[] = "estimation par l'office notarial de Me Caudron (68 000 \xE2\x82\xAC) et "
                            "reste \xC3\xA0 charge 1 562,25 \xE2\x82\xAC, soit 300 euros par mois\n";
    assert_int_equal(label_nth(det, b, "68", 0), 0);
    assert_int_equal(label_nth(det, b, "562", 0), 0);
    assert_int_equal(label_nth(det, b, "300", 0), 0);
    assert_int_equal(label_nth(det, b, "euros", 0), 0);
}

/* Days listed before a date, and two months joined, are dates; a
 * device's number before a range of days is none. */
static void test_day_lists_and_month_spans(void **state)
{
    (void)state;
    static const char a[] = "curieth\xC3\xA9rapie les 20, 23, 27 et 30/10.\n"
                            "arr\xC3\xAAts de travail : 1 (mai \xC3\xA0 juillet 2022).\n";
    assert_int_equal(label_nth(det, a, "20", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "23", 0), AT_PHI_DATE);
    assert_int_equal(label_nth(det, a, "mai", 0), AT_PHI_DATE);
    static const char b[] = "Interruption (panne acc\xC3\xA9l\xC3\xA9rateur Linac 2, 29-30/09).\n"
                            "Mars et V\xC3\xA9nus sont des plan\xC3\xA8tes.\n";
    assert_int_equal(label_nth(det, b, "2", 0), 0);
    assert_int_equal(label_nth(det, b, "29", 0), AT_PHI_DATE);
}

/* A lower-case initial after a title, and the surname after it; not a
 * verb after "dr", nor a message's "c" for "c'est". */
static void test_lower_initials_after_title(void **state)
{
    (void)state;
    static const char a[] = "pour : dr b. dauphin, clinique du parc\n"
                            "amiti\xC3\xA9s docteur a dubus copie au dossier\n";
    assert_int_equal(label_nth(det, a, "b", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, a, "dauphin", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "dubus", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "copie", 0), 0);
    static const char b[] = "le dr a dit que tout va bien\nle dr a prescrit du doliprane\n"
                            "bjr docteur c moi qui ai appel\xC3\xA9\n";
    assert_int_equal(label_nth(det, b, "dit", 0), 0);
    assert_int_equal(label_nth(det, b, "prescrit", 0), 0);
    assert_int_equal(label_nth(det, b, "moi", 0), 0);
}

/* A table of fields and values whose first row is the patient's: the
 * rows below are fields too, when the next one opens with a birth's or a
 * record number's label; their labels stay. */
static void test_field_value_table(void **state)
{
    (void)state;
    static const char a[] = "| Champ            | Valeur |\n"
                            "|------------------|--------|\n"
                            "| Patient          | DUFOUR Romain |\n"
                            "| DDN              | 19/12/1996 |\n"
                            "| Localisation     | cuisse gauche |\n"
                            "| Histologie       | liposarcome myxo\xC3\xAF"
                            "de |\n";
    assert_int_equal(label_nth(det, a, "DUFOUR", 0), AT_PHI_NOM);
    assert_int_equal(label_nth(det, a, "Romain", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, a, "Localisation", 0), 0);
    assert_int_equal(label_nth(det, a, "Histologie", 0), 0);
}

/* A protein change over a span of residues and a count per unit are no
 * one's codes; a reference with letters after its number still is. */
static void test_variants_and_counts(void **state)
{
    (void)state;
    static const char a[] = "EGFR exon 19 del (E746_A750del), ERBB2 A775_G776insYVMA\n"
                            "reprise si PNN > 1000/mm3, plaquettes 150000/mm3\n";
    assert_int_equal(label_nth(det, a, "E746_A750del", 0), 0);
    assert_int_equal(label_nth(det, a, "A775_G776insYVMA", 0), 0);
    assert_int_equal(label_nth(det, a, "1000", 0), 0);
    static const char d[] = "BRCA1 c.5266dupC (p. Gln1756ProfsTer74), TP53 Arg273His\n";
    assert_int_equal(label_nth(det, d, "Gln1756ProfsTer74", 0), 0);
    assert_int_equal(label_nth(det, a, "150000", 0), 0);
    static const char c[] = "Sch\xC3\xA9ma dentaire : 18 17 16 15 14 13 12 11\nR\xC3\xA9"
                            "f 12 34 56 78 90\n";
    assert_int_equal(label_nth(det, c, "15", 0), 0);
    assert_int_equal(label_nth(det, c, "56", 0), AT_PHI_ID);
    static const char b[] = "Dossier n\xC2\xB0 R2024_B118 transmis ; r\xC3\xA9"
                            "f 123456/AB\n";
    assert_int_equal(label_nth(det, b, "123456", 0), AT_PHI_ID);
}

/* A street in lower case without a number in digits, a number said
 * before it; a loading dock and a dirt track are no streets. */
static void test_lower_streets(void **state)
{
    (void)state;
    static const char a[] = "am\xC3\xA8ne par voisin (m. reynaud, chemin des p\xC3\xA9nitents, embrun)\n"
                            "retour au domicile trois rue des fours \xC3\xA0 chaux point\n";
    assert_int_equal(label_nth(det, a, "chemin", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, a, "p\xC3\xA9nitents", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, a, "trois", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, a, "fours", 0), AT_PHI_ADRESSE);
    assert_int_equal(label_nth(det, a, "point", 0), 0);
    static const char b[] = "lombalgie (chute de quai de chargement), acc\xC3\xA8s par un chemin de terre\n";
    assert_int_equal(label_nth(det, b, "chargement", 0), 0);
    assert_int_equal(label_nth(det, b, "terre", 0), 0);
}

/* Lower-case establishments: words of the language that describe the
 * head before its particle, "ch" before a particle; not an adjective's
 * "clinique", nor a room's "ch". */
static void test_lower_establishments_described(void **state)
{
    (void)state;
    static const char a[] = "tep fdg au centre de m\xC3\xA9"
                            "decine nucl\xC3\xA9"
                            "aire de l'oust point\n"
                            "urgences ch des hautes-terres de durance - obs m\xC3\xA9"
                            "dicale\n";
    assert_int_equal(label_nth(det, a, "oust", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a,
                               "nucl\xC3\xA9"
                               "aire",
                               0),
                     AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "durance", 0), AT_PHI_HOPITAL);
    assert_int_equal(label_nth(det, a, "point", 0), 0);
    assert_int_equal(label_nth(det, a, "obs", 0), 0);
    static const char b[] = "participe \xC3\xA0 un essai clinique n\xC3\xA9"
                            "cessitant des visites "
                            "hebdomadaires\nch 12 lit 3 : douleur\n";
    assert_int_equal(label_nth(det, b, "visites", 0), 0);
    assert_int_equal(label_nth(det, b, "lit", 0), 0);
}

/* Initials a legend defines are that person's wherever they stand; a
 * letter's reference gives its author's and typist's initials; a unit
 * after '/' and a route before a dose stay. */
static void test_defined_initials(void **state)
{
    (void)state;
    static const char a[] = "lun 30/03|AG + MLT|Soraya|Bertin\n"
                            "mar 31/03|AG|CV + Soraya|Bertin\n"
                            "L\xC3\xA9gende : AG = Agn\xC3\xA8s Gu\xC3\xA9rin, MLT = Marie-Laure Tessier, "
                            "CV = Cyril Vidal\n"
                            "BORT\xC3\x89ZOMIB SC 1,3 mg/m2, AG de contr\xC3\xB4le\n";
    for (int n = 0; n < 2; n++) { /* (a person's, first name or surname) */
        int l = label_nth(det, a, "AG", n), m = label_nth(det, a, "MLT", n), c = label_nth(det, a, "CV", n);
        assert_true(l == AT_PHI_NOM || l == AT_PHI_PRENOM);
        assert_true(m == AT_PHI_NOM || m == AT_PHI_PRENOM);
        assert_true(c == AT_PHI_NOM || c == AT_PHI_PRENOM);
    }
    assert_int_equal(label_nth(det, a, "SC", 0), 0);
    static const char b[] = "R\xC3\xA9"
                            "f. : HG/mlb\nCC/jv - Dict\xC3\xA9 le 02/12\n"
                            "h\xC3\xA9parine 100 UI/kg/j\n";
    static const char *const refs[] = {"HG", "mlb", "CC", "jv"};
    for (int r = 0; r < 4; r++) {
        int l = label_nth(det, b, refs[r], 0);
        assert_true(l == AT_PHI_NOM || l == AT_PHI_PRENOM);
    }
    assert_int_equal(label_nth(det, b, "UI", 0), 0);
}

/* A lower-case initial and its point beside a lower-case name found is
 * that person's; "m." before a name is a title. */
static void test_lower_initials_beside_names(void **state)
{
    (void)state;
    static const char a[] = "participants : aubry, tessier, j. ferrand (anapath)\n"
                            "vu avec m. dupont hier\n";
    assert_int_equal(label_nth(det, a, "j", 0), AT_PHI_PRENOM);
    assert_int_equal(label_nth(det, a, "m", 0), 0);
    assert_int_equal(label_nth(det, a, "dupont", 0), AT_PHI_NOM);
}

/* A set of words, not sorted by its first letters, finds its own words
 * and no other word of their length whose bytes after the first match
 * one of them ("eu" is not "au", "germe" not "ferme"). */
static void test_word_index_first_byte(void **state)
{
    (void)state;
    static const char *const words[] = {"au", "ferme", "en", "aux", "forges", "ste", NULL};
    static const char *const many[] = {"au", "ferme", "en", "aux", "forges", "ste", "a", "b", "c", "d", "e",
                                       "f",  "g",     "h",  "i",   "j",      "k",   "l", "m", "n", "o", "p",
                                       "q",  "r",     "s",  "t",   "u",      "v",   "w", "x", "y", "z", NULL};
    for (int k = 0; k < 2; k++) {
        text_word_index x;
        memset(&x, 0, sizeof x);
        x.set = k ? many : words;
        text_word_index_build(&x);
        assert_true(text_word_index_has(&x, "au", 2));
        assert_true(text_word_index_has(&x, "ferme", 5));
        assert_true(text_word_index_has(&x, "forges", 6));
        assert_false(text_word_index_has(&x, "eu", 2));
        assert_false(text_word_index_has(&x, "eux", 3));
        assert_false(text_word_index_has(&x, "an", 2));
        assert_false(text_word_index_has(&x, "germe", 5));
        assert_false(text_word_index_has(&x, "ete", 3));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_particle_after_title),
        cmocka_unit_test(test_ages_and_money),
        cmocka_unit_test(test_day_lists_and_month_spans),
        cmocka_unit_test(test_lower_initials_after_title),
        cmocka_unit_test(test_field_value_table),
        cmocka_unit_test(test_variants_and_counts),
        cmocka_unit_test(test_lower_streets),
        cmocka_unit_test(test_lower_establishments_described),
        cmocka_unit_test(test_defined_initials),
        cmocka_unit_test(test_lower_initials_beside_names),
        cmocka_unit_test(test_word_index_first_byte),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
