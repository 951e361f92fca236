/* Ages over 89 (AGE), which HIPAA's Safe Harbor counts as identifying:
 * a number of 90 to 130 before "ans", "an" or "a" (the verb "a" only
 * where it closes its phrase or an age word stands before), after "âge"
 * or "âgée de", glued to its unit ("96a", "92ans"), or said in words
 * ("quatre-vingt-douze ans", "cent deux ans"). The rewrite says "90 ans
 * ou plus" (surrogate.c). Called from deid_pass_extra_dates
 * (deid_extra.c). */
#include "deid_scan.h"

#include <string.h>

/* Token i folded into f (cap 64): its length, 0 when none. */
static size_t fold_tok(const text_scan *s, size_t i, char *f)
{
    if (i >= s->n || s->tok[i].e - s->tok[i].s > 48)
        return 0;
    int fl = text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, 64);
    return fl > 0 ? (size_t)fl : 0;
}

static const char *const age_words[] = {"age", "agee", "ages", "agees", NULL};

/* Token i closes an age's unit "a" (text_age_unit_len rewrites it so):
 * the end, a line's end, a comma, a semicolon, a bracket, a colon ("94
 * a : ne répond plus"). */
static int unit_closes(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].nl)
        return 1;
    if (s->tok[i].kind != TOK_PUNCT)
        return 0;
    char c = s->t[s->tok[i].s];
    return c == ':' || c == ',' || c == ';' || c == ')' || c == ']';
}

/* Token i is a word of 90 to 130 and its unit glued: "96a", "92ans",
 * "101an". */
static int glued_age(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s, d = 0;
    const char *w = s->t + k->s;
    if (k->kind != TOK_WORD || n < 3 || n > 6)
        return 0;
    while (d < n && w[d] >= '0' && w[d] <= '9')
        d++;
    if (d < 2 || d > 3)
        return 0;
    int v = atoi_n(w, d);
    size_t u = n - d;
    return v >= 90 && v <= 130 &&
           ((u == 1 && w[d] == 'a') || (u == 2 && !memcmp(w + d, "an", 2)) ||
            (u == 3 && !memcmp(w + d, "ans", 3)));
}

void deid_age_at(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    int v = -1;
    size_t e = i + 1, n = k->e - k->s;
    char f[64];
    size_t fl;
    if (k->kind == TOK_NUM && n <= 3) {
        v = atoi_n(s->t + k->s, n);
    } else if (k->kind == TOK_WORD) {
        fl = fold_tok(s, i, f);
        const char *w[1] = {f};
        if (!fl || !text_number_words_value(w, &fl, 1, &v))
            v = -1;
        if (v < 80)
            return;
    }
    if (v < 90 || v > 130)
        return;
    /* "92 ans", "âgée 91 a", "Odette 94 a : ..." (not "92 a reçu", unless an
     * age word says so below) */
    if (e < s->n && (tok_is(s, e, "ans") || tok_is(s, e, "an") || tok_is(s, e, "a")) && !s->tok[e].nl &&
        !(tok_is(s, e, "a") && !(i > 0 && deid_tok_in(s, i - 1, age_words)) && !unit_closes(s, e + 1))) {
        mark(s, i, i + 1, AT_PHI_AGE); /* the number: "ans" identifies no one */
        s->tok[e].aux |= TOK_AUX_SAFE; /* (nor initials in capitals: "97 ANS") */
        return;
    }
    /* "âge : 92", "âgée de 93" */
    size_t p = i;
    if (p > 0 && (is_punct(s, p - 1, ':') || tok_is(s, p - 1, "de")))
        p--;
    if (p > 0 && deid_tok_in(s, p - 1, age_words))
        mark(s, i, i + 1, AT_PHI_AGE);
}

/* An age over 89 said in words over several tokens, then "ans":
 * "quatre vingt dix ans", "quatre-vingt douze ans", "cent deux ans" (one
 * hyphenated token is deid_age_at's). From token i, "quatre" or "cent". */
void deid_spoken_age_at(text_scan *s, size_t i)
{
    char f[5][64];
    const char *w[5];
    size_t l[5], e = i;
    for (size_t q = 0; q < 5 && e < s->n && (e == i || !s->tok[e].nl) && !s->lab[e]; q++, e++) {
        int v;
        l[q] = fold_tok(s, e, f[q]);
        w[q] = f[q];
        if (!l[q] || !text_number_words_value(w + q, l + q, 1, &v))
            break;
    }
    size_t count = e - i;
    /* the longest run of words whose value is an age, "ans" after it
     * ("cent ans" alone too) */
    while (count >= 1) {
        int v;
        size_t after = i + count;
        if (text_number_words_value(w, l, count, &v) && v >= 90 && v <= 130 && after < s->n &&
            !s->tok[after].nl && (tok_is(s, after, "ans") || tok_is(s, after, "an"))) {
            mark(s, i, after, AT_PHI_AGE);
            return;
        }
        count--;
    }
}

/* Ages glued to their unit ("92ans"; "Denise 96a –" before a sign or the
 * line's end), from the tokeniser's list of words with digits. */
void deid_glued_ages(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (!s->lab[i] && glued_age(s, i) &&
            (s->t[s->tok[i].e - 1] == 's' || i + 1 >= s->n || s->tok[i + 1].nl ||
             s->tok[i + 1].kind == TOK_PUNCT))
            mark(s, i, i + 1, AT_PHI_AGE);
    }
}
