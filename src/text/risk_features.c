/* Features of the risk model: hashed word unigrams and bigrams of the folded
 * text, and structured extractions with negation and hypothesis handled. */
#include "risk_internal.h"

#include <math.h>
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

static int is_w(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80; }

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

static int num_after(const char *s, const char *end, const char *key, int *v)
{
    const char *p = s;
    size_t kl = strlen(key);
    while ((p = memmem(p, (size_t)(end - p), key, kl))) {
        const char *q = p + kl;
        while (q < end && *q == ' ')
            q++;
        if (q < end && *q >= '0' && *q <= '9') {
            *v = atoi(q);
            return 1;
        }
        p = q;
    }
    return 0;
}

static const struct {
    const char *name;
    int drugs;
} regimen_drugs[] = {{"folfirinox", 4}, {"folfox", 3}, {"folfiri", 3}, {"r-chop", 5}, {"ec ", 2},
                     {"carboplatine-", 2}, {"cisplatine-", 2}, {"capecitabine", 1}, {"paclitaxel", 1},
                     {"docetaxel", 1}, {"gemcitabine", 1}};

void risk_structured(const char *text, size_t len, double s[RISK_S])
{
    memset(s, 0, RISK_S * sizeof *s);
    size_t n;
    char *f = fold_text(text, len < RISK_MAX_TEXT ? len : RISK_MAX_TEXT, &n);
    if (!f)
        return;
    const char *end = f + n;
    int v;
    if (num_after(f, end, "patient de", &v) || num_after(f, end, "patiente de", &v))
        s[0] = v / 100.0;
    if (num_after(f, end, "oms", &v) || num_after(f, end, "ecog", &v) || num_after(f, end, "performance status", &v))
        s[1] = v / 4.0;
    if (num_after(f, end, "antecedent de", &v))
        s[6] = v / 4.0;
    const char *c = f;
    while ((c = memmem(c, (size_t)(end - c), " c", 2))) {
        if (c + 2 < end && c[2] >= '1' && c[2] <= '9') {
            s[8] = atoi(c + 2) / 10.0;
            break;
        }
        c += 2;
    }
    for (size_t k = 0; k < sizeof regimen_drugs / sizeof *regimen_drugs; k++)
        if (memmem(f, n, regimen_drugs[k].name, strlen(regimen_drugs[k].name))) {
            s[5] = regimen_drugs[k].drugs / 5.0;
            break;
        }
    /* sentences: toxicity grades and febrile neutropenia, negation and hypothesis */
    int maxg = 0, n3 = 0, fn = 0;
    for (const char *a = f; a < end;) {
        const char *b = memchr(a, '.', (size_t)(end - a));
        if (!b)
            b = end;
        size_t sl = (size_t)(b - a);
        int g = 0;
        int has_g = num_after(a, b, "grade", &g) || num_after(a, b, " g", &g);
        int has_fn = memmem(a, sl, "neutropenie febrile", 19) != NULL;
        int neg = (has_g || has_fn) &&
                  (memmem(a, sl, "pas de", 6) || memmem(a, sl, "absence de", 10) || memmem(a, sl, "sans ", 5) ||
                   memmem(a, sl, "aucun", 5) || memmem(a, sl, "a eliminer", 10) || memmem(a, sl, "suspicion", 9));
        if (!neg) {
            if (has_g && g > 0 && g <= 5) {
                maxg = g > maxg ? g : maxg;
                n3 += g >= 3;
            }
            fn |= has_fn;
        }
        a = b + 1;
    }
    s[2] = maxg / 4.0;
    s[3] = n3 > 0;
    s[4] = fn;
    s[7] = n3 / 3.0;
    at_free(f);
}

at_status risk_featurize(const float *idf, const char *text, size_t len, risk_vec *out, char **terms)
{
    at_status st = risk_hash_text(text, len, out, terms);
    if (st)
        return st;
    double norm = 0;
    for (size_t i = 0; i < out->n; i++) {
        double v = (1.0 + log(out->v[i].val)) * (idf ? idf[out->v[i].idx] : 1.0f);
        out->v[i].val = (float)v;
        norm += v * v;
    }
    norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
    for (size_t i = 0; i < out->n; i++)
        out->v[i].val = (float)(out->v[i].val * norm);
    double s[RISK_S];
    risk_structured(text, len, s);
    for (int k = 0; k < RISK_S && !st; k++)
        if (s[k] != 0)
            st = vec_push(out, RISK_H + (uint32_t)k, (float)s[k]);
    return st;
}
