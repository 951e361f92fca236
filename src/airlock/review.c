/* Review: two reviewers who are not the author (the project's leads, the
 * DPO, the designated checkers) vote on every file, without seeing each
 * other's votes (each sees only their own until the request is decided;
 * a vote's value enters the audit with the decision, not before), hand in
 * their review, and the request is decided: returned as soon as a review
 * asks for changes, approved when every file has the approvals needed
 * (and the DPO's where a file needs it), rejected by a reviewer. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char *const vote_names[] = {"undecided", "approve", "changes"};

const char *at_airlock_vote_name(at_airlock_vote_value v)
{
    return v >= 0 && v <= 2 ? vote_names[v] : "unknown";
}

int at_airlock_vote_parse(const char *name)
{
    for (int i = 0; name && i < 3; i++)
        if (!strcmp(name, vote_names[i]))
            return i;
    if (name && (!strcmp(name, "request-changes") || !strcmp(name, "request changes")))
        return AT_VOTE_CHANGES;
    return -1;
}

/* by may review r: not its author, and a lead of its project, a DPO or a
 * designated checker. *uid and *dpo receive who. */
static at_status reviewer_of(at_airlock *a, at_room_db *db, const at_airlock_request *r, const char *by,
                             int64_t *uid, int *dpo)
{
    unsigned roles = 0;
    at_status st = airlock_user(db, by, uid, &roles);
    if (st)
        return st;
    if (!strcmp(by, r->author))
        return at_error_set(AT_ERR_DENIED,
                            "%s is the author of export request %lld: an author never reviews their "
                            "own request",
                            by, (long long)r->id);
    *dpo = (roles & AT_ROLE_DPO) != 0;
    if (*dpo || at_airlock_conf_is_checker(&a->conf, by))
        return AT_OK;
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT 1 FROM members m JOIN projects p ON p.id = m.project_id "
                                          "WHERE p.name = ? AND m.user_id = ? AND m.role = 'lead'");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, r->project, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, *uid);
    int lead = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    return lead ? AT_OK
                : at_error_set(AT_ERR_DENIED,
                               "%s may not review export request %lld (reviewers: the project's leads, "
                               "the DPO, the designated checkers)",
                               by, (long long)r->id);
}

static at_status in_review(const at_airlock_request *r)
{
    return r->state == AT_AIRLOCK_IN_REVIEW
               ? AT_OK
               : at_error_set(AT_ERR_ARG, "export request %lld is %s, not in review", (long long)r->id,
                              at_airlock_state_name(r->state));
}

/* The reviewer's review row for the request's round (made when absent);
 * *submitted receives whether it is handed in. */
static at_status review_row(at_room_db *db, const at_airlock_request *r, int64_t uid, int dpo, int *submitted)
{
    sqlite3_stmt *s =
        at_room_db_stmt(db, "INSERT INTO airlock_reviews(request_id, reviewer_id, round, dpo, time) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(request_id, reviewer_id) DO NOTHING");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, uid);
    sqlite3_bind_int(s, 3, r->round);
    sqlite3_bind_int(s, 4, dpo);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)at_room_now());
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return at_room_db_error(db, "export review");
    s = at_room_db_stmt(db, "SELECT submitted FROM airlock_reviews WHERE request_id = ? AND reviewer_id = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, uid);
    *submitted = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return AT_OK;
}

at_status at_airlock_vote(at_airlock *a, const char *by, int64_t request, int64_t file_id,
                          at_airlock_vote_value vote, const char *comment)
{
    if (vote < AT_VOTE_UNDECIDED || vote > AT_VOTE_CHANGES)
        return at_error_set(AT_ERR_ARG, "a vote is approve, changes or undecided");
    size_t cn = comment ? strlen(comment) : 0, bad;
    if (cn > AT_AIRLOCK_TEXT_MAX || (cn && at_text_utf8_check(comment, cn, &bad) != 0))
        return at_error_set(AT_ERR_ARG, "a vote's comment: UTF-8, at most %d bytes", AT_AIRLOCK_TEXT_MAX);
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    int64_t uid = 0;
    int dpo = 0, submitted = 0;
    if (!st)
        st = airlock_request_load(db, request, &r);
    if (!st)
        st = reviewer_of(a, db, &r, by, &uid, &dpo);
    if (!st)
        st = in_review(&r);
    char name[AT_AIRLOCK_NAME_MAX + 1] = "";
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "SELECT name FROM airlock_files WHERE id = ? AND request_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, file_id);
            sqlite3_bind_int64(s, 2, request);
            if (sqlite3_step(s) == SQLITE_ROW)
                snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
            else
                st = at_error_set(AT_ERR_NOT_FOUND, "export request %lld has no file %lld",
                                  (long long)request, (long long)file_id);
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = review_row(db, &r, uid, dpo, &submitted);
    if (!st && submitted)
        st = at_error_set(AT_ERR_ARG, "your review of export request %lld is handed in for this round",
                          (long long)request);
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "INSERT INTO airlock_votes(file_id, reviewer_id, vote, comment, time) "
                                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(file_id, reviewer_id) DO UPDATE "
                                "SET vote = ?3, comment = ?4, time = ?5");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, file_id);
            sqlite3_bind_int64(s, 2, uid);
            sqlite3_bind_int(s, 3, vote);
            sqlite3_bind_text(s, 4, comment ? comment : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 5, (sqlite3_int64)at_room_now());
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export vote");
            sqlite3_reset(s);
        }
    }
    /* the history shows that a vote was cast, not which: reviewers vote blind */
    if (!st)
        st = airlock_event(db, request, by, "vote", file_id, NULL);
    char *d = st ? NULL : airlock_details("{\"file\":%s,\"round\":%d}", name, r.round);
    if (!st)
        st = d ? airlock_audit(db, by, "vote", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    return st;
}

