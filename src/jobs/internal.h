/* Inside the jobs module: the service's state, the catalog's tables, the
 * executors and the sandbox. Not a public interface. */
#ifndef ATELIER_JOBS_INTERNAL_H
#define ATELIER_JOBS_INTERNAL_H

#include "atelier/jobs.h"

#include <pthread.h>
#include <sqlite3.h>

#define JOBS_NAMED_MAX 256
#define JOBS_STATUS_MAX 65536  /* bytes of an attempt's status file */
#define JOBS_EVENT_MAX 4096    /* bytes of one progress event */
#define JOBS_STARTING_GRACE 10 /* seconds a started runner has to take its lock */

/* Per-name settings of room.conf: jobs.share.user.NAME = 2,
 * jobs.quota.project.NAME.core_hours = 100, ... */
typedef struct {
    char kind[8]; /* "user", "project" */
    char name[AT_ROOM_NAME_MAX + 1];
    char what[24]; /* "share", "core_hours", "gpu_hours", "concurrent", "queued" */
    double value;
} jobs_named;

typedef struct {
    jobs_named v[JOBS_NAMED_MAX];
    size_t n;
} jobs_names;

struct at_jobs {
    at_room *room;
    char *dir;      /* the room */
    char *jobs_dir; /* DIR/jobs */
    at_jobs_conf conf;
    jobs_names named;
    at_vault *vault;
    char host[AT_ROOM_NAME_MAX + 1];
    /* the service thread */
    pthread_t thread;
    int thread_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wake, stop;
    pthread_mutex_t tick_mu; /* one tick at a time */
    /* local executor: which GPUs are taken */
    int gpu_taken[AT_JOBS_GPUS_MAX];
    /* slurm: accounts known to exist */
    char slurm_accounts[64][AT_ROOM_NAME_MAX + 1];
    int slurm_account_count;
    double last_recover;
};

/* conf.c */
at_status jobs_conf_read_all(const char *path, at_jobs_conf *c, jobs_names *named);
/* The per-name value, or dflt. */
double jobs_named_value(const jobs_names *n, const char *kind, const char *name, const char *what,
                        double dflt);

/* queue.c */
extern const char *const jobs_migrations[];
extern const int jobs_migration_count;
/* This program's atelier-engine (itself, or the one beside the front end). */
void jobs_default_engine(char *out, size_t cap);
/* Fill a job from a row of JOBS_COLUMNS (joined with users and projects). */
#define JOBS_COLUMNS                                                                                         \
    "j.id, u.name, p.name, j.kind, j.name, j.state, j.cores, j.gpus, j.memory_mb, j.time_limit, "            \
    "j.submitted, j.started, j.ended, j.attempt, j.executor, j.station, j.external_id, j.gpu_list, "         \
    "j.cancel_requested, j.exit_code, j.reason, j.result, j.phase, j.step, j.total, j.priority "             \
    "FROM jobs j JOIN users u ON u.id = j.user_id JOIN projects p ON p.id = j.project_id "
