/* The airlock's tables in the room's catalog (their own migrations, as
 * "schema.airlock"), rows, the request's history, audit entries and the
 * notices the pages show. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const airlock_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE airlock_requests("
    " id INTEGER PRIMARY KEY,"
    " project_id INTEGER NOT NULL REFERENCES projects(id),"
    " author_id INTEGER NOT NULL REFERENCES users(id),"
    " title TEXT NOT NULL DEFAULT '',"
    " state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 8),"
    " round INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL,"
    " submitted INTEGER NOT NULL DEFAULT 0, decided INTEGER NOT NULL DEFAULT 0, released INTEGER NOT NULL "
    "DEFAULT 0,"
    " manifest TEXT, signature TEXT, package_sha256 TEXT NOT NULL DEFAULT '') STRICT;"
    "CREATE INDEX airlock_requests_project ON airlock_requests(project_id, id);"
    "CREATE INDEX airlock_requests_author ON airlock_requests(author_id, id);"
    "CREATE INDEX airlock_requests_state ON airlock_requests(state, id);"
    "CREATE TABLE airlock_files("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES airlock_requests(id),"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('output', 'supporting')),"
    " justification TEXT NOT NULL DEFAULT '',"
    " source_kind TEXT NOT NULL, source_id TEXT NOT NULL, source_path TEXT NOT NULL,"
    " size INTEGER NOT NULL, sha256 TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,"
    " type TEXT NOT NULL DEFAULT '', outcome INTEGER NOT NULL CHECK(outcome BETWEEN 0 AND 2),"
    " hard INTEGER NOT NULL DEFAULT 0, needs_dpo INTEGER NOT NULL DEFAULT 0,"
    " checks TEXT NOT NULL, lineage TEXT NOT NULL,"
    " exception TEXT NOT NULL DEFAULT '', transform TEXT NOT NULL DEFAULT '',"
    " added INTEGER NOT NULL,"
    " UNIQUE(request_id, name)) STRICT;"
    "CREATE TABLE airlock_votes("
    " file_id INTEGER NOT NULL REFERENCES airlock_files(id) ON DELETE CASCADE,"
    " reviewer_id INTEGER NOT NULL REFERENCES users(id),"
    " vote INTEGER NOT NULL CHECK(vote IN (0, 1, 2)),"
    " comment TEXT NOT NULL DEFAULT '', time INTEGER NOT NULL,"
    " PRIMARY KEY(file_id, reviewer_id)) STRICT;"
    "CREATE TABLE airlock_reviews("
    " request_id INTEGER NOT NULL REFERENCES airlock_requests(id),"
    " reviewer_id INTEGER NOT NULL REFERENCES users(id),"
    " round INTEGER NOT NULL, submitted INTEGER NOT NULL DEFAULT 0, dpo INTEGER NOT NULL DEFAULT 0,"
    " time INTEGER NOT NULL,"
    " PRIMARY KEY(request_id, reviewer_id)) STRICT;"
    "CREATE TABLE airlock_events("
    " id INTEGER PRIMARY KEY,"
    " request_id INTEGER NOT NULL REFERENCES airlock_requests(id),"
    " time INTEGER NOT NULL, actor TEXT NOT NULL, what TEXT NOT NULL,"
    " file_id INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL DEFAULT '') STRICT;"
    "CREATE INDEX airlock_events_request ON airlock_events(request_id, id);"
    "CREATE TABLE airlock_notices("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " request_id INTEGER NOT NULL REFERENCES airlock_requests(id),"
    " time INTEGER NOT NULL, text TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0) STRICT;"
    "CREATE INDEX airlock_notices_user ON airlock_notices(user_id, seen, id);"
    "CREATE TABLE airlock_store("
    " project_id INTEGER PRIMARY KEY REFERENCES projects(id),"
    " vault_id TEXT NOT NULL UNIQUE) STRICT;",
};
const int airlock_migration_count = (int)(sizeof airlock_migrations / sizeof *airlock_migrations);

static const char *const state_names[AT_AIRLOCK_STATE_COUNT] = {"draft",     "submitted", "blocked",
                                                                "in-review", "returned",  "approved",
                                                                "released",  "rejected",  "withdrawn"};

const char *at_airlock_state_name(at_airlock_state s)
{
    return s >= 0 && s < AT_AIRLOCK_STATE_COUNT ? state_names[s] : "unknown";
}

int at_airlock_state_parse(const char *name)
{
    for (int i = 0; name && i < AT_AIRLOCK_STATE_COUNT; i++)
        if (!strcmp(name, state_names[i]))
            return i;
    return -1;
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

void airlock_request_row(sqlite3_stmt *s, at_airlock_request *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    copy_col(s, 1, o->project, sizeof o->project);
    copy_col(s, 2, o->author, sizeof o->author);
    copy_col(s, 3, o->title, sizeof o->title);
    o->state = (at_airlock_state)sqlite3_column_int(s, 4);
    o->round = sqlite3_column_int(s, 5);
    o->created = (time_t)sqlite3_column_int64(s, 6);
    o->updated = (time_t)sqlite3_column_int64(s, 7);
    o->submitted = (time_t)sqlite3_column_int64(s, 8);
    o->decided = (time_t)sqlite3_column_int64(s, 9);
    o->released = (time_t)sqlite3_column_int64(s, 10);
    copy_col(s, 11, o->package_sha256, sizeof o->package_sha256);
    o->files = sqlite3_column_int(s, 12);
    o->bytes = (uint64_t)sqlite3_column_int64(s, 13);
    o->outcome = (at_check_outcome)sqlite3_column_int(s, 14);
    o->needs_dpo = sqlite3_column_int(s, 15);
}

at_status airlock_request_load(at_room_db *db, int64_t id, at_airlock_request *out)
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT " AIRLOCK_REQUEST_COLUMNS "WHERE r.id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    at_status st = AT_OK;
    if (rc == SQLITE_ROW)
        airlock_request_row(s, out);
    else if (rc == SQLITE_DONE)
        st = at_error_set(AT_ERR_NOT_FOUND, "export request %lld: no such request", (long long)id);
    else
        st = at_room_db_error(db, "export request");
    sqlite3_reset(s);
    return st;
}

at_status airlock_file_row(sqlite3_stmt *s, at_airlock_file *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    copy_col(s, 1, o->name, sizeof o->name);
    copy_col(s, 2, o->role, sizeof o->role);
    copy_col(s, 3, o->justification, sizeof o->justification);
    copy_col(s, 4, o->source.kind, sizeof o->source.kind);
    copy_col(s, 5, o->source.id, sizeof o->source.id);
    copy_col(s, 6, o->source.path, sizeof o->source.path);
    o->size = (uint64_t)sqlite3_column_int64(s, 7);
    copy_col(s, 8, o->sha256, sizeof o->sha256);
    o->version = sqlite3_column_int(s, 9);
    copy_col(s, 10, o->type, sizeof o->type);
    o->outcome = (at_check_outcome)sqlite3_column_int(s, 11);
    o->hard = sqlite3_column_int(s, 12);
    o->needs_dpo = sqlite3_column_int(s, 13);
    const unsigned char *c = sqlite3_column_text(s, 14), *l = sqlite3_column_text(s, 15);
    o->checks = at_strdup(c ? (const char *)c : "{}");
    o->lineage = at_strdup(l ? (const char *)l : "{}");
    copy_col(s, 16, o->exception, sizeof o->exception);
    copy_col(s, 17, o->transform, sizeof o->transform);
    o->added = (time_t)sqlite3_column_int64(s, 18);
    return o->checks && o->lineage ? AT_OK : AT_ERR_NOMEM;
}

void at_airlock_files_free(at_airlock_file *f, size_t count)
{
    for (size_t i = 0; f && i < count; i++) {
        at_free(f[i].checks);
        at_free(f[i].lineage);
    }
    at_free(f);
}

at_status airlock_event(at_room_db *db, int64_t request, const char *actor, const char *what, int64_t file_id,
                        const char *text)
{
    sqlite3_stmt *s =
        at_room_db_stmt(db, "INSERT INTO airlock_events(request_id, time, actor, what, file_id, text) "
                            "VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, request);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)at_room_now());
    sqlite3_bind_text(s, 3, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, what, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, file_id);
    sqlite3_bind_text(s, 6, text ? text : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : at_room_db_error(db, "export event");
}

at_status airlock_audit(at_room_db *db, const char *actor, const char *what, int64_t request,
                        const char *details)
{
    char action[64], object[40];
    snprintf(action, sizeof action, "export.%s", what);
    snprintf(object, sizeof object, "export:%lld", (long long)request);
    return at_room_db_audit(db, actor, action, object, details);
}

at_status airlock_set_state(at_room_db *db, int64_t request, at_airlock_state state, time_t now)
{
    const char *sql =
        state == AT_AIRLOCK_SUBMITTED
            ? "UPDATE airlock_requests SET state = ?, updated = ?, submitted = ?3, round = round + 1 "
              "WHERE id = ?4"
        : state == AT_AIRLOCK_RELEASED
            ? "UPDATE airlock_requests SET state = ?, updated = ?, released = ?3 WHERE id = ?4"
        : state == AT_AIRLOCK_APPROVED || state == AT_AIRLOCK_RETURNED || state == AT_AIRLOCK_REJECTED
            ? "UPDATE airlock_requests SET state = ?, updated = ?, decided = ?3 WHERE id = ?4"
            : "UPDATE airlock_requests SET state = ?1, updated = ?2 WHERE id = ?4"; /* ?3 unused */
    sqlite3_stmt *s = at_room_db_stmt(db, sql);
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int(s, 1, state);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
    sqlite3_bind_int64(s, 4, request);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : at_room_db_error(db, "export state");
}

