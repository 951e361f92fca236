/* Entity completion by phrase: an establishment or an organisation is a
 * noun phrase whose head is an establishment word (hôpital, clinique,
 * centre, EHPAD, laboratoire ...) or an organisation word (société,
 * transports, ambulances, association, GAEC ...), whose complement runs
 * over lower-case specialty words and connectors ("de rééducation et de
 * réadaptation fonctionnelle de") to a capitalised name part ("Kerpape",
 * "Caen Côte de Nacre", "la Cavale Blanche"). The whole phrase is one
 * entity: every token of it is an identifier token, the ordinary words
 * inside it too, which no word list can find. A name part made only of
 * generic descriptors ("Institut National du Cancer", "Centre de Lutte
 * Contre le Cancer") names no place and no one, and is left. An alias in
 * parentheses right after such an entity ("(HCL)") takes its label. The
 * word tables are deid_phrase_words.c's. */
#include "tagger.h"

#include <string.h>

/* The points of the compass name a site ("Pôle Santé Sud", "Hôpital Nord"). */
static const char *const directions[] = {"nord",       "sud",     "est",       "ouest", "nord-est",
                                         "nord-ouest", "sud-est", "sud-ouest", NULL};

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Token i folded into f (cap 64): its length, 0 when none. */
static size_t fold64(const text_scan *s, size_t i, char *f)
{
    if (i >= s->n || tl(s, i) > 48)
        return 0;
    int fl = text_lexicon_fold(s->t + s->tok[i].s, tl(s, i), f, 64);
    return fl > 0 ? (size_t)fl : 0;
}

static int in_set(const char *f, size_t n, const char *const *set)
{
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, n) && (*set)[n] == 0)
            return 1;
    return 0;
}

/* Prepositions, adverbs and verbs that end a noun phrase: a phrase's
 * specialty words are nouns and adjectives ("de rééducation et de
 * réadaptation fonctionnelle"), never "avec l'équipe de". Folded. */
static const char *const function_words[] = {
    "avec",    "pour",     "dans",      "chez",       "sans",        "vers",         "apres",  "avant",
    "depuis",  "pendant",  "selon",     "entre",      "contre",      "puis",         "mais",   "donc",
    "sont",    "etait",    "avait",     "fait",       "faite",       "quand",        "comme",  "plus",
    "tres",    "bien",     "aussi",     "encore",     "toujours",    "equipe",       "suivi",  "suivie",
    "adresse", "adressee", "transfere", "transferee", "hospitalise", "hospitalisee", "vers",   "pres",
    "lors",    "afin",     "ainsi",     "alors",      "cette",       "leur",         "leurs",  "notre",
    "votre",   "nous",     "vous",      "elle",       "elles",       "sera",         "seront", "etre",
    "avoir",   NULL};

static int function_word(const text_scan *s, size_t i)
{
    char f[64];
    size_t n = fold64(s, i, f);
    return n && in_set(f, n, function_words);
}

/* An acronym no vocabulary holds (two to five capitals): the head of an
 * organisation when a department's number, a place or a name follows it
 * ("AST 67", "ADMR de Noyal", "ICM Val d'Aurelle"). */
static int acronym_head(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = tl(s, i);
    return k->kind == TOK_WORD && k->allcaps && n >= 2 && n <= 5 && !tok_has_digit(s, i) && !k->dflags &&
           !(k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_ORG | LEX_KIN | LEX_STREET | LEX_FIRST |
                       LEX_LAST | LEX_PLACE | LEX_CITY));
}

#define HEAD_ACRONYM 1000

/* The head entry of token i (an index of text_org_heads, or
 * HEAD_ACRONYM), -1 when it heads nothing. */
static int head_of(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD)
        return -1;
    if (k->dflags & DICT_HEAD)
        return k->dval - 1;
    return acronym_head(s, i) ? HEAD_ACRONYM : -1;
}

/* A connector inside a phrase: de, du, des, la, le, les, et, sur, en, sous,
 * the elided d' and l' (' or ’), in lower case. */
static int connector(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD)
        return 0;
    if (k->cap || k->allcaps) {
        /* in capitals between words in capitals ("CAMSP DU MÉDOC",
         * "LABORATOIRE D'ANATOMIE") */
        if (tok_elided(s, i, 'd') || tok_elided(s, i, 'l'))
            return i > 0 && i + 1 < s->n && s->tok[i - 1].allcaps && s->tok[i + 1].allcaps &&
                   !s->tok[i + 1].nl;
        if (!k->allcaps || i == 0 || i + 1 >= s->n || !s->tok[i - 1].allcaps || !s->tok[i + 1].allcaps ||
            tl(s, i) > 3 || k->nl || s->tok[i + 1].nl)
            return 0;
        return (k->dflags & (DICT_CONNECT | DICT_PARTICLE)) != 0;
    }
    if (k->dflags & (DICT_CONNECT | DICT_PARTICLE))
        return 1;
    const char *t = s->t + k->s;
    size_t n = tl(s, i);
    return (t[0] == 'd' || t[0] == 'l') &&
           ((n == 2 && t[1] == '\'') || (n == 4 && !memcmp(t + 1, "\xE2\x80\x99", 3)));
}

