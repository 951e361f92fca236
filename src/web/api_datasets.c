/* The JSON API of the vault in the room: datasets (mine, a project's, one
 * with its snapshots and the door's reports), a snapshot's files, one file
 * of a snapshot (members), lineage, imports through the door (begin or
 * resume, framed chunks, finish, cancel, progress) and the room's gc. */
#include "internal.h"

#include "atelier/datasets.h"
#include "atelier/walk.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static at_datasets *need(web_req *r)
{
    at_datasets *d = web_datasets(r);
    if (!d)
        web_json_error(r, 503, "the vault is not enabled in this room");
    return d;
}

static void iso(jw *w, const char *key, time_t t)
{
    char b[32];
    web_iso_time(t, b);
    jw_str(w, key, b);
}

static void num(jw *w, const char *key, uint64_t v)
{
    jw_int(w, key, (long long)v);
}

/* a valid JSON value written as it is (the door's report: the module's own) */
static void raw_json(jw *w, const char *key, const char *json)
{
    cJSON *ok = json ? cJSON_Parse(json) : NULL;
    jw_key(w, key);
    if (at_buf_puts(&w->r->out, ok ? json : "{}") != AT_OK)
        w->r->out_error = 1;
    cJSON_Delete(ok);
}

int web_import_object(web_req *r, at_object *obj)
{
    at_datasets *d = web_datasets(r);
    int64_t id = web_id_param(r, "import");
    at_dataset_import imp;
    if (!d || !id || at_datasets_import_get(d, id, &imp) != AT_OK || !obj->project ||
        strcmp(imp.project, obj->project)) {
        at_error_clear();
        if (r->route->kind == AT_WEB_PAGE)
            page_error(r, 404, "No such import.");
        else
            web_json_error(r, 404, d ? "no such import" : "the vault is not enabled in this room");
        return 0;
    }
    /* the owner's name lives as long as the request */
    char *owner = web_keep(r, at_strdup(imp.user));
    if (!owner) {
        web_json_error(r, 500, "out of memory");
        return 0;
    }
    obj->user = owner;
    return 1;
}

static int student_of(web_req *r, const char *project)
{
    return at_room_member_role(r->room, r->actor.user_id, project) == AT_PROJECT_STUDENT;
}

static void dataset_json(jw *w, const at_dataset *x)
{
    jw_obj(w, NULL);
    jw_str(w, "project", x->project);
    jw_str(w, "name", x->name);
    jw_str(w, "id", x->dataset_id);
    jw_str(w, "kind", x->kind);
    jw_bool(w, "synthetic", x->synthetic);
    iso(w, "created", x->created);
    num(w, "snapshots", x->snapshots);
    jw_str(w, "latest", x->latest);
    num(w, "files", x->files);
    num(w, "bytes", x->bytes);
    jw_close(w, '}');
}

void api_datasets_mine(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_project *p = NULL;
    size_t np = 0;
    int dpo = (r->actor.roles & AT_ROLE_DPO) != 0;
    at_status st = dpo ? at_room_project_list(r->room, &p, &np)
                       : at_room_user_projects(r->room, r->actor.user_id, &p, &np);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "datasets");
    for (size_t i = 0; i < np && !st; i++) {
        at_dataset *x = NULL;
        size_t n = 0;
        int member = at_room_member_role(r->room, r->actor.user_id, p[i].name) != AT_PROJECT_NONE;
        if (!member && !dpo)
            continue;
        st = at_datasets_list(d, p[i].name, member && student_of(r, p[i].name), &x, &n);
        for (size_t k = 0; k < n; k++)
            dataset_json(&w, &x[k]);
        at_free(x);
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(p);
    if (st)
        api_fail(r, st);
}

