/* at_learn_predict_run (contract in include/atelier/learn_run.h): a
 * trained U-Net over a whole NIfTI volume with sliding windows
 * (at_predict_volume_run: overlap, tent-weighted blending, batched), the
 * prediction written as NIfTI on the input's grid.
 *
 * The architecture comes from the checkpoint's metadata; a config is only
 * needed for a checkpoint that records none (e.g. written by PyTorch) and,
 * when given, must describe the same model. The window is the training
 * window (size) unless the spec says otherwise, shrunk on a short axis to
 * the largest multiple of 2^depth that fits. */
#include "atelier/image.h"
#include "atelier/learn_run.h"

#include <string.h>
#include <sys/stat.h>

void at_learn_predict_spec_default(at_learn_predict_spec *s)
{
    memset(s, 0, sizeof *s);
    s->overlap = 0.5f;
}

/* Window side along an axis of n voxels: the largest multiple of 2^depth
 * that is <= min(want, n); 0 when n < 2^depth. */
static int64_t window_for(int64_t n, int64_t want, int depth)
{
    int64_t unit = (int64_t)1 << depth, w = want < n ? want : n;
    return w / unit * unit;
}

/* The model's architecture: the checkpoint's, checked against the config
 * when both say one; the config's alone for a checkpoint that records
 * none. */
static at_status architecture(const char *ckpt, const at_unet_config *given, at_unet_config *cfg)
{
    at_unet_config_default(cfg);
    if (given)
        *cfg = *given;
    at_unet_config arch = *cfg;
    at_status st = at_checkpoint_read_config(ckpt, &arch);
    if (st == AT_ERR_NOT_FOUND && given)
        return AT_OK; /* the config describes the model; the shapes are checked at load */
    if (st != AT_OK)
        return st;
    if (given && (st = at_unet_config_same_model(&arch, "the checkpoint", given, "the config")) != AT_OK)
        return at_error_prefix(st, "%s", ckpt);
    *cfg = arch; /* architecture and training window from the checkpoint */
    return AT_OK;
}

at_status at_learn_predict_run(const at_learn_predict_spec *spec, at_run *run, at_learn_predict_result *res)
{
    at_learn_predict_result r;
    memset(&r, 0, sizeof r);
    if (res)
        *res = r;
    if (!run)
        run = at_run_default();
    if (!spec->checkpoint || !spec->input || !spec->output)
        return at_error_set(AT_ERR_ARG, "learn predict: a checkpoint, an input and an output are needed");
    if (!(spec->overlap >= 0 && spec->overlap <= 0.9f))
        return at_error_set(AT_ERR_ARG, "learn predict: overlap %.2f out of range 0..0.9",
                            (double)spec->overlap);
    char *ckpt = NULL, *input = NULL, *output = NULL;
    at_status st = at_run_path(run, spec->checkpoint, 0, &ckpt);
    if (!st)
        st = at_run_path(run, spec->input, 0, &input);
    if (!st)
        st = at_run_path(run, spec->output, 1, &output);
    struct stat sb;
    if (!st && !spec->force && lstat(output, &sb) == 0)
        st = at_error_set(AT_ERR_REFUSED, "%s exists; nothing was written (force writes over it)",
                          spec->output);
    at_unet_config cfg;
    if (!st)
        st = architecture(ckpt, spec->cfg, &cfg);
    if (!st && (cfg.out_channels != 1 || (cfg.mode != AT_MODE_25D && cfg.in_channels != 1)))
        st = at_error_set(AT_ERR_ARG,
                          "learn predict reads and writes one channel; the model has %d input and "
                          "%d output channels",
                          at_unet_input_channels(&cfg), cfg.out_channels);
    at_volume *vol = NULL, *out = NULL;
    at_model *m = NULL;
    if (!st)
        st = at_nifti_read(input, &vol);
    int sp = cfg.mode == AT_MODE_3D ? 3 : 2;
    int64_t spatial[3] = {1, 1, 1};
    if (!st) {
        r.dhw[0] = vol->grid.dim[2];
        r.dhw[1] = vol->grid.dim[1];
        r.dhw[2] = vol->grid.dim[0];
        r.dims = sp;
        int64_t want = spec->window ? spec->window : cfg.size;
        static const char *axis_name[3] = {"k (slices)", "j (rows)", "i (columns)"};
        for (int a = 0; !st && a < sp; a++) {
            int axis = a + 3 - sp; /* 2D windows cover j and i */
            spatial[a] = window_for(r.dhw[axis], want, cfg.depth);
            r.window[axis] = spatial[a];
            if (spatial[a] == 0)
                st = at_error_set(AT_ERR_ARG,
                                  "%s: axis %s has %lld voxels, the model needs at least %d "
                                  "(2^depth)",
                                  spec->input, axis_name[axis], (long long)r.dhw[axis], 1 << cfg.depth);
        }
        if (sp == 2)
            r.window[0] = 1;
    }
    if (!st)
        st = at_model_create(&cfg, spec->batch ? spec->batch : cfg.batch, spatial, cfg.seed, &m);
    if (!st)
        st = at_checkpoint_load(ckpt, m, NULL, NULL);
    if (!st)
        st = at_volume_new(&vol->grid, 0.0f, &out);
    if (!st)
        st = at_predict_volume_run(m, vol->data, 1, r.dhw, spec->overlap, run, out->data);
    if (!st)
        st = at_run_check(run, "learn predict");
    if (!st)
        st = at_nifti_write(out, output); /* atomic: the file appears complete or not at all */
    if (res)
        *res = r;
    at_model_free(m);
    at_volume_free(vol);
    at_volume_free(out);
    at_free(ckpt);
    at_free(input);
    at_free(output);
    return st;
}
