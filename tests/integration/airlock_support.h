/* Helpers of the airlock's integration tests (after room_support.h): a
 * job of a project whose result snapshot holds the given files, made
 * without running it (the queue's executor is "none" in these rooms): the
 * job is submitted, its result stored in the project's "results" dataset
 * with a lineage record as the runner writes one, and the job marked
 * succeeded in the catalog. Header only. */
#ifndef ATELIER_TEST_AIRLOCK_SUPPORT_H
#define ATELIER_TEST_AIRLOCK_SUPPORT_H

#include "room_support.h"

#include <sqlite3.h>

static RS_UNUSED int64_t al_result_job(rs_room *rm, const char *user, const char *project, size_t n,
                                       const char *const *names, const char *const *contents,
                                       const size_t *lens)
{
    char *code = test_mkdtemp(), snap[AT_VAULT_SNAPSHOT_HEX], path[800];
    snprintf(path, sizeof path, "%s/run.sh", code);
    test_write_file(path, "true\n", 5);
    if (at_jobs_dataset_put(rm->jobs, user, project, "code", "code", 0, code, snap) != AT_OK)
        fail_msg("code: %s", at_error_message());
    test_rmtree(code);
    free(code);
    at_job_spec spec;
    char js[256];
    snprintf(js, sizeof js, "{\"kind\":\"script\",\"command\":\"sh run.sh\",\"project\":\"%s\"}", project);
    int64_t job = 0;
    if (at_job_spec_parse(js, strlen(js), &spec) != AT_OK ||
        at_jobs_submit(rm->jobs, user, &spec, &job) != AT_OK)
        fail_msg("submit: %s", at_error_message());
    at_job_spec_free(&spec);
    char *out = test_mkdtemp();
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", out, names[i]);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        at_mkdir_p(path, 0700);
        *slash = '/';
        test_write_file(path, contents[i], lens ? lens[i] : strlen(contents[i]));
    }
    snprintf(path, sizeof path, "%s/.atelier", out);
    at_mkdir_p(path, 0700);
    snprintf(path, sizeof path, "%s/.atelier/lineage.json", out);
    char lineage[512];
    snprintf(
        lineage, sizeof lineage,
        "{\"job\":%lld,\"user\":\"%s\",\"project\":\"%s\",\"inputs\":[{\"dataset\":\"cohort\",\"snapshot\":"
        "\"3fa2\"}],\"code\":\"%.16s\"}",
        (long long)job, user, project, snap);
    test_write_file(path, lineage, strlen(lineage));
    if (at_jobs_dataset_put(rm->jobs, user, project, "results", "data", 0, out, snap) != AT_OK)
        fail_msg("results: %s", at_error_message());
    test_rmtree(out);
    free(out);
    at_room_db *db = at_room_db_get(rm->room);
    sqlite3_stmt *s = at_room_db_stmt(db, "UPDATE jobs SET state = ?, result = ?, ended = ? WHERE id = ?");
    sqlite3_bind_int(s, 1, AT_JOB_SUCCEEDED);
    sqlite3_bind_text(s, 2, snap, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)at_room_now());
    sqlite3_bind_int64(s, 4, job);
    if (sqlite3_step(s) != SQLITE_DONE)
        fail_msg("job state: %s", at_error_message());
    sqlite3_reset(s);
    at_room_db_put(rm->room, db);
    return job;
}

/* Write a job's log as the runner does (DIR/jobs/ID/log) and end the job. */
static RS_UNUSED void al_job_log(rs_room *rm, int64_t job, const char *text)
{
    char path[800];
    snprintf(path, sizeof path, "%s/jobs/%lld", rm->dir, (long long)job);
    at_mkdir_p(path, 0700);
    snprintf(path, sizeof path, "%s/jobs/%lld/log", rm->dir, (long long)job);
    test_write_file(path, text, strlen(text));
}

#endif
