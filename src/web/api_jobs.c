/* The JSON API of jobs: submission (a nested JSON spec, read raw), the
 * queues (mine, a project's, the room's with the stations' load), a job,
 * its log and progress events, cancellation, its result (as a code-format
 * archive), code pushes, a project's datasets, usage against quotas. */
#include "internal.h"

#include "atelier/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static at_jobs *need_jobs(web_req *r)
{
    at_jobs *j = web_jobs(r);
    if (!j)
        web_json_error(r, 503, "jobs are not enabled in this room");
    return j;
}

static int64_t job_param(web_req *r)
{
    const char *p = web_param(r, "job");
    return p ? atoll(p) : 0;
}

static void iso(jw *w, const char *key, time_t t)
{
    if (!t) {
        jw_str(w, key, "");
        return;
    }
    char b[32];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
    jw_str(w, key, b);
}

static void job_json(jw *w, const at_job *jb)
{
    jw_obj(w, NULL);
    jw_int(w, "id", jb->id);
    jw_str(w, "user", jb->user);
    jw_str(w, "project", jb->project);
    jw_str(w, "kind", jb->kind);
    jw_str(w, "name", jb->name);
    jw_str(w, "state", at_job_state_name(jb->state));
    jw_int(w, "cores", jb->cores);
    jw_int(w, "gpus", jb->gpus);
    jw_int(w, "memory_mb", jb->memory_mb);
    jw_int(w, "time_limit", jb->time_limit);
    iso(w, "submitted", jb->submitted);
    iso(w, "started", jb->started);
    iso(w, "ended", jb->ended);
    jw_int(w, "attempt", jb->attempt);
    jw_str(w, "executor", jb->executor);
    jw_str(w, "station", jb->station);
    jw_str(w, "external_id", jb->external_id);
    jw_str(w, "gpu_list", jb->gpu_list);
    jw_bool(w, "cancel_requested", jb->cancel_requested);
    jw_int(w, "exit_code", jb->exit_code);
    jw_str(w, "reason", jb->reason);
    jw_str(w, "result", jb->result);
    jw_str(w, "phase", jb->phase);
    jw_int(w, "step", (long long)jb->step);
    jw_int(w, "total", (long long)jb->total);
    jw_int(w, "priority", (long long)jb->priority);
    jw_close(w, '}');
}

static void list_json(web_req *r, const at_job_filter *f)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job *jobs = NULL;
    size_t n = 0;
    at_status st = at_jobs_list(j, f, &jobs, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "jobs");
    for (size_t i = 0; i < n; i++)
        job_json(&w, &jobs[i]);
    jw_close(&w, ']');
    jw_end(&w);
    at_free(jobs);
}

static at_job_filter filter_from_query(web_req *r)
{
    const char *active = web_query(r, "active"), *limit = web_query(r, "limit");
    at_job_filter f = {.active_only = active && !strcmp(active, "1"), .limit = limit ? atoll(limit) : 200};
    if (f.limit < 1 || f.limit > 10000)
        f.limit = 200;
    return f;
}

void api_jobs_submit(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job_spec spec;
    at_status st = at_job_spec_parse((const char *)r->body, r->body_len, &spec);
    if (st) {
        api_fail(r, st);
        return;
    }
    snprintf(spec.project, sizeof spec.project, "%s", web_param(r, "project"));
    if (!strstr((const char *)r->body, "\"time\""))
        spec.time_limit = at_jobs_config(j)->default_time;
    int64_t id = 0;
    st = at_jobs_submit(j, r->actor.name, &spec, &id);
    at_job_spec_free(&spec);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "id", id);
    jw_str(&w, "state", "queued");
    jw_end(&w);
}

void api_jobs_project(web_req *r)
{
    at_job_filter f = filter_from_query(r);
    f.project = web_param(r, "project");
    list_json(r, &f);
}

void api_jobs_mine(web_req *r)
{
    at_job_filter f = filter_from_query(r);
    f.user = r->actor.name;
    list_json(r, &f);
}

