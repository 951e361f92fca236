/* The cohort of sct prepare: where each patient's CT and MRI are. A
 * cohort is one folder per patient, holding either ct_dicom/ and
 * mr_dicom/ (or ct.nii.gz and mr.nii.gz), as `synth cohort` writes, or
 * the de-identified layout `atelier deid` writes,
 * <patient>/<study>/<series>/<file>.dcm, where the CT and the MR series
 * are told apart by their Modality and paired by Frame of Reference
 * (contract in include/atelier/sct.h, at_sct_prepare_run). */
#include "atelier/dicom.h"
#include "atelier/walk.h"
#include "sct_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COHORT_MAX_PATIENTS 10000

void sct_pairs_free(sct_pair *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        at_free(p[i].ct);
        at_free(p[i].mr);
    }
    at_free(p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir/name exists as a folder (want_dir) or a regular file. */
static int has(const char *dir, const char *name, int want_dir)
{
    char *p = at_path_join(dir, name);
    struct stat sb;
    int ok = p && !stat(p, &sb) && (want_dir ? S_ISDIR(sb.st_mode) : S_ISREG(sb.st_mode));
    at_free(p);
    return ok;
}

/* The sub-folders of dir (hidden ones and quarantine/ left out), sorted. */
static at_status list_folders(const char *dir, char ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return at_error_set(AT_ERR_IO, "%s: cannot open the folder", dir);
    size_t n = 0, cap = 0;
    char **v = NULL;
    at_status st = AT_OK;
    struct dirent *e;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "quarantine"))
            continue;
        char *p = at_path_join(dir, e->d_name);
        struct stat sb;
        int folder = p && !lstat(p, &sb) && S_ISDIR(sb.st_mode); /* links are not followed */
        at_free(p);
        if (!p) {
            st = AT_ERR_NOMEM;
            break;
        }
        if (!folder)
            continue;
        if (n == COHORT_MAX_PATIENTS) {
            st = at_error_set(AT_ERR_LIMIT, "%s: more than %d patients", dir, COHORT_MAX_PATIENTS);
            break;
        }
        st = AT_GROW(v, cap, n + 1);
        if (st)
            break;
        if (!(v[n] = at_strdup(e->d_name)))
            st = AT_ERR_NOMEM;
        else
            n++;
    }
    closedir(d);
    if (st) {
        for (size_t i = 0; i < n; i++)
            at_free(v[i]);
        at_free(v);
        return st;
    }
    if (n)
        qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    *count = n;
    return AT_OK;
}

typedef struct {
    char *dir;      /* the series folder (owned) */
    char frame[65]; /* Frame of Reference UID ("" when absent) */
} series_ref;

/* The CT and MR series of a de-identified patient folder: one per series
 * folder, described by the first of its files that reads as DICOM. */
static at_status find_series(const char *pdir, at_run *run, series_ref **ct, size_t *nct, series_ref **mr,
                             size_t *nmr)
{
    *ct = *mr = NULL;
    *nct = *nmr = 0;
    at_walk_list w = {0};
    at_walk_options wo = {.skip_hidden = 1, .run = run};
    at_status st = at_walk_collect(&w, pdir, &wo);
    series_ref *c = at_calloc(w.n ? w.n : 1, sizeof *c), *m = at_calloc(w.n ? w.n : 1, sizeof *m);
    if (!st && (!c || !m))
        st = AT_ERR_NOMEM;
    size_t done_len = 0;
    const char *done = NULL; /* the series folder already described */
    for (size_t i = 0; !st && i < w.n; i++) {
        const char *rel = w.v[i].rel, *slash = strrchr(rel, '/');
        size_t fl = slash ? (size_t)(slash - rel) : 0;
        if (done && fl == done_len && !strncmp(rel, done, fl))
            continue;
        at_dcm_file *f = NULL;
        at_dcm_read_options ro = {.name = "a series file", .stop_before_pixels = 1};
        char modality[17] = "", frame[65] = "";
        if (at_dcm_read_file(w.v[i].path, &ro, &f) != AT_OK) {
            at_error_clear(); /* not DICOM (a report, a note): the next file may be */
            continue;
        }
        at_dcm_get_string(f->dataset, AT_TAG(0x0008, 0x0060), modality, sizeof modality);
        at_dcm_get_string(f->dataset, AT_TAG(0x0020, 0x0052), frame, sizeof frame);
        at_dcm_file_free(f);
        at_error_clear();
        done = rel;
        done_len = fl;
        int is_ct = !strcmp(modality, "CT"), is_mr = !strcmp(modality, "MR");
        if (!is_ct && !is_mr)
            continue;
        series_ref *s = is_ct ? &c[(*nct)++] : &m[(*nmr)++];
        char *sub = slash ? at_strndup(rel, fl) : NULL;
        s->dir = slash ? (sub ? at_path_join(pdir, sub) : NULL) : at_strdup(pdir);
        at_free(sub);
        if (!s->dir)
            st = AT_ERR_NOMEM;
        snprintf(s->frame, sizeof s->frame, "%s", frame);
    }
    at_walk_list_free(&w);
    *ct = c;
    *mr = m;
    return st;
}

