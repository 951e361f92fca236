/* Unit tests for src/learn: config parsing, shape checks, safetensors
 * validation, checkpoints, reproducibility, NaN detection, masks and
 * schedules. Tiny shapes so the ASan run stays fast. */
#include "support.h"

#include "atelier/learn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tiny_config(at_unet_config *c)
{
    at_unet_config_default(c);
    c->base = 2;
    c->depth = 1;
}

static at_model *tiny_model(uint64_t seed)
{
    at_unet_config c;
    tiny_config(&c);
    int64_t sp[2] = {8, 8};
    at_model *m = NULL;
    assert_int_equal(at_model_create(&c, 2, sp, seed, &m), AT_OK);
    return m;
}

static void fill(float *v, size_t n, uint64_t seed)
{
    at_rng r;
    at_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)at_rng_normal(&r);
}

static void test_config_parse(void **state)
{
    (void)state;
    at_unet_config c;
    at_unet_config_default(&c);
    const char *ok = "# a comment\nmode = 3d\n  base=8  \ndepth = 3 # trailing\nnorm = none\n"
                     "lr = 0.01\nschedule = step\nbf16 = true\nseed = 99\n\n";
    assert_int_equal(at_unet_config_parse("a.cfg", ok, strlen(ok), &c), AT_OK);
    assert_int_equal(c.mode, AT_MODE_3D);
    assert_int_equal(c.base, 8);
    assert_int_equal(c.depth, 3);
    assert_int_equal(c.norm, AT_NORM_NONE);
    assert_int_equal(c.schedule, AT_SCHED_STEP);
    assert_int_equal(c.bf16, 1);
    assert_true(fabsf(c.lr - 0.01f) < 1e-9f);
    assert_true(c.seed == 99);

    const char *unknown = "base = 4\nlearning_rate = 3\n";
    assert_int_equal(at_unet_config_parse("b.cfg", unknown, strlen(unknown), &c), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "b.cfg:2"));
    assert_non_null(strstr(at_error_message(), "unknown key 'learning_rate'"));

    const char *bad = "depth = 99\n";
    assert_int_equal(at_unet_config_parse("c.cfg", bad, strlen(bad), &c), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "c.cfg:1: depth"));
    const char *noeq = "\n\nbase 4\n";
    assert_int_equal(at_unet_config_parse("d.cfg", noeq, strlen(noeq), &c), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "d.cfg:3"));
    char *longline = malloc(3000);
    memset(longline, 'a', 2999);
    longline[2999] = '\0';
    assert_int_equal(at_unet_config_parse("e.cfg", longline, 2999, &c), AT_ERR_LIMIT);
    free(longline);
    assert_int_equal(at_unet_config_load("/nonexistent/x.cfg", &c), AT_ERR_IO);
    /* data folders (read by the command line) */
    const char *data = "data = my cases/train  \nval_data=/abs/val\n";
    assert_int_equal(at_unet_config_parse("f.cfg", data, strlen(data), &c), AT_OK);
    assert_string_equal(c.data, "my cases/train");
    assert_string_equal(c.val_data, "/abs/val");
}

static void test_bad_shapes(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    c.depth = 3;
    int64_t sp[2] = {20, 16};
    at_model *m = (at_model *)1;
    assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_ERR_ARG);
    assert_null(m);
    assert_non_null(strstr(at_error_message(), "height 20 is not divisible by 2^depth = 8"));
    sp[0] = 16;
    assert_int_equal(at_model_create(&c, 0, sp, 1, &m), AT_ERR_ARG);
    c.depth = 0;
    assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_ERR_ARG);
    /* group norm with groups that do not divide the channels */
    c.depth = 1;
    c.norm = AT_NORM_GROUP;
    c.groups = 3;
    assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "not divisible by 3 groups"));
    assert_null(m);
    /* group norm has no bf16 path */
    c.groups = 2;
    c.bf16 = 1;
    assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_ERR_UNSUPPORTED);
    assert_null(m);
}

