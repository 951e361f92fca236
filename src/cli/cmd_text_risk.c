/* atelier text risk (split, train, eval, score, demo): options -> spec ->
 * at_risk_<step>_run (src/risk/run.c) -> output. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/risk.h"

#include <stdlib.h>
#include <string.h>

/* The help of each risk command (its defaults said), and of the group. */
static const char *const help_split =
    "usage: atelier text risk split --csv FILE -o TRAIN.csv,TEST.csv [--test-fraction F] [--seed S]\n"
    "                               [--id-column NAME] [--delimiter ,|;|tab] [--force] [--quiet]\n"
    "       (or --train-out FILE --test-out FILE instead of -o)\n\n"
    "A patient-level train/test split: whole patients on one side, --test-fraction\n"
    "of them (default 0.2; the old spelling --test is accepted) by a shuffle seeded\n"
    "with --seed (default 1), so that eval measures patients the model never saw.\n"
    "The outputs keep the input's header and delimiter; existing ones are refused\n"
    "unless --force.\n";
static const char *const help_train =
    "usage: atelier text risk train --csv FILE -o MODEL [--C C] [--l1] [--folds K] [--xgboost]\n"
    "                               [--threads N] [--delimiter ,|;|tab] [--force] [--quiet]\n\n"
    "Train the re-hospitalisation risk model on a CSV with the columns patient_id,\n"
    "text, label: hashed TF-IDF word unigrams and bigrams plus structured\n"
    "extractions; L2 (--l1: L1) logistic regression through liblinear, C chosen by\n"
    "patient-level cross-validation over 0.3, 1, 3, 10, 30 (--folds, default 5)\n"
    "unless --C is given; --xgboost trains gradient-boosted trees instead (150\n"
    "rounds, depth 4, eta 0.1). --threads: default the cores online; the model's\n"
    "bytes do not depend on it. An existing MODEL is refused unless --force.\n";
static const char *const help_eval =
    "usage: atelier text risk eval --model MODEL --csv FILE [--json] [--bootstrap N]\n"
    "                              [--delimiter ,|;|tab] [--quiet]\n\n"
    "AUROC and AUPRC with bootstrap 95% intervals (--bootstrap resamples, default\n"
    "1000, over patients when the CSV names them), the Brier score and a\n"
    "reliability table on stdout (--json: one JSON object); writes the reliability\n"
    "plot MODEL.calibration.svg (replaced). Warns when the file holds one class only.\n";
static const char *const help_score =
    "usage: atelier text risk score --model MODEL --csv FILE -o SCORES.csv [--reasons K]\n"
    "                               [--delimiter ,|;|tab] [--force] [--quiet]\n\n"
    "Write patient_id,probability,reasons for every row: the K terms and features\n"
    "that raised the risk most (default 3). An existing SCORES.csv is refused\n"
    "unless --force.\n";
static const char *const help_demo =
    "usage: atelier text risk demo [--patients N] [--seed S] [--quiet]\n\n"
    "The whole pipeline on a synthetic cohort (default 600 patients, seed 1): one\n"
    "patient in five held out, train, the held-out metrics as JSON.\n";

static void risk_usage(FILE *o)
{
    fprintf(o, "usage: atelier text risk <split|train|eval|score|demo> [<args>]\n\n"
               "Risk of unplanned hospitalisation within 30 days of a chemotherapy cycle from\n"
               "its note. The CSV has the columns patient_id,text,label (label absent when\n"
               "scoring), delimited by ',', ';' or tab as its header line is (or --delimiter).\n"
               "  split  a patient-level train/test split (eval on the training file measures nothing)\n"
               "  train  fit the model (liblinear logistic regression, or --xgboost)\n"
               "  eval   AUROC, AUPRC, Brier, reliability on a labelled CSV\n"
               "  score  probabilities and reasons for each row\n"
               "  demo   the whole pipeline on a synthetic cohort\n"
               "'atelier text risk <command> --help' tells more, with the defaults.\n");
}

/* Options every risk command takes: --delimiter, --quiet. 1 when argv[*i]
 * was one of them (or *rc set to a usage error). */
static int common_option(const char *cmd, int argc, char **argv, int *i, int *delim, int *quiet, int *rc)
{
    const char *d = NULL;
    if (cli_take(cmd, argc, argv, i, "--delimiter", NULL, &d, rc)) {
        if (*rc == CLI_OK && cli_delimiter(d, delim))
            *rc = cli_usage_error(cmd, "--delimiter is ',', ';' or tab");
        return 1;
    }
    if (cli_flag(argv[*i], "--quiet", "-q")) {
        *quiet = 1;
        return 1;
    }
    return 0;
}

