/* Establishments and communes in dictated text, all in lower case, after
 * the tagger: a transcript writes "à la clinique saint michel", "au centre
 * hospitalier de saint brieuc", "habite à saint gengoux le national",
 * "suivie à chalon sur saône", with no capital to tell a name. What tells
 * one here is the phrase's grammar:
 *   - an establishment's head in lower case (clinique, polyclinique,
 *     hôpital, centre hospitalier, chu, ehpad, institut), its adjectives
 *     (privé, universitaire ...), a connector, then a name's words: "saint"
 *     and the word after it, a word of the name lists or of no list, or after
 *     a connector a place's adjective ("du chalonnais"): the whole phrase is
 *     the establishment's;
 *   - after "à": "saint" and the word after it, or a word then "sur" or
 *     "sous" and a river or the sea ("chalon sur saône", "boulogne sur
 *     mer"): a commune, with its own connectors and names after it.
 * A phrase with a capital is the other passes' ("Clinique Saint-Michel"). */
#include "deid_scan.h"

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Token i is a word written in lower case on the line of token i - 1. */
static int low_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return i < s->n && k->kind == TOK_WORD && !k->cap && !k->allcaps && !k->nl && tl(s, i) <= 40;
}

/* (a transcript without apostrophes writes "de l alliance", "d auvergne") */
static const char *const connectors[] = {"de", "du", "des", "d'", "l'", "la", "l", "d", NULL};
static const char *const saints[] = {"saint", "sainte", "st", "ste", "saints", "saintes", NULL};
/* words of the language that end a name's phrase in a transcript */
static const char *const stops[] = {
    "en",   "pour",  "avec",  "depuis", "point", "virgule", "et",   "ou",      "par",    "dans",  "le",
    "les",  "au",    "aux",   "sur",    "sous",  "vers",    "chez", "a",       "à",      "puis",  "il",
    "elle", "on",    "nous",  "qui",    "que",   "pas",     "ne",   "service", "unite",  "unité", "est",
    "sont", "était", "etait", "avait",  "a",     "ont",     "fait", "suivi",   "suivie", NULL};
static const char *const adjectives[] = {"pluriprofessionnelle",
                                         "pluridisciplinaire",
                                         "prive",
                                         "privee",
                                         "public",
                                         "publique",
                                         "universitaire",
                                         "regional",
                                         "regionale",
                                         "departemental",
                                         "departementale",
                                         "intercommunal",
                                         "intercommunale",
                                         "general",
                                         "generale",
                                         "mutualiste",
                                         "europeen",
                                         "europeenne",
                                         "medical",
                                         "medicale",
                                         "militaire",
                                         "francais",
                                         "francaise",
                                         "americain",
                                         "international",
                                         "internationale",
                                         NULL};
/* heads a transcript names after its name's phrase ("le ssr les cèdres",
 * "la pharmacie du marché", "l'école primaire les marronniers") */
static const char *const dictated_heads[] = {"ssr",   "smr",     "usld",  "had", "pharmacie",
                                             "ecole", "college", "lycee", NULL};
static const char *const school_kinds[] = {"primaire", "maternelle", "elementaire", "professionnel", NULL};
static const char *const heads[] = {"clinique", "polyclinique", "hopital", "chu",  "ehpad",
                                    "institut", "chr",          "chic",    "chru", NULL};
/* what a centre, a house, a practice is of ("centre de santé", "maison de
 * santé", "cabinet de radiologie", "cabinet médical") */
static const char *const kinds[] = {"sante",          "radiologie", "imagerie",      "medical", "medicale",
                                    "kinesitherapie", "soins",      "radiotherapie", NULL};
/* rivers whose name is also a word of the language: after a word of no
 * list only ("boulogne sur mer", not "à dose sur mer") */
static const char *const river_words[] = {"mer",  "lot",   "cher", "vire", "var",  "orne", "aube",
                                          "gave", "somme", "ain",  "lys",  "aven", "orb",  NULL};
