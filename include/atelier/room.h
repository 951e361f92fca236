/* atelier room: the catalog of a shared station (users, room roles,
 * projects and their members, sessions and tokens), the one authorisation
 * function every route calls, the room's keys, and the tamper-evident
 * audit chain. Design: ROOM.md (shared) and docs/room.md.
 *
 * A room is a folder:
 *   DIR/catalog.db          SQLite (WAL, foreign keys on), schema versioned
 *   DIR/room.conf           settings, "key = value" lines
 *   DIR/keys/ (0700)        master.key, site.key (the door's), audit.key
 *                           (Ed25519), tls.key; each 0600
 *   DIR/keys/audit.pub      the audit signing key's public half
 *   DIR/tls.crt             the server certificate (public)
 *   DIR/audit-anchors.log   signed chain heads, one per line
 *
 * Every function is thread-safe on one at_room (a pool of catalog
 * connections), returns an at_status and sets the thread's error message,
 * which names users and projects by their identifiers and never carries a
 * password, a code, a token or a secret. Nothing here checks permissions:
 * the caller (a route) asks at_room_authorize first; the functions take
 * the acting user's name only to record it in the audit. */
#ifndef ATELIER_ROOM_H
#define ATELIER_ROOM_H

#include "atelier/core.h"

#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the room (beside core.h's). */
#define AT_ERR_UNAUTHENTICATED (-20) /* no session, or a wrong or missing factor */
#define AT_ERR_DENIED (-21)          /* authenticated, not allowed (or disabled) */
#define AT_ERR_LOCKED (-22)          /* too many failed logins: wait */
#define AT_ERR_EXISTS (-23)          /* a name already taken */

/* Ceilings. Identifiers (user and project names) are 1..64 characters of
 * [A-Za-z0-9._-] starting with a letter or digit: they name folders,
 * Slurm accounts and URLs later. Free texts (full names, titles) are any
 * UTF-8 without control characters, at most AT_ROOM_TEXT_MAX bytes. */
#define AT_ROOM_NAME_MAX 64
#define AT_ROOM_TEXT_MAX 256
#define AT_ROOM_PASSWORD_MIN 12    /* characters (UTF-8 code points) */
#define AT_ROOM_PASSWORD_MAX 1024  /* bytes */
#define AT_ROOM_TOKEN_MAX 64       /* "atl_" + 43 base64url characters, NUL included */
#define AT_ROOM_OTP_MAX 32         /* one-time passwords: "xxxxx-xxxxx-xxxxx-xxxxx" */
#define AT_ROOM_TOTP_SECRET_MAX 40 /* base32 of 20 bytes, NUL included */
#define AT_ROOM_URI_MAX 512

/* ---- room roles and project roles ------------------------------------- */
enum {
    AT_ROLE_ADMIN = 1u << 0,  /* users, stations, settings; no project data by that role alone */
    AT_ROLE_DPO = 1u << 1,    /* audit, dataset register, airlock review: metadata, not data */
    AT_ROLE_TEACHER = 1u << 2 /* creates courses */
};
typedef enum { AT_PROJECT_NONE = 0, AT_PROJECT_LEAD, AT_PROJECT_MEMBER, AT_PROJECT_STUDENT } at_project_role;

/* "admin", "dpo", "teacher" -> its bit; 0 for anything else. */
unsigned at_room_role_parse(const char *name);
const char *at_room_role_name(unsigned role_bit);
/* "lead", "member", "student" -> the role; AT_PROJECT_NONE otherwise. */
at_project_role at_room_project_role_parse(const char *name);
const char *at_room_project_role_name(at_project_role role);
/* 1 when s is a valid identifier (see above). */
int at_room_name_valid(const char *s);
/* 1 when s is a valid free text (UTF-8, no control characters, bounded). */
int at_room_text_valid(const char *s);

