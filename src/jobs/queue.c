/* The queue in the catalog: the jobs module's tables, opening the
 * service, submission with its quotas, listing, cancellation, and reading
 * a job's log and progress events. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const jobs_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE jobs("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " project_id INTEGER NOT NULL REFERENCES projects(id),"
    " kind TEXT NOT NULL,"
    " name TEXT NOT NULL DEFAULT '',"
    " spec TEXT NOT NULL,"
    " state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 6),"
    " cores INTEGER NOT NULL, gpus INTEGER NOT NULL, memory_mb INTEGER NOT NULL, time_limit INTEGER NOT NULL,"
    " submitted INTEGER NOT NULL, started INTEGER NOT NULL DEFAULT 0, ended INTEGER NOT NULL DEFAULT 0,"
    " attempt INTEGER NOT NULL DEFAULT 0,"
    " executor TEXT NOT NULL DEFAULT '', station TEXT NOT NULL DEFAULT '',"
    " external_id TEXT NOT NULL DEFAULT '', gpu_list TEXT NOT NULL DEFAULT '',"
    " cancel_requested INTEGER NOT NULL DEFAULT 0,"
    " exit_code INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '',"
    " result TEXT NOT NULL DEFAULT '',"
    " phase TEXT NOT NULL DEFAULT '', step INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,"
    " priority REAL NOT NULL DEFAULT 0,"
    " charged_core_s REAL NOT NULL DEFAULT 0, charged_gpu_s REAL NOT NULL DEFAULT 0) STRICT;"
    "CREATE INDEX jobs_active ON jobs(state, id) WHERE state < 3;"
    "CREATE INDEX jobs_user ON jobs(user_id, id);"
    "CREATE INDEX jobs_project ON jobs(project_id, id);"
    "CREATE INDEX jobs_ended ON jobs(ended);"
    "CREATE TABLE job_usage(entity TEXT PRIMARY KEY, usage REAL NOT NULL, updated INTEGER NOT NULL) STRICT;"
    "CREATE TABLE job_datasets("
    " id INTEGER PRIMARY KEY,"
    " project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, vault_id TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK(kind IN ('code', 'result', 'data')),"
    " synthetic INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
    " UNIQUE(project_id, name)) STRICT;"
    "CREATE TABLE job_snapshots("
    " dataset_id INTEGER NOT NULL REFERENCES job_datasets(id) ON DELETE CASCADE,"
    " snapshot TEXT NOT NULL, job_id INTEGER REFERENCES jobs(id), user_id INTEGER REFERENCES users(id),"
    " created INTEGER NOT NULL, PRIMARY KEY(dataset_id, snapshot)) STRICT;"
    "CREATE TABLE job_lineage("
    " job_id INTEGER NOT NULL REFERENCES jobs(id),"
    " role TEXT NOT NULL CHECK(role IN ('input', 'code', 'result')),"
    " dataset TEXT NOT NULL, snapshot TEXT NOT NULL) STRICT;"
    "CREATE INDEX job_lineage_job ON job_lineage(job_id);"
    "CREATE INDEX job_lineage_snapshot ON job_lineage(snapshot);",
};
const int jobs_migration_count = (int)(sizeof jobs_migrations / sizeof *jobs_migrations);

char *jobs_details(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return at_strdup(buf);
}

void jobs_entity_key(char *out, size_t cap, const char *kind, const char *name)
{
    snprintf(out, cap, "%c:%s", kind[0], name);
}

char *jobs_job_file_dir(const char *room_dir, int64_t id, const char *name)
{
    char rel[128];
    if (name)
        snprintf(rel, sizeof rel, "jobs/%lld/%s", (long long)id, name);
    else
        snprintf(rel, sizeof rel, "jobs/%lld", (long long)id);
    return at_path_join(room_dir, rel);
}

char *jobs_job_dir(const at_jobs *j, int64_t id)
{
    return jobs_job_file_dir(j->dir, id, NULL);
}

char *jobs_job_file(const at_jobs *j, int64_t id, const char *name)
{
    return jobs_job_file_dir(j->dir, id, name);
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

void jobs_row(sqlite3_stmt *s, at_job *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    copy_col(s, 1, o->user, sizeof o->user);
    copy_col(s, 2, o->project, sizeof o->project);
    copy_col(s, 3, o->kind, sizeof o->kind);
    copy_col(s, 4, o->name, sizeof o->name);
    o->state = (at_job_state)sqlite3_column_int(s, 5);
    o->cores = sqlite3_column_int(s, 6);
    o->gpus = sqlite3_column_int(s, 7);
    o->memory_mb = sqlite3_column_int64(s, 8);
    o->time_limit = sqlite3_column_int64(s, 9);
    o->submitted = (time_t)sqlite3_column_int64(s, 10);
    o->started = (time_t)sqlite3_column_int64(s, 11);
    o->ended = (time_t)sqlite3_column_int64(s, 12);
    o->attempt = sqlite3_column_int(s, 13);
    copy_col(s, 14, o->executor, sizeof o->executor);
    copy_col(s, 15, o->station, sizeof o->station);
    copy_col(s, 16, o->external_id, sizeof o->external_id);
    copy_col(s, 17, o->gpu_list, sizeof o->gpu_list);
    o->cancel_requested = sqlite3_column_int(s, 18);
    o->exit_code = sqlite3_column_int(s, 19);
    copy_col(s, 20, o->reason, sizeof o->reason);
    copy_col(s, 21, o->result, sizeof o->result);
    copy_col(s, 22, o->phase, sizeof o->phase);
    o->step = (uint64_t)sqlite3_column_int64(s, 23);
    o->total = (uint64_t)sqlite3_column_int64(s, 24);
    o->priority = sqlite3_column_double(s, 25);
}

/* ---- open and close ---- */

