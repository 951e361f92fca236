/* sct eval on a prepared folder: the model on every patient of a split,
 * SynthRAD2023 metrics per patient, and a picture a physicist can read
 * (rows of axial slices: MRI | CT | pseudo-CT | |error|). */
#include "sct_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned char window(double x, double lo, double hi)
{
    double t = (x - lo) / (hi - lo);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return (unsigned char)lrint(t * 255.0);
}

static at_status picture(const char *path, const at_volume *mr, const at_volume *ct, const at_volume *pct,
                         const at_volume *mask)
{
    const int nx = ct->grid.dim[0], ny = ct->grid.dim[1], nz = ct->grid.dim[2];
    int kmin = nz, kmax = -1;
    size_t plane = (size_t)nx * ny;
    for (int k = 0; k < nz; k++)
        for (size_t q = 0; q < plane; q++)
            if (mask->data[(size_t)k * plane + q] > 0.5f) {
                kmin = k < kmin ? k : kmin;
                kmax = k > kmax ? k : kmax;
                break;
            }
    if (kmax < 0)
        return at_error_set(AT_ERR_ARG, "the mask is empty");
    double mlo, mhi;
    at_status st = at_volume_percentile(mr, mask, 0.01, &mlo);
    if (!st)
        st = at_volume_percentile(mr, mask, 0.99, &mhi);
    if (st)
        return st;
    const int rows = 3, cols = 4, W = cols * nx, H = rows * ny;
    unsigned char *px = at_calloc((size_t)W * H, 1);
    if (!px)
        return AT_ERR_NOMEM;
    for (int r = 0; r < rows; r++) {
        int k = kmin + (int)((kmax - kmin) * (0.3 + 0.25 * r));
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++) {
                size_t p = at_volume_index(ct, i, j, k);
                unsigned char *row = px + ((size_t)r * ny + j) * W;
                row[i] = window(mr->data[p], mlo, mhi);
                row[nx + i] = window(ct->data[p], -1000, 1600);
                row[2 * nx + i] = window(pct->data[p], -1000, 1600);
                double e = mask->data[p] > 0.5f ? fabs(pct->data[p] - ct->data[p]) : 0;
                row[3 * nx + i] = window(e, 0, 500);
            }
    }
    st = at_png_write_gray(path, px, W, H);
    at_free(px);
    return st;
}

at_status sct_evaluate_patient(at_sct_model *m, const char *prep_dir, const char *name, const char *png_path,
                               at_run *run, at_sct_metrics *out)
{
    char *pd = at_path_join(prep_dir, name);
    const char *fn[3] = {"mr.nii.gz", "ct.nii.gz", "mask.nii.gz"};
    at_volume *v[3] = {NULL, NULL, NULL}, *pct = NULL;
    at_status st = pd ? AT_OK : AT_ERR_NOMEM;
    for (int i = 0; !st && i < 3; i++) {
        char *p = at_path_join(pd, fn[i]);
        st = p ? at_nifti_read(p, &v[i]) : AT_ERR_NOMEM;
        at_free(p);
    }
    double sp[3];
    at_sct_model_spacing(m, sp);
    if (!st)
        for (int a = 0; a < 3; a++)
            if (fabs(sp[a] - v[0]->grid.spacing[a]) > 1e-3)
                st = at_error_set(AT_ERR_ARG, "%s: voxel spacing differs from the model's", pd);
    if (!st)
        st = at_sct_model_run(m, v[0], run, &pct);
    if (!st) /* as predict does: air outside the body (metrics use the mask only) */
        for (size_t i = 0; i < at_grid_voxels(&pct->grid); i++)
            if (!(v[2]->data[i] > 0.5f))
                pct->data[i] = -1024.0f;
    if (!st)
        st = at_sct_metrics_compute(v[1], pct, v[2], out);
    if (!st && png_path)
        st = picture(png_path, v[0], v[1], pct, v[2]);
    if (st && st != AT_ERR_CANCELLED)
        at_error_prefix(st, "%s", name);
    for (int i = 0; i < 3; i++)
        at_volume_free(v[i]);
    at_volume_free(pct);
    at_free(pd);
    return st;
}

/* Mean and sample standard deviation of the patients' metrics. */
static void summarise(const at_sct_result *r, size_t n, at_sct_metrics *mean, at_sct_metrics *sd)
{
    double s[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        double v[3] = {r[i].metrics.mae, r[i].metrics.psnr, r[i].metrics.ssim};
        for (int q = 0; q < 3; q++) {
            s[q] += v[q];
            s2[q] += v[q] * v[q];
        }
        mean->mask_voxels += r[i].metrics.mask_voxels;
    }
    double mu[3], dev[3];
    for (int q = 0; q < 3; q++) {
        mu[q] = s[q] / (double)n;
        double var = n > 1 ? (s2[q] - (double)n * mu[q] * mu[q]) / (double)(n - 1) : 0;
        dev[q] = var > 0 ? sqrt(var) : 0;
    }
    mean->mae = mu[0], mean->psnr = mu[1], mean->ssim = mu[2];
    sd->mae = dev[0], sd->psnr = dev[1], sd->ssim = dev[2];
}

