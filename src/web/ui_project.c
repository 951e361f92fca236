/* Page of one project: its members, and for its lead or an administrator
 * the forms that add, change and remove them. */
#include "internal.h"

#include <stdio.h>

static void project_page(web_req *r, const char *error)
{
    const char *name = web_param(r, "project");
    at_project p;
    at_member *m = NULL;
    size_t n = 0;
    at_status st = at_room_project_get(r->room, name, &p);
    if (!st)
        st = at_room_project_members(r->room, name, &m, &n);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    at_object o = {.project = p.name};
    int manage = at_room_authorize(r->room, &r->actor, AT_ACT_MEMBER_MANAGE, &o) == AT_ALLOW;
    page_begin(r, p.name);
    page_flash(r);
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
    h(r, "<p class=\"lead\" id=\"title\">%s</p><h2 class=\"h5\">Members</h2>", p.title);
    h(r,
      "<table class=\"table table-sm\" id=\"members\"><thead><tr><th scope=\"col\">User</th>"
      "<th scope=\"col\">Role</th>%s</tr></thead><tbody>",
      manage ? "<th scope=\"col\">Actions</th>" : "");
    for (size_t i = 0; i < n; i++) {
        h(r, "<tr id=\"member-%s\"><td>%s</td><td>%s</td>", m[i].user, m[i].user,
          at_room_project_role_name(m[i].role));
        if (manage) {
            char action[256];
            snprintf(action, sizeof action, "/projects/%s/members/%s/remove", p.name, m[i].user);
            h(r, "<td>");
            page_form(r, action, "d-inline");
            h(r,
              "<button type=\"submit\" class=\"btn btn-sm btn-outline-danger\" aria-label=\"Remove "
              "%s\">Remove"
              "</button></form></td>",
              m[i].user);
        }
        h(r, "</tr>");
    }
    h(r, "</tbody></table>");
    if (manage) {
        char action[160];
        snprintf(action, sizeof action, "/projects/%s/members", p.name);
        h(r, "<h2 class=\"h5 mt-4\">Add or change a member</h2>");
        page_form(r, action, "row g-2 col-md-8");
        h(r, "<div class=\"col-md-5\"><label for=\"member-user\" class=\"form-label\">User name</label>"
             "<input class=\"form-control\" id=\"member-user\" name=\"user\" required></div>"
             "<div class=\"col-md-4\"><label for=\"member-role\" class=\"form-label\">Role</label>"
             "<select class=\"form-select\" id=\"member-role\" name=\"role\"><option>member</option>"
             "<option>lead</option><option>student</option></select></div>"
             "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" "
             "id=\"add-member\">Save</button>"
             "</div></form>");
    }
    page_end(r);
    at_free(m);
}

void ui_project(web_req *r)
{
    project_page(r, NULL);
}

static void after(web_req *r, at_status st, const char *done)
{
    if (st) {
        r->status = web_status_of(st);
        project_page(r, at_error_message());
        return;
    }
    char loc[200];
    snprintf(loc, sizeof loc, "/projects/%s?done=%s", web_param(r, "project"), done);
    web_redirect(r, loc);
}

void ui_project_member_add(web_req *r)
{
    at_project_role role = at_room_project_role_parse(web_field(r, "role"));
    at_status st =
        role == AT_PROJECT_NONE
            ? at_error_set(AT_ERR_ARG, "a project role is lead, member or student")
            : at_room_member_set(r->room, r->actor.name, web_param(r, "project"), web_field(r, "user"), role);
    after(r, st, "member");
}

void ui_project_member_remove(web_req *r)
{
    after(r, at_room_member_remove(r->room, r->actor.name, web_param(r, "project"), web_param(r, "user")),
          "removed");
}
