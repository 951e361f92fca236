/* Logging in: the password (Argon2id), the TOTP code (a step used once),
 * the lock after repeated failures (by name, whether or not the user
 * exists, with a delay that doubles), and the changes a user makes to
 * their own factors. The password is checked outside the writer lock;
 * the outcome (session, counters, last step, audit) is one transaction.
 * Failures all answer alike: which factor was wrong is audited, never
 * told. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define UNKNOWN_ACTOR "(unknown user)"

typedef struct {
    int found;
    int64_t id;
    char hash[crypto_pwhash_STRBYTES];
    unsigned must;
    int disabled;
    unsigned char sealed[128];
    size_t sealed_len; /* 0: no TOTP enrolled */
    int64_t last_step;
} user_secrets;

static at_status load_secrets(room_conn *c, const char *sql_key_name, int64_t id, user_secrets *u)
{
    memset(u, 0, sizeof *u);
    sqlite3_stmt *s =
        sql_key_name ? room_stmt(c, "SELECT id, password_hash, must, disabled, totp_secret, totp_last_step "
                                    "FROM users WHERE name = ?")
                     : room_stmt(c, "SELECT id, password_hash, must, disabled, totp_secret, totp_last_step "
                                    "FROM users WHERE id = ?");
    if (!s)
        return AT_ERR_IO;
    if (sql_key_name)
        room_bind_text(s, 1, sql_key_name);
    else
        sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        u->found = 1;
        u->id = sqlite3_column_int64(s, 0);
        room_column_copy(s, 1, u->hash, sizeof u->hash);
        u->must = (unsigned)sqlite3_column_int(s, 2);
        u->disabled = sqlite3_column_int(s, 3);
        int n = sqlite3_column_bytes(s, 4);
        if (n > 0 && (size_t)n <= sizeof u->sealed) {
            memcpy(u->sealed, sqlite3_column_blob(s, 4), (size_t)n);
            u->sealed_len = (size_t)n;
        }
        u->last_step = sqlite3_column_int64(s, 5);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, "user");
}

/* Seconds the name stays locked (0: not locked). */
static at_status throttle_locked(room_conn *c, const char *name, time_t now, int *retry)
{
    *retry = 0;
    sqlite3_stmt *s = room_stmt(c, "SELECT locked_until FROM login_throttle WHERE name = ?");
    if (!s)
        return AT_ERR_IO;
    room_bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int64_t until = sqlite3_column_int64(s, 0);
        if (until > (int64_t)now)
            *retry = (int)(until - (int64_t)now);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, "login throttle");
}

/* Count a failure; *locked_for > 0 when this failure starts a lock. */
static at_status throttle_fail(at_room *room, room_conn *c, const char *name, time_t now, int *locked_for)
{
    *locked_for = 0;
    sqlite3_stmt *s = room_stmt(c, "INSERT INTO login_throttle(name, failures, locked_until, last_failure) "
                                   "VALUES (?1, 1, 0, ?2) ON CONFLICT(name) DO UPDATE SET "
                                   "failures = failures + 1, last_failure = ?2 RETURNING failures");
    if (!s)
        return AT_ERR_IO;
    room_bind_text(s, 1, name);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
    int64_t failures = 0;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        failures = sqlite3_column_int64(s, 0);
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return room_db_error(c->db, "login throttle");
    const at_room_conf *cf = &room->conf;
    if (failures < cf->lockout_failures)
        return AT_OK;
    int64_t delay = cf->lockout_base_s;
    for (int64_t k = cf->lockout_failures; k < failures && delay < cf->lockout_max_s; k++)
        delay *= 2;
    if (delay > cf->lockout_max_s)
        delay = cf->lockout_max_s;
    s = room_stmt(c, "UPDATE login_throttle SET locked_until = ? WHERE name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)now + delay);
    room_bind_text(s, 2, name);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    *locked_for = (int)delay;
    return rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, "login throttle");
}

