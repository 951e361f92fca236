/* Users and their room roles: created with a one-time password by an
 * administrator, disabled and enabled, MFA and password reset. Every
 * change is audited in its own transaction; passwords are hashed before
 * the writer lock is taken. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const unsigned all_roles[] = {AT_ROLE_ADMIN, AT_ROLE_DPO, AT_ROLE_TEACHER};

at_status room_user_roles(room_conn *c, int64_t id, unsigned *roles)
{
    *roles = 0;
    sqlite3_stmt *s = room_stmt(c, "SELECT role FROM user_roles WHERE user_id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        *roles |= at_room_role_parse((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, "user roles");
}

at_status room_user_id(room_conn *c, const char *name, int64_t *id)
{
    return room_id_by_name(c, "SELECT id FROM users WHERE name = ?", "user", name, id);
}

/* The id of the row sql selects by one bound name (internal.h). */
at_status room_id_by_name(room_conn *c, const char *sql, const char *what, const char *name, int64_t *id)
{
    *id = 0;
    sqlite3_stmt *s = room_stmt(c, sql);
    if (!s)
        return AT_ERR_IO;
    room_bind_text(s, 1, name);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return AT_OK;
    if (rc == SQLITE_DONE)
        return at_error_set(AT_ERR_NOT_FOUND, "no %s '%s'", what,
                            at_room_name_valid(name) ? name : "(invalid name)");
    return room_db_error(c->db, what);
}

at_status room_sessions_revoke_user(room_conn *c, int64_t user_id)
{
    sqlite3_stmt *s = room_stmt(c, "UPDATE sessions SET revoked = 1 WHERE user_id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, user_id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : room_db_error(c->db, "revoke sessions");
}

static char *roles_text(unsigned roles, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < sizeof all_roles / sizeof *all_roles; i++)
        if (roles & all_roles[i]) {
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s%s", n ? "," : "", at_room_role_name(all_roles[i]));
        }
    return out;
}

static at_status check_name(const char *name, const char *what)
{
    if (!at_room_name_valid(name))
        return at_error_set(AT_ERR_ARG,
                            "a %s name must be 1 to %d letters, digits, '.', '_' or '-' (starting with "
                            "a letter or digit)",
                            what, AT_ROOM_NAME_MAX);
    return AT_OK;
}

at_status at_room_user_create(at_room *room, const char *by, const char *name, unsigned roles,
                              const char *full_name, char password[AT_ROOM_OTP_MAX], int64_t *id)
{
    password[0] = '\0';
    if (!full_name)
        full_name = "";
    at_status st = check_name(name, "user");
    if (!st && !at_room_text_valid(full_name))
        st = at_error_set(AT_ERR_ARG,
                          "a full name must be UTF-8 text without control characters, at most %d bytes",
                          AT_ROOM_TEXT_MAX);
    if (!st && (roles & ~(unsigned)(AT_ROLE_ADMIN | AT_ROLE_DPO | AT_ROLE_TEACHER)))
        st = at_error_set(AT_ERR_ARG, "unknown room role");
    if (st)
        return st;
    char otp[AT_ROOM_OTP_MAX], hash[crypto_pwhash_STRBYTES];
    room_onetime_password(otp);
    st = room_password_hash(otp, hash);
    if (st)
        return st;
    room_conn *c = room_conn_get(room);
    st = room_begin(c);
    sqlite3_stmt *s = st ? NULL
                         : room_stmt(c, "INSERT INTO users(name, full_name, password_hash, must, created) "
                                        "VALUES (?, ?, ?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    int64_t uid = 0;
    if (!st) {
        room_bind_text(s, 1, name);
        room_bind_text(s, 2, full_name);
        room_bind_text(s, 3, hash);
        sqlite3_bind_int(s, 4, AT_MUST_PASSWORD | AT_MUST_MFA);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)at_room_now());
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            st = at_error_set(AT_ERR_EXISTS, "a user '%s' exists already", name);
        else if (rc != SQLITE_DONE)
            st = room_db_error(c->db, "create user");
        else
            uid = sqlite3_last_insert_rowid(c->db);
    }
    for (size_t i = 0; i < sizeof all_roles / sizeof *all_roles && !st; i++) {
        if (!(roles & all_roles[i]))
            continue;
        s = room_stmt(c, "INSERT INTO user_roles(user_id, role) VALUES (?, ?)");
        if (!s) {
            st = AT_ERR_IO;
            break;
        }
        sqlite3_bind_int64(s, 1, uid);
        room_bind_text(s, 2, at_room_role_name(all_roles[i]));
        if (sqlite3_step(s) != SQLITE_DONE)
            st = room_db_error(c->db, "user role");
        sqlite3_reset(s);
    }
    if (!st) {
        char object[80], rt[64];
        snprintf(object, sizeof object, "user:%s", name);
        char *details = room_details("roles", roles_text(roles, rt, sizeof rt), NULL);
        st = details ? room_audit_append(c, by ? by : "room", "user.create", object, details) : AT_ERR_NOMEM;
        at_free(details);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    room_conn_put(room, c);
    sodium_memzero(hash, sizeof hash);
    if (!st) {
        memcpy(password, otp, sizeof otp);
        if (id)
            *id = uid;
    }
    sodium_memzero(otp, sizeof otp);
    return st;
}

