/* The training loop (at_train_loop, contract in learn.h): the one loop
 * every trainer of atelier runs (learn train through at_train in
 * dataset.c, sct train through its own batch source). The loader thread
 * (loader.c) fills the next batch while the current one trains; AdamW
 * with warm-up and a schedule, gradient accumulation over micro-batches,
 * a validation score and a checkpoint every epoch, the best weights kept,
 * a time budget that refits the schedule after every epoch, a checkpoint
 * when cancelled, resume, NaN/Inf detection, progress and a JSONL log.
 *
 * Counting, the same everywhere (log, progress, messages, checkpoint):
 * steps from 1 (step N is the N-th optimiser update) and epochs from 1
 * (epoch E holds steps (E-1)*S+1 .. E*S for S steps per epoch). A resumed
 * run continues the clock ("seconds"), the epoch's running loss and the
 * log where the checkpoint left them. */
#include "loader.h"
#include "train_log.h"

#include <math.h>
#include <string.h>

/* Restore m, o and *ts from path for a resumed run, refusing (AT_ERR_ARG,
 * saying what to change) a run that cannot continue under cfg and src:
 * another architecture, seed, steps per epoch or batch source, or one
 * already finished. */
static at_status resume_from(const char *path, const at_unet_config *cfg, const at_train_source *src,
                             at_model *m, at_adamw *o, at_train_state *ts)
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
        return at_error_set(AT_ERR_ARG, "resume: %s holds no training state (step, epoch, seed)", path);
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
    if (got.source_words != src->state_words)
        return at_error_set(AT_ERR_ARG,
                            "resume: %s was written by another trainer (its batch source keeps "
                            "%zu words of state, this one %zu)",
                            path, got.source_words, src->state_words);
    if (src->state_words && got.step % got.steps_per_epoch)
        return at_error_set(AT_ERR_ARG,
                            "resume: %s stopped inside an epoch; this trainer resumes "
                            "from the end of an epoch",
                            path);
    if (got.epoch >= cfg->epochs)
        return at_error_set(AT_ERR_ARG,
                            "resume: %s has already trained %lld epochs (epochs = %d); raise "
                            "epochs to continue",
                            path, (long long)got.epoch, cfg->epochs);
    *ts = got;
    return AT_OK;
}

/* Epochs the schedule is fitted to after epoch ep (0-based) ended at
 * elapsed seconds, from the mean epoch so far (a neighbour's load during
 * one epoch must not set the whole run): shrink whenever the budget needs
 * it, grow only in the first half, so the learning rate never climbs back
 * late. */
static int64_t refit(double minutes, int64_t epochs, int64_t ep, double elapsed, int64_t planned)
{
    double mean = elapsed / (double)(ep + 1);
    double more = mean > 0 ? (minutes * 60.0 - elapsed) / (mean * 1.03) : (double)epochs;
    if (more > (double)epochs)
        more = (double)epochs;
    int64_t fit = ep + 1 + (int64_t)more; /* truncated toward zero, as before the merge */
    fit = fit < ep + 1 ? ep + 1 : fit > epochs ? epochs : fit;
    if (fit < planned || ep == 0 || 2 * (ep + 1) < planned)
        planned = fit;
    return planned;
}

static void result_init(at_train_result *r)
{
    memset(r, 0, sizeof *r);
    r->checkpoint_step = -1;
    r->train_loss = r->last_val = r->best_val = NAN;
}

