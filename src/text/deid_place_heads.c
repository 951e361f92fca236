/* The common noun that heads a named place, after the other passes: a
 * place found by its name ("Notre-Dame de Bourg", "Belle-Plaine",
 * "Gutenberg") takes the noun just before it that says what it is, when
 * that noun names no one by itself: "l'église Notre-Dame de Bourg",
 * "section Belle-Plaine", "l'école élémentaire Gutenberg", "maison
 * Etxeberria", "derrière la boutique Chez Fatima". The noun alone says
 * nothing ("l'église", "la boutique"); with the name, the phrase is the
 * place's and goes with it. So does a house number just before an
 * address found without it ("5 Grande-Rue"), and a postcode after its
 * town ("Mont-Dore 98809"). */
#include "deid_scan.h"

/* what a named place is: a house, a building, a district, a school */
static const char *const heads[] = {"section",   "maison",    "chalet",   "mas",    "villa",
                                    "boutique",  "eglise",    "chapelle", "temple", "mosquee",
                                    "cimetiere", "servitude", "hameau",   "ferme",  "domaine",
                                    "ecole",     "college",   "lycee",    "creche", NULL};
/* what a school is, between its head and its name */
static const char *const school_kinds[] = {"elementaire",   "maternelle", "primaire",
                                           "professionnel", "scolaire",   NULL};

/* The entity starting at token j: one of a place, an establishment, an
 * employer, or a surname a house is named after ("maison Etxeberria"). */
static int place_entity(const text_scan *s, size_t j)
{
    int l = s->lab[j];
    return l == AT_PHI_ADRESSE || l == AT_PHI_HOPITAL || l == AT_PHI_EMPLOYEUR || l == AT_PHI_NOM;
}

/* Token h may be one of heads or school_kinds by its first two letters
 * (the tokeniser's key; most words leave here before folding). */
static int head_key(const text_scan *s, size_t h)
{
#define HK(a, b) (((a)&0x1Fu) << 5 | ((b)&0x1Fu))
    static const uint16_t keys[] = {HK('s', 'e'), HK('m', 'a'), HK('c', 'h'), HK('v', 'i'), HK('b', 'o'),
                                    HK('t', 'e'), HK('m', 'o'), HK('c', 'i'), HK('h', 'a'), HK('f', 'e'),
                                    HK('d', 'o'), HK('c', 'o'), HK('l', 'y'), HK('c', 'r'), HK('p', 'r'),
                                    HK('s', 'c'), HK('e', 'g'), HK('e', 'c'), HK('e', 'l')};
#undef HK
    unsigned k = s->tok[h].key;
    if (k == TOK_KEY_ANY)
        return 1; /* ("église", "école", "élémentaire", "mosquée" ...) */
    for (size_t q = 0; q < sizeof keys / sizeof *keys; q++)
        if (keys[q] == k)
            return 1;
    return 0;
}

/* Word token h is one of set (folded, ASCII): its bytes compared when
 * ASCII, folded only when it holds another byte. */
static int word_of(const text_scan *s, size_t h, const char *const *set)
{
    for (size_t p = s->tok[h].s; p < s->tok[h].e; p++)
        if ((unsigned char)s->t[p] & 0x80)
            return deid_tok_in(s, h, set);
    return tok_ascii_in(s, h, set);
}

static void head_before(text_scan *s, size_t j)
{
    size_t h = j - 1;
    if (s->tok[j].nl || !s->tok[j].sp || s->lab[h] || s->tok[h].kind != TOK_WORD ||
        s->tok[h].e - s->tok[h].s < 3 || s->tok[h].e - s->tok[h].s > 14 || !head_key(s, h))
        return;
    if (word_of(s, h, school_kinds) && h > 0 && !s->tok[h].nl && !s->lab[h - 1] &&
        (tok_is(s, h - 1, "groupe") || word_of(s, h - 1, heads)))
        h--; /* "école élémentaire X", "groupe scolaire X" */
    else if (!word_of(s, h, heads))
        return;
    int l = s->lab[j];
    /* a person's name: only a house is named so */
    if (l == AT_PHI_NOM) {
        if (!tok_is(s, h, "maison") && !tok_is(s, h, "villa") && !tok_is(s, h, "mas") &&
            !tok_is(s, h, "chalet"))
            return;
        l = AT_PHI_ADRESSE;
    }
    size_t e = j + 1;
    while (e < s->n && s->lab[e] && s->ent[e] == s->ent[j])
        e++;
    deid_relabel(s, h, e, l);
}

