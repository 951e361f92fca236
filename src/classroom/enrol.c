/* Enrolment: the bounded CSV parser (the fuzz target's subject), the
 * enrolment of its students into a course (accounts with one-time
 * passwords), and the printable enrolment sheet. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define CSV_COLS_MAX 8

typedef struct {
    char *v[CSV_COLS_MAX]; /* pointers into a line buffer */
    size_t n;
} csv_fields;

/* Split one line (no newline) into fields, in place into buf. */
static at_status split_line(const char *line, size_t len, char delim, int lineno, char *buf, csv_fields *f)
{
    f->n = 0;
    size_t i = 0, o = 0;
    for (;;) {
        int col = (int)f->n + 1;
        if (f->n == CSV_COLS_MAX)
            return at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d, column %d: more than %d columns",
                                lineno, col, CSV_COLS_MAX);
        f->v[f->n++] = buf + o;
        size_t start = o;
        if (i < len && line[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return at_error_set(
                        AT_ERR_FORMAT, "enrolment CSV: line %d, column %d: a quote is not closed on its line",
                        lineno, col);
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        buf[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[o++] = line[i++];
            }
            if (i < len && line[i] != delim)
                return at_error_set(AT_ERR_FORMAT,
                                    "enrolment CSV: line %d, column %d: text after a closing quote", lineno,
                                    col);
        } else {
            while (i < len && line[i] != delim) {
                if (line[i] == '"')
                    return at_error_set(AT_ERR_FORMAT,
                                        "enrolment CSV: line %d, column %d: a quote inside an unquoted field",
                                        lineno, col);
                buf[o++] = line[i++];
            }
        }
        if (o - start > AT_ROOM_TEXT_MAX)
            return at_error_set(AT_ERR_FORMAT,
                                "enrolment CSV: line %d, column %d: a field longer than %d bytes", lineno,
                                col, AT_ROOM_TEXT_MAX);
        /* trim spaces */
        size_t e = o;
        while (e > start && (buf[e - 1] == ' ' || buf[e - 1] == '\t'))
            e--;
        buf[e] = '\0';
        char *s = buf + start;
        while (*s == ' ' || *s == '\t')
            s++;
        f->v[f->n - 1] = s;
        o++;
        if (i >= len)
            break;
        i++; /* the delimiter */
    }
    return AT_OK;
}

static int email_valid(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at == e || !at[1] || strchr(at + 1, '@') || !strchr(at + 1, '.'))
        return 0;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',' || *p == ';')
            return 0;
    return 1;
}

/* A login from an e-mail's local part: lower case, the accented Latin
 * letters of Latin-1 spelt without their accents ("élise" -> "elise"),
 * [a-z0-9._-] kept, anything else dropped. */
static void login_from_email(const char *e, char *out, size_t cap)
{
    /* U+00C0..U+00FF, lower-cased and unaccented; "" drops the letter */
    static const char *const latin1[64] = {"a", "a", "a", "a", "a", "a",  "ae", "c", "e", "e", "e", "e", "i",
                                           "i", "i", "i", "d", "n", "o",  "o",  "o", "o", "o", "",  "o", "u",
                                           "u", "u", "u", "y", "",  "ss", "a",  "a", "a", "a", "a", "a", "ae",
                                           "c", "e", "e", "e", "e", "i",  "i",  "i", "i", "d", "n", "o", "o",
                                           "o", "o", "o", "",  "o", "u",  "u",  "u", "u", "y", "",  "y"};
    size_t k = 0, lim = cap - 1 < AT_ROOM_NAME_MAX ? cap - 1 : AT_ROOM_NAME_MAX;
    for (const unsigned char *p = (const unsigned char *)e; *p && *p != '@' && k < lim; p++) {
        if ((p[0] == 0xC3) && p[1] >= 0x80 && p[1] <= 0xBF) {
            for (const char *t = latin1[(p[1] - 0x80) + 0x00]; *t && k < lim; t++)
                out[k++] = *t;
            p++;
            continue;
        }
        if (p[0] == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) { /* the ligature oe */
            for (const char *t = "oe"; *t && k < lim; t++)
                out[k++] = *t;
            p++;
            continue;
        }
        int ch = tolower(*p);
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-')
            out[k++] = (char)ch;
    }
    out[k] = '\0';
    while (out[0] && !isalnum((unsigned char)out[0]))
        memmove(out, out + 1, strlen(out));
}

