/* The vault folder: its config, datasets, objects written crash-safe
 * (temporary name, fsync, rename), the dataset locks and the snapshot
 * index (the manifests present).
 *
 *   vault/config                         "atelier-vault 1", the master key's id
 *   vault/datasets/<32 hex>/key          the dataset key wrapped by the master key
 *   vault/datasets/<32 hex>/shredded     tombstone of a crypto-shredded dataset
 *   vault/datasets/<32 hex>/lock         flock: shared (import, verify), exclusive (gc, shred)
 *   vault/datasets/<32 hex>/chunks/<2 hex>/<64 hex>
 *   vault/datasets/<32 hex>/snapshots/<64 hex>   manifests: one per visible snapshot
 *   vault/datasets/<32 hex>/tmp/         objects being written */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CONFIG_MAX 4096

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

char *vault_chunk_path(const char *dsdir, const unsigned char id[32])
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, id, 32);
    size_t n = strlen(dsdir) + 80;
    char *p = at_malloc(n);
    if (p)
        snprintf(p, n, "%s/chunks/%.2s/%s", dsdir, hex, hex);
    return p;
}

char *vault_snapshot_path(const char *dsdir, const unsigned char id[32])
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, id, 32);
    size_t n = strlen(dsdir) + 80;
    char *p = at_malloc(n);
    if (p)
        snprintf(p, n, "%s/snapshots/%s", dsdir, hex);
    return p;
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

static at_status write_all(int fd, const void *data, size_t len, const char *what)
{
    const unsigned char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return at_error_set(AT_ERR_IO, "%s: write failed: %s", what,
                                n < 0 ? strerror(errno) : "no space");
        p += n;
        len -= (size_t)n;
    }
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
    at_status st = write_all(fd, data, direct ? VAULT_ROUND(len) : len, tmp);
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

/* ---- the vault ---- */

static at_status read_config(const char *dir, unsigned char master_id[VAULT_MASTER_ID], int *exists)
{
    *exists = 0;
    char *path = at_path_join(dir, "config");
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data;
    size_t len;
    at_status st = vault_read_file(path, CONFIG_MAX, NULL, 0, 0, &data, &len);
    at_free(path);
    if (st == AT_ERR_NOT_FOUND)
        return at_error_set(AT_ERR_NOT_FOUND, "%s: not a vault (no config)", dir);
    if (st)
        return st;
    *exists = 1;
    data[len] = '\0';
    unsigned version = 0;
    char hex[VAULT_MASTER_ID * 2 + 2] = "";
    if (sscanf((const char *)data, "atelier-vault %u\nmaster-key-id %17s", &version, hex) != 2) {
        at_free(data);
        return at_error_set(AT_ERR_FORMAT, "%s/config: not an atelier vault config", dir);
    }
    at_free(data);
    if (version != AT_VAULT_FORMAT)
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "%s: vault format %u is not supported (this atelier reads %d)", dir, version,
                            AT_VAULT_FORMAT);
    size_t got = 0;
    if (strlen(hex) != 2 * VAULT_MASTER_ID ||
        sodium_hex2bin(master_id, VAULT_MASTER_ID, hex, strlen(hex), NULL, &got, NULL) ||
        got != VAULT_MASTER_ID)
        return at_error_set(AT_ERR_FORMAT, "%s/config: bad master-key-id", dir);
    return AT_OK;
}

static at_status check_master(const char *dir, const unsigned char have[VAULT_MASTER_ID],
                              const unsigned char want[VAULT_MASTER_ID])
{
    if (!memcmp(have, want, VAULT_MASTER_ID))
        return AT_OK;
    char h[17], w[17];
    sodium_bin2hex(h, sizeof h, have, VAULT_MASTER_ID);
    sodium_bin2hex(w, sizeof w, want, VAULT_MASTER_ID);
    return at_error_set(AT_ERR_CRYPTO,
                        "%s: wrong master key: the key given has id %s, this vault's master key has id %s",
                        dir, h, w);
}

