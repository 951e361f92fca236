/* Pages of the administrators: users (create with a one-time password,
 * disable, enable, reset TOTP or password, room roles) and projects. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const unsigned all_roles[] = {AT_ROLE_ADMIN, AT_ROLE_DPO, AT_ROLE_TEACHER};

static void user_action(web_req *r, const char *user, const char *op, const char *label, const char *css)
{
    char action[160];
    snprintf(action, sizeof action, "/admin/users/%s/%s", user, op);
    page_form(r, action, "d-inline me-1");
    h(r, "<button type=\"submit\" class=\"btn btn-sm %s\" aria-label=\"%s %s\">%s</button></form>", css,
      label, user, label);
}

static void users_page(web_req *r, const char *error, const char *created_user, const char *password)
{
    at_user *v = NULL;
    size_t n = 0;
    at_status st = at_room_user_list(r->room, &v, &n);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    page_begin(r, "Users");
    page_flash(r);
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    if (password)
        h(r,
          "<div class=\"alert alert-warning\" role=\"status\">One-time password of <strong>%s</strong>: "
          "<code id=\"otp\">%s</code><br>Give it to the person by hand; it is shown only this once. At the "
          "first "
          "login they choose a password and set up TOTP.</div>",
          created_user, password);
    h(r, "<table class=\"table table-sm align-middle\" id=\"users\"><thead><tr><th scope=\"col\">User</th>"
         "<th scope=\"col\">Name</th><th scope=\"col\">Roles</th><th scope=\"col\">State</th>"
         "<th scope=\"col\">Actions</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const at_user *u = &v[i];
        h(r, "<tr id=\"user-%s\"><td>%s</td><td>%s</td><td>", u->name, u->name, u->full_name);
        for (size_t k = 0; k < 3; k++)
            if (u->roles & all_roles[k])
                h(r, "<span class=\"badge bg-secondary me-1\">%s</span>", at_room_role_name(all_roles[k]));
        h(r, "</td><td>%s%s</td><td>", u->disabled ? "disabled" : "active",
          u->mfa_enrolled ? "" : ", TOTP not set up");
        if (u->disabled)
            user_action(r, u->name, "enable", "Enable", "btn-outline-success");
        else
            user_action(r, u->name, "disable", "Disable", "btn-outline-danger");
        user_action(r, u->name, "reset-mfa", "Reset TOTP", "btn-outline-secondary");
        user_action(r, u->name, "reset-password", "New one-time password", "btn-outline-secondary");
        char action[160];
        snprintf(action, sizeof action, "/admin/users/%s/roles", u->name);
        page_form(r, action, "d-inline-flex");
        h(r,
          "<label class=\"visually-hidden\" for=\"role-%s\">Role</label><select class=\"form-select "
          "form-select-sm "
          "me-1\" name=\"role\" "
          "id=\"role-%s\"><option>admin</option><option>dpo</option><option>teacher</option>"
          "</select><button class=\"btn btn-sm btn-outline-primary me-1\" name=\"grant\" value=\"1\" "
          "type=\"submit\">Grant</button><button class=\"btn btn-sm btn-outline-primary\" name=\"grant\" "
          "value=\"0\" type=\"submit\">Withdraw</button></form></td></tr>",
          u->name, u->name);
    }
    h(r, "</tbody></table>");
    h(r, "<h2 class=\"h5 mt-4\">New user</h2>");
    page_form(r, "/admin/users", "row g-2 col-md-8");
    h(r,
      "<div class=\"col-md-4\"><label for=\"new-user\" class=\"form-label\">User name</label>"
      "<input class=\"form-control\" id=\"new-user\" name=\"user\" required "
      "pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]*\" "
      "maxlength=\"%d\"></div><div class=\"col-md-5\"><label for=\"full-name\" class=\"form-label\">Full name"
      "</label><input class=\"form-control\" id=\"full-name\" name=\"full_name\" maxlength=\"%d\"></div>"
      "<fieldset class=\"col-md-3\"><legend class=\"form-label fs-6\">Room roles</legend>",
      AT_ROOM_NAME_MAX, AT_ROOM_TEXT_MAX);
    for (size_t k = 0; k < 3; k++) {
        const char *rn = at_room_role_name(all_roles[k]);
        h(r,
          "<div class=\"form-check form-check-inline\"><input class=\"form-check-input\" type=\"checkbox\" "
          "id=\"new-%s\" name=\"role_%s\" value=\"1\"><label class=\"form-check-label\" "
          "for=\"new-%s\">%s</label>"
          "</div>",
          rn, rn, rn, rn);
    }
    h(r,
      "</fieldset><div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" id=\"create-user\">"
      "Create</button></div></form>");
    page_end(r);
    at_free(v);
}

void ui_users(web_req *r)
{
    users_page(r, NULL, NULL, NULL);
}

void ui_users_create(web_req *r)
{
    unsigned roles = 0;
    char field[32];
    for (size_t k = 0; k < 3; k++) {
        snprintf(field, sizeof field, "role_%s", at_room_role_name(all_roles[k]));
        if (web_field(r, field))
            roles |= all_roles[k];
    }
    const char *user = web_field(r, "user");
    char password[AT_ROOM_OTP_MAX];
    at_status st =
        at_room_user_create(r->room, r->actor.name, user, roles, web_field(r, "full_name"), password, NULL);
    if (st) {
        r->status = web_status_of(st);
        users_page(r, at_error_message(), NULL, NULL);
        return;
    }
    users_page(r, NULL, user, password);
    memset(password, 0, sizeof password);
}

static void user_post(web_req *r, int op)
{
    const char *user = web_param(r, "user");
    static const char *const done[] = {"disabled", "enabled", "reset-mfa", "role"};
    at_status st;
    if (op == 0 || op == 1) {
        st = at_room_user_set_disabled(r->room, r->actor.name, user, op == 0);
    } else if (op == 2) {
        st = at_room_user_reset_mfa(r->room, r->actor.name, user);
    } else {
        unsigned role = at_room_role_parse(web_field(r, "role"));
        const char *grant = web_field(r, "grant");
        st = role && grant ? at_room_user_set_role(r->room, r->actor.name, user, role, !strcmp(grant, "1"))
                           : at_error_set(AT_ERR_ARG, "choose a role: admin, dpo or teacher");
    }
    if (st) {
        r->status = web_status_of(st);
        users_page(r, at_error_message(), NULL, NULL);
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/admin/users?done=%s", done[op]);
    web_redirect(r, loc);
}

void ui_user_disable(web_req *r)
{
    user_post(r, 0);
}

void ui_user_enable(web_req *r)
{
    user_post(r, 1);
}

void ui_user_reset_mfa(web_req *r)
{
    user_post(r, 2);
}

void ui_user_roles(web_req *r)
{
    user_post(r, 3);
}

void ui_user_reset_password(web_req *r)
{
    const char *user = web_param(r, "user");
    char password[AT_ROOM_OTP_MAX];
    at_status st = at_room_user_reset_password(r->room, r->actor.name, user, password);
    if (st) {
        r->status = web_status_of(st);
        users_page(r, at_error_message(), NULL, NULL);
        return;
    }
    users_page(r, NULL, user, password);
    memset(password, 0, sizeof password);
}

static void projects_page(web_req *r, const char *error)
{
    at_project *v = NULL;
    size_t n = 0;
    at_status st = at_room_project_list(r->room, &v, &n);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    page_begin(r, "Projects");
    page_flash(r);
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    h(r, "<table class=\"table table-sm\" id=\"all-projects\"><thead><tr><th scope=\"col\">Project</th>"
         "<th scope=\"col\">Title</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++)
        h(r, "<tr><td><a href=\"/projects/%s\">%s</a></td><td>%s</td></tr>", v[i].name, v[i].name,
          v[i].title);
    h(r, "</tbody></table><h2 class=\"h5 mt-4\">New project</h2>");
    page_form(r, "/admin/projects", "row g-2 col-md-8");
    h(r,
      "<div class=\"col-md-4\"><label for=\"project-name\" class=\"form-label\">Name</label>"
      "<input class=\"form-control\" id=\"project-name\" name=\"name\" required maxlength=\"%d\"></div>"
      "<div class=\"col-md-8\"><label for=\"project-title\" class=\"form-label\">Title</label>"
      "<input class=\"form-control\" id=\"project-title\" name=\"title\" maxlength=\"%d\"></div>"
      "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" id=\"create-project\">Create"
      "</button></div></form>",
      AT_ROOM_NAME_MAX, AT_ROOM_TEXT_MAX);
    page_end(r);
    at_free(v);
}

void ui_projects(web_req *r)
{
    projects_page(r, NULL);
}

void ui_projects_create(web_req *r)
{
    const char *name = web_field(r, "name");
    at_status st = at_room_project_create(r->room, r->actor.name, name, web_field(r, "title"));
    if (st) {
        r->status = web_status_of(st);
        projects_page(r, at_error_message());
        return;
    }
    char loc[160];
    snprintf(loc, sizeof loc, "/projects/%s?done=created", name);
    web_redirect(r, loc);
}
