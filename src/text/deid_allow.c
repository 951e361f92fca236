/* The allow-list pass, the de-identifier's recall floor (Philter's
 * principle, as the DICOM door's allow-list): a word the rules and the
 * tagger left is kept only when it is known to be safe (a word of Debian's
 * French dictionaries or of the medical vocabulary, or one of their
 * inflections, or a drug or surgical word by its ending) or when its
 * context explains it (an eponym's place, a brand name beside a drug, an
 * abbreviation). Words that are known and also names (Martin, Rose,
 * Nancy) were the tagger's to decide. */
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
static int safe_code(const char *w, size_t n)
{
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += (unsigned)(w[i] - '0') < 10u;
    if (digits <= 4)
        return 1; /* genes, cycles, doses, times ("10h41") */
    if (n == 11 && !memcmp(w, "NCT", 3) && digits == 8)
        return 1; /* a ClinicalTrials.gov registration */
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
 * "Beaupréau-en-Mauges", "Saint-Xyz"). Words of the language so written
 * ("arc-en-ciel", "rez-de-chaussée") are in the lexicon and never get
 * here. */
int deid_place_compound(const char *f, size_t n)
{
    static const char *const inner[] = {"sur", "sous", "le",  "la",  "les", "en", "de", "du",
                                        "des", "les",  "lez", "aux", "et",  "d'", NULL};
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

int deid_known_safe(const text_scan *s, size_t i)
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
    /* a roman numeral, with a letter after it ("IIIa", "IVb") */
    {
        int r = 0;
        while (r < fl && (f[r] == 'i' || f[r] == 'v' || f[r] == 'x'))
            r++;
        if (r >= 2 && r >= fl - 1 && (r == fl || (f[r] >= 'a' && f[r] <= 'c')) &&
            !(k->lex & (LEX_FIRST | LEX_LAST)))
            return 1;
    }
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

int deid_score_name(const text_scan *s, size_t i)
{
    /* "Barthel 55/100", "Apgar 9/10": a name before a score is a scale's */
    return i + 3 < s->n && s->tok[i + 1].kind == TOK_NUM && !s->tok[i + 1].nl && is_punct(s, i + 2, '/') &&
           s->tok[i + 2].s == s->tok[i + 1].e && s->tok[i + 3].kind == TOK_NUM &&
           s->tok[i + 3].s == s->tok[i + 2].e && s->tok[i + 1].e - s->tok[i + 1].s <= 3 &&
           s->tok[i + 3].e - s->tok[i + 3].s <= 3 &&
           atoi_n(s->t + s->tok[i + 1].s, s->tok[i + 1].e - s->tok[i + 1].s) <=
               atoi_n(s->t + s->tok[i + 3].s, s->tok[i + 3].e - s->tok[i + 3].s);
}

int deid_field_label(const text_scan *s, size_t i)
{
    if (i + 1 >= s->n || !is_punct(s, i + 1, ':') || s->tok[i].kind != TOK_WORD)
        return 0;
    if (s->tok[i].nl || i == 0)
        return 1;
    /* a table cell: after a tab or a gap of three spaces */
    const char *g = s->t + s->tok[i - 1].e;
    size_t gl = s->tok[i].s - s->tok[i - 1].e;
    return gl >= 3 || (gl >= 1 && g[gl - 1] == '\t');
}

/* Token i names a pharmaceutical form or a dose unit. */
static int tok_drug_form(const text_scan *s, size_t i)
{
    static const char *const forms[] = {
        "creme",   "gel",    "cp",         "cps",     "comprime", "comprimes", "gelule",
        "gelules", "sachet", "sachets",    "ampoule", "ampoules", "solution",  "collyre",
        "pommade", "sirop",  "injectable", "lp",      "lm",       "mg",        "g",
        "ug",      "mcg",    "ui",         "ml",      "patch",    "spray",     "suppositoire",
        "poudre",  "flacon", "inj",        "sol",     NULL};
    char f[32];
    size_t n = s->tok[i].e - s->tok[i].s;
    int fl = n < 24 ? text_lexicon_fold(s->t + s->tok[i].s, n, f, sizeof f) : -1;
    if (fl <= 0)
        return 0;
    for (const char *const *w = forms; *w; w++)
        if (strlen(*w) == (size_t)fl && !memcmp(*w, f, (size_t)fl))
            return 1;
    return 0;
}

int deid_drug_line(const text_scan *s, size_t i)
{
    size_t a = i, e = i + 1;
    while (a > 0 && !s->tok[a].nl && i - a < 40)
        a--;
    while (e < s->n && !s->tok[e].nl && e - i < 40)
        e++;
    int med = 0;
    for (size_t q = a; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if ((k->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)) || (k->lex & LEX_KIN) ||
            s->lab[q] == AT_PHI_NOM || s->lab[q] == AT_PHI_PRENOM)
            return 0;
        med += q != i && (k->lex & LEX_MED) && !(k->lex & (LEX_FIRST | LEX_LAST)) && k->kind == TOK_WORD &&
               k->e - k->s >= 4;
    }
    return med >= 2;
}

