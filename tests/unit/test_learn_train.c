/* The training loop (at_train): interruption and resume (weights byte-equal
 * to an uninterrupted run; clock, epoch loss, step and epoch counting and
 * the metrics log continuing as one run), refusals of runs that cannot
 * continue (finished, another seed, batch or architecture, nonsense state
 * in the checkpoint), strict JSON in the metrics log, NaN stops naming the
 * step, and 2.5D and 3D training. Tiny shapes, one thread. */
#include "support.h"

#include "atelier/learn.h"
#include "atelier/run.h"

#include <signal.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Samples of ic channels (2.5D: the centre one is the slice) on size^sp
 * voxels; target = 2 * centre channel - 1. Can raise the stop flag on its
 * n-th call and put a NaN in the input or the target from a call on. */
typedef struct {
    int ic, sp;
    int64_t size;
    volatile sig_atomic_t *flag;
    int calls, stop_after, nan_from, nan_in_target;
} toy_ds;

static at_status toy_get(void *ud, size_t index, float *input, float *target, float *mask)
{
    toy_ds *d = ud;
    d->calls++;
    if (d->stop_after && d->calls == d->stop_after)
        *d->flag = 1;
    size_t vox = (size_t)(d->sp == 3 ? d->size * d->size * d->size : d->size * d->size);
    for (int c = 0; c < d->ic; c++)
        for (size_t i = 0; i < vox; i++)
            input[(size_t)c * vox + i] = (float)((index * 7 + i + (size_t)c * 3) % 11) / 11.0f;
    for (size_t i = 0; i < vox; i++) {
        target[i] = input[(size_t)(d->ic / 2) * vox + i] * 2 - 1;
        mask[i] = 1;
    }
    if (d->nan_from && d->calls >= d->nan_from)
        (d->nan_in_target ? target : input)[3] = NAN;
    return AT_OK;
}

static void tiny_config(at_unet_config *c)
{
    at_unet_config_default(c);
    c->base = 2;
    c->depth = 1;
    c->size = 8;
    c->batch = 2;
    c->epochs = 2;
    c->threads = 1;
}

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_mkdtemp();
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(dir);
    free(dir);
    return 0;
}

/* A run whose cancel flag is flag (may be NULL). */
static at_run *run_with(at_run *r, volatile sig_atomic_t *flag)
{
    at_run_init(r);
    r->cancel = flag;
    return r;
}

/* at_train with the last validation score as a float (NaN: none). */
static at_status train(const at_unet_config *c, const at_dataset *ds, const at_train_options *o,
                       volatile sig_atomic_t *flag, float *val)
{
    at_run r;
    at_train_result res;
    at_status st = at_train(c, ds, o, run_with(&r, flag), &res);
    if (val)
        *val = (float)res.last_val;
    return st;
}

static void in_dir(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void test_train_interrupt_resume_nan(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    char ck[4096], mt[4096];
    in_dir(ck, sizeof ck, "ck.safetensors");
    in_dir(mt, sizeof mt, "m.jsonl");
    volatile sig_atomic_t flag = 0;
    toy_ds d = {.ic = 1, .sp = 2, .size = 8, .flag = &flag, .stop_after = 5};
    at_dataset ds = {.train_count = 8, .val_count = 2, .get = toy_get, .ud = &d};
    at_train_options o = {.checkpoint_path = ck, .log_path = mt, .log_steps = 1, .augment = 1};
    float val = 0;
    assert_int_equal(train(&c, &ds, &o, &flag, &val), AT_ERR_CANCELLED);
    assert_non_null(strstr(at_error_message(), "train: cancelled after step"));
    assert_non_null(strstr(at_error_message(), "checkpoint written"));
    int64_t sp[2] = {8, 8};
    at_model *m = NULL;
    assert_int_equal(at_model_create(&c, 2, sp, 1, &m), AT_OK);
    at_train_state ts;
    assert_int_equal(at_checkpoint_load(ck, m, NULL, &ts), AT_OK);
    assert_true(ts.step >= 1 && ts.step < 8);
    /* resume to the end */
    flag = 0;
    d.stop_after = 0;
    o.resume_path = ck;
    assert_int_equal(train(&c, &ds, &o, &flag, &val), AT_OK);
    assert_true(isfinite(val));
    assert_int_equal(at_checkpoint_load(ck, m, NULL, &ts), AT_OK);
    assert_true(ts.step == 8 && ts.epoch == 2);
    at_model_free(m);
    /* a NaN in the input stops training, naming the step (counted from 1
     * like the metrics) and saying where */
    d.calls = 0;
    d.nan_from = 3;
    o.resume_path = NULL;
    o.checkpoint_path = NULL;
    assert_int_equal(train(&c, &ds, &o, &flag, &val), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "train: step 2 (epoch 1): model: loss is NaN; the "
                                               "input batch holds a non-finite value"));
    /* a NaN in the target is blamed on the target, not on a layer */
    d.calls = 0;
    d.nan_from = 5;
    d.nan_in_target = 1;
    assert_int_equal(train(&c, &ds, &o, &flag, &val), AT_ERR_NUMERIC);
    assert_non_null(strstr(at_error_message(), "train: step 3 (epoch 1): model: the target holds a "
                                               "non-finite value"));
}