/* A word that can be part of a name: capitalised or in capitals, and no
 * title, month, label, role, birth word or lone letter. */
static int name_part_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || !(k->cap || k->allcaps) || tok_has_digit(s, i))
        return 0;
    if (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_IDLABEL | DICT_ROLE | DICT_FIELD | DICT_BIRTH))
        return 0;
    size_t n = tl(s, i);
    return n > 2 || (n == 2 && (unsigned char)s->t[k->s] < 0xC0);
}

/* A commune, a proper noun or a name in lower case that no dictionary
 * holds as a word ("cabinet médical de châteaugiron", "centre léon
 * bérard"). */
static int lower_place(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return k->kind == TOK_WORD && !k->cap && !k->allcaps &&
           (k->lex & (LEX_CITY | LEX_PLACE | LEX_FIRST | LEX_LAST)) && !(k->lex & (LEX_WORD | LEX_MED)) &&
           tl(s, i) >= 4;
}

/* After an establishment's head and a connector, a word in lower case
 * that no list holds names a place ("clinique de l'anjou", "pôle santé
 * sud-loire de chalonnes"), unless each part of a compound is a word
 * ("hôpital de jour d'onco-hématologie"). */
static int lower_unknown(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || k->cap || k->allcaps || k->lex || tl(s, i) < 4 || tok_has_digit(s, i) ||
        (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_BIRTH | DICT_IDLABEL)))
        return 0;
    char f[64];
    size_t n = fold64(s, i, f);
    if (!n || !memchr(f, '-', n))
        return 1;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && f[b] != '-')
            b++;
        unsigned lx = b - a >= 2 ? text_lexicon_get(&s->d->lex, f + a, b - a) : LEX_WORD;
        if (!(lx & (LEX_WORD | LEX_MED)))
            return 1;
        a = b + 1;
    }
    return 0;
}

/* The name part [p, e) names something: a word of a name list or no
 * list at all, or capitalised words of the language that are no generic
 * descriptor, after a connector or two of them (and never an
 * abbreviation of up to four capitals alone). */
static int distinctive_n(const text_scan *s, size_t p, size_t e, int need);

static int distinctive(const text_scan *s, size_t p, size_t e)
{
    return distinctive_n(s, p, e, 2);
}

/* need: how many capitalised words of the language that are no
 * descriptor make the name part name something without a connector
 * before them (1 after a capitalised head: "Taxis Doubs Services", "Pôle
 * Santé Sud") */
static int distinctive_n(const text_scan *s, size_t p, size_t e, int need)
{
    int words = 0;
    for (size_t q = p; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind != TOK_WORD || connector(s, q))
            continue;
        if (k->allcaps && tl(s, q) <= 4 && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)))
            continue;
        if ((k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) ||
            !(k->lex & (LEX_WORD | LEX_MED | LEX_ORG | LEX_KIN | LEX_STREET | LEX_EPONYM)))
            return 1;
        /* the medical vocabulary names nothing, but a word of the language
         * it also holds ("Atlantique", which the English medical list
         * gives as "atlantic") is a word like the others */
        if (((k->lex & LEX_MED) && !(k->lex & LEX_WORD)) || (k->dflags & DICT_DESCR))
            continue;
        char f[64];
        size_t n = fold64(s, q, f);
        if (!n)
            continue;
        if (in_set(f, n, directions))
            return 1;
        if ((q > 0 && connector(s, q - 1)) || ++words >= need)
            return 1;
    }
    return 0;
}

/* Label tokens [a, b) as one entity when every token there is free or
 * belongs to an entity of a name, place or organisation lying wholly
 * inside [a, b). */
static int mark_over(text_scan *s, size_t a, size_t b, int label)
{
    if (a >= b || b > s->n)
        return 0;
    for (size_t i = a; i < b; i++) {
        int l = s->lab[i];
        if (!l)
            continue;
        if (l != AT_PHI_NOM && l != AT_PHI_PRENOM && l != AT_PHI_VILLE && l != AT_PHI_HOPITAL &&
            l != AT_PHI_EMPLOYEUR)
            return 0;
        if ((i == a && a > 0 && s->lab[a - 1] && s->ent[a - 1] == s->ent[i]) ||
            (i + 1 == b && b < s->n && s->lab[b] && s->ent[b] == s->ent[i]))
            return 0;
    }
    uint32_t e = ++s->next_ent;
    for (size_t i = a; i < b; i++) {
        s->lab[i] = (uint8_t)label;
        s->ent[i] = e;
    }
    return 1;
}

