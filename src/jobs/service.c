/* The service: one thread in the server that, every tick, records the
 * attempts that ended (from their status files: exactly once, by a
 * conditional update), follows the running jobs (their runner's lock on
 * the head station, Slurm's state otherwise), stops the cancelled and the
 * overdue, requeues a job whose runner is gone without a word, and starts
 * queued jobs in fair-share order where they fit. A restart runs the same
 * tick first: jobs left by an earlier process are re-attached, recorded
 * or requeued, never lost and never run twice at once. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void at_jobs_wake(at_jobs *j)
{
    pthread_mutex_lock(&j->mu);
    j->wake = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static at_status list_active(at_jobs *j, at_job **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT " JOBS_COLUMNS "WHERE j.state IN (1, 2) ORDER BY j.id");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        st = AT_GROW(*out, cap, *n + 1);
        if (st)
            break;
        jobs_row(s, &(*out)[(*n)++]);
    }
    if (s)
        sqlite3_reset(s);
    at_room_db_put(j->room, db);
    return st;
}

static char *read_small(const char *path)
{
    unsigned char *d = NULL;
    size_t n = 0;
    if (at_file_read(path, JOBS_STATUS_MAX, &d, &n) != AT_OK) {
        at_error_clear();
        return NULL;
    }
    return (char *)d;
}

static char *attempt_file(const at_jobs *j, const at_job *job, const char *what)
{
    char name[64];
    snprintf(name, sizeof name, "%s.%d", what, job->attempt);
    return jobs_job_file(j, job->id, name);
}

/* queued again (attempt kept: the next start counts the next one), or
 * failed when its attempts are spent or it was being cancelled */
static at_status requeue(at_jobs *j, const at_job *job, const char *why)
{
    int give_up = job->attempt >= j->conf.max_attempts || job->cancel_requested;
    at_room_db *db = at_room_db_get(j->room);
    at_status st = at_room_db_begin(db);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(
            db, give_up
                    ? "UPDATE jobs SET state = ?3, ended = ?4, reason = ?5 WHERE id = ?1 AND attempt = ?2 "
                      "AND state IN (1, 2)"
                    : "UPDATE jobs SET state = 0, reason = ?5, external_id = '', gpu_list = '', station = '' "
                      "WHERE id = ?1 AND attempt = ?2 AND state IN (1, 2)");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int64(s, 1, job->id);
            sqlite3_bind_int(s, 2, job->attempt);
            if (give_up) {
                sqlite3_bind_int(s, 3, job->cancel_requested ? AT_JOB_CANCELLED : AT_JOB_FAILED);
                sqlite3_bind_int64(s, 4, at_room_now());
            }
            char reason[256];
            snprintf(reason, sizeof reason, "%s%s", why, give_up ? "" : "; requeued");
            sqlite3_bind_text(s, 5, reason, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "job requeue");
            sqlite3_reset(s);
        }
    }
    if (!st && at_room_db_changes(db)) {
        char object[48];
        snprintf(object, sizeof object, "job:%lld", (long long)job->id);
        char *d = jobs_details(
            "{\"attempt\":%d,\"why\":\"%s\"%s}", job->attempt, why,
            give_up ? (job->cancel_requested ? ",\"state\":\"cancelled\"" : ",\"state\":\"failed\"") : "");
        st = d ? at_room_db_audit(db, job->user, give_up ? "job.end" : "job.requeue", object, d)
               : AT_ERR_NOMEM;
        at_free(d);
    }
    if (!st)
        st = at_room_db_commit(j->room, db);
    at_room_db_put(j->room, db);
    return st;
}

static void set_running(at_jobs *j, const at_job *job)
{
    char *rp = attempt_file(j, job, "running");
    char *text = rp ? read_small(rp) : NULL;
    at_free(rp);
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    at_free(text);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "started");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "host");
    time_t started = cJSON_IsNumber(t) ? (time_t)t->valuedouble : at_room_now();
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s = at_room_db_stmt(
        db, "UPDATE jobs SET state = 2, started = ?, station = CASE WHEN ? = '' THEN station ELSE ? END "
            "WHERE id = ? AND attempt = ? AND state = 1");
    if (s) {
        const char *host = cJSON_IsString(h) ? h->valuestring : "";
        sqlite3_bind_int64(s, 1, started);
        sqlite3_bind_text(s, 2, host, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, host, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, job->id);
        sqlite3_bind_int(s, 5, job->attempt);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    at_room_db_put(j->room, db);
    cJSON_Delete(o);
}

