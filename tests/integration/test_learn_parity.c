/* Parity of atelier's U-Net with PyTorch 1.13: tests/learn/make_parity.py
 * builds the same model in PyTorch at test time and dumps weights, input,
 * output, loss, every gradient and 10 AdamW losses; atelier loads the
 * weights from that safetensors file and must match (forward relative
 * error < 1e-4, gradients < 1e-3, losses < 1e-3): 2D, 2.5D and 3D; batch,
 * group, instance and no norm; ReLU and LeakyReLU; L1, MSE and masked
 * losses; base 16 (the default model's 16-channel-blocked layout from the
 * first convolution to the head). Then atelier checkpoints load in PyTorch
 * from the file alone (tests/learn/torch_load.py builds the model from the
 * checkpoint's metadata) and give the same output. */
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

/* The parity cases: MODE:NORM:ACT[:LOSS[:BASE]] (see make_parity.py). */
static const char *CASES[] = {
    "2d:batch:relu",    "3d:batch:relu",     "2d:group:leaky",          "3d:instance:relu",
    "2d:none:leaky",    "2d:batch:leaky",    "2d:batch:relu:mse:16",    "3d:group:relu",
    "2d:instance:relu", "2d:batch:relu:mse", "2d:batch:relu:masked_l1", "3d:batch:leaky:masked_mse",
    "25d:batch:relu",
};
#define NCASES (sizeof CASES / sizeof *CASES)

static int make_fixtures(void **state)
{
    (void)state;
    /* one kernel thread: fast and steady even on a shared, busy machine */
    at_learn_set_threads(1);
    dir = test_mkdtemp();
    char specs[2048] = "";
    for (size_t i = 0; i < NCASES; i++)
        snprintf(specs + strlen(specs), sizeof specs - strlen(specs), " %s", CASES[i]);
    char *out = NULL;
    int rc = test_run(&out, 1, "/usr/bin/python3 '%s/tests/learn/make_parity.py' --dir '%s'%s",
                      getenv("ATELIER_SOURCE_DIR"), dir, specs);
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

static void run_parity(const char *spec)
{
    char path[4096], mode[16] = "", norm[16] = "", act[16] = "", kind[16] = "l1";
    char *out = NULL;
    int rc;
    sscanf(spec, "%15[^:]:%15[^:]:%15[^:]:%15[^:]", mode, norm, act, kind);
    snprintf(path, sizeof path, "%s/parity_%s.safetensors", dir, spec);
    for (char *p = strrchr(path, '/'); *p; p++)
        if (*p == ':')
            *p = '_';

    at_st_file *f = NULL;
    assert_int_equal(at_st_read_file(path, 1u << 30, &f), AT_OK);
    at_unet_config cfg;
    at_unet_config_default(&cfg);
    int dims = meta_int(f, "\"dims\""), batch = meta_int(f, "\"batch\""), size = meta_int(f, "\"size\""),
        in_ch = meta_int(f, "\"in_channels\"");
    cfg.mode = dims == 3 ? AT_MODE_3D : in_ch > 1 ? AT_MODE_25D : AT_MODE_2D;
    cfg.neighbours = (in_ch - 1) / 2;
    cfg.base = meta_int(f, "\"base\"");
    cfg.depth = meta_int(f, "\"depth\"");
    cfg.norm = !strcmp(norm, "group")      ? AT_NORM_GROUP
               : !strcmp(norm, "instance") ? AT_NORM_INSTANCE
               : !strcmp(norm, "none")     ? AT_NORM_NONE
                                           : AT_NORM_BATCH;
    cfg.groups = 2;
    cfg.relu_slope = !strcmp(act, "leaky") ? 0.01f : 0.0f;
    at_loss_kind loss_kind = strstr(kind, "mse") ? AT_LOSS_MSE : AT_LOSS_L1;
    int masked = !strncmp(kind, "masked", 6);
    int64_t spatial[3] = {size, size, size};
    at_model *m = NULL;
    assert_int_equal(at_model_create(&cfg, batch, spatial, 1, &m), AT_OK);
    if (at_checkpoint_load(path, m, NULL, NULL) != AT_OK)
        fail_msg("load: %s", at_error_message());

    size_t n_in = at_model_input_size(m), n_out = at_model_output_size(m);
    float *x = tensor_f32(f, "input", n_in), *y = tensor_f32(f, "target", n_out);
    float *want = tensor_f32(f, "output", n_out), *losses = tensor_f32(f, "losses", 10);
    float *loss0 = tensor_f32(f, "loss", 1);
    float *mask = masked ? tensor_f32(f, "mask", n_out) : NULL;
    assert_true(x && y && want && losses && loss0 && (mask || !masked));
    float *pred = malloc(n_out * sizeof(float));
    assert_int_equal(at_model_forward(m, x, pred, 1), AT_OK);
    double e = rel_err(pred, want, n_out);
    printf("%s forward relative error %.3g\n", spec, e);
    assert_true(e < 1e-4);

    at_model_zero_grad(m);
    float loss = 0;
    assert_int_equal(at_model_backward(m, y, mask, loss_kind, 1.0f, &loss), AT_OK);
    printf("%s loss %.7f torch %.7f\n", spec, loss, loss0[0]);
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
            printf("%s gradient %s relative error %.3g\n", spec, p.name, ge);
        free(g);
    }
    printf("%s worst gradient relative error %.3g (%s)\n", spec, worst, worst_name);
    assert_true(worst < 1e-3);

    /* inference with running statistics (BN folded into the convolutions) */
    float *want_eval = tensor_f32(f, "eval_output", n_out);
    assert_non_null(want_eval);
    assert_int_equal(at_model_forward(m, x, pred, 0), AT_OK);
    e = rel_err(pred, want_eval, n_out);
    printf("%s inference relative error %.3g\n", spec, e);
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
        assert_int_equal(at_model_backward(m, y, mask, loss_kind, 1.0f, &loss), AT_OK);
        at_adamw_step(opt, 1e-3f);
        double le = fabs(loss - losses[s]) / fabs(losses[s]);
        printf("%s step %d loss %.7f torch %.7f rel %.3g\n", spec, s, loss, losses[s], le);
        assert_true(le < 1e-3);
    }

    /* the trained model loads in PyTorch (strict state_dict) and gives the
     * same inference output (batch norm cases: the others share the code) */
    if (strcmp(spec, "2d:batch:relu") && strcmp(spec, "3d:batch:relu"))
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
    printf("%s trained model in PyTorch: relative error %.3g\n", spec, e);
    assert_true(e < 1e-4);
    free(tpred);
    at_st_free(tf);
