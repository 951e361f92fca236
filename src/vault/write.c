/* Writing a snapshot: stage adds and removes over a parent, then commit:
 * cut the staged files into chunks on the run's threads (one file per
 * thread at a time), store the chunks not yet in the dataset, make them
 * durable, and only then write the manifest (temporary name, fsync,
 * rename, fsync of its folder) and publish it. The manifest's rename (or
 * the catalog's transaction inside publish) is the one step that makes
 * the snapshot visible: before it nothing references the new chunks, after
 * it every chunk it needs is on disk. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

typedef struct {
    char *source, *path;
    uint64_t size; /* at staging, for progress */
    uint32_t mode;
    size_t seq;
    int removed;
    /* filled by the import */
    uint64_t got;
    unsigned char hash[32];
    at_vault_chunk_ref *chunks;
    size_t nchunks, cap;
} stage_entry;

struct at_vault_tx {
    at_vault *v;
    at_vault_dataset_id ds;
    char *dsdir;
    vault_keys keys;
    int lock;
    at_vault_write_options opt;
    at_vault_manifest *parent; /* NULL: a first snapshot */
    at_vault_snapshot_id parent_id;
    unsigned char *parent_removed; /* per parent file */
    stage_entry *adds;
    size_t nadds, cap, seq;
};

static void stage_free(stage_entry *e)
{
    at_free(e->source);
    at_free(e->path);
    at_free(e->chunks);
}

void at_vault_abort(at_vault_tx *tx)
{
    if (!tx)
        return;
    vault_unlock(tx->lock);
    for (size_t i = 0; i < tx->nadds; i++)
        stage_free(&tx->adds[i]);
    at_free(tx->adds);
    at_free(tx->parent_removed);
    at_vault_manifest_free(tx->parent);
    at_free(tx->dsdir);
    vault_keys_wipe(&tx->keys);
    at_free(tx);
}

at_status at_vault_begin(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *parent,
                         const at_vault_write_options *opt, at_vault_tx **out)
{
    *out = NULL;
    at_vault_tx *tx = at_calloc(1, sizeof *tx);
    if (!tx)
        return AT_ERR_NOMEM;
    tx->v = v;
    tx->ds = *ds;
    tx->lock = -1;
    if (opt)
        tx->opt = *opt;
    at_status st = vault_keys_load(v, ds, &tx->keys);
    if (!st && !(tx->dsdir = vault_dataset_path(v, ds, NULL)))
        st = AT_ERR_NOMEM;
    if (!st)
        st = vault_lock(tx->dsdir, 0, NULL, &tx->lock);
    if (!st && parent) {
        tx->parent_id = *parent;
        st = vault_manifest_load_keys(&tx->keys, tx->dsdir, parent, &tx->parent);
        if (!st && !(tx->parent_removed = at_calloc(tx->parent->file_count + 1, 1)))
            st = AT_ERR_NOMEM;
    }
    if (st) {
        at_vault_abort(tx);
        return st;
    }
    *out = tx;
    return AT_OK;
}

static at_status stage(at_vault_tx *tx, const char *source, const char *path, const struct stat *sb)
{
    at_status st = at_vault_path_check(path);
    if (st)
        return st;
    if ((uint64_t)sb->st_size > AT_VAULT_FILE_SIZE_MAX)
        return at_error_set(AT_ERR_LIMIT, "%s: larger than a file of the vault may be (16 TiB)", source);
    if (tx->nadds >= AT_VAULT_FILES_MAX)
        return at_error_set(AT_ERR_LIMIT, "more than %u files in one snapshot", AT_VAULT_FILES_MAX);
    if (tx->nadds == tx->cap) {
        size_t nc = tx->cap ? 2 * tx->cap : 64;
        stage_entry *n = at_realloc(tx->adds, nc * sizeof *n);
        if (!n)
            return AT_ERR_NOMEM;
        tx->adds = n;
        tx->cap = nc;
    }
    stage_entry *e = &tx->adds[tx->nadds];
    memset(e, 0, sizeof *e);
    e->source = at_strdup(source);
    e->path = at_strdup(path);
    if (!e->source || !e->path) {
        stage_free(e);
        return AT_ERR_NOMEM;
    }
    e->size = (uint64_t)sb->st_size;
    e->mode = (sb->st_mode & 0111) ? 0755 : 0644;
    e->seq = ++tx->seq;
    tx->nadds++;
    return AT_OK;
}

