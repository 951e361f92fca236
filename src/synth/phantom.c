/* Synthetic head and pelvis phantoms built from ellipsoids and shells,
 * rendered as CT (HU) and T1-weighted MRI (bright fat, grey muscle, dark
 * bone and air, smooth bias field, Rician noise) with partial volume by
 * supersampling and a small rigid misalignment between the two. */
#include "atelier/phantom.h"

#include <math.h>
#include <string.h>

typedef struct {
    double c[3], r[3];
} ellipsoid;

/* Per-patient anatomy, drawn from the seed. */
typedef struct {
    at_phantom_region region;
    double pose[3];                                       /* small rotation of the anatomy (rad) */
    double shift[3];                                      /* mm */
    ellipsoid body;                                       /* head or pelvis outline */
    ellipsoid neck;                                       /* head only: neck below the skull */
    double skin, fat, muscle, cortex, diploe, inner, csf; /* shell thickness (mm) */
    double skull_base_z;                                  /* head: below this, no cranial vault */
    ellipsoid cavity[4];                                  /* sinuses or rectal gas */
    int ncavity;
    ellipsoid fluid[3]; /* ventricles or bladder */
    int nfluid;
    ellipsoid bone[6]; /* pelvis: iliac wings, femoral heads, sacrum; head: vertebra */
    int nbone;
    ellipsoid organ; /* pelvis: prostate / uterus */
    double hu[AT_TISSUE_COUNT], t1[AT_TISSUE_COUNT];
    double bias[10];  /* quadratic bias field coefficients */
    double pose_r[9]; /* rotation matrix of pose */
} anatomy;

void at_phantom_options_default(at_phantom_options *o, at_phantom_region region)
{
    memset(o, 0, sizeof *o);
    o->region = region;
    o->seed = 1;
    o->supersample = 2;
    o->dicom = 1;
    if (region == AT_PHANTOM_HEAD) {
        o->dim[0] = 96;
        o->dim[1] = 96;
        o->dim[2] = 72;
    } else {
        o->dim[0] = 144;
        o->dim[1] = 96;
        o->dim[2] = 56;
    }
    o->spacing[0] = o->spacing[1] = 2.5;
    o->spacing[2] = 3.0;
}

static double uni(at_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * at_rng_uniform(r);
}