/* Context that explains an unknown word as safe: an eponym's place
 * ("maladie de X"), a brand name in parentheses after a drug or a dose
 * after it ("X 50 mg"), an abbreviation of at most three capitals. */
/* Folded word f (n bytes) is one of set (NULL-ended). */
static int word_in(const char *f, size_t n, const char *const *set)
{
    for (; *set; set++)
        if ((*set)[0] == f[0] && strlen(*set) == n && !memcmp(*set, f, n))
            return 1;
    return 0;
}

static int folded_is(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || s->tok[i].e - s->tok[i].s > 24)
        return 0;
    /* most words end here: by their first letter (ASCII) */
    unsigned c0 = (unsigned char)s->t[s->tok[i].s];
    if (c0 < 0x80) {
        c0 |= 0x20;
        const char *const *w = set;
        while (*w && (unsigned char)(*w)[0] != c0)
            w++;
        if (!*w)
            return 0;
    }
    char f[40];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, sizeof f);
    return fl > 0 && word_in(f, (size_t)fl, set);
}

int deid_treatment_context(const text_scan *s, size_t i)
{
    /* what is said of a treatment, not of a person, right after it: "X
     * arrêté", "X poursuivi", "X mal toléré" */
    static const char *const done_to[] = {
        "arrete",      "arretee",      "arretes",   "poursuivi",  "poursuivie",  "suspendu",  "suspendue",
        "reintroduit", "reintroduite", "tolere",    "toleree",    "majore",      "majoree",   "diminue",
        "diminuee",    "augmente",     "augmentee", "relaye",     "relayee",     "debute",    "debutee",
        "instaure",    "instauree",    "introduit", "introduite", "prescrit",    "prescrite", "renouvele",
        "renouvelee",  "stoppe",       "stoppee",   "interrompu", "interrompue", "switche",   "decale",
        "pose",        "posee",        "change",    "changes",    "changee",     "applique",  "appliquee",
        NULL};
    static const char *const before[] = {
        "sous", "relais", "switch", "introduction", "arret", "reprise", "majoration", "diminution", NULL};
    static const char *const well[] = {"bien", "mal", "tres", "peu", NULL};
    size_t v = i + 1; /* "X mal toléré" */
    if (v + 1 < s->n && !s->tok[v].nl && folded_is(s, v, well))
        v++;
    if (v < s->n && !s->tok[v].nl && folded_is(s, v, done_to))
        return !(i > 0 && (s->tok[i - 1].dflags & (DICT_TITLE | DICT_FIELD)) != 0);
    /* "sous X", "relais par X", "arrêt du X" */
    size_t p = i;
    if (p >= 1 && (tok_is(s, p - 1, "par") || tok_is(s, p - 1, "de") || tok_is(s, p - 1, "du") ||
                   tok_is(s, p - 1, "pour")))
        p--;
    if (p >= 1 && !s->tok[p].nl && folded_is(s, p - 1, before))
        return 1;
    /* the items of a list after a treatment label opening the line
     * ("Traitement en cours : X, Y, Z") */
    static const char *const labels[] = {"traitement",   "traitements",   "ttt",       "tt",
                                         "prescription", "ordonnance",    "pansement", "pansements",
                                         "relais",       "traitement(s)", NULL};
    for (size_t q = i, hop = 0; q > 0 && hop < 24 && !s->tok[q].nl; q--, hop++) {
        const text_tok *t = &s->tok[q - 1];
        if (t->kind == TOK_PUNCT && (s->t[t->s] == '.' || s->t[t->s] == ';'))
            return 0;
        if (is_punct(s, q - 1, ':')) {
            for (size_t b = q - 1; b > 0 && q - 1 - b < 5; b--) {
                if (folded_is(s, b - 1, labels))
                    return 1;
                if (s->tok[b - 1].nl)
                    break;
            }
            return 0;
        }
        if (t->kind == TOK_WORD && (t->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)))
            return 0;
    }
    return 0;
}

