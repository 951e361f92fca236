/* DICOM series -> volume. Files are found by walking the folder with an
 * explicit stack, grouped by Series Instance UID, and every frame (one
 * per classic file, many per enhanced multi-frame object) is placed by
 * its Image Position / Orientation (Patient): never by file name or
 * Instance Number. */
#include "atelier/dicom.h"
#include "atelier/image.h"
#include "atelier/walk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TAG_SOP_CLASS AT_TAG(0x0008, 0x0016)
#define TAG_MODALITY AT_TAG(0x0008, 0x0060)
#define TAG_SERIES_DESCRIPTION AT_TAG(0x0008, 0x103E)
#define TAG_PATIENT_ID AT_TAG(0x0010, 0x0020)
#define TAG_SLICE_THICKNESS AT_TAG(0x0018, 0x0050)
#define TAG_STUDY_UID AT_TAG(0x0020, 0x000D)
#define TAG_SERIES_UID AT_TAG(0x0020, 0x000E)
#define TAG_IPP AT_TAG(0x0020, 0x0032)
#define TAG_IOP AT_TAG(0x0020, 0x0037)
#define TAG_FOR_UID AT_TAG(0x0020, 0x0052)
#define TAG_SAMPLES AT_TAG(0x0028, 0x0002)
#define TAG_FRAMES AT_TAG(0x0028, 0x0008)
#define TAG_ROWS AT_TAG(0x0028, 0x0010)
#define TAG_COLUMNS AT_TAG(0x0028, 0x0011)
#define TAG_PIXEL_SPACING AT_TAG(0x0028, 0x0030)
#define TAG_BITS_ALLOCATED AT_TAG(0x0028, 0x0100)
#define TAG_BITS_STORED AT_TAG(0x0028, 0x0101)
#define TAG_PIXEL_REPRESENTATION AT_TAG(0x0028, 0x0103)
#define TAG_RESCALE_INTERCEPT AT_TAG(0x0028, 0x1052)
#define TAG_RESCALE_SLOPE AT_TAG(0x0028, 0x1053)
#define TAG_PIXEL_DATA AT_TAG(0x7FE0, 0x0010)
#define TAG_SHARED_FG AT_TAG(0x5200, 0x9229)
#define TAG_PER_FRAME_FG AT_TAG(0x5200, 0x9230)
#define TAG_PIXEL_MEASURES AT_TAG(0x0028, 0x9110)
#define TAG_PLANE_POSITION AT_TAG(0x0020, 0x9113)
#define TAG_PLANE_ORIENTATION AT_TAG(0x0020, 0x9116)
#define TAG_PIXEL_VALUE_TRANSFORM AT_TAG(0x0028, 0x9145)

typedef struct {
    char *path;
    at_dcm_file *file;
} dfile;

typedef struct {
    int file, frame;
    double pos[3], iop[6], ps[2], slope, intercept, thickness, dist;
} frame_geo;

/* ---- finding files ---- */

static int has_dicm_magic(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char b[132];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    return n == sizeof b && !memcmp(b + 128, "DICM", 4);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All regular files with the DICM marker under dir, as the core walker
 * finds them (hidden names left out, folder links never followed),
 * sorted by path so messages are stable. *paths owned (each and the
 * array). */
static at_status list_files(const char *dir, char ***paths, size_t *count)
{
    *paths = NULL;
    *count = 0;
    at_walk_list w = {0};
    at_walk_options o = {
        .skip_hidden = 1, .max_files = AT_SERIES_MAX_FILES, .max_depth = AT_SERIES_MAX_DEPTH};
    at_status st = at_walk_collect(&w, dir, &o);
    if (st == AT_ERR_LIMIT)
        st = at_error_set(AT_ERR_LIMIT, "%s: more than %d files", dir, AT_SERIES_MAX_FILES);
    char **out = !st && w.n ? at_malloc(w.n * sizeof *out) : NULL;
    if (!st && w.n && !out)
        st = AT_ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < w.n && !st; i++)
        if (has_dicm_magic(w.v[i].path)) {
            out[n++] = w.v[i].path; /* the string moves to the list */
            w.v[i].path = NULL;
        }
    at_walk_list_free(&w);
    if (st) {
        at_free(out);
        return st;
    }
    if (n)
        qsort(out, n, sizeof *out, cmp_str);
    *paths = out;
    *count = n;
    return AT_OK;
}

