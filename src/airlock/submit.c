/* Submission (the checks again on bytes read again from their sources,
 * then blocked or in review), withdrawal, comments and views. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static at_status author_of(at_room_db *db, const char *by, int64_t request, at_airlock_request *r)
{
    at_status st = airlock_request_load(db, request, r);
    if (!st && (!by || strcmp(by, r->author)))
        st = at_error_set(AT_ERR_DENIED, "export request %lld is %s's: only its author may do this",
                          (long long)request, r->author);
    return st;
}

typedef struct {
    int64_t id;
    at_airlock_checks checks;
} rechecked;

at_status at_airlock_submit(at_airlock *a, const char *by, int64_t request, at_airlock_state *state)
{
    if (state)
        *state = AT_AIRLOCK_DRAFT;
    at_airlock_request r;
    at_airlock_file *files = NULL;
    size_t n = 0;
    at_room_db *db = at_room_db_get(a->room);
    at_status st = author_of(db, by, request, &r);
    if (!st && r.state != AT_AIRLOCK_DRAFT && r.state != AT_AIRLOCK_BLOCKED && r.state != AT_AIRLOCK_RETURNED)
        st = at_error_set(AT_ERR_ARG,
                          "export request %lld is %s: it is submitted from a draft, blocked or returned",
                          (long long)request, at_airlock_state_name(r.state));
    at_room_db_put(a->room, db);
    if (!st)
        st = at_airlock_files(a, request, &files, &n);
    if (!st && !n)
        st = at_error_set(AT_ERR_ARG, "export request %lld has no file", (long long)request);
    /* every file read again from its source, its hash compared, its checks run again (the settings may
     * have changed since it was added) */
    rechecked *rc = st ? NULL : at_calloc(n, sizeof *rc);
    if (!st && !rc)
        st = AT_ERR_NOMEM;
    at_airlock_check_ctx ctx = {
        .conf = &a->conf, .threshold = at_airlock_threshold(&a->conf, r.project), .detector = a->detector};
    for (size_t i = 0; i < n && !st; i++) {
        unsigned char *data = NULL;
        size_t len = 0;
        rc[i].id = files[i].id;
        ctx.rounded = !strcmp(files[i].transform, "round");
        if (files[i].size <= a->conf.file_max)
            st = airlock_read_checked(a, r.project, &files[i], &data, &len);
        if (!st)
            st = at_airlock_check_file(&ctx, files[i].name, data, len, files[i].size, &rc[i].checks);
        at_free(data);
    }
    size_t blocking = 0;
    for (size_t i = 0; i < n && !st; i++)
        blocking += rc[i].checks.hard || (rc[i].checks.outcome == AT_CHECK_FAIL && !files[i].exception[0]);
    time_t now = at_room_now();
    db = at_room_db_get(a->room);
    if (!st)
        st = at_room_db_begin(db);
    at_airlock_request again;
    if (!st)
        st = author_of(db, by, request, &again);
    if (!st && again.state != r.state)
        st = at_error_set(AT_ERR_ARG, "export request %lld changed meanwhile (%s): submit again",
                          (long long)request, at_airlock_state_name(again.state));
    for (size_t i = 0; i < n && !st; i++) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "UPDATE airlock_files SET type = ?, outcome = ?, hard = ?, needs_dpo = ?, "
                                "checks = ? WHERE id = ?");
        if (!s) {
            st = AT_ERR_IO;
            break;
        }
        sqlite3_bind_text(s, 1, rc[i].checks.type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 2, rc[i].checks.outcome);
        sqlite3_bind_int(s, 3, rc[i].checks.hard);
        sqlite3_bind_int(s, 4, rc[i].checks.needs_dpo);
        sqlite3_bind_text(s, 5, rc[i].checks.json, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 6, rc[i].id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "export checks");
        sqlite3_reset(s);
    }
    if (!st)
        st = airlock_set_state(db, request, AT_AIRLOCK_SUBMITTED, now);
    if (!st)
        st = airlock_event(db, request, by, "submitted", 0, NULL);
    char *d = st ? NULL : airlock_details("{\"round\":%d,\"files\":%zu}", again.round + 1, n);
    if (!st)
        st = d ? airlock_audit(db, by, "submit", request, d) : AT_ERR_NOMEM;
    at_free(d);
    at_airlock_state next = blocking ? AT_AIRLOCK_BLOCKED : AT_AIRLOCK_IN_REVIEW;
    if (!st)
        st = airlock_set_state(db, request, next, now);
    if (!st && next == AT_AIRLOCK_IN_REVIEW) {
        /* each reviewer hands in a review again; their votes on unchanged files are kept */
        sqlite3_stmt *s =
            at_room_db_stmt(db, "UPDATE airlock_reviews SET submitted = 0, round = ? WHERE request_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int(s, 1, again.round + 1);
            sqlite3_bind_int64(s, 2, request);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export reviews");
            sqlite3_reset(s);
        }
    }
    char text[300];
    if (!st) {
        snprintf(text, sizeof text,
                 blocking ? "%zu file%s fail%s the automated checks"
                          : "the checks passed: %zu "
                            "file%s in review%s",
                 blocking ? blocking : n, (blocking ? blocking : n) == 1 ? "" : "s",
                 blocking ? (blocking == 1 ? "s" : "") : "");
        st = airlock_event(db, request, "airlock", blocking ? "blocked" : "in-review", 0, text);
    }
    d = st ? NULL : airlock_details("{\"round\":%d,\"failing_files\":%zu}", again.round + 1, blocking);
    if (!st)
        st = d ? airlock_audit(db, "airlock", blocking ? "blocked" : "in-review", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st && blocking) {
        int64_t uid;
        unsigned roles;
        snprintf(text, sizeof text,
                 "Export request #%lld is blocked: %zu file%s fail%s the automated checks.",
                 (long long)request, blocking, blocking == 1 ? "" : "s", blocking == 1 ? "s" : "");
        st = airlock_user(db, again.author, &uid, &roles);
        if (!st)
            st = airlock_notify(db, uid, request, text, now);
    } else if (!st) {
        snprintf(text, sizeof text, "Export request #%lld of project %s by %s awaits your review.",
                 (long long)request, again.project, again.author);
        st = airlock_notify_reviewers(a, db, &again, text, now);
    }
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    for (size_t i = 0; rc && i < n; i++)
        at_airlock_checks_free(&rc[i].checks);
    at_free(rc);
    at_airlock_files_free(files, n);
    if (!st && state)
        *state = next;
    return st;
}

