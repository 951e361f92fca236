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

#include <string.h>

static const char *const stops[] = {
    "le",         "la",      "les",      "un",        "une",       "et",       "ou",     "a",
    "pour",       "par",     "avec",     "depuis",    "point",     "virgule",  "en",     "au",
    "aux",        "sur",     "dans",     "pas",       "est",       "sont",     "qui",    "que",
    "ce",         "cette",   "son",      "sa",        "ses",       "leur",     "de",     "du",
    "des",        "d'",      "l'",       "chez",      "vers",      "apres",    "avant",  "il",
    "elle",       "ils",     "elles",    "on",        "nous",      "vous",     "ah",     "euh",
    "non",        "oui",     "ne",       "se",        "y",         "mais",     "donc",   "car",
    "puis",       "ouvrez",  "fermez",   "prochain",  "prochaine", "habite",   "sera",   "ont",
    "entre",      "matin",   "soir",     "lendemain", "veille",    "semaine",  "mois",   "nuit",
    "midi",       "dernier", "derniere", "suivant",   "suivante",  "hier",     "demain", "aujourd'hui",
    "aujourdhui", "ensuite", "alors",    "encore",    "deja",      "toujours", NULL};

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

/* The heads of firms whose lower-case name this pass reads. */
static const char *const firms[] = {
    "ambulances", "ambulance",   "taxis",          "taxi",        "transports",  "societe",
    "entreprise", "ets",         "etablissements", "garage",      "boulangerie", "fromagerie",
    "laiterie",   "scierie",     "fonderie",       "menuiserie",  "plomberie",   "carrosserie",
    "imprimerie", "brasserie",   "conserverie",    "distillerie", "biscuiterie", "usine",
    "ateliers",   "cooperative", "papeterie",      "verrerie",    NULL};

static int region(const text_scan *s, size_t e);

/* Word token i describes an establishment without naming it. */
static int describes(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return k->kind == TOK_WORD &&
           ((k->dflags & (DICT_DESCR | DICT_HEAD)) || tok_is(s, i, "residence") ||
            tok_is(s, i, "r\xC3\xA9sidence") ||
            ((k->lex & (LEX_MED | LEX_ORG)) && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_CITY | LEX_PLACE)) &&
             !region(s, i)));
}

/* Token i is "d'" or "l'" (c), or its letter alone before a word that
 * opens with a vowel, as a note typed without its apostrophes writes it
 * ("du val d orge", "de l union"). */
static int elided(const text_scan *s, size_t i, char c)
{
    if (tok_elided(s, i, c))
        return 1;
    if (i + 1 >= s->n || s->tok[i].e - s->tok[i].s != 1 || s->t[s->tok[i].s] != c || s->tok[i + 1].nl ||
        s->tok[i + 1].kind != TOK_WORD || s->tok[i + 1].cap)
        return 0;
    unsigned char v = (unsigned char)s->t[s->tok[i + 1].s];
    return strchr("aeiouyh", v) != NULL || v == 0xC3;
}

/* The particle from i that opens an establishment's name: its end, i when
 * none. */
static size_t particle(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].nl)
        return i;
    if (tok_is(s, i, "du") || tok_is(s, i, "des") || tok_is(s, i, "les") || elided(s, i, 'd'))
        return i + 1;
    if (tok_is(s, i, "de") && i + 1 < s->n && !s->tok[i + 1].nl &&
        (tok_is(s, i + 1, "la") || elided(s, i + 1, 'l')))
        return i + 2;
    return i;
}

/* The words that qualify a place inside a name ("de la haute lande",
 * "du grand large", "des hauts de flandre"): a descriptor elsewhere
 * ("haute autorité"), a word of the name before another. Folded. */
static const char *const qualifiers[] = {"haut",   "haute", "hauts",   "hautes", "bas",     "basse",
                                         "basses", "grand", "grande",  "grands", "grandes", "petit",
                                         "petite", "vieux", "vieille", "nord",   "sud",     "est",
                                         "ouest",  "val",   "pays",    "cote",   "cotes",   NULL};

static int name_word_at(const text_scan *s, size_t e, int qualified);

/* Token e may be a word of an establishment's lower-case name. */
static int name_word(const text_scan *s, size_t e)
{
    return name_word_at(s, e, 1);
}

