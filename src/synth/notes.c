/* Synthetic annotated French clinical documents: consultation letters with
 * letterheads, hospitalisation reports, tumour-board summaries, chemotherapy
 * prescriptions, nursing and phone-call notes, with identifiers placed as in
 * real records and every identifier recorded as a gold span. */
#include "notes_gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

enum { KIND_LETTER, KIND_CRH, KIND_RCP, KIND_CHEMO, KIND_NURSE, KIND_PHONE, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = {"consultation",       "hospitalisation", "rcp",
                                                   "chemo-prescription", "nursing",         "phone"};

const char *at_synth_doc_kind_name(int kind)
{
    return kind >= 0 && kind < KIND_COUNT ? kind_names[kind] : "unknown";
}

void nw_put(notes_writer *w, const char *s)
{
    if (!w->st)
        w->st = at_buf_puts(&w->b, s);
}

void nw_putf(notes_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!w->st)
        w->st = at_buf_vprintf(&w->b, fmt, ap);
    va_end(ap);
}

void nw_ent(notes_writer *w, int label, const char *s)
{
    size_t a = w->b.len;
    nw_put(w, s);
    if (!w->st)
        w->st = at_text_spans_push(&w->gold, a, w->b.len - a, label);
}

void nw_entf(notes_writer *w, int label, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    nw_ent(w, label, tmp);
}

size_t nw_pick(notes_writer *w, size_t n)
{
    return (size_t)(at_rng_next(w->rng) % n);
}
double nw_u(notes_writer *w)
{
    return at_rng_uniform(w->rng);
}

static void upper_utf8(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s);
    while (n > 0 && o + 5 < cap) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, n, &cp);
        if (k <= 0)
            break;
        o += (size_t)utf8proc_encode_char(utf8proc_toupper(cp), (utf8proc_uint8_t *)out + o);
        p += k;
        n -= k;
    }
    out[o] = 0;
}

void nw_last(notes_writer *w, const char *last, double p_upper)
{
    char up[128];
    if (nw_u(w) < p_upper) {
        upper_utf8(last, up, sizeof up);
        nw_ent(w, AT_PHI_NOM, up);
    } else {
        nw_ent(w, AT_PHI_NOM, last);
    }
}

