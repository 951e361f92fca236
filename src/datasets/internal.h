/* Inside the datasets module: the service's state, its tables, helpers
 * shared by its files. Not a public interface. */
#ifndef ATELIER_DATASETS_INTERNAL_H
#define ATELIER_DATASETS_INTERNAL_H

#include "atelier/datasets.h"

#include <pthread.h>
#include <sqlite3.h>

#define DS_NAMED_MAX 256
#define DS_WORKERS_MAX 16

typedef struct {
    char project[AT_ROOM_NAME_MAX + 1];
    double quota_gb; /* < 0: not set */
    unsigned options;
    int has_options;
} ds_named;

struct at_datasets {
    at_room *room;
    at_jobs *jobs;
    char *dir;         /* the room */
    char *imports_dir; /* DIR/imports (0700): DIR/imports/ID/{raw,out} */
    at_vault *vault;
    at_datasets_conf conf;
    ds_named named[DS_NAMED_MAX];
    size_t named_count;
    /* workers */
    pthread_t workers[DS_WORKERS_MAX];
    int worker_count;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int64_t running[DS_WORKERS_MAX]; /* the import each worker runs (0: none) */
    volatile sig_atomic_t cancel[DS_WORKERS_MAX];
    pthread_mutex_t upload_mu; /* chunk writes */
};

extern const char *const ds_migrations[];
extern const int ds_migration_count;

/* conf.c: read the vault.* keys (named NULL: the per-project ones are
 * checked, not kept). */
at_status ds_conf_read_all(const char *path, at_datasets_conf *c, ds_named *named, size_t *named_count);
/* The project's storage quota in bytes (0: none), DICOM options. */
uint64_t ds_quota_of(const at_datasets *d, const char *project);
unsigned ds_options_of(const at_datasets *d, const char *project);

/* The dataset row of project/name: job_datasets.id, the vault id, kind,
 * synthetic. AT_ERR_NOT_FOUND when none. */
at_status ds_dataset_row(at_room_db *db, const char *project, const char *name, int64_t *row,
                         char vault_id[AT_VAULT_DATASET_HEX], char kind[16], int *synthetic);
/* The id of a project or user by name (0 when none). */
int64_t ds_project_id(at_room_db *db, const char *project);
int64_t ds_user_id(at_room_db *db, const char *user);
/* DIR/imports/ID[/tail] (owned). */
char *ds_import_path(const at_datasets *d, int64_t id, const char *tail);
/* Bytes under a folder (regular files, st_blocks * 512 is not used: sizes). */
uint64_t ds_tree_bytes(const char *path);
/* JSON details for the audit (owned). */
char *ds_details(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* imports.c */
typedef struct {
    size_t n;
    at_import_file *v;
} ds_file_list; /* the declared files of an import (its manifest column) */
void ds_file_list_free(ds_file_list *l);
double ds_now_s(void); /* monotonic seconds */
/* The upload's copy of file i: "doc-000001.EXT" (the text door keeps it). */
void ds_raw_name(size_t i, const char *ext, char out[40]);
/* An import's row (and its files when files is not NULL). */
at_status ds_load_import(at_datasets *d, int64_t id, at_dataset_import *imp, ds_file_list *files);
/* Move an import from state from (-1: any) to to; *changed the rows changed. */
at_status ds_set_state(at_datasets *d, int64_t id, int from, at_import_state to, const char *phase,
                       const char *error, int *changed);
/* Remove DIR/imports/ID whatever it holds. */
void ds_remove_upload(at_datasets *d, int64_t id);

/* worker.c */
void *ds_worker_main(void *arg);
at_status ds_recover(at_datasets *d);

#endif
