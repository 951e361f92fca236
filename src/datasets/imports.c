/* Imports through the door: an upload declared, received in framed chunks
 * (resumable: the received length of each file is its raw copy's size),
 * finished, then de-identified by a worker of the server (DICOM or text
 * door with the room's site key and the project's options; synthetic
 * "files" stored as generated) and committed as a snapshot that becomes
 * visible in one catalog transaction with its row and the import's end.
 * The raw upload (DIR/imports/ID) is removed at the end whatever happens;
 * an import a dead server left running is queued again at the next open. */
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

static const char *const state_names[AT_IMPORT_STATE_COUNT] = {"uploading", "queued",    "running",
                                                               "done",      "failed",    "cancelled"};

const char *at_import_state_name(at_import_state s)
{
    return s >= 0 && s < AT_IMPORT_STATE_COUNT ? state_names[s] : "unknown";
}

static double now_s(void)
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
static void raw_name(size_t i, const char *ext, char out[40])
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
typedef struct {
    size_t n;
    at_import_file *v;
} file_list;

static void file_list_free(file_list *l)
{
    at_free(l->v);
    l->v = NULL;
    l->n = 0;
}

static at_status manifest_parse(const char *text, file_list *out)
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
        cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size"), *ext = cJSON_GetObjectItemCaseSensitive(e, "ext"),
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
        file_list_free(out);
    return st;
}

