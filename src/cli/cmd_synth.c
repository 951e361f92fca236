/* atelier synth: synthetic data for teaching, tests and benchmarks. Each
 * subcommand is options -> spec -> at_synth_<what>_run -> one line said. */
#include "cli.h"

#include "atelier/synth.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} synth_command;

static int synth_study(int argc, char **argv)
{
    static const char *cmd = "synth study";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier synth study -o DIR [--series N] [--slices N] [--size N] [--seed N]\n"
               "                           [--transfer-syntax UID] [--force] [--quiet]\n\n"
               "Write a synthetic DICOM study with a fake identity (fake name, NIR-like\n"
               "Patient ID, physicians, institution, dates, sequences, a private block)\n"
               "into DIR/S<k>_<CT|MR>/IM<nnnn>.dcm. Series alternate CT and MR.\n"
               "Defaults: --series 1 --slices 4 --size 64 --seed 1, explicit VR little endian.\n"
               "A DIR that exists and is not empty is refused unless --force.\n");
        return CLI_OK;
    }
    at_synth_study_spec spec;
    at_synth_study_options_default(&spec.options);
    spec.options.series = 1;
    spec.outdir = NULL;
    const char *v = NULL;
    long x;
    int rc = CLI_OK, quiet = 0, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.outdir, &rc) ||
            cli_take(cmd, argc, argv, &i, "--transfer-syntax", NULL, &spec.options.transfer_syntax, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--series", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 1, 64, &x)) == CLI_OK)
                spec.options.series = (int)x;
        } else if (cli_take(cmd, argc, argv, &i, "--slices", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 1, 100000, &x)) == CLI_OK)
                spec.options.slices = (int)x;
        } else if (cli_take(cmd, argc, argv, &i, "--size", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 8, 4096, &x)) == CLI_OK)
                spec.options.size = (int)x;
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 0, 2147483647L, &x)) == CLI_OK)
                spec.options.seed = (uint64_t)x;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && !spec.outdir)
        rc = cli_usage_error(cmd, "-o DIR is required");
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, spec.outdir, force);
    if (rc != CLI_OK)
        return rc;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_synth_study_result res;
    at_status st = at_synth_study_run(&spec, &run.run, &res);
    rc = cli_run_end(&run, st, "nothing was kept");
    if (rc == CLI_OK && !quiet)
        fprintf(stderr, "atelier %s: %zu files written under %s\n", cmd, res.files, spec.outdir);
    return rc;
}

int cmd_synth_docs(int argc, char **argv)
{
    static const char *cmd = "synth docs";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier synth docs -o OUTDIR [--docs N] [--seed S] [--heldout]\n"
               "       [--style classic|hospital] [--brat] [--force] [--quiet]\n"
               "       (also 'atelier text synth-docs')\n\n"
               "Write N synthetic French clinical documents (default 100, seed 1) as\n"
               "doc-NNNNNN.txt, each with doc-NNNNNN.gold.json (kind, patient, and offset,\n"
               "length, label of every identifier), or with doc-NNNNNN.ann in BRAT standoff\n"
               "(--brat; the strings that must stay as KEEP); --heldout draws names and\n"
               "communes from the held-out pools; --style hospital writes the hospital-style\n"
               "notes (letters, reports, tables, OCR'd scans... with noise; default classic).\n"
               "An OUTDIR that exists and is not empty is refused unless --force.\n");
        return CLI_OK;
    }
    at_synth_docs_spec spec = {.docs = 100, .seed = 1};
    const char *v = NULL;
    long x;
    int rc = CLI_OK, quiet = 0, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.outdir, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--docs", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 1, 100000000L, &x)) == CLI_OK)
                spec.docs = (size_t)x;
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 0, 2147483647L, &x)) == CLI_OK)
                spec.seed = (uint64_t)x;
        } else if (cli_take(cmd, argc, argv, &i, "--style", NULL, &v, &rc)) {
            if (rc == CLI_OK && strcmp(v, "classic") && strcmp(v, "hospital"))
                rc = cli_usage_error(cmd, "--style is classic or hospital");
            spec.hospital = rc == CLI_OK && v[0] == 'h';
        } else if (cli_flag(a, "--heldout", NULL)) {
            spec.heldout = 1;
        } else if (cli_flag(a, "--brat", NULL)) {
            spec.brat = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && !spec.outdir)
        rc = cli_usage_error(cmd, "needs -o OUTDIR");
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, spec.outdir, force);
    if (rc != CLI_OK)
        return rc;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_synth_docs_result res;
    at_status st = at_synth_docs_run(&spec, &run.run, &res);
    return cli_run_end(&run, st, "nothing was kept");
}

