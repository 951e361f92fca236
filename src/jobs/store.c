/* The datasets a job reads and writes, in the room's vault: per project,
 * "code" (pushed by `atelier code push`, never through the door),
 * "results" (every job's /out) and, until the door's imports are wired
 * into the catalog, data stored by at_jobs_dataset_put. The catalog maps
 * (project, name) to the vault's dataset id and records each snapshot's
 * maker. The code archive format is parsed here with every length
 * bounded. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CODE_MAGIC "ATLCODE1\n"
#define CODE_FILES_MAX 20000

at_status jobs_vault_open(const char *room_dir, at_room *room, at_vault **out)
{
    at_key key;
    at_status st = AT_OK;
    if (room) {
        at_room_master_key(room, &key);
    } else {
        char *kp = at_path_join(room_dir, "keys/master.key");
        struct stat sb;
        if (!kp)
            return AT_ERR_NOMEM;
        if (stat(kp, &sb) != 0)
            st = at_error_set(AT_ERR_NOT_FOUND, "%s: no master key", kp);
        int created = 0;
        if (!st)
            st = at_key_load_or_create(kp, &key, &created);
        at_free(kp);
    }
    char *dir = st ? NULL : at_path_join(room_dir, "vault");
    if (!st && !dir)
        st = AT_ERR_NOMEM;
    if (!st && access(dir, F_OK) != 0)
        st = at_vault_init(dir, &key);
    if (!st)
        st = at_vault_open(dir, &key, out);
    at_free(dir);
    memset(&key, 0, sizeof key);
    return st;
}

at_status jobs_dataset_ensure(at_jobs *j, at_room_db *db, int64_t project_id, const char *name,
                              const char *kind, int synthetic, int create, char id[AT_VAULT_DATASET_HEX],
                              int *is_synthetic)
{
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT vault_id, synthetic FROM job_datasets WHERE project_id = ? AND name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(s) == SQLITE_ROW;
    if (found) {
        snprintf(id, AT_VAULT_DATASET_HEX, "%s", (const char *)sqlite3_column_text(s, 0));
        if (is_synthetic)
            *is_synthetic = sqlite3_column_int(s, 1);
    }
    sqlite3_reset(s);
    if (found)
        return AT_OK;
    if (!create)
        return at_error_set(AT_ERR_NOT_FOUND, "no dataset '%s'", name);
    at_vault_dataset_id ds;
    at_status st = at_vault_dataset_create(j->vault, &ds);
    if (st)
        return st;
    at_vault_dataset_hex(&ds, id);
    s = at_room_db_stmt(db, "INSERT INTO job_datasets(project_id, name, vault_id, kind, synthetic, created) "
                            "VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 5, synthetic);
    sqlite3_bind_int64(s, 6, at_room_now());
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (is_synthetic)
        *is_synthetic = synthetic;
    return rc == SQLITE_DONE ? AT_OK : at_room_db_error(db, "dataset insert");
}

static at_status project_and_user(at_room_db *db, const char *project, const char *user, int64_t *pid,
                                  int64_t *uid)
{
    sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM projects WHERE name = ?");
    if (!s)
        return AT_ERR_IO;
    sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
    *pid = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (!*pid)
        return at_error_set(AT_ERR_NOT_FOUND, "no project %s", project);
    *uid = 0;
    if (user) {
        s = at_room_db_stmt(db, "SELECT id FROM users WHERE name = ?");
        if (!s)
            return AT_ERR_IO;
        sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
        *uid = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_reset(s);
    }
    return AT_OK;
}

/* the publish callback: the snapshot's row, then the catalog commits */
typedef struct {
    at_jobs *j;
    at_room_db *db;
    int64_t dataset_row;
    int64_t uid;
    const char *by, *project, *name;
} publish_ctx;

