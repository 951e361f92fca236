/* The JSON API, part 2: users (administrators) and projects with their
 * members. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void ok(web_req *r)
{
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    jw_end(&w);
}

int web_roles_parse(const char *text, unsigned *roles)
{
    *roles = 0;
    if (!text || !*text)
        return 1;
    char buf[128];
    if (strlen(text) >= sizeof buf)
        return 0;
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        unsigned b = at_room_role_parse(t);
        if (!b)
            return 0;
        *roles |= b;
    }
    return 1;
}

static void user_json(jw *w, const at_user *u)
{
    jw_str(w, "user", u->name);
    jw_str(w, "full_name", u->full_name);
    api_roles(w, u->roles);
    jw_bool(w, "disabled", u->disabled);
    jw_bool(w, "mfa", u->mfa_enrolled);
    api_must(w, u->must | (u->mfa_enrolled ? 0u : (unsigned)AT_MUST_MFA));
}

void api_users_list(web_req *r)
{
    at_user *v;
    size_t n;
    at_status st = at_room_user_list(r->room, &v, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "users");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        user_json(&w, &v[i]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(v);
}

void api_user_get(web_req *r)
{
    at_user u;
    at_status st = at_room_user_get(r->room, web_param(r, "user"), &u);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    user_json(&w, &u);
    jw_end(&w);
}

static void password_answer(web_req *r, const char *user, char *password)
{
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "user", user);
    jw_str(&w, "password", password);
    jw_str(&w, "note", "one-time password: give it to the user by hand; it is shown only once");
    jw_end(&w);
    memset(password, 0, AT_ROOM_OTP_MAX);
}

void api_users_create(web_req *r)
{
    unsigned roles;
    const char *user = web_field(r, "user");
    if (!web_roles_parse(web_field(r, "role"), &roles)) {
        web_json_error(r, 400, "a room role is admin, dpo or teacher (or none)");
        return;
    }
    char password[AT_ROOM_OTP_MAX];
    at_status st =
        at_room_user_create(r->room, r->actor.name, user, roles, web_field(r, "full_name"), password, NULL);
    if (st) {
        api_fail(r, st);
        return;
    }
    password_answer(r, user, password);
}

static void user_op(web_req *r, int op)
{
    const char *user = web_param(r, "user");
    at_status st = op == 0   ? at_room_user_set_disabled(r->room, r->actor.name, user, 1)
                   : op == 1 ? at_room_user_set_disabled(r->room, r->actor.name, user, 0)
                             : at_room_user_reset_mfa(r->room, r->actor.name, user);
    if (st)
        api_fail(r, st);
    else
        ok(r);
}

void api_user_disable(web_req *r)
{
    user_op(r, 0);
}

void api_user_enable(web_req *r)
{
    user_op(r, 1);
}

void api_user_reset_mfa(web_req *r)
{
    user_op(r, 2);
}

void api_user_reset_password(web_req *r)
{
    char password[AT_ROOM_OTP_MAX];
    const char *user = web_param(r, "user");
    at_status st = at_room_user_reset_password(r->room, r->actor.name, user, password);
    if (st) {
        api_fail(r, st);
        return;
    }
    password_answer(r, user, password);
    r->status = 200;
}

void api_user_roles(web_req *r)
{
    const char *grant = web_field(r, "grant"), *withdraw = web_field(r, "withdraw");
    unsigned role = at_room_role_parse(grant ? grant : withdraw);
    if (!role || (grant && withdraw)) {
        web_json_error(r, 400, "give {\"grant\": ROLE} or {\"withdraw\": ROLE}, ROLE admin, dpo or teacher");
        return;
    }
    at_status st = at_room_user_set_role(r->room, r->actor.name, web_param(r, "user"), role, grant != NULL);
    if (st)
        api_fail(r, st);
    else
        ok(r);
}

/* ---- projects ---- */

void api_projects_list(web_req *r)
{
    at_project *v;
    size_t n;
    at_status st = at_room_project_list(r->room, &v, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "projects");
    for (size_t i = 0; i < n; i++) {
        at_object o = {.project = v[i].name};
        if (at_room_authorize(r->room, &r->actor, AT_ACT_PROJECT_READ, &o) != AT_ALLOW)
            continue; /* only the projects the caller may see */
        jw_obj(&w, NULL);
        jw_str(&w, "name", v[i].name);
        jw_str(&w, "title", v[i].title);
        jw_str(&w, "role",
               at_room_project_role_name(at_room_member_role(r->room, r->actor.user_id, v[i].name)));
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(v);
}

void api_projects_create(web_req *r)
{
    const char *name = web_field(r, "name"), *title = web_field(r, "title");
    at_status st = at_room_project_create(r->room, r->actor.name, name, title);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "name", name);
    jw_str(&w, "title", title ? title : "");
    jw_end(&w);
}

void api_project_get(web_req *r)
{
    at_project p;
    at_member *m = NULL;
    size_t n = 0;
    const char *name = web_param(r, "project");
    at_status st = at_room_project_get(r->room, name, &p);
    if (!st)
        st = at_room_project_members(r->room, name, &m, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    char created[32];
    struct tm tm;
    gmtime_r(&p.created, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "name", p.name);
    jw_str(&w, "title", p.title);
    jw_str(&w, "created", created);
    jw_arr(&w, "members");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "user", m[i].user);
        jw_str(&w, "role", at_room_project_role_name(m[i].role));
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(m);
}

void api_members_add(web_req *r)
{
    const char *user = web_field(r, "user"), *role = web_field(r, "role");
    at_project_role pr = at_room_project_role_parse(role);
    if (!user || pr == AT_PROJECT_NONE) {
        web_json_error(r, 400, "give {\"user\": NAME, \"role\": \"lead\" | \"member\" | \"student\"}");
        return;
    }
    at_status st = at_room_member_set(r->room, r->actor.name, web_param(r, "project"), user, pr);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "project", web_param(r, "project"));
    jw_str(&w, "user", user);
    jw_str(&w, "role", at_room_project_role_name(pr));
    jw_end(&w);
}

void api_members_remove(web_req *r)
{
    at_status st =
        at_room_member_remove(r->room, r->actor.name, web_param(r, "project"), web_param(r, "user"));
    if (st)
        api_fail(r, st);
    else
        ok(r);
}
