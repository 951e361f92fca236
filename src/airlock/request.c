/* Export requests: the service, drafts, their files (added through the
 * file source, hashed and checked), the rounding transformation, the
 * author's exceptions, submission (the checks again, then blocked or in
 * review), withdrawal, comments, views. Every step is an event of the
 * request's history and an audit entry in the same transaction; reading
 * a source happens before the transaction, never while the catalog's
 * writer lock is held. */
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

at_status at_airlock_open(at_room *room, const at_airlock_source *source, at_airlock **out)
{
    *out = NULL;
    at_airlock *a = at_calloc(1, sizeof *a);
    if (!a)
        return AT_ERR_NOMEM;
    a->room = room;
    if (source)
        a->source = *source;
    at_airlock_conf_defaults(&a->conf);
    char *conf = at_path_join(at_room_dir(room), "room.conf");
    at_status st = conf ? at_airlock_conf_read(conf, &a->conf) : AT_ERR_NOMEM;
    at_free(conf);
    if (!st)
        st = at_room_db_migrate(room, "airlock", airlock_migrations, airlock_migration_count);
    if (!st && at_text_deid_new(NULL, &a->detector) != AT_OK) {
        /* without its dictionaries the identifiers are left to the reviewers (each check says so) */
        at_log(AT_LOG_WARN,
               "airlock: the text detector is not available (%s): identifiers go to the reviewers",
               at_error_message());
        at_error_clear();
        a->detector = NULL;
    }
    if (st) {
        a->source.close = NULL; /* the caller keeps its source on failure */
        at_airlock_close(a);
        return st;
    }
    *out = a;
    return AT_OK;
}

void at_airlock_close(at_airlock *a)
{
    if (!a)
        return;
    if (a->source.close)
        a->source.close(a->source.ud);
    at_text_deid_free(a->detector);
    at_free(a);
}

const at_airlock_conf *at_airlock_config(const at_airlock *a)
{
    return &a->conf;
}

int at_airlock_is_checker(const at_airlock *a, const char *user)
{
    return at_airlock_conf_is_checker(&a->conf, user);
}

void airlock_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* ---- reading ---- */

at_status at_airlock_get(at_airlock *a, int64_t id, at_airlock_request *out)
{
    at_room_db *db = at_room_db_get(a->room);
    at_status st = airlock_request_load(db, id, out);
    at_room_db_put(a->room, db);
    return st;
}

at_status at_airlock_list(at_airlock *a, const at_airlock_filter *f, at_airlock_request **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    int64_t limit = f && f->limit > 0 && f->limit <= 5000 ? f->limit : 500;
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT " AIRLOCK_REQUEST_COLUMNS
                                          "WHERE (?1 IS NULL OR p.name = ?1) AND (?2 IS NULL OR u.name = ?2) "
                                          "AND (?3 < 0 OR r.state = ?3) ORDER BY r.id DESC LIMIT ?4");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (!st) {
        if (f && f->project)
            sqlite3_bind_text(s, 1, f->project, -1, SQLITE_TRANSIENT);
        if (f && f->author)
            sqlite3_bind_text(s, 2, f->author, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 3, f ? f->state : -1);
        sqlite3_bind_int64(s, 4, limit);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            airlock_request_row(s, &(*out)[(*count)++]);
        }
        if (!st && rc != SQLITE_DONE)
            st = at_room_db_error(db, "export requests");
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

static at_status files_load(at_room_db *db, int64_t request, at_airlock_file **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT " AIRLOCK_FILE_COLUMNS "WHERE f.request_id = ? ORDER BY f.name");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, request);
    at_status st = AT_OK;
    size_t cap = 0;
    int rc;
    while (!st && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        st = AT_GROW(*out, cap, *count + 1);
        if (st)
            break;
        st = airlock_file_row(s, &(*out)[(*count)++]);
    }
    sqlite3_reset(s);
    if (st) {
        at_airlock_files_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return st;
}

at_status at_airlock_files(at_airlock *a, int64_t request, at_airlock_file **out, size_t *count)
{
    at_room_db *db = at_room_db_get(a->room);
    at_status st = files_load(db, request, out, count);
    at_room_db_put(a->room, db);
    return st;
}

static at_status file_load(at_room_db *db, int64_t request, int64_t file_id, at_airlock_file *out)
{
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT " AIRLOCK_FILE_COLUMNS "WHERE f.request_id = ? AND f.id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, request);
    sqlite3_bind_int64(s, 2, file_id);
    at_status st = sqlite3_step(s) == SQLITE_ROW
                       ? airlock_file_row(s, out)
                       : at_error_set(AT_ERR_NOT_FOUND, "export request %lld has no file %lld",
                                      (long long)request, (long long)file_id);
    sqlite3_reset(s);
    return st;
}

