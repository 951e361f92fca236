/* The training loop: a loader thread prepares (and augments) the next
 * batch while the current one trains; AdamW with warm-up and a schedule,
 * gradient accumulation over micro-batches, validation and a checkpoint
 * every epoch, a checkpoint on interruption, resume, NaN/Inf detection,
 * progress through a callback and a JSONL metrics log. Deterministic: the
 * shuffle and the augmentation of each batch derive from (seed, epoch,
 * batch), never from timing. */
#include "unet.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    float *in, *tgt, *mask;
} batch_buf;

typedef struct {
    const at_unet_config *cfg;
    const at_dataset *ds;
    int augment, ic, oc;
    size_t in_sz, out_sz; /* per sample */
    int64_t spatial[3];
    int sp;
    size_t *order;      /* this epoch's shuffled training indices */
    int64_t epoch, first, count; /* batches [first, count) of this epoch to produce */
    int per_step;       /* samples per micro-batch */
    batch_buf buf[2];
    int ready[2];       /* slot filled */
    at_status st[2];
    int64_t next;       /* next batch the loader makes */
    int quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    float *scratch;
} loader;

/* Flips, a small in-plane rotation (bilinear) and intensity jitter of the
 * input, the same geometry for input, target and mask. Arrays are
 * C x D x H x W. */