/* A house number (or a range of them: "1-3", "18-22") just before an
 * address found without it ("Dr Meyer, 5 Grande-Rue"). */
static void number_before(text_scan *s, size_t j)
{
    size_t h = j - 1;
    if (s->tok[j].nl || !s->tok[j].sp || s->lab[h] || s->tok[h].kind != TOK_NUM ||
        s->tok[h].e - s->tok[h].s > 4)
        return;
    size_t a = h;
    if (h >= 2 && is_punct(s, h - 1, '-') && s->tok[h - 1].s == s->tok[h - 2].e &&
        s->tok[h].s == s->tok[h - 1].e && s->tok[h - 2].kind == TOK_NUM && !s->lab[h - 2] &&
        s->tok[h - 2].e - s->tok[h - 2].s <= 4)
        a = h - 2; /* "18-22 rue ..." */
    /* one space between, a capital after, and before it a comma, a dash,
     * a colon or the line's start (not a table's cell: "81\t12 route") */
    if (s->tok[j].s != s->tok[h].e + 1 || s->t[s->tok[h].e] != ' ' || !(s->tok[j].cap || s->tok[j].allcaps))
        return;
    if (a > 0 && !s->tok[a].nl &&
        !(is_punct(s, a - 1, ',') || is_punct(s, a - 1, ':') || is_punct(s, a - 1, '-') ||
          (s->tok[a - 1].kind == TOK_PUNCT && (unsigned char)s->t[s->tok[a - 1].s] == 0xE2)))
        return;
    size_t e = j + 1;
    while (e < s->n && s->lab[e] && s->ent[e] == s->ent[j])
        e++;
    deid_relabel(s, a, e, AT_PHI_ADRESSE);
}

/* A French postcode after its town ("Mont-Dore 98809", "Nouméa
 * (98800)", "La Roche-Maurice 29800."): five figures of a département
 * (01 to 95, 97, 98) right after the town's name on its line. j: the
 * town's last token. */
static void postcode_after(text_scan *s, size_t j)
{
    size_t z = j + 1;
    if (z < s->n && is_punct(s, z, '(') && !s->tok[z].nl)
        z++;
    if (z >= s->n || s->tok[z].nl || s->lab[z] || s->tok[z].kind != TOK_NUM || s->tok[z].e - s->tok[z].s != 5)
        return;
    const char *w = s->t + s->tok[z].s;
    int dep = (w[0] - '0') * 10 + (w[1] - '0');
    if (dep < 1 || dep == 96 || dep > 98 ||
        (z + 1 < s->n && s->tok[z + 1].s == s->tok[z].e && s->tok[z + 1].kind != TOK_PUNCT))
        return;
    /* (not a number of a list: "12345, 12346") */
    if (z + 1 < s->n && (is_punct(s, z + 1, '/') || is_punct(s, z + 1, '-')) &&
        s->tok[z + 1].s == s->tok[z].e)
        return;
    mark(s, z, z + 1, AT_PHI_ZIP);
}

void deid_pass_place_heads(text_scan *s)
{
    /* (an unlabelled token is none's: the labelled ones, in order) */
    for (size_t j = deid_next_labelled(s, 1); j < s->n; j = deid_next_labelled(s, j + 1)) {
        if (s->lab[j] == AT_PHI_VILLE && j + 1 < s->n && s->ent[j + 1] != s->ent[j] && !s->lab[j + 1])
            postcode_after(s, j);
        if (!s->lab[j] || s->ent[j] == s->ent[j - 1])
            continue;
        if (s->lab[j] == AT_PHI_ADRESSE && s->tok[j - 1].kind == TOK_NUM)
            number_before(s, j);
        else if (place_entity(s, j) && (s->tok[j].cap || s->tok[j].allcaps))
            head_before(s, j);
    }
}
