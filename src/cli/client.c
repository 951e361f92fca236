/* The CLI's side of a room: the login file (0600), the server's
 * certificate (a CA file, or its public key pinned at first login),
 * prompts, and JSON over libcurl. */
#include "client.h"

#include "atelier/web.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define RESPONSE_MAX (64u << 20)

char *client_login_path(void)
{
    const char *dir = getenv("ATELIER_CONFIG_DIR");
    char *base = NULL;
    if (dir && *dir) {
        base = at_strdup(dir);
    } else {
        const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            base = at_path_join(xdg, "atelier");
        else
            base = at_path_join(home && *home ? home : ".", ".config/atelier");
    }
    if (!base)
        return NULL;
    char *p = at_path_join(base, "login.json");
    at_free(base);
    return p;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

void client_conf_load(client_conf *c)
{
    memset(c, 0, sizeof *c);
    char *path = client_login_path();
    unsigned char *text = NULL;
    size_t len = 0;
    if (path && at_file_read(path, 1 << 16, &text, &len) == AT_OK) {
        cJSON *j = cJSON_ParseWithLength((const char *)text, len);
        copy(c->server, sizeof c->server, client_str(j, "server"));
        copy(c->user, sizeof c->user, client_str(j, "user"));
        copy(c->token, sizeof c->token, client_str(j, "token"));
        copy(c->pin, sizeof c->pin, client_str(j, "pin"));
        copy(c->cacert, sizeof c->cacert, client_str(j, "cacert"));
        cJSON_Delete(j);
        memset(text, 0, len);
    }
    at_free(text);
    at_free(path);
    at_error_clear();
    const char *server = getenv("ATELIER_SERVER"), *token = getenv("ATELIER_TOKEN");
    const char *cacert = getenv("ATELIER_CACERT"), *pin = getenv("ATELIER_PIN");
    if (server && *server && strcmp(server, c->server)) {
        copy(c->server, sizeof c->server, server);
        c->pin[0] = c->cacert[0] = c->token[0] = '\0'; /* the stored ones belong to another server */
    }
    if (token && *token)
        copy(c->token, sizeof c->token, token);
    if (cacert && *cacert)
        copy(c->cacert, sizeof c->cacert, cacert);
    if (pin && *pin)
        copy(c->pin, sizeof c->pin, pin);
}

int client_conf_save(const client_conf *c)
{
    char *path = client_login_path();
    if (!path)
        return cli_fail(AT_ERR_NOMEM);
    char *slash = strrchr(path, '/');
    if (slash) {
        *slash = '\0';
        at_status st = at_mkdir_p(path, 0700);
        *slash = '/';
        if (st) {
            at_free(path);
            return cli_fail(st);
        }
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "server", c->server);
    cJSON_AddStringToObject(j, "user", c->user);
    cJSON_AddStringToObject(j, "token", c->token);
    if (c->pin[0])
        cJSON_AddStringToObject(j, "pin", c->pin);
    if (c->cacert[0])
        cJSON_AddStringToObject(j, "cacert", c->cacert);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    int rc = CLI_OK;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = text ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
    size_t n = text ? strlen(text) : 0;
    if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) != 0 ||
        rename(tmp, path) != 0) {
        fprintf(stderr, "atelier: cannot store the login in %s: %s\n", path, strerror(errno));
        unlink(tmp);
        rc = CLI_FAIL;
    }
    if (fd >= 0)
        close(fd);
    if (text) {
        memset(text, 0, n);
        free(text);
    }
    at_free(path);
    return rc;
}

