/* The datasets of the room's projects in the catalog: the module's tables,
 * opening the service (settings in conf.c), and
 * reading: the datasets of a project, a dataset's snapshots with the door's
 * report, a snapshot's files, materialising a snapshot, the storage a
 * project uses, the room's garbage collector. */
#include "internal.h"

#include "atelier/deid.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const ds_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE dataset_snapshot_info("
    " dataset_id INTEGER NOT NULL REFERENCES job_datasets(id) ON DELETE CASCADE,"
    " snapshot TEXT NOT NULL, parent TEXT NOT NULL DEFAULT '',"
    " door TEXT NOT NULL CHECK(door IN ('dicom', 'text', 'files')),"
    " synthetic INTEGER NOT NULL DEFAULT 0, import_id INTEGER NOT NULL DEFAULT 0,"
    " files INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,"
    " bytes_stored INTEGER NOT NULL DEFAULT 0, report TEXT NOT NULL DEFAULT '{}',"
    " PRIMARY KEY(dataset_id, snapshot)) STRICT;"
    "CREATE TABLE dataset_imports("
    " id INTEGER PRIMARY KEY,"
    " project_id INTEGER NOT NULL REFERENCES projects(id),"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " dataset TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK(kind IN ('dicom', 'text', 'files')),"
    " synthetic INTEGER NOT NULL DEFAULT 0, fresh INTEGER NOT NULL DEFAULT 0,"
    " fingerprint TEXT NOT NULL,"
    " state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 5),"
    " files INTEGER NOT NULL, bytes INTEGER NOT NULL, manifest TEXT NOT NULL,"
    " phase TEXT NOT NULL DEFAULT '', step INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,"
    " snapshot TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL) STRICT;"
    "CREATE INDEX dataset_imports_user ON dataset_imports(user_id, id);"
    "CREATE INDEX dataset_imports_state ON dataset_imports(state, id) WHERE state < 3;",
    /* 1 -> 2 */
    "CREATE TABLE dataset_deletions("
    " id INTEGER PRIMARY KEY,"
    " project_id INTEGER NOT NULL REFERENCES projects(id),"
    " name TEXT NOT NULL, vault_id TEXT NOT NULL,"
    " requested_by INTEGER NOT NULL REFERENCES users(id), requested INTEGER NOT NULL, reason TEXT NOT NULL,"
    " confirmed_by INTEGER REFERENCES users(id), confirmed INTEGER NOT NULL DEFAULT 0,"
    " state TEXT NOT NULL CHECK(state IN ('requested', 'shredded'))) STRICT;"
    "CREATE INDEX dataset_deletions_vault ON dataset_deletions(vault_id);",
};
const int ds_migration_count = (int)(sizeof ds_migrations / sizeof *ds_migrations);

char *ds_details(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return at_strdup(buf);
}

/* ---- the service ---- */

char *ds_import_path(const at_datasets *d, int64_t id, const char *tail)
{
    char rel[96];
    snprintf(rel, sizeof rel, "%lld%s%s", (long long)id, tail ? "/" : "", tail ? tail : "");
    return at_path_join(d->imports_dir, rel);
}

