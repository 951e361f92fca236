/* The scheduler's core over a fake clock: users submitting 1-core jobs at
 * different rates share the cores in proportion to their shares (the
 * simulation is driven by at_sched_pick itself, with decayed usage as the
 * service keeps it); projects share first, then their users; age breaks
 * ties; concurrency limits hold; a job that does not fit lets smaller ones
 * through. Also the spec parser, durations and the code archive. */
#include "support.h"

#include "atelier/jobs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAXJ 200000

typedef struct {
    int user, project;
    double submitted, start, end;
    int running, done;
} sim_job;

typedef struct {
    int users, projects;
    int user_project[8];
    double user_share[8], project_share[8];
    double period[8]; /* seconds between a user's submissions */
    double duration;
    int cores;
    double days, measure_from;
    double half_life;
    int concurrent[8];
    double delivered[8]; /* core-seconds in the measured window */
} sim;

static sim_job *J;

/* decayed usage as the service keeps it: stored value and its time */
static double stored_u[8], stored_p[8], updated_u[8], updated_p[8];

static void run(sim *s)
{
    J = calloc(MAXJ, sizeof *J);
    size_t n = 0;
    memset(stored_u, 0, sizeof stored_u);
    memset(stored_p, 0, sizeof stored_p);
    memset(updated_u, 0, sizeof updated_u);
    memset(updated_p, 0, sizeof updated_p);
    double next_sub[8] = {0};
    size_t first_live = 0; /* every job before it is done */
    int free_cores = s->cores;
    at_sched_job *q = calloc(MAXJ, sizeof *q);
    size_t *picked = calloc(MAXJ, sizeof *picked);
    for (double now = 0; now < s->days * 86400; now += 10) {
        /* ends: charged to the owners, decayed */
        while (first_live < n && J[first_live].done)
            first_live++;
        for (size_t i = first_live; i < n; i++)
            if (J[i].running && J[i].end <= now) {
                J[i].running = 0;
                J[i].done = 1;
                free_cores++;
                int u = J[i].user, p = J[i].project;
                stored_u[u] =
                    at_sched_decay(stored_u[u], now - updated_u[u], s->half_life) + (J[i].end - J[i].start);
                updated_u[u] = now;
                stored_p[p] =
                    at_sched_decay(stored_p[p], now - updated_p[p], s->half_life) + (J[i].end - J[i].start);
                updated_p[p] = now;
            }
        /* arrivals, up to 40 waiting jobs per user (a queued-jobs quota) */
        int waiting[8] = {0};
        for (size_t i = first_live; i < n; i++)
            waiting[J[i].user] += !J[i].running && !J[i].done;
        for (int u = 0; u < s->users; u++)
            while (next_sub[u] <= now && n < MAXJ) {
                if (waiting[u] < 40) {
                    J[n++] = (sim_job){.user = u, .project = s->user_project[u], .submitted = next_sub[u]};
                    waiting[u]++;
                }
                next_sub[u] += s->period[u];
            }
        /* a pass */
        at_sched_entity users[8] = {0}, projects[8] = {0};
        for (int u = 0; u < s->users; u++) {
            users[u].share = s->user_share[u];
            users[u].usage = at_sched_decay(stored_u[u], now - updated_u[u], s->half_life);
            users[u].concurrent_limit = s->concurrent[u];
        }
        for (int p = 0; p < s->projects; p++) {
            projects[p].share = s->project_share[p];
            projects[p].usage = at_sched_decay(stored_p[p], now - updated_p[p], s->half_life);
        }
        size_t nq = 0;
        for (size_t i = first_live; i < n; i++) {
            if (J[i].running) {
                users[J[i].user].usage += now - J[i].start;
                projects[J[i].project].usage += now - J[i].start;
                users[J[i].user].running++;
                projects[J[i].project].running++;
            } else if (!J[i].done) {
                q[nq++] = (at_sched_job){.id = (int64_t)i,
                                         .user = J[i].user,
                                         .project = J[i].project,
                                         .submitted = J[i].submitted,
                                         .cores = 1,
                                         .gpus = 0,
                                         .memory_mb = 1};
            }
        }
        if (!free_cores || !nq)
            continue;
        at_sched_state st = {.cores_free = free_cores,
                             .gpus_free = 0,
                             .memory_free_mb = 1 << 30,
                             .now = now,
                             .weight_fairshare = 10000,
                             .weight_age = 1000,
                             .max_age_s = 7 * 86400};
        size_t np = at_sched_pick(q, nq, users, (size_t)s->users, projects, (size_t)s->projects, &st, picked);
        for (size_t k = 0; k < np; k++) {
            sim_job *jb = &J[q[picked[k]].id];
            jb->running = 1;
            jb->start = now;
            jb->end = now + s->duration;
            free_cores--;
        }
        assert_true(free_cores >= 0);
    }
    /* core-seconds delivered inside the measured window */
    double from = s->measure_from * 86400, to = s->days * 86400;
    for (size_t i = 0; i < n; i++) {
        if (!J[i].running && !J[i].done)
            continue;
        double a = fmax(J[i].start, from), b = fmin(J[i].running ? to : J[i].end, to);
        if (b > a)
            s->delivered[J[i].user] += b - a;
    }
    free(q);
    free(picked);
    free(J);
}

