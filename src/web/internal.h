/* Inside the web module: a request as the handlers see it, the request
 * parsers (JSON and form bodies, cookies, paths: the fuzz target's
 * subject), responses, HTML helpers that escape every value, pages. */
#ifndef ATELIER_WEB_INTERNAL_H
#define ATELIER_WEB_INTERNAL_H

#include "atelier/web.h"

#include <stddef.h>
#include <time.h>

#define WEB_FIELDS_MAX 32      /* fields of one body */
#define WEB_FIELD_MAX 4096     /* bytes of one field's value */
#define WEB_PARAMS_MAX 4       /* {captures} of one path */
#define WEB_HEADERS_MAX 8      /* extra response headers */
#define WEB_OUT_MAX (8u << 20) /* ceiling on one response body */
#define WEB_COOKIE "__Host-atelier"
#define WEB_UPLOAD_MAX (256u << 20) /* ceiling on an upload route's body */

/* ---- parse.c: the parsers, no I/O ---- */
typedef struct {
    char *name, *value; /* owned (at_free); value NUL-terminated, never holds a NUL */
} web_pair;
typedef struct {
    web_pair v[WEB_FIELDS_MAX];
    size_t n;
} web_fields;
void web_fields_free(web_fields *f);
/* The value of name, or NULL. */
const char *web_fields_get(const web_fields *f, const char *name);
/* A JSON object whose values are strings (or null, skipped): at most
 * WEB_FIELDS_MAX fields of at most WEB_FIELD_MAX bytes, nesting refused.
 * AT_ERR_FORMAT with a message naming the offending field otherwise. */
at_status web_parse_json(const char *body, size_t len, web_fields *out);
/* application/x-www-form-urlencoded, same ceilings. */
at_status web_parse_form(const char *body, size_t len, web_fields *out);
/* Percent-decoding ('+' as space when plus); AT_ERR_FORMAT on a bad
 * escape or a decoded NUL. out holds at least n + 1 bytes. */
at_status web_url_decode(const char *in, size_t n, int plus, char *out, size_t *outlen);
/* The value of cookie name in a Cookie header into out (cap bytes);
 * 1 when found and it fits. */
int web_cookie_get(const char *header, const char *name, char *out, size_t cap);
/* Match a path against a pattern with {name} segments; captures decoded
 * into params (WEB_PARAMS_MAX of AT_ROOM_NAME_MAX*3+1 bytes). 1 on match. */
#define WEB_PARAM_CAP (3 * AT_ROOM_NAME_MAX + 1)
int web_path_match(const char *pattern, const char *path, char params[][WEB_PARAM_CAP], const char *names[],
                   size_t *nparams);

/* ---- a request ---- */
typedef struct web_req web_req;
typedef void (*web_handler)(web_req *r);

typedef struct {
    const char *method;
    const char *pattern;
    at_action action;
    at_web_kind kind;
    web_handler handler;
} web_route;

struct web_req {
    at_web_server *srv;
    at_room *room;
    const web_route *route;
    const char *method, *path;
    void *conn; /* struct MHD_Connection */
    char peer[64];
    int https;
    /* path captures */
    char params[WEB_PARAMS_MAX][WEB_PARAM_CAP];
    const char *param_names[WEB_PARAMS_MAX];
    size_t nparams;
    /* body fields (JSON for the API, a form for pages) */
    web_fields fields;
    const unsigned char *body; /* the raw body of an upload route */
    size_t body_len;
    /* who */
    at_actor actor;
    char cookie[AT_ROOM_TOKEN_MAX]; /* the session cookie's value, or a pre-login nonce */
    char csrf[AT_ROOM_TOKEN_MAX];   /* the CSRF token of cookie */
    /* the answer */
    int status;
    const char *content_type;
    at_buf out;
    char location[512];
    char set_cookie[256];
    const char *disposition; /* Content-Disposition, or NULL */
    int send_fd;             /* > 0: a file to stream as the body (send_len bytes), closed after */
    uint64_t send_len;
    int out_error; /* a write to out failed: 500 */
    /* strings that live until the response is sent */
    void *scratch[32];
    size_t nscratch;
};

/* ---- server.c ---- */
const char *web_header(web_req *r, const char *name);
const char *web_query(web_req *r, const char *name);
const char *web_param(web_req *r, const char *name);
const char *web_field(web_req *r, const char *name);
/* A copy living as long as the request (NULL on out of memory). */
char *web_keep(web_req *r, char *owned);
/* The stylesheet read at start (NULL when absent). */
const char *web_static_css(web_req *r, size_t *len);
/* The jobs service, or NULL. */
struct at_jobs *web_jobs(web_req *r);
/* The airlock, or NULL. */
struct at_airlock *web_airlock(web_req *r);
/* The classroom, or NULL. */
struct at_classroom *web_classroom(web_req *r);
/* The object of an export request's route ({request}): its project and
 * author, and whether the actor is a designated checker. 0 when it
 * answered already (no such request: 404). api_airlock.c */