at_status at_airlock_events(at_airlock *a, int64_t request, at_airlock_event **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT time, actor, what, file_id, text FROM airlock_events WHERE "
                                          "request_id = ? ORDER BY id LIMIT 5000");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, request);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_airlock_event *e = &(*out)[(*count)++];
            e->time = (time_t)sqlite3_column_int64(s, 0);
            snprintf(e->actor, sizeof e->actor, "%s", (const char *)sqlite3_column_text(s, 1));
            snprintf(e->what, sizeof e->what, "%s", (const char *)sqlite3_column_text(s, 2));
            e->file_id = sqlite3_column_int64(s, 3);
            snprintf(e->text, sizeof e->text, "%s", (const char *)sqlite3_column_text(s, 4));
        }
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

/* ---- the author's edits ---- */

static int editable(at_airlock_state s)
{
    return s == AT_AIRLOCK_DRAFT || s == AT_AIRLOCK_BLOCKED || s == AT_AIRLOCK_RETURNED;
}

static at_status text_check(const char *what, const char *text, size_t max)
{
    size_t n = text ? strlen(text) : 0, bad;
    if (n > max)
        return at_error_set(AT_ERR_LIMIT, "%s: longer than %zu bytes", what, max);
    if (n && at_text_utf8_check(text, n, &bad) != 0)
        return at_error_set(AT_ERR_ARG, "%s: not UTF-8 (byte %zu)", what, bad);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n' && text[i] != '\t' && text[i] != '\r')
            return at_error_set(AT_ERR_ARG, "%s: a control character at byte %zu", what, i);
    return AT_OK;
}

/* The request, checked to be the author's and in an editable state. */
static at_status author_request(at_room_db *db, const char *by, int64_t request, int need_editable,
                                at_airlock_request *r)
{
    at_status st = airlock_request_load(db, request, r);
    if (st)
        return st;
    if (!by || strcmp(by, r->author))
        return at_error_set(AT_ERR_DENIED, "export request %lld is %s's: only its author may change it",
                            (long long)request, r->author);
    if (need_editable && !editable(r->state))
        return at_error_set(AT_ERR_ARG,
                            "export request %lld is %s: its files change only while it is a draft, "
                            "blocked or returned",
                            (long long)request, at_airlock_state_name(r->state));
    return AT_OK;
}

at_status at_airlock_create(at_airlock *a, const char *by, const char *project, const char *title,
                            int64_t *id)
{
    *id = 0;
    at_status st = text_check("title", title, AT_ROOM_TEXT_MAX);
    if (st)
        return st;
    at_room_db *db = at_room_db_get(a->room);
    st = at_room_db_begin(db);
    int64_t uid = 0, pid = 0;
    unsigned roles;
    if (!st)
        st = airlock_user(db, by, &uid, &roles);
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "SELECT p.id FROM projects p JOIN members m ON m.project_id = p.id "
                                "WHERE p.name = ? AND m.user_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_text(s, 1, project ? project : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 2, uid);
            if (sqlite3_step(s) == SQLITE_ROW)
                pid = sqlite3_column_int64(s, 0);
            sqlite3_reset(s);
            if (!pid)
                st = at_error_set(AT_ERR_DENIED, "%s is not a member of project %.64s", by,
                                  project ? project : "");
        }
    }
    time_t now = at_room_now();
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "INSERT INTO airlock_requests(project_id, author_id, title, state, "
                                "created, updated) VALUES (?, ?, ?, 0, ?, ?)");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, pid);
            sqlite3_bind_int64(s, 2, uid);
            sqlite3_bind_text(s, 3, title ? title : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
            sqlite3_bind_int64(s, 5, (sqlite3_int64)now);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export request");
            sqlite3_reset(s);
            *id = at_room_db_last_id(db);
        }
    }
    if (!st)
        st = airlock_event(db, *id, by, "created", 0, NULL);
    char *d = st ? NULL : airlock_details("{\"project\":%s}", project);
    if (!st)
        st = d ? airlock_audit(db, by, "create", *id, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    if (st)
        *id = 0;
    return st;
}

