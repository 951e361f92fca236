/* atelier risk: re-hospitalisation risk after a chemotherapy cycle, from
 * its note (SoftChemo): hashed TF-IDF word n-grams plus structured
 * extractions (src/text), liblinear logistic regression or XGBoost,
 * patient-level cross-validation, split and evaluation. */
#ifndef ATELIER_RISK_H
#define ATELIER_RISK_H

#include "atelier/run.h"
#include "atelier/text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct at_risk_model at_risk_model;

typedef struct {
    double C;        /* <= 0: chosen by patient-level cross-validation */
    int l1;          /* 1: L1-regularised, else L2 */
    int use_xgboost; /* gradient boosting instead of logistic regression */
    int folds;       /* cross-validation folds (default 5) */
    int threads;     /* <= 0: OpenMP's default; the runs below take the run's budget */
} at_risk_options;

/* Train on CSV rows (columns patient_id, text, label). Owned by caller. */
at_status at_risk_train(const at_csv *csv, const at_risk_options *opt, at_risk_model **out);
at_status at_risk_save(const at_risk_model *m, const char *path);
at_status at_risk_load(const char *path, at_risk_model **out);
void at_risk_free(at_risk_model *m);
/* The regularisation strength the model was trained with. */
double at_risk_model_C(const at_risk_model *m);
/* Probability for one document; reasons (may be NULL) receives up to
 * nreasons "term" strings that raised the risk most, comma-joined. */
at_status at_risk_predict(const at_risk_model *m, const char *text, size_t len, double *prob, at_buf *reasons,
                          int nreasons);

typedef struct {
    double auroc, auroc_lo, auroc_hi, auprc, auprc_lo, auprc_hi, brier;
    size_t n, positives;
    size_t patients; /* distinct patient ids (0 when not given) */
    int by_patient;  /* 1: the bootstrap resampled patients, 0: rows */
    double bin_pred[10], bin_obs[10];
    size_t bin_n[10];
} at_risk_metrics;

/* Metrics of probabilities p against labels y (n items), with a seeded
 * bootstrap (nboot resamples) for the 95% intervals over rows. */
at_status at_risk_metrics_compute(const double *p, const int *y, size_t n, int nboot, uint64_t seed,
                                  at_risk_metrics *out);
/* The same with each row's patient id (ids[i], NUL-terminated; NULL: rows):
 * a cluster bootstrap that resamples patients with all their rows, since
 * the rows of one patient are not independent. */
at_status at_risk_metrics_compute_by_patient(const double *p, const int *y, const char *const *ids, size_t n,
                                             int nboot, uint64_t seed, at_risk_metrics *out);
/* 1 when the labels hold one class only: AUROC and AUPRC are then
 * undefined (written as null in the JSON). */
int at_risk_metrics_one_class(const at_risk_metrics *m);
at_status at_risk_metrics_json(const at_risk_metrics *m, at_buf *out);
/* Reliability plot as SVG. */
at_status at_risk_calibration_svg(const at_risk_metrics *m, at_buf *out);

/* Patient-level split of the data rows of csv (row i + 1 -> is_test[i]):
 * round(test_fraction x patients) whole patients (at least one on each
 * side), chosen by a shuffle seeded with seed of the sorted distinct ids of
 * column id_column (NULL: patient_id). Deterministic. */
at_status at_risk_split(const at_csv *csv, const char *id_column, double test_fraction, uint64_t seed,
                        unsigned char *is_test, size_t *test_patients, size_t *patients);

/* ---- the pipelines as runs (src/risk/run.c) ------------------------------ */
/* Each reads its CSV (columns patient_id, text, label; delimiter ',', ';'
 * or tab, 0: read from the header line; ids and texts trimmed) and writes
 * its outputs atomically through the run's store. An output that would
 * overwrite an input is refused (AT_ERR_REFUSED) before anything is
 * written. Progress and cancel through the run (AT_ERR_CANCELLED, nothing
 * written); run may be NULL. */

typedef struct {
    const char *csv;
    const char *id_column; /* NULL: patient_id */
    double test_fraction;  /* of the patients, in (0, 1) */
    uint64_t seed;
    const char *train_out, *test_out;
    int delimiter;
} at_risk_split_spec;
typedef struct {
    size_t patients, test_patients, rows_train, rows_test;
} at_risk_split_result;
/* A patient-level split (at_risk_split) into two CSV files with the
 * input's header and delimiter; both files or neither. */
at_status at_risk_split_run(const at_risk_split_spec *spec, at_run *run, at_risk_split_result *result);

typedef struct {
    const char *csv;
    const char *out;         /* the model */
    at_risk_options options; /* threads: ignored, the run's budget */
    int delimiter;
} at_risk_train_spec;
typedef struct {
    size_t rows;
    double C; /* the regularisation used (given or chosen) */
    int xgboost;
    double seconds;
} at_risk_train_result;
/* Train (phases "features", "cross-validation", "fit" or "boost") and save.
 * The same bytes for the same CSV and options whatever the thread count. */
at_status at_risk_train_run(const at_risk_train_spec *spec, at_run *run, at_risk_train_result *result);

typedef struct {
    const char *csv; /* with labels */
    const char *model;
    const char *plot; /* the reliability plot (SVG) to write, NULL: none */
    int bootstrap;    /* resamples for the 95% intervals */
    int delimiter;
} at_risk_eval_spec;
/* Predict every row (phase "predict"), then the metrics with a bootstrap
 * over patients (seed 1) into *result; the plot when asked. */
at_status at_risk_eval_run(const at_risk_eval_spec *spec, at_run *run, at_risk_metrics *result);

typedef struct {
    const char *csv;
    const char *model;
    const char *out; /* patient_id,probability,reasons */
    int reasons;     /* terms per row */
    int delimiter;
} at_risk_score_spec;
typedef struct {
    size_t rows;
} at_risk_score_result;
/* Score every row (phase "score") into out. */
at_status at_risk_score_run(const at_risk_score_spec *spec, at_run *run, at_risk_score_result *result);

typedef struct {
    size_t patients;
    uint64_t seed;
} at_risk_demo_spec;
/* The demo pipeline on a synthetic cohort (at_synth_chemo_cohort): one
 * patient in five held out, train, the same evaluation as eval (a
 * bootstrap of 1000 over patients, seeded with seed). */
at_status at_risk_demo_run(const at_risk_demo_spec *spec, at_run *run, at_risk_metrics *test_metrics);

#ifdef __cplusplus
}
#endif
#endif
