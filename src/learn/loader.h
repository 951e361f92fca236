/* The training loop's loader (loader.c): a thread that fills the next
 * batch through the batch source while the current one trains, two slots
 * deep. What a batch holds is the source's business (at_train_source);
 * the loader only runs its fill callback, in batch order, off the
 * training thread. Internal to src/learn. */
#ifndef ATELIER_LEARN_LOADER_H
#define ATELIER_LEARN_LOADER_H

#include "atelier/learn.h"

#include <pthread.h>

typedef struct {
    float *in, *tgt, *mask;
} loader_batch;

typedef struct {
    const at_train_source *src;
    size_t in_sz, out_sz; /* one batch */
    int64_t epoch, count; /* batches [next, count) of this epoch to produce */
    loader_batch buf[2];
    int ready[2]; /* slot filled */
    at_status st[2];
    char msg[2][512]; /* the error message of a failed fill (messages are per thread) */
    int64_t next;     /* next batch the loader makes */
    int quit, running;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} batch_loader;

/* Allocate two slots of in_sz input and out_sz target/mask floats (a
 * whole batch). Free with loader_free (also after a failure). */
at_status loader_init(batch_loader *L, const at_train_source *src, size_t in_sz, size_t out_sz);
void loader_free(batch_loader *L);
/* Start the thread on batches first..count-1 of epoch. */
at_status loader_start(batch_loader *L, int64_t epoch, int64_t first, int64_t count);
/* Stop and join the thread (no-op when not running). */
void loader_stop(batch_loader *L);
/* Wait for batch b; the buffer stays valid until loader_release(b).
 * Returns the status of filling it, with its message. */
at_status loader_take(batch_loader *L, int64_t b, loader_batch **out);
void loader_release(batch_loader *L, int64_t b);

#endif