/* ---- attributes, classic or from functional groups ---- */

static const at_dcm_dataset *group_item(const at_dcm_dataset *fg, at_tag seq)
{
    if (!fg)
        return NULL;
    const at_dcm_element *el = at_dcm_find(fg, seq);
    return el && el->item_count ? el->items[0] : NULL;
}

/* Value index of tag: from the per-frame group item, else the shared one,
 * else the top-level dataset. */
static at_status frame_double(const at_dcm_dataset *ds, const at_dcm_dataset *per,
                              const at_dcm_dataset *shared, at_tag seq, at_tag tag, size_t index, double *out)
{
    const at_dcm_dataset *src[3] = {group_item(per, seq), group_item(shared, seq), ds};
    for (int i = 0; i < 3; i++)
        if (src[i] && at_dcm_find(src[i], tag))
            return at_dcm_get_double(src[i], tag, index, out);
    return AT_ERR_NOT_FOUND;
}

static at_status frame_geometry(const dfile *f, int fi, int frame, int multiframe, frame_geo *g)
{
    const at_dcm_dataset *ds = f->file->dataset;
    const at_dcm_dataset *per = NULL, *shared = NULL;
    if (multiframe) {
        const at_dcm_element *pf = at_dcm_find(ds, TAG_PER_FRAME_FG);
        if (!pf || (size_t)frame >= pf->item_count)
            return at_error_set(AT_ERR_FORMAT,
                                "%s: Per-frame Functional Groups Sequence has no item for frame %d", f->path,
                                frame + 1);
        per = pf->items[frame];
        const at_dcm_element *sh = at_dcm_find(ds, TAG_SHARED_FG);
        shared = sh && sh->item_count ? sh->items[0] : NULL;
    }
    memset(g, 0, sizeof *g);
    g->file = fi;
    g->frame = frame;
    at_status st = AT_OK;
    for (int i = 0; !st && i < 3; i++)
        st = frame_double(ds, per, shared, TAG_PLANE_POSITION, TAG_IPP, (size_t)i, &g->pos[i]);
    if (st)
        return at_error_set(AT_ERR_FORMAT, "%s: frame %d: Image Position (Patient) missing or invalid",
                            f->path, frame + 1);
    for (int i = 0; !st && i < 6; i++)
        st = frame_double(ds, per, shared, TAG_PLANE_ORIENTATION, TAG_IOP, (size_t)i, &g->iop[i]);
    if (st)
        return at_error_set(AT_ERR_FORMAT, "%s: frame %d: Image Orientation (Patient) missing or invalid",
                            f->path, frame + 1);
    for (int i = 0; !st && i < 2; i++)
        st = frame_double(ds, per, shared, TAG_PIXEL_MEASURES, TAG_PIXEL_SPACING, (size_t)i, &g->ps[i]);
    if (st || !(g->ps[0] > 0) || !(g->ps[1] > 0))
        return at_error_set(AT_ERR_FORMAT, "%s: frame %d: Pixel Spacing missing or invalid", f->path,
                            frame + 1);
    if (frame_double(ds, per, shared, TAG_PIXEL_MEASURES, TAG_SLICE_THICKNESS, 0, &g->thickness))
        g->thickness = 0;
    g->slope = 1;
    g->intercept = 0;
    if (frame_double(ds, per, shared, TAG_PIXEL_VALUE_TRANSFORM, TAG_RESCALE_SLOPE, 0, &g->slope) ||
        g->slope == 0 || !isfinite(g->slope))
        g->slope = 1;
    if (frame_double(ds, per, shared, TAG_PIXEL_VALUE_TRANSFORM, TAG_RESCALE_INTERCEPT, 0, &g->intercept) ||
        !isfinite(g->intercept))
        g->intercept = 0;
    for (int i = 0; i < 3; i++)
        if (!isfinite(g->pos[i]))
            return at_error_set(AT_ERR_FORMAT, "%s: Image Position (Patient) is not finite", f->path);
    /* orientation: two unit, orthogonal vectors */
    double nr = 0, nc = 0, dot = 0;
    for (int i = 0; i < 3; i++) {
        nr += g->iop[i] * g->iop[i];
        nc += g->iop[3 + i] * g->iop[3 + i];
        dot += g->iop[i] * g->iop[3 + i];
    }
    if (!(fabs(nr - 1) < 1e-2 && fabs(nc - 1) < 1e-2 && fabs(dot) < 1e-2))
        return at_error_set(AT_ERR_FORMAT,
                            "%s: Image Orientation (Patient) is not two orthogonal unit vectors", f->path);
    nr = sqrt(nr);
    nc = sqrt(nc);
    for (int i = 0; i < 3; i++) {
        g->iop[i] /= nr;
        g->iop[3 + i] /= nc;
    }
    return AT_OK;
}

