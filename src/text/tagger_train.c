/* Training the tagger: an averaged structured perceptron (Collins 2002)
 * over the runs of candidate tokens of annotated documents, features
 * computed once (they depend on the rules and lexicons, not on the
 * weights), runs visited in a seeded order, then the operating point (the
 * bias of the O tag) chosen on development documents by the F-beta of the
 * whole detector's token-level redaction, recall weighted. One thread, so
 * the same inputs give the same model bytes. */
#include "tagger.h"

#include "lexicon.h"

#include "atelier/text_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEG_MAX 16
#define TAG_MEMBERS 5 /* perceptrons averaged */

typedef struct {
    uint32_t *feat; /* all features, TAG_MAX_FEATS per candidate token */
    uint8_t *nf;    /* feature count per candidate token */
    uint8_t *gold;  /* gold tag per candidate token */
    uint32_t *seg;  /* start of each run (index into the candidate tokens) */
    uint8_t *seglen;
    size_t ntok, cap, nseg, segcap;
} train_set;

static void set_free(train_set *t)
{
    at_free(t->feat);
    at_free(t->nf);
    at_free(t->gold);
    at_free(t->seg);
    at_free(t->seglen);
    memset(t, 0, sizeof *t);
}

static at_status set_reserve(train_set *t, size_t more_tok, size_t more_seg)
{
    if (t->ntok + more_tok > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->ntok + more_tok)
            cap *= 2;
        uint32_t *f = at_realloc(t->feat, cap * TAG_MAX_FEATS * sizeof *f);
        if (!f)
            return AT_ERR_NOMEM;
        t->feat = f;
        uint8_t *nf = at_realloc(t->nf, cap);
        if (!nf)
            return AT_ERR_NOMEM;
        t->nf = nf;
        uint8_t *g = at_realloc(t->gold, cap);
        if (!g)
            return AT_ERR_NOMEM;
        t->gold = g;
        t->cap = cap;
    }
    if (t->nseg + more_seg > t->segcap) {
        size_t cap = t->segcap ? t->segcap : 1024;
        while (cap < t->nseg + more_seg)
            cap *= 2;
        uint32_t *s = at_realloc(t->seg, cap * sizeof *s);
        if (!s)
            return AT_ERR_NOMEM;
        t->seg = s;
        uint8_t *l = at_realloc(t->seglen, cap);
        if (!l)
            return AT_ERR_NOMEM;
        t->seglen = l;
        t->segcap = cap;
    }
    return AT_OK;
}

/* The gold tag of each token of s from doc's spans. */
static void gold_tags(const text_scan *s, const at_text_doc *doc, uint8_t *tags)
{
    size_t g = 0;
    for (size_t i = 0; i < s->n; i++) {
        tags[i] = TAG_O;
        while (g < doc->gold.n && doc->gold.v[g].start + doc->gold.v[g].len <= s->tok[i].s)
            g++;
        for (size_t h = g; h < doc->gold.n && doc->gold.v[h].start < s->tok[i].e; h++)
            if (doc->gold.v[h].start + doc->gold.v[h].len > s->tok[i].s) {
                tags[i] = (uint8_t)tag_of_label(doc->gold.v[h].label);
                break;
            }
    }
}

/* Words, owned (the learned safe words and the identifiers' words). */
typedef struct {
    char **v;
    size_t n, cap;
} word_list;

static void words_free(word_list *w)
{
    for (size_t i = 0; i < w->n; i++)
        at_free(w->v[i]);
    at_free(w->v);
    memset(w, 0, sizeof *w);
}

static at_status words_add(word_list *w, const char *f, size_t n)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        char **v = at_realloc(w->v, cap * sizeof *v);
        if (!v)
            return AT_ERR_NOMEM;
        w->v = v;
        w->cap = cap;
    }
    char *c = at_malloc(n + 1);
    if (!c)
        return AT_ERR_NOMEM;
    memcpy(c, f, n);
    c[n] = 0;
    w->v[w->n++] = c;
    return AT_OK;
}