/* ---- settings: DIR/room.conf ------------------------------------------ */
typedef struct {
    char listen[128];                /* "ADDR:PORT" (default 127.0.0.1:8443) */
    char name[AT_ROOM_NAME_MAX + 1]; /* shown in authenticator apps (default "atelier") */
    char tls_cert[512];              /* "" means DIR/tls.crt */
    char tls_key[512];               /* "" means DIR/keys/tls.key */
    char static_dir[512];            /* Debian's /usr/share/javascript */
    int threads;                     /* HTTP worker threads (default 4) */
    int max_connections;             /* in all (default 512) */
    int per_ip_connections;          /* 0: no limit (default 64) */
    int connection_timeout_s;        /* an idle connection is closed (default 30) */
    size_t body_max;                 /* request body ceiling in bytes (default 65536) */
    int session_idle_s;              /* browser sessions (default 1800) */
    int session_absolute_s;          /* browser sessions (default 43200) */
    int token_lifetime_s;            /* bearer tokens (default 7 days) */
    int lockout_failures;            /* failed logins before a lock (default 5) */
    int lockout_base_s;              /* first lock; doubles with each failure after (default 60) */
    int lockout_max_s;               /* longest lock (default 3600) */
    int audit_anchor_every;          /* entries between signed anchors, 1..100 (default 100) */
} at_room_conf;

/* Defaults (the values above). */
void at_room_conf_defaults(at_room_conf *c);
/* Read a room.conf over the defaults: "key = value" lines, '#' comments.
 * An unknown key or a bad value is AT_ERR_FORMAT naming the file and line. */
at_status at_room_conf_read(const char *path, at_room_conf *c);
/* Each "key = value" line of a settings file (room.conf, at most 1 MiB),
 * for the readers of the modules that keep their settings there: '#'
 * starts a comment, blank lines are skipped, key and value are trimmed of
 * white space. Only the keys that start with prefix reach fn, without it
 * ("": every key). A line with no '=' is AT_ERR_FORMAT naming path and
 * line when strict (the room's own reader), skipped otherwise (the room's
 * reader names it). Stops at fn's first error and returns it; at_file_read's
 * errors (AT_ERR_IO for a missing file) are returned as they come. */
typedef at_status (*at_room_conf_line_fn)(void *ud, const char *path, int lineno, char *key, char *value);
at_status at_room_conf_each(const char *path, const char *prefix, int strict, at_room_conf_line_fn fn,
                            void *ud);

/* ---- the room ----------------------------------------------------------- */
typedef struct at_room at_room;

typedef struct {
    char admin[AT_ROOM_NAME_MAX + 1];
    char password[AT_ROOM_OTP_MAX]; /* the first administrator's one-time password */
    char audit_public_key[65];      /* hex: keep a copy away from the station */
} at_room_init_result;

/* Create a room in dir (created 0700 if absent; an existing folder must be
 * empty): the keys (master, site, audit signing), the catalog, room.conf,
 * the anchors log, and the first administrator, whose one-time password
 * is returned once and stored only hashed. The TLS certificate is made by
 * the web module (at_web_make_certificate). On failure the files written
 * are removed. */
at_status at_room_init(const char *dir, const char *admin, at_room_init_result *out);

/* Open a room: settings, keys, catalog (migrated to the current schema).
 * *out owned by the caller: at_room_close. */
at_status at_room_open(const char *dir, at_room **out);
/* Close: appends the audit's signed anchor when entries were added since
 * the last one, then frees everything. NULL is a no-op. */
at_status at_room_close(at_room *room);
const at_room_conf *at_room_config(const at_room *room);
const char *at_room_dir(const at_room *room);
/* The door's site key (for imports): never shown to a user. */
at_status at_room_site_key(const at_room *room, at_key *out);
/* The catalog's integrity_check and foreign_key_check; AT_ERR_FORMAT
 * naming the first problem. */
at_status at_room_check(at_room *room);
/* Schema version of the catalog (PRAGMA user_version). */
int at_room_schema_version(at_room *room);

/* The room master key (the vault's key-wrapping key derives from it):
 * never shown to a user; for the modules above the room. */
at_status at_room_master_key(const at_room *room, at_key *out);

/* ---- the catalog for the modules above the room (jobs, vault wiring) ----
 * A module keeps its own tables in the catalog, with its own migrations
 * (recorded in the meta table as "schema.MODULE"), and writes them in
 * transactions that also append to the audit chain. */
typedef struct at_room_db at_room_db;
struct sqlite3_stmt;
/* Borrow a catalog connection (waits while all are busy); give it back
 * with at_room_db_put, which rolls back a transaction left open. */