static at_airlock_check_ctx check_ctx(at_airlock *a, const char *project, int rounded)
{
    return (at_airlock_check_ctx){.conf = &a->conf,
                                  .threshold = at_airlock_threshold(&a->conf, project),
                                  .detector = a->detector,
                                  .rounded = rounded};
}

/* What a file becomes once taken from its source: bytes, hash, checks, lineage. */
typedef struct {
    at_airlock_ref ref;
    uint64_t size;
    char sha256[65];
    at_airlock_checks checks;
    char *lineage;
    char name[AT_AIRLOCK_NAME_MAX + 1];
} taken;

static void taken_free(taken *t)
{
    at_airlock_checks_free(&t->checks);
    at_free(t->lineage);
    t->lineage = NULL;
}

static at_status take(at_airlock *a, const char *project, const at_airlock_add_spec *spec, taken *t)
{
    memset(t, 0, sizeof *t);
    if (!a->source.resolve || !a->source.read)
        return at_error_set(AT_ERR_UNSUPPORTED, "the airlock has no file source in this room");
    if (!spec || !spec->kind || !spec->id || (strcmp(spec->kind, "result") && strcmp(spec->kind, "log")))
        return at_error_set(AT_ERR_ARG,
                            "a file comes from a job's \"result\" or a job's \"log\" (source, id)");
    const char *path = spec->path && *spec->path ? spec->path : !strcmp(spec->kind, "log") ? "log" : "";
    if (strlen(spec->id) > AT_AIRLOCK_ID_MAX || strlen(path) > AT_VAULT_PATH_MAX)
        return at_error_set(AT_ERR_LIMIT, "a source id or path is too long");
    snprintf(t->ref.kind, sizeof t->ref.kind, "%s", spec->kind);
    snprintf(t->ref.id, sizeof t->ref.id, "%s", spec->id);
    snprintf(t->ref.path, sizeof t->ref.path, "%s", path);
    /* its name in the package: given, else the path's last component (a log: job-N.log) */
    const char *name = spec->name && *spec->name ? spec->name : NULL;
    char dflt[AT_AIRLOCK_NAME_MAX + 1];
    if (!name) {
        if (!strcmp(spec->kind, "log"))
            snprintf(dflt, sizeof dflt, "job-%.40s.log", spec->id);
        else {
            const char *slash = strrchr(path, '/');
            snprintf(dflt, sizeof dflt, "%s", slash ? slash + 1 : path);
        }
        name = dflt;
    }
    if (strlen(name) > AT_AIRLOCK_NAME_MAX)
        return at_error_set(AT_ERR_LIMIT, "a file's name in the package is at most %d bytes",
                            AT_AIRLOCK_NAME_MAX);
    at_status st = at_vault_path_check(name);
    if (st)
        return at_error_prefix(st, "the file's name");
    snprintf(t->name, sizeof t->name, "%s", name);
    st = a->source.resolve(a->source.ud, project, &t->ref, &t->size);
    if (st)
        return st;
    unsigned char *data = NULL;
    size_t len = 0;
    if (t->size <= a->conf.file_max) {
        st = a->source.read(a->source.ud, project, &t->ref, (size_t)a->conf.file_max, &data, &len);
        if (st)
            return st;
        if (len != t->size) {
            at_free(data);
            return at_error_set(AT_ERR_FORMAT, "%s: read %zu bytes of %llu", t->name, len,
                                (unsigned long long)t->size);
        }
        airlock_sha256_hex(data, len, t->sha256);
    } else {
        snprintf(t->sha256, sizeof t->sha256, "%s", "-"); /* not read: it fails the size check */
    }
    at_airlock_check_ctx ctx = check_ctx(a, project, 0);
    st = at_airlock_check_file(&ctx, t->name, data, len, t->size, &t->checks);
    at_free(data);
    if (!st)
        st = a->source.lineage ? a->source.lineage(a->source.ud, project, &t->ref, &t->lineage)
                               : ((t->lineage = at_strdup("{}")) ? AT_OK : AT_ERR_NOMEM);
    if (st)
        taken_free(t);
    return st;
}

