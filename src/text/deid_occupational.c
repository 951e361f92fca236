/* Occupational-health services by their name, after the tagger: a
 * service's or a centre's head, the words of occupational health ("de
 * prévention et de santé au travail", "santé travail", "inter-entreprises")
 * or their acronym (SPST, SPSTI, SIST, SSTI), then the place or the name
 * that makes it one service ("du Pays de Brest", "de Rouen Métropole",
 * "Côte-d'Or", "Pays de Savoie", "du Bassin Minier"): that place or name
 * is an establishment's (with the acronym before it). The service's words
 * are not labelled: writers differ on them, and they name no one (labelled
 * too, cross-validation gained 37 tokens of recall for 48 more false ones).
 * The same words without a place or a name ("le service de santé au
 * travail a été prévenu", "la médecine du travail") stay words. */
#include "tagger.h"

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* The folded words of the tokens the pass read (a token is compared
 * with many words, each folding the same): direct-mapped by the token's
 * index, emptied when the pass starts on a text. */
#define FOLD_MEMO 8
static _Thread_local struct {
    size_t key[FOLD_MEMO]; /* 1 + the token's index, 0 empty */
    int len[FOLD_MEMO];    /* its folded length, <= 0 when it does not fold */
    char f[FOLD_MEMO][64];
} fold_memo;

/* The memo's slot of token i, a word of at most 40 bytes, folded. */
static size_t memo_fold(const text_scan *s, size_t i)
{
    size_t x = i % FOLD_MEMO;
    if (fold_memo.key[x] != i + 1) {
        fold_memo.len[x] =
            text_lexicon_fold(s->t + s->tok[i].s, tl(s, i), fold_memo.f[x], sizeof fold_memo.f[x]);
        fold_memo.key[x] = i + 1;
    }
    return x;
}

/* Token i, folded, is the word w (a word of at most 40 bytes); inlined,
 * so that w's length is known when compiled. */
static inline __attribute__((always_inline)) int is_w(const text_scan *s, size_t i, const char *w)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || tl(s, i) > 40)
        return 0;
    size_t x = memo_fold(s, i);
    int n = fold_memo.len[x];
    return n > 0 && strlen(w) == (size_t)n && !memcmp(fold_memo.f[x], w, (size_t)n);
}

static int acronym(const text_scan *s, size_t i)
{
    return is_w(s, i, "spst") || is_w(s, i, "spsti") || is_w(s, i, "sist") || is_w(s, i, "ssti") ||
           is_w(s, i, "sstrn");
}

/* Token i is w on the line of the token before it. */
static int next_is(const text_scan *s, size_t i, const char *w)
{
    return i < s->n && !s->tok[i].nl && is_w(s, i, w);
}

/* The words of occupational health from token j: "[de prévention et]
 * [de] santé [au] travail [inter-entreprises]"; their end, or j if none.
 * (j itself may open a line: "Santé Travail Pays de Savoie".) */
static size_t ohs_words(const text_scan *s, size_t j)
{
    if (j >= s->n)
        return j;
    size_t q = j;
    if (is_w(s, q, "sante")) {
        q++;
        goto travail;
    }
    if (s->tok[q].nl)
        return j;
    if (is_w(s, q, "de") && next_is(s, q + 1, "prevention") && next_is(s, q + 2, "et"))
        q += 3;
    if (next_is(s, q, "de"))
        q++;
    if (!next_is(s, q, "sante"))
        return j;
    q++;
travail:
    if (next_is(s, q, "au"))
        q++;
    if (!next_is(s, q, "travail"))
        return j;
    q++;
    if (next_is(s, q, "inter-entreprises") || next_is(s, q, "interentreprises") ||
        next_is(s, q, "interprofessionnel"))
        q++;
    return q;
}

/* A word of a place's or a service's name: capitalised, or a town or an
 * establishment another pass found. */
static int name_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (i >= s->n || k->nl || k->kind != TOK_WORD)
        return 0;
    int l = s->lab[i];
    if (l) /* (or a place's word the tagger read as a name: "de la Vallée") */
        return l == AT_PHI_VILLE || l == AT_PHI_HOPITAL || l == AT_PHI_EMPLOYEUR || l == AT_PHI_ADRESSE ||
               l == AT_PHI_NOM || l == AT_PHI_PRENOM;
    return (k->cap || k->allcaps) && !(k->dflags & (DICT_MONTH | DICT_TITLE));
}

static int connector(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].nl || tl(s, i) > 3)
        return 0;
    return is_w(s, i, "de") || is_w(s, i, "du") || is_w(s, i, "des") || is_w(s, i, "la") ||
           is_w(s, i, "le") || is_w(s, i, "les") || is_w(s, i, "l'") || is_w(s, i, "d'") ||
           is_w(s, i, "et") || is_w(s, i, "sur") || is_w(s, i, "en");
}

/* The place or name after the service's words at j: its end, or j. */
static size_t place_after(const text_scan *s, size_t j)
{
    size_t e = j, q = j;
    for (size_t hop = 0; q < s->n && hop < 10 && !s->tok[q].nl; hop++) {
        if (name_word(s, q)) {
            e = ++q;
        } else if (connector(s, q) || (is_punct(s, q, '-') && q > j && s->tok[q - 1].e == s->tok[q].s)) {
            q++;
        } else {
            break;
        }
    }
    return e;
}

