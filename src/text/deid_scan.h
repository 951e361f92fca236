/* Internal to the de-identifier: the state of one detection run and the
 * small token helpers its passes share (tok_: one token of the scan). */
#ifndef ATELIER_TEXT_DEID_SCAN_H
#define ATELIER_TEXT_DEID_SCAN_H

#include "deid_internal.h"
#include "word_index.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#ifdef DEID_TRACE
#include <stdio.h>
#endif

enum {
    TEXT_LIST_AT,    /* '@' */
    TEXT_LIST_NUM,   /* numbers, '+', "1er", month words */
    TEXT_LIST_FLAG,  /* words with an id-label, hospital, role, title, birth or field flag */
    TEXT_LIST_NAME,  /* capitalised words and "à" */
    TEXT_LIST_EXTRA, /* '(', words glued to a following '.', '/' or ':', "quatre-vingt..." (deid_extra.c) */
    TEXT_LIST_CUE,   /* record, account and employer cue words, street words, words with digits */
    TEXT_LIST_ODD,   /* lower-case words that are unknown or in a name list (tagger, allow-list) */
    TEXT_LIST_ORG, /* establishment and organisation heads, short unknown words in capitals (deid_phrase.c) */
    /* the capitalised words that the passes of names abroad may start at
     * (every word of TEXT_LIST_NAME that deid_pass_estab_world,
     * deid_pass_streets's foreign words or the English heads of
     * deid_pass_complete would not skip at once): of at most 24 bytes, and
     * of at most 11 whose first two letters' key is one of
     * text_world_head_keys or text_foreign_street_keys, or of 7 or more
     * ending in e, g, z, t or n */
    TEXT_LIST_ABROAD,
    /* the words of 2 to 24 bytes whose first two letters may open a
     * number word (text_number_word_keys; any when one is not ASCII):
     * every word deid_pass_dictated's number_word_tok takes */
    TEXT_LIST_NUMWORD,
    /* the words of TEXT_LIST_NAME of at most three bytes (initials, the
     * two capitals of a plate, the initials that sign a letter) */
    TEXT_LIST_SHORT,
    /* the words of TEXT_LIST_NAME of 5 to 14 bytes whose second is a
     * capital and with an 'l' after the first ("CLlNlQUE": the OCR's
     * heads in capitals, deid_pass_estab_late) */
    TEXT_LIST_OCRCAP,
    TEXT_LIST_COUNT
};

/* text_scan.seen: bytes some pass looks for in the whole text, noted by
 * the tokeniser (a pass may skip its search of the bytes without them). */
enum {
    TEXT_SEEN_QUOTE = 1,      /* '"' */
    TEXT_SEEN_BAR = 2,        /* '|' */
    TEXT_SEEN_SEMI = 4,       /* ';' */
    TEXT_SEEN_TAB = 8,        /* a tab */
    TEXT_SEEN_OHS = 16,       /* a word deid_occupational_word holds */
    TEXT_SEEN_FIELD = 32,     /* a capitalised word deid_place_field_word holds */
    TEXT_SEEN_UNIT = 64,      /* a word deid_unit_word holds */
    TEXT_SEEN_SPELT = 128,    /* four words or numbers of one byte in a row */
    TEXT_SEEN_REGION = 256,   /* a capitalised word deid_region_word gives 2 or 3 */
    TEXT_SEEN_MID = 512,      /* a word opening with "mi-" (deid_pass_mid_months) */
    TEXT_SEEN_FILLER = 1024,  /* '_' or '[' (a form's filler, deid_pass_form_dates) */
    TEXT_SEEN_DOLLAR = 2048,  /* '$' */
    TEXT_SEEN_DASH_NL = 4096, /* a line break after a '-' ("Dupo-" / "nt") */
    TEXT_SEEN_DOOR = 8192,    /* a door code's word: "code", "digicode", "interphone" */
    TEXT_SEEN_EQUALS = 16384  /* '=' (a legend of initials, deid_initials_legend.c) */
};

/* The words of the names the context rules found (deid_mentions.c). */
#define DEID_MAX_NAMES 32
#define DEID_NAME_LEN 32
#define DEID_NAME_SLOTS 64 /* a power of two above DEID_MAX_NAMES */
#define DEID_NAME_SLOT_BITS 6
typedef struct {
    char w[DEID_MAX_NAMES][DEID_NAME_LEN]; /* folded, zero-padded */
    uint8_t slot[DEID_NAME_SLOTS];         /* hash table of 1 + their index, 0 empty */
    uint8_t len[DEID_MAX_NAMES], label[DEID_MAX_NAMES];
    size_t count, min_len;
    uint64_t pairs[16]; /* bits of the text_pair_key of their first two letters */
    uint32_t last;      /* bits of their last letters (the low five bits) */
} text_names;