/* Acronyms of care services that their own name follows ("HAD Santé
 * Service", "SSIAD Soins et Partage") */
static const char *const care_acronyms[] = {"had", "ssiad", "ehpad", "usld", "ssr", "smr", "dac", NULL};

/* Token i is one of them, in capitals. */
static int care_acronym(const text_scan *s, size_t i)
{
    char h[64];
    size_t hn = fold64(s, i, h);
    return s->tok[i].allcaps && hn && in_set(h, hn, care_acronyms);
}

/* Token j is a department's number ending a phrase ("HAD 35)", "AST
 * 67"): 01 to 95 or 971 to 976, then the line's end or a closing mark,
 * never a measure ("DLCO 49 %", "MIF 62/126", "PPS 40 %"). */
static int department(const text_scan *s, size_t j, int care)
{
    int v = atoi_n(s->t + s->tok[j].s, tl(s, j));
    if (!((tl(s, j) == 2 && v >= 1 && v <= 95) || (tl(s, j) == 3 && v >= 971 && v <= 976)))
        return 0;
    if (j + 1 >= s->n || s->tok[j + 1].nl)
        return 1;
    const text_tok *u = &s->tok[j + 1];
    if (u->kind != TOK_PUNCT)
        return 0;
    char c = s->t[u->s];
    if (c == ')' || c == ';' || c == ']')
        return 1;
    /* after a care service's acronym, a full stop closing the sentence, a
     * bracket opening after a space ("HAD 37.", "HAD 18 (Hospitalisation
     * à domicile du Cher)"; not "SAMU 62.", "Redon CH 12 (...") */
    if (care && ((c == '.' && (u->e >= s->len || s->t[u->e] == ' ' || s->t[u->e] == '\n')) ||
                 (c == '(' && u->s > s->tok[j].e)))
        return 1;
    /* a dash or a comma with a space after it */
    return (c == '-' || c == ',' || c == ':') && u->e < s->len && s->t[u->e] == ' ';
}

/* An organisation is spoken of before token i: l', au, du, chez just
 * before it, or a '(' after a name (a capitalised word). */
static int org_cue_before(const text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl)
        return 0;
    if (tok_is(s, i - 1, "l'") || tok_is(s, i - 1, "au") || tok_is(s, i - 1, "du") ||
        tok_is(s, i - 1, "chez"))
        return 1;
    if (i >= 2 && (tl(s, i - 1) == 4 && !memcmp(s->t + s->tok[i - 1].s + 1, "\xE2\x80\x99", 3) &&
                   (s->t[s->tok[i - 1].s] | 0x20) == 'l'))
        return 1; /* l’ */
    return i >= 2 && is_punct(s, i - 1, '(') &&
           (s->lab[i - 2] != AT_PHI_NONE || s->tok[i - 2].cap || s->tok[i - 2].allcaps);
}

/* After such an acronym in capitals at i, capitalised words [p, e) of the
 * language that describe only (no medical word) name the service unless
 * their initials spell the acronym ("HAD Hospitalisation à Domicile",
 * "SSIAD Service de Soins Infirmiers"); two words at least ("HAD
 * Pédiatrique" is a kind). */
static int care_name(const text_scan *s, size_t i, size_t p, size_t e)
{
    if (e <= p || !care_acronym(s, i))
        return 0;
    char h[64], f[64];
    size_t hn = fold64(s, i, h);
    size_t at = 0, words = 0;
    int spelt = 1;
    for (size_t q = p; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind != TOK_WORD || connector(s, q))
            continue;
        if (!k->cap || ((k->lex & LEX_MED) && !(k->dflags & DICT_DESCR)))
            return 0;
        size_t n = fold64(s, q, f);
        words++;
        while (at < hn && n && h[at] != f[0])
            at++;
        if (at >= hn)
            spelt = 0;
        else
            at++;
    }
    return !spelt && words >= 2;
}

/* The phrase headed by token i (head entry h): its entity [*a, *e), 1
 * when there is one. */
