/* The vault's files: the paths of its objects, objects written crash-safe
 * (temporary name, fsync, rename; O_DIRECT where it pays), objects read
 * back, the dataset locks, and folders of hex-named objects listed. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
/* ---- paths ---- */

char *vault_dataset_path(const at_vault *v, const at_vault_dataset_id *ds, const char *tail)
{
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(ds, hex);
    size_t n = strlen(v->dir) + 64 + (tail ? strlen(tail) : 0);
    char *p = at_malloc(n);
    if (p)
        snprintf(p, n, "%s/datasets/%s%s%s", v->dir, hex, tail ? "/" : "", tail ? tail : "");
    return p;
}

/* dsdir/chunks/<2 hex>/<64 hex> (chunk) or dsdir/snapshots/<64 hex>;
 * owned by the caller, NULL when out of memory. */
static char *object_path(const char *dsdir, const unsigned char id[32], int chunk)
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, id, 32);
    size_t n = strlen(dsdir) + 80;
    char *p = at_malloc(n);
    if (p && chunk)
        snprintf(p, n, "%s/chunks/%.2s/%s", dsdir, hex, hex);
    else if (p)
        snprintf(p, n, "%s/snapshots/%s", dsdir, hex);
    return p;
}

char *vault_chunk_path(const char *dsdir, const unsigned char id[32])
{
    return object_path(dsdir, id, 1);
}

char *vault_snapshot_path(const char *dsdir, const unsigned char id[32])
{
    return object_path(dsdir, id, 0);
}

/* ---- files ---- */

at_status vault_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    int r = fsync(fd);
    int e = errno;
    close(fd);
    if (r != 0 && e != EINVAL)
        return at_error_set(AT_ERR_IO, "%s: fsync failed: %s", dir, strerror(e));
    return AT_OK;
}

at_status vault_write_all(int fd, const void *data, size_t len, const char *what)
{
    int r = at_fd_write_all(fd, data, len);
    if (r)
        return at_error_set(AT_ERR_IO, "%s: write failed: %s", what, r < 0 ? strerror(errno) : "no space");
    return AT_OK;
}

unsigned char *vault_alloc_aligned(size_t size, void **base)
{
    *base = at_malloc(size + VAULT_ALIGN);
    if (!*base)
        return NULL;
    uintptr_t p = (uintptr_t)*base;
    return (unsigned char *)((p + VAULT_ALIGN - 1) / VAULT_ALIGN * VAULT_ALIGN);
}

static int aligned(const void *p)
{
    return (uintptr_t)p % VAULT_ALIGN == 0;
}

at_status vault_object_start(const char *dsdir, const void *data, size_t len, size_t cap, vault_pending *out)
{
    out->fd = -1;
    out->tmp = NULL;
    unsigned char r[12];
    char name[25];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(name, sizeof name, r, sizeof r);
    size_t n = strlen(dsdir) + 40;
    char *tmp = at_malloc(n);
    if (!tmp)
        return AT_ERR_NOMEM;
    snprintf(tmp, n, "%s/tmp/%s", dsdir, name);
    int direct = aligned(data) && cap >= VAULT_ROUND(len);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | (direct ? O_DIRECT : 0), 0400);
    if (fd < 0 && direct && errno == EINVAL) { /* a file system without O_DIRECT */
        direct = 0;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
    }
    if (fd < 0) {
        at_status st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
        at_free(tmp);
        return st;
    }
    at_status st = vault_write_all(fd, data, direct ? VAULT_ROUND(len) : len, tmp);
    if (!st && direct && VAULT_ROUND(len) != len && ftruncate(fd, (off_t)len) != 0)
        st = at_error_set(AT_ERR_IO, "%s: truncate failed: %s", tmp, strerror(errno));
    if (st) {
        close(fd);
        unlink(tmp);
        at_free(tmp);
        return st;
    }
    out->fd = fd;
    out->tmp = tmp;
    return AT_OK;
}

at_status vault_object_finish(vault_pending *p, const char *final)
{
    at_status st = AT_OK;
    if (fsync(p->fd) != 0)
        st = at_error_set(AT_ERR_IO, "%s: fsync failed: %s", p->tmp, strerror(errno));
    if (close(p->fd) != 0 && !st)
        st = at_error_set(AT_ERR_IO, "%s: close failed: %s", p->tmp, strerror(errno));
    if (!st && rename(p->tmp, final) != 0)
        st = at_error_set(AT_ERR_IO, "%s: rename failed: %s", final, strerror(errno));
    if (st)
        unlink(p->tmp);
    at_free(p->tmp);
    p->fd = -1;
    p->tmp = NULL;
    return st;
}

void vault_object_discard(vault_pending *p)
{
    if (p->fd >= 0) {
        close(p->fd);
        unlink(p->tmp);
    }
    at_free(p->tmp);
    p->fd = -1;
    p->tmp = NULL;
}

at_status vault_write_object(const char *dsdir, const char *final, const void *data, size_t len, size_t cap)
{
    vault_pending p;
    at_status st = vault_object_start(dsdir, data, len, cap, &p);
    return st ? st : vault_object_finish(&p, final);
}

