/* Recording an attempt's end, exactly once: its status file read, the row
 * updated only while the job is still starting or running with that
 * attempt, its usage charged, its results and their lineage published. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The newest progress event (the last full line of progress.jsonl). */
static void last_event(const at_jobs *j, int64_t id, char *phase, size_t cap, int64_t *step, int64_t *total)
{
    char *path = jobs_job_file(j, id, "progress.jsonl");
    FILE *f = path ? fopen(path, "r") : NULL;
    at_free(path);
    if (!f)
        return;
    char buf[JOBS_EVENT_MAX + 2];
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0;
    fseek(f, from, SEEK_SET);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    char *line = strrchr(buf, '\n');
    line = line ? line + 1 : buf;
    cJSON *o = cJSON_Parse(line);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "phase"),
                *s = cJSON_GetObjectItemCaseSensitive(o, "step"),
                *t = cJSON_GetObjectItemCaseSensitive(o, "total");
    if (cJSON_IsString(p)) {
        snprintf(phase, cap, "%s", p->valuestring);
        *step = cJSON_IsNumber(s) ? (int64_t)s->valuedouble : 0;
        *total = cJSON_IsNumber(t) ? (int64_t)t->valuedouble : 0;
    }
    cJSON_Delete(o);
}

static at_status lineage_row(at_room_db *db, int64_t job, const char *role, const char *ds, const char *snap)
{
    sqlite3_stmt *s =
        at_room_db_stmt(db, "INSERT INTO job_lineage(job_id, role, dataset, snapshot) VALUES (?, ?, ?, ?)");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, job);
    sqlite3_bind_text(s, 2, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, ds, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, snap, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AT_OK : at_room_db_error(db, "lineage");
}

