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

/* Each name: its folded words (at most 3), the key of its first word's
 * first two letters and that word's length (tested first). */
#define KEY(a, b) (((a)&0x1Fu) << 5 | ((b)&0x1Fu))
static const struct {
    const char *w[3];
    uint16_t key;
    uint8_t len;
} known[] = {
    {{"sncf"}, KEY('s', 'n'), 4},
    {{"ratp"}, KEY('r', 'a'), 4},
    {{"edf"}, KEY('e', 'd'), 3},
    {{"grdf"}, KEY('g', 'r'), 4},
    {{"enedis"}, KEY('e', 'n'), 6},
    {{"engie"}, KEY('e', 'n'), 5},
    {{"airbus"}, KEY('a', 'i'), 6},
    {{"michelin"}, KEY('m', 'i'), 8},
    {{"renault"}, KEY('r', 'e'), 7},
    {{"thales"}, KEY('t', 'h'), 6},
    {{"safran"}, KEY('s', 'a'), 6},
    {{"dassault"}, KEY('d', 'a'), 8},
    {{"alstom"}, KEY('a', 'l'), 6},
    {{"arcelormittal"}, KEY('a', 'r'), 13},
    {{"usinor"}, KEY('u', 's'), 6},
    {{"stellantis"}, KEY('s', 't'), 10},
    {{"carrefour"}, KEY('c', 'a'), 9},
    {{"auchan"}, KEY('a', 'u'), 6},
    {{"intermarche"}, KEY('i', 'n'), 11},
    {{"lidl"}, KEY('l', 'i'), 4},
    {{"aldi"}, KEY('a', 'l'), 4},
    {{"decathlon"}, KEY('d', 'e'), 9},
    {{"castorama"}, KEY('c', 'a'), 9},
    {{"bouygues"}, KEY('b', 'o'), 8},
    {{"eiffage"}, KEY('e', 'i'), 7},
    {{"veolia"}, KEY('v', 'e'), 6},
    {{"sodexo"}, KEY('s', 'o'), 6},
    {{"lactalis"}, KEY('l', 'a'), 8},
    {{"danone"}, KEY('d', 'a'), 6},
    {{"bonduelle"}, KEY('b', 'o'), 9},
    {{"totalenergies"}, KEY('t', 'o'), 13},
    {{"keolis"}, KEY('k', 'e'), 6},
    {{"transdev"}, KEY('t', 'r'), 8},
    {{"tereos"}, KEY('t', 'e'), 6},
    {{"limagrain"}, KEY('l', 'i'), 9},
    {{"sanofi"}, KEY('s', 'a'), 6},
    {{"naval", "group"}, KEY('n', 'a'), 5},
    {{"la", "poste"}, KEY('l', 'a'), 2},
    {{"air", "france"}, KEY('a', 'i'), 3},
    {{"leroy", "merlin"}, KEY('l', 'e'), 5},
    {{"super", "u"}, KEY('s', 'u'), 5},
    {{"marine", "nationale"}, KEY('m', 'a'), 6},
    {{"gendarmerie", "nationale"}, KEY('g', 'e'), 11},
    {{"police", "nationale"}, KEY('p', 'o'), 6},
    {{"armee", "de", "terre"}, KEY('a', 'r'), 5},
    {{"legion", "etrangere"}, KEY('l', 'e'), 6},
};
#define NKNOWN (sizeof known / sizeof *known)

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Token i is word w (folded, ASCII), in any case. */
static int word_is(const text_scan *s, size_t i, const char *w)
{
    const char *set[2] = {w, NULL};
    return i < s->n && s->tok[i].kind == TOK_WORD && deid_tok_in(s, i, set);
}

/* The end of the known name from token i, i when none. */
static size_t known_at(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    for (size_t j = 0; j < NKNOWN; j++) {
        const char *w = known[j].w[0];
        /* (a word whose first two bytes are not both ASCII has no key:
         * of the names, only "Légion" is written so) */
        if (k->key == TOK_KEY_ANY ? known[j].key != KEY('l', 'e') : k->key != known[j].key)
            continue;
        if (n < known[j].len || n > known[j].len + 2u) /* (an accent adds a byte) */
            continue;
        if (!word_is(s, i, w))
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

void deid_known_employer_keys(uint64_t keys[16])
{
    memset(keys, 0, 16 * sizeof *keys);
    for (size_t j = 0; j < NKNOWN; j++)
        keys[known[j].key >> 6] |= 1ull << (known[j].key & 63);
}

void deid_pass_known_employers(text_scan *s)
{
    const uint64_t *keys = s->d->employer_keys;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || tl(s, i) > 16)
            continue;
        size_t e = i;
        if (k->key == TOK_KEY_ANY ? (s->t[k->s] | 0x20) == 'l' : (keys[k->key >> 6] >> (k->key & 63) & 1))
            e = known_at(s, i);
        if (e > i) {
            /* "Airbus A350": a model */
            if (e < s->n && !s->tok[e].nl && tok_has_digit(s, e))
                continue;
            for (size_t more = 0; more < 3 && name_goes_on(s, e); more++)
                e++;
            if (may_take(s, i, e))
                deid_relabel(s, i, e, AT_PHI_EMPLOYEUR);
            continue;
        }
        if (!s->lab[i] && unit_acronym(s, i) && after_ordinal(s, i) && !s->lab[i - 1]) {
            mark(s, i - 1, i + 1, AT_PHI_EMPLOYEUR); /* "3e RIMa" */
            continue;
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
                continue;
            if (may_take(s, i, b))
                deid_relabel(s, i, b, AT_PHI_EMPLOYEUR);
        }
    }
}
