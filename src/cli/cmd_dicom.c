/* atelier dicom: read DICOM files and print them (dcmdump-like text or the
 * DICOM JSON model of PS3.18 Annex F). */
#include "cli.h"

#include "atelier/dicom.h"

#include <stdio.h>
#include <string.h>

static const char *const help_dump =
    "usage: atelier dicom dump [--json] [--stop-before-pixels] FILE...\n\n"
    "Print DICOM Part 10 files (or bare datasets): one line per element (tag, VR,\n"
    "value, length, VM, keyword), sequence items indented, like dcmdump.\n"
    "  --json                the DICOM JSON model (PS3.18 Annex F) of each dataset;\n"
    "                        several files give a JSON array\n"
    "  --stop-before-pixels  do not read Pixel Data (7FE0,0010) and what follows\n"
    "Exit status: 0 ok, 1 a file could not be read (one line naming it), 2 usage.\n";
static const char *const help_convert =
    "usage: atelier dicom convert [--ts SYNTAX] [--bare] [--force] IN -o OUT   (or IN OUT)\n\n"
    "Write IN again as a Part 10 file OUT (atomically), File Meta group length\n"
    "recomputed; an existing OUT is refused unless --force.\n"
    "  --ts SYNTAX           implicit, explicit, big, deflated, or a transfer\n"
    "                        syntax UID (default: IN's own)\n"
    "  --bare                write the dataset alone: no preamble, no DICM, no File\n"
    "                        Meta (implicit, explicit or big only; default implicit).\n"
    "                        Read it with `dcmdump -f +ti` (+te, +tb)\n"
    "Transfer syntaxes read: implicit VR little endian, explicit VR little and big\n"
    "endian, deflated explicit VR little endian, and the dataset of any compressed\n"
    "syntax (pixel data kept encapsulated).\n";

static void dicom_usage(FILE *out)
{
    fprintf(out, "usage: atelier dicom <dump|convert> [<args>]\n\n"
                 "Read DICOM Part 10 files (or bare datasets) and print or re-encode them.\n"
                 "  dump     print each file (dcmdump-like text, or the DICOM JSON model)\n"
                 "  convert  write a file again, in another transfer syntax if asked\n"
                 "'atelier dicom <command> --help' tells more.\n");
}

/* Read path and append its dump or JSON to out; prints nothing. */
static at_status dump_one(const char *path, int json, int stop, at_buf *out)
{
    at_dcm_read_options opt = {path, stop};
    at_dcm_file *f;
    at_status st = at_dcm_read_file(path, &opt, &f);
    if (st)
        return st;
    st = json ? at_dcm_to_json(f->dataset, out) : at_dcm_dump(f, out);
    at_dcm_file_free(f);
    if (st)
        return at_error_prefix(st, "%s", path);
    return AT_OK;
}