at_status at_vault_add_file(at_vault_tx *tx, const char *source, const char *path)
{
    struct stat sb;
    if (stat(source, &sb) != 0)
        return at_error_set(AT_ERR_IO, "%s: cannot read: %s", source, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return at_error_set(AT_ERR_UNSUPPORTED, "%s: not a regular file", source);
    return stage(tx, source, path, &sb);
}

/* Walk folder root with an explicit stack of folders (no recursion). */
at_status at_vault_add_tree(at_vault_tx *tx, const char *source, const char *prefix)
{
    if (!at_path_is_dir(source))
        return at_error_set(AT_ERR_IO, "%s: not a folder", source);
    if (prefix && *prefix) {
        at_status st = at_vault_path_check(prefix);
        if (st)
            return st;
    }
    typedef struct {
        char *fs, *rel; /* rel "" at the root */
        int depth;
    } frame;
    frame *stack = at_malloc(sizeof *stack);
    if (!stack)
        return AT_ERR_NOMEM;
    size_t top = 0, cap = 1;
    stack[top].fs = at_strdup(source);
    stack[top].rel = at_strdup(prefix ? prefix : "");
    stack[top].depth = 0;
    at_status st = stack[top].fs && stack[top].rel ? AT_OK : AT_ERR_NOMEM;
    top++;
    while (top && !st) {
        frame f = stack[--top];
        DIR *d = opendir(f.fs);
        if (!d)
            st = at_error_set(AT_ERR_IO, "%s: cannot list: %s", f.fs, strerror(errno));
        struct dirent *e;
        while (!st && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *fs = at_path_join(f.fs, e->d_name);
            char *rel = *f.rel ? at_path_join(f.rel, e->d_name) : at_strdup(e->d_name);
            struct stat sb;
            if (!fs || !rel) {
                st = AT_ERR_NOMEM;
            } else if (lstat(fs, &sb) != 0) {
                st = at_error_set(AT_ERR_IO, "%s: cannot read: %s", fs, strerror(errno));
            } else if (S_ISREG(sb.st_mode)) {
                st = stage(tx, fs, rel, &sb);
            } else if (S_ISDIR(sb.st_mode)) {
                if (f.depth + 1 >= AT_VAULT_DEPTH_MAX) {
                    st = at_error_set(AT_ERR_LIMIT, "%s: folders deeper than 64 levels", fs);
                } else if (top == cap) {
                    frame *n = at_realloc(stack, 2 * cap * sizeof *n);
                    if (!n)
                        st = AT_ERR_NOMEM;
                    else {
                        stack = n;
                        cap *= 2;
                    }
                }
                if (!st) {
                    stack[top].fs = fs;
                    stack[top].rel = rel;
                    stack[top].depth = f.depth + 1;
                    top++;
                    fs = rel = NULL;
                }
            } else {
                st = at_error_set(AT_ERR_UNSUPPORTED,
                                  "%s: %s; the vault stores regular files and folders only", fs,
                                  S_ISLNK(sb.st_mode)    ? "a symbolic link"
                                  : S_ISFIFO(sb.st_mode) ? "a FIFO"
                                  : S_ISSOCK(sb.st_mode) ? "a socket"
                                                         : "a device");
            }
            at_free(fs);
            at_free(rel);
        }
        if (d)
            closedir(d);
        at_free(f.fs);
        at_free(f.rel);
    }
    while (top) {
        top--;
        at_free(stack[top].fs);
        at_free(stack[top].rel);
    }
    at_free(stack);
    return st;
}

/* 1 when file path p lies at or under path q. */
static int under(const char *p, const char *q, size_t qn)
{
    return !strncmp(p, q, qn) && (p[qn] == '\0' || p[qn] == '/');
}

at_status at_vault_remove(at_vault_tx *tx, const char *path)
{
    at_status st = at_vault_path_check(path);
    if (st)
        return st;
    size_t n = strlen(path), hits = 0;
    if (tx->parent) {
        /* the parent's files are sorted: those under path follow its
         * first one, but "a.txt" sorts between "a" and "a/b", so scan the
         * run of names that start with path */
        const at_vault_manifest *m = tx->parent;
        size_t lo = 0, hi = m->file_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(m->files[mid].path, path) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < m->file_count && !strncmp(m->files[i].path, path, n); i++)
            if (under(m->files[i].path, path, n) && !tx->parent_removed[i]) {
                tx->parent_removed[i] = 1;
                hits++;
            }
    }
    for (size_t i = 0; i < tx->nadds; i++)
        if (!tx->adds[i].removed && under(tx->adds[i].path, path, n)) {
            tx->adds[i].removed = 1;
            hits++;
        }
    tx->seq++;
    if (!hits)
        return at_error_set(AT_ERR_NOT_FOUND, "'%s': no file or folder of that name in the snapshot", path);
    return AT_OK;
}