/* (a qualifier only before a word of the name when qualified) */
static int name_word_at(const text_scan *s, size_t e, int qualified)
{
    if (!(e < s->n && !s->tok[e].nl && s->tok[e].kind == TOK_WORD && !s->tok[e].cap && !s->tok[e].allcaps &&
          s->tok[e].e - s->tok[e].s >= 2 && /* (an elided letter: "val d orge") */
          !tok_has_digit(s, e) && !deid_tok_in(s, e, stops) &&
          !(s->tok[e].dflags & (DICT_MONTH | DICT_ROLE | DICT_TITLE)) && !deid_tok_in(s, e, weekdays) &&
          deid_words_value(s, e, e + 1) < 0 && /* (a house's number said: "... des tilleuls trois place") */
          (!s->lab[e] || s->lab[e] == AT_PHI_VILLE || s->lab[e] == AT_PHI_NOM || s->lab[e] == AT_PHI_PRENOM ||
           s->lab[e] == AT_PHI_HOPITAL)))
        return 0;
    if (!describes(s, e) || region(s, e)) /* (a region the lists know as a word of care: "savoie") */
        return 1;
    if (!qualified || !deid_tok_in(s, e, qualifiers))
        return 0;
    size_t f = e + 1 < s->n && !s->tok[e + 1].nl &&
                       (tok_is(s, e + 1, "de") || tok_is(s, e + 1, "du") || elided(s, e + 1, 'd'))
                   ? e + 2
                   : e + 1;
    return name_word_at(s, f, 0);
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

/* A word no lexicon knows, in lower case, of eight letters or more with
 * an adjective's ending ("pluriprofessionnelle", "interhospitalier"). */
static int adjective(const text_scan *s, size_t w)
{
    static const char *const ends[] = {"elle", "ale",  "aire",  "ique", "ive",
                                       "ier",  "iere", "ienne", "al",   NULL};
    const text_tok *k = &s->tok[w];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || k->cap || k->allcaps || n < 8 || (k->lex & LEX_MASK) || tok_has_digit(s, w))
        return 0;
    for (size_t x = 0; ends[x]; x++) {
        size_t l = strlen(ends[x]);
        if (n > l && !memcmp(s->t + k->e - l, ends[x], l))
            return 1;
    }
    return 0;
}

/* Token e names a region or a département ("vosges", "landes", words of
 * the language in lower case). */
static int region(const text_scan *s, size_t e)
{
    return deid_region_tok(s, e) == 2;
}

/* From token f, an establishment's name without a particle that ends its
 * clause (a comma, a bracket, a dash, the line): up to four words of the
 * name, "de", "du", "d'" or "sur" between them, "le" or "la" before, one
 * of them a region's or a département's, a commune's, a place's or a
 * person's of the lists. Its end, or f. */
