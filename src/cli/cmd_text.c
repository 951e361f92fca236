/* atelier text: French clinical text. Dispatch, the evaluation of the
 * de-identifier on synthetic documents and their writer (the deid command
 * itself is in cmd_text_deid.c). */
#include "cli.h"
#include "cmd_text.h"

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
                 "  synth-docs    write synthetic annotated clinical documents\n"
                 "  synth-cohort  write a synthetic chemotherapy cohort (CSV)\n"
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
    if (!strcmp(sub, "deid-model"))
        return cmd_text_deid_model(argc - 1, argv + 1);
    if (!strcmp(sub, "eval-deid"))
        return cmd_text_eval_deid(argc - 1, argv + 1);
    if (!strcmp(sub, "synth-docs"))
        return cmd_text_synth_docs(argc - 1, argv + 1);
    if (!strcmp(sub, "synth-cohort"))
        return cmd_text_synth_cohort(argc - 1, argv + 1);
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

/* ---- eval-deid and synth-docs ------------------------------------------------ */

static int parse_size(const char *s, size_t *v)
{
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-')
        return -1;
    *v = (size_t)x;
    return 0;
}

int cmd_text_eval_deid(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text eval-deid [--docs N] [--seed S] [--dev] [--style classic|hospital]\n"
               "       [--brat DIR] [--model FILE] [--no-allow-list] [--json] [--dict DIR]\n\n"
               "Generate N synthetic annotated documents (default 1000, seed 1) from the\n"
               "held-out name and commune pools (--dev: the development pools; --style\n"
               "hospital: the hospital-style notes), or read the annotated notes of DIR\n"
               "(--brat: NAME.txt with NAME.ann), run the de-identifier (--model: another\n"
               "tagger model) and report token-level precision, recall and F1 per label, the\n"
               "label-agnostic redaction figures, the share of documents fully redacted,\n"
               "strings that must stay (eponyms, drugs, KEEP annotations) wrongly redacted,\n"
               "names that are also common words, and MB/s.\n");
        return CLI_OK;
    }
    size_t n = 1000, seed = 1;
    int json = 0, dev = 0, hosp = 0, no_allow = 0;
    const char *dict = NULL, *brat = NULL, *model = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--docs") && i + 1 < argc) {
            if (parse_size(argv[++i], &n))
                return cli_usage_error("text eval-deid", "--docs takes a count");
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (parse_size(argv[++i], &seed))
                return cli_usage_error("text eval-deid", "--seed takes a number");
        } else if (!strcmp(argv[i], "--dict") && i + 1 < argc) {
            dict = argv[++i];
        } else if (!strcmp(argv[i], "--brat") && i + 1 < argc) {
            brat = argv[++i];
        } else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
            model = argv[++i];
        } else if (!strcmp(argv[i], "--style") && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "classic") && strcmp(v, "hospital"))
                return cli_usage_error("text eval-deid", "--style is classic or hospital");
            hosp = v[0] == 'h';
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--dev")) {
            dev = 1;
        } else if (!strcmp(argv[i], "--no-allow-list")) {
            no_allow = 1;
        } else {
            return cli_usage_error("text eval-deid", "unknown argument %s", argv[i]);
        }
    }
    at_text_deid *det = NULL;
    at_text_doc *docs = NULL;
    size_t unknown = 0;
    at_status st = at_text_deid_new(dict, &det);
    if (!st && model)
        st = at_text_deid_set_model(det, strcmp(model, "none") ? model : NULL);
    if (!st && no_allow)
        at_text_deid_set_allow_list(det, 0);
    if (!st && brat)
        st = at_text_brat_load(brat, &docs, &n, &unknown);
    else if (!st && hosp)
        st = at_text_synth_hospital_docs(n, seed, !dev, &docs);
    else if (!st)
        st = at_text_synth_docs(n, seed, !dev, &docs);
    at_text_deid_eval ev;
    memset(&ev, 0, sizeof ev);
    if (!st)
        st = at_text_deid_evaluate(det, docs, n, &ev);
    at_buf out;
    at_buf_init(&out, 1 << 20);
    if (!st)
        st = at_text_deid_eval_report(&ev, json, &out);
    if (!st) {
        fwrite(out.data, 1, out.len, stdout);
        if (unknown)
            fprintf(stderr, "atelier text eval-deid: %zu annotations with a label atelier does not know were skipped\n",
                    unknown);
    }
    at_buf_free(&out);
    at_text_docs_free(docs, n);
    at_text_deid_free(det);
    return st ? cli_fail(st) : CLI_OK;
}