static const char *const rivers[] = {
    "mer",     "seine",    "saone",  "loire",    "marne",    "oise",     "aisne",   "meuse",  "moselle",
    "garonne", "dordogne", "lot",    "yonne",    "vienne",   "cher",     "indre",   "sarthe", "orne",
    "rhin",    "rhone",    "allier", "aube",     "eure",     "charente", "mayenne", "vire",   "sevre",
    "creuse",  "isere",    "tarn",   "aude",     "ain",      "doubs",    "loir",    "somme",  "sambre",
    "lys",     "deule",    "ource",  "armancon", "ouche",    "dives",    "touques", "risle",  "ardeche",
    "drome",   "durance",  "adour",  "gave",     "vilaine",  "erdre",    "odet",    "aven",   "blavet",
    "oust",    "huisne",   "thouet", "clain",    "gartempe", "vezere",   "correze", "cere",   "truyere",
    "lozere",  "herault",  "orb",    "agly",     "tet",      "var",      "verdon",  "argens", "siagne",
    NULL};

/* Regions and old provinces, safe words alone (the medical vocabulary
 * keeps them), a place's name after a connector in an establishment's
 * ("centre hospitalier de bretagne sud", "clinique de l'anjou"); and the
 * points of the compass that close such a name. */
static const char *const regions[] = {
    "bretagne", "normandie", "alsace",    "lorraine", "occitanie", "aquitaine", "provence", "corse",
    "auvergne", "bourgogne", "champagne", "picardie", "vendee",    "anjou",     "touraine", "savoie",
    "artois",   "flandre",   "flandres",  "gascogne", "berry",     "limousin",  "poitou",   "quercy",
    "perigord", "bearn",     "cotentin",  "bessin",   "beauce",    "sologne",   "alpes",    "pyrenees",
    "vosges",   "jura",      "ardennes",  "landes",   "cevennes",  "cantal",    NULL};
static const char *const compass[] = {"nord", "sud", "est", "ouest", NULL};

/* A word of a name: of a name list, or of no list (and no drug nor care
 * word); "saint" takes the word after it too. The end of the name's
 * part from i, i when none. */
/* A label a name's word may carry already: another pass's reading of it
 * as a person or a place ("saint michel" read as a street). */
static int name_label(int l)
{
    return !l || l == AT_PHI_NOM || l == AT_PHI_PRENOM || l == AT_PHI_VILLE || l == AT_PHI_ADRESSE ||
           l == AT_PHI_HOPITAL;
}

static size_t name_part(const text_scan *s, size_t i, int after_connector)
{
    if (!low_word(s, i) || !name_label(s->lab[i]) || deid_tok_in(s, i, stops))
        return i;
    if (deid_tok_in(s, i, saints)) {
        size_t j = i + 1;
        if (is_punct(s, j, '-') && !s->tok[j].nl)
            j++;
        if (low_word(s, j) && name_label(s->lab[j]) && !deid_tok_in(s, j, stops) &&
            !deid_tok_in(s, j, connectors))
            return j + 1;
        return i;
    }
    if (s->lab[i])
        return i + 1;
    unsigned lex = s->tok[i].lex;
    if (deid_tok_in(s, i, regions) || (after_connector && deid_tok_in(s, i, rivers)))
        return i + 1;
    if (lex & (LEX_MED | LEX_EPONYM))
        return i;
    if (lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY))
        return i + 1;
    if (!(lex & LEX_WORD))
        return tl(s, i) >= 3 ? i + 1 : i;
    /* "du chalonnais", "du blésois": a place's adjective after a connector */
    if (after_connector && tl(s, i) >= 6) {
        const char *w = s->t + s->tok[i].e;
        if (!memcmp(w - 3, "ais", 3) || !memcmp(w - 3, "ois", 3))
            return i + 1;
    }
    return i;
}

/* The end of a run of name parts from i, with connectors between them
 * (at most max tokens); i when none. */
