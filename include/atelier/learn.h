/* atelier learn: a small CPU learning engine (oneDNN kernels) for
 * image-to-image U-Nets in 2D, 2.5D and 3D. It knows nothing of DICOM:
 * callers hand it float arrays in plain row-major layout
 * (N, C, [D,] H, W) and get float arrays back.
 *
 * Layering: a model (the U-Net) is built from layers (forward/backward
 * pairs) that run on an engine (src/learn/dnn.h; the CPU engine uses
 * oneDNN). Parameters live in plain PyTorch layouts in f32 and carry the
 * names PyTorch's state_dict of the same model uses, so checkpoints
 * (safetensors) move both ways.
 *
 * Names: at_ the public API; at_st_ the safetensors file format; inside
 * src/learn, lt_ marks the engine's private internals. */
#ifndef ATELIER_LEARN_H
#define ATELIER_LEARN_H

#include "atelier/core.h"
#include "atelier/run.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Threads used by the kernels (OpenMP); n <= 0 leaves the default.
 * Returns the count now in effect. */
int at_learn_set_threads(int n);
/* 1 when the CPU runs bf16 kernels natively (AVX512_BF16 or AMX). */
int at_learn_have_bf16(void);

/* Measure the machine's f32 matrix-multiply rate: best of 3 oneDNN sgemm
 * runs of n x n x n with the current threads. */
at_status at_learn_sgemm_gflops(int n, double *gflops);

/* ---- model configuration ---------------------------------------------- */
typedef enum { AT_NORM_BATCH = 0, AT_NORM_NONE = 1, AT_NORM_INSTANCE = 2, AT_NORM_GROUP = 3 } at_norm_kind;
typedef enum { AT_MODE_2D = 2, AT_MODE_3D = 3, AT_MODE_25D = 25 } at_unet_mode;
typedef enum { AT_LOSS_L1 = 0, AT_LOSS_MSE = 1 } at_loss_kind;
typedef enum { AT_SCHED_CONSTANT = 0, AT_SCHED_COSINE = 1, AT_SCHED_STEP = 2 } at_sched_kind;

#define AT_LEARN_MAX_PATH 1024 /* a data folder path in the config, NUL included */

typedef struct {
    at_unet_mode mode; /* 2D, 2.5D (2D with neighbouring slices as channels) or 3D */
    int neighbours;    /* 2.5D: k slices each side; input channels = 2k+1 */
    int in_channels;   /* 2D/3D input channels (2.5D: derived) */
    int out_channels;  /* head output channels (1 for pseudo-CT) */
    int base;          /* channels at level 0 */
    int depth;         /* pooling levels */
    at_norm_kind norm; /* batch, instance, group norm or none */
    int groups;        /* group norm: groups (must divide every level's channels) */
    float relu_slope;  /* 0: ReLU; > 0: LeakyReLU with this negative slope */
    float bn_momentum; /* PyTorch's momentum (0.1) */
    float bn_eps;      /* 1e-5 */
    int bf16;          /* bf16 activations and weights, f32 accumulation */
    /* training (used by the training loop and the CLI; the model ignores them) */
    at_loss_kind loss;
    float lr, weight_decay, beta1, beta2, adam_eps;
    at_sched_kind schedule;
    int warmup_steps, step_size;
    float step_gamma, min_lr;
    int epochs, batch, micro_batches, size, threads;
    float minutes; /* wall-clock budget of training (0: none; see at_train_loop) */
    uint64_t seed;
    /* data folders (read by the command line, never by the engine; "" when
     * not given): pairs NAME_input.nii.gz / NAME_target.nii.gz, see
     * docs/learn.md */
    char data[AT_LEARN_MAX_PATH], val_data[AT_LEARN_MAX_PATH];
} at_unet_config;

/* Fill c with the defaults (2D, base 16, depth 4, batch norm, L1, AdamW
 * lr 1e-3, weight decay 1e-2, cosine schedule, seed 1). */
