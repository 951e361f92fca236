/* Pages of the vault in the room: the datasets of my projects (with my
 * imports and their progress), a dataset's snapshots with the door's
 * report (counts and options, never a value), its lineage drawn by the
 * server as SVG, an import's progress (reloading itself while it runs)
 * and its cancellation. */
#include "internal.h"

#include "atelier/datasets.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static at_datasets *need(web_req *r)
{
    at_datasets *d = web_datasets(r);
    if (!d)
        page_error(r, 503, "The vault is not enabled in this room.");
    return d;
}

static void when(char out[32], time_t t)
{
    if (!t) {
        snprintf(out, 32, "-");
        return;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static void size_text(char out[32], uint64_t b)
{
    if (b >= (1ull << 30))
        snprintf(out, 32, "%.2f GiB", b / 1073741824.0);
    else if (b >= (1u << 20))
        snprintf(out, 32, "%.1f MiB", b / 1048576.0);
    else if (b >= 1024)
        snprintf(out, 32, "%.1f KiB", b / 1024.0);
    else
        snprintf(out, 32, "%llu B", (unsigned long long)b);
}

static int student_of(web_req *r, const char *project)
{
    return at_room_member_role(r->room, r->actor.user_id, project) == AT_PROJECT_STUDENT;
}

static void imports_table(web_req *r, const at_dataset_import *v, size_t n)
{
    if (!n) {
        h(r, "<p id=\"imports-empty\">No import.</p>");
        return;
    }
    h(r, "<table class=\"table table-sm\" id=\"imports\"><thead><tr><th scope=\"col\">Import</th><th "
         "scope=\"col\">Dataset</th><th scope=\"col\">Door</th><th scope=\"col\">State</th><th "
         "scope=\"col\">Progress</th><th scope=\"col\">Started</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        char t[32], sz[32];
        when(t, v[i].created);
        size_text(sz, v[i].bytes);
        unsigned pct = v[i].state >= AT_IMPORT_DONE ? 100
                       : v[i].state == AT_IMPORT_UPLOADING && v[i].bytes
                           ? (unsigned)(100.0 * (double)v[i].received / (double)v[i].bytes)
                       : v[i].total ? (unsigned)(100.0 * (double)v[i].step / (double)v[i].total)
                                    : 0;
        h(r,
          "<tr><td><a href=\"/projects/%s/imports/%lld\">%lld</a></td><td>%s/%s%s</td><td>%s</td><td>%s</td>"
          "<td><div class=\"progress\" role=\"progressbar\" aria-label=\"import %lld\" aria-valuenow=\"%u\" "
          "aria-valuemin=\"0\" aria-valuemax=\"100\"><div class=\"progress-bar\" style=\"width: %u%%\">%s "
          "%u%%"
          "</div></div></td><td>%s (%s)</td></tr>",
          v[i].project, (long long)v[i].id, (long long)v[i].id, v[i].project, v[i].dataset,
          v[i].synthetic ? " (synthetic)" : "", v[i].kind, at_import_state_name(v[i].state),
          (long long)v[i].id, pct, pct, v[i].phase, pct, t, sz);
    }
    h(r, "</tbody></table>");
}

void ui_datasets_mine(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_project *p = NULL;
    size_t np = 0;
    int dpo = (r->actor.roles & AT_ROLE_DPO) != 0; /* the dataset register: every project's */
    at_status st = dpo ? at_room_project_list(r->room, &p, &np)
                       : at_room_user_projects(r->room, r->actor.user_id, &p, &np);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    at_dataset_import *imps = NULL;
    size_t ni = 0;
    st = at_datasets_imports(d, r->actor.name, NULL, &imps, &ni);
    int active = 0;
    for (size_t i = 0; i < ni; i++)
        active |= imps[i].state == AT_IMPORT_QUEUED || imps[i].state == AT_IMPORT_RUNNING;
    page_begin(r, "Datasets");
    if (active)
        h(r, "<meta http-equiv=\"refresh\" content=\"3\">");
    h(r, "<p>Data enter the room only through the door: <code>atelier import --project P --dataset NAME "
         "dicom|text "
         "PATH...</code>.</p>");
    if (dpo)
        h(r, "<p><a id=\"deletions-link\" href=\"/deletions\">Deletions asked for and done</a>: the DPO "
             "confirms "
             "each.</p>");
    for (size_t i = 0; i < np && !st; i++) {
        at_dataset *x = NULL;
        size_t n = 0;
        at_datasets_usage u;
        st = at_datasets_list(d, p[i].name, student_of(r, p[i].name), &x, &n);
        if (!st)
            st = at_datasets_usage_of(d, p[i].name, &u);
        if (st) {
            at_free(x);
            break;
        }
        char used[32], limit[32];
        size_text(used, u.used);
        size_text(limit, u.limit);
        h(r, "<h2 class=\"h5 mt-4\">Project %s</h2><p class=\"text-muted\">Storage: %s used%s%s.</p>",
          p[i].name, used, u.limit ? " of a quota of " : " (no quota)", u.limit ? limit : "");
        if (!n) {
            h(r, "<p>No dataset.</p>");
        } else {
            h(r,
              "<table class=\"table table-sm\" id=\"datasets-%s\"><thead><tr><th "
              "scope=\"col\">Dataset</th><th "
              "scope=\"col\">Kind</th><th scope=\"col\">Snapshots</th><th scope=\"col\">Latest</th><th "
              "scope=\"col\">Files</th><th scope=\"col\">Size</th></tr></thead><tbody>",
              p[i].name);
            for (size_t k = 0; k < n; k++) {
                char sz[32], latest[13];
                size_text(sz, x[k].bytes);
                snprintf(latest, sizeof latest, "%.12s", x[k].latest);
                h(r, "<tr><td><a href=\"/projects/%s/datasets/%s\">%s</a>", x[k].project, x[k].name,
                  x[k].name);
                if (x[k].synthetic)
                    h(r, " <span class=\"badge bg-info text-dark\">synthetic</span>");
                h(r, "</td><td>%s</td><td>%zu</td><td><code>%s</code></td><td>%lld</td><td>%s</td></tr>",
                  x[k].kind, x[k].snapshots, latest, (long long)x[k].files, sz);
            }
            h(r, "</tbody></table>");
        }
        at_free(x);
    }
    h(r, "<h2 class=\"h5 mt-4\">My imports</h2>");
    imports_table(r, imps, ni);
    page_end(r);
    at_free(imps);
    at_free(p);
    if (st)
        page_error(r, web_status_of(st), at_error_message());
}

/* the door's report as a list of its counts and options (numbers, booleans
 * and the options' names: a report holds no value by construction, and
 * only those kinds are shown) */
static void report_list(web_req *r, const char *json)
{
    cJSON *o = cJSON_Parse(json ? json : "{}");
    h(r, "<dl class=\"row small mb-0\">");
    for (cJSON *e = o ? o->child : NULL; e; e = e->next) {
        if (cJSON_IsNumber(e))
            h(r, "<dt class=\"col-6\">%s</dt><dd class=\"col-6\">%lld</dd>", e->string,
              (long long)e->valuedouble);
        else if (cJSON_IsBool(e))
            h(r, "<dt class=\"col-6\">%s</dt><dd class=\"col-6\">%s</dd>", e->string,
              cJSON_IsTrue(e) ? "yes" : "no");
        else if (cJSON_IsArray(e) && !strcmp(e->string, "options")) {
            h(r, "<dt class=\"col-6\">options</dt><dd class=\"col-6\">");
            for (cJSON *x = e->child; x; x = x->next)
                if (cJSON_IsString(x))
                    h(r, "<span class=\"badge bg-secondary me-1\">%s</span>", x->valuestring);
            h(r, "</dd>");
        } else if (cJSON_IsArray(e)) {
            h(r, "<dt class=\"col-6\">%s</dt><dd class=\"col-6\">%d</dd>", e->string, cJSON_GetArraySize(e));
        } else if (cJSON_IsString(e) && (!strcmp(e->string, "tool") || !strcmp(e->string, "version") ||
                                         !strcmp(e->string, "mode") || !strcmp(e->string, "door") ||
                                         !strcmp(e->string, "profile"))) {
            h(r, "<dt class=\"col-6\">%s</dt><dd class=\"col-6\">%s</dd>", e->string, e->valuestring);
        }
    }
    h(r, "</dl>");
    cJSON_Delete(o);
}

static int dataset_param(web_req *r, at_datasets *d, at_dataset *x)
{
    const char *project = web_param(r, "project"), *name = web_param(r, "dataset");
    at_status st = at_datasets_get(d, project, name, x);
    if (!st && !x->synthetic && student_of(r, project))
        st = AT_ERR_NOT_FOUND;
    if (st) {
        at_error_clear();
        page_error(r, 404, "No such dataset.");
        return 0;
    }
    return 1;
}

void ui_dataset(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    at_dataset_snapshot *s = NULL;
    size_t n = 0;
    at_status st = at_datasets_log(d, x.project, x.name, &s, &n);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char title[160];
    snprintf(title, sizeof title, "Dataset %s/%s", x.project, x.name);
    page_begin(r, title);
    h(r, "<p>Kind <strong>%s</strong>", x.kind);
    if (x.synthetic)
        h(r, ", <span class=\"badge bg-info text-dark\" id=\"synthetic\">synthetic</span>");
    h(r,
      "; %zu snapshot%s. <a id=\"lineage-link\" href=\"/projects/%s/datasets/%s/lineage\">Lineage</a>. "
      "A member takes a copy with <code>atelier dataset get %s/%s@SNAPSHOT -o DIR</code>.</p>",
      n, n == 1 ? "" : "s", x.project, x.name, x.project, x.name);
    if (!n)
        h(r, "<p id=\"snapshots-empty\">No snapshot.</p>");
    else
        h(r, "<table class=\"table table-sm align-top\" id=\"snapshots\"><thead><tr><th "
             "scope=\"col\">Snapshot</th><th "
             "scope=\"col\">Made</th><th scope=\"col\">By</th><th scope=\"col\">Door</th><th "
             "scope=\"col\">Files</th>"
             "<th scope=\"col\">Size</th><th scope=\"col\">The door's report</th></tr></thead><tbody>");
    for (size_t i = n; i-- > 0;) {
        char t[32], sz[32];
        when(t, s[i].created);
        size_text(sz, s[i].bytes);
        char by[96];
        if (s[i].job)
            snprintf(by, sizeof by, "job %lld", (long long)s[i].job);
        else if (s[i].import)
            snprintf(by, sizeof by, "import %lld", (long long)s[i].import);
        else
            snprintf(by, sizeof by, "-");
        char short_id[13];
        snprintf(short_id, sizeof short_id, "%.12s", s[i].id);
        h(r,
          "<tr><td><code title=\"%s\">%s</code>%s</td><td>%s</td><td>%s "
          "(%s)</td><td>%s</td><td>%lld</td><td>%s"
          "</td><td>",
          s[i].id, short_id, s[i].parent[0] ? "" : " (first)", t, s[i].user, by, s[i].door,
          (long long)s[i].files, sz);
        report_list(r, s[i].report);
        h(r, "</td></tr>");
    }
    if (n)
        h(r, "</tbody></table>");
    /* deletion: the lead asks, the DPO confirms by naming the dataset */
    at_dataset_deletion *del = NULL;
    size_t nd = 0;
    int pending = 0;
    if (at_datasets_deletions(d, x.project, &del, &nd) == AT_OK)
        for (size_t i = 0; i < nd; i++)
            pending |= !strcmp(del[i].dataset_id, x.dataset_id) && !strcmp(del[i].state, "requested");
    at_error_clear();
    char action[256];
    if (!strcmp(x.kind, "data") && !pending &&
        at_room_member_role(r->room, r->actor.user_id, x.project) == AT_PROJECT_LEAD) {
        snprintf(action, sizeof action, "/projects/%s/datasets/%s/delete", x.project, x.name);
        h(r, "<h2 class=\"h5 mt-4\">Delete</h2>");
        page_form(r, action, "row g-2");
        h(r, "<div class=\"col-md-8\"><label class=\"form-label\" for=\"reason\">Why (the DPO confirms; the "
             "dataset is then crypto-shredded: unreadable by anyone, for ever)</label><input "
             "class=\"form-control\" "
             "id=\"reason\" name=\"reason\" required></div><div class=\"col-12\"><button type=\"submit\" "
             "class=\"btn btn-outline-danger\" id=\"ask-delete\">Ask for its deletion</button></div></form>");
    }
    if (pending) {
        h(r, "<div class=\"alert alert-warning mt-4\" id=\"deletion\">Its deletion is asked for; the DPO "
             "confirms it."
             "</div>");
        if (r->actor.roles & AT_ROLE_DPO) {
            snprintf(action, sizeof action, "/projects/%s/datasets/%s/shred", x.project, x.name);
            page_form(r, action, "row g-2");
            h(r,
              "<div class=\"col-md-6\"><label class=\"form-label\" for=\"confirm\">Type %s/%s to shred it"
              "</label><input class=\"form-control\" id=\"confirm\" name=\"confirm\" required></div><div "
              "class=\"col-12\"><button type=\"submit\" class=\"btn btn-danger\" "
              "id=\"shred\">Shred</button></div></form>",
              x.project, x.name);
        }
    }
    at_free(del);
    page_end(r);
    at_dataset_snapshots_free(s, n);
}

void ui_deletions(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_dataset_deletion *x = NULL;
    size_t n = 0;
    at_status st = at_datasets_deletions(d, NULL, &x, &n);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    page_begin(r, "Dataset deletions");
    page_flash(r);
    if (!n)
        h(r, "<p id=\"deletions-empty\">No deletion asked for.</p>");
    else
        h(r, "<table class=\"table table-sm\" id=\"deletions\"><thead><tr><th scope=\"col\">Dataset</th><th "
             "scope=\"col\">State</th><th scope=\"col\">Asked by</th><th scope=\"col\">Why</th><th "
             "scope=\"col\">Confirmed by</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        char t[32], c[32];
        when(t, x[i].requested);
        when(c, x[i].confirmed);
        if (!strcmp(x[i].state, "requested"))
            h(r, "<tr><td><a href=\"/projects/%s/datasets/%s\">%s/%s</a></td>", x[i].project, x[i].name,
              x[i].project, x[i].name);
        else
            h(r, "<tr><td>%s/%s</td>", x[i].project, x[i].name);
        h(r, "<td>%s</td><td>%s (%s)</td><td>%s</td><td>%s (%s)</td></tr>", x[i].state, x[i].requested_by, t,
          x[i].reason, x[i].confirmed_by, c);
    }
    if (n)
        h(r, "</tbody></table>");
    page_end(r);
    at_free(x);
}

void ui_dataset_delete(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    const char *p = web_param(r, "project"), *n = web_param(r, "dataset");
    at_status st = at_datasets_delete_request(d, r->actor.name, p, n, web_field(r, "reason"));
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char loc[200];
    snprintf(loc, sizeof loc, "/projects/%s/datasets/%s", p, n);
    web_redirect(r, loc);
}

void ui_dataset_shred(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_status st = at_datasets_shred(d, r->actor.name, web_param(r, "project"), web_param(r, "dataset"),
                                     web_field(r, "confirm"));
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    web_redirect(r, "/deletions");
}

void ui_dataset_lineage(web_req *r)
{
    at_datasets *d = need(r);
    at_dataset x;
    if (!d || !dataset_param(r, d, &x))
        return;
    at_lineage g;
    at_status st = at_datasets_lineage(d, x.project, x.name, web_query(r, "snapshot"), &g);
    char *svg = NULL;
    if (!st)
        st = at_lineage_svg(&g, &svg);
    if (st) {
        at_lineage_free(&g);
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char title[160];
    snprintf(title, sizeof title, "Lineage of %s/%s", x.project, x.name);
    page_begin(r, title);
    h(r,
      "<p>From the data to what was made of it: imports through the door and the jobs that made each "
      "snapshot "
      "(left), the jobs that read it, their results and the export requests that took them out "
      "(right).%s</p>",
      g.truncated ? " The graph is cut at its first nodes." : "");
    h(r, "<figure class=\"overflow-auto border p-2\" id=\"lineage\">");
    /* the SVG escapes every label itself (at_lineage_svg) */
    if (at_buf_puts(&r->out, svg) != AT_OK)
        r->out_error = 1;
    h(r, "<figcaption class=\"small text-muted\">%zu nodes, %zu links</figcaption></figure>", g.node_count,
      g.edge_count);
    h(r, "<h2 class=\"h5\">Nodes</h2><ul id=\"lineage-nodes\">");
    for (size_t i = 0; i < g.node_count; i++)
        h(r, "<li>%s</li>", g.nodes[i].label);
    h(r, "</ul>");
    page_end(r);
    at_free(svg);
    at_lineage_free(&g);
}

void ui_import(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    at_dataset_import imp;
    at_status st = at_datasets_import_get(d, web_id_param(r, "import"), &imp);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char title[64];
    snprintf(title, sizeof title, "Import %lld", (long long)imp.id);
    page_begin(r, title);
    page_flash(r);
    if (imp.state < AT_IMPORT_DONE)
        h(r, "<meta http-equiv=\"refresh\" content=\"2\">");
    imports_table(r, &imp, 1);
    char short_id[13];
    snprintf(short_id, sizeof short_id, "%.12s", imp.snapshot);
    if (imp.state == AT_IMPORT_DONE)
        h(r,
          "<p id=\"import-done\">Stored as snapshot <code>%s</code> of <a "
          "href=\"/projects/%s/datasets/%s\">%s/%s"
          "</a>.</p>",
          short_id, imp.project, imp.dataset, imp.project, imp.dataset);
    if (imp.state == AT_IMPORT_FAILED)
        h(r, "<div class=\"alert alert-danger\" id=\"import-error\">%s</div>", imp.error);
    if (imp.state < AT_IMPORT_DONE && !strcmp(imp.user, r->actor.name)) {
        char action[128];
        snprintf(action, sizeof action, "/projects/%s/imports/%lld/cancel", imp.project, (long long)imp.id);
        page_form(r, action, "mt-3");
        h(r, "<button type=\"submit\" class=\"btn btn-outline-danger\" id=\"cancel-import\">Cancel the "
             "import</button></form>");
    }
    page_end(r);
}

void ui_import_cancel(web_req *r)
{
    at_datasets *d = need(r);
    if (!d)
        return;
    int64_t id = web_id_param(r, "import");
    at_status st = at_datasets_import_cancel(d, r->actor.name, id);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char loc[160];
    snprintf(loc, sizeof loc, "/projects/%s/imports/%lld", web_param(r, "project"), (long long)id);
    web_redirect(r, loc);
}
