/* The page of one export request: its files with their checks, the
 * author's tools (add, remove, round a table, ask an exception, submit,
 * withdraw, release, download), the reviewer's (hand in the review,
 * reject), the reviews and the votes one may see, the project's earlier
 * requests and releases for the reviewers (to spot differencing), the
 * comments and the history; and the forms' handlers. */
#include "internal.h"

#include "atelier/airlock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ui_export_state_badge(web_req *r, at_airlock_state s, const char *id);

static _Thread_local const char *page_error_text;

static const char *const flashes[][2] = {
    {"created", "The request was created: add its files."},
    {"added", "The file was added and checked."},
    {"removed", "The file was removed."},
    {"replaced", "The file was taken again from its source."},
    {"exception", "Your case for the failed check was recorded."},
    {"rounded", "The table was rounded: small counts suppressed, totals recomputed, counts rounded."},
    {"submitted", "The request was submitted."},
    {"withdrawn", "The request was withdrawn."},
    {"commented", "Your comment was added."},
    {"voted", "Your vote was recorded (the other reviewers do not see it)."},
    {"reviewed", "Your review was handed in."},
    {"rejected", "The request was rejected."},
    {"released", "The request was released: its package is signed."},
};

static void flash(web_req *r)
{
    const char *done = web_query(r, "done");
    for (size_t i = 0; done && i < sizeof flashes / sizeof *flashes; i++)
        if (!strcmp(done, flashes[i][0]))
            h(r, "<div class=\"alert alert-success\" role=\"status\" id=\"flash\">%s</div>", flashes[i][1]);
    if (page_error_text) {
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", page_error_text);
        page_error_text = NULL;
    }
}

static int may(web_req *r, at_action action, const at_airlock_request *q)
{
    at_object o = {.project = q->project,
                   .user = q->author,
                   .checker = at_airlock_is_checker(web_airlock(r), r->actor.name)};
    return at_room_authorize(r->room, &r->actor, action, &o) == AT_ALLOW;
}

static void outcome_badge(web_req *r, at_check_outcome o, const char *id)
{
    const char *cls = o == AT_CHECK_FAIL     ? "bg-danger"
                      : o == AT_CHECK_REVIEW ? "bg-warning text-dark"
                                             : "bg-success";
    if (id)
        h(r, "<span class=\"badge %s\" id=\"%s\">%s</span>", cls, id, at_check_outcome_name(o));
    else
        h(r, "<span class=\"badge %s\">%s</span>", cls, at_check_outcome_name(o));
}

static void form_to(web_req *r, int64_t id, const char *what, const char *cls)
{
    char action[160];
    snprintf(action, sizeof action, "/airlock/requests/%lld/%s", (long long)id, what);
    page_form(r, action, cls);
}

