/* atelier sct prepare | train | predict, and eval over a prepared folder. */
#include "cli.h"

#include "atelier/learn.h"
#include "atelier/sct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sct_prepare_cmd(int argc, char **argv);
int sct_train_cmd(int argc, char **argv);
int sct_predict_cmd(int argc, char **argv);
int sct_eval_prepared(const char *prep, const char *model, const char *split, const char *png,
                      int json, int threads, int flip);

static int num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= lo && v <= hi))
        return 0;
    *out = v;
    return 1;
}

int sct_prepare_cmd(int argc, char **argv)
{
    const char *cohort = NULL, *out = NULL;
    at_sct_prepare_options o;
    memset(&o, 0, sizeof o);
    o.test = 5;
    o.val = 2;
    o.seed = 1;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        double x;
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--test") && i + 1 < argc && num(argv[i + 1], 0, 10000, &x))
            o.test = (int)x, i++;
        else if (!strcmp(argv[i], "--val") && i + 1 < argc && num(argv[i + 1], 0, 10000, &x))
            o.val = (int)x, i++;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc && num(argv[i + 1], 0, 4e9, &x))
            o.seed = (uint64_t)x, i++;
        else if (!strcmp(argv[i], "--no-register"))
            o.no_register = 1;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (argv[i][0] != '-' && !cohort)
            cohort = argv[i];
        else
            return cli_usage_error("sct prepare", "unexpected or invalid argument '%s'", argv[i]);
    }
    if (!cohort || !out)
        return cli_usage_error("sct prepare", "a cohort folder and --out are required");
    cli_progress p;
    cli_progress_init(&p, "sct prepare", quiet);
    o.progress = cli_progress_cb;
    o.progress_ud = &p;
    at_status st = at_sct_prepare(cohort, out, &o);
    cli_progress_end(&p);
    return st ? cli_fail(st) : CLI_OK;
}

static void epoch_note(void *ud, int epoch, double train, double val, double seconds)
{
    if (*(int *)ud)
        return;
    if (isnan(val))
        fprintf(stderr, "epoch %3d  train L1 %7.2f HU  (no validation patients)  %6.0f s\n", epoch, train,
                seconds);
    else
        fprintf(stderr, "epoch %3d  train L1 %7.2f HU  validation MAE %7.2f HU  %6.0f s\n", epoch,
                train, val, seconds);
}

int sct_train_cmd(int argc, char **argv)
{
    const char *prep = NULL, *out = NULL;
    at_sct_train_options o;
    at_sct_train_options_default(&o);
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        double x;
        if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc && num(argv[i + 1], 1, 100000, &x))
            o.epochs = (int)x, i++;
        else if (!strcmp(argv[i], "--minutes") && i + 1 < argc && num(argv[i + 1], 0.01, 1e5, &x))
            o.minutes = x, i++;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc && num(argv[i + 1], 1, 256, &x))
            o.threads = (int)x, i++;
        else if (!strcmp(argv[i], "--base") && i + 1 < argc && num(argv[i + 1], 4, 128, &x))
            o.base = (int)x, i++;
        else if (!strcmp(argv[i], "--depth") && i + 1 < argc && num(argv[i + 1], 1, 6, &x))
            o.depth = (int)x, i++;
        else if (!strcmp(argv[i], "--neighbours") && i + 1 < argc && num(argv[i + 1], 0, 4, &x))
            o.neighbours = (int)x, i++;
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc && num(argv[i + 1], 1, 256, &x))
            o.batch = (int)x, i++;
        else if (!strcmp(argv[i], "--no-norm"))
            o.no_norm = 1;
        else if (!strcmp(argv[i], "--batch-norm"))
            o.no_norm = 0;
        else if (!strcmp(argv[i], "--bf16"))
            o.bf16 = 1;
        else if (!strcmp(argv[i], "--f32"))
            o.bf16 = 0;
        else if (!strcmp(argv[i], "--recalibrate") && i + 1 < argc && num(argv[i + 1], 0, 10000, &x))
            o.recalibrate = (int)x, i++;
        else if (!strcmp(argv[i], "--patch") && i + 1 < argc && num(argv[i + 1], 0, 4096, &x))
            o.patch = (int)x, i++;
        else if (!strcmp(argv[i], "--lr") && i + 1 < argc && num(argv[i + 1], 1e-7, 1, &x))
            o.lr = (float)x, i++;
        else if (!strcmp(argv[i], "--weight-decay") && i + 1 < argc && num(argv[i + 1], 0, 1, &x))
            o.weight_decay = (float)x, i++;
        else if (!strcmp(argv[i], "--rotate") && i + 1 < argc && num(argv[i + 1], 0, 45, &x))
            o.rotate_deg = x, i++;
        else if (!strcmp(argv[i], "--zoom") && i + 1 < argc && num(argv[i + 1], 0, 0.5, &x))
            o.zoom = x, i++;
        else if (!strcmp(argv[i], "--intensity") && i + 1 < argc && num(argv[i + 1], 0, 0.5, &x))
            o.intensity = x, i++;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc && num(argv[i + 1], 0, 4e9, &x))
            o.seed = (uint64_t)x, i++;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (argv[i][0] != '-' && !prep)
            prep = argv[i];
        else
            return cli_usage_error("sct train", "unexpected or invalid argument '%s'", argv[i]);
    }
    if (!prep || !out)
        return cli_usage_error("sct train", "a prepared folder and --out are required");
    o.epoch_note = epoch_note;
    o.epoch_ud = &quiet;
    at_learn_set_threads(o.threads);
    at_status st = at_sct_train(prep, out, &o);
    return st ? cli_fail(st) : CLI_OK;
}

