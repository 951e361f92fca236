/* The CLI as a client of a room: where the login is kept, the server's
 * certificate pin, prompts, and JSON requests over libcurl. */
#ifndef ATELIER_CLI_CLIENT_H
#define ATELIER_CLI_CLIENT_H

#include "cli.h"

#include <cjson/cJSON.h>

typedef struct {
    char server[512]; /* https://host:port (or http://127.0.0.1:port for tests) */
    char user[72];
    char token[128];
    char pin[128];     /* "sha256//BASE64" of the server's public key */
    char cacert[1024]; /* a CA file to verify the server with, instead of a pin */
} client_conf;

/* The login file: $ATELIER_CONFIG_DIR, else $XDG_CONFIG_HOME/atelier, else
 * ~/.config/atelier; file login.json (0600). Owned by caller. */
char *client_login_path(void);
/* The stored login, then ATELIER_SERVER, ATELIER_TOKEN, ATELIER_CACERT and
 * ATELIER_PIN over it (a stored pin is kept only for its own server). */
void client_conf_load(client_conf *c);
/* Store c (0600, atomically). 0 on success (message printed otherwise). */
int client_conf_save(const client_conf *c);
/* 1 when the stored file exists and its token was erased. */
int client_conf_forget_token(void);

typedef struct {
    long status;
    char *body; /* NUL-terminated, owned (free) */
    size_t len;
    cJSON *json; /* parsed body or NULL (cJSON_Delete) */
} client_resp;
void client_resp_free(client_resp *r);

/* One request: method, path (under the server), a JSON body or NULL; the
 * token as a bearer when set. Returns 0 when an HTTP answer came back
 * (any status), else prints why and returns CLI_FAIL. */
int client_request(const client_conf *c, const char *method, const char *path, const cJSON *body,
                   client_resp *out);
/* The same with a body of bytes (an upload) of the given content type. */
int client_request_raw(const client_conf *c, const char *method, const char *path, const void *data,
                       size_t len, const char *content_type, client_resp *out);
/* A GET whose 2xx body is written to dest (atomically: the whole file or
 * none); on another status the body is kept in out for its error. 0 when
 * an answer came back. */
int client_download(const client_conf *c, const char *path, const char *dest, client_resp *out,
                    uint64_t *bytes);
/* On an error answer print "atelier CMD: <error> (HTTP N)" and return
 * CLI_FAIL; CLI_OK on 2xx. */
int client_check(const char *cmd, const client_resp *r);
/* cacert's value when the system's authorities vouch for the server. */
#define CLIENT_SYSTEM_CA "@system"
/* 1 when the server's certificate verifies with the system's authorities. */
int client_system_trusted(const char *server);
/* The server's certificate key pin, fetched without verification (to be
 * trusted on first use). 0 on success. */
int client_fetch_pin(const char *server, char *pin, size_t cap);

/* Prompt on the terminal (echo off when secret) or read a line of stdin
 * when it is not a terminal. 0 on success. */
int client_prompt(const char *prompt, int secret, char *out, size_t cap);
/* A string field of a JSON object, or NULL. */
const char *client_str(const cJSON *o, const char *key);
/* Print the response body as it is (for --json). */
void client_print_json(const client_resp *r);

/* Common options of client commands: --json, --server URL, --cacert FILE.
 * Consumes argv[i] (and its value); 1 when it was one of them. */
typedef struct {
    int json;
    const char *server;
    const char *cacert;
} client_opts;
int client_common_option(client_opts *o, int argc, char **argv, int *i);
/* Load the configuration with the options over it; CLI_USAGE when no
 * server or no token is known. */
int client_setup(const char *cmd, const client_opts *o, client_conf *c, int need_token);

#endif