static const char *const months[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                     "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

void nw_date(notes_writer *w, int label, int y, int m, int d)
{
    int f = (int)nw_pick(w, w->heldout ? 6 : 5);
    switch (f) {
    case 0:
    case 4:
        nw_entf(w, label, "%02d/%02d/%04d", d, m, y);
        break;
    case 1:
        if (d == 1)
            nw_entf(w, label, "1er %s %d", months[m - 1], y);
        else
            nw_entf(w, label, "%d %s %d", d, months[m - 1], y);
        break;
    case 2:
        nw_entf(w, label, "%04d-%02d-%02d", y, m, d);
        break;
    case 3:
        nw_entf(w, label, "%02d.%02d.%04d", d, m, y);
        break;
    default:
        nw_entf(w, label, "%02d/%02d/%02d", d, m, y % 100);
    }
}

static void make_phone(notes_writer *w, char *out, size_t cap, int mobile)
{
    int d[9];
    d[0] = mobile ? 6 + (int)nw_pick(w, 2) : 1 + (int)nw_pick(w, 5);
    for (int i = 1; i < 9; i++)
        d[i] = (int)nw_pick(w, 10);
    int f = (int)nw_pick(w, w->heldout ? 7 : 6);
    const char *fmt[] = {"0%d %d%d %d%d %d%d %d%d",       "0%d.%d%d.%d%d.%d%d.%d%d",
                         "0%d%d%d%d%d%d%d%d%d",           "+33 %d %d%d %d%d %d%d %d%d",
                         "+33 (0)%d %d%d %d%d %d%d %d%d", "0%d-%d%d-%d%d-%d%d-%d%d",
                         "+33%d%d%d%d%d%d%d%d%d"};
    snprintf(out, cap, fmt[f], d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
}

static void make_digits(notes_writer *w, char *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('0' + (i == 0 ? 1 + nw_pick(w, 9) : nw_pick(w, 10)));
    out[n] = 0;
}

static void make_nir(notes_writer *w, const notes_person *p, char *out, size_t cap)
{
    char d[16];
    int dep = 1 + (int)nw_pick(w, 95);
    char depc[3];
    if (dep == 20)
        snprintf(depc, sizeof depc, "%s", nw_u(w) < 0.5 ? "2A" : "2B");
    else
        snprintf(depc, sizeof depc, "%02d", dep);
    snprintf(d, 14, "%d%02d%02d%s%03d%03d", p->female ? 2 : 1, p->by % 100, p->bm, depc,
             1 + (int)nw_pick(w, 990), 1 + (int)nw_pick(w, 999));
    int key = at_text_nir_key(d);
    snprintf(d + 13, 3, "%02d", key);
    if (nw_u(w) < 0.5)
        snprintf(out, cap, "%.1s %.2s %.2s %.2s %.3s %.3s %.2s", d, d + 1, d + 3, d + 5, d + 7, d + 10,
                 d + 13);
    else
        snprintf(out, cap, "%s", d);
}

static void fold_ascii(const char *s, char *out, size_t cap)
{
    char f[128];
    int n = at_text_fold(s, strlen(s), f, sizeof f);
    size_t o = 0;
    for (int i = 0; i < n && o + 1 < cap; i++)
        if (f[i] != ' ' && f[i] != '\'')
            out[o++] = f[i];
    out[o] = 0;
}

static void make_person(notes_writer *w, const notes_pools *pl, notes_person *p)
{
    memset(p, 0, sizeof *p);
    p->female = nw_u(w) < 0.5;
    p->first = p->female ? pl->first_f[nw_pick(w, pl->n_first_f)] : pl->first_m[nw_pick(w, pl->n_first_m)];
    p->last = pl->last[nw_pick(w, pl->n_last)];
    p->maiden = p->female && nw_u(w) < 0.4 ? pl->last[nw_pick(w, pl->n_last)] : NULL;
    p->by = 1930 + (int)nw_pick(w, 70);
    p->bm = 1 + (int)nw_pick(w, 12);
    p->bd = 1 + (int)nw_pick(w, 28);
    p->street_no = 1 + (int)nw_pick(w, 180);
    p->street = pl->streets[nw_pick(w, pl->n_streets)];
    p->com = pl->communes[nw_pick(w, pl->n_communes)];
    make_phone(w, p->phone, sizeof p->phone, nw_u(w) < 0.7);
    char a[64], b[64];
    fold_ascii(p->first, a, sizeof a);
    fold_ascii(p->last, b, sizeof b);
    snprintf(p->email, sizeof p->email, "%s.%s@%s", a, b, pl->domains[nw_pick(w, pl->n_domains)]);
    make_nir(w, p, p->nir, sizeof p->nir);
    make_digits(w, p->ipp, 8 + nw_pick(w, 3));
    make_digits(w, p->nda, 9 + nw_pick(w, 2));
}

static const char *const specialties[] = {"oncologue médical", "radiothérapeute",   "chirurgien",
                                          "radiologue",        "pathologiste",      "médecin généraliste",
                                          "pneumologue",       "gastro-entérologue"};

static void make_doctor(notes_writer *w, const notes_pools *pl, notes_doctor *d)
{
    d->female = nw_u(w) < 0.5;
    d->first = d->female ? pl->first_f[nw_pick(w, pl->n_first_f)] : pl->first_m[nw_pick(w, pl->n_first_m)];
    d->last = pl->last[nw_pick(w, pl->n_last)];
    d->spec = specialties[nw_pick(w, sizeof specialties / sizeof *specialties)];
    d->adeli = nw_u(w) < 0.2;
    if (d->adeli) {
        make_digits(w, d->rpps, 9);
    } else {
        make_digits(w, d->rpps + 2, 8);
        d->rpps[0] = '1';
        d->rpps[1] = '0';
        d->rpps[10] = (char)('0' + at_text_luhn_digit(d->rpps, 10));
        d->rpps[11] = 0;
    }
}

static void make_hospital(notes_writer *w, const notes_pools *pl, notes_hospital *h)
{
    h->name = pl->hospitals[nw_pick(w, pl->n_hospitals)];
    h->com = pl->communes[nw_pick(w, pl->n_communes)];
    h->street_no = 1 + (int)nw_pick(w, 60);
    h->street = pl->streets[nw_pick(w, pl->n_streets)];
    make_phone(w, h->phone, sizeof h->phone, 0);
    memcpy(h->finess, h->com.zip, 2);
    make_digits(w, h->finess + 2, 6);
    h->finess[2] = '0';
    h->finess[8] = (char)('0' + at_text_luhn_digit(h->finess, 8));
    h->finess[9] = 0;
}

/* "Prénom NOM", "NOM Prénom" or "Prénom Nom". */
static void put_person_name(notes_writer *w, const char *first, const char *last, int order)
{
    if (order == 1) {
        nw_last(w, last, 1.0);
        nw_put(w, " ");
        nw_ent(w, AT_PHI_PRENOM, first);
    } else {
        nw_ent(w, AT_PHI_PRENOM, first);
        nw_put(w, " ");
        nw_last(w, last, order == 2 ? 0.0 : 0.8);
    }
}

static void put_doctor(notes_writer *w, const notes_doctor *d, int title_full)
{
    nw_put(w, title_full ? "Docteur " : (nw_u(w) < 0.85 ? "Dr " : "Pr "));
    if (nw_u(w) < 0.15) {
        char ini[8];
        unsigned char c0 = (unsigned char)d->first[0];
        int n0 = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
        snprintf(ini, sizeof ini, "%.*s", n0, d->first);
        nw_ent(w, AT_PHI_PRENOM, ini);
        nw_put(w, ". ");
        nw_last(w, d->last, 0.7);
    } else {
        put_person_name(w, d->first, d->last, (int)nw_pick(w, 3) == 1 ? 0 : (int)nw_pick(w, 3));
    }
}

static void put_rpps(notes_writer *w, const notes_doctor *d)
{
    nw_put(w, d->adeli ? "N° ADELI : " : (nw_u(w) < 0.5 ? "RPPS : " : "N° RPPS "));
    nw_ent(w, AT_PHI_RPPS, d->rpps);
}

static void put_patient_title(notes_writer *w, const notes_person *p)
{
    nw_put(w, p->female ? (nw_u(w) < 0.6 ? "Mme " : "Madame ") : (nw_u(w) < 0.6 ? "M. " : "Monsieur "));
}

static void put_letterhead(notes_writer *w, const notes_hospital *h, const notes_doctor *d)
{
    nw_ent(w, AT_PHI_HOPITAL, h->name);
    nw_put(w, "\nService d'oncologie médicale\n");
    nw_entf(w, AT_PHI_ADRESSE, "%d %s", h->street_no, h->street);
    nw_put(w, "\n");
    nw_ent(w, AT_PHI_ZIP, h->com.zip);
    nw_put(w, " ");
    nw_ent(w, AT_PHI_VILLE, h->com.name);
    nw_put(w, "\nTél. : ");
    nw_ent(w, AT_PHI_TEL, h->phone);
    nw_put(w, " - FINESS ");
    nw_ent(w, AT_PHI_FINESS, h->finess);
    nw_put(w, "\n\n");
    put_doctor(w, d, 0);
    nw_putf(w, ", %s\n", d->spec);
    put_rpps(w, d);
    nw_put(w, "\n\n");
}

static void put_identity_block(notes_writer *w, const notes_person *p)
{
    nw_put(w, "Nom : ");
    nw_last(w, p->last, 0.9);
    if (p->maiden) {
        nw_put(w, w->heldout && nw_u(w) < 0.5 ? "   Nom de naissance : " : "  née ");
        nw_last(w, p->maiden, 0.9);
    }
    nw_put(w, "\nPrénom : ");
    nw_ent(w, AT_PHI_PRENOM, p->first);
    nw_put(w, w->heldout && nw_u(w) < 0.5 ? "\nDDN : " : "\nDate de naissance : ");
    nw_date(w, AT_PHI_DATE_NAISSANCE, p->by, p->bm, p->bd);
    nw_put(w, "\nIPP : ");
    nw_ent(w, AT_PHI_IPP, p->ipp);
    nw_put(w, nw_u(w) < 0.5 ? "   NDA : " : "   N° de séjour : ");
    nw_ent(w, AT_PHI_NDA, p->nda);
    nw_put(w, "\nAdresse : ");
    nw_entf(w, AT_PHI_ADRESSE, "%d %s", p->street_no, p->street);
    nw_put(w, ", ");
    nw_ent(w, AT_PHI_ZIP, p->com.zip);
    nw_put(w, " ");
    nw_ent(w, AT_PHI_VILLE, p->com.name);
    nw_put(w, "\nTél. : ");
    nw_ent(w, AT_PHI_TEL, p->phone);
    if (nw_u(w) < 0.5) {
        nw_put(w, "   Courriel : ");
        nw_ent(w, AT_PHI_MAIL, p->email);
    }
    if (nw_u(w) < 0.6) {
        nw_put(w, "\nN° de sécurité sociale : ");
        nw_ent(w, AT_PHI_SECU, p->nir);
    }
    nw_put(w, "\n\n");
}

static void put_patient_line(notes_writer *w, const notes_person *p)
{
    put_patient_title(w, p);
    put_person_name(w, p->first, p->last, (int)nw_pick(w, 3));
    if (p->maiden && nw_u(w) < 0.5) {
        nw_put(w, nw_u(w) < 0.5 ? " née " : " épouse ");
        nw_last(w, p->maiden, 0.8);
    }
    nw_put(w, p->female ? ", née le " : ", né le ");
    if (w->heldout && nw_u(w) < 0.3)
        nw_put(w, "");
    nw_date(w, AT_PHI_DATE_NAISSANCE, p->by, p->bm, p->bd);
    if (nw_u(w) < 0.3) {
        nw_put(w, " à ");
        nw_ent(w, AT_PHI_VILLE, p->com.name);
    }
    nw_put(w, " (IPP ");
    nw_ent(w, AT_PHI_IPP, p->ipp);
    nw_put(w, ")");
}

static void generate_doc(notes_writer *w, int kind, const notes_person *p, const notes_doctor *docs,
                         const notes_hospital *h, int y, int m, int d)
{
    switch (kind) {
    case KIND_LETTER:
        put_letterhead(w, h, &docs[0]);
        nw_ent(w, AT_PHI_VILLE, h->com.name);
        nw_put(w, ", le ");
        nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, "\n\nObjet : consultation de ");
        put_patient_line(w, p);
        nw_put(w, "\n\nCher Confrère,\n\nJ'ai revu en consultation ");
        put_patient_title(w, p);
        nw_last(w, p->last, 0.5);
        nw_put(w, ". ");
        break;
    case KIND_CRH:
        nw_ent(w, AT_PHI_HOPITAL, h->name);
        nw_put(w, "\nCOMPTE RENDU D'HOSPITALISATION\n\n");
        put_identity_block(w, p);
        nw_put(w, "Hospitalisation du ");
        nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, " au ");
        nw_date(w, AT_PHI_DATE, y, m, d < 20 ? d + 5 : 28);
        nw_put(w, ".\nMédecin traitant : ");
        put_doctor(w, &docs[1], 0);
        nw_put(w, ", ");
        nw_ent(w, AT_PHI_VILLE, docs[1].female ? p->com.name : h->com.name);
        nw_put(w, "\n\n");
        break;
    case KIND_RCP:
        nw_put(w, "Réunion de concertation pluridisciplinaire d'oncologie du ");
        nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, "\n");
        nw_ent(w, AT_PHI_HOPITAL, h->name);
        nw_put(w, "\nPrésents : ");
        put_doctor(w, &docs[0], 0);
        nw_putf(w, " (%s), ", docs[0].spec);
        put_doctor(w, &docs[1], 0);
        nw_putf(w, " (%s), ", docs[1].spec);
        put_doctor(w, &docs[2], 0);
        nw_putf(w, " (%s)\n\nPatient : ", docs[2].spec);
        put_patient_line(w, p);
        nw_put(w, "\n\n");
        break;
    case KIND_CHEMO:
        nw_ent(w, AT_PHI_HOPITAL, h->name);
        nw_put(w, " - Hôpital de jour\nPRESCRIPTION DE CHIMIOTHÉRAPIE\n\n");
        put_identity_block(w, p);
        nw_put(w, "Prescripteur : ");
        put_doctor(w, &docs[0], 0);
        nw_put(w, "   ");
        put_rpps(w, &docs[0]);
        nw_put(w, "\nDate de prescription : ");
        nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, "\n\n");
        break;
    case KIND_NURSE:
        nw_put(w, "Transmissions infirmières du ");
        nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, "\nPatient : ");
        put_patient_line(w, p);
        nw_put(w, "\nIDE : ");
        put_person_name(w, docs[2].first, docs[2].last, 2);
        nw_put(w, "\n\n");
        break;
    default:
        nw_put(w, "Note d'appel téléphonique du ");
        if (nw_u(w) < 0.5)
            nw_entf(w, AT_PHI_DATE, "%02d/%02d", d, m);
        else
            nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, "\nAppel de ");
        put_patient_title(w, p);
        nw_last(w, p->last, 0.6);
        nw_put(w, " au ");
        nw_ent(w, AT_PHI_TEL, p->phone);
        nw_put(w, ".\n");
        break;
    }
    notes_body(w, kind, p, docs, 3, h, y, m, d);
    if (kind == KIND_LETTER || kind == KIND_CRH) {
        nw_put(w, "\n\nBien confraternellement,\n\n");
        put_doctor(w, &docs[0], 0);
        nw_put(w, "\n");
        if (nw_u(w) < 0.3) {
            nw_put(w, "Copie : ");
            put_doctor(w, &docs[1], 0);
            nw_put(w, ", ");
            nw_entf(w, AT_PHI_ADRESSE, "%d %s", docs[1].female ? 3 : 17, p->street);
            nw_put(w, ", ");
            nw_ent(w, AT_PHI_ZIP, p->com.zip);
            nw_put(w, " ");
            nw_ent(w, AT_PHI_VILLE, p->com.name);
            nw_put(w, "\n");
        }
    } else if (kind == KIND_NURSE || kind == KIND_PHONE) {
        nw_put(w, "\n");
        put_person_name(w, docs[2].first, docs[2].last, 0);
        nw_put(w, ", IDE\n");
    }
}

