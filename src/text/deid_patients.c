/* Several patients' identities for --patient-info: a CSV with one patient
 * per row, or a folder of "key: value" files, or one such file; looked up
 * by each document's patient id. */
#include "deid_internal.h"

#include "atelier/walk.h"

#include <stdio.h>
#include <stdlib.h>

#define PATIENTS_MAX_FILE ((size_t)256 << 20)
#define PATIENTS_MAX ((size_t)1 << 22)
#define PATIENTS_MAX_CELL ((size_t)4 << 10)
#define PATIENT_MAX_FILE ((size_t)64 << 10) /* one patient's key: value file */

void at_text_patients_free(at_text_patients *t)
{
    for (size_t i = 0; t->v && i < t->n; i++)
        at_text_patient_free(&t->v[i]);
    at_free(t->v);
    memset(t, 0, sizeof *t);
}

static const char *patient_key(const at_text_patient *p)
{
    return p->patient_id ? p->patient_id : p->ipp;
}

typedef struct {
    const char *key;
    size_t i;
} key_ref;

static int cmp_key(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Each patient keyed, no key twice (row i named by line[i] in the table
 * path, or by the file name[i] of the folder path), and the table sorted by
 * key for the look-ups. */
static at_status check_keys(at_text_patients *t, const char *path, const size_t *line, char *const *name)
{
    if (t->n < 2)
        return AT_OK;
    key_ref *k = at_malloc(t->n * sizeof *k);
    if (!k)
        return AT_ERR_NOMEM;
    at_status st = AT_OK;
    for (size_t i = 0; i < t->n && !st; i++) {
        k[i] = (key_ref){patient_key(&t->v[i]), i};
        if (!k[i].key || !k[i].key[0])
            st = line ? at_error_set(AT_ERR_FORMAT,
                                     "%s: line %zu: no id or ipp (needed with several patients)", path,
                                     line[i])
                      : at_error_set(AT_ERR_FORMAT, "%s/%s: no id or ipp (needed with several patients)",
                                     path, name[i]);
    }
    if (!st) {
        qsort(k, t->n, sizeof *k, cmp_key);
        for (size_t i = 1; i < t->n && !st; i++)
            if (!strcmp(k[i].key, k[i - 1].key))
                st = line ? at_error_set(AT_ERR_FORMAT, "%s: line %zu: the same id as line %zu", path,
                                         line[k[i].i], line[k[i - 1].i])
                          : at_error_set(AT_ERR_FORMAT, "%s: %s and %s have the same id", path,
                                         name[k[i - 1].i], name[k[i].i]);
    }
    if (!st) {
        at_text_patient *v = at_malloc(t->n * sizeof *v);
        if (!v) {
            st = AT_ERR_NOMEM;
        } else {
            for (size_t i = 0; i < t->n; i++)
                v[i] = t->v[k[i].i];
            at_free(t->v);
            t->v = v;
        }
    }
    at_free(k);
    return st;
}

/* A CSV table: a header of keys, one patient per row (empty cells: none);
 * blank and '#' lines before the header skipped. data is the file's
 * buffer (len + 1 bytes), rewritten. */
static at_status load_csv(const char *path, char *data, size_t len, at_text_patients *t)
{
    /* the lines before the header become empty lines, so that the parser
     * skips them and still names the file's own line numbers */
    size_t a = 0, skip = 0;
    for (;;) {
        const char *nl = memchr(data + a, '\n', len - a);
        size_t k = a;
        while (k < len && (data[k] == ' ' || data[k] == '\t' || data[k] == '\r'))
            k++;
        if (!nl || (k < len && data[k] != '#' && data[k] != '\n'))
            break;
        a = (size_t)(nl + 1 - data);
        skip++;
    }
    int delim = at_csv_detect_delimiter(data + a, len - a);
    memmove(data + skip, data + a, len - a);
    memset(data, '\n', skip);
    len = skip + len - a;
    at_csv csv;
    at_status st = at_csv_parse_delim(data, len, PATIENTS_MAX_CELL, delim, &csv);
    if (st)
        return at_error_prefix(st, "%s", path);
    at_text_patient probe;
    memset(&probe, 0, sizeof probe);
    for (size_t j = 0; j < csv.ncols && !st; j++)
        if (!text_patient_field(&probe, csv.cells[j], strlen(csv.cells[j])))
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: column %zu: unknown key", path, csv.line[0],
                              j + 1);
    size_t n = csv.nrows ? csv.nrows - 1 : 0;
    if (!st && n == 0)
        st = at_error_set(AT_ERR_FORMAT, "%s: a header and no patient", path);
    if (!st && n > PATIENTS_MAX)
        st = at_error_set(AT_ERR_LIMIT, "%s: more than %zu patients", path, PATIENTS_MAX);
    size_t *line = NULL;
    if (!st) {
        t->v = at_calloc(n, sizeof *t->v);
        line = at_malloc(n * sizeof *line);
        if (!t->v || !line)
            st = AT_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && !st; i++, t->n++) {
        at_text_patient *p = &t->v[i];
        line[i] = csv.line[i + 1];
        for (size_t j = 0; j < csv.ncols && !st; j++) {
            const char *c = csv.cells[(i + 1) * csv.ncols + j];
            size_t cl = strlen(c);
            at_text_trim(&c, &cl);
            if (cl &&
                (st =
                     text_patient_set(p, text_patient_field(p, csv.cells[j], strlen(csv.cells[j])), c, cl)) &&
                st != AT_ERR_NOMEM)
                at_error_prefix(st, "%s: line %zu", path, line[i]);
        }
    }
    if (!st)
        st = check_keys(t, path, line, NULL);
    at_free(line);
    at_csv_free(&csv);
    return st;
}