static size_t name_run(const text_scan *s, size_t i, size_t max, int conn)
{
    size_t e = i, r = i;
    while (r < s->n && r - i < max) {
        size_t p = name_part(s, r, conn);
        if (p > r) {
            e = r = p;
            conn = 0;
            continue;
        }
        if (e > i && low_word(s, r) && !s->lab[r] && deid_tok_in(s, r, compass)) {
            e = ++r; /* "bretagne sud" */
            continue;
        }
        if (e > i && low_word(s, r) && !s->lab[r] &&
            (deid_tok_in(s, r, connectors) || tok_is(s, r, "sur") || tok_is(s, r, "sous") ||
             tok_is(s, r, "les") || tok_is(s, r, "le") || tok_is(s, r, "en"))) {
            /* a connector inside the name: only when a name part follows */
            size_t q = r + 1;
            if (q < s->n && deid_tok_in(s, r, connectors) && deid_tok_in(s, q, connectors) && low_word(s, q))
                q++; /* "de la" */
            if (name_part(s, q, 1) > q) {
                r = q;
                conn = 1;
                continue;
            }
        }
        break;
    }
    return e;
}

/* Tokens [a, b) as one entity of label: free, or read by another pass
 * as a name's or a place's word, which this phrase explains. */
static void take_as(text_scan *s, size_t a, size_t b, int label)
{
    for (size_t i = a; i < b; i++)
        if (!name_label(s->lab[i]))
            return;
    /* the entities it cuts into are taken whole or not at all */
    if ((a > 0 && s->lab[a] && s->ent[a - 1] == s->ent[a]) ||
        (b < s->n && s->lab[b - 1] && s->ent[b] == s->ent[b - 1]))
        return;
    deid_relabel(s, a, b, label);
}

/* what a care phrase is of, and the words of speech, that no name's
 * phrase holds ("hôpital de jour", "pharmacie de ville", "ah non") */
static const char *const phrase_stops[] = {
    "jour", "nuit", "semaine", "ville", "garde", "proximite", "reference", "ah",     "non", "oui",
    "euh",  "bon",  "alors",   "donc",  "aussi", "demain",    "hier",      "revoir", NULL};

/* A word of a place's name in a transcript, where the phrase alone tells
 * one: a word of the language too ("la côte d'émeraude", "du val de
 * saône"), neither a stop, a care word nor a number. */
static int phrase_word(const text_scan *s, size_t i)
{
    return low_word(s, i) && !s->lab[i] && !deid_tok_in(s, i, stops) && !deid_tok_in(s, i, connectors) &&
           !deid_tok_in(s, i, phrase_stops) && !tok_has_digit(s, i) && tl(s, i) >= 2 &&
           !(s->tok[i].lex & LEX_MED) &&
           !(s->tok[i].dflags & (DICT_MONTH | DICT_TITLE | DICT_ROLE | DICT_HOSP));
}

/* The end of a name's phrase from j in a transcript: its words and the
 * connectors between them, closed by a stop, a punctuation mark or the
 * line's end within 5 words; j when none. */
static size_t phrase_run(const text_scan *s, size_t j)
{
    size_t e = j, r = j, words = 0;
    while (r < s->n && phrase_word(s, r) && words < 5) {
        e = ++r;
        words++;
        if (r < s->n && low_word(s, r) && deid_tok_in(s, r, connectors)) {
            size_t q = r + 1;
            if (low_word(s, q) && deid_tok_in(s, q, connectors))
                q++;
            if (phrase_word(s, q))
                r = q;
        }
    }
    if (e == j || (e < s->n && !s->tok[e].nl && s->tok[e].kind == TOK_WORD && !deid_tok_in(s, e, stops) &&
                   !deid_tok_in(s, e, phrase_stops)))
        return j;
    return e;
}

/* "les" and a name's phrase opening with a plural ("les hortensias",
 * "les cèdres") from j: its end, j when none. */
