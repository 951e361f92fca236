/* Inside the airlock: the service's state, the catalog's tables, the
 * checks' helpers and the package's tar. Not a public interface. */
#ifndef ATELIER_AIRLOCK_INTERNAL_H
#define ATELIER_AIRLOCK_INTERNAL_H

#include "atelier/airlock.h"

#include <sqlite3.h>

#define AIRLOCK_DETAILS_MAX 1024

struct at_airlock {
    at_room *room;
    at_airlock_conf conf;
    at_airlock_source source;
    at_text_deid *detector;
};

/* ---- store.c: tables and rows ---- */
extern const char *const airlock_migrations[];
extern const int airlock_migration_count;
/* A request's row (AIRLOCK_REQUEST_COLUMNS) into out. */
#define AIRLOCK_REQUEST_COLUMNS                                                                              \
    "r.id, p.name, u.name, r.title, r.state, r.round, r.created, r.updated, r.submitted, r.decided, "        \
    "r.released, r.package_sha256, "                                                                         \
    "(SELECT count(*) FROM airlock_files f WHERE f.request_id = r.id), "                                     \
    "(SELECT coalesce(sum(f.size), 0) FROM airlock_files f WHERE f.request_id = r.id), "                     \
    "(SELECT coalesce(max(f.outcome), 0) FROM airlock_files f WHERE f.request_id = r.id), "                  \
    "(SELECT coalesce(max(f.needs_dpo), 0) FROM airlock_files f WHERE f.request_id = r.id) "                 \
    "FROM airlock_requests r JOIN projects p ON p.id = r.project_id JOIN users u ON u.id = r.author_id "
void airlock_request_row(sqlite3_stmt *s, at_airlock_request *out);
/* The request in the open transaction (AT_ERR_NOT_FOUND when absent). */
at_status airlock_request_load(at_room_db *db, int64_t id, at_airlock_request *out);
/* Record an event of the request's history (in the open transaction). */
at_status airlock_event(at_room_db *db, int64_t request, const char *actor, const char *what, int64_t file_id,
                        const char *text);
/* Audit entry "export.WHAT" on object "export:ID" with details (JSON or NULL). */
at_status airlock_audit(at_room_db *db, const char *actor, const char *what, int64_t request,
                        const char *details);
/* Set a request's state (and its updated time, and decided/submitted/released as the state says). */
at_status airlock_set_state(at_room_db *db, int64_t request, at_airlock_state state, time_t now);
/* A notice to a user (by id) about a request. */
at_status airlock_notify(at_room_db *db, int64_t user_id, int64_t request, const char *text, time_t now);
/* Notices to every reviewer a request may have (the project's leads, the
 * DPOs, the checkers), the author left out. */
at_status airlock_notify_reviewers(at_airlock *a, at_room_db *db, const at_airlock_request *r,
                                   const char *text, time_t now);
/* A user's id and roles (AT_ERR_NOT_FOUND when unknown). */
at_status airlock_user(at_room_db *db, const char *name, int64_t *id, unsigned *roles);
/* JSON details built with printf-like escaping of %s values as JSON strings. */
char *airlock_details(const char *fmt, ...);
/* A file's row (AIRLOCK_FILE_COLUMNS). */
#define AIRLOCK_FILE_COLUMNS                                                                                 \
    "f.id, f.name, f.role, f.justification, f.source_kind, f.source_id, f.source_path, f.size, f.sha256, "   \
    "f.version, f.type, f.outcome, f.hard, f.needs_dpo, f.checks, f.lineage, f.exception, f.transform, "     \
    "f.added FROM airlock_files f "
at_status airlock_file_row(sqlite3_stmt *s, at_airlock_file *out);

/* ---- checks ---- */
/* A growable JSON text of the checks of one file (check_*.c). */
typedef struct {
    at_buf b;
    int checks; /* written so far */
    at_check_outcome outcome;
    int hard, needs_dpo;
    int findings, dropped; /* of the open check */
} airlock_report;
void airlock_report_init(airlock_report *r);
/* Open a check: name, outcome, a summary (text, JSON-escaped here); its
 * findings follow with airlock_finding, then airlock_check_end. */
void airlock_check_begin(airlock_report *r, const char *name, at_check_outcome outcome, const char *summary);
/* One finding: a JSON object's members (already JSON: "\"line\":3,\"label\":\"NOM\""). */
void airlock_finding(airlock_report *r, const char *members_fmt, ...) __attribute__((format(printf, 2, 3)));
void airlock_check_end(airlock_report *r);
/* Append a JSON string (escaped) to b. */
at_status airlock_json_string(at_buf *b, const char *s, size_t n);

/* check_text.c: identifiers in text through the detector. what: "text",
 * "log", "json", "svg", "csv" (offsets as lines). Strong labels fail,
 * weak ones (dates, cities, hospitals) are for review. */
void airlock_check_identifiers(airlock_report *r, const at_text_deid *d, const char *what, const char *text,
                               size_t len);
/* 1 for the labels that fail a file (names, numbers, addresses ...). */
int airlock_label_strong(int label);
/* check_table.c: disclosure control of a CSV/TSV table. */
void airlock_check_table(airlock_report *r, const at_airlock_check_ctx *ctx, const char *text, size_t len);
/* check_dicom.c: the file through the door again. */
void airlock_check_dicom(airlock_report *r, const at_text_deid *d, const unsigned char *data, size_t len);
/* check_model.c: risk models' vocabulary; safetensors' header. */
void airlock_check_risk_model(airlock_report *r, const at_airlock_check_ctx *ctx, const unsigned char *data,
                              size_t len);
void airlock_check_safetensors(airlock_report *r, const at_text_deid *d, const unsigned char *data,
                               size_t len);
/* Longest run of ASCII digits in s (n bytes). */
size_t airlock_digit_run(const char *s, size_t n);

/* ---- package.c / tar.c ---- */
/* A ustar header for a regular file (canonical: mode 0644, uid and gid 0,
 * the given mtime, user and group "atelier"). name at most 255 bytes. */
at_status airlock_tar_header(const char *name, uint64_t size, int64_t mtime, unsigned char out[512]);
/* Build the manifest of a request (in the open transaction's view). */
at_status airlock_manifest_build(at_airlock *a, at_room_db *db, int64_t request, time_t released,
                                 char **json);
/* sha256 as 64 hex digits. */
void airlock_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- request.c ---- */
/* Read a file through the source, checked against its recorded size and sha256. */
at_status airlock_read_checked(at_airlock *a, const char *project, const at_airlock_file *f,
                               unsigned char **data, size_t *len);

#endif
