/* Parity of atelier's U-Net with PyTorch 1.13: tests/learn/make_parity.py
 * builds the same model in PyTorch at test time and dumps weights, input,
 * output, loss, every gradient and 10 AdamW losses; atelier loads the
 * weights from that safetensors file and must match (forward relative
 * error < 1e-4, gradients < 1e-3, losses < 1e-3), in 2D and 3D. */
#include "support.h"

#include "atelier/learn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* max |a-b| / max |b| */
static double rel_err(const float *a, const float *b, size_t n)
{
    double num = 0, den = 1e-12;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (d > num || isnan(d))
            num = d;
        if (fabs(b[i]) > den)
            den = fabs(b[i]);
    }
    return num / den;
}

static float *tensor_f32(const at_st_file *f, const char *name, size_t n)
{
    const at_st_tensor *t = at_st_find(f, name);
    if (!t) {
        fprintf(stderr, "missing %s\n", name);
        return NULL;
    }
    float *v = malloc(n * sizeof(float));
    if (at_st_to_f32(t, v, n) != AT_OK) {
        fprintf(stderr, "%s: %s\n", name, at_error_message());
        free(v);
        return NULL;
    }
    return v;
}

static int meta_int(const at_st_file *f, const char *key)
{
    const char *p = strstr(f->metadata_json, key);
    assert_non_null(p);
    p = strchr(p + strlen(key) + 1, '"');
    assert_non_null(p);
    return atoi(p + 1);
}

static char *dir; /* the fixtures of every case, made by one PyTorch run */

static int make_fixtures(void **state)
{
    (void)state;
    /* one kernel thread: fast and steady even on a shared, busy machine */
    at_learn_set_threads(1);
    dir = test_mkdtemp();
    char *out = NULL;
    int rc = test_run(&out, 1,
                      "/usr/bin/python3 '%s/tests/learn/make_parity.py' --dir '%s' 2d:batch:relu "
                      "3d:batch:relu 2d:group:leaky 3d:instance:relu 2d:none:leaky 2d:batch:leaky",
                      getenv("ATELIER_SOURCE_DIR"), dir);
    if (rc != 0)
        fprintf(stderr, "%s\n", out ? out : "");
    free(out);
    return rc == 0 ? 0 : -1;
}

static int remove_fixtures(void **state)
{
    (void)state;
    test_rmtree(dir);
    free(dir);
    return 0;
}

