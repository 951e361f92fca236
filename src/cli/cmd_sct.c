/* atelier sct: the MRI-only radiotherapy (pseudo-CT) pipeline. This file:
 * the dispatch, eval (options -> at_sct_eval_spec -> at_sct_eval_run ->
 * the metrics) and register; prepare, train and predict are in
 * cmd_sct_pipeline.c. */
#include "cli.h"
#include "cmd_sct.h"

#include "atelier/image.h"
#include "atelier/learn.h"
#include "atelier/sct.h"

#include <math.h>
#include <string.h>

static const char *SCT_EVAL_HELP =
    "usage: atelier sct eval --prepared PREP --model MODEL [--split test] [--png OUT.png]\n"
    "                        [--threads 2] [--no-flip] [--force] [--json] [--quiet]\n"
    "       atelier sct eval --reference CT --prediction SCT --mask MASK [--other-frames] [--json]\n"
    "\n"
    "SynthRAD2023 metrics (MAE, PSNR, SSIM inside the mask): of a model on every\n"
    "patient of a split of a prepared folder (per patient, then mean +/- sd), or\n"
    "of a pseudo-CT against a CT. Volumes are NIfTI files or DICOM series folders;\n"
    "DICOM series of different Frames of Reference are refused (register first),\n"
    "unless --other-frames.\n"
    "  --split S          test (default), val or train\n"
    "  --png FILE         MRI | CT | pseudo-CT | error of the first patient (an\n"
    "                     existing FILE is refused; --force replaces it)\n"
    "  --threads N        kernel threads (default 2)\n"
    "  --no-flip          one pass (default: averaged with the left-right mirror)\n"
    "  --json             one JSON object on stdout\n"
    "  -q, --quiet        no progress display\n";

static const char *SCT_REGISTER_HELP =
    "usage: atelier sct register --fixed CT --moving MRI [-o MRI_ON_CT.nii.gz] [--levels 3]\n"
    "                            [--samples 20000] [--seed 1] [--force] [--json]\n"
    "\n"
    "Rigid MRI -> CT registration (Euler 3D, Mattes mutual information); -o writes\n"
    "the moving volume resampled onto the fixed grid (cubic B-spline).\n";

static const char *SCT_SYNTH_HELP =
    "usage: atelier sct synth --patients N --out DIR [--region head|pelvis] [--seed S]\n"
    "                         [--size NX NY NZ] [--spacing SX SY SZ] [--quiet]\n"
    "\n"
    "Synthetic paired CT/MRI phantoms: the same as 'atelier synth cohort'.\n";

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

static void print_eval(const at_sct_eval_spec *spec, const at_sct_eval_result *r, int json)
{
    char b[3][32];
    if (!spec->prepared) {
        const at_sct_metrics *mt = &r->metrics;
        if (json)
            printf("{\"mae\": %.6f, \"psnr\": %s, \"ssim\": %.8f}\n", mt->mae, json_number(b[0], mt->psnr, 6),
                   mt->ssim);
        else
            printf("MAE  %.2f HU\nPSNR %.3f dB\nSSIM %.5f\nmask %zu voxels\n", mt->mae, mt->psnr, mt->ssim,
                   mt->mask_voxels);
        return;
    }
    const char *split = spec->split ? spec->split : "test";
    if (json)
        printf("{\"split\": \"%s\", \"patients\": [", split);
    for (size_t i = 0; i < r->count; i++) {
        const at_sct_metrics *mt = &r->patients[i].metrics;
        if (json)
            printf("%s{\"name\": \"%s\", \"mae\": %.4f, \"psnr\": %s, \"ssim\": %.6f}", i ? ", " : "",
                   r->patients[i].name, mt->mae, json_number(b[0], mt->psnr, 4), mt->ssim);
        else
            printf("%-16s MAE %7.2f HU  PSNR %6.2f dB  SSIM %.4f\n", r->patients[i].name, mt->mae, mt->psnr,
                   mt->ssim);
    }
    const at_sct_metrics *mu = &r->mean, *sd = &r->sd;
    if (json)
        printf("], \"mean\": {\"mae\": %.4f, \"psnr\": %s, \"ssim\": %.6f}, \"sd\": {\"mae\": %.4f, "
               "\"psnr\": %s, \"ssim\": %.6f}}\n",
               mu->mae, json_number(b[1], mu->psnr, 4), mu->ssim, sd->mae, json_number(b[2], sd->psnr, 4),
               sd->ssim);
    else
        printf("%-16s MAE %7.2f ± %.2f HU  PSNR %6.2f ± %.2f dB  SSIM %.4f ± %.4f  (%zu patients)\n",
               "mean ± sd", mu->mae, sd->mae, mu->psnr, sd->psnr, mu->ssim, sd->ssim, r->count);
}