static void files_section(web_req *r, const at_airlock_request *q, const at_airlock_file *files, size_t n,
                          int edit)
{
    h(r,
      "<h2 class=\"h5 mt-4\">Files</h2><table class=\"table table-sm align-middle\" id=\"files\"><thead><tr>"
      "<th scope=\"col\">Name</th><th scope=\"col\">Role</th><th scope=\"col\">Type</th><th "
      "scope=\"col\">Bytes"
      "</th><th scope=\"col\">sha256</th><th scope=\"col\">Checks</th><th "
      "scope=\"col\">Notes</th>%s</tr></thead>"
      "<tbody>",
      edit ? "<th scope=\"col\">Change</th>" : "");
    for (size_t i = 0; i < n; i++) {
        const at_airlock_file *f = &files[i];
        char link[128], id[AT_AIRLOCK_NAME_MAX + 16];
        snprintf(link, sizeof link, "/airlock/requests/%lld/files/%lld", (long long)q->id, (long long)f->id);
        snprintf(id, sizeof id, "outcome-%s", f->name);
        char short_sha[13];
        snprintf(short_sha, sizeof short_sha, "%.12s", f->sha256);
        h(r,
          "<tr><td><a href=\"%s\" id=\"view-%s\">%s</a></td><td>%s</td><td>%s</td><td>%lld</td>"
          "<td><code title=\"%s\">%s</code></td><td>",
          link, f->name, f->name, f->role, f->type, (long long)f->size, f->sha256, short_sha);
        outcome_badge(r, f->outcome, id);
        h(r, "%s%s</td><td>", f->hard ? " <span class=\"badge bg-dark\">hard</span>" : "",
          f->needs_dpo ? " <span class=\"badge bg-info text-dark\">DPO</span>" : "");
        if (f->transform[0])
            h(r, "<div>transformed: %s (version %d)</div>", f->transform, f->version);
        if (f->exception[0])
            h(r, "<div>exception asked: %s</div>", f->exception);
        if (f->justification[0])
            h(r, "<div class=\"text-muted\">%s</div>", f->justification);
        h(r, "</td>");
        if (edit) {
            char what[80];
            h(r, "<td>");
            snprintf(what, sizeof what, "files/%lld/remove", (long long)f->id);
            form_to(r, q->id, what, "d-inline");
            h(r,
              "<button class=\"btn btn-outline-danger btn-sm\" type=\"submit\" "
              "id=\"remove-%s\">Remove</button></form> ",
              f->name);
            if ((!strcmp(f->type, "csv") || !strcmp(f->type, "tsv")) && strcmp(f->transform, "round")) {
                snprintf(what, sizeof what, "files/%lld/round", (long long)f->id);
                form_to(r, q->id, what, "d-inline");
                h(r,
                  "<button class=\"btn btn-outline-primary btn-sm\" type=\"submit\" "
                  "id=\"round-%s\">Round</button>"
                  "</form> ",
                  f->name);
            }
            if (f->outcome == AT_CHECK_FAIL && !f->hard) {
                snprintf(what, sizeof what, "files/%lld/exception", (long long)f->id);
                form_to(r, q->id, what, "mt-1");
                h(r,
                  "<label class=\"form-label small\" for=\"exception-text-%s\">Why it must leave as it "
                  "is</label>"
                  "<textarea class=\"form-control form-control-sm\" id=\"exception-text-%s\" name=\"text\" "
                  "rows=\"2\">"
                  "%s</textarea><button class=\"btn btn-outline-secondary btn-sm mt-1\" type=\"submit\" "
                  "id=\"exception-%s\">Ask an exception</button></form>",
                  f->name, f->name, f->exception, f->name);
            }
            h(r, "</td>");
        }
        h(r, "</tr>");
    }
    if (!n)
        h(r, "<tr><td colspan=\"8\">No file yet.</td></tr>");
    h(r, "</tbody></table>");
}

static void add_form(web_req *r, const at_airlock_request *q)
{
    h(r,
      "<h2 class=\"h5 mt-4\">Add a file</h2><p class=\"small text-muted\">From a job of project %s that "
      "succeeded (a file of its result) or that ended (its log). The file is read, hashed and checked at "
      "once.</p>",
      q->project);
    form_to(r, q->id, "files", "row g-2 align-items-end");
    h(r,
      "<div class=\"col-md-2\"><label class=\"form-label\" for=\"add-source\">Source</label><select "
      "class=\"form-select\" "
      "id=\"add-source\" name=\"source\"><option value=\"result\">a job's result</option><option "
      "value=\"log\">a "
      "job's log</option></select></div>"
      "<div class=\"col-md-1\"><label class=\"form-label\" for=\"add-job\">Job</label><input "
      "class=\"form-control\" "
      "id=\"add-job\" name=\"id\" inputmode=\"numeric\" required></div>"
      "<div class=\"col-md-3\"><label class=\"form-label\" for=\"add-path\">Path in the result</label><input "
      "class=\"form-control\" id=\"add-path\" name=\"path\"></div>"
      "<div class=\"col-md-2\"><label class=\"form-label\" for=\"add-name\">Name in the "
      "package</label><input "
      "class=\"form-control\" id=\"add-name\" name=\"name\"></div>"
      "<div class=\"col-md-2\"><label class=\"form-label\" for=\"add-role\">Role</label><select "
      "class=\"form-select\" "
      "id=\"add-role\" name=\"role\"><option value=\"output\">output</option><option value=\"supporting\">"
      "supporting</option></select></div>"
      "<div class=\"col-md-10\"><label class=\"form-label\" for=\"add-justification\">Why it must "
      "leave</label>"
      "<input class=\"form-control\" id=\"add-justification\" name=\"justification\" "
      "maxlength=\"2000\"></div>"
      "<div class=\"col-md-2\"><button class=\"btn btn-primary\" type=\"submit\" "
      "id=\"add-file\">Add</button></div>"
      "</form>");
}

