/* The patient's own identity (--patient-info): loading the "key: value"
 * file, preparing what detection looks for (names, birth date, IPP, and the
 * NIR, phone, e-mail, address, commune and postcode in any writing), the
 * detection pass that finds them, and birth dates (the patient's, and any
 * date a birth word stands before). */
#include "deid_scan.h"

#include <stdio.h>

#define PATIENT_MAX_FILE (64u << 10)

/* Add a name (whole, and each word split at spaces, hyphens and
 * apostrophes, ' or ’) to patdict; a particle ("Le" of "Le Goff", "de",
 * "van") or an elision ("d'" of "d'Ormesson") counts only in the whole
 * name, or every "le" of the text would be the patient's name. */
static at_status add_name_words(const text_dict *dict, text_dict *pd, const char *name, unsigned flag)
{
    if (!name || !*name)
        return AT_OK;
    char f[256];
    int n = text_fold_word(name, strlen(name), f, sizeof f);
    if (n < 0)
        return at_error_set(AT_ERR_FORMAT, "patient info: a name is too long or not UTF-8");
    at_status st = text_dict_add(pd, f, (size_t)n, flag, 0);
    size_t a = 0;
    for (size_t i = 0; i <= (size_t)n && !st; i++) {
        if (i == (size_t)n || f[i] == ' ' || f[i] == '-' || f[i] == '\'') {
            int elision = i < (size_t)n && f[i] == '\'' && i - a <= 2;
            if (i > a + 1 && !elision && !(text_dict_get(dict, f + a, i - a, NULL) & DICT_PARTICLE))
                st = text_dict_add(pd, f + a, i - a, flag, 0);
            a = i + 1;
        }
    }
    return st;
}

/* The skeleton of s: its folded letters and digits, everything else
 * dropped ("12, rue de l'Église" -> "12ruedeleglise"). Returns its length,
 * -1 when it does not fit in cap - 1 bytes or s is not UTF-8. */
static int skeleton(const char *s, size_t n, char *out, size_t cap)
{
    char f[512];
    int fl = n < 160 ? at_text_fold(s, n, f, sizeof f) : -1;
    if (fl < 0)
        return -1;
    size_t o = 0;
    for (int i = 0; i < fl; i++) {
        char c = f[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (o + 1 >= cap)
                return -1;
            out[o++] = c;
        }
    }
    out[o] = 0;
    return (int)o;
}

/* Add one skeleton to look for (nothing when it is shorter than min). */
static at_status add_skel(at_text_deid *d, const char *skel, size_t n, int label, size_t min, int need_cap,
                          const char *field)
{
    if (n < min)
        return AT_OK;
    if (d->pat_nskel >= PAT_MAX_SKEL || n >= sizeof d->pat_skel[0].s)
        return at_error_set(AT_ERR_LIMIT, "patient info: %s is too long", field);
    pat_skel *k = &d->pat_skel[d->pat_nskel++];
    memcpy(k->s, skel, n);
    k->s[n] = 0;
    k->n = (uint8_t)n;
    k->label = (uint8_t)label;
    k->need_cap = (uint8_t)need_cap;
    return AT_OK;
}

static at_status add_field(at_text_deid *d, const char *v, int label, size_t min, const char *field)
{
    if (!v || !*v)
        return AT_OK;
    char sk[PAT_SKEL_LEN];
    int n = skeleton(v, strlen(v), sk, sizeof sk);
    if (n < 0)
        return at_error_set(AT_ERR_LIMIT, "patient info: %s is too long", field);
    return add_skel(d, sk, (size_t)n, label, min, 0, field);
}

/* The phone in its national (0XXXXXXXXX) and international (+33, 0033,
 * +33 (0)) digit writings. */
