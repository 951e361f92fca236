/* Usage and quotas of the jobs: charging a finished job, the quotas a new
 * job is checked against, and the usage the pages show. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
at_status jobs_usage_add(at_jobs *j, at_room_db *db, const char *user, const char *project, double core_s,
                         double gpu_s, time_t now)
{
    double add = core_s + j->conf.gpu_weight * gpu_s;
    const char *names[2] = {user, project}, *kinds[2] = {"user", "project"};
    for (int i = 0; i < 2; i++) {
        char key[80];
        jobs_entity_key(key, sizeof key, kinds[i], names[i]);
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT usage, updated FROM job_usage WHERE entity = ?");
        if (!s)
            return AT_ERR_IO;
        sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
        double u = 0;
        if (sqlite3_step(s) == SQLITE_ROW)
            u = at_sched_decay(sqlite3_column_double(s, 0), (double)(now - sqlite3_column_int64(s, 1)),
                               j->conf.half_life_s);
        sqlite3_reset(s);
        s = at_room_db_stmt(
            db, "INSERT INTO job_usage(entity, usage, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(entity) DO UPDATE SET usage = excluded.usage, updated = excluded.updated");
        if (!s)
            return AT_ERR_IO;
        sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 2, u + add);
        sqlite3_bind_int64(s, 3, now);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return at_room_db_error(db, "job usage");
    }
    return AT_OK;
}

typedef struct {
    double core_s_week, gpu_s_week;         /* used in the window */
    double core_s_reserved, gpu_s_reserved; /* active jobs up to their limits */
    int running, queued;
} tally;

/* The user's (column "user_id") or project's usage in the last week. */
static at_status count_usage(at_room_db *db, int by_project, int64_t who, time_t now, tally *t)
{
    memset(t, 0, sizeof *t);
    static const char *const q_user =
        "SELECT state, cores, gpus, time_limit, started, ended, charged_core_s, charged_gpu_s FROM jobs "
        "WHERE user_id = ?1 AND (state < 3 OR ended >= ?2)";
    static const char *const q_project =
        "SELECT state, cores, gpus, time_limit, started, ended, charged_core_s, charged_gpu_s FROM jobs "
        "WHERE project_id = ?1 AND (state < 3 OR ended >= ?2)";
    sqlite3_stmt *s = at_room_db_stmt(db, by_project ? q_project : q_user);
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, who);
    sqlite3_bind_int64(s, 2, now - 7 * 86400);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int state = sqlite3_column_int(s, 0), cores = sqlite3_column_int(s, 1),
            gpus = sqlite3_column_int(s, 2);
        double limit = (double)sqlite3_column_int64(s, 3);
        time_t started = (time_t)sqlite3_column_int64(s, 4);
        if (state >= AT_JOB_SUCCEEDED) {
            t->core_s_week += sqlite3_column_double(s, 6);
            t->gpu_s_week += sqlite3_column_double(s, 7);
        } else {
            double elapsed = state == AT_JOB_RUNNING && started ? (double)(now - started) : 0;
            if (elapsed > limit)
                elapsed = limit;
            t->core_s_week += cores * elapsed;
            t->gpu_s_week += gpus * elapsed;
            t->core_s_reserved += cores * (limit - elapsed);
            t->gpu_s_reserved += gpus * (limit - elapsed);
            if (state == AT_JOB_QUEUED)
                t->queued++;
            else
                t->running++;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : at_room_db_error(db, "job usage");
}

static void iso(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* When enough of the week's usage has aged out for need more seconds (of
 * cores, or of GPUs when gpu): the end of the finished job whose leaving
 * the window frees enough, or 0 when only active jobs hold it. */
static time_t frees_at(at_room_db *db, int by_project, int64_t who, time_t now, double over, int gpu)
{
    static const char *const q_user = "SELECT ended, charged_core_s, charged_gpu_s FROM jobs "
                                      "WHERE user_id = ? AND state >= 3 AND ended >= ? ORDER BY ended";
    static const char *const q_project = "SELECT ended, charged_core_s, charged_gpu_s FROM jobs "
                                         "WHERE project_id = ? AND state >= 3 AND ended >= ? ORDER BY ended";
    sqlite3_stmt *s = at_room_db_stmt(db, by_project ? q_project : q_user);
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, who);
    sqlite3_bind_int64(s, 2, now - 7 * 86400);
    double freed = 0;
    time_t when = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        freed += sqlite3_column_double(s, gpu ? 2 : 1);
        if (freed >= over) {
            when = (time_t)sqlite3_column_int64(s, 0) + 7 * 86400;
            break;
        }
    }
    sqlite3_reset(s);
    return when;
}

