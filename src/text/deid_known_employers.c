/* Employers known by their name, after the other passes: the largest
 * employers of France, public and private, that notes name without a
 * cue ("retraité de la SNCF", "caissière chez Carrefour Market",
 * "maître principal dans la Marine nationale"), and the military units a
 * note names by their number and acronym ("au 3e RIMa", "1er REC"). A
 * closed class, as the communes are: most of the country works for few
 * of them, and a note that names one names where someone works.
 *   - The name, capitalised or in capitals, and the capitalised words
 *     right after it that name the site or the branch ("Renault Trucks",
 *     "Auchan Petite-Forêt"): one employer. A model's number after it is
 *     a product ("Airbus A350"), and the name stays.
 *   - An ordinal and an acronym no list holds ("2e REP"); an air or naval
 *     base with its number or town ("Base aérienne 118", "Base navale de
 *     Brest").
 * Insurers, mutuals and the bodies of social security are left: the notes
 * name them as payers, and writers keep them. */
#include "deid_scan.h"

#include <string.h>

/* Each name: its folded words (at most 3); the first word's hash is
 * tested first (at_text_deid's employer_fh). */
static const struct {
    const char *w[3];
} known[] = {
    {{"sncf"}},
    {{"ratp"}},
    {{"edf"}},
    {{"grdf"}},
    {{"enedis"}},
    {{"engie"}},
    {{"airbus"}},
    {{"michelin"}},
    {{"renault"}},
    {{"thales"}},
    {{"safran"}},
    {{"dassault"}},
    {{"alstom"}},
    {{"arcelormittal"}},
    {{"usinor"}},
    {{"stellantis"}},
    {{"carrefour"}},
    {{"auchan"}},
    {{"intermarche"}},
    {{"lidl"}},
    {{"aldi"}},
    {{"decathlon"}},
    {{"castorama"}},
    {{"bouygues"}},
    {{"eiffage"}},
    {{"veolia"}},
    {{"sodexo"}},
    {{"lactalis"}},
    {{"danone"}},
    {{"bonduelle"}},
    {{"totalenergies"}},
    {{"keolis"}},
    {{"transdev"}},
    {{"tereos"}},
    {{"limagrain"}},
    {{"sanofi"}},
    {{"naval", "group"}},
    {{"la", "poste"}},
    {{"air", "france"}},
    {{"leroy", "merlin"}},
    {{"super", "u"}},
    {{"marine", "nationale"}},
    {{"gendarmerie", "nationale"}},
    {{"police", "nationale"}},
    {{"armee", "de", "terre"}},
    {{"legion", "etrangere"}},
};
#define NKNOWN (sizeof known / sizeof *known)

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Token i is word w (folded, ASCII), in any case: its bytes when as
 * long (no accent), else folded. */
static int word_is(const text_scan *s, size_t i, const char *w)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return 0;
    size_t n = s->tok[i].e - s->tok[i].s, wl = strlen(w);
    if (n == wl)
        return tok_is(s, i, w);
    const char *set[2] = {w, NULL};
    return n > wl && n <= wl + 4 && deid_tok_in(s, i, set);
}

/* The end of the known name from token i, i when none. */
static size_t known_at(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    for (size_t j = 0; j < NKNOWN; j++) {
        if (k->fh != s->d->employer_fh[j] || !word_is(s, i, known[j].w[0]))
            continue;
        size_t e = i + 1;
        for (size_t q = 1; q < 3 && known[j].w[q] && e; q++, e++)
            if (e >= s->n || s->tok[e].nl || !word_is(s, e, known[j].w[q]))
                e = 0;
        if (!e)
            continue;
        /* the second word of a phrase capitalised as the first is, but for
         * "nationale", "étrangère", "de terre" */
        if (known[j].w[1] && !known[j].w[2] && strcmp(known[j].w[1], "nationale") &&
            strcmp(known[j].w[1], "etrangere") && !s->tok[i + 1].cap)
            continue;
        return e;
    }
    return i;
}

/* A capitalised word that goes on an employer's name: the site, the
 * branch ("Trucks", "Market", "Noyelles-Godault"), no care word, title or
 * month, on the line, after a space or glued by a dash. */
static int name_goes_on(const text_scan *s, size_t e)
{
    if (e >= s->n || s->lab[e] || s->tok[e].nl || s->tok[e].kind != TOK_WORD ||
        !(s->tok[e].cap || s->tok[e].allcaps) || tok_has_digit(s, e) ||
        (s->tok[e].lex & (LEX_MED | LEX_EPONYM | LEX_KIN)) ||
        (s->tok[e].dflags & (DICT_TITLE | DICT_ROLE | DICT_MONTH | DICT_FIELD | DICT_IDLABEL)))
        return 0;
    return s->tok[e].sp || (e > 0 && is_punct(s, e - 1, '-'));
}

