/* Byte scanners of the number classes (deid_numclass.c): international
 * phone numbers with their country code, and ISO 8601 timestamps. */
#include "deid_numclass.h"

/* A phone number with a country code at a: "+CC" or "00CC" or "(+CC)",
 * then groups of digits separated by one space, dot or dash (an optional
 * "(0)", or an area code in brackets: "+1 (819) 595-4417"). The national
 * part has 7 to 12 digits (6 after a three-digit country code: "(+687) 47
 * 70 12") in two groups or more, or 8 or more in one. End offset or 0. */
size_t nc_scan_intl_phone(const char *t, size_t len, size_t a)
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
    int national = 0, groups = 0, area = 0;
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
            /* the groups after the first share one separator (after an
             * area code in brackets, the groups after the second) */
            if (groups >= 2 + area && t[g] != sep)
                break;
            if (groups == 1 + area)
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
        /* an area code in brackets first: "+1 (819) 595-4417" */
        if (groups == 0 && !paren && g + 4 < len && t[g] == '(' && is_dig(t[g + 1])) {
            size_t r = g + 1;
            while (r < len && is_dig(t[r]) && r - g <= 4)
                r++;
            if (r < len && t[r] == ')' && r - g >= 3) {
                national += (int)(r - g - 1);
                groups++;
                area = 1;
                i = end = r + 1;
                continue;
            }
        }
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
    /* (six digits for the small countries' three-digit codes, in groups:
     * "(+687) 47 70 12", "+376 812 344") */
    if (!end || national < (cc == 3 && groups >= 2 ? 6 : 7) || (groups < 2 && national < 8) ||
        (int)cc + national > 15)
        return 0;
    /* a decimal after ("+12 345,5") */
    if (end + 1 < len && (t[end] == ',' || t[end] == '%') && is_dig(t[end + 1]))
        return 0;
    return end;
}

/* An ISO 8601 timestamp from byte a: "2026-11-03T09:14", seconds and a
 * fraction, then "Z" or an offset ("+01:00") as may be; its end, or 0.
 * (A date alone is the numeric scanner's; the caller labels the date and
 * the hour glued to it, the token the tokeniser makes of "03T09".) */
size_t nc_iso_timestamp(const char *t, size_t len, size_t a)
{
    static const char shape[] = "dddd-dd-ddTdd:dd";
    size_t n = sizeof shape - 1, i = a;
    if (len - a < n)
        return 0;
    for (size_t k = 0; k < n; k++, i++)
        if (shape[k] == 'd' ? !is_dig(t[i]) : t[i] != shape[k])
            return 0;
    if (i + 2 < len && t[i] == ':' && is_dig(t[i + 1]) && is_dig(t[i + 2])) {
        i += 3;
        if (i + 1 < len && (t[i] == '.' || t[i] == ',') && is_dig(t[i + 1]))
            for (i++; i < len && is_dig(t[i]);)
                i++;
    }
    if (i < len && t[i] == 'Z') {
        i++;
    } else if (i + 2 < len && (t[i] == '+' || t[i] == '-') && is_dig(t[i + 1]) && is_dig(t[i + 2])) {
        size_t o = i + 3;
        if (o + 2 < len && t[o] == ':' && is_dig(t[o + 1]) && is_dig(t[o + 2]))
            o += 3;
        else if (o + 1 < len && is_dig(t[o]) && is_dig(t[o + 1]))
            o += 2;
        i = o;
    }
    return i < len && is_alnum_c(t[i]) ? 0 : i;
}
