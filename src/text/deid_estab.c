/* Establishments whose words are all words of the language, after the
 * tagger (so that the model's inputs stay those it was trained on):
 *  - a head, its specialty words and a name found by another pass
 *    ("unité de soins palliatifs de X", "Plateforme de génétique
 *    somatique de X", "Hôpital d'instruction des armées X", "X site de
 *    Town" after an establishment's acronym): the whole phrase is the
 *    establishment;
 *  - a head, an adjective of place and a specialty ("centre ligérien de
 *    cancérologie", "Institut Normand d'Oncologie"): the adjective names
 *    a region, the phrase one establishment;
 *  - a head read wrong by the OCR ("lnstitut", "LAB0RAT0IRE"): the head
 *    and the capitalised words after it. */
#include "tagger.h"

#include <string.h>

/* Heads that are no head of text_org_heads (their words are common):
 * a platform, a unit, a palliative care unit, a follow-up care unit.
 * Folded. */
static const char *const extra_heads[] = {"plateforme", "unite", "usp", "smr", "ssr", "umsp", NULL};

/* Endings of adjectives of place (ligérien, armoricain, normand,
 * lyonnais, champenois), folded. */
static const char *const place_endings[] = {"ien",  "ienne", "ain",  "aine", "ais",   "aise", "ois",
                                            "oise", "and",   "ande", "een",  "eenne", NULL};

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

/* A connector: de, du, des, d', l', la, et (any case). */
static int connector(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || tl(s, i) > 4)
        return 0;
    if (tok_is(s, i, "de") || tok_is(s, i, "du") || tok_is(s, i, "des") || tok_is(s, i, "la") ||
        tok_is(s, i, "et") || tok_is(s, i, "d'") || tok_is(s, i, "l'"))
        return 1;
    const text_tok *k = &s->tok[i];
    char c = (char)(s->t[k->s] | 0x20);
    return tl(s, i) == 4 && (c == 'd' || c == 'l') && !memcmp(s->t + k->s + 1, "\xE2\x80\x99", 3);
}

/* 1 when token h heads an establishment here: a head of text_org_heads
 * that belongs to the name in lower case (or capitalised), or one of
 * extra_heads. */
static int head_at(const text_scan *s, size_t h)
{
    const text_tok *k = &s->tok[h];
    if (k->kind != TOK_WORD)
        return 0;
    if (k->dflags & DICT_HEAD) {
        const text_org_head *o = &text_org_heads[k->dval - 1];
        return o->kind == 1 && (o->lower || k->cap || k->allcaps);
    }
    char f[64];
    size_t n = fold64(s, h, f);
    return n >= 3 && n <= 10 && in_list(f, n, extra_heads);
}

/* The first token of the entity of token i. */
static size_t entity_start(const text_scan *s, size_t i)
{
    while (i > 0 && s->lab[i - 1] && s->ent[i - 1] == s->ent[i])
        i--;
    return i;
}

static size_t entity_end(const text_scan *s, size_t i)
{
    while (i + 1 < s->n && s->lab[i + 1] && s->ent[i + 1] == s->ent[i])
        i++;
    return i + 1;
}

/* Label [a, b) HOPITAL as one entity when every token there is free or
 * belongs to a name's, place's, address's or establishment's entity inside
 * it (the tagger may read the name after a head as any of them). */
static int mark_estab(text_scan *s, size_t a, size_t b)
{
    if (a >= b || b > s->n)
        return 0;
    for (size_t i = a; i < b; i++) {
        int l = s->lab[i];
        if (!l)
            continue;
        if (l != AT_PHI_NOM && l != AT_PHI_PRENOM && l != AT_PHI_VILLE && l != AT_PHI_HOPITAL &&
            l != AT_PHI_EMPLOYEUR && l != AT_PHI_ADRESSE)
            return 0;
        if ((i == a && a > 0 && s->lab[a - 1] && s->ent[a - 1] == s->ent[i]) ||
            (i + 1 == b && b < s->n && s->lab[b] && s->ent[b] == s->ent[i]))
            return 0;
    }
    uint32_t e = ++s->next_ent;
    for (size_t i = a; i < b; i++) {
        s->lab[i] = AT_PHI_HOPITAL;
        s->ent[i] = e;
    }
    return 1;
}

/* A specialty word between a head and its name: a word in lower case no
 * pass labelled ("de santé pluriprofessionnelle de"), no word that ends
 * the phrase (a verb, a preposition of motion, an article). */
