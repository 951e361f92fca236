/* Training the learned second look (deid_extend.c): the samples the
 * detector offers on the annotated notes as the rules and the tagger leave
 * them (teacher forcing), an averaged perceptron of three members over
 * them, and each part's bias chosen in turn on the notes kept aside. */
#include "tagger.h"

#include <string.h>

#define EXT_EPOCHS 8

/* *bias (one of m's) set to the point of the grid that gains most on dev. */
static at_status choose_bias(const at_text_deid *p, float *bias, const char *what, const at_text_doc *dev,
                             size_t ndev, at_buf *report)
{
    static const float grid[] = {EXT_OFF, 16, 8, 4, 2, 1, 0.5f, 0, -0.5f, -1, -2, -4};
    double tp0 = 0, fp0 = 0, lost0 = 0, gbest = 0;
    float bbest = grid[0];
    at_status st = AT_OK;
    for (size_t g = 0; g < sizeof grid / sizeof *grid && !st; g++) {
        *bias = grid[g];
        double tp, fp, fn, lost;
        st = text_dev_counts(p, dev, ndev, &tp, &fp, &fn, &lost);
        if (!g) {
            tp0 = tp;
            fp0 = fp;
            lost0 = lost;
        }
        double gain = (tp - tp0) - 0.5 * (fp - fp0) - 4 * (lost - lost0);
        if (!st && report && g)
            st = at_buf_printf(report,
                               "dev: %s, bias %.1f: %+.0f tokens found, %+.0f false, %+.0f strings lost\n",
                               what, grid[g], tp - tp0, fp - fp0, lost - lost0);
        if (gain > gbest + 2) {
            gbest = gain;
            bbest = grid[g];
        }
    }
    *bias = bbest;
    return st;
}

at_status text_ext_train(const at_text_deid *d, text_tagger *m, const at_text_doc *docs, size_t n,
                         const at_text_doc *dev, size_t ndev, uint64_t seed, const float *fixed,
                         at_buf *report, at_run *run)
{
    at_free(m->ext_w);
    m->ext_w = NULL;
    m->ext_bits = 0;
    m->ext_bias = m->seed_bias = m->init_bias = 0;
    text_ext_collect col;
    memset(&col, 0, sizeof col);
    at_text_deid probe = *d; /* shallow: nothing of it is freed */
    probe.tagger = m;
    probe.look_gen = deid_look_gen_next(); /* m's learned words: the look-up cache emptied */
    probe.ext_collect = &col;
    at_status st = AT_OK;
    size_t annotated = 0;
    for (size_t k = 0; k < n && !st && !col.st; k++) {
        if (docs[k].kind != -1)
            continue;
        annotated++;
        at_text_spans out;
        memset(&out, 0, sizeof out);
        col.doc = &docs[k];
        st = at_text_deid_detect(&probe, docs[k].text, docs[k].len, &out);
        at_free(out.v);
    }
    if (!st)
        st = col.st;
    float *w = NULL;
    double *u = NULL, *wsum = NULL;
    uint32_t *order = NULL;
    size_t rows = (size_t)1 << EXT_DEFAULT_BITS;
    size_t pos = 0;
    for (size_t q = 0; q < col.n; q++)
        pos += col.y[q] > 0;
    /* nothing to learn when no token beside an entity or number alone is
     * in a gold span (a few notes): no extension, rather than weights of
     * zero that would take nothing */
    if (!st && annotated && pos) {
        w = at_calloc(rows, sizeof *w);
        u = at_calloc(rows, sizeof *u);
        wsum = at_calloc(rows, sizeof *wsum);
        order = at_malloc(col.n * sizeof *order);
        if (!w || !u || !wsum || !order)
            st = AT_ERR_NOMEM;
    }
    /* an averaged perceptron, as the tagger's members: each visits the
     * samples in its own seeded order, their averages averaged */
    uint32_t mask = (uint32_t)rows - 1;
    for (unsigned member = 0; member < 3 && w && !st; member++) {
        memset(w, 0, rows * sizeof *w);
        memset(u, 0, rows * sizeof *u);
        double c = 1;
        at_rng rng;
        at_rng_seed(&rng, seed ^ 0xE7E7u ^ member * 0x9E3779B97F4A7C15ull);
        for (unsigned ep = 0; ep < EXT_EPOCHS && !st && !(st = at_run_check(run, "text deid-model train"));
             ep++) {
            text_shuffled_order(order, col.n, &rng);
            for (size_t q = 0; q < col.n; q++, c++) {
                size_t k = order[q];
                const uint32_t *f = col.feat + k * EXT_MAX_FEATS;
                float v = 0;
                for (size_t i = 0; i < col.nf[k]; i++)
                    v += w[f[i] & mask];
                int y = col.y[k];
                if ((v > 0 ? 1 : -1) != y) {
                    float step = (float)(y * col.wt[k]);
                    for (size_t i = 0; i < col.nf[k]; i++) {
                        w[f[i] & mask] += step;
                        u[f[i] & mask] += c * step;
                    }
                }
            }
        }
        for (size_t r = 0; r < rows; r++)
            wsum[r] += w[r] - u[r] / c;
    }
    if (w && !st) {
        for (size_t r = 0; r < rows; r++)
            w[r] = (float)(wsum[r] / 3);
        m->ext_w = w;
        m->ext_bits = EXT_DEFAULT_BITS;
        w = NULL;
    }
    /* the biases: the numbers alone first (the extension off), then the
     * extension (the numbers at theirs); each the grid's point that gains
     * most on dev, a token found against two false and a string lost
     * against four found; off when none gains */
    if (m->ext_w && !st && ndev) {
        at_text_deid p2 = *d;
        p2.tagger = m;
        p2.ext_collect = NULL;
        p2.look_gen = probe.look_gen;
        m->ext_bias = m->init_bias = EXT_OFF;
        st = choose_bias(&p2, &m->seed_bias, "numbers alone", dev, ndev, report);
        if (!st)
            st = choose_bias(&p2, &m->init_bias, "initials alone", dev, ndev, report);
        if (!st)
            st = choose_bias(&p2, &m->ext_bias, "extension", dev, ndev, report);
        if (!st && m->seed_bias >= EXT_OFF && m->init_bias >= EXT_OFF && m->ext_bias >= EXT_OFF) {
            at_free(m->ext_w);
            m->ext_w = NULL;
            m->ext_bits = 0;
            m->ext_bias = m->seed_bias = m->init_bias = 0;
        }
    } else if (m->ext_w && !st && fixed) {
        /* (a refit: the biases chosen on dev by the training before) */
        m->seed_bias = fixed[0];
        m->init_bias = fixed[1];
        m->ext_bias = fixed[2];
        if (m->seed_bias >= EXT_OFF && m->init_bias >= EXT_OFF && m->ext_bias >= EXT_OFF) {
            at_free(m->ext_w);
            m->ext_w = NULL;
            m->ext_bits = 0;
            m->ext_bias = m->seed_bias = m->init_bias = 0;
        }
    }
    if (!st && report)
        st = at_buf_printf(report, "extension: %zu samples (%zu in) from %zu annotated documents, %s\n",
                           col.n, pos, annotated,
                           !m->ext_w                 ? "off"
                           : m->seed_bias >= EXT_OFF ? "numbers alone off"
                           : m->init_bias >= EXT_OFF ? "initials alone off"
                           : m->ext_bias >= EXT_OFF  ? "extension off"
                                                     : "all on");
    at_free(w);
    at_free(u);
    at_free(wsum);
    at_free(order);
    at_free(col.feat);
    at_free(col.nf);
    at_free(col.y);
    at_free(col.wt);
    return st;
}
