/* atelier sct: the MRI-only radiotherapy pipeline (pseudo-CT). Metrics
 * computed exactly as the SynthRAD2023 challenge scores them. */
#ifndef ATELIER_SCT_H
#define ATELIER_SCT_H

#include "atelier/image.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AT_SCT_HU_MIN (-1024.0)
#define AT_SCT_HU_MAX 3000.0  /* SynthRAD2023 dynamic range for PSNR and SSIM */

typedef struct {
    double mae;    /* HU, inside the mask, no clipping */
    double psnr;   /* dB, clipped to [-1024, 3000], data range 4024, mask voxels */
    double ssim;   /* clipped, outside mask -1024, 7^3 window, mean over mask after 3-voxel crop */
    size_t mask_voxels;
} at_sct_metrics;

/* Compare prediction with reference inside mask (> 0). All three on the
 * same grid (dims must match). Empty mask: AT_ERR_ARG. */
at_status at_sct_metrics_compute(const at_volume *reference, const at_volume *prediction,
                                 const at_volume *mask, at_sct_metrics *out);

/* ---- pipeline ---- */
#define AT_SCT_MR_PLOW 0.005  /* MRI normalisation percentiles inside the MRI body mask */
#define AT_SCT_MR_PHIGH 0.995
#define AT_SCT_CT_SCALE 1000.0 /* network target = HU / 1000 */

typedef struct {
    int test, val;        /* patients held out for test and validation */
    uint64_t seed;        /* split shuffle */
    int no_register;      /* 1: trust the frames of reference, no registration */
    at_progress_fn progress;
    void *progress_ud;
} at_sct_prepare_options;
/* Pairs under cohort_dir (one folder per patient holding ct_dicom/ and
 * mr_dicom/ series, or ct.nii.gz and mr.nii.gz) -> out_dir/<patient>/
 * {ct,mr,mask}.nii.gz on the CT grid (MRI registered rigidly to the CT
 * with Mattes MI, resampled with cubic B-splines, normalised; CT clipped
 * to [-1024, 3071]; mask = CT body mask) and out_dir/manifest.json with a
 * train/validation/test split by patient. A CT and an MRI of different
 * patients is an error; different frames of reference with no_register
 * is an error. out_dir appears only when complete. */
at_status at_sct_prepare(const char *cohort_dir, const char *out_dir, const at_sct_prepare_options *o);

typedef struct {
    int epochs;           /* upper bound (default 200) */
    double minutes;       /* wall-clock budget (default 25) */
    int threads;          /* kernel threads (default 2) */
    int base, depth, neighbours, batch;
    int patch;            /* training crops of patch x patch voxels (default 0: whole slices) */
    int no_norm;          /* 1 (default): no batch normalisation in the U-Net */
    int bf16;             /* bf16 activations in training (f32 master weights; validation,
                             the saved model and inference stay f32): 1 on, 0 off,
                             -1 (default) on where the CPU computes bf16 natively */
    int recalibrate;      /* batches of whole training slices that refresh the batch-norm
                           * running statistics before each validation (default 30) */
    float lr;
    float weight_decay;   /* AdamW decoupled weight decay (default 0.01) */
    double rotate_deg;    /* augmentation: in-plane rotation within +/- this (default 10) */
    double zoom;          /* augmentation: zoom within 1 +/- this (default 0.1) */
    double intensity;     /* augmentation: MRI gain 1 + N(0, s) and shift N(0, s) (default 0.1) */
    uint64_t seed;
    at_progress_fn progress;
    void *progress_ud;
    void (*epoch_note)(void *ud, int epoch, double train_l1_hu, double val_mae_hu, double seconds);
    void *epoch_ud;
} at_sct_train_options;
void at_sct_train_options_default(at_sct_train_options *o);
/* Train the 2.5D U-Net on a prepared folder (masked L1 on HU/1000);
 * writes model_dir/{model.safetensors, model.json, curves.jsonl}, keeping
 * the weights with the best validation MAE. model_dir appears only when
 * training finished. */
at_status at_sct_train(const char *prep_dir, const char *model_dir, const at_sct_train_options *o);

typedef struct at_sct_model at_sct_model;
at_status at_sct_model_load(const char *model_dir, int threads, at_sct_model **out);
void at_sct_model_free(at_sct_model *m);
/* Training grid spacing of the model (mm). */
void at_sct_model_spacing(const at_sct_model *m, double spacing[3]);
/* Average each slice's prediction with that of its left-right mirror
 * (test-time flip, on by default; costs a second pass). */
void at_sct_model_set_flip_average(at_sct_model *m, int on);
/* Pseudo-CT (HU) of a normalised MRI that already lies on a grid with the
 * model's spacing and axes; out on the same grid. */
at_status at_sct_model_run(at_sct_model *m, const at_volume *mr_normalised, at_volume **out);
/* Pseudo-CT of a raw MRI on any grid: body mask, normalisation,
 * resampling to the model's spacing and axes (axial slices for a sagittal
 * or oblique MRI too), inference, back to the MRI grid,
 * -1024 outside the body, clipped to [-1024, 3071]. */
at_status at_sct_predict(at_sct_model *m, const at_volume *mr, at_volume **out);
/* MRI series folder -> pseudo-CT DICOM CT series in out_dir (new Series
 * Instance UID, the MRI's patient, study and Frame of Reference, DERIVED
 * \SECONDARY, a Series Description marking it synthetic). */
at_status at_sct_predict_series(at_sct_model *m, const char *mr_dir, const char *out_dir);

typedef struct {
    char name[128];
    at_sct_metrics metrics;
} at_sct_result;
/* Evaluate the model on every patient of split ("test", "val", "train")
 * of a prepared folder. png_path (may be NULL) receives, for the first
 * patient, three axial slices as MRI | CT | pseudo-CT | |error| (0-500 HU).
 * *out owned by the caller (at_free). */
at_status at_sct_evaluate(at_sct_model *m, const char *prep_dir, const char *split,
                          const char *png_path, at_sct_result **out, size_t *count);

/* Minimal 8-bit greyscale PNG writer (atomic). */
at_status at_png_write_gray(const char *path, const unsigned char *pixels, int width, int height);

#ifdef __cplusplus
}
#endif
#endif
