/* The scan of retained text: in a value decoded to UTF-8 and folded
 * (fold.c), find (1) the identifying values of the same file, compared
 * after folding (case, accents, NFC/NFD, separators) at word boundaries;
 * (2) shapes that identify whatever the file holds: dates in numbers and in
 * French or English words, phone numbers and long digit runs, e-mail
 * addresses, URLs, names after a title (Dr, Mme, ...); (3) the spans of a
 * detector handed in by the caller (the French text detector). */
#include "deid/fold.h"
#include "deid/internal.h"

#include <string.h>

void at_deid_ranges_free(at_deid_ranges *r)
{
    at_free(r->start);
    at_free(r->end);
    memset(r, 0, sizeof *r);
}

at_status at_deid_ranges_add(at_deid_ranges *r, size_t start, size_t end)
{
    if (end <= start)
        return AT_OK;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        size_t *s = at_realloc(r->start, cap * sizeof *s);
        if (!s)
            return AT_ERR_NOMEM;
        r->start = s;
        size_t *e = at_realloc(r->end, cap * sizeof *e);
        if (!e)
            return AT_ERR_NOMEM;
        r->end = e;
        r->cap = cap;
    }
    r->start[r->n] = start;
    r->end[r->n] = end;
    r->n++;
    return AT_OK;
}

static int class_of_byte(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return AT_FOLD_DIGIT;
    if ((c >= 'a' && c <= 'z') || c >= 0x80)
        return AT_FOLD_LETTER;
    return AT_FOLD_OTHER;
}

/* Scripts written without spaces between words (Thai, CJK, ...) and the
 * others past Cyrillic: no word boundary is required around them. */
static int unspaced_script(const unsigned char *p, size_t n)
{
    if (n < 2 || p[0] < 0xD6 || (p[0] == 0xD6 && p[1] < 0x90))
        return 0;
    if (p[0] == 0xE1 && n >= 2 && p[1] >= 0xB8 && p[1] <= 0xBF) /* U+1E00..U+1FFF: Latin, Greek extended */
        return 0;
    return 1;
}

/* Start of the last UTF-8 character of p[0..n). */
static size_t last_char(const char *p, size_t n)
{
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)p[i] & 0xC0) == 0x80 && n - i < 4)
        i--;
    return i;
}

/* (1) identifiers: every occurrence in the compact form whose first and
 * last characters are at a class boundary of the source (a letter not
 * glued to a letter, a digit not glued to a digit; none needed for scripts
 * written without spaces). */
static at_status scan_identifiers(const char *s, size_t n, const at_deid_folded *f,
                                  const at_deid_identifiers *ids, unsigned flags, at_deid_ranges *out)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < ids->count && !st; i++) {
        const at_deid_identifier *id = &ids->v[i];
        if (id->len > f->ncompact || ((flags & AT_DEID_SCAN_CODED) && id->len < 4))
            continue;
        const char *hay = f->compact;
        for (const char *p = hay; !st && (p = memmem(p, f->ncompact - (size_t)(p - hay), id->text, id->len));
             p++) {
            size_t a = (size_t)(p - hay), b = a + id->len - 1;
            size_t from = f->cfrom[a], to = f->cto[b];
            int first = class_of_byte((unsigned char)id->text[0]);
            int last = class_of_byte((unsigned char)id->text[id->len - 1]);
            size_t lc = last_char(id->text, id->len);
            if (unspaced_script((const unsigned char *)id->text, id->len))
                first = AT_FOLD_OTHER;
            if (unspaced_script((const unsigned char *)id->text + lc, id->len - lc))
                last = AT_FOLD_OTHER;
            size_t prev = at_deid_fold_prev(s, from);
            if (prev != (size_t)-1 && at_deid_fold_class(s, n, prev) == first && first != AT_FOLD_OTHER)
                continue;
            if (to < n && at_deid_fold_class(s, n, to) == last && last != AT_FOLD_OTHER)
                continue;
            st = at_deid_ranges_add(out, from, to);
        }
    }
    return st;
}

/* ---- (2) shapes, on the spaced form: tokens of letters, of digits, and
 * single separator characters ---- */
typedef struct {
    size_t a, b; /* [a, b) in the spaced form */
    int cls;     /* AT_FOLD_LETTER, AT_FOLD_DIGIT, or AT_FOLD_OTHER (one separator) */
} token;

static size_t tokenize(const at_deid_folded *f, token *t, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < f->nspaced && k < max;) {
        int c = class_of_byte((unsigned char)f->spaced[i]);
        size_t j = i + 1;
        if (c != AT_FOLD_OTHER)
            while (j < f->nspaced && class_of_byte((unsigned char)f->spaced[j]) == c)
                j++;
        t[k].a = i;
        t[k].b = j;
        t[k].cls = c;
        k++;
        i = j;
    }
    return k;
}

