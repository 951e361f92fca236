/* Jobs on the head station (executor local) through the room's service
 * and the client: a script job from a code snapshot with an input dataset,
 * its progress and its result with lineage; the sandbox (a TCP listener on
 * the loopback, the catalog, the keys, the vault, another project's files,
 * writes outside /out: each refused, in the job's log); a time limit; a
 * cancellation; quotas refused at submission with their message; a kill -9
 * of the server in the middle of a job (re-attached, ended once). */
#include "jobs_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

static js_room R;
static char tok[5][AT_ROOM_TOKEN_MAX]; /* alice (member), bob (member), carol, dave, sam (student) */
static char code_dir[700], in_dir[700];

static int setup(void **state)
{
    (void)state;
    if (!test_have_program("bwrap")) {
        print_message("SKIPPED: bubblewrap is not installed (scripts/bootstrap installs it)\n");
        return 0;
    }
    js_init(&R, "jobs.executor = local\njobs.cores = 2\njobs.tick_ms = 100\njobs.processes = 64\n"
                "jobs.quota.user.carol.core_hours = 1\n"
                "jobs.quota.user.dave.concurrent = 1\njobs.quota.user.dave.queued = 1\n");
    const char *users[] = {"alice", "bob", "carol", "dave", "sam"};
    at_project_role roles[] = {AT_PROJECT_MEMBER, AT_PROJECT_MEMBER, AT_PROJECT_MEMBER, AT_PROJECT_MEMBER,
                               AT_PROJECT_STUDENT};
    js_people(&R, "P", users, roles, 5, tok);
    const char *other[] = {"olga"};
    at_project_role lead[] = {AT_PROJECT_LEAD};
    js_people(&R, "Q", other, lead, 1, NULL);
    /* an input dataset of P and one of Q, stored directly (the door's
     * imports are not wired yet) */
    snprintf(in_dir, sizeof in_dir, "%s/in", R.base);
    mkdir(in_dir, 0700);
    js_file(in_dir, "x.txt", "synthetic input\n");
    at_room *room;
    at_jobs *jobs;
    assert_int_equal(at_room_open(R.dir, &room), AT_OK);
    assert_int_equal(at_jobs_open(room, &jobs), AT_OK);
    char snap[AT_VAULT_SNAPSHOT_HEX];
    assert_int_equal(at_jobs_dataset_put(jobs, "alice", "P", "in", "data", 1, in_dir, snap), AT_OK);
    assert_int_equal(at_jobs_dataset_put(jobs, "olga", "Q", "secret", "data", 0, in_dir, snap), AT_OK);
    at_jobs_close(jobs);
    at_room_close(room);
    /* the code */
    snprintf(code_dir, sizeof code_dir, "%s/code", R.base);
    mkdir(code_dir, 0700);
    js_file(code_dir, "run.sh",
            "set -e\n"
            "for i in 1 2 3 4 5; do\n"
            "  printf '{\"phase\":\"train\",\"step\":%d,\"total\":5,\"metrics\":{\"loss\":%d.5}}\\n' $i $((6 "
            "- i)) >&3\n"
            "done\n"
            "cat /data/in/x.txt > /out/copy.txt\necho hello > /out/hello.txt\necho done on stdout\n");
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "cp '%s/tests/jobs/escape.py' '%s/'", getenv("ATELIER_SOURCE_DIR"), code_dir);
    assert_int_equal(system(cmd), 0);
    js_serve(&R);
    char *out = NULL;
    snprintf(cmd, sizeof cmd, "code push '%s' --project P", code_dir);
    int rc = js_cli(&R, tok[0], &out, 1, cmd);
    if (rc)
        fail_msg("code push: %s", out);
    assert_int_equal((int)strlen(out), 65);
    free(out);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (R.base)
        js_cleanup(&R);
    return 0;
}

#define NEED_BWRAP()                                                                                         \
    if (!R.base)                                                                                             \
    skip()

static long long submit(int who, const char *args, int expect_ok)
{
    char *out = NULL, cmd[2048];
    snprintf(cmd, sizeof cmd, "job submit --project P %s", args);
    int rc = js_cli(&R, tok[who], &out, 0, cmd);
    long long id = atoll(out ? out : "0");
    if (expect_ok && (rc || id <= 0))
        fail_msg("submit %s: exit %d: %s", args, rc, out);
    free(out);
    return id;
}

