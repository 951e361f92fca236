/* Integrity: verify (every key, manifest and chunk checked; problems named
 * with the snapshots they hurt) and the garbage collector.
 *
 * GC and imports share a rule through the dataset's lock file: a writer
 * (at_vault_begin .. commit) holds a shared flock for the whole time it
 * may rely on chunks it found already stored (dedup) and until its
 * manifest is published; gc takes the exclusive flock, so it runs only
 * when no import of the dataset is between those two points, and imports
 * that begin during a gc wait for it. Reading the live set, deleting the
 * unreferenced chunks and removing temporaries all happen under that one
 * exclusive lock, so no chunk an import counts on can be deleted. flock
 * dies with its process: a writer killed by -9 releases it, and its
 * temporaries (and chunks no manifest names) are what the next gc
 * removes. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define REPORT_LINES_MAX 1000

static void line(at_vault_report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(at_vault_report *rep, const char *fmt, ...)
{
    if (rep->line_count >= REPORT_LINES_MAX) {
        rep->lines_dropped++;
        return;
    }
    if (rep->line_count % 64 == 0) {
        char **n = at_realloc(rep->lines, (rep->line_count + 64) * sizeof *n);
        if (!n) {
            rep->lines_dropped++;
            return;
        }
        rep->lines = n;
    }
    at_buf b;
    at_buf_init(&b, 8192);
    va_list ap;
    va_start(ap, fmt);
    at_status st = at_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    size_t len;
    char *s = st ? NULL : (char *)at_buf_steal(&b, &len);
    at_buf_free(&b);
    if (!s) {
        rep->lines_dropped++;
        return;
    }
    rep->lines[rep->line_count++] = s;
}

void at_vault_report_free(at_vault_report *rep)
{
    for (size_t i = 0; i < rep->line_count; i++)
        at_free(rep->lines[i]);
    at_free(rep->lines);
    memset(rep, 0, sizeof *rep);
}

int at_vault_report_ok(const at_vault_report *rep)
{
    return !rep->corrupt_chunks && !rep->missing_chunks && !rep->corrupt_manifests && !rep->bad_keys;
}

/* Every chunk object in dsdir/chunks (names of 64 hex digits in the folder
 * of their first byte), in no particular order. */
static at_status list_chunks(const char *dsdir, unsigned char (**out)[32], size_t *count)
{
    *out = NULL;
    *count = 0;
    unsigned char(*v)[32] = NULL;
    size_t n = 0, cap = 0;
    at_status st = AT_OK;
    for (int i = 0; i < 256 && !st; i++) {
        char sub[16];
        snprintf(sub, sizeof sub, "chunks/%02x", i);
        char *dir = at_path_join(dsdir, sub);
        if (!dir)
            return AT_ERR_NOMEM;
        DIR *d = opendir(dir);
        if (!d) {
            st = errno == ENOENT ? AT_OK
                                 : at_error_set(AT_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
            at_free(dir);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d))) {
            unsigned char id[32];
            size_t got = 0;
            if (strlen(e->d_name) != 64 || strncmp(e->d_name, sub + 7, 2) ||
                sodium_hex2bin(id, 32, e->d_name, 64, NULL, &got, NULL) || got != 32)
                continue;
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            memcpy(v[n++], id, 32);
        }
        closedir(d);
        at_free(dir);
    }
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

/* ---- verify ---- */

enum {
    CHUNK_UNCHECKED,
    CHUNK_OK,
    CHUNK_UNREADABLE,
    CHUNK_BAD_FRAME,
    CHUNK_BAD_TAG,
    CHUNK_BAD_NAME,
    CHUNK_BAD_LENGTH
};

static const char *chunk_problem(int s)
{
    switch (s) {
    case CHUNK_UNREADABLE:
        return "cannot be read";
    case CHUNK_BAD_FRAME:
        return "corrupted (its frame is damaged)";
    case CHUNK_BAD_TAG:
        return "corrupted (authentication failed)";
    case CHUNK_BAD_NAME:
        return "corrupted (its content does not hash to its name)";
    case CHUNK_BAD_LENGTH:
        return "corrupted (its length differs from the manifests')";
    default:
        return "fine";
    }
}

typedef struct {
    const vault_keys *keys;
    const char *dsdir;
    unsigned char (*ids)[32];
    size_t n;
    const vault_idset *refs; /* payload: the length the manifests give */
    unsigned char *status;
    at_run *run;
    atomic_size_t next;
    atomic_uint_least64_t bytes;
    atomic_int cancelled;
} verify_state;

