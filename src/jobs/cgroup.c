/* Per-job control groups, when the room may make them (root, or a
 * delegated cgroup): a memory limit (memory.max, or v1's
 * memory.limit_in_bytes) and a process limit (pids.max) over the job and
 * every process it starts, beside the rlimits. Made under the runner's own
 * cgroup (cgroup v2, or the memory and pids hierarchies of v1); removed
 * when the attempt ends. Best effort: where none can be made, the rlimits
 * alone bound the job, and the log says so. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The runner's own cgroup path in a hierarchy ("" for v2's "0::"). */
static int own_path(const char *controller, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return -1;
    char line[1024];
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!a || !b)
            continue;
        *b = '\0';
        const char *ctrls = a + 1;
        int match = controller ? (strstr(ctrls, controller) != NULL) : (!strncmp(line, "0", 1) && !*ctrls);
        if (match) {
            snprintf(out, cap, "%s", !strcmp(b + 1, "/") ? "" : b + 1);
            found = 0;
            break;
        }
    }
    fclose(f);
    return found;
}

static int make_group(const char *root, const char *controller, const char *name, char *dir, size_t cap)
{
    char own[512];
    if (own_path(controller, own, sizeof own))
        return -1;
    snprintf(dir, cap, "%s%s/%s", root, own, name);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

void jobs_cgroup_make(jobs_cgroup *g, int64_t id, int attempt, int64_t memory_mb, int processes)
{
    memset(g, 0, sizeof *g);
    char name[64], val[32];
    /* the runner's pid: job numbers repeat from room to room */
    snprintf(name, sizeof name, "atelier-%ld-job-%lld-%d", (long)getpid(), (long long)id, attempt);
    if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
        /* v2: one group, the controllers its parent delegates */
        if (make_group("/sys/fs/cgroup", NULL, name, g->dir[0], sizeof g->dir[0]) == 0) {
            char p[600];
            snprintf(p, sizeof p, "%s/memory.max", g->dir[0]);
            snprintf(val, sizeof val, "%lld", (long long)memory_mb << 20);
            g->memory = write_file(p, val) == 0;
            snprintf(p, sizeof p, "%s/memory.swap.max", g->dir[0]);
            write_file(p, "0");
            snprintf(p, sizeof p, "%s/pids.max", g->dir[0]);
            snprintf(val, sizeof val, "%d", processes);
            g->pids = write_file(p, val) == 0;
            g->count = 1;
        }
        return;
    }
    /* v1: the memory and pids hierarchies */
    if (make_group("/sys/fs/cgroup/memory", "memory", name, g->dir[g->count], sizeof g->dir[0]) == 0) {
        char p[600];
        snprintf(p, sizeof p, "%s/memory.limit_in_bytes", g->dir[g->count]);
        snprintf(val, sizeof val, "%lld", (long long)memory_mb << 20);
        g->memory = write_file(p, val) == 0;
        snprintf(p, sizeof p, "%s/memory.memsw.limit_in_bytes", g->dir[g->count]);
        write_file(p, val); /* where swap accounting is on */
        g->count++;
    }
    if (make_group("/sys/fs/cgroup/pids", "pids", name, g->dir[g->count], sizeof g->dir[0]) == 0) {
        char p[600];
        snprintf(p, sizeof p, "%s/pids.max", g->dir[g->count]);
        snprintf(val, sizeof val, "%d", processes);
        g->pids = write_file(p, val) == 0;
        g->count++;
    }
}

int jobs_cgroup_enter(const jobs_cgroup *g)
{
    char pid[32], p[600];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    int ok = 0;
    for (int i = 0; i < g->count; i++) {
        snprintf(p, sizeof p, "%s/cgroup.procs", g->dir[i]);
        ok += write_file(p, pid) == 0;
    }
    return ok;
}

void jobs_cgroup_remove(jobs_cgroup *g)
{
    for (int i = 0; i < g->count; i++) {
        /* the job's processes are gone; a straggler is killed first */
        char p[600];
        snprintf(p, sizeof p, "%s/cgroup.procs", g->dir[i]);
        FILE *f = fopen(p, "r");
        long pid;
        while (f && fscanf(f, "%ld", &pid) == 1)
            if (pid > 1)
                kill((pid_t)pid, SIGKILL);
        if (f)
            fclose(f);
        for (int t = 0; t < 50 && rmdir(g->dir[i]) != 0 && errno == EBUSY; t++)
            usleep(20000);
    }
    g->count = 0;
}