int web_export_object(web_req *r, at_object *obj);
/* The vault in the room, or NULL. */
struct at_datasets *web_datasets(web_req *r);
/* The object of an import's route ({import}): its project and owner. 0
 * when it answered already (no such import of the project: 404).
 * api_datasets.c */
int web_import_object(web_req *r, at_object *obj);
/* 1 when path is one of an upload route's (its body may be larger). */
int web_is_upload_path(const char *path);

/* ---- response helpers (response.c) ---- */
void web_redirect(web_req *r, const char *location);
/* The session cookie (value NULL: expire it). */
void web_set_session_cookie(web_req *r, const char *value);
/* JSON answers: {"error": message} with status. */
void web_json_error(web_req *r, int status, const char *message);
/* The HTTP status of a library status (401, 403, 404, 409, 400, 429, 500). */
int web_status_of(at_status st);

/* A small JSON writer over r->out (depth up to 8). */
typedef struct {
    web_req *r;
    int depth;
    int count[8];
} jw;
void jw_begin(jw *w, web_req *r); /* opens the top-level object */
void jw_end(jw *w);               /* closes it */
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *key, const char *value); /* key NULL inside an array */
void jw_int(jw *w, const char *key, long long value);
void jw_bool(jw *w, const char *key, int value);
void jw_obj(jw *w, const char *key);
void jw_arr(jw *w, const char *key);
void jw_close(jw *w, char c); /* '}' or ']' */

/* ---- html.c: every value escaped by construction ---- */
/* Append fmt with its arguments: %s values are HTML-escaped (text and
 * attribute safe), %d %u %ld %lld %zu numbers; nothing else is supported.
 * fmt is always a literal of the page's own markup. */
