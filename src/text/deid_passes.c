/* The detection passes of the de-identifier, from the most to the least
 * certain. Each labels whole tokens through mark(), which refuses tokens
 * an earlier pass already took. */
#include "deid_scan.h"

static int tok_has_digit(const text_scan *s, size_t i)
{
    for (uint32_t k = s->tok[i].s; k < s->tok[i].e; k++)
        if (s->t[k] >= '0' && s->t[k] <= '9')
            return 1;
    return 0;
}

static size_t tok_len(const text_scan *s, size_t i) { return s->tok[i].e - s->tok[i].s; }

static int is_connector(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_WORD && !s->tok[i].cap && (s->tok[i].dflags & DICT_CONNECT);
}

void deid_pass_email(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->tok[i].kind != TOK_PUNCT || s->t[s->tok[i].s] != '@')
            continue;
        size_t a = text_scan_email_start(s->t, s->tok[i].s);
        size_t e = text_scan_email_end(s->t, s->len, s->tok[i].s);
        if (a >= s->tok[i].s || !e)
            continue;
        size_t j = i;
        while (j > 0 && s->tok[j - 1].s >= a)
            j--;
        mark(s, j, tok_end_index(s, i, e), AT_PHI_MAIL);
    }
}

static int zip_ok(const text_scan *s, size_t i)
{
    if (s->tok[i].kind != TOK_NUM || tok_len(s, i) != 5)
        return 0;
    int dep = (s->t[s->tok[i].s] - '0') * 10 + (s->t[s->tok[i].s + 1] - '0');
    return dep >= 1 && dep <= 98 && dep != 96;
}

/* A place name run from i: capitalised words and inner connectors. */
static size_t place_run(const text_scan *s, size_t i, size_t max)
{
    size_t j = i, last = i;
    while (j < s->n && j - i < max && !s->lab[j] && (j == i || !s->tok[j].nl)) {
        if (is_name_word(s, j) && !tok_fold_is(s, j, "cedex")) {
            j++;
            last = j;
        } else if ((is_connector(s, j) || is_punct(s, j, '\'')) && j > i) {
            j++;
        } else {
            break;
        }
    }
    return last;
}

void deid_pass_numbers(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || !(k->kind == TOK_NUM || (k->kind == TOK_PUNCT && s->t[k->s] == '+')))
            continue;
        size_t e;
        int ymd;
        if ((e = text_scan_nir(s->t, s->len, k->s))) {
            mark(s, i, tok_end_index(s, i, e), AT_PHI_SECU);
        } else if ((e = text_scan_phone(s->t, s->len, k->s))) {
            mark(s, i, tok_end_index(s, i, e), AT_PHI_TEL);
        } else if (k->kind == TOK_NUM && (e = text_scan_date_numeric(s->t, s->len, k->s, &ymd))) {
            mark(s, i, tok_end_index(s, i, e), AT_PHI_DATE);
        } else if (k->kind == TOK_NUM && zip_ok(s, i) && is_name_word(s, i + 1) && !s->tok[i + 1].nl &&
                   !(s->tok[i + 1].dflags & (DICT_MONTH | DICT_COMMON)) ) {
            size_t r = place_run(s, i + 1, 6);
            if (r > i + 1 && mark(s, i, i + 1, AT_PHI_ZIP))
                mark(s, i + 1, r, AT_PHI_VILLE);
        } else if (k->kind == TOK_NUM && tok_len(s, i) <= 4) {
            size_t j = i + 1;
            if (j < s->n && (tok_is(s, j, "bis") || tok_is(s, j, "ter")))
                j++;
            if (is_punct(s, j, ','))
                j++;
            if (j < s->n && (s->tok[j].dflags & DICT_STREET) && !s->tok[j].nl) {
                size_t r = j + 1;
                while (r < s->n && r - j < 9 && !s->tok[r].nl && s->tok[r].kind != TOK_NUM &&
                       !(s->tok[r].kind == TOK_PUNCT && s->t[s->tok[r].s] != '\'' && s->t[s->tok[r].s] != '-'))
                    r++;
                mark(s, i, r, AT_PHI_ADRESSE);
            }
        }
    }
}

