/* SynthRAD2023 image metrics: MAE, PSNR and masked SSIM, defined as the
 * challenge's scoring code defines them (learnt from its description;
 * SSIM as skimage.metrics.structural_similarity with a 7-voxel uniform
 * window and sample covariance). SSIM is computed plane by plane with a
 * ring of 7 box-summed planes so memory stays small for large volumes. */
#include "atelier/sct.h"

#include <math.h>
#include <string.h>

static double clipd(double x)
{
    return x < AT_SCT_HU_MIN ? AT_SCT_HU_MIN : x > AT_SCT_HU_MAX ? AT_SCT_HU_MAX : x;
}

/* The five quantities (x, y, xx, yy, xy) of plane k, box-summed over a
 * 7x7 window in-plane; only interior centres (3..n-4) are filled. */
static void plane_box_sums(const at_volume *ref, const at_volume *pred, const at_volume *mask, int k,
                           double *out, double *rowtmp)
{
    const int nx = ref->grid.dim[0], ny = ref->grid.dim[1];
    size_t plane = (size_t)nx * ny;
    /* per-voxel values, then sums along x, then along y */
    for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
            size_t p = ((size_t)k * ny + j) * nx + i;
            double x = clipd(ref->data[p]), y = clipd(pred->data[p]);
            if (!(mask->data[p] > 0)) {
                x = AT_SCT_HU_MIN;
                y = AT_SCT_HU_MIN;
            }
            x -= AT_SCT_HU_MIN;
            y -= AT_SCT_HU_MIN;
            double *r = rowtmp + (size_t)i * 5;
            r[0] = x;
            r[1] = y;
            r[2] = x * x;
            r[3] = y * y;
            r[4] = x * y;
        }
        for (int i = 3; i < nx - 3; i++) {
            double s[5] = {0, 0, 0, 0, 0};
            for (int q = -3; q <= 3; q++)
                for (int c = 0; c < 5; c++)
                    s[c] += rowtmp[(size_t)(i + q) * 5 + c];
            for (int c = 0; c < 5; c++)
                out[(size_t)c * plane + (size_t)j * nx + i] = s[c];
        }
    }
    for (int i = 3; i < nx - 3; i++) {
        for (int c = 0; c < 5; c++) {
            double *col = out + (size_t)c * plane;
            double win = 0;
            /* sliding sum along y, written in place after reading */
            double buf[7];
            for (int q = 0; q < 7 && q < ny; q++) {
                buf[q] = col[(size_t)q * nx + i];
                win += buf[q];
            }
            for (int j = 3; j < ny - 3; j++) {
                double next = j + 4 < ny ? col[(size_t)(j + 4) * nx + i] : 0;
                col[(size_t)j * nx + i] = win;
                win -= buf[(j - 3) % 7];
                buf[(j - 3) % 7] = next;
                win += next;
            }
        }
    }
}

at_status at_sct_metrics_compute(const at_volume *reference, const at_volume *prediction,
                                 const at_volume *mask, at_sct_metrics *out)
{
    memset(out, 0, sizeof *out);
    for (int a = 0; a < 3; a++)
        if (reference->grid.dim[a] != prediction->grid.dim[a] || reference->grid.dim[a] != mask->grid.dim[a])
            return at_error_set(AT_ERR_ARG,
                                "reference, prediction and mask differ in size (%dx%dx%d, %dx%dx%d, "
                                "%dx%dx%d)",
                                reference->grid.dim[0], reference->grid.dim[1], reference->grid.dim[2],
                                prediction->grid.dim[0], prediction->grid.dim[1], prediction->grid.dim[2],
                                mask->grid.dim[0], mask->grid.dim[1], mask->grid.dim[2]);
    size_t n = at_grid_voxels(&reference->grid), m = 0;
    double abs_sum = 0, sq_sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(mask->data[i] > 0))
            continue;
        double x = reference->data[i], y = prediction->data[i];
        if (!isfinite(x) || !isfinite(y))
            return at_error_set(AT_ERR_NUMERIC, "voxel %zu is not finite", i);
        abs_sum += fabs(x - y);
        double d = clipd(x) - clipd(y);
        sq_sum += d * d;
        m++;
    }
    if (!m)
        return at_error_set(AT_ERR_ARG, "the mask is empty");
    out->mask_voxels = m;
    out->mae = abs_sum / (double)m;
    double range = AT_SCT_HU_MAX - AT_SCT_HU_MIN;
    double mse = sq_sum / (double)m;
    out->psnr = mse > 0 ? 10.0 * log10(range * range / mse) : INFINITY;

    const int nx = reference->grid.dim[0], ny = reference->grid.dim[1], nz = reference->grid.dim[2];
    if (nx < 7 || ny < 7 || nz < 7)
        return at_error_set(AT_ERR_ARG, "SSIM needs at least 7 voxels along each axis");
    size_t plane = (size_t)nx * ny;
    double *ring = at_malloc(7 * 5 * plane * sizeof *ring);
    double *rowtmp = at_malloc((size_t)nx * 5 * sizeof *rowtmp);
    if (!ring || !rowtmp) {
        at_free(ring);
        at_free(rowtmp);
        return AT_ERR_NOMEM;
    }
    const double np = 343.0, cov_norm = np / (np - 1.0);
    const double c1 = (0.01 * range) * (0.01 * range), c2 = (0.03 * range) * (0.03 * range);
    double ssim_sum = 0;
    size_t ssim_count = 0;
    for (int k = 0; k < 7; k++)
        plane_box_sums(reference, prediction, mask, k, ring + (size_t)k * 5 * plane, rowtmp);
    for (int k = 3; k < nz - 3; k++) {
        if (k > 3) /* slide: plane k+3 replaces plane k-4 */
            plane_box_sums(reference, prediction, mask, k + 3, ring + (size_t)((k + 3) % 7) * 5 * plane,
                           rowtmp);
        for (int j = 3; j < ny - 3; j++)
            for (int i = 3; i < nx - 3; i++) {
                size_t p = (size_t)j * nx + i;
                if (!(mask->data[(size_t)k * plane + p] > 0))
                    continue;
                double s[5] = {0, 0, 0, 0, 0};
                for (int q = 0; q < 7; q++)
                    for (int c = 0; c < 5; c++)
                        s[c] += ring[(size_t)q * 5 * plane + (size_t)c * plane + p];
                double ux = s[0] / np, uy = s[1] / np;
                double vx = cov_norm * (s[2] / np - ux * ux);
                double vy = cov_norm * (s[3] / np - uy * uy);
                double vxy = cov_norm * (s[4] / np - ux * uy);
                double a1 = 2 * ux * uy + c1, a2 = 2 * vxy + c2;
                double b1 = ux * ux + uy * uy + c1, b2 = vx + vy + c2;
                ssim_sum += (a1 * a2) / (b1 * b2);
                ssim_count++;
            }
    }
    at_free(ring);
    at_free(rowtmp);
    out->ssim = ssim_count ? ssim_sum / (double)ssim_count : NAN;
    return AT_OK;
}