/* A tiny valid safetensors image with two F32 tensors. */
static size_t make_st(unsigned char *buf, const char *header)
{
    size_t hl = strlen(header);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(buf + 8, header, hl);
    float data[6] = {1, 2, 3, 4, 5, 6};
    memcpy(buf + 8 + hl, data, sizeof data);
    return 8 + hl + sizeof data;
}

static at_status parse_header(const char *header, size_t trim)
{
    unsigned char buf[1024];
    size_t n = make_st(buf, header);
    at_st_file *f = NULL;
    at_status st = at_st_parse(buf, n - trim, &f);
    at_st_free(f);
    return st;
}

static void test_safetensors_validation(void **state)
{
    (void)state;
    const char *good = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                       "\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                       "\"data_offsets\":[8,24]}}";
    unsigned char buf[1024];
    size_t n = make_st(buf, good);
    at_st_file *f = NULL;
    assert_int_equal(at_st_parse(buf, n, &f), AT_OK);
    assert_int_equal(f->count, 2);
    const at_st_tensor *b = at_st_find(f, "b");
    assert_non_null(b);
    float v[4];
    assert_int_equal(at_st_to_f32(b, v, 4), AT_OK);
    assert_true(v[0] == 3 && v[3] == 6);
    assert_int_equal(at_st_to_f32(b, v, 3), AT_ERR_FORMAT);
    assert_non_null(f->metadata_json);
    at_st_free(f);

    /* truncated data */
    assert_int_equal(parse_header(good, 4), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "outside"));
    /* header length beyond the file */
    n = make_st(buf, good);
    buf[0] = 0xff, buf[1] = 0xff;
    assert_int_equal(at_st_parse(buf, n, &f), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "truncated"));
    buf[5] = 0x01;
    assert_int_equal(at_st_parse(buf, n, &f), AT_ERR_LIMIT);
    assert_int_equal(at_st_parse(buf, 5, &f), AT_ERR_FORMAT);
    /* overlap */
    assert_int_equal(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                  "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                                  0),
                     AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "overlap"));
    /* shape vs bytes */
    assert_int_equal(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 0),
                     AT_ERR_FORMAT);
    /* bad dtype, bad json, negative offsets, duplicate */
    assert_int_equal(parse_header("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 0),
                     AT_ERR_UNSUPPORTED);
    assert_int_equal(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],", 0), AT_ERR_FORMAT);
    assert_int_equal(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 0),
                     AT_ERR_FORMAT);
    assert_int_equal(parse_header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                  "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
                                  0),
                     AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "twice"));
    assert_int_equal(parse_header("[1,2]", 0), AT_ERR_FORMAT);
}

static void test_safetensors_alloc_failures(void **state)
{
    (void)state;
    const char *good = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                       "\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                       "\"data_offsets\":[8,24]}}";
    unsigned char buf[1024];
    size_t n = make_st(buf, good);
    for (long k = 1; k < 20; k++) {
        at_st_file *f = NULL;
        at_alloc_fail_after(k);
        at_status st = at_st_parse(buf, n, &f);
        at_alloc_fail_after(0);
        if (st == AT_OK)
            assert_non_null(f);
        else
            assert_null(f);
        at_st_free(f);
    }
}

static void train_steps(at_model *m, at_adamw *o, int steps, const float *x, const float *y)
{
    for (int s = 0; s < steps; s++) {
        float loss;
        at_model_zero_grad(m);
        assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
        assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_OK);
        at_adamw_step(o, 1e-2f);
    }
}

