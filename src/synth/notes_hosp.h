/* Internal to the hospital-style synthetic notes: pools, the world of one
 * patient (relatives, staff, colleagues, establishments), the writers of
 * names, dates and identifiers in many writings, and the document
 * templates (notes_hosp_docs.c). */
#ifndef ATELIER_SYNTH_NOTES_HOSP_H
#define ATELIER_SYNTH_NOTES_HOSP_H

#include "notes_gen.h"

typedef struct {
    const char *const *first_f,
        *const *first_m, *const *last, *const *streets, *const *rural, *const *hosp_forms,
                                                                           *const *employers,
                                                                               *const *employer_forms,
                                                                                   *const *insurers,
                                                                                       *const *domains;
    const notes_commune *communes;
    size_t n_first_f, n_first_m, n_last, n_streets, n_rural, n_hosp_forms, n_employers, n_employer_forms,
        n_insurers, n_domains, n_communes;
} hosp_pools;

void hosp_pools_get(int heldout, hosp_pools *p);
void hosp_made_surname(at_rng *r, char *out, size_t cap);
void hosp_made_first(at_rng *r, int female, char *out, size_t cap);
void hosp_made_place(at_rng *r, char *out, size_t cap);

typedef struct {
    int female;
    char first[48], last[64];
    char spec[48]; /* staff: role or specialty */
} hosp_person;

enum { HW_ONCO, HW_SURG, HW_RADIO, HW_PATH, HW_GP, HW_DOCS };

typedef struct {
    hosp_person p, spouse, child[2], sibling, friend_;
    char maiden[64];
    int by, bm, bd, age;
    char addr[96], city[64], zip[8];
    int rural;
    char phone[32], phone2[32], email[96], nir[32], ipp[32], nda[32];
    char employer[80], insurer[64], insurer_no[32], iban[48], plate[16], url[96], handle[48];
    hosp_person doc[HW_DOCS], nurse[3], intern[2], secretary;
    char rpps[HW_DOCS][16];
    char hosp[96], hosp2[96], hcity[64], hzip[8], haddr[96], hphone[32], finess[16];
    int y, m, d;     /* the date of the current document */
    int lower_names; /* this document writes names in lower case */
} hosp_world;

/* Case of a UTF-8 string: 0 as is, 1 upper, 2 lower, 3 capitalised. */
void hosp_case(const char *s, int mode, char *out, size_t cap);
/* A name part as a gold span, in case mode (-1: the document's habit). */
void hw_first(notes_writer *w, const hosp_world *hw, const hosp_person *p, int mode);
void hw_last(notes_writer *w, const hosp_world *hw, const hosp_person *p, int mode);
/* A person's full name in a random writing (Prénom NOM, NOM Prénom,
 * P. NOM, Nom, ...). */
void hw_name(notes_writer *w, const hosp_world *hw, const hosp_person *p);
/* "Dr X", "Pr X", "Docteur X", with the writing varied. */
void hw_doctor(notes_writer *w, const hosp_world *hw, const hosp_person *p);
/* A date as a gold span in a random writing (numeric, written, words,
 * without a year, weekday-prefixed); full: always with a year. */
void hw_date(notes_writer *w, int label, int y, int m, int d, int full);
/* Text with {trap} parts: the braces dropped, the parts recorded as
 * strings that must stay. */
void hw_trap(notes_writer *w, const char *s);
/* A clinical sentence with traps (drugs, doses, TNM, genes, scores,
 * eponyms, lab values). */
void hw_clinical(notes_writer *w);
/* A person, place or employer named in passing, put together from a
 * relation or role, a frame and what follows (notes_hosp_people.c). */
void hw_people_mention(notes_writer *w, hosp_world *hw);
/* A treatment named by a made-up brand in the contexts of a person ("X
 * arrêté", "relais par X"), recorded as strings that must stay. */
void hw_treatment_mention(notes_writer *w);
/* The parts the kinds share (notes_hosp_parts.c): nmin..nmax clinical
 * sentences; the centre's letterhead; the patient's title, age phrase and
 * birth; an identity block in one of its styles; relatives, staff and
 * colleagues named in passing; a signature of p. */
void hw_clinical_block(notes_writer *w, int nmin, int nmax);
void hw_letterhead(notes_writer *w, hosp_world *hw);
void hw_patient_title(notes_writer *w, const hosp_world *hw);
void hw_age_phrase(notes_writer *w, const hosp_world *hw);
void hw_birth(notes_writer *w, const hosp_world *hw);
void hw_identity_block(notes_writer *w, hosp_world *hw);
void hw_people_sentence(notes_writer *w, hosp_world *hw);
void hw_signature(notes_writer *w, hosp_world *hw, const hosp_person *p);
/* A document of kind k (HOSP_KIND_*) for the world. */
void hosp_document(notes_writer *w, hosp_world *hw, int kind);

enum {
    HOSP_KIND_LETTER,
    HOSP_KIND_CRH,
    HOSP_KIND_CRO,
    HOSP_KIND_ANAPATH,
    HOSP_KIND_RCP,
    HOSP_KIND_PRESCRIPTION,
    HOSP_KIND_NURSING,
    HOSP_KIND_MAIL,
    HOSP_KIND_TABLE,
    HOSP_KIND_SOCIAL,
    HOSP_KIND_RADIO,
    HOSP_KIND_PHONE,
    HOSP_KIND_PSYCHO,
    HOSP_KIND_OCR, /* another kind, scanned: OCR noise and hyphenation */
    HOSP_KIND_COUNT
};

#endif
