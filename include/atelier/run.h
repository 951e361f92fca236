/* atelier run context: what every long-running library call receives, so
 * that the command line, a job in the room and a test drive a pipeline the
 * same way. One structure carries:
 *   - progress: events (phase, step, total, named metrics) to a callback;
 *   - cancel: a flag the caller (a signal handler, the room's job runner)
 *     raises; the call checks it at least once a second of work and
 *     returns AT_ERR_CANCELLED, leaving no partial output;
 *   - threads: the thread budget of the call (>= 1);
 *   - log: a sink for lines that never carry a patient value;
 *   - store: where the call reads its inputs and writes its outputs (the
 *     local file system, optionally rooted in a folder; the vault later).
 * Every pipeline entry point has the form
 *     at_status at_<pipeline>_run(const spec *, at_run *, result *);
 * and a NULL run means at_run_default(): no progress, no cancel, one
 * thread, no log, the process's file system as it is. */
#ifndef ATELIER_RUN_H
#define ATELIER_RUN_H

#include "atelier/core.h"

#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A cancelled call returns this (the same value as AT_ERR_INTERRUPTED). */
#define AT_ERR_CANCELLED AT_ERR_INTERRUPTED

/* ---- progress events ---- */
#define AT_RUN_MAX_METRICS 8
typedef struct {
    const char *name; /* static string: "loss", "val_mae_hu", "files_done" */
    double value;
} at_run_metric;

typedef struct {
    const char *phase; /* static string naming the stage: "read", "deidentify", "train" */
    uint64_t step;     /* done so far in this phase, monotonic, ends at total */
    uint64_t total;    /* 0 when unknown */
    size_t metric_count;
    at_run_metric metrics[AT_RUN_MAX_METRICS];
} at_run_event;

typedef void (*at_run_progress_fn)(void *ud, const at_run_event *ev);

/* ---- the store ---- */
/* Resolves a path of a spec to a path of the file system, for reading
 * (for_write 0) or writing (1). *out is owned by the caller (at_free). A
 * store refuses a path it does not hold with AT_ERR_ARG and a message
 * naming the path. */
typedef at_status (*at_store_resolve_fn)(void *ud, const char *path, int for_write, char **out);
typedef struct {
    at_store_resolve_fn resolve; /* NULL: paths are used as they are */
    void *ud;
    char *root; /* the local store's root folder (owned), else NULL */
} at_store;

/* The local file system. root NULL: paths as given. root a folder: every
 * path is relative to it, and an absolute path, a '..' component or a
 * symbolic link that leads out of root is refused. */
at_status at_store_local(at_store *s, const char *root);
void at_store_free(at_store *s);

/* ---- the run ---- */
typedef struct at_run {
    at_run_progress_fn progress; /* may be NULL */
    void *progress_ud;
    volatile sig_atomic_t *cancel; /* may be NULL; nonzero means stop */
    int threads;                   /* >= 1 (0 is taken as 1) */
    at_log_fn log;                 /* may be NULL; never given a patient value */
    void *log_ud;
    at_log_level log_min;
    at_store *store; /* may be NULL: the file system as it is */
    /* internal: last step reported per phase, to keep events monotonic */
    const char *last_phase;
    uint64_t last_step;
} at_run;

/* A run with no progress, no cancel, one thread, no log, no store. */
void at_run_init(at_run *run);
/* A shared default for callers that pass NULL (read-only use only). */
at_run *at_run_default(void);

/* 1 if the caller asked the call to stop. Cheap: call it often. */
int at_run_cancelled(const at_run *run);
/* AT_ERR_CANCELLED with the message "<what>: cancelled" when cancelled,
 * else AT_OK. */
at_status at_run_check(const at_run *run, const char *what);
/* Thread budget of the call (>= 1). */
int at_run_threads(const at_run *run);

/* Report progress: phase is a static string; step is clamped so that
 * events of one phase never go backwards. */
void at_run_progress(at_run *run, const char *phase, uint64_t step, uint64_t total);
/* Same with metrics (count <= AT_RUN_MAX_METRICS). */
void at_run_progress_metrics(at_run *run, const char *phase, uint64_t step, uint64_t total,
                             const at_run_metric *metrics, size_t count);
/* Log a line through the run's sink (never a patient value). */
void at_run_log(const at_run *run, at_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resolve a path through the run's store (see at_store_resolve_fn). */
at_status at_run_path(const at_run *run, const char *path, int for_write, char **out);

/* ---- what a run wrote, taken back when it fails or is cancelled ---- */
/* A pipeline writing file by file into an output folder notes each file
 * here; a failed or cancelled call takes them back, so it leaves no
 * partial output. */
typedef struct {
    char *root;       /* the output folder (owned) */
    int root_created; /* this run made root: taking back removes it whole */
    char **files;     /* files written under a root that was there before */
    size_t n, cap;
} at_run_outputs;
/* Note whether root is there, then make it (mkdir -p with mode). In a
 * root that was there, the temporary files an interrupted run left
 * (".tmp.<pid>.*" of at_file_write_atomic, their process gone) are
 * removed first. */
at_status at_run_outputs_begin(at_run_outputs *o, const char *root, int mode);
/* A file this run has just written (its path is copied). */
at_status at_run_outputs_add(at_run_outputs *o, const char *path);
/* Take back: root removed whole when this run made it, else each file noted. */
void at_run_outputs_take_back(at_run_outputs *o);
/* Keep what was written; free the notes. */
void at_run_outputs_free(at_run_outputs *o);

#ifdef __cplusplus
}
#endif
#endif