int sct_predict_cmd(int argc, char **argv)
{
    const char *mr = NULL, *model = NULL, *out = NULL;
    int threads = 2, flip = 1;
    for (int i = 1; i < argc; i++) {
        double x;
        if (!strcmp(argv[i], "--no-flip"))
            flip = 0;
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc && num(argv[i + 1], 1, 256, &x))
            threads = (int)x, i++;
        else if (argv[i][0] != '-' && !mr)
            mr = argv[i];
        else
            return cli_usage_error("sct predict", "unexpected or invalid argument '%s'", argv[i]);
    }
    if (!mr || !model || !out)
        return cli_usage_error("sct predict", "an MRI series folder, --model and -o are required");
    at_sct_model *m = NULL;
    at_status st = at_sct_model_load(model, threads, &m);
    if (!st) {
        at_sct_model_set_flip_average(m, flip);
        st = at_sct_predict_series(m, mr, out);
    }
    at_sct_model_free(m);
    return st ? cli_fail(st) : CLI_OK;
}

/* A JSON number, or null where the value is not finite (the PSNR of a
 * perfect prediction is infinite). buf holds 32 bytes. */
static const char *json_number(char *buf, double x, int decimals)
{
    if (isfinite(x))
        snprintf(buf, 32, "%.*f", decimals, x);
    else
        snprintf(buf, 32, "null");
    return buf;
}

int sct_eval_prepared(const char *prep, const char *model, const char *split, const char *png,
                      int json, int threads, int flip)
{
    at_sct_model *m = NULL;
    at_sct_result *r = NULL;
    size_t n = 0;
    at_status st = at_sct_model_load(model, threads, &m);
    if (!st) {
        at_sct_model_set_flip_average(m, flip);
        st = at_sct_evaluate(m, prep, split, png, &r, &n);
    }
    at_sct_model_free(m);
    if (st)
        return cli_fail(st);
    double s[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
    if (json)
        printf("{\"split\": \"%s\", \"patients\": [", split);
    for (size_t i = 0; i < n; i++) {
        const at_sct_metrics *mt = &r[i].metrics;
        double v[3] = {mt->mae, mt->psnr, mt->ssim};
        for (int q = 0; q < 3; q++) {
            s[q] += v[q];
            s2[q] += v[q] * v[q];
        }
        char b[32];
        if (json)
            printf("%s{\"name\": \"%s\", \"mae\": %.4f, \"psnr\": %s, \"ssim\": %.6f}", i ? ", " : "",
                   r[i].name, mt->mae, json_number(b, mt->psnr, 4), mt->ssim);
        else
            printf("%-16s MAE %7.2f HU  PSNR %6.2f dB  SSIM %.4f\n", r[i].name, mt->mae, mt->psnr,
                   mt->ssim);
    }
    double mean[3], sd[3];
    for (int q = 0; q < 3; q++) {
        mean[q] = s[q] / (double)n;
        double var = n > 1 ? (s2[q] - (double)n * mean[q] * mean[q]) / (double)(n - 1) : 0;
        sd[q] = var > 0 ? sqrt(var) : 0;
    }
    char b1[32], b2[32];
    if (json)
        printf("], \"mean\": {\"mae\": %.4f, \"psnr\": %s, \"ssim\": %.6f}, \"sd\": {\"mae\": %.4f, "
               "\"psnr\": %s, \"ssim\": %.6f}}\n",
               mean[0], json_number(b1, mean[1], 4), mean[2], sd[0], json_number(b2, sd[1], 4), sd[2]);
    else
        printf("%-16s MAE %7.2f ± %.2f HU  PSNR %6.2f ± %.2f dB  SSIM %.4f ± %.4f  (%zu patients)\n",
               "mean ± sd", mean[0], sd[0], mean[1], sd[1], mean[2], sd[2], n);
    at_free(r);
    return CLI_OK;
}
