/* The HTTP service: libmicrohttpd with GnuTLS, a thread pool, connection
 * limits and timeouts, request bodies bounded; each request is matched to
 * one route, its actor found (a bearer token for the API, the session
 * cookie for pages), a page's form checked for its CSRF token and origin,
 * the route's action decided by at_room_authorize, and only then its
 * handler run. */
#include "internal.h"

#include "atelier/airlock.h"
#include "atelier/datasets.h"
#include "atelier/jobs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct at_web_server {
    at_room *room;
    at_jobs *jobs;
    at_airlock *airlock;
    at_datasets *datasets;
    struct at_classroom *classroom;
    struct MHD_Daemon *daemon;
    int https;
    int port;
    size_t body_max;
    unsigned char *css;
    size_t css_len;
};

typedef struct {
    at_buf body;
    int too_big;
    double start;
} conn_ctx;

at_jobs *web_jobs(web_req *r)
{
    return r->srv->jobs;
}

at_airlock *web_airlock(web_req *r)
{
    return r->srv->airlock;
}

at_datasets *web_datasets(web_req *r)
{
    return r->srv->datasets;
}

struct at_classroom *web_classroom(web_req *r)
{
    return r->srv->classroom;
}

int web_is_upload_path(const char *path)
{
    char params[WEB_PARAMS_MAX][WEB_PARAM_CAP];
    const char *names[WEB_PARAMS_MAX];
    size_t n;
    for (size_t i = 0; i < web_routes_count; i++)
        if (web_routes[i].kind == AT_WEB_UPLOAD &&
            web_path_match(web_routes[i].pattern, path, params, names, &n))
            return 1;
    return 0;
}

const char *web_static_css(web_req *r, size_t *len)
{
    *len = r->srv->css_len;
    return (const char *)r->srv->css;
}

/* ---- request accessors ---- */

