/* Materialising a snapshot for a job: the hot path of every training run.
 *
 * The files are created first (preallocated when large), then every chunk
 * of the selection is a job, in file order. Two reader threads, which
 * spend their time waiting for the disk, read the chunk objects whole into
 * buffers of a small pool (an object not in the page cache straight from
 * the disk with O_DIRECT, one that is from the cache); the run's threads
 * take the loaded buffers, authenticate and decrypt them in place, and
 * write each chunk at its offset (one pwrite). So the disk reads ahead
 * while the cores decrypt, a chunk is copied twice in all (disk to buffer,
 * buffer to the output's page cache) and touched once by the cipher. The
 * tree is built under a hidden name beside dest and renamed at the end
 * (renameat2 with RENAME_NOREPLACE): dest holds the whole selection or
 * does not exist. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READERS 2

typedef struct {
    size_t file;     /* index in the manifest */
    size_t chunk;    /* index in the manifest's chunks */
    uint64_t offset; /* in the file */
} read_job;

typedef struct {
    size_t job;
    unsigned char *buf; /* aligned, VAULT_CHUNK_BUFFER bytes */
    size_t len;
} loaded;

typedef struct {
    const vault_keys *keys;
    const char *dsdir;
    const at_vault_manifest *m;
    int root; /* the hidden folder being filled */
    read_job *jobs;
    size_t njobs;
    const size_t *selected;
    size_t nselected;
    at_run *run;
    uint64_t total;
    atomic_size_t next; /* the next job to read, or file to hash */
    atomic_uint_least64_t bytes_done;
    atomic_int stop;
    pthread_mutex_t lock; /* the pool and the ready queue */
    pthread_cond_t changed;
    unsigned char **free_bufs;
    size_t nfree;
    loaded *ready; /* a ring of at most nbufs */
    size_t nbufs, head, count;
    int readers; /* reader threads still running */
    vault_first_error err;
} read_state;

static void fail(read_state *s, at_status st)
{
    vault_error_record(&s->err, st);
    atomic_store(&s->stop, 1);
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static at_status pwrite_all(int fd, const unsigned char *p, size_t n, uint64_t off, const char *path)
{
    int r = at_fd_pwrite_all(fd, p, n, off);
    if (r)
        return at_error_set(AT_ERR_IO, "%s: write failed: %s", path, r < 0 ? strerror(errno) : "no space");
    return AT_OK;
}

static at_status chunk_error(at_status st, const unsigned char id[32])
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, id, 32);
    return at_error_prefix(st, "chunk %s", hex);
}

/* ---- the readers ---- */

static void *reader_main(void *arg)
{
    read_state *s = arg;
    at_status st = AT_OK;
    for (;;) {
        size_t j = atomic_fetch_add(&s->next, 1);
        if (j >= s->njobs || atomic_load(&s->stop))
            break;
        pthread_mutex_lock(&s->lock);
        while (!s->nfree && !atomic_load(&s->stop))
            pthread_cond_wait(&s->changed, &s->lock);
        unsigned char *buf = s->nfree ? s->free_bufs[--s->nfree] : NULL;
        pthread_mutex_unlock(&s->lock);
        if (!buf)
            break;
        const at_vault_chunk_ref *ref = &s->m->chunks[s->jobs[j].chunk];
        char *path = vault_chunk_path(s->dsdir, ref->id);
        size_t len = 0;
        st = path ? vault_read_file(path, VAULT_CHUNK_OBJECT_MAX, buf, VAULT_CHUNK_BUFFER, 1, NULL, &len)
                  : AT_ERR_NOMEM;
        at_free(path);
        pthread_mutex_lock(&s->lock);
        if (st) {
            s->free_bufs[s->nfree++] = buf;
        } else {
            loaded *l = &s->ready[(s->head + s->count) % s->nbufs];
            l->job = j;
            l->buf = buf;
            l->len = len;
            s->count++;
        }
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->lock);
        if (st) {
            st = chunk_error(st, ref->id);
            break;
        }
    }
    if (st)
        fail(s, st);
    pthread_mutex_lock(&s->lock);
    s->readers--;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- the run's threads ---- */

