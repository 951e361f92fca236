/* Date surrogates: a date span shifted by the patient's offset and written
 * as it was (12/03/2024, 2024-03-12, 12/03, 12 mars 2024, mars 2024, and
 * with an English month, 4 March 2024, Sep 30, 2025, 14-NOV-2025). A
 * date without a year is shifted in the year that puts it nearest the
 * document's reference date (the caller's choice: the nearest full date
 * before it, else after it), so that the same day shifts to the same day
 * whether the year is written or not. */
#include "deid_internal.h"

#include <string.h>

static const char *const month_out[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                        "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

/* A date span read: y 0 when the writing has no year. */
typedef struct {
    int y, m, d;
    int numeric;  /* dd/mm[/yy[yy]], d.m.y, d-m-y or yyyy-mm-dd */
    int have_day; /* textual: "12 mars" or "1er mars"; "mars 2024" has none (d = 15) */
} sdate;

/* "12 mars 2024", "1er mars 2024", "12 mars", "mars 2024" (NUL-terminated). */
static int parse_textual(const char *p, sdate *dt)
{
    dt->d = 15;
    if (*p >= '0' && *p <= '9') {
        int d = 0;
        for (int k = 0; k < 3 && *p >= '0' && *p <= '9'; k++)
            d = d * 10 + (*p++ - '0');
        if (!strncmp(p, "er", 2))
            p += 2;
        dt->d = d;
        dt->have_day = 1;
        while (*p == ' ')
            p++;
    }
    const char *w = p;
    while (*p && *p != ' ' && *p != '.')
        p++;
    char f[32];
    int fl = at_text_fold(w, (size_t)(p - w), f, sizeof f);
    dt->m = fl > 0 ? text_month_of(f, (size_t)fl) : 0;
    while (*p == ' ' || *p == '.')
        p++;
    /* (a day said in words before its month is no month: "sept mai",
     * "trois juin": the day, and the month after it) */
    if (!dt->have_day && fl > 0) {
        const char *q = p;
        while (*q && *q != ' ' && *q != '.')
            q++;
        char g[32];
        int gl = at_text_fold(p, (size_t)(q - p), g, sizeof g), v = text_number_word(f, (size_t)fl);
        int m2 = gl > 0 ? text_month_of(g, (size_t)gl) : 0;
        if (m2 && v >= 1 && v <= 31) {
            dt->d = v;
            dt->have_day = 1;
            dt->m = m2;
            for (p = q; *p == ' ' || *p == '.'; p++)
                ;
        }
    }
    int y = 0, nd = 0;
    for (; nd < 4 && p[nd] >= '0' && p[nd] <= '9'; nd++)
        y = y * 10 + (p[nd] - '0');
    dt->y = nd == 4 && y >= 1000 ? y : 0;
    return dt->m && dt->d >= 1 && dt->d <= 31;
}

/* The date of span s (n bytes); 0 when its writing is not understood. */
static int parse_date(const char *s, size_t n, sdate *dt)
{
    char tmp[64];
    if (n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    memset(dt, 0, sizeof *dt);
    int ymd;
    if (text_scan_date_numeric(tmp, n, 0, &ymd) == n) {
        dt->y = ymd / 10000;
        dt->m = ymd / 100 % 100;
        dt->d = ymd % 100;
        dt->numeric = dt->have_day = 1;
        return 1;
    }
    /* a date typed with spaces ("22 08 2025", "26 08", "3 1 48"): a day
     * and a month of one or two digits, a year of two or four */
    int v[3] = {0, 0, 0}, w[3] = {0, 0, 0}, parts = 0;
    for (size_t i = 0; i < n && parts < 3;) {
        while (i < n && tmp[i] >= '0' && tmp[i] <= '9' && w[parts] < 4)
            v[parts] = v[parts] * 10 + (tmp[i++] - '0'), w[parts]++;
        if (!w[parts] || (i < n && (tmp[i] != ' ' || i + 1 >= n)))
            break;
        parts++;
        i += i < n;
    }
    int sum = w[0] + w[1] + w[2] + parts - 1;
    if ((parts == 2 || parts == 3) && sum == (int)n && w[0] <= 2 && w[1] <= 2 &&
        (parts == 2 || w[2] == 2 || w[2] == 4) && v[0] >= 1 && v[0] <= 31 && v[1] >= 1 && v[1] <= 12) {
        dt->d = v[0];
        dt->m = v[1];
        dt->y = parts == 2 ? 0 : w[2] == 2 ? text_year_of_two(v[2]) : v[2];
        dt->numeric = dt->have_day = 1;
        return 1;
    }
    return parse_textual(tmp, dt);
}

int text_date_full_days(const char *s, size_t n, long *z)
{
    sdate dt;
    if (!parse_date(s, n, &dt)) {
        text_alt_date a;
        if (!text_date_alt_parse(s, n, &a))
            return 0;
        if (a.style == TEXT_DATE_REST)
            return text_date_full_days(s + a.rest_off, n - a.rest_off, z);
        if (!a.y)
            return 0;
        *z = text_days_from_civil(a.y, a.m, a.d);
        return 1;
    }
    if (!dt.y)
        return 0;
    *z = text_days_from_civil(dt.y, dt.m, dt.d);
    return 1;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days of day d of month m in the year that puts it nearest ref (29/02
 * only in a leap year); without ref, as in 2001 (29/02 as in 2000). */
static long yearless_days(int m, int d, const long *ref)
{
    if (!ref)
        return text_days_from_civil(m == 2 && d == 29 ? 2000 : 2001, m, d);
    int ry, rm, rd;
    text_civil_from_days(*ref, &ry, &rm, &rd);
    long best = 0, dist = -1;
    for (int y = ry - 4; y <= ry + 4; y++) {
        if (m == 2 && d == 29 && !is_leap(y))
            continue;
        long z = text_days_from_civil(y, m, d), e = z > *ref ? z - *ref : *ref - z;
        if (dist < 0 || e < dist) {
            best = z;
            dist = e;
        }
    }
    return best;
}

/* Digits at the start of s. */
static int digit_run(const char *s, size_t n)
{
    int i = 0;
    while ((size_t)i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* y-m-d written as s was: its separator, field widths and year width. */
static at_status put_numeric(at_buf *out, const char *s, size_t n, int y, int m, int d, int noyear)
{
    int dw = digit_run(s, n);
    if (dw == 4) /* ISO */
        return at_buf_printf(out, "%04d-%02d-%02d", y, m, d);
    char sep = s[dw];
    int mw = digit_run(s + dw + 1, n - (size_t)dw - 1);
    if (noyear)
        return at_buf_printf(out, "%0*d%c%0*d", dw, d, sep, mw, m);
    int yw = (int)n - dw - mw - 2;
    return at_buf_printf(out, "%0*d%c%0*d%c%0*d", dw, d, sep, mw, m, sep, yw, yw == 2 ? y % 100 : y);
}

/* "12 mars 2024" in full; a dot that ended the span ("12 mars.") kept. */
static at_status put_textual(at_buf *out, const char *s, size_t n, const sdate *dt, int y, int m, int d)
{
    at_status st;
    if (dt->have_day && d == 1)
        st = at_buf_printf(out, "1er %s", month_out[m - 1]);
    else if (dt->have_day)
        st = at_buf_printf(out, "%d %s", d, month_out[m - 1]);
    else
        st = at_buf_puts(out, month_out[m - 1]);
    if (!st && dt->y)
        st = at_buf_printf(out, " %d", y);
    if (!st && s[n - 1] == '.')
        st = at_buf_putc(out, '.');
    return st;
}

/* ---- dates with an English month ("4 March 2024", "Sep 30, 2025",
 * "14-NOV-2025", "3rd November"): shifted, and written back in their own
 * layout (the month full or in three letters, in its case, the ordinal
 * suffix recomputed, the year in its width) ---- */

static const char *const month_en[] = {"january", "february", "march",     "april",   "may",      "june",
                                       "july",    "august",   "september", "october", "november", "december"};

static char lowc(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Month 1..12 of the English word w (n letters, any case), full or its
 * first three letters ("Sept" too); 0 when none. *abbr: written short. */
static int month_en_of(const char *w, size_t n, int *abbr)
{
    for (int m = 0; m < 12; m++) {
        size_t fl = strlen(month_en[m]);
        if (n != fl && n != 3 && !(m == 8 && n == 4))
            continue;
        size_t k = 0;
        while (k < n && lowc(w[k]) == month_en[m][k])
            k++;
        if (k == n) {
            *abbr = n != fl;
            return m + 1;
        }
    }
    return 0;
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *ordinal_en(int d)
{
    if (d % 100 >= 11 && d % 100 <= 13)
        return "th";
    return d % 10 == 1 ? "st" : d % 10 == 2 ? "nd" : d % 10 == 3 ? "rd" : "th";
}

/* The letters of w (n of them) in the case s was written in (all
 * capitals, capitalised or lower case). */
static at_status put_in_case(at_buf *out, const char *w, size_t n, const char *s, size_t sn)
{
    int upper = sn > 1 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
    int cap = s[0] >= 'A' && s[0] <= 'Z';
    at_status st = AT_OK;
    for (size_t k = 0; k < n && !st; k++) {
        char c = w[k];
        if (upper || (cap && k == 0))
            c = (char)(c - 32);
        st = at_buf_putc(out, c);
    }
    return st;
}

static int en_date_put(at_buf *out, const char *s, size_t n, int days, const long *ref, at_status *st)
{
    int m = 0, d = 0, y = 0, abbr = 0, yw = 0;
    size_t i = 0;
    /* read: one month, a day of one or two digits (with its suffix), a
     * year of two or four digits; anything else: not understood */
    while (i < n) {
        size_t a = i;
        if (is_alpha(s[i])) {
            while (i < n && is_alpha(s[i]))
                i++;
            int ab, mm = month_en_of(s + a, i - a, &ab);
            int suffix = i - a == 2 && a > 0 && is_digit(s[a - 1]);
            if (mm && !m) {
                m = mm;
                abbr = ab;
            } else if (!suffix) {
                return 0;
            }
        } else if (is_digit(s[i])) {
            int v = 0;
            while (i < n && is_digit(s[i]) && i - a < 5)
                v = v * 10 + (s[i++] - '0');
            if (i - a == 4 && !y) {
                y = v;
                yw = 4;
            } else if (i - a <= 2 && !d && v >= 1 && v <= 31) {
                d = v;
            } else if (i - a == 2 && d && !y) {
                y = 2000 + v;
                yw = 2;
            } else {
                return 0;
            }
        } else if (s[i] == ' ' || s[i] == ',' || s[i] == '-' || s[i] == '.' || s[i] == '/') {
            i++;
        } else {
            return 0;
        }
    }
    if (!m || (!d && !y))
        return 0;
    int have_day = d != 0;
    if (!d)
        d = 15;
    long z = (y ? text_days_from_civil(y, m, d) : yearless_days(m, d, ref)) + days;
    int ny, nm, nd;
    text_civil_from_days(z, &ny, &nm, &nd);
    /* write: the same walk, each part replaced */
    *st = AT_OK;
    int day_done = 0;
    for (i = 0; i < n && !*st;) {
        size_t a = i;
        if (is_alpha(s[i])) {
            while (i < n && is_alpha(s[i]))
                i++;
            int ab;
            if (month_en_of(s + a, i - a, &ab) && !(i - a == 2 && a > 0 && is_digit(s[a - 1])))
                *st = put_in_case(out, month_en[nm - 1],
                                  abbr ? (i - a == 4 && nm == 9 ? 4 : 3) : strlen(month_en[nm - 1]), s + a,
                                  i - a);
            else
                *st = put_in_case(out, ordinal_en(nd), 2, s + a, i - a);
        } else if (is_digit(s[i])) {
            while (i < n && is_digit(s[i]))
                i++;
            if (i - a <= 2 && have_day && !day_done) {
                *st = at_buf_printf(out, "%0*d", (int)(i - a) == 2 && s[a] == '0' ? 2 : 1, nd);
                day_done = 1;
            } else {
                *st = yw == 2 ? at_buf_printf(out, "%02d", ny % 100) : at_buf_printf(out, "%04d", ny);
            }
        } else {
            *st = at_buf_putc(out, s[i++]);
        }
    }
    return 1;
}

int text_date_put(at_buf *out, const char *s, size_t n, int days, const long *ref, at_status *st)
{
    sdate dt;
    /* a date filled in a form's boxes ("12___.___03___.___1951", "[1][8] /
     * [0][2] / ..."): read, and written, without its fillers */
    if (n < 64 && (memchr(s, '_', n) || memchr(s, '[', n) || memchr(s, '|', n))) {
        char c[64];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i] != '_' && s[i] != '[' && s[i] != ']' && s[i] != '|' && s[i] != ' ')
                c[k++] = s[i];
        c[k] = 0;
        /* (eight boxes, a day's, a month's and a year's: "07/03/1941") */
        if (k == 8 && strspn(c, "0123456789") >= 8) {
            char d[11] = {c[0], c[1], '/', c[2], c[3], '/', c[4], c[5], c[6], c[7], 0};
            return text_date_put(out, d, 10, days, ref, st);
        }
        if (k && k < n)
            return text_date_put(out, c, k, days, ref, st);
    }
    if (!parse_date(s, n, &dt)) {
        size_t before = out->len;
        if (en_date_put(out, s, n, days, ref, st))
            return 1;
        out->len = before;
        return text_date_alt_put(out, s, n, days, ref, st, text_date_put, yearless_days);
    }
    long z = (dt.y ? text_days_from_civil(dt.y, dt.m, dt.d) : yearless_days(dt.m, dt.d, ref)) + days;
    int y, m, d;
    text_civil_from_days(z, &y, &m, &d);
    *st = dt.numeric ? put_numeric(out, s, n, y, m, d, !dt.y) : put_textual(out, s, n, &dt, y, m, d);
    return 1;
}

/* The start of a weekday written just before a date span at start, at
 * or after pos ("samedi 7 juin", "mer. 5 févr."): the
 * detector leaves it out of the span, and a shifted date rewrites it
 * (its day changes). start when none. */
size_t text_weekday_before(const char *text, size_t pos, size_t start)
{
    size_t e = start;
    while (e > pos && text[e - 1] == ' ')
        e--;
    if (e == start || e == pos)
        return start;
    int dot = e > pos && text[e - 1] == '.';
    size_t we = dot ? e - 1 : e, b = we;
    while (b > pos && we - b < 12 && (unsigned char)text[b - 1] >= 'A' && text[b - 1] != ' ' &&
           text[b - 1] != '\n' && text[b - 1] != '(' && text[b - 1] != ',')
        b--;
    if (b == we || (b > pos && text[b - 1] != ' ' && text[b - 1] != '\n' && text[b - 1] != '\t' &&
                    text[b - 1] != '(' && text[b - 1] != ','))
        return start;
    if (b == pos && pos > 0 && text[pos - 1] != ' ' && text[pos - 1] != '\n' && text[pos - 1] != '\t' &&
        text[pos - 1] != '(' && text[pos - 1] != ',')
        return start; /* the word goes on before pos (inside a span's text) */
    char f[16];
    int fl = text_lexicon_fold(text + b, we - b, f, sizeof f);
    if (fl <= 0)
        return start;
    if (dot ? fl == 3 && text_weekday_abbr(f, 3) : text_weekday_of(f, (size_t)fl))
        return b;
    return start;
}
