/* atelier text deid: options -> at_text_deid_spec -> at_text_deid_run ->
 * the summary on stderr (the run itself is src/text/deid_batch.c). */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/text.h"

#include <stdlib.h>
#include <string.h>

int cmd_text_deid(int argc, char **argv)
{
    static const char *cmd = "text deid";
    if (cli_wants_help(argc, argv)) {
        printf(
            "usage: atelier text deid INPUT... -o OUTDIR [--mode redact|pseudonymise]\n"
            "       [--patient-info FILE] [--patient-dirs] [--key KEYFILE] [--column NAME]\n"
            "       [--id-column NAME] [--delimiter ,|;|tab] [--json] [--dict DIR] [--force] [--quiet]\n"
            "       [--model FILE|none] [--no-allow-list] [--no-run-consistency]\n\n"
            "De-identify French clinical text: UTF-8 files, folders (recursively) and the\n"
            "column NAME of CSV files (delimiter ',', ';' or tab, read from the header line\n"
            "unless --delimiter, and written back the same). A file keeps its name under OUTDIR, a folder's\n"
            "documents keep their paths relative to it; outputs are written atomically;\n"
            "--json adds OUT.json with the spans (offset, length, label) of each document\n"
            "(offsets into the input); in folders, .json files are skipped (standoff and\n"
            "annotation files). OUTDIR may not be an input or inside one, and a run where an\n"
            "output would overwrite an input or two inputs would share an output is refused\n"
            "before anything is written (exit status 2). redact writes [NOM]-like\n"
            "placeholders; pseudonymise writes keyed surrogates (key: --key, which must\n"
            "exist ('atelier key new KEYFILE'), else $ATELIER_KEY or ~/.config/atelier/site.key,\n"
            "created there on the first run) and shifts dates by the\n"
            "patient's keyed offset. The patient of a document: in a CSV, its row's\n"
            "--id-column (default patient_id when the header has it); with --patient-dirs,\n"
            "the name of the first-level subfolder of an input folder that holds it; else\n"
            "the id (or ipp) of --patient-info, else one patient for the whole run.\n"
            "--patient-info holds one patient (key: value lines), or several: a CSV whose\n"
            "header names the keys, one patient per row, or a folder of key: value files;\n"
            "each document is then matched against its own patient's identity (by id, else\n"
            "ipp). A bad\n"
            "file is reported by name and place and skipped; the exit status is then 1.\n"
            "Defaults: --mode redact, CSV delimiter from the header. An OUTDIR that exists\n"
            "and is not empty is refused unless --force. Interrupted (Ctrl-C, SIGTERM):\n"
            "nothing is kept, exit 130. --quiet: no summary line, no progress.\n"
            "--model uses a tagger model trained by 'text deid-model train' instead of the\n"
            "default one (DICT/deid-tagger.bin; none: no tagger); --no-allow-list turns the\n"
            "allow-list pass (every word not known to be safe is removed) off.\n"
            "A run of several documents is read twice: the distinctive words (in no word\n"
            "list) found as a name, place, establishment or employer in one document are\n"
            "then found in the others too (held in memory only); --no-run-consistency\n"
            "detects each document alone.\n");
        return CLI_OK;
    }
    const char *outdir = NULL, *mode = "redact", *keyfile = NULL, *delim = NULL, *model = NULL;
    at_text_deid_spec spec;
    memset(&spec, 0, sizeof spec);
    const char **inputs = at_calloc((size_t)argc, sizeof *inputs);
    int nin = 0, rc = CLI_OK, force = 0, quiet = 0;
    if (!inputs)
        return cli_fail(AT_ERR_NOMEM);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &outdir, &rc) ||
            cli_take(cmd, argc, argv, &i, "--mode", NULL, &mode, &rc) ||
            cli_take(cmd, argc, argv, &i, "--patient-info", NULL, &spec.patient_info, &rc) ||
            cli_take(cmd, argc, argv, &i, "--key", NULL, &keyfile, &rc) ||
            cli_take(cmd, argc, argv, &i, "--column", NULL, &spec.column, &rc) ||
            cli_take(cmd, argc, argv, &i, "--dict", NULL, &spec.dict_dir, &rc) ||
            cli_take(cmd, argc, argv, &i, "--model", NULL, &model, &rc) ||
            cli_take(cmd, argc, argv, &i, "--id-column", NULL, &spec.id_column, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--delimiter", NULL, &delim, &rc)) {
            if (rc == CLI_OK && cli_delimiter(delim, &spec.delimiter))
                rc = cli_usage_error(cmd, "--delimiter is ',', ';' or tab");
        } else if (cli_flag(a, "--json", NULL)) {
            spec.json = 1;
        } else if (cli_flag(a, "--no-allow-list", NULL)) {
            spec.no_allow_list = 1;
        } else if (cli_flag(a, "--no-run-consistency", NULL)) {
            spec.no_run_consistency = 1;
        } else if (cli_flag(a, "--patient-dirs", NULL)) {
            spec.patient_dirs = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_unknown_option(cmd, a);
        } else {
            inputs[nin++] = a;
        }
    }
    if (rc == CLI_OK && (!nin || !outdir))
        rc = cli_usage_error(cmd, "needs at least one INPUT and -o OUTDIR");
    if (rc == CLI_OK && strcmp(mode, "redact") && strcmp(mode, "pseudonymise") &&
        strcmp(mode, "pseudonymize"))
        rc = cli_usage_error(cmd, "--mode is redact or pseudonymise");
    spec.mode = mode[0] == 'r' ? AT_TEXT_REDACT : AT_TEXT_PSEUDONYMISE;
    if (model && !strcmp(model, "none"))
        spec.no_model = 1;
    else
        spec.model = model;
    /* refused before anything is written: -o over an input, -o not empty */
    if (rc == CLI_OK && at_path_refuse_inside(outdir, inputs, (size_t)nin) != AT_OK) {
        fprintf(stderr, "atelier %s: %s\n", cmd, at_error_message());
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, outdir, force);
    at_key key;
    char *keypath = NULL;
    if (rc == CLI_OK && spec.mode == AT_TEXT_PSEUDONYMISE)
        rc = cli_key_load(cmd, keyfile, outdir, &key, &keypath);
    else if (rc == CLI_OK) /* redact needs no key, but the key file still never travels */
        keypath = keyfile ? at_strdup(keyfile) : cli_key_default_path();
    if (rc != CLI_OK) {
        at_free(inputs);
        return rc;
    }
    spec.inputs = inputs;
    spec.input_count = (size_t)nin;
    spec.outdir = outdir;
    spec.key = spec.mode == AT_TEXT_PSEUDONYMISE ? &key : NULL;
    spec.key_path = keypath;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_text_deid_result res;
    at_status st = at_text_deid_run(&spec, &run.run, &res);
    memset(&key, 0, sizeof key);
    at_free(keypath);
    at_free(inputs);
    if (res.key_skipped)
        fprintf(stderr, "atelier %s: %s is the site key: not a document, skipped\n", cmd, res.key_skipped);
    for (size_t i = 0; i < res.failed; i++)
        fprintf(stderr, "atelier: %s\n", res.failures[i].message);
    rc = cli_run_end(&run, st, "nothing was kept (the documents written were removed)");
    if (rc == CLI_OK && !quiet) {
        fprintf(stderr, "atelier %s: %zu document(s) written, %zu failed\n", cmd, res.written, res.failed);
        if (res.unmatched)
            fprintf(stderr,
                    "atelier %s: %zu document(s) or row(s) of patients absent from --patient-info: rules and "
                    "dictionaries only\n",
                    cmd, res.unmatched);
    }
    if (rc == CLI_OK && res.failed)
        rc = CLI_FAIL;
    at_text_deid_result_free(&res);
    return rc;
}
