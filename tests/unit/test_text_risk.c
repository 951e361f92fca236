/* Unit tests for the risk model: metrics against hand-computed values,
 * training on a small synthetic cohort, save/load round trip, bad input. */
#include "support.h"

#include "atelier/risk.h"
#include "atelier/synth.h"
#include "atelier/text.h"
#include "risk/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A synthetic cohort of patients, parsed. */
static void synth_csv(size_t patients, uint64_t seed, at_csv *csv)
{
    at_buf b;
    at_buf_init(&b, 1 << 26);
    assert_int_equal(at_synth_chemo_cohort(patients, seed, &b), AT_OK);
    assert_int_equal(at_csv_parse((const char *)b.data, b.len, 1 << 20, csv), AT_OK);
    at_buf_free(&b);
}

static void test_metrics(void **state)
{
    (void)state;
    /* 2 positives, 2 negatives: pairs (0.8>0.6)(0.8>0.2)(0.4<0.6)(0.4>0.2): AUROC 3/4 */
    double p[] = {0.8, 0.4, 0.6, 0.2};
    int y[] = {1, 1, 0, 0};
    at_risk_metrics m;
    assert_int_equal(at_risk_metrics_compute(p, y, 4, 50, 1, &m), AT_OK);
    assert_true(fabs(m.auroc - 0.75) < 1e-12);
    /* AP: thresholds 0.8 (P=1,R=.5), 0.6 (P=.5), 0.4 (P=2/3,R=1): .5*1 + .5*2/3 */
    assert_true(fabs(m.auprc - (0.5 + 0.5 * 2.0 / 3.0)) < 1e-12);
    assert_true(fabs(m.brier - (0.04 + 0.36 + 0.36 + 0.04) / 4) < 1e-12);
    assert_true(m.auroc_lo <= m.auroc && m.auroc <= m.auroc_hi);
    double tied[] = {0.5, 0.5};
    int yt[] = {1, 0};
    assert_int_equal(at_risk_metrics_compute(tied, yt, 2, 0, 1, &m), AT_OK);
    assert_true(fabs(m.auroc - 0.5) < 1e-12);
    at_buf svg;
    at_buf_init(&svg, 1 << 20);
    assert_int_equal(at_risk_calibration_svg(&m, &svg), AT_OK);
    assert_true(test_contains(svg.data, svg.len, "</svg>"));
    at_buf_free(&svg);
}

/* Rows of one patient are not independent: with 20 patients of 25
 * identical rows each, resampling rows pretends there are 500 independent
 * items and gives an interval far too narrow; resampling patients does not. */
static void test_cluster_bootstrap(void **state)
{
    (void)state;
    enum { NP = 20, R = 25, N = NP * R };
    double p[N];
    int y[N];
    const char *ids[N];
    static char names[NP][8];
    at_rng r;
    at_rng_seed(&r, 3);
    for (int k = 0; k < NP; k++) {
        snprintf(names[k], sizeof names[k], "P%02d", k);
        double pk = at_rng_uniform(&r);
        int yk = at_rng_uniform(&r) < 0.3 + 0.4 * pk;
        for (int j = 0; j < R; j++) {
            p[k * R + j] = pk;
            y[k * R + j] = yk;
        }
    }
    for (int i = 0; i < N; i++)
        ids[i] = names[i / R];
    at_risk_metrics rows, pats;
    assert_int_equal(at_risk_metrics_compute(p, y, N, 400, 9, &rows), AT_OK);
    assert_int_equal(at_risk_metrics_compute_by_patient(p, y, ids, N, 400, 9, &pats), AT_OK);
    assert_int_equal(pats.patients, NP);
    assert_int_equal(pats.by_patient, 1);
    assert_int_equal(rows.by_patient, 0);
    assert_true(fabs(rows.auroc - pats.auroc) < 1e-12); /* the point estimate is the same */
    double wr = rows.auroc_hi - rows.auroc_lo, wp = pats.auroc_hi - pats.auroc_lo;
    if (!(wp > 2.5 * wr))
        fail_msg("patient interval %.3f is not much wider than the row interval %.3f", wp, wr);
    /* the JSON says which */
    at_buf js;
    at_buf_init(&js, 1 << 16);
    assert_int_equal(at_risk_metrics_json(&pats, &js), AT_OK);
    assert_true(test_contains(js.data, js.len, "\"patients\":20,\"bootstrap\":\"patients\""));
    at_buf_free(&js);
}