/* 1 at the text_pair_key of the first two letters of the heads of
 * establishments abroad (deid_estab_world.c), and of the foreign street
 * words (deid_address.c): TEXT_LIST_ABROAD's keys. */
extern const uint8_t text_world_head_keys[1024];
extern const uint8_t text_foreign_street_keys[1024];

/* The n bytes at w (n >= 2) may end as a foreign street's one word does
 * ("...strasse", "...gasse", "...weg", "...platz", "...straat", "...laan",
 * "...straße"): their last two letters, in any case (ASCII). */
static inline int deid_street_ending_may(const char *w, size_t n)
{
    unsigned y = (unsigned char)w[n - 2] | 0x20u, z = (unsigned char)w[n - 1] | 0x20u;
    return (z == 'e' && (y == 's' || (unsigned char)w[n - 2] == 0x9F)) || (y == 'e' && z == 'g') ||
           (y == 't' && z == 'z') || (y == 'a' && (z == 't' || z == 'n'));
}

typedef struct {
    const at_text_deid *d;
    const char *t;
    size_t len;
    text_tok *tok;
    size_t n;
    uint8_t *lab;
    uint32_t *ent;
    /* Tokens each pass may start at, in text order, built by the tokeniser;
     * a token outside a pass's list is one that pass would skip at once. */
    uint32_t *list[TEXT_LIST_COUNT];
    size_t nlist[TEXT_LIST_COUNT];
    uint32_t next_ent;
    unsigned seen;       /* TEXT_SEEN_* bits: bytes the tokeniser met in the text */
    size_t number_words; /* its tokens that deid_number_word_tok gives 1 */
    size_t words;        /* its word tokens */
    size_t cap_words;    /* its word tokens with a capital first */
    /* lines written abroad (deid_abroad.c, asked late, kept once known):
     * the text's function words of English, German, Italian and Spanish
     * and of French (abroad_words < 0: not counted yet), and the last
     * line asked, [abroad_a, abroad_e), and its answer */
    int abroad_words, french_words;
    size_t abroad_a, abroad_e;
    int abroad_line;
    text_names *names; /* the words of the names found in context, or NULL */
    uint32_t *scratch; /* room for n token indices, for one pass at a time (the joins') */
    /* deid_known_safe's answer for each token, kept once asked (it reads
     * only the text, the tokens and the lexicon): 0 not asked yet, else
     * 1 + the answer */
    uint8_t *safe;
    char *ocr_copy;   /* t when deid_ocr_view read words back, else NULL */
    size_t ocr_words; /* the words it read back (a scan's sign) */
    void *block;      /* the one allocation behind tok, lab, ent, list, scratch and safe */
    int block_lent;   /* 1: block is room lent by the caller (deid_scan_tokens_in), not freed here */
    /* room in block for the tagger's two bytes a token (tag_doc_init),
     * for up to tag_room_tokens tokens */
    uint8_t *tag_room;
    size_t tag_room_tokens;
    /* the bytes of a lent block the scan takes once packed
     * (deid_scan_pack: the next scan of a group goes right after) */
    size_t block_used;
} text_scan;

/* ---- helpers --------------------------------------------------------------- */

static inline int tok_is(const text_scan *s, size_t i, const char *lit)
{
    if (i >= s->n)
        return 0;
    size_t n = strlen(lit);
    const text_tok *k = &s->tok[i];
    if (k->e - k->s != n)
        return 0;
    for (size_t j = 0; j < n; j++) {
        char c = s->t[k->s + j];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[j])
            return 0;
    }
    return 1;
}

/* Token i holds an ASCII digit (the tokeniser's TOK_AUX_DIGIT). */
static inline int tok_has_digit(const text_scan *s, size_t i)
{
    return (s->tok[i].aux & TOK_AUX_DIGIT) != 0;
}

/* Token i has a capital right after a lower-case letter ("iwCLL",
 * "OncoNormandie", "AirSense"): a product's, a brand's or a reference's
 * writing (ASCII letters). */
static inline int tok_inner_capital(const text_scan *s, size_t i)
{
    const char *t = s->t + s->tok[i].s;
    size_t n = s->tok[i].e - s->tok[i].s;
    for (size_t j = 1; j < n; j++)
        if (t[j] >= 'A' && t[j] <= 'Z' && t[j - 1] >= 'a' && t[j - 1] <= 'z')
            return 1;
    return 0;
}

/* Token i may fold to a weekday's name (five to eight letters): 0 for an
 * ASCII word of fewer or more bytes, which folds to as many letters ("le",
 * "du" need no folding to be ruled out). */
