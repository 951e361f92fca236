/* atelier sct prepare | train | predict: options -> spec ->
 * at_sct_<step>_run (include/atelier/sct.h) -> what was written. */
#include "cli.h"
#include "cmd_sct.h"

#include "atelier/learn.h"
#include "atelier/sct.h"

#include <stdlib.h>
#include <string.h>

const char *SCT_PREPARE_HELP =
    "usage: atelier sct prepare COHORT -o PREP [--test 5 | --test-fraction F] [--val 2 | --val-fraction F]\n"
    "                           [--seed 1] [--no-register] [--force] [--quiet]\n"
    "\n"
    "CT/MRI pairs -> PREP/<patient>/{ct,mr,mask}.nii.gz on the CT grid (MRI registered\n"
    "rigidly to the CT, resampled, normalised) and PREP/manifest.json with a split by\n"
    "patient. COHORT: one folder per patient with ct_dicom/ and mr_dicom/ (or ct.nii.gz\n"
    "and mr.nii.gz), as 'synth cohort' writes, or a folder written by 'atelier deid'\n"
    "(<patient>/<study>/<series>/: CT and MR told apart by Modality, paired by Frame\n"
    "of Reference).\n"
    "  -o, --out PREP   the prepared folder (an existing one is refused)\n"
    "  --test N         test patients (default 5)\n"
    "  --test-fraction F  that fraction of the patients for test instead (rounded,\n"
    "                   at least 1), as 'text risk split --test-fraction'\n"
    "  --val N          validation patients (default 2)\n"
    "  --val-fraction F   that fraction for validation instead\n"
    "  --seed S         the split's shuffle (default 1)\n"
    "  --no-register    trust the frames of reference (they must be one)\n"
    "  --force          replace an existing PREP\n"
    "  -q, --quiet      no progress display\n";

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
    "  -q, --quiet        no progress display, no epoch lines\n";

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
    "  -q, --quiet        no progress display\n";

/* An option with a number in lo..hi: 1 when argv[*i] is name (its value
 * parsed into *x, or *rc set to CLI_USAGE, said). */
int sct_number(const char *cmd, int argc, char **argv, int *i, const char *name, double lo, double hi,
               double *x, int *rc)
{
    const char *v = NULL;
    if (!cli_take(cmd, argc, argv, i, name, NULL, &v, rc))
        return 0;
    if (!*rc)
        *rc = cli_double(cmd, name, v, lo, hi, x);
    return 1;
}

#define NUM(name, lo, hi) sct_number(CMD, argc, argv, &i, name, lo, hi, &x, &rc)

#undef CMD
#define CMD "sct prepare"
int sct_prepare_cmd(int argc, char **argv)
{
    at_sct_prepare_spec spec;
    at_sct_prepare_spec_default(&spec);
    int quiet = 0, rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        double x = 0;
        long count = 0;
        if (cli_take(CMD, argc, argv, &i, "--out", "-o", &spec.out, &rc)) {
        } else if (cli_take(CMD, argc, argv, &i, "--test", NULL, &v, &rc)) {
            if (!rc && !(rc = cli_long(CMD, "--test", v, 0, 10000, &count)))
                spec.test = (int)count;
        } else if (cli_take(CMD, argc, argv, &i, "--val", NULL, &v, &rc)) {
            if (!rc && !(rc = cli_long(CMD, "--val", v, 0, 10000, &count)))
                spec.val = (int)count;
        } else if (NUM("--test-fraction", 1e-9, 0.999)) {
            spec.test_fraction = x;
        } else if (NUM("--val-fraction", 1e-9, 0.999)) {
            spec.val_fraction = x;
        } else if (NUM("--seed", 0, 4e9)) {
            spec.seed = (uint64_t)x;
        } else if (cli_flag(a, "--no-register", NULL)) {
            spec.no_register = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            spec.force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a[0] != '-' && !spec.cohort) {
            spec.cohort = a;
        } else {
            return cli_unknown_option(CMD, a);
        }
        if (rc)
            return rc;
    }
    if (!spec.cohort || !spec.out)
        return cli_usage_error(CMD, "a cohort folder and -o are required");
    if ((rc = cli_output_free(CMD, spec.out, spec.force)) != CLI_OK)
        return rc;
    cli_run r;
    cli_run_start(&r, CMD, 1, quiet, 0);
    at_sct_prepare_result res;
    at_status st = at_sct_prepare_run(&spec, &r.run, &res);
    if ((rc = cli_run_end(&r, st, "nothing was written (run it again to start over)")) != CLI_OK)
        return rc;
    if (!quiet) {
        fprintf(stderr, "prepared %zu patients into %s: %zu train, %zu validation, %zu test", res.patients,
                spec.out, res.train, res.val, res.test);
        if (res.skipped)
            fprintf(stderr, "; %zu patients without both a CT and an MR series skipped", res.skipped);
        fputc('\n', stderr);
    }
    return CLI_OK;
}

