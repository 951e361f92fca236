/* Organisations named after their region, and the acronyms a document
 * makes of its establishments, after the other passes.
 *
 * A region or a département alone names no one (the annotators keep
 * "en Bretagne", "la Sarthe"), but one that closes an organisation's
 * name is part of that name: "Cypath Orne", "3C Touraine", "HAD Val de
 * Loire 45", "Réseau Onco-Normandie" (found) + "Occitanie", "CH
 * Bretagne Sud"; and one that opens a firm's name too: "Normandie Énergie
 * Services", "Vosges Médical Services". What goes before the region must
 * be an organisation's: an entity the passes found, an acronym of an
 * organisation (not an administration: "CPAM du Rhône", "ARS Bretagne"
 * are the annotators' no one's), a word no list holds ("RESPALIA Marne")
 * or a word of care or of a firm ("Pathologie Franche-Comté").
 *
 * A document that names an establishment in full and then by its
 * initials ("Centre hospitalier de Mayotte ... au CHM", "Institut de
 * cancérologie de Lorraine = ICL") names it by both: the initials of each
 * establishment found are looked for in the document's other words in
 * capitals. */
#include "deid_scan.h"

#include <pthread.h>

/* regions, old provinces, pays and départements (folded, one word or
 * hyphenated); not La Réunion, whose "Réunion du 3 mars" opens every
 * tumour board's minutes */
static const char *const regions[] = {
    "adour",      "agenais",     "ain",         "aisne",      "albigeois", "allier",     "alpes",
    "alsace",     "angoumois",   "anjou",       "aquitaine",  "ardeche",   "ardenne",    "ardennes",
    "argonne",    "ariege",      "armagnac",    "armor",      "armorique", "artois",     "aube",
    "aude",       "aunis",       "auvergne",    "avesnois",   "aveyron",   "bearn",      "beauce",
    "beaujolais", "berry",       "bessin",      "bfc",        "bigorre",   "boulonnais", "bourbonnais",
    "bourgogne",  "bresse",      "bretagne",    "bugey",      "calaisis",  "calvados",   "camargue",
    "cambresis",  "cantal",      "cerdagne",    "cevennes",   "chablais",  "chalosse",   "champagne",
    "charente",   "charentes",   "charolais",   "choletais",  "comminges", "comte",      "cornouaille",
    "correze",    "corse",       "cotentin",    "creuse",     "dombes",    "dordogne",   "doubs",
    "drome",      "dunkerquois", "essonne",     "eure",       "faucigny",  "finistere",  "flandre",
    "flandres",   "forez",       "franche",     "gard",       "garonne",   "gascogne",   "gatinais",
    "genevois",   "gers",        "gevaudan",    "gironde",    "goelo",     "guadeloupe", "guyane",
    "hainaut",    "hdf",         "herault",     "idf",        "indre",     "isere",      "jura",
    "landes",     "languedoc",   "lauragais",   "limousin",   "loir",      "loire",      "loiret",
    "lorraine",   "lozere",      "luberon",     "maconnais",  "marne",     "martinique", "mauges",
    "mayenne",    "mayotte",     "medoc",       "meuse",      "minervois", "morbihan",   "morvan",
    "moselle",    "nievre",      "nivernais",   "normandie",  "occitanie", "oisans",     "oise",
    "opale",      "orne",        "paca",        "penthievre", "perigord",  "pevele",     "picardie",
    "poitou",     "provence",    "pyrenees",    "quercy",     "rhin",      "rhone",      "rouergue",
    "roussillon", "saintonge",   "santerre",    "saone",      "sarladais", "sarthe",     "saumurois",
    "savoie",     "seine",       "soissonnais", "sologne",    "somme",     "sundgau",    "ternois",
    "thierache",  "touraine",    "tarn",        "tregor",     "vaucluse",  "velay",      "vendee",
    "vercors",    "vexin",       "vosges",      "weppes",     "yonne",     "yvelines",   NULL};

/* départements of several words whose other words no list holds
 * ("Ille-et-Vilaine", "Puy-de-Dôme"; folded) */