/* Metrics lines of a log; fails on a line that is not strict JSON. */
typedef struct {
    int n;
    cJSON *line[256];
} metrics;

static void read_metrics(const char *path, metrics *out)
{
    size_t len;
    char *text = (char *)test_read_file(path, &len);
    assert_non_null(text);
    out->n = 0;
    for (char *p = text; p < text + len;) {
        char *end = memchr(p, '\n', (size_t)(text + len - p));
        assert_non_null(end);
        cJSON *j = cJSON_ParseWithLength(p, (size_t)(end - p));
        if (!j)
            fail_msg("%s: not JSON: %.*s", path, (int)(end - p), p);
        assert_true(out->n < 256);
        out->line[out->n++] = j;
        p = end + 1;
    }
    free(text);
}

static void free_metrics(metrics *m)
{
    for (int i = 0; i < m->n; i++)
        cJSON_Delete(m->line[i]);
}

static double num(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (cJSON_IsNull(v))
        return NAN;
    if (!cJSON_IsNumber(v))
        fail_msg("metrics: '%s' missing", key);
    return v->valuedouble;
}

/* The same run, uninterrupted and interrupted twice (with micro-batches)
 * then resumed: byte-equal
 * weights, optimiser moments and batch-norm statistics; the metrics log
 * reads as one run (steps 1..N once each, epochs counted from 1 in both
 * kinds of line, each epoch's train_loss the mean of its step losses,
 * seconds never going back). */
static void test_resume_byte_equal(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    c.epochs = 3;
    c.micro_batches = 2; /* 16 samples, batch 2: 8 batches, 4 steps per epoch */
    char cka[4096], ckb[4096], mta[4096], mtb[4096];
    in_dir(cka, sizeof cka, "a.safetensors");
    in_dir(ckb, sizeof ckb, "b.safetensors");
    in_dir(mta, sizeof mta, "a.jsonl");
    in_dir(mtb, sizeof mtb, "b.jsonl");
    volatile sig_atomic_t flag = 0;
    toy_ds d = {.ic = 1, .sp = 2, .size = 8, .flag = &flag};
    at_dataset ds = {.train_count = 16, .val_count = 2, .get = toy_get, .ud = &d};
    at_train_options oa = {.checkpoint_path = cka, .log_path = mta, .log_steps = 1, .augment = 1};
    assert_int_equal(train(&c, &ds, &oa, NULL, NULL), AT_OK);

    at_train_options ob = {.checkpoint_path = ckb, .log_path = mtb, .log_steps = 1, .augment = 1};
    /* stop on the 7th and 31st sample fetched (the loader runs ahead, so
     * the step varies with timing; typically after step 1, mid-epoch, and
     * after step 8, at an epoch's start): the result must not */
    int stops[2] = {7, 31};
    for (int r = 0; r < 3; r++) {
        flag = 0;
        d.calls = 0;
        d.stop_after = r < 2 ? stops[r] : 0;
        ob.resume_path = r ? ckb : NULL;
        at_status st = train(&c, &ds, &ob, &flag, NULL);
        printf("run %d: %s\n", r, r < 2 ? at_error_message() : "finished");
        if (st != (r < 2 ? AT_ERR_CANCELLED : AT_OK))
            fail_msg("run %d: %s", r, at_error_message());
    }
    at_st_file *fa = NULL, *fb = NULL;
    assert_int_equal(at_st_read_file(cka, 1u << 30, &fa), AT_OK);
    assert_int_equal(at_st_read_file(ckb, 1u << 30, &fb), AT_OK);
    assert_int_equal(fa->count, fb->count);
    for (size_t i = 0; i < fa->count; i++) {
        const at_st_tensor *t = at_st_find(fb, fa->tensors[i].name);
        assert_non_null(t);
        assert_int_equal(t->nbytes, fa->tensors[i].nbytes);
        if (memcmp(t->data, fa->tensors[i].data, t->nbytes))
            fail_msg("tensor %s differs after resume", t->name);
    }
    at_st_free(fa);
    at_st_free(fb);

    metrics ma, mb;
    read_metrics(mta, &ma);
    read_metrics(mtb, &mb);
    assert_int_equal(ma.n, 3 * 4 + 3);
    assert_int_equal(mb.n, ma.n);
    double last_seconds = 0, sum = 0;
    for (int i = 0; i < mb.n; i++) {
        cJSON *a = ma.line[i], *b = mb.line[i];
        assert_true(num(a, "step") == num(b, "step") && num(a, "epoch") == num(b, "epoch"));
        double s = num(b, "seconds");
        assert_true(s >= last_seconds);
        last_seconds = s;
        if (cJSON_GetObjectItem(b, "loss")) {
            int64_t step = (int64_t)num(b, "step");
            assert_true(num(b, "epoch") == (double)((step - 1) / 4 + 1));
            assert_true(num(a, "loss") == num(b, "loss"));
            sum += num(b, "loss");
        } else {
            assert_true(fabs(num(b, "train_loss") - sum / 4) <= 1e-6 * (sum / 4));
            assert_true(num(a, "train_loss") == num(b, "train_loss"));
            assert_true(num(a, "val_loss") == num(b, "val_loss"));
            sum = 0;
        }
    }
    free_metrics(&ma);
    free_metrics(&mb);
}