/* ---- the import ---- */

typedef struct {
    at_vault_tx *tx;
    at_run *run;
    stage_entry **items;
    size_t nitems;
    atomic_size_t next;
    atomic_uint_least64_t bytes_done;
    atomic_int stop;
    pthread_mutex_t lock; /* seen, dirty, counters */
    vault_idset seen;
    unsigned char dirty[256];
    at_vault_commit_stats stats;
    vault_first_error err;
} import_state;

/* A worker makes its new objects durable by batches: up to PENDING_MAX
 * written (kept open under temporary names), then all fsynced and renamed;
 * the fsyncs of one batch share the file system's journal commit. */
#define PENDING_MAX 16
#define PENDING_BYTES (32u << 20)

typedef struct {
    import_state *s;
    unsigned char *in, *out; /* out: aligned, VAULT_CHUNK_BUFFER bytes */
    void *out_base;
    vault_pending pend[PENDING_MAX];
    char *pend_final[PENDING_MAX];
    unsigned char pend_dir[PENDING_MAX];
    size_t npend, pend_bytes;
} import_worker;

static at_status flush_pending(import_worker *w)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < w->npend; i++) {
        if (!st)
            st = vault_object_finish(&w->pend[i], w->pend_final[i]);
        else
            vault_object_discard(&w->pend[i]);
        if (!st) {
            pthread_mutex_lock(&w->s->lock);
            w->s->dirty[w->pend_dir[i]] = 1;
            pthread_mutex_unlock(&w->s->lock);
        }
        at_free(w->pend_final[i]);
    }
    w->npend = 0;
    w->pend_bytes = 0;
    return st;
}

static void discard_pending(import_worker *w)
{
    for (size_t i = 0; i < w->npend; i++) {
        vault_object_discard(&w->pend[i]);
        at_free(w->pend_final[i]);
    }
    w->npend = 0;
    w->pend_bytes = 0;
}