/* Authenticate, decrypt and write one loaded chunk. */
static at_status write_chunk(read_state *s, const loaded *l, unsigned char **plain_buf)
{
    const read_job *job = &s->jobs[l->job];
    const at_vault_chunk_ref *ref = &s->m->chunks[job->chunk];
    const at_vault_file *f = &s->m->files[job->file];
    vault_header h;
    unsigned char *body = NULL;
    at_status st = vault_open_object(s->keys, VAULT_OBJ_CHUNK, ref->id, l->buf, l->len, &h, &body);
    if (!st && h.plain_len != ref->len)
        st = at_error_set(AT_ERR_FORMAT, "%u bytes where the manifest says %u", h.plain_len, ref->len);
    if (!st && (h.flags & VAULT_FLAG_DEFLATE)) {
        if (!*plain_buf && !(*plain_buf = at_malloc(AT_VAULT_CHUNK_MAX)))
            return AT_ERR_NOMEM;
        st = vault_inflate(body, h.stored_len, *plain_buf, h.plain_len);
        body = *plain_buf;
    }
    if (st)
        return chunk_error(st, ref->id);
    int fd = openat(s->root, f->path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", f->path, strerror(errno));
    st = pwrite_all(fd, body, ref->len, job->offset, f->path);
    if (close(fd) != 0 && !st)
        st = at_error_set(AT_ERR_IO, "%s: close failed: %s", f->path, strerror(errno));
    return st;
}

static void report(read_state *s, const char *phase)
{
    uint64_t done = atomic_load(&s->bytes_done);
    at_run_progress(s->run, phase, done < s->total ? done : s->total, s->total);
}

static void decrypt_loop(read_state *s, int reporter)
{
    unsigned char *plain = NULL;
    double last = 0;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->count && s->readers && !atomic_load(&s->stop))
            pthread_cond_wait(&s->changed, &s->lock);
        if (!s->count || atomic_load(&s->stop)) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        loaded l = s->ready[s->head];
        s->head = (s->head + 1) % s->nbufs;
        s->count--;
        pthread_mutex_unlock(&s->lock);
        at_status st = at_run_check(s->run, "materialise");
        if (!st)
            st = write_chunk(s, &l, &plain);
        pthread_mutex_lock(&s->lock);
        s->free_bufs[s->nfree++] = l.buf;
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->lock);
        if (st) {
            fail(s, st);
            break;
        }
        atomic_fetch_add(&s->bytes_done, s->m->chunks[s->jobs[l.job].chunk].len);
        if (reporter && at_now_seconds() - last > 0.2) {
            last = at_now_seconds();
            report(s, "materialise");
        }
    }
    at_free(plain);
}

/* Recompute file i's BLAKE2b-256 from what was written. */
static at_status hash_file(read_state *s, size_t i, unsigned char *buf)
{
    const at_vault_file *f = &s->m->files[i];
    int fd = openat(s->root, f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", f->path, strerror(errno));
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    uint64_t got = 0;
    at_status st = AT_OK;
    for (;;) {
        ssize_t n = read(fd, buf, AT_VAULT_CHUNK_MAX);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            st = at_error_set(AT_ERR_IO, "%s: read failed: %s", f->path, strerror(errno));
        if (n <= 0)
            break;
        crypto_generichash_update(&h, buf, (size_t)n);
        got += (uint64_t)n;
    }
    close(fd);
    unsigned char sum[32];
    crypto_generichash_final(&h, sum, 32);
    if (!st && (got != f->size || memcmp(sum, f->hash, 32)))
        st = at_error_set(AT_ERR_CRYPTO, "%s: its content does not match the manifest's hash", f->path);
    return st;
}

static void hash_loop(read_state *s, int reporter)
{
    unsigned char *buf = at_malloc(AT_VAULT_CHUNK_MAX);
    if (!buf) {
        fail(s, AT_ERR_NOMEM);
        return;
    }
    double last = 0;
    while (!atomic_load(&s->stop)) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->nselected)
            break;
        at_status st = at_run_check(s->run, "materialise");
        if (!st)
            st = hash_file(s, s->selected[i], buf);
        if (st) {
            fail(s, st);
            break;
        }
        atomic_fetch_add(&s->bytes_done, s->m->files[s->selected[i]].size);
        if (reporter && at_now_seconds() - last > 0.2) {
            last = at_now_seconds();
            report(s, "check");
        }
    }
    at_free(buf);
}

static void *decrypt_main(void *arg)
{
    decrypt_loop(arg, 0);
    return NULL;
}

static void *hash_main(void *arg)
{
    hash_loop(arg, 0);
    return NULL;
}

