/* The text generators as runs: synthetic annotated documents written to a
 * folder (at_synth_docs_run) and the chemotherapy cohort to a CSV file
 * (at_synth_chemo_run). */
#include "atelier/synth.h"

#include <stdio.h>
#include <string.h>

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
    if (!st)
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
        at_buf js;
        at_buf_init(&js, 1 << 24);
        if (!st)
            st = at_buf_printf(&js, "{\"kind\":\"%s\",\"patient\":\"%s\",",
                               at_synth_doc_kind_name(docs[i].kind), docs[i].patient_id);
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
            if (!st)
                st = at_run_outputs_add(&outs, p);
            at_free(p);
        }
        at_buf_free(&js);
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
