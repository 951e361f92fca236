/* Sliding-window inference (at_predict_volume) in 2D, 2.5D and 3D: one
 * window equals a plain forward pass; a model whose output is a constant
 * gives that constant everywhere after overlapping, weighted blending
 * (every voxel's weights sum correctly, windows flush with the edges,
 * partial last batches); bad arguments are refused. */
#include "support.h"

#include "atelier/learn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_model *model(at_unet_mode mode, int batch, int64_t size, uint64_t seed)
{
    at_unet_config c;
    at_unet_config_default(&c);
    c.mode = mode;
    c.neighbours = 1;
    c.base = 2;
    c.depth = 1;
    int64_t sp[3] = {size, size, size};
    at_model *m = NULL;
    assert_int_equal(at_model_create(&c, batch, sp, seed, &m), AT_OK);
    return m;
}

static at_model *tiny_model(uint64_t seed)
{
    return model(AT_MODE_2D, 2, 8, seed);
}

static void fill(float *v, size_t n, uint64_t seed)
{
    at_rng r;
    at_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)at_rng_normal(&r);
}

static void assert_close(const float *a, const float *b, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs((double)a[i] - b[i]) <= tol * (1 + fabs(b[i]))))
            fail_msg("element %zu: %.7g vs %.7g", i, (double)a[i], (double)b[i]);
}

/* Zero every parameter but the head's bias (= c): the output is c. */
static void make_constant(at_model *m, float c)
{
    for (size_t i = 0; i < at_model_param_count(m); i++) {
        at_param p;
        assert_int_equal(at_model_param(m, i, &p), AT_OK);
        size_t len = strlen(p.name);
        float v = len > 12 && !strcmp(p.name + len - 12, ".running_var") ? 1.0f : 0.0f;
        if (!strcmp(p.name, "head.bias"))
            v = c;
        for (size_t k = 0; k < p.count; k++)
            p.data[k] = v;
    }
    /* the engine copies weights after an update: one optimiser step with
     * zero gradients and zero learning rate marks them changed */
    at_adamw *o = NULL;
    assert_int_equal(at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 0.0f, &o), AT_OK);
    at_model_zero_grad(m);
    at_adamw_step(o, 0.0f);
    at_adamw_free(o);
}

static void test_predict_2d(void **state)
{
    (void)state;
    at_model *m = tiny_model(4); /* 2D, batch 2, 8x8 */
    /* a volume of exactly one window per slice gives the plain forward */
    int64_t dhw[3] = {2, 8, 8};
    float vol[128], out[128], direct[128];
    fill(vol, 128, 9);
    assert_int_equal(at_predict_volume(m, vol, 1, dhw, 0.5f, out), AT_OK);
    assert_int_equal(at_model_forward(m, vol, direct, 0), AT_OK);
    for (int i = 0; i < 128; i++)
        assert_true(fabsf(out[i] - direct[i]) < 1e-5f);
    /* larger slices: overlapping windows, every voxel covered and finite */
    int64_t big[3] = {3, 12, 20};
    float *v2 = malloc(3 * 12 * 20 * sizeof(float)), *o2 = malloc(3 * 12 * 20 * sizeof(float));
    fill(v2, 3 * 12 * 20, 10);
    assert_int_equal(at_predict_volume(m, v2, 1, big, 0.25f, o2), AT_OK);
    for (int i = 0; i < 3 * 12 * 20; i++)
        assert_true(isfinite(o2[i]));
    /* wrong channel count, too small, bad overlap */
    assert_int_equal(at_predict_volume(m, v2, 2, big, 0.25f, o2), AT_ERR_ARG);
    int64_t tiny[3] = {1, 4, 20};
    assert_int_equal(at_predict_volume(m, v2, 1, tiny, 0.25f, o2), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "smaller than the model window"));
    assert_int_equal(at_predict_volume(m, v2, 1, big, 0.95f, o2), AT_ERR_ARG);
    free(v2);
    free(o2);
    at_model_free(m);
}

/* 2.5D: slice z sees slices z-1, z, z+1 (repeated at the ends) as channels;
 * 3 slices with batch 2: two passes, the second one partial. */
