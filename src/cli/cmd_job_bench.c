/* atelier-engine job bench: the driver of bench/jobs (in-process, no HTTP).
 *   sched   --jobs N --users U --projects P   N queued jobs submitted through
 *           the library (quotas checked, audited), then scheduling passes over
 *           them: priorities of every queued job and the picks
 *   latency --executor local|slurm --runs R   an empty job (it prints the
 *           time it started) from the submission call to its start in the
 *           sandbox, through the service thread
 *   run --command CMD [--input DIR] [--cores N]  one script job; prints its
 *           log (the training benchmark reads its own timing there)
 * Each makes a room in a temporary folder and prints one JSON line. */
#include "cli.h"

#include "atelier/jobs.h"
#include "atelier/web.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static at_status make_room(const char *base, const char *conf, at_room **room, at_jobs **jobs)
{
    char dir[1024], p[1100];
    snprintf(dir, sizeof dir, "%s/room", base);
    at_room_init_result res;
    at_status st = at_room_init(dir, "admin", &res);
    if (st)
        return st;
    snprintf(p, sizeof p, "%s/room.conf", dir);
    FILE *f = fopen(p, "a");
    if (f) {
        fputs(conf, f);
        fclose(f);
    }
    st = at_room_open(dir, room);
    if (!st)
        st = at_jobs_open(*room, jobs);
    return st;
}

static at_status people(at_room *room, at_jobs *jobs, int users, int projects, const char *base)
{
    char otp[AT_ROOM_OTP_MAX], name[32], proj[32], code[1100], snap[AT_VAULT_SNAPSHOT_HEX];
    at_status st = AT_OK;
    for (int p = 0; p < projects && !st; p++) {
        snprintf(proj, sizeof proj, "p%d", p);
        st = at_room_project_create(room, "admin", proj, "bench");
        snprintf(code, sizeof code, "%s/code", base);
        at_mkdir_p(code, 0700);
        snprintf(name, sizeof name, "%s/run.sh", code);
        at_file_write_atomic(name, "true\n", 5);
        if (!st)
            st = at_jobs_dataset_put(jobs, "admin", proj, "code", "code", 0, code, snap);
    }
    for (int u = 0; u < users && !st; u++) {
        snprintf(name, sizeof name, "u%d", u);
        snprintf(proj, sizeof proj, "p%d", u % projects);
        st = at_room_user_create(room, "admin", name, 0, "", otp, NULL);
        if (!st)
            st = at_room_member_set(room, "admin", proj, name, AT_PROJECT_MEMBER);
    }
    return st;
}

static int bench_sched(int n, int users, int projects)
{
    char *base = NULL;
    char tmpl[] = "/tmp/atelier-bench-jobs-XXXXXX";
    base = mkdtemp(tmpl);
    at_room *room = NULL;
    at_jobs *jobs = NULL;
    /* the queue only: nothing starts */
    at_status st =
        make_room(base, "jobs.executor = none\njobs.cores = 64\njobs.memory_mb = 1000000\n", &room, &jobs);
    if (!st)
        st = people(room, jobs, users, projects, base);
    double t0 = at_now_seconds();
    for (int i = 0; i < n && !st; i++) {
        at_job_spec spec;
        at_job_spec_init(&spec);
        snprintf(spec.kind, sizeof spec.kind, "script");
        snprintf(spec.command, sizeof spec.command, "sh run.sh");
        snprintf(spec.code, sizeof spec.code, "latest");
        snprintf(spec.project, sizeof spec.project, "p%d", (i % users) % projects);
        spec.cores = 1 + i % 4;
        spec.time_limit = 600;
        char user[32];
        snprintf(user, sizeof user, "u%d", i % users);
        st = at_jobs_submit(jobs, user, &spec, NULL);
        at_job_spec_free(&spec);
    }
    double submit_s = at_now_seconds() - t0;
    /* a station of 64 cores: passes that pick */
    at_jobs_close(jobs);
    jobs = NULL;
    char p[1100];
    snprintf(p, sizeof p, "%s/room/room.conf", base);
    FILE *f = fopen(p, "a");
    if (f) {
        fputs("jobs.executor = local\njobs.cores = 64\njobs.memory_mb = 1000000\n", f);
        fclose(f);
    }
    if (!st)
        st = at_jobs_open(room, &jobs);
    double times[7];
    size_t queued = 0, startable = 0;
    for (int r = 0; r < 7 && !st; r++) {
        double a = at_now_seconds();
        st = at_jobs_plan(jobs, &queued, &startable);
        times[r] = at_now_seconds() - a;
    }
    /* the core alone, on the same queue in memory */
    double core_s = 0;
    if (!st) {
        at_sched_job *q = at_calloc((size_t)n, sizeof *q);
        at_sched_entity *u = at_calloc((size_t)users, sizeof *u),
                        *pr = at_calloc((size_t)projects, sizeof *pr);
        size_t *picked = at_calloc((size_t)n, sizeof *picked);
        double best = 1e9;
        for (int r = 0; r < 7 && q && u && pr && picked; r++) {
            for (int i = 0; i < n; i++)
                q[i] = (at_sched_job){.id = i + 1,
                                      .user = i % users,
                                      .project = (i % users) % projects,
                                      .submitted = i,
                                      .cores = 1 + i % 4,
                                      .memory_mb = 2048};
            for (int k = 0; k < users; k++)
                u[k] = (at_sched_entity){.share = 1, .usage = 1000.0 * (k % 7)};
            for (int k = 0; k < projects; k++)
                pr[k] = (at_sched_entity){.share = 1, .usage = 5000.0 * (k % 3)};
            at_sched_state ss = {.cores_free = 64,
                                 .gpus_free = 0,
                                 .memory_free_mb = 1 << 30,
                                 .now = n + 10.0,
                                 .weight_fairshare = 10000,
                                 .weight_age = 1000,
                                 .max_age_s = 7 * 86400};
            double a = at_now_seconds();
            at_sched_pick(q, (size_t)n, u, (size_t)users, pr, (size_t)projects, &ss, picked);
            best = fmin(best, at_now_seconds() - a);
        }
        core_s = best;
        at_free(q);
        at_free(u);
        at_free(pr);
        at_free(picked);
    }
    at_jobs_close(jobs);
    at_room_close(room);
    at_remove_tree(base);
    if (st)
        return cli_fail(st);
    qsort(times, 7, sizeof *times, cmp_double);
    printf("{\"bench\":\"sched\",\"jobs\":%d,\"users\":%d,\"projects\":%d,\"submit_per_s\":%.0f,"
           "\"pass_ms\":%.1f,\"pass_startable\":%zu,\"decisions_per_s\":%.0f,\"core_ms\":%.2f,"
           "\"core_decisions_per_s\":%.0f}\n",
           n, users, projects, n / submit_s, times[3] * 1000, startable, queued / times[3], core_s * 1000,
           n / core_s);
    return CLI_OK;
}