static size_t plural_name(const text_scan *s, size_t j)
{
    if (!low_word(s, j) || !tok_is(s, j, "les") || !phrase_word(s, j + 1) || s->t[s->tok[j + 1].e - 1] != 's')
        return j;
    size_t e = phrase_run(s, j + 1);
    return e > j + 1 ? e : j;
}

static void establishment_at(text_scan *s, size_t h, int dictated)
{
    if (!low_word(s, h) || s->lab[h])
        return;
    size_t j = h + 1;
    if (dictated && deid_tok_in(s, h, dictated_heads)) {
        if (low_word(s, j) && deid_tok_in(s, j, school_kinds))
            j++;
        size_t e = j;
        if ((e = plural_name(s, j)) > j) {
            /* "le ssr les cèdres" */
        } else if (low_word(s, j) && deid_tok_in(s, j, connectors)) {
            size_t q = j + 1;
            if (low_word(s, q) && deid_tok_in(s, q, connectors))
                q++;
            e = phrase_run(s, q); /* "la pharmacie du marché" */
            if (e == q)
                e = j;
        }
        if (e > j)
            take_as(s, h, e, AT_PHI_HOPITAL);
        return;
    }
    if (tok_is(s, h, "centre") || tok_is(s, h, "groupe")) {
        /* "centre hospitalier", "groupe hospitalier", "centre de santé",
         * "centre d'imagerie"; a centre named after someone ("centre
         * oscar lambret"): a first name and a name's word */
        if (low_word(s, j) && tok_is(s, j, "hospitalier"))
            j++;
        else if (tok_is(s, h, "centre") && low_word(s, j) && !s->lab[j] && (s->tok[j].lex & LEX_FIRST) &&
                 !deid_tok_in(s, j, stops) && name_part(s, j + 1, 0) > j + 1) {
            /* (the name from j) */
        } else if (low_word(s, j) && low_word(s, j + 1) && (tok_is(s, j, "de") || tok_is(s, j, "d'")) &&
                   deid_tok_in(s, j + 1, kinds))
            j += 2;
        else
            return;
    } else if (tok_is(s, h, "maison") || tok_is(s, h, "cabinet") || tok_is(s, h, "pole")) {
        /* "maison de santé", "cabinet de radiologie", "cabinet médical" */
        if (low_word(s, j) && deid_tok_in(s, j, kinds))
            j++;
        else if (low_word(s, j) && low_word(s, j + 1) && tok_is(s, j, "de") && deid_tok_in(s, j + 1, kinds))
            j += 2;
        else
            return;
    } else if (!deid_tok_in(s, h, heads)) {
        return;
    }
    for (size_t hop = 0; hop < 2 && low_word(s, j) && deid_tok_in(s, j, adjectives); hop++)
        j++;
    int conn = 0;
    if (low_word(s, j) && deid_tok_in(s, j, connectors)) {
        j++;
        conn = 1;
        if (low_word(s, j) && deid_tok_in(s, j, connectors))
            j++;
    }
    /* "chu sud réunion", "hôpital nord franche comté": a point of the
     * compass first, in a transcript */
    if (!conn && dictated && low_word(s, j) && !s->lab[j] && deid_tok_in(s, j, compass) &&
        name_part(s, j + 1, 0) > j + 1)
        j++;
    size_t e = conn ? name_part(s, j, 1) : j;
    if (e == j)
        e = name_part(s, j, 0);
    if (e == j && dictated) {
        /* a transcript's phrase: "de la côte d'émeraude", "les hortensias",
         * "hôpital dupuytren" */
        if (conn)
            e = phrase_run(s, j);
        else if ((e = plural_name(s, j)) == j && low_word(s, j) && !s->lab[j] &&
                 (s->tok[j].lex & LEX_EPONYM) && !deid_tok_in(s, h, kinds))
            e = j + 1;
        if (e > j)
            take_as(s, h, e, AT_PHI_HOPITAL);
        return;
    }
    if (e == j)
        return;
    e = name_run(s, j, 8, conn);
    take_as(s, h, e, AT_PHI_HOPITAL);
}