static void wait_state(int who, long long id, const char *want, double seconds)
{
    char st[32];
    for (double t = 0; t < seconds; t += 0.2) {
        js_state(&R, tok[who], id, st, sizeof st);
        if (!strcmp(st, want))
            return;
        usleep(200000);
    }
    fail_msg("job %lld: state %s after %.0f s, expected %s", id, st, seconds, want);
}

static void test_script_job(void **state)
{
    (void)state;
    NEED_BWRAP();
    char *out = NULL;
    int rc = js_cli(&R, tok[0], &out, 1,
                    "job submit --project P --name first --command 'sh run.sh' --input in --time 60 --wait");
    if (rc)
        fail_msg("job: %s", out);
    long long id = atoll(out);
    assert_true(id > 0);
    free(out);
    char args[128];
    snprintf(args, sizeof args, "job show %lld --json", id);
    js_cli(&R, tok[0], &out, 0, args);
    cJSON *j = cJSON_Parse(out);
    free(out);
    const cJSON *job = cJSON_GetObjectItemCaseSensitive(j, "job"),
                *ev = cJSON_GetObjectItemCaseSensitive(j, "last_event");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(job, "state")->valuestring, "succeeded");
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(ev, "step")->valuedouble, 5);
    assert_int_equal(strlen(cJSON_GetObjectItemCaseSensitive(job, "result")->valuestring), 64);
    cJSON_Delete(j);
    /* the result and its lineage */
    char dest[800];
    snprintf(dest, sizeof dest, "job result %lld -o '%s/res1'", id, R.base);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, dest), 0);
    snprintf(dest, sizeof dest, "%s/res1/copy.txt", R.base);
    size_t len;
    unsigned char *d = test_read_file(dest, &len);
    assert_non_null(d);
    assert_true(test_contains(d, len, "synthetic input"));
    free(d);
    snprintf(dest, sizeof dest, "%s/res1/.atelier/lineage.json", R.base);
    d = test_read_file(dest, &len);
    assert_non_null(d);
    cJSON *lin = cJSON_Parse((const char *)d);
    free(d);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(lin, "user")->valuestring, "alice");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(lin, "atelier")->valuestring, ATELIER_VERSION);
    assert_int_equal(
        strlen(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(lin, "code"), "snapshot")
                   ->valuestring),
        64);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(lin, "inputs")), 1);
    cJSON_Delete(lin);
    /* the log, the audit, the catalog's lineage */
    snprintf(args, sizeof args, "job logs %lld", id);
    js_cli(&R, tok[0], &out, 0, args);
    assert_non_null(strstr(out, "done on stdout"));
    assert_non_null(strstr(out, "in the sandbox"));
    free(out);
    char object[32];
    snprintf(object, sizeof object, "job:%lld", id);
    assert_int_equal(js_audit_count(&R, "job.submit", object), 1);
    assert_int_equal(js_audit_count(&R, "job.start", object), 1);
    assert_int_equal(js_audit_count(&R, "job.end", object), 1);
    snprintf(object, sizeof object, "%lld", id);
    assert_int_equal(js_sql_int(&R, "SELECT count(*) FROM job_lineage WHERE job_id = ?", object), 3);
    /* another member reads it; a member of another project does not */
    snprintf(args, sizeof args, "job show %lld", id);
    assert_int_equal(js_cli(&R, tok[1], NULL, 0, args), 0);
}

static void test_pipeline_kind(void **state)
{
    (void)state;
    NEED_BWRAP();
    /* a pipeline entry point run by the engine inside the sandbox, its
     * progress events through ATELIER_PROGRESS_FD */
    char *out = NULL;
    int rc = js_cli(
        &R, tok[0], &out, 1,
        "job submit --project P --kind synth-chemo --time 120 --wait -- -o /out/cohort.csv --patients 40");
    if (rc)
        fail_msg("pipeline job: %s", out);
    long long id = atoll(out);
    free(out);
    char args[128];
    snprintf(args, sizeof args, "job show %lld --json", id);
    js_cli(&R, tok[0], &out, 0, args);
    cJSON *j = cJSON_Parse(out);
    free(out);
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "last_event");
    assert_true(cJSON_IsObject(ev));
    assert_true(cJSON_GetObjectItemCaseSensitive(ev, "total")->valuedouble > 0);
    cJSON_Delete(j);
    snprintf(args, sizeof args, "job result %lld -o '%s/chemo'", id, R.base);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, args), 0);
    char p[800];
    snprintf(p, sizeof p, "%s/chemo/cohort.csv", R.base);
    size_t len;
    unsigned char *d = test_read_file(p, &len);
    assert_non_null(d);
    assert_true(test_contains(d, len, "patient_id"));
    free(d);
}

