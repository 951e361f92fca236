/* The vault folder: its config and datasets (created, listed, shredded).
 * Its objects, locks and folder listings are in files.c, the snapshot
 * index (the manifests present) in snapshots.c.
 *
 *   vault/config                         "atelier-vault 1", the master key's id
 *   vault/datasets/<32 hex>/key          the dataset key wrapped by the master key
 *   vault/datasets/<32 hex>/shredded     tombstone of a crypto-shredded dataset
 *   vault/datasets/<32 hex>/lock         flock: shared (import, verify), exclusive (gc, shred)
 *   vault/datasets/<32 hex>/chunks/<2 hex>/<64 hex>
 *   vault/datasets/<32 hex>/snapshots/<64 hex>   manifests: one per visible snapshot
 *   vault/datasets/<32 hex>/tmp/         objects being written */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CONFIG_MAX 4096

/* ---- the vault ---- */

static at_status read_config(const char *dir, unsigned char master_id[VAULT_MASTER_ID], int *exists)
{
    *exists = 0;
    char *path = at_path_join(dir, "config");
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data;
    size_t len;
    at_status st = vault_read_file(path, CONFIG_MAX, NULL, 0, 0, &data, &len);
    at_free(path);
    if (st == AT_ERR_NOT_FOUND)
        return at_error_set(AT_ERR_NOT_FOUND, "%s: not a vault (no config)", dir);
    if (st)
        return st;
    *exists = 1;
    data[len] = '\0';
    unsigned version = 0;
    char hex[VAULT_MASTER_ID * 2 + 2] = "";
    if (sscanf((const char *)data, "atelier-vault %u\nmaster-key-id %17s", &version, hex) != 2) {
        at_free(data);
        return at_error_set(AT_ERR_FORMAT, "%s/config: not an atelier vault config", dir);
    }
    at_free(data);
    if (version != AT_VAULT_FORMAT)
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "%s: vault format %u is not supported (this atelier reads %d)", dir, version,
                            AT_VAULT_FORMAT);
    size_t got = 0;
    if (strlen(hex) != 2 * VAULT_MASTER_ID ||
        sodium_hex2bin(master_id, VAULT_MASTER_ID, hex, strlen(hex), NULL, &got, NULL) ||
        got != VAULT_MASTER_ID)
        return at_error_set(AT_ERR_FORMAT, "%s/config: bad master-key-id", dir);
    return AT_OK;
}

static at_status check_master(const char *dir, const unsigned char have[VAULT_MASTER_ID],
                              const unsigned char want[VAULT_MASTER_ID])
{
    if (!memcmp(have, want, VAULT_MASTER_ID))
        return AT_OK;
    char h[17], w[17];
    sodium_bin2hex(h, sizeof h, have, VAULT_MASTER_ID);
    sodium_bin2hex(w, sizeof w, want, VAULT_MASTER_ID);
    return at_error_set(AT_ERR_CRYPTO,
                        "%s: wrong master key: the key given has id %s, this vault's master key has id %s",
                        dir, h, w);
}

at_status at_vault_init(const char *dir, const at_key *master)
{
    at_status st = at_crypto_init();
    if (st)
        return st;
    unsigned char id[VAULT_MASTER_ID], have[VAULT_MASTER_ID];
    vault_master_id(master, id);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return at_error_set(AT_ERR_IO, "%s: cannot create the vault folder: %s", dir, strerror(errno));
    int exists;
    st = read_config(dir, have, &exists);
    if (exists)
        return st ? st : check_master(dir, id, have);
    if (st != AT_ERR_NOT_FOUND)
        return st;
    st = AT_OK;
    char *datasets = at_path_join(dir, "datasets");
    char *config = at_path_join(dir, "config");
    if (!datasets || !config) {
        at_free(datasets);
        at_free(config);
        return AT_ERR_NOMEM;
    }
    char text[128], hex[17];
    sodium_bin2hex(hex, sizeof hex, id, sizeof id);
    int n = snprintf(text, sizeof text, "atelier-vault %d\nmaster-key-id %s\n", AT_VAULT_FORMAT, hex);
    if (mkdir(datasets, 0700) != 0 && errno != EEXIST)
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", datasets, strerror(errno));
    if (!st)
        st = at_file_write_atomic(config, text, (size_t)n);
    if (!st)
        st = vault_fsync_dir(dir);
    at_free(datasets);
    at_free(config);
    return st;
}

