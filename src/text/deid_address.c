/* Addresses by their street's phrase, after the tagger (so that the
 * model's inputs stay those it was trained on): a street word, the
 * connectors and the name after it, with the house number before or
 * after it, is one address, whatever the other passes made of its
 * parts ("quartier de l'Alma", "avenue de la Côte de Nacre", "Carrer de
 * la Muralla 14", "quarante-deux rue de la république", "23 AV. DE LA
 * LIBÉRATION", "31 Grande Rue", "mas de la Coste", "Gellertstrasse
 * 144"). The words that are streets only now and then ("place", "route",
 * "cours", "voie", "via") need a capital, a house number or an address
 * beside them: "mise en place du PAC", "au cours de", "voie veineuse",
 * "via le portail" stay. */
#include "tagger.h"

#include <pthread.h>

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Token i folded into f (cap 64): its length, 0 when none. */
static size_t fold64(const text_scan *s, size_t i, char *f)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || tl(s, i) > 48)
        return 0;
    int fl = text_lexicon_fold(s->t + s->tok[i].s, tl(s, i), f, 64);
    return fl > 0 ? (size_t)fl : 0;
}

static int in_list(const char *f, size_t n, const char *const *set)
{
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, n) && (*set)[n] == 0)
            return 1;
    return 0;
}

/* Street words that are streets in lower case too, with a name after
 * them ("rue de la gare", "impasse des lilas", "carrer de la Font").
 * Folded. */
static const char *const strong_streets[] = {
    "rue",         "avenue",   "av",         "bd",       "boulevard", "impasse",   "imp",       "allee",
    "allees",      "ruelle",   "venelle",    "faubourg", "fbg",       "lieu-dit",  "lieudit",   "hameau",
    "lotissement", "quartier", "rond-point", "carrer",   "calle",     "avenida",   "rua",       "travessa",
    "quai",        "square",   "residence",  "montee",   "sentier",   "esplanade", "promenade", "parvis",
    "chemin",      "couree",   "tribu",      NULL};

/* Street words that name a street or a place only with a capital, a
 * house number or an address beside them. Folded. */
static const char *const weak_streets[] = {
    "route",    "place",   "pl",      "cours",  "passage", "voie",      "porte",  "tour",  "zone",
    "parc",     "domaine", "village", "bourg",  "mas",     "moulin",    "ferme",  "clos",  "villa",
    "chateau",  "manoir",  "chalet",  "logis",  "via",     "viale",     "piazza", "plaza", "largo",
    "estrada",  "strada",  "road",    "street", "drive",   "lane",      "straat", "laan",  "rte",
    "metairie", "case",    "camping", "cite",   "sente",   "carrefour", NULL};

/* Endings of foreign street names written as one word
 * ("Gellertstrasse", "Kirchgasse", "Lindenweg", "Marktplatz"). Folded. */
static const struct {
    const char *w;
    size_t n;
} street_endings[] = {{"strasse", 7}, {"gasse", 5}, {"weg", 3}, {"platz", 5}, {"straat", 6}, {"laan", 4}};

/* Words that end a street's name in lower case. Folded. */
static const char *const stop_words[] = {
    "depuis", "avec",  "pour", "dans", "chez", "sans",  "vers",   "apres", "avant", "pendant",
    "selon",  "entre", "puis", "mais", "donc", "sont",  "est",    "etait", "avait", "fait",
    "quand",  "comme", "plus", "tres", "bien", "aussi", "seule",  "seul",  "avec",  "qui",
    "que",    "ou",    "et",   "au",   "aux",  "en",    "a",      "sur",   "il",    "elle",
    "ils",    "elles", "son",  "sa",   "ses",  "leur",  "depuis", "jusqu", NULL};

/* Street words of other languages that no list of the language holds
 * (ASCII, compared in any case). */
static const char *const foreign_streets[] = {
    "rua",   "via",  "viale",  "piazza", "plaza",   "largo",    "estrada", "strada", "road", "street",
    "drive", "lane", "carrer", "calle",  "avenida", "travessa", "straat",  "laan",   NULL};

