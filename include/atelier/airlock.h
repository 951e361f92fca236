/* atelier airlock: nothing leaves the room but through a released export
 * request. A member assembles files of the project (a job's result
 * snapshot, a finished job's log) into a request; automated checks run on
 * every file (type and size, identifiers through the French text detector
 * and the DICOM door, disclosure control of tables, risk models'
 * vocabulary, neural-network weights flagged for the DPO); two reviewers
 * other than the author vote per file without seeing each other's votes;
 * an approved request is released by its author as a package (the files
 * and manifest.json: sha256, lineage, checks, reviewers, times) signed with
 * the room's Ed25519 key, which at_airlock_verify checks anywhere.
 *
 * The module sits above jobs, vault and room: its tables live in the
 * room's catalog (its own migrations), every step is an audit entry, and
 * the files come through a file source (at_airlock_source), a table of
 * functions that the room's wiring implements over the vault and the jobs
 * (at_airlock_source_room) and that tests replace. Design: ROOM.md (shared)
 * and docs/airlock.md. Every function returns an at_status and sets the
 * thread's error message; messages name requests, files, users and
 * projects, never a file's content. */
#ifndef ATELIER_AIRLOCK_H
#define ATELIER_AIRLOCK_H

#include "atelier/jobs.h"
#include "atelier/room.h"
#include "atelier/text.h"
#include "atelier/vault.h"

#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ceilings ---- */
#define AT_AIRLOCK_NAME_MAX 200  /* bytes of a file's name in the package (a vault path) */
#define AT_AIRLOCK_TEXT_MAX 2000 /* bytes of a justification, a comment, a reason */
#define AT_AIRLOCK_FILES_MAX 200 /* files of one request */
#define AT_AIRLOCK_ID_MAX 80     /* bytes of a source id */
#define AT_AIRLOCK_MANIFEST_MAX (16u << 20)
#define AT_AIRLOCK_PROJECTS_MAX 64 /* per-project settings */
#define AT_AIRLOCK_PACKAGE_DOMAIN "atelier-airlock-package-v1"
#define AT_AIRLOCK_PACKAGE_FORMAT "atelier-airlock-package-1"

/* ---- states ---- */
typedef enum {
    AT_AIRLOCK_DRAFT = 0, /* the author assembles it */
    AT_AIRLOCK_SUBMITTED, /* handed in: the checks run (a passing state, recorded in the audit) */
    AT_AIRLOCK_BLOCKED,   /* a check failed with no exception asked: back to the author */
    AT_AIRLOCK_IN_REVIEW, /* the reviewers vote */
    AT_AIRLOCK_RETURNED,  /* a reviewer asked for changes: back to the author */
    AT_AIRLOCK_APPROVED,  /* two approvals of every file (and the DPO's where needed) */
    AT_AIRLOCK_RELEASED,  /* the author released it: the signed package exists */
    AT_AIRLOCK_REJECTED,  /* final */
    AT_AIRLOCK_WITHDRAWN, /* final */
    AT_AIRLOCK_STATE_COUNT
} at_airlock_state;
/* "draft", "submitted", "blocked", "in-review", "returned", "approved",
 * "released", "rejected", "withdrawn"; -1 from parse for another name. */
const char *at_airlock_state_name(at_airlock_state s);
int at_airlock_state_parse(const char *name);

/* ---- settings: the airlock.* keys of room.conf ---- */
typedef struct {
    char project[AT_ROOM_NAME_MAX + 1];
    int threshold;
} at_airlock_project_conf;

