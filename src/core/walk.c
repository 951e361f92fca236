/* The folder walker (include/atelier/walk.h): an explicit stack of pending
 * folders (no recursion), each folder's entries read whole and sorted,
 * entries classified by d_type or lstat/stat, never opened. Also the
 * removal of what an interrupted run left behind. */
#include "atelier/walk.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static at_status add_entry(at_walk_list *l, const char *path, const char *rel, size_t max)
{
    if (l->n >= max)
        return at_error_set(AT_ERR_LIMIT, "more than %zu input files", max);
    if (AT_GROW(l->v, l->cap, l->n + 1))
        return AT_ERR_NOMEM;
    at_walk_entry *e = &l->v[l->n];
    e->path = at_strdup(path);
    e->rel = at_strdup(rel);
    if (!e->path || !e->rel) {
        at_free(e->path);
        at_free(e->rel);
        return AT_ERR_NOMEM;
    }
    l->n++;
    return AT_OK;
}

/* Entries are stored as d_type byte + name: compare the names. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* What a walk does with one entry: 0 a file to list, 1 a folder to enter,
 * -1 left out (counted in *sk). A regular file or a folder is known from
 * d_type without a system call; links and unknown types are looked at. */
static int classify(const char *full, unsigned char type, at_walk_skipped *sk)
{
    if (type == DT_REG)
        return 0;
    if (type == DT_DIR)
        return 1;
    struct stat sb;
    if (lstat(full, &sb) != 0) {
        sk->vanished++;
        return -1;
    }
    if (S_ISLNK(sb.st_mode)) {
        if (stat(full, &sb) != 0) {
            sk->dangling_links++;
            return -1;
        }
        if (S_ISDIR(sb.st_mode)) {
            sk->folder_links++; /* never followed: no cycle, no escape */
            return -1;
        }
    }
    if (S_ISDIR(sb.st_mode))
        return 1;
    if (S_ISREG(sb.st_mode))
        return 0;
    sk->not_regular++; /* FIFO, socket, device */
    return -1;
}

/* The sorted entries of one folder (d_type byte + name each; owned). */
static at_status read_folder(const char *dir, int skip_hidden, char ***names_out, size_t *count)
{
    *names_out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return at_error_set(AT_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    char **names = NULL;
    size_t nn = 0, nc = 0;
    at_status st = AT_OK;
    struct dirent *de;
    while (!st && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || (skip_hidden && de->d_name[0] == '.'))
            continue;
        st = AT_GROW(names, nc, nn + 1);
        if (st)
            break;
        size_t len = strlen(de->d_name);
        names[nn] = at_malloc(len + 2);
        if (!names[nn]) {
            st = AT_ERR_NOMEM;
            break;
        }
        names[nn][0] = (char)de->d_type;
        memcpy(names[nn] + 1, de->d_name, len + 1);
        nn++;
    }
    closedir(d);
    if (st) {
        for (size_t i = 0; i < nn; i++)
            at_free(names[i]);
        at_free(names);
        return st;
    }
    if (nn)
        qsort(names, nn, sizeof *names, cmp_names);
    *names_out = names;
    *count = nn;
    return AT_OK;
}

typedef struct {
    char *rel;
    int depth;
} pending;

static at_status walk_folder(at_walk_list *l, const char *root, const at_walk_options *o)
{
    size_t max = o->max_files ? o->max_files : AT_WALK_MAX_FILES;
    int max_depth = o->max_depth > 0 ? o->max_depth : AT_WALK_MAX_DEPTH;
    size_t cap = 16, top = 0, seen = 0;
    pending *stack = at_malloc(cap * sizeof *stack);
    if (!stack)
        return AT_ERR_NOMEM;
    stack[top++] = (pending){at_strdup(""), 0};
    at_status st = stack[0].rel ? AT_OK : AT_ERR_NOMEM;
    while (!st && top) {
        pending cur = stack[--top];
        char *dir = *cur.rel ? at_path_join(root, cur.rel) : at_strdup(root);
        char **names = NULL;
        size_t nn = 0;
        st = dir ? read_folder(dir, o->skip_hidden, &names, &nn) : AT_ERR_NOMEM;
        /* files in order now; subfolders pushed in reverse so they pop in order */
        size_t first_push = top;
        for (size_t i = 0; i < nn && !st; i++) {
            if ((++seen & 1023) == 0 && (st = at_run_check(o->run, root)))
                break;
            const char *entry = names[i] + 1;
            char *rel = *cur.rel ? at_path_join(cur.rel, entry) : at_strdup(entry);
            char *full = rel ? at_path_join(root, rel) : NULL;
            int kind = (!rel || !full) ? -2 : classify(full, (unsigned char)names[i][0], &l->skipped);
            if (kind >= 0 && o->keep && !o->keep(o->keep_ud, rel, kind))
                kind = -1;
            if (kind == -2) {
                st = AT_ERR_NOMEM;
            } else if (kind == 1 && cur.depth + 1 > max_depth) {
                l->skipped.too_deep++;
            } else if (kind == 1) {
                st = AT_GROW(stack, cap, top + 1);
                if (!st) {
                    stack[top++] = (pending){rel, cur.depth + 1};
                    rel = NULL;
                }
            } else if (kind == 0) {
                st = add_entry(l, full, rel, max);
            }
            at_free(rel);
            at_free(full);
        }
        for (size_t a = first_push, b = top ? top - 1 : 0; a < b; a++, b--) {
            pending t = stack[a];
            stack[a] = stack[b];
            stack[b] = t;
        }
        for (size_t i = 0; i < nn; i++)
            at_free(names[i]);
        at_free(names);
        at_free(dir);
        at_free(cur.rel);
    }
    while (top)
        at_free(stack[--top].rel);
    at_free(stack);
    return st;
}

