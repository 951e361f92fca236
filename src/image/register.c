/* Rigid registration: Euler 3D transform about the fixed image centre,
 * Mattes mutual information (joint histogram with a zero-order Parzen
 * window on the fixed image and a cubic B-spline window on the moving
 * image, analytic derivative), a fixed set of sampled voxels per level
 * drawn with a seeded generator, a Gaussian pyramid and a regular-step
 * gradient ascent. */
#include "atelier/image.h"

#include <math.h>
#include <string.h>

#define PAD 2

void at_register_options_default(at_register_options *o)
{
    memset(o, 0, sizeof *o);
    o->levels = 3;
    o->bins = 32;
    o->samples = 20000;
    o->max_iterations = 300;
    o->max_step = 4.0;
    o->min_step = 0.005;
    o->relaxation = 0.5;
    o->seed = 1;
}

typedef struct {
    double p[3]; /* fixed physical point */
    double f;    /* fixed value */
} sample;

typedef struct {
    const at_volume *moving;
    at_volume *grad[3]; /* physical gradient of moving (LPS) */
    sample *s;
    int ns;
    int bins;
    double fmin, fwidth, mmin, mwidth;
    double *joint, *djoint; /* bins*bins, bins*bins*6 */
} mi_context;

static inline double bspline3(double x)
{
    x = fabs(x);
    if (x < 1)
        return (4 - 6 * x * x + 3 * x * x * x) / 6.0;
    if (x < 2) {
        double t = 2 - x;
        return t * t * t / 6.0;
    }
    return 0;
}

static inline double bspline3_derivative(double x)
{
    double a = fabs(x), s = x < 0 ? -1.0 : 1.0;
    if (a < 1)
        return s * (-2 * a + 1.5 * a * a);
    if (a < 2)
        return s * (-0.5 * (2 - a) * (2 - a));
    return 0;
}

/* Trilinear value at continuous index x (caller checks 0 <= x <= d-1). */
static double trilinear(const at_volume *v, const double x[3])
{
    const int *d = v->grid.dim;
    int i0[3];
    double f[3];
    for (int a = 0; a < 3; a++) {
        i0[a] = (int)floor(x[a]);
        if (i0[a] >= d[a] - 1)
            i0[a] = d[a] > 1 ? d[a] - 2 : 0;
        if (i0[a] < 0)
            i0[a] = 0;
        f[a] = d[a] > 1 ? x[a] - i0[a] : 0;
    }
    int s1 = d[0] > 1 ? 1 : 0, s2 = d[1] > 1 ? 1 : 0, s3 = d[2] > 1 ? 1 : 0;
    size_t sy = (size_t)d[0], sz = (size_t)d[0] * d[1];
    size_t b = (size_t)i0[2] * sz + (size_t)i0[1] * sy + (size_t)i0[0];
    const float *p = v->data;
    double c00 = p[b] + f[0] * (p[b + s1] - p[b]);
    double c10 = p[b + s2 * sy] + f[0] * (p[b + s2 * sy + s1] - p[b + s2 * sy]);
    double c01 = p[b + s3 * sz] + f[0] * (p[b + s3 * sz + s1] - p[b + s3 * sz]);
    double c11 = p[b + s3 * sz + s2 * sy] + f[0] * (p[b + s3 * sz + s2 * sy + s1] - p[b + s3 * sz + s2 * sy]);
    double c0 = c00 + f[1] * (c10 - c00), c1 = c01 + f[1] * (c11 - c01);
    return c0 + f[2] * (c1 - c0);
}

