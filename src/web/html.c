/* HTML in the manner of cgit's html.c: pages are written with h(), whose
 * format is the page's own literal markup and whose %s values are always
 * escaped, so that no page can forget to. The page frame (Bootstrap from
 * Debian's libjs-bootstrap5, navigation by role) lives here too. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put(web_req *r, at_status st)
{
    if (st)
        r->out_error = 1;
}

static void escape(web_req *r, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *ent = NULL;
        switch (*p) {
        case '&':
            ent = "&amp;";
            break;
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&#39;";
            break;
        default:
            continue;
        }
        put(r, at_buf_append(&r->out, run, (size_t)(p - run)));
        put(r, at_buf_puts(&r->out, ent));
        run = p + 1;
    }
    put(r, at_buf_puts(&r->out, run));
}

void h(web_req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        put(r, at_buf_append(&r->out, run, (size_t)(p - run)));
        p++;
        if (*p == '%') {
            put(r, at_buf_putc(&r->out, '%'));
        } else if (*p == 's') {
            escape(r, va_arg(ap, const char *));
        } else if (*p == 'd') {
            put(r, at_buf_printf(&r->out, "%d", va_arg(ap, int)));
        } else if (*p == 'u') {
            put(r, at_buf_printf(&r->out, "%u", va_arg(ap, unsigned)));
        } else if (p[0] == 'l' && p[1] == 'd') {
            put(r, at_buf_printf(&r->out, "%ld", va_arg(ap, long)));
            p++;
        } else if (p[0] == 'l' && p[1] == 'l' && p[2] == 'd') {
            put(r, at_buf_printf(&r->out, "%lld", va_arg(ap, long long)));
            p += 2;
        } else if (p[0] == 'z' && p[1] == 'u') {
            put(r, at_buf_printf(&r->out, "%zu", va_arg(ap, size_t)));
            p++;
        } else {
            r->out_error = 1; /* a conversion h() does not offer: a bug of the page */
            break;
        }
        run = p + 1;
    }
    if (!r->out_error)
        put(r, at_buf_puts(&r->out, run));
    va_end(ap);
}

const char *h_urlenc(web_req *r, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = value ? strlen(value) : 0;
    char *o = at_malloc(3 * n + 1);
    if (!o)
        return "";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            o[k++] = (char)c;
        } else {
            o[k++] = '%';
            o[k++] = hex[c >> 4];
            o[k++] = hex[c & 15];
        }
    }
    o[k] = '\0';
    const char *kept = web_keep(r, o);
    return kept ? kept : "";
}

void page_begin(web_req *r, const char *title)
{
    r->content_type = "text/html; charset=utf-8";
    if (!r->status)
        r->status = 200;
    h(r,
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>%s · atelier</title><link rel=\"stylesheet\" "
      "href=\"/static/bootstrap.min.css\"></head>\n<body>\n",
      title);
    h(r, "<nav class=\"navbar navbar-expand navbar-dark bg-dark mb-4\" aria-label=\"main\"><div "
         "class=\"container\">"
         "<a class=\"navbar-brand\" href=\"/\">atelier</a><ul class=\"navbar-nav me-auto\">");
    const at_actor *a = &r->actor;
    if (a->stage == AT_STAGE_FULL) {
        h(r, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/\">Home</a></li>"
             "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/jobs\">Jobs</a></li>"
             "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/courses\">Courses</a></li>");
        if (a->roles & AT_ROLE_ADMIN)
            h(r, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/queue\">Queue</a></li>");
        page_airlock_nav(r);
        if (a->roles & AT_ROLE_ADMIN)
            h(r, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/admin/users\">Users</a></li>"
                 "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/admin/projects\">Projects</a></li>");
        if (a->roles & AT_ROLE_DPO)
            h(r, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/audit\">Audit</a></li>");
        h(r, "<li class=\"nav-item\"><a class=\"nav-link\" href=\"/password\">Password</a></li>");
    }
    h(r, "</ul>");
    if (a->stage != AT_STAGE_NONE) {
        h(r, "<span class=\"navbar-text me-3\" id=\"whoami\">%s</span>", a->name);
        h(r,
          "<form method=\"post\" action=\"/logout\" class=\"d-flex\"><input type=\"hidden\" name=\"csrf\" "
          "value=\"%s\"><button class=\"btn btn-outline-light btn-sm\" type=\"submit\" id=\"logout\">Log out"
          "</button></form>",
          r->csrf);
    }
    h(r, "</div></nav>\n<main class=\"container\">\n<h1 class=\"h3 mb-4\">%s</h1>\n", title);
}

void page_end(web_req *r)
{
    h(r, "\n</main>\n</body></html>\n");
}

void page_form(web_req *r, const char *action, const char *css_class)
{
    h(r,
      "<form method=\"post\" action=\"%s\" class=\"%s\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">",
      action, css_class ? css_class : "", r->csrf);
}

void page_flash(web_req *r)
{
    static const char *const known[][2] = {
        {"out", "You are logged out."},
        {"setup", "Your account is ready: log in with your new password and a code from your app."},
        {"password", "Your password was changed."},
        {"created", "Created."},
        {"saved", "Saved."},
        {"member", "The member was saved."},
        {"removed", "The member was removed."},
        {"disabled", "The account was disabled: its sessions have ended."},
        {"enabled", "The account was enabled."},
        {"reset-mfa", "The account's TOTP was reset: it enrols again at the next login."},
        {"role", "The roles were changed."},
        {"cancel", "The job was asked to stop."},
    };
    const char *done = web_query(r, "done");
    if (!done)
        return;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(done, known[i][0]))
            h(r, "<div class=\"alert alert-success\" role=\"status\">%s</div>", known[i][1]);
}

void page_error(web_req *r, int status, const char *message)
{
    at_buf_reset(&r->out);
    r->status = status;
    page_begin(r, status == 404 ? "Not found" : status == 401 ? "Log in" : "Not allowed");
    h(r, "<div class=\"alert alert-danger\" role=\"alert\">%s</div>", message);
    if (r->actor.stage == AT_STAGE_SETUP)
        h(r, "<p><a href=\"%s\">Finish setting up your account</a></p>",
          (r->actor.must & AT_MUST_PASSWORD) ? "/password" : "/mfa/enrol");
    else
        h(r, "<p><a href=\"/\">Home</a></p>");
    page_end(r);
}
