/* CPU engine: oneDNN engine and stream, activation tensors in blocked
 * layouts, cached reorders, and convolution / transposed convolution
 * forward and backward.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "dnn.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

at_status lt_check(dnnl_status_t s, const char *what)
{
    if (s == dnnl_success)
        return AT_OK;
    if (s == dnnl_out_of_memory)
        return at_error_set(AT_ERR_NOMEM, "oneDNN: out of memory in %s", what);
    if (s == dnnl_unimplemented)
        return at_error_set(AT_ERR_UNSUPPORTED, "oneDNN: %s is not implemented for these shapes", what);
    return at_error_set(AT_ERR_ARG, "oneDNN: %s failed (status %d)", what, (int)s);
}

#define CK(call, what)                                                                                       \
    do {                                                                                                     \
        at_status st_ = lt_check((call), (what));                                                            \
        if (st_ != AT_OK)                                                                                    \
            return st_;                                                                                      \
    } while (0)

at_status lt_engine_init(lt_engine *e, int bf16)
{
    memset(e, 0, sizeof *e);
    CK(dnnl_engine_create(&e->eng, dnnl_cpu, 0), "engine creation");
    CK(dnnl_stream_create(&e->stream, e->eng, dnnl_stream_default_flags), "stream creation");
    e->act_dt = bf16 ? dnnl_bf16 : dnnl_f32;
    return AT_OK;
}

void lt_engine_fini(lt_engine *e)
{
    if (e->stream)
        dnnl_stream_destroy(e->stream);
    if (e->eng)
        dnnl_engine_destroy(e->eng);
    memset(e, 0, sizeof *e);
}

void *lt_data(dnnl_memory_t m)
{
    void *p = NULL;
    if (m)
        dnnl_memory_get_data_handle(m, &p);
    return p;
}

static at_status mem_new(lt_engine *e, dnnl_memory_t *m, const dnnl_memory_desc_t *md, void *handle)
{
    CK(dnnl_memory_create(m, md, e->eng, handle ? handle : DNNL_MEMORY_ALLOCATE), "memory");
    if (!handle) {
        size_t n = dnnl_memory_desc_get_size(md);
        memset(lt_data(*m), 0, n);
    }
    return AT_OK;
}

at_status lt_tensor_init(lt_engine *e, lt_tensor *t, int ndims, const int64_t *dims, int plain,
                         dnnl_data_type_t dt)
{
    memset(t, 0, sizeof *t);
    t->ndims = ndims;
    dnnl_dims_t d;
    for (int i = 0; i < ndims; i++)
        d[i] = t->dims[i] = dims[i];
    dnnl_format_tag_t tag;
    /* blocked by 16 channels (AVX-512 kernels) or 8 (AVX2 kernels) */
    if (plain == 16 || ((plain == 0 || plain == 2) && dims[1] % 16 == 0))
        tag = ndims == 4 ? dnnl_nChw16c : dnnl_nCdhw16c;
    else if (plain == 8 || (plain == 0 && dims[1] % 8 == 0))
        tag = ndims == 4 ? dnnl_nChw8c : dnnl_nCdhw8c;
    else
        tag = ndims == 4 ? dnnl_nchw : dnnl_ncdhw;
    CK(dnnl_memory_desc_init_by_tag(&t->md, ndims, d, dt, tag), "tensor descriptor");
    at_status st = mem_new(e, &t->mem, &t->md, NULL);
    if (st == AT_OK)
        st = mem_new(e, &t->grad, &t->md, NULL);
    return st;
}

at_status lt_tensor_init_md(lt_engine *e, lt_tensor *t, const dnnl_memory_desc_t *md)
{
    memset(t, 0, sizeof *t);
    t->ndims = md->ndims;
    for (int i = 0; i < md->ndims; i++)
        t->dims[i] = md->dims[i];
    t->md = *md;
    at_status st = mem_new(e, &t->mem, &t->md, NULL);
    if (st == AT_OK)
        st = mem_new(e, &t->grad, &t->md, NULL);
    return st;
}

/* The destination layout a (non-transposed) convolution prefers for its
 * output of dims. */