static void set_external(at_jobs *j, const at_job *job, const char *external)
{
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE jobs SET external_id = ? WHERE id = ? AND attempt = ?");
    if (s) {
        sqlite3_bind_text(s, 1, external, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, job->id);
        sqlite3_bind_int(s, 3, job->attempt);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    at_room_db_put(j->room, db);
}

/* Follow one started job. */
static void monitor(at_jobs *j, at_job *job, time_t now)
{
    char *sp = attempt_file(j, job, "status");
    char *status = sp ? read_small(sp) : NULL;
    if (status) {
        if (jobs_finalize(j, job, status) != AT_OK)
            at_log(AT_LOG_ERROR, "job %lld: %s", (long long)job->id, at_error_message());
        at_free(status);
        at_free(sp);
        return;
    }
    int slurm = !strcmp(job->executor, "slurm");
    int alive = 0, pending = 0;
    char sstate[64] = "";
    if (slurm) {
        if (!job->external_id[0] && jobs_slurm_find(j, job->id, job->attempt, job->external_id) == AT_OK &&
            job->external_id[0])
            set_external(j, job, job->external_id);
        if (job->external_id[0] && jobs_slurm_state(j, job->external_id, sstate, sizeof sstate) == AT_OK) {
            pending =
                !strcmp(sstate, "PENDING") || !strcmp(sstate, "CONFIGURING") || !strcmp(sstate, "REQUEUED");
            alive = pending || !strcmp(sstate, "RUNNING") || !strcmp(sstate, "COMPLETING") ||
                    !strcmp(sstate, "SUSPENDED");
        } else if (!job->external_id[0]) {
            alive = 0;
        } else {
            alive = 1; /* Slurm did not answer: ask again at the next tick */
        }
        if (alive && !pending && jobs_lock_held(j, job->id) && job->state == AT_JOB_STARTING)
            set_running(j, job);
    } else {
        alive = jobs_lock_held(j, job->id);
        if (alive && job->state == AT_JOB_STARTING)
            set_running(j, job);
    }
    if (alive) {
        if (job->cancel_requested) {
            if (slurm)
                jobs_slurm_cancel(j, job->external_id);
            else
                jobs_local_signal(j, job, SIGTERM);
        } else if (job->state == AT_JOB_RUNNING && job->started &&
                   now > job->started + job->time_limit + 300) { /* the runner did not stop it: force */
            at_log(AT_LOG_WARN, "job %lld: past its time limit by 5 min: killed", (long long)job->id);
            if (slurm)
                jobs_slurm_cancel(j, job->external_id);
            else
                jobs_local_signal(j, job, SIGKILL);
        }
        at_free(sp);
        return;
    }
    /* the runner is gone: did it finish in between? */
    status = sp ? read_small(sp) : NULL;
    at_free(sp);
    if (status) {
        if (jobs_finalize(j, job, status) != AT_OK)
            at_log(AT_LOG_ERROR, "job %lld: %s", (long long)job->id, at_error_message());
        at_free(status);
        return;
    }
    if (job->state == AT_JOB_STARTING && now - job->started < JOBS_STARTING_GRACE && !(slurm && sstate[0]))
        return; /* a runner just started has a moment to take its lock */
    char why[160];
    if (slurm && sstate[0])
        snprintf(why, sizeof why, "Slurm ended attempt %d as %s without its status", job->attempt, sstate);
    else
        snprintf(why, sizeof why, "the runner of attempt %d is gone without its status", job->attempt);
    at_log(AT_LOG_WARN, "job %lld: %s", (long long)job->id, why);
    requeue(j, job, why);
}

/* ---- starting ---- */

static at_status start_job(at_jobs *j, int64_t id, const char *gpu_list)
{
    time_t now = at_room_now();
    at_job job;
    at_status st = at_jobs_get(j, id, &job);
    if (st)
        return st;
    if (job.state != AT_JOB_QUEUED)
        return AT_OK;
    job.attempt++;
    snprintf(job.gpu_list, sizeof job.gpu_list, "%s", gpu_list ? gpu_list : "");
    /* the attempt file first: a runner of an older attempt then stops */
    char *ap = jobs_job_file(j, id, "attempt");
    char num[16];
    snprintf(num, sizeof num, "%d", job.attempt);
    st = ap ? at_file_write_atomic(ap, num, strlen(num)) : AT_ERR_NOMEM;
    at_free(ap);
    if (st)
        return st;
    const char *station = strcmp(j->conf.executor, "slurm") ? j->host : "";
    at_room_db *db = at_room_db_get(j->room);
    st = at_room_db_begin(db);
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "UPDATE jobs SET state = 1, attempt = ?, executor = ?, station = ?, "
                                "started = ?, gpu_list = ?, external_id = '' WHERE id = ? AND state = 0");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int(s, 1, job.attempt);
            sqlite3_bind_text(s, 2, j->conf.executor, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, station, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 4, now);
            sqlite3_bind_text(s, 5, job.gpu_list, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 6, id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "job start");
            sqlite3_reset(s);
        }
    }
    if (!st) {
        char object[48];
        snprintf(object, sizeof object, "job:%lld", (long long)id);
        char *d = jobs_details("{\"attempt\":%d,\"executor\":\"%s\",\"station\":\"%s\",\"gpus\":\"%s\"}",
                               job.attempt, j->conf.executor, station, job.gpu_list);
        st = d ? at_room_db_audit(db, job.user, "job.start", object, d) : AT_ERR_NOMEM;
        at_free(d);
    }
    if (!st)
        st = at_room_db_commit(j->room, db);
    at_room_db_put(j->room, db);
    if (st)
        return st;
    job.state = AT_JOB_STARTING;
    job.started = now;
    char external[32] = "";
    if (!strcmp(j->conf.executor, "slurm")) {
        st = jobs_slurm_submit(j, &job, external);
    } else {
        pid_t pid = 0;
        st = jobs_local_start(j, &job, &pid);
        if (!st)
            snprintf(external, sizeof external, "%ld", (long)pid);
    }
    if (st) {
        at_log(AT_LOG_ERROR, "job %lld: %s", (long long)id, at_error_message());
        char why[300];
        snprintf(why, sizeof why, "could not be started: %.200s", at_error_message());
        requeue(j, &job, why);
        return st;
    }
    set_external(j, &job, external);
    return AT_OK;
}

