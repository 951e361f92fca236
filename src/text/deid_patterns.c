/* Raw-text scanners of the de-identifier: French phone numbers (all
 * writings and +33), NIR with its mod-97 key (2A/2B), numeric dates,
 * e-mail addresses; civil-date arithmetic for date shifting. */
#include "deid_internal.h"

#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

/* A digit of a phone number at t[i]: '0'..'9', and with ocr the letters
 * an OCR reads for them (O, o for 0; l, I for 1). Its value or -1. Without
 * ocr, *saw is set when t[i] is one of those letters (the scan with ocr
 * may then go another way). */
static int phone_digit(const char *t, size_t len, size_t i, int ocr, int *saw)
{
    if (i >= len)
        return -1;
    char c = t[i];
    if (is_digit(c))
        return c - '0';
    int letter0 = c == 'O' || c == 'o', letter1 = c == 'l' || c == 'I';
    if (!ocr) {
        *saw |= letter0 | letter1;
        return -1;
    }
    return letter0 ? 0 : letter1 ? 1 : -1;
}

/* Bytes of a separator between groups of a phone number at t[i]: one
 * space, dot, dash or slash, two spaces, a no-break space (0 when none). */
static size_t phone_sep(const char *t, size_t len, size_t i, char *kind)
{
    if (i >= len)
        return 0;
    if (t[i] == '/') {
        *kind = '/';
        return 1;
    }
    /* spaces (a no-break one too) and at most one dot or dash among them,
     * three bytes of separator at most: " ", "  ", ".", " .", ". " (an
     * OCR'd or hurried "04 71 09 .44. 18") */
    size_t j = i;
    char k = ' ';
    while (j < len && j - i < 3) {
        unsigned char c = (unsigned char)t[j];
        if (c == ' ') {
            j++;
        } else if (c == 0xC2 && j + 1 < len && (unsigned char)t[j + 1] == 0xA0) {
            j += 2;
        } else if ((c == '.' || c == '-') && k == ' ') {
            k = (char)c;
            j++;
        } else {
            break;
        }
    }
    if (j == i)
        return 0;
    *kind = k;
    return j - i;
}

/* A French phone number from s: +33, 0033 or (0) prefixes, then the
 * national number of ten digits (0 and nine) in groups of two to four
 * digits (the first group may hold the prefix's digit alone: "+33 6 12
 * ..."), separated by spaces, dots, dashes, or slashes throughout
 * ("02 98 52 60 60", "0298.52.60.60", "0296 44 71 20", "06.62 14 88 03",
 * "02/98/52/60/60"), or glued. With ocr, O/o and l/I count as digits
 * when at least six real digits are there. End offset, or 0. */
static size_t scan_phone(const char *t, size_t len, size_t s, int ocr, int *saw)
{
    size_t i = s;
    if (i >= len || (i > 0 && is_alnum(t[i - 1])))
        return 0;
    int digits = 0, real = 0, group = 0, groups = 0;
    if (t[i] == '+' || (t[i] == '0' && i + 1 < len && t[i + 1] == '0')) {
        /* +33 or 0033, optional (0), then a 9-digit national number */
        i += t[i] == '+' ? 1 : 2;
        if (i + 1 >= len || t[i] != '3' || t[i + 1] != '3')
            return 0;
        i += 2;
        if (i + 1 < len && (t[i] == ' ' || t[i] == '-' || t[i] == '.') && is_digit(t[i + 1]))
            i++; /* "+33 6", "+33-6-12-34-56-78", "+33.6.12..." */
        else if (i < len && t[i] == ' ')
            i++;
        if (i + 2 < len && t[i] == '(' && t[i + 1] == '0' && t[i + 2] == ')') {
            i += 3;
            if (i < len && t[i] == ' ')
                i++;
        }
        int d = phone_digit(t, len, i, ocr, saw);
        if (d < 1)
            return 0;
        digits = 2; /* the national 0 and this digit */
        real += is_digit(t[i]);
        group = 1;
        i++;
    } else {
        if (phone_digit(t, len, i, ocr, saw) != 0 || phone_digit(t, len, i + 1, ocr, saw) < 1)
            return 0;
        real += is_digit(t[i]) + is_digit(t[i + 1]);
        digits = group = 2;
        i += 2;
    }
    char sep_kind = 0, kind = 0;
    int slash = -1; /* 1: every separator a slash, 0: none */
    int mixed = 0;  /* separators of two kinds ("06.62 14 88 03") */
    int long_g = 0; /* a group of three or four digits after the first */
    while (digits < 10) {
        int d = phone_digit(t, len, i, ocr, saw);
        if (d >= 0) {
            if (group >= 4 && groups > 0)
                return 0;
            long_g |= groups > 0 && group >= 2;
            real += is_digit(t[i]);
            digits++;
            group++;
            i++;
            continue;
        }
        size_t sl = phone_sep(t, len, i, &kind);
        if (!sl || phone_digit(t, len, i + sl, ocr, saw) < 0 || (groups > 0 && group != 2 && group != 4))
            return 0;
        int is_slash = kind == '/';
        if (slash >= 0 && slash != is_slash)
            return 0;
        slash = is_slash;
        mixed |= sep_kind && sep_kind != kind;
        sep_kind = kind;
        groups++;
        group = 0;
        i += sl;
    }
    /* mixed separators only with groups of two ("01.03.2024 14" is a date) */
    if (mixed && long_g)
        return 0;
    if ((groups > 0 && group != 2 && group != 4) || (i < len && is_alnum(t[i])))
        return 0;
    /* the tail of a longer number ("1 84 05 35 123 456") */
    if (s >= 2 && (t[s - 1] == ' ' || t[s - 1] == '.' || t[s - 1] == '-') && is_digit(t[s - 2]))
        return 0;
    /* a digit group right after: a longer number, not a phone */
    char k2;
    size_t sl = phone_sep(t, len, i, &k2);
    if (sl && i + sl < len && is_digit(t[i + sl]) && k2 != ' ' && k2 != '/')
        return 0;
    if (ocr && real < 6)
        return 0;
    return i;
}