static int cmp_dist(const void *a, const void *b)
{
    double x = ((const frame_geo *)a)->dist, y = ((const frame_geo *)b)->dist;
    return (x > y) - (x < y);
}

static int get_int(const at_dcm_dataset *ds, at_tag tag, int fallback)
{
    double d;
    if (at_dcm_get_double(ds, tag, 0, &d))
        return fallback;
    return (int)d;
}

/* Copy frame pixels into dst (cols*rows floats), rescaled. */
static at_status frame_pixels(const dfile *f, const frame_geo *g, int rows, int cols, float *dst)
{
    const at_dcm_dataset *ds = f->file->dataset;
    const at_dcm_element *pd = at_dcm_find(ds, TAG_PIXEL_DATA);
    if (!pd)
        return at_error_set(AT_ERR_FORMAT, "%s: no Pixel Data", f->path);
    if (pd->encapsulated)
        return at_error_set(AT_ERR_UNSUPPORTED,
                            "%s: compressed pixel data (transfer syntax %s) is not supported; "
                            "decompress first (e.g. dcmdjpeg)",
                            f->path, f->file->transfer_syntax);
    int samples = get_int(ds, TAG_SAMPLES, 1);
    if (samples != 1)
        return at_error_set(AT_ERR_UNSUPPORTED, "%s: %d samples per pixel (only grey images)", f->path,
                            samples);
    int bits = get_int(ds, TAG_BITS_ALLOCATED, 16);
    int stored = get_int(ds, TAG_BITS_STORED, bits);
    int sign = get_int(ds, TAG_PIXEL_REPRESENTATION, 0);
    if (bits != 8 && bits != 16 && bits != 32)
        return at_error_set(AT_ERR_UNSUPPORTED, "%s: Bits Allocated %d is not supported", f->path, bits);
    if (stored < 1 || stored > bits)
        stored = bits;
    size_t bpp = (size_t)bits / 8, npix = (size_t)rows * cols;
    size_t off = (size_t)g->frame * npix * bpp;
    if ((size_t)pd->length < off + npix * bpp)
        return at_error_set(AT_ERR_FORMAT, "%s: Pixel Data holds %u bytes, frame %d needs %zu", f->path,
                            pd->length, g->frame + 1, off + npix * bpp);
    const unsigned char *p = pd->value + off;
    uint32_t mask = stored >= 32 ? 0xffffffffu : ((1u << stored) - 1);
    for (size_t i = 0; i < npix; i++) {
        uint32_t u = 0;
        for (size_t b = 0; b < bpp; b++)
            u |= (uint32_t)p[i * bpp + b] << (8 * b);
        u &= mask;
        double v;
        if (sign && stored < 32 && (u >> (stored - 1)) & 1)
            v = (double)(int64_t)((int64_t)u - ((int64_t)1 << stored));
        else if (sign && stored == 32)
            v = (double)(int32_t)u;
        else
            v = (double)u;
        dst[i] = (float)(v * g->slope + g->intercept);
    }
    return AT_OK;
}