int client_conf_forget_token(void)
{
    client_conf c;
    char *path = client_login_path();
    int exists = path && access(path, F_OK) == 0;
    at_free(path);
    if (!exists)
        return 0;
    /* the file alone, without the environment's values */
    const char *vars[] = {"ATELIER_SERVER", "ATELIER_TOKEN", "ATELIER_CACERT", "ATELIER_PIN"};
    char *kept[4];
    for (int i = 0; i < 4; i++) {
        const char *v = getenv(vars[i]);
        kept[i] = v ? at_strdup(v) : NULL;
        unsetenv(vars[i]);
    }
    client_conf_load(&c);
    c.token[0] = '\0';
    int rc = client_conf_save(&c);
    for (int i = 0; i < 4; i++)
        if (kept[i]) {
            setenv(vars[i], kept[i], 1);
            at_free(kept[i]);
        }
    return rc == CLI_OK;
}

void client_resp_free(client_resp *r)
{
    if (r->body) {
        memset(r->body, 0, r->len);
        free(r->body);
    }
    cJSON_Delete(r->json);
    memset(r, 0, sizeof *r);
}

typedef struct {
    char *data;
    size_t len, cap;
    int too_big;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t add = size * n;
    if (s->len + add + 1 > RESPONSE_MAX) {
        s->too_big = 1;
        return 0;
    }
    if (s->len + add + 1 > s->cap) {
        size_t cap = (s->len + add + 1) * 2;
        char *d = realloc(s->data, cap);
        if (!d)
            return 0;
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, p, add);
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

static void tls_options(CURL *h, const client_conf *c)
{
    if (!strcmp(c->cacert, CLIENT_SYSTEM_CA)) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L); /* the system's authorities */
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    } else if (c->cacert[0]) {
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    } else if (c->pin[0]) {
        /* a self-signed room certificate: its public key is what we trust */
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, c->pin);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
}

static int request(const client_conf *c, const char *method, const char *path, const cJSON *body,
                   const void *raw, size_t raw_len, const char *raw_type, client_resp *out);

int client_request(const client_conf *c, const char *method, const char *path, const cJSON *body,
                   client_resp *out)
{
    return request(c, method, path, body, NULL, 0, NULL, out);
}

int client_request_raw(const client_conf *c, const char *method, const char *path, const void *data,
                       size_t len, const char *content_type, client_resp *out)
{
    return request(c, method, path, NULL, data, len, content_type, out);
}

static int request(const client_conf *c, const char *method, const char *path, const cJSON *body,
                   const void *raw, size_t raw_len, const char *raw_type, client_resp *out)
{
    memset(out, 0, sizeof *out);
    if (!strncmp(c->server, "https://", 8) && !c->cacert[0] && !c->pin[0]) {
        fprintf(stderr,
                "atelier: no way to check %s's certificate: log in again, or give --cacert FILE or "
                "ATELIER_PIN\n",
                c->server);
        return CLI_FAIL;
    }
    if (strncmp(c->server, "https://", 8) && strncmp(c->server, "http://127.", 11) &&
        strncmp(c->server, "http://localhost", 16) && strncmp(c->server, "http://[::1]", 12)) {
        fprintf(stderr, "atelier: the server must be https://HOST:PORT (plain http only on this machine)\n");
        return CLI_FAIL;
    }
    CURL *h = curl_easy_init();
    if (!h)
        return cli_fail(AT_ERR_NOMEM);
    char url[1200];
    snprintf(url, sizeof url, "%s%s", c->server, path);
    size_t ul = strlen(c->server);
    if (ul && c->server[ul - 1] == '/' && path[0] == '/')
        snprintf(url, sizeof url, "%.*s%s", (int)(ul - 1), c->server, path);
    struct curl_slist *hdr = NULL;
    char auth[200];
    if (c->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hdr = curl_slist_append(hdr, auth);
        memset(auth, 0, sizeof auth);
    }
    hdr = curl_slist_append(hdr, "Accept: application/json");
    char *json = body ? cJSON_PrintUnformatted(body) : NULL;
    if (json) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    } else if (raw) {
        char ct[128];
        snprintf(ct, sizeof ct, "Content-Type: %s", raw_type ? raw_type : "application/octet-stream");
        hdr = curl_slist_append(hdr, ct);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, raw);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)raw_len);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, raw ? 1800L : 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    tls_options(h, c);
    sink s = {0};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "atelier: %s: %s%s\n", c->server, curl_easy_strerror(rc),
                rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH
                    ? " (the server's key changed since the first login: if that is expected, log in again "
                      "with --cacert or --pin)"
                    : "");
        free(s.data);
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
        out->body = s.data ? s.data : calloc(1, 1);
        out->len = s.len;
        out->json = cJSON_ParseWithLength(out->body, out->len);
    }
    if (json) {
        memset(json, 0, strlen(json)); /* it may hold a password */
        free(json);
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? CLI_OK : CLI_FAIL;
}

