/* The atelier command line: one file per subcommand, each a function
 * `int cmd_NAME(int argc, char **argv)` where argv[0] is the subcommand's
 * name. Exit codes: 0 ok, 1 failure, 2 usage. */
#ifndef ATELIER_CLI_H
#define ATELIER_CLI_H

#include "atelier/core.h"
#include "atelier/run.h"

#include <stdio.h>

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2
#define CLI_INTERRUPTED 130 /* SIGINT or SIGTERM: the run cancelled, what was kept said */

/* Print "atelier: <message>" (the library's last error) on stderr; return CLI_FAIL. */
int cli_fail(at_status st);
/* Print "atelier <cmd>: <fmt>" and a hint to --help on stderr; return CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when argv holds -h or --help before a "--". */
int cli_wants_help(int argc, char **argv);
/* 0 (said on stderr) when the key file would lie inside the output folder. */
int cli_key_outside(const char *cmd, const char *key, const char *outdir);
/* Progress callback for long work: a bar with ETA on a terminal, plain
 * lines (at most one every few seconds) otherwise. ud is a cli_progress. */
typedef struct {
    const char *label;
    double start, last;
    int tty;
    int quiet;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *label, int quiet);
void cli_progress_cb(void *ud, uint64_t done, uint64_t total, const char *note);
void cli_progress_end(cli_progress *p);
/* Install the stderr log handler (verbose: debug level). */
void cli_log_init(int verbose);

/* The French text detector for `deid --option clean-descriptors`, handed to
 * the door as a callback (src/cli/deid_text.c, built into atelier-engine
 * only; the `atelier` front program hands such runs to the engine). Sets
 * the at_deid_spec's detect and detect_ud; *state is freed by
 * cli_deid_detector_free. Returns AT_OK, or an error when the detector
 * cannot be loaded. */
at_status cli_deid_detector(void *deid_spec, void **state);
void cli_deid_detector_free(void *state);

/* ---- one set of habits (docs/cli.md) ---- */
/* The same wording everywhere: "unknown option 'X'", "X needs a value";
 * both return CLI_USAGE. */
int cli_unknown_option(const char *cmd, const char *arg);
int cli_needs_value(const char *cmd, const char *opt);
/* An option with a value: 1 when argv[*i] is name or alias (alias may be
 * NULL); its value into *val and *i moved on, or *rc set to CLI_USAGE
 * (said) when the value is missing. 0 when argv[*i] is another option. */
int cli_take(const char *cmd, int argc, char **argv, int *i, const char *name, const char *alias,
             const char **val, int *rc);
/* 1 when arg is name or alias (may be NULL). */
int cli_flag(const char *arg, const char *name, const char *alias);
/* A number of opt in [lo, hi] into *out: CLI_OK, or CLI_USAGE (said). */
int cli_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
int cli_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
/* The cores online (1..256): the default thread count. */
int cli_threads_default(void);

/* A command's run of a library pipeline: SIGINT and SIGTERM raise the
 * run's cancel flag (a second signal stops the process at once); progress
 * is drawn on stderr only when stderr is a terminal (and, when the command
 * writes a table to stdout, only when stdout is not that terminal); log
 * lines go to stderr as "atelier CMD: ...", warnings only with quiet. */
typedef struct {
    at_run run;
    cli_progress bar;
    const char *cmd;
    const char *phase; /* the phase the bar shows */
} cli_run;
void cli_run_start(cli_run *r, const char *cmd, int threads, int quiet, int table_on_stdout);
/* The signal handlers back as they were; the progress line ended. */
void cli_run_finish(cli_run *r);
/* After the call: cli_run_finish, then the exit status of st: 0 ok;
 * cancelled: one line "atelier CMD: interrupted; <kept>" and
 * CLI_INTERRUPTED (130); AT_ERR_REFUSED (refused before anything was
 * written): its message and CLI_USAGE; any other error: cli_fail. */
int cli_run_end(cli_run *r, at_status st, const char *kept);
/* 1 once SIGINT or SIGTERM came during a run. */
int cli_interrupted(void);

/* The one rule for existing outputs: a file that exists, or a folder that
 * exists and is not empty, is refused (said once; CLI_USAGE) unless force.
 * CLI_OK when path is free. */
int cli_output_free(const char *cmd, const char *path, int force);

/* The default site key: $ATELIER_KEY, else ~/.config/atelier/site.key
 * (owned by caller). */
char *cli_key_default_path(void);
/* Load the site key for cmd: keyfile (--key) must exist (a mistyped path
 * is refused with a hint to 'atelier key new', never made a new key);
 * without keyfile the default key, created there on the first run with a
 * line on stderr (even under --quiet). A key inside outdir (may be NULL)
 * is refused. *path_out (may be NULL) receives the key's path (owned).
 * Returns CLI_OK, CLI_USAGE or CLI_FAIL (said). */
int cli_key_load(const char *cmd, const char *keyfile, const char *outdir, at_key *key, char **path_out);

int cmd_demo(int argc, char **argv);
int cmd_dicom(int argc, char **argv);
int cmd_deid(int argc, char **argv);
int cmd_learn(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_sct(int argc, char **argv);
int cmd_text(int argc, char **argv);
int cmd_room(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_job(int argc, char **argv);
int cmd_code(int argc, char **argv);
int cmd_course(int argc, char **argv);  /* the classroom's client (cmd_course.c) */
int cmd_export(int argc, char **argv);  /* export request|add|submit|status|download (the airlock's client) */
int cmd_airlock(int argc, char **argv); /* airlock verify PACKAGE (anywhere, without the room) */
int cmd_job_bench(int argc, char **argv);    /* job bench: bench/jobs's driver */
int cmd_synth_cohort(int argc, char **argv); /* synth cohort, sct synth */
int cmd_synth_docs(int argc, char **argv);   /* synth docs, text synth-docs */
int cmd_synth_chemo(int argc, char **argv);  /* synth chemo, text synth-cohort */
int cmd_key(int argc, char **argv);

#endif
