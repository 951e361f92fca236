/* atelier learn train: options -> at_learn_train_spec -> at_learn_train_run
 * (include/atelier/learn_run.h) -> one line saying what was written. */
#include "cli_run.h"

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
    "  -o, --out DIR      the run folder (default: learn-out)\n"
    "  --resume [CKPT]    continue the run of CKPT (default: DIR/checkpoint.safetensors);\n"
    "                     raise epochs in the config to extend a finished run\n"
    "  --force            start afresh in a DIR that holds a run (its files replaced)\n"
    "  --samples N        synthetic training samples (default 64)\n"
    "  --threads N        kernel threads (default: the config's threads, else all cores)\n"
    "  --quiet            no progress display\n";

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

int learn_train_cli(int argc, char **argv)
{
    const char *config = NULL, *resume = NULL;
    at_learn_train_spec spec;
    at_learn_train_spec_default(&spec);
    spec.out = "learn-out";
    long threads = 0;
    int quiet = 0, resume_flag = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(a, "--config") && v) {
            config = argv[++i];
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && v) {
            spec.out = argv[++i];
        } else if (!strcmp(a, "--resume")) {
            resume_flag = 1;
            if (v && v[0] != '-')
                resume = argv[++i];
        } else if (!strcmp(a, "--force")) {
            spec.force = 1;
        } else if (!strcmp(a, "--samples") && v) {
            long x = strtol(v, &end, 10);
            if (*end || end == v || x < 2 || x > 100000)
                return cli_usage_error("learn train", "--samples needs an integer in 2..100000");
            spec.samples = (size_t)x;
            i++;
        } else if (!strcmp(a, "--threads") && v) {
            threads = strtol(v, &end, 10);
            if (*end || end == v || threads < 1 || threads > 1024)
                return cli_usage_error("learn train", "--threads needs an integer in 1..1024");
            i++;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            return cli_usage_error("learn train", "unknown or incomplete option '%s'", a);
        }
    }
    if (!config)
        return cli_usage_error("learn train", "--config FILE is required");
    if (resume_flag && spec.force)
        return cli_usage_error("learn train", "--resume continues a run, --force starts afresh: not both");
    at_status st = at_unet_config_load(config, &spec.cfg);
    if (!st)
        st = resolve_data(config, &spec.cfg);
    if (st)
        return cli_fail(st);
    char *own_resume = NULL;
    if (resume_flag && !resume)
        resume = own_resume = at_path_join(spec.out, "checkpoint.safetensors");
    spec.resume = resume;
    static const char *const files[3] = {"checkpoint.safetensors", "best.safetensors", "metrics.jsonl"};
    for (int i = 0; i < 3 && !resume && !spec.force; i++) {
        char *p = at_path_join(spec.out, files[i]);
        int rc = p ? cli_refuse_existing("learn train", p, "--resume continues that run, --force starts afresh") : 0;
        at_free(p);
        if (rc)
            return rc;
    }
    /* OpenMP's thread count is process-wide: set once, here */
    int nthreads = at_learn_set_threads(threads ? (int)threads : spec.cfg.threads);
    cli_run r;
    cli_run_begin(&r, "train", "train", quiet, nthreads);
    at_learn_train_result res;
    st = at_learn_train_run(&spec, &r.run, &res);
    cli_run_end(&r);
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s/checkpoint.safetensors", spec.out);
    at_free(own_resume);
    if (st == AT_ERR_CANCELLED && res.train.checkpoint_step >= 0)
        return cli_run_cancelled("learn train",
                                 "cancelled at step %lld (epoch %lld); kept %s; continue with: atelier "
                                 "learn train --config %s -o %s --resume",
                                 (long long)res.train.steps, (long long)res.train.epochs + 1, ckpt, config,
                                 spec.out);
    if (st == AT_ERR_CANCELLED)
        return cli_run_cancelled("learn train", "cancelled before training began; nothing was written");
    if (st)
        return cli_fail(st);
    if (!quiet && res.train_cases)
        fprintf(stderr, "data: %zu cases, %zu training windows; validation: %zu cases, %zu windows\n",
                res.train_cases, res.train_samples, res.val_cases, res.val_samples);
    if (isfinite(res.train.last_val))
        printf("trained %lld epochs: validation loss %.6f (best %.6f); checkpoint %s; metrics "
               "%s/metrics.jsonl\n",
               (long long)res.train.epochs, res.train.last_val, res.train.best_val, ckpt, spec.out);
    else
        printf("trained %lld epochs (no validation data); checkpoint %s; metrics %s/metrics.jsonl\n",
               (long long)res.train.epochs, ckpt, spec.out);
    return CLI_OK;
}
