/* atelier text: French clinical text. Dispatch, de-identification of files
 * and folders (text and CSV), its evaluation on synthetic documents. */
#include "cli.h"
#include "cmd_text.h"

#include "atelier/text.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TEXT_MAX_FILE ((size_t)512 << 20)
#define TEXT_MAX_CELL ((size_t)64 << 20)

static void text_usage(FILE *out)
{
    fprintf(out, "usage: atelier text <command> [<args>]\n\n"
                 "commands:\n"
                 "  deid          de-identify UTF-8 text files, folders and CSV columns\n"
                 "  eval-deid     measure the de-identifier on synthetic annotated documents\n"
                 "  synth-docs    write synthetic annotated clinical documents\n"
                 "  synth-cohort  write a synthetic chemotherapy cohort (CSV)\n"
                 "  extract       drugs, doses, routes, dates, regimens, TNM, PS, adverse events\n"
                 "  eval-extract  measure extraction on synthetic annotated notes\n"
                 "  risk          re-hospitalisation risk: train, eval, score\n");
}

int cmd_text(int argc, char **argv)
{
    if (argc < 2) {
        text_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
        text_usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(sub, "deid"))
        return cmd_text_deid(argc - 1, argv + 1);
    if (!strcmp(sub, "eval-deid"))
        return cmd_text_eval_deid(argc - 1, argv + 1);
    if (!strcmp(sub, "synth-docs"))
        return cmd_text_synth_docs(argc - 1, argv + 1);
    if (!strcmp(sub, "synth-cohort"))
        return cmd_text_synth_cohort(argc - 1, argv + 1);
    if (!strcmp(sub, "extract"))
        return cmd_text_extract(argc - 1, argv + 1);
    if (!strcmp(sub, "eval-extract"))
        return cmd_text_eval_extract(argc - 1, argv + 1);
    if (!strcmp(sub, "risk"))
        return cmd_text_risk(argc - 1, argv + 1);
    return cli_usage_error("text", "'%s' is not a text command", sub);
}

/* ---- deid ---------------------------------------------------------------- */

typedef struct {
    at_text_deid *det;
    at_text_mode mode;
    at_key key;
    const char *patient_id;
    const char *column;
    int json;
    size_t ok, failed, bytes;
} deid_run;

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
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

/* De-identify one text; appends output and standoff. Errors name no content. */
static at_status deid_text(deid_run *r, const char *text, size_t len, at_buf *out, at_buf *js, long row)
{
    size_t bad;
    if (at_text_utf8_check(text, len, &bad))
        return at_error_set(AT_ERR_FORMAT, "byte %zu: not UTF-8 text (binary?)", bad);
    at_text_spans sp = {0};
    at_status st = at_text_deid_detect(r->det, text, len, &sp);
    if (!st)
        st = at_text_deid_apply(text, len, &sp, r->mode, &r->key, r->patient_id, out);
    if (!st && js)
        st = spans_json(js, &sp, row);
    at_text_spans_free(&sp);
    return st;
}

