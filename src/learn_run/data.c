/* A folder of NIfTI pairs as the training loop's dataset (contract in
 * include/atelier/learn_run.h): NAME_input / NAME_target / NAME_mask read
 * through the image module, cut into windows of the config's size. The
 * engine itself reads no file. */
#include "atelier/image.h"
#include "atelier/learn_run.h"
#include "atelier/walk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;                 /* NAME (for messages) */
    at_volume *in, *tgt, *mask; /* mask may be NULL */
    int64_t D, H, W;            /* k, j, i sizes */
    int64_t nz, ny, nx;         /* windows along each axis (nz: slices in 2D) */
    int64_t *zs, *ys, *xs;      /* window starts */
    size_t first;               /* index of this case's first sample */
} data_case;

struct at_learn_data {
    data_case *cases;
    size_t ncases, nsamples;
    int sp, k;    /* spatial axes of the model; 2.5D neighbours (0 otherwise) */
    int64_t size; /* window side */
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* Window starts along an axis of n voxels for windows of w: 0, w, 2w, ...
 * and the last flush with the end; one window at 0 when n <= w. Returns
 * the count; *out owned by the caller. */
static at_status window_starts(int64_t n, int64_t w, int64_t **out, int64_t *count)
{
    int64_t c = n <= w ? 1 : (n + w - 1) / w;
    int64_t *v = at_calloc((size_t)c, sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    for (int64_t i = 0; i < c; i++)
        v[i] = i == c - 1 && n > w ? n - w : i * w;
    *out = v;
    *count = c;
    return AT_OK;
}

/* Read dir/NAME_suffix.nii.gz (or .nii); *out NULL without error when it
 * does not exist and optional. */
static at_status read_part(const char *dir, const char *name, const char *suffix, int optional,
                           at_volume **out)
{
    *out = NULL;
    char file[2048];
    for (int gz = 1; gz >= 0; gz--) {
        snprintf(file, sizeof file, "%s/%s_%s.nii%s", dir, name, suffix, gz ? ".gz" : "");
        FILE *f = fopen(file, "rb");
        if (f) {
            fclose(f);
            return at_nifti_read(file, out);
        }
    }
    if (optional)
        return AT_OK;
    return at_error_set(AT_ERR_NOT_FOUND, "%s: %s_input has no %s_%s.nii.gz beside it", dir, name, name,
                        suffix);
}

/* Check that v holds finite values only (the engine stops on NaN). */
static at_status check_finite(const char *dir, const char *name, const char *suffix, const at_volume *v)
{
    size_t n = at_grid_voxels(&v->grid);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v->data[i]))
            return at_error_set(AT_ERR_FORMAT, "%s/%s_%s: voxel %zu is %s; fix or mask the data", dir, name,
                                suffix, i, isnan(v->data[i]) ? "NaN" : "infinite");
    return AT_OK;
}