static int specialty_word(const text_scan *s, size_t i)
{
    static const char *const stop[] = {"avec", "pour", "dans", "chez", "sans", "vers",  "apres", "avant",
                                       "par",  "sur",  "en",   "au",   "aux",  "a",     "le",    "les",
                                       "un",   "une",  "est",  "sont", "fait", "faite", "puis",  NULL};
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || k->cap || k->allcaps || s->lab[i])
        return 0;
    char f[64];
    size_t n = fold64(s, i, f);
    return n >= 2 && !in_list(f, n, stop);
}

/* A name found by another pass at token i (an establishment's or a
 * place's): the head before it over specialty words and connectors. */
static void head_before_name(text_scan *s, size_t i)
{
    int l = s->lab[i];
    const text_tok *k = &s->tok[i];
    if (i < 2 || k->nl || k->kind != TOK_WORD)
        return;
    if (!l) {
        /* a town no pass took, or a capitalised word of no list, after
         * its connector: the name of the establishment */
        if (tl(s, i - 1) > 4 || s->tok[i - 1].kind != TOK_WORD || s->lab[i - 1] ||
            !((k->cap && !k->allcaps) || (k->allcaps && tl(s, i) >= 5)) || !connector(s, i - 1) ||
            !((k->lex & (LEX_CITY | LEX_PLACE)) || !(k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM))))
            return;
        l = AT_PHI_VILLE;
    } else if (l != AT_PHI_HOPITAL && l != AT_PHI_VILLE)
        return;
    else if (entity_start(s, i) != i)
        return;
    if (s->lab[i - 1])
        return;
    /* a place is an establishment's after its connector, or after
     * specialty words that hold one ("d'instruction des armées X") */
    int place_glued = l == AT_PHI_VILLE && !connector(s, i - 1);
    size_t words = 0, connectors = 0;
    for (size_t j = i - 1, hop = 0; j > 0 && hop < 7; j--, hop++) {
        if (s->tok[j + 1].nl)
            return;
        if (connector(s, j)) {
            connectors++;
            continue;
        }
        if (head_at(s, j)) {
            /* "site de Town" after the establishment's acronym */
            if (tok_is(s, j, "site") && !(j > 0 && s->lab[j - 1] == AT_PHI_HOPITAL))
                return;
            if (!words && l == AT_PHI_HOPITAL && !tok_is(s, j, "site"))
                return; /* "Hôpital X": the rules' */
            /* a name glued to its specialty words has a connector among
             * them ("d'instruction des armées X"; not "centre expert X") */
            if (!connectors || (place_glued && !words))
                return;
            mark_estab(s, j, s->lab[i] ? entity_end(s, i) : i + 1);
            return;
        }
        if (!specialty_word(s, j))
            return;
        words++;
    }
}

/* A head, an adjective of place, a connector and a specialty: "centre
 * ligérien de cancérologie", "Institut Normand d'Oncologie". */
static void place_adjective_phrase(text_scan *s, size_t h)
{
    if (s->lab[h] || h + 3 >= s->n || !head_at(s, h) || !(s->tok[h].dflags & DICT_HEAD))
        return;
    size_t a = h + 1;
    const text_tok *k = &s->tok[a];
    if (k->kind != TOK_WORD || k->nl || s->lab[a] || (k->lex & LEX_MED) || tl(s, a) < 6)
        return;
    char f[64];
    size_t n = fold64(s, a, f), m = 0;
    int place = 0;
    for (const char *const *e = place_endings; *e && !place; e++)
        m = strlen(*e), place = n > m + 2 && !memcmp(f + n - m, *e, m);
    if (!place || !connector(s, a + 1) || s->tok[a + 1].nl || s->tok[a + 2].nl)
        return;
    size_t d = a + 2;
    if (tok_is(s, d, "la") || tok_is(s, d, "l'"))
        d++;
    n = fold64(s, d, f);
    if (!n || s->lab[d] || !in_list(f, n, text_org_descriptors))
        return;
    mark_estab(s, h, d + 1);
}

/* A head read wrong by the OCR: "l" for "I" first, "0" for "o" inside.
 * Then the head and the capitalised words and connectors after it on its
 * line. */
/* The folded word f (n bytes) read by the OCR for the head w: the same
 * but for the letters it confuses (1, l and i; 0 and o). */
