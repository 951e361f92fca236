/* Pages of jobs: mine (with my usage against my quotas), a project's
 * queue, the whole room's queue with each station's load (administrators),
 * and a job's page: its state, progress, a loss curve drawn by the server
 * as SVG from the progress events, and its log's tail (members only). An
 * active job's page reloads itself every few seconds. */
#include "internal.h"

#include "atelier/jobs.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_jobs *need_jobs(web_req *r)
{
    at_jobs *j = web_jobs(r);
    if (!j)
        page_error(r, 503, "Jobs are not enabled in this room.");
    return j;
}

static void when(char out[32], time_t t)
{
    if (!t) {
        snprintf(out, 32, "-");
        return;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *badge(at_job_state s)
{
    switch (s) {
    case AT_JOB_SUCCEEDED:
        return "bg-success";
    case AT_JOB_FAILED:
    case AT_JOB_TIMED_OUT:
        return "bg-danger";
    case AT_JOB_RUNNING:
    case AT_JOB_STARTING:
        return "bg-primary";
    default:
        return "bg-secondary";
    }
}

static void job_table(web_req *r, const at_job *jobs, size_t n, const char *id)
{
    if (!n) {
        h(r, "<p id=\"%s-empty\">No job.</p>", id);
        return;
    }
    h(r,
      "<table class=\"table table-sm\" id=\"%s\"><thead><tr><th scope=\"col\">Job</th><th "
      "scope=\"col\">User</th>"
      "<th scope=\"col\">Project</th><th scope=\"col\">Kind</th><th scope=\"col\">State</th><th "
      "scope=\"col\">Resources</th><th scope=\"col\">Submitted</th><th scope=\"col\">Station</th><th "
      "scope=\"col\">Priority</th></tr></thead><tbody>",
      id);
    for (size_t i = 0; i < n; i++) {
        const at_job *jb = &jobs[i];
        char sub[32];
        when(sub, jb->submitted);
        h(r,
          "<tr><td><a href=\"/jobs/%lld\">%lld</a> %s</td><td>%s</td><td>%s</td><td>%s</td><td><span "
          "class=\"badge "
          "%s\">%s</span></td><td>%d cores, %d GPUs, %lld min</td><td>%s</td><td>%s</td><td>%lld</td></tr>",
          (long long)jb->id, (long long)jb->id, jb->name, jb->user, jb->project, jb->kind, badge(jb->state),
          at_job_state_name(jb->state), jb->cores, jb->gpus, (long long)(jb->time_limit / 60), sub,
          jb->station, jb->state == AT_JOB_QUEUED ? (long long)jb->priority : 0LL);
    }
    h(r, "</tbody></table>");
}

static void usage_row(web_req *r, const char *kind, const char *name, const at_jobs_usage *u)
{
    char core[64], gpu[64], conc[32], queued[32];
    if (u->core_hours_limit > 0)
        snprintf(core, sizeof core, "%.1f (+%.1f reserved) of %.1f", u->core_hours_week,
                 u->core_hours_reserved, u->core_hours_limit);
    else
        snprintf(core, sizeof core, "%.1f (no quota)", u->core_hours_week);
    if (u->gpu_hours_limit > 0)
        snprintf(gpu, sizeof gpu, "%.1f (+%.1f reserved) of %.1f", u->gpu_hours_week, u->gpu_hours_reserved,
                 u->gpu_hours_limit);
    else
        snprintf(gpu, sizeof gpu, "%.1f (no quota)", u->gpu_hours_week);
    snprintf(conc, sizeof conc, u->concurrent_limit ? "%d of %d" : "%d", u->running, u->concurrent_limit);
    snprintf(queued, sizeof queued, u->queued_limit ? "%d of %d" : "%d", u->queued, u->queued_limit);
    h(r, "<tr><td>%s %s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d%%</td></tr>", kind, name, core,
      gpu, conc, queued, (int)lround(u->fairshare * 100));
}

void ui_jobs_mine(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job_filter f = {.user = r->actor.name, .limit = 200};
    at_job *jobs = NULL;
    size_t n = 0;
    at_status st = at_jobs_list(j, &f, &jobs, &n);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    page_begin(r, "My jobs");
    page_flash(r);
    h(r,
      "<section class=\"mb-4\" aria-labelledby=\"usage-h\"><h2 class=\"h5\" id=\"usage-h\">Usage this week "
      "against quotas</h2><table class=\"table table-sm\" id=\"usage\"><thead><tr><th scope=\"col\">Who</th>"
      "<th scope=\"col\">Core-hours</th><th scope=\"col\">GPU-hours</th><th scope=\"col\">Running</th>"
      "<th scope=\"col\">Queued</th><th scope=\"col\">Fair share</th></tr></thead><tbody>");
    at_jobs_usage u;
    if (at_jobs_usage_of(j, "user", r->actor.name, &u) == AT_OK)
        usage_row(r, "user", r->actor.name, &u);
    at_project *ps = NULL;
    size_t np = 0;
    if (at_room_user_projects(r->room, r->actor.user_id, &ps, &np) == AT_OK)
        for (size_t i = 0; i < np; i++)
            if (at_jobs_usage_of(j, "project", ps[i].name, &u) == AT_OK)
                usage_row(r, "project", ps[i].name, &u);
    h(r, "</tbody></table></section>");
    if (np) {
        h(r, "<p>Project queues:");
        for (size_t i = 0; i < np; i++)
            h(r, " <a href=\"/projects/%s/jobs\">%s</a>", ps[i].name, ps[i].name);
        h(r, "</p>");
    }
    at_free(ps);
    at_error_clear();
    h(r, "<section aria-labelledby=\"jobs-h\"><h2 class=\"h5\" id=\"jobs-h\">My jobs</h2>");
    job_table(r, jobs, n, "jobs");
    h(r, "<p class=\"text-muted\">Submit with <code>atelier job submit</code> (docs/room.md).</p></section>");
    page_end(r);
    at_free(jobs);
}

void ui_jobs_project(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job_filter f = {.project = web_param(r, "project"), .limit = 500};
    at_job *jobs = NULL;
    size_t n = 0;
    at_status st = at_jobs_list(j, &f, &jobs, &n);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    char title[128];
    snprintf(title, sizeof title, "Jobs of %s", f.project);
    page_begin(r, title);
    job_table(r, jobs, n, "jobs");
    page_end(r);
    at_free(jobs);
}

void ui_queue(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job_filter f = {.active_only = 1, .limit = 5000};
    at_job *jobs = NULL;
    size_t n = 0, ns = 0;
    at_jobs_station *s = NULL;
    at_status st = at_jobs_list(j, &f, &jobs, &n);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    if (at_jobs_stations(j, &s, &ns) != AT_OK)
        at_error_clear();
    page_begin(r, "The room's queue");
    h(r,
      "<section class=\"mb-4\" aria-labelledby=\"st-h\"><h2 class=\"h5\" id=\"st-h\">Stations (executor "
      "%s)</h2>"
      "<table class=\"table table-sm\" id=\"stations\"><thead><tr><th scope=\"col\">Station</th><th "
      "scope=\"col\">State</th><th scope=\"col\">Cores used</th><th scope=\"col\">GPUs "
      "used</th></tr></thead><tbody>",
      at_jobs_config(j)->executor);
    for (size_t i = 0; i < ns; i++)
        h(r,
          "<tr><td>%s</td><td>%s</td><td><progress max=\"%d\" value=\"%d\" aria-label=\"cores\"></progress> "
          "%d of "
          "%d</td><td>%d of %d</td></tr>",
          s[i].station, s[i].state, s[i].cores_total, s[i].cores_used, s[i].cores_used, s[i].cores_total,
          s[i].gpus_used, s[i].gpus_total);
    h(r, "</tbody></table></section><section aria-labelledby=\"q-h\"><h2 class=\"h5\" id=\"q-h\">Active "
         "jobs</h2>");
    job_table(r, jobs, n, "queue");
    h(r, "</section>");
    page_end(r);
    at_free(jobs);
    at_free(s);
}

/* The loss curve (or the first metric) of the events, as SVG: at most
 * MAXP points, evenly taken from all of them. */
static void curve(web_req *r, const char *events)
{
    enum { W = 640, H = 240, PAD = 40, MAXP = 2000 };
    size_t lines = 0;
    for (const char *p = events; *p; p++)
        lines += *p == '\n';
    size_t stride = lines > MAXP ? (lines + MAXP - 1) / MAXP : 1;
    double xs[MAXP + 1], ys[MAXP + 1];
    size_t n = 0, k = 0;
    char metric[40] = "";
    char *copy = at_strdup(events);
    for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && n < MAXP;
         line = strtok_r(NULL, "\n", &save), k++) {
        int last = !save || !*save;
        if (k % stride && !last)
            continue;
        cJSON *o = cJSON_Parse(line);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "metrics"),
                    *t = cJSON_GetObjectItemCaseSensitive(o, "t");
        const cJSON *v = NULL;
        if (cJSON_IsObject(m)) {
            v = cJSON_GetObjectItemCaseSensitive(m, metric[0] ? metric : "loss");
            if (!v && !metric[0] && m->child)
                v = m->child;
        }
        if (cJSON_IsNumber(v) && cJSON_IsNumber(t) && isfinite(v->valuedouble)) {
            if (!metric[0])
                snprintf(metric, sizeof metric, "%s", v->string);
            xs[n] = t->valuedouble;
            ys[n] = v->valuedouble;
            n++;
        }
        cJSON_Delete(o);
    }
    at_free(copy);
    if (n < 2)
        return;
    double x0 = xs[0], x1 = xs[0], y0 = ys[0], y1 = ys[0];
    for (size_t i = 1; i < n; i++) {
        x0 = fmin(x0, xs[i]);
        x1 = fmax(x1, xs[i]);
        y0 = fmin(y0, ys[i]);
        y1 = fmax(y1, ys[i]);
    }
    if (x1 <= x0)
        x1 = x0 + 1;
    if (y1 <= y0)
        y1 = y0 + 1;
    h(r,
      "<figure class=\"mb-4\"><svg id=\"curve\" role=\"img\" aria-label=\"%s over time\" width=\"%d\" "
      "height=\"%d\" "
      "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"%d\" height=\"%d\" "
      "fill=\"white\" "
      "stroke=\"#ccc\"/><polyline fill=\"none\" stroke=\"#0d6efd\" stroke-width=\"2\" points=\"",
      metric, W, H, W, H, W, H);
    for (size_t i = 0; i < n; i++) {
        int px = PAD + (int)lround((xs[i] - x0) / (x1 - x0) * (W - 2 * PAD));
        int py = H - PAD - (int)lround((ys[i] - y0) / (y1 - y0) * (H - 2 * PAD));
        h(r, "%d,%d ", px, py);
    }
    char top[32], bottom[32], right[32];
    snprintf(top, sizeof top, "%.4g", y1);
    snprintf(bottom, sizeof bottom, "%.4g", y0);
    snprintf(right, sizeof right, "%.0f s", x1);
    h(r,
      "\"/><text x=\"4\" y=\"%d\" font-size=\"12\">%s</text><text x=\"4\" y=\"%d\" font-size=\"12\">%s</text>"
      "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text></svg><figcaption>%s (%zu "
      "points)</figcaption></figure>",
      PAD, top, H - PAD, bottom, W - PAD - 30, H - 8, right, metric, n);
}