int cmd_synth_chemo(int argc, char **argv)
{
    static const char *cmd = "synth chemo";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier synth chemo -o FILE.csv [--patients N] [--seed S] [--force] [--quiet]\n"
               "       (also 'atelier text synth-cohort')\n\n"
               "Write a synthetic cohort of chemotherapy patients (default 1000, seed 1), one\n"
               "row per cycle (patient_id,cycle,age,text,label): a French pre-cycle note and\n"
               "whether an unplanned hospitalisation followed within 30 days, drawn from the\n"
               "risk factors of the literature (age, performance status, grade >= 3\n"
               "toxicities, febrile neutropenia, polychemotherapy, prior admissions).\n"
               "An existing FILE.csv is refused unless --force.\n");
        return CLI_OK;
    }
    at_synth_chemo_spec spec = {.patients = 1000, .seed = 1};
    const char *v = NULL;
    long x;
    int rc = CLI_OK, quiet = 0, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.out, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--patients", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 1, 10000000L, &x)) == CLI_OK)
                spec.patients = (size_t)x;
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 0, 2147483647L, &x)) == CLI_OK)
                spec.seed = (uint64_t)x;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && !spec.out)
        rc = cli_usage_error(cmd, "needs -o FILE.csv");
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, spec.out, force);
    if (rc != CLI_OK)
        return rc;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_synth_chemo_result res;
    at_status st = at_synth_chemo_run(&spec, &run.run, &res);
    return cli_run_end(&run, st, "nothing was written");
}

int cmd_synth_cohort(int argc, char **argv)
{
    static const char *cmd = "synth cohort";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier synth cohort --patients N -o DIR [--region head|pelvis] [--seed S]\n"
               "                            [--size NX NY NZ] [--spacing SX SY SZ] [--force] [--quiet]\n\n"
               "Writes DIR/patient_NNN/{ct,mr,labels}.nii.gz, ct_dicom/ and mr_dicom/ (DICOM\n"
               "series with fake identities) and truth.json (the known CT->MR misalignment)\n"
               "for N synthetic patients, reproducible from the seed (default 1; region head;\n"
               "head 96x96x72, pelvis 144x96x56 voxels of 2.5 x 2.5 x 3 mm). DIR appears only\n"
               "when the whole cohort is written; a DIR that holds something is refused\n"
               "unless --force, which replaces it once the new cohort is whole. Interrupted:\n"
               "nothing is kept (exit 130); what an interrupted run left is removed next time.\n");
        return CLI_OK;
    }
    long patients = -1, seed = 1, v;
    const char *region = "head", *val = NULL;
    int size[3] = {0, 0, 0}, quiet = 0, force = 0, rc = CLI_OK;
    double spacing[3] = {0, 0, 0};
    at_synth_cohort_spec spec;
    memset(&spec, 0, sizeof spec);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.outdir, &rc) ||
            cli_take(cmd, argc, argv, &i, "--region", NULL, &region, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--patients", NULL, &val, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, val, 1, 10000, &patients);
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &val, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, val, 0, 2147483647L, &seed);
        } else if (cli_flag(a, "--size", NULL) || cli_flag(a, "--spacing", NULL)) {
            if (i + 3 >= argc) {
                rc = cli_usage_error(cmd, "%s needs three values", a);
                break;
            }
            for (int k = 0; k < 3 && rc == CLI_OK; k++) {
                if (a[2] == 's' && a[3] == 'i' &&
                    (rc = cli_long(cmd, "--size", argv[++i], 8, 1024, &v)) == CLI_OK)
                    size[k] = (int)v;
                else if (a[3] == 'p')
                    rc = cli_double(cmd, "--spacing", argv[++i], 0.2, 20, &spacing[k]);
            }
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && (patients < 0 || !spec.outdir))
        rc = cli_usage_error(cmd, "--patients and -o DIR are required");
    at_phantom_region r = AT_PHANTOM_HEAD;
    if (rc == CLI_OK && !strcmp(region, "pelvis"))
        r = AT_PHANTOM_PELVIS;
    else if (rc == CLI_OK && strcmp(region, "head"))
        rc = cli_usage_error(cmd, "--region must be head or pelvis");
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, spec.outdir, force);
    if (rc != CLI_OK)
        return rc;
    at_phantom_options_default(&spec.options, r);
    spec.options.seed = (uint64_t)seed;
    for (int a = 0; a < 3; a++) {
        if (size[a])
            spec.options.dim[a] = size[a];
        if (spacing[a] > 0)
            spec.options.spacing[a] = spacing[a];
    }
    spec.patients = (int)patients;
    spec.replace = force;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_synth_cohort_result res;
    at_status st = at_synth_cohort_run(&spec, &run.run, &res);
    rc = cli_run_end(&run, st, "nothing was kept (no partial cohort)");
    if (rc == CLI_OK && !quiet)
        fprintf(stderr, "atelier %s: wrote %ld %s phantoms to %s\n", cmd, patients, region, spec.outdir);
    return rc;
}

static const synth_command commands[] = {
    {"study", synth_study, "a synthetic DICOM study with a fake identity"},
    {"cohort", cmd_synth_cohort, "paired CT/MRI phantoms for pseudo-CT teaching (DICOM + NIfTI)"},
    {"docs", cmd_synth_docs, "annotated French clinical documents (fake identities)"},
    {"chemo", cmd_synth_chemo, "a chemotherapy cohort with re-hospitalisation outcomes (CSV)"},
};

int cmd_synth(int argc, char **argv)
{
    if (argc < 2 || cli_flag(argv[1], "--help", "-h")) {
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
    return cli_usage_error("synth", "'%s' is not a synth command (study, cohort, docs, chemo)", argv[1]);
}
