/* Helpers shared by the sct pipeline files (not public API). */
#ifndef ATELIER_SCT_INTERNAL_H
#define ATELIER_SCT_INTERNAL_H

#include "atelier/sct.h"

/* ---- output folders (outdir.c) ---- */
/* An output folder being written: OUT.partial-PID beside OUT, renamed
 * into place when complete. */
typedef struct {
    char *out;     /* the folder asked for (owned) */
    char *partial; /* OUT.partial-PID (owned) */
} sct_out;
/* Refuse an existing out (not an empty folder) unless force
 * (AT_ERR_REFUSED),
 * remove the partial folders of runs that are no longer running beside
 * it, and create o->partial (make_dir) or leave it for the caller to
 * create. sct_out_free in every case. */
at_status sct_out_begin(sct_out *o, const char *out, int force, int make_dir);
/* Remove OUT.partial-PID entries (folders or files) beside out whose
 * process is no longer running: what a killed run left. */
void sct_remove_stale(const char *out);
/* Move the partial folder into place (replacing an existing out). */
at_status sct_out_commit(sct_out *o);
/* Remove the partial folder (what a failed or cancelled run wrote). */
void sct_out_abort(sct_out *o);
void sct_out_free(sct_out *o);
/* 1 when path exists (as anything). */
int sct_exists(const char *path);

/* ---- prepared folders ---- */
/* Body mask of the MRI, then robust z-score inside it. */
at_status sct_normalise_mr(at_volume *mr);

typedef struct {
    char name[128];
    char split[8]; /* "train", "val", "test" */
} sct_patient;
/* Read prep_dir/manifest.json. *out owned (at_free). */
at_status sct_manifest_load(const char *prep_dir, sct_patient **out, size_t *count);

/* ---- the cohort of prepare (cohort.c) ---- */
/* Where one patient's CT and MRI are: a DICOM series folder or a NIfTI
 * file each. */
typedef struct {
    char name[128]; /* the patient's folder name */
    char *ct, *mr;  /* owned */
} sct_pair;
/* The pairs of a cohort folder (see at_sct_prepare_run), in byte order of
 * the patients' folder names. *skipped counts the de-identified patients
 * with no CT or no MR series. *out owned (sct_pairs_free). */
at_status sct_pairs_find(const char *cohort, at_run *run, sct_pair **out, size_t *count, size_t *skipped);
void sct_pairs_free(sct_pair *p, size_t n);

/* ---- evaluation ---- */
/* Run the model on a prepared patient and score it; png_path (may be
 * NULL) receives slices MRI | CT | pseudo-CT | error. */
at_status sct_evaluate_patient(at_sct_model *m, const char *prep_dir, const char *name, const char *png_path,
                               at_run *run, at_sct_metrics *out);

#endif
