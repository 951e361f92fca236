/* The import: the staged files cut into chunks, hashed, sealed and stored.
 *
 * Two kinds of threads share a pool of aligned object buffers:
 *   - the run's threads (its thread budget) take one file at a time (the
 *     largest first), read it in 8 MiB blocks, cut it (FastCDC), hash each
 *     chunk (its keyed id) and the whole file (BLAKE2b-256) in the same
 *     pass, and seal each chunk not yet stored into a free buffer, which
 *     they queue;
 *   - two writer threads, which spend their time waiting for the disk,
 *     write the queued objects under temporary names with O_DIRECT, hand
 *     the buffers back, and make the objects durable by batches (fsync of
 *     up to 16 objects, then their renames: one journal commit for many).
 * So the cipher and the hashes keep the cores busy while the disk writes.
 * A chunk already in the dataset, or met earlier in this import, is not
 * written again (dedup, counted). Nothing here makes the snapshot visible:
 * write.c writes the manifest after this returns. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define WRITERS 2
#define BATCH_MAX 16
#define BATCH_BYTES (32u << 20)
#define READ_BLOCK (2 * (size_t)AT_VAULT_CHUNK_MAX)

typedef struct {
    unsigned char *buf; /* aligned, VAULT_CHUNK_BUFFER bytes */
    size_t len;
    char *final;
    unsigned char dir;
} queued;

typedef struct {
    const vault_keys *keys;
    const char *dsdir;
    int compress;
    at_run *run;
    vault_stage **items;
    size_t nitems;
    uint64_t total;
    atomic_size_t next;
    atomic_uint_least64_t bytes_done;
    atomic_int stop;      /* readers stop: a failure or a cancel */
    atomic_int abort;     /* writers stop too: a failure (a cancel lets them write what was sealed) */
    pthread_mutex_t lock; /* everything below */
    pthread_cond_t changed;
    vault_idset seen;
    unsigned char dirty[256];
    at_vault_commit_stats stats;
    unsigned char **free_bufs; /* the pool */
    size_t nfree;
    queued *queue; /* a ring of at most nbufs objects */
    size_t nbufs, head, count;
    int producers; /* reading threads still running */
    vault_first_error err;
} import_state;