at_status at_synth_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out)
{
    *out = NULL;
    if (n > 1000000)
        return at_error_set(AT_ERR_LIMIT, "synthetic documents: %zu exceeds the limit of 1000000", n);
    at_text_doc *docs = at_calloc(n ? n : 1, sizeof *docs);
    if (!docs)
        return AT_ERR_NOMEM;
    notes_pools pl;
    notes_pools_get(heldout, &pl);
    at_rng rng;
    at_rng_seed(&rng, seed ^ (heldout ? 0x68656c646f7574ull : 0));
    notes_writer w;
    memset(&w, 0, sizeof w);
    w.rng = &rng;
    w.heldout = heldout;
    notes_person p;
    notes_doctor docs3[3];
    notes_hospital h;
    int left = 0, patient = -1, y = 2020, m = 1, d = 1;
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st; i++) {
        if (left == 0) {
            make_person(&w, &pl, &p);
            for (int k = 0; k < 3; k++)
                make_doctor(&w, &pl, &docs3[k]);
            make_hospital(&w, &pl, &h);
            left = 1 + (int)nw_pick(&w, 4);
            patient++;
            y = 2018 + (int)nw_pick(&w, 7);
            m = 1 + (int)nw_pick(&w, 12);
            d = 1 + (int)nw_pick(&w, 28);
        }
        left--;
        int kind = (int)nw_pick(&w, KIND_COUNT);
        at_buf_init(&w.b, (size_t)1 << 20);
        memset(&w.gold, 0, sizeof w.gold);
        memset(&w.epo, 0, sizeof w.epo);
        w.st = AT_OK;
        generate_doc(&w, kind, &p, docs3, &h, y, m, d);
        d += 3 + (int)nw_pick(&w, 10);
        if (d > 28) {
            d -= 28;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
        st = w.st;
        docs[i].len = w.b.len;
        docs[i].text = (char *)at_buf_steal(&w.b, &docs[i].len);
        docs[i].gold = w.gold;
        docs[i].eponyms = w.epo;
        docs[i].kind = kind;
        docs[i].patient = patient;
        char pid[32];
        snprintf(pid, sizeof pid, "P%06d", patient);
        docs[i].patient_id = at_strdup(pid);
        if (!st && (!docs[i].text || !docs[i].patient_id))
            st = AT_ERR_NOMEM;
    }
    if (st) {
        at_text_docs_free(docs, n);
        return st;
    }
    *out = docs;
    return AT_OK;
}
