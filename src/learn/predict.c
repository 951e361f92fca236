/* Inference over whole volumes: windows of the model's spatial size slide
 * over the slices (2D, 2.5D) or the volume (3D) with overlap; predictions
 * are blended with separable tent weights and run in batches. */
#include "unet.h"

#include <math.h>
#include <string.h>

/* Window starts along an axis of length n for a window w, stride from the
 * overlap; the last window ends at n. Returns the count (<= cap). */
static int window_starts(int64_t n, int64_t w, float overlap, int64_t *out, int cap)
{
    int64_t stride = (int64_t)floor((double)w * (1.0 - overlap));
    if (stride < 1)
        stride = 1;
    int c = 0;
    for (int64_t s = 0;; s += stride) {
        if (s + w >= n) {
            if (c < cap)
                out[c++] = n - w;
            break;
        }
        if (c < cap)
            out[c++] = s;
    }
    return c;
}

static float tent(int64_t i, int64_t w)
{
    return 1.0f - fabsf(2.0f * ((float)i + 0.5f) / (float)w - 1.0f) + 1e-3f;
}

at_status at_predict_volume(at_model *m, const float *vol, int channels, const int64_t dhw[3], float overlap,
                            float *out)
{
    return at_predict_volume_run(m, vol, channels, dhw, overlap, NULL, out);
}

at_status at_predict_volume_run(at_model *m, const float *vol, int channels, const int64_t dhw[3],
                                float overlap, at_run *run, float *out)
{
    if (!(overlap >= 0 && overlap <= 0.9f))
        return at_error_set(AT_ERR_ARG, "predict: overlap %.2f out of range 0..0.9", (double)overlap);
    int is3d = m->sp == 3, k = m->cfg.mode == AT_MODE_25D ? m->cfg.neighbours : 0;
    int want_c = m->cfg.mode == AT_MODE_25D ? 1 : m->in_ch;
    if (channels != want_c)
        return at_error_set(AT_ERR_ARG, "predict: volume has %d channels, the model takes %d", channels,
                            want_c);
    int64_t D = dhw[0], H = dhw[1], W = dhw[2];
    int64_t wd = is3d ? m->spatial[0] : 1, wh = m->spatial[m->sp - 2], ww = m->spatial[m->sp - 1];
    if (D < wd || H < wh || W < ww || D < 1)
        return at_error_set(
            AT_ERR_ARG, "predict: volume %lldx%lldx%lld is smaller than the model window %lldx%lldx%lld",
            (long long)D, (long long)H, (long long)W, (long long)wd, (long long)wh, (long long)ww);
    enum { CAP = 4096 };
    if ((!is3d && D > CAP) || m->batch > CAP)
        return at_error_set(AT_ERR_LIMIT, "predict: more than %d slices or batch", CAP);
    int64_t *zs = at_malloc(3 * CAP * sizeof(int64_t));
    size_t vox = (size_t)(D * H * W);
    float *wsum = at_calloc(vox, sizeof(float));
    float *in = at_calloc(at_model_input_size(m), sizeof(float));
    float *pred = at_calloc(at_model_output_size(m), sizeof(float));
    if (!zs || !wsum || !in || !pred) {
        at_free(zs), at_free(wsum), at_free(in), at_free(pred);
        return AT_ERR_NOMEM;
    }
    int64_t *ys = zs + CAP, *xs = zs + 2 * CAP;
    int nz = is3d ? window_starts(D, wd, overlap, zs, CAP) : 0;
    if (!is3d)
        for (int64_t z = 0; z < D && z < CAP; z++)
            zs[nz++] = z;
    int ny = window_starts(H, wh, overlap, ys, CAP), nx = window_starts(W, ww, overlap, xs, CAP);
    int oc = m->cfg.out_channels, ic = m->in_ch, B = m->batch;
    size_t win = (size_t)(wd * wh * ww);
    memset(out, 0, (size_t)oc * vox * sizeof(float));
    int64_t total = (int64_t)nz * ny * nx, done = 0;
    int64_t slots[4096][3];
    at_status st = AT_OK;
    while (done < total && st == AT_OK) {
        if ((st = at_run_check(run, "predict")) != AT_OK)
            break;
        int nb = 0;
        memset(in, 0, at_model_input_size(m) * sizeof(float));
        for (; nb < B && done < total; nb++, done++) {
            int64_t iz = done / ((int64_t)ny * nx), r = done % ((int64_t)ny * nx);
            int64_t z0 = zs[iz], y0 = ys[r / nx], x0 = xs[r % nx];
            slots[nb][0] = z0, slots[nb][1] = y0, slots[nb][2] = x0;
            for (int c = 0; c < ic; c++) {
                int vc = k ? 0 : c;
                for (int64_t dz = 0; dz < wd; dz++) {
                    int64_t z = z0 + dz + (k ? c - k : 0);
                    z = z < 0 ? 0 : z >= D ? D - 1 : z;
                    for (int64_t y = 0; y < wh; y++) {
                        const float *src = vol + (((size_t)vc * D + z) * H + y0 + y) * W + x0;
                        float *dst = in + (((size_t)nb * ic + c) * wd + dz) * wh * ww + y * ww;
                        memcpy(dst, src, (size_t)ww * sizeof(float));
                    }
                }
            }
        }
        st = at_model_forward(m, in, pred, 0);
        for (int b = 0; b < nb && st == AT_OK; b++) {
            int64_t z0 = slots[b][0], y0 = slots[b][1], x0 = slots[b][2];
            for (int64_t dz = 0; dz < wd; dz++)
                for (int64_t y = 0; y < wh; y++)
                    for (int64_t x = 0; x < ww; x++) {
                        float w = tent(y, wh) * tent(x, ww) * (is3d ? tent(dz, wd) : 1.0f);
                        size_t v = ((size_t)(z0 + dz) * H + y0 + y) * W + x0 + x;
                        wsum[v] += w;
                        for (int c = 0; c < oc; c++)
                            out[(size_t)c * vox + v] +=
                                w * pred[((size_t)b * oc + c) * win + (dz * wh + y) * ww + x];
                    }
        }
        at_run_progress(run, "predict", (uint64_t)done, (uint64_t)total);
    }
    for (size_t v = 0; st == AT_OK && v < vox; v++)
        for (int c = 0; c < oc; c++)
            out[(size_t)c * vox + v] /= wsum[v] > 0 ? wsum[v] : 1.0f;
    at_free(zs), at_free(wsum), at_free(in), at_free(pred);
    return st;
}
