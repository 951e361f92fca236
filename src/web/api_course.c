/* The JSON API of the classroom: courses, assistants, quotas, enrolment
 * from a CSV (the raw body), synthetic course data, assignments,
 * submissions, the leaderboard, usage, grades and submitted
 * configurations. A course's routes capture it as {project}: a course is
 * a project, and the authorisation function decides on its membership. */
#include "internal.h"

#include "atelier/classroom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

at_classroom *web_need_classroom(web_req *r)
{
    at_classroom *c = web_classroom(r);
    if (!c) {
        if (r->route->kind == AT_WEB_PAGE)
            page_error(r, 503, "Courses are not enabled in this room.");
        else
            web_json_error(r, 503, "courses are not enabled in this room");
    }
    return c;
}

static void jw_num(jw *w, const char *key, double v)
{
    jw_key(w, key);
    at_status st = isfinite(v) ? at_buf_printf(&w->r->out, "%.4f", v) : at_buf_puts(&w->r->out, "null");
    if (st)
        w->r->out_error = 1;
}

static void jw_time(jw *w, const char *key, time_t t)
{
    char b[32] = "";
    if (t) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    jw_str(w, key, b);
}

time_t web_course_time_parse(const char *text)
{
    if (!text || !*text)
        return 0;
    if (text[0] == '+') { /* "+2h", "+90m", "+3600" from now */
        int64_t d = at_job_parse_duration(text + 1);
        return d > 0 ? at_room_now() + (time_t)d : 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 23, mi = 59, s = 0;
    char tail[8] = "";
    int n = sscanf(text, "%4d-%2d-%2d%*[T ]%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s, tail);
    if (n < 3) /* sscanf stops at the first mismatch: a date alone ends the day */
        return 0;
    if (n == 5 || n == 4) {
        n = sscanf(text, "%4d-%2d-%2d%*[T ]%2d:%2d%7s", &y, &mo, &d, &h, &mi, tail);
        s = 0;
    }
    if (tail[0] && strcmp(tail, "Z"))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm); /* UTC, as every time of the room */
}

static void course_json(jw *w, const at_course *c)
{
    jw_str(w, "name", c->name);
    jw_str(w, "title", c->title);
    jw_str(w, "teacher", c->teacher);
    jw_str(w, "grading_project", c->grading);
    jw_num(w, "student_core_hours", c->core_hours);
    jw_num(w, "student_gpu_hours", c->gpu_hours);
    jw_int(w, "student_concurrent", c->concurrent);
    jw_time(w, "created", c->created);
}

void api_courses_mine(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_course *v = NULL;
    size_t n = 0;
    at_status st = at_course_list(c, r->actor.name, &v, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "courses");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        course_json(&w, &v[i]);
        jw_str(&w, "role", v[i].my_role);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(v);
}

void api_course_create(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *name = web_field(r, "name");
    at_status st = at_course_create(c, r->actor.name, name ? name : "", web_field(r, "title"));
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "course", name);
    jw_end(&w);
}

static void assignment_json(jw *w, const at_assignment *a)
{
    jw_str(w, "name", a->name);
    jw_str(w, "title", a->title);
    jw_str(w, "task", a->task);
    jw_str(w, "data", a->data);
    jw_time(w, "deadline", a->deadline);
    jw_bool(w, "open", at_room_now() < a->deadline);
    jw_int(w, "per_day", a->per_day);
    jw_str(w, "rule", a->rule);
    jw_str(w, "training_dataset", a->train_dataset);
    jw_int(w, "training_rows", a->train_rows);
    jw_int(w, "hidden_rows", a->test_rows);
    jw_int(w, "public_rows", a->public_rows);
}

static int is_staff(web_req *r)
{
    at_object o = {.project = web_param(r, "project")};
    return at_room_authorize(r->room, &r->actor, AT_ACT_COURSE_TEACH, &o) == AT_ALLOW;
}

static void quota_json(jw *w, const at_course_quota *q, int with_day)
{
    jw_obj(w, "quota");
    jw_num(w, "core_hours_used", q->core_hours_used);
    jw_num(w, "core_hours_limit", q->core_hours_limit);
    jw_num(w, "core_hours_left",
           q->core_hours_limit > 0 ? fmax(0, q->core_hours_limit - q->core_hours_used) : NAN);
    jw_num(w, "gpu_hours_used", q->gpu_hours_used);
    jw_num(w, "gpu_hours_limit", q->gpu_hours_limit);
    jw_int(w, "active_jobs", q->active);
    jw_int(w, "concurrent_limit", q->concurrent_limit);
    if (with_day) {
        jw_int(w, "submissions_today", q->used_today);
        jw_int(w, "per_day", q->per_day);
        jw_int(w, "remaining_today", q->remaining_today);
    }
    jw_close(w, '}');
}