static at_status user_row(room_conn *c, sqlite3_stmt *s, at_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(s, 0);
    room_column_copy(s, 1, u->name, sizeof u->name);
    room_column_copy(s, 2, u->full_name, sizeof u->full_name);
    u->must = (unsigned)sqlite3_column_int(s, 3);
    u->mfa_enrolled = sqlite3_column_int(s, 4);
    u->disabled = sqlite3_column_int(s, 5);
    u->created = (time_t)sqlite3_column_int64(s, 6);
    (void)c;
    return AT_OK;
}

at_status at_room_user_get(at_room *room, const char *name, at_user *out)
{
    memset(out, 0, sizeof *out);
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    sqlite3_stmt *s =
        room_stmt(c, "SELECT id, name, full_name, must, totp_secret IS NOT NULL, disabled, created "
                     "FROM users WHERE name = ?");
    if (!s) {
        st = AT_ERR_IO;
    } else {
        room_bind_text(s, 1, name);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            user_row(c, s, out);
        else if (rc == SQLITE_DONE)
            st = at_error_set(AT_ERR_NOT_FOUND, "no user '%s'",
                              at_room_name_valid(name) ? name : "(invalid name)");
        else
            st = room_db_error(c->db, "user");
        sqlite3_reset(s);
    }
    if (!st)
        st = room_user_roles(c, out->id, &out->roles);
    room_conn_put(room, c);
    return st;
}

at_status at_room_user_list(at_room *room, at_user **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    size_t n = 0, cap = 0;
    at_user *v = NULL;
    sqlite3_stmt *s =
        room_stmt(c, "SELECT id, name, full_name, must, totp_secret IS NOT NULL, disabled, created "
                     "FROM users ORDER BY name");
    if (!s)
        st = AT_ERR_IO;
    int rc = SQLITE_DONE;
    while (!st && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        st = AT_GROW(v, cap, n + 1);
        if (st)
            break;
        user_row(c, s, &v[n++]);
    }
    if (!st && rc != SQLITE_DONE)
        st = room_db_error(c->db, "users");
    if (s)
        sqlite3_reset(s);
    for (size_t i = 0; i < n && !st; i++)
        st = room_user_roles(c, v[i].id, &v[i].roles);
    room_conn_put(room, c);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

/* Refuse (AT_ERR_DENIED) when uid is the last enabled administrator. */
static at_status guard_last_admin(room_conn *c, int64_t uid)
{
    sqlite3_stmt *s =
        room_stmt(c, "SELECT (SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
                     "AND r.role = 'admin' WHERE u.disabled = 0 AND u.id != ?1), "
                     "EXISTS(SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id "
                     "AND r.role = 'admin' WHERE u.disabled = 0 AND u.id = ?1)");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, uid);
    at_status st = AT_OK;
    if (sqlite3_step(s) != SQLITE_ROW)
        st = room_db_error(c->db, "administrators");
    else if (sqlite3_column_int64(s, 0) == 0 && sqlite3_column_int(s, 1))
        st = at_error_set(AT_ERR_DENIED, "this is the room's last administrator: make another one first");
    sqlite3_reset(s);
    return st;
}

