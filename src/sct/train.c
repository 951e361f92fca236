/* sct train: the learning engine's 2.5D U-Net on prepared pairs, masked
 * L1 on HU/1000, trained by learn's one training loop (at_train_loop)
 * with the batch source of this file: shuffled axial slices with
 * in-plane augmentation drawn from one random stream (carried from epoch
 * to epoch, saved in checkpoints), scored on whole validation slices by
 * a full-slice f32 copy of the network (its batch-norm statistics
 * refreshed on whole slices first when training on crops). */
#include "atelier/learn.h"
#include "atelier/walk.h"
#include "sct_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MANIFEST_MAX (16u << 20)

at_status sct_manifest_load(const char *prep_dir, sct_patient **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    char *p = at_path_join(prep_dir, "manifest.json");
    if (!p)
        return AT_ERR_NOMEM;
    unsigned char *text;
    size_t len;
    at_status st = at_file_read(p, MANIFEST_MAX, &text, &len);
    if (st) {
        at_free(p);
        return st;
    }
    cJSON *j = cJSON_ParseWithLength((const char *)text, len);
    at_free(text);
    cJSON *arr = j ? cJSON_GetObjectItemCaseSensitive(j, "patients") : NULL;
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(j);
        st = at_error_set(AT_ERR_FORMAT, "%s: not a prepared manifest (no \"patients\" array)", p);
        at_free(p);
        return st;
    }
    int n = cJSON_GetArraySize(arr);
    sct_patient *v = at_calloc(n ? (size_t)n : 1, sizeof *v);
    if (!v) {
        cJSON_Delete(j);
        at_free(p);
        return AT_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_GetArrayItem(arr, i);
        cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
        cJSON *sp = cJSON_GetObjectItemCaseSensitive(e, "split");
        if (!cJSON_IsString(nm) || !cJSON_IsString(sp) || strlen(nm->valuestring) >= sizeof v[i].name ||
            strchr(nm->valuestring, '/') || !strcmp(nm->valuestring, "..") ||
            (strcmp(sp->valuestring, "train") && strcmp(sp->valuestring, "val") &&
             strcmp(sp->valuestring, "test"))) {
            cJSON_Delete(j);
            at_free(v);
            st = at_error_set(AT_ERR_FORMAT, "%s: patient %d has a bad name or split", p, i);
            at_free(p);
            return st;
        }
        snprintf(v[i].name, sizeof v[i].name, "%s", nm->valuestring);
        snprintf(v[i].split, sizeof v[i].split, "%s", sp->valuestring);
    }
    cJSON_Delete(j);
    at_free(p);
    *out = v;
    *count = (size_t)n;
    return AT_OK;
}

void at_sct_train_spec_default(at_sct_train_spec *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 200;
    o->minutes = 25;
    o->base = 16;
    o->depth = 3;
    o->neighbours = 1;
    o->batch = 8;
    o->patch = 0;
    o->no_norm = 1;
    o->bf16 = -1;
    o->recalibrate = 30;
    o->lr = 2e-3f;
    o->weight_decay = 1e-2f;
    o->rotate_deg = 10;
    o->zoom = 0.1;
    o->intensity = 0.1;
    o->seed = 1;
}

typedef struct {
    at_volume *mr, *ct, *mask;
    float mr_low;
} pvol;

typedef struct {
    int p, k;
} slice_ref;

typedef struct {
    pvol *vols;
    int H, W, nb, C;
} data_ctx;

/* Bilinear value of plane k of v at (x, y) in voxels; neighbours outside
 * the plane count as bg. */
static float bilinear(const at_volume *v, int k, double x, double y, float bg)
{
    const int nx = v->grid.dim[0], ny = v->grid.dim[1];
    double fx = floor(x), fy = floor(y);
    int i0 = (int)fx, j0 = (int)fy;
    double ax = x - fx, ay = y - fy, acc = 0;
    for (int dj = 0; dj < 2; dj++)
        for (int di = 0; di < 2; di++) {
            double w = (di ? ax : 1 - ax) * (dj ? ay : 1 - ay);
            if (w == 0)
                continue;
            int i = i0 + di, j = j0 + dj;
            float val = (i >= 0 && j >= 0 && i < nx && j < ny) ? v->data[at_volume_index(v, i, j, k)] : bg;
            acc += w * val;
        }
    return (float)acc;
}

