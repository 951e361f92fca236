/* atelier dicom: read DICOM files and print them (dcmdump-like text or the
 * DICOM JSON model of PS3.18 Annex F). */
#include "cli.h"

#include "atelier/dicom.h"

#include <stdio.h>
#include <string.h>

static void dicom_usage(FILE *out)
{
    fprintf(out,
            "usage: atelier dicom dump [--json] [--stop-before-pixels] FILE...\n\n"
            "Read DICOM Part 10 files (or bare datasets) and print them.\n\n"
            "  dump                  one line per element (tag, VR, value, length, VM,\n"
            "                        keyword), sequence items indented, like dcmdump\n"
            "  --json                the DICOM JSON model (PS3.18 Annex F) of each dataset;\n"
            "                        several files give a JSON array\n"
            "  --stop-before-pixels  do not read Pixel Data (7FE0,0010) and what follows\n\n"
            "Transfer syntaxes: implicit VR little endian, explicit VR little and big\n"
            "endian, deflated explicit VR little endian, and the dataset of any\n"
            "compressed syntax (pixel data kept encapsulated).\n"
            "Exit status: 0 ok, 1 a file could not be read (one line naming it), 2 usage.\n");
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

int cmd_dicom(int argc, char **argv)
{
    if (cli_wants_help(argc, argv) || argc < 2) {
        dicom_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "dump") != 0)
        return cli_usage_error("dicom", "unknown action '%s'", argv[1]);
    int json = 0, stop = 0, nfiles = 0, opts_done = 0;
    for (int i = 2; i < argc; i++) {
        if (!opts_done && !strcmp(argv[i], "--json"))
            json = 1;
        else if (!opts_done && !strcmp(argv[i], "--stop-before-pixels"))
            stop = 1;
        else if (!opts_done && !strcmp(argv[i], "--"))
            opts_done = 1;
        else if (!opts_done && argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("dicom", "unknown option '%s'", argv[i]);
        else
            nfiles++;
    }
    if (!nfiles)
        return cli_usage_error("dicom", "no FILE given");
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
