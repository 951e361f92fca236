/* Internal: the de-identifier's large lexicon, the allow-list's and the
 * tagger's view of a word. One compact open-addressing table of 32-bit
 * entries (a 20-bit fingerprint of the folded word's hash and 12 bits of
 * kinds), filled from Debian's word lists read at run time
 * (/usr/share/dict/french from wfrench, /usr/share/hunspell/fr.dic from
 * hunspell-fr: its po:prn, po:patr and po:npr tags give first names,
 * surnames and proper nouns) and from the project's lists in data/text. */
#ifndef ATELIER_TEXT_LEXICON_H
#define ATELIER_TEXT_LEXICON_H

#include "dict.h"

enum {
    LEX_WORD = 1,  /* a word of the language (wfrench, hunspell common words, mots_communs) */
    LEX_FIRST = 2, /* a first name (hunspell po:prn, prenoms.txt) */
    LEX_LAST = 4,  /* a surname (hunspell po:patr, noms.txt) */
    LEX_PLACE = 8, /* a proper noun of place or other (hunspell po:npr, communes.txt) */
    LEX_MED =
        16, /* medical vocabulary: drugs, genes, protocols, scores, units (medical.txt, medicaments.txt) */
    LEX_EPONYM = 32,    /* eponym (eponymes.txt) */
    LEX_CITY = 64,      /* a commune of communes.txt */
    LEX_STREET = 128,   /* a street or place word (rue, lieu-dit, résidence, ferme ...) */
    LEX_ORG = 256,      /* an establishment word (institut, laboratoire, société ...) */
    LEX_KIN = 512,      /* a relative or staff word (fils, épouse, interne, IDE ...) */
    LEX_CUE_ID = 1024,  /* a record-number or account label (réf, dossier, IBAN, adhérent ...) */
    LEX_CUE_EMP = 2048, /* an employer cue (chez, employeur, salarié, ouvrier ...) */
    LEX_MASK = 0xFFF,
    /* (on a token, beside LEX_MED: a word the tagger's model learned as
     * safe from annotated KEEP strings, no list's; not stored in the
     * lexicon) */
    LEX_LEARNED = 4096
};

/* The cue words of the late rule passes (deid_extra.c), NULL-ended. */
extern const char *const text_cue_id_words[];
extern const char *const text_cue_account_words[];
extern const char *const text_cue_employer_words[];
extern const char *const text_cue_job_words[];

#define LEX_MAX_WORD 64 /* bytes of a folded word that is looked up */

/* Folded word f (n bytes) in the lists of English, German, Italian and
 * Spanish (Debian's, read the first time one is asked; text_lexicon_load
 * fails naming the package when one is missing): LEX_WORD for a
 * word of those languages written in lower case, LEX_ORG for a German
 * noun (capitalised, with its plural or case endings in the list); 0
 * when none holds it. */
unsigned text_lexicon_foreign(const char *f, size_t n);

typedef struct {
    uint32_t *slot; /* fingerprint << 12 | kinds; 0 empty */
    size_t mask;    /* slots - 1 */
    size_t n;
} text_lexicon;

/* The fingerprint of hash h (never 0). */
static inline uint32_t lex_fp(uint64_t h)
{
    uint32_t f = (uint32_t)(h >> 40) & 0xFFFFFu;
    return f ? f : 1;
}

/* Kinds of the word whose text_dict_hash_padded is h (0 when unknown). */
static inline unsigned lex_get(const text_lexicon *x, uint64_t h)
{
    if (!x->slot)
        return 0;
    uint32_t fp = lex_fp(h);
    for (size_t i = (size_t)h & x->mask;; i = (i + 1) & x->mask) {
        uint32_t e = x->slot[i];
        if (!e)
            return 0;
        if (e >> 12 == fp)
            return e & LEX_MASK;
    }
}

/* The lexicon of a detector: Debian's lists (read once per process and
 * shared) and the lists of dict_dir (data/text). AT_ERR_IO naming the
 * Debian package when a list is missing. Owned (text_lexicon_free). */
at_status text_lexicon_load(const char *dict_dir, text_lexicon *x);
void text_lexicon_free(text_lexicon *x);
/* Kinds of the folded word f (n bytes). */
unsigned text_lexicon_get(const text_lexicon *x, const char *f, size_t n);
/* Fold word s (n bytes) as the tokeniser does (lower case, accents off,
 * ’ as '), zero-padded to the next multiple of 8 for hashing: its length,
 * or -1 when it does not fit in cap (cap >= n + 16 always fits). */
int text_lexicon_fold(const char *s, size_t n, char *f, size_t cap);

#endif
