/* The sct commands across their two files (cmd_sct.c, cmd_sct_pipeline.c). */
#ifndef ATELIER_CLI_CMD_SCT_H
#define ATELIER_CLI_CMD_SCT_H

int sct_prepare_cmd(int argc, char **argv);
int sct_train_cmd(int argc, char **argv);
int sct_predict_cmd(int argc, char **argv);
extern const char *SCT_PREPARE_HELP, *SCT_TRAIN_HELP, *SCT_PREDICT_HELP;
/* A number in lo..hi (the whole of s); 0 when s is NULL or not one. */
int sct_num(const char *s, double lo, double hi, double *out);

#endif