static at_status deid_csv(deid_run *r, const char *data, size_t len, at_buf *out, at_buf *js)
{
    at_csv csv;
    at_status st = at_csv_parse(data, len, TEXT_MAX_CELL, &csv);
    if (st)
        return st;
    int col = at_csv_column(&csv, r->column);
    if (col < 0) {
        at_csv_free(&csv);
        return at_error_set(AT_ERR_NOT_FOUND, "no column named by --column in the header");
    }
    if (js)
        st = at_buf_puts(js, "[");
    for (size_t i = 0; i < csv.nrows && !st; i++) {
        for (size_t j = 0; j < csv.ncols && !st; j++) {
            if (j)
                st = at_buf_putc(out, ',');
            const char *c = csv.cells[i * csv.ncols + j];
            if (st)
                break;
            if (i > 0 && (int)j == col) {
                at_buf cell;
                at_buf_init(&cell, TEXT_MAX_CELL * 2);
                if (js && i > 1)
                    st = at_buf_putc(js, ',');
                if (!st)
                    st = deid_text(r, c, strlen(c), &cell, js, (long)i);
                if (st)
                    at_error_prefix(st, "line %zu", csv.line[i]);
                if (!st)
                    st = at_csv_put_field(out, cell.data ? (char *)cell.data : "", cell.len);
                at_buf_free(&cell);
            } else {
                st = at_csv_put_field(out, c, strlen(c));
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

static void deid_file(deid_run *r, const char *in, const char *outpath)
{
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
        st = csv ? deid_csv(r, (const char *)data, len, &out, r->json ? &js : NULL)
                 : deid_text(r, (const char *)data, len, &out, r->json ? &js : NULL, -1);
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

static void deid_tree(deid_run *r, const char *in, const char *out, int depth)
{
    if (!at_path_is_dir(in)) {
        deid_file(r, in, out);
        return;
    }
    if (depth > 64) {
        fprintf(stderr, "atelier: %s: folders nested too deep\n", in);
        r->failed++;
        return;
    }
    struct dirent **names;
    int n = scandir(in, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "atelier: %s: cannot list folder\n", in);
        r->failed++;
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        size_t nl = strlen(nm);
        if (nm[0] != '.') {
            char *a = at_path_join(in, nm), *b = at_path_join(out, nm);
            /* in a folder walk, .json files are standoff or annotation files, not documents */
            int standoff = nl > 5 && !strcmp(nm + nl - 5, ".json") && a && !at_path_is_dir(a);
            if (a && b && !standoff)
                deid_tree(r, a, b, depth + 1);
            at_free(a);
            at_free(b);
        }
        free(names[i]);
    }
    free(names);
}

int cmd_text_deid(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text deid INPUT... -o OUTDIR [--mode redact|pseudonymise]\n"
               "       [--patient-info FILE] [--key KEYFILE] [--column NAME] [--json] [--dict DIR]\n\n"
               "De-identify French clinical text: UTF-8 files, folders (recursively) and the\n"
               "column NAME of CSV files. Outputs keep the file names under OUTDIR and are\n"
               "written atomically; --json adds OUT.json with the spans (offset, length, label)\n"
               "of each document (offsets into the input); in folders, .json files are skipped\n"
               "(standoff and annotation files). redact writes [NOM]-like\n"
               "placeholders; pseudonymise writes keyed surrogates (key: --key, $ATELIER_KEY\n"
               "or ~/.config/atelier/site.key) and shifts dates by the patient's keyed offset\n"
               "(patient: the id or ipp of --patient-info). A bad file is reported by name and\n"
               "place and skipped; the exit status is then 1.\n");
        return CLI_OK;
    }
    const char *outdir = NULL, *mode = "redact", *pinfo = NULL, *keyfile = NULL, *dict = NULL;
    deid_run r;
    memset(&r, 0, sizeof r);
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    int nin = 0;
    if (!inputs)
        return CLI_FAIL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "-o") ? &outdir
                            : !strcmp(a, "--mode") ? &mode
                            : !strcmp(a, "--patient-info") ? &pinfo
                            : !strcmp(a, "--key") ? &keyfile
                            : !strcmp(a, "--column") ? &r.column
                            : !strcmp(a, "--dict") ? &dict : NULL;
        if (slot) {
            if (i + 1 >= argc) {
                free(inputs);
                return cli_usage_error("text deid", "%s needs a value", a);
            }
            *slot = argv[++i];
        } else if (!strcmp(a, "--json")) {
            r.json = 1;
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
    at_status st = at_text_deid_new(dict, &r.det);
    at_text_patient pat;
    memset(&pat, 0, sizeof pat);
    if (!st && pinfo) {
        st = at_text_patient_load(pinfo, &pat);
        if (!st)
            st = at_text_deid_set_patient(r.det, &pat);
        r.patient_id = pat.patient_id ? pat.patient_id : pat.ipp;
    }
    if (!st && r.mode == AT_TEXT_PSEUDONYMISE) {
        char *kp = keyfile ? at_strdup(keyfile) : at_key_default_path();
        int created = 0;
        st = at_crypto_init();
        if (!st)
            st = kp ? at_key_load_or_create(kp, &r.key, &created) : AT_ERR_NOMEM;
        at_free(kp);
    }
    if (!st)
        st = at_mkdir_p(outdir, 0700);
    if (st) {
        at_text_deid_free(r.det);
        at_text_patient_free(&pat);
        free(inputs);
        return cli_fail(st);
    }
    for (int i = 0; i < nin; i++) {
        const char *base = strrchr(inputs[i], '/');
        size_t bl = strlen(inputs[i]);
        while (bl > 1 && inputs[i][bl - 1] == '/')
            bl--;
        char *trimmed = at_strndup(inputs[i], bl);
        base = trimmed ? strrchr(trimmed, '/') : NULL;
        char *out = trimmed ? at_path_join(outdir, base ? base + 1 : trimmed) : NULL;
        if (out && at_path_is_dir(trimmed))
            deid_tree(&r, trimmed, outdir, 0);
        else if (out)
            deid_tree(&r, trimmed, out, 0);
        at_free(out);
        at_free(trimmed);
    }
    fprintf(stderr, "atelier text deid: %zu document(s) written, %zu failed\n", r.ok, r.failed);
    at_text_deid_free(r.det);
    at_text_patient_free(&pat);
    free(inputs);
    return r.failed ? CLI_FAIL : CLI_OK;
}

/* ---- eval-deid and synth-docs ------------------------------------------------ */

static int parse_size(const char *s, size_t *v)
{
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-')
        return -1;
    *v = (size_t)x;
    return 0;
}

int cmd_text_eval_deid(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text eval-deid [--docs N] [--seed S] [--dev] [--json] [--dict DIR]\n\n"
               "Generate N synthetic annotated documents (default 1000, seed 1) from the\n"
               "held-out name and commune pools (--dev: the development pools), run the\n"
               "de-identifier and report token-level precision, recall and F1 per label, the\n"
               "label-agnostic redaction figures, the share of documents fully redacted,\n"
               "eponyms wrongly redacted, names that are also common words, and MB/s.\n");
        return CLI_OK;
    }
    size_t n = 1000, seed = 1;
    int json = 0, dev = 0;
    const char *dict = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--docs") && i + 1 < argc) {
            if (parse_size(argv[++i], &n))
                return cli_usage_error("text eval-deid", "--docs takes a count");
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (parse_size(argv[++i], &seed))
                return cli_usage_error("text eval-deid", "--seed takes a number");
        } else if (!strcmp(argv[i], "--dict") && i + 1 < argc) {
            dict = argv[++i];
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--dev")) {
            dev = 1;
        } else {
            return cli_usage_error("text eval-deid", "unknown argument %s", argv[i]);
        }
    }
    at_text_deid *det = NULL;
    at_text_doc *docs = NULL;
    at_status st = at_text_deid_new(dict, &det);
    if (!st)
        st = at_text_synth_docs(n, seed, !dev, &docs);
    at_text_deid_eval ev;
    memset(&ev, 0, sizeof ev);
    if (!st)
        st = at_text_deid_evaluate(det, docs, n, &ev);
    at_buf out;
    at_buf_init(&out, 1 << 20);
    if (!st)
        st = at_text_deid_eval_report(&ev, json, &out);
    if (!st)
        fwrite(out.data, 1, out.len, stdout);
    at_buf_free(&out);
    at_text_docs_free(docs, n);
    at_text_deid_free(det);
    return st ? cli_fail(st) : CLI_OK;
}

