/* A set of words indexed for the de-identifier's passes (deid_pipeline.c
 * builds and reads it; deid_scan.h includes it). */
#ifndef ATELIER_TEXT_WORD_INDEX_H
#define ATELIER_TEXT_WORD_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* A NULL-ended set of folded words (static: it never changes) indexed by
 * their first byte: where the first and the last of them stand in the
 * set and the lengths they have (bit n; bit 31 for 31 bytes or more).
 * Built once by text_word_index_build (under the user's pthread_once): a
 * word whose first byte and length no word of the set has is out at one
 * look, and the others are compared with the words of their first byte
 * only (deid_pipeline.c). */
#define TEXT_WORD_SLOTS 1024 /* a power of two; a set of at most half as many words is hashed */
typedef struct {
    const char *const *set;
    uint16_t first[256], end[256]; /* end: after the last */
    uint32_t lens[256];
    /* the words by a hash of their bytes after the first and their
     * length (1 + their index, 0 empty), when hashed: a word is then
     * found at once, not compared with each word of its first byte (an
     * index is written {.set = words}: the rest is built) */
    uint16_t slot[TEXT_WORD_SLOTS];
    int hashed;
} text_word_index;
void text_word_index_build(text_word_index *x);
/* The folded word w (n >= 1 bytes) is one of x's set. */
int text_word_index_has(const text_word_index *x, const char *w, size_t n);

#endif