static void test_reproducible_and_checkpoint(void **state)
{
    (void)state;
    at_model *a = tiny_model(5), *b = tiny_model(5);
    size_t ni = at_model_input_size(a), no = at_model_output_size(a);
    float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float));
    fill(x, ni, 1);
    fill(y, no, 2);
    at_adamw *oa, *ob;
    assert_int_equal(at_adamw_create(a, 0.9f, 0.999f, 1e-8f, 1e-2f, &oa), AT_OK);
    assert_int_equal(at_adamw_create(b, 0.9f, 0.999f, 1e-8f, 1e-2f, &ob), AT_OK);
    train_steps(a, oa, 3, x, y);
    train_steps(b, ob, 3, x, y);
    for (size_t i = 0; i < at_model_param_count(a); i++) {
        at_param pa, pb;
        at_model_param(a, i, &pa);
        at_model_param(b, i, &pb);
        assert_string_equal(pa.name, pb.name);
        assert_memory_equal(pa.data, pb.data, pa.count * sizeof(float));
    }
    /* checkpoint a, restore into a fresh model c, both continue identically */
    char *dir = test_mkdtemp();
    char path[4096];
    snprintf(path, sizeof path, "%s/ck.safetensors", dir);
    at_train_state ts = {.step = 3,
                         .epoch = 1,
                         .best_val = 0.5f,
                         .seed = 77,
                         .seconds = 1.5,
                         .steps_per_epoch = 2,
                         .epoch_loss_sum = 0.25};
    assert_int_equal(at_checkpoint_save(path, a, oa, &ts), AT_OK);
    at_model *c = tiny_model(999);
    at_adamw *oc;
    assert_int_equal(at_adamw_create(c, 0.9f, 0.999f, 1e-8f, 1e-2f, &oc), AT_OK);
    at_train_state back;
    memset(&back, 0, sizeof back);
    assert_int_equal(at_checkpoint_load(path, c, oc, &back), AT_OK);
    assert_true(back.step == 3 && back.epoch == 1);
    assert_true(back.seed == 77 && back.steps_per_epoch == 2 && back.epoch_loss_sum == 0.25);
    assert_true(fabs(back.seconds - 1.5) < 1e-9 && back.best_val == 0.5f);
    assert_true(at_adamw_steps(oc) == 3);
    assert_true(at_model_batches_tracked(c) == 3);
    train_steps(a, oa, 2, x, y);
    train_steps(c, oc, 2, x, y);
    for (size_t i = 0; i < at_model_param_count(a); i++) {
        at_param pa, pc;
        at_model_param(a, i, &pa);
        at_model_param(c, i, &pc);
        assert_memory_equal(pa.data, pc.data, pa.count * sizeof(float));
    }

    /* a model of another shape refuses the checkpoint, naming the tensor */
    at_unet_config cfg;
    tiny_config(&cfg);
    cfg.base = 4;
    int64_t sp[2] = {8, 8};
    at_model *d = NULL;
    assert_int_equal(at_model_create(&cfg, 2, sp, 1, &d), AT_OK);
    assert_int_equal(at_checkpoint_load(path, d, NULL, NULL), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "enc.0.conv1.weight"));
    assert_non_null(strstr(at_error_message(), "shape"));
    /* truncated and corrupt files */
    size_t len;
    unsigned char *bytes = test_read_file(path, &len);
    assert_non_null(bytes);
    char bad[4200];
    snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
    test_write_file(bad, bytes, len - 16);
    assert_int_equal(at_checkpoint_load(bad, c, NULL, NULL), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "bad.safetensors"));
    test_write_file(bad, bytes, 6);
    assert_int_equal(at_checkpoint_load(bad, c, NULL, NULL), AT_ERR_FORMAT);
    bytes[12] = '!';
    test_write_file(bad, bytes, len);
    assert_int_equal(at_checkpoint_load(bad, c, NULL, NULL), AT_ERR_FORMAT);
    free(bytes);

    at_adamw_free(oa);
    at_adamw_free(ob);
    at_adamw_free(oc);
    at_model_free(a);
    at_model_free(b);
    at_model_free(c);
    at_model_free(d);
    test_rmtree(dir);
    free(dir);
    free(x);
    free(y);
}

