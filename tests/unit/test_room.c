/* The room's core: init, settings, login with both factors, TOTP (RFC 6238
 * vectors, replay), lockout, sessions' timeouts, authorisation, projects,
 * and the audit chain with its tamper cases. */
#include "support.h"

#include "atelier/room.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static time_t fake_now = 1700000000;
static time_t fake_clock(void)
{
    return fake_now;
}

typedef struct {
    char *dir;
    at_room *room;
    char otp[AT_ROOM_OTP_MAX];
} fixture;

static char *room_path(const fixture *f, const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/%s", f->dir, name);
    return buf;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char *base = test_mkdtemp();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/room", base);
    free(base);
    f->dir = strdup(dir);
    at_room_set_clock(fake_clock);
    fake_now = 1700000000;
    at_room_init_result r;
    assert_int_equal(at_room_init(f->dir, "boss", &r), AT_OK);
    memcpy(f->otp, r.password, sizeof f->otp);
    assert_string_equal(r.admin, "boss");
    assert_int_equal(strlen(r.audit_public_key), 64);
    /* anchors every 10 entries so that the tests see several */
    FILE *c = fopen(room_path(f, "room.conf"), "a");
    fputs("audit_anchor_every = 10\nlockout_base_seconds = 60\n", c);
    fclose(c);
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    at_room_close(f->room);
    char *slash = strrchr(f->dir, '/');
    *slash = '\0';
    test_rmtree(f->dir);
    free(f->dir);
    free(f);
    at_room_set_clock(NULL);
    return 0;
}

/* Bring a user from a one-time password to a full login; returns the TOTP
 * secret in secret. */
static void enrol(fixture *f, const char *name, const char *otp, const char *password, char *secret)
{
    at_login_result lr;
    assert_int_equal(at_room_login(f->room, name, otp, NULL, AT_SESSION_BEARER, "test", &lr), AT_OK);
    assert_int_equal(lr.stage, AT_STAGE_SETUP);
    assert_int_equal(lr.must, AT_MUST_PASSWORD | AT_MUST_MFA);
    at_actor a;
    assert_int_equal(at_room_session_lookup(f->room, lr.token, AT_SESSION_BEARER, &a), AT_OK);
    assert_int_equal(at_room_password_change(f->room, &a, NULL, password), AT_OK);
    char uri[AT_ROOM_URI_MAX];
    assert_int_equal(at_room_mfa_enrol(f->room, &a, 0, secret, uri), AT_OK);
    assert_non_null(strstr(uri, "otpauth://totp/atelier:"));
    assert_non_null(strstr(uri, secret));
    char code[7];
    assert_int_equal(at_room_totp_code(secret, fake_now, code), AT_OK);
    assert_int_equal(at_room_mfa_confirm(f->room, &a, code), AT_OK);
    assert_int_equal(a.must, 0);
    fake_now += 30; /* the next step for the next code */
}

static void test_totp_vectors(void **state)
{
    (void)state;
    /* RFC 6238 appendix B (SHA-1), last 6 digits */
    const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; /* "12345678901234567890" */
    struct {
        time_t t;
        const char *code;
    } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000LL, "353130"}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char code[7];
        assert_int_equal(at_room_totp_code(secret, v[i].t, code), AT_OK);
        assert_string_equal(code, v[i].code);
    }
}

