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

/* Identifying values collected from a header, for the clean actions. */
typedef struct {
    char **values;
    size_t count, cap;
} at_deid_identifiers;
/* Collect from the whole tree (patient names parts, IDs, birth date in
 * several spellings, institution, physicians, ...). Free with _free. */
at_status at_deid_identifiers_collect(const at_dcm_dataset *ds, at_deid_identifiers *ids);
void at_deid_identifiers_free(at_deid_identifiers *ids);
/* Scrub every identifier out of s in place (case-insensitive), replacing
 * each occurrence with '*' of the same length. Returns the count replaced. */
size_t at_deid_scrub(char *s, const at_deid_identifiers *ids);

#endif