static int risk_train(int argc, char **argv)
{
    static const char *cmd = "text risk train";
    at_risk_train_spec spec;
    memset(&spec, 0, sizeof spec);
    const char *v = NULL;
    long threads = cli_threads_default(), folds = 0;
    int rc = CLI_OK, quiet = 0, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (common_option(cmd, argc, argv, &i, &spec.delimiter, &quiet, &rc) ||
            cli_take(cmd, argc, argv, &i, "--csv", NULL, &spec.csv, &rc) ||
            cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.out, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--C", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_double(cmd, "--C", v, 1e-6, 1e6, &spec.options.C);
        } else if (cli_take(cmd, argc, argv, &i, "--folds", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, "--folds", v, 2, 20, &folds)) == CLI_OK)
                spec.options.folds = (int)folds;
        } else if (cli_take(cmd, argc, argv, &i, "--threads", NULL, &v, &rc)) {
            if (rc == CLI_OK)
                rc = cli_long(cmd, "--threads", v, 1, 256, &threads);
        } else if (cli_flag(a, "--l1", NULL)) {
            spec.options.l1 = 1;
        } else if (cli_flag(a, "--xgboost", NULL)) {
            spec.options.use_xgboost = 1;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && (!spec.csv || !spec.out))
        rc = cli_usage_error(cmd, "needs --csv FILE and -o MODEL");
    if (rc == CLI_OK && !at_path_same(spec.out, spec.csv))
        rc = cli_output_free(cmd, spec.out, force);
    if (rc != CLI_OK)
        return rc;
    cli_run run;
    cli_run_start(&run, cmd, (int)threads, quiet, 0);
    at_risk_train_result res;
    at_status st = at_risk_train_run(&spec, &run.run, &res);
    rc = cli_run_end(&run, st, "no model was written");
    if (rc == CLI_OK && !quiet) {
        if (res.xgboost)
            fprintf(stderr, "atelier %s: %zu rows, gradient boosting (XGBoost), %.3f s\n", cmd, res.rows,
                    res.seconds);
        else
            fprintf(stderr, "atelier %s: %zu rows, C=%g (%s), %.3f s\n", cmd, res.rows, res.C,
                    spec.options.C > 0 ? "given" : "patient-level cross-validation", res.seconds);
    }
    return rc;
}

static void print_metrics(const at_risk_metrics *mt, int one)
{
    printf("rows %zu, positives %zu, patients %zu (bootstrap over %s)\n", mt->n, mt->positives, mt->patients,
           mt->by_patient ? "patients" : "rows");
    if (one)
        printf("AUROC undefined (one class)\nAUPRC undefined (one class)\n");
    else
        printf("AUROC %.4f (95%% CI %.4f-%.4f)\nAUPRC %.4f (95%% CI %.4f-%.4f)\n", mt->auroc, mt->auroc_lo,
               mt->auroc_hi, mt->auprc, mt->auprc_lo, mt->auprc_hi);
    printf("Brier %.4f\nreliability (bin: n, mean predicted, observed):\n", mt->brier);
    for (int b = 0; b < 10; b++)
        if (mt->bin_n[b])
            printf("  %.1f-%.1f: %6zu  %.3f  %.3f\n", b / 10.0, (b + 1) / 10.0, mt->bin_n[b], mt->bin_pred[b],
                   mt->bin_obs[b]);
}