static const char *const compound_departements[] = {"ille-et-vilaine",
                                                    "meurthe-et-moselle",
                                                    "bouches-du-rhone",
                                                    "deux-sevres",
                                                    "puy-de-dome",
                                                    "pas-de-calais",
                                                    "cote-d'or",
                                                    "seine-saint-denis",
                                                    "maine-et-loire",
                                                    "pyrenees-orientales",
                                                    "pyrenees-atlantiques",
                                                    "alpes-maritimes",
                                                    "loir-et-cher",
                                                    "lot-et-garonne",
                                                    "haute-vienne",
                                                    "territoire-de-belfort",
                                                    NULL};

/* the words a region's name is written with around its own
 * ("Pays de la Loire", "Haute-Savoie", "Sud-Gironde", "Côtes-d'Armor",
 * "Bretagne Sud", "Loire-Atlantique") */
static const char *const region_words[] = {
    "sud", "nord", "est",  "ouest", "haut", "haute",      "hauts",    "bas",   "basse", "grand", "centre",
    "val", "pays", "cote", "cotes", "de",   "du",         "des",      "la",    "le",    "les",   "et",
    "d",   "l",    "sur",  "en",    "ile",  "atlantique", "maritime", "saint", NULL};

/* administrations and insurers named by region (no one's by the
 * annotators' usage) */
static const char *const administrations[] = {
    "cpam",   "msa",  "mdph",  "ars",   "caf",  "cgss",  "udaf", "crip", "carsat", "urssaf", "ddets",
    "dreets", "ddpp", "dsden", "ddfip", "drac", "dreal", "ddt",  "ddtm", "sdis",   "mda",    "cd",
    "cg",     "cr",   "ter",   "rn",    "rd",   "tgv",   "anfh", "ancv", "apa",    "pch",    "aah",
    "ald",    "rcp",  "irm",   "tep",   "pet",  "tdm",   "ct",   "crb",  "ddec",   NULL};

/* words of care and of firms that end or begin an organisation's name
 * beside a region ("Pathologie Franche-Comté", "Anjou Médical Services") */
static const char *const org_words[] = {"pathologie",    "anapath",         "cytopath",    "imagerie",
                                        "radiologie",    "biologie",        "laboratoire", "labo",
                                        "reseau",        "cancer",          "oncologie",   "cancerologie",
                                        "sante",         "soins",           "services",    "service",
                                        "ambulances",    "ambulance",       "taxis",       "transports",
                                        "logistique",    "medical",         "medicale",    "proprete",
                                        "energie",       "securite",        "industrie",   "industries",
                                        "distribution",  "pharmacie",       "maternite",   "clinique",
                                        "radiotherapie", "dialyse",         "nutrition",   "domicile",
                                        "palliatifs",    "hospitalisation", NULL};

/* initials the detector's other passes read as generic ("le CHU") */
static const char *const generic_initials[] = {"chu", "chr",  "chru",  "clcc", "had", "ssr",
                                               "smr", "usld", "ehpad", "ght",  "ghu", "chi",
                                               "chg", "chd",  "chs",   "cht",  NULL};

/* Folded word (ASCII after folding) w[0..n) is in set. */
static int folded_in(const char *w, size_t n, const char *const *set)
{
    for (; *set; set++)
        if ((*set)[0] == w[0] && !strncmp(*set, w, n) && (*set)[n] == 0)
            return 1;
    return 0;
}

/* the first parts of a care network's or laboratory's one word
 * ("Onco-Normandie", "Bio-Vosges", "Cyto-Bretagne") */
static const char *const care_prefixes[] = {"onco", "bio",    "cyto",  "anapath", "patho",  "radio", "hemato",
                                            "uro",  "pneumo", "neuro", "gyneco",  "pallia", "nutri", NULL};

/* regions, region_words and care_prefixes indexed (deid_scan.h), built
 * once: most parts are out of a set at one look */
static text_word_index region_ix = {.set = regions}, region_words_ix = {.set = region_words},
                       care_ix = {.set = care_prefixes};
