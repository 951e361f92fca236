/* The executors: `local` starts each runner as a process of its own
 * session on the head station (it outlives the server, whose restart
 * re-attaches it through the job's lock); `slurm` hands each runner to
 * Slurm with sbatch --parsable (the project as account, --gres=gpu:N, -t)
 * and follows it with squeue and sacct --parsable2, scancel to stop it.
 * Slurm's command line, not its REST API. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

int jobs_lock_held(const at_jobs *j, int64_t id)
{
    char *path = jobs_job_file(j, id, "lock");
    if (!path)
        return 1; /* when in doubt, alive */
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    at_free(path);
    if (fd < 0)
        return 0;
    int held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd); /* releases ours if we took it */
    return held;
}

void jobs_local_signal(const at_jobs *j, const at_job *job, int sig)
{
    (void)j;
    pid_t pid = (pid_t)atol(job->external_id);
    if (pid > 1)
        kill(pid, sig); /* the runner stops its sandbox; bwrap dies with it */
}

at_status jobs_local_start(at_jobs *j, const at_job *job, pid_t *pid_out)
{
    char id[32], attempt[16];
    snprintf(id, sizeof id, "%lld", (long long)job->id);
    snprintf(attempt, sizeof attempt, "%d", job->attempt);
    char *out = jobs_job_file(j, job->id, "runner.log");
    if (!out)
        return AT_ERR_NOMEM;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        at_free(out);
        return at_error_set(AT_ERR_IO, "pipe: %s", strerror(errno));
    }
    pid_t first = fork();
    if (first < 0) {
        at_free(out);
        close(p[0]);
        close(p[1]);
        return at_error_set(AT_ERR_IO, "fork: %s", strerror(errno));
    }
    if (first == 0) {
        /* a session of its own, and no parent to wait for it: a server
         * killed at any moment leaves its runners running */
        setsid();
        pid_t second = fork();
        if (second != 0) {
            if (second > 0 && write(p[1], &second, sizeof second) < 0) {
            }
            _exit(second > 0 ? 0 : 1);
        }
        int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        for (int k = 3; k < 1024; k++)
            close(k);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (job->gpu_list[0])
            setenv("CUDA_VISIBLE_DEVICES", job->gpu_list, 1);
        else
            setenv("CUDA_VISIBLE_DEVICES", "", 1);
        execl(j->conf.engine, "atelier-engine", "job", "run", "--room", j->dir, id, "--attempt", attempt,
              (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    at_free(out);
    pid_t second = 0;
    ssize_t n = read(p[0], &second, sizeof second);
    close(p[0]);
    int wst;
    waitpid(first, &wst, 0);
    if (n != (ssize_t)sizeof second || second <= 0)
        return at_error_set(AT_ERR_IO, "job %lld: the runner could not be started", (long long)job->id);
    *pid_out = second;
    return AT_OK;
}

/* ---- Slurm ---- */

at_status jobs_capture(const char *const *argv, char *out, size_t cap, int *code)
{
    int p[2];
    out[0] = '\0';
    *code = -1;
    if (pipe2(p, O_CLOEXEC) != 0)
        return at_error_set(AT_ERR_IO, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return at_error_set(AT_ERR_IO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        dup2(p[1], 1);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
        }
        dup2(p[1], 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(p[1]);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(p[0], out + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len + 1 >= cap) {
            char sink[4096];
            while (read(p[0], sink, sizeof sink) > 0) {
            }
            break;
        }
    }
    out[len] = '\0';
    close(p[0]);
    int wst;
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {
    }
    *code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + (WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
    return AT_OK;
}

static void tool(const at_jobs *j, const char *name, char *out, size_t cap)
{
    if (j->conf.slurm_bin[0])
        snprintf(out, cap, "%s/%s", j->conf.slurm_bin, name);
    else
        snprintf(out, cap, "%s", name);
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* the project as a Slurm account (sacctmgr), once per process */
static void ensure_account(at_jobs *j, const char *project)
{
    if (!j->conf.slurm_accounts)
        return;
    for (int i = 0; i < j->slurm_account_count; i++)
        if (!strcmp(j->slurm_accounts[i], project))
            return;
    char sacctmgr[300], out[4096], user[64], spec[200];
    int code;
    tool(j, "sacctmgr", sacctmgr, sizeof sacctmgr);
    const char *who = getenv("USER");
    snprintf(user, sizeof user, "%s", who && *who ? who : (getuid() == 0 ? "root" : "atelier"));
    snprintf(spec, sizeof spec, "account=%s", project);
    const char *add_account[] = {sacctmgr, "-i", "add", "account", project, "Description=atelier project",
                                 NULL};
    const char *add_user[] = {sacctmgr, "-i", "add", "user", user, spec, NULL};
    if (jobs_capture(add_account, out, sizeof out, &code) == AT_OK &&
        jobs_capture(add_user, out, sizeof out, &code) == AT_OK) {
        if (j->slurm_account_count < 64)
            snprintf(j->slurm_accounts[j->slurm_account_count++], AT_ROOM_NAME_MAX + 1, "%s", project);
    }
    at_error_clear();
}

/* single quotes for sh */
static void quote(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    out[k++] = '\'';
    for (; *s && k + 5 < cap; s++) {
        if (*s == '\'') {
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else {
            out[k++] = *s;
        }
    }
    out[k++] = '\'';
    out[k] = '\0';
}

at_status jobs_slurm_submit(at_jobs *j, const at_job *job, char external_id[32])
{
    ensure_account(j, job->project);
    char sbatch[300], name[64], cores[16], mem[32], time_s[32], gres[32], outp[700], wrap[2400];
    char qengine[1100], qdir[1100];
    tool(j, "sbatch", sbatch, sizeof sbatch);
    snprintf(name, sizeof name, "atelier-%lld-%d", (long long)job->id, job->attempt);
    snprintf(cores, sizeof cores, "%d", job->cores);
    snprintf(mem, sizeof mem, "--mem=%lld", (long long)job->memory_mb);
    /* the runner's own work (materialise, store the result) beside the job's limit */
    long minutes = (long)((job->time_limit + 120 + 59) / 60);
    snprintf(time_s, sizeof time_s, "%ld", minutes);
    snprintf(gres, sizeof gres, "--gres=gpu:%d", job->gpus);
    char rel[64];
    snprintf(rel, sizeof rel, "slurm-%d.out", job->attempt);
    char *o = jobs_job_file(j, job->id, rel);
    if (!o)
        return AT_ERR_NOMEM;
    snprintf(outp, sizeof outp, "%s", o);
    at_free(o);
    quote(qengine, sizeof qengine, j->conf.engine);
    quote(qdir, sizeof qdir, j->dir);
    snprintf(wrap, sizeof wrap, "exec %s job run --room %s %lld --attempt %d", qengine, qdir,
             (long long)job->id, job->attempt);
    const char *argv[32];
    int a = 0;
    argv[a++] = sbatch;
    argv[a++] = "--parsable";
    argv[a++] = "-J";
    argv[a++] = name;
    argv[a++] = "-A";
    argv[a++] = job->project;
    if (j->conf.slurm_partition[0]) {
        argv[a++] = "-p";
        argv[a++] = j->conf.slurm_partition;
    }
    argv[a++] = "-N";
    argv[a++] = "1";
    argv[a++] = "-c";
    argv[a++] = cores;
    argv[a++] = mem;
    argv[a++] = "-t";
    argv[a++] = time_s;
    if (job->gpus > 0)
        argv[a++] = gres;
    argv[a++] = "-o";
    argv[a++] = outp;
    argv[a++] = "--wrap";
    argv[a++] = wrap;
    argv[a] = NULL;
    char out[4096];
    int code;
    at_status st = jobs_capture(argv, out, sizeof out, &code);
    if (st)
        return st;
    chomp(out);
    /* --parsable: "ID" or "ID;CLUSTER" */
    char *semi = strchr(out, ';');
    if (semi)
        *semi = '\0';
    if (code != 0 || !out[0] || strspn(out, "0123456789") != strlen(out))
        return at_error_set(AT_ERR_IO, "sbatch refused job %lld: %.300s", (long long)job->id, out);
    snprintf(external_id, 32, "%s", out);
    return AT_OK;
}

at_status jobs_slurm_find(at_jobs *j, int64_t id, int attempt, char external_id[32])
{
    char squeue[300], name[64], out[4096];
    int code;
    tool(j, "squeue", squeue, sizeof squeue);
    snprintf(name, sizeof name, "atelier-%lld-%d", (long long)id, attempt);
    const char *argv[] = {squeue, "-h", "-n", name, "-o", "%i", NULL};
    external_id[0] = '\0';
    at_status st = jobs_capture(argv, out, sizeof out, &code);
    if (st || code)
        return st ? st : at_error_set(AT_ERR_IO, "squeue failed: %.200s", out);
    chomp(out);
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    if (out[0] && strspn(out, "0123456789") == strlen(out))
        snprintf(external_id, 32, "%s", out);
    return AT_OK;
}

at_status jobs_slurm_state(at_jobs *j, const char *external_id, char *state, size_t cap)
{
    char squeue[300], sacct[300], out[4096];
    int code;
    state[0] = '\0';
    tool(j, "squeue", squeue, sizeof squeue);
    const char *q[] = {squeue, "-h", "-j", external_id, "-o", "%T", NULL};
    at_status st = jobs_capture(q, out, sizeof out, &code);
    if (st)
        return st;
    chomp(out);
    if (code == 0 && out[0] && !strchr(out, ' ')) {
        snprintf(state, cap, "%s", out);
        return AT_OK;
    }
    /* gone from the queue: sacct knows how it ended */
    tool(j, "sacct", sacct, sizeof sacct);
    const char *a[] = {sacct, "-n", "-X", "--parsable2", "-j", external_id, "-o", "State", NULL};
    st = jobs_capture(a, out, sizeof out, &code);
    if (st)
        return st;
    chomp(out);
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    char *sp = strchr(out, ' '); /* "CANCELLED by 0" */
    if (sp)
        *sp = '\0';
    if (code == 0)
        snprintf(state, cap, "%s", out);
    return AT_OK;
}

at_status jobs_slurm_cancel(at_jobs *j, const char *external_id)
{
    char scancel[300], out[1024];
    int code;
    tool(j, "scancel", scancel, sizeof scancel);
    const char *argv[] = {scancel, external_id, NULL};
    return jobs_capture(argv, out, sizeof out, &code);
}

at_status jobs_slurm_nodes(at_jobs *j, at_jobs_station **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    char sinfo[300], buf[16384];
    int code;
    tool(j, "sinfo", sinfo, sizeof sinfo);
    /* node, state, CPUs allocated/idle/other/total, GRES, GRES used */
    const char *argv[] = {sinfo, "-h", "-N", "-o", "%N|%T|%C|%G|%b", NULL};
    at_status st = jobs_capture(argv, buf, sizeof buf, &code);
    if (st)
        return st;
    if (code)
        return at_error_set(AT_ERR_IO, "sinfo failed: %.200s", buf);
    size_t cap = 0;
    for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5] = {0};
        int k = 0;
        for (char *s2 = NULL, *t = strtok_r(line, "|", &s2); t && k < 5; t = strtok_r(NULL, "|", &s2))
            f[k++] = t;
        if (k < 3)
            continue;
        if (AT_GROW(*out, cap, *count + 1))
            return AT_ERR_NOMEM;
        at_jobs_station *s = &(*out)[(*count)++];
        memset(s, 0, sizeof *s);
        snprintf(s->station, sizeof s->station, "%s", f[0]);
        snprintf(s->state, sizeof s->state, "%s", f[1]);
        int alloc = 0, idle = 0, other = 0, total = 0;
        sscanf(f[2], "%d/%d/%d/%d", &alloc, &idle, &other, &total);
        s->cores_used = alloc;
        s->cores_total = total;
        const char *g = f[3] ? strstr(f[3], "gpu:") : NULL;
        if (g)
            s->gpus_total = atoi(strrchr(g, ':') + 1);
        const char *gu = f[4] ? strstr(f[4], "gpu:") : NULL;
        if (gu)
            s->gpus_used = atoi(strrchr(gu, ':') + 1);
    }
    return AT_OK;
}
