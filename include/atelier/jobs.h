/* atelier jobs: the room's work over its stations. A job is a spec (a kind,
 * inputs by dataset@snapshot, parameters, resources) submitted by a user
 * for one of their projects; it waits in a fair-share queue kept in the
 * room's catalog, runs as its own process (`atelier-engine job run ID`)
 * under a bubblewrap sandbox on the head station (executor `local`) or on
 * a Slurm cluster (executor `slurm`), and on success its /out becomes a
 * result snapshot in the vault with its lineage.
 *
 * The module sits above room and vault: it keeps its tables in the room's
 * catalog (its own migrations), snapshots in the room's vault, and every
 * change of state in the audit. The pipelines know nothing of it: a job
 * runs them (or a user's script) inside the sandbox with /data, /code,
 * /out and /tmp, and reads their progress events (JSON lines on the file
 * descriptor named by ATELIER_PROGRESS_FD).
 *
 * Design: ROOM.md (shared) and docs/room.md ("Jobs"). Every function
 * returns an at_status and sets the thread's error message; messages name
 * jobs, users, projects and datasets, never data. */
#ifndef ATELIER_JOBS_H
#define ATELIER_JOBS_H

#include "atelier/room.h"
#include "atelier/run.h"
#include "atelier/vault.h"

#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AT_ERR_QUOTA (-30) /* a submission past a quota (HTTP 429) */

/* ---- states and kinds ---- */
typedef enum {
    AT_JOB_QUEUED = 0,
    AT_JOB_STARTING,
    AT_JOB_RUNNING,
    AT_JOB_SUCCEEDED,
    AT_JOB_FAILED,
    AT_JOB_CANCELLED,
    AT_JOB_TIMED_OUT,
    AT_JOB_STATE_COUNT
} at_job_state;
const char *at_job_state_name(at_job_state s);
/* -1 for an unknown name. */
int at_job_state_parse(const char *name);
/* 1 for succeeded, failed, cancelled, timed-out. */
int at_job_state_final(at_job_state s);

/* The kinds: "script" (a user's command from a code snapshot) and every
 * pipeline entry point, run through the engine's command line inside the
 * sandbox ("sct-train" is `atelier-engine sct train ARGS...`). NULL-ended. */
extern const char *const at_job_kinds[];
/* The engine's words for a pipeline kind ("sct train"), NULL for "script"
 * or an unknown kind. */
const char *at_job_kind_command(const char *kind);
int at_job_kind_valid(const char *kind);

/* ---- the spec ---- */
#define AT_JOB_INPUTS_MAX 8
#define AT_JOB_ARGS_MAX 64
#define AT_JOB_COMMAND_MAX 2048
#define AT_JOB_SPEC_MAX 16384 /* bytes of a spec's JSON */
typedef struct {
    char dataset[AT_ROOM_NAME_MAX + 1];    /* the project's dataset name */
    char snapshot[AT_VAULT_SNAPSHOT_HEX];  /* a prefix or "latest" as given; full id once resolved */
    char as[AT_ROOM_NAME_MAX + 1];         /* folder under /data (default: dataset) */
    char dataset_id[AT_VAULT_DATASET_HEX]; /* filled at submission */
} at_job_input;

typedef struct {
    char kind[32];
    char project[AT_ROOM_NAME_MAX + 1];
    char name[AT_ROOM_NAME_MAX + 1];  /* a label, may be empty */
    char code[AT_VAULT_SNAPSHOT_HEX]; /* code snapshot (prefix or "latest"); "" for none */
    char command[AT_JOB_COMMAND_MAX]; /* script: run by /bin/sh -c in /code */
    size_t arg_count;                 /* pipeline kinds: the engine's arguments */
    char *args[AT_JOB_ARGS_MAX];      /* owned */
    size_t input_count;
    at_job_input inputs[AT_JOB_INPUTS_MAX];
    int cores;          /* >= 1 */
    int gpus;           /* >= 0 */
    int64_t memory_mb;  /* > 0 */
    int64_t time_limit; /* seconds, > 0 */
    /* filled at submission */
    char code_dataset[AT_VAULT_DATASET_HEX];   /* the project's "code" */
    char result_dataset[AT_VAULT_DATASET_HEX]; /* the project's "results" */
    char user[AT_ROOM_NAME_MAX + 1];
} at_job_spec;