/* Every vote of the handed-in reviews of this round, as JSON for the
 * decision's audit entry: [{"reviewer","dpo","file","vote"}...]. */
static char *votes_json(at_room_db *db, int64_t request)
{
    sqlite3_stmt *s = at_room_db_stmt(
        db,
        "SELECT u.name, rv.dpo, f.name, v.vote FROM airlock_votes v JOIN airlock_files f ON f.id = v.file_id "
        "JOIN users u ON u.id = v.reviewer_id JOIN airlock_reviews rv ON rv.request_id = f.request_id "
        "AND rv.reviewer_id = v.reviewer_id WHERE f.request_id = ? AND rv.submitted = 1 ORDER BY u.name, "
        "f.name");
    if (!s)
        return NULL;
    at_buf b;
    at_buf_init(&b, 1u << 20);
    at_buf_putc(&b, '[');
    sqlite3_bind_int64(s, 1, request);
    int k = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(s, 0), *f = (const char *)sqlite3_column_text(s, 2);
        at_buf_puts(&b, k++ ? ",{\"reviewer\":" : "{\"reviewer\":");
        at_buf_json_string(&b, u, strlen(u));
        at_buf_printf(&b, ",\"dpo\":%s,\"file\":", sqlite3_column_int(s, 1) ? "true" : "false");
        at_buf_json_string(&b, f, strlen(f));
        at_buf_printf(&b, ",\"vote\":\"%s\"}",
                      at_airlock_vote_name((at_airlock_vote_value)sqlite3_column_int(s, 3)));
    }
    sqlite3_reset(s);
    at_buf_putc(&b, ']');
    size_t n;
    return (char *)at_buf_steal(&b, &n);
}

/* The decision once a review is handed in: RETURNED, APPROVED or still
 * IN_REVIEW (*why: what is missing). */
static at_status decide(at_airlock *a, at_room_db *db, const at_airlock_request *r, at_airlock_state *next,
                        char *why, size_t cap)
{
    *next = AT_AIRLOCK_IN_REVIEW;
    why[0] = '\0';
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT count(*) FROM airlock_votes v JOIN airlock_files f ON f.id = v.file_id "
                            "JOIN airlock_reviews rv "
                            "ON rv.request_id = f.request_id AND rv.reviewer_id = v.reviewer_id "
                            "WHERE f.request_id = ? AND rv.submitted = 1 AND v.vote = 2");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, r->id);
    int changes = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    if (changes) {
        *next = AT_AIRLOCK_RETURNED;
        snprintf(why, cap, "%d file vote%s asked for changes", changes, changes == 1 ? "" : "s");
        return AT_OK;
    }
    /* per file: approvals of handed-in reviews, and whether one is the DPO's */
    s = at_room_db_stmt(
        db, "SELECT f.name, f.needs_dpo, "
            " (SELECT count(*) FROM airlock_votes v JOIN airlock_reviews rv ON rv.reviewer_id = "
            "  v.reviewer_id AND rv.request_id = f.request_id WHERE v.file_id = f.id AND v.vote = 1 "
            "  AND rv.submitted = 1), "
            " (SELECT count(*) FROM airlock_votes v JOIN airlock_reviews rv ON rv.reviewer_id = "
            "  v.reviewer_id AND rv.request_id = f.request_id WHERE v.file_id = f.id AND v.vote = 1 "
            "  AND rv.submitted = 1 AND rv.dpo = 1) "
            "FROM airlock_files f WHERE f.request_id = ? ORDER BY f.name");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, r->id);
    int missing = 0, dpo_missing = 0, files = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        files++;
        int approvals = sqlite3_column_int(s, 2), dpo = sqlite3_column_int(s, 3);
        missing += approvals < a->conf.reviewers;
        dpo_missing += sqlite3_column_int(s, 1) && !dpo;
    }
    sqlite3_reset(s);
    if (files && !missing && !dpo_missing) {
        *next = AT_AIRLOCK_APPROVED;
        snprintf(why, cap, "every file approved by %d reviewers", a->conf.reviewers);
    } else if (missing) {
        snprintf(why, cap, "%d file%s still need%s %d approvals", missing, missing == 1 ? "" : "s",
                 missing == 1 ? "s" : "", a->conf.reviewers);
    } else {
        snprintf(why, cap, "%d file%s of neural-network weights need%s the DPO's approval too", dpo_missing,
                 dpo_missing == 1 ? "" : "s", dpo_missing == 1 ? "s" : "");
    }
    return AT_OK;
}

