/* atelier classroom: courses on synthetic patients (ROOM.md, "Classroom";
 * docs/classroom.md). A course is a project of the room (its teacher the
 * lead, its teaching assistants members, its students students) whose data
 * are synthetic cohorts only, plus a second project, COURSE.grading, that
 * only the teacher and the assistants belong to: it holds the generated
 * cohorts and every assignment's hidden test split, so that no route and
 * no job of a student can name them. An assignment's training split is a
 * dataset of the course; a submission is a job of the course (the risk
 * pipeline with the student's options, or the student's own code) whose
 * model the room copies into the grading project and scores there in a
 * sandboxed job on the hidden split: a public score (part of the split)
 * shown during the assignment, a final score (all of it) after its
 * deadline.
 *
 * The module sits above jobs (and so vault and room) and the pipelines it
 * generates data with (synth, risk). Its tables are its own, in the room's
 * catalog (module "classroom"). Nothing here checks permissions: the routes
 * ask at_room_authorize first (actions AT_ACT_COURSE_*). Every function
 * returns an at_status and sets the thread's error message; messages name
 * courses, assignments, users and lines, never data. */
#ifndef ATELIER_CLASSROOM_H
#define ATELIER_CLASSROOM_H

#include "atelier/jobs.h"
#include "atelier/room.h"

#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct at_classroom at_classroom;

/* Open the classroom of an open room and its jobs service (both must
 * outlive it): its tables migrated. No thread started. */
at_status at_classroom_open(at_room *room, at_jobs *jobs, at_classroom **out);
void at_classroom_close(at_classroom *c);
/* A thread that calls at_classroom_tick every period (0: 500 ms). */
at_status at_classroom_start(at_classroom *c, int period_ms);
void at_classroom_stop(at_classroom *c);
/* Advance the submissions, oldest first: a trained model is copied into
 * the grading project and its scoring job submitted; a finished scoring
 * job's scores are recorded. Returns how many submissions changed. */
int at_classroom_tick(at_classroom *c);

/* ---- courses ---- */
#define AT_COURSE_NAME_MAX 55 /* the grading project's name adds ".grading" */
typedef struct {
    int64_t id;
    char name[AT_ROOM_NAME_MAX + 1];
    char title[AT_ROOM_TEXT_MAX + 1];
    char teacher[AT_ROOM_NAME_MAX + 1];
    char grading[AT_ROOM_NAME_MAX + 1]; /* the staff's project: cohorts, hidden splits, scoring */
    double core_hours, gpu_hours;       /* per student per week (0: none) */
    int concurrent;                     /* per student (0: none) */
    time_t created;
    char my_role[16]; /* "teacher", "ta", "student" (at_course_list) or "" */
} at_course;

/* Create course name (the projects name and name.grading) with teacher as
 * its lead. AT_ERR_EXISTS when a project of either name exists. Audited. */
at_status at_course_create(at_classroom *c, const char *teacher, const char *name, const char *title);
at_status at_course_get(at_classroom *c, const char *name, at_course *out);
/* The courses of user (any role), by name; *out owned by the caller. */
at_status at_course_list(at_classroom *c, const char *user, at_course **out, size_t *count);
/* A teaching assistant: a member of both projects. */
at_status at_course_ta_add(at_classroom *c, const char *by, const char *course, const char *user);
/* The per-student quotas of the course. */
at_status at_course_quota_set(at_classroom *c, const char *by, const char *course, double core_hours,
                              double gpu_hours, int concurrent);

/* ---- enrolment from a CSV ---- */
#define AT_COURSE_CSV_MAX (1u << 20) /* bytes */
#define AT_COURSE_CSV_ROWS 2000
#define AT_COURSE_CSV_LINE 4096 /* bytes of one line */
typedef struct {
    char login[AT_ROOM_NAME_MAX + 1];
    char name[AT_ROOM_TEXT_MAX + 1];
    char email[AT_ROOM_TEXT_MAX + 1];
    char password[AT_ROOM_OTP_MAX]; /* one-time password, "" for an account that existed */
    int line;
} at_course_student;
/* Parse an enrolment CSV: a header naming the columns "name" and "email"
 * or "login" (or both; any order, case ignored, ',' or ';'), then one
 * student a line; quotes as RFC 4180. A missing login is made from the
 * e-mail's local part. Bounded (AT_COURSE_CSV_*); AT_ERR_FORMAT with
 * "line L, column C: ..." naming the first problem (never a value).
 * *out owned by the caller (at_free). */
