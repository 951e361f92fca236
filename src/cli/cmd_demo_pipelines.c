/* `atelier demo`: the text and pseudo-CT parts, composed from the library
 * the way a user would chain the commands. */
#include "cli.h"
#include "demo.h"

#include "atelier/deid.h"
#include "atelier/learn.h"
#include "atelier/phantom.h"
#include "atelier/sct.h"
#include "atelier/risk.h"
#include "atelier/synth.h"
#include "atelier/text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- text ------------------------------------------------------------- */

int demo_text(const char *tmp, at_run *run)
{
    (void)tmp;
    printf("\n== Clinical text: re-hospitalisation risk after chemotherapy (SoftChemo) ==\n\n");
    printf("A synthetic cohort of 1500 chemotherapy patients whose records and outcomes follow\n"
           "the literature's risk factors; patient-level split; hashed TF-IDF n-grams plus\n"
           "structured extractions (toxicity grades with negation, regimen, PS, age,\n"
           "prior admissions); L2 logistic regression (liblinear), C by cross-validation.\n\n");
    at_risk_metrics m;
    double t0 = at_now_seconds();
    at_risk_demo_spec spec = {.patients = 1500, .seed = 2024};
    at_status st = at_risk_demo_run(&spec, run, &m);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);
    printf("held-out cycles: %zu (%zu re-hospitalised)\n", m.n, m.positives);
    printf("AUROC %.3f [95%% CI %.3f-%.3f]   AUPRC %.3f [%.3f-%.3f]   Brier %.3f   (%.1f s)\n", m.auroc,
           m.auroc_lo, m.auroc_hi, m.auprc, m.auprc_lo, m.auprc_hi, m.brier, at_now_seconds() - t0);
    printf("calibration (predicted -> observed):");
    for (int b = 0; b < 10; b++)
        if (m.bin_n[b])
            printf(" %.2f->%.2f", m.bin_pred[b], m.bin_obs[b]);
    printf("\n(try: atelier synth chemo, atelier text risk train/eval/score; atelier text deid on notes)\n");
    return CLI_OK;
}

/* One line for each of the first epochs, then at most one every 15 s: a
 * short demo can run a couple of hundred small epochs. */
static void epoch_note(void *ud, const at_run_event *ev)
{
    double *last = ud;
    if (strcmp(ev->phase, "epoch") || ev->metric_count < 3)
        return;
    double seconds = ev->metrics[2].value;
    if (ev->step > 2 && seconds - *last < 15)
        return;
    *last = seconds;
    printf("  epoch %3llu  train L1 %6.1f HU  validation MAE %6.1f HU  (%.0f s)\n",
           (unsigned long long)ev->step, ev->metrics[0].value, ev->metrics[1].value, seconds);
    fflush(stdout);
}