static void test_gradient_accumulation(void **state)
{
    (void)state;
    at_model *m = tiny_model(6);
    size_t ni = at_model_input_size(m), no = at_model_output_size(m), np = 0;
    float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float));
    fill(x, ni, 3);
    fill(y, no, 4);
    for (size_t i = 0; i < at_model_param_count(m); i++) {
        at_param p;
        at_model_param(m, i, &p);
        np += p.trainable ? p.count : 0;
    }
    float *once = malloc(np * sizeof(float)), loss;
    /* one backward with scale 1 ... */
    at_model_zero_grad(m);
    assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
    assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_OK);
    size_t k = 0;
    for (size_t i = 0; i < at_model_param_count(m); i++) {
        at_param p;
        at_model_param(m, i, &p);
        if (p.trainable)
            for (size_t j = 0; j < p.count; j++)
                once[k++] = p.grad[j];
    }
    /* ... equals two micro-batches (the same batch) with scale 1/2 each */
    at_model_zero_grad(m);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
        assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 0.5f, &loss), AT_OK);
    }
    k = 0;
    double worst = 0, big = 1e-12;
    for (size_t i = 0; i < at_model_param_count(m); i++) {
        at_param p;
        at_model_param(m, i, &p);
        if (p.trainable)
            for (size_t j = 0; j < p.count; j++, k++) {
                worst = fmax(worst, fabs(p.grad[j] - once[k]));
                big = fmax(big, fabs(once[k]));
            }
    }
    assert_true(worst / big < 1e-5);
    free(once);
    free(x);
    free(y);
    at_model_free(m);
}

static void test_nan_detection_and_mask(void **state)
{
    (void)state;
    at_model *m = tiny_model(3);
    size_t ni = at_model_input_size(m), no = at_model_output_size(m);
    float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float));
    float *mask = calloc(no, sizeof(float)), *pred = malloc(no * sizeof(float));
    fill(x, ni, 1);
    fill(y, no, 2);
    /* masked L1: only voxels with mask 1 count */
    for (size_t i = 0; i < no; i += 3)
        mask[i] = 1;
    float loss;
    assert_int_equal(at_model_forward(m, x, pred, 1), AT_OK);
    assert_int_equal(at_model_backward(m, y, mask, AT_LOSS_L1, 1.0f, &loss), AT_OK);
    double want = 0, cnt = 0;
    for (size_t i = 0; i < no; i += 3) {
        want += fabs(pred[i] - y[i]);
        cnt++;
    }
    assert_true(fabs(loss - want / cnt) < 1e-5);
    /* backward without a training forward is refused */
    assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_ERR_ARG);
    /* a NaN in the input is reported as such, not blamed on a layer */
    x[5] = NAN;
    assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
    assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_MSE, 1.0f, &loss), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "loss is NaN; the input batch holds a non-finite value"));
    assert_string_equal(at_model_bad_layer(m), "input");
    /* a NaN (or Inf) in the target or the mask: checked first, named */
    x[5] = 0;
    y[7] = INFINITY;
    assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
    assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "the target holds a non-finite value (Inf at element 7"));
    assert_string_equal(at_model_bad_layer(m), "target");
    y[7] = 0;
    mask[2] = NAN;
    assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
    assert_int_equal(at_model_backward(m, y, mask, AT_LOSS_L1, 1.0f, &loss), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "the mask holds a non-finite value (NaN at element 2"));
    free(x);
    free(y);
    free(mask);
    free(pred);
    at_model_free(m);
}

/* Set parameter name's element k to v and tell the engine the weights
 * changed (an optimiser step with zero gradients and learning rate). */
static void poke(at_model *m, const char *name, size_t k, float v)
{
    int found = 0;
    for (size_t i = 0; i < at_model_param_count(m); i++) {
        at_param p;
        at_model_param(m, i, &p);
        if (!strcmp(p.name, name)) {
            p.data[k] = v;
            found = 1;
        }
    }
    assert_true(found);
    at_adamw *o = NULL;
    assert_int_equal(at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 0.0f, &o), AT_OK);
    at_model_zero_grad(m);
    at_adamw_step(o, 0.0f);
    at_adamw_free(o);
}

/* A NaN born inside the model is named as the state_dict names the layer
 * (encoder, bottleneck, transposed convolution, decoder; batch norm,
 * group norm or none). */