static inline int tok_may_be_weekday(const text_scan *s, size_t i)
{
    size_t n = s->tok[i].e - s->tok[i].s;
    unsigned any = 0;
    for (size_t j = 0; j < n; j++)
        any |= (unsigned char)s->t[s->tok[i].s + j];
    return (n >= 5 && n <= 8) || any >= 0x80;
}

/* Word token i is one of the lower-case ASCII words of set, in any case:
 * the first letter, then the rest (no strlen of a word or an entry). */
static inline int tok_ascii_in(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return 0;
    size_t n = s->tok[i].e - s->tok[i].s;
    const char *w = s->t + s->tok[i].s;
    char c0 = (char)(w[0] | 0x20);
    for (; *set; set++) {
        if ((*set)[0] != c0)
            continue;
        size_t q = 1;
        while (q < n && (*set)[q] && (char)(w[q] | 0x20) == (*set)[q])
            q++;
        if (q == n && !(*set)[n])
            return 1;
    }
    return 0;
}

/* Tokens [a, b) as one new entity of label, whatever they were (the
 * caller has checked what it may take over). */
static inline void deid_relabel(text_scan *s, size_t a, size_t b, int label)
{
    uint32_t ent = ++s->next_ent;
    for (size_t i = a; i < b; i++) {
        s->lab[i] = (uint8_t)label;
        s->ent[i] = ent;
    }
}

#include "label_walk.h" /* (the walks over the labels: they read text_scan) */

/* Label tokens [a, b) as one entity when none of them is labelled yet. */
static inline int mark(text_scan *s, size_t a, size_t b, int label)
#ifdef DEID_TRACE
    __attribute__((unused));
/* A build with -DDEID_TRACE (a developer's tool, never shipped) prints on
 * stderr which pass labelled what: "deid-trace FUNC:LINE LABEL TEXT". */
static inline int mark_traced(text_scan *s, size_t a, size_t b, int label, const char *fn, int line)
{
    int r = mark(s, a, b, label);
    if (r)
        fprintf(stderr, "deid-trace %s:%d %d %.*s\n", fn, line, label, (int)(s->tok[b - 1].e - s->tok[a].s),
                s->t + s->tok[a].s);
    return r;
}
#define mark(s, a, b, label) mark_traced(s, a, b, label, __func__, __LINE__)
static inline int(mark)(text_scan *s, size_t a, size_t b, int label)
#endif
{
    if (a >= b || b > s->n)
        return 0;
    for (size_t i = a; i < b; i++)
        if (s->lab[i])
            return 0;
    uint32_t e = ++s->next_ent;
    for (size_t i = a; i < b; i++) {
        s->lab[i] = (uint8_t)label;
        s->ent[i] = e;
    }
    return 1;
}

/* The first token starting at or after byte offset b (s->n when none), by
 * a binary search over the whole scan. */
static inline size_t tok_first_at(const text_scan *s, size_t b)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->tok[mid].s < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First token index starting at or after byte offset off, from i. */
static inline size_t tok_end_index(const text_scan *s, size_t i, size_t end)
{
    while (i < s->n && s->tok[i].s < end)
        i++;
    return i;
}

static inline int is_name_word(const text_scan *s, size_t i)
{
    if (i >= s->n)
        return 0;
    const text_tok *k = &s->tok[i];
    /* (the tokeniser sets cap and allcaps of words only: a number opens
     * with a digit, a sign has neither) */
    return (k->cap | k->allcaps) != 0;
}

static inline int is_punct(const text_scan *s, size_t i, char c)
{
    /* (a punctuation token's first byte is its special: the token alone
     * is read, its kind, byte and length in one test; for an ASCII sign
     * the special alone: a word's or a number's is below 3, and a
     * punctuation token opening with an ASCII byte is that byte alone) */
    if (i >= s->n)
        return 0;
    const text_tok *k = &s->tok[i];
    unsigned uc = (unsigned char)c;
    if (uc >= 3 && uc < 0x80)
        return k->special == uc;
    return ((k->kind ^ (unsigned)TOK_PUNCT) | (k->special ^ (unsigned)(unsigned char)c) |
            (k->e - k->s - 1)) == 0;
}

/* Token i is the elided letter c (lower case) and its apostrophe (' or
 * ’): "d'" of "d'Ormesson", "l'" of "l'IGR". */
static inline int tok_elided(const text_scan *s, size_t i, char c)
{
    if (i >= s->n)
        return 0;
    const char *t = s->t + s->tok[i].s;
    size_t n = s->tok[i].e - s->tok[i].s;
    return (t[0] | 0x20) == c && ((n == 2 && t[1] == '\'') || (n == 4 && !memcmp(t + 1, "\xE2\x80\x99", 3)));
}