/* The street words' folded hashes (as text_tok.fh): kind 2 strong, 1
 * weak; an open-addressed table built once. */
enum { STREET_SLOTS = 256 };
static struct {
    uint32_t h;
    uint8_t kind;
} street_slot[STREET_SLOTS];
static pthread_once_t street_once = PTHREAD_ONCE_INIT;

/* The stop words' folded hashes, for words of three letters or more (the
 * tokeniser hashes those); shorter ones are compared as they are. */
enum { STOP_SLOTS = 128 };
static uint32_t stop_slot[STOP_SLOTS];

static uint32_t word_hash(const char *w)
{
    char pad[64] = {0};
    size_t n = strlen(w);
    memcpy(pad, w, n);
    return (uint32_t)text_dict_hash_padded(pad, n);
}

static uint32_t cue_hash[3];

/* The foreign street words' folded hashes (as text_tok.fh): a
 * capitalised word whose hash is none of them is none of them. */
enum { FOREIGN_SLOTS = 64 };
static uint32_t foreign_hash[FOREIGN_SLOTS];
static uint8_t foreign_used[FOREIGN_SLOTS];

static void street_index(void)
{
    for (const char *const *w = foreign_streets; *w; w++) {
        uint32_t h = word_hash(*w);
        size_t x = h & (FOREIGN_SLOTS - 1);
        while (foreign_used[x] && foreign_hash[x] != h)
            x = (x + 1) & (FOREIGN_SLOTS - 1);
        foreign_hash[x] = h;
        foreign_used[x] = 1;
    }
    cue_hash[0] = word_hash("adresse");
    cue_hash[1] = word_hash("domicile");
    cue_hash[2] = word_hash("demeurant");
    for (const char *const *w = stop_words; *w; w++) {
        if (strlen(*w) < 3)
            continue;
        uint32_t h = word_hash(*w);
        size_t x = h & (STOP_SLOTS - 1);
        while (stop_slot[x] && stop_slot[x] != h)
            x = (x + 1) & (STOP_SLOTS - 1);
        stop_slot[x] = h;
    }
    for (int strong = 0; strong < 2; strong++)
        for (const char *const *w = strong ? strong_streets : weak_streets; *w; w++) {
            char pad[64] = {0};
            size_t n = strlen(*w);
            memcpy(pad, *w, n);
            uint32_t h = (uint32_t)text_dict_hash_padded(pad, n);
            size_t x = h & (STREET_SLOTS - 1);
            while (street_slot[x].kind && street_slot[x].h != h)
                x = (x + 1) & (STREET_SLOTS - 1);
            street_slot[x].h = h;
            street_slot[x].kind = (uint8_t)(strong ? 2 : 1);
        }
}

/* 1 at the text_pair_key of the first two letters of foreign_streets
 * (keep in step): most capitalised words leave at one load. */
#define PK(a, b) [((a)&0x1F) << 5 | ((b)&0x1F)] = 1
const uint8_t text_foreign_street_keys[1024] = {PK('r', 'u'), PK('v', 'i'), PK('p', 'i'), PK('p', 'l'),
                                                PK('l', 'a'), PK('e', 's'), PK('s', 't'), PK('r', 'o'),
                                                PK('d', 'r'), PK('c', 'a'), PK('a', 'v'), PK('t', 'r')};
#undef PK

/* The folded hash h of a capitalised word (the tokeniser hashes every
 * one) may be a foreign street word's (never full: 18 words, 64 slots). */
static int foreign_hash_may(uint32_t h)
{
    pthread_once(&street_once, street_index);
    for (size_t x = h & (FOREIGN_SLOTS - 1);; x = (x + 1) & (FOREIGN_SLOTS - 1)) {
        if (!foreign_used[x])
            return 0;
        if (foreign_hash[x] == h)
            return 1;
    }
}