static at_status publish(void *ud, const at_vault_dataset_id *ds, const at_vault_snapshot_id *snap,
                         const at_vault_snapshot_id *parent, const at_vault_commit_stats *stats)
{
    (void)ds;
    (void)parent;
    publish_ctx *c = ud;
    char hex[AT_VAULT_SNAPSHOT_HEX];
    at_vault_snapshot_hex(snap, hex);
    at_status st = at_room_db_begin(c->db);
    sqlite3_stmt *s =
        st ? NULL
           : at_room_db_stmt(c->db, "INSERT OR IGNORE INTO job_snapshots(dataset_id, snapshot, user_id, "
                                    "created) VALUES (?, ?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        sqlite3_bind_int64(s, 1, c->dataset_row);
        sqlite3_bind_text(s, 2, hex, -1, SQLITE_TRANSIENT);
        if (c->uid)
            sqlite3_bind_int64(s, 3, c->uid);
        sqlite3_bind_int64(s, 4, at_room_now());
        if (sqlite3_step(s) != SQLITE_DONE)
            st = at_room_db_error(c->db, "snapshot insert");
        sqlite3_reset(s);
    }
    if (!st) {
        char object[160];
        snprintf(object, sizeof object, "dataset:%s/%s@%.16s", c->project, c->name, hex);
        char *d = jobs_details("{\"files\":%llu,\"bytes\":%llu}", (unsigned long long)stats->files,
                               (unsigned long long)stats->bytes);
        st = d ? at_room_db_audit(c->db, c->by, !strcmp(c->name, "code") ? "code.push" : "dataset.put",
                                  object, d)
               : AT_ERR_NOMEM;
        at_free(d);
    }
    if (!st)
        st = at_room_db_commit(c->j->room, c->db);
    else
        at_room_db_rollback(c->db);
    return st;
}

