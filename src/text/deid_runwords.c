/* Consistency across the documents of one run: the distinctive words
 * (no list of the language, of medicine or of names holds them) that the
 * detector labelled NOM, PRENOM, VILLE, HOPITAL or EMPLOYEUR in one
 * document of a run are gathered (text_run_acc, phase 1 of a run), then
 * given to the detector (at_text_deid_set_run_words) that labels their
 * other mentions in every document (phase 2). The words stay in memory:
 * they are patient data. */
#include "atelier/text_model.h"
#include "deid_scan.h"

#include <string.h>

#define RUN_SLOTS (2 * TEXT_RUN_MAX_WORDS) /* a power of two */

/* The labels a run word may carry, as the index of their counts. */
static const uint8_t run_labels[] = {AT_PHI_NOM, AT_PHI_PRENOM, AT_PHI_VILLE, AT_PHI_HOPITAL,
                                     AT_PHI_EMPLOYEUR};
#define RUN_NLAB (sizeof run_labels / sizeof run_labels[0])

typedef struct {
    char w[DEID_NAME_LEN]; /* folded, zero-padded */
    uint8_t len;
    uint32_t count[RUN_NLAB]; /* labelled mentions per label */
    uint32_t docs;            /* documents where it is labelled */
    uint32_t last_doc;        /* 1 + the last of them */
    uint8_t strong;           /* labelled once by a mention that is not weak */
} run_entry;

struct text_run_acc {
    run_entry *v;
    size_t n;
    uint16_t slot[RUN_SLOTS]; /* 1 + index, 0 empty */
    uint32_t doc;             /* 1 + the current document */
};

struct text_run_words {
    char (*w)[DEID_NAME_LEN];
    uint8_t *len, *label;
    size_t n;
    uint16_t slot[RUN_SLOTS];
};

static size_t run_slot(const char *f, size_t n)
{
    uint64_t a, b;
    memcpy(&a, f, 8);
    memcpy(&b, f + 8, 8);
    return (size_t)(((a ^ (b * 31) ^ n) * 0x9E3779B97F4A7C15ull) >> 40) & (RUN_SLOTS - 1);
}

/* Index of f (n bytes, zero-padded) among words w/len through slot, or
 * the free slot's index as -(slot + 1) when it is absent. */
static long run_find(const uint16_t *slot, const char (*w)[DEID_NAME_LEN], size_t wstride, const uint8_t *len,
                     size_t lstride, const char *f, size_t n)
{
    size_t h = run_slot(f, n);
    for (size_t probe = 0; probe < RUN_SLOTS; probe++, h = (h + 1) & (RUN_SLOTS - 1)) {
        if (!slot[h])
            return -(long)h - 1;
        size_t k = slot[h] - 1u;
        const char *kw = (const char *)w + k * wstride;
        if (len[k * lstride] == n && !memcmp(kw, f, DEID_NAME_LEN))
            return (long)k;
    }
    return -(long)RUN_SLOTS - 1; /* never: RUN_SLOTS > TEXT_RUN_MAX_WORDS */
}

at_status text_run_acc_new(text_run_acc **out)
{
    text_run_acc *a = at_calloc(1, sizeof *a);
    if (a)
        a->v = at_calloc(TEXT_RUN_MAX_WORDS, sizeof *a->v);
    if (!a || !a->v) {
        at_free(a);
        *out = NULL;
        return AT_ERR_NOMEM;
    }
    *out = a;
    return AT_OK;
}

void text_run_acc_free(text_run_acc *a)
{
    if (!a)
        return;
    memset(a->v, 0, TEXT_RUN_MAX_WORDS * sizeof *a->v); /* patient data */
    at_free(a->v);
    memset(a, 0, sizeof *a);
    at_free(a);
}

void text_run_acc_next_doc(text_run_acc *a)
{
    a->doc++;
}

