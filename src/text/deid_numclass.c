/* Number-shaped identifiers as classes (deid_pass_number_classes):
 * - dates with a month name in English or an abbreviated month glued or
 *   dashed ("4 March 2024", "3rd November", "Sep 30, 2025",
 *   "14-NOV-2025", "10nov", "sept. 2009"), days and months without a year
 *   by their writing or context, roman months, days alone;
 * - international phone numbers, the whole number with its country code
 *   ("+44 20 7946 0321", "0049 30 123 456 78", "(+262) 692 12 34 56");
 * - OCR'd numbers (deid_numocr.c); postcodes, ages in tables and codes
 *   (deid_numcodes.c); the tails of record numbers after the tagger
 *   (deid_numtails.c). */
#include "deid_scan.h"
#include "deid_numclass.h"

/* ---- month names --------------------------------------------------------------------- */

/* The first letter of a month's name in English or French (any case;
 * 0xC3 for an accented capital): most words leave here. */
static int month_initial(char c)
{
    switch (c | 0x20) {
    case 'j':
    case 'f':
    case 'm':
    case 'a':
    case 's':
    case 'o':
    case 'n':
    case 'd':
        return 1;
    default:
        return 0;
    }
}

/* An English month name or its abbreviation (any case): 1..12, else 0.
 * *full: the whole name (not an abbreviation). */
static int month_en(const char *p, size_t n, int *full)
{
    static const char *const names[] = {"january",   "february", "march",    "april",
                                        "may",       "june",     "july",     "august",
                                        "september", "october",  "november", "december"};
    static const char *const abbr[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
    char f[12];
    if (n < 3 || n > 9 || !month_initial(p[0]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] >= 0x80)
            return 0;
        f[i] = lower(p[i]);
    }
    static const unsigned char lens[] = {7, 8, 5, 5, 3, 4, 4, 6, 9, 7, 8, 8};
    *full = 0;
    for (int m = 0; m < 12; m++) {
        if (names[m][0] != f[0])
            continue;
        if (lens[m] == n && !memcmp(names[m], f, n)) {
            *full = 1;
            return m + 1;
        }
        if (n == 3 && !memcmp(abbr[m], f, 3))
            return m + 1;
    }
    if (n == 4 && !memcmp(f, "sept", 4))
        return 9;
    return 0;
}

/* A month name in English or in French (abbreviated or not) at bytes p[0..n). */
static int month_any(const char *p, size_t n, int *full)
{
    int m = month_en(p, n, full);
    if (m)
        return m;
    *full = 0;
    if (n < 3 || n > 12 || !month_initial(p[0]))
        return 0;
    char f[40];
    int fl = text_lexicon_fold(p, n, f, sizeof f);
    return fl > 0 ? text_month_of(f, (size_t)fl) : 0;
}

/* Token i as a month word: 1..12 or 0 (French ones from the
 * dictionary's look-up at tokenising). */
int nc_month_tok(const text_scan *s, size_t i, int *full)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return 0;
    if (s->tok[i].dflags & DICT_MONTH) {
        *full = 0;
        return s->tok[i].dval;
    }
    return month_en(s->t + s->tok[i].s, tl(s, i), full);
}