static void earlier_section(web_req *r, at_airlock *a, const at_airlock_request *q)
{
    at_airlock_filter f = {.project = q->project, .state = -1, .limit = 50};
    at_airlock_request *list = NULL;
    size_t n = 0;
    if (at_airlock_list(a, &f, &list, &n) != AT_OK) {
        at_error_clear();
        return;
    }
    h(r,
      "<h2 class=\"h5 mt-4\">Earlier requests of project %s</h2><p class=\"small text-muted\">What the "
      "project "
      "released before: a table that differs from a released one by a few rows can give back a small count "
      "(differencing).</p><table class=\"table table-sm\" id=\"earlier\"><thead><tr><th "
      "scope=\"col\">Request</th>"
      "<th scope=\"col\">Author</th><th scope=\"col\">State</th><th scope=\"col\">Released</th>"
      "<th scope=\"col\">Files</th></tr></thead><tbody>",
      q->project);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i].id == q->id)
            continue;
        shown++;
        char t[32], link[64];
        web_iso_time(list[i].released, t);
        snprintf(link, sizeof link, "/airlock/requests/%lld", (long long)list[i].id);
        h(r, "<tr><td><a href=\"%s\">#%lld</a> %s</td><td>%s</td><td>", link, (long long)list[i].id,
          list[i].title, list[i].author);
        ui_export_state_badge(r, list[i].state, NULL);
        h(r, "</td><td>%s</td><td>", t);
        at_airlock_file *files = NULL;
        size_t nf = 0;
        if (at_airlock_files(a, list[i].id, &files, &nf) == AT_OK)
            for (size_t k = 0; k < nf; k++) {
                char fl[128];
                snprintf(fl, sizeof fl, "/airlock/requests/%lld/files/%lld", (long long)list[i].id,
                         (long long)files[k].id);
                char short_sha[13];
                snprintf(short_sha, sizeof short_sha, "%.12s", files[k].sha256);
                h(r, "<div><a href=\"%s\">%s</a> <code>%s</code></div>", fl, files[k].name, short_sha);
            }
        at_error_clear();
        at_airlock_files_free(files, nf);
        h(r, "</td></tr>");
    }
    if (!shown)
        h(r, "<tr><td colspan=\"5\">None.</td></tr>");
    h(r, "</tbody></table>");
    at_free(list);
}