static int dicom_convert(int argc, char **argv)
{
    static const char *cmd = "dicom convert";
    const char *ts = NULL, *in = NULL, *out = NULL;
    int bare = 0, force = 0, rc = CLI_OK;
    for (int i = 2; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "--ts", NULL, &ts, &rc) ||
            cli_take(cmd, argc, argv, &i, "-o", "--out", &out, &rc)) {
        } else if (cli_flag(a, "--bare", NULL)) {
            bare = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (a[0] == '-' && a[1]) {
            rc = cli_unknown_option(cmd, a);
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            rc = cli_usage_error(cmd, "takes one IN and one OUT");
        }
    }
    if (rc == CLI_OK && (!in || !out))
        rc = cli_usage_error(cmd, "needs IN and -o OUT");
    if (rc == CLI_OK && at_path_same(in, out))
        rc = cli_usage_error(cmd, "OUT is IN: it would be overwritten");
    if (rc == CLI_OK)
        rc = cli_output_free(cmd, out, force);
    if (rc != CLI_OK)
        return rc;
    static const struct {
        const char *name, *uid;
    } names[] = {{"implicit", AT_TS_IMPLICIT_LE},
                 {"explicit", AT_TS_EXPLICIT_LE},
                 {"big", AT_TS_EXPLICIT_BE},
                 {"deflated", AT_TS_DEFLATED_LE}};
    if (ts) {
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            if (!strcmp(ts, names[i].name))
                ts = names[i].uid;
        size_t n = strlen(ts);
        if (n == 0 || n > 64 || strspn(ts, "0123456789.") != n)
            return cli_usage_error(cmd, "--ts: '%s' is not a transfer syntax", ts);
        if (bare && strcmp(ts, AT_TS_IMPLICIT_LE) && strcmp(ts, AT_TS_EXPLICIT_LE) &&
            strcmp(ts, AT_TS_EXPLICIT_BE))
            return cli_usage_error(cmd, "--bare writes implicit, explicit or big only");
    }
    at_dcm_file *f;
    at_status st = at_dcm_read_file(in, NULL, &f);
    if (st)
        return cli_fail(st);
    if (ts)
        snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", ts);
    else if (bare && strcmp(f->transfer_syntax, AT_TS_EXPLICIT_LE) &&
             strcmp(f->transfer_syntax, AT_TS_EXPLICIT_BE))
        snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", AT_TS_IMPLICIT_LE);
    st = bare ? at_dcm_write_bare_file(f, out) : at_dcm_write_file(f, out);
    at_dcm_file_free(f);
    return st ? cli_fail(st) : CLI_OK;
}

int cmd_dicom(int argc, char **argv)
{
    if (argc < 2 || cli_flag(argv[1], "--help", "-h")) {
        dicom_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        if (!strcmp(argv[1], "convert") || !strcmp(argv[1], "dump")) {
            fputs(argv[1][0] == 'c' ? help_convert : help_dump, stdout);
            return CLI_OK;
        }
        dicom_usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "convert"))
        return dicom_convert(argc, argv);
    if (strcmp(argv[1], "dump") != 0)
        return cli_usage_error("dicom", "'%s' is not a dicom command (dump, convert)", argv[1]);
    int json = 0, stop = 0, nfiles = 0, opts_done = 0;
    for (int i = 2; i < argc; i++) {
        if (!opts_done && !strcmp(argv[i], "--json"))
            json = 1;
        else if (!opts_done && !strcmp(argv[i], "--stop-before-pixels"))
            stop = 1;
        else if (!opts_done && !strcmp(argv[i], "--"))
            opts_done = 1;
        else if (!opts_done && argv[i][0] == '-' && argv[i][1])
            return cli_unknown_option("dicom dump", argv[i]);
        else
            nfiles++;
    }
    if (!nfiles)
        return cli_usage_error("dicom dump", "no FILE given");
    int rc = CLI_OK, first = 1;
    opts_done = 0;
    if (json && nfiles > 1)
        fputs("[", stdout);
    for (int i = 2; i < argc; i++) {
        if (!opts_done && !strcmp(argv[i], "--")) {
            opts_done = 1;
            continue;
        }
        if (!opts_done && argv[i][0] == '-' && argv[i][1])
            continue;
        at_buf out;
        at_buf_init(&out, (size_t)1 << 34);
        at_status st = dump_one(argv[i], json, stop, &out);
        if (st) {
            fflush(stdout);
            rc = cli_fail(st);
        } else {
            if (json && nfiles > 1 && !first)
                fputs(",\n", stdout);
            if (nfiles > 1 && !json)
                printf("%s# %s\n", first ? "" : "\n", argv[i]);
            if (out.len)
                fwrite(out.data, 1, out.len, stdout);
            if (json && nfiles == 1)
                fputc('\n', stdout);
            first = 0;
        }
        at_buf_free(&out);
    }
    if (json && nfiles > 1)
        fputs("]\n", stdout);
    return rc;
}
