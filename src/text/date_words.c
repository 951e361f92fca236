/* Dates the numeric and "12 mars 2024" scanners do not read: in words
 * ("le vingt-deux avril deux mille vingt-trois", "trois juin mil neuf
 * cent quarante"), OCR'd digits ("1O/O3/2O23", the letter O for zero, l or
 * I for one), day/month with one digit ("le 4/11"), and any date with its
 * weekday before it ("lundi 12 mars"). Reading them, and writing them
 * shifted in the same writing, for the date surrogates. */
#include "deid_internal.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *w;
    int v;
} number_words[] = {{"zero", 0},    {"un", 1},        {"une", 1},       {"premier", 1},    {"deux", 2},
                    {"trois", 3},   {"quatre", 4},    {"cinq", 5},      {"six", 6},        {"sept", 7},
                    {"huit", 8},    {"neuf", 9},      {"dix", 10},      {"onze", 11},      {"douze", 12},
                    {"treize", 13}, {"quatorze", 14}, {"quinze", 15},   {"seize", 16},     {"vingt", 20},
                    {"vingts", 20}, {"trente", 30},   {"quarante", 40}, {"cinquante", 50}, {"soixante", 60},
                    {"cent", 100},  {"cents", 100},   {"mille", 1000},  {"mil", 1000}};

/* The lengths (bit n) of number_words[] and "et" by their first two
 * letters (keep in step with number_words). */
#define NW(a, b) [(a) - 'a'][(b) - 'a']
const uint16_t text_number_word_lengths[26][26] = {
    NW('z', 'e') = 1 << 4,          /* zero */
    NW('u', 'n') = 1 << 2 | 1 << 3, /* un, une */
    NW('p', 'r') = 1 << 7,          /* premier */
    NW('d', 'e') = 1 << 4,          /* deux */
    NW('t', 'r') = 1 << 5 | 1 << 6, /* trois, treize, trente */
    NW('q', 'u') = 1 << 6 | 1 << 8, /* quatre, quinze, quatorze, quarante */
    NW('c', 'i') = 1 << 4 | 1 << 9, /* cinq, cinquante */
    NW('s', 'i') = 1 << 3,          /* six */
    NW('s', 'e') = 1 << 4 | 1 << 5, /* sept, seize */
    NW('h', 'u') = 1 << 4,          /* huit */
    NW('n', 'e') = 1 << 4,          /* neuf */
    NW('d', 'i') = 1 << 3,          /* dix */
    NW('o', 'n') = 1 << 4,          /* onze */
    NW('d', 'o') = 1 << 5,          /* douze */
    NW('v', 'i') = 1 << 5 | 1 << 6, /* vingt, vingts */
    NW('s', 'o') = 1 << 8,          /* soixante */
    NW('c', 'e') = 1 << 4 | 1 << 5, /* cent, cents */
    NW('m', 'i') = 1 << 3 | 1 << 5, /* mil, mille */
    NW('e', 't') = 1 << 2,          /* et */
};
#undef NW

/* The same pairs as text_pair_key values (deid_internal.h). */
#define PK(a, b) [((a)&0x1F) << 5 | ((b)&0x1F)] = 1
const uint8_t text_number_word_keys[1024] = {
    PK('z', 'e'), PK('u', 'n'), PK('p', 'r'), PK('d', 'e'), PK('t', 'r'), PK('q', 'u'), PK('c', 'i'),
    PK('s', 'i'), PK('s', 'e'), PK('h', 'u'), PK('n', 'e'), PK('d', 'i'), PK('o', 'n'), PK('d', 'o'),
    PK('v', 'i'), PK('s', 'o'), PK('c', 'e'), PK('m', 'i'), PK('e', 't')};
#undef PK

int text_number_word(const char *f, size_t n)
{
    if (n < 2 || n > 9 || f[0] < 'c' || f[0] > 'z' ||
        !text_number_word_may((unsigned char)f[0], (unsigned char)f[1], n))
        return -1;
    for (size_t i = 0; i < sizeof number_words / sizeof *number_words; i++)
        if (number_words[i].w[0] == f[0] && !strncmp(number_words[i].w, f, n) && !number_words[i].w[n])
            return number_words[i].v;
    return -1;
}

/* Accumulates number words into a value (French rules: quatre-vingt,
 * dix-neuf cent, mil neuf cent, deux mille vingt-trois). */
typedef struct {
    int total, current, words;
} number_acc;