/* In-plane augmentation of one training sample: a left-right flip, then a
 * rotation by angle (rad) and a zoom by scale about the slice centre. */
typedef struct {
    int flip;
    double angle, scale;
} warp;

/* Fill one sample (C x h x w input, h x w target and mask) from the padded
 * H x W slice, window at (oy, ox) of size h x w, through the warp (MRI and
 * CT bilinear, mask bilinear >= 0.5; outside the volume: the MRI's
 * background, -1024 HU, mask 0). The identity warp copies voxels. */
static void fill_crop(const data_ctx *d, slice_ref s, warp wp, int oy, int ox, int h, int w, float *in,
                      float *tgt, float *msk)
{
    const pvol *v = &d->vols[s.p];
    const int nx = v->mr->grid.dim[0], ny = v->mr->grid.dim[1], nz = v->mr->grid.dim[2];
    const double cx = 0.5 * (nx - 1), cy = 0.5 * (ny - 1);
    const double c = cos(wp.angle) / wp.scale, sn = sin(wp.angle) / wp.scale;
    const int ident = wp.angle == 0 && wp.scale == 1;
    size_t hw = (size_t)h * w;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double X = x + ox, Y = y + oy;
            if (wp.flip)
                X = nx - 1 - X;
            double sx = X, sy = Y;
            if (!ident) {
                double u = X - cx, t = Y - cy;
                sx = cx + c * u - sn * t;
                sy = cy + sn * u + c * t;
            }
            size_t q = (size_t)y * w + x;
            for (int ch = 0; ch < d->C; ch++) {
                int k = s.k + ch - d->nb;
                k = k < 0 ? 0 : k >= nz ? nz - 1 : k;
                in[(size_t)ch * hw + q] = bilinear(v->mr, k, sx, sy, v->mr_low);
            }
            tgt[q] = (float)(bilinear(v->ct, s.k, sx, sy, -1024.0f) / AT_SCT_CT_SCALE);
            msk[q] = bilinear(v->mask, s.k, sx, sy, 0.0f) >= 0.5f ? 1.0f : 0.0f;
        }
}

static void fill_sample(const data_ctx *d, slice_ref s, int flip, float *in, float *tgt, float *msk)
{
    const pvol *v = &d->vols[s.p];
    const int nx = v->mr->grid.dim[0], ny = v->mr->grid.dim[1], nz = v->mr->grid.dim[2];
    size_t hw = (size_t)d->H * d->W;
    for (int c = 0; c < d->C; c++) {
        int k = s.k + c - d->nb;
        k = k < 0 ? 0 : k >= nz ? nz - 1 : k;
        float *o = in + (size_t)c * hw;
        for (size_t i = 0; i < hw; i++)
            o[i] = v->mr_low;
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                o[(size_t)j * d->W + (flip ? nx - 1 - i : i)] = v->mr->data[at_volume_index(v->mr, i, j, k)];
    }
    if (!tgt)
        return;
    for (size_t i = 0; i < hw; i++) {
        tgt[i] = (float)(-1024.0 / AT_SCT_CT_SCALE);
        msk[i] = 0;
    }
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            size_t q = (size_t)j * d->W + (flip ? nx - 1 - i : i);
            size_t p = at_volume_index(v->ct, i, j, s.k);
            tgt[q] = (float)(v->ct->data[p] / AT_SCT_CT_SCALE);
            msk[q] = v->mask->data[p] > 0.5f ? 1.0f : 0.0f;
        }
}

