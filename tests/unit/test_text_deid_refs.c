/* Unit tests for what the de-identifier leaves around identifiers: the
 * public references (deid_refs.c: articles of codes, laws and regulations,
 * cerfa forms and OIDs keep their numbers, while record numbers of the
 * same shapes without that context are still taken) and the unit of an
 * age over 89 (the number is the identifier; "90 ans ou plus" replaces
 * number and unit once), and the English grammatical words of a letter.
 * Every string is invented here. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define KEPT(text, needle) assert_int_equal(label_of(text, needle), 0)
#define TAKEN(text, needle) assert_int_not_equal(label_of(text, needle), 0)

static void test_articles(void **state)
{
    (void)state;
    static const char a[] =
        "Information délivrée selon l'article L1112-7 du CSP et l'art. R. 5132-31 du Code "
        "de la santé publique.";
    KEPT(a, "L1112-7");
    KEPT(a, "5132-31");
    static const char b[] = "Prise en charge au titre de l'art. D. 322-4-2 du CSS.";
    KEPT(b, "322-4-2");
    /* the same shapes as a patient's record, no article nor code beside */
    static const char c[] = "Dossier patient n° L4417-2, prélèvement R2291-35 reçu ce jour.";
    TAKEN(c, "L4417-2");
}

static void test_laws_forms_oids(void **state)
{
    (void)state;
    static const char a[] = "Essai conduit selon le règlement (UE) n° 745/2017 et le décret n° 2019-1127.";
    KEPT(a, "745/2017");
    KEPT(a, "2019-1127");
    static const char b[] = "Bon de transport : formulaire cerfa n° 50742*03 signé.";
    KEPT(b, "50742");
    static const char c[] = "Messagerie : identifiant de l'annuaire 1.2.250.1.71.4.2.1 (OID du répertoire).";
    KEPT(c, "1.2.250.1.71.4.2.1");
    /* a record number after its label stays one */
    static const char d[] = "N° de dossier : 2019-1127, adhérent n° 50742.";
    TAKEN(d, "2019-1127");
    TAKEN(d, "50742");
}

static void test_age(void **state)
{
    (void)state;
    static const char a[] = "Patiente de 94 ans, sa mère (98 a) ; grand-père âgé de 96 a reçu la lettre.";
    assert_int_equal(label_of(a, "94"), AT_PHI_AGE);
    assert_int_equal(label_of(a, "98"), AT_PHI_AGE);
    assert_int_equal(label_of(a, "96"), AT_PHI_AGE);
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(det, a, strlen(a), &sp), AT_OK);
    /* the span is what is rewritten: the unit with the number ("94 ans",
     * "98 a"), not a verb after it ("96 a reçu") */
    const char *const ages[] = {"94 ans", "98 a)", "96 a re"};
    const size_t lens[] = {6, 4, 2};
    for (size_t k = 0; k < 3; k++) {
        size_t at = (size_t)(strstr(a, ages[k]) - a), found = 0;
        for (size_t i = 0; i < sp.n; i++)
            if (sp.v[i].start == at && sp.v[i].label == AT_PHI_AGE) {
                assert_int_equal(sp.v[i].len, lens[k]);
                found = 1;
            }
        assert_true(found);
    }
    at_buf out;
    at_buf_init(&out, 1 << 16);
    assert_int_equal(at_text_deid_apply(a, strlen(a), &sp, AT_TEXT_REDACT, NULL, NULL, &out), AT_OK);
    assert_int_equal(at_buf_putc(&out, 0), AT_OK);
    assert_string_equal((const char *)out.data,
                        "Patiente de 90 ans ou plus, sa mère (90 ans ou plus) ; grand-père "
                        "âgé de 90 ans ou plus a reçu la lettre.");
    at_buf_free(&out);
    at_text_spans_free(&sp);
}

/* A letter written in English: its grammatical words and formulae stay,
 * its names go. */
static void test_english_letter(void **state)
{
    (void)state;
    static const char a[] = "Dear colleague,\nThank you for seeing Mr Halvorsen with his wife. She says they "
                            "will come back next week.\nYours sincerely,\nDr Ingrid Solberg";
    KEPT(a, "Thank");
    KEPT(a, "his");
    KEPT(a, "She");
    KEPT(a, "Yours");
    TAKEN(a, "Halvorsen");
    TAKEN(a, "Solberg");
}

/* Title-cased lines (headings, a model's terms title-cased by the
 * airlock): the capitals say nothing of a name. */
static void test_title_case(void **state)
{
    (void)state;
    KEPT("Traitement Bonne", "Bonne");
    KEPT("Rectal Aucune", "Aucune");
    KEPT("Particularite Bonne", "Bonne");
    KEPT("Compte Rendu De Consultation Oncologique\nRAS.", "Consultation");
    /* a cue still names one */
    TAKEN("Vue ce jour par Mme Bonne, infirmière.", "Bonne");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_articles),   cmocka_unit_test(test_laws_forms_oids),
        cmocka_unit_test(test_age),        cmocka_unit_test(test_english_letter),
        cmocka_unit_test(test_title_case),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