at_status at_datasets_open(at_room *room, at_jobs *jobs, at_datasets **out)
{
    *out = NULL;
    if (!room || !jobs)
        return at_error_set(AT_ERR_ARG, "datasets: a room and its jobs are needed");
    at_datasets *d = at_calloc(1, sizeof *d);
    if (!d)
        return AT_ERR_NOMEM;
    d->room = room;
    d->jobs = jobs;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    pthread_mutex_init(&d->upload_mu, NULL);
    at_datasets_conf_defaults(&d->conf);
    d->dir = at_strdup(at_room_dir(room));
    d->imports_dir = d->dir ? at_path_join(d->dir, "imports") : NULL;
    at_status st = d->imports_dir ? AT_OK : AT_ERR_NOMEM;
    char *conf = st ? NULL : at_path_join(d->dir, "room.conf");
    if (conf && access(conf, F_OK) == 0)
        st = ds_conf_read_all(conf, &d->conf, d->named, &d->named_count);
    at_free(conf);
    if (!st)
        st = at_room_db_migrate(room, "datasets", ds_migrations, ds_migration_count);
    if (!st)
        st = at_mkdir_p(d->imports_dir, 0700);
    if (!st) {
        at_key key;
        at_room_master_key(room, &key);
        char *vdir = at_path_join(d->dir, "vault");
        st = vdir ? AT_OK : AT_ERR_NOMEM;
        if (!st && access(vdir, F_OK) != 0)
            st = at_vault_init(vdir, &key);
        if (!st)
            st = at_vault_open(vdir, &key, &d->vault);
        memset(&key, 0, sizeof key);
        at_free(vdir);
    }
    if (!st)
        st = ds_recover(d);
    for (int i = 0; !st && i < d->conf.imports; i++) {
        if (pthread_create(&d->workers[i], NULL, ds_worker_main, d) != 0) {
            st = at_error_set(AT_ERR_IO, "datasets: cannot start an import worker");
            break;
        }
        d->worker_count++;
    }
    if (st) {
        at_datasets_close(d);
        return at_error_prefix(st, "datasets");
    }
    *out = d;
    return AT_OK;
}

void at_datasets_close(at_datasets *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->stop = 1;
    for (int i = 0; i < DS_WORKERS_MAX; i++)
        d->cancel[i] = 1;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    for (int i = 0; i < d->worker_count; i++)
        pthread_join(d->workers[i], NULL);
    if (d->vault)
        at_vault_close(d->vault);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->upload_mu);
    at_free(d->imports_dir);
    at_free(d->dir);
    at_free(d);
}

/* ---- lookups ---- */

int64_t ds_project_id(at_room_db *db, const char *project)
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM projects WHERE name = ?");
    if (!s || !project)
        return 0;
    sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
    int64_t id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return id;
}

int64_t ds_user_id(at_room_db *db, const char *user)
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM users WHERE name = ?");
    if (!s || !user)
        return 0;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
    int64_t id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return id;
}

at_status ds_dataset_row(at_room_db *db, const char *project, const char *name, int64_t *row,
                         char vault_id[AT_VAULT_DATASET_HEX], char kind[16], int *synthetic)
{
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT d.id, d.vault_id, d.kind, d.synthetic FROM job_datasets d "
                            "JOIN projects p ON p.id = d.project_id WHERE p.name = ? AND d.name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(s) == SQLITE_ROW;
    if (found) {
        if (row)
            *row = sqlite3_column_int64(s, 0);
        if (vault_id)
            snprintf(vault_id, AT_VAULT_DATASET_HEX, "%s", (const char *)sqlite3_column_text(s, 1));
        if (kind)
            snprintf(kind, 16, "%s", (const char *)sqlite3_column_text(s, 2));
        if (synthetic)
            *synthetic = sqlite3_column_int(s, 3);
    }
    sqlite3_reset(s);
    return found ? AT_OK : at_error_set(AT_ERR_NOT_FOUND, "project %s has no dataset '%s'", project, name);
}

#define DATASET_SQL                                                                                          \
    "SELECT p.name, d.name, d.vault_id, d.kind, d.synthetic, d.created,"                                     \
    " (SELECT COUNT(*) FROM job_snapshots s WHERE s.dataset_id = d.id),"                                     \
    " (SELECT s.snapshot FROM job_snapshots s WHERE s.dataset_id = d.id ORDER BY s.created DESC, s.rowid "   \
    "DESC"                                                                                                   \
    "  LIMIT 1) FROM job_datasets d JOIN projects p ON p.id = d.project_id "