/* The elided "d'" of "d'Ormesson", "maladie d'Addison" (' or ’). */
static inline int tok_elided_d(const text_scan *s, size_t i)
{
    return tok_elided(s, i, 'd');
}

/* A word that names a disease, a score, a sign here: an eponym, or after
 * "maladie de", "score de", ... (deid_passes.c). */
int deid_eponym_context(const text_scan *s, size_t i);
/* Token i names a trial or study ("KEYNOTE-522", "essai PACIFIC"; deid_allow.c). */
int deid_study_name(const text_scan *s, size_t i);
/* Token i is a field label: the first word of its line (or of a table
 * cell) with ':' right after it ("Notificateur :", "Défunt :"). */
int deid_field_label(const text_scan *s, size_t i);
/* Token i is inside a value that says there is none, from its line's
 * ':' ("Domicile : Chez Ses Parents", "Nom : Néant", "Adresse : Non
 * renseignée"; deid_fields.c). */
int deid_field_no_value(const text_scan *s, size_t i);
/* Token i names a scale before its score ("Barthel 55/100"). */
int deid_score_name(const text_scan *s, size_t i);
/* Token i names a scale before its grade ("Knosp 2,", "Hunt et Hess IV",
 * "Esposito grade 0"; deid_allow.c): part of deid_score_name. */
int deid_scale_grade(const text_scan *s, size_t i);

void deid_pass_email(text_scan *s);
void deid_pass_numbers(text_scan *s);
void deid_pass_labelled_ids(text_scan *s);
void deid_pass_text_dates(text_scan *s);
void deid_pass_hospitals(text_scan *s);
/* Establishments and organisations as whole noun phrases from their head
 * word, and after the tagger their aliases and acronyms (deid_phrase.c). */
void deid_pass_orgs(text_scan *s);
void deid_pass_complete(text_scan *s);
/* After the tagger (from deid_pass_complete): establishments whose words
 * are all words of the language, a head read wrong by the OCR
 * (deid_estab.c). */
void deid_pass_estab_late(text_scan *s);
/* After the tagger: an address's complements beside it ("villa 11", "3e
 * étage", "bât. C", "CS 30026"), chains of them too (deid_estab.c). */
void deid_pass_address_late(text_scan *s);
/* Addresses by their street's phrase (deid_address.c). */
void deid_pass_streets(text_scan *s);
/* Directions to a home after its address: "près de la mosquée", "1er chemin à droite" (deid_address.c). */
void deid_pass_address_directions(text_scan *s);
/* Establishments abroad: "Hospital de Chaves", "Royal Marsden Hospital" (deid_estab_world.c). */
void deid_pass_estab_world(text_scan *s);
/* Foreign postcodes: "CH-1205", "G1V 2L8", "CR0 2LB", "4000" after an address (deid_foreign_zip.c). */
void deid_pass_foreign_zip(text_scan *s);
/* Military units by their ordinal, their place or their number (deid_units.c). */
void deid_pass_units(text_scan *s);
/* The folded word f (n bytes) is a unit's word ("régiment", "brigade")
 * or "base": without one in the text, the pass above labels nothing (the
 * tokeniser notes them as TEXT_SEEN_UNIT). */
int deid_unit_word(const char *f, size_t n);
/* After the tagger: a month or a word of the language in a name's place,
 * beside a title or a name ("Dr Laurence Avril", "Mme Iris X";
 * deid_namewords.c). */
void deid_pass_name_words(text_scan *s);
/* Initials, names spelt out and compound first names (deid_initials.c). */
void deid_pass_initials(text_scan *s);
/* A service's head and a place: "HAD du Bocage" (deid_estab_heads.c). */
void deid_pass_estab_heads(text_scan *s);
/* Token h, a capitalised head: its establishment (deid_estab_heads.c). */
void deid_estab_head_at(text_scan *s, size_t h);
/* Token i, a capitalised word after a title, a first name, "née": a
 * surname (deid_namewords.c; from deid_pass_initials). */
void deid_word_after_name(text_scan *s, size_t i);
/* Token i follows a batch's, a registry's or a study's word ("lot
 * X013729", "EudraCT 2022-..."): a number there is no one's (deid_late.c). */
int deid_after_notid(const text_scan *s, size_t i);
/* Token i, folded, is one of set (NULL-ended, folded words) (deid_pipeline.c). */
int deid_tok_in(const text_scan *s, size_t i, const char *const *set);
/* deid_tok_in(s, i, x->set), by the index. */
int deid_tok_in_index(const text_scan *s, size_t i, const text_word_index *x);
/* A dose from token j: a number (decimals too) and a unit or a form of a
 * drug, or '%' ("50 µg", "2,5 mg", "15 MG", "5 %"): a product before it
 * (deid_allow.c). */
