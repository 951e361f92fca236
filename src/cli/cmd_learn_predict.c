/* atelier learn predict: options -> at_learn_predict_spec ->
 * at_learn_predict_run (include/atelier/learn_run.h) -> one line. */
#include "cli.h"

#include "atelier/learn_run.h"

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
    "  -q, --quiet        no progress display\n";

#define CMD "learn predict"

int learn_predict_cli(int argc, char **argv)
{
    const char *config = NULL;
    at_learn_predict_spec spec;
    at_learn_predict_spec_default(&spec);
    long threads = 0, window = 0, batch = 0;
    int quiet = 0, rc = CLI_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        double x;
        if (cli_take(CMD, argc, argv, &i, "--checkpoint", NULL, &spec.checkpoint, &rc) ||
            cli_take(CMD, argc, argv, &i, "--config", NULL, &config, &rc) ||
            cli_take(CMD, argc, argv, &i, "--input", NULL, &spec.input, &rc) ||
            cli_take(CMD, argc, argv, &i, "--out", "-o", &spec.output, &rc) ||
            cli_take(CMD, argc, argv, &i, "--output", NULL, &spec.output, &rc)) {
            if (rc)
                return rc;
        } else if (cli_take(CMD, argc, argv, &i, "--overlap", NULL, &v, &rc)) {
            if (rc || cli_double(CMD, "--overlap", v, 0, 0.9, &x))
                return CLI_USAGE;
            spec.overlap = (float)x;
        } else if (cli_take(CMD, argc, argv, &i, "--threads", NULL, &v, &rc)) {
            if (rc || cli_long(CMD, "--threads", v, 1, 1024, &threads))
                return CLI_USAGE;
        } else if (cli_take(CMD, argc, argv, &i, "--window", NULL, &v, &rc)) {
            if (rc || cli_long(CMD, "--window", v, 1, 65536, &window))
                return CLI_USAGE;
        } else if (cli_take(CMD, argc, argv, &i, "--batch", NULL, &v, &rc)) {
            if (rc || cli_long(CMD, "--batch", v, 1, 4096, &batch))
                return CLI_USAGE;
        } else if (cli_flag(a, "--force", NULL)) {
            spec.force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            return cli_unknown_option(CMD, a);
        }
    }
    if (!spec.checkpoint || !spec.input || !spec.output)
        return cli_usage_error(CMD, "--checkpoint, --input and -o are required");
    if ((rc = cli_output_free(CMD, spec.output, spec.force)) != CLI_OK)
        return rc;
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
    cli_run_start(&r, CMD, nthreads, quiet, 0);
    at_learn_predict_result res;
    at_status st = at_learn_predict_run(&spec, &r.run, &res);
    if ((rc = cli_run_end(&r, st, "nothing was written")) != CLI_OK)
        return rc;
    printf("predicted %s: %lldx%lldx%lld voxels, windows of ", spec.output, (long long)res.dhw[2],
           (long long)res.dhw[1], (long long)res.dhw[0]);
    for (int a = 3 - res.dims; a < 3; a++)
        printf("%s%lld", a > 3 - res.dims ? "x" : "", (long long)res.window[a]);
    printf(", overlap %.2f\n", (double)spec.overlap);
    return CLI_OK;
}
