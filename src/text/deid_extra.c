/* Rule passes for the labels and writings the first rules did not cover:
 * web addresses and handles (URL), IBAN and labelled insurance numbers
 * (COMPTE), vehicle plates (IMMAT), dates in words, OCR'd and with one
 * digit, ages over 89 (AGE), labelled record numbers in free formats and
 * unlabelled specimen codes (ID), employers (EMPLOYEUR), rural and
 * residence addresses, phones written "(+33)7...". */
#include "deid_scan.h"

#include <string.h>

#define NAME_KINDS (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)

static size_t tlen(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}
static int is_up(char c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_dig(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alnum_c(char c)
{
    return is_dig(c) || (c >= 'a' && c <= 'z') || is_up(c) || (unsigned char)c >= 0x80;
}

/* Token i folded into f (cap 64): its length, 0 when none. */
static size_t fold_tok(const text_scan *s, size_t i, char *f)
{
    if (i >= s->n || tlen(s, i) > 48)
        return 0;
    int fl = text_lexicon_fold(s->t + s->tok[i].s, tlen(s, i), f, 64);
    return fl > 0 ? (size_t)fl : 0;
}

/* Mark the tokens covering bytes [a, e) from token i on. */
static int mark_bytes(text_scan *s, size_t i, size_t e, int label)
{
    size_t j = tok_end_index(s, i, e);
    return mark(s, i, j, label);
}

/* ---- web addresses and handles ---------------------------------------------- */

static const char *const tlds[] = {"fr", "com", "org", "net", "eu",   "io", "info",
                                   "be", "ch",  "de",  "uk",  "gouv", NULL};

static int url_char(char c)
{
    return is_alnum_c(c) || c == '-' || c == '.' || c == '_' || c == '/' || c == '~' || c == '?' ||
           c == '=' || c == '&' || c == '%' || c == '#' || c == ':' || c == '+';
}

static size_t url_end(const text_scan *s, size_t a)
{
    size_t e = a;
    while (e < s->len && url_char(s->t[e]))
        e++;
    while (e > a && (s->t[e - 1] == '.' || s->t[e - 1] == ':' || s->t[e - 1] == '-'))
        e--;
    return e;
}

static void pass_urls(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    const char *p = s->t + k->s;
    size_t n = tlen(s, i);
    if (k->kind == TOK_WORD && ((n == 4 && !memcmp(p, "http", 4)) || (n == 5 && !memcmp(p, "https", 5)))) {
        if (k->s + n + 3 <= s->len && !memcmp(p + n, "://", 3))
            mark_bytes(s, i, url_end(s, k->s), AT_PHI_URL);
        return;
    }
    if (k->kind == TOK_WORD && n == 3 && (p[0] == 'w' || p[0] == 'W') && (p[1] | 32) == 'w' &&
        (p[2] | 32) == 'w' && k->s + 4 < s->len && p[3] == '.') {
        mark_bytes(s, i, url_end(s, k->s), AT_PHI_URL);
        return;
    }
    if (k->kind == TOK_PUNCT && p[0] == '@' && (k->s == 0 || !is_alnum_c(s->t[k->s - 1])) && i + 1 < s->n &&
        s->tok[i + 1].s == k->e && s->tok[i + 1].kind == TOK_WORD && tlen(s, i + 1) >= 2) {
        size_t e = k->e;
        while (e < s->len && (is_alnum_c(s->t[e]) || s->t[e] == '_' ||
                              (s->t[e] == '.' && e + 1 < s->len && is_alnum_c(s->t[e + 1]))))
            e++;
        mark_bytes(s, i, e, AT_PHI_URL);
        return;
    }
    /* "exemple.fr/page", "chu-brest.fr", "mon-espace.clinique-x.fr": words
     * glued by dots, the last a domain's ending */
    if (k->kind != TOK_WORD || i + 2 >= s->n || !is_punct(s, i + 1, '.'))
        return;
    size_t last = i;
    while (last + 2 < s->n && last - i < 12 && is_punct(s, last + 1, '.') &&
           s->tok[last + 1].s == s->tok[last].e && s->tok[last + 2].s == s->tok[last + 1].e &&
           s->tok[last + 2].kind == TOK_WORD && !deid_tok_in(s, last, tlds))
        last += 2;
    if (last > i && deid_tok_in(s, last, tlds) && (k->s == 0 || s->t[k->s - 1] != '@')) {
        size_t a = k->s;
        while (a > 0 && (is_alnum_c(s->t[a - 1]) || s->t[a - 1] == '-' || s->t[a - 1] == '.'))
            a--;
        if (a != k->s)
            return;
        mark_bytes(s, i, url_end(s, k->s), AT_PHI_URL);
    }
}

/* ---- IBAN, plates, OCR'd dates, "(+33)" phones ------------------------------------- */

/* IBAN at byte a: two capitals, two digits, then 10 to 30 letters or
 * digits in groups separated by one space. End offset or 0. */
static size_t scan_iban(const text_scan *s, size_t a)
{
    const char *t = s->t;
    if (a + 4 > s->len || !is_up(t[a]) || !is_up(t[a + 1]) || !is_dig(t[a + 2]) || !is_dig(t[a + 3]))
        return 0;
    size_t i = a + 4, chars = 0, end = i;
    while (i < s->len) {
        if (is_dig(t[i]) || is_up(t[i])) {
            chars++;
            i++;
            end = i;
        } else if (t[i] == ' ' && i + 1 < s->len && (is_dig(t[i + 1]) || is_up(t[i + 1]))) {
            i++;
        } else {
            break;
        }
    }
    return chars >= 10 && chars <= 30 ? end : 0;
}

static int ocr_digit(char c);

/* A plate: AB-123-CD (or with spaces, or glued); with dashes, the OCR's
 * letters for digits beside one digit at least ("GB-7O4-XR"). End offset
 * or 0. */
static size_t scan_plate(const text_scan *s, size_t a)
{
    const char *t = s->t;
    size_t i = a;
    if (a > 0 && is_alnum_c(t[a - 1]))
        return 0;
    if (i + 7 > s->len || !is_up(t[i]) || !is_up(t[i + 1]))
        return 0;
    i += 2;
    char sep = t[i] == '-' || t[i] == ' ' ? t[i] : 0;
    i += sep != 0;
    if (i + 3 > s->len)
        return 0;
    int real = is_dig(t[i]) + is_dig(t[i + 1]) + is_dig(t[i + 2]);
    if (real < 3 &&
        !(sep == '-' && real >= 1 && ocr_digit(t[i]) && ocr_digit(t[i + 1]) && ocr_digit(t[i + 2])))
        return 0;
    i += 3;
    if (sep) {
        if (i >= s->len || t[i] != sep)
            return 0;
        i++;
    }
    if (i + 2 > s->len || !is_up(t[i]) || !is_up(t[i + 1]))
        return 0;
    i += 2;
    return i < s->len && is_alnum_c(t[i]) ? 0 : i;
}

/* c opens a weekday's name: l, m, j, v, s or d in either case (a word's
 * first byte: never 0). */
static int weekday_initial(char c)
{
    unsigned l = (unsigned char)c | 0x20u;
    return l == 'l' || l == 'm' || l == 'j' || l == 'v' || l == 's' || l == 'd';
}

static int ocr_digit(char c)
{
    return is_dig(c) || c == 'O' || c == 'o' || c == 'l' || c == 'I';
}

/* A numeric date with the OCR's letters for digits (1O/O3/2O23): end or 0. */
static size_t scan_ocr_date(const text_scan *s, size_t a)
{
    const char *t = s->t;
    if (a > 0 && is_alnum_c(t[a - 1]))
        return 0;
    size_t i = a;
    int w[3] = {0, 0, 0}, k = 0, letters = 0, digits = 0;
    char sep = 0;
    while (i < s->len) {
        char c = t[i];
        if (ocr_digit(c) && w[k] < 4) {
            w[k]++;
            letters += !is_dig(c);
            digits += is_dig(c);
            i++;
        } else if ((c == '/' || c == '.') && k < 2 && w[k] && (!sep || sep == c) && i + 1 < s->len &&
                   ocr_digit(t[i + 1])) {
            sep = c;
            k++;
            i++;
        } else {
            break;
        }
    }
    if (k != 2 || !letters || digits < 3 || w[0] > 2 || w[1] > 2 || (w[2] != 2 && w[2] != 4))
        return 0;
    if (i < s->len && is_alnum_c(t[i]))
        return 0;
    text_alt_date d;
    return text_date_alt_parse(t + a, i - a, &d) && d.style == TEXT_DATE_OCR ? i : 0;
}

/* "(+33)7.11.22.33.44", "(+33) 6 12 34 56 78": end or 0. */
static size_t scan_paren_phone(const text_scan *s, size_t a)
{
    const char *t = s->t;
    size_t i = a;
    if (i + 5 > s->len || t[i] != '(')
        return 0;
    if (!memcmp(t + i, "(+33)", 5))
        i += 5;
    else if (i + 6 <= s->len && !memcmp(t + i, "(0033)", 6))
        i += 6;
    else
        return 0;
    if (i < s->len && t[i] == ' ')
        i++;
    if (i >= s->len || t[i] < '1' || t[i] > '9')
        return 0;
    i++;
    char sep = 0;
    for (int p = 0; p < 4; p++) {
        if (i < s->len && (t[i] == ' ' || t[i] == '.' || t[i] == '-')) {
            if (p == 0)
                sep = t[i];
            if (t[i] != sep)
                return 0;
            i++;
        } else if (sep) {
            return 0;
        }
        if (i + 2 > s->len || !is_dig(t[i]) || !is_dig(t[i + 1]))
            return 0;
        i += 2;
    }
    return i < s->len && is_alnum_c(t[i]) ? 0 : i;
}

/* ---- dates in words (ages: deid_ages.c) -------------------------------------------------------------- */

/* Token i is a number word (each hyphen part): its value, else -1. */
static int number_tok(const text_scan *s, size_t i, char *f, size_t *fl)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return -1;
    *fl = fold_tok(s, i, f);
    if (!*fl)
        return -1;
    const char *w[1] = {f};
    int v;
    return text_number_words_value(w, fl, 1, &v) ? v : -1;
}

static void pass_word_date(text_scan *s, size_t i)
{
    /* i: a month word in lower case or capitalised */
    char f[64];
    size_t fl;
    int day;
    size_t a = deid_day_words_before(s, i, &day);
    if (day < 0)
        return;
    /* after "né le", "DDN": a birth date (its year may be said in two
     * digits: "né le neuf novembre trente et un") */
    int birth = 0;
    for (size_t b = a; b > 0 && a - b < 6 && !birth; b--) {
        birth = (s->tok[b - 1].dflags & DICT_BIRTH) != 0;
        if (s->tok[b - 1].nl)
            break;
    }
    /* forward: year words */
    size_t e = i + 1;
    {
        const char *w[8];
        size_t l[8];
        char b[8][64];
        size_t c = 0, q = i + 1;
        while (q < s->n && c < 8 && !s->tok[q].nl && !s->lab[q] && s->tok[q].kind == TOK_WORD) {
            l[c] = fold_tok(s, q, b[c]);
            w[c] = b[c];
            int v;
            if (!l[c] || !text_number_words_value(w + c, l + c, 1, &v)) {
                if (l[c] == 2 && !memcmp(b[c], "et", 2) && c > 0) {
                    c++;
                    q++;
                    continue;
                }
                break;
            }
            c++;
            q++;
        }
        while (c > 0 && l[c - 1] == 2 && !memcmp(w[c - 1], "et", 2)) {
            c--;
            q--;
        }
        int v;
        if (c && text_number_words_value(w, l, c, &v) &&
            ((v >= 1800 && v <= 2200) || (birth && day && v >= 10 && v <= 99 && c <= 3)))
            e = q;
    }
    if (!day && e == i + 1)
        return;
    if (a > 0 && !s->lab[a - 1] && s->tok[a - 1].kind == TOK_WORD && !s->tok[a].nl) {
        size_t wl = fold_tok(s, a - 1, f);
        if (wl && text_weekday_of(f, wl))
            a--;
    }
    if (mark(s, a, e, birth ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE) && day && a >= 3 &&
        tok_is(s, a - 1, "au") && !s->tok[a - 1].nl && !s->lab[a - 2] && !s->tok[a - 2].nl &&
        tok_is(s, a - 3, "du")) {
        /* "du premier au quatre décembre", "du 3 au 9 mars": the range's
         * first day */
        const text_tok *k = &s->tok[a - 2];
        int v = k->kind == TOK_NUM && tlen(s, a - 2) <= 2 ? atoi_n(s->t + k->s, tlen(s, a - 2))
                                                          : number_tok(s, a - 2, f, &fl);
        if (v >= 1 && v <= 31)
            mark(s, a - 2, a - 1, AT_PHI_DATE);
    }
}

/* A phone number with the OCR's letters for digits ("O6 71 44 2O 18"). End
 * offset or 0. */
static size_t scan_ocr_phone(const text_scan *s, size_t a)
{
    size_t e = text_scan_phone_ocr(s->t, s->len, a);
    return e ? e : 0;
}

/* Web addresses, handles, "(+33)" phones, IBAN, plates, OCR'd dates that
 * start with a word: before the numbers and the names take their parts. */
static void early_at(text_scan *s, size_t i)
{
    if (s->lab[i])
        return;
    const text_tok *k = &s->tok[i];
    char c0 = s->t[k->s];
    size_t e;
    if (k->kind == TOK_PUNCT) {
        if (c0 == '@')
            pass_urls(s, i);
        else if (c0 == '(' && (e = scan_paren_phone(s, k->s)))
            mark_bytes(s, i, e, AT_PHI_TEL);
        return;
    }
    if (k->kind != TOK_WORD)
        return;
    if (is_up(c0)) {
        if ((e = scan_iban(s, k->s))) {
            mark_bytes(s, i, e, AT_PHI_COMPTE);
            return;
        }
        if ((e = scan_plate(s, k->s))) {
            mark_bytes(s, i, e, AT_PHI_IMMAT);
            return;
        }
    }
    if (ocr_digit(c0) && i + 2 < s->n && s->tok[i + 1].s == k->e &&
        (is_punct(s, i + 1, '/') || is_punct(s, i + 1, '.')) && (e = scan_ocr_date(s, k->s))) {
        mark_bytes(s, i, e, AT_PHI_DATE);
        return;
    }
    if ((c0 == 'O' || c0 == 'o') && k->e - k->s == 2 && is_dig(s->t[k->s + 1]) &&
        (e = scan_ocr_phone(s, k->s))) {
        mark_bytes(s, i, e, AT_PHI_TEL);
        return;
    }
    /* (what pass_urls needs of a word: "http", "https" or "www" at its
     * start, or a '.' and a word glued after it) */
    size_t n = k->e - k->s;
    if ((c0 == 'h' && (n == 4 || n == 5)) || ((c0 == 'w' || c0 == 'W') && n == 3) ||
        (i + 2 < s->n && is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e &&
         s->tok[i + 2].s == s->tok[i + 1].e))
        pass_urls(s, i);
}

void deid_pass_extra_early(text_scan *s)
{
    static const int lists[] = {TEXT_LIST_AT, TEXT_LIST_EXTRA, TEXT_LIST_CUE};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
        for (size_t q = 0; q < s->nlist[lists[l]]; q++)
            early_at(s, s->list[lists[l]][q]);
    /* plates start with two capitals */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_SHORT]; q++) {
        size_t i = s->list[TEXT_LIST_SHORT][q];
        if (s->tok[i].allcaps && tlen(s, i) == 2 && !s->lab[i])
            early_at(s, i);
    }
}

