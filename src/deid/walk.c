/* The batch's inputs: files given, and folders walked with an explicit
 * stack of pending folders, entries sorted, links to folders never
 * followed (no cycles). Nothing here opens an input file: an entry is
 * classified by readdir's d_type, else with lstat/stat, so a FIFO cannot
 * block the walk. */
#include "deid/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_INPUT_FILES 10000000 /* files per run */

static at_status add_job(at_deid_job_list *l, const char *path, const char *rel)
{
    if (l->n >= MAX_INPUT_FILES)
        return at_error_set(AT_ERR_LIMIT, "more than %d input files", MAX_INPUT_FILES);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        at_deid_job *v = at_realloc(l->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    at_deid_job *j = &l->v[l->n];
    memset(j, 0, sizeof *j);
    j->path = at_strdup(path);
    j->rel = at_strdup(rel);
    if (!j->path || !j->rel) {
        at_free(j->path);
        at_free(j->rel);
        return AT_ERR_NOMEM;
    }
    l->n++;
    return AT_OK;
}

/* Entries are stored as d_type byte + name: compare the names. */
static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a + 1, *(char *const *)b + 1); }

/* What a walk does with one entry: 0 a file to add, 1 a folder to enter,
 * -1 skipped (counted in *sk). type is readdir's d_type: a regular file
 * or a folder is known without a stat call (one system call less per
 * file); links and unknown types are looked at. */
static int classify(const char *full, unsigned char type, at_deid_skipped *sk)
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
            sk->folder_links++; /* never followed: no cycles */
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

/* Folder walk with an explicit stack of pending folders, entries sorted. */
static at_status collect_dir(at_deid_job_list *l, const char *root)
{
    size_t cap = 16, top = 0;
    char **stack = at_malloc(cap * sizeof *stack);
    if (!stack)
        return AT_ERR_NOMEM;
    stack[top++] = at_strdup("");
    at_status st = stack[0] ? AT_OK : AT_ERR_NOMEM;
    while (!st && top) {
        char *rel = stack[--top];
        char *dir = *rel ? at_path_join(root, rel) : at_strdup(root);
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d) {
            st = dir ? at_error_set(AT_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno)) : AT_ERR_NOMEM;
            at_free(dir);
            at_free(rel);
            break;
        }
        char **names = NULL;
        size_t nn = 0, nc = 0;
        struct dirent *de;
        while (!st && (de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            if (nn == nc) {
                nc = nc ? nc * 2 : 64;
                char **v = at_realloc(names, nc * sizeof *v);
                if (!v) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                names = v;
            }
            /* the d_type byte first, then the name (sorted by name below) */
            size_t len = strlen(de->d_name);
            names[nn] = at_malloc(len + 2);
            if (names[nn]) {
                names[nn][0] = (char)de->d_type;
                memcpy(names[nn] + 1, de->d_name, len + 1);
            }
            if (!names[nn])
                st = AT_ERR_NOMEM;
            else
                nn++;
        }
        closedir(d);
        if (nn)
            qsort(names, nn, sizeof *names, cmp_names);
        /* files in order now; subfolders pushed in reverse so they pop in order */
        size_t first_dir_push = top;
        for (size_t i = 0; i < nn && !st; i++) {
            const char *entry = names[i] + 1;
            char *childrel = *rel ? at_path_join(rel, entry) : at_strdup(entry);
            char *full = childrel ? at_path_join(root, childrel) : NULL;
            int kind = (!childrel || !full) ? -2 : classify(full, (unsigned char)names[i][0], &l->skipped);
            if (kind == -2) {
                st = AT_ERR_NOMEM;
            } else if (kind == 1) {
                if (top == cap) {
                    char **s2 = at_realloc(stack, 2 * cap * sizeof *stack);
                    if (!s2)
                        st = AT_ERR_NOMEM;
                    else {
                        stack = s2;
                        cap *= 2;
                    }
                }
                if (!st) {
                    stack[top++] = childrel;
                    childrel = NULL;
                }
            } else if (kind == 0) {
                st = add_job(l, full, childrel);
            }
            at_free(childrel);
            at_free(full);
        }
        for (size_t a = first_dir_push, b = top ? top - 1 : 0; a < b; a++, b--) {
            char *t = stack[a];
            stack[a] = stack[b];
            stack[b] = t;
        }
        for (size_t i = 0; i < nn; i++)
            at_free(names[i]);
        at_free(names);
        at_free(dir);
        at_free(rel);
    }
    while (top)
        at_free(stack[--top]);
    at_free(stack);
    return st;
}

at_status at_deid_collect(at_deid_job_list *l, const char *input)
{
    struct stat sb;
    if (stat(input, &sb) != 0)
        return at_error_set(AT_ERR_IO, "%s: cannot access: %s", input, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return collect_dir(l, input);
    if (!S_ISREG(sb.st_mode))
        return at_error_set(AT_ERR_IO, "%s: not a regular file or a folder (%s)", input,
                            S_ISFIFO(sb.st_mode)   ? "a FIFO"
                            : S_ISSOCK(sb.st_mode) ? "a socket"
                            : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device"
                                                                          : "a special file");
    const char *base = strrchr(input, '/');
    return add_job(l, input, base ? base + 1 : input);
}

void at_deid_job_list_free(at_deid_job_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        at_free(l->v[i].path);
        at_free(l->v[i].rel);
        at_free(l->v[i].reason);
        at_free(l->v[i].out_path);
        at_free(l->v[i].out_rel);
        at_free(l->v[i].tmp_path);
    }
    at_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
