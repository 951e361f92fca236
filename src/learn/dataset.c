/* at_train: the training loop (train.c) over an at_dataset. The batch
 * source of this file shuffles the training samples every epoch (from the
 * seed and the epoch), fills micro-batches of cfg->batch samples through
 * the dataset's get, augments them (flips, a small in-plane rotation,
 * intensity jitter, from seed, epoch, batch and sample: never from thread
 * timing, so a resumed run sees the same batches), and scores a model by
 * its mean loss over the validation samples. */
#include "atelier/learn.h"

#include <math.h>
#include <string.h>

typedef struct {
    const at_unet_config *cfg;
    const at_dataset *ds;
    int augment, ic, oc, sp;
    int64_t window[3];
    size_t in_sz, out_sz;              /* one sample */
    size_t *order;                     /* this epoch's shuffled training indices */
    float *scratch;                    /* one plane, for the augmentation (loader thread) */
    float *vin, *vtgt, *vmask, *vpred; /* validation batch (training thread) */
} dataset_source;

/* Flips, a small in-plane rotation (bilinear) and intensity jitter of the
 * input, the same geometry for input, target and mask. Arrays are
 * C x D x H x W. */
static void augment_sample(dataset_source *d, at_rng *r, float *in, float *tgt, float *mask)
{
    int64_t D = d->sp == 3 ? d->window[0] : 1, H = d->window[d->sp - 2], W = d->window[d->sp - 1];
    int flip_y = at_rng_next(r) & 1, flip_x = at_rng_next(r) & 1;
    double ang = (at_rng_uniform(r) * 2 - 1) * 10.0 * M_PI / 180.0;
    float scale = (float)(1 + (at_rng_uniform(r) * 2 - 1) * 0.1);
    float shift = (float)((at_rng_uniform(r) * 2 - 1) * 0.1);
    double cs = cos(ang), sn = sin(ang), cy = (H - 1) / 2.0, cx = (W - 1) / 2.0;
    float *arrs[3] = {in, tgt, mask};
    int chans[3] = {d->ic, d->oc, d->oc};
    for (int a = 0; a < 3; a++) {
        for (int64_t plane = 0; plane < chans[a] * D; plane++) {
            float *p = arrs[a] + (size_t)plane * H * W, *o = d->scratch;
            for (int64_t y = 0; y < H; y++)
                for (int64_t x = 0; x < W; x++) {
                    double yy = (flip_y ? H - 1 - y : y) - cy, xx = (flip_x ? W - 1 - x : x) - cx;
                    double sy = cs * yy - sn * xx + cy, sx = sn * yy + cs * xx + cx;
                    int64_t y0 = (int64_t)floor(sy), x0 = (int64_t)floor(sx);
                    double fy = sy - y0, fx = sx - x0, v = 0;
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++) {
                            int64_t yy2 = y0 + dy, xx2 = x0 + dx;
                            yy2 = yy2 < 0 ? 0 : yy2 >= H ? H - 1 : yy2;
                            xx2 = xx2 < 0 ? 0 : xx2 >= W ? W - 1 : xx2;
                            v += (dy ? fy : 1 - fy) * (dx ? fx : 1 - fx) * p[yy2 * W + xx2];
                        }
                    o[y * W + x] = (float)v;
                }
            memcpy(p, o, (size_t)(H * W) * sizeof(float));
        }
    }
    for (size_t i = 0; i < d->in_sz; i++)
        in[i] = in[i] * scale + shift;
}

static at_status dataset_epoch_begin(void *ud, int64_t epoch)
{
    dataset_source *d = ud;
    size_t n = d->ds->train_count;
    at_rng r;
    at_rng_seed(&r, d->cfg->seed ^ ((uint64_t)epoch * 0xD1B54A32D192ED03ULL));
    for (size_t i = 0; i < n; i++)
        d->order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(at_rng_next(&r) % i), t = d->order[i - 1];
        d->order[i - 1] = d->order[j];
        d->order[j] = t;
    }
    return AT_OK;
}

static at_status dataset_fill(void *ud, int64_t epoch, int64_t b, float *in, float *tgt, float *mask)
{
    dataset_source *d = ud;
    size_t n = d->ds->train_count;
    for (int s = 0; s < d->cfg->batch; s++) {
        size_t idx = d->order[((size_t)b * (size_t)d->cfg->batch + (size_t)s) % n];
        float *si = in + (size_t)s * d->in_sz, *st = tgt + (size_t)s * d->out_sz,
              *sm = mask + (size_t)s * d->out_sz;
        at_status rc = d->ds->get(d->ds->ud, idx, si, st, sm);
        if (rc != AT_OK)
            return at_error_prefix(rc, "dataset sample %zu", idx);
        if (d->augment) {
            at_rng r;
            at_rng_seed(&r, d->cfg->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)epoch * 1000003ULL +
                                (uint64_t)b * 7919ULL + (uint64_t)s);
            augment_sample(d, &r, si, st, sm);
        }
    }
    return AT_OK;
}

