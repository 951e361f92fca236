/* The U-Net's 2x2 stride-2 transposed convolution (2D) as a 1x1
 * convolution to q = 2^sp times the output channels, followed by a pixel
 * shuffle:  out[n, o, 2y+i, 2x+j] = tmp[n, (i*2+j)*OC + o, y, x].  The
 * shuffle is one oneDNN reorder between two strided views of the blocked
 * (16-channel) tensors, so activations never leave the engine layout.
 * Weights: W4[(q_ij*OC + o), c] = W[c, o, i, j] (PyTorch's ConvTranspose
 * layout), rebuilt from the plain parameter after each update; gradients
 * are folded back the same way.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "dnn.h"

#include <stdio.h>
#include <string.h>

#define CK(call, what)                                                                                       \
    do {                                                                                                     \
        at_status st_ = lt_check((call), (what));                                                            \
        if (st_ != AT_OK)                                                                                    \
            return st_;                                                                                      \
    } while (0)

/* Strided view (n, cb, pos_1..pos_sp, s_1..s_sp, c16) of tmp (blocked,
 * channels q*OC at the source's spatial size) and of dst (blocked, OC
 * channels at twice the size). */
static at_status views(const lt_tensor *src, const lt_tensor *dst, dnnl_data_type_t dt,
                       dnnl_memory_desc_t *vt, dnnl_memory_desc_t *vd)
{
    int sp = src->ndims - 2, nd = 2 * sp + 3, q = 1 << sp;
    int64_t ocb = dst->dims[1] / 16, S[3], D[3], hw = 1, dhw = 1;
    for (int k = 0; k < sp; k++) {
        S[k] = src->dims[2 + k];
        D[k] = dst->dims[2 + k];
        hw *= S[k];
        dhw *= D[k];
    }
    dnnl_dims_t dims, st, sd;
    dims[0] = src->dims[0];
    dims[1] = ocb;
    dims[nd - 1] = 16;
    st[0] = q * ocb * hw * 16;
    sd[0] = ocb * dhw * 16;
    st[1] = hw * 16;
    sd[1] = dhw * 16;
    st[nd - 1] = sd[nd - 1] = 1;
    for (int k = 0; k < sp; k++) {
        int64_t inner_s = 16, inner_d = 16;
        for (int m = k + 1; m < sp; m++) {
            inner_s *= S[m];
            inner_d *= D[m];
        }
        dims[2 + k] = 2;         /* kernel position along axis k */
        dims[2 + sp + k] = S[k]; /* source coordinate along axis k */
        st[2 + k] = ocb * hw * 16 * (1 << (sp - 1 - k));
        st[2 + sp + k] = inner_s;
        sd[2 + k] = inner_d; /* d = 2 y + pos */
        sd[2 + sp + k] = 2 * inner_d;
    }
    CK(dnnl_memory_desc_init_by_strides(vt, nd, dims, dt, st), "upsampling view");
    CK(dnnl_memory_desc_init_by_strides(vd, nd, dims, dt, sd), "upsampling view");
    return AT_OK;
}

static int blocked16(const lt_tensor *t)
{
    const dnnl_blocking_desc_t *b = &t->md.format_desc.blocking;
    return t->md.format_kind == dnnl_blocked && b->inner_nblks == 1 && b->inner_blks[0] == 16 &&
           b->inner_idxs[0] == 1;
}

