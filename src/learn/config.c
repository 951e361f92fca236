/* The model/training config: "key = value" lines a student can edit
 * without recompiling. '#' starts a comment; blank lines are skipped;
 * an unknown key or a bad value is an error naming the file and line. */
#include "atelier/learn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONFIG_MAX_BYTES (1u << 20)
#define CONFIG_MAX_LINE 1024

void at_unet_config_default(at_unet_config *c)
{
    memset(c, 0, sizeof *c);
    c->mode = AT_MODE_2D;
    c->neighbours = 1;
    c->in_channels = 1;
    c->out_channels = 1;
    c->base = 16;
    c->depth = 4;
    c->norm = AT_NORM_BATCH;
    c->groups = 4;
    c->bn_momentum = 0.1f;
    c->bn_eps = 1e-5f;
    c->loss = AT_LOSS_L1;
    c->lr = 1e-3f;
    c->weight_decay = 1e-2f;
    c->beta1 = 0.9f;
    c->beta2 = 0.999f;
    c->adam_eps = 1e-8f;
    c->schedule = AT_SCHED_COSINE;
    c->warmup_steps = 0;
    c->step_size = 1000;
    c->step_gamma = 0.5f;
    c->min_lr = 0;
    c->epochs = 10;
    c->batch = 8;
    c->micro_batches = 1;
    c->size = 64;
    c->threads = 0;
    c->seed = 1;
}

int at_unet_input_channels(const at_unet_config *c)
{
    return c->mode == AT_MODE_25D ? 2 * c->neighbours + 1 : c->in_channels;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

static int parse_float(const char *v, double lo, double hi, float *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= lo && x <= hi))
        return 0;
    *out = (float)x;
    return 1;
}

typedef struct {
    const char *key;
    char kind; /* i: int, f: float */
    size_t off;
    double lo, hi;
} num_key;

#define OFF(f) offsetof(at_unet_config, f)
static const num_key NUM_KEYS[] = {
    {"neighbours", 'i', OFF(neighbours), 0, 16},
    {"in_channels", 'i', OFF(in_channels), 1, 1024},
    {"out_channels", 'i', OFF(out_channels), 1, 1024},
    {"base", 'i', OFF(base), 1, 1024},
    {"depth", 'i', OFF(depth), 1, 7},
    {"groups", 'i', OFF(groups), 1, 1024},
    {"bn_momentum", 'f', OFF(bn_momentum), 0, 1},
    {"leaky_slope", 'f', OFF(relu_slope), 0, 1},
    {"bn_eps", 'f', OFF(bn_eps), 1e-12, 1},
    {"lr", 'f', OFF(lr), 0, 10},
    {"weight_decay", 'f', OFF(weight_decay), 0, 10},
    {"beta1", 'f', OFF(beta1), 0, 0.999999},
    {"beta2", 'f', OFF(beta2), 0, 0.999999999},
    {"adam_eps", 'f', OFF(adam_eps), 1e-20, 1},
    {"warmup_steps", 'i', OFF(warmup_steps), 0, 100000000},
    {"step_size", 'i', OFF(step_size), 1, 100000000},
    {"step_gamma", 'f', OFF(step_gamma), 0, 1},
    {"min_lr", 'f', OFF(min_lr), 0, 10},
    {"epochs", 'i', OFF(epochs), 1, 1000000},
    {"batch", 'i', OFF(batch), 1, 4096},
    {"micro_batches", 'i', OFF(micro_batches), 1, 4096},
    {"size", 'i', OFF(size), 1, 65536},
    {"threads", 'i', OFF(threads), 0, 1024},
    {"minutes", 'f', OFF(minutes), 0, 1e6},
};

