/* atelier job submit|list|show|logs|cancel|wait|result (a room's client,
 * over its API), atelier job run (the engine's runner of one job attempt,
 * started by the room's executor) and atelier code push. */
#include "client.h"

#include "atelier/jobs.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *o)
{
    fprintf(
        o,
        "usage: atelier job <command> [options]\n\n"
        "  submit --project P [--kind KIND] [--command CMD] [--code SNAP] [--input DS[@SNAP][:DIR]]...\n"
        "         [--cores N] [--gpus N] [--memory 4G] [--time 30m] [--name TEXT] [--spec FILE]\n"
        "         [--wait] [-- ARGS...]   queue a job; prints its number\n"
        "  list [--project P] [--active] [--queue]   my jobs, a project's, or the room's (administrators)\n"
        "  show ID                   a job's state, resources, times, result, newest progress\n"
        "  logs ID [--follow]        its log (the sandbox's output and the runner's lines)\n"
        "  cancel ID                 stop it (queued: at once; running: signalled)\n"
        "  wait ID [--timeout S]     a progress bar until it ends; exit 0 when it succeeded\n"
        "  result ID -o DIR          its result snapshot into the new folder DIR\n"
        "  usage                     my usage this week against my quotas\n\n"
        "Kinds: script (a command run by /bin/sh in /code, the project's code snapshot: see\n"
        "'atelier code push'), or a pipeline run as 'atelier-engine WORDS ARGS' inside the\n"
        "sandbox:");
    for (size_t i = 1; at_job_kinds[i]; i++)
        fprintf(o, " %s", at_job_kinds[i]);
    fprintf(o, ".\nInside the sandbox: inputs read-only under /data/DIR, code at /code, results\n"
               "written to /out (stored as the job's result snapshot), /tmp private, no network.\n"
               "Progress: JSON lines {\"phase\",\"step\",\"total\",\"metrics\":{...}} on the file\n"
               "descriptor $ATELIER_PROGRESS_FD. Common options: --json, --server URL, --cacert FILE.\n"
               "Engine side (the room runs it): atelier-engine job run --room DIR ID --attempt N.\n"
               "See docs/room.md (Jobs).\n");
}

static volatile sig_atomic_t run_cancel;
static void on_term(int sig)
{
    (void)sig;
    run_cancel = 1;
}

static int job_run(int argc, char **argv)
{
    const char *room = NULL;
    long long id = 0;
    int attempt = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--room") && next) {
            room = next;
            i++;
        } else if (!strcmp(a, "--attempt") && next) {
            attempt = atoi(next);
            i++;
        } else if (a[0] != '-' && !id) {
            id = atoll(a);
        } else {
            return cli_usage_error("job run", "unknown argument '%s'", a);
        }
    }
    if (!room || id <= 0 || attempt < 1)
        return cli_usage_error("job run", "--room DIR, a job number and --attempt N are required");
    cli_log_init(0);
    struct sigaction sa = {0};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    at_status st = at_jobs_run(room, id, attempt, &run_cancel);
    return st ? cli_fail(st) : CLI_OK;
}

static int fetch(const client_conf *c, const char *path, client_resp *r, const char *cmd)
{
    int rc = client_request(c, "GET", path, NULL, r);
    if (!rc)
        rc = client_check(cmd, r);
    return rc;
}

static void print_jobs(const cJSON *jobs)
{
    printf("%-7s %-12s %-12s %-13s %-10s %-6s %-20s %s\n", "JOB", "USER", "PROJECT", "KIND", "STATE", "CORES",
           "SUBMITTED", "REASON");
    const cJSON *e;
    cJSON_ArrayForEach(e, jobs)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id"),
                    *cores = cJSON_GetObjectItemCaseSensitive(e, "cores");
        printf("%-7lld %-12s %-12s %-13s %-10s %-6d %-20s %s\n",
               cJSON_IsNumber(id) ? (long long)id->valuedouble : 0,
               client_str(e, "user") ? client_str(e, "user") : "",
               client_str(e, "project") ? client_str(e, "project") : "",
               client_str(e, "kind") ? client_str(e, "kind") : "",
               client_str(e, "state") ? client_str(e, "state") : "",
               cJSON_IsNumber(cores) ? (int)cores->valuedouble : 0,
               client_str(e, "submitted") ? client_str(e, "submitted") : "",
               client_str(e, "reason") ? client_str(e, "reason") : "");
    }
}

