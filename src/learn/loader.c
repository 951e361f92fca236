/* The training loader: a thread prepares (and augments) batch b+1 while
 * batch b trains; two slots, handed over under a mutex. Deterministic:
 * the shuffle of an epoch derives from (seed, epoch) and the augmentation
 * of each sample from (seed, epoch, batch, slot). */
#include "loader.h"

#include <math.h>
#include <string.h>

/* Flips, a small in-plane rotation (bilinear) and intensity jitter of the
 * input, the same geometry for input, target and mask. Arrays are
 * C x D x H x W. */
static void augment_sample(lt_loader *L, at_rng *r, float *in, float *tgt, float *mask)
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

static at_status fill_batch(lt_loader *L, int64_t b, lt_batch *out)
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
    lt_loader *L = arg;
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
at_status lt_loader_take(lt_loader *L, int64_t b, lt_batch **out)
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

void lt_loader_release(lt_loader *L, int64_t b)
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

at_status lt_loader_init(lt_loader *L, const at_unet_config *cfg, const at_dataset *ds, int augment,
                         int in_channels, int sp, const int64_t *spatial, int per_step)
{
    memset(L, 0, sizeof *L);
    L->cfg = cfg;
    L->ds = ds;
    L->augment = augment;
    L->ic = in_channels;
    L->oc = cfg->out_channels;
    L->sp = sp;
    size_t vox = 1;
    for (int i = 0; i < sp; i++) {
        L->spatial[i] = spatial[i];
        vox *= (size_t)spatial[i];
    }
    L->in_sz = vox * (size_t)L->ic;
    L->out_sz = vox * (size_t)L->oc;
    L->per_step = per_step;
    L->order = at_calloc(ds->train_count, sizeof(size_t));
    L->scratch = at_calloc((size_t)(spatial[sp - 2] * spatial[sp - 1]), sizeof(float));
    int ok = L->order && L->scratch;
    for (int i = 0; i < 2 && ok; i++) {
        L->buf[i].in = at_calloc((size_t)per_step * L->in_sz, sizeof(float));
        L->buf[i].tgt = at_calloc((size_t)per_step * L->out_sz, sizeof(float));
        L->buf[i].mask = at_calloc((size_t)per_step * L->out_sz, sizeof(float));
        ok = L->buf[i].in && L->buf[i].tgt && L->buf[i].mask;
    }
    return ok ? AT_OK : AT_ERR_NOMEM;
}

void lt_loader_free(lt_loader *L)
{
    lt_loader_stop(L);
    for (int i = 0; i < 2; i++) {
        at_free(L->buf[i].in);
        at_free(L->buf[i].tgt);
        at_free(L->buf[i].mask);
    }
    at_free(L->order);
    at_free(L->scratch);
    memset(L, 0, sizeof *L);
}

at_status lt_loader_start(lt_loader *L, int64_t epoch, int64_t first, int64_t count)
{
    shuffle(L->order, L->ds->train_count, L->cfg->seed, epoch);
    L->epoch = epoch;
    L->next = first;
    L->count = count;
    L->quit = 0;
    L->ready[0] = L->ready[1] = 0;
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    if (pthread_create(&L->thread, NULL, loader_main, L) != 0) {
        pthread_mutex_destroy(&L->mu);
        pthread_cond_destroy(&L->cv);
        return at_error_set(AT_ERR_NOMEM, "train: cannot start the loader thread");
    }
    L->running = 1;
    return AT_OK;
}

void lt_loader_stop(lt_loader *L)
{
    if (!L->running)
        return;
    pthread_mutex_lock(&L->mu);
    L->quit = 1;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
    pthread_join(L->thread, NULL);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    L->running = 0;
}