static void test_predict_25d_one_window(void **state)
{
    (void)state;
    at_model *m = model(AT_MODE_25D, 2, 8, 5);
    int64_t dhw[3] = {3, 8, 8};
    float vol[3 * 64], out[3 * 64], in[2 * 3 * 64], direct[2 * 64];
    fill(vol, 3 * 64, 12);
    assert_int_equal(at_predict_volume(m, vol, 1, dhw, 0.5f, out), AT_OK);
    for (int z0 = 0; z0 < 3; z0 += 2) {
        memset(in, 0, sizeof in);
        for (int b = 0; b < 2 && z0 + b < 3; b++)
            for (int c = 0; c < 3; c++) {
                int z = z0 + b + c - 1;
                z = z < 0 ? 0 : z > 2 ? 2 : z;
                memcpy(in + (b * 3 + c) * 64, vol + z * 64, 64 * sizeof(float));
            }
        assert_int_equal(at_model_forward(m, in, direct, 0), AT_OK);
        assert_close(out + z0 * 64, direct, (size_t)(z0 ? 1 : 2) * 64, 1e-6);
    }
    /* the volume has one channel: the model's 3 are its neighbours */
    assert_int_equal(at_predict_volume(m, vol, 3, dhw, 0.5f, out), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "the model takes 1"));
    at_model_free(m);
}

static void test_predict_3d_one_window(void **state)
{
    (void)state;
    at_model *m = model(AT_MODE_3D, 2, 8, 6);
    int64_t dhw[3] = {8, 8, 8};
    float *vol = malloc(512 * sizeof(float)), *out = malloc(512 * sizeof(float));
    float *in = calloc(2 * 512, sizeof(float)), *direct = malloc(2 * 512 * sizeof(float));
    fill(vol, 512, 13);
    assert_int_equal(at_predict_volume(m, vol, 1, dhw, 0.5f, out), AT_OK);
    memcpy(in, vol, 512 * sizeof(float));
    assert_int_equal(at_model_forward(m, in, direct, 0), AT_OK);
    assert_close(out, direct, 512, 1e-6);
    /* too small along depth */
    int64_t flat[3] = {4, 8, 8};
    assert_int_equal(at_predict_volume(m, vol, 1, flat, 0.5f, out), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "smaller than the model window"));
    free(vol);
    free(out);
    free(in);
    free(direct);
    at_model_free(m);
}

/* Overlapping windows blended with tent weights reproduce a constant
 * exactly where every voxel is covered (sizes not multiples of the
 * window, several overlaps, partial last batch). */
static void test_predict_constant_blend(void **state)
{
    (void)state;
    struct {
        at_unet_mode mode;
        int64_t dhw[3];
        float overlap;
    } cases[] = {{AT_MODE_2D, {3, 13, 21}, 0.5f},
                 {AT_MODE_25D, {5, 13, 21}, 0.25f},
                 {AT_MODE_25D, {2, 9, 8}, 0.0f},
                 {AT_MODE_3D, {11, 13, 9}, 0.5f},
                 {AT_MODE_3D, {9, 16, 10}, 0.75f}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        at_model *m = model(cases[i].mode, 3, 8, 7);
        make_constant(m, 2.5f);
        size_t n = (size_t)(cases[i].dhw[0] * cases[i].dhw[1] * cases[i].dhw[2]);
        float *vol = malloc(n * sizeof(float)), *out = malloc(n * sizeof(float));
        fill(vol, n, 14);
        assert_int_equal(at_predict_volume(m, vol, 1, cases[i].dhw, cases[i].overlap, out), AT_OK);
        for (size_t v = 0; v < n; v++)
            if (fabsf(out[v] - 2.5f) > 1e-5f)
                fail_msg("case %zu voxel %zu: %.7g, expected 2.5", i, v, (double)out[v]);
        free(vol);
        free(out);
        at_model_free(m);
    }
}

int main(void)
{
    at_learn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict_2d),
        cmocka_unit_test(test_predict_25d_one_window),
        cmocka_unit_test(test_predict_3d_one_window),
        cmocka_unit_test(test_predict_constant_blend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