static void expect_shares(const sim *s, const double *want, double tol)
{
    double total = 0;
    for (int u = 0; u < s->users; u++)
        total += s->delivered[u];
    assert_true(total > 0);
    for (int u = 0; u < s->users; u++) {
        double got = s->delivered[u] / total;
        print_message("user %d: %.3f of the cores (share %.3f)\n", u, got, want[u]);
        if (fabs(got - want[u]) > tol)
            fail_msg("user %d got %.3f of the cores, its share is %.3f (tolerance %.3f)", u, got, want[u],
                     tol);
    }
}

static void test_fair_share_users(void **state)
{
    (void)state;
    /* three users, shares 1:2:1, submitting every 30 s, 60 s and 10 s
     * (each alone would fill the station): 25%, 50%, 25% */
    sim s = {.users = 3,
             .projects = 1,
             .user_share = {1, 2, 1},
             .project_share = {1},
             .period = {30, 60, 10},
             .duration = 600,
             .cores = 8,
             .days = 3,
             .measure_from = 1,
             .half_life = 7 * 86400};
    run(&s);
    const double want[] = {0.25, 0.5, 0.25};
    expect_shares(&s, want, 0.02);
}

static void test_fair_share_projects(void **state)
{
    (void)state;
    /* two projects of equal shares; the first has two users: each project
     * half of the station, its users a quarter each */
    sim s = {.users = 3,
             .projects = 2,
             .user_project = {0, 0, 1},
             .user_share = {1, 1, 1},
             .project_share = {1, 1},
             .period = {20, 20, 20},
             .duration = 600,
             .cores = 8,
             .days = 3,
             .measure_from = 1,
             .half_life = 7 * 86400};
    run(&s);
    const double want[] = {0.25, 0.25, 0.5};
    expect_shares(&s, want, 0.02);
}

static void test_light_user_served(void **state)
{
    (void)state;
    /* a user who asks less than their share gets all they ask, at once */
    sim s = {.users = 2,
             .projects = 1,
             .user_share = {1, 1},
             .project_share = {1},
             .period = {10, 1200},
             .duration = 600,
             .cores = 8,
             .days = 2,
             .measure_from = 1,
             .half_life = 7 * 86400};
    run(&s);
    double total = s.delivered[0] + s.delivered[1];
    /* user 1 asks half a core on average: 1/16 of the station */
    assert_true(fabs(s.delivered[1] / total - 1.0 / 16) < 0.01);
}

static void test_concurrency_and_fit(void **state)
{
    (void)state;
    at_sched_entity users[2] = {{.share = 1, .concurrent_limit = 1}, {.share = 1}};
    at_sched_entity projects[1] = {{.share = 1}};
    at_sched_job jobs[4] = {
        {.id = 1, .user = 0, .project = 0, .submitted = 0, .cores = 1, .memory_mb = 1},
        {.id = 2, .user = 0, .project = 0, .submitted = 1, .cores = 1, .memory_mb = 1},
        {.id = 3, .user = 1, .project = 0, .submitted = 2, .cores = 8, .memory_mb = 1}, /* does not fit */
        {.id = 4, .user = 1, .project = 0, .submitted = 3, .cores = 2, .memory_mb = 1},
    };
    size_t picked[4];
    at_sched_state st = {.cores_free = 4,
                         .memory_free_mb = 100,
                         .now = 10,
                         .weight_fairshare = 10000,
                         .weight_age = 1000,
                         .max_age_s = 86400};
    size_t n = at_sched_pick(jobs, 4, users, 2, projects, 1, &st, picked);
    int got[5] = {0};
    for (size_t i = 0; i < n; i++)
        got[jobs[picked[i]].id] = 1;
    assert_int_equal(n, 2);
    assert_true(got[1] && got[4]); /* user 0 once (its limit), the 2-core job past the 8-core one */
    assert_int_equal(st.cores_free, 1);
    /* priorities: age counts when usage is equal */
    assert_true(at_sched_decay(100, 7 * 86400, 7 * 86400) > 49.9 &&
                at_sched_decay(100, 7 * 86400, 7 * 86400) < 50.1);
    at_sched_entity all[2] = {{.share = 1, .usage = 0}, {.share = 1, .usage = 100}};
    assert_true(at_sched_fairshare(&all[0], all, 2) == 1.0);
    assert_true(fabs(at_sched_fairshare(&all[1], all, 2) - 0.25) < 1e-9); /* 2^-(1/0.5) */
}

