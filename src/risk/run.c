/* The risk pipelines as runs: split, train, eval, score and the demo, each
 * `at_risk_<step>_run(spec, run, result)` (include/atelier/risk.h): CSV in
 * through the run's store, outputs written atomically, progress and
 * cancel through the run. One evaluation (risk_evaluate) serves eval and
 * the demo. */
#include "atelier/risk.h"
#include "atelier/synth.h"
#include "risk/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RISK_MAX_CSV ((size_t)1 << 31)
#define RISK_MAX_CELL ((size_t)16 << 20)

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

/* Read a risk CSV through the run's store; its patient id column
 * (id_column, NULL: patient_id) is trimmed, and its text column too when
 * trim_text. Errors name the path as the caller gave it. */
static at_status read_csv(const at_run *run, const char *path, int delim, const char *id_column,
                          int trim_text, at_csv *csv)
{
    memset(csv, 0, sizeof *csv);
    char *p = NULL;
    unsigned char *data = NULL;
    size_t len = 0;
    at_status st = at_run_path(run, path, 0, &p);
    if (!st)
        st = at_file_read(p, RISK_MAX_CSV, &data, &len);
    if (!st) {
        st = at_csv_parse_delim((const char *)data, len, RISK_MAX_CELL, delim, csv);
        if (st)
            at_error_prefix(st, "%s", path);
    }
    at_free(data);
    at_free(p);
    if (!st) {
        trim_column(csv, id_column ? id_column : "patient_id");
        if (trim_text)
            trim_column(csv, "text");
    }
    return st;
}

/* Write data atomically to path (through the store). */
static at_status write_out(const at_run *run, const char *path, const void *data, size_t len)
{
    char *p = NULL;
    at_status st = at_run_path(run, path, 1, &p);
    if (!st)
        st = at_file_write_atomic(p, data, len);
    at_free(p);
    return st;
}

/* 0 when out names in (the output would overwrite the input). */
static at_status refuse_same(const at_run *run, const char *out, const char *in, const char *what)
{
    char *po = NULL, *pi = NULL;
    at_status st = at_run_path(run, out, 1, &po);
    if (!st)
        st = at_run_path(run, in, 0, &pi);
    if (!st && at_path_same(po, pi))
        st =
            at_error_set(AT_ERR_REFUSED, "%s is %s: it would be overwritten; nothing was written", out, what);
    at_free(po);
    at_free(pi);
    return st;
}

/* ---- split ---- */

/* The header and the rows of csv whose is_test equals side, as CSV text. */
static at_status side_csv(const at_csv *csv, const unsigned char *is_test, int side, at_buf *b)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < csv->nrows && !st; i++) {
        if (i > 0 && is_test[i - 1] != side)
            continue;
        for (size_t j = 0; j < csv->ncols && !st; j++) {
            const char *c = csv->cells[i * csv->ncols + j];
            if (j)
                st = at_buf_putc(b, csv->delim);
            if (!st)
                st = at_csv_put_field_delim(b, c, strlen(c), csv->delim);
        }
        if (!st)
            st = at_buf_putc(b, '\n');
    }
    return st;
}

