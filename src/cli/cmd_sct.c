/* atelier sct: the MRI-only radiotherapy (pseudo-CT) pipeline. */
#include "cli.h"

#include "atelier/image.h"
#include "atelier/sct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_synth_cohort(int argc, char **argv);
int sct_prepare_cmd(int argc, char **argv);
int sct_train_cmd(int argc, char **argv);
int sct_predict_cmd(int argc, char **argv);
int sct_eval_prepared(const char *prep, const char *model, const char *split, const char *png,
                      int json, int threads, int flip);

static at_status cli_load_volume(const char *path, at_volume **out)
{
    return at_volume_load(path, out, NULL);
}

static int sct_eval(int argc, char **argv)
{
    const char *ref = NULL, *pred = NULL, *maskp = NULL, *prep = NULL, *model = NULL;
    const char *split = "test", *png = NULL;
    int json = 0, threads = 2, flip = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-flip"))
            flip = 0;
        else if (!strcmp(argv[i], "--prepared") && i + 1 < argc)
            prep = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model = argv[++i];
        else if (!strcmp(argv[i], "--split") && i + 1 < argc)
            split = argv[++i];
        else if (!strcmp(argv[i], "--png") && i + 1 < argc)
            png = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reference") && i + 1 < argc)
            ref = argv[++i];
        else if (!strcmp(argv[i], "--prediction") && i + 1 < argc)
            pred = argv[++i];
        else if (!strcmp(argv[i], "--mask") && i + 1 < argc)
            maskp = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else
            return cli_usage_error("sct eval", "unexpected argument '%s'", argv[i]);
    }
    if (prep || model) {
        if (!prep || !model)
            return cli_usage_error("sct eval", "--prepared and --model go together");
        if (strcmp(split, "test") && strcmp(split, "val") && strcmp(split, "train"))
            return cli_usage_error("sct eval", "--split must be test, val or train");
        if (threads < 1 || threads > 256)
            return cli_usage_error("sct eval", "--threads must be 1..256");
        return sct_eval_prepared(prep, model, split, png, json, threads, flip);
    }
    if (!ref || !pred || !maskp)
        return cli_usage_error("sct eval", "--reference, --prediction and --mask are required");
    at_volume *r = NULL, *p = NULL, *m = NULL;
    at_status st = cli_load_volume(ref, &r);
    if (!st)
        st = cli_load_volume(pred, &p);
    if (!st)
        st = cli_load_volume(maskp, &m);
    at_sct_metrics mt;
    if (!st) {
        if (!at_grid_same(&r->grid, &p->grid, 1e-3) || !at_grid_same(&r->grid, &m->grid, 1e-3))
            st = at_error_set(AT_ERR_ARG,
                              "reference, prediction and mask must share one grid (resample first)");
        else if ((st = at_sct_metrics_compute(r, p, m, &mt)) && strstr(at_error_message(), "mask is empty"))
            at_error_prefix(st, "%s", maskp);
    }
    at_volume_free(r);
    at_volume_free(p);
    at_volume_free(m);
    if (st)
        return cli_fail(st);
    if (json) { /* identical volumes: PSNR is infinite, which JSON cannot say */
        char psnr[32];
        if (isfinite(mt.psnr))
            snprintf(psnr, sizeof psnr, "%.6f", mt.psnr);
        else
            snprintf(psnr, sizeof psnr, "null");
        printf("{\"mae\": %.6f, \"psnr\": %s, \"ssim\": %.8f}\n", mt.mae, psnr, mt.ssim);
    }
    else
        printf("MAE  %.2f HU\nPSNR %.3f dB\nSSIM %.5f\nmask %zu voxels\n", mt.mae, mt.psnr, mt.ssim,
               mt.mask_voxels);
    return CLI_OK;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return *s && !*end && isfinite(*out);
}

