/* The import workers of the server: each claims the oldest queued import
 * in the catalog, runs the door over its upload into a scratch folder
 * (DICOM or text de-identification with the room's site key and the
 * project's options; synthetic files as they are), checks the project's
 * quota on what the door made, and commits a snapshot that becomes visible
 * in one catalog transaction with its rows and the import's end; the raw
 * upload is removed whatever the end. At open, recovery: imports a dead
 * server was running are queued again, stale folders removed, manifests
 * the catalog never published forgotten. */
#include "internal.h"

#include "atelier/deid.h"
#include "atelier/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the worker ---- */

typedef struct {
    at_datasets *d;
    int64_t id;
    pthread_mutex_t mu;
    double last;
} progress_ctx;

static void progress_fn(void *ud, const at_run_event *ev)
{
    progress_ctx *p = ud;
    pthread_mutex_lock(&p->mu);
    double t = ds_now_s();
    int due = t - p->last >= 0.5 || (ev->total && ev->step == ev->total);
    if (due)
        p->last = t;
    pthread_mutex_unlock(&p->mu);
    if (!due)
        return;
    at_room_db *db = at_room_db_get(p->d->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "UPDATE dataset_imports SET phase = ?, step = ?, total = ?, updated = ? "
                            "WHERE id = ? AND state = 2");
    if (s) {
        sqlite3_bind_text(s, 1, ev->phase ? ev->phase : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, (int64_t)ev->step);
        sqlite3_bind_int64(s, 3, (int64_t)ev->total);
        sqlite3_bind_int64(s, 4, at_room_now());
        sqlite3_bind_int64(s, 5, p->id);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    at_room_db_put(p->d->room, db);
}

/* the snapshot's publication: its rows and the import's end, one transaction */
typedef struct {
    at_datasets *d;
    const at_dataset_import *imp;
    int64_t dataset_row, uid;
    const char *report;
    uint64_t files, bytes;
} publish_ctx;

static at_status publish(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                         const at_vault_snapshot_id *parent, const at_vault_commit_stats *stats)
{
    (void)ds;
    publish_ctx *c = ud;
    char hex[AT_VAULT_SNAPSHOT_HEX], phex[AT_VAULT_SNAPSHOT_HEX] = "";
    at_vault_snapshot_hex(snap, hex);
    if (parent)
        at_vault_snapshot_hex(parent, phex);
    at_room_db *db = at_room_db_get(c->d->room);
    at_status st = at_room_db_begin(db);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db,
                             "INSERT OR IGNORE INTO job_snapshots(dataset_id, snapshot, user_id, created) "
                             "VALUES (?, ?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, c->dataset_row);
        sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 3, c->uid);
        sqlite3_bind_int64(s, 4, at_room_now());
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "snapshot insert");
        sqlite3_reset(s);
    }
    s = st ? NULL
           : at_room_db_stmt(
                 db, "INSERT OR REPLACE INTO dataset_snapshot_info(dataset_id, snapshot, parent, door, "
                     "synthetic, import_id, files, bytes, bytes_stored, report) VALUES (?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, c->dataset_row);
        sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, phex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, c->imp->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 5, c->imp->synthetic);
        sqlite3_bind_int64(s, 6, c->imp->id);
        sqlite3_bind_int64(s, 7, (int64_t)stats->files);
        sqlite3_bind_int64(s, 8, (int64_t)stats->bytes);
        sqlite3_bind_int64(s, 9, (int64_t)stats->bytes_stored);
        sqlite3_bind_text(s, 10, c->report ? c->report : "{}", -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "snapshot info insert");
        sqlite3_reset(s);
    }
    s = st ? NULL
           : at_room_db_stmt(
                 db, "UPDATE dataset_imports SET state = 3, phase = 'done', snapshot = ?, updated = ? "
                     "WHERE id = ? AND state = 2");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, at_room_now());
        sqlite3_bind_int64(s, 3, c->imp->id);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "import update");
        else if (at_room_db_changes(db) != 1)
            st = at_error_set(AT_ERR_INTERRUPTED, "import %lld was cancelled", (long long)c->imp->id);
        sqlite3_reset(s);
    }
    if (!st) {
        char object[200];
        snprintf(object, sizeof object, "dataset:%s/%s@%.16s", c->imp->project, c->imp->dataset, hex);
        char *det =
            ds_details("{\"import\":%lld,\"door\":\"%s\",\"synthetic\":%s,\"files\":%llu,\"bytes\":%llu,"
                       "\"bytes_stored\":%llu}",
                       (long long)c->imp->id, c->imp->kind, c->imp->synthetic ? "true" : "false",
                       (unsigned long long)stats->files, (unsigned long long)stats->bytes,
                       (unsigned long long)stats->bytes_stored);
        st = det ? at_room_db_audit(db, c->imp->user, "dataset.import", object, det) : AT_ERR_NOMEM;
        at_free(det);
    }
    if (!st)
        st = at_room_db_commit(c->d->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(c->d->room, db);
    return st;
}

