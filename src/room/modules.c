/* The catalog for the modules above the room (jobs, the vault's wiring):
 * borrowed connections with their statement cache, transactions whose
 * audit entries join the chain, and per-module migrations recorded in the
 * meta table as "schema.MODULE". */
#include "internal.h"

#include <stdio.h>
#include <string.h>

struct at_room_db {
    room_conn c; /* never defined apart: an at_room_db is a room_conn */
};

at_status at_room_master_key(const at_room *room, at_key *out)
{
    memcpy(out, &room->master, sizeof *out);
    return AT_OK;
}

at_room_db *at_room_db_get(at_room *room)
{
    return (at_room_db *)room_conn_get(room);
}

void at_room_db_put(at_room *room, at_room_db *db)
{
    room_conn_put(room, (room_conn *)db);
}

sqlite3_stmt *at_room_db_stmt(at_room_db *db, const char *sql)
{
    return room_stmt((room_conn *)db, sql);
}

at_status at_room_db_begin(at_room_db *db)
{
    return room_begin((room_conn *)db);
}

at_status at_room_db_commit(at_room *room, at_room_db *db)
{
    return room_commit(room, (room_conn *)db);
}

void at_room_db_rollback(at_room_db *db)
{
    room_rollback((room_conn *)db);
}

at_status at_room_db_audit(at_room_db *db, const char *actor, const char *action, const char *object,
                           const char *details)
{
    return room_audit_append((room_conn *)db, actor, action, object, details);
}

at_status at_room_db_error(at_room_db *db, const char *what)
{
    return room_db_error(((room_conn *)db)->db, what);
}

int at_room_db_changes(at_room_db *db)
{
    return sqlite3_changes(((room_conn *)db)->db);
}

int64_t at_room_db_last_id(at_room_db *db)
{
    return sqlite3_last_insert_rowid(((room_conn *)db)->db);
}

/* Run constant statements (a migration step: no values). */
static at_status exec_step(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        at_status st = at_error_set(AT_ERR_IO, "catalog: %s", err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return st;
    }
    return AT_OK;
}

at_status at_room_db_migrate(at_room *room, const char *module, const char *const *steps, int count)
{
    char key[96];
    snprintf(key, sizeof key, "schema.%s", module);
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    for (;;) {
        st = room_begin(c);
        if (st)
            break;
        int v = 0;
        sqlite3_stmt *s = room_stmt(c, "SELECT value FROM meta WHERE key = ?");
        if (!s) {
            st = AT_ERR_IO;
            break;
        }
        room_bind_text(s, 1, key);
        if (sqlite3_step(s) == SQLITE_ROW)
            v = sqlite3_column_int(s, 0);
        sqlite3_reset(s);
        if (v > count) {
            st = at_error_set(AT_ERR_UNSUPPORTED,
                              "catalog: %s tables of version %d are newer than this atelier's (%d)", module,
                              v, count);
            break;
        }
        if (v == count) {
            room_rollback(c);
            break;
        }
        st = exec_step(c->db, steps[v]);
        if (!st) {
            s = room_stmt(c, "INSERT INTO meta(key, value) VALUES (?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
            char val[16];
            snprintf(val, sizeof val, "%d", v + 1);
            if (!s) {
                st = AT_ERR_IO;
            } else {
                room_bind_text(s, 1, key);
                room_bind_text(s, 2, val);
                if (sqlite3_step(s) != SQLITE_DONE)
                    st = room_db_error(c->db, "meta");
                sqlite3_reset(s);
            }
        }
        if (!st)
            st = room_commit(room, c);
        if (st) {
            at_error_prefix(st, "catalog: %s tables, migration to version %d", module, v + 1);
            break;
        }
    }
    room_conn_put(room, c);
    return st;
}