/* 0: no street word; 1: weak; 2: strong; 3: a foreign street's one word. */
static int street_kind(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || tl(s, i) > 24)
        return 0;
    /* "r." after a house number: the street's word abbreviated */
    if (tl(s, i) == 1 && (s->t[k->s] | 0x20) == 'r')
        return is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e && i > 0 && s->tok[i - 1].kind == TOK_NUM
                   ? 2
                   : 0;
    if (!(k->lex & LEX_STREET)) {
        if (!k->cap)
            return 0;
        size_t n = tl(s, i);
        if (n <= 8 && k->key != TOK_KEY_ANY && text_foreign_street_keys[k->key & 1023] &&
            foreign_hash_may(k->fh) && tok_ascii_in(s, i, foreign_streets))
            return tok_is(s, i, "rua") || tok_is(s, i, "carrer") || tok_is(s, i, "calle") ||
                           tok_is(s, i, "avenida") || tok_is(s, i, "travessa")
                       ? 2
                       : 1;
        if (n < 7)
            return 0;
        const char *w = s->t + k->s;
        char z = (char)(w[n - 1] | 0x20);
        if (z != 'e' && z != 'g' && z != 'z' && z != 't' && z != 'n')
            return 0;
        for (size_t x = 0; x < sizeof street_endings / sizeof *street_endings; x++) {
            const char *e = street_endings[x].w;
            size_t m = street_endings[x].n, q = 0;
            if (n <= m + 2)
                continue;
            while (q < m && (char)(w[n - m + q] | 0x20) == e[q])
                q++;
            if (q == m)
                return 3;
        }
        if (n >= 9 && !memcmp(w + n - 7,
                              "stra\xC3\x9F"
                              "e",
                              7))
            return 3; /* "...straße" */
        return 0;
    }
    /* the street words by their folded hash, which the tokeniser keeps */
    pthread_once(&street_once, street_index);
    uint32_t h = k->fh;
    for (size_t x = h & (STREET_SLOTS - 1);; x = (x + 1) & (STREET_SLOTS - 1)) {
        if (!street_slot[x].kind)
            return 0;
        if (street_slot[x].h == h)
            return street_slot[x].kind;
    }
}

static int conn(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || tl(s, i) > 4)
        return 0;
    if (k->dflags & (DICT_CONNECT | DICT_PARTICLE))
        return 1;
    const char *t = s->t + k->s;
    size_t n = tl(s, i);
    if ((t[0] | 0x20) == 'd' || (t[0] | 0x20) == 'l')
        return (n == 2 && t[1] == '\'') || (n == 4 && !memcmp(t + 1, "\xE2\x80\x99", 3));
    return tok_is(s, i, "aux") || tok_is(s, i, "au") || tok_is(s, i, "do") || tok_is(s, i, "das") ||
           tok_is(s, i, "dos") || tok_is(s, i, "da") || tok_is(s, i, "del") || tok_is(s, i, "di") ||
           tok_is(s, i, "dels");
}

/* A label an address may take over: none, or a name's, a town's, a
 * date's ("rue du 8 Mai 1945") or an address's. */
static int takeable(int l)
{
    return l == AT_PHI_NONE || l == AT_PHI_ADRESSE || l == AT_PHI_VILLE || l == AT_PHI_NOM ||
           l == AT_PHI_PRENOM || l == AT_PHI_DATE;
}

/* A label the name after a street's word may carry: also an
 * establishment's, which the tagger may see in "quartier de l'Orme-Vert"
 * (the street's word itself in an establishment's name is no street:
 * "EHPAD Résidence Sainte-Anne"). */
static int name_takeable(int l)
{
    return takeable(l) || l == AT_PHI_HOPITAL;
}

/* Token i is a stop word (any case). */
static int stop_word(const text_scan *s, size_t i)
{
    size_t n = tl(s, i);
    if (n <= 2) {
        char f[64];
        size_t fl = fold64(s, i, f);
        return fl && in_list(f, fl, stop_words);
    }
    uint32_t h = s->tok[i].fh;
    if (!h)
        return 0;
    pthread_once(&street_once, street_index);
    for (size_t x = h & (STOP_SLOTS - 1); stop_slot[x]; x = (x + 1) & (STOP_SLOTS - 1))
        if (stop_slot[x] == h)
            return 1;
    return 0;
}