static at_status add_phone(at_text_deid *d, const char *v)
{
    char dg[PAT_SKEL_LEN];
    int n = v ? skeleton(v, strlen(v), dg, sizeof dg) : 0;
    if (n < 0)
        return at_error_set(AT_ERR_LIMIT, "patient info: tel is too long");
    const char *nat = NULL;
    char buf[16];
    if (n == 13 && !memcmp(dg, "0033", 4)) {
        buf[0] = '0';
        memcpy(buf + 1, dg + 4, 9);
        nat = buf;
    } else if (n == 11 && !memcmp(dg, "33", 2)) {
        buf[0] = '0';
        memcpy(buf + 1, dg + 2, 9);
        nat = buf;
    } else if (n == 12 && !memcmp(dg, "330", 3)) {
        memcpy(buf, dg + 2, 10);
        nat = buf;
    } else if (n == 10 && dg[0] == '0') {
        nat = dg;
    }
    if (!nat)
        return n ? add_skel(d, dg, (size_t)n, AT_PHI_TEL, 6, 0, "tel") : AT_OK;
    char w[4][16];
    snprintf(w[0], sizeof w[0], "%.10s", nat);
    snprintf(w[1], sizeof w[1], "33%.9s", nat + 1);
    snprintf(w[2], sizeof w[2], "0033%.9s", nat + 1);
    snprintf(w[3], sizeof w[3], "330%.9s", nat + 1);
    at_status st = AT_OK;
    for (int i = 0; i < 4 && !st; i++)
        st = add_skel(d, w[i], strlen(w[i]), AT_PHI_TEL, 10, 0, "tel");
    return st;
}

/* A commune (n bytes at v): a one-word commune that is also a common word
 * ("Tours") counts only with a capital. */
static at_status add_city(at_text_deid *d, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    char sk[PAT_SKEL_LEN], f[256];
    int sn = skeleton(v, n, sk, sizeof sk);
    if (sn < 0)
        return at_error_set(AT_ERR_LIMIT, "patient info: a commune is too long");
    int fl = n < 120 ? at_text_fold(v, n, f, sizeof f) : -1;
    int common = fl > 0 && (text_dict_get(&d->dict, f, (size_t)fl, NULL) & DICT_COMMON);
    return add_skel(d, sk, (size_t)sn, AT_PHI_VILLE, 2, common, "ville");
}

/* The address: each comma-separated part ("12 rue des Lilas", "35000
 * Rennes"), and the street without its number ("rue des Lilas"). */
static at_status add_address(at_text_deid *d, const char *v)
{
    at_status st = AT_OK;
    for (const char *p = v; p && *p && !st;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        char sk[PAT_SKEL_LEN];
        int sn = skeleton(p, n, sk, sizeof sk);
        if (sn < 0)
            return at_error_set(AT_ERR_LIMIT, "patient info: adresse is too long");
        int digits = 0;
        while (digits < sn && sk[digits] >= '0' && sk[digits] <= '9')
            digits++;
        if (digits == 5) { /* "35000 Rennes": a postcode and a commune */
            st = add_skel(d, sk, 5, AT_PHI_ZIP, 5, 0, "adresse");
            size_t z = 0;
            for (int seen = 0; z < n && seen < 5; z++)
                seen += p[z] >= '0' && p[z] <= '9';
            if (!st && sn > 5)
                st = add_city(d, p + z, n - z);
        } else {
            st = add_skel(d, sk, (size_t)sn, AT_PHI_ADRESSE, 4, 0, "adresse");
            /* the street alone: after the number and bis/ter */
            size_t a = (size_t)digits;
            if (a && (!strncmp(sk + a, "bis", 3) || !strncmp(sk + a, "ter", 3)))
                a += 3;
            if (!st && a > 0 && a < (size_t)sn)
                st = add_skel(d, sk + a, (size_t)sn - a, AT_PHI_ADRESSE, 6, 0, "adresse");
        }
        p = c ? c + 1 : NULL;
    }
    return st;
}

