/* Answers: redirects, the session cookie, statuses of library errors, and
 * a small JSON writer that escapes every string it is given. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void out_status(web_req *r, at_status st)
{
    if (st)
        r->out_error = 1;
}

void web_redirect(web_req *r, const char *location)
{
    r->status = 303;
    snprintf(r->location, sizeof r->location, "%s", location);
}

void web_set_session_cookie(web_req *r, const char *value)
{
    if (value)
        snprintf(r->set_cookie, sizeof r->set_cookie, "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict",
                 WEB_COOKIE, value);
    else
        snprintf(r->set_cookie, sizeof r->set_cookie,
                 "%s=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict", WEB_COOKIE);
}

int web_status_of(at_status st)
{
    switch (st) {
    case AT_OK:
        return 200;
    case AT_ERR_UNAUTHENTICATED:
        return 401;
    case AT_ERR_DENIED:
        return 403;
    case AT_ERR_NOT_FOUND:
        return 404;
    case AT_ERR_EXISTS:
        return 409;
    case AT_ERR_LOCKED:
    case -30: /* AT_ERR_QUOTA (jobs.h) */
        return 429;
    case AT_ERR_ARG:
    case AT_ERR_FORMAT:
    case AT_ERR_LIMIT:
        return 400;
    default:
        return 500;
    }
}

void web_json_error(web_req *r, int status, const char *message)
{
    at_buf_reset(&r->out);
    r->status = status;
    r->content_type = "application/json";
    jw w;
    jw_begin(&w, r);
    jw_str(&w, "error", message);
    jw_end(&w);
}

/* ---- JSON writer ---- */

static void sep(jw *w)
{
    if (w->count[w->depth]++)
        out_status(w->r, at_buf_putc(&w->r->out, ','));
}

void jw_begin(jw *w, web_req *r)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    r->content_type = "application/json";
    out_status(r, at_buf_putc(&r->out, '{'));
}

void jw_end(jw *w)
{
    while (w->depth > 0)
        jw_close(w, '}');
    out_status(w->r, at_buf_puts(&w->r->out, "}\n"));
}

void jw_key(jw *w, const char *key)
{
    sep(w);
    if (key) {
        out_status(w->r, at_buf_json_string(&w->r->out, key, strlen(key)));
        out_status(w->r, at_buf_putc(&w->r->out, ':'));
    }
}

void jw_str(jw *w, const char *key, const char *value)
{
    jw_key(w, key);
    if (value)
        out_status(w->r, at_buf_json_string(&w->r->out, value, strlen(value)));
    else
        out_status(w->r, at_buf_puts(&w->r->out, "null"));
}

void jw_int(jw *w, const char *key, long long value)
{
    jw_key(w, key);
    out_status(w->r, at_buf_printf(&w->r->out, "%lld", value));
}

void jw_bool(jw *w, const char *key, int value)
{
    jw_key(w, key);
    out_status(w->r, at_buf_puts(&w->r->out, value ? "true" : "false"));
}

static void open_(jw *w, const char *key, char c)
{
    jw_key(w, key);
    out_status(w->r, at_buf_putc(&w->r->out, c));
    if (w->depth < 7)
        w->count[++w->depth] = 0;
    else
        w->r->out_error = 1;
}

void jw_obj(jw *w, const char *key)
{
    open_(w, key, '{');
}

void jw_arr(jw *w, const char *key)
{
    open_(w, key, '[');
}

void jw_close(jw *w, char c)
{
    out_status(w->r, at_buf_putc(&w->r->out, c));
    if (w->depth > 0)
        w->depth--;
}