static const char *final_states[] = {"succeeded", "failed", "cancelled", "timed-out", NULL};
static int is_final(const char *s)
{
    for (int i = 0; s && final_states[i]; i++)
        if (!strcmp(s, final_states[i]))
            return 1;
    return 0;
}

/* wait with a progress bar; 0 when the job succeeded */
static int wait_job(const client_conf *c, long long id, double timeout, int quiet)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/jobs/%lld", id);
    cli_progress bar;
    char phase[64] = "";
    int have_bar = 0;
    double t0 = at_now_seconds();
    int delay_ms = 200;
    for (;;) {
        client_resp r;
        int rc = fetch(c, path, &r, "job wait");
        if (rc) {
            client_resp_free(&r);
            if (have_bar)
                cli_progress_end(&bar);
            return rc;
        }
        const cJSON *job = cJSON_GetObjectItemCaseSensitive(r.json, "job");
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(r.json, "last_event");
        const char *state = client_str(job, "state");
        if (cJSON_IsObject(ev)) {
            const char *p = client_str(ev, "phase");
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "step"),
                        *t = cJSON_GetObjectItemCaseSensitive(ev, "total");
            if (p && strcmp(p, phase)) {
                if (have_bar)
                    cli_progress_end(&bar);
                snprintf(phase, sizeof phase, "%s", p);
                cli_progress_init(&bar, phase, quiet);
                have_bar = 1;
            }
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(ev, "metrics");
            char note[96] = "";
            if (cJSON_IsObject(m) && m->child && cJSON_IsNumber(m->child))
                snprintf(note, sizeof note, "%s %.4g", m->child->string, m->child->valuedouble);
            if (have_bar && cJSON_IsNumber(s))
                cli_progress_cb(&bar, (uint64_t)s->valuedouble,
                                cJSON_IsNumber(t) ? (uint64_t)t->valuedouble : 0, note[0] ? note : NULL);
        }
        if (is_final(state)) {
            if (have_bar)
                cli_progress_end(&bar);
            const char *reason = client_str(job, "reason"), *result = client_str(job, "result");
            fprintf(stderr, "job %lld: %s%s%s\n", id, state, reason && *reason ? ": " : "",
                    reason ? reason : "");
            if (result && *result)
                printf("%s\n", result);
            int ok = !strcmp(state, "succeeded");
            client_resp_free(&r);
            return ok ? CLI_OK : CLI_FAIL;
        }
        client_resp_free(&r);
        if (timeout > 0 && at_now_seconds() - t0 > timeout) {
            if (have_bar)
                cli_progress_end(&bar);
            fprintf(stderr, "atelier job wait: job %lld still %s after %.0f s\n", id, state ? state : "?",
                    timeout);
            return CLI_FAIL;
        }
        usleep((useconds_t)delay_ms * 1000);
        if (delay_ms < 1000)
            delay_ms += 100;
    }
}

