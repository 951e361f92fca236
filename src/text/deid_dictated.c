/* Numbers dictated in words: a speech-recognition transcript writes a
 * phone, a social security or RPPS number as its spoken groups ("zéro six
 * quarante-quatre vingt-trois douze zéro huit", "un zéro zéro un quatre
 * cinq sept ..."), with a spoken letter or a digit among them ("D R sept
 * quatre quatre un deux"). No quantity is said in six number words in a
 * row with nothing between them ("vingt six gray en cinq fractions" has
 * two, a date in words has its month): such a run is an identifier,
 * labelled by the cue before it on its line (téléphone, sécurité
 * sociale, RPPS, IPP ...), else ID. Dates in words are deid_extra.c's and
 * run before this. */
#include "deid_scan.h"

#include <string.h>

/* (number_word_tok once its first part may be a number word: folded) */
static int number_word_folded(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    unsigned c = (unsigned char)s->t[k->s] | 0x20;
    /* the first letters of the number words (zéro, un, deux, ... mille, et) */
    if (!strchr("zudtqcshnovme", (int)c) || c == 0)
        return 0;
    char f[32];
    int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f);
    if (fl <= 0)
        return 0;
    if (fl == 2 && f[0] == 'e' && f[1] == 't')
        return 2;
    for (int a = 0; a < fl;) {
        int b = a;
        while (b < fl && f[b] != '-')
            b++;
        if (b == a || text_number_word(f + a, (size_t)(b - a)) < 0)
            return 0;
        a = b + 1;
    }
    return 1;
}

/* Every dash-separated part of word token i is a number word ("vingt",
 * "quarante-quatre", "zéro", "et"): 1 for a number word, 2 for "et"
 * alone, 0 otherwise. (A function of the token's bytes: the tokeniser
 * counts the number words of a text with it, deid_number_word_tok.) */
static inline int number_word_tok(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n < 2 || n > 24)
        return 0;
    /* (the key of its first two bytes, when ASCII: most words leave here) */
    if (k->key != TOK_KEY_ANY && !text_number_word_keys[k->key & 1023])
        return 0;
    /* ASCII bytes fold to their lower case, one letter each: two first
     * bytes that open no number word rule the word out (most words leave
     * here), then the length of an ASCII first part */
    const unsigned char *w = (const unsigned char *)s->t + k->s;
    unsigned c = w[0] | 0x20u;
    if ((w[0] | w[1]) < 0x80 && !text_number_word_lengths_of(c, w[1] | 0x20u))
        return 0;
    size_t p = 0;
    unsigned any = 0;
    while (p < n && w[p] != '-')
        any |= w[p++];
    if (any < 0x80 && !text_number_word_may(c, p > 1 ? w[1] | 0x20u : 0, p))
        return 0;
    return number_word_folded(s, i);
}

int deid_number_word_tok(const text_scan *s, size_t i)
{
    return number_word_tok(s, i);
}

/* Token i may stand in a dictated number beside number words: a digit or
 * two, or a spoken letter (one capital). */
static int number_filler_tok(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind == TOK_NUM)
        return n <= 2;
    return k->kind == TOK_WORD && n == 1 && k->cap;
}

/* The label a cue before token a on its line gives (up to eight tokens
 * back): a record label's (IPP, NDA, RPPS, NIR), a phone's, else ID. */
static int dictated_label(const text_scan *s, size_t a)
{
    static const char *const phone[] = {"telephone", "tel",      "portable", "mobile", "joindre",
                                        "joignable", "rappeler", "fixe",     NULL};
    static const char *const secu[] = {"securite", "secu", "nir", "ins", NULL};
    for (size_t q = a, hop = 0; q > 0 && hop < 8 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if (p->kind != TOK_WORD)
            continue;
        if ((p->dflags & DICT_IDLABEL) && p->dval > 0)
            return p->dval;
        if (deid_tok_in(s, q - 1, phone))
            return AT_PHI_TEL;
        if (deid_tok_in(s, q - 1, secu))
            return AT_PHI_SECU;
    }
    return AT_PHI_ID;
}

void deid_pass_dictated(text_scan *s)
{
    /* a run of six tokens or more, four number words among them, holds a
     * number word at one of the indices of a step of four but where its
     * fillers fall just there (a spoken letter and a digit three tokens
     * apart): look at every fourth token, then widen (the tokens of the
     * step that the tokeniser's list of possible number words holds: the
     * others number_word_tok takes not) */
    if (s->number_words < 4)
        return; /* (a run needs four number words) */
    const uint32_t *v = s->list[TEXT_LIST_NUMWORD];
    size_t nv = s->nlist[TEXT_LIST_NUMWORD];
    for (size_t p = 0, i = 0; p < nv; p++) {
        if (v[p] < i || (v[p] - i) % 4)
            continue;
        i = v[p];
        if (s->lab[i] || number_word_tok(s, i) != 1)
            continue;
        size_t a = i, e = i + 1;
        while (a > 0 && !s->tok[a].nl && !s->lab[a - 1] &&
               (number_word_tok(s, a - 1) || number_filler_tok(s, a - 1)))
            a--;
        while (e < s->n && !s->tok[e].nl && !s->lab[e] && (number_word_tok(s, e) || number_filler_tok(s, e)))
            e++;
        /* "et" opens or closes no number */
        while (a < e && number_word_tok(s, a) == 2)
            a++;
        while (e > a && number_word_tok(s, e - 1) == 2)
            e--;
        size_t words = 0;
        for (size_t q = a; q < e; q++)
            words += number_word_tok(s, q) == 1;
        if (words >= 4 && e - a >= 6)
            mark(s, a, e, dictated_label(s, a));
        i = e + 4; /* on past the run (a run after it holds e + 4) */
    }
}
