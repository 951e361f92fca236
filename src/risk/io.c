/* Scoring with the risk model (probability and reasons), and its file
 * format: "ATRISK02", then little-endian C, l1, bias, idf[H] (float32),
 * w[H+S] (float64), the kept terms (index, length, bytes), and a flag
 * followed, for boosting, by the column map and XGBoost's raw model. */
#include "risk/internal.h"

#include <math.h>
#include <string.h>

#define RISK_MAX_MODEL ((size_t)64 << 20)

double at_risk_model_C(const at_risk_model *m)
{
    return m ? m->C : 0;
}

static const char *feature_name(const at_risk_model *m, uint32_t idx)
{
    return idx >= RISK_H ? risk_structured_name((int)(idx - RISK_H)) : m->terms[idx];
}

/* Boosting: probability and the features with the largest positive SHAP
 * contributions. */
static at_status predict_xgb(const at_risk_model *m, risk_vec *v, double *prob, at_buf *reasons, int nreasons)
{
    uint32_t *cols = at_malloc((v->n + 1) * sizeof *cols);
    float *vals = at_malloc((v->n + 1) * sizeof *vals);
    uint32_t *orig = at_malloc((v->n + 1) * sizeof *orig);
    double *contrib = reasons ? at_calloc((size_t)m->ncol + 1, sizeof *contrib) : NULL;
    at_status st = cols && vals && orig && (!reasons || contrib) ? AT_OK : AT_ERR_NOMEM;
    size_t k = 0;
    for (size_t j = 0; j < v->n && !st; j++) {
        uint32_t idx = v->v[j].idx;
        long c = idx >= RISK_H ? m->ncol - RISK_S + (long)(idx - RISK_H) : (long)m->colmap[idx] - 1;
        if (c < 0 || c >= m->ncol)
            continue;
        cols[k] = (uint32_t)c;
        vals[k] = v->v[j].val;
        orig[k++] = idx;
    }
    if (!st)
        st = risk_xgb_predict(m->xgb, m->xgb_len, cols, vals, k, m->ncol, prob, contrib);
    for (int r = 0; r < nreasons && reasons && !st; r++) {
        double best = 0;
        size_t bj = (size_t)-1;
        for (size_t j = 0; j < k; j++)
            if (contrib[cols[j]] > best && feature_name(m, orig[j])) {
                best = contrib[cols[j]];
                bj = j;
            }
        if (bj == (size_t)-1)
            break;
        st = at_buf_printf(reasons, "%s%s", r ? "; " : "", feature_name(m, orig[bj]));
        contrib[cols[bj]] = 0;
    }
    at_free(cols);
    at_free(vals);
    at_free(orig);
    at_free(contrib);
    return st;
}

at_status at_risk_predict(const at_risk_model *m, const char *text, size_t len, double *prob, at_buf *reasons,
                          int nreasons)
{
    risk_vec v = {0};
    at_status st = risk_featurize(m->x, m->idf, text, len, &v);
    if (st) {
        risk_vec_free(&v);
        return st;
    }
    if (m->xgb) {
        st = predict_xgb(m, &v, prob, reasons, nreasons);
        risk_vec_free(&v);
        return st;
    }
    double z = m->bias;
    for (size_t j = 0; j < v.n; j++)
        z += m->w[v.v[j].idx] * v.v[j].val;
    *prob = 1.0 / (1.0 + exp(-z));
    if (reasons && nreasons > 0) {
        int used = 0;
        for (int r = 0; r < nreasons && !st; r++) {
            double best = 0;
            size_t bj = (size_t)-1;
            for (size_t j = 0; j < v.n; j++) {
                double c = m->w[v.v[j].idx] * v.v[j].val;
                if (c > best && (v.v[j].idx >= RISK_H || m->terms[v.v[j].idx])) {
                    best = c;
                    bj = j;
                }
            }
            if (bj == (size_t)-1)
                break;
            uint32_t idx = v.v[bj].idx;
            const char *name = idx >= RISK_H ? risk_structured_name((int)(idx - RISK_H)) : m->terms[idx];
            st = at_buf_printf(reasons, "%s%s", used ? "; " : "", name);
            used++;
            v.v[bj].val = 0;
        }
    }
    risk_vec_free(&v);
    return st;
}

at_status at_risk_save(const at_risk_model *m, const char *path)
{
    at_buf b;
    at_buf_init(&b, RISK_MAX_MODEL);
    at_status st = at_buf_append(&b, "ATRISK02", 8);
    uint32_t h = RISK_H, s = RISK_S;
    int32_t l1 = m->l1;
    if (!st)
        st = at_buf_append(&b, &h, 4);
    if (!st)
        st = at_buf_append(&b, &s, 4);
    if (!st)
        st = at_buf_append(&b, &m->C, 8);
    if (!st)
        st = at_buf_append(&b, &l1, 4);
    if (!st)
        st = at_buf_append(&b, &m->bias, 8);
    if (!st)
        st = at_buf_append(&b, m->idf, RISK_H * sizeof *m->idf);
    if (!st)
        st = at_buf_append(&b, m->w, (RISK_H + RISK_S) * sizeof *m->w);
    uint32_t nt = 0;
    for (size_t j = 0; j < RISK_H; j++)
        nt += m->terms[j] != NULL;
    if (!st)
        st = at_buf_append(&b, &nt, 4);
    for (uint32_t j = 0; j < RISK_H && !st; j++) {
        if (!m->terms[j])
            continue;
        uint16_t n = (uint16_t)(strlen(m->terms[j]) > 1000 ? 1000 : strlen(m->terms[j]));
        st = at_buf_append(&b, &j, 4);
        if (!st)
            st = at_buf_append(&b, &n, 2);
        if (!st)
            st = at_buf_append(&b, m->terms[j], n);
    }
    uint32_t has_xgb = m->xgb != NULL, ncol = (uint32_t)m->ncol;
    uint64_t xl = m->xgb_len;
    if (!st)
        st = at_buf_append(&b, &has_xgb, 4);
    if (!st && has_xgb) {
        st = at_buf_append(&b, &ncol, 4);
        if (!st)
            st = at_buf_append(&b, m->colmap, RISK_H * sizeof *m->colmap);
        if (!st)
            st = at_buf_append(&b, &xl, 8);
        if (!st)
            st = at_buf_append(&b, m->xgb, m->xgb_len);
    }
    if (!st)
        st = at_file_write_atomic(path, b.data, b.len);
    at_buf_free(&b);
    return st;
}

