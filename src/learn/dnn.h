/* The CPU engine of the learning module: oneDNN (v2 C API) wrapped in
 * small helpers, and the layers the models are built from. A GPU engine
 * would provide the same layer functions (lt_conv_*, lt_bn_*, ...) over its
 * own tensors; models (unet.c) only call these functions. Internal.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#ifndef ATELIER_LEARN_DNN_H
#define ATELIER_LEARN_DNN_H

#include "atelier/learn.h"

#include <oneapi/dnnl/dnnl.h>

/* One engine per model: the oneDNN CPU engine and an in-order stream. */
typedef struct {
    dnnl_engine_t eng;
    dnnl_stream_t stream;
    dnnl_data_type_t act_dt; /* activations: f32 or bf16 */
} lt_engine;

at_status lt_engine_init(lt_engine *e, int bf16);
void lt_engine_fini(lt_engine *e);
/* Map a oneDNN status to an at_status with a message naming what failed. */
at_status lt_check(dnnl_status_t s, const char *what);

/* An activation tensor in the layout the engine chose (blocked by 16
 * channels when the channel count allows), with its gradient. */
typedef struct {
    int ndims;       /* 4 (2D) or 5 (3D) */
    int64_t dims[5]; /* N, C, [D,] H, W */
    dnnl_memory_desc_t md;
    dnnl_memory_t mem, grad;
} lt_tensor;

/* plain: 0 picks the layout (16- or 8-channel blocks when C allows),
 * 2 picks 16-channel blocks when C allows and plain otherwise, 1 forces
 * plain, 8 or 16 force that channel blocking (C must allow it). */
at_status lt_tensor_init(lt_engine *e, lt_tensor *t, int ndims, const int64_t *dims, int plain,
                         dnnl_data_type_t dt);
/* A tensor with an explicit descriptor (e.g. the one a primitive chose). */
at_status lt_tensor_init_md(lt_engine *e, lt_tensor *t, const dnnl_memory_desc_t *md);
void lt_tensor_fini(lt_tensor *t);
void *lt_data(dnnl_memory_t m);
size_t lt_tensor_elems(const lt_tensor *t);

/* A parameter in plain PyTorch layout, f32, with gradient and name. */
typedef struct {
    char name[96];
    int ndim;
    int64_t shape[5];
    size_t count;
    float *data, *grad; /* grad NULL for buffers */
} lt_param;

/* A reorder between two memory descriptors, created once and reused. */
typedef struct {
    dnnl_primitive_t prim;
} lt_reorder;
at_status lt_reorder_init(lt_engine *e, lt_reorder *r, const dnnl_memory_desc_t *src,
                          const dnnl_memory_desc_t *dst);
at_status lt_reorder_run(lt_engine *e, lt_reorder *r, dnnl_memory_t src, dnnl_memory_t dst);
void lt_reorder_fini(lt_reorder *r);

/* Convolution or transposed convolution (kernel k, stride s, padding p),
 * bias optional, weights from/into plain lt_params. */
typedef struct lt_conv {
    int transposed, k, s, p, has_bias;
    lt_param *w, *b;
    dnnl_primitive_t fwd, bwd_d, bwd_w;
    dnnl_memory_t w_plain, dw_plain, b_mem, db_mem; /* user-side views of the params */
    dnnl_memory_t w_fwd, w_bwd, dw;                 /* engine layouts */
    float *dw_tmp;
    lt_reorder r_w_fwd, r_w_bwd, r_dw;
    int need_w_fwd, need_w_bwd, need_dw;
    double flops; /* forward multiply-adds x2 */
    /* 2x2 (2x2x2) stride-2 transposed convolution done as a 1x1
     * convolution to 2^sp x OC channels and a pixel shuffle (a strided
     * reorder): much faster than oneDNN's deconvolution for k = stride */
    struct lt_conv *inner;
    lt_param w4, b4;
    lt_tensor tmp;
    dnnl_memory_t v_tmp, v_dst, v_tmp_g, v_dst_g;
    lt_reorder r_shuf, r_unshuf;
    int sp;
} lt_conv;
at_status lt_conv_init(lt_engine *e, lt_conv *c, const lt_tensor *src, const lt_tensor *dst, lt_param *w,
                       lt_param *b, int k, int s, int p, int transposed, int need_bwd_data);
