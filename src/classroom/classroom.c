/* The classroom: its tables, opening and its thread, courses, teaching
 * assistants, quotas, the people of a course, and the one function pair
 * through which course data enter and leave the vault. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const class_migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE class_courses("
    " id INTEGER PRIMARY KEY,"
    " project_id INTEGER NOT NULL UNIQUE REFERENCES projects(id),"
    " grading_id INTEGER NOT NULL UNIQUE REFERENCES projects(id),"
    " teacher_id INTEGER NOT NULL REFERENCES users(id),"
    " core_hours REAL NOT NULL DEFAULT 0, gpu_hours REAL NOT NULL DEFAULT 0,"
    " concurrent INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL) STRICT;"
    "CREATE TABLE class_staff("
    " course_id INTEGER NOT NULL REFERENCES class_courses(id),"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " role TEXT NOT NULL CHECK(role IN ('teacher', 'ta')),"
    " PRIMARY KEY(course_id, user_id)) STRICT;"
    "CREATE TABLE class_enrolments("
    " course_id INTEGER NOT NULL REFERENCES class_courses(id),"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " full_name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',"
    " enrolled INTEGER NOT NULL, PRIMARY KEY(course_id, user_id)) STRICT;"
    /* synthetic is a column so that the rule is the schema's too */
    "CREATE TABLE class_data("
    " id INTEGER PRIMARY KEY,"
    " course_id INTEGER NOT NULL REFERENCES class_courses(id),"
    " name TEXT NOT NULL, kind TEXT NOT NULL, seed INTEGER NOT NULL, patients INTEGER NOT NULL,"
    " snapshot TEXT NOT NULL, synthetic INTEGER NOT NULL CHECK(synthetic = 1),"
    " created INTEGER NOT NULL, UNIQUE(course_id, name)) STRICT;"
    "CREATE TABLE class_assignments("
    " id INTEGER PRIMARY KEY,"
    " course_id INTEGER NOT NULL REFERENCES class_courses(id),"
    " name TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',"
    " task TEXT NOT NULL CHECK(task IN ('risk-auroc', 'deid-f1', 'sct-mae')),"
    " data_name TEXT NOT NULL, deadline INTEGER NOT NULL, per_day INTEGER NOT NULL CHECK(per_day >= 1),"
    " test_fraction REAL NOT NULL, public_fraction REAL NOT NULL, seed INTEGER NOT NULL,"
    " rule TEXT NOT NULL CHECK(rule IN ('best', 'last')),"
    " created INTEGER NOT NULL, UNIQUE(course_id, name)) STRICT;"
    "CREATE TABLE class_splits("
    " assignment_id INTEGER NOT NULL REFERENCES class_assignments(id),"
    " part TEXT NOT NULL CHECK(part IN ('train', 'test')),"
    " project_id INTEGER NOT NULL REFERENCES projects(id),"
    " dataset TEXT NOT NULL, snapshot TEXT NOT NULL, rows INTEGER NOT NULL, public_rows INTEGER NOT NULL,"
    " PRIMARY KEY(assignment_id, part)) STRICT;"
    "CREATE TABLE class_submissions("
    " id INTEGER PRIMARY KEY,"
    " assignment_id INTEGER NOT NULL REFERENCES class_assignments(id),"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " submitted INTEGER NOT NULL, day TEXT NOT NULL, config TEXT NOT NULL,"
    " job_id INTEGER NOT NULL, score_job_id INTEGER NOT NULL DEFAULT 0,"
    " model_snapshot TEXT NOT NULL DEFAULT '',"
    " state TEXT NOT NULL CHECK(state IN ('training', 'scoring', 'scored', 'failed')),"
    " message TEXT NOT NULL DEFAULT '') STRICT;"
    "CREATE INDEX class_submissions_day ON class_submissions(assignment_id, user_id, day);"
    "CREATE INDEX class_submissions_open ON class_submissions(state, id) WHERE state IN ('training', "
    "'scoring');"
    "CREATE TABLE class_scores("
    " submission_id INTEGER NOT NULL REFERENCES class_submissions(id),"
    " part TEXT NOT NULL CHECK(part IN ('public', 'final')),"
    " metric TEXT NOT NULL, value REAL NOT NULL,"
    " PRIMARY KEY(submission_id, part)) STRICT;",
};
const int class_migration_count = (int)(sizeof class_migrations / sizeof *class_migrations);

