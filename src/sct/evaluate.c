/* sct eval on a prepared folder: the model on every patient of a split,
 * SynthRAD2023 metrics per patient, and a picture a physicist can read
 * (rows of axial slices: MRI | CT | pseudo-CT | |error|). */
#include "sct_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static unsigned char window(double x, double lo, double hi)
{
    double t = (x - lo) / (hi - lo);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return (unsigned char)lrint(t * 255.0);
}

static at_status picture(const char *path, const at_volume *mr, const at_volume *ct,
                         const at_volume *pct, const at_volume *mask)
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

at_status sct_evaluate_patient(at_sct_model *m, const char *prep_dir, const char *name,
                               const char *png_path, at_sct_metrics *out)
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
        st = at_sct_model_run(m, v[0], &pct);
    if (!st) /* as predict does: air outside the body (metrics use the mask only) */
        for (size_t i = 0; i < at_grid_voxels(&pct->grid); i++)
            if (!(v[2]->data[i] > 0.5f))
                pct->data[i] = -1024.0f;
    if (!st)
        st = at_sct_metrics_compute(v[1], pct, v[2], out);
    if (!st && png_path)
        st = picture(png_path, v[0], v[1], pct, v[2]);
    if (st)
        at_error_prefix(st, "%s", name);
    for (int i = 0; i < 3; i++)
        at_volume_free(v[i]);
    at_volume_free(pct);
    at_free(pd);
    return st;
}

at_status at_sct_evaluate(at_sct_model *m, const char *prep_dir, const char *split,
                          const char *png_path, at_sct_result **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    sct_patient *pts;
    size_t np;
    at_status st = sct_manifest_load(prep_dir, &pts, &np);
    if (st)
        return st;
    at_sct_result *r = at_calloc(np ? np : 1, sizeof *r);
    size_t n = 0;
    if (!r)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < np; i++) {
        if (strcmp(pts[i].split, split))
            continue;
        snprintf(r[n].name, sizeof r[n].name, "%s", pts[i].name);
        st = sct_evaluate_patient(m, prep_dir, pts[i].name, n == 0 ? png_path : NULL, &r[n].metrics);
        n++;
    }
    at_free(pts);
    if (!st && !n)
        st = at_error_set(AT_ERR_NOT_FOUND, "%s: no patient in the %s split", prep_dir, split);
    if (st) {
        at_free(r);
        return st;
    }
    *out = r;
    *count = n;
    return AT_OK;
}