void lt_conv_fini(lt_conv *c);
/* The shuffle form of a k = s = 2 transposed convolution (upconv.c):
 * *used = 0 when the shapes do not allow it (then nothing is created). */
at_status lt_upconv_init(lt_engine *e, lt_conv *c, const lt_tensor *src, const lt_tensor *dst, int *used);
void lt_upconv_fini(lt_conv *c);
at_status lt_upconv_prepare(lt_engine *e, lt_conv *c);
at_status lt_upconv_forward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst);
at_status lt_upconv_backward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst);
/* Refresh engine-layout weights from the plain parameter (after an update). */
at_status lt_conv_prepare(lt_engine *e, lt_conv *c);
at_status lt_conv_forward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst);
/* Backward: src->grad = dX (when has bwd data), param grads += dW, db. */
at_status lt_conv_backward(lt_engine *e, lt_conv *c, lt_tensor *src, lt_tensor *dst);

/* Inference: a 3x3 convolution with the following batch norm folded into
 * its weights and bias, and ReLU as a post-op (one pass over memory). */
typedef struct {
    dnnl_primitive_t prim;
    dnnl_memory_t w_plain, w_eng, b_mem;
    float *w, *b;
    size_t wcount;
    int64_t oc;
    lt_reorder r_w;
} lt_fused;
at_status lt_fused_init(lt_engine *e, lt_fused *f, const lt_tensor *src, const lt_tensor *dst, int k,
                        float slope);
void lt_fused_fini(lt_fused *f);
/* Fold conv (and bn when not NULL: its running statistics) into f. */
struct lt_bn;
at_status lt_fused_prepare(lt_engine *e, lt_fused *f, const lt_conv *c, const struct lt_bn *bn);
at_status lt_fused_forward(lt_engine *e, lt_fused *f, lt_tensor *src, lt_tensor *dst);

/* Batch norm (train mode: batch statistics; eval: running statistics)
 * fused with ReLU; in place is not used: src -> dst. */
typedef struct lt_bn {
    lt_param *gamma, *beta, *rmean, *rvar;
    float eps, momentum, slope;
    int64_t count_per_channel;
    dnnl_primitive_t fwd_train, fwd_infer, bwd;
    dnnl_primitive_t act_fwd, act_bwd; /* LeakyReLU (slope > 0): in place on dst */
    dnnl_memory_t scale, shift, dscale, dshift, mean, var, ws, rmean_mem, rvar_mem;
} lt_bn;
at_status lt_bn_init(lt_engine *e, lt_bn *b, const lt_tensor *t, lt_param *gamma, lt_param *beta,
                     lt_param *rmean, lt_param *rvar, float eps, float momentum, float slope);
void lt_bn_fini(lt_bn *b);
at_status lt_bn_forward(lt_engine *e, lt_bn *b, lt_tensor *src, lt_tensor *dst, int training);
at_status lt_bn_backward(lt_engine *e, lt_bn *b, lt_tensor *src, lt_tensor *dst);

/* Group norm (instance norm: groups = channels) fused with ReLU, f32. */
typedef struct {
    lt_param *gamma, *beta;
    int64_t N, C, S;
    int G, block;
    float eps, slope;
    double *mean, *rstd, *dg, *db;
} lt_gn;
at_status lt_gn_init(lt_engine *e, lt_gn *g, const lt_tensor *t, lt_param *gamma, lt_param *beta, int groups,
                     float eps, float slope);