#define NUM(name, lo, hi) sct_number(CMD, argc, argv, &i, name, lo, hi, &x, &rc)

#define CMD "sct eval"
static int sct_eval(int argc, char **argv)
{
    at_sct_eval_spec spec = {0};
    int json = 0, threads = 2, quiet = 0, force = 0, rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double x = 0;
        if (cli_take(CMD, argc, argv, &i, "--prepared", NULL, &spec.prepared, &rc) ||
            cli_take(CMD, argc, argv, &i, "--model", NULL, &spec.model, &rc) ||
            cli_take(CMD, argc, argv, &i, "--split", NULL, &spec.split, &rc) ||
            cli_take(CMD, argc, argv, &i, "--png", NULL, &spec.png, &rc) ||
            cli_take(CMD, argc, argv, &i, "--reference", NULL, &spec.reference, &rc) ||
            cli_take(CMD, argc, argv, &i, "--prediction", NULL, &spec.prediction, &rc) ||
            cli_take(CMD, argc, argv, &i, "--mask", NULL, &spec.mask, &rc)) {
        } else if (NUM("--threads", 1, 256)) {
            threads = (int)x;
        } else if (cli_flag(a, "--no-flip", NULL)) {
            spec.no_flip = 1;
        } else if (cli_flag(a, "--other-frames", NULL)) {
            spec.other_frames = 1;
        } else if (cli_flag(a, "--json", NULL)) {
            json = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            return cli_unknown_option(CMD, a);
        }
        if (rc)
            return rc;
    }
    if (spec.prepared || spec.model) {
        if (!spec.prepared || !spec.model)
            return cli_usage_error(CMD, "--prepared and --model go together");
        if (spec.split && strcmp(spec.split, "test") && strcmp(spec.split, "val") &&
            strcmp(spec.split, "train"))
            return cli_usage_error(CMD, "--split must be test, val or train");
        if (spec.png && (rc = cli_output_free(CMD, spec.png, force)) != CLI_OK)
            return rc;
    } else if (!spec.reference || !spec.prediction || !spec.mask) {
        return cli_usage_error(CMD, "--reference, --prediction and --mask are required");
    }
    if (spec.prepared)
        at_learn_set_threads(threads); /* process-wide: set once, here */
    cli_run r;
    cli_run_start(&r, CMD, threads, quiet, 1);
    at_sct_eval_result res;
    at_status st = at_sct_eval_run(&spec, &r.run, &res);
    if ((rc = cli_run_end(&r, st, "nothing was written")) != CLI_OK)
        return rc;
    print_eval(&spec, &res, json);
    at_sct_eval_result_free(&res);
    return CLI_OK;
}

