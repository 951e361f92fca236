/* Resampling onto any grid (nearest, trilinear, cubic B-spline with
 * Unser's recursive prefilter) and separable Gaussian smoothing. */
#include "atelier/image.h"

#include <math.h>
#include <string.h>

/* In-place cubic B-spline prefilter of n samples spaced by stride
 * (mirror boundary; pole z = sqrt(3) - 2). */
static void bspline_prefilter_line(double *c, size_t n, size_t stride)
{
    if (n < 2)
        return;
    const double z = sqrt(3.0) - 2.0, lambda = (1 - z) * (1 - 1 / z);
    for (size_t i = 0; i < n; i++)
        c[i * stride] *= lambda;
    /* causal initialisation (truncated sum) */
    size_t horizon = n;
    double tol = 1e-10;
    size_t h = (size_t)ceil(log(tol) / log(fabs(z)));
    if (h < horizon)
        horizon = h;
    if (horizon < n) {
        double zn = z, sum = c[0];
        for (size_t i = 1; i < horizon; i++) {
            sum += zn * c[i * stride];
            zn *= z;
        }
        c[0] = sum;
    } else { /* exact mirror-symmetric initialisation for short lines */
        double zn = z, iz = 1.0 / z, z2n = pow(z, (double)(n - 1));
        double sum = c[0] + z2n * c[(n - 1) * stride];
        z2n *= z2n * iz;
        for (size_t i = 1; i + 1 < n; i++) {
            sum += (zn + z2n) * c[i * stride];
            zn *= z;
            z2n *= iz;
        }
        c[0] = sum / (1.0 - zn * zn);
    }
    for (size_t i = 1; i < n; i++)
        c[i * stride] += z * c[(i - 1) * stride];
    c[(n - 1) * stride] = (z / (z * z - 1)) * (z * c[(n - 2) * stride] + c[(n - 1) * stride]);
    for (size_t i = n - 1; i-- > 0;)
        c[i * stride] = z * (c[(i + 1) * stride] - c[i * stride]);
}

/* B-spline coefficients of v (double, same layout). Owned by caller. */
static double *bspline_coefficients(const at_volume *v)
{
    const int *d = v->grid.dim;
    size_t n = at_grid_voxels(&v->grid);
    double *c = at_malloc(n * sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < n; i++)
        c[i] = v->data[i];
    size_t sx = 1, sy = (size_t)d[0], sz = (size_t)d[0] * d[1];
    for (int k = 0; k < d[2]; k++)
        for (int j = 0; j < d[1]; j++)
            bspline_prefilter_line(c + k * sz + j * sy, (size_t)d[0], sx);
    for (int k = 0; k < d[2]; k++)
        for (int i = 0; i < d[0]; i++)
            bspline_prefilter_line(c + k * sz + i, (size_t)d[1], sy);
    for (int j = 0; j < d[1]; j++)
        for (int i = 0; i < d[0]; i++)
            bspline_prefilter_line(c + j * sy + i, (size_t)d[2], sz);
    return c;
}