/* ---- the scheduling pass ---- */

typedef struct {
    int64_t *ids;
    size_t n, cap;
} idmap;

static int idx_of(idmap *m, int64_t id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == id)
            return (int)i;
    if (AT_GROW(m->ids, m->cap, m->n + 1))
        return -1;
    m->ids[m->n] = id;
    return (int)m->n++;
}

static int schedule(at_jobs *j, const at_job *active, size_t nactive, time_t now, int dry, size_t *queued_out,
                    size_t *pickable_out)
{
    int slurm = !strcmp(j->conf.executor, "slurm");
    at_sched_state ss = {.now = (double)now,
                         .weight_fairshare = j->conf.weight_fairshare,
                         .weight_age = j->conf.weight_age,
                         .max_age_s = j->conf.max_age_s};
    int gpu_taken[AT_JOBS_GPUS_MAX] = {0};
    int pending = 0;
    if (slurm) {
        for (size_t i = 0; i < nactive; i++)
            pending += active[i].state == AT_JOB_STARTING;
        if (pending >= j->conf.slurm_max_pending)
            return 0;
        ss.cores_free = 1 << 30;
        ss.gpus_free = 1 << 30;
        ss.memory_free_mb = (int64_t)1 << 50;
    } else {
        ss.cores_free = j->conf.cores;
        ss.gpus_free = j->conf.gpus;
        ss.memory_free_mb = j->conf.memory_mb;
        for (size_t i = 0; i < nactive; i++) {
            ss.cores_free -= active[i].cores;
            ss.memory_free_mb -= active[i].memory_mb;
            for (const char *p = active[i].gpu_list; *p;) {
                int g = atoi(p);
                if (g >= 0 && g < AT_JOBS_GPUS_MAX && !gpu_taken[g]) {
                    gpu_taken[g] = 1;
                    ss.gpus_free--;
                }
                p = strchr(p, ',');
                if (!p)
                    break;
                p++;
            }
        }
        if (ss.cores_free <= 0)
            return 0;
    }
    /* the queued jobs and their owners' usage */
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT j.id, j.user_id, j.project_id, j.submitted, j.cores, j.gpus, "
                            "j.memory_mb, u.name, p.name FROM jobs j JOIN users u ON u.id = j.user_id "
                            "JOIN projects p ON p.id = j.project_id WHERE j.state = 0");
    at_sched_job *jobs = NULL;
    size_t n = 0, cap = 0;
    idmap um = {0}, pm = {0};
    char(*unames)[AT_ROOM_NAME_MAX + 1] = NULL, (*pnames)[AT_ROOM_NAME_MAX + 1] = NULL;
    size_t ucap = 0, pcap = 0;
    int failed = !s;
    while (!failed && sqlite3_step(s) == SQLITE_ROW) {
        if (AT_GROW(jobs, cap, n + 1)) {
            failed = 1;
            break;
        }
        at_sched_job *jb = &jobs[n++];
        jb->id = sqlite3_column_int64(s, 0);
        jb->user = idx_of(&um, sqlite3_column_int64(s, 1));
        jb->project = idx_of(&pm, sqlite3_column_int64(s, 2));
        jb->submitted = (double)sqlite3_column_int64(s, 3);
        jb->cores = sqlite3_column_int(s, 4);
        jb->gpus = sqlite3_column_int(s, 5);
        jb->memory_mb = sqlite3_column_int64(s, 6);
        if (jb->user < 0 || jb->project < 0) {
            failed = 1;
            break;
        }
        if (AT_GROW(unames, ucap, um.n) || AT_GROW(pnames, pcap, pm.n)) {
            failed = 1;
            break;
        }
        snprintf(unames[jb->user], AT_ROOM_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(s, 7));
        snprintf(pnames[jb->project], AT_ROOM_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(s, 8));
    }
    if (s)
        sqlite3_reset(s);
    int started = 0;
    at_sched_entity *users = NULL, *projects = NULL;
    size_t *picked = NULL;
    if (!failed && n) {
        users = at_calloc(um.n, sizeof *users);
        projects = at_calloc(pm.n, sizeof *projects);
        picked = at_calloc(n, sizeof *picked);
        failed = !users || !projects || !picked;
    }
    if (!failed && n) {
        /* shares, limits, decayed usage, and the running jobs' time so far */
        sqlite3_stmt *u = at_room_db_stmt(db, "SELECT usage, updated FROM job_usage WHERE entity = ?");
        for (int pass = 0; pass < 2 && u; pass++) {
            idmap *m = pass ? &pm : &um;
            at_sched_entity *e = pass ? projects : users;
            for (size_t i = 0; i < m->n; i++) {
                const char *name = pass ? pnames[i] : unames[i], *kind = pass ? "project" : "user";
                e[i].share = jobs_named_value(&j->named, kind, name, "share", 1.0);
                e[i].concurrent_limit =
                    (int)jobs_named_value(&j->named, kind, name, "concurrent",
                                          pass ? j->conf.project_concurrent : j->conf.user_concurrent);
                char key[80];
                jobs_entity_key(key, sizeof key, kind, name);
                sqlite3_reset(u);
                sqlite3_bind_text(u, 1, key, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(u) == SQLITE_ROW)
                    e[i].usage =
                        at_sched_decay(sqlite3_column_double(u, 0),
                                       (double)(now - sqlite3_column_int64(u, 1)), j->conf.half_life_s);
                for (size_t a = 0; a < nactive; a++) {
                    if (strcmp(pass ? active[a].project : active[a].user, name))
                        continue;
                    e[i].running++;
                    if (active[a].state == AT_JOB_RUNNING && active[a].started && now > active[a].started)
                        e[i].usage += (double)(now - active[a].started) *
                                      (active[a].cores + j->conf.gpu_weight * active[a].gpus);
                }
            }
        }
        if (u)
            sqlite3_reset(u);
    }
    at_room_db_put(j->room, db);
    size_t np = 0;
    if (!failed && n)
        np = at_sched_pick(jobs, n, users, um.n, projects, pm.n, &ss, picked);
    if (queued_out)
        *queued_out = n;
    if (pickable_out)
        *pickable_out = np;
    for (size_t k = 0; k < np && !dry; k++) {
        if (slurm && pending + (int)k >= j->conf.slurm_max_pending)
            break;
        at_sched_job *jb = &jobs[picked[k]];
        char gl[64] = "";
        if (!slurm && jb->gpus > 0) {
            int need = jb->gpus;
            for (int g = 0; g < j->conf.gpus && g < AT_JOBS_GPUS_MAX && need; g++)
                if (!gpu_taken[g]) {
                    gpu_taken[g] = 1;
                    size_t l = strlen(gl);
                    snprintf(gl + l, sizeof gl - l, "%s%d", l ? "," : "", g);
                    need--;
                }
        }
        if (start_job(j, jb->id, gl) == AT_OK)
            started++;
    }
    /* the priorities shown by the queue pages, at most every few seconds */
    if (!failed && n && !dry && at_now_seconds() - j->last_recover > 5) {
        j->last_recover = at_now_seconds();
        db = at_room_db_get(j->room);
        if (at_room_db_begin(db) == AT_OK) {
            sqlite3_stmt *p = at_room_db_stmt(db, "UPDATE jobs SET priority = ? WHERE id = ? AND state = 0");
            for (size_t i = 0; p && i < n; i++) {
                sqlite3_bind_double(p, 1, jobs[i].priority);
                sqlite3_bind_int64(p, 2, jobs[i].id);
                sqlite3_step(p);
                sqlite3_reset(p);
            }
            at_room_db_commit(j->room, db);
        }
        at_room_db_put(j->room, db);
    }
    at_free(jobs);
    at_free(users);
    at_free(projects);
    at_free(picked);
    at_free(um.ids);
    at_free(pm.ids);
    at_free(unames);
    at_free(pnames);
    return started;
}