#undef CMD
#define CMD "sct register"
static int sct_register(int argc, char **argv)
{
    const char *fixed = NULL, *moving = NULL, *outp = NULL;
    int json = 0, force = 0, rc = CLI_OK;
    at_register_options o;
    at_register_options_default(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double x = 0;
        if (cli_take(CMD, argc, argv, &i, "--fixed", NULL, &fixed, &rc) ||
            cli_take(CMD, argc, argv, &i, "--moving", NULL, &moving, &rc) ||
            cli_take(CMD, argc, argv, &i, "--out", "-o", &outp, &rc)) {
        } else if (NUM("--levels", 1, 6)) {
            o.levels = (int)x;
        } else if (NUM("--samples", 500, 1e7)) {
            o.samples = (int)x;
        } else if (NUM("--seed", 0, 1.8e19)) {
            o.seed = (uint64_t)x;
        } else if (cli_flag(a, "--json", NULL)) {
            json = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            return cli_unknown_option(CMD, a);
        }
        if (rc)
            return rc;
    }
    if (!fixed || !moving)
        return cli_usage_error(CMD, "--fixed and --moving are required");
    if (outp && (rc = cli_output_free(CMD, outp, force)) != CLI_OK)
        return rc;
    cli_run r;
    cli_run_start(&r, CMD, 1, 1, 1);
    o.run = &r.run;
    at_volume *f = NULL, *m = NULL, *res = NULL;
    at_rigid t;
    at_rigid_identity(&t);
    at_register_report rep;
    at_status st = at_volume_load(fixed, &f, NULL);
    if (!st)
        st = at_volume_load(moving, &m, NULL);
    if (!st)
        st = at_register_rigid(f, m, &o, &t, &rep);
    if (!st && outp)
        st = at_volume_resample(m, &f->grid, &t, AT_INTERP_BSPLINE3, 0.0f, &res);
    if (!st && outp)
        st = at_nifti_write(res, outp);
    at_volume_free(f);
    at_volume_free(m);
    at_volume_free(res);
    if ((rc = cli_run_end(&r, st, "nothing was written")) != CLI_OK)
        return rc;
    const double deg = 180.0 / M_PI;
    if (json)
        printf("{\"angles_deg\": [%.6f, %.6f, %.6f], \"translation_mm\": [%.6f, %.6f, %.6f], "
               "\"centre_mm\": [%.6f, %.6f, %.6f], \"mattes_mi\": %.6f, \"iterations\": %d}\n",
               t.angle[0] * deg, t.angle[1] * deg, t.angle[2] * deg, t.translation[0], t.translation[1],
               t.translation[2], t.centre[0], t.centre[1], t.centre[2], rep.metric, rep.iterations);
    else
        printf("rotation (deg, x y z)  %.4f %.4f %.4f\ntranslation (mm, LPS)  %.4f %.4f %.4f\n"
               "centre (mm, LPS)       %.3f %.3f %.3f\nMattes MI %.5f after %d iterations\n",
               t.angle[0] * deg, t.angle[1] * deg, t.angle[2] * deg, t.translation[0], t.translation[1],
               t.translation[2], t.centre[0], t.centre[1], t.centre[2], rep.metric, rep.iterations);
    return CLI_OK;
}
#undef CMD

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *const *help;
    const char *summary;
} sct_command;

static const sct_command sct_commands[] = {
    {"eval", sct_eval, &SCT_EVAL_HELP, "SynthRAD2023 metrics (MAE, PSNR, SSIM) of a pseudo-CT against a CT"},
    {"register", sct_register, &SCT_REGISTER_HELP, "rigid MRI->CT registration (Euler 3D, Mattes MI)"},
    {"synth", cmd_synth_cohort, &SCT_SYNTH_HELP, "synthetic paired CT/MRI phantoms (same as 'synth cohort')"},
    {"prepare", sct_prepare_cmd, &SCT_PREPARE_HELP, "CT/MRI pairs -> registered, masked volumes and a split"},
    {"train", sct_train_cmd, &SCT_TRAIN_HELP, "train the 2.5D U-Net (masked L1) on a prepared folder"},
    {"predict", sct_predict_cmd, &SCT_PREDICT_HELP, "MRI series -> pseudo-CT DICOM CT series"},
};

static void sct_usage(FILE *out)
{
    fprintf(out, "usage: atelier sct <subcommand> [<args>]\n\nMRI-only radiotherapy: pseudo-CT.\n\n");
    for (size_t i = 0; i < sizeof sct_commands / sizeof *sct_commands; i++)
        fprintf(out, "  %-9s %s\n", sct_commands[i].name, sct_commands[i].summary);
    fprintf(out, "\n'atelier sct CMD --help' tells each command's options and defaults.\n"
                 "Volumes are NIfTI files (.nii, .nii.gz) or DICOM series folders. An existing\n"
                 "output is refused (exit 2) unless --force; Ctrl-C cancels (exit 130) and\n"
                 "leaves nothing half-written.\n");
}

int cmd_sct(int argc, char **argv)
{
    if (argc < 2 || (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        sct_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof sct_commands / sizeof *sct_commands; i++)
        if (!strcmp(argv[1], sct_commands[i].name)) {
            if (cli_wants_help(argc - 1, argv + 1)) {
                fputs(*sct_commands[i].help, stdout);
                return CLI_OK;
            }
            return sct_commands[i].run(argc - 1, argv + 1);
        }
    return cli_usage_error("sct", "unknown subcommand '%s'", argv[1]);
}
