/* The re-hospitalisation risk model: TF-IDF of hashed word n-grams plus
 * structured features, L2 or L1 logistic regression through liblinear, the
 * regularisation strength chosen by patient-level cross-validation (AUROC);
 * saving, loading and scoring with the reasons that raised the risk. */
#include "risk/internal.h"

#include <linear.h>
#ifdef _OPENMP
#include <omp.h>
#include <pthread.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RISK_MAX_MODEL ((size_t)64 << 20)
#define RISK_TERMS_KEPT 4000
/* A term in more than this share of the training notes is a stop word of
 * the corpus ("patient", "de"): nearly constant, so nearly collinear with
 * the bias, it slows the solver and carries nothing (AUROC unchanged to 4
 * decimals on three cohorts of bench/risk); it gets no weight. */
#define RISK_MAX_DF 0.8
/* The text of a term is kept in the model (for the reasons of a score)
 * only when the notes of this many distinct patients hold it, and when it
 * holds no run of RISK_TERM_MAX_DIGITS digits: a model leaves the room,
 * and a name or an IPP written in one patient's notes must not leave with
 * it (its weight, keyed by a hash, stays). */
#define RISK_TERM_MIN_PATIENTS 5
#define RISK_TERM_MAX_DIGITS 5

static void quiet_print(const char *s)
{
    (void)s;
}

/* liblinear prints through one function for the whole process (its only
 * setting of the kind): set to silence once per process, the same value
 * every time, so no call changes what another sees. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void set_quiet(void)
{
    set_print_string_function(quiet_print);
}
static void liblinear_quiet(void)
{
    pthread_once(&quiet_once, set_quiet);
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

void at_risk_free(at_risk_model *m)
{
    if (!m)
        return;
    if (m->terms)
        for (size_t i = 0; i < RISK_H; i++)
            at_free(m->terms[i]);
    at_free(m->terms);
    at_free(m->idf);
    at_free(m->w);
    at_free(m->xgb);
    at_free(m->colmap);
    at_text_extractor_free(m->x);
    at_free(m);
}

/* A model with its arrays and the extractor of the structured features
 * (owned by caller); on failure NULL in *out and the status returned. */
static at_status model_alloc(at_risk_model **out)
{
    *out = NULL;
    at_risk_model *m = at_calloc(1, sizeof *m);
    if (!m)
        return AT_ERR_NOMEM;
    m->idf = at_calloc(RISK_H, sizeof *m->idf);
    m->w = at_calloc(RISK_H + RISK_S, sizeof *m->w);
    m->terms = at_calloc(RISK_H, sizeof *m->terms);
    at_status st = !m->idf || !m->w || !m->terms ? AT_ERR_NOMEM : at_text_extractor_new(NULL, &m->x);
    if (st) {
        at_risk_free(m);
        return st;
    }
    *out = m;
    return AT_OK;
}

/* Storage of liblinear rows: large blocks, each row in one, so that a
 * cohort's rows cost a few allocations (and, where the kernel offers them,
 * huge pages) instead of one allocation and its page faults per row. */
typedef struct risk_chunk {
    struct risk_chunk *next;
    size_t used, cap;
    struct feature_node v[];
} risk_chunk;

#define RISK_CHUNK_NODES ((size_t)1 << 19) /* 8 MiB */

/* Room for need nodes at the head of *list (a new block when the head is
 * full); NULL when out of memory. */
static struct feature_node *chunk_take(risk_chunk **list, size_t need)
{
    risk_chunk *c = *list;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > RISK_CHUNK_NODES ? need : RISK_CHUNK_NODES;
        c = at_malloc(sizeof *c + cap * sizeof c->v[0]);
        if (!c)
            return NULL;
#ifdef MADV_HUGEPAGE
        uintptr_t a = ((uintptr_t)c->v + ((uintptr_t)2 << 20) - 1) & ~(((uintptr_t)2 << 20) - 1);
        uintptr_t e = ((uintptr_t)(c->v + cap)) & ~(((uintptr_t)2 << 20) - 1);
        if (e > a)
            (void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only */
#endif
        c->next = *list;
        c->used = 0;
        c->cap = cap;
        *list = c;
    }
    struct feature_node *r = c->v + c->used;
    c->used += need;
    return r;
}

