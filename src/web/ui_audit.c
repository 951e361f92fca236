/* The DPO's audit page: the chain re-checked at every view, entries
 * filtered by who, what (an action or its prefix) and when, and the same
 * selection exported as CSV (cells that a spreadsheet would run as a
 * formula are quoted with a leading apostrophe). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define PAGE_ROWS 500

static at_audit_filter filter_of(web_req *r, int64_t limit)
{
    at_audit_filter f = {.who = web_query(r, "who"),
                         .what = web_query(r, "what"),
                         .since = web_query(r, "since"),
                         .until = web_query(r, "until"),
                         .limit = limit};
    return f;
}

static int row(void *ud, const at_audit_entry *e)
{
    web_req *r = ud;
    h(r, "<tr><td>%lld</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td><code>%s</code></td></tr>",
      (long long)e->seq, e->time, e->actor, e->action, e->object, e->details);
    return r->out_error;
}

static void field(web_req *r, const char *id, const char *label, const char *type, const char *hint)
{
    const char *v = web_query(r, id);
    h(r,
      "<div class=\"col-md-3\"><label for=\"%s\" class=\"form-label\">%s</label><input "
      "class=\"form-control\" "
      "type=\"%s\" id=\"%s\" name=\"%s\" value=\"%s\" placeholder=\"%s\"></div>",
      id, label, type, id, id, v ? v : "", hint);
}

void ui_audit(web_req *r)
{
    at_audit_report rep;
    at_status st = at_room_audit_verify_open(r->room, &rep);
    if (st) {
        page_error(r, 500, at_error_message());
        return;
    }
    page_begin(r, "Audit");
    if (rep.ok)
        h(r, "<div class=\"alert alert-success\" role=\"status\" id=\"verify\">The chain verifies: %s.</div>",
          rep.message);
    else
        h(r,
          "<div class=\"alert alert-danger\" role=\"alert\" id=\"verify\">The chain is broken at entry %lld: "
          "%s "
          "(%lld problems in all).</div>",
          (long long)rep.first_broken, rep.message, (long long)rep.problems);
    h(r,
      "<form method=\"get\" action=\"/audit\" class=\"row g-2 mb-3\" id=\"filters\" aria-label=\"filters\">");
    field(r, "who", "Who", "text", "user name");
    field(r, "what", "What", "text", "login, user., project.");
    field(r, "since", "From (day)", "date", "");
    field(r, "until", "To (day)", "date", "");
    h(r,
      "<div class=\"col-12\"><button type=\"submit\" class=\"btn btn-primary\" id=\"filter\">Filter</button> "
      "<a class=\"btn btn-outline-secondary\" id=\"csv\" "
      "href=\"/audit.csv?who=%s&amp;what=%s&amp;since=%s&amp;"
      "until=%s\">Export as CSV</a></div></form>",
      h_urlenc(r, web_query(r, "who")), h_urlenc(r, web_query(r, "what")), h_urlenc(r, web_query(r, "since")),
      h_urlenc(r, web_query(r, "until")));
    size_t mark = r->out.len;
    h(r, "<table class=\"table table-sm\" id=\"entries\"><thead><tr><th scope=\"col\">#</th><th "
         "scope=\"col\">Time "
         "(UTC)</th><th scope=\"col\">Who</th><th scope=\"col\">What</th><th scope=\"col\">Object</th>"
         "<th scope=\"col\">Details</th></tr></thead><tbody>");
    at_audit_filter f = filter_of(r, PAGE_ROWS);
    st = at_room_audit_query(r->room, &f, row, r);
    if (st) {
        r->out.len = mark;
        r->out.data[mark] = '\0';
        r->status = web_status_of(st);
        h(r, "<div class=\"alert alert-danger\" role=\"alert\" id=\"error\">%s</div>", at_error_message());
    } else {
        h(r,
          "</tbody></table><p class=\"text-muted\">At most %d entries, newest first: narrow the filters or "
          "export "
          "for more.</p>",
          PAGE_ROWS);
    }
    page_end(r);
}

/* One CSV cell: quoted, quotes doubled, a formula's first character
 * defused. */
static void csv_cell(web_req *r, const char *s, int last)
{
    at_buf *b = &r->out;
    at_status st = at_buf_putc(b, '"');
    if (!st && s &&
        (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        st = at_buf_putc(b, '\'');
    for (const char *p = s ? s : ""; *p && !st; p++)
        st = *p == '"' ? at_buf_puts(b, "\"\"") : at_buf_putc(b, *p);
    if (!st)
        st = at_buf_puts(b, last ? "\"\r\n" : "\",");
    if (st)
        r->out_error = 1;
}

static int csv_row(void *ud, const at_audit_entry *e)
{
    web_req *r = ud;
    char seq[32];
    snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
    csv_cell(r, seq, 0);
    csv_cell(r, e->time, 0);
    csv_cell(r, e->actor, 0);
    csv_cell(r, e->action, 0);
    csv_cell(r, e->object, 0);
    csv_cell(r, e->details, 1);
    return r->out_error;
}

void ui_audit_csv(web_req *r)
{
    r->content_type = "text/csv; charset=utf-8";
    r->disposition = "attachment; filename=\"atelier-audit.csv\"";
    r->status = 200;
    if (at_buf_puts(&r->out, "seq,time,actor,action,object,details\r\n"))
        r->out_error = 1;
    at_audit_filter f = filter_of(r, 50000);
    at_status st = at_room_audit_query(r->room, &f, csv_row, r);
    if (st) {
        page_error(r, web_status_of(st), at_error_message());
        return;
    }
    char *details = NULL;
    {
        at_buf d;
        at_buf_init(&d, 2048);
        at_status s2 = at_buf_puts(&d, "{");
        const char *keys[] = {"who", "what", "since", "until"};
        int first = 1;
        for (size_t i = 0; i < 4 && !s2; i++) {
            const char *v = web_query(r, keys[i]);
            if (!v || !*v)
                continue;
            s2 = at_buf_printf(&d, "%s\"%s\":", first ? "" : ",", keys[i]);
            if (!s2)
                s2 = at_buf_json_string(&d, v, strlen(v) > 200 ? 200 : strlen(v));
            first = 0;
        }
        if (!s2)
            s2 = at_buf_putc(&d, '}');
        details = s2 ? NULL : (char *)at_buf_steal(&d, NULL);
        at_buf_free(&d);
    }
    at_room_audit(r->room, r->actor.name, "audit.export", "audit", details);
    at_free(details);
}