static void run_parity(const char *mode, const char *norm, const char *act)
{
    char path[4096];
    char *out = NULL;
    int rc;
    snprintf(path, sizeof path, "%s/parity_%s_%s_%s.safetensors", dir, mode, norm, act);

    at_st_file *f = NULL;
    assert_int_equal(at_st_read_file(path, 1u << 30, &f), AT_OK);
    at_unet_config cfg;
    at_unet_config_default(&cfg);
    int dims = meta_int(f, "\"dims\""), batch = meta_int(f, "\"batch\""),
        size = meta_int(f, "\"size\"");
    cfg.mode = dims == 3 ? AT_MODE_3D : AT_MODE_2D;
    cfg.base = meta_int(f, "\"base\"");
    cfg.depth = meta_int(f, "\"depth\"");
    cfg.norm = !strcmp(norm, "group")      ? AT_NORM_GROUP
               : !strcmp(norm, "instance") ? AT_NORM_INSTANCE
               : !strcmp(norm, "none")     ? AT_NORM_NONE
                                           : AT_NORM_BATCH;
    cfg.groups = 2;
    cfg.relu_slope = !strcmp(act, "leaky") ? 0.01f : 0.0f;
    int64_t spatial[3] = {size, size, size};
    at_model *m = NULL;
    assert_int_equal(at_model_create(&cfg, batch, spatial, 1, &m), AT_OK);
    if (at_checkpoint_load(path, m, NULL, NULL) != AT_OK)
        fail_msg("load: %s", at_error_message());

    size_t n_in = at_model_input_size(m), n_out = at_model_output_size(m);
    float *x = tensor_f32(f, "input", n_in), *y = tensor_f32(f, "target", n_out);
    float *want = tensor_f32(f, "output", n_out), *losses = tensor_f32(f, "losses", 10);
    float *loss0 = tensor_f32(f, "loss", 1);
    assert_true(x && y && want && losses && loss0);
    float *pred = malloc(n_out * sizeof(float));
    assert_int_equal(at_model_forward(m, x, pred, 1), AT_OK);
    double e = rel_err(pred, want, n_out);
    printf("%s forward relative error %.3g\n", mode, e);
    assert_true(e < 1e-4);

    at_model_zero_grad(m);
    float loss = 0;
    assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_OK);
    printf("%s loss %.7f torch %.7f\n", mode, loss, loss0[0]);
    assert_true(fabs(loss - loss0[0]) / fabs(loss0[0]) < 1e-4);
    double worst = 0;
    const char *worst_name = "";
    for (size_t i = 0; i < at_model_param_count(m); i++) {
        at_param p;
        assert_int_equal(at_model_param(m, i, &p), AT_OK);
        if (!p.trainable)
            continue;
        char name[160];
        snprintf(name, sizeof name, "grad.%s", p.name);
        float *g = tensor_f32(f, name, p.count);
        assert_non_null(g);
        double ge = rel_err(p.grad, g, p.count);
        if (ge > worst) {
            worst = ge;
            worst_name = p.name;
        }
        if (ge >= 1e-3)
            printf("%s gradient %s relative error %.3g\n", mode, p.name, ge);
        free(g);
    }
    printf("%s worst gradient relative error %.3g (%s)\n", mode, worst, worst_name);
    assert_true(worst < 1e-3);

    /* inference with running statistics (BN folded into the convolutions) */
    float *want_eval = tensor_f32(f, "eval_output", n_out);
    assert_non_null(want_eval);
    assert_int_equal(at_model_forward(m, x, pred, 0), AT_OK);
    e = rel_err(pred, want_eval, n_out);
    printf("%s inference relative error %.3g\n", mode, e);
    assert_true(e < 1e-4);
    free(want_eval);

    /* 10 AdamW steps from the same weights on the same batch */
    if (at_checkpoint_load(path, m, NULL, NULL) != AT_OK)
        fail_msg("reload: %s", at_error_message());
    at_adamw *opt = NULL;
    assert_int_equal(at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 1e-2f, &opt), AT_OK);
    for (int s = 0; s < 10; s++) {
        at_model_zero_grad(m);
        assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
        assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_OK);
        at_adamw_step(opt, 1e-3f);
        double le = fabs(loss - losses[s]) / fabs(losses[s]);
        printf("%s step %d loss %.7f torch %.7f rel %.3g\n", mode, s, loss, losses[s], le);
        assert_true(le < 1e-3);
    }

    /* the trained model loads in PyTorch (strict state_dict) and gives the
     * same inference output (batch norm cases: the others share the code) */
    if (strcmp(norm, "batch") || strcmp(act, "relu"))
        goto done;
    char ck[4200], tout[4200];
    snprintf(ck, sizeof ck, "%s/trained.safetensors", dir);
    snprintf(tout, sizeof tout, "%s/torch_out.safetensors", dir);
    assert_int_equal(at_checkpoint_save(ck, m, opt, NULL), AT_OK);
    assert_int_equal(at_model_forward(m, x, pred, 0), AT_OK);
    rc = test_run(&out, 1, "/usr/bin/python3 '%s/tests/learn/torch_load.py' '%s' '%s' '%s'",
                  getenv("ATELIER_SOURCE_DIR"), ck, path, tout);
    if (rc != 0)
        fprintf(stderr, "%s\n", out ? out : "");
    free(out);
    assert_int_equal(rc, 0);
    at_st_file *tf = NULL;
    assert_int_equal(at_st_read_file(tout, 1u << 30, &tf), AT_OK);
    float *tpred = tensor_f32(tf, "output", n_out);
    assert_non_null(tpred);
    e = rel_err(pred, tpred, n_out);
    printf("%s trained model in PyTorch: relative error %.3g\n", mode, e);
    assert_true(e < 1e-4);
    free(tpred);
    at_st_free(tf);
done:
    at_adamw_free(opt);
    free(x);
    free(y);
    free(want);
    free(losses);
    free(loss0);
    free(pred);
    at_model_free(m);
    at_st_free(f);
}

static void test_parity_2d(void **state)
{
    (void)state;
    run_parity("2d", "batch", "relu");
}

static void test_parity_3d(void **state)
{
    (void)state;
    run_parity("3d", "batch", "relu");
}

static void test_parity_2d_group(void **state)
{
    (void)state;
    run_parity("2d", "group", "leaky");
}

static void test_parity_3d_instance(void **state)
{
    (void)state;
    run_parity("3d", "instance", "relu");
}

static void test_parity_2d_batch_leaky(void **state)
{
    (void)state;
    run_parity("2d", "batch", "leaky");
}

static void test_parity_2d_nonorm(void **state)
{
    (void)state;
    run_parity("2d", "none", "leaky");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parity_2d),
        cmocka_unit_test(test_parity_3d),
        cmocka_unit_test(test_parity_2d_group),
        cmocka_unit_test(test_parity_3d_instance),
        cmocka_unit_test(test_parity_2d_nonorm),
        cmocka_unit_test(test_parity_2d_batch_leaky),
    };
    return cmocka_run_group_tests(tests, make_fixtures, remove_fixtures);
}
