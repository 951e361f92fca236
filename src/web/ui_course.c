/* The classroom's pages: my courses (and the teacher's form to create
 * one), a course's page (the teacher's and assistants' view: students and
 * their usage, data, assignments, grades; the student's view: assignments,
 * quotas), an assignment's page (leaderboard, my submissions and scores,
 * the submission form), and the printable enrolment sheet. */
#include "internal.h"

#include "atelier/classroom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

at_classroom *web_need_classroom(web_req *r);
time_t web_course_time_parse(const char *text);
at_status web_assignment_spec(web_req *r, at_assignment_spec *s);
void web_submission_config(web_req *r, at_submission_config *cfg);

static void when(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

static void num(double v, char out[32])
{
    if (isfinite(v))
        snprintf(out, 32, "%.4f", v);
    else
        snprintf(out, 32, "–");
}

static void hours(double v, char out[32])
{
    snprintf(out, 32, "%.2f", v);
}

static void error_box(web_req *r, const char *error)
{
    if (error)
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", error);
}

/* ---- my courses ---- */

void ui_courses(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_course *v = NULL;
    size_t n = 0;
    at_status st = at_course_list(c, r->actor.name, &v, &n);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    page_begin(r, "Courses");
    page_flash(r);
    if (!n)
        h(r, "<p id=\"no-courses\">You are in no course.</p>");
    else {
        h(r, "<table class=\"table\" id=\"courses\"><thead><tr><th scope=\"col\">Course</th><th "
             "scope=\"col\">Title</th>"
             "<th scope=\"col\">Teacher</th><th scope=\"col\">My role</th></tr></thead><tbody>");
        for (size_t i = 0; i < n; i++)
            h(r,
              "<tr><td><a href=\"/courses/%s\" "
              "id=\"course-%s\">%s</a></td><td>%s</td><td>%s</td><td>%s</td></tr>",
              v[i].name, v[i].name, v[i].name, v[i].title, v[i].teacher, v[i].my_role);
        h(r, "</tbody></table>");
    }
    if (r->actor.roles & AT_ROLE_TEACHER) {
        h(r, "<h2 class=\"h5 mt-4\">Create a course</h2>");
        page_form(r, "/courses", "row g-2 col-md-8");
        h(r, "<div class=\"col-md-4\"><label for=\"course-name\" class=\"form-label\">Name (a short "
             "identifier)</label>"
             "<input class=\"form-control\" id=\"course-name\" name=\"name\" required "
             "pattern=\"[A-Za-z0-9][A-Za-z0-9._-]*\" "
             "maxlength=\"55\"></div>"
             "<div class=\"col-md-8\"><label for=\"course-title\" class=\"form-label\">Title</label>"
             "<input class=\"form-control\" id=\"course-title\" name=\"title\"></div>"
             "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" "
             "id=\"create-course\">Create the "
             "course</button></div></form>");
        h(r, "<p class=\"text-muted mt-2\">A course accepts synthetic data only. Its hidden test splits live "
             "in a "
             "second project, NAME.grading, that only you and your assistants belong to.</p>");
    }
    page_end(r);
    at_free(v);
}

void ui_course_create(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *name = web_field(r, "name");
    at_status st = at_course_create(c, r->actor.name, name ? name : "", web_field(r, "title"));
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char loc[160];
    snprintf(loc, sizeof loc, "/courses/%s?done=created", name);
    web_redirect(r, loc);
}

/* ---- a course ---- */

static void staff_view(web_req *r, at_classroom *c, const at_course *co, const at_assignment *as, size_t na)
{
    const char *name = co->name;
    int teacher = !strcmp(co->teacher, r->actor.name);
    char action[200], a[32], b[32];
    /* students and usage */
    at_course_person *p = NULL;
    size_t np = 0;
    at_course_people(c, name, &p, &np);
    size_t students = 0;
    for (size_t i = 0; i < np; i++)
        students += !strcmp(p[i].role, "student");
    h(r,
      "<h2 class=\"h5\">People and usage <span class=\"badge bg-secondary\" id=\"student-count\">%zu "
      "students</span></h2>",
      students);
    hours(co->core_hours, a);
    h(r,
      "<p>Per student: <span id=\"quota-core\">%s</span> core-hours a week (0: no limit), %d concurrent jobs "
      "(0: no limit).</p>",
      a, co->concurrent);
    h(r, "<table class=\"table table-sm\" id=\"people\"><thead><tr><th scope=\"col\">Login</th><th "
         "scope=\"col\">Name</th>"
         "<th scope=\"col\">E-mail</th><th scope=\"col\">Role</th><th scope=\"col\">Core-hours (7 days)</th>"
         "<th scope=\"col\">GPU-hours</th><th scope=\"col\">Active jobs</th></tr></thead><tbody>");
    for (size_t i = 0; i < np; i++) {
        hours(p[i].core_hours, a);
        hours(p[i].gpu_hours, b);
        h(r,
          "<tr "
          "id=\"person-%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></"
          "tr>",
          p[i].login, p[i].login, p[i].name, p[i].email, p[i].role, a, b, p[i].active);
    }
    h(r, "</tbody></table>");
    at_free(p);
    /* enrolment */
    snprintf(action, sizeof action, "/courses/%s/students", name);
    h(r, "<h2 class=\"h5 mt-4\">Enrol students from a CSV</h2>");
    page_form(r, action, "mb-3");
    h(r, "<label for=\"csv\" class=\"form-label\">CSV with a header: name, and email or login (',' or ';'; "
         "up to 4 KiB "
         "here, more with <code>atelier course enrol</code>)</label>"
         "<textarea class=\"form-control font-monospace\" id=\"csv\" name=\"csv\" rows=\"6\" required "
         "placeholder=\"name,email\nAlice Martin,alice.martin@univ.example\"></textarea>"
         "<button type=\"submit\" class=\"btn btn-primary mt-2\" id=\"enrol\">Enrol and print the "
         "sheet</button></form>");
    if (teacher) {
        snprintf(action, sizeof action, "/courses/%s/tas", name);
        h(r, "<h2 class=\"h5 mt-4\">Add a teaching assistant</h2>");
        page_form(r, action, "row g-2 col-md-8 mb-3");
        h(r, "<div class=\"col-md-6\"><label for=\"ta-user\" class=\"form-label\">User name</label>"
             "<input class=\"form-control\" id=\"ta-user\" name=\"user\" required></div>"
             "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-outline-primary\" "
             "id=\"add-ta\">Add</button>"
             "</div></form>");
        snprintf(action, sizeof action, "/courses/%s/quota", name);
        h(r, "<h2 class=\"h5 mt-4\">Quotas per student</h2>");
        page_form(r, action, "row g-2 col-md-10 mb-3");
        hours(co->core_hours, a);
        hours(co->gpu_hours, b);
        h(r,
          "<div class=\"col-md-3\"><label for=\"q-core\" class=\"form-label\">Core-hours a week</label>"
          "<input class=\"form-control\" id=\"q-core\" name=\"core_hours\" value=\"%s\"></div>"
          "<div class=\"col-md-3\"><label for=\"q-gpu\" class=\"form-label\">GPU-hours a week</label>"
          "<input class=\"form-control\" id=\"q-gpu\" name=\"gpu_hours\" value=\"%s\"></div>"
          "<div class=\"col-md-3\"><label for=\"q-conc\" class=\"form-label\">Concurrent jobs</label>"
          "<input class=\"form-control\" id=\"q-conc\" name=\"concurrent\" value=\"%d\"></div>"
          "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-outline-primary\" "
          "id=\"save-quota\">Save"
          "</button></div></form>",
          a, b, co->concurrent);
    }
    /* data */
    at_course_data *d = NULL;
    size_t nd = 0;
    at_course_data_list(c, name, &d, &nd);
    h(r, "<h2 class=\"h5 mt-4\">Course data (synthetic)</h2><table class=\"table table-sm\" "
         "id=\"data\"><thead><tr>"
         "<th scope=\"col\">Name</th><th scope=\"col\">Kind</th><th scope=\"col\">Patients</th><th "
         "scope=\"col\">Seed</th>"
         "<th scope=\"col\">Snapshot</th></tr></thead><tbody>");
    for (size_t i = 0; i < nd; i++) {
        char snap[16];
        snprintf(snap, sizeof snap, "%.12s", d[i].snapshot);
        h(r, "<tr id=\"data-%s\"><td>%s</td><td>%s</td><td>%d</td><td>%lld</td><td><code>%s</code></td></tr>",
          d[i].name, d[i].name, d[i].kind, d[i].patients, (long long)d[i].seed, snap);
    }
    h(r, "</tbody></table>");
    snprintf(action, sizeof action, "/courses/%s/data", name);
    page_form(r, action, "row g-2 col-md-10 mb-3");
    h(r, "<div class=\"col-md-3\"><label for=\"gen-kind\" class=\"form-label\">Cohort</label>"
         "<select class=\"form-select\" id=\"gen-kind\" name=\"kind\"><option value=\"chemo\">chemotherapy "
         "cycles with "
         "notes</option><option value=\"notes\">annotated notes (de-identification)</option><option "
         "value=\"headct\">head pseudo-CT phantoms</option></select></div>"
         "<div class=\"col-md-3\"><label for=\"gen-name\" class=\"form-label\">Name</label>"
         "<input class=\"form-control\" id=\"gen-name\" name=\"name\" required value=\"cohort\"></div>"
         "<div class=\"col-md-2\"><label for=\"gen-patients\" class=\"form-label\">Patients</label>"
         "<input class=\"form-control\" id=\"gen-patients\" name=\"patients\" value=\"200\"></div>"
         "<div class=\"col-md-2\"><label for=\"gen-seed\" class=\"form-label\">Seed</label>"
         "<input class=\"form-control\" id=\"gen-seed\" name=\"seed\" value=\"1\"></div>"
         "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-outline-primary\" "
         "id=\"generate\">Generate"
         "</button></div></form>");
    /* assignments */
    h(r,
      "<h2 class=\"h5 mt-4\">Assignments</h2><table class=\"table table-sm\" id=\"assignments\"><thead><tr>"
      "<th scope=\"col\">Assignment</th><th scope=\"col\">Task</th><th scope=\"col\">Data</th>"
      "<th scope=\"col\">Deadline</th><th scope=\"col\">Per day</th><th "
      "scope=\"col\">Rule</th></tr></thead><tbody>");
    for (size_t i = 0; i < na; i++) {
        when(as[i].deadline, a);
        h(r,
          "<tr><td><a href=\"/courses/%s/assignments/%s\" "
          "id=\"assignment-%s\">%s</a></td><td>%s</td><td>%s</td>"
          "<td>%s</td><td>%d</td><td>%s</td></tr>",
          name, as[i].name, as[i].name, as[i].name, as[i].task, as[i].data, a, as[i].per_day, as[i].rule);
    }
    h(r, "</tbody></table>");
    snprintf(action, sizeof action, "/courses/%s/assignments", name);
    page_form(r, action, "row g-2 col-md-12 mb-3");
    h(r,
      "<div class=\"col-md-2\"><label for=\"as-name\" class=\"form-label\">Name</label>"
      "<input class=\"form-control\" id=\"as-name\" name=\"name\" required></div>"
      "<div class=\"col-md-3\"><label for=\"as-title\" class=\"form-label\">Title</label>"
      "<input class=\"form-control\" id=\"as-title\" name=\"title\"></div>"
      "<div class=\"col-md-2\"><label for=\"as-task\" class=\"form-label\">Task</label>"
      "<select class=\"form-select\" id=\"as-task\" name=\"task\"><option value=\"risk-auroc\">risk "
      "AUROC</option>"
      "<option value=\"deid-f1\">de-identification F1</option><option value=\"sct-mae\">pseudo-CT "
      "MAE</option>"
      "</select></div>"
      "<div class=\"col-md-2\"><label for=\"as-data\" class=\"form-label\">Data</label>"
      "<input class=\"form-control\" id=\"as-data\" name=\"data\" required value=\"cohort\"></div>"
      "<div class=\"col-md-3\"><label for=\"as-deadline\" class=\"form-label\">Deadline (UTC)</label>"
      "<input class=\"form-control\" id=\"as-deadline\" name=\"deadline\" type=\"datetime-local\" "
      "required></div>"
      "<div class=\"col-md-2\"><label for=\"as-per-day\" class=\"form-label\">Submissions a day</label>"
      "<input class=\"form-control\" id=\"as-per-day\" name=\"per_day\" value=\"3\"></div>"
      "<div class=\"col-md-2\"><label for=\"as-rule\" class=\"form-label\">Grade by</label>"
      "<select class=\"form-select\" id=\"as-rule\" name=\"rule\"><option>best</option><option>last</option>"
      "</select></div>"
      "<div class=\"col-md-2\"><label for=\"as-test\" class=\"form-label\">Hidden fraction</label>"
      "<input class=\"form-control\" id=\"as-test\" name=\"test_fraction\" value=\"0.3\"></div>"
      "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" id=\"publish\">Publish the "
      "assignment</button></div></form>");
    h(r,
      "<p><a class=\"btn btn-outline-secondary\" href=\"/courses/%s/grades.csv\" id=\"grades\">Download the "
      "grades "
      "(CSV)</a></p>",
      name);
    at_free(d);
}

static void quota_box(web_req *r, const at_course_quota *q, int day)
{
    char used[32], lim[32], left[32];
    hours(q->core_hours_used, used);
    hours(q->core_hours_limit, lim);
    hours(q->core_hours_limit > 0 ? fmax(0, q->core_hours_limit - q->core_hours_used) : 0, left);
    h(r,
      "<div class=\"card mb-3\" id=\"my-quota\"><div class=\"card-body\"><h2 class=\"h6\">My quota in this "
      "course</h2>"
      "<ul class=\"mb-0\"><li>Core-hours this week: <span id=\"core-used\">%s</span> used or reserved",
      used);
    if (q->core_hours_limit > 0)
        h(r, " of %s; <strong id=\"core-left\">%s</strong> left", lim, left);
    if (q->gpu_hours_limit > 0) {
        hours(q->gpu_hours_used, used);
        hours(q->gpu_hours_limit, lim);
        hours(fmax(0, q->gpu_hours_limit - q->gpu_hours_used), left);
        h(r,
          "</li><li>GPU-hours this week: %s used or reserved of %s; <strong id=\"gpu-left\">%s</strong> left",
          used, lim, left);
    }
    h(r, "</li><li>Jobs running or waiting: <span id=\"active\">%d</span>", q->active);
    if (q->concurrent_limit > 0)
        h(r, " of %d at once", q->concurrent_limit);
    h(r, "</li>");
    if (day)
        h(r,
          "<li>Submissions today: <span id=\"used-today\">%d</span> of %d; <strong "
          "id=\"remaining\">%d</strong> "
          "remaining</li>",
          q->used_today, q->per_day, q->remaining_today);
    h(r, "</ul></div></div>");
}

static void course_page(web_req *r, const char *error)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *name = web_param(r, "project");
    at_course co;
    at_assignment *as = NULL;
    size_t na = 0;
    at_status st = at_course_get(c, name, &co);
    if (!st)
        st = at_assignment_list(c, name, &as, &na);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    at_object o = {.project = name};
    int staff = at_room_authorize(r->room, &r->actor, AT_ACT_COURSE_TEACH, &o) == AT_ALLOW;
    page_begin(r, co.name);
    page_flash(r);
    error_box(r, error);
    h(r, "<p class=\"lead\" id=\"title\">%s</p><p>Teacher: %s</p>", co.title, co.teacher);
    if (staff) {
        staff_view(r, c, &co, as, na);
    } else {
        at_course_quota q;
        if (at_course_quota_of(c, name, NULL, r->actor.name, &q) == AT_OK)
            quota_box(r, &q, 0);
        h(r, "<h2 class=\"h5\">Assignments</h2><ul id=\"assignments\">");
        for (size_t i = 0; i < na; i++) {
            char d[32];
            when(as[i].deadline, d);
            h(r,
              "<li><a href=\"/courses/%s/assignments/%s\" id=\"assignment-%s\">%s</a>: %s (deadline "
              "%s%s)</li>",
              name, as[i].name, as[i].name, as[i].name, as[i].title, d,
              at_room_now() >= as[i].deadline ? ", closed" : "");
        }
        h(r, "</ul>");
    }
    page_end(r);
    at_free(as);
}