static pthread_once_t region_ix_once = PTHREAD_ONCE_INIT;

static void region_ix_build(void)
{
    text_word_index_build(&region_ix);
    text_word_index_build(&region_words_ix);
    text_word_index_build(&care_ix);
}

/* The folded word f (fl bytes) as a region's: 2 when it names a region
 * or a département (alone or in a hyphenated name whose other parts are
 * region_words), 3 when a care prefix opens it ("Onco-Normandie": an
 * organisation by itself), 1 when it is one of region_words only, 0
 * otherwise (the tokeniser's trigger code asks it of every new
 * capitalised word). */
int deid_region_word(const char *f, size_t fl)
{
    pthread_once(&region_ix_once, region_ix_build);
    if (fl >= 11 && memchr(f, '-', fl) && folded_in(f, fl, compound_departements))
        return 2;
    int region = 0, care = 0;
    for (size_t a = 0; a < fl;) {
        size_t b = a;
        while (b < fl && f[b] != '-' && f[b] != '\'')
            b++;
        if (b > a) {
            if (text_word_index_has(&region_ix, f + a, b - a))
                region = 1;
            else if (a == 0 && b < fl && text_word_index_has(&care_ix, f, b))
                care = 1;
            else if (!text_word_index_has(&region_words_ix, f + a, b - a))
                return 0;
        }
        a = b + 1;
    }
    return region ? (care ? 3 : 2) : care ? 0 : 1;
}

/* Token i as a region's (deid_region_word of its fold). */
int deid_region_tok(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return 0;
    size_t n = s->tok[i].e - s->tok[i].s;
    if (n > 40)
        return 0;
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, n, f, sizeof f);
    return fl > 0 ? deid_region_word(f, (size_t)fl) : 0;
}

static const char *const compass[] = {"sud", "nord", "est", "ouest", NULL};

/* The end of a region's name written from token j on its line ("Pays de
 * la Loire", "Sud-Gironde", "Bretagne Sud", "Val de Loire 45": a
 * département's number after it too), j when none: its first word
 * capitalised, a region among its words, at most six of them. */
static size_t region_end(const text_scan *s, size_t j)
{
    if (!s->tok[j].cap)
        return j;
    size_t last = j;
    int seen = 0;
    for (size_t q = j; q < s->n && q < j + 6; q++) {
        if (q > j && (s->tok[q].nl || s->tok[q].kind != TOK_WORD))
            break;
        int r = deid_region_tok(s, q);
        if (!r)
            break;
        if (r == 2)
            seen = 1;
        /* a compass word after the region closes it too ("Bretagne Sud") */
        if (r == 2 || (seen && s->tok[q].cap && tok_ascii_in(s, q, compass)))
            last = q + 1;
    }
    if (!seen)
        return j;
    if (last < s->n && s->tok[last].kind == TOK_NUM && !s->tok[last].nl &&
        s->tok[last].e - s->tok[last].s == 2)
        last++; /* "HAD Val de Loire 45" */
    return last;
}

/* the firms' words among org_words: their name is an employer's */
static const char *const firm_words[] = {"services",   "service",    "ambulances",   "ambulance", "taxis",
                                         "transports", "logistique", "proprete",     "energie",   "securite",
                                         "industrie",  "industries", "distribution", NULL};

static int org_word(const text_scan *s, size_t i)
{
    return s->tok[i].kind == TOK_WORD && s->tok[i].cap && deid_tok_in(s, i, org_words);
}

/* Token a may stand for an organisation before a region: an acronym that
 * is no administration's, "3C", a capitalised word no list holds, or a
 * word of care or of a firm. */
static int org_anchor(const text_scan *s, size_t a)
{
    const text_tok *k = &s->tok[a];
    if (s->lab[a] || k->kind != TOK_WORD || deid_region_tok(s, a))
        return 0;
    if (tok_is(s, a, "3c"))
        return 1;
    if (!k->cap)
        return 0;
    size_t n = k->e - k->s;
    if (k->allcaps && n >= 2 && n <= 7 && !(k->lex & LEX_WORD))
        return !tok_ascii_in(s, a, administrations);
    if (!k->lex && !k->dflags && n >= 4 && !tok_has_digit(s, a))
        return 1;
    return org_word(s, a);
}

