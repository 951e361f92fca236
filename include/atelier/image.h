/* atelier image: 3D volumes in patient coordinates, NIfTI-1 input and
 * output, resampling, body masks, intensity normalisation and rigid
 * registration (Euler 3D, Mattes mutual information).
 *
 * Geometry follows DICOM: patient coordinates are LPS millimetres; voxel
 * (i,j,k) lies at origin + D * diag(spacing) * (i,j,k), where column c of
 * the direction matrix D (row-major, D[r*3+c]) is the unit vector of index
 * axis c. NIfTI files are RAS: the reader and writer convert. */
#ifndef ATELIER_IMAGE_H
#define ATELIER_IMAGE_H

#include "atelier/core.h"
#include "atelier/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Documented ceilings for untrusted input. */
#define AT_IMAGE_MAX_DIM 4096                 /* per axis */
#define AT_IMAGE_MAX_VOXELS ((size_t)1 << 30) /* per volume (4 GiB of f32) */

typedef struct {
    int dim[3];          /* voxels along i, j, k (i fastest in data) */
    double spacing[3];   /* mm, > 0 */
    double origin[3];    /* LPS mm of voxel (0,0,0) */
    double direction[9]; /* row-major; column c = unit vector of axis c in LPS */
} at_grid;

typedef struct {
    at_grid grid;
    float *data; /* owned; dim[0]*dim[1]*dim[2] voxels */
} at_volume;

/* ---- grids and volumes ---- */
/* A grid with identity direction, origin 0. */
void at_grid_init(at_grid *g, int nx, int ny, int nz, double sx, double sy, double sz);
size_t at_grid_voxels(const at_grid *g);
/* Check dims, spacing and that direction is orthonormal (tolerance 1e-3). */
at_status at_grid_validate(const at_grid *g);
/* Continuous index -> LPS point, and back. */
void at_grid_index_to_point(const at_grid *g, const double ijk[3], double p[3]);
void at_grid_point_to_index(const at_grid *g, const double p[3], double ijk[3]);
/* 4x4 row-major affine index -> LPS (or -> RAS with ras=1). */
void at_grid_affine(const at_grid *g, int ras, double m[16]);
/* Build a grid from an index -> LPS affine (columns give spacing and
 * direction; non-orthogonal columns are rejected). */
at_status at_grid_from_affine(at_grid *g, const int dim[3], const double m[16]);
/* 1 if both grids have the same dims and geometry within tol mm / 1e-4. */
int at_grid_same(const at_grid *a, const at_grid *b, double tol);

/* New volume on grid g, filled with value. *out owned by caller
 * (at_volume_free). */
at_status at_volume_new(const at_grid *g, float value, at_volume **out);
at_status at_volume_clone(const at_volume *v, at_volume **out);
void at_volume_free(at_volume *v);
static inline size_t at_volume_index(const at_volume *v, int i, int j, int k)
{
    return ((size_t)k * (size_t)v->grid.dim[1] + (size_t)j) * (size_t)v->grid.dim[0] + (size_t)i;
}

/* ---- NIfTI-1 ---- */
/* Read a .nii or .nii.gz (3D; a 4D file with one volume is accepted) as
 * float, scl_slope/inter applied. Geometry from sform when its code is
 * set, else qform, else pixdim only; converted from RAS to LPS. */
at_status at_nifti_read(const char *path, at_volume **out);
/* Write v as NIfTI-1 float32 (gzip when path ends in .gz), qform and
 * sform both set (code 1, scanner), atomically. */
at_status at_nifti_write(const at_volume *v, const char *path);
/* Same from memory (the fuzz entry point); name is used in messages. */
at_status at_nifti_read_memory(const unsigned char *data, size_t len, const char *name, at_volume **out);

/* ---- intensity ---- */
void at_volume_clip(at_volume *v, float lo, float hi);
/* Value at fraction q in [0,1] of the voxels where mask > 0.5 (all when
 * mask NULL); exact order statistic with linear interpolation. */
at_status at_volume_percentile(const at_volume *v, const at_volume *mask, double q, double *out);
/* Robust z-score for MRI: clip to the plo/phi percentiles inside mask,
 * then subtract the mean and divide by the sd of the clipped values in
 * the mask; voxels outside the mask become the normalised low clip. */
at_status at_volume_normalise_mri(at_volume *v, const at_volume *mask, double plo, double phi);
/* Otsu threshold over a 256-bin histogram of v. */
double at_volume_otsu(const at_volume *v);
/* Body mask: Otsu threshold, hole filling, largest 6-connected component
 * (so a shell such as the scalp around a dark skull keeps what it
 * encloses), closing with a cube of the given radius (voxels), hole
 * filling in 3D and per axial slice. Output 0/1 on v's grid. */
at_status at_volume_body_mask(const at_volume *v, int closing_radius, at_volume **out);

/* ---- rigid transforms ---- */
/* ITK's Euler3DTransform (ComputeZYX off): x -> R (x - c) + c + t with
 * R = Rz * Rx * Ry; angles in radians, LPS millimetres. Maps fixed-image
 * points to moving-image points. */
typedef struct {
    double angle[3]; /* about x, y, z */
    double translation[3];
    double centre[3];
} at_rigid;
void at_rigid_identity(at_rigid *t);
void at_rigid_matrix(const at_rigid *t, double r[9]);
void at_rigid_apply(const at_rigid *t, const double p[3], double q[3]);