static void fail(import_state *s, at_status st)
{
    vault_error_record(&s->err, st);
    atomic_store(&s->stop, 1);
    if (st != AT_ERR_CANCELLED)
        atomic_store(&s->abort, 1);
    pthread_mutex_lock(&s->lock);
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/* ---- the reading threads ---- */

static unsigned char *take_buffer(import_state *s)
{
    pthread_mutex_lock(&s->lock);
    while (!s->nfree && !atomic_load(&s->stop))
        pthread_cond_wait(&s->changed, &s->lock);
    unsigned char *b = s->nfree ? s->free_bufs[--s->nfree] : NULL;
    pthread_mutex_unlock(&s->lock);
    return b;
}

static at_status store_chunk(import_state *s, const unsigned char *data, size_t n, vault_stage *e)
{
    if (AT_GROW(e->chunks, e->cap, e->nchunks + 1))
        return AT_ERR_NOMEM;
    at_vault_chunk_ref *ref = &e->chunks[e->nchunks++];
    vault_chunk_id(s->keys, data, n, ref->id);
    ref->len = (uint32_t)n;
    pthread_mutex_lock(&s->lock);
    int added = vault_idset_add(&s->seen, ref->id, 0);
    s->stats.chunks++;
    if (added == 0)
        s->stats.chunks_dedup++;
    pthread_mutex_unlock(&s->lock);
    if (added <= 0)
        return added < 0 ? AT_ERR_NOMEM : AT_OK;
    char *path = vault_chunk_path(s->dsdir, ref->id);
    if (!path)
        return AT_ERR_NOMEM;
    if (access(path, F_OK) == 0) { /* stored by an earlier snapshot or an interrupted import */
        at_free(path);
        pthread_mutex_lock(&s->lock);
        s->stats.chunks_dedup++;
        pthread_mutex_unlock(&s->lock);
        return AT_OK;
    }
    unsigned char *out = take_buffer(s);
    if (!out) { /* stopped */
        at_free(path);
        return AT_OK;
    }
    unsigned flags = 0;
    uint32_t stored = (uint32_t)n;
    const unsigned char *body = data;
    if (s->compress) {
        uLongf dl = (uLongf)(n - n / 8);
        if (compress2(out + VAULT_OBJ_HEADER, &dl, data, (uLong)n, 1) == Z_OK && dl < n - n / 8) {
            flags = VAULT_FLAG_DEFLATE;
            stored = (uint32_t)dl;
            body = out + VAULT_OBJ_HEADER;
        }
    }
    vault_seal(s->keys, VAULT_OBJ_CHUNK, flags, ref->id, (uint32_t)n, body, stored, out);
    size_t total = VAULT_OBJ_HEADER + (size_t)stored + VAULT_TAG;
    pthread_mutex_lock(&s->lock);
    queued *q = &s->queue[(s->head + s->count) % s->nbufs];
    q->buf = out;
    q->len = total;
    q->final = path;
    q->dir = ref->id[0];
    s->count++;
    s->stats.chunks_new++;
    s->stats.bytes_new += n;
    s->stats.bytes_stored += total;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return AT_OK;
}

static void report(import_state *s)
{
    uint64_t done = atomic_load(&s->bytes_done);
    at_run_progress(s->run, "import", done < s->total ? done : s->total, s->total);
}

static at_status import_file(import_state *s, unsigned char *in, vault_stage *e, int reporter, double *last)
{
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
    size_t have = 0, pos = 0;
    int eof = 0;
    at_status st = AT_OK;
    e->got = 0;
    for (;;) {
        if (!eof && have - pos < AT_VAULT_CHUNK_MAX) { /* keep a whole chunk ahead of the cut */
            memmove(in, in + pos, have - pos);
            have -= pos;
            pos = 0;
            while (have < READ_BLOCK) {
                ssize_t r = read(fd, in + have, READ_BLOCK - have);
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
        size_t n = vault_chunk_cut(s->keys->gear, in + pos, have - pos);
        if ((st = store_chunk(s, in + pos, n, e)))
            break;
        crypto_generichash_update(&fh, in + pos, n);
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

static void read_files(import_state *s, int reporter)
{
    unsigned char *in = at_malloc(READ_BLOCK);
    at_status st = in ? AT_OK : AT_ERR_NOMEM;
    double last = 0;
    while (!st && !atomic_load(&s->stop)) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->nitems)
            break;
        st = import_file(s, in, s->items[i], reporter, &last);
    }
    at_free(in);
    if (st)
        fail(s, st);
    pthread_mutex_lock(&s->lock);
    s->producers--;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static void *reader_main(void *arg)
{
    read_files(arg, 0);
    return NULL;
}

/* ---- the writers ---- */

typedef struct {
    vault_pending obj;
    char *final;
    unsigned char dir;
} batched;

/* fsync, close and rename the batch (after a failure: remove it). */
static at_status finish_batch(import_state *s, batched *b, size_t n, at_status st)
{
    for (size_t i = 0; i < n; i++) {
        if (!st)
            st = vault_object_finish(&b[i].obj, b[i].final);
        else
            vault_object_discard(&b[i].obj);
        if (!st) {
            pthread_mutex_lock(&s->lock);
            s->dirty[b[i].dir] = 1;
            pthread_mutex_unlock(&s->lock);
        }
        at_free(b[i].final);
    }
    return st;
}

static void *writer_main(void *arg)
{
    import_state *s = arg;
    batched batch[BATCH_MAX];
    size_t n = 0, bytes = 0;
    at_status st = AT_OK;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        /* a cancelled import still writes what was sealed: a re-run reuses it */
        while (!s->count && s->producers && !atomic_load(&s->abort))
            pthread_cond_wait(&s->changed, &s->lock);
        if (!s->count || atomic_load(&s->abort)) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        queued q = s->queue[s->head];
        s->head = (s->head + 1) % s->nbufs;
        s->count--;
        pthread_mutex_unlock(&s->lock);
        st = vault_object_start(s->dsdir, q.buf, q.len, VAULT_CHUNK_BUFFER, &batch[n].obj);
        pthread_mutex_lock(&s->lock);
        s->free_bufs[s->nfree++] = q.buf; /* written: the buffer serves again */
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->lock);
        if (st) {
            at_free(q.final);
            break;
        }
        batch[n].final = q.final;
        batch[n].dir = q.dir;
        bytes += q.len;
        if (++n == BATCH_MAX || bytes >= BATCH_BYTES) {
            st = finish_batch(s, batch, n, st);
            n = bytes = 0;
        }
    }
    st = finish_batch(s, batch, n, st);
    if (st)
        fail(s, st);
    return NULL;
}

/* ---- the whole ---- */

static int cmp_size_desc(const void *a, const void *b)
{
    const vault_stage *x = *(vault_stage *const *)a, *y = *(vault_stage *const *)b;
    return x->size > y->size ? -1 : x->size < y->size;
}

at_status vault_import(const vault_keys *keys, const char *dsdir, int compress, vault_stage **items, size_t n,
                       at_run *run, at_vault_commit_stats *stats)
{
    import_state s;
    memset(&s, 0, sizeof s);
    s.keys = keys;
    s.dsdir = dsdir;
    s.compress = compress;
    s.run = run;
    s.nitems = n;
    for (size_t i = 0; i < n; i++)
        s.total += items[i]->size;
    int threads = at_run_threads(run);
    if ((size_t)threads > n)
        threads = n ? (int)n : 1;
    if (threads > 64)
        threads = 64;
    s.nbufs = (size_t)threads + WRITERS + 2;
    void *bases[64 + WRITERS + 2] = {0};
    s.items = at_malloc((n ? n : 1) * sizeof *s.items);
    s.free_bufs = at_calloc(s.nbufs, sizeof *s.free_bufs);
    s.queue = at_calloc(s.nbufs, sizeof *s.queue);
    at_status st = s.items && s.free_bufs && s.queue ? AT_OK : AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < s.nbufs; i++) {
        unsigned char *b = vault_alloc_aligned(VAULT_CHUNK_BUFFER, &bases[i]);
        if (!b)
            st = AT_ERR_NOMEM;
        else
            s.free_bufs[s.nfree++] = b;
    }
    if (st) {
        for (size_t i = 0; i < s.nbufs; i++)
            at_free(bases[i]);
        at_free(s.items);
        at_free(s.free_bufs);
        at_free(s.queue);
        return st;
    }
    memcpy(s.items, items, n * sizeof *items);
    qsort(s.items, n, sizeof *s.items, cmp_size_desc); /* the largest first: threads end together */
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.changed, NULL);
    vault_idset_init(&s.seen);
    vault_error_init(&s.err);
    atomic_init(&s.next, 0);
    atomic_init(&s.bytes_done, 0);
    atomic_init(&s.stop, 0);
    atomic_init(&s.abort, 0);
    pthread_t readers[64], writers[WRITERS];
    int nreaders = 0, nwriters = 0;
    s.producers = threads;
    for (int t = 0; t < WRITERS; t++)
        if (pthread_create(&writers[nwriters], NULL, writer_main, &s) == 0)
            nwriters++;
    if (!nwriters) /* without a writer nothing could drain the queue */
        fail(&s, at_error_set(AT_ERR_NOMEM, "cannot start the import's writer threads"));
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&readers[nreaders], NULL, reader_main, &s) == 0) {
            nreaders++;
        } else {
            pthread_mutex_lock(&s.lock);
            s.producers--; /* this one never ran */
            pthread_mutex_unlock(&s.lock);
        }
    }
    read_files(&s, 1); /* the calling thread reads too, and reports progress */
    for (int t = 0; t < nreaders; t++)
        pthread_join(readers[t], NULL);
    for (int t = 0; t < nwriters; t++)
        pthread_join(writers[t], NULL);
    for (; s.count; s.count--, s.head = (s.head + 1) % s.nbufs) /* dropped after a failure */
        at_free(s.queue[s.head].final);
    st = vault_error_raise(&s.err);
    if (!st)
        report(&s);
    for (int i = 0; !st && i < 256; i++) {
        if (!s.dirty[i])
            continue;
        char sub[16];
        snprintf(sub, sizeof sub, "chunks/%02x", i);
        char *dir = at_path_join(dsdir, sub);
        st = dir ? vault_fsync_dir(dir) : AT_ERR_NOMEM;
        at_free(dir);
    }
    stats->chunks = s.stats.chunks;
    stats->chunks_new = s.stats.chunks_new;
    stats->chunks_dedup = s.stats.chunks_dedup;
    stats->bytes_new = s.stats.bytes_new;
    stats->bytes_stored = s.stats.bytes_stored;
    for (size_t i = 0; i < s.nbufs; i++)
        at_free(bases[i]);
    vault_idset_free(&s.seen);
    pthread_cond_destroy(&s.changed);
    pthread_mutex_destroy(&s.lock);
    at_free(s.items);
    at_free(s.free_bufs);
    at_free(s.queue);
    return st;
}
