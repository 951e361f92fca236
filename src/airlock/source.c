/* The airlock's file source in a room: the seam between the airlock and
 * where a project's files live. Until the vault's datasets are in the
 * catalog, results and logs are the jobs service's:
 *   result  "JOB" -> "JOB@SNAPSHOT": a file of the result snapshot of a
 *           job of the project that succeeded (the project's "results"
 *           dataset in the vault), read by materialising that one path;
 *           its lineage is the snapshot's .atelier/lineage.json (the job,
 *           its inputs dataset@snapshot, its code, the person, the times);
 *   log     "JOB": the log of a job of the project that has ended;
 *   derived "SNAPSHOT": a transformation's output, kept in the airlock's
 *           own dataset of the project in the room's vault (encrypted
 *           like every dataset; the airlock_store table names it).
 * Rewiring to the catalog's datasets means changing resolve/read/lineage
 * here, nothing else. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINEAGE_MAX (1u << 20)

typedef struct {
    at_room *room;
    at_jobs *jobs;
    at_vault *vault;
    char *tmp; /* DIR/airlock/tmp (0700): materialised files live here a moment */
} room_source;

static at_status job_of(room_source *rs, const char *project, const char *id, at_job *job)
{
    if (!rs->jobs)
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "jobs are not enabled in this room: no result or log to export");
    char *end;
    errno = 0;
    long long n = strtoll(id, &end, 10);
    if (errno || end == id || n <= 0 || (*end && *end != '@'))
        return at_error_set(AT_ERR_ARG, "a job number is expected, not '%.40s'", id);
    at_status st = at_jobs_get(rs->jobs, n, job);
    if (st || strcmp(job->project, project))
        return at_error_set(AT_ERR_NOT_FOUND, "project %s has no job %lld", project, n);
    return AT_OK;
}

static at_status dataset_of(room_source *rs, const char *project, const char *name, at_vault_dataset_id *ds)
{
    at_jobs_dataset *list = NULL;
    size_t n = 0;
    at_status st = at_jobs_datasets(rs->jobs, project, &list, &n);
    const char *hex = NULL;
    for (size_t i = 0; i < n && !st; i++)
        if (!strcmp(list[i].name, name))
            hex = list[i].dataset_id;
    if (!st && !hex)
        st = at_error_set(AT_ERR_NOT_FOUND, "project %s has no dataset '%s'", project, name);
    if (!st)
        st = at_vault_dataset_parse(hex, ds);
    at_free(list);
    return st;
}

/* The airlock's own dataset of a project (made on first use when create). */
static at_status store_of(room_source *rs, const char *project, int create, at_vault_dataset_id *ds)
{
    at_room_db *db = at_room_db_get(rs->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT st.vault_id FROM airlock_store st JOIN projects p ON p.id = "
                            "st.project_id WHERE p.name = ?");
    at_status st = s ? AT_OK : AT_ERR_IO;
    int found = 0;
    if (s) {
        sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW) {
            st = at_vault_dataset_parse((const char *)sqlite3_column_text(s, 0), ds);
            found = 1;
        }
        sqlite3_reset(s);
    }
    if (!st && !found && !create)
        st = at_error_set(AT_ERR_NOT_FOUND, "project %s has no transformed file", project);
    if (!st && !found) {
        st = at_vault_dataset_create(rs->vault, ds);
        char hex[AT_VAULT_DATASET_HEX];
        at_vault_dataset_hex(ds, hex);
        if (!st)
            st = at_room_db_begin(db);
        if (!st) {
            s = at_room_db_stmt(db,
                                "INSERT INTO airlock_store(project_id, vault_id) SELECT id, ? FROM projects "
                                "WHERE name = ?");
            if (!s)
                st = AT_ERR_IO;
            else {
                sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(s, 2, project, -1, SQLITE_TRANSIENT);
                if (sqlite3_step(s) != SQLITE_DONE || at_room_db_changes(db) != 1)
                    st = at_room_db_error(db, "airlock store");
                sqlite3_reset(s);
            }
            if (!st)
                st = at_room_db_commit(rs->room, db);
            else
                at_room_db_rollback(db);
        }
    }
    at_room_db_put(rs->room, db);
    return st;
}

/* The dataset and snapshot a resolved ref names. */
static at_status locate(room_source *rs, const char *project, const at_airlock_ref *ref,
                        at_vault_dataset_id *ds, at_vault_snapshot_id *snap)
{
    if (!strcmp(ref->kind, "derived")) {
        at_status st = store_of(rs, project, 0, ds);
        return st ? st : at_vault_snapshot_parse(ref->id, snap);
    }
    const char *at = strchr(ref->id, '@');
    if (!at)
        return at_error_set(AT_ERR_ARG, "an unresolved result reference");
    at_job job;
    at_status st = job_of(rs, project, ref->id, &job);
    if (!st && strcmp(job.result, at + 1))
        st = at_error_set(AT_ERR_NOT_FOUND, "job %lld's result is not that snapshot", (long long)job.id);
    if (!st)
        st = dataset_of(rs, project, "results", ds);
    if (!st)
        st = at_vault_snapshot_parse(at + 1, snap);
    return st;
}

