/* The learn entry points (at_learn_train_run, at_learn_predict_run) under
 * a run context: driven through a store rooted in a temporary folder,
 * progress of every phase monotonic and ending at its total, a cancel
 * landing mid-work returns AT_ERR_CANCELLED within 2 s with nothing
 * half-written (training keeps its checkpoint, from which a resumed run
 * gives the bytes of an uninterrupted one), existing outputs refused
 * unless forced, NIfTI folders read through the store. Tiny shapes, one
 * thread. */
#include "support.h"

#include "run_check.h"

#include "atelier/image.h"
#include "atelier/learn_run.h"

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

/* NAME_input / NAME_target of nx x ny x nz in dir/folder. */
static void write_pair(const char *folder, const char *name, int n, int nz, uint64_t seed)
{
    at_grid g;
    at_grid_init(&g, n, n, nz, 1.5, 1.5, 3.0);
    at_volume *in = NULL, *tgt = NULL;
    assert_int_equal(at_volume_new(&g, 0, &in), AT_OK);
    assert_int_equal(at_volume_new(&g, 0, &tgt), AT_OK);
    at_rng r;
    at_rng_seed(&r, seed);
    for (size_t i = 0; i < at_grid_voxels(&g); i++) {
        in->data[i] = (float)at_rng_uniform(&r);
        tgt->data[i] = 2 * in->data[i] - 1;
    }
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, folder);
    assert_int_equal(at_mkdir_p(p, 0755), AT_OK);
    snprintf(p, sizeof p, "%s/%s/%s_input.nii.gz", dir, folder, name);
    assert_int_equal(at_nifti_write(in, p), AT_OK);
    snprintf(p, sizeof p, "%s/%s/%s_target.nii.gz", dir, folder, name);
    assert_int_equal(at_nifti_write(tgt, p), AT_OK);
    at_volume_free(in);
    at_volume_free(tgt);
}

static int setup(void **state)
{
    (void)state;
    dir = test_mkdtemp();
    if (!dir || at_store_local(&store, dir) != AT_OK)
        return -1;
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

static void tiny(at_learn_train_spec *s, const char *out)
{
    at_learn_train_spec_default(s);
    s->cfg.base = 2;
    s->cfg.depth = 1;
    s->cfg.size = 8;
    s->cfg.batch = 2;
    s->cfg.epochs = 3;
    s->cfg.threads = 1;
    s->out = out;
    s->samples = 18; /* 16 training samples: 8 steps per epoch */
}

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

static void test_train_synthetic(void **state)
{
    (void)state;
    at_learn_train_spec s;
    run_check c;
    at_learn_train_result r;
    tiny(&s, "run-a");
    if (at_learn_train_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("train: %s", at_error_message());
    rc_assert_phase(&c, "train");
    rc_assert_phase(&c, "epoch");
    assert_true(r.train.epochs == 3 && r.train.steps == 24 && isfinite(r.train.best_val));
    assert_true(exists("run-a/checkpoint.safetensors") && exists("run-a/best.safetensors") &&
                exists("run-a/metrics.jsonl"));
    /* a run folder is not mixed with a fresh run */
    assert_int_equal(at_learn_train_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_ERR_REFUSED);
    assert_non_null(strstr(at_error_message(), "holds a training run already"));
    /* cancelled mid-epoch: the checkpoint at that step is kept */
    tiny(&s, "run-b");
    assert_int_equal(at_learn_train_run(&s, rc_init(&c, "train", 11, &store), &r), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_true(r.train.checkpoint_step == 11 && exists("run-b/checkpoint.safetensors"));
    rc_assert_no_partial(dir);
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/run-b", dir);
    rc_assert_no_partial(sub);
    /* resumed (a killed run's half-written file removed first): the bytes
     * of the uninterrupted run */
    char junk[4096];
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    snprintf(junk, sizeof junk, "%s/run-b/.tmp.%ld.abcdef", dir, (long)p);
    assert_int_equal(test_write_file(junk, "x", 1), 0);
    s.resume = "run-b/checkpoint.safetensors";
    if (at_learn_train_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("resume: %s", at_error_message());
    assert_true(r.train.epochs == 3 && r.train.steps == 24);
    assert_same_tensors("run-a/checkpoint.safetensors", "run-b/checkpoint.safetensors");
    assert_same_tensors("run-a/best.safetensors", "run-b/best.safetensors");
    assert_false(exists("run-b/.tmp.") || access(junk, F_OK) == 0);
    /* force: a fresh run over an old one */
    tiny(&s, "run-a");
    s.force = 1;
    s.cfg.epochs = 1;
    assert_int_equal(at_learn_train_run(&s, rc_init(&c, NULL, 0, &store), &r), AT_OK);
    assert_int_equal(r.train.epochs, 1);
}

static void test_train_nifti_predict(void **state)
{
    (void)state;
    write_pair("data", "a", 16, 4, 1);
    write_pair("data", "b", 16, 4, 2);
    write_pair("val", "c", 16, 3, 3);
    at_learn_train_spec s;
    run_check c;
    at_learn_train_result r;
    tiny(&s, "run-n");
    s.samples = 0;
    snprintf(s.cfg.data, sizeof s.cfg.data, "data");
    snprintf(s.cfg.val_data, sizeof s.cfg.val_data, "val");
    s.cfg.epochs = 2;
    /* cancelled while reading: nothing written */
    assert_int_equal(at_learn_train_run(&s, rc_init(&c, "read", 1, &store), &r), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_false(exists("run-n"));
    if (at_learn_train_run(&s, rc_init(&c, NULL, 0, &store), &r) != AT_OK)
        fail_msg("train: %s", at_error_message());
    rc_assert_phase(&c, "read");
    rc_assert_phase(&c, "train");
    /* 2 cases of 4 slices of 2 x 2 windows */
    assert_true(r.train_cases == 2 && r.train_samples == 32 && r.val_cases == 1 && r.val_samples == 12);

    at_learn_predict_spec p;
    at_learn_predict_spec_default(&p);
    p.checkpoint = "run-n/best.safetensors";
    p.input = "val/c_input.nii.gz";
    p.output = "pred.nii.gz";
    at_learn_predict_result pr;
    if (at_learn_predict_run(&p, rc_init(&c, NULL, 0, &store), &pr) != AT_OK)
        fail_msg("predict: %s", at_error_message());
    rc_assert_phase(&c, "predict");
    assert_true(exists("pred.nii.gz") && pr.dhw[0] == 3 && pr.window[1] == 8);
    assert_int_equal(at_learn_predict_run(&p, rc_init(&c, NULL, 0, &store), &pr), AT_ERR_REFUSED);
    p.force = 1;
    assert_int_equal(at_learn_predict_run(&p, rc_init(&c, NULL, 0, &store), &pr), AT_OK);
    p.output = "pred2.nii.gz";
    p.batch = 1; /* one window a pass: many passes to cancel between */
    assert_int_equal(at_learn_predict_run(&p, rc_init(&c, "predict", 1, &store), &pr), AT_ERR_CANCELLED);
    assert_true(rc_latency(&c) < 2.0);
    assert_false(exists("pred2.nii.gz"));
    rc_assert_no_partial(dir);
    /* an input outside the store is refused */
    p.input = "/etc/hostname";
    assert_int_equal(at_learn_predict_run(&p, rc_init(&c, NULL, 0, &store), &pr), AT_ERR_ARG);
}

int main(void)
{
    at_learn_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_synthetic),
        cmocka_unit_test(test_train_nifti_predict),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
