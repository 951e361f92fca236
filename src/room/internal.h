/* Inside the room module: the catalog connection pool, prepared statement
 * cache, transactions, keys, password hashing, TOTP and the audit's
 * internal append. Not a public interface. */
#ifndef ATELIER_ROOM_INTERNAL_H
#define ATELIER_ROOM_INTERNAL_H

#include "atelier/room.h"

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>

#define ROOM_SCHEMA_VERSION 1
#define ROOM_STMT_CACHE 192
#define ROOM_HASH_BYTES 32
#define ROOM_AUDIT_DETAILS_MAX 4096

/* One catalog connection with its statements; used by one thread at a time. */
typedef struct {
    sqlite3 *db;
    const char *sql[ROOM_STMT_CACHE]; /* static strings, compared by address */
    sqlite3_stmt *stmt[ROOM_STMT_CACHE];
    int nstmt;
    int in_transaction;
    int audit_added; /* entries appended in the open transaction */
} room_conn;

struct at_room {
    char *dir;
    at_room_conf conf;
    at_key master;
    unsigned char audit_sk[crypto_sign_SECRETKEYBYTES];
    unsigned char audit_pk[crypto_sign_PUBLICKEYBYTES];
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    room_conn *conns;
    int nconns;
    int *free_list; /* indices of idle connections */
    int nfree;
    pthread_mutex_t anchor_mu;
    int64_t anchored_seq; /* the newest entry covered by an anchor this process knows */
    pthread_mutex_t dummy_mu;
    char dummy_hash[crypto_pwhash_STRBYTES]; /* compared against for unknown users */
};

/* ---- catalog.c ---- */
/* Open one connection to path with the room's pragmas (WAL, foreign keys,
 * synchronous FULL, busy timeout, defensive). */
at_status room_db_open(const char *path, int readonly, sqlite3 **out);
/* Bring the schema to ROOM_SCHEMA_VERSION, one transaction per step. */
at_status room_migrate(sqlite3 *db);
at_status room_pool_open(at_room *room, int count);
void room_pool_close(at_room *room);
/* Borrow a connection (waits while all are busy); give it back after. */
room_conn *room_conn_get(at_room *room);
void room_conn_put(at_room *room, room_conn *c);
/* The cached prepared statement for sql (a string literal), reset with its
 * bindings cleared. NULL (error set) on failure. */
sqlite3_stmt *room_stmt(room_conn *c, const char *sql);
/* AT_ERR_IO with the catalog's message, prefixed with what. */
at_status room_db_error(sqlite3 *db, const char *what);
/* BEGIN IMMEDIATE (the writer lock, so the audit head is read consistently). */
at_status room_begin(room_conn *c);
/* COMMIT; then, when audit entries were added, the anchor if one is due. */
at_status room_commit(at_room *room, room_conn *c);
void room_rollback(room_conn *c);
/* Bind helpers (text NULL binds NULL). */
int room_bind_text(sqlite3_stmt *s, int i, const char *v);
int room_bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n);
/* Copy a text column into a fixed buffer (truncated, always NUL-terminated). */
void room_column_copy(sqlite3_stmt *s, int col, char *out, size_t cap);

/* ---- keys.c ---- */
/* Create DIR/keys (0700) with master, site and audit keys (0600). */
at_status room_keys_create(const char *dir, char audit_public_hex[65]);
/* Load the master and audit keys of an open room; refuses key files that
 * others can read. */
at_status room_keys_load(at_room *room);
/* Load the audit public key (hex in DIR/keys/audit.pub, or given). */
at_status room_audit_public_key(const char *dir, const char *hex,
                                unsigned char pk[crypto_sign_PUBLICKEYBYTES]);
/* Write data to path atomically with the given mode (temp, fsync, rename). */
at_status room_write_private(const char *path, const void *data, size_t len, int mode);
/* Read a hex key of n bytes from path (mode checked when private). */
at_status room_read_hex_key(const char *path, unsigned char *out, size_t n, int private_file);

