/* atelier sct prepare | train | predict: options -> spec ->
 * at_sct_<step>_run (include/atelier/sct.h) -> what was written. */
#include "cli_run.h"
#include "cmd_sct.h"

#include "atelier/learn.h"
#include "atelier/sct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *SCT_PREPARE_HELP =
    "usage: atelier sct prepare COHORT -o PREP [--test 5] [--val 2] [--seed 1] [--no-register]\n"
    "                           [--force] [--quiet]\n"
    "\n"
    "CT/MRI pairs -> PREP/<patient>/{ct,mr,mask}.nii.gz on the CT grid (MRI registered\n"
    "rigidly to the CT, resampled, normalised) and PREP/manifest.json with a split by\n"
    "patient. COHORT: one folder per patient with ct_dicom/ and mr_dicom/ (or ct.nii.gz\n"
    "and mr.nii.gz), as 'synth cohort' writes, or a folder written by 'atelier deid'\n"
    "(<patient>/<study>/<series>/: CT and MR told apart by Modality, paired by Frame\n"
    "of Reference).\n"
    "  -o, --out PREP   the prepared folder (an existing one is refused)\n"
    "  --test N         test patients: a count, or a fraction below 1 as in\n"
    "                   'text risk split --test' (default 5)\n"
    "  --val N          validation patients, the same way (default 2)\n"
    "  --seed S         the split's shuffle (default 1)\n"
    "  --no-register    trust the frames of reference (they must be one)\n"
    "  --force          replace an existing PREP\n"
    "  --quiet          no progress display\n";

const char *SCT_TRAIN_HELP =
    "usage: atelier sct train PREP -o MODEL [--resume] [--force] [options]\n"
    "\n"
    "Train the 2.5D U-Net (masked L1 on HU/1000) on a prepared folder. MODEL gets\n"
    "model.safetensors (the weights with the best validation MAE), model.json,\n"
    "curves.jsonl and checkpoint.safetensors. Ctrl-C (or SIGTERM) after the first\n"
    "epoch keeps the run as MODEL.resume (exit 130); --resume continues it with the\n"
    "same bytes as an uninterrupted run, or extends a finished MODEL to more epochs.\n"
    "  -o, --out MODEL    the model folder (an existing one is refused)\n"
    "  --resume           continue MODEL.resume, or MODEL with a higher --epochs\n"
    "  --force            replace an existing MODEL (and start afresh over MODEL.resume)\n"
    "  --minutes M        wall-clock budget; the schedule is refitted to it (default 25)\n"
    "  --epochs N         at most N epochs (default 200)\n"
    "  --threads N        kernel threads (default 2)\n"
    "  --base C           channels at level 0 (default 16)\n"
    "  --depth D          pooling levels (default 3)\n"
    "  --neighbours K     slices each side as input channels (default 1)\n"
    "  --batch B          slices per batch (default 8)\n"
    "  --patch P          train on P x P crops (default 0: whole slices)\n"
    "  --batch-norm       batch normalisation (default: none)\n"
    "  --recalibrate N    whole-slice batches refreshing batch-norm statistics (default 30)\n"
    "  --lr LR            AdamW learning rate (default 0.002)\n"
    "  --weight-decay W   AdamW weight decay (default 0.01)\n"
    "  --rotate DEG       augmentation rotation within +/- DEG (default 10)\n"
    "  --zoom F           augmentation zoom within 1 +/- F (default 0.1)\n"
    "  --intensity S      augmentation MRI gain and shift sigma (default 0.1)\n"
    "  --seed S           shuffle and augmentation (default 1)\n"
    "  --bf16 | --f32     bf16 training activations on or off (default: where the CPU\n"
    "                     computes bf16 natively)\n"
    "  --quiet            no progress display\n";

const char *SCT_PREDICT_HELP =
    "usage: atelier sct predict MRI_SERIES_DIR --model MODEL -o OUT_SERIES_DIR [--threads 2]\n"
    "                           [--no-flip] [--force] [--quiet]\n"
    "\n"
    "MRI series -> pseudo-CT DICOM CT series (the MRI's patient, study and Frame of\n"
    "Reference, a new series marked SYNTHETIC).\n"
    "  --model MODEL      a folder written by 'sct train'\n"
    "  -o, --out DIR      the series folder (an existing one is refused)\n"
    "  --threads N        kernel threads (default 2)\n"
    "  --no-flip          one pass (default: averaged with the left-right mirror)\n"
    "  --force            replace an existing DIR\n"
    "  --quiet            no progress display\n";

int sct_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || !(v >= lo && v <= hi))
        return 0;
    *out = v;
    return 1;
}

