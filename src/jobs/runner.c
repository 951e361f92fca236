/* The runner: `atelier-engine job run ID --attempt N`, one process per
 * job attempt, on the head station or a Slurm node. It holds the job's
 * lock while it lives (so that no two runners of a job ever run at once),
 * materialises the inputs and the code, runs the job in the sandbox with
 * its time limit, keeps its log and its progress events, stores /out as
 * the result snapshot with its lineage, and writes the attempt's final
 * status, which the service records in the catalog. It never writes the
 * catalog itself. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    int64_t written, max;
    int truncated;
} job_log;

static void log_write(job_log *l, const char *data, size_t n)
{
    if (l->fd < 0)
        return;
    if (l->written + (int64_t)n > l->max) {
        if (!l->truncated) {
            static const char note[] = "\n[atelier: the log is full; what follows is not kept]\n";
            if (write(l->fd, note, sizeof note - 1) < 0) {
            }
            l->truncated = 1;
        }
        return;
    }
    while (n) {
        ssize_t w = write(l->fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        data += w;
        n -= (size_t)w;
        l->written += w;
    }
}

static void log_line(job_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(job_log *l, const char *fmt, ...)
{
    char buf[1024], when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int k = snprintf(buf, sizeof buf, "[atelier %s] ", when);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + k, sizeof buf - (size_t)k, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    if (n + 1 < sizeof buf)
        buf[n++] = '\n';
    log_write(l, buf, n);
}

/* One progress line from the job: validated, rewritten in the canonical
 * form (t, phase, step, total, metrics), appended to progress.jsonl. */
static void progress_line(int out_fd, const char *line, size_t n, double t0)
{
    cJSON *o = cJSON_ParseWithLength(line, n);
    const cJSON *phase = cJSON_GetObjectItemCaseSensitive(o, "phase");
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(o, "step");
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(o, "total");
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(o, "metrics");
    if (!cJSON_IsObject(o) || !cJSON_IsString(phase) || strlen(phase->valuestring) > 31) {
        cJSON_Delete(o);
        return; /* not an event: ignored */
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "t", (double)(int64_t)((at_now_seconds() - t0) * 1000) / 1000);
    cJSON_AddStringToObject(e, "phase", phase->valuestring);
    cJSON_AddNumberToObject(e, "step",
                            cJSON_IsNumber(step) && step->valuedouble >= 0 ? step->valuedouble : 0);
    cJSON_AddNumberToObject(e, "total",
                            cJSON_IsNumber(total) && total->valuedouble >= 0 ? total->valuedouble : 0);
    if (cJSON_IsObject(metrics)) {
        cJSON *m = cJSON_AddObjectToObject(e, "metrics");
        int k = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, metrics)
        {
            if (k >= AT_RUN_MAX_METRICS || !cJSON_IsNumber(it) || !it->string || strlen(it->string) > 31)
                continue;
            int ok = 1;
            for (const char *p = it->string; *p; p++)
                ok &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_';
            if (ok && it->valuedouble == it->valuedouble) {
                cJSON_AddNumberToObject(m, it->string, it->valuedouble);
                k++;
            }
        }
    }
    char *text = cJSON_PrintUnformatted(e);
    if (text && strlen(text) < JOBS_EVENT_MAX) {
        size_t len = strlen(text);
        text[len] = '\n';
        if (write(out_fd, text, len + 1) < 0) {
        }
        text[len] = '\0';
    }
    cJSON_free(text);
    cJSON_Delete(e);
    cJSON_Delete(o);
}

static at_status write_json_file(const char *path, cJSON *o)
{
    char *text = cJSON_PrintUnformatted(o);
    if (!text)
        return AT_ERR_NOMEM;
    at_status st = at_file_write_atomic(path, text, strlen(text));
    cJSON_free(text);
    return st;
}

