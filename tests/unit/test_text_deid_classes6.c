/* Unit tests for the de-identifier's classes of issue #12, round 6: a
 * note written in lower case, the document's consistency (a word labelled
 * once is labelled at its other mentions, an address's domain names the
 * establishment's acronym), acronyms in an establishment's place,
 * establishments named before an English head or with their head in
 * lower case, and dotted initials that sign a line. Every string is
 * invented here; none is a fixture of patient data. */
#include "text_label.h"
#include "text_scan_at.h"

#include "atelier/text.h"
#include "text/tagger.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define FOUND(d, text, needle) assert_true(label_nth(d, text, needle, 0) != 0)
#define KEPT(d, text, needle) assert_int_equal(label_nth(d, text, needle, 0), 0)

/* A note is written in lower case when most of its sentences open so. */
static void test_lower_case_note(void **state)
{
    (void)state;
    static const char low[] = "cs onco digestive - jeudi\npt vu ce jour avec sa fille.\n"
                              "adressé par son médecin pour bilan.\nexam : ps 1, poids stable.\n"
                              "cat : reprise de la chimiothérapie.\n";
    static const char normal[] = "Consultation d'oncologie digestive.\nPatient vu ce jour avec sa fille.\n"
                                 "Adressé par son médecin pour bilan.\nExamen : PS 1, poids stable.\n"
                                 "Conduite : reprise de la chimiothérapie.\n";
    text_scan s;
    text_names nm;
    scan(&s, &nm, low);
    assert_int_equal(tag_lower_case_text(&s), 1);
    deid_scan_free(&s);
    scan(&s, &nm, normal);
    assert_int_equal(tag_lower_case_text(&s), 0);
    deid_scan_free(&s);
    /* three lines are too few to say */
    scan(&s, &nm, "vu ce jour.\nras.\nà revoir.\n");
    assert_int_equal(tag_lower_case_text(&s), 0);
    deid_scan_free(&s);
}

/* A word labelled once, that no list of the language holds, is labelled
 * at its other mentions in any case; a word of the language is not. */
static void test_consistency(void **state)
{
    (void)state;
    static const char t[] = "Suivie au Kervadec depuis mars. Bilan fait, retour au kervadec prévu.\n"
                            "Le Centre reste joignable ; le centre aussi.\n";
    text_scan s;
    text_names nm;
    scan(&s, &nm, t);
    size_t k1 = tok_at(&s, t, "Kervadec"), k2 = tok_at(&s, t, "kervadec");
    size_t c1 = tok_at(&s, t, "Centre"), c2 = tok_at(&s, t, "centre aussi");
    memset(s.lab, 0, s.n); /* whatever the rules said: only the labels set here */
    assert_true(mark(&s, k1, k1 + 1, AT_PHI_HOPITAL));
    assert_true(mark(&s, c1, c1 + 1, AT_PHI_HOPITAL));
    deid_names_add_labelled(&s, 0);
    deid_pass_mentions(&s);
    assert_int_equal(s.lab[k2], AT_PHI_HOPITAL);
    assert_int_equal(s.lab[c2], 0); /* a head of the language's words */
    deid_scan_free(&s);
}

/* The domain of an address names the establishment's acronym elsewhere;
 * a mail provider's or a host's service does not. */
static void test_domain_acronym(void **state)
{
    (void)state;
    static const char t[] = "Contact : accueil@ctvk-brest.example.fr et patient.x@gmail.example.com\n"
                            "voir compte rendu ctvk joint.\nvoir aussi gmail.\n";
    text_scan s;
    text_names nm;
    scan(&s, &nm, t);
    size_t a = tok_at(&s, t, "ctvk joint"), g = tok_at(&s, t, "gmail.\n");
    deid_pass_mentions(&s);
    assert_int_equal(s.lab[a], AT_PHI_HOPITAL);
    assert_int_equal(s.lab[g], 0);
    deid_scan_free(&s);
}

/* An unknown acronym with a town or "site" after it, or after a word of
 * care and "à l'", is an establishment; abbreviations of measures are
 * kept. */
static void test_acronym_place(void **state)
{
    (void)state;
    static const char t[] = "Patiente suivie à l'IRVQ pour son cancer. Dosage HDL normal.\n";
    text_scan s;
    text_names nm;
    scan(&s, &nm, t);
    assert_int_equal(deid_acronym_place(&s, tok_at(&s, t, "IRVQ")), 1);
    assert_int_equal(deid_acronym_place(&s, tok_at(&s, t, "HDL")), 0);
    deid_scan_free(&s);
    static const char u[] = "Bilan fait au CMVZ site de Landerneau, puis score PPS stable.\n";
    scan(&s, &nm, u);
    assert_int_equal(deid_acronym_place(&s, tok_at(&s, u, "CMVZ")), 1);
    assert_int_equal(deid_acronym_place(&s, tok_at(&s, u, "PPS")), 0);
    deid_scan_free(&s);
}

/* Establishments named before an English head, and with their head in
 * lower case (schools as employers); common nouns before a name are not
 * taken. */
static void test_establishments(void **state)
{
    (void)state;
    static const char e[] =
        "Second opinion obtained from Riverside General Hospital, then from the Glenmoor Cancer Centre.\n";
    FOUND(rules, e, "Riverside");
    FOUND(rules, e, "Hospital");
    FOUND(rules, e, "Glenmoor");
    FOUND(rules, e, "Cancer Centre");
    KEPT(rules, "The General Hospital policy applies.\n", "General");
    static const char f[] = "Elle travaille à l'école primaire de Trévenec depuis 2010.\n";
    FOUND(rules, f, "école");
    FOUND(rules, f, "primaire");
    static const char g[] = "Bilan réalisé au laboratoire de biologie moléculaire du CHBZ.\n";
    FOUND(rules, g, "laboratoire");
    FOUND(rules, g, "biologie");
    KEPT(rules, "Analyse au laboratoire de biologie moléculaire, résultat normal.\n", "laboratoire");
    FOUND(det, e, "Riverside");
}

/* Dotted initials that sign a line; dotted abbreviations inside a
 * sentence are kept. */
static void test_signing_initials(void **state)
{
    (void)state;
    static const char t[] = "Dispensation faite, ordonnance validée T.K.\n"
                            "Pas d'effet indésirable signalé ce jour. J.-P.\n"
                            "Saisie dans le cahier par R.M.\n"
                            "Injection S.C. quotidienne, voie I.V. si besoin.\n";
    FOUND(rules, t, "T.K");
    FOUND(rules, t, "J.-P");
    FOUND(rules, t, "R.M");
    KEPT(rules, t, "S.C");
    KEPT(rules, t, "I.V");
    FOUND(det, t, "T.K");
}

/* A rural address after its place word in lower case; the place word as a
 * noun is kept. */
static void test_rural_lower(void **state)
{
    (void)state;
    static const char t[] = "Domicile : lieu-dit la haute lande, 22110 Plounévez.\n"
                            "Vit maison Etcheverrito avec son fils.\n"
                            "Le lieu-dit porte bien son nom.\n";
    FOUND(rules, t, "haute");
    FOUND(rules, t, "lande");
    FOUND(rules, t, "Etcheverrito");
    KEPT(rules, t, "porte");
    FOUND(det, t, "haute");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_case_note), cmocka_unit_test(test_consistency),
        cmocka_unit_test(test_domain_acronym),  cmocka_unit_test(test_acronym_place),
        cmocka_unit_test(test_establishments),  cmocka_unit_test(test_signing_initials),
        cmocka_unit_test(test_rural_lower),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
