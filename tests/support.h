/* Test support: temporary folders, running the atelier binary, files. */
#ifndef ATELIER_TEST_SUPPORT_H
#define ATELIER_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh temporary folder (removed by test_rmtree). Owned by caller (free). */
char *test_mkdtemp(void);
void test_rmtree(const char *path);
/* Run a shell command; capture stdout (and stderr when merge) into *out
 * (malloc'd, may be NULL). Returns the exit status (or -1). */
int test_run(char **out, int merge, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Path of the atelier binary under test ($ATELIER_BIN). */
const char *test_atelier_bin(void);
/* 1 if a program is on PATH. */
int test_have_program(const char *name);
/* Read a file fully (malloc'd) or NULL. */
unsigned char *test_read_file(const char *path, size_t *len);
int test_write_file(const char *path, const void *data, size_t len);
/* memmem-based search. */
int test_contains(const void *hay, size_t n, const char *needle);

#endif
