/* atelier learn train: train a U-Net from a key = value config on a small
 * synthetic image-to-image task (random smooth blobs mapped through a
 * fixed non-linear intensity curve), with checkpoints, resume, Ctrl-C and
 * a JSONL metrics log. The dataset goes through the same callback API a
 * real pipeline uses. */
#include "cli.h"

#include "atelier/learn.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static volatile int stop_requested;

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

int learn_train_cli(int argc, char **argv)
{
    const char *config = NULL, *outdir = "learn-out", *resume = NULL;
    long samples = 64;
    int quiet = 0;
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
    if ((st = at_mkdir_p(outdir, 0755)) != AT_OK)
        return cli_fail(st);
    synth_ds d = {.ic = at_unet_input_channels(&cfg), .oc = cfg.out_channels,
                  .sp = cfg.mode == AT_MODE_3D ? 3 : 2, .size = cfg.size, .seed = cfg.seed};
    size_t val = (size_t)samples / 8 ? (size_t)samples / 8 : 1;
    at_dataset ds = {.train_count = (size_t)samples - val, .val_count = val, .get = synth_get, .ud = &d};
    char *ckpt = at_path_join(outdir, "checkpoint.safetensors");
    char *metrics = at_path_join(outdir, "metrics.jsonl");
    if (!ckpt || !metrics) {
        at_free(ckpt);
        at_free(metrics);
        return cli_fail(AT_ERR_NOMEM);
    }
    cli_progress prog;
    cli_progress_init(&prog, "train", quiet);
    at_train_options opt = {.checkpoint_path = ckpt, .resume_path = resume, .metrics_path = metrics,
                            .stop_flag = &stop_requested, .progress = cli_progress_cb,
                            .progress_ud = &prog, .augment = 1};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, &old);
    float final_val = NAN;
    st = at_train(&cfg, &ds, &opt, &final_val);
    sigaction(SIGINT, &old, NULL);
    cli_progress_end(&prog);
    if (st == AT_OK)
        printf("trained: validation loss %.6f; checkpoint %s; metrics %s\n", (double)final_val, ckpt,
               metrics);
    at_free(ckpt);
    at_free(metrics);
    return st == AT_OK ? CLI_OK : cli_fail(st);
}