at_status at_vault_init(const char *dir, const at_key *master)
{
    at_status st = at_crypto_init();
    if (st)
        return st;
    unsigned char id[VAULT_MASTER_ID], have[VAULT_MASTER_ID];
    vault_master_id(master, id);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return at_error_set(AT_ERR_IO, "%s: cannot create the vault folder: %s", dir, strerror(errno));
    int exists;
    st = read_config(dir, have, &exists);
    if (exists)
        return st ? st : check_master(dir, id, have);
    if (st != AT_ERR_NOT_FOUND)
        return st;
    st = AT_OK;
    char *datasets = at_path_join(dir, "datasets");
    char *config = at_path_join(dir, "config");
    if (!datasets || !config) {
        at_free(datasets);
        at_free(config);
        return AT_ERR_NOMEM;
    }
    char text[128], hex[17];
    sodium_bin2hex(hex, sizeof hex, id, sizeof id);
    int n = snprintf(text, sizeof text, "atelier-vault %d\nmaster-key-id %s\n", AT_VAULT_FORMAT, hex);
    if (mkdir(datasets, 0700) != 0 && errno != EEXIST)
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", datasets, strerror(errno));
    if (!st)
        st = at_file_write_atomic(config, text, (size_t)n);
    if (!st)
        st = vault_fsync_dir(dir);
    at_free(datasets);
    at_free(config);
    return st;
}

at_status at_vault_open(const char *dir, const at_key *master, at_vault **out)
{
    *out = NULL;
    at_status st = at_crypto_init();
    if (st)
        return st;
    unsigned char have[VAULT_MASTER_ID];
    int exists;
    st = read_config(dir, have, &exists);
    if (st)
        return st;
    at_vault *v = at_calloc(1, sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    v->dir = at_strdup(dir);
    if (!v->dir) {
        at_free(v);
        return AT_ERR_NOMEM;
    }
    vault_wrap_key(master, v->wrap);
    vault_master_id(master, v->master_id);
    st = check_master(dir, v->master_id, have);
    if (st) {
        at_vault_close(v);
        return st;
    }
    *out = v;
    return AT_OK;
}

void at_vault_close(at_vault *v)
{
    if (!v)
        return;
    sodium_memzero(v->wrap, sizeof v->wrap);
    at_free(v->dir);
    at_free(v);
}

/* ---- datasets ---- */

static at_status mkdir_in(const char *base, const char *name)
{
    char *p = at_path_join(base, name);
    if (!p)
        return AT_ERR_NOMEM;
    at_status st = AT_OK;
    if (mkdir(p, 0700) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", p, strerror(errno));
    at_free(p);
    return st;
}

at_status at_vault_dataset_create(at_vault *v, at_vault_dataset_id *out)
{
    at_vault_dataset_id ds;
    randombytes_buf(ds.bytes, sizeof ds.bytes);
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(&ds, hex);
    size_t n = strlen(v->dir) + 64;
    char *fresh = at_malloc(n), *final = vault_dataset_path(v, &ds, NULL),
         *parent = at_path_join(v->dir, "datasets");
    char *chunks = NULL, *key = NULL, *lock = NULL;
    at_status st = AT_OK;
    if (!fresh || !final || !parent) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    /* built under a hidden name, renamed whole: a crash leaves no half dataset */
    snprintf(fresh, n, "%s/datasets/.new-%s", v->dir, hex);
    if (mkdir(fresh, 0700) != 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", fresh, strerror(errno));
        goto done;
    }
    if ((st = mkdir_in(fresh, "chunks")) || (st = mkdir_in(fresh, "snapshots")) ||
        (st = mkdir_in(fresh, "tmp")))
        goto fail;
    chunks = at_path_join(fresh, "chunks");
    key = at_path_join(fresh, "key");
    lock = at_path_join(fresh, "lock");
    if (!chunks || !key || !lock) {
        st = AT_ERR_NOMEM;
        goto fail;
    }
    for (int i = 0; i < 256; i++) {
        char sub[3];
        snprintf(sub, sizeof sub, "%02x", i);
        if ((st = mkdir_in(chunks, sub)))
            goto fail;
    }
    int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", lock, strerror(errno));
        goto fail;
    }
    close(fd);
    unsigned char wrapped[VAULT_KEYFILE_SIZE];
    if ((st = vault_key_new(v, &ds, wrapped)) ||
        (st = vault_write_object(fresh, key, wrapped, sizeof wrapped, 0)) || (st = vault_fsync_dir(chunks)) ||
        (st = vault_fsync_dir(fresh)))
        goto fail;
    if (rename(fresh, final) != 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot rename: %s", final, strerror(errno));
        goto fail;
    }
    st = vault_fsync_dir(parent);
    if (!st)
        *out = ds;
    goto done;
fail:
    at_remove_tree(fresh);
done:
    at_free(fresh);
    at_free(final);
    at_free(parent);
    at_free(chunks);
    at_free(key);
    at_free(lock);
    return st;
}

static int is_hex(const char *s, size_t n)
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
static at_status list_hex_names(const char *dir, size_t size, unsigned char **out, size_t *count)
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
        if (strlen(e->d_name) != 2 * size || !is_hex(e->d_name, 2 * size))
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

at_status at_vault_dataset_list(at_vault *v, at_vault_dataset_id **ids, size_t *count)
{
    char *dir = at_path_join(v->dir, "datasets");
    if (!dir)
        return AT_ERR_NOMEM;
    unsigned char *raw;
    at_status st = list_hex_names(dir, sizeof(at_vault_dataset_id), &raw, count);
    at_free(dir);
    *ids = (at_vault_dataset_id *)raw;
    return st;
}

int at_vault_dataset_shredded(at_vault *v, const at_vault_dataset_id *ds)
{
    char *dir = vault_dataset_path(v, ds, NULL), *tomb = vault_dataset_path(v, ds, "shredded");
    int r;
    if (!dir || !tomb)
        r = AT_ERR_NOMEM;
    else if (!at_path_is_dir(dir)) {
        char hex[AT_VAULT_DATASET_HEX];
        at_vault_dataset_hex(ds, hex);
        r = at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
    } else
        r = access(tomb, F_OK) == 0;
    at_free(dir);
    at_free(tomb);
    return r;
}

at_status vault_empty_folder(const char *dir, int depth, size_t *removed, uint64_t *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? AT_OK : at_error_set(AT_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    at_status st = AT_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = at_path_join(dir, e->d_name);
        if (!p) {
            st = AT_ERR_NOMEM;
            break;
        }
        struct stat sb;
        if (lstat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth > 0) {
                st = vault_empty_folder(p, depth - 1, removed, bytes);
            } else if (!S_ISDIR(sb.st_mode) && unlink(p) == 0) {
                if (removed)
                    (*removed)++;
                if (bytes)
                    *bytes += (uint64_t)sb.st_size;
            }
        }
        at_free(p);
        if (st)
            break;
    }
    closedir(d);
    return st;
}