static void verify_one(verify_state *s, size_t i, unsigned char *buf, unsigned char *plain)
{
    char *path = vault_chunk_path(s->dsdir, s->ids[i]);
    size_t len;
    if (!path || vault_read_file(path, VAULT_CHUNK_OBJECT_MAX, buf, VAULT_CHUNK_BUFFER, 1, NULL, &len)) {
        at_free(path);
        s->status[i] = CHUNK_UNREADABLE;
        return;
    }
    at_free(path);
    vault_header h;
    unsigned char *body;
    if (vault_header_parse(buf, len, VAULT_OBJ_CHUNK, &h)) {
        s->status[i] = CHUNK_BAD_FRAME;
        return;
    }
    if (vault_open_object(s->keys, VAULT_OBJ_CHUNK, s->ids[i], buf, len, &h, &body)) {
        s->status[i] = CHUNK_BAD_TAG;
        return;
    }
    if (h.flags & VAULT_FLAG_DEFLATE) {
        if (vault_inflate(body, h.stored_len, plain, h.plain_len)) {
            s->status[i] = CHUNK_BAD_FRAME;
            return;
        }
        body = plain;
    }
    unsigned char id[32];
    vault_chunk_id(s->keys, body, h.plain_len, id);
    if (memcmp(id, s->ids[i], 32)) {
        s->status[i] = CHUNK_BAD_NAME;
        return;
    }
    long slot = vault_idset_find(s->refs, s->ids[i]);
    if (slot >= 0 && s->refs->vals[slot] - 1 != h.plain_len) {
        s->status[i] = CHUNK_BAD_LENGTH;
        return;
    }
    s->status[i] = CHUNK_OK;
    atomic_fetch_add(&s->bytes, h.plain_len);
}

static void verify_work(verify_state *s, int reporter)
{
    void *base;
    unsigned char *buf = vault_alloc_aligned(VAULT_CHUNK_BUFFER, &base),
                  *plain = at_malloc(AT_VAULT_CHUNK_MAX);
    double last = 0;
    while (buf && plain && !atomic_load(&s->cancelled)) {
        size_t i = atomic_fetch_add(&s->next, 1);
        if (i >= s->n)
            break;
        if (at_run_cancelled(s->run)) {
            atomic_store(&s->cancelled, 1);
            break;
        }
        verify_one(s, i, buf, plain);
        if (reporter && at_now_seconds() - last > 0.2) {
            last = at_now_seconds();
            at_run_progress(s->run, "verify", i, s->n);
        }
    }
    at_free(buf ? base : NULL);
    at_free(plain);
}

static void *verify_main(void *arg)
{
    verify_work(arg, 0);
    return NULL;
}

/* A chunk found corrupted or missing, and the snapshots that need it. */
typedef struct {
    unsigned char id[32];
    int status; /* a CHUNK_ problem, or -1: missing */
    size_t users, shown[3];
    size_t last; /* the last snapshot counted, + 1 */
} problem;

/* Fill each problem's snapshots in one pass over the manifests. */
static void find_users(problem *pr, const vault_idset *index, at_vault_manifest **ms, size_t nsnaps)
{
    for (size_t s = 0; s < nsnaps; s++) {
        if (!ms[s])
            continue;
        for (size_t c = 0; c < ms[s]->chunk_count; c++) {
            long slot = vault_idset_find(index, ms[s]->chunks[c].id);
            if (slot < 0)
                continue;
            problem *p = &pr[index->vals[slot] - 1];
            if (p->last == s + 1)
                continue; /* this snapshot is counted already */
            p->last = s + 1;
            if (p->users < 3)
                p->shown[p->users] = s;
            p->users++;
        }
    }
}

/* "snapshots a, b, c and 2 more" */
static void users_text(const problem *p, const at_vault_snapshot_id *snaps, char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "snapshot%s", p->users > 1 ? "s" : "");
    for (size_t i = 0; i < p->users && i < 3 && len < cap; i++) {
        char hex[AT_VAULT_SNAPSHOT_HEX];
        at_vault_snapshot_hex(&snaps[p->shown[i]], hex);
        len += (size_t)snprintf(out + len, cap - len, "%s %s", i ? "," : "", hex);
    }
    if (p->users > 3 && len < cap)
        snprintf(out + len, cap - len, " and %zu more", p->users - 3);
}

