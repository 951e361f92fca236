/* The classroom end to end, in one room with the local executor and the
 * bubblewrap sandbox: a teacher's course, three students from a CSV, a synthetic chemotherapy cohort, an
 * assignment; a non-synthetic dataset refused; the hidden split out of a student's reach by every route and
 * from inside a job (the sandbox mounts the training split only); a submission trained and scored in jobs,
 * its score equal to the offline evaluation of the same model on the same hidden split; the day's limit with
 * its count; the per-student quotas; the deadline closing submissions; the grades. */
#include "room_support.h"

#include "atelier/classroom.h"
#include "atelier/risk.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

static rs_room R;
static at_classroom *C;
static char tok_s1[AT_ROOM_TOKEN_MAX], tok_owen[AT_ROOM_TOKEN_MAX];
static int have_bwrap;

static const char *engine_path(void)
{
    static char path[1024];
    const char *b = test_atelier_bin();
    const char *slash = strrchr(b, '/');
    snprintf(path, sizeof path, "%.*s/atelier-engine", slash ? (int)(slash - b) : 1, slash ? b : ".");
    return path;
}

static char *token_of(const char *name, char tok[AT_ROOM_TOKEN_MAX])
{
    at_user u;
    assert_int_equal(at_room_user_get(R.room, name, &u), AT_OK);
    assert_int_equal(at_room_session_open(R.room, u.id, AT_SESSION_BEARER, AT_STAGE_FULL, 0, tok), AT_OK);
    return tok;
}

static long get_as(const char *tok, const char *path, rs_resp *r)
{
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    const char *h[] = {auth, NULL};
    return rs_http(&R, "GET", path, h, NULL, r);
}

static long post_as(const char *tok, const char *path, const char *json, rs_resp *r)
{
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    return rs_http(&R, "POST", path, h, json, r);
}

static int setup(void **state)
{
    (void)state;
    have_bwrap = test_have_program("bwrap");
    char conf[1400];
    snprintf(
        conf, sizeof conf,
        "jobs.executor = local\njobs.cores = 2\njobs.tick_ms = 100\njobs.processes = 64\njobs.engine = %s\n",
        engine_path());
    rs_start(&R, conf);
    at_room_set_clock(rs_clock);
    C = R.classroom;
    char otp[AT_ROOM_OTP_MAX];
    assert_int_equal(at_room_user_create(R.room, "admin", "tina", AT_ROLE_TEACHER, "Tina Teacher", otp, NULL),
                     AT_OK);
    assert_int_equal(at_room_user_create(R.room, "admin", "owen", 0, "", otp, NULL), AT_OK);
    assert_int_equal(at_room_user_create(R.room, "admin", "tom", 0, "", otp, NULL), AT_OK);
    assert_int_equal(at_room_project_create(R.room, "admin", "Q", "a research project"), AT_OK);
    assert_int_equal(at_room_member_set(R.room, "admin", "Q", "owen", AT_PROJECT_LEAD), AT_OK);
    assert_int_equal(at_room_member_set(R.room, "admin", "Q", "tina", AT_PROJECT_MEMBER), AT_OK);
    /* a real dataset (not synthetic) and a synthetic one, in another project */
    char *d = test_mkdtemp(), p[700];
    snprintf(p, sizeof p, "%s/x.txt", d);
    test_write_file(p, "x\n", 2);
    char snap[AT_VAULT_SNAPSHOT_HEX];
    assert_int_equal(at_jobs_dataset_put(R.jobs, "owen", "Q", "real", "data", 0, d, snap), AT_OK);
    assert_int_equal(at_jobs_dataset_put(R.jobs, "owen", "Q", "synthq", "data", 1, d, snap), AT_OK);
    test_rmtree(d);
    free(d);
    token_of("owen", tok_owen);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    at_room_set_clock(NULL);
    rs_stop(&R);
    return 0;
}