void ui_course(web_req *r)
{
    course_page(r, NULL);
}

static void after(web_req *r, at_status st, const char *done)
{
    if (st) {
        r->status = web_status_of(st);
        course_page(r, at_error_message());
        return;
    }
    char loc[200];
    snprintf(loc, sizeof loc, "/courses/%s?done=%s", web_param(r, "project"), done);
    web_redirect(r, loc);
}

void ui_course_ta(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (c)
        after(r,
              at_course_ta_add(c, r->actor.name, web_param(r, "project"),
                               web_field(r, "user") ? web_field(r, "user") : ""),
              "saved");
}

void ui_course_quota(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *f[3] = {web_field(r, "core_hours"), web_field(r, "gpu_hours"), web_field(r, "concurrent")};
    double v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++)
        v[i] = f[i] && *f[i] ? strtod(f[i], NULL) : 0;
    after(r, at_course_quota_set(c, r->actor.name, web_param(r, "project"), v[0], v[1], (int)v[2]), "saved");
}

void ui_course_students(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *csv = web_field(r, "csv");
    at_course_student *s = NULL;
    size_t n = 0;
    at_course co;
    at_status st = at_course_get(c, web_param(r, "project"), &co);
    if (!st)
        st = at_course_enrol_csv(c, r->actor.name, co.name, csv ? csv : "", csv ? strlen(csv) : 0, &s, &n);
    if (st) {
        after(r, st, NULL);
        return;
    }
    /* the sheet is this answer: the passwords exist nowhere else */
    const char *host = web_header(r, "Host");
    char server[300];
    snprintf(server, sizeof server, "%s://%s", r->https ? "https" : "http", host ? host : "");
    at_buf b;
    at_buf_init(&b, WEB_OUT_MAX);
    st = at_course_sheet_html(&co, s, n, host ? server : NULL, &b);
    for (size_t i = 0; i < n; i++)
        memset(s[i].password, 0, sizeof s[i].password);
    at_free(s);
    if (st) {
        at_buf_free(&b);
        page_error(r, 500, at_error_message());
        return;
    }
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
    if (at_buf_append(&r->out, b.data, b.len))
        r->out_error = 1;
    at_buf_free(&b);
}

