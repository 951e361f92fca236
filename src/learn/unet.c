/* The U-Net model: encoder blocks (two 3x3 conv + BN + ReLU, then 2x2 max
 * pooling), a bottleneck block, decoder levels (2x2 stride-2 transposed
 * conv, concatenation with the skip, a block) and a 1x1 head. Parameter
 * names and layouts follow the PyTorch module in tests/learn/make_parity.py
 * (enc.N.conv1.weight, enc.N.bn1.running_mean, up.N.weight, dec.N...,
 * bottleneck..., head.weight). Activations stay in engine layouts; only
 * the input and the output are reordered.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "unet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_gn(const at_model *m)
{
    return m->cfg.norm == AT_NORM_GROUP || m->cfg.norm == AT_NORM_INSTANCE;
}

static lt_param *reg(at_model *m, const char *name, int ndim, const int64_t *shape, int trainable)
{
    lt_param *p = &m->params[m->nparams++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->ndim = ndim;
    p->count = 1;
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->count *= (size_t)shape[i];
    }
    p->grad = trainable ? (float *)1 : NULL; /* marker until allocation */
    return p;
}

static void reg_conv(at_model *m, const char *prefix, int64_t oc, int64_t ic, int k, int transposed, int bias,
                     lt_param **w, lt_param **b)
{
    char name[96];
    int64_t shape[5] = {transposed ? ic : oc, transposed ? oc : ic, k, k, k};
    snprintf(name, sizeof name, "%s.weight", prefix);
    *w = reg(m, name, m->sp + 2, shape, 1);
    *b = NULL;
    if (bias) {
        snprintf(name, sizeof name, "%s.bias", prefix);
        *b = reg(m, name, 1, &oc, 1);
    }
}

static void reg_block(at_model *m, lt_block *bl, const char *prefix, int64_t ic, int64_t oc)
{
    char name[96];
    int bn = m->cfg.norm == AT_NORM_BATCH, gn = is_gn(m), norm = bn || gn;
    bl->ic = ic;
    bl->oc = oc;
    for (int j = 0; j < 2; j++) {
        snprintf(name, sizeof name, "%s.conv%d", prefix, j + 1);
        reg_conv(m, name, oc, j ? oc : ic, 3, 0, !norm, &bl->w[j], &bl->b[j]);
        if (gn) {
            snprintf(name, sizeof name, "%s.gn%d.weight", prefix, j + 1);
            bl->bnp[j][0] = reg(m, name, 1, &oc, 1);
            snprintf(name, sizeof name, "%s.gn%d.bias", prefix, j + 1);
            bl->bnp[j][1] = reg(m, name, 1, &oc, 1);
        }
        if (bn) {
            const char *suffix[4] = {"weight", "bias", "running_mean", "running_var"};
            for (int q = 0; q < 4; q++) {
                snprintf(name, sizeof name, "%s.bn%d.%s", prefix, j + 1, suffix[q]);
                bl->bnp[j][q] = reg(m, name, 1, &oc, q < 2);
            }
        }
    }
}

static at_status tensor(at_model *m, lt_tensor *t, int64_t n, int64_t c, int level, int plain)
{
    int64_t dims[5] = {n, c, 0, 0, 0};
    for (int i = 0; i < m->sp; i++)
        dims[2 + i] = m->spatial[i] >> level;
    return lt_tensor_init(&m->eng, t, m->sp + 2, dims, plain, m->eng.act_dt);
}

