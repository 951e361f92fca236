/* atelier core: the one folder walker every module uses to find its input
 * files. The policy, the same everywhere:
 *   - only regular files are listed (a link to a regular file counts as
 *     one); FIFOs, sockets and devices are counted and never opened, so a
 *     walk cannot block on them;
 *   - links to folders are never followed: no cycle, and a walk never
 *     leaves the tree it was given through a link;
 *   - the order is deterministic: in each folder its files in byte order
 *     of their names, then its subfolders in byte order, depth first;
 *   - ceilings: a number of files per walk and a folder depth, both
 *     documented below, past which the walk stops with AT_ERR_LIMIT (files)
 *     or leaves the deeper folders out, counted (depth).
 * An entry is classified by readdir's d_type, else with lstat/stat: nothing
 * here opens a file. */
#ifndef ATELIER_WALK_H
#define ATELIER_WALK_H

#include "atelier/run.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AT_WALK_MAX_FILES ((size_t)10000000) /* files per list, by default */
#define AT_WALK_MAX_DEPTH 256                /* folders below an input, by default */

/* Entries of a walk that are not listed (counted, never opened). */
typedef struct {
    size_t not_regular;    /* FIFOs, sockets, devices */
    size_t dangling_links; /* links to nothing */
    size_t folder_links;   /* links to folders (never followed) */
    size_t vanished;       /* gone between listing and looking */
    size_t too_deep;       /* folders past the depth ceiling, not entered */
} at_walk_skipped;

typedef struct {
    char *path; /* the input joined with rel (owned) */
    char *rel;  /* relative to its input; for an input that is a file, its base name (owned) */
} at_walk_entry;

typedef struct {
    at_walk_entry *v;
    size_t n, cap;
    at_walk_skipped skipped; /* summed over every at_walk_collect into this list */
} at_walk_list;

/* What to leave out; all fields may be zero. */
typedef struct {
    int skip_hidden; /* names starting with '.' (files and folders) left out, not counted */
    /* keep(ud, rel, is_folder): 0 leaves the entry out (not counted), a
     * folder with all under it; NULL keeps everything */
    int (*keep)(void *ud, const char *rel, int is_folder);
    void *keep_ud;
    size_t max_files;  /* 0: AT_WALK_MAX_FILES; counts the whole list */
    int max_depth;     /* 0: AT_WALK_MAX_DEPTH */
    const at_run *run; /* may be NULL: its cancel flag is checked every 1024 entries */
} at_walk_options;

/* Append the files of input to l (opt may be NULL): a regular file (or a
 * link to one) as itself, a folder (or a link to one: the input itself is
 * followed) walked as above. An input that is neither (a FIFO, a device)
 * is an error (AT_ERR_IO, a message naming it), never opened. On error
 * the entries already listed stay in l (free them with at_walk_list_free).
 * Cancelled: AT_ERR_CANCELLED. */
at_status at_walk_collect(at_walk_list *l, const char *input, const at_walk_options *opt);
/* Free every entry and the array; l is empty and reusable after. */
void at_walk_list_free(at_walk_list *l);

/* Remove what an interrupted run left under root: the files anywhere under
 * it, and the folders directly in it, named prefix + a process id (then
 * the end of the name or a '.'), e.g. ".deid.tmp.4242.17", when that
 * process is no longer running (a live run's names are left alone). Links
 * to folders are never followed. *removed (may be NULL) receives the
 * count. AT_ERR_IO names the first entry that could not be removed. */
at_status at_walk_remove_debris(const char *root, const char *prefix, size_t *removed);
/* Remove the folders "<path>.partial-<pid>" beside path (a run builds its
 * output folder there and renames it into place) that a process no longer
 * running left; the folder holding path is read, never walked. *removed
 * (may be NULL) receives the count. */
at_status at_walk_remove_partials(const char *path, size_t *removed);

#ifdef __cplusplus
}
#endif
#endif
