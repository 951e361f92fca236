/* atelier text risk (train, eval, score) and text synth-cohort: the
 * re-hospitalisation risk model on notes of chemotherapy cycles. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/risk.h"
#include "atelier/synth.h"
#include "atelier/text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RISK_MAX_CSV ((size_t)1 << 31)
#define RISK_MAX_CELL ((size_t)16 << 20)

/* --delimiter of the risk commands (0: detected from the header line). */
static int risk_delim;

/* The white space around the cells of column name (every data row)
 * removed in place: " P1 " and "P1" are one patient, and a text of spaces
 * is an empty text. */
static void trim_column(at_csv *csv, const char *name)
{
    int col = name ? at_csv_column(csv, name) : -1;
    for (size_t i = 1; col >= 0 && i < csv->nrows; i++) {
        char *c = csv->cells[i * csv->ncols + (size_t)col];
        const char *t = c;
        size_t n = strlen(c);
        at_text_trim(&t, &n);
        memmove(c, t, n);
        c[n] = 0;
    }
}

/* Read a risk CSV; its patient id column (id_column, NULL: patient_id) is
 * trimmed, and its text column too when trim_text. */
static int read_csv(const char *path, at_csv *csv, const char *id_column, int trim_text)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, RISK_MAX_CSV, &data, &len);
    if (!st) {
        st = at_csv_parse_delim((const char *)data, len, RISK_MAX_CELL, risk_delim, csv);
        if (st)
            at_error_prefix(st, "%s", path);
        at_free(data);
    }
    if (!st) {
        trim_column(csv, id_column ? id_column : "patient_id");
        if (trim_text)
            trim_column(csv, "text");
    }
    return st;
}

int cmd_text_synth_cohort(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text synth-cohort --patients N [--seed S] -o FILE.csv\n\n"
               "Write a synthetic cohort of chemotherapy patients, one row per cycle\n"
               "(patient_id,cycle,age,text,label): a French pre-cycle note and whether an\n"
               "unplanned hospitalisation followed within 30 days, drawn from the risk\n"
               "factors of the literature (age, performance status, grade >= 3 toxicities,\n"
               "febrile neutropenia, polychemotherapy, prior admissions).\n");
        return CLI_OK;
    }
    unsigned long long n = 1000, seed = 1;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--patients") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else
            return cli_usage_error("text synth-cohort", "unknown argument %s", argv[i]);
    }
    if (!out || n == 0)
        return cli_usage_error("text synth-cohort", "needs --patients N (> 0) and -o FILE.csv");
    at_buf b;
    at_buf_init(&b, RISK_MAX_CSV);
    at_status st = at_synth_chemo_cohort((size_t)n, seed, &b);
    if (!st)
        st = at_file_write_atomic(out, b.data, b.len);
    at_buf_free(&b);
    return st ? cli_fail(st) : CLI_OK;
}

/* 1 (said on stderr) when the output path names an input: the input would
 * be overwritten. */
static int overwrites(const char *cmd, const char *out, const char *in, const char *what)
{
    if (!at_path_same(out, in))
        return 0;
    fprintf(stderr, "atelier text risk %s: %s%s is %s: it would be overwritten; nothing was written\n", cmd,
            strcmp(cmd, "eval") ? "-o " : "the reliability plot ", out, what);
    return 1;
}

static int risk_train(int argc, char **argv)
{
    const char *csvp = NULL, *out = NULL;
    at_risk_options opt = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csvp = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--C") && i + 1 < argc)
            opt.C = atof(argv[++i]);
        else if (!strcmp(argv[i], "--folds") && i + 1 < argc)
            opt.folds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--l1"))
            opt.l1 = 1;
        else if (!strcmp(argv[i], "--xgboost"))
            opt.use_xgboost = 1;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            opt.threads = atoi(argv[++i]);
        else
            return cli_usage_error("text risk train", "unknown argument %s", argv[i]);
    }
    if (!csvp || !out)
        return cli_usage_error("text risk train", "needs --csv FILE and -o MODEL");
    if (overwrites("train", out, csvp, "the --csv file"))
        return CLI_USAGE;
    at_csv csv;
    at_status st = read_csv(csvp, &csv, NULL, 1);
    if (st)
        return cli_fail(st);
    at_risk_model *m = NULL;
    double t0 = at_now_seconds();
    st = at_risk_train(&csv, &opt, &m);
    double t1 = at_now_seconds();
    if (st && !strstr(at_error_message(), csvp))
        at_error_prefix(st, "%s", csvp);
    if (!st)
        st = at_risk_save(m, out);
    if (!st)
    {
        if (opt.use_xgboost)
            fprintf(stderr, "atelier text risk train: %zu rows, gradient boosting (XGBoost), %.3f s\n", csv.nrows - 1,
                    t1 - t0);
        else
            fprintf(stderr, "atelier text risk train: %zu rows, C=%g (%s), %.3f s\n", csv.nrows - 1,
                    at_risk_model_C(m), opt.C > 0 ? "given" : "patient-level cross-validation", t1 - t0);
    }
    at_risk_free(m);
    at_csv_free(&csv);
    return st ? cli_fail(st) : CLI_OK;
}

