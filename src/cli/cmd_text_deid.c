/* atelier text deid: de-identification of UTF-8 text files, folders
 * (recursively) and CSV columns. The whole run is planned before anything
 * is written: every (input, output) pair is listed, and a run whose output
 * folder is an input or inside one, whose outputs would overwrite an input,
 * or where two inputs would be written to one output, is refused. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/text.h"
#include "atelier/text_model.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX_FILE ((size_t)512 << 20)
#define TEXT_MAX_CELL ((size_t)64 << 20)
#define DEID_MAX_DEPTH 64
#define DEID_MAX_JOBS ((size_t)10000000)

typedef struct {
    at_text_deid *det;
    at_text_mode mode;
    at_key key;
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
    size_t ok, failed, bytes;
} deid_run;

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

static at_status jobs_push(deid_jobs *j, const char *in, const char *out, const char *out_canon, const char *patient)
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
    x->in_canon = cli_canon_path(in);
    x->patient = patient ? at_strdup(patient) : NULL;
    j->n++;
    if (!x->in || !x->out || !x->out_canon || !x->in_canon || (patient && !x->patient))
        return AT_ERR_NOMEM;
    return AT_OK;
}

/* List the documents under in (a file or a folder) with their outputs
 * under out (out_canon: its canonical form) and their patient (with
 * --patient-dirs, each subfolder of an input folder is one patient).
 * Folders that cannot be read are reported and counted as failed. */
static at_status plan_tree(deid_run *r, deid_jobs *jobs, const char *in, const char *out, const char *out_canon,
                           int depth, const char *patient)
{
    if (!at_path_is_dir(in))
        return jobs_push(jobs, in, out, out_canon, patient);
    if (depth > DEID_MAX_DEPTH) {
        fprintf(stderr, "atelier: %s: folders nested too deep\n", in);
        r->failed++;
        return AT_OK;
    }
    struct dirent **names;
    int n = scandir(in, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "atelier: %s: cannot list folder\n", in);
        r->failed++;
        return AT_OK;
    }
    at_status st = AT_OK;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (nm[0] != '.' && !st) {
            char *a = at_path_join(in, nm), *b = at_path_join(out, nm), *c = at_path_join(out_canon, nm);
            /* in a folder walk, .json files are standoff or annotation files, not documents */
            int standoff = has_suffix(nm, ".json") && a && !at_path_is_dir(a);
            if (!a || !b || !c)
                st = AT_ERR_NOMEM;
            else if (!standoff)
                st = plan_tree(r, jobs, a, b, c, depth + 1,
                               depth == 0 && r->patient_dirs && at_path_is_dir(a) ? nm : patient);
            at_free(a);
            at_free(b);
            at_free(c);
        }
        free(names[i]);
    }
    free(names);
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

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Refuse a plan that would overwrite an input or write two inputs to one
 * output (standoff files included with --json). Returns CLI_OK or prints
 * the first conflict and returns CLI_USAGE. */
static int check_plan(const deid_run *r, const deid_jobs *jobs, at_status *st)
{
    size_t n = jobs->n, m = n * (r->json ? 2 : 1);
    out_ref *refs = at_malloc((m + 1) * sizeof *refs);
    const char **ins = at_malloc((n + 1) * sizeof *ins);
    char **jsons = r->json ? at_calloc(n + 1, sizeof *jsons) : NULL;
    int rc = CLI_OK;
    if (!refs || !ins || (r->json && !jsons)) {
        *st = AT_ERR_NOMEM;
        rc = CLI_FAIL;
    }
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        ins[i] = jobs->v[i].in_canon;
        refs[i] = (out_ref){jobs->v[i].out_canon, i, 0};
        if (r->json) {
            size_t l = strlen(jobs->v[i].out_canon) + 6;
            jsons[i] = at_malloc(l);
            if (!jsons[i]) {
                *st = AT_ERR_NOMEM;
                rc = CLI_FAIL;
                break;
            }
            snprintf(jsons[i], l, "%s.json", jobs->v[i].out_canon);
            refs[n + i] = (out_ref){jsons[i], i, 1};
        }
    }
    if (rc == CLI_OK) {
        qsort(refs, m, sizeof *refs, cmp_out_ref);
        qsort(ins, n, sizeof *ins, cmp_str);
        for (size_t k = 0; k < m && rc == CLI_OK; k++) {
            const deid_job *a = &jobs->v[refs[k].job];
            if (k + 1 < m && !strcmp(refs[k].path, refs[k + 1].path)) {
                const deid_job *b = &jobs->v[refs[k + 1].job];
                fprintf(stderr,
                        "atelier text deid: %s and %s would both be written to %s%s; nothing was written "
                        "(rename one, or de-identify them in separate runs or into separate folders)\n",
                        a->in, b->in, a->out, refs[k].standoff ? ".json" : "");
                rc = CLI_USAGE;
            } else if (bsearch(&refs[k].path, ins, n, sizeof *ins, cmp_str)) {
                fprintf(stderr,
                        "atelier text deid: the output %s%s for %s is an input; nothing was written (choose an -o "
                        "folder outside the inputs)\n",
                        a->out, refs[k].standoff ? ".json" : "", a->in);
                rc = CLI_USAGE;
            }
        }
    }
    if (jsons)
        for (size_t i = 0; i < n; i++)
            at_free(jsons[i]);
    at_free(jsons);
    at_free(refs);
    at_free(ins);
    return rc;
}

