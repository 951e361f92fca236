/* The JSON API, part 1: health, login and logout, the caller's own
 * account (me, password, TOTP enrolment). Every answer is a JSON object;
 * errors are {"error": "..."} with the HTTP status. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_fail(web_req *r, at_status st)
{
    const char *msg = at_error_message();
    web_json_error(r, web_status_of(st), msg && *msg ? msg : at_status_name(st));
}

void api_must(jw *w, unsigned must)
{
    jw_arr(w, "must");
    if (must & AT_MUST_PASSWORD)
        jw_str(w, NULL, "password");
    if (must & AT_MUST_MFA)
        jw_str(w, NULL, "mfa");
    jw_close(w, ']');
}

void api_roles(jw *w, unsigned roles)
{
    static const unsigned all[] = {AT_ROLE_ADMIN, AT_ROLE_DPO, AT_ROLE_TEACHER};
    jw_arr(w, "roles");
    for (size_t i = 0; i < 3; i++)
        if (roles & all[i])
            jw_str(w, NULL, at_room_role_name(all[i]));
    jw_close(w, ']');
}

void api_health(web_req *r)
{
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    jw_str(&w, "service", "atelier room");
    jw_str(&w, "version", ATELIER_VERSION);
    jw_end(&w);
}

void api_login(web_req *r)
{
    at_login_result lr;
    at_status st = at_room_login(r->room, web_field(r, "user"), web_field(r, "password"),
                                 web_field(r, "totp"), AT_SESSION_BEARER, r->peer, &lr);
    if (st) {
        api_fail(r, st);
        if (st == AT_ERR_LOCKED) {
            /* the same error, with the wait in seconds */
            at_buf_reset(&r->out);
            jw w;
            jw_begin(&w, r);
            jw_str(&w, "error", at_error_message());
            jw_int(&w, "retry_after", lr.retry_after);
            jw_end(&w);
        }
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "token", lr.token);
    jw_str(&w, "user", web_field(r, "user"));
    if (lr.stage == AT_STAGE_SETUP)
        api_must(&w, lr.must);
    jw_end(&w);
    memset(lr.token, 0, sizeof lr.token);
}

void api_logout(web_req *r)
{
    at_status st = at_room_session_revoke(r->room, &r->actor);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    jw_end(&w);
}

void api_me(web_req *r)
{
    at_user u;
    at_project *ps = NULL;
    size_t n = 0;
    at_status st = at_room_user_get(r->room, r->actor.name, &u);
    if (!st)
        st = at_room_user_projects(r->room, r->actor.user_id, &ps, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    char expires[32];
    struct tm tm;
    gmtime_r(&r->actor.expires, &tm);
    strftime(expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &tm);
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "user", u.name);
    jw_str(&w, "full_name", u.full_name);
    api_roles(&w, u.roles);
    jw_arr(&w, "projects");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "name", ps[i].name);
        jw_str(&w, "title", ps[i].title);
        jw_str(&w, "role", at_room_project_role_name(ps[i].my_role));
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_str(&w, "session_expires", expires);
    jw_end(&w);
    at_free(ps);
}

void api_password(web_req *r)
{
    at_status st =
        at_room_password_change(r->room, &r->actor, web_field(r, "current"), web_field(r, "password"));
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    if (r->actor.stage == AT_STAGE_SETUP)
        api_must(&w, r->actor.must);
    jw_end(&w);
}

void api_mfa_enrol(web_req *r)
{
    char secret[AT_ROOM_TOTP_SECRET_MAX], uri[AT_ROOM_URI_MAX];
    at_status st = at_room_mfa_enrol(r->room, &r->actor, 0, secret, uri);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "secret", secret);
    jw_str(&w, "uri", uri);
    jw_end(&w);
    memset(secret, 0, sizeof secret);
    memset(uri, 0, sizeof uri);
}

void api_mfa_confirm(web_req *r)
{
    at_status st = at_room_mfa_confirm(r->room, &r->actor, web_field(r, "totp"));
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    api_must(&w, r->actor.must);
    if (!r->actor.must)
        jw_str(&w, "next", "log in again with the new password and a code");
    jw_end(&w);
}

/* ---- the audit (the DPO) ---- */

static int audit_row(void *ud, const at_audit_entry *e)
{
    jw *w = ud;
    jw_obj(w, NULL);
    jw_int(w, "seq", e->seq);
    jw_str(w, "time", e->time);
    jw_str(w, "actor", e->actor);
    jw_str(w, "action", e->action);
    jw_str(w, "object", e->object);
    jw_str(w, "details", e->details);
    jw_close(w, '}');
    return w->r->out_error;
}

void api_audit_list(web_req *r)
{
    const char *limit = web_query(r, "limit");
    long long lim = limit ? atoll(limit) : 200;
    if (lim < 1 || lim > 10000)
        lim = 200;
    at_audit_filter f = {.who = web_query(r, "who"),
                         .what = web_query(r, "what"),
                         .since = web_query(r, "since"),
                         .until = web_query(r, "until"),
                         .limit = lim};
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "entries");
    at_status st = at_room_audit_query(r->room, &f, audit_row, &w);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw_close(&w, ']');
    jw_end(&w);
}

void api_audit_verify(web_req *r)
{
    at_audit_report rep;
    at_status st = at_room_audit_verify_open(r->room, &rep);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", rep.ok);
    jw_int(&w, "entries", rep.entries);
    jw_int(&w, "anchors", rep.anchors);
    jw_int(&w, "first_broken", rep.first_broken);
    jw_int(&w, "problems", rep.problems);
    jw_str(&w, "message", rep.message);
    jw_end(&w);
}
