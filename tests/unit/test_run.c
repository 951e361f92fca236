/* Unit tests for the run context (src/core/run.c): progress events,
 * cancellation, thread budget and the local store's confinement. */
#include "support.h"

#include "atelier/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    int count;
    uint64_t steps[16];
    size_t metrics;
    double first_metric;
} events;

static void on_progress(void *ud, const at_run_event *ev)
{
    events *e = ud;
    if (e->count < 16)
        e->steps[e->count] = ev->step;
    e->count++;
    e->metrics = ev->metric_count;
    if (ev->metric_count)
        e->first_metric = ev->metrics[0].value;
}

static void test_progress_monotonic_within_a_phase(void **state)
{
    (void)state;
    events e = {0};
    at_run run;
    at_run_init(&run);
    run.progress = on_progress;
    run.progress_ud = &e;
    at_run_progress(&run, "read", 3, 10);
    at_run_progress(&run, "read", 2, 10); /* backwards: clamped */
    at_run_progress(&run, "write", 1, 5); /* a new phase starts anew */
    at_run_metric m[2] = {{"loss", 0.5}, {"lr", 1e-3}};
    at_run_progress_metrics(&run, "write", 5, 5, m, 2);
    assert_int_equal(e.count, 4);
    assert_int_equal(e.steps[0], 3);
    assert_int_equal(e.steps[1], 3);
    assert_int_equal(e.steps[2], 1);
    assert_int_equal(e.steps[3], 5);
    assert_int_equal(e.metrics, 2);
    assert_true(e.first_metric == 0.5);
    /* a run without a callback, and the default run, report nothing */
    at_run_progress(at_run_default(), "read", 1, 2);
    at_run_progress(NULL, "read", 1, 2);
}

static void test_cancel_and_threads(void **state)
{
    (void)state;
    volatile sig_atomic_t flag = 0;
    at_run run;
    at_run_init(&run);
    assert_int_equal(at_run_threads(&run), 1);
    run.threads = 0;
    assert_int_equal(at_run_threads(&run), 1);
    run.threads = 3;
    assert_int_equal(at_run_threads(&run), 3);
    assert_int_equal(at_run_check(&run, "x"), AT_OK);
    run.cancel = &flag;
    assert_int_equal(at_run_check(&run, "x"), AT_OK);
    flag = 1;
    assert_true(at_run_cancelled(&run));
    assert_int_equal(at_run_check(&run, "deid"), AT_ERR_CANCELLED);
    assert_string_equal(at_error_message(), "deid: cancelled");
    assert_false(at_run_cancelled(NULL));
}

static void test_local_store_confines_paths(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *outside = test_mkdtemp();
    char *sub = at_path_join(dir, "in");
    assert_int_equal(at_mkdir_p(sub, 0700), AT_OK);
    char *link = at_path_join(dir, "escape");
    assert_int_equal(symlink(outside, link), 0);

    at_store store;
    assert_int_equal(at_store_local(&store, dir), AT_OK);
    at_run run;
    at_run_init(&run);
    run.store = &store;
    char *p = NULL;
    assert_int_equal(at_run_path(&run, "in/a.txt", 0, &p), AT_OK);
    assert_non_null(strstr(p, "/in/a.txt"));
    at_free(p);
    assert_int_equal(at_run_path(&run, "new/deeper/out.txt", 1, &p), AT_OK); /* not there yet */
    at_free(p);
    assert_int_equal(at_run_path(&run, "/etc/passwd", 0, &p), AT_ERR_ARG);
    assert_null(p);
    assert_int_equal(at_run_path(&run, "in/../../x", 0, &p), AT_ERR_ARG);
    assert_int_equal(at_run_path(&run, "escape/secret", 0, &p), AT_ERR_ARG);
    assert_non_null(strstr(at_error_message(), "escape/secret"));
    assert_int_equal(at_run_path(&run, "", 0, &p), AT_ERR_ARG);
    at_store_free(&store);

    /* no store: paths as given */
    run.store = NULL;
    assert_int_equal(at_run_path(&run, "/etc/passwd", 0, &p), AT_OK);
    assert_string_equal(p, "/etc/passwd");
    at_free(p);
    assert_int_equal(at_store_local(&store, "/nonexistent/atelier-root"), AT_ERR_IO);

    at_free(sub);
    at_free(link);
    test_rmtree(dir);
    test_rmtree(outside);
    free(dir);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_monotonic_within_a_phase),
        cmocka_unit_test(test_cancel_and_threads),
        cmocka_unit_test(test_local_store_confines_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