/* The patient-level split: whole patients on one side, the fraction of
 * patients asked for, the same split for the same seed. */
static void test_split(void **state)
{
    (void)state;
    at_buf b;
    at_buf_init(&b, 1 << 24);
    assert_int_equal(at_synth_chemo_cohort(100, 8, &b), AT_OK);
    at_csv csv;
    assert_int_equal(at_csv_parse((const char *)b.data, b.len, 1 << 20, &csv), AT_OK);
    at_buf_free(&b);
    size_t n = csv.nrows - 1, kt = 0, np = 0;
    unsigned char *a = malloc(n), *a2 = malloc(n), *c = malloc(n);
    assert_int_equal(at_risk_split(&csv, NULL, 0.2, 5, a, &kt, &np), AT_OK);
    assert_int_equal(np, 100);
    assert_int_equal(kt, 20);
    assert_int_equal(at_risk_split(&csv, "patient_id", 0.2, 5, a2, NULL, NULL), AT_OK);
    assert_memory_equal(a, a2, n);
    assert_int_equal(at_risk_split(&csv, NULL, 0.2, 6, c, NULL, NULL), AT_OK);
    assert_true(memcmp(a, c, n) != 0);
    int pc = at_csv_column(&csv, "patient_id");
    size_t test_rows = 0;
    for (size_t i = 0; i < n; i++) {
        test_rows += a[i];
        for (size_t j = 0; j < n; j++)
            if (!strcmp(csv.cells[(i + 1) * csv.ncols + (size_t)pc],
                        csv.cells[(j + 1) * csv.ncols + (size_t)pc]))
                assert_int_equal(a[i], a[j]); /* a patient is never on both sides */
    }
    assert_true(test_rows > 0 && test_rows < n);
    assert_int_equal(at_risk_split(&csv, "nope", 0.2, 5, a, NULL, NULL), AT_ERR_FORMAT);
    assert_int_equal(at_risk_split(&csv, NULL, 1.5, 5, a, NULL, NULL), AT_ERR_ARG);
    at_csv_free(&csv);
    const char *one = "patient_id,text,label\nA,x,1\nA,y,0\n";
    assert_int_equal(at_csv_parse(one, strlen(one), 1024, &csv), AT_OK);
    assert_int_equal(at_risk_split(&csv, NULL, 0.2, 5, a, NULL, NULL), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "one patient"));
    at_csv_free(&csv);
    free(a);
    free(a2);
    free(c);
}

/* One class only: AUROC is undefined, not 0.5. */
static void test_one_class(void **state)
{
    (void)state;
    double p[] = {0.1, 0.7, 0.3};
    int y[] = {0, 0, 0};
    at_risk_metrics m;
    assert_int_equal(at_risk_metrics_compute(p, y, 3, 20, 1, &m), AT_OK);
    assert_true(at_risk_metrics_one_class(&m));
    at_buf js;
    at_buf_init(&js, 1 << 16);
    assert_int_equal(at_risk_metrics_json(&m, &js), AT_OK);
    assert_true(test_contains(js.data, js.len, "\"auroc\":null"));
    assert_false(test_contains(js.data, js.len, "0.5000"));
    at_buf_free(&js);
    int y2[] = {0, 1, 0};
    assert_int_equal(at_risk_metrics_compute(p, y2, 3, 20, 1, &m), AT_OK);
    assert_false(at_risk_metrics_one_class(&m));
}

/* The structured features come from the extractor: rewordings give the
 * same features, and negated, hypothetical and family mentions carry no
 * risk while a positive event after a negated one does. Indices: 0 age,
 * 1 PS, 2 max grade, 3 grade >= 3, 4 febrile neutropenia, 5 drugs,
 * 6 prior admissions, 7 count of grade >= 3, 8 cycle. */
static at_status risk_structured(const at_text_extractor *x, const char *text, size_t len, double s[RISK_S])
{
    risk_vec v = {0};
    at_status st = risk_note(x, text, len, &v, NULL, 0, s);
    risk_vec_free(&v);
    return st;
}