static at_status notify_author(at_room_db *db, const at_airlock_request *r, const char *text)
{
    int64_t uid;
    unsigned roles;
    at_status st = airlock_user(db, r->author, &uid, &roles);
    if (st == AT_ERR_NOT_FOUND) { /* a disabled author: nothing to show */
        at_error_clear();
        return AT_OK;
    }
    return st ? st : airlock_notify(db, uid, r->id, text, at_room_now());
}

at_status at_airlock_review_submit(at_airlock *a, const char *by, int64_t request, at_airlock_state *state)
{
    if (state)
        *state = AT_AIRLOCK_IN_REVIEW;
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    int64_t uid = 0;
    int dpo = 0, submitted = 0;
    if (!st)
        st = airlock_request_load(db, request, &r);
    if (!st)
        st = reviewer_of(a, db, &r, by, &uid, &dpo);
    if (!st)
        st = in_review(&r);
    if (!st)
        st = review_row(db, &r, uid, dpo, &submitted);
    if (!st && submitted)
        st = at_error_set(AT_ERR_ARG, "your review of export request %lld is handed in already",
                          (long long)request);
    if (!st) {
        /* every file voted approve or changes by this reviewer */
        sqlite3_stmt *s =
            at_room_db_stmt(db, "SELECT count(*) FROM airlock_files f LEFT JOIN airlock_votes v ON "
                                "v.file_id = f.id AND v.reviewer_id = ? WHERE f.request_id = ? AND "
                                "coalesce(v.vote, 0) = 0");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, uid);
            sqlite3_bind_int64(s, 2, request);
            int undecided = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 1;
            sqlite3_reset(s);
            if (undecided)
                st = at_error_set(AT_ERR_ARG, "vote approve or changes on every file first (%d undecided)",
                                  undecided);
        }
    }
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "UPDATE airlock_reviews SET submitted = 1, round = ?, dpo = ?, time = ? "
                                "WHERE request_id = ? AND reviewer_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int(s, 1, r.round);
            sqlite3_bind_int(s, 2, dpo);
            sqlite3_bind_int64(s, 3, (sqlite3_int64)at_room_now());
            sqlite3_bind_int64(s, 4, request);
            sqlite3_bind_int64(s, 5, uid);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export review");
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = airlock_event(db, request, by, "review", 0, NULL);
    char *d = st ? NULL : airlock_details("{\"round\":%d}", r.round);
    if (!st)
        st = d ? airlock_audit(db, by, "review.submit", request, d) : AT_ERR_NOMEM;
    at_free(d);
    at_airlock_state next = AT_AIRLOCK_IN_REVIEW;
    char why[200];
    if (!st)
        st = decide(a, db, &r, &next, why, sizeof why);
    if (!st && next != AT_AIRLOCK_IN_REVIEW) {
        time_t now = at_room_now();
        st = airlock_set_state(db, request, next, now);
        if (!st)
            st = airlock_event(db, request, "airlock", at_airlock_state_name(next), 0, why);
        char *votes = st ? NULL : votes_json(db, request);
        d = votes ? airlock_details("{\"round\":%d,\"reason\":%s,\"votes\":", r.round, why) : NULL;
        if (!st && d) {
            size_t n1 = strlen(d), n2 = strlen(votes);
            char *all = at_realloc(d, n1 + n2 + 2);
            if (all) {
                memcpy(all + n1, votes, n2);
                all[n1 + n2] = '}';
                all[n1 + n2 + 1] = '\0';
                d = all;
            } else {
                at_free(d);
                d = NULL;
            }
        }
        if (!st)
            st = d ? airlock_audit(db, "airlock", at_airlock_state_name(next), request, d) : AT_ERR_NOMEM;
        at_free(d);
        at_free(votes);
        char text[300];
        snprintf(text, sizeof text,
                 next == AT_AIRLOCK_APPROVED
                     ? "Export request #%lld is approved: release it to download the package."
                     : "Export request #%lld is returned: the reviewers ask for changes.",
                 (long long)request);
        if (!st)
            st = notify_author(db, &r, text);
    } else if (!st) {
        st = airlock_event(db, request, "airlock", "waiting", 0, why);
    }
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    if (!st && state)
        *state = next;
    return st;
}