/* ---- course data and the vault ------------------------------------------
 * THE place course data (generated cohorts, training and hidden splits,
 * copies of the students' models) enter and leave the vault. Today they go
 * through the jobs module's interim dataset register (at_jobs_dataset_put:
 * the vault library in DIR/vault, a row per project dataset with its
 * synthetic flag), which is what a job's inputs are resolved against.
 * When the room's dataset catalog (branch i14w: `atelier import`,
 * `atelier dataset ...`, a synthetic flag on datasets) replaces that
 * register, these three functions are the only ones to repoint; the
 * refusal of non-synthetic data (course_data_is_synthetic) then reads the
 * catalog's flag. */
at_status course_data_store(at_classroom *c, const char *by, const char *project, const char *name,
                            int synthetic, const char *dir, char snap[AT_VAULT_SNAPSHOT_HEX])
{
    if (!synthetic) /* a course holds synthetic data only, whatever the caller thought */
        return at_error_set(AT_ERR_DENIED,
                            "course data: '%s' is not synthetic; a course accepts synthetic data only", name);
    return at_jobs_dataset_put(c->jobs, by, project, name, "data", 1, dir, snap);
}

at_status course_data_materialise(at_classroom *c, const char *project, const char *name,
                                  const char *snapshot, const char *dest)
{
    return at_jobs_dataset_get(c->jobs, project, name, snapshot, dest);
}

at_status course_data_is_synthetic(at_classroom *c, const char *project, const char *name, int *synthetic)
{
    *synthetic = 0;
    at_jobs_dataset *d = NULL;
    size_t n = 0;
    at_status st = at_jobs_datasets(c->jobs, project, &d, &n);
    if (st)
        return st;
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(d[i].name, name)) {
            found = 1;
            *synthetic = d[i].synthetic && !strcmp(d[i].kind, "data");
        }
    at_free(d);
    return found ? AT_OK : at_error_set(AT_ERR_NOT_FOUND, "project %s has no dataset '%s'", project, name);
}

/* ---- helpers ---- */

void class_copy_col(sqlite3_stmt *s, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

at_status class_user_id(at_room_db *db, const char *name, int64_t *id)
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM users WHERE name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? AT_OK : at_error_set(AT_ERR_NOT_FOUND, "no such user: %.64s", name ? name : "");
}

at_status class_course_row(at_room_db *db, const char *course, int64_t *id,
                           char grading[AT_ROOM_NAME_MAX + 1], char teacher[AT_ROOM_NAME_MAX + 1])
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT c.id, g.name, u.name FROM class_courses c "
                                          "JOIN projects p ON p.id = c.project_id "
                                          "JOIN projects g ON g.id = c.grading_id "
                                          "JOIN users u ON u.id = c.teacher_id WHERE p.name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, course ? course : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        if (grading)
            class_copy_col(s, 1, grading, AT_ROOM_NAME_MAX + 1);
        if (teacher)
            class_copy_col(s, 2, teacher, AT_ROOM_NAME_MAX + 1);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? AT_OK
                            : at_error_set(AT_ERR_NOT_FOUND, "no such course: %.64s", course ? course : "");
}

char *class_scratch(at_classroom *c, const char *what)
{
    char rel[128];
    snprintf(rel, sizeof rel, "jobs/scratch-classroom/%s-%ld-XXXXXX", what, (long)getpid());
    char *p = at_path_join(at_room_dir(c->room), rel);
    if (!p)
        return NULL;
    char *slash = strrchr(p, '/');
    *slash = '\0';
    if (at_mkdir_p(p, 0700)) {
        at_free(p);
        return NULL;
    }
    *slash = '/';
    if (!mkdtemp(p)) {
        at_error_set(AT_ERR_IO, "classroom: scratch folder: %s", strerror(errno));
        at_free(p);
        return NULL;
    }
    return p;
}

/* ---- the service ---- */

at_status at_classroom_open(at_room *room, at_jobs *jobs, at_classroom **out)
{
    *out = NULL;
    if (!room || !jobs)
        return at_error_set(AT_ERR_ARG, "classroom: a room and its jobs are needed");
    at_status st = at_room_db_migrate(room, "classroom", class_migrations, class_migration_count);
    if (st)
        return st;
    at_classroom *c = at_calloc(1, sizeof *c);
    if (!c)
        return AT_ERR_NOMEM;
    c->room = room;
    c->jobs = jobs;
    pthread_mutex_init(&c->submit_mu, NULL);
    pthread_mutex_init(&c->tick_mu, NULL);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    *out = c;
    return AT_OK;
}

