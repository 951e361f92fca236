/* The authorisation matrix: every route of the service (the library's own
 * route table) x every kind of caller (no session, an expired one, a
 * disabled user, an account still in setup, a login awaiting its code, an
 * administrator, the DPO, a teacher, a project's lead, member and student,
 * and a user of another project), each request over HTTPS against the
 * table below. A route without its row here fails the test, and so does a
 * row without its route. Allowed: any answer but 401, 403 or a redirect
 * to the login page; denied: one of those. */
#include "airlock_support.h"

enum {
    A_NONE,
    A_EXPIRED,
    A_DISABLED,
    A_SETUP,
    A_MFA,
    A_ADMIN,
    A_DPO,
    A_TEACHER,
    A_LEAD,
    A_MEMBER,
    A_STUDENT,
    A_OTHER,
    A_COUNT
};
static const char *const actor_names[A_COUNT] = {"none", "expired", "disabled", "setup",  "mfa",     "admin",
                                                 "dpo",  "teacher", "lead",     "member", "student", "other"};

/* Who may: "*" everyone, else actor names; "full" = every logged-in user. */
static const struct {
    const char *method, *pattern, *allowed;
} expected[] = {
    {"GET", "/api/v1/health", "*"},
    {"POST", "/api/v1/login", "*"},
    {"POST", "/api/v1/logout", "setup full"},
    {"GET", "/api/v1/me", "full"},
    {"POST", "/api/v1/password", "setup full"},
    {"POST", "/api/v1/mfa/enrol", "setup"},
    {"POST", "/api/v1/mfa/confirm", "setup"},
    {"GET", "/api/v1/users", "admin"},
    {"POST", "/api/v1/users", "admin"},
    {"GET", "/api/v1/users/{user}", "admin"},
    {"POST", "/api/v1/users/{user}/disable", "admin"},
    {"POST", "/api/v1/users/{user}/enable", "admin"},
    {"POST", "/api/v1/users/{user}/reset-mfa", "admin"},
    {"POST", "/api/v1/users/{user}/reset-password", "admin"},
    {"POST", "/api/v1/users/{user}/roles", "admin"},
    {"GET", "/api/v1/projects", "full"},
    {"POST", "/api/v1/projects", "admin"},
    {"GET", "/api/v1/projects/{project}", "admin dpo lead member student"},
    {"POST", "/api/v1/projects/{project}/members", "admin lead"},
    {"DELETE", "/api/v1/projects/{project}/members/{user}", "admin lead"},
    {"GET", "/api/v1/audit", "dpo"},
    {"GET", "/api/v1/audit/verify", "dpo"},
    {"GET", "/login", "*"},
    {"POST", "/login", "*"},
    {"GET", "/login/mfa", "mfa"},
    {"POST", "/login/mfa", "mfa"},
    {"POST", "/logout", "setup mfa full"},
    {"GET", "/", "full"},
    {"GET", "/password", "setup full"},
    {"POST", "/password", "setup full"},
    {"GET", "/mfa/enrol", "setup"},
    {"POST", "/mfa/enrol", "setup"},
    {"GET", "/admin/users", "admin"},
    {"POST", "/admin/users", "admin"},
    {"POST", "/admin/users/{user}/disable", "admin"},
    {"POST", "/admin/users/{user}/enable", "admin"},
    {"POST", "/admin/users/{user}/reset-mfa", "admin"},
    {"POST", "/admin/users/{user}/reset-password", "admin"},
    {"POST", "/admin/users/{user}/roles", "admin"},
    {"GET", "/admin/projects", "admin"},
    {"POST", "/admin/projects", "admin"},
    {"GET", "/projects/{project}", "admin dpo lead member student"},
    {"POST", "/projects/{project}/members", "admin lead"},
    {"POST", "/projects/{project}/members/{user}/remove", "admin lead"},
    {"GET", "/audit", "dpo"},
    {"GET", "/audit.csv", "dpo"},
    {"GET", "/static/bootstrap.min.css", "*"},
    /* jobs */
    {"POST", "/api/v1/projects/{project}/jobs", "lead member student"},
    {"GET", "/api/v1/projects/{project}/jobs", "admin lead member student"},
    {"POST", "/api/v1/projects/{project}/code", "lead member student"},
    {"GET", "/api/v1/projects/{project}/datasets", "lead member student"},
    {"GET", "/api/v1/jobs", "full"},
    {"GET", "/api/v1/jobs/{job}", "admin lead member student"},
    {"GET", "/api/v1/jobs/{job}/log",
     "lead member"}, /* the job is u-member's: a student reads their own only */
    {"GET", "/api/v1/jobs/{job}/events", "admin lead member student"},
    {"POST", "/api/v1/jobs/{job}/cancel", "admin lead member"},
    {"GET", "/api/v1/jobs/{job}/result", "lead member"},
    {"GET", "/api/v1/queue", "admin"},
    {"GET", "/api/v1/usage", "full"},
    {"GET", "/jobs", "full"},
    {"GET", "/jobs/{job}", "admin lead member student"},
    {"POST", "/jobs/{job}/cancel", "admin lead member"},
    {"GET", "/projects/{project}/jobs", "admin lead member student"},
    {"GET", "/queue", "admin"},
    /* the airlock: the request is u-member's, in review, never released */
    {"POST", "/api/v1/projects/{project}/exports", "lead member student"},
    {"GET", "/api/v1/exports", "full"},
    {"GET", "/api/v1/airlock/queue", "full"},
    {"GET", "/api/v1/airlock/all", "dpo"},
    {"GET", "/api/v1/exports/{request}", "dpo lead member"},
    {"POST", "/api/v1/exports/{request}/files", "member"},
    {"DELETE", "/api/v1/exports/{request}/files/{file}", "member"},
    {"POST", "/api/v1/exports/{request}/files/{file}/replace", "member"},
    {"POST", "/api/v1/exports/{request}/files/{file}/exception", "member"},
    {"POST", "/api/v1/exports/{request}/files/{file}/round", "member"},
    {"POST", "/api/v1/exports/{request}/files/{file}/vote", "dpo lead"},
    {"POST", "/api/v1/exports/{request}/submit", "member"},
    {"POST", "/api/v1/exports/{request}/withdraw", "member"},
    {"POST", "/api/v1/exports/{request}/comments", "dpo lead member"},
    {"POST", "/api/v1/exports/{request}/review", "dpo lead"},
    {"POST", "/api/v1/exports/{request}/reject", "dpo lead"},
    {"POST", "/api/v1/exports/{request}/release", "member"},
    {"GET", "/api/v1/exports/{request}/package", ""}, /* nobody: a file not released is never downloaded */
    {"GET", "/airlock", "full"},
    {"GET", "/airlock/queue", "full"},
    {"GET", "/airlock/all", "dpo"},
    {"POST", "/projects/{project}/exports", "lead member student"},
    {"GET", "/airlock/requests/{request}", "dpo lead member"},
    {"GET", "/airlock/requests/{request}/files/{file}", "dpo lead member"},
    {"POST", "/airlock/requests/{request}/files", "member"},
    {"POST", "/airlock/requests/{request}/files/{file}/remove", "member"},
    {"POST", "/airlock/requests/{request}/files/{file}/replace", "member"},
    {"POST", "/airlock/requests/{request}/files/{file}/exception", "member"},
    {"POST", "/airlock/requests/{request}/files/{file}/round", "member"},
    {"POST", "/airlock/requests/{request}/files/{file}/vote", "dpo lead"},
    {"POST", "/airlock/requests/{request}/submit", "member"},
    {"POST", "/airlock/requests/{request}/withdraw", "member"},
    {"POST", "/airlock/requests/{request}/comments", "dpo lead member"},
    {"POST", "/airlock/requests/{request}/review", "dpo lead"},
    {"POST", "/airlock/requests/{request}/reject", "dpo lead"},
    {"POST", "/airlock/requests/{request}/release", "member"},
    {"GET", "/airlock/requests/{request}/package", ""},
    /* the vault in the room: dataset "ds" of P (synthetic), u-member's import in P, still uploading */
    {"GET", "/api/v1/datasets", "full"},
    {"GET", "/api/v1/projects/{project}/datasets/{dataset}", "dpo lead member student"},
    {"GET", "/api/v1/projects/{project}/datasets/{dataset}/snapshots/{snapshot}", "dpo lead member student"},
    {"GET", "/api/v1/projects/{project}/datasets/{dataset}/snapshots/{snapshot}/file", "lead member student"},
    {"GET", "/api/v1/projects/{project}/datasets/{dataset}/snapshots/{snapshot}/archive",
     "lead member student"},
    {"GET", "/api/v1/projects/{project}/datasets/{dataset}/lineage", "dpo lead member student"},
    {"POST", "/api/v1/projects/{project}/imports", "lead member student"},
    {"GET", "/api/v1/projects/{project}/imports/{import}", "dpo lead member student"},
    {"POST", "/api/v1/projects/{project}/imports/{import}/chunks", "member"},
    {"POST", "/api/v1/projects/{project}/imports/{import}/finish", "member"},
    {"POST", "/api/v1/projects/{project}/imports/{import}/cancel", "member"},
    {"POST", "/api/v1/vault/gc", "admin"},
    {"POST", "/api/v1/projects/{project}/datasets/{dataset}/delete", "lead"},
    {"POST", "/api/v1/projects/{project}/datasets/{dataset}/shred", "dpo"}, /* the body never confirms */
    {"GET", "/api/v1/deletions", "dpo"},
    {"GET", "/deletions", "dpo"},
    {"POST", "/projects/{project}/datasets/{dataset}/delete", "lead"},
    {"POST", "/projects/{project}/datasets/{dataset}/shred", "dpo"},
    {"GET", "/datasets", "full"},
    {"GET", "/projects/{project}/datasets/{dataset}", "dpo lead member student"},
    {"GET", "/projects/{project}/datasets/{dataset}/lineage", "dpo lead member student"},
    {"GET", "/projects/{project}/imports/{import}", "dpo lead member student"},
    {"POST", "/projects/{project}/imports/{import}/cancel", "member"},
    /* the classroom: P stands for a course (its lead the teacher, its member an assistant, its student a
     * student); the hidden split lives in P.grading, which no route of a student names */
    {"GET", "/api/v1/courses", "full"},
    {"POST", "/api/v1/courses", "teacher"},
    {"GET", "/api/v1/courses/{project}", "lead member student"},
    {"POST", "/api/v1/courses/{project}/tas", "lead"},
    {"POST", "/api/v1/courses/{project}/quota", "lead"},
    {"POST", "/api/v1/courses/{project}/students", "lead member"},
    {"POST", "/api/v1/courses/{project}/data", "lead member"},
    {"POST", "/api/v1/courses/{project}/assignments", "lead member"},
    {"GET", "/api/v1/courses/{project}/assignments/{assignment}", "lead member student"},
    {"POST", "/api/v1/courses/{project}/assignments/{assignment}/submissions", "student"},
    {"GET", "/api/v1/courses/{project}/usage", "lead member"},
    {"GET", "/api/v1/courses/{project}/grades", "lead member"},
    {"GET", "/api/v1/courses/{project}/submissions/{submission}/config", "lead member"},
    {"GET", "/api/v1/courses/{project}/submissions/{submission}/code", "lead member"},
    {"GET", "/courses", "full"},
    {"POST", "/courses", "teacher"},
    {"GET", "/courses/{project}", "lead member student"},
    {"POST", "/courses/{project}/tas", "lead"},
    {"POST", "/courses/{project}/quota", "lead"},
    {"POST", "/courses/{project}/students", "lead member"},
    {"POST", "/courses/{project}/data", "lead member"},
    {"POST", "/courses/{project}/assignments", "lead member"},
    {"GET", "/courses/{project}/assignments/{assignment}", "lead member student"},
    {"POST", "/courses/{project}/assignments/{assignment}/submissions", "student"},
    {"GET", "/courses/{project}/grades.csv", "lead member"},
    {"GET", "/courses/{project}/submissions/{submission}/config", "lead member"},
};
#define EXPECTED_COUNT (sizeof expected / sizeof *expected)

