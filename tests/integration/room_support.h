/* Helpers of the room's integration tests: a room served in this process
 * over HTTPS on a free loopback port, a settable clock, HTTP requests with
 * libcurl (status, Location, Set-Cookie, body), log capture. Header only:
 * each test includes it once. */
#ifndef ATELIER_TEST_ROOM_SUPPORT_H
#define ATELIER_TEST_ROOM_SUPPORT_H

#include "support.h"

#include "atelier/airlock.h"
#include "atelier/datasets.h"
#include "atelier/classroom.h"
#include "atelier/jobs.h"
#include "atelier/room.h"
#include "atelier/web.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RS_UNUSED __attribute__((unused))

static time_t rs_offset;
static RS_UNUSED time_t rs_clock(void)
{
    return time(NULL) + rs_offset;
}

/* ---- the server's log, kept to be searched ---- */
static pthread_mutex_t rs_log_mu = PTHREAD_MUTEX_INITIALIZER;
static char *rs_log;
static size_t rs_log_len;

static RS_UNUSED void rs_log_fn(void *ud, at_log_level level, const char *msg)
{
    (void)ud;
    (void)level;
    pthread_mutex_lock(&rs_log_mu);
    size_t n = strlen(msg);
    char *p = realloc(rs_log, rs_log_len + n + 2);
    if (p) {
        rs_log = p;
        memcpy(rs_log + rs_log_len, msg, n);
        rs_log[rs_log_len + n] = '\n';
        rs_log_len += n + 1;
        rs_log[rs_log_len] = '\0';
    }
    pthread_mutex_unlock(&rs_log_mu);
}

typedef struct {
    char *base_dir; /* the temporary folder */
    char dir[600];  /* the room */
    char url[128];  /* https://127.0.0.1:PORT */
    char cacert[700];
    at_room *room;
    at_jobs *jobs;           /* opened, its thread not started: jobs wait queued */
    at_airlock *airlock;     /* over the room's file source */
    at_datasets *datasets;   /* the vault in the room, its import workers running */
    at_classroom *classroom; /* its thread not started: at_classroom_tick scores */
    at_web_server *srv;
    char admin_otp[AT_ROOM_OTP_MAX];
} rs_room;

/* A room in a new folder with extra room.conf lines, served over HTTPS. */
static RS_UNUSED void rs_start(rs_room *r, const char *conf_extra)
{
    memset(r, 0, sizeof *r);
    r->base_dir = test_mkdtemp();
    snprintf(r->dir, sizeof r->dir, "%s/room", r->base_dir);
    at_room_init_result res;
    if (at_room_init(r->dir, "admin", &res) != AT_OK)
        fail_msg("room init: %s", at_error_message());
    memcpy(r->admin_otp, res.password, sizeof r->admin_otp);
    if (at_web_make_certificate(r->dir, NULL) != AT_OK)
        fail_msg("certificate: %s", at_error_message());
    if (conf_extra) {
        char p[700];
        snprintf(p, sizeof p, "%s/room.conf", r->dir);
        FILE *f = fopen(p, "a");
        fputs(conf_extra, f);
        fclose(f);
    }
    snprintf(r->cacert, sizeof r->cacert, "%s/tls.crt", r->dir);
    if (at_room_open(r->dir, &r->room) != AT_OK)
        fail_msg("room open: %s", at_error_message());
    if (at_jobs_open(r->room, &r->jobs) != AT_OK)
        fail_msg("jobs open: %s", at_error_message());
    at_airlock_source src;
    if (at_airlock_source_room(r->room, r->jobs, &src) != AT_OK ||
        at_airlock_open(r->room, &src, &r->airlock) != AT_OK)
        fail_msg("airlock open: %s", at_error_message());
    if (at_datasets_open(r->room, r->jobs, &r->datasets) != AT_OK)
        fail_msg("datasets open: %s", at_error_message());
    if (at_classroom_open(r->room, r->jobs, &r->classroom) != AT_OK)
        fail_msg("classroom open: %s", at_error_message());
    at_web_options o = {.listen = "127.0.0.1:0",
                        .jobs = r->jobs,
                        .airlock = r->airlock,
                        .datasets = r->datasets,
                        .classroom = r->classroom};
    if (at_web_start(r->room, &o, &r->srv) != AT_OK)
        fail_msg("web start: %s", at_error_message());
    snprintf(r->url, sizeof r->url, "https://127.0.0.1:%d", at_web_port(r->srv));
}