static void *class_thread(void *arg)
{
    at_classroom *c = arg;
    pthread_mutex_lock(&c->mu);
    while (!c->stop) {
        pthread_mutex_unlock(&c->mu);
        at_classroom_tick(c);
        at_error_clear();
        pthread_mutex_lock(&c->mu);
        if (c->stop)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)c->period_ms * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

at_status at_classroom_start(at_classroom *c, int period_ms)
{
    if (c->thread_started)
        return AT_OK;
    c->period_ms = period_ms > 0 ? period_ms : 500;
    c->stop = 0;
    if (pthread_create(&c->thread, NULL, class_thread, c))
        return at_error_set(AT_ERR_IO, "classroom: cannot start its thread");
    c->thread_started = 1;
    return AT_OK;
}

void at_classroom_stop(at_classroom *c)
{
    if (!c || !c->thread_started)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    c->thread_started = 0;
}

void at_classroom_close(at_classroom *c)
{
    if (!c)
        return;
    at_classroom_stop(c);
    pthread_mutex_destroy(&c->submit_mu);
    pthread_mutex_destroy(&c->tick_mu);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    at_free(c);
}

/* ---- courses ---- */

static at_status project_id(at_room_db *db, const char *name, int64_t *id)
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM projects WHERE name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? AT_OK : at_error_set(AT_ERR_NOT_FOUND, "no such project: %.64s", name);
}

at_status at_course_create(at_classroom *c, const char *teacher, const char *name, const char *title)
{
    if (!at_room_name_valid(name) || strlen(name) > AT_COURSE_NAME_MAX)
        return at_error_set(AT_ERR_ARG, "course: '%.64s' is not a valid name (1..%d of A-Z a-z 0-9 . _ -)",
                            name ? name : "", AT_COURSE_NAME_MAX);
    if (title && *title && !at_room_text_valid(title))
        return at_error_set(AT_ERR_ARG, "course: the title is not valid text");
    char grading[AT_ROOM_NAME_MAX + 1];
    snprintf(grading, sizeof grading, "%s.grading", name);
    at_project p;
    if (at_room_project_get(c->room, name, &p) == AT_OK || at_room_project_get(c->room, grading, &p) == AT_OK)
        return at_error_set(AT_ERR_EXISTS, "course: a project named %s or %s exists already", name, grading);
    at_error_clear();
    char gtitle[AT_ROOM_TEXT_MAX + 1];
    snprintf(gtitle, sizeof gtitle, "grading of course %s (staff only)", name);
    at_status st = at_room_project_create(c->room, teacher, name, title && *title ? title : name);
    if (!st)
        st = at_room_project_create(c->room, teacher, grading, gtitle);
    if (!st)
        st = at_room_member_set(c->room, teacher, name, teacher, AT_PROJECT_LEAD);
    if (!st)
        st = at_room_member_set(c->room, teacher, grading, teacher, AT_PROJECT_LEAD);
    if (st)
        return st;
    at_room_db *db = at_room_db_get(c->room);
    int64_t pid = 0, gid = 0, tid = 0;
    st = at_room_db_begin(db);
    if (!st)
        st = project_id(db, name, &pid);
    if (!st)
        st = project_id(db, grading, &gid);
    if (!st)
        st = class_user_id(db, teacher, &tid);
    int64_t cid = 0;
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(
            db, "INSERT INTO class_courses(project_id, grading_id, teacher_id, created) VALUES (?, ?, ?, ?)");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, pid);
            sqlite3_bind_int64(s, 2, gid);
            sqlite3_bind_int64(s, 3, tid);
            sqlite3_bind_int64(s, 4, at_room_now());
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "course");
            sqlite3_reset(s);
            cid = at_room_db_last_id(db);
        }
    }
    if (!st) {
        sqlite3_stmt *s =
            at_room_db_stmt(db, "INSERT INTO class_staff(course_id, user_id, role) VALUES (?, ?, 'teacher')");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, cid);
            sqlite3_bind_int64(s, 2, tid);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "course staff");
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = at_room_db_audit(db, teacher, "course.create", name, NULL);
    if (!st)
        st = at_room_db_commit(c->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->room, db);
    return st;
}