/* Dates in words, OCR'd dates that start with digits, ages: after the
 * numeric and written dates, which leave few numbers to look at. */
/* Token i is a month the OCR misread ("avri1", "n0vembre", "0ctobre"):
 * its number, 0 when none. */
static int ocr_month(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n < 3 || n > 10 || !(k->aux & TOK_AUX_DIGIT))
        return 0;
    char f[64], g[64];
    size_t fl = fold_tok(s, i, f);
    if (!fl || fl >= sizeof f)
        return 0;
    int letters = 0;
    for (size_t c = 0; c < fl; c++) {
        letters += f[c] >= 'a' && f[c] <= 'z';
        g[c] = f[c] == '0' ? 'o' : f[c] == '1' ? 'l' : f[c] == '5' ? 's' : f[c];
    }
    if (letters < 3)
        return 0;
    int m = text_month_of(g, fl);
    if (m > 0)
        return m;
    for (size_t c = 0; c < fl; c++)
        g[c] = f[c] == '1' ? 'i' : g[c];
    return text_month_of(g, fl) > 0 ? text_month_of(g, fl) : 0;
}

/* Token i: a day's number, clean or read by the OCR ("l7", "O3"). */
static int day_tok(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (n < 1 || n > 2 || s->lab[i])
        return 0;
    for (size_t c = 0; c < n; c++)
        if (!ocr_digit(s->t[k->s + c]))
            return 0;
    return 1;
}