void h(web_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* URL-encode a value for a query string (living as long as the request). */
const char *h_urlenc(web_req *r, const char *value);
/* The page's frame: head with Bootstrap, the navigation for the actor. */
void page_begin(web_req *r, const char *title);
void page_end(web_req *r);
/* A form's opening tag with its CSRF field. */
void page_form(web_req *r, const char *action, const char *css_class);
/* An alert when the query's "done" names one of the known messages. */
void page_flash(web_req *r);
/* A full error page with status. */
void page_error(web_req *r, int status, const char *message);
/* The QR code of text as inline SVG (qr.c). */
void page_qr_svg(web_req *r, const char *text);

/* ---- routes.c ---- */
extern const web_route web_routes[];
extern const size_t web_routes_count;

/* ---- API helpers (api.c, api_admin.c) ---- */
/* The JSON error of a library status, with its message. */
void api_fail(web_req *r, at_status st);
void api_must(jw *w, unsigned must);
void api_roles(jw *w, unsigned roles);
/* Roles from "admin", "dpo,teacher", ...: 1 when every name is known. */
int web_roles_parse(const char *text, unsigned *roles);

/* ---- handlers ---- */
/* api.c, api_admin.c */
void api_health(web_req *r);
void api_login(web_req *r);
void api_logout(web_req *r);
void api_me(web_req *r);
void api_password(web_req *r);
void api_mfa_enrol(web_req *r);
void api_mfa_confirm(web_req *r);
void api_users_list(web_req *r);
void api_users_create(web_req *r);
void api_user_get(web_req *r);
void api_user_disable(web_req *r);
void api_user_enable(web_req *r);
void api_user_reset_mfa(web_req *r);
void api_user_reset_password(web_req *r);
void api_user_roles(web_req *r);
void api_projects_list(web_req *r);
void api_projects_create(web_req *r);
void api_project_get(web_req *r);
void api_members_add(web_req *r);
void api_members_remove(web_req *r);
void api_audit_list(web_req *r);
void api_audit_verify(web_req *r);
/* ui_login.c */
void ui_login_form(web_req *r);
void ui_login_post(web_req *r);
void ui_login_mfa_form(web_req *r);
void ui_login_mfa_post(web_req *r);
void ui_logout(web_req *r);
/* ui_account.c */
void ui_password_form(web_req *r);
void ui_password_post(web_req *r);
void ui_enrol_form(web_req *r);
void ui_enrol_post(web_req *r);
/* ui_home.c */
void ui_home(web_req *r);
void ui_static_css(web_req *r);
/* ui_admin.c */
void ui_users(web_req *r);
void ui_users_create(web_req *r);
void ui_user_disable(web_req *r);
void ui_user_enable(web_req *r);
void ui_user_reset_mfa(web_req *r);
void ui_user_reset_password(web_req *r);
void ui_user_roles(web_req *r);
void ui_projects(web_req *r);
void ui_projects_create(web_req *r);
/* ui_project.c */
void ui_project(web_req *r);
void ui_project_member_add(web_req *r);
void ui_project_member_remove(web_req *r);
/* ui_audit.c */
void ui_audit(web_req *r);
void ui_audit_csv(web_req *r);
/* api_jobs.c */
void api_jobs_submit(web_req *r);
void api_jobs_project(web_req *r);
void api_jobs_mine(web_req *r);
void api_queue(web_req *r);
void api_job_get(web_req *r);
void api_job_log(web_req *r);
void api_job_events(web_req *r);
void api_job_cancel(web_req *r);
void api_job_result(web_req *r);
void api_code_push(web_req *r);
void api_datasets(web_req *r);
void api_usage(web_req *r);
/* api_airlock.c, ui_airlock.c, ui_export.c, ui_export_file.c: the airlock */
int64_t web_id_param(web_req *r, const char *name); /* a positive number, or 0 */
void web_iso_time(time_t t, char out[32]);          /* "" for 0 */
/* The released package of {request} streamed to its author (r->send_fd):
 * AT_OK, or an error with its message (nothing sent). */
int web_export_package(web_req *r);
void api_exports_mine(web_req *r);
void api_exports_queue(web_req *r);
void api_exports_all(web_req *r);
void api_exports_create(web_req *r);
void api_export_get(web_req *r);
void api_export_add(web_req *r);
void api_export_remove(web_req *r);
void api_export_replace(web_req *r);
void api_export_exception(web_req *r);
void api_export_round(web_req *r);
void api_export_submit(web_req *r);
void api_export_withdraw(web_req *r);
void api_export_comment(web_req *r);
void api_export_vote(web_req *r);
void api_export_review(web_req *r);
void api_export_reject(web_req *r);
void api_export_release(web_req *r);
void api_export_package(web_req *r);
void ui_airlock_home(web_req *r);
void ui_airlock_queue(web_req *r);
void ui_airlock_all(web_req *r);
void ui_export_create(web_req *r);
void ui_export(web_req *r);
void ui_export_file(web_req *r);
void ui_export_add(web_req *r);
void ui_export_remove(web_req *r);
void ui_export_replace(web_req *r);
void ui_export_exception(web_req *r);
void ui_export_round(web_req *r);
void ui_export_vote(web_req *r);
void ui_export_submit(web_req *r);
void ui_export_withdraw(web_req *r);
void ui_export_comment(web_req *r);
void ui_export_review(web_req *r);
void ui_export_reject(web_req *r);
void ui_export_release(web_req *r);
void ui_export_package(web_req *r);
/* The navigation's Airlock link with the count of unseen notices. */
void page_airlock_nav(web_req *r);
/* api_datasets.c, ui_datasets.c: the vault in the room */
void api_datasets_mine(web_req *r);
void api_project_datasets(web_req *r);
void api_dataset_get(web_req *r);
void api_dataset_snapshot(web_req *r);
void api_dataset_file(web_req *r);
void api_dataset_archive(web_req *r);
void api_dataset_lineage(web_req *r);
void api_imports_create(web_req *r);
void api_import_get(web_req *r);
void api_import_chunk(web_req *r);
void api_import_finish(web_req *r);
void api_import_cancel(web_req *r);
void api_vault_gc(web_req *r);
void api_dataset_delete(web_req *r);
void api_dataset_shred(web_req *r);
void api_deletions(web_req *r);
void ui_deletions(web_req *r);
void ui_dataset_delete(web_req *r);
void ui_dataset_shred(web_req *r);
void ui_datasets_mine(web_req *r);
void ui_dataset(web_req *r);
void ui_dataset_lineage(web_req *r);
void ui_import(web_req *r);
void ui_import_cancel(web_req *r);
/* api_course.c, ui_course.c: the classroom */
void api_courses_mine(web_req *r);
void api_course_create(web_req *r);
void api_course_get(web_req *r);
void api_course_ta(web_req *r);
void api_course_quota(web_req *r);
void api_course_students(web_req *r);
void api_course_data(web_req *r);
void api_course_assignment_create(web_req *r);
void api_course_assignment(web_req *r);
void api_course_submit(web_req *r);
void api_course_usage(web_req *r);
void web_course_grades(web_req *r); /* CSV, for the API and the page */
void web_course_config(web_req *r); /* a submission's configuration (JSON) */
void web_course_code(web_req *r);   /* a script submission's code (the code archive) */
void ui_courses(web_req *r);
void ui_course_create(web_req *r);
void ui_course(web_req *r);
void ui_course_ta(web_req *r);
void ui_course_quota(web_req *r);
void ui_course_students(web_req *r);
void ui_course_data(web_req *r);
void ui_course_assignment_create(web_req *r);
void ui_course_assignment(web_req *r);
void ui_course_submit(web_req *r);
/* ui_jobs.c */
void ui_jobs_mine(web_req *r);
void ui_jobs_project(web_req *r);
void ui_queue(web_req *r);
void ui_job(web_req *r);
void ui_job_cancel(web_req *r);

#endif
