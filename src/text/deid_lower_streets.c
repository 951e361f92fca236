/* A street written in lower case, dictated or typed fast, without a
 * number in digits (issue #12, round 25): "chemin des pénitents", "avenue
 * du général leclerc", "trois rue des fours à chaux". The street word
 * opens it only when no phrase of the language writes it so: "rue",
 * "avenue", "impasse" ... before "du", "de la", "des", "d'", then up to
 * four words in lower case, ended by a sign, a number, a dictated stop or
 * a word of the sentence ("à", "et", "avec"). A number said before it
 * joins it. Called by deid_late.c's pass_rural. */
#include "deid_scan.h"

#include <string.h>

/* Street words no sentence puts before "de" otherwise (not "place",
 * "cours", "passage", "route", "résidence", nor "quai": "chute de quai de
 * chargement"). Folded. */
static const char *const street_words[] = {
    "rue",    "avenue", "boulevard", "bd",      "impasse",  "allee",       "allees", "hameau",
    "square", "ruelle", "chemin",    "venelle", "faubourg", "lotissement", "zac",    NULL};
/* What makes "zone" a place of firms ("zone artisanale de la lande";
 * not "zone de la lésion"). Folded. */
static const char *const zone_kinds[] = {"artisanale", "industrielle", "commerciale", "portuaire", NULL};

/* Words that end the street's name: the sentence goes on. Folded. */
static const char *const sentence_words[] = {
    "a",    "au",   "aux",   "et",    "ou",   "avec",  "pour",  "chez",    "dans", "sur",    "depuis",
    "vers", "qui",  "que",   "est",   "sont", "etait", "il",    "elle",    "ils",  "elles",  "mais",
    "donc", "car",  "pas",   "ne",    "se",   "sa",    "son",   "ses",     "leur", "en",     "le",
    "la",   "les",  "un",    "une",   "puis", "tel",   "point", "virgule", "code", "postal", "cedex",
    "bp",   "pres", "apres", "avant", "par",  "terre", "fer",   NULL};

size_t deid_lower_street(const text_scan *s, size_t i, size_t *from)
{
    *from = i;
    const text_tok *k = &s->tok[i];
    int zone = !k->cap && !k->allcaps && tok_is(s, i, "zone") && i + 1 < s->n && !s->tok[i + 1].nl &&
               deid_tok_in(s, i + 1, zone_kinds);
    if (k->cap || k->allcaps || (!zone && !deid_tok_in(s, i, street_words)))
        return i;
    /* the connectors: "du", "de la", "des", "d'", "de l'" */
    size_t j = i + 1 + (size_t)zone, c = j;
    while (c < s->n && c - j < 2 && !s->tok[c].nl && !s->lab[c] && s->tok[c].kind == TOK_WORD &&
           !s->tok[c].cap &&
           (tok_is(s, c, "du") || tok_is(s, c, "de") || tok_is(s, c, "des") || tok_is(s, c, "la") ||
            tok_is(s, c, "l'") || tok_is(s, c, "d'")))
        c++;
    if (c == j || (c == j + 1 && tok_is(s, j, "la")))
        return i;
    /* the name: words in lower case, hyphens and apostrophes inside */
    size_t r = c, words = 0;
    while (r < s->n && !s->tok[r].nl && !s->lab[r] && words < 4) {
        const text_tok *u = &s->tok[r];
        if (u->kind == TOK_WORD && !u->cap && !u->allcaps && !deid_tok_in(s, r, sentence_words) &&
            !deid_number_word_tok(s, r) && !tok_has_digit(s, r) &&
            !(u->dflags & (DICT_MONTH | DICT_STREET))) {
            words++;
            r++;
        } else if (words && (is_punct(s, r, '-') || is_punct(s, r, '\'')) && r + 1 < s->n &&
                   s->tok[r].s == s->tok[r - 1].e && s->tok[r + 1].s == s->tok[r].e) {
            r++;
        } else {
            break;
        }
    }
    while (r > c && s->tok[r - 1].kind == TOK_PUNCT)
        r--;
    if (!words)
        return i;
    /* a number said before it: "trois rue des fours", "douze bis avenue" */
    size_t a = i;
    while (a > 0 && i - a < 4 && !s->tok[a].nl && !s->lab[a - 1] && s->tok[a - 1].kind == TOK_WORD &&
           !s->tok[a - 1].cap &&
           (deid_number_word_tok(s, a - 1) == 1 || tok_is(s, a - 1, "bis") || tok_is(s, a - 1, "ter")))
        a--;
    *from = a;
    return r;
}