at_status at_course_csv_parse(const char *csv, size_t len, at_course_student **out, size_t *count);
/* Enrol the students of csv into course: accounts made (one-time
 * passwords, MFA at first login) or found, each a student of the course.
 * The whole file is parsed and checked (and a member of the staff listed
 * refused) before any account is made; a failure after that (the catalog)
 * leaves the students before it enrolled: enrolling the same file again
 * finishes the job. *out owned by the caller. Audited (no password). */
at_status at_course_enrol_csv(at_classroom *c, const char *by, const char *course, const char *csv,
                              size_t len, at_course_student **out, size_t *count);
/* The printable enrolment sheet (HTML, every value escaped): one card a
 * student with login and one-time password, the room's address. */
at_status at_course_sheet_html(const at_course *course, const at_course_student *s, size_t n,
                               const char *server, at_buf *out);

typedef struct {
    char login[AT_ROOM_NAME_MAX + 1];
    char name[AT_ROOM_TEXT_MAX + 1];
    char email[AT_ROOM_TEXT_MAX + 1];
    char role[16]; /* "teacher", "ta", "student" */
    /* usage in the course (jobs of the course's project), the last 7 days */
    double core_hours, gpu_hours;
    int active;
} at_course_person;
at_status at_course_people(at_classroom *c, const char *course, at_course_person **out, size_t *count);

/* ---- course data: synthetic only ---- */
typedef struct {
    char name[AT_ROOM_NAME_MAX + 1];
    char kind[16]; /* "chemo", "notes", "headct" */
    int64_t seed;
    int patients;
    char snapshot[AT_VAULT_SNAPSHOT_HEX];
    time_t created;
} at_course_data;
/* Generate a synthetic cohort for the course with seed into the vault
 * (the grading project's dataset name): kind "chemo" (chemotherapy
 * cycles with notes and outcomes: chemo.csv), "notes" (annotated notes
 * for de-identification: doc-N.txt and doc-N.gold.json), "headct" (head
 * pseudo-CT phantoms). Audited. */
at_status at_course_generate(at_classroom *c, const char *by, const char *course, const char *kind,
                             const char *name, int patients, int64_t seed);
/* Attach a dataset of another project to the course: refused
 * (AT_ERR_DENIED) unless the dataset is synthetic. */
at_status at_course_attach(at_classroom *c, const char *by, const char *course, const char *project,
                           const char *dataset, const char *name);
at_status at_course_data_list(at_classroom *c, const char *course, at_course_data **out, size_t *count);

/* ---- assignments ---- */
typedef struct {
    int64_t id;
    char name[AT_ROOM_NAME_MAX + 1];
    char title[AT_ROOM_TEXT_MAX + 1];
    char task[16]; /* "risk-auroc" (chemo cohorts), "deid-f1" (annotated notes), "sct-mae" (head
                    * pseudo-CT phantoms: lower is better) */
    char data[AT_ROOM_NAME_MAX + 1];
    time_t deadline;
    int per_day;
    double test_fraction, public_fraction;
    int64_t seed;
    char rule[8];                             /* "best" or "last" */
    char train_dataset[AT_ROOM_NAME_MAX + 1]; /* in the course */
    int train_rows, test_rows, public_rows;
    time_t created;
} at_assignment;
typedef struct {
    const char *name, *title, *task, *data, *rule;
    time_t deadline;
    int per_day;            /* >= 1 */
    double test_fraction;   /* of the patients, hidden (default 0.3) */
    double public_fraction; /* of the hidden patients, scored publicly (default 0.5) */
    int64_t seed;
} at_assignment_spec;
/* Publish an assignment: the course's cohort data split into a training
 * split (a dataset of the course, NAME-train, the students') and the
 * hidden split (the grading project's NAME-test): for risk-auroc, by
 * patient (train.csv; public.csv, the public part, and final.csv, all of
 * it); for deid-f1, by note (train/, test/public/ and test/final/, BRAT
 * standoff). Audited. */
