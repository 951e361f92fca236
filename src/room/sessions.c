/* Sessions (browser cookies) and bearer tokens (the CLI): 256-bit random
 * secrets handed to the client once, stored as keyed hashes; absolute
 * expiry for both, an idle timeout for browser sessions; revocable. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_PREFIX "atl_"
#define MFA_PENDING_S 300 /* a browser session awaiting its code */
#define SETUP_S 3600      /* a session that may only finish the account's setup */
#define IDLE_REFRESH_S 60 /* last_seen is written at most once a minute */

static time_t session_expiry(const at_room *room, at_session_kind kind, at_stage stage, time_t now)
{
    if (stage == AT_STAGE_MFA)
        return now + MFA_PENDING_S;
    if (stage == AT_STAGE_SETUP)
        return now + SETUP_S;
    return now + (kind == AT_SESSION_BROWSER ? room->conf.session_absolute_s : room->conf.token_lifetime_s);
}

at_status room_session_insert(at_room *room, room_conn *c, int64_t user_id, at_session_kind kind,
                              at_stage stage, unsigned must, char token[AT_ROOM_TOKEN_MAX])
{
    char r[AT_ROOM_TOKEN_MAX], t[AT_ROOM_TOKEN_MAX + 8];
    at_room_random_token(r);
    snprintf(t, sizeof t, "%s%s", TOKEN_PREFIX, r);
    sodium_memzero(r, sizeof r);
    unsigned char h[ROOM_HASH_BYTES];
    room_token_hash(room, t, h);
    time_t now = at_room_now();
    static _Atomic unsigned inserts;
    if (++inserts % 256 == 0) /* ended sessions do not pile up in a long-running room */
        room_purge(c, now);
    sqlite3_stmt *s =
        room_stmt(c, "INSERT INTO sessions(token_hash, user_id, kind, stage, must, created, last_seen, "
                     "expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return AT_ERR_IO;
    room_bind_blob(s, 1, h, sizeof h);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_int(s, 3, (int)kind);
    sqlite3_bind_int(s, 4, (int)stage);
    sqlite3_bind_int(s, 5, (int)must);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)now);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)now);
    sqlite3_bind_int64(s, 8, (sqlite3_int64)session_expiry(room, kind, stage, now));
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        sodium_memzero(t, sizeof t);
        return room_db_error(c->db, "session");
    }
    snprintf(token, AT_ROOM_TOKEN_MAX, "%s", t);
    sodium_memzero(t, sizeof t);
    return AT_OK;
}

at_status at_room_session_open(at_room *room, int64_t user_id, at_session_kind kind, at_stage stage,
                               unsigned must, char token[AT_ROOM_TOKEN_MAX])
{
    token[0] = '\0';
    room_conn *c = room_conn_get(room);
    at_status st = room_begin(c);
    if (!st)
        st = room_session_insert(room, c, user_id, kind, stage, must, token);
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    room_conn_put(room, c);
    return st;
}

/* 1 when token has the shape of one of ours. */
static int token_shape(const char *token)
{
    if (!token || strncmp(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1))
        return 0;
    const char *p = token + sizeof TOKEN_PREFIX - 1;
    size_t n = 0;
    for (; p[n]; n++) {
        char ch = p[n];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_'))
            return 0;
    }
    return n == 43;
}

at_status at_room_session_lookup(at_room *room, const char *token, at_session_kind kind, at_actor *out)
{
    memset(out, 0, sizeof *out);
    if (!token_shape(token))
        return at_error_set(AT_ERR_UNAUTHENTICATED, "no valid session");
    unsigned char h[ROOM_HASH_BYTES];
    room_token_hash(room, token, h);
    time_t now = at_room_now();
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    sqlite3_stmt *s = room_stmt(
        c, "SELECT s.id, s.user_id, s.stage, s.must, s.last_seen, s.expires, s.revoked, "
           "u.name, u.disabled, (SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id) "
           "FROM sessions s JOIN users u ON u.id = s.user_id "
           "WHERE s.token_hash = ? AND s.kind = ?");
    if (!s) {
        room_conn_put(room, c);
        return AT_ERR_IO;
    }
    room_bind_blob(s, 1, h, sizeof h);
    sqlite3_bind_int(s, 2, (int)kind);
    int rc = sqlite3_step(s);
    time_t last_seen = 0;
    if (rc == SQLITE_ROW) {
        out->session_id = sqlite3_column_int64(s, 0);
        out->user_id = sqlite3_column_int64(s, 1);
        out->stage = (at_stage)sqlite3_column_int(s, 2);
        out->must = (unsigned)sqlite3_column_int(s, 3);
        last_seen = (time_t)sqlite3_column_int64(s, 4);
        out->expires = (time_t)sqlite3_column_int64(s, 5);
        int revoked = sqlite3_column_int(s, 6);
        room_column_copy(s, 7, out->name, sizeof out->name);
        int disabled = sqlite3_column_int(s, 8);
        /* the roles in the same statement: "admin,dpo" */
        const char *roles = (const char *)sqlite3_column_text(s, 9);
        char role[16];
        for (const char *p = roles; p && *p;) {
            size_t n = strcspn(p, ",");
            snprintf(role, sizeof role, "%.*s", (int)n, p);
            out->roles |= at_room_role_parse(role);
            p += n + (p[n] == ',');
        }
        out->kind = kind;
        if (revoked || disabled || now >= out->expires ||
            (kind == AT_SESSION_BROWSER && now - last_seen >= room->conf.session_idle_s) ||
            out->stage < AT_STAGE_MFA || out->stage > AT_STAGE_FULL)
            st = at_error_set(AT_ERR_UNAUTHENTICATED, "the session has ended; log in again");
    } else if (rc == SQLITE_DONE) {
        st = at_error_set(AT_ERR_UNAUTHENTICATED, "no valid session");
    } else {
        st = room_db_error(c->db, "session");
    }
    sqlite3_reset(s);
    if (!st && now - last_seen >= IDLE_REFRESH_S) {
        s = room_stmt(c, "UPDATE sessions SET last_seen = ? WHERE id = ?");
        if (s) {
            sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
            sqlite3_bind_int64(s, 2, out->session_id);
            sqlite3_step(s); /* best effort: a busy catalog only delays the refresh */
            sqlite3_reset(s);
        }
    }
    room_conn_put(room, c);
    if (st)
        memset(out, 0, sizeof *out);
    return st;
}

at_status at_room_session_revoke(at_room *room, const at_actor *actor)
{
    if (!actor || !actor->session_id)
        return at_error_set(AT_ERR_UNAUTHENTICATED, "no session");
    room_conn *c = room_conn_get(room);
    at_status st = room_begin(c);
    sqlite3_stmt *s = st ? NULL : room_stmt(c, "UPDATE sessions SET revoked = 1 WHERE id = ?");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, actor->session_id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = room_db_error(c->db, "logout");
        sqlite3_reset(s);
    }
    if (!st) {
        char object[80];
        snprintf(object, sizeof object, "user:%s", actor->name);
        st = room_audit_append(c, actor->name, "logout", object,
                               actor->kind == AT_SESSION_BROWSER ? "{\"kind\":\"browser\"}"
                                                                 : "{\"kind\":\"token\"}");
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    room_conn_put(room, c);
    return st;
}
