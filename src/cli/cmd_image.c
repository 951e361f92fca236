/* atelier image: volumes between DICOM series and NIfTI. */
#include "cli.h"

#include "atelier/image.h"

#include <string.h>

static const char *const help_convert =
    "usage: atelier image convert SOURCE -o OUT [--series UID] [--modality CT|MR] [--force]\n\n"
    "SOURCE is a DICOM series folder (files found recursively, links to folders not\n"
    "followed, sorted by Image Position/Orientation (Patient), Rescale\n"
    "Slope/Intercept applied; classic or enhanced multi-frame; --series picks one\n"
    "Series Instance UID when the folder holds several) or a NIfTI file. OUT ending\n"
    "in .nii or .nii.gz writes NIfTI-1 (qform and sform, RAS); any other OUT is a\n"
    "new folder receiving a DICOM series of --modality (default CT). Outputs appear\n"
    "only when complete; an existing OUT is refused unless --force.\n";
static const char *const help_info =
    "usage: atelier image info SOURCE [--json]\n\n"
    "Dimensions, spacing, origin (LPS), direction, value range and modality of a\n"
    "DICOM series folder or a NIfTI file; --json as one JSON object.\n";

static void usage(FILE *out)
{
    fprintf(out, "usage: atelier image <convert|info> [<args>]\n\n"
                 "Volumes between DICOM series and NIfTI.\n"
                 "  convert  a DICOM series to NIfTI, or a volume to a DICOM series\n"
                 "  info     what a series or a NIfTI file holds\n"
                 "'atelier image <command> --help' tells more.\n");
}

static int image_convert(int argc, char **argv)
{
    static const char *cmd = "image convert";
    const char *src = NULL, *out = NULL, *uid = NULL, *modality = "CT";
    int rc = CLI_OK, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (cli_take(cmd, argc, argv, &i, "-o", "--out", &out, &rc) ||
            cli_take(cmd, argc, argv, &i, "--series", NULL, &uid, &rc) ||
            cli_take(cmd, argc, argv, &i, "--modality", NULL, &modality, &rc)) {
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else if (cli_flag(a, "--quiet", "-q")) {
        } else if (a[0] == '-' && a[1]) {
            rc = cli_unknown_option(cmd, a);
        } else if (!src) {
            src = a;
        } else {
            rc = cli_usage_error(cmd, "more than one source");
        }
    }
    if (rc == CLI_OK && (!src || !out))
        rc = cli_usage_error(cmd, "a source and -o OUT are required");
    if (rc == CLI_OK && strcmp(modality, "CT") && strcmp(modality, "MR"))
        rc = cli_usage_error(cmd, "--modality must be CT or MR");
    if (rc == CLI_OK && !at_path_same(src, out))
        rc = cli_output_free(cmd, out, force);
    else if (rc == CLI_OK)
        rc = cli_usage_error(cmd, "OUT is the source: it would be overwritten");
    if (rc != CLI_OK)
        return rc;
    at_volume *v = NULL;
    at_status st = at_path_is_dir(src) ? at_series_read(src, uid, &v, NULL) : at_nifti_read(src, &v);
    size_t n = strlen(out);
    int nifti = (n > 4 && !strcmp(out + n - 4, ".nii")) || (n > 7 && !strcmp(out + n - 7, ".nii.gz"));
    if (!st) {
        if (nifti) {
            st = at_nifti_write(v, out);
        } else {
            at_series_write_options o;
            memset(&o, 0, sizeof o);
            o.modality = modality;
            o.series_description = "converted by atelier";
            o.series_number = 1;
            o.derived = 1;
            o.uid_seed = out;
            st = at_series_write(v, &o, out);
        }
    }
    at_volume_free(v);
    return st ? cli_fail(st) : CLI_OK;
}

static int image_info(int argc, char **argv)
{
    const char *src = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_unknown_option("image info", argv[i]);
        else if (src)
            return cli_usage_error("image info", "more than one source");
        else
            src = argv[i];
    }
    if (!src)
        return cli_usage_error("image info", "a source is required");
    at_volume *v = NULL;
    at_series_info info;
    at_status st = at_volume_load(src, &v, &info);
    if (st)
        return cli_fail(st);
    const at_grid *g = &v->grid;
    size_t nv = at_grid_voxels(g);
    double lo = v->data[0], hi = v->data[0], sum = 0;
    for (size_t i = 0; i < nv; i++) {
        lo = v->data[i] < lo ? v->data[i] : lo;
        hi = v->data[i] > hi ? v->data[i] : hi;
        sum += v->data[i];
    }
    if (json) {
        printf("{\"dim\": [%d, %d, %d], \"spacing\": [%.6g, %.6g, %.6g], \"origin_lps\": [%.6g, "
               "%.6g, %.6g], \"direction\": [%.6g, %.6g, %.6g, %.6g, %.6g, %.6g, %.6g, %.6g, "
               "%.6g], \"min\": %.6g, \"max\": %.6g, \"mean\": %.6g, \"modality\": \"%s\"}\n",
               g->dim[0], g->dim[1], g->dim[2], g->spacing[0], g->spacing[1], g->spacing[2], g->origin[0],
               g->origin[1], g->origin[2], g->direction[0], g->direction[1], g->direction[2], g->direction[3],
               g->direction[4], g->direction[5], g->direction[6], g->direction[7], g->direction[8], lo, hi,
               sum / (double)nv, info.modality);
    } else {
        printf("dimensions   %d x %d x %d\nspacing (mm) %g x %g x %g\norigin (LPS) %g %g %g\n"
               "direction    [%g %g %g; %g %g %g; %g %g %g]\nvalues       min %g max %g mean %g\n",
               g->dim[0], g->dim[1], g->dim[2], g->spacing[0], g->spacing[1], g->spacing[2], g->origin[0],
               g->origin[1], g->origin[2], g->direction[0], g->direction[1], g->direction[2], g->direction[3],
               g->direction[4], g->direction[5], g->direction[6], g->direction[7], g->direction[8], lo, hi,
               sum / (double)nv);
        if (info.modality[0])
            printf("modality     %s (%d %s)\n", info.modality, info.slices,
                   info.multiframe ? "frames, enhanced multi-frame" : "slices");
    }
    at_volume_free(v);
    return CLI_OK;
}

int cmd_image(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        if (!strcmp(argv[1], "convert") || !strcmp(argv[1], "info"))
            fputs(argv[1][0] == 'c' ? help_convert : help_info, stdout);
        else
            usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "convert"))
        return image_convert(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return image_info(argc - 1, argv + 1);
    return cli_usage_error("image", "'%s' is not an image command (convert, info)", argv[1]);
}