static int org_phrase(const text_scan *s, size_t i, int h, size_t *a, size_t *e, size_t *split)
{
    *split = 0;
    const text_tok *k = &s->tok[i];
    size_t j = i + 1;
    /* an acronym and a department's number: "HAD 35", "l'AST 67"; an
     * acronym no list holds only where an organisation is spoken of
     * (after l', au, du, chez, or in parentheses after a name: "Dr
     * Hamon (AST 35)"), not a score's ("DHI 12", "(CDH 29)", "RS 31") */
    if (k->allcaps && j < s->n && s->tok[j].kind == TOK_NUM && !s->tok[j].nl && tl(s, j) >= 2 &&
        tl(s, j) <= 3 && department(s, j, care_acronym(s, i)) &&
        (h != HEAD_ACRONYM || org_cue_before(s, i))) {
        *a = i;
        *e = j + 1;
        return 1;
    }
    /* an unknown acronym takes a place after "de" or a capitalised name
     * right after it, never specialty words */
    if (h == HEAD_ACRONYM) {
        /* a surname in capitals, not an acronym: after a title, a particle
         * or a field label, or before a first name ("LE MEUR Yannick",
         * "Défunt : KERBRAT Anne") */
        if (i > 0 && !k->nl &&
            ((s->tok[i - 1].dflags & (DICT_TITLE | DICT_PARTICLE | DICT_FIELD)) ||
             (is_punct(s, i - 1, ':') && i > 1 && (s->tok[i - 2].dflags & (DICT_FIELD | DICT_TITLE)))))
            return 0;
        if (j < s->n && s->tok[j].kind == TOK_WORD && (s->tok[j].lex & LEX_FIRST) && !s->tok[j].nl)
            return 0;
        size_t p0 = j;
        if (p0 < s->n && connector(s, p0))
            p0++;
        if (p0 < s->n && connector(s, p0))
            p0++;
        if (p0 >= s->n || s->tok[p0].nl || s->lab[p0] || !(name_part_word(s, p0) || lower_place(s, p0)) ||
            head_of(s, p0) >= 0)
            return 0;
        size_t r = p0, last = p0;
        int named = 0;
        while (r < s->n && !s->tok[r].nl && r - p0 < 6 && !s->lab[r]) {
            if (name_part_word(s, r) || lower_place(s, r)) {
                /* no medical word in it ("HM Hypothyroïdie sous ...": an
                 * abbreviation opening a sentence) */
                if (s->tok[r].lex & (LEX_MED | LEX_EPONYM))
                    return 0;
                char f[64];
                size_t fn = fold64(s, r, f);
                named |= (s->tok[r].lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) ||
                         !(s->tok[r].lex & (LEX_WORD | LEX_ORG | LEX_KIN | LEX_STREET)) ||
                         (fn && in_set(f, fn, directions)); /* "PTA Sud Gironde" */
                r++;
                last = r;
            } else if (r > p0 && (is_punct(s, r, '\'') ||
                                  (connector(s, r) && ((s->tok[r].dflags & DICT_PARTICLE) || tl(s, r) == 2 ||
                                                       tl(s, r) == 4 /* d' l' */)))) {
                r++;
            } else {
                break;
            }
        }
        if (!named || !distinctive(s, p0, last))
            return 0;
        /* a product, not an organisation: a name with a capital inside
         * ("PPC AirSense 11", "BD FACSLyric") or a model's number after it
         * ("TPS Oncentra Brachy 4.6") */
        for (size_t q = p0; q < last; q++)
            if (tok_inner_capital(s, q))
                return 0;
        if (last < s->n && !s->tok[last].nl && s->tok[last].kind == TOK_NUM)
            return 0;
        /* "PUCU Petit épanchement ...": an abbreviation, then a sentence */
        if (p0 == j && last < s->n && !s->tok[last].nl && s->tok[last].kind == TOK_WORD &&
            !s->tok[last].cap && !s->tok[last].allcaps && !connector(s, last))
            return 0;
        *a = i;
        *e = last;
        return 1;
    }
    /* lower-case specialty words (nouns and adjectives of four letters
     * or more) and connectors before the name part */
    size_t q = j;
    int words = 0;
    while (q < s->n && !s->tok[q].nl && q - j < 12 && !s->lab[q]) {
        const text_tok *u = &s->tok[q];
        if (connector(s, q)) {
            q++;
            continue;
        }
        if (u->kind == TOK_WORD && !u->cap && !u->allcaps && !lower_place(s, q) &&
            !(q > j && connector(s, q - 1) && lower_unknown(s, q)) && words < 6 && !tok_has_digit(s, q) &&
            tl(s, q) >= 4 && (u->lex & (LEX_WORD | LEX_MED | LEX_ORG)) && !function_word(s, q) &&
            !(u->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_BIRTH | DICT_IDLABEL))) {
            words++;
            q++;
            continue;
        }
        /* an adjective no list holds, after a word ("maison de santé
         * pluriprofessionnelle de Mer") */
        if (q > j && !connector(s, q - 1) && u->kind == TOK_WORD && !u->cap && !u->allcaps && !u->lex &&
            words && words < 6 && tl(s, q) >= 4 && !tok_has_digit(s, q) && !u->dflags) {
            words++;
            q++;
            continue;
        }
        /* a carer's word right after the head, then a connector ("cabinet
         * infirmier des Coteaux"): a specialty, not a role */
        if (q == j && u->kind == TOK_WORD && !u->cap && !u->allcaps && (u->dflags & DICT_ROLE) &&
            q + 1 < s->n && connector(s, q + 1)) {
            words++;
            q++;
            continue;
        }
        if (u->kind == TOK_PUNCT && (s->t[u->s] == '-' || s->t[u->s] == '\'') && q > j) {
            q++;
            continue;
        }
        break;
    }
    size_t p = q;
    if (p >= s->n || s->tok[p].nl || s->lab[p] ||
        !(name_part_word(s, p) || lower_place(s, p) ||
          (p > j && connector(s, p - 1) && lower_unknown(s, p))) ||
        (p > j && head_of(s, p) >= 0))
        return 0;
    /* specialty words reach the name part through a connector, or right
     * after a word that describes an establishment ("centre d'imagerie
     * Caen Côte de Nacre", "Pompes funèbres Le Gall"): not after a verb
     * ("la clinique appelle Martin") */
    if (words && !connector(s, p - 1)) {
        /* (or a capitalised article opens the name: "école maternelle Les
         * Hirondelles") */
        int article = s->tok[p].cap && !s->tok[p].allcaps && tl(s, p) <= 3 &&
                      (tok_is(s, p, "le") || tok_is(s, p, "la") || tok_is(s, p, "les"));
        if (!((s->tok[p - 1].lex & LEX_MED) || (s->tok[p - 1].dflags & DICT_DESCR) || article))
            return 0;
    }
    size_t r = p, last = p;
    while (r < s->n && !s->tok[r].nl && r - p < 10 && !s->lab[r] && (r == p || head_of(s, r) < 0)) {
        if (name_part_word(s, r) ||
            ((lower_place(s, r) || lower_unknown(s, r)) &&
             (r == p || connector(s, r - 1) || lower_place(s, r - 1) || lower_unknown(s, r - 1)))) {
            r++;
            last = r;
        } else if (r > p && (connector(s, r) || is_punct(s, r, '\'') || is_punct(s, r, '&') ||
                             (is_punct(s, r, '-') && s->tok[r].s == s->tok[r - 1].e && r + 1 < s->n &&
                              s->tok[r + 1].s == s->tok[r].e))) {
            r++;
        } else {
            break;
        }
    }
    if (!distinctive_n(s, p, last, k->cap || k->allcaps ? 1 : 2) && !care_name(s, i, p, last))
        return 0;
    /* the head belongs to the name when capitalised or when it is an
     * establishment's ("clinique Pasteur", "cabinet de radiologie du
     * Parc"); in lower case, an organisation's word is a common noun
     * before its name or its place ("l'hôtel Ibis", "la mairie de
     * Colomiers") */
    *a = (k->cap || k->allcaps || (h != HEAD_ACRONYM && text_org_heads[h].lower)) ? i : p;
    *e = last;
    return 1;
}

