/* Imports through the door, the client's side of the server: an upload
 * declared (sizes and extensions, never a name but a synthetic cohort's
 * paths), received in framed chunks (resumable: the received length of
 * each file is its raw copy's size, DIR/imports/ID/raw), finished (queued
 * for the door: worker.c), cancelled (its upload removed), followed. */
#include "internal.h"

#include "atelier/deid.h"
#include "atelier/text.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST_MAX (64u << 20)

static const char *const state_names[AT_IMPORT_STATE_COUNT] = {"uploading", "queued", "running",
                                                               "done",      "failed", "cancelled"};

const char *at_import_state_name(at_import_state s)
{
    return s >= 0 && s < AT_IMPORT_STATE_COUNT ? state_names[s] : "unknown";
}

double ds_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ext_valid(const char *e)
{
    size_t n = strlen(e);
    if (n >= 16 || (n && (e[0] == '.' || e[n - 1] == '.' || strstr(e, ".."))))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= '0' && e[i] <= '9') || e[i] == '.'))
            return 0;
    return 1;
}

/* the raw copy's name of file i: the door's name for text ("doc-000001.txt") */
void ds_raw_name(size_t i, const char *ext, char out[40])
{
    snprintf(out, 40, "doc-%06zu%s%s", i + 1, ext[0] ? "." : "", ext);
}

/* ---- reading an import's row ---- */

#define IMPORT_SQL                                                                                           \
    "SELECT i.id, p.name, i.dataset, u.name, i.kind, i.synthetic, i.fresh, i.state, i.files, i.bytes,"       \
    " i.phase, i.step, i.total, i.snapshot, i.error, i.created, i.updated FROM dataset_imports i"            \
    " JOIN projects p ON p.id = i.project_id JOIN users u ON u.id = i.user_id "

static void import_row(sqlite3_stmt *s, at_dataset_import *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    snprintf(o->project, sizeof o->project, "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(o->dataset, sizeof o->dataset, "%s", (const char *)sqlite3_column_text(s, 2));
    snprintf(o->user, sizeof o->user, "%s", (const char *)sqlite3_column_text(s, 3));
    snprintf(o->kind, sizeof o->kind, "%s", (const char *)sqlite3_column_text(s, 4));
    o->synthetic = sqlite3_column_int(s, 5);
    o->fresh = sqlite3_column_int(s, 6);
    o->state = (at_import_state)sqlite3_column_int(s, 7);
    o->files = (size_t)sqlite3_column_int64(s, 8);
    o->bytes = (uint64_t)sqlite3_column_int64(s, 9);
    snprintf(o->phase, sizeof o->phase, "%s", (const char *)sqlite3_column_text(s, 10));
    o->step = (uint64_t)sqlite3_column_int64(s, 11);
    o->total = (uint64_t)sqlite3_column_int64(s, 12);
    snprintf(o->snapshot, sizeof o->snapshot, "%s", (const char *)sqlite3_column_text(s, 13));
    snprintf(o->error, sizeof o->error, "%s", (const char *)sqlite3_column_text(s, 14));
    o->created = (time_t)sqlite3_column_int64(s, 15);
    o->updated = (time_t)sqlite3_column_int64(s, 16);
}

/* the declared files of an import (its manifest column) */
void ds_file_list_free(ds_file_list *l)
{
    at_free(l->v);
    l->v = NULL;
    l->n = 0;
}

static at_status manifest_parse(const char *text, ds_file_list *out)
{
    out->n = 0;
    out->v = NULL;
    cJSON *a = cJSON_Parse(text);
    at_status st = cJSON_IsArray(a) ? AT_OK : at_error_set(AT_ERR_FORMAT, "import: its file list is damaged");
    size_t n = st ? 0 : (size_t)cJSON_GetArraySize(a);
    if (!st && n) {
        out->v = at_calloc(n, sizeof *out->v);
        st = out->v ? AT_OK : AT_ERR_NOMEM;
    }
    size_t i = 0;
    for (cJSON *e = a ? a->child : NULL; e && !st; e = e->next, i++) {
        cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size"),
              *ext = cJSON_GetObjectItemCaseSensitive(e, "ext"),
              *path = cJSON_GetObjectItemCaseSensitive(e, "path");
        if (!cJSON_IsNumber(sz) || !cJSON_IsString(ext))
            st = at_error_set(AT_ERR_FORMAT, "import: its file list is damaged");
        else {
            out->v[i].size = (uint64_t)sz->valuedouble;
            snprintf(out->v[i].ext, sizeof out->v[i].ext, "%s", ext->valuestring);
            if (cJSON_IsString(path))
                snprintf(out->v[i].path, sizeof out->v[i].path, "%s", path->valuestring);
        }
    }
    out->n = i;
    cJSON_Delete(a);
    if (st)
        ds_file_list_free(out);
    return st;
}

at_status ds_load_import(at_datasets *d, int64_t id, at_dataset_import *imp, ds_file_list *files)
{
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, IMPORT_SQL "WHERE i.id = ?");
    at_status st = s ? AT_OK : AT_ERR_IO;
    char *manifest = NULL;
    if (s) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            import_row(s, imp);
        } else {
            st = at_error_set(AT_ERR_NOT_FOUND, "no import %lld", (long long)id);
        }
        sqlite3_reset(s);
    }
    if (!st && files) {
        s = at_room_db_stmt(db, "SELECT manifest FROM dataset_imports WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, id);
            if (sqlite3_step(s) == SQLITE_ROW)
                manifest = at_strdup((const char *)sqlite3_column_text(s, 0));
            sqlite3_reset(s);
            st = manifest ? AT_OK : AT_ERR_NOMEM;
        }
    }
    at_room_db_put(d->room, db);
    if (!st && files)
        st = manifest_parse(manifest, files);
    at_free(manifest);
    return st;
}

