/* Submissions: the checks before one is accepted (deadline, the day's
 * count, the student's quotas), the job it becomes, and the tick that
 * copies a trained model into the grading project and scores it there in
 * a sandboxed job on the hidden split (grades.c: leaderboard, grades). */
#include "internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MODEL_FILE "model.bin" /* the risk model, the de-identifier's tagger */
#define MODEL_DIR "model"      /* the pseudo-CT model's folder */
#define SCORE_MAX (1u << 20)

static void iso(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void day_of(time_t t, char out[16])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* ---- quotas ---- */

at_status at_course_quota_of(at_classroom *c, const char *course, const char *assignment, const char *user,
                             at_course_quota *q)
{
    memset(q, 0, sizeof *q);
    at_course co;
    at_status st = at_course_get(c, course, &co);
    if (st)
        return st;
    at_assignment a;
    memset(&a, 0, sizeof a);
    if (assignment && (st = at_assignment_get(c, course, assignment, &a)) != AT_OK)
        return st;
    q->core_hours_limit = co.core_hours;
    q->gpu_hours_limit = co.gpu_hours;
    q->concurrent_limit = co.concurrent;
    q->per_day = a.per_day;
    time_t now = at_room_now();
    at_room_db *db = at_room_db_get(c->room);
    int64_t uid = 0;
    st = class_user_id(db, user, &uid);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db,
                             "SELECT j.state, j.cores, j.gpus, j.time_limit, j.started, j.charged_core_s, "
                             "j.charged_gpu_s FROM jobs j JOIN projects p ON p.id = j.project_id "
                             "WHERE j.user_id = ?1 AND p.name = ?2 AND (j.state < 3 OR j.ended >= ?3)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, uid);
        sqlite3_bind_text(s, 2, course, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 3, now - 7 * 86400);
        double core_s = 0, gpu_s = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            int state = sqlite3_column_int(s, 0), cores = sqlite3_column_int(s, 1),
                gpus = sqlite3_column_int(s, 2);
            double limit = (double)sqlite3_column_int64(s, 3);
            time_t started = (time_t)sqlite3_column_int64(s, 4);
            if (state >= 3) {
                core_s += sqlite3_column_double(s, 5);
                gpu_s += sqlite3_column_double(s, 6);
            } else {
                /* an active job counts with its whole time limit: what it may still use is reserved */
                (void)started;
                core_s += cores * limit;
                gpu_s += gpus * limit;
                q->active++;
            }
        }
        sqlite3_reset(s);
        q->core_hours_used = core_s / 3600.0;
        q->gpu_hours_used = gpu_s / 3600.0;
    }
    if (!st && assignment) {
        char day[16];
        day_of(now, day);
        s = at_room_db_stmt(db,
                            "SELECT COUNT(*) FROM class_submissions WHERE assignment_id = ? AND user_id = ? "
                            "AND day = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, a.id);
            sqlite3_bind_int64(s, 2, uid);
            sqlite3_bind_text(s, 3, day, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) == SQLITE_ROW)
                q->used_today = sqlite3_column_int(s, 0);
            sqlite3_reset(s);
        }
        q->remaining_today = q->per_day > q->used_today ? q->per_day - q->used_today : 0;
    }
    at_room_db_put(c->room, db);
    return st;
}

/* ---- submission ---- */

static at_status add_arg(at_job_spec *s, const char *a)
{
    if (s->arg_count >= AT_JOB_ARGS_MAX)
        return at_error_set(AT_ERR_LIMIT, "too many arguments");
    char *d = at_strdup(a);
    if (!d)
        return AT_ERR_NOMEM;
    s->args[s->arg_count++] = d;
    return AT_OK;
}

static void set_input(at_job_input *in, const char *dataset, const char *snapshot, const char *as)
{
    memset(in, 0, sizeof *in);
    snprintf(in->dataset, sizeof in->dataset, "%s", dataset);
    snprintf(in->snapshot, sizeof in->snapshot, "%s", snapshot);
    snprintf(in->as, sizeof in->as, "%s", as);
}

/* The code snapshot a student's script submission runs: their own newest
 * push to the course (given empty or "latest"), or the snapshot given by
 * (a prefix of) its id, which must be one they pushed: the course's code
 * is shared by its students as a project's is, but a submission runs the
 * student's own. */
