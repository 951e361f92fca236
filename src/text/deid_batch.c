/* A text de-identification run (at_text_deid_run): UTF-8 text files,
 * folders (recursively, through the core walker) and CSV columns. The
 * whole run is planned before anything is written: every (input, output)
 * pair is listed, and a run whose output folder is an input or inside one,
 * whose outputs would overwrite an input, or where two inputs would be
 * written to one output, is refused. */
#include "atelier/text.h"
#include "atelier/text_model.h"
#include "atelier/walk.h"
#include "deid_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX_FILE ((size_t)512 << 20)
#define TEXT_MAX_CELL ((size_t)64 << 20)
#define DEID_MAX_JOBS ((size_t)10000000)

typedef struct {
    const at_text_deid_spec *spec;
    at_text_deid *det;
    at_text_mode mode;
    const at_key *key;
    const char *patient_id; /* the run's patient (--patient-info of one patient), may be NULL */
    /* --patient-info of several patients: each document matched against
     * its own patient's identity (the one the detector holds: cur) */
    const at_text_patients *pats;
    const at_text_patient *cur;
    size_t unmatched; /* documents whose patient is not in the table */
    const char *column;
    const char *id_column; /* --id-column, NULL: patient_id when the header has it */
    int json, patient_dirs;
    int delim; /* --delimiter, 0: detected from the header line */
    at_text_deid_result *res;
    at_run_outputs outputs;
    text_run_acc
        *acc; /* phase 1 of run consistency: documents detected, their words noted, nothing written */
} deid_run;