/* the project's dataset for an import: made (kind data) when absent */
static at_status dataset_for(at_datasets *d, const at_dataset_import *imp, int64_t *row,
                             at_vault_dataset_id *ds)
{
    at_room_db *db = at_room_db_get(d->room);
    char vid[AT_VAULT_DATASET_HEX], kind[16];
    int syn = 0;
    at_status st = at_room_db_begin(db);
    if (!st) {
        st = ds_dataset_row(db, imp->project, imp->dataset, row, vid, kind, &syn);
        if (st == AT_ERR_NOT_FOUND) {
            at_error_clear();
            st = at_vault_dataset_create(d->vault, ds);
            if (!st)
                at_vault_dataset_hex(ds, vid);
            sqlite3_stmt *s =
                st ? NULL
                   : at_room_db_stmt(db, "INSERT INTO job_datasets(project_id, name, vault_id, kind, "
                                         "synthetic, created) VALUES (?, ?, ?, 'data', ?, ?)");
            if (!st && !s)
                st = AT_ERR_IO;
            if (!st) {
                sqlite3_bind_int64(s, 1, ds_project_id(db, imp->project));
                sqlite3_bind_text(s, 2, imp->dataset, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(s, 3, vid, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(s, 4, imp->synthetic);
                sqlite3_bind_int64(s, 5, at_room_now());
                if (sqlite3_step(s) != SQLITE_DONE)
                    st = at_room_db_error(db, "dataset insert");
                sqlite3_reset(s);
                *row = at_room_db_last_id(db);
            }
        } else if (!st && strcmp(kind, "data")) {
            st = at_error_set(AT_ERR_ARG, "%s/%s holds %s, not imported data", imp->project, imp->dataset,
                              kind);
        } else if (!st && syn != imp->synthetic) {
            st = at_error_set(AT_ERR_REFUSED, "%s/%s is %s", imp->project, imp->dataset,
                              syn ? "synthetic" : "not synthetic");
        }
        if (!st)
            st = at_vault_dataset_parse(vid, ds);
        if (!st)
            st = at_room_db_commit(d->room, db);
        else
            at_room_db_rollback(db);
    }
    at_room_db_put(d->room, db);
    return st;
}

/* remove what the door keeps apart: its report file and its quarantine
 * (files with a likely burned-in identity never enter the vault) */
static void door_leftovers(const char *out)
{
    static const char *const names[] = {"deid-report.json", "quarantine"};
    for (size_t i = 0; i < 2; i++) {
        char *p = at_path_join(out, names[i]);
        if (p && access(p, F_OK) == 0)
            at_remove_tree(p);
        at_free(p);
    }
    at_error_clear();
}

static at_status run_door(at_datasets *d, const at_dataset_import *imp, const char *raw, const char *out,
                          at_run *run, char **report)
{
    at_key key;
    at_status st = at_room_site_key(d->room, &key);
    const char *inputs[1] = {raw};
    if (!st && !strcmp(imp->kind, "dicom")) {
        at_deid_spec spec = {.inputs = inputs,
                             .input_count = 1,
                             .outdir = out,
                             .options = ds_options_of(d, imp->project),
                             .key = &key,
                             .sync = 0};
        at_deid_batch_result res;
        memset(&res, 0, sizeof res);
        st = at_deid_run(&spec, run, &res);
        if (!st && !res.files_done)
            st = at_error_set(AT_ERR_REFUSED, "the door wrote no file: %zu rejected, %zu quarantined of %zu",
                              res.files_rejected, res.files_quarantined, res.files_seen);
        if (!st) {
            *report = res.report_json;
            res.report_json = NULL;
        }
        at_deid_batch_result_free(&res);
        if (!st)
            door_leftovers(out);
    } else if (!st && !strcmp(imp->kind, "text")) {
        at_text_deid_spec spec = {
            .inputs = inputs, .input_count = 1, .outdir = out, .mode = AT_TEXT_PSEUDONYMISE, .key = &key};
        at_text_deid_result res;
        memset(&res, 0, sizeof res);
        st = at_text_deid_run(&spec, run, &res);
        if (!st && !res.written)
            st = at_error_set(AT_ERR_REFUSED, "the door wrote no document: %zu of %zu failed", res.failed,
                              res.documents);
        if (!st) {
            *report = ds_details(
                "{\"tool\":\"atelier text deid\",\"version\":\"%s\",\"mode\":\"pseudonymise\","
                "\"documents\":%zu,\"written\":%zu,\"failed\":%zu,\"unmatched\":%zu,\"bytes\":%zu}",
                ATELIER_VERSION, res.documents, res.written, res.failed, res.unmatched, res.bytes);
            if (!*report)
                st = AT_ERR_NOMEM;
        }
        at_text_deid_result_free(&res);
    }
    memset(&key, 0, sizeof key);
    return st;
}

static void process(at_datasets *d, int slot, int64_t id)
{
    at_dataset_import imp;
    ds_file_list fl = {0};
    char *raw = ds_import_path(d, id, "raw"), *out = ds_import_path(d, id, "out");
    char *report = NULL;
    at_status st = raw && out ? ds_load_import(d, id, &imp, &fl) : AT_ERR_NOMEM;
    if (!st && access(out, F_OK) == 0)
        st = at_remove_tree(out); /* an earlier attempt's */
    progress_ctx pc = {.d = d, .id = id};
    pthread_mutex_init(&pc.mu, NULL);
    at_run run;
    at_run_init(&run);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    run.threads = cores > d->conf.imports ? (int)(cores / d->conf.imports) : 1;
    run.cancel = &d->cancel[slot];
    run.progress = progress_fn;
    run.progress_ud = &pc;
    const char *src = out;
    if (!st && !strcmp(imp.kind, "files")) {
        src = raw;
        report = ds_details("{\"door\":\"none\",\"synthetic\":true,\"files\":%zu}", fl.n);
        st = report ? AT_OK : AT_ERR_NOMEM;
    } else if (!st) {
        st = run_door(d, &imp, raw, out, &run, &report);
    }
    /* the quota, on what the door made */
    if (!st) {
        at_datasets_usage u;
        st = at_datasets_usage_of(d, imp.project, &u);
        uint64_t mine = imp.bytes, more = ds_tree_bytes(src);
        uint64_t others = u.pending > mine ? u.pending - mine : 0;
        if (!st && u.limit && u.used + others + more > u.limit)
            st =
                at_error_set(AT_ERR_QUOTA,
                             "the storage quota of project %s (vault quota %.2f GiB) is reached: "
                             "%.2f GiB stored, this import %.2f GiB",
                             imp.project, u.limit / 1073741824.0, u.used / 1073741824.0, more / 1073741824.0);
    }
    int64_t row = 0;
    at_vault_dataset_id ds;
    if (!st)
        st = dataset_for(d, &imp, &row, &ds);
    at_vault_snapshot_id parent, snap;
    int has_parent = 0;
    if (!st && !imp.fresh) {
        char hex[AT_VAULT_SNAPSHOT_HEX];
        if (!at_datasets_resolve(d, imp.project, imp.dataset, "latest", hex) &&
            !at_vault_snapshot_parse(hex, &parent))
            has_parent = 1;
        at_error_clear();
    }
    at_vault_tx *tx = NULL;
    at_vault_write_options wo = {.compress = 1};
    if (!st)
        st = at_vault_begin(d->vault, &ds, has_parent ? &parent : NULL, &wo, &tx);
    if (!st && !strcmp(imp.kind, "files")) {
        for (size_t i = 0; !st && i < fl.n; i++) {
            char name[40];
            ds_raw_name(i, fl.v[i].ext, name);
            char *p = at_path_join(raw, name);
            st = p ? at_vault_add_file(tx, p, fl.v[i].path) : AT_ERR_NOMEM;
            at_free(p);
        }
    } else if (!st) {
        st = at_vault_add_tree(tx, out, "");
    }
    if (st && tx)
        at_vault_abort(tx);
    at_room_db *db = NULL;
    int64_t uid = 0;
    if (!st) {
        db = at_room_db_get(d->room);
        uid = ds_user_id(db, imp.user);
        at_room_db_put(d->room, db);
    }
    publish_ctx c = {.d = d, .imp = &imp, .dataset_row = row, .uid = uid, .report = report};
    if (!st)
        st = at_vault_commit(tx, &run, publish, &c, &snap, NULL);
    pthread_mutex_destroy(&pc.mu);
    int stopping = 0;
    pthread_mutex_lock(&d->mu);
    stopping = d->stop;
    pthread_mutex_unlock(&d->mu);
    if (st == AT_ERR_INTERRUPTED && stopping) {
        /* the server stops: queued again at the next open, its upload kept */
        ds_set_state(d, id, AT_IMPORT_RUNNING, AT_IMPORT_QUEUED, "queued", NULL, NULL);
        if (out && access(out, F_OK) == 0)
            at_remove_tree(out);
    } else {
        if (st) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", at_error_message()[0] ? at_error_message() : at_status_name(st));
            int changed = 0;
            ds_set_state(d, id, AT_IMPORT_RUNNING, AT_IMPORT_FAILED, "failed", msg, &changed);
            if (changed) {
                char object[200];
                snprintf(object, sizeof object, "dataset:%s/%s", imp.project, imp.dataset);
                char *det = ds_details("{\"import\":%lld}", (long long)id);
                if (det)
                    at_room_audit(d->room, imp.user, "dataset.import.fail", object, det);
                at_free(det);
            }
            at_log(AT_LOG_INFO, "import %lld: %s", (long long)id, msg);
        }
        ds_remove_upload(d, id); /* the raw copy never outlives its import */
    }
    at_error_clear();
    at_free(report);
    ds_file_list_free(&fl);
    at_free(raw);
    at_free(out);
}

void *ds_worker_main(void *arg)
{
    at_datasets *d = arg;
    pthread_mutex_lock(&d->mu);
    int slot = 0;
    while (slot < DS_WORKERS_MAX && d->running[slot] != 0)
        slot++;
    d->running[slot] = -1; /* taken */
    pthread_mutex_unlock(&d->mu);
    for (;;) {
        pthread_mutex_lock(&d->mu);
        int stop = d->stop;
        pthread_mutex_unlock(&d->mu);
        if (stop)
            break;
        /* claim the oldest queued import */
        int64_t id = 0;
        at_room_db *db = at_room_db_get(d->room);
        if (at_room_db_begin(db) == AT_OK) {
            sqlite3_stmt *s =
                at_room_db_stmt(db, "UPDATE dataset_imports SET state = 2, phase = 'door', step = 0, "
                                    "total = 0, updated = ?1 WHERE id = (SELECT id FROM dataset_imports "
                                    "WHERE state = 1 ORDER BY id LIMIT 1) RETURNING id");
            if (s) {
                sqlite3_bind_int64(s, 1, at_room_now());
                if (sqlite3_step(s) == SQLITE_ROW)
                    id = sqlite3_column_int64(s, 0);
                sqlite3_reset(s);
            }
            if (at_room_db_commit(d->room, db) != AT_OK)
                id = 0;
        }
        at_room_db_put(d->room, db);
        at_error_clear();
        if (id) {
            pthread_mutex_lock(&d->mu);
            d->running[slot] = id;
            d->cancel[slot] = d->stop;
            pthread_mutex_unlock(&d->mu);
            process(d, slot, id);
            pthread_mutex_lock(&d->mu);
            d->running[slot] = -1;
            d->cancel[slot] = 0;
            pthread_mutex_unlock(&d->mu);
            continue;
        }
        pthread_mutex_lock(&d->mu);
        if (!d->stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        }
        pthread_mutex_unlock(&d->mu);
    }
    return NULL;
}

/* ---- recovery at open ---- */

at_status ds_recover(at_datasets *d)
{
    at_room_db *db = at_room_db_get(d->room);
    int64_t t = at_room_now();
    at_status st = at_room_db_begin(db);
    /* running when the server died: again from the upload */
    sqlite3_stmt *s = st ? NULL
                         : at_room_db_stmt(db, "UPDATE dataset_imports SET state = 1, phase = 'queued', "
                                               "updated = ? WHERE state = 2");
    if (s) {
        sqlite3_bind_int64(s, 1, t);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "imports recovery");
        else if (at_room_db_changes(db))
            at_log(AT_LOG_INFO, "datasets: %d imports the last stop interrupted are queued again",
                   at_room_db_changes(db));
        sqlite3_reset(s);
    }
    /* uploads left too long */
    s = st ? NULL
           : at_room_db_stmt(db,
                             "UPDATE dataset_imports SET state = 5, phase = 'cancelled', error = "
                             "'the upload was left unfinished', updated = ? WHERE state = 0 AND updated < ?");
    if (s) {
        sqlite3_bind_int64(s, 1, t);
        sqlite3_bind_int64(s, 2, t - (int64_t)d->conf.upload_idle_hours * 3600);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "imports recovery");
        sqlite3_reset(s);
    }
    if (!st)
        st = at_room_db_commit(d->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(d->room, db);
    if (st)
        return st;
    /* the folders: an import's upload lives while it is unfinished; its
     * door output only while it runs */
    DIR *dir = opendir(d->imports_dir);
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char *end;
        long long id = strtoll(e->d_name, &end, 10);
        at_dataset_import imp;
        int keep = *end == '\0' && id > 0 && ds_load_import(d, id, &imp, NULL) == AT_OK &&
                   imp.state < AT_IMPORT_DONE;
        at_error_clear();
        char *p = at_path_join(d->imports_dir, e->d_name);
        if (p && !keep)
            at_remove_tree(p);
        else if (p && keep) {
            char *o = at_path_join(p, "out");
            if (o && access(o, F_OK) == 0)
                at_remove_tree(o);
            at_free(o);
        }
        at_free(p);
        at_error_clear();
    }
    if (dir)
        closedir(dir);
    /* a snapshot of an imported dataset the catalog never published (the
     * server died between the manifest and the catalog's transaction) */
    db = at_room_db_get(d->room);
    s = at_room_db_stmt(db, "SELECT id, vault_id FROM job_datasets WHERE kind = 'data'");
    int64_t rows[512];
    char ids[512][AT_VAULT_DATASET_HEX];
    size_t n = 0;
    if (s) {
        while (n < 512 && sqlite3_step(s) == SQLITE_ROW) {
            rows[n] = sqlite3_column_int64(s, 0);
            snprintf(ids[n], AT_VAULT_DATASET_HEX, "%s", (const char *)sqlite3_column_text(s, 1));
            n++;
        }
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    for (size_t i = 0; i < n; i++) {
        at_vault_dataset_id ds;
        at_vault_snapshot_info *snaps = NULL;
        size_t count = 0;
        if (at_vault_dataset_parse(ids[i], &ds) || at_vault_snapshot_list(d->vault, &ds, &snaps, &count)) {
            at_error_clear();
            continue;
        }
        for (size_t k = 0; k < count; k++) {
            char hex[AT_VAULT_SNAPSHOT_HEX];
            at_vault_snapshot_hex(&snaps[k].id, hex);
            db = at_room_db_get(d->room);
            s = at_room_db_stmt(db, "SELECT 1 FROM job_snapshots WHERE dataset_id = ? AND snapshot = ?");
            int published = 1;
            if (s) {
                sqlite3_bind_int64(s, 1, rows[i]);
                sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
                published = sqlite3_step(s) == SQLITE_ROW;
                sqlite3_reset(s);
            }
            at_room_db_put(d->room, db);
            if (!published) {
                at_log(AT_LOG_INFO,
                       "datasets: snapshot %.16s of dataset %.16s was never published: forgotten", hex,
                       ids[i]);
                at_vault_snapshot_forget(d->vault, &ds, &snaps[k].id);
                at_error_clear();
            }
        }
        at_free(snaps);
    }
    return AT_OK;
}
