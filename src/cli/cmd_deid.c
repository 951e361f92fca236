/* atelier deid: the door on the command line. */
#include "cli.h"

#include "atelier/deid.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *o)
{
    fprintf(
        o,
        "usage: atelier deid INPUT... -o OUTDIR [--profile basic] [--option NAME]...\n"
        "                    [--key KEYFILE] [--threads N] [--json] [--allow-burned-in] [--sync] [--quiet]\n"
        "                    [--report-input-paths] [--allow-documents] [--force]\n\n"
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
        "  -o, --out OUTDIR the output tree; may not be an input or inside one; refused\n"
        "                   when it exists and is not empty, unless --force\n"
        "  --key KEYFILE    the site key; it must exist ('atelier key new KEYFILE' makes one).\n"
        "                   Default: $ATELIER_KEY, else ~/.config/atelier/site.key, created\n"
        "                   there on the first run (said on stderr). Same key, same pseudonyms.\n"
        "  --threads N      files processed in parallel (default 1; output identical whatever N)\n"
        "  --json           print the report (one JSON object) on stdout\n"
        "  --allow-burned-in  write risky files to the tree instead of quarantine/\n"
        "  --allow-documents  write encapsulated documents (PDF, CDA; content replaced) to the\n"
        "                   tree instead of quarantine/\n"
        "  --sync           make every output durable on disk before it gets its name\n"
        "                   (one filesystem sync per run; slower: the disk write is waited for)\n"
        "  --report-input-paths  name rejected and quarantined inputs by their path in the\n"
        "                   report. Off by default: input paths often hold patient names or\n"
        "                   IDs, and the report would then identify. Without it an input is\n"
        "                   'input N', N its rank in the input order (docs/deid.md).\n"
        "  --force          write into an OUTDIR that is not empty (same names replaced)\n"
        "  -q, --quiet      no summary line, no progress\n\n"
        "Interrupted (Ctrl-C, SIGTERM): nothing is kept (exit 130); temporary files an\n"
        "earlier interrupted run left in OUTDIR are removed by the next run.\n"
        "Exit status: 0 all files done or quarantined, 1 some input rejected, no input file\n"
        "found, or failure, 2 usage error, 130 interrupted. See docs/deid.md.\n");
}

/* Without the text module (the `atelier` front program): no detector; the
 * front hands clean-descriptors runs to atelier-engine (main.c). */
__attribute__((weak)) at_status cli_deid_detector(void *deid_spec, void **state)
{
    (void)deid_spec;
    *state = NULL;
    return at_error_set(AT_ERR_UNSUPPORTED,
                        "clean-descriptors needs atelier-engine (the French text detector)");
}
__attribute__((weak)) void cli_deid_detector_free(void *state)
{
    (void)state;
}

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
    const char *outdir = NULL, *keyfile = NULL, *profile = NULL, *option = NULL, *threads_s = NULL;
    unsigned options = 0;
    long threads = 1;
    int json = 0, allow = 0, quiet = 0, sync = 0, rc = CLI_OK, dashdash = 0, input_paths = 0, force = 0,
        allow_documents = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || !a[1]) {
            inputs[ninputs++] = a;
        } else if (!strcmp(a, "--")) {
            dashdash = 1;
        } else if (cli_take(cmd, argc, argv, &i, "-o", "--out", &outdir, &rc) ||
                   cli_take(cmd, argc, argv, &i, "--key", NULL, &keyfile, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--profile", NULL, &profile, &rc)) {
            if (rc == CLI_OK && strcmp(profile, "basic"))
                rc = cli_usage_error(cmd, "unknown profile '%s' (only 'basic')", profile);
        } else if (cli_take(cmd, argc, argv, &i, "--option", NULL, &option, &rc)) {
            unsigned f = rc == CLI_OK ? at_deid_option_by_name(option) : 0;
            if (rc == CLI_OK && !f)
                rc = cli_usage_error(cmd, "unknown --option '%s'", option);
            options |= f;
        } else if (cli_take(cmd, argc, argv, &i, "--threads", NULL, &threads_s, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, "--threads", threads_s, 1, 256, &threads);
        } else if (cli_flag(a, "--json", NULL)) {
            json = 1;
        } else if (cli_flag(a, "--allow-burned-in", NULL)) {
            allow = 1;
        } else if (cli_flag(a, "--sync", NULL)) {
            sync = 1;
        } else if (cli_flag(a, "--allow-documents", NULL)) {
            allow_documents = 1;
        } else if (cli_flag(a, "--report-input-paths", NULL)) {
            input_paths = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
            quiet = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && !outdir)
        rc = cli_usage_error(cmd, "-o OUTDIR is required");
    if (rc == CLI_OK && !ninputs)
        rc = cli_usage_error(cmd, "no INPUT given");
    if (rc == CLI_OK && at_deid_options_check(options) != AT_OK)
        rc = cli_usage_error(cmd, "%s", at_error_message());
    /* refused before anything is written: -o over an input, -o not empty */
    if (rc == CLI_OK && at_path_refuse_inside(outdir, inputs, ninputs) != AT_OK) {
        fprintf(stderr, "atelier %s: %s\n", cmd, at_error_message());
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, outdir, force);
    at_key key;
    if (rc == CLI_OK)
        rc = cli_key_load(cmd, keyfile, outdir, &key, NULL);
    if (rc != CLI_OK) {
        at_free(inputs);
        return rc;
    }
    cli_run run;
    cli_run_start(&run, cmd, (int)threads, quiet || json, 0);
    at_deid_spec spec = {.inputs = inputs,
                         .input_count = ninputs,
                         .outdir = outdir,
                         .options = options,
                         .key = &key,
                         .allow_burned_in = allow,
                         .sync = sync,
                         .report_input_paths = input_paths,
                         .allow_documents = allow_documents};
    at_deid_batch_result res;
    memset(&res, 0, sizeof res);
    void *detector = NULL;
    at_status st = AT_OK;
    if (options & AT_DEID_OPT_CLEAN_DESCRIPTORS)
        st = cli_deid_detector(&spec, &detector);
    if (!st)
        st = at_deid_run(&spec, &run.run, &res);
    cli_deid_detector_free(detector);
    at_free(inputs);
    memset(&key, 0, sizeof key);
    if (st) {
        at_deid_batch_result_free(&res);
        return cli_run_end(&run, st, "nothing was kept (no output, no temporary file)");
    }
    cli_run_end(&run, st, NULL);
    if (json)
        fputs(res.report_json, stdout);
    size_t skipped = res.skipped.not_regular + res.skipped.dangling_links + res.skipped.folder_links +
                     res.skipped.vanished + res.skipped.too_deep;
    char *report =
        quiet ? NULL : at_path_join(outdir, "deid-report.json"); /* "clean/" gives clean/deid-... */
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
                "%zu dangling links, %zu links to folders, %zu vanished, %zu folders too deep\n",
                res.skipped.not_regular, res.skipped.dangling_links, res.skipped.folder_links,
                res.skipped.vanished, res.skipped.too_deep);
    rc = res.files_rejected ? CLI_FAIL : CLI_OK;
    if (!res.files_seen) {
        /* an empty folder (or one of links and FIFOs only): nothing was de-identified */
        fprintf(stderr, "atelier deid: no input file found in the INPUT given (%zu entries skipped)\n",
                skipped);
        rc = CLI_FAIL;
    }
    at_deid_batch_result_free(&res);
    return rc;
}
