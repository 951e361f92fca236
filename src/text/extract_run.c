/* An extraction run (at_text_extract_run): the documents of files and
 * folders, their mentions as a table or JSON lines, into a file or to the
 * caller's emit function. */
#include "atelier/text.h"
#include "atelier/walk.h"

#include <stdio.h>
#include <string.h>

#define EXTRACT_MAX_FILE ((size_t)64 << 20)
#define EXTRACT_MAX_OUT ((size_t)1 << 30)

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

/* In a folder, .json files are standoff or annotation files, not notes. */
static int keep_note(void *ud, const char *rel, int is_folder)
{
    (void)ud;
    return is_folder || !has_suffix(rel, ".json");
}

/* The mentions of one document, appended to out as the table or JSON
 * lines, each naming the file by name (the path as found). */
static at_status extract_one(const at_text_extractor *x, const at_text_extract_spec *spec, const char *path,
                             const char *name, at_buf *out, size_t *count)
{
    unsigned char *data = NULL;
    size_t len = 0, bad;
    at_status st = at_file_read(path, EXTRACT_MAX_FILE, &data, &len);
    if (!st && len == 0)
        st = at_error_set(AT_ERR_FORMAT, "%s: empty document", name);
    if (!st && at_text_utf8_check((const char *)data, len, &bad))
        st = at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8 text (binary?)", name, bad);
    at_text_mentions m = {0};
    if (!st)
        st = at_text_extract(x, (const char *)data, len, spec->date, &m);
    if (!st && spec->json) {
        at_buf one;
        at_buf_init(&one, EXTRACT_MAX_OUT);
        st = at_text_mentions_jsonl((const char *)data, &m, &one);
        /* each line prefixed with the file */
        for (char *p = (char *)one.data; !st && p && *p;) {
            char *nl = strchr(p, '\n');
            st = at_buf_puts(out, "{\"file\":");
            if (!st)
                st = at_buf_json_string(out, name, strlen(name));
            if (!st)
                st = at_buf_putc(out, ',');
            if (!st)
                st = at_buf_append(out, p + 1, (size_t)(nl - p));
            p = nl + 1;
        }
        at_buf_free(&one);
    } else if (!st) {
        for (size_t i = 0; i < m.n && !st; i++) {
            const at_text_mention *v = &m.v[i];
            st = at_buf_printf(out, "%s\t%zu\t%zu\t%s\t%s%s%s", name, v->start, v->len,
                               at_mention_type_name(v->type), v->value, v->code[0] ? "\t" : "", v->code);
            if (!st && v->grade)
                st = at_buf_printf(out, "\tgrade %d", v->grade);
            if (!st && v->cycle)
                st = at_buf_printf(out, "\tcycle %d", v->cycle);
            if (!st && v->qual)
                st = at_buf_printf(out, "\t%s%s%s%s", v->qual & AT_QUAL_NEGATED ? "[negated]" : "",
                                   v->qual & AT_QUAL_HYPOTHESIS ? "[hypothesis]" : "",
                                   v->qual & AT_QUAL_FAMILY ? "[family]" : "",
                                   v->qual & AT_QUAL_HISTORY ? "[history]" : "");
            if (!st)
                st = at_buf_putc(out, '\n');
        }
    }
    if (!st)
        *count += m.n;
    if (st && !strstr(at_error_message(), name))
        at_error_prefix(st, "%s", name);
    at_text_mentions_free(&m);
    at_free(data);
    return st;
}

/* A document given as a file: listed as it is (at_file_read refuses a
 * FIFO or a device at once, and names a missing file). */
static at_status add_doc(at_walk_list *l, const char *path, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        at_walk_entry *v = at_realloc(l->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n].path = at_strdup(path);
    l->v[l->n].rel = at_strdup(name);
    if (!l->v[l->n].path || !l->v[l->n].rel) {
        at_free(l->v[l->n].path);
        at_free(l->v[l->n].rel);
        return AT_ERR_NOMEM;
    }
    l->n++;
    return AT_OK;
}