static at_status file_in(room_source *rs, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                         const char *path, uint64_t *size)
{
    at_vault_manifest *m = NULL;
    at_status st = at_vault_path_check(path);
    if (!st)
        st = at_vault_manifest_load(rs->vault, ds, snap, &m);
    long i = st ? -1 : at_vault_manifest_find(m, path);
    if (!st && i < 0)
        st = at_error_set(AT_ERR_NOT_FOUND, "the snapshot has no file %.200s", path);
    if (!st)
        *size = m->files[i].size;
    at_vault_manifest_free(m);
    return st;
}

static at_status rs_resolve(void *ud, const char *project, at_airlock_ref *ref, uint64_t *size)
{
    room_source *rs = ud;
    *size = 0;
    at_job job;
    if (!strcmp(ref->kind, "log")) {
        at_status st = job_of(rs, project, ref->id, &job);
        if (!st && !at_job_state_final(job.state))
            st = at_error_set(AT_ERR_ARG, "job %lld is %s: its log is exported once it has ended",
                              (long long)job.id, at_job_state_name(job.state));
        char *text = NULL;
        size_t len = 0;
        int64_t total = 0;
        if (!st)
            st = at_jobs_log(rs->jobs, job.id, 0, 1, &text, &len, &total);
        at_free(text);
        if (!st) {
            snprintf(ref->id, sizeof ref->id, "%lld", (long long)job.id);
            snprintf(ref->path, sizeof ref->path, "log");
            *size = (uint64_t)total;
        }
        return st;
    }
    if (!strcmp(ref->kind, "result")) {
        at_status st = job_of(rs, project, ref->id, &job);
        if (!st && (job.state != AT_JOB_SUCCEEDED || !job.result[0]))
            st = at_error_set(AT_ERR_ARG, "job %lld is %s: only a job that succeeded has a result",
                              (long long)job.id, at_job_state_name(job.state));
        if (!st)
            snprintf(ref->id, sizeof ref->id, "%lld@%s", (long long)job.id, job.result);
        at_vault_dataset_id ds;
        at_vault_snapshot_id snap;
        if (!st)
            st = locate(rs, project, ref, &ds, &snap);
        if (!st)
            st = file_in(rs, &ds, &snap, ref->path, size);
        return st;
    }
    if (!strcmp(ref->kind, "derived")) {
        at_vault_dataset_id ds;
        at_vault_snapshot_id snap;
        at_status st = locate(rs, project, ref, &ds, &snap);
        return st ? st : file_in(rs, &ds, &snap, ref->path, size);
    }
    return at_error_set(AT_ERR_ARG, "no source of kind '%.16s'", ref->kind);
}

/* One file of a snapshot materialised in the private scratch, read, removed. */
static at_status snapshot_read(room_source *rs, const at_vault_dataset_id *ds,
                               const at_vault_snapshot_id *snap, const char *path, size_t max,
                               unsigned char **data, size_t *len)
{
    char token[AT_ROOM_TOKEN_MAX], rel[64];
    at_room_random_token(token);
    snprintf(rel, sizeof rel, "get-%.24s", token);
    char *dest = at_path_join(rs->tmp, rel);
    if (!dest)
        return AT_ERR_NOMEM;
    at_status st = at_vault_materialise(rs->vault, ds, snap, path, dest, NULL, NULL, NULL);
    if (!st) {
        /* a file's subpath is materialised as dest itself */
        char *file = at_path_is_dir(dest) ? at_path_join(dest, path) : at_strdup(dest);
        st = file ? at_file_read(file, max, data, len) : AT_ERR_NOMEM;
        at_free(file);
    }
    at_remove_tree(dest);
    at_free(dest);
    return st;
}

static at_status rs_read(void *ud, const char *project, const at_airlock_ref *ref, size_t max,
                         unsigned char **data, size_t *len)
{
    room_source *rs = ud;
    *data = NULL;
    *len = 0;
    if (!strcmp(ref->kind, "log")) {
        at_job job;
        at_status st = job_of(rs, project, ref->id, &job);
        char *text = NULL;
        int64_t total = 0;
        if (!st)
            st = at_jobs_log(rs->jobs, job.id, 0, max, &text, len, &total);
        if (!st && (uint64_t)total > max)
            st = at_error_set(AT_ERR_LIMIT, "job %lld's log is past %zu bytes", (long long)job.id, max);
        if (st) {
            at_free(text);
            *len = 0;
            return st;
        }
        *data = (unsigned char *)text;
        return AT_OK;
    }
    at_vault_dataset_id ds;
    at_vault_snapshot_id snap;
    at_status st = locate(rs, project, ref, &ds, &snap);
    return st ? st : snapshot_read(rs, &ds, &snap, ref->path, max, data, len);
}