int at_jobs_tick(at_jobs *j)
{
    pthread_mutex_lock(&j->tick_mu);
    time_t now = at_room_now();
    at_job *active = NULL;
    size_t n = 0;
    int started = 0;
    if (list_active(j, &active, &n) == AT_OK) {
        for (size_t i = 0; i < n; i++)
            monitor(j, &active[i], now);
        at_free(active);
        active = NULL;
        if (strcmp(j->conf.executor, "none") && list_active(j, &active, &n) == AT_OK)
            started = schedule(j, active, n, now, 0, NULL, NULL);
    }
    at_free(active);
    at_error_clear();
    pthread_mutex_unlock(&j->tick_mu);
    return started;
}

at_status at_jobs_plan(at_jobs *j, size_t *queued, size_t *startable)
{
    *queued = *startable = 0;
    pthread_mutex_lock(&j->tick_mu);
    at_job *active = NULL;
    size_t n = 0;
    at_status st = list_active(j, &active, &n);
    if (!st)
        schedule(j, active, n, at_room_now(), 1, queued, startable);
    at_free(active);
    pthread_mutex_unlock(&j->tick_mu);
    return st;
}

static void *service_main(void *ud)
{
    at_jobs *j = ud;
    for (;;) {
        at_jobs_tick(j);
        pthread_mutex_lock(&j->mu);
        if (!j->stop && !j->wake) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)j->conf.tick_ms * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&j->cv, &j->mu, &ts);
        }
        j->wake = 0;
        int stop = j->stop;
        pthread_mutex_unlock(&j->mu);
        if (stop)
            break;
    }
    return NULL;
}

