/* Internal to src/deid: helpers shared between the engine and the batch. */
#ifndef ATELIER_DEID_INTERNAL_H
#define ATELIER_DEID_INTERNAL_H

#include "atelier/deid.h"

/* Short keyed folder name: prefix (at most 3 chars) + 12 base32 characters.
 * out holds 16 bytes. */
void at_deid_folder_name(const at_key *key, const char *domain, const char *prefix, const char *value,
                         char out[16]);
/* AE title pseudonym "AE" + 10 base32 characters. out holds 16 bytes. */
void at_deid_ae_pseudonym(const at_key *key, const char *value, char out[16]);
/* Copy an element's string value, trailing spaces/NULs removed, into a new
 * NUL-terminated string (at_free), or NULL on OOM. */
char *at_deid_element_string(const at_dcm_element *el);
/* Replace an element's value with s (copied, padded to even length with
 * the VR's pad byte). */
at_status at_deid_element_set(at_dcm_element *el, const char *s);
/* The patient identity used for pseudonyms and the date shift: Patient ID,
 * else Patient's Name, else Study Instance UID, else "". Owned by caller. */
char *at_deid_patient_identity(const at_dcm_dataset *ds);

/* 1 when ds is an encapsulated document (PDF, CDA, ...): its content is
 * replaced by the table (D), but the file still goes to quarantine unless
 * allowed (quarantine.c). */
int at_deid_is_document(const at_dcm_dataset *ds);

/* Identifying values collected from a header, folded (fold.h: compact
 * form), for the scan of retained text (scan.c). */
enum { AT_DEID_ID_NAME = 1, AT_DEID_ID_CODE, AT_DEID_ID_DATE, AT_DEID_ID_PHONE, AT_DEID_ID_PLACE };
typedef struct {
    char *text; /* compact folded form */
    size_t len;
    int kind; /* AT_DEID_ID_ */
} at_deid_identifier;
typedef struct {
    at_deid_identifier *v;
    size_t count, cap;
} at_deid_identifiers;
/* Collect from the whole tree: every PN (whole and parts), IDs, numbers,
 * addresses, phones, institutions, stations, every date of the file in its
 * usual spellings (numbers, French and English words); what an option keeps
 * (institution-identity, device-identity, full-dates) is not collected.
 * charset: the main dataset's (0008,0005) or NULL. Free with _free. */
at_status at_deid_identifiers_collect(const at_dcm_dataset *ds, const at_dcm_element *charset,
                                      unsigned options, at_deid_identifiers *ids);
void at_deid_identifiers_free(at_deid_identifiers *ids);
/* The same through memo: *ids points into memo (valid until its next use
 * or its free); collected afresh only when what the collection reads
 * differs from the memo's last header. */
at_status at_deid_identifiers_memo(const at_dcm_dataset *ds, const at_dcm_element *charset, unsigned options,
                                   at_deid_memo *memo, const at_deid_identifiers **ids);

/* Byte ranges [start, end) of a UTF-8 text. */
typedef struct {
    size_t *start, *end;
    size_t n, cap;
} at_deid_ranges;
void at_deid_ranges_free(at_deid_ranges *r);
/* Append [start, end) (nothing when empty). AT_ERR_NOMEM on failure. */
at_status at_deid_ranges_add(at_deid_ranges *r, size_t start, size_t end);

enum {
    AT_DEID_SCAN_SHAPES = 1, /* free text: dates, phones, long numbers, e-mails, URLs, titled names */
    AT_DEID_SCAN_DATES = 2,  /* dates in shapes are identifying (not full-dates) */
    AT_DEID_SCAN_CODED = 4   /* a coded value (CS, AE, numbers): identifiers of 4 characters or more
                              * only ("CT" as a part of a name is not the modality's) */
};
/* Find what identifies in utf8[0..n): the identifiers of the file (folded,
 * at word boundaries), the shapes (flags), and the detector's spans when
 * detect is set. Ranges appended to out (unsorted, may overlap). */
at_status at_deid_scan_text(const char *utf8, size_t n, const at_deid_identifiers *ids, unsigned flags,
                            at_deid_detect_fn detect, void *detect_ud, unsigned options, at_deid_ranges *out);

/* Scrub identifiers out of an ASCII/UTF-8 string s in place ('*' over every
 * byte of what is found; identifiers only, no shapes). Returns the count. */
size_t at_deid_scrub(char *s, const at_deid_identifiers *ids);

#endif
