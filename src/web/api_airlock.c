/* The JSON API of the airlock: export requests (create, list, read),
 * their files (add, remove, replace, exception, rounding), submission,
 * withdrawal, comments, the reviewers' votes, reviews and rejections,
 * release and the package's download. The object of a {request} route is
 * the request's project and author (web_export_object), so that the
 * room's one authorisation function decides; the library checks again. */
#include "internal.h"

#include "atelier/airlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t web_id_param(web_req *r, const char *name)
{
    const char *p = web_param(r, name);
    if (!p || !*p)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    return errno || *end || v <= 0 ? 0 : v;
}

int web_export_object(web_req *r, at_object *obj)
{
    at_airlock *a = web_airlock(r);
    int page = r->route->kind == AT_WEB_PAGE;
    int64_t id = web_id_param(r, "request");
    at_airlock_request q;
    if (!a || !id || at_airlock_get(a, id, &q) != AT_OK) {
        at_error_clear();
        if (page)
            page_error(r, a ? 404 : 503,
                       a ? "No such export request." : "The airlock is not enabled in this room.");
        else
            web_json_error(r, a ? 404 : 503,
                           a ? "no such export request" : "the airlock is not enabled in this room");
        return 0;
    }
    obj->project = web_keep(r, at_strdup(q.project));
    obj->user = web_keep(r, at_strdup(q.author));
    obj->checker = r->actor.stage == AT_STAGE_FULL && at_airlock_is_checker(a, r->actor.name);
    if (!obj->project || !obj->user) {
        r->out_error = 1;
        return 0;
    }
    return 1;
}

static at_airlock *need(web_req *r)
{
    at_airlock *a = web_airlock(r);
    if (!a)
        web_json_error(r, 503, "the airlock is not enabled in this room");
    return a;
}

void web_iso_time(time_t t, char out[32])
{
    out[0] = '\0';
    if (!t)
        return;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void request_json(jw *w, const char *key, const at_airlock_request *q)
{
    char t[32];
    jw_obj(w, key);
    jw_int(w, "id", q->id);
    jw_str(w, "project", q->project);
    jw_str(w, "author", q->author);
    jw_str(w, "title", q->title);
    jw_str(w, "state", at_airlock_state_name(q->state));
    jw_int(w, "round", q->round);
    jw_int(w, "files", q->files);
    jw_int(w, "bytes", (long long)q->bytes);
    jw_str(w, "checks", at_check_outcome_name(q->outcome));
    jw_bool(w, "needs_dpo", q->needs_dpo);
    web_iso_time(q->created, t);
    jw_str(w, "created", t);
    web_iso_time(q->updated, t);
    jw_str(w, "updated", t);
    web_iso_time(q->submitted, t);
    jw_str(w, "submitted", t);
    web_iso_time(q->decided, t);
    jw_str(w, "decided", t);
    web_iso_time(q->released, t);
    jw_str(w, "released", t);
    jw_str(w, "manifest_sha256", q->package_sha256);
    jw_close(w, '}');
}

static void list_json(web_req *r, const at_airlock_filter *f, int reviewable)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    at_airlock_request *list = NULL;
    size_t n = 0;
    at_status st = at_airlock_list(a, f, &list, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "requests");
    for (size_t i = 0; i < n; i++) {
        if (reviewable) {
            at_object o = {.project = list[i].project,
                           .user = list[i].author,
                           .checker = at_airlock_is_checker(a, r->actor.name)};
            if (at_room_authorize(r->room, &r->actor, AT_ACT_EXPORT_REVIEW, &o) != AT_ALLOW)
                continue;
        }
        request_json(&w, NULL, &list[i]);
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(list);
}

void api_exports_mine(web_req *r)
{
    at_airlock_filter f = {.author = r->actor.name, .state = -1};
    list_json(r, &f, 0);
}

void api_exports_queue(web_req *r)
{
    at_airlock_filter f = {.state = AT_AIRLOCK_IN_REVIEW};
    list_json(r, &f, 1);
}

void api_exports_all(web_req *r)
{
    const char *state = web_query(r, "state");
    at_airlock_filter f = {.state = state ? at_airlock_state_parse(state) : -1,
                           .project = web_query(r, "project")};
    if (state && f.state < 0) {
        web_json_error(r, 400,
                       "state: draft, submitted, blocked, in-review, returned, approved, released, rejected "
                       "or withdrawn");
        return;
    }
    list_json(r, &f, 0);
}

void api_exports_create(web_req *r)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    int64_t id;
    at_status st = at_airlock_create(a, r->actor.name, web_param(r, "project"), web_field(r, "title"), &id);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "id", id);
    jw_str(&w, "state", "draft");
    jw_end(&w);
}