at_status at_vault_open(const char *dir, const at_key *master, at_vault **out)
{
    *out = NULL;
    at_status st = at_crypto_init();
    if (st)
        return st;
    unsigned char have[VAULT_MASTER_ID];
    int exists;
    st = read_config(dir, have, &exists);
    if (st)
        return st;
    at_vault *v = at_calloc(1, sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    v->dir = at_strdup(dir);
    if (!v->dir) {
        at_free(v);
        return AT_ERR_NOMEM;
    }
    vault_wrap_key(master, v->wrap);
    vault_master_id(master, v->master_id);
    st = check_master(dir, v->master_id, have);
    if (st) {
        at_vault_close(v);
        return st;
    }
    *out = v;
    return AT_OK;
}

void at_vault_close(at_vault *v)
{
    if (!v)
        return;
    sodium_memzero(v->wrap, sizeof v->wrap);
    at_free(v->dir);
    at_free(v);
}

/* ---- datasets ---- */

static at_status mkdir_in(const char *base, const char *name)
{
    char *p = at_path_join(base, name);
    if (!p)
        return AT_ERR_NOMEM;
    at_status st = AT_OK;
    if (mkdir(p, 0700) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", p, strerror(errno));
    at_free(p);
    return st;
}

at_status at_vault_dataset_create(at_vault *v, at_vault_dataset_id *out)
{
    at_vault_dataset_id ds;
    randombytes_buf(ds.bytes, sizeof ds.bytes);
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(&ds, hex);
    size_t n = strlen(v->dir) + 64;
    char *fresh = at_malloc(n), *final = vault_dataset_path(v, &ds, NULL),
         *parent = at_path_join(v->dir, "datasets");
    char *chunks = NULL, *key = NULL, *lock = NULL;
    at_status st = AT_OK;
    if (!fresh || !final || !parent) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    /* built under a hidden name, renamed whole: a crash leaves no half dataset */
    snprintf(fresh, n, "%s/datasets/.new-%s", v->dir, hex);
    if (mkdir(fresh, 0700) != 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", fresh, strerror(errno));
        goto done;
    }
    if ((st = mkdir_in(fresh, "chunks")) || (st = mkdir_in(fresh, "snapshots")) ||
        (st = mkdir_in(fresh, "tmp")))
        goto fail;
    chunks = at_path_join(fresh, "chunks");
    key = at_path_join(fresh, "key");
    lock = at_path_join(fresh, "lock");
    if (!chunks || !key || !lock) {
        st = AT_ERR_NOMEM;
        goto fail;
    }
    for (int i = 0; i < 256; i++) {
        char sub[3];
        snprintf(sub, sizeof sub, "%02x", i);
        if ((st = mkdir_in(chunks, sub)))
            goto fail;
    }
    int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", lock, strerror(errno));
        goto fail;
    }
    close(fd);
    unsigned char wrapped[VAULT_KEYFILE_SIZE];
    if ((st = vault_key_new(v, &ds, wrapped)) ||
        (st = vault_write_object(fresh, key, wrapped, sizeof wrapped, 0)) || (st = vault_fsync_dir(chunks)) ||
        (st = vault_fsync_dir(fresh)))
        goto fail;
    if (rename(fresh, final) != 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot rename: %s", final, strerror(errno));
        goto fail;
    }
    st = vault_fsync_dir(parent);
    if (!st)
        *out = ds;
    goto done;
fail:
    at_remove_tree(fresh);
done:
    at_free(fresh);
    at_free(final);
    at_free(parent);
    at_free(chunks);
    at_free(key);
    at_free(lock);
    return st;
}

at_status at_vault_dataset_list(at_vault *v, at_vault_dataset_id **ids, size_t *count)
{
    char *dir = at_path_join(v->dir, "datasets");
    if (!dir)
        return AT_ERR_NOMEM;
    unsigned char *raw;
    at_status st = vault_list_hex_names(dir, sizeof(at_vault_dataset_id), &raw, count);
    at_free(dir);
    *ids = (at_vault_dataset_id *)raw;
    return st;
}

int at_vault_dataset_shredded(at_vault *v, const at_vault_dataset_id *ds)
{
    char *dir = vault_dataset_path(v, ds, NULL), *tomb = vault_dataset_path(v, ds, "shredded");
    int r;
    if (!dir || !tomb)
        r = AT_ERR_NOMEM;
    else if (!at_path_is_dir(dir)) {
        char hex[AT_VAULT_DATASET_HEX];
        at_vault_dataset_hex(ds, hex);
        r = at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
    } else
        r = access(tomb, F_OK) == 0;
    at_free(dir);
    at_free(tomb);
    return r;
}

at_status vault_empty_folder(const char *dir, int depth, size_t *removed, uint64_t *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? AT_OK : at_error_set(AT_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    at_status st = AT_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = at_path_join(dir, e->d_name);
        if (!p) {
            st = AT_ERR_NOMEM;
            break;
        }
        struct stat sb;
        if (lstat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth > 0) {
                st = vault_empty_folder(p, depth - 1, removed, bytes);
            } else if (!S_ISDIR(sb.st_mode) && unlink(p) == 0) {
                if (removed)
                    (*removed)++;
                if (bytes)
                    *bytes += (uint64_t)sb.st_size;
            }
        }
        at_free(p);
        if (st)
            break;
    }
    closedir(d);
    return st;
}

