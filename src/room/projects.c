/* Projects and their members (lead, member, student). */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static at_status project_id(room_conn *c, const char *name, int64_t *id)
{
    return room_id_by_name(c, "SELECT id FROM projects WHERE name = ?", "project", name, id);
}

at_status at_room_project_create(at_room *room, const char *by, const char *name, const char *title)
{
    if (!title)
        title = "";
    if (!at_room_name_valid(name))
        return at_error_set(AT_ERR_ARG,
                            "a project name must be 1 to %d letters, digits, '.', '_' or '-' (starting "
                            "with a letter or digit)",
                            AT_ROOM_NAME_MAX);
    if (!at_room_text_valid(title))
        return at_error_set(AT_ERR_ARG,
                            "a title must be UTF-8 text without control characters, at most %d bytes",
                            AT_ROOM_TEXT_MAX);
    room_conn *c = room_conn_get(room);
    at_status st = room_begin(c);
    int64_t creator = 0;
    if (!st && by) {
        if (room_user_id(c, by, &creator) != AT_OK)
            creator = 0;
    }
    sqlite3_stmt *s =
        st ? NULL
           : room_stmt(c, "INSERT INTO projects(name, title, created, created_by) VALUES (?, ?, ?, ?)");
    if (!st && !s)
        st = AT_ERR_IO;
    if (!st) {
        room_bind_text(s, 1, name);
        room_bind_text(s, 2, title);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)at_room_now());
        if (creator)
            sqlite3_bind_int64(s, 4, creator);
        else
            sqlite3_bind_null(s, 4);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc == SQLITE_CONSTRAINT_UNIQUE)
            st = at_error_set(AT_ERR_EXISTS, "a project '%s' exists already", name);
        else if (rc != SQLITE_DONE)
            st = room_db_error(c->db, "create project");
    }
    if (!st) {
        char object[80];
        snprintf(object, sizeof object, "project:%s", name);
        char *details = room_details("title", title, NULL);
        st = details ? room_audit_append(c, by ? by : "room", "project.create", object, details)
                     : AT_ERR_NOMEM;
        at_free(details);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    room_conn_put(room, c);
    return st;
}

static void project_row(sqlite3_stmt *s, at_project *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(s, 0);
    room_column_copy(s, 1, p->name, sizeof p->name);
    room_column_copy(s, 2, p->title, sizeof p->title);
    p->created = (time_t)sqlite3_column_int64(s, 3);
}

at_status at_room_project_get(at_room *room, const char *name, at_project *out)
{
    memset(out, 0, sizeof *out);
    room_conn *c = room_conn_get(room);
    at_status st = AT_OK;
    sqlite3_stmt *s = room_stmt(c, "SELECT id, name, title, created FROM projects WHERE name = ?");
    if (!s) {
        st = AT_ERR_IO;
    } else {
        room_bind_text(s, 1, name);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            project_row(s, out);
        else if (rc == SQLITE_DONE)
            st = at_error_set(AT_ERR_NOT_FOUND, "no project '%s'",
                              at_room_name_valid(name) ? name : "(invalid name)");
        else
            st = room_db_error(c->db, "project");
        sqlite3_reset(s);
    }
    room_conn_put(room, c);
    return st;
}

/* Collect the rows of s (bound by the caller) into a growing array. */
static at_status collect_projects(room_conn *c, sqlite3_stmt *s, int with_role, at_project **out,
                                  size_t *count)
{
    size_t n = 0, cap = 0;
    at_project *v = NULL;
    at_status st = AT_OK;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        st = AT_GROW(v, cap, n + 1);
        if (st)
            break;
        project_row(s, &v[n]);
        if (with_role)
            v[n].my_role = at_room_project_role_parse((const char *)sqlite3_column_text(s, 4));
        n++;
    }
    if (!st && rc != SQLITE_DONE)
        st = room_db_error(c->db, "projects");
    sqlite3_reset(s);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

at_status at_room_project_list(at_room *room, at_project **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    room_conn *c = room_conn_get(room);
    sqlite3_stmt *s = room_stmt(c, "SELECT id, name, title, created FROM projects ORDER BY name");
    at_status st = s ? collect_projects(c, s, 0, out, count) : AT_ERR_IO;
    room_conn_put(room, c);
    return st;
}

