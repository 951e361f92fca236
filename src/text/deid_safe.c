/* The words the de-identifier knows to be safe (the allow-list's
 * vocabulary, deid_allow.c): a word of Debian's French dictionaries or of
 * the medical vocabulary, one of their inflections, a drug or a medical
 * word by its ending or prefix, a gene's, a dose's or a trial's writing,
 * a word cut at a line end or with two letters swapped. */
#include "tagger.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define KNOWN (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_STREET | LEX_ORG | LEX_KIN)
#define DICT_SAFE                                                                                            \
    (DICT_COMMON | DICT_EPONYM | DICT_MONTH | DICT_TITLE | DICT_HOSP | DICT_HOSPQUAL | DICT_STREET |         \
     DICT_EPOTRIG | DICT_IDLABEL | DICT_FIELD | DICT_RESID | DICT_PARTICLE | DICT_CONNECT | DICT_ROLE |      \
     DICT_BIRTH)

/* Endings of drug names (INN stems) and of medical words, folded. */
static const struct {
    const char *s;
    unsigned char n;
} safe_endings[] = {{"mab", 3},
                    {"nib", 3},
                    {"ciclib", 6},
                    {"parib", 5},
                    {"lisib", 5},
                    {"platine", 7},
                    {"taxel", 5},
                    {"rubicine", 8},
                    {"mycine", 6},
                    {"cilline", 7},
                    {"cycline", 7},
                    {"floxacine", 9},
                    {"conazole", 8},
                    {"prazole", 7},
                    {"tidine", 6},
                    {"sartan", 6},
                    {"pril", 4},
                    {"olol", 4},
                    {"dipine", 6},
                    {"statine", 7},
                    {"parine", 6},
                    {"xaban", 5},
                    {"gatran", 6},
                    {"setron", 6},
                    {"pitant", 6},
                    {"lukast", 6},
                    {"relix", 5},
                    {"reline", 6},
                    {"lutamide", 8},
                    {"trozole", 7},
                    {"mustine", 7},
                    {"tecan", 5},
                    {"citabine", 8},
                    {"trexed", 6},
                    {"poside", 6},
                    {"limus", 5},
                    {"profene", 7},
                    {"oxacine", 7},
                    {"zepam", 5},
                    {"azepam", 6},
                    {"clone", 5},
                    {"barbital", 8},
                    {"tinib", 5},
                    {"rafenib", 7},
                    {"ectomie", 7},
                    {"ectomies", 8},
                    {"otomie", 6},
                    {"ostomie", 7},
                    {"stomie", 6},
                    {"scopie", 6},
                    {"graphie", 7},
                    {"plastie", 7},
                    {"penie", 5},
                    {"penies", 6},
                    {"emie", 4},
                    {"emies", 5},
                    {"urie", 4},
                    {"algie", 5},
                    {"algies", 6},
                    {"pathie", 6},
                    {"pathies", 7},
                    {"logie", 5},
                    {"logique", 7},
                    {"therapie", 8},
                    {"cytose", 6},
                    {"plasie", 6},
                    {"trophie", 7},
                    {"rragie", 6},
                    {"rrhee", 5},
                    {"cytaire", 7},
                    {"cytaires", 8},
                    {"blastique", 9},
                    {"genique", 7},
                    {"geniques", 8},
                    {"metrie", 6},
                    {"tomie", 5},
                    {"ectasie", 7},
                    {"lyse", 4},
                    {"nectomie", 8},
                    {"oscopique", 9},
                    {"ographique", 10},
                    {"mammaire", 8},
                    {"cellulaire", 10},
                    {"ganglionnaire", 13},
                    /* more INN stems: antivirals, receptors, growth factors, proteasome
                     * and hedgehog inhibitors, antifungals, carbapenems, steroids,
                     * antidepressants, antipsychotics, bronchodilators, bisphosphonates */
                    {"vir", 3},
                    {"cept", 4},
                    {"grastim", 7},
                    {"poetine", 7},
                    {"plase", 5},
                    {"degib", 5},
                    {"zomib", 5},
                    {"lidomide", 8},
                    {"fungine", 7},
                    {"peneme", 6},
                    {"asone", 5},
                    {"olone", 5},
                    {"triptan", 7},
                    {"coxib", 5},
                    {"oxetine", 7},
                    {"pramine", 7},
                    {"triptyline", 10},
                    {"apine", 5},
                    {"peridone", 8},
                    {"tropium", 7},
                    {"terol", 5},
                    {"fylline", 7},
                    {"dronate", 7},
                    {"codone", 6},
                    {"gliptine", 8},
                    {"glitazone", 9},
                    {"semide", 6},
                    {"thiazide", 8},
                    {"zolam", 5},
                    {"caine", 5},
                    {"metinib", 7},
                    {"tuzumab", 7},
                    {"ciclovir", 8},
                    {NULL, 0}};