done:
    free(mask);
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

#define PARITY(name, spec)                                                                                   \
    static void name(void **state)                                                                           \
    {                                                                                                        \
        (void)state;                                                                                         \
        run_parity(spec);                                                                                    \
    }
PARITY(test_parity_2d_batch_relu, "2d:batch:relu")
PARITY(test_parity_3d_batch_relu, "3d:batch:relu")
PARITY(test_parity_2d_group_leaky, "2d:group:leaky")
PARITY(test_parity_3d_instance_relu, "3d:instance:relu")
PARITY(test_parity_2d_none_leaky, "2d:none:leaky")
PARITY(test_parity_2d_batch_leaky, "2d:batch:leaky")
PARITY(test_parity_2d_batch_relu_mse_16, "2d:batch:relu:mse:16")
PARITY(test_parity_3d_group_relu, "3d:group:relu")
PARITY(test_parity_2d_instance_relu, "2d:instance:relu")
PARITY(test_parity_2d_batch_relu_mse, "2d:batch:relu:mse")
PARITY(test_parity_2d_batch_relu_masked_l1, "2d:batch:relu:masked_l1")
PARITY(test_parity_3d_batch_leaky_masked_mse, "3d:batch:leaky:masked_mse")
PARITY(test_parity_25d_batch_relu, "25d:batch:relu")

/* Write one F32 tensor "input" as a safetensors file. */
static void write_input(const char *path, const float *x, const int64_t *shape, int ndim)
{
    size_t n = 1;
    char dims[128] = "";
    for (int i = 0; i < ndim; i++) {
        n *= (size_t)shape[i];
        snprintf(dims + strlen(dims), sizeof dims - strlen(dims), "%s%lld", i ? "," : "",
                 (long long)shape[i]);
    }
    char header[512];
    int hl = snprintf(header, sizeof header,
                      "{\"input\":{\"dtype\":\"F32\",\"shape\":[%s],\"data_offsets\":[0,%zu]}}", dims, n * 4);
    while (hl % 8)
        header[hl++] = ' ';
    size_t total = 8 + (size_t)hl + n * 4;
    unsigned char *buf = malloc(total);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(buf + 8, header, (size_t)hl);
    memcpy(buf + 8 + hl, x, n * 4);
    assert_int_equal(test_write_file(path, buf, total), 0);
    free(buf);
}