void api_project_datasets(web_req *r)
{
    at_datasets *d = web_datasets(r);
    if (!d) {
        api_datasets(r); /* the jobs' own listing */
        return;
    }
    const char *project = web_param(r, "project");
    at_dataset *x = NULL;
    size_t n = 0;
    at_status st = at_datasets_list(d, project, student_of(r, project), &x, &n);
    at_datasets_usage u;
    if (!st)
        st = at_datasets_usage_of(d, project, &u);
    if (st) {
        at_free(x);
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "datasets");
    for (size_t k = 0; k < n; k++)
        dataset_json(&w, &x[k]);
    jw_close(&w, ']');
    jw_obj(&w, "storage");
    num(&w, "used", u.used);
    num(&w, "pending", u.pending);
    num(&w, "limit", u.limit);
    jw_close(&w, '}');
    jw_end(&w);
    at_free(x);
}

/* the dataset of the path, refused to a student when it is not synthetic
 * (404, as if absent); 0 when it answered */
static int dataset_param(web_req *r, at_datasets *d, at_dataset *out)
{
    const char *project = web_param(r, "project"), *name = web_param(r, "dataset");
    at_status st = at_datasets_get(d, project, name, out);
    if (!st && !out->synthetic && student_of(r, project))
        st = at_error_set(AT_ERR_NOT_FOUND, "project %s has no synthetic dataset '%s'", project, name);
    if (st) {
        api_fail(r, st);
        return 0;
    }
    return 1;
}

void api_dataset_get(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    at_dataset_snapshot *s = NULL;
    size_t n = 0;
    at_status st = at_datasets_log(d, x.project, x.name, &s, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_obj(&w, "dataset");
    jw_str(&w, "project", x.project);
    jw_str(&w, "name", x.name);
    jw_str(&w, "id", x.dataset_id);
    jw_str(&w, "kind", x.kind);
    jw_bool(&w, "synthetic", x.synthetic);
    iso(&w, "created", x.created);
    jw_str(&w, "latest", x.latest);
    jw_close(&w, '}');
    jw_arr(&w, "snapshots");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "id", s[i].id);
        jw_str(&w, "parent", s[i].parent);
        iso(&w, "created", s[i].created);
        jw_str(&w, "user", s[i].user);
        jw_int(&w, "job", s[i].job);
        jw_int(&w, "import", s[i].import);
        jw_str(&w, "door", s[i].door);
        jw_bool(&w, "synthetic", s[i].synthetic);
        num(&w, "files", s[i].files);
        num(&w, "bytes", s[i].bytes);
        num(&w, "bytes_stored", s[i].bytes_stored);
        raw_json(&w, "report", s[i].report);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_dataset_snapshots_free(s, n);
}

void api_dataset_snapshot(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    char full[AT_VAULT_SNAPSHOT_HEX];
    at_dataset_file *f = NULL;
    size_t n = 0;
    at_status st = at_datasets_resolve(d, x.project, x.name, web_param(r, "snapshot"), full);
    if (!st)
        st = at_datasets_files(d, x.project, x.name, full, &f, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "snapshot", full);
    jw_arr(&w, "files");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "path", f[i].path);
        num(&w, "size", f[i].size);
        jw_int(&w, "mode", f[i].mode);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_dataset_files_free(f, n);
}

/* one file of a snapshot, materialised in a private scratch folder of the
 * room, opened, removed, streamed: for members, audited ("dataset.get") */
void api_dataset_file(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    const char *path = web_query(r, "path");
    if (!path || !*path) {
        web_json_error(r, 400, "the query names the file: ?path=...");
        return;
    }
    char tok[AT_ROOM_TOKEN_MAX], rel[AT_ROOM_TOKEN_MAX + 32];
    at_room_random_token(tok);
    snprintf(rel, sizeof rel, "imports/.get-%.24s", tok);
    char *dest = at_path_join(at_room_dir(r->room), rel);
    at_status st = dest ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        st = at_datasets_materialise(d, r->actor.name, x.project, x.name, web_param(r, "snapshot"), path,
                                     dest, NULL, NULL);
    int fd = -1;
    struct stat sb;
    if (!st) {
        char *file = at_path_join(dest, path);
        fd = file ? open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
        if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
            st = at_error_set(AT_ERR_NOT_FOUND,
                              "'%.200s' is a folder of the snapshot, not a file: ask for its files", path);
        at_free(file);
    }
    if (dest)
        at_remove_tree(dest);
    at_free(dest);
    if (st) {
        if (fd >= 0)
            close(fd);
        api_fail(r, st);
        return;
    }
    r->status = 200;
    r->content_type = "application/octet-stream";
    r->send_fd = fd;
    r->send_len = (uint64_t)sb.st_size;
}

