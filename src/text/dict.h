/* Internal: folded-word dictionaries of the de-identifier (open addressing
 * hash set, keys folded with at_text_fold, a bit set of kinds per word). */
#ifndef ATELIER_TEXT_DICT_H
#define ATELIER_TEXT_DICT_H

#include "atelier/text.h"

enum {
    DICT_FIRST = 1,   /* first name */
    DICT_LAST = 2,    /* surname */
    DICT_COMMON = 4,  /* common French word */
    DICT_EPONYM = 8,  /* eponym (disease, score, sign) */
    DICT_CITY = 16,   /* commune */
    DICT_MONTH = 32,  /* month name */
    DICT_TITLE = 64,  /* M., Mme, Dr ... */
    DICT_HOSP = 128,  /* hospital trigger word */
    DICT_STREET = 256,/* street type word */
    DICT_EPOTRIG = 512,/* noun introducing an eponym (maladie, score) */
    DICT_PATLAST = 1024,
    DICT_PATFIRST = 2048,
    DICT_BIRTH = 4096,   /* né, née, naissance */
    DICT_IDLABEL = 8192, /* IPP, NDA, RPPS, FINESS, NIR label; value = label */
    DICT_FIELD = 16384,  /* "Nom", "Prénom", "Médecin": value 1 any, 2 last, 3 first */
    DICT_RESID = 32768,  /* demeurant, domicilié ... */
    DICT_PARTICLE = 65536, /* Le, Da, De, Van in surnames */
    DICT_CONNECT = 131072, /* de, du, sur ... inside place names */
    DICT_HOSPQUAL = 262144, /* hospitalier, universitaire ... */
    DICT_ROLE = 524288      /* IDE, interne ... written after a name */
};

typedef struct {
    char **keys;
    uint32_t *klen;
    unsigned *flags;
    int *value; /* month number, ... */
    size_t cap, n;
} text_dict;

at_status text_dict_init(text_dict *d, size_t cap_pow2);
void text_dict_free(text_dict *d);
/* Add folded key with flags (or-ed into an existing entry). */
at_status text_dict_add(text_dict *d, const char *folded, size_t n, unsigned flags, int value);
/* Flags of the folded key (0 when absent); *value when non-NULL. */
unsigned text_dict_get(const text_dict *d, const char *folded, size_t n, int *value);
/* Load a one-entry-per-line file (# comments; "name;zip" keeps the name). */
at_status text_dict_load_file(text_dict *d, const char *path, unsigned flags);

#endif
