/* Every route of the service: method, path pattern, the action the room's
 * authorisation function decides, the kind (API, page, static file) and
 * the handler. The authorisation matrix test walks this table: a route
 * added here without its row in the test's table of expected results
 * fails that test. docs/api.md documents each API route. */
#include "internal.h"

const web_route web_routes[] = {
    /* the JSON API */
    {"GET", "/api/v1/health", AT_ACT_PUBLIC, AT_WEB_API, api_health},
    {"POST", "/api/v1/login", AT_ACT_PUBLIC, AT_WEB_API, api_login},
    {"POST", "/api/v1/logout", AT_ACT_LOGOUT, AT_WEB_API, api_logout},
    {"GET", "/api/v1/me", AT_ACT_SELF_READ, AT_WEB_API, api_me},
    {"POST", "/api/v1/password", AT_ACT_PASSWORD_CHANGE, AT_WEB_API, api_password},
    {"POST", "/api/v1/mfa/enrol", AT_ACT_MFA_ENROL, AT_WEB_API, api_mfa_enrol},
    {"POST", "/api/v1/mfa/confirm", AT_ACT_MFA_ENROL, AT_WEB_API, api_mfa_confirm},
    {"GET", "/api/v1/users", AT_ACT_USER_LIST, AT_WEB_API, api_users_list},
    {"POST", "/api/v1/users", AT_ACT_USER_MANAGE, AT_WEB_API, api_users_create},
    {"GET", "/api/v1/users/{user}", AT_ACT_USER_LIST, AT_WEB_API, api_user_get},
    {"POST", "/api/v1/users/{user}/disable", AT_ACT_USER_MANAGE, AT_WEB_API, api_user_disable},
    {"POST", "/api/v1/users/{user}/enable", AT_ACT_USER_MANAGE, AT_WEB_API, api_user_enable},
    {"POST", "/api/v1/users/{user}/reset-mfa", AT_ACT_USER_MANAGE, AT_WEB_API, api_user_reset_mfa},
    {"POST", "/api/v1/users/{user}/reset-password", AT_ACT_USER_MANAGE, AT_WEB_API, api_user_reset_password},
    {"POST", "/api/v1/users/{user}/roles", AT_ACT_USER_MANAGE, AT_WEB_API, api_user_roles},
    {"GET", "/api/v1/projects", AT_ACT_PROJECT_LIST, AT_WEB_API, api_projects_list},
    {"POST", "/api/v1/projects", AT_ACT_PROJECT_CREATE, AT_WEB_API, api_projects_create},
    {"GET", "/api/v1/projects/{project}", AT_ACT_PROJECT_READ, AT_WEB_API, api_project_get},
    {"POST", "/api/v1/projects/{project}/members", AT_ACT_MEMBER_MANAGE, AT_WEB_API, api_members_add},
    {"DELETE", "/api/v1/projects/{project}/members/{user}", AT_ACT_MEMBER_MANAGE, AT_WEB_API,
     api_members_remove},
    {"GET", "/api/v1/audit", AT_ACT_AUDIT_READ, AT_WEB_API, api_audit_list},
    {"GET", "/api/v1/audit/verify", AT_ACT_AUDIT_READ, AT_WEB_API, api_audit_verify},
    /* jobs */
    {"POST", "/api/v1/projects/{project}/jobs", AT_ACT_JOB_SUBMIT, AT_WEB_UPLOAD, api_jobs_submit},
    {"GET", "/api/v1/projects/{project}/jobs", AT_ACT_JOB_READ, AT_WEB_API, api_jobs_project},
    {"POST", "/api/v1/projects/{project}/code", AT_ACT_JOB_SUBMIT, AT_WEB_UPLOAD, api_code_push},
    {"GET", "/api/v1/projects/{project}/datasets", AT_ACT_JOB_DATA, AT_WEB_API, api_datasets},
    {"GET", "/api/v1/jobs", AT_ACT_SELF_READ, AT_WEB_API, api_jobs_mine},
    {"GET", "/api/v1/jobs/{job}", AT_ACT_JOB_READ, AT_WEB_API, api_job_get},
    {"GET", "/api/v1/jobs/{job}/log", AT_ACT_JOB_DATA, AT_WEB_API, api_job_log},
    {"GET", "/api/v1/jobs/{job}/events", AT_ACT_JOB_READ, AT_WEB_API, api_job_events},
    {"POST", "/api/v1/jobs/{job}/cancel", AT_ACT_JOB_CANCEL, AT_WEB_API, api_job_cancel},
    {"GET", "/api/v1/jobs/{job}/result", AT_ACT_JOB_DATA, AT_WEB_API, api_job_result},
    {"GET", "/api/v1/queue", AT_ACT_QUEUE_ROOM, AT_WEB_API, api_queue},
    {"GET", "/api/v1/usage", AT_ACT_SELF_READ, AT_WEB_API, api_usage},
    /* the airlock: export requests */
    {"POST", "/api/v1/projects/{project}/exports", AT_ACT_EXPORT_CREATE, AT_WEB_API, api_exports_create},
    {"GET", "/api/v1/exports", AT_ACT_SELF_READ, AT_WEB_API, api_exports_mine},
    {"GET", "/api/v1/airlock/queue", AT_ACT_SELF_READ, AT_WEB_API, api_exports_queue},
    {"GET", "/api/v1/airlock/all", AT_ACT_EXPORT_ALL, AT_WEB_API, api_exports_all},
    {"GET", "/api/v1/exports/{request}", AT_ACT_EXPORT_READ, AT_WEB_API, api_export_get},
    {"POST", "/api/v1/exports/{request}/files", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_add},
    {"DELETE", "/api/v1/exports/{request}/files/{file}", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_remove},
    {"POST", "/api/v1/exports/{request}/files/{file}/replace", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_replace},
    {"POST", "/api/v1/exports/{request}/files/{file}/exception", AT_ACT_EXPORT_EDIT, AT_WEB_API,
     api_export_exception},
    {"POST", "/api/v1/exports/{request}/files/{file}/round", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_round},
    {"POST", "/api/v1/exports/{request}/files/{file}/vote", AT_ACT_EXPORT_REVIEW, AT_WEB_API, api_export_vote},
    {"POST", "/api/v1/exports/{request}/submit", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_submit},
    {"POST", "/api/v1/exports/{request}/withdraw", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_withdraw},
    {"POST", "/api/v1/exports/{request}/comments", AT_ACT_EXPORT_READ, AT_WEB_API, api_export_comment},
    {"POST", "/api/v1/exports/{request}/review", AT_ACT_EXPORT_REVIEW, AT_WEB_API, api_export_review},
    {"POST", "/api/v1/exports/{request}/reject", AT_ACT_EXPORT_REVIEW, AT_WEB_API, api_export_reject},
    {"POST", "/api/v1/exports/{request}/release", AT_ACT_EXPORT_EDIT, AT_WEB_API, api_export_release},
    {"GET", "/api/v1/exports/{request}/package", AT_ACT_EXPORT_DOWNLOAD, AT_WEB_API, api_export_package},
    /* pages */
    {"GET", "/login", AT_ACT_PUBLIC, AT_WEB_PAGE, ui_login_form},
    {"POST", "/login", AT_ACT_PUBLIC, AT_WEB_PAGE, ui_login_post},
    {"GET", "/login/mfa", AT_ACT_LOGIN_MFA, AT_WEB_PAGE, ui_login_mfa_form},
    {"POST", "/login/mfa", AT_ACT_LOGIN_MFA, AT_WEB_PAGE, ui_login_mfa_post},
    {"POST", "/logout", AT_ACT_LOGOUT, AT_WEB_PAGE, ui_logout},
    {"GET", "/", AT_ACT_SELF_READ, AT_WEB_PAGE, ui_home},
    {"GET", "/password", AT_ACT_PASSWORD_CHANGE, AT_WEB_PAGE, ui_password_form},
    {"POST", "/password", AT_ACT_PASSWORD_CHANGE, AT_WEB_PAGE, ui_password_post},
    {"GET", "/mfa/enrol", AT_ACT_MFA_ENROL, AT_WEB_PAGE, ui_enrol_form},
    {"POST", "/mfa/enrol", AT_ACT_MFA_ENROL, AT_WEB_PAGE, ui_enrol_post},
    {"GET", "/admin/users", AT_ACT_USER_LIST, AT_WEB_PAGE, ui_users},
    {"POST", "/admin/users", AT_ACT_USER_MANAGE, AT_WEB_PAGE, ui_users_create},
    {"POST", "/admin/users/{user}/disable", AT_ACT_USER_MANAGE, AT_WEB_PAGE, ui_user_disable},
    {"POST", "/admin/users/{user}/enable", AT_ACT_USER_MANAGE, AT_WEB_PAGE, ui_user_enable},
    {"POST", "/admin/users/{user}/reset-mfa", AT_ACT_USER_MANAGE, AT_WEB_PAGE, ui_user_reset_mfa},
    {"POST", "/admin/users/{user}/reset-password", AT_ACT_USER_MANAGE, AT_WEB_PAGE, ui_user_reset_password},
    {"POST", "/admin/users/{user}/roles", AT_ACT_USER_MANAGE, AT_WEB_PAGE, ui_user_roles},
    {"GET", "/admin/projects", AT_ACT_PROJECT_CREATE, AT_WEB_PAGE, ui_projects},
    {"POST", "/admin/projects", AT_ACT_PROJECT_CREATE, AT_WEB_PAGE, ui_projects_create},
    {"GET", "/projects/{project}", AT_ACT_PROJECT_READ, AT_WEB_PAGE, ui_project},
    {"POST", "/projects/{project}/members", AT_ACT_MEMBER_MANAGE, AT_WEB_PAGE, ui_project_member_add},
    {"POST", "/projects/{project}/members/{user}/remove", AT_ACT_MEMBER_MANAGE, AT_WEB_PAGE,
     ui_project_member_remove},
    {"GET", "/audit", AT_ACT_AUDIT_READ, AT_WEB_PAGE, ui_audit},
    {"GET", "/audit.csv", AT_ACT_AUDIT_READ, AT_WEB_PAGE, ui_audit_csv},
    {"GET", "/jobs", AT_ACT_SELF_READ, AT_WEB_PAGE, ui_jobs_mine},
    {"GET", "/jobs/{job}", AT_ACT_JOB_READ, AT_WEB_PAGE, ui_job},
    {"POST", "/jobs/{job}/cancel", AT_ACT_JOB_CANCEL, AT_WEB_PAGE, ui_job_cancel},
    {"GET", "/projects/{project}/jobs", AT_ACT_JOB_READ, AT_WEB_PAGE, ui_jobs_project},
    {"GET", "/queue", AT_ACT_QUEUE_ROOM, AT_WEB_PAGE, ui_queue},
    {"GET", "/airlock", AT_ACT_SELF_READ, AT_WEB_PAGE, ui_airlock_home},
    {"GET", "/airlock/queue", AT_ACT_SELF_READ, AT_WEB_PAGE, ui_airlock_queue},
    {"GET", "/airlock/all", AT_ACT_EXPORT_ALL, AT_WEB_PAGE, ui_airlock_all},
    {"POST", "/projects/{project}/exports", AT_ACT_EXPORT_CREATE, AT_WEB_PAGE, ui_export_create},
    {"GET", "/airlock/requests/{request}", AT_ACT_EXPORT_READ, AT_WEB_PAGE, ui_export},
    {"GET", "/airlock/requests/{request}/files/{file}", AT_ACT_EXPORT_READ, AT_WEB_PAGE, ui_export_file},
    {"POST", "/airlock/requests/{request}/files", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_add},
    {"POST", "/airlock/requests/{request}/files/{file}/remove", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_remove},
    {"POST", "/airlock/requests/{request}/files/{file}/replace", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_replace},
    {"POST", "/airlock/requests/{request}/files/{file}/exception", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE,
     ui_export_exception},
    {"POST", "/airlock/requests/{request}/files/{file}/round", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_round},
    {"POST", "/airlock/requests/{request}/files/{file}/vote", AT_ACT_EXPORT_REVIEW, AT_WEB_PAGE, ui_export_vote},
    {"POST", "/airlock/requests/{request}/submit", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_submit},
    {"POST", "/airlock/requests/{request}/withdraw", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_withdraw},
    {"POST", "/airlock/requests/{request}/comments", AT_ACT_EXPORT_READ, AT_WEB_PAGE, ui_export_comment},
    {"POST", "/airlock/requests/{request}/review", AT_ACT_EXPORT_REVIEW, AT_WEB_PAGE, ui_export_review},
    {"POST", "/airlock/requests/{request}/reject", AT_ACT_EXPORT_REVIEW, AT_WEB_PAGE, ui_export_reject},
    {"POST", "/airlock/requests/{request}/release", AT_ACT_EXPORT_EDIT, AT_WEB_PAGE, ui_export_release},
    {"GET", "/airlock/requests/{request}/package", AT_ACT_EXPORT_DOWNLOAD, AT_WEB_PAGE, ui_export_package},
    /* static files */
    {"GET", "/static/bootstrap.min.css", AT_ACT_PUBLIC, AT_WEB_STATIC, ui_static_css},
};
const size_t web_routes_count = sizeof web_routes / sizeof *web_routes;

size_t at_web_route_count(void)
{
    return web_routes_count;
}

const at_web_route_info *at_web_route_at(size_t i)
{
    /* web_route begins with the same fields as at_web_route_info */
    static at_web_route_info info[sizeof web_routes / sizeof *web_routes];
    if (i >= web_routes_count)
        return NULL;
    info[i] = (at_web_route_info){web_routes[i].method, web_routes[i].pattern, web_routes[i].action,
                                  web_routes[i].kind};
    return &info[i];
}