void api_queue(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job_filter f = {.active_only = 1, .limit = 10000};
    at_job *jobs = NULL;
    size_t n = 0, ns = 0;
    at_jobs_station *stations = NULL;
    at_status st = at_jobs_list(j, &f, &jobs, &n);
    if (!st && at_jobs_stations(j, &stations, &ns) != AT_OK)
        at_error_clear(); /* the queue without the load */
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "executor", at_jobs_config(j)->executor);
    jw_arr(&w, "stations");
    for (size_t i = 0; i < ns; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "station", stations[i].station);
        jw_str(&w, "state", stations[i].state);
        jw_int(&w, "cores_total", stations[i].cores_total);
        jw_int(&w, "cores_used", stations[i].cores_used);
        jw_int(&w, "gpus_total", stations[i].gpus_total);
        jw_int(&w, "gpus_used", stations[i].gpus_used);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_arr(&w, "jobs");
    for (size_t i = 0; i < n; i++)
        job_json(&w, &jobs[i]);
    jw_close(&w, ']');
    jw_end(&w);
    at_free(jobs);
    at_free(stations);
}

void api_job_get(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job jb;
    char *spec = NULL;
    at_status st = at_jobs_get(j, job_param(r), &jb);
    if (!st)
        st = at_jobs_spec_text(j, jb.id, &spec);
    if (st) {
        api_fail(r, st);
        return;
    }
    /* the job, its spec and its newest progress event */
    char last[8192];
    int64_t next = 0;
    at_jobs_last_event(j, jb.id, last, sizeof last, &next);
    if (at_buf_puts(&r->out, "{\"job\":"))
        r->out_error = 1;
    jw w = {.r = r, .depth = 0};
    job_json(&w, &jb);
    if (at_buf_printf(&r->out, ",\"spec\":%s,\"last_event\":%s,\"events\":%lld}\n", spec,
                      last[0] == '{' ? last : "null", (long long)next))
        r->out_error = 1;
    r->content_type = "application/json";
    r->status = 200;
    at_free(spec);
}

void api_job_log(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    const char *off = web_query(r, "offset"), *max = web_query(r, "max");
    long long o = off ? atoll(off) : -65536, m = max ? atoll(max) : 1 << 20;
    if (m < 1 || m > (4 << 20))
        m = 1 << 20;
    char *text = NULL;
    size_t len = 0;
    int64_t size = 0;
    at_status st = at_jobs_log(j, job_param(r), o, (size_t)m, &text, &len, &size);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "size", size);
    jw_int(&w, "offset", o < 0 ? (size + o < 0 ? 0 : size + o) : (o > size ? size : o));
    jw_int(&w, "length", (long long)len);
    /* the log is the job's own output: made valid UTF-8-safe JSON by the writer */
    jw_key(&w, "text");
    if (at_buf_json_string(&r->out, text, len))
        r->out_error = 1;
    jw_end(&w);
    at_free(text);
}

void api_job_events(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    const char *from = web_query(r, "from");
    char *ev = NULL;
    size_t len = 0;
    int64_t next = 0;
    at_status st = at_jobs_events(j, job_param(r), from ? atoll(from) : 0, 5000, &ev, &len, &next);
    if (st) {
        api_fail(r, st);
        return;
    }
    /* each line was validated and rewritten by the runner: an array of them */
    at_status w = at_buf_puts(&r->out, "{\"events\":[");
    int first = 1;
    for (char *save = NULL, *line = strtok_r(ev, "\n", &save); line && !w;
         line = strtok_r(NULL, "\n", &save)) {
        w = at_buf_printf(&r->out, "%s%s", first ? "" : ",", line);
        first = 0;
    }
    if (!w)
        w = at_buf_printf(&r->out, "],\"next\":%lld}\n", (long long)next);
    if (w)
        r->out_error = 1;
    r->content_type = "application/json";
    r->status = 200;
    at_free(ev);
}

void api_job_cancel(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_status st = at_jobs_cancel(j, r->actor.name, job_param(r));
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    jw_end(&w);
}