static at_status throttle_clear(room_conn *c, const char *name)
{
    sqlite3_stmt *s = room_stmt(c, "DELETE FROM login_throttle WHERE name = ?");
    if (!s)
        return AT_ERR_IO;
    room_bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, "login throttle");
}

/* Record a used step; 0 when it was already used (a replay raced us). */
static int consume_step(room_conn *c, int64_t uid, int64_t step)
{
    sqlite3_stmt *s =
        room_stmt(c, "UPDATE users SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1");
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, step);
    sqlite3_bind_int64(s, 2, uid);
    int ok = sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(c->db) == 1;
    sqlite3_reset(s);
    return ok;
}

/* The step of code for the user, or 0. */
static int64_t totp_step(const at_room *room, const user_secrets *u, const char *code, time_t now)
{
    if (!u->sealed_len || !code)
        return 0;
    unsigned char key[64];
    size_t n = 0;
    if (room_secret_open(room, u->id, u->sealed, u->sealed_len, key, sizeof key, &n) != AT_OK)
        return 0;
    int64_t step = room_totp_match(key, n, code, now, u->last_step);
    sodium_memzero(key, sizeof key);
    return step;
}

/* The dummy hash compared against when the user does not exist, so that
 * an unknown name takes as long as a wrong password. */
static const char *dummy_hash(at_room *room)
{
    pthread_mutex_lock(&room->dummy_mu);
    if (!room->dummy_hash[0]) {
        char pw[AT_ROOM_OTP_MAX];
        room_onetime_password(pw);
        if (room_password_hash(pw, room->dummy_hash) != AT_OK)
            room->dummy_hash[0] = '\0';
    }
    pthread_mutex_unlock(&room->dummy_mu);
    return room->dummy_hash;
}

enum { MODE_BOTH, MODE_PASSWORD_ONLY };

