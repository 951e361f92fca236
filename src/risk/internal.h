/* Internal to src/risk: the risk model: features (hashed word n-grams with TF-IDF,
 * structured extractions) and the model's layout. */
#ifndef ATELIER_RISK_INTERNAL_H
#define ATELIER_RISK_INTERNAL_H

#include "atelier/risk.h"

#define RISK_HASH_BITS 18
#define RISK_H (1u << RISK_HASH_BITS)
#define RISK_S 9 /* structured features */

typedef struct {
    uint32_t idx; /* 0-based feature index */
    float val;
} risk_feat;

typedef struct {
    risk_feat *v;
    size_t n, cap;
} risk_vec;

/* The first text seen for each hashed index (for reasons): seen[RISK_H /
 * 64] bits of the indices seen, and their strings appended to list in the
 * order first seen (a string may be NULL when memory ran out). */
typedef struct {
    uint32_t idx;
    char *s;
} risk_term;

typedef struct {
    uint64_t *seen;
    risk_term *list;
    size_t n, cap;
} risk_terms;

/* One note's features: hashed unigram and bigram counts (indices < RISK_H,
 * merged; sorted by index when sorted, else in order of first occurrence)
 * into out, and the structured features from the extractor's mentions
 * (age, performance status, toxicity grades with their negation, febrile
 * neutropenia, drugs in the regimen, prior admissions, cycle) into s; one
 * tokenisation serves both. terms (may be NULL): receives a term string
 * per newly seen index. text is UTF-8 (the caller checks). */
at_status risk_note(const at_text_extractor *x, const char *text, size_t len, risk_vec *out,
                    risk_terms *terms, int sorted, double s[RISK_S]);
const char *risk_structured_name(int k);
void risk_vec_free(risk_vec *v);
/* 1 + log(count), the sublinear term frequency (a table for small counts;
 * the same value as the formula). Thread-safe. */
double risk_sublinear_tf(float count);

struct at_risk_model {
    float *idf; /* RISK_H */
    double *w;  /* RISK_H + RISK_S, for P(label 1) */
    double bias, C;
    int l1;
    char **terms; /* RISK_H, NULL where unknown (only for reasons) */
    /* gradient boosting instead of the linear weights (NULL when linear) */
    unsigned char *xgb;
    size_t xgb_len;
    uint32_t *colmap;     /* RISK_H: column + 1 of a hashed index, 0 when unused */
    int ncol;             /* columns: used hashed indices, then RISK_S structured */
    at_text_extractor *x; /* for the structured features (not saved: built from data/text) */
};

struct feature_node;
/* Train XGBoost on liblinear-style rows (columns 1..nfeat); the raw model
 * is returned in *buf (owned by caller). */
at_status risk_xgb_train(struct feature_node *const *x, const double *y, size_t n, int nfeat, int threads,
                         at_run *run, unsigned char **buf, size_t *len);
/* Probability of one row (sorted columns), and contributions per column
 * (ncol + 1 values, the last the bias) when contrib is not NULL. */
at_status risk_xgb_predict(const unsigned char *model, size_t model_len, const uint32_t *cols,
                           const float *vals, size_t nv, int ncol, double *prob, double *contrib);

/* Cross-validation folds by patient: the distinct ids (n rows' ids[i])
 * ordered by a hash and dealt round robin, so a patient's rows share one
 * fold and fold sizes differ by at most one patient; fold[i] in [0, folds).
 * *patients receives the number of distinct ids. */
at_status risk_cv_folds(const char *const *ids, size_t n, int folds, uint32_t *fold, size_t *patients);

/* at_risk_train with a run: progress (phases "features", "cross-validation",
 * "fit" or "boost") and the cancel flag, looked at between parts of the
 * work (AT_ERR_CANCELLED). run may be NULL. */
at_status risk_train(const at_csv *csv, const at_risk_options *opt, at_run *run, at_risk_model **out);

/* The one evaluation (eval and the demo): each row of csv (columns text,
 * label, patient_id when present; name in the messages) predicted, then
 * the metrics with a bootstrap over patients (nboot resamples, seed). */
at_status risk_evaluate(const at_risk_model *m, const at_csv *csv, const char *name, int nboot, uint64_t seed,
                        at_run *run, at_risk_metrics *out);

/* The random numbers of liblinear's fits, per thread (src/risk/rand.c):
 * seed the calling thread's generator before a fit; liblinear's rand()
 * calls reach __wrap_rand through -Wl,--wrap=rand. */
void risk_rand_seed(unsigned seed);
int __wrap_rand(void);

/* Full feature vector of a text under the model's idf (TF-IDF l2-normalised,
 * then the structured features). */
at_status risk_featurize(const at_text_extractor *x, const float *idf, const char *text, size_t len,
                         risk_vec *out);

#endif