static void test_init_layout(void **state)
{
    fixture *f = *state;
    struct stat sb;
    assert_int_equal(stat(f->dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(room_path(f, "keys"), &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    const char *keys[] = {"keys/master.key", "keys/site.key", "keys/audit.key"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(stat(room_path(f, keys[i]), &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
    }
    assert_int_equal(at_room_schema_version(f->room), 1);
    assert_int_equal(at_room_check(f->room), AT_OK);
    /* the one-time password is stored only hashed */
    size_t len;
    unsigned char *db = test_read_file(room_path(f, "catalog.db"), &len);
    assert_non_null(db);
    assert_false(test_contains(db, len, f->otp));
    free(db);
    /* a second init into the same folder is refused and changes nothing */
    at_room_init_result r;
    assert_int_not_equal(at_room_init(f->dir, "other", &r), AT_OK);
    assert_non_null(strstr(at_error_message(), "not empty"));
    at_user u;
    assert_int_equal(at_room_user_get(f->room, "boss", &u), AT_OK);
    assert_int_equal(u.roles, AT_ROLE_ADMIN);
    assert_int_equal(u.must, AT_MUST_PASSWORD | AT_MUST_MFA);
    /* the site key for the door is readable by the room */
    at_key k;
    assert_int_equal(at_room_site_key(f->room, &k), AT_OK);
}

static void test_conf(void **state)
{
    fixture *f = *state;
    const at_room_conf *c = at_room_config(f->room);
    assert_int_equal(c->audit_anchor_every, 10);
    assert_int_equal(c->session_idle_s, 1800);
    at_room_conf cf;
    at_room_conf_defaults(&cf);
    char *p = room_path(f, "bad.conf");
    test_write_file(p, "threads = 2\n\n# comment\nsession_idle_minutes = 0\n", 47);
    assert_int_equal(at_room_conf_read(p, &cf), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "line 4"));
    test_write_file(p, "nonsense = 1\n", 13);
    assert_int_equal(at_room_conf_read(p, &cf), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "unknown setting"));
    test_write_file(p, "session_idle_minutes = 5\nlisten = 0.0.0.0:9000\n", 48);
    assert_int_equal(at_room_conf_read(p, &cf), AT_OK);
    assert_int_equal(cf.session_idle_s, 300);
    assert_string_equal(cf.listen, "0.0.0.0:9000");
}

/* at_room_conf_each: what each module's reader of room.conf sees. */
typedef struct {
    char seen[256];
    int stop_at; /* line whose key makes the callback fail (0: none) */
} conf_lines;

static at_status conf_line(void *ud, const char *path, int lineno, char *key, char *value)
{
    (void)path;
    conf_lines *l = ud;
    size_t n = strlen(l->seen);
    snprintf(l->seen + n, sizeof l->seen - n, "%d:%s=%s;", lineno, key, value);
    if (lineno == l->stop_at)
        return at_error_set(AT_ERR_FORMAT, "stopped at %d", lineno);
    return AT_OK;
}

static void test_conf_each(void **state)
{
    fixture *f = *state;
    char *p = room_path(f, "each.conf");
    const char *text = "  jobs.cores = 4  # four\n"
                       "\n"
                       "# only a comment\n"
                       "threads=2\n"
                       "no equals sign here\n"
                       "jobs.engine =  /opt/x # path\n";
    test_write_file(p, text, strlen(text));
    conf_lines l = {{0}, 0};
    assert_int_equal(at_room_conf_each(p, "jobs.", 0, conf_line, &l), AT_OK);
    assert_string_equal(l.seen, "1:cores=4;6:engine=/opt/x;");
    memset(&l, 0, sizeof l);
    assert_int_equal(at_room_conf_each(p, "", 0, conf_line, &l), AT_OK);
    assert_string_equal(l.seen, "1:jobs.cores=4;4:threads=2;6:jobs.engine=/opt/x;");
    /* strict: the line with no '=' is an error naming it; lines before it seen */
    memset(&l, 0, sizeof l);
    assert_int_equal(at_room_conf_each(p, "", 1, conf_line, &l), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "line 5"));
    assert_string_equal(l.seen, "1:jobs.cores=4;4:threads=2;");
    /* the callback's error stops the reading and comes back */
    memset(&l, 0, sizeof l);
    l.stop_at = 4;
    assert_int_equal(at_room_conf_each(p, "", 0, conf_line, &l), AT_ERR_FORMAT);
    assert_string_equal(at_error_message(), "stopped at 4");
    assert_string_equal(l.seen, "1:jobs.cores=4;4:threads=2;");
    memset(&l, 0, sizeof l);
    assert_int_equal(at_room_conf_each(room_path(f, "absent.conf"), "", 0, conf_line, &l), AT_ERR_IO);
    assert_string_equal(l.seen, "");
    at_error_clear();
}

static void test_login_flow(void **state)
{
    fixture *f = *state;
    at_login_result lr;
    /* wrong one-time password, unknown user: the same answer */
    assert_int_equal(at_room_login(f->room, "boss", "wrong-password", NULL, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_UNAUTHENTICATED);
    char msg1[256];
    snprintf(msg1, sizeof msg1, "%s", at_error_message());
    assert_int_equal(at_room_login(f->room, "nobody", "wrong-password", NULL, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_UNAUTHENTICATED);
    assert_string_equal(msg1, at_error_message());
    char secret[AT_ROOM_TOTP_SECRET_MAX];
    enrol(f, "boss", f->otp, "correct horse battery", secret);
    /* the one-time password no longer works */
    assert_int_equal(at_room_login(f->room, "boss", f->otp, NULL, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_UNAUTHENTICATED);
    /* password without a code: asked for */
    assert_int_equal(
        at_room_login(f->room, "boss", "correct horse battery", NULL, AT_SESSION_BEARER, NULL, &lr),
        AT_ERR_UNAUTHENTICATED);
    assert_non_null(strstr(at_error_message(), "TOTP code is required"));
    char code[7];
    at_room_totp_code(secret, fake_now, code);
    assert_int_equal(
        at_room_login(f->room, "boss", "correct horse battery", code, AT_SESSION_BEARER, NULL, &lr), AT_OK);
    assert_int_equal(lr.stage, AT_STAGE_FULL);
    assert_int_equal(lr.must, 0);
    /* replay of the same code: refused, even within its window */
    at_login_result lr2;
    assert_int_equal(
        at_room_login(f->room, "boss", "correct horse battery", code, AT_SESSION_BEARER, NULL, &lr2),
        AT_ERR_UNAUTHENTICATED);
    /* an older step (-1) is refused after a newer one was used */
    at_room_totp_code(secret, fake_now - 30, code);
    assert_int_equal(
        at_room_login(f->room, "boss", "correct horse battery", code, AT_SESSION_BEARER, NULL, &lr2),
        AT_ERR_UNAUTHENTICATED);
    /* +1 step of drift accepted, +2 not */
    at_room_totp_code(secret, fake_now + 60, code);
    assert_int_equal(
        at_room_login(f->room, "boss", "correct horse battery", code, AT_SESSION_BEARER, NULL, &lr2),
        AT_ERR_UNAUTHENTICATED);
    at_room_totp_code(secret, fake_now + 30, code);
    assert_int_equal(
        at_room_login(f->room, "boss", "correct horse battery", code, AT_SESSION_BEARER, NULL, &lr2), AT_OK);
    at_actor a;
    assert_int_equal(at_room_session_lookup(f->room, lr.token, AT_SESSION_BEARER, &a), AT_OK);
    assert_string_equal(a.name, "boss");
    assert_int_equal(a.roles, AT_ROLE_ADMIN);
    /* a bearer token is not a browser session */
    assert_int_equal(at_room_session_lookup(f->room, lr.token, AT_SESSION_BROWSER, &a),
                     AT_ERR_UNAUTHENTICATED);
    /* browser: password first (stage MFA), then the code: a new id */
    fake_now += 90;
    at_login_result b1, b2;
    assert_int_equal(at_room_login_password(f->room, "boss", "correct horse battery", NULL, &b1), AT_OK);
    assert_int_equal(b1.stage, AT_STAGE_MFA);
    at_actor pending;
    assert_int_equal(at_room_session_lookup(f->room, b1.token, AT_SESSION_BROWSER, &pending), AT_OK);
    assert_int_equal(at_room_authorize(f->room, &pending, AT_ACT_SELF_READ, NULL), AT_DENY_UNAUTHENTICATED);
    at_room_totp_code(secret, fake_now, code);
    assert_int_equal(at_room_login_totp(f->room, &pending, code, NULL, &b2), AT_OK);
    assert_int_equal(b2.stage, AT_STAGE_FULL);
    assert_string_not_equal(b1.token, b2.token);
    assert_int_equal(at_room_session_lookup(f->room, b1.token, AT_SESSION_BROWSER, &a),
                     AT_ERR_UNAUTHENTICATED);
    assert_int_equal(at_room_session_lookup(f->room, b2.token, AT_SESSION_BROWSER, &a), AT_OK);
    /* change of password: the current one is required; other sessions end */
    assert_int_equal(at_room_password_change(f->room, &a, NULL, "another long password"), AT_ERR_ARG);
    assert_int_equal(at_room_password_change(f->room, &a, "not it at all", "another long password"),
                     AT_ERR_ARG);
    assert_int_equal(at_room_password_change(f->room, &a, "correct horse battery", "short"), AT_ERR_ARG);
    assert_int_equal(at_room_password_change(f->room, &a, "correct horse battery", "another long password"),
                     AT_OK);
    assert_int_equal(at_room_session_lookup(f->room, lr.token, AT_SESSION_BEARER, &a),
                     AT_ERR_UNAUTHENTICATED);
    assert_int_equal(at_room_session_lookup(f->room, b2.token, AT_SESSION_BROWSER, &a), AT_OK);
}

static void test_lockout(void **state)
{
    fixture *f = *state;
    char otp[AT_ROOM_OTP_MAX], secret[AT_ROOM_TOTP_SECRET_MAX];
    assert_int_equal(at_room_user_create(f->room, "boss", "eve", 0, "Eve", otp, NULL), AT_OK);
    enrol(f, "eve", otp, "eve's long password", secret);
    at_login_result lr;
    for (int i = 0; i < 4; i++)
        assert_int_equal(
            at_room_login(f->room, "eve", "bad guess number", NULL, AT_SESSION_BEARER, NULL, &lr),
            AT_ERR_UNAUTHENTICATED);
    assert_int_equal(at_room_login(f->room, "eve", "bad guess number", NULL, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_LOCKED);
    assert_int_equal(lr.retry_after, 60);
    /* the right factors are refused while locked */
    char code[7];
    at_room_totp_code(secret, fake_now, code);
    assert_int_equal(at_room_login(f->room, "eve", "eve's long password", code, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_LOCKED);
    fake_now += 61;
    /* one more failure after the lock: twice as long */
    assert_int_equal(at_room_login(f->room, "eve", "bad guess number", NULL, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_LOCKED);
    assert_int_equal(lr.retry_after, 120);
    fake_now += 121;
    at_room_totp_code(secret, fake_now, code);
    assert_int_equal(at_room_login(f->room, "eve", "eve's long password", code, AT_SESSION_BEARER, NULL, &lr),
                     AT_OK);
    /* wrong codes count too; unknown names lock alike */
    for (int i = 0; i < 5; i++)
        at_room_login(f->room, "ghost", "whatever it is", NULL, AT_SESSION_BEARER, NULL, &lr);
    assert_int_equal(at_room_login(f->room, "ghost", "whatever it is", NULL, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_LOCKED);
    /* a disabled account is refused after a right password */
    fake_now += 30;
    assert_int_equal(at_room_user_set_disabled(f->room, "boss", "eve", 1), AT_OK);
    at_room_totp_code(secret, fake_now, code);
    assert_int_equal(at_room_login(f->room, "eve", "eve's long password", code, AT_SESSION_BEARER, NULL, &lr),
                     AT_ERR_DENIED);
}

static void test_sessions(void **state)
{
    fixture *f = *state;
    char otp[AT_ROOM_OTP_MAX];
    int64_t id;
    assert_int_equal(at_room_user_create(f->room, "boss", "sam", 0, "", otp, &id), AT_OK);
    char t[AT_ROOM_TOKEN_MAX];
    at_actor a;
    assert_int_equal(at_room_session_open(f->room, id, AT_SESSION_BROWSER, AT_STAGE_FULL, 0, t), AT_OK);
    assert_int_equal(strlen(t), 47);
    /* idle: 29 minutes apart is fine, 30 is not */
    fake_now += 29 * 60;
    assert_int_equal(at_room_session_lookup(f->room, t, AT_SESSION_BROWSER, &a), AT_OK);
    fake_now += 29 * 60;
    assert_int_equal(at_room_session_lookup(f->room, t, AT_SESSION_BROWSER, &a), AT_OK);
    fake_now += 30 * 60;
    assert_int_equal(at_room_session_lookup(f->room, t, AT_SESSION_BROWSER, &a), AT_ERR_UNAUTHENTICATED);
    /* absolute: 12 hours, however active */
    assert_int_equal(at_room_session_open(f->room, id, AT_SESSION_BROWSER, AT_STAGE_FULL, 0, t), AT_OK);
    for (int i = 0; i < 30; i++) {
        fake_now += 25 * 60;
        at_status st = at_room_session_lookup(f->room, t, AT_SESSION_BROWSER, &a);
        assert_int_equal(st, (i + 1) * 25 * 60 >= 12 * 3600 ? AT_ERR_UNAUTHENTICATED : AT_OK);
    }
    /* revoke; disable ends every session */
    assert_int_equal(at_room_session_open(f->room, id, AT_SESSION_BEARER, AT_STAGE_FULL, 0, t), AT_OK);
    assert_int_equal(at_room_session_lookup(f->room, t, AT_SESSION_BEARER, &a), AT_OK);
    assert_int_equal(at_room_session_revoke(f->room, &a), AT_OK);
    assert_int_equal(at_room_session_lookup(f->room, t, AT_SESSION_BEARER, &a), AT_ERR_UNAUTHENTICATED);
    assert_int_equal(at_room_session_open(f->room, id, AT_SESSION_BEARER, AT_STAGE_FULL, 0, t), AT_OK);
    assert_int_equal(at_room_user_set_disabled(f->room, "boss", "sam", 1), AT_OK);
    assert_int_equal(at_room_session_lookup(f->room, t, AT_SESSION_BEARER, &a), AT_ERR_UNAUTHENTICATED);
    /* malformed tokens never reach the catalog */
    assert_int_equal(at_room_session_lookup(f->room, "atl_'; DROP TABLE sessions; --", AT_SESSION_BEARER, &a),
                     AT_ERR_UNAUTHENTICATED);
    /* CSRF tokens: bound to the cookie */
    char csrf[AT_ROOM_TOKEN_MAX];
    at_room_csrf_token(f->room, t, csrf);
    assert_true(at_room_csrf_check(f->room, t, csrf));
    assert_false(at_room_csrf_check(f->room, "another", csrf));
    assert_false(at_room_csrf_check(f->room, t, ""));
    /* the last administrator cannot be disabled or lose the role */
    assert_int_equal(at_room_user_set_disabled(f->room, "boss", "boss", 1), AT_ERR_DENIED);
    assert_int_equal(at_room_user_set_role(f->room, "boss", "boss", AT_ROLE_ADMIN, 0), AT_ERR_DENIED);
    assert_int_equal(at_room_user_set_role(f->room, "boss", "sam", AT_ROLE_DPO, 1), AT_OK);
    at_user u;
    assert_int_equal(at_room_user_get(f->room, "sam", &u), AT_OK);
    assert_int_equal(u.roles, AT_ROLE_DPO);
    assert_int_equal(u.disabled, 1);
}

static void test_projects_authz(void **state)
{
    fixture *f = *state;
    char otp[AT_ROOM_OTP_MAX];
    int64_t lead, stud, other, dpo;
    const char *meta = "O'Brien \"; DROP TABLE users; -- % _ \\ é";
    assert_int_equal(at_room_user_create(f->room, "boss", "lea", 0, meta, otp, &lead), AT_OK);
    assert_int_equal(at_room_user_create(f->room, "boss", "stu", 0, "", otp, &stud), AT_OK);
    assert_int_equal(at_room_user_create(f->room, "boss", "oth", 0, "", otp, &other), AT_OK);
    assert_int_equal(at_room_user_create(f->room, "boss", "dan", AT_ROLE_DPO, "", otp, &dpo), AT_OK);
    assert_int_equal(at_room_user_create(f->room, "boss", "lea", 0, "", otp, NULL), AT_ERR_EXISTS);
    assert_int_equal(at_room_user_create(f->room, "boss", "x'; --", 0, "", otp, NULL), AT_ERR_ARG);
    assert_int_equal(at_room_project_create(f->room, "boss", "onco-1", meta), AT_OK);
    assert_int_equal(at_room_project_create(f->room, "boss", "onco-2", ""), AT_OK);
    assert_int_equal(at_room_project_create(f->room, "boss", "onco-1", ""), AT_ERR_EXISTS);
    assert_int_equal(at_room_project_create(f->room, "boss", "../etc", ""), AT_ERR_ARG);
    assert_int_equal(at_room_project_create(f->room, "boss", "ctl", "a\x01b"), AT_ERR_ARG);
    assert_int_equal(at_room_member_set(f->room, "boss", "onco-1", "lea", AT_PROJECT_LEAD), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "onco-1", "stu", AT_PROJECT_STUDENT), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "onco-2", "oth", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(f->room, "boss", "onco-9", "oth", AT_PROJECT_MEMBER),
                     AT_ERR_NOT_FOUND);
    assert_int_equal(at_room_member_set(f->room, "boss", "onco-1", "nobody", AT_PROJECT_MEMBER),
                     AT_ERR_NOT_FOUND);
    at_project p;
    assert_int_equal(at_room_project_get(f->room, "onco-1", &p), AT_OK);
    assert_string_equal(p.title, meta);
    at_user u;
    assert_int_equal(at_room_user_get(f->room, "lea", &u), AT_OK);
    assert_string_equal(u.full_name, meta);
    at_member *m;
    size_t n;
    assert_int_equal(at_room_project_members(f->room, "onco-1", &m, &n), AT_OK);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].user, "lea");
    assert_int_equal(m[0].role, AT_PROJECT_LEAD);
    at_free(m);
    at_project *ps;
    assert_int_equal(at_room_user_projects(f->room, stud, &ps, &n), AT_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ps[0].my_role, AT_PROJECT_STUDENT);
    at_free(ps);

    at_actor a = {.user_id = lead, .stage = AT_STAGE_FULL};
    at_object o1 = {.project = "onco-1"}, o2 = {.project = "onco-2"};
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_MEMBER_MANAGE, &o1), AT_ALLOW);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_MEMBER_MANAGE, &o2), AT_DENY_FORBIDDEN);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_PROJECT_READ, &o2), AT_DENY_FORBIDDEN);
    a.user_id = stud;
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_PROJECT_READ, &o1), AT_ALLOW);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_MEMBER_MANAGE, &o1), AT_DENY_FORBIDDEN);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_AUDIT_READ, NULL), AT_DENY_FORBIDDEN);
    a.user_id = dpo;
    a.roles = AT_ROLE_DPO;
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_AUDIT_READ, NULL), AT_ALLOW);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_USER_MANAGE, NULL), AT_DENY_FORBIDDEN);
    a.stage = AT_STAGE_SETUP;
    a.must = AT_MUST_MFA;
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_AUDIT_READ, NULL), AT_DENY_SETUP);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_MFA_ENROL, NULL), AT_ALLOW);
    assert_int_equal(at_room_authorize(f->room, &a, AT_ACT_PASSWORD_CHANGE, NULL), AT_DENY_SETUP);
    assert_int_equal(at_room_authorize(f->room, NULL, AT_ACT_SELF_READ, NULL), AT_DENY_UNAUTHENTICATED);
    assert_int_equal(at_room_authorize(f->room, NULL, AT_ACT_PUBLIC, NULL), AT_ALLOW);
    assert_int_equal(at_room_member_remove(f->room, "lea", "onco-1", "stu"), AT_OK);
    assert_int_equal(at_room_member_remove(f->room, "lea", "onco-1", "stu"), AT_ERR_NOT_FOUND);
}

