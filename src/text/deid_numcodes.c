/* Postcodes, ages in tables, record codes (called by
 * deid_pass_number_classes, deid_numclass.c): a postcode before or after
 * its town in any case, ages of 90 or more in a table's age column or in
 * brackets, codes of capitals in three parts or more, French numbers
 * dictated in odd groups, old plates. */
#include "deid_numclass.h"

#include <string.h>

/* ---- postcodes, ages in tables, record codes --------------------------------------------------- */

/* A French postcode's shape: a department 01..95 or 971..976. */
int nc_zip_shape(const char *p)
{
    int dep = (p[0] - '0') * 10 + (p[1] - '0');
    if (dep >= 1 && dep <= 95)
        return 1;
    return dep == 97 && p[2] >= '1' && p[2] <= '6';
}

/* Five digits before a town ("69100 villeurbanne", "— 80090 Amiens"), or
 * in parentheses after it ("Argentan (61200)"): the postcode, and the
 * town after it as a whole hyphenated name. */
void nc_zip_town(text_scan *s, size_t i)
{
    if (tl(s, i) != 5 || !nc_zip_shape(s->t + s->tok[i].s))
        return;
    if (i > 0 && nc_glued(s, i) && !is_punct(s, i - 1, '('))
        return;
    size_t j = i + 1;
    if (i > 1 && is_punct(s, i - 1, '(') && is_punct(s, j, ')') && nc_glued(s, j) &&
        (s->lab[i - 2] == AT_PHI_VILLE || is_name_word(s, i - 2)) && !s->tok[i].nl) {
        mark(s, i, i + 1, AT_PHI_ZIP);
        return;
    }
    if (j >= s->n || s->tok[j].nl || s->tok[j].kind != TOK_WORD || s->tok[j].s != s->tok[i].e + 1 ||
        nc_measure_word(s, j))
        return;
    int town = (s->tok[j].lex & LEX_CITY) || s->lab[j] == AT_PHI_VILLE;
    size_t r = j + 1;
    while (r + 1 < s->n && is_punct(s, r, '-') && nc_glued(s, r) && nc_glued(s, r + 1) &&
           s->tok[r + 1].kind == TOK_WORD && r - j < 10)
        r += 2;
    /* a compound name of a place ("saint-jouan-des-guerets") */
    if (!town && !(s->tok[j].lex & LEX_MED) &&
        (r > j + 1 || memchr(s->t + s->tok[j].s, '-', tl(s, j)) != NULL))
        town = 1;
    if (!town && s->tok[j].cap && !(s->tok[j].lex & (LEX_WORD | LEX_MED)) && !(s->tok[j].dflags & DICT_MONTH))
        town = 1;
    if (!town || !mark(s, i, i + 1, AT_PHI_ZIP))
        return;
    mark(s, j, r, AT_PHI_VILLE);
}

/* The byte range of cell col of the line at offset l (separator sep,
 * quotes kept out). 0 when the line has fewer cells. */
static int cell_at(const char *t, size_t len, size_t l, char sep, size_t col, size_t *a, size_t *e)
{
    size_t c = 0, i = l;
    int quoted = 0;
    while (i < len && t[i] != '\n' && c < col) {
        if (t[i] == '"')
            quoted = !quoted;
        else if (t[i] == sep && !quoted)
            c++;
        i++;
    }
    if (c != col)
        return 0;
    size_t b = i;
    while (b < len && t[b] != '\n' && !(t[b] == sep && !quoted)) {
        if (t[b] == '"')
            quoted = !quoted;
        b++;
    }
    while (i < b && (t[i] == ' ' || t[i] == '"'))
        i++;
    while (b > i && (t[b - 1] == ' ' || t[b - 1] == '"' || t[b - 1] == '\r'))
        b--;
    *a = i;
    *e = b;
    return 1;
}

/* Bytes [a, e) spell "age" or "âge" (any case). */
static int age_word(const char *p, size_t n)
{
    if (n == 3)
        return (p[0] | 0x20) == 'a' && (p[1] | 0x20) == 'g' && (p[2] | 0x20) == 'e';
    return n == 4 && (unsigned char)p[0] == 0xC3 &&
           ((unsigned char)p[1] == 0x82 || (unsigned char)p[1] == 0xA2) && (p[2] | 0x20) == 'g' &&
           (p[3] | 0x20) == 'e';
}