static void test_spec(void **state)
{
    (void)state;
    at_job_spec s;
    const char *good =
        "{\"kind\":\"script\",\"command\":\"python3 train.py\",\"inputs\":[\"cohort@ab12:data\",\"x\"],"
        "\"cores\":\"4\",\"gpus\":1,\"memory\":\"8G\",\"time\":\"2h\"}";
    assert_int_equal(at_job_spec_parse(good, strlen(good), &s), AT_OK);
    assert_int_equal(s.cores, 4);
    assert_int_equal(s.gpus, 1);
    assert_int_equal(s.memory_mb, 8192);
    assert_int_equal(s.time_limit, 7200);
    assert_int_equal(s.input_count, 2);
    assert_string_equal(s.inputs[0].as, "data");
    assert_string_equal(s.inputs[1].snapshot, "latest");
    assert_string_equal(s.code, "latest");
    char *json = NULL;
    assert_int_equal(at_job_spec_json(&s, &json), AT_OK);
    at_job_spec t;
    assert_int_equal(at_job_spec_parse(json, strlen(json), &t), AT_OK);
    assert_int_equal(t.time_limit, 7200);
    at_free(json);
    at_job_spec_free(&s);
    at_job_spec_free(&t);
    static const char *const bad[] = {
        "{\"kind\":\"rm -rf\"}",
        "{\"kind\":\"script\"}",
        "{\"kind\":\"script\",\"command\":\"x\",\"cores\":0}",
        "{\"kind\":\"script\",\"command\":\"x\",\"time\":\"forever\"}",
        "{\"kind\":\"script\",\"command\":\"x\",\"inputs\":[\"../etc@x\"]}",
        "{\"kind\":\"script\",\"command\":\"x\",\"inputs\":[\"a@zz\"]}",
        "{\"kind\":\"script\",\"command\":\"x\",\"inputs\":[\"a\",\"b:a\"]}",
        "{\"kind\":\"script\",\"command\":\"a\\u0001b\"}",
        "[1,2]",
        "{\"kind\":\"sct-train\",\"args\":[1]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (at_job_spec_parse(bad[i], strlen(bad[i]), &s) == AT_OK)
            fail_msg("accepted: %s", bad[i]);
    }
    assert_int_equal(at_job_parse_duration("90s"), 90);
    assert_int_equal(at_job_parse_duration("1:30:00"), 5400);
    assert_int_equal(at_job_parse_duration("1.5h"), 5400);
    assert_int_equal(at_job_parse_duration("-1"), -1);
    assert_int_equal(at_job_parse_memory_mb("512M"), 512);
    assert_int_equal(at_job_parse_memory_mb("1T"), 1024 * 1024);
    assert_int_equal(at_job_parse_memory_mb("12Q"), -1);
    assert_string_equal(at_job_kind_command("risk-train"), "text risk train");
    assert_null(at_job_kind_command("script"));
}

static void test_code_archive(void **state)
{
    (void)state;
    char *dir = test_mkdtemp(), src[600], dst[600], p[700];
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(dst, sizeof dst, "%s/dst", dir);
    mkdir(src, 0700);
    snprintf(p, sizeof p, "%s/sub", src);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/a.py", src);
    test_write_file(p, "print(1)\n", 9);
    snprintf(p, sizeof p, "%s/run.sh", src);
    test_write_file(p, "", 0);
    chmod(p, 0755);
    unsigned char *a = NULL;
    size_t len = 0;
    assert_int_equal(at_jobs_code_pack(src, 1 << 20, &a, &len), AT_OK);
    assert_int_equal(at_jobs_code_unpack(a, len, dst), AT_OK);
    snprintf(p, sizeof p, "%s/sub/a.py", dst);
    size_t n;
    unsigned char *d = test_read_file(p, &n);
    assert_int_equal(n, 9);
    free(d);
    struct stat sb;
    snprintf(p, sizeof p, "%s/run.sh", dst);
    assert_int_equal(stat(p, &sb), 0);
    assert_true(sb.st_mode & 0100);
    /* every truncation is refused cleanly (or, cut between two files, is
     * a shorter archive), never a crash */
    int refused = 0;
    for (size_t cut = 0; cut < len; cut++) {
        snprintf(p, sizeof p, "%s/cut%zu", dir, cut);
        refused += at_jobs_code_unpack(a, cut, p) != AT_OK;
    }
    assert_true(refused >= (int)len - 2);
    static const char *const evil[] = {"ATLCODE1\nF 644 1 6\n../x/y", "ATLCODE1\nF 644 1 5\n/etc/x",
                                       "ATLCODE1\nF 4755 1 1\nax", "ATLCODE1\nF 644 99999999999 1\nax",
                                       "ATLCODE1\nF 644 1 1\naxF 644 1 1\nay"};
    for (size_t i = 0; i < sizeof evil / sizeof *evil; i++) {
        snprintf(p, sizeof p, "%s/evil%zu", dir, i);
        if (at_jobs_code_unpack(evil[i], strlen(evil[i]), p) == AT_OK)
            fail_msg("accepted archive %zu", i);
    }
    /* packing a folder past the ceiling is refused */
    assert_int_not_equal(at_jobs_code_pack(src, 16, &d, &n), AT_OK);
    at_free(a);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fair_share_users),
        cmocka_unit_test(test_fair_share_projects),
        cmocka_unit_test(test_light_user_served),
        cmocka_unit_test(test_concurrency_and_fit),
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_code_archive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
