/* The parts of `atelier demo` beyond the door, each on synthetic data in a
 * temporary folder the caller owns, through the caller's run (cancel on
 * SIGINT). Return CLI_OK, CLI_FAIL (message printed) or CLI_INTERRUPTED. */
#ifndef ATELIER_CLI_DEMO_H
#define ATELIER_CLI_DEMO_H

#include "atelier/run.h"

/* Clinical text: de-identify synthetic notes, then the re-hospitalisation
 * risk pipeline on a synthetic chemotherapy cohort. */
int demo_text(const char *tmp, at_run *run);
/* Pseudo-CT: synthesise a cohort, de-identify it through the door, prepare,
 * train for `minutes`, print held-out metrics and write a PNG. */
int demo_sct(const char *tmp, int patients, double minutes, int threads, int keep, at_run *run);

#endif
