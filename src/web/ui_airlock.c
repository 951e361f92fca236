/* The airlock's pages: an author's requests and notices (/airlock), the
 * reviewers' queue (/airlock/queue), the DPO's view of every request and
 * release (/airlock/all), a new request, and the navigation's link with
 * the count of unseen notices. */
#include "internal.h"

#include "atelier/airlock.h"

#include <stdio.h>
#include <string.h>

void page_airlock_nav(web_req *r)
{
    at_airlock *a = web_airlock(r);
    if (!a)
        return;
    int n = at_airlock_unseen(a, r->actor.name);
    if (n)
        h(r,
          "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/airlock\" id=\"nav-airlock\">Airlock "
          "<span class=\"badge bg-warning text-dark\" id=\"unseen\" aria-label=\"%d new "
          "notices\">%d</span></a></li>",
          n, n);
    else
        h(r, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/airlock\" "
             "id=\"nav-airlock\">Airlock</a></li>");
}

static const char *badge(at_airlock_state s)
{
    switch (s) {
    case AT_AIRLOCK_APPROVED:
    case AT_AIRLOCK_RELEASED:
        return "bg-success";
    case AT_AIRLOCK_BLOCKED:
    case AT_AIRLOCK_REJECTED:
        return "bg-danger";
    case AT_AIRLOCK_RETURNED:
        return "bg-warning text-dark";
    case AT_AIRLOCK_IN_REVIEW:
    case AT_AIRLOCK_SUBMITTED:
        return "bg-primary";
    default:
        return "bg-secondary";
    }
}

void ui_export_state_badge(web_req *r, at_airlock_state s, const char *id)
{
    if (id)
        h(r, "<span class=\"badge %s\" id=\"%s\">%s</span>", badge(s), id, at_airlock_state_name(s));
    else
        h(r, "<span class=\"badge %s\">%s</span>", badge(s), at_airlock_state_name(s));
}

static void requests_table(web_req *r, const char *id, const at_airlock_request *list, size_t n,
                           int author_col, int (*keep)(web_req *, const at_airlock_request *))
{
    h(r,
      "<table class=\"table table-sm\" id=\"%s\"><thead><tr><th scope=\"col\">Request</th><th scope=\"col\">"
      "Project</th>",
      id);
    if (author_col)
        h(r, "<th scope=\"col\">Author</th>");
    h(r,
      "<th scope=\"col\">Title</th><th scope=\"col\">State</th><th scope=\"col\">Files</th><th scope=\"col\">"
      "Checks</th><th scope=\"col\">Updated</th></tr></thead><tbody>");
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep && !keep(r, &list[i]))
            continue;
        shown++;
        char t[32], link[64];
        web_iso_time(list[i].updated, t);
        snprintf(link, sizeof link, "/airlock/requests/%lld", (long long)list[i].id);
        h(r, "<tr><td><a href=\"%s\">#%lld</a></td><td>%s</td>", link, (long long)list[i].id,
          list[i].project);
        if (author_col)
            h(r, "<td>%s</td>", list[i].author);
        h(r, "<td>%s</td><td>", list[i].title);
        ui_export_state_badge(r, list[i].state, NULL);
        h(r, "</td><td>%d</td><td>%s%s</td><td>%s</td></tr>", list[i].files,
          at_check_outcome_name(list[i].outcome), list[i].needs_dpo ? ", DPO needed" : "", t);
    }
    if (!shown)
        h(r, "<tr><td colspan=\"%d\">None.</td></tr>", author_col ? 8 : 7);
    h(r, "</tbody></table>");
}

static at_airlock *need_page(web_req *r)
{
    at_airlock *a = web_airlock(r);
    if (!a)
        page_error(r, 503, "The airlock is not enabled in this room.");
    return a;
}

