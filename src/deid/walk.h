/* Internal to src/deid: the batch's inputs (src/deid/walk.c). */
#ifndef ATELIER_DEID_WALK_H
#define ATELIER_DEID_WALK_H

#include "atelier/deid.h"

typedef struct {
    char *path;     /* as found */
    char *rel;      /* relative to its input root (in the report only on request) */
    /* results */
    int state;      /* 0 done, 1 quarantined, 2 rejected */
    char *reason;   /* owned; names the input by number, never by path */
    char *out_path; /* final path */
    char *out_rel;  /* final path relative to the output folder, for the report */
    char *tmp_path; /* written, not yet renamed */
    at_deid_stats stats;
} at_deid_job;

typedef struct {
    at_deid_job *v;
    size_t n, cap;
    at_deid_skipped skipped; /* entries of folder walks that are not inputs */
} at_deid_job_list;

/* Add the files of input to l: a regular file (or a link to one) as itself,
 * a folder walked recursively (entries in byte order of their names: its
 * files first, then its subfolders, depth first; links to files followed,
 * links to folders not). In a walk, entries that are not regular files are
 * skipped and counted in l->skipped. An input that is neither a regular
 * file nor a folder (a FIFO, a device, a socket) is an error (AT_ERR_IO,
 * a message naming it): it is never opened, so it cannot block the run. */
at_status at_deid_collect(at_deid_job_list *l, const char *input);
/* Free every job's strings and the array. */
void at_deid_job_list_free(at_deid_job_list *l);

#endif