int text_spans_overlap(const at_text_spans *sp, size_t a, size_t b)
{
    for (size_t h = 0; h < sp->n; h++)
        if (sp->v[h].start < b && sp->v[h].start + sp->v[h].len > a)
            return 1;
    return 0;
}

/* The words of an annotated note's strings to keep (KEEP) that the
 * lexicons know neither as words of the language nor as medical words
 * (letters only, four bytes or more) into keep; the words of its
 * identifiers into ids (a word named both ways is no safe word). */
static at_status learn_words(const text_scan *s, const at_text_doc *doc, word_list *keep, word_list *ids)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < s->n && !st; i++) {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || k->e - k->s < 4 || k->e - k->s > LEX_MAX_WORD)
            continue;
        int digit = 0;
        for (size_t j = k->s; j < k->e; j++)
            digit |= s->t[j] >= '0' && s->t[j] <= '9';
        char f[LEX_MAX_WORD + 16];
        int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f);
        if (digit || fl < 4 || fl > LEX_MAX_WORD)
            continue;
        if (text_spans_overlap(&doc->gold, k->s, k->e))
            st = words_add(ids, f, (size_t)fl);
        else if (!(k->lex & (LEX_WORD | LEX_MED)) && text_spans_overlap(&doc->eponyms, k->s, k->e))
            st = words_add(keep, f, (size_t)fl);
    }
    return st;
}

