/* atelier text deid-model: train the de-identifier's tagger on synthetic
 * hospital-style notes from a seed, or on a centre's annotated notes
 * (BRAT standoff), or fine-tune a model on them. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/text.h"
#include "atelier/text_model.h"

#include <stdlib.h>
#include <string.h>

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-')
        return -1;
    *v = x;
    return 0;
}

/* The training documents of --synthetic N: two thirds hospital-style
 * notes, one third the first generator's, each from the seed. */
static at_status synthetic_set(size_t n, uint64_t seed, int heldout, at_text_doc **out, size_t *count)
{
    size_t nh = n - n / 3, nc = n / 3;
    at_text_doc *h = NULL, *c = NULL;
    at_status st = at_text_synth_hospital_docs(nh, seed, heldout, &h);
    if (!st)
        st = at_text_synth_docs(nc, seed * 2 + 1, heldout, &c);
    at_text_doc *all = st ? NULL : at_calloc(n ? n : 1, sizeof *all);
    if (!st && !all)
        st = AT_ERR_NOMEM;
    if (st) {
        at_text_docs_free(h, nh);
        at_text_docs_free(c, nc);
        return st;
    }
    /* interleaved, so that neither generator comes in one block */
    size_t i = 0, a = 0, b = 0;
    while (a < nh || b < nc) {
        if (a < nh)
            all[i++] = h[a++];
        if (a < nh)
            all[i++] = h[a++];
        if (b < nc)
            all[i++] = c[b++];
    }
    at_free(h);
    at_free(c);
    *out = all;
    *count = n;
    return AT_OK;
}

