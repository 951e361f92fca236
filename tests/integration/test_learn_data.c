/* atelier learn on a student's own data: a tiny synthetic NIfTI set
 * (NAME_input / NAME_target / NAME_mask, written at test time through the
 * image module) trained with `learn train` (config keys data, val_data;
 * 2D, 2.5D and 3D), resumed, and predicted with `learn predict`, whose
 * output keeps the input's grid. Also: the metrics log is valid JSON with
 * and without validation data, and bad folders give clear messages. */
#include "support.h"

#include "atelier/image.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;

static void path(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", dir, rel);
}

/* Smooth blobs (input) and a non-linear map of them (target), on a grid
 * with spacing and origin that the prediction must keep. */
static void write_case(const char *folder, const char *name, int nx, int ny, int nz, uint64_t seed,
                       int with_mask)
{
    at_grid g;
    at_grid_init(&g, nx, ny, nz, 1.5, 1.25, 3.0);
    g.origin[0] = -20;
    g.origin[1] = 7.5;
    g.origin[2] = 101;
    at_volume *in = NULL, *tgt = NULL, *mask = NULL;
    assert_int_equal(at_volume_new(&g, 0, &in), AT_OK);
    assert_int_equal(at_volume_new(&g, 0, &tgt), AT_OK);
    assert_int_equal(at_volume_new(&g, 1, &mask), AT_OK);
    at_rng r;
    at_rng_seed(&r, seed);
    for (int b = 0; b < 3; b++) {
        double cx = at_rng_uniform(&r) * nx, cy = at_rng_uniform(&r) * ny, cz = at_rng_uniform(&r) * nz,
               s = 3 + 4 * at_rng_uniform(&r), a = at_rng_uniform(&r) * 2 - 0.5;
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < ny; j++)
                for (int i = 0; i < nx; i++) {
                    double d2 = (i - cx) * (i - cx) + (j - cy) * (j - cy) + (k - cz) * (k - cz);
                    in->data[at_volume_index(in, i, j, k)] += (float)(a * exp(-d2 / (2 * s * s)));
                }
    }
    size_t n = at_grid_voxels(&g);
    for (size_t v = 0; v < n; v++) {
        float x = in->data[v];
        tgt->data[v] = tanhf(2 * x) + 0.3f * x * x;
        mask->data[v] = (v % 7) ? 1.0f : 0.0f;
    }
    char p[4200];
    snprintf(p, sizeof p, "%s/%s_input.nii.gz", folder, name);
    assert_int_equal(at_nifti_write(in, p), AT_OK);
    snprintf(p, sizeof p, "%s/%s_target.nii.gz", folder, name);
    assert_int_equal(at_nifti_write(tgt, p), AT_OK);
    if (with_mask) {
        snprintf(p, sizeof p, "%s/%s_mask.nii", folder, name);
        assert_int_equal(at_nifti_write(mask, p), AT_OK);
    }
    at_volume_free(in);
    at_volume_free(tgt);
    at_volume_free(mask);
}

static int setup(void **state)
{
    (void)state;
    dir = test_mkdtemp();
    char train[4200], val[4200];
    path(train, sizeof train, "data/train");
    path(val, sizeof val, "data/val");
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s'", train, val);
    if (system(cmd) != 0)
        return -1;
    /* in-plane 20x24 (windows flush with the end), one case 12 wide
     * (padded: masked out of the loss), one with a mask */
    write_case(train, "case01", 20, 24, 6, 1, 0);
    write_case(train, "case02", 20, 24, 5, 2, 1);
    write_case(train, "case03", 12, 16, 4, 3, 0);
    write_case(val, "case09", 20, 24, 4, 9, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(dir);
    free(dir);
    return 0;
}

static void write_config(const char *name, const char *extra)
{
    char p[4200];
    path(p, sizeof p, name);
    char text[2048];
    int n = snprintf(text, sizeof text,
                     "base = 4\ndepth = 2\nsize = 16\nbatch = 4\nlr = 0.01\nthreads = 1\n"
                     "seed = 3\n%s",
                     extra);
    assert_int_equal(test_write_file(p, text, (size_t)n), 0);
}

/* Every line of the metrics log parses as strict JSON; returns the number
 * of epoch lines and the last epoch line's train_loss and val_loss (NAN
 * for null), and the first step's loss. */
static int read_metrics(const char *run, double *first_loss, double *train_loss, double *val_loss)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s/metrics.jsonl", dir, run);
    size_t len;
    char *text = (char *)test_read_file(p, &len);
    assert_non_null(text);
    int epochs = 0;
    *first_loss = NAN;
    for (char *line = text; line < text + len;) {
        char *end = memchr(line, '\n', (size_t)(text + len - line));
        assert_non_null(end);
        cJSON *j = cJSON_ParseWithLength(line, (size_t)(end - line));
        if (!j)
            fail_msg("metrics line is not JSON: %.*s", (int)(end - line), line);
        const cJSON *loss = cJSON_GetObjectItem(j, "loss"), *tl = cJSON_GetObjectItem(j, "train_loss"),
                    *vl = cJSON_GetObjectItem(j, "val_loss");
        if (loss && isnan(*first_loss))
            *first_loss = loss->valuedouble;
        if (tl) {
            epochs++;
            *train_loss = tl->valuedouble;
            assert_true(cJSON_IsNumber(vl) || cJSON_IsNull(vl));
            *val_loss = cJSON_IsNumber(vl) ? vl->valuedouble : NAN;
        }
        cJSON_Delete(j);
        line = end + 1;
    }
    free(text);
    return epochs;
}