static int allowed_by_table(const char *allowed, int actor)
{
    if (!strcmp(allowed, "*"))
        return 1;
    if (actor >= A_ADMIN && strstr(allowed, "full"))
        return 1;
    char word[32];
    for (const char *p = allowed; *p;) {
        size_t n = strcspn(p, " ");
        snprintf(word, sizeof word, "%.*s", (int)n, p);
        if (!strcmp(word, actor_names[actor]))
            return 1;
        p += n;
        while (*p == ' ')
            p++;
    }
    return 0;
}

static void test_table_covers_routes(void **state)
{
    (void)state;
    size_t n = at_web_route_count();
    for (size_t i = 0; i < n; i++) {
        const at_web_route_info *r = at_web_route_at(i);
        int found = 0;
        for (size_t k = 0; k < EXPECTED_COUNT; k++)
            found |= !strcmp(expected[k].method, r->method) && !strcmp(expected[k].pattern, r->pattern);
        if (!found)
            fail_msg("route %s %s has no row in the authorisation matrix", r->method, r->pattern);
    }
    for (size_t k = 0; k < EXPECTED_COUNT; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= !strcmp(expected[k].method, at_web_route_at(i)->method) &&
                     !strcmp(expected[k].pattern, at_web_route_at(i)->pattern);
        if (!found)
            fail_msg("the matrix names %s %s, which is not a route", expected[k].method, expected[k].pattern);
    }
}