static void test_structured_features(void **state)
{
    (void)state;
    at_text_extractor *x;
    assert_int_equal(at_text_extractor_new(NULL, &x), AT_OK);
    double s[RISK_S];
    const char *a = "Homme de 78 ans, OMS à 3, XELOX C2. Hospitalisé 3 fois dans l'année.";
    assert_int_equal(risk_structured(x, a, strlen(a), s), AT_OK);
    assert_true(fabs(s[0] - 0.78) < 1e-9);
    assert_true(fabs(s[1] - 0.75) < 1e-9);
    assert_true(fabs(s[5] - 2 / 5.0) < 1e-9);
    assert_true(fabs(s[6] - 3 / 4.0) < 1e-9);
    assert_true(fabs(s[8] - 0.2) < 1e-9);
    const char *b = "Patient de 78 ans, ECOG 3, traité par capox cycle 2. Antécédent de 3 hospitalisations.";
    double s2[RISK_S];
    assert_int_equal(risk_structured(x, b, strlen(b), s2), AT_OK);
    assert_memory_equal(s, s2, sizeof s); /* the same facts, other words */
    const char *c = "Diarrhée grade 3 sans fièvre. Pas de mucite, neutropénie fébrile grade 4.";
    assert_int_equal(risk_structured(x, c, strlen(c), s), AT_OK);
    assert_true(fabs(s[2] - 1.0) < 1e-9);
    assert_true(s[3] == 1 && s[4] == 1);
    assert_true(fabs(s[7] - 2 / 3.0) < 1e-9);
    /* negated, hypothetical, family: nothing */
    const char *d =
        "Pas de neutropénie fébrile. Neutropénie fébrile à éliminer. Suspicion de mucite grade 3. "
        "Sa mère a eu une diarrhée grade 4. Absence de thrombopénie, ni de vomissements. "
        "Aucune hospitalisation antérieure.";
    assert_int_equal(risk_structured(x, d, strlen(d), s), AT_OK);
    for (int k = 0; k < RISK_S; k++)
        if (s[k] != 0)
            fail_msg("feature %d (%s) is %g for negated or hypothetical mentions", k, risk_structured_name(k),
                     s[k]);
    /* a drug named without a regimen counts its antineoplastic drugs */
    const char *e = "Traitement par carboplatine et paclitaxel hebdomadaire, ondansétron si besoin.";
    assert_int_equal(risk_structured(x, e, strlen(e), s), AT_OK);
    assert_true(fabs(s[5] - 2 / 5.0) < 1e-9);
    at_text_extractor_free(x);
}

/* The n-grams of a note: words split at hyphens, counts merged, the same
 * entries sorted or in order of first occurrence. */
static void test_ngram_counts(void **state)
{
    (void)state;
    at_text_extractor *x;
    assert_int_equal(at_text_extractor_new(NULL, &x), AT_OK);
    const char *t = "Mucite grade 2. MUCITE grade 2, R-CHOP.";
    double s[RISK_S];
    risk_vec a = {0}, b = {0};
    assert_int_equal(risk_note(x, t, strlen(t), &a, NULL, 0, s), AT_OK);
    assert_int_equal(risk_note(x, t, strlen(t), &b, NULL, 1, s), AT_OK);
    /* 8 words: mucite grade 2 mucite grade 2 r chop; 5 distinct unigrams and
     * 5 distinct bigrams, 15 n-grams in all */
    assert_int_equal(a.n, 10);
    assert_int_equal(b.n, 10);
    float total = 0;
    for (size_t i = 0; i < a.n; i++)
        total += a.v[i].val;
    assert_true(total == 15.0f);
    assert_true(a.v[0].val == 2.0f); /* "mucite", first seen, twice */
    for (size_t i = 1; i < b.n; i++)
        assert_true(b.v[i - 1].idx < b.v[i].idx);
    for (size_t i = 0; i < a.n; i++) {
        size_t j = 0;
        while (j < b.n && b.v[j].idx != a.v[i].idx)
            j++;
        assert_true(j < b.n && b.v[j].val == a.v[i].val);
    }
    /* the texts are listed in the order first seen, once */
    risk_vec c = {0};
    risk_terms lt = {at_calloc(RISK_H / 64, sizeof(uint64_t)), NULL, 0, 0};
    assert_non_null(lt.seen);
    assert_int_equal(risk_note(x, t, strlen(t), &c, &lt, 0, s), AT_OK);
    assert_true(lt.seen[c.v[1].idx / 64] & (1ull << (c.v[1].idx % 64)));
    assert_int_equal(lt.n, c.n);
    for (size_t i = 0; i < lt.n; i++)
        assert_int_equal(lt.list[i].idx, c.v[i].idx);
    assert_string_equal(lt.list[0].s, "mucite");
    assert_string_equal(lt.list[lt.n - 1].s, "r chop");
    assert_int_equal(risk_note(x, t, strlen(t), &c, &lt, 0, s), AT_OK);
    assert_int_equal(lt.n, c.n); /* seen before: nothing more */
    for (size_t i = 0; i < lt.n; i++)
        at_free(lt.list[i].s);
    at_free(lt.list);
    at_free(lt.seen);
    risk_vec_free(&a);
    risk_vec_free(&b);
    risk_vec_free(&c);
    at_text_extractor_free(x);
}

