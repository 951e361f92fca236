/* atelier text extract (options -> at_text_extract_run, src/text/extract_run.c)
 * and eval-extract: structuring of oncology notes. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/synth.h"
#include "atelier/text.h"

#include <stdlib.h>
#include <string.h>

static at_status to_stdout(void *ud, const char *data, size_t len)
{
    (void)ud;
    if (fwrite(data, 1, len, stdout) != len)
        return at_error_set(AT_ERR_IO, "standard output: write failed");
    return AT_OK;
}

int cmd_text_extract(int argc, char **argv)
{
    static const char *cmd = "text extract";
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text extract INPUT... [-o FILE] [--json] [--date YYYY-MM-DD] [--dict DIR]\n"
               "                            [--force] [--quiet]\n\n"
               "Extract drugs (INN and ATC code), doses, routes, dates (ISO; relative dates\n"
               "resolved against --date or the first full date of the note), regimens with\n"
               "cycle numbers, TNM, performance status and adverse events with CTCAE grades,\n"
               "each with its negation, hypothesis, family and history qualifiers.\n"
               "INPUT: UTF-8 notes or folders of them (walked recursively like text deid:\n"
               "hidden names and .json files left out). Output: one line per mention, tab\n"
               "separated (file, offset, length, type, value, code, grade, cycle,\n"
               "qualifiers), on stdout or into -o FILE (written whole at the end; refused\n"
               "when it exists unless --force); --json writes one JSON object per mention\n"
               "per line (with \"file\" and byte offsets). A bad note is reported and\n"
               "skipped (exit status 1). Interrupted: -o FILE is not written, exit 130.\n");
        return CLI_OK;
    }
    at_text_extract_spec spec;
    memset(&spec, 0, sizeof spec);
    int nin = 0, rc = CLI_OK, force = 0, quiet = 0;
    const char **in = at_calloc((size_t)argc, sizeof *in);
    if (!in)
        return cli_fail(AT_ERR_NOMEM);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.out, &rc) ||
            cli_take(cmd, argc, argv, &i, "--dict", NULL, &spec.dict_dir, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--date", NULL, &spec.date, &rc)) {
            if (rc == CLI_OK && !at_date_parse_iso(spec.date, NULL))
                rc = cli_usage_error(cmd, "--date needs a calendar date YYYY-MM-DD");
        } else if (cli_flag(a, "--json", NULL)) {
            spec.json = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_unknown_option(cmd, a);
        } else {
            in[nin++] = a;
        }
    }
    if (rc == CLI_OK && !nin)
        rc = cli_usage_error(cmd, "needs at least one INPUT");
    if (rc == CLI_OK && spec.out)
        rc = cli_output_free(cmd, spec.out, force);
    if (rc != CLI_OK) {
        at_free(in);
        return rc;
    }
    spec.inputs = in;
    spec.input_count = (size_t)nin;
    spec.emit = to_stdout;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, !spec.out);
    at_text_extract_result res;
    at_status st = at_text_extract_run(&spec, &run.run, &res);
    at_free(in);
    for (size_t i = 0; i < res.failed; i++)
        fprintf(stderr, "atelier: %s\n", res.failures[i].message);
    rc = cli_run_end(&run, st,
                     spec.out ? "nothing was written" : "the lines above are those of the notes done");
    if (rc == CLI_OK && res.failed)
        rc = CLI_FAIL;
    at_text_extract_result_free(&res);
    return rc;
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
    static const char *cmd = "text eval-extract";
    long n = 500, seed = 1;
    int json = 0, dev = 0, rc = CLI_OK;
    const char *v = NULL;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "--docs", NULL, &v, &rc)) {
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
    at_text_extractor *x = NULL;
    at_text_doc *docs = NULL;
    at_status st = at_text_extractor_new(NULL, &x);
    if (!st)
        st = at_synth_extract_docs((size_t)n, (uint64_t)seed, !dev, &docs);
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
