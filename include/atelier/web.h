/* atelier web: the room's HTTP service on the head station. One process,
 * libmicrohttpd (GnuTLS inside) with a thread pool, connection limits and
 * timeouts, request bodies bounded; the JSON API under /api/v1 (docs/api.md)
 * and server-rendered pages, every route naming the action that the room's
 * authorisation function decides. */
#ifndef ATELIER_WEB_H
#define ATELIER_WEB_H

#include "atelier/room.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct at_web_server at_web_server;
struct at_jobs;
struct at_airlock;
struct at_datasets;
struct at_classroom;

typedef struct {
    const char *listen;         /* "ADDR:PORT" (port 0: any free port); NULL: the room's setting */
    int insecure_http;          /* plain HTTP: refused unless ADDR is a loopback address (tests) */
    struct at_jobs *jobs;       /* the jobs service (must outlive the server); NULL: job routes answer 503 */
    struct at_airlock *airlock; /* the airlock (must outlive the server); NULL: export routes answer 503 */
    struct at_datasets
        *datasets; /* the vault in the room (must outlive the server); NULL: dataset routes 503 */
    struct at_classroom *classroom; /* courses (must outlive the server); NULL: course routes answer 503 */
} at_web_options;

/* Start serving room (which must outlive the server) in the background
 * worker threads. TLS with DIR/tls.crt and DIR/keys/tls.key (or the
 * room.conf's tls_cert and tls_key). Logs through at_log: one line per
 * request (method, path, status, user, time), never a query, a body, a
 * cookie or a token. *out owned by the caller: at_web_stop. */
at_status at_web_start(at_room *room, const at_web_options *options, at_web_server **out);
/* The port the server listens on. */
int at_web_port(const at_web_server *server);
/* Stop gracefully: no new connection, requests in progress finish, then
 * the workers end. Frees server. NULL is a no-op. */
void at_web_stop(at_web_server *server);

/* Make the room's self-signed certificate with GnuTLS: an ECDSA P-256 key
 * in DIR/keys/tls.key (0600) and DIR/tls.crt naming localhost, 127.0.0.1,
 * ::1, this host's name and, when not NULL, hostname. Valid 3 years. */
at_status at_web_make_certificate(const char *dir, const char *hostname);
/* "sha256//BASE64" of a PEM certificate's public key (libcurl's pinning
 * format); out of at least 64 bytes. */
at_status at_web_certificate_pin(const char *pem, size_t len, char *out, size_t cap);

/* ---- the route table (the authorisation matrix test walks it) ---- */
/* AT_WEB_UPLOAD: an API route (bearer token) whose body its handler reads
 * as it is (a nested JSON job spec, a code archive up to 256 MiB). */
typedef enum { AT_WEB_API = 0, AT_WEB_PAGE, AT_WEB_STATIC, AT_WEB_UPLOAD } at_web_kind;
typedef struct {
    const char *method;  /* "GET", "POST", "DELETE" */
    const char *pattern; /* "/api/v1/projects/{project}/members" */
    at_action action;
    at_web_kind kind;
} at_web_route_info;
size_t at_web_route_count(void);
const at_web_route_info *at_web_route_at(size_t i);

#ifdef __cplusplus
}
#endif
#endif