/* A name or an IPP written in one patient's notes (several cycles, so
 * several documents) never leaves in the model's texts of terms; terms
 * that many patients share do. */
static void test_private_terms_dropped(void **state)
{
    (void)state;
    at_csv csv;
    synth_csv(300, 5, &csv);
    int cp = at_csv_column(&csv, "patient_id"), ct = at_csv_column(&csv, "text"),
        cl = at_csv_column(&csv, "label");
    const char *first = csv.cells[csv.ncols + (size_t)cp];
    size_t marked = 0;
    for (size_t i = 1; i < csv.nrows; i++) {
        if (strcmp(csv.cells[i * csv.ncols + (size_t)cp], first))
            continue;
        char **cell = &csv.cells[i * csv.ncols + (size_t)ct];
        size_t n = strlen(*cell) + 64;
        char *t = at_malloc(n);
        assert_non_null(t);
        snprintf(t, n, "Kerhervé Soizic IPP 80012345. %s", *cell);
        at_free(*cell);
        *cell = t;
        char **lab = &csv.cells[i * csv.ncols + (size_t)cl];
        at_free(*lab);
        *lab = at_strdup("1"); /* re-admitted: the name would weigh for the risk */
        assert_non_null(*lab);
        marked++;
    }
    assert_true(marked >= 2); /* one patient, several notes */
    at_risk_options opt = {.C = 1.0};
    at_risk_model *m;
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_OK);
    size_t kept = 0;
    for (size_t j = 0; j < RISK_H; j++) {
        if (!m->terms[j])
            continue;
        kept++;
        if (strstr(m->terms[j], "kerherve") || strstr(m->terms[j], "soizic") ||
            strstr(m->terms[j], "80012345"))
            fail_msg("the model keeps \"%s\"", m->terms[j]);
    }
    assert_true(kept > 50);
    at_risk_free(m);
    at_csv_free(&csv);
}

void omp_set_num_threads(int n); /* libgomp, linked through the library */

/* liblinear's draws come from the fitting thread's generator
 * (src/risk/rand.c): the numbers glibc's rand() gives after srand(seed),
 * without touching the process's own generator (reached here as
 * __real_rand, since this program is linked with --wrap=rand). */
int __real_rand(void);
static void test_rand_as_glibc(void **state)
{
    (void)state;
    const unsigned seeds[] = {1, 0, 7, 2024, 4000000000u};
    for (size_t k = 0; k < sizeof seeds / sizeof *seeds; k++) {
        srand(seeds[k]);
        risk_rand_seed(seeds[k]);
        for (int i = 0; i < 5000; i++)
            assert_int_equal(__real_rand(), __wrap_rand());
    }
    srand(3);
    int a = __real_rand();
    srand(3);
    risk_rand_seed(99); /* the thread's generator: the process's untouched */
    (void)__wrap_rand();
    assert_int_equal(__real_rand(), a);
}

/* The model's bytes do not depend on the thread count or the timing: the
 * rows are shared out dynamically, and the term texts kept are the first
 * in file order (a bucket can hold two n-grams). */
static void test_threads_same_model(void **state)
{
    (void)state;
    at_csv csv;
    synth_csv(400, 9, &csv);
    char *dir = test_mkdtemp();
    unsigned char *first = NULL;
    size_t first_len = 0;
    const int threads[] = {1, 3, 5, 2};
    for (int k = 0; k < 4; k++) {
        at_risk_options opt = {.C = 1.0, .threads = threads[k] == 1};
        omp_set_num_threads(threads[k]);
        at_risk_model *m;
        assert_int_equal(at_risk_train(&csv, &opt, &m), AT_OK);
        char path[512];
        snprintf(path, sizeof path, "%s/m%d", dir, k);
        assert_int_equal(at_risk_save(m, path), AT_OK);
        at_risk_free(m);
        size_t len;
        unsigned char *data = test_read_file(path, &len);
        assert_non_null(data);
        if (!first) {
            first = data;
            first_len = len;
        } else {
            if (len != first_len || memcmp(data, first, len))
                fail_msg("%d threads: another model than with one thread", threads[k]);
            free(data);
        }
    }
    free(first);
    at_csv_free(&csv);
    test_rmtree(dir);
    free(dir);
}

