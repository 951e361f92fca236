/* A user's own code through the room: a PyTorch training script (Debian's
 * python3-torch, the station's interpreter) pushed as a code snapshot; a
 * first job makes a synthetic data set, a second trains on it inside the
 * sandbox with its loss streamed as progress events, and its model comes
 * back as a result snapshot whose lineage names the data's snapshot, the
 * code's snapshot, the spec, the atelier version and the user. */
#include "jobs_support.h"

static void test_torch(void **state)
{
    (void)state;
    char *out = NULL;
    if (!test_have_program("bwrap") || test_run(&out, 1, "/usr/bin/python3 -c 'import torch' ") != 0) {
        free(out);
        print_message(
            "SKIPPED: bubblewrap or python3-torch is not installed (scripts/bootstrap installs them)\n");
        skip();
    }
    free(out);
    js_room R;
    char tok[1][AT_ROOM_TOKEN_MAX];
    js_init(&R, "jobs.executor = local\njobs.tick_ms = 100\n");
    const char *users[] = {"phd"};
    at_project_role roles[] = {AT_PROJECT_MEMBER};
    js_people(&R, "thesis", users, roles, 1, tok);
    char code[700], cmd[2000];
    snprintf(code, sizeof code, "%s/code", R.base);
    mkdir(code, 0700);
    snprintf(cmd, sizeof cmd, "cp '%s/tests/jobs/gen_data.py' '%s/tests/jobs/train.py' '%s/'",
             getenv("ATELIER_SOURCE_DIR"), getenv("ATELIER_SOURCE_DIR"), code);
    assert_int_equal(system(cmd), 0);
    js_serve(&R);
    snprintf(cmd, sizeof cmd, "code push '%s' --project thesis", code);
    assert_int_equal(js_cli(&R, tok[0], &out, 0, cmd), 0);
    char code_snap[80];
    snprintf(code_snap, sizeof code_snap, "%.64s", out);
    free(out);
    /* the synthetic data set */
    int rc = js_cli(
        &R, tok[0], &out, 1,
        "job submit --project thesis --name data --command 'python3 gen_data.py 2000' --time 300 --wait");
    if (rc)
        fail_msg("data job: %s", out);
    char data_snap[80] = "";
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strlen(line) == 64 && strspn(line, "0123456789abcdef") == 64)
            snprintf(data_snap, sizeof data_snap, "%s", line);
    free(out);
    assert_int_equal(strlen(data_snap), 64);
    /* the training, on that snapshot */
    snprintf(cmd, sizeof cmd,
             "job submit --project thesis --name train --command 'python3 train.py 200' --input "
             "results@%s:ds --cores 2 "
             "--time 600 --wait",
             data_snap);
    rc = js_cli(&R, tok[0], &out, 1, cmd);
    if (rc)
        fail_msg("training job: %s", out);
    long long id = atoll(out);
    free(out);
    snprintf(cmd, sizeof cmd, "job result %lld -o '%s/model'", id, R.base);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, cmd), 0);
    char p[900];
    snprintf(p, sizeof p, "%s/model/model.pt", R.base);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_true(sb.st_size > 100);
    snprintf(p, sizeof p, "%s/model/metrics.json", R.base);
    size_t len;
    unsigned char *d = test_read_file(p, &len);
    cJSON *m = cJSON_Parse((const char *)d);
    free(d);
    double first = cJSON_GetObjectItemCaseSensitive(m, "first_loss")->valuedouble,
           last = cJSON_GetObjectItemCaseSensitive(m, "last_loss")->valuedouble;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(m, "weights");
    print_message("loss %.4f -> %.6f, weights %.3f %.3f\n", first, last,
                  cJSON_GetArrayItem(w, 0)->valuedouble, cJSON_GetArrayItem(w, 1)->valuedouble);
    assert_true(last < first / 10);
    assert_true(fabs(cJSON_GetArrayItem(w, 0)->valuedouble - 3) < 0.1);
    assert_true(fabs(cJSON_GetArrayItem(w, 1)->valuedouble + 2) < 0.1);
    cJSON_Delete(m);
    /* its lineage: the data's snapshot, the code's, the spec, the version, the user */
    snprintf(p, sizeof p, "%s/model/.atelier/lineage.json", R.base);
    d = test_read_file(p, &len);
    cJSON *lin = cJSON_Parse((const char *)d);
    free(d);
    const cJSON *in = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(lin, "inputs"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(in, "snapshot")->valuestring, data_snap);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(lin, "code"), "snapshot")
            ->valuestring,
        code_snap);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(lin, "user")->valuestring, "phd");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(lin, "atelier")->valuestring, ATELIER_VERSION);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(lin, "spec"), "command")
            ->valuestring,
        "python3 train.py 200");
    cJSON_Delete(lin);
    /* the loss curve was streamed: events with a loss, drawn on the job page */
    char object[32];
    snprintf(object, sizeof object, "%lld", id);
    assert_int_equal(js_sql_int(&R, "SELECT step FROM jobs WHERE id = ?", object), 200);
    snprintf(cmd, sizeof cmd, "job show %lld --json", id);
    js_cli(&R, tok[0], &out, 0, cmd);
    assert_non_null(strstr(out, "\"loss\""));
    free(out);
    /* the job's page: the loss curve drawn by the server, the log for the member */
    char cookie[AT_ROOM_TOKEN_MAX], path[64];
    js_browser_cookie(&R, "phd", cookie);
    snprintf(path, sizeof path, "/jobs/%lld", id);
    char *page = NULL;
    assert_int_equal(js_page(&R, cookie, path, &page), 200);
    assert_non_null(strstr(page, "<svg id=\"curve\""));
    assert_non_null(strstr(page, "<polyline"));
    assert_non_null(strstr(page, "loss (20 points)"));
    assert_non_null(strstr(page, "id=\"log\""));
    assert_non_null(strstr(page, "trained: loss"));
    free(page);
    /* an administrator sees the job, not its log */
    js_browser_cookie(&R, "admin", cookie);
    assert_int_equal(js_page(&R, cookie, path, &page), 200);
    assert_null(strstr(page, "id=\"log\""));
    free(page);
    assert_int_equal(js_page(&R, cookie, "/queue", &page), 200);
    assert_non_null(strstr(page, "id=\"stations\""));
    free(page);
    js_cleanup(&R);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_torch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
