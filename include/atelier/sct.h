/* atelier sct: the MRI-only radiotherapy pipeline (pseudo-CT). Metrics
 * computed exactly as the SynthRAD2023 challenge scores them. */
#ifndef ATELIER_SCT_H
#define ATELIER_SCT_H

#include "atelier/image.h"
#include "atelier/learn.h"
#include "atelier/run.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AT_SCT_HU_MIN (-1024.0)
#define AT_SCT_HU_MAX 3000.0 /* SynthRAD2023 dynamic range for PSNR and SSIM */

typedef struct {
    double mae;  /* HU, inside the mask, no clipping */
    double psnr; /* dB, clipped to [-1024, 3000], data range 4024, mask voxels */
    double ssim; /* clipped, outside mask -1024, 7^3 window, mean over mask after 3-voxel crop */
    size_t mask_voxels;
} at_sct_metrics;

/* Compare prediction with reference inside mask (> 0). All three on the
 * same grid (dims must match). Empty mask: AT_ERR_ARG. */
at_status at_sct_metrics_compute(const at_volume *reference, const at_volume *prediction,
                                 const at_volume *mask, at_sct_metrics *out);

/* ---- pipeline ---- */
/* Four entry points, each at_sct_<step>_run(spec, run, result) with a run
 * context (include/atelier/run.h; NULL: at_run_default): progress events,
 * cancellation (checked at least once per patient, slice batch or
 * training step; a cancelled call returns AT_ERR_CANCELLED and leaves no
 * partial output), the thread budget (OpenMP's count is process-wide: the
 * front end sets it once with at_learn_set_threads), and the store every
 * path of a spec goes through (at_run_path). An output folder is written
 * as OUT.partial-PID and renamed into place when complete; a later run
 * removes the partial folders a killed run left beside OUT. An existing
 * output (other than an empty folder) is refused with AT_ERR_REFUSED
 * before anything is written, unless force (or, for train, resume). */
#define AT_SCT_MR_PLOW 0.005 /* MRI normalisation percentiles inside the MRI body mask */
#define AT_SCT_MR_PHIGH 0.995
#define AT_SCT_CT_SCALE 1000.0 /* network target = HU / 1000 */

/* ---- prepare ---- */
typedef struct {
    const char *cohort;                 /* see at_sct_prepare_run */
    const char *out;                    /* the prepared folder */
    int force;                          /* replace an existing out */
    int test, val;                      /* patients held out for test and validation (default 5, 2) */
    double test_fraction, val_fraction; /* when above 0: that fraction of the patients
                                           instead (rounded, at least 1), as
                                           `text risk split --test-fraction` */
    uint64_t seed;                      /* split shuffle (default 1) */
    int no_register;                    /* 1: trust the frames of reference, no registration */
} at_sct_prepare_spec;
void at_sct_prepare_spec_default(at_sct_prepare_spec *s);
typedef struct {
    size_t patients;         /* prepared */
    size_t train, val, test; /* by split */
    size_t skipped;          /* de-identified patients without one CT and one MR series */
} at_sct_prepare_result;
/* CT/MRI pairs under spec->cohort -> out/<patient>/{ct,mr,mask}.nii.gz on
 * the CT grid (MRI registered rigidly to the CT with Mattes MI, resampled
 * with cubic B-splines, normalised; CT clipped to [-1024, 3071]; mask =
 * CT body mask) and out/manifest.json with a train/validation/test split
 * by patient. The cohort is either
 *   - one folder per patient holding ct_dicom/ and mr_dicom/ series, or
 *     ct.nii.gz and mr.nii.gz (what `synth cohort` writes), or
 *   - a de-identified folder as `atelier deid` writes it,
 *     <patient>/<study>/<series>/<file>.dcm: in each patient's folder the
 *     CT and the MR series are found by their Modality; when a patient has
 *     several, the CT and MR sharing a Frame of Reference are taken, and a
 *     choice that remains ambiguous is an error naming the patient. A
 *     patient with no CT or no MR is skipped (counted in res->skipped);
 *     quarantine/ and files that are not DICOM are ignored.
 * A CT and an MRI of different patients is an error; different frames of
 * reference with no_register is an error. Progress: phase "prepare",
 * patients done. */
at_status at_sct_prepare_run(const at_sct_prepare_spec *spec, at_run *run, at_sct_prepare_result *res);

