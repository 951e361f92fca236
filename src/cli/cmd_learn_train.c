/* atelier learn train: train a U-Net from a key = value config on the
 * student's own NIfTI pairs (config keys data and val_data; see
 * cmd_learn_data.c) or, without them, on a small synthetic image-to-image
 * task (random smooth blobs mapped through a fixed non-linear intensity
 * curve), with checkpoints, resume, Ctrl-C and a JSONL metrics log. Both
 * go through the same at_dataset callback API a pipeline uses. */
#include "cli.h"

#include "atelier/learn.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct {
    int ic, oc, sp;
    int64_t size;
    uint64_t seed;
} synth_ds;

/* Sample i: a sum of Gaussian blobs as input; target = a smooth
 * non-linear curve of it (like an MR -> CT intensity mapping). */
static at_status synth_get(void *ud, size_t index, float *input, float *target, float *mask)
{
    synth_ds *d = ud;
    at_rng r;
    at_rng_seed(&r, d->seed * 1000003ULL + index);
    int64_t n = d->size, D = d->sp == 3 ? n : 1;
    size_t vox = (size_t)(D * n * n);
    float *base = target; /* reuse target as scratch for the clean image */
    memset(base, 0, vox * sizeof(float));
    for (int b = 0; b < 4; b++) {
        double cz = at_rng_uniform(&r) * (double)D, cy = at_rng_uniform(&r) * (double)n,
               cx = at_rng_uniform(&r) * (double)n, s = (0.08 + 0.15 * at_rng_uniform(&r)) * (double)n,
               a = at_rng_uniform(&r) * 2 - 0.5;
        for (int64_t z = 0; z < D; z++)
            for (int64_t y = 0; y < n; y++)
                for (int64_t x = 0; x < n; x++) {
                    double dz = d->sp == 3 ? z - cz : 0, dy = y - cy, dx = x - cx;
                    base[(z * n + y) * n + x] += (float)(a * exp(-(dz * dz + dy * dy + dx * dx) / (2 * s * s)));
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

/* The NIfTI data of cmd_learn_data.c. */
typedef struct learn_data learn_data;
at_status learn_data_load(const char *dir, const at_unet_config *cfg, learn_data **out);
void learn_data_free(learn_data *d);
size_t learn_data_count(const learn_data *d);
size_t learn_data_cases(const learn_data *d);
at_status learn_data_get(const learn_data *d, size_t index, float *input, float *target,
                         float *mask);

/* Training samples 0..n-1 from train, validation samples after them. */
typedef struct {
    learn_data *train, *val;
} folder_ds;

static at_status folder_get(void *ud, size_t index, float *input, float *target, float *mask)
{
    folder_ds *f = ud;
    size_t n = learn_data_count(f->train);
    return index < n ? learn_data_get(f->train, index, input, target, mask)
                     : learn_data_get(f->val, index - n, input, target, mask);
}

/* A data path from the config: relative paths are relative to the
 * config file's folder. Owned by the caller (at_free). */
static char *config_relative(const char *config, const char *path)
{
    const char *slash = strrchr(config, '/');
    if (path[0] == '/' || !slash)
        return at_strdup(path);
    size_t n = (size_t)(slash - config);
    char *dir = at_malloc(n + 1);
    if (!dir)
        return NULL;
    memcpy(dir, config, n);
    dir[n] = '\0';
    char *joined = at_path_join(dir, path);
    at_free(dir);
    return joined;
}

/* Progress of a possibly resumed run: at_train first reports the step it
 * starts from; rate and ETA then count this process's steps only (the bar
 * shows them), and the note the run's absolute step. */
typedef struct {
    cli_progress bar;
    int started;
    uint64_t base;
} train_progress;

static void train_progress_cb(void *ud, uint64_t done, uint64_t total, const char *note)
{
    train_progress *t = ud;
    if (!t->started) {
        t->started = 1;
        t->base = done;
        t->bar.start = t->bar.last = at_now_seconds();
        return;
    }
    if (!t->base) {
        cli_progress_cb(&t->bar, done, total, note);
        return;
    }
    char full[160];
    snprintf(full, sizeof full, "step %llu/%llu, %s", (unsigned long long)done,
             (unsigned long long)total, note ? note : "");
    cli_progress_cb(&t->bar, done - t->base, total - t->base, full);
}

static void train_event_cb(void *ud, const at_run_event *ev)
{
    if (strcmp(ev->phase, "train"))
        return;
    char note[96] = "";
    if (ev->metric_count == 2)
        snprintf(note, sizeof note, "epoch %.0f loss %.4f", ev->metrics[1].value, ev->metrics[0].value);
    train_progress_cb(ud, ev->step, ev->total, note);
}

int learn_train_cli(int argc, char **argv)
{
    const char *config = NULL, *outdir = "learn-out", *resume = NULL;
    long samples = 64;
    int quiet = 0, samples_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--config") && v) {
            config = v;
            i++;
        } else if (!strcmp(a, "--out") && v) {
            outdir = v;
            i++;
        } else if (!strcmp(a, "--resume") && v) {
            resume = v;
            i++;
        } else if (!strcmp(a, "--samples") && v) {
            char *end;
            samples = strtol(v, &end, 10);
            if (*end || samples < 2 || samples > 100000)
                return cli_usage_error("learn train", "--samples needs an integer in 2..100000");
            samples_given = 1;
            i++;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            return cli_usage_error("learn train", "unknown or incomplete option '%s'", a);
        }
    }
    if (!config)
        return cli_usage_error("learn train", "--config FILE is required");
    at_unet_config cfg;
    at_unet_config_default(&cfg);
    at_status st = at_unet_config_load(config, &cfg);
    if (st != AT_OK)
        return cli_fail(st);
    if (!cfg.data[0] && cfg.val_data[0]) {
        fprintf(stderr, "atelier: %s: val_data needs data (the training folder)\n", config);
        return CLI_FAIL;
    }
    if (cfg.data[0] && samples_given)
        return cli_usage_error("learn train", "--samples is for the synthetic task; the config "
                                              "gives data");
    synth_ds d = {.ic = at_unet_input_channels(&cfg), .oc = cfg.out_channels,
                  .sp = cfg.mode == AT_MODE_3D ? 3 : 2, .size = cfg.size, .seed = cfg.seed};
    size_t val = (size_t)samples / 8 ? (size_t)samples / 8 : 1;
    at_dataset ds = {.train_count = (size_t)samples - val, .val_count = val, .get = synth_get, .ud = &d};
    folder_ds fd = {NULL, NULL};
    if (cfg.data[0]) {
        char *tdir = config_relative(config, cfg.data);
        char *vdir = cfg.val_data[0] ? config_relative(config, cfg.val_data) : NULL;
        st = tdir && (vdir || !cfg.val_data[0]) ? AT_OK : AT_ERR_NOMEM;
        if (st == AT_OK)
            st = learn_data_load(tdir, &cfg, &fd.train);
        if (st == AT_OK && vdir)
            st = learn_data_load(vdir, &cfg, &fd.val);
        if (st == AT_OK && !quiet)
            fprintf(stderr, "data: %zu cases, %zu training windows; validation: %zu cases, %zu "
                            "windows\n",
                    learn_data_cases(fd.train), learn_data_count(fd.train),
                    learn_data_cases(fd.val), learn_data_count(fd.val));
        at_free(tdir);
        at_free(vdir);
        ds = (at_dataset){.train_count = learn_data_count(fd.train),
                          .val_count = learn_data_count(fd.val), .get = folder_get, .ud = &fd};
    }
    if (st == AT_OK)
        st = at_mkdir_p(outdir, 0755);
    char *ckpt = at_path_join(outdir, "checkpoint.safetensors");
    char *metrics = at_path_join(outdir, "metrics.jsonl");
    if (st == AT_OK && (!ckpt || !metrics))
        st = AT_ERR_NOMEM;
    if (st != AT_OK) {
        at_free(ckpt);
        at_free(metrics);
        learn_data_free(fd.train);
        learn_data_free(fd.val);
        return cli_fail(st);
    }
    train_progress prog = {.started = 0};
    cli_progress_init(&prog.bar, "train", quiet);
    at_train_options opt = {.checkpoint_path = ckpt, .resume_path = resume, .log_path = metrics,
                            .log_steps = 1, .augment = 1};
    at_run run;
    at_run_init(&run);
    run.cancel = &stop_requested;
    run.progress = train_event_cb;
    run.progress_ud = &prog;
    run.threads = cfg.threads;
    at_learn_set_threads(cfg.threads);
    /* the first Ctrl-C asks for a checkpoint and a clean stop; a second one
     * (SA_RESETHAND) kills as usual */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, &old);
    at_train_result res;
    st = at_train(&cfg, &ds, &opt, &run, &res);
    float final_val = (float)res.last_val;
    sigaction(SIGINT, &old, NULL);
    cli_progress_end(&prog.bar);
    learn_data_free(fd.train);
    learn_data_free(fd.val);
    if (st == AT_OK && isfinite(final_val))
        printf("trained %d epochs: validation loss %.6f; checkpoint %s; metrics %s\n", cfg.epochs,
               (double)final_val, ckpt, metrics);
    else if (st == AT_OK)
        printf("trained %d epochs (no validation data); checkpoint %s; metrics %s\n", cfg.epochs,
               ckpt, metrics);
    at_free(ckpt);
    at_free(metrics);
    return st == AT_OK ? CLI_OK : cli_fail(st);
}
