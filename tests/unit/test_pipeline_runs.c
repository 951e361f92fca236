/* The pipeline entry points at_<pipeline>_run(spec, run, result) of deid,
 * text (deid, extract), risk (split, train, eval, score, demo) and synth
 * (study, docs, chemo, cohort), each driven three ways:
 *   - through a local store rooted in a temporary folder (relative paths);
 *   - with its progress events recorded: in each phase the steps never go
 *     back and the last event of each phase is at its total;
 *   - cancelled mid-run (the flag raised by the progress callback): the
 *     call returns AT_ERR_CANCELLED within 2 s and leaves no output, no
 *     temporary file and no partial folder. */
#include "support.h"

#include "atelier/deid.h"
#include "atelier/risk.h"
#include "atelier/synth.h"
#include "atelier/text.h"
#include "atelier/walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the recorder: progress events, and the cancel it can raise ---- */
#define MAX_PHASES 8
typedef struct {
    const char *phase[MAX_PHASES];
    uint64_t last_step[MAX_PHASES], last_total[MAX_PHASES];
    size_t nphases, events;
    int backwards, past_total;
    int cancel_after; /* raise the flag at the event with step >= this (0: never) */
    volatile sig_atomic_t stop;
    double stop_at;
} recorder;

static void record(void *ud, const at_run_event *ev)
{
    recorder *r = ud;
    size_t k = 0;
    while (k < r->nphases && strcmp(r->phase[k], ev->phase))
        k++;
    if (k == r->nphases && k < MAX_PHASES) {
        r->phase[k] = ev->phase;
        r->nphases++;
    } else if (k < r->nphases && ev->step < r->last_step[k]) {
        r->backwards++;
    }
    if (k < MAX_PHASES) {
        r->last_step[k] = ev->step;
        r->last_total[k] = ev->total;
    }
    if (ev->total && ev->step > ev->total)
        r->past_total++;
    r->events++;
    if (r->cancel_after && !r->stop && ev->step >= (uint64_t)r->cancel_after) {
        r->stop = 1;
        r->stop_at = at_now_seconds();
    }
}

static void run_with(at_run *run, recorder *r, at_store *store, int cancel_after)
{
    memset(r, 0, sizeof *r);
    r->cancel_after = cancel_after;
    at_run_init(run);
    run->progress = record;
    run->progress_ud = r;
    run->cancel = &r->stop;
    run->threads = 2;
    run->store = store;
}

/* Every phase went forward and ended at its total. */
static void check_progress(const recorder *r, const char *what)
{
    if (!r->events)
        fail_msg("%s: no progress event", what);
    if (r->backwards || r->past_total)
        fail_msg("%s: %d events went back, %d past their total", what, r->backwards, r->past_total);
    for (size_t k = 0; k < r->nphases; k++)
        if (r->last_step[k] != r->last_total[k])
            fail_msg("%s: phase %s ended at %llu of %llu", what, r->phase[k],
                     (unsigned long long)r->last_step[k], (unsigned long long)r->last_total[k]);
}

/* A cancelled call: AT_ERR_CANCELLED, within 2 s of the flag. */
static void check_cancelled(const recorder *r, at_status st, const char *what)
{
    if (st != AT_ERR_CANCELLED)
        fail_msg("%s: cancelled run returned %d (%s)", what, st, at_error_message());
    if (!r->stop)
        fail_msg("%s: the flag was never raised", what);
    double late = at_now_seconds() - r->stop_at;
    if (late > 2.0)
        fail_msg("%s: returned %.2f s after the cancel", what, late);
}

/* Nothing a run leaves behind under root: no temporary file, no partial folder. */
static void check_no_debris(const char *root, const char *what)
{
    char *out = NULL;
    int rc =
        test_run(&out, 1, "find '%s' -name '.tmp.*' -o -name '.deid.tmp.*' -o -name '*.partial-*'", root);
    if (rc != 0 || (out && *out))
        fail_msg("%s: debris left: %s", what, out ? out : "(find failed)");
    free(out);
}

static int exists_in(const char *root, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    return access(p, F_OK) == 0;
}