void ui_export(web_req *r)
{
    at_airlock *a = web_airlock(r);
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
        page_error(r, web_status_of(st), at_error_message());
        goto out;
    }
    char title[64], t[32];
    snprintf(title, sizeof title, "Export request #%lld", (long long)id);
    page_begin(r, title);
    flash(r);
    int author = !strcmp(q.author, r->actor.name);
    int edit =
        author && may(r, AT_ACT_EXPORT_EDIT, &q) &&
        (q.state == AT_AIRLOCK_DRAFT || q.state == AT_AIRLOCK_BLOCKED || q.state == AT_AIRLOCK_RETURNED);
    int reviewer = may(r, AT_ACT_EXPORT_REVIEW, &q);
    h(r,
      "<dl class=\"row\" id=\"summary\"><dt class=\"col-sm-2\">Title</dt><dd class=\"col-sm-10\" "
      "id=\"title\">%s</dd>"
      "<dt class=\"col-sm-2\">Project</dt><dd class=\"col-sm-10\">%s</dd><dt class=\"col-sm-2\">Author</dt>"
      "<dd class=\"col-sm-10\" id=\"author\">%s</dd><dt class=\"col-sm-2\">State</dt><dd "
      "class=\"col-sm-10\">",
      q.title, q.project, q.author);
    ui_export_state_badge(r, q.state, "state");
    h(r, " round %d</dd>", q.round);
    web_iso_time(q.created, t);
    h(r, "<dt class=\"col-sm-2\">Created</dt><dd class=\"col-sm-10\">%s</dd>", t);
    if (q.submitted) {
        web_iso_time(q.submitted, t);
        h(r, "<dt class=\"col-sm-2\">Submitted</dt><dd class=\"col-sm-10\">%s</dd>", t);
    }
    if (q.decided) {
        web_iso_time(q.decided, t);
        h(r, "<dt class=\"col-sm-2\">Decided</dt><dd class=\"col-sm-10\">%s</dd>", t);
    }
    if (q.released) {
        web_iso_time(q.released, t);
        h(r,
          "<dt class=\"col-sm-2\">Released</dt><dd class=\"col-sm-10\">%s; sha256 of manifest.json <code "
          "id=\"manifest-sha256\">%s</code></dd>",
          t, q.package_sha256);
    }
    h(r, "</dl>");
    if (q.state == AT_AIRLOCK_BLOCKED)
        h(r, "<div class=\"alert alert-warning\" role=\"status\">A file fails the automated checks: fix it "
             "(round a "
             "table, replace or remove a file) or, for a check that allows it, say why it must leave as it "
             "is; then "
             "submit again.</div>");
    files_section(r, &q, files, nf, edit);
    if (edit) {
        add_form(r, &q);
        form_to(r, id, "submit", "mt-3 d-inline");
        h(r,
          "<button class=\"btn btn-success\" type=\"submit\" id=\"submit-request\"%s>Submit for "
          "review</button></form> ",
          nf ? "" : " disabled");
    }
    if (author && q.state == AT_AIRLOCK_APPROVED && may(r, AT_ACT_EXPORT_EDIT, &q)) {
        form_to(r, id, "release", "mt-3 d-inline");
        h(r, "<button class=\"btn btn-success\" type=\"submit\" id=\"release\">Release: sign the "
             "package</button></form> ");
    }
    if (author && q.state == AT_AIRLOCK_RELEASED && may(r, AT_ACT_EXPORT_DOWNLOAD, &q)) {
        char pkg[80];
        snprintf(pkg, sizeof pkg, "/airlock/requests/%lld/package", (long long)id);
        h(r,
          "<p class=\"mt-3\"><a class=\"btn btn-primary\" href=\"%s\" id=\"download\" download>Download the "
          "package"
          "</a> <span class=\"small text-muted\">check it anywhere with <code>atelier airlock verify "
          "export-%lld.tar</code></span></p>",
          pkg, (long long)id);
    }
    if (author && may(r, AT_ACT_EXPORT_EDIT, &q) && q.state != AT_AIRLOCK_RELEASED &&
        q.state != AT_AIRLOCK_REJECTED && q.state != AT_AIRLOCK_WITHDRAWN) {
        form_to(r, id, "withdraw", "mt-3 d-inline");
        h(r, "<button class=\"btn btn-outline-danger\" type=\"submit\" "
             "id=\"withdraw\">Withdraw</button></form>");
    }
    if (reviewer && q.state == AT_AIRLOCK_IN_REVIEW) {
        h(r, "<h2 class=\"h5 mt-4\">Your review</h2><p>Open each file, vote approve or changes, then hand in "
             "your "
             "review. The other reviewers do not see your votes until the request is decided.</p><ul "
             "id=\"my-votes\">");
        for (size_t i = 0; i < nf; i++) {
            const char *mine = "undecided";
            for (size_t k = 0; k < nv; k++)
                if (votes[k].file_id == files[i].id && !strcmp(votes[k].reviewer, r->actor.name))
                    mine = at_airlock_vote_name(votes[k].vote);
            char link[128];
            snprintf(link, sizeof link, "/airlock/requests/%lld/files/%lld", (long long)id,
                     (long long)files[i].id);
            h(r, "<li><a href=\"%s\">%s</a>: <span id=\"my-vote-%s\">%s</span></li>", link, files[i].name,
              files[i].name, mine);
        }
        h(r, "</ul>");
        form_to(r, id, "review", "d-inline");
        h(r, "<button class=\"btn btn-success\" type=\"submit\" id=\"hand-in\">Hand in my "
             "review</button></form>");
        form_to(r, id, "reject", "mt-2");
        h(r,
          "<label class=\"form-label\" for=\"reject-reason\">Or reject the request, saying why</label><input "
          "class=\"form-control\" id=\"reject-reason\" name=\"reason\" maxlength=\"2000\"><button "
          "class=\"btn "
          "btn-outline-danger mt-1\" type=\"submit\" id=\"reject\">Reject</button></form>");
    }
    h(r, "<h2 class=\"h5 mt-4\">Reviews</h2><table class=\"table table-sm\" id=\"reviews\"><thead><tr><th "
         "scope=\"col\">"
         "Reviewer</th><th scope=\"col\">DPO</th><th scope=\"col\">This round</th></tr></thead><tbody>");
    for (size_t i = 0; i < nr; i++)
        h(r, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>", reviews[i].reviewer, reviews[i].dpo ? "yes" : "",
          reviews[i].submitted && reviews[i].round == q.round ? "handed in" : "voting");
    if (!nr)
        h(r, "<tr><td colspan=\"3\">No reviewer yet.</td></tr>");
    h(r, "</tbody></table>");
    if (nv) {
        h(r,
          "<h2 class=\"h5\">Votes</h2><table class=\"table table-sm\" id=\"votes\"><thead><tr><th "
          "scope=\"col\">File"
          "</th><th scope=\"col\">Reviewer</th><th scope=\"col\">Vote</th><th scope=\"col\">Comment</th></tr>"
          "</thead><tbody>");
        for (size_t k = 0; k < nv; k++) {
            const char *fname = "?";
            for (size_t i = 0; i < nf; i++)
                if (files[i].id == votes[k].file_id)
                    fname = files[i].name;
            h(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", fname, votes[k].reviewer,
              at_airlock_vote_name(votes[k].vote), votes[k].comment);
        }
        h(r, "</tbody></table>");
    }
    if (reviewer)
        earlier_section(r, a, &q);
    h(r, "<h2 class=\"h5 mt-4\">Discussion and history</h2><ol class=\"list-group list-group-numbered mb-3\" "
         "id=\"history\">");
    for (size_t i = 0; i < ne; i++) {
        web_iso_time(events[i].time, t);
        const char *fname = "";
        for (size_t k = 0; k < nf && events[i].file_id; k++)
            if (files[k].id == events[i].file_id)
                fname = files[k].name;
        h(r,
          "<li class=\"list-group-item\"><small class=\"text-muted\">%s</small> <strong>%s</strong> %s%s%s",
          t, events[i].actor, events[i].what, fname[0] ? " " : "", fname);
        if (events[i].text[0] && strcmp(events[i].text, fname))
            h(r, ": <span class=\"event-text\">%s</span>", events[i].text);
        h(r, "</li>");
    }
    h(r, "</ol>");
    form_to(r, id, "comments", "mb-4");
    h(r, "<label class=\"form-label\" for=\"comment-text\">A comment</label><textarea class=\"form-control\" "
         "id=\"comment-text\" name=\"text\" rows=\"2\" maxlength=\"2000\" required></textarea><button "
         "class=\"btn "
         "btn-outline-primary mt-1\" type=\"submit\" id=\"comment\">Comment</button></form>");
    page_end(r);
    char object[40];
    snprintf(object, sizeof object, "export:%lld", (long long)id);
    at_room_audit(r->room, r->actor.name, "export.view", object, NULL);