static void test_course_and_enrolment(void **state)
{
    (void)state;
    assert_int_equal(at_course_create(C, "tina", "ml", "Machine learning for oncology"), AT_OK);
    assert_int_equal(at_course_create(C, "tina", "ml", "again"), AT_ERR_EXISTS);
    assert_int_equal(at_course_ta_add(C, "tina", "ml", "tom"), AT_OK);
    const char *csv = "name;email;login\n\"Martin, Alice\";alice.martin@univ.example;\nBruno "
                      "Petit;b.petit@univ.example;s2\n"
                      "Chloé Durand;;s3\n";
    at_course_student *s = NULL;
    size_t n = 0;
    assert_int_equal(at_course_enrol_csv(C, "tina", "ml", csv, strlen(csv), &s, &n), AT_OK);
    assert_int_equal((int)n, 3);
    assert_string_equal(s[0].login, "alice.martin");
    assert_string_equal(s[0].name, "Martin, Alice");
    for (size_t i = 0; i < n; i++)
        assert_true(strlen(s[i].password) > 10);
    at_user u;
    assert_int_equal(at_room_user_get(R.room, "s2", &u), AT_OK);
    assert_int_equal(u.must, AT_MUST_PASSWORD | AT_MUST_MFA); /* MFA at first login, as everywhere */
    at_buf b;
    at_buf_init(&b, 1 << 20);
    at_course co;
    assert_int_equal(at_course_get(C, "ml", &co), AT_OK);
    assert_int_equal(at_course_sheet_html(&co, s, n, "https://room.example:8443", &b), AT_OK);
    assert_non_null(strstr((char *)b.data, s[1].password));
    assert_non_null(strstr((char *)b.data, "Martin, Alice"));
    at_buf_free(&b);
    at_free(s);
    /* again: the accounts exist, no new password */
    assert_int_equal(at_course_enrol_csv(C, "tina", "ml", csv, strlen(csv), &s, &n), AT_OK);
    assert_string_equal(s[0].password, "");
    at_free(s);
    /* a bad CSV names its line and column */
    const char *bad = "name,email\nA B,a@b.example\nC D,not-an-address\n";
    assert_int_equal(at_course_enrol_csv(C, "tina", "ml", bad, strlen(bad), &s, &n), AT_ERR_FORMAT);
    assert_non_null(strstr(at_error_message(), "line 3, column 2"));
    /* data and an assignment */
    assert_int_equal(at_course_generate(C, "tina", "ml", "chemo", "cohort", 150, 7), AT_OK);
    at_assignment_spec as = {.name = "risk1",
                             .title = "Re-hospitalisation risk",
                             .data = "cohort",
                             .deadline = at_room_now() + 3600,
                             .per_day = 2,
                             .seed = 3};
    assert_int_equal(at_assignment_create(C, "tina", "ml", &as), AT_OK);
    at_assignment a;
    assert_int_equal(at_assignment_get(C, "ml", "risk1", &a), AT_OK);
    assert_true(a.train_rows > 0 && a.test_rows > 0 && a.public_rows > 0 && a.public_rows < a.test_rows);
    token_of("alice.martin", tok_s1);
}

static void test_non_synthetic_refused(void **state)
{
    (void)state;
    assert_int_equal(at_course_attach(C, "tina", "ml", "Q", "real", NULL), AT_ERR_DENIED);
    assert_non_null(strstr(at_error_message(), "synthetic"));
    assert_int_equal(at_course_attach(C, "tina", "ml", "Q", "synthq", NULL), AT_OK);
    /* and over the API, the same refusal */
    char tok[AT_ROOM_TOKEN_MAX];
    rs_resp r;
    assert_int_equal(post_as(token_of("tina", tok), "/api/v1/courses/ml/data",
                             "{\"project\":\"Q\",\"dataset\":\"real\",\"name\":\"r\"}", &r),
                     403);
    rs_free(&r);
}

