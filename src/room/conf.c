/* DIR/room.conf: "key = value" lines over documented defaults; '#' starts
 * a comment. An unknown key or a bad value is refused with its line. */
#include "internal.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void at_room_conf_defaults(at_room_conf *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8443");
    snprintf(c->name, sizeof c->name, "atelier");
    snprintf(c->static_dir, sizeof c->static_dir, "/usr/share/javascript");
    c->threads = 4;
    c->max_connections = 512;
    c->per_ip_connections = 64;
    c->connection_timeout_s = 30;
    c->body_max = 65536;
    c->session_idle_s = 30 * 60;
    c->session_absolute_s = 12 * 3600;
    c->token_lifetime_s = 7 * 24 * 3600;
    c->lockout_failures = 5;
    c->lockout_base_s = 60;
    c->lockout_max_s = 3600;
    c->audit_anchor_every = 100;
}

typedef struct {
    const char *key;
    int kind; /* 0 string, 1 int, 2 size */
    size_t offset, size;
    long min, max;
} conf_key;

#define S(k, f)                                                                                              \
    {                                                                                                        \
        k, 0, offsetof(at_room_conf, f), sizeof(((at_room_conf *)0)->f), 0, 0                                \
    }
#define I(k, f, lo, hi)                                                                                      \
    {                                                                                                        \
        k, 1, offsetof(at_room_conf, f), sizeof(int), lo, hi                                                 \
    }
static const conf_key keys[] = {
    S("listen", listen),
    S("name", name),
    S("tls_cert", tls_cert),
    S("tls_key", tls_key),
    S("static_dir", static_dir),
    I("threads", threads, 1, 256),
    I("max_connections", max_connections, 1, 100000),
    I("per_ip_connections", per_ip_connections, 0, 100000),
    I("connection_timeout", connection_timeout_s, 1, 3600),
    {"body_max", 2, offsetof(at_room_conf, body_max), sizeof(size_t), 1024, 16 << 20},
    I("session_idle_minutes", session_idle_s, 1, 24 * 60),
    I("session_absolute_hours", session_absolute_s, 1, 24 * 7),
    I("token_lifetime_days", token_lifetime_s, 1, 365),
    I("lockout_failures", lockout_failures, 1, 100),
    I("lockout_base_seconds", lockout_base_s, 1, 86400),
    I("lockout_max_seconds", lockout_max_s, 1, 7 * 86400),
    I("audit_anchor_every", audit_anchor_every, 1, 100),
};

/* The unit a key's value is written in, in seconds (1 when not a time). */
static long unit_of(const char *key)
{
    if (strstr(key, "_minutes"))
        return 60;
    if (strstr(key, "_hours"))
        return 3600;
    if (strstr(key, "_days"))
        return 86400;
    return 1;
}

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Each "key = value" line of path to fn (room.h). */
at_status at_room_conf_each(const char *path, const char *prefix, int strict, at_room_conf_line_fn fn,
                            void *ud)
{
    unsigned char *text = NULL;
    size_t len = 0;
    at_status st = at_file_read(path, 1 << 20, &text, &len);
    if (st)
        return st;
    size_t plen = strlen(prefix);
    int lineno = 0;
    char *p = (char *)text;
    while (p && *p && !st) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        char *hash = strchr(p, '#');
        if (hash)
            *hash = '\0';
        char *line = trim(p);
        p = nl ? nl + 1 : NULL;
        if (!*line)
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            if (strict)
                st = at_error_set(AT_ERR_FORMAT, "%s: line %d: expected 'key = value'", path, lineno);
            continue;
        }
        *eq = '\0';
        char *key = trim(line), *value = trim(eq + 1);
        if (strncmp(key, prefix, plen))
            continue;
        st = fn(ud, path, lineno, key + plen, value);
    }
    at_free(text);
    return st;
}

/* One line of the room's own settings. */
static at_status room_line(void *ud, const char *path, int lineno, char *key, char *value)
{
    at_room_conf *c = ud;
    if (!strncmp(key, "jobs.", 5))
        return AT_OK; /* the jobs module's settings (at_jobs_conf_read) */
    if (!strncmp(key, "airlock.", 8))
        return AT_OK; /* the airlock's settings (at_airlock_conf_read) */
    if (!strncmp(key, "vault.", 6))
        return AT_OK; /* the vault's settings in the room (at_datasets_conf_read) */
    const conf_key *k = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(keys[i].key, key))
            k = &keys[i];
    if (!k)
        return at_error_set(AT_ERR_FORMAT, "%s: line %d: unknown setting '%.64s'", path, lineno, key);
    char *field = (char *)c + k->offset;
    if (k->kind == 0) {
        if (strlen(value) >= k->size)
            return at_error_set(AT_ERR_FORMAT, "%s: line %d: %s is too long", path, lineno, k->key);
        memcpy(field, value, strlen(value) + 1);
        return AT_OK;
    }
    char *end;
    long v = strtol(value, &end, 10);
    if (!*value || *end || v < k->min || v > k->max)
        return at_error_set(AT_ERR_FORMAT, "%s: line %d: %s must be a whole number in %ld..%ld", path, lineno,
                            k->key, k->min, k->max);
    if (k->kind == 2)
        *(size_t *)field = (size_t)v;
    else
        *(int *)field = (int)(v * unit_of(k->key));
    return AT_OK;
}

at_status at_room_conf_read(const char *path, at_room_conf *c)
{
    return at_room_conf_each(path, "", 1, room_line, c);
}