static const char *const safe_prefixes[] = {
    "endo",    "hepato", "gastro",  "oeso",    "neuro",   "cardio",  "pneumo",  "nephro",   "hemato",
    "immuno",  "radio",  "chimio",  "onco",    "cyto",    "histo",   "lympho",  "myelo",    "osteo",
    "thrombo", "angio",  "dermato", "gyneco",  "colo",    "recto",   "laparo",  "thoraco",  "abdomino",
    "mammo",   "echo",   "scinti",  "hyper",   "hypo",    "anti",    "post",    "pre",      "peri",
    "intra",   "extra",  "retro",   "trans",   "micro",   "macro",   "neo",     "pseudo",   "oligo",
    "poly",    "hemi",   "leuco",   "erythro", "broncho", "pleuro",  "spleno",  "pancreat", "cholang",
    "chole",   "cysto",  "uretero", "prostat", "hystero", "salping", "ovari",   "mastec",   "adeno",
    "carcino", "sarco",  "melano",  "glio",    "medullo", "cortico", "hormono", "mucos",    "dys",
    "tachy",   "brady",  "photo",   "electro", "physio",  "psycho",  "ortho",   "cephal",   "crani",
    "vertebr", NULL};

/* The folded word f (n bytes) ends with one of safe_endings; a short
 * ending on a short word is a name's as often ("Jérémie", "Laurie"). Only
 * the endings indexed under the word's last two letters are compared. */
enum { SAFE_ENDINGS = sizeof safe_endings / sizeof *safe_endings };
_Static_assert(SAFE_ENDINGS < 255, "safe_endings indexed by one byte");
/* The endings by their last two letters (a byte's hash of them): the first
 * one's index + 1 (0 none), then each one's next of the same hash, in the
 * table's order. Every ending has three letters or more. */
static inline unsigned ending_key(const char *w, size_t m)
{
    return ((unsigned char)w[m - 1] * 7u + (unsigned char)w[m - 2]) & 0xFFu;
}
static uint8_t ending_first[256], ending_next[SAFE_ENDINGS];
static pthread_once_t ending_once = PTHREAD_ONCE_INIT;

static void ending_index(void)
{
    uint8_t last_of[256] = {0};
    for (size_t e = 0; safe_endings[e].s; e++) {
        unsigned z = ending_key(safe_endings[e].s, safe_endings[e].n);
        if (last_of[z])
            ending_next[last_of[z] - 1] = (uint8_t)(e + 1);
        else
            ending_first[z] = (uint8_t)(e + 1);
        last_of[z] = (uint8_t)(e + 1);
    }
}

static int safe_ending(const char *f, size_t n)
{
    if (n < 4)
        return 0;
    pthread_once(&ending_once, ending_index);
    for (size_t x = ending_first[ending_key(f, n)]; x; x = ending_next[x - 1]) {
        size_t m = safe_endings[x - 1].n;
        const char *w = safe_endings[x - 1].s;
        if (n <= m + (m <= 4 ? 4 : 2))
            continue;
        size_t j = 0;
        while (j < m && f[n - m + j] == w[j])
            j++;
        if (j == m)
            return 1;
    }
    return 0;
}