static at_status conv_pick_dst(lt_engine *e, const lt_tensor *src, const int64_t *dims, int k, int has_bias,
                               dnnl_memory_desc_t *out)
{
    int nd = src->ndims;
    dnnl_dims_t wd = {dims[1], src->dims[1], k, k, k}, dd, strides = {1, 1, 1},
                pad = {(k - 1) / 2, (k - 1) / 2, (k - 1) / 2}, bd = {dims[1]};
    for (int i = 0; i < nd; i++)
        dd[i] = dims[i];
    dnnl_memory_desc_t w_any, d_any, b_md;
    CK(dnnl_memory_desc_init_by_tag(&w_any, nd, wd, e->act_dt, dnnl_format_tag_any), "weights");
    CK(dnnl_memory_desc_init_by_tag(&d_any, nd, dd, e->act_dt, dnnl_format_tag_any), "output");
    CK(dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a), "bias");
    dnnl_convolution_desc_t d;
    CK(dnnl_convolution_forward_desc_init(&d, dnnl_forward_training, dnnl_convolution_direct, &src->md,
                                          &w_any, has_bias ? &b_md : NULL, &d_any, strides, pad, pad),
       "convolution");
    dnnl_primitive_desc_t pd;
    CK(dnnl_primitive_desc_create(&pd, &d, NULL, e->eng, NULL), "convolution");
    *out = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    dnnl_primitive_desc_destroy(pd);
    return AT_OK;
}

at_status lt_tensor_init_conv_dst(lt_engine *e, lt_tensor *t, const lt_tensor *src, const int64_t *dims,
                                  int k, int has_bias)
{
    dnnl_memory_desc_t md;
    at_status st = conv_pick_dst(e, src, dims, k, has_bias, &md);
    return st == AT_OK ? lt_tensor_init_md(e, t, &md) : st;
}

at_status lt_edge_init(lt_engine *e, lt_edge *g, const lt_tensor *t, float *buffer, int to_engine)
{
    memset(g, 0, sizeof *g);
    g->to_engine = to_engine;
    dnnl_memory_desc_t md;
    CK(dnnl_memory_desc_init_by_tag(&md, t->ndims, t->md.dims, dnnl_f32,
                                    t->ndims == 4 ? dnnl_nchw : dnnl_ncdhw),
       "memory");
    CK(dnnl_memory_create(&g->user, &md, e->eng, buffer ? (void *)buffer : DNNL_MEMORY_NONE), "memory");
    return to_engine ? lt_reorder_init(e, &g->r, &md, &t->md) : lt_reorder_init(e, &g->r, &t->md, &md);
}

at_status lt_edge_run(lt_engine *e, lt_edge *g, const float *user, dnnl_memory_t engine)
{
    if (user)
        dnnl_memory_set_data_handle(g->user, (void *)user);
    return g->to_engine ? lt_reorder_run(e, &g->r, g->user, engine)
                        : lt_reorder_run(e, &g->r, engine, g->user);
}

void lt_edge_fini(lt_edge *g)
{
    if (g->user)
        dnnl_memory_destroy(g->user);
    lt_reorder_fini(&g->r);
    memset(g, 0, sizeof *g);
}

void lt_engine_wait(lt_engine *e)
{
    if (e->stream)
        dnnl_stream_wait(e->stream);
}

void lt_tensor_fini(lt_tensor *t)
{
    if (t->mem)
        dnnl_memory_destroy(t->mem);
    if (t->grad)
        dnnl_memory_destroy(t->grad);
    memset(t, 0, sizeof *t);
}

size_t lt_tensor_elems(const lt_tensor *t)
{
    size_t n = 1;
    for (int i = 0; i < t->ndims; i++)
        n *= (size_t)t->dims[i];
    return n;
}