static int tok_is(const at_deid_folded *f, const token *t, const char *w)
{
    size_t n = strlen(w);
    return t->cls == AT_FOLD_LETTER && t->b - t->a == n && !memcmp(f->spaced + t->a, w, n);
}

static long tok_number(const at_deid_folded *f, const token *t)
{
    if (t->cls != AT_FOLD_DIGIT || t->b - t->a > 9)
        return -1;
    long v = 0;
    for (size_t i = t->a; i < t->b; i++)
        v = v * 10 + (f->spaced[i] - '0');
    return v;
}

static int tok_sep(const at_deid_folded *f, const token *t, const char *allowed)
{
    return t->cls == AT_FOLD_OTHER && strchr(allowed, f->spaced[t->a]) != NULL;
}

/* 1..12 when the token is a month name (French, English, abbreviated). */
static int month_of(const at_deid_folded *f, const token *t)
{
    static const char *const names[] = {
        "janvier",  "fevrier",  "mars",     "avril", "mai",  "juin",   "juillet",   "aout",    "septembre",
        "octobre",  "novembre", "decembre", "janv",  "fevr", "fev",    "mars",      "avr",     "mai",
        "juin",     "juil",     "aout",     "sept",  "oct",  "nov",    "dec",       "january", "february",
        "march",    "april",    "may",      "june",  "july", "august", "september", "october", "november",
        "december", "jan",      "feb",      "mar",   "apr",  "may",    "jun",       "jul",     "aug",
        "sep",      "oct",      "nov",      "dec"};
    static const int month[] = {1,  2,  3,  4, 5, 6,  7,  8,  9, 10, 11, 12, 1,  2,  2, 3, 4,
                                5,  6,  7,  8, 9, 10, 11, 12, 1, 2,  3,  4,  5,  6,  7, 8, 9,
                                10, 11, 12, 1, 2, 3,  4,  5,  6, 7,  8,  9,  10, 11, 12};
    if (t->cls != AT_FOLD_LETTER)
        return 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (tok_is(f, t, names[i]))
            return month[i];
    return 0;
}

static int is_day(long d)
{
    return d >= 1 && d <= 31;
}
static int is_month(long m)
{
    return m >= 1 && m <= 12;
}
static int is_year(const at_deid_folded *f, const token *t)
{
    long y = tok_number(f, t);
    return (t->b - t->a == 4 && y >= 1800 && y <= 2199) || t->b - t->a == 2;
}

/* A date starting at token i: returns the index past its last token, or i. */
static size_t match_date(const at_deid_folded *f, const token *t, size_t k, size_t i)
{
    const token *x = &t[i];
    if (x->cls == AT_FOLD_DIGIT) {
        long a = tok_number(f, x);
        size_t len = x->b - x->a;
        /* 20240312 or 12032024 */
        if (len == 8) {
            long y1 = a / 10000, m1 = a / 100 % 100, d1 = a % 100;
            long d2 = a / 1000000, m2 = a / 10000 % 100, y2 = a % 10000;
            if ((y1 >= 1800 && y1 <= 2199 && is_month(m1) && is_day(d1)) ||
                (y2 >= 1800 && y2 <= 2199 && is_month(m2) && is_day(d2)))
                return i + 1;
        }
        /* D sep M sep Y, Y sep M sep D */
        if (i + 4 < k && tok_sep(f, &t[i + 1], "/.- ") && t[i + 2].cls == AT_FOLD_DIGIT &&
            tok_sep(f, &t[i + 3], "/.- ") && t[i + 4].cls == AT_FOLD_DIGIT) {
            long b = tok_number(f, &t[i + 2]), c = tok_number(f, &t[i + 4]);
            char s1 = f->spaced[t[i + 1].a], s2 = f->spaced[t[i + 3].a];
            size_t clen = t[i + 4].b - t[i + 4].a;
            if (len <= 2 && is_day(a) && is_month(b) && t[i + 2].b - t[i + 2].a <= 2 &&
                is_year(f, &t[i + 4]) && (clen == 4 || (s1 == s2 && s1 != ' ')))
                return i + 5;
            if (len == 4 && a >= 1800 && a <= 2199 && is_month(b) && is_day(c) && clen <= 2)
                return i + 5;
        }
        /* D [er|st|nd|rd|th] MONTH [YEAR] */
        size_t j = i + 1;
        if (j < k && (tok_is(f, &t[j], "er") || tok_is(f, &t[j], "st") || tok_is(f, &t[j], "nd") ||
                      tok_is(f, &t[j], "rd") || tok_is(f, &t[j], "th")))
            j++;
        if (j < k && tok_sep(f, &t[j], " ./-,"))
            j++;
        if (len <= 2 && is_day(a) && j < k && month_of(f, &t[j])) {
            j++;
            if (j + 1 < k && tok_sep(f, &t[j], " ./-,") && t[j + 1].cls == AT_FOLD_DIGIT &&
                t[j + 1].b - t[j + 1].a == 4)
                j += 2;
            return j;
        }
        return i;
    }
    /* MONTH [D[,]] YEAR */
    if (month_of(f, x)) {
        size_t j = i + 1;
        if (j + 1 < k && tok_sep(f, &t[j], " ./-") && t[j + 1].cls == AT_FOLD_DIGIT) {
            long v = tok_number(f, &t[j + 1]);
            size_t len = t[j + 1].b - t[j + 1].a;
            if (len == 4 && v >= 1800 && v <= 2199)
                return j + 2;
            if (len <= 2 && is_day(v)) {
                size_t m = j + 2;
                if (m < k && (tok_is(f, &t[m], "st") || tok_is(f, &t[m], "nd") || tok_is(f, &t[m], "rd") ||
                              tok_is(f, &t[m], "th")))
                    m++;
                if (m + 1 < k && tok_sep(f, &t[m], " ,.") && t[m + 1].cls == AT_FOLD_DIGIT &&
                    t[m + 1].b - t[m + 1].a == 4)
                    return m + 2;
            }
        }
    }
    return i;
}

