/* CPU engine layers beside convolution: batch norm fused with ReLU,
 * ReLU / LeakyReLU, max pooling, channel concatenation. Each is created
 * once per shape and reused.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "dnn.h"

#include <string.h>

#define CK(call, what)                                                                                       \
    do {                                                                                                     \
        at_status st_ = lt_check((call), (what));                                                            \
        if (st_ != AT_OK)                                                                                    \
            return st_;                                                                                      \
    } while (0)

static at_status mem_on(lt_engine *e, dnnl_memory_t *m, const dnnl_memory_desc_t *md, void *h)
{
    CK(dnnl_memory_create(m, md, e->eng, h ? h : DNNL_MEMORY_ALLOCATE), "memory");
    if (!h)
        memset(lt_data(*m), 0, dnnl_memory_desc_get_size(md));
    return AT_OK;
}

static at_status make(lt_engine *e, const void *op, const_dnnl_primitive_desc_t hint,
                      dnnl_primitive_desc_t *pd, dnnl_primitive_t *prim, const char *what)
{
    CK(dnnl_primitive_desc_create(pd, op, NULL, e->eng, hint), what);
    dnnl_status_t s = dnnl_primitive_create(prim, *pd);
    return lt_check(s, what);
}

static void destroy_prims(dnnl_primitive_t *p, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i])
            dnnl_primitive_destroy(p[i]);
}

static void destroy_mems(dnnl_memory_t *m, int n)
{
    for (int i = 0; i < n; i++)
        if (m[i])
            dnnl_memory_destroy(m[i]);
}

/* ---- batch norm + ReLU ------------------------------------------------ */

at_status lt_bn_init(lt_engine *e, lt_bn *b, const lt_tensor *t, lt_param *gamma, lt_param *beta,
                     lt_param *rmean, lt_param *rvar, float eps, float momentum, float slope)
{
    memset(b, 0, sizeof *b);
    b->gamma = gamma;
    b->beta = beta;
    b->rmean = rmean;
    b->rvar = rvar;
    b->eps = eps;
    b->momentum = momentum;
    b->slope = slope;
    b->count_per_channel = (int64_t)(lt_tensor_elems(t) / (size_t)t->dims[1]);
    /* ReLU fused into the norm; LeakyReLU as a separate in-place eltwise */
    unsigned flags = dnnl_use_scale | dnnl_use_shift | (slope > 0 ? 0u : (unsigned)dnnl_fuse_norm_relu);
    dnnl_batch_normalization_desc_t d;
    dnnl_primitive_desc_t fpd = NULL, ipd = NULL, bpd = NULL;
    CK(dnnl_batch_normalization_forward_desc_init(&d, dnnl_forward_training, &t->md, eps, flags),
       "batch norm");
    at_status st = make(e, &d, NULL, &fpd, &b->fwd_train, "batch norm forward");
    if (st == AT_OK) {
        CK(dnnl_batch_normalization_forward_desc_init(&d, dnnl_forward_inference, &t->md, eps,
                                                      flags | dnnl_use_global_stats),
           "batch norm");
        st = make(e, &d, NULL, &ipd, &b->fwd_infer, "batch norm inference");
    }
    if (st == AT_OK) {
        dnnl_batch_normalization_desc_t bd;
        st = lt_check(
            dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, &t->md, &t->md, eps, flags),
            "batch norm backward");
        if (st == AT_OK)
            st = make(e, &bd, fpd, &bpd, &b->bwd, "batch norm backward");
    }
    if (st == AT_OK && slope > 0) {
        dnnl_eltwise_desc_t ed, ebd;
        dnnl_primitive_desc_t epd = NULL, ebpd = NULL;
        st = lt_check(dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_training,
                                                     dnnl_eltwise_relu_use_dst_for_bwd, &t->md, slope, 0),
                      "leaky relu");
        if (st == AT_OK)
            st = make(e, &ed, NULL, &epd, &b->act_fwd, "leaky relu");
        if (st == AT_OK)
            st = lt_check(dnnl_eltwise_backward_desc_init(&ebd, dnnl_eltwise_relu_use_dst_for_bwd, &t->md,
                                                          &t->md, slope, 0),
                          "leaky relu backward");
        if (st == AT_OK)
            st = make(e, &ebd, epd, &ebpd, &b->act_bwd, "leaky relu backward");
        if (epd)
            dnnl_primitive_desc_destroy(epd);
        if (ebpd)
            dnnl_primitive_desc_destroy(ebpd);
    }
    if (st == AT_OK) {
        dnnl_memory_desc_t cmd;
        dnnl_dims_t cd = {t->dims[1]};
        dnnl_memory_desc_init_by_tag(&cmd, 1, cd, dnnl_f32, dnnl_a);
        const dnnl_memory_desc_t *ws = dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0);
        st = mem_on(e, &b->scale, &cmd, gamma->data);
        if (st == AT_OK)
            st = mem_on(e, &b->shift, &cmd, beta->data);
        if (st == AT_OK)
            st = mem_on(e, &b->rmean_mem, &cmd, rmean->data);
        if (st == AT_OK)
            st = mem_on(e, &b->rvar_mem, &cmd, rvar->data);
        if (st == AT_OK)
            st = mem_on(e, &b->dscale, &cmd, NULL);
        if (st == AT_OK)
            st = mem_on(e, &b->dshift, &cmd, NULL);
        if (st == AT_OK)
            st = mem_on(e, &b->mean, &cmd, NULL);
        if (st == AT_OK)
            st = mem_on(e, &b->var, &cmd, NULL);
        if (st == AT_OK)
            st = ws->ndims ? mem_on(e, &b->ws, ws, NULL) : AT_OK;
    }
    if (fpd)
        dnnl_primitive_desc_destroy(fpd);
    if (ipd)
        dnnl_primitive_desc_destroy(ipd);
    if (bpd)
        dnnl_primitive_desc_destroy(bpd);
    return st;
}

