/* The training loop's JSONL log of curves (train_log.c). Internal to
 * src/learn. */
#ifndef ATELIER_LEARN_TRAIN_LOG_H
#define ATELIER_LEARN_TRAIN_LOG_H

#include "atelier/learn.h"

#include <stdio.h>

/* Open path for the loop: a fresh log ("w") when step is 0, else the log
 * of a resumed run with the lines after step (written by a run that
 * stopped before its next checkpoint) and torn lines dropped, so that it
 * reads as one run. *out NULL when path is NULL. */
at_status train_log_open(const char *path, int64_t step, FILE **out);
/* One line (printf format); flushed. No-op when f is NULL. */
void train_log_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON number with "%.7g", or null for NaN and the infinities (JSON
 * has neither). Returns buf (32 bytes) or "null". */
const char *train_log_num(char *buf, double v);

#endif