/* dR/dangle_a for R = Rz Rx Ry. */
static void rotation_derivatives(const double angle[3], double dr[3][9])
{
    double cx = cos(angle[0]), sx = sin(angle[0]);
    double cy = cos(angle[1]), sy = sin(angle[1]);
    double cz = cos(angle[2]), sz = sin(angle[2]);
    double rx[9] = {1, 0, 0, 0, cx, -sx, 0, sx, cx}, drx[9] = {0, 0, 0, 0, -sx, -cx, 0, cx, -sx};
    double ry[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy}, dry[9] = {-sy, 0, cy, 0, 0, 0, -cy, 0, -sy};
    double rz[9] = {cz, -sz, 0, sz, cz, 0, 0, 0, 1}, drz[9] = {-sz, -cz, 0, cz, -sz, 0, 0, 0, 0};
    const double *fa[3][3] = {{rz, drx, ry}, {rz, rx, dry}, {drz, rx, ry}};
    for (int a = 0; a < 3; a++) {
        double t[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++)
                    s += fa[a][0][i * 3 + k] * fa[a][1][k * 3 + j];
                t[i * 3 + j] = s;
            }
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++)
                    s += t[i * 3 + k] * fa[a][2][k * 3 + j];
                dr[a][i * 3 + j] = s;
            }
    }
}

/* Mattes MI at t and (when grad non-NULL) its derivative w.r.t. the six
 * parameters (angles, translation). Fails when too few samples map
 * inside the moving image. */
static at_status mi_evaluate(mi_context *c, const at_rigid *t, double *mi, double grad[6])
{
    const int B = c->bins;
    memset(c->joint, 0, (size_t)B * B * sizeof *c->joint);
    if (grad)
        memset(c->djoint, 0, (size_t)B * B * 6 * sizeof *c->djoint);
    double r[9], dr[3][9];
    at_rigid_matrix(t, r);
    if (grad)
        rotation_derivatives(t->angle, dr);
    const at_grid *mg = &c->moving->grid;
    int valid = 0;
    for (int n = 0; n < c->ns; n++) {
        const sample *s = &c->s[n];
        double d[3] = {s->p[0] - t->centre[0], s->p[1] - t->centre[1], s->p[2] - t->centre[2]};
        double q[3], x[3];
        for (int i = 0; i < 3; i++)
            q[i] = r[i * 3] * d[0] + r[i * 3 + 1] * d[1] + r[i * 3 + 2] * d[2] + t->centre[i] +
                   t->translation[i];
        at_grid_point_to_index(mg, q, x);
        if (x[0] < 0 || x[1] < 0 || x[2] < 0 || x[0] > mg->dim[0] - 1 || x[1] > mg->dim[1] - 1 ||
            x[2] > mg->dim[2] - 1)
            continue;
        valid++;
        double m = trilinear(c->moving, x);
        double eta = (m - c->mmin) / c->mwidth + PAD;
        if (eta < PAD)
            eta = PAD;
        if (eta > B - PAD - 1e-9)
            eta = B - PAD - 1e-9;
        int kappa = (int)floor((s->f - c->fmin) / c->fwidth) + PAD;
        if (kappa < PAD)
            kappa = PAD;
        if (kappa > B - PAD - 1)
            kappa = B - PAD - 1;
        int i0 = (int)floor(eta) - 1;
        double dmdmu[6] = {0};
        if (grad) {
            double g[3];
            for (int a = 0; a < 3; a++)
                g[a] = trilinear(c->grad[a], x);
            for (int a = 0; a < 3; a++) {
                double v[3];
                for (int i = 0; i < 3; i++)
                    v[i] = dr[a][i * 3] * d[0] + dr[a][i * 3 + 1] * d[1] + dr[a][i * 3 + 2] * d[2];
                dmdmu[a] = g[0] * v[0] + g[1] * v[1] + g[2] * v[2];
            }
            for (int a = 0; a < 3; a++)
                dmdmu[3 + a] = g[a];
        }
        for (int tt = 0; tt < 4; tt++) {
            int iota = i0 + tt;
            if (iota < 0 || iota >= B)
                continue;
            double arg = eta - iota;
            c->joint[(size_t)iota * B + kappa] += bspline3(arg);
            if (grad) {
                double dw = bspline3_derivative(arg) / c->mwidth;
                double *dj = c->djoint + ((size_t)iota * B + kappa) * 6;
                for (int k = 0; k < 6; k++)
                    dj[k] += dw * dmdmu[k];
            }
        }
    }
    if (valid < c->ns / 8 || valid < 16)
        return at_error_set(AT_ERR_NUMERIC,
                            "registration lost overlap: %d of %d samples map inside the moving image", valid,
                            c->ns);
    double inv = 1.0 / valid;
    double pm[256], pf[256];
    memset(pm, 0, sizeof pm);
    memset(pf, 0, sizeof pf);
    for (int i = 0; i < B; i++)
        for (int k = 0; k < B; k++) {
            double v = c->joint[(size_t)i * B + k] * inv;
            c->joint[(size_t)i * B + k] = v;
            pm[i] += v;
            pf[k] += v;
        }
    double sum = 0, g6[6] = {0};
    for (int i = 0; i < B; i++)
        for (int k = 0; k < B; k++) {
            double v = c->joint[(size_t)i * B + k];
            if (v <= 1e-16)
                continue;
            sum += v * log(v / (pm[i] * pf[k]));
            if (grad) {
                double l = log(v / pm[i]);
                const double *dj = c->djoint + ((size_t)i * B + k) * 6;
                for (int q = 0; q < 6; q++)
                    g6[q] += dj[q] * inv * l;
            }
        }
    *mi = sum;
    if (grad)
        memcpy(grad, g6, sizeof g6);
    return AT_OK;
}