static inline int mirror_index(int i, int n)
{
    if (n == 1)
        return 0;
    int period = 2 * n - 2;
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

static inline void bspline_weights(double t, double w[4])
{
    /* t in [0,1): weights for samples floor-1 .. floor+2 */
    double t2 = t * t, t3 = t2 * t, u = 1 - t;
    w[0] = u * u * u / 6.0;
    w[1] = (3 * t3 - 6 * t2 + 4) / 6.0;
    w[2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6.0;
    w[3] = t3 / 6.0;
}

static double sample_bspline(const double *c, const int *d, const double x[3])
{
    int base[3];
    double w[3][4];
    for (int a = 0; a < 3; a++) {
        double f = floor(x[a]);
        base[a] = (int)f - 1;
        bspline_weights(x[a] - f, w[a]);
    }
    double s = 0;
    for (int kk = 0; kk < 4; kk++) {
        int k = mirror_index(base[2] + kk, d[2]);
        for (int jj = 0; jj < 4; jj++) {
            int j = mirror_index(base[1] + jj, d[1]);
            const double *row = c + ((size_t)k * d[1] + j) * d[0];
            double sr = 0;
            for (int ii = 0; ii < 4; ii++)
                sr += w[0][ii] * row[mirror_index(base[0] + ii, d[0])];
            s += w[2][kk] * w[1][jj] * sr;
        }
    }
    return s;
}

static double sample_linear(const float *v, const int *d, const double x[3])
{
    int i0[3];
    double f[3];
    for (int a = 0; a < 3; a++) {
        double fl = floor(x[a]);
        i0[a] = (int)fl;
        f[a] = x[a] - fl;
        if (i0[a] >= d[a] - 1) { /* on the last plane */
            i0[a] = d[a] - 1;
            f[a] = 0;
        }
    }
    double s = 0;
    for (int dz = 0; dz < 2; dz++) {
        double wz = dz ? f[2] : 1 - f[2];
        if (wz == 0)
            continue;
        for (int dy = 0; dy < 2; dy++) {
            double wy = dy ? f[1] : 1 - f[1];
            if (wy == 0)
                continue;
            size_t row = ((size_t)(i0[2] + dz) * d[1] + (size_t)(i0[1] + dy)) * d[0];
            double a = v[row + i0[0]];
            double b = f[0] > 0 ? v[row + i0[0] + 1] : a;
            s += wz * wy * (a + f[0] * (b - a));
        }
    }
    return s;
}

at_status at_volume_resample(const at_volume *src, const at_grid *target, const at_rigid *t, at_interp interp,
                             float fill, at_volume **out)
{
    *out = NULL;
    at_volume *dst;
    at_status st = at_volume_new(target, fill, &dst);
    if (st)
        return st;
    double *coef = NULL;
    if (interp == AT_INTERP_BSPLINE3) {
        coef = bspline_coefficients(src);
        if (!coef) {
            at_volume_free(dst);
            return AT_ERR_NOMEM;
        }
    }
    const int *sd = src->grid.dim;
    const int *td = target->dim;
    /* index(target) -> index(src) is affine: precompute its matrix. */
    double m[12];
    {
        double o[3] = {0, 0, 0}, p[3], q[3], x0[3];
        at_grid_index_to_point(target, o, p);
        if (t)
            at_rigid_apply(t, p, q);
        else
            memcpy(q, p, sizeof q);
        at_grid_point_to_index(&src->grid, q, x0);
        for (int a = 0; a < 3; a++) {
            double e[3] = {0, 0, 0}, xa[3];
            e[a] = 1;
            at_grid_index_to_point(target, e, p);
            if (t)
                at_rigid_apply(t, p, q);
            else
                memcpy(q, p, sizeof q);
            at_grid_point_to_index(&src->grid, q, xa);
            for (int r = 0; r < 3; r++)
                m[r * 4 + a] = xa[r] - x0[r];
        }
        for (int r = 0; r < 3; r++)
            m[r * 4 + 3] = x0[r];
    }
    const double eps = 1e-6;
    for (int k = 0; k < td[2]; k++)
        for (int j = 0; j < td[1]; j++)
            for (int i = 0; i < td[0]; i++) {
                double x[3];
                int inside = 1;
                for (int r = 0; r < 3; r++) {
                    x[r] = m[r * 4] * i + m[r * 4 + 1] * j + m[r * 4 + 2] * k + m[r * 4 + 3];
                    if (x[r] < -0.5 - eps || x[r] > sd[r] - 0.5 + eps)
                        inside = 0;
                }
                if (!inside)
                    continue;
                for (int r = 0; r < 3; r++) {
                    if (x[r] < 0)
                        x[r] = 0;
                    if (x[r] > sd[r] - 1)
                        x[r] = sd[r] - 1;
                }
                double val;
                if (interp == AT_INTERP_NEAREST) {
                    int ii = (int)floor(x[0] + 0.5), jj = (int)floor(x[1] + 0.5), kk = (int)floor(x[2] + 0.5);
                    val = src->data[at_volume_index(src, ii, jj, kk)];
                } else if (interp == AT_INTERP_LINEAR) {
                    val = sample_linear(src->data, sd, x);
                } else {
                    val = sample_bspline(coef, sd, x);
                }
                dst->data[at_volume_index(dst, i, j, k)] = (float)val;
            }
    at_free(coef);
    *out = dst;
    return AT_OK;
}

/* One axis of a separable Gaussian (clamped borders). */
static at_status smooth_axis(at_volume *v, int axis, double sigma_vox)
{
    if (sigma_vox < 0.05)
        return AT_OK;
    int r = (int)ceil(3 * sigma_vox);
    double *k = at_malloc((size_t)(2 * r + 1) * sizeof *k);
    const int *d = v->grid.dim;
    int n = d[axis];
    double *line = at_malloc((size_t)n * sizeof *line);
    if (!k || !line) {
        at_free(k);
        at_free(line);
        return AT_ERR_NOMEM;
    }
    double sum = 0;
    for (int i = -r; i <= r; i++)
        sum += k[i + r] = exp(-0.5 * i * i / (sigma_vox * sigma_vox));
    for (int i = 0; i <= 2 * r; i++)
        k[i] /= sum;
    size_t stride = axis == 0 ? 1 : axis == 1 ? (size_t)d[0] : (size_t)d[0] * d[1];
    int o1 = axis == 0 ? 1 : 0, o2 = axis == 2 ? 1 : 2;
    for (int b = 0; b < d[o2]; b++)
        for (int a = 0; a < d[o1]; a++) {
            size_t base = 0;
            size_t s1 = o1 == 0 ? 1 : (size_t)d[0];
            size_t s2 = o2 == 1 ? (size_t)d[0] : (size_t)d[0] * d[1];
            base = (size_t)a * s1 + (size_t)b * s2;
            for (int i = 0; i < n; i++)
                line[i] = v->data[base + (size_t)i * stride];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int q = -r; q <= r; q++) {
                    int ii = i + q;
                    ii = ii < 0 ? 0 : ii >= n ? n - 1 : ii;
                    s += k[q + r] * line[ii];
                }
                v->data[base + (size_t)i * stride] = (float)s;
            }
        }
    at_free(k);
    at_free(line);
    return AT_OK;
}

at_status at_volume_smooth(at_volume *v, double sigma_mm)
{
    for (int a = 0; a < 3; a++) {
        at_status st = smooth_axis(v, a, sigma_mm / v->grid.spacing[a]);
        if (st)
            return st;
    }
    return AT_OK;
}