static void info_string(const at_dcm_dataset *ds, at_tag tag, char *buf, size_t n)
{
    if (at_dcm_get_string(ds, tag, buf, n))
        buf[0] = '\0';
}

at_status at_series_read(const char *dir, const char *series_uid, at_volume **out, at_series_info *info)
{
    *out = NULL;
    char **paths = NULL;
    size_t npaths = 0;
    at_status st = list_files(dir, &paths, &npaths);
    if (st)
        return st;
    dfile *files = at_calloc(npaths ? npaths : 1, sizeof *files);
    frame_geo *frames = NULL;
    size_t nfiles = 0, nframes = 0;
    char chosen[65] = "";
    size_t distinct = 0;
    at_volume *v = NULL;
    if (!files)
        st = AT_ERR_NOMEM;
    if (!st && !npaths)
        st = at_error_set(AT_ERR_NOT_FOUND, "%s: no DICOM files (Part 10, with DICM marker)", dir);
    /* read, keeping only the chosen series */
    for (size_t i = 0; !st && i < npaths; i++) {
        at_dcm_read_options ro = {paths[i], 0};
        at_dcm_file *df = NULL;
        st = at_dcm_read_file(paths[i], &ro, &df);
        if (st)
            break;
        char uid[65];
        if (at_dcm_get_string(df->dataset, TAG_SERIES_UID, uid, sizeof uid) || !uid[0]) {
            at_dcm_file_free(df);
            st = at_error_set(AT_ERR_FORMAT, "%s: no Series Instance UID", paths[i]);
            break;
        }
        if (!at_dcm_find(df->dataset, TAG_PIXEL_DATA)) { /* not an image (SR, RT...) */
            at_dcm_file_free(df);
            continue;
        }
        if (series_uid && strcmp(uid, series_uid)) {
            at_dcm_file_free(df);
            continue;
        }
        if (!chosen[0]) {
            snprintf(chosen, sizeof chosen, "%s", uid);
            distinct = 1;
        } else if (strcmp(uid, chosen)) {
            distinct++;
            at_dcm_file_free(df);
            continue;
        }
        files[nfiles].path = paths[i];
        files[nfiles].file = df;
        paths[i] = NULL;
        nfiles++;
    }
    if (!st && distinct > 1)
        st = at_error_set(AT_ERR_ARG,
                          "%s: holds images of more than one series; choose one with its Series "
                          "Instance UID",
                          dir);
    if (!st && !nfiles)
        st = at_error_set(AT_ERR_NOT_FOUND, "%s: no image of the requested series", dir);
    /* frames */
    int rows = 0, cols = 0, multiframe = 0;
    if (!st) {
        for (size_t i = 0; i < nfiles; i++) {
            int nf = get_int(files[i].file->dataset, TAG_FRAMES, 1);
            if (nf < 1 || nf > AT_IMAGE_MAX_DIM) {
                st = at_error_set(AT_ERR_FORMAT, "%s: Number of Frames %d out of range", files[i].path, nf);
                break;
            }
            if (at_dcm_find(files[i].file->dataset, TAG_PER_FRAME_FG))
                multiframe = 1;
            nframes += (size_t)nf;
        }
        if (!st && nframes > AT_IMAGE_MAX_DIM)
            st = at_error_set(AT_ERR_LIMIT, "%s: %zu frames exceed %d", dir, nframes, AT_IMAGE_MAX_DIM);
    }
    if (!st) {
        frames = at_calloc(nframes, sizeof *frames);
        if (!frames)
            st = AT_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; !st && i < nfiles; i++) {
        const at_dcm_dataset *ds = files[i].file->dataset;
        int nf = get_int(ds, TAG_FRAMES, 1);
        int r = get_int(ds, TAG_ROWS, 0), c = get_int(ds, TAG_COLUMNS, 0);
        if (r < 1 || c < 1 || r > AT_IMAGE_MAX_DIM || c > AT_IMAGE_MAX_DIM) {
            st = at_error_set(AT_ERR_FORMAT, "%s: Rows/Columns missing or out of range", files[i].path);
            break;
        }
        if (!rows) {
            rows = r;
            cols = c;
        } else if (r != rows || c != cols) {
            st = at_error_set(AT_ERR_FORMAT, "%s: %dx%d pixels where the series has %dx%d", files[i].path, c,
                              r, cols, rows);
            break;
        }
        int mf = at_dcm_find(ds, TAG_PER_FRAME_FG) != NULL;
        for (int f = 0; !st && f < nf; f++)
            st = frame_geometry(&files[i], (int)i, f, mf, &frames[k++]);
    }
    /* one orientation, one pixel spacing */
    double n[3] = {0, 0, 0};
    if (!st) {
        const double *r0 = frames[0].iop;
        n[0] = r0[1] * r0[5] - r0[2] * r0[4];
        n[1] = r0[2] * r0[3] - r0[0] * r0[5];
        n[2] = r0[0] * r0[4] - r0[1] * r0[3];
        for (size_t i = 1; !st && i < nframes; i++) {
            for (int q = 0; q < 6; q++)
                if (fabs(frames[i].iop[q] - r0[q]) > 1e-4) {
                    st = at_error_set(AT_ERR_FORMAT,
                                      "%s: mixed orientations: frame %d has another Image "
                                      "Orientation (Patient) than the rest of the series",
                                      files[frames[i].file].path, frames[i].frame + 1);
                    break;
                }
            for (int q = 0; !st && q < 2; q++)
                if (fabs(frames[i].ps[q] - frames[0].ps[q]) > 1e-4 * frames[0].ps[q])
                    st = at_error_set(AT_ERR_FORMAT, "%s: mixed Pixel Spacing within the series",
                                      files[frames[i].file].path);
        }
        for (size_t i = 0; i < nframes; i++)
            frames[i].dist = frames[i].pos[0] * n[0] + frames[i].pos[1] * n[1] + frames[i].pos[2] * n[2];
        qsort(frames, nframes, sizeof *frames, cmp_dist);
    }
    /* even spacing along the normal, slices stacked without shear */
    double dz = 0;
    if (!st && nframes > 1) {
        double *d = at_malloc((nframes - 1) * sizeof *d);
        if (!d)
            st = AT_ERR_NOMEM;
        for (size_t i = 0; !st && i + 1 < nframes; i++) {
            d[i] = frames[i + 1].dist - frames[i].dist;
            if (d[i] < 1e-3)
                st = at_error_set(AT_ERR_FORMAT,
                                  "%s: two frames at the same position (%s and %s): duplicate slice", dir,
                                  files[frames[i].file].path, files[frames[i + 1].file].path);
        }
        if (!st) {
            double *sorted = at_malloc((nframes - 1) * sizeof *sorted);
            if (!sorted)
                st = AT_ERR_NOMEM;
            else {
                memcpy(sorted, d, (nframes - 1) * sizeof *d);
                for (size_t a = 1; a < nframes - 1; a++) /* insertion sort: few thousand at most */
                    for (size_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
                        double t = sorted[b];
                        sorted[b] = sorted[b - 1];
                        sorted[b - 1] = t;
                    }
                dz = sorted[(nframes - 1) / 2];
                at_free(sorted);
            }
        }
        for (size_t i = 0; !st && i + 1 < nframes; i++) {
            if (fabs(d[i] - dz) <= 0.01 * dz + 1e-3)
                continue;
            double gap = d[i] / dz;
            if (gap > 1.5)
                st = at_error_set(AT_ERR_FORMAT,
                                  "%s: missing slice: %.3f mm between slices %zu and %zu where the "
                                  "series spacing is %.3f mm (about %.0f slice(s) absent)",
                                  dir, d[i], i + 1, i + 2, dz, gap - 1);
            else
                st = at_error_set(AT_ERR_FORMAT,
                                  "%s: uneven slice spacing: %.3f mm between slices %zu and %zu, "
                                  "%.3f mm elsewhere",
                                  dir, d[i], i + 1, i + 2, dz);
        }
        for (size_t i = 1; !st && i < nframes; i++) {
            double off[3], along = frames[i].dist - frames[0].dist, shear = 0;
            for (int q = 0; q < 3; q++) {
                off[q] = frames[i].pos[q] - frames[0].pos[q] - along * n[q];
                shear += off[q] * off[q];
            }
            if (sqrt(shear) > 0.01 + 1e-3 * fabs(along))
                st = at_error_set(AT_ERR_UNSUPPORTED,
                                  "%s: slices are not stacked along the slice normal (gantry tilt "
                                  "or mixed stacks); not supported",
                                  dir);
        }
        at_free(d);
    }
    if (!st) {
        if (nframes == 1)
            dz = frames[0].thickness > 0 ? frames[0].thickness : 1.0;
        at_grid g;
        memset(&g, 0, sizeof g);
        g.dim[0] = cols;
        g.dim[1] = rows;
        g.dim[2] = (int)nframes;
        g.spacing[0] = frames[0].ps[1]; /* column spacing: along a row */
        g.spacing[1] = frames[0].ps[0]; /* row spacing: down a column */
        g.spacing[2] = dz;
        for (int q = 0; q < 3; q++) {
            g.direction[q * 3 + 0] = frames[0].iop[q];
            g.direction[q * 3 + 1] = frames[0].iop[3 + q];
            g.direction[q * 3 + 2] = n[q];
            g.origin[q] = frames[0].pos[q];
        }
        st = at_volume_new(&g, 0.0f, &v);
        if (st)
            at_error_prefix(st, "%s", dir);
    }
    for (size_t i = 0; !st && i < nframes; i++)
        st = frame_pixels(&files[frames[i].file], &frames[i], rows, cols, v->data + i * (size_t)rows * cols);
    if (!st && info) {
        const at_dcm_dataset *ds = files[0].file->dataset;
        memset(info, 0, sizeof *info);
        info_string(ds, TAG_MODALITY, info->modality, sizeof info->modality);
        info_string(ds, TAG_PATIENT_ID, info->patient_id, sizeof info->patient_id);
        info_string(ds, TAG_STUDY_UID, info->study_uid, sizeof info->study_uid);
        info_string(ds, TAG_SERIES_UID, info->series_uid, sizeof info->series_uid);
        info_string(ds, TAG_FOR_UID, info->frame_of_reference_uid, sizeof info->frame_of_reference_uid);
        info_string(ds, TAG_SERIES_DESCRIPTION, info->series_description, sizeof info->series_description);
        info_string(ds, AT_TAG(0x0010, 0x0010), info->patient_name, sizeof info->patient_name);
        info_string(ds, AT_TAG(0x0010, 0x0030), info->patient_birth_date, sizeof info->patient_birth_date);
        info_string(ds, AT_TAG(0x0010, 0x0040), info->patient_sex, sizeof info->patient_sex);
        info_string(ds, AT_TAG(0x0008, 0x0020), info->study_date, sizeof info->study_date);
        info_string(ds, AT_TAG(0x0008, 0x0030), info->study_time, sizeof info->study_time);
        info_string(ds, AT_TAG(0x0020, 0x0010), info->study_id, sizeof info->study_id);
        info_string(ds, AT_TAG(0x0008, 0x0050), info->accession_number, sizeof info->accession_number);
        info->slices = (int)nframes;
        info->multiframe = multiframe;
    }
    for (size_t i = 0; i < nfiles; i++) {
        at_free(files[i].path);
        at_dcm_file_free(files[i].file);
    }
    for (size_t i = 0; i < npaths; i++)
        at_free(paths[i]);
    at_free(paths);
    at_free(files);
    at_free(frames);
    if (st) {
        at_volume_free(v);
        return st;
    }
    *out = v;
    return AT_OK;
}

at_status at_volume_load(const char *path, at_volume **out, at_series_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
    if (at_path_is_dir(path))
        return at_series_read(path, NULL, out, info);
    return at_nifti_read(path, out);
}
