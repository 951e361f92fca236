/* The tails of record numbers, after the tagger (deid_pass_number_tails):
 * a record number continues over the groups written after it ("12-345
 * 678", "4501 2290 7", "883412 K", "H24-0918 B2"); a place's coordinates
 * ("43.2287, -0.3974"); and a postcode before a town the later passes
 * found (deid_pass_zip_before_town). */
#include "deid_numclass.h"

#include <string.h>

/* ---- the tails of record numbers, after the tagger ----------------------------------------- */

/* Token i, a lower-case word that a number before it measures or
 * counts: a unit, "ans", "cycles", ... */
int nc_measure_word(const text_scan *s, size_t i)
{
    static const char *const counts[] = {
        "ans",     "mois",     "jours",  "semaines", "heures",    "minutes",   "cycles",
        "cures",   "seances",  "fois",   "patients", "patientes", "fractions", "doses",
        "unites",  "cellules", "copies", "points",   "comprimes", "gelules",   "ampoules",
        "flacons", "annees",   "an",     "mg",       "g",         "kg",        "ml",
        "l",       "ui",       "j",      "h",        "min",       "cm",        "mm",
        "m",       "gy",       "cgy",    "mmol",     "ans",       NULL};
    if (s->tok[i].cap || s->tok[i].allcaps)
        return 0;
    size_t n = tl(s, i);
    char f[40];
    int fl = n < 28 ? text_lexicon_fold(s->t + s->tok[i].s, n, f, sizeof f) : -1;
    for (const char *const *c = counts; fl > 0 && *c; c++)
        if (strlen(*c) == (size_t)fl && !memcmp(*c, f, (size_t)fl))
            return 1;
    return 0;
}

static inline int record_label(int l)
{
    return l == AT_PHI_IPP || l == AT_PHI_NDA || l == AT_PHI_ID || l == AT_PHI_COMPTE;
}

/* Token r, a group that continues a record number before it: digits (up
 * to five, not a measure, a time or a fraction), or a letter and up to two
 * digits ("K", "B2") that ends the run. */
/* Token r a block's code: a capital and up to two digits ("B", "B2"). */
static int block_code(const text_scan *s, size_t r)
{
    if (r >= s->n || s->tok[r].kind != TOK_WORD || tl(s, r) > 3)
        return 0;
    const char *p = s->t + s->tok[r].s;
    if (p[0] < 'A' || p[0] > 'Z')
        return 0;
    for (size_t q = 1; q < tl(s, r); q++)
        if (!is_dig(p[q]))
            return 0;
    return 1;
}

/* Token r, a group that continues a record number before it: digits (up
 * to five, OCR'd ones too; not a measure, a time or a fraction), or a
 * block's code that ends the run, alone or as a range ("B1 à B3"). The
 * end of the group, or 0; *last when the run ends there. */
static size_t tail_group(const text_scan *s, size_t r, int *last)
{
    *last = 0;
    if (r >= s->n || s->lab[r] || s->tok[r].nl || s->tok[r].s != s->tok[r - 1].e + 1 ||
        s->t[s->tok[r].s - 1] != ' ')
        return 0;
    size_t n = tl(s, r);
    size_t x = r + 1;
    int next_glued = x < s->n && s->tok[x].s == s->tok[r].e;
    if (s->tok[r].kind == TOK_NUM || (nc_ocr_mixed(s, r) && n <= 5)) {
        if (n > 5 || (next_glued && s->tok[x].kind != TOK_PUNCT))
            return 0;
        if (next_glued && !(is_punct(s, x, ',') || is_punct(s, x, ')') || is_punct(s, x, ';') ||
                            (is_punct(s, x, '.') && !(x + 1 < s->n && s->tok[x + 1].s == s->tok[x].e &&
                                                      s->tok[x + 1].kind == TOK_NUM))))
            return 0;
        /* a unit or a count after the number */
        if (x < s->n && !s->tok[x].nl && s->tok[x].kind == TOK_WORD && nc_measure_word(s, x))
            return 0;
        if (x < s->n && !s->tok[x].nl && s->tok[x].kind == TOK_PUNCT && !next_glued &&
            (s->t[s->tok[x].s] == '%' || s->t[s->tok[x].s] == '/'))
            return 0;
        return r + 1;
    }
    if (!block_code(s, r))
        return 0;
    /* a range of blocks: "B1 à B3", "B1-B3" */
    size_t e = r + 1;
    if (x + 1 < s->n && !s->tok[x].nl &&
        (tok_is(s, x, "\xC3\xA0") || tok_is(s, x, "a") || is_punct(s, x, '-')) && !s->tok[x + 1].nl &&
        block_code(s, x + 1) && !s->lab[x + 1])
        e = x + 2;
    /* the run ends here: end of line or punctuation next */
    if (e < s->n && !s->tok[e].nl && s->tok[e].kind != TOK_PUNCT)
        return 0;
    if (e == r + 1 && e < s->n && !s->tok[e].nl && is_punct(s, e, '.') && n == 1 && e + 1 < s->n &&
        !s->tok[e + 1].nl && s->tok[e + 1].s == s->tok[e].e)
        return 0; /* an initial: "K.-L." */
    *last = 1;
    return e;
}