int demo_sct(const char *tmp, int patients, double minutes, int threads, int keep, at_run *run)
{
    printf("\n== MRI-only radiotherapy: pseudo-CT (TheraSPACE) ==\n\n");
    char cohort[600], deid[600], prep[600], model[600], png[600];
    snprintf(cohort, sizeof cohort, "%s/cohort", tmp);
    snprintf(deid, sizeof deid, "%s/cohort-deidentified", tmp);
    snprintf(prep, sizeof prep, "%s/prepared", tmp);
    snprintf(model, sizeof model, "%s/model", tmp);
    snprintf(png, sizeof png, "%s/pseudo-ct.png", tmp);

    at_synth_cohort_spec cs = {.outdir = cohort, .patients = patients};
    at_phantom_options *po = &cs.options;
    at_phantom_options_default(po, AT_PHANTOM_HEAD);
    po->seed = 2026;
    po->dim[0] = po->dim[1] = 64;
    po->dim[2] = 48;
    po->spacing[0] = po->spacing[1] = 3.75;
    po->spacing[2] = 4.5;
    at_synth_cohort_result cr;
    at_status st = at_synth_cohort_run(&cs, run, &cr);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);
    printf("1. %d synthetic head patients (CT and T1 MRI series, fake identities, misaligned) in %s\n",
           patients, cohort);

    /* 2. through the door: only the DICOM series go in */
    char **inputs = at_calloc((size_t)patients * 2, sizeof *inputs);
    /* the demo's key from a fixed seed (its patients are synthetic): the
     * same pseudonyms in every run, so the same patients held out by the
     * split, which lists them by those names (a key made for each run
     * moved the held-out MAE by +-10 HU between runs) */
    at_key key;
    at_rng krng;
    at_rng_seed(&krng, 0xA7E1D3E0ull);
    for (size_t b = 0; b < AT_KEY_BYTES; b += 8) {
        uint64_t v = at_rng_next(&krng);
        memcpy(key.bytes + b, &v, 8);
    }
    st = inputs ? AT_OK : AT_ERR_NOMEM;
    for (int i = 0; !st && i < patients; i++) {
        char buf[700];
        snprintf(buf, sizeof buf, "%s/patient_%03d/ct_dicom", cohort, i);
        inputs[2 * i] = at_strdup(buf);
        snprintf(buf, sizeof buf, "%s/patient_%03d/mr_dicom", cohort, i);
        inputs[2 * i + 1] = at_strdup(buf);
        if (!inputs[2 * i] || !inputs[2 * i + 1])
            st = AT_ERR_NOMEM;
    }
    at_deid_batch_result res = {0};
    if (!st) {
        at_deid_spec ds = {.inputs = (const char *const *)inputs,
                           .input_count = (size_t)patients * 2,
                           .outdir = deid,
                           .key = &key};
        st = at_deid_run(&ds, run, &res);
    }
    for (int i = 0; inputs && i < 2 * patients; i++)
        at_free(inputs[i]);
    at_free(inputs);
    memset(&key, 0, sizeof key);
    if (!st && (res.files_rejected || res.files_quarantined))
        st = at_error_set(AT_ERR_FORMAT, "%s: %zu files rejected and %zu quarantined by the door", cohort,
                          res.files_rejected, res.files_quarantined);
    if (!st)
        printf("2. the door: %zu files de-identified (PS3.15 basic profile, keyed pseudonyms) into %s\n",
               res.files_done, deid);
    at_deid_batch_result_free(&res);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);

    /* 3. prepare, straight from the door's output: CT and MR series found
     * by modality and frame of reference; register MRI to CT, resample,
     * mask, split by patient */
    at_sct_prepare_spec ps;
    at_sct_prepare_spec_default(&ps);
    ps.cohort = deid;
    ps.out = prep;
    ps.test = patients >= 8 ? 2 : 1;
    ps.val = 1;
    ps.seed = 7;
    at_sct_prepare_result pres;
    st = at_sct_prepare_run(&ps, run, &pres);
    if (!st && pres.patients != (size_t)patients)
        st = at_error_set(AT_ERR_FORMAT, "%s: %zu CT/MRI pairs after de-identification, %d expected", deid,
                          pres.patients, patients);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);
    printf("3. prepared from the de-identified folder (rigid Mattes-MI registration, B-spline resampling, "
           "body masks): %zu train, %zu validation, %zu test patients\n",
           pres.train, pres.val, pres.test);

    /* 4. train */
    at_sct_train_spec ts;
    at_sct_train_spec_default(&ts);
    ts.prepared = prep;
    ts.out = model;
    ts.minutes = minutes;
    double last_note = 0;
    at_run trun = *run; /* the demo's cancel and threads; epoch lines for progress */
    trun.progress = epoch_note;
    trun.progress_ud = &last_note;
    printf("4. training the 2.5D U-Net (masked L1) for at most %.1f minutes on %d threads:\n", minutes,
           threads);
    fflush(stdout);
    at_learn_set_threads(threads); /* OpenMP's count is process-wide: the front end sets it */
    at_sct_train_result tres;
    st = at_sct_train_run(&ts, &trun, &tres);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);

    /* 5. held-out metrics */
    at_sct_eval_spec es = {.prepared = prep, .model = model, .split = "test", .png = png};
    at_sct_eval_result er;
    st = at_sct_eval_run(&es, run, &er);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);
    at_sct_result *r = er.patients;
    size_t n = er.count;
    printf("5. held-out patients (SynthRAD2023 metrics inside the body mask):\n");
    double mae = 0, psnr = 0, ssim = 0;
    for (size_t i = 0; i < n; i++) {
        printf("   %-40.40s MAE %6.1f HU  PSNR %5.2f dB  SSIM %.3f\n", r[i].name, r[i].metrics.mae,
               r[i].metrics.psnr, r[i].metrics.ssim);
        mae += r[i].metrics.mae / (double)n;
        psnr += r[i].metrics.psnr / (double)n;
        ssim += r[i].metrics.ssim / (double)n;
    }
    printf("   mean                                     MAE %6.1f HU  PSNR %5.2f dB  SSIM %.3f\n", mae, psnr,
           ssim);
    printf("   slices MRI | CT | pseudo-CT | error: %s%s\n", png,
           keep ? "" : " (removed at exit; --keep keeps it)");
    at_sct_eval_result_free(&er);
    return CLI_OK;
}