typedef struct {
    int threshold;          /* the smallest count a table may show (default 10) */
    int round_base;         /* the rounding transformation's base (default 5) */
    int digit_run;          /* digits in a row that make an identifier (default 5) */
    int model_min_patients; /* the patients the risk trainer requires of a kept term (5) */
    uint64_t file_max;      /* bytes of one file (default 100 MiB) */
    uint64_t request_max;   /* bytes of a request's files (default 1 GiB) */
    int reviewers;          /* approvals needed per file (default 2, at least 2) */
    char types[512];        /* the type allow-list, comma-separated */
    char checkers[2048];    /* designated output checkers, comma-separated user names */
    size_t project_count;   /* airlock.threshold.PROJECT = N */
    at_airlock_project_conf projects[AT_AIRLOCK_PROJECTS_MAX];
} at_airlock_conf;
void at_airlock_conf_defaults(at_airlock_conf *c);
/* Read the airlock.* keys of a room.conf over the defaults (the room's and
 * the jobs' keys are skipped); AT_ERR_FORMAT naming the line otherwise. */
at_status at_airlock_conf_read(const char *path, at_airlock_conf *c);
/* The project's threshold. */
int at_airlock_threshold(const at_airlock_conf *c, const char *project);
/* 1 when name is in c->types / c->checkers. */
int at_airlock_type_allowed(const at_airlock_conf *c, const char *type);
int at_airlock_conf_is_checker(const at_airlock_conf *c, const char *user);

/* ---- automated checks (no catalog: tests and the fuzzer call them) ---- */
typedef enum { AT_CHECK_PASS = 0, AT_CHECK_REVIEW = 1, AT_CHECK_FAIL = 2 } at_check_outcome;
const char *at_check_outcome_name(at_check_outcome o); /* "pass", "review", "fail" */

typedef struct {
    const at_airlock_conf *conf;
    int threshold;                /* the project's (at_airlock_threshold) */
    const at_text_deid *detector; /* the French detector; NULL: identifiers not checked (a review) */
    int rounded;                  /* the file is the rounding transformation's output */
} at_airlock_check_ctx;

typedef struct {
    at_check_outcome outcome; /* the worst of the checks */
    int hard;                 /* a failure no exception may pass (type, size, unreadable) */
    int needs_dpo;            /* neural-network weights: the DPO must approve too */
    char type[16];            /* "csv", "tsv", "json", "txt", "log", "png", "svg", "pdf",
                               * "safetensors", "atrisk", "dicom", or "unknown" */
    char *json;               /* {"outcome", "type", "needs_dpo", "hard", "checks": [{"name",
                               * "outcome", "summary", "findings": [...]}]}, owned */
} at_airlock_checks;
/* Run every check that applies to a file named name (its type from the
 * name and the bytes): data/len its bytes, or NULL when size is past
 * conf->file_max (then only the type and size checks run). Findings name
 * lines, columns, tags, labels and offsets, never a value. out owned by
 * the caller (at_airlock_checks_free). */
at_status at_airlock_check_file(const at_airlock_check_ctx *ctx, const char *name, const unsigned char *data,
                                size_t len, uint64_t size, at_airlock_checks *out);
void at_airlock_checks_free(at_airlock_checks *c);
/* The type of a file from its name and first bytes (see above). */
const char *at_airlock_file_type(const char *name, const unsigned char *data, size_t len);
/* The rounding transformation of a table (OpenSAFELY's practice): cells
 * of count columns below threshold (and above 0) become "[REDACTED]",
 * total rows and columns are recomputed from the cells shown, and every
 * count is rounded to the nearest multiple of base. The same delimiter.
 * *out owned (at_free). AT_ERR_FORMAT when it is not a table. */
at_status at_airlock_round_table(const unsigned char *csv, size_t len, int threshold, int base,
                                 unsigned char **out, size_t *outlen);
/* The terms a risk model file (ATRISK01/02) keeps, each NUL-terminated
 * one after another in *terms (owned), *count of them; AT_ERR_FORMAT
 * naming the offset when the file is not one. */
at_status at_airlock_model_terms(const unsigned char *data, size_t len, char **terms, size_t *count);