/* f starts with the medical prefix p (its length pl, f of n bytes). */
static inline int has_prefix(const char *f, size_t n, const char *p, size_t pl)
{
    return n >= pl && f[0] == p[0] && !memcmp(f, p, pl);
}

/* The folded word f (n bytes) is a word of the language or medical by
 * one of its inflections: plural, feminine, past participle. */
static int known_inflection(const text_lexicon *x, const char *f, size_t n)
{
    static const struct {
        const char *end, *base;
        unsigned char el, bl;
    } rules[] = {
        {"s", "", 1, 0},        {"x", "", 1, 0},         {"e", "", 1, 0},        {"es", "", 2, 0},
        {"ee", "e", 2, 1},      {"ees", "e", 3, 1},      {"aux", "al", 3, 2},    {"ale", "al", 3, 2},
        {"ales", "al", 4, 2},   {"ives", "if", 4, 2},    {"ive", "if", 3, 2},    {"euse", "eux", 4, 3},
        {"euses", "eux", 5, 3}, {"iques", "ique", 5, 4}, {"ienne", "ien", 5, 3}, {"iennes", "ien", 6, 3},
        {"ees", "er", 3, 2},    {"ee", "er", 2, 2},      {"e", "er", 1, 2}};
    char b[LEX_MAX_WORD + 16];
    char last = n ? f[n - 1] : 0;
    if (last != 's' && last != 'x' && last != 'e')
        return 0;
    for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
        size_t el = rules[r].el, bl = rules[r].bl;
        if (n <= el + 2 || n - el + bl > LEX_MAX_WORD || rules[r].end[el - 1] != last ||
            memcmp(f + n - el, rules[r].end, el))
            continue;
        memcpy(b, f, n - el);
        memcpy(b + n - el, rules[r].base, bl);
        if (text_lexicon_get(x, b, n - el + bl) & (LEX_WORD | LEX_MED))
            return 1;
    }
    return 0;
}

/* A writing no name has: capitals after a lower-case letter ("CheckMate",
 * "HbA1c", "OlympiA"), or two capitals then lower case ("QTc",
 * "IMpower"): abbreviations, trial and brand names, units. Names written
 * so ("McBurney", "DeVita", "LeBlanc", "VanDyk") start with a particle. */
int deid_mixed_case(const char *w, size_t n)
{
    static const char *const prefixes[] = {"Mc", "Mac", "De",  "Di",  "Du", "Da",
                                           "Le", "La",  "Van", "Von", "O'", NULL};
    int lower_seen = 0, upper_run = 0, mixed = 0;
    for (size_t i = 0; i < n && !mixed; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 'a' && c <= 'z') {
            mixed = upper_run >= 2 && i == (size_t)upper_run;
            lower_seen = 1;
        } else if (c >= 'A' && c <= 'Z') {
            mixed = lower_seen;
            upper_run += !lower_seen;
        } else if (c >= 0x80 || c == '-' || c == '\'') {
            return 0;
        }
    }
    if (!mixed)
        return 0;
    for (const char *const *p = prefixes; *p; p++) {
        size_t l = strlen(*p);
        if (n > l && !memcmp(w, *p, l) && w[l] >= 'A' && w[l] <= 'Z')
            return 0;
    }
    return 1;
}

/* A word a trial, a study or a cohort is named by: in capitals or mixed
 * case, with a number glued by a hyphen ("KEYNOTE-522", "PAOLA-1") or
 * after a study word ("essai PACIFIC", "étude CheckMate 227"). */
