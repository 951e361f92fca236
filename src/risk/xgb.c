/* Gradient boosting for the risk model through XGBoost's C API (an option
 * beside logistic regression): training on the compact feature columns,
 * prediction with per-feature contributions (SHAP values) for the reasons. */
#include "risk/internal.h"

#include <linear.h>
#include <stdio.h>
#include <string.h>
#include <xgboost/c_api.h>

#define XGB_ROUNDS 150

static at_status xgb_fail(const char *what)
{
    return at_error_set(AT_ERR_UNSUPPORTED, "risk: xgboost: %s failed: %s", what, XGBGetLastError());
}

static void xgb_params(BoosterHandle b, int threads)
{
    char nt[16];
    snprintf(nt, sizeof nt, "%d", threads > 0 ? threads : 1);
    XGBoosterSetParam(b, "objective", "binary:logistic");
    XGBoosterSetParam(b, "max_depth", "4");
    XGBoosterSetParam(b, "eta", "0.1");
    XGBoosterSetParam(b, "min_child_weight", "2");
    XGBoosterSetParam(b, "tree_method", "hist");
    XGBoosterSetParam(b, "seed", "0");
    XGBoosterSetParam(b, "nthread", nt);
    XGBoosterSetParam(b, "verbosity", "0");
}

at_status risk_xgb_train(struct feature_node *const *x, const double *y, size_t n, int nfeat, int threads,
                         at_run *run, unsigned char **buf, size_t *len)
{
    *buf = NULL;
    size_t nnz = 0;
    for (size_t i = 0; i < n; i++)
        for (const struct feature_node *p = x[i]; p->index > 0; p++)
            nnz += p->index <= nfeat;
    size_t *indptr = at_malloc((n + 1) * sizeof *indptr);
    unsigned *indices = at_malloc((nnz + 1) * sizeof *indices);
    float *data = at_malloc((nnz + 1) * sizeof *data), *labels = at_malloc((n + 1) * sizeof *labels);
    at_status st = indptr && indices && data && labels ? AT_OK : AT_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n && !st; i++) {
        indptr[i] = k;
        for (const struct feature_node *p = x[i]; p->index > 0; p++)
            if (p->index <= nfeat) {
                indices[k] = (unsigned)(p->index - 1);
                data[k++] = (float)p->value;
            }
        labels[i] = (float)y[i];
    }
    if (!st)
        indptr[n] = k;
    DMatrixHandle dm = NULL;
    BoosterHandle b = NULL;
    if (!st && XGDMatrixCreateFromCSREx(indptr, indices, data, n + 1, k, (size_t)nfeat, &dm))
        st = xgb_fail("matrix");
    if (!st && XGDMatrixSetFloatInfo(dm, "label", labels, (bst_ulong)n))
        st = xgb_fail("labels");
    if (!st && XGBoosterCreate(&dm, 1, &b))
        st = xgb_fail("booster");
    if (!st)
        xgb_params(b, threads);
    for (int it = 0; it < XGB_ROUNDS && !st; it++) {
        if (!(st = at_run_check(run, "risk train")) && XGBoosterUpdateOneIter(b, it, dm))
            st = xgb_fail("training");
        if (!st)
            at_run_progress(run, "boost", (uint64_t)it + 1, XGB_ROUNDS);
    }
    bst_ulong ml = 0;
    const char *raw = NULL;
    if (!st && XGBoosterGetModelRaw(b, &ml, &raw))
        st = xgb_fail("model export");
    if (!st) {
        *buf = at_malloc(ml ? ml : 1);
        if (!*buf)
            st = AT_ERR_NOMEM;
        else {
            memcpy(*buf, raw, ml);
            *len = ml;
        }
    }
    if (b)
        XGBoosterFree(b);
    if (dm)
        XGDMatrixFree(dm);
    at_free(indptr);
    at_free(indices);
    at_free(data);
    at_free(labels);
    return st;
}

at_status risk_xgb_predict(const unsigned char *model, size_t model_len, const uint32_t *cols,
                           const float *vals, size_t nv, int ncol, double *prob, double *contrib)
{
    BoosterHandle b = NULL;
    DMatrixHandle dm = NULL;
    at_status st = AT_OK;
    size_t indptr[2] = {0, nv};
    if (XGBoosterCreate(NULL, 0, &b) || XGBoosterLoadModelFromBuffer(b, model, (bst_ulong)model_len))
        st = xgb_fail("model load");
    if (!st)
        XGBoosterSetParam(b, "nthread", "1");
    if (!st && XGDMatrixCreateFromCSREx(indptr, cols, vals, 2, nv, (size_t)ncol, &dm))
        st = xgb_fail("matrix");
    bst_ulong ol = 0;
    const float *res = NULL;
    if (!st && XGBoosterPredict(b, dm, 0, 0, 0, &ol, &res))
        st = xgb_fail("predict");
    if (!st && ol >= 1)
        *prob = res[0];
    if (!st && contrib) {
        if (XGBoosterPredict(b, dm, 4, 0, 0, &ol, &res)) /* SHAP contributions */
            st = xgb_fail("contributions");
        for (bst_ulong j = 0; !st && j < ol && j <= (bst_ulong)ncol; j++)
            contrib[j] = res[j];
    }
    if (dm)
        XGDMatrixFree(dm);
    if (b)
        XGBoosterFree(b);
    return st;
}