/* Rewrite a checkpoint's JSON header with from -> to (data unchanged). */
static void patch_header(const char *src, const char *dst, const char *from, const char *to)
{
    size_t len;
    unsigned char *b = test_read_file(src, &len);
    assert_non_null(b);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = hl << 8 | b[i];
    char *h = calloc(hl + 1, 1);
    memcpy(h, b + 8, hl);
    char *at = strstr(h, from);
    if (!at)
        fail_msg("patch: '%s' not in the header", from);
    size_t cap = hl + strlen(to) + 16, n;
    char *nh = calloc(cap, 1);
    n = (size_t)snprintf(nh, cap, "%.*s%s%s", (int)(at - h), h, to, at + strlen(from));
    while (n > 0 && nh[n - 1] == ' ')
        n--;
    while (n % 8)
        nh[n++] = ' ';
    size_t total = 8 + n + (len - 8 - hl);
    unsigned char *o = malloc(total);
    for (int i = 0; i < 8; i++)
        o[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(o + 8, nh, n);
    memcpy(o + 8 + n, b + 8 + hl, len - 8 - hl);
    assert_int_equal(test_write_file(dst, o, total), 0);
    free(b);
    free(h);
    free(nh);
    free(o);
}

static void expect_refusal(const at_unet_config *c, at_dataset *ds, const char *ck, const char *want)
{
    char mt[4096];
    in_dir(mt, sizeof mt, "refused.jsonl");
    at_train_options o = {.resume_path = ck, .log_path = mt, .log_steps = 1};
    at_status st = train(c, ds, &o, NULL, NULL);
    if (st == AT_OK || !strstr(at_error_message(), want))
        fail_msg("expected a refusal with '%s', got %d: %s", want, (int)st, at_error_message());
}

static void test_resume_refusals(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    char ck[4096], bad[4096];
    in_dir(ck, sizeof ck, "done.safetensors");
    in_dir(bad, sizeof bad, "bad.safetensors");
    toy_ds d = {.ic = 1, .sp = 2, .size = 8};
    at_dataset ds = {.train_count = 8, .val_count = 0, .get = toy_get, .ud = &d};
    at_train_options o = {.checkpoint_path = ck};
    assert_int_equal(train(&c, &ds, &o, NULL, NULL), AT_OK);
    /* a finished run says what to do instead of "succeeding" */
    expect_refusal(&c, &ds, ck, "has already trained 2 epochs (epochs = 2); raise epochs to continue");
    c.epochs = 3;
    at_unet_config other = c;
    other.seed = 2;
    expect_refusal(&other, &ds, ck, "was trained with seed 1, the config has seed 2; set seed = 1");
    other = c;
    other.batch = 4;
    expect_refusal(&other, &ds, ck, "has 4 steps per epoch, this config and data give 2");
    other = c;
    other.base = 4;
    expect_refusal(&other, &ds, ck, "the checkpoint has base = 2, the config has base = 4");
    other = c;
    other.relu_slope = 0.1f;
    expect_refusal(&other, &ds, ck,
                   "the checkpoint has activation = relu, the config has "
                   "activation = leaky_relu");
    /* nonsense training state in the file */
    patch_header(ck, bad, "\"step\":\"8\"", "\"step\":\"-5\"");
    expect_refusal(&c, &ds, bad, "'step' must be an integer in 0..");
    patch_header(ck, bad, "\"epoch\":\"2\"", "\"epoch\":\"99999999999\"");
    expect_refusal(&c, &ds, bad, "'epoch' must be an integer in 0..1000000");
    patch_header(ck, bad, "\"epoch\":\"2\"", "\"epoch\":\"1\"");
    expect_refusal(&c, &ds, bad, "step 8 does not fall in epoch 2 of 4 steps");
    patch_header(ck, bad, "\"seconds\":\"", "\"seconds\":\"-");
    expect_refusal(&c, &ds, bad, "'seconds' must be a number");
    patch_header(ck, bad, "\"seed\":\"1\"", "\"seed\":\"one\"");
    expect_refusal(&c, &ds, bad, "'seed' missing or not an unsigned integer");
    patch_header(ck, bad, "\"best_val\":\"inf\"", "\"best_val\":\"nan\"");
    expect_refusal(&c, &ds, bad, "'best_val' must be a number");
    /* the valid checkpoint still resumes once epochs is raised */
    o.resume_path = ck;
    assert_int_equal(train(&c, &ds, &o, NULL, NULL), AT_OK);
}

/* Without validation samples the epoch lines say "val_loss":null (JSON
 * has no NaN); every line is strict JSON. */
static void test_metrics_json_without_validation(void **state)
{
    (void)state;
    at_unet_config c;
    tiny_config(&c);
    char mt[4096];
    in_dir(mt, sizeof mt, "noval.jsonl");
    toy_ds d = {.ic = 1, .sp = 2, .size = 8};
    at_dataset ds = {.train_count = 4, .val_count = 0, .get = toy_get, .ud = &d};
    at_train_options o = {.log_path = mt, .log_steps = 1};
    float val = 0;
    assert_int_equal(train(&c, &ds, &o, NULL, &val), AT_OK);
    assert_true(isnan(val));
    metrics m;
    read_metrics(mt, &m);
    assert_int_equal(m.n, 2 * 2 + 2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(m.line[2], "val_loss")));
    free_metrics(&m);
}