out:
    at_airlock_files_free(files, nf);
    at_free(votes);
    at_free(reviews);
    at_free(events);
}

/* After a form: back to the request's page with a message, or the page
 * again with the error. */
static void after(web_req *r, at_status st, const char *done)
{
    if (st) {
        static _Thread_local char msg[512];
        snprintf(msg, sizeof msg, "%s", at_error_message());
        at_error_clear();
        page_error_text = msg;
        at_buf_reset(&r->out);
        r->status = web_status_of(st);
        ui_export(r);
        return;
    }
    char loc[96];
    snprintf(loc, sizeof loc, "/airlock/requests/%lld?done=%s", (long long)web_id_param(r, "request"), done);
    web_redirect(r, loc);
}

void ui_export_add(web_req *r)
{
    at_airlock_add_spec sp = {.kind = web_field(r, "source"),
                              .id = web_field(r, "id"),
                              .path = web_field(r, "path"),
                              .name = web_field(r, "name"),
                              .role = web_field(r, "role"),
                              .justification = web_field(r, "justification")};
    int64_t fid;
    after(r, at_airlock_add(web_airlock(r), r->actor.name, web_id_param(r, "request"), &sp, &fid), "added");
}

void ui_export_remove(web_req *r)
{
    after(
        r,
        at_airlock_remove(web_airlock(r), r->actor.name, web_id_param(r, "request"), web_id_param(r, "file")),
        "removed");
}