/* A word of a street's name: capitalised or in capitals (no field label
 * before a colon), a word no list holds, or (lower = 1) a word of the
 * language in lower case that no stop word is. */
static int name_word(const text_scan *s, size_t i, int lower)
{
    const text_tok *k = &s->tok[i];
    if (k->kind == TOK_NUM)
        return 0;
    if (k->kind != TOK_WORD || !name_takeable(s->lab[i]) || is_punct(s, i + 1, ':'))
        return 0;
    if (k->dflags & (DICT_BIRTH | DICT_FIELD | DICT_IDLABEL))
        return 0;
    if (k->cap || k->allcaps) {
        if (tl(s, i) > 5)
            return 1;
        return !stop_word(s, i) && (tl(s, i) >= 2 || k->allcaps);
    }
    if (tl(s, i) < 3 || tok_has_digit(s, i))
        return 0;
    if (!k->lex)
        return 1;
    if (!lower || (k->lex & (LEX_MED | LEX_KIN)) || (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE)))
        return 0;
    return !stop_word(s, i);
}

/* Token j is a house number as an OCR writes it, l or I for 1 and O for
 * 0 ("l7", "ll", "l4", "1O"): one to four of those signs and digits, a
 * digit or two letters among them (not "l", an elision without its
 * apostrophe). */
static int ocr_house_number(const text_scan *s, size_t j)
{
    const text_tok *k = &s->tok[j];
    size_t n = tl(s, j);
    if (k->kind != TOK_WORD || n > 4 || s->lab[j])
        return 0;
    int digits = 0;
    for (size_t q = 0; q < n; q++) {
        char c = s->t[k->s + q];
        if (c >= '0' && c <= '9')
            digits++;
        else if (c != 'l' && c != 'I' && c != 'O')
            return 0;
    }
    return digits > 0 || n >= 2;
}

/* A house number before token i (the street word): "14", "14 bis",
 * "14,", "n° 14", an OCR's "l7", or a number written in words
 * ("quarante-deux"); its first token, i when none. */
static size_t number_before(const text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl)
        return i;
    size_t j = i - 1;
    if (is_punct(s, j, ',') && j > 0 && !s->tok[j].nl)
        j--;
    if (s->tok[j].kind == TOK_WORD && (tok_is(s, j, "bis") || tok_is(s, j, "ter") || tl(s, j) == 1) &&
        j > 0 && !s->tok[j].nl && (s->tok[j - 1].kind == TOK_NUM || ocr_house_number(s, j - 1)))
        j--;
    const text_tok *k = &s->tok[j];
    if (ocr_house_number(s, j) && !(k->nl && j + 1 == i && tl(s, j) == 1))
        return j;
    if (k->kind == TOK_NUM && tl(s, j) <= 4 && takeable(s->lab[j]) && s->lab[j] != AT_PHI_DATE) {
        /* not a quantity's ("3 route", no: a unit never stands there) */
        return j;
    }
    if (k->kind == TOK_WORD && !k->cap && !k->allcaps && tl(s, j) >= 2 && !s->lab[j]) {
        char f[64];
        size_t n = fold64(s, j, f);
        /* every part of "quarante-deux" a number word ("un" alone is no
         * house number: "un chemin") */
        int parts = 0, ok = n > 2 && j + 1 == i;
        for (size_t p0 = 0; ok && p0 < n; parts++) {
            size_t p1 = p0;
            while (p1 < n && f[p1] != '-')
                p1++;
            ok = (p1 - p0 == 2 && !memcmp(f + p0, "et", 2)) || text_number_word(f + p0, p1 - p0) > 1;
            p0 = p1 + 1;
        }
        if (ok && parts >= 1)
            return j;
    }
    return i;
}