/* A document that could not be de-identified: its input and the message. */
static at_status note_failure(at_text_deid_result *res, const char *in)
{
    at_text_failure *v = at_realloc(res->failures, (res->failed + 1) * sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    res->failures = v;
    v[res->failed].input = at_strdup(in);
    v[res->failed].message = at_strdup(at_error_message());
    at_error_clear();
    if (!v[res->failed].input || !v[res->failed].message) {
        at_free(v[res->failed].input);
        at_free(v[res->failed].message);
        return AT_ERR_NOMEM;
    }
    res->failed++;
    return AT_OK;
}

/* One document to de-identify: the input path, the output path under -o,
 * their canonical forms for the overlap checks, and its patient (a
 * --patient-dirs subfolder's name, else NULL: the run's patient). Owned. */
typedef struct {
    char *in, *out, *in_canon, *out_canon, *patient;
} deid_job;

typedef struct {
    deid_job *v;
    size_t n, cap;
} deid_jobs;

static void jobs_free(deid_jobs *j)
{
    for (size_t i = 0; i < j->n; i++) {
        at_free(j->v[i].in);
        at_free(j->v[i].out);
        at_free(j->v[i].in_canon);
        at_free(j->v[i].out_canon);
        at_free(j->v[i].patient);
    }
    at_free(j->v);
    memset(j, 0, sizeof *j);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static at_status jobs_push(deid_jobs *j, const char *in, const char *out, const char *out_canon,
                           const char *patient)
{
    if (j->n >= DEID_MAX_JOBS)
        return at_error_set(AT_ERR_LIMIT, "text deid: more than %zu documents in one run", DEID_MAX_JOBS);
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 64;
        deid_job *v = at_realloc(j->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        j->v = v;
        j->cap = cap;
    }
    deid_job *x = &j->v[j->n];
    memset(x, 0, sizeof *x);
    x->in = at_strdup(in);
    x->out = at_strdup(out);
    x->out_canon = at_strdup(out_canon);
    x->in_canon = at_path_canonical(in);
    x->patient = patient ? at_strdup(patient) : NULL;
    j->n++;
    if (!x->in || !x->out || !x->out_canon || !x->in_canon || (patient && !x->patient))
        return AT_ERR_NOMEM;
    return AT_OK;
}

/* In a folder walk, hidden names are left out, and .json files are
 * standoff or annotation files, not documents. */
static int keep_document(void *ud, const char *rel, int is_folder)
{
    (void)ud;
    return is_folder || !has_suffix(rel, ".json");
}

/* List the documents of the folder in (the core walker's files) with
 * their outputs under out (out_canon: its canonical form) and their
 * patient (with --patient-dirs, each first-level subfolder is one
 * patient). */
static at_status plan_folder(deid_run *r, deid_jobs *jobs, const char *in, const char *out,
                             const char *out_canon)
{
    at_walk_list w = {0};
    at_walk_options o = {.skip_hidden = 1, .keep = keep_document, .max_files = DEID_MAX_JOBS};
    at_status st = at_walk_collect(&w, in, &o);
    for (size_t i = 0; i < w.n && !st; i++) {
        const char *rel = w.v[i].rel, *slash = strchr(rel, '/');
        char *b = at_path_join(out, rel), *c = at_path_join(out_canon, rel);
        char *patient = r->patient_dirs && slash ? at_strndup(rel, (size_t)(slash - rel)) : NULL;
        if (!b || !c || (r->patient_dirs && slash && !patient))
            st = AT_ERR_NOMEM;
        else
            st = jobs_push(jobs, w.v[i].path, b, c, patient);
        at_free(b);
        at_free(c);
        at_free(patient);
    }
    at_walk_list_free(&w);
    return st;
}

typedef struct {
    const char *path; /* canonical */
    size_t job;
    int standoff;
} out_ref;

static int cmp_out_ref(const void *a, const void *b)
{
    const out_ref *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : (x->job > y->job) - (x->job < y->job);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refuse a plan that would overwrite an input or write two inputs to one
 * output (standoff files included with --json): AT_ERR_REFUSED naming the
 * first conflict. */
static at_status check_plan(const deid_run *r, const deid_jobs *jobs)
{
    size_t n = jobs->n, m = n * (r->json ? 2 : 1);
    out_ref *refs = at_malloc((m + 1) * sizeof *refs);
    const char **ins = at_malloc((n + 1) * sizeof *ins);
    char **jsons = r->json ? at_calloc(n + 1, sizeof *jsons) : NULL;
    at_status st = AT_OK;
    if (!refs || !ins || (r->json && !jsons))
        st = AT_ERR_NOMEM;
    for (size_t i = 0; i < n && !st; i++) {
        ins[i] = jobs->v[i].in_canon;
        refs[i] = (out_ref){jobs->v[i].out_canon, i, 0};
        if (r->json) {
            size_t l = strlen(jobs->v[i].out_canon) + 6;
            jsons[i] = at_malloc(l);
            if (!jsons[i]) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(jsons[i], l, "%s.json", jobs->v[i].out_canon);
            refs[n + i] = (out_ref){jsons[i], i, 1};
        }
    }
    if (!st) {
        qsort(refs, m, sizeof *refs, cmp_out_ref);
        qsort(ins, n, sizeof *ins, cmp_str);
        for (size_t k = 0; k < m && !st; k++) {
            const deid_job *a = &jobs->v[refs[k].job];
            if (k + 1 < m && !strcmp(refs[k].path, refs[k + 1].path)) {
                const deid_job *b = &jobs->v[refs[k + 1].job];
                st = at_error_set(
                    AT_ERR_REFUSED,
                    "%s and %s would both be written to %s%s; nothing was written (rename one, or "
                    "de-identify them in separate runs or into separate folders)",
                    a->in, b->in, a->out, refs[k].standoff ? ".json" : "");
            } else if (bsearch(&refs[k].path, ins, n, sizeof *ins, cmp_str)) {
                st = at_error_set(
                    AT_ERR_REFUSED,
                    "the output %s%s for %s is an input; nothing was written (choose an -o folder "
                    "outside the inputs)",
                    a->out, refs[k].standoff ? ".json" : "", a->in);
            }
        }
    }
    if (jsons)
        for (size_t i = 0; i < n; i++)
            at_free(jsons[i]);
    at_free(jsons);
    at_free(refs);
    at_free(ins);
    return st;
}

static at_status spans_json(at_buf *js, const at_text_spans *sp, long row)
{
    at_status st =
        row >= 0 ? at_buf_printf(js, "{\"row\":%ld,\"spans\":[", row) : at_buf_puts(js, "{\"spans\":[");
    for (size_t i = 0; i < sp->n && !st; i++)
        st = at_buf_printf(js, "%s{\"offset\":%zu,\"length\":%zu,\"label\":\"%s\"}", i ? "," : "",
                           sp->v[i].start, sp->v[i].len, at_phi_label_name(sp->v[i].label));
    if (!st)
        st = at_buf_puts(js, "]}");
    return st;
}

/* De-identify one text of patient (NULL: none known); appends output and
 * standoff. found: its spans, detected beforehand for the detector's
 * patient (csv_detect_ahead: the text checked, the patient set), NULL:
 * detected here. Errors name no content. */
static at_status deid_text(deid_run *r, const char *text, size_t len, const char *patient, at_buf *out,
                           at_buf *js, long row, const at_text_spans *found)
{
    size_t bad;
    if (found) {
        if (r->pats)
            r->unmatched += !at_text_patients_find(r->pats, patient);
        at_status st = at_text_deid_apply(text, len, found, r->mode, r->key, patient, out);
        if (!st && js)
            st = spans_json(js, found, row);
        return st;
    }
    if (at_text_utf8_check(text, len, &bad))
        return at_error_set(AT_ERR_FORMAT, "byte %zu: not UTF-8 text (binary?)", bad);
    at_status st = AT_OK;
    if (r->pats) {
        if (!patient)
            return at_error_set(AT_ERR_ARG,
                                "no patient for this document, and --patient-info holds %zu patients "
                                "(give each document's patient: a CSV id column or --patient-dirs)",
                                r->pats->n);
        const at_text_patient *p = at_text_patients_find(r->pats, patient);
        if (p != r->cur) {
            st = at_text_deid_set_patient(r->det, p); /* NULL: rules and dictionaries only */
            r->cur = p;
        }
        r->unmatched += !p;
        if (st)
            return st;
    }
    at_text_spans sp = {0};
    if (r->acc) {
        st = text_deid_detect_collect(r->det, text, len, &sp, r->acc);
        at_text_spans_free(&sp);
        return st;
    }
    st = at_text_deid_detect(r->det, text, len, &sp);
    if (!st)
        st = at_text_deid_apply(text, len, &sp, r->mode, r->key, patient, out);
    if (!st && js)
        st = spans_json(js, &sp, row);
    at_text_spans_free(&sp);
    return st;
}

/* The rows detected together: at most this many in one call of
 * at_text_deid_detect_many (their spans are kept until written). */
#define CSV_AHEAD_ROWS 4096

/* The spans of the cells of column col in rows [from, *to) of csv,
 * detected together (at_text_deid_detect_many) in runs of rows of one
 * patient, each run's patient set in the detector as deid_text sets it:
 * found[i - from] for row i. *to is lowered to the first row the row
 * loop must take alone: a row it refuses (an empty patient id, a cell
 * not UTF-8, no patient where --patient-info holds several), or one
 * where setting the patient or detecting failed (the error cleared: the
 * row loop meets it again in its place). Rows from *to on are left
 * empty. */
static void csv_detect_ahead(deid_run *r, const at_csv *csv, int col, int idc, const char *patient,
                             size_t from, size_t *to, at_text_spans *found, const char **texts, size_t *lens)
{
    size_t i = from, end = *to;
    while (i < end) {
        /* a run of rows of one patient */
        const at_text_patient *p = NULL;
        size_t e = i;
        for (; e < end; e++) {
            const char *pid = idc >= 0 ? csv->cells[e * csv->ncols + (size_t)idc] : patient;
            const char *c = csv->cells[e * csv->ncols + (size_t)col];
            size_t len = strlen(c), bad;
            if ((idc >= 0 && !*pid) || at_text_utf8_check(c, len, &bad) || (r->pats && !pid))
                break;
            const at_text_patient *q = r->pats ? at_text_patients_find(r->pats, pid) : NULL;
            if (e > i && q != p)
                break;
            p = q;
            texts[e - from] = c;
            lens[e - from] = len;
        }
        if (e == i) /* the row loop refuses row i */
            break;
        if (r->pats && p != r->cur) {
            if (at_text_deid_set_patient(r->det, p)) {
                at_error_clear();
                break;
            }
            r->cur = p;
        }
        if (at_text_deid_detect_many(r->det, texts + (i - from), lens + (i - from), e - i,
                                     found + (i - from))) {
            at_error_clear();
            for (size_t k = i; k < e; k++)
                at_text_spans_free(&found[k - from]);
            break;
        }
        i = e;
    }
    *to = i;
}

/* A CSV file: the column --column de-identified row by row, the other
 * columns copied. With a patient id column (--id-column, else patient_id
 * when the header has one) each row's dates and surrogates follow its own
 * patient; else those of the file's patient. */
static at_status deid_csv(deid_run *r, const char *data, size_t len, const char *patient, at_buf *out,
                          at_buf *js)
{
    at_csv csv;
    at_status st = at_csv_parse_delim(data, len, TEXT_MAX_CELL, r->delim, &csv);
    if (st)
        return st;
    const char sep = csv.delim; /* written back with the delimiter read */
    int col = at_csv_column(&csv, r->column);
    int idc = at_csv_column(&csv, r->id_column ? r->id_column : "patient_id");
    if (col < 0)
        st = at_error_set(AT_ERR_NOT_FOUND, "no column named by --column in the header");
    else if (idc < 0 && r->id_column)
        st = at_error_set(AT_ERR_NOT_FOUND, "no column named by --id-column in the header");
    if (!st && js)
        st = at_buf_puts(js, "[");
    /* the cells detected ahead in blocks of rows (not in the run's first
     * phase, which notes the words of each document as it is detected) */
    size_t ahead_from = 1, ahead_to = 1, ahead_cap = csv.nrows > 1 ? csv.nrows - 1 : 0;
    if (ahead_cap > CSV_AHEAD_ROWS)
        ahead_cap = CSV_AHEAD_ROWS;
    at_text_spans *found = NULL;
    const char **texts = NULL;
    size_t *lens = NULL;
    if (!st && !r->acc && col >= 0 && ahead_cap > 1) {
        found = at_calloc(ahead_cap, sizeof *found);
        texts = at_malloc(ahead_cap * sizeof *texts);
        lens = at_malloc(ahead_cap * sizeof *lens);
        if (!found || !texts || !lens) { /* (then each row alone, as before) */
            at_free(found);
            at_free(texts);
            at_free(lens);
            found = NULL;
            texts = NULL;
            lens = NULL;
        }
    }
    for (size_t i = 0; i < csv.nrows && !st; i++) {
        if (found && i > 0 && i >= ahead_to) { /* the next block (the last one's spans freed as written) */
            ahead_from = i;
            ahead_to = csv.nrows - i < ahead_cap ? csv.nrows : i + ahead_cap;
            csv_detect_ahead(r, &csv, col, idc, patient, ahead_from, &ahead_to, found, texts, lens);
        }
        const char *pid = idc >= 0 && i > 0 ? csv.cells[i * csv.ncols + (size_t)idc] : patient;
        if (idc >= 0 && i > 0 && !*pid) {
            st = at_error_set(AT_ERR_FORMAT, "line %zu: empty patient id (column %s)", csv.line[i],
                              csv.cells[idc]);
            break;
        }
        for (size_t j = 0; j < csv.ncols && !st; j++) {
            if (j)
                st = at_buf_putc(out, sep);
            const char *c = csv.cells[i * csv.ncols + j];
            if (st)
                break;
            if (i > 0 && (int)j == col) {
                at_buf cell;
                at_buf_init(&cell, TEXT_MAX_CELL * 2);
                if (js && i > 1)
                    st = at_buf_putc(js, ',');
                at_text_spans *ahead =
                    found && i >= ahead_from && i < ahead_to ? &found[i - ahead_from] : NULL;
                if (!st)
                    st = deid_text(r, c, strlen(c), pid, &cell, js, (long)i, ahead);
                if (ahead)
                    at_text_spans_free(ahead);
                if (st)
                    at_error_prefix(st, "line %zu", csv.line[i]);
                if (!st)
                    st = at_csv_put_field_delim(out, cell.data ? (char *)cell.data : "", cell.len, sep);
                at_buf_free(&cell);
            } else {
                st = at_csv_put_field_delim(out, c, strlen(c), sep);
            }
        }
        if (!st)
            st = at_buf_putc(out, '\n');
    }
    if (!st && js)
        st = at_buf_puts(js, "]");
    if (found)
        for (size_t i = ahead_from; i < ahead_to; i++)
            at_text_spans_free(&found[i - ahead_from]); /* (a row loop stopped early) */
    at_free(found);
    at_free(texts);
    at_free(lens);
    at_csv_free(&csv);
    return st;
}

/* De-identify one document into its output (and standoff). A bad document
 * is noted in the result (its message names the file and place) and the
 * run goes on; an error that stops the run (out of memory, an output that
 * cannot be noted) is returned. */
static at_status deid_file(deid_run *r, const deid_job *job)
{
    const char *in = job->in, *outpath = job->out, *patient = job->patient ? job->patient : r->patient_id;
    unsigned char *data = NULL;
    size_t len = 0;
    at_buf out, js;
    at_buf_init(&out, TEXT_MAX_FILE * 2);
    at_buf_init(&js, TEXT_MAX_FILE);
    at_status st = at_file_read(in, TEXT_MAX_FILE, &data, &len);
    if (!st && len == 0)
        st = at_error_set(AT_ERR_FORMAT, "empty document");
    int csv = r->column && has_suffix(in, ".csv");
    if (!st && r->acc)
        text_run_acc_next_doc(r->acc);
    if (!st)
        st = csv ? deid_csv(r, (const char *)data, len, patient, &out, r->json ? &js : NULL)
                 : deid_text(r, (const char *)data, len, patient, &out, r->json ? &js : NULL, -1, NULL);
    if (r->acc) { /* phase 1: nothing written; a bad document is noted in phase 2 */
        at_status fatal = st == AT_ERR_NOMEM ? st : AT_OK;
        if (st)
            at_error_clear();
        at_free(data);
        at_buf_free(&out);
        at_buf_free(&js);
        return fatal;
    }
    if (!st) {
        char *slash = strrchr(outpath, '/');
        if (slash) {
            char *dir = at_strndup(outpath, (size_t)(slash - outpath));
            st = dir ? at_mkdir_p(dir, 0700) : AT_ERR_NOMEM;
            at_free(dir);
        }
    }
    if (!st)
        st = at_file_write_atomic(outpath, out.data ? out.data : (unsigned char *)"", out.len);
    if (!st)
        st = at_run_outputs_add(&r->outputs, outpath);
    if (!st && r->json) {
        size_t n = strlen(outpath) + 8;
        char *jp = at_malloc(n);
        if (!jp) {
            st = AT_ERR_NOMEM;
        } else {
            snprintf(jp, n, "%s.json", outpath);
            st = at_buf_putc(&js, '\n');
            if (!st)
                st = at_file_write_atomic(jp, js.data, js.len);
            if (!st)
                st = at_run_outputs_add(&r->outputs, jp);
            if (st)
                remove(outpath); /* both or neither */
            at_free(jp);
        }
    }
    at_status fatal = st == AT_ERR_NOMEM ? st : AT_OK;
    if (st && !fatal) {
        if (!strstr(at_error_message(), in))
            at_error_prefix(st, "%s", in);
        fatal = note_failure(r->res, in);
    } else if (!st) {
        r->res->written++;
        r->res->bytes += len;
    }
    at_free(data);
    at_buf_free(&out);
    at_buf_free(&js);
    return fatal;
}

/* The site key never travels with the documents: a key path inside the
 * output folder is refused, and the key file found among the inputs is
 * taken out of the plan (noted in the result). */
static at_status guard_key(const char *kp, const char *outdir, deid_jobs *jobs, at_text_deid_result *res)
{
    if (!kp)
        return AT_OK;
    char *kc = at_path_canonical(kp), *oc = at_path_canonical(outdir);
    at_status st = kc && oc ? AT_OK : AT_ERR_NOMEM;
    if (!st && at_path_within(kc, oc))
        st = at_error_set(
            AT_ERR_REFUSED,
            "the key %s is inside -o %s, which is meant to be shared; nothing was written (keep the "
            "key outside the outputs)",
            kp, outdir);
    at_free(kc);
    at_free(oc);
    size_t o = 0;
    for (size_t i = 0; i < jobs->n; i++) {
        if (!st && !res->key_skipped && at_path_same(jobs->v[i].in, kp)) {
            res->key_skipped = at_strdup(jobs->v[i].in);
            at_free(jobs->v[i].in);
            at_free(jobs->v[i].out);
            at_free(jobs->v[i].in_canon);
            at_free(jobs->v[i].out_canon);
            at_free(jobs->v[i].patient);
            continue;
        }
        jobs->v[o++] = jobs->v[i];
    }
    jobs->n = o;
    return st;
}

/* Plan the run: the documents of every input (paths of the store), then
 * the overlap checks. AT_ERR_REFUSED (a message naming the conflict) for a
 * refused plan. */
static at_status plan_run(deid_run *r, char *const *inputs, size_t nin, const char *outdir, deid_jobs *jobs)
{
    at_status st = at_path_refuse_inside(outdir, (const char *const *)inputs, nin);
    char *out_canon = st ? NULL : at_path_canonical(outdir);
    if (!st && !out_canon)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; i < nin && !st; i++) {
        size_t bl = strlen(inputs[i]);
        while (bl > 1 && inputs[i][bl - 1] == '/')
            bl--;
        char *trimmed = at_strndup(inputs[i], bl);
        const char *base = trimmed ? strrchr(trimmed, '/') : NULL;
        base = base ? base + 1 : trimmed;
        char *out = trimmed ? at_path_join(outdir, base) : NULL;
        char *oc = trimmed ? at_path_join(out_canon, base) : NULL;
        if (!out || !oc)
            st = AT_ERR_NOMEM;
        else if (at_path_is_dir(trimmed))
            st = plan_folder(r, jobs, trimmed, outdir, out_canon);
        else
            st = jobs_push(jobs, trimmed, out, oc, NULL);
        at_free(out);
        at_free(oc);
        at_free(trimmed);
    }
    at_free(out_canon);
    if (!st)
        st = check_plan(r, jobs);
    return st;
}

/* Phase 1 of run consistency: every document detected, the distinctive
 * words of its identifiers noted, then given to the detector for the
 * run's documents (phase 2). The words stay in memory. */
static at_status collect_run_words(deid_run *r, at_run *run, const deid_jobs *jobs)
{
    at_status st = text_run_acc_new(&r->acc);
    if (st)
        return at_error_set(st, "text deid: out of memory");
    at_run_progress(run, "consistency", 0, jobs->n);
    for (size_t i = 0; i < jobs->n && !st; i++) {
        if ((st = at_run_check(run, "text deid")))
            at_error_set(st, "text deid: cancelled while reading %zu documents; nothing was kept", jobs->n);
        else if (!(st = deid_file(r, &jobs->v[i])))
            at_run_progress(run, "consistency", i + 1, jobs->n);
    }
    size_t n = st ? 0 : text_run_acc_words(r->acc, NULL, NULL);
    char(*w)[DEID_NAME_LEN] = n ? at_calloc(n, DEID_NAME_LEN) : NULL;
    uint8_t *lab8 = n ? at_calloc(n, 1) : NULL;
    int *lab = n ? at_calloc(n, sizeof *lab) : NULL;
    const char **wp = n ? at_calloc(n, sizeof *wp) : NULL;
    if (n && (!w || !lab8 || !lab || !wp))
        st = at_error_set(AT_ERR_NOMEM, "text deid: out of memory");
    if (!st && n) {
        text_run_acc_words(r->acc, w, lab8);
        for (size_t i = 0; i < n; i++) {
            wp[i] = w[i];
            lab[i] = lab8[i];
        }
        st = at_text_deid_set_run_words(r->det, wp, lab, n);
    }
    if (w)
        memset(w, 0, n * DEID_NAME_LEN);
    at_free(w);
    at_free(lab8);
    at_free(lab);
    at_free(wp);
    text_run_acc_free(r->acc);
    r->acc = NULL;
    r->unmatched = 0; /* counted again in phase 2 */
    return st;
}

/* A path of the spec through the run's store (NULL stays NULL). */
static at_status resolve(const at_run *run, const char *path, int for_write, char **out)
{
    *out = NULL;
    return path ? at_run_path(run, path, for_write, out) : AT_OK;
}

at_status at_text_deid_run(const at_text_deid_spec *spec, at_run *run, at_text_deid_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->outdir || (!spec->inputs && spec->input_count) ||
        (spec->mode == AT_TEXT_PSEUDONYMISE && !spec->key))
        return at_error_set(AT_ERR_ARG, "at_text_deid_run: missing argument (pseudonymise needs a key)");
    if (!run)
        run = at_run_default();
    deid_run r;
    memset(&r, 0, sizeof r);
    r.spec = spec;
    r.mode = spec->mode;
    r.key = spec->key;
    r.column = spec->column;
    r.id_column = spec->id_column;
    r.json = spec->json;
    r.patient_dirs = spec->patient_dirs;
    r.delim = spec->delimiter;
    r.res = result;
    char **inputs = at_calloc(spec->input_count + 1, sizeof *inputs);
    char *outdir = NULL, *pinfo = NULL, *dict = NULL, *keyp = NULL, *model = NULL;
    at_status st = inputs ? AT_OK : AT_ERR_NOMEM;
    for (size_t i = 0; i < spec->input_count && !st; i++)
        st = resolve(run, spec->inputs[i], 0, &inputs[i]);
    if (!st)
        st = resolve(run, spec->outdir, 1, &outdir);
    if (!st)
        st = resolve(run, spec->patient_info, 0, &pinfo);
    if (!st)
        st = resolve(run, spec->dict_dir, 0, &dict);
    if (!st)
        st = resolve(run, spec->key_path, 0, &keyp);
    if (!st)
        st = resolve(run, spec->model, 0, &model);
    deid_jobs jobs;
    memset(&jobs, 0, sizeof jobs);
    if (!st)
        st = plan_run(&r, inputs, spec->input_count, outdir, &jobs);
    if (!st)
        st = guard_key(keyp, outdir, &jobs, result);
    if (!st)
        st = at_text_deid_new(dict, &r.det);
    if (!st && (model || spec->no_model))
        st = at_text_deid_set_model(r.det, spec->no_model ? NULL : model);
    if (!st && spec->no_allow_list)
        at_text_deid_set_allow_list(r.det, 0);
    at_text_patients pats;
    memset(&pats, 0, sizeof pats);
    if (!st && pinfo) {
        st = at_text_patients_load(pinfo, &pats);
        if (!st && pats.n == 1) { /* one patient: every document, as the run's patient */
            st = at_text_deid_set_patient(r.det, &pats.v[0]);
            r.patient_id = pats.v[0].patient_id ? pats.v[0].patient_id : pats.v[0].ipp;
        } else if (!st) {
            r.pats = &pats;
        }
        if (st && !strstr(at_error_message(), pinfo))
            at_error_prefix(st, "%s", pinfo);
    }
    if (!st && r.mode == AT_TEXT_PSEUDONYMISE)
        st = at_crypto_init();
    if (!st)
        st = at_run_outputs_begin(&r.outputs, outdir, 0700);
    result->documents = jobs.n;
    if (!st && jobs.n > 1 && !spec->no_run_consistency)
        st = collect_run_words(&r, run, &jobs);
    if (!st)
        at_run_progress(run, "deidentify", 0, jobs.n);
    /* the cancel flag before each document: one takes milliseconds */
    for (size_t i = 0; i < jobs.n && !st; i++) {
        if ((st = at_run_check(run, "text deid")))
            at_error_set(st, "text deid: cancelled after %zu of %zu documents; nothing was kept", i, jobs.n);
        else if (!(st = deid_file(&r, &jobs.v[i])))
            at_run_progress(run, "deidentify", i + 1, jobs.n);
    }
    /* and after the last one: an interruption while it ran (a long
     * document) keeps nothing either */
    if (!st && jobs.n && (st = at_run_check(run, "text deid")))
        at_error_set(st, "text deid: cancelled during the last of %zu documents; nothing was kept", jobs.n);
    result->unmatched = r.unmatched;
    /* a run whose every document failed leaves no folder of its own
     * behind (an existing folder stays as it was) */
    if (!st && result->written == 0 && result->failed > 0 && r.outputs.root_created)
        at_run_outputs_take_back(&r.outputs);
    if (st && r.outputs.root) { /* a failed or cancelled run leaves no output */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", at_error_message());
        at_run_outputs_take_back(&r.outputs);
        at_error_set(st, "%s", msg);
    }
    at_run_outputs_free(&r.outputs);
    at_text_deid_free(r.det);
    at_text_patients_free(&pats);
    jobs_free(&jobs);
    for (size_t i = 0; inputs && i < spec->input_count; i++)
        at_free(inputs[i]);
    at_free(inputs);
    at_free(outdir);
    at_free(pinfo);
    at_free(dict);
    at_free(keyp);
    at_free(model);
    return st;
}

void at_text_deid_result_free(at_text_deid_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->failed; i++) {
        at_free(r->failures[i].input);
        at_free(r->failures[i].message);
    }
    at_free(r->failures);
    at_free(r->key_skipped);
    memset(r, 0, sizeof *r);
}