static at_status verify_dataset(at_vault *v, const at_vault_dataset_id *ds, at_run *run, at_vault_report *rep)
{
    char dshex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(ds, dshex);
    char *dsdir = vault_dataset_path(v, ds, NULL), *tmpdir = vault_dataset_path(v, ds, "tmp");
    at_vault_snapshot_id *snaps = NULL;
    unsigned char(*ids)[32] = NULL;
    size_t nsnaps = 0, nids = 0;
    at_vault_manifest **ms = NULL;
    unsigned char *status = NULL;
    vault_idset refs, disk, pindex;
    problem *problems = NULL;
    vault_idset_init(&refs);
    vault_idset_init(&disk);
    vault_idset_init(&pindex);
    vault_keys k;
    memset(&k, 0, sizeof k);
    int lock = -1;
    at_status st = dsdir && tmpdir ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        st = vault_lock(dsdir, 0, run, &lock);
    if (!st)
        st = vault_list_snapshots(dsdir, &snaps, &nsnaps);
    if (!st)
        st = list_chunks(dsdir, &ids, &nids);
    if (st)
        goto done;
    rep->snapshots += nsnaps;
    rep->chunks += nids;
    size_t temps = 0;
    DIR *d = opendir(tmpdir);
    for (struct dirent *e; d && (e = readdir(d));)
        temps += e->d_name[0] != '.';
    if (d)
        closedir(d);
    if (temps) {
        rep->temporaries += temps;
        line(rep, "dataset %s: %zu temporary files of interrupted writes (gc removes them)", dshex, temps);
    }
    int shredded = at_vault_dataset_shredded(v, ds);
    if (shredded == 1) {
        rep->shredded_datasets++;
        line(rep,
             "dataset %s: crypto-shredded (its key was destroyed): %zu snapshots and %zu chunks are "
             "unreadable "
             "by anyone",
             dshex, nsnaps, nids);
        goto done;
    }
    if (vault_keys_load(v, ds, &k) != AT_OK) {
        rep->bad_keys++;
        line(rep, "%s: %zu snapshots and %zu chunks cannot be read", at_error_message(), nsnaps, nids);
        goto done;
    }
    if (!(ms = at_calloc(nsnaps + 1, sizeof *ms)) || !(status = at_calloc(nids + 1, 1))) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < nsnaps; i++) {
        if ((st = at_run_check(run, "verify")))
            goto done;
        if (vault_manifest_load_keys(&k, dsdir, &snaps[i], &ms[i]) != AT_OK) {
            rep->corrupt_manifests++;
            line(rep, "dataset %s: %s", dshex, at_error_message());
            continue;
        }
        for (size_t c = 0; c < ms[i]->chunk_count; c++)
            if (vault_idset_add(&refs, ms[i]->chunks[c].id, ms[i]->chunks[c].len) < 0) {
                st = AT_ERR_NOMEM;
                goto done;
            }
    }
    /* every chunk on disk, on the run's threads */
    verify_state s = {
        .keys = &k, .dsdir = dsdir, .ids = ids, .n = nids, .refs = &refs, .status = status, .run = run};
    atomic_init(&s.next, 0);
    atomic_init(&s.bytes, 0);
    atomic_init(&s.cancelled, 0);
    int threads = at_run_threads(run);
    if (threads > 64)
        threads = 64;
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[t], NULL, verify_main, &s) != 0)
            break;
        started++;
    }
    verify_work(&s, 1);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    if ((st = at_run_check(run, "verify")))
        goto done;
    rep->bytes_checked += atomic_load(&s.bytes);
    size_t dangling = 0;
    for (size_t i = 0; i < nids; i++) {
        if (vault_idset_add(&disk, ids[i], (uint32_t)i) < 0) {
            st = AT_ERR_NOMEM;
            goto done;
        }
        if (status[i] == CHUNK_UNCHECKED) {
            st = AT_ERR_NOMEM; /* a worker could not get its buffers */
            goto done;
        }
        if (status[i] == CHUNK_OK) {
            rep->chunks_ok++;
            dangling += vault_idset_find(&refs, ids[i]) < 0;
        }
    }
    /* the problems: chunks on disk that failed, chunks named but absent */
    size_t np = 0;
    for (size_t i = 0; i < nids; i++)
        np += status[i] != CHUNK_OK;
    for (size_t slot = 0; slot < refs.cap; slot++)
        np += refs.vals[slot] && vault_idset_find(&disk, refs.keys[slot]) < 0;
    if (np && !(problems = at_calloc(np, sizeof *problems))) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    np = 0;
    for (size_t i = 0; i < nids; i++)
        if (status[i] != CHUNK_OK) {
            memcpy(problems[np].id, ids[i], 32);
            problems[np++].status = status[i];
        }
    for (size_t slot = 0; slot < refs.cap; slot++)
        if (refs.vals[slot] && vault_idset_find(&disk, refs.keys[slot]) < 0) {
            memcpy(problems[np].id, refs.keys[slot], 32);
            problems[np++].status = -1;
        }
    for (size_t i = 0; i < np; i++)
        if (vault_idset_add(&pindex, problems[i].id, (uint32_t)i) < 0) {
            st = AT_ERR_NOMEM;
            goto done;
        }
    find_users(problems, &pindex, ms, nsnaps);
    for (size_t i = 0; i < np; i++) {
        char hex[65], who[512];
        sodium_bin2hex(hex, sizeof hex, problems[i].id, 32);
        if (problems[i].users)
            users_text(&problems[i], snaps, who, sizeof who);
        else
            snprintf(who, sizeof who, "no snapshot");
        if (problems[i].status < 0)
            rep->missing_chunks++;
        else
            rep->corrupt_chunks++;
        line(rep, "dataset %s: chunk %s %s, needed by %s", dshex, hex,
             problems[i].status < 0 ? "missing" : chunk_problem(problems[i].status), who);
    }
    if (dangling) {
        rep->dangling_chunks += dangling;
        line(rep, "dataset %s: %zu chunks that no snapshot references (dangling: gc removes them)", dshex,
             dangling);
    }