static void dataset_from_row(sqlite3_stmt *s, at_dataset *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->project, sizeof o->project, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(o->name, sizeof o->name, "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(o->dataset_id, sizeof o->dataset_id, "%s", (const char *)sqlite3_column_text(s, 2));
    snprintf(o->kind, sizeof o->kind, "%s", (const char *)sqlite3_column_text(s, 3));
    o->synthetic = sqlite3_column_int(s, 4);
    o->created = (time_t)sqlite3_column_int64(s, 5);
    o->snapshots = (size_t)sqlite3_column_int64(s, 6);
    if (sqlite3_column_type(s, 7) == SQLITE_TEXT)
        snprintf(o->latest, sizeof o->latest, "%s", (const char *)sqlite3_column_text(s, 7));
}

/* files and bytes of the latest snapshot: the catalog's row when the door
 * made it, else the manifest's */
static void dataset_counts(at_datasets *d, at_room_db *db, at_dataset *o)
{
    if (!o->latest[0])
        return;
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT i.files, i.bytes FROM dataset_snapshot_info i JOIN job_datasets "
                            "d ON d.id = i.dataset_id WHERE d.vault_id = ? AND i.snapshot = ?");
    if (s) {
        sqlite3_bind_text(s, 1, o->dataset_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, o->latest, -1, SQLITE_TRANSIENT);
        int found = sqlite3_step(s) == SQLITE_ROW;
        if (found) {
            o->files = (uint64_t)sqlite3_column_int64(s, 0);
            o->bytes = (uint64_t)sqlite3_column_int64(s, 1);
        }
        sqlite3_reset(s);
        if (found)
            return;
    }
    at_vault_dataset_id ds;
    at_vault_snapshot_id snap;
    at_vault_manifest *m = NULL;
    if (!at_vault_dataset_parse(o->dataset_id, &ds) && !at_vault_snapshot_parse(o->latest, &snap) &&
        !at_vault_manifest_load(d->vault, &ds, &snap, &m)) {
        o->files = m->file_count;
        o->bytes = m->bytes;
    }
    at_vault_manifest_free(m);
    at_error_clear();
}

at_status at_datasets_list(at_datasets *d, const char *project, int synthetic_only, at_dataset **out,
                           size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, DATASET_SQL "WHERE p.name = ? ORDER BY d.name");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (s) {
        sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        while (!st && sqlite3_step(s) == SQLITE_ROW) {
            if (synthetic_only && !sqlite3_column_int(s, 4))
                continue;
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            dataset_from_row(s, &(*out)[(*count)++]);
        }
        sqlite3_reset(s);
    }
    for (size_t i = 0; !st && i < *count; i++)
        dataset_counts(d, db, &(*out)[i]);
    at_room_db_put(d->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

at_status at_datasets_get(at_datasets *d, const char *project, const char *name, at_dataset *out)
{
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, DATASET_SQL "WHERE p.name = ? AND d.name = ?");
    at_status st = s ? AT_OK : AT_ERR_IO;
    if (s) {
        sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            dataset_from_row(s, out);
        else
            st = at_error_set(AT_ERR_NOT_FOUND, "project %s has no dataset '%s'", project, name);
        sqlite3_reset(s);
    }
    if (!st)
        dataset_counts(d, db, out);
    at_room_db_put(d->room, db);
    return st;
}

void at_dataset_snapshots_free(at_dataset_snapshot *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        at_free(s[i].report);
    at_free(s);
}