static int ocr_same(const char *f, const char *w, size_t n)
{
    if (strlen(w) != n)
        return 0;
    for (size_t q = 0; q < n; q++) {
        char a = f[q], b = w[q];
        if (a == b || (a == '0' && b == 'o') ||
            ((a == '1' || a == 'l' || a == 'i') && (b == 'i' || b == 'l')))
            continue;
        return 0;
    }
    return 1;
}

static void ocr_head(text_scan *s, size_t h)
{
    const text_tok *k = &s->tok[h];
    size_t n = tl(s, h);
    if (k->kind != TOK_WORD || s->lab[h] || n < 5 || n > 14)
        return;
    char f[64];
    size_t fl = fold64(s, h, f);
    if (fl < 5 || !((f[0] >= 'a' && f[0] <= 'z') || f[0] == '1'))
        return;
    /* a letter the OCR misread: a digit among the letters, an 'l' in a
     * word in capitals ("CLlNlQUE"), an 'l' opening it before a consonant
     * ("lnstitut") */
    const char *w = s->t + k->s;
    int misread = 0, upper = 0;
    for (size_t q = 0; q < n; q++) {
        misread |= w[q] == '0' || w[q] == '1';
        upper += w[q] >= 'A' && w[q] <= 'Z';
    }
    for (size_t q = 1; q + 1 < n && upper >= 3 && !misread; q++)
        misread |= w[q] == 'l' && w[q - 1] >= 'A' && w[q - 1] <= 'Z';
    if (w[0] == 'l' && f[1] != 'a' && f[1] != 'e' && f[1] != 'i' && f[1] != 'o' && f[1] != 'u' &&
        f[1] != 'y' && f[1] != 'l' && f[1] != 'h')
        misread = 1;
    if (!misread)
        return;
    int head = 0;
    for (size_t q = 0; text_org_heads[q].w && !head; q++)
        head = text_org_heads[q].kind == 1 && text_org_heads[q].lower && ocr_same(f, text_org_heads[q].w, fl);
    if (!head)
        return;
    size_t e = h + 1, names = 0, words = 0;
    for (size_t hop = 0; e < s->n && hop < 8 && !s->tok[e].nl; hop++) {
        const text_tok *u = &s->tok[e];
        if (connector(s, e) || (u->allcaps && tl(s, e) <= 3 && (u->dflags & (DICT_CONNECT | DICT_PARTICLE))))
            e++;
        else if (u->kind == TOK_WORD && (u->cap || u->allcaps || (s->t[u->s] >= '0' && s->t[u->s] <= '9'))) {
            e++;
            names++;
        } else if (is_punct(s, e, '-') && e + 1 < s->n && !s->tok[e + 1].nl && s->tok[e].s == s->tok[e - 1].e)
            e++;
        else if (!names && words < 3 && u->kind == TOK_WORD && (u->lex & (LEX_WORD | LEX_MED)) &&
                 tl(s, e) >= 4) {
            e++; /* a specialty before the name: "Cab1net médical de la Fensch" */
            words++;
        } else
            break;
    }
    while (e > h + 1 && (connector(s, e - 1) || is_punct(s, e - 1, '-') ||
                         !(s->tok[e - 1].cap || s->tok[e - 1].allcaps || s->tok[e - 1].kind == TOK_NUM)))
        e--;
    if (names)
        mark_estab(s, h, e);
}

void deid_pass_estab_late(text_scan *s)
{
    /* (the capitalised names: the tokeniser's list of them) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++)
        head_before_name(s, s->list[TEXT_LIST_NAME][q]);
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ORG]; q++) {
        size_t h = s->list[TEXT_LIST_ORG][q];
        if (s->tok[h].dflags & DICT_HEAD)
            place_adjective_phrase(s, h);
    }
    /* (the OCR's heads: unknown lower-case words, words with digits) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ODD]; q++) {
        size_t h = s->list[TEXT_LIST_ODD][q];
        if (s->t[s->tok[h].s] == 'l' && tl(s, h) >= 5)
            ocr_head(s, h);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t h = s->list[TEXT_LIST_CUE][q];
        if (tl(s, h) >= 5 && tl(s, h) <= 14 && s->tok[h].kind == TOK_WORD &&
            (memchr(s->t + s->tok[h].s + 1, '0', tl(s, h) - 1) || memchr(s->t + s->tok[h].s, '1', tl(s, h))))
            ocr_head(s, h);
    }
    /* "CLlNlQUE": capitals with an 'l' among them */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_OCRCAP]; q++) {
        size_t h = s->list[TEXT_LIST_OCRCAP][q];
        const char *w = s->t + s->tok[h].s;
        if (tl(s, h) >= 5 && tl(s, h) <= 14 && !s->lab[h] && w[1] >= 'A' && w[1] <= 'Z' &&
            memchr(w + 1, 'l', tl(s, h) - 1))
            ocr_head(s, h);
    }
}

