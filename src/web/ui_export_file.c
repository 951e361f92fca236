/* The side-by-side view of one file of an export request: its content on
 * the left (a table drawn as a table with the flagged cells marked, text
 * with the flagged lines marked, a picture shown, a risk model's
 * vocabulary, a network's tensors, a DICOM header), its checks on the
 * right, and the reviewer's vote. Each view is audited (the library reads
 * the file). Nothing here is a download: the bytes are drawn escaped into
 * the page, never sent as a file. */
#include "internal.h"

#include "atelier/airlock.h"
#include "atelier/dicom.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SHOW_ROWS 1000
#define SHOW_COLS 50
#define SHOW_TEXT (512u * 1024)
#define SHOW_IMAGE (4u << 20)

/* Flagged places from the checks: table cells (row, column) and lines. */
typedef struct {
    size_t *rows, *cols, n;
    size_t *lines, nl;
    size_t *terms, nt;
} flagged;

static void flagged_read(const char *checks, flagged *f)
{
    memset(f, 0, sizeof *f);
    cJSON *j = cJSON_Parse(checks), *c, *x;
    size_t cap = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "checks"))
    {
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(c, "findings")) cap++;
    }
    if (cap) {
        f->rows = at_calloc(cap, sizeof *f->rows);
        f->cols = at_calloc(cap, sizeof *f->cols);
        f->lines = at_calloc(cap, sizeof *f->lines);
        f->terms = at_calloc(cap, sizeof *f->terms);
    }
    if (!f->rows || !f->cols || !f->lines || !f->terms) {
        cJSON_Delete(j);
        return;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "checks"))
    {
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(c, "findings"))
        {
            const cJSON *row = cJSON_GetObjectItemCaseSensitive(x, "row"),
                        *col = cJSON_GetObjectItemCaseSensitive(x, "column"),
                        *line = cJSON_GetObjectItemCaseSensitive(x, "line"),
                        *term = cJSON_GetObjectItemCaseSensitive(x, "term");
            if (cJSON_IsNumber(row) && cJSON_IsNumber(col)) {
                f->rows[f->n] = (size_t)row->valuedouble;
                f->cols[f->n++] = (size_t)col->valuedouble;
            } else if (cJSON_IsNumber(line)) {
                f->lines[f->nl++] = (size_t)line->valuedouble;
            } else if (cJSON_IsNumber(term)) {
                f->terms[f->nt++] = (size_t)term->valuedouble;
            }
        }
    }
    cJSON_Delete(j);
}

static void flagged_free(flagged *f)
{
    at_free(f->rows);
    at_free(f->cols);
    at_free(f->lines);
    at_free(f->terms);
}

static int in(const size_t *v, size_t n, size_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static void show_table(web_req *r, const unsigned char *d, size_t len, const flagged *f)
{
    at_csv csv;
    if (at_csv_parse((const char *)d, len, 64u * 1024, &csv) != AT_OK) {
        h(r, "<div class=\"alert alert-warning\">Not read as a table: %s</div>", at_error_message());
        at_error_clear();
        return;
    }
    size_t cols = csv.ncols < SHOW_COLS ? csv.ncols : SHOW_COLS;
    h(r, "<div class=\"table-responsive\"><table class=\"table table-sm table-bordered\" "
         "id=\"table\"><thead><tr>");
    for (size_t c = 0; c < cols; c++)
        h(r, "<th scope=\"col\">%s</th>", csv.cells[c]);
    h(r, "</tr></thead><tbody>");
    for (size_t row = 1; row < csv.nrows && row <= SHOW_ROWS; row++) {
        int line_flag = in(f->lines, f->nl, csv.line[row]);
        h(r, "<tr%s>", line_flag ? " class=\"table-warning\"" : "");
        for (size_t c = 0; c < cols; c++) {
            int cell_flag = 0;
            for (size_t k = 0; k < f->n && !cell_flag; k++)
                cell_flag = f->rows[k] == row && f->cols[k] == c + 1;
            h(r, cell_flag ? "<td class=\"table-danger flagged\">%s</td>" : "<td>%s</td>",
              csv.cells[row * csv.ncols + c]);
        }
        h(r, "</tr>");
    }
    h(r, "</tbody></table></div>");
    if (csv.nrows - 1 > SHOW_ROWS || csv.ncols > SHOW_COLS)
        h(r, "<p class=\"small\">The first %d rows and %d columns of %zu and %zu.</p>", SHOW_ROWS, SHOW_COLS,
          csv.nrows - 1, csv.ncols);
    at_csv_free(&csv);
}

static void show_text(web_req *r, const unsigned char *d, size_t len, const flagged *f)
{
    size_t n = len < SHOW_TEXT ? len : SHOW_TEXT, line = 1;
    h(r, "<pre class=\"border p-2 small\" id=\"text\">");
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && d[e] != '\n')
            e++;
        char *copy = at_strndup((const char *)d + i, e - i);
        int mark = in(f->lines, f->nl, line);
        h(r, mark ? "<mark class=\"flagged\">%s</mark>\n" : "%s\n", copy ? copy : "");
        at_free(copy);
        i = e + 1;
        line++;
    }
    h(r, "</pre>");
    if (len > n)
        h(r, "<p class=\"small\">The first %u bytes of %zu.</p>", SHOW_TEXT, len);
}

