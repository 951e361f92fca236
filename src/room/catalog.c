/* The catalog: SQLite in WAL mode with foreign keys on, a pool of
 * connections (one per worker thread), a prepared statement cache per
 * connection (every value is bound, never interpolated), transactions and
 * the versioned schema with its migrations. */
#include "internal.h"

#include <string.h>

/* Schema migrations: migrations[i] takes the catalog from version i to
 * i + 1. Never edit a released step; add the next one. */
static const char *const migrations[] = {
    /* 0 -> 1: users, roles, projects, members, sessions, throttle, audit */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;"
    "CREATE TABLE users("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " full_name TEXT NOT NULL DEFAULT '',"
    " password_hash TEXT NOT NULL,"
    " must INTEGER NOT NULL DEFAULT 3,"
    " totp_secret BLOB,"
    " totp_pending BLOB,"
    " totp_last_step INTEGER NOT NULL DEFAULT 0,"
    " disabled INTEGER NOT NULL DEFAULT 0 CHECK(disabled IN (0, 1)),"
    " created INTEGER NOT NULL) STRICT;"
    "CREATE TABLE user_roles("
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL CHECK(role IN ('admin', 'dpo', 'teacher')),"
    " PRIMARY KEY(user_id, role)) STRICT;"
    "CREATE TABLE projects("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " title TEXT NOT NULL DEFAULT '',"
    " created INTEGER NOT NULL,"
    " created_by INTEGER REFERENCES users(id)) STRICT;"
    "CREATE TABLE members("
    " project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL CHECK(role IN ('lead', 'member', 'student')),"
    " PRIMARY KEY(project_id, user_id)) STRICT;"
    "CREATE INDEX members_user ON members(user_id);"
    "CREATE TABLE sessions("
    " id INTEGER PRIMARY KEY,"
    " token_hash BLOB NOT NULL UNIQUE,"
    " user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    " kind INTEGER NOT NULL CHECK(kind IN (0, 1)),"
    " stage INTEGER NOT NULL,"
    " must INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0) STRICT;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE login_throttle("
    " name TEXT PRIMARY KEY,"
    " failures INTEGER NOT NULL,"
    " locked_until INTEGER NOT NULL,"
    " last_failure INTEGER NOT NULL) STRICT;"
    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY,"
    " time TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " details TEXT NOT NULL,"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL) STRICT;"
    "CREATE INDEX audit_actor ON audit(actor, seq);"
    "CREATE INDEX audit_time ON audit(time);",
};
#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof *migrations))

at_status room_db_error(sqlite3 *db, const char *what)
{
    return at_error_set(AT_ERR_IO, "catalog: %s: %s", what, db ? sqlite3_errmsg(db) : "no connection");
}

/* Run a script of constant statements (no values: schema and pragmas). */
static at_status exec_script(sqlite3 *db, const char *sql)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &s, &tail) != SQLITE_OK)
            return room_db_error(db, "prepare");
        if (!s)
            break; /* trailing space or comment */
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_DONE)
            return room_db_error(db, "schema");
    }
    return AT_OK;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

at_status room_db_open(const char *path, int readonly, sqlite3 **out)
{
    *out = NULL;
    sqlite3 *db = NULL;
    int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        at_status st = at_error_set(AT_ERR_IO, "%s: cannot open the catalog: %s", path,
                                    db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return st;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    at_status st = exec_script(db, readonly ? "PRAGMA foreign_keys = ON; PRAGMA query_only = ON;"
                                            : "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
                                              "PRAGMA synchronous = FULL;");
    if (st) {
        at_error_prefix(st, "%s", path);
        sqlite3_close(db);
        return st;
    }
    *out = db;
    return AT_OK;
}

at_status room_migrate(sqlite3 *db)
{
    int v = user_version(db);
    if (v < 0)
        return room_db_error(db, "reading the schema version");
    if (v > MIGRATION_COUNT)
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "catalog: schema version %d is newer than this atelier's (%d); upgrade atelier",
                            v, MIGRATION_COUNT);
    for (; v < MIGRATION_COUNT; v++) {
        at_status st = exec_script(db, "BEGIN IMMEDIATE");
        if (st)
            return st;
        /* another process may have migrated while we waited for the lock */
        if (user_version(db) != v) {
            exec_script(db, "ROLLBACK");
            v = user_version(db) - 1;
            continue;
        }
        st = exec_script(db, migrations[v]);
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1); /* a constant of ours */
        if (!st)
            st = exec_script(db, pragma);
        if (!st)
            st = exec_script(db, "COMMIT");
        if (st) {
            exec_script(db, "ROLLBACK");
            return at_error_prefix(st, "catalog: migration to version %d", v + 1);
        }
    }
    return AT_OK;
}

at_status room_pool_open(at_room *room, int count)
{
    char *path = at_path_join(room->dir, "catalog.db");
    if (!path)
        return AT_ERR_NOMEM;
    room->conns = at_calloc((size_t)count, sizeof *room->conns);
    room->free_list = at_calloc((size_t)count, sizeof *room->free_list);
    at_status st = room->conns && room->free_list ? AT_OK : AT_ERR_NOMEM;
    for (int i = 0; i < count && !st; i++) {
        st = room_db_open(path, 0, &room->conns[i].db);
        if (!st && i == 0)
            st = room_migrate(room->conns[0].db);
        if (!st) {
            room->nconns = i + 1;
            room->free_list[room->nfree++] = i;
        } else if (room->conns[i].db) {
            sqlite3_close(room->conns[i].db); /* opened, then refused (a newer schema) */
            room->conns[i].db = NULL;
        }
    }
    at_free(path);
    return st;
}