at_status at_vault_dataset_shred(at_vault *v, const at_vault_dataset_id *ds, int purge, at_run *run)
{
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(ds, hex);
    char *dir = vault_dataset_path(v, ds, NULL), *key = vault_dataset_path(v, ds, "key"),
         *tomb = vault_dataset_path(v, ds, "shredded");
    char *chunks = vault_dataset_path(v, ds, "chunks"), *snaps = vault_dataset_path(v, ds, "snapshots"),
         *tmp = vault_dataset_path(v, ds, "tmp");
    at_status st = AT_OK;
    int lock = -1;
    if (!dir || !key || !tomb || !chunks || !snaps || !tmp) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    if (!at_path_is_dir(dir)) {
        st = at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
        goto done;
    }
    if ((st = vault_lock(dir, 1, run, &lock)))
        goto done;
    /* the tombstone first: from then on the dataset reads as shredded,
     * whatever happens to the key file below */
    if (access(tomb, F_OK) != 0) {
        char text[64];
        int n = snprintf(text, sizeof text, "shredded %lld\n", (long long)time(NULL));
        if ((st = at_file_write_atomic(tomb, text, (size_t)n)) || (st = vault_fsync_dir(dir)))
            goto done;
    }
    int fd = open(key, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        /* overwrite in place before unlinking (best effort on media that
         * remap blocks: docs/vault.md says what shredding does not reach) */
        unsigned char junk[VAULT_KEYFILE_SIZE];
        randombytes_buf(junk, sizeof junk);
        st = write_all(fd, junk, sizeof junk, key);
        if (!st && fsync(fd) != 0)
            st = at_error_set(AT_ERR_IO, "%s: fsync failed: %s", key, strerror(errno));
        close(fd);
        if (st)
            goto done;
    }
    if ((unlink(key) != 0 && errno != ENOENT) || (st = vault_fsync_dir(dir)))
        st = st ? st : at_error_set(AT_ERR_IO, "%s: cannot remove: %s", key, strerror(errno));
    if (!st && purge) {
        st = vault_empty_folder(snaps, 0, NULL, NULL);
        if (!st)
            st = vault_empty_folder(chunks, 1, NULL, NULL);
        if (!st)
            st = vault_empty_folder(tmp, 0, NULL, NULL);
    }
done:
    vault_unlock(lock);
    at_free(dir);
    at_free(key);
    at_free(tomb);
    at_free(chunks);
    at_free(snaps);
    at_free(tmp);
    return st;
}

