/* atelier text extract and eval-extract: structuring of oncology notes. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/synth.h"
#include "atelier/text.h"

#include <stdlib.h>
#include <string.h>

int cmd_text_extract(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text extract INPUT... [--json] [--date YYYY-MM-DD] [--dict DIR]\n\n"
               "Extract drugs (INN and ATC code), doses, routes, dates (ISO; relative dates\n"
               "resolved against --date or the first full date of the note), regimens with\n"
               "cycle numbers, TNM, performance status and adverse events with CTCAE grades,\n"
               "each with its negation, hypothesis, family and history qualifiers. --json\n"
               "writes one JSON object per mention per line (with \"file\" and byte offsets).\n");
        return CLI_OK;
    }
    int json = 0, nin = 0;
    const char *date = NULL, *dict = NULL;
    const char **in = calloc((size_t)argc, sizeof *in);
    if (!in)
        return CLI_FAIL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--date") && (i + 1 == argc || !at_date_parse_iso(argv[i + 1], NULL))) {
            free(in);
            return cli_usage_error("text extract", "--date needs a calendar date YYYY-MM-DD");
        } else if (!strcmp(argv[i], "--date"))
            date = argv[++i];
        else if (!strcmp(argv[i], "--dict") && i + 1 < argc)
            dict = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            free(in);
            return cli_usage_error("text extract", "unknown option %s", argv[i]);
        } else
            in[nin++] = argv[i];
    }
    if (!nin) {
        free(in);
        return cli_usage_error("text extract", "needs at least one INPUT");
    }
    at_text_extractor *x = NULL;
    at_status st = at_text_extractor_new(dict, &x);
    if (st) {
        free(in);
        return cli_fail(st);
    }
    int failed = 0;
    for (int f = 0; f < nin; f++) {
        unsigned char *data = NULL;
        size_t len = 0, bad;
        st = at_file_read(in[f], (size_t)64 << 20, &data, &len);
        if (!st && len == 0)
            st = at_error_set(AT_ERR_FORMAT, "%s: empty document", in[f]);
        if (!st && at_text_utf8_check((const char *)data, len, &bad))
            st = at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8 text (binary?)", in[f], bad);
        at_text_mentions m = {0};
        if (!st)
            st = at_text_extract(x, (const char *)data, len, date, &m);
        at_buf out;
        at_buf_init(&out, (size_t)1 << 30);
        if (!st && json) {
            at_buf one;
            at_buf_init(&one, (size_t)1 << 30);
            st = at_text_mentions_jsonl((const char *)data, &m, &one);
            /* prefix each line with the file */
            for (char *p = (char *)one.data; !st && p && *p;) {
                char *nl = strchr(p, '\n');
                st = at_buf_puts(&out, "{\"file\":");
                if (!st)
                    st = at_buf_json_string(&out, in[f], strlen(in[f]));
                if (!st)
                    st = at_buf_putc(&out, ',');
                if (!st)
                    st = at_buf_append(&out, p + 1, (size_t)(nl - p));
                p = nl + 1;
            }
            at_buf_free(&one);
        } else if (!st) {
            for (size_t i = 0; i < m.n && !st; i++) {
                const at_text_mention *v = &m.v[i];
                st = at_buf_printf(&out, "%s\t%zu\t%zu\t%s\t%s%s%s", in[f], v->start, v->len,
                                   at_mention_type_name(v->type), v->value, v->code[0] ? "\t" : "", v->code);
                if (!st && v->grade)
                    st = at_buf_printf(&out, "\tgrade %d", v->grade);
                if (!st && v->cycle)
                    st = at_buf_printf(&out, "\tcycle %d", v->cycle);
                if (!st && v->qual)
                    st = at_buf_printf(&out, "\t%s%s%s%s", v->qual & AT_QUAL_NEGATED ? "[negated]" : "",
                                       v->qual & AT_QUAL_HYPOTHESIS ? "[hypothesis]" : "",
                                       v->qual & AT_QUAL_FAMILY ? "[family]" : "",
                                       v->qual & AT_QUAL_HISTORY ? "[history]" : "");
                if (!st)
                    st = at_buf_putc(&out, '\n');
            }
        }
        if (st) {
            if (!strstr(at_error_message(), in[f]))
                at_error_prefix(st, "%s", in[f]);
            cli_fail(st);
            failed++;
        } else if (out.len) {
            fwrite(out.data, 1, out.len, stdout);
        }
        at_buf_free(&out);
        at_text_mentions_free(&m);
        at_free(data);
    }
    at_text_extractor_free(x);
    free(in);
    return failed ? CLI_FAIL : CLI_OK;
}

int cmd_text_eval_extract(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text eval-extract [--docs N] [--seed S] [--dev] [--json]\n\n"
               "Generate N synthetic oncology notes with gold mentions (held-out drugs, events\n"
               "and regimens unless --dev) and report exact-match precision, recall and F1\n"
               "per mention type and the agreement of the qualifiers.\n");
        return CLI_OK;
    }
    unsigned long long n = 500, seed = 1;
    int json = 0, dev = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--docs") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--dev"))
            dev = 1;
        else
            return cli_usage_error("text eval-extract", "unknown argument %s", argv[i]);
    }
    at_text_extractor *x = NULL;
    at_text_doc *docs = NULL;
    at_status st = at_text_extractor_new(NULL, &x);
    if (!st)
        st = at_synth_extract_docs((size_t)n, seed, !dev, &docs);
    at_buf out;
    at_buf_init(&out, 1 << 20);
    if (!st)
        st = at_text_extract_evaluate(x, docs, (size_t)n, json, &out);
    if (!st)
        fwrite(out.data, 1, out.len, stdout);
    at_buf_free(&out);
    at_text_docs_free(docs, (size_t)n);
    at_text_extractor_free(x);
    return st ? cli_fail(st) : CLI_OK;
}