static void show_image(web_req *r, const unsigned char *d, size_t len, const char *mime)
{
    if (len > SHOW_IMAGE) {
        h(r, "<p>A picture of %zu bytes: too large to show here.</p>", len);
        return;
    }
    size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = at_malloc(cap);
    if (!b64) {
        r->out_error = 1;
        return;
    }
    sodium_bin2base64(b64, cap, d, len, sodium_base64_VARIANT_ORIGINAL);
    h(r,
      "<img class=\"img-fluid border\" id=\"image\" alt=\"the picture under review\" "
      "src=\"data:%s;base64,%s\">",
      mime, b64);
    at_free(b64);
}

static void show_model(web_req *r, const unsigned char *d, size_t len, const flagged *f)
{
    char *terms = NULL;
    size_t n = 0;
    if (at_airlock_model_terms(d, len, &terms, &n) != AT_OK) {
        h(r, "<p>Not read as a risk model: %s</p>", at_error_message());
        at_error_clear();
        return;
    }
    h(r,
      "<p>The %zu terms the model keeps (it explains its scores with them):</p><ol class=\"small\" "
      "id=\"vocabulary\">",
      n);
    const char *t = terms;
    for (size_t k = 0; k < n && k < 5000; k++) {
        h(r, in(f->terms, f->nt, k + 1) ? "<li><mark class=\"flagged\">%s</mark></li>" : "<li>%s</li>", t);
        t += strlen(t) + 1;
    }
    h(r, "</ol>");
    at_free(terms);
}

static void show_safetensors(web_req *r, const unsigned char *d, size_t len)
{
    uint64_t n = 0;
    for (int i = 7; len >= 8 && i >= 0; i--)
        n = n << 8 | d[i];
    cJSON *j = len >= 8 && n <= len - 8 && n < (16u << 20)
                   ? cJSON_ParseWithLength((const char *)d + 8, (size_t)n)
                   : NULL;
    if (!cJSON_IsObject(j)) {
        h(r, "<p>Not read as safetensors.</p>");
        cJSON_Delete(j);
        return;
    }
    h(r, "<p>Neural-network weights: the tensors (their values cannot be read by a person).</p><table "
         "class=\"table "
         "table-sm\" id=\"tensors\"><thead><tr><th scope=\"col\">Tensor</th><th scope=\"col\">Type</th><th "
         "scope=\"col\">"
         "Shape</th></tr></thead><tbody>");
    cJSON *e;
    int k = 0;
    cJSON_ArrayForEach(e, j)
    {
        if (k++ >= 2000)
            break;
        if (!strcmp(e->string, "__metadata__")) {
            cJSON *m;
            cJSON_ArrayForEach(m, e) if (cJSON_IsString(m))
                h(r, "<tr><td>metadata %s</td><td colspan=\"2\">%s</td></tr>", m->string, m->valuestring);
            continue;
        }
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
        char *shape = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(e, "shape"));
        h(r, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>", e->string,
          cJSON_IsString(dt) ? dt->valuestring : "?", shape ? shape : "?");
        cJSON_free(shape);
    }
    h(r, "</tbody></table>");
    cJSON_Delete(j);
}

