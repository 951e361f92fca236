/* A room's life: init (folder, keys, catalog, settings, first
 * administrator), open (settings, keys, catalog pool) and close (the
 * audit's last anchor). */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char conf_template[] =
    "# atelier room settings (docs/room.md). Lines are 'key = value'.\n"
    "# listen = 127.0.0.1:8443        address and port of the HTTPS service\n"
    "# name = atelier                 shown in authenticator apps\n"
    "# tls_cert =                     the centre's certificate (PEM); default DIR/tls.crt\n"
    "# tls_key =                      its key (PEM, mode 0600); default DIR/keys/tls.key\n"
    "# static_dir = /usr/share/javascript\n"
    "# threads = 4\n"
    "# max_connections = 512\n"
    "# per_ip_connections = 64\n"
    "# connection_timeout = 30        seconds without traffic before a connection is closed\n"
    "# body_max = 65536               bytes of a request body\n"
    "# session_idle_minutes = 30\n"
    "# session_absolute_hours = 12\n"
    "# token_lifetime_days = 7\n"
    "# lockout_failures = 5\n"
    "# lockout_base_seconds = 60      doubles with each further failure\n"
    "# lockout_max_seconds = 3600\n"
    "# audit_anchor_every = 100\n";

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

/* Remove what init wrote in dir (dir itself when we made it). */
static void init_undo(const char *dir, int made)
{
    if (made) {
        at_remove_tree(dir);
        return;
    }
    static const char *const names[] = {"keys",           "catalog.db", "catalog.db-wal",
                                        "catalog.db-shm", "room.conf",  "audit-anchors.log"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *p = at_path_join(dir, names[i]);
        if (p && at_path_is_dir(p))
            at_remove_tree(p);
        else if (p)
            unlink(p);
        at_free(p);
    }
}

at_status at_room_init(const char *dir, const char *admin, at_room_init_result *out)
{
    memset(out, 0, sizeof *out);
    if (!admin)
        admin = "admin";
    if (!at_room_name_valid(admin))
        return at_error_set(AT_ERR_ARG,
                            "the administrator's name must be 1 to %d letters, digits, '.', '_' or '-'",
                            AT_ROOM_NAME_MAX);
    at_status st = at_crypto_init();
    if (st)
        return st;
    struct stat sb;
    int made = 0;
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return at_error_set(AT_ERR_ARG, "%s: exists and is not a folder", dir);
        if (!dir_is_empty(dir))
            return at_error_set(AT_ERR_ARG, "%s: not empty; a room is made in a new or empty folder", dir);
    } else {
        if (mkdir(dir, 0700) != 0)
            return at_error_set(AT_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
        made = 1;
    }
    if (chmod(dir, 0700) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot set its mode: %s", dir, strerror(errno));
    if (!st)
        st = room_keys_create(dir, out->audit_public_key);
    char *conf = st ? NULL : at_path_join(dir, "room.conf");
    if (!st)
        st = conf ? room_write_private(conf, conf_template, sizeof conf_template - 1, 0644) : AT_ERR_NOMEM;
    at_free(conf);
    at_room *room = NULL;
    if (!st)
        st = at_room_open(dir, &room);
    if (!st)
        st = at_room_audit(room, "room", "room.init", "room", NULL);
    if (!st)
        st = at_room_user_create(room, "room", admin, AT_ROLE_ADMIN, "", out->password, NULL);
    char *db = st ? NULL : at_path_join(dir, "catalog.db");
    if (db && chmod(db, 0600) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot set its mode: %s", db, strerror(errno));
    at_free(db);
    if (room) {
        at_status cst = at_room_close(room);
        if (!st)
            st = cst;
    }
    if (st) {
        char saved[512];
        snprintf(saved, sizeof saved, "%s", at_error_message());
        init_undo(dir, made);
        sodium_memzero(out, sizeof *out);
        return at_error_set(st, "%s", saved);
    }
    snprintf(out->admin, sizeof out->admin, "%s", admin);
    return AT_OK;
}

/* Sessions past their end and lockouts long over are removed at open
 * (and now and then by logins, see sessions.c). */
void room_purge(room_conn *c, time_t now)
{
    sqlite3_stmt *s = room_stmt(c, "DELETE FROM sessions WHERE expires < ? OR revoked = 1");
    if (s) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
        sqlite3_step(s);
        sqlite3_reset(s);
    }
    s = room_stmt(c, "DELETE FROM login_throttle WHERE locked_until < ? AND last_failure < ?");
    if (s) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)(now - 86400));
        sqlite3_step(s);
        sqlite3_reset(s);
    }
}

at_status at_room_open(const char *dir, at_room **out)
{
    *out = NULL;
    at_status st = at_crypto_init();
    if (st)
        return st;
    if (!at_path_is_dir(dir))
        return at_error_set(AT_ERR_NOT_FOUND, "%s: not a room folder (make one with 'atelier room init')",
                            dir);
    at_room *room = at_calloc(1, sizeof *room);
    if (!room)
        return AT_ERR_NOMEM;
    room->dir = at_strdup(dir);
    pthread_mutex_init(&room->pool_mu, NULL);
    pthread_cond_init(&room->pool_cv, NULL);
    pthread_mutex_init(&room->anchor_mu, NULL);
    pthread_mutex_init(&room->dummy_mu, NULL);
    at_room_conf_defaults(&room->conf);
    char *conf = room->dir ? at_path_join(dir, "room.conf") : NULL;
    if (!conf)
        st = AT_ERR_NOMEM;
    if (!st && access(conf, F_OK) == 0)
        st = at_room_conf_read(conf, &room->conf);
    at_free(conf);
    if (!st)
        st = room_keys_load(room);
    if (!st)
        st = room_pool_open(room, room->conf.threads + 2);
    if (st) {
        char saved[512];
        snprintf(saved, sizeof saved, "%s", at_error_message());
        room->conf.audit_anchor_every = 0;
        room_pool_close(room);
        at_free(room->dir);
        sodium_memzero(room, sizeof *room);
        at_free(room);
        return at_error_set(st, "%s", saved);
    }
    /* anchoring goes on after the newest signed anchor, or after the
     * newest entry when the anchors name entries the catalog lacks (verify
     * reports that) */
    room->anchored_seq = room_anchors_last_seq(dir, room->audit_pk);
    room_conn *c = room_conn_get(room);
    sqlite3_stmt *s = room_stmt(c, "SELECT coalesce(max(seq), 0) FROM audit");
    if (s && sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) < room->anchored_seq)
        room->anchored_seq = sqlite3_column_int64(s, 0);
    if (s)
        sqlite3_reset(s);
    room_purge(c, at_room_now());
    room_conn_put(room, c);
    *out = room;
    return AT_OK;
}

at_status at_room_close(at_room *room)
{
    if (!room)
        return AT_OK;
    at_status st = AT_OK;
    if (room->nconns) {
        room_conn *c = room_conn_get(room);
        st = room_audit_anchor(room, c, 1);
        room_conn_put(room, c);
    }
    room_pool_close(room);
    pthread_mutex_destroy(&room->pool_mu);
    pthread_cond_destroy(&room->pool_cv);
    pthread_mutex_destroy(&room->anchor_mu);
    pthread_mutex_destroy(&room->dummy_mu);
    at_free(room->dir);
    sodium_memzero(room, sizeof *room);
    at_free(room);
    return st;
}

const at_room_conf *at_room_config(const at_room *room)
{
    return &room->conf;
}

const char *at_room_dir(const at_room *room)
{
    return room->dir;
}
