/* The airlock in a served room: the review's rules (the author cannot
 * review their own request, one reviewer cannot approve alone, a changed
 * file resets its votes, votes hidden until the decision, weights need the
 * DPO), every step in the audit (and the chain verifies), a released
 * package that verifies while any altered byte of it is found (tar and
 * unpacked folder), a job's log with a name and an IPP blocking a request,
 * and no route that hands out the bytes of a file of a request that is not
 * released (every GET route, every kind of caller), while the released
 * package goes to its author alone. Synthetic data, made here. */
#include "airlock_support.h"

#include "atelier/airlock.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

static rs_room R;
static char tok[8][AT_ROOM_TOKEN_MAX];
static int64_t uid[8];
enum { U_ADMIN, U_STUDENT, U_LEAD, U_DPO, U_CHECKER, U_MEMBER, U_OTHER, U_COUNT };
static const char *const names[U_COUNT] = {"boss", "stu", "lea", "dpo", "chk", "mem", "oth"};

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    at_room_set_clock(rs_clock);
    at_log_set_handler(rs_log_fn, NULL, AT_LOG_INFO);
    rs_start(&R, "jobs.executor = none\nairlock.checkers = chk\n");
    char otp[AT_ROOM_OTP_MAX];
    static const unsigned roles[U_COUNT] = {[U_ADMIN] = AT_ROLE_ADMIN, [U_DPO] = AT_ROLE_DPO};
    for (int u = 0; u < U_COUNT; u++) {
        assert_int_equal(at_room_user_create(R.room, "admin", names[u], roles[u], "", otp, &uid[u]), AT_OK);
        assert_int_equal(at_room_session_open(R.room, uid[u], AT_SESSION_BEARER, AT_STAGE_FULL, 0, tok[u]),
                         AT_OK);
    }
    assert_int_equal(at_room_project_create(R.room, "admin", "onco", "the project"), AT_OK);
    assert_int_equal(at_room_project_create(R.room, "admin", "other", "another"), AT_OK);
    assert_int_equal(at_room_member_set(R.room, "admin", "onco", "stu", AT_PROJECT_STUDENT), AT_OK);
    assert_int_equal(at_room_member_set(R.room, "admin", "onco", "lea", AT_PROJECT_LEAD), AT_OK);
    assert_int_equal(at_room_member_set(R.room, "admin", "onco", "mem", AT_PROJECT_MEMBER), AT_OK);
    assert_int_equal(at_room_member_set(R.room, "admin", "other", "oth", AT_PROJECT_LEAD), AT_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rs_stop(&R);
    at_room_set_clock(NULL);
    return 0;
}

static long api(int u, const char *method, const char *path, const char *json, rs_resp *r)
{
    char auth[200];
    const char *h[3] = {0};
    int k = 0;
    if (u >= 0) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok[u]);
        h[k++] = auth;
    }
    if (json)
        h[k++] = "Content-Type: application/json";
    return rs_http(&R, method, path, h, json, r);
}

static const char *TABLE = "stage,patients\nI,25\nII,31\nIII,18\n";
static const char *TABLE2 = "stage,patients\nI,26\nII,31\nIII,18\n";

/* A small safetensors file (weights: the DPO's approval). */
static char *weights(size_t *len)
{
    const char *hdr = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    size_t hn = strlen(hdr);
    *len = 8 + hn + 8;
    char *d = calloc(1, *len);
    uint64_t n = hn;
    memcpy(d, &n, 8);
    memcpy(d + 8, hdr, hn);
    return d;
}

static int64_t job_with(const char *table)
{
    size_t wl;
    char *w = weights(&wl);
    const char *names_[] = {"tables/stage.csv", "model.safetensors"}, *contents[] = {table, w};
    size_t lens[] = {strlen(table), wl};
    int64_t job = al_result_job(&R, "stu", "onco", 2, names_, contents, lens);
    free(w);
    return job;
}

static at_airlock_state state_of(int64_t id)
{
    at_airlock_request q;
    assert_int_equal(at_airlock_get(R.airlock, id, &q), AT_OK);
    return q.state;
}