at_status at_text_deid_set_patient(at_text_deid *d, const at_text_patient *p)
{
    text_dict_free(&d->patdict);
    d->have_patient = 0;
    d->pat_ipp[0] = 0;
    d->pat_nskel = 0;
    d->pat_birth = 0;
    at_status st = text_dict_init(&d->patdict, 64);
    if (st || !p)
        return st;
    st = add_name_words(&d->dict, &d->patdict, p->last_name, DICT_PATLAST);
    if (!st)
        st = add_name_words(&d->dict, &d->patdict, p->first_name, DICT_PATFIRST);
    if (!st && p->ipp) {
        if (strlen(p->ipp) >= sizeof d->pat_ipp)
            st = at_error_set(AT_ERR_LIMIT, "patient info: ipp is too long");
        else
            snprintf(d->pat_ipp, sizeof d->pat_ipp, "%s", p->ipp);
    }
    if (!st && p->birth_date) {
        int ymd = 0;
        size_t n = strlen(p->birth_date);
        if (text_scan_date_numeric(p->birth_date, n, 0, &ymd) == n && ymd >= 10000000)
            d->pat_birth = ymd;
        else
            st = at_error_set(AT_ERR_FORMAT,
                              "patient info: date_naissance is not a date (dd/mm/yyyy or yyyy-mm-dd)");
    }
    /* the NIR whole and without its key */
    if (!st && p->nir) {
        char sk[PAT_SKEL_LEN];
        int n = skeleton(p->nir, strlen(p->nir), sk, sizeof sk);
        if (n < 0)
            st = at_error_set(AT_ERR_LIMIT, "patient info: nir is too long");
        if (!st)
            st = add_skel(d, sk, (size_t)n, AT_PHI_SECU, 8, 0, "nir");
        if (!st && n == 15)
            st = add_skel(d, sk, 13, AT_PHI_SECU, 13, 0, "nir");
    }
    if (!st)
        st = add_phone(d, p->phone);
    if (!st)
        st = add_field(d, p->email, AT_PHI_MAIL, 5, "mail");
    if (!st && p->address)
        st = add_address(d, p->address);
    if (!st)
        st = add_field(d, p->zip, AT_PHI_ZIP, 4, "cp");
    if (!st && p->city && *p->city)
        st = add_city(d, p->city, strlen(p->city));
    d->have_patient = !st;
    return st;
}

void at_text_patient_free(at_text_patient *p)
{
    char **f[] = {&p->last_name, &p->first_name, &p->birth_date, &p->ipp,   &p->nir,       &p->address,
                  &p->city,      &p->zip,        &p->phone,      &p->email, &p->patient_id};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        at_free(*f[i]);
        *f[i] = NULL;
    }
}

/* 1 when s is a full numeric date (dd/mm/yyyy, yyyy-mm-dd, ...). */
static int birth_date_ok(const char *s)
{
    int ymd = 0;
    size_t n = strlen(s);
    if (text_scan_date_numeric(s, n, 0, &ymd) != n || ymd < 10000000)
        return 0;
    /* a day of its month (31/02 is a typing error, not a birth date) */
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] + (m == 2 && leap);
}

char **text_patient_field(at_text_patient *p, const char *key, size_t kl)
{
    /* folded keys: "Prénom", "PRENOM" and "prenom" are one key */
    static const char *const keys[] = {"nom", "prenom", "date_naissance", "ipp", "nir", "adresse", "ville",
                                       "cp",  "tel",    "mail",           "id"};
    char **slots[] = {&p->last_name, &p->first_name, &p->birth_date, &p->ipp,   &p->nir,       &p->address,
                      &p->city,      &p->zip,        &p->phone,      &p->email, &p->patient_id};
    char fk[64];
    int fkl = kl < 32 ? at_text_fold(key, kl, fk, sizeof fk) : -1;
    for (size_t k = 0; k < sizeof keys / sizeof *keys && fkl > 0; k++)
        if ((size_t)fkl == strlen(keys[k]) && !memcmp(fk, keys[k], (size_t)fkl))
            return slots[k];
    return NULL;
}

at_status text_patient_set(at_text_patient *p, char **slot, const char *v, size_t n)
{
    at_free(*slot);
    *slot = at_strndup(v, n);
    if (!*slot)
        return AT_ERR_NOMEM;
    if (slot == &p->birth_date && !birth_date_ok(p->birth_date))
        return at_error_set(AT_ERR_FORMAT, "date_naissance is not a date (dd/mm/yyyy or yyyy-mm-dd)");
    return AT_OK;
}