static int submit(client_conf *c, client_opts *o, int argc, char **argv, int start)
{
    cJSON *spec = NULL;
    const char *project = NULL;
    int wait = 0, i;
    cJSON *inputs = cJSON_CreateArray(), *args = cJSON_CreateArray();
    const char *kind = NULL, *command = NULL, *code = NULL, *cores = NULL, *gpus = NULL, *memory = NULL,
               *time_s = NULL, *name = NULL, *spec_file = NULL;
    for (i = start; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--")) {
            for (i++; i < argc; i++)
                cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
            break;
        }
#define OPT(flag, var)                                                                                       \
    if (!strcmp(a, flag) && next) {                                                                          \
        var = next;                                                                                          \
        i++;                                                                                                 \
        continue;                                                                                            \
    }
        OPT("--project", project)
        OPT("--kind", kind)
        OPT("--command", command)
        OPT("--code", code)
        OPT("--cores", cores)
        OPT("--gpus", gpus)
        OPT("--memory", memory)
        OPT("--time", time_s)
        OPT("--name", name)
        OPT("--spec", spec_file)
#undef OPT
        if (!strcmp(a, "--input") && next) {
            cJSON_AddItemToArray(inputs, cJSON_CreateString(next));
            i++;
            continue;
        }
        if (!strcmp(a, "--wait")) {
            wait = 1;
            continue;
        }
        cJSON_Delete(inputs);
        cJSON_Delete(args);
        return cli_usage_error("job submit", "unknown or incomplete argument '%s'", a);
    }
    if (spec_file) {
        unsigned char *text = NULL;
        size_t len = 0;
        at_status st = at_file_read(spec_file, AT_JOB_SPEC_MAX, &text, &len);
        if (st) {
            cJSON_Delete(inputs);
            cJSON_Delete(args);
            return cli_fail(st);
        }
        spec = cJSON_ParseWithLength((const char *)text, len);
        at_free(text);
        if (!cJSON_IsObject(spec)) {
            cJSON_Delete(spec);
            cJSON_Delete(inputs);
            cJSON_Delete(args);
            return cli_usage_error("job submit", "%s: not a JSON object", spec_file);
        }
    } else {
        spec = cJSON_CreateObject();
    }
#define SET(key, var)                                                                                        \
    if (var) {                                                                                               \
        cJSON_DeleteItemFromObject(spec, key);                                                               \
        cJSON_AddStringToObject(spec, key, var);                                                             \
    }
    SET("kind", kind)
    SET("command", command)
    SET("code", code)
    SET("cores", cores)
    SET("gpus", gpus)
    SET("memory", memory)
    SET("time", time_s)
    SET("name", name)
#undef SET
    if (!cJSON_GetObjectItemCaseSensitive(spec, "kind"))
        cJSON_AddStringToObject(spec, "kind", "script");
    if (cJSON_GetArraySize(inputs)) {
        cJSON_DeleteItemFromObject(spec, "inputs");
        cJSON_AddItemToObject(spec, "inputs", inputs);
    } else {
        cJSON_Delete(inputs);
    }
    if (cJSON_GetArraySize(args)) {
        cJSON_DeleteItemFromObject(spec, "args");
        cJSON_AddItemToObject(spec, "args", args);
    } else {
        cJSON_Delete(args);
    }
    const cJSON *pj = cJSON_GetObjectItemCaseSensitive(spec, "project");
    if (!project && cJSON_IsString(pj))
        project = pj->valuestring;
    if (!project || !at_room_name_valid(project)) {
        cJSON_Delete(spec);
        return cli_usage_error("job submit", "--project NAME is required");
    }
    int rc = client_setup("job submit", o, c, 1);
    if (rc) {
        cJSON_Delete(spec);
        return rc;
    }
    char path[160];
    snprintf(path, sizeof path, "/api/v1/projects/%s/jobs", project);
    char *body = cJSON_PrintUnformatted(spec);
    cJSON_Delete(spec);
    client_resp r;
    rc = client_request_raw(c, "POST", path, body, body ? strlen(body) : 0, "application/json", &r);
    free(body);
    if (!rc)
        rc = client_check("job submit", &r);
    long long id = 0;
    if (!rc) {
        const cJSON *jid = cJSON_GetObjectItemCaseSensitive(r.json, "id");
        id = cJSON_IsNumber(jid) ? (long long)jid->valuedouble : 0;
        if (o->json)
            client_print_json(&r);
        else
            printf("%lld\n", id);
        fflush(stdout);
    }
    client_resp_free(&r);
    if (!rc && wait)
        rc = wait_job(c, id, 0, o->json);
    return rc;
}

static int show(client_conf *c, client_opts *o, long long id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/jobs/%lld", id);
    client_resp r;
    int rc = fetch(c, path, &r, "job show");
    if (!rc && o->json) {
        client_print_json(&r);
    } else if (!rc) {
        const cJSON *job = cJSON_GetObjectItemCaseSensitive(r.json, "job"), *f;
        cJSON_ArrayForEach(f, job)
        {
            if (cJSON_IsString(f) && *f->valuestring)
                printf("%-17s %s\n", f->string, f->valuestring);
            else if (cJSON_IsNumber(f))
                printf("%-17s %lld\n", f->string, (long long)f->valuedouble);
        }
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(r.json, "last_event");
        if (cJSON_IsObject(ev)) {
            char *t = cJSON_PrintUnformatted(ev);
            printf("%-17s %s\n", "last_event", t ? t : "");
            free(t);
        }
    }
    client_resp_free(&r);
    return rc;
}