void room_pool_close(at_room *room)
{
    for (int i = 0; i < room->nconns; i++) {
        room_conn *c = &room->conns[i];
        for (int k = 0; k < c->nstmt; k++)
            sqlite3_finalize(c->stmt[k]);
        sqlite3_close(c->db);
    }
    at_free(room->conns);
    at_free(room->free_list);
    room->conns = NULL;
    room->free_list = NULL;
    room->nconns = room->nfree = 0;
}

room_conn *room_conn_get(at_room *room)
{
    pthread_mutex_lock(&room->pool_mu);
    while (room->nfree == 0)
        pthread_cond_wait(&room->pool_cv, &room->pool_mu);
    room_conn *c = &room->conns[room->free_list[--room->nfree]];
    pthread_mutex_unlock(&room->pool_mu);
    return c;
}

void room_conn_put(at_room *room, room_conn *c)
{
    if (!c)
        return;
    if (c->in_transaction)
        room_rollback(c);
    pthread_mutex_lock(&room->pool_mu);
    room->free_list[room->nfree++] = (int)(c - room->conns);
    pthread_cond_signal(&room->pool_cv);
    pthread_mutex_unlock(&room->pool_mu);
}

sqlite3_stmt *room_stmt(room_conn *c, const char *sql)
{
    for (int i = 0; i < c->nstmt; i++)
        if (c->sql[i] == sql) {
            sqlite3_reset(c->stmt[i]);
            sqlite3_clear_bindings(c->stmt[i]);
            return c->stmt[i];
        }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        room_db_error(c->db, "prepare");
        return NULL;
    }
    if (c->nstmt < ROOM_STMT_CACHE) {
        c->sql[c->nstmt] = sql;
        c->stmt[c->nstmt++] = s;
        return s;
    }
    /* the cache is sized for every statement of the module: a full cache
     * is a programming error; keep working without caching */
    sqlite3_finalize(c->stmt[0]);
    memmove(c->sql, c->sql + 1, (ROOM_STMT_CACHE - 1) * sizeof *c->sql);
    memmove(c->stmt, c->stmt + 1, (ROOM_STMT_CACHE - 1) * sizeof *c->stmt);
    c->sql[ROOM_STMT_CACHE - 1] = sql;
    c->stmt[ROOM_STMT_CACHE - 1] = s;
    return s;
}

static at_status simple(room_conn *c, const char *sql)
{
    sqlite3_stmt *s = room_stmt(c, sql);
    if (!s)
        return AT_ERR_IO;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, sql);
}

at_status room_begin(room_conn *c)
{
    at_status st = simple(c, "BEGIN IMMEDIATE");
    if (!st) {
        c->in_transaction = 1;
        c->audit_added = 0;
    }
    return st;
}

at_status room_commit(at_room *room, room_conn *c)
{
    at_status st = simple(c, "COMMIT");
    if (st) {
        room_rollback(c);
        return st;
    }
    c->in_transaction = 0;
    if (c->audit_added) {
        c->audit_added = 0;
        /* the change is durable; an anchor failure is logged, not undone */
        if (room_audit_anchor(room, c, 0) != AT_OK)
            at_log(AT_LOG_ERROR, "audit: cannot write the signed anchor: %s", at_error_message());
    }
    return AT_OK;
}

void room_rollback(room_conn *c)
{
    char saved[256];
    snprintf(saved, sizeof saved, "%s", at_error_message()); /* keep the caller's message */
    if (c->in_transaction || !sqlite3_get_autocommit(c->db))
        simple(c, "ROLLBACK");
    c->in_transaction = 0;
    c->audit_added = 0;
    at_error_set(AT_OK, "%s", saved);
}

int room_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

int room_bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n)
{
    return v ? sqlite3_bind_blob(s, i, v, (int)n, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

void room_column_copy(sqlite3_stmt *s, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int at_room_schema_version(at_room *room)
{
    room_conn *c = room_conn_get(room);
    int v = user_version(c->db);
    room_conn_put(room, c);
    return v;
}

at_status at_room_check(at_room *room)
{
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    sqlite3_stmt *s = room_stmt(c, "PRAGMA integrity_check");
    if (!s) {
        st = AT_ERR_IO;
    } else if (sqlite3_step(s) != SQLITE_ROW) {
        st = room_db_error(c->db, "integrity_check");
    } else {
        const char *r = (const char *)sqlite3_column_text(s, 0);
        if (!r || strcmp(r, "ok"))
            st = at_error_set(AT_ERR_FORMAT, "catalog: integrity check: %.200s", r ? r : "no answer");
    }
    if (s)
        sqlite3_reset(s);
    if (!st) {
        s = room_stmt(c, "PRAGMA foreign_key_check");
        if (!s)
            st = AT_ERR_IO;
        else if (sqlite3_step(s) == SQLITE_ROW)
            st = at_error_set(AT_ERR_FORMAT, "catalog: foreign key check: a row of %s refers to nothing",
                              (const char *)sqlite3_column_text(s, 0));
        if (s)
            sqlite3_reset(s);
    }
    room_conn_put(room, c);
    return st;
}