/* Run the queue and the classroom until submission id is scored (or failed). */
static void until_done(int64_t id, at_submission *out)
{
    for (int i = 0; i < 1500; i++) {
        at_jobs_tick(R.jobs);
        at_classroom_tick(C);
        assert_int_equal(at_submission_get(C, "ml", id, out), AT_OK);
        if (!strcmp(out->state, "failed")) {
            char *text = NULL;
            size_t len = 0;
            int64_t size = 0;
            int64_t jid = out->score_job_id ? out->score_job_id : out->job_id;
            if (at_jobs_log(R.jobs, jid, -4000, 4000, &text, &len, &size) == AT_OK)
                print_message("job %lld's log:\n%.*s\n", (long long)jid, (int)len, text);
            at_free(text);
            if (at_jobs_spec_text(R.jobs, jid, &text) == AT_OK)
                print_message("spec: %s\n", text);
            at_free(text);
        }
        if (!strcmp(out->state, "scored") || !strcmp(out->state, "failed"))
            return;
        usleep(200000);
    }
    fail_msg("submission %lld: still %s", (long long)id, out->state);
}

static double offline_auroc(const char *model_dir, const char *part)
{
    char *base = test_mkdtemp(), dest[800], csv[900], model[900];
    snprintf(dest, sizeof dest, "%s/test", base);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml.grading", "risk1-test", "latest", dest), AT_OK);
    snprintf(csv, sizeof csv, "%s/%s.csv", dest, part);
    snprintf(model, sizeof model, "%s/model.bin", model_dir);
    at_risk_eval_spec sp = {.csv = csv, .model = model, .bootstrap = 0};
    at_risk_metrics m;
    assert_int_equal(at_risk_eval_run(&sp, NULL, &m), AT_OK);
    test_rmtree(base);
    free(base);
    return m.auroc;
}

static void test_submit_score_and_limit(void **state)
{
    (void)state;
    if (!have_bwrap)
        skip();
    at_submission_config cfg = {.kind = "pipeline", .C = 1};
    int64_t id = 0;
    int left = -1;
    assert_int_equal(at_submission_create(C, "alice.martin", "ml", "risk1", &cfg, &id, &left), AT_OK);
    assert_int_equal(left, 1);
    at_submission s;
    until_done(id, &s);
    if (strcmp(s.state, "scored"))
        fail_msg("submission: %s: %s", s.state, s.message);
    assert_true(s.has_score);
    /* the scoring job's metric equals the offline evaluation of the same model */
    at_job job;
    assert_int_equal(at_jobs_get(R.jobs, s.job_id, &job), AT_OK);
    char *base = test_mkdtemp(), res[800];
    snprintf(res, sizeof res, "%s/res", base);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml", "results", job.result, res), AT_OK);
    double fin = offline_auroc(res, "final"), pub = offline_auroc(res, "public");
    print_message("scoring job: public %.4f final %.4f; offline: public %.4f final %.4f\n", s.public_score,
                  s.final_score, pub, fin);
    assert_true(fabs(s.final_score - fin) < 1e-4);
    assert_true(fabs(s.public_score - pub) < 1e-4);
    test_rmtree(base);
    free(base);
    /* the day's limit: the second is accepted, the third refused with the count */
    assert_int_equal(at_submission_create(C, "alice.martin", "ml", "risk1", &cfg, &id, &left), AT_OK);
    assert_int_equal(left, 0);
    int64_t second = id;
    assert_int_equal(at_submission_create(C, "alice.martin", "ml", "risk1", &cfg, &id, &left), AT_ERR_QUOTA);
    assert_non_null(strstr(at_error_message(), "2 of 2 submissions today"));
    rs_resp r;
    assert_int_equal(post_as(tok_s1, "/api/v1/courses/ml/assignments/risk1/submissions", "{\"C\":\"1\"}", &r),
                     429);
    assert_non_null(strstr(r.body, "2 of 2"));
    rs_free(&r);
    until_done(second, &s);
    /* the student's view: leaderboard, scores, what remains */
    assert_int_equal(get_as(tok_s1, "/api/v1/courses/ml/assignments/risk1", &r), 200);
    assert_non_null(strstr(r.body, "\"remaining_today\":0"));
    assert_non_null(strstr(r.body, "\"leaderboard\":[{\"rank\":1,\"user\":\"alice.martin\""));
    assert_null(strstr(r.body, "final_score")); /* before the deadline: the public score only */
    rs_free(&r);
}