/* The lineage file stored with the result. */
static cJSON *lineage(const at_job_spec *spec, int64_t id, int attempt, const char *host, time_t started,
                      time_t ended)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "job", (double)id);
    cJSON_AddNumberToObject(o, "attempt", attempt);
    cJSON_AddStringToObject(o, "user", spec->user);
    cJSON_AddStringToObject(o, "project", spec->project);
    cJSON_AddStringToObject(o, "kind", spec->kind);
    cJSON_AddStringToObject(o, "atelier", ATELIER_VERSION);
    cJSON_AddStringToObject(o, "station", host);
    cJSON *in = cJSON_AddArrayToObject(o, "inputs");
    for (size_t i = 0; i < spec->input_count; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "dataset", spec->inputs[i].dataset);
        cJSON_AddStringToObject(x, "dataset_id", spec->inputs[i].dataset_id);
        cJSON_AddStringToObject(x, "snapshot", spec->inputs[i].snapshot);
        cJSON_AddStringToObject(x, "path", spec->inputs[i].as);
        cJSON_AddItemToArray(in, x);
    }
    if (spec->code[0]) {
        cJSON *c = cJSON_AddObjectToObject(o, "code");
        cJSON_AddStringToObject(c, "dataset_id", spec->code_dataset);
        cJSON_AddStringToObject(c, "snapshot", spec->code);
    }
    char *sj = NULL;
    if (at_job_spec_json(spec, &sj) == AT_OK) {
        cJSON_AddItemToObject(o, "spec", cJSON_Parse(sj));
        at_free(sj);
    }
    char a[32], b[32];
    struct tm tm;
    gmtime_r(&started, &tm);
    strftime(a, sizeof a, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&ended, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(o, "started", a);
    cJSON_AddStringToObject(o, "ended", b);
    return o;
}

static at_status materialise(at_vault *v, const char *ds_hex, const char *snap_hex, const char *dest)
{
    at_vault_dataset_id ds;
    at_vault_snapshot_id snap;
    at_status st = at_vault_dataset_parse(ds_hex, &ds);
    if (!st)
        st = at_vault_snapshot_parse(snap_hex, &snap);
    if (!st)
        st = at_vault_materialise(v, &ds, &snap, NULL, dest, NULL, NULL, NULL);
    return st;
}

static void kill_group(pid_t pg, int sig)
{
    if (pg > 0)
        kill(-pg, sig);
}