at_status at_datasets_import_get(at_datasets *d, int64_t id, at_dataset_import *out)
{
    at_status st = ds_load_import(d, id, out, NULL);
    /* An import has ended once its worker has left it: the state is
       committed inside the vault's commit and the worker removes the raw
       upload after it, so until then it is still running ("finishing"),
       and whoever sees it ended finds no upload left. */
    int busy = 0;
    if (!st && out->state >= AT_IMPORT_DONE) {
        pthread_mutex_lock(&d->mu);
        for (int i = 0; i < d->worker_count; i++)
            busy |= d->running[i] == id;
        pthread_mutex_unlock(&d->mu);
    }
    if (busy) {
        out->state = AT_IMPORT_RUNNING;
        snprintf(out->phase, sizeof out->phase, "%s", "finishing");
    }
    if (!st && out->state == AT_IMPORT_UPLOADING) {
        uint64_t *rec = NULL;
        size_t n = 0;
        if (!at_datasets_import_received(d, id, &rec, &n))
            for (size_t i = 0; i < n; i++)
                out->received += rec[i];
        at_free(rec);
    } else if (!st && out->state != AT_IMPORT_CANCELLED && out->state != AT_IMPORT_FAILED) {
        out->received = out->bytes;
    }
    return st;
}

at_status at_datasets_imports(at_datasets *d, const char *user, const char *project, at_dataset_import **out,
                              size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, IMPORT_SQL "WHERE (?1 IS NULL OR u.name = ?1) AND (?2 IS NULL OR "
                                                     "p.name = ?2) ORDER BY i.id DESC LIMIT 200");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (s) {
        if (user)
            sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
        if (project)
            sqlite3_bind_text(s, 2, project, -1, SQLITE_TRANSIENT);
        while (!st && sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            import_row(s, &(*out)[(*count)++]);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

/* ---- begin ---- */

static at_status quota_check(at_datasets *d, const char *project, uint64_t more)
{
    at_datasets_usage u;
    at_status st = at_datasets_usage_of(d, project, &u);
    if (st || !u.limit)
        return st;
    if (u.used + u.pending + more > u.limit)
        return at_error_set(
            AT_ERR_QUOTA,
            "the storage quota of project %s (vault quota %.2f GiB) would be exceeded: %.2f GiB "
            "stored, %.2f GiB being imported, %.2f GiB more asked",
            project, u.limit / 1073741824.0, u.used / 1073741824.0, u.pending / 1073741824.0,
            more / 1073741824.0);
    return AT_OK;
}

at_status at_datasets_import_begin(at_datasets *d, const char *user, const at_import_spec *sp, int64_t *id,
                                   int *resumed)
{
    *id = 0;
    if (resumed)
        *resumed = 0;
    if (!sp->project || !sp->dataset || !at_room_name_valid(sp->dataset))
        return at_error_set(AT_ERR_ARG, "import: '%.64s' is not a valid dataset name",
                            sp->dataset ? sp->dataset : "");
    if (!strcmp(sp->dataset, "code") || !strcmp(sp->dataset, "results"))
        return at_error_set(AT_ERR_ARG, "import: '%s' is the project's own dataset (jobs write it)",
                            sp->dataset);
    if (!sp->kind || (strcmp(sp->kind, "dicom") && strcmp(sp->kind, "text") && strcmp(sp->kind, "files")))
        return at_error_set(AT_ERR_ARG, "import: the kind is dicom, text or files");
    if (!strcmp(sp->kind, "files") && !sp->synthetic)
        return at_error_set(AT_ERR_REFUSED,
                            "import: files are stored as they are only for a synthetic cohort "
                            "(--synthetic); patient data go through the door (dicom or text)");
    size_t fl = sp->fingerprint ? strlen(sp->fingerprint) : 0;
    if (fl < 16 || fl > 64 || strspn(sp->fingerprint, "0123456789abcdef") != fl)
        return at_error_set(AT_ERR_ARG, "import: the fingerprint must be 16 to 64 lowercase hex digits");
    if (!sp->file_count || sp->file_count > AT_IMPORT_FILES_MAX)
        return at_error_set(AT_ERR_LIMIT, "import: 1 to %d files", AT_IMPORT_FILES_MAX);
    uint64_t total = 0;
    for (size_t i = 0; i < sp->file_count; i++) {
        const at_import_file *f = &sp->files[i];
        if (!ext_valid(f->ext))
            return at_error_set(AT_ERR_ARG, "import: file %zu: a bad extension", i);
        if (f->size > AT_VAULT_FILE_SIZE_MAX || total + f->size < total)
            return at_error_set(AT_ERR_LIMIT, "import: file %zu is too large", i);
        total += f->size;
        if (!strcmp(sp->kind, "files")) {
            at_status st = at_vault_path_check(f->path);
            if (st)
                return at_error_prefix(st, "import: file %zu", i);
            for (size_t k = 0; k < i; k++)
                if (!strcmp(sp->files[k].path, f->path))
                    return at_error_set(AT_ERR_ARG, "import: file %zu: a path given twice", i);
        } else if (f->path[0]) {
            return at_error_set(AT_ERR_ARG, "import: only a synthetic 'files' import names its files");
        }
    }
    if (total > (uint64_t)(d->conf.upload_max_gb * 1073741824.0))
        return at_error_set(AT_ERR_LIMIT,
                            "import: %.2f GiB is more than one import may upload (vault.upload_max_gb "
                            "= %g)",
                            total / 1073741824.0, d->conf.upload_max_gb);
    at_room_db *db = at_room_db_get(d->room);
    int64_t pid = ds_project_id(db, sp->project), uid = ds_user_id(db, user);
    at_status st = pid && uid ? AT_OK : at_error_set(AT_ERR_NOT_FOUND, "import: no project %s", sp->project);
    /* a student imports synthetic cohorts only */
    if (!st && at_room_member_role(d->room, uid, sp->project) == AT_PROJECT_STUDENT && !sp->synthetic)
        st = at_error_set(AT_ERR_DENIED, "import: a student imports synthetic cohorts only");
    char kind[16];
    int syn = 0;
    if (!st) {
        at_status e = ds_dataset_row(db, sp->project, sp->dataset, NULL, NULL, kind, &syn);
        at_error_clear();
        if (!e && strcmp(kind, "data"))
            st = at_error_set(AT_ERR_ARG, "import: %s/%s holds %s, not imported data", sp->project,
                              sp->dataset, kind);
        else if (!e && syn != (sp->synthetic != 0))
            st = at_error_set(AT_ERR_REFUSED, "import: %s/%s is %s: a %s import cannot join it", sp->project,
                              sp->dataset, syn ? "synthetic" : "not synthetic",
                              sp->synthetic ? "synthetic" : "real");
    }
    /* the same upload again: resume it */
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "SELECT id FROM dataset_imports WHERE project_id = ? AND user_id = ? "
                                "AND dataset = ? AND fingerprint = ? AND kind = ? AND state = 0");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, pid);
            sqlite3_bind_int64(s, 2, uid);
            sqlite3_bind_text(s, 3, sp->dataset, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, sp->fingerprint, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 5, sp->kind, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) == SQLITE_ROW)
                *id = sqlite3_column_int64(s, 0);
            sqlite3_reset(s);
        }
    }
    at_room_db_put(d->room, db);
    if (!st && *id) {
        if (resumed)
            *resumed = 1;
        return AT_OK;
    }
    if (!st)
        st = quota_check(d, sp->project, total);
    /* the file list: sizes, extensions and (synthetic files) paths; never a name */
    cJSON *a = st ? NULL : cJSON_CreateArray();
    if (!st && !a)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < sp->file_count; i++) {
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddItemToArray(a, e) ||
            !cJSON_AddNumberToObject(e, "size", (double)sp->files[i].size) ||
            !cJSON_AddStringToObject(e, "ext", sp->files[i].ext) ||
            (sp->files[i].path[0] && !cJSON_AddStringToObject(e, "path", sp->files[i].path)))
            st = AT_ERR_NOMEM;
    }
    char *manifest = st ? NULL : cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    if (!st && (!manifest || strlen(manifest) > MANIFEST_MAX))
        st = manifest ? at_error_set(AT_ERR_LIMIT, "import: the file list is too long") : AT_ERR_NOMEM;
    db = at_room_db_get(d->room);
    if (!st)
        st = at_room_db_begin(db);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "INSERT INTO dataset_imports(project_id, user_id, dataset, "
                                              "kind, synthetic, fresh, fingerprint, state, "
                                              "files, bytes, manifest, phase, created, updated) VALUES (?, "
                                              "?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 'upload', ?, ?)");
        if (!s)
            st = AT_ERR_IO;
        else {
            int64_t t = at_room_now();
            sqlite3_bind_int64(s, 1, pid);
            sqlite3_bind_int64(s, 2, uid);
            sqlite3_bind_text(s, 3, sp->dataset, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, sp->kind, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(s, 5, sp->synthetic != 0);
            sqlite3_bind_int(s, 6, sp->fresh != 0);
            sqlite3_bind_text(s, 7, sp->fingerprint, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 8, (int64_t)sp->file_count);
            sqlite3_bind_int64(s, 9, (int64_t)total);
            sqlite3_bind_text(s, 10, manifest, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 11, t);
            sqlite3_bind_int64(s, 12, t);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "import insert");
            sqlite3_reset(s);
            *id = at_room_db_last_id(db);
        }
        char object[200], *det = NULL;
        snprintf(object, sizeof object, "dataset:%s/%s", sp->project, sp->dataset);
        if (!st)
            det =
                ds_details("{\"import\":%lld,\"kind\":\"%s\",\"synthetic\":%s,\"files\":%zu,\"bytes\":%llu}",
                           (long long)*id, sp->kind, sp->synthetic ? "true" : "false", sp->file_count,
                           (unsigned long long)total);
        if (!st)
            st = det ? at_room_db_audit(db, user, "dataset.import.begin", object, det) : AT_ERR_NOMEM;
        at_free(det);
        if (!st)
            st = at_room_db_commit(d->room, db);
        else
            at_room_db_rollback(db);
    }
    at_room_db_put(d->room, db);
    at_free(manifest);
    if (!st) {
        char *raw = ds_import_path(d, *id, "raw");
        st = raw ? at_mkdir_p(raw, 0700) : AT_ERR_NOMEM;
        at_free(raw);
    }
    if (st)
        *id = 0;
    return st;
}