void api_job_result(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_job jb;
    at_status st = at_jobs_get(j, job_param(r), &jb);
    if (!st && !jb.result[0])
        st = at_error_set(AT_ERR_NOT_FOUND, "job %lld has no result (%s)", (long long)jb.id,
                          at_job_state_name(jb.state));
    char token[AT_ROOM_TOKEN_MAX], rel[128];
    at_room_random_token(token);
    snprintf(rel, sizeof rel, "jobs/scratch/get-%.20s", token);
    char *tmp = at_path_join(at_room_dir(r->room), rel);
    if (!st && !tmp)
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_jobs_dataset_get(j, jb.project, "results", jb.result, tmp);
    unsigned char *archive = NULL;
    size_t len = 0;
    if (!st)
        st = at_jobs_code_pack(tmp, WEB_OUT_MAX - 4096, &archive, &len);
    if (tmp && access(tmp, F_OK) == 0)
        at_remove_tree(tmp);
    at_free(tmp);
    if (st) {
        api_fail(r, st);
        return;
    }
    char object[48], details[120];
    snprintf(object, sizeof object, "job:%lld", (long long)jb.id);
    snprintf(details, sizeof details, "{\"result\":\"%.16s\",\"bytes\":%zu}", jb.result, len);
    at_room_audit(r->room, r->actor.name, "job.result.get", object, details);
    r->status = 200;
    r->content_type = "application/octet-stream";
    r->disposition = "attachment; filename=\"result.atlcode\"";
    if (at_buf_append(&r->out, archive, len))
        r->out_error = 1;
    at_free(archive);
}

void api_code_push(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    char snap[AT_VAULT_SNAPSHOT_HEX];
    at_status st = at_jobs_code_push(j, r->actor.name, web_param(r, "project"), r->body, r->body_len, snap);
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 201;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "snapshot", snap);
    jw_end(&w);
}

void api_datasets(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_jobs_dataset *d = NULL;
    size_t n = 0;
    at_status st = at_jobs_datasets(j, web_param(r, "project"), &d, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "datasets");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "name", d[i].name);
        jw_str(&w, "id", d[i].dataset_id);
        jw_str(&w, "kind", d[i].kind);
        jw_bool(&w, "synthetic", d[i].synthetic);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(d);
}

static void usage_json(jw *w, const char *kind, const char *name, const at_jobs_usage *u)
{
    jw_obj(w, NULL);
    jw_str(w, "kind", kind);
    jw_str(w, "name", name);
    char b[64];
#define NUM(k, v)                                                                                            \
    snprintf(b, sizeof b, "%.3f", (double)(v));                                                              \
    jw_str(w, k, b);
    NUM("core_hours_week", u->core_hours_week)
    NUM("gpu_hours_week", u->gpu_hours_week)
    NUM("core_hours_reserved", u->core_hours_reserved)
    NUM("gpu_hours_reserved", u->gpu_hours_reserved)
    NUM("core_hours_limit", u->core_hours_limit)
    NUM("gpu_hours_limit", u->gpu_hours_limit)
    NUM("share", u->share)
    NUM("fairshare", u->fairshare)
#undef NUM
    jw_int(w, "running", u->running);
    jw_int(w, "queued", u->queued);
    jw_int(w, "concurrent_limit", u->concurrent_limit);
    jw_int(w, "queued_limit", u->queued_limit);
    jw_close(w, '}');
}

void api_usage(web_req *r)
{
    at_jobs *j = need_jobs(r);
    if (!j)
        return;
    at_jobs_usage u;
    at_status st = at_jobs_usage_of(j, "user", r->actor.name, &u);
    at_project *ps = NULL;
    size_t n = 0;
    if (!st)
        st = at_room_user_projects(r->room, r->actor.user_id, &ps, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "usage");
    usage_json(&w, "user", r->actor.name, &u);
    for (size_t i = 0; i < n; i++)
        if (at_jobs_usage_of(j, "project", ps[i].name, &u) == AT_OK)
            usage_json(&w, "project", ps[i].name, &u);
    jw_close(&w, ']');
    jw_end(&w);
    at_free(ps);
}