void lt_bn_fini(lt_bn *b)
{
    dnnl_primitive_t p[5] = {b->fwd_train, b->fwd_infer, b->bwd, b->act_fwd, b->act_bwd};
    destroy_prims(p, 5);
    dnnl_memory_t m[9] = {b->scale, b->shift, b->dscale,    b->dshift,  b->mean,
                          b->var,   b->ws,    b->rmean_mem, b->rvar_mem};
    destroy_mems(m, 9);
    memset(b, 0, sizeof *b);
}

/* LeakyReLU in place on the norm's output (nothing for fused ReLU). */
static at_status lt_bn_activate(lt_engine *e, lt_bn *b, lt_tensor *dst)
{
    if (!b->act_fwd)
        return AT_OK;
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_SRC, dst->mem}, {DNNL_ARG_DST, dst->mem}};
    CK(dnnl_primitive_execute(b->act_fwd, e->stream, 2, a), "leaky relu");
    return AT_OK;
}

at_status lt_bn_forward(lt_engine *e, lt_bn *b, lt_tensor *src, lt_tensor *dst, int training)
{
    if (!training) {
        dnnl_exec_arg_t a[6] = {{DNNL_ARG_SRC, src->mem},      {DNNL_ARG_DST, dst->mem},
                                {DNNL_ARG_SCALE, b->scale},    {DNNL_ARG_SHIFT, b->shift},
                                {DNNL_ARG_MEAN, b->rmean_mem}, {DNNL_ARG_VARIANCE, b->rvar_mem}};
        CK(dnnl_primitive_execute(b->fwd_infer, e->stream, 6, a), "batch norm inference");
        return lt_bn_activate(e, b, dst);
    }
    dnnl_exec_arg_t a[7] = {{DNNL_ARG_SRC, src->mem},   {DNNL_ARG_DST, dst->mem}, {DNNL_ARG_SCALE, b->scale},
                            {DNNL_ARG_SHIFT, b->shift}, {DNNL_ARG_MEAN, b->mean}, {DNNL_ARG_VARIANCE, b->var},
                            {DNNL_ARG_WORKSPACE, b->ws}};
    CK(dnnl_primitive_execute(b->fwd_train, e->stream, b->ws ? 7 : 6, a), "batch norm forward");
    at_status ast = lt_bn_activate(e, b, dst);
    if (ast != AT_OK)
        return ast;
    /* running statistics as PyTorch keeps them (unbiased variance) */
    const float *mean = lt_data(b->mean), *var = lt_data(b->var);
    float m = b->momentum;
    int64_t n = b->count_per_channel;
    float unbias = n > 1 ? (float)n / (float)(n - 1) : 1.0f;
    for (size_t c = 0; c < b->rmean->count; c++) {
        b->rmean->data[c] = (1 - m) * b->rmean->data[c] + m * mean[c];
        b->rvar->data[c] = (1 - m) * b->rvar->data[c] + m * var[c] * unbias;
    }
    return AT_OK;
}