/* Create a block's tensors and layers reading from src. */
static at_status build_block(at_model *m, lt_block *bl, lt_tensor *src, int level, int need_bwd)
{
    at_status st = AT_OK;
    int64_t n = m->batch;
    lt_tensor *outs[4] = {&bl->a1, &bl->h1, &bl->a2, &bl->out};
    for (int i = 0; i < 4 && st == AT_OK; i++)
        st = tensor(m, outs[i], n, bl->oc, level, m->block);
    if (st == AT_OK)
        st = lt_conv_init(&m->eng, &bl->conv[0], src, &bl->a1, bl->w[0], bl->b[0], 3, 1, 1, 0, need_bwd);
    if (st == AT_OK)
        st = lt_conv_init(&m->eng, &bl->conv[1], &bl->h1, &bl->a2, bl->w[1], bl->b[1], 3, 1, 1, 0, 1);
    for (int j = 0; j < 2 && st == AT_OK; j++) {
        lt_tensor *t = j ? &bl->a2 : &bl->a1;
        if (m->cfg.norm == AT_NORM_BATCH)
            st = lt_bn_init(&m->eng, &bl->bn[j], t, bl->bnp[j][0], bl->bnp[j][1], bl->bnp[j][2],
                            bl->bnp[j][3], m->cfg.bn_eps, m->cfg.bn_momentum, m->cfg.relu_slope);
        else if (is_gn(m))
            st = lt_gn_init(&m->eng, &bl->gn[j], t, bl->bnp[j][0], bl->bnp[j][1],
                            m->cfg.norm == AT_NORM_GROUP ? m->cfg.groups : 0, m->cfg.bn_eps,
                            m->cfg.relu_slope);
        else
            st = lt_relu_init(&m->eng, &bl->relu[j], t, m->cfg.relu_slope);
    }
    if (st == AT_OK && !is_gn(m))
        st = lt_fused_init(&m->eng, &bl->fused[0], src, &bl->h1, 3, m->cfg.relu_slope);
    if (st == AT_OK && !is_gn(m))
        st = lt_fused_init(&m->eng, &bl->fused[1], &bl->h1, &bl->out, 3, m->cfg.relu_slope);
    bl->built = st == AT_OK;
    return st;
}

static void free_block(lt_block *bl)
{
    for (int j = 0; j < 2; j++) {
        lt_conv_fini(&bl->conv[j]);
        lt_bn_fini(&bl->bn[j]);
        lt_relu_fini(&bl->relu[j]);
        lt_fused_fini(&bl->fused[j]);
        lt_gn_fini(&bl->gn[j]);
    }
    lt_tensor_fini(&bl->a1);
    lt_tensor_fini(&bl->h1);
    lt_tensor_fini(&bl->a2);
    lt_tensor_fini(&bl->out);
}

static at_status block_forward(at_model *m, lt_block *bl, lt_tensor *src, int training)
{
    lt_engine *e = &m->eng;
    if (!training && !is_gn(m)) {
        at_status st = lt_fused_forward(e, &bl->fused[0], src, &bl->h1);
        return st == AT_OK ? lt_fused_forward(e, &bl->fused[1], &bl->h1, &bl->out) : st;
    }
    at_status st = lt_conv_forward(e, &bl->conv[0], src, &bl->a1);
    if (st == AT_OK)
        st = m->cfg.norm == AT_NORM_BATCH ? lt_bn_forward(e, &bl->bn[0], &bl->a1, &bl->h1, training)
             : is_gn(m)                   ? lt_gn_forward(e, &bl->gn[0], &bl->a1, &bl->h1)
                                          : lt_relu_forward(e, &bl->relu[0], &bl->a1, &bl->h1);
    if (st == AT_OK)
        st = lt_conv_forward(e, &bl->conv[1], &bl->h1, &bl->a2);
    if (st == AT_OK)
        st = m->cfg.norm == AT_NORM_BATCH ? lt_bn_forward(e, &bl->bn[1], &bl->a2, &bl->out, training)
             : is_gn(m)                   ? lt_gn_forward(e, &bl->gn[1], &bl->a2, &bl->out)
                                          : lt_relu_forward(e, &bl->relu[1], &bl->a2, &bl->out);
    return st;
}

static at_status block_backward(at_model *m, lt_block *bl, lt_tensor *src)
{
    lt_engine *e = &m->eng;
    int bn = m->cfg.norm == AT_NORM_BATCH;
    int gn = is_gn(m);
    at_status st = bn   ? lt_bn_backward(e, &bl->bn[1], &bl->a2, &bl->out)
                   : gn ? lt_gn_backward(e, &bl->gn[1], &bl->a2, &bl->out)
                        : lt_relu_backward(e, &bl->relu[1], &bl->a2, &bl->out);
    if (st == AT_OK)
        st = lt_conv_backward(e, &bl->conv[1], &bl->h1, &bl->a2);
    if (st == AT_OK)
        st = bn   ? lt_bn_backward(e, &bl->bn[0], &bl->a1, &bl->h1)
             : gn ? lt_gn_backward(e, &bl->gn[0], &bl->a1, &bl->h1)
                  : lt_relu_backward(e, &bl->relu[0], &bl->a1, &bl->h1);
    if (st == AT_OK)
        st = lt_conv_backward(e, &bl->conv[0], src, &bl->a1);
    return st;
}

