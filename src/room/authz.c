/* The one authorisation function: (actor, action, object) -> allow or
 * deny. Every route of the web module names its action and calls this
 * before its handler runs; nothing else decides access. */
#include "internal.h"

#include <string.h>

static const char *const action_names[AT_ACT_COUNT] = {
    [AT_ACT_PUBLIC] = "public",
    [AT_ACT_LOGIN_MFA] = "login-mfa",
    [AT_ACT_LOGOUT] = "logout",
    [AT_ACT_PASSWORD_CHANGE] = "password-change",
    [AT_ACT_MFA_ENROL] = "mfa-enrol",
    [AT_ACT_SELF_READ] = "self-read",
    [AT_ACT_USER_LIST] = "user-list",
    [AT_ACT_USER_MANAGE] = "user-manage",
    [AT_ACT_PROJECT_LIST] = "project-list",
    [AT_ACT_PROJECT_CREATE] = "project-create",
    [AT_ACT_PROJECT_READ] = "project-read",
    [AT_ACT_MEMBER_MANAGE] = "member-manage",
    [AT_ACT_AUDIT_READ] = "audit-read",
    [AT_ACT_JOB_SUBMIT] = "job-submit",
    [AT_ACT_JOB_READ] = "job-read",
    [AT_ACT_JOB_DATA] = "job-data",
    [AT_ACT_JOB_CANCEL] = "job-cancel",
    [AT_ACT_QUEUE_ROOM] = "queue-room",
    [AT_ACT_EXPORT_CREATE] = "export-create",
    [AT_ACT_EXPORT_READ] = "export-read",
    [AT_ACT_EXPORT_EDIT] = "export-edit",
    [AT_ACT_EXPORT_REVIEW] = "export-review",
    [AT_ACT_EXPORT_DOWNLOAD] = "export-download",
    [AT_ACT_EXPORT_ALL] = "export-all",
    [AT_ACT_DATASET_READ] = "dataset-read",
    [AT_ACT_DATASET_GET] = "dataset-get",
    [AT_ACT_DATASET_IMPORT] = "dataset-import",
    [AT_ACT_IMPORT_EDIT] = "import-edit",
    [AT_ACT_VAULT_ADMIN] = "vault-admin",
    [AT_ACT_DATASET_DELETE] = "dataset-delete",
    [AT_ACT_DATASET_SHRED] = "dataset-shred",
    [AT_ACT_COURSE_CREATE] = "course-create",
    [AT_ACT_COURSE_READ] = "course-read",
    [AT_ACT_COURSE_TEACH] = "course-teach",
    [AT_ACT_COURSE_MANAGE] = "course-manage",
    [AT_ACT_COURSE_SUBMIT] = "course-submit",
};

const char *at_room_action_name(at_action action)
{
    return action >= 0 && action < AT_ACT_COUNT ? action_names[action] : "unknown";
}