static at_status spans_json(at_buf *js, const at_text_spans *sp, long row)
{
    at_status st = row >= 0 ? at_buf_printf(js, "{\"row\":%ld,\"spans\":[", row) : at_buf_puts(js, "{\"spans\":[");
    for (size_t i = 0; i < sp->n && !st; i++)
        st = at_buf_printf(js, "%s{\"offset\":%zu,\"length\":%zu,\"label\":\"%s\"}", i ? "," : "", sp->v[i].start,
                           sp->v[i].len, at_phi_label_name(sp->v[i].label));
    if (!st)
        st = at_buf_puts(js, "]}");
    return st;
}

/* De-identify one text of patient (NULL: none known); appends output and
 * standoff. Errors name no content. */
static at_status deid_text(deid_run *r, const char *text, size_t len, const char *patient, at_buf *out, at_buf *js,
                           long row)
{
    size_t bad;
    if (at_text_utf8_check(text, len, &bad))
        return at_error_set(AT_ERR_FORMAT, "byte %zu: not UTF-8 text (binary?)", bad);
    at_status st = AT_OK;
    if (r->pats) {
        if (!patient)
            return at_error_set(AT_ERR_ARG, "no patient for this document, and --patient-info holds %zu patients "
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
    st = at_text_deid_detect(r->det, text, len, &sp);
    if (!st)
        st = at_text_deid_apply(text, len, &sp, r->mode, &r->key, patient, out);
    if (!st && js)
        st = spans_json(js, &sp, row);
    at_text_spans_free(&sp);
    return st;
}

/* A CSV file: the column --column de-identified row by row, the other
 * columns copied. With a patient id column (--id-column, else patient_id
 * when the header has one) each row's dates and surrogates follow its own
 * patient; else those of the file's patient. */
static at_status deid_csv(deid_run *r, const char *data, size_t len, const char *patient, at_buf *out, at_buf *js)
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
    for (size_t i = 0; i < csv.nrows && !st; i++) {
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
                if (!st)
                    st = deid_text(r, c, strlen(c), pid, &cell, js, (long)i);
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
    at_csv_free(&csv);
    return st;
}

static void deid_file(deid_run *r, const deid_job *job)
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
    if (!st)
        st = csv ? deid_csv(r, (const char *)data, len, patient, &out, r->json ? &js : NULL)
                 : deid_text(r, (const char *)data, len, patient, &out, r->json ? &js : NULL, -1);
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
            if (st)
                remove(outpath); /* both or neither */
            at_free(jp);
        }
    }
    if (st) {
        if (!strstr(at_error_message(), in))
            at_error_prefix(st, "%s", in);
        cli_fail(st);
        r->failed++;
    } else {
        r->ok++;
        r->bytes += len;
    }
    at_free(data);
    at_buf_free(&out);
    at_buf_free(&js);
}

/* The site key never travels with the documents: a key path inside the
 * output folder is refused (CLI_USAGE), and the key file found among the
 * inputs is taken out of the plan (said once). */
