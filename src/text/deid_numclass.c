/* Number-shaped identifiers as classes (deid_pass_number_classes):
 * - dates with a month name in English or an abbreviated month glued or
 *   dashed ("4 March 2024", "3rd November", "Sep 30, 2025",
 *   "14-NOV-2025", "10nov", "sept. 2009");
 * - international phone numbers, the whole number with its country code
 *   ("+44 20 7946 0321", "0049 30 123 456 78", "(+262) 692 12 34 56");
 * - OCR'd numbers, where O/o stand for 0 and l/I for 1 among digits: a
 *   copy of the line with those runs read as digits goes through the
 *   NIR, date and postcode scanners, and the original tokens are labelled
 *   ("l 85 O3 ...", "l4/O2/l98O", "3lOOO").
 * The tails of record numbers (deid_pass_number_tails) run after the
 * tagger: a record number continues over the groups written after it
 * ("12-345 678", "4501 2290 7", "883412 K", "H24-0918 B2"). */
#include "deid_scan.h"

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

static int is_dig(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum_c(char c)
{
    return is_dig(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

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
static int month_tok(const text_scan *s, size_t i, int *full)
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

static int glued(const text_scan *s, size_t i)
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

static void mark_date(text_scan *s, size_t a, size_t e)
{
    mark(s, a, e, birth_context(s, a) ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

/* The year after a month at token j ("March 2024", "Nov 19, 2025",
 * "NOV-2025", "sept. 2009"): the end of the date, else j. dash: the
 * separator before the month was a dash (a two-digit year may follow). */
static size_t after_month(const text_scan *s, size_t j, int dash)
{
    size_t y = j;
    if (is_punct(s, y, '.') && glued(s, y))
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
            mark_date(s, i, after_month(s, i + 1, 0));
        return;
    }
    if (!day_tok(s, i) || i + 1 >= s->n || s->tok[i + 1].nl)
        return;
    size_t j = i + 1;
    int dash = 0;
    if ((is_punct(s, j, '-') || is_punct(s, j, '.')) && glued(s, j) && glued(s, j + 1)) {
        dash = is_punct(s, j, '-');
        j++;
    } else if (s->tok[j].kind != TOK_WORD) {
        return;
    }
    if (j >= s->n || s->lab[j] || s->tok[j].nl)
        return;
    int m = month_tok(s, j, &full);
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
    mark_date(s, i, e);
}

/* A date that starts with an English month at token i ("Sep 30, 2025",
 * "November 3rd", "March 2024"), or a French abbreviation with its dot
 * and year ("déc. 2022"). */
static void month_first(text_scan *s, size_t i)
{
    int full = 0;
    int en = month_en(s->t + s->tok[i].s, tl(s, i), &full);
    if (!en || !(s->tok[i].cap || s->tok[i].allcaps)) {
        if ((s->tok[i].dflags & DICT_MONTH) && is_punct(s, i + 1, '.') && glued(s, i + 1)) {
            size_t e = after_month(s, i + 1, 0);
            if (e > i + 1)
                mark_date(s, i, e);
        }
        return;
    }
    if (i + 1 >= s->n || s->tok[i + 1].nl)
        return;
    size_t j = i + 1;
    if (is_punct(s, j, '.') && glued(s, j))
        j++;
    if (j < s->n && !s->lab[j] && !s->tok[j].nl && day_tok(s, j)) {
        size_t e = j + 1;
        size_t y = is_punct(s, e, ',') ? e + 1 : e;
        if (year_tok(s, y, 0) && !s->lab[y])
            e = y + 1;
        /* "May 12": the year or an ordinal settles an ambiguous word */
        if (en == 5 && e == j + 1 && s->tok[j].kind == TOK_NUM)
            return;
        if (!full && e == j + 1 && s->tok[j].kind == TOK_NUM && !s->tok[i].allcaps && tl(s, i) == 3 &&
            !is_punct(s, i + 1, '.'))
            return;
        mark_date(s, i, e);
        return;
    }
    size_t e = after_month(s, i + 1, 0);
    if (e > i + 1 && (full || en != 5))
        mark_date(s, i, e);
}

/* ---- international phone numbers ------------------------------------------------------ */

/* A phone number with a country code at a: "+CC" or "00CC" or "(+CC)",
 * then groups of digits separated by one space, dot or dash (an optional
 * "(0)"). The national part has 6 to 12 digits in two groups or more, or
 * 8 or more in one. End offset or 0. */
static size_t scan_intl_phone(const char *t, size_t len, size_t a)
{
    size_t i = a;
    if (a > 0 && (is_alnum_c(t[a - 1]) || t[a - 1] == '+' || t[a - 1] == '-' || t[a - 1] == '/'))
        return 0;
    int paren = 0;
    if (i < len && t[i] == '(') {
        paren = 1;
        i++;
    }
    if (i + 2 < len && t[i] == '+')
        i++;
    else if (i + 3 < len && t[i] == '0' && t[i + 1] == '0' && !paren)
        i += 2;
    else
        return 0;
    size_t cc = 0;
    if (i >= len || t[i] < '1' || t[i] > '9')
        return 0;
    while (i < len && is_dig(t[i]) && cc < 4) {
        cc++;
        i++;
    }
    if (paren) {
        if (i >= len || t[i] != ')')
            return 0;
        i++;
    }
    int national = 0, groups = 0;
    if (cc > 3) {
        /* "+4420..." glued: a single run of 10 to 15 digits */
        while (i < len && is_dig(t[i])) {
            cc++;
            i++;
        }
        if (cc < 10 || cc > 15 || (i < len && is_alnum_c(t[i])))
            return 0;
        return i;
    }
    char sep = 0;
    size_t end = 0;
    for (;;) {
        size_t g = i;
        if (g < len && (t[g] == ' ' || t[g] == '.' || t[g] == '-')) {
            /* the groups after the first share one separator */
            if (groups >= 2 && t[g] != sep)
                break;
            if (groups == 1)
                sep = t[g];
            g++;
        } else if (!(groups == 0 && paren)) {
            break;
        }
        if (groups == 0 && g + 2 < len && t[g] == '(' && t[g + 1] == '0' && t[g + 2] == ')') {
            g += 3;
            if (g < len && t[g] == ' ')
                g++;
        }
        size_t q = g;
        while (q < len && is_dig(t[q]) && q - g < 9)
            q++;
        if (q == g || (q < len && is_alnum_c(t[q])))
            break;
        national += (int)(q - g);
        groups++;
        i = end = q;
        if (national > 12)
            return 0;
    }
    if (!end || national < 7 || (groups < 2 && national < 8) || (int)cc + national > 15)
        return 0;
    /* a decimal after ("+12 345,5") */
    if (end + 1 < len && (t[end] == ',' || t[end] == '%') && is_dig(t[end + 1]))
        return 0;
    return end;
}

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

/* ---- OCR'd digits ---------------------------------------------------------------------- */

static int ocr_char(char c)
{
    return is_dig(c) || c == 'O' || c == 'o' || c == 'l' || c == 'I';
}

/* Token i written with digits and the OCR's letters for them, at least
 * one of each ("4O3", "l2", "141OO"). */
static int ocr_mixed(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || tl(s, i) > 8)
        return 0;
    int d = 0, l = 0;
    for (uint32_t b = s->tok[i].s; b < s->tok[i].e; b++) {
        char c = s->t[b];
        if (!ocr_char(c))
            return 0;
        d += is_dig(c);
        l += !is_dig(c);
    }
    return d && l;
}

/* Token i made only of digits and those letters ("52", "Ol", "l"). */
static int ocr_only(const text_scan *s, size_t i)
{
    if (i >= s->n || tl(s, i) > 8 || s->tok[i].kind == TOK_PUNCT)
        return 0;
    for (uint32_t b = s->tok[i].s; b < s->tok[i].e; b++)
        if (!ocr_char(s->t[b]))
            return 0;
    return 1;
}

#define OCR_SPAN 64

/* The text from byte a (at most OCR_SPAN bytes, up to the line's end)
 * with each run of digits and OCR letters read as digits, into buf.
 * Returns the bytes copied. */
static size_t ocr_copy(const text_scan *s, size_t a, char *buf)
{
    size_t n = 0;
    while (a + n < s->len && n < OCR_SPAN && s->t[a + n] != '\n')
        n++;
    memcpy(buf, s->t + a, n);
    for (size_t i = 0; i < n;) {
        if (!is_alnum_c(buf[i])) {
            i++;
            continue;
        }
        size_t j = i;
        int ok = 1;
        while (j < n && is_alnum_c(buf[j])) {
            ok &= ocr_char(buf[j]);
            j++;
        }
        /* a run cut by the span's end may be longer: leave it */
        if (ok && !(j == n && a + n < s->len && is_alnum_c(s->t[a + n])))
            for (size_t k = i; k < j; k++)
                buf[k] = buf[k] == 'O' || buf[k] == 'o' ? '0' : buf[k] == 'l' || buf[k] == 'I' ? '1' : buf[k];
        i = j;
    }
    return n;
}

/* The letters of the original bytes [a, e): at least one OCR letter. */
static int has_ocr_letter(const text_scan *s, size_t a, size_t e)
{
    for (size_t b = a; b < e; b++)
        if (s->t[b] == 'O' || s->t[b] == 'o' || s->t[b] == 'l' || s->t[b] == 'I')
            return 1;
    return 0;
}

/* Label the tokens over bytes [a, e) as one entity. */
static void mark_bytes(text_scan *s, size_t i, size_t e, int label)
{
    mark(s, i, tok_end_index(s, i, e), label);
}

/* A date in the copy at offset 0: day, month and year separated by
 * '/', '.' or '-' with spaces around, or by spaces alone ("l5 / O7 /
 * l955", "l5 O4 l952"). End offset or 0. */
static size_t spaced_date(const char *b, size_t n)
{
    size_t i = 0;
    int v[3] = {0, 0, 0}, w[3] = {0, 0, 0};
    char sep = 0;
    for (int k = 0; k < 3; k++) {
        if (k) {
            size_t j = i;
            while (j < n && b[j] == ' ')
                j++;
            char c = j < n ? b[j] : 0;
            if (c == '/' || c == '.' || c == '-') {
                if (sep && sep != c)
                    return 0;
                sep = c;
                j++;
                while (j < n && b[j] == ' ')
                    j++;
            } else if ((sep && sep != ' ') || j == i) {
                return 0;
            } else {
                sep = ' ';
            }
            if (j - i > 3)
                return 0;
            i = j;
        }
        while (i < n && is_dig(b[i]) && w[k] < 5) {
            v[k] = v[k] * 10 + (b[i] - '0');
            w[k]++;
            i++;
        }
    }
    if (w[0] < 1 || w[0] > 2 || w[1] < 1 || w[1] > 2 || w[2] != 4 || (i < n && is_alnum_c(b[i])))
        return 0;
    if (v[0] < 1 || v[0] > 31 || v[1] < 1 || v[1] > 12 || v[2] < 1900 || v[2] > 2099)
        return 0;
    return i;
}

/* From token i (a run of digits and OCR letters), try the scanners on
 * the copy read as digits. 1 when something was labelled. */
static int ocr_from(text_scan *s, size_t i)
{
    char b[OCR_SPAN + 1];
    size_t a = s->tok[i].s, n = ocr_copy(s, a, b);
    b[n] = 0;
    size_t e;
    int ymd;
    if ((e = text_scan_nir(b, n, 0)) && has_ocr_letter(s, a, a + e)) {
        mark_bytes(s, i, a + e, AT_PHI_SECU);
        return 1;
    }
    if ((e = text_scan_phone(b, n, 0)) && has_ocr_letter(s, a, a + e)) {
        mark_bytes(s, i, a + e, AT_PHI_TEL);
        return 1;
    }
    if ((e = text_scan_date_numeric(b, n, 0, &ymd)) && has_ocr_letter(s, a, a + e)) {
        /* dd/mm without a year: both parts of two characters ("l2/O3") */
        if (ymd / 10000 || (e == 5 && b[2] == '/')) {
            mark_date(s, i, tok_end_index(s, i, a + e));
            return 1;
        }
    }
    if ((e = spaced_date(b, n)) && has_ocr_letter(s, a, a + e)) {
        mark_date(s, i, tok_end_index(s, i, a + e));
        return 1;
    }
    return 0;
}

/* Around an OCR-mixed token q: the run of such tokens on its line (from
 * up to six tokens back), each tried as a start. */
static void ocr_at(text_scan *s, size_t q)
{
    if (s->lab[q])
        return;
    size_t a = q;
    while (a > 0 && q - a < 6 && !s->tok[a].nl && !s->lab[a - 1] &&
           (ocr_only(s, a - 1) || is_punct(s, a - 1, '/') || is_punct(s, a - 1, '.')) &&
           s->tok[a].s - s->tok[a - 1].e <= 2)
        a--;
    for (size_t k = a; k <= q; k++)
        if (!s->lab[k] && ocr_only(s, k) && (k == 0 || !is_alnum_c(s->t[s->tok[k].s - 1])) && ocr_from(s, k))
            return;
    if (s->lab[q])
        return;
    /* a day in OCR before a month word, with its year ("l2 mars 2Ol9") */
    int full;
    size_t n = tl(s, q);
    if (n <= 2 && q + 1 < s->n && !s->tok[q + 1].nl && month_tok(s, q + 1, &full)) {
        char b[OCR_SPAN + 1];
        ocr_copy(s, s->tok[q].s, b);
        int d = atoi_n(b, n);
        if (d < 1 || d > 31 || !is_dig(b[0]) || (n == 2 && !is_dig(b[1])))
            return;
        size_t e = q + 2;
        if (e < s->n && !s->tok[e].nl && (s->tok[e].kind == TOK_NUM || ocr_mixed(s, e)) && tl(s, e) == 4) {
            ocr_copy(s, s->tok[e].s, b);
            int y = is_dig(b[0]) && is_dig(b[1]) && is_dig(b[2]) && is_dig(b[3]) ? atoi_n(b, 4) : 0;
            if (y >= 1900 && y <= 2099)
                e++;
        }
        mark_date(s, q, e);
        return;
    }
    /* a postcode: five characters, two digits at least, before a
     * capitalised word on the line ("l4OOO Caen") */
    if (n == 5 && q + 1 < s->n && !s->tok[q + 1].nl && is_name_word(s, q + 1) &&
        !(s->tok[q + 1].dflags & DICT_MONTH)) {
        int d = 0;
        for (uint32_t b = s->tok[q].s; b < s->tok[q].e; b++)
            d += is_dig(s->t[b]);
        if (d >= 1)
            mark(s, q, q + 1, AT_PHI_ZIP);
    }
}

/* A glued OCR year after a French or English month ("mars 2O25"): the
 * month and year. */
static void ocr_month_year(text_scan *s, size_t q)
{
    int full;
    if (q == 0 || tl(s, q) != 4 || s->lab[q] || s->lab[q - 1] || s->tok[q].nl || !month_tok(s, q - 1, &full))
        return;
    char b[OCR_SPAN + 1];
    ocr_copy(s, s->tok[q].s, b);
    if (!(is_dig(b[0]) && is_dig(b[1]) && is_dig(b[2]) && is_dig(b[3])))
        return;
    int y = atoi_n(b, 4);
    if (y >= 1900 && y <= 2099)
        mark_date(s, q - 1, q + 1);
}

static int measure_word(const text_scan *s, size_t i);
static void month_before(text_scan *s, size_t i);

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
        !glued(s, i + 1) || !glued(s, i + 2) || s->lab[i + 1] || s->lab[i + 2])
        return;
    int slash = is_punct(s, i + 1, '/');
    if (!slash && !is_punct(s, i + 1, '.'))
        return;
    if (i > 0 && glued(s, i) && s->tok[i - 1].kind != TOK_PUNCT)
        return;
    if (i > 0 && glued(s, i) &&
        (is_punct(s, i - 1, '/') || is_punct(s, i - 1, '.') || is_punct(s, i - 1, ',')))
        return;
    size_t x = i + 3;
    if (x < s->n && glued(s, x) && s->tok[x].kind != TOK_PUNCT)
        return;
    if (x + 1 < s->n && glued(s, x) && (is_punct(s, x, '/') || is_punct(s, x, '.') || is_punct(s, x, ',')) &&
        glued(s, x + 1) && s->tok[x + 1].kind != TOK_PUNCT)
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
                ok = strlen(*c) == (size_t)fl && !memcmp(*c, f, (size_t)fl);
        }
    }
    if (ok)
        mark_date(s, i, i + 3);
}