static int risk_eval(int argc, char **argv)
{
    static const char *cmd = "text risk eval";
    at_risk_eval_spec spec = {.bootstrap = 1000};
    const char *v = NULL;
    long nboot = 1000;
    int rc = CLI_OK, json = 0, quiet = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (common_option(cmd, argc, argv, &i, &spec.delimiter, &quiet, &rc) ||
            cli_take(cmd, argc, argv, &i, "--csv", NULL, &spec.csv, &rc) ||
            cli_take(cmd, argc, argv, &i, "--model", NULL, &spec.model, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--bootstrap", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, "--bootstrap", v, 0, 1000000, &nboot)) == CLI_OK)
                spec.bootstrap = (int)nboot;
        } else if (cli_flag(a, "--json", NULL)) {
            json = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && (!spec.csv || !spec.model))
        rc = cli_usage_error(cmd, "needs --model MODEL and --csv FILE");
    if (rc != CLI_OK)
        return rc;
    size_t pl = strlen(spec.model) + 32;
    char *svgp = at_malloc(pl); /* the reliability plot, beside the model */
    if (!svgp)
        return cli_fail(AT_ERR_NOMEM);
    snprintf(svgp, pl, "%s.calibration.svg", spec.model);
    spec.plot = svgp;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 1);
    at_risk_metrics mt;
    at_status st = at_risk_eval_run(&spec, &run.run, &mt);
    rc = cli_run_end(&run, st, "nothing was written");
    if (rc == CLI_OK && !json && !quiet)
        fprintf(stderr, "atelier %s: reliability plot written to %s\n", cmd, svgp);
    at_free(svgp);
    if (rc != CLI_OK)
        return rc;
    int one = at_risk_metrics_one_class(&mt);
    if (one)
        fprintf(stderr,
                "atelier %s: warning: %s: every row has label %d, so AUROC and AUPRC are undefined; "
                "evaluate on held-out patients with both labels (atelier text risk split)\n",
                cmd, spec.csv, mt.positives ? 1 : 0);
    if (json) {
        at_buf out;
        at_buf_init(&out, 1 << 20);
        st = at_risk_metrics_json(&mt, &out);
        if (!st)
            printf("%s\n", (char *)out.data);
        at_buf_free(&out);
        return st ? cli_fail(st) : CLI_OK;
    }
    print_metrics(&mt, one);
    return CLI_OK;
}

static int risk_score(int argc, char **argv)
{
    static const char *cmd = "text risk score";
    at_risk_score_spec spec = {.reasons = 3};
    const char *v = NULL;
    long k = 3;
    int rc = CLI_OK, quiet = 0, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (common_option(cmd, argc, argv, &i, &spec.delimiter, &quiet, &rc) ||
            cli_take(cmd, argc, argv, &i, "--csv", NULL, &spec.csv, &rc) ||
            cli_take(cmd, argc, argv, &i, "--model", NULL, &spec.model, &rc) ||
            cli_take(cmd, argc, argv, &i, "-o", "--out", &spec.out, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--reasons", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, "--reasons", v, 0, 100, &k)) == CLI_OK)
                spec.reasons = (int)k;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    if (rc == CLI_OK && (!spec.csv || !spec.model || !spec.out))
        rc = cli_usage_error(cmd, "needs --model MODEL, --csv FILE and -o SCORES.csv");
    if (rc == CLI_OK && !at_path_same(spec.out, spec.csv) && !at_path_same(spec.out, spec.model))
        rc = cli_output_free(cmd, spec.out, force);
    if (rc != CLI_OK)
        return rc;
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_risk_score_result res;
    at_status st = at_risk_score_run(&spec, &run.run, &res);
    return cli_run_end(&run, st, "no scores were written");
}

static int risk_split(int argc, char **argv)
{
    static const char *cmd = "text risk split";
    at_risk_split_spec spec = {.test_fraction = 0.2, .seed = 1};
    const char *both = NULL, *v = NULL;
    long seed = 1;
    int rc = CLI_OK, quiet = 0, force = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (common_option(cmd, argc, argv, &i, &spec.delimiter, &quiet, &rc) ||
            cli_take(cmd, argc, argv, &i, "--csv", NULL, &spec.csv, &rc) ||
            cli_take(cmd, argc, argv, &i, "-o", "--out", &both, &rc) ||
            cli_take(cmd, argc, argv, &i, "--train-out", NULL, &spec.train_out, &rc) ||
            cli_take(cmd, argc, argv, &i, "--test-out", NULL, &spec.test_out, &rc) ||
            cli_take(cmd, argc, argv, &i, "--id-column", NULL, &spec.id_column, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--test-fraction", "--test", &v, &rc)) {
            if (rc == CLI_OK &&
                (rc = cli_double(cmd, "--test-fraction", v, 0, 1, &spec.test_fraction)) == CLI_OK &&
                !(spec.test_fraction > 0 && spec.test_fraction < 1))
                rc = cli_usage_error(cmd, "--test-fraction takes a fraction between 0 and 1");
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, "--seed", v, 0, 2147483647L, &seed)) == CLI_OK)
                spec.seed = (uint64_t)seed;
        } else if (cli_flag(a, "--force", NULL)) {
            force = 1;
        } else {
            rc = cli_unknown_option(cmd, a);
        }
    }
    char *pair = NULL;
    if (rc == CLI_OK && both) {
        const char *comma = strchr(both, ',');
        if (!comma || spec.train_out || spec.test_out || comma == both || !comma[1] || strchr(comma + 1, ','))
            rc = cli_usage_error(cmd, "-o takes TRAIN.csv,TEST.csv (or use --train-out and --test-out)");
        else if (!(pair = at_strndup(both, (size_t)(comma - both))))
            return cli_fail(AT_ERR_NOMEM);
        else {
            spec.train_out = pair;
            spec.test_out = comma + 1;
        }
    }
    if (rc == CLI_OK && (!spec.csv || !spec.train_out || !spec.test_out))
        rc = cli_usage_error(cmd, "needs --csv FILE and -o TRAIN.csv,TEST.csv");
    if (rc == CLI_OK && !at_path_same(spec.csv, spec.train_out) && !at_path_same(spec.csv, spec.test_out) &&
        (rc = cli_output_free(cmd, spec.train_out, force)) == CLI_OK)
        rc = cli_output_free(cmd, spec.test_out, force);
    if (rc != CLI_OK) {
        at_free(pair);
        return rc;
    }
    cli_run run;
    cli_run_start(&run, cmd, 1, quiet, 0);
    at_risk_split_result res;
    at_status st = at_risk_split_run(&spec, &run.run, &res);
    rc = cli_run_end(&run, st, "nothing was written");
    if (rc == CLI_OK && !quiet)
        fprintf(stderr, "atelier %s: %zu patients: %zu (%zu rows) to %s, %zu (%zu rows) to %s\n", cmd,
                res.patients, res.patients - res.test_patients, res.rows_train, spec.train_out,
                res.test_patients, res.rows_test, spec.test_out);
    at_free(pair);
    return rc;
}

