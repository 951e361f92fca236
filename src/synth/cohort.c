/* Writing a synthetic cohort of paired CT/MRI phantoms to a folder
 * (at_synth_cohort_run). The cohort is built in a sibling folder
 * "<dir>.partial-<pid>" and renamed into place, so a cancelled or failed
 * run leaves no partial cohort; one that a killed run left is removed by
 * the next. */
#include "atelier/phantom.h"
#include "atelier/synth.h"
#include "atelier/walk.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static at_status write_truth(const char *path, const at_phantom_pair *p, const at_phantom_options *o,
                             int patient)
{
    at_buf b;
    at_buf_init(&b, 4096);
    const double deg = 180.0 / M_PI;
    const at_rigid *t = &p->mr_to_ct;
    at_status st = at_buf_printf(
        &b,
        "{\"patient\": %d, \"region\": \"%s\", \"seed\": %llu,\n"
        " \"mr_to_ct\": {\"transform\": \"EulerTransform (ITK, ComputeZYX false), CT point -> MR "
        "point\",\n  \"angles_deg\": [%.6f, %.6f, %.6f],\n  \"translation_mm\": [%.6f, %.6f, %.6f],\n"
        "  \"centre_mm\": [%.6f, %.6f, %.6f]}}\n",
        patient, o->region == AT_PHANTOM_HEAD ? "head" : "pelvis", (unsigned long long)o->seed,
        t->angle[0] * deg, t->angle[1] * deg, t->angle[2] * deg, t->translation[0], t->translation[1],
        t->translation[2], t->centre[0], t->centre[1], t->centre[2]);
    if (!st)
        st = at_file_write_atomic(path, b.data, b.len);
    at_buf_free(&b);
    return st;
}

/* The pair as two DICOM series with made-up identities. */
static at_status write_dicom(const at_phantom_pair *p, const at_phantom_options *o, int patient,
                             const char *pd)
{
    char name[64], id[64], birth[16], seed[128], study_id[16];
    at_rng r;
    at_rng_seed(&r, o->seed * 31 + (uint64_t)patient);
    snprintf(name, sizeof name, "PHANTOM^%s%03d", o->region == AT_PHANTOM_HEAD ? "HEAD" : "PELVIS", patient);
    snprintf(id, sizeof id, "SYN%llu-%03d", (unsigned long long)o->seed, patient);
    snprintf(birth, sizeof birth, "19%02d%02d%02d", 40 + (int)(at_rng_next(&r) % 50),
             1 + (int)(at_rng_next(&r) % 12), 1 + (int)(at_rng_next(&r) % 28));
    snprintf(study_id, sizeof study_id, "%d", patient + 1);
    const char *sex = at_rng_next(&r) % 2 ? "F" : "M";
    if (o->region == AT_PHANTOM_PELVIS)
        sex = "M";
    at_series_write_options w;
    memset(&w, 0, sizeof w);
    w.patient_name = name;
    w.patient_id = id;
    w.patient_birth_date = birth;
    w.patient_sex = sex;
    w.study_id = study_id;
    w.manufacturer = "atelier phantom";
    const char *kinds[2] = {"ct", "mr"};
    const at_volume *vols[2] = {p->ct, p->mr};
    at_status st = AT_OK;
    for (int i = 0; !st && i < 2; i++) {
        snprintf(seed, sizeof seed, "cohort/%s/%llu/%d/%s", o->region == AT_PHANTOM_HEAD ? "head" : "pelvis",
                 (unsigned long long)o->seed, patient, kinds[i]);
        w.uid_seed = seed;
        w.modality = i ? "MR" : "CT";
        w.series_description = i ? "T1 3D phantom" : "CT planning phantom";
        w.series_number = i + 1;
        w.study_date = i ? "20240312" : "20240305";
        w.study_time = i ? "101500" : "093000";
        char sub[16];
        snprintf(sub, sizeof sub, "%s_dicom", kinds[i]);
        char *dir = at_path_join(pd, sub);
        if (!dir)
            return AT_ERR_NOMEM;
        st = at_series_write(vols[i], &w, dir);
        at_free(dir);
    }
    return st;
}

static at_status write_patient(const at_phantom_options *o, int patient, const char *dir)
{
    at_phantom_pair p;
    at_status st = at_phantom_render(o, patient, &p);
    if (st)
        return st;
    char name[64];
    snprintf(name, sizeof name, "patient_%03d", patient);
    char *pd = at_path_join(dir, name);
    char *ct = pd ? at_path_join(pd, "ct.nii.gz") : NULL;
    char *mr = pd ? at_path_join(pd, "mr.nii.gz") : NULL;
    char *lb = pd ? at_path_join(pd, "labels.nii.gz") : NULL;
    char *tr = pd ? at_path_join(pd, "truth.json") : NULL;
    if (!pd || !ct || !mr || !lb || !tr)
        st = AT_ERR_NOMEM;
    if (!st)
        st = at_mkdir_p(pd, 0755);
    if (!st)
        st = at_nifti_write(p.ct, ct);
    if (!st)
        st = at_nifti_write(p.mr, mr);
    if (!st)
        st = at_nifti_write(p.labels, lb);
    if (!st)
        st = write_truth(tr, &p, o, patient);
    if (!st && o->dicom)
        st = write_dicom(&p, o, patient, pd);
    at_free(pd);
    at_free(ct);
    at_free(mr);
    at_free(lb);
    at_free(tr);
    at_phantom_pair_free(&p);
    return st;
}