static void anatomy_draw(anatomy *a, at_phantom_region region, at_rng *r)
{
    memset(a, 0, sizeof *a);
    a->region = region;
    for (int i = 0; i < 3; i++) {
        a->pose[i] = uni(r, -4, 4) * M_PI / 180.0;
        a->shift[i] = uni(r, -5, 5);
    }
    a->skin = uni(r, 1.2, 2.0);
    a->fat = uni(r, 2.0, 6.0);
    a->muscle = uni(r, 1.0, 3.0);
    a->cortex = uni(r, 1.8, 3.0);
    a->diploe = uni(r, 2.0, 4.5);
    a->inner = uni(r, 1.2, 2.2);
    a->csf = uni(r, 1.5, 3.0);
    double s = uni(r, 0.9, 1.1);
    /* tissue values: CT HU and T1 signal, varied a little per patient */
    a->hu[AT_TISSUE_AIR] = -1000;
    a->hu[AT_TISSUE_SKIN] = uni(r, 20, 60);
    a->hu[AT_TISSUE_FAT] = uni(r, -120, -80);
    a->hu[AT_TISSUE_MUSCLE] = uni(r, 35, 60);
    a->hu[AT_TISSUE_CORTICAL] = uni(r, 1200, 1700);
    a->hu[AT_TISSUE_CANCELLOUS] = uni(r, 250, 450);
    a->hu[AT_TISSUE_GREY] = uni(r, 35, 45);
    a->hu[AT_TISSUE_WHITE] = uni(r, 22, 32);
    a->hu[AT_TISSUE_FLUID] = uni(r, 2, 15);
    a->hu[AT_TISSUE_CAVITY] = uni(r, -1000, -900);
    a->t1[AT_TISSUE_AIR] = 0;
    a->t1[AT_TISSUE_SKIN] = uni(r, 450, 550);
    a->t1[AT_TISSUE_FAT] = uni(r, 800, 950);
    a->t1[AT_TISSUE_MUSCLE] = uni(r, 300, 380);
    a->t1[AT_TISSUE_CORTICAL] = uni(r, 10, 40);
    a->t1[AT_TISSUE_CANCELLOUS] = uni(r, 380, 520);
    a->t1[AT_TISSUE_GREY] = uni(r, 420, 480);
    a->t1[AT_TISSUE_WHITE] = uni(r, 560, 640);
    a->t1[AT_TISSUE_FLUID] = uni(r, 60, 120);
    a->t1[AT_TISSUE_CAVITY] = uni(r, 0, 15);
    for (int i = 0; i < 10; i++)
        a->bias[i] = uni(r, -0.15, 0.15);
    if (region == AT_PHANTOM_HEAD) {
        a->body = (ellipsoid){{0, 0, 15}, {uni(r, 66, 76) * s, uni(r, 82, 94) * s, uni(r, 88, 98) * s}};
        a->neck = (ellipsoid){{0, 10, -90}, {uni(r, 45, 55) * s, uni(r, 50, 60) * s, 80}};
        a->skull_base_z = uni(r, -35, -25);
        /* vertebra in the neck (posterior is +y in LPS) */
        a->bone[0] = (ellipsoid){{0, uni(r, 15, 25), -110}, {uni(r, 10, 14), uni(r, 10, 14), 70}};
        a->nbone = 1;
        /* maxillary and frontal sinuses (anterior is -y) */
        double mx = uni(r, 20, 28), my = -a->body.r[1] * 0.55;
        double mr[3] = {uni(r, 9, 14), uni(r, 12, 18), uni(r, 12, 16)};
        a->cavity[0] = (ellipsoid){{mx, my, -20}, {mr[0], mr[1], mr[2]}};
        a->cavity[1] = (ellipsoid){{-mx, my, -20}, {mr[0], mr[1], mr[2]}};
        a->cavity[2] =
            (ellipsoid){{0, -a->body.r[1] * 0.78, 30}, {uni(r, 8, 14), uni(r, 5, 8), uni(r, 6, 10)}};
        a->ncavity = 3;
        /* lateral ventricles */
        double vx = uni(r, 6, 10);
        double vr[3] = {uni(r, 4, 7), uni(r, 20, 30), uni(r, 7, 12)};
        a->fluid[0] = (ellipsoid){{vx, 0, 30}, {vr[0], vr[1], vr[2]}};
        a->fluid[1] = (ellipsoid){{-vx, 0, 30}, {vr[0], vr[1], vr[2]}};
        a->nfluid = 2;
    } else {
        a->fat = uni(r, 10, 30);
        a->muscle = uni(r, 6, 12);
        a->body = (ellipsoid){{0, 0, 0}, {uni(r, 150, 175) * s, uni(r, 95, 115) * s, 400}};
        double ix = uni(r, 70, 85);
        a->bone[0] = (ellipsoid){{ix, 10, 40}, {uni(r, 12, 18), uni(r, 35, 45), 60}};
        a->bone[1] = (ellipsoid){{-ix, 10, 40}, {a->bone[0].r[0], a->bone[0].r[1], 60}};
        double fx = uni(r, 80, 95), fr = uni(r, 20, 25);
        a->bone[2] = (ellipsoid){{fx, 0, -40}, {fr, fr, fr}};
        a->bone[3] = (ellipsoid){{-fx, 0, -40}, {fr, fr, fr}};
        a->bone[4] = (ellipsoid){{0, uni(r, 60, 75), 40}, {uni(r, 25, 35), uni(r, 15, 20), 70}};
        a->bone[5] = (ellipsoid){{0, -uni(r, 55, 70), -45}, {uni(r, 35, 45), 8, 10}}; /* pubis */
        a->nbone = 6;
        a->fluid[0] = (ellipsoid){{0, -uni(r, 25, 40), uni(r, -5, 15)},
                                  {uni(r, 30, 45), uni(r, 20, 32), uni(r, 20, 35)}};
        a->nfluid = 1;
        a->cavity[0] =
            (ellipsoid){{0, uni(r, 35, 45), uni(r, -20, 10)}, {uni(r, 8, 14), uni(r, 8, 14), uni(r, 10, 20)}};
        a->ncavity = 1;
        a->organ = (ellipsoid){{0, uni(r, 5, 15), -30}, {uni(r, 18, 25), uni(r, 15, 20), uni(r, 15, 22)}};
    }
}

/* Normalised radius of p in e (< 1 inside) and the radial depth below the
 * surface in mm (approximate distance, positive inside). */
static double ellipsoid_depth(const ellipsoid *e, const double p[3], double *rho)
{
    double q[3], r2 = 0, d2 = 0;
    for (int i = 0; i < 3; i++) {
        q[i] = p[i] - e->c[i];
        r2 += (q[i] / e->r[i]) * (q[i] / e->r[i]);
        d2 += q[i] * q[i];
    }
    double r = sqrt(r2);
    *rho = r;
    if (r < 1e-9)
        return 1e9;
    return sqrt(d2) * (1.0 / r - 1.0);
}

