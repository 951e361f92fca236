/* bf16 in the learning engine: every base that builds in f32 builds and
 * trains in bf16 (2D, 2.5D, 3D; batch norm and none; ReLU and LeakyReLU),
 * and bf16 stays close to f32: the forward output, every gradient and a
 * short training run. Skipped on CPUs without AVX-512 (oneDNN has no bf16
 * kernels there; the model refuses bf16 with a message saying so). */
#include "support.h"

#include "atelier/learn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tolerances, measured on an AVX512_BF16 CPU (worst seen in brackets).
 * bf16 keeps 8 significant bits (rounding 2^-9 = 0.2%). With the identity
 * activation (LeakyReLU slope 1) the model is smooth and the gap is pure
 * rounding: a sharp check of every bf16 kernel. With ReLU, the gates of
 * pre-activations that bf16 rounding moves across zero flip, which changes
 * whole gradient paths (about 1% of the gates, hence ~10% of the gradient
 * norm) and batch norm amplifies it; the tolerance says so. */
#define FWD_TOL 4e-2           /* max |out_bf16 - out_f32| / max |out_f32| [0.020] */
#define SMOOTH_GRAD_TOL 6e-2   /* ||g_bf16 - g_f32|| / ||g_f32||, all parameters [0.029] */
#define SMOOTH_TENSOR_TOL 2e-1 /* the same for each parameter tensor [0.114] */
#define RELU_GRAD_TOL 3e-1     /* all parameters, ReLU [0.181] */
#define TRAIN_TOL 0.15         /* |loss_bf16 - loss_f32| / loss_f32 after 60 steps [0.027] */

static int have_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

static void fill(float *v, size_t n, uint64_t seed)
{
    at_rng r;
    at_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)at_rng_normal(&r);
}

static at_model *make(at_unet_mode mode, int base, at_norm_kind norm, float slope, int bf16, int batch,
                      int64_t size, uint64_t seed)
{
    at_unet_config c;
    at_unet_config_default(&c);
    c.mode = mode;
    c.base = base;
    c.depth = 2;
    c.norm = norm;
    c.relu_slope = slope;
    c.bf16 = bf16;
    int64_t sp[3] = {size, size, size};
    at_model *m = NULL;
    at_status st = at_model_create(&c, batch, sp, seed, &m);
    if (st != AT_OK)
        fail_msg("mode %d base %d norm %d bf16 %d: %s", (int)mode, base, (int)norm, bf16, at_error_message());
    return m;
}

/* One training step and one inference pass; both must be finite. */
static void one_step(at_model *m)
{
    size_t ni = at_model_input_size(m), no = at_model_output_size(m);
    float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float)), *p = malloc(no * sizeof(float));
    fill(x, ni, 1);
    fill(y, no, 2);
    at_adamw *o = NULL;
    float loss = NAN;
    assert_int_equal(at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 1e-2f, &o), AT_OK);
    at_model_zero_grad(m);
    assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
    if (at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss) != AT_OK)
        fail_msg("backward: %s", at_error_message());
    at_adamw_step(o, 1e-3f);
    assert_int_equal(at_model_forward(m, x, p, 0), AT_OK);
    assert_true(isfinite(loss));
    for (size_t i = 0; i < no; i++)
        assert_true(isfinite(p[i]));
    at_adamw_free(o);
    free(x);
    free(y);
    free(p);
}

/* Bases that are multiples of 8 but not 16 once failed in 2D bf16 (no
 * bf16 backward-weights for 8-channel-blocked transposed convolutions). */
static void test_bf16_every_base(void **state)
{
    (void)state;
    if (!have_avx512())
        skip();
    static const int bases[] = {3, 4, 8, 12, 16, 24, 40};
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
        for (int norm = 0; norm < 2; norm++) {
            at_norm_kind nk = norm ? AT_NORM_NONE : AT_NORM_BATCH;
            float slope = norm ? 0.01f : 0.0f;
            at_model *m = make(AT_MODE_2D, bases[i], nk, slope, 1, 2, 16, 1);
            one_step(m);
            at_model_free(m);
            if (bases[i] <= 24) {
                m = make(AT_MODE_25D, bases[i], nk, slope, 1, 2, 16, 1);
                one_step(m);
                at_model_free(m);
                m = make(AT_MODE_3D, bases[i], nk, slope, 1, 1, 8, 1);
                one_step(m);
                at_model_free(m);
            }
        }
    }
}

static double max_rel(const float *a, const float *b, size_t n)
{
    double num = 0, den = 1e-30;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        num = d > num || isnan(d) ? d : num;
        den = fmax(den, fabs(b[i]));
    }
    return num / den;
}

static double sq(const float *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * a[i];
    return s;
}

static double norm_rel(const float *a, const float *b, size_t n)
{
    double num = 0, den = 1e-30;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        num += d * d;
        den += (double)b[i] * b[i];
    }
    return sqrt(num / den);
}

/* bf16 against f32 from the same weights: output and every gradient (MSE:
 * L1's sign gradient would add flips of its own). */