static int acc_word(number_acc *a, const char *f, size_t n)
{
    if (n == 2 && !memcmp(f, "et", 2))
        return a->words > 0;
    int v = text_number_word(f, n);
    if (v < 0)
        return 0;
    if (v == 100)
        a->current = (a->current % 100 ? a->current - a->current % 100 + (a->current % 100) * 100
                                       : (a->current ? a->current : 1) * 100);
    else if (v == 1000) {
        a->total += (a->current ? a->current : 1) * 1000;
        a->current = 0;
    } else if (v == 20 && a->current % 100 == 4)
        a->current += 76; /* quatre-vingt */
    else
        a->current += v;
    a->words++;
    return 1;
}

/* Each hyphen-separated part of the folded token f is a number word. */
static int acc_token(number_acc *a, const char *f, size_t n)
{
    number_acc b = *a;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && f[j] != '-')
            j++;
        if (j == i || !acc_word(&b, f + i, j - i))
            return 0;
        i = j + 1;
    }
    *a = b;
    return 1;
}

int text_number_words_value(const char *const *words, const size_t *lens, size_t count, int *value)
{
    number_acc a = {0, 0, 0};
    for (size_t i = 0; i < count; i++)
        if (!acc_token(&a, words[i], lens[i]))
            return 0;
    if (!a.words)
        return 0;
    *value = a.total + a.current;
    return 1;
}

static const char *const weekdays[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                       "vendredi", "samedi", "dimanche"};

int text_weekday_abbr(const char *f, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (n == 3 && !memcmp(weekdays[i], f, 3))
            return i + 1;
    return 0;
}

int text_weekday_abbr_en(const char *f, size_t n)
{
    static const char days[] = "montuewedthufrisatsun";
    for (size_t d = 0; n == 3 && d < 21; d += 3)
        if (!memcmp(days + d, f, 3))
            return 1;
    return 0;
}

int text_weekday_of(const char *f, size_t n)
{
    static const unsigned char weekday_len[7] = {5, 5, 8, 5, 8, 6, 8}; /* strlen of weekdays[] */
    if (n < 5 || n > 8)
        return 0;
    for (int i = 0; i < 7; i++)
        if (weekday_len[i] == n && weekdays[i][0] == f[0] && !memcmp(weekdays[i], f, n))
            return i + 1;
    return 0;
}

/* ---- reading a span -------------------------------------------------------- */

/* The folded words of s (n bytes), split at spaces and dots. */
typedef struct {
    char buf[160];
    const char *w[16];
    size_t l[16];
    size_t count;
} words_t;

static int split_words(const char *s, size_t n, words_t *ws)
{
    int fl = n < 120 ? at_text_fold(s, n, ws->buf, sizeof ws->buf) : -1;
    if (fl < 0)
        return 0;
    ws->count = 0;
    for (int i = 0; i < fl && ws->count < 16;) {
        while (i < fl && (ws->buf[i] == ' ' || ws->buf[i] == '.' || ws->buf[i] == ',' || ws->buf[i] == '\n'))
            i++;
        int j = i;
        while (j < fl && ws->buf[j] != ' ' && ws->buf[j] != '.' && ws->buf[j] != ',' && ws->buf[j] != '\n')
            j++;
        if (j > i) {
            ws->w[ws->count] = ws->buf + i;
            ws->l[ws->count++] = (size_t)(j - i);
        }
        i = j;
    }
    return 1;
}

/* A date in words: [day words] month [year words]; *have_day, *y (0 none). */
static int parse_words(const words_t *ws, size_t from, int *y, int *m, int *d, int *have_day)
{
    size_t mi = from;
    while (mi < ws->count && !text_month_of(ws->w[mi], ws->l[mi]))
        mi++;
    if (mi >= ws->count || mi - from > 4)
        return 0;
    *m = text_month_of(ws->w[mi], ws->l[mi]);
    *have_day = 0;
    *d = 15;
    if (mi > from) {
        int v;
        if (mi - from == 1 && ws->l[from] == 3 && !memcmp(ws->w[from], "1er", 3))
            v = 1;
        else if (!text_number_words_value(ws->w + from, ws->l + from, mi - from, &v))
            return 0;
        if (v < 1 || v > 31)
            return 0;
        *d = v;
        *have_day = 1;
    }
    *y = 0;
    if (mi + 1 < ws->count) {
        int v;
        if (!text_number_words_value(ws->w + mi + 1, ws->l + mi + 1, ws->count - mi - 1, &v) || v < 1000 ||
            v > 2200)
            return 0;
        *y = v;
    }
    return *have_day || *y;
}