static RS_UNUSED void rs_stop(rs_room *r)
{
    at_web_stop(r->srv);
    at_datasets_close(r->datasets);
    at_classroom_close(r->classroom);
    at_airlock_close(r->airlock);
    at_jobs_close(r->jobs);
    at_room_close(r->room);
    test_rmtree(r->base_dir);
    free(r->base_dir);
}

/* ---- HTTP ---- */
typedef struct {
    long status;
    char location[512];
    char set_cookie[512];
    char content_type[128];
    char *body;
    size_t len;
} rs_resp;

static size_t rs_body_cb(char *p, size_t s, size_t n, void *ud)
{
    rs_resp *r = ud;
    char *b = realloc(r->body, r->len + s * n + 1);
    if (!b)
        return 0;
    r->body = b;
    memcpy(r->body + r->len, p, s * n);
    r->len += s * n;
    r->body[r->len] = '\0';
    return s * n;
}

static size_t rs_header_cb(char *p, size_t s, size_t n, void *ud)
{
    rs_resp *r = ud;
    size_t len = s * n;
    char line[1024];
    size_t k = len < sizeof line - 1 ? len : sizeof line - 1;
    memcpy(line, p, k);
    line[k] = '\0';
    while (k && (line[k - 1] == '\r' || line[k - 1] == '\n'))
        line[--k] = '\0';
    if (!strncasecmp(line, "Location: ", 10))
        snprintf(r->location, sizeof r->location, "%s", line + 10);
    else if (!strncasecmp(line, "Set-Cookie: ", 12))
        snprintf(r->set_cookie, sizeof r->set_cookie, "%s", line + 12);
    else if (!strncasecmp(line, "Content-Type: ", 14))
        snprintf(r->content_type, sizeof r->content_type, "%s", line + 14);
    return len;
}

static CURL *rs_curl;

/* One request; headers: NULL-terminated list of "Name: value". */
static RS_UNUSED long rs_http(const rs_room *room, const char *method, const char *path,
                              const char *const *headers, const char *body, rs_resp *out)
{
    memset(out, 0, sizeof *out);
    if (!rs_curl)
        rs_curl = curl_easy_init();
    CURL *h = rs_curl;
    curl_easy_reset(h);
    char url[1024];
    snprintf(url, sizeof url, "%s%s", room->url, path);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_CAINFO, room->cacert);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, rs_body_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, rs_header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    if (!out->body)
        out->body = calloc(1, 1);
    return out->status;
}

static RS_UNUSED void rs_free(rs_resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* A string field of a JSON body (malloc'd) or NULL. */
static RS_UNUSED char *rs_json_str(const char *body, const char *key)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    char *s = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(j);
    return s;
}

/* The value of the session cookie in a Set-Cookie header (static buffer). */
static RS_UNUSED const char *rs_cookie_value(const char *set_cookie)
{
    static char v[256];
    v[0] = '\0';
    const char *p = strstr(set_cookie, "__Host-atelier=");
    if (p) {
        p += 15;
        size_t n = strcspn(p, ";");
        snprintf(v, sizeof v, "%.*s", (int)n, p);
    }
    return v;
}

/* A user whose TOTP is enrolled and password set; secret receives the
 * TOTP key. Moves the clock past the steps it used. */
static RS_UNUSED int64_t rs_full_user(rs_room *r, const char *name, unsigned roles, const char *password,
                                      char secret[AT_ROOM_TOTP_SECRET_MAX])
{
    char otp[AT_ROOM_OTP_MAX], uri[AT_ROOM_URI_MAX], code[7];
    int64_t id;
    if (at_room_user_create(r->room, "admin", name, roles, "", otp, &id) != AT_OK)
        fail_msg("create %s: %s", name, at_error_message());
    char tok[AT_ROOM_TOKEN_MAX];
    at_actor a;
    at_room_session_open(r->room, id, AT_SESSION_BEARER, AT_STAGE_SETUP, AT_MUST_PASSWORD | AT_MUST_MFA, tok);
    at_room_session_lookup(r->room, tok, AT_SESSION_BEARER, &a);
    if (at_room_password_change(r->room, &a, NULL, password) != AT_OK ||
        at_room_mfa_enrol(r->room, &a, 0, secret, uri) != AT_OK)
        fail_msg("setup %s: %s", name, at_error_message());
    at_room_totp_code(secret, at_room_now(), code);
    if (at_room_mfa_confirm(r->room, &a, code) != AT_OK)
        fail_msg("confirm %s: %s", name, at_error_message());
    rs_offset += 30;
    return id;
}

#endif
