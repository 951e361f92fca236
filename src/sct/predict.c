/* sct predict: a trained 2.5D U-Net turns an MRI into a pseudo-CT, on
 * the model's voxel spacing and back onto the MRI's own grid, and the
 * result is written as a DICOM CT series in the MRI's frame of reference. */
#include "atelier/learn.h"
#include "sct_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct at_sct_model {
    at_unet_config cfg;
    double spacing[3];
    double direction[9]; /* of the training grid (identity: axial LPS) */
    int flip_average;    /* average with the left-right mirrored pass */
    char *weights;
    char digest[65]; /* UID-style digest of the weights file */
    at_model *net;   /* built for the last slice size */
    int64_t H, W;
    int batch;
};

void at_sct_model_free(at_sct_model *m)
{
    if (!m)
        return;
    at_model_free(m->net);
    at_free(m->weights);
    at_free(m);
}

static int json_int(cJSON *j, const char *key, int lo, int hi, int *out)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
        return 0;
    *out = (int)v->valuedouble;
    return 1;
}

at_status at_sct_model_load(const char *model_dir, at_sct_model **out)
{
    *out = NULL;
    char *jp = at_path_join(model_dir, "model.json");
    unsigned char *text = NULL;
    size_t len = 0;
    at_status st = jp ? at_file_read(jp, 1u << 20, &text, &len) : AT_ERR_NOMEM;
    if (st) {
        at_free(jp);
        return st;
    }
    cJSON *j = cJSON_ParseWithLength((const char *)text, len);
    at_free(text);
    at_sct_model *m = at_calloc(1, sizeof *m);
    if (!m) {
        cJSON_Delete(j);
        at_free(jp);
        return AT_ERR_NOMEM;
    }
    at_unet_config_default(&m->cfg);
    m->cfg.mode = AT_MODE_25D;
    m->cfg.out_channels = 1;
    cJSON *fmt = j ? cJSON_GetObjectItemCaseSensitive(j, "format") : NULL;
    cJSON *sp = j ? cJSON_GetObjectItemCaseSensitive(j, "spacing_mm") : NULL;
    int ok = cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "atelier-sct-model-1") &&
             json_int(j, "base", 4, 128, &m->cfg.base) && json_int(j, "depth", 1, 6, &m->cfg.depth) &&
             json_int(j, "neighbours", 0, 4, &m->cfg.neighbours) && cJSON_IsArray(sp) &&
             cJSON_GetArraySize(sp) == 3;
    for (int a = 0; ok && a < 3; a++) {
        cJSON *x = cJSON_GetArrayItem(sp, a);
        ok = cJSON_IsNumber(x) && x->valuedouble > 0.05 && x->valuedouble < 50;
        if (ok)
            m->spacing[a] = x->valuedouble;
    }
    /* the training grid's axes (absent from models before 2026-12: axial) */
    static const double ident[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    memcpy(m->direction, ident, sizeof ident);
    cJSON *dir = j ? cJSON_GetObjectItemCaseSensitive(j, "direction") : NULL;
    if (ok && dir) {
        ok = cJSON_IsArray(dir) && cJSON_GetArraySize(dir) == 9;
        for (int a = 0; ok && a < 9; a++) {
            cJSON *x = cJSON_GetArrayItem(dir, a);
            ok = cJSON_IsNumber(x) && fabs(x->valuedouble) <= 1.0 + 1e-6;
            if (ok)
                m->direction[a] = x->valuedouble;
        }
        if (ok) {
            at_grid g;
            at_grid_init(&g, 1, 1, 1, 1, 1, 1);
            memcpy(g.direction, m->direction, sizeof g.direction);
            ok = at_grid_validate(&g) == AT_OK;
        }
    }
    cJSON *nm = j ? cJSON_GetObjectItemCaseSensitive(j, "norm") : NULL;
    if (ok && cJSON_IsString(nm))
        m->cfg.norm = !strcmp(nm->valuestring, "none") ? AT_NORM_NONE : AT_NORM_BATCH;
    cJSON_Delete(j);
    if (!ok) {
        st = at_error_set(AT_ERR_FORMAT, "%s: not an atelier sct model description", jp);
        at_free(jp);
        at_free(m);
        return st;
    }
    at_free(jp);
    m->weights = at_path_join(model_dir, "model.safetensors");
    if (!m->weights) {
        at_free(m);
        return AT_ERR_NOMEM;
    }
    st = at_file_read(m->weights, (size_t)1 << 31, &text, &len);
    if (st) {
        at_sct_model_free(m);
        return st;
    }
    /* digest of the weights: new series UIDs depend on the model too */
    char hex[33];
    unsigned char h[16];
    static const at_key zero;
    at_crypto_init();
    at_keyed_hash(&zero, "atelier-sct-model", text, len, h, sizeof h);
    at_free(text);
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
    snprintf(m->digest, sizeof m->digest, "%s", hex);
    m->batch = 4;
    m->flip_average = 1;
    *out = m;
    return AT_OK;
}