static int risk_demo(int argc, char **argv)
{
    static const char *cmd = "text risk demo";
    at_risk_demo_spec spec = {.patients = 600, .seed = 1};
    const char *v = NULL;
    long x;
    int rc = CLI_OK, quiet = 0, delim = 0;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        if (common_option(cmd, argc, argv, &i, &delim, &quiet, &rc)) {
        } else if (cli_take(cmd, argc, argv, &i, "--patients", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, "--patients", v, 10, 1000000, &x)) == CLI_OK)
                spec.patients = (size_t)x;
        } else if (cli_take(cmd, argc, argv, &i, "--seed", NULL, &v, &rc)) {
            if (rc == CLI_OK && (rc = cli_long(cmd, "--seed", v, 0, 2147483647L, &x)) == CLI_OK)
                spec.seed = (uint64_t)x;
        } else {
            rc = cli_unknown_option(cmd, argv[i]);
        }
    }
    if (rc != CLI_OK)
        return rc;
    cli_run run;
    cli_run_start(&run, cmd, cli_threads_default(), quiet, 1);
    at_risk_metrics mt;
    at_status st = at_risk_demo_run(&spec, &run.run, &mt);
    rc = cli_run_end(&run, st, "nothing was written");
    if (rc != CLI_OK)
        return rc;
    at_buf out;
    at_buf_init(&out, 1 << 20);
    st = at_risk_metrics_json(&mt, &out);
    if (!st)
        printf("%s\n", (char *)out.data);
    at_buf_free(&out);
    return st ? cli_fail(st) : CLI_OK;
}

int cmd_text_risk(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int, char **);
        const char *const *help;
    } cmds[] = {{"split", risk_split, &help_split},
                {"train", risk_train, &help_train},
                {"eval", risk_eval, &help_eval},
                {"score", risk_score, &help_score},
                {"demo", risk_demo, &help_demo}};
    if (argc < 2 || cli_flag(argv[1], "--help", "-h")) {
        risk_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t c = 0; c < sizeof cmds / sizeof *cmds; c++)
        if (!strcmp(argv[1], cmds[c].name)) {
            if (cli_wants_help(argc - 1, argv + 1)) {
                fputs(*cmds[c].help, stdout);
                return CLI_OK;
            }
            return cmds[c].run(argc - 1, argv + 1);
        }
    return cli_usage_error("text risk", "'%s' is not split, train, eval, score or demo", argv[1]);
}