at_status lt_bn_backward(lt_engine *e, lt_bn *b, lt_tensor *src, lt_tensor *dst)
{
    if (b->act_bwd) {
        dnnl_exec_arg_t x[3] = {
            {DNNL_ARG_DST, dst->mem}, {DNNL_ARG_DIFF_DST, dst->grad}, {DNNL_ARG_DIFF_SRC, dst->grad}};
        CK(dnnl_primitive_execute(b->act_bwd, e->stream, 3, x), "leaky relu backward");
    }
    dnnl_exec_arg_t a[10] = {{DNNL_ARG_SRC, src->mem},         {DNNL_ARG_DIFF_DST, dst->grad},
                             {DNNL_ARG_SCALE, b->scale},       {DNNL_ARG_SHIFT, b->shift},
                             {DNNL_ARG_MEAN, b->mean},         {DNNL_ARG_VARIANCE, b->var},
                             {DNNL_ARG_WORKSPACE, b->ws},      {DNNL_ARG_DIFF_SRC, src->grad},
                             {DNNL_ARG_DIFF_SCALE, b->dscale}, {DNNL_ARG_DIFF_SHIFT, b->dshift}};
    if (!b->ws) /* no workspace without fused ReLU: drop that argument */
        a[6] = a[9];
    CK(dnnl_primitive_execute(b->bwd, e->stream, b->ws ? 10 : 9, a), "batch norm backward");
    const float *ds = lt_data(b->dscale), *dh = lt_data(b->dshift);
    for (size_t c = 0; c < b->gamma->count; c++) {
        b->gamma->grad[c] += ds[c];
        b->beta->grad[c] += dh[c];
    }
    return AT_OK;
}

/* ---- ReLU ---------------------------------------------------------------- */

at_status lt_relu_init(lt_engine *e, lt_relu *r, const lt_tensor *t, float slope)
{
    memset(r, 0, sizeof *r);
    dnnl_eltwise_desc_t d;
    dnnl_primitive_desc_t fpd = NULL, bpd = NULL;
    CK(dnnl_eltwise_forward_desc_init(&d, dnnl_forward_training, dnnl_eltwise_relu, &t->md, slope, 0),
       "relu");
    at_status st = make(e, &d, NULL, &fpd, &r->fwd, "relu forward");
    if (st == AT_OK) {
        dnnl_eltwise_desc_t bd;
        st = lt_check(dnnl_eltwise_backward_desc_init(&bd, dnnl_eltwise_relu, &t->md, &t->md, slope, 0),
                      "relu backward");
        if (st == AT_OK)
            st = make(e, &bd, fpd, &bpd, &r->bwd, "relu backward");
    }
    if (fpd)
        dnnl_primitive_desc_destroy(fpd);
    if (bpd)
        dnnl_primitive_desc_destroy(bpd);
    return st;
}

void lt_relu_fini(lt_relu *r)
{
    dnnl_primitive_t p[2] = {r->fwd, r->bwd};
    destroy_prims(p, 2);
    memset(r, 0, sizeof *r);
}

