/* Care establishments written in lower case, after the tagger ("clinique
 * des genêts", "ehpad résidence du lac", "cabinet infirmier des tilleuls",
 * "hôpital de loches", "clinique de l'union"): a health head in lower
 * case, the words that describe it (the descriptors of establishments,
 * the medical vocabulary, other heads: "cabinet infirmier", "maison de
 * santé"), then "du", "des", "de la", "de l'", "d'" or "les" and one to
 * three words that name it: no word of care, no descriptor, no function
 * word. "clinique de la douleur", "centre de radiothérapie", "hôpital de
 * jour" and "centre du sein" stay. */
#include "deid_scan.h"

#include "deid_internal.h"

static const char *const stops[] = {
    "le",     "la",    "les",     "un",    "une",   "et",    "ou",  "a",    "pour", "par",   "avec",
    "depuis", "point", "virgule", "en",    "au",    "aux",   "sur", "dans", "pas",  "est",   "sont",
    "qui",    "que",   "ce",      "cette", "son",   "sa",    "ses", "leur", "de",   "du",    "des",
    "d'",     "l'",    "chez",    "vers",  "apres", "avant", "il",  "elle", "ils",  "elles", "on",
    "nous",   "vous",  "ah",      "euh",   "non",   "oui",   "ne",  "se",   "y",    NULL};

static const char *const weekdays[] = {"lundi",  "mardi",     "mercredi", "jeudi",     "vendredi",
                                       "samedi", "dimanche",  "lundis",   "mardis",    "mercredis",
                                       "jeudis", "vendredis", "samedis",  "dimanches", NULL};

/* The words an establishment's head follows when it names one: an
 * article or a preposition. Folded. */
static const char *const before_head[] = {"la",  "le",  "l'", "au", "a",    "du",  "de", "d'",
                                          "des", "une", "un", "en", "chez", "aux", NULL};

/* The heads whose lower-case name this pass reads ("maison" only with
 * what describes it: "maison de santé", not "maison des parents"). */
static const char *const heads[] = {"hopital",  "clinique", "polyclinique", "ehpad", "ssiad",       "had",
                                    "ssr",      "smr",      "cabinet",      "labo",  "laboratoire", "centre",
                                    "institut", "maison",   "ch",           "chu",   NULL};

/* Word token i describes an establishment without naming it. */
static int describes(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return k->kind == TOK_WORD &&
           ((k->dflags & (DICT_DESCR | DICT_HEAD)) || tok_is(s, i, "residence") ||
            tok_is(s, i, "r\xC3\xA9sidence") ||
            ((k->lex & (LEX_MED | LEX_ORG)) && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_CITY | LEX_PLACE))));
}

/* The particle from i that opens an establishment's name: its end, i when
 * none. */
static size_t particle(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].nl)
        return i;
    if (tok_is(s, i, "du") || tok_is(s, i, "des") || tok_is(s, i, "les") || tok_elided_d(s, i))
        return i + 1;
    if (tok_is(s, i, "de") && i + 1 < s->n && !s->tok[i + 1].nl &&
        (tok_is(s, i + 1, "la") || tok_elided(s, i + 1, 'l')))
        return i + 2;
    return i;
}

/* Token e may be a word of an establishment's lower-case name. */
static int name_word(const text_scan *s, size_t e)
{
    return e < s->n && !s->tok[e].nl && s->tok[e].kind == TOK_WORD && !s->tok[e].cap && !s->tok[e].allcaps &&
           !tok_has_digit(s, e) && !deid_tok_in(s, e, stops) && !describes(s, e) &&
           !(s->tok[e].dflags & (DICT_MONTH | DICT_ROLE | DICT_TITLE)) && !deid_tok_in(s, e, weekdays) &&
           deid_words_value(s, e, e + 1) < 0 && /* (a house's number said: "... des tilleuls trois place") */
           (!s->lab[e] || s->lab[e] == AT_PHI_VILLE || s->lab[e] == AT_PHI_NOM);
}

/* Token e names a place or a person by itself: a commune, a place, a
 * first name or a surname, or a word no lexicon knows ("jacques cartier",
 * "armor"), not a word of the language. */
static int proper_word(const text_scan *s, size_t e)
{
    unsigned lex = s->tok[e].lex & LEX_MASK;
    return name_word(s, e) && s->tok[e].e - s->tok[e].s >= 3 &&
           ((lex & (LEX_CITY | LEX_PLACE | LEX_FIRST | LEX_LAST)) || !(lex & (LEX_WORD | LEX_MED)));
}

/* "des trois vallées", "des deux rives": a number of ten or less said
 * before a plural word of the name. */
static int counted(const text_scan *s, size_t e)
{
    if (e + 1 >= s->n || s->tok[e].nl || s->tok[e].kind != TOK_WORD || s->tok[e].cap || !e ||
        !tok_is(s, e - 1, "des"))
        return 0;
    int v = deid_words_value(s, e, e + 1);
    if (v < 2 || v > 10 || !name_word(s, e + 1))
        return 0;
    unsigned char last = (unsigned char)s->t[s->tok[e + 1].e - 1];
    return last == 's' || last == 'x';
}