/* ---- audit ---- */

static int count_entries(void *ud, const at_audit_entry *e)
{
    (void)e;
    (*(int *)ud)++;
    return 0;
}

/* Fill the audit with n entries and close the room (its final anchor). */
static void audit_fill(fixture *f, int n)
{
    for (int i = 0; i < n; i++) {
        char obj[32];
        snprintf(obj, sizeof obj, "thing:%d", i);
        assert_int_equal(at_room_audit(f->room, "tester", "test.write", obj, "{\"n\":\"x\"}"), AT_OK);
    }
    assert_int_equal(at_room_close(f->room), AT_OK);
    f->room = NULL;
}

static sqlite3 *open_db(fixture *f)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(room_path(f, "catalog.db"), &db), SQLITE_OK);
    return db;
}

static void sql(sqlite3 *db, const char *q)
{
    char *err = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", q, err);
}

static void expect_broken(fixture *f, int64_t seq, const char *words)
{
    at_audit_report r;
    assert_int_equal(at_room_audit_verify(f->dir, NULL, &r), AT_OK);
    if (r.ok || r.first_broken != seq || !strstr(r.message, words))
        fail_msg("expected entry %lld '%s', got ok=%d first=%lld: %s", (long long)seq, words, r.ok,
                 (long long)r.first_broken, r.message);
}