void ui_airlock_home(web_req *r)
{
    at_airlock *a = need_page(r);
    if (!a)
        return;
    page_begin(r, "Airlock");
    if (web_query(r, "done") && !strcmp(web_query(r, "done"), "created"))
        h(r, "<div class=\"alert alert-success\" role=\"status\">The request was created.</div>");
    h(r,
      "<p>Nothing leaves the room but through a released export request: automated checks, then two "
      "reviewers, then a package signed with the room's key. <a href=\"/airlock/queue\">The review "
      "queue</a>%s</p>",
      "");
    if (r->actor.roles & AT_ROLE_DPO)
        h(r, "<p><a href=\"/airlock/all\" id=\"all-link\">Every request and release of the room</a></p>");
    /* notices, newest first; seen once shown */
    at_airlock_notice *notices = NULL;
    size_t nn = 0;
    if (at_airlock_notices(a, r->actor.name, 20, &notices, &nn) == AT_OK) {
        h(r, "<h2 class=\"h5\">Notices</h2><ul class=\"list-group mb-4\" id=\"notices\">");
        for (size_t i = 0; i < nn; i++) {
            char t[32], link[64];
            web_iso_time(notices[i].time, t);
            snprintf(link, sizeof link, "/airlock/requests/%lld", (long long)notices[i].request);
            h(r,
              "<li class=\"list-group-item%s\"><a href=\"%s\">%s</a> <small "
              "class=\"text-muted\">%s</small></li>",
              notices[i].seen ? "" : " list-group-item-warning", link, notices[i].text, t);
        }
        if (!nn)
            h(r, "<li class=\"list-group-item\">No notice.</li>");
        h(r, "</ul>");
        at_free(notices);
        at_airlock_notices_seen(a, r->actor.name);
    }
    at_error_clear();
    /* a new request in one of my projects */
    at_project *projects = NULL;
    size_t np = 0;
    if (at_room_user_projects(r->room, r->actor.user_id, &projects, &np) == AT_OK && np) {
        h(r, "<h2 class=\"h5\">A new export request</h2>");
        for (size_t i = 0; i < np; i++) {
            char action[160];
            snprintf(action, sizeof action, "/projects/%s/exports", projects[i].name);
            page_form(r, action, "row g-2 mb-2 align-items-end");
            h(r,
              "<div class=\"col-auto\"><label class=\"form-label\" for=\"new-title-%s\">Title (project "
              "%s)</label>"
              "<input class=\"form-control\" id=\"new-title-%s\" name=\"title\" maxlength=\"256\" "
              "required></div>"
              "<div class=\"col-auto\"><button class=\"btn btn-primary\" type=\"submit\" "
              "id=\"new-request-%s\">"
              "New request</button></div></form>",
              projects[i].name, projects[i].name, projects[i].name, projects[i].name);
        }
    }
    at_free(projects);
    at_error_clear();
    at_airlock_filter f = {.author = r->actor.name, .state = -1};
    at_airlock_request *list = NULL;
    size_t n = 0;
    h(r, "<h2 class=\"h5 mt-4\">My requests</h2>");
    if (at_airlock_list(a, &f, &list, &n) == AT_OK)
        requests_table(r, "my-requests", list, n, 0, NULL);
    at_free(list);
    page_end(r);
}

static int reviewable(web_req *r, const at_airlock_request *q)
{
    at_object o = {.project = q->project,
                   .user = q->author,
                   .checker = at_airlock_is_checker(web_airlock(r), r->actor.name)};
    return at_room_authorize(r->room, &r->actor, AT_ACT_EXPORT_REVIEW, &o) == AT_ALLOW;
}

void ui_airlock_queue(web_req *r)
{
    at_airlock *a = need_page(r);
    if (!a)
        return;
    page_begin(r, "Review queue");
    h(r, "<p>Requests in review that you may review (the project's leads, the DPO, the designated checkers; "
         "never your own). Each reviewer votes on every file without seeing the other's votes, then hands in "
         "the "
         "review.</p>");
    at_airlock_filter f = {.state = AT_AIRLOCK_IN_REVIEW, .limit = 500};
    at_airlock_request *list = NULL;
    size_t n = 0;
    if (at_airlock_list(a, &f, &list, &n) == AT_OK)
        requests_table(r, "queue", list, n, 1, reviewable);
    at_free(list);
    page_end(r);
}

void ui_airlock_all(web_req *r)
{
    at_airlock *a = need_page(r);
    if (!a)
        return;
    page_begin(r, "Every export request");
    at_airlock_filter f = {.state = -1, .limit = 1000};
    at_airlock_request *list = NULL;
    size_t n = 0;
    if (at_airlock_list(a, &f, &list, &n) == AT_OK) {
        requests_table(r, "all-requests", list, n, 1, NULL);
        h(r, "<h2 class=\"h5\">Releases</h2><table class=\"table table-sm\" id=\"releases\"><thead><tr>"
             "<th scope=\"col\">Request</th><th scope=\"col\">Project</th><th scope=\"col\">Author</th>"
             "<th scope=\"col\">Released</th><th scope=\"col\">Files</th><th scope=\"col\">Bytes</th>"
             "<th scope=\"col\">sha256 of manifest.json</th></tr></thead><tbody>");
        for (size_t i = 0; i < n; i++) {
            if (list[i].state != AT_AIRLOCK_RELEASED)
                continue;
            char t[32], link[64];
            web_iso_time(list[i].released, t);
            snprintf(link, sizeof link, "/airlock/requests/%lld", (long long)list[i].id);
            h(r,
              "<tr><td><a href=\"%s\">#%lld</a></td><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%lld</td>"
              "<td><code>%s</code></td></tr>",
              link, (long long)list[i].id, list[i].project, list[i].author, t, list[i].files,
              (long long)list[i].bytes, list[i].package_sha256);
        }
        h(r, "</tbody></table>");
    }
    at_free(list);
    page_end(r);
}

void ui_export_create(web_req *r)
{
    at_airlock *a = need_page(r);
    if (!a)
        return;
    int64_t id;
    at_status st = at_airlock_create(a, r->actor.name, web_param(r, "project"), web_field(r, "title"), &id);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char loc[80];
    snprintf(loc, sizeof loc, "/airlock/requests/%lld?done=created", (long long)id);
    web_redirect(r, loc);
}
