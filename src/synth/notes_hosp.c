/* Hospital-style synthetic annotated notes: the world of each patient
 * (relatives, staff, colleagues, establishments, employer, insurer), the
 * writers of names, dates and identifiers in many writings, and the noise
 * of real records (OCR letters for digits, hyphenation at line ends, case)
 * applied with the gold spans carried over. The templates are in
 * notes_hosp_docs.c. */
#include "notes_hosp.h"

#include "atelier/synth.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

static const char *const kind_names[HOSP_KIND_COUNT] = {
    "courrier", "crh",     "cro",    "anapath", "rcp",       "ordonnance", "transmissions",
    "mail",     "tableau", "social", "radio",   "telephone", "psycho",     "ocr"};

const char *at_synth_hospital_kind_name(int kind)
{
    return kind >= 0 && kind < HOSP_KIND_COUNT ? kind_names[kind] : "unknown";
}

void hosp_case(const char *s, int mode, char *out, size_t cap)
{
    size_t o = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t n = (utf8proc_ssize_t)strlen(s);
    int start = 1;
    while (n > 0 && o + 5 < cap) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p, n, &cp);
        if (k <= 0)
            break;
        if (mode == 1 || (mode == 3 && start))
            cp = utf8proc_toupper(cp);
        else if (mode == 2 || mode == 3)
            cp = utf8proc_tolower(cp);
        start = cp == ' ' || cp == '-' || cp == '\'';
        o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
        p += k;
        n -= k;
    }
    out[o] = 0;
}

static void put_cased(notes_writer *w, int label, const char *s, int mode)
{
    char b[160];
    hosp_case(s, mode, b, sizeof b);
    nw_ent(w, label, b);
}

void hw_first(notes_writer *w, const hosp_world *hw, const hosp_person *p, int mode)
{
    if (mode < 0)
        mode = hw->lower_names ? 2 : nw_u(w) < 0.06 ? 1 : 0;
    put_cased(w, AT_PHI_PRENOM, p->first, mode);
}

void hw_last(notes_writer *w, const hosp_world *hw, const hosp_person *p, int mode)
{
    if (mode < 0)
        mode = hw->lower_names ? 2 : nw_u(w) < 0.55 ? 1 : 0;
    put_cased(w, AT_PHI_NOM, p->last, mode);
}

void hw_name(notes_writer *w, const hosp_world *hw, const hosp_person *p)
{
    int f = (int)nw_pick(w, 10);
    switch (f) {
    case 0:
    case 1:
    case 2:
        hw_first(w, hw, p, -1);
        nw_put(w, " ");
        hw_last(w, hw, p, -1);
        break;
    case 3:
    case 4:
        hw_last(w, hw, p, hw->lower_names ? 2 : 1);
        nw_put(w, " ");
        hw_first(w, hw, p, -1);
        break;
    case 5: {
        char ini[8];
        unsigned char c0 = (unsigned char)p->first[0];
        int n0 = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
        snprintf(ini, sizeof ini, "%.*s", n0, p->first);
        nw_ent(w, AT_PHI_PRENOM, ini);
        nw_put(w, ". ");
        hw_last(w, hw, p, -1);
        break;
    }
    case 6:
        hw_last(w, hw, p, -1);
        break;
    case 7:
        hw_first(w, hw, p, 3);
        nw_put(w, " ");
        hw_last(w, hw, p, 3);
        break;
    default:
        hw_first(w, hw, p, -1);
        nw_put(w, " ");
        hw_last(w, hw, p, 1);
    }
}

void hw_doctor(notes_writer *w, const hosp_world *hw, const hosp_person *p)
{
    static const char *const titles[] = {"Dr ", "Dr ", "Dr ", "Docteur ", "Pr ", "Dr. ", "DR ", "dr "};
    nw_put(w, titles[nw_pick(w, 8)]);
    if (nw_u(w) < 0.35)
        hw_last(w, hw, p, -1);
    else
        hw_name(w, hw, p);
}

/* ---- dates ---------------------------------------------------------------------- */