at_room_db *at_room_db_get(at_room *room);
void at_room_db_put(at_room *room, at_room_db *db);
/* The connection's cached prepared statement for sql (a string literal of
 * the module: compared by address), reset, its bindings cleared. NULL
 * (error set) on failure. */
struct sqlite3_stmt *at_room_db_stmt(at_room_db *db, const char *sql);
/* BEGIN IMMEDIATE / COMMIT (then the audit's anchor when due) / ROLLBACK. */
at_status at_room_db_begin(at_room_db *db);
at_status at_room_db_commit(at_room *room, at_room_db *db);
void at_room_db_rollback(at_room_db *db);
/* Append an audit entry inside the open transaction. */
at_status at_room_db_audit(at_room_db *db, const char *actor, const char *action, const char *object,
                           const char *details);
/* AT_ERR_IO with the catalog's message, prefixed with what. */
at_status at_room_db_error(at_room_db *db, const char *what);
/* Rows changed by the last statement; the rowid of the last insert. */
int at_room_db_changes(at_room_db *db);
int64_t at_room_db_last_id(at_room_db *db);
/* Bring the module's tables to version count: steps[i] takes them from
 * version i to i + 1, each step in its own transaction. */
at_status at_room_db_migrate(at_room *room, const char *module, const char *const *steps, int count);

/* Sign msg with the room's Ed25519 key (the audit signing key), under a
 * purpose: the signature covers domain, a newline, then msg, so that a
 * signature made for one purpose is never valid for another. domain is a
 * constant such as "atelier-airlock-package-v1"; the audit anchors'
 * domain is refused (AT_ERR_ARG). */
at_status at_room_sign(const at_room *room, const char *domain, const void *msg, size_t len,
                       unsigned char sig[64]);
/* The room's Ed25519 public key (keys/audit.pub). */
void at_room_public_key(const at_room *room, unsigned char pk[32]);

/* Test hook: the room's clock (seconds since the epoch); NULL restores
 * time(). Process-wide. */
void at_room_set_clock(time_t (*now)(void));
time_t at_room_now(void);

/* ---- actors, sessions, tokens ------------------------------------------ */
typedef enum {
    AT_STAGE_NONE = 0, /* no session */
    AT_STAGE_MFA,      /* browser: password checked, TOTP code awaited */
    AT_STAGE_SETUP,    /* one-time password used: only password change and MFA enrolment */
    AT_STAGE_FULL      /* logged in */
} at_stage;
enum { AT_MUST_PASSWORD = 1u << 0, AT_MUST_MFA = 1u << 1 };
typedef enum { AT_SESSION_BROWSER = 0, AT_SESSION_BEARER = 1 } at_session_kind;

/* Who is asking. user_id 0 (stage NONE) is nobody. */
typedef struct {
    int64_t user_id;
    char name[AT_ROOM_NAME_MAX + 1];
    unsigned roles; /* AT_ROLE_* bits */
    at_stage stage;
    unsigned must; /* AT_MUST_* bits still to do (stage SETUP) */
    int64_t session_id;
    at_session_kind kind;
    time_t expires;
} at_actor;

/* Open a session for a user (no factor checked: login does that; tests
 * use it directly). token receives the secret the client keeps; only its
 * hash is stored. */
at_status at_room_session_open(at_room *room, int64_t user_id, at_session_kind kind, at_stage stage,
                               unsigned must, char token[AT_ROOM_TOKEN_MAX]);
/* Find the live session of a token: not revoked, not past its absolute
 * or (browser) idle timeout, its user not disabled. Refreshes the idle
 * clock at most once a minute. AT_ERR_UNAUTHENTICATED otherwise (actor
 * zeroed). */
at_status at_room_session_lookup(at_room *room, const char *token, at_session_kind kind, at_actor *out);
/* Revoke one session (logout). */
at_status at_room_session_revoke(at_room *room, const at_actor *actor);
/* The CSRF token of a browser session (or of a pre-login nonce): a keyed
 * hash of the cookie's value, 43 base64url characters. */
void at_room_csrf_token(const at_room *room, const char *cookie_value, char out[AT_ROOM_TOKEN_MAX]);
/* 1 when given is the CSRF token of cookie_value (constant time). */
int at_room_csrf_check(const at_room *room, const char *cookie_value, const char *given);
/* A fresh random value for a pre-login cookie (base64url). */
void at_room_random_token(char out[AT_ROOM_TOKEN_MAX]);