/* write all of fd_in to fd */
static at_status copy_fd(int in, int out, uint64_t size, const char *what)
{
    char buf[1 << 16];
    uint64_t left = size;
    while (left) {
        ssize_t n = read(in, buf, left < sizeof buf ? (size_t)left : sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return at_error_set(AT_ERR_IO, "archive: %s: %s", what,
                                n < 0 ? strerror(errno) : "shorter than it was");
        for (ssize_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return at_error_set(AT_ERR_IO, "archive: %s", strerror(errno));
            w += k;
        }
        left -= (uint64_t)n;
    }
    return AT_OK;
}

/* A snapshot (or its file or folder ?path=P) as one archive, for members:
 * materialised once in a private scratch folder of the room (audited once,
 * "dataset.get"), written to an unnamed private file as frames
 * "F MODE SIZE PATHLEN\n" PATH DATA (MODE 644 or 755, the snapshot's
 * paths), streamed, removed. `atelier dataset get` reads it. */
void api_dataset_archive(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    const char *sub = web_query(r, "path");
    char tok[AT_ROOM_TOKEN_MAX], rel[AT_ROOM_TOKEN_MAX + 32];
    at_room_random_token(tok);
    snprintf(rel, sizeof rel, "imports/.get-%.24s", tok);
    char *dest = at_path_join(at_room_dir(r->room), rel);
    at_status st = dest ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        st = at_datasets_materialise(d, r->actor.name, x.project, x.name, web_param(r, "snapshot"), sub, dest,
                                     NULL, NULL);
    int fd = -1;
    if (!st) {
        fd = open(at_room_dir(r->room), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
            st = at_error_set(AT_ERR_IO, "archive: no temporary file: %s", strerror(errno));
    }
    at_walk_list wl = {0};
    at_walk_options wo = {0};
    if (!st)
        st = at_walk_collect(&wl, dest, &wo);
    uint64_t total = 0;
    for (size_t i = 0; !st && i < wl.n; i++) {
        struct stat sb;
        int in = open(wl.v[i].path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (in < 0 || fstat(in, &sb) != 0) {
            st = at_error_set(AT_ERR_IO, "archive: a file of the snapshot vanished");
        } else {
            char head[96];
            int hl = snprintf(head, sizeof head, "F %s %llu %zu\n", (sb.st_mode & 0100) ? "755" : "644",
                              (unsigned long long)sb.st_size, strlen(wl.v[i].rel));
            if (write(fd, head, (size_t)hl) != hl ||
                write(fd, wl.v[i].rel, strlen(wl.v[i].rel)) != (ssize_t)strlen(wl.v[i].rel))
                st = at_error_set(AT_ERR_IO, "archive: %s", strerror(errno));
            if (!st)
                st = copy_fd(in, fd, (uint64_t)sb.st_size, "a file");
            total += (uint64_t)hl + strlen(wl.v[i].rel) + (uint64_t)sb.st_size;
        }
        if (in >= 0)
            close(in);
    }
    at_walk_list_free(&wl);
    if (dest && access(dest, F_OK) == 0)
        at_remove_tree(dest);
    at_free(dest);
    if (!st && lseek(fd, 0, SEEK_SET) != 0)
        st = at_error_set(AT_ERR_IO, "archive: %s", strerror(errno));
    if (st) {
        if (fd >= 0)
            close(fd);
        api_fail(r, st);
        return;
    }
    r->status = 200;
    r->content_type = "application/octet-stream";
    r->send_fd = fd;
    r->send_len = total;
}

void api_dataset_lineage(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    at_lineage g;
    at_status st = at_datasets_lineage(d, x.project, x.name, web_query(r, "snapshot"), &g);
    if (st) {
        api_fail(r, st);
        return;
    }
    static const char *const kinds[] = {"snapshot", "job", "export", "import"};
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "nodes");
    for (size_t i = 0; i < g.node_count; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "kind", kinds[g.nodes[i].kind & 3]);
        jw_str(&w, "id", g.nodes[i].id);
        jw_str(&w, "label", g.nodes[i].label);
        jw_int(&w, "depth", g.nodes[i].depth);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_arr(&w, "edges");
    for (size_t i = 0; i < g.edge_count; i++) {
        jw_obj(&w, NULL);
        jw_int(&w, "from", (long long)g.edges[i].from);
        jw_int(&w, "to", (long long)g.edges[i].to);
        jw_str(&w, "role", g.edges[i].role);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_bool(&w, "truncated", g.truncated);
    jw_end(&w);
    at_lineage_free(&g);
}

/* ---- imports ---- */

static void import_json(web_req *r, at_datasets *d, const at_dataset_import *imp, int with_received)
{
    jw w;
    jw_begin(&w, r);
    jw_int(&w, "import", imp->id);
    jw_str(&w, "project", imp->project);
    jw_str(&w, "dataset", imp->dataset);
    jw_str(&w, "user", imp->user);
    jw_str(&w, "kind", imp->kind);
    jw_bool(&w, "synthetic", imp->synthetic);
    jw_str(&w, "state", at_import_state_name(imp->state));
    num(&w, "files", imp->files);
    num(&w, "bytes", imp->bytes);
    num(&w, "received", imp->received);
    jw_str(&w, "phase", imp->phase);
    num(&w, "step", imp->step);
    num(&w, "total", imp->total);
    jw_str(&w, "snapshot", imp->snapshot);
    jw_str(&w, "error", imp->error);
    iso(&w, "created", imp->created);
    iso(&w, "updated", imp->updated);
    jw_int(&w, "chunk_max", AT_IMPORT_CHUNK_MAX);
    if (with_received && imp->state == AT_IMPORT_UPLOADING) {
        uint64_t *rec = NULL;
        size_t n = 0;
        if (at_datasets_import_received(d, imp->id, &rec, &n) == AT_OK) {
            jw_arr(&w, "received_files");
            for (size_t i = 0; i < n; i++)
                jw_int(&w, NULL, (long long)rec[i]);
            jw_close(&w, ']');
        }
        at_free(rec);
        at_error_clear();
    }
    jw_end(&w);
}

void api_imports_create(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    cJSON *o = r->body_len && r->body_len < (64u << 20)
                   ? cJSON_ParseWithLength((const char *)r->body, r->body_len)
                   : NULL;
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        web_json_error(r, 400, "the body must be a JSON object: dataset, kind, fingerprint, files");
        return;
    }
    cJSON *files = cJSON_GetObjectItemCaseSensitive(o, "files");
    size_t n = cJSON_IsArray(files) ? (size_t)cJSON_GetArraySize(files) : 0;
    at_import_file *v = n && n <= AT_IMPORT_FILES_MAX ? at_calloc(n, sizeof *v) : NULL;
    at_status st = v ? AT_OK
                     : at_error_set(AT_ERR_ARG, "files: a list of 1 to %d {\"size\", \"ext\"} objects",
                                    AT_IMPORT_FILES_MAX);
    size_t i = 0;
    for (cJSON *e = v ? files->child : NULL; e && !st; e = e->next, i++) {
        cJSON *sz = cJSON_GetObjectItemCaseSensitive(e, "size"),
              *ext = cJSON_GetObjectItemCaseSensitive(e, "ext"),
              *path = cJSON_GetObjectItemCaseSensitive(e, "path");
        if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 || sz->valuedouble > (double)AT_VAULT_FILE_SIZE_MAX ||
            (ext && (!cJSON_IsString(ext) || strlen(ext->valuestring) >= sizeof v[i].ext)) ||
            (path && (!cJSON_IsString(path) || strlen(path->valuestring) >= sizeof v[i].path))) {
            st = at_error_set(AT_ERR_ARG, "files[%zu]: size (a number), ext and path (strings) expected", i);
            break;
        }
        v[i].size = (uint64_t)sz->valuedouble;
        snprintf(v[i].ext, sizeof v[i].ext, "%s", ext ? ext->valuestring : "");
        snprintf(v[i].path, sizeof v[i].path, "%s", path ? path->valuestring : "");
    }
    const char *dataset = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "dataset")),
               *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind")),
               *fp = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "fingerprint"));
    at_import_spec spec = {.project = web_param(r, "project"),
                           .dataset = dataset,
                           .kind = kind,
                           .synthetic = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "synthetic")),
                           .fresh = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "fresh")),
                           .fingerprint = fp,
                           .files = v,
                           .file_count = n};
    int64_t id = 0;
    int resumed = 0;
    if (!st)
        st = at_datasets_import_begin(d, r->actor.name, &spec, &id, &resumed);
    cJSON_Delete(o);
    at_free(v);
    at_dataset_import imp;
    if (!st)
        st = at_datasets_import_get(d, id, &imp);
    if (st) {
        api_fail(r, st);
        return;
    }
    import_json(r, d, &imp, 1);
    r->status = resumed ? 200 : 201;
}