at_status at_room_user_projects(at_room *room, int64_t user_id, at_project **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    room_conn *c = room_conn_get(room);
    sqlite3_stmt *s =
        room_stmt(c, "SELECT p.id, p.name, p.title, p.created, m.role FROM projects p "
                     "JOIN members m ON m.project_id = p.id WHERE m.user_id = ? ORDER BY p.name");
    at_status st = AT_ERR_IO;
    if (s) {
        sqlite3_bind_int64(s, 1, user_id);
        st = collect_projects(c, s, 1, out, count);
    }
    room_conn_put(room, c);
    return st;
}

at_status at_room_project_members(at_room *room, const char *project, at_member **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    room_conn *c = room_conn_get(room);
    int64_t pid = 0;
    at_status st = project_id(c, project, &pid);
    sqlite3_stmt *s =
        st ? NULL
           : room_stmt(c, "SELECT u.name, m.role FROM members m JOIN users u ON u.id = m.user_id "
                          "WHERE m.project_id = ? ORDER BY u.name");
    if (!st && !s)
        st = AT_ERR_IO;
    size_t n = 0, cap = 0;
    at_member *v = NULL;
    if (!st) {
        sqlite3_bind_int64(s, 1, pid);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            st = AT_GROW(v, cap, n + 1);
            if (st)
                break;
            room_column_copy(s, 0, v[n].user, sizeof v[n].user);
            v[n].role = at_room_project_role_parse((const char *)sqlite3_column_text(s, 1));
            n++;
        }
        if (!st && rc != SQLITE_DONE)
            st = room_db_error(c->db, "members");
        sqlite3_reset(s);
    }
    room_conn_put(room, c);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

static at_status member_change(at_room *room, const char *by, const char *project, const char *user,
                               at_project_role role, int remove)
{
    if (!remove && role == AT_PROJECT_NONE)
        return at_error_set(AT_ERR_ARG, "a project role is lead, member or student");
    room_conn *c = room_conn_get(room);
    int64_t pid = 0, uid = 0;
    at_status st = room_begin(c);
    if (!st)
        st = project_id(c, project, &pid);
    if (!st)
        st = room_user_id(c, user, &uid);
    sqlite3_stmt *s = NULL;
    if (!st) {
        s = remove ? room_stmt(c, "DELETE FROM members WHERE project_id = ?1 AND user_id = ?2 AND ?3 IS NULL")
                   : room_stmt(c, "INSERT INTO members(project_id, user_id, role) VALUES (?1, ?2, ?3) "
                                  "ON CONFLICT(project_id, user_id) DO UPDATE SET role = excluded.role");
        if (!s)
            st = AT_ERR_IO;
    }
    if (!st) {
        sqlite3_bind_int64(s, 1, pid);
        sqlite3_bind_int64(s, 2, uid);
        room_bind_text(s, 3, remove ? NULL : at_room_project_role_name(role));
        if (sqlite3_step(s) != SQLITE_DONE)
            st = room_db_error(c->db, "member");
        else if (remove && sqlite3_changes(c->db) == 0)
            st = at_error_set(AT_ERR_NOT_FOUND, "%s is not a member of %s", user, project);
        sqlite3_reset(s);
    }
    if (!st) {
        char object[160];
        snprintf(object, sizeof object, "project:%s", project);
        char *details =
            room_details("user", user, "role", remove ? NULL : at_room_project_role_name(role), NULL);
        st = details ? room_audit_append(c, by ? by : "room", remove ? "member.remove" : "member.set", object,
                                         details)
                     : AT_ERR_NOMEM;
        at_free(details);
    }
    if (!st)
        st = room_commit(room, c);
    else
        room_rollback(c);
    room_conn_put(room, c);
    return st;
}

at_status at_room_member_set(at_room *room, const char *by, const char *project, const char *user,
                             at_project_role role)
{
    return member_change(room, by, project, user, role, 0);
}

at_status at_room_member_remove(at_room *room, const char *by, const char *project, const char *user)
{
    return member_change(room, by, project, user, AT_PROJECT_NONE, 1);
}

at_project_role at_room_member_role(at_room *room, int64_t user_id, const char *project)
{
    room_conn *c = room_conn_get(room);
    at_project_role role = AT_PROJECT_NONE;
    sqlite3_stmt *s = room_stmt(c, "SELECT m.role FROM members m JOIN projects p ON p.id = m.project_id "
                                   "WHERE m.user_id = ? AND p.name = ?");
    if (s) {
        sqlite3_bind_int64(s, 1, user_id);
        room_bind_text(s, 2, project);
        if (sqlite3_step(s) == SQLITE_ROW)
            role = at_room_project_role_parse((const char *)sqlite3_column_text(s, 0));
        sqlite3_reset(s);
    }
    room_conn_put(room, c);
    return role;
}