/* The write pass (readers and the run's threads), or the hash pass. */
static at_status run_pass(read_state *s, int hash)
{
    int threads = at_run_threads(s->run);
    if (threads > 64)
        threads = 64;
    pthread_t tid[64 + READERS];
    int started = 0;
    atomic_store(&s->next, 0);
    atomic_store(&s->bytes_done, 0);
    if (!hash) {
        s->readers = READERS; /* counted before they start: one may end at once */
        for (int r = 0; r < READERS; r++) {
            if (pthread_create(&tid[started], NULL, reader_main, s) == 0) {
                started++;
                continue;
            }
            pthread_mutex_lock(&s->lock);
            s->readers--;
            pthread_cond_broadcast(&s->changed);
            pthread_mutex_unlock(&s->lock);
        }
        if (!started)
            fail(s, at_error_set(AT_ERR_NOMEM, "cannot start the reader threads"));
    }
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, hash ? hash_main : decrypt_main, s) == 0)
            started++;
    if (hash)
        hash_loop(s, 1);
    else
        decrypt_loop(s, 1);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    at_status st = vault_error_raise(&s->err);
    if (!st)
        report(s, hash ? "check" : "materialise");
    return st;
}

/* Create the folders of every selected file under root (0700). */
static at_status make_folders(int root, const at_vault_manifest *m, const size_t *sel, size_t n)
{
    char last[AT_VAULT_PATH_MAX + 1] = "", buf[AT_VAULT_PATH_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        const char *p = m->files[sel[i]].path, *slash = strrchr(p, '/');
        if (!slash)
            continue;
        size_t len = (size_t)(slash - p);
        if (!strncmp(last, p, len) && last[len] == '\0')
            continue;
        memcpy(buf, p, len);
        buf[len] = '\0';
        for (char *s = buf;; s++) {
            if (*s == '/' || *s == '\0') {
                char c = *s;
                *s = '\0';
                if (mkdirat(root, buf, 0700) != 0 && errno != EEXIST)
                    return at_error_set(AT_ERR_IO, "%s: cannot create folder: %s", buf, strerror(errno));
                *s = c;
                if (!c)
                    break;
            }
        }
        memcpy(last, p, len);
        last[len] = '\0';
    }
    return AT_OK;
}

/* Create every selected file (0600 while it is written), large ones
 * allocated whole, so that chunks can land at their offsets in any order. */
static at_status make_files(int root, const at_vault_manifest *m, const size_t *sel, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const at_vault_file *f = &m->files[sel[i]];
        int fd = openat(root, f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            return at_error_set(AT_ERR_IO, "%s: cannot create: %s", f->path, strerror(errno));
        at_status st = AT_OK;
        if (f->chunk_count > 1 && fallocate(fd, 0, 0, (off_t)f->size) != 0 && errno != EOPNOTSUPP &&
            errno != ENOSYS)
            st = at_error_set(AT_ERR_IO, "%s: cannot allocate %llu bytes: %s", f->path,
                              (unsigned long long)f->size, strerror(errno));
        close(fd);
        if (st)
            return st;
    }
    return AT_OK;
}

/* The files of m at or under sub (all when sub is NULL or ""). */
static at_status select_files(const at_vault_manifest *m, const char *sub, size_t **out, size_t *count)
{
    *out = at_malloc((m->file_count ? m->file_count : 1) * sizeof **out);
    if (!*out)
        return AT_ERR_NOMEM;
    size_t n = 0, len = sub ? strlen(sub) : 0;
    for (size_t i = 0; i < m->file_count; i++)
        if (!len || (!strncmp(m->files[i].path, sub, len) &&
                     (m->files[i].path[len] == '\0' || m->files[i].path[len] == '/')))
            (*out)[n++] = i;
    *count = n;
    if (!n && len)
        return at_error_set(AT_ERR_NOT_FOUND, "'%s': no file or folder of that name in the snapshot", sub);
    return AT_OK;
}

/* The pool: the run's threads and the readers each hold a buffer, and two
 * more keep the readers ahead. */
static at_status pool_init(read_state *s, void **bases)
{
    int threads = at_run_threads(s->run);
    s->nbufs = (size_t)(threads > 64 ? 64 : threads) + READERS + 2;
    s->free_bufs = at_calloc(s->nbufs, sizeof *s->free_bufs);
    s->ready = at_calloc(s->nbufs, sizeof *s->ready);
    if (!s->free_bufs || !s->ready)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < s->nbufs; i++) {
        unsigned char *b = vault_alloc_aligned(VAULT_CHUNK_BUFFER, &bases[i]);
        if (!b)
            return AT_ERR_NOMEM;
        s->free_bufs[s->nfree++] = b;
    }
    return AT_OK;
}

