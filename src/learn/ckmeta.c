/* Checkpoint metadata: the model's whole architecture and the training
 * state, as the string values safetensors' "__metadata__" allows, written
 * and read back with every value range-checked. The architecture is what a
 * PyTorch user needs to rebuild the model from the file alone
 * (tests/learn/torch_load.py does).
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "ckmeta.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *mode_name(at_unet_mode m)
{
    return m == AT_MODE_3D ? "3d" : m == AT_MODE_25D ? "2.5d" : "2d";
}

static const char *norm_name(at_norm_kind n)
{
    return n == AT_NORM_BATCH      ? "batch"
           : n == AT_NORM_INSTANCE ? "instance"
           : n == AT_NORM_GROUP    ? "group"
                                   : "none";
}

at_status lt_meta_write(at_buf *h, const at_model *m, const at_adamw *o, const at_train_state *state)
{
    const at_unet_config *c = &m->cfg;
    at_status st = at_buf_printf(
        h,
        "{\"format\":\"pt\",\"atelier\":\"unet\",\"mode\":\"%s\",\"dims\":\"%d\","
        "\"neighbours\":\"%d\",\"in_channels\":\"%d\",\"out_channels\":\"%d\",\"base\":\"%d\","
        "\"depth\":\"%d\",\"norm\":\"%s\",\"activation\":\"%s\",\"leaky_slope\":\"%.9g\","
        "\"norm_eps\":\"%.9g\",\"bn_momentum\":\"%.9g\"",
        mode_name(c->mode), m->sp, c->mode == AT_MODE_25D ? c->neighbours : 0, m->in_ch, c->out_channels,
        c->base, c->depth, norm_name(c->norm), c->relu_slope > 0 ? "leaky_relu" : "relu",
        (double)c->relu_slope, (double)c->bn_eps, (double)c->bn_momentum);
    /* the window the model was built for (inference reuses it) */
    int square = 1;
    for (int i = 1; i < m->sp; i++)
        square &= m->spatial[i] == m->spatial[0];
    if (st == AT_OK && square)
        st = at_buf_printf(h, ",\"size\":\"%lld\"", (long long)m->spatial[0]);
    if (st == AT_OK && c->norm == AT_NORM_GROUP)
        st = at_buf_printf(h, ",\"groups\":\"%d\"", c->groups);
    if (st == AT_OK && o)
        st = at_buf_printf(h, ",\"adam_step\":\"%" PRId64 "\"", at_adamw_steps(o));
    if (st == AT_OK && state)
        st = at_buf_printf(h,
                           ",\"step\":\"%" PRId64 "\",\"epoch\":\"%" PRId64 "\",\"seed\":\"%" PRIu64
                           "\",\"best_val\":\"%.17g\",\"seconds\":\"%.3f\","
                           "\"epoch_loss_sum\":\"%.17g\",\"steps_per_epoch\":\"%" PRId64 "\"",
                           state->step, state->epoch, state->seed, state->best_val, state->seconds,
                           state->epoch_loss_sum, state->steps_per_epoch);
    if (st == AT_OK && state && state->planned_epochs > 0)
        st = at_buf_printf(h, ",\"planned_epochs\":\"%" PRId64 "\"", state->planned_epochs);
    if (st == AT_OK && state && state->source_words > 0) {
        /* the batch source's random state: 16 hex digits a word */
        st = at_buf_printf(h, ",\"source_state\":\"");
        for (size_t i = 0; st == AT_OK && i < state->source_words && i < AT_TRAIN_MAX_STATE_WORDS; i++)
            st = at_buf_printf(h, "%016" PRIx64, state->source_state[i]);
        if (st == AT_OK)
            st = at_buf_putc(h, '"');
    }
    if (st == AT_OK)
        st = at_buf_putc(h, '}');
    return st;
}