static int logs(client_conf *c, long long id, int follow)
{
    long long offset = 0;
    for (;;) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/jobs/%lld/log?offset=%lld", id, offset);
        client_resp r;
        int rc = fetch(c, path, &r, "job logs");
        if (rc) {
            client_resp_free(&r);
            return rc;
        }
        const char *text = client_str(r.json, "text");
        const cJSON *len = cJSON_GetObjectItemCaseSensitive(r.json, "length");
        if (text)
            fputs(text, stdout);
        fflush(stdout);
        offset += cJSON_IsNumber(len) ? (long long)len->valuedouble : 0;
        client_resp_free(&r);
        if (!follow)
            return CLI_OK;
        if (cJSON_IsNumber(len) && len->valuedouble > 0)
            continue;
        snprintf(path, sizeof path, "/api/v1/jobs/%lld", id);
        rc = fetch(c, path, &r, "job logs");
        const char *state = rc ? NULL : client_str(cJSON_GetObjectItemCaseSensitive(r.json, "job"), "state");
        int done = rc || is_final(state);
        client_resp_free(&r);
        if (done) {
            /* what the runner wrote last */
            snprintf(path, sizeof path, "/api/v1/jobs/%lld/log?offset=%lld", id, offset);
            if (!rc && !fetch(c, path, &r, "job logs") && client_str(r.json, "text"))
                fputs(client_str(r.json, "text"), stdout);
            if (!rc)
                client_resp_free(&r);
            return rc;
        }
        usleep(500000);
    }
}

static int result(client_conf *c, long long id, const char *out)
{
    if (!out)
        return cli_usage_error("job result", "-o DIR is required (a new folder)");
    if (access(out, F_OK) == 0)
        return cli_usage_error("job result", "%s exists: name a new folder", out);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/jobs/%lld/result", id);
    client_resp r;
    int rc = fetch(c, path, &r, "job result");
    if (!rc) {
        at_status st = at_jobs_code_unpack(r.body, r.len, out);
        if (st)
            rc = cli_fail(st);
        else
            fprintf(stderr, "job %lld: result in %s\n", id, out);
    }
    client_resp_free(&r);
    return rc;
}