void deid_pass_labelled_ids(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!(s->tok[i].dflags & DICT_IDLABEL) || s->tok[i].kind != TOK_WORD)
            continue;
        int label = s->tok[i].dval;
        size_t j = i + 1;
        while (j < s->n && j - i <= 7 && !s->tok[j].nl &&
               (s->tok[j].kind == TOK_PUNCT || (s->tok[j].kind == TOK_WORD && !tok_has_digit(s, j) && tok_len(s, j) <= 9 &&
                                                !s->tok[j].allcaps)))
            j++;
        if (j >= s->n || s->tok[j].nl || !tok_has_digit(s, j) || s->lab[j])
            continue;
        size_t r = j + 1;
        int groups = label == AT_PHI_SECU || label == AT_PHI_RPPS || label == AT_PHI_FINESS;
        while (groups && r < s->n && !s->tok[r].nl && s->tok[r].kind == TOK_NUM && s->tok[r].s == s->tok[r - 1].e + 1 &&
               s->t[s->tok[r].s - 1] == ' ' && r - j < 8)
            r++;
        mark(s, j, r, label);
    }
}

void deid_pass_text_dates(text_scan *s)
{
    for (size_t i = 0; i + 1 < s->n; i++) {
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
        int day = 0;
        if (k->kind == TOK_NUM && tok_len(s, i) <= 2) {
            day = atoi_n(s->t + k->s, tok_len(s, i));
        } else if (tok_is(s, i, "1er")) {
            day = 1;
        }
        if (day >= 1 && day <= 31 && (s->tok[i + 1].dflags & DICT_MONTH)) {
            size_t j = i + 2;
            if (is_punct(s, j, '.'))
                j++;
            if (j < s->n && s->tok[j].kind == TOK_NUM && tok_len(s, j) == 4)
                j++;
            mark(s, i, j, AT_PHI_DATE);
        } else if ((k->dflags & DICT_MONTH) && k->kind == TOK_WORD && s->tok[i + 1].kind == TOK_NUM &&
                   tok_len(s, i + 1) == 4 && !s->tok[i + 1].nl) {
            mark(s, i, i + 2, AT_PHI_DATE);
        }
    }
}

void deid_pass_hospitals(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!(s->tok[i].dflags & DICT_HOSP) || !s->tok[i].cap || s->lab[i])
            continue;
        size_t j = i + 1;
        int qual = 0;
        while (j < s->n && !s->tok[j].nl && (s->tok[j].dflags & DICT_HOSPQUAL)) {
            j++;
            qual = 1;
        }
        if (tok_is(s, j, "de") && tok_is(s, j + 1, "lutte") && tok_is(s, j + 2, "contre") && tok_is(s, j + 3, "le") &&
            tok_is(s, j + 4, "cancer")) {
            j += 5;
            qual = 1;
        }
        int names = 0;
        for (;;) {
            if (j < s->n && !s->tok[j].nl && is_name_word(s, j) && !s->lab[j] && !(s->tok[j].dflags & DICT_TITLE) &&
                !(is_punct(s, j + 1, ':'))) {
                j++;
                names++;
            } else if (j + 1 < s->n && !s->tok[j].nl && (is_connector(s, j) || is_punct(s, j, '\'')) &&
                       !s->tok[j + 1].nl && (is_name_word(s, j + 1) || is_punct(s, j + 1, '\'')) &&
                       !(s->tok[j + 1].dflags & DICT_TITLE)) {
                j++;
            } else {
                break;
            }
        }
        while (j > i + 1 && (is_connector(s, j - 1) || is_punct(s, j - 1, '\'')))
            j--;
        if (names || (qual && !tok_is(s, i, "centre")))
            mark(s, i, j, AT_PHI_HOPITAL);
    }
}

/* Label a run of name tokens [a, b): override 2 = all surnames, 3 = all
 * first names, else by case and the first-name dictionary. */