static at_status student_code(at_classroom *c, const char *course, const char *user, const char *given,
                              char out[AT_VAULT_SNAPSHOT_HEX])
{
    int latest = !given || !*given || !strcmp(given, "latest");
    if (!latest) {
        size_t n = strlen(given);
        if (n < 8 || n >= AT_VAULT_SNAPSHOT_HEX || strspn(given, "0123456789abcdef") != n)
            return at_error_set(AT_ERR_ARG,
                                "submission: a code snapshot is 8 to 64 hexadecimal digits or latest");
    }
    at_room_db *db = at_room_db_get(c->room);
    sqlite3_stmt *s = at_room_db_stmt(
        db,
        "SELECT s.snapshot, COALESCE(u.name, '') FROM job_snapshots s "
        "JOIN job_datasets d ON d.id = s.dataset_id JOIN projects p ON p.id = d.project_id "
        "LEFT JOIN users u ON u.id = s.user_id WHERE p.name = ?1 AND d.name = 'code' "
        "AND ((?2 IS NULL AND u.name = ?3) OR (?2 IS NOT NULL AND substr(s.snapshot, 1, length(?2)) = ?2)) "
        "ORDER BY s.created DESC, s.rowid DESC LIMIT 2");
    at_status st = s ? AT_OK : AT_ERR_IO;
    int rows = 0;
    char owner[AT_ROOM_NAME_MAX + 1] = "";
    if (!st) {
        sqlite3_bind_text(s, 1, course, -1, SQLITE_TRANSIENT);
        if (!latest)
            sqlite3_bind_text(s, 2, given, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, user, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (!rows++) {
                class_copy_col(s, 0, out, AT_VAULT_SNAPSHOT_HEX);
                class_copy_col(s, 1, owner, sizeof owner);
            }
        }
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    if (st)
        return st;
    if (!rows)
        return latest ? at_error_set(AT_ERR_NOT_FOUND,
                                     "submission: no code of yours in course %s yet: atelier code push DIR "
                                     "--project %s",
                                     course, course)
                      : at_error_set(AT_ERR_NOT_FOUND, "submission: course %s has no code snapshot %.16s",
                                     course, given);
    if (!latest && rows > 1)
        return at_error_set(AT_ERR_ARG, "submission: code snapshot %.16s is ambiguous: give more digits",
                            given);
    if (strcmp(owner, user))
        return at_error_set(AT_ERR_DENIED, "submission: code snapshot %.16s is not yours",
                            given ? given : "");
    return AT_OK;
}

at_status at_submission_create(at_classroom *c, const char *user, const char *course, const char *assignment,
                               const at_submission_config *cfg, int64_t *id, int *remaining)
{
    if (id)
        *id = 0;
    if (remaining)
        *remaining = 0;
    at_submission_config dflt = {.kind = "pipeline"};
    if (!cfg)
        cfg = &dflt;
    const char *kind = cfg->kind && *cfg->kind ? cfg->kind : "pipeline";
    if (strcmp(kind, "pipeline") && strcmp(kind, "script"))
        return at_error_set(AT_ERR_ARG, "submission: the kind is pipeline or script");
    if (cfg->C < 0 || cfg->C > 1e6)
        return at_error_set(AT_ERR_ARG, "submission: C is 0 (cross-validated) or positive");
    if (!strcmp(kind, "script") &&
        (!cfg->command || !*cfg->command || strlen(cfg->command) >= AT_JOB_COMMAND_MAX))
        return at_error_set(AT_ERR_ARG, "submission: a script needs a command (writing /out/" MODEL_FILE ")");
    int64_t tl = cfg->time_limit > 0 ? cfg->time_limit : 600;
    pthread_mutex_lock(&c->submit_mu);
    at_assignment a;
    at_course co;
    at_user u;
    at_status st = at_course_get(c, course, &co);
    if (!st)
        st = at_assignment_get(c, course, assignment, &a);
    if (!st)
        st = at_room_user_get(c->room, user, &u);
    if (!st && at_room_member_role(c->room, u.id, course) != AT_PROJECT_STUDENT)
        st = at_error_set(AT_ERR_DENIED, "submission: only the students of course %s submit", course);
    time_t now = at_room_now();
    char when[32];
    iso(a.deadline, when);
    if (!st && now >= a.deadline)
        st = at_error_set(AT_ERR_DENIED, "submission: assignment %s closed at %s; no more submissions",
                          assignment, when);
    at_course_quota q;
    if (!st)
        st = at_course_quota_of(c, course, assignment, user, &q);
    if (!st && q.used_today >= q.per_day)
        st =
            at_error_set(AT_ERR_QUOTA,
                         "submission: %d of %d submissions today for assignment %s are used; the next one is "
                         "possible from 00:00 UTC",
                         q.used_today, q.per_day, assignment);
    if (!st && q.concurrent_limit > 0 && q.active >= q.concurrent_limit)
        st = at_error_set(
            AT_ERR_QUOTA,
            "quota: concurrent jobs of student %s in course %s: %d of %d active; it frees when one "
            "ends",
            user, course, q.active, q.concurrent_limit);
    if (!st && q.core_hours_limit > 0 && q.core_hours_used + (double)tl / 3600.0 > q.core_hours_limit + 1e-9)
        st = at_error_set(
            AT_ERR_QUOTA,
            "quota: core-hours per week of student %s in course %s: %.2f used or reserved of %.2f; "
            "this submission asks %.2f",
            user, course, q.core_hours_used, q.core_hours_limit, (double)tl / 3600.0);
    /* a submission asks no GPU today (the risk and de-identification
     * pipelines run on cores); the check stands for the tasks that will */
    int gpus = 0;
    if (!st && q.gpu_hours_limit > 0 && gpus > 0 &&
        q.gpu_hours_used + (double)gpus * (double)tl / 3600.0 > q.gpu_hours_limit + 1e-9)
        st = at_error_set(
            AT_ERR_QUOTA,
            "quota: GPU-hours per week of student %s in course %s: %.2f used or reserved of %.2f", user,
            course, q.gpu_hours_used, q.gpu_hours_limit);
    at_job_spec spec;
    at_job_spec_init(&spec);
    spec.gpus = gpus;
    char config[AT_JOB_COMMAND_MAX + 512];
    if (!st) {
        snprintf(spec.project, sizeof spec.project, "%s", course);
        snprintf(spec.name, sizeof spec.name, "%s-%s", assignment, user);
        spec.cores = 1;
        spec.memory_mb = 2048;
        spec.time_limit = tl;
        spec.input_count = 1;
        set_input(&spec.inputs[0], a.train_dataset, "latest", "train");
        int deid = !strcmp(a.task, "deid-f1"), sct = !strcmp(a.task, "sct-mae");
        if (!strcmp(kind, "pipeline") && sct) {
            /* the 2.5D U-Net on the training patients, within the job's time */
            snprintf(spec.kind, sizeof spec.kind, "sct-train");
            char ep[32], mins[32];
            snprintf(ep, sizeof ep, "%d", cfg->epochs > 0 && cfg->epochs <= 200 ? cfg->epochs : 10);
            snprintf(mins, sizeof mins, "%.2f", (double)(tl > 120 ? tl - 60 : tl / 2) / 60.0);
            const char *args[] = {"/data/train", "-o", "/out/" MODEL_DIR, "--epochs", ep,
                                  "--minutes",   mins, "--threads",       "1",        "--quiet"};
            for (size_t k = 0; !st && k < sizeof args / sizeof *args; k++)
                st = add_arg(&spec, args[k]);
        } else if (!strcmp(kind, "pipeline") && deid) {
            snprintf(spec.kind, sizeof spec.kind, "deid-train");
            char v[32];
            snprintf(v, sizeof v, "%d", cfg->epochs > 0 && cfg->epochs <= 50 ? cfg->epochs : 3);
            const char *args[] = {"-o", "/out/" MODEL_FILE, "--annotations", "/data/train", "--epochs",
                                  v,    "--quiet"};
            for (size_t k = 0; !st && k < sizeof args / sizeof *args; k++)
                st = add_arg(&spec, args[k]);
        } else if (!strcmp(kind, "pipeline")) {
            snprintf(spec.kind, sizeof spec.kind, "risk-train");
            st = add_arg(&spec, "--csv");
            if (!st)
                st = add_arg(&spec, "/data/train/train.csv");
            if (!st)
                st = add_arg(&spec, "-o");
            if (!st)
                st = add_arg(&spec, "/out/" MODEL_FILE);
            if (!st)
                st = add_arg(&spec, "--quiet");
            char v[64];
            snprintf(v, sizeof v, "%.6g", cfg->C);
            if (!st && cfg->C > 0 && !(st = add_arg(&spec, "--C")))
                st = add_arg(&spec, v);
            if (!st && cfg->l1)
                st = add_arg(&spec, "--l1");
            if (!st && cfg->xgboost)
                st = add_arg(&spec, "--xgboost");
        } else {
            snprintf(spec.kind, sizeof spec.kind, "script");
            snprintf(spec.command, sizeof spec.command, "%s", cfg->command);
            st = student_code(c, course, user, cfg->code, spec.code);
        }
    }
    int64_t job = 0;
    if (!st)
        st = at_jobs_submit(c->jobs, user, &spec, &job);
    if (!st) {
        at_buf b;
        at_buf_init(&b, sizeof config - 1);
        if (!strcmp(kind, "pipeline") && strcmp(a.task, "risk-auroc"))
            st = at_buf_printf(&b,
                               "{\"kind\":\"pipeline\",\"task\":\"%s\",\"epochs\":%d,\"time_limit\":%lld,"
                               "\"job\":%lld}",
                               a.task, cfg->epochs > 0 && cfg->epochs <= 50 ? cfg->epochs : 3, (long long)tl,
                               (long long)job);
        else if (!strcmp(kind, "pipeline"))
            st = at_buf_printf(&b,
                               "{\"kind\":\"pipeline\",\"task\":\"%s\",\"C\":%.6g,\"l1\":%s,\"xgboost\":%s,"
                               "\"time_limit\":%lld,\"job\":%lld}",
                               a.task, cfg->C, cfg->l1 ? "true" : "false", cfg->xgboost ? "true" : "false",
                               (long long)tl, (long long)job);
        else {
            st = at_buf_puts(&b, "{\"kind\":\"script\",\"command\":");
            if (!st)
                st = at_buf_json_string(&b, spec.command, strlen(spec.command));
            if (!st)
                st = at_buf_printf(&b, ",\"code\":\"%s\",\"time_limit\":%lld,\"job\":%lld}", spec.code,
                                   (long long)tl, (long long)job);
        }
        snprintf(config, sizeof config, "%s", st ? "{}" : (const char *)b.data);
        at_buf_free(&b);
        st = AT_OK;
    }
    at_job_spec_free(&spec);
    int64_t sid = 0;
    if (!st) {
        at_room_db *db = at_room_db_get(c->room);
        char day[16];
        day_of(now, day);
        st = at_room_db_begin(db);
        if (!st) {
            sqlite3_stmt *s = at_room_db_stmt(db, "INSERT INTO class_submissions(assignment_id, user_id, "
                                                  "submitted, day, config, job_id, state) "
                                                  "VALUES (?, ?, ?, ?, ?, ?, 'training')");
            if (!s)
                st = AT_ERR_IO;
            else {
                sqlite3_bind_int64(s, 1, a.id);
                sqlite3_bind_int64(s, 2, u.id);
                sqlite3_bind_int64(s, 3, now);
                sqlite3_bind_text(s, 4, day, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(s, 5, config, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(s, 6, job);
                if (sqlite3_step(s) != SQLITE_DONE)
                    st = at_room_db_error(db, "submission");
                sqlite3_reset(s);
                sid = at_room_db_last_id(db);
            }
        }
        char details[200];
        snprintf(details, sizeof details, "{\"assignment\":\"%s\",\"submission\":%lld,\"job\":%lld}",
                 assignment, (long long)sid, (long long)job);
        if (!st)
            st = at_room_db_audit(db, user, "course.submit", course, details);
        if (!st)
            st = at_room_db_commit(c->room, db);
        else
            at_room_db_rollback(db);
        at_room_db_put(c->room, db);
        if (st) /* the job must not run without its submission */
            at_jobs_cancel(c->jobs, "room", job);
    }
    pthread_mutex_unlock(&c->submit_mu);
    if (!st) {
        if (id)
            *id = sid;
        if (remaining)
            *remaining = q.remaining_today - 1;
    }
    return st;
}

/* ---- listing ---- */

static const char *const submission_select =
    "SELECT s.id, u.name, a.name, s.submitted, s.state, s.job_id, s.score_job_id, s.message, "
    "(SELECT value FROM class_scores WHERE submission_id = s.id AND part = 'public'), "
    "(SELECT value FROM class_scores WHERE submission_id = s.id AND part = 'final') "
    "FROM class_submissions s JOIN class_assignments a ON a.id = s.assignment_id "
    "JOIN class_courses c ON c.id = a.course_id JOIN projects p ON p.id = c.project_id "
    "JOIN users u ON u.id = s.user_id "
    "WHERE p.name = ?1 AND (?2 IS NULL OR a.name = ?2) AND (?3 IS NULL OR u.name = ?3) "
    "AND (?4 = 0 OR s.id = ?4) ORDER BY s.id DESC";

static at_status submissions(at_classroom *c, const char *course, const char *assignment, const char *user,
                             int64_t one, at_submission **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(c->room);
    sqlite3_stmt *s = at_room_db_stmt(db, submission_select);
    at_status st = s ? AT_OK : AT_ERR_IO;
    at_submission *v = NULL;
    size_t n = 0, cap = 0;
    if (!st) {
        sqlite3_bind_text(s, 1, course ? course : "", -1, SQLITE_TRANSIENT);
        if (assignment)
            sqlite3_bind_text(s, 2, assignment, -1, SQLITE_TRANSIENT);
        if (user)
            sqlite3_bind_text(s, 3, user, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, one);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            at_submission *o = &v[n++];
            memset(o, 0, sizeof *o);
            o->id = sqlite3_column_int64(s, 0);
            class_copy_col(s, 1, o->user, sizeof o->user);
            class_copy_col(s, 2, o->assignment, sizeof o->assignment);
            o->submitted = (time_t)sqlite3_column_int64(s, 3);
            class_copy_col(s, 4, o->state, sizeof o->state);
            o->job_id = sqlite3_column_int64(s, 5);
            o->score_job_id = sqlite3_column_int64(s, 6);
            class_copy_col(s, 7, o->message, sizeof o->message);
            o->has_score =
                sqlite3_column_type(s, 8) != SQLITE_NULL && sqlite3_column_type(s, 9) != SQLITE_NULL;
            o->public_score = sqlite3_column_double(s, 8);
            o->final_score = sqlite3_column_double(s, 9);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

at_status at_submission_list(at_classroom *c, const char *course, const char *assignment, const char *user,
                             at_submission **out, size_t *count)
{
    return submissions(c, course, assignment, user, 0, out, count);
}

at_status at_submission_get(at_classroom *c, const char *course, int64_t id, at_submission *out)
{
    at_submission *v = NULL;
    size_t n = 0;
    at_status st = id > 0 ? submissions(c, course, NULL, NULL, id, &v, &n) : AT_OK;
    if (!st && !n)
        st = at_error_set(AT_ERR_NOT_FOUND, "course %s has no submission %lld", course, (long long)id);
    if (!st)
        *out = v[0];
    at_free(v);
    return st;
}

at_status at_submission_config_text(at_classroom *c, const char *course, int64_t id, char **out)
{
    *out = NULL;
    at_submission sub;
    at_status st = at_submission_get(c, course, id, &sub);
    if (st)
        return st;
    at_room_db *db = at_room_db_get(c->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT config FROM class_submissions WHERE id = ?");
    if (!s)
        st = AT_ERR_IO;
    else {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            *out = at_strdup((const char *)sqlite3_column_text(s, 0));
            if (!*out)
                st = AT_ERR_NOMEM;
        }
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    return st;
}

at_status at_submission_code(at_classroom *c, const char *course, int64_t id, const char *dest)
{
    char *text = NULL;
    at_status st = at_submission_config_text(c, course, id, &text);
    if (st)
        return st;
    cJSON *j = cJSON_Parse(text ? text : "");
    at_free(text);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
    if (!cJSON_IsString(code) || strlen(code->valuestring) != AT_VAULT_SNAPSHOT_HEX - 1)
        st = at_error_set(AT_ERR_NOT_FOUND,
                          "submission %lld ran the pipeline: its configuration is all there is",
                          (long long)id);
    else
        st = at_jobs_dataset_get(c->jobs, course, "code", code->valuestring, dest);
    cJSON_Delete(j);
    return st;
}

/* ---- the tick ---- */

typedef struct {
    int64_t id, job, score_job;
    char state[16];
    char course[AT_ROOM_NAME_MAX + 1], grading[AT_ROOM_NAME_MAX + 1], teacher[AT_ROOM_NAME_MAX + 1];
    char assignment[AT_ROOM_NAME_MAX + 1], user[AT_ROOM_NAME_MAX + 1];
    char task[16];
} open_sub;

static at_status set_state(at_classroom *c, int64_t id, const char *state, int64_t score_job,
                           const char *model, const char *message, const double *pub, const double *fin,
                           const char *metric)
{
    at_room_db *db = at_room_db_get(c->room);
    at_status st = at_room_db_begin(db);
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "UPDATE class_submissions SET state = ?, score_job_id = "
                                "COALESCE(NULLIF(?, 0), score_job_id), model_snapshot = "
                                "COALESCE(NULLIF(?, ''), model_snapshot), message = ? WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_text(s, 1, state, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 2, score_job);
            sqlite3_bind_text(s, 3, model ? model : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 4, message ? message : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 5, id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "submission state");
            sqlite3_reset(s);
        }
    }
    for (int k = 0; k < 2 && !st && pub && fin; k++) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "INSERT OR REPLACE INTO class_scores(submission_id, part, metric, "
                                "value) VALUES (?, ?, ?, ?)");
        if (!s) {
            st = AT_ERR_IO;
            break;
        }
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, k ? "final" : "public", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, metric ? metric : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(s, 4, k ? *fin : *pub);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "score");
        sqlite3_reset(s);
    }
    char details[200];
    snprintf(details, sizeof details, "{\"submission\":%lld,\"state\":\"%s\"}", (long long)id, state);
    if (!st)
        st = at_room_db_audit(db, "room", "course.submission", "classroom", details);
    if (!st)
        st = at_room_db_commit(c->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->room, db);
    return st;
}

/* The scoring job: the model against the public part, then all of the
 * hidden split, each metric as JSON in /out. */
static at_status submit_scoring(at_classroom *c, const open_sub *o, const char *model_snap, int64_t *job)
{
    const at_jobs_conf *conf = at_jobs_config(c->jobs);
    const char *engine = conf->sandbox ? "/atelier/atelier-engine" : conf->engine;
    at_job_spec spec;
    at_job_spec_init(&spec);
    snprintf(spec.kind, sizeof spec.kind, "script");
    snprintf(spec.project, sizeof spec.project, "%s", o->grading);
    snprintf(spec.name, sizeof spec.name, "score-%lld", (long long)o->id);
    /* the scoring script is the grading project's code (a script job
     * runs in a code snapshot): stored again each time, deduplicated */
    char script[2048];
    int n =
        !strcmp(o->task, "sct-mae") ? snprintf(script, sizeof script,
                                               "set -e\nfor part in public final; do\n"
                                               "  '%s' sct eval --prepared \"$ATELIER_DATA/test/$part\" "
                                               "--model \"$ATELIER_DATA/model/" MODEL_DIR
                                               "\" --threads 1 --json --quiet > \"$ATELIER_OUT/$part.json\"\n"
                                               "done\n",
                                               engine)
        : !strcmp(o->task, "deid-f1")
            ? snprintf(script, sizeof script,
                       "set -e\nm=$(mktemp -d)/" MODEL_FILE "\ncp \"$ATELIER_DATA/model/" MODEL_FILE
                       "\" \"$m\"\n"
                       "for part in public final; do\n"
                       "  '%s' text eval-deid --brat \"$ATELIER_DATA/test/$part\" --model \"$m\" --json "
                       "> \"$ATELIER_OUT/$part.json\"\n"
                       "done\n",
                       engine)
            : snprintf(script, sizeof script,
                       "set -e\nm=$(mktemp -d)/" MODEL_FILE "\ncp \"$ATELIER_DATA/model/" MODEL_FILE
                       "\" \"$m\"\n"
                       "for part in public final; do\n"
                       "  '%s' text risk eval --model \"$m\" --csv \"$ATELIER_DATA/test/$part.csv\" --json "
                       "--bootstrap 0 --quiet > \"$ATELIER_OUT/$part.json\"\n"
                       "done\n",
                       engine);
    if (n < 0 || (size_t)n >= sizeof script)
        return at_error_set(AT_ERR_LIMIT, "scoring: the engine's path is too long");
    char *dir = class_scratch(c, "score"), *file = dir ? at_path_join(dir, "score.sh") : NULL;
    char code[AT_VAULT_SNAPSHOT_HEX] = "";
    at_status st = file ? at_file_write_atomic(file, script, (size_t)n) : AT_ERR_NOMEM;
    if (!st)
        st = at_jobs_dataset_put(c->jobs, o->teacher, o->grading, "code", "code", 0, dir, code);
    if (dir)
        at_remove_tree(dir);
    at_free(file);
    at_free(dir);
    if (st)
        return st;
    snprintf(spec.code, sizeof spec.code, "%s", code);
    snprintf(spec.command, sizeof spec.command, "sh score.sh");
    spec.cores = 1;
    spec.memory_mb = 1024;
    spec.time_limit = 600;
    spec.input_count = 2;
    char test[AT_ROOM_NAME_MAX + 1];
    snprintf(test, sizeof test, "%s-test", o->assignment);
    set_input(&spec.inputs[0], test, "latest", "test");
    set_input(&spec.inputs[1], "models", model_snap, "model");
    st = at_jobs_submit(c->jobs, o->teacher, &spec, job);
    at_job_spec_free(&spec);
    return st;
}

/* The metric of a scoring job's output: "auroc" (risk) or "overall"."f1"
 * (de-identification). */
static at_status read_metric(const char *dir, const char *file, const char *task, double *v)
{
    char *p = at_path_join(dir, file);
    unsigned char *d = NULL;
    size_t len = 0;
    at_status st = p ? at_file_read(p, SCORE_MAX, &d, &len) : AT_ERR_NOMEM;
    at_free(p);
    if (st)
        return st;
    cJSON *j = cJSON_ParseWithLength((const char *)d, len);
    at_free(d);
    int deid = !strcmp(task, "deid-f1"), sct = !strcmp(task, "sct-mae");
    const cJSON *a =
        deid  ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "overall"), "f1")
        : sct ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "mean"), "mae")
              : cJSON_GetObjectItemCaseSensitive(j, "auroc");
    if (cJSON_IsNumber(a))
        *v = a->valuedouble;
    else
        st = at_error_set(AT_ERR_FORMAT, "scoring: %s has no %s", file,
                          deid  ? "F1"
                          : sct ? "MAE"
                                : "AUROC (one class only in the split?)");
    cJSON_Delete(j);
    return st;
}