int deid_study_name(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!k->allcaps && !deid_mixed_case(s->t + k->s, k->e - k->s))
        return 0;
    if (i + 2 < s->n && is_punct(s, i + 1, '-') && s->tok[i + 1].s == k->e && s->tok[i + 2].kind == TOK_NUM &&
        s->tok[i + 2].s == s->tok[i + 1].e && s->tok[i + 2].e - s->tok[i + 2].s <= 3)
        return 1;
    /* in parentheses after a treatment: "durvalumab 1 an (PACIFIC)" */
    if (i >= 2 && is_punct(s, i - 1, '(') && is_punct(s, i + 1, ')') && !k->nl && !s->tok[i - 1].nl)
        for (size_t q = i - 1; q > 0 && i - q < 5 && !s->tok[q].nl; q--)
            if ((s->tok[q - 1].lex & LEX_MED) && !(s->tok[q - 1].lex & (LEX_FIRST | LEX_LAST)))
                return 1;
    /* in parentheses, with a study word earlier in the sentence: "essai
     * GORTEC 2017-01 (REACH)" */
    int paren = i >= 1 && is_punct(s, i - 1, '(') && is_punct(s, i + 1, ')');
    for (size_t q = i, hop = 0; q > 0 && hop < (paren ? 10u : 32u); q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if (p->kind == TOK_PUNCT && hop > 1 && (s->t[p->s] == '.' || s->t[p->s] == ';'))
            break;
        /* past three words, only through a list of names like it
         * ("Essais : KEYNOTE-189, CheckMate 227, PACIFIC") */
        if (hop >= 3 && !paren &&
            !(p->kind == TOK_NUM || is_punct(s, q - 1, ',') || is_punct(s, q - 1, '-') ||
              is_punct(s, q - 1, ':') || p->allcaps || (p->dflags & DICT_NOTID) ||
              (p->kind == TOK_WORD && deid_mixed_case(s->t + p->s, p->e - p->s))))
            break;
        if (p->kind == TOK_WORD && (p->dflags & DICT_NOTID) && !tok_is(s, q - 1, "lot") &&
            !tok_is(s, q - 1, "lots"))
            return 1;
        if (s->tok[q - 1].nl)
            break;
    }
    return 0;
}

/* Gene, TNM, cycle and dose writings among words with digits ("BRCA1",
 * "pT2N0", "C3J1", "75mg", "HER2", "L4-L5"): the letters and digits of a
 * code of at most three digits, or a TNM. */
/* A treatment's days or cycles joined by '-', '/' or ',': each part one
 * or two of J, D, C, S or W and one to three digits ("J1-J22-J43",
 * "C1J1/C1J8", "S1-S3"). */
static int day_schedule(const char *w, size_t n)
{
    size_t i = 0, parts = 0;
    while (i < n) {
        for (int pair = 0; pair < 2; pair++) {
            char c = w[i];
            if (c != 'J' && c != 'D' && c != 'C' && c != 'S' && c != 'W') {
                if (pair == 0)
                    return 0;
                break;
            }
            size_t d = ++i;
            while (i < n && i - d < 4 && (unsigned)(w[i] - '0') < 10u)
                i++;
            if (i == d || i - d > 3)
                return 0;
            if (i == n || w[i] == '-' || w[i] == '/' || w[i] == ',')
                break;
        }
        parts++;
        if (i < n && w[i] != '-' && w[i] != '/' && w[i] != ',')
            return 0;
        if (i < n && ++i == n)
            return 0;
    }
    return parts >= 2;
}

static int safe_code(const char *w, size_t n)
{
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += (unsigned)(w[i] - '0') < 10u;
    if (digits <= 4)
        return 1; /* genes, cycles, doses, times ("10h41") */
    if (n == 11 && !memcmp(w, "NCT", 3) && digits == 8)
        return 1; /* a ClinicalTrials.gov registration */
    if (day_schedule(w, n))
        return 1;
    /* TNM: [cpy]*T..N..M.. */
    size_t i = 0;
    while (i < n && (w[i] == 'c' || w[i] == 'p' || w[i] == 'y' || w[i] == 'r' || w[i] == 'u'))
        i++;
    return i < n && w[i] == 'T' && memchr(w + i, 'N', n - i) != NULL;
}