at_status at_datasets_log(at_datasets *d, const char *project, const char *name, at_dataset_snapshot **out,
                          size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(d->room);
    int64_t row = 0;
    char kind[16];
    int syn_ds = 0;
    at_status st = ds_dataset_row(db, project, name, &row, NULL, kind, &syn_ds);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db,
                             "SELECT s.snapshot, s.created, COALESCE(u.name, ''), COALESCE(s.job_id, 0),"
                             " COALESCE(i.import_id, 0), COALESCE(i.door, ''), COALESCE(i.synthetic, 0),"
                             " COALESCE(i.files, -1), COALESCE(i.bytes, 0), COALESCE(i.bytes_stored, 0),"
                             " COALESCE(i.report, '{}'), COALESCE(i.parent, '')"
                             " FROM job_snapshots s LEFT JOIN users u ON u.id = s.user_id"
                             " LEFT JOIN dataset_snapshot_info i ON i.dataset_id = s.dataset_id AND"
                             " i.snapshot = s.snapshot WHERE s.dataset_id = ? ORDER BY s.created, s.rowid");
    if (!st && !s)
        st = AT_ERR_IO;
    size_t cap = 0;
    if (s) {
        sqlite3_bind_int64(s, 1, row);
        while (!st && sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_dataset_snapshot *o = &(*out)[(*count)++];
            memset(o, 0, sizeof *o);
            snprintf(o->id, sizeof o->id, "%s", (const char *)sqlite3_column_text(s, 0));
            o->created = (time_t)sqlite3_column_int64(s, 1);
            snprintf(o->user, sizeof o->user, "%s", (const char *)sqlite3_column_text(s, 2));
            o->job = sqlite3_column_int64(s, 3);
            o->import = sqlite3_column_int64(s, 4);
            const char *door = (const char *)sqlite3_column_text(s, 5);
            snprintf(o->door, sizeof o->door, "%s",
                     door[0]                 ? door
                     : !strcmp(kind, "code") ? "code"
                     : o->job                ? "job"
                                             : "room"); /* stored by the room itself (course data) */
            o->synthetic = door[0] ? sqlite3_column_int(s, 6) : syn_ds;
            int64_t files = sqlite3_column_int64(s, 7);
            o->files = files < 0 ? 0 : (uint64_t)files;
            o->bytes = (uint64_t)sqlite3_column_int64(s, 8);
            o->bytes_stored = (uint64_t)sqlite3_column_int64(s, 9);
            o->report = at_strdup((const char *)sqlite3_column_text(s, 10));
            snprintf(o->parent, sizeof o->parent, "%s", (const char *)sqlite3_column_text(s, 11));
            if (!o->report)
                st = AT_ERR_NOMEM;
            if (files < 0) { /* a job's or a push's snapshot: the manifest knows */
                at_vault_dataset_id ds;
                at_vault_snapshot_id sn;
                at_vault_manifest *m = NULL;
                char vid[AT_VAULT_DATASET_HEX];
                if (!ds_dataset_row(db, project, name, NULL, vid, NULL, NULL) &&
                    !at_vault_dataset_parse(vid, &ds) && !at_vault_snapshot_parse(o->id, &sn) &&
                    !at_vault_manifest_load(d->vault, &ds, &sn, &m)) {
                    o->files = m->file_count;
                    o->bytes = m->bytes;
                    if (m->has_parent)
                        at_vault_snapshot_hex(&m->parent, o->parent);
                }
                at_vault_manifest_free(m);
                at_error_clear();
            }
        }
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    if (st) {
        at_dataset_snapshots_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return st;
}

at_status at_datasets_resolve(at_datasets *d, const char *project, const char *name, const char *text,
                              char out[AT_VAULT_SNAPSHOT_HEX])
{
    if (!text || !*text)
        text = "latest";
    size_t tl = strlen(text);
    int latest = !strcmp(text, "latest");
    if (!latest) {
        if (tl < 4 || tl > 64)
            return at_error_set(AT_ERR_ARG, "a snapshot is 'latest' or 4 to 64 hex digits");
        for (size_t i = 0; i < tl; i++)
            if (!isxdigit((unsigned char)text[i]))
                return at_error_set(AT_ERR_ARG, "a snapshot is 'latest' or 4 to 64 hex digits");
    }
    at_room_db *db = at_room_db_get(d->room);
    int64_t row = 0;
    at_status st = ds_dataset_row(db, project, name, &row, NULL, NULL, NULL);
    sqlite3_stmt *s = st ? NULL
                         : at_room_db_stmt(db, "SELECT snapshot FROM job_snapshots WHERE dataset_id = ? "
                                               "ORDER BY created, rowid");
    if (!st && !s)
        st = AT_ERR_IO;
    int found = 0;
    if (s) {
        sqlite3_bind_int64(s, 1, row);
        while (sqlite3_step(s) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(s, 0);
            if (latest || !strncasecmp(id, text, tl)) {
                if (!latest && found && strcmp(out, id)) {
                    found = 2;
                    break;
                }
                snprintf(out, AT_VAULT_SNAPSHOT_HEX, "%s", id);
                found = 1;
            }
        }
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    if (st)
        return st;
    if (found == 2)
        return at_error_set(AT_ERR_ARG, "%s/%s: snapshot '%s' is ambiguous", project, name, text);
    if (!found)
        return at_error_set(AT_ERR_NOT_FOUND, "%s/%s has no snapshot %s", project, name, text);
    return AT_OK;
}

int at_datasets_is_synthetic(at_datasets *d, const char *project, const char *name, const char *snapshot)
{
    at_room_db *db = at_room_db_get(d->room);
    int64_t row = 0;
    int syn = 0;
    at_status st = ds_dataset_row(db, project, name, &row, NULL, NULL, &syn);
    if (!st && snapshot) {
        char full[AT_VAULT_SNAPSHOT_HEX];
        at_room_db_put(d->room, db);
        st = at_datasets_resolve(d, project, name, snapshot, full);
        db = at_room_db_get(d->room);
        sqlite3_stmt *s = st ? NULL
                             : at_room_db_stmt(db, "SELECT synthetic FROM dataset_snapshot_info "
                                                   "WHERE dataset_id = ? AND snapshot = ?");
        if (s) { /* a snapshot the door did not make (a job's, course data) has the dataset's flag */
            sqlite3_bind_int64(s, 1, row);
            sqlite3_bind_text(s, 2, full, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) == SQLITE_ROW)
                syn = sqlite3_column_int(s, 0);
            sqlite3_reset(s);
        }
    }
    at_room_db_put(d->room, db);
    return st ? st : syn ? 1 : 0;
}

/* vault ids of project/name and a resolved snapshot */
static at_status locate(at_datasets *d, const char *project, const char *name, const char *snapshot,
                        at_vault_dataset_id *ds, at_vault_snapshot_id *snap, char full[AT_VAULT_SNAPSHOT_HEX])
{
    char vid[AT_VAULT_DATASET_HEX];
    at_room_db *db = at_room_db_get(d->room);
    at_status st = ds_dataset_row(db, project, name, NULL, vid, NULL, NULL);
    at_room_db_put(d->room, db);
    if (!st)
        st = at_datasets_resolve(d, project, name, snapshot, full);
    if (!st)
        st = at_vault_dataset_parse(vid, ds);
    if (!st)
        st = at_vault_snapshot_parse(full, snap);
    return st;
}

void at_dataset_files_free(at_dataset_file *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++)
        at_free(f[i].path);
    at_free(f);
}