static void check_prediction(const char *pred_rel, const char *input_rel, const char *target_rel, double *mae,
                             double *mae_zero)
{
    char p[4200];
    at_volume *pred = NULL, *in = NULL, *tgt = NULL;
    path(p, sizeof p, pred_rel);
    assert_int_equal(at_nifti_read(p, &pred), AT_OK);
    path(p, sizeof p, input_rel);
    assert_int_equal(at_nifti_read(p, &in), AT_OK);
    path(p, sizeof p, target_rel);
    assert_int_equal(at_nifti_read(p, &tgt), AT_OK);
    assert_true(at_grid_same(&pred->grid, &in->grid, 1e-4));
    size_t n = at_grid_voxels(&in->grid);
    double e = 0, z = 0;
    for (size_t v = 0; v < n; v++) {
        assert_true(isfinite(pred->data[v]));
        e += fabs(pred->data[v] - tgt->data[v]);
        z += fabs(tgt->data[v]);
    }
    *mae = e / (double)n;
    *mae_zero = z / (double)n;
    at_volume_free(pred);
    at_volume_free(in);
    at_volume_free(tgt);
}

static void test_train_2d_on_folders(void **state)
{
    (void)state;
    /* relative data paths are relative to the config file's folder */
    write_config("t2d.cfg", "epochs = 4\ndata = data/train\nval_data = data/val\n");
    char *out = NULL;
    int rc = test_run(&out, 1, "cd / && '%s' learn train --config '%s/t2d.cfg' --out '%s/r2d'",
                      test_atelier_bin(), dir, dir);
    if (rc != 0)
        fail_msg("train: %s", out);
    /* 6+5+4 slices: 2x2 windows each for 20x24, 1 for the padded 12x16 */
    assert_non_null(strstr(out, "data: 3 cases, 48 training windows; validation: 1 cases, 16"));
    assert_non_null(strstr(out, "trained 4 epochs: validation loss"));
    free(out);
    double first, tl, vl;
    assert_int_equal(read_metrics("r2d", &first, &tl, &vl), 4);
    printf("2d: first step loss %.4f, last epoch train %.4f, validation %.4f\n", first, tl, vl);
    assert_true(isfinite(vl));
    assert_true(tl < first);

    /* resume with more epochs continues from the checkpoint */
    write_config("t2d.cfg", "epochs = 5\ndata = data/train\nval_data = data/val\n");
    rc = test_run(&out, 1,
                  "'%s' learn train --config '%s/t2d.cfg' --out '%s/r2d' --quiet --resume "
                  "'%s/r2d/checkpoint.safetensors'",
                  test_atelier_bin(), dir, dir, dir);
    if (rc != 0)
        fail_msg("resume: %s", out);
    free(out);
    assert_int_equal(read_metrics("r2d", &first, &tl, &vl), 5);

    /* predict the validation volume: the grid is kept, the model beats zero */
    rc = test_run(&out, 1,
                  "'%s' learn predict --checkpoint '%s/r2d/checkpoint.safetensors' --input "
                  "'%s/data/val/case09_input.nii.gz' -o '%s/p2d.nii.gz' --overlap 0.5 --threads 1",
                  test_atelier_bin(), dir, dir, dir);
    if (rc != 0)
        fail_msg("predict: %s", out);
    assert_non_null(strstr(out, "windows of 16x16"));
    free(out);
    double mae, mae0;
    check_prediction("p2d.nii.gz", "data/val/case09_input.nii.gz", "data/val/case09_target.nii.gz", &mae,
                     &mae0);
    printf("2d predict: MAE %.4f (zero prediction %.4f)\n", mae, mae0);
    assert_true(mae < mae0);

    /* a config that disagrees with the checkpoint is refused, naming the key */
    write_config("other.cfg", "base = 8\n");
    rc = test_run(&out, 1,
                  "'%s' learn predict --checkpoint '%s/r2d/checkpoint.safetensors' --config "
                  "'%s/other.cfg' --input '%s/data/val/case09_input.nii.gz' -o '%s/x.nii.gz'",
                  test_atelier_bin(), dir, dir, dir, dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "the checkpoint has base = 4, the config has base = 8"));
    free(out);
}