/* The first letter of the word part [b, e), folded (an accent dropped):
 * 0 when it is no letter. */
static char initial_of(const text_scan *s, uint32_t b, uint32_t e)
{
    char f[32];
    size_t n = e - b < 4 ? e - b : 4;
    int fl = text_lexicon_fold(s->t + b, n, f, sizeof f);
    return fl > 0 && f[0] >= 'a' && f[0] <= 'z' ? f[0] : 0;
}

/* 1 when the capitalised words from token j on (step -1: the words
 * before, read backwards; +1: the words after) spell the acronym token
 * a by their initials, de, du, d', l', la, des, et and dashes between
 * them, on one line, and one of them heads an establishment: "Institut
 * Xyz de Zyx (IXZ)", "IXZ (Institut Xyz de Zyx)". */
static int acronym_spelt(const text_scan *s, size_t j, int step, size_t a)
{
    char ac[8];
    size_t n = s->tok[a].e - s->tok[a].s, m = 0;
    for (size_t q = 0; q < n; q++)
        ac[q] = (char)(s->t[s->tok[a].s + q] | 0x20);
    int head = 0;
    for (size_t hop = 0; m < n && j < s->n && hop < 14; hop++, j = (size_t)((ptrdiff_t)j + step)) {
        const text_tok *k = &s->tok[j];
        if (step > 0 ? (k->nl && hop > 0) : (j + 1 < s->n && s->tok[j + 1].nl && hop > 0))
            return 0;
        if (k->kind == TOK_PUNCT && is_punct(s, j, '-'))
            continue;
        if (k->kind != TOK_WORD)
            return 0;
        /* the connectors, in any case: de, du, des, la, et, d', l' */
        if (tok_is(s, j, "de") || tok_is(s, j, "du") || tok_is(s, j, "des") || tok_is(s, j, "la") ||
            tok_is(s, j, "et") || tok_is(s, j, "d'") || tok_is(s, j, "l'"))
            continue;
        if ((s->t[k->s] | 0x20) == 'd' || (s->t[k->s] | 0x20) == 'l') {
            if (k->e - k->s == 4 && !memcmp(s->t + k->s + 1, "\xE2\x80\x99", 3))
                continue; /* d’, l’ */
        }
        if (!k->cap && !k->allcaps)
            return 0;
        head |= (k->dflags & DICT_HEAD) != 0;
        /* the parts of a dashed word, in the order of reading */
        uint32_t parts[8][2];
        size_t np = 0;
        uint32_t b = k->s;
        for (uint32_t c = k->s; c <= k->e && np < 8; c++)
            if (c == k->e || s->t[c] == '-') {
                if (c > b)
                    parts[np][0] = b, parts[np][1] = c, np++;
                b = c + 1;
            }
        for (size_t p = 0; p < np; p++) {
            size_t pp = step > 0 ? p : np - 1 - p;
            if (m >= n)
                return 0;
            char want = step > 0 ? ac[m] : ac[n - 1 - m];
            if (initial_of(s, parts[pp][0], parts[pp][1]) != want)
                return 0;
            m++;
        }
    }
    return m == n && head;
}