at_status at_airlock_withdraw(at_airlock *a, const char *by, int64_t request)
{
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    if (!st)
        st = author_of(db, by, request, &r);
    if (!st &&
        (r.state == AT_AIRLOCK_RELEASED || r.state == AT_AIRLOCK_REJECTED || r.state == AT_AIRLOCK_WITHDRAWN))
        st = at_error_set(AT_ERR_ARG, "export request %lld is %s: it cannot be withdrawn", (long long)request,
                          at_airlock_state_name(r.state));
    time_t now = at_room_now();
    if (!st)
        st = airlock_set_state(db, request, AT_AIRLOCK_WITHDRAWN, now);
    if (!st)
        st = airlock_event(db, request, by, "withdrawn", 0, NULL);
    char *d = st ? NULL : airlock_details("{\"from\":%s}", at_airlock_state_name(r.state));
    if (!st)
        st = d ? airlock_audit(db, by, "withdraw", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st && r.state == AT_AIRLOCK_IN_REVIEW) {
        char text[200];
        snprintf(text, sizeof text, "Export request #%lld was withdrawn by its author.", (long long)request);
        st = airlock_notify_reviewers(a, db, &r, text, now);
    }
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    return st;
}

at_status at_airlock_comment(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                             const char *text)
{
    size_t n = text ? strlen(text) : 0, bad;
    if (!n || n > AT_AIRLOCK_TEXT_MAX)
        return at_error_set(AT_ERR_ARG, "a comment of 1..%d bytes", AT_AIRLOCK_TEXT_MAX);
    if (at_text_utf8_check(text, n, &bad) != 0)
        return at_error_set(AT_ERR_ARG, "a comment: not UTF-8 (byte %zu)", bad);
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    if (!st)
        st = airlock_request_load(db, request, &r);
    if (!st && file_id) {
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT 1 FROM airlock_files WHERE id = ? AND request_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, file_id);
            sqlite3_bind_int64(s, 2, request);
            if (sqlite3_step(s) != SQLITE_ROW)
                st = at_error_set(AT_ERR_NOT_FOUND, "export request %lld has no file %lld",
                                  (long long)request, (long long)file_id);
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = airlock_event(db, request, by, "comment", file_id, text);
    /* the audit records that a comment was made, not its words */
    char *d = st ? NULL : airlock_details("{\"file\":%lld,\"length\":%zu}", (long long)file_id, n);
    if (!st)
        st = d ? airlock_audit(db, by, "comment", request, d) : AT_ERR_NOMEM;
    at_free(d);
    time_t now = at_room_now();
    char note[200];
    snprintf(note, sizeof note, "%s commented on export request #%lld.", by, (long long)request);
    if (!st && strcmp(by, r.author)) {
        int64_t uid;
        unsigned roles;
        st = airlock_user(db, r.author, &uid, &roles);
        if (!st)
            st = airlock_notify(db, uid, request, note, now);
    } else if (!st) {
        /* the author's comment: to the reviewers who took part */
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT reviewer_id FROM airlock_reviews WHERE request_id = ?");
        int64_t ids[64];
        size_t k = 0;
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, request);
            while (sqlite3_step(s) == SQLITE_ROW && k < 64)
                ids[k++] = sqlite3_column_int64(s, 0);
            sqlite3_reset(s);
        }
        for (size_t i = 0; i < k && !st; i++)
            st = airlock_notify(db, ids[i], request, note, now);
    }
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    return st;
}

at_status at_airlock_file_read(at_airlock *a, const char *viewer, int64_t request, int64_t file_id,
                               unsigned char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    at_airlock_request r;
    at_airlock_file *files = NULL, *f = NULL;
    size_t n = 0;
    at_status st = at_airlock_get(a, request, &r);
    if (!st)
        st = at_airlock_files(a, request, &files, &n);
    for (size_t i = 0; i < n && !st; i++)
        if (files[i].id == file_id)
            f = &files[i];
    if (!st && !f)
        st = at_error_set(AT_ERR_NOT_FOUND, "export request %lld has no file %lld", (long long)request,
                          (long long)file_id);
    if (!st)
        st = airlock_read_checked(a, r.project, f, data, len);
    if (!st) {
        at_room_db *db = at_room_db_get(a->room);
        st = at_room_db_begin(db);
        char *d = st ? NULL : airlock_details("{\"file\":%s,\"sha256\":%s}", f->name, f->sha256);
        if (!st)
            st = d ? airlock_audit(db, viewer, "view", request, d) : AT_ERR_NOMEM;
        at_free(d);
        if (!st)
            st = at_room_db_commit(a->room, db);
        else
            at_room_db_rollback(db);
        at_room_db_put(a->room, db);
        if (st) {
            at_free(*data);
            *data = NULL;
            *len = 0;
        }
    }
    at_airlock_files_free(files, n);
    return st;
}