/* The walk of --patient-info: no subfolder (its patients would be missed);
 * the first one met is kept for the message. */
static int no_subfolder(void *ud, const char *rel, int is_folder)
{
    char **first = ud;
    if (is_folder && !*first)
        *first = at_strdup(rel);
    return !is_folder;
}

/* A folder: each visible file a "key: value" file, in name order, as the
 * core walker lists them (a subfolder is refused). */
static at_status load_dir(const char *path, at_text_patients *t)
{
    char *sub = NULL;
    at_walk_list w = {0};
    at_walk_options o = {.skip_hidden = 1, .keep = no_subfolder, .keep_ud = &sub, .max_files = PATIENTS_MAX};
    at_status st = at_walk_collect(&w, path, &o);
    if (st == AT_ERR_LIMIT)
        st = at_error_set(AT_ERR_LIMIT, "%s: more than %zu files", path, PATIENTS_MAX);
    if (!st && sub)
        st = at_error_set(
            AT_ERR_FORMAT,
            "%s/%s: a folder in --patient-info (one key: value file per patient, no subfolders)", path, sub);
    at_free(sub);
    char **fname = at_calloc(w.n + 1, sizeof *fname); /* of each patient loaded */
    if (!st && !fname)
        st = AT_ERR_NOMEM;
    if (!st && !(t->v = at_calloc(w.n + 1, sizeof *t->v)))
        st = AT_ERR_NOMEM;
    for (size_t i = 0; i < w.n && !st; i++) {
        if (!(st = at_text_patient_load(w.v[i].path, &t->v[t->n])) && !(fname[t->n] = at_strdup(w.v[i].rel)))
            st = AT_ERR_NOMEM;
        else if (!st)
            t->n++;
    }
    if (!st && t->n == 0)
        st = at_error_set(AT_ERR_FORMAT, "%s: no patient file in the folder", path);
    if (!st)
        st = check_keys(t, path, NULL, fname);
    for (size_t i = 0; fname && i < w.n; i++)
        at_free(fname[i]);
    at_free(fname);
    at_walk_list_free(&w);
    return st;
}

/* 1 when the first line that is not blank or a comment has no ':' (a CSV
 * header, where a "key: value" file has a key). */
static int looks_csv(const char *s, size_t len)
{
    const char *end = s + len;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *p = s;
        while (p < le && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p < le && *p != '#')
            return memchr(p, ':', (size_t)(le - p)) == NULL;
        s = le + 1;
    }
    return 0;
}

at_status at_text_patients_parse(const char *name, const char *data, size_t len, at_text_patients *out)
{
    memset(out, 0, sizeof *out);
    size_t bad;
    at_status st = AT_OK;
    if (len > PATIENTS_MAX_FILE) {
        st = at_error_set(AT_ERR_LIMIT, "%s: larger than %zu bytes", name, PATIENTS_MAX_FILE);
    } else if (at_text_utf8_check(data, len, &bad)) {
        st = at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8", name, bad);
    } else if (looks_csv(data, len)) {
        char *copy = at_malloc(len + 1); /* the parse rewrites the lines before the header */
        if (!copy)
            return AT_ERR_NOMEM;
        memcpy(copy, data, len);
        copy[len] = 0;
        st = load_csv(name, copy, len, out);
        at_free(copy);
    } else if (len > PATIENT_MAX_FILE) {
        st = at_error_set(AT_ERR_LIMIT, "%s: a patient file of more than %zu bytes", name, PATIENT_MAX_FILE);
    } else {
        out->v = at_calloc(1, sizeof *out->v);
        st = out->v ? text_patient_parse(name, data, len, out->v) : AT_ERR_NOMEM;
        out->n = !st;
    }
    if (st)
        at_text_patients_free(out);
    return st;
}

at_status at_text_patients_load(const char *path, at_text_patients *out)
{
    memset(out, 0, sizeof *out);
    if (at_path_is_dir(path)) {
        at_status st = load_dir(path, out);
        if (st)
            at_text_patients_free(out);
        return st;
    }
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, PATIENTS_MAX_FILE, &data, &len);
    if (st)
        return st;
    st = at_text_patients_parse(path, (const char *)data, len, out);
    at_free(data);
    return st;
}

const at_text_patient *at_text_patients_find(const at_text_patients *t, const char *key)
{
    if (!key)
        return NULL;
    size_t kl = strlen(key);
    at_text_trim(&key, &kl); /* as the table's cells */
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = patient_key(&t->v[mid]);
        int c = k ? strncmp(k, key, kl) : -1;
        if (!c && k[kl])
            c = 1; /* k is longer */
        if (!c)
            return &t->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