void api_export_get(web_req *r)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    int64_t id = web_id_param(r, "request");
    at_airlock_request q;
    at_airlock_file *files = NULL;
    at_airlock_vote_row *votes = NULL;
    at_airlock_review_row *reviews = NULL;
    at_airlock_event *events = NULL;
    size_t nf = 0, nv = 0, nr = 0, ne = 0;
    at_status st = at_airlock_get(a, id, &q);
    if (!st)
        st = at_airlock_files(a, id, &files, &nf);
    if (!st)
        st = at_airlock_votes(a, r->actor.name, id, &votes, &nv);
    if (!st)
        st = at_airlock_reviews(a, id, &reviews, &nr);
    if (!st)
        st = at_airlock_events(a, id, &events, &ne);
    if (st) {
        api_fail(r, st);
    } else {
        char t[32];
        jw w;
        jw_begin(&w, r);
        request_json(&w, "request", &q);
        jw_arr(&w, "files");
        for (size_t i = 0; i < nf; i++) {
            const at_airlock_file *f = &files[i];
            jw_obj(&w, NULL);
            jw_int(&w, "id", f->id);
            jw_str(&w, "name", f->name);
            jw_str(&w, "role", f->role);
            jw_str(&w, "justification", f->justification);
            jw_str(&w, "type", f->type);
            jw_int(&w, "size", (long long)f->size);
            jw_str(&w, "sha256", f->sha256);
            jw_int(&w, "version", f->version);
            jw_str(&w, "outcome", at_check_outcome_name(f->outcome));
            jw_bool(&w, "hard", f->hard);
            jw_bool(&w, "needs_dpo", f->needs_dpo);
            jw_str(&w, "exception", f->exception);
            jw_str(&w, "transform", f->transform);
            jw_obj(&w, "source");
            jw_str(&w, "kind", f->source.kind);
            jw_str(&w, "id", f->source.id);
            jw_str(&w, "path", f->source.path);
            jw_close(&w, '}');
            jw_key(&w, "checks");
            if (at_buf_puts(&r->out, f->checks))
                r->out_error = 1;
            jw_key(&w, "lineage");
            if (at_buf_puts(&r->out, f->lineage))
                r->out_error = 1;
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_arr(&w, "votes");
        for (size_t i = 0; i < nv; i++) {
            jw_obj(&w, NULL);
            jw_int(&w, "file", votes[i].file_id);
            jw_str(&w, "reviewer", votes[i].reviewer);
            jw_str(&w, "vote", at_airlock_vote_name(votes[i].vote));
            jw_str(&w, "comment", votes[i].comment);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_arr(&w, "reviews");
        for (size_t i = 0; i < nr; i++) {
            jw_obj(&w, NULL);
            jw_str(&w, "reviewer", reviews[i].reviewer);
            jw_bool(&w, "dpo", reviews[i].dpo);
            jw_bool(&w, "handed_in", reviews[i].submitted);
            jw_int(&w, "round", reviews[i].round);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_arr(&w, "history");
        for (size_t i = 0; i < ne; i++) {
            jw_obj(&w, NULL);
            web_iso_time(events[i].time, t);
            jw_str(&w, "time", t);
            jw_str(&w, "actor", events[i].actor);
            jw_str(&w, "what", events[i].what);
            jw_int(&w, "file", events[i].file_id);
            jw_str(&w, "text", events[i].text);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_end(&w);
        char object[40];
        snprintf(object, sizeof object, "export:%lld", (long long)id);
        at_room_audit(r->room, r->actor.name, "export.view", object, NULL);
    }
    at_airlock_files_free(files, nf);
    at_free(votes);
    at_free(reviews);
    at_free(events);
}

static void done(web_req *r, at_status st, int status)
{
    if (st) {
        api_fail(r, st);
        return;
    }
    int64_t id = web_id_param(r, "request");
    at_airlock_request q;
    if (at_airlock_get(web_airlock(r), id, &q) != AT_OK) {
        api_fail(r, AT_ERR_NOT_FOUND);
        return;
    }
    r->status = status;
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "id", id);
    jw_str(&w, "state", at_airlock_state_name(q.state));
    jw_end(&w);
}

void api_export_add(web_req *r)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    at_airlock_add_spec sp = {.kind = web_field(r, "source"),
                              .id = web_field(r, "id"),
                              .path = web_field(r, "path"),
                              .name = web_field(r, "name"),
                              .role = web_field(r, "role"),
                              .justification = web_field(r, "justification")};
    int64_t fid = 0;
    at_status st = at_airlock_add(a, r->actor.name, web_id_param(r, "request"), &sp, &fid);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "file", fid);
    jw_end(&w);
}

