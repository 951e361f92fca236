/* Materialising a snapshot for a job: the hot path of every training run.
 *
 * The selected files are cut into tasks of consecutive chunks (at most
 * 16 MiB of a file each), which the run's threads take in turn: read the
 * chunk object whole (one read), authenticate and decrypt it in place,
 * write it at its offset (one pwrite). A chunk is copied twice in all
 * (kernel to buffer, buffer to the page cache of the output) and touched
 * once by the cipher. The tree is built under a hidden name beside dest
 * and renamed at the end (renameat2 with RENAME_NOREPLACE), so dest holds
 * the whole snapshot or does not exist. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TASK_BYTES (16u << 20)

typedef struct {
    size_t file;         /* index in the manifest */
    size_t first, count; /* chunks, as indices in the manifest */
    uint64_t offset;     /* of the first chunk in the file */
} read_task;

typedef struct {
    const vault_keys *keys;
    const char *dsdir;
    const at_vault_manifest *m;
    int root; /* the hidden folder being filled */
    read_task *tasks;
    size_t ntasks;
    const size_t *selected; /* for the hash pass */
    size_t nselected;
    int hash_pass;
    at_run *run;
    uint64_t total;
    atomic_size_t next;
    atomic_uint_least64_t bytes_done, chunks_done;
    atomic_int stop;
    vault_first_error err;
} read_state;

typedef struct {
    read_state *s;
    unsigned char *buf, *plain; /* buf: aligned, VAULT_CHUNK_BUFFER bytes */
    void *buf_base;
} read_worker;

static at_status pwrite_all(int fd, const unsigned char *p, size_t n, uint64_t off, const char *path)
{
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return at_error_set(AT_ERR_IO, "%s: write failed: %s", path,
                                w < 0 ? strerror(errno) : "no space");
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return AT_OK;
}

/* Read, authenticate and decrypt chunk ref; *plain points at its bytes. */
static at_status load_chunk(read_worker *w, const at_vault_chunk_ref *ref, unsigned char **plain)
{
    read_state *s = w->s;
    char hex[65];
    char *path = vault_chunk_path(s->dsdir, ref->id);
    if (!path)
        return AT_ERR_NOMEM;
    size_t len;
    at_status st = vault_read_file(path, VAULT_CHUNK_OBJECT_MAX, w->buf, VAULT_CHUNK_BUFFER, NULL, &len);
    at_free(path);
    vault_header h;
    unsigned char *body = NULL;
    if (!st)
        st = vault_open_object(s->keys, VAULT_OBJ_CHUNK, ref->id, w->buf, len, &h, &body);
    if (!st && h.plain_len != ref->len)
        st = at_error_set(AT_ERR_FORMAT, "%u bytes where the manifest says %u", h.plain_len, ref->len);
    if (!st && (h.flags & VAULT_FLAG_DEFLATE)) {
        if (!w->plain && !(w->plain = at_malloc(AT_VAULT_CHUNK_MAX)))
            st = AT_ERR_NOMEM;
        if (!st)
            st = vault_inflate(body, h.stored_len, w->plain, h.plain_len);
        body = w->plain;
    }
    if (st) {
        sodium_bin2hex(hex, sizeof hex, ref->id, 32);
        return at_error_prefix(st, "chunk %s", hex);
    }
    *plain = body;
    return AT_OK;
}