void api_import_get(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_dataset_import imp;
    at_status st = at_datasets_import_get(d, web_id_param(r, "import"), &imp);
    if (st) {
        api_fail(r, st);
        return;
    }
    import_json(r, d, &imp, !strcmp(imp.user, r->actor.name));
}

void api_import_chunk(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_status st =
        at_datasets_import_chunk(d, r->actor.name, web_id_param(r, "import"), r->body, r->body_len);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_bool(&w, "ok", 1);
    jw_end(&w);
}

void api_import_finish(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    int64_t id = web_id_param(r, "import");
    at_status st = at_datasets_import_finish(d, r->actor.name, id);
    at_dataset_import imp;
    if (!st)
        st = at_datasets_import_get(d, id, &imp);
    if (st) {
        api_fail(r, st);
        return;
    }
    import_json(r, d, &imp, 0);
    r->status = 202;
}

void api_import_cancel(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    int64_t id = web_id_param(r, "import");
    at_status st = at_datasets_import_cancel(d, r->actor.name, id);
    at_dataset_import imp;
    if (!st)
        st = at_datasets_import_get(d, id, &imp);
    if (st) {
        api_fail(r, st);
        return;
    }
    import_json(r, d, &imp, 0);
}

void api_dataset_delete(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_status st = at_datasets_delete_request(d, r->actor.name, web_param(r, "project"),
                                              web_param(r, "dataset"), web_field(r, "reason"));
    if (st) {
        api_fail(r, st);
        return;
    }
    r->status = 202;
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "state", "requested");
    jw_end(&w);
}