static int is_sep(char c)
{
    return c == '\t' || c == ';' || c == '|' || c == ',';
}

/* Token i, a number of 90 to 130 alone in a table's cell ("...;92;...",
 * "| 91 |"), under a header whose cell in that column is "Âge" or "age"
 * (up to 60 lines above, no blank line between): an age. */
void nc_age_cell(text_scan *s, size_t i)
{
    const char *t = s->t;
    int v = atoi_n(t + s->tok[i].s, tl(s, i));
    if (v < 90 || v > 130)
        return;
    size_t a = s->tok[i].s, e = s->tok[i].e, l = a;
    while (l > 0 && t[l - 1] != '\n')
        l--;
    size_t b = a;
    while (b > l && (t[b - 1] == ' ' || t[b - 1] == '"'))
        b--;
    size_t f = e;
    while (f < s->len && (t[f] == ' ' || t[f] == '"'))
        f++;
    if (f + 3 <= s->len && !memcmp(t + f, "ans", 3))
        f += 3;
    else if (f < s->len && t[f] == 'a' && (f + 1 >= s->len || !is_alnum_c(t[f + 1])))
        f++;
    while (f < s->len && t[f] == ' ')
        f++;
    char sep = b > l && is_sep(t[b - 1]) ? t[b - 1] : 0;
    char after = f < s->len ? t[f] : '\n';
    if (sep ? !(after == sep || after == '\n' || after == '\r') : !(b == l && is_sep(after)))
        return;
    if (!sep)
        sep = after;
    size_t col = 0;
    int quoted = 0;
    for (size_t q = l; q < a; q++) {
        if (t[q] == '"')
            quoted = !quoted;
        else if (t[q] == sep && !quoted)
            col++;
    }
    /* the lines above, nearest first */
    size_t line = l;
    for (int up = 0; up < 60 && line > 0; up++) {
        size_t end = line - 1, start = end;
        while (start > 0 && t[start - 1] != '\n')
            start--;
        if (end == start || (end == start + 1 && t[start] == '\r'))
            return; /* a blank line: the table began below */
        size_t ca, ce;
        if (cell_at(t, s->len, start, sep, col, &ca, &ce) && age_word(t + ca, ce - ca)) {
            mark(s, i, i + 1, AT_PHI_AGE);
            return;
        }
        line = start;
    }
}

/* "(91 a)": an age abbreviated in parentheses. */
void nc_age_paren(text_scan *s, size_t i)
{
    if (i == 0 || i + 2 >= s->n || tl(s, i) > 3 || !is_punct(s, i - 1, '(') || !tok_is(s, i + 1, "a") ||
        !is_punct(s, i + 2, ')'))
        return;
    int v = atoi_n(s->t + s->tok[i].s, tl(s, i));
    if (v >= 90 && v <= 130)
        mark(s, i, i + 1, AT_PHI_AGE);
}

/* Capitals joined to two groups or more by dashes, the last of digits
 * with a leading zero or of three digits or more ("ABC-DEF-0042",
 * "XYZ-2024-118"): a record's or a form's code (a regimen's "R-CHOP-21"
 * is not). Dates inside it are the code's. */