at_status at_text_patient_load(const char *path, at_text_patient *p)
{
    memset(p, 0, sizeof *p);
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, PATIENT_MAX_FILE, &data, &len);
    if (st)
        return st;
    st = text_patient_parse(path, (const char *)data, len, p);
    at_free(data);
    return st;
}

at_status text_patient_parse(const char *path, const char *data, size_t len, at_text_patient *p)
{
    memset(p, 0, sizeof *p);
    size_t bad;
    if (at_text_utf8_check(data, len, &bad))
        return at_error_set(AT_ERR_FORMAT, "%s: byte %zu: not UTF-8", path, bad);
    at_status st = AT_OK;
    const char *s = data, *end = s + len;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3; /* the byte order mark of a file saved by Windows Notepad */
    size_t line = 1;
    while (s < end && !st) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        const char *colon = memchr(s, ':', (size_t)(le - s));
        if (colon && *s != '#') {
            const char *ks = s, *ke = colon, *vs = colon + 1, *ve = le;
            while (ks < ke && (*ks == ' ' || *ks == '\t'))
                ks++;
            while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
                ke--;
            while (vs < ve && (*vs == ' ' || *vs == '\t'))
                vs++;
            while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
                ve--;
            char **slot = text_patient_field(p, ks, (size_t)(ke - ks));
            if (!slot)
                st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: unknown key", path, line);
            else if ((st = text_patient_set(p, slot, vs, (size_t)(ve - vs))) && st != AT_ERR_NOMEM)
                at_error_prefix(st, "%s: line %zu", path, line);
        } else if (le > s && *s != '#' && !(le - s == 1 && *s == '\r')) {
            st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: expected 'key: value'", path, line);
        }
        s = le + 1;
        line++;
    }
    char **any[] = {&p->last_name, &p->first_name, &p->birth_date, &p->ipp,   &p->nir,       &p->address,
                    &p->city,      &p->zip,        &p->phone,      &p->email, &p->patient_id};
    int fields = 0;
    for (size_t k = 0; k < sizeof any / sizeof *any; k++)
        fields += *any[k] != NULL;
    if (!st && !fields) /* an empty export must not pass for an identity */
        st = at_error_set(AT_ERR_FORMAT,
                          "%s: no field (one 'key: value' line each: nom, prenom, date_naissance, ipp, "
                          "nir, adresse, ville, cp, tel, mail, id)",
                          path);
    if (st)
        at_text_patient_free(p);
    return st;
}

/* The skeleton of token i appended to buf at *o (cap bytes); 0 when it
 * does not fit. Punctuation adds nothing. */
static int tok_skeleton(const text_scan *s, size_t i, char *buf, size_t *o, size_t cap)
{
    const text_tok *k = &s->tok[i];
    if (k->kind == TOK_PUNCT)
        return 1;
    char f[136];
    int fl = k->e - k->s <= 40 ? at_text_fold(s->t + k->s, k->e - k->s, f, sizeof f) : -1;
    if (fl < 0)
        return 0;
    for (int j = 0; j < fl; j++) {
        char c = f[j];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (*o + 1 >= cap)
                return 0;
            buf[(*o)++] = c;
        }
    }
    return 1;
}

/* The patient's skeletons from token i: the end of the longest match on
 * one line, ending at a token boundary, or 0; *label its label. */
