/* Helpers of the jobs' integration tests: a room made in a temporary
 * folder with users, projects and bearer tokens made directly in its
 * catalog, served by a separate `atelier-engine serve` process (so that a
 * test can kill it), and the client commands run with ATELIER_SERVER,
 * ATELIER_TOKEN and ATELIER_CACERT. Header only. */
#ifndef ATELIER_TEST_JOBS_SUPPORT_H
#define ATELIER_TEST_JOBS_SUPPORT_H

#include "support.h"

#include "atelier/jobs.h"
#include "atelier/room.h"
#include "atelier/web.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <math.h>
#include <unistd.h>

#define JS_UNUSED __attribute__((unused))

typedef struct {
    char *base;    /* temporary folder */
    char dir[600]; /* the room */
    char url[128]; /* https://127.0.0.1:PORT */
    char cacert[700];
    pid_t server;
    int port;
} js_room;

static JS_UNUSED const char *js_engine(void)
{
    static char path[1024];
    const char *b = test_atelier_bin();
    const char *slash = strrchr(b, '/');
    if (slash)
        snprintf(path, sizeof path, "%.*s/atelier-engine", (int)(slash - b), b);
    else
        snprintf(path, sizeof path, "./atelier-engine");
    return path;
}

/* A new room with conf_extra appended to room.conf. */
static JS_UNUSED void js_init(js_room *r, const char *conf_extra)
{
    memset(r, 0, sizeof *r);
    r->base = test_mkdtemp();
    snprintf(r->dir, sizeof r->dir, "%s/room", r->base);
    at_room_init_result res;
    if (at_room_init(r->dir, "admin", &res) != AT_OK)
        fail_msg("room init: %s", at_error_message());
    if (at_web_make_certificate(r->dir, NULL) != AT_OK)
        fail_msg("certificate: %s", at_error_message());
    char p[700];
    snprintf(p, sizeof p, "%s/room.conf", r->dir);
    FILE *f = fopen(p, "a");
    fprintf(f, "jobs.engine = %s\n%s", js_engine(), conf_extra ? conf_extra : "");
    fclose(f);
    snprintf(r->cacert, sizeof r->cacert, "%s/tls.crt", r->dir);
}

/* Users (NAME:role-in-PROJECT), made with a full session each; tokens[i]
 * receives user i's bearer token. */
static JS_UNUSED void js_people(js_room *r, const char *project, const char *const *users,
                                const at_project_role *roles, size_t n, char tokens[][AT_ROOM_TOKEN_MAX])
{
    at_room *room;
    if (at_room_open(r->dir, &room) != AT_OK)
        fail_msg("room open: %s", at_error_message());
    at_project pj;
    if (at_room_project_get(room, project, &pj) != AT_OK &&
        at_room_project_create(room, "admin", project, "a project") != AT_OK)
        fail_msg("project %s: %s", project, at_error_message());
    for (size_t i = 0; i < n; i++) {
        char otp[AT_ROOM_OTP_MAX];
        int64_t id = 0;
        at_user u;
        if (at_room_user_get(room, users[i], &u) == AT_OK)
            id = u.id;
        else if (at_room_user_create(room, "admin", users[i], 0, "", otp, &id) != AT_OK)
            fail_msg("user %s: %s", users[i], at_error_message());
        if (roles[i] != AT_PROJECT_NONE &&
            at_room_member_set(room, "admin", project, users[i], roles[i]) != AT_OK)
            fail_msg("member %s: %s", users[i], at_error_message());
        if (tokens && at_room_session_open(room, id, AT_SESSION_BEARER, AT_STAGE_FULL, 0, tokens[i]) != AT_OK)
            fail_msg("session %s: %s", users[i], at_error_message());
    }
    at_room_close(room);
}

/* An administrator's token. */
static JS_UNUSED void js_admin_token(js_room *r, char token[AT_ROOM_TOKEN_MAX])
{
    at_room *room;
    if (at_room_open(r->dir, &room) != AT_OK)
        fail_msg("room open: %s", at_error_message());
    at_user u;
    if (at_room_user_get(room, "admin", &u) != AT_OK ||
        at_room_session_open(room, u.id, AT_SESSION_BEARER, AT_STAGE_FULL, 0, token) != AT_OK)
        fail_msg("admin session: %s", at_error_message());
    at_room_close(room);
}

