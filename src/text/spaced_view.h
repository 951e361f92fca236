/* Letter-spaced text read again without its spaces (deid_spaced.c; run
 * from deid_pipeline.c's steps). */
#ifndef ATELIER_TEXT_SPACED_VIEW_H
#define ATELIER_TEXT_SPACED_VIEW_H

#include "deid_scan.h"

/* Letter-spaced text (deid_spaced.c): a view of a chunk whose runs of
 * characters one space apart ("R a c h e l") are written without their
 * spaces; map gives each byte of the view its byte in the chunk. */
typedef struct {
    size_t start, end; /* a run's bytes in the view */
} spaced_run;
typedef struct {
    char *t; /* NULL: no run, no view */
    uint32_t *map;
    size_t len;
    spaced_run *runs;
    size_t nruns;
} spaced_view;
/* The view of scan s (v->t NULL when s has no run). */
at_status deid_spaced_view(const text_scan *s, spaced_view *v);
void deid_spaced_view_free(spaced_view *v);
/* The spans found in the view that cover a run label the tokens of s
 * they cover whole: as one entity when the entities there lie inside the
 * span and are more than one (the chunk read in parts what the view read
 * whole), else where no label is yet. */
void deid_spaced_apply(text_scan *s, const spaced_view *v, const at_text_spans *found);

#endif
