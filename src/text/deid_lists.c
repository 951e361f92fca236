/* Late passes over what the others found (deid_pipeline.c's last):
 * - a list of names on one line ("Présents : Ghiringhelli, Lepage, Rat,
 *   Facy, Borg.", "Drs Aubanel, Roumanille, Mistral, Chaix"): an item
 *   left alone among items labelled as people or places is one of them,
 *   even when it is a word of the language ("Rat", "Mistral");
 * - a door code after "digicode", "code porte", "code d'accès",
 *   "interphone" ("digicode 4417B", "code portail : 2748A") is an ID: it
 *   opens the patient's home. */
#include "deid_scan.h"

#include <string.h>

#define LIST_ITEMS 32
#define ITEM_TOKENS 4

/* Token i separates two items of a list: ',', '&' or "et" (not ';': a
 * line of a table, whose columns are deid_tables.c's). */
static int item_sep(const text_scan *s, size_t i)
{
    return is_punct(s, i, ',') || is_punct(s, i, '&') || (s->tok[i].kind == TOK_WORD && tok_is(s, i, "et"));
}

/* The kind of item [a, b): 0 not an item of a list of names (numbers,
 * other punctuation, too long), 1 its words are labelled as people, 2 as
 * places, 3 none is labelled and it may be a name (one or two capitalised
 * words, no acronym, title alone, relative or month), 4 another item of names. */
static int item_kind(const text_scan *s, size_t a, size_t b)
{
    if (b <= a || b - a > ITEM_TOKENS)
        return 0;
    size_t words = 0, people = 0, places = 0, free_caps = 0, other = 0;
    for (size_t q = a; q < b; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_PUNCT) {
            if (!is_punct(s, q, '-') && !is_punct(s, q, '\'') && !is_punct(s, q, '.'))
                return 0;
            continue;
        }
        if (k->kind != TOK_WORD || tok_has_digit(s, q))
            return 0;
        if (q == a && (k->dflags & DICT_TITLE) && !s->lab[q])
            continue; /* "Dr Facy" */
        words++;
        int lab = s->lab[q];
        if (lab == AT_PHI_NOM || lab == AT_PHI_PRENOM)
            people++;
        else if (lab == AT_PHI_VILLE)
            places++;
        else if (lab)
            other++;
        else if ((k->cap || k->allcaps) && !(k->allcaps && k->e - k->s <= 4) && k->e - k->s >= 2 &&
                 !(k->dflags & (DICT_TITLE | DICT_ROLE | DICT_MONTH | DICT_FIELD)) &&
                 !(k->lex & (LEX_KIN | LEX_ORG | LEX_STREET)))
            free_caps++;
        else
            other++;
    }
    if (!words || other)
        return words && other ? 4 : 0;
    if (people + places == words)
        return people >= places ? 1 : 2;
    if (free_caps == words && words <= 2)
        return 3;
    return 4;
}

/* The lists of names of line [a, e): runs of items between separators;
 * an unlabelled item among at least two labelled ones, and more labelled
 * items than unlabelled, takes the label of most. */