void api_export_remove(web_req *r)
{
    at_airlock *a = need(r);
    if (a)
        done(r, at_airlock_remove(a, r->actor.name, web_id_param(r, "request"), web_id_param(r, "file")),
             200);
}

void api_export_replace(web_req *r)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    at_airlock_add_spec sp = {
        .kind = web_field(r, "source"), .id = web_field(r, "id"), .path = web_field(r, "path")};
    done(r, at_airlock_replace(a, r->actor.name, web_id_param(r, "request"), web_id_param(r, "file"), &sp),
         200);
}

void api_export_exception(web_req *r)
{
    at_airlock *a = need(r);
    if (a)
        done(r,
             at_airlock_set_exception(a, r->actor.name, web_id_param(r, "request"), web_id_param(r, "file"),
                                      web_field(r, "text")),
             200);
}

void api_export_round(web_req *r)
{
    at_airlock *a = need(r);
    if (a)
        done(r,
             at_airlock_transform(a, r->actor.name, web_id_param(r, "request"), web_id_param(r, "file"),
                                  "round"),
             200);
}

void api_export_submit(web_req *r)
{
    at_airlock *a = need(r);
    at_airlock_state s;
    if (a)
        done(r, at_airlock_submit(a, r->actor.name, web_id_param(r, "request"), &s), 200);
}

void api_export_withdraw(web_req *r)
{
    at_airlock *a = need(r);
    if (a)
        done(r, at_airlock_withdraw(a, r->actor.name, web_id_param(r, "request")), 200);
}

void api_export_comment(web_req *r)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    const char *file = web_field(r, "file");
    done(r,
         at_airlock_comment(a, r->actor.name, web_id_param(r, "request"), file ? atoll(file) : 0,
                            web_field(r, "text")),
         201);
}

void api_export_vote(web_req *r)
{
    at_airlock *a = need(r);
    if (!a)
        return;
    int v = at_airlock_vote_parse(web_field(r, "vote"));
    if (v < 0) {
        web_json_error(r, 400, "vote: approve, changes or undecided");
        return;
    }
    done(r,
         at_airlock_vote(a, r->actor.name, web_id_param(r, "request"), web_id_param(r, "file"),
                         (at_airlock_vote_value)v, web_field(r, "comment")),
         200);
}

void api_export_review(web_req *r)
{
    at_airlock *a = need(r);
    at_airlock_state s;
    if (a)
        done(r, at_airlock_review_submit(a, r->actor.name, web_id_param(r, "request"), &s), 200);
}

void api_export_reject(web_req *r)
{
    at_airlock *a = need(r);
    if (a)
        done(r, at_airlock_reject(a, r->actor.name, web_id_param(r, "request"), web_field(r, "reason")), 200);
}

void api_export_release(web_req *r)
{
    at_airlock *a = need(r);
    if (a)
        done(r, at_airlock_release(a, r->actor.name, web_id_param(r, "request")), 200);
}

int web_export_package(web_req *r)
{
    at_airlock *a = web_airlock(r);
    int64_t id = web_id_param(r, "request");
    /* written to an unnamed private file in the room, then streamed */
    int fd = open(at_room_dir(r->room), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) { /* a file system without O_TMPFILE: a named private file, unlinked at once */
        char *tmpl = at_path_join(at_room_dir(r->room), ".package-XXXXXX");
        fd = tmpl ? mkostemp(tmpl, O_CLOEXEC) : -1;
        if (fd >= 0)
            unlink(tmpl);
        at_free(tmpl);
    }
    if (fd < 0) {
        at_error_set(AT_ERR_IO, "package: no temporary file: %s", strerror(errno));
        return AT_ERR_IO;
    }
    uint64_t bytes = 0;
    at_status st = at_airlock_package(a, r->actor.name, id, fd, &bytes);
    if (!st && lseek(fd, 0, SEEK_SET) != 0)
        st = at_error_set(AT_ERR_IO, "package: %s", strerror(errno));
    if (st) {
        close(fd);
        return st;
    }
    static _Thread_local char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"export-%lld.tar\"", (long long)id);
    r->status = 200;
    r->content_type = "application/x-tar";
    r->disposition = disposition;
    r->send_fd = fd;
    r->send_len = bytes;
    return AT_OK;
}

void api_export_package(web_req *r)
{
    if (!need(r))
        return;
    at_status st = web_export_package(r);
    if (st)
        api_fail(r, st);
}
