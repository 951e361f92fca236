/* Names that are words of the language in a name's place, after the
 * tagger: a month ("Avril", "MARS") or a capitalised word beside a title
 * and a name ("Dr Laurence Avril", "M. AVRIL Didier", "Mme Iris X").
 * Decided by the words beside it: a title, a first name or a surname the
 * other passes labelled; never after a number, "en", "de", "fin" ... nor
 * before a year ("en avril", "le 3 Avril", "Avril 2024" stay dates). */
#include "tagger.h"

/* 1 when token p is a title ("Dr", "Mme", "M." with its dot) on the
 * line of token p + 1. */
static int title_before(const text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl)
        return 0;
    size_t p = i - 1;
    if (is_punct(s, p, '.') && p > 0 && !s->tok[p].nl)
        p--;
    /* ("20 m. Test Timed Up and Go": a length's unit after a number in
     * lower case, no title) */
    if (p > 0 && s->tok[p].e - s->tok[p].s == 1 && s->t[s->tok[p].s] == 'm' && !s->tok[p].nl &&
        s->tok[p - 1].kind == TOK_NUM)
        return 0;
    return s->tok[p].kind == TOK_WORD && (s->tok[p].dflags & DICT_TITLE);
}

static int name_label(int l)
{
    return l == AT_PHI_NOM || l == AT_PHI_PRENOM;
}

/* Token i (a month written with a capital) in a name's place. */
static void month_name(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (s->lab[i] || k->kind != TOK_WORD || !(k->cap || k->allcaps) || i == 0 || k->nl)
        return;
    /* a number after it is a date's ("Avril 2024") */
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_NUM)
        return;
    const text_tok *p = &s->tok[i - 1];
    if (p->kind == TOK_NUM)
        return;
    int before = title_before(s, i) || (name_label(s->lab[i - 1]) && p->kind == TOK_WORD);
    int after = i + 1 < s->n && !s->tok[i + 1].nl && name_label(s->lab[i + 1]) &&
                (title_before(s, i) || (p->lex & LEX_KIN) || p->kind == TOK_PUNCT);
    if (!before && !after)
        return;
    int label = after && !name_label(s->lab[i - 1]) ? AT_PHI_PRENOM : AT_PHI_NOM;
    if (mark(s, i, i + 1, label))
        deid_names_add(s, i, i + 1);
}

/* Token i, a capitalised word of the language between a title and a name
 * the passes labelled ("Mme Iris X", "madame Mai Y"): a first name. */
static void word_between(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (i + 1 >= s->n || s->lab[i + 1] != AT_PHI_NOM || s->lab[i] || k->kind != TOK_WORD || !k->cap ||
        k->allcaps || k->nl || s->tok[i + 1].nl || (k->dflags & DICT_TITLE) || !title_before(s, i))
        return;
    if (mark(s, i, i + 1, AT_PHI_PRENOM))
        deid_names_add(s, i, i + 1);
}

void deid_pass_name_words(text_scan *s)
{
    /* (the months: the tokeniser's list of numbers and month words) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (s->tok[i].dflags & DICT_MONTH)
            month_name(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++)
        word_between(s, s->list[TEXT_LIST_NAME][q]);
}

/* Token i, a capitalised word the passes left, right after a title ("Dr
 * Keller", "M. Rose"), a labelled first name ("Capucine ROSIER", "L.
 * Berger") or "née", "veuve", "épouse" ("veuve DIMANCHE"): a surname,
 * whatever word or town it is too. Never a word of care, a role, an
 * establishment's head or a field label. */
void deid_word_after_name(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (s->lab[i] || k->nl || i == 0 || !k->sp || k->kind != TOK_WORD)
        return;
    /* (what stands before it first: a title, a first name, "née") */
    const text_tok *pk = &s->tok[i - 1];
    if (!(pk->dflags & DICT_TITLE) && s->lab[i - 1] != AT_PHI_PRENOM && !is_punct(s, i - 1, '.') &&
        !(pk->kind == TOK_WORD && (pk->e - pk->s == 4 || pk->e - pk->s == 5 || pk->e - pk->s == 7) &&
          ((s->t[pk->s] | 32) == 'n' || (s->t[pk->s] | 32) == 'v' || (unsigned char)s->t[pk->s] == 0xC3)))
        return;
    if (!(k->cap || k->allcaps))
        return;
    if ((k->lex & (LEX_MED | LEX_ORG | LEX_KIN | LEX_STREET | LEX_CUE_ID | LEX_CUE_EMP)) ||
        (k->dflags & (DICT_TITLE | DICT_HOSP | DICT_HEAD | DICT_ROLE | DICT_FIELD | DICT_IDLABEL |
                      DICT_GREET | DICT_CONNECT | DICT_PARTICLE | DICT_BIRTH | DICT_STREET | DICT_DESCR)))
        return;
    if (k->e - k->s < 3 || (k->allcaps && k->e - k->s <= 3))
        return;
    /* a field label or a sentence after it */
    if (i + 1 < s->n && !s->tok[i + 1].nl && (is_punct(s, i + 1, ':') || s->tok[i + 1].kind == TOK_NUM))
        return;
    /* a word of the language that opens a phrase ("Date du décès") */
    if ((k->lex & LEX_WORD) && !k->allcaps && i + 1 < s->n && !s->tok[i + 1].nl &&
        s->tok[i + 1].kind != TOK_WORD)
        ;
    else if ((k->lex & LEX_WORD) && !k->allcaps && i + 1 < s->n && !s->tok[i + 1].nl && !s->tok[i + 1].cap)
        return;
    size_t p = i - 1;
    int after = 0;
    if (title_before(s, i))
        after = 1;
    else if (s->lab[p] == AT_PHI_PRENOM && s->tok[p].kind == TOK_WORD && !s->tok[p].nl &&
             (k->allcaps || !(k->lex & LEX_WORD)))
        after = 1;
    else if (s->lab[p] == AT_PHI_PRENOM && is_punct(s, p, '.') && p > 0 && s->lab[p - 1] == AT_PHI_PRENOM)
        after = 1; /* "L. Berger" */
    else if (!s->lab[p] && (tok_is(s, p,
                                   "n\xC3\xA9"
                                   "e") ||
                            tok_is(s, p, "veuve") || tok_is(s, p, "\xC3\xA9pouse")))
        after = 1;
    if (after)
        mark(s, i, i + 1, AT_PHI_NOM); /* (its other mentions: words too) */
}