size_t text_scan_phone(const char *t, size_t len, size_t s)
{
    int saw = 0;
    return scan_phone(t, len, s, 0, &saw);
}

size_t text_scan_phone_ocr(const char *t, size_t len, size_t s)
{
    int saw = 0;
    return scan_phone(t, len, s, 1, &saw);
}

size_t text_scan_phone_or_ocr(const char *t, size_t len, size_t s)
{
    int saw = 0;
    size_t e = scan_phone(t, len, s, 0, &saw);
    /* (a scan that met no letter an OCR reads for a digit is the OCR
     * scan's too: the same way, at best the same end) */
    return e || !saw ? e : scan_phone(t, len, s, 1, &saw);
}

/* The layout of a NIR without its key: sex digit, month (01-12, or 20-42
 * and 50-99 for an incomplete civil status), department (not 00), commune
 * and order digits, two key digits. A NIR whose key is wrong (a typo) is still
 * identifying, so it is found by this shape. */
static int nir_shaped(const char *d)
{
    for (int i = 1; i < 15; i++)
        if (!is_digit(d[i]) &&
            !(i == 6 && d[5] == '2' && (d[6] == 'A' || d[6] == 'B' || d[6] == 'a' || d[6] == 'b')))
            return 0;
    int month = (d[3] - '0') * 10 + (d[4] - '0');
    if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50))
        return 0;
    return !(d[5] == '0' && d[6] == '0');
}

size_t text_scan_nir(const char *t, size_t len, size_t s)
{
    /* the first character is the first digit, and at_text_nir_valid
     * accepts only these */
    char c0 = t[s];
    if (c0 != '1' && c0 != '2' && c0 != '3' && c0 != '4' && c0 != '7' && c0 != '8')
        return 0;
    if (s > 0 && is_alnum(t[s - 1]))
        return 0;
    char d[16];
    size_t n = 0, i = s;
    int seps = 0;
    unsigned sep_at = 0; /* bit k: a separator before significant character k */
    while (i < len && n < 15) {
        char c = t[i];
        if (is_digit(c) || (n == 6 && d[5] == '2' && (c == 'A' || c == 'B' || c == 'a' || c == 'b'))) {
            d[n++] = c;
            i++;
        } else if ((c == ' ' || c == '.' || c == '-') && n > 0 && i + 1 < len && is_alnum(t[i + 1]) &&
                   seps < 8) {
            seps++;
            sep_at |= 1u << n;
            i++;
        } else {
            break;
        }
    }
    if (n != 15 || (i < len && is_alnum(t[i])))
        return 0;
    d[15] = 0;
    if (at_text_nir_valid(d))
        return i;
    /* a wrong key: the NIR's shape, written whole or in its own groups
     * (1 2 2 2 3 3 2), so that lists of small numbers are not taken */
    const unsigned canonical = 1u << 1 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 10 | 1u << 13;
    return nir_shaped(d) && (sep_at == 0 || sep_at == canonical) ? i : 0;
}