void jobs_row(sqlite3_stmt *s, at_job *out);
/* Folder of a job (owned). */
char *jobs_job_dir(const at_jobs *j, int64_t id);
/* Path of a file of a job's folder (owned). */
char *jobs_job_file(const at_jobs *j, int64_t id, const char *name);
char *jobs_job_file_dir(const char *room_dir, int64_t id, const char *name);
/* JSON details for the audit (owned). */
char *jobs_details(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The entity key of the usage table: "u:NAME" or "p:NAME". */
void jobs_entity_key(char *out, size_t cap, const char *kind, const char *name);
/* The id of a user or project by name (sql selects it from one bound
 * name); AT_ERR_NOT_FOUND when there is none. */
at_status jobs_id_of(at_room_db *db, const char *sql, const char *name, int64_t *id);

/* usage.c */
/* Charge a finished job's usage to its user and project (in the open
 * transaction). */
at_status jobs_usage_add(at_jobs *j, at_room_db *db, const char *user, const char *project, double core_s,
                         double gpu_s, time_t now);
/* Check one entity's ("user" or "project", its id who) quotas for a new
 * job; AT_ERR_QUOTA with the message. */
at_status jobs_check_quota(at_jobs *j, at_room_db *db, const char *kind, const char *name, int64_t who,
                           const at_job_spec *spec, time_t now);

/* finalize.c */
/* Record an attempt's end from its status file (exactly once: the row
 * changes only while the job is starting or running with that attempt). */
at_status jobs_finalize(at_jobs *j, const at_job *job, const char *status_text);

/* store.c */
/* The project's dataset of the given name: its vault id (made when absent
 * and create is set). */
at_status jobs_dataset_ensure(at_jobs *j, at_room_db *db, int64_t project_id, const char *name,
                              const char *kind, int synthetic, int create, char id[AT_VAULT_DATASET_HEX],
                              int *is_synthetic);
at_status jobs_vault_open(const char *room_dir, at_room *room, at_vault **out);

/* local.c */
/* Start a runner as a process of its own session (it outlives the server). */
at_status jobs_local_start(at_jobs *j, const at_job *job, pid_t *pid);
/* 1 when the job's lock is held (its runner lives), 0 when free. */
int jobs_lock_held(const at_jobs *j, int64_t id);
/* Signal a job's runner (its process group). */
void jobs_local_signal(const at_jobs *j, const at_job *job, int sig);

/* slurm.c */
at_status jobs_slurm_submit(at_jobs *j, const at_job *job, char external_id[32]);
/* Slurm's state of a job ("PENDING", "RUNNING", "COMPLETED", ...) into
 * state; "" when Slurm does not know it. */
at_status jobs_slurm_state(at_jobs *j, const char *external_id, char *state, size_t cap);
/* The Slurm job named for this job's attempt, if one was submitted. */
at_status jobs_slurm_find(at_jobs *j, int64_t id, int attempt, char external_id[32]);
at_status jobs_slurm_cancel(at_jobs *j, const char *external_id);
at_status jobs_slurm_nodes(at_jobs *j, at_jobs_station **out, size_t *count);
/* Run a program (argv[0] looked up in dir or PATH) and capture its
 * standard output (at most cap - 1 bytes); the exit status in *code. */
at_status jobs_capture(const char *const *argv, char *out, size_t cap, int *code);

/* cgroup.c */
typedef struct {
    char dir[2][512]; /* v2: one; v1: memory, pids */
    int count;
    int memory, pids; /* which limits were set */
} jobs_cgroup;
/* Make the job's groups and set their limits (best effort: count 0 when
 * none could be made). */
void jobs_cgroup_make(jobs_cgroup *g, int64_t id, int attempt, int64_t memory_mb, int processes);
/* Move the calling process into them (in the child, before exec): how many. */
int jobs_cgroup_enter(const jobs_cgroup *g);
/* Remove them (after the job's end). */
void jobs_cgroup_remove(jobs_cgroup *g);

/* sandbox.c */
typedef struct {
    const char *bwrap;
    const char *data_dir;       /* materialised inputs: /data (read-only) */
    const char *code_dir;       /* code snapshot: /code (read-only), or NULL */
    const char *out_dir;        /* /out */
    const char *tmp_dir;        /* /tmp */
    const char *engine;         /* bound read-only at /atelier/atelier-engine, or NULL */
    int gpus;                   /* bind /dev/nvidia* when > 0 */
    int progress_fd;            /* the fd number the job writes its events to */
    int seccomp_fd;             /* a BPF program for bwrap's --seccomp, or -1 */
    const char *const *command; /* the job's argv */
    const char *const *env;     /* NAME=VALUE, NULL-ended */
} jobs_sandbox;
/* bubblewrap's argv for the sandbox (owned by the caller: jobs_argv_free). */
at_status jobs_sandbox_argv(const jobs_sandbox *sb, char ***argv);
void jobs_argv_free(char **argv);
/* The runner's side of the filter's notifications: the listener handed
 * over sock (-1 on failure); one notification answered with EACCES, its
 * socket family and process (-1 when none could be read). */
int jobs_notify_receive(int sock);
int jobs_notify_answer(int listener, int *family, int *pid);
/* A memfd holding the seccomp program that refuses network sockets
 * (every family but AF_UNIX) and io_uring; -1 on failure. */
int jobs_seccomp_fd(void);

#endif