at_status at_walk_collect(at_walk_list *l, const char *input, const at_walk_options *opt)
{
    at_walk_options none = {0};
    const at_walk_options *o = opt ? opt : &none;
    at_status st = at_run_check(o->run, input);
    if (st)
        return st;
    struct stat sb;
    if (stat(input, &sb) != 0)
        return at_error_set(AT_ERR_IO, "%s: cannot access: %s", input, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return walk_folder(l, input, o);
    if (!S_ISREG(sb.st_mode))
        return at_error_set(AT_ERR_IO, "%s: not a regular file or a folder (%s)", input,
                            S_ISFIFO(sb.st_mode)                         ? "a FIFO"
                            : S_ISSOCK(sb.st_mode)                       ? "a socket"
                            : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
                                                                         : "a special file");
    const char *base = strrchr(input, '/');
    return add_entry(l, input, base ? base + 1 : input, o->max_files ? o->max_files : AT_WALK_MAX_FILES);
}

void at_walk_list_free(at_walk_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        at_free(l->v[i].path);
        at_free(l->v[i].rel);
    }
    at_free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- debris of interrupted runs ---- */

/* 1 when name is prefix + a process id + (end or '.') and that process is
 * not running (this process's own names are never debris: a run of this
 * process may be writing them). */
static int stale_name(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n))
        return 0;
    char *end;
    long pid = strtol(name + n, &end, 10);
    if (end == name + n || (*end && *end != '.') || pid <= 0)
        return 0;
    if (pid == (long)getpid())
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

at_status at_walk_remove_debris(const char *root, const char *prefix, size_t *removed)
{
    if (removed)
        *removed = 0;
    if (!at_path_is_dir(root))
        return AT_OK;
    /* folders directly in root */
    char **names = NULL;
    size_t nn = 0, count = 0;
    at_status st = read_folder(root, 0, &names, &nn);
    for (size_t i = 0; i < nn; i++) {
        if (!st && stale_name(names[i] + 1, prefix)) {
            char *p = at_path_join(root, names[i] + 1);
            struct stat sb;
            if (!p)
                st = AT_ERR_NOMEM;
            else if (!lstat(p, &sb) && S_ISDIR(sb.st_mode)) {
                st = at_remove_tree(p);
                count += !st;
            }
            at_free(p);
        }
        at_free(names[i]);
    }
    at_free(names);
    /* files anywhere under it */
    at_walk_list l = {0};
    if (!st)
        st = at_walk_collect(&l, root, NULL);
    for (size_t i = 0; i < l.n && !st; i++) {
        const char *base = strrchr(l.v[i].rel, '/');
        base = base ? base + 1 : l.v[i].rel;
        if (!stale_name(base, prefix))
            continue;
        if (unlink(l.v[i].path) != 0 && errno != ENOENT)
            st = at_error_set(AT_ERR_IO, "%s: cannot remove what an interrupted run left: %s", l.v[i].path,
                              strerror(errno));
        else
            count++;
    }
    at_walk_list_free(&l);
    if (removed)
        *removed = count;
    return st;
}

at_status at_walk_remove_partials(const char *path, size_t *removed)
{
    if (removed)
        *removed = 0;
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    char *p = at_strndup(path, n);
    if (!p)
        return AT_ERR_NOMEM;
    char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    char *parent = slash ? at_strndup(p, slash == p ? 1 : (size_t)(slash - p)) : at_strdup(".");
    size_t pl = strlen(base) + 16;
    char *prefix = at_malloc(pl);
    at_status st = parent && prefix ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        snprintf(prefix, pl, "%s.partial-", base);
    char **names = NULL;
    size_t nn = 0, count = 0;
    if (!st && at_path_is_dir(parent))
        st = read_folder(parent, 0, &names, &nn);
    for (size_t i = 0; i < nn; i++) {
        if (!st && stale_name(names[i] + 1, prefix)) {
            char *q = at_path_join(parent, names[i] + 1);
            struct stat sb;
            if (!q)
                st = AT_ERR_NOMEM;
            else if (!lstat(q, &sb) && S_ISDIR(sb.st_mode) && !(st = at_remove_tree(q)))
                count++;
            at_free(q);
        }
        at_free(names[i]);
    }
    at_free(names);
    at_free(prefix);
    at_free(parent);
    at_free(p);
    if (removed)
        *removed = count;
    return st;
}