void ui_course_data(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *p = web_field(r, "patients"), *s = web_field(r, "seed"), *k = web_field(r, "kind"),
               *n = web_field(r, "name");
    after(r,
          at_course_generate(c, r->actor.name, web_param(r, "project"), k ? k : "chemo", n ? n : "",
                             p && *p ? atoi(p) : 200, s && *s ? atoll(s) : 1),
          "created");
}

void ui_course_assignment_create(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_assignment_spec s;
    at_status st = web_assignment_spec(r, &s);
    if (!st)
        st = at_assignment_create(c, r->actor.name, web_param(r, "project"), &s);
    after(r, st, "created");
}

/* ---- an assignment ---- */

static void assignment_page(web_req *r, const char *error)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *course = web_param(r, "project"), *name = web_param(r, "assignment");
    at_assignment a;
    at_status st = at_assignment_get(c, course, name, &a);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    at_object o = {.project = course};
    int staff = at_room_authorize(r->room, &r->actor, AT_ACT_COURSE_TEACH, &o) == AT_ALLOW;
    int closed = at_room_now() >= a.deadline, final = 0;
    at_leader *lb = NULL;
    at_submission *subs = NULL;
    size_t nl = 0, ns = 0;
    at_leaderboard(c, course, name, &lb, &nl, &final);
    at_submission_list(c, course, name, staff ? NULL : r->actor.name, &subs, &ns);
    char title[160], d[32], x[32], y[32];
    snprintf(title, sizeof title, "%s: %s", course, a.name);
    page_begin(r, title);
    if (web_query(r, "submitted"))
        h(r, "<div class=\"alert alert-success\" role=\"status\" id=\"submitted\">Submitted: it is trained, "
             "then "
             "scored on the hidden split. This page shows its score when it is ready.</div>");
    error_box(r, error);
    when(a.deadline, d);
    int deid = !strcmp(a.task, "deid-f1"), sct = !strcmp(a.task, "sct-mae");
    if (sct)
        h(r,
          "<p class=\"lead\">%s</p><p>Task: <strong>%s</strong> (the mean absolute error in HU of your "
          "pseudo-CT inside the body, on patients you never see: lower is better). Training data: the "
          "dataset "
          "<code>%s</code> of the course (%d prepared patients: <code>/data/train/</code> in your jobs). "
          "Deadline: "
          "<strong id=\"deadline\">%s</strong>%s. Grading: the %s submission.</p>",
          a.title, a.task, a.train_dataset, a.train_rows, d, closed ? " (closed)" : "", a.rule);
    else if (deid)
        h(r,
          "<p class=\"lead\">%s</p><p>Task: <strong>%s</strong> (the token-level F1 of your de-identifier's "
          "redactions on annotated notes you never see). Training data: the dataset <code>%s</code> of the "
          "course "
          "(%d notes in BRAT standoff: <code>/data/train/</code> in your jobs). Deadline: <strong "
          "id=\"deadline\">%s</strong>%s. Grading: the %s submission.</p>",
          a.title, a.task, a.train_dataset, a.train_rows, d, closed ? " (closed)" : "", a.rule);
    else
        h(r,
          "<p class=\"lead\">%s</p><p>Task: <strong>%s</strong> (the area under the ROC curve of your "
          "model's "
          "risk of re-hospitalisation, on patients you never see). Training data: the dataset "
          "<code>%s</code> of "
          "the course (%d rows: <code>/data/train/train.csv</code> in your jobs). Deadline: <strong "
          "id=\"deadline\">%s</strong>%s. Grading: the %s submission.</p>",
          a.title, a.task, a.train_dataset, a.train_rows, d, closed ? " (closed)" : "", a.rule);
    if (!staff) {
        at_course_quota q;
        if (at_course_quota_of(c, course, name, r->actor.name, &q) == AT_OK)
            quota_box(r, &q, 1);
        if (!closed) {
            char action[240];
            snprintf(action, sizeof action, "/courses/%s/assignments/%s/submissions", course, name);
            h(r, "<h2 class=\"h5\">Submit</h2>");
            page_form(r, action, "row g-2 col-md-10 mb-4");
            if (deid || sct)
                h(r, "<input type=\"hidden\" name=\"kind\" value=\"pipeline\">"
                     "<div class=\"col-md-3\"><label for=\"sub-epochs\" class=\"form-label\">Training "
                     "epochs</label><input class=\"form-control\" id=\"sub-epochs\" name=\"epochs\" "
                     "value=\"3\"></div>"
                     "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" "
                     "id=\"submit\">Submit"
                     "</button></div></form>");
            else
                h(r, "<input type=\"hidden\" name=\"kind\" value=\"pipeline\">"
                     "<div class=\"col-md-3\"><label for=\"sub-c\" class=\"form-label\">Regularisation C (0: "
                     "chosen by "
                     "cross-validation)</label><input class=\"form-control\" id=\"sub-c\" name=\"C\" "
                     "value=\"0\"></div>"
                     "<div class=\"col-md-3 form-check mt-4\"><input class=\"form-check-input\" "
                     "type=\"checkbox\" id=\"sub-l1\" "
                     "name=\"l1\" value=\"1\"><label class=\"form-check-label\" for=\"sub-l1\">L1 "
                     "penalty</label></div>"
                     "<div class=\"col-md-3 form-check mt-4\"><input class=\"form-check-input\" "
                     "type=\"checkbox\" "
                     "id=\"sub-xgb\" name=\"xgboost\" value=\"1\"><label class=\"form-check-label\" "
                     "for=\"sub-xgb\">Gradient "
                     "boosting</label></div>"
                     "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" "
                     "id=\"submit\">Submit</button>"
                     "</div></form>");
            h(r,
              "<p class=\"text-muted\">Your own code instead: <code>atelier code push DIR --project "
              "%s</code>, then "
              "<code>atelier course submit %s %s --command 'python3 train.py'</code> (it writes "
              "<code>/out/model.bin</code>).</p>",
              course, course, name);
        }
    }
    h(r,
      "<h2 class=\"h5\">Leaderboard <small class=\"text-muted\" id=\"board-kind\">(%s score%s)</small></h2>",
      final ? "final" : "public", final ? ", on all the hidden split" : ", on part of the hidden split");
    h(r,
      "<table class=\"table table-sm\" id=\"leaderboard\"><thead><tr><th scope=\"col\">Rank</th><th "
      "scope=\"col\">"
      "Student</th><th scope=\"col\">%s</th><th scope=\"col\">Submissions</th></tr></thead><tbody>",
      deid  ? "F1"
      : sct ? "MAE (HU)"
            : "AUROC");
    for (size_t i = 0; i < nl; i++) {
        num(lb[i].score, x);
        h(r, "<tr%s><td>%zu</td><td>%s</td><td>%s</td><td>%d</td></tr>",
          strcmp(lb[i].user, r->actor.name) ? "" : " class=\"table-info\"", i + 1, lb[i].user, x,
          lb[i].submissions);
    }
    h(r, "</tbody></table>");
    h(r,
      "<h2 class=\"h5\">%s</h2><table class=\"table table-sm\" id=\"submissions\"><thead><tr><th "
      "scope=\"col\">#"
      "</th>%s<th scope=\"col\">Submitted</th><th scope=\"col\">State</th><th scope=\"col\">Public score</th>"
      "<th scope=\"col\">Final score</th>%s</tr></thead><tbody>",
      staff ? "Submissions" : "My submissions", staff ? "<th scope=\"col\">Student</th>" : "",
      staff ? "<th scope=\"col\">Configuration</th>" : "");
    for (size_t i = 0; i < ns; i++) {
        when(subs[i].submitted, d);
        num(subs[i].has_score ? subs[i].public_score : NAN, x);
        num(subs[i].has_score && (staff || closed) ? subs[i].final_score : NAN, y);
        h(r, "<tr id=\"submission-%lld\"><td>%lld</td>", (long long)subs[i].id, (long long)subs[i].id);
        if (staff)
            h(r, "<td>%s</td>", subs[i].user);
        h(r,
          "<td>%s</td><td class=\"state\">%s%s%s</td><td class=\"public\">%s</td><td class=\"final\">%s</td>",
          d, subs[i].state, subs[i].message[0] ? ": " : "", subs[i].message, x,
          closed || staff ? y : "after the deadline");
        if (staff)
            h(r, "<td><a href=\"/courses/%s/submissions/%lld/config\">download</a></td>", course,
              (long long)subs[i].id);
        h(r, "</tr>");
    }
    h(r,
      "</tbody></table><p><a href=\"/courses/%s/assignments/%s\" id=\"refresh\">Refresh</a> · <a "
      "href=\"/courses/%s\">Back to the course</a></p>",
      course, name, course);
    page_end(r);
    at_free(lb);
    at_free(subs);
}

void ui_course_assignment(web_req *r)
{
    assignment_page(r, NULL);
}

void ui_course_submit(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_submission_config cfg;
    web_submission_config(r, &cfg);
    int64_t id = 0;
    int remaining = 0;
    at_status st = at_submission_create(c, r->actor.name, web_param(r, "project"), web_param(r, "assignment"),
                                        &cfg, &id, &remaining);
    if (st) {
        r->status = web_status_of(st);
        assignment_page(r, at_error_message());
        return;
    }
    char loc[300];
    snprintf(loc, sizeof loc, "/courses/%s/assignments/%s?submitted=%lld", web_param(r, "project"),
             web_param(r, "assignment"), (long long)id);
    web_redirect(r, loc);
}
