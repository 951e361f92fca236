/* atelier deid: the door on the command line. */
#include "cli.h"

#include "atelier/deid.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *o)
{
    fprintf(o,
            "usage: atelier deid INPUT... -o OUTDIR [--profile basic] [--option NAME]...\n"
            "                    [--key KEYFILE] [--threads N] [--json] [--allow-burned-in] [--sync] [--quiet]\n"
            "                    [--report-input-paths] [--allow-documents]\n\n"
            "De-identify DICOM files with the PS3.15 Basic Application Level\n"
            "Confidentiality Profile (Table E.1-1, 2024b) and keyed pseudonyms.\n"
            "INPUT: files or folders (recursive); inputs are never modified.\n"
            "Output: OUTDIR/<patient>/<study>/<series>/<new SOP Instance UID>.dcm, files\n"
            "likely to carry burned-in text under OUTDIR/quarantine/ (same layout,\n"
            "header de-identified), the report OUTDIR/deid-report.json.\n\n"
            "options (--option, repeatable):\n"
            "  full-dates               keep dates and times\n"
            "  modified-dates           shift dates by a keyed per-patient number of days\n"
            "  patient-characteristics  keep sex, age, size, weight, ...\n"
            "  device-identity          keep device serial numbers, station names, ...\n"
            "  institution-identity     keep institution names and addresses\n"
            "  uids                     keep UIDs\n"
            "  safe-private             keep the private elements of the safe table\n"
            "  clean-descriptors        keep descriptions, cleaned by the French text detector and\n"
            "                           of the header's identifiers (runs in atelier-engine)\n"
            "  clean-graphics           keep overlays, curves and graphic annotations (cleaned)\n\n"
            "  --key KEYFILE    the site key (created with mode 0600 if absent; default\n"
            "                   $ATELIER_KEY or ~/.config/atelier/site.key). Same key, same pseudonyms.\n"
            "  --threads N      files processed in parallel (output identical whatever N)\n"
            "  --json           print the report (one JSON object) on stdout\n"
            "  --allow-burned-in  write risky files to the tree instead of quarantine/\n"
            "  --allow-documents  write encapsulated documents (PDF, CDA; content replaced) to the\n"
            "                   tree instead of quarantine/\n"
            "  --sync           make every output durable on disk before it gets its name\n"
            "                   (one filesystem sync per run; slower: the disk write is waited for)\n"
            "  --report-input-paths  name rejected and quarantined inputs by their path in the\n"
            "                   report. Off by default: input paths often hold patient names or\n"
            "                   IDs, and the report would then identify. Without it an input is\n"
            "                   'input N', N its rank in the input order (docs/deid.md).\n\n"
            "Exit status: 0 all files done or quarantined, 1 some input rejected, no input file\n"
            "found, or failure, 2 usage error. See docs/deid.md.\n");
}

/* Without the text module (the `atelier` front program): no detector; the
 * front hands clean-descriptors runs to atelier-engine (main.c). */
__attribute__((weak)) at_status cli_deid_detector(void *batch_config, void **state)
{
    (void)batch_config;
    *state = NULL;
    return at_error_set(AT_ERR_UNSUPPORTED, "clean-descriptors needs atelier-engine (the French text detector)");
}
__attribute__((weak)) void cli_deid_detector_free(void *state) { (void)state; }