void ui_export_replace(web_req *r)
{
    at_airlock_add_spec sp = {
        .kind = web_field(r, "source"), .id = web_field(r, "id"), .path = web_field(r, "path")};
    after(r,
          at_airlock_replace(web_airlock(r), r->actor.name, web_id_param(r, "request"),
                             web_id_param(r, "file"), &sp),
          "replaced");
}

void ui_export_exception(web_req *r)
{
    after(r,
          at_airlock_set_exception(web_airlock(r), r->actor.name, web_id_param(r, "request"),
                                   web_id_param(r, "file"), web_field(r, "text")),
          "exception");
}

void ui_export_round(web_req *r)
{
    after(r,
          at_airlock_transform(web_airlock(r), r->actor.name, web_id_param(r, "request"),
                               web_id_param(r, "file"), "round"),
          "rounded");
}

void ui_export_submit(web_req *r)
{
    at_airlock_state s;
    after(r, at_airlock_submit(web_airlock(r), r->actor.name, web_id_param(r, "request"), &s), "submitted");
}

void ui_export_withdraw(web_req *r)
{
    after(r, at_airlock_withdraw(web_airlock(r), r->actor.name, web_id_param(r, "request")), "withdrawn");
}

void ui_export_comment(web_req *r)
{
    const char *file = web_field(r, "file");
    after(r,
          at_airlock_comment(web_airlock(r), r->actor.name, web_id_param(r, "request"),
                             file ? atoll(file) : 0, web_field(r, "text")),
          "commented");
}

void ui_export_review(web_req *r)
{
    at_airlock_state s;
    after(r, at_airlock_review_submit(web_airlock(r), r->actor.name, web_id_param(r, "request"), &s),
          "reviewed");
}

void ui_export_reject(web_req *r)
{
    after(
        r,
        at_airlock_reject(web_airlock(r), r->actor.name, web_id_param(r, "request"), web_field(r, "reason")),
        "rejected");
}

void ui_export_release(web_req *r)
{
    after(r, at_airlock_release(web_airlock(r), r->actor.name, web_id_param(r, "request")), "released");
}

void ui_export_package(web_req *r)
{
    at_status st = web_export_package(r);
    if (st)
        page_error(r, web_status_of(st), at_error_message());
}

void ui_export_vote(web_req *r)
{
    int v = at_airlock_vote_parse(web_field(r, "vote"));
    at_status st =
        v < 0 ? at_error_set(AT_ERR_ARG, "a vote is approve, changes or undecided")
              : at_airlock_vote(web_airlock(r), r->actor.name, web_id_param(r, "request"),
                                web_id_param(r, "file"), (at_airlock_vote_value)v, web_field(r, "comment"));
    if (st) {
        after(r, st, NULL);
        return;
    }
    char loc[128];
    snprintf(loc, sizeof loc, "/airlock/requests/%lld/files/%lld?done=voted",
             (long long)web_id_param(r, "request"), (long long)web_id_param(r, "file"));
    web_redirect(r, loc);
}
