/* atelier text: French clinical text. Dispatch and the evaluation of the
 * de-identifier on synthetic documents (deid: cmd_text_deid.c; extract:
 * cmd_text_extract.c; risk: cmd_text_risk.c; synth-docs and synth-cohort
 * are 'synth docs' and 'synth chemo', cmd_synth.c). */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/synth.h"
#include "atelier/text.h"
#include "atelier/text_model.h"

#include <stdlib.h>
#include <string.h>

static void text_usage(FILE *out)
{
    fprintf(out, "usage: atelier text <command> [<args>]\n\n"
                 "commands:\n"
                 "  deid          de-identify UTF-8 text files, folders and CSV columns\n"
                 "  eval-deid     measure the de-identifier on synthetic or annotated (BRAT) notes\n"
                 "  deid-model    train the de-identifier's tagger (synthetic or annotated notes)\n"
                 "  synth-docs    write synthetic annotated clinical documents (= synth docs)\n"
                 "  synth-cohort  write a synthetic chemotherapy cohort, CSV (= synth chemo)\n"
                 "  extract       drugs, doses, routes, dates, regimens, TNM, PS, adverse events\n"
                 "  eval-extract  measure extraction on synthetic annotated notes\n"
                 "  risk          re-hospitalisation risk: train, eval, score\n");
}

int cmd_text(int argc, char **argv)
{
    if (argc < 2) {
        text_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        text_usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(sub, "deid"))
        return cmd_text_deid(argc - 1, argv + 1);
    if (!strcmp(sub, "eval-deid"))
        return cmd_text_eval_deid(argc - 1, argv + 1);
    if (!strcmp(sub, "deid-model"))
        return cmd_text_deid_model(argc - 1, argv + 1);
    if (!strcmp(sub, "synth-docs"))
        return cmd_synth_docs(argc - 1, argv + 1);
    if (!strcmp(sub, "synth-cohort"))
        return cmd_synth_chemo(argc - 1, argv + 1);
    if (!strcmp(sub, "extract"))
        return cmd_text_extract(argc - 1, argv + 1);
    if (!strcmp(sub, "eval-extract"))
        return cmd_text_eval_extract(argc - 1, argv + 1);
    if (!strcmp(sub, "risk"))
        return cmd_text_risk(argc - 1, argv + 1);
    return cli_usage_error("text", "'%s' is not a text command", sub);
}

int cli_delimiter(const char *s, int *delim)
{
    if (!strcmp(s, ",") || !strcmp(s, ";") || !strcmp(s, "\t")) {
        *delim = s[0];
        return 0;
    }
    if (!strcmp(s, "tab")) {
        *delim = '\t';
        return 0;
    }
    return -1;
}

/* ---- eval-deid ------------------------------------------------------------------ */

int cmd_text_eval_deid(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text eval-deid [--docs N] [--seed S] [--dev] [--style classic|hospital]\n"
               "       [--brat DIR] [--model FILE|none] [--no-allow-list] [--json] [--dict DIR]\n"
               "       [--errors FILE] [--force]\n\n"
               "Generate N synthetic annotated documents (default 1000, seed 1) from the\n"
               "held-out name and commune pools (--dev: the development pools; --style\n"
               "hospital: the hospital-style notes), or read the annotated notes of DIR\n"
               "(--brat: NAME.txt with NAME.ann), run the de-identifier (--model: another\n"
               "tagger model, none: no tagger) and report token-level precision, recall and\n"
               "F1 per label, the label-agnostic redaction figures, the share of documents\n"
               "fully redacted, strings that must stay (eponyms, drugs, KEEP annotations)\n"
               "wrongly redacted, names that are also common words, and MB/s.\n"
               "--errors FILE writes every error as a tab-separated row (kind: missed, false\n"
               "or lost; the note's path in DIR; the label; the span's start and end in\n"
               "characters, as BRAT counts them; its tokens missed or false over its tokens;\n"
               "its text): it holds the notes' words, keep it where the notes are. An\n"
               "existing FILE is refused unless --force.\n"
               "Defaults: --docs 1000, --seed 1, --style classic, the default model.\n");
        return CLI_OK;
    }
    static const char *cmd = "text eval-deid";
    long n = 1000, seed = 1;
    int json = 0, dev = 0, hosp = 0, no_allow = 0, force = 0, rc = CLI_OK;
    const char *dict = NULL, *v = NULL, *brat = NULL, *model = NULL, *style = NULL, *errors = NULL;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "--dict", NULL, &dict, &rc) ||
            cli_take(cmd, argc, argv, &i, "--brat", NULL, &brat, &rc) ||
            cli_take(cmd, argc, argv, &i, "--model", NULL, &model, &rc) ||
            cli_take(cmd, argc, argv, &i, "--errors", NULL, &errors, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--style", NULL, &style, &rc)) {
            if (rc == CLI_OK && strcmp(style, "classic") && strcmp(style, "hospital"))
                rc = cli_usage_error(cmd, "--style is classic or hospital");
            hosp = rc == CLI_OK && style[0] == 'h';
        } else if (cli_take(cmd, argc, argv, &i, "--docs", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 1, 100000000L, &n);
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, a, v, 0, 2147483647L, &seed);
        } else if (cli_flag(a, "--json", NULL)) {
            json = 1;
        } else if (cli_flag(a, "--dev", NULL)) {
            dev = 1;
        } else if (cli_flag(a, "--no-allow-list", NULL)) {
            no_allow = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && errors)
        rc = cli_output_free(cmd, errors, force);
    if (rc != CLI_OK)
        return rc;
    at_text_deid *det = NULL;
    at_text_doc *docs = NULL;
    size_t count = (size_t)n, unknown = 0;
    at_status st = at_text_deid_new(dict, &det);
    if (!st && model)
        st = at_text_deid_set_model(det, strcmp(model, "none") ? model : NULL);
    if (!st && no_allow)
        at_text_deid_set_allow_list(det, 0);
    if (!st && brat)
        st = at_text_brat_load(brat, &docs, &count, &unknown);
    else if (!st && hosp)
        st = at_synth_hospital_docs(count, (uint64_t)seed, !dev, &docs);
    else if (!st)
        st = at_synth_docs(count, (uint64_t)seed, !dev, &docs);
    at_text_deid_eval ev;
    memset(&ev, 0, sizeof ev);
    at_buf rows;
    at_buf_init(&rows, (size_t)1 << 30);
    if (!st && errors)
        st = at_buf_puts(&rows, "kind\tnote\tlabel\tstart\tend\ttokens\ttext\n");
    if (!st)
        st = at_text_deid_evaluate_errors(det, docs, count, &ev, errors ? &rows : NULL);
    /* (the listing whole or nothing) */
    if (!st && errors)
        st = at_file_write_atomic(errors, rows.data, rows.len);
    at_buf_free(&rows);
    at_buf out;
    at_buf_init(&out, 1 << 20);
    if (!st)
        st = at_text_deid_eval_report(&ev, json, &out);
    if (!st) {
        fwrite(out.data, 1, out.len, stdout);
        if (unknown)
            fprintf(stderr, "atelier %s: %zu annotations with a label atelier does not know were skipped\n",
                    cmd, unknown);
    }
    at_buf_free(&out);
    at_text_docs_free(docs, count);
    at_text_deid_free(det);
    return st ? cli_fail(st) : CLI_OK;
}
