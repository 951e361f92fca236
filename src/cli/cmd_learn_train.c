/* atelier learn train: options -> at_learn_train_spec -> at_learn_train_run
 * (include/atelier/learn_run.h) -> one line saying what was written. */
#include "cli.h"

#include "atelier/learn_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *LEARN_TRAIN_HELP =
    "usage: atelier learn train --config FILE [-o DIR] [--resume [CKPT]] [--force]\n"
    "                           [--samples N] [--threads N] [--quiet]\n"
    "\n"
    "Train a U-Net described by a key = value config (docs/learn.md) on the NIfTI\n"
    "pairs of its 'data' folder (NAME_input.nii.gz, NAME_target.nii.gz, optional\n"
    "NAME_mask.nii.gz; 'val_data' for validation; relative to the config's folder)\n"
    "or, without 'data', on a small synthetic task (random blobs through a smooth\n"
    "intensity curve). DIR receives checkpoint.safetensors (every epoch, the whole\n"
    "training state), best.safetensors (the weights of the best validation loss)\n"
    "and metrics.jsonl. Ctrl-C (or SIGTERM) writes the checkpoint at the step\n"
    "reached and stops (exit 130); --resume continues it with the same bytes.\n"
    "  --config FILE      the config (required)\n"
    "  -o, --out DIR      the run folder (default: learn-out); one holding files is refused\n"
    "  --resume [CKPT]    continue the run of CKPT (default: DIR/checkpoint.safetensors);\n"
    "                     raise epochs in the config to extend a finished run\n"
    "  --force            start afresh in a DIR that holds files (a run's files replaced)\n"
    "  --samples N        synthetic training samples (default 64)\n"
    "  --threads N        kernel threads (default: the config's threads, else all cores)\n"
    "  -q, --quiet        no progress display, no epoch lines\n";

/* A data path from the config: relative paths are relative to the
 * config file's folder. Owned by the caller (at_free). */
static char *config_relative(const char *config, const char *path)
{
    const char *slash = strrchr(config, '/');
    if (path[0] == '/' || !slash)
        return at_strdup(path);
    char *dir = at_strndup(config, (size_t)(slash - config));
    char *joined = dir ? at_path_join(dir, path) : NULL;
    at_free(dir);
    return joined;
}

/* The config's data folders made relative to the config's folder. */
static at_status resolve_data(const char *config, at_unet_config *cfg)
{
    char *fields[2] = {cfg->data, cfg->val_data};
    for (int i = 0; i < 2; i++) {
        if (!fields[i][0])
            continue;
        char *p = config_relative(config, fields[i]);
        if (!p)
            return AT_ERR_NOMEM;
        if (strlen(p) >= AT_LEARN_MAX_PATH) {
            at_free(p);
            return at_error_set(AT_ERR_LIMIT, "%s: a data folder path is too long", config);
        }
        snprintf(fields[i], AT_LEARN_MAX_PATH, "%s", p);
        at_free(p);
    }
    return AT_OK;
}

#define CMD "learn train"

int learn_train_cli(int argc, char **argv)
{
    const char *config = NULL, *resume = NULL;
    at_learn_train_spec spec;
    at_learn_train_spec_default(&spec);
    spec.out = "learn-out";
    long threads = 0, samples = 0;
    int quiet = 0, resume_flag = 0, rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (cli_take(CMD, argc, argv, &i, "--config", NULL, &config, &rc) ||
            cli_take(CMD, argc, argv, &i, "--out", "-o", &spec.out, &rc)) {
            if (rc)
                return rc;
        } else if (cli_flag(a, "--resume", NULL)) {
            resume_flag = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                resume = argv[++i];
        } else if (cli_flag(a, "--force", NULL)) {
            spec.force = 1;
        } else if (cli_take(CMD, argc, argv, &i, "--samples", NULL, &v, &rc)) {
            if (rc || cli_long(CMD, "--samples", v, 2, 100000, &samples))
                return CLI_USAGE;
            spec.samples = (size_t)samples;
        } else if (cli_take(CMD, argc, argv, &i, "--threads", NULL, &v, &rc)) {
            if (rc || cli_long(CMD, "--threads", v, 1, 1024, &threads))
                return CLI_USAGE;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            return cli_unknown_option(CMD, a);
        }
    }
    if (!config)
        return cli_usage_error(CMD, "--config FILE is required");
    if (resume_flag && spec.force)
        return cli_usage_error(CMD, "--resume continues a run, --force starts afresh: not both");
    at_status st = at_unet_config_load(config, &spec.cfg);
    if (!st)
        st = resolve_data(config, &spec.cfg);
    if (st)
        return cli_fail(st);
    if (!resume_flag && (rc = cli_output_free(CMD, spec.out, spec.force)) != CLI_OK)
        return rc;
    char *own_resume = NULL;
    if (resume_flag && !resume)
        resume = own_resume = at_path_join(spec.out, "checkpoint.safetensors");
    spec.resume = resume;
    /* OpenMP's thread count is process-wide: set once, here */
    int nthreads = at_learn_set_threads(threads ? (int)threads : spec.cfg.threads);
    cli_run r;
    cli_run_start(&r, CMD, nthreads, quiet, 0);
    at_learn_train_result res;
    st = at_learn_train_run(&spec, &r.run, &res);
    at_free(own_resume);
    char kept[8192] = "";
    if (st == AT_ERR_CANCELLED && res.train.checkpoint_step >= 0)
        snprintf(kept, sizeof kept,
                 "kept %s/checkpoint.safetensors (step %lld, %lld epochs done); continue with: atelier learn "
                 "train --config %s -o %s --resume",
                 spec.out, (long long)res.train.checkpoint_step, (long long)res.train.checkpoint_epoch,
                 config, spec.out);
    if ((rc = cli_run_end(&r, st, kept)) != CLI_OK)
        return rc;
    if (!quiet && res.train_cases)
        fprintf(stderr, "data: %zu cases, %zu training windows; validation: %zu cases, %zu windows\n",
                res.train_cases, res.train_samples, res.val_cases, res.val_samples);
    if (isfinite(res.train.last_val))
        printf("trained %lld epochs: validation loss %.6f (best %.6f, kept in %s/best.safetensors); "
               "checkpoint %s/checkpoint.safetensors; metrics %s/metrics.jsonl\n",
               (long long)res.train.epochs, res.train.last_val, res.train.best_val, spec.out, spec.out,
               spec.out);
    else
        printf("trained %lld epochs (no validation data); checkpoint %s/checkpoint.safetensors; metrics "
               "%s/metrics.jsonl\n",
               (long long)res.train.epochs, spec.out, spec.out);
    return CLI_OK;
}
