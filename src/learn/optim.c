/* AdamW (PyTorch's update rule, decoupled weight decay) and the learning
 * rate schedules: warm-up then constant, cosine or step decay.
 * Names: lt_ marks the learning engine's internals (tensors, layers,
 * parameters; private to src/learn), at_ the public API of learn.h.
 */
#include "unet.h"

#include <math.h>
#include <string.h>

struct at_adamw {
    at_model *model;
    float beta1, beta2, eps, wd;
    int64_t step;
    float *m, *v; /* one slot per trainable value, in grad_data order */
};

at_status at_adamw_create(at_model *m, float beta1, float beta2, float eps, float weight_decay,
                          at_adamw **out)
{
    *out = NULL;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weight_decay >= 0))
        return at_error_set(AT_ERR_ARG, "adamw: betas must be in [0,1), eps > 0, weight decay >= 0");
    at_adamw *o = at_calloc(1, sizeof *o);
    if (!o)
        return AT_ERR_NOMEM;
    o->model = m;
    o->beta1 = beta1;
    o->beta2 = beta2;
    o->eps = eps;
    o->wd = weight_decay;
    size_t n = m->grad_total ? m->grad_total : 1;
    o->m = at_calloc(n, sizeof(float));
    o->v = at_calloc(n, sizeof(float));
    if (!o->m || !o->v) {
        at_adamw_free(o);
        return AT_ERR_NOMEM;
    }
    *out = o;
    return AT_OK;
}

void at_adamw_free(at_adamw *o)
{
    if (!o)
        return;
    at_free(o->m);
    at_free(o->v);
    at_free(o);
}

int64_t at_adamw_steps(const at_adamw *o)
{
    return o->step;
}

void at_adamw_step(at_adamw *o, float lr)
{
    at_model *m = o->model;
    o->step++;
    float bc1 = 1.0f - powf(o->beta1, (float)o->step);
    float bc2 = 1.0f - powf(o->beta2, (float)o->step);
    float step_size = lr / bc1, sqrt_bc2 = sqrtf(bc2);
    float b1 = o->beta1, b2 = o->beta2, decay = 1.0f - lr * o->wd;
    size_t slot = 0;
    for (size_t i = 0; i < m->nparams; i++) {
        lt_param *p = &m->params[i];
        if (!p->grad)
            continue;
        float *w = p->data, *g = p->grad, *mm = o->m + slot, *vv = o->v + slot;
        for (size_t k = 0; k < p->count; k++) {
            w[k] *= decay;
            mm[k] = b1 * mm[k] + (1 - b1) * g[k];
            vv[k] = b2 * vv[k] + (1 - b2) * g[k] * g[k];
            float denom = sqrtf(vv[k]) / sqrt_bc2 + o->eps;
            w[k] -= step_size * mm[k] / denom;
        }
        slot += p->count;
    }
    lt_model_mark_dirty(m);
}

/* Moments for the checkpoint code: slot views in parameter order. */
float *lt_adamw_moment(at_adamw *o, int which)
{
    return which ? o->v : o->m;
}
void lt_adamw_set_steps(at_adamw *o, int64_t s)
{
    o->step = s;
}

float at_lr_at(const at_unet_config *c, int64_t step, int64_t total_steps)
{
    float lr = c->lr;
    if (c->warmup_steps > 0 && step < c->warmup_steps)
        return lr * (float)(step + 1) / (float)c->warmup_steps;
    int64_t s = step - (c->warmup_steps > 0 ? c->warmup_steps : 0);
    switch (c->schedule) {
    case AT_SCHED_COSINE: {
        int64_t span = total_steps - (c->warmup_steps > 0 ? c->warmup_steps : 0);
        if (span <= 0)
            return lr;
        double t = (double)s / (double)span;
        if (t > 1)
            t = 1;
        return c->min_lr + (lr - c->min_lr) * (float)(0.5 * (1 + cos(M_PI * t)));
    }
    case AT_SCHED_STEP:
        if (c->step_size > 0)
            return lr * powf(c->step_gamma, (float)(s / c->step_size));
        return lr;
    default:
        return lr;
    }
}