static void label_name_run(text_scan *s, size_t a, size_t b, int override)
{
    size_t idx[8];
    size_t n = 0;
    for (size_t i = a; i < b && n < 8; i++) {
        if (s->tok[i].kind != TOK_WORD)
            continue;
        if ((s->tok[i].dflags & DICT_PARTICLE) && i + 1 < b && s->tok[i + 1].kind == TOK_WORD) {
            mark(s, i, i + 2, AT_PHI_NOM);
            i++;
            continue;
        }
        idx[n++] = i;
    }
    if (!n)
        return;
    int lab[8];
    int any_caps = 0;
    for (size_t k = 0; k < n; k++)
        any_caps |= s->tok[idx[k]].allcaps;
    for (size_t k = 0; k < n; k++) {
        const text_tok *t = &s->tok[idx[k]];
        int first = (t->dflags & DICT_FIRST) != 0 || tok_len(s, idx[k]) == 1;
        if (override == 2)
            lab[k] = AT_PHI_NOM;
        else if (override == 3)
            lab[k] = AT_PHI_PRENOM;
        else if (n == 1)
            lab[k] = tok_len(s, idx[k]) == 1 ? AT_PHI_PRENOM : AT_PHI_NOM;
        else if (any_caps && !(t->allcaps && !(first && k + 1 < n && s->tok[idx[k + 1]].allcaps)))
            lab[k] = t->allcaps ? AT_PHI_NOM : AT_PHI_PRENOM;
        else if (any_caps)
            lab[k] = AT_PHI_PRENOM;
        else if (k == n - 1)
            lab[k] = (first && !(s->tok[idx[0]].dflags & DICT_FIRST)) ? AT_PHI_PRENOM : AT_PHI_NOM;
        else
            lab[k] = (k == 0 && !first && (s->tok[idx[1]].dflags & DICT_FIRST)) ? AT_PHI_NOM : AT_PHI_PRENOM;
    }
    for (size_t k = 0; k < n; k++)
        mark(s, idx[k], idx[k] + 1, lab[k]);
}

/* Name tokens after position j: returns the end of the run. */
static size_t name_run(const text_scan *s, size_t j)
{
    size_t r = j;
    int count = 0;
    while (r < s->n && count < 4 && !s->tok[r].nl && !s->lab[r]) {
        const text_tok *t = &s->tok[r];
        if (t->kind != TOK_WORD || !(t->cap || t->allcaps))
            break;
        if (is_punct(s, r + 1, ':') || (t->dflags & (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_IDLABEL)))
            break;
        if ((t->dflags & DICT_COMMON) && !(t->dflags & (DICT_FIRST | DICT_LAST)) && !t->allcaps &&
            !(t->dflags & DICT_PARTICLE))
            break;
        r++;
        count++;
        if (is_punct(s, r, '.') && tok_len(s, r - 1) == 1)
            r++; /* an initial: "J." */
    }
    return r;
}

void deid_pass_titles(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || s->lab[i])
            continue;
        if (k->dflags & DICT_TITLE) {
            size_t len = tok_len(s, i);
            if (len <= 3 && !k->cap)
                continue; /* "m" the unit, "dr" lower case */
            size_t j = i + 1;
            if (is_punct(s, j, '.'))
                j++;
            if (j >= s->n || s->tok[j].nl)
                continue;
            size_t r = name_run(s, j);
            if (r > j)
                label_name_run(s, j, r, 0);
        } else if ((k->dflags & DICT_BIRTH) && (tok_fold_is(s, i, "nee") || tok_fold_is(s, i, "ne")) &&
                   is_name_word(s, i + 1) && !(s->tok[i + 1].dflags & DICT_COMMON)) {
            size_t r = name_run(s, i + 1);
            if (r > i + 1)
                label_name_run(s, i + 1, r, 2);
        } else if ((k->dflags & DICT_FIELD) && (k->cap || k->allcaps)) {
            size_t j = i + 1;
            while (j < s->n && j - i <= 4 && !s->tok[j].nl && !is_punct(s, j, ':') &&
                   (s->tok[j].kind == TOK_PUNCT || !s->tok[j].cap))
                j++;
            if (!is_punct(s, j, ':'))
                continue;
            j++;
            if (j >= s->n || s->tok[j].nl)
                continue;
            size_t r = name_run(s, j);
            if (r > j)
                label_name_run(s, j, r, k->dval);
        }
    }
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
        if (k->kind == TOK_WORD && tok_len(s, i) <= 40) {
            char f[128];
            int fl = at_text_fold(s->t + k->s, tok_len(s, i), f, sizeof f);
            unsigned pf = fl > 0 ? text_dict_get(&d->patdict, f, (size_t)fl, NULL) : 0;
            if (pf & DICT_PATLAST)
                mark(s, i, i + 1, AT_PHI_NOM);
            else if (pf & DICT_PATFIRST)
                mark(s, i, i + 1, AT_PHI_PRENOM);
        }
        if (d->pat_ipp[0] && tok_len(s, i) == strlen(d->pat_ipp) && !memcmp(s->t + k->s, d->pat_ipp, tok_len(s, i)))
            mark(s, i, i + 1, AT_PHI_IPP);
    }
}