/* The first token of token i's entity. */
static size_t ent_start(const text_scan *s, size_t i)
{
    while (i > 0 && s->lab[i - 1] && s->ent[i - 1] == s->ent[i])
        i--;
    return i;
}

static int org_label(int l)
{
    return l == AT_PHI_HOPITAL || l == AT_PHI_EMPLOYEUR;
}

/* The region's name [j, e) closes an organisation's before it: 1 when
 * labelled so. */
static int region_after_org(text_scan *s, size_t j, size_t e)
{
    if (j == 0 || s->tok[j].nl)
        return 0;
    size_t a = j - 1;
    int conn = 0;
    while (a > 0 && conn < 2 && !s->tok[a].nl && !s->lab[a] &&
           (tok_is(s, a, "du") || tok_is(s, a, "de") || tok_is(s, a, "des") || tok_is(s, a, "la") ||
            tok_elided(s, a, 'l') || tok_elided_d(s, a))) {
        a--;
        conn++;
    }
    if (conn && s->tok[a + 1].nl)
        return 0;
    if (org_label(s->lab[a])) {
        deid_relabel(s, ent_start(s, a), e, s->lab[a]);
        return 1;
    }
    if (!org_anchor(s, a))
        return 0;
    size_t st = a;
    int l = deid_tok_in(s, a, firm_words) ? AT_PHI_EMPLOYEUR : AT_PHI_HOPITAL;
    if (a > 0 && !s->tok[a].nl && org_label(s->lab[a - 1])) {
        st = ent_start(s, a - 1); /* "Laboratoire BIOLOR" + "Lorraine" */
        l = s->lab[a - 1];
    }
    deid_relabel(s, st, e, l);
    return 1;
}

/* The region's name [j, e) opens a firm's: up to three capitalised words
 * after it on its line, the last a word of care or of a firm ("Anjou
 * Médical Services", "Normandie Énergie Services"); not after a
 * preposition ("en Bretagne"). */
static int region_before_org(text_scan *s, size_t j, size_t e)
{
    if (j > 0 && !s->tok[j].nl &&
        (tok_is(s, j - 1, "en") || tok_is(s, j - 1, "de") || tok_is(s, j - 1, "du") ||
         tok_is(s, j - 1, "la") || tok_is(s, j - 1, "le") || tok_elided(s, j - 1, 'l') ||
         tok_elided_d(s, j - 1)))
        return 0;
    size_t q = e, last = 0;
    while (q < s->n && q < e + 3 && !s->tok[q].nl && !s->lab[q] && s->tok[q].kind == TOK_WORD &&
           s->tok[q].cap) {
        if (org_word(s, q))
            last = q + 1;
        q++;
    }
    if (!last)
        return 0;
    deid_relabel(s, j, last, deid_tok_in(s, last - 1, firm_words) ? AT_PHI_EMPLOYEUR : AT_PHI_HOPITAL);
    return 1;
}

void deid_region_keys(uint64_t keys[16])
{
    memset(keys, 0, 16 * sizeof *keys);
    for (int set = 0; set < 2; set++)
        for (const char *const *w = set ? region_words : regions; *w; w++) {
            char pad[64] = {0};
            size_t n = strlen(*w);
            memcpy(pad, *w, n);
            uint32_t h = (uint32_t)text_dict_hash_padded(pad, n);
            keys[(h & 1023) >> 6] |= 1ull << (h & 63);
        }
}

/* Token j may be a region's word: its folded hash is one of theirs, or
 * it is hyphenated (its parts are looked at: "Sud-Gironde",
 * "Côtes-d'Armor"). */
static int region_may(const text_scan *s, size_t j)
{
    const text_tok *k = &s->tok[j];
    const uint64_t *keys = s->d->region_keys;
    if (k->fh && (keys[(k->fh & 1023) >> 6] >> (k->fh & 63) & 1))
        return 1;
    for (size_t p = k->s + 2; p + 2 < k->e; p++)
        if (s->t[p] == '-')
            return 1;
    return 0;
}

