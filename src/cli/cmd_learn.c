/* atelier learn: benchmark and train the U-Net of the learning engine. */
#include "cli.h"

#include "atelier/learn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *LEARN_HELP =
    "usage: atelier learn bench [options]\n"
    "       atelier learn train --config FILE [-o DIR] [options]\n"
    "       atelier learn predict --checkpoint CKPT --input VOL.nii.gz -o OUT.nii.gz [options]\n"
    "\n"
    "The learning engine: benchmark it, train a U-Net on NIfTI pairs, predict a\n"
    "volume. 'atelier learn CMD --help' tells each command's options and defaults.\n";

static const char *LEARN_BENCH_HELP =
    "usage: atelier learn bench [options]\n"
    "\n"
    "Build the benchmark U-Net on random data and measure training and\n"
    "inference throughput.\n"
    "  --model unet2d|unet3d   model (default unet2d)\n"
    "  --base N                channels at level 0 (default 16)\n"
    "  --depth N               pooling levels (default 4)\n"
    "  --batch N               slices (or patches) per batch (default 8)\n"
    "  --size N                slice side (or patch side in 3D) (default 256)\n"
    "  --threads N             kernel threads (default: all cores)\n"
    "  --steps N               timed training steps and inference passes (default 3)\n"
    "  --bf16                  bf16 activations and weights, f32 accumulation\n"
    "  --peak                  also measure the oneDNN sgemm rate (2048^3)\n"
    "  --json                  one JSON line instead of text\n";

/* 1 when v is a whole number of opt in lo..hi (into *out); else said. */
static int parse_pos(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out)
{
    return cli_long(cmd, opt, v, lo, hi, out) == CLI_OK;
}

/* A JSON number printed with fmt into buf (32 bytes), or "null" for NaN
 * and the infinities, which JSON cannot hold. */
static const char *json_num(char *buf, const char *fmt, double x)
{
    if (!isfinite(x))
        return "null";
    snprintf(buf, 32, fmt, x);
    return buf;
}

