/* Files: bounded reads, atomic writes (temp in the same folder, fsync, rename). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "atelier/core.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ftw.h>
#include <unistd.h>

at_status at_file_read(const char *path, size_t max, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO (or a device) named by mistake is refused at once
     * instead of blocking the open; the flag is cleared before reading */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        at_status e = at_error_set(AT_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return at_error_set(AT_ERR_IO, "%s: not a regular file (%s)", path,
                            S_ISFIFO(st.st_mode)   ? "a FIFO"
                            : S_ISDIR(st.st_mode)  ? "a folder"
                            : S_ISSOCK(st.st_mode) ? "a socket"
                                                   : "a device or special file");
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return at_error_set(AT_ERR_LIMIT, "%s: file of %lld bytes exceeds the %zu-byte limit", path,
                            (long long)st.st_size, max);
    }
    size_t size = (size_t)st.st_size;
    unsigned char *data = at_malloc(size + 1);
    if (!data) {
        close(fd);
        return at_error_prefix(AT_ERR_NOMEM, "%s", path);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            at_free(data);
            close(fd);
            return at_error_set(AT_ERR_IO, "%s: read failed at offset %zu", path, got);
        }
        got += (size_t)n;
    }
    close(fd);
    data[size] = '\0';
    *out = data;
    *len = size;
    return AT_OK;
}

struct at_atomic_file {
    int fd;
    char *path;
    char *tmp;
};

at_status at_atomic_open(const char *path, at_atomic_file **out)
{
    *out = NULL;
    at_atomic_file *f = at_calloc(1, sizeof *f);
    if (!f)
        return AT_ERR_NOMEM;
    size_t n = strlen(path);
    f->path = at_strdup(path);
    f->tmp = at_malloc(n + 40);
    if (!f->path || !f->tmp) {
        at_free(f->path);
        at_free(f->tmp);
        at_free(f);
        return AT_ERR_NOMEM;
    }
    /* temp beside the target so rename stays within one filesystem */
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    memcpy(f->tmp, path, dir);
    /* ".tmp.<pid>.XXXXXX": what a killed process left is known as such
     * (at_walk_remove_debris with the prefix ".tmp.") */
    snprintf(f->tmp + dir, n + 40 - dir, ".tmp.%ld.XXXXXX", (long)getpid());
    f->fd = mkostemp(f->tmp, O_CLOEXEC);
    if (f->fd < 0) {
        at_status st = at_error_set(AT_ERR_IO, "%s: cannot create temporary file: %s", path, strerror(errno));
        at_free(f->path);
        at_free(f->tmp);
        at_free(f);
        return st;
    }
    fchmod(f->fd, 0644);
    *out = f;
    return AT_OK;
}

/* Write all of data to fd (at off when positioned), retrying on EINTR:
 * 0, -1 (errno set) or 1 (nothing written), as core.h says. */