int deid_dose_after(const text_scan *s, size_t j);
/* Token i is a marker's or a gene's name glued to its number ("Ki-67",
 * "Her-2", "Il-6"): a short word, a dash and digits, glued (deid_allow.c). */
int deid_marker_glued(const text_scan *s, size_t i);
/* The place before ", ZIP Commune" (zip code token z) as ADRESSE. */
void deid_place_before_zip(text_scan *s, size_t z);
/* The town's words after postcode z on its line: VILLE (deid_passes.c). */
void deid_town_after_zip(text_scan *s, size_t z);
void deid_pass_titles(text_scan *s);
/* A maiden name in lower case after "née" and a name found ("madame rose
 * boulanger née faucher"), after the tagger (deid_titles.c). */
void deid_pass_maiden_names(text_scan *s);
/* Token r is a compound of first names of the lists, in any case
 * ("ange-marie", "Jean-Baptiste"; deid_titles.c). */
int deid_compound_firsts(const text_scan *s, size_t r);
void deid_pass_patient(text_scan *s);
void deid_pass_cities(text_scan *s);
void deid_pass_dictionary(text_scan *s);
void deid_pass_birth_dates(text_scan *s);
/* The words of the names of tokens [a, b) that a context rule labelled
 * (label_name_run), kept in s->names; deid_pass_mentions, last: those
 * words elsewhere in the document, capitalised, or in lower case when not
 * a word of the language. */
void deid_names_init(text_names *nm);
/* Rule passes added for the tagger's labels and writings (deid_extra.c,
 * the late ones in deid_late.c):
 * early (web addresses and handles, IBAN and insurance numbers, plates,
 * dates in words and OCR'd dates, ages over 89) and late (free-format
 * record numbers, employers, rural addresses, dates without a year after
 * "le"). */
void deid_pass_extra_early(text_scan *s);
void deid_pass_extra_dates(text_scan *s);
void deid_pass_extra_late(text_scan *s);
/* The employers (deid_employer.c): the firm a cue or trade at i names,
 * and the firms a legal form closes. */
void deid_employer_at(text_scan *s, size_t i);
void deid_pass_employers(text_scan *s);
/* After the tagger: its firms and establishments named by descriptors
 * alone dropped (deid_employer.c). */
void deid_pass_firm_check(text_scan *s, uint32_t rules_ent);
/* Dates with English or abbreviated months, international phones, OCR'd
 * numbers (deid_numclass.c); after the tagger, the tails of record
 * numbers (groups after them: "12-345 678", "883412 K"). */
void deid_pass_number_classes(text_scan *s);
void deid_pass_number_tails(text_scan *s);
/* Numbers dictated in words, six tokens or more (deid_dictated.c). */
void deid_pass_dictated(text_scan *s);
/* The chunk is a transcript: twelve words or more, nine in ten in lower
 * case, or seven in ten and "virgule" said twice (deid_dictated.c). */
int deid_dictated_chunk(const text_scan *s);
/* The value of the number words [a, e) ("et" between them), -1 when they
 * make none (deid_dictated.c). */
int deid_words_value(const text_scan *s, size_t a, size_t e);
/* A day of the month or a year said in words alone, at number word i
 * (deid_dates_alone.c). */
void deid_day_words(text_scan *s, size_t i);
/* The day in words before month word i ("vingt trois septembre"): its
 * first token, i when none; *day its value, -1 for "trente sept" (seven,
 * not September) (deid_dates_alone.c). */
size_t deid_day_words_before(const text_scan *s, size_t i, int *day);
/* A weekday and a day in words after it: "le vendredi vingt point"
 * (deid_dates_alone.c). */
void deid_weekday_words(text_scan *s, size_t i);
void deid_year_words(text_scan *s, size_t i);
/* Word token i is a number word, each of its hyphenated parts ("vingt",
 * "quarante-quatre"): 1; "et": 2; 0 otherwise. Reads only the token
 * and its bytes. */
int deid_number_word_tok(const text_scan *s, size_t i);
/* The same read from the word's bytes (the tokeniser's look, which notes
 * it in TOK_AUX_NUMBER_WORD and TOK_AUX_NUMBER_ET for the passes). */
int deid_number_word_bytes(const text_scan *s, size_t i);

/* Token i stands on a line written in English, German, Italian or
 * Spanish, told by its function words (deid_abroad.c). */
int deid_abroad_line(const text_scan *s, size_t i);
/* The word of n bytes at w (ASCII capitals as lower case): 1 a function
 * word abroad, -1 a French one, 0 neither, nor of more than seven bytes
 * (the tokeniser's TOK_AUX_FN_ABROAD and TOK_AUX_FN_FRENCH). */
int deid_function_word(const char *w, size_t n);