static at_status check_config(const at_unet_config *c, int batch, const int64_t *spatial)
{
    if (c->mode != AT_MODE_2D && c->mode != AT_MODE_3D && c->mode != AT_MODE_25D)
        return at_error_set(AT_ERR_ARG, "model: mode must be 2d, 2.5d or 3d");
    if (c->depth < 1 || c->depth > 7)
        return at_error_set(AT_ERR_ARG, "model: depth %d out of range 1..7", c->depth);
    if (c->base < 1 || c->base > 1024)
        return at_error_set(AT_ERR_ARG, "model: base channels %d out of range 1..1024", c->base);
    if (at_unet_input_channels(c) < 1 || at_unet_input_channels(c) > 1024 || c->out_channels < 1 ||
        c->out_channels > 1024)
        return at_error_set(AT_ERR_ARG, "model: input/output channels out of range 1..1024");
    if (batch < 1 || batch > 4096)
        return at_error_set(AT_ERR_ARG, "model: batch %d out of range 1..4096", batch);
    int sp = c->mode == AT_MODE_3D ? 3 : 2;
    const char *axis[3] = {sp == 3 ? "depth" : "height", sp == 3 ? "height" : "width", "width"};
    double voxels = 1;
    for (int i = 0; i < sp; i++) {
        int64_t s = spatial[i];
        if (s < 1 || s > 65536)
            return at_error_set(AT_ERR_ARG, "model: %s %lld out of range 1..65536", axis[i], (long long)s);
        if (s % (1LL << c->depth))
            return at_error_set(AT_ERR_ARG, "model: %s %lld is not divisible by 2^depth = %d (depth %d)",
                                axis[i], (long long)s, 1 << c->depth, c->depth);
        voxels *= (double)s;
    }
    if (c->bf16 && (c->norm == AT_NORM_GROUP || c->norm == AT_NORM_INSTANCE))
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "model: group/instance norm runs in f32 only; set bf16 = false or "
                            "norm = batch");
    if (c->bf16 && !lt_cpu_has_avx512())
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "model: bf16 needs a CPU with AVX-512 (oneDNN has no bf16 kernels "
                            "for this one); set bf16 = false");
    if (voxels * batch * c->base * 2 > 4e10)
        return at_error_set(AT_ERR_LIMIT, "model: batch x size x channels too large for memory");
    return AT_OK;
}

