/* Internal to the de-identifier: tokens, the detector and the raw-text
 * pattern scanners (phones, NIR, dates, e-mails). */
#ifndef ATELIER_TEXT_DEID_INTERNAL_H
#define ATELIER_TEXT_DEID_INTERNAL_H

#include "lexicon.h"

enum { TOK_WORD = 1, TOK_NUM = 2, TOK_PUNCT = 3 };
/* Words the passes test by their folded form (set with the look-up);
 * below 3, never a sign's byte (is_punct reads the special alone). */
enum { TOK_SPECIAL_CEDEX = 1, TOK_SPECIAL_NE = 2 /* "né" or "née" */ };

typedef struct {
    uint32_t s, e;   /* byte range */
    uint8_t kind;    /* TOK_* */
    uint8_t cap;     /* first letter upper case */
    uint8_t allcaps; /* every letter upper case, at least 2 letters */
    uint8_t nl;      /* a line break between the previous token and this one */
    uint8_t sp;      /* white space between the previous token and this one */
    uint8_t special; /* TOK_SPECIAL_* of a looked-up word; a punctuation
                        token's first byte; else 0 */
    uint16_t key;    /* a word's text_pair_key, TOK_KEY_ANY when one of its
                        first two bytes is not ASCII; 0 for other tokens */
    uint32_t fh;     /* low bits of the folded word's hash (0 when not folded) */
    uint16_t lex;    /* LEX_* kinds of the folded word (lexicon.h), 0 unknown */
    uint16_t aux;    /* TOK_AUX_* bits set by the passes after tokenising */
    unsigned dflags; /* dictionary flags of the folded word */
    int16_t dval;    /* dictionary value (month number, label) */
    uint16_t line;   /* line number in the chunk (saturates at 65535) */
} text_tok;

/* text_tok.aux */
enum {
    TOK_AUX_SAFE = 1 /* explained as safe by its context (allow-list) */,
    TOK_AUX_SENT = 2 /* starts a sentence */,
    TOK_AUX_LOOKED = 4 /* the tokeniser looked the whole token up: dflags is its dictionary's answer */,
    TOK_AUX_DIGIT = 8 /* an ASCII digit among its bytes (set by the tokeniser) */,
    /* a word of seven bytes at most, not in capitals, that is a function
     * word of the languages of letters from abroad, or of French
     * (deid_function_word: set by the tokeniser) */
    TOK_AUX_FN_ABROAD = 16,
    TOK_AUX_FN_FRENCH = 32,
    /* a word with a '-' among its bytes (set by the tokeniser: a word
     * holds one only where it joined two parts, "Saint-Malo"; the passes
     * look for one there alone) */
    TOK_AUX_HYPHEN = 64,
    /* a word that deid_number_word_tok gives 1 (a number word) or 2
     * ("et"): set by the tokeniser, which asks every word once */
    TOK_AUX_NUMBER_WORD = 128,
    TOK_AUX_NUMBER_ET = 256
};

/* The key of a word from its first two bytes a and b (b 0 for a word of
 * one byte): their low five bits, so that "Tr", "TR" and "tr" share one
 * key, and two ASCII letters never give 0. */
static inline unsigned text_pair_key(unsigned a, unsigned b)
{
    return (a & 0x1Fu) << 5 | (b & 0x1Fu);
}
#define TOK_KEY_ANY 0xFFFFu

/* A field of the patient's identity as its skeleton: folded letters and
 * digits only, found in the text whatever the spaces, dots, dashes, case
 * and accents between them (deid_patient.c). */
#define PAT_MAX_SKEL 24
#define PAT_SKEL_LEN 96
typedef struct {
    char s[PAT_SKEL_LEN];
    uint8_t n, label, need_cap; /* need_cap: the first token must be capitalised */
} pat_skel;

struct text_tagger;
/* The words of a run's documents (deid_runwords.c). */
#define TEXT_RUN_MAX_WORDS 4096
typedef struct text_run_words text_run_words;
typedef struct text_run_acc text_run_acc;

struct at_text_deid {
    text_dict dict;
    text_lexicon lex;           /* Debian's word lists and data/text (lexicon.h) */
    struct text_tagger *tagger; /* the learned tagger, NULL when none (tagger.h) */
    int allow_list;             /* 1: the allow-list pass runs (the default) */
    /* bit (h & 4095) set for the folded hash h (as text_tok.fh) of a known
     * employer's first word, and those hashes (deid_known_employers.c),
     * set by at_text_deid_new */
    uint64_t employer_keys[64];
    uint32_t employer_fh[64];
    /* bit (h & 1023) set for the folded hash h of a region's word
     * (deid_region_orgs.c), set by at_text_deid_new */
    uint64_t region_keys[16];
    /* the patient's identity, folded */
    int have_patient;
    text_dict patdict; /* the patient's names, folded */
    /* (folded length < 32, first byte) pairs of the trigger words: a
     * lower-case token outside this set needs no dictionary look-up */
    uint32_t lower_mask[256];
    char pat_ipp[64];
    int pat_birth;                   /* YYYYMMDD, 0 when unknown */
    pat_skel pat_skel[PAT_MAX_SKEL]; /* NIR, phone, e-mail, address, postcode, commune */
    int pat_nskel;
    text_run_words *run; /* the run's words (at_text_deid_set_run_words), NULL when none */
    /* a number no other detector state shares, new with every change of
     * what the tokeniser's look-ups read (the dictionary, the lexicon, the
     * lower-case mask, the tagger): the key of its thread cache */
    uint64_t look_gen;
    /* training the extension (deid_extend.c): where deid_pass_extend
     * records its samples instead of deciding, NULL when detecting */
    struct text_ext_collect *ext_collect;
};
/* A fresh at_text_deid.look_gen (never 0). */
uint64_t deid_look_gen_next(void);