static int advance(at_classroom *c, const open_sub *o)
{
    at_job job;
    int64_t jid = !strcmp(o->state, "training") ? o->job : o->score_job;
    if (at_jobs_get(c->jobs, jid, &job) != AT_OK || !at_job_state_final(job.state))
        return 0;
    char msg[256];
    if (job.state != AT_JOB_SUCCEEDED) {
        snprintf(msg, sizeof msg, "%s job %lld %s: %.180s",
                 !strcmp(o->state, "training") ? "training" : "scoring", (long long)jid,
                 at_job_state_name(job.state), job.reason);
        set_state(c, o->id, "failed", 0, NULL, msg, NULL, NULL, NULL);
        return 1;
    }
    char *dir = class_scratch(c, "tick"), *res = dir ? at_path_join(dir, "result") : NULL;
    at_status st = res ? AT_OK : AT_ERR_NOMEM;
    if (!strcmp(o->state, "training")) {
        /* the student's model goes to the grading project, alone */
        int folder = !strcmp(o->task, "sct-mae");
        const char *entry = folder ? MODEL_DIR : MODEL_FILE;
        char *mdir = dir ? at_path_join(dir, "model") : NULL, *from = res ? at_path_join(res, entry) : NULL,
             *to = mdir ? at_path_join(mdir, entry) : NULL;
        if (!st && (!mdir || !from || !to))
            st = AT_ERR_NOMEM;
        if (!st)
            st = course_data_materialise(c, o->course, "results", job.result, res);
        struct stat sb;
        if (!st && (lstat(from, &sb) || (folder ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode))))
            st = at_error_set(AT_ERR_NOT_FOUND, "the job wrote no /out/%s", entry);
        if (!st)
            st = at_mkdir_p(mdir, 0700);
        if (!st && rename(from, to))
            st = at_error_set(AT_ERR_IO, "scoring: cannot move the model");
        char snap[AT_VAULT_SNAPSHOT_HEX] = "";
        if (!st) /* trained on the course's synthetic split */
            st = course_data_store(c, o->teacher, o->grading, "models", 1, mdir, snap);
        int64_t sj = 0;
        if (!st)
            st = submit_scoring(c, o, snap, &sj);
        if (!st)
            set_state(c, o->id, "scoring", sj, snap, "", NULL, NULL, NULL);
        else {
            snprintf(msg, sizeof msg, "%.250s", at_error_message());
            set_state(c, o->id, "failed", 0, NULL, msg, NULL, NULL, NULL);
        }
        at_free(mdir);
        at_free(from);
        at_free(to);
    } else {
        double pub = NAN, fin = NAN;
        if (!st)
            st = course_data_materialise(c, o->grading, "results", job.result, res);
        if (!st)
            st = read_metric(res, "public.json", o->task, &pub);
        if (!st)
            st = read_metric(res, "final.json", o->task, &fin);
        if (!st)
            set_state(c, o->id, "scored", 0, NULL, "", &pub, &fin,
                      !strcmp(o->task, "deid-f1")   ? "f1"
                      : !strcmp(o->task, "sct-mae") ? "mae"
                                                    : "auroc");
        else {
            snprintf(msg, sizeof msg, "%.250s", at_error_message());
            set_state(c, o->id, "failed", 0, NULL, msg, NULL, NULL, NULL);
        }
    }
    if (dir)
        at_remove_tree(dir);
    at_free(res);
    at_free(dir);
    return 1;
}

