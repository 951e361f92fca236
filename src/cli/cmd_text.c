/* atelier text: French clinical text. Dispatch and the evaluation of the
 * de-identifier on synthetic documents (deid: cmd_text_deid.c; extract:
 * cmd_text_extract.c; risk: cmd_text_risk.c; synth-docs and synth-cohort
 * are 'synth docs' and 'synth chemo', cmd_synth.c). */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/synth.h"
#include "atelier/text.h"

#include <stdlib.h>
#include <string.h>


static void text_usage(FILE *out)
{
    fprintf(out, "usage: atelier text <command> [<args>]\n\n"
                 "commands:\n"
                 "  deid          de-identify UTF-8 text files, folders and CSV columns\n"
                 "  eval-deid     measure the de-identifier on synthetic annotated documents\n"
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
        printf("usage: atelier text eval-deid [--docs N] [--seed S] [--dev] [--json] [--dict DIR]\n\n"
               "Generate N synthetic annotated documents (default 1000, seed 1) from the\n"
               "held-out name and commune pools (--dev: the development pools), run the\n"
               "de-identifier and report token-level precision, recall and F1 per label, the\n"
               "label-agnostic redaction figures, the share of documents fully redacted,\n"
               "eponyms wrongly redacted, names that are also common words, and MB/s.\n");
        return CLI_OK;
    }
    static const char *cmd = "text eval-deid";
    long n = 1000, seed = 1;
    int json = 0, dev = 0, rc = CLI_OK;
    const char *dict = NULL, *v = NULL;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "--dict", NULL, &dict, &rc)) {
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
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc != CLI_OK)
        return rc;
    at_text_deid *det = NULL;
    at_text_doc *docs = NULL;
    at_status st = at_text_deid_new(dict, &det);
    if (!st)
        st = at_synth_docs((size_t)n, (uint64_t)seed, !dev, &docs);
    at_text_deid_eval ev;
    memset(&ev, 0, sizeof ev);
    if (!st)
        st = at_text_deid_evaluate(det, docs, (size_t)n, &ev);
    at_buf out;
    at_buf_init(&out, 1 << 20);
    if (!st)
        st = at_text_deid_eval_report(&ev, json, &out);
    if (!st)
        fwrite(out.data, 1, out.len, stdout);
    at_buf_free(&out);
    at_text_docs_free(docs, (size_t)n);
    at_text_deid_free(det);
    return st ? cli_fail(st) : CLI_OK;
}
