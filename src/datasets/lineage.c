/* Lineage as a graph over the catalog: snapshots, the imports and jobs
 * that made them (job_lineage: a job's inputs, code and result), and the
 * export requests that took a job's results out (airlock_files of kind
 * "result"). Walked upstream (what the data came from) and downstream
 * (what was made of it) from a dataset's snapshots; drawn as SVG. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    at_datasets *d;
    at_room_db *db;
    at_lineage *g;
    int has_airlock;
    at_status st;
} walk;

static long find_node(const at_lineage *g, const char *id)
{
    for (size_t i = 0; i < g->node_count; i++)
        if (!strcmp(g->nodes[i].id, id))
            return (long)i;
    return -1;
}

/* the node of id (added at depth when new); -1 when the graph is full */
static long node(walk *w, at_lineage_kind kind, const char *id, const char *label, int depth, int *is_new)
{
    *is_new = 0;
    long i = find_node(w->g, id);
    if (i >= 0)
        return i;
    if (w->g->node_count >= AT_LINEAGE_NODES_MAX) {
        w->g->truncated = 1;
        return -1;
    }
    if (w->g->node_count % 32 == 0) {
        at_lineage_node *n = at_realloc(w->g->nodes, (w->g->node_count + 32) * sizeof *n);
        if (!n) {
            w->st = AT_ERR_NOMEM;
            return -1;
        }
        w->g->nodes = n;
    }
    at_lineage_node *n = &w->g->nodes[w->g->node_count];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    snprintf(n->id, sizeof n->id, "%s", id);
    snprintf(n->label, sizeof n->label, "%s", label);
    n->depth = depth;
    *is_new = 1;
    return (long)w->g->node_count++;
}

static void edge(walk *w, long from, long to, const char *role)
{
    if (from < 0 || to < 0)
        return;
    for (size_t i = 0; i < w->g->edge_count; i++)
        if (w->g->edges[i].from == (size_t)from && w->g->edges[i].to == (size_t)to)
            return;
    if (w->g->edge_count % 32 == 0) {
        at_lineage_edge *e = at_realloc(w->g->edges, (w->g->edge_count + 32) * sizeof *e);
        if (!e) {
            w->st = AT_ERR_NOMEM;
            return;
        }
        w->g->edges = e;
    }
    at_lineage_edge *e = &w->g->edges[w->g->edge_count++];
    e->from = (size_t)from;
    e->to = (size_t)to;
    snprintf(e->role, sizeof e->role, "%s", role);
}