/* ---- an address's complements, after the tagger ------------------------- */

/* Words of a complement whose value follows: "villa 11", "bât. C",
 * "esc. 2", "appt 12", "CS 30026", "BP 214". Folded. */
static const char *const complement_words[] = {"villa",  "bat", "batiment",    "esc",   "escalier",
                                               "appt",   "apt", "appartement", "porte", "immeuble",
                                               "chalet", "cs",  "bp",          NULL};

/* The end of a complement starting at token i, i when none. */
static size_t complement_at(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    char f[64];
    size_t n = fold64(s, i, f), j = i + 1;
    if (!n && k->kind != TOK_NUM)
        return i;
    /* "3e étage", "2ème ét." */
    if (n >= 2 && n <= 5 && f[0] >= '1' && f[0] <= '9' && !k->nl) {
        size_t d = 1;
        while (d < n && f[d] >= '0' && f[d] <= '9')
            d++;
        if (d > 2 || !(!strcmp(f + d, "e") || !strcmp(f + d, "eme") || !strcmp(f + d, "er")))
            return i;
        size_t g = fold64(s, j, f);
        if (j >= s->n || s->tok[j].nl ||
            !((g == 5 && !memcmp(f, "etage", 5)) || (g == 2 && !memcmp(f, "et", 2)) ||
              (g == 6 && !memcmp(f, "gauche", 6)) || (g == 6 && !memcmp(f, "droite", 6))))
            return i; /* ("2e gauche": the floor and the door) */
        return is_punct(s, j + 1, '.') && g == 2 ? j + 2 : j + 1;
    }
    if (!n || n > 11 || !in_list(f, n, complement_words))
        return i;
    if (is_punct(s, j, '.'))
        j++;
    /* "n°", "no" */
    if (j < s->n && (tok_is(s, j, "n") || tok_is(s, j, "no") ||
                     (tl(s, j) == 3 && !memcmp(s->t + s->tok[j].s, "n\xC2\xB0", 3)))) {
        j++;
        if (j < s->n && tl(s, j) == 2 && !memcmp(s->t + s->tok[j].s, "\xC2\xB0", 2))
            j++;
    }
    if (j >= s->n || s->tok[j].nl || s->lab[j])
        return i;
    const text_tok *v = &s->tok[j];
    size_t vl = tl(s, j);
    if (v->kind == TOK_NUM ? vl <= 6
                           : (v->kind == TOK_WORD && vl <= 3 && (v->allcaps || tok_has_digit(s, j))))
        return j + 1;
    return i;
}

/* The token beside [a, b) past a separator (',', a dash, '(' or ')') on
 * the same line: 1 when it belongs to an address, a postcode or a town. */
static int beside_address(const text_scan *s, size_t a, size_t b)
{
    size_t l = a;
    for (int hop = 0; hop < 2 && l > 0 && !s->tok[l].nl; hop++) {
        l--;
        int lab = s->lab[l];
        if (lab == AT_PHI_ADRESSE || lab == AT_PHI_ZIP)
            return 1;
        if (lab || s->tok[l].kind != TOK_PUNCT)
            break;
    }
    for (size_t r = b, hop = 0; hop < 2 && r < s->n && !s->tok[r].nl; hop++, r++) {
        int lab = s->lab[r];
        if (lab == AT_PHI_ADRESSE || lab == AT_PHI_ZIP)
            return 1;
        if (lab || s->tok[r].kind != TOK_PUNCT)
            break;
    }
    return 0;
}

/* 1 when token i may open a complement, by its first bytes: a digit
 * then 'e' or 'è' ("3e", "2ème"), or the first letter of a complement
 * word (v, b, e, a, p, i, c). */