/* A roman numeral of a month, I to XII. */
static int roman_month(const text_scan *s, size_t i)
{
    static const char *const r[] = {"I",    "II", "III", "IV", "V",   "VI", "VII",
                                    "VIII", "IX", "X",   "XI", "XII", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n > 4)
        return 0;
    for (const char *const *x = r; *x; x++)
        if (strlen(*x) == n && !memcmp(*x, s->t + k->s, n))
            return 1;
    return 0;
}

/* A year after token j: four digits, clean or read by the OCR ("2O26");
 * its end token, j when none. */
static size_t year_after(const text_scan *s, size_t j)
{
    if (j >= s->n || s->tok[j].nl || s->tok[j].e - s->tok[j].s != 4 || s->lab[j])
        return j;
    for (size_t c = 0; c < 4; c++)
        if (!ocr_digit(s->t[s->tok[j].s + c]))
            return j;
    char c0 = s->t[s->tok[j].s], c1 = s->t[s->tok[j].s + 1];
    return (c0 == '1' || c0 == '2' || c0 == 'l' || c0 == 'I') &&
                   (c1 == '9' || c1 == '0' || c1 == 'O' || c1 == 'o')
               ? j + 1
               : j;
}

/* "14 avri1 2O26", "l7 n0vembre", "27 XI 2026": a day, a month the OCR
 * misread or in roman numerals (with its year), from the month at i. */
