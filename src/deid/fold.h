/* Internal to src/deid: text folded for matching identifiers, written in the
 * door (no libutf8proc: the `atelier` front program links only libsodium,
 * cJSON and zlib). docs/deid.md, "Scanning retained text". */
#ifndef ATELIER_DEID_FOLD_H
#define ATELIER_DEID_FOLD_H

#include "atelier/core.h"

typedef struct {
    uint32_t cp;     /* a letter of Latin, Greek, Cyrillic or the full-width forms */
    const char *out; /* UTF-8 of its folded form (lower case, no accent) */
} at_deid_fold_row;

extern const at_deid_fold_row at_deid_fold_rows[];
extern const size_t at_deid_fold_row_count;

enum { AT_FOLD_OTHER = 0, AT_FOLD_LETTER = 1, AT_FOLD_DIGIT = 2, AT_FOLD_MARK = 3, AT_FOLD_FORMAT = 4 };

/* Text folded two ways, each byte of each mapped back to the character of
 * the source UTF-8 it came from ([from, to) byte offsets):
 * - compact: letters and digits only (lower case, accents stripped, NFC and
 *   NFD alike, ligatures spelt out); every separator (space, dot, dash,
 *   slash, apostrophe, ...) dropped: "Müller-Lefèvre" and "MULLER LEFEVRE"
 *   both give "mullerlefevre", "01 23.45-67 89" gives "0123456789";
 * - spaced: the same letters and digits, each run of separators kept as its
 *   first ASCII punctuation character, or one space (for the shape rules:
 *   dates, phones, titles). */
typedef struct {
    char *compact;
    size_t *cfrom, *cto; /* per compact byte */
    size_t ncompact;
    char *spaced;
    size_t *sfrom, *sto; /* per spaced byte */
    size_t nspaced;
} at_deid_folded;

/* Fold n bytes of UTF-8 (invalid bytes are separators). Owned by out
 * (at_deid_folded_free). AT_ERR_NOMEM on allocation failure. */
at_status at_deid_fold(const char *s, size_t n, at_deid_folded *out);
void at_deid_folded_free(at_deid_folded *f);
/* Fold a short value into its compact form (letters and digits only);
 * returns the length written (at most cap - 1, NUL added). */
size_t at_deid_fold_compact(const char *s, size_t n, char *out, size_t cap);
/* Class of the source character at byte offset i of s (UTF-8). */
int at_deid_fold_class(const char *s, size_t n, size_t i);
/* The character at byte offset i of s[0..n): its code point and length,
 * and its class: AT_FOLD_LETTER or AT_FOLD_DIGIT (its folded form written to
 * buf, *out bytes), AT_FOLD_MARK (a combining mark), AT_FOLD_FORMAT (an
 * invisible format character: soft hyphen, zero-width space and joiners,
 * bidirectional controls, word joiner, BOM) or AT_FOLD_OTHER (a separator,
 * NUL, an invalid byte). */
int at_deid_fold_char_at(const char *s, size_t n, size_t i, uint32_t *cp, size_t *len, char buf[8],
                         size_t *out);
/* Offset of the start of the character before offset i, or (size_t)-1. */
size_t at_deid_fold_prev(const char *s, size_t i);

#endif