static at_status request_totals(at_room_db *db, int64_t request, int64_t except, size_t *files,
                                uint64_t *bytes)
{
    sqlite3_stmt *s = at_room_db_stmt(
        db, "SELECT count(*), coalesce(sum(size), 0) FROM airlock_files WHERE request_id = ? AND id <> ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, request);
    sqlite3_bind_int64(s, 2, except);
    at_status st = sqlite3_step(s) == SQLITE_ROW ? AT_OK : at_room_db_error(db, "export files");
    *files = (size_t)sqlite3_column_int64(s, 0);
    *bytes = (uint64_t)sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return st;
}

at_status at_airlock_add(at_airlock *a, const char *by, int64_t request, const at_airlock_add_spec *spec,
                         int64_t *file_id)
{
    *file_id = 0;
    at_airlock_request r;
    at_room_db *db = at_room_db_get(a->room);
    at_status st = author_request(db, by, request, 1, &r);
    at_room_db_put(a->room, db);
    const char *role = spec && spec->role && *spec->role ? spec->role : "output";
    if (!st && strcmp(role, "output") && strcmp(role, "supporting"))
        st = at_error_set(AT_ERR_ARG, "a file's role is \"output\" or \"supporting\"");
    if (!st)
        st = text_check("justification", spec ? spec->justification : NULL, AT_AIRLOCK_TEXT_MAX);
    taken t;
    if (!st)
        st = take(a, r.project, spec, &t);
    if (st)
        return st;
    db = at_room_db_get(a->room);
    st = at_room_db_begin(db);
    if (!st)
        st = author_request(db, by, request, 1, &r);
    size_t files = 0;
    uint64_t bytes = 0;
    if (!st)
        st = request_totals(db, request, 0, &files, &bytes);
    if (!st && files >= AT_AIRLOCK_FILES_MAX)
        st = at_error_set(AT_ERR_LIMIT, "export request %lld: at most %d files", (long long)request,
                          AT_AIRLOCK_FILES_MAX);
    if (!st && bytes + t.size > a->conf.request_max)
        st = at_error_set(AT_ERR_LIMIT,
                          "export request %lld: its files would pass %llu bytes (airlock.request_max_mb)",
                          (long long)request, (unsigned long long)a->conf.request_max);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(
            db, "INSERT INTO airlock_files(request_id, name, role, justification, source_kind, source_id, "
                "source_path, size, sha256, type, outcome, hard, needs_dpo, checks, lineage, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, request);
            sqlite3_bind_text(s, 2, t.name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, role, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, spec->justification ? spec->justification : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 5, t.ref.kind, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 6, t.ref.id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 7, t.ref.path, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 8, (sqlite3_int64)t.size);
            sqlite3_bind_text(s, 9, t.sha256, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 10, t.checks.type, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(s, 11, t.checks.outcome);
            sqlite3_bind_int(s, 12, t.checks.hard);
            sqlite3_bind_int(s, 13, t.checks.needs_dpo);
            sqlite3_bind_text(s, 14, t.checks.json, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 15, t.lineage, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 16, (sqlite3_int64)at_room_now());
            int rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT)
                st = at_error_set(AT_ERR_EXISTS, "export request %lld already has a file named %s",
                                  (long long)request, t.name);
            else if (rc != SQLITE_DONE)
                st = at_room_db_error(db, "export file");
            else
                *file_id = at_room_db_last_id(db);
        }
    }
    if (!st)
        st = airlock_event(db, request, by, "file-added", *file_id, t.name);
    char *d =
        st ? NULL
           : airlock_details("{\"file\":%s,\"source\":%s,\"id\":%s,\"path\":%s,\"bytes\":%llu,\"sha256\":%s,"
                             "\"checks\":%s}",
                             t.name, t.ref.kind, t.ref.id, t.ref.path, (unsigned long long)t.size, t.sha256,
                             at_check_outcome_name(t.checks.outcome));
    if (!st)
        st = d ? airlock_audit(db, by, "file.add", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    taken_free(&t);
    if (st)
        *file_id = 0;
    return st;
}

at_status at_airlock_remove(at_airlock *a, const char *by, int64_t request, int64_t file_id)
{
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    at_airlock_file f = {0};
    if (!st)
        st = author_request(db, by, request, 1, &r);
    if (!st)
        st = file_load(db, request, file_id, &f);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "DELETE FROM airlock_files WHERE id = ? AND request_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, file_id);
            sqlite3_bind_int64(s, 2, request);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export file");
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = airlock_event(db, request, by, "file-removed", file_id, f.name);
    char *d = st ? NULL : airlock_details("{\"file\":%s}", f.name);
    if (!st)
        st = d ? airlock_audit(db, by, "file.remove", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    at_free(f.checks);
    at_free(f.lineage);
    return st;
}

/* Change a file's content and source in the open transaction: when the
 * bytes differ its version is bumped and every vote on it deleted. */
static at_status file_update(at_room_db *db, const char *by, int64_t request, const at_airlock_file *old,
                             const taken *t, const char *transform, const char *what)
{
    int changed = strcmp(old->sha256, t->sha256) != 0;
    sqlite3_stmt *s = at_room_db_stmt(
        db, "UPDATE airlock_files SET source_kind = ?, source_id = ?, source_path = ?, size = ?, sha256 = ?, "
            "type = ?, outcome = ?, hard = ?, needs_dpo = ?, checks = ?, lineage = ?, transform = ?, "
            "version = version + ? WHERE id = ? AND request_id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, t->ref.kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, t->ref.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, t->ref.path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)t->size);
    sqlite3_bind_text(s, 5, t->sha256, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, t->checks.type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 7, t->checks.outcome);
    sqlite3_bind_int(s, 8, t->checks.hard);
    sqlite3_bind_int(s, 9, t->checks.needs_dpo);
    sqlite3_bind_text(s, 10, t->checks.json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 11, t->lineage, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 12, transform, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 13, changed);
    sqlite3_bind_int64(s, 14, old->id);
    sqlite3_bind_int64(s, 15, request);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return at_room_db_error(db, "export file");
    at_status st = AT_OK;
    int reset = 0;
    if (changed) {
        s = at_room_db_stmt(db, "DELETE FROM airlock_votes WHERE file_id = ?");
        if (!s)
            return AT_ERR_IO;
        sqlite3_bind_int64(s, 1, old->id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "export votes");
        reset = at_room_db_changes(db);
        sqlite3_reset(s);
    }
    if (!st)
        st = airlock_event(db, request, by, what, old->id, old->name);
    char *d =
        st ? NULL
           : airlock_details("{\"file\":%s,\"source\":%s,\"id\":%s,\"path\":%s,\"bytes\":%llu,\"sha256\":%s,"
                             "\"changed\":%d,\"votes_reset\":%d,\"checks\":%s}",
                             old->name, t->ref.kind, t->ref.id, t->ref.path, (unsigned long long)t->size,
                             t->sha256, changed, reset, at_check_outcome_name(t->checks.outcome));
    if (!st)
        st = d ? airlock_audit(db, by, !strcmp(what, "file-transformed") ? "file.transform" : "file.replace",
                               request, d)
               : AT_ERR_NOMEM;
    at_free(d);
    return st;
}

at_status at_airlock_replace(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                             const at_airlock_add_spec *spec)
{
    at_airlock_request r;
    at_airlock_file old = {0};
    at_room_db *db = at_room_db_get(a->room);
    at_status st = author_request(db, by, request, 1, &r);
    if (!st)
        st = file_load(db, request, file_id, &old);
    at_room_db_put(a->room, db);
    taken t;
    if (!st) {
        at_airlock_add_spec sp = *spec;
        sp.name = old.name; /* the same name in the package */
        st = take(a, r.project, &sp, &t);
    }
    if (!st) {
        db = at_room_db_get(a->room);
        st = at_room_db_begin(db);
        if (!st)
            st = author_request(db, by, request, 1, &r);
        if (!st)
            st = file_update(db, by, request, &old, &t, "", "file-replaced");
        if (!st)
            st = at_room_db_commit(a->room, db);
        else
            at_room_db_rollback(db);
        at_room_db_put(a->room, db);
        taken_free(&t);
    }
    at_free(old.checks);
    at_free(old.lineage);
    return st;
}

at_status airlock_read_checked(at_airlock *a, const char *project, const at_airlock_file *f,
                               unsigned char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (f->size > a->conf.file_max)
        return at_error_set(AT_ERR_LIMIT, "%s: past the size limit: it is not read", f->name);
    at_status st = a->source.read(a->source.ud, project, &f->source, (size_t)a->conf.file_max, data, len);
    if (st)
        return st;
    char h[65];
    airlock_sha256_hex(*data, *len, h);
    if (*len != f->size || strcmp(h, f->sha256)) {
        at_free(*data);
        *data = NULL;
        *len = 0;
        return at_error_set(AT_ERR_CRYPTO,
                            "%s: its bytes at the source are no longer those checked (sha256 %.12s, "
                            "was %.12s): replace the file",
                            f->name, h, f->sha256);
    }
    return AT_OK;
}

at_status at_airlock_transform(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                               const char *transform)
{
    if (!transform || strcmp(transform, "round"))
        return at_error_set(AT_ERR_ARG, "the one transformation is \"round\"");
    if (!a->source.store)
        return at_error_set(AT_ERR_UNSUPPORTED, "this room's file source keeps no transformed file");
    at_airlock_request r;
    at_airlock_file old = {0};
    at_room_db *db = at_room_db_get(a->room);
    at_status st = author_request(db, by, request, 1, &r);
    if (!st)
        st = file_load(db, request, file_id, &old);
    at_room_db_put(a->room, db);
    if (!st && strcmp(old.type, "csv") && strcmp(old.type, "tsv"))
        st = at_error_set(AT_ERR_ARG, "%s is not a table: it cannot be rounded", old.name);
    if (!st && !strcmp(old.transform, "round"))
        st = at_error_set(AT_ERR_ARG, "%s is rounded already", old.name);
    unsigned char *data = NULL, *out = NULL;
    size_t len = 0, olen = 0;
    if (!st)
        st = airlock_read_checked(a, r.project, &old, &data, &len);
    int threshold = at_airlock_threshold(&a->conf, r.project);
    if (!st)
        st = at_airlock_round_table(data, len, threshold, a->conf.round_base, &out, &olen);
    at_free(data);
    taken t;
    memset(&t, 0, sizeof t);
    if (!st)
        st = a->source.store(a->source.ud, r.project, old.name, out, olen, &t.ref);
    if (!st) {
        t.size = olen;
        airlock_sha256_hex(out, olen, t.sha256);
        at_airlock_check_ctx ctx = check_ctx(a, r.project, 1);
        st = at_airlock_check_file(&ctx, old.name, out, olen, olen, &t.checks);
    }
    at_free(out);
    if (!st) {
        t.lineage = airlock_details(
            "{\"transform\":\"round\",\"threshold\":%d,\"base\":%d,\"from\":{\"source\":%s,"
            "\"id\":%s,\"path\":%s,\"sha256\":%s},\"lineage\":",
            threshold, a->conf.round_base, old.source.kind, old.source.id, old.source.path, old.sha256);
        if (t.lineage) {
            size_t n1 = strlen(t.lineage), n2 = strlen(old.lineage);
            char *l = at_realloc(t.lineage, n1 + n2 + 2);
            if (l) {
                memcpy(l + n1, old.lineage, n2);
                l[n1 + n2] = '}';
                l[n1 + n2 + 1] = '\0';
                t.lineage = l;
            } else {
                at_free(t.lineage);
                t.lineage = NULL;
            }
        }
        if (!t.lineage)
            st = AT_ERR_NOMEM;
    }
    if (!st) {
        db = at_room_db_get(a->room);
        st = at_room_db_begin(db);
        if (!st)
            st = author_request(db, by, request, 1, &r);
        if (!st)
            st = file_update(db, by, request, &old, &t, "round", "file-transformed");
        if (!st)
            st = at_room_db_commit(a->room, db);
        else
            at_room_db_rollback(db);
        at_room_db_put(a->room, db);
    }
    taken_free(&t);
    at_free(old.checks);
    at_free(old.lineage);
    return st;
}

at_status at_airlock_set_exception(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                                   const char *text)
{
    at_status st = text_check("exception", text, AT_AIRLOCK_TEXT_MAX);
    if (st)
        return st;
    at_room_db *db = at_room_db_get(a->room);
    st = at_room_db_begin(db);
    at_airlock_request r;
    at_airlock_file f = {0};
    if (!st)
        st = author_request(db, by, request, 1, &r);
    if (!st)
        st = file_load(db, request, file_id, &f);
    if (!st && f.hard && text && *text)
        st = at_error_set(AT_ERR_ARG,
                          "%s fails a check no exception may pass (its type, its size, or it cannot be "
                          "read): remove it",
                          f.name);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE airlock_files SET exception = ? WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_text(s, 1, text ? text : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 2, file_id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export file");
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = airlock_event(db, request, by, text && *text ? "exception" : "exception-withdrawn", file_id,
                           text);
    /* the audit says that an exception was asked, not its words (a free text) */
    char *d = st ? NULL : airlock_details("{\"file\":%s,\"length\":%zu}", f.name, text ? strlen(text) : 0);
    if (!st)
        st = d ? airlock_audit(db, by, "file.exception", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    at_free(f.checks);
    at_free(f.lineage);
    return st;
}