const char *web_header(web_req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *web_query(web_req *r, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_param(web_req *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nparams; i++)
        if (!strncmp(r->param_names[i], name, n) && r->param_names[i][n] == '}')
            return r->params[i];
    return NULL;
}

const char *web_field(web_req *r, const char *name)
{
    return web_fields_get(&r->fields, name);
}

char *web_keep(web_req *r, char *owned)
{
    if (!owned)
        return NULL;
    if (r->nscratch >= sizeof r->scratch / sizeof *r->scratch) {
        at_free(owned);
        r->out_error = 1;
        return NULL;
    }
    r->scratch[r->nscratch++] = owned;
    return owned;
}

/* ---- checks before the handler ---- */

/* A state-changing page request must come from our own pages: the
 * browser's Origin equals this server's, or, without Origin, its
 * Sec-Fetch-Site says same-origin; a cross-site Sec-Fetch-Site refuses. */
static int same_origin(web_req *r)
{
    const char *origin = web_header(r, "Origin"), *site = web_header(r, "Sec-Fetch-Site");
    const char *host = web_header(r, "Host");
    if (site && strcmp(site, "same-origin"))
        return 0;
    if (origin) {
        if (!host)
            return 0;
        char want[300];
        snprintf(want, sizeof want, "%s://%s", r->https ? "https" : "http", host);
        return !strcmp(origin, want);
    }
    return site != NULL;
}

static int is_form(web_req *r)
{
    const char *ct = web_header(r, "Content-Type");
    return ct && !strncmp(ct, "application/x-www-form-urlencoded", 33);
}

static int is_json(web_req *r)
{
    const char *ct = web_header(r, "Content-Type");
    return ct && !strncmp(ct, "application/json", 16);
}

static void find_actor(web_req *r)
{
    if (r->route->kind == AT_WEB_API || r->route->kind == AT_WEB_UPLOAD) {
        const char *auth = web_header(r, "Authorization");
        if (auth && !strncmp(auth, "Bearer ", 7))
            at_room_session_lookup(r->room, auth + 7, AT_SESSION_BEARER, &r->actor);
    } else if (r->route->kind == AT_WEB_PAGE) {
        if (web_cookie_get(web_header(r, "Cookie"), WEB_COOKIE, r->cookie, sizeof r->cookie) &&
            r->cookie[0]) {
            if (!strncmp(r->cookie, "atl_", 4))
                at_room_session_lookup(r->room, r->cookie, AT_SESSION_BROWSER, &r->actor);
            at_room_csrf_token(r->room, r->cookie, r->csrf);
        }
    }
    at_error_clear();
}

static void deny(web_req *r, at_decision d)
{
    const char *msg = d == AT_DENY_UNAUTHENTICATED ? "authentication required: log in"
                      : d == AT_DENY_SETUP ? "finish setting up the account first (new password, TOTP)"
                                           : "not allowed";
    int status = d == AT_DENY_UNAUTHENTICATED ? 401 : 403;
    if (r->route->kind == AT_WEB_API || r->route->kind == AT_WEB_UPLOAD)
        web_json_error(r, status, msg);
    else if (d == AT_DENY_UNAUTHENTICATED)
        web_redirect(r, "/login");
    else
        page_error(r, status, msg);
}

static void dispatch(at_web_server *s, web_req *r, conn_ctx *ctx)
{
    const char *method = !strcmp(r->method, "HEAD") ? "GET" : r->method;
    int path_known = 0;
    for (size_t i = 0; i < web_routes_count && !r->route; i++) {
        const web_route *rt = &web_routes[i];
        if (!web_path_match(rt->pattern, r->path, r->params, r->param_names, &r->nparams))
            continue;
        path_known = 1;
        if (!strcmp(rt->method, method))
            r->route = rt;
    }
    int api = !strncmp(r->path, "/api/", 5);
    if (!r->route) {
        r->nparams = 0;
        if (api)
            web_json_error(r, path_known ? 405 : 404, path_known ? "method not allowed" : "no such route");
        else
            page_error(r, path_known ? 405 : 404, path_known ? "Method not allowed." : "No such page.");
        return;
    }
    find_actor(r);
    const char *body = (const char *)ctx->body.data;
    size_t blen = ctx->body.len;
    int writes = strcmp(method, "GET") != 0;
    if (r->route->kind == AT_WEB_PAGE && writes) {
        at_status st = blen && !is_form(r) ? at_error_set(AT_ERR_FORMAT, "a form was expected")
                                           : web_parse_form(body ? body : "", blen, &r->fields);
        const char *given = web_field(r, "csrf");
        if (st) {
            page_error(r, 400, at_error_message());
            return;
        }
        int origin_ok = same_origin(r),
            token_ok = r->cookie[0] && given && at_room_csrf_check(r->room, r->cookie, given);
        if (!origin_ok || !token_ok) {
            at_log(AT_LOG_INFO, "http %s %s: form refused (%s)", r->method, r->path,
                   !origin_ok      ? "origin"
                   : !r->cookie[0] ? "no cookie"
                   : !given        ? "no token"
                                   : "token");
            page_error(r, 403,
                       "The form was refused: its security token or its origin did not match. Reload the "
                       "page and try again.");
            return;
        }
    } else if (r->route->kind == AT_WEB_UPLOAD) {
        r->body = (const unsigned char *)body;
        r->body_len = blen;
    } else if (r->route->kind == AT_WEB_API && writes && blen) {
        at_status st = is_json(r) ? web_parse_json(body, blen, &r->fields)
                                  : at_error_set(AT_ERR_FORMAT, "the body must be application/json");
        if (st) {
            web_json_error(r, st == AT_ERR_LIMIT ? 413 : 400, at_error_message());
            return;
        }
    }
    at_object obj = {.project = web_param(r, "project"), .user = web_param(r, "user")};
    /* a job's routes: the object is the job's project and its owner */
    at_job job;
    const char *job_id = web_param(r, "job");
    if (job_id) {
        char *end;
        long long id = strtoll(job_id, &end, 10);
        if (!s->jobs || !*job_id || *end || id <= 0 || at_jobs_get(s->jobs, id, &job) != AT_OK) {
            at_error_clear();
            if (r->route->kind == AT_WEB_PAGE)
                page_error(r, 404, "No such job.");
            else
                web_json_error(r, 404, s->jobs ? "no such job" : "jobs are not enabled in this room");
            return;
        }
        obj.project = job.project;
        obj.user = job.user;
    }
    /* an export request's routes: its project and author (api_airlock.c) */
    if (web_param(r, "request") && !web_export_object(r, &obj))
        return;
    /* an import's routes: its project and owner (api_datasets.c) */
    if (web_param(r, "import") && !web_import_object(r, &obj))
        return;
    at_decision d = at_room_authorize(s->room, &r->actor, r->route->action, &obj);
    if (d != AT_ALLOW) {
        deny(r, d);
        return;
    }
    r->route->handler(r);
}

/* ---- libmicrohttpd glue ---- */

static void log_request(web_req *r, double ms)
{
    char path[160];
    size_t k = 0;
    for (const char *p = r->path; *p && k + 1 < sizeof path; p++)
        path[k++] = (*p >= 0x21 && *p < 0x7f) ? *p : '?'; /* a path can carry anything: printable only */
    path[k] = '\0';
    at_log(AT_LOG_INFO, "http %s %s %d %s %.1f ms", r->method, path, r->status,
           r->actor.stage != AT_STAGE_NONE ? r->actor.name : "-", ms);
}

static enum MHD_Result queue(struct MHD_Connection *c, web_req *r, int https)
{
    if (r->out_error) {
        at_buf_reset(&r->out);
        r->status = 500;
        r->content_type = "text/plain; charset=utf-8";
        r->out_error = at_buf_puts(&r->out, "internal error\n") != AT_OK;
        r->location[0] = r->set_cookie[0] = '\0';
    }
    if (!r->status)
        r->status = 200;
    size_t len = 0;
    unsigned char *data = at_buf_steal(&r->out, &len);
    struct MHD_Response *resp = NULL;
    if (r->send_fd > 0 && !r->out_error) { /* a file streamed (a release package): the response closes it */
        at_free(data);
        data = NULL;
        resp = MHD_create_response_from_fd64(r->send_len, r->send_fd);
        if (resp)
            r->send_fd = 0;
    } else {
        resp = data ? MHD_create_response_from_buffer_with_free_callback(len, data, at_free)
                    : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) {
        at_free(data);
        return MHD_NO;
    }
    int is_static = r->route && r->route->kind == AT_WEB_STATIC && r->status == 200;
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    MHD_add_response_header(resp, "Cache-Control", is_static ? "public, max-age=86400" : "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'");
    if (https)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (r->disposition)
        MHD_add_response_header(resp, "Content-Disposition", r->disposition);
    if (r->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result refuse(struct MHD_Connection *c, unsigned status, const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void peer_of(struct MHD_Connection *c, char *out, size_t cap)
{
    snprintf(out, cap, "?");
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
    (void)version;
    at_web_server *s = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = at_calloc(1, sizeof *ctx);
        if (!ctx)
            return MHD_NO;
        size_t limit = web_is_upload_path(url) ? WEB_UPLOAD_MAX : s->body_max;
        at_buf_init(&ctx->body, limit);
        ctx->start = at_now_seconds();
        *con_cls = ctx;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno || *end || n > ctx->body.max) {
                at_log(AT_LOG_INFO, "http %s: a body of more than %zu bytes refused", method, ctx->body.max);
                return refuse(c, 413, "{\"error\":\"request body too large\"}\n");
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!ctx->too_big && at_buf_append(&ctx->body, upload, *upload_size) != AT_OK)
            ctx->too_big = 1;
        *upload_size = 0;
        /* a body streamed past the ceiling: the connection is dropped */
        return ctx->too_big ? MHD_NO : MHD_YES;
    }
    web_req *r = at_calloc(1, sizeof *r);
    if (!r)
        return MHD_NO;
    r->srv = s;
    r->room = s->room;
    r->conn = c;
    r->method = method;
    r->path = url;
    r->https = s->https;
    peer_of(c, r->peer, sizeof r->peer);
    at_buf_init(&r->out, WEB_OUT_MAX);
    dispatch(s, r, ctx);
    enum MHD_Result ret = queue(c, r, s->https);
    if (r->send_fd > 0)
        close(r->send_fd); /* not handed to a response */
    log_request(r, (at_now_seconds() - ctx->start) * 1000.0);
    web_fields_free(&r->fields);
    for (size_t i = 0; i < r->nscratch; i++)
        at_free(r->scratch[i]);
    at_buf_free(&r->out);
    sodium_memzero(r, sizeof *r);
    at_free(r);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    if (ctx->body.data)
        memset(ctx->body.data, 0, ctx->body.len); /* bodies carry passwords */
    at_buf_free(&ctx->body);
    at_free(ctx);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    at_log(AT_LOG_DEBUG, "http: %s", msg);
}

/* ---- start and stop ---- */

static at_status parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, int *loopback)
{
    char host[256], port[16];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || strlen(colon + 1) >= sizeof port)
        return at_error_set(AT_ERR_ARG, "listen: '%.100s' is not ADDR:PORT", listen);
    size_t hl = (size_t)(colon - listen);
    if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') {
        listen++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        return at_error_set(AT_ERR_ARG, "listen: address too long");
    memcpy(host, listen, hl);
    host[hl] = '\0';
    snprintf(port, sizeof port, "%s", colon + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV},
                    *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc)
        return at_error_set(AT_ERR_ARG, "listen: %.100s: %s", host, gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    if (ss->ss_family == AF_INET)
        *loopback = (ntohl(((struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    else
        *loopback = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ss)->sin6_addr);
    return AT_OK;
}

static at_status read_pem(const char *dir, const char *conf_path, const char *def, int private_file,
                          char **out)
{
    char *path = conf_path[0] ? at_strdup(conf_path) : at_path_join(dir, def);
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data = NULL;
    size_t len = 0;
    at_status st = at_file_read(path, 1 << 20, &data, &len);
    if (!st && private_file) {
        struct stat sb;
        if (stat(path, &sb) == 0 && (sb.st_mode & 077))
            st = at_error_set(AT_ERR_CRYPTO, "%s: the TLS key can be read by others; chmod 600 it", path);
    }
    at_free(path);
    if (st) {
        at_free(data);
        return st;
    }
    *out = (char *)data;
    return AT_OK;
}

at_status at_web_start(at_room *room, const at_web_options *opt, at_web_server **out)
{
    *out = NULL;
    const at_room_conf *cf = at_room_config(room);
    const char *listen = opt && opt->listen ? opt->listen : cf->listen;
    int insecure = opt && opt->insecure_http;
    struct sockaddr_storage ss;
    socklen_t sl;
    int loopback = 0;
    at_status st = parse_listen(listen, &ss, &sl, &loopback);
    if (st)
        return st;
    if (insecure && !loopback)
        return at_error_set(AT_ERR_ARG, "plain HTTP is only for a loopback address (tests); %s is not one",
                            listen);
    at_web_server *s = at_calloc(1, sizeof *s);
    if (!s)
        return AT_ERR_NOMEM;
    s->room = room;
    s->jobs = opt ? opt->jobs : NULL;
    s->airlock = opt ? opt->airlock : NULL;
    s->datasets = opt ? opt->datasets : NULL;
    s->classroom = opt ? opt->classroom : NULL;
    s->https = !insecure;
    s->body_max = cf->body_max;
    char *cert = NULL, *key = NULL;
    if (s->https) {
        st = read_pem(at_room_dir(room), cf->tls_cert, "tls.crt", 0, &cert);
        if (!st)
            st = read_pem(at_room_dir(room), cf->tls_key, "keys/tls.key", 1, &key);
    }
    /* the stylesheet, from Debian's libjs-bootstrap5 */
    char *css = st ? NULL : at_path_join(cf->static_dir, "bootstrap5/css/bootstrap.min.css");
    if (css && at_file_read(css, 4 << 20, &s->css, &s->css_len) != AT_OK)
        at_log(AT_LOG_WARN, "%s", at_error_message()); /* pages work without their styles */
    at_free(css);
    if (!st) {
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                         (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (s->https ? MHD_USE_TLS : 0);
        s->daemon = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cf->threads, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned int)cf->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
            (unsigned int)cf->per_ip_connections, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned int)cf->connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
            MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_HTTPS_PRIORITIES,
            "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
            s->https ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
            MHD_OPTION_END);
        if (!s->daemon)
            st = at_error_set(AT_ERR_IO, "cannot serve on %s (in use, or not this machine's address?): %s",
                              listen, strerror(errno));
    }
    if (key) {
        memset(key, 0, strlen(key));
        at_free(key);
    }
    at_free(cert);
    if (!st) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
        s->port = di ? di->port : 0;
        char port[16];
        snprintf(port, sizeof port, "%d", s->port);
        char details[300];
        snprintf(details, sizeof details, "{\"listen\":\"%s\",\"https\":%s}", port,
                 s->https ? "true" : "false");
        at_room_audit(room, "room", "room.start", "room", details);
    }
    if (st) {
        at_free(s->css);
        at_free(s);
        return st;
    }
    *out = s;
    return AT_OK;
}

int at_web_port(const at_web_server *s)
{
    return s ? s->port : 0;
}

void at_web_stop(at_web_server *s)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon); /* no new connection from here */
    MHD_stop_daemon(s->daemon);                    /* the requests in progress finish */
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    at_room_audit(s->room, "room", "room.stop", "room", NULL);
    at_free(s->css);
    at_free(s);
}