static void test_nan_layer_names(void **state)
{
    (void)state;
    /* (with norm = none and ReLU a NaN channel dies in the ReLU: oneDNN
     * gives 0 for NaN; LeakyReLU keeps it) */
    struct {
        at_norm_kind norm;
        const char *param, *layer;
    } cases[] = {
        {AT_NORM_BATCH, "enc.0.conv2.weight", "enc.0.conv2"},
        {AT_NORM_BATCH, "enc.1.bn1.weight", "enc.1.bn1"},
        {AT_NORM_BATCH, "bottleneck.conv1.weight", "bottleneck.conv1"},
        {AT_NORM_BATCH, "bottleneck.bn2.bias", "bottleneck.bn2"},
        {AT_NORM_BATCH, "up.1.bias", "up.1"},
        {AT_NORM_BATCH, "dec.0.bn1.weight", "dec.0.bn1"},
        {AT_NORM_BATCH, "dec.1.conv2.weight", "dec.1.conv2"},
        {AT_NORM_BATCH, "head.bias", "head"},
        {AT_NORM_GROUP, "dec.0.gn2.bias", "dec.0.gn2"},
        {AT_NORM_NONE, "bottleneck.conv2.bias", "bottleneck.conv2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        at_unet_config c;
        tiny_config(&c);
        c.depth = 2;
        c.norm = cases[i].norm;
        c.groups = 2;
        c.relu_slope = cases[i].norm == AT_NORM_NONE ? 0.01f : 0.0f;
        int64_t sp[2] = {8, 8};
        at_model *m = NULL;
        assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_OK);
        size_t ni = at_model_input_size(m), no = at_model_output_size(m);
        float *x = malloc(ni * sizeof(float)), *y = malloc(no * sizeof(float)), loss;
        fill(x, ni, 1);
        fill(y, no, 2);
        poke(m, cases[i].param, 0, NAN);
        assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
        if (at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss) != AT_ERR_NUMERIC)
            fail_msg("NaN in %s: not detected (loss %g)", cases[i].param, (double)loss);
        if (strcmp(at_model_bad_layer(m), cases[i].layer))
            fail_msg("NaN in %s: blamed on '%s' (%s), expected %s", cases[i].param, at_model_bad_layer(m),
                     at_error_message(), cases[i].layer);
        char want[128];
        snprintf(want, sizeof want, "first non-finite output in layer %s", cases[i].layer);
        assert_non_null(strstr(at_error_message(), want));
        free(x);
        free(y);
        at_model_free(m);
    }
}

/* He initialisation: each convolution's weights are N(0, 2 / fan_in) with
 * fan_in = input channels x kernel volume (the transposed convolution's
 * input channels are its first axis); biases, BN shifts and running means
 * 0, BN scales and running variances 1; the same seed gives the same
 * weights, another seed others. */
static void test_he_init(void **state)
{
    (void)state;
    at_unet_config c;
    at_unet_config_default(&c);
    c.base = 16;
    c.depth = 2;
    for (int mode = 0; mode < 2; mode++) {
        c.mode = mode ? AT_MODE_3D : AT_MODE_2D;
        int64_t sp[3] = {8, 8, 8};
        at_model *m = NULL, *same = NULL, *other = NULL;
        assert_int_equal(at_model_create(&c, 1, sp, 42, &m), AT_OK);
        assert_int_equal(at_model_create(&c, 1, sp, 42, &same), AT_OK);
        assert_int_equal(at_model_create(&c, 1, sp, 43, &other), AT_OK);
        int convs = 0;
        for (size_t i = 0; i < at_model_param_count(m); i++) {
            at_param p, q, r;
            at_model_param(m, i, &p);
            at_model_param(same, i, &q);
            at_model_param(other, i, &r);
            assert_memory_equal(p.data, q.data, p.count * sizeof(float));
            size_t len = strlen(p.name);
            if (p.ndim >= 3) {
                int up = !strncmp(p.name, "up.", 3);
                double fan = (double)(up ? p.shape[0] : p.shape[1]);
                for (int k = 2; k < p.ndim; k++)
                    fan *= (double)p.shape[k];
                double sum = 0, sq = 0;
                for (size_t k = 0; k < p.count; k++) {
                    sum += p.data[k];
                    sq += (double)p.data[k] * p.data[k];
                }
                double n = (double)p.count, mean = sum / n, sd = sqrt(sq / n - mean * mean);
                double want = sqrt(2.0 / fan);
                /* sampling error of the sd ~ 1/sqrt(2n); of the mean sd/sqrt(n) */
                if (fabs(sd / want - 1) > 5 / sqrt(2 * n) || fabs(mean) > 5 * want / sqrt(n))
                    fail_msg("%s: mean %.4g sd %.4g, He wants 0 and %.4g (fan_in %.0f)", p.name, mean, sd,
                             want, fan);
                assert_true(memcmp(p.data, r.data, p.count * sizeof(float)) != 0);
                convs++;
            } else {
                int one = (len > 7 && !strcmp(p.name + len - 7, ".weight")) ||
                          (len > 12 && !strcmp(p.name + len - 12, ".running_var"));
                for (size_t k = 0; k < p.count; k++)
                    assert_true(p.data[k] == (one ? 1.0f : 0.0f));
            }
        }
        assert_int_equal(convs, 2 * 2 + 2 + 2 * 3 + 1); /* enc, bottleneck, up + dec, head */
        at_model_free(m);
        at_model_free(same);
        at_model_free(other);
    }
}