/* Digit groups joined by single separators: phone numbers, IDs. Returns the
 * index past the run when it holds 9 digits or more in groups, or one
 * group of 7 or more; else i. */
static size_t match_number_run(const at_deid_folded *f, const token *t, size_t k, size_t i)
{
    if (t[i].cls != AT_FOLD_DIGIT)
        return i;
    size_t digits = 0, j = i, end = i, longest = 0;
    while (j < k && t[j].cls == AT_FOLD_DIGIT) {
        size_t len = t[j].b - t[j].a;
        digits += len;
        if (len > longest)
            longest = len;
        end = j + 1;
        if (j + 2 < k && tok_sep(f, &t[j + 1], " .-/()+") && t[j + 2].cls == AT_FOLD_DIGIT &&
            t[j + 2].b - t[j + 2].a <= 4 && len <= 4)
            j += 2;
        else
            break;
    }
    if (longest >= 7 || (digits >= 9 && end - i >= 3))
        return end;
    return i;
}

/* 1 when the source character at byte offset i is an upper-case letter. */
static int upper_at(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c == 0xC3 && i + 1 < n) /* U+00C0..U+00DE */
        return (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9E &&
               (unsigned char)s[i + 1] != 0x97;
    return 0;
}

/* A title before a name: the words (docteur, madame, ...) always; the
 * abbreviations (Dr, Pr, Mr, Mrs, Ms, M.) only written with a capital and
 * small letters, or followed by a dot, and before a capitalised word, so
 * that "DR chest", "MR head" and "20 ms delay" are not titles. */
static int is_title(const char *s, size_t n, const at_deid_folded *f, const token *t, size_t k, size_t i)
{
    static const char *const words[] = {"docteur", "doctor", "professeur",   "professor", "mme",
                                        "madame",  "mlle",   "mademoiselle", "monsieur",  "maitre"};
    for (size_t w = 0; w < sizeof words / sizeof *words; w++)
        if (tok_is(f, &t[i], words[w]))
            return 1;
    static const char *const abbrev[] = {"dr", "pr", "prof", "mr", "mrs", "ms", "m"};
    int is_abbrev = 0;
    for (size_t w = 0; w < sizeof abbrev / sizeof *abbrev; w++)
        is_abbrev |= tok_is(f, &t[i], abbrev[w]);
    if (!is_abbrev)
        return 0;
    int dot = i + 1 < k && tok_sep(f, &t[i + 1], ".");
    size_t a = f->sfrom[t[i].a];
    int capital = upper_at(s, n, a) && (t[i].b - t[i].a == 1 || !upper_at(s, n, f->sfrom[t[i].a + 1]));
    if (!dot && (!capital || tok_is(f, &t[i], "m")))
        return 0;
    /* the next word must start with a capital */
    size_t j = i + 1;
    while (j < k && t[j].cls == AT_FOLD_OTHER && j - i <= 2)
        j++;
    return j < k && t[j].cls == AT_FOLD_LETTER && upper_at(s, n, f->sfrom[t[j].a]);
}