done:
    vault_unlock(lock);
    vault_keys_wipe(&k);
    for (size_t i = 0; ms && i < nsnaps; i++)
        at_vault_manifest_free(ms[i]);
    at_free(ms);
    at_free(status);
    at_free(snaps);
    at_free(ids);
    vault_idset_free(&refs);
    vault_idset_free(&disk);
    vault_idset_free(&pindex);
    at_free(problems);
    at_free(dsdir);
    at_free(tmpdir);
    return st;
}

at_status at_vault_verify(at_vault *v, const at_vault_dataset_id *only, at_run *run, at_vault_report *rep)
{
    memset(rep, 0, sizeof *rep);
    at_vault_dataset_id *ids = NULL;
    size_t n = 0;
    at_status st;
    if (only) {
        st = at_vault_dataset_shredded(v, only) < 0 ? at_error_prefix(AT_ERR_NOT_FOUND, "verify") : AT_OK;
        if (!st && !(ids = at_malloc(sizeof *ids)))
            st = AT_ERR_NOMEM;
        if (!st) {
            ids[0] = *only;
            n = 1;
        }
    } else {
        st = at_vault_dataset_list(v, &ids, &n);
    }
    for (size_t i = 0; !st && i < n; i++) {
        rep->datasets++;
        st = verify_dataset(v, &ids[i], run, rep);
    }
    at_free(ids);
    return st;
}

/* ---- gc ---- */