/* The head words of establishments and organisations (NULL-ended, folded;
 * kind 1 health, 2 other; lower: the head belongs to the entity in lower
 * case too), the generic words that describe one without naming it, and
 * the words after which a number is no one's (deid_phrase.c). */
enum { HEAD_HEALTH = 1, HEAD_ORG = 2 };
typedef struct {
    const char *w;
    unsigned char kind, lower;
    unsigned char caps; /* 1: written in capitals or capitalised only (an acronym, a
                         * short common word): the tokeniser looks it up in no lower case */
} text_org_head;
extern const text_org_head text_org_heads[];
extern const char *const text_org_descriptors[];
extern const char *const text_notid_words[];
extern const char *const text_greetings[];

/* The tokeniser's rare trigger words (deid_triggers.c): the code of the
 * folded word f (fl bytes; cap: written capitalised), 0 for most words,
 * 1 an occupational word, 2 a place field's (capitalised), 3 a unit's,
 * 4 a region's (capitalised; the sets are disjoint: a word has one
 * code); and whether the n bytes at w are a word a door code opens with
 * ("code", "digicode", "digicodes", "interphone", in any case:
 * deid_pass_lists' door_word). */
unsigned deid_trigger_code(const char *f, size_t fl, int cap);
int deid_door_word_bytes(const unsigned char *w, size_t n);

/* Raw scanners: return the end offset of a match starting at s, or 0. */
size_t text_scan_phone(const char *t, size_t len, size_t s);
/* The same with the OCR's letters for digits (O, o, l, I) among at least
 * six digits ("02 96 37 l2 OO"). */
size_t text_scan_phone_ocr(const char *t, size_t len, size_t s);
/* text_scan_phone, else text_scan_phone_ocr. */
size_t text_scan_phone_or_ocr(const char *t, size_t len, size_t s);
size_t text_scan_nir(const char *t, size_t len, size_t s);
/* Numeric date at s; *ymd receives YYYYMMDD (year 0 when absent). */
size_t text_scan_date_numeric(const char *t, size_t len, size_t s, int *ymd);
/* The year a date's two digits write: 31 .. 99 the 1900s, 00 .. 30 the
 * 2000s. */
static inline int text_year_of_two(int yy)
{
    return yy + (yy > 30 ? 1900 : 2000);
}
size_t text_scan_email_end(const char *t, size_t len, size_t at);
size_t text_scan_email_start(const char *t, size_t at);