static at_status rs_lineage(void *ud, const char *project, const at_airlock_ref *ref, char **json)
{
    room_source *rs = ud;
    *json = NULL;
    at_job job;
    at_status st = AT_OK;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return AT_ERR_NOMEM;
    cJSON_AddStringToObject(o, "source", ref->kind);
    cJSON_AddStringToObject(o, "project", project);
    if (!strcmp(ref->kind, "derived")) {
        cJSON_AddStringToObject(o, "snapshot", ref->id);
    } else {
        st = job_of(rs, project, ref->id, &job);
        if (!st) {
            cJSON_AddNumberToObject(o, "job", (double)job.id);
            cJSON_AddStringToObject(o, "user", job.user);
            cJSON_AddStringToObject(o, "kind", job.kind);
            cJSON_AddStringToObject(o, "state", at_job_state_name(job.state));
            char *spec = NULL;
            if (at_jobs_spec_text(rs->jobs, job.id, &spec) == AT_OK) {
                cJSON *sj = cJSON_Parse(spec);
                if (sj)
                    cJSON_AddItemToObject(o, "spec", sj);
            }
            at_error_clear();
            at_free(spec);
        }
        if (!st && !strcmp(ref->kind, "result")) {
            const char *at = strchr(ref->id, '@');
            cJSON_AddStringToObject(o, "dataset", "results");
            cJSON_AddStringToObject(o, "snapshot", at ? at + 1 : "");
            /* the job's own record of where its result came from */
            at_vault_dataset_id ds;
            at_vault_snapshot_id snap;
            unsigned char *data = NULL;
            size_t len = 0;
            if (locate(rs, project, ref, &ds, &snap) == AT_OK &&
                snapshot_read(rs, &ds, &snap, ".atelier/lineage.json", LINEAGE_MAX, &data, &len) == AT_OK) {
                cJSON *l = cJSON_ParseWithLength((const char *)data, len);
                if (l)
                    cJSON_AddItemToObject(o, "job_lineage", l);
            }
            at_error_clear();
            at_free(data);
        }
    }
    char *text = st ? NULL : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!st && !text)
        st = AT_ERR_NOMEM;
    if (!st) {
        *json = at_strdup(text);
        if (!*json)
            st = AT_ERR_NOMEM;
    }
    cJSON_free(text);
    return st;
}

static at_status rs_store(void *ud, const char *project, const char *name, const void *data, size_t len,
                          at_airlock_ref *ref)
{
    room_source *rs = ud;
    at_vault_dataset_id ds;
    at_status st = store_of(rs, project, 1, &ds);
    char token[AT_ROOM_TOKEN_MAX], rel[64];
    at_room_random_token(token);
    snprintf(rel, sizeof rel, "put-%.24s", token);
    char *tmp = st ? NULL : at_path_join(rs->tmp, rel);
    if (!st && !tmp)
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_file_write_atomic(tmp, data, len);
    at_vault_tx *tx = NULL;
    at_vault_snapshot_id snap;
    if (!st)
        st = at_vault_begin(rs->vault, &ds, NULL, NULL, &tx);
    if (!st) {
        st = at_vault_add_file(tx, tmp, name);
        if (st)
            at_vault_abort(tx);
        else
            st = at_vault_commit(tx, NULL, NULL, NULL, &snap, NULL);
    }
    if (tmp) {
        unlink(tmp);
        at_free(tmp);
    }
    if (!st) {
        snprintf(ref->kind, sizeof ref->kind, "derived");
        at_vault_snapshot_hex(&snap, ref->id);
        snprintf(ref->path, sizeof ref->path, "%s", name);
    }
    return st;
}

static void rs_close(void *ud)
{
    room_source *rs = ud;
    if (!rs)
        return;
    at_vault_close(rs->vault);
    if (rs->tmp)
        at_remove_tree(rs->tmp);
    at_free(rs->tmp);
    at_free(rs);
}

at_status at_airlock_source_room(at_room *room, at_jobs *jobs, at_airlock_source *out)
{
    memset(out, 0, sizeof *out);
    room_source *rs = at_calloc(1, sizeof *rs);
    if (!rs)
        return AT_ERR_NOMEM;
    rs->room = room;
    rs->jobs = jobs;
    const char *dir = at_room_dir(room);
    char *adir = at_path_join(dir, "airlock"), *vdir = at_path_join(dir, "vault");
    rs->tmp = adir ? at_path_join(adir, "tmp") : NULL;
    at_status st = adir && vdir && rs->tmp ? AT_OK : AT_ERR_NOMEM;
    if (!st && access(rs->tmp, F_OK) == 0)
        at_remove_tree(rs->tmp); /* what an earlier process left */
    if (!st)
        st = at_mkdir_p(rs->tmp, 0700);
    at_key master;
    if (!st)
        st = at_room_master_key(room, &master);
    if (!st && access(vdir, F_OK) != 0)
        st = at_vault_init(vdir, &master);
    if (!st)
        st = at_vault_open(vdir, &master, &rs->vault);
    memset(&master, 0, sizeof master);
    at_free(adir);
    at_free(vdir);
    if (st) {
        rs_close(rs);
        return st;
    }
    *out = (at_airlock_source){.ud = rs,
                               .resolve = rs_resolve,
                               .read = rs_read,
                               .lineage = rs_lineage,
                               .store = rs_store,
                               .close = rs_close};
    return AT_OK;
}