#if defined(__linux__) && !defined(__NR_cachestat)
#define __NR_cachestat 451 /* the same number on every architecture */
#endif

/* 1 when all of fd's first size bytes are in the page cache, or when
 * cachestat(2) is missing (an older kernel: read through the cache). */
static int cached(int fd, size_t size)
{
#ifdef __NR_cachestat
    static atomic_int missing;
    if (atomic_load_explicit(&missing, memory_order_relaxed))
        return 1;
    struct {
        uint64_t off, len;
    } range = {0, size};
    struct {
        uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
    } cs;
    if (syscall(__NR_cachestat, fd, &range, &cs, 0) != 0) {
        if (errno == ENOSYS)
            atomic_store(&missing, 1);
        return 1;
    }
    return cs.nr_cache * 4096 >= size;
#else
    (void)fd;
    (void)size;
    return 1;
#endif
}

at_status vault_read_file(const char *path, size_t max, unsigned char *buf, size_t cap, int bypass,
                          unsigned char **out, size_t *len)
{
    if (out)
        *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return at_error_set(errno == ENOENT ? AT_ERR_NOT_FOUND : AT_ERR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return at_error_set(AT_ERR_IO, "%s: not a regular file", path);
    }
    size_t size = (size_t)sb.st_size, got = 0;
    if ((uint64_t)sb.st_size > max || (buf && size > cap)) {
        close(fd);
        return at_error_set(AT_ERR_FORMAT, "%s: %lld bytes, more than an object of its kind holds", path,
                            (long long)sb.st_size);
    }
    unsigned char *data = buf;
    if (!data && !(data = at_malloc(size + 1))) {
        close(fd);
        return AT_ERR_NOMEM;
    }
    /* An object that is not in the page cache is read straight from the
     * disk into the aligned buffer (O_DIRECT): it spares the cache the
     * pages of an object read once, and their allocation. One that is
     * cached (a recent import, a second materialisation) is copied from
     * there. Whether it is cached, cachestat(2) says (Linux 6.5); without
     * it every read goes through the cache. */
    int direct = bypass && buf && aligned(buf) && cap % VAULT_ALIGN == 0 && size && !cached(fd, size);
    if (direct && fcntl(fd, F_SETFL, O_DIRECT) != 0)
        direct = 0;
    if (!direct)
        fcntl(fd, F_SETFL, 0);
    size_t want = direct ? VAULT_ROUND(size) : size;
    while (got < size) {
        ssize_t n = pread(fd, data + got, want - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        if (!buf)
            at_free(data);
        return at_error_set(AT_ERR_IO, "%s: short read at offset %zu", path, got);
    }
    if (out)
        *out = data;
    *len = size;
    return AT_OK;
}

/* ---- locks ---- */

at_status vault_lock(const char *dsdir, int exclusive, const at_run *run, int *fd)
{
    *fd = -1;
    size_t n = strlen(dsdir) + 8;
    char *path = at_malloc(n);
    if (!path)
        return AT_ERR_NOMEM;
    snprintf(path, n, "%s/lock", dsdir);
    int f = open(path, O_RDWR | O_CLOEXEC);
    at_free(path);
    if (f < 0)
        return at_error_set(errno == ENOENT ? AT_ERR_NOT_FOUND : AT_ERR_IO, "%s: no dataset lock: %s", dsdir,
                            strerror(errno));
    for (;;) {
        if (flock(f, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            at_status st = at_error_set(AT_ERR_IO, "%s: cannot lock: %s", dsdir, strerror(errno));
            close(f);
            return st;
        }
        at_status st = at_run_check(run, exclusive ? "waiting for the dataset's imports to end"
                                                   : "waiting for the dataset's gc to end");
        if (st) {
            close(f);
            return st;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    *fd = f;
    return AT_OK;
}

void vault_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

/* ---- folders of hex-named objects ---- */

int vault_is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == '\0';
}

static int cmp_ds(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(at_vault_dataset_id));
}
static int cmp_snap(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(at_vault_snapshot_id));
}

/* Names of 2*size hex digits in folder dir, parsed into a sorted array. */
at_status vault_list_hex_names(const char *dir, size_t size, unsigned char **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return at_error_set(errno == ENOENT ? AT_ERR_NOT_FOUND : AT_ERR_IO, "%s: cannot list: %s", dir,
                            strerror(errno));
    unsigned char *v = NULL;
    size_t n = 0, cap = 0;
    at_status st = AT_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strlen(e->d_name) != 2 * size || !vault_is_hex(e->d_name, 2 * size))
            continue;
        st = at_grow(&v, &cap, n + 1, size);
        if (st)
            break;
        sodium_hex2bin(v + n * size, size, e->d_name, 2 * size, NULL, NULL, NULL);
        n++;
    }
    closedir(d);
    if (st) {
        at_free(v);
        return st;
    }
    if (n)
        qsort(v, n, size, size == 16 ? cmp_ds : cmp_snap);
    *out = v;
    *count = n;
    return AT_OK;
}