/* Token i, folded f (fl bytes), is known as a word of a line written
 * abroad, or as an English word after a device's brand (deid_abroad.c). */
int deid_abroad_known(const text_scan *s, size_t i, const char *f, size_t fl);
/* Last: five digits before a town found by any pass are its postcode. */
void deid_pass_zip_before_town(text_scan *s);
/* Towns beside an establishment ("Hôpital X (Paris)", "Centre X,
 * Deauville" at a line's end) and a capitalised article before a town
 * ("Le Puy-en-Velay"), after the tagger (deid_estab.c). */
void deid_pass_place_late(text_scan *s);
/* A place's field and its value ("Adresse : Les Hauts de Costebelle",
 * "Lieu de naissance : Le Tampon"), after the tagger (deid_fields.c). */
void deid_pass_place_fields(text_scan *s);
/* Establishments and communes dictated in lower case ("à la clinique
 * saint michel", "à chalon sur saône"), after the tagger
 * (deid_dictated_places.c). */
void deid_pass_dictated_places(text_scan *s);
/* The lines of a postal address block between a name and "ZIP Town"
 * ("La Petite Noue"), after the tagger (deid_fields.c). */
void deid_pass_address_blocks(text_scan *s);
/* The words before "ZIP Town" on its line: the end of an address (deid_fields.c). */
void deid_pass_before_zip(text_scan *s);
/* The folded word f (n bytes) may open a place's field label ("Adresse",
 * "Ville", "Lieu de naissance"): without one capitalised in the text,
 * the pass above labels nothing (the tokeniser notes them as
 * TEXT_SEEN_FIELD). */
int deid_place_field_word(const char *f, size_t n);
/* Occupational-health services by their name ("Service de Prévention et
 * de Santé au Travail du Pays de Brest", "SPSTI Côte-d'Or"), after the
 * tagger (deid_occupational.c). */
void deid_pass_occupational(text_scan *s);
/* The folded word f (n bytes) is one that every service the pass above
 * labels holds ("travail", or an acronym: "spst"): without one in the
 * text, the pass labels nothing (the tokeniser notes them as
 * TEXT_SEEN_OHS). */
int deid_occupational_word(const char *f, size_t n);
/* A name spelled out letter by letter beside it ("dumoulin d u m o u l
 * i n"), last (deid_spelled.c). */
void deid_pass_spelled(text_scan *s);
/* Record-number labels taken back from public references: articles of
 * codes, laws and regulations, cerfa forms, OIDs (deid_refs.c). */
void deid_pass_public_refs(text_scan *s);
/* An item alone in a list of names or places; door codes (deid_lists.c). */
void deid_pass_lists(text_scan *s);
/* Establishments known by their acronym alone (HCL, AP-HP, IGR ...;
 * deid_known_estab.c). */
void deid_pass_known_estab(text_scan *s);
/* Capitalised word token i: an employer known by its name (SNCF, Airbus,
 * Marine nationale ...), a military unit by its number and acronym, an
 * air or naval base (deid_known_employers.c). */
void deid_known_employer_at(text_scan *s, size_t i);
/* Token i may be one deid_known_employer_at labels: a word whose folded
 * hash may be a known employer's first word's (at_text_deid's
 * employer_keys), or that opens with an 'r' or a 'b' (a unit's acronym,
 * "Base"). The callers ask it first: the other words return at once. */
static inline int deid_known_employer_may(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD)
        return 0;
    if (k->fh && (s->d->employer_keys[(k->fh & 4095) >> 6] >> (k->fh & 63) & 1))
        return 1;
    unsigned first = k->key >> 5; /* (the first letter's low five bits) */
    return k->key != TOK_KEY_ANY && (first == ('r' & 0x1Fu) || first == ('b' & 0x1Fu));
}
/* The common noun that heads a named place found by its name ("église
 * Notre-Dame", "section Belle-Plaine", "école élémentaire Gutenberg"):
 * the place's with it (deid_place_heads.c). */
void deid_pass_place_heads(text_scan *s);
/* A region's or a département's name closing or opening an
 * organisation's ("Cypath Orne", "Anjou Médical Services"), and the
 * initials a document makes of its establishments
 * (deid_region_orgs.c). */
void deid_pass_region_orgs(text_scan *s);
void deid_region_keys(uint64_t keys[16]);
/* The folded word f (fl bytes) as a region's: 2 when it names a region
 * or a département (alone or hyphenated with words such as "sud",
 * "haute", "pays"), 3 when a care prefix opens it ("onco-normandie"), 1
 * when it is one of those words only, 0 otherwise. */