/* ---- upload ---- */

at_status at_datasets_import_received(at_datasets *d, int64_t id, uint64_t **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_dataset_import imp;
    ds_file_list fl;
    at_status st = ds_load_import(d, id, &imp, &fl);
    if (st)
        return st;
    *out = at_calloc(fl.n ? fl.n : 1, sizeof **out);
    if (!*out) {
        ds_file_list_free(&fl);
        return AT_ERR_NOMEM;
    }
    *count = fl.n;
    char *raw = ds_import_path(d, id, "raw");
    for (size_t i = 0; raw && i < fl.n; i++) {
        char name[40];
        ds_raw_name(i, fl.v[i].ext, name);
        char *p = at_path_join(raw, name);
        struct stat sb;
        if (p && imp.state == AT_IMPORT_UPLOADING && stat(p, &sb) == 0)
            (*out)[i] = (uint64_t)sb.st_size;
        else if (imp.state != AT_IMPORT_UPLOADING)
            (*out)[i] = fl.v[i].size;
        at_free(p);
    }
    at_free(raw);
    ds_file_list_free(&fl);
    return AT_OK;
}

static at_status write_chunk(at_datasets *d, int64_t id, const ds_file_list *fl, at_datasets_chunk c);

at_status at_datasets_import_chunk(at_datasets *d, const char *user, int64_t id, const void *frames,
                                   size_t len)
{
    if (!len)
        return at_error_set(AT_ERR_FORMAT, "upload chunk: an empty body");
    at_dataset_import imp;
    ds_file_list fl;
    at_status st = ds_load_import(d, id, &imp, &fl);
    if (st)
        return st;
    if (strcmp(imp.user, user))
        st = at_error_set(AT_ERR_DENIED, "import %lld is another user's", (long long)id);
    else if (imp.state != AT_IMPORT_UPLOADING)
        st = at_error_set(AT_ERR_REFUSED, "import %lld is %s: no more chunks", (long long)id,
                          at_import_state_name(imp.state));
    const unsigned char *p = frames;
    size_t off = 0;
    while (!st && off < len) {
        at_datasets_chunk c;
        size_t used = 0;
        st = at_datasets_chunk_next(p + off, len - off, &c, &used);
        if (!st)
            st = write_chunk(d, id, &fl, c);
        off += used;
    }
    ds_file_list_free(&fl);
    return st;
}

