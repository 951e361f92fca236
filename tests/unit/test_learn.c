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
    at_train_state ts = {.step = 3, .epoch = 1, .best_val = 0.5f, .seed = 77, .seconds = 1.5,
                         .steps_per_epoch = 2, .epoch_loss_sum = 0.25};
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
    /* a NaN in the input is reported with a layer name */
    x[5] = NAN;
    assert_int_equal(at_model_forward(m, x, NULL, 1), AT_OK);
    assert_int_equal(at_model_backward(m, y, NULL, AT_LOSS_MSE, 1.0f, &loss), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "layer enc.0"));
    free(x);
    free(y);
    free(mask);
    free(pred);
    at_model_free(m);
}

static void test_predict_volume(void **state)
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

typedef struct {
    volatile int *flag;
    int calls, stop_after, nan_from;
} toy_ds;

static at_status toy_get(void *ud, size_t index, float *input, float *target, float *mask)
{
    toy_ds *d = ud;
    d->calls++;
    if (d->stop_after && d->calls == d->stop_after)
        *d->flag = 1;
    for (int i = 0; i < 64; i++) {
        input[i] = (float)((index * 7 + (size_t)i) % 11) / 11.0f;
        target[i] = input[i] * 2 - 1;
        mask[i] = 1;
    }
    if (d->nan_from && d->calls >= d->nan_from)
        input[3] = NAN;
    return AT_OK;
}

static void test_train_interrupt_resume_nan(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    c.size = 8;
    c.batch = 2;
    c.epochs = 2;
    c.threads = 1;
    char *dir = test_mkdtemp();
    char ck[4096], mt[4096];
    snprintf(ck, sizeof ck, "%s/ck.safetensors", dir);
    snprintf(mt, sizeof mt, "%s/m.jsonl", dir);
    volatile int flag = 0;
    toy_ds d = {.flag = &flag, .stop_after = 5};
    at_dataset ds = {.train_count = 8, .val_count = 2, .get = toy_get, .ud = &d};
    at_train_options o = {.checkpoint_path = ck, .metrics_path = mt, .stop_flag = &flag, .augment = 1};
    float val = 0;
    assert_int_equal(at_train(&c, &ds, &o, &val), AT_ERR_INTERRUPTED);
    assert_non_null(strstr(at_error_message(), "checkpoint written"));
    at_model *m = tiny_model(1);
    at_train_state ts;
    assert_int_equal(at_checkpoint_load(ck, m, NULL, &ts), AT_OK);
    assert_true(ts.step >= 1 && ts.step < 8);
    at_model_free(m);
    /* resume to the end */
    flag = 0;
    d.stop_after = 0;
    o.resume_path = ck;
    assert_int_equal(at_train(&c, &ds, &o, &val), AT_OK);
    assert_true(isfinite(val));
    m = tiny_model(1);
    assert_int_equal(at_checkpoint_load(ck, m, NULL, &ts), AT_OK);
    assert_true(ts.step == 8 && ts.epoch == 2);
    at_model_free(m);
    /* a NaN stops training, naming the step and the layer */
    d.calls = 0;
    d.nan_from = 3;
    o.resume_path = NULL;
    o.checkpoint_path = NULL;
    assert_int_equal(at_train(&c, &ds, &o, &val), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "train: step"));
    assert_non_null(strstr(at_error_message(), "layer"));
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
        cmocka_unit_test(test_predict_volume),
        cmocka_unit_test(test_train_interrupt_resume_nan),
        cmocka_unit_test(test_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