static int sct_register(int argc, char **argv)
{
    const char *fixed = NULL, *moving = NULL, *outp = NULL;
    int json = 0;
    at_register_options o;
    at_register_options_default(&o);
    for (int i = 1; i < argc; i++) {
        double x;
        if (!strcmp(argv[i], "--fixed") && i + 1 < argc)
            fixed = argv[++i];
        else if (!strcmp(argv[i], "--moving") && i + 1 < argc)
            moving = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outp = argv[++i];
        else if (!strcmp(argv[i], "--levels") && i + 1 < argc && parse_double(argv[++i], &x) &&
                 x >= 1 && x <= 6)
            o.levels = (int)x;
        else if (!strcmp(argv[i], "--samples") && i + 1 < argc && parse_double(argv[++i], &x) &&
                 x >= 500 && x <= 1e7)
            o.samples = (int)x;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc && parse_double(argv[++i], &x) && x >= 0)
            o.seed = (uint64_t)x;
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else
            return cli_usage_error("sct register", "unexpected or invalid argument '%s'", argv[i]);
    }
    if (!fixed || !moving)
        return cli_usage_error("sct register", "--fixed and --moving are required");
    at_volume *f = NULL, *m = NULL, *res = NULL;
    at_rigid t;
    at_rigid_identity(&t);
    at_register_report rep;
    at_status st = cli_load_volume(fixed, &f);
    if (!st)
        st = cli_load_volume(moving, &m);
    if (!st)
        st = at_register_rigid(f, m, &o, &t, &rep);
    if (!st && outp)
        st = at_volume_resample(m, &f->grid, &t, AT_INTERP_BSPLINE3, 0.0f, &res);
    if (!st && outp)
        st = at_nifti_write(res, outp);
    at_volume_free(f);
    at_volume_free(m);
    at_volume_free(res);
    if (st)
        return cli_fail(st);
    const double deg = 180.0 / M_PI;
    if (json)
        printf("{\"angles_deg\": [%.6f, %.6f, %.6f], \"translation_mm\": [%.6f, %.6f, %.6f], "
               "\"centre_mm\": [%.6f, %.6f, %.6f], \"mattes_mi\": %.6f, \"iterations\": %d}\n",
               t.angle[0] * deg, t.angle[1] * deg, t.angle[2] * deg, t.translation[0],
               t.translation[1], t.translation[2], t.centre[0], t.centre[1], t.centre[2], rep.metric,
               rep.iterations);
    else
        printf("rotation (deg, x y z)  %.4f %.4f %.4f\ntranslation (mm, LPS)  %.4f %.4f %.4f\n"
               "centre (mm, LPS)       %.3f %.3f %.3f\nMattes MI %.5f after %d iterations\n",
               t.angle[0] * deg, t.angle[1] * deg, t.angle[2] * deg, t.translation[0],
               t.translation[1], t.translation[2], t.centre[0], t.centre[1], t.centre[2], rep.metric,
               rep.iterations);
    return CLI_OK;
}

static int sct_synth(int argc, char **argv)
{
    return cmd_synth_cohort(argc, argv);
}

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} sct_command;

static const sct_command sct_commands[] = {
    {"eval", sct_eval, "SynthRAD2023 metrics (MAE, PSNR, SSIM) of a pseudo-CT against a CT"},
    {"register", sct_register, "rigid MRI->CT registration (Euler 3D, Mattes MI)"},
    {"synth", sct_synth, "synthetic paired CT/MRI phantoms (same as 'synth cohort')"},
    {"prepare", sct_prepare_cmd, "CT/MRI pairs -> registered, masked volumes and a split"},
    {"train", sct_train_cmd, "train the 2.5D U-Net (masked L1) on a prepared folder"},
    {"predict", sct_predict_cmd, "MRI series -> pseudo-CT DICOM CT series"},
};

static void sct_usage(FILE *out)
{
    fprintf(out, "usage: atelier sct <subcommand> [<args>]\n\nMRI-only radiotherapy: pseudo-CT.\n\n");
    for (size_t i = 0; i < sizeof sct_commands / sizeof *sct_commands; i++)
        fprintf(out, "  %-9s %s\n", sct_commands[i].name, sct_commands[i].summary);
    fprintf(out, "\n"
                 "  sct eval --reference CT --prediction SCT --mask MASK [--json]\n"
                 "  sct eval --prepared PREP --model MODEL [--split test|val|train] [--png OUT.png]\n"
                 "           [--threads N] [--no-flip] [--json]      (per patient, then mean ± sd)\n"
                 "  sct prepare COHORT --out PREP [--test N] [--val N] [--seed S] [--no-register]\n"
                 "  sct train PREP --out MODEL [--minutes M] [--epochs N] [--threads N] [--base C]\n"
                 "            [--depth D] [--neighbours K] [--batch B] [--patch P] [--batch-norm]\n"
                 "            [--recalibrate N] [--lr LR] [--weight-decay W] [--rotate DEG]\n"
                 "            [--zoom F] [--intensity S] [--seed S] [--bf16|--f32]\n"
                 "  sct predict MRI_SERIES_DIR --model MODEL -o OUT_SERIES_DIR [--threads N] [--no-flip]\n"
                 "  sct register --fixed CT --moving MRI [-o MRI_ON_CT.nii.gz] [--levels N]\n"
                 "               [--samples N] [--seed S] [--json]\n"
                 "  sct synth --patients N --out DIR [--region head|pelvis] [--seed S]\n"
                 "Volumes are NIfTI files (.nii, .nii.gz) or DICOM series folders.\n");
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
                sct_usage(stdout);
                return CLI_OK;
            }
            return sct_commands[i].run(argc - 1, argv + 1);
        }
    return cli_usage_error("sct", "unknown subcommand '%s'", argv[1]);
}