/* "à La Mure", "à Le Tampon": a capitalised article after "à" and a
 * capitalised word, its hyphenated parts with it, is a commune's name
 * (the article of a common noun is not written with a capital there). */
static void article_commune_at(text_scan *s, size_t i)
{
    static const char *const articles[] = {"la", "le", "les", NULL};
    const text_tok *k = &s->tok[i];
    if (i + 1 >= s->n || k->kind != TOK_WORD || !k->cap || k->allcaps || k->nl || s->lab[i] ||
        !deid_tok_in(s, i, articles))
        return;
    size_t e = i + 1;
    const text_tok *u = &s->tok[e];
    if (u->nl || u->kind != TOK_WORD || !(u->cap || u->allcaps) || s->lab[e] || tl(s, e) < 3 ||
        (u->lex & (LEX_ORG | LEX_KIN | LEX_STREET | LEX_MED)) ||
        (u->dflags & (DICT_HOSP | DICT_HEAD | DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD)))
        return;
    e++;
    /* "La Roche-sur-Yon": the hyphenated parts glued to it */
    while (e + 1 < s->n && is_punct(s, e, '-') && s->tok[e].s == s->tok[e - 1].e &&
           s->tok[e + 1].s == s->tok[e].e && s->tok[e + 1].kind == TOK_WORD && !s->lab[e + 1])
        e += 2;
    mark(s, i, e, AT_PHI_VILLE);
}

static void commune_at(text_scan *s, size_t a, int dictated)
{
    size_t i = a + 1;
    if (i < s->n && s->tok[i].cap) {
        article_commune_at(s, i);
        return;
    }
    if (!low_word(s, i) || !name_label(s->lab[i]))
        return;
    size_t e = i;
    const text_tok *k = &s->tok[i];
    if (deid_tok_in(s, i, saints)) {
        e = name_part(s, i, 0);
    } else if (dictated && !s->lab[i] && tl(s, i) >= 3 && !tok_has_digit(s, i) && !deid_tok_in(s, i, stops) &&
               !deid_tok_in(s, i, connectors) && !(k->lex & (LEX_KIN | LEX_STREET | LEX_ORG)) &&
               !(k->dflags & (DICT_MONTH | DICT_TITLE | DICT_HOSP | DICT_STREET | DICT_ROLE)) &&
               ((k->lex & LEX_CITY) || ((k->lex & LEX_PLACE) && !(k->lex & (LEX_WORD | LEX_MED))) ||
                (!k->lex && k->fh))) {
        e = i + 1; /* in a transcript, "à quimper", "à surgères" */
    } else if (low_word(s, i + 1) && (tok_is(s, i + 1, "sur") || tok_is(s, i + 1, "sous")) &&
               low_word(s, i + 2) &&
               (deid_tok_in(s, i + 2, rivers) ||
                (!(s->tok[i].lex & (LEX_WORD | LEX_MED)) && !tok_has_digit(s, i) && tl(s, i) >= 3 &&
                 !(s->tok[i + 2].lex & LEX_MED) && !s->lab[i + 2] && !deid_tok_in(s, i + 2, stops))) &&
               !deid_tok_in(s, i, stops) && !(s->tok[i].lex & LEX_MED) &&
               !(deid_tok_in(s, i + 2, river_words) && (s->tok[i].lex & LEX_WORD))) {
        e = i + 3; /* "chalon sur saône", "boulogne sur mer" */
    }
    if (e == i) {
        /* in a transcript, after an address, a person, an employer or an
         * establishment found ("rue de la gare à landerneau", "docteur
         * lemoine à pont-l'évêque", "chez somfy à cluses"): the phrase is
         * the town, a word of the language too ("moulins", "vitré") */
        static const char *const not_towns[] = {
            "domicile", "jeun",  "distance", "nouveau", "cause",  "partir", "revoir", "suivre",
            "prevoir",  "noter", "temps",    "present", "priori", "vie",    "terme",  "cet",
            "chaque",   "peu",   "plus",     "moins",   "mi",     "votre",  "notre",  NULL};
        int lab = a > 0 ? s->lab[a - 1] : 0;
        size_t il = tl(s, i);
        const char *iw = s->t + k->s;
        int infinitive =
            il > 3 && (k->lex & LEX_WORD) && iw[il - 1] == 'r' && (iw[il - 2] == 'e' || iw[il - 2] == 'i');
        if (dictated && !s->lab[i] && a > 0 && !s->tok[a].nl && tl(s, a) == 2 && !infinitive &&
            !deid_number_word_tok(s, i) &&
            (lab == AT_PHI_ADRESSE || lab == AT_PHI_NOM || lab == AT_PHI_PRENOM || lab == AT_PHI_EMPLOYEUR ||
             lab == AT_PHI_HOPITAL) &&
            !deid_tok_in(s, i, not_towns) && !tok_has_digit(s, i)) {
            size_t r = phrase_run(s, i);
            if (r > i && r - i <= 4)
                take_as(s, i, r, AT_PHI_VILLE);
        }
        return;
    }
    size_t r = e;
    if (r < s->n && low_word(s, r) && !s->lab[r] && r + 1 < s->n &&
        (tok_is(s, r, "le") || tok_is(s, r, "la") || tok_is(s, r, "les") || tok_is(s, r, "en") ||
         tok_is(s, r, "sur") || tok_is(s, r, "sous") || tok_is(s, r, "d'")) &&
        name_part(s, r + 1, 1) > r + 1)
        e = name_part(s, r + 1, 1); /* "saint martin d'hères", "saint jean en royans" */
    else if (e > i + 1 && deid_tok_in(s, i, saints) && r < s->n && low_word(s, r) && !s->lab[r] &&
             (tok_is(s, r, "de") || tok_is(s, r, "du") || tok_is(s, r, "des")) && low_word(s, r + 1) &&
             !(s->tok[r + 1].lex & LEX_MED) &&
             (!(s->tok[r + 1].lex & LEX_WORD) || (s->tok[r + 1].lex & LEX_PLACE)) &&
             name_part(s, r + 1, 1) > r + 1)
        e = name_part(s, r + 1, 1); /* "saint rémy de provence", "saint jean de monts" */
    take_as(s, i, e, AT_PHI_VILLE);
}

