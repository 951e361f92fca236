/* atelier learn predict: options -> at_learn_predict_spec ->
 * at_learn_predict_run (include/atelier/learn_run.h) -> one line. */
#include "cli_run.h"

#include "atelier/learn_run.h"

#include <stdlib.h>
#include <string.h>

const char *LEARN_PREDICT_HELP =
    "usage: atelier learn predict --checkpoint CKPT --input VOL.nii.gz -o OUT.nii.gz\n"
    "                             [--config FILE] [--overlap 0.5] [--window N] [--batch N]\n"
    "                             [--threads N] [--force] [--quiet]\n"
    "\n"
    "Run a trained model over a whole NIfTI volume with overlapping sliding\n"
    "windows (slices in 2D/2.5D, patches in 3D), weighted blending, and write\n"
    "the prediction on the input's grid.\n"
    "  --checkpoint FILE  the trained model (its metadata gives the architecture)\n"
    "  --config FILE      the config, for a checkpoint without architecture\n"
    "  --input FILE       the volume (.nii or .nii.gz)\n"
    "  -o, --out FILE     the prediction (.nii or .nii.gz); an existing one is refused\n"
    "  --force            replace an existing prediction\n"
    "  --overlap F        window overlap fraction 0..0.9 (default 0.5)\n"
    "  --window N         window side (default: the training size)\n"
    "  --batch N          windows per pass (default: the config's batch)\n"
    "  --threads N        kernel threads (default: the config's threads, else all cores)\n"
    "  --quiet            no progress display\n";

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

int learn_predict_cli(int argc, char **argv)
{
    const char *config = NULL;
    at_learn_predict_spec spec;
    at_learn_predict_spec_default(&spec);
    long threads = 0, window = 0, batch = 0;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--checkpoint") && v) {
            spec.checkpoint = argv[++i];
        } else if (!strcmp(a, "--config") && v) {
            config = argv[++i];
        } else if (!strcmp(a, "--input") && v) {
            spec.input = argv[++i];
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--output")) && v) {
            spec.output = argv[++i];
        } else if (!strcmp(a, "--overlap")) {
            char *end;
            double x = v ? strtod(v, &end) : -1;
            if (!v || end == v || *end || !(x >= 0 && x <= 0.9))
                return cli_usage_error("learn predict", "--overlap needs a number in 0..0.9");
            spec.overlap = (float)x;
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
        } else if (!strcmp(a, "--force")) {
            spec.force = 1;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            return cli_usage_error("learn predict", "unknown or incomplete option '%s'", a);
        }
    }
    if (!spec.checkpoint || !spec.input || !spec.output)
        return cli_usage_error("learn predict", "--checkpoint, --input and -o are required");
    if (!spec.force && cli_refuse_existing("learn predict", spec.output, "--force replaces it"))
        return CLI_USAGE;
    spec.window = (int)window;
    spec.batch = (int)batch;
    at_unet_config cfg;
    at_unet_config_default(&cfg);
    if (config) {
        at_status st = at_unet_config_load(config, &cfg);
        if (st)
            return cli_fail(st);
        spec.cfg = &cfg;
    }
    /* OpenMP's thread count is process-wide: set once, here */
    int nthreads = at_learn_set_threads(threads ? (int)threads : config ? cfg.threads : 0);
    cli_run r;
    cli_run_begin(&r, "predict", "predict", quiet, nthreads);
    at_learn_predict_result res;
    at_status st = at_learn_predict_run(&spec, &r.run, &res);
    cli_run_end(&r);
    if (st == AT_ERR_CANCELLED)
        return cli_run_cancelled("learn predict", "cancelled; nothing was written");
    if (st)
        return cli_fail(st);
    printf("predicted %s: %lldx%lldx%lld voxels, windows of ", spec.output, (long long)res.dhw[2],
           (long long)res.dhw[1], (long long)res.dhw[0]);
    for (int a = 3 - res.dims; a < 3; a++)
        printf("%s%lld", a > 3 - res.dims ? "x" : "", (long long)res.window[a]);
    printf(", overlap %.2f\n", (double)spec.overlap);
    return CLI_OK;
}