static int bench_latency(const char *executor, int runs, const char *command)
{
    char tmpl[] = "/tmp/atelier-bench-jobs-XXXXXX";
    char *base = mkdtemp(tmpl);
    at_room *room = NULL;
    at_jobs *jobs = NULL;
    char conf[256];
    snprintf(conf, sizeof conf, "jobs.executor = %s\njobs.tick_ms = 20\n", executor);
    at_status st = make_room(base, conf, &room, &jobs);
    if (!st)
        st = people(room, jobs, 1, 1, base);
    if (!st)
        st = at_jobs_start(jobs);
    double *lat = at_calloc((size_t)runs, sizeof *lat);
    for (int r = 0; r < runs && !st; r++) {
        at_job_spec spec;
        at_job_spec_init(&spec);
        snprintf(spec.kind, sizeof spec.kind, "script");
        snprintf(spec.command, sizeof spec.command, "%s", command);
        snprintf(spec.code, sizeof spec.code, "latest");
        snprintf(spec.project, sizeof spec.project, "p0");
        spec.memory_mb = 256;
        spec.time_limit = 300;
        int64_t id = 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double t_submit = (double)ts.tv_sec + ts.tv_nsec / 1e9;
        st = at_jobs_submit(jobs, "u0", &spec, &id);
        at_job_spec_free(&spec);
        at_job jb = {0};
        for (int w = 0; w < 6000 && !st; w++) {
            st = at_jobs_get(jobs, id, &jb);
            if (at_job_state_final(jb.state))
                break;
            usleep(10000);
        }
        char *log = NULL;
        if (!st && jb.state != AT_JOB_SUCCEEDED) {
            size_t l2 = 0;
            int64_t s2 = 0;
            if (at_jobs_log(jobs, id, 0, 1 << 16, &log, &l2, &s2) == AT_OK)
                fputs(log, stderr);
            at_free(log);
            log = NULL;
            st = at_error_set(AT_ERR_IO, "job %lld: %s: %s", (long long)id, at_job_state_name(jb.state),
                              jb.reason);
        }
        size_t len = 0;
        int64_t size = 0;
        if (!st)
            st = at_jobs_log(jobs, id, 0, 1 << 20, &log, &len, &size);
        const char *mark = log ? strstr(log, "\nSTART ") : NULL;
        if (!st && !mark)
            st = at_error_set(AT_ERR_FORMAT, "job %lld: no START line in its log", (long long)id);
        if (!st)
            lat[r] = atof(mark + 7) - t_submit;
        at_free(log);
    }
    at_jobs_close(jobs);
    at_room_close(room);
    at_remove_tree(base);
    if (st) {
        at_free(lat);
        return cli_fail(st);
    }
    qsort(lat, (size_t)runs, sizeof *lat, cmp_double);
    printf("{\"bench\":\"latency\",\"executor\":\"%s\",\"runs\":%d,\"median_ms\":%.0f,\"min_ms\":%.0f,\"max_"
           "ms\":%.0f}\n",
           executor, runs, lat[runs / 2] * 1000, lat[0] * 1000, lat[runs - 1] * 1000);
    at_free(lat);
    return CLI_OK;
}