static void test_no_validation_gives_null(void **state)
{
    (void)state;
    write_config("nov.cfg", "epochs = 1\ndata = data/train\n");
    char *out = NULL;
    int rc = test_run(&out, 1, "'%s' learn train --config '%s/nov.cfg' --out '%s/rnov' --quiet",
                      test_atelier_bin(), dir, dir);
    if (rc != 0)
        fail_msg("train: %s", out);
    assert_non_null(strstr(out, "no validation data"));
    free(out);
    double first, tl, vl = 0;
    assert_int_equal(read_metrics("rnov", &first, &tl, &vl), 1);
    assert_true(isnan(vl)); /* "val_loss":null, not nan */
}

static void test_train_25d_and_3d(void **state)
{
    (void)state;
    static const char *modes[2][3] = {
        {"t25.cfg", "mode = 2.5d\nneighbours = 1\nepochs = 2\ndata = data/train\n", "r25"},
        {"t3d.cfg", "mode = 3d\ndepth = 1\nsize = 4\nbatch = 2\nepochs = 2\ndata = data/train\n", "r3d"}};
    for (int i = 0; i < 2; i++) {
        write_config(modes[i][0], modes[i][1]);
        char *out = NULL;
        int rc = test_run(&out, 1, "'%s' learn train --config '%s/%s' --out '%s/%s' --quiet",
                          test_atelier_bin(), dir, modes[i][0], dir, modes[i][2]);
        if (rc != 0)
            fail_msg("%s: %s", modes[i][0], out);
        free(out);
        double first, tl, vl;
        assert_int_equal(read_metrics(modes[i][2], &first, &tl, &vl), 2);
        rc = test_run(&out, 1,
                      "'%s' learn predict --checkpoint '%s/%s/checkpoint.safetensors' --input "
                      "'%s/data/val/case09_input.nii.gz' -o '%s/p%d.nii' --threads 1",
                      test_atelier_bin(), dir, modes[i][2], dir, dir, i);
        if (rc != 0)
            fail_msg("predict %s: %s", modes[i][0], out);
        printf("%s", out);
        free(out);
        char rel[64];
        snprintf(rel, sizeof rel, "p%d.nii", i);
        double mae, mae0;
        check_prediction(rel, "data/val/case09_input.nii.gz", "data/val/case09_target.nii.gz", &mae, &mae0);
    }
}

static void test_bad_folders(void **state)
{
    (void)state;
    char p[4200], cmd[9000];
    path(p, sizeof p, "data/bad");
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
    assert_int_equal(system(cmd), 0);
    write_config("bad.cfg", "epochs = 1\ndata = data/bad\n");
    char *out = NULL;
    int rc = test_run(&out, 1, "'%s' learn train --config '%s/bad.cfg' --out '%s/rbad' --quiet",
                      test_atelier_bin(), dir, dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "data/bad: no NAME_input.nii.gz files"));
    free(out);
    /* an input without its target */
    write_case(p, "lonely", 8, 8, 2, 5, 0);
    snprintf(cmd, sizeof cmd, "rm '%s/lonely_target.nii.gz'", p);
    assert_int_equal(system(cmd), 0);
    rc = test_run(&out, 1, "'%s' learn train --config '%s/bad.cfg' --out '%s/rbad' --quiet",
                  test_atelier_bin(), dir, dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "lonely_input has no lonely_target.nii.gz beside it"));
    free(out);
    /* a target on another grid */
    write_case(p, "other", 10, 8, 2, 6, 0);
    snprintf(cmd, sizeof cmd, "mv '%s/other_target.nii.gz' '%s/lonely_target.nii.gz'", p, p);
    assert_int_equal(system(cmd), 0);
    rc = test_run(&out, 1, "'%s' learn train --config '%s/bad.cfg' --out '%s/rbad' --quiet",
                  test_atelier_bin(), dir, dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "lonely_target: its grid (dimensions or geometry) differs"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_2d_on_folders),
        cmocka_unit_test(test_no_validation_gives_null),
        cmocka_unit_test(test_train_25d_and_3d),
        cmocka_unit_test(test_bad_folders),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
