/* Establishments abroad, after the tagger: a head in another language
 * before its name ("Hospital de Chaves", "Centro Hospitalar
 * Universitário do Douro Litoral", "Spitalul Clinic Județean ...",
 * "Hospital Universitari de Girona Doctor Josep Trueta") or after it, in
 * the English manner ("Royal Marsden Hospital", "Zhongshan Hospital",
 * "Ferndale Medical Practice", "St Aldhelm's NHS Foundation Trust"). The
 * whole phrase is the establishment, over what the tagger made of its
 * parts. */
#include "tagger.h"

#include <pthread.h>
#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Heads written before the name. */
static const char *const heads_before[] = {"hospital", "hospitalar",  "hospitales", "hospitais", "spitalul",
                                           "ospedale", "policlinico", "klinikum",   "klinik",    "ziekenhuis",
                                           "centro",   "clinica",     "azienda",    "hopitaux",  NULL};

/* Heads written after the name. */
static const char *const heads_after[] = {"hospital", "hospitals", "clinic",    "infirmary",
                                          "center",   "centre",    "institute", "practice",
                                          "trust",    "klinik",    "klinikum",  NULL};

/* Connectors inside names abroad. */
static const char *const joins[] = {"de",  "do",  "da",  "dos", "das", "del", "della", "di",
                                    "la",  "las", "los", "el",  "i",   "y",   "e",     "of",
                                    "the", "van", "von", "der", "den", "and", "&",     NULL};

static int takeable(int l)
{
    return l == AT_PHI_NONE || l == AT_PHI_HOPITAL || l == AT_PHI_VILLE || l == AT_PHI_NOM ||
           l == AT_PHI_PRENOM || l == AT_PHI_ADRESSE;
}

/* A word of the name: capitalised or in capitals, and no field label. */
static int name_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return k->kind == TOK_WORD && (k->cap || k->allcaps) && !k->nl && takeable(s->lab[i]) &&
           !(k->dflags & (DICT_MONTH | DICT_FIELD | DICT_IDLABEL)) && !is_punct(s, i + 1, ':');
}

static void relabel(text_scan *s, size_t a, size_t e)
{
    for (size_t q = a; q < e; q++)
        if (!takeable(s->lab[q]))
            return;
    uint32_t ent = ++s->next_ent;
    for (size_t q = a; q < e; q++) {
        s->lab[q] = AT_PHI_HOPITAL;
        s->ent[q] = ent;
    }
}

/* "Hospital de Chaves": the head, then name words and connectors. */
static void head_first(text_scan *s, size_t h)
{
    size_t r = h + 1, last = h + 1;
    int names = 0;
    while (r < s->n && !s->tok[r].nl && r - h <= 10) {
        if (name_word(s, r)) {
            r++;
            last = r;
            names++;
        } else if ((tok_ascii_in(s, r, joins) && !s->tok[r].cap) ||
                   ((is_punct(s, r, '\'') || is_punct(s, r, '-')) && s->tok[r].s == s->tok[r - 1].e)) {
            r++;
        } else {
            break;
        }
    }
    /* a head alone before a name that a French phrase owns stays */
    if (!names || (names == 1 && s->tok[h].kind == TOK_WORD && !s->tok[h].cap))
        return;
    relabel(s, h, last);
}

