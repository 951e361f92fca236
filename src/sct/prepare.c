/* sct prepare: CT/MRI pairs -> registered, resampled, masked volumes on
 * the CT grid and a manifest with a split by patient. */
#include "atelier/sct.h"
#include "sct_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sct_remove_tree(const char *path) { at_remove_tree(path); }

char *sct_partial_name(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    char *tmp = at_malloc(n + 32);
    if (tmp)
        snprintf(tmp, n + 32, "%.*s.partial-%ld", (int)n, dir, (long)getpid());
    return tmp;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int exists(const char *dir, const char *name, int want_dir)
{
    char *p = at_path_join(dir, name);
    struct stat sb;
    int ok = p && !stat(p, &sb) && (want_dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode));
    at_free(p);
    return ok;
}

/* Patient folders (sorted names) holding a CT and an MRI. */
static at_status list_patients(const char *dir, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return at_error_set(AT_ERR_IO, "%s: cannot open the folder", dir);
    size_t cap = 16, n = 0;
    char **out = at_malloc(cap * sizeof *out);
    struct dirent *e;
    at_status st = out ? AT_OK : AT_ERR_NOMEM;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = at_path_join(dir, e->d_name);
        if (!p) {
            st = AT_ERR_NOMEM;
            break;
        }
        int ok = at_path_is_dir(p) && ((exists(p, "ct_dicom", 1) && exists(p, "mr_dicom", 1)) ||
                                       (exists(p, "ct.nii.gz", 0) && exists(p, "mr.nii.gz", 0)));
        at_free(p);
        if (!ok)
            continue;
        if (n == 10000) {
            st = at_error_set(AT_ERR_LIMIT, "%s: more than 10000 patients", dir);
            break;
        }
        if (n == cap) {
            char **no = at_realloc(out, 2 * cap * sizeof *out);
            if (!no) {
                st = AT_ERR_NOMEM;
                break;
            }
            out = no;
            cap *= 2;
        }
        out[n] = at_strdup(e->d_name);
        if (!out[n]) {
            st = AT_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (st) {
        for (size_t i = 0; i < n; i++)
            at_free(out[i]);
        at_free(out);
        return st;
    }
    qsort(out, n, sizeof *out, cmp_str);
    *names = out;
    *count = n;
    return AT_OK;
}

at_status sct_normalise_mr(at_volume *mr)
{
    at_volume *mask;
    at_status st = at_volume_body_mask(mr, 2, &mask);
    if (st)
        return st;
    st = at_volume_normalise_mri(mr, mask, AT_SCT_MR_PLOW, AT_SCT_MR_PHIGH);
    at_volume_free(mask);
    return st;
}

/* One patient: load, check, register, resample, mask; write three files. */
static at_status prepare_patient(const char *cohort, const char *name, const char *outdir,
                                 const at_sct_prepare_options *o, at_buf *manifest, const char *split)
{
    char *pd = at_path_join(cohort, name);
    if (!pd)
        return AT_ERR_NOMEM;
    int dicom = exists(pd, "ct_dicom", 1) && exists(pd, "mr_dicom", 1);
    char *ctp = at_path_join(pd, dicom ? "ct_dicom" : "ct.nii.gz");
    char *mrp = at_path_join(pd, dicom ? "mr_dicom" : "mr.nii.gz");
    at_volume *ct = NULL, *mr = NULL, *mr_on_ct = NULL, *mask = NULL;
    at_series_info ci, mi;
    at_status st = (!ctp || !mrp) ? AT_ERR_NOMEM : AT_OK;
    if (!st)
        st = at_volume_load(ctp, &ct, &ci);
    if (!st)
        st = at_volume_load(mrp, &mr, &mi);
    if (!st && dicom) {
        if (strcmp(ci.patient_id, mi.patient_id))
            st = at_error_set(AT_ERR_ARG, "%s: the CT and the MRI belong to different patients "
                                          "(Patient ID differs)",
                              pd);
        else if (!strcmp(ci.modality, "MR") || strcmp(mi.modality, "MR"))
            st = at_error_set(AT_ERR_ARG, "%s: expected a CT series in ct_dicom and an MR series "
                                          "in mr_dicom",
                              pd);
        else if (o->no_register && strcmp(ci.frame_of_reference_uid, mi.frame_of_reference_uid))
            st = at_error_set(AT_ERR_ARG,
                              "%s: the CT and the MRI have different frames of reference and "
                              "registration was not asked for (drop --no-register)",
                              pd);
    }
    at_rigid t;
    at_rigid_identity(&t);
    at_register_report rep = {0, 0};
    if (!st && !o->no_register) {
        at_register_options ro;
        at_register_options_default(&ro);
        st = at_register_rigid(ct, mr, &ro, &t, &rep);
        if (st)
            at_error_prefix(st, "%s", pd);
    }
    if (!st)
        st = at_volume_resample(mr, &ct->grid, o->no_register ? NULL : &t, AT_INTERP_BSPLINE3, 0.0f,
                                &mr_on_ct);
    if (!st) {
        for (size_t i = 0; i < at_grid_voxels(&mr_on_ct->grid); i++)
            if (mr_on_ct->data[i] < 0)
                mr_on_ct->data[i] = 0; /* B-spline undershoot in the air */
        st = sct_normalise_mr(mr_on_ct);
        if (st)
            at_error_prefix(st, "%s: the MRI", pd);
    }
    if (!st) {
        at_volume_clip(ct, -1024.0f, 3071.0f);
        st = at_volume_body_mask(ct, 2, &mask);
    }
    if (!st) {
        size_t body = 0, n = at_grid_voxels(&mask->grid);
        for (size_t i = 0; i < n; i++)
            body += mask->data[i] > 0.5f;
        if (body == 0)
            st = at_error_set(AT_ERR_ARG, "%s: the CT's body mask is empty (a uniform image?)", pd);
    }
    char *od = st ? NULL : at_path_join(outdir, name);
    if (!st && !od)
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_mkdir_p(od, 0755);
    const char *fn[3] = {"ct.nii.gz", "mr.nii.gz", "mask.nii.gz"};
    const at_volume *vols[3] = {ct, mr_on_ct, mask};
    for (int i = 0; !st && i < 3; i++) {
        char *p = at_path_join(od, fn[i]);
        st = p ? at_nifti_write(vols[i], p) : AT_ERR_NOMEM;
        at_free(p);
    }
    if (!st) {
        const double deg = 180.0 / M_PI;
        st = at_buf_printf(manifest,
                           "%s\n  {\"name\": \"%s\", \"split\": \"%s\", \"registered\": %s, "
                           "\"angles_deg\": [%.4f, %.4f, %.4f], \"translation_mm\": [%.4f, %.4f, "
                           "%.4f], \"mattes_mi\": %.5f}",
                           manifest->data[manifest->len - 1] == '[' ? "" : ",", name, split,
                           o->no_register ? "false" : "true", t.angle[0] * deg, t.angle[1] * deg,
                           t.angle[2] * deg, t.translation[0], t.translation[1], t.translation[2],
                           rep.metric);
    }
    at_free(od);
    at_free(pd);
    at_free(ctp);
    at_free(mrp);
    at_volume_free(ct);
    at_volume_free(mr);
    at_volume_free(mr_on_ct);
    at_volume_free(mask);
    return st;
}

at_status at_sct_prepare(const char *cohort_dir, const char *out_dir, const at_sct_prepare_options *o)
{
    struct stat sb;
    if (!stat(out_dir, &sb))
        return at_error_set(AT_ERR_ARG, "%s: already exists; prepare writes a new folder", out_dir);
    char **names;
    size_t n;
    at_status st = list_patients(cohort_dir, &names, &n);
    if (st)
        return st;
    if (o->test < 0 || o->val < 0 || (size_t)(o->test + o->val) >= n) {
        for (size_t i = 0; i < n; i++)
            at_free(names[i]);
        at_free(names);
        return at_error_set(AT_ERR_ARG,
                            "%s: %zu patients with a CT and an MRI; %d test + %d validation leave "
                            "none to train on",
                            cohort_dir, n, o->test, o->val);
    }
    /* split by patient: a seeded shuffle */
    int *order = at_malloc(n * sizeof *order);
    const char **split = at_malloc(n * sizeof *split);
    char *tmp = sct_partial_name(out_dir);
    if (!order || !split || !tmp)
        st = AT_ERR_NOMEM;
    if (!st) {
        at_rng r;
        at_rng_seed(&r, o->seed);
        for (size_t i = 0; i < n; i++)
            order[i] = (int)i;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)(at_rng_uniform(&r) * (double)(i + 1));
            if (j > i)
                j = i;
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < n; i++)
            split[order[i]] = (int)i < o->test ? "test" : (int)i < o->test + o->val ? "val" : "train";
        sct_remove_tree(tmp);
        st = at_mkdir_p(tmp, 0755);
    }
    at_buf m;
    at_buf_init(&m, 16u << 20);
    if (!st)
        st = at_buf_printf(&m, "{\"format\": \"atelier-sct-prepared-1\", \"patients\": [");
    for (size_t i = 0; !st && i < n; i++) {
        st = prepare_patient(cohort_dir, names[i], tmp, o, &m, split[i]);
        if (o->progress)
            o->progress(o->progress_ud, i + 1, n, "patients");
    }
    if (!st)
        st = at_buf_printf(&m, "\n]}\n");
    if (!st) {
        char *mp = at_path_join(tmp, "manifest.json");
        st = mp ? at_file_write_atomic(mp, m.data, m.len) : AT_ERR_NOMEM;
        at_free(mp);
    }
    if (!st && rename(tmp, out_dir) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot move the prepared folder into place: %s", out_dir,
                          strerror(errno));
    if (st && tmp)
        sct_remove_tree(tmp);
    at_buf_free(&m);
    at_free(tmp);
    at_free(order);
    at_free(split);
    for (size_t i = 0; i < n; i++)
        at_free(names[i]);
    at_free(names);
    return st;
}