static at_status load_patient(const char *prep, const char *name, pvol *v)
{
    memset(v, 0, sizeof *v);
    char *pd = at_path_join(prep, name);
    const char *fn[3] = {"mr.nii.gz", "ct.nii.gz", "mask.nii.gz"};
    at_volume **dst[3] = {&v->mr, &v->ct, &v->mask};
    at_status st = pd ? AT_OK : AT_ERR_NOMEM;
    for (int i = 0; !st && i < 3; i++) {
        char *p = at_path_join(pd, fn[i]);
        st = p ? at_nifti_read(p, dst[i]) : AT_ERR_NOMEM;
        at_free(p);
    }
    if (!st && (!at_grid_same(&v->mr->grid, &v->ct->grid, 1e-3) ||
                !at_grid_same(&v->mr->grid, &v->mask->grid, 1e-3)))
        st = at_error_set(AT_ERR_FORMAT, "%s: mr, ct and mask are not on one grid", pd);
    if (!st) {
        float lo = v->mr->data[0];
        for (size_t i = 0; i < at_grid_voxels(&v->mr->grid); i++)
            lo = v->mr->data[i] < lo ? v->mr->data[i] : lo;
        v->mr_low = lo;
    }
    at_free(pd);
    return st;
}

static void free_pvol(pvol *v)
{
    at_volume_free(v->mr);
    at_volume_free(v->ct);
    at_volume_free(v->mask);
}

/* Masked MAE in HU of the model (eval mode) over the given slices. */
static at_status validate(at_model *m, const data_ctx *d, const slice_ref *s, size_t n, int batch, float *in,
                          float *tgt, float *msk, float *out, at_run *run, double *mae)
{
    size_t hw = (size_t)d->H * d->W;
    double sum = 0, cnt = 0;
    for (size_t b0 = 0; b0 < n; b0 += (size_t)batch) {
        at_status cs = at_run_check(run, "sct train: validation");
        if (cs)
            return cs;
        for (int b = 0; b < batch; b++) {
            size_t idx = b0 + (size_t)b < n ? b0 + (size_t)b : b0;
            fill_sample(d, s[idx], 0, in + (size_t)b * d->C * hw, tgt + (size_t)b * hw, msk + (size_t)b * hw);
        }
        at_status st = at_model_forward(m, in, out, 0);
        if (st)
            return st;
        for (int b = 0; b < batch && b0 + (size_t)b < n; b++)
            for (size_t i = 0; i < hw; i++) {
                float w = msk[(size_t)b * hw + i];
                if (w > 0) {
                    sum += fabs(out[(size_t)b * hw + i] - tgt[(size_t)b * hw + i]);
                    cnt += 1;
                }
            }
    }
    *mae = cnt > 0 ? sum / cnt * AT_SCT_CT_SCALE : 0;
    return AT_OK;
}

static at_status write_model_json(const char *dir, const at_sct_train_spec *o, const double sp[3],
                                  const double dir9[9], int bf16, int threads, int epochs, double best,
                                  double seconds)
{
    char bestbuf[32] = "null"; /* no validation patients: no validation MAE */
    if (isfinite(best))
        snprintf(bestbuf, sizeof bestbuf, "%.3f", best);
    at_buf b;
    at_buf_init(&b, 8192);
    at_status st = at_buf_printf(
        &b,
        "{\"format\": \"atelier-sct-model-1\", \"network\": \"unet-2.5d\", \"base\": %d, "
        "\"depth\": %d, \"neighbours\": %d, \"norm\": \"%s\",\n \"spacing_mm\": [%.6g, %.6g, "
        "%.6g], \"direction\": [%.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g, %.9g],\n "
        "\"mr_percentiles\": [%g, %g], \"ct_scale\": %g,\n \"epochs\": %d, "
        "\"best_val_mae_hu\": %s, \"train_seconds\": %.1f, \"threads\": %d, \"train_bf16\": %s, "
        "\"seed\": %llu}\n",
        o->base, o->depth, o->neighbours, o->no_norm ? "none" : "batch", sp[0], sp[1], sp[2], dir9[0],
        dir9[1], dir9[2], dir9[3], dir9[4], dir9[5], dir9[6], dir9[7], dir9[8], AT_SCT_MR_PLOW,
        AT_SCT_MR_PHIGH, AT_SCT_CT_SCALE, epochs, bestbuf, seconds, threads, bf16 ? "true" : "false",
        (unsigned long long)o->seed);
    char *p = at_path_join(dir, "model.json");
    if (!st)
        st = p ? at_file_write_atomic(p, b.data, b.len) : AT_ERR_NOMEM;
    at_free(p);
    at_buf_free(&b);
    return st;
}