void at_unet_config_default(at_unet_config *c);
/* Read a key = value config file over c (defaults stay for keys not given).
 * '#' starts a comment. An unknown key, a bad value or a line over 1024
 * bytes fails with "FILE:LINE: ..." and leaves c partly updated. */
at_status at_unet_config_load(const char *path, at_unet_config *c);
/* Same, from a text buffer; name is used in error messages. */
at_status at_unet_config_parse(const char *name, const char *text, size_t len, at_unet_config *c);
/* Input channels the model expects (2.5D: 2k+1). */
int at_unet_input_channels(const at_unet_config *c);

/* ---- the model -------------------------------------------------------- */
typedef struct at_model at_model;

/* Build a U-Net for batches of `batch` samples of spatial size
 * spatial[0..dims-1] ({H, W} or {D, H, W}); every spatial size must be
 * divisible by 2^depth. Weights are He-initialised from seed. *out is
 * owned by the caller (at_model_free). Fails with AT_ERR_ARG naming the
 * problem for shapes that do not fit. */
at_status at_model_create(const at_unet_config *cfg, int batch, const int64_t *spatial, uint64_t seed,
                          at_model **out);
void at_model_free(at_model *m);
/* Elements in one input batch and one output batch (N*C*spatial). */
size_t at_model_input_size(const at_model *m);
size_t at_model_output_size(const at_model *m);
/* Forward pass. input: plain (N, C, [D,] H, W) f32; output likewise (may
 * be NULL to keep it inside for at_model_backward). training: 1 uses batch
 * statistics and updates running statistics, 0 uses running statistics. */
at_status at_model_forward(at_model *m, const float *input, float *output, int training);
/* Loss of the last training forward against target (same shape as the
 * output) and optional mask (same shape, voxels with mask 0 ignored; NULL:
 * all), then backward: parameter gradients are ADDED to the gradient
 * buffers (gradient accumulation over micro-batches); scale multiplies
 * the loss gradient (1/micro_batches). Fails with AT_ERR_NUMERIC naming
 * the layer when a NaN or Inf appears. */
at_status at_model_backward(at_model *m, const float *target, const float *mask, at_loss_kind loss,
                            float scale, float *loss_out);
void at_model_zero_grad(at_model *m);

/* Parameters and buffers in state_dict order. Pointers are borrowed and
 * stay valid until at_model_free; data is plain f32 in PyTorch layout. */
typedef struct {
    const char *name; /* e.g. "enc.0.conv1.weight" */
    int ndim;
    int64_t shape[5];
    size_t count;
    float *data;
    float *grad; /* NULL for buffers (running statistics) */
    int trainable;
} at_param;
size_t at_model_param_count(const at_model *m);
at_status at_model_param(const at_model *m, size_t i, at_param *out);
/* Name of the layer where the last forward/backward found a non-finite
 * value, or "" when none. */
const char *at_model_bad_layer(const at_model *m);
/* FLOPs of one training step (forward + backward) and of one inference
 * pass for the whole batch (multiply-add = 2). */
double at_model_train_flops(const at_model *m);
double at_model_infer_flops(const at_model *m);
/* BN batches tracked (PyTorch's num_batches_tracked). */
int64_t at_model_batches_tracked(const at_model *m);
void at_model_set_batches_tracked(at_model *m, int64_t n);

/* ---- optimiser and schedule -------------------------------------------- */
typedef struct at_adamw at_adamw;
/* AdamW over the model's trainable parameters, PyTorch's update rule. */
at_status at_adamw_create(at_model *m, float beta1, float beta2, float eps, float weight_decay,
                          at_adamw **out);
void at_adamw_free(at_adamw *o);
/* One update with learning rate lr from the accumulated gradients. */
void at_adamw_step(at_adamw *o, float lr);
int64_t at_adamw_steps(const at_adamw *o);
/* Learning rate at step (0-based): linear warm-up then constant, cosine
 * to min_lr over total_steps, or step decay (gamma every step_size). */
float at_lr_at(const at_unet_config *c, int64_t step, int64_t total_steps);