void deid_pass_region_orgs(text_scan *s)
{
    if (!(s->seen & TEXT_SEEN_REGION))
        return;
    const uint32_t *list = s->list[TEXT_LIST_NAME];
    size_t done = 0; /* tokens before it are taken */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t j = list[q];
        if (j < done || s->tok[j].kind != TOK_WORD)
            continue;
        /* a word before it on its line, or a capitalised one after it:
         * most capitalised words have neither */
        int near = (j > 0 && !s->tok[j].nl && s->tok[j - 1].kind == TOK_WORD &&
                    (s->tok[j - 1].cap || s->lab[j - 1] || s->tok[j - 1].e - s->tok[j - 1].s <= 3)) ||
                   (j + 1 < s->n && !s->tok[j + 1].nl && s->tok[j + 1].kind == TOK_WORD && s->tok[j + 1].cap);
        /* (a care network's one word stands alone: "réseau Onco-Normandie") */
        if (!region_may(s, j) || (!near && deid_region_tok(s, j) != 3))
            continue;
        /* (inside an entity found: its own) */
        if (s->lab[j] && j > 0 && s->ent[j - 1] == s->ent[j])
            continue;
        if (deid_region_tok(s, j) == 3) {
            /* a care network's or laboratory's one word, and the region's
             * words after it ("Onco-Loire Atlantique Nord") */
            size_t e = j + 1;
            while (e < s->n && e < j + 4 && !s->tok[e].nl && !s->lab[e] && s->tok[e].cap &&
                   deid_region_tok(s, e))
                e++;
            if (!s->lab[j] || s->lab[j] == AT_PHI_VILLE)
                deid_relabel(s, j, e, AT_PHI_HOPITAL);
            done = e;
            continue;
        }
        size_t e = region_end(s, j);
        if (e == j)
            continue;
        int ok = 1;
        for (size_t p = j; p < e && ok; p++)
            ok = !s->lab[p] || s->lab[p] == AT_PHI_VILLE || org_label(s->lab[p]);
        if (!ok || (e < s->n && s->lab[e] && s->ent[e] == s->ent[e - 1]))
            continue;
        if (!region_after_org(s, j, e))
            region_before_org(s, j, e);
        done = e; /* (its later words open no region of their own) */
    }
}

/* ---- a document's initials of its establishments --------------------------- */

#define MAX_INITIALS 16

static const char *const initial_skips[] = {"de", "du", "des", "la", "le",  "les",  "l",      "d", "et",
                                            "en", "au", "aux", "a",  "sur", "pour", "contre", NULL};

/* Append to out[*n] the initials of word token i's parts ("Jean-Pierre"
 * J, P), upper-case ASCII: an establishment's (person 0) skip the
 * connectors, a person's (person 1) letters alone ("L'" of "L'Hôpital").
 * 0 when more than max would be written. */
static int token_initials(const text_scan *s, size_t i, int person, char *out, size_t *n, size_t max)
{
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, sizeof f);
    for (size_t p = 0; fl > 0 && p < (size_t)fl;) {
        size_t q = p;
        while (q < (size_t)fl && f[q] != '-' && f[q] != '\'')
            q++;
        if (q > p + (size_t)person && f[p] >= 'a' && f[p] <= 'z' &&
            (person || !folded_in(f + p, q - p, initial_skips))) {
            if (*n == max)
                return 0;
            out[(*n)++] = (char)(f[p] - 32);
        }
        p = q + 1;
    }
    return 1;
}

/* The initials of the entity [a, b) into out (upper-case ASCII, at most
 * 7): every word's, or (caps_only) the capitalised words' only; 0 when
 * they are fewer than 3 or more than 7. */
static size_t entity_initials(const text_scan *s, size_t a, size_t b, int caps_only, char out[8])
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        if (s->tok[i].kind == TOK_WORD && (!caps_only || s->tok[i].cap) &&
            !token_initials(s, i, 0, out, &n, 7))
            return 0;
    out[n] = 0;
    return n >= 3 ? n : 0;
}