static size_t votes_visible(const char *viewer, int64_t request)
{
    at_airlock_vote_row *v;
    size_t n;
    assert_int_equal(at_airlock_votes(R.airlock, viewer, request, &v, &n), AT_OK);
    at_free(v);
    return n;
}

/* The audit's export.* actions of a request, in order, space-separated. */
typedef struct {
    char object[40];
    char text[8192];
} audit_walk;
static int audit_fn(void *ud, const at_audit_entry *e)
{
    audit_walk *w = ud;
    if (!strcmp(e->object, w->object)) {
        char tmp[8192];
        snprintf(tmp, sizeof tmp, "%s %s", e->action, w->text); /* newest first: prepend */
        snprintf(w->text, sizeof w->text, "%s", tmp);
    }
    return 0;
}

static void audit_of(int64_t request, audit_walk *w)
{
    memset(w, 0, sizeof *w);
    snprintf(w->object, sizeof w->object, "export:%lld", (long long)request);
    at_audit_filter f = {.what = "export.", .limit = 100000};
    assert_int_equal(at_room_audit_query(R.room, &f, audit_fn, w), AT_OK);
}

static int64_t request_id; /* the released one, for the download and leak tests */
static char secret_marker[64];

static void test_review_rules(void **state)
{
    (void)state;
    at_airlock *a = R.airlock;
    int64_t job = job_with(TABLE), id, f1, f2;
    char jid[32];
    snprintf(jid, sizeof jid, "%lld", (long long)job);
    assert_int_equal(at_airlock_create(a, "stu", "onco", "stages and a model", &id), AT_OK);
    /* a student of another project cannot, nor can a file of another project's job be taken */
    int64_t x;
    assert_int_equal(at_airlock_create(a, "oth", "onco", "no", &x), AT_ERR_DENIED);
    at_airlock_add_spec t = {
        .kind = "result", .id = jid, .path = "tables/stage.csv", .justification = "table 2"};
    at_airlock_add_spec m = {.kind = "result", .id = jid, .path = "model.safetensors"};
    assert_int_equal(at_airlock_add(a, "lea", id, &t, &f1), AT_ERR_DENIED); /* only the author */
    assert_int_equal(at_airlock_add(a, "stu", id, &t, &f1), AT_OK);
    assert_int_equal(at_airlock_add(a, "stu", id, &m, &f2), AT_OK);
    assert_int_equal(at_airlock_add(a, "stu", id, &m, &x), AT_ERR_EXISTS); /* one name once */
    at_airlock_add_spec nope = {.kind = "result", .id = jid, .path = "missing.csv"};
    assert_int_not_equal(at_airlock_add(a, "stu", id, &nope, &x), AT_OK);
    at_error_clear();
    /* nobody votes on a draft; the author never reviews */
    assert_int_equal(at_airlock_vote(a, "lea", id, f1, AT_VOTE_APPROVE, NULL), AT_ERR_ARG);
    at_airlock_state st;
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    assert_int_equal(at_airlock_vote(a, "stu", id, f1, AT_VOTE_APPROVE, NULL), AT_ERR_DENIED);
    assert_int_equal(at_airlock_review_submit(a, "stu", id, &st), AT_ERR_DENIED);
    assert_int_equal(at_airlock_vote(a, "mem", id, f1, AT_VOTE_APPROVE, NULL),
                     AT_ERR_DENIED); /* not a reviewer */
    assert_int_equal(at_airlock_vote(a, "oth", id, f1, AT_VOTE_APPROVE, NULL), AT_ERR_DENIED);
    /* over HTTP too: the one authorisation function refuses the author a vote */
    rs_resp r;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/exports/%lld/files/%lld/vote", (long long)id, (long long)f1);
    assert_int_equal(api(U_STUDENT, "POST", path, "{\"vote\":\"approve\"}", &r), 403);
    rs_free(&r);
    /* the lead approves everything and hands in: one reviewer is not enough */
    assert_int_equal(at_airlock_review_submit(a, "lea", id, &st), AT_ERR_ARG); /* undecided files */
    at_error_clear();
    assert_int_equal(at_airlock_vote(a, "lea", id, f1, AT_VOTE_APPROVE, "fine"), AT_OK);
    assert_int_equal(at_airlock_vote(a, "lea", id, f2, AT_VOTE_APPROVE, NULL), AT_OK);
    /* hidden: the DPO and the author see none of the lead's votes */
    assert_int_equal(votes_visible("dpo", id), 0);
    assert_int_equal(votes_visible("stu", id), 0);
    assert_int_equal(votes_visible("lea", id), 2);
    assert_int_equal(at_airlock_review_submit(a, "lea", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    assert_int_equal(at_airlock_vote(a, "lea", id, f1, AT_VOTE_CHANGES, NULL), AT_ERR_ARG); /* handed in */
    at_error_clear();
    /* the checker approves too: two approvals, but the weights need the DPO */
    assert_int_equal(at_airlock_vote(a, "chk", id, f1, AT_VOTE_APPROVE, NULL), AT_OK);
    assert_int_equal(at_airlock_vote(a, "chk", id, f2, AT_VOTE_APPROVE, NULL), AT_OK);
    assert_int_equal(at_airlock_review_submit(a, "chk", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    /* the DPO asks for a change of the table: returned; votes then seen by all */
    assert_int_equal(at_airlock_vote(a, "dpo", id, f1, AT_VOTE_CHANGES, "round the counts"), AT_OK);
    assert_int_equal(at_airlock_vote(a, "dpo", id, f2, AT_VOTE_APPROVE, NULL), AT_OK);
    assert_int_equal(at_airlock_review_submit(a, "dpo", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_RETURNED);
    assert_int_equal(votes_visible("stu", id), 6);
    /* the student changes the table (a new job's result): its votes reset, the model's kept */
    int64_t job2 = job_with(TABLE2);
    char jid2[32];
    snprintf(jid2, sizeof jid2, "%lld", (long long)job2);
    at_airlock_add_spec t2 = {.kind = "result", .id = jid2, .path = "tables/stage.csv"};
    assert_int_equal(at_airlock_replace(a, "stu", id, f1, &t2), AT_OK);
    at_airlock_vote_row *v;
    size_t nv;
    assert_int_equal(at_airlock_votes(a, "stu", id, &v, &nv), AT_OK);
    assert_int_equal(nv, 3); /* the three votes on the model */
    for (size_t i = 0; i < nv; i++)
        assert_int_equal(v[i].file_id, f2);
    at_free(v);
    /* the model's replacement by the same bytes keeps its votes */
    at_airlock_add_spec m2 = {.kind = "result", .id = jid2, .path = "model.safetensors"};
    assert_int_equal(at_airlock_replace(a, "stu", id, f2, &m2), AT_OK);
    assert_int_equal(votes_visible("stu", id), 3);
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    /* round 2: the lead and the checker approve the table: approved? not without the DPO's review */
    for (int k = 0; k < 2; k++) {
        const char *who = k ? "chk" : "lea";
        assert_int_equal(at_airlock_vote(a, who, id, f1, AT_VOTE_APPROVE, NULL), AT_OK);
        assert_int_equal(at_airlock_review_submit(a, who, id, &st), AT_OK);
    }
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW); /* the weights wait for the DPO */
    assert_int_equal(at_airlock_vote(a, "dpo", id, f1, AT_VOTE_APPROVE, NULL), AT_OK);
    assert_int_equal(at_airlock_review_submit(a, "dpo", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_APPROVED);
    /* released by its author only */
    assert_int_equal(at_airlock_release(a, "lea", id), AT_ERR_DENIED);
    assert_int_equal(at_airlock_release(a, "stu", id), AT_OK);
    assert_int_equal(state_of(id), AT_AIRLOCK_RELEASED);
    request_id = id;
    /* every step is in the audit, in order, and the chain verifies */
    audit_walk w;
    audit_of(id, &w);
    static const char *const steps[] = {"export.create",        "export.file.add",  "export.file.add",
                                        "export.submit",        "export.in-review", "export.vote",
                                        "export.review.submit", "export.returned",  "export.file.replace",
                                        "export.submit",        "export.in-review", "export.approved",
                                        "export.release"};
    const char *p = w.text;
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        const char *q = strstr(p, steps[i]);
        if (!q)
            fail_msg("the audit lacks %s after the earlier steps: %s", steps[i], w.text);
        p = q + strlen(steps[i]);
    }
    at_audit_report rep;
    assert_int_equal(at_room_audit_verify_open(R.room, &rep), AT_OK);
    assert_true(rep.ok);
}

static void test_package(void **state)
{
    (void)state;
    int64_t id = request_id;
    char *dir = test_mkdtemp(), path[700];
    snprintf(path, sizeof path, "%s/export.tar", dir);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    uint64_t bytes;
    assert_int_equal(at_airlock_package(R.airlock, "lea", id, fd, &bytes), AT_ERR_DENIED);
    at_error_clear();
    assert_int_equal(at_airlock_package(R.airlock, "stu", id, fd, &bytes), AT_OK);
    close(fd);
    uint64_t size;
    assert_int_equal(at_airlock_package_size(R.airlock, id, &size), AT_OK);
    assert_int_equal(size, bytes);
    size_t len;
    unsigned char *pkg = test_read_file(path, &len);
    assert_int_equal(len, bytes);
    at_airlock_verify_report rep;
    assert_int_equal(at_airlock_verify_path(path, NULL, &rep), AT_OK);
    if (!rep.ok)
        fail_msg("the package does not verify: %s", rep.message);
    assert_int_equal(rep.files, 2);
    assert_int_equal(rep.request, id);
    assert_string_equal(rep.author, "stu");
    unsigned char pk[32];
    char hex[65];
    at_room_public_key(R.room, pk);
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    assert_string_equal(rep.key_hex, hex);
    assert_int_equal(at_airlock_verify_memory(pkg, len, hex, &rep), AT_OK);
    assert_true(rep.ok);
    char wrong[65];
    memcpy(wrong, hex, 65);
    wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
    assert_int_equal(at_airlock_verify_memory(pkg, len, wrong, &rep), AT_OK);
    assert_false(rep.ok);
    /* any altered byte is found: every byte of the package flipped in turn */
    size_t missed = 0;
    for (size_t i = 0; i < len; i++) {
        pkg[i] ^= 0x01;
        assert_int_equal(at_airlock_verify_memory(pkg, len, NULL, &rep), AT_OK);
        missed += rep.ok;
        pkg[i] ^= 0x01;
    }
    print_message("airlock: %zu bytes flipped one at a time, %zu not found\n", len, missed);
    assert_int_equal(missed, 0);
    /* cut short, or a byte added */
    assert_int_equal(at_airlock_verify_memory(pkg, len - 1, NULL, &rep), AT_OK);
    assert_false(rep.ok);
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, pkg, len);
    longer[len] = 0;
    assert_int_equal(at_airlock_verify_memory(longer, len + 1, NULL, &rep), AT_OK);
    assert_false(rep.ok);
    free(longer);
    /* unpacked by tar, the folder verifies; an edited file, an added one or a lost one does not */
    char *out = NULL;
    assert_int_equal(test_run(&out, 1, "cd '%s' && mkdir u && tar -xf export.tar -C u", dir), 0);
    free(out);
    snprintf(path, sizeof path, "%s/u", dir);
    assert_int_equal(at_airlock_verify_path(path, NULL, &rep), AT_OK);
    if (!rep.ok)
        fail_msg("the unpacked package does not verify: %s", rep.message);
    assert_int_equal(test_run(&out, 1, "cd '%s/u/files' && printf x >> stage.csv", dir), 0);
    free(out);
    assert_int_equal(at_airlock_verify_path(path, NULL, &rep), AT_OK);
    assert_false(rep.ok);
    assert_non_null(strstr(rep.message, "stage.csv"));
    assert_int_equal(
        test_run(&out, 1,
                 "cd '%s' && rm -r u && mkdir u && tar -xf export.tar -C u && echo 1 > u/files/extra.csv",
                 dir),
        0);
    free(out);
    assert_int_equal(at_airlock_verify_path(path, NULL, &rep), AT_OK);
    assert_false(rep.ok);
    assert_int_equal(
        test_run(&out, 1,
                 "cd '%s' && rm -r u && mkdir u && tar -xf export.tar -C u && rm u/files/model.safetensors",
                 dir),
        0);
    free(out);
    assert_int_equal(at_airlock_verify_path(path, NULL, &rep), AT_OK);
    assert_false(rep.ok);
    free(pkg);
    test_rmtree(dir);
    free(dir);
}

static void test_log_blocks(void **state)
{
    (void)state;
    at_airlock *a = R.airlock;
    /* a finished job whose log names a patient and an IPP */
    int64_t job = job_with(TABLE);
    al_job_log(&R, job,
               "[atelier 2026-12-05T01:00:00Z] started\nreading the note of Patient Jean DUPONT, IPP "
               "80012345\nepoch 1 loss 0.3\n");
    char jid[32];
    snprintf(jid, sizeof jid, "%lld", (long long)job);
    int64_t id, f;
    assert_int_equal(at_airlock_create(a, "stu", "onco", "the log", &id), AT_OK);
    at_airlock_add_spec l = {.kind = "log", .id = jid};
    assert_int_equal(at_airlock_add(a, "stu", id, &l, &f), AT_OK);
    at_airlock_state st;
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_BLOCKED);
    /* the author is told, on the pages */
    assert_true(at_airlock_unseen(a, "stu") > 0);
    at_airlock_notice *n;
    size_t nn;
    assert_int_equal(at_airlock_notices(a, "stu", 10, &n, &nn), AT_OK);
    assert_non_null(strstr(n[0].text, "blocked"));
    at_free(n);
    /* an exception lets it go to review, where the reviewers see the failure */
    assert_int_equal(at_airlock_set_exception(a, "stu", id, f, "synthetic names from the generator"), AT_OK);
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    assert_int_equal(at_airlock_reject(a, "lea", id, "a log with names does not leave"), AT_OK);
    assert_int_equal(state_of(id), AT_AIRLOCK_REJECTED);
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_ERR_ARG);
    at_error_clear();
    /* a table with a count of 4 is blocked; the rounding transformation mends it */
    const char *small = "stage,patients\nI,25\nII,4\nIII,31\n";
    int64_t job2 = job_with(small);
    snprintf(jid, sizeof jid, "%lld", (long long)job2);
    assert_int_equal(at_airlock_create(a, "stu", "onco", "a small count", &id), AT_OK);
    at_airlock_add_spec t = {.kind = "result", .id = jid, .path = "tables/stage.csv"};
    assert_int_equal(at_airlock_add(a, "stu", id, &t, &f), AT_OK);
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_BLOCKED);
    assert_int_equal(at_airlock_transform(a, "stu", id, f, "round"), AT_OK);
    unsigned char *data;
    size_t len;
    assert_int_equal(at_airlock_file_read(a, "stu", id, f, &data, &len), AT_OK);
    assert_string_equal((char *)data, "stage,patients\nI,25\nII,[REDACTED]\nIII,30\n");
    at_free(data);
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    assert_int_equal(st, AT_AIRLOCK_IN_REVIEW);
    assert_int_equal(at_airlock_withdraw(a, "stu", id), AT_OK);
}