at_status at_jobs_dataset_put(at_jobs *j, const char *by, const char *project, const char *name,
                              const char *kind, int synthetic, const char *dir,
                              char snap_out[AT_VAULT_SNAPSHOT_HEX])
{
    if (!at_room_name_valid(name))
        return at_error_set(AT_ERR_ARG, "dataset: '%.64s' is not a valid name", name);
    if (strcmp(kind, "code") && strcmp(kind, "data"))
        return at_error_set(AT_ERR_ARG, "dataset: kind must be code or data");
    at_room_db *db = at_room_db_get(j->room);
    int64_t pid = 0, uid = 0, row = 0;
    char id[AT_VAULT_DATASET_HEX];
    at_status st = at_room_db_begin(db);
    if (!st)
        st = project_and_user(db, project, by, &pid, &uid);
    if (!st)
        st = jobs_dataset_ensure(j, db, pid, name, kind, synthetic, 1, id, NULL);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(db, "SELECT id FROM job_datasets WHERE vault_id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
            row = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = at_room_db_commit(j->room, db);
    at_vault_dataset_id ds;
    at_vault_snapshot_id parent, snap;
    int has_parent = 0;
    if (!st)
        st = at_vault_dataset_parse(id, &ds);
    if (!st) {
        has_parent = at_vault_snapshot_resolve(j->vault, &ds, "latest", &parent) == AT_OK;
        at_error_clear();
    }
    at_vault_tx *tx = NULL;
    if (!st)
        st = at_vault_begin(j->vault, &ds, NULL, NULL, &tx);
    (void)has_parent; /* every snapshot is the folder as it is: a fresh tree, not an edit of the last */
    if (!st)
        st = at_vault_add_tree(tx, dir, "");
    if (st && tx)
        at_vault_abort(tx);
    publish_ctx pc = {.j = j,
                      .db = db,
                      .dataset_row = row,
                      .uid = uid,
                      .by = by ? by : "room",
                      .project = project,
                      .name = name};
    if (!st)
        st = at_vault_commit(tx, NULL, publish, &pc, &snap, NULL);
    at_room_db_put(j->room, db);
    if (!st && snap_out)
        at_vault_snapshot_hex(&snap, snap_out);
    return st;
}

at_status at_jobs_datasets(at_jobs *j, const char *project, at_jobs_dataset **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_room_db *db = at_room_db_get(j->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT d.name, d.vault_id, d.kind, d.synthetic FROM job_datasets d "
                            "JOIN projects p ON p.id = d.project_id WHERE p.name = ? ORDER BY d.name");
    at_status st = s ? AT_OK : AT_ERR_IO;
    size_t cap = 0;
    if (s) {
        sqlite3_bind_text(s, 1, project, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            st = AT_GROW(*out, cap, *count + 1);
            if (st)
                break;
            at_jobs_dataset *d = &(*out)[(*count)++];
            snprintf(d->name, sizeof d->name, "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(d->dataset_id, sizeof d->dataset_id, "%s", (const char *)sqlite3_column_text(s, 1));
            snprintf(d->kind, sizeof d->kind, "%s", (const char *)sqlite3_column_text(s, 2));
            d->synthetic = sqlite3_column_int(s, 3);
        }
        sqlite3_reset(s);
    }
    at_room_db_put(j->room, db);
    return st;
}

at_status at_jobs_dataset_get(at_jobs *j, const char *project, const char *name, const char *snapshot,
                              const char *dest)
{
    at_room_db *db = at_room_db_get(j->room);
    int64_t pid = 0, uid = 0;
    char id[AT_VAULT_DATASET_HEX];
    at_status st = project_and_user(db, project, NULL, &pid, &uid);
    if (!st)
        st = jobs_dataset_ensure(j, db, pid, name, NULL, 0, 0, id, NULL);
    at_room_db_put(j->room, db);
    at_vault_dataset_id ds;
    at_vault_snapshot_id snap;
    if (!st)
        st = at_vault_dataset_parse(id, &ds);
    if (!st)
        st = at_vault_snapshot_resolve(j->vault, &ds, snapshot ? snapshot : "latest", &snap);
    if (!st)
        st = at_vault_materialise(j->vault, &ds, &snap, NULL, dest, NULL, NULL, NULL);
    return st ? at_error_prefix(st, "dataset %s/%s", project, name) : AT_OK;
}

/* ---- the code archive ---- */

static at_status pack_dir(at_buf *b, const char *root, const char *rel, size_t *files, int depth)
{
    if (depth > AT_VAULT_DEPTH_MAX)
        return at_error_set(AT_ERR_LIMIT, "%s: folders nested too deep", root);
    char *path = rel[0] ? at_path_join(root, rel) : at_strdup(root);
    if (!path)
        return AT_ERR_NOMEM;
    DIR *d = opendir(path);
    if (!d) {
        at_status st = at_error_set(AT_ERR_IO, "%s: %s", path, strerror(errno));
        at_free(path);
        return st;
    }
    /* sorted, so that the same folder packs to the same bytes */
    char **names = NULL;
    size_t n = 0, cap = 0;
    at_status st = AT_OK;
    struct dirent *e;
    while ((e = readdir(d)) && !st) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git") ||
            !strcmp(e->d_name, "__pycache__"))
            continue;
        st = AT_GROW(names, cap, n + 1);
        if (st)
            break;
        if (!(names[n] = at_strdup(e->d_name)))
            st = AT_ERR_NOMEM;
        else
            n++;
    }
    closedir(d);
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (strcmp(names[i], names[k]) > 0) {
                char *t = names[i];
                names[i] = names[k];
                names[k] = t;
            }
    for (size_t i = 0; i < n && !st; i++) {
        char sub[AT_VAULT_PATH_MAX + 1];
        if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", names[i]) >= sizeof sub) {
            st = at_error_set(AT_ERR_LIMIT, "%s: a path is too long", root);
            break;
        }
        char *full = at_path_join(root, sub);
        struct stat sb;
        if (!full) {
            st = AT_ERR_NOMEM;
            break;
        }
        if (lstat(full, &sb) != 0) {
            st = at_error_set(AT_ERR_IO, "%s: %s", full, strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            st = pack_dir(b, root, sub, files, depth + 1);
        } else if (S_ISREG(sb.st_mode)) {
            if (++*files > CODE_FILES_MAX)
                st = at_error_set(AT_ERR_LIMIT, "%s: more than %d files", root, CODE_FILES_MAX);
            st = st ? st : at_vault_path_check(sub);
            unsigned char *data = NULL;
            size_t len = 0;
            if (!st)
                st = at_file_read(full, b->max, &data, &len);
            if (!st)
                st =
                    at_buf_printf(b, "F %o %zu %zu\n", (sb.st_mode & 0111) ? 0755u : 0644u, len, strlen(sub));
            if (!st)
                st = at_buf_append(b, sub, strlen(sub));
            if (!st && len)
                st = at_buf_append(b, data, len);
            at_free(data);
            if (st == AT_ERR_LIMIT)
                st = at_error_set(AT_ERR_LIMIT, "%s: the code is larger than %zu MiB", root, b->max >> 20);
        } /* links, devices, sockets: not code */
        at_free(full);
    }
    for (size_t i = 0; i < n; i++)
        at_free(names[i]);
    at_free(names);
    at_free(path);
    return st;
}