/* An English ordinal suffix ("st", "nd", "rd", "th", any case). */
static int ordinal_suffix(const char *p, size_t n)
{
    if (n != 2)
        return 0;
    char a = lower(p[0]), b = lower(p[1]);
    return (a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
           (a == 't' && b == 'h');
}

/* Token i as a day of the month: "4", "04", "3rd". 1..31 or 0. */
static int day_tok(const text_scan *s, size_t i)
{
    if (i >= s->n)
        return 0;
    const char *p = s->t + s->tok[i].s;
    size_t n = tl(s, i), d = 0;
    while (d < n && is_dig(p[d]))
        d++;
    if (d < 1 || d > 2 ||
        (d < n && !(s->tok[i].kind == TOK_WORD &&
                    (ordinal_suffix(p + d, n - d) ||
                     (n == 3 && p[0] == '1' && (p[1] | 0x20) == 'e' && (p[2] | 0x20) == 'r')))))
        return 0;
    int v = atoi_n(p, d);
    return v >= 1 && v <= 31 ? v : 0;
}

static int year_tok(const text_scan *s, size_t i, int two)
{
    if (i >= s->n || s->tok[i].kind != TOK_NUM || s->tok[i].nl)
        return 0;
    size_t n = tl(s, i);
    int v = atoi_n(s->t + s->tok[i].s, n);
    if (n == 4)
        return v >= 1900 && v <= 2099;
    return two && n == 2;
}

int nc_glued(const text_scan *s, size_t i)
{
    return i < s->n && i > 0 && s->tok[i].s == s->tok[i - 1].e;
}

/* After "né le", "DDN", "naissance": a birth date. */
static int birth_context(const text_scan *s, size_t a)
{
    for (size_t b = a; b > 0 && a - b < 6; b--) {
        if (s->tok[b - 1].dflags & DICT_BIRTH)
            return 1;
        if (s->tok[b - 1].nl && b - 1 < a)
            break;
        if (s->tok[b].nl)
            break;
    }
    return 0;
}

void nc_mark_date(text_scan *s, size_t a, size_t e)
{
    mark(s, a, e, birth_context(s, a) ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

/* The year after a month at token j ("March 2024", "Nov 19, 2025",
 * "NOV-2025", "sept. 2009"): the end of the date, else j. dash: the
 * separator before the month was a dash (a two-digit year may follow). */
static size_t after_month(const text_scan *s, size_t j, int dash)
{
    size_t y = j;
    if (is_punct(s, y, '.') && nc_glued(s, y))
        y++;
    if ((is_punct(s, y, ',') || is_punct(s, y, '-')) && !s->tok[y].nl)
        y++;
    if (year_tok(s, y, dash && y > j && is_punct(s, y - 1, '-')) && !s->lab[y])
        return y + 1;
    return j;
}

/* A date that starts with its day at token i ("4 March 2024", "3rd
 * November", "14-NOV-2025", "10-nov-2025", "10nov"). */
static void day_first(text_scan *s, size_t i)
{
    const char *p = s->t + s->tok[i].s;
    size_t n = tl(s, i), d = 0;
    int full = 0;
    while (d < n && is_dig(p[d]))
        d++;
    if (d >= 1 && d <= 2 && d < n && s->tok[i].kind == TOK_WORD && !ordinal_suffix(p + d, n - d)) {
        /* glued: "10nov", "10nov2025" is one token only when letters end it */
        int day = atoi_n(p, d);
        if (day >= 1 && day <= 31 && month_any(p + d, n - d, &full) && n - d >= 3)
            nc_mark_date(s, i, after_month(s, i + 1, 0));
        return;
    }
    if (!day_tok(s, i) || i + 1 >= s->n || s->tok[i + 1].nl)
        return;
    size_t j = i + 1;
    int dash = 0;
    if ((is_punct(s, j, '-') || is_punct(s, j, '.')) && nc_glued(s, j) && nc_glued(s, j + 1)) {
        dash = is_punct(s, j, '-');
        j++;
    } else if (s->tok[j].kind != TOK_WORD) {
        return;
    }
    if (j >= s->n || s->lab[j] || s->tok[j].nl)
        return;
    int m = nc_month_tok(s, j, &full);
    if (!m)
        return;
    /* a French month after a space is the rules' ("4 mars"); "of": none */
    int en = month_en(s->t + s->tok[j].s, tl(s, j), &full);
    if (!en && j == i + 1 && (s->tok[j].dflags & DICT_MONTH))
        return;
    /* "5 may": an English word of the language; "4 mar" needs its year */
    size_t e = after_month(s, j + 1, dash);
    if (!full && e == j + 1 && !dash && j == i + 1 && tl(s, j) == 3 && !s->tok[j].allcaps && !s->tok[j].cap)
        return;
    if (en == 5 && e == j + 1 && !dash)
        return;
    nc_mark_date(s, i, e);
}

/* A month's full name in German, Italian, Spanish, Portuguese or Dutch,
 * folded (ASCII): 1..12, else 0. */
static int month_foreign(const char *f, size_t n)
{
    static const char *const names[] = {
        "januar",    "februar",  "marz",      "maerz",     "april",      "mai",       "juni",    "juli",
        "august",    "oktober",  "dezember",  "gennaio",   "febbraio",   "marzo",     "aprile",  "maggio",
        "giugno",    "luglio",   "agosto",    "settembre", "ottobre",    "dicembre",  "enero",   "febrero",
        "abril",     "mayo",     "junio",     "julio",     "septiembre", "setiembre", "octubre", "noviembre",
        "diciembre", "janeiro",  "fevereiro", "marco",     "maio",       "junho",     "julho",   "setembro",
        "outubro",   "novembro", "dezembro",  "januari",   "februari",   "maart",     "mei",     "augustus",
        "september", "november", NULL};
    static const unsigned char month[] = {1, 2, 3, 3,  4,  5, 6,  7,  8,  10, 12, 1, 2, 3,  4,  5,  6,
                                          7, 8, 9, 10, 12, 1, 2,  4,  5,  6,  7,  9, 9, 10, 11, 12, 1,
                                          2, 3, 5, 6,  7,  9, 10, 11, 12, 1,  2,  3, 5, 8,  9,  11};
    /* (the first letter first: most words leave before strlen) */
    for (size_t m = 0; names[m]; m++)
        if (n && names[m][0] == f[0] && strlen(names[m]) == n && !memcmp(names[m], f, n))
            return month[m];
    return 0;
}

/* A numeric date written with spaces around its separators at token i
 * ("6 / 6 / 1962", "12 . 03 . 2024"): a day, a month and a year of two or
 * four digits, one separator throughout. The year alone may be labelled
 * already (a date, a birth date): the whole takes its label. */
static void spaced_date(text_scan *s, size_t i)
{
    if (i + 4 >= s->n || s->tok[i].kind != TOK_NUM)
        return;
    int d = atoi_n(s->t + s->tok[i].s, tl(s, i));
    if (d < 1 || d > 31 || s->tok[i + 2].kind != TOK_NUM || tl(s, i + 2) > 2 || s->tok[i + 4].kind != TOK_NUM)
        return;
    char sep = s->t[s->tok[i + 1].s];
    if ((sep != '/' && sep != '.' && sep != '-') || !is_punct(s, i + 1, sep) || !is_punct(s, i + 3, sep))
        return;
    /* spaces around the separators, on one line */
    for (size_t q = i + 1; q <= i + 4; q++)
        if (s->tok[q].nl || s->tok[q].s == s->tok[q - 1].e)
            return;
    int m = atoi_n(s->t + s->tok[i + 2].s, tl(s, i + 2));
    size_t yl = tl(s, i + 4);
    int y = atoi_n(s->t + s->tok[i + 4].s, yl);
    if (m < 1 || m > 12 || !(yl == 2 || (yl == 4 && y >= 1900 && y <= 2099)))
        return;
    for (size_t q = i; q < i + 4; q++)
        if (s->lab[q])
            return;
    int label = AT_PHI_DATE;
    if (s->lab[i + 4] == AT_PHI_DATE || s->lab[i + 4] == AT_PHI_DATE_NAISSANCE) {
        label = s->lab[i + 4];
        s->lab[i + 4] = 0;
    } else if (s->lab[i + 4]) {
        return;
    }
    mark(s, i, i + 5, label);
}

/* A date with a foreign month's full name at token i, its day, written
 * with its year: "21. Oktober 2026", "9 settembre 2026", "3 de marzo de
 * 2024", "12 de julho de 2025". */
static void foreign_date(text_scan *s, size_t i)
{
    if (!day_tok(s, i) || s->tok[i].kind != TOK_NUM)
        return;
    size_t j = i + 1;
    if (is_punct(s, j, '.') && nc_glued(s, j))
        j++;
    if (j < s->n && tl(s, j) == 2 && !s->tok[j].nl && s->tok[j].kind == TOK_WORD &&
        !memcmp(s->t + s->tok[j].s, "de", 2))
        j++;
    if (j >= s->n || s->tok[j].nl || s->tok[j].kind != TOK_WORD || s->lab[j] || tl(s, j) < 3 || tl(s, j) > 12)
        return;
    /* (an ASCII letter first that opens no month's name: most words
     * leave before folding) */
    unsigned c = (unsigned char)s->t[s->tok[j].s] | 0x20u;
    if (c - 'a' < 26u && !strchr("adefgjlmnos", (int)c))
        return;
    char f[40];
    int fl = text_lexicon_fold(s->t + s->tok[j].s, tl(s, j), f, sizeof f);
    if (fl <= 0 || !month_foreign(f, (size_t)fl))
        return;
    size_t y = j + 1;
    if (y < s->n && tl(s, y) == 2 && !s->tok[y].nl && s->tok[y].kind == TOK_WORD &&
        !memcmp(s->t + s->tok[y].s, "de", 2))
        y++;
    if (!year_tok(s, y, 0) || s->lab[y])
        return;
    nc_mark_date(s, i, y + 1);
}

/* A date that starts with an English month at token i ("Sep 30, 2025",
 * "November 3rd", "March 2024"), or a French abbreviation with its dot
 * and year ("déc. 2022"). */
static void month_first(text_scan *s, size_t i)
{
    int full = 0;
    int en = month_en(s->t + s->tok[i].s, tl(s, i), &full);
    if (!en || !(s->tok[i].cap || s->tok[i].allcaps)) {
        if ((s->tok[i].dflags & DICT_MONTH) && is_punct(s, i + 1, '.') && nc_glued(s, i + 1)) {
            size_t e = after_month(s, i + 1, 0);
            if (e > i + 1)
                nc_mark_date(s, i, e);
        }
        return;
    }
    if (i + 1 >= s->n || s->tok[i + 1].nl)
        return;
    size_t j = i + 1;
    if (is_punct(s, j, '.') && nc_glued(s, j))
        j++;
    if (j < s->n && !s->lab[j] && !s->tok[j].nl && day_tok(s, j)) {
        size_t e = j + 1;
        size_t y = is_punct(s, e, ',') ? e + 1 : e;
        if (year_tok(s, y, 0) && !s->lab[y])
            e = y + 1;
        /* "May 12": the year or an ordinal settles an ambiguous word */
        if (en == 5 && e == j + 1 && s->tok[j].kind == TOK_NUM)
            return;
        /* (an abbreviation and a day alone: capitalised, and no word or
         * name of its own, "Dec 31", "Nov 4"; not "Mar", "May", "Jan") */
        if (!full && e == j + 1 && s->tok[j].kind == TOK_NUM && !s->tok[i].allcaps && tl(s, i) == 3 &&
            !is_punct(s, i + 1, '.') && (!s->tok[i].cap || en == 1 || en == 3 || en == 5))
            return;
        nc_mark_date(s, i, e);
        return;
    }
    size_t e = after_month(s, i + 1, 0);
    if (e > i + 1 && (full || en != 5))
        nc_mark_date(s, i, e);
}

/* ---- international phone numbers ------------------------------------------------------ */

/* Label tokens [a, b) as one entity over what is unlabelled or already
 * has this label (the national part of a phone taken alone). */
static void mark_over(text_scan *s, size_t a, size_t b, int label)
{
    if (a >= b || b > s->n)
        return;
    for (size_t i = a; i < b; i++)
        if (s->lab[i] && s->lab[i] != label)
            return;
    uint32_t e = ++s->next_ent;
    for (size_t i = a; i < b; i++) {
        s->lab[i] = (uint8_t)label;
        s->ent[i] = e;
    }
}

/* ---- days and months without a year, roman months --------------------------------------- */

/* The bytes after offset e, spaces skipped: a dash (-, en or em dash) or
 * ':' that opens what the line says of this day. */
static int dash_after(const text_scan *s, size_t e)
{
    while (e < s->len && s->t[e] == ' ')
        e++;
    if (e >= s->len)
        return 0;
    if (s->t[e] == '-' || s->t[e] == ':')
        return 1;
    return e + 2 < s->len && (unsigned char)s->t[e] == 0xE2 && (unsigned char)s->t[e + 1] == 0x80 &&
           ((unsigned char)s->t[e + 2] == 0x93 || (unsigned char)s->t[e + 2] == 0x94);
}

/* The bytes before offset a, spaces skipped: an en or em dash. */
static int dash_before(const text_scan *s, size_t a)
{
    while (a > 0 && s->t[a - 1] == ' ')
        a--;
    return a >= 3 && (unsigned char)s->t[a - 3] == 0xE2 && (unsigned char)s->t[a - 2] == 0x80 &&
           ((unsigned char)s->t[a - 1] == 0x93 || (unsigned char)s->t[a - 1] == 0x94);
}

/* Token j a time of day ("10h", "14h30", "9 h"). */
static int time_tok(const text_scan *s, size_t j)
{
    if (j >= s->n || s->tok[j].nl)
        return 0;
    const char *p = s->t + s->tok[j].s;
    size_t n = tl(s, j), d = 0;
    while (d < n && is_dig(p[d]))
        d++;
    if (d >= 1 && d <= 2 && d < n && (p[d] == 'h' || p[d] == 'H'))
        return 1;
    return s->tok[j].kind == TOK_NUM && n <= 2 && j + 1 < s->n && tok_is(s, j + 1, "h");
}

/* "d/m" at token i (d, '/', m glued) where the writing or the context
 * makes it a day: a month with its leading zero ("6/03", "01/10"), a time
 * after it, a line that starts with it before a dash ("17.09 — ..."),
 * between dashes, before "au" and a date, after a meeting's word ("RCP :
 * 4/12"). Never a score (a scale's name before it) nor a count of a
 * course. */
static void day_month(text_scan *s, size_t i)
{
    static const char *const cues[] = {"rcp",     "reunion",   "staff",  "rappel",   "appel",
                                       "visite",  "cs",        "hdj",    "decision", "consultation",
                                       "passage", "entretien", "seance", "rdv",      NULL};
    if (i + 2 >= s->n || tl(s, i) > 2 || s->tok[i + 2].kind != TOK_NUM || tl(s, i + 2) > 2 ||
        !nc_glued(s, i + 1) || !nc_glued(s, i + 2) || s->lab[i + 1] || s->lab[i + 2])
        return;
    int slash = is_punct(s, i + 1, '/');
    if (!slash && !is_punct(s, i + 1, '.'))
        return;
    if (i > 0 && nc_glued(s, i) && s->tok[i - 1].kind != TOK_PUNCT)
        return;
    if (i > 0 && nc_glued(s, i) &&
        (is_punct(s, i - 1, '/') || is_punct(s, i - 1, '.') || is_punct(s, i - 1, ',')))
        return;
    size_t x = i + 3;
    if (x < s->n && nc_glued(s, x) && s->tok[x].kind != TOK_PUNCT)
        return;
    if (x + 1 < s->n && nc_glued(s, x) &&
        (is_punct(s, x, '/') || is_punct(s, x, '.') || is_punct(s, x, ',')) && nc_glued(s, x + 1) &&
        s->tok[x + 1].kind != TOK_PUNCT)
        return;
    const char *pd = s->t + s->tok[i].s, *pm = s->t + s->tok[i + 2].s;
    int d = atoi_n(pd, tl(s, i)), m = atoi_n(pm, tl(s, i + 2));
    if (d < 1 || d > 31 || m < 1 || m > 12)
        return;
    /* a score has no leading zero ("EVA 3/10", never "03/10") */
    int lead0 = (tl(s, i + 2) == 2 && pm[0] == '0') || (tl(s, i) == 2 && pd[0] == '0');
    if (!lead0 && i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_WORD && deid_score_name(s, i - 1))
        return;
    size_t e = s->tok[i + 2].e;
    int line_start = i == 0 || s->tok[i].nl;
    int ok = 0;
    if (line_start && dash_after(s, e))
        ok = 1; /* "17.09 — ...", "4/12 : ..." */
    else if (!slash)
        ok = 0;
    else if (lead0)
        ok = 1;
    else if (time_tok(s, x))
        ok = 1;
    else if (dash_before(s, s->tok[i].s) && dash_after(s, e))
        ok = 1;
    else if (x + 1 < s->n && tok_is(s, x, "au") && !s->tok[x].nl &&
             (s->lab[x + 1] == AT_PHI_DATE || (s->tok[x + 1].kind == TOK_NUM && is_punct(s, x + 2, '/'))))
        ok = 1;
    else {
        size_t p = i;
        if (p > 0 && is_punct(s, p - 1, ':') && !s->tok[p].nl)
            p--;
        if (p > 0 && !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && tl(s, p - 1) <= 16) {
            char f[40];
            int fl = text_lexicon_fold(s->t + s->tok[p - 1].s, tl(s, p - 1), f, sizeof f);
            for (const char *const *c = cues; fl > 0 && *c && !ok; c++)
                ok = (*c)[0] == f[0] && strlen(*c) == (size_t)fl && !memcmp(*c, f, (size_t)fl);
        }
    }
    if (ok)
        nc_mark_date(s, i, i + 3);
}

/* "17.X.25", "3-IV-2024": a month in roman numerals between a day and a
 * year. */
static void roman_date(text_scan *s, size_t i)
{
    static const char *const roman[] = {"I",   "II",   "III", "IV", "V",  "VI",
                                        "VII", "VIII", "IX",  "X",  "XI", "XII"};
    if (i + 4 >= s->n || tl(s, i) > 2 || !nc_glued(s, i + 1) || !nc_glued(s, i + 2) || !nc_glued(s, i + 3) ||
        !nc_glued(s, i + 4) || s->tok[i + 2].kind != TOK_WORD)
        return;
    char sep = s->t[s->tok[i + 1].s];
    if ((sep != '.' && sep != '-' && sep != '/') || !is_punct(s, i + 1, sep) || !is_punct(s, i + 3, sep))
        return;
    int d = atoi_n(s->t + s->tok[i].s, tl(s, i)), m = 0;
    for (int r = 0; r < 12 && !m; r++)
        if (strlen(roman[r]) == tl(s, i + 2) && !memcmp(roman[r], s->t + s->tok[i + 2].s, tl(s, i + 2)))
            m = r + 1;
    if (!m || d < 1 || d > 31 || !year_tok(s, i + 4, 1))
        return;
    if (i + 5 < s->n && nc_glued(s, i + 5) && s->tok[i + 5].kind != TOK_PUNCT)
        return;
    nc_mark_date(s, i, i + 5);
}

/* ---- days alone ----------------------------------------------------------------------------- */

/* "17, 19 et 24 mars": a day in a list that ends with a day and its
 * month. */
static void day_in_list(text_scan *s, size_t i)
{
    if (!day_tok(s, i))
        return;
    size_t j = i;
    for (int items = 0; items < 8; items++) {
        size_t x = j + 1;
        if (x >= s->n || s->tok[x].nl || !(is_punct(s, x, ',') || tok_is(s, x, "et") || tok_is(s, x, "au")))
            return;
        if (is_punct(s, x, ',') && nc_glued(s, x + 1))
            return; /* a decimal */
        if (is_punct(s, x, ',') && tok_is(s, x + 1, "et"))
            x++;
        j = x + 1;
        if (j >= s->n || s->tok[j].nl || s->tok[j].kind != TOK_NUM || !day_tok(s, j))
            return;
        if (s->lab[j] == AT_PHI_DATE) {
            if (j + 1 < s->n && s->lab[j + 1] == AT_PHI_DATE && s->ent[j + 1] == s->ent[j] &&
                (s->tok[j + 1].dflags & DICT_MONTH))
                mark(s, i, i + 1, AT_PHI_DATE);
            return;
        }
        if (s->lab[j])
            return;
    }
}

/* "le 7 au matin", "décaler au 15 ?", "le 21 à 10h", "semaine du 24 ?":
 * a day of the month alone after "le", "au", "jusqu'au", "du", when what
 * follows ends the phrase or names a time. */
static void day_alone(text_scan *s, size_t i)
{
    static const char *const lead[] = {"le", "au", "jusqu'au", "du", NULL};
    static const char *const next_ok[] = {
        "a",  "au", "matin", "soir", "midi", "ca",   "et",   "ou",    "prochain", "vers",    "je",
        "on", "il", "elle",  "nous", "dans", "pour", "avec", "sinon", "point",    "virgule", NULL};
    if (i == 0 || s->tok[i].nl || s->tok[i].kind != TOK_NUM || !day_tok(s, i) || nc_glued(s, i))
        return;
    const text_tok *p = &s->tok[i - 1];
    if (p->kind != TOK_WORD || p->e - p->s > 10)
        return;
    char f[48];
    int fl = text_lexicon_fold(s->t + p->s, p->e - p->s, f, sizeof f);
    int ok = 0;
    for (const char *const *c = lead; fl > 0 && *c && !ok; c++)
        ok = (*c)[0] == f[0] && strlen(*c) == (size_t)fl && !memcmp(*c, f, (size_t)fl);
    /* "jusqu'au", "jusqu’au" in one token or two */
    if (!ok && fl >= 2 && !memcmp(f + fl - 2, "au", 2) && (fl == 2 || f[fl - 3] == '\'' || fl >= 4))
        ok = fl == 2 || !memcmp(f, "jusqu", 5);
    if (!ok || (i >= 2 && !s->tok[i - 1].nl && s->tok[i - 2].kind == TOK_WORD && deid_score_name(s, i - 2)) ||
        deid_emergency_call(s, i))
        return;
    size_t x = i + 1;
    if (x >= s->n || s->tok[x].nl) {
        mark(s, i, i + 1, AT_PHI_DATE);
        return;
    }
    const text_tok *n = &s->tok[x];
    if (nc_glued(s, x) && n->kind != TOK_PUNCT)
        return; /* "15h", "4e" */
    if (n->kind == TOK_PUNCT) {
        char c = s->t[n->s];
        if (c == '/' || c == '%' || c == '-' || c == '+' || (unsigned char)c == 0xC2 ||
            ((c == ',' || c == '.') && x + 1 < s->n && nc_glued(s, x + 1) && s->tok[x + 1].kind == TOK_NUM))
            return;
        if (c == '.' || c == ',' || c == ';' || c == '?' || c == '!' || c == ')' || c == ':')
            mark(s, i, i + 1, AT_PHI_DATE);
        return;
    }
    if (n->kind == TOK_WORD && !n->cap && n->e - n->s <= 10) {
        char g[48];
        int gl = text_lexicon_fold(s->t + n->s, n->e - n->s, g, sizeof g);
        for (const char *const *c = next_ok; gl > 0 && *c; c++)
            if ((*c)[0] == g[0] && strlen(*c) == (size_t)gl && !memcmp(*c, g, (size_t)gl)) {
                mark(s, i, i + 1, AT_PHI_DATE);
                return;
            }
    }
}

/* Four to six digits with a leading zero ("0147", "04412"), no
 * quantity's writing: a site's, a subject's or a record's number, with
 * the groups glued to it by dashes. Not after a batch's word, nor a
 * postcode before its town (the postcode passes take those). */
static void zero_led(text_scan *s, size_t i)
{
    size_t n = tl(s, i);
    const char *p = s->t + s->tok[i].s;
    if (n < 4 || n > 6 || p[0] != '0' ||
        (i > 0 && nc_glued(s, i) && !is_punct(s, i - 1, '(') && !is_punct(s, i - 1, '#')))
        return;
    if (n == 5 && i + 1 < s->n && !s->tok[i + 1].nl && is_name_word(s, i + 1))
        return;
    if (deid_after_notid(s, i))
        return;
    /* a trial's acronym before it ("ABCD 0612"); a group of a longer
     * number written in groups ("29 1 04321 7") */
    if (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_WORD && s->tok[i - 1].allcaps)
        return;
    if (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_NUM && s->tok[i].s == s->tok[i - 1].e + 1)
        return;
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_NUM &&
        s->tok[i + 1].s == s->tok[i].e + 1)
        return;
    size_t r = i + 1;
    while (r + 1 < s->n && is_punct(s, r, '-') && nc_glued(s, r) && nc_glued(s, r + 1) &&
           s->tok[r + 1].kind == TOK_NUM && !s->lab[r + 1])
        r += 2;
    if (r < s->n && nc_glued(s, r) &&
        (s->tok[r].kind != TOK_PUNCT || s->t[s->tok[r].s] == '/' || s->t[s->tok[r].s] == ':'))
        return;
    if (r < s->n && nc_glued(s, r) && (is_punct(s, r, ',') || is_punct(s, r, '.')) && r + 1 < s->n &&
        nc_glued(s, r + 1) && s->tok[r + 1].kind == TOK_NUM)
        return; /* "0001,5" */
    mark(s, i, r, AT_PHI_ID);
}

/* "35-118 402": digits, a dash, three digits, a space, three digits:
 * a reference written in the French way, no quantity. */
static void dash_space_ref(text_scan *s, size_t i)
{
    if (i + 3 >= s->n || tl(s, i) < 2 || tl(s, i) > 3 ||
        (i > 0 && nc_glued(s, i) && !is_punct(s, i - 1, '(')) || !is_punct(s, i + 1, '-') ||
        !nc_glued(s, i + 1) || !nc_glued(s, i + 2) || s->tok[i + 2].kind != TOK_NUM || tl(s, i + 2) != 3 ||
        s->tok[i + 3].kind != TOK_NUM || tl(s, i + 3) != 3 || s->tok[i + 3].nl ||
        s->tok[i + 3].s != s->tok[i + 2].e + 1 || s->t[s->tok[i + 2].e] != ' ' || s->lab[i + 2] ||
        s->lab[i + 3])
        return; /* (a space: a tab is the next cell, "136-145\t139") */
    size_t x = i + 4;
    if (x < s->n && nc_glued(s, x) && s->tok[x].kind != TOK_PUNCT)
        return;
    if (x < s->n && !s->tok[x].nl &&
        (s->tok[x].kind == TOK_NUM || (s->tok[x].kind == TOK_WORD && nc_measure_word(s, x))))
        return;
    /* a count or a rate ("150-400 000 /mm3", "... 000 %") */
    if (x < s->n && !s->tok[x].nl && (is_punct(s, x, '/') || is_punct(s, x, '%')))
        return;
    if (x < s->n && nc_glued(s, x) && (is_punct(s, x, ',') || is_punct(s, x, '.')) && x + 1 < s->n &&
        nc_glued(s, x + 1) && s->tok[x + 1].kind == TOK_NUM)
        return;
    if (tl(s, i + 3) == 3 && !memcmp(s->t + s->tok[i + 3].s, "000", 3))
        return; /* thousands */
    mark(s, i, i + 4, AT_PHI_ID);
}

/* ---- the passes -------------------------------------------------------------------------- */

void deid_pass_number_classes(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
        char c0 = s->t[k->s];
        size_t e;
        if (k->kind == TOK_PUNCT && c0 == '+') {
            size_t a = k->s;
            if (a > 0 && s->t[a - 1] == '(' && i > 0 && !s->lab[i - 1])
                a--;
            if ((e = nc_scan_intl_phone(s->t, s->len, a)))
                mark_over(s, a < k->s ? i - 1 : i, tok_end_index(s, i, e), AT_PHI_TEL);
            else if (a < k->s && (e = nc_scan_intl_phone(s->t, s->len, k->s)))
                mark_over(s, i, tok_end_index(s, i, e), AT_PHI_TEL); /* "(+49 30 ...)" */
            continue;
        }
        if (k->kind == TOK_NUM) {
            nc_coordinates_at(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) == 4 && nc_iso_timestamp(s->t, s->len, k->s)) {
                /* the date and the hour glued to it ("2026-11-03T09"):
                 * the minutes and the offset after are no one's */
                nc_mark_bytes(s, i, k->s + 13, AT_PHI_DATE);
                continue;
            }
            /* the end of a code in capitals ("ABC-DE-0042"): from its start */
            if (i > 1 && nc_glued(s, i) && (is_punct(s, i - 1, '-') || is_punct(s, i - 1, '_'))) {
                size_t a = i - 1;
                while (a > 0 && i - a < 16 && nc_glued(s, a))
                    a--;
                if (s->tok[a].kind == TOK_PUNCT && a + 1 < i)
                    a++; /* "(ABC-DE-04)" */
                if (s->tok[a].kind == TOK_WORD && s->tok[a].allcaps)
                    nc_caps_code(s, a);
                if (s->lab[i])
                    continue;
            }
            if (c0 == '0' && tl(s, i) >= 4 && s->t[k->s + 1] == '0' &&
                (e = nc_scan_intl_phone(s->t, s->len, k->s))) {
                nc_mark_bytes(s, i, e, AT_PHI_TEL);
                continue;
            }
            if ((e = nc_odd_groups_phone(s, i))) {
                mark(s, i, e, AT_PHI_TEL);
                continue;
            }
            if (tl(s, i) >= 2 && tl(s, i) <= 4)
                nc_old_plate(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) <= 3)
                dash_space_ref(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) <= 2 || tl(s, i) == 4)
                nc_month_before(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) <= 2) {
                spaced_date(s, i);
                if (!s->lab[i])
                    day_first(s, i);
                if (!s->lab[i])
                    foreign_date(s, i);
                if (!s->lab[i])
                    roman_date(s, i);
                if (!s->lab[i])
                    day_month(s, i);
                if (!s->lab[i])
                    nc_age_paren(s, i);
                if (!s->lab[i] && s->t[k->s] == '9')
                    nc_age_cell(s, i);
                if (!s->lab[i])
                    day_in_list(s, i);
                if (!s->lab[i])
                    day_alone(s, i);
            } else if (tl(s, i) == 3 && s->t[k->s] == '1' && s->t[k->s + 1] <= '3') {
                nc_age_cell(s, i);
            } else if (tl(s, i) == 5) {
                nc_zip_town(s, i);
            }
            if (!s->lab[i] && s->t[k->s] == '0' && tl(s, i) >= 4)
                zero_led(s, i);
            continue;
        }
        if (k->kind == TOK_WORD && (k->dflags & DICT_MONTH))
            month_first(s, i);
        else if (k->kind == TOK_WORD && c0 == '1' && tl(s, i) == 3)
            day_in_list(s, i); /* "1er au 5 mai" */
    }
    /* words with digits: ordinals, glued days and months, OCR'd numbers
     * ("l4OOO", "O3/O3", "2Ol9") */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD || tl(s, i) > 12)
            continue;
        if (nc_ocr_mixed(s, i)) {
            nc_ocr_at(s, i);
            if (!s->lab[i])
                nc_ocr_month_year(s, i);
            continue;
        }
        if (is_dig(s->t[k->s])) {
            nc_month_before(s, i); /* "November 3rd" */
            if (!s->lab[i])
                day_first(s, i);
        }
    }
}

/* Token i a day or a year: an English month before it ("Sep 30", "March
 * 2024", "Nov. 19") starts the date there. */
void nc_month_before(text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl)
        return;
    size_t m = i - 1;
    if (is_punct(s, m, '.') && m > 0 && nc_glued(s, m))
        m--;
    const text_tok *k = &s->tok[m];
    if (s->lab[m] || k->kind != TOK_WORD || !(k->cap || k->allcaps) || (k->dflags & DICT_MONTH) ||
        k->e - k->s < 3 || k->e - k->s > 9 || !month_initial(s->t[k->s]))
        return;
    /* "2nd December 2024": from its day */
    if (m > 0 && !s->tok[m].nl && !s->lab[m - 1] && day_tok(s, m - 1))
        day_first(s, m - 1);
    if (!s->lab[m])
        month_first(s, m);
}