/* ---- password.c ---- */
/* Argon2id (libsodium crypto_pwhash_str): 19 MiB, 2 passes. */
at_status room_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);
/* 1 when password matches hash (constant time in the hash's own terms). */
int room_password_verify(const char *hash, const char *password);
/* A one-time password: 4 groups of 5 characters of an unambiguous alphabet. */
void room_onetime_password(char out[AT_ROOM_OTP_MAX]);
/* Policy for a new password: AT_ERR_ARG with a message when refused. */
at_status room_password_policy(const char *password);

/* ---- totp.c ---- */
at_status room_base32_encode(const unsigned char *in, size_t n, char *out, size_t cap);
/* Decode (case-insensitive, spaces ignored); *n receives the byte count. */
at_status room_base32_decode(const char *in, unsigned char *out, size_t cap, size_t *n);
/* HOTP (RFC 4226) of counter with key: 6-digit code as an integer. */
uint32_t room_hotp(const unsigned char *key, size_t keylen, uint64_t counter);
/* The step of a code within +-1 of now, greater than last_step; 0 when none.
 * The caller records the step so it is never accepted again. */
int64_t room_totp_match(const unsigned char *key, size_t keylen, const char *code, time_t now,
                        int64_t last_step);
/* Seal / open a TOTP secret with the master key, bound to the user's id. */
at_status room_secret_seal(const at_room *room, int64_t user_id, const unsigned char *secret, size_t n,
                           unsigned char *out, size_t cap, size_t *outlen);
at_status room_secret_open(const at_room *room, int64_t user_id, const unsigned char *sealed, size_t n,
                           unsigned char *out, size_t cap, size_t *outlen);

/* ---- audit.c ---- */
/* Append one entry inside the connection's open transaction. */
at_status room_audit_append(room_conn *c, const char *actor, const char *action, const char *object,
                            const char *details);
/* Write a signed anchor covering the entries after the last one anchored,
 * when at least conf.audit_anchor_every are waiting (force: when any). */
at_status room_audit_anchor(at_room *room, room_conn *c, int force);
/* The newest entry covered by a valid signed line of the anchors log's
 * tail (0 when none). */
int64_t room_anchors_last_seq(const char *dir, const unsigned char *pk);
/* audit_verify.c: the last entry of a valid signed anchor line, else 0
 * (line is modified). */
int64_t room_anchor_line_to(char *line, const unsigned char *pk);

/* ---- util.c ---- */
void room_time_iso(time_t t, char out[32]);
/* Build a small JSON object from key/value string pairs (NULL-terminated
 * list); owned by the caller. */
char *room_details(const char *k1, ...);
void room_token_hash(const at_room *room, const char *token, unsigned char out[ROOM_HASH_BYTES]);
void room_b64url(const unsigned char *in, size_t n, char *out, size_t cap);

/* ---- room.c ---- */
/* Delete ended sessions and old lock counters (best effort). */
void room_purge(room_conn *c, time_t now);

/* ---- sessions.c ---- */
/* Insert a session inside the connection's open transaction. */
at_status room_session_insert(at_room *room, room_conn *c, int64_t user_id, at_session_kind kind,
                              at_stage stage, unsigned must, char token[AT_ROOM_TOKEN_MAX]);

/* ---- users.c ---- */
/* Fill a user from a row of "SELECT id, name, full_name, must, totp_secret
 * IS NOT NULL, disabled, created". Roles read separately. */
at_status room_user_roles(room_conn *c, int64_t id, unsigned *roles);
at_status room_user_id(room_conn *c, const char *name, int64_t *id);
/* The id of the row that sql selects by one bound name; AT_ERR_NOT_FOUND
 * "no WHAT 'NAME'" (an invalid name not repeated) when there is none. */
at_status room_id_by_name(room_conn *c, const char *sql, const char *what, const char *name, int64_t *id);
/* Revoke every session of a user (in the open transaction). */
at_status room_sessions_revoke_user(room_conn *c, int64_t user_id);

#endif