int client_check(const char *cmd, const client_resp *r)
{
    if (r->status >= 200 && r->status < 300)
        return CLI_OK;
    const char *err = client_str(r->json, "error");
    fprintf(stderr, "atelier %s: %s (HTTP %ld)\n", cmd, err ? err : "the server refused", r->status);
    return CLI_FAIL;
}

int client_system_trusted(const char *server)
{
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    char url[1200];
    snprintf(url, sizeof url, "%s/api/v1/health", server);
    sink s = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    int ok = curl_easy_perform(h) == CURLE_OK;
    free(s.data);
    curl_easy_cleanup(h);
    return ok;
}

int client_fetch_pin(const char *server, char *pin, size_t cap)
{
    CURL *h = curl_easy_init();
    if (!h)
        return cli_fail(AT_ERR_NOMEM);
    char url[1200];
    snprintf(url, sizeof url, "%s/api/v1/health", server);
    sink s = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L); /* fetching the certificate to pin it, nothing sent */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(h);
    int ret = CLI_FAIL;
    struct curl_certinfo *ci = NULL;
    if (rc != CURLE_OK) {
        fprintf(stderr, "atelier: %s: %s\n", server, curl_easy_strerror(rc));
    } else if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1) {
        fprintf(stderr, "atelier: %s sent no certificate to pin\n", server);
    } else {
        for (struct curl_slist *e = ci->certinfo[0]; e; e = e->next)
            if (!strncmp(e->data, "Cert:", 5)) {
                if (at_web_certificate_pin(e->data + 5, strlen(e->data + 5), pin, cap) == AT_OK)
                    ret = CLI_OK;
                else
                    cli_fail(AT_ERR_CRYPTO);
                break;
            }
        if (ret != CLI_OK && !at_error_message()[0])
            fprintf(stderr, "atelier: cannot read %s's certificate\n", server);
    }
    free(s.data);
    curl_easy_cleanup(h);
    return ret;
}

int client_prompt(const char *prompt, int secret, char *out, size_t cap)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s", prompt);
        fflush(stderr);
        if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            secret = 0;
        }
    }
    int ok = fgets(out, (int)cap, stdin) != NULL;
    if (tty && secret) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok) {
        fprintf(stderr, "atelier: no answer to '%s'\n", prompt);
        return CLI_FAIL;
    }
    size_t n = strlen(out);
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return CLI_OK;
}

const char *client_str(const cJSON *o, const char *key)
{
    const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void client_print_json(const client_resp *r)
{
    fwrite(r->body, 1, r->len, stdout);
    if (r->len && r->body[r->len - 1] != '\n')
        fputc('\n', stdout);
}

int client_common_option(client_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--json")) {
        o->json = 1;
        return 1;
    }
    if (!strcmp(a, "--server") && next) {
        o->server = next;
        (*i)++;
        return 1;
    }
    if (!strcmp(a, "--cacert") && next) {
        o->cacert = next;
        (*i)++;
        return 1;
    }
    return 0;
}