static int inside(const ellipsoid *e, const double p[3])
{
    double rho;
    ellipsoid_depth(e, p, &rho);
    return rho < 1.0;
}

/* Tissue at anatomical point p (mm, LPS about the anatomy centre). */
static int tissue_at(const anatomy *a, const double p[3])
{
    for (int i = 0; i < a->ncavity; i++)
        if (inside(&a->cavity[i], p))
            return AT_TISSUE_CAVITY;
    double rho;
    double d = ellipsoid_depth(&a->body, p, &rho);
    if (a->region == AT_PHANTOM_HEAD) {
        double rn;
        double dn = ellipsoid_depth(&a->neck, p, &rn);
        int in_head = rho < 1, in_neck = rn < 1 && p[2] < a->body.c[2];
        if (!in_head && !in_neck)
            return AT_TISSUE_AIR;
        double depth = in_head ? d : dn;
        if (in_head && in_neck && dn > d)
            depth = dn;
        if (depth < a->skin)
            return AT_TISSUE_SKIN;
        if (depth < a->skin + a->fat)
            return AT_TISSUE_FAT;
        /* thin bone shell around each sinus */
        for (int i = 0; i < a->ncavity; i++) {
            ellipsoid sh = a->cavity[i];
            for (int k = 0; k < 3; k++)
                sh.r[k] += 2.0;
            if (inside(&sh, p))
                return AT_TISSUE_CORTICAL;
        }
        if (!in_head || p[2] < a->skull_base_z) {
            for (int i = 0; i < a->nbone; i++) {
                double rb;
                double db = ellipsoid_depth(&a->bone[i], p, &rb);
                if (rb < 1)
                    return db < 2.5 ? AT_TISSUE_CORTICAL : AT_TISSUE_CANCELLOUS;
            }
            return AT_TISSUE_MUSCLE;
        }
        double t = a->skin + a->fat + a->muscle;
        if (depth < t)
            return AT_TISSUE_MUSCLE;
        if (depth < (t += a->cortex))
            return AT_TISSUE_CORTICAL;
        if (depth < (t += a->diploe))
            return AT_TISSUE_CANCELLOUS;
        if (depth < (t += a->inner))
            return AT_TISSUE_CORTICAL;
        if (depth < (t += a->csf))
            return AT_TISSUE_FLUID;
        for (int i = 0; i < a->nfluid; i++)
            if (inside(&a->fluid[i], p))
                return AT_TISSUE_FLUID;
        return depth < t + 4.0 ? AT_TISSUE_GREY : AT_TISSUE_WHITE;
    }
    if (rho >= 1)
        return AT_TISSUE_AIR;
    if (d < a->skin)
        return AT_TISSUE_SKIN;
    if (d < a->skin + a->fat)
        return AT_TISSUE_FAT;
    if (d < a->skin + a->fat + a->muscle)
        return AT_TISSUE_MUSCLE;
    for (int i = 0; i < a->nbone; i++) {
        double rb;
        double db = ellipsoid_depth(&a->bone[i], p, &rb);
        if (rb < 1)
            return db < 3.0 ? AT_TISSUE_CORTICAL : AT_TISSUE_CANCELLOUS;
    }
    for (int i = 0; i < a->nfluid; i++) {
        double rf;
        double df = ellipsoid_depth(&a->fluid[i], p, &rf);
        if (rf < 1)
            return df < 2.0 ? AT_TISSUE_WHITE : AT_TISSUE_FLUID; /* bladder wall */
    }
    if (inside(&a->organ, p))
        return AT_TISSUE_GREY;
    /* pelvic floor and gluteal fat interleaved with muscle */
    double w = sin(p[0] * 0.045) * cos(p[1] * 0.05) + 0.3 * sin(p[2] * 0.04);
    return w > 0.55 ? AT_TISSUE_FAT : AT_TISSUE_MUSCLE;
}

/* World point -> anatomy point through the patient's pose. */
static void world_to_anatomy(const anatomy *a, const double p[3], double q[3])
{
    double s[3] = {p[0] - a->shift[0], p[1] - a->shift[1], p[2] - a->shift[2]};
    const double *r = a->pose_r;
    for (int i = 0; i < 3; i++)
        q[i] = r[i * 3] * s[0] + r[i * 3 + 1] * s[1] + r[i * 3 + 2] * s[2];
}

static double bias_field(const anatomy *a, const double p[3])
{
    double x = p[0] / 150, y = p[1] / 150, z = p[2] / 150;
    const double *b = a->bias;
    double e = b[0] * x + b[1] * y + b[2] * z + b[3] * x * x + b[4] * y * y + b[5] * z * z + b[6] * x * y +
               b[7] * y * z + b[8] * x * z;
    return exp(e);
}