/* Token i (an acronym) follows an ordinal ("3e", "1er", "2ème", "1re"). */
static int after_ordinal(const text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl || !s->tok[i].sp)
        return 0;
    const char *w = s->t + s->tok[i - 1].s;
    size_t n = tl(s, i - 1), d = 0;
    while (d < n && d < 3 && w[d] >= '0' && w[d] <= '9')
        d++;
    if (!d || d == n)
        return 0;
    const char *r = w + d;
    size_t m = n - d;
    return (m == 1 && r[0] == 'e') || (m == 2 && (!memcmp(r, "er", 2) || !memcmp(r, "re", 2))) ||
           (m == 3 && !memcmp(r, "eme", 3)) || (m == 4 && !memcmp(r, "\xC3\xA8me", 4));
}

/* A unit's acronym: a regiment's or a battalion's, two to six letters,
 * capitals but for the last ("RIMa", "RPIMa", "BCA"), in no list of the
 * language or of care. */
static int unit_acronym(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = tl(s, i);
    if (k->kind != TOK_WORD || n < 2 || n > 6 || tok_has_digit(s, i) ||
        (k->lex & (LEX_MED | LEX_WORD | LEX_EPONYM)) || k->dflags)
        return 0;
    const char *w = s->t + k->s;
    if (w[0] != 'R' && w[0] != 'B') /* a regiment's, a battalion's */
        return 0;
    for (size_t j = 0; j < n; j++)
        if (!(w[j] >= 'A' && w[j] <= 'Z') && !(j == n - 1 && j >= 2 && w[j] >= 'a' && w[j] <= 'z'))
            return 0;
    return 1;
}

/* Tokens [a, b) free, or each a person's or a town's word alone in its
 * entity (a brand read as a name: "Marine", "Renault"). */
static int may_take(const text_scan *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++) {
        int l = s->lab[i];
        if (!l)
            continue;
        if (l != AT_PHI_NOM && l != AT_PHI_PRENOM && l != AT_PHI_VILLE && l != AT_PHI_EMPLOYEUR)
            return 0;
        if ((i > a && s->ent[i - 1] == s->ent[i] && s->lab[i - 1] != l) ||
            (i == a && i > 0 && s->lab[i - 1] && s->ent[i - 1] == s->ent[i]))
            return 0;
        if (i + 1 == b && b < s->n && s->lab[b] && s->ent[b] == s->ent[i])
            return 0;
    }
    return 1;
}

void deid_known_employer_keys(uint64_t keys[64], uint32_t fh[64])
{
    _Static_assert(NKNOWN <= 64, "room for the known employers' hashes");
    memset(keys, 0, 64 * sizeof *keys);
    for (size_t j = 0; j < NKNOWN; j++) {
        char pad[64] = {0};
        size_t n = strlen(known[j].w[0]);
        memcpy(pad, known[j].w[0], n);
        fh[j] = (uint32_t)text_dict_hash_padded(pad, n);
        keys[(fh[j] & 4095) >> 6] |= 1ull << (fh[j] & 63);
    }
}

void deid_known_employer_at(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    const uint64_t *keys = s->d->employer_keys;
    if (k->kind != TOK_WORD)
        return;
    size_t e = i;
    if (k->fh && (keys[(k->fh & 4095) >> 6] >> (k->fh & 63) & 1))
        e = known_at(s, i);
    if (e > i) {
        /* "Airbus A350": a model */
        if (e < s->n && !s->tok[e].nl && tok_has_digit(s, e))
            return;
        for (size_t more = 0; more < 3 && name_goes_on(s, e); more++)
            e++;
        if (may_take(s, i, e))
            deid_relabel(s, i, e, AT_PHI_EMPLOYEUR);
        return;
    }
    unsigned first = k->key >> 5; /* (the first letter's low five bits) */
    if (k->key == TOK_KEY_ANY || (first != ('r' & 0x1Fu) && first != ('b' & 0x1Fu)))
        return;
    if (!s->lab[i] && unit_acronym(s, i) && after_ordinal(s, i) && !s->lab[i - 1]) {
        mark(s, i - 1, i + 1, AT_PHI_EMPLOYEUR); /* "3e RIMa" */
        return;
    }
    /* "Base aérienne 118", "Base navale de Brest" */
    if (k->key == text_pair_key('b', 'a') && word_is(s, i, "base") && i + 2 < s->n && !s->tok[i + 1].nl &&
        (word_is(s, i + 1, "navale") || word_is(s, i + 1, "aerienne"))) {
        size_t b = i + 2;
        if (!s->tok[b].nl && s->tok[b].kind == TOK_NUM && tl(s, b) <= 4)
            b++;
        else if (!s->tok[b].nl && (word_is(s, b, "de") || word_is(s, b, "d'")) && b + 1 < s->n &&
                 !s->tok[b + 1].nl && s->tok[b + 1].cap && !(s->tok[b + 1].lex & LEX_MED))
            b += 2;
        else
            return;
        if (may_take(s, i, b))
            deid_relabel(s, i, b, AT_PHI_EMPLOYEUR);
    }
}