at_status at_synth_cohort_run(const at_synth_cohort_spec *spec, at_run *run, at_synth_cohort_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->outdir)
        return at_error_set(AT_ERR_ARG, "at_synth_cohort_run: missing argument");
    if (!run)
        run = at_run_default();
    const at_phantom_options *o = &spec->options;
    int patients = spec->patients;
    if (patients < 1 || patients > 10000)
        return at_error_set(AT_ERR_ARG, "patients must be 1..10000");
    char *dir = NULL;
    at_status st = at_run_path(run, spec->outdir, 1, &dir);
    if (st)
        return st;
    struct stat sb;
    int replace = 0;
    if (!stat(dir, &sb)) {
        if (S_ISDIR(sb.st_mode) && rmdir(dir) == 0)
            ; /* an empty folder: taken */
        else if (S_ISDIR(sb.st_mode) && spec->replace)
            replace = 1; /* swapped for the new cohort once it is whole */
        else {
            st = at_error_set(AT_ERR_REFUSED, "%s: exists and is not an empty folder; nothing was written",
                              dir);
            at_free(dir);
            return st;
        }
    }
    /* what an interrupted run left beside it goes first */
    st = at_walk_remove_partials(dir, &result->debris_removed);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    char *tmp = st ? NULL : at_malloc(n + 32), *old = st ? NULL : at_malloc(n + 32);
    if (!st && (!tmp || !old))
        st = AT_ERR_NOMEM;
    if (!st) {
        snprintf(tmp, n + 32, "%.*s.partial-%ld", (int)n, dir, (long)getpid());
        snprintf(old, n + 32, "%.*s.partial-%ld.old", (int)n, dir, (long)getpid());
        at_remove_tree(tmp);
        st = at_mkdir_p(tmp, 0755);
    }
    if (!st)
        at_run_progress(run, "patients", 0, (uint64_t)patients);
    for (int i = 0; !st && i < patients; i++) {
        if ((st = at_run_check(run, "synth cohort")))
            at_error_set(st, "synth cohort: cancelled after %d of %d patients; nothing was kept", i,
                         patients);
        else if (!(st = write_patient(o, i, tmp)))
            at_run_progress(run, "patients", (uint64_t)i + 1, (uint64_t)patients);
    }
    if (!st) {
        at_buf b;
        at_buf_init(&b, 4096);
        st = at_buf_printf(&b,
                           "{\"generator\": \"atelier synth cohort\", \"region\": \"%s\", "
                           "\"patients\": %d, \"seed\": %llu,\n \"dim\": [%d, %d, %d], "
                           "\"spacing_mm\": [%g, %g, %g],\n \"files\": [\"ct.nii.gz\", "
                           "\"mr.nii.gz\", \"labels.nii.gz\", \"truth.json\"]}\n",
                           o->region == AT_PHANTOM_HEAD ? "head" : "pelvis", patients,
                           (unsigned long long)o->seed, o->dim[0], o->dim[1], o->dim[2], o->spacing[0],
                           o->spacing[1], o->spacing[2]);
        char *cj = at_path_join(tmp, "cohort.json");
        if (!st)
            st = cj ? at_file_write_atomic(cj, b.data, b.len) : AT_ERR_NOMEM;
        at_free(cj);
        at_buf_free(&b);
    }
    if (!st && replace && rename(dir, old) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot move the old cohort aside: %s", dir, strerror(errno));
    if (!st && rename(tmp, dir) != 0) {
        st = at_error_set(AT_ERR_IO, "%s: cannot rename the finished cohort into place: %s", dir,
                          strerror(errno));
        if (replace)
            rename(old, dir); /* the old one back */
    }
    if (!st && replace)
        at_remove_tree(old);
    if (st && tmp)
        at_remove_tree(tmp);
    if (!st)
        result->patients = (size_t)patients;
    at_free(tmp);
    at_free(old);
    at_free(dir);
    return st;
}

/* The cohort as it was written before the run context. */
typedef struct {
    at_progress_fn fn;
    void *ud;
} progress_to_fn;

static void progress_adapter(void *ud, const at_run_event *ev)
{
    const progress_to_fn *a = ud;
    a->fn(a->ud, ev->step, ev->total, "patients");
}

at_status at_phantom_write_cohort(const at_phantom_options *o, int patients, const char *dir,
                                  at_progress_fn progress, void *progress_ud)
{
    at_synth_cohort_spec spec = {.outdir = dir, .options = *o, .patients = patients};
    at_run run;
    at_run_init(&run);
    progress_to_fn a = {progress, progress_ud};
    if (progress) {
        run.progress = progress_adapter;
        run.progress_ud = &a;
    }
    at_synth_cohort_result res;
    return at_synth_cohort_run(&spec, &run, &res);
}