/* ---- train ---- */
typedef struct {
    const char *prepared; /* a folder written by prepare */
    const char *out;      /* the model folder */
    int force;            /* replace an existing out (or OUT.resume) */
    int resume;           /* continue OUT.resume (a cancelled run) or OUT (a finished
                             one, given more epochs); out is replaced at the end */
    int epochs;           /* upper bound (default 200) */
    double minutes;       /* wall-clock budget (default 25) */
    int base, depth, neighbours, batch;
    int patch;       /* training crops of patch x patch voxels (default 0: whole slices) */
    int no_norm;     /* 1 (default): no batch normalisation in the U-Net */
    int bf16;        /* bf16 activations in training (f32 master weights; validation,
                        the saved model and inference stay f32): 1 on, 0 off,
                        -1 (default) on where the CPU computes bf16 natively */
    int recalibrate; /* batches of whole training slices that refresh the batch-norm
                      * running statistics before each validation (default 30) */
    float lr;
    float weight_decay; /* AdamW decoupled weight decay (default 0.01) */
    double rotate_deg;  /* augmentation: in-plane rotation within +/- this (default 10) */
    double zoom;        /* augmentation: zoom within 1 +/- this (default 0.1) */
    double intensity;   /* augmentation: MRI gain 1 + N(0, s) and shift N(0, s) (default 0.1) */
    uint64_t seed;
} at_sct_train_spec;
void at_sct_train_spec_default(at_sct_train_spec *s);
typedef struct {
    at_train_result train; /* epochs, steps, best validation MAE (HU), seconds, ... */
    int kept;              /* cancelled or failed after an epoch: OUT.resume holds the run */
} at_sct_train_result;
/* Train the 2.5D U-Net on a prepared folder (masked L1 on HU/1000) with
 * learn's training loop; writes out/{model.safetensors (the weights with
 * the best validation MAE), model.json, curves.jsonl, checkpoint.safetensors
 * (the whole training state of the last epoch)}. Cancelled (or failed)
 * after at least one epoch, the run is kept as OUT.resume (res->kept) and
 * resume continues it with the same bytes as an uninterrupted run; before
 * one, nothing is left. Progress: phase "train" (steps, with the loss) and
 * "epoch" (train_l1_hu, val_mae_hu, seconds). */
at_status at_sct_train_run(const at_sct_train_spec *spec, at_run *run, at_sct_train_result *res);

/* ---- a trained model ---- */
typedef struct at_sct_model at_sct_model;
/* The model of a folder written by train (model.json, model.safetensors). */
at_status at_sct_model_load(const char *model_dir, at_sct_model **out);
void at_sct_model_free(at_sct_model *m);
/* Training grid spacing of the model (mm). */
void at_sct_model_spacing(const at_sct_model *m, double spacing[3]);
/* Average each slice's prediction with that of its left-right mirror
 * (test-time flip, on by default; costs a second pass). */
void at_sct_model_set_flip_average(at_sct_model *m, int on);
/* Pseudo-CT (HU) of a normalised MRI that already lies on a grid with the
 * model's spacing and axes; out on the same grid. run (may be NULL):
 * cancel checked between slice batches, progress phase "slices". */
at_status at_sct_model_run(at_sct_model *m, const at_volume *mr_normalised, at_run *run, at_volume **out);
/* Pseudo-CT of a raw MRI on any grid: body mask, normalisation,
 * resampling to the model's spacing and axes (axial slices for a sagittal
 * or oblique MRI too), inference, back to the MRI grid,
 * -1024 outside the body, clipped to [-1024, 3071]. */
at_status at_sct_predict(at_sct_model *m, const at_volume *mr, at_run *run, at_volume **out);

/* ---- predict ---- */
typedef struct {
    const char *mr;    /* an MRI series folder (DICOM) */
    const char *model; /* a folder written by train */
    const char *out;   /* the pseudo-CT series folder */
    int force;         /* replace an existing out */
    int no_flip;       /* one pass, no left-right flip average */
} at_sct_predict_spec;
typedef struct {
    int slices; /* written */
} at_sct_predict_result;
/* MRI series folder -> pseudo-CT DICOM CT series in out (new Series
 * Instance UID, the MRI's patient, study and Frame of Reference, DERIVED
 * \SECONDARY, a Series Description marking it synthetic). */
at_status at_sct_predict_run(const at_sct_predict_spec *spec, at_run *run, at_sct_predict_result *res);

/* ---- eval ---- */
typedef struct {
    char name[128];
    at_sct_metrics metrics;
} at_sct_result;
typedef struct {
    /* a prepared folder and a model: every patient of a split */
    const char *prepared, *model;
    const char *split; /* "test" (default), "val", "train" */
    const char *png;   /* may be NULL: for the first patient, three axial slices as
                          MRI | CT | pseudo-CT | |error| (0-500 HU) */
    int no_flip;
    /* or three volumes (NIfTI files or DICOM series folders) on one grid */
    const char *reference, *prediction, *mask;
    int other_frames; /* accept DICOM series of different frames of reference */
} at_sct_eval_spec;
typedef struct {
    at_sct_result *patients; /* prepared: per patient (owned: at_sct_eval_result_free) */
    size_t count;
    at_sct_metrics mean, sd; /* prepared: over the patients (sd 0 for one) */
    at_sct_metrics metrics;  /* volumes: the comparison */
} at_sct_eval_result;
/* SynthRAD2023 metrics. Volumes: reference and prediction read from DICOM
 * series of different Frames of Reference are refused (they do not lie in
 * one patient space: register first), unless other_frames. Progress:
 * phase "eval", patients done. */
at_status at_sct_eval_run(const at_sct_eval_spec *spec, at_run *run, at_sct_eval_result *res);
void at_sct_eval_result_free(at_sct_eval_result *r);

/* Minimal 8-bit greyscale PNG writer (atomic). */
at_status at_png_write_gray(const char *path, const unsigned char *pixels, int width, int height);

#ifdef __cplusplus
}
#endif
#endif