static void chunks_free(risk_chunk *c)
{
    while (c) {
        risk_chunk *next = c->next;
        at_free(c);
        c = next;
    }
}

typedef struct {
    size_t n;
    struct feature_node **x; /* liblinear rows, -1 terminated (in chunks) */
    risk_chunk *chunks;
    double *y;
    uint32_t *fold_key;
    int nfeat; /* compact feature count (used hashed indices + structured) */
} risk_data;

static void data_free(risk_data *d)
{
    chunks_free(d->chunks);
    at_free(d->x);
    at_free(d->y);
    at_free(d->fold_key);
    memset(d, 0, sizeof *d);
}

/* Train one liblinear model on the rows where use[i]; weights for P(y=1). */
static at_status fit(const risk_data *d, const unsigned char *use, double C, int l1, double *w, double *bias)
{
    struct problem prob;
    size_t l = 0;
    for (size_t i = 0; i < d->n; i++)
        l += !use || use[i];
    prob.l = (int)l;
    prob.n = d->nfeat + 1;
    prob.bias = 1.0;
    prob.y = at_malloc(l * sizeof *prob.y);
    prob.x = at_malloc(l * sizeof *prob.x);
    if (!prob.y || !prob.x) {
        at_free(prob.y);
        at_free(prob.x);
        return AT_ERR_NOMEM;
    }
    int pos = 0, neg = 0;
    for (size_t i = 0, k = 0; i < d->n; i++)
        if (!use || use[i]) {
            prob.y[k] = d->y[i];
            prob.x[k++] = d->x[i];
            pos += d->y[i] > 0.5;
            neg += d->y[i] <= 0.5;
        }
    if (!pos || !neg) {
        at_free(prob.y);
        at_free(prob.x);
        return at_error_set(AT_ERR_ARG, "risk: training needs both labels (0 and 1)");
    }
    struct parameter par;
    memset(&par, 0, sizeof par);
    /* the same L2-regularised objective either way: liblinear's dual
     * coordinate descent is about twice as fast up to C = 1 and slows as C
     * grows (5x slower at C = 30), where the primal trust-region Newton
     * method stays flat; each at liblinear's default tolerance */
    int dual = !l1 && C <= 1.0;
    /* the coordinate descent's row order, drawn from this thread's
     * generator (src/risk/rand.c): the same data give the same model */
    risk_rand_seed(1);
    par.solver_type = l1 ? L1R_LR : dual ? L2R_LR_DUAL : L2R_LR;
    par.C = C;
    par.eps = dual ? 0.1 : 0.01;
    const char *err = check_parameter(&prob, &par);
    at_status st = AT_OK;
    if (err) {
        st = at_error_set(AT_ERR_ARG, "risk: liblinear: %s", err);
    } else {
        struct model *mo = train(&prob, &par);
        if (!mo) {
            st = at_error_set(AT_ERR_NOMEM, "risk: liblinear training failed");
        } else {
            double sign = mo->label[0] == 1 ? 1.0 : -1.0;
            int nf = mo->nr_feature;
            memset(w, 0, (size_t)d->nfeat * sizeof *w);
            for (int j = 0; j < nf && j < d->nfeat; j++)
                w[j] = sign * mo->w[j];
            *bias = sign * mo->w[nf] * prob.bias;
            free_and_destroy_model(&mo);
        }
    }
    at_free(prob.y);
    at_free(prob.x);
    return st;
}

static double score_row(const struct feature_node *x, const double *w, int nfeat, double bias)
{
    double z = bias;
    for (; x->index > 0; x++)
        if (x->index <= nfeat)
            z += w[x->index - 1] * x->value;
    return 1.0 / (1.0 + exp(-z));
}