static void test_audit_ok_and_query(void **state)
{
    fixture *f = *state;
    assert_int_equal(at_room_audit(f->room, "alice", "data.read", "dataset:a", NULL), AT_OK);
    assert_int_equal(at_room_audit(f->room, "bob", "data.write", "dataset:b", NULL), AT_OK);
    int n = 0;
    at_audit_filter flt = {.who = "alice"};
    assert_int_equal(at_room_audit_query(f->room, &flt, count_entries, &n), AT_OK);
    assert_int_equal(n, 1);
    n = 0;
    at_audit_filter f2 = {.what = "data."};
    assert_int_equal(at_room_audit_query(f->room, &f2, count_entries, &n), AT_OK);
    assert_int_equal(n, 2);
    n = 0;
    at_audit_filter f3 = {.since = "2023-11-14", .until = "2023-11-14"}; /* fake_now's day */
    assert_int_equal(at_room_audit_query(f->room, &f3, count_entries, &n), AT_OK);
    assert_true(n >= 4);
    n = 0;
    at_audit_filter f4 = {.until = "2023-11-13"};
    assert_int_equal(at_room_audit_query(f->room, &f4, count_entries, &n), AT_OK);
    assert_int_equal(n, 0);
    at_audit_filter f5 = {.since = "yesterday"};
    assert_int_equal(at_room_audit_query(f->room, &f5, count_entries, &n), AT_ERR_ARG);
    audit_fill(f, 25);
    at_audit_report r;
    assert_int_equal(at_room_audit_verify(f->dir, NULL, &r), AT_OK);
    assert_true(r.ok);
    assert_true(r.anchors >= 3);
    assert_int_equal(r.entries, 29);
    /* verify with a wrong public key: no anchor is valid, but the chain is */
    char pk[65];
    memset(pk, 'a', 64);
    pk[64] = '\0';
    assert_int_equal(at_room_audit_verify(f->dir, pk, &r), AT_OK);
    assert_int_equal(r.anchors, 0);
    assert_true(r.ok);
    /* a torn last line of the anchors log (a crash) is not trusted, not fatal */
    FILE *a = fopen(room_path(f, "audit-anchors.log"), "a");
    fputs("v1 from=30 to=31 time=x hashes=ab", a);
    fclose(a);
    assert_int_equal(at_room_audit_verify(f->dir, NULL, &r), AT_OK);
    assert_true(r.ok);
    /* and the room goes on anchoring after it */
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
    audit_fill(f, 3);
    assert_int_equal(at_room_audit_verify(f->dir, NULL, &r), AT_OK);
    assert_true(r.ok);
    assert_int_equal(r.entries, 32);
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
}