void deid_pass_estab_lower(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t h = s->list[TEXT_LIST_ORG][q];
        const text_tok *k = &s->tok[h];
        if (s->lab[h] || k->cap || k->allcaps || k->kind != TOK_WORD || !(k->dflags & DICT_HEAD) ||
            k->dval < 1 || text_org_heads[k->dval - 1].kind != HEAD_HEALTH || !deid_tok_in(s, h, heads))
            continue;
        /* "ch", "chu" in lower case only before a particle ("ch des
         * hautes-terres"; "ch 12" is a room) */
        int abbr = tok_is(s, h, "ch") || tok_is(s, h, "chu");
        /* the words that describe it ("cabinet infirmier", "maison de santé") */
        size_t j = h + 1;
        while (j < s->n && j - h < 6 && !s->tok[j].nl && !s->lab[j]) {
            if (describes(s, j))
                j++;
            else if ((tok_is(s, j, "de") || tok_elided_d(s, j)) && j + 1 < s->n && !s->tok[j + 1].nl &&
                     !s->lab[j + 1] && describes(s, j + 1))
                j += 2;
            else
                break;
        }
        /* what a cancer centre is ("centre régional de lutte contre le
         * cancer"), and words of the language that describe it before
         * its particle ("centre de médecine nucléaire de l'oust", "cabinet
         * de radiologie sénologie du prado") */
        if (j + 2 < s->n && j > h + 1 && tok_is(s, j - 1, "lutte") && tok_is(s, j, "contre") &&
            tok_is(s, j + 1, "le") && tok_is(s, j + 2, "cancer") && !s->tok[j + 2].nl)
            j += 3; /* ("de lutte" read as words that describe it) */
        else if (!tok_is(s, h, "maison") &&
                 (h == 0 || k->nl || s->tok[h - 1].kind == TOK_PUNCT || deid_tok_in(s, h - 1, before_head))) {
            /* (after an article or a preposition: "essai clinique
             * nécessitant des visites" describes a trial) */
            size_t w = j;
            while (w < s->n && w - j < 3 && !s->tok[w].nl && !s->lab[w] && s->tok[w].kind == TOK_WORD &&
                   !s->tok[w].cap && (s->tok[w].lex & LEX_WORD) && !(s->tok[w].lex & LEX_STREET) &&
                   !deid_tok_in(s, w, stops) && !deid_tok_in(s, w, weekdays) &&
                   !(s->tok[w].dflags & (DICT_MONTH | DICT_ROLE | DICT_TITLE)))
                w++;
            size_t pw = particle(s, w);
            if (w > j && pw > w && !tok_is(s, w, "les") && name_word(s, pw))
                j = w;
        }
        /* (a unit of a day or a week is no establishment's name: "hôpital
         * de jour les mardis"; a house needs what it is) */
        int unit = 0;
        for (size_t d = h + 1; d < j; d++)
            unit |= tok_is(s, d, "jour") || tok_is(s, d, "semaine") || tok_is(s, d, "nuit");
        if (unit || (j == h + 1 && tok_is(s, h, "maison")))
            continue;
        size_t a = particle(s, j);
        if (abbr && (a == j || j != h + 1))
            continue;
        /* "hôpital de quimperlé", "maison de santé de plouescat": "de"
         * before a word that names a place or a person */
        size_t from = j;
        if (a == j && j + 1 < s->n && tok_is(s, j, "de") && !s->tok[j].nl && proper_word(s, j + 1))
            from = j + 1;
        if (a == j) {
            /* no particle: the words that name it, each a place's, a
             * person's or unknown ("hôpital privé jacques cartier") */
            size_t e = from;
            while (e < s->n && e - from < 3 && proper_word(s, e))
                e++;
            /* (a word no list holds before "de" describes it: "maison de
             * santé pluriprofessionnelle de châteaubriant") */
            if (from == j && (particle(s, e) != e || tok_is(s, e, "de")))
                continue;
            if (e > from && !(e < s->n && s->lab[e] && s->lab[e - 1] && s->ent[e] == s->ent[e - 1]))
                deid_relabel(s, h, e, AT_PHI_HOPITAL);
            continue;
        }
        if (tok_is(s, j, "les") && j != h + 1)
            continue;
        size_t words = 0;
        if (counted(s, a)) { /* (the number is the name's first word) */
            a++;
            words = 1;
        }
        /* its name: two words, and two more after "de", "du" or "d'" ("du
         * val d'ouest", "des monts du cantal") */
        size_t e = a;
        for (int joined = 0; e < s->n && words < 2 && name_word(s, e);) {
            e++;
            words++;
            if (words == 2 || !name_word(s, e)) {
                size_t b = e < s->n && !s->tok[e].nl && !joined &&
                                   (tok_is(s, e, "de") || tok_is(s, e, "du") || tok_elided_d(s, e))
                               ? e + 1
                               : e;
                if (b > e && name_word(s, b)) {
                    e = b;
                    words = 0;
                    joined = 1;
                    continue;
                }
                break;
            }
        }
        if (e == a)
            continue;
        /* (a town or a name inside is the establishment's, whole) */
        if ((e < s->n && s->lab[e] && s->lab[e - 1] && s->ent[e] == s->ent[e - 1]))
            continue;
        deid_relabel(s, h, e, AT_PHI_HOPITAL);
    }
}