/* Physical gradient of v by central differences. */
static at_status gradient_images(const at_volume *v, at_volume *g[3])
{
    for (int a = 0; a < 3; a++) {
        g[a] = NULL;
    }
    for (int a = 0; a < 3; a++) {
        at_status st = at_volume_new(&v->grid, 0.0f, &g[a]);
        if (st) {
            for (int b = 0; b < a; b++)
                at_volume_free(g[b]);
            return st;
        }
    }
    const int *d = v->grid.dim;
    const double *D = v->grid.direction, *s = v->grid.spacing;
    for (int k = 0; k < d[2]; k++)
        for (int j = 0; j < d[1]; j++)
            for (int i = 0; i < d[0]; i++) {
                int idx[3] = {i, j, k};
                double gi[3];
                for (int a = 0; a < 3; a++) {
                    int lo[3] = {i, j, k}, hi[3] = {i, j, k};
                    lo[a] = idx[a] > 0 ? idx[a] - 1 : 0;
                    hi[a] = idx[a] < d[a] - 1 ? idx[a] + 1 : d[a] - 1;
                    double span = (hi[a] - lo[a]) * s[a];
                    gi[a] = span > 0 ? (v->data[at_volume_index(v, hi[0], hi[1], hi[2])] -
                                        v->data[at_volume_index(v, lo[0], lo[1], lo[2])]) /
                                           span
                                     : 0;
                }
                size_t p = at_volume_index(v, i, j, k);
                for (int r = 0; r < 3; r++)
                    g[r]->data[p] = (float)(D[r * 3] * gi[0] + D[r * 3 + 1] * gi[1] + D[r * 3 + 2] * gi[2]);
            }
    return AT_OK;
}

/* v smoothed and subsampled by factor f (f == 1: a copy). */
static at_status pyramid_level(const at_volume *v, int f, at_volume **out)
{
    if (f <= 1)
        return at_volume_clone(v, out);
    at_volume *sm;
    at_status st = at_volume_clone(v, &sm);
    if (st)
        return st;
    double minsp = v->grid.spacing[0];
    for (int a = 1; a < 3; a++)
        if (v->grid.spacing[a] < minsp)
            minsp = v->grid.spacing[a];
    st = at_volume_smooth(sm, 0.5 * f * minsp);
    if (st) {
        at_volume_free(sm);
        return st;
    }
    at_grid g = v->grid;
    double shift[3];
    for (int a = 0; a < 3; a++) {
        int fa = v->grid.dim[a] >= 2 * f ? f : 1;
        g.dim[a] = (v->grid.dim[a] + fa - 1) / fa;
        g.spacing[a] = v->grid.spacing[a] * fa;
        shift[a] = 0.5 * (fa - 1);
    }
    at_grid_index_to_point(&v->grid, shift, g.origin);
    st = at_volume_resample(sm, &g, NULL, AT_INTERP_LINEAR, 0.0f, out);
    at_volume_free(sm);
    return st;
}