static void test_audit_edit(void **state)
{
    fixture *f = *state;
    audit_fill(f, 30);
    sqlite3 *db = open_db(f);
    sql(db, "UPDATE audit SET details = '{\"n\":\"y\"}' WHERE seq = 12");
    sqlite3_close(db);
    expect_broken(f, 12, "entry 12 was edited");
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
}

static void test_audit_delete_newest(void **state)
{
    fixture *f = *state;
    audit_fill(f, 30);
    sqlite3 *db = open_db(f);
    sql(db, "DELETE FROM audit WHERE seq > 28");
    sqlite3_close(db);
    expect_broken(f, 29, "missing (the newest deleted)");
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
}

static void test_audit_delete_middle(void **state)
{
    fixture *f = *state;
    audit_fill(f, 30);
    sqlite3 *db = open_db(f);
    sql(db, "DELETE FROM audit WHERE seq IN (15, 16)");
    sqlite3_close(db);
    expect_broken(f, 15, "entries 15 to 16 are missing");
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
}

static void test_audit_rebuild(void **state)
{
    fixture *f = *state;
    audit_fill(f, 30);
    /* edit entry 17 and recompute every hash from it on, as someone who
     * knows the rule but not the signing key would */
    sqlite3 *db = open_db(f);
    sql(db, "UPDATE audit SET actor = 'nobody' WHERE seq = 17");
    sqlite3_stmt *s;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT seq, time, actor, action, object, details, prev_hash FROM audit "
                           "WHERE seq >= 17 ORDER BY seq",
                           -1, &s, NULL),
        SQLITE_OK);
    unsigned char prev[32];
    int first = 1;
    sqlite3_stmt *u;
    assert_int_equal(
        sqlite3_prepare_v2(db, "UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", -1, &u, NULL),
        SQLITE_OK);
    sql(db, "BEGIN");
    while (sqlite3_step(s) == SQLITE_ROW) {
        at_audit_entry e = {.seq = sqlite3_column_int64(s, 0),
                            .actor = (const char *)sqlite3_column_text(s, 2),
                            .action = (const char *)sqlite3_column_text(s, 3),
                            .object = (const char *)sqlite3_column_text(s, 4),
                            .details = (const char *)sqlite3_column_text(s, 5)};
        snprintf(e.time, sizeof e.time, "%s", sqlite3_column_text(s, 1));
        if (first)
            memcpy(prev, sqlite3_column_blob(s, 6), 32);
        first = 0;
        unsigned char h[32];
        at_room_audit_entry_hash(prev, &e, h);
        sqlite3_bind_blob(u, 1, prev, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(u, 2, h, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u, 3, e.seq);
        assert_int_equal(sqlite3_step(u), SQLITE_DONE);
        sqlite3_reset(u);
        memcpy(prev, h, 32);
    }
    sql(db, "COMMIT");
    sqlite3_finalize(s);
    sqlite3_finalize(u);
    sqlite3_close(db);
    expect_broken(f, 17, "differs from its signed anchor");
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
}

