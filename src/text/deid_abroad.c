/* Letters from abroad (deid_safe.c asks): a line's function words tell
 * English, German, Italian or Spanish from French, and on such a line a
 * word of Debian's lists of those languages (lexicon.c) that no list of
 * names holds is known; an English word after a device's brand in a
 * French note too. */
#include "tagger.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* Function words: of the languages of letters from abroad (English,
 * German, Italian, Spanish; none that French writes too: "on", "des",
 * "la", "que", "non", "il", "es", "per" of "per os", "von" of "maladie
 * de von Willebrand"), and of French (none that Italian or Spanish
 * writes too: "de", "la", "en", "un", "il", "que"); in lower case or
 * capitalised, not in capitals ("HAD" is home hospitalisation). */
static const char *const abroad_words[] = {
    "the",   "and",   "with",  "was",   "were",   "is",    "are",   "has",    "have",   "had",     "this",
    "that",  "which", "from",  "his",   "her",    "she",   "been",  "we",     "our",    "your",    "would",
    "of",    "to",    "for",   "by",    "at",     "der",   "die",   "das",    "und",    "mit",     "bei",
    "wir",   "ist",   "war",   "wurde", "wurden", "ein",   "eine",  "einer",  "für",    "den",     "dem",
    "nicht", "auf",   "zu",    "nach",  "sehr",   "ihre",  "ihren", "unsere", "sich",   "auch",    "sowie",
    "oder",  "aber",  "als",   "gli",   "della",  "delle", "dei",   "dello",  "degli",  "alle",    "agli",
    "del",   "al",    "dal",   "sul",   "nel",    "nella", "alla",  "dalla",  "con",    "che",     "è",
    "sono",  "stato", "stata", "hanno", "viene",  "dopo",  "molto", "più",    "nostro", "nostra",  "ed",
    "anche", "el",    "los",   "las",   "lo",     "su",    "sus",   "sin",    "para",   "por",     "está",
    "fue",   "pero",  "como",  "una",   "uno",    "hemos", "ha",    "han",    "muy",    "más",     "desde",
    "hasta", "tiene", "ihnen", "ihr",   "ihrem",  "ihrer", "sie",   "uns",    "unser",  "unserer", NULL};
static const char *const french_words[] = {"le",   "les",   "des", "du",   "et", "est", "une",  "pour",
                                           "avec", "dans",  "sur", "par",  "au", "aux", "elle", "nous",
                                           "vous", "qui",   "ne",  "pas",  "à",  "son", "sa",   "ses",
                                           "ce",   "cette", "été", "sont", NULL};

/* The function words packed (their bytes, ASCII letters in lower case,
 * their length in the top byte) in an open table of 256 slots, with
 * their side (1 abroad, -1 French): a token of up to seven bytes is one
 * look-up. */
static struct {
    uint64_t w;
    int side;
} function_table[256];
static pthread_once_t function_once = PTHREAD_ONCE_INIT;

static uint64_t pack_word(const char *w, size_t n)
{
    uint64_t v = (uint64_t)n << 56;
    for (size_t j = 0; j < n; j++)
        v |= (uint64_t)(unsigned char)(w[j] >= 'A' && w[j] <= 'Z' ? w[j] + 32 : w[j]) << (8 * j);
    return v;
}

static size_t function_slot(uint64_t v)
{
    return (size_t)((v * 0x9E3779B97F4A7C15ull) >> 56);
}

static void function_table_build(void)
{
    const char *const *lists[] = {abroad_words, french_words};
    for (size_t l = 0; l < 2; l++)
        for (const char *const *w = lists[l]; *w; w++) {
            uint64_t v = pack_word(*w, strlen(*w)); /* (seven bytes at most, "für" and "été" too) */
            size_t i = function_slot(v);
            while (function_table[i].w && function_table[i].w != v)
                i = (i + 1) & 255;
            function_table[i].w = v;
            function_table[i].side = l ? -1 : 1;
        }
}