static size_t match_patient(const text_scan *s, size_t i, int *label)
{
    const at_text_deid *d = s->d;
    char acc[PAT_SKEL_LEN + 48];
    size_t o = 0, best = 0;
    if (!tok_skeleton(s, i, acc, &o, sizeof acc) || !o)
        return 0;
    /* a first token that starts no skeleton ends the search at once */
    int any = 0;
    for (int k = 0; k < d->pat_nskel && !any; k++)
        any = d->pat_skel[k].n >= o ? !memcmp(d->pat_skel[k].s, acc, o) : 0;
    if (!any)
        return 0;
    for (size_t j = i;;) {
        for (int k = 0; k < d->pat_nskel; k++) {
            const pat_skel *p = &d->pat_skel[k];
            if (p->n == o && !memcmp(p->s, acc, o) && s->tok[j].kind != TOK_PUNCT &&
                (!p->need_cap || s->tok[i].cap)) {
                best = j + 1;
                *label = p->label;
            }
        }
        j++;
        if (j >= s->n || s->tok[j].nl || j - i > 24 || o >= PAT_SKEL_LEN)
            break;
        if (!tok_skeleton(s, j, acc, &o, sizeof acc))
            break;
    }
    return best;
}

static unsigned patient_name_flags(const at_text_deid *d, const char *f, size_t n)
{
    return text_dict_get(&d->patdict, f, n, NULL) & (DICT_PATLAST | DICT_PATFIRST);
}

/* The patient's name in a hyphenated word f (n bytes, folded): the word
 * with spaces for its hyphens ("le-goff" for "Le Goff"), else one of its
 * parts ("kerherve-durand"); a part that is a common word counts only
 * when caps (a capital), so that "petit-fils" is not Petit's. */
static unsigned hyphen_name_flags(const at_text_deid *d, const char *f, size_t n, int caps)
{
    char g[256];
    memcpy(g, f, n);
    for (size_t j = 0; j < n; j++)
        g[j] = g[j] == '-' ? ' ' : g[j];
    unsigned pf = patient_name_flags(d, g, n);
    for (size_t a = 0, j = 0; j <= n && !pf; j++)
        if (j == n || f[j] == '-') {
            unsigned p = j > a + 1 ? patient_name_flags(d, f + a, j - a) : 0;
            if (p && (caps || !(text_dict_get(&d->dict, f + a, j - a, NULL) & DICT_COMMON)))
                pf = p;
            a = j + 1;
        }
    return pf;
}

/* A particle or an elision ("d'", "O'") that may start a name. */
static int name_lead(const at_text_deid *d, const char *f, size_t n)
{
    return (n >= 2 && f[n - 1] == '\'') || (text_dict_get(&d->dict, f, n, NULL) & DICT_PARTICLE);
}

/* The patient's name as particles or elisions and the word after them,
 * on one line, from token i whose folded form is f (n bytes, f holds
 * 256): "le" + " goff", "van" + " der" + " berg", "d'" + "ormesson" (no
 * space after an elision). Returns the end token, 0 when none. */
static size_t particle_name_end(const text_scan *s, size_t i, char *f, size_t n, unsigned *pf)
{
    size_t o = n;
    for (size_t j = i + 1; j < s->n && j < i + 4; j++) {
        const text_tok *w = &s->tok[j];
        if (w->kind != TOK_WORD || w->nl || s->lab[j] || w->e - w->s > 40 || o + 2 >= 256)
            return 0;
        int glued = f[o - 1] == '\'' && w->s == s->tok[j - 1].e;
        if (!glued)
            f[o++] = ' ';
        int wl = text_fold_word(s->t + w->s, w->e - w->s, f + o, 256 - o);
        if (wl <= 0)
            return 0;
        o += (size_t)wl;
        if ((*pf = patient_name_flags(s->d, f, o)))
            return j + 1;
        if (!name_lead(s->d, f + o - (size_t)wl, (size_t)wl))
            return 0;
    }
    return 0;
}

/* The patient's name at word token i: the word; a hyphenated word one of
 * whose parts is the patient's ("Kerhervé-Durand", "soizic-marie"; a part
 * that is a common word with a capital only) or which is the name with a
 * hyphen ("Le-Goff"); particles and elisions with the word after them, on
 * one line ("Le Goff", "Van der Berg", "de la Fontaine", "d'Ormesson"; a
 * particle alone is not the name). A name that is also a common word
 * ("Petit", "Rose") counts only with a capital. Returns the end token and
 * *label, 0 when none. */
