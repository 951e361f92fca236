#include "cli.h"
#include "cmd_text.h"
int cmd_text_risk(int argc, char **argv) { (void)argc; (void)argv; return CLI_FAIL; }
int cmd_text_synth_cohort(int argc, char **argv) { (void)argc; (void)argv; return CLI_FAIL; }
