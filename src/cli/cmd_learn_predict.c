/* atelier learn predict: run a trained U-Net over a whole NIfTI volume with
 * sliding windows (at_predict_volume: overlap, tent-weighted blending,
 * batched) and write the prediction as NIfTI on the input's grid.
 *
 * The architecture comes from the checkpoint's metadata; --config is only
 * needed for a checkpoint that records none (e.g. written by PyTorch) and,
 * when given, must describe the same model. The window is the training
 * window (`size`) unless --window says otherwise, shrunk on a short axis
 * to the largest multiple of 2^depth that fits. */
#include "cli.h"

#include "atelier/image.h"
#include "atelier/learn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || end == v || *end || x < lo || x > hi) {
        cli_usage_error("learn predict", "%s needs an integer in %ld..%ld", opt, lo, hi);
        return 0;
    }
    *out = x;
    return 1;
}

/* Window side along an axis of n voxels: the largest multiple of 2^depth
 * that is <= min(want, n); 0 when n < 2^depth. */
static int64_t window_for(int64_t n, int64_t want, int depth)
{
    int64_t unit = (int64_t)1 << depth, w = want < n ? want : n;
    return w / unit * unit;
}

int learn_predict_cli(int argc, char **argv)
{
    const char *ckpt = NULL, *config = NULL, *input = NULL, *output = NULL;
    long threads = 0, window = 0, batch = 0;
    float overlap = 0.5f;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--checkpoint") && v) {
            ckpt = argv[++i];
        } else if (!strcmp(a, "--config") && v) {
            config = argv[++i];
        } else if (!strcmp(a, "--input") && v) {
            input = argv[++i];
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && v) {
            output = argv[++i];
        } else if (!strcmp(a, "--overlap")) {
            char *end;
            double x = v ? strtod(v, &end) : -1;
            if (!v || end == v || *end || !(x >= 0 && x <= 0.9))
                return cli_usage_error("learn predict", "--overlap needs a number in 0..0.9");
            overlap = (float)x;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (!parse_long(a, v, 1, 1024, &threads))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--window")) {
            if (!parse_long(a, v, 1, 65536, &window))
                return CLI_USAGE;
            i++;
        } else if (!strcmp(a, "--batch")) {
            if (!parse_long(a, v, 1, 4096, &batch))
                return CLI_USAGE;
            i++;
        } else {
            return cli_usage_error("learn predict", "unknown or incomplete option '%s'", a);
        }
    }
    if (!ckpt || !input || !output)
        return cli_usage_error("learn predict", "--checkpoint, --input and -o are required");

    at_unet_config cfg;
    at_unet_config_default(&cfg);
    at_status st = config ? at_unet_config_load(config, &cfg) : AT_OK;
    at_unet_config arch = cfg;
    if (st == AT_OK) {
        st = at_checkpoint_read_config(ckpt, &arch);
        if (st == AT_ERR_NOT_FOUND && config)
            st = AT_OK; /* the config describes the model; the shapes are checked at load */
        else if (st == AT_OK && config &&
                 (st = at_unet_config_same_model(&arch, "the checkpoint", &cfg, "the config")) != AT_OK)
            at_error_prefix(st, "%s", ckpt);
        else if (st == AT_OK)
            cfg = arch; /* architecture and training window from the checkpoint */
    }
    if (st != AT_OK)
        return cli_fail(st);
    if (cfg.out_channels != 1 || (cfg.mode != AT_MODE_25D && cfg.in_channels != 1)) {
        fprintf(stderr,
                "atelier: learn predict reads and writes one channel; the model has %d "
                "input and %d output channels\n",
                at_unet_input_channels(&cfg), cfg.out_channels);
        return CLI_FAIL;
    }
    at_learn_set_threads(threads ? (int)threads : cfg.threads);
    at_volume *vol = NULL, *out = NULL;
    if ((st = at_nifti_read(input, &vol)) != AT_OK)
        return cli_fail(st);
    int64_t dhw[3] = {vol->grid.dim[2], vol->grid.dim[1], vol->grid.dim[0]};
    int sp = cfg.mode == AT_MODE_3D ? 3 : 2;
    int64_t want = window ? window : cfg.size, spatial[3];
    static const char *axis_name[3] = {"k (slices)", "j (rows)", "i (columns)"};
    for (int a = 0; a < sp; a++) {
        int axis = a + 3 - sp; /* 2D windows cover j and i */
        spatial[a] = window_for(dhw[axis], want, cfg.depth);
        if (spatial[a] == 0) {
            at_volume_free(vol);
            fprintf(stderr,
                    "atelier: %s: axis %s has %lld voxels, the model needs at least %d "
                    "(2^depth)\n",
                    input, axis_name[axis], (long long)dhw[axis], 1 << cfg.depth);
            return CLI_FAIL;
        }
    }
    at_model *m = NULL;
    st = at_model_create(&cfg, batch ? (int)batch : cfg.batch, spatial, cfg.seed, &m);
    if (st == AT_OK)
        st = at_checkpoint_load(ckpt, m, NULL, NULL);
    if (st == AT_OK)
        st = at_volume_new(&vol->grid, 0.0f, &out);
    if (st == AT_OK)
        st = at_predict_volume(m, vol->data, 1, dhw, overlap, out->data);
    if (st == AT_OK)
        st = at_nifti_write(out, output);
    if (st == AT_OK)
        printf("predicted %s: %lldx%lldx%lld voxels, windows of %lld", output, (long long)dhw[2],
               (long long)dhw[1], (long long)dhw[0], (long long)spatial[0]);
    for (int a = 1; st == AT_OK && a < sp; a++)
        printf("x%lld", (long long)spatial[a]);
    if (st == AT_OK)
        printf(", overlap %.2f\n", (double)overlap);
    at_model_free(m);
    at_volume_free(vol);
    at_volume_free(out);
    return st == AT_OK ? CLI_OK : cli_fail(st);
}