int cmd_text_deid_model(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv) || strcmp(argv[1], "train")) {
        FILE *o = argc < 2 || strcmp(argv[1], "train") ? stderr : stdout;
        fprintf(o, "usage: atelier text deid-model train -o FILE [--synthetic [N]] [--seed S]\n"
                   "       [--annotations DIR] [--init MODEL] [--epochs E] [--bits B] [--dev N]\n"
                   "       [--recall-weight BETA] [--dict DIR]\n\n"
                   "Train the de-identifier's tagger (an averaged structured perceptron beside\n"
                   "the rules) and write it to FILE. --synthetic: on N synthetic notes (default\n"
                   "6000: two thirds hospital-style, one third the first generator's) made from\n"
                   "seed S (default 1); the operating point (the bias of the O tag) is chosen on\n"
                   "N/10 held-out synthetic notes (--dev N) by the F-beta of token-level\n"
                   "redaction (beta 3: recall first). --annotations DIR: on a centre's annotated\n"
                   "notes in BRAT standoff (NAME.txt + NAME.ann, labels NOM, PRENOM, ... ID;\n"
                   "every fifth note chooses the operating point), with --synthetic too if\n"
                   "given; --init MODEL starts from a model (fine-tuning). The same inputs and\n"
                   "seed give the same bytes. The default model is data/text/deid-tagger.bin,\n"
                   "made by `atelier text deid-model train --synthetic --seed 1 -o\n"
                   "data/text/deid-tagger.bin`.\n");
        return argc < 2 || strcmp(argv[1], "train") ? CLI_USAGE : CLI_OK;
    }
    const char *out = NULL, *ann = NULL, *dict = NULL;
    uint64_t nsyn = 0, seed = 1, dev = 0, epochs = 0, bits = 0;
    int synthetic = 0;
    at_text_tagger_options opt;
    memset(&opt, 0, sizeof opt);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "-o") && has) {
            out = argv[++i];
        } else if (!strcmp(a, "--synthetic")) {
            synthetic = 1;
            if (has && argv[i + 1][0] != '-' && !parse_u64(argv[i + 1], &nsyn))
                i++;
        } else if (!strcmp(a, "--seed") && has) {
            if (parse_u64(argv[++i], &seed))
                return cli_usage_error("text deid-model", "--seed takes a number");
        } else if (!strcmp(a, "--annotations") && has) {
            ann = argv[++i];
        } else if (!strcmp(a, "--init") && has) {
            opt.init = argv[++i];
        } else if (!strcmp(a, "--dict") && has) {
            dict = argv[++i];
        } else if (!strcmp(a, "--epochs") && has) {
            if (parse_u64(argv[++i], &epochs) || !epochs || epochs > 100)
                return cli_usage_error("text deid-model", "--epochs takes 1 to 100");
        } else if (!strcmp(a, "--bits") && has) {
            if (parse_u64(argv[++i], &bits) || bits < 8 || bits > 22)
                return cli_usage_error("text deid-model", "--bits takes 8 to 22");
        } else if (!strcmp(a, "--dev") && has) {
            if (parse_u64(argv[++i], &dev))
                return cli_usage_error("text deid-model", "--dev takes a count");
        } else if (!strcmp(a, "--recall-weight") && has) {
            opt.recall_weight = atof(argv[++i]);
            if (!(opt.recall_weight > 0 && opt.recall_weight <= 100))
                return cli_usage_error("text deid-model", "--recall-weight takes a number in (0, 100]");
        } else {
            return cli_usage_error("text deid-model", "unknown argument %s", a);
        }
    }
    if (!out)
        return cli_usage_error("text deid-model", "needs -o FILE");
    if (!synthetic && !ann)
        return cli_usage_error("text deid-model", "needs --synthetic or --annotations DIR");
    if (synthetic && !nsyn)
        nsyn = 6000;
    if (nsyn > 200000)
        return cli_usage_error("text deid-model", "--synthetic takes at most 200000 notes");
    opt.seed = seed;
    opt.epochs = (unsigned)epochs;
    opt.bits = (unsigned)bits;
    at_text_deid *det = NULL;
    at_text_doc *syn = NULL, *ad = NULL, *devd = NULL, *train = NULL, *devset = NULL;
    size_t ns = 0, na = 0, nd = 0, nt = 0, ndev = 0, unknown = 0;
    at_status st = at_text_deid_new(dict, &det);
    if (!st)
        st = at_text_deid_set_model(det, NULL); /* the rules and lexicons alone */
    if (!st && synthetic)
        st = synthetic_set((size_t)nsyn, seed, 0, &syn, &ns);
    if (!st && ann)
        st = at_text_brat_load(ann, &ad, &na, &unknown);
    if (!st && ann && !na)
        st = at_error_set(AT_ERR_ARG, "%s: no annotated note (NAME.txt with NAME.ann)", ann);
    if (!st && synthetic && !ann) {
        if (!dev)
            dev = nsyn / 10 ? nsyn / 10 : 1;
        st = synthetic_set((size_t)dev, seed + 1000003, 1, &devd, &nd);
    }
    /* the training and dev sets: shallow copies of the documents */
    if (!st) {
        train = at_calloc(ns + na + 1, sizeof *train);
        devset = at_calloc(nd + na + 1, sizeof *devset);
        if (!train || !devset)
            st = AT_ERR_NOMEM;
    }
    if (!st) {
        for (size_t i = 0; i < ns; i++)
            train[nt++] = syn[i];
        for (size_t i = 0; i < na; i++) {
            if (na >= 5 && i % 5 == 4)
                devset[ndev++] = ad[i];
            else
                train[nt++] = ad[i];
        }
        for (size_t i = 0; i < nd; i++)
            devset[ndev++] = devd[i];
    }
    at_buf rep;
    at_buf_init(&rep, 1 << 20);
    if (!st)
        st = at_text_tagger_train(det, train, nt, devset, ndev, &opt, out, &rep);
    if (!st) {
        fwrite(rep.data, 1, rep.len, stdout);
        if (unknown)
            printf("%zu annotations with a label atelier does not know were skipped\n", unknown);
        printf("model written to %s\n", out);
    }
    at_buf_free(&rep);
    at_free(train);
    at_free(devset);
    at_text_docs_free(syn, ns);
    at_text_docs_free(ad, na);
    at_text_docs_free(devd, nd);
    at_text_deid_free(det);
    return st ? cli_fail(st) : CLI_OK;
}