/* ---- login ------------------------------------------------------------- */
typedef struct {
    char token[AT_ROOM_TOKEN_MAX];
    at_stage stage; /* MFA (browser step 1), SETUP or FULL */
    unsigned must;
    int64_t user_id;
    int retry_after; /* seconds, with AT_ERR_LOCKED */
} at_login_result;

/* Both factors in one call (the API). A wrong password or code, an
 * unknown user or a missing code: AT_ERR_UNAUTHENTICATED, counted towards
 * the lock (except a missing code after a right password); a locked name:
 * AT_ERR_LOCKED with retry_after; a disabled account: AT_ERR_DENIED. With a
 * one-time password or no TOTP enrolled the session has stage SETUP and
 * must says what remains. peer (an address, may be NULL) goes to the
 * audit. */
at_status at_room_login(at_room *room, const char *name, const char *password, const char *totp,
                        at_session_kind kind, const char *peer, at_login_result *out);
/* Browser step 1: the password alone. Stage MFA (a short session awaiting
 * the code) when TOTP is enrolled, else SETUP. */
at_status at_room_login_password(at_room *room, const char *name, const char *password, const char *peer,
                                 at_login_result *out);
/* Browser step 2: the code for a stage-MFA session, which is revoked; a
 * new FULL session is returned (a new id). */
at_status at_room_login_totp(at_room *room, const at_actor *pending, const char *totp, const char *peer,
                             at_login_result *out);

/* ---- passwords and MFA --------------------------------------------------- */
/* Change the actor's password. current is required unless the actor must
 * change it (stage SETUP with AT_MUST_PASSWORD). The new one must have
 * AT_ROOM_PASSWORD_MIN characters and differ from the current one. */
at_status at_room_password_change(at_room *room, at_actor *actor, const char *current,
                                  const char *new_password);
/* Start TOTP enrolment (stage SETUP with AT_MUST_MFA): a new secret (base32)
 * and its otpauth:// URI, pending until confirmed. reuse: return the
 * pending secret when there is one (a page shown again). */
at_status at_room_mfa_enrol(at_room *room, const at_actor *actor, int reuse,
                            char secret[AT_ROOM_TOTP_SECRET_MAX], char uri[AT_ROOM_URI_MAX]);
/* Confirm enrolment with a code of the pending secret (the code's step is
 * then used). Clears AT_MUST_MFA on the actor and the session. */
at_status at_room_mfa_confirm(at_room *room, at_actor *actor, const char *code);

/* RFC 6238 (HMAC-SHA1, 6 digits, 30 s) of a base32 secret at time t:
 * code written as 6 digits and NUL. For tests and the client. */
at_status at_room_totp_code(const char *secret_base32, time_t t, char code[7]);

/* ---- users --------------------------------------------------------------- */
typedef struct {
    int64_t id;
    char name[AT_ROOM_NAME_MAX + 1];
    char full_name[AT_ROOM_TEXT_MAX + 1];
    unsigned roles;
    int disabled;
    int mfa_enrolled;
    unsigned must; /* what the next login still has to do */
    time_t created;
} at_user;

/* Create a user with a one-time password (returned once). roles: AT_ROLE_*
 * bits. by: the acting user's name for the audit (NULL: "room"). */
at_status at_room_user_create(at_room *room, const char *by, const char *name, unsigned roles,
                              const char *full_name, char password[AT_ROOM_OTP_MAX], int64_t *id);
at_status at_room_user_get(at_room *room, const char *name, at_user *out);
/* All users by name. *out owned by the caller (at_free). */
at_status at_room_user_list(at_room *room, at_user **out, size_t *count);
/* Disable (every session revoked) or enable again. */
at_status at_room_user_set_disabled(at_room *room, const char *by, const char *name, int disabled);
/* Forget the user's TOTP: the next login enrols again. Sessions revoked. */
at_status at_room_user_reset_mfa(at_room *room, const char *by, const char *name);
/* A new one-time password (returned once). Sessions revoked. */
at_status at_room_user_reset_password(at_room *room, const char *by, const char *name,
                                      char password[AT_ROOM_OTP_MAX]);
