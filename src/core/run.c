/* The run context (include/atelier/run.h): progress events, cancellation,
 * thread budget, log sink and the store a pipeline call works through. */
#include "atelier/run.h"
#include "atelier/walk.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void at_run_init(at_run *run)
{
    memset(run, 0, sizeof *run);
    run->threads = 1;
    run->log_min = AT_LOG_INFO;
}

at_run *at_run_default(void)
{
    /* never written through: progress on a default run reports nothing and
     * keeps no state (at_run_progress returns before touching it) */
    static at_run def = {.threads = 1, .log_min = AT_LOG_INFO};
    return &def;
}

int at_run_cancelled(const at_run *run)
{
    return run && run->cancel && *run->cancel;
}

at_status at_run_check(const at_run *run, const char *what)
{
    if (!at_run_cancelled(run))
        return AT_OK;
    return at_error_set(AT_ERR_CANCELLED, "%s: cancelled", what ? what : "run");
}

int at_run_threads(const at_run *run)
{
    return run && run->threads > 1 ? run->threads : 1;
}

void at_run_progress_metrics(at_run *run, const char *phase, uint64_t step, uint64_t total,
                             const at_run_metric *metrics, size_t count)
{
    if (!run || !run->progress)
        return;
    if (run->last_phase && phase && !strcmp(run->last_phase, phase) && step < run->last_step)
        step = run->last_step; /* events of one phase never go backwards */
    run->last_phase = phase;
    run->last_step = step;
    at_run_event ev = {.phase = phase ? phase : "", .step = step, .total = total};
    if (count > AT_RUN_MAX_METRICS)
        count = AT_RUN_MAX_METRICS;
    if (metrics && count)
        memcpy(ev.metrics, metrics, count * sizeof *metrics);
    ev.metric_count = metrics ? count : 0;
    run->progress(run->progress_ud, &ev);
}

void at_run_progress(at_run *run, const char *phase, uint64_t step, uint64_t total)
{
    at_run_progress_metrics(run, phase, step, total, NULL, 0);
}

void at_run_log(const at_run *run, at_log_level level, const char *fmt, ...)
{
    if (!run || !run->log || level < run->log_min)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    run->log(run->log_ud, level, msg);
}

at_status at_run_path(const at_run *run, const char *path, int for_write, char **out)
{
    *out = NULL;
    if (!path || !*path)
        return at_error_set(AT_ERR_ARG, "empty path");
    if (!run || !run->store || !run->store->resolve) {
        *out = at_strdup(path);
        return *out ? AT_OK : AT_ERR_NOMEM;
    }
    return run->store->resolve(run->store->ud, path, for_write, out);
}

/* ---- the local store ---- */

/* 1 if the canonical form of p lies inside root (itself canonical). For a
 * path that does not exist yet (an output), its nearest existing parent is
 * checked: what is created under it stays under it. */
static int inside_root(const char *root, const char *p)
{
    char probe[PATH_MAX], real[PATH_MAX];
    if (strlen(p) >= sizeof probe)
        return 0;
    strcpy(probe, p);
    for (;;) {
        if (realpath(probe, real)) {
            size_t n = strlen(root);
            return !strncmp(real, root, n) && (real[n] == '\0' || real[n] == '/');
        }
        if (errno != ENOENT && errno != ENOTDIR)
            return 0;
        char *slash = strrchr(probe, '/');
        if (!slash || slash == probe)
            return 0;
        *slash = '\0';
    }
}

static at_status local_resolve(void *ud, const char *path, int for_write, char **out)
{
    (void)for_write;
    at_store *s = ud;
    *out = NULL;
    if (path[0] == '/')
        return at_error_set(AT_ERR_ARG, "%s: an absolute path is outside the store", path);
    /* no '..' component, whatever the file system says */
    for (const char *c = path; *c;) {
        const char *e = strchr(c, '/');
        size_t n = e ? (size_t)(e - c) : strlen(c);
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return at_error_set(AT_ERR_ARG, "%s: a '..' component leaves the store", path);
        c += n;
        while (*c == '/')
            c++;
    }
    char *full = at_path_join(s->root, path);
    if (!full)
        return AT_ERR_NOMEM;
    if (!inside_root(s->root, full)) {
        at_free(full);
        return at_error_set(AT_ERR_ARG, "%s: a symbolic link leads out of the store", path);
    }
    *out = full;
    return AT_OK;
}

at_status at_store_local(at_store *s, const char *root)
{
    memset(s, 0, sizeof *s);
    if (!root)
        return AT_OK;
    char real[PATH_MAX];
    if (!realpath(root, real))
        return at_error_set(AT_ERR_IO, "%s: store root: %s", root, strerror(errno));
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return at_error_set(AT_ERR_ARG, "%s: store root is not a folder", root);
    s->root = at_strdup(real);
    if (!s->root)
        return AT_ERR_NOMEM;
    s->resolve = local_resolve;
    s->ud = s;
    return AT_OK;
}

void at_store_free(at_store *s)
{
    if (!s)
        return;
    at_free(s->root);
    memset(s, 0, sizeof *s);
}

/* ---- what a run wrote ---- */

at_status at_run_outputs_begin(at_run_outputs *o, const char *root, int mode)
{
    memset(o, 0, sizeof *o);
    o->root = at_strdup(root);
    if (!o->root)
        return AT_ERR_NOMEM;
    struct stat st;
    o->root_created = lstat(root, &st) != 0;
    /* in a folder that was there: what an interrupted run left goes first */
    if (!o->root_created) {
        at_status s = at_walk_remove_debris(root, ".tmp.", NULL);
        if (s)
            return s;
    }
    return at_mkdir_p(root, mode);
}

at_status at_run_outputs_add(at_run_outputs *o, const char *path)
{
    if (o->root_created) /* all of root goes: nothing to note */
        return AT_OK;
    if (AT_GROW(o->files, o->cap, o->n + 1))
        return AT_ERR_NOMEM;
    o->files[o->n] = at_strdup(path);
    if (!o->files[o->n])
        return AT_ERR_NOMEM;
    o->n++;
    return AT_OK;
}

void at_run_outputs_take_back(at_run_outputs *o)
{
    if (o->root && o->root_created)
        at_remove_tree(o->root);
    for (size_t i = 0; i < o->n; i++)
        unlink(o->files[i]);
}

void at_run_outputs_free(at_run_outputs *o)
{
    for (size_t i = 0; i < o->n; i++)
        at_free(o->files[i]);
    at_free(o->files);
    at_free(o->root);
    memset(o, 0, sizeof *o);
}