/* Check one entity's quotas for a new job; AT_ERR_QUOTA with the message. */
at_status jobs_check_quota(at_jobs *j, at_room_db *db, const char *kind, const char *name, int64_t who,
                           const at_job_spec *spec, time_t now)
{
    int by_project = kind[0] == 'p';
    double core_h = jobs_named_value(&j->named, kind, name, "core_hours",
                                     by_project ? j->conf.project_core_hours : j->conf.user_core_hours);
    double gpu_h = jobs_named_value(&j->named, kind, name, "gpu_hours",
                                    by_project ? j->conf.project_gpu_hours : j->conf.user_gpu_hours);
    double queued = jobs_named_value(&j->named, kind, name, "queued",
                                     by_project ? j->conf.project_queued : j->conf.user_queued);
    tally t;
    at_status st = count_usage(db, by_project, who, now, &t);
    if (st)
        return st;
    char when[32];
    if (queued > 0 && t.queued + 1 > queued)
        return at_error_set(
            AT_ERR_QUOTA,
            "quota: queued jobs of %s %s: %d of %.0f waiting already; it frees when one of them "
            "starts or is cancelled",
            kind, name, t.queued, queued);
    struct {
        const char *label;
        double limit_h, used_s, reserved_s, need_s;
        int gpu;
    } q[2] = {{"core-hours per week", core_h, t.core_s_week, t.core_s_reserved,
               (double)spec->cores * spec->time_limit, 0},
              {"GPU-hours per week", gpu_h, t.gpu_s_week, t.gpu_s_reserved,
               (double)spec->gpus * spec->time_limit, 1}};
    for (int i = 0; i < 2; i++) {
        if (q[i].limit_h <= 0 || q[i].need_s <= 0)
            continue;
        double limit_s = q[i].limit_h * 3600, total = q[i].used_s + q[i].reserved_s + q[i].need_s;
        if (total <= limit_s)
            continue;
        if (q[i].need_s > limit_s)
            return at_error_set(AT_ERR_QUOTA,
                                "quota: %s of %s %s is %.1f; this job alone asks %.1f (its %s x its time "
                                "limit): ask for less time or fewer %s",
                                q[i].label, kind, name, q[i].limit_h, q[i].need_s / 3600,
                                q[i].gpu ? "GPUs" : "cores", q[i].gpu ? "GPUs" : "cores");
        time_t t_free = frees_at(db, by_project, who, now, total - limit_s, q[i].gpu);
        if (t_free)
            iso(t_free, when);
        return at_error_set(
            AT_ERR_QUOTA,
            "quota: %s of %s %s: %.1f used and %.1f reserved by active jobs of %.1f; this job "
            "asks %.1f; %s%s",
            q[i].label, kind, name, q[i].used_s / 3600, q[i].reserved_s / 3600, q[i].limit_h,
            q[i].need_s / 3600, t_free ? "enough frees at " : "it frees as the active jobs end",
            t_free ? when : "");
    }
    return AT_OK;
}

/* ---- usage for the pages ---- */

at_status at_jobs_usage_of(at_jobs *j, const char *kind, const char *name, at_jobs_usage *out)
{
    memset(out, 0, sizeof *out);
    int by_project = !strcmp(kind, "project");
    time_t now = at_room_now();
    at_room_db *db = at_room_db_get(j->room);
    int64_t who = 0;
    at_status st = jobs_id_of(
        db, by_project ? "SELECT id FROM projects WHERE name = ?" : "SELECT id FROM users WHERE name = ?",
        name, &who);
    tally t;
    if (!st)
        st = count_usage(db, by_project, who, now, &t);
    if (!st) {
        out->core_hours_week = t.core_s_week / 3600;
        out->gpu_hours_week = t.gpu_s_week / 3600;
        out->core_hours_reserved = t.core_s_reserved / 3600;
        out->gpu_hours_reserved = t.gpu_s_reserved / 3600;
        out->running = t.running;
        out->queued = t.queued;
        out->core_hours_limit =
            jobs_named_value(&j->named, kind, name, "core_hours",
                             by_project ? j->conf.project_core_hours : j->conf.user_core_hours);
        out->gpu_hours_limit =
            jobs_named_value(&j->named, kind, name, "gpu_hours",
                             by_project ? j->conf.project_gpu_hours : j->conf.user_gpu_hours);
        out->concurrent_limit =
            (int)jobs_named_value(&j->named, kind, name, "concurrent",
                                  by_project ? j->conf.project_concurrent : j->conf.user_concurrent);
        out->queued_limit = (int)jobs_named_value(&j->named, kind, name, "queued",
                                                  by_project ? j->conf.project_queued : j->conf.user_queued);
        out->share = jobs_named_value(&j->named, kind, name, "share", 1.0);
        char key[80];
        jobs_entity_key(key, sizeof key, kind, name);
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT usage, updated FROM job_usage WHERE entity = ?");
        if (s) {
            sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) == SQLITE_ROW)
                out->decayed_usage =
                    at_sched_decay(sqlite3_column_double(s, 0), (double)(now - sqlite3_column_int64(s, 1)),
                                   j->conf.half_life_s);
            sqlite3_reset(s);
        }
        /* the factor against everyone with usage */
        s = at_room_db_stmt(db, "SELECT entity, usage, updated FROM job_usage");
        double total_u = 0, total_s = 0;
        if (s) {
            while (sqlite3_step(s) == SQLITE_ROW) {
                const char *e = (const char *)sqlite3_column_text(s, 0);
                if (!e || e[0] != kind[0])
                    continue;
                total_u += at_sched_decay(sqlite3_column_double(s, 1),
                                          (double)(now - sqlite3_column_int64(s, 2)), j->conf.half_life_s);
                total_s += jobs_named_value(&j->named, kind, e + 2, "share", 1.0);
            }
            sqlite3_reset(s);
        }
        if (out->decayed_usage <= 0)
            total_s += out->share;
        out->fairshare =
            total_u > 0 && total_s > 0 ? exp2(-(out->decayed_usage / total_u) / (out->share / total_s)) : 1;
    }
    at_room_db_put(j->room, db);
    return st;
}