static at_status store_chunk(import_worker *w, const unsigned char *data, size_t n, stage_entry *e)
{
    import_state *s = w->s;
    at_vault_tx *tx = s->tx;
    if (e->nchunks == e->cap) {
        size_t nc = e->cap ? 2 * e->cap : 8;
        at_vault_chunk_ref *r = at_realloc(e->chunks, nc * sizeof *r);
        if (!r)
            return AT_ERR_NOMEM;
        e->chunks = r;
        e->cap = nc;
    }
    at_vault_chunk_ref *ref = &e->chunks[e->nchunks++];
    vault_chunk_id(&tx->keys, data, n, ref->id);
    ref->len = (uint32_t)n;
    pthread_mutex_lock(&s->lock);
    int added = vault_idset_add(&s->seen, ref->id, 0);
    s->stats.chunks++;
    if (added == 0)
        s->stats.chunks_dedup++;
    pthread_mutex_unlock(&s->lock);
    if (added < 0)
        return AT_ERR_NOMEM;
    if (added == 0)
        return AT_OK;
    char *path = vault_chunk_path(tx->dsdir, ref->id);
    if (!path)
        return AT_ERR_NOMEM;
    if (access(path, F_OK) == 0) { /* stored by an earlier snapshot or an interrupted import */
        at_free(path);
        pthread_mutex_lock(&s->lock);
        s->stats.chunks_dedup++;
        pthread_mutex_unlock(&s->lock);
        return AT_OK;
    }
    unsigned flags = 0;
    uint32_t stored = (uint32_t)n;
    const unsigned char *body = data;
    if (tx->opt.compress) {
        uLongf dl = (uLongf)(n - n / 8);
        if (compress2(w->out + VAULT_OBJ_HEADER, &dl, data, (uLong)n, 1) == Z_OK && dl < n - n / 8) {
            flags = VAULT_FLAG_DEFLATE;
            stored = (uint32_t)dl;
            body = w->out + VAULT_OBJ_HEADER;
        }
    }
    vault_seal(&tx->keys, VAULT_OBJ_CHUNK, flags, ref->id, (uint32_t)n, body, stored, w->out);
    size_t total = VAULT_OBJ_HEADER + (size_t)stored + VAULT_TAG;
    at_status st = vault_object_start(tx->dsdir, w->out, total, VAULT_CHUNK_BUFFER, &w->pend[w->npend]);
    if (st) {
        at_free(path);
        return st;
    }
    w->pend_final[w->npend] = path;
    w->pend_dir[w->npend] = ref->id[0];
    w->npend++;
    w->pend_bytes += total;
    pthread_mutex_lock(&s->lock);
    s->stats.chunks_new++;
    s->stats.bytes_new += n;
    s->stats.bytes_stored += total;
    pthread_mutex_unlock(&s->lock);
    if (w->npend == PENDING_MAX || w->pend_bytes >= PENDING_BYTES)
        return flush_pending(w);
    return AT_OK;
}

static void report(import_state *s)
{
    uint64_t done = atomic_load(&s->bytes_done), total = 0;
    for (size_t i = 0; i < s->nitems; i++)
        total += s->items[i]->size;
    at_run_progress(s->run, "import", done < total ? done : total, total);
}