/* The batch source of sct training (at_train_source). */
typedef struct {
    const at_sct_train_spec *o;
    data_ctx d;
    slice_ref *tr, *va; /* training and validation slices */
    size_t ntr, nva;
    int ph, pw;                  /* training window (whole padded slices or crops) */
    at_rng rng;                  /* shuffles, augmentation and recalibration draws, in order */
    at_model *vm;                /* whole-slice f32 copy of the network: validation, the kept weights */
    float *in, *tgt, *msk, *out; /* whole-slice batch buffers (training thread) */
} sct_source;

static at_status source_epoch_begin(void *ud, int64_t epoch)
{
    (void)epoch;
    sct_source *s = ud;
    for (size_t i = s->ntr - 1; i > 0; i--) { /* shuffle */
        size_t j = (size_t)(at_rng_uniform(&s->rng) * (double)(i + 1));
        j = j > i ? i : j;
        slice_ref t = s->tr[i];
        s->tr[i] = s->tr[j];
        s->tr[j] = t;
    }
    return AT_OK;
}

/* The random draws of one training sample, in the order they are made. */
typedef struct {
    warp wp;
    int oy, ox;
    float gain, shift;
} sample_draw;

static sample_draw draw_sample(at_rng *rng, const at_sct_train_spec *o, const data_ctx *d, int ph, int pw)
{
    sample_draw s;
    s.wp = (warp){at_rng_uniform(rng) < 0.5, 0.0, 1.0};
    double ang = (2 * at_rng_uniform(rng) - 1) * o->rotate_deg * M_PI / 180.0;
    double zoom = 1.0 + (2 * at_rng_uniform(rng) - 1) * o->zoom;
    if (o->rotate_deg > 0)
        s.wp.angle = ang;
    if (o->zoom > 0)
        s.wp.scale = zoom;
    s.oy = (int)(at_rng_uniform(rng) * (d->H - ph + 1));
    s.ox = (int)(at_rng_uniform(rng) * (d->W - pw + 1));
    s.oy = s.oy > d->H - ph ? d->H - ph : s.oy;
    s.ox = s.ox > d->W - pw ? d->W - pw : s.ox;
    s.gain = (float)(1.0 + o->intensity * at_rng_normal(rng));
    s.shift = (float)(o->intensity * at_rng_normal(rng));
    s.gain = s.gain < 0.5f ? 0.5f : s.gain > 1.5f ? 1.5f : s.gain;
    return s;
}

/* The training slice a recalibration draw picks. */
static size_t draw_recalibration(at_rng *rng, size_t ntr)
{
    size_t idx = (size_t)(at_rng_uniform(rng) * (double)ntr);
    return idx >= ntr ? ntr - 1 : idx;
}

/* 1 when validation refreshes batch-norm statistics (and draws slices). */
static int recalibrates(const sct_source *s)
{
    return (s->ph != s->d.H || s->pw != s->d.W) && !s->o->no_norm;
}

/* Batch b of the epoch: slices b*batch.. of the shuffled order, each
 * warped (flip, rotation, zoom), cropped at random when training on
 * patches, and its MRI given a random gain and shift. */
static at_status source_fill(void *ud, int64_t epoch, int64_t b, float *in, float *tgt, float *msk)
{
    (void)epoch;
    sct_source *s = ud;
    const at_sct_train_spec *o = s->o;
    const data_ctx *d = &s->d;
    int ph = s->ph, pw = s->pw;
    size_t phw = (size_t)ph * pw, b0 = (size_t)b * (size_t)o->batch;
    for (int k = 0; k < o->batch; k++) {
        sample_draw dr = draw_sample(&s->rng, o, d, ph, pw);
        /* fewer slices than a batch: the order wraps */
        fill_crop(d, s->tr[(b0 + (size_t)k) % s->ntr], dr.wp, dr.oy, dr.ox, ph, pw,
                  in + (size_t)k * d->C * phw, tgt + (size_t)k * phw, msk + (size_t)k * phw);
        for (size_t q = 0; q < (size_t)d->C * phw; q++)
            in[(size_t)k * d->C * phw + q] = in[(size_t)k * d->C * phw + q] * dr.gain + dr.shift;
    }
    return AT_OK;
}

