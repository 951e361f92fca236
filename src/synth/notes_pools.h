/* Internal to the synthetic clinical documents: the name pools. */
#ifndef ATELIER_SYNTH_NOTES_POOLS_H
#define ATELIER_SYNTH_NOTES_POOLS_H

#include <stddef.h>

typedef struct {
    const char *name, *zip;
} notes_commune;

typedef struct {
    const char *const *first_f, *const *first_m, *const *last, *const *hospitals, *const *streets,
                                                                                      *const *domains;
    const notes_commune *communes;
    size_t n_first_f, n_first_m, n_last, n_hospitals, n_streets, n_domains, n_communes;
} notes_pools;

/* The development (heldout 0) or held-out (heldout 1) halves. */
void notes_pools_get(int heldout, notes_pools *p);

#endif
