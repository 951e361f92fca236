/* Features of the risk model: hashed word unigrams and bigrams of the folded
 * text, and structured features from the extractor's mentions (ages,
 * performance status, adverse events with their grades and the scope of
 * their negation, regimens and cycles, drugs, prior admissions). */
#include "extract_internal.h"
#include "risk_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RISK_MAX_TEXT ((size_t)16 << 20)

void risk_vec_free(risk_vec *v)
{
    at_free(v->v);
    memset(v, 0, sizeof *v);
}

static at_status vec_push(risk_vec *v, uint32_t idx, float val)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        risk_feat *nv = at_realloc(v->v, cap * sizeof *nv);
        if (!nv)
            return AT_ERR_NOMEM;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n].idx = idx;
    v->v[v->n].val = val;
    v->n++;
    return AT_OK;
}

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* LSD radix sort of features by index (RISK_HASH_BITS bits, two passes). */
static at_status sort_feats(risk_vec *v)
{
    if (v->n < 2)
        return AT_OK;
    risk_feat *tmp = at_malloc(v->n * sizeof *tmp);
    if (!tmp)
        return AT_ERR_NOMEM;
    const int half = (RISK_HASH_BITS + 1) / 2;
    const uint32_t mask = (1u << half) - 1;
    uint32_t cnt[1u << ((RISK_HASH_BITS + 1) / 2)];
    risk_feat *src = v->v, *dst = tmp;
    for (int pass = 0; pass < 2; pass++) {
        int shift = pass * half;
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < v->n; i++)
            cnt[(src[i].idx >> shift) & mask]++;
        uint32_t sum = 0;
        for (uint32_t b = 0; b <= mask; b++) {
            uint32_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < v->n; i++)
            dst[cnt[(src[i].idx >> shift) & mask]++] = src[i];
        risk_feat *t = src;
        src = dst;
        dst = t;
    }
    /* after two passes the sorted data is back in v->v */
    at_free(tmp);
    return AT_OK;
}

/* Fold text into a lower-case accent-free copy (owned by caller). */
static char *fold_text(const char *text, size_t len, size_t *outlen)
{
    if (len > RISK_MAX_TEXT) {
        at_error_set(AT_ERR_LIMIT, "risk: text of %zu bytes exceeds %zu", len, RISK_MAX_TEXT);
        return NULL;
    }
    size_t cap = len * 3 + 16;
    char *f = at_malloc(cap);
    if (!f)
        return NULL;
    int n = at_text_fold(text, len, f, cap);
    if (n < 0) {
        at_free(f);
        at_error_set(AT_ERR_FORMAT, "risk: text is not UTF-8");
        return NULL;
    }
    *outlen = (size_t)n;
    return f;
}

/* Word bytes of the folded text: a-z, 0-9 and any byte >= 0x80. */
static const uint8_t word_byte[256] = {['a' ... 'z'] = 1, ['0' ... '9'] = 1, [0x80 ... 0xFF] = 1};

static inline int is_w(char c) { return word_byte[(unsigned char)c]; }

static double tf_table[64];
static pthread_once_t tf_once = PTHREAD_ONCE_INIT;

static void tf_init(void)
{
    for (int k = 1; k < 64; k++)
        tf_table[k] = 1.0 + log((double)k);
}

double risk_sublinear_tf(float count)
{
    /* 1 + log(count) for the small integer counts of a note, from a table */
    if (count >= 1 && count < 64 && count == (float)(int)count) {
        pthread_once(&tf_once, tf_init);
        return tf_table[(int)count];
    }
    return 1.0 + log(count);
}

at_status risk_hash_text(const char *text, size_t len, risk_vec *out, char **terms)
{
    size_t n;
    char *f = fold_text(text, len, &n);
    if (!f)
        return at_error_message()[0] ? AT_ERR_FORMAT : AT_ERR_NOMEM;
    out->n = 0;
    at_status st = AT_OK;
    size_t pa = 0, pl = 0; /* previous word */
    int have_prev = 0;
    for (size_t i = 0; i < n && !st;) {
        if (!is_w(f[i])) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < n && is_w(f[i]))
            i++;
        uint64_t h = fnv(f + a, i - a, 1469598103934665603ull);
        uint32_t idx = (uint32_t)(h & (RISK_H - 1));
        st = vec_push(out, idx, 1.0f);
        if (!st && terms && !terms[idx])
            terms[idx] = at_strndup(f + a, i - a);
        if (have_prev && !st) {
            uint64_t hb = fnv(f + a, i - a, fnv(" ", 1, fnv(f + pa, pl, 0xcbf29ce484222325ull ^ 0x5bd1e995)));
            uint32_t ib = (uint32_t)(hb & (RISK_H - 1));
            st = vec_push(out, ib, 1.0f);
            if (!st && terms && !terms[ib]) {
                terms[ib] = at_malloc(pl + (i - a) + 2);
                if (terms[ib]) {
                    memcpy(terms[ib], f + pa, pl);
                    terms[ib][pl] = ' ';
                    memcpy(terms[ib] + pl + 1, f + a, i - a);
                    terms[ib][pl + 1 + (i - a)] = 0;
                }
            }
        }
        pa = a;
        pl = i - a;
        have_prev = 1;
    }
    at_free(f);
    if (!st)
        st = sort_feats(out);
    if (st)
        return st;
    size_t o = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (o && out->v[o - 1].idx == out->v[i].idx)
            out->v[o - 1].val += 1.0f;
        else
            out->v[o++] = out->v[i];
    }
    out->n = o;
    return AT_OK;
}