void lt_gn_fini(lt_gn *g);
at_status lt_gn_forward(lt_engine *e, lt_gn *g, lt_tensor *src, lt_tensor *dst);
at_status lt_gn_backward(lt_engine *e, lt_gn *g, lt_tensor *src, lt_tensor *dst);

/* ReLU (used when there is no norm layer). */
typedef struct {
    dnnl_primitive_t fwd, bwd;
} lt_relu;
at_status lt_relu_init(lt_engine *e, lt_relu *r, const lt_tensor *t, float slope);
void lt_relu_fini(lt_relu *r);
at_status lt_relu_forward(lt_engine *e, lt_relu *r, lt_tensor *src, lt_tensor *dst);
at_status lt_relu_backward(lt_engine *e, lt_relu *r, lt_tensor *src, lt_tensor *dst);

/* 2x2 (2x2x2) max pooling, stride 2. */
typedef struct {
    dnnl_primitive_t fwd, bwd, fwd_infer, sum;
    dnnl_memory_t ws, tmp;
} lt_pool;
at_status lt_pool_init(lt_engine *e, lt_pool *p, const lt_tensor *src, const lt_tensor *dst);
void lt_pool_fini(lt_pool *p);
at_status lt_pool_forward(lt_engine *e, lt_pool *p, lt_tensor *src, lt_tensor *dst, int training);
/* src->grad += dX (the skip connection already wrote its part). */
at_status lt_pool_backward(lt_engine *e, lt_pool *p, lt_tensor *src, lt_tensor *dst);

/* Channel concatenation [a, b] -> dst and its backward (a->grad and
 * b->grad receive their parts, overwriting). dst must be plain unless a's
 * channel count is a multiple of 16. */
typedef struct {
    dnnl_primitive_t fwd;
    lt_reorder split_a, split_b;
    dnnl_memory_t sub_a, sub_b;
} lt_concat;
at_status lt_concat_init(lt_engine *e, lt_concat *c, const lt_tensor *a, const lt_tensor *b,
                         const lt_tensor *dst);
void lt_concat_fini(lt_concat *c);
at_status lt_concat_forward(lt_engine *e, lt_concat *c, lt_tensor *a, lt_tensor *b, lt_tensor *dst);
at_status lt_concat_backward(lt_engine *e, lt_concat *c, lt_tensor *a, lt_tensor *b, lt_tensor *dst);

/* 1 when the CPU has AVX-512 (BW, VL): oneDNN 2.6 runs bf16 there,
 * natively with AVX512_BF16 and emulated without. */
int lt_cpu_has_avx512(void);

/* A model's edge: the caller's plain f32 buffer (NCHW or NCDHW, the dims
 * of tensor t) and the reorder between it and an engine tensor, one way. */
typedef struct {
    dnnl_memory_t user;
    lt_reorder r;
    int to_engine;
} lt_edge;
/* to_engine 1: user -> engine, 0: engine -> user. buffer: the user memory,
 * or NULL to give it at each lt_edge_run (to_engine only). */
at_status lt_edge_init(lt_engine *e, lt_edge *g, const lt_tensor *t, float *buffer, int to_engine);
/* Copy between the user buffer (user when not NULL) and the engine memory
 * engine (t->mem or t->grad of the tensor the edge was made for). */
at_status lt_edge_run(lt_engine *e, lt_edge *g, const float *user, dnnl_memory_t engine);
void lt_edge_fini(lt_edge *g);
/* Wait until every layer submitted to the engine has run. */
void lt_engine_wait(lt_engine *e);
/* Initialise t as the output of a k x k convolution of src with dims,
 * in the layout the convolution prefers (e.g. a 1-channel head, where a
 * plain layout falls back to a slow kernel). */
at_status lt_tensor_init_conv_dst(lt_engine *e, lt_tensor *t, const lt_tensor *src, const int64_t *dims,
                                  int k, int has_bias);

/* 1 when every element of the tensor's (f32 or bf16) value is finite. */
int lt_all_finite(dnnl_memory_t m, const dnnl_memory_desc_t *md);

#endif
