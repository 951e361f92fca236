/* Annotated notes in BRAT standoff (NAME.txt with NAME.ann beside it):
 * text-bound lines "T1<TAB>LABEL START END<TAB>text" in character (code
 * point) offsets, discontinuous fragments "START END;START END" each a
 * span. KEEP (or TRAP) marks a string that must stay (a drug, an eponym,
 * a score): it goes to the document's list of strings to keep. Read with
 * bounds; errors name the file and line. */
#include "atelier/text_model.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BRAT_MAX_FILE ((size_t)64 << 20)
#define BRAT_MAX_DOCS 1000000
#define BRAT_MAX_DEPTH 16

typedef struct {
    char **v;
    size_t n, cap;
} path_list;

static at_status list_push(path_list *l, char *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = at_realloc(l->v, cap * sizeof *v);
        if (!v) {
            at_free(p);
            return AT_ERR_NOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = p;
    return AT_OK;
}

static void list_free(path_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        at_free(l->v[i]);
    at_free(l->v);
    memset(l, 0, sizeof *l);
}

static at_status walk(const char *dir, int depth, path_list *out)
{
    if (depth > BRAT_MAX_DEPTH)
        return at_error_set(AT_ERR_LIMIT, "%s: folders nested deeper than %d", dir, BRAT_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (!d)
        return at_error_set(AT_ERR_IO, "%s: cannot open folder", dir);
    at_status st = AT_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = at_path_join(dir, e->d_name);
        if (!p) {
            st = AT_ERR_NOMEM;
            break;
        }
        struct stat sb;
        if (lstat(p, &sb)) {
            at_free(p);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (S_ISDIR(sb.st_mode)) {
            st = walk(p, depth + 1, out);
            at_free(p);
        } else if (S_ISREG(sb.st_mode) && n > 4 && !strcmp(e->d_name + n - 4, ".txt")) {
            st = out->n >= BRAT_MAX_DOCS
                     ? at_error_set(AT_ERR_LIMIT, "%s: more than %d documents", dir, BRAT_MAX_DOCS)
                     : list_push(out, p);
            if (st == AT_ERR_LIMIT)
                at_free(p);
        } else {
            at_free(p);
        }
    }
    closedir(d);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_span(const void *a, const void *b)
{
    const at_text_span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->label - y->label;
}

/* Byte offset of each code point of text (chars + 1 entries). */
static at_status char_offsets(const char *t, size_t len, size_t **off, size_t *chars)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)t[i] & 0xC0) != 0x80;
    size_t *o = at_malloc((n + 1) * sizeof *o);
    if (!o)
        return AT_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)t[i] & 0xC0) != 0x80)
            o[k++] = i;
    o[n] = len;
    *off = o;
    *chars = n;
    return AT_OK;
}

static at_status parse_ann(const char *path, const char *data, size_t len, const size_t *off, size_t chars,
                           at_text_doc *doc, size_t *unknown)
{
    at_status st = AT_OK;
    size_t line = 0;
    const char *p = data, *end = data + len;
    while (p < end && !st) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (*p == 'T') {
            const char *tab = memchr(p, '\t', (size_t)(le - p));
            if (!tab)
                return at_error_set(AT_ERR_FORMAT, "%s: line %zu: no tab after the id", path, line);
            const char *q = tab + 1, *le2 = memchr(q, '\t', (size_t)(le - q));
            if (!le2)
                le2 = le;
            const char *sp = memchr(q, ' ', (size_t)(le2 - q));
            if (!sp || sp - q > 63)
                return at_error_set(AT_ERR_FORMAT, "%s: line %zu: no label and offsets", path, line);
            char label[64];
            memcpy(label, q, (size_t)(sp - q));
            label[sp - q] = 0;
            int lab = at_phi_label_from_name(label);
            int keep = !strcmp(label, "KEEP") || !strcmp(label, "TRAP");
            if (!lab && !keep)
                (*unknown)++;
            /* fragments "a b;c d" */
            const char *r = sp + 1;
            while (r < le2 && !st) {
                char *x;
                unsigned long long a = strtoull(r, &x, 10);
                if (x == r || *x != ' ')
                    return at_error_set(AT_ERR_FORMAT, "%s: line %zu: bad offsets", path, line);
                const char *y = x + 1;
                unsigned long long b = strtoull(y, &x, 10);
                if (x == y || a > b || b > chars)
                    return at_error_set(AT_ERR_FORMAT,
                                        "%s: line %zu: offsets out of the text (%zu characters)", path, line,
                                        chars);
                if (lab)
                    st = at_text_spans_push(&doc->gold, off[a], off[b] - off[a], lab);
                else if (keep)
                    st = at_text_spans_push(&doc->eponyms, off[a], off[b] - off[a], 0);
                r = x;
                if (r < le2 && *r == ';')
                    r++;
                else
                    break;
            }
        }
        p = le + 1;
    }
    if (!st) {
        if (doc->gold.n)
            qsort(doc->gold.v, doc->gold.n, sizeof *doc->gold.v, cmp_span);
        if (doc->eponyms.n)
            qsort(doc->eponyms.v, doc->eponyms.n, sizeof *doc->eponyms.v, cmp_span);
    }
    return st;
}

