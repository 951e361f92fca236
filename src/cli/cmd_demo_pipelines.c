/* `atelier demo`: the text and pseudo-CT parts, composed from the library
 * the way a user would chain the commands. */
#include "cli.h"
#include "demo.h"

#include "atelier/deid.h"
#include "atelier/learn.h"
#include "atelier/phantom.h"
#include "atelier/sct.h"
#include "atelier/text.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- text ------------------------------------------------------------- */

int demo_text(const char *tmp)
{
    (void)tmp;
    printf("\n== Clinical text: re-hospitalisation risk after chemotherapy (SoftChemo) ==\n\n");
    printf("A synthetic cohort of 1500 chemotherapy patients whose records and outcomes follow\n"
           "the literature's risk factors; patient-level split; hashed TF-IDF n-grams plus\n"
           "structured extractions (toxicity grades with negation, regimen, PS, age,\n"
           "prior admissions); L2 logistic regression (liblinear), C by cross-validation.\n\n");
    at_risk_metrics m;
    double t0 = at_now_seconds();
    at_status st = at_text_demo_risk(1500, 2024, &m);
    if (st)
        return cli_fail(st);
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

/* Modality of the first DICOM file in dir ("" if none). */
static void series_modality(const char *dir, char *out, size_t n)
{
    out[0] = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && !out[0]) {
        if (e->d_name[0] == '.')
            continue;
        char *p = at_path_join(dir, e->d_name);
        at_dcm_file *f = NULL;
        at_dcm_read_options o = {.name = e->d_name, .stop_before_pixels = 1};
        if (p && at_dcm_read_file(p, &o, &f) == AT_OK)
            at_dcm_get_string(f->dataset, AT_TAG(0x0008, 0x0060), out, n);
        at_dcm_file_free(f);
        at_free(p);
    }
    closedir(d);
}

/* The door writes <patient>/<study>/<series>/; the pipeline wants
 * <patient>/ct_dicom and mr_dicom: link each series by its modality. */
static at_status link_pairs(const char *deid_dir, const char *pairs_dir, int *pairs)
{
    *pairs = 0;
    at_status st = at_mkdir_p(pairs_dir, 0755);
    DIR *pd = st ? NULL : opendir(deid_dir);
    if (!st && !pd)
        return at_error_set(AT_ERR_IO, "%s: cannot list folder", deid_dir);
    struct dirent *pe;
    while (!st && (pe = readdir(pd))) {
        if (pe->d_name[0] == '.' || !strcmp(pe->d_name, "quarantine"))
            continue;
        char *patient = at_path_join(deid_dir, pe->d_name), *dst = at_path_join(pairs_dir, pe->d_name);
        int have_ct = 0, have_mr = 0;
        DIR *sd = patient && dst && at_path_is_dir(patient) ? opendir(patient) : NULL;
        if (sd)
            st = at_mkdir_p(dst, 0755);
        struct dirent *se;
        while (!st && sd && (se = readdir(sd))) {
            if (se->d_name[0] == '.')
                continue;
            char *study = at_path_join(patient, se->d_name);
            DIR *rd = study ? opendir(study) : NULL;
            struct dirent *re;
            while (!st && rd && (re = readdir(rd))) {
                if (re->d_name[0] == '.')
                    continue;
                char *series = at_path_join(study, re->d_name);
                char modality[17] = "", target[4096];
                if (series)
                    series_modality(series, modality, sizeof modality);
                const char *name = !strcmp(modality, "CT") ? "ct_dicom" : !strcmp(modality, "MR") ? "mr_dicom" : NULL;
                if (name && realpath(series, target)) {
                    char *link = at_path_join(dst, name);
                    if (!link || symlink(target, link) != 0)
                        st = at_error_set(AT_ERR_IO, "%s: cannot link series", dst);
                    at_free(link);
                    have_ct |= name[0] == 'c';
                    have_mr |= name[0] == 'm';
                }
                at_free(series);
            }
            if (rd)
                closedir(rd);
            at_free(study);
        }
        if (sd)
            closedir(sd);
        *pairs += have_ct && have_mr;
        at_free(patient);
        at_free(dst);
    }
    if (pd)
        closedir(pd);
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

int demo_sct(const char *tmp, int patients, double minutes, int threads, int keep)
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

    at_phantom_options po;
    at_phantom_options_default(&po, AT_PHANTOM_HEAD);
    po.seed = 2026;
    po.dim[0] = po.dim[1] = 64;
    po.dim[2] = 48;
    po.spacing[0] = po.spacing[1] = 3.75;
    po.spacing[2] = 4.5;
    cli_progress pr;
    cli_progress_init(&pr, "synthesise", 0);
    at_status st = at_phantom_write_cohort(&po, patients, cohort, cli_progress_cb, &pr);
    cli_progress_end(&pr);
    if (st)
        return cli_fail(st);
    printf("1. %d synthetic head patients (CT and T1 MRI series, fake identities, misaligned) in %s\n", patients,
           cohort);

    /* 2. through the door: only the DICOM series go in */
    char **inputs = at_calloc((size_t)patients * 2, sizeof *inputs);
    at_key key;
    st = inputs ? at_key_load_or_create(keypath, &key, NULL) : AT_ERR_NOMEM;
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
        at_deid_batch_config cfg = {.key = &key, .threads = threads};
        st = at_deid_batch_run((const char *const *)inputs, (size_t)patients * 2, deid, &cfg, &res);
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
        return cli_fail(st);

    /* 3. prepare: register MRI to CT, resample, mask, split by patient */
    at_sct_prepare_options prep_o = {.test = patients >= 8 ? 2 : 1, .val = 1, .seed = 7};
    cli_progress_init(&pr, "prepare", 0);
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
    at_learn_set_threads(threads); /* OpenMP's count is process-wide: the front end sets it */
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
