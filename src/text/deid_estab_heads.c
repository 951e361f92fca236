/* Establishments named by a service's head and a place, after the tagger:
 * "HAD du Bocage virois", "HAD de l'agglomération caennaise", "PUI du
 * CHU", "IRM du Neudorf", "clinique de l'Anjou", "CECOS de Lorraine".
 * A head of care (HAD, EHPAD, EMPP, SAU, PUI, USP, SMR, SSR, CECOS,
 * clinique, IRM, scanner), "du", "de", "de la", "de l'", "d'", then a
 * place: a capitalised word no list of words or care holds, a place or a
 * town, a hospital's word, or any word with an adjective no list holds
 * after it ("agglomération caennaise"); the capitalised words and such
 * adjectives after it join. "IRM du genou", "scanner de Thorax", "clinique
 * de la Douleur" stay words. */
#include "tagger.h"

/* Heads of care, by length: "had", "ehpad" ... (folded). */
static int is_head(const text_scan *s, size_t i)
{
    size_t n = s->tok[i].e - s->tok[i].s;
    char c = (char)(s->t[s->tok[i].s] | 0x20);
    switch (n) {
    case 3:
        return (c == 'h' && tok_is(s, i, "had")) ||
               (c == 's' && (tok_is(s, i, "sau") || tok_is(s, i, "smr") || tok_is(s, i, "ssr"))) ||
               (c == 'p' && tok_is(s, i, "pui")) || (c == 'u' && tok_is(s, i, "usp")) ||
               (c == 'i' && tok_is(s, i, "irm"));
    case 4:
        return c == 'e' && tok_is(s, i, "empp");
    case 5:
        return (c == 'e' && tok_is(s, i, "ehpad")) || (c == 'c' && tok_is(s, i, "cecos"));
    case 7:
        return c == 's' && tok_is(s, i, "scanner");
    case 8:
        return c == 'c' && tok_is(s, i, "clinique");
    default:
        return 0;
    }
}

/* An elided "l'" or "d'" (' or ’). */
static int elided(const text_scan *s, size_t i, char c)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return 0;
    const char *t = s->t + s->tok[i].s;
    size_t n = s->tok[i].e - s->tok[i].s;
    return (t[0] | 0x20) == c && ((n == 2 && t[1] == '\'') || (n == 4 && !memcmp(t + 1, "\xE2\x80\x99", 3)));
}

static int same_line(const text_scan *s, size_t i)
{
    return i < s->n && !s->tok[i].nl;
}

/* The labels the tagger gives a place's name after a head: a town, an
 * establishment, an address, a firm ("IRM du Kronenbourg"). */
static int place_label(int l)
{
    return l == AT_PHI_VILLE || l == AT_PHI_HOPITAL || l == AT_PHI_ADRESSE || l == AT_PHI_EMPLOYEUR;
}

/* An adjective no list holds ("caennaise", "virois"). */
static int odd_adjective(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!same_line(s, i) || k->kind != TOK_WORD || k->cap || s->lab[i] || k->e - k->s < 4)
        return 0;
    if (!k->lex)
        return 1;
    /* an adjective of place: "normand", "rouennaise", "virois", "ligérien" */
    static const char *const ends[] = {"ais", "aise", "ois", "oise", "ien", "ienne", "and", "ande", NULL};
    const char *w = s->t + k->s;
    size_t n = k->e - k->s;
    for (const char *const *e = ends; *e; e++) {
        size_t m = strlen(*e);
        if (n > m + 2 && !memcmp(w + n - m, *e, m))
            return 1;
    }
    return 0;
}

/* A capitalised word of a place's name. */
static int place_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!same_line(s, i) || k->kind != TOK_WORD || !(k->cap || k->allcaps))
        return 0;
    if (s->lab[i]) /* a town; an acronym named already keeps its span ("PUI du XYZ") */
        return s->lab[i] == AT_PHI_VILLE || (place_label(s->lab[i]) && !k->allcaps);
    if (tok_is(s, i, "chu") || tok_is(s, i, "chru") || tok_is(s, i, "chr") || tok_is(s, i, "ch"))
        return 1;
    /* an acronym is an establishment's own, named without the head */
    if (k->allcaps && !(k->lex & (LEX_PLACE | LEX_CITY)))
        return 0;
    if ((k->lex & LEX_MED) || (k->dflags & (DICT_MONTH | DICT_TITLE | DICT_ROLE | DICT_FIELD)))
        return 0;
    if (k->dflags & DICT_HOSP)
        return 1;
    if (k->lex & (LEX_PLACE | LEX_CITY))
        return 1;
    return !(k->lex & (LEX_WORD | LEX_ORG | LEX_KIN));
}

static void head_place(text_scan *s, size_t h)
{
    size_t j = h + 1;
    if (!same_line(s, j))
        return;
    if (tok_is(s, j, "du"))
        j++;
    else if (tok_is(s, j, "de")) {
        j++;
        if (tok_is(s, j, "la") || elided(s, j, 'l'))
            j++;
    } else if (elided(s, j, 'd'))
        j++;
    else
        return;
    if (!same_line(s, j) || j == h + 1)
        return;
    size_t e;
    if (place_word(s, j))
        e = j + 1;
    else if (!s->lab[j] && s->tok[j].kind == TOK_WORD && odd_adjective(s, j + 1))
        e = j + 2;
    else
        return;
    while (e < s->n && (place_word(s, e) || odd_adjective(s, e)))
        e++;
    for (size_t i = h; i < e; i++)
        if (s->lab[i] && !place_label(s->lab[i]))
            return;
    uint32_t ent = ++s->next_ent;
    for (size_t i = h; i < e; i++) {
        s->lab[i] = AT_PHI_HOPITAL;
        s->ent[i] = ent;
    }
}

void deid_estab_head_at(text_scan *s, size_t h)
{
    if (!s->lab[h] && s->tok[h].kind == TOK_WORD && is_head(s, h))
        head_place(s, h);
}

void deid_pass_estab_heads(text_scan *s)
{
    /* (the capitalised heads: from deid_pass_initials' walk; here the
     * lower-case ones, "clinique", "scanner") */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t h = s->list[TEXT_LIST_ORG][q];
        if (!s->tok[h].cap)
            deid_estab_head_at(s, h);
    }
}