int cmd_deid(int argc, char **argv)
{
    static const char *cmd = "deid";
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char **inputs = at_calloc((size_t)argc, sizeof *inputs);
    if (!inputs)
        return cli_fail(AT_ERR_NOMEM);
    size_t ninputs = 0;
    const char *outdir = NULL, *keyfile = NULL;
    unsigned options = 0;
    int threads = 1, json = 0, allow = 0, quiet = 0, sync = 0, rc = CLI_OK, dashdash = 0, input_paths = 0,
        allow_documents = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (dashdash || a[0] != '-' || !a[1]) {
            inputs[ninputs++] = a;
        } else if (!strcmp(a, "--")) {
            dashdash = 1;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--out")) && next) {
            outdir = next;
            i++;
        } else if (!strcmp(a, "--profile") && next) {
            if (strcmp(next, "basic"))
                rc = cli_usage_error(cmd, "unknown profile '%s' (only 'basic')", next);
            i++;
        } else if (!strcmp(a, "--option") && next) {
            unsigned f = at_deid_option_by_name(next);
            if (!f)
                rc = cli_usage_error(cmd, "unknown option '%s'", next);
            options |= f;
            i++;
        } else if (!strcmp(a, "--key") && next) {
            keyfile = next;
            i++;
        } else if (!strcmp(a, "--threads") && next) {
            char *end;
            long t = strtol(next, &end, 10);
            if (*end || t < 1 || t > 256)
                rc = cli_usage_error(cmd, "--threads needs a number in 1..256");
            threads = (int)t;
            i++;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--allow-burned-in")) {
            allow = 1;
        } else if (!strcmp(a, "--sync")) {
            sync = 1;
        } else if (!strcmp(a, "--allow-documents")) {
            allow_documents = 1;
        } else if (!strcmp(a, "--report-input-paths")) {
            input_paths = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else {
            rc = cli_usage_error(cmd, "unknown or incomplete argument '%s'", a);
        }
    }
    if (rc == CLI_OK && !outdir)
        rc = cli_usage_error(cmd, "-o OUTDIR is required");
    if (rc == CLI_OK && !ninputs)
        rc = cli_usage_error(cmd, "no INPUT given");
    if (rc == CLI_OK && at_deid_options_check(options) != AT_OK)
        rc = cli_usage_error(cmd, "%s", at_error_message());
    if (rc != CLI_OK) {
        at_free(inputs);
        return rc;
    }
    at_key key;
    char *defpath = keyfile ? NULL : at_key_default_path();
    if ((keyfile || defpath) && !cli_key_outside("deid", keyfile ? keyfile : defpath, outdir)) {
        at_free(defpath);
        at_free(inputs);
        return CLI_USAGE;
    }
    int created = 0;
    at_status st = (keyfile || defpath) ? at_key_load_or_create(keyfile ? keyfile : defpath, &key, &created)
                                        : AT_ERR_NOMEM;
    if (!st && created && !quiet)
        fprintf(stderr, "atelier deid: created a new site key at %s (mode 0600); keep it to get the same "
                        "pseudonyms next time\n",
                keyfile ? keyfile : defpath);
    at_free(defpath);
    if (st) {
        at_free(inputs);
        return cli_fail(st);
    }
    cli_progress prog;
    cli_progress_init(&prog, "deid", quiet || json);
    at_deid_batch_config cfg = {.options = options,
                                .key = &key,
                                .threads = threads,
                                .allow_burned_in = allow,
                                .sync = sync,
                                .report_input_paths = input_paths,
                                .allow_documents = allow_documents,
                                .progress = cli_progress_cb,
                                .progress_ud = &prog};
    void *detector = NULL;
    if (options & AT_DEID_OPT_CLEAN_DESCRIPTORS)
        st = cli_deid_detector(&cfg, &detector);
    at_deid_batch_result res;
    memset(&res, 0, sizeof res);
    if (!st)
        st = at_deid_batch_run(inputs, ninputs, outdir, &cfg, &res);
    cli_deid_detector_free(detector);
    cli_progress_end(&prog);
    at_free(inputs);
    memset(&key, 0, sizeof key);
    if (st) {
        at_deid_batch_result_free(&res);
        return cli_fail(st);
    }
    if (json)
        fputs(res.report_json, stdout);
    size_t skipped = res.skipped.not_regular + res.skipped.dangling_links + res.skipped.folder_links +
                     res.skipped.vanished;
    char *report = quiet ? NULL : at_path_join(outdir, "deid-report.json"); /* "clean/" gives clean/deid-... */
    if (report)
        fprintf(stderr,
                "atelier deid: %zu files: %zu de-identified, %zu quarantined, %zu rejected in %.2f s "
                "(%.1f files/s); report %s\n",
                res.files_seen, res.files_done, res.files_quarantined, res.files_rejected, res.seconds,
                res.seconds > 0 ? (double)res.files_seen / res.seconds : 0.0, report);
    at_free(report);
    if (!quiet && skipped)
        fprintf(stderr,
                "atelier deid: skipped in the folders: %zu not regular files (FIFOs, sockets, devices), "
                "%zu dangling links, %zu links to folders, %zu vanished\n",
                res.skipped.not_regular, res.skipped.dangling_links, res.skipped.folder_links, res.skipped.vanished);
    rc = res.files_rejected ? CLI_FAIL : CLI_OK;
    if (!res.files_seen) {
        /* an empty folder (or one of links and FIFOs only): nothing was de-identified */
        fprintf(stderr, "atelier deid: no input file found in the INPUT given (%zu entries skipped)\n", skipped);
        rc = CLI_FAIL;
    }
    at_deid_batch_result_free(&res);
    return rc;
}
