/* Checkpoints: the model's state_dict (PyTorch names and layouts, F32,
 * num_batches_tracked as I64 scalars), optionally AdamW moments as
 * optim.m.<name> / optim.v.<name>, and the training state in
 * __metadata__, written atomically as safetensors.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "ckmeta.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t lt_st_dtype_size(at_st_dtype dt);
const char *lt_st_dtype_name(at_st_dtype dt);

typedef struct {
    char name[112];
    const char *dtype;
    int ndim;
    int64_t shape[5];
    const void *data;
    size_t nbytes;
} out_tensor;

/* The BN prefixes ("enc.0.bn1", ...) of the model: parameter i is a running_var. */
static int is_running_var(const lt_param *p, char *prefix, size_t cap)
{
    size_t n = strlen(p->name);
    if (n < 12 || strcmp(p->name + n - 12, ".running_var"))
        return 0;
    snprintf(prefix, cap, "%.*s", (int)(n - 12), p->name);
    return 1;
}

static at_status build_list(at_model *m, const at_adamw *o, const int64_t *nbt, out_tensor **out,
                            size_t *count)
{
    size_t cap = 3 * m->nparams + 1, n = 0;
    out_tensor *v = at_calloc(cap, sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < m->nparams; i++) {
        lt_param *p = &m->params[i];
        out_tensor *t = &v[n++];
        snprintf(t->name, sizeof t->name, "%s", p->name);
        t->dtype = "F32";
        t->ndim = p->ndim;
        memcpy(t->shape, p->shape, sizeof t->shape);
        t->data = p->data;
        t->nbytes = p->count * 4;
        char prefix[96];
        if (is_running_var(p, prefix, sizeof prefix)) {
            t = &v[n++];
            snprintf(t->name, sizeof t->name, "%s.num_batches_tracked", prefix);
            t->dtype = "I64";
            t->ndim = 0;
            t->data = nbt;
            t->nbytes = 8;
        }
    }
    if (o) {
        for (int which = 0; which < 2; which++) {
            size_t slot = 0;
            float *mom = lt_adamw_moment((at_adamw *)o, which);
            for (size_t i = 0; i < m->nparams; i++) {
                lt_param *p = &m->params[i];
                if (!p->grad)
                    continue;
                out_tensor *t = &v[n++];
                snprintf(t->name, sizeof t->name, "optim.%s.%s", which ? "v" : "m", p->name);
                t->dtype = "F32";
                t->ndim = p->ndim;
                memcpy(t->shape, p->shape, sizeof t->shape);
                t->data = mom + slot;
                t->nbytes = p->count * 4;
                slot += p->count;
            }
        }
    }
    *out = v;
    *count = n;
    return AT_OK;
}

at_status at_checkpoint_save(const char *path, at_model *m, const at_adamw *o, const at_train_state *state)
{
    int64_t nbt = m->batches_tracked;
    out_tensor *v;
    size_t n;
    at_status st = build_list(m, o, &nbt, &v, &n);
    if (st != AT_OK)
        return st;
    at_buf h;
    at_buf_init(&h, AT_ST_MAX_HEADER);
    st = at_buf_puts(&h, "{\"__metadata__\":");
    if (st == AT_OK)
        st = lt_meta_write(&h, m, o, state);
    size_t off = 0;
    for (size_t i = 0; i < n && st == AT_OK; i++) {
        st = at_buf_puts(&h, ",");
        if (st == AT_OK)
            st = at_buf_json_string(&h, v[i].name, strlen(v[i].name));
        if (st == AT_OK)
            st = at_buf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[", v[i].dtype);
        for (int k = 0; k < v[i].ndim && st == AT_OK; k++)
            st = at_buf_printf(&h, "%s%" PRId64, k ? "," : "", v[i].shape[k]);
        if (st == AT_OK)
            st = at_buf_printf(&h, "],\"data_offsets\":[%zu,%zu]}", off, off + v[i].nbytes);
        off += v[i].nbytes;
    }
    if (st == AT_OK)
        st = at_buf_putc(&h, '}');
    while (st == AT_OK && h.len % 8)
        st = at_buf_putc(&h, ' ');
    at_atomic_file *f = NULL;
    if (st == AT_OK)
        st = at_atomic_open(path, &f);
    if (st == AT_OK) {
        unsigned char len8[8];
        uint64_t hl = h.len;
        for (int i = 0; i < 8; i++)
            len8[i] = (unsigned char)(hl >> (8 * i));
        st = at_atomic_write(f, len8, 8);
        if (st == AT_OK)
            st = at_atomic_write(f, h.data, h.len);
        /* data: little-endian host, written as is */
        for (size_t i = 0; i < n && st == AT_OK; i++)
            st = at_atomic_write(f, v[i].data, v[i].nbytes);
        if (st == AT_OK)
            st = at_atomic_commit(f);
        else
            at_atomic_abort(f);
    }
    at_buf_free(&h);
    at_free(v);
    return st;
}

/* Load tensor name into dst with the shape of shape_of; every value must be
 * finite (and >= 0 when nonneg: running variances, second moments). */
static at_status load_tensor(const at_st_file *f, const char *name, const lt_param *shape_of, int nonneg,
                             float *dst)
{
    const at_st_tensor *t = at_st_find(f, name);
    if (!t)
        return at_error_set(AT_ERR_FORMAT, "tensor '%s' is missing", name);
    if (t->dtype != AT_ST_F32 && t->dtype != AT_ST_BF16)
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': dtype %s, expected F32", name,
                            lt_st_dtype_name(t->dtype));
    int same = t->ndim == shape_of->ndim;
    for (int k = 0; same && k < t->ndim; k++)
        same = t->shape[k] == shape_of->shape[k];
    if (!same) {
        char got[128] = "", want[128] = "";
        for (int k = 0; k < t->ndim; k++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", k ? "," : "",
                     (long long)t->shape[k]);
        for (int k = 0; k < shape_of->ndim; k++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", k ? "," : "",
                     (long long)shape_of->shape[k]);
        return at_error_set(AT_ERR_FORMAT, "tensor '%s': shape [%s], the model needs [%s]", name, got, want);
    }
    at_status st = at_st_to_f32(t, dst, shape_of->count);
    for (size_t i = 0; st == AT_OK && i < shape_of->count; i++)
        if (!isfinite(dst[i]) || (nonneg && dst[i] < 0))
            st = at_error_set(AT_ERR_FORMAT, "tensor '%s': element %zu is %s%s", name, i,
                              isnan(dst[i])   ? "NaN"
                              : isinf(dst[i]) ? "infinite"
                                              : "negative",
                              isfinite(dst[i]) ? " (it must be >= 0)" : " (weights must be finite)");
    return st;
}

