/* The fair share on a real run: three users with shares 2:1:1 submit
 * 1-core jobs of one second at different rates to a station of 2 cores;
 * while all three have jobs waiting, the cores go to them in proportion to
 * their shares (within 3 jobs of 20), and a kill -9 of the server in the
 * middle loses no job and ends none twice. The simulation over a fake clock is
 * in tests/unit/test_jobs_sched.c. */
#include "jobs_support.h"

#include <pthread.h>

static js_room R;
static char tok[3][AT_ROOM_TOKEN_MAX];

typedef struct {
    int who, count;
    useconds_t gap;
} submitter;

static void *submit_loop(void *ud)
{
    submitter *s = ud;
    for (int i = 0; i < s->count; i++) {
        js_cli(&R, tok[s->who], NULL, 0, "job submit --project P --command 'sleep 1' --time 60");
        usleep(s->gap);
    }
    return NULL;
}

static void test_fair_run(void **state)
{
    (void)state;
    if (!test_have_program("bwrap")) {
        print_message("SKIPPED: bubblewrap is not installed (scripts/bootstrap installs it)\n");
        skip();
    }
    js_init(&R, "jobs.executor = local\njobs.cores = 2\njobs.tick_ms = 50\n"
                "jobs.share.user.alice = 2\njobs.share.user.bob = 1\njobs.share.user.carol = 1\n");
    const char *users[] = {"alice", "bob", "carol"};
    at_project_role roles[] = {AT_PROJECT_MEMBER, AT_PROJECT_MEMBER, AT_PROJECT_MEMBER};
    js_people(&R, "P", users, roles, 3, tok);
    char code[700];
    snprintf(code, sizeof code, "%s/code", R.base);
    mkdir(code, 0700);
    js_file(code, "README", "sleep jobs\n");
    js_serve(&R);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "code push '%s' --project P", code);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, cmd), 0);
    submitter s[3] = {{0, 16, 0}, {1, 16, 150000}, {2, 16, 60000}};
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, submit_loop, &s[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    /* a restart in the middle loses nothing */
    usleep(1500000);
    js_kill(&R, SIGKILL);
    js_serve(&R);
    for (int t = 0; t < 1200 && js_sql_int(&R, "SELECT count(*) FROM jobs WHERE state < 3", NULL) > 0; t++)
        usleep(100000);
    /* the starts while every user still had a job waiting */
    sqlite3 *db;
    char path[700];
    snprintf(path, sizeof path, "%s/catalog.db", R.dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    /* the last start of each user: after the earliest of them, someone ran out of work */
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT u.name, j.started FROM jobs j JOIN users u ON u.id = j.user_id WHERE "
                           "j.state = 3 AND j.started <= (SELECT min(m) FROM (SELECT max(started) m FROM "
                           "jobs GROUP BY user_id)) ORDER BY j.started, j.id",
                           -1, &q, NULL),
        SQLITE_OK);
    int count[3] = {0}, n = 0;
    while (sqlite3_step(q) == SQLITE_ROW && n < 20) {
        const char *who = (const char *)sqlite3_column_text(q, 0);
        for (int i = 0; i < 3; i++)
            if (!strcmp(who, users[i]))
                count[i]++;
        n++;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    assert_int_equal(js_sql_int(&R, "SELECT count(*) FROM jobs WHERE state = 3", NULL), 48);
    assert_int_equal(js_sql_int(&R, "SELECT count(*) FROM audit WHERE action = 'job.end'", NULL), 48);
    print_message("of the first %d starts: alice %d (share 2), bob %d (1), carol %d (1)\n", n, count[0],
                  count[1], count[2]);
    assert_true(n >= 16);
    double want[3] = {n / 2.0, n / 4.0, n / 4.0};
    for (int i = 0; i < 3; i++)
        if (fabs(count[i] - want[i]) > 3)
            fail_msg("%s started %d jobs of %d, its share is %.1f", users[i], count[i], n, want[i]);
    js_cleanup(&R);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fair_run)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
