/* Metrics of a probabilistic classifier: AUROC (Mann-Whitney, ties
 * averaged), AUPRC (average precision), bootstrap 95% intervals (over
 * patients when their ids are given: a cluster bootstrap), Brier
 * score, a 10-bin reliability table and its SVG plot; the demo pipeline. */
#include "atelier/risk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double p;
    int y;
} py;

static int cmp_py(const void *a, const void *b)
{
    double x = ((const py *)a)->p, y = ((const py *)b)->p;
    return x < y ? -1 : x > y;
}

/* AUROC and AUPRC of n pairs (sorted in place). */
static void auc_pair(py *v, size_t n, double *auroc, double *auprc)
{
    qsort(v, n, sizeof *v, cmp_py);
    double rank_sum = 0, npos = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].p == v[i].p)
            j++;
        double r = (double)(i + j + 1) / 2.0; /* average 1-based rank */
        for (size_t k = i; k < j; k++)
            if (v[k].y) {
                rank_sum += r;
                npos++;
            }
        i = j;
    }
    double nneg = (double)n - npos;
    *auroc = npos > 0 && nneg > 0 ? (rank_sum - npos * (npos + 1) / 2) / (npos * nneg) : 0.5;
    /* average precision: descending thresholds, ties grouped */
    double tp = 0, fp = 0, ap = 0, prev_recall = 0;
    for (size_t i = n; i > 0;) {
        size_t j = i;
        while (j > 0 && v[j - 1].p == v[i - 1].p)
            j--;
        for (size_t k = j; k < i; k++)
            v[k].y ? tp++ : fp++;
        double recall = npos > 0 ? tp / npos : 0, prec = tp + fp > 0 ? tp / (tp + fp) : 0;
        ap += (recall - prev_recall) * prec;
        prev_recall = recall;
        i = j;
    }
    *auprc = ap;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_idx_str(const void *a, const void *b, void *ud)
{
    const char *const *ids = ud;
    return strcmp(ids[*(const size_t *)a], ids[*(const size_t *)b]);
}

/* Rows grouped by patient: order[] lists the rows patient by patient,
 * start[c]..start[c + 1] those of patient c. Returns the number of
 * patients, or 0 when out of memory. All owned by the caller. */
static size_t group_rows(const char *const *ids, size_t n, size_t **order, size_t **start)
{
    *order = at_malloc((n + 1) * sizeof **order);
    *start = at_malloc((n + 2) * sizeof **start);
    if (!*order || !*start)
        return 0;
    for (size_t i = 0; i < n; i++)
        (*order)[i] = i;
    qsort_r(*order, n, sizeof **order, cmp_idx_str, (void *)ids);
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(ids[(*order)[i]], ids[(*order)[i - 1]]))
            (*start)[c++] = i;
    (*start)[c] = n;
    return c;
}

at_status at_risk_metrics_compute_by_patient(const double *p, const int *y, const char *const *ids, size_t n,
                                             int nboot, uint64_t seed, at_risk_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return at_error_set(AT_ERR_ARG, "metrics: no predictions");
    py *v = at_malloc(n * sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        v[i].p = p[i];
        v[i].y = y[i] != 0;
        out->positives += v[i].y;
        out->brier += (p[i] - v[i].y) * (p[i] - v[i].y);
        int b = (int)(p[i] * 10);
        b = b < 0 ? 0 : b > 9 ? 9 : b;
        out->bin_n[b]++;
        out->bin_pred[b] += p[i];
        out->bin_obs[b] += v[i].y;
    }
    out->brier /= (double)n;
    for (int b = 0; b < 10; b++)
        if (out->bin_n[b]) {
            out->bin_pred[b] /= (double)out->bin_n[b];
            out->bin_obs[b] /= (double)out->bin_n[b];
        }
    size_t *order = NULL, *start = NULL, ncl = 0;
    if (ids) {
        ncl = group_rows(ids, n, &order, &start);
        if (!ncl) {
            at_free(order);
            at_free(start);
            at_free(v);
            return AT_ERR_NOMEM;
        }
        out->patients = ncl;
        out->by_patient = 1;
    }
    /* the bootstrap draws from the rows in their original order (auc_pair
     * sorts its copy) */
    py *orig = nboot > 0 ? at_malloc(n * sizeof *orig) : NULL;
    if (nboot > 0 && !orig) {
        at_free(order);
        at_free(start);
        at_free(v);
        return AT_ERR_NOMEM;
    }
    if (orig)
        memcpy(orig, v, n * sizeof *v);
    auc_pair(v, n, &out->auroc, &out->auprc);
    out->auroc_lo = out->auroc_hi = out->auroc;
    out->auprc_lo = out->auprc_hi = out->auprc;
    at_status st = AT_OK;
    if (nboot > 0) {
        double *ra = at_malloc((size_t)nboot * sizeof *ra), *rp = at_malloc((size_t)nboot * sizeof *rp);
        size_t cap = n, valid = 0;
        py *bv = at_malloc(cap * sizeof *bv);
        at_rng r;
        at_rng_seed(&r, seed);
        if (!ra || !rp || !bv)
            st = AT_ERR_NOMEM;
        for (int b = 0; b < nboot && !st; b++) {
            size_t m = 0;
            if (!ids) {
                for (size_t i = 0; i < n; i++)
                    bv[i] = orig[at_rng_next(&r) % n];
                m = n;
            } else {
                /* as many patients as there are, drawn with replacement,
                 * each with all its rows */
                for (size_t k = 0; k < ncl && !st; k++) {
                    size_t c = (size_t)(at_rng_next(&r) % ncl), len = start[c + 1] - start[c];
                    st = AT_GROW(bv, cap, m + len);
                    if (st)
                        break;
                    for (size_t q = start[c]; q < start[c + 1]; q++)
                        bv[m++] = orig[order[q]];
                }
            }
            /* a resample holding one class has no AUROC: it is left out */
            size_t pos = 0;
            for (size_t i = 0; i < m && !st; i++)
                pos += bv[i].y != 0;
            if (!st && pos > 0 && pos < m) {
                auc_pair(bv, m, &ra[valid], &rp[valid]);
                valid++;
            }
        }
        if (!st && valid > 0) {
            qsort(ra, valid, sizeof *ra, cmp_double);
            qsort(rp, valid, sizeof *rp, cmp_double);
            size_t lo = (size_t)(0.025 * (double)valid), hi = (size_t)(0.975 * (double)valid);
            if (hi >= valid)
                hi = valid - 1;
            out->auroc_lo = ra[lo];
            out->auroc_hi = ra[hi];
            out->auprc_lo = rp[lo];
            out->auprc_hi = rp[hi];
        }
        at_free(ra);
        at_free(rp);
        at_free(bv);
    }
    at_free(orig);
    at_free(order);
    at_free(start);
    at_free(v);
    return st;
}