static const char *const months[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                     "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
static const char *const wdays[] = {"jeudi", "vendredi", "samedi", "dimanche", "lundi", "mardi", "mercredi"};
static const char *const units[] = {"zéro",  "un",     "deux",     "trois",  "quatre", "cinq",
                                    "six",   "sept",   "huit",     "neuf",   "dix",    "onze",
                                    "douze", "treize", "quatorze", "quinze", "seize"};
static const char *const tens[] = {"", "dix", "vingt", "trente", "quarante", "cinquante", "soixante"};

static void words_below_100(char *o, size_t cap, int v)
{
    int t = v / 10, u = v % 10;
    if (v <= 16)
        snprintf(o, cap, "%s", units[v]);
    else if (v < 20)
        snprintf(o, cap, "dix-%s", units[v - 10]);
    else if (t == 7 || t == 9) {
        int r = v - (t == 7 ? 60 : 80);
        snprintf(o, cap, "%s-%s%s", t == 7 ? "soixante" : "quatre-vingt", r > 16 ? "dix-" : "",
                 units[r > 16 ? r - 10 : r]);
    } else if (t == 8)
        snprintf(o, cap, "quatre-vingt%s%s", u ? "-" : "s", u ? units[u] : "");
    else if (!u)
        snprintf(o, cap, "%s", tens[t]);
    else
        snprintf(o, cap, "%s%s%s", tens[t], u == 1 ? " et " : "-", units[u]);
}

static void words_year(char *o, size_t cap, int y, int old)
{
    char b[48] = "";
    if (y >= 2000) {
        if (y % 100)
            words_below_100(b, sizeof b, y % 100);
        snprintf(o, cap, "deux mille%s%s", b[0] ? " " : "", b);
    } else {
        if (y % 100)
            words_below_100(b, sizeof b, y % 100);
        snprintf(o, cap, "%s%s%s", old ? "mil neuf cent" : "dix-neuf cent", b[0] ? " " : "", b);
    }
}

void hw_date(notes_writer *w, int label, int y, int m, int d, int full)
{
    int f = (int)nw_pick(w, full ? 9 : 13);
    char b[160], dw[32], yw[64];
    long z = at_days_from_civil(y, m, d);
    const char *wd = wdays[((z % 7) + 7) % 7];
    switch (f) {
    case 0:
    case 1:
    case 2:
        snprintf(b, sizeof b, "%02d/%02d/%04d", d, m, y);
        break;
    case 3:
        if (d == 1)
            snprintf(b, sizeof b, "1er %s %d", months[m - 1], y);
        else
            snprintf(b, sizeof b, "%d %s %d", d, months[m - 1], y);
        break;
    case 4:
        snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, d);
        break;
    case 5:
        snprintf(b, sizeof b, "%02d.%02d.%02d", d, m, y % 100);
        break;
    case 6:
        words_below_100(dw, sizeof dw, d);
        words_year(yw, sizeof yw, y, nw_u(w) < 0.5);
        snprintf(b, sizeof b, "%s %s %s", d == 1 ? "premier" : dw, months[m - 1], yw);
        break;
    case 7:
        snprintf(b, sizeof b, "%s %d %s %d", wd, d, months[m - 1], y);
        break;
    case 8:
        snprintf(b, sizeof b, "%d/%d/%02d", d, m, y % 100);
        break;
    case 9:
        snprintf(b, sizeof b, "%d/%d", d, m);
        break;
    case 10:
        snprintf(b, sizeof b, "%02d/%02d", d, m);
        break;
    case 11:
        snprintf(b, sizeof b, "%s %d %s", wd, d, months[m - 1]);
        break;
    default:
        if (d == 1)
            snprintf(b, sizeof b, "1er %s", months[m - 1]);
        else
            snprintf(b, sizeof b, "%d %s", d, months[m - 1]);
    }
    nw_ent(w, label, b);
}

/* ---- traps ------------------------------------------------------------------------ */

void hw_trap(notes_writer *w, const char *s)
{
    while (*s && !w->st) {
        const char *o = strpbrk(s, "{[");
        if (!o) {
            nw_put(w, s);
            return;
        }
        char tmp[512];
        size_t n = (size_t)(o - s) < sizeof tmp ? (size_t)(o - s) : sizeof tmp - 1;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        nw_put(w, tmp);
        const char *c = strchr(o, *o == '{' ? '}' : ']');
        if (!c)
            return;
        n = (size_t)(c - o - 1) < sizeof tmp ? (size_t)(c - o - 1) : sizeof tmp - 1;
        memcpy(tmp, o + 1, n);
        tmp[n] = 0;
        if (*o == '[') { /* "[2009]": a year alone, a date */
            nw_ent(w, AT_PHI_DATE, tmp);
            s = c + 1;
            continue;
        }
        size_t a = w->b.len;
        nw_put(w, tmp);
        if (!w->st)
            w->st = at_text_spans_push(&w->epo, a, w->b.len - a, 0);
        s = c + 1;
    }
}