typedef struct {
    char *root;
    at_store store;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->root = test_mkdtemp();
    assert_int_equal(at_store_local(&f->store, f->root), AT_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    at_store_free(&f->store);
    test_rmtree(f->root);
    free(f->root);
    free(f);
    return 0;
}

static at_key test_key(void)
{
    at_key k;
    for (int i = 0; i < AT_KEY_BYTES; i++)
        k.bytes[i] = (unsigned char)(i * 7 + 1);
    return k;
}

/* ---- deid ---- */

static void make_study(fixture *f, const char *rel, int slices)
{
    at_run run;
    recorder r;
    run_with(&run, &r, &f->store, 0);
    at_synth_study_spec spec = {.outdir = rel};
    at_synth_study_options_default(&spec.options);
    spec.options.series = 2;
    spec.options.slices = slices;
    spec.options.size = 32;
    at_synth_study_result res;
    assert_int_equal(at_synth_study_run(&spec, &run, &res), AT_OK);
    assert_int_equal(res.files, (size_t)(2 * slices));
    check_progress(&r, "synth study");
}

static void test_deid_run(void **state)
{
    fixture *f = *state;
    make_study(f, "study", 12);
    at_key key = test_key();
    const char *in[] = {"study"};
    at_deid_spec spec = {.inputs = in, .input_count = 1, .outdir = "out", .key = &key};
    at_run run;
    recorder r;
    at_deid_batch_result res;
    /* through the store, progress to the total */
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_deid_run(&spec, &run, &res), AT_OK);
    assert_int_equal(res.files_done, 24);
    at_deid_batch_result_free(&res);
    check_progress(&r, "deid");
    assert_true(exists_in(f->root, "out/deid-report.json"));
    /* an absolute path or a '..' is outside the store */
    const char *abs_in[] = {"/etc"};
    at_deid_spec bad = spec;
    bad.inputs = abs_in;
    assert_int_equal(at_deid_run(&bad, &run, &res), AT_ERR_ARG);
    bad.inputs = in;
    bad.outdir = "../escape";
    assert_int_equal(at_deid_run(&bad, &run, &res), AT_ERR_ARG);
    /* -o inside the input: refused before anything is written */
    bad.outdir = "study/out";
    assert_int_equal(at_deid_run(&bad, &run, &res), AT_ERR_REFUSED);
    assert_false(exists_in(f->root, "study/out"));
    /* cancelled after the first file: no output tree, no temporary file */
    spec.outdir = "cancelled";
    run_with(&run, &r, &f->store, 1);
    run.threads = 1;
    at_status st = at_deid_run(&spec, &run, &res);
    at_deid_batch_result_free(&res);
    check_cancelled(&r, st, "deid");
    assert_false(exists_in(f->root, "cancelled"));
    /* into the existing tree: cancelled, what was there stays and nothing is added */
    spec.outdir = "out";
    run_with(&run, &r, &f->store, 1);
    run.threads = 1;
    st = at_deid_run(&spec, &run, &res);
    at_deid_batch_result_free(&res);
    check_cancelled(&r, st, "deid into a tree");
    assert_true(exists_in(f->root, "out/deid-report.json"));
    check_no_debris(f->root, "deid");
}

/* A temporary file a killed deid left (its process gone) is removed by the next run. */
static void test_deid_debris(void **state)
{
    fixture *f = *state;
    make_study(f, "study", 2);
    at_key key = test_key();
    const char *in[] = {"study"};
    at_deid_spec spec = {.inputs = in, .input_count = 1, .outdir = "out", .key = &key};
    at_deid_batch_result res;
    at_run run;
    recorder r;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_deid_run(&spec, &run, &res), AT_OK);
    at_deid_batch_result_free(&res);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);
    char p[4096];
    snprintf(p, sizeof p, "%s/out/.deid.tmp.%ld.0", f->root, (long)child);
    assert_int_equal(test_write_file(p, "half", 4), 0);
    assert_int_equal(at_deid_run(&spec, &run, &res), AT_OK);
    assert_int_equal(res.debris_removed, 1);
    at_deid_batch_result_free(&res);
    check_no_debris(f->root, "deid after a killed run");
}

/* ---- text ---- */

static void make_docs(fixture *f, const char *rel, size_t n)
{
    at_run run;
    recorder r;
    run_with(&run, &r, &f->store, 0);
    at_synth_docs_spec spec = {.outdir = rel, .docs = n, .seed = 3};
    at_synth_docs_result res;
    assert_int_equal(at_synth_docs_run(&spec, &run, &res), AT_OK);
    assert_int_equal(res.files, 2 * n);
    check_progress(&r, "synth docs");
}