static int complement_start(const text_scan *s, size_t i)
{
    const unsigned char *w = (const unsigned char *)s->t + s->tok[i].s;
    size_t n = tl(s, i);
    if (n < 2 || n > 11)
        return 0;
    if (w[0] >= '1' && w[0] <= '9') {
        size_t d = w[1] >= '0' && w[1] <= '9' ? 2 : 1;
        return d < n && (w[d] == 'e' || (w[d] == 0xC3 && d + 1 < n && w[d + 1] == 0xA8));
    }
    unsigned c = w[0] | 0x20u;
    return c == 'v' || c == 'b' || c == 'e' || c == 'a' || c == 'p' || c == 'i' || c == 'c';
}

static int complement_try(text_scan *s, size_t i)
{
    if (s->lab[i] || !complement_start(s, i))
        return 0;
    size_t e = complement_at(s, i);
    if (e == i)
        return 0;
    for (size_t q = i; q < e; q++)
        if (s->lab[q])
            return 0;
    if (!beside_address(s, i, e))
        return 0;
    /* the address's entity goes on over it */
    uint32_t ent = 0;
    if (i > 0 && s->lab[i - 1] == AT_PHI_ADRESSE && !s->tok[i].nl)
        ent = s->ent[i - 1];
    if (!ent)
        ent = ++s->next_ent;
    for (size_t q = i; q < e; q++) {
        s->lab[q] = AT_PHI_ADRESSE;
        s->ent[q] = ent;
    }
    return 1;
}

void deid_pass_address_late(text_scan *s)
{
    /* again when one was found: a chain of complements joins its address
     * from either side ("bât. B, esc. 2, 3e étage, 14 avenue ...") */
    static const int lists[] = {TEXT_LIST_CUE, TEXT_LIST_NUM, TEXT_LIST_ORG};
    /* (a complement joins an address or a postcode found: none, none to join) */
    if (!memchr(s->lab, AT_PHI_ADRESSE, s->n) && !memchr(s->lab, AT_PHI_ZIP, s->n))
        return;
    int found = 1;
    for (int round = 0; round < 2 && found; round++) {
        found = 0;
        for (size_t l = 0; l < 3; l++)
            for (size_t q = 0; q < s->nlist[lists[l]]; q++)
                found |= complement_try(s, s->list[lists[l]][q]);
    }
}

/* ---- towns beside an establishment, articles of towns (after the tagger) ---------------- */

/* Token i may be a town's word: capitalised (not in capitals), a place
 * (an eponymous one too: Deauville) or a word no list of the language
 * holds, no title or head. */
static int town_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || !k->cap || k->allcaps ||
        (k->dflags & (DICT_TITLE | DICT_ROLE | DICT_HEAD | DICT_MONTH)))
        return 0;
    return (k->lex & (LEX_CITY | LEX_PLACE)) || !(k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM));
}

/* The end of a run of town words and joining dashes from token i, on the
 * line (three words at most): i when none. */
static size_t town_run(const text_scan *s, size_t i)
{
    size_t e = i, words = 0;
    while (e < s->n && !s->tok[e].nl && !s->lab[e] && words < 3) {
        if (town_word(s, e)) {
            e++;
            words++;
        } else if (words && is_punct(s, e, '-') && e + 1 < s->n && s->tok[e].s == s->tok[e - 1].e &&
                   s->tok[e + 1].s == s->tok[e].e && town_word(s, e + 1)) {
            e++;
        } else {
            break;
        }
    }
    return words ? e : i;
}

/* Token i is a dash of two or three bytes' length: – or —. */
static int long_dash(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_PUNCT && tl(s, i) == 3 &&
           (!memcmp(s->t + s->tok[i].s, "\xE2\x80\x93", 3) || !memcmp(s->t + s->tok[i].s, "\xE2\x80\x94", 3));
}

/* A capitalised article of a town's name: Le, La, Les, L'. */
static int town_article_word(const text_scan *s, size_t i)
{
    return s->tok[i].cap && !s->tok[i].allcaps && !s->lab[i] &&
           (tok_is(s, i, "la") || tok_is(s, i, "le") || tok_is(s, i, "les") || tok_is(s, i, "l'") ||
            tok_is(s, i, "l\xE2\x80\x99"));
}

/* (its first tests inline: most words leave at them) */
static inline int town_article(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_WORD && tl(s, i) <= 4 && (s->t[s->tok[i].s] | 0x20) == 'l' &&
           town_article_word(s, i);
}

/* Departments and regions written like communes: no one's place (the
 * annotators keep them). Folded. */
