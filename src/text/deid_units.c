/* Military units and services by their number, after the tagger: a
 * soldier's, a gendarme's or a firefighter's employer is a unit written
 * with its ordinal and its arm in lower case, which no list names ("2e
 * régiment étranger de parachutistes", "21e régiment d'infanterie de
 * marine", "1er régiment du génie"), or a unit's word with its place
 * ("Bataillon de marins-pompiers de Marseille", "brigade de gendarmerie
 * de Langogne"), or an air base's number ("base aérienne 116"). The
 * phrase is one employer. */
#include "tagger.h"

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* The words of a unit. Folded. */
static const char *const unit_heads[] = {"regiment", "bataillon", "escadron",  "escadrille", "brigade",
                                         "division", "escadre",   "compagnie", "flottille",  NULL};

/* Words that end a unit's phrase. Folded. */
static const char *const unit_stops[] = {"depuis", "avec",  "pour",    "dans",  "chez", "sans", "vers",
                                         "apres",  "avant", "pendant", "puis",  "mais", "donc", "est",
                                         "etait",  "a",     "au",      "aux",   "en",   "et",   "ou",
                                         "il",     "elle",  "ans",     "comme", "lors", "sur",  NULL};

static int in_set(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || tl(s, i) > 24)
        return 0;
    char f[64];
    int n = text_lexicon_fold(s->t + s->tok[i].s, tl(s, i), f, sizeof f);
    if (n <= 0)
        return 0;
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, (size_t)n) && (*set)[n] == 0)
            return 1;
    return 0;
}

/* An ordinal: "1er", "2e", "21e", "3ème", "1re". */
static int ordinal(const text_scan *s, size_t i)
{
    const unsigned char *w = (const unsigned char *)s->t + s->tok[i].s;
    size_t n = tl(s, i), d = 0;
    while (d < n && d < 3 && w[d] >= '0' && w[d] <= '9')
        d++;
    if (!d || d == n || w[0] == '0')
        return 0;
    const char *r = (const char *)w + d;
    size_t m = n - d;
    return (m == 1 && r[0] == 'e') || (m == 2 && (!memcmp(r, "er", 2) || !memcmp(r, "re", 2))) ||
           (m == 4 && !memcmp(r, "\xC3\xA8me", 4)) || (m == 3 && !memcmp(r, "eme", 3));
}

static int takeable(int l)
{
    return l == AT_PHI_NONE || l == AT_PHI_VILLE || l == AT_PHI_NOM || l == AT_PHI_PRENOM ||
           l == AT_PHI_EMPLOYEUR || l == AT_PHI_HOPITAL;
}

/* The end of the unit's phrase after its word at h: connectors, words in
 * lower case (its arm) and capitalised ones (its place or name), up to a
 * stop word, a mark or the line's end. *placed: a capitalised word is in
 * it. */
static size_t unit_end(const text_scan *s, size_t h, int *placed)
{
    size_t r = h + 1, last = h + 1;
    *placed = 0;
    while (r < s->n && !s->tok[r].nl && r - h <= 8 && takeable(s->lab[r])) {
        const text_tok *k = &s->tok[r];
        if (k->kind == TOK_PUNCT) {
            if ((is_punct(s, r, '\'') || is_punct(s, r, '-')) && k->s == s->tok[r - 1].e && r + 1 < s->n &&
                s->tok[r + 1].s == k->e) {
                r++;
                continue;
            }
            break;
        }
        if (k->kind != TOK_WORD || tok_has_digit(s, r) || in_set(s, r, unit_stops) ||
            (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_FIELD)) ||
            ((k->lex & LEX_MED) && !(k->lex & LEX_WORD)))
            break;
        r++;
        if (!(k->dflags & (DICT_CONNECT | DICT_PARTICLE)) && tl(s, r - 1) > 2) {
            last = r;
            *placed |= k->cap || k->allcaps;
        }
    }
    return last;
}

static void unit_at(text_scan *s, size_t h)
{
    if (!in_set(s, h, unit_heads) || !takeable(s->lab[h]))
        return;
    size_t a = h;
    if (h > 0 && !s->tok[h].nl && ordinal(s, h - 1) && takeable(s->lab[h - 1]))
        a = h - 1;
    int placed = 0;
    size_t e = unit_end(s, h, &placed);
    /* with its ordinal; else its place, and never "en compagnie de" */
    if (e == h + 1 || (a == h && (!placed || tok_is(s, h, "compagnie"))))
        return;
    for (size_t q = a; q < e; q++)
        if (!takeable(s->lab[q]))
            return;
    uint32_t ent = ++s->next_ent;
    for (size_t q = a; q < e; q++) {
        s->lab[q] = AT_PHI_EMPLOYEUR;
        s->ent[q] = ent;
    }
}

/* "base aérienne 116", "BA 705": an air or naval base by its number. */
static void base_at(text_scan *s, size_t i)
{
    if (!tok_is(s, i, "base") || s->lab[i] || i + 2 >= s->n)
        return;
    size_t j = i + 1;
    if (!(tok_is(s, j, "aerienne") || tok_is(s, j, "a\xC3\xA9rienne") || tok_is(s, j, "navale")) ||
        s->tok[j].nl || s->tok[j + 1].nl || s->tok[j + 1].kind != TOK_NUM || tl(s, j + 1) > 3 || s->lab[j] ||
        s->lab[j + 1])
        return;
    mark(s, i, j + 2, AT_PHI_EMPLOYEUR);
}

int deid_unit_word(const char *f, size_t n)
{
    if (n == 4)
        return !memcmp(f, "base", 4);
    for (const char *const *w = unit_heads; *w; w++)
        if ((*w)[0] == f[0] && !strncmp(*w, f, n) && (*w)[n] == 0)
            return 1;
    return 0;
}

void deid_pass_units(text_scan *s)
{
    /* (a unit opens at one of its words, an air base at "base") */
    if (!(s->seen & TEXT_SEEN_UNIT))
        return;
    /* the ordinals (the tokeniser's list of words with digits) and the
     * units' words (employer cues in the lexicon: the same list) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD)
            continue;
        if ((k->aux & TOK_AUX_DIGIT) && i + 1 < s->n && ordinal(s, i))
            unit_at(s, i + 1);
        else if ((k->lex & LEX_CUE_EMP) && tl(s, i) >= 7 && tl(s, i) <= 10)
            unit_at(s, i);
    }
    /* "base aérienne 116": from its number */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (i >= 2 && s->tok[i].kind == TOK_NUM && tl(s, i) <= 3 && tl(s, i - 2) == 4)
            base_at(s, i - 2);
    }
}