static int learn_bench(int argc, char **argv)
{
    at_unet_config cfg;
    at_unet_config_default(&cfg);
    long base = 16, depth = 4, batch = 8, size = 256, threads = 0, steps = 3;
    int json = 0, bf16 = 0, peak = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--model")) {
            if (!v)
                return cli_needs_value("learn bench", a);
            if (strcmp(v, "unet2d") && strcmp(v, "unet3d"))
                return cli_usage_error("learn bench", "--model must be unet2d or unet3d");
            cfg.mode = !strcmp(v, "unet3d") ? AT_MODE_3D : AT_MODE_2D;
            i++;
        } else if (!strcmp(a, "--base")) {
            if (!parse_pos("learn bench", a, v, 1, 1024, &base))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--depth")) {
            if (!parse_pos("learn bench", a, v, 1, 7, &depth))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--batch")) {
            if (!parse_pos("learn bench", a, v, 1, 4096, &batch))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--size")) {
            if (!parse_pos("learn bench", a, v, 1, 65536, &size))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (!parse_pos("learn bench", a, v, 1, 1024, &threads))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--steps")) {
            if (!parse_pos("learn bench", a, v, 1, 100000, &steps))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--bf16")) {
            bf16 = 1;
        } else if (!strcmp(a, "--peak")) {
            peak = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else {
            return cli_unknown_option("learn bench", a);
        }
    }
    cfg.base = (int)base;
    cfg.depth = (int)depth;
    cfg.bf16 = bf16;
    int nthreads = at_learn_set_threads((int)threads);
    int64_t spatial[3] = {size, size, size};
    at_model *m = NULL;
    at_status st = at_model_create(&cfg, (int)batch, spatial, 1, &m);
    if (st != AT_OK)
        return cli_fail(st);
    at_adamw *opt = NULL;
    st = at_adamw_create(m, 0.9f, 0.999f, 1e-8f, 1e-2f, &opt);
    if (st != AT_OK) {
        at_model_free(m);
        return cli_fail(st);
    }
    size_t nin = at_model_input_size(m), nout = at_model_output_size(m);
    float *x = malloc(nin * sizeof(float)), *y = malloc(nout * sizeof(float)),
          *pred = malloc(nout * sizeof(float));
    if (!x || !y || !pred) {
        free(x), free(y), free(pred);
        at_adamw_free(opt);
        at_model_free(m);
        fprintf(stderr, "atelier: out of memory\n");
        return CLI_FAIL;
    }
    at_rng rng;
    at_rng_seed(&rng, 42);
    for (size_t i = 0; i < nin; i++)
        x[i] = (float)at_rng_normal(&rng);
    for (size_t i = 0; i < nout; i++)
        y[i] = (float)at_rng_normal(&rng);
    float loss = 0;
    double t_train = 0, t_infer = 0;
    /* one warm-up step (first-touch allocation, JIT), then timed steps */
    for (long s = 0; s <= steps && st == AT_OK; s++) {
        double t0 = at_now_seconds();
        at_model_zero_grad(m);
        st = at_model_forward(m, x, NULL, 1);
        if (st == AT_OK)
            st = at_model_backward(m, y, NULL, AT_LOSS_L1, 1.0f, &loss);
        if (st == AT_OK)
            at_adamw_step(opt, 1e-4f);
        if (s > 0)
            t_train += at_now_seconds() - t0;
    }
    for (long s = 0; s <= steps && st == AT_OK; s++) {
        double t0 = at_now_seconds();
        st = at_model_forward(m, x, pred, 0);
        if (s > 0)
            t_infer += at_now_seconds() - t0;
    }
    if (st != AT_OK) {
        free(x), free(y), free(pred);
        at_adamw_free(opt);
        at_model_free(m);
        return cli_fail(st);
    }
    double slices = (double)batch * (double)steps;
    double train_sps = slices / t_train, infer_sps = slices / t_infer;
    double train_gf = at_model_train_flops(m) * (double)steps / t_train * 1e-9;
    double infer_gf = at_model_infer_flops(m) * (double)steps / t_infer * 1e-9;
    double peak_gf = 0;
    if (peak && (st = at_learn_sgemm_gflops(2048, &peak_gf)) != AT_OK) {
        free(x), free(y), free(pred);
        at_adamw_free(opt);
        at_model_free(m);
        return cli_fail(st);
    }
    const char *unit = cfg.mode == AT_MODE_3D ? "patches" : "slices";
    if (json) {
        /* the keys count samples: slices in 2D, patches in 3D (which
         * also get explicit patch keys); NaN or infinite values are null */
        char v[8][32];
        printf("{\"model\":\"%s\",\"base\":%ld,\"depth\":%ld,\"batch\":%ld,\"size\":%ld,"
               "\"threads\":%d,\"bf16\":%s,\"bf16_native\":%s,\"steps\":%ld,"
               "\"train_slices_per_s\":%s,\"infer_slices_per_s\":%s,",
               cfg.mode == AT_MODE_3D ? "unet3d" : "unet2d", base, depth, batch, size, nthreads,
               bf16 ? "true" : "false", at_learn_have_bf16() ? "true" : "false", steps,
               json_num(v[0], "%.4f", train_sps), json_num(v[1], "%.4f", infer_sps));
        if (cfg.mode == AT_MODE_3D)
            printf("\"train_patches_per_s\":%s,\"infer_patches_per_s\":%s,", v[0], v[1]);
        printf("\"train_gflops\":%s,\"infer_gflops\":%s,\"train_gflop_per_step\":%s,"
               "\"sgemm_peak_gflops\":%s,\"loss\":%s}\n",
               json_num(v[2], "%.2f", train_gf), json_num(v[3], "%.2f", infer_gf),
               json_num(v[4], "%.3f", at_model_train_flops(m) * 1e-9), json_num(v[5], "%.2f", peak_gf),
               json_num(v[6], "%.6f", loss));
    } else {
        printf("U-Net %s base %ld depth %ld, batch %ld of %ld^%d, %d threads, %s\n"
               "training:  %.2f %s/s (%.1f GFLOP/s)\n"
               "inference: %.2f %s/s (%.1f GFLOP/s)\n",
               cfg.mode == AT_MODE_3D ? "3D" : "2D", base, depth, batch, size, cfg.mode == AT_MODE_3D ? 3 : 2,
               nthreads,
               bf16 ? (at_learn_have_bf16() ? "bf16" : "bf16 (emulated: this CPU has no AVX512_BF16)")
                    : "f32",
               train_sps, unit, train_gf, infer_sps, unit, infer_gf);
    }
    if (!json && peak)
        printf("sgemm peak: %.1f GFLOP/s\n", peak_gf);
    free(x), free(y), free(pred);
    at_adamw_free(opt);
    at_model_free(m);
    return CLI_OK;
}
int learn_train_cli(int argc, char **argv);
int learn_predict_cli(int argc, char **argv);
extern const char *LEARN_TRAIN_HELP, *LEARN_PREDICT_HELP;

int cmd_learn(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
        const char **help;
    } subs[] = {{"bench", learn_bench, &LEARN_BENCH_HELP},
                {"train", learn_train_cli, &LEARN_TRAIN_HELP},
                {"predict", learn_predict_cli, &LEARN_PREDICT_HELP}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(LEARN_HELP, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        if (strcmp(argv[1], subs[i].name))
            continue;
        if (cli_wants_help(argc - 1, argv + 1)) {
            fputs(*subs[i].help, stdout);
            return CLI_OK;
        }
        return subs[i].run(argc - 1, argv + 1);
    }
    return cli_usage_error("learn", "unknown subcommand '%s' (bench, train, predict)", argv[1]);
}