static void value_range(const float *x, size_t n, double *lo, double *hi)
{
    double a = x[0], b = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] < a)
            a = x[i];
        if (x[i] > b)
            b = x[i];
    }
    *lo = a;
    *hi = b > a ? b : a + 1;
}

/* Build the context for one level: samples of fixed, gradients of moving. */
static at_status context_init(mi_context *c, const at_volume *fixed, const at_volume *moving,
                              const at_volume *mask, const at_register_options *o, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->moving = moving;
    c->bins = o->bins;
    size_t n = at_grid_voxels(&fixed->grid);
    int ns = o->samples;
    if ((size_t)ns > n)
        ns = (int)n;
    c->s = at_malloc((size_t)ns * sizeof *c->s);
    c->joint = at_malloc((size_t)o->bins * o->bins * sizeof *c->joint);
    c->djoint = at_malloc((size_t)o->bins * o->bins * 6 * sizeof *c->djoint);
    if (!c->s || !c->joint || !c->djoint)
        return AT_ERR_NOMEM;
    at_status st = gradient_images(moving, c->grad);
    if (st)
        return st;
    at_rng rng;
    at_rng_seed(&rng, seed);
    int got = 0;
    size_t tries = 0, max_tries = (size_t)ns * 200;
    while (got < ns && tries++ < max_tries) {
        size_t idx = (size_t)(at_rng_uniform(&rng) * (double)n);
        if (idx >= n)
            idx = n - 1;
        int i = (int)(idx % (size_t)fixed->grid.dim[0]);
        int j = (int)(idx / (size_t)fixed->grid.dim[0] % (size_t)fixed->grid.dim[1]);
        int k = (int)(idx / ((size_t)fixed->grid.dim[0] * fixed->grid.dim[1]));
        double ijk[3] = {i, j, k};
        /* jitter within the voxel so samples do not sit on grid nodes */
        for (int a = 0; a < 3; a++)
            ijk[a] += at_rng_uniform(&rng) - 0.5;
        double p[3];
        at_grid_index_to_point(&fixed->grid, ijk, p);
        if (mask) {
            double mx[3];
            at_grid_point_to_index(&mask->grid, p, mx);
            int mi = (int)floor(mx[0] + 0.5), mj = (int)floor(mx[1] + 0.5), mk = (int)floor(mx[2] + 0.5);
            if (mi < 0 || mj < 0 || mk < 0 || mi >= mask->grid.dim[0] || mj >= mask->grid.dim[1] ||
                mk >= mask->grid.dim[2] || mask->data[at_volume_index(mask, mi, mj, mk)] <= 0.5f)
                continue;
        }
        for (int a = 0; a < 3; a++) {
            if (ijk[a] < 0)
                ijk[a] = 0;
            if (ijk[a] > fixed->grid.dim[a] - 1)
                ijk[a] = fixed->grid.dim[a] - 1;
        }
        c->s[got].f = trilinear(fixed, ijk);
        memcpy(c->s[got].p, p, sizeof p);
        got++;
    }
    if (got < 16)
        return at_error_set(AT_ERR_ARG, "registration: the fixed mask leaves no voxels to sample");
    c->ns = got;
    double lo = c->s[0].f, hi = c->s[0].f;
    for (int q = 1; q < got; q++) {
        if (c->s[q].f < lo)
            lo = c->s[q].f;
        if (c->s[q].f > hi)
            hi = c->s[q].f;
    }
    if (!(hi > lo))
        hi = lo + 1;
    c->fmin = lo;
    c->fwidth = (hi - lo) / (o->bins - 2 * PAD);
    value_range(moving->data, at_grid_voxels(&moving->grid), &c->mmin, &hi);
    c->mwidth = (hi - c->mmin) / (o->bins - 2 * PAD - 1);
    return AT_OK;
}

static void context_free(mi_context *c)
{
    at_free(c->s);
    at_free(c->joint);
    at_free(c->djoint);
    for (int a = 0; a < 3; a++)
        at_volume_free(c->grad[a]);
}

static void grid_centre(const at_grid *g, double c[3])
{
    double mid[3] = {0.5 * (g->dim[0] - 1), 0.5 * (g->dim[1] - 1), 0.5 * (g->dim[2] - 1)};
    at_grid_index_to_point(g, mid, c);
}