/* ---- the walk ---- */

typedef struct {
    rs_room room;
    int64_t uid[A_COUNT];
    int64_t job;                      /* a job of u-member in P */
    int64_t request;                  /* u-member's export request in P, in review */
    int64_t file;                     /* its file */
    int64_t import;                   /* u-member's import in P, uploading */
    char snap[AT_VAULT_SNAPSHOT_HEX]; /* the snapshot of P's dataset "ds" */
    char login_secret[AT_ROOM_TOTP_SECRET_MAX];
    int counter;
} world;

static world W;

static void make_world(void)
{
    at_room_set_clock(rs_clock);
    rs_offset = 0;
    at_log_set_handler(rs_log_fn, NULL, AT_LOG_INFO);
    rs_start(&W.room, "lockout_failures = 100\njobs.executor = none\n");
    at_room *rm = W.room.room;
    char otp[AT_ROOM_OTP_MAX];
    static const unsigned roles[A_COUNT] = {
        [A_ADMIN] = AT_ROLE_ADMIN, [A_DPO] = AT_ROLE_DPO, [A_TEACHER] = AT_ROLE_TEACHER};
    for (int a = A_EXPIRED; a < A_COUNT; a++) {
        if (a == A_MFA)
            continue; /* the login user below */
        char name[32];
        snprintf(name, sizeof name, "u-%s", actor_names[a]);
        assert_int_equal(at_room_user_create(rm, "admin", name, roles[a], "", otp, &W.uid[a]), AT_OK);
    }
    /* the user who logs in (TOTP enrolled): the "mfa" actor's sessions */
    W.uid[A_MFA] = rs_full_user(&W.room, "u-login", 0, "the login password", W.login_secret);
    assert_int_equal(at_room_project_create(rm, "admin", "P", "the project"), AT_OK);
    assert_int_equal(at_room_project_create(rm, "admin", "Q", "another project"), AT_OK);
    assert_int_equal(at_room_member_set(rm, "admin", "P", "u-lead", AT_PROJECT_LEAD), AT_OK);
    assert_int_equal(at_room_member_set(rm, "admin", "P", "u-member", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(rm, "admin", "P", "u-student", AT_PROJECT_STUDENT), AT_OK);
    assert_int_equal(at_room_member_set(rm, "admin", "P", "u-disabled", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(rm, "admin", "P", "u-expired", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(rm, "admin", "Q", "u-other", AT_PROJECT_LEAD), AT_OK);
    assert_int_equal(at_room_user_create(rm, "admin", "victim", 0, "", otp, NULL), AT_OK);
    assert_int_equal(at_room_user_set_disabled(rm, "admin", "u-disabled", 1), AT_OK);
    /* code and a job of the member's, for the job routes */
    char *code = test_mkdtemp(), snap[AT_VAULT_SNAPSHOT_HEX], path[700];
    snprintf(path, sizeof path, "%s/run.sh", code);
    test_write_file(path, "true\n", 5);
    assert_int_equal(at_jobs_dataset_put(W.room.jobs, "u-member", "P", "code", "code", 0, code, snap), AT_OK);
    test_rmtree(code);
    free(code);
    at_job_spec spec;
    const char *js = "{\"kind\":\"script\",\"command\":\"sh run.sh\",\"project\":\"P\"}";
    assert_int_equal(at_job_spec_parse(js, strlen(js), &spec), AT_OK);
    assert_int_equal(at_jobs_submit(W.room.jobs, "u-member", &spec, &W.job), AT_OK);
    at_job_spec_free(&spec);
    /* an export request of the member's, in review, with a table from a job's result */
    static const char *const names[] = {"table.csv"}, *const rows[] = {"stage,patients\nI,25\nII,31\n"};
    int64_t done = al_result_job(&W.room, "u-member", "P", 1, names, rows, NULL);
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)done);
    at_airlock_add_spec add = {.kind = "result", .id = id, .path = "table.csv"};
    at_airlock_state st;
    assert_int_equal(at_airlock_create(W.room.airlock, "u-member", "P", "a table", &W.request), AT_OK);
    assert_int_equal(at_airlock_add(W.room.airlock, "u-member", W.request, &add, &W.file), AT_OK);
    assert_int_equal(at_airlock_submit(W.room.airlock, "u-member", W.request, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    /* the vault: a synthetic dataset "ds" of P imported through the room, and an import still uploading */
    at_import_file f = {.size = 5, .ext = "txt", .path = "a.txt"};
    at_import_spec is = {.project = "P",
                         .dataset = "ds",
                         .kind = "files",
                         .synthetic = 1,
                         .fingerprint = "0011223344556677",
                         .files = &f,
                         .file_count = 1};
    int64_t iid = 0;
    assert_int_equal(at_datasets_import_begin(W.room.datasets, "u-member", &is, &iid, NULL), AT_OK);
    char frame[200];
    size_t hl = at_datasets_chunk_header(0, 0, "hello", 5, frame);
    memcpy(frame + hl, "hello", 5);
    assert_int_equal(at_datasets_import_chunk(W.room.datasets, "u-member", iid, frame, hl + 5), AT_OK);
    assert_int_equal(at_datasets_import_finish(W.room.datasets, "u-member", iid), AT_OK);
    at_dataset_import imp;
    assert_int_equal(at_datasets_import_wait(W.room.datasets, iid, 60, &imp), AT_OK);
    assert_int_equal(imp.state, AT_IMPORT_DONE);
    snprintf(W.snap, sizeof W.snap, "%s", imp.snapshot);
    is.fingerprint = "8899aabbccddeeff";
    assert_int_equal(at_datasets_import_begin(W.room.datasets, "u-member", &is, &W.import, NULL), AT_OK);
}

/* A fresh credential for actor of the given kind: a token, a cookie
 * value, or "" for nobody. */
static void credential(int actor, at_session_kind kind, char out[AT_ROOM_TOKEN_MAX])
{
    at_room *rm = W.room.room;
    out[0] = '\0';
    if (actor == A_NONE) {
        if (kind == AT_SESSION_BROWSER)
            snprintf(out, AT_ROOM_TOKEN_MAX, "pre_%d", ++W.counter); /* a browser before login */
        return;
    }
    at_stage stage = AT_STAGE_FULL;
    unsigned must = 0;
    if (actor == A_SETUP) {
        stage = AT_STAGE_SETUP;
        must = AT_MUST_PASSWORD | AT_MUST_MFA;
    } else if (actor == A_MFA) {
        if (kind == AT_SESSION_BEARER)
            return; /* a login awaiting its code is a browser's */
        stage = AT_STAGE_MFA;
    }
    if (actor == A_EXPIRED)
        rs_offset -= kind == AT_SESSION_BROWSER ? 13 * 3600 : 8 * 86400;
    at_status st = at_room_session_open(rm, W.uid[actor], kind, stage, must, out);
    if (actor == A_EXPIRED)
        rs_offset += kind == AT_SESSION_BROWSER ? 13 * 3600 : 8 * 86400;
    assert_int_equal(st, AT_OK);
}

/* The path with its captures filled and a body that the route accepts. */
static void request_for(const char *method, const char *pattern, int page, char *path, size_t pcap,
                        char *body, size_t bcap)
{
    at_room *rm = W.room.room;
    char out[512] = "";
    for (const char *p = pattern; *p;) {
        if (!strncmp(p, "{request}", 9) || !strncmp(p, "{file}", 6)) {
            char id[32];
            int req = p[1] == 'r';
            snprintf(id, sizeof id, "%lld", (long long)(req ? W.request : W.file));
            strcat(out, id);
            p += req ? 9 : 6;
        } else if (!strncmp(p, "{import}", 8)) {
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)W.import);
            strcat(out, id);
            p += 8;
        } else if (!strncmp(p, "{dataset}", 9)) {
            strcat(out, "ds");
            p += 9;
        } else if (!strncmp(p, "{snapshot}", 10)) {
            char short_id[13];
            snprintf(short_id, sizeof short_id, "%.12s", W.snap);
            strcat(out, short_id);
            p += 10;
        } else if (!strncmp(p, "{job}", 5)) {
            char id[32];
            snprintf(id, sizeof id, "%lld", (long long)W.job);
            strcat(out, id);
            p += 5;
        } else if (!strncmp(p, "{assignment}", 12)) {
            strcat(out, "a1");
            p += 12;
        } else if (!strncmp(p, "{submission}", 12)) {
            strcat(out, "1");
            p += 12;
        } else if (!strncmp(p, "{user}", 6)) {
            strcat(out, "victim");
            p += 6;
        } else if (!strncmp(p, "{project}", 9)) {
            strcat(out, "P");
            p += 9;
        } else {
            strncat(out, p, 1);
            p++;
        }
    }
    if (strstr(pattern, "/snapshots/{snapshot}/file"))
        strcat(out, "?path=a.txt");
    snprintf(path, pcap, "%s", out);
    body[0] = '\0';
    char code[7];
    int n = ++W.counter;
    if (strstr(pattern, "/members/{user}")) /* so that there is a member to remove */
        at_room_member_set(rm, "admin", "P", "victim", AT_PROJECT_MEMBER);
    if (!strcmp(pattern, "/api/v1/login") || !strcmp(pattern, "/login")) {
        rs_offset += 30;
        at_room_totp_code(W.login_secret, rs_clock(), code);
        snprintf(body, bcap,
                 page ? "user=u-login&password=the+login+password"
                      : "{\"user\":\"u-login\",\"password\":\"the login password\",\"totp\":\"%s\"}",
                 code);
    } else if (!strcmp(pattern, "/login/mfa")) {
        rs_offset += 30;
        at_room_totp_code(W.login_secret, rs_clock(), code);
        snprintf(body, bcap, "code=%s", code);
    } else if (!strcmp(pattern, "/api/v1/users")) {
        snprintf(body, bcap, "{\"user\":\"made-%d\"}", n);
    } else if (!strcmp(pattern, "/admin/users")) {
        snprintf(body, bcap, "user=made-%d", n);
    } else if (!strcmp(pattern, "/api/v1/projects")) {
        snprintf(body, bcap, "{\"name\":\"proj-%d\"}", n);
    } else if (!strcmp(pattern, "/admin/projects")) {
        snprintf(body, bcap, "name=proj-%d", n);
    } else if (strstr(pattern, "/members") && !strstr(pattern, "{user}")) {
        snprintf(body, bcap, page ? "user=victim&role=member" : "{\"user\":\"victim\",\"role\":\"member\"}");
    } else if (strstr(pattern, "/roles")) {
        snprintf(body, bcap, page ? "role=teacher&grant=1" : "{\"grant\":\"teacher\"}");
    } else if (strstr(pattern, "/password")) {
        snprintf(body, bcap,
                 page ? "current=wrong&password=short&again=short"
                      : "{\"current\":\"wrong\",\"password\":\"short\"}");
    } else if (strstr(pattern, "/mfa/confirm") || !strcmp(pattern, "/mfa/enrol")) {
        snprintf(body, bcap, page ? "code=000000" : "{\"totp\":\"000000\"}");
    } else if (!strcmp(pattern, "/api/v1/projects/{project}/jobs") && !strcmp(method, "POST")) {
        snprintf(body, bcap, "{\"kind\":\"script\",\"command\":\"true\",\"time\":\"1m\"}");
    } else if (!strcmp(pattern, "/api/v1/projects/{project}/code")) {
        snprintf(body, bcap, "ATLCODE1\nF 644 5 6\nrun.shtrue\n");
    } else if (!strcmp(pattern, "/api/v1/projects/{project}/imports")) {
        snprintf(body, bcap,
                 "{\"dataset\":\"syn\",\"kind\":\"files\",\"synthetic\":true,\"fingerprint\":"
                 "\"%016x\",\"files\":[{\"size\":3,\"ext\":\"\",\"path\":\"b\"}]}",
                 n);
    } else if (strstr(pattern, "/chunks")) {
        size_t hl = at_datasets_chunk_header(0, 0, "hello", 5, body);
        snprintf(body + hl, bcap - hl, "hello");
    } else if (strstr(pattern, "/exports") && !strstr(pattern, "{request}")) {
        snprintf(body, bcap, page ? "title=t-%d" : "{\"title\":\"t-%d\"}", n);
    } else if (strstr(pattern, "/vote")) {
        snprintf(body, bcap, page ? "vote=approve" : "{\"vote\":\"approve\"}");
    } else if (strstr(pattern, "/comments")) {
        snprintf(body, bcap, page ? "text=a+comment" : "{\"text\":\"a comment\"}");
    } else if (strstr(pattern, "/reject")) {
        snprintf(body, bcap, page ? "reason=no" : "{\"reason\":\"no\"}");
    } else if (!strcmp(method, "POST") && !page) {
        snprintf(body, bcap, "{}");
    }
    (void)method;
}

static void test_matrix(void **state)
{
    (void)state;
    make_world();
    char origin[160], cookie[200], auth[200], csrf_field[AT_ROOM_TOKEN_MAX + 8];
    snprintf(origin, sizeof origin, "Origin: %s", W.room.url);
    int failures = 0, cells = 0;
    size_t n = at_web_route_count();
    for (size_t i = 0; i < n; i++) {
        const at_web_route_info *rt = at_web_route_at(i);
        const char *allowed = NULL;
        for (size_t k = 0; k < EXPECTED_COUNT; k++)
            if (!strcmp(expected[k].method, rt->method) && !strcmp(expected[k].pattern, rt->pattern))
                allowed = expected[k].allowed;
        assert_non_null(allowed);
        int page = rt->kind != AT_WEB_API && rt->kind != AT_WEB_UPLOAD;
        for (int a = 0; a < A_COUNT; a++) {
            char cred[AT_ROOM_TOKEN_MAX], path[600], body[600], full_body[900];
            credential(a, page ? AT_SESSION_BROWSER : AT_SESSION_BEARER, cred);
            request_for(rt->method, rt->pattern, page, path, sizeof path, body, sizeof body);
            const char *headers[6] = {0};
            int h = 0;
            const char *send = body[0] ? body : NULL;
            if (page) {
                if (cred[0]) {
                    snprintf(cookie, sizeof cookie, "Cookie: __Host-atelier=%s", cred);
                    headers[h++] = cookie;
                }
                if (strcmp(rt->method, "GET")) {
                    char csrf[AT_ROOM_TOKEN_MAX] = "";
                    if (cred[0])
                        at_room_csrf_token(W.room.room, cred, csrf);
                    snprintf(csrf_field, sizeof csrf_field, "csrf=%s", csrf);
                    snprintf(full_body, sizeof full_body, "%s%s%s", csrf_field, body[0] ? "&" : "", body);
                    send = full_body;
                    headers[h++] = origin;
                    headers[h++] = "Content-Type: application/x-www-form-urlencoded";
                }
            } else {
                if (cred[0]) {
                    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cred);
                    headers[h++] = auth;
                }
                if (send)
                    headers[h++] = "Content-Type: application/json";
            }
            rs_resp r;
            rs_http(&W.room, rt->method, path, headers, send, &r);
            int denied =
                r.status == 401 || r.status == 403 || (r.status == 303 && !strcmp(r.location, "/login"));
            int want = allowed_by_table(allowed, a);
            cells++;
            if (getenv("ATELIER_TEST_VERBOSE"))
                print_message("%s %s as %s: %ld %s\n", rt->method, rt->pattern, actor_names[a], r.status,
                              r.location);
            if (denied == want || r.status >= 500) {
                failures++;
                print_message("MATRIX %s %s as %s: HTTP %ld%s%s, expected %s\n", rt->method, rt->pattern,
                              actor_names[a], r.status, r.location[0] ? " to " : "", r.location,
                              want ? "allowed" : "denied");
            }
            rs_free(&r);
        }
        /* the victim stays usable */
        at_room_user_set_disabled(W.room.room, "admin", "victim", 0);
    }
    print_message("authorisation matrix: %d cells, %d wrong\n", cells, failures);
    assert_int_equal(failures, 0);
    assert_int_equal(at_room_check(W.room.room), AT_OK);
    rs_stop(&W.room);
    at_room_set_clock(NULL);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_routes),
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