/* Start `atelier-engine serve`; waits for its port. */
static JS_UNUSED void js_serve(js_room *r)
{
    char out[700], log[700];
    snprintf(out, sizeof out, "%s/serve.out", r->base);
    snprintf(log, sizeof log, "%s/serve.log", r->base);
    unlink(out);
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600),
            fl = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(fo, 1);
        dup2(fl, 2);
        char listen[64];
        snprintf(listen, sizeof listen, "127.0.0.1:%d", r->port);
        execl(js_engine(), "atelier-engine", "serve", "--room", r->dir, "--listen", listen, (char *)NULL);
        _exit(127);
    }
    r->server = pid;
    for (int i = 0; i < 300; i++) {
        size_t len = 0;
        unsigned char *d = test_read_file(out, &len);
        int port = 0;
        if (d && sscanf((const char *)d, "listening on %d", &port) == 1 && port > 0) {
            free(d);
            r->port = port;
            snprintf(r->url, sizeof r->url, "https://127.0.0.1:%d", port);
            return;
        }
        free(d);
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            fail_msg("the server exited: see %s", log);
        usleep(50000);
    }
    fail_msg("the server did not start");
}

static JS_UNUSED void js_kill(js_room *r, int sig)
{
    if (r->server > 0) {
        kill(r->server, sig);
        int st;
        waitpid(r->server, &st, 0);
        r->server = 0;
    }
}

/* Wait until no runner of the room is left (their locks free). */
static JS_UNUSED void js_stop(js_room *r)
{
    js_kill(r, SIGTERM);
}

static JS_UNUSED void js_cleanup(js_room *r)
{
    js_stop(r);
    if (!getenv("ATELIER_TEST_KEEP"))
        test_rmtree(r->base);
    free(r->base);
}

/* Run a client command as the holder of token; its output (stdout and
 * stderr merged when merge) in *out (malloc'd); returns the exit code. */
static JS_UNUSED int js_cli(js_room *r, const char *token, char **out, int merge, const char *args)
{
    char *o = NULL;
    int rc = test_run(
        &o, merge,
        "ATELIER_CONFIG_DIR='%s/cfg' ATELIER_SERVER='%s' ATELIER_TOKEN='%s' ATELIER_CACERT='%s' '%s' %s",
        r->base, r->url, token, r->cacert, test_atelier_bin(), args);
    if (out)
        *out = o;
    else
        free(o);
    return rc;
}

/* A job's state through the API (the CLI's --json), in buf. */
static JS_UNUSED void js_state(js_room *r, const char *token, long long id, char *state, size_t cap)
{
    char *o = NULL, args[64];
    snprintf(args, sizeof args, "job show %lld --json", id);
    state[0] = '\0';
    js_cli(r, token, &o, 0, args);
    cJSON *j = o ? cJSON_Parse(o) : NULL;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "job"), "state");
    if (cJSON_IsString(s))
        snprintf(state, cap, "%s", s->valuestring);
    cJSON_Delete(j);
    free(o);
}

/* Write a file under dir. */
static JS_UNUSED void js_file(const char *dir, const char *name, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (test_write_file(p, text, strlen(text)) != 0)
        fail_msg("cannot write %s", p);
}

/* A browser session's cookie value for a user (made in the catalog). */
static JS_UNUSED void js_browser_cookie(js_room *r, const char *user, char cookie[AT_ROOM_TOKEN_MAX])
{
    at_room *room;
    at_user u;
    if (at_room_open(r->dir, &room) != AT_OK || at_room_user_get(room, user, &u) != AT_OK ||
        at_room_session_open(room, u.id, AT_SESSION_BROWSER, AT_STAGE_FULL, 0, cookie) != AT_OK)
        fail_msg("browser session of %s: %s", user, at_error_message());
    at_room_close(room);
}

static size_t js_sink(char *p, size_t s, size_t n, void *ud)
{
    char **b = ud;
    size_t old = *b ? strlen(*b) : 0;
    char *x = realloc(*b, old + s * n + 1);
    if (!x)
        return 0;
    memcpy(x + old, p, s * n);
    x[old + s * n] = '\0';
    *b = x;
    return s * n;
}

/* GET a page with a session cookie; its status, *body malloc'd. */
static JS_UNUSED long js_page(js_room *r, const char *cookie, const char *path, char **body)
{
    CURL *h = curl_easy_init();
    char url[700], hdr[200];
    snprintf(url, sizeof url, "%s%s", r->url, path);
    snprintf(hdr, sizeof hdr, "Cookie: __Host-atelier=%s", cookie);
    struct curl_slist *hl = curl_slist_append(NULL, hdr);
    *body = NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, r->cacert);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, js_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (!*body)
        *body = strdup("");
    return status;
}

/* One integer from the catalog (read-only): sql with one text parameter. */
static JS_UNUSED long long js_sql_int(js_room *r, const char *sql, const char *param)
{
    char p[700];
    snprintf(p, sizeof p, "%s/catalog.db", r->dir);
    sqlite3 *db = NULL;
    long long v = -1;
    if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
            if (param)
                sqlite3_bind_text(s, 1, param, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) == SQLITE_ROW)
                v = sqlite3_column_int64(s, 0);
        }
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return v;
}

/* Audit entries of an action about an object ("job:12"). */
static JS_UNUSED int js_audit_count(js_room *r, const char *action, const char *object)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s' AND object = ?", action);
    return (int)js_sql_int(r, sql, object);
}

#endif