/* ---- safetensors ------------------------------------------------------- */
/* at_st_ / AT_ST_: the safetensors file format (Hugging Face's): a JSON
 * header of named tensors, then their raw data. */
#define AT_ST_MAX_HEADER (16u << 20) /* largest JSON header accepted */
#define AT_ST_MAX_TENSORS 100000
typedef enum { AT_ST_F32 = 0, AT_ST_F64, AT_ST_I64, AT_ST_I32, AT_ST_BF16, AT_ST_F16, AT_ST_U8 } at_st_dtype;
typedef struct {
    char *name;
    at_st_dtype dtype;
    int ndim;
    int64_t shape[8];
    size_t offset, nbytes; /* into the data section */
    const unsigned char *data;
} at_st_tensor;
typedef struct {
    at_st_tensor *tensors;
    size_t count;
    char *metadata_json;  /* the "__metadata__" object as JSON text, or NULL */
    unsigned char *owned; /* file bytes when loaded from a file */
} at_st_file;
/* Parse a safetensors image held in memory (not copied: tensors point
 * into buf). Validates header length against the size, the JSON, dtypes,
 * shapes against byte ranges, offsets in range and non-overlapping.
 * *out owned by caller (at_st_free). */
at_status at_st_parse(const unsigned char *buf, size_t len, at_st_file **out);
/* Read and parse a file of at most max_bytes; errors name the path. */
at_status at_st_read_file(const char *path, size_t max_bytes, at_st_file **out);
void at_st_free(at_st_file *f);
const at_st_tensor *at_st_find(const at_st_file *f, const char *name);
/* Copy a tensor into float dst of n elements (F32, BF16, F64 or I64
 * converted); fails when the element count differs. */
at_status at_st_to_f32(const at_st_tensor *t, float *dst, size_t n);

/* ---- checkpoints ------------------------------------------------------- */
/* Training state kept beside the weights in __metadata__ (all strings). */
#define AT_TRAIN_MAX_STATE_WORDS 8 /* a batch source's random state, in 64-bit words */
typedef struct {
    int64_t step;            /* optimiser updates done (metrics count steps from 1) */
    int64_t epoch;           /* epochs completed */
    uint64_t seed;           /* the run's seed: the shuffle and augmentation derive from it */
    double best_val;         /* best validation score so far (INFINITY: none yet) */
    double seconds;          /* training time so far, summed over resumed runs */
    double epoch_loss_sum;   /* sum of the step losses of the unfinished epoch */
    int64_t steps_per_epoch; /* of the run (resume refuses another) */
    int64_t planned_epochs;  /* epochs the schedule is fitted to (time budget; 0: not recorded) */
    size_t source_words;     /* words of source_state in use (0: none) */
    uint64_t source_state[AT_TRAIN_MAX_STATE_WORDS]; /* the batch source's state at epoch's end */
} at_train_state;
#define AT_TRAIN_MAX_EPOCHS 1000000           /* the config's ceiling */
#define AT_TRAIN_MAX_STEPS ((int64_t)1 << 40) /* ceiling on a checkpoint's step */
/* Write the model (and the optimiser moments as "optim.m.<name>",
 * "optim.v.<name>" when o is given, and state when given) atomically to
 * path in safetensors. __metadata__ records the whole architecture (mode,
 * neighbours, in/out channels, base, depth, norm, groups, activation,
 * leaky_slope, norm_eps, bn_momentum), enough to rebuild the model in
 * PyTorch from the file alone, and size, the side of the model's window
 * (when it is square or cubic). */
at_status at_checkpoint_save(const char *path, at_model *m, const at_adamw *o, const at_train_state *state);
/* Load weights (and optimiser moments and state when o/state are given
 * and present) from path; every tensor of the model must be present with
 * the right dtype and shape and hold finite values (running variances
 * >= 0), and the training state must be in range. On failure the model,
 * optimiser and state are unchanged and the message names the file and
 * the tensor or key. */