static void test_sandbox(void **state)
{
    (void)state;
    NEED_BWRAP();
    /* a listener on the loopback the job must not reach */
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(ls, 4), 0);
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    char args[2400];
    snprintf(args, sizeof args, "--command 'python3 escape.py %d %s %s/vault' --input in --time 60",
             ntohs(a.sin_port), R.dir, R.dir);
    long long id = submit(0, args, 1);
    wait_state(0, id, "succeeded", 60);
    struct pollfd p = {.fd = ls, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0); /* nobody came */
    close(ls);
    char *out = NULL;
    snprintf(args, sizeof args, "job logs %lld", id);
    js_cli(&R, tok[0], &out, 0, args);
    static const char *const tries[] = {"tcp-loopback", "tcp6-loopback", "udp-loopback",  "catalog",
                                        "keys",         "vault",         "other-project", "write-etc",
                                        "write-root",   "write-usr",     "write-data",    "write-code"};
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
        char want[64];
        snprintf(want, sizeof want, "BLOCKED %s:", tries[i]);
        if (!strstr(out, want))
            fail_msg("the sandbox let %s through (or the job did not try): %s", tries[i], out);
    }
    assert_null(strstr(out, "ESCAPED"));
    free(out);
    /* the network attempts are refused by the filter and audited */
    char object[32];
    snprintf(object, sizeof object, "job:%lld", id);
    assert_int_equal(js_audit_count(&R, "job.sandbox.refused", object), 1);
    /* a student uses synthetic datasets only ("in" is; the results are not) */
    js_cli(&R, tok[4], &out, 1, "job submit --project P --command true --input results");
    assert_non_null(strstr(out, "synthetic datasets only"));
    free(out);
    assert_true(submit(4, "--command true --input in --time 60", 1) > 0);
    /* another project's dataset cannot even be asked for */
    js_cli(&R, tok[0], &out, 1, "job submit --project P --command true --input secret");
    assert_non_null(strstr(out, "no dataset 'secret'"));
    free(out);
}

static __attribute__((noinline)) int alive_count(const char *log)
{
    const char *alive = strstr(log, "\nalive ");
    return alive ? atoi(alive + 7) : -1;
}

static void test_limits(void **state)
{
    (void)state;
    NEED_BWRAP();
    /* processes: at most jobs.processes (a cgroup's pids.max, where the
     * room may make one) */
    js_file(
        code_dir, "forks.py",
        "import os, time\nkids = []\nfor i in range(200):\n    try:\n        pid = os.fork()\n"
        "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(3)\n        os._exit(0)\n"
        "    kids.append(pid)\nprint('alive', len(kids) + 1, flush=True)\nfor k in kids:\n    os.waitpid(k, "
        "0)\n");
    js_file(code_dir, "eat.py", "b = bytearray(600 * 1024 * 1024)\nprint('ate', len(b))\n");
    char cmd[900], *out = NULL;
    snprintf(cmd, sizeof cmd, "code push '%s' --project P", code_dir);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, cmd), 0);
    long long forks = submit(0, "--command 'python3 forks.py' --time 60", 1);
    long long eat = submit(0, "--command 'python3 eat.py' --memory 256M --time 60", 1);
    wait_state(0, eat, "failed", 60);
    wait_state(0, forks, "succeeded", 60);
    snprintf(cmd, sizeof cmd, "job logs %lld", forks);
    js_cli(&R, tok[0], &out, 0, cmd);
    int n = alive_count(out), by_cgroup = strstr(out, "processes (cgroup)") != NULL;
    free(out);
    print_message("%d processes alive of 200 forks asked (limit 64, %s)\n", n,
                  by_cgroup ? "a cgroup's pids.max" : "no cgroup here");
    assert_true(n > 0);
    if (by_cgroup)
        assert_true(n <= 64);
    snprintf(cmd, sizeof cmd, "job logs %lld", eat);
    js_cli(&R, tok[0], &out, 0, cmd);
    assert_null(strstr(out, "ate "));
    assert_true(strstr(out, "MemoryError") || strstr(out, "signal 9"));
    free(out);
}