/* "17.X.25", "3-IV-2024": a month in roman numerals between a day and a
 * year. */
static void roman_date(text_scan *s, size_t i)
{
    static const char *const roman[] = {"I",   "II",   "III", "IV", "V",  "VI",
                                        "VII", "VIII", "IX",  "X",  "XI", "XII"};
    if (i + 4 >= s->n || tl(s, i) > 2 || !glued(s, i + 1) || !glued(s, i + 2) || !glued(s, i + 3) ||
        !glued(s, i + 4) || s->tok[i + 2].kind != TOK_WORD)
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
    if (i + 5 < s->n && glued(s, i + 5) && s->tok[i + 5].kind != TOK_PUNCT)
        return;
    mark_date(s, i, i + 5);
}

/* ---- postcodes, ages in tables, record codes --------------------------------------------------- */

/* A French postcode's shape: a department 01..95 or 971..976. */
static int zip_shape(const char *p)
{
    int dep = (p[0] - '0') * 10 + (p[1] - '0');
    if (dep >= 1 && dep <= 95)
        return 1;
    return dep == 97 && p[2] >= '1' && p[2] <= '6';
}

/* Five digits before a town ("69100 villeurbanne", "— 80090 Amiens"), or
 * in parentheses after it ("Argentan (61200)"): the postcode, and the
 * town after it as a whole hyphenated name. */