at_status lt_reorder_init(lt_engine *e, lt_reorder *r, const dnnl_memory_desc_t *src,
                          const dnnl_memory_desc_t *dst)
{
    dnnl_primitive_desc_t pd;
    r->prim = NULL;
    CK(dnnl_reorder_primitive_desc_create(&pd, src, e->eng, dst, e->eng, NULL), "reorder");
    dnnl_status_t s = dnnl_primitive_create(&r->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    return lt_check(s, "reorder");
}

at_status lt_reorder_run(lt_engine *e, lt_reorder *r, dnnl_memory_t src, dnnl_memory_t dst)
{
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    CK(dnnl_primitive_execute(r->prim, e->stream, 2, a), "reorder");
    return AT_OK;
}

void lt_reorder_fini(lt_reorder *r)
{
    if (r->prim)
        dnnl_primitive_destroy(r->prim);
    r->prim = NULL;
}

/* Create a primitive from an op descriptor; the descriptor is returned too. */
static at_status prim_make(lt_engine *e, const void *op, const_dnnl_primitive_desc_t hint,
                           dnnl_primitive_desc_t *pd, dnnl_primitive_t *prim, const char *what)
{
    CK(dnnl_primitive_desc_create(pd, op, NULL, e->eng, hint), what);
    dnnl_status_t s = dnnl_primitive_create(prim, *pd);
    if (s != dnnl_success) {
        dnnl_primitive_desc_destroy(*pd);
        *pd = NULL;
    }
    return lt_check(s, what);
}

at_status lt_conv_init(lt_engine *e, lt_conv *c, const lt_tensor *src, const lt_tensor *dst, lt_param *w,
                       lt_param *b, int k, int s, int p, int transposed, int need_bwd_data)
{
    memset(c, 0, sizeof *c);
    c->transposed = transposed;
    c->k = k;
    c->s = s;
    c->p = p;
    c->w = w;
    c->b = b;
    c->has_bias = b != NULL;
    int nd = src->ndims, sp = nd - 2;
    int64_t ic = src->dims[1], oc = dst->dims[1];
    dnnl_dims_t wd = {oc, ic, k, k, k}, strides = {s, s, s}, pad = {p, p, p}, bd = {oc};
    dnnl_memory_desc_t w_any, w_user, b_md, dw_any;
    dnnl_format_tag_t wtag =
        transposed ? (nd == 4 ? dnnl_iohw : dnnl_iodhw) : (nd == 4 ? dnnl_oihw : dnnl_oidhw);
    CK(dnnl_memory_desc_init_by_tag(&w_any, nd, wd, e->act_dt, dnnl_format_tag_any), "weights");
    CK(dnnl_memory_desc_init_by_tag(&dw_any, nd, wd, dnnl_f32, dnnl_format_tag_any), "weights");
    CK(dnnl_memory_desc_init_by_tag(&w_user, nd, wd, dnnl_f32, wtag), "weights");
    CK(dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a), "bias");
    const dnnl_memory_desc_t *bptr = c->has_bias ? &b_md : NULL;
    if (transposed && k == 2 && s == 2 && p == 0 && getenv("ATELIER_LEARN_DECONV") == NULL) {
        int used = 0;
        at_status ust = lt_upconv_init(e, c, src, dst, &used);
        if (ust != AT_OK || used)
            return ust;
    }

    /* forward */
    dnnl_primitive_desc_t fpd = NULL, dpd = NULL, wpd = NULL;
    at_status st;
    if (transposed) {
        dnnl_deconvolution_desc_t d;
        CK(dnnl_deconvolution_forward_desc_init(&d, dnnl_forward_training, dnnl_deconvolution_direct,
                                                &src->md, &w_any, bptr, &dst->md, strides, pad, pad),
           "transposed convolution");
        st = prim_make(e, &d, NULL, &fpd, &c->fwd, "transposed convolution forward");
    } else {
        dnnl_convolution_desc_t d;
        CK(dnnl_convolution_forward_desc_init(&d, dnnl_forward_training, dnnl_convolution_direct, &src->md,
                                              &w_any, bptr, &dst->md, strides, pad, pad),
           "convolution");
        st = prim_make(e, &d, NULL, &fpd, &c->fwd, "convolution forward");
    }
    if (st != AT_OK)
        return st;
    const dnnl_memory_desc_t *wf = dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
    st = mem_new(e, &c->w_plain, &w_user, w->data);
    if (st == AT_OK)
        st = mem_new(e, &c->w_fwd, wf, NULL);
    if (st == AT_OK)
        st = lt_reorder_init(e, &c->r_w_fwd, &w_user, wf);
    if (st == AT_OK && c->has_bias)
        st = mem_new(e, &c->b_mem, &b_md, b->data);

    /* backward data */
    if (st == AT_OK && need_bwd_data) {
        if (transposed) {
            dnnl_deconvolution_desc_t d;
            st = lt_check(dnnl_deconvolution_backward_data_desc_init(&d, dnnl_deconvolution_direct, &src->md,
                                                                     &w_any, &dst->md, strides, pad, pad),
                          "transposed convolution backward");
            if (st == AT_OK)
                st = prim_make(e, &d, fpd, &dpd, &c->bwd_d, "transposed convolution backward");
        } else {
            dnnl_convolution_desc_t d;
            st = lt_check(dnnl_convolution_backward_data_desc_init(&d, dnnl_convolution_direct, &src->md,
                                                                   &w_any, &dst->md, strides, pad, pad),
                          "convolution backward");
            if (st == AT_OK)
                st = prim_make(e, &d, fpd, &dpd, &c->bwd_d, "convolution backward data");
        }
        if (st == AT_OK) {
            const dnnl_memory_desc_t *wb = dnnl_primitive_desc_query_md(dpd, dnnl_query_weights_md, 0);
            if (!dnnl_memory_desc_equal(wb, wf)) {
                c->need_w_bwd = 1;
                st = mem_new(e, &c->w_bwd, wb, NULL);
                if (st == AT_OK)
                    st = lt_reorder_init(e, &c->r_w_bwd, &w_user, wb);
            }
        }
    }
    /* backward weights */
    if (st == AT_OK) {
        if (transposed) {
            dnnl_deconvolution_desc_t d;
            st = lt_check(dnnl_deconvolution_backward_weights_desc_init(&d, dnnl_deconvolution_direct,
                                                                        &src->md, &dw_any, bptr, &dst->md,
                                                                        strides, pad, pad),
                          "transposed convolution backward weights");
            if (st == AT_OK)
                st = prim_make(e, &d, fpd, &wpd, &c->bwd_w, "transposed convolution backward weights");
        } else {
            dnnl_convolution_desc_t d;
            st = lt_check(dnnl_convolution_backward_weights_desc_init(&d, dnnl_convolution_direct, &src->md,
                                                                      &dw_any, bptr, &dst->md, strides, pad,
                                                                      pad),
                          "convolution backward weights");
            if (st == AT_OK)
                st = prim_make(e, &d, fpd, &wpd, &c->bwd_w, "convolution backward weights");
        }
    }
    if (st == AT_OK) {
        const dnnl_memory_desc_t *dw = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0);
        c->dw_tmp = at_malloc(w->count * sizeof(float));
        st = c->dw_tmp ? mem_new(e, &c->dw, dw, NULL) : AT_ERR_NOMEM;
        if (st == AT_OK)
            st = mem_new(e, &c->dw_plain, &w_user, c->dw_tmp);
        if (st == AT_OK)
            st = lt_reorder_init(e, &c->r_dw, dw, &w_user);
        if (st == AT_OK && c->has_bias)
            st = mem_new(e, &c->db_mem, &b_md, NULL);
    }
    /* multiply-adds: every output (conv) or input (transposed) element
     * meets ic (oc) * k^sp weights */
    double kk = 1;
    for (int i = 0; i < sp; i++)
        kk *= k;
    double outer =
        transposed ? (double)lt_tensor_elems(src) * (double)oc : (double)lt_tensor_elems(dst) * (double)ic;
    c->flops = 2.0 * outer * kk;
    if (fpd)
        dnnl_primitive_desc_destroy(fpd);
    if (dpd)
        dnnl_primitive_desc_destroy(dpd);
    if (wpd)
        dnnl_primitive_desc_destroy(wpd);
    return st;
}