/* Token i of TEXT_LIST_ORG may be an establishment's or a person's
 * initials: two to six capitals, unlabelled, no word of the language nor
 * medical abbreviation. */
static int initials_may(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    return !s->lab[i] && k->allcaps && n >= 2 && n <= 6 && k->kind == TOK_WORD &&
           !(k->lex & (LEX_MED | LEX_WORD));
}

/* The initials of a person found as a first name and a surname side by
 * side, [a, b) and [c, d) (either order), into out: the first name's
 * letters (one a part: "Jean-Pierre" JP) then the surname's capitalised
 * words' ("Le Goff" LG), two to four in all; 0 when none. */
static size_t person_initials(const text_scan *s, size_t a, size_t b, size_t c, size_t d, char out[8])
{
    size_t n = 0;
    for (int part = 0; part < 2; part++)
        for (size_t i = part ? c : a; i < (part ? d : b); i++)
            if (s->tok[i].kind == TOK_WORD && s->tok[i].cap && !token_initials(s, i, 1, out, &n, 4))
                return 0;
    out[n] = 0;
    return n >= 2 ? n : 0;
}

/* Token i stands where a person's initials sign: after '(', '/', a
 * line's start or a signer's word ("Signé", "Dictée", "validé", "par"),
 * and before ')', '/', ',' or the line's end ("Signé SG/KB", "(TD)",
 * "Dictée OB / frappe"); not a unit after a number ("14 SA"), an
 * e-mail's "TR:" or a dose's "LP 10 mg". */
static int signs_here(const text_scan *s, size_t i)
{
    static const char *const signers[] = {"par", "signe", "dictee", "frappe", "valide", "visa", "vu", "avec",
                                          "et",  "cc",    "relu",   "saisi",  "fait",   "note", NULL};
    int before = i == 0 || s->tok[i].nl || is_punct(s, i - 1, '(') || is_punct(s, i - 1, '/') ||
                 (s->tok[i - 1].kind == TOK_WORD && deid_tok_in(s, i - 1, signers));
    int after = i + 1 >= s->n || s->tok[i + 1].nl || is_punct(s, i + 1, ')') || is_punct(s, i + 1, '/') ||
                is_punct(s, i + 1, ',');
    return before && after;
}

/* Add the initials ini (with label l) to the document's set, once. */
static void add_initials(char set[][8], uint8_t *labels, size_t *m, const char *ini, int l)
{
    for (size_t q = 0; q < *m; q++)
        if (!strcmp(set[q], ini))
            return;
    if (*m < MAX_INITIALS) {
        memcpy(set[*m], ini, 8);
        labels[(*m)++] = (uint8_t)l;
    }
}