static void free_series(series_ref *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        at_free(s[i].dir);
    at_free(s);
}

/* One CT and one MR of a de-identified patient: the only pair sharing a
 * Frame of Reference, else the only CT and the only MR. *found 0 when
 * the patient has no CT or no MR. */
static at_status choose_pair(const char *pdir, const series_ref *c, size_t nc, const series_ref *m, size_t nm,
                             sct_pair *p, int *found)
{
    *found = 0;
    if (!nc || !nm)
        return AT_OK;
    const series_ref *bc = NULL, *bm = NULL;
    size_t shared = 0;
    for (size_t i = 0; i < nc; i++)
        for (size_t j = 0; j < nm; j++)
            if (c[i].frame[0] && !strcmp(c[i].frame, m[j].frame)) {
                shared++;
                bc = &c[i];
                bm = &m[j];
            }
    if (shared != 1) {
        if (nc != 1 || nm != 1)
            return at_error_set(AT_ERR_ARG,
                                "%s: %zu CT and %zu MR series, and %s pair shares a Frame of "
                                "Reference: keep one CT and one MR series for this patient",
                                pdir, nc, nm, shared ? "more than one" : "no");
        bc = &c[0];
        bm = &m[0];
    }
    p->ct = at_strdup(bc->dir);
    p->mr = at_strdup(bm->dir);
    if (!p->ct || !p->mr)
        return AT_ERR_NOMEM;
    *found = 1;
    return AT_OK;
}

at_status sct_pairs_find(const char *cohort, at_run *run, sct_pair **out, size_t *count, size_t *skipped)
{
    *out = NULL;
    *count = *skipped = 0;
    char **names;
    size_t n;
    at_status st = list_folders(cohort, &names, &n);
    if (st)
        return st;
    sct_pair *v = at_calloc(n ? n : 1, sizeof *v);
    size_t np = 0;
    if (!v)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; !st && i < n; i++) {
        if ((st = at_run_check(run, "sct prepare")) != AT_OK)
            break;
        char *pd = at_path_join(cohort, names[i]);
        if (!pd) {
            st = AT_ERR_NOMEM;
            break;
        }
        sct_pair *p = &v[np];
        snprintf(p->name, sizeof p->name, "%s", names[i]);
        if (strlen(names[i]) >= sizeof p->name) {
            st = at_error_set(AT_ERR_LIMIT, "%s: a patient folder name is longer than %zu bytes", cohort,
                              sizeof p->name - 1);
        } else if (has(pd, "ct_dicom", 1) && has(pd, "mr_dicom", 1)) {
            p->ct = at_path_join(pd, "ct_dicom");
            p->mr = at_path_join(pd, "mr_dicom");
            st = p->ct && p->mr ? AT_OK : AT_ERR_NOMEM;
            np++;
        } else if (has(pd, "ct.nii.gz", 0) && has(pd, "mr.nii.gz", 0)) {
            p->ct = at_path_join(pd, "ct.nii.gz");
            p->mr = at_path_join(pd, "mr.nii.gz");
            st = p->ct && p->mr ? AT_OK : AT_ERR_NOMEM;
            np++;
        } else { /* a de-identified patient: <study>/<series>/<file> */
            series_ref *c, *m;
            size_t nc, nm;
            int found = 0;
            st = find_series(pd, run, &c, &nc, &m, &nm);
            if (!st)
                st = choose_pair(pd, c, nc, m, nm, p, &found);
            if (!st && found)
                np++;
            else if (!st && (nc || nm))
                (*skipped)++; /* a CT without an MR, or the reverse */
            free_series(c, nc);
            free_series(m, nm);
        }
        at_free(pd);
    }
    for (size_t i = 0; i < n; i++)
        at_free(names[i]);
    at_free(names);
    if (st) {
        sct_pairs_free(v, np + 1);
        return st;
    }
    *out = v;
    *count = np;
    return AT_OK;
}