void api_course_get(web_req *r)
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
        api_fail(r, st);
        return;
    }
    int staff = is_staff(r);
    jw w;
    jw_begin(&w, r);
    jw_obj(&w, "course");
    course_json(&w, &co);
    jw_close(&w, '}');
    jw_str(&w, "role", staff ? (!strcmp(co.teacher, r->actor.name) ? "teacher" : "ta") : "student");
    jw_arr(&w, "assignments");
    for (size_t i = 0; i < na; i++) {
        jw_obj(&w, NULL);
        assignment_json(&w, &as[i]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    if (staff) {
        at_course_data *d = NULL;
        size_t nd = 0;
        if (at_course_data_list(c, name, &d, &nd) == AT_OK) {
            jw_arr(&w, "data");
            for (size_t i = 0; i < nd; i++) {
                jw_obj(&w, NULL);
                jw_str(&w, "name", d[i].name);
                jw_str(&w, "kind", d[i].kind);
                jw_int(&w, "seed", d[i].seed);
                jw_int(&w, "patients", d[i].patients);
                jw_str(&w, "snapshot", d[i].snapshot);
                jw_close(&w, '}');
            }
            jw_close(&w, ']');
        }
        at_free(d);
    } else {
        at_course_quota q;
        if (at_course_quota_of(c, name, NULL, r->actor.name, &q) == AT_OK)
            quota_json(&w, &q, 0);
    }
    jw_end(&w);
    at_free(as);
}

void api_course_ta(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *user = web_field(r, "user");
    at_status st = at_course_ta_add(c, r->actor.name, web_param(r, "project"), user ? user : "");
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "assistant", user);
    jw_end(&w);
}

static double num_field(web_req *r, const char *name, double dflt)
{
    const char *v = web_field(r, name);
    if (!v || !*v)
        return dflt;
    char *end;
    double d = strtod(v, &end);
    return *end || !isfinite(d) ? -1 : d;
}

void api_course_quota(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    double ch = num_field(r, "core_hours", 0), gh = num_field(r, "gpu_hours", 0),
           cc = num_field(r, "concurrent", 0);
    at_status st = at_course_quota_set(c, r->actor.name, web_param(r, "project"), ch, gh, (int)cc);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_num(&w, "core_hours", ch);
    jw_num(&w, "gpu_hours", gh);
    jw_int(&w, "concurrent", (int)cc);
    jw_end(&w);
}

void api_course_students(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_course_student *s = NULL;
    size_t n = 0;
    at_status st = at_course_enrol_csv(c, r->actor.name, web_param(r, "project"), (const char *)r->body,
                                       r->body ? r->body_len : 0, &s, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "students");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "login", s[i].login);
        jw_str(&w, "name", s[i].name);
        jw_str(&w, "email", s[i].email);
        jw_str(&w, "password", s[i].password); /* one-time: shown once, here */
        jw_int(&w, "line", s[i].line);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    for (size_t i = 0; i < n; i++)
        memset(s[i].password, 0, sizeof s[i].password);
    at_free(s);
}

void api_course_data(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *course = web_param(r, "project"), *name = web_field(r, "name"),
               *project = web_field(r, "project");
    at_status st;
    if (project && *project) {
        st = at_course_attach(c, r->actor.name, course, project,
                              web_field(r, "dataset") ? web_field(r, "dataset") : "",
                              name && *name ? name : NULL);
    } else {
        double patients = num_field(r, "patients", 200), seed = num_field(r, "seed", 1);
        st = at_course_generate(c, r->actor.name, course,
                                web_field(r, "kind") ? web_field(r, "kind") : "chemo", name ? name : "",
                                (int)patients, (int64_t)seed);
    }
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "data", name ? name : web_field(r, "dataset"));
    jw_bool(&w, "synthetic", 1);
    jw_end(&w);
}