/* Decimal value of n digits at p. */
static inline int atoi_n(const char *p, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n && i < 9; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* A word folded as at_text_fold does, with the typographic apostrophe
 * (U+2019) written ' so that "d’Ormesson" and "d'Ormesson" are one word
 * (deid.c). Returns the length, -1 when it does not fit in cap. */
int text_fold_word(const char *s, size_t n, char *out, size_t cap);

/* Month number for a folded month word (0 when not a month). */
int text_month_of(const char *folded, size_t n);

/* Days since 1970-01-01 of a civil date and back. */
long text_days_from_civil(int y, int m, int d);
void text_civil_from_days(long z, int *y, int *m, int *d);

/* Date surrogates (surrogate_date.c). Days since 1970 of a date span that
 * has a year ("mars 2024" as its 15th) into *z: 1, else 0. */
int text_date_full_days(const char *s, size_t n, long *z);
/* Write date span s shifted by days, in its own writing; a date without a
 * year is taken in the year that puts it nearest *ref (NULL: as in 2001).
 * 0 when the writing is not understood (nothing written), else 1 with
 * *st the status of the write. */
int text_date_put(at_buf *out, const char *s, size_t n, int days, const long *ref, at_status *st);

/* Dates in words, OCR'd and weekday-prefixed (date_words.c). */
enum { TEXT_DATE_NONE, TEXT_DATE_WORDS, TEXT_DATE_OCR, TEXT_DATE_REST };
typedef struct {
    int style;   /* TEXT_DATE_*: REST is a weekday and a date of another writing */
    int y, m, d; /* y 0: no year */
    int have_day, weekday;
    char sep;        /* of an OCR'd date */
    int pad;         /* its day and month written with two digits each ("20/02") */
    size_t rest_off; /* after the weekday */
} text_alt_date;
/* Value of a folded number word ("vingt" 20, "mil" 1000), -1 when none. */
int text_number_word(const char *f, size_t n);
/* 0 when no number word (nor "et") of n letters opens with the lower-case
 * ASCII letters a and b: text_number_word's answer to a word that folds
 * to such letters is then -1 without looking. (The lengths, bit n, of
 * the number words by their first two letters: date_words.c.) */
extern const uint16_t text_number_word_lengths[26][26];
/* 1 at the text_pair_key of each first two letters of a number word (a
 * token's key, text_tok.key, rules it out at one look-up). */
extern const uint8_t text_number_word_keys[1024];
static inline unsigned text_number_word_lengths_of(unsigned a, unsigned b)
{
    return a - 'a' < 26u && b - 'a' < 26u ? text_number_word_lengths[a - 'a'][b - 'a'] : 0;
}
static inline int text_number_word_may(unsigned a, unsigned b, size_t n)
{
    return n <= 9 && (text_number_word_lengths_of(a, b) >> n & 1);
}
/* The value of folded tokens of number words (each split at hyphens;
 * "et" between): 1 and *value, else 0. */
int text_number_words_value(const char *const *words, const size_t *lens, size_t count, int *value);
/* 1..7 for lundi..dimanche (folded), else 0. */
int text_weekday_of(const char *f, size_t n);
/* 1..7 for the abbreviations lun..dim (folded, written with a dot after
 * them: "mer. 5 févr."), else 0. */
int text_weekday_abbr(const char *f, size_t n);
/* An English weekday's abbreviation, folded ("thu" of a mail's "Thu, 26
 * Nov 2026"): 1, else 0. */
int text_weekday_abbr_en(const char *f, size_t n);
int text_date_alt_parse(const char *s, size_t n, text_alt_date *out);
at_status text_date_alt_write(at_buf *b, const text_alt_date *a, const char *s, size_t n, int y, int m,
                              int d);
int text_date_alt_put(at_buf *out, const char *s, size_t n, int days, const long *ref, at_status *st,
                      int (*put)(at_buf *, const char *, size_t, int, const long *, at_status *),
                      long (*yearless)(int, int, const long *));

/* The field of p named by a --patient-info key of kl bytes (folded:
 * "Prénom" = "prenom"), NULL when the key is unknown. */
char **text_patient_field(at_text_patient *p, const char *key, size_t kl);
/* One patient's "key: value" lines (len bytes of data; path names them in
 * errors) into p (on error p is freed). */
at_status text_patient_parse(const char *path, const char *data, size_t len, at_text_patient *p);
/* Set that field to a copy of v (n bytes); a birth date must be a date. */
at_status text_patient_set(at_text_patient *p, char **slot, const char *v, size_t n);

/* The start of a weekday written just before a date span at start (at
 * or after pos: "samedi 7 juin", "mer. 5 févr."), which pseudonymisation
 * rewrites with the date; start when none (surrogate_date.c). */
size_t text_weekday_before(const char *text, size_t pos, size_t start);
/* The unit written after an age over 89, " ans", " an" or " a)", as bytes
 * of p (n of them, at most lim up to the next span): 0 when none
 * (surrogate.c). An AGE span covers it, as the rewriting does. */
size_t text_age_unit_len(const char *p, size_t n, size_t lim);

/* The list a label's surrogates are drawn from (NOM, PRENOM: female/male
 * pairs, VILLE, ADRESSE: streets, HOPITAL) and its length in *n; NULL for
 * the other labels (surrogate.c; for tests). */
const char *const *text_surrogate_list(int label, size_t *n);

/* The pools of keyed surrogates (surrogate_pools.c) and their sizes. */
extern const char *const text_sur_last[];
extern const size_t text_sur_last_n;
extern const char *const text_sur_first[];
extern const size_t text_sur_first_n;
/* The shapes of a name's words (surrogate_words.c): a first name that
 * ends as a woman's; the bytes of one UTF-8 character; the bytes of the
 * name word at s; a scan's reading of w into r (its capitals, -1 none);
 * a surname's particle; initials, not a name. */
int text_sur_looks_female(const char *s, size_t n);
size_t text_sur_char_len(const char *s, size_t n);
size_t text_sur_name_word(const char *s, size_t n);
int text_sur_ocr_reading(const char *w, size_t n, char *r);
int text_sur_is_particle(const char *s, size_t n);
int text_sur_initials(const char *w, size_t n);
extern const char *const text_sur_city[];
extern const size_t text_sur_city_n;
extern const char *const text_sur_street[];
extern const size_t text_sur_street_n;
extern const char *const text_sur_hosp[];
extern const size_t text_sur_hosp_n;

/* Bytes of the no-break space at p (U+00A0 or the narrow U+202F of French
 * typography), 0 when p holds another character. */
static inline size_t deid_nbsp_len(const unsigned char *p, size_t left)
{
    if (p[0] == 0xC2)
        return left > 1 && p[1] == 0xA0 ? 2 : 0;
    return left > 2 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF ? 3 : 0;
}

#endif