static const char *const departments[] = {"pas-de-calais",
                                          "val-de-marne",
                                          "val-d'oise",
                                          "corse-du-sud",
                                          "bouches-du-rhone",
                                          "cotes-d'armor",
                                          "puy-de-dome",
                                          "hauts-de-seine",
                                          "seine-et-marne",
                                          "maine-et-loire",
                                          "lot-et-garonne",
                                          "tarn-et-garonne",
                                          "ille-et-vilaine",
                                          "indre-et-loire",
                                          "eure-et-loir",
                                          "loir-et-cher",
                                          "saone-et-loire",
                                          "meurthe-et-moselle",
                                          "hauts-de-france",
                                          "ile-de-france",
                                          "alpes-de-haute-provence",
                                          "provence-alpes-cote-d'azur",
                                          "territoire-de-belfort",
                                          "seine-saint-denis",
                                          "centre-val-de-loire",
                                          "auvergne-rhone-alpes",
                                          "bourgogne-franche-comte",
                                          "nord-pas-de-calais",
                                          "midi-pyrenees",
                                          "languedoc-roussillon",
                                          "poitou-charentes",
                                          "champagne-ardenne",
                                          "val-de-loire",
                                          NULL};

/* Token i is written as a commune is ("Tour-du-Pin", "Seyne-sur-Mer",
 * "Saint-Pée-sur-Nivelle"), though the lists may hold it as a word: a
 * connector inside, its last part capitalised, no department's name and
 * no "Saint-X" of two parts (a school's, a street's, a saint's). */
static int commune_writing(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t len = tl(s, i);
    if (len < 7 || len > 48 || k->kind != TOK_WORD || !k->cap || k->allcaps ||
        (k->lex & (LEX_MED | LEX_EPONYM)) || !(k->aux & TOK_AUX_HYPHEN) ||
        !memchr(s->t + k->s + 2, '-', len - 4))
        return 0;
    const char *w = s->t + k->s;
    const char *dash = NULL;
    for (size_t q = 0; q + 1 < len; q++)
        if (w[q] == '-')
            dash = w + q;
    if (!dash || !((dash[1] >= 'A' && dash[1] <= 'Z') || (unsigned char)dash[1] == 0xC3))
        return 0;
    char f[64];
    size_t n = fold64(s, i, f);
    if (!n || !deid_place_compound(f, n) || in_list(f, n, departments))
        return 0;
    size_t parts = 1;
    for (size_t q = 0; q < n; q++)
        parts += f[q] == '-';
    /* two parts: only a saint's ("Saint-Pierre", "Sainte-Foy"; no feast:
     * "la Saint-Jean") */
    if (parts == 2 && (n > 6 && (!memcmp(f, "saint-", 6) || !memcmp(f, "sainte-", 7))))
        return !(i > 0 && !k->nl && (tok_is(s, i - 1, "la") || tok_is(s, i - 1, "le")));
    if (parts < 3)
        return 0;
    /* after an organisation's acronym ("CPAM du Val-de-Marne", "MSA Lot-et-Garonne") */
    size_t p = i;
    if (p > 0 && (tok_is(s, p - 1, "du") || tok_is(s, p - 1, "de") || tok_is(s, p - 1, "des")))
        p--;
    return !(p > 0 && s->tok[p - 1].allcaps && !s->tok[p].nl);
}

/* The end of the words after a town's article at i ("Le Tampon", "La
 * Garde", "Les Abymes"): capitalised words, no title nor head, two at
 * most; i + 1 when none. */
static size_t article_town_end(const text_scan *s, size_t i)
{
    size_t e = i + 1;
    while (e < s->n && e - i <= 2 && !s->tok[e].nl && !s->lab[e] && s->tok[e].kind == TOK_WORD &&
           s->tok[e].cap && !s->tok[e].allcaps &&
           !(s->tok[e].dflags & (DICT_TITLE | DICT_ROLE | DICT_HEAD | DICT_MONTH | DICT_FIELD)) &&
           !((s->tok[e].lex & LEX_MED) && !(s->tok[e].lex & (LEX_PLACE | LEX_CITY | LEX_WORD))))
        e++;
    return e;
}

/* Token e ends a phrase: the line's end, '.', ')', ';' or ','. */
static int phrase_end(const text_scan *s, size_t e)
{
    return e >= s->n || s->tok[e].nl || is_punct(s, e, '.') || is_punct(s, e, ')') || is_punct(s, e, ';') ||
           is_punct(s, e, ',');
}