/* A hyphenated writing with a part of one letter ("LAL-B", "Hem-o-lok"):
 * codes and brands; a name's parts have two letters or more. */
static int one_letter_part(const char *f, size_t n)
{
    if (!memchr(f, '-', n) || n < 4)
        return 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        while (b < n && f[b] != '-')
            b++;
        if (b - a == 1 && ((unsigned char)f[a] | 0x20) >= 'a' && ((unsigned char)f[a] | 0x20) <= 'z')
            return 1;
        a = b + 1;
    }
    return 0;
}

/* A commune's writing: a hyphenated word no list holds with a place's
 * connector inside ("noyal-sur-vilaine", "lons-le-saunier",
 * "Beaupréau-en-Mauges", "Pointe-à-Pitre", "Saint-Xyz"). Words of the language so written
 * ("arc-en-ciel", "rez-de-chaussée") are in the lexicon and never get
 * here. */
int deid_place_compound(const char *f, size_t n)
{
    static const char *const inner[] = {"sur", "sous", "le",  "la",  "les", "en", "de", "du",
                                        "des", "les",  "lez", "aux", "et",  "d'", "a",  NULL};
    if (n < 7 || !memchr(f, '-', n))
        return 0;
    if ((n > 6 && !memcmp(f, "saint-", 6)) || (n > 7 && !memcmp(f, "sainte-", 7)))
        return 1;
    size_t parts = 0, a = 0, conn = 0;
    while (a < n) {
        size_t b = a;
        while (b < n && f[b] != '-')
            b++;
        if (parts > 0 && b < n)
            for (const char *const *w = inner; *w; w++)
                conn |= strlen(*w) == b - a && !memcmp(*w, f + a, b - a);
        parts++;
        a = b + 1;
    }
    return parts >= 3 && conn;
}

/* A word written with two neighbouring letters swapped, the typist's or
 * the OCR's slip ("Prcohain", "Coridalement", "Antlagie"): the word of the
 * language or of the medical vocabulary it stands for. */
static int swapped_word(const text_lexicon *x, const char *f, size_t n)
{
    char b[LEX_MAX_WORD + 16];
    if (n < 5 || n > LEX_MAX_WORD)
        return 0;
    memcpy(b, f, n);
    for (size_t j = 0; j + 1 < n; j++) {
        if (b[j] == b[j + 1] || (unsigned char)b[j] >= 0x80 || (unsigned char)b[j + 1] >= 0x80)
            continue;
        char c = b[j];
        b[j] = b[j + 1];
        b[j + 1] = c;
        unsigned k = text_lexicon_get(x, b, n);
        b[j + 1] = b[j];
        b[j] = c;
        if ((k & (LEX_WORD | LEX_MED)) && !(k & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)))
            return 1;
    }
    return 0;
}

/* A word cut after a medical prefix of five letters or more ("RADIOTH",
 * "hémato", "gastro"). */
static int truncated_medical(const char *f, size_t n)
{
    if (n < 5 || n > 12)
        return 0;
    for (const char *const *p = safe_prefixes; *p; p++) {
        if (f[0] != (*p)[0])
            continue;
        size_t pl = strlen(*p);
        if (pl >= 5 && n <= pl + 4 && has_prefix(f, n, *p, pl))
            return 1;
    }
    return 0;
}

/* A word of the language behind a prefix ("biobanque", "télésurveillance",
 * "immunomarquage", "autoquestionnaire"). */
static int prefixed_word(const text_lexicon *x, const char *f, size_t n)
{
    static const char *const more[] = {"bio",    "auto",   "tele",   "video",  "hetero", "homo",   "multi",
                                       "inter",  "sous",   "sur",    "contre", "semi",   "mono",   "bi",
                                       "tri",    "radio",  "chimio", "immuno", "cyto",   "histo",  "onco",
                                       "hemato", "neuro",  "cardio", "pneumo", "gastro", "hepato", "nephro",
                                       "uro",    "gyneco", "derma",  "echo",   "scinti", NULL};
    for (const char *const *p = more; *p; p++) {
        if (f[0] != (*p)[0])
            continue;
        size_t pl = strlen(*p);
        if (n >= pl + 4 && has_prefix(f, n, *p, pl) &&
            (text_lexicon_get(x, f + pl, n - pl) & (LEX_WORD | LEX_MED)) &&
            !(text_lexicon_get(x, f + pl, n - pl) & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)))
            return 1;
    }
    return 0;
}