at_status lt_upconv_init(lt_engine *e, lt_conv *c, const lt_tensor *src, const lt_tensor *dst, int *used)
{
    *used = 0;
    int sp = src->ndims - 2, q = 1 << sp;
    int64_t ic = src->dims[1], oc = dst->dims[1];
    /* 2D only: in 3D oneDNN 2.6 runs the 9-D unshuffle with its slow
     * generic reorder, and its 3D deconvolution is fast enough */
    if (sp != 2 || oc % 16 || !blocked16(dst))
        return AT_OK;
    *used = 1;
    c->sp = sp;
    lt_param *w4 = &c->w4, *b4 = &c->b4;
    snprintf(w4->name, sizeof w4->name, "%s", "upsampling");
    w4->ndim = src->ndims;
    w4->shape[0] = q * oc;
    w4->shape[1] = ic;
    for (int k = 0; k < sp; k++)
        w4->shape[2 + k] = 1;
    w4->count = (size_t)(q * oc * ic);
    b4->ndim = 1;
    b4->shape[0] = q * oc;
    b4->count = (size_t)(q * oc);
    w4->data = at_calloc(w4->count, sizeof(float));
    w4->grad = at_calloc(w4->count, sizeof(float));
    b4->data = at_calloc(b4->count, sizeof(float));
    b4->grad = at_calloc(b4->count, sizeof(float));
    c->inner = at_calloc(1, sizeof *c->inner);
    if (!w4->data || !w4->grad || !b4->data || !b4->grad || !c->inner)
        return AT_ERR_NOMEM;
    int64_t dims[5] = {src->dims[0], q * oc, 0, 0, 0};
    for (int k = 0; k < sp; k++)
        dims[2 + k] = src->dims[2 + k];
    at_status st = lt_tensor_init(e, &c->tmp, src->ndims, dims, 0, dst->md.data_type);
    if (st == AT_OK)
        st = lt_conv_init(e, c->inner, src, &c->tmp, w4, c->b ? b4 : NULL, 1, 1, 0, 0, 1);
    if (st != AT_OK)
        return st;
    c->flops = c->inner->flops;
    dnnl_memory_desc_t vt, vd;
    st = views(src, dst, dst->md.data_type, &vt, &vd);
    if (st != AT_OK)
        return st;
    CK(dnnl_memory_create(&c->v_tmp, &vt, e->eng, lt_data(c->tmp.mem)), "memory");
    CK(dnnl_memory_create(&c->v_tmp_g, &vt, e->eng, lt_data(c->tmp.grad)), "memory");
    CK(dnnl_memory_create(&c->v_dst, &vd, e->eng, lt_data(dst->mem)), "memory");
    CK(dnnl_memory_create(&c->v_dst_g, &vd, e->eng, lt_data(dst->grad)), "memory");
    st = lt_reorder_init(e, &c->r_shuf, &vt, &vd);
    if (st == AT_OK)
        st = lt_reorder_init(e, &c->r_unshuf, &vd, &vt);
    return st;
}

void lt_upconv_fini(lt_conv *c)
{
    if (c->inner) {
        lt_conv_fini(c->inner);
        at_free(c->inner);
        c->inner = NULL;
    }
    at_free(c->w4.data);
    at_free(c->w4.grad);
    at_free(c->b4.data);
    at_free(c->b4.grad);
    memset(&c->w4, 0, sizeof c->w4);
    memset(&c->b4, 0, sizeof c->b4);
    lt_tensor_fini(&c->tmp);
    dnnl_memory_t m[4] = {c->v_tmp, c->v_tmp_g, c->v_dst, c->v_dst_g};
    for (int i = 0; i < 4; i++)
        if (m[i])
            dnnl_memory_destroy(m[i]);
    c->v_tmp = c->v_tmp_g = c->v_dst = c->v_dst_g = NULL;
    lt_reorder_fini(&c->r_shuf);
    lt_reorder_fini(&c->r_unshuf);
}

at_status lt_upconv_prepare(lt_engine *e, lt_conv *c)
{
    int q = 1 << c->sp;
    int64_t ic = c->w->shape[0], oc = c->w->shape[1];
    const float *w = c->w->data;
    for (int64_t i = 0; i < ic; i++)
        for (int64_t o = 0; o < oc; o++)
            for (int p = 0; p < q; p++)
                c->w4.data[((size_t)p * (size_t)oc + (size_t)o) * (size_t)ic + (size_t)i] =
                    w[((size_t)i * (size_t)oc + (size_t)o) * (size_t)q + (size_t)p];
    if (c->b)
        for (int p = 0; p < q; p++)
            memcpy(c->b4.data + (size_t)p * (size_t)oc, c->b->data, (size_t)oc * sizeof(float));
    return lt_conv_prepare(e, c->inner);
}

at_status lt_upconv_forward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst)
{
    (void)dst;
    at_status st = lt_conv_forward(e, c->inner, src, &c->tmp);
    return st == AT_OK ? lt_reorder_run(e, &c->r_shuf, c->v_tmp, c->v_dst) : st;
}

at_status lt_upconv_backward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst)
{
    (void)dst;
    at_status st = lt_reorder_run(e, &c->r_unshuf, c->v_dst_g, c->v_tmp_g);
    if (st != AT_OK)
        return st;
    memset(c->w4.grad, 0, c->w4.count * sizeof(float));
    memset(c->b4.grad, 0, c->b4.count * sizeof(float));
    st = lt_conv_backward(e, c->inner, src, &c->tmp);
    if (st != AT_OK)
        return st;
    int q = 1 << c->sp;
    int64_t ic = c->w->shape[0], oc = c->w->shape[1];
    float *g = c->w->grad;
    for (int64_t i = 0; i < ic; i++)
        for (int64_t o = 0; o < oc; o++)
            for (int p = 0; p < q; p++)
                g[((size_t)i * (size_t)oc + (size_t)o) * (size_t)q + (size_t)p] +=
                    c->w4.grad[((size_t)p * (size_t)oc + (size_t)o) * (size_t)ic + (size_t)i];
    if (c->b)
        for (int p = 0; p < q; p++)
            for (int64_t o = 0; o < oc; o++)
                c->b->grad[o] += c->b4.grad[(size_t)p * (size_t)oc + (size_t)o];
    return AT_OK;
}
