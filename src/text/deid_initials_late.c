/* An initial after a name the tagger found ("Descamps B.", "Berthelot,
 * J. ;", "Da Costa (J.)", "LE GALL Y.  suivi"), after the tagger: the
 * rules' initials pass (deid_initials.c) runs before it and sees only the
 * names the rules took. A capital alone with its full stop glued, on the
 * name's line, one space after it, after its comma or in brackets after
 * it. "M." before a capitalised word is the title of the next person
 * ("Dupont M. Durand"). */
#include "deid_scan.h"

static int person(int l)
{
    return l == AT_PHI_NOM || l == AT_PHI_PRENOM;
}

/* Token i: one letter (ASCII), unlabelled, its full stop glued; a
 * capital, or in lower case after a name in lower case ("gauthier m."). */
static int dotted_capital(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (i + 1 >= s->n || k->kind != TOK_WORD || k->e - k->s != 1 || s->lab[i] || k->nl)
        return 0;
    char c = s->t[k->s];
    int lower = c >= 'a' && c <= 'z' && i > 0 && s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].cap &&
                !s->tok[i - 1].allcaps;
    return ((c >= 'A' && c <= 'Z') || lower) && is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e;
}

/* A letter in lower case and its full stop before a name in lower case
 * the passes found, one space on ("j. ferrand (anapath)", "validé par :
 * f. haddad"): that person's first name's initial. Not after a word
 * glued before it, nor a title's "m." ("m. dupont"). */
static void before_name(text_scan *s, size_t p)
{
    if (p < 2 || !is_punct(s, p - 1, '.') || s->tok[p].nl || s->tok[p - 1].nl)
        return;
    size_t i = p - 2;
    const text_tok *k = &s->tok[i];
    char c = s->t[k->s];
    if (k->kind != TOK_WORD || k->e - k->s != 1 || s->lab[i] || c < 'a' || c > 'z' || c == 'm' ||
        s->tok[p - 1].s != k->e || s->tok[p].s != s->tok[p - 1].e + 1 || s->tok[p].cap || s->tok[p].allcaps ||
        (i > 0 && !k->nl && s->tok[i - 1].e == k->s))
        return;
    s->lab[i] = AT_PHI_PRENOM;
    s->ent[i] = s->ent[p];
}

/* The name at p, then token i (the letter) after a space, a comma or a
 * bracket. */
static void after_name(text_scan *s, size_t p, size_t i)
{
    if (!dotted_capital(s, i))
        return;
    size_t w = i + 2;
    int title_next =
        s->t[s->tok[i].s] == 'M' && w < s->n && !s->tok[w].nl && s->tok[w].kind == TOK_WORD && s->tok[w].cap;
    /* "Dupont D. ..." read as a dotted group ("D.M.") is a code */
    if (title_next || (w < s->n && s->tok[w].kind == TOK_WORD && s->tok[w].s == s->tok[i + 1].e))
        return;
    s->lab[i] = s->lab[p] == AT_PHI_NOM ? AT_PHI_PRENOM : AT_PHI_NOM;
    s->ent[i] = s->ent[p];
}

void deid_pass_initials_late(text_scan *s)
{
    for (size_t p = deid_next_labelled(s, 0); p < s->n; p = deid_next_labelled(s, p + 1)) {
        if (person(s->lab[p]) && s->tok[p].kind == TOK_WORD)
            before_name(s, p);
        if (!person(s->lab[p]) || s->tok[p].kind != TOK_WORD || p + 1 >= s->n || s->lab[p + 1] ||
            s->tok[p + 1].nl)
            continue;
        const text_tok *k = &s->tok[p + 1];
        if (k->kind == TOK_WORD && k->s == s->tok[p].e + 1 && s->t[s->tok[p].e] == ' ')
            after_name(s, p, p + 1);
        else if (is_punct(s, p + 1, ',') && k->s == s->tok[p].e && p + 2 < s->n && !s->tok[p + 2].nl &&
                 s->tok[p + 2].s == k->e + 1)
            after_name(s, p, p + 2);
        else if (is_punct(s, p + 1, '(') && k->s == s->tok[p].e + 1 && p + 4 < s->n &&
                 s->tok[p + 2].s == k->e && is_punct(s, p + 4, ')') && s->tok[p + 4].s == s->tok[p + 3].e)
            after_name(s, p, p + 2);
    }
}

/* A town before its postcode in brackets, after the other passes:
 * "Deauville (14800)", "Saint-Yrieix-la-Perche (87500)", "Le Tampon
 * (97430)": in the annotated notes 74 of the 75 words before a postcode
 * in brackets are a town. The word right before the bracket, capitalised,
 * with the words hyphens join to it and a capitalised article before
 * them; not a title's, a label's, a role's or a month's word. */
void deid_pass_town_zip_bracket(text_scan *s)
{
    for (size_t qz = 0; qz < s->nlist[TEXT_LIST_NUM]; qz++) {
        size_t z = s->list[TEXT_LIST_NUM][qz];
        if (z < 2 || z + 1 >= s->n || s->lab[z] != AT_PHI_ZIP || !is_punct(s, z - 1, '(') ||
            !is_punct(s, z + 1, ')') || s->tok[z - 1].nl || s->tok[z].nl)
            continue;
        size_t w = z - 2;
        const text_tok *k = &s->tok[w];
        if (k->kind != TOK_WORD || !(k->cap || k->allcaps) || s->lab[w] || s->tok[z - 1].s - k->e > 1 ||
            (k->dflags & (DICT_TITLE | DICT_FIELD | DICT_IDLABEL | DICT_MONTH | DICT_ROLE)))
            continue;
        size_t a = w;
        while (a >= 2 && (is_punct(s, a - 1, '-') || is_punct(s, a - 1, '\'')) &&
               s->tok[a - 1].s == s->tok[a - 2].e && s->tok[a].s == s->tok[a - 1].e &&
               s->tok[a - 2].kind == TOK_WORD && !s->lab[a - 2] && !s->tok[a - 1].nl && !s->tok[a].nl)
            a -= 2;
        if (a >= 1 && !s->tok[a].nl && s->tok[a - 1].cap && !s->lab[a - 1] &&
            (tok_is(s, a - 1, "le") || tok_is(s, a - 1, "la") || tok_is(s, a - 1, "les")))
            a--;
        mark(s, a, w + 1, AT_PHI_VILLE);
    }
}