int sct_prepare_cmd(int argc, char **argv)
{
    at_sct_prepare_spec spec;
    at_sct_prepare_spec_default(&spec);
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && v)
            spec.out = argv[++i];
        else if (!strcmp(a, "--test") && sct_num(v, 0, 10000, &x))
            spec.test = x, i++;
        else if (!strcmp(a, "--val") && sct_num(v, 0, 10000, &x))
            spec.val = x, i++;
        else if (!strcmp(a, "--seed") && sct_num(v, 0, 4e9, &x))
            spec.seed = (uint64_t)x, i++;
        else if (!strcmp(a, "--no-register"))
            spec.no_register = 1;
        else if (!strcmp(a, "--force"))
            spec.force = 1;
        else if (!strcmp(a, "--quiet"))
            quiet = 1;
        else if (a[0] != '-' && !spec.cohort)
            spec.cohort = a;
        else
            return cli_usage_error("sct prepare", "unknown or incomplete option '%s'", a);
    }
    if (!spec.cohort || !spec.out)
        return cli_usage_error("sct prepare", "a cohort folder and -o are required");
    if ((spec.test >= 1 && spec.test != floor(spec.test)) || (spec.val >= 1 && spec.val != floor(spec.val)))
        return cli_usage_error("sct prepare", "--test and --val take a count or a fraction below 1");
    if (!spec.force && cli_refuse_existing("sct prepare", spec.out, "--force replaces it"))
        return CLI_USAGE;
    cli_run r;
    cli_run_begin(&r, "sct prepare", "prepare", quiet, 1);
    at_sct_prepare_result res;
    at_status st = at_sct_prepare_run(&spec, &r.run, &res);
    cli_run_end(&r);
    if (st == AT_ERR_CANCELLED)
        return cli_run_cancelled("sct prepare", "cancelled; nothing was written (run it again to start over)");
    if (st)
        return cli_fail(st);
    if (!quiet) {
        fprintf(stderr, "prepared %zu patients into %s: %zu train, %zu validation, %zu test", res.patients,
                spec.out, res.train, res.val, res.test);
        if (res.skipped)
            fprintf(stderr, "; %zu patients without both a CT and an MR series skipped", res.skipped);
        fputc('\n', stderr);
    }
    return CLI_OK;
}

static void epoch_lines(cli_run *r, const at_run_event *ev)
{
    if (strcmp(ev->phase, "epoch") || ev->metric_count < 3)
        return;
    double train = ev->metrics[0].value, val = ev->metrics[1].value, secs = ev->metrics[2].value;
    if (isnan(val))
        cli_run_line(r, "epoch %3llu  train L1 %7.2f HU  (no validation patients)  %6.0f s",
                     (unsigned long long)ev->step, train, secs);
    else
        cli_run_line(r, "epoch %3llu  train L1 %7.2f HU  validation MAE %7.2f HU  %6.0f s",
                     (unsigned long long)ev->step, train, val, secs);
}