static at_status load_import(at_datasets *d, int64_t id, at_dataset_import *imp, file_list *files)
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
    at_status st = load_import(d, id, out, NULL);
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
            if (*count == cap) {
                cap = cap ? 2 * cap : 8;
                at_dataset_import *n = at_realloc(*out, cap * sizeof **out);
                if (!n) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                *out = n;
            }
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
        return at_error_set(AT_ERR_QUOTA,
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
        return at_error_set(AT_ERR_ARG, "import: '%.64s' is not a valid dataset name", sp->dataset ? sp->dataset : "");
    if (!strcmp(sp->dataset, "code") || !strcmp(sp->dataset, "results"))
        return at_error_set(AT_ERR_ARG, "import: '%s' is the project's own dataset (jobs write it)", sp->dataset);
    if (!sp->kind || (strcmp(sp->kind, "dicom") && strcmp(sp->kind, "text") && strcmp(sp->kind, "files")))
        return at_error_set(AT_ERR_ARG, "import: the kind is dicom, text or files");
    if (!strcmp(sp->kind, "files") && !sp->synthetic)
        return at_error_set(AT_ERR_REFUSED, "import: files are stored as they are only for a synthetic cohort "
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
        return at_error_set(AT_ERR_LIMIT, "import: %.2f GiB is more than one import may upload (vault.upload_max_gb "
                                          "= %g)", total / 1073741824.0, d->conf.upload_max_gb);
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
            st = at_error_set(AT_ERR_ARG, "import: %s/%s holds %s, not imported data", sp->project, sp->dataset, kind);
        else if (!e && syn != (sp->synthetic != 0))
            st = at_error_set(AT_ERR_REFUSED, "import: %s/%s is %s: a %s import cannot join it", sp->project,
                              sp->dataset, syn ? "synthetic" : "not synthetic", sp->synthetic ? "synthetic" : "real");
    }
    /* the same upload again: resume it */
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM dataset_imports WHERE project_id = ? AND user_id = ? "
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
        if (!e || !cJSON_AddItemToArray(a, e) || !cJSON_AddNumberToObject(e, "size", (double)sp->files[i].size) ||
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
        sqlite3_stmt *s = at_room_db_stmt(
            db, "INSERT INTO dataset_imports(project_id, user_id, dataset, kind, synthetic, fresh, fingerprint, state, "
                "files, bytes, manifest, phase, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 'upload', ?, ?)");
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
            det = ds_details("{\"import\":%lld,\"kind\":\"%s\",\"synthetic\":%s,\"files\":%zu,\"bytes\":%llu}",
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
    file_list fl;
    at_status st = load_import(d, id, &imp, &fl);
    if (st)
        return st;
    *out = at_calloc(fl.n ? fl.n : 1, sizeof **out);
    if (!*out) {
        file_list_free(&fl);
        return AT_ERR_NOMEM;
    }
    *count = fl.n;
    char *raw = ds_import_path(d, id, "raw");
    for (size_t i = 0; raw && i < fl.n; i++) {
        char name[40];
        raw_name(i, fl.v[i].ext, name);
        char *p = at_path_join(raw, name);
        struct stat sb;
        if (p && imp.state == AT_IMPORT_UPLOADING && stat(p, &sb) == 0)
            (*out)[i] = (uint64_t)sb.st_size;
        else if (imp.state != AT_IMPORT_UPLOADING)
            (*out)[i] = fl.v[i].size;
        at_free(p);
    }
    at_free(raw);
    file_list_free(&fl);
    return AT_OK;
}

static at_status write_chunk(at_datasets *d, int64_t id, const file_list *fl, at_datasets_chunk c);

at_status at_datasets_import_chunk(at_datasets *d, const char *user, int64_t id, const void *frames, size_t len)
{
    if (!len)
        return at_error_set(AT_ERR_FORMAT, "upload chunk: an empty body");
    at_dataset_import imp;
    file_list fl;
    at_status st = load_import(d, id, &imp, &fl);
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
    file_list_free(&fl);
    return st;
}

static at_status write_chunk(at_datasets *d, int64_t id, const file_list *flp, at_datasets_chunk c)
{
    at_status st = AT_OK;
    const file_list fl = *flp;
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
        raw_name((size_t)c.file, fl.v[c.file].ext, name);
        path = raw ? at_path_join(raw, name) : NULL;
        if (!path)
            st = AT_ERR_NOMEM;
    }
    pthread_mutex_lock(&d->upload_mu);
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
        size_t done = 0;
        while (!st && done < c.length) {
            ssize_t w = pwrite(fd, c.data + done, c.length - done, (off_t)(c.offset + done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                st = at_error_set(AT_ERR_IO, "import %lld: file %llu: %s", (long long)id, (unsigned long long)c.file,
                                  w < 0 ? strerror(errno) : "short write");
            else
                done += (size_t)w;
        }
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

static at_status set_state(at_datasets *d, int64_t id, int from, at_import_state to, const char *phase,
                           const char *error, int *changed)
{
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE dataset_imports SET state = ?, phase = COALESCE(?, phase), "
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
    at_status st = load_import(d, id, &imp, NULL);
    if (st)
        return st;
    if (strcmp(imp.user, user))
        return at_error_set(AT_ERR_DENIED, "import %lld is another user's", (long long)id);
    if (imp.state != AT_IMPORT_UPLOADING)
        return imp.state == AT_IMPORT_QUEUED || imp.state == AT_IMPORT_RUNNING || imp.state == AT_IMPORT_DONE
                   ? AT_OK
                   : at_error_set(AT_ERR_REFUSED, "import %lld is %s", (long long)id, at_import_state_name(imp.state));
    uint64_t *rec = NULL;
    size_t n = 0;
    file_list fl;
    st = load_import(d, id, &imp, &fl);
    if (!st)
        st = at_datasets_import_received(d, id, &rec, &n);
    for (size_t i = 0; !st && i < n; i++)
        if (rec[i] != fl.v[i].size)
            st = at_error_set(AT_ERR_REFUSED, "import %lld: file %zu has %llu of its %llu bytes: upload the rest",
                              (long long)id, i, (unsigned long long)rec[i], (unsigned long long)fl.v[i].size);
    /* empty files have no chunk: their copies are made here */
    char *raw = st ? NULL : ds_import_path(d, id, "raw");
    for (size_t i = 0; raw && i < n; i++) {
        if (fl.v[i].size)
            continue;
        char name[40];
        raw_name(i, fl.v[i].ext, name);
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
    file_list_free(&fl);
    int changed = 0;
    if (!st)
        st = set_state(d, id, AT_IMPORT_UPLOADING, AT_IMPORT_QUEUED, "queued", NULL, &changed);
    if (!st && changed) {
        pthread_mutex_lock(&d->mu);
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
    }
    return st;
}

static void remove_upload(at_datasets *d, int64_t id)
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
    at_status st = load_import(d, id, &imp, NULL);
    if (st)
        return st;
    if (user && strcmp(imp.user, user))
        return at_error_set(AT_ERR_DENIED, "import %lld is another user's", (long long)id);
    if (imp.state >= AT_IMPORT_DONE)
        return imp.state == AT_IMPORT_CANCELLED ? AT_OK
                                                : at_error_set(AT_ERR_REFUSED, "import %lld has ended (%s)",
                                                               (long long)id, at_import_state_name(imp.state));
    int changed = 0;
    st = set_state(d, id, imp.state == AT_IMPORT_RUNNING ? AT_IMPORT_RUNNING : (int)imp.state, AT_IMPORT_CANCELLED,
                   "cancelled", NULL, &changed);
    if (!st && changed && imp.state == AT_IMPORT_RUNNING) {
        pthread_mutex_lock(&d->mu);
        for (int i = 0; i < d->worker_count; i++)
            if (d->running[i] == id)
                d->cancel[i] = 1;
        pthread_mutex_unlock(&d->mu);
    } else if (!st && changed) {
        remove_upload(d, id);
    }
    if (!st && changed) {
        char object[200];
        snprintf(object, sizeof object, "dataset:%s/%s", imp.project, imp.dataset);
        char *det = ds_details("{\"import\":%lld}", (long long)id);
        st = det ? at_room_audit(d->room, user ? user : "room", "dataset.import.cancel", object, det) : AT_ERR_NOMEM;
        at_free(det);
    }
    return st;
}

at_status at_datasets_import_wait(at_datasets *d, int64_t id, double timeout_s, at_dataset_import *out)
{
    double end = now_s() + timeout_s;
    for (;;) {
        at_status st = at_datasets_import_get(d, id, out);
        if (st || out->state >= AT_IMPORT_DONE)
            return st;
        if (now_s() > end)
            return at_error_set(AT_ERR_LIMIT, "import %lld: still %s after %.0f s", (long long)id,
                                at_import_state_name(out->state), timeout_s);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* ---- the worker ---- */

typedef struct {
    at_datasets *d;
    int64_t id;
    pthread_mutex_t mu;
    double last;
} progress_ctx;

static void progress_fn(void *ud, const at_run_event *ev)
{
    progress_ctx *p = ud;
    pthread_mutex_lock(&p->mu);
    double t = now_s();
    int due = t - p->last >= 0.5 || (ev->total && ev->step == ev->total);
    if (due)
        p->last = t;
    pthread_mutex_unlock(&p->mu);
    if (!due)
        return;
    at_room_db *db = at_room_db_get(p->d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE dataset_imports SET phase = ?, step = ?, total = ?, updated = ? "
                                          "WHERE id = ? AND state = 2");
    if (s) {
        sqlite3_bind_text(s, 1, ev->phase ? ev->phase : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, (int64_t)ev->step);
        sqlite3_bind_int64(s, 3, (int64_t)ev->total);
        sqlite3_bind_int64(s, 4, at_room_now());
        sqlite3_bind_int64(s, 5, p->id);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    at_room_db_put(p->d->room, db);
}

/* the snapshot's publication: its rows and the import's end, one transaction */
typedef struct {
    at_datasets *d;
    const at_dataset_import *imp;
    int64_t dataset_row, uid;
    const char *report;
    uint64_t files, bytes;
} publish_ctx;

static at_status publish(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                         const at_vault_snapshot_id *parent, const at_vault_commit_stats *stats)
{
    (void)ds;
    publish_ctx *c = ud;
    char hex[AT_VAULT_SNAPSHOT_HEX], phex[AT_VAULT_SNAPSHOT_HEX] = "";
    at_vault_snapshot_hex(snap, hex);
    if (parent)
        at_vault_snapshot_hex(parent, phex);
    at_room_db *db = at_room_db_get(c->d->room);
    at_status st = at_room_db_begin(db);
    sqlite3_stmt *s = st ? NULL
                         : at_room_db_stmt(db, "INSERT OR IGNORE INTO job_snapshots(dataset_id, snapshot, user_id, created) "
                                               "VALUES (?, ?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, c->dataset_row);
        sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 3, c->uid);
        sqlite3_bind_int64(s, 4, at_room_now());
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "snapshot insert");
        sqlite3_reset(s);
    }
    s = st ? NULL
           : at_room_db_stmt(db, "INSERT OR REPLACE INTO dataset_snapshot_info(dataset_id, snapshot, parent, door, "
                                 "synthetic, import_id, files, bytes, bytes_stored, report) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                 "?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, c->dataset_row);
        sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, phex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, c->imp->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 5, c->imp->synthetic);
        sqlite3_bind_int64(s, 6, c->imp->id);
        sqlite3_bind_int64(s, 7, (int64_t)stats->files);
        sqlite3_bind_int64(s, 8, (int64_t)stats->bytes);
        sqlite3_bind_int64(s, 9, (int64_t)stats->bytes_stored);
        sqlite3_bind_text(s, 10, c->report ? c->report : "{}", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "snapshot info insert");
        sqlite3_reset(s);
    }
    s = st ? NULL
           : at_room_db_stmt(db, "UPDATE dataset_imports SET state = 3, phase = 'done', snapshot = ?, updated = ? "
                                 "WHERE id = ? AND state = 2");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, at_room_now());
        sqlite3_bind_int64(s, 3, c->imp->id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "import update");
        else if (at_room_db_changes(db) != 1)
            st = at_error_set(AT_ERR_INTERRUPTED, "import %lld was cancelled", (long long)c->imp->id);
        sqlite3_reset(s);
    }
    if (!st) {
        char object[200];
        snprintf(object, sizeof object, "dataset:%s/%s@%.16s", c->imp->project, c->imp->dataset, hex);
        char *det = ds_details("{\"import\":%lld,\"door\":\"%s\",\"synthetic\":%s,\"files\":%llu,\"bytes\":%llu,"
                               "\"bytes_stored\":%llu}",
                               (long long)c->imp->id, c->imp->kind, c->imp->synthetic ? "true" : "false",
                               (unsigned long long)stats->files, (unsigned long long)stats->bytes,
                               (unsigned long long)stats->bytes_stored);
        st = det ? at_room_db_audit(db, c->imp->user, "dataset.import", object, det) : AT_ERR_NOMEM;
        at_free(det);
    }
    if (!st)
        st = at_room_db_commit(c->d->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->d->room, db);
    return st;
}

/* the project's dataset for an import: made (kind data) when absent */
static at_status dataset_for(at_datasets *d, const at_dataset_import *imp, int64_t *row,
                             at_vault_dataset_id *ds)
{
    at_room_db *db = at_room_db_get(d->room);
    char vid[AT_VAULT_DATASET_HEX], kind[16];
    int syn = 0;
    at_status st = at_room_db_begin(db);
    if (!st) {
        st = ds_dataset_row(db, imp->project, imp->dataset, row, vid, kind, &syn);
        if (st == AT_ERR_NOT_FOUND) {
            at_error_clear();
            st = at_vault_dataset_create(d->vault, ds);
            if (!st)
                at_vault_dataset_hex(ds, vid);
            sqlite3_stmt *s = st ? NULL
                                 : at_room_db_stmt(db, "INSERT INTO job_datasets(project_id, name, vault_id, kind, "
                                                       "synthetic, created) VALUES (?, ?, ?, 'data', ?, ?)");
            if (!st && !s)
                st = AT_ERR_IO;
            if (!st) {
                sqlite3_bind_int64(s, 1, ds_project_id(db, imp->project));
                sqlite3_bind_text(s, 2, imp->dataset, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(s, 3, vid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(s, 4, imp->synthetic);
                sqlite3_bind_int64(s, 5, at_room_now());
                if (sqlite3_step(s) != SQLITE_DONE)
                    st = at_room_db_error(db, "dataset insert");
                sqlite3_reset(s);
                *row = at_room_db_last_id(db);
            }
        } else if (!st && strcmp(kind, "data")) {
            st = at_error_set(AT_ERR_ARG, "%s/%s holds %s, not imported data", imp->project, imp->dataset, kind);
        } else if (!st && syn != imp->synthetic) {
            st = at_error_set(AT_ERR_REFUSED, "%s/%s is %s", imp->project, imp->dataset,
                              syn ? "synthetic" : "not synthetic");
        }
        if (!st)
            st = at_vault_dataset_parse(vid, ds);
        if (!st)
            st = at_room_db_commit(d->room, db);
        else
            at_room_db_rollback(db);
    }
    at_room_db_put(d->room, db);
    return st;
}

/* remove what the door keeps apart: its report file and its quarantine
 * (files with a likely burned-in identity never enter the vault) */
static void door_leftovers(const char *out)
{
    static const char *const names[] = {"deid-report.json", "quarantine"};
    for (size_t i = 0; i < 2; i++) {
        char *p = at_path_join(out, names[i]);
        if (p && access(p, F_OK) == 0)
            at_remove_tree(p);
        at_free(p);
    }
    at_error_clear();
}

static at_status run_door(at_datasets *d, const at_dataset_import *imp, const char *raw, const char *out,
                          at_run *run, char **report)
{
    at_key key;
    at_status st = at_room_site_key(d->room, &key);
    const char *inputs[1] = {raw};
    if (!st && !strcmp(imp->kind, "dicom")) {
        at_deid_spec spec = {.inputs = inputs, .input_count = 1, .outdir = out,
                             .options = ds_options_of(d, imp->project), .key = &key, .sync = 0};
        at_deid_batch_result res;
        memset(&res, 0, sizeof res);
        st = at_deid_run(&spec, run, &res);
        if (!st && !res.files_done)
            st = at_error_set(AT_ERR_REFUSED, "the door wrote no file: %zu rejected, %zu quarantined of %zu",
                              res.files_rejected, res.files_quarantined, res.files_seen);
        if (!st) {
            *report = res.report_json;
            res.report_json = NULL;
        }
        at_deid_batch_result_free(&res);
        if (!st)
            door_leftovers(out);
    } else if (!st && !strcmp(imp->kind, "text")) {
        at_text_deid_spec spec = {.inputs = inputs, .input_count = 1, .outdir = out, .mode = AT_TEXT_PSEUDONYMISE,
                                  .key = &key};
        at_text_deid_result res;
        memset(&res, 0, sizeof res);
        st = at_text_deid_run(&spec, run, &res);
        if (!st && !res.written)
            st = at_error_set(AT_ERR_REFUSED, "the door wrote no document: %zu of %zu failed", res.failed,
                              res.documents);
        if (!st) {
            *report = ds_details("{\"tool\":\"atelier text deid\",\"version\":\"%s\",\"mode\":\"pseudonymise\","
                                 "\"documents\":%zu,\"written\":%zu,\"failed\":%zu,\"unmatched\":%zu,\"bytes\":%zu}",
                                 ATELIER_VERSION, res.documents, res.written, res.failed, res.unmatched, res.bytes);
            if (!*report)
                st = AT_ERR_NOMEM;
        }
        at_text_deid_result_free(&res);
    }
    memset(&key, 0, sizeof key);
    return st;
}

static void process(at_datasets *d, int slot, int64_t id)
{
    at_dataset_import imp;
    file_list fl = {0};
    char *raw = ds_import_path(d, id, "raw"), *out = ds_import_path(d, id, "out");
    char *report = NULL;
    at_status st = raw && out ? load_import(d, id, &imp, &fl) : AT_ERR_NOMEM;
    if (!st && access(out, F_OK) == 0)
        st = at_remove_tree(out); /* an earlier attempt's */
    progress_ctx pc = {.d = d, .id = id};
    pthread_mutex_init(&pc.mu, NULL);
    at_run run;
    at_run_init(&run);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    run.threads = cores > d->conf.imports ? (int)(cores / d->conf.imports) : 1;
    run.cancel = &d->cancel[slot];
    run.progress = progress_fn;
    run.progress_ud = &pc;
    const char *src = out;
    if (!st && !strcmp(imp.kind, "files")) {
        src = raw;
        report = ds_details("{\"door\":\"none\",\"synthetic\":true,\"files\":%zu}", fl.n);
        st = report ? AT_OK : AT_ERR_NOMEM;
    } else if (!st) {
        st = run_door(d, &imp, raw, out, &run, &report);
    }
    /* the quota, on what the door made */
    if (!st) {
        at_datasets_usage u;
        st = at_datasets_usage_of(d, imp.project, &u);
        uint64_t mine = imp.bytes, more = ds_tree_bytes(src);
        uint64_t others = u.pending > mine ? u.pending - mine : 0;
        if (!st && u.limit && u.used + others + more > u.limit)
            st = at_error_set(AT_ERR_QUOTA, "the storage quota of project %s (vault quota %.2f GiB) is reached: "
                                            "%.2f GiB stored, this import %.2f GiB",
                              imp.project, u.limit / 1073741824.0, u.used / 1073741824.0, more / 1073741824.0);
    }
    int64_t row = 0;
    at_vault_dataset_id ds;
    if (!st)
        st = dataset_for(d, &imp, &row, &ds);
    at_vault_snapshot_id parent, snap;
    int has_parent = 0;
    if (!st && !imp.fresh) {
        char hex[AT_VAULT_SNAPSHOT_HEX];
        if (!at_datasets_resolve(d, imp.project, imp.dataset, "latest", hex) && !at_vault_snapshot_parse(hex, &parent))
            has_parent = 1;
        at_error_clear();
    }
    at_vault_tx *tx = NULL;
    at_vault_write_options wo = {.compress = 1};
    if (!st)
        st = at_vault_begin(d->vault, &ds, has_parent ? &parent : NULL, &wo, &tx);
    if (!st && !strcmp(imp.kind, "files")) {
        for (size_t i = 0; !st && i < fl.n; i++) {
            char name[40];
            raw_name(i, fl.v[i].ext, name);
            char *p = at_path_join(raw, name);
            st = p ? at_vault_add_file(tx, p, fl.v[i].path) : AT_ERR_NOMEM;
            at_free(p);
        }
    } else if (!st) {
        st = at_vault_add_tree(tx, out, "");
    }
    if (st && tx)
        at_vault_abort(tx);
    at_room_db *db = NULL;
    int64_t uid = 0;
    if (!st) {
        db = at_room_db_get(d->room);
        uid = ds_user_id(db, imp.user);
        at_room_db_put(d->room, db);
    }
    publish_ctx c = {.d = d, .imp = &imp, .dataset_row = row, .uid = uid, .report = report};
    if (!st)
        st = at_vault_commit(tx, &run, publish, &c, &snap, NULL);
    pthread_mutex_destroy(&pc.mu);
    int stopping = 0;
    pthread_mutex_lock(&d->mu);
    stopping = d->stop;
    pthread_mutex_unlock(&d->mu);
    if (st == AT_ERR_INTERRUPTED && stopping) {
        /* the server stops: queued again at the next open, its upload kept */
        set_state(d, id, AT_IMPORT_RUNNING, AT_IMPORT_QUEUED, "queued", NULL, NULL);
        if (out && access(out, F_OK) == 0)
            at_remove_tree(out);
    } else {
        if (st) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", at_error_message()[0] ? at_error_message() : at_status_name(st));
            int changed = 0;
            set_state(d, id, AT_IMPORT_RUNNING, AT_IMPORT_FAILED, "failed", msg, &changed);
            if (changed) {
                char object[200];
                snprintf(object, sizeof object, "dataset:%s/%s", imp.project, imp.dataset);
                char *det = ds_details("{\"import\":%lld}", (long long)id);
                if (det)
                    at_room_audit(d->room, imp.user, "dataset.import.fail", object, det);
                at_free(det);
            }
            at_log(AT_LOG_INFO, "import %lld: %s", (long long)id, msg);
        }
        remove_upload(d, id); /* the raw copy never outlives its import */
    }
    at_error_clear();
    at_free(report);
    file_list_free(&fl);
    at_free(raw);
    at_free(out);
}

void *ds_worker_main(void *arg)
{
    at_datasets *d = arg;
    pthread_mutex_lock(&d->mu);
    int slot = 0;
    while (slot < DS_WORKERS_MAX && d->running[slot] != 0)
        slot++;
    d->running[slot] = -1; /* taken */
    pthread_mutex_unlock(&d->mu);
    for (;;) {
        pthread_mutex_lock(&d->mu);
        int stop = d->stop;
        pthread_mutex_unlock(&d->mu);
        if (stop)
            break;
        /* claim the oldest queued import */
        int64_t id = 0;
        at_room_db *db = at_room_db_get(d->room);
        if (at_room_db_begin(db) == AT_OK) {
            sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE dataset_imports SET state = 2, phase = 'door', step = 0, "
                                                  "total = 0, updated = ?1 WHERE id = (SELECT id FROM dataset_imports "
                                                  "WHERE state = 1 ORDER BY id LIMIT 1) RETURNING id");
            if (s) {
                sqlite3_bind_int64(s, 1, at_room_now());
                if (sqlite3_step(s) == SQLITE_ROW)
                    id = sqlite3_column_int64(s, 0);
                sqlite3_reset(s);
            }
            if (at_room_db_commit(d->room, db) != AT_OK)
                id = 0;
        }
        at_room_db_put(d->room, db);
        at_error_clear();
        if (id) {
            pthread_mutex_lock(&d->mu);
            d->running[slot] = id;
            d->cancel[slot] = d->stop;
            pthread_mutex_unlock(&d->mu);
            process(d, slot, id);
            pthread_mutex_lock(&d->mu);
            d->running[slot] = -1;
            d->cancel[slot] = 0;
            pthread_mutex_unlock(&d->mu);
            continue;
        }
        pthread_mutex_lock(&d->mu);
        if (!d->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        }
        pthread_mutex_unlock(&d->mu);
    }
    return NULL;
}

/* ---- recovery at open ---- */

at_status ds_recover(at_datasets *d)
{
    at_room_db *db = at_room_db_get(d->room);
    int64_t t = at_room_now();
    at_status st = at_room_db_begin(db);
    /* running when the server died: again from the upload */
    sqlite3_stmt *s = st ? NULL : at_room_db_stmt(db, "UPDATE dataset_imports SET state = 1, phase = 'queued', "
                                                      "updated = ? WHERE state = 2");
    if (s) {
        sqlite3_bind_int64(s, 1, t);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "imports recovery");
        else if (at_room_db_changes(db))
            at_log(AT_LOG_INFO, "datasets: %d imports the last stop interrupted are queued again",
                   at_room_db_changes(db));
        sqlite3_reset(s);
    }
    /* uploads left too long */
    s = st ? NULL : at_room_db_stmt(db, "UPDATE dataset_imports SET state = 5, phase = 'cancelled', error = "
                                        "'the upload was left unfinished', updated = ? WHERE state = 0 AND updated < ?");
    if (s) {
        sqlite3_bind_int64(s, 1, t);
        sqlite3_bind_int64(s, 2, t - (int64_t)d->conf.upload_idle_hours * 3600);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "imports recovery");
        sqlite3_reset(s);
    }
    if (!st)
        st = at_room_db_commit(d->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(d->room, db);
    if (st)
        return st;
    /* the folders: an import's upload lives while it is unfinished; its
     * door output only while it runs */
    DIR *dir = opendir(d->imports_dir);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char *end;
        long long id = strtoll(e->d_name, &end, 10);
        at_dataset_import imp;
        int keep = *end == '\0' && id > 0 && load_import(d, id, &imp, NULL) == AT_OK && imp.state < AT_IMPORT_DONE;
        at_error_clear();
        char *p = at_path_join(d->imports_dir, e->d_name);
        if (p && !keep)
            at_remove_tree(p);
        else if (p && keep) {
            char *o = at_path_join(p, "out");
            if (o && access(o, F_OK) == 0)
                at_remove_tree(o);
            at_free(o);
        }
        at_free(p);
        at_error_clear();
    }
    if (dir)
        closedir(dir);
    /* a snapshot of an imported dataset the catalog never published (the
     * server died between the manifest and the catalog's transaction) */
    db = at_room_db_get(d->room);
    s = at_room_db_stmt(db, "SELECT id, vault_id FROM job_datasets WHERE kind = 'data'");
    int64_t rows[512];
    char ids[512][AT_VAULT_DATASET_HEX];
    size_t n = 0;
    if (s) {
        while (n < 512 && sqlite3_step(s) == SQLITE_ROW) {
            rows[n] = sqlite3_column_int64(s, 0);
            snprintf(ids[n], AT_VAULT_DATASET_HEX, "%s", (const char *)sqlite3_column_text(s, 1));
            n++;
        }
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    for (size_t i = 0; i < n; i++) {
        at_vault_dataset_id ds;
        at_vault_snapshot_info *snaps = NULL;
        size_t count = 0;
        if (at_vault_dataset_parse(ids[i], &ds) || at_vault_snapshot_list(d->vault, &ds, &snaps, &count)) {
            at_error_clear();
            continue;
        }
        for (size_t k = 0; k < count; k++) {
            char hex[AT_VAULT_SNAPSHOT_HEX];
            at_vault_snapshot_hex(&snaps[k].id, hex);
            db = at_room_db_get(d->room);
            s = at_room_db_stmt(db, "SELECT 1 FROM job_snapshots WHERE dataset_id = ? AND snapshot = ?");
            int published = 1;
            if (s) {
                sqlite3_bind_int64(s, 1, rows[i]);
                sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
                published = sqlite3_step(s) == SQLITE_ROW;
                sqlite3_reset(s);
            }
            at_room_db_put(d->room, db);
            if (!published) {
                at_log(AT_LOG_INFO, "datasets: snapshot %.16s of dataset %.16s was never published: forgotten", hex,
                       ids[i]);
                at_vault_snapshot_forget(d->vault, &ds, &snaps[k].id);
                at_error_clear();
            }
        }
        at_free(snaps);
    }
    return AT_OK;
}