static const char *const snames[RISK_S] = {"age",           "performance status", "max toxicity grade",
                                           "grade>=3 toxicity", "febrile neutropenia", "drugs in regimen",
                                           "prior admissions", "grade>=3 toxicities (count)", "cycle"};

const char *risk_structured_name(int k) { return k >= 0 && k < RISK_S ? snames[k] : "?"; }

/* The folded skeleton of a regimen's name ("R-CHOP" -> "r-chop"). */
static int regimen_drug_count(const char *value)
{
    char f[96];
    int fl = at_text_fold(value, strlen(value), f, sizeof f);
    if (fl <= 0)
        return 0;
    int k = ex_regimen_drugs(f);
    if (k)
        return k;
    int parts = 1; /* "carboplatine-paclitaxel": one drug per part */
    for (const char *p = f; *p; p++)
        parts += *p == '-';
    return parts;
}

/* ECOG of a performance status mention ("ECOG 2", "KPS 70"), -1 if none. */
static int ecog_of(const char *value)
{
    if (!strncmp(value, "ECOG ", 5))
        return atoi(value + 5);
    if (!strncmp(value, "KPS ", 4)) {
        int k = atoi(value + 4);
        return k >= 90 ? 0 : k >= 70 ? 1 : k >= 50 ? 2 : k >= 30 ? 3 : 4;
    }
    return -1;
}

at_status risk_structured(const at_text_extractor *x, const char *text, size_t len, double s[RISK_S])
{
    memset(s, 0, RISK_S * sizeof *s);
    at_text_mentions m = {0};
    at_status st = at_text_extract(x, text, len < RISK_MAX_TEXT ? len : RISK_MAX_TEXT, NULL, &m);
    if (st) {
        at_text_mentions_free(&m);
        return st;
    }
    int have_age = 0, have_ps = 0, have_reg = 0, maxg = 0, n3 = 0, fn = 0, prior = 0, ndrugs = 0;
    char seen[8][48]; /* distinct antineoplastic drugs when no regimen is named */
    int nseen = 0;
    for (size_t i = 0; i < m.n; i++) {
        const at_text_mention *v = &m.v[i];
        /* the patient's own, asserted facts: not negated, hypothetical or
         * about a relative (history counts: a past toxicity is the patient's) */
        if (v->qual & (AT_QUAL_FAMILY | AT_QUAL_HYPOTHESIS))
            continue;
        int neg = (v->qual & AT_QUAL_NEGATED) != 0;
        switch (v->type) {
        case AT_MENTION_AGE:
            if (!have_age) {
                s[0] = atoi(v->value) / 100.0;
                have_age = 1;
            }
            break;
        case AT_MENTION_PS:
            if (!have_ps && !neg && ecog_of(v->value) >= 0) {
                s[1] = ecog_of(v->value) / 4.0;
                have_ps = 1;
            }
            break;
        case AT_MENTION_AE:
            if (neg)
                break;
            if (v->grade > 0 && v->grade <= 5) {
                maxg = v->grade > maxg ? v->grade : maxg;
                n3 += v->grade >= 3;
            }
            fn |= !strcmp(v->value, "neutropénie fébrile");
            break;
        case AT_MENTION_REGIMEN:
            if (!have_reg && !neg) {
                ndrugs = regimen_drug_count(v->value);
                s[8] = v->cycle / 10.0;
                have_reg = 1;
            }
            break;
        case AT_MENTION_DRUG:
            if (!neg && !strncmp(v->code, "L01", 3) && nseen < 8) {
                int dup = 0;
                for (int k = 0; k < nseen && !dup; k++)
                    dup = !strcmp(seen[k], v->value);
                if (!dup)
                    snprintf(seen[nseen++], sizeof seen[0], "%s", v->value);
            }
            break;
        case AT_MENTION_ADMISSION:
            if (!neg && atoi(v->value) > prior)
                prior = atoi(v->value);
            break;
        default:
            break;
        }
    }
    if (!have_reg)
        ndrugs = nseen;
    s[2] = maxg / 4.0;
    s[3] = n3 > 0;
    s[4] = fn;
    s[5] = (ndrugs > 5 ? 5 : ndrugs) / 5.0;
    s[6] = (prior > 8 ? 8 : prior) / 4.0;
    s[7] = n3 / 3.0;
    at_text_mentions_free(&m);
    return AT_OK;
}

at_status risk_featurize(const at_text_extractor *x, const float *idf, const char *text, size_t len, risk_vec *out,
                         char **terms)
{
    at_status st = risk_hash_text(text, len, out, terms);
    if (st)
        return st;
    double norm = 0;
    for (size_t i = 0; i < out->n; i++) {
        double v = risk_sublinear_tf(out->v[i].val) * (idf ? idf[out->v[i].idx] : 1.0f);
        out->v[i].val = (float)v;
        norm += v * v;
    }
    norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
    for (size_t i = 0; i < out->n; i++)
        out->v[i].val = (float)(out->v[i].val * norm);
    double s[RISK_S];
    st = risk_structured(x, text, len, s);
    for (int k = 0; k < RISK_S && !st; k++)
        if (s[k] != 0)
            st = vec_push(out, RISK_H + (uint32_t)k, (float)s[k]);
    return st;
}
