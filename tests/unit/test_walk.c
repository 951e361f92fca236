/* The one folder walker (core): order, links, special files, ceilings,
 * filters, cancel, and the removal of an interrupted run's debris. */
#include "support.h"

#include "atelier/walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(const char *dir, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    assert_int_equal(test_write_file(p, "x", 1), 0);
}

static void mkd(const char *dir, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void test_order_and_links(void **state)
{
    (void)state;
    char *d = test_mkdtemp();
    mkd(d, "b");
    mkd(d, "a");
    mkd(d, "a/z");
    touch(d, "B.txt");
    touch(d, "a.txt");
    touch(d, "a/z/1");
    touch(d, "a/2");
    touch(d, "b/3");
    touch(d, ".hidden");
    char p[4096], t[4096];
    snprintf(p, sizeof p, "%s/link-to-a", d);
    snprintf(t, sizeof t, "%s/a", d);
    assert_int_equal(symlink(t, p), 0); /* a folder link: never followed */
    snprintf(p, sizeof p, "%s/dangling", d);
    assert_int_equal(symlink("/nonexistent/x", p), 0);
    snprintf(p, sizeof p, "%s/c-link", d);
    snprintf(t, sizeof t, "%s/a.txt", d);
    assert_int_equal(symlink(t, p), 0); /* a file link: listed */
    snprintf(p, sizeof p, "%s/fifo", d);
    assert_int_equal(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/loop", d);
    assert_int_equal(symlink(d, p), 0);

    at_walk_list l = {0};
    assert_int_equal(at_walk_collect(&l, d, NULL), AT_OK);
    const char *want[] = {".hidden", "B.txt", "a.txt", "c-link", "a/2", "a/z/1", "b/3"};
    assert_int_equal(l.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < l.n; i++) {
        assert_string_equal(l.v[i].rel, want[i]);
        snprintf(p, sizeof p, "%s/%s", d, want[i]);
        assert_string_equal(l.v[i].path, p);
    }
    assert_int_equal(l.skipped.folder_links, 2);
    assert_int_equal(l.skipped.dangling_links, 1);
    assert_int_equal(l.skipped.not_regular, 1);
    at_walk_list_free(&l);

    /* hidden names and a filter */
    at_walk_options o = {.skip_hidden = 1};
    assert_int_equal(at_walk_collect(&l, d, &o), AT_OK);
    assert_string_equal(l.v[0].rel, "B.txt");
    assert_int_equal(l.n, 6);
    at_walk_list_free(&l);

    /* a file input is itself, named by its base name; a FIFO input is refused at once */
    snprintf(p, sizeof p, "%s/a/2", d);
    assert_int_equal(at_walk_collect(&l, p, NULL), AT_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].rel, "2");
    at_walk_list_free(&l);
    snprintf(p, sizeof p, "%s/fifo", d);
    assert_int_equal(at_walk_collect(&l, p, NULL), AT_ERR_IO);
    assert_non_null(strstr(at_error_message(), "a FIFO"));
    at_walk_list_free(&l);
    test_rmtree(d);
    free(d);
}

static int no_b(void *ud, const char *rel, int is_folder)
{
    (*(int *)ud)++;
    return !(is_folder && !strcmp(rel, "b"));
}

static void test_ceilings_and_filter(void **state)
{
    (void)state;
    char *d = test_mkdtemp();
    mkd(d, "a");
    mkd(d, "a/b");
    mkd(d, "a/b/c");
    mkd(d, "b");
    touch(d, "a/b/c/deep");
    touch(d, "a/f");
    touch(d, "b/g");
    touch(d, "top");
    at_walk_list l = {0};
    at_walk_options o = {.max_depth = 2};
    assert_int_equal(at_walk_collect(&l, d, &o), AT_OK);
    assert_int_equal(l.n, 3); /* a/b/c is past the depth */
    assert_int_equal(l.skipped.too_deep, 1);
    at_walk_list_free(&l);
    o = (at_walk_options){.max_files = 2};
    assert_int_equal(at_walk_collect(&l, d, &o), AT_ERR_LIMIT);
    at_walk_list_free(&l);
    int calls = 0;
    o = (at_walk_options){.keep = no_b, .keep_ud = &calls};
    assert_int_equal(at_walk_collect(&l, d, &o), AT_OK);
    assert_int_equal(l.n, 3);
    for (size_t i = 0; i < l.n; i++)
        assert_null(strstr(l.v[i].rel, "g"));
    assert_true(calls > 0);
    at_walk_list_free(&l);
    test_rmtree(d);
    free(d);
}

static void test_cancel(void **state)
{
    (void)state;
    char *d = test_mkdtemp();
    volatile sig_atomic_t stop = 1;
    at_run run;
    at_run_init(&run);
    run.cancel = &stop;
    at_walk_options o = {.run = &run};
    at_walk_list l = {0};
    assert_int_equal(at_walk_collect(&l, d, &o), AT_ERR_CANCELLED);
    at_walk_list_free(&l);
    test_rmtree(d);
    free(d);
}

static void test_debris(void **state)
{
    (void)state;
    char *d = test_mkdtemp();
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0); /* a process id that no longer runs */
    char name[128];
    mkd(d, "x");
    snprintf(name, sizeof name, "x/.deid.tmp.%ld.3", (long)child);
    touch(d, name);
    snprintf(name, sizeof name, ".deid.tmp.%ld.4", (long)getpid()); /* ours: a live run's */
    touch(d, name);
    snprintf(name, sizeof name, ".deid.tmp.%ld", (long)getppid()); /* alive */
    touch(d, name);
    touch(d, "x/.deid.tmp.notapid");
    touch(d, "x/keep.dcm");
    snprintf(name, sizeof name, ".deid.tmp.%ld.d", (long)child);
    mkd(d, name);
    touch(d, "x/keep2");
    size_t removed = 0;
    assert_int_equal(at_walk_remove_debris(d, ".deid.tmp.", &removed), AT_OK);
    assert_int_equal(removed, 2);
    at_walk_list l = {0};
    assert_int_equal(at_walk_collect(&l, d, NULL), AT_OK);
    assert_int_equal(l.n, 5);
    at_walk_list_free(&l);
    /* partial folders beside an output: a dead run's go, a live one's stay */
    snprintf(name, sizeof name, "out.partial-%ld", (long)child);
    mkd(d, name);
    snprintf(name, sizeof name, "out.partial-%ld/f", (long)child);
    touch(d, name);
    snprintf(name, sizeof name, "out.partial-%ld", (long)getppid());
    mkd(d, name);
    mkd(d, "other.partial-1");
    char out[4096];
    snprintf(out, sizeof out, "%s/out", d);
    assert_int_equal(at_walk_remove_partials(out, &removed), AT_OK);
    assert_int_equal(removed, 1);
    snprintf(out, sizeof out, "%s/out.partial-%ld", d, (long)child);
    assert_int_equal(access(out, F_OK), -1);
    test_rmtree(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_links),
        cmocka_unit_test(test_ceilings_and_filter),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_debris),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