static int risk_eval(int argc, char **argv)
{
    const char *csvp = NULL, *modelp = NULL;
    int json = 0, nboot = 1000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csvp = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            modelp = argv[++i];
        else if (!strcmp(argv[i], "--bootstrap") && i + 1 < argc)
            nboot = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json"))
            json = 1;
        else
            return cli_usage_error("text risk eval", "unknown argument %s", argv[i]);
    }
    if (!csvp || !modelp)
        return cli_usage_error("text risk eval", "needs --model MODEL and --csv FILE");
    size_t pl = strlen(modelp) + 32;
    char *svgp = malloc(pl); /* the reliability plot, beside the model */
    if (!svgp)
        return cli_fail(at_error_set(AT_ERR_NOMEM, "out of memory"));
    snprintf(svgp, pl, "%s.calibration.svg", modelp);
    if (overwrites("eval", svgp, csvp, "the --csv file") || overwrites("eval", svgp, modelp, "the model")) {
        free(svgp);
        return CLI_USAGE;
    }
    at_risk_model *m = NULL;
    at_csv csv;
    memset(&csv, 0, sizeof csv);
    at_status st = at_risk_load(modelp, &m);
    if (!st)
        st = read_csv(csvp, &csv, NULL, 1);
    int ct = at_csv_column(&csv, "text"), cl = at_csv_column(&csv, "label"), cp = at_csv_column(&csv, "patient_id");
    if (!st && (ct < 0 || cl < 0))
        st = at_error_set(AT_ERR_FORMAT, "%s: needs the columns text and label", csvp);
    size_t n = csv.nrows ? csv.nrows - 1 : 0;
    if (!st && n == 0)
        st = at_error_set(AT_ERR_FORMAT, "%s: no data rows to evaluate (the header only)", csvp);
    double *p = malloc((n + 1) * sizeof *p);
    int *y = malloc((n + 1) * sizeof *y);
    const char **ids = malloc((n + 1) * sizeof *ids);
    if (!st && (!p || !y || !ids))
        st = at_error_set(AT_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && !st; i++) {
        const char *t = csv.cells[(i + 1) * csv.ncols + (size_t)ct], *l = csv.cells[(i + 1) * csv.ncols + (size_t)cl];
        if (strcmp(l, "0") && strcmp(l, "1"))
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: label is not 0 or 1", csvp, csv.line[i + 1]);
        else if (!t[0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty text", csvp, csv.line[i + 1]);
        else if (cp >= 0 && !csv.cells[(i + 1) * csv.ncols + (size_t)cp][0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty patient_id", csvp, csv.line[i + 1]);
        else if ((st = at_risk_predict(m, t, strlen(t), &p[i], NULL, 0)))
            at_error_prefix(st, "%s: line %zu", csvp, csv.line[i + 1]);
        y[i] = l[0] == '1';
        ids[i] = cp >= 0 ? csv.cells[(i + 1) * csv.ncols + (size_t)cp] : NULL;
    }
    at_risk_metrics mt;
    /* rows of one patient are not independent: the bootstrap resamples
     * patients when the CSV names them */
    if (!st)
        st = at_risk_metrics_compute_by_patient(p, y, cp >= 0 ? ids : NULL, n, nboot, 1, &mt);
    at_buf out, svg;
    at_buf_init(&out, 1 << 20);
    at_buf_init(&svg, 1 << 20);
    if (!st)
        st = at_risk_metrics_json(&mt, &out);
    if (!st)
        st = at_risk_calibration_svg(&mt, &svg);
    if (!st) {
        st = at_file_write_atomic(svgp, svg.data, svg.len);
        if (!st && !json)
            fprintf(stderr, "atelier text risk eval: reliability plot written to %s\n", svgp);
    }
    free(svgp);
    int one = !st && at_risk_metrics_one_class(&mt);
    if (one)
        fprintf(stderr,
                "atelier text risk eval: warning: %s: every row has label %d, so AUROC and AUPRC are undefined; "
                "evaluate on held-out patients with both labels (atelier text risk split)\n",
                csvp, mt.positives ? 1 : 0);
    if (!st && json) {
        printf("%s\n", (char *)out.data);
    } else if (!st) {
        printf("rows %zu, positives %zu, patients %zu (bootstrap over %s)\n", mt.n, mt.positives, mt.patients,
               mt.by_patient ? "patients" : "rows");
        if (one)
            printf("AUROC undefined (one class)\nAUPRC undefined (one class)\n");
        else
            printf("AUROC %.4f (95%% CI %.4f-%.4f)\nAUPRC %.4f (95%% CI %.4f-%.4f)\n", mt.auroc, mt.auroc_lo,
                   mt.auroc_hi, mt.auprc, mt.auprc_lo, mt.auprc_hi);
        printf("Brier %.4f\nreliability (bin: n, mean predicted, observed):\n", mt.brier);
        for (int b = 0; b < 10; b++)
            if (mt.bin_n[b])
                printf("  %.1f-%.1f: %6zu  %.3f  %.3f\n", b / 10.0, (b + 1) / 10.0, mt.bin_n[b], mt.bin_pred[b],
                       mt.bin_obs[b]);
    }
    free(p);
    free(y);
    free(ids);
    at_buf_free(&out);
    at_buf_free(&svg);
    at_csv_free(&csv);
    at_risk_free(m);
    return st ? cli_fail(st) : CLI_OK;
}

static int risk_score(int argc, char **argv)
{
    const char *csvp = NULL, *modelp = NULL, *outp = NULL;
    int nreasons = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csvp = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            modelp = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outp = argv[++i];
        else if (!strcmp(argv[i], "--reasons") && i + 1 < argc)
            nreasons = atoi(argv[++i]);
        else
            return cli_usage_error("text risk score", "unknown argument %s", argv[i]);
    }
    if (!csvp || !modelp || !outp)
        return cli_usage_error("text risk score", "needs --model MODEL, --csv FILE and -o SCORES.csv");
    if (overwrites("score", outp, csvp, "the --csv file") || overwrites("score", outp, modelp, "the model"))
        return CLI_USAGE;
    at_risk_model *m = NULL;
    at_csv csv;
    memset(&csv, 0, sizeof csv);
    at_status st = at_risk_load(modelp, &m);
    if (!st)
        st = read_csv(csvp, &csv, NULL, 1);
    int cp = at_csv_column(&csv, "patient_id"), ct = at_csv_column(&csv, "text");
    if (!st && (cp < 0 || ct < 0))
        st = at_error_set(AT_ERR_FORMAT, "%s: needs the columns patient_id and text", csvp);
    if (!st && csv.nrows < 2)
        st = at_error_set(AT_ERR_FORMAT, "%s: no data rows to score (the header only)", csvp);
    at_buf out;
    at_buf_init(&out, RISK_MAX_CSV);
    if (!st)
        st = at_buf_puts(&out, "patient_id,probability,reasons\n");
    for (size_t i = 1; i < csv.nrows && !st; i++) {
        const char *pid = csv.cells[i * csv.ncols + (size_t)cp], *t = csv.cells[i * csv.ncols + (size_t)ct];
        double prob;
        at_buf reasons;
        at_buf_init(&reasons, 1 << 16);
        /* an empty row scores nothing: report it rather than write a score */
        if (!pid[0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty patient_id", csvp, csv.line[i]);
        else if (!t[0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty text", csvp, csv.line[i]);
        else if ((st = at_risk_predict(m, t, strlen(t), &prob, &reasons, nreasons)))
            at_error_prefix(st, "%s: line %zu", csvp, csv.line[i]);
        if (!st)
            st = at_csv_put_field(&out, pid, strlen(pid));
        if (!st)
            st = at_buf_printf(&out, ",%.6f,", prob);
        if (!st)
            st = at_csv_put_field(&out, reasons.data ? (char *)reasons.data : "", reasons.len);
        if (!st)
            st = at_buf_putc(&out, '\n');
        at_buf_free(&reasons);
    }
    if (!st)
        st = at_file_write_atomic(outp, out.data, out.len);
    at_buf_free(&out);
    at_csv_free(&csv);
    at_risk_free(m);
    return st ? cli_fail(st) : CLI_OK;
}

/* Write the header and the rows of csv whose is_test equals side. */
static at_status write_side(const at_csv *csv, const unsigned char *is_test, int side, const char *path)
{
    at_buf b;
    at_buf_init(&b, RISK_MAX_CSV);
    at_status st = AT_OK;
    for (size_t i = 0; i < csv->nrows && !st; i++) {
        if (i > 0 && is_test[i - 1] != side)
            continue;
        for (size_t j = 0; j < csv->ncols && !st; j++) {
            const char *c = csv->cells[i * csv->ncols + j];
            if (j)
                st = at_buf_putc(&b, csv->delim);
            if (!st)
                st = at_csv_put_field_delim(&b, c, strlen(c), csv->delim);
        }
        if (!st)
            st = at_buf_putc(&b, '\n');
    }
    if (!st)
        st = at_file_write_atomic(path, b.data, b.len);
    at_buf_free(&b);
    return st;
}

static int risk_split(int argc, char **argv)
{
    const char *csvp = NULL, *both = NULL, *trainp = NULL, *testp = NULL, *idc = NULL;
    double frac = 0.2;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csvp = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            both = argv[++i];
        else if (!strcmp(argv[i], "--train-out") && i + 1 < argc)
            trainp = argv[++i];
        else if (!strcmp(argv[i], "--test-out") && i + 1 < argc)
            testp = argv[++i];
        else if (!strcmp(argv[i], "--id-column") && i + 1 < argc)
            idc = argv[++i];
        else if (!strcmp(argv[i], "--test") && i + 1 < argc) {
            char *end;
            frac = strtod(argv[++i], &end);
            if (*end || !(frac > 0 && frac < 1))
                return cli_usage_error("text risk split", "--test takes a fraction between 0 and 1");
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            char *end;
            seed = strtoull(argv[++i], &end, 10);
            if (*end)
                return cli_usage_error("text risk split", "--seed takes a number");
        } else
            return cli_usage_error("text risk split", "unknown argument %s", argv[i]);
    }
    char *pair = NULL;
    if (both) {
        const char *comma = strchr(both, ',');
        if (!comma || trainp || testp || comma == both || !comma[1] || strchr(comma + 1, ','))
            return cli_usage_error("text risk split", "-o takes TRAIN.csv,TEST.csv (or use --train-out and --test-out)");
        pair = at_strndup(both, (size_t)(comma - both));
        if (!pair)
            return CLI_FAIL;
        trainp = pair;
        testp = comma + 1;
    }
    if (!csvp || !trainp || !testp) {
        at_free(pair);
        return cli_usage_error("text risk split", "needs --csv FILE and -o TRAIN.csv,TEST.csv");
    }
    if (!strcmp(trainp, testp) || at_path_same(trainp, testp) || at_path_same(csvp, trainp) || at_path_same(csvp, testp)) {
        fprintf(stderr, "atelier text risk split: the train file, the test file and --csv must be three different "
                        "files; nothing was written\n");
        at_free(pair);
        return CLI_USAGE;
    }
    at_csv csv;
    at_status st = read_csv(csvp, &csv, idc, 0);
    if (st) {
        at_free(pair);
        return cli_fail(st);
    }
    unsigned char *is_test = malloc(csv.nrows + 1);
    size_t kt = 0, np = 0;
    st = is_test ? at_risk_split(&csv, idc, frac, seed, is_test, &kt, &np) : at_error_set(AT_ERR_NOMEM, "out of memory");
    if (st && !strstr(at_error_message(), csvp))
        at_error_prefix(st, "%s", csvp);
    if (!st)
        st = write_side(&csv, is_test, 0, trainp);
    if (!st)
        st = write_side(&csv, is_test, 1, testp);
    if (!st) {
        size_t rows_test = 0;
        for (size_t i = 0; i + 1 < csv.nrows; i++)
            rows_test += is_test[i];
        fprintf(stderr, "atelier text risk split: %zu patients: %zu (%zu rows) to %s, %zu (%zu rows) to %s\n", np,
                np - kt, csv.nrows - 1 - rows_test, trainp, kt, rows_test, testp);
    }
    free(is_test);
    at_csv_free(&csv);
    at_free(pair);
    return st ? cli_fail(st) : CLI_OK;
}

static int risk_demo(int argc, char **argv)
{
    unsigned long long n = 600, seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--patients") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else
            return cli_usage_error("text risk demo", "unknown argument %s", argv[i]);
    }
    at_risk_metrics mt;
    at_status st = at_risk_demo((size_t)n, seed, &mt);
    at_buf out;
    at_buf_init(&out, 1 << 20);
    if (!st)
        st = at_risk_metrics_json(&mt, &out);
    if (!st)
        printf("%s\n", (char *)out.data);
    at_buf_free(&out);
    return st ? cli_fail(st) : CLI_OK;
}

int cmd_text_risk(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o, "usage: atelier text risk split --csv FILE -o TRAIN.csv,TEST.csv [--test 0.2] [--seed S]\n"
                   "                  [--id-column NAME]   (or --train-out FILE --test-out FILE)\n"
                   "       atelier text risk train --csv FILE -o MODEL [--C C] [--l1] [--folds K] [--xgboost]\n"
                   "       atelier text risk eval --model MODEL --csv FILE [--json] [--bootstrap N]\n"
                   "       atelier text risk score --model MODEL --csv FILE -o SCORES.csv [--reasons K]\n"
                   "       atelier text risk demo [--patients N] [--seed S]\n\n"
                   "Risk of unplanned hospitalisation within 30 days of a chemotherapy cycle from\n"
                   "its note. The CSV has the columns patient_id,text,label (label absent when\n"
                   "scoring), delimited by ',', ';' or tab as its header line is (or --delimiter\n"
                   "for every command). Features: TF-IDF of hashed word unigrams and bigrams plus structured\n"
                   "extractions (age, performance status, toxicity grades with negation, febrile\n"
                   "neutropenia, drugs, prior admissions, cycle); L2 (or L1) logistic regression\n"
                   "through liblinear, C chosen by patient-level cross-validation unless given;\n"
                   "--xgboost trains gradient-boosted trees instead (150 rounds, depth 4, eta 0.1).\n"
                   "eval prints AUROC and AUPRC with bootstrap 95%% intervals, the Brier score and\n"
                   "a reliability table, and writes MODEL.calibration.svg. score writes\n"
                   "patient_id,probability,reasons (the terms and features that raised it most).\n"
                   "split writes a patient-level train/test split (whole patients on one side:\n"
                   "--test of them, by a seeded shuffle): train on one, eval on the other, since\n"
                   "eval on the training file measures nothing. eval warns when the file holds one\n"
                   "class only (AUROC undefined). demo runs the whole pipeline on a synthetic\n"
                   "cohort (patient-level split, one\n"
                   "patient in five held out) and prints the held-out metrics as JSON.\n");
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    /* --delimiter applies to every risk command's input: take it out here */
    int k = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--delimiter")) {
            if (i + 1 >= argc || cli_delimiter(argv[i + 1], &risk_delim))
                return cli_usage_error("text risk", "--delimiter is ',', ';' or tab");
            i++;
            continue;
        }
        argv[k++] = argv[i];
    }
    argc = k;
    if (!strcmp(argv[1], "train"))
        return risk_train(argc - 1, argv + 1);
    if (!strcmp(argv[1], "eval"))
        return risk_eval(argc - 1, argv + 1);
    if (!strcmp(argv[1], "score"))
        return risk_score(argc - 1, argv + 1);
    if (!strcmp(argv[1], "demo"))
        return risk_demo(argc - 1, argv + 1);
    if (!strcmp(argv[1], "split"))
        return risk_split(argc - 1, argv + 1);
    return cli_usage_error("text risk", "'%s' is not split, train, eval, score or demo", argv[1]);
}