static int guard_key(const char *keyfile, const char *outdir, deid_jobs *jobs)
{
    char *kp = keyfile ? at_strdup(keyfile) : at_key_default_path();
    int rc = kp && !cli_key_outside("text deid", kp, outdir) ? CLI_USAGE : CLI_OK;
    size_t o = 0;
    for (size_t i = 0; i < jobs->n; i++) {
        if (kp && rc == CLI_OK && cli_same_path(jobs->v[i].in, kp)) {
            fprintf(stderr, "atelier text deid: %s is the site key: not a document, skipped\n", jobs->v[i].in);
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
    at_free(kp);
    return rc;
}

/* Plan the run: the documents of every input, then the overlap checks.
 * Returns CLI_OK, CLI_USAGE (a refused plan, printed) or CLI_FAIL (st set). */
static int plan_run(deid_run *r, const char *const *inputs, int nin, const char *outdir, deid_jobs *jobs,
                    at_status *st)
{
    char *out_canon = cli_canon_path(outdir);
    if (!out_canon) {
        *st = AT_ERR_NOMEM;
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    for (int i = 0; i < nin && rc == CLI_OK; i++) {
        size_t bl = strlen(inputs[i]);
        while (bl > 1 && inputs[i][bl - 1] == '/')
            bl--;
        char *trimmed = at_strndup(inputs[i], bl);
        char *in_canon = trimmed ? cli_canon_path(trimmed) : NULL;
        if (!in_canon) {
            at_free(trimmed);
            *st = AT_ERR_NOMEM;
            rc = CLI_FAIL;
            break;
        }
        int dir = at_path_is_dir(trimmed);
        if (cli_path_within(out_canon, in_canon)) {
            fprintf(stderr,
                    "atelier text deid: -o %s %s %s; nothing was written (outputs would %s; choose an -o folder "
                    "outside the inputs)\n",
                    outdir, strcmp(out_canon, in_canon) ? "is inside the input" : "is the input", inputs[i],
                    dir ? "overwrite or be read back as inputs" : "overwrite the input");
            rc = CLI_USAGE;
        } else {
            const char *base = strrchr(trimmed, '/');
            base = base ? base + 1 : trimmed;
            char *out = at_path_join(outdir, base), *oc = at_path_join(out_canon, base);
            if (!out || !oc)
                *st = AT_ERR_NOMEM;
            else if (dir)
                *st = plan_tree(r, jobs, trimmed, outdir, out_canon, 0, NULL);
            else
                *st = plan_tree(r, jobs, trimmed, out, oc, 0, NULL);
            if (*st)
                rc = CLI_FAIL;
            at_free(out);
            at_free(oc);
        }
        at_free(in_canon);
        at_free(trimmed);
    }
    at_free(out_canon);
    if (rc == CLI_OK)
        rc = check_plan(r, jobs, st);
    return rc;
}

int cmd_text_deid(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text deid INPUT... -o OUTDIR [--mode redact|pseudonymise]\n"
               "       [--patient-info FILE] [--patient-dirs] [--key KEYFILE] [--column NAME]\n"
               "       [--id-column NAME] [--delimiter ,|;|tab] [--json] [--dict DIR]\n"
               "       [--model FILE] [--no-allow-list]\n\n"
               "De-identify French clinical text: UTF-8 files, folders (recursively) and the\n"
               "column NAME of CSV files (delimiter ',', ';' or tab, read from the header line\n"
               "unless --delimiter, and written back the same). A file keeps its name under OUTDIR, a folder's\n"
               "documents keep their paths relative to it; outputs are written atomically;\n"
               "--json adds OUT.json with the spans (offset, length, label) of each document\n"
               "(offsets into the input); in folders, .json files are skipped (standoff and\n"
               "annotation files). OUTDIR may not be an input or inside one, and a run where an\n"
               "output would overwrite an input or two inputs would share an output is refused\n"
               "before anything is written (exit status 2). redact writes [NOM]-like\n"
               "placeholders; pseudonymise writes keyed surrogates (key: --key, $ATELIER_KEY\n"
               "or ~/.config/atelier/site.key, created if absent) and shifts dates by the\n"
               "patient's keyed offset. The patient of a document: in a CSV, its row's\n"
               "--id-column (default patient_id when the header has it); with --patient-dirs,\n"
               "the name of the first-level subfolder of an input folder that holds it; else\n"
               "the id (or ipp) of --patient-info, else one patient for the whole run.\n"
               "--patient-info holds one patient (key: value lines), or several: a CSV whose\n"
               "header names the keys, one patient per row, or a folder of key: value files;\n"
               "each document is then matched against its own patient's identity (by id, else\n"
               "ipp). A bad\n"
               "file is reported by name and place and skipped; the exit status is then 1.\n"
               "--model uses a tagger model trained by `text deid-model train` instead of the\n"
               "default one (DICT/deid-tagger.bin); --no-allow-list turns the allow-list pass\n"
               "(every word not known to be safe is removed) off.\n");
        return CLI_OK;
    }
    const char *outdir = NULL, *mode = "redact", *pinfo = NULL, *keyfile = NULL, *dict = NULL, *model = NULL;
    int no_allow = 0;
    deid_run r;
    memset(&r, 0, sizeof r);
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    int nin = 0;
    if (!inputs)
        return CLI_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "-o")               ? &outdir
                            : !strcmp(a, "--mode")         ? &mode
                            : !strcmp(a, "--patient-info") ? &pinfo
                            : !strcmp(a, "--key")          ? &keyfile
                            : !strcmp(a, "--column")       ? &r.column
                            : !strcmp(a, "--dict")         ? &dict
                            : !strcmp(a, "--model")        ? &model
                            : !strcmp(a, "--id-column")    ? &r.id_column
                                                           : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                free(inputs);
                return cli_usage_error("text deid", "%s needs a value", a);
            }
            *slot = argv[++i];
        } else if (!strcmp(a, "--json")) {
            r.json = 1;
        } else if (!strcmp(a, "--no-allow-list")) {
            no_allow = 1;
        } else if (!strcmp(a, "--patient-dirs")) {
            r.patient_dirs = 1;
        } else if (!strcmp(a, "--delimiter")) {
            if (i + 1 >= argc || cli_delimiter(argv[++i], &r.delim)) {
                free(inputs);
                return cli_usage_error("text deid", "--delimiter is ',', ';' or tab");
            }
        } else if (a[0] == '-' && a[1]) {
            free(inputs);
            return cli_usage_error("text deid", "unknown option %s", a);
        } else {
            inputs[nin++] = a;
        }
    }
    if (!nin || !outdir) {
        free(inputs);
        return cli_usage_error("text deid", "needs at least one INPUT and -o OUTDIR");
    }
    if (strcmp(mode, "redact") && strcmp(mode, "pseudonymise") && strcmp(mode, "pseudonymize")) {
        free(inputs);
        return cli_usage_error("text deid", "--mode is redact or pseudonymise");
    }
    r.mode = mode[0] == 'r' ? AT_TEXT_REDACT : AT_TEXT_PSEUDONYMISE;
    deid_jobs jobs;
    memset(&jobs, 0, sizeof jobs);
    at_status st = AT_OK;
    int rc = plan_run(&r, inputs, nin, outdir, &jobs, &st);
    if (rc == CLI_OK)
        rc = guard_key(keyfile, outdir, &jobs);
    if (rc != CLI_OK) {
        jobs_free(&jobs);
        free(inputs);
        return rc == CLI_FAIL ? cli_fail(st) : rc;
    }
    st = at_text_deid_new(dict, &r.det);
    if (!st && model)
        st = at_text_deid_set_model(r.det, strcmp(model, "none") ? model : NULL);
    if (!st && no_allow)
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
    if (!st && r.mode == AT_TEXT_PSEUDONYMISE) {
        char *kp = keyfile ? at_strdup(keyfile) : at_key_default_path();
        int created = 0;
        st = at_crypto_init();
        if (!st)
            st = kp ? at_key_load_or_create(kp, &r.key, &created) : AT_ERR_NOMEM;
        /* a mistyped --key path must not pass unnoticed: say a key was made */
        if (!st && created)
            fprintf(stderr,
                    "atelier text deid: no key at %s: created a new one there (keep it: pseudonyms and date "
                    "shifts follow the key)\n",
                    kp);
        at_free(kp);
    }
    if (!st)
        st = at_mkdir_p(outdir, 0700);
    for (size_t i = 0; i < jobs.n && !st; i++)
        deid_file(&r, &jobs.v[i]);
    if (st) {
        at_text_deid_free(r.det);
        at_text_patients_free(&pats);
        jobs_free(&jobs);
        free(inputs);
        return cli_fail(st);
    }
    fprintf(stderr, "atelier text deid: %zu document(s) written, %zu failed\n", r.ok, r.failed);
    if (r.unmatched)
        fprintf(stderr,
                "atelier text deid: %zu document(s) or row(s) of patients absent from --patient-info: rules and "
                "dictionaries only\n",
                r.unmatched);
    at_text_deid_free(r.det);
    at_text_patients_free(&pats);
    jobs_free(&jobs);
    free(inputs);
    return r.failed ? CLI_FAIL : CLI_OK;
}