static void test_hidden_split_unreachable(void **state)
{
    (void)state;
    rs_resp r;
    /* by route: the grading project is not the student's */
    static const char *const denied[] = {"/api/v1/projects/ml.grading/datasets",
                                         "/api/v1/projects/ml.grading/jobs",
                                         "/api/v1/projects/ml.grading",
                                         "/api/v1/courses/ml/usage",
                                         "/api/v1/courses/ml/grades",
                                         "/courses/ml/grades.csv",
                                         NULL};
    for (int i = 0; denied[i]; i++) {
        long st = get_as(tok_s1, denied[i], &r);
        if (st != 403 && !(st == 303 && strstr(denied[i], ".csv")))
            fail_msg("%s: HTTP %ld for a student", denied[i], st);
        rs_free(&r);
    }
    assert_int_equal(get_as(tok_s1, "/api/v1/projects/ml/datasets", &r), 200);
    assert_non_null(strstr(r.body, "risk1-train"));
    assert_null(strstr(r.body, "risk1-test"));
    assert_null(strstr(r.body, "cohort"));
    rs_free(&r);
    /* a job naming it: not in the course, and the grading project refuses */
    assert_int_equal(
        post_as(tok_s1, "/api/v1/projects/ml/jobs",
                "{\"kind\":\"script\",\"command\":\"true\",\"inputs\":[\"risk1-test\"],\"time\":\"1m\"}", &r),
        404);
    rs_free(&r);
    assert_int_equal(
        post_as(tok_s1, "/api/v1/projects/ml.grading/jobs",
                "{\"kind\":\"script\",\"command\":\"true\",\"inputs\":[\"risk1-test\"],\"time\":\"1m\"}", &r),
        403);
    rs_free(&r);
    /* the scoring jobs' logs and results, and another student's model */
    at_submission *subs = NULL;
    size_t n = 0;
    assert_int_equal(at_submission_list(C, "ml", "risk1", NULL, &subs, &n), AT_OK);
    for (size_t i = 0; i < n; i++) {
        char p[128];
        if (subs[i].score_job_id) {
            snprintf(p, sizeof p, "/api/v1/jobs/%lld/result", (long long)subs[i].score_job_id);
            assert_int_equal(get_as(tok_s1, p, &r), 403);
            rs_free(&r);
            snprintf(p, sizeof p, "/api/v1/jobs/%lld/log", (long long)subs[i].score_job_id);
            assert_int_equal(get_as(tok_s1, p, &r), 403);
            rs_free(&r);
        }
    }
    at_free(subs);
    /* from inside a job: the student's own code sees the training split alone */
    if (!have_bwrap)
        skip();
    char *code = test_mkdtemp(), p[800];
    snprintf(p, sizeof p, "%s/train.sh", code);
    const char *script =
        "set -e\nfind /data > /out/seen.txt\nls / > /out/root.txt\n"
        "find / -xdev -name 'final.csv' -o -name 'public.csv' 2>/dev/null > /out/found.txt || true\n"
        "/atelier/atelier-engine text risk train --csv /data/train/train.csv -o /out/model.bin --C 1 "
        "--quiet\n";
    test_write_file(p, script, strlen(script));
    unsigned char *arch = NULL;
    size_t alen = 0;
    char snap[AT_VAULT_SNAPSHOT_HEX];
    assert_int_equal(at_jobs_code_pack(code, 1 << 20, &arch, &alen), AT_OK);
    assert_int_equal(at_jobs_code_push(R.jobs, "s2", "ml", arch, alen, snap), AT_OK);
    at_free(arch);
    /* another student's code is not theirs to run */
    at_submission_config cfg = {.kind = "script", .command = "sh train.sh", .code = snap};
    int64_t id = 0;
    int left = 0;
    assert_int_equal(at_submission_create(C, "s3", "ml", "risk1", &cfg, &id, &left), AT_ERR_DENIED);
    assert_non_null(strstr(at_error_message(), "is not yours"));
    cfg.code = "latest";
    assert_int_equal(at_submission_create(C, "s3", "ml", "risk1", &cfg, &id, &left), AT_ERR_NOT_FOUND);
    cfg.code = NULL; /* s2's newest push */
    assert_int_equal(at_submission_create(C, "s2", "ml", "risk1", &cfg, &id, &left), AT_OK);
    at_submission s;
    until_done(id, &s);
    if (strcmp(s.state, "scored"))
        fail_msg("script submission: %s: %s", s.state, s.message);
    at_job job;
    assert_int_equal(at_jobs_get(R.jobs, s.job_id, &job), AT_OK);
    char res[800];
    snprintf(res, sizeof res, "%s/res", code);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml", "results", job.result, res), AT_OK);
    size_t len = 0;
    snprintf(p, sizeof p, "%s/seen.txt", res);
    char *seen = (char *)test_read_file(p, &len);
    assert_non_null(seen);
    assert_non_null(strstr(seen, "/data/train/train.csv"));
    assert_null(strstr(seen, "test"));
    snprintf(p, sizeof p, "%s/found.txt", res);
    char *found = (char *)test_read_file(p, &len);
    assert_non_null(found);
    assert_int_equal((int)len, 0);
    free(seen);
    free(found);
    test_rmtree(code);
    free(code);
    /* the teacher downloads the submitted configuration (its code snapshot) */
    char tok[AT_ROOM_TOKEN_MAX], path[160];
    snprintf(path, sizeof path, "/api/v1/courses/ml/submissions/%lld/config", (long long)id);
    assert_int_equal(get_as(token_of("tina", tok), path, &r), 200);
    assert_non_null(strstr(r.body, snap));
    rs_free(&r);
    snprintf(path, sizeof path, "/api/v1/courses/ml/submissions/%lld/code", (long long)id);
    assert_int_equal(get_as(tok, path, &r), 200);
    assert_true(r.len > 9 && !memcmp(r.body, "ATLCODE1\n", 9) && memmem(r.body, r.len, "find /data", 10));
    rs_free(&r);
    assert_int_equal(get_as(tok_s1, path, &r), 403); /* another student's code: no */
    rs_free(&r);
}