static void test_train_save_load(void **state)
{
    (void)state;
    at_csv csv;
    synth_csv(300, 5, &csv);
    at_risk_options opt = {.C = 1.0};
    at_risk_model *m;
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_OK);
    /* "patient" opens every note: a stop word of the corpus, no weight;
     * "neutropénie", in some notes, has one */
    risk_vec v = {0};
    double sv[RISK_S];
    assert_int_equal(risk_note(m->x, "patient", 7, &v, NULL, 0, sv), AT_OK);
    assert_true(v.n == 1 && m->w[v.v[0].idx] == 0);
    assert_int_equal(risk_note(m->x, "neutropénie", strlen("neutropénie"), &v, NULL, 0, sv), AT_OK);
    assert_true(v.n == 1 && m->w[v.v[0].idx] != 0);
    risk_vec_free(&v);
    char *dir = test_mkdtemp();
    char path[512];
    snprintf(path, sizeof path, "%s/model", dir);
    assert_int_equal(at_risk_save(m, path), AT_OK);
    at_risk_model *m2;
    assert_int_equal(at_risk_load(path, &m2), AT_OK);
    const char *hi = "Patient de 82 ans, OMS 3, traité par FOLFIRINOX C2. Antécédent de 3 hospitalisations. "
                     "Épisode de neutropénie fébrile après le dernier cycle. Diarrhée grade 4.";
    const char *lo =
        "Patient de 45 ans, OMS 0, traité par capécitabine C2. Aucune hospitalisation antérieure. "
        "Pas de neutropénie fébrile. Pas de diarrhée.";
    double ph, pl, ph2;
    at_buf reasons;
    at_buf_init(&reasons, 1 << 16);
    assert_int_equal(at_risk_predict(m, hi, strlen(hi), &ph, &reasons, 3), AT_OK);
    assert_int_equal(at_risk_predict(m, lo, strlen(lo), &pl, NULL, 0), AT_OK);
    assert_int_equal(at_risk_predict(m2, hi, strlen(hi), &ph2, NULL, 0), AT_OK);
    assert_true(ph > pl);
    assert_true(fabs(ph - ph2) < 1e-9);
    assert_true(reasons.len > 0);
    at_buf_free(&reasons);
    /* a truncated model is refused by name and offset */
    unsigned char *data;
    size_t len;
    data = test_read_file(path, &len);
    assert_non_null(data);
    assert_int_equal(test_write_file(path, data, len / 2), 0);
    free(data);
    at_risk_model *m3 = NULL;
    assert_int_equal(at_risk_load(path, &m3), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "offset"));
    at_risk_free(m);
    at_risk_free(m2);
    at_csv_free(&csv);
    test_rmtree(dir);
    free(dir);
}

/* Cross-validation folds hold whole patients and are balanced. */
static void test_cv_folds(void **state)
{
    (void)state;
    enum { N = 400 };
    const char *ids[N];
    static char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "P%03d", (i * 37) % 103); /* 103 patients, rows interleaved */
        ids[i] = names[i];
    }
    uint32_t fold[N], fold2[N];
    size_t np = 0;
    assert_int_equal(risk_cv_folds(ids, N, 5, fold, &np), AT_OK);
    assert_int_equal(np, 103);
    size_t per_fold[5] = {0};
    for (int i = 0; i < N; i++) {
        assert_true(fold[i] < 5);
        for (int j = 0; j < i; j++)
            if (!strcmp(ids[i], ids[j]))
                assert_int_equal(fold[i], fold[j]); /* a patient in one fold */
    }
    for (int p = 0; p < 103; p++) { /* patients per fold: 20 or 21 */
        char id[8];
        snprintf(id, sizeof id, "P%03d", p);
        for (int i = 0; i < N; i++)
            if (!strcmp(ids[i], id)) {
                per_fold[fold[i]]++;
                break;
            }
    }
    for (int f = 0; f < 5; f++)
        assert_true(per_fold[f] == 20 || per_fold[f] == 21);
    assert_int_equal(risk_cv_folds(ids, N, 5, fold2, NULL), AT_OK);
    assert_memory_equal(fold, fold2, sizeof fold);
}

/* --l1: an L1-regularised model is sparse, still ranks, and keeps its
 * flag through save and load. */