static at_status write_chunk(at_datasets *d, int64_t id, const ds_file_list *flp, at_datasets_chunk c)
{
    at_status st = AT_OK;
    const ds_file_list fl = *flp;
    if (c.file >= fl.n)
        st = at_error_set(AT_ERR_ARG, "import %lld has %zu files, not a file %llu", (long long)id, fl.n,
                          (unsigned long long)c.file);
    else if (c.offset + c.length > fl.v[c.file].size)
        st = at_error_set(AT_ERR_ARG, "import %lld: file %llu: a chunk past its declared size", (long long)id,
                          (unsigned long long)c.file);
    char name[40];
    char *raw = st ? NULL : ds_import_path(d, id, "raw");
    char *path = NULL;
    if (!st) {
        ds_raw_name((size_t)c.file, fl.v[c.file].ext, name);
        path = raw ? at_path_join(raw, name) : NULL;
        if (!path)
            st = AT_ERR_NOMEM;
    }
    pthread_mutex_lock(&d->upload_mu);
    /* the folder is made after the import's row: a server that died between
     * the two left none */
    if (!st && access(raw, F_OK) != 0)
        st = at_mkdir_p(raw, 0700);
    int fd = st ? -1 : open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (!st && fd < 0)
        st = at_error_set(AT_ERR_IO, "import %lld: file %llu: cannot write its copy: %s", (long long)id,
                          (unsigned long long)c.file, strerror(errno));
    struct stat sb;
    if (!st && fstat(fd, &sb) != 0)
        st = at_error_set(AT_ERR_IO, "import %lld: %s", (long long)id, strerror(errno));
    if (!st && c.offset + c.length <= (uint64_t)sb.st_size) {
        /* sent again after a lost answer: already here */
    } else if (!st && c.offset > (uint64_t)sb.st_size) {
        st = at_error_set(AT_ERR_EXISTS, "import %lld: file %llu: %lld bytes received, a chunk at %llu",
                          (long long)id, (unsigned long long)c.file, (long long)sb.st_size,
                          (unsigned long long)c.offset);
    } else if (!st) {
        /* a chunk that overlaps what arrived: its new tail only */
        size_t skip = (size_t)((uint64_t)sb.st_size - c.offset);
        c.data += skip;
        c.length -= skip;
        c.offset += skip;
        int w = at_fd_pwrite_all(fd, c.data, c.length, c.offset);
        if (w)
            st = at_error_set(AT_ERR_IO, "import %lld: file %llu: %s", (long long)id,
                              (unsigned long long)c.file, w < 0 ? strerror(errno) : "short write");
        if (st && ftruncate(fd, (off_t)c.offset) != 0) /* nothing half written stays */
            st = at_error_set(AT_ERR_IO, "import %lld: %s", (long long)id, strerror(errno));
    }
    if (fd >= 0)
        close(fd);
    pthread_mutex_unlock(&d->upload_mu);
    at_free(path);
    at_free(raw);
    return st;
}

