/* Internal to the risk model: features (hashed word n-grams with TF-IDF,
 * structured extractions) and the model's layout. */
#ifndef ATELIER_TEXT_RISK_INTERNAL_H
#define ATELIER_TEXT_RISK_INTERNAL_H

#include "atelier/text.h"

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

/* Hashed unigram and bigram counts of text (indices < RISK_H, sorted, merged).
 * terms (may be NULL): receives a term string per newly seen index. */
at_status risk_hash_text(const char *text, size_t len, risk_vec *out, char **terms);
/* The structured features of a note (age, performance status, toxicity
 * grades with negation, febrile neutropenia, drugs, prior admissions, cycle). */
void risk_structured(const char *text, size_t len, double s[RISK_S]);
const char *risk_structured_name(int k);
void risk_vec_free(risk_vec *v);

struct at_risk_model {
    float *idf;       /* RISK_H */
    double *w;        /* RISK_H + RISK_S, for P(label 1) */
    double bias, C;
    int l1;
    char **terms;     /* RISK_H, NULL where unknown (only for reasons) */
};

/* Full feature vector of a text under the model's idf (TF-IDF l2-normalised,
 * then the structured features). */
at_status risk_featurize(const float *idf, const char *text, size_t len, risk_vec *out, char **terms);

#endif