static int write_loop(int fd, const unsigned char *p, size_t len, uint64_t off, int positioned)
{
    while (len) {
        ssize_t n = positioned ? pwrite(fd, p, len, (off_t)off) : write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : 1;
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

int at_fd_write_all(int fd, const void *data, size_t len)
{
    return write_loop(fd, data, len, 0, 0);
}

int at_fd_pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
    return write_loop(fd, data, len, off, 1);
}

at_status at_atomic_write(at_atomic_file *f, const void *data, size_t len)
{
    if (at_fd_write_all(f->fd, data, len))
        return at_error_set(AT_ERR_IO, "%s: write failed: %s", f->path, strerror(errno));
    return AT_OK;
}

static void atomic_free(at_atomic_file *f)
{
    at_free(f->path);
    at_free(f->tmp);
    at_free(f);
}

void at_atomic_abort(at_atomic_file *f)
{
    if (!f)
        return;
    close(f->fd);
    unlink(f->tmp);
    atomic_free(f);
}

at_status at_atomic_commit(at_atomic_file *f)
{
    at_status st = AT_OK;
    if (fsync(f->fd) != 0 && errno != EINVAL)
        st = at_error_set(AT_ERR_IO, "%s: fsync failed: %s", f->path, strerror(errno));
    if (close(f->fd) != 0 && !st)
        st = at_error_set(AT_ERR_IO, "%s: close failed: %s", f->path, strerror(errno));
    if (!st && rename(f->tmp, f->path) != 0)
        st = at_error_set(AT_ERR_IO, "%s: rename failed: %s", f->path, strerror(errno));
    if (st)
        unlink(f->tmp);
    atomic_free(f);
    return st;
}

at_status at_file_write_atomic(const char *path, const void *data, size_t len)
{
    at_atomic_file *f;
    at_status st = at_atomic_open(path, &f);
    if (st)
        return st;
    st = at_atomic_write(f, data, len);
    if (st) {
        at_atomic_abort(f);
        return st;
    }
    return at_atomic_commit(f);
}

int at_path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

at_status at_mkdir_p(const char *path, int mode)
{
    char *p = at_strdup(path);
    if (!p)
        return AT_ERR_NOMEM;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
                at_status st = at_error_set(AT_ERR_IO, "%s: cannot create folder: %s", p, strerror(errno));
                at_free(p);
                return st;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    at_free(p);
    if (!at_path_is_dir(path))
        return at_error_set(AT_ERR_IO, "%s: exists and is not a folder", path);
    return AT_OK;
}

char *at_path_join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    while (na > 1 && a[na - 1] == '/')
        na--;
    char *p = at_malloc(na + nb + 2);
    if (!p)
        return NULL;
    memcpy(p, a, na);
    p[na] = '/';
    memcpy(p + na + 1, b, nb + 1);
    return p;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

at_status at_remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    struct stat sb;
    if (lstat(path, &sb) == 0)
        return at_error_set(AT_ERR_IO, "%s: could not be removed entirely", path);
    return AT_OK;
}

char *at_path_canonical(const char *path)
{
    char buf[PATH_MAX];
    if (realpath(path, buf))
        return at_strdup(buf);
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *slash = NULL;
    for (size_t i = n; i-- > 0;)
        if (path[i] == '/') {
            slash = path + i;
            break;
        }
    char *parent = slash ? at_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : at_strdup(".");
    if (!parent)
        return NULL;
    char *pc = at_path_canonical(parent);
    at_free(parent);
    if (!pc)
        return NULL;
    const char *base = slash ? slash + 1 : path;
    char *bn = at_strndup(base, n - (size_t)(base - path));
    char *r = bn ? at_path_join(pc, bn) : NULL;
    at_free(bn);
    at_free(pc);
    return r;
}

int at_path_same(const char *a, const char *b)
{
    struct stat x, y;
    if (!stat(a, &x) && !stat(b, &y))
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino; /* hard links too */
    char *ca = at_path_canonical(a), *cb = at_path_canonical(b);
    int same = ca && cb && !strcmp(ca, cb);
    at_free(ca);
    at_free(cb);
    return same;
}

int at_path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (strncmp(path, dir, n))
        return 0;
    return path[n] == 0 || path[n] == '/' || (n == 1 && dir[0] == '/');
}

at_status at_path_refuse_inside(const char *out, const char *const *inputs, size_t n)
{
    char *oc = at_path_canonical(out);
    at_status st = oc ? AT_OK : AT_ERR_NOMEM;
    for (size_t i = 0; i < n && !st; i++) {
        size_t len = strlen(inputs[i]);
        while (len > 1 && inputs[i][len - 1] == '/')
            len--;
        char *trimmed = at_strndup(inputs[i], len);
        char *ic = trimmed ? at_path_canonical(trimmed) : NULL;
        if (!ic)
            st = AT_ERR_NOMEM;
        else if (at_path_within(oc, ic))
            st = at_error_set(
                AT_ERR_REFUSED,
                "-o %s %s %s; nothing was written (outputs would %s; choose an -o folder outside the "
                "inputs)",
                out, strcmp(oc, ic) ? "is inside the input" : "is the input", inputs[i],
                at_path_is_dir(trimmed) ? "overwrite or be read back as inputs" : "overwrite the input");
        at_free(ic);
        at_free(trimmed);
    }
    at_free(oc);
    return st;
}