at_status airlock_notify(at_room_db *db, int64_t user_id, int64_t request, const char *text, time_t now)
{
    sqlite3_stmt *s = at_room_db_stmt(
        db, "INSERT INTO airlock_notices(user_id, request_id, time, text) VALUES (?, ?, ?, ?)");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, request);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
    sqlite3_bind_text(s, 4, text, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : at_room_db_error(db, "export notice");
}

at_status airlock_notify_reviewers(at_airlock *a, at_room_db *db, const at_airlock_request *r,
                                   const char *text, time_t now)
{
    /* the project's leads and the DPOs, then the checkers by name */
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT u.id, u.name FROM users u WHERE u.disabled = 0 AND u.name <> ?2 AND ("
                            " u.id IN (SELECT m.user_id FROM members m JOIN projects p ON p.id = m.project_id"
                            "          WHERE p.name = ?1 AND m.role = 'lead')"
                            " OR u.id IN (SELECT user_id FROM user_roles WHERE role = 'dpo')) ORDER BY u.id");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, r->project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, r->author, -1, SQLITE_TRANSIENT);
    int64_t ids[256];
    char names[256][AT_ROOM_NAME_MAX + 1];
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 256) {
        ids[n] = sqlite3_column_int64(s, 0);
        copy_col(s, 1, names[n], sizeof names[n]);
        n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return at_room_db_error(db, "reviewers");
    /* the checkers (a setting): those not already among them */
    const char *list = a->conf.checkers;
    for (const char *p = list; *p && n < 256;) {
        size_t m = strcspn(p, ",");
        char name[AT_ROOM_NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)(m < AT_ROOM_NAME_MAX ? m : AT_ROOM_NAME_MAX), p);
        p += m + (p[m] == ',');
        int seen = !strcmp(name, r->author);
        for (size_t i = 0; i < n && !seen; i++)
            seen = !strcmp(names[i], name);
        int64_t id;
        unsigned roles;
        if (!seen && airlock_user(db, name, &id, &roles) == AT_OK) {
            ids[n] = id;
            snprintf(names[n], sizeof names[n], "%s", name);
            n++;
        }
        at_error_clear();
    }
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = airlock_notify(db, ids[i], r->id, text, now);
    return st;
}