at_status lt_relu_forward(lt_engine *e, lt_relu *r, lt_tensor *src, lt_tensor *dst)
{
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_SRC, src->mem}, {DNNL_ARG_DST, dst->mem}};
    CK(dnnl_primitive_execute(r->fwd, e->stream, 2, a), "relu forward");
    return AT_OK;
}

at_status lt_relu_backward(lt_engine *e, lt_relu *r, lt_tensor *src, lt_tensor *dst)
{
    dnnl_exec_arg_t a[3] = {
        {DNNL_ARG_SRC, src->mem}, {DNNL_ARG_DIFF_DST, dst->grad}, {DNNL_ARG_DIFF_SRC, src->grad}};
    CK(dnnl_primitive_execute(r->bwd, e->stream, 3, a), "relu backward");
    return AT_OK;
}

/* ---- max pooling ---------------------------------------------------------- */

at_status lt_pool_init(lt_engine *e, lt_pool *p, const lt_tensor *src, const lt_tensor *dst)
{
    memset(p, 0, sizeof *p);
    dnnl_dims_t k = {2, 2, 2}, s = {2, 2, 2}, dil = {0, 0, 0}, pad = {0, 0, 0};
    dnnl_pooling_v2_desc_t d;
    dnnl_primitive_desc_t fpd = NULL, ipd = NULL, bpd = NULL, spd = NULL;
    CK(dnnl_pooling_v2_forward_desc_init(&d, dnnl_forward_training, dnnl_pooling_max, &src->md, &dst->md, s,
                                         k, dil, pad, pad),
       "max pooling");
    at_status st = make(e, &d, NULL, &fpd, &p->fwd, "max pooling forward");
    if (st == AT_OK) {
        CK(dnnl_pooling_v2_forward_desc_init(&d, dnnl_forward_inference, dnnl_pooling_max, &src->md, &dst->md,
                                             s, k, dil, pad, pad),
           "max pooling");
        st = make(e, &d, NULL, &ipd, &p->fwd_infer, "max pooling inference");
    }
    if (st == AT_OK) {
        dnnl_pooling_v2_desc_t bd;
        st = lt_check(dnnl_pooling_v2_backward_desc_init(&bd, dnnl_pooling_max, &src->md, &dst->md, s, k, dil,
                                                         pad, pad),
                      "max pooling backward");
        if (st == AT_OK)
            st = make(e, &bd, fpd, &bpd, &p->bwd, "max pooling backward");
    }
    if (st == AT_OK) {
        float scales[2] = {1, 1};
        dnnl_memory_desc_t two[2] = {src->md, src->md};
        st = lt_check(dnnl_sum_primitive_desc_create(&spd, &src->md, 2, scales, two, NULL, e->eng),
                      "gradient sum");
        if (st == AT_OK)
            st = lt_check(dnnl_primitive_create(&p->sum, spd), "gradient sum");
    }
    if (st == AT_OK)
        st = mem_on(e, &p->ws, dnnl_primitive_desc_query_md(fpd, dnnl_query_workspace_md, 0), NULL);
    if (st == AT_OK)
        st = mem_on(e, &p->tmp, &src->md, NULL);
    dnnl_primitive_desc_t pds[4] = {fpd, ipd, bpd, spd};
    for (int i = 0; i < 4; i++)
        if (pds[i])
            dnnl_primitive_desc_destroy(pds[i]);
    return st;
}

void lt_pool_fini(lt_pool *p)
{
    dnnl_primitive_t pr[4] = {p->fwd, p->bwd, p->fwd_infer, p->sum};
    destroy_prims(pr, 4);
    dnnl_memory_t m[2] = {p->ws, p->tmp};
    destroy_mems(m, 2);
    memset(p, 0, sizeof *p);
}

at_status lt_pool_forward(lt_engine *e, lt_pool *p, lt_tensor *src, lt_tensor *dst, int training)
{
    dnnl_exec_arg_t a[3] = {{DNNL_ARG_SRC, src->mem}, {DNNL_ARG_DST, dst->mem}, {DNNL_ARG_WORKSPACE, p->ws}};
    CK(dnnl_primitive_execute(training ? p->fwd : p->fwd_infer, e->stream, training ? 3 : 2, a),
       "max pooling forward");
    return AT_OK;
}