void jobs_default_engine(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0) {
        out[0] = '\0';
        return;
    }
    out[n] = '\0';
    /* the front end hands its commands to atelier-engine beside it */
    char *slash = strrchr(out, '/');
    if (slash && strcmp(slash + 1, "atelier-engine") && (size_t)(slash - out) + 16 < cap)
        snprintf(slash + 1, cap - (size_t)(slash + 1 - out), "atelier-engine");
}

at_status at_jobs_open(at_room *room, at_jobs **out)
{
    *out = NULL;
    at_jobs *j = at_calloc(1, sizeof *j);
    if (!j)
        return AT_ERR_NOMEM;
    j->room = room;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    pthread_mutex_init(&j->tick_mu, NULL);
    at_status st = AT_OK;
    j->dir = at_strdup(at_room_dir(room));
    j->jobs_dir = j->dir ? at_path_join(j->dir, "jobs") : NULL;
    if (!j->dir || !j->jobs_dir)
        st = AT_ERR_NOMEM;
    at_jobs_conf_defaults(&j->conf);
    char *conf = st ? NULL : at_path_join(j->dir, "room.conf");
    if (conf && access(conf, F_OK) == 0)
        st = jobs_conf_read_all(conf, &j->conf, &j->named);
    at_free(conf);
    if (!st && !j->conf.engine[0])
        jobs_default_engine(j->conf.engine, sizeof j->conf.engine);
    if (!st && !j->conf.scratch[0])
        snprintf(j->conf.scratch, sizeof j->conf.scratch, "%s/scratch", j->jobs_dir);
    if (!st)
        st = at_mkdir_p(j->jobs_dir, 0700);
    if (!st)
        st = at_room_db_migrate(room, "jobs", jobs_migrations, jobs_migration_count);
    if (!st)
        st = jobs_vault_open(j->dir, room, &j->vault);
    if (gethostname(j->host, sizeof j->host - 1) != 0 || !j->host[0])
        snprintf(j->host, sizeof j->host, "head");
    char *dot = strchr(j->host, '.');
    if (dot)
        *dot = '\0';
    if (st) {
        at_jobs_close(j);
        return st;
    }
    *out = j;
    return AT_OK;
}

void at_jobs_close(at_jobs *j)
{
    if (!j)
        return;
    at_jobs_stop(j);
    at_vault_close(j->vault);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->tick_mu);
    at_free(j->dir);
    at_free(j->jobs_dir);
    at_free(j);
}