/* The engine's own evaluation of a model on a folder of notes: overall F1. */
static double offline_f1(const char *model, const char *dir)
{
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "'%s' text eval-deid --brat '%s' --model '%s' --json", engine_path(), dir,
             model);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    assert_int_equal(pclose(p), 0);
    const char *f = strstr(buf, "\"overall\":{");
    assert_non_null(f);
    f = strstr(f, "\"f1\":");
    assert_non_null(f);
    return atof(f + 5);
}

static void test_deid_task(void **state)
{
    (void)state;
    if (!have_bwrap)
        skip();
    assert_int_equal(at_course_generate(C, "tina", "ml", "notes", "notes", 80, 5), AT_OK);
    at_assignment_spec as = {.name = "deid1",
                             .task = "deid-f1",
                             .data = "notes",
                             .deadline = at_room_now() + 3600,
                             .per_day = 1,
                             .seed = 2};
    assert_int_equal(at_assignment_create(C, "tina", "ml", &as), AT_OK);
    at_assignment a;
    assert_int_equal(at_assignment_get(C, "ml", "deid1", &a), AT_OK);
    assert_true(a.train_rows > 40 && a.test_rows > 10 && a.public_rows < a.test_rows);
    at_submission_config cfg = {.kind = "pipeline", .epochs = 2};
    int64_t id = 0;
    int left = 0;
    assert_int_equal(at_submission_create(C, "s2", "ml", "deid1", &cfg, &id, &left), AT_OK);
    at_submission s;
    until_done(id, &s);
    if (strcmp(s.state, "scored"))
        fail_msg("deid submission: %s: %s", s.state, s.message);
    /* the scoring job's F1 is the engine's own evaluation of the same model */
    at_job job;
    assert_int_equal(at_jobs_get(R.jobs, s.job_id, &job), AT_OK);
    char *base = test_mkdtemp(), res[800], test[800], model[900], part[900];
    snprintf(res, sizeof res, "%s/res", base);
    snprintf(test, sizeof test, "%s/test", base);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml", "results", job.result, res), AT_OK);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml.grading", "deid1-test", "latest", test), AT_OK);
    snprintf(model, sizeof model, "%s/model.bin", res);
    snprintf(part, sizeof part, "%s/final", test);
    double fin = offline_f1(model, part);
    snprintf(part, sizeof part, "%s/public", test);
    double pub = offline_f1(model, part);
    print_message("deid scoring job: public %.4f final %.4f; offline: public %.4f final %.4f\n",
                  s.public_score, s.final_score, pub, fin);
    assert_true(fabs(s.final_score - fin) < 1e-4 && fabs(s.public_score - pub) < 1e-4);
    assert_true(fin > 0.5);
    test_rmtree(base);
    free(base);
}