int deid_safe_form(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    const char *w = s->t + k->s;
    size_t n = k->e - k->s;
    if (deid_mixed_case(w, n) || deid_study_name(s, i))
        return 1;
    char f[96];
    int fl = n < 90 ? text_lexicon_fold(w, n, f, sizeof f) : -1;
    if (fl > 0 && one_letter_part(f, (size_t)fl))
        return 1;
    if (fl <= 0 || memchr(f, '-', (size_t)fl) || (k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)))
        return 0;
    if (safe_ending(f, (size_t)fl))
        return 1;
    return truncated_medical(f, (size_t)fl) || prefixed_word(&s->d->lex, f, (size_t)fl);
}

static int known_safe(const text_scan *s, size_t i);

int deid_known_safe_ask(const text_scan *s, size_t i)
{
    /* (asked by the tagger's candidates and the allow-list, from several
     * lists: answered once a token; a word of the lists without the call) */
    const text_tok *k = &s->tok[i];
    s->safe[i] = (k->lex & KNOWN) || (k->dflags & DICT_SAFE) ? 2 : (uint8_t)(1 + known_safe(s, i));
    return s->safe[i] - 1;
}

static int known_safe(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if ((k->lex & KNOWN) || (k->dflags & DICT_SAFE))
        return 1;
    const char *w = s->t + k->s;
    size_t n = k->e - k->s;
    int digit = 0;
    for (size_t j = 0; j < n; j++)
        digit |= (unsigned)(w[j] - '0') < 10u;
    if (digit)
        return safe_code(w, n);
    if (deid_mixed_case(w, n) || deid_study_name(s, i))
        return 1;
    char f[96];
    int fl = text_lexicon_fold(w, n, f, sizeof f);
    if (fl <= 0)
        return 0;
    /* an elided word ("l'", "qu'") or one letter */
    if (fl <= 1 || (fl == 2 && f[1] == '\''))
        return 1;
    /* a word of a line written abroad, an English word after a device's
     * brand (deid_abroad.c) */
    if (deid_abroad_known(s, i, f, (size_t)fl))
        return 1;
    /* a roman numeral, with a letter after it ("IIIa", "IVb") */
    {
        int r = 0;
        while (r < fl && (f[r] == 'i' || f[r] == 'v' || f[r] == 'x'))
            r++;
        if (r >= 2 && r >= fl - 1 && (r == fl || (f[r] >= 'a' && f[r] <= 'c')) &&
            !(k->lex & (LEX_FIRST | LEX_LAST)))
            return 1;
    }
    /* a TNM category not assessed or in situ ("Nx", "pMx", "Tis") */
    {
        size_t r = 0;
        while (r < n &&
               (w[r] == 'c' || w[r] == 'p' || w[r] == 'y' || w[r] == 'r' || w[r] == 'u' || w[r] == 'a'))
            r++;
        if (r < n && (w[r] == 'T' || w[r] == 'N' || w[r] == 'M') &&
            ((n - r == 2 && (w[r + 1] == 'x' || w[r + 1] == 'X')) ||
             (n - r == 3 && w[r] == 'T' && w[r + 1] == 'i' && w[r + 2] == 's')))
            return 1;
    }
    /* a capitalised commune's writing made of words ("Pointe-à-Pitre",
     * "Pont-à-Mousson") is no compound of the language */
    if ((k->cap || k->allcaps) && deid_place_compound(f, (size_t)fl))
        return 0;
    const text_lexicon *x = &s->d->lex;
    if (known_inflection(x, f, (size_t)fl) || one_letter_part(f, (size_t)fl))
        return 1;
    /* a word cut at a line end ("capécita-" / "bine"): the whole */
    if (i + 2 < s->n && is_punct(s, i + 1, '-') && s->tok[i + 1].s == k->e && s->tok[i + 2].nl &&
        s->tok[i + 2].kind == TOK_WORD && fl + (s->tok[i + 2].e - s->tok[i + 2].s) < 80) {
        char g[96];
        int gl = text_lexicon_fold(s->t + s->tok[i + 2].s, s->tok[i + 2].e - s->tok[i + 2].s, g, sizeof g);
        if (gl > 0 && fl + gl < 90) {
            char both[112];
            memcpy(both, f, (size_t)fl);
            memcpy(both + fl, g, (size_t)gl);
            if ((text_lexicon_get(x, both, (size_t)(fl + gl)) & (LEX_WORD | LEX_MED)) ||
                known_inflection(x, both, (size_t)(fl + gl)))
                return 1;
        }
    }
    if (i >= 2 && k->nl && is_punct(s, i - 1, '-') && s->tok[i - 2].e == s->tok[i - 1].s &&
        s->tok[i - 2].kind == TOK_WORD) {
        char g[96];
        int gl = text_lexicon_fold(s->t + s->tok[i - 2].s, s->tok[i - 2].e - s->tok[i - 2].s, g, sizeof g);
        if (gl > 0 && fl + gl < 90) {
            char both[112];
            memcpy(both, g, (size_t)gl);
            memcpy(both + gl, f, (size_t)fl);
            if ((text_lexicon_get(x, both, (size_t)(fl + gl)) & (LEX_WORD | LEX_MED)) ||
                known_inflection(x, both, (size_t)(fl + gl)))
                return 1;
        }
    }
    if (safe_ending(f, (size_t)fl))
        return 1;
    /* a medical prefix on a long word ("endobrachyoesophage"), a word cut
     * after a medical prefix of five letters or more ("RADIOTH",
     * "hémato"), or a very long word: names are rarely either; a word
     * with two letters swapped */
    if (!(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) && !memchr(f, '-', (size_t)fl)) {
        if (fl >= 14)
            return 1;
        for (const char *const *p = safe_prefixes; *p && fl >= 9; p++)
            if (f[0] == (*p)[0] && has_prefix(f, (size_t)fl, *p, strlen(*p)))
                return 1;
        if (truncated_medical(f, (size_t)fl) || prefixed_word(x, f, (size_t)fl))
            return 1;
        if (swapped_word(x, f, (size_t)fl))
            return 1;
    }
    /* a hyphenated word: known when every part is, or when its last part
     * is and it is written in lower case ("thoraco-abdomino-pelvien"),
     * never a commune's writing ("noyal-sur-vilaine") */
    if (memchr(f, '-', (size_t)fl) && !deid_place_compound(f, (size_t)fl)) {
        int all = 1, last = 0;
        for (size_t a = 0; a < (size_t)fl;) {
            size_t b = a;
            while (b < (size_t)fl && f[b] != '-')
                b++;
            unsigned kinds = b > a + 2 ? text_lexicon_get(x, f + a, b - a) : LEX_WORD;
            int ok =
                (kinds & (LEX_WORD | LEX_MED | LEX_EPONYM)) != 0 ||
                (b > a && known_inflection(x, f + a, b - a)) ||
                (b - a >= 5 && f[b - 1] == 'o' &&
                 !(kinds & (LEX_FIRST | LEX_LAST | LEX_PLACE))) ||                           /* "thoraco-" */
                (k->allcaps && b - a <= 4 && !(kinds & (LEX_FIRST | LEX_LAST | LEX_PLACE))); /* "G-CSF" */
            all &= ok;
            last = ok;
            a = b + 1;
        }
        if (all || (last && !k->cap && !k->allcaps))
            return 1;
    }
    return 0;
}
