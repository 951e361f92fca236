/* The U-Net model's internals, shared by unet.c, the optimiser and the
 * checkpoint code. Internal.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#ifndef ATELIER_LEARN_UNET_H
#define ATELIER_LEARN_UNET_H

#include "dnn.h"

/* Two 3x3 convolutions, each followed by batch norm + ReLU (or ReLU). */
typedef struct {
    int64_t ic, oc;
    lt_param *w[2], *b[2], *bnp[2][4]; /* bnp: gamma, beta, running mean, running var */
    lt_conv conv[2];
    lt_bn bn[2];
    lt_relu relu[2];
    lt_gn gn[2];
    lt_fused fused[2]; /* inference: conv + folded BN + ReLU */
    lt_tensor a1, h1, a2, out;
    int built;
} lt_block;

struct at_model {
    at_unet_config cfg;
    lt_engine eng;
    int batch, sp, depth, in_ch, block;
    int64_t spatial[3];
    lt_param *params;
    size_t nparams;
    float *param_data, *grad_data;
    size_t param_total, grad_total;
    lt_block *enc, mid, *dec;
    lt_conv *up, head;
    lt_param **upw, **upb, *headw, *headb;
    lt_tensor *upt, *catt, *poolt, input, output;
    lt_concat *cat;
    lt_pool *pool;
    float *out_f32, *dout_f32;
    lt_edge in_edge, out_edge, dout_edge; /* caller f32 <-> engine tensors */
    int weights_dirty, infer_dirty, have_forward;
    int64_t batches_tracked;
    char bad_layer[96];
};

/* Mark the engine-layout weights stale (after an update or a load). */
void lt_model_mark_dirty(at_model *m);

/* Optimiser moments (which 0: m, 1: v), in trainable-parameter order. */
float *lt_adamw_moment(at_adamw *o, int which);
void lt_adamw_set_steps(at_adamw *o, int64_t s);

#endif
