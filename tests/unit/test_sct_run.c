/* The sct entry points (at_sct_{prepare,train,eval,predict}_run) under a
 * run context: driven through a store rooted in a temporary folder (every
 * spec path relative to it), progress of every phase monotonic and ending
 * at its total, a cancel landing mid-work returns AT_ERR_CANCELLED within
 * 2 s and leaves nothing half-written, a killed run's partial folder is
 * removed by the next run, existing outputs are refused unless forced,
 * and a cancelled training resumed gives the bytes of an uninterrupted
 * one. A tiny synthetic cohort, one thread. */
#include "support.h"

#include "run_check.h"

#include "atelier/learn.h"
#include "atelier/phantom.h"
#include "atelier/sct.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static at_store store;

static int exists(const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    struct stat sb;
    return lstat(p, &sb) == 0;
}

static void prepare(const char *out, double test, double val)
{
    at_sct_prepare_spec s;
    at_sct_prepare_spec_default(&s);
    s.cohort = "cohort";
    s.out = out;
    s.test = test;
    s.val = val;
    run_check c;
    at_sct_prepare_result r;
    if (at_sct_prepare_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("prepare: %s", at_error_message());
    rc_assert_phase(&c, "prepare");
    assert_int_equal(r.patients, 4);
}

static void tiny_train(at_sct_train_spec *s, const char *out, int epochs)
{
    at_sct_train_spec_default(s);
    s->prepared = "prep";
    s->out = out;
    s->epochs = epochs;
    s->base = 4;
    s->depth = 2;
    s->batch = 4;
    s->bf16 = 0;
}

static int setup(void **state)
{
    (void)state;
    dir = test_mkdtemp();
    if (!dir || at_store_local(&store, dir) != AT_OK)
        return -1;
    at_phantom_options po;
    at_phantom_options_default(&po, AT_PHANTOM_HEAD);
    po.seed = 11;
    po.dim[0] = po.dim[1] = 32;
    po.dim[2] = 12;
    po.spacing[0] = po.spacing[1] = 6;
    po.spacing[2] = 8;
    char c[4096];
    snprintf(c, sizeof c, "%s/cohort", dir);
    if (at_phantom_write_cohort(&po, 4, c, NULL, NULL) != AT_OK)
        return -1;
    prepare("prep", 1, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    at_store_free(&store);
    test_rmtree(dir);
    free(dir);
    return 0;
}

/* The id of a process that has ended. */
static long dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return (long)p;
}

static void test_prepare(void **state)
{
    (void)state;
    /* an existing output is refused; force replaces it */
    at_sct_prepare_spec s;
    at_sct_prepare_spec_default(&s);
    s.cohort = "cohort";
    s.out = "prep";
    s.test_fraction = 0.25; /* 1 of 4 */
    s.val = 1;
    run_check c;
    at_sct_prepare_result r;
    assert_int_equal(at_sct_prepare_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_ERR_REFUSED);
    assert_non_null(strstr(at_error_message(), "exists; nothing was written"));
    /* the debris of a killed run is removed by the next one */
    char debris[4096];
    snprintf(debris, sizeof debris, "%s/prep2.partial-%ld", dir, dead_pid());
    assert_int_equal(at_mkdir_p(debris, 0755), AT_OK);
    s.out = "prep2";
    if (at_sct_prepare_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("prepare: %s", at_error_message());
    assert_true(r.patients == 4 && r.test == 1 && r.val == 1 && r.train == 2);
    rc_assert_phase(&c, "prepare");
    rc_assert_no_partial(dir);
    s.force = 1;
    assert_int_equal(at_sct_prepare_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_OK);
    /* a path leaving the store is refused */
    s.out = "../escape";
    assert_int_equal(at_sct_prepare_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "leaves the store"));
    /* cancelled after the first patient: nothing written */
    s.out = "prep3";
    s.force = 0;
    assert_int_equal(at_sct_prepare_run(&s, rc_init(&c, "prepare", 1, &store), &r), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_false(exists("prep3"));
    rc_assert_no_partial(dir);
}

/* The tensors of two safetensors files are byte-equal. */
static void assert_same_tensors(const char *a, const char *b)
{
    char pa[4096], pb[4096];
    snprintf(pa, sizeof pa, "%s/%s", dir, a);
    snprintf(pb, sizeof pb, "%s/%s", dir, b);
    at_st_file *fa = NULL, *fb = NULL;
    assert_int_equal(at_st_read_file(pa, 1u << 30, &fa), AT_OK);
    assert_int_equal(at_st_read_file(pb, 1u << 30, &fb), AT_OK);
    assert_int_equal(fa->count, fb->count);
    for (size_t i = 0; i < fa->count; i++) {
        const at_st_tensor *t = at_st_find(fb, fa->tensors[i].name);
        assert_non_null(t);
        if (t->nbytes != fa->tensors[i].nbytes || memcmp(t->data, fa->tensors[i].data, t->nbytes))
            fail_msg("%s and %s: tensor %s differs", a, b, t->name);
    }
    at_st_free(fa);
    at_st_free(fb);
}

static void test_train_cancel_resume(void **state)
{
    (void)state;
    at_sct_train_spec s;
    run_check c;
    at_sct_train_result r;
    /* uninterrupted: 3 epochs on crops with batch norm (every random draw
     * of the source: shuffles, augmentation, recalibration) */
    tiny_train(&s, "model-a", 3);
    s.patch = 16;
    s.no_norm = 0;
    s.recalibrate = 2;
    if (at_sct_train_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("train: %s", at_error_message());
    rc_assert_phase(&c, "train");
    rc_assert_phase(&c, "epoch");
    assert_true(r.train.epochs == 3 && isfinite(r.train.best_val) && !r.kept);
    assert_true(exists("model-a/model.safetensors") && exists("model-a/model.json") &&
                exists("model-a/curves.jsonl") && exists("model-a/checkpoint.safetensors"));
    /* an existing model is refused */
    assert_int_equal(at_sct_train_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_ERR_REFUSED);
    /* cancelled before the first epoch ends: nothing kept */
    s.out = "model-b";
    assert_int_equal(at_sct_train_run(&s, rc_init(&c, "train", 1, &store), &r), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_true(!r.kept && !exists("model-b") && !exists("model-b.resume"));
    rc_assert_no_partial(dir);
    /* cancelled after epoch 1: the run is kept as model-b.resume */
    assert_int_equal(at_sct_train_run(&s, rc_init(&c, "epoch", 1, &store), &r), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_true(r.kept && r.train.checkpoint_epoch == 1 && !exists("model-b") && exists("model-b.resume"));
    rc_assert_no_partial(dir);
    /* a fresh run over a kept one is refused */
    assert_int_equal(at_sct_train_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_ERR_REFUSED);
    assert_non_null(strstr(at_error_message(), "holds a cancelled run"));
    /* resumed: the bytes of the uninterrupted run */
    s.resume = 1;
    if (at_sct_train_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("resume: %s", at_error_message());
    rc_assert_phase(&c, "train");
    assert_true(r.train.epochs == 3 && !exists("model-b.resume"));
    assert_same_tensors("model-a/model.safetensors", "model-b/model.safetensors");
    assert_same_tensors("model-a/checkpoint.safetensors", "model-b/checkpoint.safetensors");
    /* a finished model trained further */
    s.epochs = 4;
    if (at_sct_train_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("resume a finished model: %s", at_error_message());
    assert_int_equal(r.train.epochs, 4);
    rc_assert_no_partial(dir);
}

static void test_eval_predict(void **state)
{
    (void)state;
    at_sct_train_spec ts;
    tiny_train(&ts, "model-e", 1);
    run_check c;
    at_sct_train_result tr;
    if (at_sct_train_run(&ts, rc_init(&c, NULL, 0, &store), &tr) != AT_OK)
        fail_msg("train: %s", at_error_message());
    at_sct_eval_spec es = {.prepared = "prep", .model = "model-e", .split = "test", .png = "e.png"};
    at_sct_eval_result er;
    if (at_sct_eval_run(&es, rc_init(&c, NULL, 0, &store), &er) != AT_OK)
        fail_msg("eval: %s", at_error_message());
    rc_assert_phase(&c, "eval");
    assert_true(er.count == 1 && er.mean.mae > 0 && exists("e.png"));
    at_sct_eval_result_free(&er);
    /* a picture a killed run left half-way is removed by the next run */
    char junk[4096];
    snprintf(junk, sizeof junk, "%s/e.png.partial-%ld", dir, dead_pid());
    assert_int_equal(test_write_file(junk, "x", 1), 0);
    assert_int_equal(at_sct_eval_run(&es, rc_init(&c, NULL, 0, &store), &er), AT_OK);
    at_sct_eval_result_free(&er);
    assert_false(exists(junk + strlen(dir) + 1));
    /* cancelled in the first patient's slices: no picture */
    es.png = "e2.png";
    assert_int_equal(at_sct_eval_run(&es, rc_init(&c, "slices", 1, &store), &er), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_false(exists("e2.png"));
    rc_assert_no_partial(dir);
    /* a CT and an MRI series of different frames of reference are refused */
    at_sct_eval_spec vs = {.reference = "cohort/patient_000/ct_dicom",
                           .prediction = "cohort/patient_000/mr_dicom",
                           .mask = "prep/patient_000/mask.nii.gz"};
    assert_int_equal(at_sct_eval_run(&vs, rc_init(&c, NULL, 0, &store), &er), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "different frames of reference"));
    vs.other_frames = 1; /* the phantoms' MRI lies on the CT's grid: compared when asked */
    assert_int_equal(at_sct_eval_run(&vs, rc_init(&c, NULL, 0, &store), &er), AT_OK);

    at_sct_predict_spec ps = {.mr = "cohort/patient_001/mr_dicom", .model = "model-e", .out = "pct"};
    at_sct_predict_result pr;
    if (at_sct_predict_run(&ps, rc_init(&c, NULL, 0, &store), &pr) != AT_OK)
        fail_msg("predict: %s", at_error_message());
    rc_assert_phase(&c, "slices");
    assert_true(pr.slices == 12 && exists("pct/CT0001.dcm"));
    assert_int_equal(at_sct_predict_run(&ps, rc_init(&c, NULL, 0, &store), &pr), AT_ERR_REFUSED);
    ps.force = 1;
    assert_int_equal(at_sct_predict_run(&ps, rc_init(&c, NULL, 0, &store), &pr), AT_OK);
    ps.out = "pct2";
    assert_int_equal(at_sct_predict_run(&ps, rc_init(&c, "slices", 1, &store), &pr), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_false(exists("pct2"));
    rc_assert_no_partial(dir);
}

int main(void)
{
    at_learn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare),
        cmocka_unit_test(test_train_cancel_resume),
        cmocka_unit_test(test_eval_predict),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
