/* Test helpers for entry points that take a run context: a progress
 * recorder that checks every phase's events are monotonic and end at
 * their total, a cancel trigger raised by an event (so a cancel lands at
 * a known point of the work) with the time from the raise to the call's
 * return, and a look for partial outputs left in a folder. Header-only
 * (static), for the tests of learn_run and sct. */
#ifndef ATELIER_TEST_RUN_CHECK_H
#define ATELIER_TEST_RUN_CHECK_H

#include "atelier/core.h"
#include "atelier/run.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define RC_MAX_PHASES 8
typedef struct {
    at_run run;
    volatile sig_atomic_t cancel;
    /* per phase: events, last step and total, backward steps */
    const char *phase[RC_MAX_PHASES];
    uint64_t last[RC_MAX_PHASES], total[RC_MAX_PHASES];
    int events[RC_MAX_PHASES], backwards;
    size_t nphases;
    /* cancel when an event of cancel_phase reaches cancel_step */
    const char *cancel_phase;
    uint64_t cancel_step;
    double cancelled_at;
} run_check;

static void rc_event(void *ud, const at_run_event *ev)
{
    run_check *c = ud;
    size_t i = 0;
    while (i < c->nphases && strcmp(c->phase[i], ev->phase))
        i++;
    if (i == c->nphases && i < RC_MAX_PHASES) {
        c->phase[i] = ev->phase;
        c->nphases++;
    }
    if (i < RC_MAX_PHASES) {
        if (c->events[i] && ev->step < c->last[i])
            c->backwards = 1;
        c->events[i]++;
        c->last[i] = ev->step;
        c->total[i] = ev->total;
    }
    if (c->cancel_phase && !c->cancel && !strcmp(ev->phase, c->cancel_phase) && ev->step >= c->cancel_step) {
        c->cancel = 1;
        c->cancelled_at = at_now_seconds();
    }
}

/* A run recording its events; cancelled at (phase, step) when phase is
 * not NULL; store may be NULL. */
static at_run *rc_init(run_check *c, const char *cancel_phase, uint64_t cancel_step, at_store *store)
{
    memset(c, 0, sizeof *c);
    at_run_init(&c->run);
    c->run.progress = rc_event;
    c->run.progress_ud = c;
    c->run.cancel = &c->cancel;
    c->run.store = store;
    c->cancel_phase = cancel_phase;
    c->cancel_step = cancel_step;
    return &c->run;
}

/* Fail unless phase had events, never going back, the last at its total. */
static void rc_assert_phase(const run_check *c, const char *phase)
{
    for (size_t i = 0; i < c->nphases; i++)
        if (!strcmp(c->phase[i], phase)) {
            if (c->backwards)
                fail_msg("progress of %s went backwards", phase);
            if (c->last[i] != c->total[i] || c->total[i] == 0)
                fail_msg("progress of %s ended at %llu of %llu", phase, (unsigned long long)c->last[i],
                         (unsigned long long)c->total[i]);
            return;
        }
    fail_msg("no progress event of phase %s", phase);
}

/* Seconds from the cancel to now (call right after the call returned). */
static double rc_latency(const run_check *c)
{
    if (!c->cancel)
        fail_msg("the cancel point (%s, %llu) was never reached", c->cancel_phase,
                 (unsigned long long)c->cancel_step);
    return at_now_seconds() - c->cancelled_at;
}

/* Fail when dir holds an entry whose name contains ".partial-" or ".tmp". */
static void rc_assert_no_partial(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("%s: cannot open", dir);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".partial-") || strstr(e->d_name, ".tmp")) {
            closedir(d);
            fail_msg("%s: partial output %s left", dir, e->d_name);
        }
    closedir(d);
}

#endif