/* The end of a street's phrase whose street word is token i: the
 * connectors and the name after it, then a house number after it
 * ("Via Toledo 256", "chenal de la Grève, n° 14"); i + 1 when no name
 * follows. *named: a capitalised word or a word no list holds is in it. */
static size_t street_name_end(const text_scan *s, size_t i, int lower, int *named)
{
    size_t j = i + 1;
    *named = 0;
    if (is_punct(s, j, '.') && s->tok[j].s == s->tok[i].e)
        j++;
    size_t last = i + 1, r = j;
    int words = 0, lowers = 0;
    while (r < s->n && !s->tok[r].nl && r - j < 10) {
        if (conn(s, r) && !s->tok[r].cap && takeable(s->lab[r])) {
            r++;
            continue;
        }
        if (conn(s, r) && s->tok[r].allcaps && r > i + 1 && takeable(s->lab[r])) {
            r++; /* "DE LA" in capitals */
            continue;
        }
        if (r > j && (is_punct(s, r, '\'') || is_punct(s, r, '-')) && s->tok[r].s == s->tok[r - 1].e) {
            r++;
            continue;
        }
        /* "rue du 8 Mai 1945", "avenue du 11 Novembre" */
        if (s->tok[r].kind == TOK_NUM && tl(s, r) <= 2 && r + 1 < s->n && !s->tok[r + 1].nl &&
            (s->tok[r + 1].dflags & DICT_MONTH) && r > j && conn(s, r - 1)) {
            r += 2;
            if (r < s->n && !s->tok[r].nl && s->tok[r].kind == TOK_NUM && tl(s, r) == 4)
                r++;
            last = r;
            words++;
            *named = 1;
            continue;
        }
        int low = !(s->tok[r].cap || s->tok[r].allcaps);
        /* a word of the language in lower case only after a connector
         * ("rue de la gare"), two at most */
        int lw = lower && low && r > j && conn(s, r - 1) && lowers < 2;
        if (!name_word(s, r, lw))
            break;
        if (!low || !s->tok[r].lex)
            *named = 1;
        lowers += low && s->tok[r].lex;
        words++;
        r++;
        last = r;
    }
    if (!words)
        return i + 1;
    /* a house number after the name: "Via Toledo 256", ", n° 14" */
    size_t q = last;
    if (is_punct(s, q, ',') && q + 1 < s->n && !s->tok[q + 1].nl)
        q++;
    if (q < s->n && !s->tok[q].nl && (tok_is(s, q, "n") || tok_is(s, q, "no")) && q + 1 < s->n) {
        q++;
        if (q < s->n && tl(s, q) == 2 && !memcmp(s->t + s->tok[q].s, "\xC2\xB0", 2))
            q++;
    }
    if (q < s->n && !s->tok[q].nl && tl(s, q) == 3 && !memcmp(s->t + s->tok[q].s, "n\xC2\xB0", 3))
        q++;
    if (q < s->n && !s->tok[q].nl && s->tok[q].kind == TOK_NUM && tl(s, q) <= 4 && !s->lab[q] &&
        !(tl(s, q) == 2 && q + 1 < s->n && s->tok[q + 1].kind == TOK_NUM && tl(s, q + 1) == 3 &&
          s->tok[q + 1].s == s->tok[q].e + 1) && /* (a postcode "29 860" after it) */
        !(q + 1 < s->n && s->tok[q + 1].s == s->tok[q].e &&
          (is_punct(s, q + 1, '%') || is_punct(s, q + 1, '/') || is_punct(s, q + 1, ':')))) {
        last = q + 1;
        if (last < s->n && !s->tok[last].nl && (tok_is(s, last, "bis") || tok_is(s, last, "ter")))
            last++;
    }
    return last;
}

/* An address's cue or an address beside tokens [a, b): a field label
 * before ("Adresse :", "domicile", "habite", "vit"), or an address, a
 * postcode or a town right after on its line. */
