/* The crash test of the queue: jobs run while the server is killed with
 * SIGKILL at 20 random moments and started again each time (submissions
 * go on between the kills). At the end every job has ended exactly once
 * (one job.end in the audit, one final status), no job ran twice at once
 * (one runner per job: its lock), every succeeded job's result landed once
 * (one result snapshot, holding its own number), and the audit chain
 * verifies. */
#include "jobs_support.h"

#include <dirent.h>

static void test_crash(void **state)
{
    (void)state;
    if (!test_have_program("bwrap")) {
        print_message("SKIPPED: bubblewrap is not installed (scripts/bootstrap installs it)\n");
        skip();
    }
    js_room R;
    char tok[1][AT_ROOM_TOKEN_MAX];
    js_init(&R, "jobs.executor = local\njobs.cores = 2\njobs.tick_ms = 50\n");
    const char *users[] = {"eve"};
    at_project_role roles[] = {AT_PROJECT_MEMBER};
    js_people(&R, "P", users, roles, 1, tok);
    char code[700];
    snprintf(code, sizeof code, "%s/code", R.base);
    mkdir(code, 0700);
    js_file(code, "job.sh", "sleep 0.$(( $ATELIER_JOB % 7 + 1 ))\necho $ATELIER_JOB > /out/id.txt\n");
    js_serve(&R);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "code push '%s' --project P", code);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, cmd), 0);
    int submitted = 0;
    for (int i = 0; i < 16; i++)
        submitted +=
            js_cli(&R, tok[0], NULL, 0, "job submit --project P --command 'sh job.sh' --time 60") == 0;
    unsigned seed = (unsigned)time(NULL);
    print_message("seed %u\n", seed);
    srand(seed);
    for (int k = 0; k < 20; k++) {
        usleep((useconds_t)(50000 + rand() % 600000));
        js_kill(&R, SIGKILL);
        js_serve(&R);
        /* a submission after each restart (it may meet the next kill: then it is refused, not half-made) */
        submitted +=
            js_cli(&R, tok[0], NULL, 0, "job submit --project P --command 'sh job.sh' --time 60") == 0;
    }
    /* let everything end */
    long long left = 1;
    for (int t = 0; t < 600 && left; t++) {
        left = js_sql_int(&R, "SELECT count(*) FROM jobs WHERE state < 3", NULL);
        usleep(100000);
    }
    js_stop(&R);
    assert_int_equal(left, 0);
    long long total = js_sql_int(&R, "SELECT count(*) FROM jobs", NULL);
    assert_int_equal(total, submitted);
    long long ok = js_sql_int(&R, "SELECT count(*) FROM jobs WHERE state = 3", NULL);
    print_message("%lld jobs, %lld succeeded, %lld requeued once or more\n", total, ok,
                  js_sql_int(&R, "SELECT count(*) FROM jobs WHERE attempt > 1", NULL));
    assert_int_equal(ok, total); /* nothing is lost: a killed server only delays */
    /* ended exactly once */
    assert_int_equal(js_sql_int(&R, "SELECT count(*) FROM audit WHERE action = 'job.end'", NULL), total);
    assert_int_equal(js_sql_int(&R,
                                "SELECT count(*) FROM (SELECT object FROM audit WHERE action = 'job.end' "
                                "GROUP BY object HAVING count(*) > 1)",
                                NULL),
                     0);
    /* results landed once each */
    assert_int_equal(js_sql_int(&R, "SELECT count(*) FROM job_snapshots WHERE job_id IS NOT NULL", NULL),
                     total);
    assert_int_equal(js_sql_int(&R, "SELECT count(DISTINCT result) FROM jobs WHERE result != ''", NULL),
                     total);
    assert_int_equal(js_sql_int(&R, "SELECT count(*) FROM job_lineage WHERE role = 'result'", NULL), total);
    /* one final status per job, and each result holds its own number */
    at_room *room;
    at_jobs *jobs;
    assert_int_equal(at_room_open(R.dir, &room), AT_OK);
    assert_int_equal(at_jobs_open(room, &jobs), AT_OK);
    for (long long id = 1; id <= total; id++) {
        char dir[800];
        snprintf(dir, sizeof dir, "%s/jobs/%lld", R.dir, id);
        DIR *d = opendir(dir);
        assert_non_null(d);
        int statuses = 0;
        struct dirent *e;
        while ((e = readdir(d)))
            statuses += !strncmp(e->d_name, "status.", 7);
        closedir(d);
        if (statuses != 1)
            fail_msg("job %lld has %d final statuses", id, statuses);
        at_job jb;
        assert_int_equal(at_jobs_get(jobs, id, &jb), AT_OK);
        char dest[800], want[32];
        snprintf(dest, sizeof dest, "%s/res-%lld", R.base, id);
        assert_int_equal(at_jobs_dataset_get(jobs, "P", "results", jb.result, dest), AT_OK);
        snprintf(dest, sizeof dest, "%s/res-%lld/id.txt", R.base, id);
        size_t len;
        unsigned char *txt = test_read_file(dest, &len);
        snprintf(want, sizeof want, "%lld\n", id);
        assert_non_null(txt);
        assert_true(len == strlen(want) && !memcmp(txt, want, len));
        free(txt);
    }
    at_jobs_close(jobs);
    assert_int_equal(at_room_check(room), AT_OK);
    at_room_close(room);
    at_audit_report rep;
    assert_int_equal(at_room_audit_verify(R.dir, NULL, &rep), AT_OK);
    if (!rep.ok)
        fail_msg("audit: %s", rep.message);
    js_cleanup(&R);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crash)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