at_status at_checkpoint_load(const char *path, at_model *m, at_adamw *o, at_train_state *state);
/* Read the architecture a checkpoint records over the matching fields of
 * cfg (mode, neighbours, in/out channels, base, depth, norm, groups,
 * activation, eps, momentum, size); other fields are left as they are.
 * AT_ERR_NOT_FOUND when the file records none (e.g. written by PyTorch). */
at_status at_checkpoint_read_config(const char *path, at_unet_config *cfg);
/* The same from a parsed safetensors file (name is used in messages). */
at_status at_st_read_config(const at_st_file *f, const char *name, at_unet_config *cfg);
/* 0 when a and b describe the same architecture; else AT_ERR_ARG with a
 * message naming the first differing key and both values, a_name and
 * b_name saying where each came from ("the checkpoint", "the config"). */
at_status at_unet_config_same_model(const at_unet_config *a, const char *a_name, const at_unet_config *b,
                                    const char *b_name);
/* Copy every parameter and buffer (running statistics, batches tracked)
 * of src into dst, a model of the same architecture (its window and batch
 * may differ), so that dst's next forward pass computes with src's
 * weights. AT_ERR_ARG naming the parameter when the shapes differ. */
at_status at_model_copy_params(at_model *dst, const at_model *src);

/* ---- the training loop -------------------------------------------------- */
/* One loop for every trainer (learn train, sct train): batches prepared by
 * a loader thread while the previous one trains, AdamW with warm-up and a
 * schedule, gradient accumulation over micro-batches, a validation score
 * after every epoch, the best weights kept, a JSONL log of curves, a full
 * checkpoint every epoch and when cancelled, resume, a wall-clock budget
 * that refits the schedule after every epoch, progress, cancellation and
 * NaN/Inf detection. Counting: steps from 1 (step N is the N-th optimiser
 * update), epochs from 1.
 *
 * Where the batches come from, how a model is scored and what random state
 * carries from epoch to epoch is the caller's: */
typedef struct {
    int64_t batches; /* batches of cfg->batch samples in one epoch (>= 1) */
    /* Before the epoch's batches, on the calling thread (may be NULL). */
    at_status (*epoch_begin)(void *ud, int64_t epoch);
    /* Fill batch b (0-based) of epoch: in (batch x C x window), target and
     * mask (batch x out_channels x window; mask preset to 1, 0 ignores a
     * voxel). Called on the loader thread, the batches of an epoch in
     * order, never two at once. */
    at_status (*fill)(void *ud, int64_t epoch, int64_t b, float *in, float *target, float *mask);
    /* Score the model after an epoch, lower is better (NaN: nothing to
     * score). *kept may be set to another model that now holds the scored
     * weights (e.g. a whole-slice copy); the best one is saved from it.
     * May be NULL: no validation. Checks at_run_cancelled itself between
     * batches when it is long. */
    at_status (*validate)(void *ud, at_model *m, at_run *run, double *score, at_model **kept);
    /* State the source carries between epochs (<= 8 words; 0: none),
     * saved in checkpoints at the end of an epoch: state_get gives it,
     * state_set restores the source as it was after `epochs` epochs, given
     * the words state_get gave then (a source whose state is more than
     * its words, e.g. an order shuffled in place, rebuilds it and checks
     * it lands on the words; AT_ERR_ARG when it cannot). A source with
     * state resumes from the end of an epoch only. */
    size_t state_words;
    void (*state_get)(void *ud, uint64_t *words);
    at_status (*state_set)(void *ud, int64_t epochs, const uint64_t *words);
    void *ud;
} at_train_source;

typedef struct {
    const char *checkpoint_path; /* full state after every epoch (and on cancel, see
                                    at_train_loop); NULL: none */
    const char *resume_path;     /* NULL: a fresh start */
    const char *best_path;       /* weights only, of the best score (no validation:
                                    of the last epoch); NULL: none */
    const char *log_path;        /* JSONL curves; NULL: none */
    int log_steps;               /* 1: a line per step too ({"step","epoch","loss","lr","seconds"}) */
    const char *train_key;       /* epoch lines and progress: "train_loss" when NULL */
    const char *val_key;         /* "val_loss" when NULL */
    double loss_scale;           /* the training loss is reported times this (0: 1) */
    double minutes;              /* wall-clock budget (0: none): after every epoch the
                                    schedule is refitted to the epochs that fit */
    int64_t window[3];           /* training window (0: cfg->size on each axis) */
    int augment;                 /* at_train only: flips, small rotations, intensity jitter */
} at_train_options;