static int address_beside(const text_scan *s, size_t a, size_t b)
{
    for (size_t q = a, hop = 0; q > 0 && hop < 3 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if (s->lab[q - 1] == AT_PHI_ADRESSE || (p->dflags & DICT_RESID) || (p->lex & LEX_STREET))
            return 1;
        pthread_once(&street_once, street_index);
        if (p->fh && (p->fh == cue_hash[0] || p->fh == cue_hash[1] || p->fh == cue_hash[2]))
            return 1; /* "Adresse :", "domicile", "demeurant" */
    }
    for (size_t r = b, hop = 0; r < s->n && hop < 2 && !s->tok[r].nl; r++, hop++) {
        int l = s->lab[r];
        if (l == AT_PHI_ADRESSE || l == AT_PHI_ZIP || l == AT_PHI_VILLE)
            return 1;
        if (l || s->tok[r].kind != TOK_PUNCT)
            break;
    }
    return 0;
}

static void street_at(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!takeable(s->lab[i]) || (s->lab[i] && s->lab[i] != AT_PHI_ADRESSE && !k->cap && !k->allcaps))
        return;
    /* a street's word in a name ("Dr MOULIN Noémie"): a name, unless a
     * house number or a connector tells a street */
    int named_word = s->lab[i] == AT_PHI_NOM || s->lab[i] == AT_PHI_PRENOM;
    int kind = street_kind(s, i);
    if (!kind)
        return;
    size_t a = number_before(s, i), e;
    int named = 0;
    /* the English order: "1450 Ocean Drive", "12 Main Street": a number,
     * capitalised words, then the street's word, which ends it */
    if (k->cap && a == i && i >= 2 && !k->nl &&
        (tok_is(s, i, "drive") || tok_is(s, i, "street") || tok_is(s, i, "road") || tok_is(s, i, "lane") ||
         tok_is(s, i, "avenue") || tok_is(s, i, "boulevard") || tok_is(s, i, "blvd") ||
         tok_is(s, i, "way"))) {
        size_t b = i;
        while (b > 0 && i - b < 3 && !s->tok[b].nl && s->tok[b - 1].kind == TOK_WORD && s->tok[b - 1].cap &&
               name_takeable(s->lab[b - 1]))
            b--;
        if (b < i && b > 0 && !s->tok[b].nl && s->tok[b - 1].kind == TOK_NUM && tl(s, b - 1) <= 5 &&
            takeable(s->lab[b - 1]) && s->lab[b - 1] != AT_PHI_DATE) {
            size_t a2 = b - 1, e2 = i + 1;
            for (size_t q = a2; q < e2; q++)
                if (!name_takeable(s->lab[q]))
                    return;
            uint32_t ent = ++s->next_ent;
            for (size_t q = a2; q < e2; q++) {
                s->lab[q] = AT_PHI_ADRESSE;
                s->ent[q] = ent;
            }
            return;
        }
    }
    if (kind == 3) {
        /* "Gellertstrasse 144", "14 Hauptstrasse": with its number */
        e = street_name_end(s, i, 0, &named);
        if (e == i + 1 && a == i) {
            size_t q = i + 1;
            if (q < s->n && !s->tok[q].nl && s->tok[q].kind == TOK_NUM && tl(s, q) <= 4)
                e = q + 1;
        }
        if (a == i && e == i + 1)
            return;
    } else {
        /* "31 Grande Rue": an adjective before the street word */
        if (a == i && i > 0 && !k->nl && s->tok[i - 1].cap && k->cap && i >= 2 &&
            (tok_is(s, i - 1, "grande") || tok_is(s, i - 1, "grand") || tok_is(s, i - 1, "vieille") ||
             tok_is(s, i - 1, "haute") || tok_is(s, i - 1, "basse") || tok_is(s, i - 1, "petite"))) {
            size_t b = number_before(s, i - 1);
            if (b < i - 1)
                a = b;
        }
        e = street_name_end(s, i, kind == 2, &named);
        if (a + 1 < i && s->tok[i - 1].cap && s->tok[i].cap)
            named = 1; /* "Grande Rue" */
        if (e == i + 1 && !(named && a < i))
            return;
        if (!named && !(kind == 2 && (a < i || address_beside(s, i, e))))
            return;
        /* a weak street word: a capital and a connector after it ("Voie
         * Durée" heads a table), a house number or an address beside it */
        if (kind == 1 && a == i && !((k->cap || k->allcaps) && i + 1 < s->n && conn(s, i + 1)) &&
            !address_beside(s, i, e))
            return;
        /* an abbreviation ("BD", "AV", "imp"): a house number, its dot or
         * an address beside it ("BD BACTEC", "bras AV" stay) */
        if (tl(s, i) <= 3 && a == i && !is_punct(s, i + 1, '.') && !address_beside(s, i, e) &&
            (tok_is(s, i, "bd") || tok_is(s, i, "av") || tok_is(s, i, "imp") || tok_is(s, i, "pl") ||
             tok_is(s, i, "rte") || tok_is(s, i, "fbg")))
            return;
    }
    if (named_word && a == i && !(i + 1 < s->n && conn(s, i + 1)))
        return;
    /* the entities it touches: taken whole, or the phrase stops before */
    for (size_t q = a; q < e; q++)
        if (!(q > i ? name_takeable(s->lab[q]) : takeable(s->lab[q]))) {
            e = q;
            break;
        }
    if (e <= i)
        return;
    /* an address already there on either side joins */
    while (a > 0 && s->lab[a] && s->lab[a - 1] == s->lab[a] && s->ent[a - 1] == s->ent[a] && !s->tok[a].nl)
        a--;
    while (e < s->n && s->lab[e - 1] && s->lab[e] == s->lab[e - 1] && s->ent[e] == s->ent[e - 1] &&
           !s->tok[e].nl)
        e++;
    for (size_t q = a; q < e; q++)
        if (!(q > i ? name_takeable(s->lab[q]) : takeable(s->lab[q])))
            return;
    uint32_t ent = 0;
    if (a > 0 && s->lab[a - 1] == AT_PHI_ADRESSE && !s->tok[a].nl)
        ent = s->ent[a - 1];
    if (!ent)
        ent = ++s->next_ent;
    for (size_t q = a; q < e; q++) {
        s->lab[q] = AT_PHI_ADRESSE;
        s->ent[q] = ent;
    }
}