at_status lt_pool_backward(lt_engine *e, lt_pool *p, lt_tensor *src, lt_tensor *dst)
{
    dnnl_exec_arg_t a[3] = {
        {DNNL_ARG_DIFF_DST, dst->grad}, {DNNL_ARG_WORKSPACE, p->ws}, {DNNL_ARG_DIFF_SRC, p->tmp}};
    CK(dnnl_primitive_execute(p->bwd, e->stream, 3, a), "max pooling backward");
    dnnl_exec_arg_t s[3] = {
        {DNNL_ARG_MULTIPLE_SRC, src->grad}, {DNNL_ARG_MULTIPLE_SRC + 1, p->tmp}, {DNNL_ARG_DST, src->grad}};
    CK(dnnl_primitive_execute(p->sum, e->stream, 3, s), "gradient sum");
    return AT_OK;
}

/* ---- concatenation --------------------------------------------------------- */

at_status lt_concat_init(lt_engine *e, lt_concat *c, const lt_tensor *a, const lt_tensor *b,
                         const lt_tensor *dst)
{
    memset(c, 0, sizeof *c);
    dnnl_memory_desc_t srcs[2] = {a->md, b->md};
    dnnl_primitive_desc_t pd = NULL;
    CK(dnnl_concat_primitive_desc_create(&pd, &dst->md, 2, 1, srcs, NULL, e->eng), "concatenation");
    at_status st = lt_check(dnnl_primitive_create(&c->fwd, pd), "concatenation");
    dnnl_primitive_desc_destroy(pd);
    if (st != AT_OK)
        return st;
    dnnl_memory_desc_t sa, sb;
    dnnl_dims_t off_a = {0, 0, 0, 0, 0}, off_b = {0, a->dims[1], 0, 0, 0}, da, db;
    for (int i = 0; i < a->ndims; i++) {
        da[i] = a->dims[i];
        db[i] = b->dims[i];
    }
    CK(dnnl_memory_desc_init_submemory(&sa, &dst->md, da, off_a), "concatenation split");
    CK(dnnl_memory_desc_init_submemory(&sb, &dst->md, db, off_b), "concatenation split");
    void *h = lt_data(dst->grad);
    st = mem_on(e, &c->sub_a, &sa, h);
    if (st == AT_OK)
        st = mem_on(e, &c->sub_b, &sb, h);
    if (st == AT_OK)
        st = lt_reorder_init(e, &c->split_a, &sa, &a->md);
    if (st == AT_OK)
        st = lt_reorder_init(e, &c->split_b, &sb, &b->md);
    return st;
}

void lt_concat_fini(lt_concat *c)
{
    if (c->fwd)
        dnnl_primitive_destroy(c->fwd);
    dnnl_memory_t m[2] = {c->sub_a, c->sub_b};
    destroy_mems(m, 2);
    lt_reorder_fini(&c->split_a);
    lt_reorder_fini(&c->split_b);
    memset(c, 0, sizeof *c);
}

at_status lt_concat_forward(lt_engine *e, lt_concat *c, lt_tensor *a, lt_tensor *b, lt_tensor *dst)
{
    dnnl_exec_arg_t x[3] = {
        {DNNL_ARG_MULTIPLE_SRC, a->mem}, {DNNL_ARG_MULTIPLE_SRC + 1, b->mem}, {DNNL_ARG_DST, dst->mem}};
    CK(dnnl_primitive_execute(c->fwd, e->stream, 3, x), "concatenation");
    return AT_OK;
}

at_status lt_concat_backward(lt_engine *e, lt_concat *c, lt_tensor *a, lt_tensor *b, lt_tensor *dst)
{
    (void)dst;
    at_status st = lt_reorder_run(e, &c->split_a, c->sub_a, a->grad);
    if (st == AT_OK)
        st = lt_reorder_run(e, &c->split_b, c->sub_b, b->grad);
    return st;
}