at_status at_assignment_create(at_classroom *c, const char *by, const char *course,
                               const at_assignment_spec *s);
at_status at_assignment_get(at_classroom *c, const char *course, const char *name, at_assignment *out);
at_status at_assignment_list(at_classroom *c, const char *course, at_assignment **out, size_t *count);

/* ---- submissions ---- */
typedef struct {
    const char *kind;    /* "pipeline" (default) or "script" */
    double C;            /* risk pipeline: 0 = cross-validated */
    int l1, xgboost;     /* risk pipeline */
    int epochs;          /* de-identification pipeline: the tagger's epochs (0: 3); pseudo-CT: the
                          * U-Net's (0: 10, within the job's time) */
    const char *command; /* script: run in /code; writes /out/model.bin (the risk model, or the
                          * de-identifier's tagger) */
    const char *code;    /* script: one of the student's own code snapshots of the course (an id or a
                          * prefix of 8 digits or more; "latest" or NULL: their newest push) */
    int64_t time_limit;  /* seconds (default 600) */
} at_submission_config;
typedef struct {
    int64_t id;
    char user[AT_ROOM_NAME_MAX + 1];
    char assignment[AT_ROOM_NAME_MAX + 1];
    time_t submitted;
    char state[16]; /* "training", "scoring", "scored", "failed" */
    int64_t job_id, score_job_id;
    int has_score;
    double public_score, final_score;
    char message[256];
} at_submission;
typedef struct {
    int used_today, per_day, remaining_today;
    double core_hours_used, core_hours_limit, gpu_hours_used, gpu_hours_limit;
    int active, concurrent_limit;
} at_course_quota;

/* Submit for student user: refused after the deadline (AT_ERR_DENIED),
 * past the day's submissions (AT_ERR_QUOTA with the count), past the
 * student's quotas (AT_ERR_QUOTA naming the quota) or the room's. *id the
 * submission, *remaining what remains today. Audited. */
at_status at_submission_create(at_classroom *c, const char *user, const char *course, const char *assignment,
                               const at_submission_config *cfg, int64_t *id, int *remaining);
/* A user's submissions to an assignment (assignment NULL: every one of the
 * course), newest first. user NULL: everyone's. */
at_status at_submission_list(at_classroom *c, const char *course, const char *assignment, const char *user,
                             at_submission **out, size_t *count);
at_status at_submission_get(at_classroom *c, const char *course, int64_t id, at_submission *out);
/* The stored configuration of a submission (JSON, owned by the caller). */
at_status at_submission_config_text(at_classroom *c, const char *course, int64_t id, char **out);
/* The code a script submission ran (its code snapshot of the course)
 * materialised into the new folder dest; AT_ERR_NOT_FOUND for a pipeline
 * submission (its configuration is all there is). */
at_status at_submission_code(at_classroom *c, const char *course, int64_t id, const char *dest);
/* The student's quota in the course (assignment NULL: no day count). */
at_status at_course_quota_of(at_classroom *c, const char *course, const char *assignment, const char *user,
                             at_course_quota *out);

/* 1 for a task whose score is an error (lower is better: sct-mae). */
int at_task_lower_is_better(const char *task);

typedef struct {
    char user[AT_ROOM_NAME_MAX + 1];
    double score; /* public before the deadline, final after */
    int submissions;
    time_t when;
} at_leader;
/* The leaderboard: each student's submission chosen by the assignment's
 * rule, by score (the public one until the deadline, the final one
 * after). *final says which. */
at_status at_leaderboard(at_classroom *c, const char *course, const char *assignment, at_leader **out,
                         size_t *count, int *final);
/* Grades as CSV (login,name,email,assignment,rule,submissions,score): the
 * final score of the submission each rule picks. */
at_status at_course_grades_csv(at_classroom *c, const char *course, at_buf *out);

#ifdef __cplusplus
}
#endif
#endif