/* The weights into the whole-slice model; its batch-norm running
 * statistics refreshed on whole training slices (crops see less air);
 * then the masked MAE in HU on the validation slices (NaN without). */
static at_status source_validate(void *ud, at_model *m, at_run *run, double *score, at_model **kept)
{
    sct_source *s = ud;
    const at_sct_train_spec *o = s->o;
    const data_ctx *d = &s->d;
    size_t hw = (size_t)d->H * d->W;
    at_status st = at_model_copy_params(s->vm, m);
    for (int r = 0; !st && recalibrates(s) && r < o->recalibrate; r++) {
        if ((st = at_run_check(run, "sct train: recalibration")) != AT_OK)
            break;
        for (int b = 0; b < o->batch; b++) {
            size_t idx = draw_recalibration(&s->rng, s->ntr);
            fill_sample(d, s->tr[idx], 0, s->in + (size_t)b * d->C * hw, s->tgt + (size_t)b * hw,
                        s->msk + (size_t)b * hw);
        }
        st = at_model_forward(s->vm, s->in, NULL, 1);
    }
    *score = NAN;
    if (!st && s->nva)
        st = validate(s->vm, d, s->va, s->nva, o->batch, s->in, s->tgt, s->msk, s->out, run, score);
    *kept = s->vm;
    return st;
}

static void source_state_get(void *ud, uint64_t *w)
{
    memcpy(w, ((sct_source *)ud)->rng.s, sizeof((sct_source *)ud)->rng.s);
}

/* The source after `epochs` epochs: the slice order is shuffled in place
 * every epoch, so the random stream is replayed from the seed (each
 * epoch's shuffle, its samples' draws, its recalibration draws), which
 * must land on the saved words. */
static at_status source_state_set(void *ud, int64_t epochs, const uint64_t *w)
{
    sct_source *s = ud;
    const at_sct_train_spec *o = s->o;
    at_rng_seed(&s->rng, o->seed ^ 0x5c7ull);
    int64_t batches = (int64_t)(s->ntr / (size_t)o->batch);
    batches = batches < 1 ? 1 : batches;
    for (int64_t e = 0; e < epochs; e++) {
        source_epoch_begin(s, e);
        for (int64_t k = 0; k < batches * o->batch; k++)
            (void)draw_sample(&s->rng, o, &s->d, s->ph, s->pw);
        for (int64_t k = 0; recalibrates(s) && k < (int64_t)o->recalibrate * o->batch; k++)
            (void)draw_recalibration(&s->rng, s->ntr);
    }
    if (memcmp(s->rng.s, w, sizeof s->rng.s))
        return at_error_set(AT_ERR_ARG, "the checkpoint's random state does not follow from this "
                                        "prepared folder and these options (seed, batch, patch, "
                                        "augmentation); resume with the options of the run");
    return AT_OK;
}

/* Load the training and validation patients of prep_dir into s (slices
 * padded to one size, a multiple of 2^depth), with the grid of the
 * first for the model description. */
