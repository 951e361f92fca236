/* The text generators as runs: synthetic annotated documents written to a
 * folder (at_synth_docs_run) and the chemotherapy cohort to a CSV file
 * (at_synth_chemo_run). */
#include "atelier/synth.h"
#include "atelier/text_model.h"

#include <stdio.h>
#include <string.h>

/* outdir/doc-NNNNNN.gold.json: kind, patient and the identifiers' spans. */
static at_status write_gold(const char *outdir, size_t i, const at_text_doc *d, int hospital,
                            at_run_outputs *outs)
{
    at_buf js;
    at_buf_init(&js, 1 << 24);
    at_status st = at_buf_printf(
        &js, "{\"kind\":\"%s\",\"patient\":\"%s\",",
        hospital ? at_synth_hospital_kind_name(d->kind) : at_synth_doc_kind_name(d->kind), d->patient_id);
    if (!st)
        st = at_buf_puts(&js, "\"spans\":[");
    for (size_t k = 0; k < d->gold.n && !st; k++)
        st = at_buf_printf(&js, "%s{\"offset\":%zu,\"length\":%zu,\"label\":\"%s\"}", k ? "," : "",
                           d->gold.v[k].start, d->gold.v[k].len, at_phi_label_name(d->gold.v[k].label));
    if (!st)
        st = at_buf_puts(&js, "]}\n");
    char name[64];
    snprintf(name, sizeof name, "doc-%06zu.gold.json", i);
    char *p = st ? NULL : at_path_join(outdir, name);
    if (!st)
        st = p ? at_file_write_atomic(p, js.data, js.len) : AT_ERR_NOMEM;
    if (!st)
        st = at_run_outputs_add(outs, p);
    at_free(p);
    at_buf_free(&js);
    return st;
}

/* outdir/doc-NNNNNN.ann: the identifiers and the strings that must stay
 * (KEEP), merged in order, in BRAT standoff. */
static at_status write_ann(const char *outdir, size_t i, const at_text_doc *d, at_run_outputs *outs)
{
    at_text_spans all = {0};
    at_status st = AT_OK;
    size_t a = 0, b = 0;
    while (!st && (a < d->gold.n || b < d->eponyms.n)) {
        const at_text_span *x = a < d->gold.n ? &d->gold.v[a] : NULL;
        const at_text_span *y = b < d->eponyms.n ? &d->eponyms.v[b] : NULL;
        const at_text_span *z = !y || (x && x->start <= y->start) ? x : y;
        if (z == x)
            a++;
        else
            b++;
        if (!all.n || z->start >= all.v[all.n - 1].start + all.v[all.n - 1].len)
            st = at_text_spans_push(&all, z->start, z->len, z->label);
    }
    at_buf ab;
    at_buf_init(&ab, 1 << 24);
    if (!st)
        st = at_text_brat_write(d->text, d->len, &all, &ab);
    char name[64];
    snprintf(name, sizeof name, "doc-%06zu.ann", i);
    char *p = st ? NULL : at_path_join(outdir, name);
    if (!st)
        st = p ? at_file_write_atomic(p, ab.data ? (const char *)ab.data : "", ab.len) : AT_ERR_NOMEM;
    if (!st)
        st = at_run_outputs_add(outs, p);
    at_free(p);
    at_buf_free(&ab);
    at_text_spans_free(&all);
    return st;
}

at_status at_synth_docs_run(const at_synth_docs_spec *spec, at_run *run, at_synth_docs_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->outdir)
        return at_error_set(AT_ERR_ARG, "at_synth_docs_run: missing argument");
    if (!run)
        run = at_run_default();
    size_t n = spec->docs;
    char *outdir = NULL;
    at_text_doc *docs = NULL;
    at_run_outputs outs = {0};
    at_status st = at_run_path(run, spec->outdir, 1, &outdir);
    if (!st && spec->hospital)
        st = at_synth_hospital_docs(n, spec->seed, spec->heldout, &docs);
    else if (!st)
        st = at_synth_docs(n, spec->seed, spec->heldout, &docs);
    if (!st)
        st = at_run_outputs_begin(&outs, outdir, 0700);
    if (!st)
        at_run_progress(run, "write", 0, n);
    for (size_t i = 0; i < n && !st; i++) {
        if ((st = at_run_check(run, "synth docs")))
            break;
        char name[64];
        snprintf(name, sizeof name, "doc-%06zu.txt", i);
        char *p = at_path_join(outdir, name);
        st = p ? at_file_write_atomic(p, docs[i].text, docs[i].len) : AT_ERR_NOMEM;
        if (!st)
            st = at_run_outputs_add(&outs, p);
        at_free(p);
        if (!st && spec->brat)
            st = write_ann(outdir, i, &docs[i], &outs);
        else if (!st)
            st = write_gold(outdir, i, &docs[i], spec->hospital, &outs);
        if (!st) {
            result->files += 2;
            at_run_progress(run, "write", i + 1, n);
        }
    }
    if (st && outs.root) { /* no partial set of documents */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", at_error_message());
        at_run_outputs_take_back(&outs);
        at_error_set(st, "%s", msg);
        result->files = 0;
    }
    at_run_outputs_free(&outs);
    at_text_docs_free(docs, n);
    at_free(outdir);
    return st;
}

at_status at_synth_chemo_run(const at_synth_chemo_spec *spec, at_run *run, at_synth_chemo_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || !spec->out || !spec->patients)
        return at_error_set(AT_ERR_ARG, "at_synth_chemo_run: missing argument");
    if (!run)
        run = at_run_default();
    char *out = NULL;
    at_buf b;
    at_buf_init(&b, (size_t)1 << 31);
    at_status st = at_run_path(run, spec->out, 1, &out);
    if (!st)
        at_run_progress(run, "write", 0, 1);
    if (!st)
        st = at_synth_chemo_cohort(spec->patients, spec->seed, &b);
    if (!st)
        st = at_run_check(run, "synth chemo");
    if (!st)
        st = at_file_write_atomic(out, b.data, b.len);
    if (!st)
        result->bytes = b.len;
    if (!st)
        at_run_progress(run, "write", 1, 1);
    at_buf_free(&b);
    at_free(out);
    return st;
}
