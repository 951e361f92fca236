/* `atelier demo`: the text and pseudo-CT parts, composed from the library
 * the way a user would chain the commands. */
#include "cli.h"
#include "demo.h"

#include "atelier/deid.h"
#include "atelier/phantom.h"
#include "atelier/sct.h"
#include "atelier/risk.h"
#include "atelier/synth.h"
#include "atelier/text.h"
#include "atelier/walk.h"

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

/* ---- pseudo-CT ---------------------------------------------------------- */

static int not_quarantine(void *ud, const char *rel, int is_folder)
{
    (void)ud;
    return !(is_folder && !strcmp(rel, "quarantine"));
}

/* The door writes <patient>/<study>/<series>/<file>; the pipeline wants
 * <patient>/ct_dicom and mr_dicom: link each series by the modality of its
 * first file. */
static at_status link_pairs(const char *deid_dir, const char *pairs_dir, int *pairs)
{
    *pairs = 0;
    at_walk_list w = {0};
    at_walk_options o = {.skip_hidden = 1, .keep = not_quarantine};
    at_status st = at_mkdir_p(pairs_dir, 0755);
    if (!st)
        st = at_walk_collect(&w, deid_dir, &o);
    char last_series[4096] = "", last_patient[256] = "";
    int have_ct = 0, have_mr = 0;
    for (size_t i = 0; i <= w.n && !st; i++) {
        const char *rel = i < w.n ? w.v[i].rel : "";
        const char *s1 = strchr(rel, '/'), *s3 = strrchr(rel, '/');
        size_t pl = s1 ? (size_t)(s1 - rel) : 0, sl = s3 ? (size_t)(s3 - rel) : 0;
        if (i == w.n || strlen(last_patient) != pl || strncmp(last_patient, rel, pl)) {
            *pairs += have_ct && have_mr; /* the patient before is done */
            have_ct = have_mr = 0;
            snprintf(last_patient, sizeof last_patient, "%.*s", (int)pl, rel);
        }
        if (i == w.n || !s1 || s1 == s3 || (strlen(last_series) == sl && !strncmp(last_series, rel, sl)))
            continue; /* not <patient>/<study>/<series>/<file>, or a series already seen */
        snprintf(last_series, sizeof last_series, "%.*s", (int)sl, rel);
        at_dcm_file *f = NULL;
        at_dcm_read_options ro = {.name = "a de-identified file", .stop_before_pixels = 1};
        char modality[17] = "", target[4096];
        if (at_dcm_read_file(w.v[i].path, &ro, &f) == AT_OK)
            at_dcm_get_string(f->dataset, AT_TAG(0x0008, 0x0060), modality, sizeof modality);
        at_dcm_file_free(f);
        at_error_clear();
        const char *name = !strcmp(modality, "CT") ? "ct_dicom" : !strcmp(modality, "MR") ? "mr_dicom" : NULL;
        char *series = at_path_join(deid_dir, last_series), *dst = at_path_join(pairs_dir, last_patient);
        char *link = dst && name ? at_path_join(dst, name) : NULL;
        if (!series || !dst || (name && !link))
            st = AT_ERR_NOMEM;
        else if (name && realpath(series, target)) {
            st = at_mkdir_p(dst, 0755);
            if (!st && symlink(target, link) != 0)
                st = at_error_set(AT_ERR_IO, "%s: cannot link series", dst);
            have_ct |= name[0] == 'c';
            have_mr |= name[0] == 'm';
        }
        at_free(series);
        at_free(dst);
        at_free(link);
    }
    at_walk_list_free(&w);
    return st;
}

/* One line for each of the first epochs, then at most one every 15 s: a
 * short demo can run a couple of hundred small epochs. */
static void epoch_note(void *ud, int epoch, double train_l1_hu, double val_mae_hu, double seconds)
{
    double *last = ud;
    if (epoch > 2 && seconds - *last < 15)
        return;
    *last = seconds;
    printf("  epoch %3d  train L1 %6.1f HU  validation MAE %6.1f HU  (%.0f s)\n", epoch, train_l1_hu, val_mae_hu,
           seconds);
    fflush(stdout);
}