void at_job_spec_init(at_job_spec *s);
void at_job_spec_free(at_job_spec *s);
/* Parse a spec from JSON: {"kind", "project", "name", "code", "command",
 * "args": [..], "inputs": ["ds@snap" or "ds@snap:as", ...] (or one
 * comma-separated string), "cores", "gpus", "memory" ("512M", "4G" or
 * MiB), "time" ("90s", "30m", "2h", "1d" or seconds)}. Numbers may be
 * JSON numbers or strings. Every value bounded; AT_ERR_FORMAT naming the
 * field otherwise. Unset resources take defaults (1 core, 0 GPUs, 2 GiB,
 * 1 h). */
at_status at_job_spec_parse(const char *json, size_t len, at_job_spec *out);
/* The spec as JSON (owned by the caller, at_free). */
at_status at_job_spec_json(const at_job_spec *s, char **out);
/* "30m" -> 1800 and the like; -1 when malformed. */
int64_t at_job_parse_duration(const char *text);
/* "4G" -> 4096 (MiB); -1 when malformed. */
int64_t at_job_parse_memory_mb(const char *text);

/* ---- settings: the jobs.* keys of room.conf ---- */
#define AT_JOBS_GPUS_MAX 16
typedef struct {
    char executor[16];        /* "local" (default), "slurm" or "none" (the queue only) */
    int cores;                /* local: cores for jobs (default: the station's) */
    int gpus;                 /* local: GPUs for jobs (default: /dev/nvidia[0-9]* present) */
    int64_t memory_mb;        /* local: memory for jobs (default: 3/4 of the station's) */
    char engine[512];         /* the atelier-engine run by jobs (default: this program's) */
    char scratch[512];        /* per-attempt scratch folders (default DIR/jobs/scratch) */
    char bwrap[256];          /* bubblewrap (default /usr/bin/bwrap) */
    int sandbox;              /* 1 (default): bubblewrap; 0 only for benchmarks and tests */
    char slurm_partition[64]; /* "" : the cluster's default */
    char slurm_bin[256];      /* folder of sbatch, squeue, sacct, scancel ("" : PATH) */
    int slurm_max_pending;    /* jobs handed to Slurm and not yet running (default 64) */
    int slurm_accounts;       /* 1 (default): sacctmgr adds the project as an account */
    int64_t default_time;     /* seconds (default 1 h) */
    int64_t max_time;         /* seconds (default 7 d) */
    int max_attempts;         /* a job lost with its station is requeued this often (default 3) */
    double half_life_s;       /* decayed usage (default 7 days) */
    double gpu_weight;        /* a GPU-second counts this many core-seconds (default 8) */
    double weight_fairshare;  /* default 10000 */
    double weight_age;        /* default 1000, reached at max_age */
    double max_age_s;         /* default 7 days */
    int tick_ms;              /* scheduler and monitor period (default 200) */
    int64_t log_max;          /* bytes of a job's log kept (default 16 MiB) */
    int processes;            /* RLIMIT_NPROC inside the sandbox (default 512) */
    /* quotas per week (0: none) and counts (0: none), per user and per project */
    double user_core_hours, user_gpu_hours, project_core_hours, project_gpu_hours;
    int user_concurrent, user_queued, project_concurrent, project_queued;
} at_jobs_conf;
void at_jobs_conf_defaults(at_jobs_conf *c);
/* Read the jobs.* keys of room.conf over the defaults (other keys are the
 * room's); AT_ERR_FORMAT naming the line. Shares and per-name quotas
 * (jobs.share.user.NAME, jobs.quota.user.NAME.core_hours, ...) are read
 * by at_jobs_open into the catalog's view. */
at_status at_jobs_conf_read(const char *path, at_jobs_conf *c);

/* ---- the jobs service ---- */
typedef struct at_jobs at_jobs;
/* Open the jobs of an open room: settings, tables (migrated), the vault
 * (DIR/vault, made on first use). No thread is started. *out owned by the
 * caller (at_jobs_close); room must outlive it. */
at_status at_jobs_open(at_room *room, at_jobs **out);
void at_jobs_close(at_jobs *j);
const at_jobs_conf *at_jobs_config(const at_jobs *j);
at_room *at_jobs_room(at_jobs *j);
/* Start the scheduler and monitor thread: recovers the jobs left starting
 * or running by an earlier process (re-attached when their runner lives,
 * requeued or failed when it is gone, recorded when it finished), then
 * every tick records finished jobs, enforces cancellations and time
 * limits, and starts queued jobs in fair-share order where they fit. */
at_status at_jobs_start(at_jobs *j);
/* Stop the thread (running jobs go on: they are re-attached at the next
 * start). */
void at_jobs_stop(at_jobs *j);
/* One tick of the service, in the caller's thread (tests, benchmarks):
 * how many jobs it started. */
int at_jobs_tick(at_jobs *j);
/* A scheduling pass that starts nothing (benchmarks, the queue page):
 * the queued jobs read from the catalog with their owners' usage, their
 * priorities computed, and the jobs that would start now picked. */