at_status at_jobs_code_pack(const char *dir, size_t max, unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    at_buf b;
    at_buf_init(&b, max);
    size_t files = 0;
    at_status st = at_buf_puts(&b, CODE_MAGIC);
    if (!st)
        st = pack_dir(&b, dir, "", &files, 0);
    if (st) {
        at_buf_free(&b);
        return st;
    }
    *out = at_buf_steal(&b, len);
    return *out || !*len ? AT_OK : AT_ERR_NOMEM;
}

at_status at_jobs_code_unpack(const void *archive, size_t len, const char *dest)
{
    const unsigned char *a = archive;
    size_t ml = sizeof CODE_MAGIC - 1;
    if (len < ml || memcmp(a, CODE_MAGIC, ml))
        return at_error_set(AT_ERR_FORMAT, "code archive: not an atelier code archive");
    size_t off = ml, files = 0;
    at_status st = at_mkdir_p(dest, 0700);
    while (!st && off < len) {
        /* "F MODE SIZE PATHLEN\n" */
        const unsigned char *nl = memchr(a + off, '\n', len - off < 64 ? len - off : 64);
        if (!nl)
            return at_error_set(AT_ERR_FORMAT, "code archive: offset %zu: a header without its end", off);
        char head[65];
        size_t hl = (size_t)(nl - (a + off));
        memcpy(head, a + off, hl);
        head[hl] = '\0';
        unsigned mode = 0;
        unsigned long long size = 0, plen = 0;
        char extra;
        if (sscanf(head, "F %o %llu %llu%c", &mode, &size, &plen, &extra) != 3 ||
            (mode != 0644 && mode != 0755))
            return at_error_set(AT_ERR_FORMAT, "code archive: offset %zu: a malformed header", off);
        off += hl + 1;
        if (plen == 0 || plen > AT_VAULT_PATH_MAX || plen > len - off || size > len - off - plen)
            return at_error_set(AT_ERR_FORMAT, "code archive: offset %zu: lengths past the end", off);
        if (++files > CODE_FILES_MAX)
            return at_error_set(AT_ERR_LIMIT, "code archive: more than %d files", CODE_FILES_MAX);
        char path[AT_VAULT_PATH_MAX + 1];
        memcpy(path, a + off, plen);
        path[plen] = '\0';
        if (strlen(path) != plen)
            return at_error_set(AT_ERR_FORMAT, "code archive: offset %zu: a path holds a NUL", off);
        st = at_vault_path_check(path);
        if (st)
            return at_error_prefix(st, "code archive");
        off += plen;
        char *full = at_path_join(dest, path);
        if (!full)
            return AT_ERR_NOMEM;
        char *slash = strrchr(full, '/');
        *slash = '\0';
        st = at_mkdir_p(full, 0700);
        *slash = '/';
        if (!st) {
            int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0700);
            if (fd < 0) {
                st = at_error_set(AT_ERR_FORMAT, "code archive: %s: %s", path,
                                  errno == EEXIST ? "given twice" : strerror(errno));
            } else {
                size_t done = 0;
                while (done < size && !st) {
                    ssize_t w = write(fd, a + off + done, (size_t)size - done);
                    if (w <= 0 && errno != EINTR)
                        st = at_error_set(AT_ERR_IO, "code archive: %s: %s", path, strerror(errno));
                    else if (w > 0)
                        done += (size_t)w;
                }
                close(fd);
            }
        }
        at_free(full);
        off += (size_t)size;
    }
    return st;
}

at_status at_jobs_code_push(at_jobs *j, const char *by, const char *project, const void *archive, size_t len,
                            char snap[AT_VAULT_SNAPSHOT_HEX])
{
    char rel[AT_ROOM_TOKEN_MAX + 16], token[AT_ROOM_TOKEN_MAX];
    at_room_random_token(token);
    snprintf(rel, sizeof rel, "scratch/push-%.20s", token);
    char *tmp = at_path_join(j->jobs_dir, rel);
    if (!tmp)
        return AT_ERR_NOMEM;
    char *parent = at_path_join(j->jobs_dir, "scratch");
    at_status st = parent ? at_mkdir_p(parent, 0700) : AT_ERR_NOMEM;
    at_free(parent);
    if (!st && access(tmp, F_OK) == 0)
        at_remove_tree(tmp);
    if (!st)
        st = at_jobs_code_unpack(archive, len, tmp);
    if (!st)
        st = at_jobs_dataset_put(j, by, project, "code", "code", 0, tmp, snap);
    at_remove_tree(tmp);
    at_free(tmp);
    return st;
}
