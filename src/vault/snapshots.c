/* The snapshot index of a dataset: the manifests present, loaded,
 * listed with their depths, resolved from a prefix, forgotten. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_snap(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(at_vault_snapshot_id));
}

at_status vault_list_snapshots(const char *dsdir, at_vault_snapshot_id **ids, size_t *count)
{
    char *dir = at_path_join(dsdir, "snapshots");
    if (!dir)
        return AT_ERR_NOMEM;
    unsigned char *raw;
    at_status st = vault_list_hex_names(dir, sizeof(at_vault_snapshot_id), &raw, count);
    at_free(dir);
    *ids = (at_vault_snapshot_id *)raw;
    return st;
}

at_status vault_manifest_load_keys(const vault_keys *k, const char *dsdir, const at_vault_snapshot_id *snap,
                                   at_vault_manifest **out)
{
    *out = NULL;
    char hex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(snap, hex);
    char *path = vault_snapshot_path(dsdir, snap->bytes);
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data;
    size_t len;
    at_status st = vault_read_file(path, (size_t)AT_VAULT_MANIFEST_MAX + VAULT_OBJ_HEADER + VAULT_TAG, NULL,
                                   0, 0, &data, &len);
    at_free(path);
    if (st == AT_ERR_NOT_FOUND)
        return at_error_set(AT_ERR_NOT_FOUND, "snapshot %s: no such snapshot in this dataset", hex);
    if (st)
        return at_error_prefix(st, "snapshot %s", hex);
    vault_header h;
    unsigned char *body;
    st = vault_open_object(k, VAULT_OBJ_MANIFEST, snap->bytes, data, len, &h, &body);
    if (!st) {
        unsigned char id[32];
        vault_manifest_id(k, body, h.stored_len, id);
        if (memcmp(id, snap->bytes, 32))
            st = at_error_set(AT_ERR_CRYPTO, "its content does not hash to its id");
    }
    if (!st)
        st = at_vault_manifest_parse(body, h.stored_len, out);
    at_free(data);
    if (st)
        return at_error_prefix(st, "snapshot %s: manifest", hex);
    return AT_OK;
}

at_status at_vault_manifest_load(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                                 at_vault_manifest **out)
{
    *out = NULL;
    vault_keys k;
    at_status st = vault_keys_load(v, ds, &k);
    if (st)
        return st;
    char *dsdir = vault_dataset_path(v, ds, NULL);
    st = dsdir ? vault_manifest_load_keys(&k, dsdir, snap, out) : AT_ERR_NOMEM;
    at_free(dsdir);
    vault_keys_wipe(&k);
    return st;
}

static int cmp_info(const void *a, const void *b)
{
    const at_vault_snapshot_info *x = a, *y = b;
    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    if (x->depth != y->depth) /* a child made in its parent's second comes after it */
        return x->depth < y->depth ? -1 : 1;
    return memcmp(x->id.bytes, y->id.bytes, 32);
}

/* info[i].depth: how many of its ancestors are present (info sorted by id). */
static void set_depths(at_vault_snapshot_info *info, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t d = 0;
        const at_vault_snapshot_info *cur = &info[i];
        while (cur->has_parent && d < n) {
            const at_vault_snapshot_info *p = bsearch(&cur->parent, info, n, sizeof *info, cmp_snap);
            if (!p)
                break;
            cur = p;
            d++;
        }
        info[i].depth = d;
    }
}