const char *lt_meta_get(const cJSON *meta, const char *key)
{
    const cJSON *j = meta ? cJSON_GetObjectItemCaseSensitive(meta, key) : NULL;
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

/* Integer key in lo..hi; missing: AT_ERR_NOT_FOUND when optional, else an error. */
static at_status get_int(const cJSON *meta, const char *key, int64_t lo, int64_t hi, int optional,
                         int64_t *out)
{
    const char *s = lt_meta_get(meta, key);
    if (!s)
        return optional ? AT_ERR_NOT_FOUND
                        : at_error_set(AT_ERR_FORMAT, "__metadata__: '%s' is missing", key);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return at_error_set(AT_ERR_FORMAT, "__metadata__: '%s' must be an integer in %" PRId64 "..%" PRId64,
                            key, lo, hi);
    *out = v;
    return AT_OK;
}

/* Number key in lo..hi (NaN refused); missing: as get_int. */
static at_status get_num(const cJSON *meta, const char *key, double lo, double hi, int optional, double *out)
{
    const char *s = lt_meta_get(meta, key);
    if (!s)
        return optional ? AT_ERR_NOT_FOUND
                        : at_error_set(AT_ERR_FORMAT, "__metadata__: '%s' is missing", key);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return at_error_set(AT_ERR_FORMAT, "__metadata__: '%s' must be a number in %g..%g", key, lo, hi);
    *out = v;
    return AT_OK;
}

at_status lt_meta_read_config(const cJSON *meta, at_unet_config *cfg)
{
    const char *mode = lt_meta_get(meta, "mode");
    if (!mode || !lt_meta_get(meta, "base"))
        return at_error_set(AT_ERR_NOT_FOUND, "the checkpoint does not record its architecture "
                                              "(mode, base, ...); give a config");
    at_unet_config c = *cfg;
    if (!strcmp(mode, "2d") || !strcmp(mode, "2")) /* "2", "3", "25": earlier checkpoints */
        c.mode = AT_MODE_2D;
    else if (!strcmp(mode, "2.5d") || !strcmp(mode, "25"))
        c.mode = AT_MODE_25D;
    else if (!strcmp(mode, "3d") || !strcmp(mode, "3"))
        c.mode = AT_MODE_3D;
    else
        return at_error_set(AT_ERR_FORMAT, "__metadata__: mode must be 2d, 2.5d or 3d");
    int64_t v, in_ch;
    at_status st;
    if ((st = get_int(meta, "base", 1, 1024, 0, &v)) != AT_OK)
        return st;
    c.base = (int)v;
    if ((st = get_int(meta, "depth", 1, 7, 0, &v)) != AT_OK)
        return st;
    c.depth = (int)v;
    if ((st = get_int(meta, "in_channels", 1, 1024, 0, &in_ch)) != AT_OK)
        return st;
    if ((st = get_int(meta, "out_channels", 1, 1024, 0, &v)) != AT_OK)
        return st;
    c.out_channels = (int)v;
    if (c.mode == AT_MODE_25D) {
        st = get_int(meta, "neighbours", 0, 16, 1, &v);
        if (st == AT_ERR_NOT_FOUND)
            v = (in_ch - 1) / 2, st = AT_OK;
        if (st != AT_OK)
            return st;
        if (2 * v + 1 != in_ch)
            return at_error_set(AT_ERR_FORMAT,
                                "__metadata__: 2.5d with %d neighbours needs %d input channels, "
                                "not %d",
                                (int)v, 2 * (int)v + 1, (int)in_ch);
        c.neighbours = (int)v;
    } else {
        c.in_channels = (int)in_ch;
    }
    const char *norm = lt_meta_get(meta, "norm");
    if (!norm)
        return at_error_set(AT_ERR_FORMAT, "__metadata__: 'norm' is missing");
    if (!strcmp(norm, "batch"))
        c.norm = AT_NORM_BATCH;
    else if (!strcmp(norm, "instance"))
        c.norm = AT_NORM_INSTANCE;
    else if (!strcmp(norm, "group"))
        c.norm = AT_NORM_GROUP;
    else if (!strcmp(norm, "none"))
        c.norm = AT_NORM_NONE;
    else
        return at_error_set(AT_ERR_FORMAT, "__metadata__: norm must be batch, instance, group or none");
    if (c.norm == AT_NORM_GROUP) {
        if ((st = get_int(meta, "groups", 1, 1024, 0, &v)) != AT_OK)
            return st;
        c.groups = (int)v;
    }
    const char *act = lt_meta_get(meta, "activation");
    double x;
    if (!act || !strcmp(act, "relu")) {
        c.relu_slope = 0;
    } else if (!strcmp(act, "leaky_relu")) {
        if ((st = get_num(meta, "leaky_slope", 1e-9, 1, 0, &x)) != AT_OK)
            return st;
        c.relu_slope = (float)x;
    } else {
        return at_error_set(AT_ERR_FORMAT, "__metadata__: activation must be relu or leaky_relu");
    }
    st = get_num(meta, "norm_eps", 1e-12, 1, 1, &x);
    if (st == AT_OK)
        c.bn_eps = (float)x;
    else if (st != AT_ERR_NOT_FOUND)
        return st;
    st = get_num(meta, "bn_momentum", 0, 1, 1, &x);
    if (st == AT_OK)
        c.bn_momentum = (float)x;
    else if (st != AT_ERR_NOT_FOUND)
        return st;
    st = get_int(meta, "size", 1, 65536, 1, &v);
    if (st == AT_OK)
        c.size = (int)v;
    else if (st != AT_ERR_NOT_FOUND)
        return st;
    *cfg = c;
    return AT_OK;
}

at_status lt_meta_read_state(const cJSON *meta, at_train_state *out)
{
    at_train_state ts;
    memset(&ts, 0, sizeof ts);
    at_status st;
    int64_t v;
    double x;
    if ((st = get_int(meta, "step", 0, AT_TRAIN_MAX_STEPS, 0, &ts.step)) != AT_OK)
        return st;
    if ((st = get_int(meta, "epoch", 0, AT_TRAIN_MAX_EPOCHS, 0, &ts.epoch)) != AT_OK)
        return st;
    if ((st = get_int(meta, "steps_per_epoch", 1, AT_TRAIN_MAX_STEPS, 0, &ts.steps_per_epoch)) != AT_OK)
        return st;
    const char *seed = lt_meta_get(meta, "seed");
    char *end;
    errno = 0;
    if (!seed || !*seed || *seed == '-' || (ts.seed = strtoull(seed, &end, 10), errno || *end))
        return at_error_set(AT_ERR_FORMAT, "__metadata__: 'seed' missing or not an unsigned integer");
    if ((st = get_num(meta, "best_val", 0, INFINITY, 0, &x)) != AT_OK)
        return st;
    ts.best_val = x;
    if ((st = get_num(meta, "seconds", 0, 1e12, 0, &ts.seconds)) != AT_OK)
        return st;
    if ((st = get_num(meta, "epoch_loss_sum", 0, 1e300, 0, &ts.epoch_loss_sum)) != AT_OK)
        return st;
    st = get_int(meta, "planned_epochs", 1, AT_TRAIN_MAX_EPOCHS, 1, &ts.planned_epochs);
    if (st != AT_OK && st != AT_ERR_NOT_FOUND)
        return st;
    const char *src = lt_meta_get(meta, "source_state");
    if (src) {
        size_t n = strlen(src);
        if (n == 0 || n % 16 || n / 16 > AT_TRAIN_MAX_STATE_WORDS)
            return at_error_set(AT_ERR_FORMAT,
                                "__metadata__: 'source_state' must be 1 to %d words "
                                "of 16 hex digits",
                                AT_TRAIN_MAX_STATE_WORDS);
        for (size_t i = 0; i < n / 16; i++) {
            uint64_t w = 0;
            for (size_t k = 0; k < 16; k++) {
                char c = src[16 * i + k];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0)
                    return at_error_set(AT_ERR_FORMAT, "__metadata__: 'source_state' is not hex");
                w = w << 4 | (uint64_t)d;
            }
            ts.source_state[i] = w;
        }
        ts.source_words = n / 16;
    }
    /* an epoch's steps: epoch * steps_per_epoch <= step < (epoch + 1) * steps_per_epoch */
    v = ts.step / ts.steps_per_epoch;
    if (v != ts.epoch)
        return at_error_set(AT_ERR_FORMAT,
                            "__metadata__: step %" PRId64 " does not fall in epoch %" PRId64 " of %" PRId64
                            " steps",
                            ts.step, ts.epoch + 1, ts.steps_per_epoch);
    if (ts.step % ts.steps_per_epoch == 0 && ts.epoch_loss_sum != 0)
        return at_error_set(AT_ERR_FORMAT, "__metadata__: epoch_loss_sum must be 0 at an epoch start");
    *out = ts;
    return AT_OK;
}

