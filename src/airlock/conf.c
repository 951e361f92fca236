/* The airlock.* settings of room.conf (the room's own reader skips them):
 * thresholds, the type allow-list, size limits, reviewers and the
 * designated output checkers. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void at_airlock_conf_defaults(at_airlock_conf *c)
{
    memset(c, 0, sizeof *c);
    c->threshold = 10;         /* SACRO/ACRO's safe_threshold; SATRE leaves it to the centre */
    c->round_base = 5;         /* OpenSAFELY: counts rounded to the nearest 5 */
    c->digit_run = 5;          /* the risk trainer's rule: no run of 5 digits in a kept term */
    c->model_min_patients = 5; /* the risk trainer keeps a term held by at least 5 patients */
    c->file_max = 100ull << 20;
    c->request_max = 1ull << 30;
    c->reviewers = 2;
    snprintf(c->types, sizeof c->types, "csv,tsv,json,txt,log,png,svg,pdf,safetensors,atrisk");
}

static int whole(const char *v, long lo, long hi, long *out)
{
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

/* A comma-separated list of names ("a, b,c" -> "a,b,c"), each checked. */
static int name_list(const char *v, char *out, size_t cap, int identifiers)
{
    size_t k = 0;
    out[0] = '\0';
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (!n)
            break;
        char word[AT_ROOM_NAME_MAX + 1];
        if (n > AT_ROOM_NAME_MAX)
            return 0;
        memcpy(word, p, n);
        word[n] = '\0';
        if (identifiers ? !at_room_name_valid(word) : 0)
            return 0;
        for (size_t i = 0; !identifiers && i < n; i++)
            if (!isalnum((unsigned char)word[i]))
                return 0;
        if (k + n + 2 > cap)
            return 0;
        if (k)
            out[k++] = ',';
        memcpy(out + k, word, n);
        k += n;
        out[k] = '\0';
        p += n;
    }
    return 1;
}

static int in_list(const char *list, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (!n)
        return 0;
    for (const char *p = list; *p;) {
        size_t m = strcspn(p, ",");
        if (m == n && !strncmp(p, name, n))
            return 1;
        p += m;
        if (*p == ',')
            p++;
    }
    return 0;
}

int at_airlock_type_allowed(const at_airlock_conf *c, const char *type)
{
    return in_list(c->types, type);
}

int at_airlock_conf_is_checker(const at_airlock_conf *c, const char *user)
{
    return in_list(c->checkers, user);
}

int at_airlock_threshold(const at_airlock_conf *c, const char *project)
{
    for (size_t i = 0; project && i < c->project_count; i++)
        if (!strcmp(c->projects[i].project, project))
            return c->projects[i].threshold;
    return c->threshold;
}

static at_status set(at_airlock_conf *c, const char *key, const char *value, const char *path, int line)
{
    long v;
    if (!strcmp(key, "threshold") || !strcmp(key, "round_base") || !strcmp(key, "digit_run") ||
        !strcmp(key, "reviewers") || !strcmp(key, "model_min_patients")) {
        long lo = !strcmp(key, "reviewers") ? 2 : 1, hi = !strcmp(key, "reviewers") ? 5 : 1000;
        if (!whole(value, lo, hi, &v))
            return at_error_set(AT_ERR_FORMAT, "%s: line %d: airlock.%s must be a whole number in %ld..%ld",
                                path, line, key, lo, hi);
        *(!strcmp(key, "threshold")            ? &c->threshold
          : !strcmp(key, "round_base")         ? &c->round_base
          : !strcmp(key, "digit_run")          ? &c->digit_run
          : !strcmp(key, "model_min_patients") ? &c->model_min_patients
                                               : &c->reviewers) = (int)v;
        return AT_OK;
    }
    if (!strcmp(key, "file_max_mb") || !strcmp(key, "request_max_mb")) {
        if (!whole(value, 1, 1 << 20, &v))
            return at_error_set(AT_ERR_FORMAT, "%s: line %d: airlock.%s must be a whole number of MiB", path,
                                line, key);
        *(!strcmp(key, "file_max_mb") ? &c->file_max : &c->request_max) = (uint64_t)v << 20;
        return AT_OK;
    }
    if (!strcmp(key, "types")) {
        if (!name_list(value, c->types, sizeof c->types, 0))
            return at_error_set(AT_ERR_FORMAT, "%s: line %d: airlock.types: a comma-separated list of types",
                                path, line);
        return AT_OK;
    }
    if (!strcmp(key, "checkers")) {
        if (!name_list(value, c->checkers, sizeof c->checkers, 1))
            return at_error_set(AT_ERR_FORMAT,
                                "%s: line %d: airlock.checkers: a comma-separated list of users", path, line);
        return AT_OK;
    }
    if (!strncmp(key, "threshold.", 10)) {
        const char *project = key + 10;
        if (!at_room_name_valid(project) || !whole(value, 1, 1000, &v))
            return at_error_set(AT_ERR_FORMAT, "%s: line %d: airlock.threshold.PROJECT = a number in 1..1000",
                                path, line);
        size_t i = 0;
        while (i < c->project_count && strcmp(c->projects[i].project, project))
            i++;
        if (i == AT_AIRLOCK_PROJECTS_MAX)
            return at_error_set(AT_ERR_LIMIT, "%s: line %d: more than %d per-project airlock settings", path,
                                line, AT_AIRLOCK_PROJECTS_MAX);
        snprintf(c->projects[i].project, sizeof c->projects[i].project, "%s", project);
        c->projects[i].threshold = (int)v;
        if (i == c->project_count)
            c->project_count++;
        return AT_OK;
    }
    return at_error_set(AT_ERR_FORMAT, "%s: line %d: unknown setting 'airlock.%.64s'", path, line, key);
}

/* One "airlock." line of room.conf (the prefix taken off key). */
static at_status airlock_line(void *ud, const char *path, int lineno, char *key, char *value)
{
    return set(ud, key, value, path, lineno);
}

at_status at_airlock_conf_read(const char *path, at_airlock_conf *c)
{
    /* no room.conf: the defaults (any other failure to read it is one) */
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return AT_OK;
    return at_room_conf_each(path, "airlock.", 0, airlock_line, c);
}