static void test_time_limit_and_cancel(void **state)
{
    (void)state;
    NEED_BWRAP();
    long long slow = submit(1, "--command 'sleep 60' --time 2", 1);
    long long other = submit(1, "--command 'sleep 60' --time 120", 1);
    wait_state(1, other, "running", 30);
    char args[64];
    snprintf(args, sizeof args, "job cancel %lld", other);
    assert_int_equal(js_cli(&R, tok[1], NULL, 0, args), 0);
    wait_state(1, other, "cancelled", 30);
    wait_state(1, slow, "timed-out", 40);
    /* a member may not cancel another member's job */
    long long third = submit(1, "--command 'sleep 60' --time 120", 1);
    snprintf(args, sizeof args, "job cancel %lld", third);
    char *out = NULL;
    assert_int_not_equal(js_cli(&R, tok[0], &out, 1, args), 0);
    assert_non_null(strstr(out, "403"));
    free(out);
    assert_int_equal(js_cli(&R, tok[1], NULL, 0, args), 0);
    wait_state(1, third, "cancelled", 30);
}

static void test_quotas(void **state)
{
    (void)state;
    NEED_BWRAP();
    char *out = NULL;
    /* one job alone past the weekly core-hours */
    assert_int_not_equal(js_cli(&R, tok[2], &out, 1, "job submit --project P --command true --time 2h"), 0);
    assert_non_null(strstr(out, "core-hours per week of user carol"));
    assert_non_null(strstr(out, "HTTP 429"));
    free(out);
    long long a = submit(2, "--command 'sleep 60' --time 40m", 1);
    assert_int_not_equal(js_cli(&R, tok[2], &out, 1, "job submit --project P --command true --time 40m"), 0);
    assert_non_null(strstr(out, "core-hours per week of user carol"));
    assert_non_null(strstr(out, "as the active jobs end"));
    free(out);
    /* concurrent 1, queued 1: the second waits, the third is refused */
    long long d1 = submit(3, "--command 'sleep 60' --time 5m", 1);
    wait_state(3, d1, "running", 30);
    long long d2 = submit(3, "--command true --time 5m", 1);
    usleep(600000);
    char st[32];
    js_state(&R, tok[3], d2, st, sizeof st);
    assert_string_equal(st, "queued");
    assert_int_not_equal(js_cli(&R, tok[3], &out, 1, "job submit --project P --command true --time 5m"), 0);
    assert_non_null(strstr(out, "queued jobs of user dave"));
    free(out);
    char args[64];
    snprintf(args, sizeof args, "job cancel %lld", d1);
    js_cli(&R, tok[3], NULL, 0, args);
    wait_state(3, d2, "succeeded", 30);
    snprintf(args, sizeof args, "job cancel %lld", a);
    js_cli(&R, tok[2], NULL, 0, args);
    wait_state(2, a, "cancelled", 30);
}

static void test_restart(void **state)
{
    (void)state;
    NEED_BWRAP();
    long long id = submit(0, "--command 'sleep 3; echo survived > /out/s.txt' --time 60", 1);
    wait_state(0, id, "running", 30);
    js_kill(&R, SIGKILL);
    sleep(1);
    js_serve(&R); /* the same port */
    wait_state(0, id, "succeeded", 40);
    char object[32];
    snprintf(object, sizeof object, "job:%lld", id);
    assert_int_equal(js_audit_count(&R, "job.start", object), 1);
    assert_int_equal(js_audit_count(&R, "job.end", object), 1);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_job),
        cmocka_unit_test(test_pipeline_kind),
        cmocka_unit_test(test_sandbox),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_time_limit_and_cancel),
        cmocka_unit_test(test_quotas),
        cmocka_unit_test(test_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