/* ---- snapshots ---- */

at_status vault_list_snapshots(const char *dsdir, at_vault_snapshot_id **ids, size_t *count)
{
    char *dir = at_path_join(dsdir, "snapshots");
    if (!dir)
        return AT_ERR_NOMEM;
    unsigned char *raw;
    at_status st = list_hex_names(dir, sizeof(at_vault_snapshot_id), &raw, count);
    at_free(dir);
    *ids = (at_vault_snapshot_id *)raw;
    return st;
}

at_status vault_manifest_load_keys(const vault_keys *k, const char *dsdir, const at_vault_snapshot_id *snap,
                                   at_vault_manifest **out)
{
    *out = NULL;
    char hex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(snap, hex);
    char *path = vault_snapshot_path(dsdir, snap->bytes);
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data;
    size_t len;
    at_status st = vault_read_file(path, (size_t)AT_VAULT_MANIFEST_MAX + VAULT_OBJ_HEADER + VAULT_TAG, NULL,
                                   0, 0, &data, &len);
    at_free(path);
    if (st == AT_ERR_NOT_FOUND)
        return at_error_set(AT_ERR_NOT_FOUND, "snapshot %s: no such snapshot in this dataset", hex);
    if (st)
        return at_error_prefix(st, "snapshot %s", hex);
    vault_header h;
    unsigned char *body;
    st = vault_open_object(k, VAULT_OBJ_MANIFEST, snap->bytes, data, len, &h, &body);
    if (!st) {
        unsigned char id[32];
        vault_manifest_id(k, body, h.stored_len, id);
        if (memcmp(id, snap->bytes, 32))
            st = at_error_set(AT_ERR_CRYPTO, "its content does not hash to its id");
    }
    if (!st)
        st = at_vault_manifest_parse(body, h.stored_len, out);
    at_free(data);
    if (st)
        return at_error_prefix(st, "snapshot %s: manifest", hex);
    return AT_OK;
}

at_status at_vault_manifest_load(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                                 at_vault_manifest **out)
{
    *out = NULL;
    vault_keys k;
    at_status st = vault_keys_load(v, ds, &k);
    if (st)
        return st;
    char *dsdir = vault_dataset_path(v, ds, NULL);
    st = dsdir ? vault_manifest_load_keys(&k, dsdir, snap, out) : AT_ERR_NOMEM;
    at_free(dsdir);
    vault_keys_wipe(&k);
    return st;
}

static int cmp_info(const void *a, const void *b)
{
    const at_vault_snapshot_info *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    if (x->depth != y->depth) /* a child made in its parent's second comes after it */
        return x->depth < y->depth ? -1 : 1;
    return memcmp(x->id.bytes, y->id.bytes, 32);
}

/* info[i].depth: how many of its ancestors are present (info sorted by id). */
static void set_depths(at_vault_snapshot_info *info, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t d = 0;
        const at_vault_snapshot_info *cur = &info[i];
        while (cur->has_parent && d < n) {
            const at_vault_snapshot_info *p = bsearch(&cur->parent, info, n, sizeof *info, cmp_snap);
            if (!p)
                break;
            cur = p;
            d++;
        }
        info[i].depth = d;
    }
}