/* An alias in parentheses after entity token e - 1: "(HCL)", "(GHBS)". */
static void alias_after(text_scan *s, size_t e, int label)
{
    if (e + 2 >= s->n || !is_punct(s, e, '(') || !is_punct(s, e + 2, ')') || s->tok[e].nl)
        return;
    const text_tok *k = &s->tok[e + 1];
    if (k->kind != TOK_WORD || !k->allcaps || tl(s, e + 1) < 2 || tl(s, e + 1) > 8 || s->lab[e + 1] ||
        ((k->lex & LEX_MED) && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE))))
        return;
    mark(s, e + 1, e + 2, label);
}

/* The name before a capitalised head written after it, in the English
 * manner ("Western General Hospital", "Edinburgh Cancer Centre",
 * "Haukeland University Hospital"): up to five capitalised words on its
 * line that name something; its first token into *a, 1 when there is
 * one. Not when a French name follows the head ("Centre Léon Bérard"). */
static int name_before_head(const text_scan *s, size_t i, size_t *a)
{
    static const char *const trailing[] = {"hospital", "clinic",    "infirmary", "center",
                                           "centre",   "institute", NULL};
    const text_tok *k = &s->tok[i];
    char f[64];
    size_t fn = fold64(s, i, f);
    if (!k->cap || k->allcaps || k->nl || !fn || !in_set(f, fn, trailing))
        return 0;
    if (i + 1 < s->n && !s->tok[i + 1].nl && (name_part_word(s, i + 1) || connector(s, i + 1)))
        return 0;
    size_t r = i;
    while (r > 0 && i - r < 5 && !s->tok[r].nl && name_part_word(s, r - 1) && !s->tok[r - 1].allcaps &&
           (!s->lab[r - 1] || s->lab[r - 1] == AT_PHI_VILLE || s->lab[r - 1] == AT_PHI_NOM))
        r--;
    /* (a sentence's first word is no part of it but a name's: "The
     * Royal Infirmary" keeps "The" out by the lists) */
    while (r < i && (s->tok[r].lex & LEX_WORD) && !(s->tok[r].lex & (LEX_PLACE | LEX_CITY | LEX_LAST)) &&
           (r == 0 || s->tok[r].nl || s->tok[r - 1].kind == TOK_PUNCT))
        r++;
    if (r == i || !distinctive_n(s, r, i, 1))
        return 0;
    *a = r;
    return 1;
}