/* An atelier checkpoint of an unusual model (2.5D with group norm and
 * LeakyReLU and a custom eps; 3D instance norm with 2 input and 2 output
 * channels), trained a few steps, loads in PyTorch from the file alone
 * (torch_load.py reads the architecture from the metadata) and gives the
 * same inference output. */
static void test_torch_loads_from_metadata(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        at_unet_config c;
        at_unet_config_default(&c);
        c.base = 4;
        c.depth = 2;
        if (k == 0) {
            c.mode = AT_MODE_25D;
            c.neighbours = 1;
            c.norm = AT_NORM_GROUP;
            c.groups = 2;
            c.relu_slope = 0.1f;
            c.bn_eps = 1e-4f;
        } else {
            c.mode = AT_MODE_3D;
            c.in_channels = 2;
            c.out_channels = 2;
            c.norm = AT_NORM_INSTANCE;
        }
        int64_t size = k ? 8 : 16, spatial[3] = {size, size, size};
        at_model *m = NULL;
        assert_int_equal(at_model_create(&c, 2, spatial, 5, &m), AT_OK);
        size_t ni = at_model_input_size(m), no = at_model_output_size(m);
        float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float)),
              *pred = malloc(no * sizeof(float)), loss;
        at_rng r;
        at_rng_seed(&r, 99);
        for (size_t i = 0; i < ni; i++)
            x[i] = (float)at_rng_normal(&r);
        for (size_t i = 0; i < no; i++)
            y[i] = (float)at_rng_normal(&r);
        at_adamw *o = NULL;
        assert_int_equal(at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 1e-2f, &o), AT_OK);
        for (int s = 0; s < 3; s++) {
            at_model_zero_grad(m);
            assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
            assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_OK);
            at_adamw_step(o, 1e-2f);
        }
        assert_int_equal(at_model_forward(m, x, pred, 0), AT_OK);
        char ck[4200], in[4200], tout[4200];
        snprintf(ck, sizeof ck, "%s/meta%d.safetensors", dir, k);
        snprintf(in, sizeof in, "%s/meta_in%d.safetensors", dir, k);
        snprintf(tout, sizeof tout, "%s/meta_out%d.safetensors", dir, k);
        assert_int_equal(at_checkpoint_save(ck, m, o, NULL), AT_OK);
        int64_t shape[5] = {2, at_unet_input_channels(&c), size, size, size};
        write_input(in, x, shape, k ? 5 : 4);
        char *out = NULL;
        int rc = test_run(&out, 1, "/usr/bin/python3 '%s/tests/learn/torch_load.py' '%s' '%s' '%s'",
                          getenv("ATELIER_SOURCE_DIR"), ck, in, tout);
        if (rc != 0)
            fail_msg("torch_load.py: %s", out ? out : "");
        free(out);
        at_st_file *tf = NULL;
        assert_int_equal(at_st_read_file(tout, 1u << 30, &tf), AT_OK);
        float *tpred = tensor_f32(tf, "output", no);
        assert_non_null(tpred);
        double e = rel_err(pred, tpred, no);
        printf("%s checkpoint in PyTorch from its metadata alone: relative error %.3g\n",
               k ? "3d instance norm, 2 in / 2 out" : "2.5d group norm LeakyReLU", e);
        assert_true(e < 1e-4);
        free(tpred);
        at_st_free(tf);
        at_adamw_free(o);
        at_model_free(m);
        free(x);
        free(y);
        free(pred);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parity_2d_batch_relu),
        cmocka_unit_test(test_parity_3d_batch_relu),
        cmocka_unit_test(test_parity_2d_group_leaky),
        cmocka_unit_test(test_parity_3d_instance_relu),
        cmocka_unit_test(test_parity_2d_none_leaky),
        cmocka_unit_test(test_parity_2d_batch_leaky),
        cmocka_unit_test(test_parity_2d_batch_relu_mse_16),
        cmocka_unit_test(test_parity_3d_group_relu),
        cmocka_unit_test(test_parity_2d_instance_relu),
        cmocka_unit_test(test_parity_2d_batch_relu_mse),
        cmocka_unit_test(test_parity_2d_batch_relu_masked_l1),
        cmocka_unit_test(test_parity_3d_batch_leaky_masked_mse),
        cmocka_unit_test(test_parity_25d_batch_relu),
        cmocka_unit_test(test_torch_loads_from_metadata),
    };
    return cmocka_run_group_tests(tests, make_fixtures, remove_fixtures);
}