static void test_sct_task(void **state)
{
    (void)state;
    if (!have_bwrap)
        skip();
    assert_int_equal(at_course_generate(C, "tina", "ml", "headct", "heads", 6, 3), AT_OK);
    at_assignment_spec as = {.name = "sct1",
                             .task = "sct-mae",
                             .data = "heads",
                             .deadline = at_room_now() + 3600,
                             .per_day = 1,
                             .test_fraction = 0.34,
                             .seed = 1};
    assert_int_equal(at_assignment_create(C, "tina", "ml", &as), AT_OK);
    at_assignment a;
    assert_int_equal(at_assignment_get(C, "ml", "sct1", &a), AT_OK);
    assert_int_equal(a.train_rows + a.test_rows, 6);
    assert_true(a.test_rows >= 1 && a.public_rows >= 1 && a.public_rows <= a.test_rows);
    at_submission_config cfg = {.kind = "pipeline", .epochs = 2, .time_limit = 300};
    int64_t id = 0;
    int left = 0;
    assert_int_equal(at_submission_create(C, "s3", "ml", "sct1", &cfg, &id, &left), AT_OK);
    at_submission s;
    until_done(id, &s);
    if (strcmp(s.state, "scored"))
        fail_msg("sct submission: %s: %s", s.state, s.message);
    /* the scoring job's MAE is the engine's own evaluation of the same model */
    at_job job;
    assert_int_equal(at_jobs_get(R.jobs, s.job_id, &job), AT_OK);
    char *base = test_mkdtemp(), res[800], test[800], cmd[3000];
    snprintf(res, sizeof res, "%s/res", base);
    snprintf(test, sizeof test, "%s/test", base);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml", "results", job.result, res), AT_OK);
    assert_int_equal(at_jobs_dataset_get(R.jobs, "ml.grading", "sct1-test", "latest", test), AT_OK);
    snprintf(cmd, sizeof cmd,
             "'%s' sct eval --prepared '%s/final' --model '%s/model' --threads 1 --json --quiet",
             engine_path(), test, res);
    FILE *p = popen(cmd, "r");
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    assert_int_equal(pclose(p), 0);
    static const char key[] = "\"mean\": {\"mae\": ";
    const char *m = strstr(buf, key);
    assert_non_null(m);
    double fin = atof(m + sizeof key - 1);
    print_message("sct scoring job: public %.4f final %.4f; offline final %.4f\n", s.public_score,
                  s.final_score, fin);
    assert_true(fabs(s.final_score - fin) < 1e-3 && fin > 0);
    test_rmtree(base);
    free(base);
    /* lower is better: the leaderboard's order */
    at_leader *lb = NULL;
    size_t nl = 0;
    int final = 0;
    assert_int_equal(at_leaderboard(C, "ml", "sct1", &lb, &nl, &final), AT_OK);
    assert_int_equal((int)nl, 1);
    at_free(lb);
    assert_true(at_task_lower_is_better("sct-mae") && !at_task_lower_is_better("risk-auroc"));
}

