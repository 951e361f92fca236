/* Jobs through a real Slurm cluster (executor slurm; scripts/slurm-up starts
 * a single-node one, as .ci/run does): sbatch --parsable with the project
 * as account, a GPU request through gres (CUDA_VISIBLE_DEVICES given by
 * Slurm into the sandbox), the state followed with squeue and sacct, the
 * result back in the vault, a cancellation through scancel, a time limit,
 * and the stations' load from sinfo. Skipped, loudly, when no cluster
 * answers. */
#include "jobs_support.h"

static js_room R;
static char tok[2][AT_ROOM_TOKEN_MAX];
static int have_slurm;

static int setup(void **state)
{
    (void)state;
    char *out = NULL;
    have_slurm = test_have_program("sbatch") && test_have_program("bwrap") &&
                 test_run(&out, 1, "timeout 10 sinfo -h -o %%T") == 0 && out &&
                 (strstr(out, "idle") || strstr(out, "mix") || strstr(out, "alloc"));
    free(out);
    if (!have_slurm) {
        print_message("SKIPPED: no Slurm cluster answers (scripts/slurm-up starts one; .ci/run does)\n");
        return 0;
    }
    js_init(&R, "jobs.executor = slurm\njobs.tick_ms = 200\n");
    const char *users[] = {"ana", "ben"};
    at_project_role roles[] = {AT_PROJECT_LEAD, AT_PROJECT_MEMBER};
    js_people(&R, "onco", users, roles, 2, tok);
    char code[700];
    snprintf(code, sizeof code, "%s/code", R.base);
    mkdir(code, 0700);
    js_file(code, "gpu.sh",
            "printf '{\"phase\":\"work\",\"step\":1,\"total\":1}\\n' >&3\n"
            "echo \"cuda=$CUDA_VISIBLE_DEVICES\" > /out/env.txt\necho slurm job ran\n");
    js_serve(&R);
    char cmd[900];
    snprintf(cmd, sizeof cmd, "code push '%s' --project onco", code);
    if (js_cli(&R, tok[0], &out, 1, cmd))
        fail_msg("code push: %s", out);
    free(out);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (R.base)
        js_cleanup(&R);
    return 0;
}

static long long submit(const char *args)
{
    char *out = NULL, cmd[1024];
    snprintf(cmd, sizeof cmd, "job submit --project onco --memory 256M %s", args);
    int rc = js_cli(&R, tok[0], &out, 1, cmd);
    long long id = atoll(out ? out : "0");
    if (rc || id <= 0)
        fail_msg("submit %s: %s", args, out);
    free(out);
    return id;
}

static void wait_state(long long id, const char *want, double seconds)
{
    char st[32];
    for (double t = 0; t < seconds; t += 0.3) {
        js_state(&R, tok[0], id, st, sizeof st);
        if (!strcmp(st, want))
            return;
        usleep(300000);
    }
    fail_msg("job %lld: state %s after %.0f s, expected %s", id, st, seconds, want);
}

static void sacct_field(const char *external, const char *field, char *out, size_t cap)
{
    char *o = NULL;
    out[0] = '\0';
    for (int i = 0; i < 40; i++) { /* accounting lags a little */
        test_run(&o, 0, "sacct -n -X --parsable2 -j %s -o %s 2>/dev/null", external, field);
        if (o && *o && o[0] != '\n') {
            snprintf(out, cap, "%s", o);
            out[strcspn(out, "\n")] = '\0';
            free(o);
            return;
        }
        free(o);
        usleep(250000);
    }
}

static void external_of(long long id, char *ext, size_t cap)
{
    char *o = NULL, args[64];
    snprintf(args, sizeof args, "job show %lld --json", id);
    js_cli(&R, tok[0], &o, 0, args);
    cJSON *j = cJSON_Parse(o);
    const cJSON *e =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "job"), "external_id");
    snprintf(ext, cap, "%s", cJSON_IsString(e) ? e->valuestring : "");
    cJSON_Delete(j);
    free(o);
}

static void test_slurm_gpu_job(void **state)
{
    (void)state;
    if (!have_slurm)
        skip();
    long long id = submit("--gpus 1 --command 'sh gpu.sh' --time 60");
    wait_state(id, "succeeded", 120);
    char ext[32], v[128];
    external_of(id, ext, sizeof ext);
    assert_true(atoll(ext) > 0);
    sacct_field(ext, "Account", v, sizeof v);
    assert_string_equal(v, "onco"); /* the project as account */
    sacct_field(ext, "AllocTRES", v, sizeof v);
    assert_non_null(strstr(v, "gres/gpu=1"));
    sacct_field(ext, "State", v, sizeof v);
    assert_string_equal(v, "COMPLETED");
    char dest[800];
    snprintf(dest, sizeof dest, "job result %lld -o '%s/r%lld'", id, R.base, id);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, dest), 0);
    snprintf(dest, sizeof dest, "%s/r%lld/env.txt", R.base, id);
    size_t len;
    unsigned char *d = test_read_file(dest, &len);
    assert_non_null(d);
    assert_true(test_contains(d, len, "cuda=0") || test_contains(d, len, "cuda=1"));
    free(d);
    char *out = NULL;
    char args[64];
    snprintf(args, sizeof args, "job logs %lld", id);
    js_cli(&R, tok[0], &out, 0, args);
    assert_non_null(strstr(out, "slurm job ran"));
    free(out);
    /* the room's queue page shows Slurm's node */
    char admin[AT_ROOM_TOKEN_MAX];
    js_admin_token(&R, admin);
    js_cli(&R, admin, &out, 0, "job list --queue");
    assert_non_null(strstr(out, "station "));
    assert_non_null(strstr(out, "cores in use"));
    free(out);
}

static void test_slurm_cancel_and_time_limit(void **state)
{
    (void)state;
    if (!have_slurm)
        skip();
    long long slow = submit("--command 'sleep 120' --time 3");
    long long cancel = submit("--command 'sleep 120' --time 300");
    wait_state(cancel, "running", 90);
    char args[64];
    snprintf(args, sizeof args, "job cancel %lld", cancel);
    assert_int_equal(js_cli(&R, tok[0], NULL, 0, args), 0);
    wait_state(cancel, "cancelled", 90);
    char ext[32], v[128];
    external_of(cancel, ext, sizeof ext);
    sacct_field(ext, "State", v, sizeof v);
    assert_non_null(strstr(v, "CANCELLED"));
    wait_state(slow, "timed-out", 120);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slurm_gpu_job),
        cmocka_unit_test(test_slurm_cancel_and_time_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