static void show_dicom(web_req *r, const unsigned char *d, size_t len)
{
    at_dcm_file *f = NULL;
    at_dcm_read_options o = {.name = "the file", .stop_before_pixels = 1};
    if (at_dcm_read_memory(d, len, &o, &f) != AT_OK) {
        h(r, "<p>Not read as DICOM: %s</p>", at_error_message());
        at_error_clear();
        return;
    }
    at_buf b;
    at_buf_init(&b, SHOW_TEXT);
    at_dcm_dump(f, &b);
    at_dcm_file_free(f);
    h(r, "<pre class=\"border p-2 small\" id=\"dump\">%s</pre>", b.data ? (const char *)b.data : "");
    at_buf_free(&b);
}

static void show_checks(web_req *r, const char *checks)
{
    cJSON *j = cJSON_Parse(checks), *c, *x;
    h(r, "<ul class=\"list-group mb-3\" id=\"checks\">");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "checks"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name"),
                    *o = cJSON_GetObjectItemCaseSensitive(c, "outcome"),
                    *s = cJSON_GetObjectItemCaseSensitive(c, "summary"),
                    *more = cJSON_GetObjectItemCaseSensitive(c, "more");
        const char *os = cJSON_IsString(o) ? o->valuestring : "?";
        const char *cls = !strcmp(os, "fail")     ? "bg-danger"
                          : !strcmp(os, "review") ? "bg-warning text-dark"
                                                  : "bg-success";
        h(r,
          "<li class=\"list-group-item check\" data-check=\"%s\"><span class=\"badge %s\">%s</span> "
          "<strong>%s</strong>"
          "<div>%s</div>",
          cJSON_IsString(name) ? name->valuestring : "?", cls, os,
          cJSON_IsString(name) ? name->valuestring : "?", cJSON_IsString(s) ? s->valuestring : "");
        int any = 0;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(c, "findings"))
        {
            if (!any++)
                h(r, "<ul class=\"small mb-0\">");
            h(r, "<li>");
            cJSON *m;
            int k = 0;
            cJSON_ArrayForEach(m, x)
            {
                char num[32];
                snprintf(num, sizeof num, "%.0f", m->valuedouble);
                h(r, "%s%s %s", k++ ? ", " : "", m->string,
                  cJSON_IsString(m) ? m->valuestring
                  : cJSON_IsBool(m) ? (cJSON_IsTrue(m) ? "yes" : "no")
                                    : num);
            }
            h(r, "</li>");
        }
        if (cJSON_IsNumber(more) && more->valuedouble > 0)
            h(r, "<li>and %d more</li>", (int)more->valuedouble);
        if (any)
            h(r, "</ul>");
        h(r, "</li>");
    }
    h(r, "</ul>");
    cJSON_Delete(j);
}

