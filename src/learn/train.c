/* The training loop: the loader thread (loader.c) prepares the next
 * batch while the current one trains; AdamW with warm-up and a schedule,
 * gradient accumulation over micro-batches, validation and a checkpoint
 * every epoch, a checkpoint on interruption, resume, NaN/Inf detection,
 * progress through a callback and a JSONL metrics log.
 *
 * Counting, the same everywhere (metrics, progress, messages, checkpoint):
 * steps from 1 (step N is the N-th optimiser update) and epochs from 1
 * (epoch E holds steps (E-1)*S+1 .. E*S for S steps per epoch). A resumed
 * run continues the clock ("seconds"), the epoch's running loss and the
 * metrics log where the checkpoint left them. */
#include "ckmeta.h"
#include "loader.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define METRICS_MAX_BYTES ((size_t)1 << 30) /* metrics log read back on resume */

/* Mean loss (cfg->loss, mask-weighted) of the model in inference mode over
 * the validation samples; NaN when they hold no weight. */
static at_status validate(at_model *m, const at_dataset *ds, const at_unet_config *cfg,
                          lt_batch *tmp, size_t in_sz, size_t out_sz, float *pred, float *val)
{
    double sum = 0, cnt = 0;
    int B = m->batch;
    for (size_t first = 0; first < ds->val_count; first += (size_t)B) {
        size_t nb = ds->val_count - first < (size_t)B ? ds->val_count - first : (size_t)B;
        memset(tmp->in, 0, (size_t)B * in_sz * sizeof(float));
        for (size_t s = 0; s < nb; s++) {
            float *mk = tmp->mask + s * out_sz;
            for (size_t i = 0; i < out_sz; i++)
                mk[i] = 1.0f;
            at_status st = ds->get(ds->ud, ds->train_count + first + s, tmp->in + s * in_sz,
                                   tmp->tgt + s * out_sz, mk);
            if (st != AT_OK)
                return at_error_prefix(st, "dataset sample %zu", ds->train_count + first + s);
        }
        at_status st = at_model_forward(m, tmp->in, pred, 0);
        if (st != AT_OK)
            return st;
        for (size_t i = 0; i < nb * out_sz; i++) {
            double d = (double)pred[i] - tmp->tgt[i], w = tmp->mask[i];
            sum += w * (cfg->loss == AT_LOSS_L1 ? fabs(d) : d * d);
            cnt += w;
        }
    }
    *val = cnt > 0 ? (float)(sum / cnt) : NAN;
    return AT_OK;
}

/* A JSON number with fmt, or null for NaN and the infinities (JSON has
 * neither). Returns buf or "null". */
static const char *json_num(char *buf, size_t cap, const char *fmt, double v)
{
    if (!isfinite(v))
        return "null";
    snprintf(buf, cap, fmt, v);
    return buf;
}

static void metrics_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void metrics_line(FILE *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

/* On resume: keep the metrics lines up to the checkpoint's step and drop
 * later ones (written by a run that stopped before its next checkpoint)
 * and torn lines, so the log reads as one run. No log yet is fine. */
static at_status metrics_trim(const char *path, int64_t step)
{
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return AT_OK;
    fclose(probe);
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, METRICS_MAX_BYTES, &data, &len);
    if (st != AT_OK)
        return st;
    at_buf out;
    at_buf_init(&out, METRICS_MAX_BYTES);
    int dropped = 0;
    for (size_t pos = 0; pos < len && st == AT_OK;) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        cJSON *j = cJSON_ParseWithLength((const char *)data + pos, end - pos);
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "step");
        if (cJSON_IsNumber(s) && s->valuedouble <= (double)step) {
            st = at_buf_append(&out, data + pos, end - pos);
            if (st == AT_OK)
                st = at_buf_putc(&out, '\n');
        } else {
            dropped = 1;
        }
        cJSON_Delete(j);
        pos = end + 1;
    }
    at_atomic_file *f = NULL;
    if (st == AT_OK && dropped && (st = at_atomic_open(path, &f)) == AT_OK) {
        st = at_atomic_write(f, out.data ? out.data : (unsigned char *)"", out.len);
        if (st == AT_OK)
            st = at_atomic_commit(f);
        else
            at_atomic_abort(f);
    }
    at_buf_free(&out);
    at_free(data);
    return st;
}

/* Restore m, o and *ts from path for a resumed run, refusing (AT_ERR_ARG,
 * saying what to change) a run that cannot continue under cfg: another
 * architecture, seed or steps per epoch, or one already finished. */