static void test_text_deid_run(void **state)
{
    fixture *f = *state;
    make_docs(f, "docs", 30);
    at_key key = test_key();
    const char *in[] = {"docs"};
    at_text_deid_spec spec = {.inputs = in,
                              .input_count = 1,
                              .outdir = "red",
                              .mode = AT_TEXT_PSEUDONYMISE,
                              .key = &key,
                              .json = 1};
    at_run run;
    recorder r;
    at_text_deid_result res;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_text_deid_run(&spec, &run, &res), AT_OK);
    assert_int_equal(res.written, 30); /* the .gold.json files are standoff, left out */
    assert_int_equal(res.failed, 0);
    at_text_deid_result_free(&res);
    check_progress(&r, "text deid");
    assert_true(exists_in(f->root, "red/doc-000029.txt") && exists_in(f->root, "red/doc-000029.txt.json"));
    spec.outdir = "docs/sub";
    assert_int_equal(at_text_deid_run(&spec, &run, &res), AT_ERR_REFUSED);
    at_text_deid_result_free(&res);
    spec.outdir = "cancelled";
    run_with(&run, &r, &f->store, 3);
    at_status st = at_text_deid_run(&spec, &run, &res);
    at_text_deid_result_free(&res);
    check_cancelled(&r, st, "text deid");
    assert_false(exists_in(f->root, "cancelled"));
    check_no_debris(f->root, "text deid");
}

static void test_text_extract_run(void **state)
{
    fixture *f = *state;
    make_docs(f, "docs", 20);
    const char *in[] = {"docs"};
    at_text_extract_spec spec = {.inputs = in, .input_count = 1, .out = "mentions.tsv"};
    at_run run;
    recorder r;
    at_text_extract_result res;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_text_extract_run(&spec, &run, &res), AT_OK);
    assert_int_equal(res.documents, 20);
    assert_int_equal(res.done, 20);
    at_text_extract_result_free(&res);
    check_progress(&r, "text extract");
    char p[4096];
    snprintf(p, sizeof p, "%s/mentions.tsv", f->root);
    size_t len = 0;
    unsigned char *data = test_read_file(p, &len);
    assert_non_null(data);
    assert_true(test_contains(data, len, "docs/doc-000003.txt\t")); /* named as given, in the folder */
    free(data);
    spec.out = "cancelled.tsv";
    run_with(&run, &r, &f->store, 2);
    at_status st = at_text_extract_run(&spec, &run, &res);
    at_text_extract_result_free(&res);
    check_cancelled(&r, st, "text extract");
    assert_false(exists_in(f->root, "cancelled.tsv"));
    check_no_debris(f->root, "text extract");
}

/* ---- risk ---- */

static void make_chemo(fixture *f, const char *rel, size_t patients)
{
    at_run run;
    recorder r;
    run_with(&run, &r, &f->store, 0);
    at_synth_chemo_spec spec = {.out = rel, .patients = patients, .seed = 5};
    at_synth_chemo_result res;
    assert_int_equal(at_synth_chemo_run(&spec, &run, &res), AT_OK);
    check_progress(&r, "synth chemo");
    run_with(&run, &r, &f->store, 0); /* one step: cancelled before it writes */
    r.stop = 1;
    r.stop_at = at_now_seconds();
    spec.out = "cancelled.csv";
    check_cancelled(&r, at_synth_chemo_run(&spec, &run, &res), "synth chemo");
    assert_false(exists_in(f->root, "cancelled.csv"));
}

static void test_risk_runs(void **state)
{
    fixture *f = *state;
    make_chemo(f, "chemo.csv", 150);
    at_run run;
    recorder r;
    /* split */
    at_risk_split_spec sp = {.csv = "chemo.csv",
                             .test_fraction = 0.25,
                             .seed = 3,
                             .train_out = "train.csv",
                             .test_out = "test.csv"};
    at_risk_split_result sr;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_risk_split_run(&sp, &run, &sr), AT_OK);
    assert_int_equal(sr.patients, 150);
    check_progress(&r, "risk split");
    at_risk_split_spec sc = sp;
    sc.train_out = "c-train.csv";
    sc.test_out = "c-test.csv";
    run_with(&run, &r, &f->store, 0);
    r.stop = 1; /* split is one step: cancelled before it writes */
    r.stop_at = at_now_seconds();
    check_cancelled(&r, at_risk_split_run(&sc, &run, &sr), "risk split");
    assert_false(exists_in(f->root, "c-train.csv") || exists_in(f->root, "c-test.csv"));
    sc.train_out = "chemo.csv"; /* over its input */
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_risk_split_run(&sc, &run, &sr), AT_ERR_REFUSED);
    /* train: cross-validation, so several phases */
    at_risk_train_spec tp = {.csv = "train.csv", .out = "model"};
    at_risk_train_result tr;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_risk_train_run(&tp, &run, &tr), AT_OK);
    check_progress(&r, "risk train");
    assert_true(r.nphases >= 3);
    tp.out = "cancelled-model";
    run_with(&run, &r, &f->store, 2);
    check_cancelled(&r, at_risk_train_run(&tp, &run, &tr), "risk train");
    assert_false(exists_in(f->root, "cancelled-model"));
    tp.out = "train.csv";
    assert_int_equal(at_risk_train_run(&tp, &run, &tr), AT_ERR_REFUSED);
    /* eval */
    at_risk_eval_spec ep = {.csv = "test.csv", .model = "model", .plot = "plot.svg", .bootstrap = 50};
    at_risk_metrics mt;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_risk_eval_run(&ep, &run, &mt), AT_OK);
    assert_true(mt.auroc > 0.5);
    check_progress(&r, "risk eval");
    assert_true(exists_in(f->root, "plot.svg"));
    ep.plot = "cancelled.svg";
    run_with(&run, &r, &f->store, 0);
    r.stop = 1;
    r.stop_at = at_now_seconds();
    check_cancelled(&r, at_risk_eval_run(&ep, &run, &mt), "risk eval");
    assert_false(exists_in(f->root, "cancelled.svg"));
    /* score */
    at_risk_score_spec cp = {.csv = "test.csv", .model = "model", .out = "scores.csv", .reasons = 2};
    at_risk_score_result cr;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_risk_score_run(&cp, &run, &cr), AT_OK);
    check_progress(&r, "risk score");
    cp.out = "cancelled-scores.csv";
    run_with(&run, &r, &f->store, 0);
    r.stop = 1;
    r.stop_at = at_now_seconds();
    check_cancelled(&r, at_risk_score_run(&cp, &run, &cr), "risk score");
    assert_false(exists_in(f->root, "cancelled-scores.csv"));
    check_no_debris(f->root, "risk");
}

