/* The batch's inputs: the files of each input as the core walker lists
 * them (include/atelier/walk.h: regular files, folder links never
 * followed, byte order, special files counted and never opened), each
 * turned into a job of the batch. */
#include "deid/walk.h"

#include <string.h>

at_status at_deid_collect(at_deid_job_list *l, const char *input, const at_run *run)
{
    at_walk_list w = {0};
    at_walk_options o = {.max_files = AT_WALK_MAX_FILES - l->n, .run = run};
    at_status st = at_walk_collect(&w, input, &o);
    l->skipped.not_regular += w.skipped.not_regular;
    l->skipped.dangling_links += w.skipped.dangling_links;
    l->skipped.folder_links += w.skipped.folder_links;
    l->skipped.vanished += w.skipped.vanished;
    l->skipped.too_deep += w.skipped.too_deep;
    if (!st && l->n + w.n > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->n + w.n)
            cap *= 2;
        at_deid_job *v = at_realloc(l->v, cap * sizeof *v);
        if (!v)
            st = AT_ERR_NOMEM;
        else {
            l->v = v;
            l->cap = cap;
        }
    }
    for (size_t i = 0; i < w.n && !st; i++) {
        at_deid_job *j = &l->v[l->n++];
        memset(j, 0, sizeof *j);
        j->path = w.v[i].path; /* the strings move to the job */
        j->rel = w.v[i].rel;
        w.v[i].path = w.v[i].rel = NULL;
    }
    at_walk_list_free(&w);
    return st;
}

void at_deid_job_list_free(at_deid_job_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        at_free(l->v[i].path);
        at_free(l->v[i].rel);
        at_free(l->v[i].reason);
        at_free(l->v[i].out_path);
        at_free(l->v[i].out_rel);
        at_free(l->v[i].tmp_path);
    }
    at_free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