at_status at_model_create(const at_unet_config *cfg, int batch, const int64_t *spatial, uint64_t seed,
                          at_model **out)
{
    *out = NULL;
    at_status st = check_config(cfg, batch, spatial);
    if (st != AT_OK)
        return st;
    at_model *m = at_calloc(1, sizeof *m);
    if (!m)
        return AT_ERR_NOMEM;
    m->cfg = *cfg;
    m->batch = batch;
    m->sp = cfg->mode == AT_MODE_3D ? 3 : 2;
    m->depth = cfg->depth;
    m->in_ch = at_unet_input_channels(cfg);
    /* one channel blocking for every inner tensor: kernels need src and dst
     * alike (a plain/blocked mix falls back to oneDNN's reference code);
     * 8-channel blocks only in 2D (oneDNN 2.6 has no fast 3D backward-weights
     * kernel for them) and in f32 only (oneDNN 2.6 has no bf16 backward-weights
     * for 8-blocked transposed convolutions); otherwise 16-blocked where C
     * allows, plain elsewhere */
    m->block = cfg->base % 16 == 0 ? 16 : !cfg->bf16 && cfg->mode != AT_MODE_3D && cfg->base % 8 == 0 ? 8 : 2;
    for (int i = 0; i < m->sp; i++)
        m->spatial[i] = spatial[i];
    int d = m->depth;
    size_t cap = 12 * (size_t)(2 * d + 1) + 2 * (size_t)d + 4;
    m->params = at_calloc(cap, sizeof *m->params);
    m->enc = at_calloc((size_t)d, sizeof *m->enc);
    m->dec = at_calloc((size_t)d, sizeof *m->dec);
    m->up = at_calloc((size_t)d, sizeof *m->up);
    m->upw = at_calloc((size_t)d, sizeof *m->upw);
    m->upb = at_calloc((size_t)d, sizeof *m->upb);
    m->upt = at_calloc((size_t)d, sizeof *m->upt);
    m->cat = at_calloc((size_t)d, sizeof *m->cat);
    m->catt = at_calloc((size_t)d, sizeof *m->catt);
    m->pool = at_calloc((size_t)d, sizeof *m->pool);
    m->poolt = at_calloc((size_t)d, sizeof *m->poolt);
    if (!m->params || !m->enc || !m->dec || !m->up || !m->upw || !m->upb || !m->upt || !m->cat || !m->catt ||
        !m->pool || !m->poolt) {
        at_model_free(m);
        return AT_ERR_NOMEM;
    }
    /* 1. parameters, in state_dict order */
    char name[96];
    int64_t base = cfg->base;
    for (int l = 0; l < d; l++) {
        snprintf(name, sizeof name, "enc.%d", l);
        reg_block(m, &m->enc[l], name, l ? base << (l - 1) : m->in_ch, base << l);
    }
    reg_block(m, &m->mid, "bottleneck", base << (d - 1), base << d);
    for (int i = 0; i < d; i++) {
        int l = d - 1 - i;
        snprintf(name, sizeof name, "up.%d", i);
        reg_conv(m, name, base << l, base << (l + 1), 2, 1, 1, &m->upw[i], &m->upb[i]);
    }
    for (int i = 0; i < d; i++) {
        int l = d - 1 - i;
        snprintf(name, sizeof name, "dec.%d", i);
        reg_block(m, &m->dec[i], name, 2 * (base << l), base << l);
    }
    reg_conv(m, "head", cfg->out_channels, base, 1, 0, 1, &m->headw, &m->headb);
    /* 2. one contiguous allocation for values, one for gradients */
    size_t total = 0, trainable = 0;
    for (size_t i = 0; i < m->nparams; i++) {
        total += m->params[i].count;
        if (m->params[i].grad)
            trainable += m->params[i].count;
    }
    m->param_data = at_calloc(total, sizeof(float));
    m->grad_data = at_calloc(trainable ? trainable : 1, sizeof(float));
    if (!m->param_data || !m->grad_data) {
        at_model_free(m);
        return AT_ERR_NOMEM;
    }
    m->param_total = total;
    m->grad_total = trainable;
    size_t off = 0, goff = 0;
    at_rng rng;
    at_rng_seed(&rng, seed);
    for (size_t i = 0; i < m->nparams; i++) {
        lt_param *p = &m->params[i];
        p->data = m->param_data + off;
        off += p->count;
        if (p->grad) {
            p->grad = m->grad_data + goff;
            goff += p->count;
        }
        size_t len = strlen(p->name);
        int is = len > 7 && !strcmp(p->name + len - 7, ".weight");
        if (is && p->ndim >= 3) {
            /* He (Kaiming) normal, fan_in = input channels x kernel volume */
            int transposed = !strncmp(p->name, "up.", 3);
            double fan = (double)(transposed ? p->shape[0] : p->shape[1]);
            for (int k = 2; k < p->ndim; k++)
                fan *= (double)p->shape[k];
            double sd = sqrt(2.0 / fan);
            for (size_t k = 0; k < p->count; k++)
                p->data[k] = (float)(at_rng_normal(&rng) * sd);
        } else if (is || (len > 12 && !strcmp(p->name + len - 12, ".running_var"))) {
            for (size_t k = 0; k < p->count; k++)
                p->data[k] = 1.0f; /* BN gamma and running variance */
        }
    }
    /* 3. tensors and layers */
    lt_engine *e = &m->eng;
    st = lt_engine_init(e, cfg->bf16);
    int64_t n = batch;
    if (st == AT_OK)
        st = tensor(m, &m->input, n, m->in_ch, 0, 1);
    lt_tensor *x = &m->input;
    for (int l = 0; l < d && st == AT_OK; l++) {
        st = build_block(m, &m->enc[l], x, l, l > 0);
        if (st == AT_OK)
            st = tensor(m, &m->poolt[l], n, base << l, l + 1, m->block);
        if (st == AT_OK)
            st = lt_pool_init(e, &m->pool[l], &m->enc[l].out, &m->poolt[l]);
        x = &m->poolt[l];
    }
    if (st == AT_OK)
        st = build_block(m, &m->mid, x, d, 1);
    x = &m->mid.out;
    for (int i = 0; i < d && st == AT_OK; i++) {
        int l = d - 1 - i;
        int64_t c = base << l;
        st = tensor(m, &m->upt[i], n, c, l, m->block);
        if (st == AT_OK)
            st = lt_conv_init(e, &m->up[i], x, &m->upt[i], m->upw[i], m->upb[i], 2, 2, 0, 1, 1);
        if (st == AT_OK)
            st = tensor(m, &m->catt[i], n, 2 * c, l, m->block == 2 && c % 16 ? 1 : m->block);
        if (st == AT_OK)
            st = lt_concat_init(e, &m->cat[i], &m->upt[i], &m->enc[l].out, &m->catt[i]);
        if (st == AT_OK)
            st = build_block(m, &m->dec[i], &m->catt[i], l, 1);
        x = &m->dec[i].out;
    }
    if (st == AT_OK) {
        int64_t od[5] = {n, cfg->out_channels, 0, 0, 0};
        for (int i = 0; i < m->sp; i++)
            od[2 + i] = m->spatial[i];
        st = lt_tensor_init_conv_dst(e, &m->output, x, od, 1, 1);
    }
    if (st == AT_OK)
        st = lt_conv_init(e, &m->head, x, &m->output, m->headw, m->headb, 1, 1, 0, 0, 1);
    /* the model's edges: user f32 plain <-> engine tensors */
    if (st == AT_OK) {
        m->out_f32 = at_calloc(lt_tensor_elems(&m->output), sizeof(float));
        m->dout_f32 = at_calloc(lt_tensor_elems(&m->output), sizeof(float));
        if (!m->out_f32 || !m->dout_f32)
            st = AT_ERR_NOMEM;
        if (st == AT_OK)
            st = lt_edge_init(e, &m->in_edge, &m->input, NULL, 1);
        if (st == AT_OK)
            st = lt_edge_init(e, &m->out_edge, &m->output, m->out_f32, 0);
        if (st == AT_OK)
            st = lt_edge_init(e, &m->dout_edge, &m->output, m->dout_f32, 1);
    }
    if (st != AT_OK) {
        at_error_prefix(st, "model");
        at_model_free(m);
        return st;
    }
    m->weights_dirty = m->infer_dirty = 1;
    *out = m;
    return AT_OK;
}