int client_setup(const char *cmd, const client_opts *o, client_conf *c, int need_token)
{
    client_conf_load(c);
    if (o->server && strcmp(o->server, c->server)) {
        copy(c->server, sizeof c->server, o->server);
        c->pin[0] = c->token[0] = '\0';
        const char *token = getenv("ATELIER_TOKEN");
        if (token && *token)
            copy(c->token, sizeof c->token, token);
    }
    if (o->cacert) {
        char *abs = at_path_canonical(o->cacert);
        copy(c->cacert, sizeof c->cacert, abs ? abs : o->cacert);
        at_free(abs);
    }
    if (!c->server[0])
        return cli_usage_error(cmd,
                               "no room server: run 'atelier login https://HOST:PORT' or set ATELIER_SERVER");
    if (need_token && !c->token[0])
        return cli_usage_error(cmd, "not logged in: run 'atelier login' or set ATELIER_TOKEN");
    return CLI_OK;
}

/* ---- a download streamed to a file ---- */

typedef struct {
    CURL *h;
    at_atomic_file *file;
    sink err;
    int ok;     /* a 2xx answer: the body goes to the file */
    int failed; /* a write failed */
    uint64_t bytes;
} download_sink;

static size_t on_download(char *p, size_t size, size_t n, void *ud)
{
    download_sink *d = ud;
    size_t add = size * n;
    long status = 0;
    curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &status);
    d->ok = status >= 200 && status < 300;
    if (!d->ok)
        return on_data(p, size, n, &d->err);
    if (at_atomic_write(d->file, p, add) != AT_OK) {
        d->failed = 1;
        return 0;
    }
    d->bytes += add;
    return add;
}

int client_download(const client_conf *c, const char *path, const char *dest, client_resp *out,
                    uint64_t *bytes)
{
    memset(out, 0, sizeof *out);
    *bytes = 0;
    if (!strncmp(c->server, "https://", 8) && !c->cacert[0] && !c->pin[0]) {
        fprintf(stderr, "atelier: no way to check %s's certificate: log in again, or give --cacert FILE\n",
                c->server);
        return CLI_FAIL;
    }
    download_sink d = {0};
    if (at_atomic_open(dest, &d.file) != AT_OK)
        return cli_fail(AT_ERR_IO);
    d.h = curl_easy_init();
    if (!d.h) {
        at_atomic_abort(d.file);
        return cli_fail(AT_ERR_NOMEM);
    }
    char url[1200], auth[200];
    snprintf(url, sizeof url, "%s%s", c->server, path);
    struct curl_slist *hdr = NULL;
    if (c->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hdr = curl_slist_append(hdr, auth);
        memset(auth, 0, sizeof auth);
    }
    curl_easy_setopt(d.h, CURLOPT_URL, url);
    curl_easy_setopt(d.h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(d.h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(d.h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(d.h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(d.h, CURLOPT_TIMEOUT, 3600L);
    curl_easy_setopt(d.h, CURLOPT_NOSIGNAL, 1L);
    tls_options(d.h, c);
    curl_easy_setopt(d.h, CURLOPT_WRITEFUNCTION, on_download);
    curl_easy_setopt(d.h, CURLOPT_WRITEDATA, &d);
    CURLcode rc = curl_easy_perform(d.h);
    curl_easy_getinfo(d.h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(d.h);
    int good = rc == CURLE_OK && out->status >= 200 && out->status < 300 && !d.failed;
    if (good && at_atomic_commit(d.file) != AT_OK) {
        d.file = NULL;
        free(d.err.data);
        return cli_fail(AT_ERR_IO);
    }
    if (!good)
        at_atomic_abort(d.file);
    if (rc != CURLE_OK && !d.err.len) {
        fprintf(stderr, "atelier: %s: %s\n", c->server,
                d.failed ? "cannot write the file" : curl_easy_strerror(rc));
        free(d.err.data);
        return CLI_FAIL;
    }
    out->body = d.err.data ? d.err.data : calloc(1, 1);
    out->len = d.err.len;
    out->json = out->len ? cJSON_ParseWithLength(out->body, out->len) : NULL;
    *bytes = d.bytes;
    return CLI_OK;
}
