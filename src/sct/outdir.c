/* Output folders of the sct pipeline: written as OUT.partial-PID beside
 * OUT and renamed into place when complete, so that OUT appears whole or
 * not at all; the partial folders a killed run left are removed by the
 * next run writing the same OUT (only when their process is gone). */
#include "sct_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sct_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* 1 when path exists and is not an empty folder. */
static int occupied(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0;
    if (!S_ISDIR(sb.st_mode))
        return 1;
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;
    while (d && empty && (e = readdir(d)))
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return !empty;
}

/* 1 when name is base + ".partial-" + the id of a process that is no
 * longer running (then the end or a '.': the series writer's own partial
 * folder inside ours). */
static int stale_partial(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) || strncmp(name + n, ".partial-", 9))
        return 0;
    const char *digits = name + n + 9;
    char *end;
    long pid = strtol(digits, &end, 10);
    if (end == digits || (*end && *end != '.') || pid <= 0 || pid == (long)getpid())
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void sct_remove_stale(const char *out)
{
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    char *copy = at_strndup(out, n);
    if (!copy)
        return;
    char *slash = strrchr(copy, '/');
    const char *base = slash ? slash + 1 : copy;
    char *parent =
        slash ? (slash == copy ? at_strdup("/") : at_strndup(copy, (size_t)(slash - copy))) : at_strdup(".");
    DIR *d = parent ? opendir(parent) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!stale_partial(e->d_name, base))
            continue;
        char *p = at_path_join(parent, e->d_name);
        struct stat sb;
        if (p && !lstat(p, &sb)) {
            if (S_ISDIR(sb.st_mode))
                at_remove_tree(p);
            else
                unlink(p);
        }
        at_free(p);
    }
    if (d)
        closedir(d);
    at_free(parent);
    at_free(copy);
}

at_status sct_out_begin(sct_out *o, const char *out, int force, int make_dir)
{
    memset(o, 0, sizeof *o);
    if (!force && occupied(out))
        return at_error_set(AT_ERR_REFUSED, "%s exists; nothing was written (force writes over it)", out);
    size_t n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        n--;
    o->out = at_strndup(out, n);
    o->partial = o->out ? at_malloc(n + 32) : NULL;
    if (!o->partial)
        return AT_ERR_NOMEM;
    snprintf(o->partial, n + 32, "%s.partial-%ld", o->out, (long)getpid());
    sct_remove_stale(o->out);
    at_remove_tree(o->partial); /* an earlier call of this process that could not clean up */
    return make_dir ? at_mkdir_p(o->partial, 0755) : AT_OK;
}

at_status sct_out_commit(sct_out *o)
{
    if (sct_exists(o->out)) {
        /* replace: swap the two in one step, then remove the old one */
        if (renameat2(AT_FDCWD, o->partial, AT_FDCWD, o->out, RENAME_EXCHANGE) != 0)
            return at_error_set(AT_ERR_IO, "%s: cannot replace it: %s", o->out, strerror(errno));
        return at_remove_tree(o->partial);
    }
    if (rename(o->partial, o->out) != 0)
        return at_error_set(AT_ERR_IO, "%s: cannot move the output into place: %s", o->out, strerror(errno));
    return AT_OK;
}

void sct_out_abort(sct_out *o)
{
    if (o->partial)
        at_remove_tree(o->partial);
}

void sct_out_free(sct_out *o)
{
    at_free(o->out);
    at_free(o->partial);
    memset(o, 0, sizeof *o);
}