/* Progress events: the "train" phase first reports where training
 * starts, then every step; its steps never go back and the last event
 * has step == total; "epoch" events end at the epochs trained. */
typedef struct {
    int train_calls, epoch_calls, backwards;
    uint64_t first, last, total, last_epoch, epoch_total;
} progress_log;

static void log_progress(void *ud, const at_run_event *ev)
{
    progress_log *p = ud;
    if (!strcmp(ev->phase, "train")) {
        if (!p->train_calls++)
            p->first = ev->step;
        else if (ev->step < p->last)
            p->backwards = 1;
        p->last = ev->step;
        p->total = ev->total;
    } else if (!strcmp(ev->phase, "epoch")) {
        p->epoch_calls++;
        p->last_epoch = ev->step;
        p->epoch_total = ev->total;
    }
}

static void test_train_25d_3d_and_progress(void **state)
{
    (void)state;
    char ck[4096];
    in_dir(ck, sizeof ck, "p.safetensors");
    for (int mode = 0; mode < 2; mode++) {
        at_unet_config c;
        tiny_config(&c);
        c.mode = mode ? AT_MODE_3D : AT_MODE_25D;
        c.neighbours = 2; /* 2.5D: 5 input channels */
        toy_ds d = {.ic = mode ? 1 : 5, .sp = mode ? 3 : 2, .size = 8};
        at_dataset ds = {.train_count = 4, .val_count = 2, .get = toy_get, .ud = &d};
        progress_log p = {0};
        at_train_options o = {.checkpoint_path = ck, .augment = 1};
        at_run run;
        at_run_init(&run);
        run.progress = log_progress;
        run.progress_ud = &p;
        at_train_result res;
        if (at_train(&c, &ds, &o, &run, &res) != AT_OK)
            fail_msg("mode %d: %s", mode, at_error_message());
        assert_true(isfinite(res.last_val));
        /* start, 4 steps, the end */
        assert_true(p.train_calls == 6 && p.first == 0 && p.last == 4 && p.total == 4 && !p.backwards);
        assert_true(p.epoch_calls == 2 && p.last_epoch == 2 && p.epoch_total == 2);
        /* resumed with more epochs: the first report is the resumed step */
        c.epochs = 3;
        o.resume_path = ck;
        memset(&p, 0, sizeof p);
        at_run_init(&run);
        run.progress = log_progress;
        run.progress_ud = &p;
        assert_int_equal(at_train(&c, &ds, &o, &run, &res), AT_OK);
        assert_true(p.train_calls == 4 && p.first == 4 && p.last == 6 && p.total == 6);
        assert_true(res.epochs == 3 && res.steps == 6 && res.checkpoint_step == 6);
        /* the checkpoint says 2.5D with its neighbours, or 3D */
        at_unet_config back;
        at_unet_config_default(&back);
        assert_int_equal(at_checkpoint_read_config(ck, &back), AT_OK);
        assert_int_equal(at_unet_config_same_model(&back, "back", &c, "c"), AT_OK);
        assert_int_equal(back.mode, c.mode);
    }
}

int main(void)
{
    at_learn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_interrupt_resume_nan),
        cmocka_unit_test(test_resume_byte_equal),
        cmocka_unit_test(test_resume_refusals),
        cmocka_unit_test(test_metrics_json_without_validation),
        cmocka_unit_test(test_train_25d_3d_and_progress),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