void deid_pass_acronyms(text_scan *s)
{
    /* (most texts have no such word: nothing to work out) */
    size_t first = 0;
    while (first < s->nlist[TEXT_LIST_ORG] && !initials_may(s, s->list[TEXT_LIST_ORG][first]))
        first++;
    /* what is looked for: an establishment's initials (an acronym of
     * three letters or more), a person's (capitals where one signs) */
    int orgs = 0, people = 0;
    for (size_t q = first; q < s->nlist[TEXT_LIST_ORG] && !(orgs && people); q++) {
        size_t i = s->list[TEXT_LIST_ORG][q];
        if (initials_may(s, i)) {
            orgs |= s->tok[i].e - s->tok[i].s >= 3;
            people |= s->tok[i].e - s->tok[i].s <= 4 && signs_here(s, i);
        }
    }
    int shorts = 0;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_SHORT] && !shorts; q++) {
        size_t i = s->list[TEXT_LIST_SHORT][q];
        shorts = s->tok[i].allcaps && !s->lab[i] && !(s->tok[i].lex & LEX_MED) &&
                 s->tok[i].kind == TOK_WORD && signs_here(s, i);
    }
    people |= shorts;
    if (!orgs && !people)
        return;
    char ini[MAX_INITIALS][8];
    uint8_t lab[MAX_INITIALS];
    size_t m = 0;
    size_t pa = 0, pb = 0; /* the last first name's or surname's entity */
    for (size_t i = deid_next_labelled(s, 0); i < s->n && m < MAX_INITIALS; i = deid_next_labelled(s, i)) {
        size_t b = i + 1;
        while (b < s->n && s->ent[b] == s->ent[i])
            b++;
        int l = s->lab[i];
        if (orgs && org_label(l) && b - i >= 2)
            for (int caps = 0; caps < 2; caps++) {
                char one[8];
                size_t n = entity_initials(s, i, b, caps, one);
                char low[8];
                for (size_t q = 0; q <= n; q++)
                    low[q] = (char)(one[q] | (one[q] ? 0x20 : 0));
                if (n && !folded_in(low, n, generic_initials))
                    add_initials(ini, lab, &m, one, l);
            }
        if (people && (l == AT_PHI_NOM || l == AT_PHI_PRENOM)) {
            /* a first name and a surname side by side: their initials;
             * a surname of four letters or more: its first three too
             * ("Dr Vasseur (VAS)") */
            int pl = pb > pa ? s->lab[pa] : 0;
            char one[8];
            if (pb == i && pl && pl != l &&
                person_initials(s, l == AT_PHI_PRENOM ? i : pa, l == AT_PHI_PRENOM ? b : pb,
                                l == AT_PHI_PRENOM ? pa : i, l == AT_PHI_PRENOM ? pb : b, one))
                add_initials(ini, lab, &m, one, AT_PHI_NOM);
            if (l == AT_PHI_NOM && b == i + 1 && s->tok[i].e - s->tok[i].s >= 4 && s->tok[i].cap) {
                char f[64];
                int fl = text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, sizeof f);
                if (fl >= 4 && f[0] >= 'a' && f[0] <= 'z' && f[1] >= 'a' && f[1] <= 'z' && f[2] >= 'a' &&
                    f[2] <= 'z') {
                    char three[8] = {(char)(f[0] - 32), (char)(f[1] - 32), (char)(f[2] - 32), 0};
                    add_initials(ini, lab, &m, three, AT_PHI_NOM);
                }
            }
            pa = i;
            pb = b;
            /* (one space between: "Olivier Bonnet") */
            if (b < s->n && s->tok[b].s > s->tok[b - 1].e + 1)
                pb = 0;
        } else {
            pb = 0;
        }
        i = b;
    }
    for (size_t q = first; m && q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t i = s->list[TEXT_LIST_ORG][q];
        if (!initials_may(s, i))
            continue;
        size_t n = s->tok[i].e - s->tok[i].s;
        int here = -1; /* (asked once, for a person's initials only) */
        for (size_t r = 0; r < m; r++)
            if (!memcmp(ini[r], s->t + s->tok[i].s, n) && ini[r][n] == 0) {
                if (lab[r] == AT_PHI_NOM && (here < 0 ? (here = signs_here(s, i)) : here) == 0)
                    continue;
                mark(s, i, i + 1, lab[r]);
                break;
            }
    }
    /* a person's two or three capitals that a word list holds too ("OB",
     * "VAS"), outside a line in capitals ("EN CAS DE ...") */
    for (size_t q = 0; m && shorts && q < s->nlist[TEXT_LIST_SHORT]; q++) {
        size_t i = s->list[TEXT_LIST_SHORT][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (s->lab[i] || !k->allcaps || n < 2 || k->kind != TOK_WORD || (k->lex & LEX_MED) ||
            (i > 0 && !k->nl && s->tok[i - 1].allcaps && s->tok[i - 1].kind == TOK_WORD) ||
            (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].allcaps && s->tok[i + 1].kind == TOK_WORD))
            continue;
        if (!signs_here(s, i))
            continue;
        for (size_t r = 0; r < m; r++)
            if (lab[r] == AT_PHI_NOM && !memcmp(ini[r], s->t + k->s, n) && ini[r][n] == 0) {
                mark(s, i, i + 1, AT_PHI_NOM);
                break;
            }
    }
}