int at_classroom_tick(at_classroom *c)
{
    pthread_mutex_lock(&c->tick_mu);
    open_sub *v = NULL;
    size_t n = 0, cap = 0;
    at_room_db *db = at_room_db_get(c->room);
    sqlite3_stmt *s = at_room_db_stmt(
        db,
        "SELECT s.id, s.state, s.job_id, s.score_job_id, p.name, g.name, t.name, a.name, u.name, a.task "
        "FROM class_submissions s JOIN class_assignments a ON a.id = s.assignment_id "
        "JOIN class_courses c ON c.id = a.course_id JOIN projects p ON p.id = c.project_id "
        "JOIN projects g ON g.id = c.grading_id JOIN users t ON t.id = c.teacher_id "
        "JOIN users u ON u.id = s.user_id WHERE s.state IN ('training', 'scoring') ORDER BY s.id LIMIT 1000");
    if (s) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (AT_GROW(v, cap, n + 1))
                break;
            open_sub *o = &v[n++];
            memset(o, 0, sizeof *o);
            o->id = sqlite3_column_int64(s, 0);
            class_copy_col(s, 1, o->state, sizeof o->state);
            o->job = sqlite3_column_int64(s, 2);
            o->score_job = sqlite3_column_int64(s, 3);
            class_copy_col(s, 4, o->course, sizeof o->course);
            class_copy_col(s, 5, o->grading, sizeof o->grading);
            class_copy_col(s, 6, o->teacher, sizeof o->teacher);
            class_copy_col(s, 7, o->assignment, sizeof o->assignment);
            class_copy_col(s, 8, o->user, sizeof o->user);
            class_copy_col(s, 9, o->task, sizeof o->task);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    int changed = 0;
    for (size_t i = 0; i < n; i++) /* oldest first: scored in the order submitted */
        changed += advance(c, &v[i]);
    at_free(v);
    if (changed)
        at_jobs_wake(c->jobs);
    pthread_mutex_unlock(&c->tick_mu);
    return changed;
}