static void org_at(text_scan *s, size_t i)
{
    if (s->lab[i])
        return;
    int h = head_of(s, i);
    if (h < 0)
        return;
    size_t a, e, town;
    if (!org_phrase(s, i, h, &a, &e, &town))
        return;
    int label =
        h != HEAD_ACRONYM && text_org_heads[h].kind == HEAD_HEALTH ? AT_PHI_HOPITAL : AT_PHI_EMPLOYEUR;
    if (mark_over(s, a, e, label)) {
        alias_after(s, e, label);
        if (town)
            mark(s, town, town + 1, AT_PHI_VILLE);
    }
}

void deid_pass_orgs(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t i = s->list[TEXT_LIST_ORG][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i])
            continue;
        if (k->dflags & DICT_HEAD) {
            org_at(s, i);
            continue;
        }
        if (!k->allcaps)
            continue; /* a greeting (deid_pass_complete) */
        /* an unknown acronym: a hospital's by its writing (CH..., GH...:
         * "CHBS", "GHBS", four to six capitals), else the head of an
         * organisation when a number, a place or a name follows */
        const char *t = s->t + k->s;
        if (k->e - k->s >= 4 && (t[0] == 'C' || t[0] == 'G') && t[1] == 'H')
            mark(s, i, i + 1, AT_PHI_HOPITAL);
        else if (k->e - k->s <= 5)
            org_at(s, i);
    }
}

/* The place before ", ZIP Commune" on its line ("domicile (La Croix
 * Rousse, 42140 Chazelles)", "Adresse : Les Hauts de Kerdrein, 29200
 * Brest"): a capitalised phrase that names something, after an opening
 * mark, a colon or the line's start, is the address's street or place. */
void deid_place_before_zip(text_scan *s, size_t z)
{
    if (z < 3 || !is_punct(s, z - 1, ',') || s->tok[z].nl || s->tok[z - 1].nl)
        return;
    size_t e = z - 1, a = e;
    /* (never over a table's cell boundary: a tab or a wide gap) */
    while (
        a > 0 && e - a < 6 && !s->tok[a].nl && !s->lab[a - 1] &&
        (a == e || (s->tok[a].s - s->tok[a - 1].e < 2 && s->t[s->tok[a].s - 1] != '\t')) &&
        (name_part_word(s, a - 1) || (a - 1 > 0 && connector(s, a - 1) && a < e) || is_punct(s, a - 1, '\'')))
        a--;
    while (a < e && !name_part_word(s, a))
        a++;
    if (a >= e || !(s->tok[a].nl || (a > 0 && (is_punct(s, a - 1, '(') || is_punct(s, a - 1, ':') ||
                                               (s->tok[a - 1].dflags & DICT_RESID)))))
        return;
    if (distinctive(s, a, e))
        mark(s, a, e, AT_PHI_ADRESSE);
}

/* A greeting, then a first name: "Bonjour Pierre", "Merci Claire,",
 * "Cher Pascal", "Bises, Cécile". */
const char *const text_greetings[] = {"bonjour", "bonsoir", "merci",   "cher",   "chere",  "salut",
                                      "coucou",  "bises",   "amities", "amitie", "bisous", NULL};

static void greeting_name(text_scan *s, size_t g)
{
    /* g: the greeting; its first name right after it or after a comma */
    size_t i = g + 1;
    if (i < s->n && is_punct(s, i, ','))
        i++;
    if (i >= s->n || s->lab[i] || s->tok[i].kind != TOK_WORD || (s->tok[i].nl && i == g + 1) ||
        (s->tok[i].dflags & (DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_MONTH)))
        return;
    const text_tok *k = &s->tok[i];
    /* a first name of the list, capitalised; or, closing the greeting
     * (',', '!', the line's end), a word no list of the language holds in
     * any case ("Cher Flomon,", "Coucou GADINE !", "merci janelle,") */
    int closes = i + 1 >= s->n || s->tok[i + 1].nl || is_punct(s, i + 1, ',') || is_punct(s, i + 1, '!');
    int known = (k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET)) != 0;
    if (!((k->cap && !k->allcaps && (k->lex & LEX_FIRST)) ||
          (closes && k->e - k->s >= 3 && (!known || (k->lex & LEX_FIRST)) && (k->cap || !known))))
        return;
    if (s->tok[g].nl || g == 0 || s->tok[g - 1].kind == TOK_PUNCT)
        mark(s, i, i + 1, AT_PHI_PRENOM);
}