/* No GET route gives the bytes of a file of a request that is not released
 * (to anyone); the released package goes to its author alone. */
static void test_no_leak(void **state)
{
    (void)state;
    at_airlock *a = R.airlock;
    /* a text whose bytes must be escaped in a page, with a unique marker */
    snprintf(secret_marker, sizeof secret_marker, "marker-%08x", (unsigned)time(NULL) ^ 0x5a5a5a5a);
    char text[256];
    snprintf(text, sizeof text, "auroc <0.81> & \"%s\" 'ok'\n", secret_marker);
    const char *n[] = {"notes.txt"}, *c[] = {text};
    int64_t job = al_result_job(&R, "stu", "onco", 1, n, c, NULL);
    char jid[32];
    snprintf(jid, sizeof jid, "%lld", (long long)job);
    int64_t id, f;
    assert_int_equal(at_airlock_create(a, "stu", "onco", "not released", &id), AT_OK);
    at_airlock_add_spec s = {.kind = "result", .id = jid, .path = "notes.txt"};
    assert_int_equal(at_airlock_add(a, "stu", id, &s, &f), AT_OK);
    at_airlock_state st;
    assert_int_equal(at_airlock_submit(a, "stu", id, &st), AT_OK);
    size_t gets = 0, leaks = 0;
    for (size_t i = 0; i < at_web_route_count(); i++) {
        const at_web_route_info *rt = at_web_route_at(i);
        if (strcmp(rt->method, "GET"))
            continue;
        char path[300] = "";
        for (const char *p = rt->pattern; *p;) {
            char v[64] = "";
            size_t skip = 0;
            if (!strncmp(p, "{request}", 9))
                snprintf(v, sizeof v, "%lld", (long long)id), skip = 9;
            else if (!strncmp(p, "{file}", 6))
                snprintf(v, sizeof v, "%lld", (long long)f), skip = 6;
            else if (!strncmp(p, "{job}", 5))
                snprintf(v, sizeof v, "%lld", (long long)job), skip = 5;
            else if (!strncmp(p, "{project}", 9))
                snprintf(v, sizeof v, "onco"), skip = 9;
            else if (!strncmp(p, "{user}", 6))
                snprintf(v, sizeof v, "stu"), skip = 6;
            if (skip) {
                strcat(path, v);
                p += skip;
            } else {
                strncat(path, p, 1);
                p++;
            }
        }
        for (int u = -1; u < U_COUNT; u++) {
            rs_resp r;
            char cookie[300], auth[200];
            const char *h[2] = {0};
            if (u >= 0 && rt->kind == AT_WEB_PAGE) {
                char c2[AT_ROOM_TOKEN_MAX];
                assert_int_equal(
                    at_room_session_open(R.room, uid[u], AT_SESSION_BROWSER, AT_STAGE_FULL, 0, c2), AT_OK);
                snprintf(cookie, sizeof cookie, "Cookie: __Host-atelier=%s", c2);
                h[0] = cookie;
            } else if (u >= 0) {
                snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok[u]);
                h[0] = auth;
            }
            rs_http(&R, "GET", path, h, NULL, &r);
            gets++;
            /* the raw bytes of the file, or its marker outside an escaped page */
            if (test_contains(r.body, r.len, text) ||
                (test_contains(r.body, r.len, secret_marker) && !strstr(r.content_type, "text/html"))) {
                leaks++;
                print_message("LEAK: GET %s as %s: HTTP %ld %s\n", rt->pattern, u >= 0 ? names[u] : "nobody",
                              r.status, r.content_type);
            }
            rs_free(&r);
        }
    }
    print_message("airlock: %zu GET requests over every route, %zu gave a file of an unreleased request\n",
                  gets, leaks);
    assert_int_equal(leaks, 0);
    /* the released package of the first test: its author alone */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exports/%lld/package", (long long)request_id);
    for (int u = -1; u < U_COUNT; u++) {
        rs_resp r;
        long status = api(u, "GET", path, NULL, &r);
        if (u == U_STUDENT) {
            assert_int_equal(status, 200);
            assert_string_equal(r.content_type, "application/x-tar");
            at_airlock_verify_report rep;
            assert_int_equal(at_airlock_verify_memory(r.body, r.len, NULL, &rep), AT_OK);
            if (!rep.ok)
                fail_msg("the downloaded package: %s", rep.message);
        } else {
            assert_true(status == 401 || status == 403);
        }
        rs_free(&r);
    }
    audit_walk w;
    audit_of(request_id, &w);
    assert_non_null(strstr(w.text, "export.download"));
    audit_of(id, &w);
    assert_null(strstr(w.text, "export.download"));
    assert_non_null(strstr(w.text, "export.view")); /* the reviewers' views */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_rules),
        cmocka_unit_test(test_package),
        cmocka_unit_test(test_log_blocks),
        cmocka_unit_test(test_no_leak),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