int cmd_text_synth_docs(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier text synth-docs -o OUTDIR [--docs N] [--seed S] [--heldout]\n\n"
               "Write N synthetic French clinical documents as doc-NNNNNN.txt, each with\n"
               "doc-NNNNNN.gold.json (offset, length, label of every identifier).\n");
        return CLI_OK;
    }
    size_t n = 100, seed = 1;
    int held = 0;
    const char *outdir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--docs") && i + 1 < argc) {
            if (parse_size(argv[++i], &n))
                return cli_usage_error("text synth-docs", "--docs takes a count");
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (parse_size(argv[++i], &seed))
                return cli_usage_error("text synth-docs", "--seed takes a number");
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            outdir = argv[++i];
        } else if (!strcmp(argv[i], "--heldout")) {
            held = 1;
        } else {
            return cli_usage_error("text synth-docs", "unknown argument %s", argv[i]);
        }
    }
    if (!outdir)
        return cli_usage_error("text synth-docs", "needs -o OUTDIR");
    at_text_doc *docs = NULL;
    at_status st = at_mkdir_p(outdir, 0700);
    if (!st)
        st = at_text_synth_docs(n, seed, held, &docs);
    for (size_t i = 0; i < n && !st; i++) {
        char name[64];
        snprintf(name, sizeof name, "doc-%06zu.txt", i);
        char *p = at_path_join(outdir, name);
        st = p ? at_file_write_atomic(p, docs[i].text, docs[i].len) : AT_ERR_NOMEM;
        at_free(p);
        at_buf js;
        at_buf_init(&js, 1 << 24);
        if (!st)
            st = at_buf_printf(&js, "{\"kind\":\"%s\",\"patient\":\"%s\",", at_text_doc_kind_name(docs[i].kind),
                               docs[i].patient_id);
        if (!st)
            st = at_buf_puts(&js, "\"spans\":[");
        for (size_t k = 0; k < docs[i].gold.n && !st; k++)
            st = at_buf_printf(&js, "%s{\"offset\":%zu,\"length\":%zu,\"label\":\"%s\"}", k ? "," : "",
                               docs[i].gold.v[k].start, docs[i].gold.v[k].len,
                               at_phi_label_name(docs[i].gold.v[k].label));
        if (!st)
            st = at_buf_puts(&js, "]}\n");
        if (!st) {
            snprintf(name, sizeof name, "doc-%06zu.gold.json", i);
            p = at_path_join(outdir, name);
            st = p ? at_file_write_atomic(p, js.data, js.len) : AT_ERR_NOMEM;
            at_free(p);
        }
        at_buf_free(&js);
    }
    at_text_docs_free(docs, n);
    return st ? cli_fail(st) : CLI_OK;
}