/* ---- the file source: where the bytes and lineage of a file come from ---- */
typedef struct {
    char kind[16];                    /* "result" (a job's result snapshot), "log" (a finished
                                       * job's log), "derived" (a transformation's output) */
    char id[AT_AIRLOCK_ID_MAX + 1];   /* a job number; resolved: "JOB" or "JOB@SNAPSHOT" */
    char path[AT_VAULT_PATH_MAX + 1]; /* inside the snapshot ("log" for a log) */
} at_airlock_ref;

typedef struct {
    void *ud;
    /* Check that ref names a file of project the airlock may take (a
     * result of a job of that project that succeeded, the log of one that
     * ended), rewrite ref->id to its resolved, immutable form, and give
     * the file's size. AT_ERR_NOT_FOUND / AT_ERR_DENIED otherwise. */
    at_status (*resolve)(void *ud, const char *project, at_airlock_ref *ref, uint64_t *size);
    /* The file's bytes (at most max, else AT_ERR_LIMIT). *data owned. */
    at_status (*read)(void *ud, const char *project, const at_airlock_ref *ref, size_t max,
                      unsigned char **data, size_t *len);
    /* The file's lineage as a JSON object (owned): the job, its inputs
     * (dataset@snapshot), its code, the person and times. */
    at_status (*lineage)(void *ud, const char *project, const at_airlock_ref *ref, char **json);
    /* Keep bytes made by a transformation as a file of project: ref
     * receives where (kind "derived"). NULL: transformations refused. */
    at_status (*store)(void *ud, const char *project, const char *name, const void *data, size_t len,
                       at_airlock_ref *ref);
    void (*close)(void *ud); /* NULL: nothing to free */
} at_airlock_source;

/* The room's wiring (src/airlock/source.c): results and logs through the
 * jobs service (its datasets in the vault, its logs), derived files in
 * the airlock's own dataset of each project in the room's vault. jobs must
 * outlive the source. Until the vault's datasets are in the catalog this
 * is the one place to rewire. */
at_status at_airlock_source_room(at_room *room, at_jobs *jobs, at_airlock_source *out);

/* ---- the service ---- */
typedef struct at_airlock at_airlock;
/* Open the airlock of an open room: settings, tables (migrated), the text
 * detector. source is copied (its close is called by at_airlock_close);
 * room must outlive it. */
at_status at_airlock_open(at_room *room, const at_airlock_source *source, at_airlock **out);
void at_airlock_close(at_airlock *a);
const at_airlock_conf *at_airlock_config(const at_airlock *a);
int at_airlock_is_checker(const at_airlock *a, const char *user);

typedef struct {
    int64_t id;
    char project[AT_ROOM_NAME_MAX + 1];
    char author[AT_ROOM_NAME_MAX + 1];
    char title[AT_ROOM_TEXT_MAX + 1];
    at_airlock_state state;
    int round; /* submissions so far */
    time_t created, updated, submitted, decided, released;
    int files;
    uint64_t bytes;
    at_check_outcome outcome; /* the worst file's */
    int needs_dpo;
    char package_sha256[65]; /* of manifest.json once released */
} at_airlock_request;

/* A new draft request of project by its member by. Audited. */
at_status at_airlock_create(at_airlock *a, const char *by, const char *project, const char *title,
                            int64_t *id);
at_status at_airlock_get(at_airlock *a, int64_t id, at_airlock_request *out);

typedef struct {
    const char *project;   /* or NULL */
    const char *author;    /* or NULL */
    int state;             /* -1: any */
    int reviewable_by_dpo; /* unused by the list itself (the web filters with the authorisation) */
    int64_t limit;         /* 0: 500 */
} at_airlock_filter;
/* Requests matching, newest first. *out owned. */
at_status at_airlock_list(at_airlock *a, const at_airlock_filter *f, at_airlock_request **out, size_t *count);