/* "le docteur masson de chalon sur saône", "docteur lemoine de saint
 * malo": in a transcript, the place after a doctor's name and "de" is
 * the doctor's town (a word of the language there is not: "de garde",
 * "de radiothérapie"). i: the last token of the name. */
static void doctor_town_at(text_scan *s, size_t i)
{
    if (!low_word(s, i + 1) || !tok_is(s, i + 1, "de"))
        return;
    size_t a = i;
    while (a > 0 && s->ent[a - 1] == s->ent[i] && s->lab[a - 1] == s->lab[i])
        a--;
    if (a == 0 || !(s->tok[a - 1].dflags & DICT_TITLE) || !low_word(s, i + 1) || !tok_is(s, i + 1, "de") ||
        s->tok[a].cap || s->tok[a].allcaps)
        return;
    size_t j = i + 2, e = j;
    if (!low_word(s, j) || s->lab[j] || deid_tok_in(s, j, connectors))
        return;
    if (low_word(s, j + 1) && (tok_is(s, j + 1, "sur") || tok_is(s, j + 1, "sous")) && low_word(s, j + 2) &&
        !(s->tok[j].lex & LEX_MED) && !deid_tok_in(s, j, stops) && !s->lab[j + 2] &&
        ((deid_tok_in(s, j + 2, rivers) &&
          !(deid_tok_in(s, j + 2, river_words) && (s->tok[j].lex & LEX_WORD))) ||
         (!(s->tok[j].lex & LEX_WORD) && !tok_has_digit(s, j) && tl(s, j) >= 3 &&
          !deid_tok_in(s, j + 2, stops) && !(s->tok[j + 2].lex & LEX_MED))))
        e = j + 3; /* "mehun sur yèvre" */
    else
        e = name_run(s, j, 5, 0);
    if (e > j)
        take_as(s, j, e, AT_PHI_VILLE);
}