static at_status import_file(import_worker *w, stage_entry *e, int reporter, double *last)
{
    import_state *s = w->s;
    int fd = open(e->source, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", e->source, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return at_error_set(AT_ERR_IO, "%s: no longer a regular file", e->source);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    crypto_generichash_state fh;
    crypto_generichash_init(&fh, NULL, 0, 32);
    const size_t cap = 2 * (size_t)AT_VAULT_CHUNK_MAX;
    size_t have = 0, pos = 0;
    int eof = 0;
    at_status st = AT_OK;
    e->got = 0;
    for (;;) {
        if (!eof && have - pos < AT_VAULT_CHUNK_MAX) {
            memmove(w->in, w->in + pos, have - pos);
            have -= pos;
            pos = 0;
            while (have < cap) {
                ssize_t r = read(fd, w->in + have, cap - have);
                if (r < 0 && errno == EINTR)
                    continue;
                if (r < 0) {
                    st = at_error_set(AT_ERR_IO, "%s: read failed at offset %llu: %s", e->source,
                                      (unsigned long long)(e->got + have), strerror(errno));
                    break;
                }
                if (r == 0) {
                    eof = 1;
                    break;
                }
                have += (size_t)r;
            }
            if (st)
                break;
        }
        if (pos == have)
            break;
        if (atomic_load(&s->stop) || (st = at_run_check(s->run, "import")))
            break;
        size_t n = vault_chunk_cut(s->tx->keys.gear, w->in + pos, have - pos);
        if ((st = store_chunk(w, w->in + pos, n, e)))
            break;
        crypto_generichash_update(&fh, w->in + pos, n);
        pos += n;
        e->got += n;
        if (e->got > AT_VAULT_FILE_SIZE_MAX) {
            st = at_error_set(AT_ERR_LIMIT, "%s: larger than a file of the vault may be", e->source);
            break;
        }
        atomic_fetch_add(&s->bytes_done, n);
        if (reporter && at_now_seconds() - *last > 0.2) {
            *last = at_now_seconds();
            report(s);
        }
    }
    close(fd);
    crypto_generichash_final(&fh, e->hash, 32);
    return st;
}

/* The end of a worker's loop: its last batch made durable. */
static void worker_end(import_worker *w, at_status st)
{
    import_state *s = w->s;
    /* a cancelled import keeps what it wrote: a re-run resumes from it */
    if (!st || st == AT_ERR_CANCELLED || atomic_load(&s->stop)) {
        at_status f = flush_pending(w);
        if (!st)
            st = f;
    }
    discard_pending(w);
    if (st) {
        vault_error_record(&s->err, st);
        atomic_store(&s->stop, 1);
    }
}

static void *import_worker_main(void *arg)
{
    import_worker *w = arg;
    import_state *s = w->s;
    double last = 0;
    at_status st = AT_OK;
    for (;;) {
        if (atomic_load(&s->stop))
            break;
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->nitems)
            break;
        if ((st = import_file(w, s->items[i], 0, &last)))
            break;
    }
    worker_end(w, st);
    return NULL;
}

/* The calling thread: the same loop, and it reports progress. */
static void import_worker_caller(import_worker *w)
{
    import_state *s = w->s;
    double last = 0;
    at_status st = AT_OK;
    for (;;) {
        if (atomic_load(&s->stop))
            break;
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->nitems)
            break;
        if ((st = import_file(w, s->items[i], 1, &last)))
            break;
        if (at_now_seconds() - last > 0.2) {
            last = at_now_seconds();
            report(s);
        }
    }
    worker_end(w, st);
}