/* A word that names in a phrase in lower case: no word of the language's
 * lists and none the allow-list knows as safe ("ligérien", "anjou"), or a
 * name's or a place's that is no word of the language. */
static int lower_name(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || k->cap || k->allcaps || tl(s, i) < 4 || tok_has_digit(s, i) || k->dflags)
        return 0;
    if (k->lex &
        (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET | LEX_CUE_ID | LEX_CUE_EMP))
        return 0;
    return (k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) || !deid_known_safe(s, i);
}

/* An establishment written with its head in lower case, after the tagger:
 * "clinique de l'anjou", "centre ligérien de cancérologie", "laboratoire
 * de génétique moléculaire du XYZ", "école publique de <town>", "collège
 * <name> de <town>": the head, its connectors and specialty words, then a
 * name (an entity found, a capitalised name part, an unknown acronym, a
 * word in lower case that names); after a name that an adjective makes
 * ("centre ligérien"), the specialty that follows it ("de cancérologie"). */
static void lower_head_phrase(text_scan *s, size_t h)
{
    static const char *const schools[] = {"ecole", "college", "lycee", "universite", "creche", NULL};
    const text_tok *k = &s->tok[h];
    if (k->cap || k->allcaps || s->lab[h] || h + 1 >= s->n || s->tok[h + 1].nl || tl(s, h) <= 4 ||
        k->dval < 1)
        return;
    /* heads that belong to the name in lower case, and schools (a common
     * noun otherwise: "l'agence de X", "le taxi Y") */
    const text_org_head *hd = &text_org_heads[k->dval - 1];
    if (!hd->lower) {
        char f[64];
        size_t fn = fold64(s, h, f);
        if (!fn || !in_set(f, fn, schools))
            return;
    }
    size_t j = h + 1, words = 0;
    while (j < s->n && !s->tok[j].nl && j - h < 8 && !s->lab[j]) {
        const text_tok *u = &s->tok[j];
        if (connector(s, j) || (is_punct(s, j, '\'') && j > h + 1)) {
            j++;
            continue;
        }
        if (u->kind == TOK_WORD && !u->cap && !u->allcaps && words < 3 && tl(s, j) >= 4 &&
            !tok_has_digit(s, j) && (u->lex & (LEX_WORD | LEX_MED)) && !lower_name(s, j) &&
            !function_word(s, j) && !((u->lex & (LEX_PLACE | LEX_CITY)) && connector(s, j - 1)) &&
            !(u->dflags &
              (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_BIRTH | DICT_IDLABEL | DICT_HEAD))) {
            words++;
            j++;
            continue;
        }
        break;
    }
    if (j >= s->n || s->tok[j].nl || (j > h + 1 && !connector(s, j - 1) && !is_punct(s, j - 1, '\'')))
        return;
    size_t e;
    int l = s->lab[j];
    if (l == AT_PHI_HOPITAL || l == AT_PHI_EMPLOYEUR || l == AT_PHI_VILLE || l == AT_PHI_NOM) {
        e = j + 1;
        while (e < s->n && s->lab[e] && s->ent[e] == s->ent[j])
            e++;
    } else if (!l &&
               (lower_name(s, j) ||
                /* a place's name that is a word too, after a connector ("de l'anjou") */
                (!s->tok[j].cap && (s->tok[j].lex & (LEX_PLACE | LEX_CITY)) && connector(s, j - 1) &&
                 tl(s, j) >= 4) ||
                (name_part_word(s, j) && !(s->tok[j].allcaps && tl(s, j) <= 4) && !deid_known_safe(s, j)) ||
                (acronym_head(s, j) && hd->kind == HEAD_HEALTH && j > h + 1))) {
        e = j + 1;
        /* "centre ligérien de cancérologie" */
        if (j == h + 1 && e + 1 < s->n && connector(s, e) && !s->tok[e + 1].nl && !s->tok[e + 1].cap &&
            (s->tok[e + 1].lex & (LEX_WORD | LEX_MED)) && tl(s, e + 1) >= 5 && !function_word(s, e + 1))
            e += 2;
    } else {
        return;
    }
    mark_over(s, h, e, hd->kind == HEAD_HEALTH ? AT_PHI_HOPITAL : AT_PHI_EMPLOYEUR);
}

/* A rural address after its place word in lower case, after the tagger:
 * "lieu-dit la grande brosse", "hameau de <place>", "lotissement les
 * hauts de <place>" (every word up to the phrase's end: a place so named
 * is made of words of the language), "quartier <Name>", "maison <Name>"
 * (a name no list of the language holds after it). */