at_status at_checkpoint_load(const char *path, at_model *m, at_adamw *o, at_train_state *state)
{
    at_st_file *f;
    at_status st = at_st_read_file(path, LT_CKPT_MAX_BYTES, &f);
    if (st != AT_OK)
        return st;
    /* load into scratch first: the model is untouched on failure */
    float *vals = at_calloc(m->param_total ? m->param_total : 1, sizeof(float));
    if (!vals) {
        at_st_free(f);
        return AT_ERR_NOMEM;
    }
    size_t off = 0;
    for (size_t i = 0; i < m->nparams && st == AT_OK; i++) {
        size_t len = strlen(m->params[i].name);
        int var = len > 12 && !strcmp(m->params[i].name + len - 12, ".running_var");
        st = load_tensor(f, m->params[i].name, &m->params[i], var, vals + off);
        off += m->params[i].count;
    }
    float *mom[2] = {NULL, NULL};
    int with_optim = 0;
    if (st == AT_OK && o && at_st_find(f, "optim.m.head.weight")) {
        with_optim = 1;
        for (int which = 0; which < 2 && st == AT_OK; which++) {
            mom[which] = at_calloc(m->grad_total ? m->grad_total : 1, sizeof(float));
            if (!mom[which]) {
                st = AT_ERR_NOMEM;
                break;
            }
            size_t slot = 0;
            for (size_t i = 0; i < m->nparams && st == AT_OK; i++) {
                lt_param *p = &m->params[i];
                if (!p->grad)
                    continue;
                char name[128];
                snprintf(name, sizeof name, "optim.%s.%s", which ? "v" : "m", p->name);
                st = load_tensor(f, name, p, which, mom[which] + slot);
                slot += p->count;
            }
        }
    }
    cJSON *meta = NULL;
    if (st == AT_OK && f->metadata_json && !(meta = cJSON_Parse(f->metadata_json)))
        st = AT_ERR_NOMEM; /* the parser validated it: only memory can fail */
    int64_t adam_step = 0;
    if (st == AT_OK && with_optim) {
        const char *s = lt_meta_get(meta, "adam_step");
        if (!s || sscanf(s, "%" SCNd64, &adam_step) != 1 || adam_step < 0 || adam_step > AT_TRAIN_MAX_STEPS)
            st = at_error_set(AT_ERR_FORMAT, "__metadata__: adam_step missing or invalid");
    }
    at_train_state ts;
    memset(&ts, 0, sizeof ts);
    int have_state = 0;
    if (st == AT_OK && state && lt_meta_get(meta, "step")) {
        have_state = 1;
        st = lt_meta_read_state(meta, &ts);
    }
    const at_st_tensor *nbt = at_st_find(f, "enc.0.bn1.num_batches_tracked");
    if (st == AT_OK) {
        memcpy(m->param_data, vals, m->param_total * sizeof(float));
        if (with_optim) {
            memcpy(lt_adamw_moment(o, 0), mom[0], m->grad_total * sizeof(float));
            memcpy(lt_adamw_moment(o, 1), mom[1], m->grad_total * sizeof(float));
            lt_adamw_set_steps(o, adam_step);
        }
        if (have_state)
            *state = ts;
        if (nbt && nbt->dtype == AT_ST_I64 && nbt->nbytes == 8) {
            uint64_t x = 0; /* little-endian, exact (a float would round past 2^24) */
            for (int k = 7; k >= 0; k--)
                x = x << 8 | nbt->data[k];
            if ((int64_t)x >= 0)
                m->batches_tracked = (int64_t)x;
        }
        lt_model_mark_dirty(m);
    } else {
        at_error_prefix(st, "%s", path);
    }
    cJSON_Delete(meta);
    at_free(mom[0]);
    at_free(mom[1]);
    at_free(vals);
    at_st_free(f);
    return st;
}