at_status at_vault_snapshot_list(at_vault *v, const at_vault_dataset_id *ds, at_vault_snapshot_info **out,
                                 size_t *count)
{
    *out = NULL;
    *count = 0;
    vault_keys k;
    at_status st = vault_keys_load(v, ds, &k);
    if (st)
        return st;
    char *dsdir = vault_dataset_path(v, ds, NULL);
    at_vault_snapshot_id *ids = NULL;
    size_t n = 0;
    at_vault_snapshot_info *info = NULL;
    if (!dsdir)
        st = AT_ERR_NOMEM;
    if (!st)
        st = vault_list_snapshots(dsdir, &ids, &n);
    if (!st && !(info = at_calloc(n ? n : 1, sizeof *info)))
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < n; i++) {
        at_vault_manifest *m;
        st = vault_manifest_load_keys(&k, dsdir, &ids[i], &m);
        if (st)
            break;
        info[i].id = ids[i];
        info[i].has_parent = m->has_parent;
        info[i].parent = m->parent;
        info[i].created = m->created;
        info[i].files = m->file_count;
        info[i].bytes = m->bytes;
        at_vault_manifest_free(m);
    }
    vault_keys_wipe(&k);
    at_free(ids);
    at_free(dsdir);
    if (st) {
        at_free(info);
        return st;
    }
    set_depths(info, n); /* ids came sorted: info is sorted by id here */
    qsort(info, n, sizeof *info, cmp_info);
    *out = info;
    *count = n;
    return AT_OK;
}

at_status at_vault_snapshot_resolve(at_vault *v, const at_vault_dataset_id *ds, const char *text,
                                    at_vault_snapshot_id *out)
{
    if (!strcmp(text, "latest")) {
        at_vault_snapshot_info *info;
        size_t n;
        at_status st = at_vault_snapshot_list(v, ds, &info, &n);
        if (st)
            return st;
        if (!n) {
            at_free(info);
            return at_error_set(AT_ERR_NOT_FOUND, "the dataset has no snapshot yet");
        }
        *out = info[n - 1].id;
        at_free(info);
        return AT_OK;
    }
    size_t len = strlen(text);
    char lower[AT_VAULT_SNAPSHOT_HEX];
    if (len < 4 || len > 64)
        return at_error_set(AT_ERR_ARG, "'%s': a snapshot is 'latest' or at least 4 hex digits of its id",
                            len > 64 ? "(too long)" : text);
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)(text[i] >= 'A' && text[i] <= 'F' ? text[i] + 32 : text[i]);
    if (!vault_is_hex(lower, len))
        return at_error_set(AT_ERR_ARG, "'%s': a snapshot is 'latest' or hex digits of its id", text);
    char *dsdir = vault_dataset_path(v, ds, NULL);
    if (!dsdir)
        return AT_ERR_NOMEM;
    at_vault_snapshot_id *ids;
    size_t n, found = 0;
    at_status st = vault_list_snapshots(dsdir, &ids, &n);
    at_free(dsdir);
    if (st == AT_ERR_NOT_FOUND) {
        char hex[AT_VAULT_DATASET_HEX];
        at_vault_dataset_hex(ds, hex);
        return at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
    }
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        char hex[AT_VAULT_SNAPSHOT_HEX];
        at_vault_snapshot_hex(&ids[i], hex);
        if (!strncmp(hex, lower, len)) {
            *out = ids[i];
            found++;
        }
    }
    at_free(ids);
    if (found == 1)
        return AT_OK;
    if (!found)
        return at_error_set(AT_ERR_NOT_FOUND, "snapshot %s: no such snapshot in this dataset", lower);
    return at_error_set(AT_ERR_ARG, "snapshot %s: ambiguous (%zu snapshots start so)", lower, found);
}

at_status at_vault_snapshot_forget(at_vault *v, const at_vault_dataset_id *ds,
                                   const at_vault_snapshot_id *snap)
{
    char hex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(snap, hex);
    char *dsdir = vault_dataset_path(v, ds, NULL), *snaps = vault_dataset_path(v, ds, "snapshots");
    char *path = dsdir ? vault_snapshot_path(dsdir, snap->bytes) : NULL;
    at_status st = AT_OK;
    if (!dsdir || !snaps || !path)
        st = AT_ERR_NOMEM;
    else if (unlink(path) != 0)
        st = at_error_set(errno == ENOENT ? AT_ERR_NOT_FOUND : AT_ERR_IO, "snapshot %s: cannot forget: %s",
                          hex, errno == ENOENT ? "no such snapshot in this dataset" : strerror(errno));
    else
        st = vault_fsync_dir(snaps);
    at_free(dsdir);
    at_free(snaps);
    at_free(path);
    return st;
}