at_status at_vault_snapshot_list(at_vault *v, const at_vault_dataset_id *ds, at_vault_snapshot_info **out,
                                 size_t *count)
{
    *out = NULL;
    *count = 0;
    vault_keys k;
    at_status st = vault_keys_load(v, ds, &k);
    if (st)
        return st;
    char *dsdir = vault_dataset_path(v, ds, NULL);
    at_vault_snapshot_id *ids = NULL;
    size_t n = 0;
    at_vault_snapshot_info *info = NULL;
    if (!dsdir)
        st = AT_ERR_NOMEM;
    if (!st)
        st = vault_list_snapshots(dsdir, &ids, &n);
    if (!st && !(info = at_calloc(n ? n : 1, sizeof *info)))
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < n; i++) {
        at_vault_manifest *m;
        st = vault_manifest_load_keys(&k, dsdir, &ids[i], &m);
        if (st)
            break;
        info[i].id = ids[i];
        info[i].has_parent = m->has_parent;
        info[i].parent = m->parent;
        info[i].created = m->created;
        info[i].files = m->file_count;
        info[i].bytes = m->bytes;
        at_vault_manifest_free(m);
    }
    vault_keys_wipe(&k);
    at_free(ids);
    at_free(dsdir);
    if (st) {
        at_free(info);
        return st;
    }
    set_depths(info, n); /* ids came sorted: info is sorted by id here */
    qsort(info, n, sizeof *info, cmp_info);
    *out = info;
    *count = n;
    return AT_OK;
}

at_status at_vault_snapshot_resolve(at_vault *v, const at_vault_dataset_id *ds, const char *text,
                                    at_vault_snapshot_id *out)
{
    if (!strcmp(text, "latest")) {
        at_vault_snapshot_info *info;
        size_t n;
        at_status st = at_vault_snapshot_list(v, ds, &info, &n);
        if (st)
            return st;
        if (!n) {
            at_free(info);
            return at_error_set(AT_ERR_NOT_FOUND, "the dataset has no snapshot yet");
        }
        *out = info[n - 1].id;
        at_free(info);
        return AT_OK;
    }
    size_t len = strlen(text);
    char lower[AT_VAULT_SNAPSHOT_HEX];
    if (len < 4 || len > 64)
        return at_error_set(AT_ERR_ARG, "'%s': a snapshot is 'latest' or at least 4 hex digits of its id",
                            len > 64 ? "(too long)" : text);
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)(text[i] >= 'A' && text[i] <= 'F' ? text[i] + 32 : text[i]);
    if (!is_hex(lower, len))
        return at_error_set(AT_ERR_ARG, "'%s': a snapshot is 'latest' or hex digits of its id", text);
    char *dsdir = vault_dataset_path(v, ds, NULL);
    if (!dsdir)
        return AT_ERR_NOMEM;
    at_vault_snapshot_id *ids;
    size_t n, found = 0;
    at_status st = vault_list_snapshots(dsdir, &ids, &n);
    at_free(dsdir);
    if (st == AT_ERR_NOT_FOUND) {
        char hex[AT_VAULT_DATASET_HEX];
        at_vault_dataset_hex(ds, hex);
        return at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
    }
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        char hex[AT_VAULT_SNAPSHOT_HEX];
        at_vault_snapshot_hex(&ids[i], hex);
        if (!strncmp(hex, lower, len)) {
            *out = ids[i];
            found++;
        }
    }
    at_free(ids);
    if (found == 1)
        return AT_OK;
    if (!found)
        return at_error_set(AT_ERR_NOT_FOUND, "snapshot %s: no such snapshot in this dataset", lower);
    return at_error_set(AT_ERR_ARG, "snapshot %s: ambiguous (%zu snapshots start so)", lower, found);
}

at_status at_vault_snapshot_forget(at_vault *v, const at_vault_dataset_id *ds,
                                   const at_vault_snapshot_id *snap)
{
    char hex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(snap, hex);
    char *dsdir = vault_dataset_path(v, ds, NULL), *snaps = vault_dataset_path(v, ds, "snapshots");
    char *path = dsdir ? vault_snapshot_path(dsdir, snap->bytes) : NULL;
    at_status st = AT_OK;
    if (!dsdir || !snaps || !path)
        st = AT_ERR_NOMEM;
    else if (unlink(path) != 0)
        st = at_error_set(errno == ENOENT ? AT_ERR_NOT_FOUND : AT_ERR_IO, "snapshot %s: cannot forget: %s",
                          hex, errno == ENOENT ? "no such snapshot in this dataset" : strerror(errno));
    else
        st = vault_fsync_dir(snaps);
    at_free(dsdir);
    at_free(snaps);
    at_free(path);
    return st;
}