/* Grant (grant 1) or withdraw a room role. */
at_status at_room_user_set_role(at_room *room, const char *by, const char *name, unsigned role, int grant);

/* ---- projects -------------------------------------------------------------- */
typedef struct {
    int64_t id;
    char name[AT_ROOM_NAME_MAX + 1];
    char title[AT_ROOM_TEXT_MAX + 1];
    time_t created;
    at_project_role my_role; /* filled by at_room_user_projects */
} at_project;

typedef struct {
    char user[AT_ROOM_NAME_MAX + 1];
    at_project_role role;
} at_member;

at_status at_room_project_create(at_room *room, const char *by, const char *name, const char *title);
at_status at_room_project_get(at_room *room, const char *name, at_project *out);
/* All projects by name; *out owned by the caller. */
at_status at_room_project_list(at_room *room, at_project **out, size_t *count);
/* The projects of a user with the user's role in each. */
at_status at_room_user_projects(at_room *room, int64_t user_id, at_project **out, size_t *count);
at_status at_room_project_members(at_room *room, const char *project, at_member **out, size_t *count);
/* Add a member or change their role. */
at_status at_room_member_set(at_room *room, const char *by, const char *project, const char *user,
                             at_project_role role);
at_status at_room_member_remove(at_room *room, const char *by, const char *project, const char *user);
/* The user's role in a project (AT_PROJECT_NONE when not a member). */
at_project_role at_room_member_role(at_room *room, int64_t user_id, const char *project);

/* ---- authorisation --------------------------------------------------------- */
typedef enum {
    AT_ACT_PUBLIC = 0,      /* anyone: health, static files, the login form */
    AT_ACT_LOGIN_MFA,       /* a browser session awaiting its TOTP code */
    AT_ACT_LOGOUT,          /* any session */
    AT_ACT_PASSWORD_CHANGE, /* logged in, or a SETUP session that must change it */
    AT_ACT_MFA_ENROL,       /* a SETUP session that must enrol */
    AT_ACT_SELF_READ,       /* logged in: me, home, my projects */
    AT_ACT_USER_LIST,       /* admin */
    AT_ACT_USER_MANAGE,     /* admin: create, disable, reset, roles */
    AT_ACT_PROJECT_LIST,    /* logged in (what is listed is filtered by PROJECT_READ) */
    AT_ACT_PROJECT_CREATE,  /* admin */
    AT_ACT_PROJECT_READ,    /* admin, dpo, members of the project */
    AT_ACT_MEMBER_MANAGE,   /* admin, the project's lead */
    AT_ACT_AUDIT_READ,      /* dpo */
    AT_ACT_JOB_SUBMIT,      /* lead, member, student of the project: submit jobs, push code */
    AT_ACT_JOB_READ,        /* admin, members of the project: the project's jobs and their progress */
    AT_ACT_JOB_DATA,        /* members of the project: logs, results, datasets */
    AT_ACT_JOB_CANCEL,      /* admin, the project's lead, the job's owner (the handler checks the owner) */
    AT_ACT_QUEUE_ROOM,      /* admin: the whole room's queue and the stations' load */
    AT_ACT_EXPORT_CREATE,   /* lead, member, student of the project: start an export request */
    AT_ACT_EXPORT_READ,     /* the request's author, its reviewers (the project's leads, the DPO, the
                             * designated checkers): read it and its files' checks, comment */
    AT_ACT_EXPORT_EDIT,     /* the request's author, still a member: files, submit, withdraw, release */
    AT_ACT_EXPORT_REVIEW,   /* a reviewer who is not the author: vote, submit a review, reject */
    AT_ACT_EXPORT_DOWNLOAD, /* the request's author, still a member (the handler checks it is released) */
    AT_ACT_EXPORT_ALL,      /* dpo: every request and release of the room */
    AT_ACT_DATASET_READ,    /* dpo (the dataset register: metadata), members of the project: datasets,
                             * snapshots, door reports, lineage, imports' progress */
    AT_ACT_DATASET_GET,     /* members of the project: a snapshot's files */
    AT_ACT_DATASET_IMPORT,  /* lead, member, student of the project: begin an import (students: synthetic
                             * cohorts only, the datasets module checks) */
    AT_ACT_IMPORT_EDIT,     /* the import's owner, still a member: upload, finish, cancel */
    AT_ACT_VAULT_ADMIN,     /* admin: the room's vault garbage collection */
    AT_ACT_DATASET_DELETE,  /* the project's lead: ask for a dataset's deletion (crypto-shredding) */
    AT_ACT_DATASET_SHRED,   /* dpo: confirm a deletion asked for (the dataset key destroyed) */
    AT_ACT_COURSE_CREATE,   /* teacher: create a course */
    AT_ACT_COURSE_READ,     /* the course's teacher, assistants and students: its pages, the leaderboard */
    AT_ACT_COURSE_TEACH,    /* the course's teacher and assistants (lead, member): students, data,
                             * assignments, usage, grades, submitted configurations */
    AT_ACT_COURSE_MANAGE,   /* the course's teacher (lead): assistants, quotas */
    AT_ACT_COURSE_SUBMIT,   /* the course's students: submit to an assignment */
    AT_ACT_COUNT
} at_action;

