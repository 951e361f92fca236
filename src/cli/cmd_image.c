/* atelier image: volumes between DICOM series and NIfTI. */
#include "cli.h"

#include "atelier/image.h"

#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: atelier image convert SOURCE -o OUT [--series UID] [--modality CT|MR]\n"
            "       atelier image info SOURCE [--json]\n\n"
            "SOURCE is a DICOM series folder (files found recursively, sorted by Image\n"
            "Position/Orientation (Patient), Rescale Slope/Intercept applied; classic or\n"
            "enhanced multi-frame) or a NIfTI file. OUT ending in .nii or .nii.gz writes\n"
            "NIfTI-1 (qform and sform, RAS); any other OUT is a new folder receiving a\n"
            "DICOM series of --modality (default CT). Outputs appear only when complete.\n");
}

static int image_convert(int argc, char **argv)
{
    const char *src = NULL, *out = NULL, *uid = NULL, *modality = "CT";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--series") && i + 1 < argc)
            uid = argv[++i];
        else if (!strcmp(argv[i], "--modality") && i + 1 < argc)
            modality = argv[++i];
        else if (argv[i][0] == '-')
            return cli_usage_error("image convert", "unexpected option '%s'", argv[i]);
        else if (!src)
            src = argv[i];
        else
            return cli_usage_error("image convert", "more than one source");
    }
    if (!src || !out)
        return cli_usage_error("image convert", "a source and -o OUT are required");
    if (strcmp(modality, "CT") && strcmp(modality, "MR"))
        return cli_usage_error("image convert", "--modality must be CT or MR");
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
        else if (argv[i][0] == '-')
            return cli_usage_error("image info", "unexpected option '%s'", argv[i]);
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
               g->dim[0], g->dim[1], g->dim[2], g->spacing[0], g->spacing[1], g->spacing[2],
               g->origin[0], g->origin[1], g->origin[2], g->direction[0], g->direction[1],
               g->direction[2], g->direction[3], g->direction[4], g->direction[5], g->direction[6],
               g->direction[7], g->direction[8], lo, hi, sum / (double)nv, info.modality);
    } else {
        printf("dimensions   %d x %d x %d\nspacing (mm) %g x %g x %g\norigin (LPS) %g %g %g\n"
               "direction    [%g %g %g; %g %g %g; %g %g %g]\nvalues       min %g max %g mean %g\n",
               g->dim[0], g->dim[1], g->dim[2], g->spacing[0], g->spacing[1], g->spacing[2],
               g->origin[0], g->origin[1], g->origin[2], g->direction[0], g->direction[1],
               g->direction[2], g->direction[3], g->direction[4], g->direction[5], g->direction[6],
               g->direction[7], g->direction[8], lo, hi, sum / (double)nv);
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
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "convert"))
        return image_convert(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info"))
        return image_info(argc - 1, argv + 1);
    return cli_usage_error("image", "unknown subcommand '%s'", argv[1]);
}