at_status at_datasets_files(at_datasets *d, const char *project, const char *name, const char *snapshot,
                            at_dataset_file **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_vault_dataset_id ds;
    at_vault_snapshot_id snap;
    char full[AT_VAULT_SNAPSHOT_HEX];
    at_status st = locate(d, project, name, snapshot, &ds, &snap, full);
    at_vault_manifest *m = NULL;
    if (!st)
        st = at_vault_manifest_load(d->vault, &ds, &snap, &m);
    if (!st && m->file_count) {
        *out = at_calloc(m->file_count, sizeof **out);
        if (!*out)
            st = AT_ERR_NOMEM;
    }
    for (size_t i = 0; !st && m && i < m->file_count; i++) {
        (*out)[i].path = at_strdup(m->files[i].path);
        (*out)[i].size = m->files[i].size;
        (*out)[i].mode = m->files[i].mode;
        if (!(*out)[i].path)
            st = AT_ERR_NOMEM;
        *count = i + 1;
    }
    at_vault_manifest_free(m);
    if (st) {
        at_dataset_files_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return st;
}

at_status at_datasets_materialise(at_datasets *d, const char *by, const char *project, const char *name,
                                  const char *snapshot, const char *subpath, const char *dest, at_run *run,
                                  at_vault_read_stats *stats)
{
    at_vault_dataset_id ds;
    at_vault_snapshot_id snap;
    char full[AT_VAULT_SNAPSHOT_HEX];
    at_status st = locate(d, project, name, snapshot, &ds, &snap, full);
    if (!st && subpath && *subpath)
        st = at_vault_path_check(subpath);
    at_vault_read_options ro = {.check_hashes = 0};
    if (!st)
        st = at_vault_materialise(d->vault, &ds, &snap, subpath && *subpath ? subpath : NULL, dest, &ro, run,
                                  stats);
    if (!st) {
        char object[200];
        snprintf(object, sizeof object, "dataset:%s/%s@%.16s", project, name, full);
        char *det = ds_details("{\"part\":%s}", subpath && *subpath ? "\"one path\"" : "\"all\"");
        st = det ? at_room_audit(d->room, by ? by : "room", "dataset.get", object, det) : AT_ERR_NOMEM;
        at_free(det);
        if (st)
            at_remove_tree(dest); /* not audited: not given */
    }
    return st ? at_error_prefix(st, "dataset %s/%s", project, name) : AT_OK;
}

/* ---- storage ---- */

uint64_t ds_tree_bytes(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0;
    if (S_ISREG(sb.st_mode))
        return (uint64_t)sb.st_size;
    if (!S_ISDIR(sb.st_mode))
        return 0;
    DIR *dir = opendir(path);
    if (!dir)
        return 0;
    uint64_t sum = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *sub = at_path_join(path, e->d_name);
        if (sub)
            sum += ds_tree_bytes(sub);
        at_free(sub);
    }
    closedir(dir);
    return sum;
}