at_decision at_room_authorize(at_room *room, const at_actor *actor, at_action action, const at_object *object)
{
    if (action == AT_ACT_PUBLIC)
        return AT_ALLOW;
    if (action < 0 || action >= AT_ACT_COUNT)
        return AT_DENY_FORBIDDEN;
    if (!actor || !actor->user_id || actor->stage == AT_STAGE_NONE)
        return AT_DENY_UNAUTHENTICATED;

    switch (actor->stage) {
    case AT_STAGE_MFA: /* password given, code awaited: not logged in yet */
        return action == AT_ACT_LOGIN_MFA || action == AT_ACT_LOGOUT ? AT_ALLOW : AT_DENY_UNAUTHENTICATED;
    case AT_STAGE_SETUP: /* only what the account must do first */
        if (action == AT_ACT_LOGOUT)
            return AT_ALLOW;
        if (action == AT_ACT_PASSWORD_CHANGE && (actor->must & AT_MUST_PASSWORD))
            return AT_ALLOW;
        if (action == AT_ACT_MFA_ENROL && (actor->must & AT_MUST_MFA))
            return AT_ALLOW;
        return AT_DENY_SETUP;
    case AT_STAGE_FULL:
        break;
    default:
        return AT_DENY_UNAUTHENTICATED;
    }

    unsigned roles = actor->roles;
    const char *project = object ? object->project : NULL;
    switch (action) {
    case AT_ACT_LOGOUT:
    case AT_ACT_PASSWORD_CHANGE:
    case AT_ACT_SELF_READ:
    case AT_ACT_PROJECT_LIST:
        return AT_ALLOW;
    case AT_ACT_LOGIN_MFA:
    case AT_ACT_MFA_ENROL:
        return AT_DENY_FORBIDDEN; /* done already */
    case AT_ACT_USER_LIST:
    case AT_ACT_USER_MANAGE:
    case AT_ACT_PROJECT_CREATE:
        return (roles & AT_ROLE_ADMIN) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_AUDIT_READ:
        return (roles & AT_ROLE_DPO) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_QUEUE_ROOM:
        return (roles & AT_ROLE_ADMIN) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_JOB_SUBMIT: /* project data: members only, whatever their room role */
        return project && at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_JOB_DATA: {
        at_project_role pr = project ? at_room_member_role(room, actor->user_id, project) : AT_PROJECT_NONE;
        if (pr == AT_PROJECT_NONE)
            return AT_DENY_FORBIDDEN;
        /* a student reads the logs and results of their own jobs only (in a
         * course, another student's model is theirs to keep) */
        if (pr == AT_PROJECT_STUDENT && object->user && strcmp(object->user, actor->name))
            return AT_DENY_FORBIDDEN;
        return AT_ALLOW;
    }
    case AT_ACT_COURSE_CREATE:
        return (roles & AT_ROLE_TEACHER) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_COURSE_READ:
    case AT_ACT_COURSE_TEACH:
    case AT_ACT_COURSE_MANAGE:
    case AT_ACT_COURSE_SUBMIT: {
        /* a course is a project: the teacher its lead, the assistants its
         * members, the students its students; no room role reaches it */
        at_project_role pr = project ? at_room_member_role(room, actor->user_id, project) : AT_PROJECT_NONE;
        int ok = action == AT_ACT_COURSE_READ     ? pr != AT_PROJECT_NONE
                 : action == AT_ACT_COURSE_TEACH  ? pr == AT_PROJECT_LEAD || pr == AT_PROJECT_MEMBER
                 : action == AT_ACT_COURSE_MANAGE ? pr == AT_PROJECT_LEAD
                                                  : pr == AT_PROJECT_STUDENT;
        return ok ? AT_ALLOW : AT_DENY_FORBIDDEN;
    }
    case AT_ACT_JOB_CANCEL: {
        if (roles & AT_ROLE_ADMIN) /* an administrator stops any job */
            return AT_ALLOW;
        at_project_role pr = project ? at_room_member_role(room, actor->user_id, project) : AT_PROJECT_NONE;
        if (pr == AT_PROJECT_LEAD) /* the project's lead stops its jobs */
            return AT_ALLOW;
        /* a member stops their own (object->user is the job's owner) */
        return pr != AT_PROJECT_NONE && object->user && !strcmp(object->user, actor->name)
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    }
    case AT_ACT_JOB_READ:
        if (roles & AT_ROLE_ADMIN) /* the queue's metadata and progress; logs and results stay the members' */
            return AT_ALLOW;
        return project && at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_EXPORT_ALL:
        return (roles & AT_ROLE_DPO) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_EXPORT_CREATE: /* the project's members, whatever their room role */
        return project && at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_EXPORT_EDIT: /* the request's author, while a member of its project */
    case AT_ACT_EXPORT_DOWNLOAD:
        return project && object->user && !strcmp(object->user, actor->name) &&
                       at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_EXPORT_READ:
    case AT_ACT_EXPORT_REVIEW: {
        /* reviewers: the project's leads, the DPO, the designated checkers;
         * never the author for a review (two people other than the author) */
        if (!project)
            return AT_DENY_FORBIDDEN;
        int author = object->user && !strcmp(object->user, actor->name);
        if (action == AT_ACT_EXPORT_REVIEW && author)
            return AT_DENY_FORBIDDEN;
        at_project_role pr = at_room_member_role(room, actor->user_id, project);
        if (author && pr != AT_PROJECT_NONE)
            return AT_ALLOW;
        return (roles & AT_ROLE_DPO) || object->checker || pr == AT_PROJECT_LEAD ? AT_ALLOW
                                                                                 : AT_DENY_FORBIDDEN;
    }
    case AT_ACT_PROJECT_READ:
        if (roles & (AT_ROLE_ADMIN | AT_ROLE_DPO)) /* metadata: names, titles, members */
            return AT_ALLOW;
        return project && at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_DATASET_READ: /* the DPO keeps the dataset register: metadata, never the data */
        if (roles & AT_ROLE_DPO)
            return AT_ALLOW;
        return project && at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_DATASET_GET: /* the data: members only, whatever their room role */
    case AT_ACT_DATASET_IMPORT:
        return project && at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_IMPORT_EDIT: /* the import's owner (object->user), while a member */
        return project && object->user && !strcmp(object->user, actor->name) &&
                       at_room_member_role(room, actor->user_id, project) != AT_PROJECT_NONE
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_VAULT_ADMIN:
        return (roles & AT_ROLE_ADMIN) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_DATASET_DELETE: /* the project's lead asks; the DPO confirms (DATASET_SHRED) */
        return project && at_room_member_role(room, actor->user_id, project) == AT_PROJECT_LEAD
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    case AT_ACT_DATASET_SHRED:
        return (roles & AT_ROLE_DPO) ? AT_ALLOW : AT_DENY_FORBIDDEN;
    case AT_ACT_MEMBER_MANAGE:
        if (roles & AT_ROLE_ADMIN)
            return AT_ALLOW;
        return project && at_room_member_role(room, actor->user_id, project) == AT_PROJECT_LEAD
                   ? AT_ALLOW
                   : AT_DENY_FORBIDDEN;
    default:
        return AT_DENY_FORBIDDEN;
    }
}
