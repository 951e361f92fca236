/* Writing a snapshot: stage adds and removes over a parent, then commit:
 * import the staged files (import.c: cut, hash, encrypt, store the chunks
 * not yet in the dataset, make them durable), and only then write the
 * manifest (temporary name, fsync,
 * rename, fsync of its folder) and publish it. The manifest's rename (or
 * the catalog's transaction inside publish) is the one step that makes
 * the snapshot visible: before it nothing references the new chunks, after
 * it every chunk it needs is on disk. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    vault_stage *adds;
    size_t nadds, cap, seq;
};

static void stage_free(vault_stage *e)
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
    if (AT_GROW(tx->adds, tx->cap, tx->nadds + 1))
        return AT_ERR_NOMEM;
    vault_stage *e = &tx->adds[tx->nadds];
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
                } else {
                    st = AT_GROW(stack, cap, top + 1);
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

static int cmp_stage(const void *a, const void *b)
{
    const vault_stage *x = *(vault_stage *const *)a, *y = *(vault_stage *const *)b;
    int c = strcmp(x->path, y->path);
    return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The adds that end in the snapshot, sorted by path: per path the last
 * one, unless a later remove took it away. */
static at_status live_adds(at_vault_tx *tx, vault_stage ***out, size_t *count)
{
    vault_stage **v = at_malloc((tx->nadds ? tx->nadds : 1) * sizeof *v);
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
static at_status build_manifest(at_vault_tx *tx, vault_stage **adds, size_t nadds, at_vault_manifest *m,
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
            vault_stage *e = adds[j++];
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
    vault_stage **adds = NULL;
    size_t nadds = 0;
    at_vault_manifest m;
    memset(&m, 0, sizeof m);
    unsigned char *plain = NULL, *obj = NULL;
    char *final = NULL, *snapdir = NULL;
    size_t plen = 0;
    at_status st = live_adds(tx, &adds, &nadds);
    if (!st)
        st = vault_import(&tx->keys, tx->dsdir, tx->opt.compress, adds, nadds, run, stats);
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