/* a snapshot's node: id "VAULTID@SNAP", label "P/NAME@SNAP12" */
static long snap_node(walk *w, const char *vault_id, const char *snap, int depth, int *is_new)
{
    char id[AT_VAULT_DATASET_HEX + AT_VAULT_SNAPSHOT_HEX + 2], label[160];
    snprintf(id, sizeof id, "%s@%s", vault_id, snap);
    long have = find_node(w->g, id);
    if (have >= 0) {
        *is_new = 0;
        return have;
    }
    snprintf(label, sizeof label, "?@%.12s", snap);
    sqlite3_stmt *s = at_room_db_stmt(w->db, "SELECT p.name, d.name FROM job_datasets d JOIN projects p ON "
                                             "p.id = d.project_id WHERE d.vault_id = ?");
    if (s) {
        sqlite3_bind_text(s, 1, vault_id, -1, SQLITE_TRANSIENT);
        int found = sqlite3_step(s) == SQLITE_ROW;
        if (found)
            snprintf(label, sizeof label, "%s/%s@%.12s", (const char *)sqlite3_column_text(s, 0),
                     (const char *)sqlite3_column_text(s, 1), snap);
        sqlite3_reset(s);
        /* a dataset shredded since: its record names it */
        s = found
                ? NULL
                : at_room_db_stmt(w->db, "SELECT p.name, x.name FROM dataset_deletions x JOIN projects p ON "
                                         "p.id = x.project_id WHERE x.vault_id = ? AND x.state = 'shredded'");
        if (s) {
            sqlite3_bind_text(s, 1, vault_id, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(s) == SQLITE_ROW)
                snprintf(label, sizeof label, "%s/%s@%.12s (shredded)",
                         (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
                         snap);
            sqlite3_reset(s);
        }
    }
    return node(w, AT_LINEAGE_SNAPSHOT, id, label, depth, is_new);
}

static long job_node(walk *w, int64_t job, int depth, int *is_new)
{
    char id[32], label[160];
    snprintf(id, sizeof id, "job:%lld", (long long)job);
    long have = find_node(w->g, id);
    if (have >= 0) {
        *is_new = 0;
        return have;
    }
    snprintf(label, sizeof label, "job %lld", (long long)job);
    sqlite3_stmt *s = at_room_db_stmt(w->db, "SELECT j.kind, u.name, j.submitted FROM jobs j JOIN users u ON "
                                             "u.id = j.user_id WHERE j.id = ?");
    if (s) {
        sqlite3_bind_int64(s, 1, job);
        if (sqlite3_step(s) == SQLITE_ROW)
            snprintf(label, sizeof label, "job %lld %s by %s", (long long)job,
                     (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
        sqlite3_reset(s);
    }
    return node(w, AT_LINEAGE_JOB, id, label, depth, is_new);
}

/* the export requests that took a file of the job's result out */
static void exports_of(walk *w, int64_t job, long from, int depth)
{
    if (!w->has_airlock)
        return;
    sqlite3_stmt *s =
        at_room_db_stmt(w->db, "SELECT DISTINCT r.id, r.state FROM airlock_files f JOIN "
                               "airlock_requests r ON r.id = f.request_id WHERE f.source_kind = 'result' "
                               "AND (f.source_id = ?1 OR f.source_id LIKE ?1 || '@%') ORDER BY r.id");
    if (!s)
        return;
    char jid[32];
    snprintf(jid, sizeof jid, "%lld", (long long)job);
    sqlite3_bind_text(s, 1, jid, -1, SQLITE_TRANSIENT);
    int64_t ids[64];
    int states[64];
    size_t n = 0;
    while (n < 64 && sqlite3_step(s) == SQLITE_ROW) {
        ids[n] = sqlite3_column_int64(s, 0);
        states[n++] = sqlite3_column_int(s, 1);
    }
    sqlite3_reset(s);
    static const char *const names[] = {"draft",    "submitted", "blocked",  "in review", "returned",
                                        "approved", "released",  "rejected", "withdrawn"};
    for (size_t i = 0; i < n; i++) {
        char id[32], label[160];
        snprintf(id, sizeof id, "export:%lld", (long long)ids[i]);
        snprintf(label, sizeof label, "export %lld (%s)", (long long)ids[i],
                 states[i] >= 0 && states[i] < 9 ? names[states[i]] : "?");
        int fresh;
        long e = node(w, AT_LINEAGE_EXPORT, id, label, depth, &fresh);
        edge(w, from, e, "export");
    }
}

typedef struct {
    char vault_id[AT_VAULT_DATASET_HEX];
    char snap[AT_VAULT_SNAPSHOT_HEX];
    int depth;
} todo_item;

/* grow a work list */
static int push(todo_item **v, size_t *n, size_t *cap, const char *vid, const char *snap, int depth)
{
    if (at_grow(v, cap, *n + 1, sizeof **v))
        return 0;
    snprintf((*v)[*n].vault_id, AT_VAULT_DATASET_HEX, "%s", vid);
    snprintf((*v)[*n].snap, AT_VAULT_SNAPSHOT_HEX, "%s", snap);
    (*v)[(*n)++].depth = depth;
    return 1;
}

/* upstream from one snapshot: the job that made it (and its inputs), the
 * import that made it, its parent */
static void upstream(walk *w, const todo_item *t, long me, todo_item **q, size_t *qn, size_t *qcap)
{
    sqlite3_stmt *s =
        at_room_db_stmt(w->db, "SELECT job_id FROM job_lineage WHERE role = 'result' AND dataset = ? "
                               "AND snapshot = ?");
    int64_t jobs[16];
    size_t nj = 0;
    if (s) {
        sqlite3_bind_text(s, 1, t->vault_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, t->snap, -1, SQLITE_TRANSIENT);
        while (nj < 16 && sqlite3_step(s) == SQLITE_ROW)
            jobs[nj++] = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    for (size_t i = 0; i < nj; i++) {
        int fresh;
        long j = job_node(w, jobs[i], t->depth - 1, &fresh);
        edge(w, j, me, "result");
        if (!fresh)
            continue;
        s = at_room_db_stmt(
            w->db, "SELECT role, dataset, snapshot FROM job_lineage WHERE job_id = ? AND role != 'result'");
        if (!s)
            continue;
        sqlite3_bind_int64(s, 1, jobs[i]);
        while (sqlite3_step(s) == SQLITE_ROW) {
            char role[16], vid[AT_VAULT_DATASET_HEX], sn[AT_VAULT_SNAPSHOT_HEX];
            snprintf(role, sizeof role, "%s", (const char *)sqlite3_column_text(s, 0));
            snprintf(vid, sizeof vid, "%s", (const char *)sqlite3_column_text(s, 1));
            snprintf(sn, sizeof sn, "%s", (const char *)sqlite3_column_text(s, 2));
            int nf;
            long x = snap_node(w, vid, sn, t->depth - 2, &nf);
            edge(w, x, j, role);
            if (nf && !push(q, qn, qcap, vid, sn, t->depth - 2))
                w->st = AT_ERR_NOMEM;
        }
        sqlite3_reset(s);
    }
    s = at_room_db_stmt(
        w->db, "SELECT i.import_id, i.parent, i.door, COALESCE(u.name, '') FROM dataset_snapshot_info i "
               "JOIN job_datasets d ON d.id = i.dataset_id LEFT JOIN job_snapshots js ON "
               "js.dataset_id = i.dataset_id AND js.snapshot = i.snapshot LEFT JOIN users u ON "
               "u.id = js.user_id WHERE d.vault_id = ? AND i.snapshot = ?");
    if (!s)
        return;
    sqlite3_bind_text(s, 1, t->vault_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, t->snap, -1, SQLITE_TRANSIENT);
    int64_t imp = 0;
    char parent[AT_VAULT_SNAPSHOT_HEX] = "", door[16] = "", user[AT_ROOM_NAME_MAX + 1] = "";
    if (sqlite3_step(s) == SQLITE_ROW) {
        imp = sqlite3_column_int64(s, 0);
        snprintf(parent, sizeof parent, "%s", (const char *)sqlite3_column_text(s, 1));
        snprintf(door, sizeof door, "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(user, sizeof user, "%s", (const char *)sqlite3_column_text(s, 3));
    }
    sqlite3_reset(s);
    if (imp) {
        char id[32], label[160];
        snprintf(id, sizeof id, "import:%lld", (long long)imp);
        snprintf(label, sizeof label, "import %lld (%s door) by %s", (long long)imp, door, user);
        int fresh;
        long i = node(w, AT_LINEAGE_IMPORT, id, label, t->depth - 1, &fresh);
        edge(w, i, me, "import");
    }
    if (parent[0]) {
        int fresh;
        long p = snap_node(w, t->vault_id, parent, t->depth - 1, &fresh);
        edge(w, p, me, "parent");
    }
}

/* downstream from one snapshot: the jobs that read it, their results, the
 * exports of those */
static void downstream(walk *w, const todo_item *t, long me, todo_item **q, size_t *qn, size_t *qcap)
{
    sqlite3_stmt *s =
        at_room_db_stmt(w->db, "SELECT job_id, role FROM job_lineage WHERE role != 'result' AND "
                               "dataset = ? AND snapshot = ? ORDER BY job_id LIMIT 64");
    int64_t jobs[64];
    char roles[64][16];
    size_t nj = 0;
    if (s) {
        sqlite3_bind_text(s, 1, t->vault_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, t->snap, -1, SQLITE_TRANSIENT);
        while (nj < 64 && sqlite3_step(s) == SQLITE_ROW) {
            jobs[nj] = sqlite3_column_int64(s, 0);
            snprintf(roles[nj++], 16, "%s", (const char *)sqlite3_column_text(s, 1));
        }
        sqlite3_reset(s);
    }
    for (size_t i = 0; i < nj; i++) {
        int fresh;
        long j = job_node(w, jobs[i], t->depth + 1, &fresh);
        edge(w, me, j, roles[i]);
        if (!fresh)
            continue;
        s = at_room_db_stmt(w->db,
                            "SELECT dataset, snapshot FROM job_lineage WHERE job_id = ? AND role = 'result'");
        long result = -1;
        if (s) {
            sqlite3_bind_int64(s, 1, jobs[i]);
            while (sqlite3_step(s) == SQLITE_ROW) {
                char vid[AT_VAULT_DATASET_HEX], sn[AT_VAULT_SNAPSHOT_HEX];
                snprintf(vid, sizeof vid, "%s", (const char *)sqlite3_column_text(s, 0));
                snprintf(sn, sizeof sn, "%s", (const char *)sqlite3_column_text(s, 1));
                int nf;
                result = snap_node(w, vid, sn, t->depth + 2, &nf);
                edge(w, j, result, "result");
                if (nf && !push(q, qn, qcap, vid, sn, t->depth + 2))
                    w->st = AT_ERR_NOMEM;
            }
            sqlite3_reset(s);
        }
        exports_of(w, jobs[i], result >= 0 ? result : j, t->depth + (result >= 0 ? 3 : 2));
    }
}

void at_lineage_free(at_lineage *g)
{
    if (!g)
        return;
    at_free(g->nodes);
    at_free(g->edges);
    memset(g, 0, sizeof *g);
}

at_status at_datasets_lineage(at_datasets *d, const char *project, const char *name, const char *snapshot,
                              at_lineage *out)
{
    memset(out, 0, sizeof *out);
    at_dataset_snapshot *snaps = NULL;
    size_t ns = 0;
    char only[AT_VAULT_SNAPSHOT_HEX] = "";
    at_status st = snapshot && *snapshot ? at_datasets_resolve(d, project, name, snapshot, only) : AT_OK;
    if (!st)
        st = at_datasets_log(d, project, name, &snaps, &ns);
    char vid[AT_VAULT_DATASET_HEX];
    walk w = {.d = d, .g = out};
    w.db = st ? NULL : at_room_db_get(d->room);
    if (!st)
        st = ds_dataset_row(w.db, project, name, NULL, vid, NULL, NULL);
    if (!st) {
        sqlite3_stmt *s = at_room_db_stmt(w.db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                                "name = 'airlock_files'");
        if (s) {
            w.has_airlock = sqlite3_step(s) == SQLITE_ROW;
            sqlite3_reset(s);
        }
    }
    todo_item *up = NULL, *down = NULL;
    size_t nup = 0, cup = 0, ndown = 0, cdown = 0;
    for (size_t i = 0; !st && i < ns; i++) {
        if (only[0] && strcmp(only, snaps[i].id))
            continue;
        int fresh;
        snap_node(&w, vid, snaps[i].id, 0, &fresh);
        if (!push(&up, &nup, &cup, vid, snaps[i].id, 0) || !push(&down, &ndown, &cdown, vid, snaps[i].id, 0))
            st = AT_ERR_NOMEM;
    }
    for (size_t i = 0; !st && !w.st && i < nup && !out->truncated; i++) {
        char id[AT_VAULT_DATASET_HEX + AT_VAULT_SNAPSHOT_HEX + 2];
        snprintf(id, sizeof id, "%s@%s", up[i].vault_id, up[i].snap);
        todo_item t = up[i];
        upstream(&w, &t, find_node(out, id), &up, &nup, &cup);
    }
    for (size_t i = 0; !st && !w.st && i < ndown && !out->truncated; i++) {
        char id[AT_VAULT_DATASET_HEX + AT_VAULT_SNAPSHOT_HEX + 2];
        snprintf(id, sizeof id, "%s@%s", down[i].vault_id, down[i].snap);
        todo_item t = down[i];
        downstream(&w, &t, find_node(out, id), &down, &ndown, &cdown);
    }
    if (w.db)
        at_room_db_put(d->room, w.db);
    at_free(up);
    at_free(down);
    at_dataset_snapshots_free(snaps, ns);
    if (!st)
        st = w.st;
    if (st)
        at_lineage_free(out);
    return st;
}

/* ---- SVG ---- */

static at_status esc(at_buf *b, const char *s)
{
    at_status st = AT_OK;
    for (; *s && !st; s++) {
        switch (*s) {
        case '<':
            st = at_buf_puts(b, "&lt;");
            break;
        case '>':
            st = at_buf_puts(b, "&gt;");
            break;
        case '&':
            st = at_buf_puts(b, "&amp;");
            break;
        case '"':
            st = at_buf_puts(b, "&quot;");
            break;
        case '\'':
            st = at_buf_puts(b, "&#39;");
            break;
        default:
            st = at_buf_putc(b, (unsigned char)*s < 0x20 ? '?' : *s);
        }
    }
    return st;
}

#define SVG_W 250
#define SVG_H 46
#define SVG_GX 70
#define SVG_GY 18

at_status at_lineage_svg(const at_lineage *g, char **out)
{
    *out = NULL;
    int lo = 0, hi = 0;
    for (size_t i = 0; i < g->node_count; i++) {
        if (g->nodes[i].depth < lo)
            lo = g->nodes[i].depth;
        if (g->nodes[i].depth > hi)
            hi = g->nodes[i].depth;
    }
    size_t cols = (size_t)(hi - lo + 1);
    size_t *row = at_calloc(g->node_count + 1, sizeof *row), *fill = at_calloc(cols, sizeof *fill);
    if (!row || !fill) {
        at_free(row);
        at_free(fill);
        return AT_ERR_NOMEM;
    }
    size_t rows = 1;
    for (size_t i = 0; i < g->node_count; i++) {
        size_t c = (size_t)(g->nodes[i].depth - lo);
        row[i] = fill[c]++;
        if (fill[c] > rows)
            rows = fill[c];
    }
    at_buf b;
    at_buf_init(&b, 8u << 20);
    unsigned width = (unsigned)(cols * (SVG_W + SVG_GX) + 20),
             height = (unsigned)(rows * (SVG_H + SVG_GY) + 20);
    at_status st = at_buf_printf(
        &b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
        "role=\"img\" aria-label=\"lineage graph\" font-family=\"sans-serif\" font-size=\"12\">"
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
        "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" "
        "fill=\"#555\"/></marker></defs>",
        width, height, width, height);
    for (size_t i = 0; !st && i < g->edge_count; i++) {
        const at_lineage_edge *e = &g->edges[i];
        unsigned x1 = (unsigned)((g->nodes[e->from].depth - lo) * (SVG_W + SVG_GX) + 10 + SVG_W),
                 y1 = (unsigned)(row[e->from] * (SVG_H + SVG_GY) + 10 + SVG_H / 2),
                 x2 = (unsigned)((g->nodes[e->to].depth - lo) * (SVG_W + SVG_GX) + 10),
                 y2 = (unsigned)(row[e->to] * (SVG_H + SVG_GY) + 10 + SVG_H / 2);
        st = at_buf_printf(&b,
                           "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#555\" "
                           "marker-end=\"url(#arrow)\"><title>",
                           x1, y1, x2, y2);
        if (!st)
            st = esc(&b, e->role);
        if (!st)
            st = at_buf_puts(&b, "</title></line>");
    }
    static const char *const fills[] = {"#e7f1ff", "#fff3cd", "#f8d7da", "#d1e7dd"};
    static const char *const kinds[] = {"snapshot", "job", "export", "import"};
    for (size_t i = 0; !st && i < g->node_count; i++) {
        const at_lineage_node *n = &g->nodes[i];
        unsigned x = (unsigned)((n->depth - lo) * (SVG_W + SVG_GX) + 10),
                 y = (unsigned)(row[i] * (SVG_H + SVG_GY) + 10);
        st = at_buf_printf(
            &b,
            "<g><rect x=\"%u\" y=\"%u\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\" "
            "stroke=\"%s\"/><text x=\"%u\" y=\"%u\" fill=\"#666\">%s</text><text x=\"%u\" y=\"%u\">",
            x, y, SVG_W, SVG_H, fills[n->kind & 3], n->depth == 0 ? "#0d6efd" : "#888", x + 8, y + 17,
            kinds[n->kind & 3], x + 8, y + 35);
        char label[40];
        snprintf(label, sizeof label, "%.36s%s", n->label, strlen(n->label) > 36 ? "…" : "");
        if (!st)
            st = esc(&b, label);
        if (!st)
            st = at_buf_puts(&b, "</text><title>");
        if (!st)
            st = esc(&b, n->label);
        if (!st)
            st = at_buf_puts(&b, "</title></g>");
    }
    if (!st)
        st = at_buf_puts(&b, "</svg>");
    if (!st)
        st = at_buf_putc(&b, '\0');
    at_free(row);
    at_free(fill);
    if (st) {
        at_buf_free(&b);
        return st;
    }
    *out = (char *)at_buf_steal(&b, NULL);
    return *out ? AT_OK : AT_ERR_NOMEM;
}