int deid_function_word(const char *w, size_t n)
{
    if (n > 7)
        return 0;
    pthread_once(&function_once, function_table_build);
    uint64_t v = pack_word(w, n);
    for (size_t i = function_slot(v); function_table[i].w; i = (i + 1) & 255)
        if (function_table[i].w == v)
            return function_table[i].side;
    return 0;
}

/* Token q's word: 1 a function word abroad, -1 a French one, 0 neither
 * (deid_function_word's answer, kept by the tokeniser in its aux bits). */
static int function_word(const text_scan *s, size_t q)
{
    unsigned aux = s->tok[q].aux;
    return aux & TOK_AUX_FN_ABROAD ? 1 : aux & TOK_AUX_FN_FRENCH ? -1 : 0;
}

/* Token i stands on a line written abroad: its function words abroad
 * outnumber its French ones, or it has one or none and the text's do (a
 * heading: "Klinik für Innere Medizin", "Motivo de ingreso"). A text
 * with fewer than three function words abroad has no such line. */
int deid_abroad_line(const text_scan *s, size_t i)
{
    text_scan *w = (text_scan *)s; /* (the counts are a cache of the text's) */
    if (w->abroad_words < 0) {
        w->abroad_words = w->french_words = 0;
        for (size_t q = 0; q < s->n; q++) {
            int f = function_word(s, q);
            w->abroad_words += f > 0;
            w->french_words += f < 0;
        }
    }
    if (w->abroad_words < 3)
        return 0;
    if (i >= w->abroad_a && i < w->abroad_e)
        return w->abroad_line;
    size_t a = i, e = i + 1;
    while (a > 0 && !s->tok[a].nl)
        a--;
    while (e < s->n && !s->tok[e].nl)
        e++;
    int abroad = 0, french = 0;
    for (size_t q = a; q < e; q++) {
        int f = function_word(s, q);
        abroad += f > 0;
        french += f < 0;
    }
    w->abroad_a = a;
    w->abroad_e = e;
    /* (one function word is no evidence: "Motivo de ingreso" has the
     * French "de"; the text's then tell) */
    w->abroad_line = abroad + french >= 2 ? abroad > french : w->abroad_words > 2 * w->french_words;
    return w->abroad_line;
}

/* Nouns of letters from abroad that name no one (folded): colleagues
 * saluted, relatives, titles, "geb." (née), the greeting's noun
 * ("Mit freundlichen Grüßen"). */
static const char *const saluted[] = {
    "kollegin",  "kollege", "kollegen", "doktor",    "doktorin", "professor", "professorin", "colleague",
    "collega",   "tochter", "sohn",     "mutter",    "vater",    "ehemann",   "ehefrau",     "bruder",
    "schwester", "enkelin", "enkel",    "patientin", "patient",  "daughter",  "son",         "wife",
    "husband",   "mother",  "father",   "brother",   "sister",   "figlia",    "figlio",      "moglie",
    "marito",    "hija",    "hijo",     "esposa",    "esposo",   "frau",      "herr",        "herrn",
    "geb",       "grussen", "gruss",    "grusse",    NULL};

/* Token i, capitalised, may be a person's name on a line from abroad:
 * after a title ("Frau Bauer", "Herrn Dr. Richter", "Mrs Baker", "geb.
 * Jäger"), beside a first name or a name found ("Anna Winter", "Keller
 * Anna"); a colleague saluted is none ("Frau Kollegin"). German and
 * English surnames are often nouns of their language. */
