/* Unit tests for extraction: each mention type, qualifiers, relative dates,
 * and the figures on held-out synthetic notes. */
#include "support.h"

#include "atelier/synth.h"
#include "atelier/text.h"
#include "text/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_text_extractor *ex;

static int setup(void **state)
{
    (void)state;
    return at_text_extractor_new(NULL, &ex) == AT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    at_text_extractor_free(ex);
    return 0;
}

static const at_text_mention *find(const at_text_mentions *m, const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].start == (size_t)(hit - text))
            return &m->v[i];
    return NULL;
}

static void test_mentions(void **state)
{
    (void)state;
    const char *t =
        "Consultation du 12/03/2024.\nPatiente de 63 ans, ECOG 2, sous FOLFIRI cycle 4. "
        "Irinotécan 180 mg/m² IV, Xeloda 1000 mg per os. Tumeur pT3 N1 M0. "
        "Mucite G2. Pas de neutropénie fébrile. Colite à éliminer. Antécédent de thrombose. "
        "Cancer chez sa sœur traité par cisplatine. Fièvre depuis hier. Contrôle dans 2 semaines.";
    at_text_mentions m = {0};
    assert_int_equal(at_text_extract(ex, t, strlen(t), NULL, &m), AT_OK);
    const at_text_mention *x;
    assert_non_null(x = find(&m, t, "12/03/2024"));
    assert_string_equal(x->value, "2024-03-12");
    assert_non_null(x = find(&m, t, "ECOG 2"));
    assert_int_equal(x->type, AT_MENTION_PS);
    assert_non_null(x = find(&m, t, "FOLFIRI"));
    assert_int_equal(x->type, AT_MENTION_REGIMEN);
    assert_int_equal(x->cycle, 4);
    assert_non_null(x = find(&m, t, "Irinotécan"));
    assert_string_equal(x->code, "L01CE02");
    assert_non_null(x = find(&m, t, "180 mg"));
    assert_string_equal(x->value, "180 mg/m2");
    assert_non_null(x = find(&m, t, "Xeloda"));
    assert_string_equal(x->value, "capécitabine");
    assert_non_null(x = find(&m, t, "per os"));
    assert_string_equal(x->value, "PO");
    assert_non_null(x = find(&m, t, "pT3"));
    assert_int_equal(x->type, AT_MENTION_TNM);
    assert_non_null(x = find(&m, t, "Mucite"));
    assert_int_equal(x->grade, 2);
    assert_int_equal(x->qual, 0);
    assert_non_null(x = find(&m, t, "neutropénie fébrile"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    assert_non_null(x = find(&m, t, "Colite"));
    assert_int_equal(x->qual, AT_QUAL_HYPOTHESIS);
    assert_non_null(x = find(&m, t, "thrombose"));
    assert_int_equal(x->qual, AT_QUAL_HISTORY);
    assert_non_null(x = find(&m, t, "cisplatine"));
    assert_int_equal(x->qual, AT_QUAL_FAMILY);
    assert_non_null(x = find(&m, t, "hier"));
    assert_string_equal(x->value, "2024-03-11");
    assert_non_null(x = find(&m, t, "dans 2 semaines"));
    assert_string_equal(x->value, "2024-03-26");
    assert_non_null(x = find(&m, t, "63 ans")); /* an age, not a dose */
    assert_int_equal(x->type, AT_MENTION_AGE);
    assert_string_equal(x->value, "63");
    at_text_mentions_free(&m);
}

/* Extract t and return the mention starting at needle (NULL if none). */
static const at_text_mention *one(at_text_mentions *m, const char *t, const char *doc_date,
                                  const char *needle)
{
    at_text_mentions_free(m);
    assert_int_equal(at_text_extract(ex, t, strlen(t), doc_date, m), AT_OK);
    return find(m, t, needle);
}

/* The writings and scopes the audit found wrong. */
static void test_writings(void **state)
{
    (void)state;
    at_text_mentions m = {0};
    const at_text_mention *x;
    /* ISO dates are dates, and the document date for relative ones */
    const char *t = "Consultation du 2024-03-12. Fièvre depuis hier.";
    assert_non_null(x = one(&m, t, NULL, "2024-03-12"));
    assert_int_equal(x->type, AT_MENTION_DATE);
    assert_string_equal(x->value, "2024-03-12");
    assert_int_equal(x->len, 10);
    assert_non_null(x = find(&m, t, "hier"));
    assert_string_equal(x->value, "2024-03-11");
    /* calendar months, not 30 days; years; the day clamped */
    t = "Scanner il y a 2 mois, biopsie il y a 1 an, contrôle dans 3 mois.";
    assert_non_null(x = one(&m, t, "2024-05-15", "il y a 2 mois"));
    assert_string_equal(x->value, "2024-03-15");
    assert_non_null(x = find(&m, t, "il y a 1 an"));
    assert_string_equal(x->value, "2023-05-15");
    assert_non_null(x = find(&m, t, "dans 3 mois"));
    assert_string_equal(x->value, "2024-08-15");
    assert_non_null(x = one(&m, "Bilan il y a un mois.", "2024-03-31", "il y a un mois"));
    assert_string_equal(x->value, "2024-02-29");
    /* the grade belongs to its event; "mais" ends the negation */
    t = "Pas de nausées ni de vomissements, mais mucite grade 2.";
    assert_non_null(x = one(&m, t, NULL, "nausées"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    assert_non_null(x = find(&m, t, "vomissements"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    assert_int_equal(x->grade, 0);
    assert_non_null(x = find(&m, t, "mucite"));
    assert_int_equal(x->qual, 0);
    assert_int_equal(x->grade, 2);
    /* a comma that starts a new, graded event ends it too; "sans" after an
     * event does not negate it */
    t = "Diarrhée grade 3 sans fièvre. Pas de mucite, neutropénie fébrile grade 4.";
    assert_non_null(x = one(&m, t, NULL, "Diarrhée"));
    assert_int_equal(x->grade, 3);
    assert_int_equal(x->qual, 0);
    assert_non_null(x = find(&m, t, "mucite"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    assert_non_null(x = find(&m, t, "neutropénie fébrile"));
    assert_int_equal(x->qual, 0);
    assert_int_equal(x->grade, 4);
    /* a list after a comma stays negated */
    t = "Pas de nausées, de vomissements ni de diarrhée.";
    assert_non_null(x = one(&m, t, NULL, "vomissements"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    assert_non_null(x = find(&m, t, "diarrhée"));
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    /* grades in roman numerals and ranges (the higher), G3 */
    t = "Neutropénie grade III. Mucite grade 2-3. Diarrhée G4. Asthénie de grade 1.";
    assert_non_null(x = one(&m, t, NULL, "Neutropénie"));
    assert_int_equal(x->grade, 3);
    assert_non_null(x = find(&m, t, "Mucite"));
    assert_int_equal(x->grade, 3);
    assert_non_null(x = find(&m, t, "Diarrhée"));
    assert_int_equal(x->grade, 4);
    assert_non_null(x = find(&m, t, "Asthénie"));
    assert_int_equal(x->grade, 1);
    for (size_t i = 0; i < m.n; i++)
        assert_int_not_equal(m.v[i].type, AT_MENTION_ROUTE); /* "IV" of a grade is no route */
    /* doses glued to their unit */
    assert_non_null(x = one(&m, "Oxaliplatine 75mg/m2 IV.", NULL, "75mg"));
    assert_int_equal(x->type, AT_MENTION_DOSE);
    assert_string_equal(x->value, "75 mg/m2");
    /* performance status writings */
    t = "OMS à 3. Performance status 2. ECOG 1. PS 0.";
    const char *ps[][2] = {
        {"OMS à 3", "ECOG 3"}, {"Performance status 2", "ECOG 2"}, {"ECOG 1", "ECOG 1"}, {"PS 0", "ECOG 0"}};
    for (int k = 0; k < 4; k++) {
        assert_non_null(x = one(&m, t, NULL, ps[k][0]));
        assert_int_equal(x->type, AT_MENTION_PS);
        assert_int_equal(x->len, strlen(ps[k][0]));
        assert_string_equal(x->value, ps[k][1]);
    }
    /* the cycle before the regimen */
    t = "C4 FOLFIRINOX bien toléré. Cycle 4 de R-CHOP le 12/03/2024. XELOX cycle 2.";
    assert_non_null(x = one(&m, t, NULL, "C4 FOLFIRINOX"));
    assert_int_equal(x->type, AT_MENTION_REGIMEN);
    assert_string_equal(x->value, "FOLFIRINOX");
    assert_int_equal(x->cycle, 4);
    assert_int_equal(x->len, strlen("C4 FOLFIRINOX"));
    assert_non_null(x = find(&m, t, "Cycle 4 de R-CHOP"));
    assert_string_equal(x->value, "R-CHOP");
    assert_int_equal(x->cycle, 4);
    assert_non_null(x = find(&m, t, "XELOX"));
    assert_int_equal(x->cycle, 2);
    /* ages and prior admissions */
    t = "Homme de 78 ans, OMS à 3, XELOX. Hospitalisé 3 fois dans l'année. Patiente âgée de 64 ans. "
        "Antécédent de deux hospitalisations. Aucune hospitalisation antérieure.";
    assert_non_null(x = one(&m, t, NULL, "78 ans"));
    assert_int_equal(x->type, AT_MENTION_AGE);
    assert_string_equal(x->value, "78");
    assert_non_null(x = find(&m, t, "Hospitalisé 3 fois"));
    assert_int_equal(x->type, AT_MENTION_ADMISSION);
    assert_string_equal(x->value, "3");
    assert_non_null(x = find(&m, t, "64 ans"));
    assert_string_equal(x->value, "64");
    assert_non_null(x = find(&m, t, "deux hospitalisations"));
    assert_string_equal(x->value, "2");
    assert_int_equal(x->qual, AT_QUAL_HISTORY);
    assert_non_null(x = find(&m, t, "hospitalisation antérieure"));
    assert_string_equal(x->value, "0");
    assert_int_equal(x->qual, AT_QUAL_NEGATED);
    at_text_mentions_free(&m);
}

/* Every allocation of extraction may fail: no crash, no leak (ASan). */
static void test_alloc_failures(void **state)
{
    (void)state;
    const char *t =
        "Consultation du 2024-03-12. Homme de 78 ans, OMS à 3, C4 FOLFIRINOX. Pas de mucite, "
        "neutropénie fébrile grade 4. Oxaliplatine 85mg/m2 IV. Hospitalisé 3 fois. Scanner il y a 2 mois.";
    for (long n = 1; n < 8; n++) {
        at_text_mentions m = {0};
        at_alloc_fail_after(n);
        at_status st = at_text_extract(ex, t, strlen(t), NULL, &m);
        at_alloc_fail_after(0);
        assert_true(st == AT_OK || st == AT_ERR_NOMEM);
        at_text_mentions_free(&m);
    }
    for (long n = 1; n < 40; n++) {
        at_text_extractor *x = NULL;
        at_alloc_fail_after(n);
        at_status st = at_text_extractor_new(NULL, &x);
        at_alloc_fail_after(0);
        assert_true(st == AT_OK || st == AT_ERR_NOMEM);
        assert_true(st == AT_OK || x == NULL);
        at_text_extractor_free(x);
    }
}

/* 1 when m holds a DATE mention of value v. */
static int has_date(const at_text_mentions *m, const char *v)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].type == AT_MENTION_DATE && !strcmp(m->v[i].value, v))
            return 1;
    return 0;
}

/* A day not on the calendar is no date (it was rolled over: 31/02/2024
 * gave 2024-03-02), whatever its writing, and not the document date. */
static void test_impossible_dates(void **state)
{
    (void)state;
    at_text_mentions m = {0};
    const at_text_mention *x;
    static const char *const bad[] = {"31/02/2024", "29/02/2023",    "30/02/24",        "2024-02-30",
                                      "31/04/2024", "31 avril 2024", "29 février 2023", "30 février"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        char t[96];
        snprintf(t, sizeof t, "Vu le %s. Bilan.", bad[k]);
        assert_null(one(&m, t, NULL, bad[k]));
        assert_int_equal(m.n, 0);
    }
    /* the leap day of a leap year is a date */
    assert_non_null(x = one(&m, "Vu le 29/02/2024.", NULL, "29/02/2024"));
    assert_string_equal(x->value, "2024-02-29");
    assert_non_null(x = one(&m, "Vu le 29 février 2024.", NULL, "29 février"));
    assert_string_equal(x->value, "2024-02-29");
    /* without a year: against the document's; unresolved, any year */
    assert_null(one(&m, "Vu le 29/02.", "2023-06-01", "29/02"));
    assert_non_null(x = one(&m, "Vu le 29/02.", "2024-06-01", "29/02"));
    assert_string_equal(x->value, "2024-02-29");
    assert_non_null(x = one(&m, "Vu le 29/02.", NULL, "29/02"));
    assert_string_equal(x->value, "--02-29");
    assert_null(one(&m, "Vu le 31/04.", NULL, "31/04"));
    /* the document date is the first date of the calendar */
    const char *t = "Consultation du 31/02/2024, revu le 12/03/2024. Fièvre depuis hier.";
    assert_non_null(x = one(&m, t, NULL, "hier"));
    assert_string_equal(x->value, "2024-03-11");
    assert_false(has_date(&m, "2024-03-02"));
    assert_non_null(x = one(&m, "Consultation du 31/02/2024. Fièvre depuis hier.", NULL, "hier"));
    assert_string_equal(x->value, "relative:-1d");
    /* a document date given must be one */
    at_text_mentions_free(&m);
    static const char *const docs[] = {"2024-02-30", "2023-02-29", "hello", "2024-3-1"};
    for (size_t k = 0; k < sizeof docs / sizeof *docs; k++) {
        assert_int_equal(at_text_extract(ex, "Fièvre depuis hier.", 20, docs[k], &m), AT_ERR_ARG);
        assert_null(strstr(at_error_message(), docs[k]));
    }
    assert_non_null(x = one(&m, "Fièvre depuis hier.", "2024-03-01", "hier"));
    assert_string_equal(x->value, "2024-02-29");
    at_text_mentions_free(&m);
}

/* A date without a year and no year to take it in (no --date, no full
 * date in the note) is the ISO 8601 month-day "--MM-DD", not an empty
 * value; with a year to take, a full date as before. */
static void test_yearless_month_day(void **state)
{
    (void)state;
    at_text_mentions m = {0};
    const at_text_mention *x;
    static const struct {
        const char *text, *needle, *value;
    } cases[] = {{"Revu le 12/03.", "12/03", "--03-12"},
                 {"Revu le 12 mars.", "12 mars", "--03-12"},
                 {"Revu le 1er mars.", "1er mars", "--03-01"},
                 {"Revu le 5 décembre.", "5 décembre", "--12-05"}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        assert_non_null(x = one(&m, cases[k].text, NULL, cases[k].needle));
        assert_int_equal(x->type, AT_MENTION_DATE);
        assert_string_equal(x->value, cases[k].value);
        assert_non_null(x = one(&m, cases[k].text, "2023-06-01", cases[k].needle));
        assert_string_equal(x->value + 4, cases[k].value + 1);
        assert_memory_equal(x->value, "2023", 4);
    }
    assert_non_null(x = one(&m, "Consultation du 01/06/2024. Revu le 12 mars.", NULL, "12 mars"));
    assert_string_equal(x->value, "2024-03-12");
    at_text_mentions_free(&m);
}

/* text repeated reps times after head, into a buffer (free). */
static char *repeat(const char *head, const char *text, size_t reps, size_t *len)
{
    size_t h = strlen(head), k = strlen(text);
    char *b = malloc(h + k * reps + 1);
    assert_non_null(b);
    memcpy(b, head, h);
    for (size_t i = 0; i < reps; i++)
        memcpy(b + h + i * k, text, k);
    b[h + k * reps] = 0;
    *len = h + k * reps;
    return b;
}

/* Many mentions in one clause (a note without punctuation): the scope of
 * the qualifiers is walked once, not back to the clause's start for each
 * mention (once quadratic: 7 s for 40,000 dates on one line). */
static void test_one_clause_linear(void **state)
{
    (void)state;
    static const char *const units[] = {"12/03/2024 ", "il y a 2 jours ", "mucite ", "mucite grade 2 , "};
    for (int u = 0; u < 4; u++) {
        size_t len, n = 0, reps = 20000;
        char *text = repeat("Pas de ", units[u], reps, &len);
        ex_tok *t = NULL;
        assert_int_equal(ex_tokenise(ex, text, len, &t, &n), AT_OK);
        ex_scope sc = {0};
        for (size_t i = 0; i < n; i++) /* every token a mention, graded or not */
            assert_int_equal(ex_qualify(&sc, t, n, i, i + 1, (int)(i & 1)) & ~AT_QUAL_NEGATED, 0);
        assert_true(sc.steps < n); /* each token walked once */
        at_free(t);
        at_text_mentions m = {0};
        assert_int_equal(at_text_extract(ex, text, len, "2024-03-12", &m), AT_OK);
        assert_int_equal(m.n, reps);
        for (size_t i = 0; i < m.n; i++) {
            /* all in the clause of "Pas de", but for the graded events after a comma */
            unsigned want = u == 3 && i > 0 ? 0 : AT_QUAL_NEGATED;
            assert_int_equal(m.v[i].qual, want);
        }
        at_text_mentions_free(&m);
        free(text);
    }
}

/* The scope as it was computed before it was carried forward: back from
 * each mention to its clause's start. The reference for the test below. */
static unsigned qualify_walking_back(const ex_tok *t, size_t a, int graded)
{
    size_t from = a;
    while (from > 0 && !(t[from].brk & EX_BRK_SENT) &&
           !((t[from].brk & EX_BRK_COMMA) && !(t[from].kw & KW_LIST) && graded) &&
           !(t[from - 1].kw & KW_SCOPE_END))
        from--;
    unsigned q = 0;
    for (size_t j = from; j < a; j++)
        q |= (t[j].kw & KW_NEG_PRE ? AT_QUAL_NEGATED : 0) | (t[j].kw & KW_HYP_PRE ? AT_QUAL_HYPOTHESIS : 0) |
             (t[j].kw & KW_FAM ? AT_QUAL_FAMILY : 0) | (t[j].kw & KW_HIST ? AT_QUAL_HISTORY : 0);
    return q;
}

/* The scope carried forward gives the qualifiers the walk back gave, on
 * random notes of cues, scope ends, list words, events and punctuation. */
static void test_scope_same_as_walking_back(void **state)
{
    (void)state;
    static const char *const words[] = {"pas",       "de",          "sans",      "ni",           "aucune",
                                        "suspicion", "probable",    "mère",      "familial",     "antécédent",
                                        "ATCD",      "mais",        "cependant", "sauf",         "et",
                                        "ou",        "d",           "mucite",    "diarrhée",     "grade",
                                        "3",         "neutropénie", "fébrile",   "négatif",      "à",
                                        "éliminer",  "12/03/2024",  "hier",      "oxaliplatine", "bilan"};
    static const char *const seps[] = {" ", " ", " ", " ", ", ", ". ", "; ", " : ", " (", ") ", "\n"};
    at_rng rng;
    at_rng_seed(&rng, 5);
    char text[4096];
    for (int note = 0; note < 300; note++) {
        size_t len = 0;
        for (int w = 0; w < 150; w++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", words[at_rng_next(&rng) % 30],
                                    seps[at_rng_next(&rng) % 11]);
        ex_tok *t = NULL;
        size_t n = 0;
        assert_int_equal(ex_tokenise(ex, text, len, &t, &n), AT_OK);
        ex_scope sc = {0};
        for (size_t a = 0; a < n; a++) /* b = n: the cues before the mention alone */
            for (int g = 0; g < 2; g++)
                assert_int_equal(ex_qualify(&sc, t, n, a, n, g), qualify_walking_back(t, a, g));
        assert_true(sc.steps < n);
        at_free(t);
    }
}

static void test_heldout(void **state)
{
    (void)state;
    at_text_doc *docs;
    assert_int_equal(at_synth_extract_docs(100, 77, 1, &docs), AT_OK);
    at_buf r;
    at_buf_init(&r, 1 << 16);
    assert_int_equal(at_text_extract_evaluate(ex, docs, 100, 1, &r), AT_OK);
    assert_true(test_contains(r.data, r.len, "\"overall\":{\"precision\":1.0000,\"recall\":1.0000"));
    at_buf_free(&r);
    at_text_docs_free(docs, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mentions),
                                       cmocka_unit_test(test_writings),
                                       cmocka_unit_test(test_alloc_failures),
                                       cmocka_unit_test(test_impossible_dates),
                                       cmocka_unit_test(test_yearless_month_day),
                                       cmocka_unit_test(test_one_clause_linear),
                                       cmocka_unit_test(test_scope_same_as_walking_back),
                                       cmocka_unit_test(test_heldout)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