int cmd_job(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "run"))
        return job_run(argc, argv);
    if (!strcmp(sub, "bench"))
        return cmd_job_bench(argc, argv);
    if (!strcmp(sub, "sandbox-exec")) {
        /* inside the sandbox: atelier-engine job sandbox-exec -- CMD... */
        int i = 2;
        if (i < argc && !strcmp(argv[i], "--"))
            i++;
        if (i >= argc)
            return cli_usage_error("job sandbox-exec", "a command is required");
        at_status st = at_jobs_sandbox_exec(4, argv + i);
        return cli_fail(st);
    }
    client_opts o = {0};
    client_conf c;
    if (!strcmp(sub, "submit"))
        return submit(&c, &o, argc, argv, 2);
    long long id = 0;
    const char *project = NULL, *out = NULL;
    int active = 0, queue = 0, follow = 0;
    double timeout = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--project") && next) {
            project = next;
            i++;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && next) {
            out = next;
            i++;
        } else if (!strcmp(a, "--timeout") && next) {
            timeout = atof(next);
            i++;
        } else if (!strcmp(a, "--active")) {
            active = 1;
        } else if (!strcmp(a, "--queue")) {
            queue = 1;
        } else if (!strcmp(a, "--follow") || !strcmp(a, "-f")) {
            follow = 1;
        } else if (a[0] != '-' && !id && atoll(a) > 0) {
            id = atoll(a);
        } else {
            return cli_usage_error("job", "unknown or incomplete argument '%s'", a);
        }
    }
    int needs_id = strcmp(sub, "list") && strcmp(sub, "usage");
    if (needs_id && !id)
        return cli_usage_error("job", "'%s' needs a job number", sub);
    int rc = client_setup("job", &o, &c, 1);
    if (rc)
        return rc;
    client_resp r;
    if (!strcmp(sub, "list")) {
        char path[200];
        if (queue)
            snprintf(path, sizeof path, "/api/v1/queue");
        else if (project)
            snprintf(path, sizeof path, "/api/v1/projects/%s/jobs?active=%d", project, active);
        else
            snprintf(path, sizeof path, "/api/v1/jobs?active=%d", active);
        rc = fetch(&c, path, &r, "job list");
        if (!rc && o.json)
            client_print_json(&r);
        else if (!rc) {
            if (queue) {
                const cJSON *s;
                cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r.json, "stations"))
                {
                    const cJSON *u = cJSON_GetObjectItemCaseSensitive(s, "cores_used"),
                                *t = cJSON_GetObjectItemCaseSensitive(s, "cores_total");
                    printf("station %s (%s): %d of %d cores in use\n", client_str(s, "station"),
                           client_str(s, "state"), cJSON_IsNumber(u) ? (int)u->valuedouble : 0,
                           cJSON_IsNumber(t) ? (int)t->valuedouble : 0);
                }
            }
            print_jobs(cJSON_GetObjectItemCaseSensitive(r.json, "jobs"));
        }
        client_resp_free(&r);
        return rc;
    }
    if (!strcmp(sub, "usage")) {
        rc = fetch(&c, "/api/v1/usage", &r, "job usage");
        if (!rc)
            client_print_json(&r);
        client_resp_free(&r);
        return rc;
    }
    if (!strcmp(sub, "show"))
        return show(&c, &o, id);
    if (!strcmp(sub, "logs"))
        return logs(&c, id, follow);
    if (!strcmp(sub, "wait"))
        return wait_job(&c, id, timeout, o.json);
    if (!strcmp(sub, "result"))
        return result(&c, id, out);
    if (!strcmp(sub, "cancel")) {
        char path[96];
        snprintf(path, sizeof path, "/api/v1/jobs/%lld/cancel", id);
        cJSON *b = cJSON_CreateObject();
        rc = client_request(&c, "POST", path, b, &r);
        cJSON_Delete(b);
        if (!rc)
            rc = client_check("job cancel", &r);
        if (!rc)
            fprintf(stderr, "job %lld: asked to stop\n", id);
        client_resp_free(&r);
        return rc;
    }
    return cli_usage_error("job", "unknown command '%s'", sub);
}

int cmd_code(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: atelier code push DIR --project P [--json]\n\n"
                "Store the folder DIR (regular files; .git and __pycache__ left out) as a new\n"
                "snapshot of project P's code, versioned like data but never through the door.\n"
                "Prints the snapshot's id; a script job runs in it at /code (--code SNAP, default\n"
                "the latest).\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "push"))
        return cli_usage_error("code", "unknown command '%s'", argv[1]);
    client_opts o = {0};
    const char *dir = NULL, *project = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--project") && next) {
            project = next;
            i++;
        } else if (a[0] != '-' && !dir) {
            dir = a;
        } else {
            return cli_usage_error("code push", "unknown or incomplete argument '%s'", a);
        }
    }
    if (!dir || !project)
        return cli_usage_error("code push", "a folder and --project NAME are required");
    client_conf c;
    int rc = client_setup("code push", &o, &c, 1);
    if (rc)
        return rc;
    unsigned char *archive = NULL;
    size_t len = 0;
    at_status st = at_jobs_code_pack(dir, AT_JOBS_CODE_MAX, &archive, &len);
    if (st)
        return cli_fail(st);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/projects/%s/code", project);
    client_resp r;
    rc = client_request_raw(&c, "POST", path, archive, len, "application/octet-stream", &r);
    at_free(archive);
    if (!rc)
        rc = client_check("code push", &r);
    if (!rc && o.json)
        client_print_json(&r);
    else if (!rc)
        printf("%s\n", client_str(r.json, "snapshot") ? client_str(r.json, "snapshot") : "");
    client_resp_free(&r);
    return rc;
}