/* A commune said right after where one lives or comes from, without
 * "à" ("il habite landerneau", "son fils habite le havre", "venu de
 * cognac", "originaire de porto"): the phrase after the verb, or after
 * "de", is the town, a word of the language too, unless it says how or
 * with whom one lives ("habite seule", "vit chez sa fille", "habite une
 * maison"). "le", "la", "les" open it only with a commune of the lists
 * ("le havre"). i: the verb. */
static void residence_at(text_scan *s, size_t i)
{
    static const char *const live[] = {"habite",    "habitent", "habitait", "vit",      "vivent",    "vivait",
                                       "demeurant", "demeure",  "reside",   "residant", "residante", NULL};
    static const char *const come[] = {"venu",   "venue",   "vient",  "originaire", "revenu", "revenue",
                                       "arrive", "arrivee", "rentre", "rentree",    NULL};
    static const char *const how[] = {"seul",
                                      "seule",
                                      "seuls",
                                      "seules",
                                      "chez",
                                      "loin",
                                      "pres",
                                      "ensemble",
                                      "toujours",
                                      "encore",
                                      "actuellement",
                                      "maintenant",
                                      "desormais",
                                      "ici",
                                      "la",
                                      "un",
                                      "une",
                                      "son",
                                      "sa",
                                      "ses",
                                      "leur",
                                      "tout",
                                      "tous",
                                      "non",
                                      "plus",
                                      "aussi",
                                      "egalement",
                                      "bien",
                                      "mal",
                                      "seulement",
                                      "uniquement",
                                      "proche",
                                      "maison",
                                      "appartement",
                                      "ferme",
                                      "pavillon",
                                      "residence",
                                      "foyer",
                                      "studio",
                                      "caravane",
                                      "village",
                                      "quartier",
                                      "campagne",
                                      "ville",
                                      "centre",
                                      "bourg",
                                      "hameau",
                                      "etage",
                                      "rez-de-chaussee",
                                      "mobil-home",
                                      "dehors",
                                      "normalement",
                                      "difficilement",
                                      "avec",
                                      "dans",
                                      "de",
                                      "du",
                                      "des",
                                      "consulter",
                                      "voir",
                                      "faire",
                                      "passer",
                                      "chercher",
                                      "nous",
                                      "vous",
                                      "me",
                                      "te",
                                      "se",
                                      "lui",
                                      "y",
                                      "en",
                                      "jusqu'a",
                                      "jusqu",
                                      "depuis",
                                      "avant",
                                      "apres",
                                      "hier",
                                      "aujourd'hui",
                                      "demain",
                                      "ce",
                                      "cette",
                                      "cet",
                                      NULL};
    size_t j = i + 1;
    if (deid_tok_in(s, i, come)) {
        if (!(low_word(s, j) && (tok_is(s, j, "de") || tok_is(s, j, "d"))))
            return;
        j++;
    } else if (!deid_tok_in(s, i, live)) {
        return;
    }
    if (!low_word(s, j) || s->lab[j])
        return;
    if (tok_is(s, j, "le") || tok_is(s, j, "la") || tok_is(s, j, "les")) {
        /* "le havre", "la rochelle": the two words a commune of the lists */
        if (!low_word(s, j + 1) || s->lab[j + 1] || s->tok[j + 1].e - s->tok[j].s >= 60)
            return;
        char f[128];
        int fl = at_text_fold(s->t + s->tok[j].s, s->tok[j + 1].e - s->tok[j].s, f, sizeof f);
        if (fl > 0 && (text_dict_get(&s->d->dict, f, (size_t)fl, NULL) & DICT_CITY)) {
            take_as(s, j, j + 2, AT_PHI_VILLE);
        } else if (phrase_word(s, j + 1) &&
                   !(s->tok[j + 1].lex & (LEX_WORD | LEX_KIN | LEX_STREET | LEX_ORG))) {
            /* or a word of no list after the article ("habite le
             * guilvinec", "vit a la tremblade") */
            size_t e = phrase_run(s, j + 1);
            if (e > j + 1 && e - j <= 4)
                take_as(s, j, e, AT_PHI_VILLE);
        }
        return;
    }
    const text_tok *k = &s->tok[j];
    if (deid_tok_in(s, j, how) || (k->lex & (LEX_KIN | LEX_STREET | LEX_ORG)) ||
        (k->dflags & (DICT_STREET | DICT_RESID | DICT_BIRTH)) || deid_number_word_tok(s, j))
        return;
    size_t e = phrase_run(s, j);
    if (e > j && e - j <= 4)
        take_as(s, j, e, AT_PHI_VILLE);
}