static void augment_sample(loader *L, at_rng *r, float *in, float *tgt, float *mask)
{
    int64_t D = L->sp == 3 ? L->spatial[0] : 1, H = L->spatial[L->sp - 2], W = L->spatial[L->sp - 1];
    int flip_y = at_rng_next(r) & 1, flip_x = at_rng_next(r) & 1;
    double ang = (at_rng_uniform(r) * 2 - 1) * 10.0 * M_PI / 180.0;
    float scale = (float)(1 + (at_rng_uniform(r) * 2 - 1) * 0.1);
    float shift = (float)((at_rng_uniform(r) * 2 - 1) * 0.1);
    double cs = cos(ang), sn = sin(ang), cy = (H - 1) / 2.0, cx = (W - 1) / 2.0;
    float *arrs[3] = {in, tgt, mask};
    int chans[3] = {L->ic, L->oc, L->oc};
    for (int a = 0; a < 3; a++) {
        for (int64_t plane = 0; plane < chans[a] * D; plane++) {
            float *p = arrs[a] + (size_t)plane * H * W, *o = L->scratch;
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
    for (size_t i = 0; i < L->in_sz; i++)
        in[i] = in[i] * scale + shift;
}

static at_status fill_batch(loader *L, int64_t b, batch_buf *out)
{
    size_t n = L->ds->train_count;
    for (int s = 0; s < L->per_step; s++) {
        size_t idx = L->order[((size_t)b * (size_t)L->per_step + (size_t)s) % n];
        float *in = out->in + (size_t)s * L->in_sz, *tgt = out->tgt + (size_t)s * L->out_sz,
              *mk = out->mask + (size_t)s * L->out_sz;
        for (size_t i = 0; i < L->out_sz; i++)
            mk[i] = 1.0f;
        at_status st = L->ds->get(L->ds->ud, idx, in, tgt, mk);
        if (st != AT_OK)
            return at_error_prefix(st, "dataset sample %zu", idx);
        if (L->augment) {
            at_rng r;
            at_rng_seed(&r, L->cfg->seed * 0x9E3779B97F4A7C15ULL + (uint64_t)L->epoch * 1000003ULL +
                                (uint64_t)b * 7919ULL + (uint64_t)s);
            augment_sample(L, &r, in, tgt, mk);
        }
    }
    return AT_OK;
}

static void *loader_main(void *arg)
{
    loader *L = arg;
    pthread_mutex_lock(&L->mu);
    while (!L->quit) {
        int64_t b = L->next;
        int slot = (int)(b & 1);
        if (b >= L->count || L->ready[slot]) {
            pthread_cond_wait(&L->cv, &L->mu);
            continue;
        }
        pthread_mutex_unlock(&L->mu);
        at_status st = fill_batch(L, b, &L->buf[slot]);
        pthread_mutex_lock(&L->mu);
        L->st[slot] = st;
        L->ready[slot] = 1;
        L->next = b + 1;
        pthread_cond_broadcast(&L->cv);
    }
    pthread_mutex_unlock(&L->mu);
    return NULL;
}

/* Wait for batch b; returns its buffer (release with loader_release). */
static at_status loader_take(loader *L, int64_t b, batch_buf **out)
{
    int slot = (int)(b & 1);
    pthread_mutex_lock(&L->mu);
    while (!L->ready[slot])
        pthread_cond_wait(&L->cv, &L->mu);
    at_status st = L->st[slot];
    pthread_mutex_unlock(&L->mu);
    *out = &L->buf[slot];
    return st;
}

static void loader_release(loader *L, int64_t b)
{
    pthread_mutex_lock(&L->mu);
    L->ready[b & 1] = 0;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

static void shuffle(size_t *v, size_t n, uint64_t seed, int64_t epoch)
{
    at_rng r;
    at_rng_seed(&r, seed ^ ((uint64_t)epoch * 0xD1B54A32D192ED03ULL));
    for (size_t i = 0; i < n; i++)
        v[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(at_rng_next(&r) % i), t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static at_status validate(at_model *m, const at_dataset *ds, const at_unet_config *cfg,
                          batch_buf *tmp, size_t in_sz, size_t out_sz, float *pred, float *val)
{
    double sum = 0, cnt = 0;
    int B = m->batch;
    for (size_t first = 0; first < ds->val_count; first += (size_t)B) {
        size_t nb = ds->val_count - first < (size_t)B ? ds->val_count - first : (size_t)B;
        memset(tmp->in, 0, (size_t)B * in_sz * sizeof(float));
        for (size_t s = 0; s < nb; s++) {
            float *mk = tmp->mask + s * out_sz;
            for (size_t i = 0; i < out_sz; i++)
                mk[i] = 1.0f;
            at_status st = ds->get(ds->ud, ds->train_count + first + s, tmp->in + s * in_sz,
                                   tmp->tgt + s * out_sz, mk);
            if (st != AT_OK)
                return at_error_prefix(st, "dataset sample %zu", ds->train_count + first + s);
        }
        at_status st = at_model_forward(m, tmp->in, pred, 0);
        if (st != AT_OK)
            return st;
        for (size_t i = 0; i < nb * out_sz; i++) {
            double d = (double)pred[i] - tmp->tgt[i], w = tmp->mask[i];
            sum += w * (cfg->loss == AT_LOSS_L1 ? fabs(d) : d * d);
            cnt += w;
        }
    }
    *val = cnt > 0 ? (float)(sum / cnt) : NAN;
    return AT_OK;
}

static void metrics_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void metrics_line(FILE *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

at_status at_train(const at_unet_config *cfg, const at_dataset *ds, const at_train_options *opt,
                   float *final_val)
{
    if (!ds || !ds->get || ds->train_count == 0)
        return at_error_set(AT_ERR_ARG, "train: the dataset has no training samples");
    at_learn_set_threads(cfg->threads);
    int sp = cfg->mode == AT_MODE_3D ? 3 : 2;
    int64_t spatial[3] = {cfg->size, cfg->size, cfg->size};
    at_model *m = NULL;
    at_adamw *o = NULL;
    at_status st = at_model_create(cfg, cfg->batch, spatial, cfg->seed, &m);
    if (st == AT_OK)
        st = at_adamw_create(m, cfg->beta1, cfg->beta2, cfg->adam_eps, cfg->weight_decay, &o);
    if (st != AT_OK) {
        at_model_free(m);
        return st;
    }
    at_train_state ts;
    memset(&ts, 0, sizeof ts);
    at_rng_seed(&ts.rng, cfg->seed);
    ts.best_val = INFINITY;
    if (opt->resume_path && (st = at_checkpoint_load(opt->resume_path, m, o, &ts)) != AT_OK) {
        at_adamw_free(o);
        at_model_free(m);
        return st;
    }
    loader L;
    memset(&L, 0, sizeof L);
    L.cfg = cfg;
    L.ds = ds;
    L.augment = opt->augment;
    L.ic = m->in_ch;
    L.oc = cfg->out_channels;
    L.sp = sp;
    for (int i = 0; i < 3; i++)
        L.spatial[i] = spatial[i];
    size_t vox = 1;
    for (int i = 0; i < sp; i++)
        vox *= (size_t)spatial[i];
    L.in_sz = vox * (size_t)L.ic;
    L.out_sz = vox * (size_t)L.oc;
    L.per_step = cfg->batch;
    L.order = at_calloc(ds->train_count, sizeof(size_t));
    L.scratch = at_calloc((size_t)(spatial[sp - 2] * spatial[sp - 1]), sizeof(float));
    batch_buf vb = {0};
    float *pred = at_calloc(at_model_output_size(m), sizeof(float));
    int ok = L.order && L.scratch && pred;
    for (int i = 0; i < 2 && ok; i++) {
        L.buf[i].in = at_calloc((size_t)L.per_step * L.in_sz, sizeof(float));
        L.buf[i].tgt = at_calloc((size_t)L.per_step * L.out_sz, sizeof(float));
        L.buf[i].mask = at_calloc((size_t)L.per_step * L.out_sz, sizeof(float));
        ok = L.buf[i].in && L.buf[i].tgt && L.buf[i].mask;
    }
    vb.in = at_calloc((size_t)L.per_step * L.in_sz, sizeof(float));
    vb.tgt = at_calloc((size_t)L.per_step * L.out_sz, sizeof(float));
    vb.mask = at_calloc((size_t)L.per_step * L.out_sz, sizeof(float));
    ok = ok && vb.in && vb.tgt && vb.mask;
    FILE *mf = NULL;
    if (ok && opt->metrics_path && !(mf = fopen(opt->metrics_path, ts.step ? "a" : "w")))
        st = at_error_set(AT_ERR_IO, "%s: cannot open the metrics log", opt->metrics_path);
    if (!ok)
        st = AT_ERR_NOMEM;
    int micro = cfg->micro_batches > 0 ? cfg->micro_batches : 1;
    int64_t batches_per_epoch = (int64_t)(ds->train_count / (size_t)L.per_step);
    if (batches_per_epoch < 1)
        batches_per_epoch = 1;
    int64_t steps_per_epoch = batches_per_epoch / micro;
    if (steps_per_epoch < 1)
        steps_per_epoch = 1;
    batches_per_epoch = steps_per_epoch * micro;
    int64_t total_steps = steps_per_epoch * cfg->epochs;
    float last_val = NAN;
    double t_start = at_now_seconds();
    for (int64_t epoch = ts.epoch; st == AT_OK && epoch < cfg->epochs; epoch++) {
        int64_t done_in_epoch = ts.step - epoch * steps_per_epoch;
        if (done_in_epoch < 0 || done_in_epoch >= steps_per_epoch)
            done_in_epoch = 0;
        shuffle(L.order, ds->train_count, cfg->seed, epoch);
        L.epoch = epoch;
        L.first = done_in_epoch * micro;
        L.next = L.first;
        L.count = batches_per_epoch;
        L.quit = 0;
        L.ready[0] = L.ready[1] = 0;
        pthread_t th;
        pthread_mutex_init(&L.mu, NULL);
        pthread_cond_init(&L.cv, NULL);
        if (pthread_create(&th, NULL, loader_main, &L) != 0) {
            st = at_error_set(AT_ERR_NOMEM, "train: cannot start the loader thread");
            pthread_mutex_destroy(&L.mu);
            pthread_cond_destroy(&L.cv);
            break;
        }
        double epoch_loss = 0;
        int64_t epoch_n = 0;
        for (int64_t b = L.first; st == AT_OK && b < batches_per_epoch; b += micro) {
            if (opt->stop_flag && *opt->stop_flag) {
                st = at_error_set(AT_ERR_INTERRUPTED, "train: interrupted at step %lld",
                                  (long long)ts.step);
                break;
            }
            at_model_zero_grad(m);
            double step_loss = 0;
            for (int k = 0; k < micro && st == AT_OK; k++) {
                batch_buf *bb;
                st = loader_take(&L, b + k, &bb);
                float loss = 0;
                if (st == AT_OK)
                    st = at_model_forward(m, bb->in, NULL, 1);
                if (st == AT_OK)
                    st = at_model_backward(m, bb->tgt, bb->mask, cfg->loss, 1.0f / (float)micro, &loss);
                loader_release(&L, b + k);
                step_loss += loss / micro;
                if (st == AT_ERR_NUMERIC)
                    at_error_prefix(st, "train: step %lld", (long long)ts.step);
            }
            if (st != AT_OK)
                break;
            float lr = at_lr_at(cfg, ts.step, total_steps);
            at_adamw_step(o, lr);
            ts.step++;
            epoch_loss += step_loss;
            epoch_n++;
            metrics_line(mf, "{\"step\":%lld,\"epoch\":%lld,\"loss\":%.7g,\"lr\":%.7g,\"seconds\":%.3f}\n",
                         (long long)ts.step, (long long)epoch, step_loss, (double)lr,
                         at_now_seconds() - t_start);
            if (opt->progress) {
                char note[96];
                snprintf(note, sizeof note, "epoch %lld loss %.4f", (long long)epoch + 1, step_loss);
                opt->progress(opt->progress_ud, (uint64_t)ts.step, (uint64_t)total_steps, note);
            }
        }
        pthread_mutex_lock(&L.mu);
        L.quit = 1;
        pthread_cond_broadcast(&L.cv);
        pthread_mutex_unlock(&L.mu);
        pthread_join(th, NULL);
        pthread_mutex_destroy(&L.mu);
        pthread_cond_destroy(&L.cv);
        if (st == AT_OK) {
            ts.epoch = epoch + 1;
            if (ds->val_count)
                st = validate(m, ds, cfg, &vb, L.in_sz, L.out_sz, pred, &last_val);
            if (st == AT_OK && last_val < ts.best_val)
                ts.best_val = last_val;
            metrics_line(mf,
                         "{\"epoch\":%lld,\"step\":%lld,\"train_loss\":%.7g,\"val_loss\":%.7g,"
                         "\"seconds\":%.3f}\n",
                         (long long)epoch + 1, (long long)ts.step,
                         epoch_n ? epoch_loss / (double)epoch_n : 0.0, (double)last_val,
                         at_now_seconds() - t_start);
        }
        if ((st == AT_OK || st == AT_ERR_INTERRUPTED) && opt->checkpoint_path) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", at_error_message());
            at_status cs = at_checkpoint_save(opt->checkpoint_path, m, o, &ts);
            if (cs != AT_OK)
                st = cs;
            else if (st == AT_ERR_INTERRUPTED)
                at_error_set(st, "%s; checkpoint written to %s", msg, opt->checkpoint_path);
        }
    }
    if (final_val)
        *final_val = last_val;
    if (mf)
        fclose(mf);
    for (int i = 0; i < 2; i++) {
        at_free(L.buf[i].in);
        at_free(L.buf[i].tgt);
        at_free(L.buf[i].mask);
    }
    at_free(vb.in);
    at_free(vb.tgt);
    at_free(vb.mask);
    at_free(L.order);
    at_free(L.scratch);
    at_free(pred);
    at_adamw_free(o);
    at_model_free(m);
    return st;
}