typedef struct {
    int64_t id;
    char name[AT_AIRLOCK_NAME_MAX + 1]; /* its path in the package, under files/ */
    char role[16];                      /* "output" or "supporting" */
    char justification[AT_AIRLOCK_TEXT_MAX + 1];
    at_airlock_ref source;
    uint64_t size;
    char sha256[65];
    int version; /* bumped when its bytes change (its votes are reset then) */
    char type[16];
    at_check_outcome outcome;
    int hard, needs_dpo;
    char *checks;                            /* JSON (at_airlock_checks.json), owned */
    char *lineage;                           /* JSON, owned */
    char exception[AT_AIRLOCK_TEXT_MAX + 1]; /* the author's case for a failed check */
    char transform[16];                      /* "" or "round" */
    time_t added;
} at_airlock_file;
at_status at_airlock_files(at_airlock *a, int64_t request, at_airlock_file **out, size_t *count);
void at_airlock_files_free(at_airlock_file *f, size_t count);

typedef struct {
    const char *kind, *id, *path; /* the source (at_airlock_ref) */
    const char *name;             /* in the package; NULL: the path's last component */
    const char *role;             /* "output" (NULL) or "supporting" */
    const char *justification;    /* why it must leave (may be NULL) */
} at_airlock_add_spec;
/* Add a file to a request being edited (draft, blocked, returned): the
 * source resolved, read, hashed and checked. Audited. */
at_status at_airlock_add(at_airlock *a, const char *by, int64_t request, const at_airlock_add_spec *spec,
                         int64_t *file_id);
at_status at_airlock_remove(at_airlock *a, const char *by, int64_t request, int64_t file_id);
/* Take the file's bytes again from a new source (the same name): when
 * they changed, its version is bumped and its votes reset. */
at_status at_airlock_replace(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                             const at_airlock_add_spec *spec);
/* The author's case for a failed (not hard) check: "" withdraws it. */
at_status at_airlock_set_exception(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                                   const char *text);
/* Apply a transformation ("round": at_airlock_round_table with the
 * project's threshold and the base) to a table: its bytes change (stored
 * through the source's store), its votes reset. */
at_status at_airlock_transform(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                               const char *transform);
/* Submit (draft, blocked, returned): every file read again and checked
 * (a source whose bytes changed is refused); blocked when a file fails a
 * hard check or a check without an exception, else in review (each
 * reviewer reviews again; votes on unchanged files kept). *state receives
 * the new state. Audited: submitted, then blocked or in-review. */
at_status at_airlock_submit(at_airlock *a, const char *by, int64_t request, at_airlock_state *state);
/* Withdraw (any state before released). */
at_status at_airlock_withdraw(at_airlock *a, const char *by, int64_t request);
/* A comment by the author or a reviewer (file_id 0: the request). */
at_status at_airlock_comment(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                             const char *text);

/* ---- review ---- */
typedef enum { AT_VOTE_UNDECIDED = 0, AT_VOTE_APPROVE = 1, AT_VOTE_CHANGES = 2 } at_airlock_vote_value;
const char *at_airlock_vote_name(at_airlock_vote_value v); /* "undecided", "approve", "changes" */
int at_airlock_vote_parse(const char *name);               /* -1 when unknown */
/* A reviewer's vote on one file of a request in review (not the author:
 * AT_ERR_DENIED; the vote's value is not in the audit until the decision). */
at_status at_airlock_vote(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                          at_airlock_vote_value vote, const char *comment);
/* Hand in one's review (every file approve or changes). Then the request
 * is decided: returned at once when a review asks for changes; approved
 * when every file has the approvals needed from reviews handed in (one of
 * them the DPO's when a file needs it); else it waits for more reviews.
 * *state receives the state after. */
at_status at_airlock_review_submit(at_airlock *a, const char *by, int64_t request, at_airlock_state *state);
/* A reviewer rejects the request (final). reason required. */
at_status at_airlock_reject(at_airlock *a, const char *by, int64_t request, const char *reason);