static void rural_lower_place(text_scan *s, size_t i)
{
    static const char *const whole[] = {"lieu-dit", "lieudit", "hameau", "lotissement", NULL};
    static const char *const named[] = {"quartier", "maison", NULL};
    const text_tok *k = &s->tok[i];
    if (k->cap || k->allcaps || s->lab[i] || i + 1 >= s->n || s->tok[i + 1].nl ||
        s->tok[i + 1].kind != TOK_WORD)
        return;
    char f[64];
    size_t fn = fold64(s, i, f);
    if (!fn)
        return;
    static const char *const stops[] = {"a", "au", "aux", "et", "ou", "chez", NULL};
    static const char *const articles[] = {"le", "ce", "un", "cet", NULL};
    size_t e = i + 1;
    if (in_set(f, fn, whole)) {
        /* (the place word as a noun: "le lieu-dit porte ce nom") */
        char g[64];
        size_t gn = i > 0 && !k->nl ? fold64(s, i - 1, g) : 0;
        if (gn && in_set(g, gn, articles))
            return;
        size_t words = 0;
        while (e < s->n && !s->tok[e].nl && e - i <= 8 && !s->lab[e]) {
            const text_tok *u = &s->tok[e];
            char h[64];
            size_t hn = u->kind == TOK_WORD && tl(s, e) <= 4 ? fold64(s, e, h) : 0;
            if (u->kind == TOK_WORD && !tok_has_digit(s, e) && !function_word(s, e) &&
                !(hn && in_set(h, hn, stops)) &&
                !(u->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_IDLABEL))) {
                words += tl(s, e) >= 3;
                e++;
            } else if (u->kind == TOK_PUNCT && (s->t[u->s] == '-' || s->t[u->s] == '\'') &&
                       u->s == s->tok[e - 1].e) {
                e++;
            } else {
                break;
            }
        }
        if (!words)
            return;
    } else if (in_set(f, fn, named)) {
        const text_tok *u = &s->tok[e];
        if (!u->cap || u->allcaps || s->lab[e] || (u->lex & (LEX_WORD | LEX_MED | LEX_ORG | LEX_STREET)) ||
            u->dflags || tl(s, e) < 4)
            return;
        e++;
    } else {
        return;
    }
    mark_over(s, i, e, AT_PHI_ADRESSE);
}

/* After the tagger: an alias in parentheses after any establishment or
 * employer; a first name after a greeting; an establishment named before
 * an English head ("Western General Hospital"). */
void deid_pass_complete(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t i = s->list[TEXT_LIST_ORG][q];
        if (s->tok[i].dflags & DICT_GREET)
            greeting_name(s, i);
        else if (s->tok[i].dflags & DICT_HEAD)
            lower_head_phrase(s, i);
    }
    /* an establishment named before its head, in the English manner */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ABROAD]; q++) {
        size_t i = s->list[TEXT_LIST_ABROAD][q], a;
        const text_tok *k = &s->tok[i];
        /* (six to nine bytes opening with "Ho", "Cl", "Ce" or "In": one
         * test, computed without branches, that most words fail) */
        size_t n = k->e - k->s;
        unsigned c01 =
            (unsigned char)s->t[k->s] | (n >= 2 ? (unsigned)(unsigned char)s->t[k->s + 1] << 8 : 0);
        int head = (c01 == ('H' | 'o' << 8)) | (c01 == ('C' | 'l' << 8)) | (c01 == ('C' | 'e' << 8)) |
                   (c01 == ('I' | 'n' << 8));
        if ((head & (n - 6 <= 3)) && !s->lab[i] && name_before_head(s, i, &a))
            mark_over(s, a, i + 1, AT_PHI_HOPITAL);
    }
    /* (the street and place words: the tokeniser's list of cues) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if ((s->tok[i].lex & LEX_STREET) && !s->tok[i].cap)
            rural_lower_place(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_EXTRA]; q++) {
        size_t i = s->list[TEXT_LIST_EXTRA][q];
        if (i > 0 && i + 2 < s->n && !s->lab[i] &&
            (s->lab[i - 1] == AT_PHI_HOPITAL || s->lab[i - 1] == AT_PHI_EMPLOYEUR))
            alias_after(s, i, s->lab[i - 1]);
    }
    deid_pass_estab_late(s);
    deid_pass_occupational(s);
    deid_pass_estab_world(s);
    deid_pass_streets(s);
    deid_pass_units(s);
    deid_pass_foreign_zip(s);
    deid_pass_address_late(s);
    deid_pass_address_directions(s);
    deid_pass_name_words(s);
    deid_pass_initials(s);
    deid_pass_estab_heads(s);
}
