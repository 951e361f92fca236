/* Pages: home (my roles, my projects) and the stylesheet. */
#include "internal.h"

#include <string.h>

void ui_home(web_req *r)
{
    at_project *ps = NULL;
    size_t n = 0;
    at_status st = at_room_user_projects(r->room, r->actor.user_id, &ps, &n);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    page_begin(r, "Home");
    page_flash(r);
    h(r,
      "<section class=\"mb-4\" aria-labelledby=\"roles-h\"><h2 class=\"h5\" id=\"roles-h\">My room roles</h2>"
      "<p id=\"roles\">");
    static const unsigned all[] = {AT_ROLE_ADMIN, AT_ROLE_DPO, AT_ROLE_TEACHER};
    int any = 0;
    for (size_t i = 0; i < 3; i++)
        if (r->actor.roles & all[i]) {
            h(r, "<span class=\"badge bg-secondary me-1\">%s</span>", at_room_role_name(all[i]));
            any = 1;
        }
    if (!any)
        h(r, "none (my projects give me my rights)");
    h(r, "</p></section>");
    h(r, "<section aria-labelledby=\"projects-h\"><h2 class=\"h5\" id=\"projects-h\">My projects</h2>");
    if (!n) {
        h(r, "<p id=\"no-projects\">No project yet: a project's lead or an administrator adds you.</p>");
    } else {
        h(r, "<table class=\"table\" id=\"projects\"><thead><tr><th scope=\"col\">Project</th><th "
             "scope=\"col\">Title"
             "</th><th scope=\"col\">My role</th></tr></thead><tbody>");
        for (size_t i = 0; i < n; i++)
            h(r, "<tr><td><a href=\"/projects/%s\">%s</a></td><td>%s</td><td>%s</td></tr>", ps[i].name,
              ps[i].name, ps[i].title, at_room_project_role_name(ps[i].my_role));
        h(r, "</tbody></table>");
    }
    h(r, "</section>");
    page_end(r);
    at_free(ps);
}

void ui_static_css(web_req *r)
{
    size_t len = 0;
    const char *css = web_static_css(r, &len);
    if (!css) {
        r->status = 404;
        r->content_type = "text/plain; charset=utf-8";
        if (at_buf_puts(&r->out, "the stylesheet is not installed (Debian package libjs-bootstrap5)\n"))
            r->out_error = 1;
        return;
    }
    r->status = 200;
    r->content_type = "text/css; charset=utf-8";
    if (at_buf_append(&r->out, css, len))
        r->out_error = 1;
}