static void test_risk_demo_run(void **state)
{
    (void)state;
    at_risk_demo_spec spec = {.patients = 120, .seed = 2};
    at_risk_metrics m;
    at_run run;
    recorder r;
    run_with(&run, &r, NULL, 0);
    assert_int_equal(at_risk_demo_run(&spec, &run, &m), AT_OK);
    assert_true(m.n > 0);
    check_progress(&r, "risk demo");
    run_with(&run, &r, NULL, 2);
    check_cancelled(&r, at_risk_demo_run(&spec, &run, &m), "risk demo");
}

/* ---- synth ---- */

static void test_synth_runs(void **state)
{
    fixture *f = *state;
    at_run run;
    recorder r;
    /* study and docs, cancelled: nothing left */
    at_synth_study_spec ss = {.outdir = "study-x"};
    at_synth_study_options_default(&ss.options);
    ss.options.series = 2;
    ss.options.slices = 6;
    at_synth_study_result sr;
    run_with(&run, &r, &f->store, 3);
    check_cancelled(&r, at_synth_study_run(&ss, &run, &sr), "synth study");
    assert_false(exists_in(f->root, "study-x"));
    at_synth_docs_spec ds = {.outdir = "docs-x", .docs = 10, .seed = 1};
    at_synth_docs_result dr;
    run_with(&run, &r, &f->store, 2);
    check_cancelled(&r, at_synth_docs_run(&ds, &run, &dr), "synth docs");
    assert_false(exists_in(f->root, "docs-x"));
    /* cohort: through the store, then cancelled after one patient */
    at_synth_cohort_spec cs = {.outdir = "cohort", .patients = 3};
    at_phantom_options_default(&cs.options, AT_PHANTOM_HEAD);
    cs.options.dim[0] = cs.options.dim[1] = 24;
    cs.options.dim[2] = 16;
    cs.options.spacing[0] = cs.options.spacing[1] = 8;
    cs.options.spacing[2] = 10;
    at_synth_cohort_result cr;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_synth_cohort_run(&cs, &run, &cr), AT_OK);
    assert_int_equal(cr.patients, 3);
    check_progress(&r, "synth cohort");
    assert_true(exists_in(f->root, "cohort/patient_002/ct.nii.gz"));
    assert_int_equal(at_synth_cohort_run(&cs, &run, &cr), AT_ERR_REFUSED); /* there, not replaced */
    cs.outdir = "cohort-x";
    run_with(&run, &r, &f->store, 1);
    check_cancelled(&r, at_synth_cohort_run(&cs, &run, &cr), "synth cohort");
    assert_false(exists_in(f->root, "cohort-x"));
    /* replace: the old one goes once the new one is whole */
    cs.outdir = "cohort";
    cs.replace = 1;
    cs.patients = 1;
    run_with(&run, &r, &f->store, 0);
    assert_int_equal(at_synth_cohort_run(&cs, &run, &cr), AT_OK);
    assert_false(exists_in(f->root, "cohort/patient_002"));
    check_no_debris(f->root, "synth");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deid_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deid_debris, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_deid_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_extract_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_risk_runs, setup, teardown),
        cmocka_unit_test(test_risk_demo_run),
        cmocka_unit_test_setup_teardown(test_synth_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