/* The spec of an assignment from the fields (shared with the page). */
at_status web_assignment_spec(web_req *r, at_assignment_spec *s)
{
    memset(s, 0, sizeof *s);
    s->name = web_field(r, "name");
    s->title = web_field(r, "title");
    s->task = web_field(r, "task");
    s->data = web_field(r, "data");
    s->rule = web_field(r, "rule");
    s->deadline = web_course_time_parse(web_field(r, "deadline"));
    s->per_day = (int)num_field(r, "per_day", 3);
    s->test_fraction = num_field(r, "test_fraction", 0.3);
    s->public_fraction = num_field(r, "public_fraction", 0.5);
    s->seed = (int64_t)num_field(r, "seed", 1);
    if (!s->deadline)
        return at_error_set(AT_ERR_ARG, "assignment: a deadline (YYYY-MM-DDTHH:MMZ, UTC, or +2h from now)");
    if (s->test_fraction < 0 || s->public_fraction < 0 || s->seed < 0)
        return at_error_set(AT_ERR_ARG, "assignment: fractions and the seed are positive numbers");
    return AT_OK;
}

void api_course_assignment_create(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_assignment_spec s;
    at_status st = web_assignment_spec(r, &s);
    if (!st)
        st = at_assignment_create(c, r->actor.name, web_param(r, "project"), &s);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "assignment", s.name);
    jw_end(&w);
}

static void submission_json(jw *w, const at_submission *s, int show_final)
{
    jw_obj(w, NULL);
    jw_int(w, "id", s->id);
    jw_str(w, "user", s->user);
    jw_str(w, "assignment", s->assignment);
    jw_time(w, "submitted", s->submitted);
    jw_str(w, "state", s->state);
    jw_int(w, "job", s->job_id);
    if (s->has_score) {
        jw_num(w, "public_score", s->public_score);
        if (show_final)
            jw_num(w, "final_score", s->final_score);
    }
    jw_str(w, "message", s->message);
    jw_close(w, '}');
}

void api_course_assignment(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *course = web_param(r, "project"), *name = web_param(r, "assignment");
    at_assignment a;
    at_status st = at_assignment_get(c, course, name, &a);
    if (st) {
        api_fail(r, st);
        return;
    }
    int staff = is_staff(r), closed = at_room_now() >= a.deadline;
    at_leader *lb = NULL;
    size_t nl = 0;
    int final = 0;
    at_submission *subs = NULL;
    size_t ns = 0;
    at_course_quota q;
    st = at_leaderboard(c, course, name, &lb, &nl, &final);
    if (!st)
        st = at_submission_list(c, course, name, staff ? NULL : r->actor.name, &subs, &ns);
    if (!st && !staff)
        st = at_course_quota_of(c, course, name, r->actor.name, &q);
    if (st) {
        at_free(lb);
        at_free(subs);
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_obj(&w, "assignment");
    assignment_json(&w, &a);
    jw_close(&w, '}');
    jw_str(&w, "leaderboard_score", final ? "final" : "public");
    jw_arr(&w, "leaderboard");
    for (size_t i = 0; i < nl; i++) {
        jw_obj(&w, NULL);
        jw_int(&w, "rank", (long long)i + 1);
        jw_str(&w, "user", lb[i].user);
        jw_num(&w, "score", lb[i].score);
        jw_int(&w, "submissions", lb[i].submissions);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_arr(&w, "submissions");
    for (size_t i = 0; i < ns; i++) /* the final score: the staff's, or everyone's once closed */
        submission_json(&w, &subs[i], staff || closed);
    jw_close(&w, ']');
    if (!staff)
        quota_json(&w, &q, 1);
    jw_end(&w);
    at_free(lb);
    at_free(subs);
}

/* A submission's configuration from the fields (shared with the page). */
void web_submission_config(web_req *r, at_submission_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = web_field(r, "kind");
    cfg->C = num_field(r, "C", 0);
    cfg->epochs = (int)num_field(r, "epochs", 0);
    const char *l1 = web_field(r, "l1"), *xg = web_field(r, "xgboost");
    cfg->l1 = l1 && (!strcmp(l1, "1") || !strcmp(l1, "true") || !strcmp(l1, "on"));
    cfg->xgboost = xg && (!strcmp(xg, "1") || !strcmp(xg, "true") || !strcmp(xg, "on"));
    cfg->command = web_field(r, "command");
    cfg->code = web_field(r, "code");
    const char *t = web_field(r, "time");
    cfg->time_limit = t && *t ? at_job_parse_duration(t) : 0;
}

void api_course_submit(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_submission_config cfg;
    web_submission_config(r, &cfg);
    int64_t id = 0;
    int remaining = 0;
    at_status st = cfg.time_limit < 0
                       ? at_error_set(AT_ERR_ARG, "submission: a bad time (90s, 10m, 1h)")
                       : at_submission_create(c, r->actor.name, web_param(r, "project"),
                                              web_param(r, "assignment"), &cfg, &id, &remaining);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "submission", id);
    jw_int(&w, "remaining_today", remaining);
    jw_end(&w);
}

void api_course_usage(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_course_person *p = NULL;
    size_t n = 0;
    at_status st = at_course_people(c, web_param(r, "project"), &p, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "people");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "login", p[i].login);
        jw_str(&w, "name", p[i].name);
        jw_str(&w, "email", p[i].email);
        jw_str(&w, "role", p[i].role);
        jw_num(&w, "core_hours_week", p[i].core_hours);
        jw_num(&w, "gpu_hours_week", p[i].gpu_hours);
        jw_int(&w, "active_jobs", p[i].active);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(p);
}

