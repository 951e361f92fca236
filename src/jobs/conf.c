/* The jobs.* settings of room.conf (the room's own reader skips them). */
#include "internal.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void at_jobs_conf_defaults(at_jobs_conf *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->executor, sizeof c->executor, "local");
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    c->cores = n > 0 ? (int)n : 1;
    glob_t g;
    if (glob("/dev/nvidia[0-9]*", 0, NULL, &g) == 0) {
        c->gpus = (int)(g.gl_pathc < AT_JOBS_GPUS_MAX ? g.gl_pathc : AT_JOBS_GPUS_MAX);
        globfree(&g);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    c->memory_mb = pages > 0 && page > 0 ? (int64_t)pages / 1024 * page / 1024 * 3 / 4 : 4096;
    snprintf(c->bwrap, sizeof c->bwrap, "/usr/bin/bwrap");
    c->sandbox = 1;
    c->slurm_max_pending = 64;
    c->slurm_accounts = 1;
    c->default_time = 3600;
    c->max_time = 7 * 86400;
    c->max_attempts = 3;
    c->half_life_s = 7 * 86400.0;
    c->gpu_weight = 8;
    c->weight_fairshare = 10000;
    c->weight_age = 1000;
    c->max_age_s = 7 * 86400.0;
    c->tick_ms = 200;
    c->log_max = 16 << 20;
    c->processes = 512;
}

static int number(const char *v, double lo, double hi, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

double jobs_named_value(const jobs_names *n, const char *kind, const char *name, const char *what,
                        double dflt)
{
    for (size_t i = 0; n && i < n->n; i++)
        if (!strcmp(n->v[i].kind, kind) && !strcmp(n->v[i].name, name) && !strcmp(n->v[i].what, what))
            return n->v[i].value;
    return dflt;
}

/* jobs.share.KIND.NAME or jobs.quota.KIND.NAME.WHAT */
static at_status named_key(const char *key, const char *value, jobs_names *named, const char *path, int line)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s", key);
    char *kind = buf + (strncmp(buf, "share.", 6) ? 6 : 6), *what = NULL;
    int share = !strncmp(buf, "share.", 6);
    char *name = strchr(kind, '.');
    if (!name)
        return at_error_set(AT_ERR_FORMAT, "%s: line %d: expected jobs.%s.user.NAME", path, line,
                            share ? "share" : "quota");
    *name++ = '\0';
    if (!share) {
        what = strrchr(name, '.');
        if (!what)
            return at_error_set(AT_ERR_FORMAT, "%s: line %d: expected jobs.quota.user.NAME.core_hours", path,
                                line);
        *what++ = '\0';
    }
    if ((strcmp(kind, "user") && strcmp(kind, "project")) || !at_room_name_valid(name))
        return at_error_set(AT_ERR_FORMAT, "%s: line %d: jobs.%s: 'user' or 'project' and a name", path, line,
                            share ? "share" : "quota");
    if (!share && strcmp(what, "core_hours") && strcmp(what, "gpu_hours") && strcmp(what, "concurrent") &&
        strcmp(what, "queued"))
        return at_error_set(
            AT_ERR_FORMAT, "%s: line %d: a quota is core_hours, gpu_hours, concurrent or queued", path, line);
    double v;
    if (!number(value, share ? 0.001 : 0, 1e9, &v))
        return at_error_set(AT_ERR_FORMAT, "%s: line %d: %s must be a number%s", path, line, key,
                            share ? " above 0" : " (0: none)");
    if (named->n >= JOBS_NAMED_MAX)
        return at_error_set(AT_ERR_LIMIT, "%s: line %d: more than %d shares and quotas", path, line,
                            JOBS_NAMED_MAX);
    jobs_named *e = &named->v[named->n++];
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->what, sizeof e->what, "%s", share ? "share" : what);
    e->value = v;
    return AT_OK;
}

typedef struct {
    at_jobs_conf *c;
    jobs_names *named;
} conf_read;

