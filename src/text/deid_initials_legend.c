/* Initials a document defines, and a letter's references (issue #12,
 * round 25), after every other pass:
 * - a legend ("AG = Agnès Guérin, MLT = Marie-Laure Tessier", "LK =
 *   Laëtitia Kervella AS"): initials of two to four letters, '=' and the
 *   capitalised words whose first letters spell them, a name of the lists
 *   or one found among them; every other standing of those initials in
 *   the document, in capitals or in lower case, is that person's;
 * - the author's and the typist's initials of a reference ("Réf. :
 *   HG/mlb", "CC/jv - Dicté le", "N/Réf : CL/SM/2026-1187"): capitals,
 *   '/', lower case, two or three letters each, after a reference's label
 *   or alone at a line's edge; a unit is none ("UI/kg"). */
#include "deid_scan.h"

#include <string.h>

#define LEGEND_MAX 16

/* Token i is two to four ASCII letters, all capitals or all lower case
 * (mixed: 1); 0 otherwise. */
static int initials_shape(const text_scan *s, size_t i, int *lower)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n < 2 || n > 4)
        return 0;
    int up = 0, lo = 0;
    for (size_t q = 0; q < n; q++) {
        char c = s->t[k->s + q];
        up += c >= 'A' && c <= 'Z';
        lo += c >= 'a' && c <= 'z';
    }
    if ((size_t)(up + lo) != n || (up && lo))
        return 0;
    *lower = lo > 0;
    return 1;
}

/* "XX = Prénom Nom" at token i: 1 when the words after '=' spell the
 * initials (a hyphen starts a letter too: "Marie-Laure"), one of them a
 * person's. */
static int legend_at(const text_scan *s, size_t i)
{
    int lower;
    if (!initials_shape(s, i, &lower) || lower || i + 3 >= s->n || !is_punct(s, i + 1, '=') ||
        s->tok[i + 1].nl || s->tok[i + 2].nl)
        return 0;
    size_t n = s->tok[i].e - s->tok[i].s, m = 0;
    int person = 0;
    for (size_t q = i + 2; q < s->n && m < n && q - i < 10 && !s->tok[q].nl; q++) {
        const text_tok *u = &s->tok[q];
        if (is_punct(s, q, '-') && q > i + 2 && u->s == s->tok[q - 1].e)
            continue;
        if (u->kind != TOK_WORD || !(u->cap || u->allcaps))
            return 0;
        person |= s->lab[q] == AT_PHI_NOM || s->lab[q] == AT_PHI_PRENOM ||
                  ((u->lex & (LEX_FIRST | LEX_LAST)) && !(u->lex & LEX_MED));
        /* the parts of a hyphenated word each give a letter */
        for (uint32_t b = u->s, c = u->s; c <= u->e && m < n; c++)
            if (c == u->e || s->t[c] == '-') {
                if (c > b) {
                    char f[64];
                    int fl = c - b < 40 ? text_lexicon_fold(s->t + b, c - b, f, sizeof f) : -1;
                    if (fl <= 0 || f[0] != (s->t[s->tok[i].s + m] | 0x20))
                        return 0;
                    m++;
                }
                b = c + 1;
            }
    }
    return m == n && person;
}

/* Token i's letters, folded, equal the n folded letters at d. */
static int same_letters(const text_scan *s, size_t i, const char *d, size_t n)
{
    if (s->tok[i].e - s->tok[i].s != n)
        return 0;
    for (size_t q = 0; q < n; q++)
        if ((s->t[s->tok[i].s + q] | 0x20) != d[q])
            return 0;
    return 1;
}