void deid_pass_cities(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
        /* letterhead "Rennes, le 12 mars 2024" */
        if (is_name_word(s, i) && k->nl && !(k->dflags & DICT_TITLE)) {
            size_t r = place_run(s, i, 4);
            if (r > i && is_punct(s, r, ',') && tok_is(s, r + 1, "le") && r + 2 < s->n && s->lab[r + 2] == AT_PHI_DATE)
                mark(s, i, r, AT_PHI_VILLE);
            continue;
        }
        /* "à Brest" after a birth or residence word, or a known commune */
        if (k->kind == TOK_WORD && tok_len(s, i) == 2 && (unsigned char)s->t[k->s] == 0xC3 &&
            (unsigned char)s->t[k->s + 1] == 0xA0 && is_name_word(s, i + 1) && !s->lab[i + 1]) {
            int ctx = (s->tok[i + 1].dflags & DICT_CITY) != 0;
            for (size_t b = i; b > 0 && i - b < 12 && !ctx; b--)
                ctx = (s->tok[b - 1].dflags & (DICT_BIRTH | DICT_RESID)) != 0;
            if (ctx && !(s->tok[i + 1].dflags & (DICT_HOSP | DICT_TITLE))) {
                size_t r = place_run(s, i + 1, 5);
                mark(s, i + 1, r, AT_PHI_VILLE);
            }
            continue;
        }
        if (is_name_word(s, i) && (k->dflags & DICT_CITY) && !(k->dflags & (DICT_COMMON | DICT_FIRST | DICT_LAST)))
            mark(s, i, i + 1, AT_PHI_VILLE);
    }
}

static int eponym_context(const text_scan *s, size_t i)
{
    if (s->tok[i].dflags & DICT_EPONYM)
        return 1;
    size_t j = i;
    if (j >= 1 && (tok_is(s, j - 1, "de") || tok_is(s, j - 1, "d'") || tok_is(s, j - 1, "du")))
        j--;
    else if (j >= 2 && is_punct(s, j - 1, '\'') && tok_is(s, j - 2, "d"))
        j -= 2;
    else
        return 0;
    return j >= 1 && (s->tok[j - 1].dflags & DICT_EPOTRIG);
}

void deid_pass_dictionary(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD || !(k->cap || k->allcaps))
            continue;
        unsigned f = k->dflags;
        if (!(f & (DICT_FIRST | DICT_LAST)) || (f & DICT_COMMON) || eponym_context(s, i))
            continue;
        /* first name followed by a capitalised word: first name + surname */
        if ((f & DICT_FIRST) && i + 1 < s->n && is_name_word(s, i + 1) && !s->tok[i + 1].nl && !s->lab[i + 1]) {
            unsigned g = s->tok[i + 1].dflags;
            if (!((g & DICT_COMMON) && !(g & DICT_LAST)) && !(g & (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_CITY)) &&
                !eponym_context(s, i + 1)) {
                mark(s, i, i + 1, AT_PHI_PRENOM);
                mark(s, i + 1, i + 2, AT_PHI_NOM);
                i++;
                continue;
            }
        }
        if (f & DICT_LAST)
            mark(s, i, i + 1, AT_PHI_NOM);
        else if (k->allcaps)
            mark(s, i, i + 1, AT_PHI_PRENOM);
    }
}

void deid_pass_birth_dates(text_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->lab[i] != AT_PHI_DATE || (i > 0 && s->ent[i - 1] == s->ent[i]))
            continue;
        int birth = 0;
        for (size_t b = i; b > 0 && i - b < 8 && !birth; b--) {
            birth = (s->tok[b - 1].dflags & DICT_BIRTH) != 0;
            if (s->tok[b - 1].nl)
                break;
        }
        if (!birth)
            continue;
        for (size_t j = i; j < s->n && s->ent[j] == s->ent[i]; j++)
            s->lab[j] = AT_PHI_DATE_NAISSANCE;
    }
}