static void line_lists(text_scan *s, size_t a, size_t e)
{
    size_t start[LIST_ITEMS], end[LIST_ITEMS];
    int kind[LIST_ITEMS];
    size_t n = 0, q = a;
    while (q <= e) {
        /* the item from q to the next separator or list end */
        size_t r = q;
        while (r < e && !item_sep(s, r) && !is_punct(s, r, ':') && !is_punct(s, r, '(') &&
               !is_punct(s, r, ')') && !is_punct(s, r, '/') && !is_punct(s, r, '|'))
            r++;
        /* a '.' ends an item's sentence unless it follows an initial or
         * a title ("Dr. X", "J. Facy") */
        size_t stop = r;
        for (size_t t = q; t < r; t++)
            if (is_punct(s, t, '.') && !(t > q && s->tok[t - 1].e - s->tok[t - 1].s <= 3 && t + 1 < r)) {
                stop = t;
                break;
            }
        int k = item_kind(s, q, stop);
        if (k && n < LIST_ITEMS) {
            start[n] = q;
            end[n] = stop;
            kind[n] = k;
            n++;
        }
        int goes_on = k && stop == r && r < e && item_sep(s, r) && n < LIST_ITEMS;
        if (!goes_on) {
            /* the list ends here: decide it */
            size_t people = 0, places = 0, free = 0;
            for (size_t i = 0; i < n; i++) {
                people += kind[i] == 1;
                places += kind[i] == 2;
                free += kind[i] == 3;
            }
            if (n >= 3 && free && people + places >= 2 && people + places > free) {
                int label = people >= places ? AT_PHI_NOM : AT_PHI_VILLE;
                for (size_t i = 0; i < n; i++) {
                    if (kind[i] != 3)
                        continue;
                    size_t w = start[i];
                    if (s->tok[w].dflags & DICT_TITLE)
                        w++;
                    while (w < end[i] && s->tok[w].kind == TOK_PUNCT)
                        w++;
                    size_t z = end[i];
                    while (z > w && s->tok[z - 1].kind == TOK_PUNCT)
                        z--;
                    mark(s, w, z, label);
                }
            }
            n = 0;
        }
        q = r + 1;
    }
}

/* The words that announce a door code. */
static int door_word(const text_scan *s, size_t i, size_t *after)
{
    static const char *const alone[] = {"digicode", "digicodes", "interphone", NULL};
    static const char *const what[] = {"porte", "portail", "immeuble", "entree", "acces",
                                       "boite", "cles",    "hall",     NULL};
    if (tok_ascii_in(s, i, alone)) {
        *after = i + 1;
        return 1;
    }
    if (!tok_is(s, i, "code") || i + 1 >= s->n)
        return 0;
    size_t j = i + 1;
    if (tok_is(s, j, "de") || tok_is(s, j, "du") || tok_elided_d(s, j))
        j++;
    if (j < s->n &&
        (tok_ascii_in(s, j, what) ||
         tok_is(s, j,
                "entr\xC3\xA9"
                "e") ||
         tok_is(s, j, "acc\xC3\xA8s") || tok_is(s, j, "bo\xC3\xAEte") || tok_is(s, j, "cl\xC3\xA9s"))) {
        *after = j + 1;
        return 1;
    }
    return 0;
}

/* After a door word, within three tokens on its line: a code of one to
 * eight letters and digits holding a digit ("4417B", "2748A", "4B19"). */
static void door_code(text_scan *s, size_t i)
{
    size_t j;
    if (!door_word(s, i, &j))
        return;
    for (size_t q = j; q < s->n && q < j + 3 && !s->tok[q].nl; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_PUNCT) {
            if (is_punct(s, q, ':') || is_punct(s, q, '-') || is_punct(s, q, '(') || is_punct(s, q, '#'))
                continue;
            return;
        }
        if (k->e - k->s > 8 || !tok_has_digit(s, q) || s->lab[q])
            return;
        for (uint32_t b = k->s; b < k->e; b++) {
            unsigned c = (unsigned char)s->t[b];
            if (!(c - '0' < 10u || (c | 0x20) - 'a' < 26u))
                return;
        }
        mark(s, q, q + 1, AT_PHI_ID);
        return;
    }
}

void deid_pass_lists(text_scan *s)
{
    size_t a = 0;
    while (a < s->n) {
        size_t e = a + 1;
        while (e < s->n && !s->tok[e].nl)
            e++;
        size_t seps = 0, labelled = 0;
        for (size_t q = a; q < e; q++) {
            seps += item_sep(s, q);
            labelled += s->lab[q] != 0;
        }
        if (seps >= 2 && labelled >= 2)
            line_lists(s, a, e);
        for (size_t q = a; q < e; q++)
            if (s->tok[q].kind == TOK_WORD &&
                ((s->t[s->tok[q].s] | 0x20) == 'd' || (s->t[s->tok[q].s] | 0x20) == 'i' ||
                 (s->t[s->tok[q].s] | 0x20) == 'c'))
                door_code(s, q);
        a = e;
    }
}