/* Run the sandboxed child to its end; *how: 0 ended, 1 cancelled, 2 timed out. */
static int supervise(pid_t child, int out_fd, int prog_fd, int notify_sock, int events_fd, job_log *log,
                     double deadline, volatile sig_atomic_t *cancel, int *how, double t0, int *refused)
{
    int listener = -1;
    char pbuf[JOBS_EVENT_MAX];
    size_t plen = 0;
    int discard = 0;
    double kill_at = 0;
    int status = 0, reaped = 0;
    *how = 0;
    while (!reaped || out_fd >= 0 || prog_fd >= 0) {
        struct pollfd p[4];
        int np = 0;
        if (out_fd >= 0)
            p[np++] = (struct pollfd){.fd = out_fd, .events = POLLIN};
        if (prog_fd >= 0)
            p[np++] = (struct pollfd){.fd = prog_fd, .events = POLLIN};
        int nio = np;
        if (notify_sock >= 0)
            p[np++] = (struct pollfd){.fd = notify_sock, .events = POLLIN};
        if (listener >= 0)
            p[np++] = (struct pollfd){.fd = listener, .events = POLLIN};
        if (np)
            poll(p, (nfds_t)np, 100);
        else
            usleep(50000);
        for (int i = nio; i < np; i++) {
            if (!p[i].revents)
                continue;
            if (p[i].fd == notify_sock) {
                /* the filter's listener, handed over by sandbox-exec */
                if (listener < 0 && (p[i].revents & POLLIN))
                    listener = jobs_notify_receive(notify_sock);
                close(notify_sock);
                notify_sock = -1;
            } else if (p[i].revents & POLLIN) {
                int family = -1, pid = -1;
                if (jobs_notify_answer(listener, &family, &pid) == 0) {
                    if (++*refused <= 20)
                        log_line(log, "sandbox: refused a network socket (address family %d) to process %d%s",
                                 family, pid,
                                 *refused == 20 ? " (further refusals are counted, not logged)" : "");
                }
            } else if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
                close(listener);
                listener = -1;
            }
        }
        for (int i = 0; i < nio; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[16384];
            ssize_t n = read(p[i].fd, buf, sizeof buf);
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                close(p[i].fd);
                if (p[i].fd == out_fd)
                    out_fd = -1;
                else
                    prog_fd = -1;
                continue;
            }
            if (p[i].fd == out_fd) {
                log_write(log, buf, (size_t)n);
                continue;
            }
            for (ssize_t k = 0; k < n; k++) {
                if (buf[k] == '\n') {
                    if (!discard && plen)
                        progress_line(events_fd, pbuf, plen, t0);
                    plen = 0;
                    discard = 0;
                } else if (plen < sizeof pbuf) {
                    pbuf[plen++] = buf[k];
                } else {
                    discard = 1; /* a line past the ceiling is dropped */
                }
            }
        }
        if (!reaped) {
            pid_t w = waitpid(child, &status, WNOHANG);
            if (w == child)
                reaped = 1;
        }
        double now = at_now_seconds();
        if (!reaped && !*how && cancel && *cancel) {
            *how = 1;
            log_line(log, "cancelled: stopping the job");
            kill_group(child, SIGTERM);
            kill_at = now + 5;
        }
        if (!reaped && !*how && now >= deadline) {
            *how = 2;
            log_line(log, "the job reached its time limit: stopping it");
            kill_group(child, SIGTERM);
            kill_at = now + 5;
        }
        if (!reaped && kill_at && now >= kill_at) {
            kill_group(child, SIGKILL);
            kill_at = now + 3600;
        }
        if (reaped && (out_fd >= 0 || prog_fd >= 0) && kill_at == 0) {
            /* the child is gone: whatever it left in the pipes is read once more, then closed */
            kill_at = now;
        } else if (reaped && kill_at && now > kill_at + 2) {
            if (out_fd >= 0)
                close(out_fd);
            if (prog_fd >= 0)
                close(prog_fd);
            out_fd = prog_fd = -1;
        }
    }
    if (notify_sock >= 0)
        close(notify_sock);
    if (listener >= 0)
        close(listener);
    return status;
}