/* one script job with code and an input folder; its log on stdout */
static int bench_run(const char *code_dir, const char *input, const char *command, int cores, int sandbox)
{
    char tmpl[] = "/tmp/atelier-bench-jobs-XXXXXX";
    char *base = mkdtemp(tmpl);
    at_room *room = NULL;
    at_jobs *jobs = NULL;
    char conf[256];
    snprintf(conf, sizeof conf, "jobs.executor = local\njobs.tick_ms = 20\njobs.sandbox = %d\n", sandbox);
    at_status st = make_room(base, conf, &room, &jobs);
    char snap[AT_VAULT_SNAPSHOT_HEX];
    if (!st)
        st = at_room_project_create(room, "admin", "bench", "bench");
    if (!st)
        st = at_room_member_set(room, "admin", "bench", "admin", AT_PROJECT_MEMBER);
    if (!st)
        st = at_jobs_dataset_put(jobs, "admin", "bench", "code", "code", 0, code_dir, snap);
    if (!st && input)
        st = at_jobs_dataset_put(jobs, "admin", "bench", "ds", "data", 1, input, snap);
    if (!st)
        st = at_jobs_start(jobs);
    int64_t id = 0;
    if (!st) {
        at_job_spec spec;
        at_job_spec_init(&spec);
        snprintf(spec.kind, sizeof spec.kind, "script");
        snprintf(spec.command, sizeof spec.command, "%s", command);
        snprintf(spec.code, sizeof spec.code, "latest");
        snprintf(spec.project, sizeof spec.project, "bench");
        if (input) {
            snprintf(spec.inputs[0].dataset, sizeof spec.inputs[0].dataset, "ds");
            snprintf(spec.inputs[0].snapshot, sizeof spec.inputs[0].snapshot, "latest");
            snprintf(spec.inputs[0].as, sizeof spec.inputs[0].as, "ds");
            spec.input_count = 1;
        }
        spec.cores = cores;
        spec.time_limit = 3600;
        st = at_jobs_submit(jobs, "admin", &spec, &id);
        at_job_spec_free(&spec);
    }
    at_job jb = {0};
    while (!st) {
        st = at_jobs_get(jobs, id, &jb);
        if (at_job_state_final(jb.state))
            break;
        usleep(50000);
    }
    char *log = NULL;
    size_t len = 0;
    int64_t size = 0;
    if (!st)
        st = at_jobs_log(jobs, id, 0, 1 << 20, &log, &len, &size);
    if (log)
        fputs(log, stdout);
    at_free(log);
    at_jobs_close(jobs);
    at_room_close(room);
    at_remove_tree(base);
    if (!st && jb.state != AT_JOB_SUCCEEDED)
        st = at_error_set(AT_ERR_IO, "the job ended %s: %s", at_job_state_name(jb.state), jb.reason);
    return st ? cli_fail(st) : CLI_OK;
}

int cmd_job_bench(int argc, char **argv)
{
    /* argv: job bench WHAT options */
    if (argc < 3)
        return cli_usage_error("job bench", "sched, latency or run");
    const char *what = argv[2], *executor = "local", *command = "echo START $(date +%s.%N)", *code = NULL,
               *input = NULL;
    int n = 10000, users = 50, projects = 10, runs = 10, cores = 1, sandbox = 1;
    for (int i = 3; i < argc; i += 2) { /* every option takes a value */
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!next)
            return cli_usage_error("job bench", "'%s' needs a value", a);
        if (!strcmp(a, "--jobs"))
            n = atoi(next);
        else if (!strcmp(a, "--users"))
            users = atoi(next);
        else if (!strcmp(a, "--projects"))
            projects = atoi(next);
        else if (!strcmp(a, "--runs"))
            runs = atoi(next);
        else if (!strcmp(a, "--executor"))
            executor = next;
        else if (!strcmp(a, "--command"))
            command = next;
        else if (!strcmp(a, "--code"))
            code = next;
        else if (!strcmp(a, "--input"))
            input = next;
        else if (!strcmp(a, "--cores"))
            cores = atoi(next);
        else if (!strcmp(a, "--sandbox"))
            sandbox = atoi(next);
        else
            return cli_usage_error("job bench", "unknown option '%s'", a);
    }
    if (n < 1 || users < 1 || projects < 1 || projects > users || runs < 1 || cores < 1)
        return cli_usage_error("job bench", "counts must be positive (projects <= users)");
    cli_log_init(0);
    if (!strcmp(what, "sched"))
        return bench_sched(n, users, projects);
    if (!strcmp(what, "latency"))
        return bench_latency(executor, runs, command);
    if (!strcmp(what, "run") && code)
        return bench_run(code, input, command, cores, sandbox);
    return cli_usage_error("job bench", "sched, latency or run --code DIR");
}