at_status at_datasets_usage_of(at_datasets *d, const char *project, at_datasets_usage *out)
{
    memset(out, 0, sizeof *out);
    out->limit = ds_quota_of(d, project);
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT d.vault_id FROM job_datasets d JOIN projects p ON "
                                          "p.id = d.project_id WHERE p.name = ?");
    at_status st = s ? AT_OK : AT_ERR_IO;
    if (s) {
        sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            char rel[80];
            snprintf(rel, sizeof rel, "vault/datasets/%s", (const char *)sqlite3_column_text(s, 0));
            char *p = at_path_join(d->dir, rel);
            if (p)
                out->used += ds_tree_bytes(p);
            at_free(p);
        }
        sqlite3_reset(s);
    }
    s = st ? NULL
           : at_room_db_stmt(db, "SELECT COALESCE(SUM(i.bytes), 0) FROM dataset_imports i JOIN projects p ON "
                                 "p.id = i.project_id WHERE p.name = ? AND i.state < 3");
    if (s) {
        sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            out->pending = (uint64_t)sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    return st;
}

/* ---- garbage collection ---- */

typedef struct {
    at_datasets *d;
} gc_ctx;

/* live: a snapshot the catalog publishes, or any snapshot of a dataset
 * that is not an import's (results are published after their runner
 * committed them), or of a dataset the catalog does not know (left alone) */
static int gc_live(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap)
{
    gc_ctx *g = ud;
    char dhex[AT_VAULT_DATASET_HEX], shex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_dataset_hex(ds, dhex);
    at_vault_snapshot_hex(snap, shex);
    at_room_db *db = at_room_db_get(g->d->room);
    int live = 1;
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT d.kind, (SELECT COUNT(*) FROM job_snapshots s WHERE "
                                          "s.dataset_id = d.id AND s.snapshot = ?) FROM job_datasets d "
                                          "WHERE d.vault_id = ?");
    if (s) {
        sqlite3_bind_text(s, 1, shex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, dhex, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            live = strcmp((const char *)sqlite3_column_text(s, 0), "data") || sqlite3_column_int(s, 1) > 0;
        sqlite3_reset(s);
    }
    at_room_db_put(g->d->room, db);
    return live;
}

at_status at_datasets_gc(at_datasets *d, const char *by, at_run *run, at_vault_gc_stats *stats)
{
    gc_ctx g = {.d = d};
    at_vault_gc_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    at_status st = at_vault_gc(d->vault, NULL, gc_live, &g, run, stats);
    char *det =
        ds_details("{\"ok\":%s,\"snapshots_forgotten\":%zu,\"chunks_removed\":%zu,\"bytes_freed\":%llu}",
                   st ? "false" : "true", stats->snapshots_forgotten, stats->chunks_removed,
                   (unsigned long long)stats->bytes_freed);
    at_status a = det ? at_room_audit(d->room, by ? by : "room", "vault.gc", "vault", det) : AT_ERR_NOMEM;
    at_free(det);
    return st ? st : a;
}