/* Every patient of a split of a prepared folder. */
static at_status eval_prepared(const at_sct_eval_spec *spec, at_run *run, at_sct_eval_result *res)
{
    const char *split = spec->split ? spec->split : "test";
    if (strcmp(split, "test") && strcmp(split, "val") && strcmp(split, "train"))
        return at_error_set(AT_ERR_ARG, "sct eval: the split must be test, val or train");
    char *prep = NULL, *model = NULL, *png = NULL;
    at_status st = at_run_path(run, spec->prepared, 0, &prep);
    if (!st)
        st = at_run_path(run, spec->model, 0, &model);
    if (!st && spec->png)
        st = at_run_path(run, spec->png, 1, &png);
    /* the picture is drawn beside its name and renamed when the run completes */
    char *png_tmp = png ? at_malloc(strlen(png) + 32) : NULL;
    if (!st && png && !png_tmp)
        st = AT_ERR_NOMEM;
    if (png_tmp) {
        snprintf(png_tmp, strlen(png) + 32, "%s.partial-%ld", png, (long)getpid());
        sct_remove_stale(png); /* a picture a killed run left half-way */
    }
    sct_patient *pts = NULL;
    size_t np = 0, n = 0, todo = 0;
    at_sct_model *m = NULL;
    if (!st)
        st = sct_manifest_load(prep, &pts, &np);
    if (!st)
        st = at_sct_model_load(model, &m);
    at_sct_result *r = st ? NULL : at_calloc(np ? np : 1, sizeof *r);
    if (!st && !r)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < np; i++)
        todo += !strcmp(pts[i].split, split);
    if (!st) {
        at_sct_model_set_flip_average(m, !spec->no_flip);
        at_run_progress(run, "eval", 0, todo);
    }
    for (size_t i = 0; !st && i < np; i++) {
        if (strcmp(pts[i].split, split))
            continue;
        if ((st = at_run_check(run, "sct eval")) != AT_OK)
            break;
        snprintf(r[n].name, sizeof r[n].name, "%s", pts[i].name);
        st = sct_evaluate_patient(m, prep, pts[i].name, n == 0 ? png_tmp : NULL, run, &r[n].metrics);
        n++;
        if (!st)
            at_run_progress(run, "eval", n, todo);
    }
    if (!st && !n)
        st = at_error_set(AT_ERR_NOT_FOUND, "%s: no patient in the %s split", spec->prepared, split);
    if (!st && png && rename(png_tmp, png) != 0)
        st =
            at_error_set(AT_ERR_IO, "%s: cannot move the picture into place: %s", spec->png, strerror(errno));
    if (!st) {
        res->patients = r;
        res->count = n;
        summarise(r, n, &res->mean, &res->sd);
    } else {
        at_free(r);
        if (png_tmp)
            remove(png_tmp); /* a picture of a run that did not finish is not kept */
    }
    at_free(png_tmp);
    at_sct_model_free(m);
    at_free(pts);
    at_free(prep);
    at_free(model);
    at_free(png);
    return st;
}

/* Three volumes on one grid; DICOM series must share a frame of reference. */
static at_status eval_volumes(const at_sct_eval_spec *spec, at_run *run, at_sct_eval_result *res)
{
    const char *names[3] = {spec->reference, spec->prediction, spec->mask};
    at_volume *v[3] = {NULL, NULL, NULL};
    at_series_info info[3];
    at_status st = AT_OK;
    for (int i = 0; !st && i < 3; i++) {
        char *p = NULL;
        if (!(st = at_run_path(run, names[i], 0, &p)))
            st = at_volume_load(p, &v[i], &info[i]);
        at_free(p);
    }
    if (!st && !spec->other_frames && info[0].frame_of_reference_uid[0] &&
        info[1].frame_of_reference_uid[0] &&
        strcmp(info[0].frame_of_reference_uid, info[1].frame_of_reference_uid))
        st = at_error_set(AT_ERR_ARG,
                          "%s and %s lie in different frames of reference (their Frame of Reference "
                          "UIDs differ): a voxel of one is not the same point of the patient in the "
                          "other. Register and resample the prediction onto the reference first; "
                          "compare anyway only if you know they are aligned",
                          spec->reference, spec->prediction);
    if (!st &&
        (!at_grid_same(&v[0]->grid, &v[1]->grid, 1e-3) || !at_grid_same(&v[0]->grid, &v[2]->grid, 1e-3)))
        st = at_error_set(AT_ERR_ARG, "reference, prediction and mask must share one grid (resample first)");
    if (!st && (st = at_sct_metrics_compute(v[0], v[1], v[2], &res->metrics)) &&
        strstr(at_error_message(), "mask is empty"))
        at_error_prefix(st, "%s", spec->mask);
    for (int i = 0; i < 3; i++)
        at_volume_free(v[i]);
    return st;
}

at_status at_sct_eval_run(const at_sct_eval_spec *spec, at_run *run, at_sct_eval_result *res)
{
    memset(res, 0, sizeof *res);
    if (!run)
        run = at_run_default();
    if (spec->prepared || spec->model) {
        if (!spec->prepared || !spec->model)
            return at_error_set(AT_ERR_ARG, "sct eval: a prepared folder and a model go together");
        return eval_prepared(spec, run, res);
    }
    if (!spec->reference || !spec->prediction || !spec->mask)
        return at_error_set(AT_ERR_ARG, "sct eval: a reference, a prediction and a mask are needed");
    return eval_volumes(spec, run, res);
}

void at_sct_eval_result_free(at_sct_eval_result *r)
{
    if (!r)
        return;
    at_free(r->patients);
    r->patients = NULL;
    r->count = 0;
}