void web_course_grades(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    at_buf b;
    at_buf_init(&b, WEB_OUT_MAX);
    at_status st = at_course_grades_csv(c, web_param(r, "project"), &b);
    if (st) {
        at_buf_free(&b);
        if (r->route->kind == AT_WEB_PAGE)
            page_error(r, web_status_of(st), at_error_message());
        else
            api_fail(r, st);
        return;
    }
    at_room_audit(r->room, r->actor.name, "course.grades", web_param(r, "project"), NULL);
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    r->disposition = "attachment; filename=\"grades.csv\"";
    if (at_buf_append(&r->out, b.data ? b.data : (const unsigned char *)"", b.len))
        r->out_error = 1;
    at_buf_free(&b);
}

void web_course_config(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *sid = web_param(r, "submission");
    char *text = NULL;
    at_status st = at_submission_config_text(c, web_param(r, "project"), sid ? atoll(sid) : 0, &text);
    if (st) {
        if (r->route->kind == AT_WEB_PAGE)
            page_error(r, web_status_of(st), at_error_message());
        else
            api_fail(r, st);
        return;
    }
    char details[96];
    snprintf(details, sizeof details, "{\"submission\":%lld}", sid ? atoll(sid) : 0LL);
    at_room_audit(r->room, r->actor.name, "course.config", web_param(r, "project"), details);
    r->status = 200;
    r->content_type = "application/json";
    r->disposition = "attachment; filename=\"submission.json\"";
    if (at_buf_puts(&r->out, text) || at_buf_putc(&r->out, '\n'))
        r->out_error = 1;
    at_free(text);
}

void web_course_code(web_req *r)
{
    at_classroom *c = web_need_classroom(r);
    if (!c)
        return;
    const char *sid = web_param(r, "submission");
    int64_t id = sid ? atoll(sid) : 0;
    char token[AT_ROOM_TOKEN_MAX], rel[128];
    at_room_random_token(token);
    snprintf(rel, sizeof rel, "jobs/scratch/code-%.20s", token);
    char *tmp = at_path_join(at_room_dir(r->room), rel);
    at_status st = tmp ? at_submission_code(c, web_param(r, "project"), id, tmp) : AT_ERR_NOMEM;
    unsigned char *archive = NULL;
    size_t len = 0;
    if (!st)
        st = at_jobs_code_pack(tmp, WEB_OUT_MAX - 4096, &archive, &len);
    if (tmp && access(tmp, F_OK) == 0)
        at_remove_tree(tmp);
    at_free(tmp);
    if (st) {
        if (r->route->kind == AT_WEB_PAGE)
            page_error(r, web_status_of(st), at_error_message());
        else
            api_fail(r, st);
        return;
    }
    char details[96];
    snprintf(details, sizeof details, "{\"submission\":%lld,\"bytes\":%zu}", (long long)id, len);
    at_room_audit(r->room, r->actor.name, "course.code", web_param(r, "project"), details);
    r->status = 200;
    r->content_type = "application/octet-stream";
    r->disposition = "attachment; filename=\"submission.atlcode\"";
    if (at_buf_append(&r->out, archive, len))
        r->out_error = 1;
    at_free(archive);
}