void api_dataset_shred(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_status st = at_datasets_shred(d, r->actor.name, web_param(r, "project"), web_param(r, "dataset"),
                                     web_field(r, "confirm"));
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "state", "shredded");
    jw_end(&w);
}

void api_deletions(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_dataset_deletion *x = NULL;
    size_t n = 0;
    at_status st = at_datasets_deletions(d, NULL, &x, &n);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    jw_arr(&w, "deletions");
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w, NULL);
        jw_str(&w, "project", x[i].project);
        jw_str(&w, "dataset", x[i].name);
        jw_str(&w, "id", x[i].dataset_id);
        jw_str(&w, "state", x[i].state);
        jw_str(&w, "requested_by", x[i].requested_by);
        iso(&w, "requested", x[i].requested);
        jw_str(&w, "reason", x[i].reason);
        jw_str(&w, "confirmed_by", x[i].confirmed_by);
        iso(&w, "confirmed", x[i].confirmed);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_end(&w);
    at_free(x);
}

void api_vault_gc(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_vault_gc_stats s;
    at_status st = at_datasets_gc(d, r->actor.name, NULL, &s);
    if (st) {
        api_fail(r, st);
        return;
    }
    jw w;
    jw_begin(&w, r);
    num(&w, "datasets", s.datasets);
    num(&w, "snapshots_live", s.snapshots_live);
    num(&w, "snapshots_forgotten", s.snapshots_forgotten);
    num(&w, "chunks_kept", s.chunks_kept);
    num(&w, "chunks_removed", s.chunks_removed);
    num(&w, "temporaries_removed", s.temporaries_removed);
    num(&w, "bytes_freed", s.bytes_freed);
    jw_end(&w);
}
