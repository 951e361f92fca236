/* Unit tests: phantoms, rigid Mattes MI registration, SynthRAD metrics. */
#include "support.h"

#include "atelier/image.h"
#include "atelier/phantom.h"
#include "atelier/sct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void small_head(at_phantom_options *o, uint64_t seed)
{
    at_phantom_options_default(o, AT_PHANTOM_HEAD);
    o->seed = seed;
    o->dim[0] = 56;
    o->dim[1] = 60;
    o->dim[2] = 44;
    o->spacing[0] = o->spacing[1] = 4.0;
    o->spacing[2] = 4.5;
    o->supersample = 2;
    o->dicom = 0;
}

static void test_phantom_deterministic_and_plausible(void **state)
{
    (void)state;
    at_phantom_options o;
    small_head(&o, 5);
    at_phantom_pair a, b, c;
    assert_int_equal(at_phantom_render(&o, 2, &a), AT_OK);
    assert_int_equal(at_phantom_render(&o, 2, &b), AT_OK);
    assert_int_equal(at_phantom_render(&o, 3, &c), AT_OK);
    size_t n = at_grid_voxels(&a.ct->grid);
    assert_memory_equal(a.ct->data, b.ct->data, n * sizeof(float));
    assert_memory_equal(a.mr->data, b.mr->data, n * sizeof(float));
    assert_memory_not_equal(a.ct->data, c.ct->data, n * sizeof(float));
    /* mean values per tissue: bone bright in CT, bone and air dark in MRI,
     * fat bright in MRI and negative in CT */
    double ct[AT_TISSUE_COUNT] = {0}, mr[AT_TISSUE_COUNT] = {0};
    size_t cnt[AT_TISSUE_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        int t = (int)a.labels->data[i];
        assert_true(t >= 0 && t < AT_TISSUE_COUNT);
        ct[t] += a.ct->data[i];
        mr[t] += a.mr->data[i];
        cnt[t]++;
        assert_true(a.ct->data[i] >= -1024 && a.ct->data[i] <= 3071);
    }
    for (int t = 0; t < AT_TISSUE_COUNT; t++)
        if (cnt[t]) {
            ct[t] /= (double)cnt[t];
            mr[t] /= (double)cnt[t];
        }
    assert_true(cnt[AT_TISSUE_CORTICAL] > 100 && cnt[AT_TISSUE_WHITE] > 100 && cnt[AT_TISSUE_FAT] > 50);
    assert_true(ct[AT_TISSUE_CORTICAL] > 700);
    assert_true(ct[AT_TISSUE_AIR] < -900);
    assert_true(ct[AT_TISSUE_FAT] < -30);
    assert_true(mr[AT_TISSUE_AIR] < 60);
    assert_true(mr[AT_TISSUE_CORTICAL] < 0.5 * mr[AT_TISSUE_WHITE]);
    assert_true(mr[AT_TISSUE_FAT] > mr[AT_TISSUE_WHITE]);
    at_phantom_pair_free(&a);
    at_phantom_pair_free(&b);
    at_phantom_pair_free(&c);
}

static void test_register_recovers_known_motion(void **state)
{
    (void)state;
    at_phantom_options o;
    small_head(&o, 9);
    at_phantom_pair p;
    assert_int_equal(at_phantom_render(&o, 0, &p), AT_OK);
    /* a larger known motion than the phantom's own: move the MRI further */
    at_rigid extra;
    at_rigid_identity(&extra);
    extra.angle[0] = 3.0 * M_PI / 180;
    extra.angle[2] = -2.0 * M_PI / 180;
    extra.translation[0] = 4.0;
    extra.translation[1] = -3.0;
    extra.translation[2] = 2.5;
    /* moving(x) = mr(extra(x)): a CT point q is at extra^-1(T(q)) in moving;
     * compare through points instead of composing Euler angles. */
    at_volume *moving;
    assert_int_equal(at_volume_resample(p.mr, &p.mr->grid, &extra, AT_INTERP_BSPLINE3, 0, &moving), AT_OK);
    at_register_options ro;
    at_register_options_default(&ro);
    ro.samples = 8000;
    at_rigid t;
    at_rigid_identity(&t);
    at_register_report rep;
    double mi0;
    assert_int_equal(at_mattes_mi(p.ct, moving, &t, &ro, &mi0), AT_OK);
    assert_int_equal(at_register_rigid(p.ct, moving, &ro, &t, &rep), AT_OK);
    assert_true(rep.metric > mi0);
    /* expected: x -> extra^-1(T(x)); check at points in the head */
    double r_e[9];
    at_rigid_matrix(&extra, r_e);
    double worst = 0;
    for (int q = 0; q < 27; q++) {
        double x[3] = {(q % 3 - 1) * 50.0, (q / 3 % 3 - 1) * 50.0, (q / 9 - 1) * 50.0};
        double tx[3], want[3], got[3], d[3];
        at_rigid_apply(&p.mr_to_ct, x, tx);
        for (int i = 0; i < 3; i++)
            d[i] = tx[i] - extra.translation[i];
        for (int i = 0; i < 3; i++) /* R^T d (centre 0) */
            want[i] = r_e[i] * d[0] + r_e[3 + i] * d[1] + r_e[6 + i] * d[2];
        at_rigid_apply(&t, x, got);
        double e = sqrt((got[0] - want[0]) * (got[0] - want[0]) + (got[1] - want[1]) * (got[1] - want[1]) +
                        (got[2] - want[2]) * (got[2] - want[2]));
        worst = e > worst ? e : worst;
    }
    /* 0.5 mm at the centre and 0.5 degree over 87 mm (corner of the cube) */
    print_message("registration: worst point error %.3f mm within 87 mm of the centre\n", worst);
    assert_true(worst < 0.5 + 87 * 0.5 * M_PI / 180);
    double c0[3] = {0, 0, 0}, gc[3], tc[3], wc[3], dc[3];
    at_rigid_apply(&t, c0, gc);
    at_rigid_apply(&p.mr_to_ct, c0, tc);
    for (int i = 0; i < 3; i++)
        dc[i] = tc[i] - extra.translation[i];
    for (int i = 0; i < 3; i++)
        wc[i] = r_e[i] * dc[0] + r_e[3 + i] * dc[1] + r_e[6 + i] * dc[2];
    double ec = sqrt((gc[0] - wc[0]) * (gc[0] - wc[0]) + (gc[1] - wc[1]) * (gc[1] - wc[1]) +
                     (gc[2] - wc[2]) * (gc[2] - wc[2]));
    assert_true(ec < 0.5);
    at_volume_free(moving);
    at_phantom_pair_free(&p);
}

