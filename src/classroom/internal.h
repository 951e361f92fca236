/* Inside the classroom module: its state, its tables, and the one place
 * course data go into the vault. Not a public interface. */
#ifndef ATELIER_CLASSROOM_INTERNAL_H
#define ATELIER_CLASSROOM_INTERNAL_H

#include "atelier/classroom.h"

#include <pthread.h>
#include <sqlite3.h>

struct at_classroom {
    at_room *room;
    at_jobs *jobs;
    pthread_mutex_t submit_mu; /* one submission at a time: the day's count and quotas stay exact */
    pthread_mutex_t tick_mu;   /* one tick at a time */
    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, period_ms;
};

/* classroom.c */
extern const char *const class_migrations[];
extern const int class_migration_count;
/* The course's row id and its projects' names; AT_ERR_NOT_FOUND naming it. */
at_status class_course_row(at_room_db *db, const char *course, int64_t *id,
                           char grading[AT_ROOM_NAME_MAX + 1], char teacher[AT_ROOM_NAME_MAX + 1]);
at_status class_user_id(at_room_db *db, const char *name, int64_t *id);
void class_copy_col(sqlite3_stmt *s, int col, char *out, size_t cap);
/* A private scratch folder under DIR/jobs/scratch-classroom (owned). */
char *class_scratch(at_classroom *c, const char *what);

/* THE place course data enter and leave the vault (see classroom.c). */
at_status course_data_store(at_classroom *c, const char *by, const char *project, const char *name,
                            int synthetic, const char *dir, char snap[AT_VAULT_SNAPSHOT_HEX]);
at_status course_data_materialise(at_classroom *c, const char *project, const char *name,
                                  const char *snapshot, const char *dest);
/* 1 when the dataset of project is synthetic (a course accepts no other). */
at_status course_data_is_synthetic(at_classroom *c, const char *project, const char *name, int *synthetic);

/* split_sct.c: the head phantoms of cohort (its cohort/ folder) prepared
 * and cut into out/train, out/test/final and out/test/public, each a
 * prepared folder with its manifest. */
typedef struct {
    int train, test, pub;
} class_split_counts;
at_status class_split_sct(const char *cohort, const char *out, double test_fraction, double public_fraction,
                          int64_t seed, class_split_counts *sc);

#endif
