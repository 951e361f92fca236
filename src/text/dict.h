/* Internal: folded-word dictionaries of the de-identifier (open addressing
 * hash set, keys folded with at_text_fold, a bit set of kinds per word). */
#ifndef ATELIER_TEXT_DICT_H
#define ATELIER_TEXT_DICT_H

#include "atelier/text.h"

#include <string.h>

enum {
    DICT_FIRST = 1,     /* first name */
    DICT_LAST = 2,      /* surname */
    DICT_COMMON = 4,    /* common French word */
    DICT_EPONYM = 8,    /* eponym (disease, score, sign) */
    DICT_CITY = 16,     /* commune */
    DICT_MONTH = 32,    /* month name */
    DICT_TITLE = 64,    /* M., Mme, Dr ... */
    DICT_HOSP = 128,    /* hospital trigger word */
    DICT_STREET = 256,  /* street type word */
    DICT_EPOTRIG = 512, /* noun introducing an eponym (maladie, score) */
    DICT_PATLAST = 1024,
    DICT_PATFIRST = 2048,
    DICT_BIRTH = 4096,      /* né, née, naissance */
    DICT_IDLABEL = 8192,    /* IPP, NDA, RPPS, FINESS, NIR label; value = label */
    DICT_FIELD = 16384,     /* "Nom", "Prénom", "Médecin": value 1 any, 2 last, 3 first */
    DICT_RESID = 32768,     /* demeurant, domicilié ... */
    DICT_PARTICLE = 65536,  /* Le, Da, De, Van in surnames */
    DICT_CONNECT = 131072,  /* de, du, sur ... inside place names */
    DICT_HOSPQUAL = 262144, /* hospitalier, universitaire ... */
    DICT_ROLE = 524288,     /* IDE, interne ... written after a name */
    DICT_HEAD = 1 << 20,    /* heads an establishment or organisation (deid_phrase.c); value: its entry + 1 */
    DICT_DESCR = 1 << 21,   /* describes an establishment without naming it ("national", "santé") */
    DICT_NOTID = 1 << 22,   /* a number after it is no one's (lot, EudraCT, essai, protocole ...) */
    DICT_GREET = 1 << 23    /* a greeting before a first name (bonjour, merci, cher ...) */
};

typedef struct {
    uint32_t flags;
    int32_t value; /* month number, ... */
    uint32_t klen;
    uint32_t koff; /* key offset in the pool */
} text_dict_entry;

/* The probe touches only the dense hash array (0: empty slot); an entry and
 * its key (in one pool, each zero-padded to a multiple of 8 bytes) are read
 * on a hash match only. */
typedef struct {
    uint64_t *hash;
    text_dict_entry *ent;
    char *pool;
    size_t pool_len, pool_cap;
    size_t cap, n;
} text_dict;

/* Latin-1 supplement letters U+00C0..U+00FF folded to ASCII as at_text_fold
 * folds them ("" for the multiplication and division signs). */
extern const char text_latin1_fold[64][3];

/* Hash of a folded key of n bytes, fed 8 bytes at a time (the last word
 * zero-padded): init, one step per word, final. */
static inline uint64_t text_dict_hash_init(size_t n)
{
    return 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
}
static inline uint64_t text_dict_hash_step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 32);
}
static inline uint64_t text_dict_hash_final(uint64_t h)
{
    return (h ^ (h >> 29)) | (uint64_t)1 << 63;
}

/* The hash of a key stored in a buffer that is readable and zero from n up
 * to the next multiple of 8. */
static inline uint64_t text_dict_hash_padded(const char *s, size_t n)
{
    uint64_t h = text_dict_hash_init(n);
    for (size_t i = 0; i < n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = text_dict_hash_step(h, w);
    }
    return text_dict_hash_final(h);
}

at_status text_dict_init(text_dict *d, size_t cap_pow2);
void text_dict_free(text_dict *d);
/* Add folded key with flags (or-ed into an existing entry). */
at_status text_dict_add(text_dict *d, const char *folded, size_t n, unsigned flags, int value);
/* Flags of the folded key (0 when absent); *value when non-NULL. */
unsigned text_dict_get(const text_dict *d, const char *folded, size_t n, int *value);
/* The same for a key padded as text_dict_hash_padded wants, with its hash. */
static inline unsigned text_dict_get_hashed(const text_dict *d, const char *folded, size_t n, uint64_t h,
                                            int *value)
{
    if (n == 0 || !d->cap)
        return 0;
    size_t mask = d->cap - 1, i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        uint64_t sh = d->hash[i];
        if (!sh)
            return 0;
        if (sh != h || d->ent[i].klen != n)
            continue;
        const char *k = d->pool + d->ent[i].koff;
        size_t j = 0;
        for (; j < n; j += 8) {
            uint64_t a, b;
            memcpy(&a, k + j, 8);
            memcpy(&b, folded + j, 8);
            if (a != b)
                break;
        }
        if (j >= n)
            break;
    }
    if (value)
        *value = d->ent[i].value;
    return d->ent[i].flags;
}
/* Rebuild the table at the smallest size that keeps it at most a third
 * full (for look-ups after the last add; the contents are unchanged). */
at_status text_dict_compact(text_dict *d);
/* Load a one-entry-per-line file (# comments; "name;zip" keeps the name). */
at_status text_dict_load_file(text_dict *d, const char *path, unsigned flags);

#endif