static void ocr_word_date(text_scan *s, size_t i)
{
    if (i == 0 || s->lab[i] || s->tok[i].nl || !day_tok(s, i - 1))
        return;
    size_t e;
    if (roman_month(s, i)) {
        e = year_after(s, i + 1);
        if (e == i + 1)
            return; /* "12 IV" is no date without its year */
    } else if (ocr_month(s, i)) {
        e = year_after(s, i + 1);
    } else {
        return;
    }
    mark(s, i - 1, e, AT_PHI_DATE);
}

/* A number written one digit per box of a form ("1 8 4 0 7 1 3 0 5 5 1 2
 * 3", "0 6 1 2 ..."): single digits one space apart from token i; a NIR
 * (13 digits opening with 1, 2, 7 or 8, or 15 with a valid key) is a
 * social security number, ten digits opening with 0 a phone; a counting
 * sequence ("0 1 2 3 ... 10", a scale's boxes) is neither. */
/* A birth date's cue ("né le", "DDN", "date de naissance") within six
 * tokens before token a on its line. */
static int birth_before(const text_scan *s, size_t a)
{
    for (size_t b = a; b > 0 && a - b < 6; b--) {
        if (s->tok[b - 1].dflags & DICT_BIRTH)
            return 1;
        if (s->tok[b - 1].nl || s->lab[b - 1] || s->tok[b - 1].kind == TOK_NUM)
            break; /* (another date or number between: "née le X, hospitalisée du Y") */
    }
    return 0;
}