typedef struct {
    const char *project; /* a project's name, or NULL */
    const char *user;    /* a user's name, or NULL (a job's owner, an export request's author) */
    int checker;         /* the actor is one of the airlock's designated output checkers (the
                          * airlock's settings; the caller fills it for the export actions) */
} at_object;

typedef enum {
    AT_ALLOW = 0,
    AT_DENY_UNAUTHENTICATED, /* no live session (401) */
    AT_DENY_SETUP,           /* the account must finish its setup first (403) */
    AT_DENY_FORBIDDEN        /* not allowed (403) */
} at_decision;

/* The one authorisation function: may actor (NULL or stage NONE: nobody)
 * do action on object? Looks up project membership when the action needs
 * it; any error denies. */
at_decision at_room_authorize(at_room *room, const at_actor *actor, at_action action,
                              const at_object *object);
const char *at_room_action_name(at_action action);

/* ---- audit --------------------------------------------------------------- */
typedef struct {
    int64_t seq;
    char time[32];                                 /* "2026-12-01T10:00:00Z" */
    const char *actor, *action, *object, *details; /* details: a JSON object, never a secret */
} at_audit_entry;

/* Append an entry in its own transaction. Details: a JSON object or NULL. */
at_status at_room_audit(at_room *room, const char *actor, const char *action, const char *object,
                        const char *details);

typedef struct {
    const char *who;   /* actor equals, or NULL */
    const char *what;  /* action starts with, or NULL */
    const char *since; /* time >= (ISO date or date-time), or NULL */
    const char *until; /* time < (a date alone means the whole day), or NULL */
    int64_t limit;     /* at most (0: 1000); newest first */
} at_audit_filter;
/* Entries matching the filter, newest first; fn returns nonzero to stop. */
typedef int (*at_audit_fn)(void *ud, const at_audit_entry *entry);
at_status at_room_audit_query(at_room *room, const at_audit_filter *filter, at_audit_fn fn, void *ud);

typedef struct {
    int ok;
    int64_t entries;      /* rows read */
    int64_t anchors;      /* valid signed anchors read */
    int64_t first_broken; /* the first entry found wrong (0 when ok) */
    int64_t problems;     /* how many problems in all */
    char message[512];    /* the first problem, naming the entry */
} at_audit_report;
/* Re-check the audit of the room in dir, read-only: every entry's hash
 * and link, and every line of audit-anchors.log (signature, and the hash
 * of each entry it covers). The report names the first broken entry: an
 * edited one, a deleted one (from the middle or the newest), or one that
 * differs from its signed anchor (a chain rebuilt without the key).
 * Returns AT_OK when the check ran (see report->ok), an error when it could
 * not (no catalog, no key). public_key_hex: NULL to use DIR/keys/audit.pub. */
at_status at_room_audit_verify(const char *dir, const char *public_key_hex, at_audit_report *report);
/* The same on an open room (the DPO's page). */
at_status at_room_audit_verify_open(at_room *room, at_audit_report *report);
/* hash = BLAKE2b-256(prev || canonical(entry)): the chain's rule. */
void at_room_audit_entry_hash(const unsigned char prev[32], const at_audit_entry *entry,
                              unsigned char out[32]);

#ifdef __cplusplus
}
#endif
#endif