int cmd_text_synth_docs(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text synth-docs -o OUTDIR [--docs N] [--seed S] [--heldout]\n"
               "       [--style classic|hospital] [--brat]\n\n"
               "Write N synthetic French clinical documents as doc-NNNNNN.txt, each with\n"
               "doc-NNNNNN.gold.json (offset, length, label of every identifier), or with\n"
               "doc-NNNNNN.ann in BRAT standoff (--brat; strings that must stay as KEEP).\n");
        return CLI_OK;
    }
    size_t n = 100, seed = 1;
    int held = 0, hosp = 0, brat = 0;
    const char *outdir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--docs") && i + 1 < argc) {
            if (parse_size(argv[++i], &n))
                return cli_usage_error("text synth-docs", "--docs takes a count");
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (parse_size(argv[++i], &seed))
                return cli_usage_error("text synth-docs", "--seed takes a number");
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(argv[i], "--heldout")) {
            held = 1;
        } else if (!strcmp(argv[i], "--brat")) {
            brat = 1;
        } else if (!strcmp(argv[i], "--style") && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "classic") && strcmp(v, "hospital"))
                return cli_usage_error("text synth-docs", "--style is classic or hospital");
            hosp = v[0] == 'h';
        } else {
            return cli_usage_error("text synth-docs", "unknown argument %s", argv[i]);
        }
    }
    if (!outdir)
        return cli_usage_error("text synth-docs", "needs -o OUTDIR");
    at_text_doc *docs = NULL;
    at_status st = at_mkdir_p(outdir, 0700);
    if (!st)
        st = hosp ? at_text_synth_hospital_docs(n, seed, held, &docs) : at_text_synth_docs(n, seed, held, &docs);
    for (size_t i = 0; i < n && !st; i++) {
        char name[64];
        snprintf(name, sizeof name, "doc-%06zu.txt", i);
        char *p = at_path_join(outdir, name);
        st = p ? at_file_write_atomic(p, docs[i].text, docs[i].len) : AT_ERR_NOMEM;
        at_free(p);
        if (brat) {
            /* identifiers and strings to keep, merged in order */
            at_text_spans all = {0};
            size_t a = 0, b = 0;
            while (!st && (a < docs[i].gold.n || b < docs[i].eponyms.n)) {
                const at_text_span *x = a < docs[i].gold.n ? &docs[i].gold.v[a] : NULL;
                const at_text_span *y = b < docs[i].eponyms.n ? &docs[i].eponyms.v[b] : NULL;
                const at_text_span *z = !y || (x && x->start <= y->start) ? x : y;
                if (z == x)
                    a++;
                else
                    b++;
                if (!all.n || z->start >= all.v[all.n - 1].start + all.v[all.n - 1].len)
                    st = at_text_spans_push(&all, z->start, z->len, z->label);
            }
            at_buf ab;
            at_buf_init(&ab, 1 << 24);
            if (!st)
                st = at_text_brat_write(docs[i].text, docs[i].len, &all, &ab);
            snprintf(name, sizeof name, "doc-%06zu.ann", i);
            p = st ? NULL : at_path_join(outdir, name);
            if (!st)
                st = p ? at_file_write_atomic(p, ab.data ? (const char *)ab.data : "", ab.len) : AT_ERR_NOMEM;
            at_free(p);
            at_buf_free(&ab);
            at_text_spans_free(&all);
            continue;
        }
        at_buf js;
        at_buf_init(&js, 1 << 24);
        if (!st)
            st = at_buf_printf(&js, "{\"kind\":\"%s\",\"patient\":\"%s\",",
                               hosp ? at_text_hospital_kind_name(docs[i].kind) : at_text_doc_kind_name(docs[i].kind),
                               docs[i].patient_id);
        if (!st)
            st = at_buf_puts(&js, "\"spans\":[");
        for (size_t k = 0; k < docs[i].gold.n && !st; k++)
            st = at_buf_printf(&js, "%s{\"offset\":%zu,\"length\":%zu,\"label\":\"%s\"}", k ? "," : "",
                               docs[i].gold.v[k].start, docs[i].gold.v[k].len,
                               at_phi_label_name(docs[i].gold.v[k].label));
        if (!st)
            st = at_buf_puts(&js, "]}\n");
        if (!st) {
            snprintf(name, sizeof name, "doc-%06zu.gold.json", i);
            p = at_path_join(outdir, name);
            st = p ? at_file_write_atomic(p, js.data, js.len) : AT_ERR_NOMEM;
            at_free(p);
        }
        at_buf_free(&js);
    }
    at_text_docs_free(docs, n);
    return st ? cli_fail(st) : CLI_OK;
}
