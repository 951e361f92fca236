/* Release: the manifest of an approved request (its files with sha256,
 * lineage and checks, its reviewers and their votes, its times), signed
 * with the room's Ed25519 key under the package's own domain; then the
 * package, a tar in one canonical form (manifest.json, manifest.sig,
 * files/NAME in the manifest's order; every header made the same way, so
 * that at_airlock_verify can demand every byte). */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void octal(char *field, size_t width, uint64_t v)
{
    /* width - 1 digits, zero-padded, then NUL */
    field[width - 1] = '\0';
    for (size_t i = width - 1; i-- > 0;) {
        field[i] = (char)('0' + (v & 7));
        v >>= 3;
    }
}

at_status airlock_tar_header(const char *name, uint64_t size, int64_t mtime, unsigned char out[512])
{
    memset(out, 0, 512);
    size_t n = strlen(name);
    if (n <= 100) {
        memcpy(out, name, n);
    } else {
        /* split at a '/' into prefix (<= 155) and name (<= 100) */
        size_t cut = 0;
        for (size_t i = n - 1; i > 0; i--)
            if (name[i] == '/' && i <= 155 && n - i - 1 <= 100 && n - i - 1 > 0) {
                cut = i;
                break;
            }
        if (!cut)
            return at_error_set(AT_ERR_LIMIT, "%.64s...: a name the package's tar cannot hold", name);
        memcpy(out, name + cut + 1, n - cut - 1);
        memcpy(out + 345, name, cut);
    }
    if (size >= (1ull << 33))
        return at_error_set(AT_ERR_LIMIT, "a file of 8 GiB or more does not fit the package's tar");
    octal((char *)out + 100, 8, 0644);
    octal((char *)out + 108, 8, 0);
    octal((char *)out + 116, 8, 0);
    octal((char *)out + 124, 12, size);
    octal((char *)out + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
    out[156] = '0';
    memcpy(out + 257, "ustar", 6); /* with its NUL */
    memcpy(out + 263, "00", 2);
    memcpy(out + 265, "atelier", 7);
    memcpy(out + 297, "atelier", 7);
    memset(out + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += out[i];
    octal((char *)out + 148, 7, sum); /* six digits, NUL, then the space */
    out[155] = ' ';
    return AT_OK;
}

static void iso(time_t t, char out[32])
{
    struct tm tm;
    if (!t) {
        out[0] = '\0';
        return;
    }
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *parsed_or_string(const char *json)
{
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    return j ? j : cJSON_CreateObject();
}

at_status airlock_manifest_build(at_airlock *a, at_room_db *db, int64_t request, time_t released, char **json)
{
    *json = NULL;
    at_airlock_request r;
    at_status st = airlock_request_load(db, request, &r);
    if (st)
        return st;
    cJSON *m = cJSON_CreateObject();
    if (!m)
        return AT_ERR_NOMEM;
    unsigned char pk[32];
    char pkhex[65], t[32];
    at_room_public_key(a->room, pk);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    cJSON_AddStringToObject(m, "format", AT_AIRLOCK_PACKAGE_FORMAT);
    cJSON_AddNumberToObject(m, "request", (double)r.id);
    cJSON_AddStringToObject(m, "project", r.project);
    cJSON_AddStringToObject(m, "title", r.title);
    cJSON_AddStringToObject(m, "author", r.author);
    cJSON *room = cJSON_AddObjectToObject(m, "room");
    cJSON_AddStringToObject(room, "name", at_room_config(a->room)->name);
    cJSON_AddStringToObject(room, "signature", "Ed25519");
    cJSON_AddStringToObject(room, "public_key", pkhex);
    cJSON *times = cJSON_AddObjectToObject(m, "times");
    iso(r.created, t);
    cJSON_AddStringToObject(times, "created", t);
    iso(r.submitted, t);
    cJSON_AddStringToObject(times, "submitted", t);
    iso(r.decided, t);
    cJSON_AddStringToObject(times, "approved", t);
    iso(released, t);
    cJSON_AddStringToObject(times, "released", t);
    cJSON_AddNumberToObject(m, "released_unix", (double)released);
    cJSON_AddNumberToObject(m, "rounds", r.round);
    cJSON_AddNumberToObject(m, "threshold", at_airlock_threshold(&a->conf, r.project));
    /* files, by name */
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT " AIRLOCK_FILE_COLUMNS "WHERE f.request_id = ? ORDER BY f.name");
    cJSON *files = cJSON_AddArrayToObject(m, "files");
    if (!s)
        st = AT_ERR_IO;
    else {
        sqlite3_bind_int64(s, 1, request);
        while (!st && sqlite3_step(s) == SQLITE_ROW) {
            at_airlock_file f;
            st = airlock_file_row(s, &f);
            if (!st) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", f.name);
                cJSON_AddStringToObject(o, "role", f.role);
                cJSON_AddNumberToObject(o, "size", (double)f.size);
                cJSON_AddStringToObject(o, "sha256", f.sha256);
                cJSON_AddStringToObject(o, "type", f.type);
                cJSON_AddStringToObject(o, "justification", f.justification);
                cJSON_AddStringToObject(o, "transform", f.transform);
                cJSON_AddStringToObject(o, "exception", f.exception);
                cJSON *src = cJSON_AddObjectToObject(o, "source");
                cJSON_AddStringToObject(src, "kind", f.source.kind);
                cJSON_AddStringToObject(src, "id", f.source.id);
                cJSON_AddStringToObject(src, "path", f.source.path);
                cJSON_AddItemToObject(o, "lineage", parsed_or_string(f.lineage));
                cJSON_AddItemToObject(o, "checks", parsed_or_string(f.checks));
                cJSON_AddItemToArray(files, o);
            }
            at_free(f.checks);
            at_free(f.lineage);
        }
        sqlite3_reset(s);
    }
    /* reviewers who handed in a review, with their votes */
    cJSON *revs = cJSON_AddArrayToObject(m, "reviewers");
    s = st ? NULL
           : at_room_db_stmt(
                 db, "SELECT rv.reviewer_id, u.name, rv.dpo, rv.time FROM airlock_reviews rv JOIN users u "
                     "ON u.id = rv.reviewer_id WHERE rv.request_id = ? AND rv.submitted = 1 ORDER BY u.name");
    if (!st && !s)
        st = AT_ERR_IO;
    int64_t ids[64];
    cJSON *objs[64];
    size_t nrev = 0;
    if (!st) {
        sqlite3_bind_int64(s, 1, request);
        while (sqlite3_step(s) == SQLITE_ROW && nrev < 64) {
            cJSON *o = cJSON_CreateObject();
            ids[nrev] = sqlite3_column_int64(s, 0);
            cJSON_AddStringToObject(o, "user", (const char *)sqlite3_column_text(s, 1));
            cJSON_AddBoolToObject(o, "dpo", sqlite3_column_int(s, 2));
            iso((time_t)sqlite3_column_int64(s, 3), t);
            cJSON_AddStringToObject(o, "handed_in", t);
            cJSON_AddArrayToObject(o, "votes");
            cJSON_AddItemToArray(revs, o);
            objs[nrev++] = o;
        }
        sqlite3_reset(s);
    }
    for (size_t i = 0; i < nrev && !st; i++) {
        s = at_room_db_stmt(
            db, "SELECT f.name, v.vote FROM airlock_votes v JOIN airlock_files f ON f.id = v.file_id "
                "WHERE f.request_id = ? AND v.reviewer_id = ? ORDER BY f.name");
        if (!s) {
            st = AT_ERR_IO;
            break;
        }
        sqlite3_bind_int64(s, 1, request);
        sqlite3_bind_int64(s, 2, ids[i]);
        cJSON *votes = cJSON_GetObjectItemCaseSensitive(objs[i], "votes");
        while (sqlite3_step(s) == SQLITE_ROW) {
            cJSON *v = cJSON_CreateObject();
            cJSON_AddStringToObject(v, "file", (const char *)sqlite3_column_text(s, 0));
            cJSON_AddStringToObject(v, "vote",
                                    at_airlock_vote_name((at_airlock_vote_value)sqlite3_column_int(s, 1)));
            cJSON_AddItemToArray(votes, v);
        }
        sqlite3_reset(s);
    }
    char *text = st ? NULL : cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
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

at_status at_airlock_release(at_airlock *a, const char *by, int64_t request)
{
    at_room_db *db = at_room_db_get(a->room);
    at_status st = at_room_db_begin(db);
    at_airlock_request r;
    if (!st)
        st = airlock_request_load(db, request, &r);
    if (!st && (!by || strcmp(by, r.author)))
        st = at_error_set(AT_ERR_DENIED, "export request %lld is released by its author, %s",
                          (long long)request, r.author);
    if (!st && r.state != AT_AIRLOCK_APPROVED)
        st = at_error_set(AT_ERR_ARG, "export request %lld is %s: only an approved request is released",
                          (long long)request, at_airlock_state_name(r.state));
    time_t now = at_room_now();
    char *manifest = NULL;
    if (!st)
        st = airlock_manifest_build(a, db, request, now, &manifest);
    unsigned char sig[64];
    char sighex[129], sha[65];
    if (!st)
        st = at_room_sign(a->room, AT_AIRLOCK_PACKAGE_DOMAIN, manifest, strlen(manifest), sig);
    if (!st) {
        sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
        airlock_sha256_hex(manifest, strlen(manifest), sha);
        sqlite3_stmt *s = at_room_db_stmt(
            db, "UPDATE airlock_requests SET manifest = ?, signature = ?, package_sha256 = ? WHERE id = ?");
        if (!s)
            st = AT_ERR_IO;
        else {
            sqlite3_bind_text(s, 1, manifest, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, sighex, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 3, sha, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(s, 4, request);
            if (sqlite3_step(s) != SQLITE_DONE)
                st = at_room_db_error(db, "export release");
            sqlite3_reset(s);
        }
    }
    if (!st)
        st = airlock_set_state(db, request, AT_AIRLOCK_RELEASED, now);
    if (!st)
        st = airlock_event(db, request, by, "released", 0, NULL);
    char *d = st ? NULL
                 : airlock_details("{\"manifest_sha256\":%s,\"files\":%d,\"bytes\":%llu}", sha, r.files,
                                   (unsigned long long)r.bytes);
    if (!st)
        st = d ? airlock_audit(db, by, "release", request, d) : AT_ERR_NOMEM;
    at_free(d);
    if (!st) {
        char text[200];
        snprintf(text, sizeof text, "Export request #%lld was released by its author.", (long long)request);
        st = airlock_notify_reviewers(a, db, &r, text, now);
    }
    if (!st)
        st = at_room_db_commit(a->room, db);
    else
        at_room_db_rollback(db);
    at_room_db_put(a->room, db);
    at_free(manifest);
    return st;
}

at_status at_airlock_manifest(at_airlock *a, int64_t request, char **json, char **signature_hex)
{
    *json = NULL;
    if (signature_hex)
        *signature_hex = NULL;
    at_room_db *db = at_room_db_get(a->room);
    sqlite3_stmt *s =
        at_room_db_stmt(db, "SELECT manifest, signature, state FROM airlock_requests WHERE id = ?");
    at_status st = s ? AT_OK : AT_ERR_IO;
    if (s) {
        sqlite3_bind_int64(s, 1, request);
        if (sqlite3_step(s) != SQLITE_ROW)
            st = at_error_set(AT_ERR_NOT_FOUND, "export request %lld: no such request", (long long)request);
        else if (sqlite3_column_int(s, 2) != AT_AIRLOCK_RELEASED || !sqlite3_column_text(s, 0))
            st = at_error_set(AT_ERR_DENIED, "export request %lld is not released", (long long)request);
        else {
            *json = at_strdup((const char *)sqlite3_column_text(s, 0));
            if (signature_hex)
                *signature_hex = at_strdup((const char *)sqlite3_column_text(s, 1));
            if (!*json || (signature_hex && !*signature_hex))
                st = AT_ERR_NOMEM;
        }
        sqlite3_reset(s);
    }
    at_room_db_put(a->room, db);
    if (st) {
        at_free(*json);
        *json = NULL;
        if (signature_hex) {
            at_free(*signature_hex);
            *signature_hex = NULL;
        }
    }
    return st;
}

static at_status write_all(int fd, const void *data, size_t len)
{
    int r = at_fd_write_all(fd, data, len);
    if (r)
        return at_error_set(AT_ERR_IO, "package: write: %s", r < 0 ? strerror(errno) : "nothing written");
    return AT_OK;
}

static at_status tar_entry(int fd, const char *name, const void *data, size_t len, int64_t mtime,
                           uint64_t *total)
{
    unsigned char h[512];
    static const unsigned char zero[512];
    at_status st = airlock_tar_header(name, len, mtime, h);
    if (!st)
        st = write_all(fd, h, 512);
    if (!st)
        st = write_all(fd, data, len);
    size_t pad = (512 - len % 512) % 512;
    if (!st && pad)
        st = write_all(fd, zero, pad);
    *total += 512 + len + pad;
    return st;
}

static uint64_t padded(uint64_t n)
{
    return (n + 511) / 512 * 512;
}

at_status at_airlock_package_size(at_airlock *a, int64_t request, uint64_t *bytes)
{
    char *manifest = NULL, *sig = NULL;
    at_status st = at_airlock_manifest(a, request, &manifest, &sig);
    at_airlock_file *files = NULL;
    size_t n = 0;
    if (!st)
        st = at_airlock_files(a, request, &files, &n);
    if (!st) {
        uint64_t total = 512 + padded(strlen(manifest)) + 512 + padded(strlen(sig) + 1) + 1024;
        for (size_t i = 0; i < n; i++)
            total += 512 + padded(files[i].size);
        *bytes = total;
    }
    at_airlock_files_free(files, n);
    at_free(manifest);
    at_free(sig);
    return st;
}

at_status at_airlock_package(at_airlock *a, const char *by, int64_t request, int fd, uint64_t *bytes)
{
    *bytes = 0;
    at_airlock_request r;
    at_status st = at_airlock_get(a, request, &r);
    if (!st && (!by || strcmp(by, r.author)))
        st = at_error_set(AT_ERR_DENIED, "the package of export request %lld is its author's",
                          (long long)request);
    if (!st && r.state != AT_AIRLOCK_RELEASED)
        st =
            at_error_set(AT_ERR_DENIED, "export request %lld is %s: nothing is downloaded before its release",
                         (long long)request, at_airlock_state_name(r.state));
    char *manifest = NULL, *sig = NULL;
    if (!st)
        st = at_airlock_manifest(a, request, &manifest, &sig);
    at_airlock_file *files = NULL;
    size_t n = 0;
    if (!st)
        st = at_airlock_files(a, request, &files, &n);
    /* the files as the manifest names them: same names, sizes and hashes */
    cJSON *m = st ? NULL : cJSON_Parse(manifest);
    cJSON *mf = m ? cJSON_GetObjectItemCaseSensitive(m, "files") : NULL;
    if (!st && (!cJSON_IsArray(mf) || (size_t)cJSON_GetArraySize(mf) != n))
        st = at_error_set(AT_ERR_FORMAT, "export request %lld: its files differ from its manifest",
                          (long long)request);
    int64_t mtime = (int64_t)r.released;
    if (!st) {
        char line[130];
        snprintf(line, sizeof line, "%s\n", sig);
        st = tar_entry(fd, "manifest.json", manifest, strlen(manifest), mtime, bytes);
        if (!st)
            st = tar_entry(fd, "manifest.sig", line, strlen(line), mtime, bytes);
    }
    size_t i = 0;
    for (cJSON *e = mf ? mf->child : NULL; e && !st; e = e->next, i++) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name"),
                    *sha = cJSON_GetObjectItemCaseSensitive(e, "sha256");
        if (!cJSON_IsString(name) || !cJSON_IsString(sha) || strcmp(name->valuestring, files[i].name) ||
            strcmp(sha->valuestring, files[i].sha256)) {
            st = at_error_set(AT_ERR_FORMAT, "export request %lld: file %zu differs from its manifest",
                              (long long)request, i + 1);
            break;
        }
        unsigned char *data = NULL;
        size_t len = 0;
        st = airlock_read_checked(a, r.project, &files[i], &data, &len);
        char path[AT_AIRLOCK_NAME_MAX + 8];
        snprintf(path, sizeof path, "files/%s", files[i].name);
        if (!st)
            st = tar_entry(fd, path, data, len, mtime, bytes);
        at_free(data);
    }
    static const unsigned char end[1024];
    if (!st)
        st = write_all(fd, end, sizeof end);
    if (!st)
        *bytes += sizeof end;
    cJSON_Delete(m);
    if (!st) {
        at_room_db *db = at_room_db_get(a->room);
        st = at_room_db_begin(db);
        if (!st)
            st = airlock_event(db, request, by, "downloaded", 0, NULL);
        char *d = st ? NULL
                     : airlock_details("{\"bytes\":%llu,\"manifest_sha256\":%s}", (unsigned long long)*bytes,
                                       r.package_sha256);
        if (!st)
            st = d ? airlock_audit(db, by, "download", request, d) : AT_ERR_NOMEM;
        at_free(d);
        if (!st)
            st = at_room_db_commit(a->room, db);
        else
            at_room_db_rollback(db);
        at_room_db_put(a->room, db);
    }
    at_airlock_files_free(files, n);
    at_free(manifest);
    at_free(sig);
    return st;
}
