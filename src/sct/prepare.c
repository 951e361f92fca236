/* sct prepare: CT/MRI pairs (cohort.c finds them) -> registered,
 * resampled, masked volumes on the CT grid and a manifest with a split by
 * patient, written as OUT.partial-PID and renamed into place. */
#include "sct_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void at_sct_prepare_spec_default(at_sct_prepare_spec *s)
{
    memset(s, 0, sizeof *s);
    s->test = 5;
    s->val = 2;
    s->seed = 1;
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
static at_status prepare_patient(const char *cohort, const sct_pair *pair, const char *outdir,
                                 const at_sct_prepare_spec *o, at_run *run, at_buf *manifest,
                                 const char *split)
{
    const char *name = pair->name;
    char *pd = at_path_join(cohort, name);
    if (!pd)
        return AT_ERR_NOMEM;
    int dicom = at_path_is_dir(pair->ct) && at_path_is_dir(pair->mr);
    at_volume *ct = NULL, *mr = NULL, *mr_on_ct = NULL, *mask = NULL;
    at_series_info ci, mi;
    at_status st = at_volume_load(pair->ct, &ct, &ci);
    if (!st)
        st = at_volume_load(pair->mr, &mr, &mi);
    if (!st && dicom) {
        if (strcmp(ci.patient_id, mi.patient_id))
            st = at_error_set(AT_ERR_ARG,
                              "%s: the CT and the MRI belong to different patients "
                              "(Patient ID differs)",
                              pd);
        else if (!strcmp(ci.modality, "MR") || strcmp(mi.modality, "MR"))
            st = at_error_set(AT_ERR_ARG, "%s: expected a CT series and an MR series", pd);
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
        ro.run = run;
        st = at_register_rigid(ct, mr, &ro, &t, &rep);
        if (st && st != AT_ERR_CANCELLED)
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
        st =
            at_buf_printf(manifest,
                          "%s\n  {\"name\": \"%s\", \"split\": \"%s\", \"registered\": %s, "
                          "\"angles_deg\": [%.4f, %.4f, %.4f], \"translation_mm\": [%.4f, %.4f, "
                          "%.4f], \"mattes_mi\": %.5f}",
                          manifest->data[manifest->len - 1] == '[' ? "" : ",", name, split,
                          o->no_register ? "false" : "true", t.angle[0] * deg, t.angle[1] * deg,
                          t.angle[2] * deg, t.translation[0], t.translation[1], t.translation[2], rep.metric);
    }
    at_free(od);
    at_free(pd);
    at_volume_free(ct);
    at_volume_free(mr);
    at_volume_free(mr_on_ct);
    at_volume_free(mask);
    return st;
}

/* Patients held out of n: count, or the fraction of n when it is above 0
 * (rounded, at least 1); -1 for a value out of range. */
static long held_out(int count, double fraction, size_t n)
{
    if (fraction > 0) {
        if (!(fraction < 1))
            return -1;
        long k = lround(fraction * (double)n);
        return k < 1 ? 1 : k;
    }
    return count < 0 || fraction < 0 ? -1 : count;
}

at_status at_sct_prepare_run(const at_sct_prepare_spec *spec, at_run *run, at_sct_prepare_result *res)
{
    at_sct_prepare_result r;
    memset(&r, 0, sizeof r);
    if (res)
        *res = r;
    if (!run)
        run = at_run_default();
    if (!spec->cohort || !spec->out)
        return at_error_set(AT_ERR_ARG, "sct prepare: a cohort and an output folder are needed");
    char *cohort = NULL, *outp = NULL;
    at_status st = at_run_path(run, spec->cohort, 0, &cohort);
    if (!st)
        st = at_run_path(run, spec->out, 1, &outp);
    sct_out out = {0};
    if (!st)
        st = sct_out_begin(&out, outp, spec->force, 0);
    sct_pair *pairs = NULL;
    size_t n = 0;
    if (!st)
        st = sct_pairs_find(cohort, run, &pairs, &n, &r.skipped);
    long ntest = held_out(spec->test, spec->test_fraction, n),
         nval = held_out(spec->val, spec->val_fraction, n);
    if (!st && (ntest < 0 || nval < 0 || (size_t)ntest + (size_t)nval >= n))
        st = at_error_set(AT_ERR_ARG,
                          "%s: %zu patients with a CT and an MRI; %ld test + %ld validation leave "
                          "none to train on",
                          spec->cohort, n, ntest, nval);
    /* split by patient: a seeded shuffle */
    int *order = st ? NULL : at_malloc((n ? n : 1) * sizeof *order);
    const char **split = st ? NULL : at_malloc((n ? n : 1) * sizeof *split);
    if (!st && (!order || !split))
        st = AT_ERR_NOMEM;
    if (!st) {
        at_rng rng;
        at_rng_seed(&rng, spec->seed);
        for (size_t i = 0; i < n; i++)
            order[i] = (int)i;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)(at_rng_uniform(&rng) * (double)(i + 1));
            if (j > i)
                j = i;
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < n; i++)
            split[order[i]] = (long)i < ntest ? "test" : (long)i < ntest + nval ? "val" : "train";
        st = at_mkdir_p(out.partial, 0755);
    }
    at_buf m;
    at_buf_init(&m, 16u << 20);
    if (!st)
        st = at_buf_printf(&m, "{\"format\": \"atelier-sct-prepared-1\", \"patients\": [");
    if (!st)
        at_run_progress(run, "prepare", 0, n);
    for (size_t i = 0; !st && i < n; i++) {
        st = at_run_check(run, "sct prepare");
        if (!st)
            st = prepare_patient(cohort, &pairs[i], out.partial, spec, run, &m, split[i]);
        if (!st) {
            r.patients++;
            r.train += !strcmp(split[i], "train");
            r.val += !strcmp(split[i], "val");
            r.test += !strcmp(split[i], "test");
            at_run_progress(run, "prepare", i + 1, n);
        }
    }
    if (!st)
        st = at_buf_printf(&m, "\n]}\n");
    if (!st) {
        char *mp = at_path_join(out.partial, "manifest.json");
        st = mp ? at_file_write_atomic(mp, m.data, m.len) : AT_ERR_NOMEM;
        at_free(mp);
    }
    if (!st)
        st = at_run_check(run, "sct prepare");
    if (!st)
        st = sct_out_commit(&out);
    if (st)
        sct_out_abort(&out);
    else if (res)
        *res = r;
    at_buf_free(&m);
    sct_out_free(&out);
    at_free(order);
    at_free(split);
    sct_pairs_free(pairs, n);
    at_free(cohort);
    at_free(outp);
    return st;
}