int deid_acronym_place(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (!k->allcaps || n < 3 || n > 6 || (k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) || k->dflags)
        return 0;
    /* a town after it, or a site: "XYZ Toulon", "XYZ site de Tarbes" */
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD &&
        ((s->tok[i + 1].cap && !s->tok[i + 1].allcaps && (s->tok[i + 1].lex & LEX_CITY)) ||
         s->lab[i + 1] == AT_PHI_VILLE || tok_is(s, i + 1, "site")))
        return 1;
    /* where one is cared for: "à l'XYZ", "au XYZ", "de l'XYZ", "du XYZ"
     * after a word of care ("suivi", "hospitalisée", "transfert") */
    if (i >= 2 && (tok_is(s, i - 1, "au") || tok_is(s, i - 1, "l'") || tok_is(s, i - 1, "du"))) {
        static const char *const care[] = {"suivi",    "suivie",   "hospitalise", "hospitalisee", "transfert",
                                           "adresse",  "adressee", "opere",       "operee",       "pris",
                                           "prise",    "retour",   "admis",       "admise",       "traite",
                                           "traitee",  "consulte", "vu",          "vue",          "patient",
                                           "patiente", NULL};
        size_t q = i - 1;
        if (tok_is(s, q, "l'") && q >= 1 && (tok_is(s, q - 1, "\xC3\xA0") || tok_is(s, q - 1, "de")))
            q--;
        if (q >= 1 && !s->tok[q].nl && folded_is(s, q - 1, care))
            return 1;
    }
    if (i >= 2 && is_punct(s, i - 1, '(') && !k->nl) {
        /* after a person or a town, in parentheses: "Dr X (XYZ)", "à
         * Town (XYZ)", "(XYZ, Dr X)" (the roles written there, IDE, CCA,
         * are the dictionary's) */
        int lp = s->lab[i - 2];
        if (is_punct(s, i + 1, ')') && (lp == AT_PHI_NOM || lp == AT_PHI_PRENOM || lp == AT_PHI_VILLE))
            return 1;
        if ((is_punct(s, i + 1, ',') || is_punct(s, i + 1, '/')) && i + 2 < s->n &&
            (s->tok[i + 2].dflags & DICT_TITLE))
            return 1;
        /* defined after its establishment: "Institut Xyz de Zyx (IXZ)" */
        if (n <= 5 && is_punct(s, i + 1, ')') && acronym_spelt(s, i - 2, -1, i))
            return 1;
    }
    /* defined before it: "IXZ (Institut Xyz de Zyx)" */
    if (n <= 5 && is_punct(s, i + 1, '(') && i + 2 < s->n && acronym_spelt(s, i + 2, 1, i))
        return 1;
    return 0;
}

static int context_safe(const text_scan *s, const tag_doc *c, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (deid_eponym_context(s, i) || deid_field_label(s, i) || deid_score_name(s, i))
        return 1;
    /* a treatment by what is said of it ("Creon poursuivi", "sous
     * Xeloda", "Traitement : X, Y") */
    if ((k->cap || k->allcaps) && deid_treatment_context(s, i))
        return 1;
    /* a batch's or a trial's number ("lot X013729") */
    if (deid_after_notid(s, i))
        return 1;
    if (i >= 2 && is_punct(s, i - 1, '(') && (s->tok[i - 2].lex & LEX_MED))
        return 1;
    /* a line of drugs, with no title nor name ("Traitements : Kardégic 75 mg, Spiriva ...") */
    if ((k->cap || k->allcaps) && deid_drug_line(s, i))
        return 1;
    /* a drug by the form or dose after it: "X crème", "X 500 mg", "X LP" */
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD && tok_drug_form(s, i + 1))
        return 1;
    if (i + 2 < s->n && s->tok[i + 1].kind == TOK_NUM && !s->tok[i + 1].nl &&
        s->tok[i + 2].kind == TOK_WORD) {
        const text_tok *u = &s->tok[i + 2];
        if ((u->lex & LEX_MED) && u->e - u->s <= 6 && !(u->lex & LEX_WORD))
            return 1; /* "X 50 mg", "X 400 UI" */
    }
    /* an abbreviation: up to four capitals no name list holds (a surname
     * that short comes with a title or a first name, which the rules see) */
    if (k->allcaps && k->e - k->s <= 4 && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE)) &&
        !deid_acronym_place(s, i))
        return 1;
    /* a unit after a number ("30 PA", "70 Gy") */
    if (k->e - k->s <= 3 && i > 0 && s->tok[i - 1].kind == TOK_NUM && !k->nl)
        return 1;
    return 0;
}