static int label_as(text_scan *s, size_t a, size_t b, int label)
{
    for (size_t i = a; i < b; i++) {
        int l = s->lab[i];
        if (l && l != AT_PHI_VILLE && l != AT_PHI_HOPITAL && l != AT_PHI_EMPLOYEUR && l != AT_PHI_ADRESSE &&
            l != AT_PHI_NOM && l != AT_PHI_PRENOM)
            return 0;
    }
    deid_relabel(s, a, b, label);
    return 1;
}

/* A service from token h: its head ("service", "centre", "pôle") or its
 * acronym, or "Santé" opening it. */
static int service_at(text_scan *s, size_t h)
{
    size_t j;
    if (acronym(s, h))
        j = h + 1;
    else if (is_w(s, h, "service") || is_w(s, h, "centre") || is_w(s, h, "pole") || is_w(s, h, "association"))
        j = ohs_words(s, h + 1);
    else if (is_w(s, h, "sante"))
        j = ohs_words(s, h);
    else
        return 0;
    if (j <= h + 1 && !acronym(s, h))
        return 0;
    size_t e = place_after(s, j);
    /* an acronym and another service's words ("SPST Loire-Atlantique
     * Santé Travail") */
    if (e > j) {
        size_t f = ohs_words(s, e);
        if (f > e)
            e = place_after(s, f) > f ? place_after(s, f) : f;
    }
    /* a place or a name after it, and not only connectors */
    if (e <= j)
        return 0;
    return label_as(s, acronym(s, h) ? h : j, e, AT_PHI_HOPITAL);
}

/* Token i is "travail" or "inter-entreprises" in lower case (the end
 * of the service's words before its place): compared only when its
 * length and first byte say it may be. */
static int words_end_may(const text_scan *s, size_t i)
{
    size_t n = tl(s, i);
    char c = s->t[s->tok[i].s];
    return (n == 7 && c == 't') || (n == 17 && c == 'i') || (n == 16 && c == 'i');
}

static int words_end(const text_scan *s, size_t i)
{
    return words_end_may(s, i) &&
           (is_w(s, i, "travail") || is_w(s, i, "inter-entreprises") || is_w(s, i, "interentreprises"));
}

int deid_occupational_word(const char *f, size_t n)
{
    switch (n) {
    case 4:
        return !memcmp(f, "spst", 4) || !memcmp(f, "sist", 4) || !memcmp(f, "ssti", 4);
    case 5:
        return !memcmp(f, "spsti", 5) || !memcmp(f, "sstrn", 5);
    case 7:
        return !memcmp(f, "travail", 7);
    default:
        return 0;
    }
}

void deid_pass_occupational(text_scan *s)
{
    /* (a service needs "travail" after its head, or its acronym) */
    if (!(s->seen & TEXT_SEEN_OHS))
        return;
    memset(fold_memo.key, 0, sizeof fold_memo.key);
    /* (the capitalised words: a head, an acronym or "Santé" opening the
     * name; or the place after a head in lower case, "le service de
     * santé au travail du Pays de Brest", found back from the place) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t h = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[h];
        size_t n = tl(s, h);
        char c = (char)(s->t[k->s] | 0x20);
        if (s->lab[h] == AT_PHI_HOPITAL && h > 0 && s->lab[h - 1] == AT_PHI_HOPITAL)
            continue; /* inside a service found already */
        if ((c == 's' || c == 'c' || c == 'p' || c == 'a') && n >= 4 && n <= 11 &&
            !(h > 0 && (is_w(s, h - 1, "de") || is_w(s, h - 1, "service") || is_w(s, h - 1, "centre"))) &&
            service_at(s, h))
            continue;
        if (k->nl || h < 4)
            continue;
        /* (the words' end is one of the three tokens before, after up to
         * two connectors: most capitalised words have none there) */
        if (!words_end_may(s, h - 1) && !words_end_may(s, h - 2) && !words_end_may(s, h - 3))
            continue;
        size_t w = h - 1;
        for (size_t hop = 0; hop < 2 && w > 0 && connector(s, w); hop++)
            w--;
        if (!words_end(s, w))
            continue;
        /* "médecin du travail de la RATP", "... de l'Académie de
         * Normandie": the employer whose doctor it is */
        if (w >= 2 && w + 1 < h && is_w(s, w - 1, "du") &&
            (is_w(s, w - 2, "medecin") || is_w(s, w - 2, "medecine")) &&
            (is_w(s, w + 1, "de") || is_w(s, w + 1, "du") || is_w(s, w + 1, "d'"))) {
            size_t e = place_after(s, h);
            if (e > h)
                (void)label_as(s, h, e, AT_PHI_EMPLOYEUR);
            continue;
        }
        for (size_t b = w, hop = 0; b > 0 && hop < 8 && !s->tok[b].nl; b--, hop++) {
            size_t a = b - 1;
            if (s->tok[a].kind == TOK_WORD && !s->tok[a].cap && tl(s, a) >= 4 && tl(s, a) <= 11 &&
                (is_w(s, a, "service") || is_w(s, a, "centre") || is_w(s, a, "pole") ||
                 is_w(s, a, "association"))) {
                (void)service_at(s, a);
                break;
            }
        }
    }
}