static at_status run_task(read_worker *w, const read_task *t)
{
    read_state *s = w->s;
    const at_vault_file *f = &s->m->files[t->file];
    int fd = openat(s->root, f->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot create: %s", f->path, strerror(errno));
    at_status st = AT_OK;
    /* a file written by several tasks at once is allocated whole first */
    int several = t->count < f->chunk_count;
    if (several && t->first == f->first_chunk && fallocate(fd, 0, 0, (off_t)f->size) != 0 &&
        errno != EOPNOTSUPP && errno != ENOSYS)
        st = at_error_set(AT_ERR_IO, "%s: cannot allocate %llu bytes: %s", f->path,
                          (unsigned long long)f->size, strerror(errno));
    uint64_t off = t->offset;
    for (size_t c = t->first; !st && c < t->first + t->count; c++) {
        if (atomic_load(&s->stop) || (st = at_run_check(s->run, "materialise")))
            break;
        const at_vault_chunk_ref *ref = &s->m->chunks[c];
        unsigned char *plain = NULL;
        st = load_chunk(w, ref, &plain);
        if (!st)
            st = pwrite_all(fd, plain, ref->len, off, f->path);
        off += ref->len;
        atomic_fetch_add(&s->bytes_done, ref->len);
        atomic_fetch_add(&s->chunks_done, 1);
    }
    if (close(fd) != 0 && !st)
        st = at_error_set(AT_ERR_IO, "%s: close failed: %s", f->path, strerror(errno));
    return st;
}

/* Recompute file i's BLAKE2b-256 from what was written. */
static at_status hash_file(read_worker *w, size_t i)
{
    read_state *s = w->s;
    const at_vault_file *f = &s->m->files[i];
    int fd = openat(s->root, f->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", f->path, strerror(errno));
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    uint64_t got = 0;
    at_status st = AT_OK;
    for (;;) {
        ssize_t n = read(fd, w->buf, VAULT_CHUNK_OBJECT_MAX);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            st = at_error_set(AT_ERR_IO, "%s: read failed: %s", f->path, strerror(errno));
        if (n <= 0)
            break;
        crypto_generichash_update(&h, w->buf, (size_t)n);
        got += (uint64_t)n;
    }
    close(fd);
    unsigned char sum[32];
    crypto_generichash_final(&h, sum, 32);
    if (!st && (got != f->size || memcmp(sum, f->hash, 32)))
        st = at_error_set(AT_ERR_CRYPTO, "%s: its content does not match the manifest's hash", f->path);
    return st;
}

static void report(read_state *s)
{
    uint64_t done = atomic_load(&s->bytes_done);
    at_run_progress(s->run, s->hash_pass ? "check" : "materialise", done < s->total ? done : s->total,
                    s->total);
}

static void work(read_worker *w, int reporter)
{
    read_state *s = w->s;
    size_t n = s->hash_pass ? s->nselected : s->ntasks;
    double last = 0;
    for (;;) {
        if (atomic_load(&s->stop))
            break;
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= n)
            break;
        at_status st;
        if (s->hash_pass) {
            st = at_run_check(s->run, "materialise");
            if (!st)
                st = hash_file(w, s->selected[i]);
            if (!st)
                atomic_fetch_add(&s->bytes_done, s->m->files[s->selected[i]].size);
        } else {
            st = run_task(w, &s->tasks[i]);
        }
        if (st) {
            vault_error_record(&s->err, st);
            atomic_store(&s->stop, 1);
            break;
        }
        if (reporter && at_now_seconds() - last > 0.2) {
            last = at_now_seconds();
            report(s);
        }
    }
}

static void *worker_main(void *arg)
{
    work(arg, 0);
    return NULL;
}

static at_status run_workers(read_state *s)
{
    int threads = at_run_threads(s->run);
    if (threads > 64)
        threads = 64;
    read_worker w[64];
    pthread_t tid[64];
    int ready = 0, started = 0;
    at_status st = AT_OK;
    for (; ready < threads; ready++) {
        w[ready].s = s;
        w[ready].plain = NULL;
        if (!(w[ready].buf = vault_alloc_aligned(VAULT_CHUNK_BUFFER, &w[ready].buf_base))) {
            st = AT_ERR_NOMEM;
            break;
        }
    }
    if (!st) {
        atomic_store(&s->next, 0);
        atomic_store(&s->bytes_done, 0);
        for (int t = 1; t < ready; t++) {
            if (pthread_create(&tid[t], NULL, worker_main, &w[t]) != 0)
                break;
            started++;
        }
        work(&w[0], 1);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        st = vault_error_raise(&s->err);
        if (!st)
            report(s);
    }
    for (int t = 0; t < ready; t++) {
        at_free(w[t].buf_base);
        at_free(w[t].plain);
    }
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
        return at_error_set(AT_ERR_ARG, "%s: already exists (a snapshot is materialised into a new folder)",
                            dest);
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
    atomic_init(&s.next, 0);
    atomic_init(&s.bytes_done, 0);
    atomic_init(&s.chunks_done, 0);
    atomic_init(&s.stop, 0);
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
    /* tasks: runs of chunks of at most TASK_BYTES; an empty file is one task */
    size_t ntasks = 0;
    for (size_t i = 0; !st && i < nsel; i++) {
        const at_vault_file *f = &m->files[sel[i]];
        ntasks += 2 + f->size / (TASK_BYTES - AT_VAULT_CHUNK_MAX) + f->chunk_count / 64;
    }
    if (!st && !(s.tasks = at_malloc((ntasks ? ntasks : 1) * sizeof *s.tasks)))
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < nsel; i++) {
        const at_vault_file *f = &m->files[sel[i]];
        read_task t = {sel[i], f->first_chunk, 0, 0};
        uint64_t bytes = 0, off = 0;
        for (size_t c = f->first_chunk; c < f->first_chunk + f->chunk_count; c++) {
            if (t.count && (bytes + m->chunks[c].len > TASK_BYTES || t.count == 64)) {
                s.tasks[s.ntasks++] = t;
                t.first = c;
                t.count = 0;
                t.offset = off;
                bytes = 0;
            }
            t.count++;
            bytes += m->chunks[c].len;
            off += m->chunks[c].len;
        }
        s.tasks[s.ntasks++] = t;
        s.total += f->size;
    }
    if (!st) {
        s.dsdir = dsdir;
        s.m = m;
        st = run_workers(&s);
    }
    if (!st && opt && opt->check_hashes) {
        s.hash_pass = 1;
        s.selected = sel;
        s.nselected = nsel;
        st = run_workers(&s);
    }
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
        stats->chunks = atomic_load(&s.chunks_done);
        stats->seconds = at_now_seconds() - t0;
    }
    vault_unlock(lock);
    vault_keys_wipe(&k);
    at_vault_manifest_free(m);
    at_free(s.tasks);
    at_free(sel);
    at_free(tmp);
    at_free(dsdir);
    return st;
}