static void allow_token(text_scan *s, const tag_doc *c, size_t i);

void deid_pass_allow(text_scan *s, const tag_doc *c)
{
    static const int lists[] = {TEXT_LIST_NAME, TEXT_LIST_ODD, TEXT_LIST_CUE};
    for (size_t l = 0; l < 3; l++)
        for (size_t q = 0; q < s->nlist[lists[l]]; q++)
            allow_token(s, c, s->list[lists[l]][q]);
}

/* (the pass over each token the tokeniser listed) */
static void allow_token(text_scan *s, const tag_doc *c, size_t i)
{
    {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || s->lab[i] || (k->aux & TOK_AUX_SAFE) || k->e - k->s > 60)
            return;
        if ((k->lex & KNOWN) || (k->dflags & DICT_SAFE) || deid_known_safe(s, i) || context_safe(s, c, i))
            return;
        int named = (k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) != 0;
        char pf[96];
        int pfl = k->e - k->s < 90 ? text_lexicon_fold(s->t + k->s, k->e - k->s, pf, sizeof pf) : -1;
        int place = pfl > 0 && deid_place_compound(pf, (size_t)pfl);
        /* an unknown word after "à" in lower case ("habite à plouguin") */
        place |=
            !k->cap && !k->allcaps && i > 0 && !k->nl && tok_is(s, i - 1, "\xC3\xA0") && k->e - k->s >= 4;
        if (!k->cap && !k->allcaps && !named && !place) {
            /* an unknown word in lower case: a name only when the tagger
             * leans that way or a title, relative or label stands before */
            int cue = 0;
            for (size_t q = i, hop = 0; !cue && q > 0 && hop < 2; q--, hop++) {
                const text_tok *p = &s->tok[q - 1];
                cue = (p->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)) || (p->lex & LEX_KIN) ||
                      s->lab[q - 1] == AT_PHI_NOM || s->lab[q - 1] == AT_PHI_PRENOM;
                if (s->tok[q - 1].nl)
                    break;
            }
            if (!cue)
                return;
        }
        int label, digit = 0;
        for (uint32_t b = k->s; b < k->e; b++)
            digit |= (unsigned)(s->t[b] - '0') < 10u;
        if (digit)
            label = AT_PHI_ID;
        else if (k->allcaps && deid_acronym_place(s, i))
            label = AT_PHI_HOPITAL;
        else if (place)
            label = AT_PHI_VILLE;
        else if (c->cand[i] && s->d->tagger)
            label = tag_to_label(c->best[i]);
        else if ((k->lex & (LEX_PLACE | LEX_CITY)) && !(k->lex & (LEX_FIRST | LEX_LAST)))
            label = AT_PHI_VILLE;
        else if ((k->lex & LEX_FIRST) && !(k->lex & LEX_LAST))
            label = AT_PHI_PRENOM;
        else
            label = AT_PHI_NOM;
        if (mark(s, i, i + 1, label) && (label == AT_PHI_NOM || label == AT_PHI_PRENOM))
            deid_names_add(s, i, i + 1);
    }
}