void ui_job(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job jb;
    int64_t id = atoll(web_param(r, "job"));
    at_status st = at_jobs_get(j, id, &jb);
    if (st) {
        page_error(r, 404, "No such job.");
        return;
    }
    char title[64];
    snprintf(title, sizeof title, "Job %lld", (long long)id);
    page_begin(r, title);
    /* an active job's page follows it */
    if (!at_job_state_final(jb.state)) {
        /* <meta> inside <body> is honoured by browsers for refresh */
        h(r, "<meta http-equiv=\"refresh\" content=\"3\">");
    }
    page_flash(r);
    char sub[32], start[32], end[32];
    when(sub, jb.submitted);
    when(start, jb.started);
    when(end, jb.ended);
    h(r,
      "<dl class=\"row\" id=\"job\"><dt class=\"col-3\">State</dt><dd class=\"col-9\"><span class=\"badge "
      "%s\" "
      "id=\"state\">%s</span> %s</dd><dt class=\"col-3\">Owner</dt><dd class=\"col-9\">%s, project <a "
      "href=\"/projects/%s/jobs\">%s</a></dd><dt class=\"col-3\">Kind</dt><dd class=\"col-9\">%s %s</dd>"
      "<dt class=\"col-3\">Resources</dt><dd class=\"col-9\">%d cores, %d GPUs, %lld MiB, %lld s</dd>"
      "<dt class=\"col-3\">Times</dt><dd class=\"col-9\">submitted %s, started %s, ended %s</dd>"
      "<dt class=\"col-3\">Where</dt><dd class=\"col-9\">%s %s (attempt %d%s%s)</dd>",
      badge(jb.state), at_job_state_name(jb.state), jb.reason, jb.user, jb.project, jb.project, jb.kind,
      jb.name, jb.cores, jb.gpus, (long long)jb.memory_mb, (long long)jb.time_limit, sub, start, end,
      jb.executor, jb.station, jb.attempt, jb.external_id[0] ? ", " : "", jb.external_id);
    if (jb.result[0])
        h(r, "<dt class=\"col-3\">Result</dt><dd class=\"col-9\"><code id=\"result\">%s</code></dd>",
          jb.result);
    h(r, "</dl>");
    char *ev = NULL;
    size_t evlen = 0;
    int64_t next = 0;
    at_jobs_events(j, id, 0, 100000, &ev, &evlen, &next);
    if (ev && evlen) {
        /* the newest event: a progress bar */
        char *copy = at_strdup(ev);
        if (copy) {
            copy[evlen - 1] = '\0';
            char *last = strrchr(copy, '\n');
            cJSON *o = cJSON_Parse(last ? last + 1 : copy);
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "phase"),
                        *s = cJSON_GetObjectItemCaseSensitive(o, "step"),
                        *t = cJSON_GetObjectItemCaseSensitive(o, "total");
            if (cJSON_IsString(p) && cJSON_IsNumber(s) && cJSON_IsNumber(t)) {
                long long step = (long long)s->valuedouble, total = (long long)t->valuedouble;
                h(r, "<p id=\"progress\">%s: %lld", p->valuestring, step);
                if (total > 0)
                    h(r, " of %lld <progress max=\"%lld\" value=\"%lld\" aria-label=\"progress\"></progress>",
                      total, total, step);
                h(r, "</p>");
            }
            cJSON_Delete(o);
            at_free(copy);
        }
        curve(r, ev);
    }
    at_free(ev);
    if (!at_job_state_final(jb.state) &&
        at_room_authorize(r->room, &r->actor, AT_ACT_JOB_CANCEL,
                          &(at_object){.project = jb.project, .user = jb.user}) == AT_ALLOW) {
        char action[64];
        snprintf(action, sizeof action, "/jobs/%lld/cancel", (long long)id);
        page_form(r, action, "mb-3");
        h(r, "<button class=\"btn btn-outline-danger btn-sm\" type=\"submit\" id=\"cancel\">Cancel the "
             "job</button>"
             "</form>");
    }
    /* the log's tail: the project's members only */
    if (at_room_authorize(r->room, &r->actor, AT_ACT_JOB_DATA,
                          &(at_object){.project = jb.project, .user = jb.user}) == AT_ALLOW) {
        char *text = NULL;
        size_t len = 0;
        int64_t size = 0;
        if (at_jobs_log(j, id, -16384, 16384, &text, &len, &size) == AT_OK) {
            h(r,
              "<section aria-labelledby=\"log-h\"><h2 class=\"h5\" id=\"log-h\">Log (the last 16 KiB of %lld "
              "bytes)</h2><pre class=\"border p-2 bg-light\" id=\"log\">%s</pre></section>",
              (long long)size, text);
        }
        at_free(text);
    }
    page_end(r);
}

void ui_job_cancel(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    int64_t id = atoll(web_param(r, "job"));
    at_status st = at_jobs_cancel(j, r->actor.name, id);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char loc[64];
    snprintf(loc, sizeof loc, "/jobs/%lld?done=cancel", (long long)id);
    web_redirect(r, loc);
}
