/* Internal to the number classes (deid_numclass.c: dates with English or
 * abbreviated months, days and months without a year, international
 * phones, postcodes, ages in tables, codes; deid_numocr.c: OCR'd digits;
 * deid_numcodes.c: postcodes, ages in tables, codes; deid_numtails.c:
 * the tails of record numbers after the tagger): the
 * helpers they share. */
#ifndef ATELIER_TEXT_DEID_NUMCLASS_H
#define ATELIER_TEXT_DEID_NUMCLASS_H

#include "deid_scan.h"

#include <string.h>

static inline size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

static inline int is_dig(char c)
{
    return c >= '0' && c <= '9';
}

static inline int is_alnum_c(char c)
{
    return is_dig(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

static inline char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* deid_numclass.c: a month's token (English or French, full or short;
 * *full: written in full), a token glued to the one before, a date over
 * tokens [a, e) (a birth date by its context), the month after day i. */
int nc_month_tok(const text_scan *s, size_t i, int *full);
int nc_glued(const text_scan *s, size_t i);
void nc_mark_date(text_scan *s, size_t a, size_t e);
void nc_month_before(text_scan *s, size_t i);
/* deid_numocr.c: token i mixes digits with the OCR's letters for them;
 * the OCR'd number from token q; an OCR'd month and year from q; bytes
 * of tokens [i, e) labelled. */
int nc_ocr_mixed(const text_scan *s, size_t i);
void nc_ocr_at(text_scan *s, size_t q);
void nc_ocr_month_year(text_scan *s, size_t q);
void nc_mark_bytes(text_scan *s, size_t i, size_t e, int label);
/* deid_numcodes.c, from token i: a postcode beside its town, an age in a
 * table's cell or in brackets, a code in capitals, a phone dictated in odd
 * groups (its end, or i), an old plate. */
void nc_zip_town(text_scan *s, size_t i);
void nc_age_cell(text_scan *s, size_t i);
void nc_age_paren(text_scan *s, size_t i);
void nc_caps_code(text_scan *s, size_t i);
size_t nc_odd_groups_phone(const text_scan *s, size_t i);
void nc_old_plate(text_scan *s, size_t i);
/* A postcode's five digits at p. */
int nc_zip_shape(const char *p);
/* deid_numtails.c: token i, a lower-case word a number before it
 * measures or counts. */
int nc_measure_word(const text_scan *s, size_t i);

/* A place's coordinates in decimal degrees at token i: ADRESSE
 * (deid_numtails.c). */
void nc_coordinates_at(text_scan *s, size_t i);
/* A phone number with its country code from byte a ("+CC", "00CC",
 * "(+CC)"), its end or 0; an ISO 8601 timestamp from byte a, its end or 0
 * (deid_numscan.c). */
size_t nc_scan_intl_phone(const char *t, size_t len, size_t a);
size_t nc_iso_timestamp(const char *t, size_t len, size_t a);

#endif