/* ---- identifiers ---------------------------------------------------------------------- */

static void digits(notes_writer *w, char *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (char)('0' + (i == 0 ? 1 + nw_pick(w, 9) : nw_pick(w, 10)));
    o[n] = 0;
}

static void make_phone(notes_writer *w, char *out, size_t cap, int mobile)
{
    int d[9];
    d[0] = mobile ? 6 + (int)nw_pick(w, 2) : 1 + (int)nw_pick(w, 5);
    for (int i = 1; i < 9; i++)
        d[i] = (int)nw_pick(w, 10);
    static const char *const fmt[] = {
        "0%d %d%d %d%d %d%d %d%d",     "0%d.%d%d.%d%d.%d%d.%d%d",       "0%d%d%d%d%d%d%d%d%d",
        "+33 %d %d%d %d%d %d%d %d%d",  "+33 (0)%d %d%d %d%d %d%d %d%d", "0%d-%d%d-%d%d-%d%d-%d%d",
        "(+33)%d.%d%d.%d%d.%d%d.%d%d", "0%d %d%d %d%d %d%d %d%d",       "0%d.%d%d.%d%d.%d%d.%d%d",
        "0%d%d%d %d%d %d%d %d%d",      "0%d.%d%d %d%d %d%d %d%d",       "0%d/%d%d/%d%d/%d%d/%d%d",
        "0%d  %d%d  %d%d  %d%d  %d%d"};
    snprintf(out, cap, fmt[nw_pick(w, 13)], d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
}

static void make_nir(notes_writer *w, const hosp_world *hw, char *out, size_t cap)
{
    char d[16];
    snprintf(d, 14, "%d%02d%02d%02d%03d%03d", hw->p.female ? 2 : 1, hw->by % 100, hw->bm,
             1 + (int)nw_pick(w, 95), 1 + (int)nw_pick(w, 990), 1 + (int)nw_pick(w, 999));
    snprintf(d + 13, 3, "%02d", at_text_nir_key(d));
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
        if ((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= '0' && f[i] <= '9'))
            out[o++] = f[i];
    out[o] = 0;
}

static void make_person(notes_writer *w, const hosp_pools *pl, hosp_person *p, int female)
{
    memset(p, 0, sizeof *p);
    p->female = female < 0 ? nw_u(w) < 0.5 : female;
    if (nw_u(w) < 0.3)
        hosp_made_first(w->rng, p->female, p->first, sizeof p->first);
    else
        snprintf(p->first, sizeof p->first, "%s",
                 p->female ? pl->first_f[nw_pick(w, pl->n_first_f)] : pl->first_m[nw_pick(w, pl->n_first_m)]);
    if (nw_u(w) < 0.4)
        hosp_made_surname(w->rng, p->last, sizeof p->last);
    else
        snprintf(p->last, sizeof p->last, "%s", pl->last[nw_pick(w, pl->n_last)]);
    if (nw_u(w) < 0.06) { /* a double name */
        size_t n = strlen(p->last);
        snprintf(p->last + n, sizeof p->last - n, "-%s", pl->last[nw_pick(w, pl->n_last)]);
    }
}

static void make_commune(notes_writer *w, const hosp_pools *pl, char *city, size_t cc, char *zip)
{
    if (nw_u(w) < 0.35) {
        hosp_made_place(w->rng, city, cc);
        snprintf(zip, 8, "%02d%03d", 1 + (int)nw_pick(w, 95), (int)nw_pick(w, 100) * 10);
    } else {
        const notes_commune *c = &pl->communes[nw_pick(w, pl->n_communes)];
        snprintf(city, cc, "%s", c->name);
        snprintf(zip, 8, "%s", c->zip);
    }
}

static void make_world(notes_writer *w, const hosp_pools *pl, hosp_world *hw)
{
    memset(hw, 0, sizeof *hw);
    make_person(w, pl, &hw->p, -1);
    if (hw->p.female && nw_u(w) < 0.4)
        snprintf(hw->maiden, sizeof hw->maiden, "%s", pl->last[nw_pick(w, pl->n_last)]);
    hw->by = 1925 + (int)nw_pick(w, 80);
    hw->bm = 1 + (int)nw_pick(w, 12);
    hw->bd = 1 + (int)nw_pick(w, 28);
    hw->y = 2016 + (int)nw_pick(w, 9);
    hw->m = 1 + (int)nw_pick(w, 12);
    hw->d = 1 + (int)nw_pick(w, 28);
    hw->age = hw->y - hw->by;
    make_person(w, pl, &hw->spouse, !hw->p.female);
    snprintf(hw->spouse.last, sizeof hw->spouse.last, "%s", hw->p.last);
    for (int k = 0; k < 2; k++) {
        make_person(w, pl, &hw->child[k], -1);
        snprintf(hw->child[k].last, sizeof hw->child[k].last, "%s", hw->p.last);
    }
    make_person(w, pl, &hw->sibling, -1);
    make_person(w, pl, &hw->friend_, -1);
    static const char *const specs[HW_DOCS] = {"oncologue", "chirurgien", "radiologue", "pathologiste",
                                               "médecin traitant"};
    for (int k = 0; k < HW_DOCS; k++) {
        make_person(w, pl, &hw->doc[k], -1);
        snprintf(hw->doc[k].spec, sizeof hw->doc[k].spec, "%s", specs[k]);
        char *r = hw->rpps[k];
        r[0] = '1';
        r[1] = '0';
        digits(w, r + 2, 8);
        r[2] = (char)('0' + nw_pick(w, 10));
        r[10] = (char)('0' + at_text_luhn_digit(r, 10));
        r[11] = 0;
    }
    for (int k = 0; k < 3; k++)
        make_person(w, pl, &hw->nurse[k], -1);
    for (int k = 0; k < 2; k++)
        make_person(w, pl, &hw->intern[k], -1);
    make_person(w, pl, &hw->secretary, 1);
    make_commune(w, pl, hw->city, sizeof hw->city, hw->zip);
    hw->rural = nw_u(w) < 0.3;
    if (hw->rural)
        snprintf(hw->addr, sizeof hw->addr, "%s", pl->rural[nw_pick(w, pl->n_rural)]);
    else
        snprintf(hw->addr, sizeof hw->addr, "%d%s %s", 1 + (int)nw_pick(w, 150), nw_u(w) < 0.1 ? " bis" : "",
                 pl->streets[nw_pick(w, pl->n_streets)]);
    make_phone(w, hw->phone, sizeof hw->phone, 1);
    make_phone(w, hw->phone2, sizeof hw->phone2, 0);
    char a[64], b[64];
    fold_ascii(hw->p.first, a, sizeof a);
    fold_ascii(hw->p.last, b, sizeof b);
    static const char *const mf[] = {"%s.%s@%s", "%s%s@%s", "%.1s%s%d@%s"};
    int mfi = (int)nw_pick(w, 3);
    if (mfi == 2)
        snprintf(hw->email, sizeof hw->email, mf[2], a, b, 1 + (int)nw_pick(w, 99),
                 pl->domains[nw_pick(w, pl->n_domains)]);
    else
        snprintf(hw->email, sizeof hw->email, mf[mfi], a, b, pl->domains[nw_pick(w, pl->n_domains)]);
    make_nir(w, hw, hw->nir, sizeof hw->nir);
    static const char *const ipp_forms[] = {"%s", "%s", "CAE-%s", "IPP%s", "%s"};
    char dg[16];
    digits(w, dg, 7 + nw_pick(w, 3));
    snprintf(hw->ipp, sizeof hw->ipp, ipp_forms[nw_pick(w, 5)], dg);
    digits(w, dg, 7);
    if (nw_u(w) < 0.5)
        snprintf(hw->nda, sizeof hw->nda, "S%02d-%s", hw->y % 100, dg);
    else
        snprintf(hw->nda, sizeof hw->nda, "%s%d", dg, (int)nw_pick(w, 100));
    if (nw_u(w) < 0.5)
        snprintf(hw->employer, sizeof hw->employer, "%s", pl->employers[nw_pick(w, pl->n_employers)]);
    else {
        char s[48];
        hosp_made_surname(w->rng, s, sizeof s);
        snprintf(hw->employer, sizeof hw->employer, pl->employer_forms[nw_pick(w, pl->n_employer_forms)], s);
    }
    snprintf(hw->insurer, sizeof hw->insurer, "%s", pl->insurers[nw_pick(w, pl->n_insurers)]);
    digits(w, dg, 8 + nw_pick(w, 3));
    snprintf(hw->insurer_no, sizeof hw->insurer_no, "%s", dg);
    char ib[32];
    digits(w, ib, 23);
    snprintf(hw->iban, sizeof hw->iban, "FR76 %.4s %.4s %.4s %.4s %.4s %.3s", ib, ib + 4, ib + 8, ib + 12,
             ib + 16, ib + 20);
    static const char L[] = "ABCDEFGHJKLMNPQRSTVWXYZ";
    snprintf(hw->plate, sizeof hw->plate, "%c%c-%03d-%c%c", L[nw_pick(w, 23)], L[nw_pick(w, 23)],
             (int)nw_pick(w, 1000), L[nw_pick(w, 23)], L[nw_pick(w, 23)]);
    snprintf(hw->url, sizeof hw->url, nw_u(w) < 0.5 ? "www.%s-%s.fr" : "https://www.facebook.com/%s.%s", a,
             b);
    snprintf(hw->handle, sizeof hw->handle, "@%.1s%s%d", a, b, (int)nw_pick(w, 100));
    /* establishments */
    char place[64], z[8];
    make_commune(w, pl, place, sizeof place, z);
    snprintf(hw->hosp, sizeof hw->hosp, pl->hosp_forms[nw_pick(w, pl->n_hosp_forms)], place);
    snprintf(hw->hcity, sizeof hw->hcity, "%s", place);
    snprintf(hw->hzip, sizeof hw->hzip, "%s", z);
    make_commune(w, pl, place, sizeof place, z);
    snprintf(hw->hosp2, sizeof hw->hosp2, pl->hosp_forms[nw_pick(w, pl->n_hosp_forms)], place);
    snprintf(hw->haddr, sizeof hw->haddr, "%d %s", 1 + (int)nw_pick(w, 80),
             pl->streets[nw_pick(w, pl->n_streets)]);
    make_phone(w, hw->hphone, sizeof hw->hphone, 0);
    memcpy(hw->finess, hw->hzip, 2);
    digits(w, hw->finess + 2, 6);
    hw->finess[2] = '0';
    hw->finess[8] = (char)('0' + at_text_luhn_digit(hw->finess, 8));
    hw->finess[9] = 0;
}

/* ---- noise ------------------------------------------------------------------------------- */

/* Rewrite the document with OCR errors (O for 0, l for 1 in numbers,
 * a few dropped accents) and lines wrapped near width columns with
 * words hyphenated across them; the gold spans and traps follow. */
static at_status ocr_noise(notes_writer *w, int width)
{
    const char *t = (const char *)w->b.data;
    size_t n = w->b.len;
    at_buf o;
    at_buf_init(&o, (size_t)1 << 22);
    size_t *map = at_malloc((n + 1) * sizeof *map);
    if (!map)
        return AT_ERR_NOMEM;
    at_status st = AT_OK;
    size_t col = 0;
    for (size_t i = 0; i < n && !st; i++) {
        map[i] = o.len;
        char c = t[i];
        if (c == '\n') {
            col = 0;
            st = at_buf_putc(&o, c);
            continue;
        }
        /* wrap: at a space past the width, or inside a long word */
        if (col >= (size_t)width && c == ' ') {
            st = at_buf_putc(&o, '\n');
            col = 0;
            continue;
        }
        if (col >= (size_t)width + 8 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && i + 2 < n &&
            ((t[i + 1] >= 'a' && t[i + 1] <= 'z') || (t[i + 1] >= 'A' && t[i + 1] <= 'Z'))) {
            st = at_buf_puts(&o, "-\n");
            col = 0;
        }
        if (!st && c >= '0' && c <= '1' && nw_u(w) < 0.18)
            c = c == '0' ? (nw_u(w) < 0.7 ? 'O' : 'o') : (nw_u(w) < 0.5 ? 'l' : 'I');
        if (!st)
            st = at_buf_putc(&o, c);
        col++;
    }
    map[n] = o.len;
    if (!st) {
        at_text_spans *lists[2] = {&w->gold, &w->epo};
        for (int l = 0; l < 2; l++)
            for (size_t k = 0; k < lists[l]->n; k++) {
                at_text_span *sp = &lists[l]->v[k];
                size_t a = map[sp->start], e = map[sp->start + sp->len];
                /* a wrap right before the span belongs to no one */
                while (a < e && (o.data[a] == '\n' || o.data[a] == ' '))
                    a++;
                while (e > a && (o.data[e - 1] == '\n' || o.data[e - 1] == '-' || o.data[e - 1] == ' '))
                    e--;
                sp->start = a;
                sp->len = e - a;
            }
        at_buf_free(&w->b);
        w->b = o;
    } else {
        at_buf_free(&o);
    }
    at_free(map);
    return st;
}

/* Typing errors: two letters swapped in a few long words (offsets
 * unchanged), so that unknown words in lower case are mostly not names. */
static void typo_noise(notes_writer *w)
{
    char *t = (char *)w->b.data;
    size_t n = w->b.len;
    for (size_t i = 0; i < n;) {
        size_t a = i;
        while (i < n && ((t[i] >= 'a' && t[i] <= 'z')))
            i++;
        if (i - a >= 6 && (a == 0 || !((unsigned char)t[a - 1] & 0x80)) && nw_u(w) < 0.04) {
            size_t k = a + 1 + nw_pick(w, i - a - 3);
            char c = t[k];
            t[k] = t[k + 1];
            t[k + 1] = c;
        }
        i += i == a;
    }
}

/* The whole document in lower case (a fast typist). */
static void lower_all(notes_writer *w)
{
    char *t = (char *)w->b.data;
    for (size_t i = 0; i < w->b.len; i++)
        if (t[i] >= 'A' && t[i] <= 'Z')
            t[i] = (char)(t[i] + 32);
}

at_status at_synth_hospital_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out)
{
    *out = NULL;
    if (n > 1000000)
        return at_error_set(AT_ERR_LIMIT, "synthetic documents: %zu exceeds the limit of 1000000", n);
    at_text_doc *docs = at_calloc(n ? n : 1, sizeof *docs);
    if (!docs)
        return AT_ERR_NOMEM;
    hosp_pools pl;
    hosp_pools_get(heldout, &pl);
    at_rng rng;
    at_rng_seed(&rng, seed ^ (heldout ? 0x686f73702d68656cull : 0x686f73702d747261ull));
    notes_writer w;
    memset(&w, 0, sizeof w);
    w.rng = &rng;
    w.heldout = heldout;
    hosp_world *hw = at_calloc(1, sizeof *hw);
    if (!hw) {
        at_free(docs);
        return AT_ERR_NOMEM;
    }
    int left = 0, patient = -1;
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st; i++) {
        if (left == 0) {
            make_world(&w, &pl, hw);
            left = 1 + (int)nw_pick(&w, 4);
            patient++;
        }
        left--;
        int kind = (int)nw_pick(&w, HOSP_KIND_COUNT);
        at_buf_init(&w.b, (size_t)1 << 22);
        memset(&w.gold, 0, sizeof w.gold);
        memset(&w.epo, 0, sizeof w.epo);
        w.st = AT_OK;
        hw->lower_names = nw_u(&w) < 0.08;
        int base = kind == HOSP_KIND_OCR ? (int)nw_pick(&w, HOSP_KIND_TABLE) : kind;
        hosp_document(&w, hw, base);
        if (!w.st && kind == HOSP_KIND_OCR)
            w.st = ocr_noise(&w, 55 + (int)nw_pick(&w, 30));
        else if (!w.st && nw_u(&w) < 0.04)
            lower_all(&w);
        if (!w.st && nw_u(&w) < 0.3)
            typo_noise(&w);
        hw->d += 2 + (int)nw_pick(&w, 20);
        if (hw->d > 28) {
            hw->d -= 28;
            if (++hw->m > 12) {
                hw->m = 1;
                hw->y++;
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
        snprintf(pid, sizeof pid, "H%06d", patient);
        docs[i].patient_id = at_strdup(pid);
        if (!st && (!docs[i].text || !docs[i].patient_id))
            st = AT_ERR_NOMEM;
    }
    at_free(hw);
    if (st) {
        at_text_docs_free(docs, n);
        return st;
    }
    *out = docs;
    return AT_OK;
}

at_status at_synth_tagger_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out)
{
    *out = NULL;
    size_t nh = n - n / 3, nc = n / 3;
    at_text_doc *h = NULL, *c = NULL;
    at_status st = at_synth_hospital_docs(nh, seed, heldout, &h);
    if (!st)
        st = at_synth_docs(nc, seed * 2 + 1, heldout, &c);
    at_text_doc *all = st ? NULL : at_calloc(n ? n : 1, sizeof *all);
    if (!st && !all)
        st = AT_ERR_NOMEM;
    if (st) {
        at_text_docs_free(h, nh);
        at_text_docs_free(c, nc);
        return st;
    }
    /* interleaved, so that neither generator comes in one block */
    size_t i = 0, a = 0, b = 0;
    while (a < nh || b < nc) {
        if (a < nh)
            all[i++] = h[a++];
        if (a < nh)
            all[i++] = h[a++];
        if (b < nc)
            all[i++] = c[b++];
    }
    at_free(h);
    at_free(c);
    *out = all;
    return AT_OK;
}