void at_model_free(at_model *m)
{
    if (!m)
        return;
    int d = m->depth;
    for (int l = 0; m->enc && l < d; l++)
        free_block(&m->enc[l]);
    free_block(&m->mid);
    for (int i = 0; m->dec && i < d; i++) {
        free_block(&m->dec[i]);
        lt_conv_fini(&m->up[i]);
        lt_concat_fini(&m->cat[i]);
        lt_pool_fini(&m->pool[i]);
        lt_tensor_fini(&m->upt[i]);
        lt_tensor_fini(&m->catt[i]);
        lt_tensor_fini(&m->poolt[i]);
    }
    lt_conv_fini(&m->head);
    lt_tensor_fini(&m->input);
    lt_tensor_fini(&m->output);
    lt_edge_fini(&m->in_edge);
    lt_edge_fini(&m->out_edge);
    lt_edge_fini(&m->dout_edge);
    lt_engine_fini(&m->eng);
    void *ptrs[] = {m->enc,    m->dec,        m->up,        m->upw,     m->upb,
                    m->upt,    m->cat,        m->catt,      m->pool,    m->poolt,
                    m->params, m->param_data, m->grad_data, m->out_f32, m->dout_f32};
    for (size_t i = 0; i < sizeof ptrs / sizeof *ptrs; i++)
        at_free(ptrs[i]);
    at_free(m);
}

/* Every conv of the model, for weight refresh and FLOP counts. */
static size_t all_convs(at_model *m, lt_conv **out)
{
    size_t n = 0;
    for (int l = 0; l < m->depth; l++) {
        out[n++] = &m->enc[l].conv[0];
        out[n++] = &m->enc[l].conv[1];
    }
    out[n++] = &m->mid.conv[0];
    out[n++] = &m->mid.conv[1];
    for (int i = 0; i < m->depth; i++) {
        out[n++] = &m->up[i];
        out[n++] = &m->dec[i].conv[0];
        out[n++] = &m->dec[i].conv[1];
    }
    out[n++] = &m->head;
    return n;
}

