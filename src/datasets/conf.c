/* The vault.* settings of room.conf (the room's own reader skips them):
 * imports at once, quotas (every project's and per project), the upload
 * ceiling, how long an unfinished upload is kept, the DICOM door's options
 * (every project's and per project). */
#include "internal.h"

#include "atelier/deid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- settings ---- */

void at_datasets_conf_defaults(at_datasets_conf *c)
{
    memset(c, 0, sizeof *c);
    c->imports = 2;
    c->upload_max_gb = 64;
    c->upload_idle_hours = 48;
}

static int parse_options(const char *text, unsigned *out)
{
    *out = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *save = NULL, *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
        unsigned f = at_deid_option_by_name(w);
        if (!f)
            return 0;
        *out |= f;
    }
    return at_deid_options_check(*out) == AT_OK;
}

typedef struct {
    at_datasets_conf *c;
    ds_named *named;
    size_t *named_count;
} conf_read;

/* One "vault." line of room.conf (the prefix taken off key). */
static at_status ds_line(void *ud, const char *path, int lineno, char *key, char *value)
{
    conf_read *r = ud;
    at_datasets_conf *c = r->c;
    ds_named *named = r->named;
    size_t *named_count = r->named_count;
    at_status st = AT_OK;
    char *end;
    double v = strtod(value, &end);
    int number = *value && !*end;
    if (!strcmp(key, "imports")) {
        if (!number || v < 1 || v > DS_WORKERS_MAX || v != (int)v)
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: vault.imports must be 1..%d", path, lineno,
                              DS_WORKERS_MAX);
        else
            c->imports = (int)v;
    } else if (!strcmp(key, "quota_gb") || !strcmp(key, "upload_max_gb")) {
        if (!number || v < 0 || v > 1e6)
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: vault.%s must be a number of GiB", path, lineno,
                              key);
        else if (key[0] == 'q')
            c->quota_gb = v;
        else
            c->upload_max_gb = v;
    } else if (!strcmp(key, "upload_idle_hours")) {
        if (!number || v < 1 || v > 24 * 365 || v != (int)v)
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: vault.upload_idle_hours must be 1..8760", path,
                              lineno);
        else
            c->upload_idle_hours = (int)v;
    } else if (!strcmp(key, "deid_options")) {
        if (!parse_options(value, &c->deid_options))
            st =
                at_error_set(AT_ERR_FORMAT, "%s: line %d: vault.deid_options: unknown or conflicting options",
                             path, lineno);
    } else if (!strncmp(key, "quota.project.", 14) || !strncmp(key, "deid_options.project.", 21)) {
        int quota = key[0] == 'q';
        const char *name = key + (quota ? 14 : 21);
        if (!at_room_name_valid(name)) {
            st =
                at_error_set(AT_ERR_FORMAT, "%s: line %d: '%.64s' is not a project name", path, lineno, name);
            return st;
        }
        ds_named *n = NULL;
        for (size_t i = 0; named && i < *named_count; i++)
            if (!strcmp(named[i].project, name))
                n = &named[i];
        if (!n && named) {
            if (*named_count == DS_NAMED_MAX) {
                st = at_error_set(AT_ERR_LIMIT, "%s: line %d: more than %d per-project vault settings", path,
                                  lineno, DS_NAMED_MAX);
                return st;
            }
            n = &named[(*named_count)++];
            memset(n, 0, sizeof *n);
            n->quota_gb = -1;
            snprintf(n->project, sizeof n->project, "%s", name);
        }
        if (quota && (!number || v < 0 || v > 1e6))
            st = at_error_set(AT_ERR_FORMAT, "%s: line %d: a quota is a number of GiB", path, lineno);
        else if (quota && n)
            n->quota_gb = v;
        else if (!quota) {
            unsigned o = 0;
            if (!parse_options(value, &o))
                st = at_error_set(AT_ERR_FORMAT, "%s: line %d: unknown or conflicting door options", path,
                                  lineno);
            else if (n) {
                n->options = o;
                n->has_options = 1;
            }
        }
    } else {
        st = at_error_set(AT_ERR_FORMAT, "%s: line %d: unknown setting 'vault.%.64s'", path, lineno, key);
    }
    return st;
}

at_status ds_conf_read_all(const char *path, at_datasets_conf *c, ds_named *named, size_t *named_count)
{
    conf_read r = {c, named, named_count};
    return at_room_conf_each(path, "vault.", 0, ds_line, &r);
}

at_status at_datasets_conf_read(const char *path, at_datasets_conf *c)
{
    return ds_conf_read_all(path, c, NULL, NULL);
}

uint64_t ds_quota_of(const at_datasets *d, const char *project)
{
    double gb = d->conf.quota_gb;
    for (size_t i = 0; i < d->named_count; i++)
        if (!strcmp(d->named[i].project, project) && d->named[i].quota_gb >= 0)
            gb = d->named[i].quota_gb;
    return (uint64_t)(gb * 1073741824.0);
}

unsigned ds_options_of(const at_datasets *d, const char *project)
{
    for (size_t i = 0; i < d->named_count; i++)
        if (!strcmp(d->named[i].project, project) && d->named[i].has_options)
            return d->named[i].options;
    return d->conf.deid_options;
}

const at_datasets_conf *at_datasets_config(const at_datasets *d)
{
    return &d->conf;
}