void at_sct_model_spacing(const at_sct_model *m, double spacing[3])
{
    memcpy(spacing, m->spacing, 3 * sizeof *spacing);
}

void at_sct_model_set_flip_average(at_sct_model *m, int on)
{
    m->flip_average = on != 0;
}

static at_status ensure_net(at_sct_model *m, int64_t H, int64_t W)
{
    if (m->net && m->H == H && m->W == W)
        return AT_OK;
    at_model_free(m->net);
    m->net = NULL;
    int64_t sp[2] = {H, W};
    at_status st = at_model_create(&m->cfg, m->batch, sp, 1, &m->net);
    if (!st)
        st = at_checkpoint_load(m->weights, m->net, NULL, NULL);
    if (st) {
        at_model_free(m->net);
        m->net = NULL;
        return st;
    }
    m->H = H;
    m->W = W;
    return AT_OK;
}

at_status at_sct_model_run(at_sct_model *m, const at_volume *mr, at_run *run, at_volume **out)
{
    *out = NULL;
    const int nx = mr->grid.dim[0], ny = mr->grid.dim[1], nz = mr->grid.dim[2];
    int mult = 1 << m->cfg.depth, nb = m->cfg.neighbours, C = 2 * nb + 1;
    int64_t H = (ny + mult - 1) / mult * mult, W = (nx + mult - 1) / mult * mult;
    at_status st = ensure_net(m, H, W);
    if (st)
        return st;
    at_volume *ct;
    st = at_volume_new(&mr->grid, -1024.0f, &ct);
    if (st)
        return st;
    float lo = mr->data[0];
    for (size_t i = 0; i < at_grid_voxels(&mr->grid); i++)
        lo = mr->data[i] < lo ? mr->data[i] : lo;
    size_t hw = (size_t)H * W;
    float *in = at_malloc((size_t)m->batch * C * hw * sizeof *in);
    float *o = at_malloc((size_t)m->batch * hw * sizeof *o);
    if (!in || !o)
        st = AT_ERR_NOMEM;
    /* pass 0: the slices as they are; pass 1 (flip_average): mirrored left
     * to right, as in training's flip augmentation, and mirrored back; the
     * pseudo-CT is the mean of the two */
    const int passes = m->flip_average ? 2 : 1;
    for (int k0 = 0; !st && k0 < nz; k0 += m->batch) {
        if ((st = at_run_check(run, "pseudo-CT")) != AT_OK)
            break;
        for (int pass = 0; !st && pass < passes; pass++) {
            for (int b = 0; b < m->batch; b++) {
                int ks = k0 + b < nz ? k0 + b : nz - 1;
                for (int c = 0; c < C; c++) {
                    int k = ks + c - nb;
                    k = k < 0 ? 0 : k >= nz ? nz - 1 : k;
                    float *dst = in + ((size_t)b * C + c) * hw;
                    for (size_t q = 0; q < hw; q++)
                        dst[q] = lo;
                    for (int j = 0; j < ny; j++) {
                        const float *src = mr->data + at_volume_index(mr, 0, j, k);
                        float *row = dst + (size_t)j * W;
                        if (pass == 0)
                            memcpy(row, src, (size_t)nx * sizeof *row);
                        else
                            for (int i = 0; i < nx; i++)
                                row[nx - 1 - i] = src[i];
                    }
                }
            }
            st = at_model_forward(m->net, in, o, 0);
            for (int b = 0; !st && b < m->batch && k0 + b < nz; b++)
                for (int j = 0; j < ny; j++)
                    for (int i = 0; i < nx; i++) {
                        int x = pass == 0 ? i : nx - 1 - i;
                        double hu = o[(size_t)b * hw + (size_t)j * W + x] * AT_SCT_CT_SCALE / passes;
                        float *t = &ct->data[at_volume_index(ct, i, j, k0 + b)];
                        *t = pass == 0 ? (float)hu : (float)(*t + hu);
                    }
        }
        for (int b = 0; !st && b < m->batch && k0 + b < nz; b++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++) {
                    float *t = &ct->data[at_volume_index(ct, i, j, k0 + b)];
                    *t = *t < -1024 ? -1024 : *t > 3071 ? 3071 : *t;
                }
        int done = k0 + m->batch < nz ? k0 + m->batch : nz;
        at_run_progress(run, "slices", (uint64_t)done, (uint64_t)nz);
    }
    at_free(in);
    at_free(o);
    if (st) {
        at_volume_free(ct);
        return st;
    }
    *out = ct;
    return AT_OK;
}