typedef struct {
    int64_t epochs, steps;     /* done by the whole run (resumed runs included) */
    int64_t checkpoint_step;   /* step of the checkpoint on disk (-1: none written) */
    int64_t checkpoint_epoch;  /* epochs it holds */
    double train_loss;         /* mean loss of the last epoch (scaled), NaN before one */
    double last_val, best_val; /* NaN when there is no validation */
    double seconds;            /* training time, resumed runs included */
    int budget_stopped;        /* 1: ended by the time budget before cfg->epochs */
} at_train_result;

/* Train a U-Net described by cfg on the batches of src. run may be NULL
 * (at_run_default). The kernels' thread count is OpenMP's, a process-wide
 * setting: the front end sets it once (at_learn_set_threads) from the
 * run's budget; the loop never changes it.
 *
 * Progress (run->progress): phase "train", step = steps done out of the
 * run's total (the first event reports where training starts: 0, or the
 * resumed step), with the loss and the epoch as metrics; phase "epoch"
 * after every epoch with the epoch's mean loss, the validation score and
 * the seconds so far, and the same as a line to the run's log. Totals
 * follow the time budget's refits; the last event of each phase has step
 * == total.
 *
 * Cancellation (run->cancel, checked before every step and between
 * validation batches): AT_ERR_CANCELLED with "train: cancelled after step
 * N (epoch E)". A source without state writes the checkpoint at that step
 * (resume continues mid-epoch with the same bytes); a source with state
 * keeps the checkpoint of the last finished epoch.
 *
 * Resume (opt->resume_path) continues the run where the checkpoint left
 * it and refuses, with AT_ERR_ARG and a message saying what to change: a
 * checkpoint whose run already has cfg->epochs epochs ("already trained N
 * epochs; raise epochs to continue"), another seed, another architecture,
 * or another number of steps per epoch (batch, micro_batches or sample
 * count changed). res may be NULL. */
at_status at_train_loop(const at_unet_config *cfg, const at_train_source *src, const at_train_options *opt,
                        at_run *run, at_train_result *res);

/* A dataset supplied by the caller: get(i) fills input (C x window),
 * target (out_channels x window) and mask (same as target; may be left
 * at 1) for sample i. Must be safe to call from the loader thread. */
typedef struct {
    size_t train_count, val_count; /* samples 0..train_count-1 train, then val */
    at_status (*get)(void *ud, size_t index, float *input, float *target, float *mask);
    void *ud;
} at_dataset;
/* at_train_loop over a dataset: each epoch shuffles the training samples
 * (from seed and epoch), micro-batches of cfg->batch samples, optional
 * augmentation (from seed, epoch, batch and sample: never from timing),
 * validation = mean loss (cfg->loss, mask-weighted) over the validation
 * samples in inference mode. */
at_status at_train(const at_unet_config *cfg, const at_dataset *ds, const at_train_options *opt, at_run *run,
                   at_train_result *res);

/* ---- inference --------------------------------------------------------- */
/* Predict a whole volume (C, D, H, W plain f32; 2D/2.5D run slice by slice
 * over D) with a trained model, using windows of the model's spatial size
 * with the given overlap fraction (0..0.9) and linear weighted blending.
 * out: out_channels x D x H x W, caller-allocated. */
at_status at_predict_volume(at_model *m, const float *vol, int channels, const int64_t dhw[3], float overlap,
                            float *out);
/* The same under a run (may be NULL): progress (phase "predict", windows
 * done of all) after every batch, cancel checked before each. */
at_status at_predict_volume_run(at_model *m, const float *vol, int channels, const int64_t dhw[3],
                                float overlap, at_run *run, float *out);

#ifdef __cplusplus
}
#endif
#endif
