/* The training loader: a thread fills batch b+1 (through the batch
 * source's fill callback) while batch b trains; two slots, handed over
 * under a mutex. The thread fills batches in order, one at a time, so a
 * source may draw from a sequential random stream. */
#include "loader.h"

#include <stdio.h>
#include <string.h>

static void *loader_main(void *arg)
{
    batch_loader *L = arg;
    pthread_mutex_lock(&L->mu);
    while (!L->quit) {
        int64_t b = L->next;
        int slot = (int)(b & 1);
        if (b >= L->count || L->ready[slot]) {
            pthread_cond_wait(&L->cv, &L->mu);
            continue;
        }
        pthread_mutex_unlock(&L->mu);
        loader_batch *o = &L->buf[slot];
        for (size_t i = 0; i < L->out_sz; i++)
            o->mask[i] = 1.0f;
        at_status st = L->src->fill(L->src->ud, L->epoch, b, o->in, o->tgt, o->mask);
        pthread_mutex_lock(&L->mu);
        L->st[slot] = st;
        if (st != AT_OK)
            snprintf(L->msg[slot], sizeof L->msg[slot], "%s", at_error_message());
        L->ready[slot] = 1;
        L->next = b + 1;
        pthread_cond_broadcast(&L->cv);
    }
    pthread_mutex_unlock(&L->mu);
    return NULL;
}

at_status loader_take(batch_loader *L, int64_t b, loader_batch **out)
{
    int slot = (int)(b & 1);
    pthread_mutex_lock(&L->mu);
    while (!L->ready[slot])
        pthread_cond_wait(&L->cv, &L->mu);
    at_status st = L->st[slot];
    pthread_mutex_unlock(&L->mu);
    *out = &L->buf[slot];
    if (st != AT_OK)
        at_error_set(st, "%s", L->msg[slot]); /* the message, on this thread */
    return st;
}

void loader_release(batch_loader *L, int64_t b)
{
    pthread_mutex_lock(&L->mu);
    L->ready[b & 1] = 0;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
}

at_status loader_init(batch_loader *L, const at_train_source *src, size_t in_sz, size_t out_sz)
{
    memset(L, 0, sizeof *L);
    L->src = src;
    L->in_sz = in_sz;
    L->out_sz = out_sz;
    int ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
        L->buf[i].in = at_calloc(in_sz, sizeof(float));
        L->buf[i].tgt = at_calloc(out_sz, sizeof(float));
        L->buf[i].mask = at_calloc(out_sz, sizeof(float));
        ok = L->buf[i].in && L->buf[i].tgt && L->buf[i].mask;
    }
    return ok ? AT_OK : AT_ERR_NOMEM;
}

void loader_free(batch_loader *L)
{
    loader_stop(L);
    for (int i = 0; i < 2; i++) {
        at_free(L->buf[i].in);
        at_free(L->buf[i].tgt);
        at_free(L->buf[i].mask);
    }
    memset(L, 0, sizeof *L);
}

at_status loader_start(batch_loader *L, int64_t epoch, int64_t first, int64_t count)
{
    L->epoch = epoch;
    L->next = first;
    L->count = count;
    L->quit = 0;
    L->ready[0] = L->ready[1] = 0;
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->cv, NULL);
    if (pthread_create(&L->thread, NULL, loader_main, L) != 0) {
        pthread_mutex_destroy(&L->mu);
        pthread_cond_destroy(&L->cv);
        return at_error_set(AT_ERR_NOMEM, "train: cannot start the loader thread");
    }
    L->running = 1;
    return AT_OK;
}

void loader_stop(batch_loader *L)
{
    if (!L->running)
        return;
    pthread_mutex_lock(&L->mu);
    L->quit = 1;
    pthread_cond_broadcast(&L->cv);
    pthread_mutex_unlock(&L->mu);
    pthread_join(L->thread, NULL);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->cv);
    L->running = 0;
}