static void compare_once(at_unet_mode mode, int base, at_norm_kind norm, float slope, int batch, int64_t size)
{
    at_model *f = make(mode, base, norm, slope, 0, batch, size, 11);
    at_model *h = make(mode, base, norm, slope, 1, batch, size, 11);
    size_t ni = at_model_input_size(f), no = at_model_output_size(f);
    float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float));
    float *pf = malloc(no * sizeof(float)), *ph = malloc(no * sizeof(float));
    fill(x, ni, 3);
    fill(y, no, 4);
    float lf, lh;
    at_model_zero_grad(f);
    at_model_zero_grad(h);
    assert_int_equal(at_model_forward(f, x, pf, 1), AT_OK);
    assert_int_equal(at_model_forward(h, x, ph, 1), AT_OK);
    double e = max_rel(ph, pf, no);
    printf("mode %d base %d norm %d slope %g: bf16 forward relative error %.3g (tolerance %g)\n", (int)mode,
           base, (int)norm, (double)slope, e, FWD_TOL);
    assert_true(e < FWD_TOL);
    assert_int_equal(at_model_backward(f, y, NULL, AT_LOSS_MSE, 1.0f, &lf), AT_OK);
    assert_int_equal(at_model_backward(h, y, NULL, AT_LOSS_MSE, 1.0f, &lh), AT_OK);
    double worst = 0, gnum = 0, gden = 1e-30;
    const char *worst_name = "";
    for (size_t i = 0; i < at_model_param_count(f); i++) {
        at_param a, b;
        at_model_param(f, i, &a);
        at_model_param(h, i, &b);
        if (!a.trainable)
            continue;
        double g = norm_rel(b.grad, a.grad, a.count);
        gnum += g * g * sq(a.grad, a.count);
        gden += sq(a.grad, a.count);
        if (g > worst) {
            worst = g;
            worst_name = a.name;
        }
    }
    double global = sqrt(gnum / gden);
    int smooth = slope == 1.0f;
    printf("  gradients: all %.3g (tolerance %g), worst tensor %.3g in %s (tolerance %g)\n", global,
           smooth ? SMOOTH_GRAD_TOL : RELU_GRAD_TOL, worst, worst_name, smooth ? SMOOTH_TENSOR_TOL : 1.0);
    assert_true(global < (smooth ? SMOOTH_GRAD_TOL : RELU_GRAD_TOL));
    assert_true(worst < (smooth ? SMOOTH_TENSOR_TOL : 1.0));
    free(x);
    free(y);
    free(pf);
    free(ph);
    at_model_free(f);
    at_model_free(h);
}

static void test_bf16_matches_f32(void **state)
{
    (void)state;
    if (!have_avx512())
        skip();
    for (int n = 0; n < 2; n++) {
        at_norm_kind norm = n ? AT_NORM_NONE : AT_NORM_BATCH;
        compare_once(AT_MODE_2D, 16, norm, 1.0f, 2, 32);
        compare_once(AT_MODE_2D, 8, norm, 1.0f, 2, 32);
        compare_once(AT_MODE_25D, 16, norm, 1.0f, 2, 16);
        compare_once(AT_MODE_3D, 16, norm, 1.0f, 2, 8);
        compare_once(AT_MODE_2D, 16, norm, 0.0f, 2, 32);
        compare_once(AT_MODE_3D, 16, norm, 0.0f, 2, 8);
    }
}

/* A smooth toy mapping: target = tanh(2x) + 0.3 x^2 of a blurred input. */
static void toy_batch(float *x, float *y, size_t n, uint64_t seed)
{
    fill(x, n, seed);
    for (size_t i = n - 1; i > 0; i--)
        x[i] = 0.5f * (x[i] + x[i - 1]);
    for (size_t i = 0; i < n; i++)
        y[i] = tanhf(2.0f * x[i]) + 0.3f * x[i] * x[i];
}

static float train_loss(int bf16, float *first)
{
    at_model *m = make(AT_MODE_2D, 16, AT_NORM_BATCH, 0, bf16, 4, 16, 21);
    size_t n = at_model_input_size(m);
    float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float)), loss = 0, avg = 0;
    at_adamw *o = NULL;
    assert_int_equal(at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 1e-2f, &o), AT_OK);
    enum { STEPS = 60 };
    for (int s = 0; s < STEPS; s++) {
        toy_batch(x, y, n, 100 + (uint64_t)(s % 6));
        at_model_zero_grad(m);
        assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
        assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_OK);
        at_adamw_step(o, 3e-3f);
        if (s == 0)
            *first = loss;
        if (s >= STEPS - 6)
            avg += loss / 6; /* the last pass over the six batches */
    }
    at_adamw_free(o);
    at_model_free(m);
    free(x);
    free(y);
    return avg;
}

static void test_bf16_trains_like_f32(void **state)
{
    (void)state;
    if (!have_avx512())
        skip();
    float f0, h0;
    float lf = train_loss(0, &f0), lh = train_loss(1, &h0);
    double rel = fabs(lh - lf) / lf;
    printf("training: f32 loss %.4f -> %.4f, bf16 %.4f -> %.4f (relative gap %.3g, tolerance %g)\n", f0, lf,
           h0, lh, rel, TRAIN_TOL);
    assert_true(lf < 0.5f * f0); /* it learnt something */
    assert_true(rel < TRAIN_TOL);
}

/* bf16 is refused where it cannot run, saying what to change. */
static void test_bf16_refusals(void **state)
{
    (void)state;
    at_unet_config c;
    at_unet_config_default(&c);
    c.base = 4;
    c.depth = 1;
    c.norm = AT_NORM_GROUP;
    c.groups = 2;
    c.bf16 = 1;
    int64_t sp[2] = {8, 8};
    at_model *m = (at_model *)1;
    assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_ERR_UNSUPPORTED);
    assert_null(m);
    assert_non_null(strstr(at_error_message(), "bf16 = false"));
}

int main(void)
{
    at_learn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bf16_every_base),
        cmocka_unit_test(test_bf16_matches_f32),
        cmocka_unit_test(test_bf16_trains_like_f32),
        cmocka_unit_test(test_bf16_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