static at_status resume_from(const char *path, const at_unet_config *cfg, at_model *m,
                             at_adamw *o, at_train_state *ts)
{
    at_unet_config ck = *cfg;
    at_status st = at_checkpoint_read_config(path, &ck);
    if (st == AT_ERR_NOT_FOUND)
        st = AT_OK; /* no architecture recorded: the tensor shapes are checked */
    else if (st != AT_OK)
        return at_error_prefix(st, "resume");
    else if ((st = at_unet_config_same_model(&ck, "the checkpoint", cfg, "the config")) != AT_OK)
        return at_error_prefix(st, "resume: %s", path);
    at_train_state got;
    memset(&got, 0, sizeof got);
    if ((st = at_checkpoint_load(path, m, o, &got)) != AT_OK)
        return at_error_prefix(st, "resume");
    if (got.steps_per_epoch == 0)
        return at_error_set(AT_ERR_ARG, "resume: %s holds no training state (step, epoch, seed)",
                            path);
    if (got.seed != cfg->seed)
        return at_error_set(AT_ERR_ARG,
                            "resume: %s was trained with seed %llu, the config has seed %llu; set "
                            "seed = %llu to continue that run (the shuffle and augmentation "
                            "derive from it)",
                            path, (unsigned long long)got.seed, (unsigned long long)cfg->seed,
                            (unsigned long long)got.seed);
    if (got.steps_per_epoch != ts->steps_per_epoch)
        return at_error_set(AT_ERR_ARG,
                            "resume: %s has %lld steps per epoch, this config and data give %lld "
                            "(batch, micro_batches or the number of samples changed)",
                            path, (long long)got.steps_per_epoch, (long long)ts->steps_per_epoch);
    if (got.epoch >= cfg->epochs)
        return at_error_set(AT_ERR_ARG,
                            "resume: %s has already trained %lld epochs (epochs = %d); raise "
                            "epochs to continue",
                            path, (long long)got.epoch, cfg->epochs);
    *ts = got;
    return AT_OK;
}