static int header_is(const char *h, const char *const *names)
{
    for (; *names; names++)
        if (!strcasecmp(h, *names))
            return 1;
    return 0;
}

at_status at_course_csv_parse(const char *csv, size_t len, at_course_student **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    if (!csv)
        return at_error_set(AT_ERR_ARG, "enrolment CSV: no data");
    if (len > AT_COURSE_CSV_MAX)
        return at_error_set(AT_ERR_LIMIT, "enrolment CSV: %zu bytes, more than the %u allowed", len,
                            AT_COURSE_CSV_MAX);
    if (len >= 3 && !memcmp(csv, "\xEF\xBB\xBF", 3)) { /* a spreadsheet's byte-order mark */
        csv += 3;
        len -= 3;
    }
    char *buf = at_malloc(AT_COURSE_CSV_LINE + CSV_COLS_MAX + 1);
    if (!buf)
        return AT_ERR_NOMEM;
    at_course_student *v = NULL;
    size_t n = 0, cap = 0;
    int col_name = -1, col_email = -1, col_login = -1, have_header = 0, lineno = 0;
    char delim = ',';
    at_status st = AT_OK;
    size_t pos = 0;
    while (!st && pos < len) {
        const char *nl = memchr(csv + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (csv + pos)) : len - pos;
        const char *line = csv + pos;
        pos += ll + (nl ? 1 : 0);
        lineno++;
        if (ll && line[ll - 1] == '\r')
            ll--;
        if (ll > AT_COURSE_CSV_LINE) {
            st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d: longer than %d bytes", lineno,
                              AT_COURSE_CSV_LINE);
            break;
        }
        if (memchr(line, '\0', ll)) {
            st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d: a NUL byte", lineno);
            break;
        }
        size_t blank = 0;
        while (blank < ll && (line[blank] == ' ' || line[blank] == '\t'))
            blank++;
        if (blank == ll)
            continue;
        if (!have_header) {
            /* the delimiter the header uses most */
            size_t commas = 0, semis = 0;
            for (size_t i = 0; i < ll; i++) {
                commas += line[i] == ',';
                semis += line[i] == ';';
            }
            delim = semis > commas ? ';' : ',';
        }
        csv_fields f;
        st = split_line(line, ll, delim, lineno, buf, &f);
        if (st)
            break;
        if (!have_header) {
            static const char *const nm[] = {"name", "nom", "full name", "full_name", NULL},
                                     *const em[] = {"email", "e-mail", "mail", "courriel", NULL},
                                     *const lg[] = {"login", "user", "username", "identifiant", NULL};
            for (size_t i = 0; i < f.n; i++) {
                int *slot = header_is(f.v[i], nm)   ? &col_name
                            : header_is(f.v[i], em) ? &col_email
                            : header_is(f.v[i], lg) ? &col_login
                                                    : NULL;
                if (!slot)
                    continue;
                if (*slot >= 0) {
                    st = at_error_set(AT_ERR_FORMAT,
                                      "enrolment CSV: line %d, column %zu: a column named twice", lineno,
                                      i + 1);
                    break;
                }
                *slot = (int)i;
            }
            if (!st && col_name < 0)
                st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d: the header names no 'name' column",
                                  lineno);
            if (!st && col_email < 0 && col_login < 0)
                st = at_error_set(
                    AT_ERR_FORMAT,
                    "enrolment CSV: line %d: the header names neither an 'email' nor a 'login' column",
                    lineno);
            have_header = 1;
            continue;
        }
        if (n >= AT_COURSE_CSV_ROWS) {
            st = at_error_set(AT_ERR_LIMIT, "enrolment CSV: line %d: more than %d students", lineno,
                              AT_COURSE_CSV_ROWS);
            break;
        }
        st = AT_GROW(v, cap, n + 1);
        if (st)
            break;
        at_course_student *s = &v[n];
        memset(s, 0, sizeof *s);
        s->line = lineno;
        const char *name = (size_t)col_name < f.n ? f.v[col_name] : "";
        const char *email = col_email >= 0 && (size_t)col_email < f.n ? f.v[col_email] : "";
        const char *login = col_login >= 0 && (size_t)col_login < f.n ? f.v[col_login] : "";
        if (!*name) {
            st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d, column %d: the name is empty", lineno,
                              col_name + 1);
            break;
        }
        if (!at_room_text_valid(name)) {
            st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d, column %d: the name is not valid text",
                              lineno, col_name + 1);
            break;
        }
        if (*email && !email_valid(email)) {
            st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d, column %d: not an e-mail address",
                              lineno, col_email + 1);
            break;
        }
        if (*login) {
            if (!at_room_name_valid(login)) {
                st =
                    at_error_set(AT_ERR_FORMAT,
                                 "enrolment CSV: line %d, column %d: a login is 1 to 64 of A-Z a-z 0-9 . _ - "
                                 "starting with a letter or a digit",
                                 lineno, col_login + 1);
                break;
            }
            snprintf(s->login, sizeof s->login, "%s", login);
        } else if (*email) {
            login_from_email(email, s->login, sizeof s->login);
            if (!at_room_name_valid(s->login)) {
                st = at_error_set(
                    AT_ERR_FORMAT,
                    "enrolment CSV: line %d, column %d: no login can be made from this e-mail; add "
                    "a login column",
                    lineno, col_email + 1);
                break;
            }
        } else {
            st = at_error_set(AT_ERR_FORMAT,
                              "enrolment CSV: line %d, column %d: neither a login nor an e-mail", lineno,
                              col_login >= 0 ? col_login + 1 : col_email + 1);
            break;
        }
        for (size_t k = 0; k < n; k++)
            if (!strcmp(v[k].login, s->login)) {
                st = at_error_set(AT_ERR_FORMAT,
                                  "enrolment CSV: line %d, column %d: login '%s' is already on line %d",
                                  lineno, *login ? col_login + 1 : col_email + 1, s->login, v[k].line);
                break;
            }
        if (st)
            break;
        snprintf(s->name, sizeof s->name, "%s", name);
        snprintf(s->email, sizeof s->email, "%s", email);
        n++;
    }
    at_free(buf);
    if (!st && !have_header)
        st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line 1: no header (name and email or login)");
    if (!st && !n)
        st = at_error_set(AT_ERR_FORMAT, "enrolment CSV: line %d: no student", lineno);
    if (st) {
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

at_status at_course_enrol_csv(at_classroom *c, const char *by, const char *course, const char *csv,
                              size_t len, at_course_student **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    at_course co;
    at_status st = at_course_get(c, course, &co);
    if (st)
        return st;
    at_course_student *v = NULL;
    size_t n = 0;
    if ((st = at_course_csv_parse(csv, len, &v, &n)) != AT_OK)
        return st;
    /* refuse first what would stop half-way: staff enrolled as students */
    for (size_t i = 0; i < n && !st; i++) {
        at_user u;
        if (at_room_user_get(c->room, v[i].login, &u) == AT_OK) {
            at_project_role r = at_room_member_role(c->room, u.id, course);
            if (r == AT_PROJECT_LEAD || r == AT_PROJECT_MEMBER)
                st = at_error_set(AT_ERR_ARG, "enrolment CSV: line %d: %s teaches course %s", v[i].line,
                                  v[i].login, course);
        }
        at_error_clear();
    }
    for (size_t i = 0; i < n && !st; i++) {
        at_user u;
        int64_t uid = 0;
        if (at_room_user_get(c->room, v[i].login, &u) == AT_OK) {
            uid = u.id; /* an account of another course: no new password */
        } else {
            at_error_clear();
            st = at_room_user_create(c->room, by, v[i].login, 0, v[i].name, v[i].password, &uid);
        }
        if (!st)
            st = at_room_member_set(c->room, by, course, v[i].login, AT_PROJECT_STUDENT);
        if (!st) {
            at_room_db *db = at_room_db_get(c->room);
            st = at_room_db_begin(db);
            if (!st) {
                sqlite3_stmt *s = at_room_db_stmt(
                    db, "INSERT INTO class_enrolments(course_id, user_id, full_name, email, enrolled) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(course_id, user_id) DO UPDATE SET "
                        "full_name = excluded.full_name, email = excluded.email");
                if (!s)
                    st = AT_ERR_IO;
                else {
                    sqlite3_bind_int64(s, 1, co.id);
                    sqlite3_bind_int64(s, 2, uid);
                    sqlite3_bind_text(s, 3, v[i].name, -1, SQLITE_TRANSIENT);
                    sqlite3_bind_text(s, 4, v[i].email, -1, SQLITE_TRANSIENT);
                    sqlite3_bind_int64(s, 5, at_room_now());
                    if (sqlite3_step(s) != SQLITE_DONE)
                        st = at_room_db_error(db, "enrolment");
                    sqlite3_reset(s);
                }
            }
            char details[200];
            snprintf(details, sizeof details, "{\"student\":\"%s\",\"new_account\":%s}", v[i].login,
                     v[i].password[0] ? "true" : "false");
            if (!st)
                st = at_room_db_audit(db, by, "course.enrol", course, details);
            if (!st)
                st = at_room_db_commit(c->room, db);
            else
                at_room_db_rollback(db);
            at_room_db_put(c->room, db);
        }
        if (st)
            at_error_prefix(st, "enrolment CSV: line %d (%s)", v[i].line, v[i].login);
    }
    if (st) {
        /* the accounts made so far keep existing (a second run enrols them);
         * their one-time passwords are not lost: reset them from the pages */
        at_free(v);
        return st;
    }
    *out = v;
    *count = n;
    return AT_OK;
}

/* Append s HTML-escaped. */
static at_status esc(at_buf *b, const char *s)
{
    at_status st = AT_OK;
    for (; *s && !st; s++) {
        switch (*s) {
        case '&':
            st = at_buf_puts(b, "&amp;");
            break;
        case '<':
            st = at_buf_puts(b, "&lt;");
            break;
        case '>':
            st = at_buf_puts(b, "&gt;");
            break;
        case '"':
            st = at_buf_puts(b, "&quot;");
            break;
        case '\'':
            st = at_buf_puts(b, "&#39;");
            break;
        default:
            st = at_buf_putc(b, *s);
        }
    }
    return st;
}

at_status at_course_sheet_html(const at_course *course, const at_course_student *s, size_t n,
                               const char *server, at_buf *out)
{
    at_status st = at_buf_puts(
        out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Enrolment sheet: ");
    if (!st)
        st = esc(out, course->name);
    if (!st)
        st = at_buf_puts(
            out,
            "</title><style>body{font-family:sans-serif;margin:1cm}.card{border:1px dashed #888;padding:.6cm;"
            "margin:0 0 .5cm;page-break-inside:avoid}.pw{font-family:monospace;font-size:1.3em}"
            "@media print{.noprint{display:none}}</style></head><body>\n<h1>Course ");
    if (!st)
        st = esc(out, course->name);
    if (!st)
        st = at_buf_puts(out, ": ");
    if (!st)
        st = esc(out, course->title);
    if (!st)
        st =
            at_buf_puts(out, "</h1><p class=\"noprint\">Print this sheet and cut along the dashed lines. The "
                             "passwords are shown once: they are not stored.</p>\n<div id=\"sheet\">");
    for (size_t i = 0; i < n && !st; i++) {
        st = at_buf_puts(out, "<div class=\"card\" id=\"card-");
        if (!st)
            st = esc(out, s[i].login);
        if (!st)
            st = at_buf_puts(out, "\"><p><strong>");
        if (!st)
            st = esc(out, s[i].name);
        if (!st)
            st = at_buf_puts(out, "</strong></p><p>Room: <span class=\"server\">");
        if (!st)
            st = esc(out, server && *server ? server : "(the address your teacher gives)");
        if (!st)
            st = at_buf_puts(out, "</span></p><p>Login: <span class=\"login pw\">");
        if (!st)
            st = esc(out, s[i].login);
        if (!st)
            st = at_buf_puts(out, "</span></p><p>One-time password: <span class=\"password pw\">");
        if (!st)
            st = esc(out, s[i].password[0] ? s[i].password : "(your existing password)");
        if (!st)
            st = at_buf_puts(out,
                             "</span></p><p>At your first login you choose your own password and set up an "
                             "authenticator app (TOTP): keep your phone at hand.</p></div>\n");
    }
    if (!st)
        st = at_buf_puts(out, "</div></body></html>\n");
    return st;
}