/* A checkpoint holding a NaN, an infinity or a negative running variance
 * is refused, naming the tensor, and the model is left unchanged. */
static void test_checkpoint_nonfinite(void **state)
{
    (void)state;
    at_model *a = tiny_model(5), *b = tiny_model(6);
    char *dir = test_mkdtemp();
    char path[4096], bad[4096];
    snprintf(path, sizeof path, "%s/ck.safetensors", dir);
    snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
    assert_int_equal(at_checkpoint_save(path, a, NULL, NULL), AT_OK);
    at_st_file *f = NULL;
    assert_int_equal(at_st_read_file(path, 1u << 30, &f), AT_OK);
    struct {
        const char *tensor;
        size_t element;
        float value;
        const char *want;
    } cases[] = {
        {"enc.0.conv2.weight", 3, NAN, "tensor 'enc.0.conv2.weight': element 3 is NaN"},
        {"head.bias", 0, INFINITY, "tensor 'head.bias': element 0 is infinite"},
        {"dec.0.bn1.running_var", 1, -1.0f, "tensor 'dec.0.bn1.running_var': element 1 is negative"}};
    at_param before;
    at_model_param(b, 0, &before);
    float keep = before.data[0];
    size_t len;
    unsigned char *bytes = test_read_file(path, &len);
    assert_non_null(bytes);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const at_st_tensor *t = at_st_find(f, cases[i].tensor);
        assert_non_null(t);
        /* the same byte offset in the file as in the parsed copy */
        size_t at = (size_t)(t->data - f->owned) + 4 * cases[i].element;
        unsigned char *copy = malloc(len);
        memcpy(copy, bytes, len);
        memcpy(copy + at, &cases[i].value, 4);
        test_write_file(bad, copy, len);
        free(copy);
        assert_int_equal(at_checkpoint_load(bad, b, NULL, NULL), AT_ERR_FORMAT);
        if (!strstr(at_error_message(), cases[i].want))
            fail_msg("got '%s', expected '%s'", at_error_message(), cases[i].want);
        at_model_param(b, 0, &before);
        assert_true(before.data[0] == keep);
    }
    free(bytes);
    at_st_free(f);
    at_model_free(a);
    at_model_free(b);
    test_rmtree(dir);
    free(dir);
}

/* The checkpoint records the whole architecture: a model rebuilt from it
 * alone is the same model (2.5D, group norm, LeakyReLU, custom eps). */