void deid_pass_dictated_places(text_scan *s)
{
    int dictated = deid_dictated_chunk(s);
    for (size_t i = 0; dictated && i + 1 < s->n;) {
        i = deid_next_label_of(s, i, AT_PHI_NOM, AT_PHI_NOM, AT_PHI_NOM, AT_PHI_NOM);
        if (i + 1 >= s->n)
            break;
        if (s->lab[i] == AT_PHI_NOM && s->ent[i + 1] != s->ent[i])
            doctor_town_at(s, i);
        i++;
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++)
        establishment_at(s, s->list[TEXT_LIST_ORG][q], dictated);
    /* ("à" is on the list of capitalised words) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        if (tl(s, i) == 2 && !memcmp(s->t + s->tok[i].s, "\xC3\xA0", 2))
            commune_at(s, i, dictated);
    }
    for (size_t i = 1; dictated && i + 1 < s->n; i++) {
        if (!s->lab[i] && low_word(s, i) && !s->lab[i + 1] && tl(s, i) >= 3 &&
            (s->t[s->tok[i].s] == 'h' || s->t[s->tok[i].s] == 'v' || s->t[s->tok[i].s] == 'd' ||
             s->t[s->tok[i].s] == 'r' || s->t[s->tok[i].s] == 'o' || s->t[s->tok[i].s] == 'a'))
            residence_at(s, i);
        /* an establishment another pass found, and its region or point
         * of the compass after it ("chu grenoble alpes", "ch bretagne
         * sud") */
        if (s->lab[i - 1] == AT_PHI_HOPITAL && !s->lab[i] && low_word(s, i) &&
            (deid_tok_in(s, i, regions) || deid_tok_in(s, i, compass)) &&
            (i + 1 >= s->n || s->tok[i + 1].nl || !low_word(s, i + 1) || deid_tok_in(s, i + 1, stops) ||
             s->lab[i + 1])) {
            s->lab[i] = AT_PHI_HOPITAL;
            s->ent[i] = s->ent[i - 1];
            continue;
        }
        /* a transcript typed without accents writes "à" as "a" ("habite
         * a cleden cap sizun", "a saint cyr sur loire"): after a word of
         * its line, the same reading */
        if (s->t[s->tok[i].s] == 'a' && tl(s, i) == 1 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_WORD &&
            !s->lab[i])
            commune_at(s, i, dictated);
        /* "lieu dit kerguerhent", "lieu dit la galandière": a transcript
         * writes the hamlet's word in two; the words after it are its
         * name */
        else if (s->t[s->tok[i].s] == 'l' && tok_is(s, i, "lieu") && low_word(s, i + 1) &&
                 tok_is(s, i + 1, "dit") && !s->lab[i] && !s->lab[i + 1]) {
            size_t j = i + 2;
            if (low_word(s, j) && (tok_is(s, j, "la") || tok_is(s, j, "le") || tok_is(s, j, "les")))
                j++;
            size_t e = phrase_run(s, j);
            if (e > j && e - j <= 4)
                take_as(s, i, e, AT_PHI_ADRESSE);
        }
    }
}