/* Mean loss (cfg->loss, mask-weighted) of m in inference mode over the
 * validation samples; NaN when they hold no weight. */
static at_status dataset_validate(void *ud, at_model *m, at_run *run, double *score, at_model **kept)
{
    (void)kept;
    dataset_source *d = ud;
    const at_dataset *ds = d->ds;
    double sum = 0, cnt = 0;
    size_t B = (size_t)d->cfg->batch;
    for (size_t first = 0; first < ds->val_count; first += B) {
        at_status st = at_run_check(run, "train: validation");
        if (st != AT_OK)
            return st;
        size_t nb = ds->val_count - first < B ? ds->val_count - first : B;
        memset(d->vin, 0, B * d->in_sz * sizeof(float));
        for (size_t s = 0; s < nb; s++) {
            float *mk = d->vmask + s * d->out_sz;
            for (size_t i = 0; i < d->out_sz; i++)
                mk[i] = 1.0f;
            st = ds->get(ds->ud, ds->train_count + first + s, d->vin + s * d->in_sz, d->vtgt + s * d->out_sz,
                         mk);
            if (st != AT_OK)
                return at_error_prefix(st, "dataset sample %zu", ds->train_count + first + s);
        }
        if ((st = at_model_forward(m, d->vin, d->vpred, 0)) != AT_OK)
            return st;
        for (size_t i = 0; i < nb * d->out_sz; i++) {
            double df = (double)d->vpred[i] - d->vtgt[i], w = d->vmask[i];
            sum += w * (d->cfg->loss == AT_LOSS_L1 ? fabs(df) : df * df);
            cnt += w;
        }
    }
    /* the loop keeps scores as floats in checkpoints: round as it did */
    *score = cnt > 0 ? (double)(float)(sum / cnt) : NAN;
    return AT_OK;
}

at_status at_train(const at_unet_config *cfg, const at_dataset *ds, const at_train_options *opt, at_run *run,
                   at_train_result *res)
{
    if (!ds || !ds->get || ds->train_count == 0)
        return at_error_set(AT_ERR_ARG, "train: the dataset has no training samples");
    if (cfg->batch < 1 || cfg->batch > 4096)
        return at_error_set(AT_ERR_ARG, "train: batch %d out of range", cfg->batch);
    dataset_source d;
    memset(&d, 0, sizeof d);
    d.cfg = cfg;
    d.ds = ds;
    d.augment = opt->augment;
    d.ic = at_unet_input_channels(cfg);
    d.oc = cfg->out_channels;
    d.sp = cfg->mode == AT_MODE_3D ? 3 : 2;
    size_t vox = 1;
    for (int i = 0; i < d.sp; i++) {
        d.window[i] = opt->window[i] > 0 ? opt->window[i] : cfg->size;
        vox *= (size_t)d.window[i];
    }
    d.in_sz = vox * (size_t)d.ic;
    d.out_sz = vox * (size_t)d.oc;
    size_t B = (size_t)cfg->batch;
    d.order = at_calloc(ds->train_count, sizeof *d.order);
    d.scratch = at_calloc((size_t)(d.window[d.sp - 2] * d.window[d.sp - 1]), sizeof(float));
    d.vin = at_calloc(B * d.in_sz, sizeof(float));
    d.vtgt = at_calloc(B * d.out_sz, sizeof(float));
    d.vmask = at_calloc(B * d.out_sz, sizeof(float));
    d.vpred = at_calloc(B * d.out_sz, sizeof(float));
    at_status st = AT_OK;
    if (!d.order || !d.scratch || !d.vin || !d.vtgt || !d.vmask || !d.vpred)
        st = AT_ERR_NOMEM;
    if (st == AT_OK) {
        at_train_source src = {.batches = (int64_t)(ds->train_count / B),
                               .epoch_begin = dataset_epoch_begin,
                               .fill = dataset_fill,
                               .validate = ds->val_count ? dataset_validate : NULL,
                               .ud = &d};
        if (src.batches < 1)
            src.batches = 1; /* fewer samples than a batch: one batch, samples repeated */
        at_train_options o = *opt;
        for (int i = 0; i < d.sp; i++)
            o.window[i] = d.window[i];
        st = at_train_loop(cfg, &src, &o, run, res);
    }
    at_free(d.order);
    at_free(d.scratch);
    at_free(d.vin);
    at_free(d.vtgt);
    at_free(d.vmask);
    at_free(d.vpred);
    return st;
}