static at_status load_case(const char *dir, const at_learn_data *d, data_case *c)
{
    at_status st = read_part(dir, c->name, "input", 0, &c->in);
    if (st == AT_OK)
        st = read_part(dir, c->name, "target", 0, &c->tgt);
    if (st == AT_OK)
        st = read_part(dir, c->name, "mask", 1, &c->mask);
    if (st != AT_OK)
        return st;
    const char *parts[2] = {"target", "mask"};
    at_volume *others[2] = {c->tgt, c->mask};
    for (int i = 0; i < 2; i++)
        if (others[i] && !at_grid_same(&c->in->grid, &others[i]->grid, 1e-3))
            return at_error_set(AT_ERR_FORMAT,
                                "%s/%s_%s: its grid (dimensions or geometry) differs from %s_input's", dir,
                                c->name, parts[i], c->name);
    if ((st = check_finite(dir, c->name, "input", c->in)) != AT_OK ||
        (st = check_finite(dir, c->name, "target", c->tgt)) != AT_OK)
        return st;
    c->W = c->in->grid.dim[0];
    c->H = c->in->grid.dim[1];
    c->D = c->in->grid.dim[2];
    if (d->sp == 3)
        st = window_starts(c->D, d->size, &c->zs, &c->nz);
    else
        st = window_starts(c->D, 1, &c->zs, &c->nz); /* every slice */
    if (st == AT_OK)
        st = window_starts(c->H, d->size, &c->ys, &c->ny);
    if (st == AT_OK)
        st = window_starts(c->W, d->size, &c->xs, &c->nx);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Folders under the data folder are not entered: pairs lie in it. */
static int no_subfolders(void *ud, const char *rel, int is_folder)
{
    (void)ud;
    (void)rel;
    return !is_folder;
}

at_status at_learn_data_load(const char *dir, const at_unet_config *cfg, at_run *run, at_learn_data **out)
{
    *out = NULL;
    if (cfg->out_channels != 1 || (cfg->mode != AT_MODE_25D && cfg->in_channels != 1))
        return at_error_set(AT_ERR_ARG,
                            "data: NIfTI pairs give one input and one target channel; the config "
                            "has in_channels = %d, out_channels = %d",
                            at_unet_input_channels(cfg), cfg->out_channels);
    if (!at_path_is_dir(dir))
        return at_error_set(AT_ERR_IO, "%s: cannot open the data folder", dir);
    at_walk_list w = {0};
    at_walk_options wo = {.skip_hidden = 1, .keep = no_subfolders, .run = run};
    at_status st = at_walk_collect(&w, dir, &wo);
    at_learn_data *d = st == AT_OK ? at_calloc(1, sizeof *d) : NULL;
    char **names = NULL;
    size_t n = 0;
    if (st == AT_OK && (!d || !(names = at_calloc(w.n ? w.n : 1, sizeof *names))))
        st = AT_ERR_NOMEM;
    for (size_t i = 0; st == AT_OK && i < w.n; i++) { /* byte order of the names */
        const char *e = w.v[i].rel;
        const char *suffix = ends_with(e, "_input.nii.gz") ? "_input.nii.gz"
                             : ends_with(e, "_input.nii")  ? "_input.nii"
                                                           : NULL;
        if (!suffix)
            continue;
        if (n == AT_LEARN_DATA_MAX_CASES) {
            st = at_error_set(AT_ERR_LIMIT, "%s: more than %d input files", dir, AT_LEARN_DATA_MAX_CASES);
            break;
        }
        if (!(names[n] = at_strndup(e, strlen(e) - strlen(suffix))))
            st = AT_ERR_NOMEM;
        else
            n++;
    }
    at_walk_list_free(&w);
    if (st == AT_OK && n == 0)
        st = at_error_set(AT_ERR_NOT_FOUND, "%s: no NAME_input.nii.gz files (see docs/learn.md)", dir);
    if (st == AT_OK) {
        qsort(names, n, sizeof *names, cmp_str); /* the stems in byte order */
        for (size_t i = 1; i < n && st == AT_OK; i++)
            if (!strcmp(names[i], names[i - 1]))
                st = at_error_set(AT_ERR_FORMAT, "%s: both %s_input.nii and %s_input.nii.gz", dir, names[i],
                                  names[i]);
    }
    if (st == AT_OK && !(d->cases = at_calloc(n ? n : 1, sizeof *d->cases)))
        st = AT_ERR_NOMEM;
    if (st == AT_OK) {
        d->sp = cfg->mode == AT_MODE_3D ? 3 : 2;
        d->k = cfg->mode == AT_MODE_25D ? cfg->neighbours : 0;
        d->size = cfg->size;
    }
    size_t voxels = 0;
    for (size_t i = 0; i < n; i++) {
        if (st == AT_OK)
            st = at_run_check(run, "data");
        if (st != AT_OK) {
            at_free(names[i]);
            continue;
        }
        data_case *c = &d->cases[d->ncases++];
        c->name = names[i];
        st = load_case(dir, d, c);
        if (st == AT_OK) {
            voxels += at_grid_voxels(&c->in->grid);
            c->first = d->nsamples;
            d->nsamples += (size_t)(c->nz * c->ny * c->nx);
            if (voxels > AT_LEARN_DATA_MAX_VOXELS)
                st = at_error_set(AT_ERR_LIMIT, "%s: more than %zu voxels in all", dir,
                                  AT_LEARN_DATA_MAX_VOXELS);
        }
    }
    at_free(names);
    if (st != AT_OK) {
        at_learn_data_free(d);
        return st;
    }
    *out = d;
    return AT_OK;
}

void at_learn_data_free(at_learn_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ncases; i++) {
        data_case *c = &d->cases[i];
        at_free(c->name);
        at_volume_free(c->in);
        at_volume_free(c->tgt);
        at_volume_free(c->mask);
        at_free(c->zs);
        at_free(c->ys);
        at_free(c->xs);
    }
    at_free(d->cases);
    at_free(d);
}

size_t at_learn_data_count(const at_learn_data *d)
{
    return d ? d->nsamples : 0;
}
size_t at_learn_data_cases(const at_learn_data *d)
{
    return d ? d->ncases : 0;
}

at_status at_learn_data_get(const at_learn_data *d, size_t index, float *input, float *target, float *mask)
{
    if (index >= d->nsamples)
        return at_error_set(AT_ERR_ARG, "data: sample %zu of %zu", index, d->nsamples);
    size_t lo = 0, hi = d->ncases; /* the last case whose first sample is <= index */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->cases[mid].first <= index)
            lo = mid;
        else
            hi = mid;
    }
    const data_case *c = &d->cases[lo];
    int64_t r = (int64_t)(index - c->first), per = c->ny * c->nx;
    int64_t z0 = c->zs[r / per], y0 = c->ys[(r % per) / c->nx], x0 = c->xs[r % c->nx];
    int64_t S = d->size, wd = d->sp == 3 ? S : 1, chans = 2 * d->k + 1;
    size_t win = (size_t)(wd * S * S);
    for (int64_t ch = 0; ch < chans; ch++)
        for (int64_t dz = 0; dz < wd; dz++)
            for (int64_t y = 0; y < S; y++)
                for (int64_t x = 0; x < S; x++) {
                    int64_t z = z0 + dz, yy = y0 + y, xx = x0 + x;
                    size_t o = (size_t)((dz * S + y) * S + x);
                    int inside = z < c->D && yy < c->H && xx < c->W;
                    int64_t zn = z + ch - d->k; /* 2.5D neighbour, repeated at the ends */
                    zn = zn < 0 ? 0 : zn >= c->D ? c->D - 1 : zn;
                    size_t vi = ((size_t)zn * (size_t)c->H + (size_t)yy) * (size_t)c->W + (size_t)xx;
                    input[(size_t)ch * win + o] = inside ? c->in->data[vi] : 0.0f;
                    if (ch != d->k)
                        continue;
                    target[o] = inside ? c->tgt->data[vi] : 0.0f;
                    mask[o] = inside && (!c->mask || c->mask->data[vi] > 0.5f) ? 1.0f : 0.0f;
                }
    return AT_OK;
}