/* The grid the network runs on for an MRI on grid mr: axes of the model's
 * training grid, the model's spacing, covering the MRI's voxel box. When
 * the MRI's axes are those of the model (the usual axial case) its first
 * voxel corner is kept, so nothing moves by a fraction of a voxel. */
static at_status model_grid(const at_sct_model *m, const at_grid *mr, at_grid *g)
{
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int c = 0; c < 8; c++) {
        double ijk[3], p[3];
        for (int a = 0; a < 3; a++)
            ijk[a] = (c >> a & 1) ? mr->dim[a] - 0.5 : -0.5;
        at_grid_index_to_point(mr, ijk, p);
        for (int a = 0; a < 3; a++) { /* coordinate along model axis a */
            double t = 0;
            for (int r = 0; r < 3; r++)
                t += m->direction[r * 3 + a] * p[r];
            lo[a] = t < lo[a] ? t : lo[a];
            hi[a] = t > hi[a] ? t : hi[a];
        }
    }
    *g = *mr;
    memcpy(g->direction, m->direction, sizeof g->direction);
    double first[3];
    for (int a = 0; a < 3; a++) {
        g->spacing[a] = m->spacing[a];
        double n = ceil((hi[a] - lo[a]) / m->spacing[a] - 1e-6);
        if (n < 1)
            n = 1;
        if (n > AT_IMAGE_MAX_DIM)
            return at_error_set(AT_ERR_LIMIT,
                                "the MRI's extent needs more than %d voxels per axis "
                                "at the model's spacing",
                                AT_IMAGE_MAX_DIM);
        g->dim[a] = (int)n;
        first[a] = lo[a] + 0.5 * m->spacing[a];
    }
    for (int r = 0; r < 3; r++) {
        g->origin[r] = 0;
        for (int a = 0; a < 3; a++)
            g->origin[r] += m->direction[r * 3 + a] * first[a];
    }
    return at_grid_voxels(g) > AT_IMAGE_MAX_VOXELS
               ? at_error_set(AT_ERR_LIMIT, "the MRI is too large at the model's spacing")
               : AT_OK;
}

at_status at_sct_predict(at_sct_model *m, const at_volume *mr, at_run *run, at_volume **out)
{
    *out = NULL;
    at_volume *norm = NULL, *mask = NULL, *onmodel = NULL, *pct = NULL, *back = NULL;
    at_status st = at_volume_clone(mr, &norm);
    if (!st)
        st = at_volume_body_mask(norm, 2, &mask);
    if (!st)
        st = at_volume_normalise_mri(norm, mask, AT_SCT_MR_PLOW, AT_SCT_MR_PHIGH);
    float low = 0;
    if (!st) {
        low = norm->data[0];
        for (size_t i = 0; i < at_grid_voxels(&norm->grid); i++)
            low = norm->data[i] < low ? norm->data[i] : low;
    }
    /* the model's grid: the training grid's axes (axial slices whatever
     * the MRI's orientation), the model's spacing, covering the MRI */
    at_grid g;
    if (!st)
        st = model_grid(m, &mr->grid, &g);
    if (!st)
        st = at_volume_resample(norm, &g, NULL, AT_INTERP_LINEAR, low, &onmodel);
    if (!st)
        st = at_sct_model_run(m, onmodel, run, &pct);
    if (!st)
        st = at_volume_resample(pct, &mr->grid, NULL, AT_INTERP_LINEAR, -1024.0f, &back);
    if (!st) {
        size_t n = at_grid_voxels(&mr->grid);
        for (size_t i = 0; i < n; i++) {
            float x = mask->data[i] > 0.5f ? back->data[i] : -1024.0f;
            back->data[i] = x < -1024 ? -1024 : x > 3071 ? 3071 : x;
        }
    }
    at_volume_free(norm);
    at_volume_free(mask);
    at_volume_free(onmodel);
    at_volume_free(pct);
    if (st) {
        at_volume_free(back);
        return st;
    }
    *out = back;
    return AT_OK;
}