static size_t patient_name_at(const text_scan *s, size_t i, int *label)
{
    const at_text_deid *d = s->d;
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || k->e - k->s > 40)
        return 0;
    char f[256];
    int fl = text_fold_word(s->t + k->s, k->e - k->s, f, sizeof f);
    if (fl <= 0)
        return 0;
    size_t n = (size_t)fl, end = i + 1;
    int caps = k->cap || k->allcaps;
    unsigned pf = patient_name_flags(d, f, n);
    if (!pf && memchr(f, '-', n))
        pf = hyphen_name_flags(d, f, n, caps);
    if (!pf && name_lead(d, f, n)) {
        char g[256];
        memcpy(g, f, n);
        size_t e = particle_name_end(s, i, g, n, &pf);
        if (e)
            end = e;
        else
            pf = 0;
    }
    if (!pf || (end == i + 1 && !caps && (text_dict_get(&d->dict, f, n, NULL) & DICT_COMMON)))
        return 0;
    *label = pf & DICT_PATLAST ? AT_PHI_NOM : AT_PHI_PRENOM;
    return end;
}

/* The patient's IPP as token i: the number alone, or glued to the letters
 * of its label ("ipp80012345"). */
static int patient_ipp_at(const text_scan *s, size_t i)
{
    const char *ipp = s->d->pat_ipp, *t = s->t + s->tok[i].s;
    size_t m = strlen(ipp), n = s->tok[i].e - s->tok[i].s;
    if (!m || n < m || memcmp(t + n - m, ipp, m))
        return 0;
    for (size_t j = 0; j < n - m; j++)
        if (!((t[j] >= 'a' && t[j] <= 'z') || (t[j] >= 'A' && t[j] <= 'Z')))
            return 0;
    return 1;
}

void deid_pass_patient(text_scan *s)
{
    const at_text_deid *d = s->d;
    if (!d->have_patient)
        return;
    for (size_t i = 0; i < s->n; i++) {
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
        if (d->pat_nskel && k->kind != TOK_PUNCT) {
            int label = 0;
            size_t e = match_patient(s, i, &label);
            if (e) {
                size_t a = i;
                /* "+33 6 ...": the plus sign belongs to the number */
                if (label == AT_PHI_TEL && a > 0 && is_punct(s, a - 1, '+') && s->tok[a - 1].e == k->s &&
                    !s->lab[a - 1])
                    a--;
                if (mark(s, a, e, label)) {
                    i = e - 1;
                    continue;
                }
            }
        }
        int nl;
        size_t ne = patient_name_at(s, i, &nl);
        if (ne && mark(s, i, ne, nl)) {
            i = ne - 1;
            continue;
        }
        if (k->kind != TOK_PUNCT && patient_ipp_at(s, i))
            mark(s, i, i + 1, AT_PHI_IPP);
    }
}

void deid_pass_birth_dates(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (s->lab[i] != AT_PHI_DATE || (i > 0 && s->ent[i - 1] == s->ent[i]))
            continue;
        int birth = 0, ymd = 0;
        if (s->d->pat_birth && s->tok[i].kind == TOK_NUM &&
            text_scan_date_numeric(s->t, s->len, s->tok[i].s, &ymd) && ymd == s->d->pat_birth)
            birth = 1; /* the patient's own birth date, wherever it is */
        for (size_t b = i; b > 0 && i - b < 8 && !birth; b--) {
            birth = (s->tok[b - 1].dflags & DICT_BIRTH) != 0;
            /* (not past another date: "née le 11 03 1949 hospitalisée du
             * 08 09 2026") */
            if (s->tok[b - 1].nl || s->lab[b - 1] == AT_PHI_DATE || s->lab[b - 1] == AT_PHI_DATE_NAISSANCE)
                break;
        }
        if (!birth)
            continue;
        for (size_t j = i; j < s->n && s->ent[j] == s->ent[i]; j++)
            s->lab[j] = AT_PHI_DATE_NAISSANCE;
    }
}