at_status at_airlock_reject(at_airlock *a, const char *by, int64_t request, const char *reason)
{
    size_t n = reason ? strlen(reason) : 0, bad;
    if (!n || n > AT_AIRLOCK_TEXT_MAX || at_text_utf8_check(reason, n, &bad) != 0)
        return at_error_set(AT_ERR_ARG, "a rejection says why (UTF-8, 1..%d bytes)", AT_AIRLOCK_TEXT_MAX);
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    int64_t uid = 0;
    int dpo = 0;
    if (!st)
        st = airlock_request_load(db, request, &r);
    if (!st)
        st = reviewer_of(a, db, &r, by, &uid, &dpo);
    if (!st)
        st = in_review(&r);
    if (!st)
        st = airlock_set_state(db, request, AT_AIRLOCK_REJECTED, at_room_now());
    if (!st)
        st = airlock_event(db, request, by, "rejected", 0, reason);
    char *d = st ? NULL : airlock_details("{\"round\":%d,\"length\":%zu}", r.round, n);
    if (!st)
        st = d ? airlock_audit(db, by, "rejected", request, d) : AT_ERR_NOMEM;
    at_free(d);
    char text[200];
    snprintf(text, sizeof text, "Export request #%lld was rejected by %s.", (long long)request, by);
    if (!st)
        st = notify_author(db, &r, text);
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    return st;
}

static int decided(at_airlock_state s)
{
    return s == AT_AIRLOCK_RETURNED || s == AT_AIRLOCK_APPROVED || s == AT_AIRLOCK_RELEASED ||
           s == AT_AIRLOCK_REJECTED || s == AT_AIRLOCK_WITHDRAWN;
}

at_status at_airlock_votes(at_airlock *a, const char *viewer, int64_t request, at_airlock_vote_row **out,
                           size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(a->room);
    at_airlock_request r;
    at_status st = airlock_request_load(db, request, &r);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db, "SELECT v.file_id, u.name, v.vote, v.comment, v.time FROM airlock_votes v "
                                 "JOIN airlock_files f ON f.id = v.file_id JOIN users u ON u.id = "
                                 "v.reviewer_id WHERE f.request_id = ?1 AND (?2 IS NULL OR u.name = ?2) "
                                 "ORDER BY f.name, u.name");
    if (!st && !s)
        st = AT_ERR_IO;
    size_t cap = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, request);
        if (!decided(r.state)) /* in review: one's own votes only */
            sqlite3_bind_text(s, 2, viewer ? viewer : "", -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_airlock_vote_row *v = &(*out)[(*count)++];
            v->file_id = sqlite3_column_int64(s, 0);
            snprintf(v->reviewer, sizeof v->reviewer, "%s", (const char *)sqlite3_column_text(s, 1));
            v->vote = (at_airlock_vote_value)sqlite3_column_int(s, 2);
            snprintf(v->comment, sizeof v->comment, "%s", (const char *)sqlite3_column_text(s, 3));
            v->time = (time_t)sqlite3_column_int64(s, 4);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

at_status at_airlock_reviews(at_airlock *a, int64_t request, at_airlock_review_row **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT u.name, rv.dpo, rv.submitted, rv.round, rv.time FROM airlock_reviews "
                            "rv JOIN users u ON u.id = rv.reviewer_id WHERE rv.request_id = ? ORDER BY "
                            "rv.time, u.name");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, request);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_airlock_review_row *v = &(*out)[(*count)++];
            snprintf(v->reviewer, sizeof v->reviewer, "%s", (const char *)sqlite3_column_text(s, 0));
            v->dpo = sqlite3_column_int(s, 1);
            v->submitted = sqlite3_column_int(s, 2);
            v->round = sqlite3_column_int(s, 3);
            v->time = (time_t)sqlite3_column_int64(s, 4);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}