typedef struct {
    int64_t file_id;
    char reviewer[AT_ROOM_NAME_MAX + 1];
    at_airlock_vote_value vote;
    char comment[AT_AIRLOCK_TEXT_MAX + 1];
    time_t time;
} at_airlock_vote_row;
/* The votes viewer may see: their own while the request is in review;
 * everyone's once it is decided (returned, approved, released, rejected)
 * or withdrawn. *out owned. */
at_status at_airlock_votes(at_airlock *a, const char *viewer, int64_t request, at_airlock_vote_row **out,
                           size_t *count);

typedef struct {
    char reviewer[AT_ROOM_NAME_MAX + 1];
    int dpo;       /* the reviewer holds the DPO role */
    int submitted; /* handed in for the current round */
    int round;
    time_t time;
} at_airlock_review_row;
at_status at_airlock_reviews(at_airlock *a, int64_t request, at_airlock_review_row **out, size_t *count);

typedef struct {
    time_t time;
    char actor[AT_ROOM_NAME_MAX + 1];
    char what[32]; /* "created", "file-added", "submitted", "comment", ... */
    int64_t file_id;
    char text[AT_AIRLOCK_TEXT_MAX + 1];
} at_airlock_event;
/* The request's history and comments, oldest first. *out owned. */
at_status at_airlock_events(at_airlock *a, int64_t request, at_airlock_event **out, size_t *count);

/* ---- notices (the pages show them) ---- */
typedef struct {
    int64_t id, request;
    time_t time;
    char text[AT_AIRLOCK_TEXT_MAX + 1];
    int seen;
} at_airlock_notice;
at_status at_airlock_notices(at_airlock *a, const char *user, int64_t limit, at_airlock_notice **out,
                             size_t *count);
int at_airlock_unseen(at_airlock *a, const char *user);
at_status at_airlock_notices_seen(at_airlock *a, const char *user);

/* ---- viewing, release, download ---- */
/* A file's bytes for viewer's eyes (the review's side-by-side view):
 * audited as a view. *data owned. */
at_status at_airlock_file_read(at_airlock *a, const char *viewer, int64_t request, int64_t file_id,
                               unsigned char **data, size_t *len);
/* Release an approved request (its author): the manifest built and
 * signed with the room's key, recorded; state released. Audited. */
at_status at_airlock_release(at_airlock *a, const char *by, int64_t request);
/* The released request's package written to fd (a tar: manifest.json,
 * manifest.sig, files/NAME), each file read again and checked against
 * the manifest's sha256. Refused (AT_ERR_DENIED) unless released and by
 * is its author. Audited as a download. *bytes receives the size. */
at_status at_airlock_package(at_airlock *a, const char *by, int64_t request, int fd, uint64_t *bytes);
/* The size the package will have (for Content-Length). */
at_status at_airlock_package_size(at_airlock *a, int64_t request, uint64_t *bytes);
/* The signed manifest and its signature (hex) of a released request. */
at_status at_airlock_manifest(at_airlock *a, int64_t request, char **json, char **signature_hex);

/* ---- verification, anywhere (no room needed) ---- */
typedef struct {
    int ok;
    size_t files;
    uint64_t bytes;
    int64_t request;
    char project[AT_ROOM_NAME_MAX + 1];
    char author[AT_ROOM_NAME_MAX + 1];
    char released[32];
    char key_hex[65];  /* the key that signed it */
    char message[512]; /* the first problem (naming the entry and the offset) */
} at_airlock_verify_report;
/* Verify a package: a tar as the room writes it (every byte: headers in
 * their canonical form, padding, the end), or a folder it was unpacked
 * into: the signature of manifest.json by the key it names (and, when
 * key_hex is given, that this is the key), every file's size and sha256,
 * no file missing or added. AT_OK when the check ran (see report->ok). */
at_status at_airlock_verify_path(const char *path, const char *key_hex, at_airlock_verify_report *report);
at_status at_airlock_verify_memory(const void *data, size_t len, const char *key_hex,
                                   at_airlock_verify_report *report);

#ifdef __cplusplus
}
#endif
#endif