void lt_conv_fini(lt_conv *c)
{
    lt_upconv_fini(c);
    dnnl_primitive_t ps[3] = {c->fwd, c->bwd_d, c->bwd_w};
    for (int i = 0; i < 3; i++)
        if (ps[i])
            dnnl_primitive_destroy(ps[i]);
    dnnl_memory_t ms[7] = {c->w_plain, c->dw_plain, c->b_mem, c->db_mem, c->w_fwd, c->w_bwd, c->dw};
    for (int i = 0; i < 7; i++)
        if (ms[i])
            dnnl_memory_destroy(ms[i]);
    lt_reorder_fini(&c->r_w_fwd);
    lt_reorder_fini(&c->r_w_bwd);
    lt_reorder_fini(&c->r_dw);
    at_free(c->dw_tmp);
    memset(c, 0, sizeof *c);
}

at_status lt_conv_prepare(lt_engine *e, lt_conv *c)
{
    if (c->inner)
        return lt_upconv_prepare(e, c);
    at_status st = lt_reorder_run(e, &c->r_w_fwd, c->w_plain, c->w_fwd);
    if (st == AT_OK && c->need_w_bwd)
        st = lt_reorder_run(e, &c->r_w_bwd, c->w_plain, c->w_bwd);
    return st;
}

