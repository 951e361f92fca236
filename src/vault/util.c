/* Small pieces shared by the vault's files: a set of object ids (open
 * addressing; ids are keyed hashes, so their first bytes are already
 * uniform) and the first error of a group of threads. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void vault_idset_init(vault_idset *s)
{
    memset(s, 0, sizeof *s);
}

void vault_idset_free(vault_idset *s)
{
    at_free(s->keys);
    at_free(s->vals);
    memset(s, 0, sizeof *s);
}

/* vals[slot] holds the payload + 1; 0 marks an empty slot. */
static size_t slot_of(const vault_idset *s, const unsigned char id[32])
{
    uint64_t h;
    memcpy(&h, id, sizeof h);
    size_t i = (size_t)h & (s->cap - 1);
    while (s->vals[i] && memcmp(s->keys[i], id, 32))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static int grow(vault_idset *s)
{
    size_t cap = s->cap ? 2 * s->cap : 1024;
    vault_idset n = {.cap = cap};
    n.keys = at_malloc(cap * sizeof *n.keys);
    n.vals = at_calloc(cap, sizeof *n.vals);
    if (!n.keys || !n.vals) {
        at_free(n.keys);
        at_free(n.vals);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->vals[i]) {
            size_t j = slot_of(&n, s->keys[i]);
            memcpy(n.keys[j], s->keys[i], 32);
            n.vals[j] = s->vals[i];
        }
    n.count = s->count;
    vault_idset_free(s);
    *s = n;
    return 0;
}

int vault_idset_add(vault_idset *s, const unsigned char id[32], uint32_t val)
{
    if ((s->count + 1) * 2 > s->cap && grow(s) < 0)
        return -1;
    size_t i = slot_of(s, id);
    if (s->vals[i])
        return 0;
    memcpy(s->keys[i], id, 32);
    s->vals[i] = val + 1;
    s->count++;
    return 1;
}

long vault_idset_find(const vault_idset *s, const unsigned char id[32])
{
    if (!s->cap)
        return -1;
    size_t i = slot_of(s, id);
    return s->vals[i] ? (long)i : -1;
}

void vault_error_init(vault_first_error *e)
{
    pthread_mutex_init(&e->lock, NULL);
    e->status = AT_OK;
    e->message[0] = '\0';
}

void vault_error_record(vault_first_error *e, at_status st)
{
    pthread_mutex_lock(&e->lock);
    if (e->status == AT_OK && st != AT_OK) {
        e->status = st;
        snprintf(e->message, sizeof e->message, "%s", at_error_message());
    }
    pthread_mutex_unlock(&e->lock);
}

at_status vault_error_raise(vault_first_error *e)
{
    pthread_mutex_lock(&e->lock);
    at_status st = e->status;
    if (st)
        at_error_set(st, "%s", e->message[0] ? e->message : at_status_name(st));
    pthread_mutex_unlock(&e->lock);
    return st;
}