/* "Royal Marsden Hospital": the capitalised words before the head. */
static void head_last(text_scan *s, size_t h)
{
    if (!(s->tok[h].cap || s->tok[h].allcaps) || s->tok[h].nl || h == 0)
        return;
    size_t a = h;
    while (a > 0 && h - a < 6 && !s->tok[a].nl) {
        size_t p = a - 1;
        if (name_word(s, p) && !(s->tok[p].dflags & DICT_TITLE))
            a = p;
        else if ((is_punct(s, p, '\'') || is_punct(s, p, '-')) && p > 0 && s->tok[p].s == s->tok[p - 1].e)
            a = p;
        else
            break;
    }
    /* "'s" after a name: the apostrophe's letter */
    while (a < h && s->tok[a].kind != TOK_WORD)
        a++;
    /* the sentence's first word, unless a name: "The", "Le" */
    while (a < h && (s->tok[a].lex & LEX_WORD) && !(s->tok[a].lex & (LEX_PLACE | LEX_CITY | LEX_LAST)) &&
           (a == 0 || s->tok[a].nl || s->tok[a - 1].kind == TOK_PUNCT) && !s->tok[a].allcaps)
        a++;
    if (a == h)
        return;
    /* something in it names: a word no list of the language holds, a
     * place or a name (not "Medical Center" alone) */
    int named = 0;
    for (size_t q = a; q < h && !named; q++)
        named = s->tok[q].kind == TOK_WORD && tl(s, q) >= 2 &&
                ((s->tok[q].lex & (LEX_PLACE | LEX_CITY | LEX_LAST | LEX_FIRST)) ||
                 !(s->tok[q].lex & (LEX_WORD | LEX_MED | LEX_ORG)) || s->lab[q]);
    if (named)
        relabel(s, a, h + 1);
}

/* The heads' folded hashes (as text_tok.fh, of their 32 low bits): a
 * capitalised word whose hash is none of them is no head (tok_ascii_in
 * would find it in neither list); an open-addressed table built once. */
enum { HEAD_SLOTS = 64 };
static uint32_t head_hash[HEAD_SLOTS];
static uint8_t head_used[HEAD_SLOTS];
static pthread_once_t head_once = PTHREAD_ONCE_INIT;

static void head_index(void)
{
    for (int after = 0; after < 2; after++)
        for (const char *const *w = after ? heads_after : heads_before; *w; w++) {
            char pad[64] = {0};
            size_t n = strlen(*w);
            memcpy(pad, *w, n);
            uint32_t h = (uint32_t)text_dict_hash_padded(pad, n);
            size_t x = h & (HEAD_SLOTS - 1);
            while (head_used[x] && head_hash[x] != h)
                x = (x + 1) & (HEAD_SLOTS - 1);
            head_hash[x] = h;
            head_used[x] = 1;
        }
}

/* The folded hash h may be a head's (never full: 25 heads, 64 slots). */
static int head_hash_may(uint32_t h)
{
    for (size_t x = h & (HEAD_SLOTS - 1);; x = (x + 1) & (HEAD_SLOTS - 1)) {
        if (!head_used[x])
            return 0;
        if (head_hash[x] == h)
            return 1;
    }
}

/* 1 at the text_pair_key of the first two letters of the heads (keep in
 * step with heads_before and heads_after). */
#define PK(a, b) [((a)&0x1F) << 5 | ((b)&0x1F)] = 1
const uint8_t text_world_head_keys[1024] = {PK('h', 'o'), PK('s', 'p'), PK('o', 's'), PK('p', 'o'),
                                            PK('k', 'l'), PK('z', 'i'), PK('c', 'e'), PK('c', 'l'),
                                            PK('a', 'z'), PK('i', 'n'), PK('p', 'r'), PK('t', 'r')};
#undef PK

void deid_pass_estab_world(text_scan *s)
{
    pthread_once(&head_once, head_index);
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ABROAD]; q++) {
        size_t i = s->list[TEXT_LIST_ABROAD][q];
        size_t n = tl(s, i);
        if (n < 5 || n > 11 || s->tok[i].key == TOK_KEY_ANY || !text_world_head_keys[s->tok[i].key & 1023])
            continue;
        /* (the tokeniser folded and hashed every capitalised word) */
        if (!head_hash_may(s->tok[i].fh))
            continue;
        int inside = i > 0 && s->lab[i] == AT_PHI_HOPITAL && s->lab[i - 1] == AT_PHI_HOPITAL &&
                     s->ent[i - 1] == s->ent[i];
        if (!inside && tok_ascii_in(s, i, heads_before))
            head_first(s, i);
        if (tok_ascii_in(s, i, heads_after) && takeable(s->lab[i]))
            head_last(s, i);
    }
}
