/* The sct commands across their two files (cmd_sct.c, cmd_sct_pipeline.c). */
#ifndef ATELIER_CLI_CMD_SCT_H
#define ATELIER_CLI_CMD_SCT_H

int sct_prepare_cmd(int argc, char **argv);
int sct_train_cmd(int argc, char **argv);
int sct_predict_cmd(int argc, char **argv);
extern const char *SCT_PREPARE_HELP, *SCT_TRAIN_HELP, *SCT_PREDICT_HELP;
/* An option with a number in lo..hi: 1 when argv[*i] is name (its value
 * parsed into *x, or *rc set to CLI_USAGE, said); 0 for another option. */
int sct_number(const char *cmd, int argc, char **argv, int *i, const char *name, double lo, double hi,
               double *x, int *rc);

#endif
