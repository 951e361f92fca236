/* atelier learn_run: the learning engine's two pipelines as library calls
 * taking a run context (include/atelier/run.h), what `atelier learn train`
 * and `atelier learn predict` run and what the room will queue:
 *   - at_learn_train_run: train a U-Net on the NIfTI pairs of a folder
 *     (or on a small synthetic task), with checkpoints, resume and a JSONL
 *     log of curves;
 *   - at_learn_predict_run: a trained model over a whole NIfTI volume.
 * This module sits on image (NIfTI files) and learn (the engine), which
 * itself reads no file. Every path of a spec goes through the run's store
 * (at_run_path). */
#ifndef ATELIER_LEARN_RUN_H
#define ATELIER_LEARN_RUN_H

#include "atelier/learn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- a folder of NIfTI pairs as a dataset ------------------------------ */
/* NAME_input.nii[.gz] / NAME_target.nii[.gz] (and optionally
 * NAME_mask.nii[.gz]) in a folder, served as samples: windows of the
 * config's size tiling every volume with no gap (the last window of an
 * axis flush with its end): size x size windows of each slice along the
 * third NIfTI axis (k) in 2D and 2.5D (2.5D adds the k neighbours on each
 * side as channels, repeated at the volume's ends, as predict does),
 * size^3 cubes in 3D. An axis shorter than the window is padded with 0
 * and a mask of 0, so padding never counts in the loss; nor do voxels
 * where NAME_mask is <= 0.5. Files in byte order of their names: the same
 * folder gives the same samples. */
#define AT_LEARN_DATA_MAX_CASES 100000
#define AT_LEARN_DATA_MAX_VOXELS ((size_t)1 << 31) /* all volumes of a folder together */
typedef struct at_learn_data at_learn_data;
/* Load the pairs of dir (a path of the file system) for a model described
 * by cfg. *out owned by the caller (at_learn_data_free). Errors name the
 * folder or the file. Cancelled (run): AT_ERR_CANCELLED. */
at_status at_learn_data_load(const char *dir, const at_unet_config *cfg, at_run *run, at_learn_data **out);
void at_learn_data_free(at_learn_data *d);
size_t at_learn_data_count(const at_learn_data *d); /* samples */
size_t at_learn_data_cases(const at_learn_data *d); /* pairs */
/* Fill sample index: input (C x [size x] size x size), target and mask
 * (1 x ...). Reads only: safe from the loader thread. */
at_status at_learn_data_get(const at_learn_data *d, size_t index, float *input, float *target, float *mask);

/* ---- train ----------------------------------------------------------- */
typedef struct {
    at_unet_config cfg; /* the model and its training; cfg.data and cfg.val_data
                           name NIfTI folders ("" data: the synthetic task) */
    const char *out;    /* the run folder: checkpoint.safetensors (full state, every
                           epoch and when cancelled), best.safetensors (weights of the
                           best validation loss; no validation: the last epoch),
                           metrics.jsonl */
    const char *resume; /* a checkpoint to continue from (NULL: a fresh run) */
    int force;          /* a fresh run in an out folder that holds a run's files */
    size_t samples;     /* the synthetic task's samples (0: 64; 1/8 validate) */
} at_learn_train_spec;
/* Defaults: at_unet_config_default, no folders, no resume. */
void at_learn_train_spec_default(at_learn_train_spec *s);

typedef struct {
    at_train_result train;
    size_t train_cases, train_samples, val_cases, val_samples; /* cases: NIfTI pairs (0: synthetic) */
} at_learn_train_result;

/* Train (at_train, augmented) on the data of spec into spec->out. A fresh
 * run refuses (AT_ERR_REFUSED, before anything is written) an out folder
 * that holds a checkpoint, best weights or a log already, unless force. Cancelled:
 * AT_ERR_CANCELLED, the checkpoint written at the step reached (resume
 * continues with the same bytes), nothing else half-written. Progress:
 * phase "read" (data folders loaded), then at_train_loop's. res may be
 * NULL. */
at_status at_learn_train_run(const at_learn_train_spec *spec, at_run *run, at_learn_train_result *res);

/* ---- predict --------------------------------------------------------- */
typedef struct {
    const char *checkpoint;    /* the trained model (its metadata gives the architecture) */
    const at_unet_config *cfg; /* for a checkpoint that records none; must describe
                                  the same model when both do (may be NULL) */
    const char *input;         /* a NIfTI volume (.nii, .nii.gz) */
    const char *output;        /* the prediction, on the input's grid; written atomically */
    int force;                 /* replace an existing output (else AT_ERR_REFUSED) */
    float overlap;             /* window overlap fraction 0..0.9 (default 0.5) */
    int window;                /* window side (0: the training size), shrunk on a short axis
                                  to the largest multiple of 2^depth that fits */
    int batch;                 /* windows per pass (0: the config's batch) */
} at_learn_predict_spec;
void at_learn_predict_spec_default(at_learn_predict_spec *s);
typedef struct {
    int64_t dhw[3];    /* the volume's k, j, i sizes */
    int64_t window[3]; /* the window used (2D/2.5D: window[0] is 1) */
    int dims;          /* 2 or 3 */
} at_learn_predict_result;
/* One channel in, one channel out. Progress: phase "predict", windows
 * done of all; cancel checked between batches of windows. */
at_status at_learn_predict_run(const at_learn_predict_spec *spec, at_run *run, at_learn_predict_result *res);

#ifdef __cplusplus
}
#endif
#endif