at_status ds_set_state(at_datasets *d, int64_t id, int from, at_import_state to, const char *phase,
                       const char *error, int *changed)
{
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "UPDATE dataset_imports SET state = ?, phase = COALESCE(?, phase), "
                            "error = COALESCE(?, error), updated = ? WHERE id = ? AND (? < 0 OR state = ?)");
    at_status st = s ? AT_OK : AT_ERR_IO;
    if (s) {
        sqlite3_bind_int(s, 1, to);
        if (phase)
            sqlite3_bind_text(s, 2, phase, -1, SQLITE_TRANSIENT);
        if (error)
            sqlite3_bind_text(s, 3, error, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, at_room_now());
        sqlite3_bind_int64(s, 5, id);
        sqlite3_bind_int(s, 6, from);
        sqlite3_bind_int(s, 7, from);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "import update");
        if (changed)
            *changed = at_room_db_changes(db);
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    return st;
}

at_status at_datasets_import_finish(at_datasets *d, const char *user, int64_t id)
{
    at_dataset_import imp;
    at_status st = ds_load_import(d, id, &imp, NULL);
    if (st)
        return st;
    if (strcmp(imp.user, user))
        return at_error_set(AT_ERR_DENIED, "import %lld is another user's", (long long)id);
    if (imp.state != AT_IMPORT_UPLOADING)
        return imp.state == AT_IMPORT_QUEUED || imp.state == AT_IMPORT_RUNNING || imp.state == AT_IMPORT_DONE
                   ? AT_OK
                   : at_error_set(AT_ERR_REFUSED, "import %lld is %s", (long long)id,
                                  at_import_state_name(imp.state));
    uint64_t *rec = NULL;
    size_t n = 0;
    ds_file_list fl;
    st = ds_load_import(d, id, &imp, &fl);
    if (!st)
        st = at_datasets_import_received(d, id, &rec, &n);
    for (size_t i = 0; !st && i < n; i++)
        if (rec[i] != fl.v[i].size)
            st = at_error_set(AT_ERR_REFUSED,
                              "import %lld: file %zu has %llu of its %llu bytes: upload the rest",
                              (long long)id, i, (unsigned long long)rec[i], (unsigned long long)fl.v[i].size);
    /* empty files have no chunk: their copies are made here */
    char *raw = st ? NULL : ds_import_path(d, id, "raw");
    if (raw && access(raw, F_OK) != 0)
        st = at_mkdir_p(raw, 0700);
    for (size_t i = 0; raw && !st && i < n; i++) {
        if (fl.v[i].size)
            continue;
        char name[40];
        ds_raw_name(i, fl.v[i].ext, name);
        char *p = at_path_join(raw, name);
        int fd = p ? open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
        if (fd < 0)
            st = at_error_set(AT_ERR_IO, "import %lld: file %zu: cannot make its copy", (long long)id, i);
        else
            close(fd);
        at_free(p);
        if (st)
            break;
    }
    at_free(raw);
    at_free(rec);
    ds_file_list_free(&fl);
    int changed = 0;
    if (!st)
        st = ds_set_state(d, id, AT_IMPORT_UPLOADING, AT_IMPORT_QUEUED, "queued", NULL, &changed);
    if (!st && changed) {
        pthread_mutex_lock(&d->mu);
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
    return st;
}

void ds_remove_upload(at_datasets *d, int64_t id)
{
    char *p = ds_import_path(d, id, NULL);
    if (p && access(p, F_OK) == 0)
        at_remove_tree(p);
    at_free(p);
    at_error_clear();
}

at_status at_datasets_import_cancel(at_datasets *d, const char *user, int64_t id)
{
    at_dataset_import imp;
    at_status st = ds_load_import(d, id, &imp, NULL);
    if (st)
        return st;
    if (user && strcmp(imp.user, user))
        return at_error_set(AT_ERR_DENIED, "import %lld is another user's", (long long)id);
    if (imp.state >= AT_IMPORT_DONE)
        return imp.state == AT_IMPORT_CANCELLED
                   ? AT_OK
                   : at_error_set(AT_ERR_REFUSED, "import %lld has ended (%s)", (long long)id,
                                  at_import_state_name(imp.state));
    int changed = 0;
    st = ds_set_state(d, id, imp.state == AT_IMPORT_RUNNING ? AT_IMPORT_RUNNING : (int)imp.state,
                      AT_IMPORT_CANCELLED, "cancelled", NULL, &changed);
    if (!st && changed && imp.state == AT_IMPORT_RUNNING) {
        pthread_mutex_lock(&d->mu);
        for (int i = 0; i < d->worker_count; i++)
            if (d->running[i] == id)
                d->cancel[i] = 1;
        pthread_mutex_unlock(&d->mu);
    } else if (!st && changed) {
        ds_remove_upload(d, id);
    }
    if (!st && changed) {
        char object[200];
        snprintf(object, sizeof object, "dataset:%s/%s", imp.project, imp.dataset);
        char *det = ds_details("{\"import\":%lld}", (long long)id);
        st = det ? at_room_audit(d->room, user ? user : "room", "dataset.import.cancel", object, det)
                 : AT_ERR_NOMEM;
        at_free(det);
    }
    return st;
}

at_status at_datasets_import_wait(at_datasets *d, int64_t id, double timeout_s, at_dataset_import *out)
{
    double end = ds_now_s() + timeout_s;
    for (;;) {
        at_status st = at_datasets_import_get(d, id, out);
        if (st || out->state >= AT_IMPORT_DONE)
            return st;
        if (ds_now_s() > end)
            return at_error_set(AT_ERR_LIMIT, "import %lld: still %s after %.0f s", (long long)id,
                                at_import_state_name(out->state), timeout_s);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
