/* The queue in the catalog: the jobs module's tables, opening the
 * service, submission, listing and cancellation. Quotas and usage are in
 * usage.c, a job's log and progress events in logs.c. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The id of a user or project by name (internal.h). */
at_status jobs_id_of(at_room_db *db, const char *sql, const char *name, int64_t *id)
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
        st = jobs_id_of(db, "SELECT id FROM users WHERE name = ?", user, &uid);
    if (!st)
        st = jobs_id_of(db, "SELECT id FROM projects WHERE name = ?", spec->project, &pid);
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
        st = jobs_check_quota(j, db, "user", user, uid, spec, now);
    if (!st)
        st = jobs_check_quota(j, db, "project", spec->project, pid, spec, now);
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