at_status at_train(const at_unet_config *cfg, const at_dataset *ds, const at_train_options *opt,
                   float *final_val)
{
    if (final_val)
        *final_val = NAN;
    if (!ds || !ds->get || ds->train_count == 0)
        return at_error_set(AT_ERR_ARG, "train: the dataset has no training samples");
    if (cfg->batch < 1 || cfg->batch > 4096 || cfg->epochs < 0 || cfg->epochs > AT_TRAIN_MAX_EPOCHS)
        return at_error_set(AT_ERR_ARG, "train: batch %d or epochs %d out of range", cfg->batch,
                            cfg->epochs);
    at_learn_set_threads(cfg->threads);
    int sp = cfg->mode == AT_MODE_3D ? 3 : 2;
    int64_t spatial[3] = {cfg->size, cfg->size, cfg->size};
    int micro = cfg->micro_batches > 0 ? cfg->micro_batches : 1;
    int64_t batches_per_epoch = (int64_t)(ds->train_count / (size_t)cfg->batch);
    int64_t steps_per_epoch = batches_per_epoch / micro;
    if (steps_per_epoch < 1)
        steps_per_epoch = 1;
    batches_per_epoch = steps_per_epoch * micro;
    int64_t total_steps = steps_per_epoch * cfg->epochs;

    at_model *m = NULL;
    at_adamw *o = NULL;
    lt_loader L;
    memset(&L, 0, sizeof L);
    lt_batch vb = {0};
    float *pred = NULL;
    FILE *mf = NULL;
    at_train_state ts;
    memset(&ts, 0, sizeof ts);
    ts.seed = cfg->seed;
    ts.best_val = INFINITY;
    ts.steps_per_epoch = steps_per_epoch;
    at_status st = at_model_create(cfg, cfg->batch, spatial, cfg->seed, &m);
    if (st == AT_OK)
        st = at_adamw_create(m, cfg->beta1, cfg->beta2, cfg->adam_eps, cfg->weight_decay, &o);
    if (st == AT_OK && opt->resume_path)
        st = resume_from(opt->resume_path, cfg, m, o, &ts);
    if (st == AT_OK)
        st = lt_loader_init(&L, cfg, ds, opt->augment, m->in_ch, sp, spatial, cfg->batch);
    if (st == AT_OK) {
        pred = at_calloc(at_model_output_size(m), sizeof(float));
        vb.in = at_calloc((size_t)cfg->batch * L.in_sz, sizeof(float));
        vb.tgt = at_calloc((size_t)cfg->batch * L.out_sz, sizeof(float));
        vb.mask = at_calloc((size_t)cfg->batch * L.out_sz, sizeof(float));
        if (!pred || !vb.in || !vb.tgt || !vb.mask)
            st = AT_ERR_NOMEM;
    }
    if (st == AT_OK && opt->metrics_path && ts.step > 0)
        st = metrics_trim(opt->metrics_path, ts.step);
    if (st == AT_OK && opt->metrics_path && !(mf = fopen(opt->metrics_path, ts.step ? "a" : "w")))
        st = at_error_set(AT_ERR_IO, "%s: cannot open the metrics log", opt->metrics_path);
    double t0 = at_now_seconds() - ts.seconds;
    float last_val = NAN;
    char n1[32], n2[32];
    if (st == AT_OK && opt->progress)
        opt->progress(opt->progress_ud, (uint64_t)ts.step, (uint64_t)total_steps, "");
    for (int64_t epoch = ts.epoch; st == AT_OK && epoch < cfg->epochs; epoch++) {
        int64_t done_in_epoch = ts.step - epoch * steps_per_epoch; /* > 0 only when resumed */
        if ((st = lt_loader_start(&L, epoch, done_in_epoch * micro, batches_per_epoch)) != AT_OK)
            break;
        for (int64_t b = done_in_epoch * micro; st == AT_OK && b < batches_per_epoch; b += micro) {
            if (opt->stop_flag && *opt->stop_flag) {
                st = at_error_set(AT_ERR_INTERRUPTED, "train: interrupted after step %lld (epoch %lld)",
                                  (long long)ts.step, (long long)epoch + 1);
                break;
            }
            at_model_zero_grad(m);
            double step_loss = 0;
            for (int k = 0; k < micro && st == AT_OK; k++) {
                lt_batch *bb;
                st = lt_loader_take(&L, b + k, &bb);
                float loss = 0;
                if (st == AT_OK)
                    st = at_model_forward(m, bb->in, NULL, 1);
                if (st == AT_OK)
                    st = at_model_backward(m, bb->tgt, bb->mask, cfg->loss, 1.0f / (float)micro, &loss);
                lt_loader_release(&L, b + k);
                step_loss += loss / micro;
                if (st != AT_OK)
                    at_error_prefix(st, "train: step %lld (epoch %lld)", (long long)ts.step + 1,
                                    (long long)epoch + 1);
            }
            if (st != AT_OK)
                break;
            float lr = at_lr_at(cfg, ts.step, total_steps);
            at_adamw_step(o, lr);
            ts.step++;
            ts.epoch_loss_sum += step_loss;
            metrics_line(mf, "{\"step\":%lld,\"epoch\":%lld,\"loss\":%s,\"lr\":%.7g,\"seconds\":%.3f}\n",
                         (long long)ts.step, (long long)epoch + 1,
                         json_num(n1, sizeof n1, "%.7g", step_loss), (double)lr,
                         at_now_seconds() - t0);
            if (opt->progress) {
                char note[96];
                snprintf(note, sizeof note, "epoch %lld loss %.4f", (long long)epoch + 1, step_loss);
                opt->progress(opt->progress_ud, (uint64_t)ts.step, (uint64_t)total_steps, note);
            }
        }
        lt_loader_stop(&L);
        if (st == AT_OK) {
            ts.epoch = epoch + 1;
            if (ds->val_count)
                st = validate(m, ds, cfg, &vb, L.in_sz, L.out_sz, pred, &last_val);
            if (st == AT_OK && last_val < ts.best_val)
                ts.best_val = last_val;
            metrics_line(mf,
                         "{\"epoch\":%lld,\"step\":%lld,\"train_loss\":%s,\"val_loss\":%s,"
                         "\"seconds\":%.3f}\n",
                         (long long)epoch + 1, (long long)ts.step,
                         json_num(n1, sizeof n1, "%.7g", ts.epoch_loss_sum / (double)steps_per_epoch),
                         json_num(n2, sizeof n2, "%.7g", last_val), at_now_seconds() - t0);
            ts.epoch_loss_sum = 0;
        }
        if ((st == AT_OK || st == AT_ERR_INTERRUPTED) && opt->checkpoint_path) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", at_error_message());
            ts.seconds = at_now_seconds() - t0;
            at_status cs = at_checkpoint_save(opt->checkpoint_path, m, o, &ts);
            if (cs != AT_OK)
                st = cs;
            else if (st == AT_ERR_INTERRUPTED)
                at_error_set(st, "%s; checkpoint written to %s", msg, opt->checkpoint_path);
        }
    }
    if (final_val)
        *final_val = last_val;
    if (mf)
        fclose(mf);
    lt_loader_free(&L);
    at_free(vb.in);
    at_free(vb.tgt);
    at_free(vb.mask);
    at_free(pred);
    at_adamw_free(o);
    at_model_free(m);
    return st;
}