static at_status load_slices(const char *prep_dir, const sct_patient *pts, size_t np, sct_source *s,
                             pvol *vols, double spacing[3], double direction[9])
{
    const at_sct_train_spec *o = s->o;
    data_ctx *d = &s->d;
    at_status st = AT_OK;
    int mult = 1 << o->depth;
    for (size_t i = 0; !st && i < np; i++) {
        if (!strcmp(pts[i].split, "test"))
            continue;
        st = load_patient(prep_dir, pts[i].name, &vols[i]);
        if (st)
            break;
        const at_grid *g = &vols[i].mr->grid;
        int H = (g->dim[1] + mult - 1) / mult * mult, W = (g->dim[0] + mult - 1) / mult * mult;
        d->H = H > d->H ? H : d->H;
        d->W = W > d->W ? W : d->W;
        if (!spacing[0]) {
            memcpy(spacing, g->spacing, 3 * sizeof *spacing);
            memcpy(direction, g->direction, 9 * sizeof *direction);
        } else {
            for (int a = 0; a < 3; a++)
                if (fabs(spacing[a] - g->spacing[a]) > 1e-3)
                    st = at_error_set(AT_ERR_FORMAT, "%s: patients have different voxel spacings", prep_dir);
            /* slices are taken along the third axis: one set of axes */
            for (int a = 0; !st && a < 9; a++)
                if (fabs(direction[a] - g->direction[a]) > 1e-2)
                    st = at_error_set(AT_ERR_FORMAT,
                                      "%s: %s: its grid axes differ from the first "
                                      "patient's (prepare resamples onto each CT's grid; the CTs "
                                      "must share one orientation)",
                                      prep_dir, pts[i].name);
        }
    }
    if (st)
        return st;
    size_t cap = 0;
    for (size_t i = 0; i < np; i++)
        if (vols[i].mr)
            cap += (size_t)vols[i].mr->grid.dim[2];
    s->tr = at_malloc((cap ? cap : 1) * sizeof *s->tr);
    s->va = at_malloc((cap ? cap : 1) * sizeof *s->va);
    if (!s->tr || !s->va)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < np; i++) {
        if (!vols[i].mr)
            continue;
        const at_volume *mk = vols[i].mask;
        size_t plane = (size_t)mk->grid.dim[0] * mk->grid.dim[1];
        for (int k = 0; k < mk->grid.dim[2]; k++) {
            size_t c = 0;
            for (size_t q = 0; q < plane; q++)
                c += mk->data[(size_t)k * plane + q] > 0.5f;
            if (c < 16)
                continue;
            if (!strcmp(pts[i].split, "train"))
                s->tr[s->ntr++] = (slice_ref){(int)i, k};
            else
                s->va[s->nva++] = (slice_ref){(int)i, k};
        }
    }
    if (s->ntr == 0)
        return at_error_set(AT_ERR_ARG, "%s: no training slice with body voxels", prep_dir);
    return AT_OK;
}

/* The U-Net configuration of a training run. */
static void train_config(const at_sct_train_spec *o, at_unet_config *cfg)
{
    at_unet_config_default(cfg);
    cfg->mode = AT_MODE_25D;
    cfg->neighbours = o->neighbours;
    cfg->out_channels = 1;
    cfg->base = o->base;
    cfg->depth = o->depth;
    cfg->loss = AT_LOSS_L1;
    cfg->norm = o->no_norm ? AT_NORM_NONE : AT_NORM_BATCH;
    cfg->lr = o->lr;
    cfg->weight_decay = o->weight_decay;
    cfg->min_lr = o->lr * 0.02f;
    cfg->schedule = AT_SCHED_COSINE;
    cfg->warmup_steps = 30;
    cfg->batch = o->batch;
    cfg->epochs = o->epochs;
    cfg->seed = o->seed;
}

/* Copy src's file name into dst's folder (resuming a finished model). */
static at_status copy_file(const char *src_dir, const char *dst_dir, const char *name)
{
    char *a = at_path_join(src_dir, name), *b = at_path_join(dst_dir, name);
    unsigned char *data = NULL;
    size_t len = 0;
    at_status st = a && b ? at_file_read(a, (size_t)1 << 33, &data, &len) : AT_ERR_NOMEM;
    if (!st)
        st = at_file_write_atomic(b, data, len);
    at_free(data);
    at_free(a);
    at_free(b);
    return st;
}

/* The working folder of a run: a fresh OUT.partial-PID, or, resuming,
 * OUT.resume (a cancelled run) claimed by renaming it (*resumed 1), or a
 * copy of OUT's training files (a finished run given more epochs;
 * *resumed 2). */