static at_status refresh_weights(at_model *m)
{
    lt_conv *cs[64];
    size_t n = all_convs(m, cs);
    for (size_t i = 0; i < n; i++) {
        at_status st = lt_conv_prepare(&m->eng, cs[i]);
        if (st != AT_OK)
            return st;
    }
    m->weights_dirty = 0;
    return AT_OK;
}

static at_status refresh_fused(at_model *m)
{
    int bn = m->cfg.norm == AT_NORM_BATCH;
    at_status st = AT_OK;
    if (is_gn(m)) {
        m->infer_dirty = 0;
        return AT_OK;
    }
    for (int i = 0; i < 2 * m->depth + 1 && st == AT_OK; i++) {
        lt_block *bl = i < m->depth ? &m->enc[i] : i == m->depth ? &m->mid : &m->dec[i - m->depth - 1];
        for (int j = 0; j < 2 && st == AT_OK; j++)
            st = lt_fused_prepare(&m->eng, &bl->fused[j], &bl->conv[j], bn ? &bl->bn[j] : NULL);
    }
    if (st == AT_OK)
        m->infer_dirty = 0;
    return st;
}

void lt_model_mark_dirty(at_model *m)
{
    m->weights_dirty = m->infer_dirty = 1;
}

at_status at_model_forward(at_model *m, const float *input, float *output, int training)
{
    lt_engine *e = &m->eng;
    at_status st = AT_OK;
    if (m->weights_dirty)
        st = refresh_weights(m);
    if (st == AT_OK && !training && m->infer_dirty)
        st = refresh_fused(m);
    if (st != AT_OK)
        return st;
    if (training)
        m->infer_dirty = 1; /* running statistics change */
    st = lt_edge_run(e, &m->in_edge, input, m->input.mem);
    lt_tensor *x = &m->input;
    for (int l = 0; l < m->depth && st == AT_OK; l++) {
        st = block_forward(m, &m->enc[l], x, training);
        if (st == AT_OK)
            st = lt_pool_forward(e, &m->pool[l], &m->enc[l].out, &m->poolt[l], training);
        x = &m->poolt[l];
    }
    if (st == AT_OK)
        st = block_forward(m, &m->mid, x, training);
    x = &m->mid.out;
    for (int i = 0; i < m->depth && st == AT_OK; i++) {
        int l = m->depth - 1 - i;
        st = lt_conv_forward(e, &m->up[i], x, &m->upt[i]);
        if (st == AT_OK)
            st = lt_concat_forward(e, &m->cat[i], &m->upt[i], &m->enc[l].out, &m->catt[i]);
        if (st == AT_OK)
            st = block_forward(m, &m->dec[i], &m->catt[i], training);
        x = &m->dec[i].out;
    }
    if (st == AT_OK)
        st = lt_conv_forward(e, &m->head, x, &m->output);
    if (st == AT_OK)
        st = lt_edge_run(e, &m->out_edge, NULL, m->output.mem);
    lt_engine_wait(e);
    if (st == AT_OK && training)
        m->batches_tracked++;
    if (st == AT_OK && output)
        memcpy(output, m->out_f32, lt_tensor_elems(&m->output) * sizeof(float));
    m->have_forward = st == AT_OK && training;
    return st;
}

/* The state_dict name of the layer that wrote output k of a block (0: the
 * first convolution, 1: its norm and activation, 2, 3: the second pair). */
static void block_layer_name(const at_model *m, const char *prefix, int k, char *out, size_t cap)
{
    int j = k / 2 + 1;
    if (k % 2 == 0)
        snprintf(out, cap, "%s.conv%d", prefix, j);
    else if (m->cfg.norm == AT_NORM_BATCH)
        snprintf(out, cap, "%s.bn%d", prefix, j);
    else if (is_gn(m))
        snprintf(out, cap, "%s.gn%d", prefix, j);
    else
        snprintf(out, cap, "%s.conv%d (%s)", prefix, j, m->cfg.relu_slope > 0 ? "LeakyReLU" : "ReLU");
}

/* 1 when one of a block's four outputs is non-finite; names the layer. */
static int block_nonfinite(at_model *m, lt_block *bl, const char *prefix)
{
    lt_tensor *ts[4] = {&bl->a1, &bl->h1, &bl->a2, &bl->out};
    for (int k = 0; k < 4; k++)
        if (!lt_all_finite(ts[k]->mem, &ts[k]->md)) {
            block_layer_name(m, prefix, k, m->bad_layer, sizeof m->bad_layer);
            return 1;
        }
    return 0;
}