static void test_quotas(void **state)
{
    (void)state;
    at_submission_config cfg = {.kind = "pipeline", .C = 1, .time_limit = 600};
    assert_int_equal(at_course_quota_set(C, "tina", "ml", 0, 0, 1), AT_OK);
    int64_t id = 0;
    int left = 0;
    assert_int_equal(at_submission_create(C, "s3", "ml", "risk1", &cfg, &id, &left), AT_OK);
    /* its job is queued (no tick): the second is past the concurrent quota */
    assert_int_equal(at_submission_create(C, "s3", "ml", "risk1", &cfg, &id, &left), AT_ERR_QUOTA);
    assert_non_null(strstr(at_error_message(), "concurrent jobs of student s3"));
    /* core-hours: 0.1 a week, a submission asks 600 s x 1 core */
    assert_int_equal(at_course_quota_set(C, "tina", "ml", 0.1, 0, 0), AT_OK);
    assert_int_equal(at_submission_create(C, "s3", "ml", "risk1", &cfg, &id, &left), AT_ERR_QUOTA);
    assert_non_null(strstr(at_error_message(), "core-hours per week of student s3"));
    at_course_quota q;
    assert_int_equal(at_course_quota_of(C, "ml", "risk1", "s3", &q), AT_OK);
    assert_int_equal(q.active, 1);
    assert_int_equal(at_course_quota_set(C, "tina", "ml", 0, 0, 0), AT_OK);
}

static void test_deadline_and_grades(void **state)
{
    (void)state;
    rs_offset += 2 * 3600; /* past the deadline */
    at_submission_config cfg = {.kind = "pipeline"};
    int64_t id = 0;
    int left = 0;
    assert_int_equal(at_submission_create(C, "s2", "ml", "risk1", &cfg, &id, &left), AT_ERR_DENIED);
    assert_non_null(strstr(at_error_message(), "closed"));
    at_leader *lb = NULL;
    size_t n = 0;
    int final = 0;
    assert_int_equal(at_leaderboard(C, "ml", "risk1", &lb, &n, &final), AT_OK);
    assert_int_equal(final, 1);
    assert_true(n >= 1);
    at_free(lb);
    at_buf b;
    at_buf_init(&b, 1 << 20);
    assert_int_equal(at_course_grades_csv(C, "ml", &b), AT_OK);
    print_message("%s", (char *)b.data);
    assert_non_null(strstr((char *)b.data, "login,name,email,assignment,rule,submissions,score\n"));
    assert_non_null(
        strstr((char *)b.data, "alice.martin,\"Martin, Alice\",alice.martin@univ.example,risk1,best,2,0."));
    at_buf_free(&b);
    rs_offset -= 2 * 3600;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_course_and_enrolment),
        cmocka_unit_test(test_non_synthetic_refused),
        cmocka_unit_test(test_submit_score_and_limit),
        cmocka_unit_test(test_hidden_split_unreachable),
        cmocka_unit_test(test_deid_task),
        cmocka_unit_test(test_sct_task),
        cmocka_unit_test(test_quotas),
        cmocka_unit_test(test_deadline_and_grades),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
