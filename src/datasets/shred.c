/* Deleting a dataset by crypto-shredding: the project's lead asks (with a
 * reason), the DPO confirms by naming it; the vault destroys the dataset's
 * key and removes its objects; the catalog drops the dataset and keeps the
 * deletion's record; every step is audited. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

at_status at_datasets_delete_request(at_datasets *d, const char *by, const char *project, const char *name,
                                     const char *reason)
{
    if (!reason || !*reason || !at_room_text_valid(reason))
        return at_error_set(AT_ERR_ARG, "a deletion needs a reason (a line of text)");
    at_room_db *db = at_room_db_get(d->room);
    int64_t row = 0;
    char vid[AT_VAULT_DATASET_HEX], kind[16];
    at_status st = at_room_db_begin(db);
    if (!st)
        st = ds_dataset_row(db, project, name, &row, vid, kind, NULL);
    if (!st && strcmp(kind, "data"))
        st = at_error_set(AT_ERR_ARG, "%s/%s holds a project's %s: only imported datasets are deleted",
                          project, name, kind);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db, "SELECT 1 FROM dataset_deletions WHERE vault_id = ? AND state = "
                                 "'requested'");
    if (s) {
        sqlite3_bind_text(s, 1, vid, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            st =
                at_error_set(AT_ERR_EXISTS, "the deletion of %s/%s is asked for already: the DPO confirms it",
                             project, name);
        sqlite3_reset(s);
    }
    s = st ? NULL
           : at_room_db_stmt(
                 db, "INSERT INTO dataset_deletions(project_id, name, vault_id, requested_by, requested, "
                     "reason, state) VALUES (?, ?, ?, ?, ?, ?, 'requested')");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, ds_project_id(db, project));
        sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, vid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, ds_user_id(db, by));
        sqlite3_bind_int64(s, 5, at_room_now());
        sqlite3_bind_text(s, 6, reason, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(db, "deletion insert");
        sqlite3_reset(s);
    }
    if (!st) {
        char object[200];
        snprintf(object, sizeof object, "dataset:%s/%s", project, name);
        st = at_room_db_audit(db, by, "dataset.delete.request", object, NULL);
    }
    if (!st)
        st = at_room_db_commit(d->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(d->room, db);
    return st;
}

at_status at_datasets_shred(at_datasets *d, const char *by, const char *project, const char *name,
                            const char *confirm)
{
    char want[2 * AT_ROOM_NAME_MAX + 2];
    snprintf(want, sizeof want, "%s/%s", project, name);
    if (!confirm || strcmp(confirm, want))
        return at_error_set(AT_ERR_ARG, "to shred a dataset, confirm by naming it: %s", want);
    at_room_db *db = at_room_db_get(d->room);
    int64_t row = 0;
    char vid[AT_VAULT_DATASET_HEX];
    at_status st = ds_dataset_row(db, project, name, &row, vid, NULL, NULL);
    int64_t del = 0;
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(db, "SELECT id FROM dataset_deletions WHERE vault_id = ? AND state = "
                                 "'requested'");
    if (s) {
        sqlite3_bind_text(s, 1, vid, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) == SQLITE_ROW)
            del = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    if (!st && !del)
        st = at_error_set(AT_ERR_REFUSED,
                          "nobody asked for the deletion of %s: the project's lead asks first", want);
    /* imports into it stop first */
    int64_t imports[64];
    size_t ni = 0;
    s = st ? NULL
           : at_room_db_stmt(
                 db, "SELECT id FROM dataset_imports WHERE project_id = ? AND dataset = ? AND state < 3");
    if (s) {
        sqlite3_bind_int64(s, 1, ds_project_id(db, project));
        sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
        while (ni < 64 && sqlite3_step(s) == SQLITE_ROW)
            imports[ni++] = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    for (size_t i = 0; !st && i < ni; i++) {
        at_datasets_import_cancel(d, NULL, imports[i]);
        at_error_clear();
    }
    at_vault_dataset_id ds;
    if (!st)
        st = at_vault_dataset_parse(vid, &ds);
    /* the key first (irreversible); the catalog after: a crash between
     * leaves a dataset that reads as shredded, and this call again ends it */
    if (!st && at_vault_dataset_shredded(d->vault, &ds) != 1) {
        at_error_clear();
        st = at_vault_dataset_shred(d->vault, &ds, 1, NULL);
    }
    db = at_room_db_get(d->room);
    if (!st)
        st = at_room_db_begin(db);
    if (!st) {
        s = at_room_db_stmt(
            db, "UPDATE dataset_deletions SET state = 'shredded', confirmed_by = ?, confirmed = ? "
                "WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_int64(s, 1, ds_user_id(db, by));
            sqlite3_bind_int64(s, 2, at_room_now());
            sqlite3_bind_int64(s, 3, del);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "deletion update");
            sqlite3_reset(s);
        }
        s = st ? NULL : at_room_db_stmt(db, "DELETE FROM job_datasets WHERE id = ?");
        if (!st && !s)
            st = AT_ERR_IO;
        if (!st) {
            sqlite3_bind_int64(s, 1, row);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "dataset delete");
            sqlite3_reset(s);
        }
        if (!st) {
            char object[200];
            snprintf(object, sizeof object, "dataset:%s", want);
            char *det = ds_details("{\"dataset_id\":\"%s\",\"purged\":true}", vid);
            st = det ? at_room_db_audit(db, by, "dataset.shred", object, det) : AT_ERR_NOMEM;
            at_free(det);
        }
        if (!st)
            st = at_room_db_commit(d->room, db);
        else
            at_room_db_rollback(db);
    }
    at_room_db_put(d->room, db);
    return st;
}

at_status at_datasets_deletions(at_datasets *d, const char *project, at_dataset_deletion **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(d->room);
    sqlite3_stmt *s = at_room_db_stmt(
        db,
        "SELECT p.name, x.name, x.vault_id, ru.name, COALESCE(cu.name, ''), x.reason, x.requested, "
        "x.confirmed, "
        "x.state FROM dataset_deletions x JOIN projects p ON p.id = x.project_id JOIN users ru ON ru.id = "
        "x.requested_by LEFT JOIN users cu ON cu.id = x.confirmed_by WHERE ?1 IS NULL OR p.name = ?1 ORDER "
        "BY x.id "
        "DESC LIMIT 500");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (s) {
        if (project)
            sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        while (!st && sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_dataset_deletion *x = &(*out)[(*count)++];
            memset(x, 0, sizeof *x);
            snprintf(x->project, sizeof x->project, "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(x->name, sizeof x->name, "%s", (const char *)sqlite3_column_text(s, 1));
            snprintf(x->dataset_id, sizeof x->dataset_id, "%s", (const char *)sqlite3_column_text(s, 2));
            snprintf(x->requested_by, sizeof x->requested_by, "%s", (const char *)sqlite3_column_text(s, 3));
            snprintf(x->confirmed_by, sizeof x->confirmed_by, "%s", (const char *)sqlite3_column_text(s, 4));
            snprintf(x->reason, sizeof x->reason, "%s", (const char *)sqlite3_column_text(s, 5));
            x->requested = (time_t)sqlite3_column_int64(s, 6);
            x->confirmed = (time_t)sqlite3_column_int64(s, 7);
            snprintf(x->state, sizeof x->state, "%s", (const char *)sqlite3_column_text(s, 8));
        }
        sqlite3_reset(s);
    }
    at_room_db_put(d->room, db);
    if (st) {
        at_free(*out);
        *out = NULL;
        *count = 0;
    }
    return st;
}