static int take(const unsigned char **p, size_t *left, void *dst, size_t n)
{
    if (*left < n)
        return 0;
    memcpy(dst, *p, n);
    *p += n;
    *left -= n;
    return 1;
}

at_status at_risk_load(const char *path, at_risk_model **out)
{
    *out = NULL;
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, RISK_MAX_MODEL, &data, &len);
    if (st)
        return st;
    at_risk_model *m = at_calloc(1, sizeof *m);
    if (m && (st = at_text_extractor_new(NULL, &m->x))) {
        at_free(data);
        at_risk_free(m);
        return st;
    }
    if (m) {
        m->idf = at_calloc(RISK_H, sizeof *m->idf);
        m->w = at_calloc(RISK_H + RISK_S, sizeof *m->w);
        m->terms = at_calloc(RISK_H, sizeof *m->terms);
    }
    const unsigned char *p = data;
    size_t left = len;
    char magic[8];
    uint32_t h = 0, s = 0, nt = 0;
    int32_t l1 = 0;
    if (!m || !m->idf || !m->w || !m->terms) {
        st = AT_ERR_NOMEM;
    } else if (!take(&p, &left, magic, 8) || (memcmp(magic, "ATRISK01", 8) && memcmp(magic, "ATRISK02", 8)) ||
               !take(&p, &left, &h, 4) || !take(&p, &left, &s, 4) || h != RISK_H || s != RISK_S ||
               !take(&p, &left, &m->C, 8) || !take(&p, &left, &l1, 4) || !take(&p, &left, &m->bias, 8) ||
               !take(&p, &left, m->idf, RISK_H * sizeof *m->idf) ||
               !take(&p, &left, m->w, (RISK_H + RISK_S) * sizeof *m->w) || !take(&p, &left, &nt, 4) ||
               nt > RISK_H) {
        st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: not an atelier risk model or truncated", path,
                          len - left);
    } else {
        m->l1 = l1;
        for (uint32_t k = 0; k < nt && !st; k++) {
            uint32_t j;
            uint16_t n;
            if (!take(&p, &left, &j, 4) || !take(&p, &left, &n, 2) || j >= RISK_H || n > left || n > 1000 ||
                m->terms[j]) {
                st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: bad term table", path, len - left);
                break;
            }
            m->terms[j] = at_strndup((const char *)p, n);
            if (!m->terms[j])
                st = AT_ERR_NOMEM;
            p += n;
            left -= n;
        }
        uint32_t has_xgb = 0, ncol = 0;
        uint64_t xl = 0;
        if (!st && !memcmp(magic, "ATRISK02", 8) && !take(&p, &left, &has_xgb, 4))
            st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: truncated", path, len - left);
        if (!st && has_xgb) {
            m->colmap = at_malloc(RISK_H * sizeof *m->colmap);
            if (!m->colmap)
                st = AT_ERR_NOMEM;
            else if (!take(&p, &left, &ncol, 4) || ncol < RISK_S || ncol > RISK_H + RISK_S ||
                     !take(&p, &left, m->colmap, RISK_H * sizeof *m->colmap) || !take(&p, &left, &xl, 8) ||
                     xl > left || xl == 0)
                st = at_error_set(AT_ERR_FORMAT, "%s: offset %zu: bad boosting section", path, len - left);
            for (size_t j = 0; j < RISK_H && !st; j++)
                if (m->colmap[j] > ncol)
                    st = at_error_set(AT_ERR_FORMAT, "%s: bad column map", path);
            if (!st) {
                m->ncol = (int)ncol;
                m->xgb_len = (size_t)xl;
                m->xgb = at_malloc(m->xgb_len);
                if (!m->xgb)
                    st = AT_ERR_NOMEM;
                else
                    take(&p, &left, m->xgb, m->xgb_len);
            }
        }
        for (size_t j = 0; j < RISK_H + RISK_S && !st; j++)
            if (!isfinite(m->w[j]) || (j < RISK_H && !isfinite(m->idf[j])))
                st = at_error_set(AT_ERR_NUMERIC, "%s: non-finite weight", path);
        if (!st && !isfinite(m->bias))
            st = at_error_set(AT_ERR_NUMERIC, "%s: non-finite bias", path);
    }
    at_free(data);
    if (st) {
        at_risk_free(m);
        return st;
    }
    *out = m;
    return AT_OK;
}