static uint32_t fnv32(const char *s)
{
    uint32_t h = 2166136261u;
    for (const char *p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

typedef struct {
    const char *id;
    uint32_t h;
} fold_key;

static int cmp_fold_key(const void *a, const void *b)
{
    const fold_key *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return strcmp(x->id, y->id);
}

at_status risk_cv_folds(const char *const *ids, size_t n, int folds, uint32_t *fold, size_t *patients)
{
    if (folds < 1)
        return at_error_set(AT_ERR_ARG, "risk: %d folds", folds);
    fold_key *k = at_malloc((n + 1) * sizeof *k);
    if (!k)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (fold_key){ids[i], fnv32(ids[i])};
    qsort(k, n, sizeof *k, cmp_fold_key);
    /* distinct patients in hash order, dealt round robin */
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(k[i].id, k[i - 1].id))
            k[np++] = k[i];
    for (size_t i = 0; i < n; i++) {
        fold_key q = {ids[i], fnv32(ids[i])};
        const fold_key *hit = bsearch(&q, k, np, sizeof *k, cmp_fold_key);
        fold[i] = (uint32_t)((size_t)(hit - k) % (size_t)folds);
    }
    at_free(k);
    if (patients)
        *patients = np;
    return AT_OK;
}

/* A note's row, first written as its hashed indices + 1 and counts, made
 * the liblinear row in place: TF-IDF (l2-normalised over every term, as in
 * scoring) under compact indices, the terms of one training document
 * dropped, then the structured features, the bias term and the end. The
 * row has room for n + RISK_S + 2 nodes. */
static void finish_row(struct feature_node *x, size_t n, const float *idf, const uint32_t *map,
                       const double *tf, const double *sf, int nfeat)
{
    double norm = 0;
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        uint32_t idx = (uint32_t)x[j].index - 1;
        double c = x[j].value;
        double val = (c < 64 && c == (int)c ? tf[(int)c] : risk_sublinear_tf((float)c)) * idf[idx];
        norm += val * val;
        if (!map[idx])
            continue; /* a term of one training document: no weight */
        x[k].index = (int)map[idx];
        x[k++].value = val;
    }
    norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
    for (size_t j = 0; j < k; j++)
        x[j].value *= norm;
    for (int q = 0; q < RISK_S; q++)
        if (sf[q] != 0) {
            x[k].index = nfeat - RISK_S + q + 1;
            x[k++].value = sf[q];
        }
    x[k].index = nfeat + 1; /* bias term */
    x[k].value = 1.0;
    x[k + 1].index = -1;
}

/* The first row i (of n) whose text starts at or after byte b of the
 * rows' texts laid end to end (pre: n + 1 prefix sums). */