int demo_sct(const char *tmp, int patients, double minutes, int threads, int keep, at_run *run)
{
    printf("\n== MRI-only radiotherapy: pseudo-CT (TheraSPACE) ==\n\n");
    char cohort[600], deid[600], pairs[600], prep[600], model[600], png[600], keypath[600];
    snprintf(cohort, sizeof cohort, "%s/cohort", tmp);
    snprintf(deid, sizeof deid, "%s/cohort-deidentified", tmp);
    snprintf(pairs, sizeof pairs, "%s/pairs", tmp);
    snprintf(prep, sizeof prep, "%s/prepared", tmp);
    snprintf(model, sizeof model, "%s/model", tmp);
    snprintf(png, sizeof png, "%s/pseudo-ct.png", tmp);
    snprintf(keypath, sizeof keypath, "%s/sct-demo.key", tmp);

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
    printf("1. %d synthetic head patients (CT and T1 MRI series, fake identities, misaligned) in %s\n", patients,
           cohort);

    /* 2. through the door: only the DICOM series go in */
    char **inputs = at_calloc((size_t)patients * 2, sizeof *inputs);
    at_key key;
    st = inputs ? at_key_create(keypath, &key) : AT_ERR_NOMEM; /* a throwaway demo key */
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
        at_deid_spec ds = {.inputs = (const char *const *)inputs, .input_count = (size_t)patients * 2, .outdir = deid,
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
    int npairs = 0;
    if (!st)
        st = link_pairs(deid, pairs, &npairs);
    if (!st && npairs != patients)
        st = at_error_set(AT_ERR_FORMAT, "%s: %d CT/MRI pairs after de-identification, %d expected", deid,
                          npairs, patients);
    if (st)
        return st == AT_ERR_CANCELLED ? CLI_INTERRUPTED : cli_fail(st);

    /* 3. prepare: register MRI to CT, resample, mask, split by patient */
    at_sct_prepare_options prep_o = {.test = patients >= 8 ? 2 : 1, .val = 1, .seed = 7};
    cli_progress pr;
    cli_progress_init(&pr, "prepare", !run->progress); /* a bar only where the run draws one */
    prep_o.progress = cli_progress_cb;
    prep_o.progress_ud = &pr;
    st = at_sct_prepare(pairs, prep, &prep_o);
    cli_progress_end(&pr);
    if (st)
        return cli_fail(st);
    printf("3. prepared (rigid Mattes-MI registration, B-spline resampling, body masks): %d train, %d "
           "validation, %d test patients\n",
           patients - prep_o.test - prep_o.val, prep_o.val, prep_o.test);

    /* 4. train */
    at_sct_train_options to;
    at_sct_train_options_default(&to);
    to.minutes = minutes;
    to.threads = threads;
    double last_note = 0;
    to.epoch_note = epoch_note;
    to.epoch_ud = &last_note;
    printf("4. training the 2.5D U-Net (masked L1) for at most %.1f minutes on %d threads:\n", minutes, threads);
    fflush(stdout);
    st = at_sct_train(prep, model, &to);
    if (st)
        return cli_fail(st);

    /* 5. held-out metrics */
    at_sct_model *m = NULL;
    at_sct_result *r = NULL;
    size_t n = 0;
    st = at_sct_model_load(model, threads, &m);
    if (!st)
        st = at_sct_evaluate(m, prep, "test", png, &r, &n);
    at_sct_model_free(m);
    if (st)
        return cli_fail(st);
    printf("5. held-out patients (SynthRAD2023 metrics inside the body mask):\n");
    double mae = 0, psnr = 0, ssim = 0;
    for (size_t i = 0; i < n; i++) {
        printf("   %-40.40s MAE %6.1f HU  PSNR %5.2f dB  SSIM %.3f\n", r[i].name, r[i].metrics.mae,
               r[i].metrics.psnr, r[i].metrics.ssim);
        mae += r[i].metrics.mae / (double)n;
        psnr += r[i].metrics.psnr / (double)n;
        ssim += r[i].metrics.ssim / (double)n;
    }
    printf("   mean                                     MAE %6.1f HU  PSNR %5.2f dB  SSIM %.3f\n", mae, psnr, ssim);
    printf("   slices MRI | CT | pseudo-CT | error: %s%s\n", png,
           keep ? "" : " (removed at exit; --keep keeps it)");
    at_free(r);
    return CLI_OK;
}
