/* Internal to src/deid: what the door knows to be safe in a retained value
 * (docs/deid.md, "Known safe words"): the generated vocabulary
 * (vocab_table.c, scripts/gen-deid-vocabulary), the code string terms, the
 * DCM code values; the word scan (vocab.c) and the rules for code items and
 * code strings (codes.c). */
#ifndef ATELIER_DEID_VOCAB_H
#define ATELIER_DEID_VOCAB_H

#include "atelier/deid.h"
#include "deid/internal.h"

extern const unsigned char at_deid_vocab_blob[];
extern const size_t at_deid_vocab_blob_size;
extern const uint32_t at_deid_vocab_blocks[];
extern const size_t at_deid_vocab_block_count;
extern const char *const at_deid_cs_terms[];
extern const size_t at_deid_cs_term_count;
extern const char *const at_deid_dcm_codes[];
extern const size_t at_deid_dcm_code_count;
extern const char *const at_deid_ucum_codes[];
extern const size_t at_deid_ucum_code_count;

enum { AT_DEID_TIER_TECHNICAL = 1, AT_DEID_TIER_GENERAL = 2 };

/* The tier of a folded word w[0..n) (ASCII a-z): AT_DEID_TIER_TECHNICAL
 * (known in both tiers), AT_DEID_TIER_GENERAL (general only), 0 unknown. */
int at_deid_vocab_tier(const char *w, size_t n);
/* 1 when the word is known in the tier asked (technical words are known in
 * the general tier too). */
int at_deid_vocab_known(const char *w, size_t n, int tier);
/* 1 when v[0..n) is a code string term (compared without regard to case). */
int at_deid_cs_term_known(const char *v, size_t n);
/* 1 when v[0..n) is a code value of the DCM coding scheme. */
int at_deid_dcm_code_known(const char *v, size_t n);
/* 1 when v[0..n) is a UCUM unit of the standard's tables (g/ml{SUVbw}). */
int at_deid_ucum_code_known(const char *v, size_t n);

/* The words of utf8[0..n) that are not known safe in tier, appended to out
 * as byte ranges (docs/deid.md, "Known safe words"): a word of letters the
 * vocabulary does not know (whole, or each part of a camel-case word), a
 * word mixing scripts or written in a script other than Latin, a word
 * glued by invisible format characters, a letters-and-digits token with
 * more than 4 digits or an unknown letter part, a number after an
 * identifier's label (lot, batch, n°, serial, ...). Single letters and
 * plain numbers stay (numbers are the shapes' business). */
at_status at_deid_scan_words(const char *utf8, size_t n, int tier, at_deid_ranges *out);

/* A code string value v[0..n) (one value, no backslash) is known safe: it
 * has the code string shape (letters, digits, space, underscore; at most
 * 16) and is a defined term, or each of its words (split at spaces,
 * underscores and between letters and digits) is a technical word, a single
 * letter or a number of at most 4 digits. Lower case is accepted. */
int at_deid_cs_value_known(const char *v, size_t n);

/* 1 when value is a code of the coding scheme designator that the table of
 * recognised schemes knows and has that scheme's form. */
int at_deid_code_value_known(const char *designator, const char *value);
/* The rules of a code item (ds holds a Code Value, a designator, ...):
 * a code value (short, long, URN) kept only under a recognised scheme and
 * with its form, else a keyed pseudonym ("C" + 12 base32, "urn:atelier:C...")
 * and the designator a keyed private one ("99" + 12 base32); a version kept
 * only for a kept recognised code and in digits and dots; a mapping resource
 * only DCMR or SDM; a context or template identifier only digits; others
 * removed. *replaced counts the values replaced or removed. AT_ERR_NOMEM. */
at_status at_deid_code_item(const at_key *key, at_dcm_dataset *ds, size_t *replaced);
/* A code string element: each value that at_deid_cs_value_known refuses
 * becomes a keyed pseudonym ("X" + 12 base32: the same value gives the same
 * pseudonym, so references by label hold). *replaced counts them. */
at_status at_deid_code_string(const at_key *key, at_dcm_element *el, size_t *replaced);

#endif