static at_status scan_shapes(const char *s, size_t n, const at_deid_folded *f, unsigned flags,
                             at_deid_ranges *out)
{
    size_t max = f->nspaced + 1;
    token *t = at_malloc(max * sizeof *t);
    if (!t)
        return AT_ERR_NOMEM;
    size_t k = tokenize(f, t, max);
    at_status st = AT_OK;
#define SPAN(i0, i1) at_deid_ranges_add(out, f->sfrom[t[i0].a], f->sto[t[(i1)-1].b - 1])
    for (size_t i = 0; i < k && !st; i++) {
        /* token boundaries in the spaced form are boundaries of the source */
        if (i && t[i - 1].cls == t[i].cls)
            continue;
        size_t j;
        if ((flags & AT_DEID_SCAN_DATES) && (j = match_date(f, t, k, i)) > i) {
            st = SPAN(i, j);
            i = j - 1;
            continue;
        }
        if ((j = match_number_run(f, t, k, i)) > i) {
            st = SPAN(i, j);
            i = j - 1;
            continue;
        }
        if (t[i].cls == AT_FOLD_OTHER && f->spaced[t[i].a] == '@' && i > 0 && i + 1 < k) {
            /* e-mail: the word chains on both sides */
            size_t a = i, b = i + 1;
            while (a > 0 && (t[a - 1].cls != AT_FOLD_OTHER || tok_sep(f, &t[a - 1], ".-_")))
                a--;
            while (b < k && (t[b].cls != AT_FOLD_OTHER || tok_sep(f, &t[b], ".-_")))
                b++;
            st = SPAN(a, b);
            i = b - 1;
            continue;
        }
        if ((tok_is(f, &t[i], "http") || tok_is(f, &t[i], "https") || tok_is(f, &t[i], "www") ||
             tok_is(f, &t[i], "urn") || tok_is(f, &t[i], "ftp")) &&
            i + 1 < k && tok_sep(f, &t[i + 1], ":.")) {
            size_t b = i + 1;
            while (b < k && !tok_sep(f, &t[b], " "))
                b++;
            st = SPAN(i, b);
            i = b - 1;
            continue;
        }
        if (is_title(s, n, f, t, k, i)) {
            size_t j2 = i + 1;
            while (j2 < k && t[j2].cls == AT_FOLD_OTHER && j2 - i <= 2)
                j2++;
            if (j2 < k && t[j2].cls == AT_FOLD_LETTER) {
                size_t end = j2 + 1;
                /* a second word when it starts with a capital (Dr Jean Martin) */
                if (end + 1 < k && tok_sep(f, &t[end], " -") && t[end + 1].cls == AT_FOLD_LETTER &&
                    upper_at(s, n, f->sfrom[t[end + 1].a]))
                    end += 2;
                st = SPAN(j2, end);
                i = end - 1;
            }
        }
    }
#undef SPAN
    at_free(t);
    return st;
}

at_status at_deid_scan_text(const char *utf8, size_t n, const at_deid_identifiers *ids, unsigned flags,
                            at_deid_detect_fn detect, void *detect_ud, unsigned options, at_deid_ranges *out)
{
    if (!n)
        return AT_OK;
    at_deid_folded f;
    at_status st = at_deid_fold(utf8, n, &f);
    if (st)
        return st;
    if (ids)
        st = scan_identifiers(utf8, n, &f, ids, flags, out);
    if (!st && (flags & AT_DEID_SCAN_SHAPES))
        st = scan_shapes(utf8, n, &f, flags, out);
    at_deid_folded_free(&f);
    if (!st && detect) {
        at_deid_span *spans = NULL;
        size_t count = 0;
        st = detect(detect_ud, utf8, n, &spans, &count);
        for (size_t i = 0; i < count && !st; i++) {
            if (spans[i].start > n || spans[i].len > n - spans[i].start)
                continue;
            if (spans[i].kind == AT_DEID_SPAN_DATE && (options & AT_DEID_OPT_FULL_DATES))
                continue;
            if (spans[i].kind == AT_DEID_SPAN_INSTITUTION && (options & AT_DEID_OPT_INSTITUTION_IDENTITY))
                continue;
            st = at_deid_ranges_add(out, spans[i].start, spans[i].start + spans[i].len);
        }
        at_free(spans);
    }
    return st;
}

size_t at_deid_scrub(char *s, const at_deid_identifiers *ids)
{
    at_deid_ranges r = {0};
    size_t n = strlen(s);
    if (at_deid_scan_text(s, n, ids, 0, NULL, NULL, 0, &r) != AT_OK) {
        at_deid_ranges_free(&r);
        memset(s, '*', n); /* out of memory: nothing vouches for the text */
        return 1;
    }
    for (size_t i = 0; i < r.n; i++)
        memset(s + r.start[i], '*', r.end[i] - r.start[i]);
    size_t count = r.n;
    at_deid_ranges_free(&r);
    return count;
}