static at_status open_work(const at_sct_train_spec *spec, const char *outp, sct_out *work, char **resume_dir,
                           int *resumed)
{
    *resumed = 0;
    size_t n = strlen(outp);
    while (n > 1 && outp[n - 1] == '/')
        n--;
    *resume_dir = at_malloc(n + 8);
    if (!*resume_dir)
        return AT_ERR_NOMEM;
    snprintf(*resume_dir, n + 8, "%.*s.resume", (int)n, outp);
    int have_out = sct_exists(outp), have_resume = sct_exists(*resume_dir);
    if (!spec->resume && !spec->force && have_resume)
        return at_error_set(AT_ERR_REFUSED,
                            "%s holds a cancelled run of %s; nothing was written "
                            "(resume continues it, force starts afresh)",
                            *resume_dir, spec->out);
    at_status st = sct_out_begin(work, outp, spec->force || spec->resume, !spec->resume);
    if (st || !spec->resume) {
        if (!st && have_resume)
            st = at_remove_tree(*resume_dir); /* force: a fresh run */
        return st;
    }
    if (have_resume) {
        if (rename(*resume_dir, work->partial) != 0)
            return at_error_set(AT_ERR_IO, "%s: cannot take it over: %s", *resume_dir, strerror(errno));
        at_walk_remove_debris(work->partial, ".tmp.", NULL); /* a killed run's half-written files */
    } else if (have_out) {
        st = at_mkdir_p(work->partial, 0755);
        static const char *const files[3] = {"checkpoint.safetensors", "model.safetensors", "curves.jsonl"};
        for (int i = 0; !st && i < 3; i++)
            st = copy_file(outp, work->partial, files[i]);
        if (st)
            return at_error_prefix(st, "%s: cannot resume it", spec->out);
        *resumed = 2;
        return AT_OK;
    } else {
        return at_error_set(AT_ERR_ARG, "%s: nothing to resume (neither %s.resume nor a trained %s)",
                            spec->out, spec->out, spec->out);
    }
    *resumed = 1;
    return AT_OK;
}