at_status at_risk_split_run(const at_risk_split_spec *spec, at_run *run, at_risk_split_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->csv || !spec->train_out || !spec->test_out)
        return at_error_set(AT_ERR_ARG, "at_risk_split_run: missing argument");
    if (!run)
        run = at_run_default();
    char *pc = NULL, *ptr = NULL, *pte = NULL;
    at_status st = at_run_path(run, spec->csv, 0, &pc);
    if (!st)
        st = at_run_path(run, spec->train_out, 1, &ptr);
    if (!st)
        st = at_run_path(run, spec->test_out, 1, &pte);
    if (!st &&
        (!strcmp(ptr, pte) || at_path_same(ptr, pte) || at_path_same(pc, ptr) || at_path_same(pc, pte)))
        st = at_error_set(AT_ERR_REFUSED,
                          "the train file, the test file and --csv must be three different files; "
                          "nothing was written");
    at_free(pc);
    at_free(ptr);
    at_free(pte);
    if (st)
        return st;
    at_csv csv;
    st = read_csv(run, spec->csv, spec->delimiter, spec->id_column, 0, &csv);
    if (st)
        return st;
    unsigned char *is_test = at_malloc(csv.nrows + 1);
    st = is_test ? at_run_check(run, "risk split") : AT_ERR_NOMEM;
    if (!st)
        st = at_risk_split(&csv, spec->id_column, spec->test_fraction, spec->seed, is_test,
                           &result->test_patients, &result->patients);
    if (st && st != AT_ERR_CANCELLED && !strstr(at_error_message(), spec->csv))
        at_error_prefix(st, "%s", spec->csv);
    at_buf train, test;
    at_buf_init(&train, RISK_MAX_CSV);
    at_buf_init(&test, RISK_MAX_CSV);
    if (!st)
        st = side_csv(&csv, is_test, 0, &train);
    if (!st)
        st = side_csv(&csv, is_test, 1, &test);
    /* both files or neither: the cancel flag looked at before the first */
    if (!st)
        st = at_run_check(run, "risk split");
    if (!st)
        st = write_out(run, spec->train_out, train.data, train.len);
    if (!st) {
        st = write_out(run, spec->test_out, test.data, test.len);
        if (st) {
            char *p = NULL;
            if (!at_run_path(run, spec->train_out, 1, &p))
                remove(p);
            at_free(p);
        }
    }
    if (!st) {
        for (size_t i = 0; i + 1 < csv.nrows; i++)
            result->rows_test += is_test[i];
        result->rows_train = csv.nrows - 1 - result->rows_test;
        at_run_progress(run, "split", 1, 1);
    }
    at_buf_free(&train);
    at_buf_free(&test);
    at_free(is_test);
    at_csv_free(&csv);
    return st;
}

/* ---- train ---- */

at_status at_risk_train_run(const at_risk_train_spec *spec, at_run *run, at_risk_train_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->csv || !spec->out)
        return at_error_set(AT_ERR_ARG, "at_risk_train_run: missing argument");
    if (!run)
        run = at_run_default();
    at_status st = refuse_same(run, spec->out, spec->csv, "the --csv file");
    if (st)
        return st;
    at_csv csv;
    st = read_csv(run, spec->csv, spec->delimiter, NULL, 1, &csv);
    if (st)
        return st;
    at_risk_options opt = spec->options;
    opt.threads = at_run_threads(run);
    at_risk_model *m = NULL;
    double t0 = at_now_seconds();
    st = risk_train(&csv, &opt, run, &m);
    result->seconds = at_now_seconds() - t0;
    if (st && st != AT_ERR_CANCELLED && !strstr(at_error_message(), spec->csv))
        at_error_prefix(st, "%s", spec->csv);
    if (!st)
        st = at_run_check(run, "risk train");
    char *p = NULL;
    if (!st)
        st = at_run_path(run, spec->out, 1, &p);
    if (!st)
        st = at_risk_save(m, p);
    if (!st) {
        result->rows = csv.nrows - 1;
        result->C = at_risk_model_C(m);
        result->xgboost = spec->options.use_xgboost;
    }
    at_free(p);
    at_risk_free(m);
    at_csv_free(&csv);
    return st;
}

/* ---- one evaluation ---- */