static int read_int(const char *t, size_t len, size_t *i, int maxdig, int *v)
{
    int n = 0, x = 0;
    while (*i < len && is_digit(t[*i]) && n < maxdig + 1) {
        x = x * 10 + (t[*i] - '0');
        (*i)++;
        n++;
    }
    *v = x;
    return n;
}

size_t text_scan_date_numeric(const char *t, size_t len, size_t s, int *ymd)
{
    if (s > 0 && (is_alnum(t[s - 1]) || t[s - 1] == '/' || t[s - 1] == '.'))
        return 0;
    size_t i = s;
    int a, b, c;
    int na = read_int(t, len, &i, 4, &a);
    if (na == 4) { /* ISO YYYY-MM-DD */
        if (i >= len || t[i] != '-')
            return 0;
        i++;
        if (read_int(t, len, &i, 2, &b) != 2 || i >= len || t[i] != '-')
            return 0;
        i++;
        if (read_int(t, len, &i, 2, &c) != 2)
            return 0;
        if (b < 1 || b > 12 || c < 1 || c > 31 || a < 1900 || a > 2100)
            return 0;
        if (i < len && is_alnum(t[i]))
            return 0;
        *ymd = a * 10000 + b * 100 + c;
        return i;
    }
    if (na < 1 || na > 2 || i >= len)
        return 0;
    char sep = t[i];
    if (sep != '/' && sep != '.' && sep != '-')
        return 0;
    i++;
    int nb = read_int(t, len, &i, 2, &b);
    if (nb < 1 || nb > 2 || a < 1 || a > 31 || b < 1 || b > 12)
        return 0;
    if (i < len && t[i] == sep && i + 1 < len && is_digit(t[i + 1])) {
        i++;
        int nc = read_int(t, len, &i, 4, &c);
        if (nc != 2 && nc != 4)
            return 0;
        if (nc == 2)
            c = text_year_of_two(c);
        if (c < 1880 || c > 2100 || (i < len && is_alnum(t[i])))
            return 0;
        *ymd = c * 10000 + b * 100 + a;
        return i;
    }
    /* day/month without a year: only dd/mm with a slash */
    if (sep != '/' || na != 2 || nb != 2 || (i < len && (is_alnum(t[i]) || t[i] == '/')))
        return 0;
    *ymd = b * 100 + a;
    return i;
}

static int mail_char(char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

size_t text_scan_email_start(const char *t, size_t at)
{
    size_t i = at;
    while (i > 0 && mail_char(t[i - 1]) && (unsigned char)t[i - 1] < 0x80)
        i--;
    while (i < at && t[i] == '.')
        i++;
    return i;
}

size_t text_scan_email_end(const char *t, size_t len, size_t at)
{
    size_t i = at + 1, lastdot = 0;
    /* the domain: ASCII, or the Latin-1 letters of an internationalised
     * name ("ch-brocéliande.fr") */
    while (i < len &&
           ((mail_char(t[i]) && (unsigned char)t[i] < 0x80) ||
            ((unsigned char)t[i] == 0xC3 && i + 1 < len && ((unsigned char)t[i + 1] & 0xC0) == 0x80)))
        i += (unsigned char)t[i] == 0xC3 ? 2 : 1;
    while (i > at + 1 && (t[i - 1] == '.' || t[i - 1] == '-'))
        i--;
    for (size_t k = at + 1; k < i; k++)
        if (t[k] == '.')
            lastdot = k;
    if (!lastdot || lastdot + 2 > i || lastdot <= at + 1)
        return 0;
    return i;
}

int text_month_of(const char *f, size_t n)
{
    static const char *const names[] = {"janvier", "fevrier", "mars",      "avril",   "mai",      "juin",
                                        "juillet", "aout",    "septembre", "octobre", "novembre", "decembre"};
    static const char *const abbr[] = {"janv", "fevr", "mar",  "avr", "mai", "jun",
                                       "juil", "aou",  "sept", "oct", "nov", "dec"};
    for (int m = 0; m < 12; m++)
        if ((strlen(names[m]) == n && !memcmp(names[m], f, n)) ||
            (strlen(abbr[m]) == n && !memcmp(abbr[m], f, n)))
            return m + 1;
    if (n == 3 && !memcmp(f, "fev", 3))
        return 2;
    return 0;
}

/* The core calendar, with the int years the text code uses. */
long text_days_from_civil(int y, int m, int d)
{
    return at_days_from_civil(y, m, d);
}

void text_civil_from_days(long z, int *y, int *m, int *d)
{
    long year;
    at_civil_from_days(z, &year, m, d);
    *y = (int)year;
}
