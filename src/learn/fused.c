/* Inference convolution with batch norm folded in and ReLU fused as a
 * post-op: w' = w * gamma / sqrt(var + eps), b' = beta + (b - mean) *
 * gamma / sqrt(var + eps), per output channel.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "dnn.h"

#include <math.h>
#include <string.h>

#define CK(call, what)                                                                                       \
    do {                                                                                                     \
        at_status st_ = lt_check((call), (what));                                                            \
        if (st_ != AT_OK)                                                                                    \
            return st_;                                                                                      \
    } while (0)

at_status lt_fused_init(lt_engine *e, lt_fused *f, const lt_tensor *src, const lt_tensor *dst, int k,
                        float slope)
{
    memset(f, 0, sizeof *f);
    int nd = src->ndims;
    int64_t ic = src->dims[1], oc = dst->dims[1];
    f->oc = oc;
    f->wcount = (size_t)(oc * ic);
    for (int i = 2; i < nd; i++)
        f->wcount *= (size_t)k;
    dnnl_dims_t wd = {oc, ic, k, k, k}, strides = {1, 1, 1}, pad = {(k - 1) / 2, (k - 1) / 2, (k - 1) / 2},
                bd = {oc};
    dnnl_memory_desc_t w_any, w_user, b_md;
    CK(dnnl_memory_desc_init_by_tag(&w_any, nd, wd, e->act_dt, dnnl_format_tag_any), "weights");
    CK(dnnl_memory_desc_init_by_tag(&w_user, nd, wd, dnnl_f32, nd == 4 ? dnnl_oihw : dnnl_oidhw), "weights");
    CK(dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a), "bias");
    dnnl_convolution_desc_t d;
    CK(dnnl_convolution_forward_desc_init(&d, dnnl_forward_inference, dnnl_convolution_direct, &src->md,
                                          &w_any, &b_md, &dst->md, strides, pad, pad),
       "fused convolution");
    dnnl_post_ops_t po;
    dnnl_primitive_attr_t attr;
    CK(dnnl_post_ops_create(&po), "post-ops");
    dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, slope, 0.0f);
    dnnl_primitive_attr_create(&attr);
    dnnl_primitive_attr_set_post_ops(attr, po);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t s = dnnl_primitive_desc_create(&pd, &d, attr, e->eng, NULL);
    dnnl_primitive_attr_destroy(attr);
    dnnl_post_ops_destroy(po);
    CK(s, "fused convolution");
    s = dnnl_primitive_create(&f->prim, pd);
    const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    at_status st = lt_check(s, "fused convolution");
    f->w = at_malloc(f->wcount * sizeof(float));
    f->b = at_malloc((size_t)oc * sizeof(float));
    if (st == AT_OK && (!f->w || !f->b))
        st = AT_ERR_NOMEM;
    if (st == AT_OK)
        st = lt_check(dnnl_memory_create(&f->w_plain, &w_user, e->eng, f->w), "memory");
    if (st == AT_OK)
        st = lt_check(dnnl_memory_create(&f->b_mem, &b_md, e->eng, f->b), "memory");
    if (st == AT_OK)
        st = lt_check(dnnl_memory_create(&f->w_eng, wmd, e->eng, DNNL_MEMORY_ALLOCATE), "memory");
    if (st == AT_OK)
        st = lt_reorder_init(e, &f->r_w, &w_user, wmd);
    dnnl_primitive_desc_destroy(pd);
    return st;
}

void lt_fused_fini(lt_fused *f)
{
    if (f->prim)
        dnnl_primitive_destroy(f->prim);
    dnnl_memory_t m[3] = {f->w_plain, f->w_eng, f->b_mem};
    for (int i = 0; i < 3; i++)
        if (m[i])
            dnnl_memory_destroy(m[i]);
    lt_reorder_fini(&f->r_w);
    at_free(f->w);
    at_free(f->b);
    memset(f, 0, sizeof *f);
}

at_status lt_fused_prepare(lt_engine *e, lt_fused *f, const lt_conv *c, const lt_bn *bn)
{
    size_t per = f->wcount / (size_t)f->oc;
    for (int64_t o = 0; o < f->oc; o++) {
        float scale = 1, shift = c->b ? c->b->data[o] : 0;
        if (bn) {
            scale = bn->gamma->data[o] / sqrtf(bn->rvar->data[o] + bn->eps);
            shift = bn->beta->data[o] + (shift - bn->rmean->data[o]) * scale;
        }
        const float *w = c->w->data + (size_t)o * per;
        for (size_t i = 0; i < per; i++)
            f->w[(size_t)o * per + i] = w[i] * scale;
        f->b[o] = shift;
    }
    return lt_reorder_run(e, &f->r_w, f->w_plain, f->w_eng);
}

at_status lt_fused_forward(lt_engine *e, lt_fused *f, lt_tensor *src, lt_tensor *dst)
{
    dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, src->mem},
                            {DNNL_ARG_WEIGHTS, f->w_eng},
                            {DNNL_ARG_BIAS, f->b_mem},
                            {DNNL_ARG_DST, dst->mem}};
    CK(dnnl_primitive_execute(f->prim, e->stream, 4, a), "fused convolution");
    return AT_OK;
}