/* One "jobs." line of room.conf (the prefix taken off key). */
static at_status jobs_line(void *ud, const char *path, int lineno, char *key, char *value)
{
    conf_read *r = ud;
    at_jobs_conf *c = r->c;
    jobs_names *named = r->named;
    at_status st = AT_OK;
    double v = 0;
#define STR(k, f)                                                                                            \
    else if (!strcmp(key, k))                                                                                \
    {                                                                                                        \
        if (strlen(value) >= sizeof c->f)                                                                    \
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: jobs.%s is too long", path, lineno, k);           \
        else                                                                                                 \
            snprintf(c->f, sizeof c->f, "%s", value);                                                        \
    }
#define NUM(k, f, lo, hi, T)                                                                                 \
    else if (!strcmp(key, k))                                                                                \
    {                                                                                                        \
        if (!number(value, lo, hi, &v))                                                                      \
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: jobs.%s must be a number in %g..%g", path,        \
                              lineno, k, (double)(lo), (double)(hi));                                        \
        else                                                                                                 \
            c->f = (T)v;                                                                                     \
    }
#define DUR(k, f)                                                                                            \
    else if (!strcmp(key, k))                                                                                \
    {                                                                                                        \
        int64_t d = at_job_parse_duration(value);                                                            \
        if (d < 0)                                                                                           \
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: jobs.%s must be a duration (90s, 30m, 2h, 7d)",   \
                              path, lineno, k);                                                              \
        else                                                                                                 \
            c->f = d;                                                                                        \
    }
    if (!strncmp(key, "share.", 6) || !strncmp(key, "quota.", 6)) {
        if (named)
            st = named_key(key, value, named, path, lineno);
    }
    STR("executor", executor)
    NUM("cores", cores, 1, 65536, int)
    NUM("gpus", gpus, 0, AT_JOBS_GPUS_MAX, int)
    NUM("memory_mb", memory_mb, 64, 1e9, int64_t)
    STR("engine", engine)
    STR("scratch", scratch)
    STR("bwrap", bwrap)
    NUM("sandbox", sandbox, 0, 1, int)
    STR("slurm_partition", slurm_partition)
    STR("slurm_bin", slurm_bin)
    NUM("slurm_max_pending", slurm_max_pending, 1, 100000, int)
    NUM("slurm_accounts", slurm_accounts, 0, 1, int)
    DUR("default_time", default_time)
    DUR("max_time", max_time)
    NUM("max_attempts", max_attempts, 1, 100, int)
    NUM("half_life_days", half_life_s, 0.01, 3650, double)
    NUM("gpu_weight", gpu_weight, 0, 1e6, double)
    NUM("weight_fairshare", weight_fairshare, 0, 1e9, double)
    NUM("weight_age", weight_age, 0, 1e9, double)
    NUM("max_age_days", max_age_s, 0.001, 3650, double)
    NUM("tick_ms", tick_ms, 10, 60000, int)
    NUM("log_max_mb", log_max, 1, 65536, int64_t)
    NUM("processes", processes, 16, 1000000, int)
    NUM("user_core_hours", user_core_hours, 0, 1e9, double)
    NUM("user_gpu_hours", user_gpu_hours, 0, 1e9, double)
    NUM("project_core_hours", project_core_hours, 0, 1e9, double)
    NUM("project_gpu_hours", project_gpu_hours, 0, 1e9, double)
    NUM("user_concurrent", user_concurrent, 0, 1e6, int)
    NUM("user_queued", user_queued, 0, 1e6, int)
    NUM("project_concurrent", project_concurrent, 0, 1e6, int)
    NUM("project_queued", project_queued, 0, 1e6, int)
    else st = at_error_set(AT_ERR_FORMAT, "%s: line %d: unknown setting 'jobs.%.64s'", path, lineno, key);
#undef STR
#undef NUM
#undef DUR
    if (!st && !strcmp(key, "half_life_days"))
        c->half_life_s *= 86400;
    if (!st && !strcmp(key, "max_age_days"))
        c->max_age_s *= 86400;
    if (!st && !strcmp(key, "log_max_mb"))
        c->log_max <<= 20;
    return st;
}

at_status jobs_conf_read_all(const char *path, at_jobs_conf *c, jobs_names *named)
{
    conf_read r = {c, named};
    at_status st = at_room_conf_each(path, "jobs.", 0, jobs_line, &r);
    if (!st && strcmp(c->executor, "local") && strcmp(c->executor, "slurm") && strcmp(c->executor, "none"))
        st = at_error_set(AT_ERR_FORMAT, "%s: jobs.executor must be local, slurm or none", path);
    return st;
}

at_status at_jobs_conf_read(const char *path, at_jobs_conf *c)
{
    return jobs_conf_read_all(path, c, NULL);
}
