/* The `atelier text` subcommands, split over files by topic. */
#ifndef ATELIER_CLI_CMD_TEXT_H
#define ATELIER_CLI_CMD_TEXT_H

int cmd_text_deid(int argc, char **argv);
int cmd_text_eval_deid(int argc, char **argv);
int cmd_text_synth_docs(int argc, char **argv);
int cmd_text_risk(int argc, char **argv);
int cmd_text_synth_cohort(int argc, char **argv);
int cmd_text_extract(int argc, char **argv);
int cmd_text_eval_extract(int argc, char **argv);

#endif
