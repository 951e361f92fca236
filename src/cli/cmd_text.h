/* The `atelier text` subcommands, split over files by topic. */
#ifndef ATELIER_CLI_CMD_TEXT_H
#define ATELIER_CLI_CMD_TEXT_H

int cmd_text_deid(int argc, char **argv);
int cmd_text_eval_deid(int argc, char **argv);
int cmd_text_deid_model(int argc, char **argv);
int cmd_text_risk(int argc, char **argv);
int cmd_text_extract(int argc, char **argv);
int cmd_text_eval_extract(int argc, char **argv);
/* A --delimiter value: ",", ";", "tab" or a tab character into *delim;
 * -1 when it is none of these. */
int cli_delimiter(const char *s, int *delim);

#endif