void ui_export_file(web_req *r)
{
    at_airlock *a = web_airlock(r);
    int64_t id = web_id_param(r, "request"), fid = web_id_param(r, "file");
    at_airlock_request q;
    at_airlock_file *files = NULL, *f = NULL;
    size_t nf = 0;
    at_status st = at_airlock_get(a, id, &q);
    if (!st)
        st = at_airlock_files(a, id, &files, &nf);
    for (size_t i = 0; i < nf && !st; i++)
        if (files[i].id == fid)
            f = &files[i];
    if (!st && !f)
        st = at_error_set(AT_ERR_NOT_FOUND, "export request %lld has no file %lld", (long long)id,
                          (long long)fid);
    unsigned char *data = NULL;
    size_t len = 0;
    at_status read_st = st ? st : at_airlock_file_read(a, r->actor.name, id, fid, &data, &len);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        at_airlock_files_free(files, nf);
        return;
    }
    char title[AT_AIRLOCK_NAME_MAX + 40], back[64];
    snprintf(title, sizeof title, "%s (request #%lld)", f->name, (long long)id);
    snprintf(back, sizeof back, "/airlock/requests/%lld", (long long)id);
    page_begin(r, title);
    if (web_query(r, "done") && !strcmp(web_query(r, "done"), "voted"))
        h(r,
          "<div class=\"alert alert-success\" role=\"status\" id=\"flash\">Your vote was recorded (the other "
          "reviewers do not see it).</div>");
    h(r,
      "<p><a href=\"%s\" id=\"back\">Back to the request</a> · %s, %lld bytes, sha256 <code>%s</code>, "
      "version %d%s%s</p>",
      back, f->type, (long long)f->size, f->sha256, f->version, f->transform[0] ? ", transformed: " : "",
      f->transform);
    flagged fl;
    flagged_read(f->checks, &fl);
    h(r, "<div class=\"row\"><div class=\"col-lg-7\" id=\"content\">");
    if (read_st) {
        h(r, "<div class=\"alert alert-warning\">The file cannot be shown: %s</div>", at_error_message());
        at_error_clear();
    } else if (!strcmp(f->type, "csv") || !strcmp(f->type, "tsv")) {
        show_table(r, data, len, &fl);
    } else if (!strcmp(f->type, "png")) {
        show_image(r, data, len, "image/png");
    } else if (!strcmp(f->type, "svg")) {
        show_image(r, data, len, "image/svg+xml");
        show_text(r, data, len, &fl);
    } else if (!strcmp(f->type, "atrisk")) {
        show_model(r, data, len, &fl);
    } else if (!strcmp(f->type, "safetensors")) {
        show_safetensors(r, data, len);
    } else if (!strcmp(f->type, "dicom")) {
        show_dicom(r, data, len);
    } else if (!strcmp(f->type, "pdf")) {
        h(r,
          "<p>A PDF document of %zu bytes: the room's pages show no document (they load no plugin); its "
          "checks are "
          "on the right.</p>",
          len);
    } else {
        show_text(r, data, len, &fl);
    }
    h(r, "</div><div class=\"col-lg-5\"><h2 class=\"h5\">Checks</h2>");
    show_checks(r, f->checks);
    if (f->exception[0])
        h(r, "<div class=\"alert alert-info\" id=\"exception\">The author asks an exception: %s</div>",
          f->exception);
    if (f->justification[0])
        h(r, "<p class=\"small\" id=\"justification\">Why it must leave: %s</p>", f->justification);
    at_object o = {
        .project = q.project, .user = q.author, .checker = at_airlock_is_checker(a, r->actor.name)};
    if (q.state == AT_AIRLOCK_IN_REVIEW &&
        at_room_authorize(r->room, &r->actor, AT_ACT_EXPORT_REVIEW, &o) == AT_ALLOW) {
        at_airlock_vote_row *votes = NULL;
        size_t nv = 0;
        const char *mine = "undecided";
        if (at_airlock_votes(a, r->actor.name, id, &votes, &nv) == AT_OK)
            for (size_t k = 0; k < nv; k++)
                if (votes[k].file_id == fid && !strcmp(votes[k].reviewer, r->actor.name))
                    mine = at_airlock_vote_name(votes[k].vote);
        at_error_clear();
        char action[128];
        snprintf(action, sizeof action, "/airlock/requests/%lld/files/%lld/vote", (long long)id,
                 (long long)fid);
        h(r, "<h2 class=\"h5\">Your vote</h2><p>Now: <span id=\"current-vote\">%s</span></p>", mine);
        page_form(r, action, "");
        h(r,
          "<label class=\"form-label\" for=\"vote\">Vote</label><select class=\"form-select\" id=\"vote\" "
          "name=\"vote\">"
          "<option value=\"approve\">approve</option><option value=\"changes\">request changes</option>"
          "<option value=\"undecided\">undecided</option></select><label class=\"form-label mt-2\" "
          "for=\"vote-comment\">Comment (to the author, once decided)</label><textarea "
          "class=\"form-control\" "
          "id=\"vote-comment\" name=\"comment\" rows=\"2\" maxlength=\"2000\"></textarea><button class=\"btn "
          "btn-primary mt-2\" type=\"submit\" id=\"cast-vote\">Vote</button></form>");
        at_free(votes);
    }
    h(r, "</div></div>");
    page_end(r);
    flagged_free(&fl);
    at_free(data);
    at_airlock_files_free(files, nf);
}