const at_jobs_conf *at_jobs_config(const at_jobs *j)
{
    return &j->conf;
}

at_room *at_jobs_room(at_jobs *j)
{
    return j->room;
}

/* ---- usage and quotas ---- */

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
static at_status check_quota(at_jobs *j, at_room_db *db, const char *kind, const char *name, int64_t who,
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

static at_status id_of(at_room_db *db, const char *sql, const char *name, int64_t *id)
{
    sqlite3_stmt *s = at_room_db_stmt(db, sql);
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? AT_OK : at_error_set(AT_ERR_NOT_FOUND, "no such user or project: %s", name);
}

/* Resolve a snapshot text (prefix or "latest") of a vault dataset among
 * the snapshots the catalog publishes (job_snapshots): a manifest the
 * catalog never published (a writer that died between the two) is never
 * an input. */
static at_status resolve_snapshot(at_room_db *db, const char *dataset_hex, const char *text,
                                  char out[AT_VAULT_SNAPSHOT_HEX])
{
    if (!text || !*text)
        text = "latest";
    int latest = !strcmp(text, "latest");
    size_t tl = strlen(text);
    if (!latest && (tl < 4 || tl > 64 || strspn(text, "0123456789abcdefABCDEF") != tl))
        return at_error_set(AT_ERR_ARG, "a snapshot is 'latest' or 4 to 64 hex digits");
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT s.snapshot FROM job_snapshots s JOIN job_datasets d ON "
                            "d.id = s.dataset_id WHERE d.vault_id = ? ORDER BY s.created, s.rowid");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, dataset_hex, -1, SQLITE_TRANSIENT);
    int found = 0;
    char got[AT_VAULT_SNAPSHOT_HEX] = "";
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        if (!latest && strncasecmp(id, text, tl))
            continue;
        if (!latest && found && strcmp(got, id)) {
            found = 2;
            break;
        }
        snprintf(got, sizeof got, "%s", id);
        found = 1;
    }
    sqlite3_reset(s);
    if (found == 2)
        return at_error_set(AT_ERR_ARG, "snapshot '%s' is ambiguous", text);
    if (!found)
        return at_error_set(AT_ERR_NOT_FOUND, "no snapshot %s", text);
    snprintf(out, AT_VAULT_SNAPSHOT_HEX, "%s", got);
    return AT_OK;
}

