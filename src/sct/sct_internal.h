/* Helpers shared by the sct pipeline files (not public API). */
#ifndef ATELIER_SCT_INTERNAL_H
#define ATELIER_SCT_INTERNAL_H

#include "atelier/sct.h"

/* Remove a folder we wrote (two levels at most). */
void sct_remove_tree(const char *path);
/* "DIR.partial-PID" beside dir. Owned by caller. */
char *sct_partial_name(const char *dir);
/* Body mask of the MRI, then robust z-score inside it. */
at_status sct_normalise_mr(at_volume *mr);

typedef struct {
    char name[128];
    char split[8]; /* "train", "val", "test" */
} sct_patient;
/* Read prep_dir/manifest.json. *out owned (at_free). */
at_status sct_manifest_load(const char *prep_dir, sct_patient **out, size_t *count);

/* Run the model on a prepared patient and score it; png_path (may be
 * NULL) receives slices MRI | CT | pseudo-CT | error. */
at_status sct_evaluate_patient(at_sct_model *m, const char *prep_dir, const char *name,
                               const char *png_path, at_sct_metrics *out);

#endif
