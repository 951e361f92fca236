/* atelier synth, image part: paired synthetic CT / T1-weighted MRI
 * phantoms of the head or pelvis for teaching and tests. Every value
 * comes from the seed; no real patient is involved. */
#ifndef ATELIER_PHANTOM_H
#define ATELIER_PHANTOM_H

#include "atelier/image.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { AT_PHANTOM_HEAD = 0, AT_PHANTOM_PELVIS = 1 } at_phantom_region;

/* Tissue classes (the label volume uses these values). */
enum {
    AT_TISSUE_AIR = 0,
    AT_TISSUE_SKIN,
    AT_TISSUE_FAT,
    AT_TISSUE_MUSCLE,
    AT_TISSUE_CORTICAL,
    AT_TISSUE_CANCELLOUS,
    AT_TISSUE_GREY,   /* brain grey matter, or pelvic soft tissue (prostate/uterus) */
    AT_TISSUE_WHITE,  /* brain white matter, or bowel wall */
    AT_TISSUE_FLUID,  /* CSF or bladder urine */
    AT_TISSUE_CAVITY, /* sinus air or rectal gas */
    AT_TISSUE_COUNT
};

typedef struct {
    at_phantom_region region;
    uint64_t seed;
    int dim[3];        /* voxels (default head 96x96x72, pelvis 144x96x56) */
    double spacing[3]; /* mm (default 2.5 x 2.5 x 3) */
    int supersample;   /* per axis for partial volume (default 2) */
    int dicom;         /* also write ct_dicom/ and mr_dicom/ series (default 1) */
} at_phantom_options;

/* Defaults for a region (grid sized to hold the largest patient). */
void at_phantom_options_default(at_phantom_options *o, at_phantom_region region);

typedef struct {
    at_volume *ct;     /* HU, clipped to [-1024, 3071] */
    at_volume *mr;     /* T1-like, arbitrary units >= 0 */
    at_volume *labels; /* dominant tissue of each CT voxel (AT_TISSUE_*) */
    at_rigid mr_to_ct; /* the misalignment: a CT point p shows in the MRI at T(p) */
} at_phantom_pair;

/* Render patient number `patient` of the cohort given by o (seed). The
 * volumes are owned by the caller (at_phantom_pair_free). Deterministic. */
at_status at_phantom_render(const at_phantom_options *o, int patient, at_phantom_pair *out);
void at_phantom_pair_free(at_phantom_pair *p);

/* Write a cohort: DIR/patient_NNN/{ct,mr,labels}.nii.gz, truth.json (the
 * misalignment), ct_dicom/ and mr_dicom/ (CT and MR Image Storage series
 * with fake identities; separate studies and frames of reference), plus
 * DIR/cohort.json. progress may be NULL. (at_synth_cohort_run, synth.h,
 * with progress through a function instead of a run.) */
at_status at_phantom_write_cohort(const at_phantom_options *o, int patients, const char *dir,
                                  at_progress_fn progress, void *progress_ud);

#ifdef __cplusplus
}
#endif
#endif