static void test_l1(void **state)
{
    (void)state;
    at_csv csv;
    synth_csv(250, 6, &csv);
    at_risk_options o2 = {.C = 1.0}, o1 = {.C = 1.0, .l1 = 1};
    at_risk_model *m2, *m1;
    assert_int_equal(at_risk_train(&csv, &o2, &m2), AT_OK);
    assert_int_equal(at_risk_train(&csv, &o1, &m1), AT_OK);
    size_t nz1 = 0, nz2 = 0;
    for (size_t j = 0; j < RISK_H + RISK_S; j++) {
        nz1 += m1->w[j] != 0;
        nz2 += m2->w[j] != 0;
    }
    if (!(nz1 > 0 && nz1 * 5 < nz2))
        fail_msg("L1 keeps %zu weights, L2 %zu: not sparse", nz1, nz2);
    assert_int_equal(m1->l1, 1);
    assert_int_equal(m2->l1, 0);
    const char *hi = "Patient de 82 ans, OMS 3, traité par FOLFIRINOX C2. Antécédent de 3 hospitalisations. "
                     "Épisode de neutropénie fébrile après le dernier cycle. Diarrhée grade 4.";
    const char *lo =
        "Patient de 45 ans, OMS 0, traité par capécitabine C2. Aucune hospitalisation antérieure.";
    double ph, pl;
    assert_int_equal(at_risk_predict(m1, hi, strlen(hi), &ph, NULL, 0), AT_OK);
    assert_int_equal(at_risk_predict(m1, lo, strlen(lo), &pl, NULL, 0), AT_OK);
    assert_true(ph > pl);
    char *dir = test_mkdtemp();
    char path[512];
    snprintf(path, sizeof path, "%s/l1", dir);
    assert_int_equal(at_risk_save(m1, path), AT_OK);
    at_risk_model *m3;
    assert_int_equal(at_risk_load(path, &m3), AT_OK);
    assert_int_equal(m3->l1, 1);
    double ph3;
    assert_int_equal(at_risk_predict(m3, hi, strlen(hi), &ph3, NULL, 0), AT_OK);
    assert_true(fabs(ph - ph3) < 1e-9);
    at_risk_free(m1);
    at_risk_free(m2);
    at_risk_free(m3);
    at_csv_free(&csv);
    test_rmtree(dir);
    free(dir);
}

static void test_bad_labels(void **state)
{
    (void)state;
    const char *t = "patient_id,text,label\nA,x,1\nB,y,0\nC,z,2\n";
    at_csv csv;
    assert_int_equal(at_csv_parse(t, strlen(t), 1024, &csv), AT_OK);
    at_risk_model *m = NULL;
    at_risk_options opt = {.C = 1.0};
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "line 4: label is not 0 or 1"));
    at_csv_free(&csv);
    /* one class, or too few patients for the folds: said why, not "invalid argument" */
    const char *one = "patient_id,text,label\nA,x,0\nB,y,0\nC,z,0\n";
    assert_int_equal(at_csv_parse(one, strlen(one), 1024, &csv), AT_OK);
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "all 3 rows have label 0"));
    at_csv_free(&csv);
    const char *few = "patient_id,text,label\nA,x,0\nB,y,1\nC,z,1\n";
    assert_int_equal(at_csv_parse(few, strlen(few), 1024, &csv), AT_OK);
    at_risk_options cv = {0};
    assert_int_equal(at_risk_train(&csv, &cv, &m), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "3 patients: 5-fold cross-validation needs at least 5"));
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_OK); /* with a given C it trains */
    at_risk_free(m);
    m = NULL;
    at_csv_free(&csv);
    const char *hdr = "patient_id,text,label\n";
    assert_int_equal(at_csv_parse(hdr, strlen(hdr), 1024, &csv), AT_OK);
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "no data rows"));
    at_csv_free(&csv);
    const char *nolab = "patient_id,text\nA,x\n";
    assert_int_equal(at_csv_parse(nolab, strlen(nolab), 1024, &csv), AT_OK);
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_ERR_FORMAT);
    at_csv_free(&csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_cluster_bootstrap),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_one_class),
        cmocka_unit_test(test_structured_features),
        cmocka_unit_test(test_ngram_counts),
        cmocka_unit_test(test_cv_folds),
        cmocka_unit_test(test_l1),
        cmocka_unit_test(test_train_save_load),
        cmocka_unit_test(test_threads_same_model),
        cmocka_unit_test(test_rand_as_glibc),
        cmocka_unit_test(test_private_terms_dropped),
        cmocka_unit_test(test_bad_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
