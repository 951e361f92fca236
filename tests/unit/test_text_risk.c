/* Unit tests for the risk model: metrics against hand-computed values,
 * training on a small synthetic cohort, save/load round trip, bad input. */
#include "support.h"

#include "atelier/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void test_train_save_load(void **state)
{
    (void)state;
    at_buf b;
    at_buf_init(&b, 1 << 26);
    assert_int_equal(at_text_synth_cohort(300, 5, &b), AT_OK);
    at_csv csv;
    assert_int_equal(at_csv_parse((const char *)b.data, b.len, 1 << 20, &csv), AT_OK);
    at_buf_free(&b);
    at_risk_options opt = {.C = 1.0};
    at_risk_model *m;
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_OK);
    char *dir = test_mkdtemp();
    char path[512];
    snprintf(path, sizeof path, "%s/model", dir);
    assert_int_equal(at_risk_save(m, path), AT_OK);
    at_risk_model *m2;
    assert_int_equal(at_risk_load(path, &m2), AT_OK);
    const char *hi = "Patient de 82 ans, OMS 3, traité par FOLFIRINOX C2. Antécédent de 3 hospitalisations. "
                     "Épisode de neutropénie fébrile après le dernier cycle. Diarrhée grade 4.";
    const char *lo = "Patient de 45 ans, OMS 0, traité par capécitabine C2. Aucune hospitalisation antérieure. "
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

static void test_bad_labels(void **state)
{
    (void)state;
    const char *t = "patient_id,text,label\nA,x,1\nB,y,0\nC,z,2\n";
    at_csv csv;
    assert_int_equal(at_csv_parse(t, strlen(t), 1024, &csv), AT_OK);
    at_risk_model *m = NULL;
    at_risk_options opt = {.C = 1.0};
    assert_int_equal(at_risk_train(&csv, &opt, &m), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "line 4"));
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
        cmocka_unit_test(test_train_save_load),
        cmocka_unit_test(test_bad_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
