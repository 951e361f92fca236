/* Internal: the generated allow-list (src/deid/allow_table.c, from
 * data/deid/allowlist.txt by scripts/gen-deid-table). */
#ifndef ATELIER_DEID_ALLOW_TABLE_H
#define ATELIER_DEID_ALLOW_TABLE_H

#include "atelier/deid.h"

typedef struct {
    at_tag tag;            /* public attribute, not a row of Table E.1-1 */
    char action;           /* 'K' kept, 'N' kept if a number, 'W' kept word by word (general
                            * vocabulary), 'C' checked by the coding-scheme rules, 'D' dummy
                            * (Type 1), 'Z' empty (Type 2) */
    unsigned option;       /* AT_DEID_OPT_ flag the entry needs, 0 for none */
    unsigned short module; /* index into at_deid_allow_modules */
    const char *keyword;   /* PS3.6 keyword */
} at_deid_allow_row;

typedef struct {
    uint16_t group;
    uint8_t element; /* low byte within the creator's block */
    const char *creator;
    const char *kind;  /* "is", "ds", "cs", "fd", "fl" */
    int count;         /* values: at most (is, ds) or exactly (fd, fl) */
    double min, max;   /* numeric range */
    const char *codes; /* cs: "A|B|C" */
} at_deid_private_row;

/* A recognised coding scheme: its designator and the pattern its code
 * values must match (codes.c: named checks sctid, loinc, ucum, dcm, or
 * '|'-separated alternatives of atoms 9 digit, A capital, X capital or
 * digit, any other character itself, each with an optional {m,n}). */
typedef struct {
    const char *designator;
    const char *pattern;
} at_deid_scheme_row;

extern const char *const at_deid_allow_modules[];
extern const size_t at_deid_allow_module_count;
extern const at_deid_allow_row at_deid_allow_rows[];
extern const size_t at_deid_allow_row_count;
extern const at_deid_private_row at_deid_private_rows[];
extern const size_t at_deid_private_row_count;
extern const at_deid_scheme_row at_deid_scheme_rows[];
extern const size_t at_deid_scheme_row_count;

/* The allow-list row of tag, or NULL. */
const at_deid_allow_row *at_deid_allow_find(at_tag tag);

#endif
