/* Internal: the generated PS3.15 Table E.1-1 (src/deid/profile_table.c). */
#ifndef ATELIER_DEID_PROFILE_TABLE_H
#define ATELIER_DEID_PROFILE_TABLE_H

#include "atelier/deid.h"

typedef struct {
    at_tag tag;          /* value bits */
    at_tag mask;         /* bits that must match: 0xffffffff for an exact tag */
    const char *name;    /* attribute name */
    const char *code;    /* action in the standard: "X", "X/Z/D", ... */
    char basic;          /* resolved basic action: X Z D U */
    const char *options; /* AT_DEID_OPTION_COLUMNS chars: '-', 'K' or 'C' */
} at_deid_profile_row;

extern const at_deid_profile_row at_deid_profile_rows[];
extern const size_t at_deid_profile_row_count;
extern const at_deid_profile_row at_deid_profile_wildcards[];
extern const size_t at_deid_profile_wildcard_count;
extern const char at_deid_table_edition[];

#endif
