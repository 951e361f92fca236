/* Establishments known by their acronym alone, after the other passes:
 * the hospital groups and cancer centres of France and of its neighbours
 * that notes name so ("RCP du HCL", "Avis HUG", "suivie à l'IGR", "revue à
 * l'AP-HP"). A note that names the centre names where the patient is
 * treated. Three are also words of care, and count only after an article
 * or a preposition ("à l'IPC", not "puis IPC" the cranial irradiation;
 * "aux HUS"; "au centre ICL"); ICANS, the neurotoxicity, is left out.
 * And a hospital's acronym that no list holds, "CH" or "GH" and one to
 * three capitals ("CHM", "CHUE", "GHEF"). */
#include "deid_scan.h"

#include <pthread.h>
#include <string.h>

static const struct {
    const char *w;
    uint8_t after_article; /* 1: only after an article or a preposition */
} known[] = {
    {"AP-HP", 0}, {"APHP", 0}, {"AP-HM", 0},    {"APHM", 0},   {"HCL", 0},           {"CHUV", 0}, {"HUG", 0},
    {"CHUM", 0},  {"IGR", 0},  {"IUCT", 0},     {"IUCT-O", 0}, {"IUCT-Oncopole", 0}, {"ICM", 0},  {"ICO", 0},
    {"HEGP", 0},  {"CLB", 0},  {"Oncopole", 0}, {"HUS", 1},    {"IPC", 1},           {"ICL", 1},
};

/* The first bytes of known's names: bit b & 63 of known_first[b >> 6]
 * (made once). */
static uint64_t known_first[4];
static pthread_once_t known_first_once = PTHREAD_ONCE_INIT;

static void known_first_build(void)
{
    for (size_t j = 0; j < sizeof known / sizeof *known; j++) {
        unsigned b = (unsigned char)known[j].w[0];
        known_first[b >> 6] |= (uint64_t)1 << (b & 63);
    }
}

/* Word token i is preceded on its line by an article or a preposition
 * ("l'", "du", "au", "aux", "des", "les", "à", "de", "centre"). */
static int after_article(const text_scan *s, size_t i)
{
    static const char *const lead[] = {"l'", "l", "du", "au", "aux", "des", "les", "a", "de", "centre", NULL};
    if (i == 0 || s->tok[i].nl)
        return 0;
    size_t p = i - 1;
    if (is_punct(s, p, '\'') && p > 0 && s->tok[p].s == s->tok[p - 1].e)
        p--; /* "l" and its apostrophe */
    return tok_ascii_in(s, p, lead) || tok_is(s, p, "\xC3\xA0") || tok_elided(s, p, 'l');
}

void deid_pass_known_estab(text_scan *s)
{
    pthread_once(&known_first_once, known_first_build);
    /* (an acronym is in capitals, but "Oncopole" and "IUCT-Oncopole":
     * the token's flags and first two letters' key, no byte read; the
     * words that pass noted first, each index written and counted when it
     * is one: no branch to guess. A mark only labels, so a word labelled
     * on the way is left at the second look, as it was at the first.) */
    uint32_t *cand = s->scratch;
    size_t nc = 0;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        cand[nc] = (uint32_t)i;
        nc += (s->lab[i] == 0) & (k->kind == TOK_WORD) & (n - 3 <= 10) &
              ((k->allcaps != 0) | (k->key == text_pair_key('O', 'n')) | (k->key == text_pair_key('I', 'U')));
    }
    for (size_t r = 0; r < nc; r++) {
        size_t i = cand[r];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (s->lab[i])
            continue;
        /* (glued to a dash or a word before: "R-CLB" is a regimen; an
         * elision, a bracket or a slash is no such glue: "l'IGR",
         * "Hôpital Saint-Louis (AP-HP)") */
        if (i > 0 && s->tok[i - 1].e == k->s && !tok_elided(s, i - 1, 'l') && !tok_elided(s, i - 1, 'd') &&
            !is_punct(s, i - 1, '(') && !is_punct(s, i - 1, '/'))
            continue;
        /* a hospital's acronym no list holds: "CH" or "GH" and one to three
         * capitals ("CHM", "CHUE", "CHED", "GHEF"), a word of no lexicon */
        if (k->allcaps && n <= 5 && (s->t[k->s] == 'C' || s->t[k->s] == 'G') && s->t[k->s + 1] == 'H' &&
            !k->lex && !k->dflags && k->fh) {
            int letters = 1;
            for (size_t b = 2; b < n; b++)
                letters &= s->t[k->s + b] >= 'A' && s->t[k->s + b] <= 'Z';
            if (letters) {
                mark(s, i, i + 1, AT_PHI_HOPITAL);
                continue;
            }
        }
        const char *t = s->t + k->s;
        /* (a first byte no name has: most acronyms leave at it) */
        unsigned b0 = (unsigned char)t[0];
        if (!(known_first[b0 >> 6] >> (b0 & 63) & 1))
            continue;
        for (size_t j = 0; j < sizeof known / sizeof *known; j++) {
            /* (the first byte first: most names leave at it; then the
             * bytes while they agree, no strlen of the name) */
            const char *w = known[j].w;
            if (w[0] != t[0])
                continue;
            size_t b = 1;
            while (b < n && w[b] && w[b] == t[b])
                b++;
            if (b != n || w[n])
                continue;
            if (!known[j].after_article || after_article(s, i))
                mark(s, i, i + 1, AT_PHI_HOPITAL);
            break;
        }
    }
}