at_status at_risk_metrics_compute(const double *p, const int *y, size_t n, int nboot, uint64_t seed,
                                  at_risk_metrics *out)
{
    return at_risk_metrics_compute_by_patient(p, y, NULL, n, nboot, seed, out);
}

int at_risk_metrics_one_class(const at_risk_metrics *m)
{
    return m->positives == 0 || m->positives == m->n;
}

at_status at_risk_metrics_json(const at_risk_metrics *m, at_buf *out)
{
    if (at_risk_metrics_one_class(m)) {
        at_status st = at_buf_printf(
            out,
            "{\"n\":%zu,\"positives\":%zu,\"patients\":%zu,\"one_class\":true,\"auroc\":null,"
            "\"auroc_ci95\":null,\"auprc\":null,\"auprc_ci95\":null,\"brier\":%.4f,\"reliability\":[",
            m->n, m->positives, m->patients, m->brier);
        for (int b = 0, first = 1; b < 10 && !st; b++)
            if (m->bin_n[b]) {
                st = at_buf_printf(
                    out, "%s{\"bin\":[%.1f,%.1f],\"n\":%zu,\"mean_predicted\":%.4f,\"observed\":%.4f}",
                    first ? "" : ",", b / 10.0, (b + 1) / 10.0, m->bin_n[b], m->bin_pred[b], m->bin_obs[b]);
                first = 0;
            }
        return st ? st : at_buf_puts(out, "]}");
    }
    at_status st =
        at_buf_printf(out,
                      "{\"n\":%zu,\"positives\":%zu,\"patients\":%zu,\"bootstrap\":\"%s\",\"auroc\":%.4f,"
                      "\"auroc_ci95\":[%.4f,%.4f],\"auprc\":%.4f,\"auprc_ci95\":[%.4f,%.4f],\"brier\":%.4f,"
                      "\"reliability\":[",
                      m->n, m->positives, m->patients, m->by_patient ? "patients" : "rows", m->auroc,
                      m->auroc_lo, m->auroc_hi, m->auprc, m->auprc_lo, m->auprc_hi, m->brier);
    int first = 1;
    for (int b = 0; b < 10 && !st; b++) {
        if (!m->bin_n[b])
            continue;
        st = at_buf_printf(out, "%s{\"bin\":[%.1f,%.1f],\"n\":%zu,\"mean_predicted\":%.4f,\"observed\":%.4f}",
                           first ? "" : ",", b / 10.0, (b + 1) / 10.0, m->bin_n[b], m->bin_pred[b],
                           m->bin_obs[b]);
        first = 0;
    }
    if (!st)
        st = at_buf_puts(out, "]}");
    return st;
}

at_status at_risk_calibration_svg(const at_risk_metrics *m, at_buf *out)
{
    const int W = 420, H = 420, M = 50, P = W - 2 * M;
    at_status st = at_buf_printf(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
        "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n"
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"gray\" stroke-dasharray=\"4\"/>\n"
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">mean predicted probability</text>\n"
        "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">observed "
        "frequency</text>\n"
        "<text x=\"%d\" y=\"30\" text-anchor=\"middle\">Reliability (n=%zu, Brier %.3f, AUROC %.3f)</text>\n",
        W, H, M, M, P, P, M, M + P, M + P, M, W / 2, H - 12, H / 2, H / 2, W / 2, m->n, m->brier, m->auroc);
    for (int t = 0; t <= 10 && !st; t += 5)
        st = at_buf_printf(out,
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.1f</text>"
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f</text>\n",
                           M + P * t / 10, M + P + 16, t / 10.0, M - 4, M + P - P * t / 10 + 4, t / 10.0);
    if (!st)
        st = at_buf_puts(out, "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"");
    for (int b = 0; b < 10 && !st; b++)
        if (m->bin_n[b])
            st = at_buf_printf(out, "%.1f,%.1f ", M + P * m->bin_pred[b], M + P - P * m->bin_obs[b]);
    if (!st)
        st = at_buf_puts(out, "\"/>\n");
    for (int b = 0; b < 10 && !st; b++)
        if (m->bin_n[b])
            st = at_buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#c0392b\"/>\n",
                               M + P * m->bin_pred[b], M + P - P * m->bin_obs[b],
                               2.0 + 6.0 * sqrt((double)m->bin_n[b] / (double)m->n));
    if (!st)
        st = at_buf_puts(out, "</svg>\n");
    return st;
}