at_status at_sct_train_run(const at_sct_train_spec *o, at_run *run, at_sct_train_result *res)
{
    at_sct_train_result rr;
    memset(&rr, 0, sizeof rr);
    rr.train.checkpoint_step = -1;
    rr.train.train_loss = rr.train.last_val = rr.train.best_val = NAN;
    if (res)
        *res = rr;
    if (!run)
        run = at_run_default();
    if (!o->prepared || !o->out)
        return at_error_set(AT_ERR_ARG, "sct train: a prepared folder and an output folder are needed");
    if (o->base < 4 || o->base > 128 || o->depth < 1 || o->depth > 6 || o->neighbours < 0 ||
        o->neighbours > 4 || o->batch < 1 || o->batch > 256 || !(o->lr > 0) || o->epochs < 1 ||
        !(o->minutes > 0) || !(o->weight_decay >= 0 && o->weight_decay <= 1) ||
        !(o->rotate_deg >= 0 && o->rotate_deg <= 45) || !(o->zoom >= 0 && o->zoom <= 0.5) ||
        !(o->intensity >= 0 && o->intensity <= 0.5))
        return at_error_set(AT_ERR_ARG, "training options out of range");
    char *prep_dir = NULL, *outp = NULL, *resume_dir = NULL;
    at_status st = at_run_path(run, o->prepared, 0, &prep_dir);
    if (!st)
        st = at_run_path(run, o->out, 1, &outp);
    sct_patient *pts = NULL;
    size_t np = 0;
    if (!st)
        st = sct_manifest_load(prep_dir, &pts, &np);
    pvol *vols = st ? NULL : at_calloc(np ? np : 1, sizeof *vols);
    if (!st && !vols)
        st = AT_ERR_NOMEM;
    sct_source s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.d = (data_ctx){vols, 0, 0, o->neighbours, 2 * o->neighbours + 1};
    double spacing[3] = {0, 0, 0}, direction[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    if (!st)
        st = load_slices(prep_dir, pts, np, &s, vols, spacing, direction);
    at_unet_config cfg;
    train_config(o, &cfg);
    int mult = 1 << o->depth;
    s.ph = s.d.H;
    s.pw = s.d.W;
    if (!st && o->patch > 0) {
        int p = o->patch / mult * mult;
        if (p < mult)
            p = mult;
        s.ph = p < s.d.H ? p : s.d.H;
        s.pw = p < s.d.W ? p : s.d.W;
    }
    if (!st) {
        int64_t full[2] = {s.d.H, s.d.W};
        at_unet_config vcfg = cfg; /* validation in f32, as predict runs */
        cfg.bf16 = o->bf16 < 0 ? at_learn_have_bf16() : o->bf16 != 0;
        st = at_model_create(&vcfg, o->batch, full, o->seed, &s.vm);
    }
    size_t hw = (size_t)s.d.H * s.d.W;
    if (!st) {
        s.in = at_malloc((size_t)o->batch * s.d.C * hw * sizeof *s.in);
        s.tgt = at_malloc((size_t)o->batch * hw * sizeof *s.tgt);
        s.msk = at_malloc((size_t)o->batch * hw * sizeof *s.msk);
        s.out = at_malloc((size_t)o->batch * hw * sizeof *s.out);
        if (!s.in || !s.tgt || !s.msk || !s.out)
            st = AT_ERR_NOMEM;
    }
    sct_out work = {0};
    int resumed = 0;
    if (!st)
        st = open_work(o, outp, &work, &resume_dir, &resumed);
    int claimed = !st; /* the working folder is ours: keep or remove it at the end */
    char *wpath = NULL, *cpath = NULL, *kpath = NULL;
    if (!st) {
        wpath = at_path_join(work.partial, "model.safetensors");
        cpath = at_path_join(work.partial, "curves.jsonl");
        kpath = at_path_join(work.partial, "checkpoint.safetensors");
        if (!wpath || !cpath || !kpath)
            st = AT_ERR_NOMEM;
    }
    at_rng_seed(&s.rng, o->seed ^ 0x5c7ull);
    if (!st) {
        at_train_source src = {.batches = (int64_t)(s.ntr / (size_t)o->batch),
                               .epoch_begin = source_epoch_begin,
                               .fill = source_fill,
                               .validate = source_validate,
                               .state_words = 4,
                               .state_get = source_state_get,
                               .state_set = source_state_set,
                               .ud = &s};
        at_train_options to = {.checkpoint_path = kpath,
                               .resume_path = resumed ? kpath : NULL,
                               .best_path = wpath,
                               .log_path = cpath,
                               .train_key = "train_l1_hu",
                               .val_key = "val_mae_hu",
                               .loss_scale = AT_SCT_CT_SCALE,
                               .minutes = o->minutes,
                               .window = {s.ph, s.pw}};
        st = at_train_loop(&cfg, &src, &to, run, &rr.train);
    }
    if (!st)
        st = write_model_json(work.partial, o, spacing, direction, cfg.bf16, at_run_threads(run),
                              (int)rr.train.epochs, isnan(rr.train.best_val) ? INFINITY : rr.train.best_val,
                              rr.train.seconds);
    if (!st)
        st = sct_out_commit(&work);
    if (st && claimed) {
        /* a run with an epoch's checkpoint is kept to resume; otherwise nothing is left */
        if (rr.train.checkpoint_step > 0 && (st == AT_ERR_CANCELLED || resumed == 1) &&
            rename(work.partial, resume_dir) == 0)
            rr.kept = 1;
        else
            sct_out_abort(&work);
    }
    if (res)
        *res = rr;
    sct_out_free(&work);
    at_free(wpath);
    at_free(cpath);
    at_free(kpath);
    at_free(resume_dir);
    at_free(prep_dir);
    at_free(outp);
    at_free(s.in);
    at_free(s.tgt);
    at_free(s.msk);
    at_free(s.out);
    at_model_free(s.vm);
    for (size_t i = 0; vols && i < np; i++)
        free_pvol(&vols[i]);
    at_free(vols);
    at_free(s.tr);
    at_free(s.va);
    at_free(pts);
    return st;
}