/* Find where the last training forward first produced a NaN or Inf, in
 * forward order, named as the state_dict names the layer ("input" when the
 * batch itself held one; "" when every output is finite). Diagnosis only. */
static const char *locate_nonfinite(at_model *m)
{
    char prefix[32];
    snprintf(m->bad_layer, sizeof m->bad_layer, "input");
    if (!lt_all_finite(m->input.mem, &m->input.md))
        return m->bad_layer;
    for (int l = 0; l < m->depth; l++) {
        snprintf(prefix, sizeof prefix, "enc.%d", l);
        if (block_nonfinite(m, &m->enc[l], prefix))
            return m->bad_layer;
    }
    if (block_nonfinite(m, &m->mid, "bottleneck"))
        return m->bad_layer;
    for (int i = 0; i < m->depth; i++) {
        if (!lt_all_finite(m->upt[i].mem, &m->upt[i].md)) {
            snprintf(m->bad_layer, sizeof m->bad_layer, "up.%d", i);
            return m->bad_layer;
        }
        snprintf(prefix, sizeof prefix, "dec.%d", i);
        if (block_nonfinite(m, &m->dec[i], prefix))
            return m->bad_layer;
    }
    snprintf(m->bad_layer, sizeof m->bad_layer, "%s",
             lt_all_finite(m->output.mem, &m->output.md) ? "" : "head");
    return m->bad_layer;
}

/* AT_ERR_NUMERIC naming the first non-finite element of v (n values), or
 * AT_OK. what: "target" or "mask". */
static at_status check_finite_array(at_model *m, const float *v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            snprintf(m->bad_layer, sizeof m->bad_layer, "%s", what);
            return at_error_set(AT_ERR_NUMERIC,
                                "model: the %s holds a non-finite value (%s at element %zu of the "
                                "batch); the model is not at fault",
                                what, isnan(v[i]) ? "NaN" : "Inf", i);
        }
    return AT_OK;
}

at_status at_model_backward(at_model *m, const float *target, const float *mask, at_loss_kind loss,
                            float scale, float *loss_out)
{
    if (!m->have_forward)
        return at_error_set(AT_ERR_ARG, "model: backward needs a training forward pass first");
    m->have_forward = 0;
    m->bad_layer[0] = '\0';
    size_t n = lt_tensor_elems(&m->output);
    at_status fst = check_finite_array(m, target, n, "target");
    if (fst == AT_OK && mask)
        fst = check_finite_array(m, mask, n, "mask");
    if (fst != AT_OK)
        return fst;
    double sum = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        double w = mask ? mask[i] : 1.0;
        if (w == 0)
            continue;
        double diff = (double)m->out_f32[i] - target[i];
        sum += w * (loss == AT_LOSS_L1 ? fabs(diff) : diff * diff);
        count += w;
    }
    if (count <= 0)
        count = 1;
    double value = sum / count;
    if (loss_out)
        *loss_out = (float)value;
    if (!isfinite(value)) {
        const char *where = locate_nonfinite(m);
        const char *kind = isnan(value) ? "NaN" : "Inf";
        if (!strcmp(where, "input"))
            return at_error_set(AT_ERR_NUMERIC,
                                "model: loss is %s; the input batch holds a "
                                "non-finite value",
                                kind);
        if (!*where) {
            snprintf(m->bad_layer, sizeof m->bad_layer, "loss");
            return at_error_set(AT_ERR_NUMERIC,
                                "model: loss is %s although every output is "
                                "finite (overflow: outputs or targets too large)",
                                kind);
        }
        return at_error_set(AT_ERR_NUMERIC, "model: loss is %s; first non-finite output in layer %s", kind,
                            where);
    }
    float g = (float)(scale / count);
    for (size_t i = 0; i < n; i++) {
        float w = mask ? mask[i] : 1.0f, diff = m->out_f32[i] - target[i];
        if (loss == AT_LOSS_L1)
            m->dout_f32[i] = w * g * (float)((diff > 0) - (diff < 0));
        else
            m->dout_f32[i] = w * g * 2.0f * diff;
    }
    lt_engine *e = &m->eng;
    at_status st = lt_edge_run(e, &m->dout_edge, NULL, m->output.grad);
    if (st == AT_OK)
        st = lt_conv_backward(e, &m->head, &m->dec[m->depth - 1].out, &m->output);
    for (int i = m->depth - 1; i >= 0 && st == AT_OK; i--) {
        int l = m->depth - 1 - i;
        lt_tensor *prev = i ? &m->dec[i - 1].out : &m->mid.out;
        st = block_backward(m, &m->dec[i], &m->catt[i]);
        if (st == AT_OK)
            st = lt_concat_backward(e, &m->cat[i], &m->upt[i], &m->enc[l].out, &m->catt[i]);
        if (st == AT_OK)
            st = lt_conv_backward(e, &m->up[i], prev, &m->upt[i]);
    }
    if (st == AT_OK)
        st = block_backward(m, &m->mid, &m->poolt[m->depth - 1]);
    for (int l = m->depth - 1; l >= 0 && st == AT_OK; l--) {
        st = lt_pool_backward(e, &m->pool[l], &m->enc[l].out, &m->poolt[l]);
        if (st == AT_OK)
            st = block_backward(m, &m->enc[l], l ? &m->poolt[l - 1] : &m->input);
    }
    lt_engine_wait(e);
    if (st != AT_OK)
        return st;
    for (size_t i = 0; i < m->nparams; i++) {
        lt_param *p = &m->params[i];
        if (!p->grad)
            continue;
        for (size_t k = 0; k < p->count; k++)
            if (!isfinite(p->grad[k])) {
                snprintf(m->bad_layer, sizeof m->bad_layer, "%s", p->name);
                return at_error_set(AT_ERR_NUMERIC, "model: non-finite gradient in %s", p->name);
            }
    }
    return AT_OK;
}