/* An OCR'd or one-digit numeric date: O/o for 0, l/I for 1. */
static int parse_ocr(const char *s, size_t n, int *y, int *m, int *d, char *sep, int *pad)
{
    int f[3] = {0, 0, 0}, w[3] = {0, 0, 0}, k = 0;
    *sep = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : (c == 'O' || c == 'o') ? 0 : (c == 'l' || c == 'I') ? 1 : -1;
        if (v >= 0) {
            if (w[k] >= 4)
                return 0;
            f[k] = f[k] * 10 + v;
            w[k]++;
        } else if ((c == '/' || c == '.' || c == '-') && k < 2 && w[k] && (!*sep || *sep == c)) {
            *sep = c;
            k++;
        } else {
            return 0;
        }
    }
    if (k < 1 || !w[k] || w[0] > 2 || w[1] > 2)
        return 0;
    *d = f[0];
    *m = f[1];
    *y = 0;
    *pad = w[0] == 2 && w[1] == 2;
    if (k == 2) {
        if (w[2] != 2 && w[2] != 4)
            return 0;
        *y = w[2] == 2 ? text_year_of_two(f[2]) : f[2];
    }
    return *d >= 1 && *d <= 31 && *m >= 1 && *m <= 12;
}

int text_date_alt_parse(const char *s, size_t n, text_alt_date *out)
{
    memset(out, 0, sizeof *out);
    words_t ws;
    if (!n || !split_words(s, n, &ws) || !ws.count)
        return 0;
    size_t from = 0;
    /* "lundi", "lun.", "lun " before a date the other readers know,
     * "vend." too */
    size_t al = ws.l[0] == 4 && !memcmp(ws.w[0], "vend", 4) ? 3 : ws.l[0];
    int en = text_weekday_abbr_en(ws.w[0], al); /* a mail's "Tue 3 Nov 2026" */
    if (text_weekday_of(ws.w[0], ws.l[0]) ||
        ((text_weekday_abbr(ws.w[0], al) || en) && n > ws.l[0] &&
         (s[ws.l[0]] == '.' || s[ws.l[0]] == ' ' || s[ws.l[0]] == ','))) {
        out->weekday = 1;
        from = 1;
        /* the rest in any writing the other readers know */
        const char *p = s;
        while (p < s + n && *p != ' ')
            p++;
        while (p < s + n && *p == ' ')
            p++;
        out->rest_off = (size_t)(p - s);
    }
    if (parse_words(&ws, from, &out->y, &out->m, &out->d, &out->have_day)) {
        out->style = TEXT_DATE_WORDS;
        return 1;
    }
    if (parse_ocr(s + out->rest_off, n - out->rest_off, &out->y, &out->m, &out->d, &out->sep, &out->pad)) {
        out->have_day = 1;
        out->style = TEXT_DATE_OCR;
        return 1;
    }
    if (out->weekday) {
        out->style = TEXT_DATE_REST;
        return 1;
    }
    return 0;
}

/* ---- writing --------------------------------------------------------------------- */

static const char *const units[] = {"zéro",  "un",     "deux",     "trois",  "quatre", "cinq",
                                    "six",   "sept",   "huit",     "neuf",   "dix",    "onze",
                                    "douze", "treize", "quatorze", "quinze", "seize"};