static int cmp_word(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The vocabulary of notes docs into m (text_tagger.voc_h, voc_n): the
 * folded hashes of the words of each note outside its identifiers, each
 * counted once a note; each note's own, sorted, into self[k] (nself[k]),
 * which its features leave out (a word is never new to the note that
 * trains on it, as it is to the notes the model meets). */
static at_status vocab_count(const at_text_deid *d, const at_text_doc *docs, size_t n, text_tagger *m,
                             uint32_t **self, size_t *nself)
{
    uint32_t *all = NULL;
    size_t nall = 0, cap = 0;
    at_status st = AT_OK;
    for (size_t k = 0; k < n && !st; k++) {
        text_scan s;
        text_names names;
        if ((st = deid_scan_rules(d, docs[k].text, docs[k].len, &s, &names)))
            break;
        uint32_t *w = at_malloc((s.n ? s.n : 1) * sizeof *w);
        size_t nw = 0;
        if (!w)
            st = AT_ERR_NOMEM;
        for (size_t i = 0; i < s.n && !st; i++)
            if (s.tok[i].kind == TOK_WORD && s.tok[i].fh &&
                !text_spans_overlap(&docs[k].gold, s.tok[i].s, s.tok[i].e))
                w[nw++] = s.tok[i].fh;
        deid_scan_free(&s);
        if (st)
            break;
        qsort(w, nw, sizeof *w, cmp_u32);
        size_t u = 0;
        for (size_t i = 0; i < nw; i++)
            if (!u || w[i] != w[u - 1])
                w[u++] = w[i];
        self[k] = w;
        nself[k] = u;
        if (nall + u > cap) {
            size_t nc = cap ? cap * 2 : 65536;
            while (nc < nall + u)
                nc *= 2;
            uint32_t *a = at_realloc(all, nc * sizeof *a);
            if (!a) {
                st = AT_ERR_NOMEM;
                break;
            }
            all = a;
            cap = nc;
        }
        memcpy(all + nall, w, u * sizeof *w);
        nall += u;
    }
    if (!st) {
        qsort(all, nall, sizeof *all, cmp_u32);
        size_t words = 0;
        for (size_t i = 0; i < nall; i++)
            words += !i || all[i] != all[i - 1];
        m->voc_h = at_malloc((words ? words : 1) * sizeof *m->voc_h);
        m->voc_n = at_malloc(words ? words : 1);
        if (!m->voc_h || !m->voc_n)
            st = AT_ERR_NOMEM;
        for (size_t i = 0, v = 0; i < nall && !st; v++) {
            size_t j = i;
            while (j < nall && all[j] == all[i])
                j++;
            m->voc_h[v] = all[i];
            m->voc_n[v] = (uint8_t)(j - i > 255 ? 255 : j - i);
            i = j;
        }
        if (!st)
            m->nvoc = (uint32_t)words;
    }
    at_free(all);
    return st;
}

static at_status add_doc(train_set *t, const at_text_deid *d, const at_text_doc *doc, word_list *keep,
                         word_list *ids, const text_tagger *voc, const uint32_t *self, size_t nself)
{
    text_scan s;
    text_names names;
    tag_doc c;
    memset(&c, 0, sizeof c);
    c.voc = voc;
    c.self = self;
    c.nself = nself;
    at_status st = deid_scan_rules(d, doc->text, doc->len, &s, &names);
    if (!st)
        st = tag_doc_init(&s, &c, 1);
    uint8_t *tags = st ? NULL : at_malloc(s.n ? s.n : 1);
    if (!st && !tags)
        st = AT_ERR_NOMEM;
    if (!st)
        gold_tags(&s, doc, tags);
    if (!st && doc->kind == -1) /* an annotated note (at_text_brat_load) */
        st = learn_words(&s, doc, keep, ids);
    for (size_t i = 0; i < s.n && !st;) {
        if (!c.cand[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < s.n && c.cand[j] && j - i < SEG_MAX)
            j++;
        st = set_reserve(t, j - i, 1);
        if (st)
            break;
        t->seg[t->nseg] = (uint32_t)t->ntok;
        t->seglen[t->nseg++] = (uint8_t)(j - i);
        for (size_t q = i; q < j; q++) {
            t->nf[t->ntok] = (uint8_t)tag_features(&s, &c, q, t->feat + t->ntok * TAG_MAX_FEATS);
            t->gold[t->ntok++] = tags[q];
        }
        i = j;
    }
    at_free(tags);
    tag_doc_free(&c);
    deid_scan_free(&s);
    return st;
}

void text_shuffled_order(uint32_t *order, size_t n, at_rng *rng)
{
    for (size_t k = 0; k < n; k++)
        order[k] = (uint32_t)k;
    for (size_t k = n; k > 1; k--) {
        size_t r = (size_t)(at_rng_next(rng) % k);
        uint32_t x = order[k - 1];
        order[k - 1] = order[r];
        order[r] = x;
    }
}

at_status text_dev_counts(const at_text_deid *d, const at_text_doc *docs, size_t n, double *tp, double *fp,
                          double *fn, double *lost)
{
    at_text_deid_eval ev;
    memset(&ev, 0, sizeof ev);
    at_status st = at_text_deid_evaluate(d, docs, n, &ev);
    *tp = ev.red_tp;
    *fp = ev.red_fp;
    *fn = ev.red_fn;
    if (lost)
        *lost = (double)ev.eponym_fp;
    return st;
}

at_status at_text_tagger_train(const at_text_deid *d, const at_text_doc *docs, size_t n,
                               const at_text_doc *dev, size_t ndev, const at_text_tagger_options *opt,
                               const char *out_path, at_buf *report)
{
    return text_tagger_train(d, docs, n, dev, ndev, opt, out_path, NULL, report, NULL);
}

at_status text_tagger_train(const at_text_deid *d, const at_text_doc *docs, size_t n, const at_text_doc *dev,
                            size_t ndev, const at_text_tagger_options *opt, const char *out_path,
                            float biases[4], at_buf *report, at_run *run)
{
    if (!run)
        run = at_run_default();
    at_text_tagger_options o = {1, 8, TAG_DEFAULT_BITS, 0, NULL, 0, 0, 0, 0, 0, NULL};
    if (opt) {
        o = *opt;
        if (!o.epochs)
            o.epochs = 8;
        if (!o.bits)
            o.bits = TAG_DEFAULT_BITS;
        if (o.recall_weight < 0)
            o.recall_weight = 0;
    }
    const char *phase = o.phase ? o.phase : "train";
    if (o.epochs > 100)
        return at_error_set(AT_ERR_ARG, "text tagger: %u epochs (at most 100)", o.epochs);
    train_set t;
    memset(&t, 0, sizeof t);
    text_tagger *m = NULL, *init = NULL;
    double *u = NULL;
    uint32_t *order = NULL;
    at_status st = AT_OK;
    if (o.init) {
        st = text_tagger_load(o.init, &init);
        if (!st)
            o.bits = init->bits;
    }
    if (!st)
        st = text_tagger_new(o.bits, &m);
    word_list keep, ids;
    memset(&keep, 0, sizeof keep);
    memset(&ids, 0, sizeof ids);
    uint32_t **self = st ? NULL : at_calloc(n ? n : 1, sizeof *self);
    size_t *nself = st ? NULL : at_calloc(n ? n : 1, sizeof *nself);
    if (!st && (!self || !nself))
        st = AT_ERR_NOMEM;
    if (!st)
        st = vocab_count(d, docs, n, m, self, nself);
    for (size_t k = 0; k < n && !st; k++)
        st = add_doc(&t, d, &docs[k], &keep, &ids, m, self[k], nself[k]);
    for (size_t k = 0; self && k < n; k++)
        at_free(self[k]);
    at_free(self);
    at_free(nself);
    /* the learned safe words: those of no identifier (and a fine-tuned
     * model's own) */
    if (!st && init) {
        const char *w = init->keep;
        for (uint32_t k = 0; k < init->nkeep && !st; k++, w += strlen(w) + 1)
            st = words_add(&keep, w, strlen(w));
    }
    if (!st && keep.n) {
        qsort(ids.v, ids.n, sizeof *ids.v, cmp_word);
        size_t w = 0;
        for (size_t k = 0; k < keep.n; k++) {
            if (ids.n && bsearch(&keep.v[k], ids.v, ids.n, sizeof *ids.v, cmp_word)) {
                at_free(keep.v[k]);
                continue;
            }
            keep.v[w++] = keep.v[k];
        }
        keep.n = w;
        st = text_tagger_set_keep(m, keep.v, keep.n);
    }
    words_free(&keep);
    words_free(&ids);
    size_t rows = (size_t)1 << o.bits;
    if (!st) {
        u = at_calloc(rows * TAG_W, sizeof *u);
        order = at_malloc((t.nseg ? t.nseg : 1) * sizeof *order);
        if (!u || !order)
            st = AT_ERR_NOMEM;
    }
    /* TAG_MEMBERS perceptrons, each visiting the runs in its own seeded
     * order, averaged: one perceptron's weights move with the order of
     * its updates (cross-validated, about 0.1% of the tokens either way
     * from one seed to the next); their mean does not */
    double tu[TAG_COUNT + 1][TAG_COUNT], tsum[TAG_COUNT + 1][TAG_COUNT];
    memset(tsum, 0, sizeof tsum);
    double *wsum = NULL;
    if (!st && !(wsum = at_calloc(rows * TAG_W, sizeof *wsum)))
        st = AT_ERR_NOMEM;
    uint32_t mask = (uint32_t)rows - 1;
    size_t errors_last = 0;
    unsigned steps = o.epochs * TAG_MEMBERS + 1, step = 0;
    if (!st)
        at_run_progress(run, phase, 0, steps);
    for (unsigned member = 0; member < TAG_MEMBERS && !st; member++) {
        memset(tu, 0, sizeof tu);
        memset(u, 0, rows * TAG_W * sizeof *u);
        if (init) {
            memcpy(m->w, init->w, rows * TAG_W * sizeof *m->w);
            memcpy(m->trans, init->trans, sizeof m->trans);
        } else {
            memset(m->w, 0, rows * TAG_W * sizeof *m->w);
            memset(m->trans, 0, sizeof m->trans);
        }
        double c = 1;
        at_rng rng;
        at_rng_seed(&rng, o.seed + member * 0x9E3779B97F4A7C15ull);
        for (unsigned ep = 0; ep < o.epochs && !st && !(st = at_run_check(run, "text deid-model train"));
             ep++) {
            text_shuffled_order(order, t.nseg, &rng);
            size_t errors = 0;
            for (size_t q = 0; q < t.nseg; q++, c++) {
                size_t a = t.seg[order[q]], len = t.seglen[order[q]];
                size_t nf[SEG_MAX];
                uint8_t pred[SEG_MAX];
                for (size_t i = 0; i < len; i++)
                    nf[i] = t.nf[a + i];
                tag_viterbi(m->w, m->bits, m->trans, 0, t.feat + a * TAG_MAX_FEATS, nf, len, pred, NULL);
                for (size_t i = 0; i < len; i++) {
                    int g = t.gold[a + i], p = pred[i];
                    int pg = i ? t.gold[a + i - 1] : TAG_COUNT, pp = i ? pred[i - 1] : TAG_COUNT;
                    if (g != p) {
                        errors++;
                        const uint32_t *f = t.feat + (a + i) * TAG_MAX_FEATS;
                        for (size_t j = 0; j < nf[i]; j++) {
                            size_t r = (size_t)(f[j] & mask) * TAG_W;
                            m->w[r + g] += 1;
                            m->w[r + p] -= 1;
                            u[r + g] += c;
                            u[r + p] -= c;
                        }
                    }
                    if (g != p || pg != pp) {
                        m->trans[pg][g] += 1;
                        m->trans[pp][p] -= 1;
                        tu[pg][g] += c;
                        tu[pp][p] -= c;
                    }
                }
            }
            errors_last = errors;
            at_run_progress(run, phase, ++step, steps);
            if (report)
                st = at_buf_printf(report, "member %u, epoch %u: %zu of %zu candidate tokens mistagged\n",
                                   member + 1, ep + 1, errors, t.ntok);
        }
        /* this member's averaged weights, into the sum */
        for (size_t r = 0; r < rows * TAG_W && !st; r++)
            wsum[r] += m->w[r] - u[r] / c;
        for (int p = 0; p <= TAG_COUNT && !st; p++)
            for (int l = 0; l < TAG_COUNT; l++)
                tsum[p][l] += m->trans[p][l] - tu[p][l] / c;
    }
    if (!st) {
        for (size_t r = 0; r < rows * TAG_W; r++)
            m->w[r] = (float)(wsum[r] / TAG_MEMBERS);
        for (int p = 0; p <= TAG_COUNT; p++)
            for (int l = 0; l < TAG_COUNT; l++)
                m->trans[p][l] = (float)(tsum[p][l] / TAG_MEMBERS);
        m->seed = o.seed;
        m->docs = (uint32_t)n;
        m->epochs = o.epochs;
        /* (a refit's operating point, chosen on dev before) */
        m->o_bias = !ndev && o.fixed_biases ? o.o_bias : 0;
    }
    /* the operating point: the O bias that gains most on dev, as the
     * extension's biases are chosen: a token found against two false and
     * a string lost against four found (round 31: with the tagger reading
     * every word of a line, the F3 this chose by until then took a bias
     * that lost 400 more strings in cross-validation for 1,300 more
     * tokens found); or, with a recall weight, the best F-beta */
    if (!st && ndev) {
        /* the detector with this model, shallow (nothing of it is freed) */
        at_text_deid probe = *d;
        probe.tagger = m;
        /* (its learned words are m's: the tokeniser's look-up cache,
         * which keeps what d's words gave, is emptied for it) */
        probe.look_gen = deid_look_gen_next();
        double best = -1, beta2 = o.recall_weight * o.recall_weight;
        double tp0 = 0, fp0 = 0, lost0 = 0, need = 0;
        float best_bias = 0;
        static const float grid[] = {0, -0.5f, -1, -2, -4, -8, -16, -32, -64};
        for (size_t b = 0; b < sizeof grid / sizeof *grid && !st; b++) {
            m->o_bias = grid[b];
            double tp, fp, fn, lost;
            st = text_dev_counts(&probe, dev, ndev, &tp, &fp, &fn, &lost);
            double P = tp + fp > 0 ? tp / (tp + fp) : 0, R = tp + fn > 0 ? tp / (tp + fn) : 0;
            double F = P + R > 0 ? (1 + beta2) * P * R / (beta2 * P + R) : 0;
            if (o.recall_weight <= 0) {
                /* (the gain over bias 0, in tokens; a more aggressive
                 * bias only for 2e-4 of dev's identifier tokens more) */
                if (!b) {
                    tp0 = tp, fp0 = fp, lost0 = lost;
                    need = 2e-4 * (tp + fn);
                }
                F = (tp - tp0) - 0.5 * (fp - fp0) - 4 * (lost - lost0);
                if (!st && report)
                    st = at_buf_printf(
                        report,
                        "dev: O bias %.1f: precision %.4f recall %.4f, %+.0f tokens found, %+.0f "
                        "false, %+.0f strings lost: gain %+.0f\n",
                        m->o_bias, P, R, tp - tp0, fp - fp0, lost - lost0, F);
                if (!b || F > best + need) {
                    best = F;
                    best_bias = m->o_bias;
                }
                continue;
            }
            if (!st && report)
                st = at_buf_printf(report, "dev: O bias %.1f: precision %.4f recall %.4f F%.0f %.4f\n",
                                   m->o_bias, P, R, o.recall_weight, F);
            /* a more aggressive bias only for a real gain (2e-3 of
             * F-beta, twenty tokens in ten thousand): near-ties keep the
             * bias nearest zero, so that a change of a few tokens in the
             * dev notes does not move the operating point (round 6: with
             * 1e-4 the point jumped between -8 and -32 on dev scores 3e-4
             * apart; cross-validated with 1e-3, recall -0.08 point,
             * precision +0.4, strings kept +0.5; round 8: with 1e-3 it
             * jumped between 0 and -32 at each set added, on a curve flat
             * to 1.1e-3, and moved a fresh set's recall by 0.5 point) */
            if (F > best + 2e-3) {
                best = F;
                best_bias = m->o_bias;
            }
        }
        m->o_bias = best_bias;
        if (!st && report)
            st = at_buf_printf(report, "operating point: O bias %.1f\n", best_bias);
    }
    /* the extension of entities, on what the rules and this tagger leave */
    if (!st) {
        const float fixed[3] = {o.seed_bias, o.init_bias, o.ext_bias};
        st = text_ext_train(d, m, docs, n, dev, ndev, o.seed, o.fixed_biases ? fixed : NULL, report, run);
    }
    if (!st && report)
        st =
            at_buf_printf(report,
                          "trained on %zu documents, %zu candidate tokens in %zu runs, %u epochs (%zu errors "
                          "in the last), 2^%u feature rows\n",
                          n, t.ntok, t.nseg, o.epochs, errors_last, o.bits);
    if (!st)
        st = at_run_check(run, "text deid-model train");
    if (!st && out_path)
        st = text_tagger_save(m, out_path);
    if (!st && biases && m) {
        biases[0] = m->o_bias;
        /* (no extension: each of its parts off) */
        biases[1] = m->ext_w ? m->seed_bias : EXT_OFF;
        biases[2] = m->ext_w ? m->init_bias : EXT_OFF;
        biases[3] = m->ext_w ? m->ext_bias : EXT_OFF;
    }
    if (!st)
        at_run_progress(run, phase, steps, steps);
    at_free(u);
    at_free(wsum);
    at_free(order);
    set_free(&t);
    text_tagger_free(m);
    text_tagger_free(init);
    return st;
}
