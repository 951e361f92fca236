/* sct train: the learning engine's 2.5D U-Net on prepared pairs, masked
 * L1 on HU/1000, AdamW with a cosine schedule, the best validation MAE
 * kept, curves logged as JSON lines. */
#include "atelier/learn.h"
#include "../learn/unet.h" /* lt_model_mark_dirty: the engine's weight caches */
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

void at_sct_train_options_default(at_sct_train_options *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 200;
    o->minutes = 25;
    o->threads = 2;
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
static void fill_crop(const data_ctx *d, slice_ref s, warp wp, int oy, int ox, int h, int w,
                      float *in, float *tgt, float *msk)
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
static at_status validate(at_model *m, const data_ctx *d, const slice_ref *s, size_t n, int batch,
                          float *in, float *tgt, float *msk, float *out, double *mae)
{
    size_t hw = (size_t)d->H * d->W;
    double sum = 0, cnt = 0;
    for (size_t b0 = 0; b0 < n; b0 += (size_t)batch) {
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

/* Copy every parameter and buffer of src into dst (same architecture) and
 * mark dst's reordered and fused weight caches stale, so that its next
 * forward pass uses the copied weights. */
static at_status copy_params(at_model *dst, const at_model *src)
{
    size_t n = at_model_param_count(src);
    if (n != at_model_param_count(dst))
        return at_error_set(AT_ERR_ARG, "models differ");
    for (size_t i = 0; i < n; i++) {
        at_param a, b;
        at_status st = at_model_param(src, i, &a);
        if (!st)
            st = at_model_param(dst, i, &b);
        if (st)
            return st;
        if (a.count != b.count)
            return at_error_set(AT_ERR_ARG, "parameter %s differs in size", a.name);
        memcpy(b.data, a.data, a.count * sizeof *a.data);
    }
    at_model_set_batches_tracked(dst, at_model_batches_tracked(src));
    lt_model_mark_dirty(dst);
    return AT_OK;
}

static at_status write_model_json(const char *dir, const at_sct_train_options *o, const double sp[3],
                                  const double dir9[9], int bf16, int epochs, double best,
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
        o->base, o->depth, o->neighbours, o->no_norm ? "none" : "batch", sp[0], sp[1], sp[2],
        dir9[0], dir9[1], dir9[2], dir9[3], dir9[4], dir9[5], dir9[6], dir9[7], dir9[8],
        AT_SCT_MR_PLOW, AT_SCT_MR_PHIGH, AT_SCT_CT_SCALE, epochs, bestbuf, seconds, o->threads,
        bf16 ? "true" : "false",
        (unsigned long long)o->seed);
    char *p = at_path_join(dir, "model.json");
    if (!st)
        st = p ? at_file_write_atomic(p, b.data, b.len) : AT_ERR_NOMEM;
    at_free(p);
    at_buf_free(&b);
    return st;
}

at_status at_sct_train(const char *prep_dir, const char *model_dir, const at_sct_train_options *o)
{
    struct stat sb;
    if (!stat(model_dir, &sb))
        return at_error_set(AT_ERR_ARG, "%s: already exists; train writes a new folder", model_dir);
    if (o->base < 4 || o->base > 128 || o->depth < 1 || o->depth > 6 || o->neighbours < 0 ||
        o->neighbours > 4 || o->batch < 1 || o->batch > 256 || !(o->lr > 0) || o->epochs < 1 ||
        !(o->weight_decay >= 0 && o->weight_decay <= 1) || !(o->rotate_deg >= 0 && o->rotate_deg <= 45) ||
        !(o->zoom >= 0 && o->zoom <= 0.5) || !(o->intensity >= 0 && o->intensity <= 0.5))
        return at_error_set(AT_ERR_ARG, "training options out of range");
    sct_patient *pts;
    size_t np;
    at_status st = sct_manifest_load(prep_dir, &pts, &np);
    if (st)
        return st;
    pvol *vols = at_calloc(np ? np : 1, sizeof *vols);
    slice_ref *tr = NULL, *va = NULL;
    size_t ntr = 0, nva = 0;
    data_ctx d = {vols, 0, 0, o->neighbours, 2 * o->neighbours + 1};
    at_model *m = NULL, *vm = NULL;
    at_adamw *opt = NULL;
    float *in = NULL, *tgt = NULL, *msk = NULL, *out = NULL;
    char *tmp = sct_partial_name(model_dir), *wpath = NULL, *cpath = NULL;
    at_buf curves;
    at_buf_init(&curves, 16u << 20);
    double spacing[3] = {0, 0, 0}, direction[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    if (!vols || !tmp)
        st = AT_ERR_NOMEM;
    /* load train and validation patients; pad to one slice size */
    int mult = 1 << o->depth;
    for (size_t i = 0; !st && i < np; i++) {
        if (!strcmp(pts[i].split, "test"))
            continue;
        st = load_patient(prep_dir, pts[i].name, &vols[i]);
        if (st)
            break;
        const at_grid *g = &vols[i].mr->grid;
        int H = (g->dim[1] + mult - 1) / mult * mult, W = (g->dim[0] + mult - 1) / mult * mult;
        d.H = H > d.H ? H : d.H;
        d.W = W > d.W ? W : d.W;
        if (!spacing[0]) {
            memcpy(spacing, g->spacing, sizeof spacing);
            memcpy(direction, g->direction, sizeof direction);
        } else {
            for (int a = 0; a < 3; a++)
                if (fabs(spacing[a] - g->spacing[a]) > 1e-3)
                    st = at_error_set(AT_ERR_FORMAT, "%s: patients have different voxel spacings",
                                      prep_dir);
            /* slices are taken along the third axis: one set of axes */
            for (int a = 0; !st && a < 9; a++)
                if (fabs(direction[a] - g->direction[a]) > 1e-2)
                    st = at_error_set(AT_ERR_FORMAT, "%s: %s: its grid axes differ from the first "
                                      "patient's (prepare resamples onto each CT's grid; the CTs "
                                      "must share one orientation)", prep_dir, pts[i].name);
        }
    }
    if (!st) {
        size_t cap = 0;
        for (size_t i = 0; i < np; i++)
            if (vols[i].mr)
                cap += (size_t)vols[i].mr->grid.dim[2];
        tr = at_malloc((cap ? cap : 1) * sizeof *tr);
        va = at_malloc((cap ? cap : 1) * sizeof *va);
        if (!tr || !va)
            st = AT_ERR_NOMEM;
        for (size_t i = 0; !st && i < np; i++) {
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
                    tr[ntr++] = (slice_ref){(int)i, k};
                else
                    va[nva++] = (slice_ref){(int)i, k};
            }
        }
        if (!st && ntr == 0)
            st = at_error_set(AT_ERR_ARG, "%s: no training slice with body voxels", prep_dir);
    }
    at_unet_config cfg;
    at_unet_config_default(&cfg);
    cfg.mode = AT_MODE_25D;
    cfg.neighbours = o->neighbours;
    cfg.out_channels = 1;
    cfg.base = o->base;
    cfg.depth = o->depth;
    cfg.loss = AT_LOSS_L1;
    cfg.norm = o->no_norm ? AT_NORM_NONE : AT_NORM_BATCH;
    cfg.lr = o->lr;
    cfg.weight_decay = o->weight_decay;
    cfg.min_lr = o->lr * 0.02f;
    cfg.schedule = AT_SCHED_COSINE;
    cfg.warmup_steps = 30;
    cfg.batch = o->batch;
    cfg.threads = o->threads;
    cfg.seed = o->seed;
    int ph = d.H, pw = d.W;
    if (!st && o->patch > 0) {
        int p = o->patch / mult * mult;
        if (p < mult)
            p = mult;
        ph = p < d.H ? p : d.H;
        pw = p < d.W ? p : d.W;
    }
    if (!st) {
        at_learn_set_threads(o->threads);
        int64_t sp2[2] = {ph, pw}, full[2] = {d.H, d.W};
        at_unet_config vcfg = cfg; /* validation in f32, as predict runs */
        cfg.bf16 = o->bf16 < 0 ? at_learn_have_bf16() : o->bf16 != 0;
        st = at_model_create(&cfg, o->batch, sp2, o->seed, &m);
        if (!st)
            st = at_model_create(&vcfg, o->batch, full, o->seed, &vm);
    }
    if (!st)
        st = at_adamw_create(m, cfg.beta1, cfg.beta2, cfg.adam_eps, cfg.weight_decay, &opt);
    size_t hw = (size_t)d.H * d.W;
    if (!st) {
        in = at_malloc((size_t)o->batch * d.C * hw * sizeof *in);
        tgt = at_malloc((size_t)o->batch * hw * sizeof *tgt);
        msk = at_malloc((size_t)o->batch * hw * sizeof *msk);
        out = at_malloc((size_t)o->batch * hw * sizeof *out);
        if (!in || !tgt || !msk || !out)
            st = AT_ERR_NOMEM;
    }
    if (!st) {
        sct_remove_tree(tmp);
        st = at_mkdir_p(tmp, 0755);
        wpath = at_path_join(tmp, "model.safetensors");
        cpath = at_path_join(tmp, "curves.jsonl");
        if (!st && (!wpath || !cpath))
            st = AT_ERR_NOMEM;
    }
    at_rng rng;
    at_rng_seed(&rng, o->seed ^ 0x5c7ull);
    double start = at_now_seconds(), best = INFINITY;
    int64_t step = 0, total_steps = (int64_t)o->epochs * (int64_t)((ntr + o->batch - 1) / o->batch);
    int epochs_done = 0, planned = o->epochs;
    for (int ep = 0; !st && ep < planned; ep++) {
        for (size_t i = ntr - 1; i > 0; i--) { /* shuffle */
            size_t j = (size_t)(at_rng_uniform(&rng) * (double)(i + 1));
            j = j > i ? i : j;
            slice_ref t = tr[i];
            tr[i] = tr[j];
            tr[j] = t;
        }
        double loss_sum = 0;
        size_t nsteps = 0;
        for (size_t b0 = 0; !st && b0 + (size_t)o->batch <= ntr; b0 += (size_t)o->batch) {
            size_t phw = (size_t)ph * pw;
            for (int b = 0; b < o->batch; b++) {
                warp wp = {at_rng_uniform(&rng) < 0.5, 0.0, 1.0};
                double ang = (2 * at_rng_uniform(&rng) - 1) * o->rotate_deg * M_PI / 180.0;
                double zoom = 1.0 + (2 * at_rng_uniform(&rng) - 1) * o->zoom;
                if (o->rotate_deg > 0)
                    wp.angle = ang;
                if (o->zoom > 0)
                    wp.scale = zoom;
                int oy = (int)(at_rng_uniform(&rng) * (d.H - ph + 1));
                int ox = (int)(at_rng_uniform(&rng) * (d.W - pw + 1));
                oy = oy > d.H - ph ? d.H - ph : oy;
                ox = ox > d.W - pw ? d.W - pw : ox;
                fill_crop(&d, tr[b0 + (size_t)b], wp, oy, ox, ph, pw, in + (size_t)b * d.C * phw,
                          tgt + (size_t)b * phw, msk + (size_t)b * phw);
                float gain = (float)(1.0 + o->intensity * at_rng_normal(&rng));
                float shift = (float)(o->intensity * at_rng_normal(&rng));
                gain = gain < 0.5f ? 0.5f : gain > 1.5f ? 1.5f : gain;
                for (size_t q = 0; q < (size_t)d.C * phw; q++)
                    in[(size_t)b * d.C * phw + q] = in[(size_t)b * d.C * phw + q] * gain + shift;
            }
            float loss = 0;
            at_model_zero_grad(m);
            st = at_model_forward(m, in, NULL, 1);
            if (!st)
                st = at_model_backward(m, tgt, msk, AT_LOSS_L1, 1.0f, &loss);
            if (!st)
                at_adamw_step(opt, at_lr_at(&cfg, step, total_steps));
            step++;
            loss_sum += loss;
            nsteps++;
        }
        if (st)
            break;
        double val = loss_sum / (nsteps ? (double)nsteps : 1.0) * AT_SCT_CT_SCALE;
        double train_l1 = val;
        /* the weights into the whole-slice model; its batch-norm running
         * statistics refreshed on whole training slices (crops see less air) */
        st = copy_params(vm, m);
        int crops = ph != d.H || pw != d.W;
        for (int r = 0; !st && crops && !o->no_norm && r < o->recalibrate; r++) {
            for (int b = 0; b < o->batch; b++) {
                size_t idx = (size_t)(at_rng_uniform(&rng) * (double)ntr);
                idx = idx >= ntr ? ntr - 1 : idx;
                fill_sample(&d, tr[idx], 0, in + (size_t)b * d.C * hw, tgt + (size_t)b * hw,
                            msk + (size_t)b * hw);
            }
            st = at_model_forward(vm, in, NULL, 1);
        }
        if (!st && nva)
            st = validate(vm, &d, va, nva, o->batch, in, tgt, msk, out, &val);
        if (st)
            break;
        epochs_done = ep + 1;
        double now = at_now_seconds();
        /* fit the schedule to the time budget, from the mean epoch so far
         * (a neighbour's load during one epoch must not set the whole
         * run): shrink whenever the budget needs it, grow only in the
         * first half, so the learning rate never climbs back late */
        {
            double mean = (now - start) / (ep + 1);
            int fit = ep + 1 + (int)((o->minutes * 60.0 - (now - start)) / (mean * 1.03));
            fit = fit < ep + 1 ? ep + 1 : fit > o->epochs ? o->epochs : fit;
            if (fit < planned || (ep == 0 || 2 * (ep + 1) < planned))
                planned = fit;
            total_steps = (int64_t)planned * (int64_t)(ntr / (size_t)o->batch);
        }
        /* without validation patients the last epoch is kept and no
         * validation MAE is claimed */
        char vbuf[32] = "null";
        if (nva)
            snprintf(vbuf, sizeof vbuf, "%.3f", val);
        st = at_buf_printf(&curves,
                           "{\"epoch\": %d, \"train_l1_hu\": %.3f, \"val_mae_hu\": %s, "
                           "\"lr\": %.6g, \"seconds\": %.1f}\n",
                           ep + 1, train_l1, vbuf, (double)at_lr_at(&cfg, step, total_steps), now - start);
        if (!st && (val < best || !nva)) {
            best = nva ? val : INFINITY;
            st = at_checkpoint_save(wpath, vm, NULL, NULL);
        }
        if (!st)
            st = at_file_write_atomic(cpath, curves.data, curves.len);
        if (o->epoch_note)
            o->epoch_note(o->epoch_ud, ep + 1, train_l1, nva ? val : NAN, now - start);
        if (o->progress)
            o->progress(o->progress_ud, (uint64_t)ep + 1, (uint64_t)planned, "epochs");
        if (now - start > o->minutes * 60.0)
            break;
    }
    if (!st)
        st = write_model_json(tmp, o, spacing, direction, cfg.bf16, epochs_done, best, at_now_seconds() - start);
    if (!st && rename(tmp, model_dir) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot move the model into place: %s", model_dir,
                          strerror(errno));
    if (st && tmp)
        sct_remove_tree(tmp);
    at_buf_free(&curves);
    at_free(wpath);
    at_free(cpath);
    at_free(tmp);
    at_free(in);
    at_free(tgt);
    at_free(msk);
    at_free(out);
    at_adamw_free(opt);
    at_model_free(m);
    at_model_free(vm);
    for (size_t i = 0; i < np; i++)
        free_pvol(&vols[i]);
    at_free(vols);
    at_free(tr);
    at_free(va);
    at_free(pts);
    return st;
}