static const char *const tens[] = {"", "dix", "vingt", "trente", "quarante", "cinquante", "soixante"};
static const char *const month_out[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                        "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};

/* 0..99 in French words (the 1990 spelling's hyphens). */
static at_status put_below_100(at_buf *b, int v)
{
    if (v <= 16)
        return at_buf_puts(b, units[v]);
    if (v < 20)
        return at_buf_printf(b, "dix-%s", units[v - 10]);
    int t = v / 10, u = v % 10;
    if (t == 7 || t == 9) {
        const char *base = t == 7 ? "soixante" : "quatre-vingt";
        int r = v - (t == 7 ? 60 : 80);
        if (t == 7 && r == 11)
            return at_buf_printf(b, "%s-et-onze", base);
        return r <= 16 ? at_buf_printf(b, "%s-%s", base, units[r])
                       : at_buf_printf(b, "%s-dix-%s", base, units[r - 10]);
    }
    if (t == 8)
        return u ? at_buf_printf(b, "quatre-vingt-%s", units[u]) : at_buf_puts(b, "quatre-vingts");
    if (!u)
        return at_buf_puts(b, tens[t]);
    if (u == 1)
        return at_buf_printf(b, "%s-et-un", tens[t]);
    return at_buf_printf(b, "%s-%s", tens[t], units[u]);
}

static at_status put_year_words(at_buf *b, int y)
{
    at_status st;
    if (y >= 2000) {
        st = at_buf_puts(b, "deux mille");
        if (!st && y % 1000) {
            st = at_buf_putc(b, ' ');
            if (!st)
                st = put_below_100(b, y % 1000 % 100);
        }
        return st;
    }
    st = at_buf_puts(b, "mil neuf cent");
    if (!st && y % 100) {
        st = at_buf_putc(b, ' ');
        if (!st)
            st = put_below_100(b, y % 100);
    }
    return st;
}

at_status text_date_alt_write(at_buf *b, const text_alt_date *a, const char *s, size_t n, int y, int m, int d)
{
    at_status st = AT_OK;
    if (a->weekday) {
        long z = text_days_from_civil(y, m, d);
        static const char *const wd[] = {"jeudi", "vendredi", "samedi",  "dimanche",
                                         "lundi", "mardi",    "mercredi"};
        const char *w = wd[((z % 7) + 7) % 7];
        unsigned char c0 = (unsigned char)s[0];
        st = at_buf_printf(b, "%c%s ", c0 >= 'A' && c0 <= 'Z' ? w[0] - 32 : w[0], w + 1);
    }
    if (st)
        return st;
    if (a->style == TEXT_DATE_WORDS) {
        if (a->have_day) {
            st = d == 1 ? at_buf_puts(b, "premier") : put_below_100(b, d);
            if (!st)
                st = at_buf_putc(b, ' ');
        }
        if (!st)
            st = at_buf_puts(b, month_out[m - 1]);
        if (!st && a->y) {
            st = at_buf_putc(b, ' ');
            if (!st)
                st = put_year_words(b, y);
        }
        return st;
    }
    if (a->style == TEXT_DATE_OCR) {
        char sep = a->sep ? a->sep : '/';
        return a->y     ? at_buf_printf(b, "%02d%c%02d%c%04d", d, sep, m, sep, y)
               : a->pad ? at_buf_printf(b, "%02d%c%02d", d, sep, m) /* "lundi 20/02" */
                        : at_buf_printf(b, "%d%c%d", d, sep, m);
    }
    (void)n;
    return st;
}

/* Weekday-prefixed, worded and OCR'd dates for text_date_put: 1 when
 * understood (written shifted by days), else 0. */
int text_date_alt_put(at_buf *out, const char *s, size_t n, int days, const long *ref, at_status *st,
                      int (*put)(at_buf *, const char *, size_t, int, const long *, at_status *),
                      long (*yearless)(int, int, const long *))
{
    text_alt_date a;
    if (!text_date_alt_parse(s, n, &a))
        return 0;
    if (a.style == TEXT_DATE_REST) {
        /* "lundi 12 mars 2024": the date shifted by the common reader, its
         * weekday recomputed from the shifted date */
        at_buf tmp;
        at_buf_init(&tmp, 256);
        at_status st2 = AT_OK;
        int ok = put(&tmp, s + a.rest_off, n - a.rest_off, days, ref, &st2);
        long z;
        if (ok && !st2 && text_date_full_days(tmp.data ? (const char *)tmp.data : "", tmp.len, &z)) {
            int y, m, d;
            text_civil_from_days(z, &y, &m, &d);
            a.style = TEXT_DATE_NONE;
            *st = text_date_alt_write(out, &a, s, n, y, m, d);
            if (!*st)
                *st = at_buf_append(out, tmp.data, tmp.len);
        } else if (ok && !st2) {
            *st = at_buf_append(out, s, a.rest_off); /* no year: the weekday cannot be known; kept */
            if (!*st)
                *st = at_buf_append(out, tmp.data, tmp.len);
        } else {
            ok = 0;
        }
        at_buf_free(&tmp);
        return ok;
    }
    long z = (a.y ? text_days_from_civil(a.y, a.m, a.d) : yearless(a.m, a.d, ref)) + days;
    int y, m, d;
    text_civil_from_days(z, &y, &m, &d);
    *st = text_date_alt_write(out, &a, s, n, y, m, d);
    return 1;
}
