/* atelier synth cohort (also 'atelier sct synth'): paired synthetic CT and
 * T1 MRI phantoms. */
#include "cli.h"

#include "atelier/phantom.h"

#include <stdlib.h>
#include <string.h>

int cmd_synth_cohort(int argc, char **argv);

static void usage(FILE *out)
{
    fprintf(out,
            "usage: atelier synth cohort --patients N --out DIR [--region head|pelvis] [--seed S]\n"
            "                            [--size NX NY NZ] [--spacing SX SY SZ] [--quiet]\n\n"
            "Writes DIR/patient_NNN/{ct,mr,labels}.nii.gz, ct_dicom/ and mr_dicom/ (DICOM\n"
            "series with fake identities) and truth.json (the known CT->MR misalignment)\n"
            "for N synthetic patients, reproducible from the seed. DIR must not\n"
            "exist (or be empty); it appears only when the whole cohort is written.\n");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

int cmd_synth_cohort(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    long patients = -1, seed = 1;
    const char *out = NULL, *region = "head";
    int size[3] = {0, 0, 0}, quiet = 0;
    double spacing[3] = {0, 0, 0};
    for (int i = 1; i < argc; i++) {
        long v;
        if (!strcmp(argv[i], "--patients") && i + 1 < argc) {
            if (!parse_int(argv[++i], 1, 10000, &patients))
                return cli_usage_error("synth cohort", "--patients must be 1..10000");
        } else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--region") && i + 1 < argc) {
            region = argv[++i];
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (!parse_int(argv[++i], 0, 2147483647L, &seed))
                return cli_usage_error("synth cohort", "--seed must be a non-negative integer");
        } else if (!strcmp(argv[i], "--size") && i + 3 < argc) {
            for (int a = 0; a < 3; a++) {
                if (!parse_int(argv[++i], 8, 1024, &v))
                    return cli_usage_error("synth cohort", "--size takes three integers 8..1024");
                size[a] = (int)v;
            }
        } else if (!strcmp(argv[i], "--spacing") && i + 3 < argc) {
            for (int a = 0; a < 3; a++) {
                char *end;
                spacing[a] = strtod(argv[++i], &end);
                if (*end || !(spacing[a] >= 0.2 && spacing[a] <= 20))
                    return cli_usage_error("synth cohort", "--spacing takes three mm values 0.2..20");
            }
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = 1;
        } else {
            return cli_usage_error("synth cohort", "unexpected argument '%s'", argv[i]);
        }
    }
    if (patients < 0 || !out)
        return cli_usage_error("synth cohort", "--patients and --out are required");
    at_phantom_region r;
    if (!strcmp(region, "head"))
        r = AT_PHANTOM_HEAD;
    else if (!strcmp(region, "pelvis"))
        r = AT_PHANTOM_PELVIS;
    else
        return cli_usage_error("synth cohort", "--region must be head or pelvis");
    at_phantom_options o;
    at_phantom_options_default(&o, r);
    o.seed = (uint64_t)seed;
    for (int a = 0; a < 3; a++) {
        if (size[a])
            o.dim[a] = size[a];
        if (spacing[a] > 0)
            o.spacing[a] = spacing[a];
    }
    cli_progress prog;
    cli_progress_init(&prog, "synth cohort", quiet);
    at_status st = at_phantom_write_cohort(&o, (int)patients, out, cli_progress_cb, &prog);
    cli_progress_end(&prog);
    if (st)
        return cli_fail(st);
    if (!quiet)
        fprintf(stderr, "atelier: wrote %ld %s phantoms to %s\n", patients, region, out);
    return CLI_OK;
}