at_status at_text_brat_load(const char *dir, at_text_doc **docs, size_t *n, size_t *unknown_labels)
{
    *docs = NULL;
    *n = 0;
    size_t unknown = 0;
    path_list paths = {0};
    at_status st = walk(dir, 0, &paths);
    if (!st && paths.n)
        qsort(paths.v, paths.n, sizeof *paths.v, cmp_str);
    at_text_doc *v = st ? NULL : at_calloc(paths.n ? paths.n : 1, sizeof *v);
    if (!st && !v)
        st = AT_ERR_NOMEM;
    size_t k = 0;
    for (; k < paths.n && !st; k++) {
        at_text_doc *doc = &v[k];
        unsigned char *txt = NULL, *ann = NULL;
        size_t tl = 0, al = 0, bad;
        st = at_file_read(paths.v[k], BRAT_MAX_FILE, &txt, &tl);
        if (!st && at_text_utf8_check((const char *)txt, tl, &bad))
            st = at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8 text", paths.v[k], bad);
        size_t pl = strlen(paths.v[k]);
        char *ap = st ? NULL : at_malloc(pl + 1);
        if (!st && !ap)
            st = AT_ERR_NOMEM;
        if (!st) {
            memcpy(ap, paths.v[k], pl - 4);
            memcpy(ap + pl - 4, ".ann", 5);
            struct stat sb;
            if (!stat(ap, &sb)) {
                st = at_file_read(ap, BRAT_MAX_FILE, &ann, &al);
                if (!st && at_text_utf8_check((const char *)ann, al, &bad))
                    st = at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8 text", ap, bad);
            }
        }
        size_t *off = NULL, chars = 0;
        if (!st)
            st = char_offsets((const char *)txt, tl, &off, &chars);
        if (!st && ann)
            st = parse_ann(ap, (const char *)ann, al, off, chars, doc, &unknown);
        at_free(off);
        at_free(ap);
        at_free(ann);
        if (!st) {
            doc->text = (char *)txt;
            doc->len = tl;
            doc->kind = -1;
            doc->patient = (int)k;
            /* the document's name, relative to dir, keys its patient */
            const char *rel = paths.v[k] + strlen(dir);
            while (*rel == '/')
                rel++;
            doc->patient_id = at_strdup(rel);
            if (!doc->patient_id)
                st = AT_ERR_NOMEM;
        } else {
            at_free(txt);
        }
    }
    list_free(&paths);
    if (st) {
        at_text_docs_free(v, k);
        return st;
    }
    *docs = v;
    *n = k;
    if (unknown_labels)
        *unknown_labels = unknown;
    return AT_OK;
}

at_status at_text_brat_write(const char *text, size_t len, const at_text_spans *spans, at_buf *out)
{
    at_status st = AT_OK;
    size_t pos = 0, chars = 0;
    for (size_t i = 0; i < spans->n && !st; i++) {
        const at_text_span *s = &spans->v[i];
        if (s->start < pos || s->start + s->len > len)
            return at_error_set(AT_ERR_ARG, "brat: span %zu out of order or range", i);
        for (; pos < s->start; pos++)
            chars += ((unsigned char)text[pos] & 0xC0) != 0x80;
        size_t a = chars, b = chars;
        for (size_t j = s->start; j < s->start + s->len; j++)
            b += ((unsigned char)text[j] & 0xC0) != 0x80;
        st = at_buf_printf(out, "T%zu\t%s %zu %zu\t", i + 1, s->label ? at_phi_label_name(s->label) : "KEEP",
                           a, b);
        for (size_t j = s->start; j < s->start + s->len && !st; j++)
            st = at_buf_putc(out, text[j] == '\n' || text[j] == '\r' || text[j] == '\t' ? ' ' : text[j]);
        if (!st)
            st = at_buf_putc(out, '\n');
    }
    return st;
}