static int cmp_stage(const void *a, const void *b)
{
    const stage_entry *x = *(stage_entry *const *)a, *y = *(stage_entry *const *)b;
    int c = strcmp(x->path, y->path);
    return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_size_desc(const void *a, const void *b)
{
    const stage_entry *x = *(stage_entry *const *)a, *y = *(stage_entry *const *)b;
    return x->size > y->size ? -1 : x->size < y->size;
}

/* The adds that end in the snapshot, sorted by path: per path the last
 * one, unless a later remove took it away. */
static at_status live_adds(at_vault_tx *tx, stage_entry ***out, size_t *count)
{
    stage_entry **v = at_malloc((tx->nadds ? tx->nadds : 1) * sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < tx->nadds; i++)
        v[i] = &tx->adds[i];
    qsort(v, tx->nadds, sizeof *v, cmp_stage);
    size_t n = 0;
    for (size_t i = 0; i < tx->nadds; i++) {
        if (i + 1 < tx->nadds && !strcmp(v[i]->path, v[i + 1]->path))
            continue; /* a later add of the same path wins */
        if (!v[i]->removed)
            v[n++] = v[i];
    }
    *out = v;
    *count = n;
    return AT_OK;
}

static at_status run_import(at_vault_tx *tx, at_run *run, stage_entry **items, size_t n,
                            at_vault_commit_stats *stats)
{
    import_state s;
    memset(&s, 0, sizeof s);
    s.tx = tx;
    s.run = run;
    s.nitems = n;
    s.items = at_malloc((n ? n : 1) * sizeof *s.items);
    if (!s.items)
        return AT_ERR_NOMEM;
    memcpy(s.items, items, n * sizeof *items);
    qsort(s.items, n, sizeof *s.items, cmp_size_desc); /* the largest first: threads end together */
    pthread_mutex_init(&s.lock, NULL);
    vault_idset_init(&s.seen);
    vault_error_init(&s.err);
    atomic_init(&s.next, 0);
    atomic_init(&s.bytes_done, 0);
    atomic_init(&s.stop, 0);
    int threads = at_run_threads(run);
    if ((size_t)threads > n)
        threads = n ? (int)n : 1;
    if (threads > 64)
        threads = 64;
    import_worker workers[64];
    pthread_t tid[64];
    int started = 0;
    at_status st = AT_OK;
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < threads; t++) {
        workers[t].s = &s;
        workers[t].in = at_malloc(2 * (size_t)AT_VAULT_CHUNK_MAX);
        workers[t].out = vault_alloc_aligned(VAULT_CHUNK_BUFFER, &workers[t].out_base);
        if (!workers[t].in || !workers[t].out) {
            at_free(workers[t].in);
            at_free(workers[t].out_base);
            threads = t;
            st = AT_ERR_NOMEM;
            break;
        }
    }
    if (!st) {
        for (int t = 1; t < threads; t++) {
            if (pthread_create(&tid[t], NULL, import_worker_main, &workers[t]) != 0)
                break;
            started++;
        }
        import_worker_caller(&workers[0]);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        st = vault_error_raise(&s.err);
    }
    for (int t = 0; t < threads; t++) {
        at_free(workers[t].in);
        at_free(workers[t].out_base);
    }
    if (!st)
        report(&s);
    for (int i = 0; !st && i < 256; i++) {
        if (!s.dirty[i])
            continue;
        char sub[8];
        snprintf(sub, sizeof sub, "chunks/%02x", i);
        char *dir = at_path_join(tx->dsdir, sub);
        st = dir ? vault_fsync_dir(dir) : AT_ERR_NOMEM;
        at_free(dir);
    }
    stats->chunks = s.stats.chunks;
    stats->chunks_new = s.stats.chunks_new;
    stats->chunks_dedup = s.stats.chunks_dedup;
    stats->bytes_new = s.stats.bytes_new;
    stats->bytes_stored = s.stats.bytes_stored;
    vault_idset_free(&s.seen);
    pthread_mutex_destroy(&s.lock);
    at_free(s.items);
    return st;
}

/* ---- commit ---- */

/* "'a' is a file and the folder of 'a/b'" in a sorted list of files. */
static at_status check_folders(const at_vault_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *p = files[i].path;
        for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
            size_t len = (size_t)(s - p), lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strncmp(files[mid].path, p, len);
                if (!c)
                    c = files[mid].path[len] ? 1 : 0;
                if (!c)
                    return at_error_set(AT_ERR_ARG, "'%s' would be both a file and the folder of '%s'",
                                        files[mid].path, p);
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
        }
    }
    return AT_OK;
}

/* Merge the parent's remaining files with the adds into m (paths borrowed). */
static at_status build_manifest(at_vault_tx *tx, stage_entry **adds, size_t nadds, at_vault_manifest *m,
                                at_vault_commit_stats *stats)
{
    const at_vault_manifest *p = tx->parent;
    size_t np = p ? p->file_count : 0, nchunks = 0;
    for (size_t i = 0; i < np; i++)
        nchunks += p->files[i].chunk_count;
    for (size_t i = 0; i < nadds; i++)
        nchunks += adds[i]->nchunks;
    m->files = at_calloc(np + nadds + 1, sizeof *m->files);
    m->chunks = at_calloc(nchunks + 1, sizeof *m->chunks);
    if (!m->files || !m->chunks)
        return AT_ERR_NOMEM;
    size_t i = 0, j = 0, n = 0, c = 0;
    while (i < np || j < nadds) {
        int cmp = i == np ? 1 : j == nadds ? -1 : strcmp(p->files[i].path, adds[j]->path);
        at_vault_file *f = &m->files[n];
        if (cmp < 0) { /* a parent's file */
            if (tx->parent_removed[i]) {
                stats->files_removed++;
                i++;
                continue;
            }
            *f = p->files[i];
            f->first_chunk = c;
            memcpy(m->chunks + c, p->chunks + p->files[i].first_chunk, f->chunk_count * sizeof *m->chunks);
            i++;
        } else { /* an add, replacing the parent's file of the same path */
            if (cmp == 0)
                i++;
            stage_entry *e = adds[j++];
            f->path = e->path;
            f->mode = e->mode;
            f->size = e->got;
            memcpy(f->hash, e->hash, 32);
            f->first_chunk = c;
            f->chunk_count = e->nchunks;
            if (e->nchunks)
                memcpy(m->chunks + c, e->chunks, e->nchunks * sizeof *m->chunks);
        }
        c += f->chunk_count;
        m->bytes += f->size;
        n++;
    }
    m->file_count = n;
    m->chunk_count = c;
    m->created = (int64_t)time(NULL);
    m->has_parent = p != NULL;
    if (p)
        m->parent = tx->parent_id;
    stats->files = n;
    stats->bytes = m->bytes;
    return check_folders(m->files, n);
}