static const char *const course_select =
    "SELECT c.id, p.name, p.title, u.name, g.name, c.core_hours, c.gpu_hours, c.concurrent, c.created "
    "FROM class_courses c JOIN projects p ON p.id = c.project_id JOIN projects g ON g.id = c.grading_id "
    "JOIN users u ON u.id = c.teacher_id WHERE p.name = ?";

static void course_row(sqlite3_stmt *s, at_course *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(s, 0);
    class_copy_col(s, 1, o->name, sizeof o->name);
    class_copy_col(s, 2, o->title, sizeof o->title);
    class_copy_col(s, 3, o->teacher, sizeof o->teacher);
    class_copy_col(s, 4, o->grading, sizeof o->grading);
    o->core_hours = sqlite3_column_double(s, 5);
    o->gpu_hours = sqlite3_column_double(s, 6);
    o->concurrent = sqlite3_column_int(s, 7);
    o->created = (time_t)sqlite3_column_int64(s, 8);
}

at_status at_course_get(at_classroom *c, const char *name, at_course *out)
{
    memset(out, 0, sizeof *out);
    at_room_db *db = at_room_db_get(c->room);
    sqlite3_stmt *s = at_room_db_stmt(db, course_select);
    at_status st = AT_OK;
    if (!s)
        st = AT_ERR_IO;
    else {
        sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            course_row(s, out);
        else
            st = at_error_set(AT_ERR_NOT_FOUND, "no such course: %.64s", name ? name : "");
        sqlite3_reset(s);
    }
    at_room_db_put(c->room, db);
    return st;
}

at_status at_course_list(at_classroom *c, const char *user, at_course **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(c->room);
    sqlite3_stmt *s = at_room_db_stmt(
        db,
        "SELECT c.id, p.name, p.title, t.name, g.name, c.core_hours, c.gpu_hours, c.concurrent, c.created, "
        "m.role FROM class_courses c JOIN projects p ON p.id = c.project_id "
        "JOIN projects g ON g.id = c.grading_id JOIN users t ON t.id = c.teacher_id "
        "JOIN members m ON m.project_id = c.project_id JOIN users u ON u.id = m.user_id "
        "WHERE u.name = ? ORDER BY p.name");
    at_status st = AT_OK;
    size_t n = 0, cap = 0;
    at_course *v = NULL;
    if (!s)
        st = AT_ERR_IO;
    else {
        sqlite3_bind_text(s, 1, user ? user : "", -1, SQLITE_TRANSIENT);
        while (!st && sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            course_row(s, &v[n]);
            char role[16];
            class_copy_col(s, 9, role, sizeof role);
            snprintf(v[n].my_role, sizeof v[n].my_role, "%s",
                     !strcmp(role, "lead")     ? "teacher"
                     : !strcmp(role, "member") ? "ta"
                                               : "student");
            n++;
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

at_status at_course_ta_add(at_classroom *c, const char *by, const char *course, const char *user)
{
    at_course co;
    at_status st = at_course_get(c, course, &co);
    if (st)
        return st;
    at_user u;
    if ((st = at_room_user_get(c->room, user, &u)) != AT_OK)
        return st;
    if (at_room_member_role(c->room, u.id, course) == AT_PROJECT_STUDENT)
        return at_error_set(AT_ERR_ARG, "course %s: %s is a student of it and cannot assist", course, user);
    if (!strcmp(co.teacher, user))
        return at_error_set(AT_ERR_ARG, "course %s: %s teaches it", course, user);
    st = at_room_member_set(c->room, by, course, user, AT_PROJECT_MEMBER);
    if (!st)
        st = at_room_member_set(c->room, by, co.grading, user, AT_PROJECT_MEMBER);
    if (st)
        return st;
    at_room_db *db = at_room_db_get(c->room);
    st = at_room_db_begin(db);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "INSERT OR IGNORE INTO class_staff(course_id, user_id, role) "
                                              "VALUES (?, ?, 'ta')");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, co.id);
            sqlite3_bind_int64(s, 2, u.id);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "course assistant");
            sqlite3_reset(s);
        }
    }
    char details[160];
    snprintf(details, sizeof details, "{\"assistant\":\"%s\"}", user);
    if (!st)
        st = at_room_db_audit(db, by, "course.ta", course, details);
    if (!st)
        st = at_room_db_commit(c->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->room, db);
    return st;
}