at_status at_jobs_plan(at_jobs *j, size_t *queued, size_t *startable);
/* Wake the service now (after a submission or a cancellation). */
void at_jobs_wake(at_jobs *j);

/* ---- submission and the queue ---- */
typedef struct {
    int64_t id;
    char user[AT_ROOM_NAME_MAX + 1];
    char project[AT_ROOM_NAME_MAX + 1];
    char kind[32];
    char name[AT_ROOM_NAME_MAX + 1];
    at_job_state state;
    int cores, gpus;
    int64_t memory_mb, time_limit;
    time_t submitted, started, ended;
    int attempt;
    char executor[16];
    char station[AT_ROOM_NAME_MAX + 1];
    char external_id[32]; /* the runner's pid (local) or Slurm's job id */
    char gpu_list[64];    /* CUDA_VISIBLE_DEVICES of a local job */
    int cancel_requested;
    int exit_code;
    char reason[256];                   /* why it ended (or why it waits) */
    char result[AT_VAULT_SNAPSHOT_HEX]; /* result snapshot, "" when none */
    char phase[32];                     /* the newest progress event */
    uint64_t step, total;
    double priority; /* queued jobs: the scheduler's last priority */
} at_job;

/* Submit spec for user (a member of spec->project; students may use only
 * synthetic datasets). Inputs and the code snapshot are resolved to full
 * ids in the project's datasets; the quotas are checked in the same
 * transaction (AT_ERR_QUOTA naming the quota and when it frees). *id
 * receives the job's number. Audited ("job.submit"). */
at_status at_jobs_submit(at_jobs *j, const char *user, at_job_spec *spec, int64_t *id);
at_status at_jobs_get(at_jobs *j, int64_t id, at_job *out);
/* The stored spec (resolved) as JSON; owned by the caller. */
at_status at_jobs_spec_text(at_jobs *j, int64_t id, char **out);

typedef struct {
    const char *user;    /* or NULL */
    const char *project; /* or NULL */
    int active_only;     /* queued, starting, running */
    int64_t limit;       /* 0: 500 */
} at_job_filter;
/* Jobs matching the filter, newest first. *out owned by the caller. */
at_status at_jobs_list(at_jobs *j, const at_job_filter *f, at_job **out, size_t *count);
/* Ask a job to stop: a queued job is cancelled at once, a running one is
 * signalled and ends cancelled. Audited. AT_ERR_ARG when already ended. */
at_status at_jobs_cancel(at_jobs *j, const char *by, int64_t id);

/* A job's log from offset (bytes): at most max bytes into *out (owned),
 * *next the offset after; the whole log's size in *size. */
at_status at_jobs_log(at_jobs *j, int64_t id, int64_t offset, size_t max, char **out, size_t *len,
                      int64_t *size);
/* Progress events of a job (JSON lines, each validated when written) from
 * line index from; at most max lines. */
at_status at_jobs_events(at_jobs *j, int64_t id, int64_t from, size_t max, char **out, size_t *len,
                         int64_t *next);

/* The newest progress event (a JSON object, "" when none) and how many
 * there are, without reading them all into memory. */
at_status at_jobs_last_event(at_jobs *j, int64_t id, char *out, size_t cap, int64_t *count);

/* ---- usage, quotas, shares ---- */
typedef struct {
    double core_hours_week, gpu_hours_week;         /* used in the last 7 days (running jobs so far) */
    double core_hours_reserved, gpu_hours_reserved; /* queued and running jobs up to their limits */
    int running, queued;
    double core_hours_limit, gpu_hours_limit; /* 0: none */
    int concurrent_limit, queued_limit;       /* 0: none */
    double share;                             /* fair-share weight */
    double decayed_usage;                     /* core-seconds, decayed */
    double fairshare;                         /* the factor in (0, 1] */
} at_jobs_usage;
/* kind: "user" or "project". */
at_status at_jobs_usage_of(at_jobs *j, const char *kind, const char *name, at_jobs_usage *out);

typedef struct {
    char station[AT_ROOM_NAME_MAX + 1];
    char state[32];
    int cores_total, cores_used;
    int gpus_total, gpus_used;
} at_jobs_station;
/* The stations and their load: the head station (local) or Slurm's nodes
 * (sinfo). *out owned by the caller. */
at_status at_jobs_stations(at_jobs *j, at_jobs_station **out, size_t *count);

/* ---- datasets of a project in the vault (interim: until the door's
 * imports are wired into the catalog, code pushes, job results and test
 * fixtures are the datasets a job can read) ---- */