/* A date written with spaces for its separators, a dictation's or a
 * form's: "11 03 1949" (a day, a month of two digits, a year), alone in
 * its run of numbers (not a phone's groups). */
static void spaced_date(text_scan *s, size_t i)
{
    if (i + 2 >= s->n || s->lab[i] || s->lab[i + 1] || s->lab[i + 2])
        return;
    const text_tok *a = &s->tok[i], *b = &s->tok[i + 1], *c = &s->tok[i + 2];
    if (b->kind != TOK_NUM || c->kind != TOK_NUM || b->nl || c->nl || b->s != a->e + 1 || c->s != b->e + 1 ||
        s->t[a->e] != ' ' || s->t[b->e] != ' ' || b->e - b->s != 2 || c->e - c->s != 4)
        return;
    if (i > 0 && s->tok[i - 1].kind == TOK_NUM && s->tok[i - 1].e + 1 == a->s && !a->nl)
        return;
    if (i + 3 < s->n && s->tok[i + 3].kind == TOK_NUM && s->tok[i + 3].s == c->e + 1 && !s->tok[i + 3].nl)
        return;
    /* a quantity: a unit or a medical word after it ("12 10 2000 UI") */
    if (i + 3 < s->n && !s->tok[i + 3].nl &&
        ((s->tok[i + 3].kind == TOK_WORD && (s->tok[i + 3].lex & LEX_MED) &&
          s->tok[i + 3].e - s->tok[i + 3].s <= 4) ||
         is_punct(s, i + 3, '%')))
        return;
    int day = atoi_n(s->t + a->s, a->e - a->s), month = atoi_n(s->t + b->s, 2), year = atoi_n(s->t + c->s, 4);
    if (day < 1 || day > 31 || month < 1 || month > 12 || year < 1900 || year > 2099)
        return;
    mark(s, i, i + 3, birth_before(s, i) ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

static void boxed_digits(text_scan *s, size_t i)
{
    if (i > 0 && s->tok[i - 1].kind == TOK_NUM && s->tok[i - 1].e + 1 == s->tok[i].s && !s->tok[i].nl)
        return; /* (from the run's first digit only) */
    char d[16];
    size_t r = i, n = 0;
    while (
        r < s->n && n < 16 && s->tok[r].kind == TOK_NUM && s->tok[r].e - s->tok[r].s == 1 && !s->lab[r] &&
        (r == i || (s->tok[r].s == s->tok[r - 1].e + 1 && s->t[s->tok[r - 1].e] == ' ' && !s->tok[r].nl))) {
        d[n++] = s->t[s->tok[r].s];
        r++;
    }
    if (n < 8 || n == 9 ||
        (r < s->n && s->tok[r].kind == TOK_NUM && s->tok[r].s == s->tok[r - 1].e + 1 && !s->tok[r].nl))
        return;
    if (n == 8) {
        /* a date, day, month and year, one digit per box ("2 7 0 3 1 9 7
         * 4"); a birth date after "né le", "DDN" */
        int day = (d[0] - '0') * 10 + (d[1] - '0'), month = (d[2] - '0') * 10 + (d[3] - '0');
        int year = (d[4] - '0') * 1000 + (d[5] - '0') * 100 + (d[6] - '0') * 10 + (d[7] - '0');
        if (day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 1900 && year <= 2099)
            mark(s, i, r, birth_before(s, i) ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
        return;
    }
    int counting = 1;
    for (size_t q = 1; q < n; q++)
        counting &= d[q] == d[q - 1] + 1;
    if (counting)
        return;
    int label = 0;
    if (n == 10 && d[0] == '0')
        label = AT_PHI_TEL;
    else if ((n == 13 || n == 15) && (d[0] == '1' || d[0] == '2' || d[0] == '7' || d[0] == '8')) {
        label = AT_PHI_SECU;
        if (n == 15) {
            /* the key: 97 - (the thirteen digits mod 97) */
            uint64_t v = 0;
            for (size_t q = 0; q < 13; q++)
                v = v * 10 + (uint64_t)(d[q] - '0');
            int key = (d[13] - '0') * 10 + (d[14] - '0');
            if ((int)(97 - v % 97) != key)
                label = 0;
        }
    }
    if (label)
        mark(s, i, r, label);
}

void deid_pass_extra_dates(text_scan *s)
{
    /* (the single digits noted first, each index written and counted
     * when it is one: no branch to guess; boxed_digits only labels, so a
     * digit found labelled stays so; its eight digits in a row are one-byte
     * tokens in a row, which the tokeniser notes) */
    uint32_t *digit = s->scratch;
    size_t nd = 0;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM] && (s->seen & TEXT_SEEN_SPELT); q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        digit[nd] = (uint32_t)i;
        nd += (s->tok[i].kind == TOK_NUM) & (s->tok[i].e - s->tok[i].s == 1) & (s->lab[i] == 0) &
              (i + 7 < s->n);
    }
    for (size_t q = 0; q < nd; q++)
        if (!s->lab[digit[q]])
            boxed_digits(s, digit[q]);
    /* (numbers of one or two digits with a number a space after them) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        const text_tok *k = &s->tok[i];
        if (k->kind == TOK_NUM && k->e - k->s <= 2 && i + 2 < s->n && s->tok[i + 1].s == k->e + 1 &&
            s->tok[i + 1].kind == TOK_NUM)
            spaced_date(s, i);
    }
    /* (the words with digits: the tokeniser's cue list; roman months from
     * the numbers) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (s->tok[i].kind == TOK_WORD && (s->tok[i].aux & TOK_AUX_DIGIT))
            ocr_word_date(s, i);
    }
    /* (the numbers of one or two digits before a word in capitals on
     * their line, noted first as above: the test reads no label) */
    size_t nw = 0;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        const text_tok *k = &s->tok[i], *w = &s->tok[i + 1 < s->n ? i + 1 : i];
        digit[nw] = (uint32_t)i;
        nw += (k->kind == TOK_NUM) & (k->e - k->s <= 2) & (i + 2 < s->n) & (w->kind == TOK_WORD) &
              w->allcaps & (w->nl == 0);
    }
    for (size_t q = 0; q < nw; q++)
        ocr_word_date(s, digit[q] + 1);
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i]) {
            /* "vingt-trois septembre 2026", its month and year read by
             * the rules: the day too */
            int day;
            size_t a;
            if (s->lab[i] == AT_PHI_DATE && k->kind == TOK_WORD && (k->dflags & DICT_MONTH) &&
                (a = deid_day_words_before(s, i, &day)) < i)
                for (size_t j = a; j < i; j++) {
                    s->lab[j] = AT_PHI_DATE;
                    s->ent[j] = s->ent[i];
                }
            continue;
        }
        size_t e;
        if (k->kind == TOK_WORD && (k->dflags & DICT_MONTH)) {
            pass_word_date(s, i);
            continue;
        }
        if (k->kind != TOK_NUM)
            continue;
        if (i + 2 < s->n && s->tok[i + 1].s == k->e && (is_punct(s, i + 1, '/') || is_punct(s, i + 1, '.')) &&
            s->tok[i + 2].kind == TOK_WORD && (e = scan_ocr_date(s, k->s))) {
            mark_bytes(s, i, e, AT_PHI_DATE);
            continue;
        }
        if (s->t[k->s] == '0' && k->e - k->s == 2 && i + 1 < s->n && s->tok[i + 1].kind == TOK_WORD &&
            (e = scan_ocr_phone(s, k->s))) {
            mark_bytes(s, i, e, AT_PHI_TEL);
            continue;
        }
        /* a weekday and a day: "lundi 18" */
        if (i > 0 && !s->lab[i - 1] && s->tok[i - 1].kind == TOK_WORD && k->e - k->s <= 2 && !s->tok[i].nl &&
            !(i + 1 < s->n &&
              ((s->tok[i + 1].dflags & DICT_MONTH) ||
               (s->tok[i + 1].s == k->e && (is_punct(s, i + 1, '/') || is_punct(s, i + 1, '.')) &&
                i + 2 < s->n && s->tok[i + 2].kind == TOK_NUM)))) {
            int day = atoi_n(s->t + k->s, k->e - k->s);
            char f[64];
            size_t fl = day >= 1 && day <= 31 && tok_may_be_weekday(s, i - 1) ? fold_tok(s, i - 1, f) : 0;
            if (fl && text_weekday_of(f, fl)) {
                mark(s, i - 1, i + 1, AT_PHI_DATE);
                continue;
            }
        }
        /* an abbreviated weekday and a day: "lun 07", "jeu. 23" (not in
         * capitals: "MAR 12" may be an anaesthetist's) */
        if (i > 0 && k->e - k->s <= 2 && !s->tok[i].nl && !s->lab[i - 1] &&
            (s->tok[i - 1].e - s->tok[i - 1].s == 3 || is_punct(s, i - 1, '.')) &&
            !(i + 1 < s->n && s->tok[i + 1].s == k->e &&
              (is_punct(s, i + 1, ':') || tok_is(s, i + 1, "h"))) &&
            !(i + 1 < s->n &&
              ((s->tok[i + 1].dflags & DICT_MONTH) ||
               (s->tok[i + 1].s == k->e && (is_punct(s, i + 1, '/') || is_punct(s, i + 1, '.')) &&
                i + 2 < s->n && s->tok[i + 2].kind == TOK_NUM)))) {
            size_t w = i - 1;
            if (w > 0 && is_punct(s, w, '.') && s->tok[w].s == s->tok[w - 1].e && !s->lab[w - 1])
                w--;
            int day = atoi_n(s->t + k->s, k->e - k->s);
            char f[64];
            /* (the day ends its phrase or a time follows: "Mar 4 lignes"
             * counts lines) */
            int ends = i + 1 >= s->n || s->tok[i + 1].nl || s->tok[i + 1].kind != TOK_WORD ||
                       tok_is(s, i + 1, "\xC3\xA0") || tok_is(s, i + 1, "matin") || tok_is(s, i + 1, "soir");
            if (ends && day >= 1 && day <= 31 && s->tok[w].kind == TOK_WORD &&
                s->tok[w].e - s->tok[w].s == 3 && !s->tok[w].allcaps && fold_tok(s, w, f) == 3 &&
                text_weekday_abbr(f, 3)) {
                mark(s, w, i + 1, AT_PHI_DATE);
                continue;
            }
        }
        deid_age_at(s, i);
    }
    deid_glued_ages(s);
    for (size_t q = 0; q < s->nlist[TEXT_LIST_EXTRA]; q++) {
        size_t i = s->list[TEXT_LIST_EXTRA][q];
        const text_tok *k = &s->tok[i];
        if (!s->lab[i] && k->kind == TOK_WORD && k->e - k->s >= 12 && (s->t[k->s] | 0x20) == 'q' &&
            !memcmp(s->t + k->s + 1, "uatre-vingt", 11))
            deid_age_at(s, i);
    }
    /* (the words that may open a number: "quatre", "cent" and their
     * hyphenated forms, followed by another word) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUMWORD]; q++) {
        size_t i = s->list[TEXT_LIST_NUMWORD][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        char c = (char)(s->t[k->s] | 0x20);
        if (!s->lab[i] && i + 2 < s->n && ((c == 'q' && n >= 6) || (c == 'c' && n == 4)) &&
            s->tok[i + 1].kind == TOK_WORD)
            deid_spoken_age_at(s, i);
        else if (!s->lab[i] && c == 'm' && (n == 3 || n == 5) &&
                 (tok_is(s, i, "mille") || tok_is(s, i, "mil")))
            deid_year_words(s, i);
        if (!s->lab[i] && i > 0 && s->tok[i - 1].e - s->tok[i - 1].s == 2 &&
            (tok_is(s, i - 1, "le") || tok_is(s, i - 1, "au") || tok_is(s, i - 1, "du")) &&
            deid_number_word_tok(s, i) == 1)
            deid_day_words(s, i);
        else if (!s->lab[i] && i > 0 && !s->tok[i].nl && !s->lab[i - 1] && s->tok[i - 1].kind == TOK_WORD &&
                 s->tok[i - 1].e - s->tok[i - 1].s >= 5 && s->tok[i - 1].e - s->tok[i - 1].s <= 8 &&
                 weekday_initial(s->t[s->tok[i - 1].s]) && deid_number_word_tok(s, i) == 1)
            deid_weekday_words(s, i); /* (a weekday's first letter and length first) */
    }
}