at_status at_jobs_run(const char *dir, int64_t id, int attempt, volatile sig_atomic_t *cancel)
{
    char name[64];
    at_status st = AT_OK;
    char *lock_path = jobs_job_file_dir(dir, id, "lock");
    char *attempt_path = jobs_job_file_dir(dir, id, "attempt");
    snprintf(name, sizeof name, "status.%d", attempt);
    char *status_path = jobs_job_file_dir(dir, id, name);
    snprintf(name, sizeof name, "running.%d", attempt);
    char *running_path = jobs_job_file_dir(dir, id, name);
    char *spec_path = jobs_job_file_dir(dir, id, "spec.json");
    char *log_path = jobs_job_file_dir(dir, id, "log");
    char *events_path = jobs_job_file_dir(dir, id, "progress.jsonl");
    char *conf_path = at_path_join(dir, "room.conf");
    char *scratch = NULL;
    int lock_fd = -1, events_fd = -1;
    job_log log = {.fd = -1};
    at_vault *vault = NULL;
    at_job_spec spec;
    at_job_spec_init(&spec);
    at_jobs_conf conf;
    at_jobs_conf_defaults(&conf);
    if (!lock_path || !attempt_path || !status_path || !running_path || !spec_path || !log_path ||
        !events_path || !conf_path) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    /* one runner per job: the lock lives as long as this process */
    lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock_fd < 0) {
        st = at_error_set(AT_ERR_IO, "job %lld: %s: %s", (long long)id, lock_path, strerror(errno));
        goto done;
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        st = at_error_set(AT_ERR_EXISTS, "job %lld: another runner holds it", (long long)id);
        goto done;
    }
    unsigned char *text = NULL;
    size_t len = 0;
    st = at_file_read(attempt_path, 64, &text, &len);
    if (!st) {
        int current = atoi((const char *)text);
        if (current != attempt)
            st = at_error_set(AT_ERR_ARG, "job %lld: attempt %d is not the current one (%d)", (long long)id,
                              attempt, current);
    }
    at_free(text);
    if (st)
        goto done;
    if (access(status_path, F_OK) == 0)
        goto done; /* this attempt ended already */
    st = at_file_read(spec_path, AT_JOB_SPEC_MAX * 2, &text, &len);
    if (!st)
        st = at_job_spec_parse((const char *)text, len, &spec);
    at_free(text);
    if (!st && access(conf_path, F_OK) == 0)
        st = at_jobs_conf_read(conf_path, &conf);
    if (!st && !conf.engine[0])
        jobs_default_engine(conf.engine, sizeof conf.engine);
    if (st)
        goto done;
    log.fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    log.max = conf.log_max;
    struct stat lsb;
    if (log.fd >= 0 && fstat(log.fd, &lsb) == 0)
        log.written = lsb.st_size;
    events_fd = open(events_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    char host[65] = "station";
    gethostname(host, sizeof host - 1);
    char *dot = strchr(host, '.');
    if (dot)
        *dot = '\0';
    time_t started = time(NULL);
    {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "pid", getpid());
        cJSON_AddStringToObject(r, "host", host);
        cJSON_AddNumberToObject(r, "started", (double)started);
        st = write_json_file(running_path, r);
        cJSON_Delete(r);
        if (st)
            goto done;
    }
    log_line(&log, "job %lld attempt %d on %s: %s, %d core(s), %d GPU(s), %lld MiB, %lld s", (long long)id,
             attempt, host, spec.kind, spec.cores, spec.gpus, (long long)spec.memory_mb,
             (long long)spec.time_limit);
    /* the scratch: data, code, out, tmp */
    char rel[64];
    snprintf(rel, sizeof rel, "%lld-%d", (long long)id, attempt);
    scratch = at_path_join(conf.scratch[0] ? conf.scratch : dir, rel);
    if (!conf.scratch[0]) {
        at_free(scratch);
        snprintf(rel, sizeof rel, "jobs/scratch/%lld-%d", (long long)id, attempt);
        scratch = at_path_join(dir, rel);
    }
    char *data = scratch ? at_path_join(scratch, "data") : NULL,
         *code = scratch ? at_path_join(scratch, "code") : NULL,
         *out = scratch ? at_path_join(scratch, "out") : NULL,
         *tmp = scratch ? at_path_join(scratch, "tmp") : NULL;
    const char *state = "failed";
    char reason[256] = "";
    int exit_code = -1;
    char result[AT_VAULT_SNAPSHOT_HEX] = "";
    at_vault_commit_stats cstats = {0};
    int refused = 0;
    if (!data || !code || !out || !tmp) {
        st = AT_ERR_NOMEM;
        goto finish;
    }
    if (access(scratch, F_OK) == 0)
        at_remove_tree(scratch); /* a lost attempt's leftovers */
    st = at_mkdir_p(data, 0700);
    if (!st)
        st = at_mkdir_p(out, 0700);
    if (!st)
        st = at_mkdir_p(tmp, 0700);
    if (!st)
        st = jobs_vault_open(dir, NULL, &vault);
    for (size_t i = 0; !st && i < spec.input_count; i++) {
        char *dest = at_path_join(data, spec.inputs[i].as);
        st = dest ? materialise(vault, spec.inputs[i].dataset_id, spec.inputs[i].snapshot, dest)
                  : AT_ERR_NOMEM;
        if (st)
            at_error_prefix(st, "input %s@%.12s", spec.inputs[i].dataset, spec.inputs[i].snapshot);
        at_free(dest);
    }
    if (!st && spec.code[0])
        st = materialise(vault, spec.code_dataset, spec.code, code);
    if (st) {
        snprintf(reason, sizeof reason, "preparing the job: %s", at_error_message());
        log_line(&log, "%s", reason);
        st = AT_OK;
        goto finish;
    }
    /* the command */
    const char *argvv[AT_JOB_ARGS_MAX + 8];
    size_t ac = 0;
    char words[64];
    if (!strcmp(spec.kind, "script")) {
        argvv[ac++] = "/bin/sh";
        argvv[ac++] = "-c";
        argvv[ac++] = spec.command;
    } else {
        argvv[ac++] = conf.sandbox ? "/atelier/atelier-engine" : conf.engine;
        snprintf(words, sizeof words, "%s", at_job_kind_command(spec.kind));
        for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
            argvv[ac++] = w;
        for (size_t i = 0; i < spec.arg_count; i++)
            argvv[ac++] = spec.args[i];
    }
    argvv[ac] = NULL;
    /* inside the sandbox, sandbox-exec installs the network filter first */
    const char *wrapped[AT_JOB_ARGS_MAX + 16];
    size_t wc = 0;
    if (conf.sandbox) {
        wrapped[wc++] = "/atelier/atelier-engine";
        wrapped[wc++] = "job";
        wrapped[wc++] = "sandbox-exec";
        wrapped[wc++] = "--";
    }
    for (size_t i = 0; i < ac; i++)
        wrapped[wc++] = argvv[i];
    wrapped[wc] = NULL;
    char env_job[64], env_threads[64], env_omp[64], env_cuda[128], env_data[600], env_out[600], env_code[600];
    snprintf(env_job, sizeof env_job, "ATELIER_JOB=%lld", (long long)id);
    snprintf(env_threads, sizeof env_threads, "ATELIER_THREADS=%d", spec.cores);
    snprintf(env_omp, sizeof env_omp, "OMP_NUM_THREADS=%d", spec.cores);
    char env_blas[64];
    snprintf(env_blas, sizeof env_blas, "OPENBLAS_NUM_THREADS=%d", spec.cores);
    const char *cuda = getenv("CUDA_VISIBLE_DEVICES");
    snprintf(env_cuda, sizeof env_cuda, "CUDA_VISIBLE_DEVICES=%s", spec.gpus > 0 && cuda ? cuda : "");
    snprintf(env_data, sizeof env_data, "ATELIER_DATA=%s", conf.sandbox ? "/data" : data);
    snprintf(env_out, sizeof env_out, "ATELIER_OUT=%s", conf.sandbox ? "/out" : out);
    snprintf(env_code, sizeof env_code, "ATELIER_CODE=%s", conf.sandbox ? "/code" : code);
    const char *env[] = {"ATELIER_PROGRESS_FD=3",
                         env_job,
                         env_threads,
                         env_omp,
                         env_blas,
                         env_cuda,
                         env_data,
                         env_out,
                         env_code,
                         NULL};
    int seccomp = -1; /* the filter is sandbox-exec's (bwrap's --seccomp would hide its notifications) */
    jobs_sandbox sb = {.bwrap = conf.bwrap,
                       .data_dir = data,
                       .code_dir = spec.code[0] ? code : NULL,
                       .out_dir = out,
                       .tmp_dir = tmp,
                       .engine = conf.engine,
                       .gpus = spec.gpus,
                       .progress_fd = 3,
                       .seccomp_fd = seccomp >= 0 ? 4 : -1,
                       .command = wrapped,
                       .env = env};
    char **bw = NULL;
    if (conf.sandbox) {
        st = jobs_sandbox_argv(&sb, &bw);
        if (st) {
            snprintf(reason, sizeof reason, "sandbox: %s", at_error_message());
            log_line(&log, "%s", reason);
            st = AT_OK;
            if (seccomp >= 0)
                close(seccomp);
            goto finish;
        }
    }
    int opipe[2], ppipe[2], nsock[2] = {-1, -1};
    if (pipe2(opipe, O_CLOEXEC) != 0 || pipe2(ppipe, O_CLOEXEC) != 0 ||
        (conf.sandbox && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, nsock) != 0)) {
        st = at_error_set(AT_ERR_IO, "pipe: %s", strerror(errno));
        jobs_argv_free(bw);
        goto finish;
    }
    log_line(&log, "running %s%s", conf.sandbox ? "in the sandbox: " : "WITHOUT the sandbox: ",
             strcmp(spec.kind, "script") ? spec.kind : spec.command);
    jobs_cgroup cg;
    jobs_cgroup_make(&cg, id, attempt, spec.memory_mb, conf.processes);
    if (cg.memory || cg.pids)
        log_line(&log, "limits: %s%s%s (cgroup), %lld MiB of data (rlimit)", cg.memory ? "memory" : "",
                 cg.memory && cg.pids ? " and " : "", cg.pids ? "processes" : "", (long long)spec.memory_mb);
    else
        log_line(&log, "limits: %lld MiB of data (rlimit); no cgroup could be made here",
                 (long long)spec.memory_mb);
    double t0 = at_now_seconds();
    pid_t child = fork();
    if (child == 0) {
        jobs_cgroup_enter(&cg);
        setpgid(0, 0);
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t)spec.memory_mb << 20;
        setrlimit(RLIMIT_DATA, &rl);
        rl.rlim_cur = rl.rlim_max = 0;
        setrlimit(RLIMIT_CORE, &rl);
        rl.rlim_cur = rl.rlim_max = (rlim_t)conf.processes;
        if (getuid() != 0) /* root's count is every root process of the station */
            setrlimit(RLIMIT_NPROC, &rl);
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(opipe[1], 1);
        dup2(opipe[1], 2);
        dup2(ppipe[1], 3);
        if (nsock[1] >= 0)
            dup2(nsock[1], 4);
        for (int fd = 5; fd < 1024; fd++)
            close(fd);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        if (conf.sandbox) {
            execv(bw[0], bw);
        } else {
            if (chdir(spec.code[0] ? code : out) != 0)
                _exit(126);
            for (size_t i = 0; env[i]; i++)
                putenv((char *)env[i]);
            execv(argvv[0], (char *const *)argvv);
        }
        fprintf(stderr, "atelier: cannot run %s: %s\n", conf.sandbox ? conf.bwrap : argvv[0],
                strerror(errno));
        _exit(127);
    }
    close(opipe[1]);
    close(ppipe[1]);
    if (nsock[1] >= 0)
        close(nsock[1]);
    jobs_argv_free(bw);
    if (child < 0) {
        jobs_cgroup_remove(&cg);
        close(opipe[0]);
        close(ppipe[0]);
        snprintf(reason, sizeof reason, "cannot start the job: %s", strerror(errno));
        goto finish;
    }
    int how = 0;
    int wst = supervise(child, opipe[0], ppipe[0], nsock[0], events_fd, &log, t0 + (double)spec.time_limit,
                        cancel, &how, t0, &refused);
    double took = at_now_seconds() - t0;
    jobs_cgroup_remove(&cg);
    if (!how && cancel && *cancel)
        how = 1; /* the signal reached the job too (scancel signals every process of the job) */
    if (how == 1) {
        state = "cancelled";
        snprintf(reason, sizeof reason, "cancelled after %.1f s", took);
    } else if (how == 2) {
        state = "timed-out";
        snprintf(reason, sizeof reason, "stopped at its time limit of %lld s", (long long)spec.time_limit);
    } else if (WIFEXITED(wst)) {
        exit_code = WEXITSTATUS(wst);
        if (exit_code == 0)
            state = "succeeded";
        else
            snprintf(reason, sizeof reason, "the job exited with code %d", exit_code);
    } else if (WIFSIGNALED(wst)) {
        snprintf(reason, sizeof reason, "the job was killed by signal %d%s", WTERMSIG(wst),
                 WTERMSIG(wst) == SIGKILL ? " (over its memory?)" : "");
    }
    log_line(&log, "the job ended after %.1f s: %s%s%s", took, state, reason[0] ? ": " : "", reason);
    if (!strcmp(state, "succeeded")) {
        /* /out becomes the result snapshot, with its lineage */
        char *meta = at_path_join(out, ".atelier");
        char *lpath = meta ? at_path_join(meta, "lineage.json") : NULL;
        cJSON *lin = lineage(&spec, id, attempt, host, started, time(NULL));
        at_status s2 = lpath ? at_mkdir_p(meta, 0700) : AT_ERR_NOMEM;
        if (!s2)
            s2 = write_json_file(lpath, lin);
        cJSON_Delete(lin);
        at_free(lpath);
        at_free(meta);
        at_vault_dataset_id ds;
        at_vault_snapshot_id snap;
        at_vault_tx *tx = NULL;
        if (!s2)
            s2 = at_vault_dataset_parse(spec.result_dataset, &ds);
        if (!s2)
            s2 = at_vault_begin(vault, &ds, NULL, NULL, &tx);
        if (!s2) {
            s2 = at_vault_add_tree(tx, out, "");
            if (s2)
                at_vault_abort(tx);
            else
                s2 = at_vault_commit(tx, NULL, NULL, NULL, &snap, &cstats);
        }
        if (s2) {
            state = "failed";
            snprintf(reason, sizeof reason, "storing /out: %s", at_error_message());
            log_line(&log, "%s", reason);
        } else {
            at_vault_snapshot_hex(&snap, result);
            log_line(&log, "result snapshot %.16s: %llu files, %llu bytes", result,
                     (unsigned long long)cstats.files, (unsigned long long)cstats.bytes);
        }
    }