at_status at_jobs_start(at_jobs *j)
{
    if (j->thread_started)
        return AT_OK;
    if (!strcmp(j->conf.executor, "local") && j->conf.sandbox && access(j->conf.bwrap, X_OK) != 0)
        at_log(AT_LOG_WARN, "jobs: %s is missing: jobs will fail until bubblewrap is installed",
               j->conf.bwrap);
    j->stop = 0;
    if (pthread_create(&j->thread, NULL, service_main, j) != 0)
        return at_error_set(AT_ERR_IO, "jobs: cannot start the service thread");
    j->thread_started = 1;
    at_log(AT_LOG_INFO, "jobs: executor %s, %d cores, %d GPUs, %lld MiB", j->conf.executor, j->conf.cores,
           j->conf.gpus, (long long)j->conf.memory_mb);
    return AT_OK;
}

void at_jobs_stop(at_jobs *j)
{
    if (!j || !j->thread_started)
        return;
    pthread_mutex_lock(&j->mu);
    j->stop = 1;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->thread, NULL);
    j->thread_started = 0;
}

at_status at_jobs_stations(at_jobs *j, at_jobs_station **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!strcmp(j->conf.executor, "slurm"))
        return jobs_slurm_nodes(j, out, count);
    at_jobs_station *s = at_calloc(1, sizeof *s);
    if (!s)
        return AT_ERR_NOMEM;
    snprintf(s->station, sizeof s->station, "%s", j->host);
    snprintf(s->state, sizeof s->state, "%s", strcmp(j->conf.executor, "none") ? "up" : "queue only");
    s->cores_total = j->conf.cores;
    s->gpus_total = j->conf.gpus;
    at_job *active = NULL;
    size_t n = 0;
    if (list_active(j, &active, &n) == AT_OK)
        for (size_t i = 0; i < n; i++) {
            s->cores_used += active[i].cores;
            s->gpus_used += active[i].gpus;
        }
    at_free(active);
    *out = s;
    *count = 1;
    return AT_OK;
}