at_status at_vault_dataset_shred(at_vault *v, const at_vault_dataset_id *ds, int purge, at_run *run)
{
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(ds, hex);
    char *dir = vault_dataset_path(v, ds, NULL), *key = vault_dataset_path(v, ds, "key"),
         *tomb = vault_dataset_path(v, ds, "shredded");
    char *chunks = vault_dataset_path(v, ds, "chunks"), *snaps = vault_dataset_path(v, ds, "snapshots"),
         *tmp = vault_dataset_path(v, ds, "tmp");
    at_status st = AT_OK;
    int lock = -1;
    if (!dir || !key || !tomb || !chunks || !snaps || !tmp) {
        st = AT_ERR_NOMEM;
        goto done;
    }
    if (!at_path_is_dir(dir)) {
        st = at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
        goto done;
    }
    if ((st = vault_lock(dir, 1, run, &lock)))
        goto done;
    /* the tombstone first: from then on the dataset reads as shredded,
     * whatever happens to the key file below */
    if (access(tomb, F_OK) != 0) {
        char text[64];
        int n = snprintf(text, sizeof text, "shredded %lld\n", (long long)time(NULL));
        if ((st = at_file_write_atomic(tomb, text, (size_t)n)) || (st = vault_fsync_dir(dir)))
            goto done;
    }
    int fd = open(key, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        /* overwrite in place before unlinking (best effort on media that
         * remap blocks: docs/vault.md says what shredding does not reach) */
        unsigned char junk[VAULT_KEYFILE_SIZE];
        randombytes_buf(junk, sizeof junk);
        st = vault_write_all(fd, junk, sizeof junk, key);
        if (!st && fsync(fd) != 0)
            st = at_error_set(AT_ERR_IO, "%s: fsync failed: %s", key, strerror(errno));
        close(fd);
        if (st)
            goto done;
    }
    if ((unlink(key) != 0 && errno != ENOENT) || (st = vault_fsync_dir(dir)))
        st = st ? st : at_error_set(AT_ERR_IO, "%s: cannot remove: %s", key, strerror(errno));
    if (!st && purge) {
        st = vault_empty_folder(snaps, 0, NULL, NULL);
        if (!st)
            st = vault_empty_folder(chunks, 1, NULL, NULL);
        if (!st)
            st = vault_empty_folder(tmp, 0, NULL, NULL);
    }
done:
    vault_unlock(lock);
    at_free(dir);
    at_free(key);
    at_free(tomb);
    at_free(chunks);
    at_free(snaps);
    at_free(tmp);
    return st;
}