static void legends(text_scan *s)
{
    char defs[LEGEND_MAX][4];
    size_t lens[LEGEND_MAX], nd = 0;
    if (!(s->seen & TEXT_SEEN_EQUALS)) /* (no '=' in the text: no legend) */
        return;
    for (size_t i = 0; i + 1 < s->n && nd < LEGEND_MAX; i++) {
        if (s->tok[i + 1].kind != TOK_PUNCT || s->t[s->tok[i + 1].s] != '=' || !legend_at(s, i))
            continue;
        size_t n = s->tok[i].e - s->tok[i].s;
        for (size_t c = 0; c < n; c++)
            defs[nd][c] = (char)(s->t[s->tok[i].s + c] | 0x20);
        lens[nd++] = n;
    }
    if (!nd)
        return;
    for (size_t i = 0; i < s->n; i++) {
        int lower;
        if (s->lab[i] || !initials_shape(s, i, &lower))
            continue;
        /* (in lower case, not a word of the language: "ag" yes, "le" no) */
        if (lower && (s->tok[i].lex & (LEX_WORD | LEX_MED)))
            continue;
        /* (not a route before a dose: "BORTÉZOMIB SC 1,3 mg") */
        if (deid_dose_after(s, i + 1))
            continue;
        /* (not glued to a word or a number: "AG-2", "CV3") */
        if ((i > 0 && s->tok[i - 1].e == s->tok[i].s && s->tok[i - 1].kind != TOK_PUNCT) ||
            (i + 1 < s->n && s->tok[i + 1].s == s->tok[i].e && s->tok[i + 1].kind != TOK_PUNCT))
            continue;
        for (size_t d = 0; d < nd; d++)
            if (same_letters(s, i, defs[d], lens[d])) {
                mark(s, i, i + 1, AT_PHI_NOM);
                break;
            }
    }
}

/* Lower-case units after '/' ("UI/kg", "mg/ml"). Folded. */
static const char *const per_units[] = {"kg", "ml", "mn", "min", "dl",   "jr", "sem", "an", "mois", "cm",
                                        "mm", "mg", "ui", "mol", "mmol", "ul", "h",   "j",  NULL};

/* Words that label a letter's reference. Folded. */
static const char *const ref_words[] = {"ref", "refs", "reference", "references", "dicte", "frappe", NULL};

static void references(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        /* (a '/' glued after it first: most words leave there) */
        if (i + 2 >= s->n || !is_punct(s, i + 1, '/') || s->tok[i + 1].s != s->tok[i].e)
            continue;
        int lower, lower2;
        int li = s->lab[i], l2 = s->lab[i + 2];
        if ((li && li != AT_PHI_NOM && li != AT_PHI_PRENOM) ||
            (l2 && l2 != AT_PHI_NOM && l2 != AT_PHI_PRENOM) || (li && l2) || !initials_shape(s, i, &lower) ||
            lower || s->tok[i].e - s->tok[i].s > 3 || s->tok[i + 2].s != s->tok[i + 1].e ||
            !initials_shape(s, i + 2, &lower2) || !lower2 || s->tok[i + 2].e - s->tok[i + 2].s > 3 ||
            deid_tok_in(s, i + 2, per_units) || (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_NUM))
            continue;
        /* glued to nothing after: "HG/mlb", "CC/jv -" */
        size_t e = i + 3;
        if (e < s->n && s->tok[e].s == s->tok[i + 2].e && !is_punct(s, e, '/'))
            continue;
        /* a reference's label before it on its line, or the line's edge */
        int cue = s->tok[i].nl || i == 0 || e >= s->n || s->tok[e].nl;
        for (size_t b = i; !cue && b > 0 && i - b < 6 && !s->tok[b].nl; b--)
            cue = s->tok[b - 1].kind == TOK_WORD && deid_tok_in(s, b - 1, ref_words);
        for (size_t a = e; !cue && a < s->n && a - e < 4 && !s->tok[a].nl; a++)
            cue = s->tok[a].kind == TOK_WORD && deid_tok_in(s, a, ref_words);
        if (!cue)
            continue;
        mark(s, i, i + 1, AT_PHI_NOM);
        mark(s, i + 2, i + 3, AT_PHI_NOM);
    }
}

void deid_pass_initials_defined(text_scan *s)
{
    legends(s);
    references(s);
}