at_status lt_conv_forward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst)
{
    if (c->inner)
        return lt_upconv_forward(e, c, src, dst);
    dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, src->mem},
                            {DNNL_ARG_WEIGHTS, c->w_fwd},
                            {DNNL_ARG_DST, dst->mem},
                            {DNNL_ARG_BIAS, c->b_mem}};
    CK(dnnl_primitive_execute(c->fwd, e->stream, c->has_bias ? 4 : 3, a),
       c->transposed ? "transposed convolution forward" : "convolution forward");
    return AT_OK;
}

at_status lt_conv_backward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst)
{
    if (c->inner)
        return lt_upconv_backward(e, c, src, dst);
    if (c->bwd_d) {
        dnnl_exec_arg_t a[3] = {{DNNL_ARG_DIFF_DST, dst->grad},
                                {DNNL_ARG_WEIGHTS, c->need_w_bwd ? c->w_bwd : c->w_fwd},
                                {DNNL_ARG_DIFF_SRC, src->grad}};
        CK(dnnl_primitive_execute(c->bwd_d, e->stream, 3, a), "convolution backward data");
    }
    dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, src->mem},
                            {DNNL_ARG_DIFF_DST, dst->grad},
                            {DNNL_ARG_DIFF_WEIGHTS, c->dw},
                            {DNNL_ARG_DIFF_BIAS, c->db_mem}};
    CK(dnnl_primitive_execute(c->bwd_w, e->stream, c->has_bias ? 4 : 3, a), "convolution backward weights");
    /* oneDNN overwrites diff_weights: accumulate into the parameter grads */
    at_status st = lt_reorder_run(e, &c->r_dw, c->dw, c->dw_plain);
    if (st != AT_OK)
        return st;
    float *g = c->w->grad;
    for (size_t i = 0; i < c->w->count; i++)
        g[i] += c->dw_tmp[i];
    if (c->has_bias) {
        const float *db = lt_data(c->db_mem);
        for (size_t i = 0; i < c->b->count; i++)
            c->b->grad[i] += db[i];
    }
    return AT_OK;
}

int lt_all_finite(dnnl_memory_t m, const dnnl_memory_desc_t *md)
{
    size_t bytes = dnnl_memory_desc_get_size(md);
    const void *p = lt_data(m);
    if (md->data_type == dnnl_bf16) {
        const uint16_t *h = p;
        for (size_t i = 0; i < bytes / 2; i++)
            if ((h[i] & 0x7f80) == 0x7f80)
                return 0;
        return 1;
    }
    const float *f = p;
    int ok = 1;
    for (size_t i = 0; i < bytes / 4; i++)
        ok &= isfinite(f[i]) != 0;
    return ok;
}

int at_learn_set_threads(int n)
{
    if (n > 0)
        omp_set_num_threads(n);
    return omp_get_max_threads();
}

int at_learn_have_bf16(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") != 0;
}

int lt_cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

at_status at_learn_sgemm_gflops(int n, double *gflops)
{
    *gflops = 0;
    if (n < 16 || n > 8192)
        return at_error_set(AT_ERR_ARG, "sgemm size %d out of range 16..8192", n);
    size_t nn = (size_t)n * (size_t)n;
    float *a = at_malloc(nn * sizeof(float)), *b = at_malloc(nn * sizeof(float)),
          *c = at_calloc(nn, sizeof(float));
    at_status st = a && b && c ? AT_OK : AT_ERR_NOMEM;
    for (size_t i = 0; st == AT_OK && i < nn; i++) {
        a[i] = (float)(i % 7) * 0.1f;
        b[i] = (float)(i % 5) * 0.1f;
    }
    for (int r = 0; st == AT_OK && r < 4; r++) {
        double t0 = at_now_seconds();
        st = lt_check(dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n), "sgemm");
        double dt = at_now_seconds() - t0, g = 2.0 * n * (double)n * n / dt * 1e-9;
        if (r > 0 && g > *gflops)
            *gflops = g;
    }
    at_free(a);
    at_free(b);
    at_free(c);
    return st;
}
