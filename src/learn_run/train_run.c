/* at_learn_train_run (contract in include/atelier/learn_run.h): the
 * training loop on the NIfTI pairs of a folder (data.c), or on a small
 * synthetic image-to-image task (random smooth blobs mapped through a
 * fixed non-linear intensity curve, like an MR -> CT mapping), into a run
 * folder with a checkpoint, the best weights and a log of curves. */
#include "atelier/learn_run.h"
#include "atelier/walk.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void at_learn_train_spec_default(at_learn_train_spec *s)
{
    memset(s, 0, sizeof *s);
    at_unet_config_default(&s->cfg);
}

typedef struct {
    int ic, oc, sp;
    int64_t size;
    uint64_t seed;
} synth_task;

/* Sample i of the synthetic task: a sum of Gaussian blobs as input;
 * target = a smooth non-linear curve of it. */
static at_status synth_get(void *ud, size_t index, float *input, float *target, float *mask)
{
    synth_task *d = ud;
    at_rng r;
    at_rng_seed(&r, d->seed * 1000003ULL + index);
    int64_t n = d->size, D = d->sp == 3 ? n : 1;
    size_t vox = (size_t)(D * n * n);
    float *base = target; /* the target as scratch for the clean image */
    memset(base, 0, vox * sizeof(float));
    for (int b = 0; b < 4; b++) {
        double cz = at_rng_uniform(&r) * (double)D, cy = at_rng_uniform(&r) * (double)n,
               cx = at_rng_uniform(&r) * (double)n, s = (0.08 + 0.15 * at_rng_uniform(&r)) * (double)n,
               a = at_rng_uniform(&r) * 2 - 0.5;
        for (int64_t z = 0; z < D; z++)
            for (int64_t y = 0; y < n; y++)
                for (int64_t x = 0; x < n; x++) {
                    double dz = d->sp == 3 ? z - cz : 0, dy = y - cy, dx = x - cx;
                    base[(z * n + y) * n + x] +=
                        (float)(a * exp(-(dz * dz + dy * dy + dx * dx) / (2 * s * s)));
                }
    }
    for (int c = 0; c < d->ic; c++)
        memcpy(input + (size_t)c * vox, base, vox * sizeof(float));
    for (size_t i = 0; i < vox; i++) {
        float v = base[i];
        for (int c = 0; c < d->oc; c++)
            target[(size_t)c * vox + i] = tanhf(2.0f * v) + 0.3f * v * v;
        mask[i] = 1.0f;
    }
    return AT_OK;
}

/* Training samples 0..n-1 from train, validation samples after them. */
typedef struct {
    at_learn_data *train, *val;
} folder_pair;

static at_status folder_get(void *ud, size_t index, float *input, float *target, float *mask)
{
    folder_pair *f = ud;
    size_t n = at_learn_data_count(f->train);
    return index < n ? at_learn_data_get(f->train, index, input, target, mask)
                     : at_learn_data_get(f->val, index - n, input, target, mask);
}

static const char *const RUN_FILES[3] = {"checkpoint.safetensors", "best.safetensors", "metrics.jsonl"};

/* The run folder's files (owned, at_free each). */
static at_status run_files(const char *out, char *paths[3])
{
    for (int i = 0; i < 3; i++)
        if (!(paths[i] = at_path_join(out, RUN_FILES[i])))
            return AT_ERR_NOMEM;
    return AT_OK;
}

at_status at_learn_train_run(const at_learn_train_spec *spec, at_run *run, at_learn_train_result *res)
{
    at_learn_train_result r;
    memset(&r, 0, sizeof r);
    r.train.checkpoint_step = -1;
    r.train.train_loss = r.train.last_val = r.train.best_val = NAN;
    if (res)
        *res = r;
    if (!run)
        run = at_run_default();
    const at_unet_config *cfg = &spec->cfg;
    if (!spec->out || !*spec->out)
        return at_error_set(AT_ERR_ARG, "learn train: no output folder");
    if (!cfg->data[0] && cfg->val_data[0])
        return at_error_set(AT_ERR_ARG, "learn train: val_data needs data (the training folder)");
    if (cfg->data[0] && spec->samples)
        return at_error_set(AT_ERR_ARG, "learn train: samples are for the synthetic task; the "
                                        "config gives data");
    char *out = NULL, *tdir = NULL, *vdir = NULL, *resume = NULL, *files[3] = {NULL, NULL, NULL};
    at_status st = at_run_path(run, spec->out, 1, &out);
    if (!st && cfg->data[0])
        st = at_run_path(run, cfg->data, 0, &tdir);
    if (!st && cfg->val_data[0])
        st = at_run_path(run, cfg->val_data, 0, &vdir);
    if (!st && spec->resume)
        st = at_run_path(run, spec->resume, 0, &resume);
    if (!st)
        st = run_files(out, files);
    if (!st && at_path_is_dir(out))
        st = at_walk_remove_debris(out, ".tmp.", NULL); /* what a killed run left half-written */
    /* one rule for existing outputs: a fresh run never mixes with an old one */
    for (int i = 0; !st && !resume && i < 3; i++) {
        struct stat sb;
        if (lstat(files[i], &sb) != 0)
            continue;
        if (!spec->force)
            st = at_error_set(AT_ERR_REFUSED,
                              "%s holds a training run already (%s); nothing was "
                              "written (resume continues it, force starts afresh)",
                              spec->out, RUN_FILES[i]);
        else if (unlink(files[i]) != 0)
            st = at_error_set(AT_ERR_IO, "%s: cannot remove the old %s", spec->out, RUN_FILES[i]);
    }
    folder_pair fp = {NULL, NULL};
    synth_task syn = {.ic = at_unet_input_channels(cfg),
                      .oc = cfg->out_channels,
                      .sp = cfg->mode == AT_MODE_3D ? 3 : 2,
                      .size = cfg->size,
                      .seed = cfg->seed};
    size_t samples = spec->samples ? spec->samples : 64;
    size_t val = samples / 8 ? samples / 8 : 1;
    at_dataset ds = {
        .train_count = samples > val ? samples - val : 1, .val_count = val, .get = synth_get, .ud = &syn};
    if (!st && tdir) {
        uint64_t folders = vdir ? 2 : 1;
        at_run_progress(run, "read", 0, folders);
        st = at_learn_data_load(tdir, cfg, run, &fp.train);
        if (!st)
            at_run_progress(run, "read", 1, folders);
        if (!st && vdir && !(st = at_learn_data_load(vdir, cfg, run, &fp.val)))
            at_run_progress(run, "read", 2, folders);
        r.train_cases = at_learn_data_cases(fp.train);
        r.val_cases = at_learn_data_cases(fp.val);
        ds = (at_dataset){.train_count = at_learn_data_count(fp.train),
                          .val_count = at_learn_data_count(fp.val),
                          .get = folder_get,
                          .ud = &fp};
    }
    r.train_samples = ds.train_count;
    r.val_samples = ds.val_count;
    if (!st)
        st = at_mkdir_p(out, 0755);
    if (!st) {
        at_train_options o = {.checkpoint_path = files[0],
                              .resume_path = resume,
                              .best_path = files[1],
                              .log_path = files[2],
                              .log_steps = 1,
                              .minutes = cfg->minutes,
                              .augment = 1};
        st = at_train(cfg, &ds, &o, run, &r.train);
    }
    if (res)
        *res = r;
    at_learn_data_free(fp.train);
    at_learn_data_free(fp.val);
    for (int i = 0; i < 3; i++)
        at_free(files[i]);
    at_free(out);
    at_free(tdir);
    at_free(vdir);
    at_free(resume);
    return st;
}
