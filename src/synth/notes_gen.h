/* Internal to the synthetic clinical documents: the writer that records
 * gold spans as it appends text, and the people of one synthetic world.
 * nw_ names are the notes writer's functions (nw: "notes writer"). */
#ifndef ATELIER_SYNTH_NOTES_GEN_H
#define ATELIER_SYNTH_NOTES_GEN_H

#include "atelier/synth.h"
#include "notes_pools.h"

typedef struct {
    at_buf b;
    at_text_spans gold, epo;
    at_status st;
    at_rng *rng;
    int heldout;
} notes_writer;

typedef struct {
    int female;
    const char *first, *last, *maiden;
    int by, bm, bd;
    int street_no;
    const char *street;
    notes_commune com;
    char phone[40], email[128], nir[40], ipp[16], nda[16];
} notes_person;

typedef struct {
    int female;
    const char *first, *last, *spec;
    char rpps[16];
    int adeli;
} notes_doctor;

typedef struct {
    const char *name;
    notes_commune com;
    int street_no;
    const char *street;
    char phone[40], finess[16];
} notes_hospital;

void nw_put(notes_writer *w, const char *s);
void nw_putf(notes_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nw_ent(notes_writer *w, int label, const char *s);
void nw_entf(notes_writer *w, int label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A surname, in capitals with probability p_upper. */
void nw_last(notes_writer *w, const char *last, double p_upper);
void nw_date(notes_writer *w, int label, int y, int m, int d);
size_t nw_pick(notes_writer *w, size_t n);
double nw_u(notes_writer *w);
/* Body sentences of a clinical kind with eponyms and common-word traps. */
void notes_body(notes_writer *w, int kind, const notes_person *p, const notes_doctor *docs, size_t ndocs,
                const notes_hospital *h, int y, int m, int d);

#endif