static at_status gc_dataset(at_vault *v, const at_vault_dataset_id *ds, at_vault_live_fn live, void *ud,
                            at_run *run, at_vault_gc_stats *gs)
{
    char dshex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(ds, dshex);
    char *dsdir = vault_dataset_path(v, ds, NULL), *tmpdir = vault_dataset_path(v, ds, "tmp"),
         *snapdir = vault_dataset_path(v, ds, "snapshots");
    at_vault_snapshot_id *snaps = NULL;
    size_t nsnaps = 0, nids = 0;
    unsigned char(*ids)[32] = NULL;
    vault_idset refs;
    vault_idset_init(&refs);
    vault_keys k;
    memset(&k, 0, sizeof k);
    int lock = -1;
    at_status st = dsdir && tmpdir && snapdir ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        st = vault_lock(dsdir, 1, run, &lock);
    if (st)
        goto done;
    /* no import runs now: every temporary is a leftover */
    if ((st = vault_empty_folder(tmpdir, 0, &gs->temporaries_removed, NULL)))
        goto done;
    int shredded = at_vault_dataset_shredded(v, ds);
    if (shredded < 0) {
        st = shredded;
        goto done;
    }
    if ((st = vault_list_snapshots(dsdir, &snaps, &nsnaps)))
        goto done;
    if (!shredded && (st = vault_keys_load(v, ds, &k)))
        goto done;
    int forgot = 0;
    for (size_t i = 0; i < nsnaps; i++) {
        if ((st = at_run_check(run, "gc")))
            goto done;
        if (shredded || (live && !live(ud, ds, &snaps[i]))) {
            char *path = vault_snapshot_path(dsdir, snaps[i].bytes);
            if (!path) {
                st = AT_ERR_NOMEM;
                goto done;
            }
            if (unlink(path) == 0) {
                gs->snapshots_forgotten++;
                forgot = 1;
            }
            at_free(path);
            continue;
        }
        at_vault_manifest *m;
        if ((st = vault_manifest_load_keys(&k, dsdir, &snaps[i], &m))) {
            st = at_error_prefix(st, "gc of dataset %s stopped (run verify)", dshex);
            goto done;
        }
        gs->snapshots_live++;
        for (size_t c = 0; c < m->chunk_count && !st; c++)
            if (vault_idset_add(&refs, m->chunks[c].id, 0) < 0)
                st = AT_ERR_NOMEM;
        at_vault_manifest_free(m);
        if (st)
            goto done;
    }
    if (forgot && (st = vault_fsync_dir(snapdir)))
        goto done;
    if ((st = list_chunks(dsdir, &ids, &nids)))
        goto done;
    unsigned char dirty[256] = {0};
    for (size_t i = 0; i < nids; i++) {
        if (vault_idset_find(&refs, ids[i]) >= 0) {
            gs->chunks_kept++;
            continue;
        }
        if ((st = at_run_check(run, "gc")))
            break;
        char *path = vault_chunk_path(dsdir, ids[i]);
        if (!path) {
            st = AT_ERR_NOMEM;
            break;
        }
        struct stat sb;
        off_t size = lstat(path, &sb) == 0 ? sb.st_size : 0;
        if (unlink(path) == 0) {
            gs->chunks_removed++;
            gs->bytes_freed += (uint64_t)size;
            dirty[ids[i][0]] = 1;
        }
        at_free(path);
        if (i % 256 == 0)
            at_run_progress(run, "gc", i, nids);
    }
    for (int i = 0; i < 256; i++) {
        if (!dirty[i])
            continue;
        char sub[16];
        snprintf(sub, sizeof sub, "chunks/%02x", i);
        char *dir = at_path_join(dsdir, sub);
        if (dir)
            vault_fsync_dir(dir);
        at_free(dir);
    }
done:
    vault_unlock(lock);
    vault_keys_wipe(&k);
    vault_idset_free(&refs);
    at_free(snaps);
    at_free(ids);
    at_free(dsdir);
    at_free(tmpdir);
    at_free(snapdir);
    return st;
}

/* Datasets whose creation was interrupted (datasets/.new-*) and are older
 * than an hour (a creation takes milliseconds). */
static void gc_unborn(at_vault *v)
{
    char *dir = at_path_join(v->dir, "datasets");
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strncmp(e->d_name, ".new-", 5))
            continue;
        char *p = at_path_join(dir, e->d_name);
        struct stat sb;
        if (p && lstat(p, &sb) == 0 && time(NULL) - sb.st_mtime > 3600)
            at_remove_tree(p);
        at_free(p);
    }
    if (d)
        closedir(d);
    at_free(dir);
}

at_status at_vault_gc(at_vault *v, const at_vault_dataset_id *only, at_vault_live_fn live, void *live_ud,
                      at_run *run, at_vault_gc_stats *stats)
{
    at_vault_gc_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    at_vault_dataset_id *ids = NULL;
    size_t n = 0;
    at_status st = AT_OK;
    if (only) {
        if (!(ids = at_malloc(sizeof *ids)))
            return AT_ERR_NOMEM;
        ids[0] = *only;
        n = 1;
    } else {
        st = at_vault_dataset_list(v, &ids, &n);
        gc_unborn(v);
    }
    for (size_t i = 0; !st && i < n; i++) {
        stats->datasets++;
        st = gc_dataset(v, &ids[i], live, live_ud, run, stats);
    }
    at_free(ids);
    return st;
}
