/* The atelier command line: one file per subcommand, each a function
 * `int cmd_NAME(int argc, char **argv)` where argv[0] is the subcommand's
 * name. Exit codes: 0 ok, 1 failure, 2 usage. */
#ifndef ATELIER_CLI_H
#define ATELIER_CLI_H

#include "atelier/core.h"

#include <stdio.h>

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

/* Print "atelier: <message>" (the library's last error) on stderr; return CLI_FAIL. */
int cli_fail(at_status st);
/* Print "atelier <cmd>: <fmt>" and a hint to --help on stderr; return CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when argv holds -h or --help before a "--". */
int cli_wants_help(int argc, char **argv);
/* Canonical absolute form of path, which need not exist: the longest
 * existing prefix through realpath, the rest appended (owned by caller;
 * NULL when out of memory). */
char *cli_canon_path(const char *path);
/* 1 when a and b name one file: the same inode when both exist, else the
 * same canonical path ("x", "./x", "d/../x", through symbolic links). */
int cli_same_path(const char *a, const char *b);
/* 1 when the canonical path lies in the canonical folder dir (or is it). */
int cli_path_within(const char *path, const char *dir);
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
int cmd_synth_cohort(int argc, char **argv); /* synth cohort, sct synth */

#endif
