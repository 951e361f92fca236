/* Features of the risk model: hashed word unigrams and bigrams of the folded
 * text, and structured features from the extractor's mentions (ages,
 * performance status, adverse events with their grades and the scope of
 * their negation, regimens and cycles, drugs, prior admissions). */
#include "risk/internal.h"

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
    if (AT_GROW(v->v, v->cap, v->n + 1))
        return AT_ERR_NOMEM;
    v->v[v->n].idx = idx;
    v->v[v->n].val = val;
    v->n++;
    return AT_OK;
}

/* Hash of a word: 8 bytes at a time, then a final mix (MurmurHash3's). */
static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t word_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t c;
        memcpy(&c, s, 8);
        h = (h ^ c) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    uint64_t c = 0;
    for (size_t k = 0; k < n; k++)
        c |= (uint64_t)(unsigned char)s[k] << (8 * k);
    return mix64(h ^ c);
}

/* Hash of the bigram "a b" from its words' hashes (order matters). */
static inline uint64_t pair_hash(uint64_t a, uint64_t b)
{
    return mix64(a * 0xC2B2AE3D27D4EB4Full + b + 0x165667B1u);
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

/* Word bytes of the folded text: a-z, 0-9 and any byte >= 0x80. */
static const uint8_t word_byte[256] = {['a' ... 'z'] = 1, ['0' ... '9'] = 1, [0x80 ... 0xFF] = 1};

static inline int is_w(char c)
{
    return word_byte[(unsigned char)c];
}

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

/* Merge repeated indices of v into one entry with the summed count, in
 * the order of first occurrence (an open-addressing table of positions). */
static at_status merge_counts(risk_vec *v)
{
    if (v->n < 2)
        return AT_OK;
    int bits = 6;
    while (((size_t)1 << bits) < 2 * v->n)
        bits++;
    size_t cap = (size_t)1 << bits;
    uint32_t stack[1024];
    uint32_t *slot = cap <= 1024 ? stack : at_malloc(cap * sizeof *slot);
    if (!slot)
        return AT_ERR_NOMEM;
    memset(slot, 0, cap * sizeof *slot);
    size_t o = 0;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t idx = v->v[i].idx;
        size_t h = (size_t)((idx * 0x9E3779B1u) >> (32 - bits));
        while (slot[h] && v->v[slot[h] - 1].idx != idx)
            h = (h + 1) & (cap - 1);
        if (slot[h]) {
            v->v[slot[h] - 1].val += v->v[i].val;
        } else {
            v->v[o] = v->v[i];
            slot[h] = (uint32_t)++o;
        }
    }
    v->n = o;
    if (slot != stack)
        at_free(slot);
    return AT_OK;
}

/* Whether index idx was seen before (marked seen now): a bit per index,
 * so that a known index costs no look-up in the table of strings. */
static inline int seen(risk_terms *t, uint32_t idx)
{
    uint64_t bit = 1ull << (idx & 63);
    if (t->seen[idx >> 6] & bit)
        return 1;
    t->seen[idx >> 6] |= bit;
    return 0;
}

/* Keep str (owned; NULL when its allocation failed) as the text of idx. */
static void put_term(risk_terms *t, uint32_t idx, char *str)
{
    if (t->n == t->cap && (!str || AT_GROW(t->list, t->cap, t->n + 1))) {
        at_free(str); /* only a reason's text is lost */
        return;
    }
    t->list[t->n++] = (risk_term){idx, str};
}

/* Hashed unigram and bigram counts of the extractor's tokens: each token's
 * folded form split into words at anything but a-z, 0-9 and bytes >= 0x80
 * ("r-chop" is "r" and "chop"); bigrams link consecutive words. */
static at_status hash_tokens(const at_text_token *t, size_t n, risk_vec *out, risk_terms *terms)
{
    out->n = 0;
    at_status st = AT_OK;
    const char *pw = NULL; /* previous word, its length and hash */
    size_t pl = 0;
    uint64_t ph = 0;
    for (size_t k = 0; k < n && !st; k++) {
        const char *f = t[k].f;
        for (size_t i = 0; f[i] && !st;) {
            if (!is_w(f[i])) {
                i++;
                continue;
            }
            size_t a = i;
            while (f[i] && is_w(f[i]))
                i++;
            uint64_t h = word_hash(f + a, i - a);
            uint32_t idx = (uint32_t)(h & (RISK_H - 1));
            st = vec_push(out, idx, 1.0f);
            if (!st && terms && !seen(terms, idx))
                put_term(terms, idx, at_strndup(f + a, i - a));
            if (pw && !st) {
                uint32_t ib = (uint32_t)(pair_hash(ph, h) & (RISK_H - 1));
                st = vec_push(out, ib, 1.0f);
                if (!st && terms && !seen(terms, ib)) {
                    char *b = at_malloc(pl + (i - a) + 2);
                    if (b) {
                        memcpy(b, pw, pl);
                        b[pl] = ' ';
                        memcpy(b + pl + 1, f + a, i - a);
                        b[pl + 1 + (i - a)] = 0;
                    }
                    put_term(terms, ib, b);
                }
            }
            pw = f + a;
            pl = i - a;
            ph = h;
        }
    }
    return st ? st : merge_counts(out);
}

static const char *const snames[RISK_S] = {"age",
                                           "performance status",
                                           "max toxicity grade",
                                           "grade>=3 toxicity",
                                           "febrile neutropenia",
                                           "drugs in regimen",
                                           "prior admissions",
                                           "grade>=3 toxicities (count)",
                                           "cycle"};

const char *risk_structured_name(int k)
{
    return k >= 0 && k < RISK_S ? snames[k] : "?";
}

/* The folded skeleton of a regimen's name ("R-CHOP" -> "r-chop"). */
static int regimen_drug_count(const char *value)
{
    char f[96];
    int fl = at_text_fold(value, strlen(value), f, sizeof f);
    if (fl <= 0)
        return 0;
    int k = at_text_regimen_drugs(f);
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

/* The structured features of a note's mentions. */
static void structured(const at_text_mentions *mt, double s[RISK_S])
{
    const at_text_mentions m = *mt;
    memset(s, 0, RISK_S * sizeof *s);
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
}

at_status risk_note(const at_text_extractor *x, const char *text, size_t len, risk_vec *out,
                    risk_terms *terms, int sorted, double s[RISK_S])
{
    if (len > RISK_MAX_TEXT)
        return at_error_set(AT_ERR_LIMIT, "risk: text of %zu bytes exceeds %zu", len, RISK_MAX_TEXT);
    at_text_token *t = NULL;
    size_t n = 0;
    at_text_mentions m = {0};
    at_status st = at_text_tokenise(x, text, len, &t, &n);
    if (!st)
        st = hash_tokens(t, n, out, terms);
    if (!st && sorted)
        st = sort_feats(out);
    if (!st)
        st = at_text_extract_tokens(x, text, len, t, n, NULL, &m);
    if (!st)
        structured(&m, s);
    at_free(t);
    at_text_mentions_free(&m);
    return st;
}

at_status risk_featurize(const at_text_extractor *x, const float *idf, const char *text, size_t len,
                         risk_vec *out)
{
    size_t bad;
    if (at_text_utf8_check(text, len, &bad))
        return at_error_set(AT_ERR_FORMAT, "risk: text is not UTF-8 (byte %zu)", bad);
    double s[RISK_S];
    at_status st = risk_note(x, text, len, out, NULL, 1, s);
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
    for (int k = 0; k < RISK_S && !st; k++)
        if (s[k] != 0)
            st = vec_push(out, RISK_H + (uint32_t)k, (float)s[k]);
    return st;
}