static void zip_town(text_scan *s, size_t i)
{
    if (tl(s, i) != 5 || !zip_shape(s->t + s->tok[i].s))
        return;
    if (i > 0 && glued(s, i) && !is_punct(s, i - 1, '('))
        return;
    size_t j = i + 1;
    if (i > 1 && is_punct(s, i - 1, '(') && is_punct(s, j, ')') && glued(s, j) &&
        (s->lab[i - 2] == AT_PHI_VILLE || is_name_word(s, i - 2)) && !s->tok[i].nl) {
        mark(s, i, i + 1, AT_PHI_ZIP);
        return;
    }
    if (j >= s->n || s->tok[j].nl || s->tok[j].kind != TOK_WORD || s->tok[j].s != s->tok[i].e + 1 ||
        measure_word(s, j))
        return;
    int town = (s->tok[j].lex & LEX_CITY) || s->lab[j] == AT_PHI_VILLE;
    size_t r = j + 1;
    while (r + 1 < s->n && is_punct(s, r, '-') && glued(s, r) && glued(s, r + 1) &&
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
static void age_cell(text_scan *s, size_t i)
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
static void age_paren(text_scan *s, size_t i)
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
static void caps_code(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!k->allcaps || tl(s, i) < 2 || tl(s, i) > 16 || s->lab[i] ||
        (i > 0 && glued(s, i) && !is_punct(s, i - 1, '(') && !is_punct(s, i - 1, '[') &&
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
    while (r + 1 < s->n && (is_punct(s, r, '-') || is_punct(s, r, '_')) && glued(s, r) && glued(s, r + 1) &&
           s->tok[r + 1].kind != TOK_PUNCT && (s->tok[r + 1].kind == TOK_NUM || s->tok[r + 1].allcaps) &&
           tl(s, r + 1) <= 8 && joins < 8) {
        joins++;
        r += 2;
    }
    if (joins < 2 || s->tok[r - 1].kind != TOK_NUM ||
        (r < s->n && glued(s, r) && s->tok[r].kind != TOK_PUNCT))
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
static size_t odd_groups_phone(const text_scan *s, size_t i)
{
    const char *p = s->t + s->tok[i].s;
    if (tl(s, i) != 2 || p[0] != '0' || p[1] < '1' || p[1] > '9' || (i > 0 && glued(s, i)))
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
    if (digits != 10 || !small || (r < s->n && glued(s, r) && !s->tok[r].nl && s->tok[r].kind != TOK_PUNCT))
        return 0;
    if (r < s->n && !s->tok[r].nl && s->tok[r].kind == TOK_NUM && s->tok[r].s == s->tok[r - 1].e + 1)
        return 0;
    return r;
}

/* An old French plate: digits, two or three capitals no list knows,
 * a department ("812 QX 29"). */
static void old_plate(text_scan *s, size_t i)
{
    size_t n = tl(s, i);
    if (n < 2 || n > 4 || i + 2 >= s->n || (i > 0 && glued(s, i)))
        return;
    const text_tok *l = &s->tok[i + 1], *d = &s->tok[i + 2];
    if (l->nl || d->nl || l->kind != TOK_WORD || !l->allcaps || l->e - l->s < 2 || l->e - l->s > 3 ||
        l->lex || l->dflags || l->s != s->tok[i].e + 1 || d->s != l->e + 1 || d->kind != TOK_NUM ||
        d->e - d->s != 2 || s->lab[i + 1] || s->lab[i + 2])
        return;
    int dep = atoi_n(s->t + d->s, 2); /* a department of two digits */
    if (dep < 1 || dep > 95 || (i + 3 < s->n && glued(s, i + 3) && s->tok[i + 3].kind != TOK_PUNCT))
        return;
    mark(s, i, i + 3, AT_PHI_IMMAT);
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
        if (is_punct(s, x, ',') && glued(s, x + 1))
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
    static const char *const next_ok[] = {"a",    "au",       "matin", "soir", "midi",  "ca", "et",
                                          "ou",   "prochain", "vers",  "je",   "on",    "il", "elle",
                                          "nous", "dans",     "pour",  "avec", "sinon", NULL};
    if (i == 0 || s->tok[i].nl || s->tok[i].kind != TOK_NUM || !day_tok(s, i) || glued(s, i))
        return;
    const text_tok *p = &s->tok[i - 1];
    if (p->kind != TOK_WORD || p->e - p->s > 10)
        return;
    char f[48];
    int fl = text_lexicon_fold(s->t + p->s, p->e - p->s, f, sizeof f);
    int ok = 0;
    for (const char *const *c = lead; fl > 0 && *c && !ok; c++)
        ok = strlen(*c) == (size_t)fl && !memcmp(*c, f, (size_t)fl);
    /* "jusqu'au", "jusqu’au" in one token or two */
    if (!ok && fl >= 2 && !memcmp(f + fl - 2, "au", 2) && (fl == 2 || f[fl - 3] == '\'' || fl >= 4))
        ok = fl == 2 || !memcmp(f, "jusqu", 5);
    if (!ok || (i >= 2 && !s->tok[i - 1].nl && s->tok[i - 2].kind == TOK_WORD && deid_score_name(s, i - 2)))
        return;
    size_t x = i + 1;
    if (x >= s->n || s->tok[x].nl) {
        mark(s, i, i + 1, AT_PHI_DATE);
        return;
    }
    const text_tok *n = &s->tok[x];
    if (glued(s, x) && n->kind != TOK_PUNCT)
        return; /* "15h", "4e" */
    if (n->kind == TOK_PUNCT) {
        char c = s->t[n->s];
        if (c == '/' || c == '%' || c == '-' || c == '+' || (unsigned char)c == 0xC2 ||
            ((c == ',' || c == '.') && x + 1 < s->n && glued(s, x + 1) && s->tok[x + 1].kind == TOK_NUM))
            return;
        if (c == '.' || c == ',' || c == ';' || c == '?' || c == '!' || c == ')' || c == ':')
            mark(s, i, i + 1, AT_PHI_DATE);
        return;
    }
    if (n->kind == TOK_WORD && !n->cap && n->e - n->s <= 10) {
        char g[48];
        int gl = text_lexicon_fold(s->t + n->s, n->e - n->s, g, sizeof g);
        for (const char *const *c = next_ok; gl > 0 && *c; c++)
            if (strlen(*c) == (size_t)gl && !memcmp(*c, g, (size_t)gl)) {
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
        (i > 0 && glued(s, i) && !is_punct(s, i - 1, '(') && !is_punct(s, i - 1, '#')))
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
    while (r + 1 < s->n && is_punct(s, r, '-') && glued(s, r) && glued(s, r + 1) &&
           s->tok[r + 1].kind == TOK_NUM && !s->lab[r + 1])
        r += 2;
    if (r < s->n && glued(s, r) &&
        (s->tok[r].kind != TOK_PUNCT || s->t[s->tok[r].s] == '/' || s->t[s->tok[r].s] == ':'))
        return;
    if (r < s->n && glued(s, r) && (is_punct(s, r, ',') || is_punct(s, r, '.')) && r + 1 < s->n &&
        glued(s, r + 1) && s->tok[r + 1].kind == TOK_NUM)
        return; /* "0001,5" */
    mark(s, i, r, AT_PHI_ID);
}

/* "35-118 402": digits, a dash, three digits, a space, three digits:
 * a reference written in the French way, no quantity. */
static void dash_space_ref(text_scan *s, size_t i)
{
    if (i + 3 >= s->n || tl(s, i) < 2 || tl(s, i) > 3 || (i > 0 && glued(s, i) && !is_punct(s, i - 1, '(')) ||
        !is_punct(s, i + 1, '-') || !glued(s, i + 1) || !glued(s, i + 2) || s->tok[i + 2].kind != TOK_NUM ||
        tl(s, i + 2) != 3 || s->tok[i + 3].kind != TOK_NUM || tl(s, i + 3) != 3 || s->tok[i + 3].nl ||
        s->tok[i + 3].s != s->tok[i + 2].e + 1 || s->lab[i + 2] || s->lab[i + 3])
        return;
    size_t x = i + 4;
    if (x < s->n && glued(s, x) && s->tok[x].kind != TOK_PUNCT)
        return;
    if (x < s->n && !s->tok[x].nl &&
        (s->tok[x].kind == TOK_NUM || (s->tok[x].kind == TOK_WORD && measure_word(s, x))))
        return;
    /* a count or a rate ("150-400 000 /mm3", "... 000 %") */
    if (x < s->n && !s->tok[x].nl && (is_punct(s, x, '/') || is_punct(s, x, '%')))
        return;
    if (x < s->n && glued(s, x) && (is_punct(s, x, ',') || is_punct(s, x, '.')) && x + 1 < s->n &&
        glued(s, x + 1) && s->tok[x + 1].kind == TOK_NUM)
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
            if ((e = scan_intl_phone(s->t, s->len, a)))
                mark_over(s, a < k->s ? i - 1 : i, tok_end_index(s, i, e), AT_PHI_TEL);
            else if (a < k->s && (e = scan_intl_phone(s->t, s->len, k->s)))
                mark_over(s, i, tok_end_index(s, i, e), AT_PHI_TEL); /* "(+49 30 ...)" */
            continue;
        }
        if (k->kind == TOK_NUM) {
            /* the end of a code in capitals ("ABC-DE-0042"): from its start */
            if (i > 1 && glued(s, i) && (is_punct(s, i - 1, '-') || is_punct(s, i - 1, '_'))) {
                size_t a = i - 1;
                while (a > 0 && i - a < 16 && glued(s, a))
                    a--;
                if (s->tok[a].kind == TOK_PUNCT && a + 1 < i)
                    a++; /* "(ABC-DE-04)" */
                if (s->tok[a].kind == TOK_WORD && s->tok[a].allcaps)
                    caps_code(s, a);
                if (s->lab[i])
                    continue;
            }
            if (c0 == '0' && tl(s, i) >= 4 && s->t[k->s + 1] == '0' &&
                (e = scan_intl_phone(s->t, s->len, k->s))) {
                mark_bytes(s, i, e, AT_PHI_TEL);
                continue;
            }
            if ((e = odd_groups_phone(s, i))) {
                mark(s, i, e, AT_PHI_TEL);
                continue;
            }
            if (tl(s, i) >= 2 && tl(s, i) <= 4)
                old_plate(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) <= 3)
                dash_space_ref(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) <= 2 || tl(s, i) == 4)
                month_before(s, i);
            if (s->lab[i])
                continue;
            if (tl(s, i) <= 2) {
                day_first(s, i);
                if (!s->lab[i])
                    roman_date(s, i);
                if (!s->lab[i])
                    day_month(s, i);
                if (!s->lab[i])
                    age_paren(s, i);
                if (!s->lab[i] && s->t[k->s] == '9')
                    age_cell(s, i);
                if (!s->lab[i])
                    day_in_list(s, i);
                if (!s->lab[i])
                    day_alone(s, i);
            } else if (tl(s, i) == 3 && s->t[k->s] == '1' && s->t[k->s + 1] <= '3') {
                age_cell(s, i);
            } else if (tl(s, i) == 5) {
                zip_town(s, i);
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
        if (ocr_mixed(s, i)) {
            ocr_at(s, i);
            if (!s->lab[i])
                ocr_month_year(s, i);
            continue;
        }
        if (is_dig(s->t[k->s])) {
            month_before(s, i); /* "November 3rd" */
            if (!s->lab[i])
                day_first(s, i);
        }
    }
}

/* Token i a day or a year: an English month before it ("Sep 30", "March
 * 2024", "Nov. 19") starts the date there. */
static void month_before(text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl)
        return;
    size_t m = i - 1;
    if (is_punct(s, m, '.') && m > 0 && glued(s, m))
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

/* ---- the tails of record numbers, after the tagger ----------------------------------------- */

/* Token i, a lower-case word that a number before it measures or
 * counts: a unit, "ans", "cycles", ... */
static int measure_word(const text_scan *s, size_t i)
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
    if (s->tok[r].kind == TOK_NUM || (ocr_mixed(s, r) && n <= 5)) {
        if (n > 5 || (next_glued && s->tok[x].kind != TOK_PUNCT))
            return 0;
        if (next_glued && !(is_punct(s, x, ',') || is_punct(s, x, ')') || is_punct(s, x, ';') ||
                            (is_punct(s, x, '.') && !(x + 1 < s->n && s->tok[x + 1].s == s->tok[x].e &&
                                                      s->tok[x + 1].kind == TOK_NUM))))
            return 0;
        /* a unit or a count after the number */
        if (x < s->n && !s->tok[x].nl && s->tok[x].kind == TOK_WORD && measure_word(s, x))
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
            tl(s, i) == 5 && zip_shape(s->t + s->tok[i].s) && !s->tok[i + 1].nl &&
            s->tok[i + 1].s == s->tok[i].e + 1 && !(i > 0 && glued(s, i)))
            mark(s, i, i + 1, AT_PHI_ZIP);
    }
}
