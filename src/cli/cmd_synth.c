/* atelier synth: synthetic data for teaching, tests and benchmarks.
 * Subcommands live in a table; each is a small function. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/synth.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} synth_command;

static int parse_int(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > hi)
        return cli_usage_error(cmd, "%s needs a number in %ld..%ld", opt, lo, hi);
    *out = x;
    return CLI_OK;
}

static int synth_study(int argc, char **argv)
{
    static const char *cmd = "synth study";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier synth study --out DIR [--series N] [--slices N] [--size N] [--seed N]\n"
               "                           [--transfer-syntax UID]\n\n"
               "Write a synthetic DICOM study with a fake identity (fake name, NIR-like\n"
               "Patient ID, physicians, institution, dates, sequences, a private block)\n"
               "into DIR/S<k>_<CT|MR>/IM<nnnn>.dcm. Series alternate CT and MR.\n"
               "Defaults: --series 1 --slices 4 --size 64 --seed 1, explicit VR little endian.\n");
        return CLI_OK;
    }
    at_synth_study_options opt;
    at_synth_study_options_default(&opt);
    opt.series = 1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        long v;
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = CLI_OK;
        if (!strcmp(a, "--out") && next) {
            out = next;
            i++;
        } else if (!strcmp(a, "--transfer-syntax") && next) {
            opt.transfer_syntax = next;
            i++;
        } else if (!strcmp(a, "--series")) {
            if ((rc = parse_int(cmd, a, next, 1, 64, &v)) == CLI_OK)
                opt.series = (int)v;
            i++;
        } else if (!strcmp(a, "--slices")) {
            if ((rc = parse_int(cmd, a, next, 1, 100000, &v)) == CLI_OK)
                opt.slices = (int)v;
            i++;
        } else if (!strcmp(a, "--size")) {
            if ((rc = parse_int(cmd, a, next, 8, 4096, &v)) == CLI_OK)
                opt.size = (int)v;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if ((rc = parse_int(cmd, a, next, 0, 2147483647L, &v)) == CLI_OK)
                opt.seed = (uint64_t)v;
            i++;
        } else
            return cli_usage_error(cmd, "unknown argument '%s'", a);
        if (rc != CLI_OK)
            return rc;
    }
    if (!out)
        return cli_usage_error(cmd, "--out DIR is required");
    size_t files = 0;
    at_status st = at_synth_dicom_study(out, &opt, &files);
    if (st)
        return cli_fail(st);
    fprintf(stderr, "atelier synth study: %zu files written under %s\n", files, out);
    return CLI_OK;
}

static const synth_command commands[] = {
    {"study", synth_study, "a synthetic DICOM study with a fake identity"},
    {"cohort", cmd_synth_cohort, "paired CT/MRI phantoms for pseudo-CT teaching (DICOM + NIfTI)"},
    {"docs", cmd_text_synth_docs, "annotated French clinical documents (fake identities)"},
    {"chemo", cmd_text_synth_cohort, "a chemotherapy cohort with re-hospitalisation outcomes (CSV)"},
};

int cmd_synth(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o, "usage: atelier synth <what> [<args>]\n\n");
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            fprintf(o, "  %-8s %s\n", commands[i].name, commands[i].summary);
        fprintf(o, "\n'atelier synth <what> --help' tells more.\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    return cli_usage_error("synth", "unknown subcommand '%s'", argv[1]);
}