void at_phantom_pair_free(at_phantom_pair *p)
{
    if (!p)
        return;
    at_volume_free(p->ct);
    at_volume_free(p->mr);
    at_volume_free(p->labels);
    memset(p, 0, sizeof *p);
}

at_status at_phantom_render(const at_phantom_options *o, int patient, at_phantom_pair *out)
{
    memset(out, 0, sizeof *out);
    if (o->supersample < 1 || o->supersample > 4 || patient < 0)
        return at_error_set(AT_ERR_ARG, "phantom: supersample must be 1..4 and patient >= 0");
    at_grid g;
    at_grid_init(&g, o->dim[0], o->dim[1], o->dim[2], o->spacing[0], o->spacing[1], o->spacing[2]);
    /* centre the grid on the patient origin */
    for (int a = 0; a < 3; a++)
        g.origin[a] = -0.5 * (g.dim[a] - 1) * g.spacing[a];
    at_status st = at_volume_new(&g, -1000.0f, &out->ct);
    if (!st)
        st = at_volume_new(&g, 0.0f, &out->mr);
    if (!st)
        st = at_volume_new(&g, 0.0f, &out->labels);
    if (st) {
        at_phantom_pair_free(out);
        return st;
    }
    at_rng rng;
    at_rng_seed(&rng, o->seed * 0x9E3779B97F4A7C15ull + (uint64_t)patient * 1000003ull + 17);
    anatomy a;
    anatomy_draw(&a, o->region, &rng);
    {
        at_rigid pose;
        at_rigid_identity(&pose);
        memcpy(pose.angle, a.pose, sizeof pose.angle);
        at_rigid_matrix(&pose, a.pose_r);
    }
    at_rigid *mis = &out->mr_to_ct;
    at_rigid_identity(mis);
    for (int i = 0; i < 3; i++) {
        mis->angle[i] = uni(&rng, -1.5, 1.5) * M_PI / 180.0;
        mis->translation[i] = uni(&rng, -2.0, 2.0);
    }
    double mr_r[9];
    at_rigid_matrix(mis, mr_r);
    const int ss = o->supersample;
    const double inv = 1.0 / (ss * ss * ss);
    const double ct_noise = 8.0, mr_noise = 12.0;
    for (int k = 0; k < g.dim[2]; k++)
        for (int j = 0; j < g.dim[1]; j++)
            for (int i = 0; i < g.dim[0]; i++) {
                double hu = 0, t1 = 0;
                int counts[AT_TISSUE_COUNT] = {0};
                for (int sk = 0; sk < ss; sk++)
                    for (int sj = 0; sj < ss; sj++)
                        for (int si = 0; si < ss; si++) {
                            double ijk[3] = {i + (si + 0.5) / ss - 0.5, j + (sj + 0.5) / ss - 0.5,
                                             k + (sk + 0.5) / ss - 0.5};
                            double p[3], q[3], pm[3];
                            at_grid_index_to_point(&g, ijk, p);
                            world_to_anatomy(&a, p, q);
                            int t = tissue_at(&a, q);
                            counts[t]++;
                            hu += a.hu[t];
                            /* the MRI shows the anatomy at the misaligned point */
                            /* MR(p) = anatomy(T^-1 p), so MR(T q) = CT(q); centre 0 */
                            double dp[3] = {p[0] - mis->translation[0], p[1] - mis->translation[1],
                                            p[2] - mis->translation[2]};
                            for (int r = 0; r < 3; r++)
                                pm[r] = mr_r[r] * dp[0] + mr_r[3 + r] * dp[1] + mr_r[6 + r] * dp[2];
                            world_to_anatomy(&a, pm, q);
                            t1 += a.t1[tissue_at(&a, q)];
                        }
                hu *= inv;
                t1 *= inv;
                int best = 0;
                for (int t = 1; t < AT_TISSUE_COUNT; t++)
                    if (counts[t] > counts[best])
                        best = t;
                size_t idx = at_volume_index(out->ct, i, j, k);
                double p0[3], ijk0[3] = {i, j, k};
                at_grid_index_to_point(&g, ijk0, p0);
                hu += ct_noise * at_rng_normal(&rng);
                if (hu < -1024)
                    hu = -1024;
                if (hu > 3071)
                    hu = 3071;
                t1 *= bias_field(&a, p0);
                double nr = t1 + mr_noise * at_rng_normal(&rng), ni = mr_noise * at_rng_normal(&rng);
                out->ct->data[idx] = (float)hu;
                out->mr->data[idx] = (float)sqrt(nr * nr + ni * ni); /* Rician */
                out->labels->data[idx] = (float)best;
            }
    return AT_OK;
}