at_status at_jobs_submit(at_jobs *j, const char *user, at_job_spec *spec, int64_t *id)
{
    if (id)
        *id = 0;
    if (!at_job_kind_valid(spec->kind))
        return at_error_set(AT_ERR_ARG, "job: unknown kind '%.32s'", spec->kind);
    if (!at_room_name_valid(spec->project))
        return at_error_set(AT_ERR_ARG, "job: a project is required");
    if (!spec->time_limit)
        spec->time_limit = j->conf.default_time;
    if (spec->time_limit > j->conf.max_time)
        return at_error_set(AT_ERR_ARG, "job: a time limit of %lld s is over the room's longest, %lld s",
                            (long long)spec->time_limit, (long long)j->conf.max_time);
    if (strcmp(j->conf.executor, "slurm") &&
        (spec->cores > j->conf.cores || spec->gpus > j->conf.gpus || spec->memory_mb > j->conf.memory_mb))
        return at_error_set(
            AT_ERR_ARG,
            "job: asks %d cores, %d GPUs, %lld MiB; the station has %d cores, %d GPUs, %lld MiB "
            "for jobs",
            spec->cores, spec->gpus, (long long)spec->memory_mb, j->conf.cores, j->conf.gpus,
            (long long)j->conf.memory_mb);
    time_t now = at_room_now();
    at_room_db *db = at_room_db_get(j->room);
    int64_t uid = 0, pid = 0;
    at_status st = at_room_db_begin(db);
    if (!st)
        st = id_of(db, "SELECT id FROM users WHERE name = ?", user, &uid);
    if (!st)
        st = id_of(db, "SELECT id FROM projects WHERE name = ?", spec->project, &pid);
    at_project_role role = AT_PROJECT_NONE;
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "SELECT role FROM members WHERE project_id = ? AND user_id = ?");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int64(s, 1, pid);
            sqlite3_bind_int64(s, 2, uid);
            if (sqlite3_step(s) == SQLITE_ROW)
                role = at_room_project_role_parse((const char *)sqlite3_column_text(s, 0));
            sqlite3_reset(s);
            if (role == AT_PROJECT_NONE)
                st =
                    at_error_set(AT_ERR_DENIED, "job: %s is not a member of project %s", user, spec->project);
        }
    }
    /* inputs and code: the project's own datasets, resolved to full ids */
    for (size_t i = 0; !st && i < spec->input_count; i++) {
        at_job_input *in = &spec->inputs[i];
        int synthetic = 0;
        st = jobs_dataset_ensure(j, db, pid, in->dataset, NULL, 0, 0, in->dataset_id, &synthetic);
        if (st == AT_ERR_NOT_FOUND)
            st = at_error_set(AT_ERR_NOT_FOUND, "job: project %s has no dataset '%s'", spec->project,
                              in->dataset);
        if (!st && role == AT_PROJECT_STUDENT && !synthetic)
            st = at_error_set(AT_ERR_DENIED,
                              "job: a student may use synthetic datasets only; '%s' is not one", in->dataset);
        if (!st)
            st = resolve_snapshot(db, in->dataset_id, in->snapshot, in->snapshot);
        if (st)
            at_error_prefix(st, "job: input %s", in->dataset);
    }
    char code_ds[AT_VAULT_DATASET_HEX] = "";
    if (!st && spec->code[0]) {
        st = jobs_dataset_ensure(j, db, pid, "code", NULL, 0, 0, code_ds, NULL);
        if (st == AT_ERR_NOT_FOUND)
            st = at_error_set(AT_ERR_NOT_FOUND, "job: project %s has no code yet: atelier code push DIR",
                              spec->project);
        if (!st)
            st = resolve_snapshot(db, code_ds, spec->code, spec->code);
        if (!st)
            snprintf(spec->code_dataset, sizeof spec->code_dataset, "%s", code_ds);
    }
    if (!st)
        st = jobs_dataset_ensure(j, db, pid, "results", "result", 0, 1, spec->result_dataset, NULL);
    if (!st)
        snprintf(spec->user, sizeof spec->user, "%s", user);
    if (!st)
        st = check_quota(j, db, "user", user, uid, spec, now);
    if (!st)
        st = check_quota(j, db, "project", spec->project, pid, spec, now);
    char *json = NULL;
    if (!st)
        st = at_job_spec_json(spec, &json);
    int64_t job_id = 0;
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "INSERT INTO jobs(user_id, project_id, kind, name, spec, "
                                              "state, cores, gpus, memory_mb, time_limit, "
                                              "submitted) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int64(s, 1, uid);
            sqlite3_bind_int64(s, 2, pid);
            sqlite3_bind_text(s, 3, spec->kind, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, spec->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 5, json, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(s, 6, spec->cores);
            sqlite3_bind_int(s, 7, spec->gpus);
            sqlite3_bind_int64(s, 8, spec->memory_mb);
            sqlite3_bind_int64(s, 9, spec->time_limit);
            sqlite3_bind_int64(s, 10, now);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "job insert");
            sqlite3_reset(s);
            job_id = at_room_db_last_id(db);
        }
    }
    if (!st) {
        char object[48];
        snprintf(object, sizeof object, "job:%lld", (long long)job_id);
        char *d = jobs_details("{\"project\":\"%s\",\"kind\":\"%s\",\"cores\":%d,\"gpus\":%d,\"time\":%lld,"
                               "\"inputs\":%zu}",
                               spec->project, spec->kind, spec->cores, spec->gpus,
                               (long long)spec->time_limit, spec->input_count);
        st = d ? at_room_db_audit(db, user, "job.submit", object, d) : AT_ERR_NOMEM;
        at_free(d);
    }
    /* the job's folder and its spec, before the row is visible */
    if (!st) {
        char *dir = jobs_job_dir(j, job_id), *path = jobs_job_file(j, job_id, "spec.json");
        st = dir && path ? at_mkdir_p(dir, 0700) : AT_ERR_NOMEM;
        if (!st)
            st = at_file_write_atomic(path, json, strlen(json));
        at_free(dir);
        at_free(path);
    }
    if (!st)
        st = at_room_db_commit(j->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(j->room, db);
    at_free(json);
    if (!st) {
        if (id)
            *id = job_id;
        at_jobs_wake(j);
    }
    return st;
}