at_status risk_evaluate(const at_risk_model *m, const at_csv *csv, const char *name, int nboot, uint64_t seed,
                        at_run *run, at_risk_metrics *out)
{
    memset(out, 0, sizeof *out);
    int ct = at_csv_column(csv, "text"), cl = at_csv_column(csv, "label"),
        cp = at_csv_column(csv, "patient_id");
    if (ct < 0 || cl < 0)
        return at_error_set(AT_ERR_FORMAT, "%s: needs the columns text and label", name);
    size_t n = csv->nrows ? csv->nrows - 1 : 0;
    if (n == 0)
        return at_error_set(AT_ERR_FORMAT, "%s: no data rows to evaluate (the header only)", name);
    double *p = at_malloc((n + 1) * sizeof *p);
    int *y = at_malloc((n + 1) * sizeof *y);
    const char **ids = at_malloc((n + 1) * sizeof *ids);
    at_status st = p && y && ids ? AT_OK : AT_ERR_NOMEM;
    if (!st)
        at_run_progress(run, "predict", 0, n);
    for (size_t i = 0; i < n && !st; i++) {
        const char *t = csv->cells[(i + 1) * csv->ncols + (size_t)ct];
        const char *l = csv->cells[(i + 1) * csv->ncols + (size_t)cl];
        if ((i & 255) == 0 && (st = at_run_check(run, "risk eval")))
            break;
        if (strcmp(l, "0") && strcmp(l, "1"))
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: label is not 0 or 1", name, csv->line[i + 1]);
        else if (!t[0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty text", name, csv->line[i + 1]);
        else if (cp >= 0 && !csv->cells[(i + 1) * csv->ncols + (size_t)cp][0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty patient_id", name, csv->line[i + 1]);
        else if ((st = at_risk_predict(m, t, strlen(t), &p[i], NULL, 0)))
            at_error_prefix(st, "%s: line %zu", name, csv->line[i + 1]);
        y[i] = l[0] == '1';
        ids[i] = cp >= 0 ? csv->cells[(i + 1) * csv->ncols + (size_t)cp] : NULL;
        if (!st && ((i + 1) & 255) == 0)
            at_run_progress(run, "predict", i + 1, n);
    }
    if (!st)
        at_run_progress(run, "predict", n, n);
    /* rows of one patient are not independent: the bootstrap resamples
     * patients when the CSV names them */
    if (!st)
        st = at_risk_metrics_compute_by_patient(p, y, cp >= 0 ? ids : NULL, n, nboot, seed, out);
    at_free(p);
    at_free(y);
    at_free(ids);
    return st;
}

at_status at_risk_eval_run(const at_risk_eval_spec *spec, at_run *run, at_risk_metrics *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->csv || !spec->model)
        return at_error_set(AT_ERR_ARG, "at_risk_eval_run: missing argument");
    if (!run)
        run = at_run_default();
    at_status st = AT_OK;
    if (spec->plot && !(st = refuse_same(run, spec->plot, spec->csv, "the --csv file")))
        st = refuse_same(run, spec->plot, spec->model, "the model");
    if (st)
        return st;
    char *mp = NULL;
    at_risk_model *m = NULL;
    at_csv csv;
    memset(&csv, 0, sizeof csv);
    st = at_run_path(run, spec->model, 0, &mp);
    if (!st)
        st = at_risk_load(mp, &m);
    if (!st)
        st = read_csv(run, spec->csv, spec->delimiter, NULL, 1, &csv);
    if (!st)
        st = risk_evaluate(m, &csv, spec->csv, spec->bootstrap, 1, run, result);
    at_buf svg;
    at_buf_init(&svg, 1 << 20);
    if (!st && spec->plot)
        st = at_risk_calibration_svg(result, &svg);
    if (!st)
        st = at_run_check(run, "risk eval");
    if (!st && spec->plot)
        st = write_out(run, spec->plot, svg.data, svg.len);
    at_buf_free(&svg);
    at_csv_free(&csv);
    at_risk_free(m);
    at_free(mp);
    return st;
}

/* ---- score ---- */

at_status at_risk_score_run(const at_risk_score_spec *spec, at_run *run, at_risk_score_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->csv || !spec->model || !spec->out)
        return at_error_set(AT_ERR_ARG, "at_risk_score_run: missing argument");
    if (!run)
        run = at_run_default();
    at_status st = refuse_same(run, spec->out, spec->csv, "the --csv file");
    if (!st)
        st = refuse_same(run, spec->out, spec->model, "the model");
    if (st)
        return st;
    char *mp = NULL;
    at_risk_model *m = NULL;
    at_csv csv;
    memset(&csv, 0, sizeof csv);
    st = at_run_path(run, spec->model, 0, &mp);
    if (!st)
        st = at_risk_load(mp, &m);
    if (!st)
        st = read_csv(run, spec->csv, spec->delimiter, NULL, 1, &csv);
    const char *name = spec->csv;
    int cp = at_csv_column(&csv, "patient_id"), ct = at_csv_column(&csv, "text");
    if (!st && (cp < 0 || ct < 0))
        st = at_error_set(AT_ERR_FORMAT, "%s: needs the columns patient_id and text", name);
    if (!st && csv.nrows < 2)
        st = at_error_set(AT_ERR_FORMAT, "%s: no data rows to score (the header only)", name);
    at_buf out;
    at_buf_init(&out, RISK_MAX_CSV);
    if (!st)
        st = at_buf_puts(&out, "patient_id,probability,reasons\n");
    size_t n = csv.nrows ? csv.nrows - 1 : 0;
    if (!st)
        at_run_progress(run, "score", 0, n);
    for (size_t i = 1; i < csv.nrows && !st; i++) {
        if ((i & 255) == 1 && (st = at_run_check(run, "risk score")))
            break;
        const char *pid = csv.cells[i * csv.ncols + (size_t)cp], *t = csv.cells[i * csv.ncols + (size_t)ct];
        double prob = 0;
        at_buf reasons;
        at_buf_init(&reasons, 1 << 16);
        /* an empty row scores nothing: report it rather than write a score */
        if (!pid[0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty patient_id", name, csv.line[i]);
        else if (!t[0])
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: empty text", name, csv.line[i]);
        else if ((st = at_risk_predict(m, t, strlen(t), &prob, &reasons, spec->reasons)))
            at_error_prefix(st, "%s: line %zu", name, csv.line[i]);
        if (!st)
            st = at_csv_put_field(&out, pid, strlen(pid));
        if (!st)
            st = at_buf_printf(&out, ",%.6f,", prob);
        if (!st)
            st = at_csv_put_field(&out, reasons.data ? (char *)reasons.data : "", reasons.len);
        if (!st)
            st = at_buf_putc(&out, '\n');
        at_buf_free(&reasons);
        if (!st && (i & 255) == 0)
            at_run_progress(run, "score", i, n);
    }
    if (!st)
        at_run_progress(run, "score", n, n);
    if (!st)
        st = at_run_check(run, "risk score");
    if (!st)
        st = write_out(run, spec->out, out.data, out.len);
    if (!st)
        result->rows = n;
    at_buf_free(&out);
    at_csv_free(&csv);
    at_risk_free(m);
    at_free(mp);
    return st;
}

/* ---- the demo ---- */

static uint32_t split_hash(const char *pid)
{
    uint32_t h = 2166136261u;
    for (const char *p = pid; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h * 2654435761u;
}

at_status at_risk_demo_run(const at_risk_demo_spec *spec, at_run *run, at_risk_metrics *test_metrics)
{
    memset(test_metrics, 0, sizeof *test_metrics);
    if (!spec || !spec->patients)
        return at_error_set(AT_ERR_ARG, "at_risk_demo_run: missing argument");
    if (!run)
        run = at_run_default();
    at_buf csvb;
    at_buf_init(&csvb, (size_t)1 << 30);
    at_status st = at_synth_chemo_cohort(spec->patients, spec->seed, &csvb);
    at_csv csv;
    memset(&csv, 0, sizeof csv);
    if (!st)
        st = at_csv_parse((const char *)csvb.data, csvb.len, (size_t)1 << 20, &csv);
    at_buf_free(&csvb);
    if (!st)
        st = at_run_check(run, "risk demo");
    if (st) {
        at_csv_free(&csv);
        return st;
    }
    /* patient-level split: one patient in five is held out */
    at_csv train = csv, test = csv;
    train.cells = at_malloc(csv.nrows * csv.ncols * sizeof *train.cells);
    test.cells = at_malloc(csv.nrows * csv.ncols * sizeof *test.cells);
    train.line = at_malloc(csv.nrows * sizeof *train.line);
    test.line = at_malloc(csv.nrows * sizeof *test.line);
    if (!train.cells || !test.cells || !train.line || !test.line)
        st = AT_ERR_NOMEM;
    int cp = at_csv_column(&csv, "patient_id");
    train.nrows = test.nrows = 0;
    for (size_t i = 0; i < csv.nrows && !st; i++) {
        if (i == 0) {
            memcpy(train.cells, csv.cells, csv.ncols * sizeof *csv.cells);
            memcpy(test.cells, csv.cells, csv.ncols * sizeof *csv.cells);
            train.line[0] = test.line[0] = 1;
            train.nrows = test.nrows = 1;
            continue;
        }
        at_csv *dst = split_hash(csv.cells[i * csv.ncols + (size_t)cp]) % 5 == 0 ? &test : &train;
        memcpy(dst->cells + dst->nrows * csv.ncols, csv.cells + i * csv.ncols, csv.ncols * sizeof *csv.cells);
        dst->line[dst->nrows++] = csv.line[i];
    }
    at_risk_model *m = NULL;
    at_risk_options opt = {.threads = at_run_threads(run)};
    if (!st)
        st = risk_train(&train, &opt, run, &m);
    if (!st)
        st = risk_evaluate(m, &test, "the held-out cohort", 1000, spec->seed, run, test_metrics);
    at_risk_free(m);
    at_free(train.cells);
    at_free(test.cells);
    at_free(train.line);
    at_free(test.line);
    at_csv_free(&csv);
    return st;
}