at_status at_course_quota_set(at_classroom *c, const char *by, const char *course, double core_hours,
                              double gpu_hours, int concurrent)
{
    if (core_hours < 0 || gpu_hours < 0 || concurrent < 0 || core_hours > 1e6 || gpu_hours > 1e6 ||
        concurrent > 10000)
        return at_error_set(AT_ERR_ARG, "course quota: values are 0 (none) or positive");
    at_room_db *db = at_room_db_get(c->room);
    int64_t cid = 0;
    at_status st = at_room_db_begin(db);
    if (!st)
        st = class_course_row(db, course, &cid, NULL, NULL);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(
            db, "UPDATE class_courses SET core_hours = ?, gpu_hours = ?, concurrent = ? WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_double(s, 1, core_hours);
            sqlite3_bind_double(s, 2, gpu_hours);
            sqlite3_bind_int(s, 3, concurrent);
            sqlite3_bind_int64(s, 4, cid);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "course quota");
            sqlite3_reset(s);
        }
    }
    char details[200];
    snprintf(details, sizeof details, "{\"core_hours\":%.3f,\"gpu_hours\":%.3f,\"concurrent\":%d}",
             core_hours, gpu_hours, concurrent);
    if (!st)
        st = at_room_db_audit(db, by, "course.quota", course, details);
    if (!st)
        st = at_room_db_commit(c->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->room, db);
    return st;
}

at_status at_course_people(at_classroom *c, const char *course, at_course_person **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(c->room);
    int64_t cid = 0;
    at_status st = class_course_row(db, course, &cid, NULL, NULL);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(
                 db,
                 "SELECT u.name, COALESCE(NULLIF(e.full_name, ''), u.full_name), "
                 "COALESCE(e.email, ''), m.role, "
                 "(SELECT COALESCE(SUM(CASE WHEN j.state >= 3 THEN j.charged_core_s "
                 " WHEN j.state = 2 AND j.started > 0 THEN j.cores * MAX(0, ?2 - j.started) ELSE 0 END), 0) "
                 " FROM jobs j WHERE j.user_id = u.id AND j.project_id = c.project_id "
                 " AND (j.state < 3 OR j.ended >= ?2 - 604800)), "
                 "(SELECT COALESCE(SUM(CASE WHEN j.state >= 3 THEN j.charged_gpu_s "
                 " WHEN j.state = 2 AND j.started > 0 THEN j.gpus * MAX(0, ?2 - j.started) ELSE 0 END), 0) "
                 " FROM jobs j WHERE j.user_id = u.id AND j.project_id = c.project_id "
                 " AND (j.state < 3 OR j.ended >= ?2 - 604800)), "
                 "(SELECT COUNT(*) FROM jobs j WHERE j.user_id = u.id AND j.project_id = c.project_id "
                 " AND j.state < 3) "
                 "FROM class_courses c JOIN members m ON m.project_id = c.project_id "
                 "JOIN users u ON u.id = m.user_id "
                 "LEFT JOIN class_enrolments e ON e.course_id = c.id AND e.user_id = u.id "
                 "WHERE c.id = ?1 ORDER BY CASE m.role WHEN 'lead' THEN 0 WHEN 'member' THEN 1 "
                 "ELSE 2 END, u.name");
    if (!st && !s)
        st = AT_ERR_IO;
    at_course_person *v = NULL;
    size_t n = 0, cap = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, cid);
        sqlite3_bind_int64(s, 2, at_room_now());
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            at_course_person *p = &v[n++];
            memset(p, 0, sizeof *p);
            class_copy_col(s, 0, p->login, sizeof p->login);
            class_copy_col(s, 1, p->name, sizeof p->name);
            class_copy_col(s, 2, p->email, sizeof p->email);
            char role[16];
            class_copy_col(s, 3, role, sizeof role);
            snprintf(p->role, sizeof p->role, "%s",
                     !strcmp(role, "lead")     ? "teacher"
                     : !strcmp(role, "member") ? "ta"
                                               : "student");
            p->core_hours = sqlite3_column_double(s, 4) / 3600.0;
            p->gpu_hours = sqlite3_column_double(s, 5) / 3600.0;
            p->active = sqlite3_column_int(s, 6);
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