#undef CMD
#define CMD "sct train"
int sct_train_cmd(int argc, char **argv)
{
    at_sct_train_spec spec;
    at_sct_train_spec_default(&spec);
    int quiet = 0, threads = 2, rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double x = 0;
        if (cli_take(CMD, argc, argv, &i, "--out", "-o", &spec.out, &rc)) {
        } else if (NUM("--epochs", 1, 100000)) {
            spec.epochs = (int)x;
        } else if (NUM("--minutes", 0.01, 1e5)) {
            spec.minutes = x;
        } else if (NUM("--threads", 1, 256)) {
            threads = (int)x;
        } else if (NUM("--base", 4, 128)) {
            spec.base = (int)x;
        } else if (NUM("--depth", 1, 6)) {
            spec.depth = (int)x;
        } else if (NUM("--neighbours", 0, 4)) {
            spec.neighbours = (int)x;
        } else if (NUM("--batch", 1, 256)) {
            spec.batch = (int)x;
        } else if (NUM("--recalibrate", 0, 10000)) {
            spec.recalibrate = (int)x;
        } else if (NUM("--patch", 0, 4096)) {
            spec.patch = (int)x;
        } else if (NUM("--lr", 1e-7, 1)) {
            spec.lr = (float)x;
        } else if (NUM("--weight-decay", 0, 1)) {
            spec.weight_decay = (float)x;
        } else if (NUM("--rotate", 0, 45)) {
            spec.rotate_deg = x;
        } else if (NUM("--zoom", 0, 0.5)) {
            spec.zoom = x;
        } else if (NUM("--intensity", 0, 0.5)) {
            spec.intensity = x;
        } else if (NUM("--seed", 0, 4e9)) {
            spec.seed = (uint64_t)x;
        } else if (cli_flag(a, "--no-norm", NULL)) {
            spec.no_norm = 1;
        } else if (cli_flag(a, "--batch-norm", NULL)) {
            spec.no_norm = 0;
        } else if (cli_flag(a, "--bf16", NULL)) {
            spec.bf16 = 1;
        } else if (cli_flag(a, "--f32", NULL)) {
            spec.bf16 = 0;
        } else if (cli_flag(a, "--resume", NULL)) {
            spec.resume = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            spec.force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a[0] != '-' && !spec.prepared) {
            spec.prepared = a;
        } else {
            return cli_unknown_option(CMD, a);
        }
        if (rc)
            return rc;
    }
    if (!spec.prepared || !spec.out)
        return cli_usage_error(CMD, "a prepared folder and -o are required");
    if (spec.resume && spec.force)
        return cli_usage_error(CMD, "--resume continues a run, --force starts afresh: not both");
    char resume_dir[4096];
    snprintf(resume_dir, sizeof resume_dir, "%s.resume", spec.out);
    if (!spec.resume && (rc = cli_output_free(CMD, spec.out, spec.force)) != CLI_OK)
        return rc;
    if (!spec.resume && !spec.force && cli_output_free(CMD, resume_dir, 0) != CLI_OK) {
        fprintf(stderr, "atelier %s: %s is a cancelled run: --resume continues it, --force starts afresh\n",
                CMD, resume_dir);
        return CLI_USAGE;
    }
    /* OpenMP's thread count is process-wide: set once, here */
    at_learn_set_threads(threads);
    cli_run r;
    cli_run_start(&r, CMD, threads, quiet, 0);
    at_sct_train_result res;
    at_status st = at_sct_train_run(&spec, &r.run, &res);
    char kept[8192] = "nothing was kept (the first epoch had not ended)";
    if (res.kept)
        snprintf(kept, sizeof kept,
                 "kept %s (%lld epochs done); continue with: atelier sct train %s -o %s --resume", resume_dir,
                 (long long)res.train.checkpoint_epoch, spec.prepared, spec.out);
    if (st && st != AT_ERR_CANCELLED && res.kept)
        fprintf(stderr, "atelier %s: %s\n", CMD, kept);
    return cli_run_end(&r, st, kept);
}

#undef CMD
#define CMD "sct predict"
int sct_predict_cmd(int argc, char **argv)
{
    at_sct_predict_spec spec = {0};
    int threads = 2, quiet = 0, rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double x = 0;
        if (cli_take(CMD, argc, argv, &i, "--model", NULL, &spec.model, &rc) ||
            cli_take(CMD, argc, argv, &i, "--out", "-o", &spec.out, &rc)) {
        } else if (NUM("--threads", 1, 256)) {
            threads = (int)x;
        } else if (cli_flag(a, "--no-flip", NULL)) {
            spec.no_flip = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            spec.force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a[0] != '-' && !spec.mr) {
            spec.mr = a;
        } else {
            return cli_unknown_option(CMD, a);
        }
        if (rc)
            return rc;
    }
    if (!spec.mr || !spec.model || !spec.out)
        return cli_usage_error(CMD, "an MRI series folder, --model and -o are required");
    if ((rc = cli_output_free(CMD, spec.out, spec.force)) != CLI_OK)
        return rc;
    at_learn_set_threads(threads); /* process-wide: set once, here */
    cli_run r;
    cli_run_start(&r, CMD, threads, quiet, 0);
    at_sct_predict_result res;
    at_status st = at_sct_predict_run(&spec, &r.run, &res);
    return cli_run_end(&r, st, "nothing was written");
}