/* MRI series folder -> pseudo-CT series written to out_dir (which must
 * not exist; the series writer renames it into place). */
static at_status predict_series(at_sct_model *m, const char *mr_dir, const char *out_dir, at_run *run,
                                int *slices)
{
    at_volume *mr = NULL, *ct = NULL;
    at_series_info info;
    at_status st = at_series_read(mr_dir, NULL, &mr, &info);
    if (!st && strcmp(info.modality, "MR"))
        st = at_error_set(AT_ERR_ARG, "%s: the series is %s, not MR", mr_dir,
                          info.modality[0] ? info.modality : "of no modality");
    if (!st && !info.frame_of_reference_uid[0])
        st = at_error_set(AT_ERR_FORMAT, "%s: the MRI has no Frame of Reference UID", mr_dir);
    if (!st) {
        st = at_sct_predict(m, mr, run, &ct);
        if (st && st != AT_ERR_CANCELLED)
            at_error_prefix(st, "%s", mr_dir);
    }
    if (!st) {
        char seed[200], series[65];
        snprintf(seed, sizeof seed, "%s/%s", info.series_uid, m->digest);
        at_uid_from_text("atelier-sct-series", seed, series);
        at_series_write_options o;
        memset(&o, 0, sizeof o);
        o.modality = "CT";
        o.patient_name = info.patient_name;
        o.patient_id = info.patient_id;
        o.patient_birth_date = info.patient_birth_date;
        o.patient_sex = info.patient_sex;
        o.study_uid = info.study_uid[0] ? info.study_uid : NULL;
        o.series_uid = series;
        o.frame_of_reference_uid = info.frame_of_reference_uid;
        o.study_date = info.study_date[0] ? info.study_date : NULL;
        o.study_time = info.study_time[0] ? info.study_time : NULL;
        o.study_id = info.study_id;
        o.accession_number = info.accession_number;
        o.series_description = "SYNTHETIC CT from MR (atelier sct) - not acquired";
        o.manufacturer = "atelier";
        o.series_number = 901;
        o.derived = 1;
        o.uid_seed = seed;
        st = at_run_check(run, "sct predict");
        if (!st)
            st = at_series_write(ct, &o, out_dir);
        if (!st)
            *slices = ct->grid.dim[2];
    }
    at_volume_free(mr);
    at_volume_free(ct);
    return st;
}

at_status at_sct_predict_run(const at_sct_predict_spec *spec, at_run *run, at_sct_predict_result *res)
{
    at_sct_predict_result r = {0};
    if (res)
        *res = r;
    if (!run)
        run = at_run_default();
    if (!spec->mr || !spec->model || !spec->out)
        return at_error_set(AT_ERR_ARG, "sct predict: an MRI series, a model and an output are needed");
    char *mr = NULL, *model = NULL, *outp = NULL;
    at_status st = at_run_path(run, spec->mr, 0, &mr);
    if (!st)
        st = at_run_path(run, spec->model, 0, &model);
    if (!st)
        st = at_run_path(run, spec->out, 1, &outp);
    sct_out out = {0};
    if (!st)
        st = sct_out_begin(&out, outp, spec->force, 0);
    at_sct_model *m = NULL;
    if (!st)
        st = at_sct_model_load(model, &m);
    if (!st) {
        at_sct_model_set_flip_average(m, !spec->no_flip);
        st = predict_series(m, mr, out.partial, run, &r.slices);
    }
    if (!st)
        st = sct_out_commit(&out);
    if (st)
        sct_out_abort(&out);
    else if (res)
        *res = r;
    at_sct_model_free(m);
    sct_out_free(&out);
    at_free(mr);
    at_free(model);
    at_free(outp);
    return st;
}
