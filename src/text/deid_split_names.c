/* Names a scan or a typist cut with a space ("Ch auvin", "Berna rd",
 * "Sté phanie", "Dij on"), after the tagger and the allow-list. A word
 * with a capital first, then a fragment in lower case, one space apart on
 * a line: when one is a name's (or a town's) and the other no word, or
 * the two together make a name or a town of the lists, the fragment
 * joins the name. Words of the language on both sides stay ("Marie a",
 * "Dupont et"). */
#include "deid_scan.h"

#include <string.h>

#define SPLIT_MAX 32 /* bytes of the two parts together */

static int name_label(int l)
{
    return l == AT_PHI_NOM || l == AT_PHI_PRENOM || l == AT_PHI_VILLE;
}

/* The word's letters are all lower case (UTF-8 letters past ASCII count
 * as such: "é", "ç"), none a digit. */
static int lower_word(const text_scan *s, size_t i)
{
    for (size_t p = s->tok[i].s; p < s->tok[i].e; p++) {
        unsigned char c = (unsigned char)s->t[p];
        if (c < 0x80 && !(c >= 'a' && c <= 'z'))
            return 0;
    }
    return s->tok[i].kind == TOK_WORD;
}

/* Capitalised: a capital first, the rest in lower case ("Ch", "Berna",
 * "C"), no digit. */
static int capital_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || !k->cap || k->allcaps)
        return 0;
    for (size_t p = k->s + 1; p < k->e; p++) {
        unsigned char c = (unsigned char)s->t[p];
        if (c < 0x80 && !(c >= 'a' && c <= 'z'))
            return 0;
    }
    return 1;
}

static int known_word(const text_tok *k)
{
    return (k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_LEARNED | LEX_KIN | LEX_STREET | LEX_ORG)) != 0;
}

/* The kinds of the two words written as one (0 when too long). */
static unsigned joined_kinds(const text_scan *s, size_t x, size_t y)
{
    char w[SPLIT_MAX], f[SPLIT_MAX + 16];
    size_t a = s->tok[x].e - s->tok[x].s, b = s->tok[y].e - s->tok[y].s;
    if (a + b > SPLIT_MAX)
        return 0;
    memcpy(w, s->t + s->tok[x].s, a);
    memcpy(w + a, s->t + s->tok[y].s, b);
    int fl = text_lexicon_fold(w, a + b, f, sizeof f);
    return fl > 0 ? text_lexicon_get(&s->d->lex, f, (size_t)fl) : 0;
}

/* A word of the lists of the languages of letters from abroad ("died",
 * "copy", "und"). */
static int foreign_word(const text_scan *s, size_t i)
{
    char f[SPLIT_MAX + 16];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, sizeof f);
    return fl > 0 && text_lexicon_foreign(f, (size_t)fl);
}

static void take(text_scan *s, size_t i, size_t with)
{
    s->lab[i] = s->lab[with];
    s->ent[i] = s->ent[with];
}

/* The pair x, x + 1 one space apart: the fragment joins the name found. */
static void split_pair(text_scan *s, size_t x)
{
    size_t y = x + 1;
    const text_tok *kx = &s->tok[x], *ky = &s->tok[y];
    if (ky->nl || ky->s != kx->e + 1 || s->t[kx->e] != ' ' || ky->e - ky->s > 8 || kx->e - kx->s > 12 ||
        !capital_word(s, x) || !lower_word(s, y))
        return;
    int lx = s->lab[x], ly = s->lab[y];
    if ((lx && !name_label(lx)) || (ly && !name_label(ly)) || (lx && ly) || (!lx && !ly))
        return;
    /* (the cheap tests first: most pairs leave before a look-up) */
    /* the capitalised part is no name nor word alone ("Legr", "Sté") */
    int cut = !known_word(kx) && !(kx->lex & (LEX_FIRST | LEX_LAST | LEX_CITY | LEX_PLACE));
    int frag_may =
        !known_word(ky) && !(ky->aux & (TOK_AUX_FN_ABROAD | TOK_AUX_FN_FRENCH)) && ky->e - ky->s <= 5;
    int named = (kx->lex & (LEX_FIRST | LEX_LAST | LEX_CITY)) != 0;
    if (!cut && !(lx && frag_may && !named))
        return;
    /* (a word of the language after a name is a fragment only when short:
     * "Dij on", "Odet te"; "Dupont est" leaves before a look-up) */
    if (!frag_may && ky->e - ky->s > 3)
        return;
    unsigned j = joined_kinds(s, x, y);
    int joined_name = (j & (LEX_FIRST | LEX_LAST | LEX_CITY)) && !(j & (LEX_WORD | LEX_MED | LEX_EPONYM));
    /* the fragment is no word of any language the notes write */
    int frag = frag_may && !(j & (LEX_WORD | LEX_MED)) && !foreign_word(s, y);
    if ((cut && (joined_name || frag)) || (lx && frag && !named))
        take(s, lx ? y : x, lx ? x : y);
}

void deid_pass_split_names(text_scan *s)
{
    /* (from the labelled tokens only: a name's or a town's, and the word
     * before or after it) */
    for (size_t i = deid_next_labelled(s, 0); i < s->n; i = deid_next_labelled(s, i + 1)) {
        if (!name_label(s->lab[i]))
            continue;
        if (i > 0 && !s->lab[i - 1])
            split_pair(s, i - 1);
        if (i + 1 < s->n && !s->lab[i + 1])
            split_pair(s, i);
    }
}
