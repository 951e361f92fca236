/* atelier text deid-model train: options -> at_text_deid_model_spec (the
 * synthetic notes made by synth) -> at_text_deid_model_run -> the
 * training summary on stdout. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/synth.h"
#include "atelier/text.h"
#include "atelier/text_model.h"

#include <stdlib.h>
#include <string.h>

static void model_usage(FILE *o)
{
    fprintf(o, "usage: atelier text deid-model train -o FILE [--synthetic [N]] [--seed S]\n"
               "       [--annotations DIR] [--annotations-weight K] [--annotations-dev M]\n"
               "       [--no-refit] [--init MODEL] [--epochs E] [--bits B] [--dev N]\n"
               "       [--recall-weight BETA] [--dict DIR] [--force] [--quiet]\n\n"
               "Train the de-identifier's tagger (an averaged structured perceptron beside\n"
               "the rules) and write it to FILE. --synthetic: on N synthetic notes (default\n"
               "6000: two thirds hospital-style, one third the first generator's) made from\n"
               "seed S (default 1); the operating point (the bias of the O tag) is chosen on\n"
               "N/10 held-out synthetic notes (--dev N) as the bias that gains most there (a\n"
               "token found against two false, a string that must stay lost against four\n"
               "found; --recall-weight BETA: the best F-beta of token-level redaction\n"
               "instead). --annotations DIR: on annotated notes in\n"
               "BRAT standoff (NAME.txt + NAME.ann, labels NOM, PRENOM, ... ID; KEEP: a\n"
               "string that must stay, whose words the lexicons do not know are learned as\n"
               "safe unless an identifier holds them); every M-th note (--annotations-dev,\n"
               "default 5; 0: none, then the synthetic notes) chooses the operating point,\n"
               "the others train, each K times (--annotations-weight, default 1); then every\n"
               "note trains again, those M-th too, with the operating point so chosen (a\n"
               "refit: twice the time; --no-refit: the first training's model); with\n"
               "--synthetic too if given; --init MODEL starts from a model (fine-tuning).\n"
               "Defaults: 8 epochs, 2^16 feature rows (--bits 16). The\n"
               "same inputs and seed give the same bytes. The default model is\n"
               "data/text/deid-tagger.bin, made by 'atelier text deid-model train\n"
               "--synthetic --annotations data/text/annotated --seed 1 -o\n"
               "data/text/deid-tagger.bin --force'. An existing FILE is refused unless --force.\n");
}

int cmd_text_deid_model(int argc, char **argv)
{
    static const char *cmd = "text deid-model train";
    if (argc < 2 || (strcmp(argv[1], "train") && !cli_wants_help(argc, argv))) {
        model_usage(stderr);
        return CLI_USAGE;
    }
    if (cli_wants_help(argc, argv)) {
        model_usage(stdout);
        return CLI_OK;
    }
    at_text_deid_model_spec spec;
    memset(&spec, 0, sizeof spec);
    const char *v = NULL;
    long nsyn = 0, seed = 1, dev = 0, adev = -2, x;
    double beta = 0;
    int synthetic = 0, force = 0, quiet = 0, norefit = 0, rc = CLI_OK;
    for (int i = 2; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.out, &rc) ||
            cli_take(cmd, argc, argv, &i, "--annotations", NULL, &spec.annotations, &rc) ||
            cli_take(cmd, argc, argv, &i, "--init", NULL, &spec.options.init, &rc) ||
            cli_take(cmd, argc, argv, &i, "--dict", NULL, &spec.dict_dir, &rc)) {
        } else if (cli_flag(a, "--synthetic", NULL)) {
            synthetic = 1;
            if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
                rc = cli_long(cmd, a, argv[++i], 1, 200000L, &nsyn);
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 0, 2147483647L, &seed);
        } else if (cli_take(cmd, argc, argv, &i, "--epochs", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 1, 100, &x)) == CLI_OK)
                spec.options.epochs = (unsigned)x;
        } else if (cli_take(cmd, argc, argv, &i, "--bits", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 8, 22, &x)) == CLI_OK)
                spec.options.bits = (unsigned)x;
        } else if (cli_take(cmd, argc, argv, &i, "--annotations-weight", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, a, v, 1, 100, &x)) == CLI_OK)
                spec.annotations_weight = (unsigned)x;
        } else if (cli_take(cmd, argc, argv, &i, "--annotations-dev", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 0, 1000, &adev);
        } else if (cli_take(cmd, argc, argv, &i, "--dev", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 1, 200000L, &dev);
        } else if (cli_take(cmd, argc, argv, &i, "--recall-weight", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_double(cmd, a, v, 0.01, 100, &beta)) == CLI_OK)
                spec.options.recall_weight = beta;
        } else if (cli_flag(a, "--no-refit", NULL)) {
            norefit = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && !spec.out)
        rc = cli_usage_error(cmd, "needs -o FILE");
    if (rc == CLI_OK && !synthetic && !spec.annotations)
        rc = cli_usage_error(cmd, "needs --synthetic or --annotations DIR");
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, spec.out, force);
    if (rc != CLI_OK)
        return rc;
    if (synthetic && !nsyn)
        nsyn = 6000;
    spec.options.seed = (uint64_t)seed;
    at_text_doc *syn = NULL, *devd = NULL;
    size_t ns = 0, nd = 0;
    at_status st = AT_OK;
    if (synthetic) {
        ns = (size_t)nsyn;
        st = at_synth_tagger_docs(ns, (uint64_t)seed, 0, &syn);
        if (st)
            ns = 0;
    }
    if (adev != -2)
        spec.annotations_dev = adev ? (int)adev : -1;
    spec.refit = !norefit;
    /* the operating point on held-out synthetic notes: without annotated
     * notes, or when none of them is kept for it, or when --dev asks */
    if (!st && synthetic && (!spec.annotations || adev == 0 || dev)) {
        nd = dev ? (size_t)dev : (ns / 10 ? ns / 10 : 1);
        st = at_synth_tagger_docs(nd, (uint64_t)seed + 1000003, 1, &devd);
        if (st)
            nd = 0;
    }
    spec.synthetic = syn;
    spec.synthetic_count = ns;
    spec.synthetic_dev = devd;
    spec.synthetic_dev_count = nd;
    at_text_deid_model_result res;
    memset(&res, 0, sizeof res);
    if (st) {
        rc = cli_fail(st);
    } else {
        cli_run run;
        cli_run_start(&run, cmd, 1, quiet, 1);
        st = at_text_deid_model_run(&spec, &run.run, &res);
        rc = cli_run_end(&run, st, "no model was written");
    }
    if (rc == CLI_OK) {
        fputs(res.report, stdout);
        if (res.unknown_labels)
            printf("%zu annotations with a label atelier does not know were skipped\n", res.unknown_labels);
        if (!quiet)
            printf("model written to %s\n", spec.out);
    }
    at_free(res.report);
    at_text_docs_free(syn, ns);
    at_text_docs_free(devd, nd);
    return rc;
}