int sct_train_cmd(int argc, char **argv)
{
    at_sct_train_spec spec;
    at_sct_train_spec_default(&spec);
    int quiet = 0, threads = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && v)
            spec.out = argv[++i];
        else if (!strcmp(a, "--epochs") && sct_num(v, 1, 100000, &x))
            spec.epochs = (int)x, i++;
        else if (!strcmp(a, "--minutes") && sct_num(v, 0.01, 1e5, &x))
            spec.minutes = x, i++;
        else if (!strcmp(a, "--threads") && sct_num(v, 1, 256, &x))
            threads = (int)x, i++;
        else if (!strcmp(a, "--base") && sct_num(v, 4, 128, &x))
            spec.base = (int)x, i++;
        else if (!strcmp(a, "--depth") && sct_num(v, 1, 6, &x))
            spec.depth = (int)x, i++;
        else if (!strcmp(a, "--neighbours") && sct_num(v, 0, 4, &x))
            spec.neighbours = (int)x, i++;
        else if (!strcmp(a, "--batch") && sct_num(v, 1, 256, &x))
            spec.batch = (int)x, i++;
        else if (!strcmp(a, "--no-norm"))
            spec.no_norm = 1;
        else if (!strcmp(a, "--batch-norm"))
            spec.no_norm = 0;
        else if (!strcmp(a, "--bf16"))
            spec.bf16 = 1;
        else if (!strcmp(a, "--f32"))
            spec.bf16 = 0;
        else if (!strcmp(a, "--recalibrate") && sct_num(v, 0, 10000, &x))
            spec.recalibrate = (int)x, i++;
        else if (!strcmp(a, "--patch") && sct_num(v, 0, 4096, &x))
            spec.patch = (int)x, i++;
        else if (!strcmp(a, "--lr") && sct_num(v, 1e-7, 1, &x))
            spec.lr = (float)x, i++;
        else if (!strcmp(a, "--weight-decay") && sct_num(v, 0, 1, &x))
            spec.weight_decay = (float)x, i++;
        else if (!strcmp(a, "--rotate") && sct_num(v, 0, 45, &x))
            spec.rotate_deg = x, i++;
        else if (!strcmp(a, "--zoom") && sct_num(v, 0, 0.5, &x))
            spec.zoom = x, i++;
        else if (!strcmp(a, "--intensity") && sct_num(v, 0, 0.5, &x))
            spec.intensity = x, i++;
        else if (!strcmp(a, "--seed") && sct_num(v, 0, 4e9, &x))
            spec.seed = (uint64_t)x, i++;
        else if (!strcmp(a, "--resume"))
            spec.resume = 1;
        else if (!strcmp(a, "--force"))
            spec.force = 1;
        else if (!strcmp(a, "--quiet"))
            quiet = 1;
        else if (a[0] != '-' && !spec.prepared)
            spec.prepared = a;
        else
            return cli_usage_error("sct train", "unknown or incomplete option '%s'", a);
    }
    if (!spec.prepared || !spec.out)
        return cli_usage_error("sct train", "a prepared folder and -o are required");
    if (spec.resume && spec.force)
        return cli_usage_error("sct train", "--resume continues a run, --force starts afresh: not both");
    char resume_dir[4096];
    snprintf(resume_dir, sizeof resume_dir, "%s.resume", spec.out);
    if (!spec.resume && !spec.force &&
        (cli_refuse_existing("sct train", spec.out, "--force replaces it, --resume trains it further") ||
         cli_refuse_existing("sct train", resume_dir, "a cancelled run: --resume continues it, --force starts afresh")))
        return CLI_USAGE;
    /* OpenMP's thread count is process-wide: set once, here */
    at_learn_set_threads(threads);
    cli_run r;
    cli_run_begin(&r, "sct train", "train", quiet, threads);
    r.hook = epoch_lines;
    at_sct_train_result res;
    at_status st = at_sct_train_run(&spec, &r.run, &res);
    cli_run_end(&r);
    if (st == AT_ERR_CANCELLED && res.kept)
        return cli_run_cancelled("sct train",
                                 "cancelled in epoch %lld; kept %s (%lld epochs done); continue with: "
                                 "atelier sct train %s -o %s --resume",
                                 (long long)res.train.epochs + 1, resume_dir,
                                 (long long)res.train.checkpoint_epoch, spec.prepared, spec.out);
    if (st == AT_ERR_CANCELLED)
        return cli_run_cancelled("sct train", "cancelled before the first epoch ended; nothing was kept");
    if (st && res.kept)
        fprintf(stderr, "atelier sct train: the run is kept as %s (%lld epochs done)\n", resume_dir,
                (long long)res.train.checkpoint_epoch);
    if (st)
        return cli_fail(st);
    return CLI_OK;
}

int sct_predict_cmd(int argc, char **argv)
{
    at_sct_predict_spec spec = {0};
    int threads = 2, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x;
        if (!strcmp(a, "--no-flip"))
            spec.no_flip = 1;
        else if (!strcmp(a, "--model") && v)
            spec.model = argv[++i];
        else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && v)
            spec.out = argv[++i];
        else if (!strcmp(a, "--threads") && sct_num(v, 1, 256, &x))
            threads = (int)x, i++;
        else if (!strcmp(a, "--force"))
            spec.force = 1;
        else if (!strcmp(a, "--quiet"))
            quiet = 1;
        else if (a[0] != '-' && !spec.mr)
            spec.mr = a;
        else
            return cli_usage_error("sct predict", "unknown or incomplete option '%s'", a);
    }
    if (!spec.mr || !spec.model || !spec.out)
        return cli_usage_error("sct predict", "an MRI series folder, --model and -o are required");
    if (!spec.force && cli_refuse_existing("sct predict", spec.out, "--force replaces it"))
        return CLI_USAGE;
    at_learn_set_threads(threads); /* process-wide: set once, here */
    cli_run r;
    cli_run_begin(&r, "sct predict", "slices", quiet, threads);
    at_sct_predict_result res;
    at_status st = at_sct_predict_run(&spec, &r.run, &res);
    cli_run_end(&r);
    if (st == AT_ERR_CANCELLED)
        return cli_run_cancelled("sct predict", "cancelled; nothing was written");
    return st ? cli_fail(st) : CLI_OK;
}
