/* The training loader (loader.c): a thread that prepares and augments the
 * next batch while the current one trains, two slots deep. The shuffle and
 * the augmentation of each batch derive from (seed, epoch, batch index),
 * never from thread timing. Internal to the training loop. */
#ifndef ATELIER_LEARN_LOADER_H
#define ATELIER_LEARN_LOADER_H

#include "atelier/learn.h"

#include <pthread.h>

typedef struct {
    float *in, *tgt, *mask;
} lt_batch;

typedef struct {
    const at_unet_config *cfg;
    const at_dataset *ds;
    int augment, ic, oc;
    size_t in_sz, out_sz; /* per sample */
    int64_t spatial[3];
    int sp;
    int per_step;         /* samples per micro-batch */
    size_t *order;        /* this epoch's shuffled training indices */
    int64_t epoch, count; /* batches [next, count) of this epoch to produce */
    lt_batch buf[2];
    int ready[2]; /* slot filled */
    at_status st[2];
    int64_t next; /* next batch the loader makes */
    int quit, running;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    float *scratch;
} lt_loader;

/* Allocate buffers for batches of per_step samples of the given spatial
 * size (sp axes). Free with lt_loader_free (also after a failure). */
at_status lt_loader_init(lt_loader *L, const at_unet_config *cfg, const at_dataset *ds, int augment,
                         int in_channels, int sp, const int64_t *spatial, int per_step);
void lt_loader_free(lt_loader *L);
/* Shuffle for epoch and start the thread on batches first..count-1. */
at_status lt_loader_start(lt_loader *L, int64_t epoch, int64_t first, int64_t count);
/* Stop and join the thread (no-op when not running). */
void lt_loader_stop(lt_loader *L);
/* Wait for batch b; the buffer stays valid until lt_loader_release(b).
 * Returns the status of preparing it (a dataset error). */
at_status lt_loader_take(lt_loader *L, int64_t b, lt_batch **out);
void lt_loader_release(lt_loader *L, int64_t b);

#endif