static at_status check_options(const at_register_options *o)
{
    if (o->levels < 1 || o->levels > 6 || o->bins < 8 || o->bins > 256 || o->samples < 100 ||
        o->max_iterations < 1 || !(o->max_step > 0) || !(o->min_step > 0) ||
        !(o->relaxation > 0 && o->relaxation < 1))
        return at_error_set(AT_ERR_ARG, "registration options out of range");
    return AT_OK;
}

at_status at_register_rigid(const at_volume *fixed, const at_volume *moving, const at_register_options *opt,
                            at_rigid *t, at_register_report *report)
{
    at_register_options o;
    if (opt)
        o = *opt;
    else
        at_register_options_default(&o);
    at_status st = check_options(&o);
    if (st)
        return st;
    if (t->centre[0] == 0 && t->centre[1] == 0 && t->centre[2] == 0)
        grid_centre(&fixed->grid, t->centre);
    /* parameter scale: mm of motion per radian at the image's half extent */
    double radius = 0;
    for (int a = 0; a < 3; a++)
        radius += 0.5 * fixed->grid.dim[a] * fixed->grid.spacing[a] / 3.0;
    if (radius < 1)
        radius = 1;
    double scale[6] = {radius, radius, radius, 1, 1, 1};
    int total_it = 0;
    double metric = 0;
    for (int level = 0; level < o.levels; level++) {
        int f = 1 << (o.levels - 1 - level);
        at_volume *fl = NULL, *ml = NULL;
        mi_context c;
        memset(&c, 0, sizeof c);
        st = pyramid_level(fixed, f, &fl);
        if (!st)
            st = pyramid_level(moving, f, &ml);
        if (!st)
            st = context_init(&c, fl, ml, o.fixed_mask, &o, o.seed + (uint64_t)level * 7919);
        double step = o.max_step * f / (double)(1 << (o.levels - 1));
        double prev[6] = {0};
        int have_prev = 0;
        for (int it = 0; !st && it < o.max_iterations; it++) {
            double g[6], mi;
            if ((st = at_run_check(o.run, "registration")) != AT_OK)
                break;
            st = mi_evaluate(&c, t, &mi, g);
            if (st)
                break;
            metric = mi;
            total_it++;
            double gs[6], norm = 0;
            for (int k = 0; k < 6; k++) {
                gs[k] = g[k] / scale[k];
                norm += gs[k] * gs[k];
            }
            norm = sqrt(norm);
            if (!(norm > 1e-12))
                break;
            if (!isfinite(norm)) {
                st = at_error_set(AT_ERR_NUMERIC, "registration diverged (gradient not finite)");
                break;
            }
            if (have_prev) {
                double dot = 0;
                for (int k = 0; k < 6; k++)
                    dot += gs[k] * prev[k];
                if (dot < 0)
                    step *= o.relaxation;
            }
            if (step < o.min_step)
                break;
            for (int k = 0; k < 6; k++) {
                double dq = step * gs[k] / norm; /* move in scaled space */
                if (k < 3)
                    t->angle[k] += dq / scale[k];
                else
                    t->translation[k - 3] += dq;
                prev[k] = gs[k];
            }
            have_prev = 1;
        }
        context_free(&c);
        at_volume_free(fl);
        at_volume_free(ml);
        if (st)
            return st;
    }
    if (report) {
        report->metric = metric;
        report->iterations = total_it;
    }
    return AT_OK;
}

at_status at_mattes_mi(const at_volume *fixed, const at_volume *moving, const at_rigid *t,
                       const at_register_options *opt, double *mi)
{
    at_register_options o;
    if (opt)
        o = *opt;
    else
        at_register_options_default(&o);
    at_status st = check_options(&o);
    if (st)
        return st;
    mi_context c;
    st = context_init(&c, fixed, moving, o.fixed_mask, &o, o.seed + (uint64_t)(o.levels - 1) * 7919);
    if (!st)
        st = mi_evaluate(&c, t, mi, NULL);
    context_free(&c);
    return st;
}