void at_model_zero_grad(at_model *m)
{
    memset(m->grad_data, 0, m->grad_total * sizeof(float));
}

size_t at_model_input_size(const at_model *m)
{
    return lt_tensor_elems(&m->input);
}
size_t at_model_output_size(const at_model *m)
{
    return lt_tensor_elems(&m->output);
}
size_t at_model_param_count(const at_model *m)
{
    return m->nparams;
}
const char *at_model_bad_layer(const at_model *m)
{
    return m->bad_layer;
}
int64_t at_model_batches_tracked(const at_model *m)
{
    return m->batches_tracked;
}
void at_model_set_batches_tracked(at_model *m, int64_t n)
{
    m->batches_tracked = n;
}

at_status at_model_param(const at_model *m, size_t i, at_param *out)
{
    if (i >= m->nparams)
        return at_error_set(AT_ERR_ARG, "model: parameter index %zu out of range", i);
    const lt_param *p = &m->params[i];
    memset(out, 0, sizeof *out);
    out->name = p->name;
    out->ndim = p->ndim;
    for (int k = 0; k < p->ndim; k++)
        out->shape[k] = p->shape[k];
    out->count = p->count;
    out->data = p->data;
    out->grad = p->grad;
    out->trainable = p->grad != NULL;
    return AT_OK;
}

double at_model_infer_flops(const at_model *m)
{
    lt_conv *cs[64];
    size_t n = all_convs((at_model *)m, cs);
    double f = 0;
    for (size_t i = 0; i < n; i++)
        f += cs[i]->flops;
    return f;
}

double at_model_train_flops(const at_model *m)
{
    /* forward + backward data (all but the first conv) + backward weights */
    return 3 * at_model_infer_flops(m) - m->enc[0].conv[0].flops;
}

at_status at_model_copy_params(at_model *dst, const at_model *src)
{
    if (dst->nparams != src->nparams)
        return at_error_set(AT_ERR_ARG, "copy: the models have %zu and %zu parameters", src->nparams,
                            dst->nparams);
    for (size_t i = 0; i < src->nparams; i++) {
        const lt_param *a = &src->params[i];
        lt_param *b = &dst->params[i];
        if (a->count != b->count || strcmp(a->name, b->name))
            return at_error_set(AT_ERR_ARG, "copy: parameter %s differs between the models", a->name);
        memcpy(b->data, a->data, a->count * sizeof *a->data);
    }
    dst->batches_tracked = src->batches_tracked;
    lt_model_mark_dirty(dst);
    return AT_OK;
}