/* Token i the last of a record number: the groups after it join it. */
static void tail_at(text_scan *s, size_t i)
{
    int l = s->lab[i];
    if (i + 1 >= s->n || !record_label(l) || s->lab[i + 1] == l)
        return;
    size_t a = i;
    while (a > 0 && s->ent[a - 1] == s->ent[i])
        a--;
    size_t digits = 0;
    for (size_t q = a; q <= i; q++)
        for (uint32_t b = s->tok[q].s; b < s->tok[q].e; b++)
            digits += is_dig(s->t[b]);
    if (digits < 2)
        return;
    size_t r = i + 1;
    /* glued groups: "HAD12-34-5678" */
    while (r + 1 < s->n && !s->lab[r] && !s->lab[r + 1] && s->tok[r].s == s->tok[r - 1].e &&
           (is_punct(s, r, '-') || is_punct(s, r, '/')) && s->tok[r + 1].s == s->tok[r].e &&
           s->tok[r + 1].kind != TOK_PUNCT && tl(s, r + 1) <= 8)
        r += 2;
    int last = 0;
    size_t g;
    while (!last && digits >= 3 && r - i < 6 && (g = tail_group(s, r, &last)))
        r = g;
    for (size_t q = i + 1; q < r; q++) {
        /* the "à" of a range is no one's */
        if (s->tok[q].kind == TOK_WORD && (tok_is(s, q, "\xC3\xA0") || tok_is(s, q, "a")))
            continue;
        s->lab[q] = (uint8_t)l;
        s->ent[q] = s->ent[i];
    }
}

/* ---- geographic coordinates ---------------------------------------------------------------- */

/* A decimal number from token i: digits, '.' or ',' glued, three digits
 * or more glued after; *v its integer part, the token after it returned
 * (i when none). */
static size_t coord_decimal(const text_scan *s, size_t i, int *v)
{
    if (i + 2 >= s->n || s->tok[i].kind != TOK_NUM || tl(s, i) > 3 || s->tok[i + 1].s != s->tok[i].e ||
        !(is_punct(s, i + 1, '.') || is_punct(s, i + 1, ',')) || s->tok[i + 2].s != s->tok[i + 1].e ||
        s->tok[i + 2].kind != TOK_NUM || tl(s, i + 2) < 3 || tl(s, i + 2) > 8)
        return i;
    *v = atoi_n(s->t + s->tok[i].s, tl(s, i));
    return i + 3;
}

/* A compass letter glued or spaced after a coordinate: N, S, E, W, O. */
static size_t compass(const text_scan *s, size_t j)
{
    if (j < s->n && !s->tok[j].nl && s->tok[j].kind == TOK_WORD && tl(s, j) == 1 &&
        strchr("NSEWO", s->t[s->tok[j].s]))
        return j + 1;
    return j;
}

/* A place's coordinates at token i, a latitude and a longitude in
 * decimal degrees ("43.2287, -0.3974", "44.1412 N, 0.6098 E"): where
 * someone lives, an address. */
void nc_coordinates_at(text_scan *s, size_t i)
{
    int lat, lon;
    size_t a = i;
    if (i > 0 && is_punct(s, i - 1, '-') && s->tok[i - 1].e == s->tok[i].s && !s->lab[i - 1])
        a = i - 1;
    size_t j = coord_decimal(s, i, &lat);
    if (j == i || lat > 90)
        return;
    j = compass(s, j);
    if (j < s->n && !s->tok[j].nl && (is_punct(s, j, ',') || is_punct(s, j, ';') || is_punct(s, j, '/')))
        j++;
    if (j < s->n && is_punct(s, j, '-') && !s->tok[j].nl)
        j++;
    if (j >= s->n || s->tok[j].nl || s->lab[j])
        return;
    size_t e = coord_decimal(s, j, &lon);
    if (e == j || lon > 180)
        return;
    e = compass(s, e);
    for (size_t q = a; q < e; q++)
        if (s->lab[q])
            return;
    mark(s, a, e, AT_PHI_ADRESSE);
}

void deid_pass_number_tails(text_scan *s)
{
    /* a record number ends with digits, or a word that holds some */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (!s->lab[i]) {
            /* "DUPONT Jeanne (93)": an age of 90 or more in parentheses after a name */
            if (i >= 2 && i + 1 < s->n && s->tok[i].kind == TOK_NUM && tl(s, i) <= 3 &&
                is_punct(s, i - 1, '(') && is_punct(s, i + 1, ')') &&
                (s->lab[i - 2] == AT_PHI_NOM || s->lab[i - 2] == AT_PHI_PRENOM) && !s->tok[i - 1].nl) {
                int v = atoi_n(s->t + s->tok[i].s, tl(s, i));
                if (v >= 90 && v <= 130)
                    mark(s, i, i + 1, AT_PHI_AGE);
            }
            continue;
        }
        if (record_label(s->lab[i]) && i + 1 < s->n && s->lab[i + 1] != s->lab[i])
            tail_at(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (record_label(s->lab[i]) && s->tok[i].kind == TOK_WORD && i + 1 < s->n &&
            s->lab[i + 1] != s->lab[i])
            tail_at(s, i);
    }
}

void deid_pass_zip_before_town(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (!s->lab[i] && i + 1 < s->n && s->lab[i + 1] == AT_PHI_VILLE && s->tok[i].kind == TOK_NUM &&
            tl(s, i) == 5 && nc_zip_shape(s->t + s->tok[i].s) && !s->tok[i + 1].nl &&
            s->tok[i + 1].s == s->tok[i].e + 1 && !(i > 0 && nc_glued(s, i)))
            mark(s, i, i + 1, AT_PHI_ZIP);
    }
}
