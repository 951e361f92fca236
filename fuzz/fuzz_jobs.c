/* libFuzzer target: what a job's submitter controls. The same bytes are
 * read as a job spec (what the parser accepts, written back as JSON,
 * reads again to the same JSON) and as a code archive (what unpacks,
 * packed again, unpacks again to the same archive). */
#include "atelier/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void cleanup(void)
{
    at_remove_tree(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 16))
        return 0;
    at_job_spec s, t;
    if (at_job_spec_parse((const char *)data, size, &s) == AT_OK) {
        char *a = NULL, *b = NULL;
        if (at_job_spec_json(&s, &a) != AT_OK || at_job_spec_parse(a, strlen(a), &t) != AT_OK ||
            at_job_spec_json(&t, &b) != AT_OK || strcmp(a, b))
            __builtin_trap();
        if (s.cores < 1 || s.gpus < 0 || s.memory_mb < 1 || s.time_limit < 1 ||
            s.input_count > AT_JOB_INPUTS_MAX)
            __builtin_trap();
        at_free(a);
        at_free(b);
        at_job_spec_free(&s);
        at_job_spec_free(&t);
    }
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/atelier-fuzz-jobs-%d", (int)getpid());
        at_mkdir_p(dir, 0700);
        atexit(cleanup);
    }
    char one[128], two[128];
    snprintf(one, sizeof one, "%s/one", dir);
    snprintf(two, sizeof two, "%s/two", dir);
    if (at_jobs_code_unpack(data, size, one) == AT_OK) {
        unsigned char *p1 = NULL, *p2 = NULL;
        size_t n1 = 0, n2 = 0;
        if (at_jobs_code_pack(one, 1u << 20, &p1, &n1) != AT_OK ||
            at_jobs_code_unpack(p1, n1, two) != AT_OK ||
            at_jobs_code_pack(two, 1u << 20, &p2, &n2) != AT_OK || n1 != n2 || memcmp(p1, p2, n1))
            __builtin_trap();
        at_free(p1);
        at_free(p2);
    }
    at_remove_tree(one);
    at_remove_tree(two);
    at_error_clear();
    return 0;
}