at_status at_vault_commit(at_vault_tx *tx, at_run *run, at_vault_publish_fn publish, void *publish_ud,
                          at_vault_snapshot_id *out, at_vault_commit_stats *stats)
{
    at_vault_commit_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    double t0 = at_now_seconds();
    stage_entry **adds = NULL;
    size_t nadds = 0;
    at_vault_manifest m;
    memset(&m, 0, sizeof m);
    unsigned char *plain = NULL, *obj = NULL;
    char *final = NULL, *snapdir = NULL;
    size_t plen = 0;
    at_status st = live_adds(tx, &adds, &nadds);
    if (!st)
        st = run_import(tx, run, adds, nadds, stats);
    if (!st) {
        stats->files_imported = nadds;
        for (size_t i = 0; i < nadds; i++)
            stats->bytes_imported += adds[i]->got;
        st = build_manifest(tx, adds, nadds, &m, stats);
    }
    if (!st)
        st = at_vault_manifest_encode(&m, &plain, &plen);
    if (!st) { /* what we write, the reader must accept */
        at_vault_manifest *check;
        st = at_vault_manifest_parse(plain, plen, &check);
        at_vault_manifest_free(check);
    }
    at_vault_snapshot_id id;
    if (!st) {
        vault_manifest_id(&tx->keys, plain, plen, id.bytes);
        if (!(obj = at_malloc(VAULT_OBJ_HEADER + plen + VAULT_TAG)) ||
            !(final = vault_snapshot_path(tx->dsdir, id.bytes)) ||
            !(snapdir = at_path_join(tx->dsdir, "snapshots")))
            st = AT_ERR_NOMEM;
    }
    if (!st) {
        vault_seal(&tx->keys, VAULT_OBJ_MANIFEST, 0, id.bytes, (uint32_t)plen, plain, (uint32_t)plen, obj);
        stats->bytes_stored += VAULT_OBJ_HEADER + plen + VAULT_TAG;
        st = at_run_check(run, "import");
    }
    /* the one step: the manifest's rename, made durable */
    if (!st)
        st = vault_write_object(tx->dsdir, final, obj, VAULT_OBJ_HEADER + plen + VAULT_TAG, 0);
    if (!st)
        st = vault_fsync_dir(snapdir);
    stats->seconds = at_now_seconds() - t0;
    if (!st && publish) {
        st = publish(publish_ud, &tx->ds, &id, tx->parent ? &tx->parent_id : NULL, stats);
        if (st) { /* refused: the snapshot never was */
            char msg[512];
            snprintf(msg, sizeof msg, "%s", at_error_message());
            unlink(final);
            vault_fsync_dir(snapdir);
            at_error_set(st, "%s", msg);
        }
    }
    if (!st && out)
        *out = id;
    at_free(m.files);
    at_free(m.chunks);
    at_free(plain);
    at_free(obj);
    at_free(final);
    at_free(snapdir);
    at_free(adds);
    at_vault_abort(tx);
    return st;
}