void deid_pass_streets(text_scan *s)
{
    /* "3 r. de la République": from the number */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (s->tok[i].kind == TOK_NUM && i + 2 < s->n && s->tok[i + 1].e - s->tok[i + 1].s == 1 &&
            (s->t[s->tok[i + 1].s] | 0x20) == 'r' && !s->tok[i + 1].nl)
            street_at(s, i + 1);
    }
    /* the street words (the tokeniser's cue list holds the lexicon's
     * street words), and the capitalised words (foreign streets) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (s->tok[i].kind == TOK_WORD && (s->tok[i].lex & LEX_STREET))
            street_at(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ABROAD]; q++) {
        size_t i = s->list[TEXT_LIST_ABROAD][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (k->kind != TOK_WORD || (k->lex & LEX_STREET) || n > 24)
            continue;
        /* (most capitalised words leave here: a foreign street's first two
         * letters, or the last two of "...strasse", "...weg"; street_kind
         * finds no street in the others, and street_at then does nothing) */
        int maybe = n <= 8 && k->key != TOK_KEY_ANY && text_foreign_street_keys[k->key & 1023];
        if (!maybe && n >= 7)
            maybe = deid_street_ending_may(s->t + k->s, n);
        if (maybe)
            street_at(s, i);
    }
}

/* ---- directions after an address ----------------------------------------------------- */

/* Words that open directions to a home after its address ("près de la
 * mosquée", "derrière l'église", "maison bleue après le pont", "1er
 * chemin à droite", "côté mer"). Folded. */