static int abroad_name_context(const text_scan *s, size_t i)
{
    static const char *const titles[] = {
        "frau",  "herr",    "herrn",  "mrs",     "mr",  "ms",   "miss", "dr",      "prof", "sig",
        "sigra", "signora", "signor", "sr",      "sra", "srta", "dott", "dottssa", "dra",  "mme",
        "m",     "geb",     "nee",    "familie", "med", "ra",   "ssa",  NULL}; /* ("Sig.ra", "Dott.ssa") */

    if (deid_tok_in(s, i, saluted))
        return 0;
    size_t p = i;
    while (p > 0 && is_punct(s, p - 1, '.') && !s->tok[p - 1].nl)
        p--; /* ("Dr.", "geb.") */
    if (p > 0 && !s->tok[p].nl) {
        const text_tok *b = &s->tok[p - 1];
        if (b->kind == TOK_WORD &&
            (deid_tok_in(s, p - 1, titles) || (b->dflags & DICT_TITLE) || s->lab[p - 1] == AT_PHI_NOM ||
             s->lab[p - 1] == AT_PHI_PRENOM || ((b->lex & LEX_FIRST) && (b->cap || b->allcaps))))
            return 1;
    }
    if (i + 1 < s->n && !s->tok[i + 1].nl) {
        const text_tok *a = &s->tok[i + 1];
        if (a->kind == TOK_WORD && (s->lab[i + 1] == AT_PHI_NOM || s->lab[i + 1] == AT_PHI_PRENOM ||
                                    ((a->lex & LEX_FIRST) && (a->cap || a->allcaps))))
            return 1;
    }
    return 0;
}

/* Token i is glued by '_', '@' or '/' to a neighbour: a part of a
 * handle, an address or a path ("duncan_runs_geneva"), no word. */
static int glued_handle(const text_scan *s, size_t i)
{
    static const char glue[] = "_@/";
    const text_tok *k = &s->tok[i];
    if (i > 0 && s->tok[i - 1].e == k->s && s->tok[i - 1].kind == TOK_PUNCT &&
        memchr(glue, s->t[s->tok[i - 1].s], 3))
        return 1;
    return i + 1 < s->n && s->tok[i + 1].s == k->e && s->tok[i + 1].kind == TOK_PUNCT &&
           memchr(glue, s->t[s->tok[i + 1].s], 3);
}

int deid_abroad_known(const text_scan *s, size_t i, const char *f, size_t fl)
{
    const text_tok *k = &s->tok[i];
    /* on a line written abroad, a word of its language that no list of
     * names holds (of places, in lower case: "über", not the firm): in
     * lower case ("dimissione", "the"), a German noun
     * ("Klinik", "Kollegin"); the lists' proper nouns were left out
     * (Stavanger, Basel), and a word the lists write in lower case stays
     * unknown when capitalised ("Cornwall Council", "7 Chapel Row") */
    if (fl >= 3 && !(k->lex & (LEX_FIRST | LEX_LAST)) && !((k->lex & (LEX_PLACE | LEX_CITY)) && k->cap) &&
        !k->allcaps && !glued_handle(s, i) && deid_abroad_line(s, i)) {
        if (deid_tok_in(s, i, abroad_words) || deid_tok_in(s, i, saluted)) /* ("Sehr", "The", "Tochter") */
            return 1;
        unsigned kinds = text_lexicon_foreign(f, fl);
        if ((kinds & LEX_WORD) && !k->cap)
            return 1;
        /* a form's label: a capitalised word before ':' ("Diagnosi :",
         * "Tratamiento:") */
        if ((kinds & LEX_WORD) && k->cap && is_punct(s, i + 1, ':') && !abroad_name_context(s, i))
            return 1;
        if ((kinds & LEX_ORG) && k->cap && !abroad_name_context(s, i))
            return 1;
    }
    /* an English word in a device's or a product's name after its brand
     * ("Axtair One", "Mepilex Border") */
    if (k->cap && !k->allcaps && fl >= 2 && i > 0 && !k->nl &&
        !(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) && s->tok[i - 1].kind == TOK_WORD &&
        (s->tok[i - 1].lex & (LEX_MED | LEX_LEARNED)) && (s->tok[i - 1].cap || s->tok[i - 1].allcaps) &&
        s->tok[i - 1].e + 1 == k->s && s->tok[i - 1].e - s->tok[i - 1].s >= 4 &&
        (text_lexicon_foreign(f, fl) & LEX_WORD)) {
        /* (the brand a word of no language: "Primary Academy" is a school) */
        char g[96];
        int gl = text_lexicon_fold(s->t + s->tok[i - 1].s, s->tok[i - 1].e - s->tok[i - 1].s, g, sizeof g);
        if (gl > 0 && !text_lexicon_foreign(g, (size_t)gl))
            return 1;
    }
    return 0;
}