at_status at_train_loop(const at_unet_config *cfg, const at_train_source *src, const at_train_options *opt,
                        at_run *run, at_train_result *res)
{
    at_train_result r;
    result_init(&r);
    if (res)
        *res = r;
    if (!run)
        run = at_run_default();
    if (!src || !src->fill || src->batches < 1)
        return at_error_set(AT_ERR_ARG, "train: the batch source gives no batches");
    if (cfg->batch < 1 || cfg->batch > 4096 || cfg->epochs < 0 || cfg->epochs > AT_TRAIN_MAX_EPOCHS)
        return at_error_set(AT_ERR_ARG, "train: batch %d or epochs %d out of range", cfg->batch, cfg->epochs);
    if (src->state_words > AT_TRAIN_MAX_STATE_WORDS ||
        (src->state_words && (!src->state_get || !src->state_set)))
        return at_error_set(AT_ERR_ARG, "train: the batch source's state is not usable");
    if (!(opt->minutes >= 0))
        return at_error_set(AT_ERR_ARG, "train: the time budget must be >= 0 minutes");
    int64_t window[3];
    for (int i = 0; i < 3; i++)
        window[i] = opt->window[i] > 0 ? opt->window[i] : cfg->size;
    int micro = cfg->micro_batches > 0 ? cfg->micro_batches : 1;
    int64_t steps_per_epoch = src->batches / micro;
    if (steps_per_epoch < 1)
        steps_per_epoch = 1;
    int64_t batches_per_epoch = steps_per_epoch * micro;
    int64_t planned = cfg->epochs, total_steps = steps_per_epoch * planned;
    const char *train_key = opt->train_key ? opt->train_key : "train_loss";
    const char *val_key = opt->val_key ? opt->val_key : "val_loss";
    double scale = opt->loss_scale > 0 ? opt->loss_scale : 1.0;

    at_model *m = NULL;
    at_adamw *o = NULL;
    batch_loader L;
    memset(&L, 0, sizeof L);
    FILE *log = NULL;
    at_train_state ts;
    memset(&ts, 0, sizeof ts);
    ts.seed = cfg->seed;
    ts.best_val = INFINITY;
    ts.steps_per_epoch = steps_per_epoch;
    at_status st = at_model_create(cfg, cfg->batch, window, cfg->seed, &m);
    if (st == AT_OK)
        st = at_adamw_create(m, cfg->beta1, cfg->beta2, cfg->adam_eps, cfg->weight_decay, &o);
    if (st == AT_OK && opt->resume_path) {
        st = resume_from(opt->resume_path, cfg, src, m, o, &ts);
        if (st == AT_OK && src->state_words &&
            (st = src->state_set(src->ud, ts.epoch, ts.source_state)) != AT_OK)
            at_error_prefix(st, "resume: %s", opt->resume_path);
        if (st == AT_OK && opt->minutes > 0 && ts.planned_epochs > ts.epoch)
            planned = ts.planned_epochs < cfg->epochs ? ts.planned_epochs : cfg->epochs;
        total_steps = steps_per_epoch * planned;
        r.checkpoint_step = ts.step;
        r.checkpoint_epoch = ts.epoch;
    }
    if (st == AT_OK)
        st = loader_init(&L, src, at_model_input_size(m), at_model_output_size(m));
    if (st == AT_OK)
        st = train_log_open(opt->log_path, ts.step, &log);
    double t0 = at_now_seconds() - ts.seconds, best = ts.best_val;
    char n1[32], n2[32];
    r.steps = ts.step;
    r.epochs = ts.epoch;
    if (st == AT_OK) {
        at_run_metric mt[1] = {{"epoch", (double)ts.epoch}};
        at_run_progress_metrics(run, "train", (uint64_t)ts.step, (uint64_t)total_steps, mt, 1);
    }
    for (int64_t epoch = ts.epoch; st == AT_OK && epoch < planned; epoch++) {
        int64_t done_in_epoch = ts.step - epoch * steps_per_epoch; /* > 0 only when resumed */
        if (src->epoch_begin && (st = src->epoch_begin(src->ud, epoch)) != AT_OK)
            break;
        if ((st = loader_start(&L, epoch, done_in_epoch * micro, batches_per_epoch)) != AT_OK)
            break;
        for (int64_t b = done_in_epoch * micro; st == AT_OK && b < batches_per_epoch; b += micro) {
            if (at_run_cancelled(run)) {
                st = at_error_set(AT_ERR_CANCELLED, "train: cancelled after step %lld (epoch %lld)",
                                  (long long)ts.step, (long long)epoch + 1);
                break;
            }
            at_model_zero_grad(m);
            double step_loss = 0;
            for (int k = 0; k < micro && st == AT_OK; k++) {
                loader_batch *bb;
                st = loader_take(&L, b + k, &bb);
                float loss = 0;
                if (st == AT_OK)
                    st = at_model_forward(m, bb->in, NULL, 1);
                if (st == AT_OK)
                    st = at_model_backward(m, bb->tgt, bb->mask, cfg->loss, 1.0f / (float)micro, &loss);
                loader_release(&L, b + k);
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
            r.steps = ts.step;
            if (opt->log_steps)
                train_log_line(log,
                               "{\"step\":%lld,\"epoch\":%lld,\"loss\":%s,\"lr\":%.7g,\"seconds\":%.3f}\n",
                               (long long)ts.step, (long long)epoch + 1, train_log_num(n1, step_loss * scale),
                               (double)lr, at_now_seconds() - t0);
            at_run_metric mt[2] = {{"epoch", (double)epoch + 1}, {"loss", step_loss * scale}};
            at_run_progress_metrics(run, "train", (uint64_t)ts.step, (uint64_t)total_steps, mt, 2);
        }
        loader_stop(&L);
        if (st != AT_OK)
            break;
        ts.epoch = epoch + 1;
        double score = NAN;
        at_model *kept = m;
        if (src->validate && (st = src->validate(src->ud, m, run, &score, &kept)) != AT_OK) {
            if (st != AT_ERR_CANCELLED)
                at_error_prefix(st, "train: validation after epoch %lld", (long long)ts.epoch);
            ts.epoch_loss_sum = 0; /* cancelled: the epoch's steps are done, it goes unscored */
            r.epochs = ts.epoch;
            break;
        }
        double train_loss = ts.epoch_loss_sum / (double)steps_per_epoch * scale;
        ts.epoch_loss_sum = 0;
        double elapsed = at_now_seconds() - t0;
        if (opt->minutes > 0) {
            planned = refit(opt->minutes, cfg->epochs, epoch, elapsed, planned);
            total_steps = planned * steps_per_epoch;
        }
        /* without a score there is nothing to choose on: the last epoch is kept */
        if (isnan(score) || score < best) {
            if (!isnan(score))
                best = score;
            if (opt->best_path)
                st = at_checkpoint_save(opt->best_path, kept, NULL, NULL);
        }
        train_log_line(
            log, "{\"epoch\":%lld,\"step\":%lld,\"%s\":%s,\"%s\":%s,\"lr\":%.7g,\"seconds\":%.3f}\n",
            (long long)ts.epoch, (long long)ts.step, train_key, train_log_num(n1, train_loss), val_key,
            train_log_num(n2, score), (double)at_lr_at(cfg, ts.step, total_steps), elapsed);
        ts.best_val = best;
        ts.seconds = elapsed;
        ts.planned_epochs = opt->minutes > 0 ? planned : 0;
        ts.source_words = src->state_words;
        if (src->state_words)
            src->state_get(src->ud, ts.source_state);
        if (st == AT_OK && opt->checkpoint_path &&
            (st = at_checkpoint_save(opt->checkpoint_path, m, o, &ts)) == AT_OK) {
            r.checkpoint_step = ts.step;
            r.checkpoint_epoch = ts.epoch;
        }
        r.epochs = ts.epoch;
        r.train_loss = train_loss;
        r.last_val = score;
        r.best_val = isinf(best) ? NAN : best;
        r.seconds = elapsed;
        if (st != AT_OK)
            break;
        if (isnan(score))
            at_run_log(run, AT_LOG_INFO, "epoch %lld: %s %.4g (no validation), %.0f s", (long long)ts.epoch,
                       train_key, train_loss, elapsed);
        else
            at_run_log(run, AT_LOG_INFO, "epoch %lld: %s %.4g, %s %.4g, %.0f s", (long long)ts.epoch,
                       train_key, train_loss, val_key, score, elapsed);
        at_run_metric mt[3] = {{train_key, train_loss}, {val_key, score}, {"seconds", elapsed}};
        at_run_progress_metrics(run, "epoch", (uint64_t)ts.epoch, (uint64_t)planned, mt, 3);
        if (opt->minutes > 0 && elapsed > opt->minutes * 60.0) {
            r.budget_stopped = ts.epoch < cfg->epochs;
            break;
        }
    }
    loader_stop(&L);
    if (st == AT_ERR_CANCELLED && opt->checkpoint_path) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", at_error_message());
        if (!src->state_words && m && o) {
            /* batches derive from (seed, epoch, batch): resume mid-epoch */
            ts.seconds = at_now_seconds() - t0;
            at_status cs = at_checkpoint_save(opt->checkpoint_path, m, o, &ts);
            if (cs != AT_OK) {
                st = cs;
            } else {
                r.checkpoint_step = ts.step;
                r.checkpoint_epoch = ts.epoch;
                at_error_set(st, "%s; checkpoint written to %s", msg, opt->checkpoint_path);
            }
        } else if (r.checkpoint_step >= 0) {
            at_error_set(st, "%s; the checkpoint of epoch %lld is kept", msg, (long long)r.checkpoint_epoch);
        }
    }
    if (st == AT_OK) {
        /* the totals end where the run ended (the budget may end it early) */
        at_run_progress(run, "train", (uint64_t)ts.step, (uint64_t)ts.step);
        r.seconds = at_now_seconds() - t0;
    }
    if (res)
        *res = r;
    if (log)
        fclose(log);
    loader_free(&L);
    at_adamw_free(o);
    at_model_free(m);
    return st;
}