at_status at_st_read_config(const at_st_file *f, const char *name, at_unet_config *cfg)
{
    cJSON *meta = f->metadata_json ? cJSON_Parse(f->metadata_json) : NULL;
    if (f->metadata_json && !meta)
        return AT_ERR_NOMEM; /* at_st_parse validated it: only memory can fail */
    at_status st = lt_meta_read_config(meta, cfg);
    cJSON_Delete(meta);
    if (st != AT_OK)
        at_error_prefix(st, "%s", name);
    return st;
}

at_status at_checkpoint_read_config(const char *path, at_unet_config *cfg)
{
    at_st_file *f;
    at_status st = at_st_read_file(path, LT_CKPT_MAX_BYTES, &f);
    if (st != AT_OK)
        return st;
    st = at_st_read_config(f, path, cfg);
    at_st_free(f);
    return st;
}

at_status at_unet_config_same_model(const at_unet_config *a, const char *a_name, const at_unet_config *b,
                                    const char *b_name)
{
    char va[64], vb[64];
    const char *key = NULL;
#define DIFF(k, fmt, x, y)                                                                                   \
    if (!key && (x) != (y)) {                                                                                \
        key = k;                                                                                             \
        snprintf(va, sizeof va, fmt, x);                                                                     \
        snprintf(vb, sizeof vb, fmt, y);                                                                     \
    }
    if (!key && a->mode != b->mode) {
        key = "mode";
        snprintf(va, sizeof va, "%s", mode_name(a->mode));
        snprintf(vb, sizeof vb, "%s", mode_name(b->mode));
    }
    if (a->mode == AT_MODE_25D)
        DIFF("neighbours", "%d", a->neighbours, b->neighbours);
    DIFF("in_channels", "%d", at_unet_input_channels(a), at_unet_input_channels(b));
    DIFF("out_channels", "%d", a->out_channels, b->out_channels);
    DIFF("base", "%d", a->base, b->base);
    DIFF("depth", "%d", a->depth, b->depth);
    if (!key && a->norm != b->norm) {
        key = "norm";
        snprintf(va, sizeof va, "%s", norm_name(a->norm));
        snprintf(vb, sizeof vb, "%s", norm_name(b->norm));
    }
    if (a->norm == AT_NORM_GROUP)
        DIFF("groups", "%d", a->groups, b->groups);
    if (!key && (a->relu_slope > 0) != (b->relu_slope > 0)) {
        key = "activation";
        snprintf(va, sizeof va, "%s", a->relu_slope > 0 ? "leaky_relu" : "relu");
        snprintf(vb, sizeof vb, "%s", b->relu_slope > 0 ? "leaky_relu" : "relu");
    }
    DIFF("leaky_slope", "%g", (double)a->relu_slope, (double)b->relu_slope);
    if (a->norm != AT_NORM_NONE)
        DIFF("bn_eps", "%g", (double)a->bn_eps, (double)b->bn_eps);
#undef DIFF
    if (!key)
        return AT_OK;
    return at_error_set(AT_ERR_ARG, "%s has %s = %s, %s has %s = %s", a_name, key, va, b_name, key, vb);
}
