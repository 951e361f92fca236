/* OCR'd digits (deid_pass_number_classes, deid_numclass.c): where O/o
 * stand for 0 and l/I for 1 among digits, a copy of the line with those
 * runs read as digits goes through the NIR, phone, date and postcode
 * scanners, and the original tokens are labelled ("l 85 O3 ...",
 * "l4/O2/l98O", "3lOOO"). */
#include "deid_numclass.h"

#include <string.h>

/* ---- OCR'd digits ---------------------------------------------------------------------- */

static int ocr_char(char c)
{
    return is_dig(c) || c == 'O' || c == 'o' || c == 'l' || c == 'I';
}

/* Token i written with digits and the OCR's letters for them, at least
 * one of each ("4O3", "l2", "141OO"). */
int nc_ocr_mixed(const text_scan *s, size_t i)
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
void nc_mark_bytes(text_scan *s, size_t i, size_t e, int label)
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
        nc_mark_bytes(s, i, a + e, AT_PHI_SECU);
        return 1;
    }
    if ((e = text_scan_phone(b, n, 0)) && has_ocr_letter(s, a, a + e)) {
        nc_mark_bytes(s, i, a + e, AT_PHI_TEL);
        return 1;
    }
    if ((e = text_scan_date_numeric(b, n, 0, &ymd)) && has_ocr_letter(s, a, a + e)) {
        /* dd/mm without a year: both parts of two characters ("l2/O3") */
        if (ymd / 10000 || (e == 5 && b[2] == '/')) {
            nc_mark_date(s, i, tok_end_index(s, i, a + e));
            return 1;
        }
    }
    if ((e = spaced_date(b, n)) && has_ocr_letter(s, a, a + e)) {
        nc_mark_date(s, i, tok_end_index(s, i, a + e));
        return 1;
    }
    return 0;
}

/* Around an OCR-mixed token q: the run of such tokens on its line (from
 * up to six tokens back), each tried as a start. */
void nc_ocr_at(text_scan *s, size_t q)
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
    if (n <= 2 && q + 1 < s->n && !s->tok[q + 1].nl && nc_month_tok(s, q + 1, &full)) {
        char b[OCR_SPAN + 1];
        ocr_copy(s, s->tok[q].s, b);
        int d = atoi_n(b, n);
        if (d < 1 || d > 31 || !is_dig(b[0]) || (n == 2 && !is_dig(b[1])))
            return;
        size_t e = q + 2;
        if (e < s->n && !s->tok[e].nl && (s->tok[e].kind == TOK_NUM || nc_ocr_mixed(s, e)) && tl(s, e) == 4) {
            ocr_copy(s, s->tok[e].s, b);
            int y = is_dig(b[0]) && is_dig(b[1]) && is_dig(b[2]) && is_dig(b[3]) ? atoi_n(b, 4) : 0;
            if (y >= 1900 && y <= 2099)
                e++;
        }
        nc_mark_date(s, q, e);
        return;
    }
    /* a postcode: five characters, two digits at least, before a
     * capitalised word on the line ("l4OOO Caen") */
    if (n == 5 && q + 1 < s->n && !s->tok[q + 1].nl && is_name_word(s, q + 1) &&
        !(s->tok[q + 1].dflags & DICT_MONTH)) {
        int d = 0;
        for (uint32_t b = s->tok[q].s; b < s->tok[q].e; b++)
            d += is_dig(s->t[b]);
        if (d >= 1 && mark(s, q, q + 1, AT_PHI_ZIP))
            deid_town_after_zip(s, q); /* its town, OCR'd too ("4924O AVRlLLÉ") */
    }
}

/* A glued OCR year after a French or English month ("mars 2O25"): the
 * month and year. */
void nc_ocr_month_year(text_scan *s, size_t q)
{
    int full;
    if (q == 0 || tl(s, q) != 4 || s->lab[q] || s->lab[q - 1] || s->tok[q].nl ||
        !nc_month_tok(s, q - 1, &full))
        return;
    char b[OCR_SPAN + 1];
    ocr_copy(s, s->tok[q].s, b);
    if (!(is_dig(b[0]) && is_dig(b[1]) && is_dig(b[2]) && is_dig(b[3])))
        return;
    int y = atoi_n(b, 4);
    if (y >= 1900 && y <= 2099)
        nc_mark_date(s, q - 1, q + 1);
}