at_status at_vault_materialise(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                               const char *subpath, const char *dest, const at_vault_read_options *opt,
                               at_run *run, at_vault_read_stats *stats)
{
    double t0 = at_now_seconds();
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (subpath && *subpath) {
        at_status st = at_vault_path_check(subpath);
        if (st)
            return st;
    }
    struct stat sb;
    if (lstat(dest, &sb) == 0)
        return at_error_set(AT_ERR_REFUSED,
                            "%s: already exists (a snapshot is materialised into a new folder)", dest);
    vault_keys k;
    at_status st = vault_keys_load(v, ds, &k);
    if (st)
        return st;
    read_state s;
    memset(&s, 0, sizeof s);
    s.keys = &k;
    s.run = run;
    s.root = -1;
    vault_error_init(&s.err);
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.changed, NULL);
    atomic_init(&s.next, 0);
    atomic_init(&s.bytes_done, 0);
    atomic_init(&s.stop, 0);
    void *bases[64 + READERS + 2] = {0};
    char *dsdir = vault_dataset_path(v, ds, NULL), *tmp = NULL;
    at_vault_manifest *m = NULL;
    size_t *sel = NULL, nsel = 0;
    int lock = -1;
    if (!dsdir)
        st = AT_ERR_NOMEM;
    if (!st)
        st = vault_lock(dsdir, 0, run, &lock);
    if (!st)
        st = vault_manifest_load_keys(&k, dsdir, snap, &m);
    if (!st)
        st = select_files(m, subpath && *subpath ? subpath : NULL, &sel, &nsel);
    if (!st) {
        size_t len = strlen(dest), n = len + 16;
        while (len > 1 && dest[len - 1] == '/') /* "out/" is the folder out */
            len--;
        if (!(tmp = at_malloc(n)))
            st = AT_ERR_NOMEM;
        else {
            snprintf(tmp, n, "%.*s.part-XXXXXX", (int)len, dest);
            if (!mkdtemp(tmp)) {
                st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", dest, strerror(errno));
                at_free(tmp);
                tmp = NULL;
            } else if ((s.root = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                st = at_error_set(AT_ERR_IO, "%s: cannot open: %s", tmp, strerror(errno));
            }
        }
    }
    if (!st)
        st = make_folders(s.root, m, sel, nsel);
    if (!st)
        st = make_files(s.root, m, sel, nsel);
    /* the jobs: every chunk of the selection, in file order */
    for (size_t i = 0; !st && i < nsel; i++) {
        s.njobs += m->files[sel[i]].chunk_count;
        s.total += m->files[sel[i]].size;
    }
    if (!st && !(s.jobs = at_malloc((s.njobs ? s.njobs : 1) * sizeof *s.jobs)))
        st = AT_ERR_NOMEM;
    for (size_t i = 0, j = 0; !st && i < nsel; i++) {
        const at_vault_file *f = &m->files[sel[i]];
        uint64_t off = 0;
        for (size_t c = f->first_chunk; c < f->first_chunk + f->chunk_count; c++, j++) {
            s.jobs[j] = (read_job){sel[i], c, off};
            off += m->chunks[c].len;
        }
    }
    if (!st)
        st = pool_init(&s, bases);
    if (!st) {
        s.dsdir = dsdir;
        s.m = m;
        s.selected = sel;
        s.nselected = nsel;
        st = run_pass(&s, 0);
    }
    if (!st && opt && opt->check_hashes)
        st = run_pass(&s, 1);
    for (size_t i = 0; !st && i < nsel; i++) {
        const at_vault_file *f = &m->files[sel[i]];
        if (fchmodat(s.root, f->path, f->mode == 0755 ? 0500 : 0400, 0) != 0)
            st = at_error_set(AT_ERR_IO, "%s: cannot set its mode: %s", f->path, strerror(errno));
    }
    if (s.root >= 0)
        close(s.root);
    if (!st && renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot rename into place: %s", dest, strerror(errno));
    if (st && tmp)
        at_remove_tree(tmp);
    if (!st && stats) {
        stats->files = nsel;
        stats->bytes = s.total;
        stats->chunks = s.njobs;
        stats->seconds = at_now_seconds() - t0;
    }
    vault_unlock(lock);
    vault_keys_wipe(&k);
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++)
        at_free(bases[i]);
    pthread_cond_destroy(&s.changed);
    pthread_mutex_destroy(&s.lock);
    at_free(s.free_bufs);
    at_free(s.ready);
    at_vault_manifest_free(m);
    at_free(s.jobs);
    at_free(sel);
    at_free(tmp);
    at_free(dsdir);
    return st;
}