static void test_schema_and_key_modes(void **state)
{
    fixture *f = *state;
    assert_int_equal(at_room_close(f->room), AT_OK);
    f->room = NULL;
    /* a catalog from a newer atelier is refused, not changed */
    sqlite3 *db = open_db(f);
    sql(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
    at_room *r = NULL;
    assert_int_equal(at_room_open(f->dir, &r), AT_ERR_UNSUPPORTED);
    assert_non_null(strstr(at_error_message(), "newer"));
    db = open_db(f);
    sql(db, "PRAGMA user_version = 1");
    sqlite3_close(db);
    /* keys that others can read stop the room */
    char *keys = room_path(f, "keys");
    assert_int_equal(chmod(keys, 0755), 0);
    assert_int_equal(at_room_open(f->dir, &r), AT_ERR_CRYPTO);
    assert_non_null(strstr(at_error_message(), "chmod 700"));
    assert_int_equal(chmod(keys, 0700), 0);
    assert_int_equal(chmod(room_path(f, "keys/audit.key"), 0640), 0);
    assert_int_equal(at_room_open(f->dir, &r), AT_ERR_CRYPTO);
    assert_int_equal(chmod(room_path(f, "keys/audit.key"), 0600), 0);
    assert_int_equal(at_room_open(f->dir, &f->room), AT_OK);
    assert_int_equal(at_room_schema_version(f->room), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totp_vectors),
        cmocka_unit_test_setup_teardown(test_init_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conf_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_projects_authz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_ok_and_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_delete_newest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_delete_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_and_key_modes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