void text_run_acc_add(text_run_acc *a, const char *f, size_t n, int label, int weak)
{
    size_t li = 0;
    while (li < RUN_NLAB && run_labels[li] != label)
        li++;
    if (li == RUN_NLAB || n < 3 || n >= DEID_NAME_LEN)
        return;
    long k = run_find(a->slot, (const char(*)[DEID_NAME_LEN])a->v[0].w, sizeof(run_entry), &a->v[0].len,
                      sizeof(run_entry), f, n);
    if (k < 0) {
        if (a->n >= TEXT_RUN_MAX_WORDS || k < -(long)RUN_SLOTS)
            return; /* bounded: the first words of the run are kept */
        run_entry *e = &a->v[a->n];
        memset(e, 0, sizeof *e);
        memcpy(e->w, f, DEID_NAME_LEN);
        e->len = (uint8_t)n;
        a->slot[-k - 1] = (uint16_t)(++a->n);
        k = (long)a->n - 1;
    }
    run_entry *e = &a->v[k];
    e->count[li]++;
    e->strong |= !weak;
    if (e->last_doc != a->doc) {
        e->last_doc = a->doc;
        e->docs++;
    }
}

size_t text_run_acc_words(const text_run_acc *a, char (*w)[DEID_NAME_LEN], uint8_t *label)
{
    size_t o = 0;
    for (size_t i = 0; a && i < a->n; i++) {
        const run_entry *e = &a->v[i];
        if (!e->strong && e->docs < 2)
            continue;
        size_t best = 0;
        for (size_t li = 1; li < RUN_NLAB; li++)
            if (e->count[li] > e->count[best])
                best = li;
        if (w) {
            memcpy(w[o], e->w, DEID_NAME_LEN);
            label[o] = run_labels[best];
        }
        o++;
    }
    return o;
}

void text_run_words_free(text_run_words *r)
{
    if (!r)
        return;
    if (r->w)
        memset(r->w, 0, r->n * DEID_NAME_LEN);
    at_free(r->w);
    at_free(r->len);
    at_free(r->label);
    at_free(r);
}

at_status at_text_deid_set_run_words(at_text_deid *d, const char *const *words, const int *labels, size_t n)
{
    text_run_words_free(d->run);
    d->run = NULL;
    if (!n)
        return AT_OK;
    if (n > TEXT_RUN_MAX_WORDS)
        n = TEXT_RUN_MAX_WORDS;
    text_run_words *r = at_calloc(1, sizeof *r);
    if (r) {
        r->w = at_calloc(n, DEID_NAME_LEN);
        r->len = at_calloc(n, 1);
        r->label = at_calloc(n, 1);
    }
    if (!r || !r->w || !r->len || !r->label) {
        text_run_words_free(r);
        return at_error_set(AT_ERR_NOMEM, "text deid: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        char f[DEID_NAME_LEN + 16];
        int fl = words[i] ? text_fold_word(words[i], strlen(words[i]), f, sizeof f) : -1;
        if (fl < 3 || fl >= DEID_NAME_LEN || labels[i] <= 0 || labels[i] > 255)
            continue;
        memset(f + fl, 0, DEID_NAME_LEN - (size_t)fl);
        long k =
            run_find(r->slot, (const char(*)[DEID_NAME_LEN])r->w, DEID_NAME_LEN, r->len, 1, f, (size_t)fl);
        if (k >= 0 || k < -(long)RUN_SLOTS)
            continue;
        memcpy(r->w[r->n], f, DEID_NAME_LEN);
        r->len[r->n] = (uint8_t)fl;
        r->label[r->n] = (uint8_t)labels[i];
        r->slot[-k - 1] = (uint16_t)(++r->n);
    }
    d->run = r;
    return AT_OK;
}

int text_run_words_label(const text_run_words *r, const char *f, size_t n)
{
    long k = run_find(r->slot, (const char(*)[DEID_NAME_LEN])r->w, DEID_NAME_LEN, r->len, 1, f, n);
    return k >= 0 ? r->label[k] : 0;
}
