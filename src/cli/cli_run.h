/* The run context of a command (cli_run.c): Ctrl-C (SIGINT) and SIGTERM
 * raise its cancel flag, its progress events are drawn on the terminal
 * (only when stderr is one, or as a line every few seconds otherwise;
 * nothing with --quiet), its thread budget comes from the command's
 * options. Shared by the learn and sct commands. */
#ifndef ATELIER_CLI_RUN_H
#define ATELIER_CLI_RUN_H

#include "cli.h"

#include "atelier/run.h"

#define CLI_CANCELLED 130 /* exit status of a cancelled command (128 + SIGINT) */

typedef struct cli_run {
    at_run run;
    cli_progress bar;
    const char *phase;      /* the phase drawn (NULL: every phase) */
    uint64_t base;          /* a resumed run: the step it started from */
    uint64_t last_step, last_total; /* the last event drawn */
    int started, quiet;
    /* called with every event before it is drawn (may be NULL) */
    void (*hook)(struct cli_run *r, const at_run_event *ev);
    void *hook_ud;
} cli_run;

/* Start: the cancel flag armed on SIGINT and SIGTERM (a second Ctrl-C
 * kills as usual), progress drawn for events of phase (NULL: all) under
 * label, threads the budget (>= 1). */
void cli_run_begin(cli_run *r, const char *label, const char *phase, int quiet, int threads);
/* End: the signal handlers restored, the progress line closed. */
void cli_run_end(cli_run *r);
/* 1 when the command was cancelled by a signal. */
int cli_run_was_cancelled(const cli_run *r);
/* Print a line on stderr between progress updates (clearing the bar on
 * a terminal); nothing with quiet. */
void cli_run_line(cli_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "atelier CMD: <what>" as the one line of a cancelled command and
 * return CLI_CANCELLED. */
int cli_run_cancelled(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 when path does not exist; else says on stderr that it exists and
 * how to replace it (--force) and returns CLI_USAGE. */
int cli_refuse_existing(const char *cmd, const char *path, const char *how);

#endif