/* Naive SSIM as the definition reads (7^3 window, sample covariance). */
static double naive_ssim(const float *x, const float *y, const float *m, int nx, int ny, int nz)
{
    double sum = 0;
    size_t cnt = 0;
    const double R = 4024, c1 = (0.01 * R) * (0.01 * R), c2 = (0.03 * R) * (0.03 * R);
    for (int k = 3; k < nz - 3; k++)
        for (int j = 3; j < ny - 3; j++)
            for (int i = 3; i < nx - 3; i++) {
                if (!(m[(k * ny + j) * nx + i] > 0))
                    continue;
                double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                for (int c = -3; c <= 3; c++)
                    for (int b = -3; b <= 3; b++)
                        for (int a = -3; a <= 3; a++) {
                            size_t p = ((size_t)(k + c) * ny + (j + b)) * nx + (i + a);
                            double u = x[p], v = y[p];
                            if (!(m[p] > 0))
                                u = v = -1024;
                            u = (u < -1024 ? -1024 : u > 3000 ? 3000 : u) + 1024;
                            v = (v < -1024 ? -1024 : v > 3000 ? 3000 : v) + 1024;
                            sx += u;
                            sy += v;
                            sxx += u * u;
                            syy += v * v;
                            sxy += u * v;
                        }
                double N = 343, mx = sx / N, my = sy / N;
                double vx = (sxx - N * mx * mx) / (N - 1), vy = (syy - N * my * my) / (N - 1);
                double vxy = (sxy - N * mx * my) / (N - 1);
                sum += (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                cnt++;
            }
    return sum / (double)cnt;
}

static void test_metrics_match_definitions(void **state)
{
    (void)state;
    at_grid g;
    at_grid_init(&g, 13, 11, 10, 1, 1, 1);
    at_volume *a, *b, *m;
    assert_int_equal(at_volume_new(&g, 0, &a), AT_OK);
    assert_int_equal(at_volume_new(&g, 0, &b), AT_OK);
    assert_int_equal(at_volume_new(&g, 0, &m), AT_OK);
    at_rng r;
    at_rng_seed(&r, 4);
    size_t n = at_grid_voxels(&g);
    double abs_sum = 0, sq = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++) {
        a->data[i] = (float)(at_rng_uniform(&r) * 4500 - 1200);
        b->data[i] = a->data[i] + (float)(at_rng_normal(&r) * 700);
        m->data[i] = at_rng_uniform(&r) < 0.7 ? 1.0f : 0.0f;
        if (m->data[i] > 0) {
            abs_sum += fabs(a->data[i] - b->data[i]);
            double x = a->data[i] < -1024 ? -1024 : a->data[i] > 3000 ? 3000 : a->data[i];
            double y = b->data[i] < -1024 ? -1024 : b->data[i] > 3000 ? 3000 : b->data[i];
            sq += (x - y) * (x - y);
            cnt++;
        }
    }
    at_sct_metrics mt;
    assert_int_equal(at_sct_metrics_compute(a, b, m, &mt), AT_OK);
    assert_true(fabs(mt.mae - abs_sum / (double)cnt) < 1e-6);
    assert_true(fabs(mt.psnr - 10 * log10(4024.0 * 4024.0 / (sq / (double)cnt))) < 1e-9);
    double ns = naive_ssim(a->data, b->data, m->data, 13, 11, 10);
    assert_true(fabs(mt.ssim - ns) < 1e-9);
    assert_true(mt.ssim > 0.2 && mt.ssim < 0.99);
    /* perfect prediction */
    assert_int_equal(at_sct_metrics_compute(a, a, m, &mt), AT_OK);
    assert_true(mt.mae == 0 && fabs(mt.ssim - 1) < 1e-12);
    /* empty mask */
    memset(m->data, 0, n * sizeof(float));
    assert_int_equal(at_sct_metrics_compute(a, b, m, &mt), AT_ERR_ARG);
    at_volume_free(a);
    at_volume_free(b);
    at_volume_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phantom_deterministic_and_plausible),
        cmocka_unit_test(test_register_recovers_known_motion),
        cmocka_unit_test(test_metrics_match_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