enum { UPDATE_REVOKE = 1, UPDATE_GUARD_ADMIN = 2 };

/* Run one UPDATE on a named user inside a transaction with its audit
 * entry; flags: UPDATE_REVOKE also revokes every session of the user,
 * UPDATE_GUARD_ADMIN refuses to touch the last enabled administrator. */
static at_status user_update(at_room *room, const char *by, const char *name, const char *sql, int64_t arg,
                             const char *text_arg, int flags, const char *action, const char *details)
{
    int revoke = flags & UPDATE_REVOKE;
    at_status st = check_name(name, "user");
    if (st)
        return st;
    room_conn *c = room_conn_get(room);
    int64_t uid = 0;
    st = room_begin(c);
    if (!st)
        st = room_user_id(c, name, &uid);
    if (!st && (flags & UPDATE_GUARD_ADMIN))
        st = guard_last_admin(c, uid);
    sqlite3_stmt *s = st ? NULL : room_stmt(c, sql);
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, arg);
        if (text_arg)
            room_bind_text(s, 2, text_arg);
        sqlite3_bind_int64(s, text_arg ? 3 : 2, uid);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = room_db_error(c->db, action);
        sqlite3_reset(s);
    }
    if (!st && revoke)
        st = room_sessions_revoke_user(c, uid);
    if (!st) {
        char object[80];
        snprintf(object, sizeof object, "user:%s", name);
        st = room_audit_append(c, by ? by : "room", action, object, details);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    room_conn_put(room, c);
    return st;
}

at_status at_room_user_set_disabled(at_room *room, const char *by, const char *name, int disabled)
{
    return user_update(room, by, name, "UPDATE users SET disabled = ? WHERE id = ?", disabled ? 1 : 0, NULL,
                       disabled ? UPDATE_REVOKE | UPDATE_GUARD_ADMIN : 0,
                       disabled ? "user.disable" : "user.enable", NULL);
}

at_status at_room_user_reset_mfa(at_room *room, const char *by, const char *name)
{
    return user_update(
        room, by, name,
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL, must = must | ? WHERE id = ?", AT_MUST_MFA,
        NULL, UPDATE_REVOKE, "user.reset-mfa", NULL);
}

at_status at_room_user_reset_password(at_room *room, const char *by, const char *name,
                                      char password[AT_ROOM_OTP_MAX])
{
    password[0] = '\0';
    char otp[AT_ROOM_OTP_MAX], hash[crypto_pwhash_STRBYTES];
    room_onetime_password(otp);
    at_status st = room_password_hash(otp, hash);
    if (!st)
        st = user_update(room, by, name, "UPDATE users SET must = must | ?, password_hash = ? WHERE id = ?",
                         AT_MUST_PASSWORD, hash, UPDATE_REVOKE, "user.reset-password", NULL);
    if (!st)
        memcpy(password, otp, sizeof otp);
    sodium_memzero(otp, sizeof otp);
    sodium_memzero(hash, sizeof hash);
    return st;
}

at_status at_room_user_set_role(at_room *room, const char *by, const char *name, unsigned role, int grant)
{
    const char *rn = at_room_role_name(role);
    if (!*rn)
        return at_error_set(AT_ERR_ARG, "a room role is admin, dpo or teacher");
    char *details = room_details("role", rn, NULL);
    if (!details)
        return AT_ERR_NOMEM;
    at_status st =
        user_update(room, by, name,
                    grant ? "INSERT OR IGNORE INTO user_roles(user_id, role) SELECT ?3, ?2 WHERE ?1 = 1"
                          : "DELETE FROM user_roles WHERE ?1 = 1 AND role = ?2 AND user_id = ?3",
                    1, rn, !grant && role == AT_ROLE_ADMIN ? UPDATE_GUARD_ADMIN : 0,
                    grant ? "user.role-grant" : "user.role-withdraw", details);
    at_free(details);
    return st;
}