static void test_checkpoint_architecture(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    c.mode = AT_MODE_25D;
    c.neighbours = 2;
    c.norm = AT_NORM_GROUP;
    c.groups = 2;
    c.relu_slope = 0.2f;
    c.bn_eps = 1e-4f;
    c.size = 8;
    int64_t sp[2] = {8, 8};
    at_model *m = NULL;
    assert_int_equal(at_model_create(&c, 1, sp, 3, &m), AT_OK);
    char *dir = test_mkdtemp();
    char path[4096];
    snprintf(path, sizeof path, "%s/arch.safetensors", dir);
    assert_int_equal(at_checkpoint_save(path, m, NULL, NULL), AT_OK);
    at_st_file *f = NULL;
    assert_int_equal(at_st_read_file(path, 1u << 30, &f), AT_OK);
    const char *keys[] = {"\"mode\":\"2.5d\"",
                          "\"neighbours\":\"2\"",
                          "\"in_channels\":\"5\"",
                          "\"norm\":\"group\"",
                          "\"groups\":\"2\"",
                          "\"activation\":\"leaky_relu\"",
                          "\"leaky_slope\":\"0.200000003\"",
                          "\"norm_eps\":\"9.99999975e-05\"",
                          "\"size\":\"8\"",
                          "\"dims\":\"2\""};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strstr(f->metadata_json, keys[i]))
            fail_msg("metadata lacks %s: %s", keys[i], f->metadata_json);
    at_st_free(f);
    at_unet_config back;
    at_unet_config_default(&back);
    assert_int_equal(at_checkpoint_read_config(path, &back), AT_OK);
    assert_int_equal(at_unet_config_same_model(&back, "a", &c, "b"), AT_OK);
    assert_true(back.mode == AT_MODE_25D && back.neighbours == 2 && back.groups == 2 &&
                back.relu_slope == 0.2f && back.bn_eps == 1e-4f && back.size == 8);
    at_model *r = NULL;
    assert_int_equal(at_model_create(&back, 1, sp, 9, &r), AT_OK);
    assert_int_equal(at_checkpoint_load(path, r, NULL, NULL), AT_OK);
    /* every allocation of the loader and the metadata reader may fail:
     * a clean error, nothing leaked (ASan), the model still usable */
    at_adamw *o = NULL;
    assert_int_equal(at_adamw_create(r, 0.9f, 0.999f, 1e-8f, 0.0f, &o), AT_OK);
    assert_int_equal(at_checkpoint_save(path, r, o, &(at_train_state){.steps_per_epoch = 1, .seed = 4}),
                     AT_OK);
    for (long k = 1; k < 40; k++) {
        at_train_state ts;
        at_unet_config cc = c;
        at_alloc_fail_after(k);
        at_status st1 = at_checkpoint_load(path, r, o, &ts);
        at_status st2 = at_checkpoint_read_config(path, &cc);
        at_alloc_fail_after(0);
        assert_true(st1 == AT_OK || st1 == AT_ERR_NOMEM);
        assert_true(st2 == AT_OK || st2 == AT_ERR_NOMEM || st2 == AT_ERR_NOT_FOUND);
    }
    at_adamw_free(o);
    at_model_free(r);
    at_model_free(m);
    test_rmtree(dir);
    free(dir);
}

static void test_schedule(void **state)
{
    (void)state;
    at_unet_config c;
    at_unet_config_default(&c);
    c.lr = 1.0f;
    c.warmup_steps = 10;
    c.schedule = AT_SCHED_COSINE;
    c.min_lr = 0;
    assert_true(fabsf(at_lr_at(&c, 0, 110) - 0.1f) < 1e-6f);
    assert_true(fabsf(at_lr_at(&c, 9, 110) - 1.0f) < 1e-6f);
    assert_true(fabsf(at_lr_at(&c, 60, 110) - 0.5f) < 1e-6f);
    assert_true(at_lr_at(&c, 110, 110) < 1e-6f);
    c.schedule = AT_SCHED_STEP;
    c.warmup_steps = 0;
    c.step_size = 5;
    c.step_gamma = 0.5f;
    assert_true(fabsf(at_lr_at(&c, 12, 100) - 0.25f) < 1e-6f);
}

int main(void)
{
    at_learn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_parse),
        cmocka_unit_test(test_bad_shapes),
        cmocka_unit_test(test_safetensors_validation),
        cmocka_unit_test(test_safetensors_alloc_failures),
        cmocka_unit_test(test_reproducible_and_checkpoint),
        cmocka_unit_test(test_gradient_accumulation),
        cmocka_unit_test(test_nan_detection_and_mask),
        cmocka_unit_test(test_nan_layer_names),
        cmocka_unit_test(test_he_init),
        cmocka_unit_test(test_checkpoint_nonfinite),
        cmocka_unit_test(test_checkpoint_architecture),
        cmocka_unit_test(test_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