static const char *const direction_words[] = {
    "pres", "derriere",  "apres", "devant",    "face",     "cote",       "juste",   "maison", "case",
    "vers", "au-dessus", "entre", "ascenseur", "digicode", "interphone", "portail", NULL};

/* From an address ending before token e: the directions after it, to the
 * clause's end (a '.', ';', a closing bracket, the line's end), over
 * words only; they are the address's ("village de Bandrélé, près de la
 * mosquée du vendredi"). */
static void directions_at(text_scan *s, size_t e)
{
    size_t j = e, open = 0;
    if (is_punct(s, j, ',') || is_punct(s, j, '-'))
        j++;
    else if (is_punct(s, j, '('))
        j++, open = 1;
    if (j >= s->n || s->tok[j].nl || s->tok[j].kind != TOK_WORD || s->lab[j])
        return;
    char f[64];
    int fl = s->tok[j].e - s->tok[j].s < 48
                 ? text_lexicon_fold(s->t + s->tok[j].s, s->tok[j].e - s->tok[j].s, f, 64)
                 : 0;
    int opener = fl > 0 && in_list(f, (size_t)fl, direction_words);
    /* "1er chemin à droite", "2e rue à gauche" */
    if (!opener && j + 1 < s->n && (s->tok[j].aux & TOK_AUX_DIGIT) && tl(s, j) <= 4 &&
        (s->tok[j + 1].lex & LEX_STREET))
        opener = 1;
    /* "en face de", "à côté de", "à droite" */
    if (!opener && j + 1 < s->n && (tok_is(s, j, "en") || tok_is(s, j, "\xC3\xA0")) &&
        (tok_is(s, j + 1, "face") || tok_is(s, j + 1, "c\xC3\xB4t\xC3\xA9") || tok_is(s, j + 1, "droite") ||
         tok_is(s, j + 1, "gauche")))
        opener = 1;
    if (!opener)
        return;
    size_t r = j, words = 0;
    while (r < s->n && !s->tok[r].nl && words < 14) {
        const text_tok *k = &s->tok[r];
        if (k->kind == TOK_PUNCT)
            break; /* (an elision and a compound are words) */
        /* a person's, not a place's: "près de sa fille qui l'aide" */
        if (tok_is(s, r, "sa") || tok_is(s, r, "son") || tok_is(s, r, "ses") || tok_is(s, r, "leur") ||
            tok_is(s, r, "qui") || tok_is(s, r, "que") || tok_is(s, r, "dont") || tok_is(s, r, "chez") ||
            (s->tok[r].lex & LEX_KIN))
            return;
        if (s->lab[r] && s->lab[r] != AT_PHI_ADRESSE && s->lab[r] != AT_PHI_VILLE && s->lab[r] != AT_PHI_NOM)
            return;
        r++;
        words++;
    }
    if (open && !is_punct(s, r, ')'))
        return;
    if (r < s->n && !s->tok[r].nl &&
        !(is_punct(s, r, '.') || is_punct(s, r, ';') || is_punct(s, r, ')') || is_punct(s, r, ',')))
        return; /* no clause's end in reach */
    size_t stop = open ? r + 1 : r;
    uint32_t ent = s->ent[e - 1];
    for (size_t q = e; q < stop; q++) {
        s->lab[q] = AT_PHI_ADRESSE;
        s->ent[q] = ent;
    }
}

void deid_pass_address_directions(text_scan *s)
{
    /* the ends of the addresses: a walk over the labels only (memchr to
     * each address, then past it), every address found by any pass, one
     * labelled at the end of another too */
    const uint8_t *lab = s->lab;
    for (size_t i = 0; i < s->n;) {
        const uint8_t *p = memchr(lab + i, AT_PHI_ADRESSE, s->n - i);
        if (!p)
            break;
        i = (size_t)(p - lab) + 1;
        while (i < s->n && lab[i] == AT_PHI_ADRESSE)
            i++;
        if (i < s->n && !s->tok[i].nl)
            directions_at(s, i);
    }
}