void nc_caps_code(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!k->allcaps || tl(s, i) < 2 || tl(s, i) > 16 || s->lab[i] ||
        (i > 0 && nc_glued(s, i) && !is_punct(s, i - 1, '(') && !is_punct(s, i - 1, '[') &&
         !is_punct(s, i - 1, '#')))
        return;
    /* capitals, and the dashes the tokeniser keeps inside a word ("ABC-DE") */
    int joins = 0;
    size_t run = 0, tail = 0; /* tail: digits that end the word ("HAD80") */
    for (uint32_t b = k->s; b < k->e; b++) {
        char c = s->t[b];
        if (c == '-' && !tail) {
            if (run < 2 || run > 6)
                return;
            joins++;
            run = 0;
        } else if (c >= 'A' && c <= 'Z' && !tail) {
            run++;
        } else if (is_dig(c) && run >= 2 && tail < 3) {
            tail++;
        } else {
            return;
        }
    }
    if (run < 2 || run > 6)
        return;
    size_t r = i + 1;
    while (r + 1 < s->n && (is_punct(s, r, '-') || is_punct(s, r, '_')) && nc_glued(s, r) &&
           nc_glued(s, r + 1) && s->tok[r + 1].kind != TOK_PUNCT &&
           (s->tok[r + 1].kind == TOK_NUM || s->tok[r + 1].allcaps) && tl(s, r + 1) <= 8 && joins < 8) {
        joins++;
        r += 2;
    }
    if (joins < 2 || s->tok[r - 1].kind != TOK_NUM ||
        (r < s->n && nc_glued(s, r) && s->tok[r].kind != TOK_PUNCT))
        return;
    const char *p = s->t + s->tok[r - 1].s;
    if (!(tl(s, r - 1) >= 3 || (tl(s, r - 1) >= 2 && p[0] == '0')))
        return;
    if (deid_after_notid(s, i))
        return;
    for (size_t q = i; q < r; q++)
        if (s->lab[q] && s->lab[q] != AT_PHI_DATE && s->lab[q] != AT_PHI_ID)
            return;
    uint32_t e = ++s->next_ent;
    for (size_t q = i; q < r; q++) {
        s->lab[q] = AT_PHI_ID;
        s->ent[q] = e;
    }
}

/* A French number of ten digits dictated in odd groups ("04 91 22 7 3
 * 18"): "0X", a group of two, then groups of one to four digits
 * separated by single spaces, ten digits in all. End token or 0. */
size_t nc_odd_groups_phone(const text_scan *s, size_t i)
{
    const char *p = s->t + s->tok[i].s;
    if (tl(s, i) != 2 || p[0] != '0' || p[1] < '1' || p[1] > '9' || (i > 0 && nc_glued(s, i)))
        return 0;
    if (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_NUM && s->tok[i].s == s->tok[i - 1].e + 1)
        return 0;
    size_t r = i + 1, digits = 2;
    int small = 0;
    while (r < s->n && digits < 10 && s->tok[r].kind == TOK_NUM && !s->tok[r].nl &&
           s->tok[r].s == s->tok[r - 1].e + 1 && s->t[s->tok[r].s - 1] == ' ' && tl(s, r) <= 4) {
        if (r == i + 1 && tl(s, r) != 2)
            return 0;
        small += tl(s, r) == 1;
        digits += tl(s, r);
        r++;
    }
    if (digits != 10 || !small ||
        (r < s->n && nc_glued(s, r) && !s->tok[r].nl && s->tok[r].kind != TOK_PUNCT))
        return 0;
    if (r < s->n && !s->tok[r].nl && s->tok[r].kind == TOK_NUM && s->tok[r].s == s->tok[r - 1].e + 1)
        return 0;
    return r;
}

/* An old French plate: digits, two or three capitals no list knows,
 * a department ("812 QX 29"). */
void nc_old_plate(text_scan *s, size_t i)
{
    size_t n = tl(s, i);
    if (n < 2 || n > 4 || i + 2 >= s->n || (i > 0 && nc_glued(s, i)))
        return;
    const text_tok *l = &s->tok[i + 1], *d = &s->tok[i + 2];
    if (l->nl || d->nl || l->kind != TOK_WORD || !l->allcaps || l->e - l->s < 2 || l->e - l->s > 3 ||
        l->lex || l->dflags || l->s != s->tok[i].e + 1 || d->s != l->e + 1 || d->kind != TOK_NUM ||
        d->e - d->s != 2 || s->lab[i + 1] || s->lab[i + 2])
        return;
    int dep = atoi_n(s->t + d->s, 2); /* a department of two digits */
    if (dep < 1 || dep > 95 || (i + 3 < s->n && nc_glued(s, i + 3) && s->tok[i + 3].kind != TOK_PUNCT))
        return;
    mark(s, i, i + 3, AT_PHI_IMMAT);
}