void deid_pass_place_late(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        /* "La Tour-du-Pin", "Castelnau-le-Lez": a commune by its writing,
         * with its article */
        if (!s->lab[i] && commune_writing(s, i)) {
            size_t a = i > 0 && !s->tok[i].nl && town_article(s, i - 1) ? i - 1 : i;
            mark(s, a, i + 1, AT_PHI_VILLE);
            continue;
        }
        if (i < 2 || s->tok[i].nl)
            continue;
        /* "SARL Hoarau Espaces Verts, Le Tampon.", "CADA Les Lauriers (La
         * Garde)": an article and a town after an entity and a comma, or
         * in brackets after an establishment, ending the phrase */
        if (town_article(s, i) && ((is_punct(s, i - 1, ',') &&
                                    (s->lab[i - 2] == AT_PHI_HOPITAL || s->lab[i - 2] == AT_PHI_EMPLOYEUR ||
                                     s->lab[i - 2] == AT_PHI_NOM || s->lab[i - 2] == AT_PHI_PRENOM)) ||
                                   (is_punct(s, i - 1, '(') && s->lab[i - 2] == AT_PHI_HOPITAL))) {
            size_t e = article_town_end(s, i);
            if (e > i + 1 && phrase_end(s, e) && !(is_punct(s, i - 1, '(') && !is_punct(s, e, ')')))
                mark(s, i, e, AT_PHI_VILLE);
            continue;
        }
        /* "Le Puy-en-Velay", "La Crau": a capitalised article before a town
         * is its name's */
        if (s->lab[i] == AT_PHI_VILLE && !s->lab[i - 1] && s->tok[i - 1].cap &&
            s->tok[i - 1].kind == TOK_WORD &&
            (tok_is(s, i - 1, "la") || tok_is(s, i - 1, "le") || tok_is(s, i - 1, "les") ||
             tok_is(s, i - 1, "l'") || tok_is(s, i - 1, "l\xE2\x80\x99"))) {
            s->lab[i - 1] = AT_PHI_VILLE;
            s->ent[i - 1] = s->ent[i];
            continue;
        }
        /* "commune de Poya", "ville de Saint-Lô": a town by its word, even
         * one the language writes ("commune de Poya", "ville de Nice") */
        if (!s->lab[i] && s->tok[i].cap && !s->tok[i].allcaps &&
            (tok_is(s, i - 1, "de") || tok_is(s, i - 1, "d'")) && !s->tok[i - 1].nl && !s->tok[i - 1].cap &&
            (tok_is(s, i - 2, "commune") || tok_is(s, i - 2, "ville")) &&
            !(s->tok[i].dflags & (DICT_TITLE | DICT_MONTH | DICT_HEAD | DICT_ROLE))) {
            mark(s, i, i + 1, AT_PHI_VILLE);
            continue;
        }
        if (s->lab[i] || !town_word(s, i))
            continue;
        int estab = s->lab[i - 2] == AT_PHI_HOPITAL || s->lab[i - 2] == AT_PHI_EMPLOYEUR;
        /* "Hôpital Saint-Louis (Paris)", "lycée Grandmont (Tours)": a town in
         * brackets after an establishment or a firm */
        if (is_punct(s, i - 1, '(') && estab && !s->tok[i - 1].nl) {
            size_t e = town_run(s, i);
            if (e > i && e < s->n && is_punct(s, e, ')'))
                mark(s, i, e, AT_PHI_VILLE);
            continue;
        }
        /* "Centre de radiothérapie de la Côte Fleurie, Deauville", "Centre
         * d'imagerie Vauban – Maubeuge": after an establishment or a firm
         * and a comma or a spaced dash, ending the line, the phrase or the
         * brackets */
        int dash = s->tok[i - 1].kind == TOK_PUNCT && s->tok[i - 1].s > s->tok[i - 2].e &&
                   s->tok[i].s > s->tok[i - 1].e && (is_punct(s, i - 1, '-') || long_dash(s, i - 1));
        if ((is_punct(s, i - 1, ',') || dash) && estab && !s->tok[i - 1].nl) {
            size_t e = town_run(s, i);
            if (e > i &&
                (e >= s->n || s->tok[e].nl || is_punct(s, e, ')') || is_punct(s, e, ';') ||
                 (is_punct(s, e, '.') && (e + 1 >= s->n || s->tok[e + 1].nl)) || (dash && long_dash(s, e))))
                mark(s, i, e, AT_PHI_VILLE);
        }
    }
}
