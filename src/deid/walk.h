/* Internal to src/deid: the batch's inputs (src/deid/walk.c). */
#ifndef ATELIER_DEID_WALK_H
#define ATELIER_DEID_WALK_H

#include "atelier/deid.h"
#include "atelier/walk.h"

typedef struct {
    char *path; /* as found */
    char *rel;  /* relative to its input root (in the report only on request) */
    /* results */
    int state;      /* 0 done, 1 quarantined, 2 rejected */
    char *reason;   /* owned; names the input by number, never by path */
    char *out_path; /* final path */
    char *out_rel;  /* final path relative to the output folder, for the report */
    char *tmp_path; /* written, not yet renamed */
    int named;      /* written straight under out_path (staging folder of a fresh output) */
    at_deid_stats stats;
} at_deid_job;

typedef struct {
    at_deid_job *v;
    size_t n, cap;
    at_deid_skipped skipped; /* entries of folder walks that are not inputs */
} at_deid_job_list;

/* Add the files of input to l as the core walker lists them
 * (at_walk_collect: a regular file as itself, a folder walked in byte
 * order, links to folders never followed, entries that are not regular
 * files counted in l->skipped, an input that is a FIFO or a device an
 * error, never opened). run (may be NULL) can cancel a long walk. */
at_status at_deid_collect(at_deid_job_list *l, const char *input, const at_run *run);
/* Free every job's strings and the array. */
void at_deid_job_list_free(at_deid_job_list *l);

#endif
