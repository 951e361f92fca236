/* Group normalisation fused with ReLU (oneDNN 2.6 has none): per sample,
 * channels split into `groups` groups, each normalised over its channels
 * and voxels, then a per-channel affine and ReLU. Instance norm is the case
 * groups = channels. Works on the engine's f32 layouts (plain or blocked
 * by 16 channels); statistics and gradients in double, deterministic for
 * any thread count (each (sample, group) is reduced in a fixed order).
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "dnn.h"

#include <math.h>
#include <string.h>

/* Offset of (n, c, s) in a plain (block 1) or 8/16-blocked tensor. */
static inline size_t gn_off(const lt_gn *g, int64_t n, int64_t c, int64_t s)
{
    if (g->block == 1)
        return ((size_t)(n * g->C + c)) * (size_t)g->S + (size_t)s;
    size_t b = (size_t)g->block;
    return (((size_t)(n * (g->C / g->block) + c / g->block)) * (size_t)g->S + (size_t)s) * b + (size_t)c % b;
}

at_status lt_gn_init(lt_engine *e, lt_gn *g, const lt_tensor *t, lt_param *gamma, lt_param *beta, int groups,
                     float eps, float slope)
{
    memset(g, 0, sizeof *g);
    if (e->act_dt != dnnl_f32)
        return at_error_set(AT_ERR_UNSUPPORTED, "group/instance norm runs in f32 only (no bf16)");
    g->N = t->dims[0];
    g->C = t->dims[1];
    g->S = 1;
    for (int i = 2; i < t->ndims; i++)
        g->S *= t->dims[i];
    g->G = groups > 0 ? groups : g->C;
    if (g->C % g->G)
        return at_error_set(AT_ERR_ARG, "group norm: %lld channels are not divisible by %d groups",
                            (long long)g->C, g->G);
    g->block = t->md.format_desc.blocking.inner_nblks ? (int)t->md.format_desc.blocking.inner_blks[0] : 1;
    g->gamma = gamma;
    g->beta = beta;
    g->eps = eps;
    g->slope = slope;
    size_t ng = (size_t)(g->N * g->G), nc = (size_t)(g->N * g->C);
    g->mean = at_calloc(ng, sizeof(double));
    g->rstd = at_calloc(ng, sizeof(double));
    g->dg = at_calloc(nc, sizeof(double));
    g->db = at_calloc(nc, sizeof(double));
    if (!g->mean || !g->rstd || !g->dg || !g->db) {
        lt_gn_fini(g);
        return AT_ERR_NOMEM;
    }
    return AT_OK;
}

void lt_gn_fini(lt_gn *g)
{
    at_free(g->mean);
    at_free(g->rstd);
    at_free(g->dg);
    at_free(g->db);
    memset(g, 0, sizeof *g);
}

at_status lt_gn_forward(lt_engine *e, lt_gn *g, lt_tensor *src, lt_tensor *dst)
{
    dnnl_stream_wait(e->stream);
    const float *x = lt_data(src->mem);
    float *y = lt_data(dst->mem);
    int64_t cpg = g->C / g->G, total = g->N * g->G;
#pragma omp parallel for schedule(static)
    for (int64_t ng = 0; ng < total; ng++) {
        int64_t n = ng / g->G, c0 = (ng % g->G) * cpg;
        double sum = 0, sq = 0;
        for (int64_t c = c0; c < c0 + cpg; c++)
            for (int64_t s = 0; s < g->S; s++) {
                double v = x[gn_off(g, n, c, s)];
                sum += v;
                sq += v * v;
            }
        double cnt = (double)(cpg * g->S), mean = sum / cnt, var = sq / cnt - mean * mean;
        if (var < 0)
            var = 0;
        double rstd = 1.0 / sqrt(var + g->eps);
        g->mean[ng] = mean;
        g->rstd[ng] = rstd;
        for (int64_t c = c0; c < c0 + cpg; c++) {
            float a = (float)(rstd * g->gamma->data[c]);
            float b = (float)(g->beta->data[c] - mean * rstd * g->gamma->data[c]);
            for (int64_t s = 0; s < g->S; s++) {
                size_t o = gn_off(g, n, c, s);
                float v = x[o] * a + b;
                y[o] = v > 0 ? v : v * g->slope;
            }
        }
    }
    return AT_OK;
}

at_status lt_gn_backward(lt_engine *e, lt_gn *g, lt_tensor *src, lt_tensor *dst)
{
    dnnl_stream_wait(e->stream);
    const float *x = lt_data(src->mem), *y = lt_data(dst->mem), *dy = lt_data(dst->grad);
    float *dx = lt_data(src->grad);
    int64_t cpg = g->C / g->G, total = g->N * g->G;
#pragma omp parallel for schedule(static)
    for (int64_t ng = 0; ng < total; ng++) {
        int64_t n = ng / g->G, c0 = (ng % g->G) * cpg;
        double mean = g->mean[ng], rstd = g->rstd[ng], m1 = 0, m2 = 0;
        for (int64_t c = c0; c < c0 + cpg; c++) {
            double sg = 0, sb = 0;
            for (int64_t s = 0; s < g->S; s++) {
                size_t o = gn_off(g, n, c, s);
                double d = y[o] > 0 ? dy[o] : dy[o] * (double)g->slope;
                sg += d * (x[o] - mean) * rstd;
                sb += d;
            }
            g->dg[n * g->C + c] = sg;
            g->db[n * g->C + c] = sb;
            m1 += g->gamma->data[c] * sb;
            m2 += g->gamma->data[c] * sg;
        }
        double cnt = (double)(cpg * g->S);
        m1 /= cnt;
        m2 /= cnt;
        for (int64_t c = c0; c < c0 + cpg; c++) {
            double gm = g->gamma->data[c];
            for (int64_t s = 0; s < g->S; s++) {
                size_t o = gn_off(g, n, c, s);
                double d = y[o] > 0 ? dy[o] : dy[o] * (double)g->slope, xhat = (x[o] - mean) * rstd;
                dx[o] = (float)(rstd * (d * gm - m1 - xhat * m2));
            }
        }
    }
    for (int64_t c = 0; c < g->C; c++) {
        double sg = 0, sb = 0;
        for (int64_t n = 0; n < g->N; n++) {
            sg += g->dg[n * g->C + c];
            sb += g->db[n * g->C + c];
        }
        g->gamma->grad[c] += (float)sg;
        g->beta->grad[c] += (float)sb;
    }
    return AT_OK;
}