int deid_region_word(const char *f, size_t fl);
/* Token i as a region's: deid_region_word of its fold, 0 for no word. */
int deid_region_tok(const text_scan *s, size_t i);
void deid_pass_acronyms(text_scan *s);
/* A date without a year in digits at number token i (deid_short_dates.c;
 * called by deid_pass_extra_late). */
void deid_short_date_at(text_scan *s, size_t i);
/* A unit or '%' at token r on its line ("120-130 mmHg", "2-3 fois"):
 * the number before it is a quantity (deid_late.c). */
int deid_unit_next(const text_scan *s, size_t r);
/* Tokens [i, r) are a protein change ("E746_A750del", "Gln1756ProfsTer74")
 * or a count per unit ("1000/mm3"): no one's code (deid_variants.c). */
int deid_variant_or_count(const text_scan *s, size_t i, size_t r);
/* A street in lower case at street word i ("chemin des pénitents",
 * "trois rue des fours à chaux"): the end of its name, i when none; from:
 * its first token, a number said before it included (deid_lower_streets.c). */
size_t deid_lower_street(const text_scan *s, size_t i, size_t *from);
/* Number token i is the emergency number called ("appelez le 15",
 * "appel au 15", "faire le 112"): 15, 17, 18, 112, 114 or 115 after "le"
 * or "au" and a word of calling (deid_refs.c). */
int deid_emergency_call(const text_scan *s, size_t i);
/* Names an OCR wrote with digits and signs for letters ("Bonnaf0us",
 * "Ta|bot"): read back and looked up (deid_ocr_names.c). */
void deid_pass_ocr_names(text_scan *s);
/* One walk over the capitalised words: the employers known by their name
 * (deid_known_employer_at) and people named where only the phrase tells
 * a name: after "signé", in brackets after a relative
 * (deid_people_late.c). */
void deid_pass_late_names(text_scan *s);
/* The folded hashes of the known employers' first words (as text_tok.fh)
 * and their low twelve bits as bits (the pass's first test of a word). */
void deid_known_employer_keys(uint64_t keys[64], uint32_t fh[64]);
/* Numbers by shape and context (deid_numbers.c): years alone, a day
 * before a date, groups of digits. */
void deid_pass_number_shapes(text_scan *s);
/* After the tagger (deid_joins.c): particles and initials joined to the
 * surname after them, the capitalised words before an employer or
 * hospital, a known first name after a surname in capitals (its list of
 * labelled tokens in s->scratch). */
void deid_pass_joins(text_scan *s);
/* Its last part, again after the allow-list: a first name beside a
 * surname found (before it, after a title, after one in capitals) and a
 * town by its place in the writing. */
void deid_pass_name_joins(text_scan *s);
/* Names cut with a space by a scan or a typist (deid_split_names.c). */
void deid_pass_split_names(text_scan *s);
/* An initial after a name the tagger found (deid_initials_late.c). */
void deid_pass_initials_late(text_scan *s);
/* Initials a legend defines ("AG = Agnès Guérin"), all their standings,
 * and a letter's references ("Réf. : HG/mlb") (deid_initials_legend.c). */
void deid_pass_initials_defined(text_scan *s);
/* A town before its postcode in brackets (deid_initials_late.c). */
void deid_pass_town_zip_bracket(text_scan *s);
/* Ages over 89 (deid_ages.c): from a number or a number word at i, from
 * "quatre" or "cent" said over several words at i, glued to their unit. */
void deid_age_at(text_scan *s, size_t i);
void deid_spoken_age_at(text_scan *s, size_t i);
void deid_glued_ages(text_scan *s);
/* The text (len bytes) with a scan's digits read back as letters inside
 * words: *copy, a copy of the same length (at_free it), or NULL when no
 * word changes; *words, how many changed (deid_ocr_view.c). */
at_status deid_ocr_view(const at_text_deid *d, const char *t, size_t len, char **copy, size_t *words);
/* Words no person bears, whatever took them (deid_not_names.c). */
void deid_pass_not_names(text_scan *s);
/* An entity cut at a wide gap: its runs of safe words given back
 * (deid_wide_gaps.c). */
void deid_pass_wide_gaps(text_scan *s);
/* Towns of the language's proper nouns where a town stands, after the
 * tagger (deid_passes.c). */
void deid_pass_towns_late(text_scan *s);
/* A month's middle, "mi-novembre" (deid_dates_alone.c). */
void deid_pass_mid_months(text_scan *s);
/* Dates filled in a form's boxes, "___19___.___02___.___2026"
 * (deid_short_dates.c). */
void deid_pass_form_dates(text_scan *s);
/* Care establishments written in lower case (deid_estab_lower.c). */
void deid_pass_estab_lower(text_scan *s);
/* Tokenise and run every rule pass (deid_detect.c): what the tagger
 * starts from, at detection and in training. s owns its block
 * (deid_scan_free), names must outlive s. */