at_status at_jobs_get(at_jobs *j, int64_t id, at_job *out)
{
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT " JOBS_COLUMNS "WHERE j.id = ?");
    at_status st = AT_OK;
    if (!s) {
        st = AT_ERR_IO;
    } else {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW)
            jobs_row(s, out);
        else
            st = at_error_set(AT_ERR_NOT_FOUND, "no job %lld", (long long)id);
        sqlite3_reset(s);
    }
    at_room_db_put(j->room, db);
    return st;
}

at_status at_jobs_spec_text(at_jobs *j, int64_t id, char **out)
{
    *out = NULL;
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT spec FROM jobs WHERE id = ?");
    at_status st = AT_OK;
    if (!s) {
        st = AT_ERR_IO;
    } else {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW)
            st = (*out = at_strdup((const char *)sqlite3_column_text(s, 0))) ? AT_OK : AT_ERR_NOMEM;
        else
            st = at_error_set(AT_ERR_NOT_FOUND, "no job %lld", (long long)id);
        sqlite3_reset(s);
    }
    at_room_db_put(j->room, db);
    return st;
}

at_status at_jobs_list(at_jobs *j, const at_job_filter *f, at_job **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    int64_t limit = f && f->limit > 0 ? f->limit : 500;
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT " JOBS_COLUMNS
                                          "WHERE (?1 IS NULL OR u.name = ?1) AND (?2 IS NULL OR p.name = ?2) "
                                          "AND (?3 = 0 OR j.state < 3) ORDER BY j.id DESC LIMIT ?4");
    at_status st = AT_OK;
    size_t cap = 0;
    if (!s) {
        st = AT_ERR_IO;
    } else {
        if (f && f->user)
            sqlite3_bind_text(s, 1, f->user, -1, SQLITE_TRANSIENT);
        if (f && f->project)
            sqlite3_bind_text(s, 2, f->project, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 3, f && f->active_only);
        sqlite3_bind_int64(s, 4, limit);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            jobs_row(s, &(*out)[(*count)++]);
        }
        if (!st && rc != SQLITE_DONE)
            st = at_room_db_error(db, "job list");
        sqlite3_reset(s);
    }
    at_room_db_put(j->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}

at_status at_jobs_cancel(at_jobs *j, const char *by, int64_t id)
{
    at_room_db *db = at_room_db_get(j->room);
    at_status st = at_room_db_begin(db);
    int state = -1;
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT state FROM jobs WHERE id = ?");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int64(s, 1, id);
            if (sqlite3_step(s) == SQLITE_ROW)
                state = sqlite3_column_int(s, 0);
            sqlite3_reset(s);
            if (state < 0)
                st = at_error_set(AT_ERR_NOT_FOUND, "no job %lld", (long long)id);
            else if (at_job_state_final((at_job_state)state))
                st = at_error_set(AT_ERR_ARG, "job %lld has ended already (%s)", (long long)id,
                                  at_job_state_name((at_job_state)state));
        }
    }
    if (!st) {
        /* a queued job ends now; a started one is stopped by the service */
        sqlite3_stmt *s = at_room_db_stmt(
            db, state == AT_JOB_QUEUED ? "UPDATE jobs SET state = 5, ended = ?2, cancel_requested = 1, "
                                         "reason = 'cancelled while queued' "
                                         "WHERE id = ?1 AND state = 0"
                                       : "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND state < 3");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int64(s, 1, id);
            if (state == AT_JOB_QUEUED)
                sqlite3_bind_int64(s, 2, at_room_now());
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "job cancel");
            sqlite3_reset(s);
        }
    }
    if (!st) {
        char object[48];
        snprintf(object, sizeof object, "job:%lld", (long long)id);
        st = at_room_db_audit(db, by, state == AT_JOB_QUEUED ? "job.end" : "job.cancel", object,
                              state == AT_JOB_QUEUED ? "{\"state\":\"cancelled\",\"while\":\"queued\"}"
                                                     : NULL);
    }
    if (!st)
        st = at_room_db_commit(j->room, db);
    at_room_db_put(j->room, db);
    if (!st)
        at_jobs_wake(j);
    return st;
}