finish:
    if (!st) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "state", state);
        cJSON_AddNumberToObject(s, "exit", exit_code);
        cJSON_AddStringToObject(s, "reason", reason);
        cJSON_AddStringToObject(s, "result", result);
        cJSON_AddNumberToObject(s, "started", (double)started);
        cJSON_AddNumberToObject(s, "ended", (double)time(NULL));
        cJSON_AddStringToObject(s, "host", host);
        cJSON_AddNumberToObject(s, "files", (double)cstats.files);
        cJSON_AddNumberToObject(s, "bytes", (double)cstats.bytes);
        cJSON_AddNumberToObject(s, "refused_network", refused);
        st = write_json_file(status_path, s);
        cJSON_Delete(s);
    }
    if (scratch && access(scratch, F_OK) == 0)
        at_remove_tree(scratch);
    at_free(data);
    at_free(code);
    at_free(out);
    at_free(tmp);
done:
    if (st && log.fd >= 0)
        log_line(&log, "runner: %s", at_error_message());
    at_vault_close(vault);
    at_job_spec_free(&spec);
    if (log.fd >= 0)
        close(log.fd);
    if (events_fd >= 0)
        close(events_fd);
    if (lock_fd >= 0)
        close(lock_fd); /* the lock goes with it, after the status is written */
    at_free(scratch);
    at_free(lock_path);
    at_free(attempt_path);
    at_free(status_path);
    at_free(running_path);
    at_free(spec_path);
    at_free(log_path);
    at_free(events_path);
    at_free(conf_path);
    return st;
}