at_status airlock_user(at_room_db *db, const char *name, int64_t *id, unsigned *roles)
{
    *id = 0;
    *roles = 0;
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM users WHERE name = ? AND disabled = 0");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (!*id)
        return at_error_set(AT_ERR_NOT_FOUND, "no such user '%.64s'", name ? name : "");
    s = at_room_db_stmt(db, "SELECT role FROM user_roles WHERE user_id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, *id);
    while (sqlite3_step(s) == SQLITE_ROW)
        *roles |= at_room_role_parse((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return AT_OK;
}

char *airlock_details(const char *fmt, ...)
{
    /* %s values become JSON strings (quoted, escaped); %d %lld %zu %llu numbers */
    at_buf b;
    at_buf_init(&b, AIRLOCK_DETAILS_MAX * 4);
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            at_buf_putc(&b, *p);
            continue;
        }
        p++;
        if (*p == 's') {
            const char *v = va_arg(ap, const char *);
            at_buf_json_string(&b, v ? v : "", v ? strlen(v) : 0);
        } else if (*p == 'd') {
            at_buf_printf(&b, "%d", va_arg(ap, int));
        } else if (!strncmp(p, "lld", 3)) {
            at_buf_printf(&b, "%lld", va_arg(ap, long long));
            p += 2;
        } else if (!strncmp(p, "llu", 3)) {
            at_buf_printf(&b, "%llu", va_arg(ap, unsigned long long));
            p += 2;
        } else if (!strncmp(p, "zu", 2)) {
            at_buf_printf(&b, "%zu", va_arg(ap, size_t));
            p++;
        } else {
            at_buf_putc(&b, '%');
            if (!*p)
                break;
            at_buf_putc(&b, *p);
        }
    }
    va_end(ap);
    size_t n;
    return (char *)at_buf_steal(&b, &n);
}

/* ---- notices ---- */

at_status at_airlock_notices(at_airlock *a, const char *user, int64_t limit, at_airlock_notice **out,
                             size_t *count)
{
    *out = NULL;
    *count = 0;
    if (limit <= 0 || limit > 500)
        limit = 50;
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT n.id, n.request_id, n.time, n.text, n.seen FROM airlock_notices n "
                            "JOIN users u ON u.id = n.user_id WHERE u.name = ? ORDER BY n.id DESC "
                            "LIMIT ?");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (!st) {
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, limit);
        int rc;
        while (!st && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_airlock_notice *n = &(*out)[(*count)++];
            n->id = sqlite3_column_int64(s, 0);
            n->request = sqlite3_column_int64(s, 1);
            n->time = (time_t)sqlite3_column_int64(s, 2);
            copy_col(s, 3, n->text, sizeof n->text);
            n->seen = sqlite3_column_int(s, 4);
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

int at_airlock_unseen(at_airlock *a, const char *user)
{
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT count(*) FROM airlock_notices n JOIN users u ON u.id = n.user_id "
                            "WHERE u.name = ? AND n.seen = 0");
    int n = 0;
    if (s) {
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    return n;
}

at_status at_airlock_notices_seen(at_airlock *a, const char *user)
{
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE airlock_notices SET seen = 1 WHERE seen = 0 AND user_id = "
                                          "(SELECT id FROM users WHERE name = ?)");
    at_status st = s ? AT_OK : AT_ERR_IO;
    if (s) {
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "notices");
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    return st;
}