/* ---- logs and events ---- */

at_status at_jobs_log(at_jobs *j, int64_t id, int64_t offset, size_t max, char **out, size_t *len,
                      int64_t *size)
{
    *out = NULL;
    *len = 0;
    *size = 0;
    char *path = jobs_job_file(j, id, "log");
    if (!path)
        return AT_ERR_NOMEM;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    at_free(path);
    if (fd < 0) {
        *out = at_strdup("");
        return *out ? AT_OK : AT_ERR_NOMEM;
    }
    struct stat sb;
    fstat(fd, &sb);
    *size = sb.st_size;
    if (offset < 0) /* from the end: the tail */
        offset = sb.st_size + offset < 0 ? 0 : sb.st_size + offset;
    if (offset > sb.st_size)
        offset = sb.st_size;
    size_t want = (size_t)(sb.st_size - offset) < max ? (size_t)(sb.st_size - offset) : max;
    char *buf = at_malloc(want + 1);
    if (!buf) {
        close(fd);
        return AT_ERR_NOMEM;
    }
    ssize_t n = pread(fd, buf, want, offset);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    *out = buf;
    *len = (size_t)n;
    return AT_OK;
}

at_status at_jobs_events(at_jobs *j, int64_t id, int64_t from, size_t max, char **out, size_t *len,
                         int64_t *next)
{
    *out = NULL;
    *len = 0;
    *next = from;
    char *path = jobs_job_file(j, id, "progress.jsonl");
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data = NULL;
    size_t n = 0;
    at_status st = at_file_read(path, 64u << 20, &data, &n);
    at_free(path);
    if (st) {
        at_error_clear();
        *out = at_strdup("");
        return *out ? AT_OK : AT_ERR_NOMEM;
    }
    at_buf b;
    at_buf_init(&b, 16u << 20);
    int64_t line = 0;
    size_t taken = 0;
    char *p = (char *)data, *end = p + n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a line being written */
        if (line >= from && taken < max) {
            st = at_buf_append(&b, p, (size_t)(nl - p) + 1);
            if (st)
                break;
            taken++;
            *next = line + 1;
        }
        line++;
        p = nl + 1;
    }
    at_free(data);
    if (!st)
        st = at_buf_putc(&b, '\0');
    if (st) {
        at_buf_free(&b);
        return st;
    }
    *len = b.len - 1;
    *out = (char *)at_buf_steal(&b, NULL);
    return *out ? AT_OK : AT_ERR_NOMEM;
}

at_status at_jobs_last_event(at_jobs *j, int64_t id, char *out, size_t cap, int64_t *count)
{
    out[0] = '\0';
    *count = 0;
    char *path = jobs_job_file(j, id, "progress.jsonl");
    FILE *f = path ? fopen(path, "r") : NULL;
    at_free(path);
    if (!f)
        return AT_OK;
    /* the lines, counted by chunks; the last full line kept */
    char chunk[65536], line[JOBS_EVENT_MAX + 1];
    size_t n, len = 0;
    int overflow = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
                if (!overflow && len) {
                    line[len] = '\0';
                    snprintf(out, cap, "%s", line);
                }
                (*count)++;
                len = 0;
                overflow = 0;
            } else if (len < JOBS_EVENT_MAX) {
                line[len++] = chunk[i];
            } else {
                overflow = 1;
            }
        }
    }
    fclose(f);
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
    at_status st = id_of(
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