typedef struct {
    char name[AT_ROOM_NAME_MAX + 1];
    char dataset_id[AT_VAULT_DATASET_HEX];
    char kind[16]; /* "code", "result", "data" */
    int synthetic;
} at_jobs_dataset;
/* Store folder dir as a new snapshot of the project's dataset name (made
 * when absent, kind "data" or "code"; parent: its latest snapshot).
 * Audited. snap receives the full id. */
at_status at_jobs_dataset_put(at_jobs *j, const char *by, const char *project, const char *name,
                              const char *kind, int synthetic, const char *dir,
                              char snap[AT_VAULT_SNAPSHOT_HEX]);
at_status at_jobs_datasets(at_jobs *j, const char *project, at_jobs_dataset **out, size_t *count);
/* Materialise a snapshot of the project's dataset into dest (which must
 * not exist): results come back to their owners. */
at_status at_jobs_dataset_get(at_jobs *j, const char *project, const char *name, const char *snapshot,
                              const char *dest);
/* A code push: an archive (the client's "ATLCODE1" format, see
 * at_jobs_code_pack) unpacked into a private folder, checked (paths,
 * sizes, count) and stored as a new snapshot of the project's "code". */
at_status at_jobs_code_push(at_jobs *j, const char *by, const char *project, const void *archive, size_t len,
                            char snap[AT_VAULT_SNAPSHOT_HEX]);
/* Pack folder dir (regular files only; .git skipped) into the archive
 * format: "ATLCODE1\n" then per file "F MODE SIZE PATHLEN\n" PATH DATA.
 * At most max bytes in all. *out owned by caller. */
at_status at_jobs_code_pack(const char *dir, size_t max, unsigned char **out, size_t *len);
#define AT_JOBS_CODE_MAX (256u << 20)
/* Unpack an archive of that format into the new folder dest (0700): every
 * header and length checked against what remains, paths checked as the
 * vault's, no file twice; AT_ERR_FORMAT naming the offset otherwise. */
at_status at_jobs_code_unpack(const void *archive, size_t len, const char *dest);

/* ---- the runner: `atelier-engine job run ID` ---- */
/* Run attempt of job id of the room in dir: take the job's lock (another
 * runner of it: AT_ERR_EXISTS), materialise its inputs and code, run it
 * in the sandbox with its time limit and its progress read, store /out
 * as the result snapshot with its lineage, write the attempt's final
 * status, wipe the scratch. cancel: raised by SIGTERM. Returns AT_OK when
 * the job ran to an end (whatever the job's own outcome). */
at_status at_jobs_run(const char *dir, int64_t id, int attempt, volatile sig_atomic_t *cancel);

/* Inside the sandbox (`atelier-engine job sandbox-exec -- CMD`): install
 * the seccomp filter that refuses every socket but AF_UNIX and io_uring,
 * hand its notification listener to the runner over notify_fd (so that
 * each refused socket is logged and audited), then exec argv. Returns only
 * on failure. */
at_status at_jobs_sandbox_exec(int notify_fd, char **argv);

/* ---- the scheduler's core (sched.c): no I/O, used by the service and by
 * the fairness simulation over a fake clock ---- */
typedef struct {
    int64_t id;
    int user, project; /* indices into the entity arrays */
    double submitted;  /* seconds */
    int cores, gpus;
    int64_t memory_mb;
    double priority; /* out */
} at_sched_job;
typedef struct {
    double share;         /* > 0 */
    double usage;         /* decayed core-seconds, running jobs' elapsed time included */
    int running;          /* jobs running now */
    int concurrent_limit; /* 0: none */
} at_sched_entity;
typedef struct {
    int cores_free, gpus_free;
    int64_t memory_free_mb;
    double now;
    double weight_fairshare, weight_age, max_age_s;
} at_sched_state;
/* Decay a usage value over dt seconds with the half-life. */
double at_sched_decay(double usage, double dt, double half_life);
/* The fair-share factor 2^-(U/S) of an entity: U its part of the usage of
 * all, S its part of the shares of all (entities with usage or jobs). */
double at_sched_fairshare(const at_sched_entity *e, const at_sched_entity *all, size_t n);
/* Priorities of the queued jobs (fair share of user x project, plus age);
 * then, in priority order, pick those that fit in the free resources and
 * their entities' concurrency limits. picked[i] = index into jobs; returns
 * how many. jobs is sorted by priority on return. */
size_t at_sched_pick(at_sched_job *jobs, size_t n, at_sched_entity *users, size_t nusers,
                     at_sched_entity *projects, size_t nprojects, at_sched_state *st, size_t *picked);

#ifdef __cplusplus
}
#endif
#endif