static at_status set_key(at_unet_config *c, const char *k, const char *v)
{
    for (size_t i = 0; i < sizeof NUM_KEYS / sizeof *NUM_KEYS; i++) {
        const num_key *nk = &NUM_KEYS[i];
        if (strcmp(nk->key, k))
            continue;
        if (nk->kind == 'i') {
            long x;
            if (!parse_int(v, (long)nk->lo, (long)nk->hi, &x))
                return at_error_set(AT_ERR_FORMAT, "%s must be an integer in %g..%g", k, nk->lo, nk->hi);
            *(int *)((char *)c + nk->off) = (int)x;
        } else if (!parse_float(v, nk->lo, nk->hi, (float *)((char *)c + nk->off))) {
            return at_error_set(AT_ERR_FORMAT, "%s must be a number in %g..%g", k, nk->lo, nk->hi);
        }
        return AT_OK;
    }
    if (!strcmp(k, "mode") || !strcmp(k, "model")) {
        if (!strcasecmp(v, "2d") || !strcasecmp(v, "unet2d"))
            c->mode = AT_MODE_2D;
        else if (!strcasecmp(v, "2.5d") || !strcasecmp(v, "unet25d"))
            c->mode = AT_MODE_25D;
        else if (!strcasecmp(v, "3d") || !strcasecmp(v, "unet3d"))
            c->mode = AT_MODE_3D;
        else
            return at_error_set(AT_ERR_FORMAT, "%s must be 2d, 2.5d or 3d", k);
    } else if (!strcmp(k, "norm")) {
        if (!strcasecmp(v, "batch"))
            c->norm = AT_NORM_BATCH;
        else if (!strcasecmp(v, "none"))
            c->norm = AT_NORM_NONE;
        else if (!strcasecmp(v, "instance"))
            c->norm = AT_NORM_INSTANCE;
        else if (!strcasecmp(v, "group"))
            c->norm = AT_NORM_GROUP;
        else
            return at_error_set(AT_ERR_FORMAT, "norm must be batch, instance, group or none");
    } else if (!strcmp(k, "activation")) {
        if (!strcasecmp(v, "relu"))
            c->relu_slope = 0;
        else if (!strcasecmp(v, "leaky_relu"))
            c->relu_slope = c->relu_slope > 0 ? c->relu_slope : 0.01f;
        else
            return at_error_set(AT_ERR_FORMAT, "activation must be relu or leaky_relu");
    } else if (!strcmp(k, "loss")) {
        if (!strcasecmp(v, "l1"))
            c->loss = AT_LOSS_L1;
        else if (!strcasecmp(v, "mse"))
            c->loss = AT_LOSS_MSE;
        else
            return at_error_set(AT_ERR_FORMAT, "loss must be l1 or mse");
    } else if (!strcmp(k, "schedule")) {
        if (!strcasecmp(v, "constant"))
            c->schedule = AT_SCHED_CONSTANT;
        else if (!strcasecmp(v, "cosine"))
            c->schedule = AT_SCHED_COSINE;
        else if (!strcasecmp(v, "step"))
            c->schedule = AT_SCHED_STEP;
        else
            return at_error_set(AT_ERR_FORMAT, "schedule must be constant, cosine or step");
    } else if (!strcmp(k, "bf16")) {
        if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
            c->bf16 = 1;
        else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
            c->bf16 = 0;
        else
            return at_error_set(AT_ERR_FORMAT, "bf16 must be true or false");
    } else if (!strcmp(k, "data") || !strcmp(k, "val_data")) {
        if (strlen(v) >= AT_LEARN_MAX_PATH)
            return at_error_set(AT_ERR_LIMIT, "%s: path longer than %d bytes", k, AT_LEARN_MAX_PATH - 1);
        snprintf(!strcmp(k, "data") ? c->data : c->val_data, AT_LEARN_MAX_PATH, "%s", v);
    } else if (!strcmp(k, "seed")) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (errno || end == v || *end || *v == '-')
            return at_error_set(AT_ERR_FORMAT, "seed must be a non-negative integer");
        c->seed = s;
    } else {
        return at_error_set(AT_ERR_FORMAT, "unknown key '%s'", k);
    }
    return AT_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

at_status at_unet_config_parse(const char *name, const char *text, size_t len, at_unet_config *c)
{
    size_t pos = 0;
    int lineno = 0;
    char line[CONFIG_MAX_LINE + 1];
    while (pos < len) {
        lineno++;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t n = end - pos;
        if (n > CONFIG_MAX_LINE)
            return at_error_set(AT_ERR_LIMIT, "%s:%d: line longer than %d bytes", name, lineno,
                                CONFIG_MAX_LINE);
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = end + 1;
        if (memchr(line, '\0', n))
            return at_error_set(AT_ERR_FORMAT, "%s:%d: NUL byte in line", name, lineno);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            return at_error_set(AT_ERR_FORMAT, "%s:%d: expected 'key = value'", name, lineno);
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        if (!*k || !*v)
            return at_error_set(AT_ERR_FORMAT, "%s:%d: expected 'key = value'", name, lineno);
        at_status st = set_key(c, k, v);
        if (st != AT_OK)
            return at_error_prefix(st, "%s:%d", name, lineno);
    }
    return AT_OK;
}

at_status at_unet_config_load(const char *path, at_unet_config *c)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, CONFIG_MAX_BYTES, &data, &len);
    if (st != AT_OK)
        return st;
    st = at_unet_config_parse(path, (const char *)data, len, c);
    at_free(data);
    return st;
}