static at_status note_failure(at_text_extract_result *res, const char *in)
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

at_status at_text_extract_run(const at_text_extract_spec *spec, at_run *run, at_text_extract_result *result)
{
    memset(result, 0, sizeof *result);
    if (!spec || (!spec->inputs && spec->input_count) || (!spec->out && !spec->emit))
        return at_error_set(AT_ERR_ARG, "at_text_extract_run: missing argument");
    if (!run)
        run = at_run_default();
    if (spec->date && !at_date_parse_iso(spec->date, NULL))
        return at_error_set(AT_ERR_ARG, "%s: not a calendar date YYYY-MM-DD", spec->date);
    /* the documents: files as given, folders walked */
    at_walk_list docs = {0};
    at_walk_options wo = {.skip_hidden = 1, .keep = keep_note, .run = run};
    char *p = NULL, *dict = NULL, *outp = NULL;
    at_status st = AT_OK;
    for (size_t i = 0; i < spec->input_count && !st; i++) {
        size_t before = docs.n;
        st = at_run_path(run, spec->inputs[i], 0, &p);
        if (!st && !at_path_is_dir(p)) { /* a file: named as given, read even if it is .json; a
                                          * missing or special file is a failure of its own, at reading */
            st = add_doc(&docs, p, spec->inputs[i]);
        } else if (!st) { /* a folder: its notes named by the folder as given and their paths in it */
            st = at_walk_collect(&docs, p, &wo);
            for (size_t k = before; k < docs.n && !st; k++) {
                char *named = at_path_join(spec->inputs[i], docs.v[k].rel);
                if (!named)
                    st = AT_ERR_NOMEM;
                at_free(docs.v[k].rel);
                docs.v[k].rel = named;
            }
        }
        at_free(p);
        p = NULL;
    }
    if (!st && spec->dict_dir)
        st = at_run_path(run, spec->dict_dir, 0, &dict);
    if (!st && spec->out)
        st = at_run_path(run, spec->out, 1, &outp);
    at_text_extractor *x = NULL;
    if (!st)
        st = at_text_extractor_new(dict, &x);
    at_atomic_file *f = NULL;
    if (!st && outp)
        st = at_atomic_open(outp, &f);
    result->documents = docs.n;
    if (!st)
        at_run_progress(run, "extract", 0, docs.n);
    for (size_t i = 0; i < docs.n && !st; i++) {
        if ((st = at_run_check(run, "text extract"))) {
            at_error_set(st, "text extract: cancelled after %zu of %zu documents", i, docs.n);
            break;
        }
        at_buf out;
        at_buf_init(&out, EXTRACT_MAX_OUT);
        at_status dst = extract_one(x, spec, docs.v[i].path, docs.v[i].rel, &out, &result->mentions);
        if (dst == AT_ERR_NOMEM)
            st = dst;
        else if (dst)
            st = note_failure(result, docs.v[i].rel);
        else if (out.len)
            st = f ? at_atomic_write(f, out.data, out.len)
                   : spec->emit(spec->emit_ud, (const char *)out.data, out.len);
        result->done += !dst;
        at_buf_free(&out);
        if (!st)
            at_run_progress(run, "extract", i + 1, docs.n);
    }
    /* an interruption during the last document keeps nothing either */
    if (!st && docs.n && (st = at_run_check(run, "text extract")))
        at_error_set(st, "text extract: cancelled during the last of %zu documents", docs.n);
    /* a run whose every document failed writes no out file (an empty
     * one would read as "no mention found") */
    if (f && !st && result->done == 0 && result->failed > 0)
        at_atomic_abort(f);
    else if (f && !st)
        st = at_atomic_commit(f);
    else if (f)
        at_atomic_abort(f);
    at_text_extractor_free(x);
    at_walk_list_free(&docs);
    at_free(dict);
    at_free(outp);
    return st;
}

void at_text_extract_result_free(at_text_extract_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->failed; i++) {
        at_free(r->failures[i].input);
        at_free(r->failures[i].message);
    }
    at_free(r->failures);
    memset(r, 0, sizeof *r);
}