at_status jobs_finalize(at_jobs *j, const at_job *job, const char *status_text)
{
    cJSON *o = cJSON_Parse(status_text);
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(o, "state");
    int st_code = cJSON_IsString(state) ? at_job_state_parse(state->valuestring) : -1;
    if (st_code < AT_JOB_SUCCEEDED) {
        cJSON_Delete(o);
        return at_error_set(AT_ERR_FORMAT, "job %lld: attempt %d: a status without a final state",
                            (long long)job->id, job->attempt);
    }
    /* a job asked to stop that ended in failure was cancelled: scancel's
     * signal may reach the job's processes before their runner, which
     * then saw a job killed by a signal (on a loaded machine) */
    if (st_code == AT_JOB_FAILED && job->cancel_requested)
        st_code = AT_JOB_CANCELLED;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(o, "exit"),
                *rs = cJSON_GetObjectItemCaseSensitive(o, "reason"),
                *res = cJSON_GetObjectItemCaseSensitive(o, "result"),
                *t0 = cJSON_GetObjectItemCaseSensitive(o, "started"),
                *t1 = cJSON_GetObjectItemCaseSensitive(o, "ended");
    time_t started = cJSON_IsNumber(t0) ? (time_t)t0->valuedouble : job->started;
    time_t ended = cJSON_IsNumber(t1) ? (time_t)t1->valuedouble : at_room_now();
    if (ended < started)
        ended = started;
    const char *result = cJSON_IsString(res) ? res->valuestring : "";
    if (strlen(result) != AT_VAULT_SNAPSHOT_HEX - 1)
        result = "";
    double secs = (double)(ended - started);
    char phase[32] = "";
    int64_t step = 0, total = 0;
    last_event(j, job->id, phase, sizeof phase, &step, &total);
    char *spec_text = NULL;
    at_job_spec spec;
    at_job_spec_init(&spec);
    at_status st = at_jobs_spec_text(j, job->id, &spec_text);
    if (!st)
        st = at_job_spec_parse(spec_text, strlen(spec_text), &spec);
    at_free(spec_text);
    at_room_db *db = at_room_db_get(j->room);
    if (!st)
        st = at_room_db_begin(db);
    int changed = 0;
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(
            db, "UPDATE jobs SET state = ?, started = ?, ended = ?, exit_code = ?, reason = ?, result = ?, "
                "charged_core_s = cores * ?, charged_gpu_s = gpus * ?, phase = ?, step = ?, total = ? "
                "WHERE id = ? AND attempt = ? AND state IN (1, 2)");
        if (!s) {
            st = AT_ERR_IO;
        } else {
            sqlite3_bind_int(s, 1, st_code);
            sqlite3_bind_int64(s, 2, started);
            sqlite3_bind_int64(s, 3, ended);
            sqlite3_bind_int(s, 4, cJSON_IsNumber(ex) ? (int)ex->valuedouble : -1);
            sqlite3_bind_text(s, 5, cJSON_IsString(rs) ? rs->valuestring : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 6, result, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(s, 7, secs);
            sqlite3_bind_double(s, 8, secs);
            sqlite3_bind_text(s, 9, phase, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 10, step);
            sqlite3_bind_int64(s, 11, total);
            sqlite3_bind_int64(s, 12, job->id);
            sqlite3_bind_int(s, 13, job->attempt);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "job end");
            sqlite3_reset(s);
            changed = at_room_db_changes(db);
        }
    }
    if (!st && changed) {
        for (size_t i = 0; !st && i < spec.input_count; i++)
            st = lineage_row(db, job->id, "input", spec.inputs[i].dataset_id, spec.inputs[i].snapshot);
        if (!st && spec.code[0])
            st = lineage_row(db, job->id, "code", spec.code_dataset, spec.code);
        if (!st && result[0]) {
            st = lineage_row(db, job->id, "result", spec.result_dataset, result);
            sqlite3_stmt *s =
                st ? NULL
                   : at_room_db_stmt(db, "INSERT OR IGNORE INTO job_snapshots(dataset_id, snapshot, job_id, "
                                         "user_id, created) SELECT d.id, ?, ?, j.user_id, ? FROM "
                                         "job_datasets d, jobs j WHERE d.vault_id = ? AND j.id = ?");
            if (!st && !s)
                st = AT_ERR_IO;
            if (s) {
                sqlite3_bind_text(s, 1, result, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(s, 2, job->id);
                sqlite3_bind_int64(s, 3, ended);
                sqlite3_bind_text(s, 4, spec.result_dataset, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(s, 5, job->id);
                if (sqlite3_step(s) != SQLITE_DONE)
                    st = at_room_db_error(db, "result snapshot");
                sqlite3_reset(s);
            }
        }
        if (!st)
            st = jobs_usage_add(j, db, job->user, job->project, job->cores * secs, job->gpus * secs, ended);
        if (!st) {
            char object[48];
            snprintf(object, sizeof object, "job:%lld", (long long)job->id);
            char *d = jobs_details("{\"state\":\"%s\",\"attempt\":%d,\"seconds\":%.0f,\"result\":\"%.16s\"}",
                                   at_job_state_name((at_job_state)st_code), job->attempt, secs, result);
            st = d ? at_room_db_audit(db, job->user, "job.end", object, d) : AT_ERR_NOMEM;
            at_free(d);
        }
        const cJSON *refused = cJSON_GetObjectItemCaseSensitive(o, "refused_network");
        if (!st && cJSON_IsNumber(refused) && refused->valuedouble > 0) {
            char object[48];
            snprintf(object, sizeof object, "job:%lld", (long long)job->id);
            char *d = jobs_details("{\"network\":%.0f,\"attempt\":%d}", refused->valuedouble, job->attempt);
            st = d ? at_room_db_audit(db, job->user, "job.sandbox.refused", object, d) : AT_ERR_NOMEM;
            at_free(d);
        }
    }
    if (!st)
        st = at_room_db_commit(j->room, db);
    at_room_db_put(j->room, db);
    at_job_spec_free(&spec);
    cJSON_Delete(o);
    if (!st && changed)
        at_log(AT_LOG_INFO, "job %lld: %s", (long long)job->id, at_job_state_name((at_job_state)st_code));
    return st;
}