static at_status fail(at_room *room, room_conn *c, const char *name, int known, const char *reason,
                      const char *peer, time_t now, at_login_result *out)
{
    int locked_for = 0;
    at_status st = room_begin(c);
    if (!st && at_room_name_valid(name))
        st = throttle_fail(room, c, name, now, &locked_for);
    char *details = room_details("reason", reason, "peer", peer, NULL);
    if (!st)
        st = details ? room_audit_append(c, known ? name : UNKNOWN_ACTOR, "login.failed", "room", details)
                     : AT_ERR_NOMEM;
    at_free(details);
    if (!st && locked_for > 0) {
        char secs[32];
        snprintf(secs, sizeof secs, "%d", locked_for);
        details = room_details("seconds", secs, NULL);
        st = details ? room_audit_append(c, known ? name : UNKNOWN_ACTOR, "login.locked", "room", details)
                     : AT_ERR_NOMEM;
        at_free(details);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    if (st)
        return st;
    if (locked_for > 0) {
        out->retry_after = locked_for;
        return at_error_set(AT_ERR_LOCKED, "too many failed logins: try again in %d seconds", locked_for);
    }
    return at_error_set(AT_ERR_UNAUTHENTICATED, "wrong user name, password or code");
}

/* Open the session of a successful login in one transaction with the
 * step, the counter and the audit. step 0: no code was used. */
static at_status succeed(at_room *room, room_conn *c, const char *name, int64_t uid, int64_t step,
                         const at_actor *pending, at_session_kind kind, at_stage stage, unsigned must,
                         const char *peer, time_t now, at_login_result *out)
{
    at_status st = room_begin(c);
    if (!st)
        st = throttle_locked(c, name, now, &out->retry_after);
    if (!st && out->retry_after > 0) {
        room_rollback(c);
        return at_error_set(AT_ERR_LOCKED, "too many failed logins: try again in %d seconds",
                            out->retry_after);
    }
    if (!st && step && !consume_step(c, uid, step)) {
        room_rollback(c);
        return fail(room, c, name, 1, "code used before", peer, now, out);
    }
    if (!st)
        st = throttle_clear(c, name);
    if (!st && pending) {
        sqlite3_stmt *s = room_stmt(c, "UPDATE sessions SET revoked = 1 WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, pending->session_id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = room_db_error(c->db, "session");
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = room_session_insert(room, c, uid, kind, stage, must, out->token);
    if (!st) {
        static const char *const stages[] = {"none", "code awaited", "setup", "full"};
        char object[80];
        snprintf(object, sizeof object, "user:%s", name);
        char *details = room_details("kind", kind == AT_SESSION_BROWSER ? "browser" : "token", "stage",
                                     stages[stage], "peer", peer, NULL);
        st = details ? room_audit_append(c, name, stage == AT_STAGE_MFA ? "login.password" : "login", object,
                                         details)
                     : AT_ERR_NOMEM;
        at_free(details);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    if (st) {
        sodium_memzero(out->token, sizeof out->token);
        return st;
    }
    out->stage = stage;
    out->must = must;
    out->user_id = uid;
    return AT_OK;
}

static at_status login(at_room *room, const char *name, const char *password, const char *totp, int mode,
                       at_session_kind kind, const char *peer, at_login_result *out)
{
    memset(out, 0, sizeof *out);
    if (!name)
        name = "";
    if (!password)
        password = "";
    time_t now = at_room_now();
    int valid = at_room_name_valid(name);
    room_conn *c = room_conn_get(room);
    user_secrets u;
    memset(&u, 0, sizeof u);
    at_status st = valid ? throttle_locked(c, name, now, &out->retry_after) : AT_OK;
    if (!st && out->retry_after > 0) {
        room_conn_put(room, c);
        return at_error_set(AT_ERR_LOCKED, "too many failed logins: try again in %d seconds",
                            out->retry_after);
    }
    if (!st && valid)
        st = load_secrets(c, name, 0, &u);
    room_conn_put(room, c);
    if (st)
        return st;
    /* the slow part, outside any lock */
    int pw_ok = u.found ? room_password_verify(u.hash, password)
                        : (room_password_verify(dummy_hash(room), password), 0);
    sodium_memzero(u.hash, sizeof u.hash);
    c = room_conn_get(room);
    if (!u.found || !pw_ok) {
        st = fail(room, c, name, u.found, u.found ? "password" : "unknown user", peer, now, out);
    } else if (u.disabled) {
        char *details = room_details("reason", "disabled", "peer", peer, NULL);
        st = room_begin(c);
        if (!st)
            st = details ? room_audit_append(c, name, "login.refused", "room", details) : AT_ERR_NOMEM;
        if (!st)
            st = room_commit(room, c);
        else
            room_rollback(c);
        at_free(details);
        if (!st)
            st = at_error_set(AT_ERR_DENIED, "this account is disabled");
    } else {
        int enrolled = u.sealed_len > 0;
        unsigned must = (u.must & AT_MUST_PASSWORD) | (enrolled ? 0u : (unsigned)AT_MUST_MFA);
        int64_t step = 0;
        if (enrolled && mode == MODE_PASSWORD_ONLY) {
            st = succeed(room, c, name, u.id, 0, NULL, kind, AT_STAGE_MFA, must, peer, now, out);
        } else if (enrolled && (!totp || !*totp)) {
            st = at_error_set(AT_ERR_UNAUTHENTICATED, "a TOTP code is required");
        } else if (enrolled && !(step = totp_step(room, &u, totp, now))) {
            st = fail(room, c, name, 1, "code", peer, now, out);
        } else {
            st = succeed(room, c, name, u.id, step, NULL, kind, must ? AT_STAGE_SETUP : AT_STAGE_FULL, must,
                         peer, now, out);
        }
    }
    room_conn_put(room, c);
    sodium_memzero(&u, sizeof u);
    return st;
}

at_status at_room_login(at_room *room, const char *name, const char *password, const char *totp,
                        at_session_kind kind, const char *peer, at_login_result *out)
{
    return login(room, name, password, totp, MODE_BOTH, kind, peer, out);
}

at_status at_room_login_password(at_room *room, const char *name, const char *password, const char *peer,
                                 at_login_result *out)
{
    return login(room, name, password, NULL, MODE_PASSWORD_ONLY, AT_SESSION_BROWSER, peer, out);
}

at_status at_room_login_totp(at_room *room, const at_actor *pending, const char *totp, const char *peer,
                             at_login_result *out)
{
    memset(out, 0, sizeof *out);
    if (!pending || pending->stage != AT_STAGE_MFA)
        return at_error_set(AT_ERR_UNAUTHENTICATED, "no login awaiting a code");
    time_t now = at_room_now();
    room_conn *c = room_conn_get(room);
    user_secrets u;
    at_status st = throttle_locked(c, pending->name, now, &out->retry_after);
    if (!st && out->retry_after > 0)
        st = at_error_set(AT_ERR_LOCKED, "too many failed logins: try again in %d seconds", out->retry_after);
    if (!st)
        st = load_secrets(c, NULL, pending->user_id, &u);
    if (!st && (!u.found || u.disabled))
        st = at_error_set(AT_ERR_UNAUTHENTICATED, "the session has ended; log in again");
    if (!st) {
        int64_t step = totp_step(room, &u, totp, now);
        if (!step)
            st = fail(room, c, pending->name, 1, "code", peer, now, out);
        else
            st = succeed(room, c, pending->name, u.id, step, pending, AT_SESSION_BROWSER,
                         (u.must & AT_MUST_PASSWORD) ? AT_STAGE_SETUP : AT_STAGE_FULL,
                         u.must & AT_MUST_PASSWORD, peer, now, out);
    }
    room_conn_put(room, c);
    sodium_memzero(&u, sizeof u);
    return st;
}

/* ---- a user's own factors ---- */

static at_status update_own(at_room *room, room_conn *c, const at_actor *actor, const char *sql_user,
                            const char *hash, const unsigned char *blob, size_t bloblen, int64_t step,
                            unsigned clear_must, int revoke_others, const char *action)
{
    at_status st = room_begin(c);
    sqlite3_stmt *s = st ? NULL : room_stmt(c, sql_user);
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        /* ?1 hash or blob, ?2 step, ?3 must bits cleared, ?4 user */
        if (hash)
            room_bind_text(s, 1, hash);
        else
            room_bind_blob(s, 1, blob, bloblen);
        sqlite3_bind_int64(s, 2, step);
        sqlite3_bind_int(s, 3, (int)clear_must);
        sqlite3_bind_int64(s, 4, actor->user_id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = room_db_error(c->db, action);
        else if (sqlite3_changes(c->db) != 1)
            st = at_error_set(AT_ERR_ARG, "the code was used before");
        sqlite3_reset(s);
    }
    if (!st && clear_must) {
        s = room_stmt(c, "UPDATE sessions SET must = must & ~? WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int(s, 1, (int)clear_must);
            sqlite3_bind_int64(s, 2, actor->session_id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = room_db_error(c->db, action);
            sqlite3_reset(s);
        }
    }
    if (!st && revoke_others) {
        s = room_stmt(c, "UPDATE sessions SET revoked = 1 WHERE user_id = ? AND id != ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, actor->user_id);
            sqlite3_bind_int64(s, 2, actor->session_id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = room_db_error(c->db, action);
            sqlite3_reset(s);
        }
    }
    if (!st) {
        char object[80];
        snprintf(object, sizeof object, "user:%s", actor->name);
        st = room_audit_append(c, actor->name, action, object, NULL);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    return st;
}

at_status at_room_password_change(at_room *room, at_actor *actor, const char *current,
                                  const char *new_password)
{
    if (!actor || actor->stage < AT_STAGE_SETUP)
        return at_error_set(AT_ERR_UNAUTHENTICATED, "no session");
    at_status st = room_password_policy(new_password);
    if (st)
        return st;
    int setup = actor->stage == AT_STAGE_SETUP && (actor->must & AT_MUST_PASSWORD);
    if (!setup && (!current || !*current))
        return at_error_set(AT_ERR_ARG, "the current password is required");
    room_conn *c = room_conn_get(room);
    user_secrets u;
    st = load_secrets(c, NULL, actor->user_id, &u);
    room_conn_put(room, c);
    if (!st && !u.found)
        st = at_error_set(AT_ERR_UNAUTHENTICATED, "no session");
    char hash[crypto_pwhash_STRBYTES];
    if (!st && !setup && !room_password_verify(u.hash, current)) {
        int locked_for = 0;
        c = room_conn_get(room);
        if (room_begin(c) == AT_OK) {
            throttle_fail(room, c, actor->name, at_room_now(), &locked_for);
            char *details = room_details("reason", "current password", NULL);
            room_audit_append(c, actor->name, "password.change-failed", "room", details);
            at_free(details);
            room_commit(room, c);
        }
        room_conn_put(room, c);
        st = at_error_set(AT_ERR_ARG, "the current password is wrong");
    } else if (!st && room_password_verify(u.hash, new_password)) {
        st = at_error_set(AT_ERR_ARG, "the new password must differ from the current one");
    }
    if (!st)
        st = room_password_hash(new_password, hash);
    if (!st) {
        c = room_conn_get(room);
        st = update_own(room, c, actor,
                        "UPDATE users SET password_hash = ?1, must = must & ~?3 WHERE id = ?4 AND ?2 = 0",
                        hash, NULL, 0, 0, AT_MUST_PASSWORD, 1, "password.change");
        room_conn_put(room, c);
        sodium_memzero(hash, sizeof hash);
    }
    sodium_memzero(&u, sizeof u);
    if (!st)
        actor->must &= ~(unsigned)AT_MUST_PASSWORD;
    return st;
}

static void url_encode(const char *in, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && k + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '.' || *p == '_' || *p == '~') {
            out[k++] = (char)*p;
        } else {
            out[k++] = '%';
            out[k++] = hex[*p >> 4];
            out[k++] = hex[*p & 15];
        }
    }
    out[k] = '\0';
}

/* The pending secret of the actor (0 bytes when none). */
static size_t pending_secret(at_room *room, const at_actor *actor, unsigned char *key, size_t cap)
{
    room_conn *c = room_conn_get(room);
    unsigned char sealed[128];
    size_t sealed_len = 0, n = 0;
    sqlite3_stmt *s = room_stmt(c, "SELECT totp_pending FROM users WHERE id = ?");
    if (s) {
        sqlite3_bind_int64(s, 1, actor->user_id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            int b = sqlite3_column_bytes(s, 0);
            if (b > 0 && (size_t)b <= sizeof sealed) {
                memcpy(sealed, sqlite3_column_blob(s, 0), (size_t)b);
                sealed_len = (size_t)b;
            }
        }
        sqlite3_reset(s);
    }
    room_conn_put(room, c);
    if (!sealed_len || room_secret_open(room, actor->user_id, sealed, sealed_len, key, cap, &n) != AT_OK)
        n = 0;
    return n;
}

at_status at_room_mfa_enrol(at_room *room, const at_actor *actor, int reuse,
                            char secret[AT_ROOM_TOTP_SECRET_MAX], char uri[AT_ROOM_URI_MAX])
{
    secret[0] = uri[0] = '\0';
    if (!actor || actor->stage != AT_STAGE_SETUP || !(actor->must & AT_MUST_MFA))
        return at_error_set(AT_ERR_DENIED, "TOTP enrolment is for an account that must enrol");
    unsigned char key[64], sealed[128];
    size_t sealed_len = 0, keylen = reuse ? pending_secret(room, actor, key, sizeof key) : 0;
    int fresh = keylen == 0;
    if (fresh) {
        keylen = 20;
        randombytes_buf(key, keylen);
    }
    at_status st = room_secret_seal(room, actor->user_id, key, keylen, sealed, sizeof sealed, &sealed_len);
    char b32[AT_ROOM_TOTP_SECRET_MAX];
    if (!st)
        st = room_base32_encode(key, keylen, b32, sizeof b32);
    sodium_memzero(key, sizeof key);
    if (!st && fresh) {
        room_conn *c = room_conn_get(room);
        st = update_own(room, c, actor,
                        "UPDATE users SET totp_pending = ?1 WHERE id = ?4 AND ?2 = 0 AND ?3 >= 0", NULL,
                        sealed, sealed_len, 0, 0, 0, "mfa.enrol");
        room_conn_put(room, c);
    }
    if (!st) {
        char issuer[3 * AT_ROOM_NAME_MAX + 1], name[3 * AT_ROOM_NAME_MAX + 1];
        url_encode(room->conf.name, issuer, sizeof issuer);
        url_encode(actor->name, name, sizeof name);
        snprintf(uri, AT_ROOM_URI_MAX,
                 "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30", issuer, name,
                 b32, issuer);
        memcpy(secret, b32, sizeof b32);
    }
    sodium_memzero(b32, sizeof b32);
    return st;
}

at_status at_room_mfa_confirm(at_room *room, at_actor *actor, const char *code)
{
    if (!actor || actor->stage != AT_STAGE_SETUP || !(actor->must & AT_MUST_MFA))
        return at_error_set(AT_ERR_DENIED, "TOTP enrolment is for an account that must enrol");
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    unsigned char sealed[128];
    size_t sealed_len = 0;
    int64_t last_step = 0;
    sqlite3_stmt *s = room_stmt(c, "SELECT totp_pending, totp_last_step FROM users WHERE id = ?");
    if (!s) {
        st = AT_ERR_IO;
    } else {
        sqlite3_bind_int64(s, 1, actor->user_id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            int n = sqlite3_column_bytes(s, 0);
            if (n > 0 && (size_t)n <= sizeof sealed) {
                memcpy(sealed, sqlite3_column_blob(s, 0), (size_t)n);
                sealed_len = (size_t)n;
            }
            last_step = sqlite3_column_int64(s, 1);
        }
        sqlite3_reset(s);
    }
    if (!st && !sealed_len)
        st = at_error_set(AT_ERR_ARG, "no enrolment in progress: start it first");
    unsigned char key[64];
    size_t n = 0;
    if (!st)
        st = room_secret_open(room, actor->user_id, sealed, sealed_len, key, sizeof key, &n);
    int64_t step = st ? 0 : room_totp_match(key, n, code, at_room_now(), last_step);
    sodium_memzero(key, sizeof key);
    if (!st && !step) {
        int locked_for = 0;
        if (room_begin(c) == AT_OK) {
            throttle_fail(room, c, actor->name, at_room_now(), &locked_for);
            char *details = room_details("reason", "code", NULL);
            room_audit_append(c, actor->name, "mfa.confirm-failed", "room", details);
            at_free(details);
            room_commit(room, c);
        }
        st = at_error_set(AT_ERR_ARG,
                          "the code does not match: check the device's clock and try the next one");
    }
    if (!st)
        st = update_own(
            room, c, actor,
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?2, "
            "must = must & ~?3 WHERE id = ?4 AND totp_pending = ?1 AND totp_last_step < ?2",
            NULL, sealed, sealed_len, step, AT_MUST_MFA, 1, "mfa.confirm");
    room_conn_put(room, c);
    if (!st)
        actor->must &= ~(unsigned)AT_MUST_MFA;
    return st;
}