static size_t named_clause(const text_scan *s, size_t f)
{
    static const char *const compass[] = {"sud", "nord", "est", "ouest", NULL};
    size_t e = f, words = 0, end = f;
    if (e + 1 < s->n && !s->tok[e].nl && (tok_is(s, e, "le") || tok_is(s, e, "la")) && name_word(s, e + 1))
        e++;
    while (e < s->n && !s->tok[e].nl && words < 4) {
        if (name_word(s, e)) {
            /* (the name ends on such a word, or on a compass point after
             * one: "ch val de marne sud"; not on a word of the language,
             * "clinique sainte-marie fin de dictée") */
            if (region(s, e) ||
                (proper_word(s, e) && ((s->tok[e].lex & (LEX_CITY | LEX_PLACE | LEX_FIRST | LEX_LAST)) ||
                                       (!(s->tok[e].lex & LEX_MASK) && s->tok[e].e - s->tok[e].s >= 4))) ||
                (end > f && end == e && deid_tok_in(s, e, compass)))
                end = e + 1;
            words++;
            e++;
        } else if ((tok_is(s, e, "de") || tok_is(s, e, "du") || elided(s, e, 'd') || tok_is(s, e, "sur")) &&
                   words && name_word(s, e + 1)) {
            e++;
        } else {
            break;
        }
    }
    /* (or a name of several words ending on a region's: "centre régional
     * de cancérologie val de loire demain") */
    int closes = end >= s->n || s->tok[end].nl ||
                 (s->tok[end].kind == TOK_PUNCT && strchr(",.;:()-/", s->t[s->tok[end].s])) ||
                 (end > f + 1 && region(s, end - 1));
    return end > f && closes ? end : f;
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

/* The end of the lower-case establishment that head h opens, h when
 * none. */
static size_t lower_estab(const text_scan *s, size_t h)
{
    {
        const text_tok *k = &s->tok[h];
        /* "ch", "chu" in lower case only before a particle ("ch des
         * hautes-terres"; "ch 12" is a room) */
        int abbr = tok_is(s, h, "ch") || tok_is(s, h, "chu");
        /* the words that describe it ("cabinet infirmier", "maison de santé") */
        size_t j = h + 1;
        while (j < s->n && j - h < 6 && !s->tok[j].nl && !s->lab[j]) {
            if (describes(s, j))
                j++;
            else if (j + 1 < s->n && (tok_is(s, j, "a") || tok_is(s, j, "\xC3\xA0")) &&
                     tok_is(s, j + 1, "domicile") && j > h + 1 && !s->tok[j + 1].nl)
                j += 2; /* ("hospitalisation à domicile val de saône") */
            else if ((tok_is(s, j, "de") || elided(s, j, 'd')) && j + 1 < s->n && !s->tok[j + 1].nl &&
                     !s->lab[j + 1] &&
                     (describes(s, j + 1) || (tok_is(s, h, "maison") && tok_is(s, j + 1, "retraite"))))
                j += 2;
            else
                break;
        }
        /* (a care home's name may be its plural words after "les":
         * "maison de retraite les tilleuls", "ehpad les glycines") */
        int home =
            tok_is(s, h, "ehpad") || (tok_is(s, h, "maison") && j > h + 2 && tok_is(s, j - 1, "retraite"));
        /* what a cancer centre is ("centre régional de lutte contre le
         * cancer"), and words of the language that describe it before
         * its particle ("centre de médecine nucléaire de l'oust", "cabinet
         * de radiologie sénologie du prado") */
        if (j + 2 < s->n && j > h + 1 && tok_is(s, j - 1, "lutte") && tok_is(s, j, "contre") &&
            tok_is(s, j + 1, "le") && tok_is(s, j + 2, "cancer") && !s->tok[j + 2].nl)
            j += 3; /* ("de lutte" read as words that describe it) */
        else if ((!tok_is(s, h, "maison") || j > h + 1) &&
                 (h == 0 || k->nl || s->tok[h - 1].kind == TOK_PUNCT || deid_tok_in(s, h - 1, before_head))) {
            /* (after an article or a preposition: "essai clinique
             * nécessitant des visites" describes a trial) */
            /* (and after "de": "centre de dialyse les hauts de flandre") */
            size_t w0 =
                (tok_is(s, j, "de") || elided(s, j, 'd')) && j + 1 < s->n && !s->tok[j + 1].nl ? j + 1 : j;
            size_t w = w0;
            while (w < s->n && w - w0 < 3 && !s->tok[w].nl && !s->lab[w] && s->tok[w].kind == TOK_WORD &&
                   !s->tok[w].cap && ((s->tok[w].lex & LEX_WORD) || adjective(s, w)) &&
                   !(s->tok[w].lex & LEX_STREET) && !deid_tok_in(s, w, stops) &&
                   !deid_tok_in(s, w, weekdays) &&
                   !(s->tok[w].dflags & (DICT_MONTH | DICT_ROLE | DICT_TITLE)))
                w++;
            size_t pw = particle(s, w);
            if (w > w0 && pw > w &&
                (!tok_is(s, w, "les") || deid_tok_in(s, pw, qualifiers) || proper_word(s, pw)) &&
                name_word(s, pw))
                j = w;
        }
        /* (a unit of a day or a week is no establishment's name: "hôpital
         * de jour les mardis"; a house needs what it is) */
        int unit = 0;
        for (size_t d = h + 1; d < j; d++)
            unit |= tok_is(s, d, "jour") || tok_is(s, d, "semaine") || tok_is(s, d, "nuit");
        if (unit || (j == h + 1 && tok_is(s, h, "maison")))
            return h;
        size_t a = particle(s, j);
        if (abbr && a == j && j == h + 1) {
            size_t c = named_clause(s, j); /* ("ch savoie léman") */
            if (c > j)
                return c;
            /* "ch de landerneau": "de" before a commune's, a place's or
             * an unknown word (not "ch de garde") */
            if (!tok_is(s, j, "de") || j + 1 >= s->n || s->tok[j].nl || !proper_word(s, j + 1))
                return h;
            size_t e = j + 1;
            while (e < s->n && e - j <= 3 && proper_word(s, e) &&
                   !(s->tok[e].dflags & (DICT_IDLABEL | DICT_FIELD)))
                e++;
            return e;
        }
        if (abbr && (a == j || j != h + 1))
            return h;
        /* "hôpital de quimperlé", "maison de santé de plouescat": "de"
         * before a word that names a place or a person */
        size_t from = j;
        if (a == j && j + 1 < s->n && tok_is(s, j, "de") && !s->tok[j].nl && proper_word(s, j + 1))
            from = j + 1;
        if (a == j) {
            /* no particle: the name to the end of its clause, a region's,
             * a place's or a person's word in it ("ch val de marne sud",
             * "ch savoie léman", "ssr le mont ventoux") */
            size_t c = named_clause(s, from);
            if (c > from)
                return c;
            /* no particle: the words that name it, each a place's, a
             * person's or unknown ("hôpital privé jacques cartier") */
            size_t e = from;
            while (e < s->n && e - from < 3 && proper_word(s, e))
                e++;
            /* (a word no list holds before "de" describes it: "maison de
             * santé pluriprofessionnelle de châteaubriant") */
            if (from == j && (particle(s, e) != e || tok_is(s, e, "de")))
                return h;
            if (e > from && !(e < s->n && s->lab[e] && s->lab[e - 1] && s->ent[e] == s->ent[e - 1]))
                return e;
            return h;
        }
        /* ("les" after what describes it only before a place's
         * qualifier or a word that names: "centre de dialyse les hauts de
         * flandre", not "hôpital de jour les mardis") */
        if (tok_is(s, j, "les") && j != h + 1 && !home && !deid_tok_in(s, a, qualifiers) &&
            !proper_word(s, a))
            return h;
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
            /* (a region's name ends it: "des marches de bretagne montre") */
            if (joined && region(s, e - 1))
                break;
            if (words == 2 || !name_word(s, e)) {
                size_t b = e < s->n && !s->tok[e].nl && !joined &&
                                   (tok_is(s, e, "de") || tok_is(s, e, "du") || elided(s, e, 'd'))
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
            return h;
        /* (a town or a name inside is the establishment's, whole) */
        if ((e < s->n && s->lab[e] && s->lab[e - 1] && s->ent[e] == s->ent[e - 1]))
            return h;
        return e;
    }
}

/* (a head the tagger or a pass already took, with only part of its name:
 * "clinique de la croix" of "clinique de la croix blanche", read again
 * without it, and taken whole when the name goes further) */
void deid_pass_estab_lower(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t h = s->list[TEXT_LIST_ORG][q];
        const text_tok *k = &s->tok[h];
        if (k->cap || k->allcaps || k->kind != TOK_WORD || !(k->dflags & DICT_HEAD) || k->dval < 1)
            continue;
        if (text_org_heads[k->dval - 1].kind != HEAD_HEALTH || !deid_tok_in(s, h, heads)) {
            /* a firm in lower case, named by a place or a person of the
             * lists ("fromagerie des hautes vosges", "ambulances des
             * landes", "fromagerie des trois vallées"; not "taxi de la
             * commune", "ambulance dispo") */
            size_t e;
            if (!s->lab[h] && deid_tok_in(s, h, firms) && (e = lower_estab(s, h)) > h + 1 &&
                ((proper_word(s, e - 1) &&
                  (s->tok[e - 1].lex & (LEX_FIRST | LEX_LAST | LEX_CITY | LEX_PLACE))) ||
                 region(s, e - 1) || (e >= h + 3 && counted(s, e - 2))))
                deid_relabel(s, h, e, AT_PHI_EMPLOYEUR);
            continue;
        }
        if (!s->lab[h]) {
            size_t e = lower_estab(s, h);
            if (e > h)
                deid_relabel(s, h, e, AT_PHI_HOPITAL);
            continue;
        }
        if (s->lab[h] != AT_PHI_HOPITAL || (h > 0 && s->ent[h - 1] == s->ent[h]))
            continue;
        size_t ee = h;
        while (ee < s->n && ee - h < 16 && s->ent[ee] == s->ent[h])
            ee++;
        if (ee - h >= 16 || (ee < s->n && s->ent[ee] == s->ent[h]))
            continue;
        uint8_t lab[16];
        uint32_t ent[16];
        size_t m = ee - h;
        for (size_t x = 0; x < m && x < 16; x++) {
            lab[x] = s->lab[h + x];
            ent[x] = s->ent[h + x];
            s->lab[h + x] = 0;
        }
        size_t e = lower_estab(s, h);
        if (e > ee) {
            deid_relabel(s, h, e, AT_PHI_HOPITAL);
            continue;
        }
        for (size_t x = 0; x < m && x < 16; x++) {
            s->lab[h + x] = lab[x];
            s->ent[h + x] = ent[x];
        }
    }
}