static size_t row_at(const size_t *pre, size_t n, size_t b)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pre[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct {
    const char *id;
    size_t row;
} row_id;

static int cmp_row_id(const void *a, const void *b)
{
    const row_id *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->row < y->row ? -1 : x->row > y->row;
}

/* For each text column, the number of distinct patients (column cp of the
 * CSV) whose rows hold it: the rows visited patient by patient. */
static at_status patient_counts(const at_csv *csv, int cp, const risk_data *d, uint32_t *count)
{
    int ncol = d->nfeat - RISK_S;
    row_id *r = at_malloc((d->n + 1) * sizeof *r);
    uint32_t *last = at_calloc((size_t)ncol + 1, sizeof *last); /* patient + 1 that last counted the column */
    if (!r || !last) {
        at_free(r);
        at_free(last);
        return AT_ERR_NOMEM;
    }
    for (size_t i = 0; i < d->n; i++)
        r[i] = (row_id){csv->cells[(i + 1) * csv->ncols + (size_t)cp], i};
    qsort(r, d->n, sizeof *r, cmp_row_id);
    memset(count, 0, (size_t)ncol * sizeof *count);
    uint32_t g = 0;
    for (size_t k = 0; k < d->n; k++) {
        g += !k || strcmp(r[k].id, r[k - 1].id);
        for (const struct feature_node *x = d->x[r[k].row]; x && x->index > 0; x++)
            if (x->index <= ncol && last[x->index - 1] != g) {
                last[x->index - 1] = g;
                count[x->index - 1]++;
            }
    }
    at_free(r);
    at_free(last);
    return AT_OK;
}

/* 0 when a term's text holds a run of RISK_TERM_MAX_DIGITS digits (an IPP,
 * a NIR, a phone: never kept as text). */
static int term_text_ok(const char *s)
{
    int run = 0;
    for (; *s; s++) {
        run = *s >= '0' && *s <= '9' ? run + 1 : 0;
        if (run >= RISK_TERM_MAX_DIGITS)
            return 0;
    }
    return 1;
}

/* Drop the texts of the terms that too few patients share, or that carry
 * digits like an identifier (col: the column + 1 of each bucket). */
static void drop_private_terms(at_risk_model *m, const uint32_t *col, const uint32_t *pcount)
{
    for (size_t j = 0; j < RISK_H; j++)
        if (m->terms[j] &&
            (!col[j] || pcount[col[j] - 1] < RISK_TERM_MIN_PATIENTS || !term_text_ok(m->terms[j]))) {
            at_free(m->terms[j]);
            m->terms[j] = NULL;
        }
}

static at_status csv_columns(const at_csv *csv, int need_label, int *cp, int *ct, int *cl)
{
    *cp = at_csv_column(csv, "patient_id");
    *ct = at_csv_column(csv, "text");
    *cl = at_csv_column(csv, "label");
    if (*cp < 0 || *ct < 0 || (need_label && *cl < 0))
        return at_error_set(AT_ERR_FORMAT, "CSV needs the columns patient_id, text%s",
                            need_label ? ", label" : "");
    return AT_OK;
}

at_status at_risk_train(const at_csv *csv, const at_risk_options *opt, at_risk_model **out)
{
    return risk_train(csv, opt, NULL, out);
}

at_status risk_train(const at_csv *csv, const at_risk_options *opt, at_run *run, at_risk_model **out)
{
    *out = NULL;
    int cp, ct, cl;
    at_status st = csv_columns(csv, 1, &cp, &ct, &cl);
    if (st)
        return st;
    if (csv->nrows < 2)
        return at_error_set(AT_ERR_FORMAT, "no data rows to train on (the header only)");
    /* the labels, and what cross-validation needs, before any work */
    size_t pos = 0, n = csv->nrows - 1;
    for (size_t i = 0; i < n; i++) {
        const char *lab = csv->cells[(i + 1) * csv->ncols + (size_t)cl];
        if (strcmp(lab, "0") && strcmp(lab, "1"))
            return at_error_set(AT_ERR_FORMAT, "line %zu: label is not 0 or 1", csv->line[i + 1]);
        if (!csv->cells[(i + 1) * csv->ncols + (size_t)cp][0])
            return at_error_set(AT_ERR_FORMAT, "line %zu: empty patient_id", csv->line[i + 1]);
        if (!csv->cells[(i + 1) * csv->ncols + (size_t)ct][0])
            return at_error_set(AT_ERR_FORMAT, "line %zu: empty text", csv->line[i + 1]);
        pos += lab[0] == '1';
    }
    if (pos == 0 || pos == n)
        return at_error_set(AT_ERR_FORMAT,
                            "all %zu rows have label %d: training needs rows with both labels (0 and 1)", n,
                            pos ? 1 : 0);
    at_risk_model *m = NULL;
    st = model_alloc(&m);
    if (st)
        return st;
    risk_data d;
    memset(&d, 0, sizeof d);
    d.n = csv->nrows - 1;
    d.x = at_calloc(d.n, sizeof *d.x);
    d.y = at_calloc(d.n, sizeof *d.y);
    d.fold_key = at_calloc(d.n, sizeof *d.fold_key);
    size_t *rn = at_calloc(d.n, sizeof *rn); /* distinct terms of each row */
    uint32_t *df = at_calloc(RISK_H, sizeof *df);
    if (!d.x || !d.y || !d.fold_key || !rn || !df)
        st = AT_ERR_NOMEM;
    /* counts, structured features and document frequencies, in one pass */
    double *sf = at_calloc(d.n ? d.n * RISK_S : 1, sizeof *sf);
    uint32_t *map = NULL; /* the compact columns, in df's storage once the idf is known */
    if (!st && !sf)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; i < d.n && !st; i++) {
        const char *lab = csv->cells[(i + 1) * csv->ncols + (size_t)cl];
        if (strcmp(lab, "0") && strcmp(lab, "1")) {
            st = at_error_set(AT_ERR_FORMAT, "line %zu: label is not 0 or 1", csv->line[i + 1]);
            break;
        }
        d.y[i] = lab[0] == '1';
    }
    /* Each row's hashed terms and structured features are independent.
     * The rows are cut into parts of about equal text, handed to the
     * threads as each becomes free (the cores of a virtual machine do not
     * run at one speed). Each thread keeps its own document frequencies, a
     * block of row storage and a bit per bucket it has seen; each part
     * lists the buckets its thread saw first there, with their text. A
     * thread takes parts in file order, so the first occurrence of a bucket
     * in the file is listed by its own part: merged in part order, the
     * terms are those one thread would keep, whatever the thread count or
     * the timing. The first failing row in file order is reported. */
    /* the thread budget: opt->threads (the run's), <= 0 OpenMP's default */
    int nthreads = 1;
#ifdef _OPENMP
    nthreads = opt && opt->threads > 0 ? opt->threads : omp_get_max_threads();
    nthreads = nthreads < 1 ? 1 : nthreads > 64 ? 64 : nthreads;
#endif
    const size_t nparts = nthreads == 1 ? 1 : d.n < (size_t)nthreads * 8 ? d.n : (size_t)nthreads * 8;
    risk_terms tt[64], *parts = st ? NULL : at_calloc(nparts, sizeof *parts);
    uint32_t *tdf[64];
    memset(tt, 0, sizeof tt);
    memset(tdf, 0, sizeof tdf);
    if (!st && !parts)
        st = AT_ERR_NOMEM;
    for (int t = 0; t < nthreads && !st; t++) {
        tt[t].seen = at_calloc(RISK_H / 64, sizeof *tt[t].seen);
        tdf[t] = t ? at_calloc(RISK_H, sizeof *tdf[t]) : df;
        if (!tt[t].seen || !tdf[t])
            st = AT_ERR_NOMEM;
    }
    risk_chunk *tch[64];
    memset(tch, 0, sizeof tch);
    size_t *pre = st ? NULL : at_malloc((d.n + 1) * sizeof *pre); /* bytes of text before each row */
    if (!st && !pre)
        st = AT_ERR_NOMEM;
    for (size_t i = 0; i < d.n && pre; i++)
        pre[i + 1] = (i ? pre[i] : (pre[0] = 0)) + strlen(csv->cells[(i + 1) * csv->ncols + (size_t)ct]) + 1;
    if (!st) {
        size_t bad = d.n;
        at_status bad_st = AT_OK;
        char bad_msg[256] = "";
        const int sorted = opt && opt->use_xgboost; /* boosting's rows by column; liblinear takes any order */
        size_t parts_done = 0;
        at_run_progress(run, "features", 0, nparts);
#pragma omp parallel num_threads(nthreads) if (nthreads > 1)
        {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            risk_vec v = {0};
            risk_terms *T = &tt[tid];
#pragma omp for schedule(dynamic, 1)
            for (size_t p = 0; p < nparts; p++) {
                if (at_run_cancelled(run)) /* the parts left are skipped */
                    continue;
                size_t lo = row_at(pre, d.n, pre[d.n] / nparts * p),
                       hi = p + 1 == nparts ? d.n : row_at(pre, d.n, pre[d.n] / nparts * (p + 1));
                for (size_t i = lo; i < hi; i++) {
                    const char *text = csv->cells[(i + 1) * csv->ncols + (size_t)ct];
                    at_status rst =
                        risk_note(m->x, text, pre[i + 1] - pre[i] - 1, &v, T, sorted, sf + i * RISK_S);
                    struct feature_node *x = NULL;
                    if (!rst && !(x = chunk_take(&tch[tid], v.n + RISK_S + 2)))
                        rst = AT_ERR_NOMEM;
                    if (rst) { /* this part's first failure */
#pragma omp critical(risk_row_error)
                        if (i < bad) {
                            bad = i;
                            bad_st = rst;
                            snprintf(bad_msg, sizeof bad_msg, "%s", at_error_message());
                        }
                        break;
                    }
                    for (size_t j = 0; j < v.n; j++) {
                        x[j].index = (int)v.v[j].idx + 1;
                        x[j].value = v.v[j].val;
                        tdf[tid][v.v[j].idx]++; /* the indices of a note are distinct */
                    }
                    d.x[i] = x;
                    rn[i] = v.n;
                }
                parts[p] = *T; /* this part's list; the thread's bits go on */
                parts[p].seen = NULL;
                T->list = NULL;
                T->n = T->cap = 0;
#pragma omp critical(risk_progress)
                at_run_progress(run, "features", ++parts_done, nparts);
            }
            risk_vec_free(&v);
        }
        if (bad < d.n)
            st = at_error_set(bad_st, "line %zu: %s", csv->line[bad + 1], bad_msg);
        if (!st)
            st = at_run_check(run, "risk train");
    }
    for (size_t p = 0; parts && p < nparts; p++) {
        for (size_t k = 0; k < parts[p].n; k++) {
            char **slot = &m->terms[parts[p].list[k].idx];
            if (!*slot)
                *slot = parts[p].list[k].s;
            else
                at_free(parts[p].list[k].s);
        }
        at_free(parts[p].list);
    }
    at_free(parts);
    for (int t = 0; t < nthreads; t++)
        while (tch[t]) {
            risk_chunk *c = tch[t];
            tch[t] = c->next;
            c->next = d.chunks;
            d.chunks = c;
        }
    for (int t = 1; t < nthreads; t++) {
        for (size_t j = 0; tdf[t] && j < RISK_H; j++)
            df[j] += tdf[t][j];
        at_free(tdf[t]);
    }
    for (int t = 0; t < nthreads; t++)
        at_free(tt[t].seen);
    if (!st) {
        int used = 0;
        const double log_n1 = log(1.0 + (double)d.n);
        const float idf0 = (float)(log_n1 + 1.0); /* a bucket no document has */
        const uint32_t max_df = (uint32_t)(RISK_MAX_DF * (double)d.n);
        /* most buckets have small document frequencies: their logs once each */
        enum { SMALL_DF = 1024 };
        float small_idf[SMALL_DF];
        for (int k = 0; k < SMALL_DF; k++)
            small_idf[k] = -1.0f;
        for (size_t j = 0; j < RISK_H; j++) {
            uint32_t f = df[j];
            if (f && f < SMALL_DF && small_idf[f] < 0)
                small_idf[f] = (float)(log_n1 - log(1.0 + f) + 1.0);
            m->idf[j] = !f ? idf0 : f < SMALL_DF ? small_idf[f] : (float)(log_n1 - log(1.0 + f) + 1.0);
            /* a term of one document cannot generalise, a term of nearly
             * all is a stop word: neither gets a column (both still count
             * in each row's norm, as at scoring) */
            df[j] = f >= 2 && f <= max_df ? (uint32_t)++used : 0;
        }
        map = df;
        df = NULL;
        d.nfeat = used + RISK_S;
        double tf[64];
        for (int k = 1; k < 64; k++)
            tf[k] = risk_sublinear_tf((float)k);
        tf[0] = 0;
#pragma omp parallel for schedule(static) num_threads(nthreads) if (nthreads > 1)
        for (size_t i = 0; i < d.n; i++)
            finish_row(d.x[i], rn[i], m->idf, map, tf, sf + i * RISK_S, d.nfeat);
    }
    liblinear_quiet();
    double C = opt && opt->C > 0 ? opt->C : 0;
    int l1 = opt ? opt->l1 : 0;
    int xgb = opt && opt->use_xgboost;
    uint32_t *pcount = st ? NULL : at_calloc((size_t)d.nfeat + 1, sizeof *pcount);
    if (!st && !pcount)
        st = AT_ERR_NOMEM;
    if (!st && xgb) {
        m->ncol = d.nfeat;
        m->colmap = map;
        map = NULL;
        st = risk_xgb_train(d.x, d.y, d.n, d.nfeat, nthreads, run, &m->xgb, &m->xgb_len);
        if (!st)
            st = patient_counts(csv, cp, &d, pcount);
        if (!st)
            drop_private_terms(m, m->colmap, pcount);
    }
    if (!st && !xgb && C <= 0) {
        /* patient-level cross-validation over a grid of C, by AUROC; the
         * grid x fold fits are independent and run in parallel (OpenMP) */
        static const double grid[] = {0.3, 1, 3, 10, 30};
        enum { NG = sizeof grid / sizeof *grid };
        int folds = opt && opt->folds >= 2 ? opt->folds : 5;
        if (folds > 20)
            folds = 20;
        double *p = at_malloc(NG * d.n * sizeof *p);
        int *y = at_malloc(d.n * sizeof *y);
        const char **ids = at_malloc(d.n * sizeof *ids);
        at_status tst[NG * 20];
        char tmsg[NG * 20][160];
        if (!p || !y || !ids)
            st = AT_ERR_NOMEM;
        /* whole patients in each fold, the folds balanced; every fold's
         * training part must hold both labels */
        size_t np = 0;
        for (size_t i = 0; i < d.n && !st; i++)
            ids[i] = csv->cells[(i + 1) * csv->ncols + (size_t)cp];
        if (!st)
            st = risk_cv_folds(ids, d.n, folds, d.fold_key, &np);
        if (!st && np < (size_t)folds)
            st = at_error_set(
                AT_ERR_FORMAT,
                "%zu patients: %d-fold cross-validation needs at least %d (give --C to skip it, or fewer "
                "--folds)",
                np, folds, folds);
        for (int f = 0; f < folds && !st; f++) {
            size_t fp = 0, fnn = 0;
            for (size_t i = 0; i < d.n; i++)
                if (d.fold_key[i] != (uint32_t)f) {
                    fp += d.y[i] > 0.5;
                    fnn += d.y[i] <= 0.5;
                }
            if (!fp || !fnn)
                st = at_error_set(
                    AT_ERR_FORMAT,
                    "cross-validation fold %d: its training patients all have label %d: too few "
                    "patients with label %d for %d folds (give --C to skip it, or fewer --folds)",
                    f + 1, fp ? 1 : 0, fp ? 0 : 1, folds);
        }
        at_free(ids);
        if (!st) {
            liblinear_quiet();
            int ntask = NG * folds;
            int tasks_done = 0;
            at_run_progress(run, "cross-validation", 0, (uint64_t)ntask);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads) if (nthreads > 1)
            for (int task = 0; task < ntask; task++) {
                int g = task / folds, f = task % folds;
                if (at_run_cancelled(run)) { /* the tasks left are skipped */
                    tst[task] = AT_OK;
                    continue;
                }
                double *w = at_malloc((size_t)d.nfeat * sizeof *w);
                unsigned char *use = at_malloc(d.n);
                double b = 0;
                tst[task] = w && use ? AT_OK : AT_ERR_NOMEM;
                for (size_t i = 0; i < d.n && use; i++)
                    use[i] = d.fold_key[i] % (uint32_t)folds != (uint32_t)f;
                if (!tst[task])
                    tst[task] = fit(&d, use, grid[g], l1, w, &b);
                /* the message lives in this thread: keep it for the caller */
                tmsg[task][0] = 0;
                if (tst[task])
                    snprintf(tmsg[task], sizeof tmsg[task], "%s", at_error_message());
                for (size_t i = 0; i < d.n && !tst[task]; i++)
                    if (!use[i])
                        p[(size_t)g * d.n + i] = score_row(d.x[i], w, d.nfeat, b);
                at_free(w);
                at_free(use);
#pragma omp critical(risk_progress)
                at_run_progress(run, "cross-validation", (uint64_t)++tasks_done, (uint64_t)ntask);
            }
            for (int task = 0; task < ntask && !st; task++)
                if ((st = tst[task]))
                    at_error_set(st, "cross-validation fold %d, C=%g: %s", task % folds + 1,
                                 grid[task / folds], tmsg[task][0] ? tmsg[task] : at_status_name(st));
            if (!st)
                st = at_run_check(run, "risk train");
        }
        double best = -1;
        for (size_t i = 0; i < d.n && !st; i++)
            y[i] = d.y[i] > 0.5;
        for (int g = 0; g < NG && !st; g++) {
            at_risk_metrics mt;
            st = at_risk_metrics_compute(p + (size_t)g * d.n, y, d.n, 0, 1, &mt);
            if (!st && mt.auroc > best + 1e-9) {
                best = mt.auroc;
                C = grid[g];
            }
        }
        at_free(p);
        at_free(y);
    }
    if (!st && !xgb) {
        m->C = C;
        m->l1 = l1;
        double *w = at_malloc((size_t)d.nfeat * sizeof *w);
        /* liblinear's coordinate descent visits the rows in an order drawn
         * from rand(), here the fitting thread's own generator seeded by
         * fit(): each fit, cross-validation's included, is the same for
         * the same data whatever the thread count */
        at_status fst = w ? AT_OK : AT_ERR_NOMEM, pst = AT_OK;
        at_run_progress(run, "fit", 0, 1);
        char fmsg[256] = ""; /* the message lives in the thread that failed */
                             /* the patients of each term counted on the other core meanwhile */
#pragma omp parallel sections num_threads(2) if (nthreads > 1)
        {
#pragma omp section
            {
                if (!fst && (fst = fit(&d, NULL, C, l1, w, &m->bias)))
                    snprintf(fmsg, sizeof fmsg, "%s", at_error_message());
            }
#pragma omp section
            pst = patient_counts(csv, cp, &d, pcount);
        }
        st = fst ? at_error_set(fst, "%s", fmsg[0] ? fmsg : at_status_name(fst)) : pst;
        if (!st)
            at_run_progress(run, "fit", 1, 1);
        if (!st)
            drop_private_terms(m, map, pcount);
        for (size_t j = 0; j < RISK_H && !st; j++)
            m->w[j] = map[j] ? w[map[j] - 1] : 0;
        for (int q = 0; q < RISK_S && !st; q++)
            m->w[RISK_H + (size_t)q] = w[d.nfeat - RISK_S + q];
        at_free(w);
    }
    /* keep only the terms of the strongest positive weights, for reasons
     * (boosting keeps every term: its contributions are per prediction) */
    if (!st && !xgb) {
        double *aw = at_malloc(RISK_H * sizeof *aw);
        if (!aw) {
            st = AT_ERR_NOMEM;
        } else {
            size_t k = 0;
            for (size_t j = 0; j < RISK_H; j++)
                if (m->terms[j] && m->w[j] > 0)
                    aw[k++] = m->w[j];
            double cut = 0;
            if (k > RISK_TERMS_KEPT) {
                qsort(aw, k, sizeof *aw, cmp_desc);
                cut = aw[RISK_TERMS_KEPT];
            }
            for (size_t j = 0; j < RISK_H; j++)
                if (m->terms[j] && !(m->w[j] > cut)) {
                    at_free(m->terms[j]);
                    m->terms[j] = NULL;
                }
            at_free(aw);
        }
    }
    at_free(rn);
    at_free(pcount);
    at_free(pre);
    at_free(df);
    at_free(sf);
    at_free(map);
    data_free(&d);
    if (st) {
        at_risk_free(m);
        return st;
    }
    *out = m;
    return AT_OK;
}