at_status deid_scan_rules(const at_text_deid *d, const char *text, size_t len, text_scan *s,
                          text_names *names);
/* deid_scan_rules in two halves: the tokens alone (s set up as by it; on
 * failure s still owns its block), then each pass of deid_rule_passes
 * (NULL-ended) in its order: the pipeline runs one pass over several
 * short documents before the next (deid_pipeline.c). */
at_status deid_scan_tokens(const at_text_deid *d, const char *text, size_t len, text_scan *s,
                           text_names *names);
/* The bytes of the block that deid_scan_tokens first takes for a text of
 * len bytes (a multiple of 64), and deid_scan_tokens with that block lent
 * by the caller (room: at least deid_scan_room(len) bytes, aligned as
 * at_malloc's, kept by the caller until deid_scan_free; NULL: its own).
 * A text with more tokens than that block holds moves to one of its own.
 * The pipeline lends one allocation to a group of short documents. */
size_t deid_scan_room(size_t len);
/* The scan's block (deid_scan_block.c): the tokens tokenise first makes
 * room for in a text of len bytes (about four bytes a token), and the
 * block (re)made for cap tokens, the s->n tokens and the fill[l] entries
 * of each list copied over (room: a block lent for it, NULL to allocate
 * one; AT_ERR_NOMEM on failure, the old block kept for deid_scan_free). */
size_t deid_scan_first_cap(size_t len);
at_status deid_scan_reserve(text_scan *s, size_t cap, const size_t *fill, void *room);
void deid_scan_pack(text_scan *s);
at_status deid_scan_tokens_in(const at_text_deid *d, const char *text, size_t len, text_scan *s,
                              text_names *names, void *room);
extern void (*const deid_rule_passes[])(text_scan *s);
void deid_scan_free(text_scan *s);
void deid_names_add(text_scan *s, size_t a, size_t b);
/* Keep the word of token i as a name with label (NOM or PRENOM), whatever
 * its own label: its other mentions are looked for. */
void deid_names_add_word(text_scan *s, size_t i, int label);
void deid_pass_mentions(text_scan *s);
/* Keep, as names are kept, every word that the passes after the rules
 * (the tagger, the allow-list, the completions: entities numbered above
 * from_ent) labelled and that no list of the language nor of names and
 * places holds (a name, a town, an establishment's word or acronym: "CAOX",
 * "Plouzévet"): deid_pass_mentions then labels its other mentions the
 * same, in any case. */
void deid_names_add_labelled(text_scan *s, uint32_t from_ent);
/* Keep the folded word w (n bytes; 3 to DEID_NAME_LEN - 1) with label. */
void deid_names_add_folded(text_scan *s, const char *w, size_t n, int label);
/* The names an e-mail address gives away (deid_mailnames.c): the parts of
 * its local part written beside it or elsewhere. */
void deid_pass_mail_names(text_scan *s);
/* Tables in the text (deid_tables.c): a header line naming people,
 * places, employers or addresses labels its column's cells below. */
void deid_pass_tables(text_scan *s);

/* ---- the words of a run (deid_runwords.c, deid_mentions.c) ---------------- */
at_status text_run_acc_new(text_run_acc **out);
void text_run_acc_free(text_run_acc *a);
/* The documents that follow are the next one of the run. */
void text_run_acc_next_doc(text_run_acc *a);
/* Note folded word f (n bytes, zero-padded to DEID_NAME_LEN) labelled
 * label in the current document (at most TEXT_RUN_MAX_WORDS words); weak:
 * a mention that counts only with another document's. */
void text_run_acc_add(text_run_acc *a, const char *f, size_t n, int label, int weak);
/* The words labelled in a document by a mention that is not weak, or in
 * two documents, each with its most frequent label, into w and label
 * (NULL: counted only): their count. */
size_t text_run_acc_words(const text_run_acc *a, char (*w)[DEID_NAME_LEN], uint8_t *label);
void text_run_words_free(text_run_words *r);
/* The label of run word f (n bytes, zero-padded to DEID_NAME_LEN), 0 when
 * it is none. */
int text_run_words_label(const text_run_words *r, const char *f, size_t n);
/* The distinctive words of the identifiers found in scan s into a (the
 * rules' entities: ids up to rules_ent). */
void deid_run_collect(const text_scan *s, text_run_acc *a, uint32_t rules_ent);
/* Label the unlabelled mentions of the run's words (d->run set). */
void deid_pass_run_words(text_scan *s);
/* at_text_deid_detect that also notes its document's words into acc. */
at_status text_deid_detect_collect(const at_text_deid *d, const char *text, size_t len, at_text_spans *out,
                                   text_run_acc *acc);

#endif