/* ---- resampling ---- */
typedef enum { AT_INTERP_NEAREST, AT_INTERP_LINEAR, AT_INTERP_BSPLINE3 } at_interp;
/* Resample src onto grid target: each target voxel at point p takes
 * src(T(p)) (T NULL: identity); outside src gives fill. *out owned. */
at_status at_volume_resample(const at_volume *src, const at_grid *target, const at_rigid *t, at_interp interp,
                             float fill, at_volume **out);
/* Gaussian smoothing with sigma in mm along each axis (separable). */
at_status at_volume_smooth(at_volume *v, double sigma_mm);

/* ---- registration ---- */
typedef struct {
    int levels;                  /* multi-resolution levels (default 3) */
    int bins;                    /* histogram bins (default 32) */
    int samples;                 /* voxels sampled per level (default 20000) */
    int max_iterations;          /* per level (default 300) */
    double max_step;             /* mm, first level (default 4) */
    double min_step;             /* mm (default 0.005) */
    double relaxation;           /* step factor on direction change (default 0.5) */
    uint64_t seed;               /* sampling seed (default 1) */
    const at_volume *fixed_mask; /* optional: sample only where > 0.5 */
    const at_run *run;           /* optional: cancel checked every iteration (AT_ERR_CANCELLED) */
} at_register_options;
void at_register_options_default(at_register_options *o);
typedef struct {
    double metric;  /* final Mattes MI (higher is better) */
    int iterations; /* total over levels */
} at_register_report;
/* Rigid registration of moving onto fixed: finds t (fixed point -> moving
 * point) maximising Mattes mutual information. t holds the initial
 * transform on entry (its centre is reset to the fixed image centre when
 * all zero) and the result on return. */
at_status at_register_rigid(const at_volume *fixed, const at_volume *moving, const at_register_options *opt,
                            at_rigid *t, at_register_report *report);
/* Mattes MI of moving(T(x)) against fixed(x) with the same Parzen
 * windows and sampling as the optimiser (for tests and reports). */
at_status at_mattes_mi(const at_volume *fixed, const at_volume *moving, const at_rigid *t,
                       const at_register_options *opt, double *mi);

/* ---- DICOM series ---- */
#define AT_SERIES_MAX_FILES 65536 /* files scanned in one folder tree */
#define AT_SERIES_MAX_DEPTH 8     /* sub-folder depth scanned */

/* What a series says about itself (kept for consistency checks between
 * series; never printed or logged). */
typedef struct {
    char modality[17];
    char patient_id[65];
    char study_uid[65];
    char series_uid[65];
    char frame_of_reference_uid[65];
    char series_description[65];
    char patient_name[65], patient_birth_date[17], patient_sex[17];
    char study_date[17], study_time[17], study_id[17], accession_number[17];
    int slices;     /* frames stacked into the volume */
    int multiframe; /* 1 for an enhanced multi-frame object */
} at_series_info;

/* Read the DICOM series under dir (files searched recursively, non-DICOM
 * files skipped) into a volume in LPS: files grouped by Series Instance
 * UID (series_uid NULL: there must be exactly one), frames sorted along
 * the slice normal from Image Position / Orientation (Patient), spacing
 * checked (missing slice, duplicates, mixed orientations and sizes are
 * errors), Rescale Slope / Intercept applied (CT in HU). Enhanced
 * multi-frame objects use the Per-frame / Shared Functional Groups.
 * *out owned by the caller; info may be NULL. */
at_status at_series_read(const char *dir, const char *series_uid, at_volume **out, at_series_info *info);

/* Options for writing a volume as a single-frame DICOM series. */
typedef struct {
    const char *modality; /* "CT" (CT Image Storage) or "MR" (MR Image Storage) */
    const char *patient_name, *patient_id, *patient_birth_date, *patient_sex; /* may be NULL: empty */
    const char *study_uid, *series_uid, *frame_of_reference_uid;              /* NULL: made from uid_seed */
    const char *study_date, *study_time;                                      /* NULL: 20000101 / 120000 */
    const char *study_id, *accession_number;                                  /* may be NULL */
    const char *series_description;
    const char *manufacturer; /* NULL: "atelier" */
    int series_number;
    int derived;          /* Image Type DERIVED\SECONDARY (else ORIGINAL\PRIMARY) */
    const char *uid_seed; /* for UIDs not given: deterministic from this text */
} at_series_write_options;
/* Write v as one file per axial slice (CT: signed 16-bit HU, slope 1,
 * intercept 0; MR: unsigned 16-bit, rounded) into folder dir, which must
 * not exist: files are written to a temporary sibling folder that is
 * renamed into place when complete. */
at_status at_series_write(const at_volume *v, const at_series_write_options *o, const char *dir);
/* A DICOM UID "2.25.<decimal>" derived from domain and text (BLAKE2b);
 * out has room for 65 bytes. */
void at_uid_from_text(const char *domain, const char *text, char out[65]);
/* Load a volume from a NIfTI file or a DICOM series folder. */
at_status at_volume_load(const char *path, at_volume **out, at_series_info *info);

#ifdef __cplusplus
}
#endif
#endif
