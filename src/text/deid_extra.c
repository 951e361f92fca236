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

static int tok_word_is(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || tlen(s, i) > 48)
        return 0;
    /* the first letter first (ASCII, or an accented one folded): most
     * words leave before any folding */
    unsigned c = (unsigned char)s->t[s->tok[i].s];
    if (c < 0x80) {
        c |= 0x20;
        const char *const *w = set;
        while (*w && (unsigned char)(*w)[0] != c)
            w++;
        if (!*w)
            return 0;
    }
    char f[64];
    size_t n = fold_tok(s, i, f);
    if (!n)
        return 0;
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, n) && (*set)[n] == 0)
            return 1;
    return 0;
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
    /* "exemple.fr/page", "chu-brest.fr" */
    if (k->kind == TOK_WORD && i + 2 < s->n && is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e &&
        s->tok[i + 2].s == s->tok[i + 1].e && tok_word_is(s, i + 2, tlds) &&
        (k->s == 0 || s->t[k->s - 1] != '@')) {
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

/* A plate: AB-123-CD (or with spaces, or glued). End offset or 0. */
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
    if (i + 3 > s->len || !is_dig(t[i]) || !is_dig(t[i + 1]) || !is_dig(t[i + 2]))
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

/* ---- dates in words, ages -------------------------------------------------------------- */

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
    size_t a = i;
    int day = 0;
    /* back: "premier", "vingt-deux", "trente et un", "1er" handled by the rules */
    if (i >= 1 && number_tok(s, i - 1, f, &fl) >= 1 && !s->lab[i - 1] && !s->tok[i].nl) {
        a = i - 1;
        if (i >= 3 && tok_is(s, i - 2, "et") && number_tok(s, i - 3, f, &fl) >= 20 && !s->lab[i - 3])
            a = i - 3;
        const char *w[3];
        size_t l[3];
        char b[3][64];
        size_t c = 0;
        for (size_t q = a; q < i; q++) {
            l[c] = fold_tok(s, q, b[c]);
            w[c] = b[c];
            c++;
        }
        int v;
        if (text_number_words_value(w, l, c, &v) && v >= 1 && v <= 31)
            day = v;
        else
            a = i;
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
        if (c && text_number_words_value(w, l, c, &v) && v >= 1800 && v <= 2200)
            e = q;
    }
    if (!day && e == i + 1)
        return;
    if (a > 0 && !s->lab[a - 1] && s->tok[a - 1].kind == TOK_WORD && !s->tok[a].nl) {
        size_t wl = fold_tok(s, a - 1, f);
        if (wl && text_weekday_of(f, wl))
            a--;
    }
    /* after "né le", "DDN": a birth date */
    int birth = 0;
    for (size_t b = a; b > 0 && a - b < 6 && !birth; b--) {
        birth = (s->tok[b - 1].dflags & DICT_BIRTH) != 0;
        if (s->tok[b - 1].nl)
            break;
    }
    mark(s, a, e, birth ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

static const char *const age_words[] = {"age", "agee", "ages", "agees", NULL};

static void pass_age(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    int v = -1;
    size_t e = i + 1;
    char f[64];
    size_t fl;
    if (k->kind == TOK_NUM && tlen(s, i) <= 3) {
        v = atoi_n(s->t + k->s, tlen(s, i));
    } else if (k->kind == TOK_WORD) {
        v = number_tok(s, i, f, &fl);
        if (v < 80)
            return;
    }
    if (v < 90 || v > 130)
        return;
    if (e < s->n && (tok_is(s, e, "ans") || tok_is(s, e, "an") || tok_is(s, e, "a")) && !s->tok[e].nl) {
        if (tok_is(s, e, "a") && !(i > 0 && tok_word_is(s, i - 1, age_words)))
            return;
        mark(s, i, e + 1, AT_PHI_AGE);
        return;
    }
    /* "âge : 92", "âgée de 93" */
    size_t p = i;
    if (p > 0 && (is_punct(s, p - 1, ':') || tok_is(s, p - 1, "de")))
        p--;
    if (p > 0 && tok_word_is(s, p - 1, age_words))
        mark(s, i, i + 1, AT_PHI_AGE);
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
    if (i + 2 < s->n && s->tok[i + 1].s == k->e && (is_punct(s, i + 1, '/') || is_punct(s, i + 1, '.')) &&
        ocr_digit(c0) && (e = scan_ocr_date(s, k->s))) {
        mark_bytes(s, i, e, AT_PHI_DATE);
        return;
    }
    if ((c0 == 'O' || c0 == 'o') && k->e - k->s == 2 && is_dig(s->t[k->s + 1]) && (e = scan_ocr_phone(s, k->s))) {
        mark_bytes(s, i, e, AT_PHI_TEL);
        return;
    }
    if (c0 == 'h' || c0 == 'w' || c0 == 'W' || (k->e < s->len && s->t[k->e] == '.'))
        pass_urls(s, i);
}

void deid_pass_extra_early(text_scan *s)
{
    static const int lists[] = {TEXT_LIST_AT, TEXT_LIST_EXTRA, TEXT_LIST_CUE};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
        for (size_t q = 0; q < s->nlist[lists[l]]; q++)
            early_at(s, s->list[lists[l]][q]);
    /* plates start with two capitals */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        if (s->tok[i].allcaps && tlen(s, i) == 2 && !s->lab[i])
            early_at(s, i);
    }
}

/* Dates in words, OCR'd dates that start with digits, ages: after the
 * numeric and written dates, which leave few numbers to look at. */
void deid_pass_extra_dates(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
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
            !(i + 1 < s->n && ((s->tok[i + 1].dflags & DICT_MONTH) ||
                               (s->tok[i + 1].s == k->e && (is_punct(s, i + 1, '/') || is_punct(s, i + 1, '.')) &&
                                i + 2 < s->n && s->tok[i + 2].kind == TOK_NUM)))) {
            int day = atoi_n(s->t + k->s, k->e - k->s);
            char f[64];
            size_t fl = fold_tok(s, i - 1, f);
            if (day >= 1 && day <= 31 && fl && text_weekday_of(f, fl)) {
                mark(s, i - 1, i + 1, AT_PHI_DATE);
                continue;
            }
        }
        pass_age(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_EXTRA]; q++) {
        size_t i = s->list[TEXT_LIST_EXTRA][q];
        const text_tok *k = &s->tok[i];
        if (!s->lab[i] && k->kind == TOK_WORD && k->e - k->s >= 12 && (s->t[k->s] | 0x20) == 'q' &&
            !memcmp(s->t + k->s + 1, "uatre-vingt", 11))
            pass_age(s, i);
    }
}

/* ---- late: record numbers, employers, rural addresses, short dates ---------------------- */

static int glued_digit(const text_scan *s, size_t j);
static int after_lot(const text_scan *s, size_t i);
static int unit_next(const text_scan *s, size_t r);

const char *const text_cue_id_words[] = {
    "ref",          "reference",   "references",   "dossier",     "prelevement",
    "prelevements", "echantillon", "bloc",         "lame",        "lames",
    "examen",       "demande",     "ordonnance",   "identifiant", "id",
    "numero",       "num",         "no",           "n",           "episode",
    "requete",      "patient",     "anapath",      "cr",          "compte-rendu",
    "document",     "scan",        "archive",      "etiquette",   "tube",
    "specimen",     "biopsie",     "prescription", "matricule",   "immatriculation",
    "dossard",      "badge",       "code",        "siret",       "siren",
    NULL};
const char *const text_cue_account_words[] = {
    "iban",           "rib",    "adherent",  "adhesion", "mutuelle", "contrat", "police", "societaire", "amc",
    "complementaire", "assure", "assurance", "bic",      "compte",   "carte",   "cpam",   NULL};

/* The glued code from token j (letters, digits, '-', '/', '.' without
 * spaces between): its end token; *digits the digit count. */
static size_t glued_code(const text_scan *s, size_t j, size_t *digits, int *letters)
{
    size_t r = j;
    *digits = 0;
    *letters = 0;
    while (r < s->n && (r == j || (s->tok[r].s == s->tok[r - 1].e && !s->tok[r].nl))) {
        const text_tok *k = &s->tok[r];
        if (k->kind == TOK_PUNCT) {
            char c = s->t[k->s];
            if (tlen(s, r) != 1 || (c != '-' && c != '/' && c != '.' && c != '_') || r + 1 >= s->n ||
                s->tok[r + 1].s != k->e || s->tok[r + 1].kind == TOK_PUNCT)
                break;
        } else {
            for (uint32_t b = k->s; b < k->e; b++) {
                *digits += is_dig(s->t[b]);
                *letters |= !is_dig(s->t[b]);
            }
        }
        r++;
    }
    return r;
}

/* After an id or account label: skip "n°", "no", ":", "#", "de", "du",
 * "patient" ... then a glued code with enough digits. */
static void labelled_code(text_scan *s, size_t i, int label, size_t min_digits)
{
    size_t j = i + 1;
    while (j < s->n && j - i <= 5 && !s->tok[j].nl && !s->lab[j]) {
        const text_tok *k = &s->tok[j];
        if (k->kind == TOK_PUNCT && (s->t[k->s] == ':' || s->t[k->s] == '#' || s->t[k->s] == '.' ||
                                     (unsigned char)s->t[k->s] == 0xC2 /* ° */))
            j++;
        else if (k->kind == TOK_WORD && !(k->cap && tlen(s, j) > 3) && tlen(s, j) <= 10 &&
                 ((k->lex & LEX_WORD) || tok_is(s, j, "n") || tok_is(s, j, "no")) && !glued_digit(s, j)) {
            if (label == AT_PHI_ID && (k->lex & LEX_CUE_ID) && tok_word_is(s, j, text_cue_account_words))
                label = AT_PHI_COMPTE; /* "n° adhérent" */
            j++;
        } else
            break;
    }
    /* an allcaps word that names the register before the code: "dossier
     * CPAM 671 2403 5588", "dossier PACS ACC-7738201" */
    if (j + 1 < s->n && s->tok[j].kind == TOK_WORD && s->tok[j].allcaps && tlen(s, j) <= 6 && !glued_digit(s, j) &&
        !s->tok[j + 1].nl && s->tok[j + 1].s > s->tok[j].e && !s->lab[j + 1] && s->tok[j + 1].kind != TOK_PUNCT) {
        size_t d0;
        int l0;
        glued_code(s, j + 1, &d0, &l0);
        if (d0)
            j++;
    }
    if (j >= s->n || s->tok[j].nl || s->lab[j] || s->tok[j].kind == TOK_PUNCT)
        return;
    size_t digits;
    int letters;
    size_t r = glued_code(s, j, &digits, &letters);
    if (!digits || after_lot(s, j))
        return; /* a code holds digits; a batch number is no one's */
    /* groups of digits separated by one space (account numbers, "GRP-449 0173") */
    if (label == AT_PHI_COMPTE || letters || digits < min_digits || (r == j + 1 && tlen(s, j) <= 5 && !unit_next(s, r + 1)))
        while (r < s->n && !s->tok[r].nl && s->tok[r].s == s->tok[r - 1].e + 1 &&
               s->t[s->tok[r].s - 1] == ' ' &&
               (s->tok[r].kind == TOK_NUM ||
                (s->tok[r].kind == TOK_WORD && s->tok[r].allcaps && tlen(s, r) <= 4))) {
            size_t d2;
            int l2;
            size_t r2 = glued_code(s, r, &d2, &l2);
            digits += d2;
            r = r2;
        }
    if (digits >= min_digits)
        mark(s, j, r, label);
}

static int glued_digit(const text_scan *s, size_t j)
{
    for (uint32_t b = s->tok[j].s; b < s->tok[j].e; b++)
        if (is_dig(s->t[b]))
            return 1;
    return 0;
}

const char *const text_cue_employer_words[] = {"chez", "employeur", "entreprise", "societe",
                                               "ste",  "usine",     NULL};
const char *const text_cue_job_words[] = {
    "travaille",   "travaillait",      "travaillé",      "employe",      "employee",
    "salarie",     "salariee",         "embauche",       "embauchee",    "retraite",
    "retraitee",   "ancien",           "ancienne",       "ouvrier",      "ouvriere",
    "agent",       "technicien",       "technicienne",   "comptable",    "chauffeur",
    "vendeur",     "vendeuse",         "caissiere",      "ingenieur",    "ingenieure",
    "magasinier",  "manutentionnaire", "cadre",          "commercial",   "commerciale",
    "employee",    "travaillant",      "mecanicien",     "soudeur",      "boulanger",
    "cuisinier",   "serveur",          "serveuse",       "maçon",        "macon",
    "electricien", "infirmiere",       "aide-soignante", "agricultrice", "agriculteur",
    "enseignant",  "enseignante",      "professeur",     "facteur",      "postier",
    NULL};

/* A capitalised run from j (with inner connectors and '&'): its end. */
static size_t org_run(const text_scan *s, size_t j)
{
    size_t r = j, last = j;
    while (r < s->n && r - j < 8 && !s->tok[r].nl && !s->lab[r]) {
        const text_tok *k = &s->tok[r];
        if (k->kind == TOK_WORD && (k->cap || k->allcaps) && !(k->dflags & (DICT_TITLE | DICT_MONTH))) {
            r++;
            last = r;
        } else if (r > j && ((k->kind == TOK_WORD && (k->dflags & DICT_CONNECT) && !k->cap) ||
                             is_punct(s, r, '&') || is_punct(s, r, '\'') || is_punct(s, r, '-'))) {
            r++;
        } else {
            break;
        }
    }
    return last;
}

static void pass_employer(text_scan *s, size_t i)
{
    size_t j = i + 1;
    if (!tok_word_is(s, i, text_cue_employer_words)) {
        /* "salarié(e)", "ancien(ne)" */
        if (is_punct(s, j, '(') && j + 2 < s->n && is_punct(s, j + 2, ')') &&
            s->tok[j + 1].e - s->tok[j + 1].s <= 2)
            j += 3;
        size_t j0 = j;
        while (j < s->n && j - j0 <= 3 && !s->tok[j].nl && s->tok[j].kind == TOK_WORD && !s->tok[j].cap &&
               !s->tok[j].allcaps)
            j++;
        if (j == j0)
            return;

    } else {
        if (is_punct(s, j, ':'))
            j++;
        while (j < s->n && j - i <= 3 && !s->tok[j].nl && s->tok[j].kind == TOK_WORD && !s->tok[j].cap &&
               !s->tok[j].allcaps && (s->tok[j].dflags & DICT_CONNECT))
            j++;
    }
    if (j >= s->n || s->tok[j].nl || s->lab[j] || s->tok[j].kind != TOK_WORD ||
        !(s->tok[j].cap || s->tok[j].allcaps) || (s->tok[j].dflags & (DICT_TITLE | DICT_HOSP)))
        return;
    size_t r = org_run(s, j);
    if (r > j)
        mark(s, j, r, AT_PHI_EMPLOYEUR);
}

static const char *const rural_lower[] = {
    "lieu-dit", "lieudit", "bat",    "batiment",  "appt",      "apt",     "appartement", "esc",
    "escalier", "rue",     "avenue", "boulevard", "bd",        "impasse", "allee",       "chemin",
    "route",    "quai",    "place",  "square",    "residence", "hameau",  "lotissement", "cite",
    "clos",     "domaine", "ferme",  "villa",     "etage",     "porte",   "bp",          "traverse",
    NULL};
/* Words of an address's complement whose value is a number or a short
 * code ("appt 41", "bât. C2", "esc. B", "2e étage"). */
static const char *const unit_words[] = {"bat", "batiment", "appt", "apt", "appartement", "esc", "escalier",
                                         "etage", "porte", "bp", "immeuble", NULL};

static void pass_rural(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!(k->lex & LEX_STREET) || (!k->cap && !tok_word_is(s, i, rural_lower)))
        return;
    size_t j = i + 1;
    if (is_punct(s, j, '.'))
        j++;
    /* "appt 41", "bât. C2": a number or a short code after a complement word */
    if (j < s->n && !s->tok[j].nl && !s->lab[j] && tok_word_is(s, i, unit_words) &&
        (s->tok[j].kind == TOK_NUM || (s->tok[j].kind == TOK_WORD && tlen(s, j) <= 3 && (s->tok[j].allcaps || glued_digit(s, j)))) &&
        tlen(s, j) <= 5) {
        mark(s, i, j + 1, AT_PHI_ADRESSE);
        return;
    }
    if (j < s->n && s->lab[j] == AT_PHI_ADRESSE && tok_word_is(s, i, unit_words) && !s->tok[j].nl) {
        s->lab[i] = AT_PHI_ADRESSE; /* "appt 41, cité des Glycines": the address after it */
        s->ent[i] = s->ent[j];
        if (j > i + 1) {
            s->lab[i + 1] = AT_PHI_ADRESSE;
            s->ent[i + 1] = s->ent[j];
        }
        return;
    }
    /* "Le Clos Fleuri": the article before a capitalised street word */
    if (k->cap && i > 0 && !k->nl && !s->lab[i - 1] && s->tok[i - 1].cap && tlen(s, i - 1) <= 3 &&
        (s->tok[i - 1].dflags & DICT_PARTICLE) && (i < 2 || s->tok[i - 1].nl || s->tok[i - 2].kind == TOK_PUNCT))
        i--;
    /* "bât. B", "Résidence Le Parc" */
    size_t r = j;
    while (r < s->n && r - j < 6 && !s->tok[r].nl && !s->lab[r]) {
        const text_tok *u = &s->tok[r];
        if (u->kind == TOK_WORD && (u->cap || u->allcaps))
            r++;
        else if (u->kind == TOK_WORD && (u->dflags & (DICT_CONNECT | DICT_PARTICLE))) {
            /* connectors, then a capital: "de la Roche", "des Trois Chênes" */
            size_t q = r;
            while (q < s->n && q - r < 3 && !s->tok[q].nl && s->tok[q].kind == TOK_WORD &&
                   (s->tok[q].dflags & (DICT_CONNECT | DICT_PARTICLE)) && !s->tok[q].cap)
                q++;
            while (q < s->n && is_punct(s, q, '\''))
                q++;
            if (q >= s->n || s->tok[q].nl || !(s->tok[q].cap || s->tok[q].allcaps))
                break;
            r = q;
        } else if (r > j && is_punct(s, r, '\''))
            r++;
        else
            break;
    }
    /* after a street word in lower case, a name and not an abbreviation
     * or a drug ("mise en place du PAC") */
    size_t f0 = j;
    while (f0 < r && !(s->tok[f0].cap || s->tok[f0].allcaps))
        f0++;
    if (!k->cap && f0 < r &&
        ((s->tok[f0].allcaps && tlen(s, f0) <= 4) ||
         ((s->tok[f0].lex & LEX_MED) && !(s->tok[f0].lex & NAME_KINDS))))
        return;
    if (r > j && !(k->cap && i > 0 && !k->nl && s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].cap &&
                   !(s->tok[i - 1].dflags & DICT_CONNECT)))
        mark(s, i, r, AT_PHI_ADRESSE);
}

static const char *const short_date_cues[] = {
    "le",       "du",           "au",       "depuis",  "des",         "jusqu'au",     "vu",
    "vue",      "revu",         "revue",    "rdv",     "prevu",       "prevue",       "controle",
    "avant",    "apres",        "entre",    "lundi",   "mardi",       "mercredi",     "jeudi",
    "vendredi", "samedi",       "dimanche", "semaine", "et",          "depuis",       "fait",
    "faite",    "realise",      "realisee", "j",       "hospitalise", "hospitalisee", "telephonique",
    "appel",    "consultation", "note",     "visite",  "passage",     "nuit",         "matin",
    "soir",     "hdj",          "cure",     "seance",  "bilan",       "depuis",       "ce",
    "prochain", "prochaine",    NULL};

/* "03/2023", "3/2021": a month and a year. */
static int month_year(text_scan *s, size_t i)
{
    if (i + 2 >= s->n || tlen(s, i) > 2 || !is_punct(s, i + 1, '/') || s->tok[i + 2].kind != TOK_NUM ||
        tlen(s, i + 2) != 4 || s->tok[i + 1].s != s->tok[i].e || s->tok[i + 2].s != s->tok[i + 1].e ||
        s->lab[i + 2])
        return 0;
    if ((i + 3 < s->n && s->tok[i + 3].s == s->tok[i + 2].e && s->tok[i + 3].kind != TOK_PUNCT) ||
        (i > 0 && s->tok[i].s == s->tok[i - 1].e && s->tok[i - 1].kind != TOK_WORD))
        return 0;
    int m = atoi_n(s->t + s->tok[i].s, tlen(s, i)), y = atoi_n(s->t + s->tok[i + 2].s, 4);
    if (m < 1 || m > 12 || y < 1900 || y > 2100)
        return 0;
    return mark(s, i, i + 3, AT_PHI_DATE);
}

/* "le 12/9", "revu le 4/11": day/month with one digit after a cue. */
static void pass_short_date(text_scan *s, size_t i)
{
    if (month_year(s, i))
        return;
    if (i + 2 >= s->n || tlen(s, i) > 2 || !is_punct(s, i + 1, '/') || s->tok[i + 2].kind != TOK_NUM ||
        tlen(s, i + 2) > 2 || s->tok[i + 1].s != s->tok[i].e || s->tok[i + 2].s != s->tok[i + 1].e ||
        s->lab[i + 2])
        return;
    if (i + 3 < s->n && (is_punct(s, i + 3, '/') && s->tok[i + 3].s == s->tok[i + 2].e))
        return;
    int d = atoi_n(s->t + s->tok[i].s, tlen(s, i)), m = atoi_n(s->t + s->tok[i + 2].s, tlen(s, i + 2));
    if (d < 1 || d > 31 || m < 1 || m > 12 || i == 0)
        return;
    int eol = i + 3 >= s->n || s->tok[i + 3].nl;
    if (!tok_word_is(s, i - 1, short_date_cues) && !(i >= 2 && s->lab[i - 2] == AT_PHI_DATE) &&
        !(eol && d > m))
        return;
    /* "cure 3/6", "séance 4/25": a count of a course, not a day */
    static const char *const course_words[] = {"cure", "seance", "cycle", "fraction", NULL};
    if (d <= m && tok_word_is(s, i - 1, course_words))
        return;
    mark(s, i, i + 3, AT_PHI_DATE);
}

/* Unlabelled specimen and record codes: letters and at least four digits
 * glued with '-' ("B23-11902", "S23-0048812"), or year-number
 * ("2023-44871"). */
/* A unit or '%' right after token r - 1 ("120-130 mmHg", "1000-1500 mL"). */
static int unit_next(const text_scan *s, size_t r)
{
    static const char *const units[] = {"mg", "g", "ml", "l", "ui", "mmhg", "gy", "cgy", "kg", "mm", "cm", "ng", "ug",
                                        "mcg", "mmol", "umol", "u", "kcal", "fois", "jours", "mois", "ans", NULL};
    if (r >= s->n || s->tok[r].nl)
        return 0;
    return is_punct(s, r, '%') || (s->tok[r].kind == TOK_WORD && tok_word_is(s, r, units));
}

/* A drug's or a device's batch number, a trial's registration or code:
 * after "lot", a registry's name or a study word ("lot X013729",
 * "EudraCT 2022-501234-17-00", "essai GORTEC 2017-01"): no one's. */
int deid_after_notid(const text_scan *s, size_t i)
{
    return after_lot(s, i);
}

static int after_lot(const text_scan *s, size_t i)
{
    /* "lot X", "lot n° X", "lot : X"; a registry or a study word right
     * before, or before the study's name ("essai GORTEC 2017-01"), not a
     * label's words ("n° de patient dans l'essai : 014-0027") */
    for (size_t q = i, hop = 0; q > 0 && hop < 5 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if ((p->dflags & DICT_NOTID) && (tok_is(s, q - 1, "lot") || tok_is(s, q - 1, "lots")))
            return 1;
        if ((p->dflags & DICT_NOTID) && (hop == 0 || (hop == 1 && s->tok[q].kind == TOK_WORD && s->tok[q].allcaps)))
            return 1;
    }
    return 0;
}

static void pass_code(text_scan *s, size_t i)
{
    if (after_lot(s, i))
        return;
    if (i > 0 && s->tok[i].s == s->tok[i - 1].e && s->tok[i - 1].kind != TOK_PUNCT)
        return;
    /* never from the middle of a glued code ("2022-501234-17-00") */
    if (i > 1 && s->tok[i].s == s->tok[i - 1].e && s->tok[i - 1].kind == TOK_PUNCT &&
        s->tok[i - 2].e == s->tok[i - 1].s && (s->tok[i - 2].kind == TOK_NUM || glued_digit(s, i - 2)) &&
        (is_punct(s, i - 1, '-') || is_punct(s, i - 1, '/') || is_punct(s, i - 1, '.') || is_punct(s, i - 1, '_')))
        return;
    size_t digits;
    int letters;
    size_t r = glued_code(s, i, &digits, &letters);
    int dash = 0;
    for (size_t q = i; q < r; q++)
        dash |= is_punct(s, q, '-') || is_punct(s, q, '/') || is_punct(s, q, '_') || is_punct(s, q, '.');
    /* a reference sequence ("NM_007294.4"), a gene's transcript: no one's */
    if (letters && i + 1 < s->n && is_punct(s, i + 1, '_') && tlen(s, i) == 2 && is_up(s->t[s->tok[i].s]) &&
        is_up(s->t[s->tok[i].s + 1]))
        return;
    /* digit groups joined by '-' or '/': a group of three digits or more
     * with a leading zero ("021-004"), or six digits or more with no unit
     * after ("340-776-1293"), is a code; years on both sides a range */
    int zero = 0, groups = 0;
    for (size_t q = i; q < r; q++)
        if (s->tok[q].kind == TOK_NUM) {
            groups++;
            zero |= tlen(s, q) >= 3 && s->t[s->tok[q].s] == '0';
        }
    for (size_t q = i; q < r; q++)
        if (s->lab[q])
            return;
    /* "CAE-0033210": the capitals glued before the number */
    size_t a = i;
    if (!letters && i >= 2 && is_punct(s, i - 1, '-') && s->tok[i - 1].e == s->tok[i].s &&
        s->tok[i - 2].e == s->tok[i - 1].s && s->tok[i - 2].kind == TOK_WORD && s->tok[i - 2].allcaps &&
        tlen(s, i - 2) <= 5 && !s->lab[i - 2] && !s->lab[i - 1] && digits >= 5) {
        mark(s, i - 2, r, AT_PHI_ID);
        return;
    }
    (void)a;
    if (r == i + 1 && tlen(s, i) == 11 && !memcmp(s->t + s->tok[i].s, "NCT", 3) && digits == 8)
        return; /* a ClinicalTrials.gov registration, not a record */
    if (letters && digits >= 5 && dash)
        mark(s, i, r, AT_PHI_ID);
    else if (!letters && digits >= 7 && r == i + 1)
        mark(s, i, r, AT_PHI_ID); /* a bare number of seven digits or more */
    else if (!letters && dash && digits >= 9 && r == i + 3 && tlen(s, i) == 4)
        mark(s, i, r, AT_PHI_ID);
    else if (!letters && dash && groups >= 2 && ((zero && digits >= 5) || digits >= 6) && !unit_next(s, r) &&
             !(groups == 2 && digits == 8 && tlen(s, i) == 4 && tlen(s, r - 1) == 4 &&
               atoi_n(s->t + s->tok[i].s, 4) >= 1900 && atoi_n(s->t + s->tok[i].s, 4) <= 2099 &&
               atoi_n(s->t + s->tok[r - 1].s, 4) >= 1900 && atoi_n(s->t + s->tok[r - 1].s, 4) <= 2099))
        mark(s, i, r, AT_PHI_ID);
    else if (letters && digits >= 6 && r == i + 1)
        mark(s, i, r, AT_PHI_ID); /* "CAE0033210" */
}

/* An internal phone extension: three to five digits after "poste", "bip",
 * "DECT", "ext." ("poste 6214", "bip : 312"). */
static const char *const extension_words[] = {"poste", "bip", "dect", "ext", "extension", NULL};

static void pass_extension(text_scan *s, size_t i)
{
    size_t n = tlen(s, i), p = i;
    if (n < 3 || n > 5 || i == 0 || s->tok[i].nl)
        return;
    while (p > 0 && i - p < 2 && (is_punct(s, p - 1, ':') || is_punct(s, p - 1, '.')) && !s->tok[p].nl)
        p--;
    if (p > 0 && !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && tok_word_is(s, p - 1, extension_words) &&
        !(i + 1 < s->n && s->tok[i + 1].s == s->tok[i].e && s->tok[i + 1].kind != TOK_PUNCT))
        mark(s, i, i + 1, AT_PHI_TEL);
}

/* "poste 34 512": an extension in two groups of digits. */
static void pass_extension_groups(text_scan *s, size_t i)
{
    size_t n = tlen(s, i), p = i;
    if (n < 1 || n > 3 || i == 0 || s->tok[i].nl || i + 1 >= s->n || s->tok[i + 1].kind != TOK_NUM ||
        s->tok[i + 1].nl || s->lab[i + 1] || s->tok[i + 1].s != s->tok[i].e + 1 || n + tlen(s, i + 1) < 4 ||
        n + tlen(s, i + 1) > 6)
        return;
    while (p > 0 && i - p < 2 && (is_punct(s, p - 1, ':') || is_punct(s, p - 1, '.')) && !s->tok[p].nl)
        p--;
    if (p > 0 && !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && tok_word_is(s, p - 1, extension_words))
        mark(s, i, i + 2, AT_PHI_TEL);
}

/* A weekday before a date joins it ("lundi 12 mars"). */
static void weekday_join(text_scan *s, size_t i)
{
    char w0 = (char)(s->t[s->tok[i].s] | 0x20);
    if (w0 != 'l' && w0 != 'm' && w0 != 'j' && w0 != 'v' && w0 != 's' && w0 != 'd')
        return;
    if (i + 1 >= s->n || s->lab[i] || s->lab[i + 1] != AT_PHI_DATE || s->tok[i + 1].nl ||
        (i + 1 > 0 && i > 0 && s->ent[i] && s->ent[i] == s->ent[i + 1]))
        return;
    char f[64];
    size_t n = fold_tok(s, i, f);
    if (n && text_weekday_of(f, n)) {
        s->lab[i] = AT_PHI_DATE;
        s->ent[i] = s->ent[i + 1];
    }
}

void deid_pass_extra_late(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD)
            continue;
        unsigned lx = k->lex;
        if ((lx & LEX_CUE_ID) && tok_word_is(s, i, text_cue_account_words))
            labelled_code(s, i, AT_PHI_COMPTE, 5);
        else if ((k->dflags & DICT_IDLABEL) && k->dval)
            labelled_code(s, i, k->dval, 4);
        else if (lx & LEX_CUE_ID)
            labelled_code(s, i, AT_PHI_ID, 4);
        if (s->lab[i])
            continue;
        if (lx & LEX_STREET)
            pass_rural(s, i);
        else if (lx & LEX_CUE_EMP)
            pass_employer(s, i);
        else if (!(lx & LEX_WORD) && glued_digit(s, i))
            pass_code(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t i = s->list[TEXT_LIST_FLAG][q];
        if (!s->lab[i] && (s->tok[i].dflags & DICT_IDLABEL) && s->tok[i].dval)
            labelled_code(s, i, s->tok[i].dval, 4);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (!s->lab[i] && s->tok[i].kind == TOK_NUM) {
            pass_extension(s, i);
            if (!s->lab[i])
                pass_extension_groups(s, i);
            if (!s->lab[i])
                pass_short_date(s, i);
            if (!s->lab[i])
                pass_code(s, i);
        }
        /* a weekday before a date joins it, abbreviated too ("mer. 5 févr.") */
        if (s->lab[i] == AT_PHI_DATE && i > 0 && !s->lab[i - 1] && s->tok[i - 1].kind == TOK_WORD &&
            (i < 2 || s->ent[i - 1] != s->ent[i]))
            weekday_join(s, i - 1);
        else if (s->lab[i] == AT_PHI_DATE && i > 1 && is_punct(s, i - 1, '.') && !s->lab[i - 1] &&
                 s->tok[i - 1].s == s->tok[i - 2].e && !s->lab[i - 2] && s->tok[i - 2].kind == TOK_WORD &&
                 tlen(s, i - 2) == 3 && !s->tok[i - 1].nl && !s->tok[i].nl) {
            char f[64];
            size_t n = fold_tok(s, i - 2, f);
            if (n && text_weekday_abbr(f, n)) {
                for (size_t q = i - 2; q < i; q++) {
                    s->lab[q] = AT_PHI_DATE;
                    s->ent[q] = s->ent[i];
                }
            }
        }
    }
}

/* ---- after the tagger: the parts of an entity the tagger leaves -------------------- */

static const char *const foreign_particles[] = {"van", "von", "der", "den", "da", "dos",
                                                "di",  "del", "ter", "ten", NULL};

static void join_into(text_scan *s, size_t i, size_t with, int label)
{
    s->lab[i] = (uint8_t)label;
    s->ent[i] = s->ent[with];
}

/* The tokens labelled now, in text order, into idx (room for s->n): their
 * count. The joins visit these rather than every token. */
static size_t labelled_tokens(const text_scan *s, uint32_t *idx)
{
    size_t c = 0, i = 0;
    /* eight labels at a time: most tokens are no identifier */
    for (; i + 8 <= s->n; i += 8) {
        uint64_t w;
        memcpy(&w, s->lab + i, 8);
        if (!w)
            continue;
        for (size_t j = i; j < i + 8; j++)
            if (s->lab[j])
                idx[c++] = (uint32_t)j;
    }
    for (; i < s->n; i++)
        if (s->lab[i])
            idx[c++] = (uint32_t)i;
    return c;
}

at_status deid_pass_joins(text_scan *s)
{
    uint32_t *idx = at_malloc((s->n ? s->n : 1) * sizeof *idx);
    if (!idx)
        return AT_ERR_NOMEM;
    size_t cnt = labelled_tokens(s, idx);
    for (size_t q = 0; q < cnt; q++) {
        size_t i = idx[q];
        if (i == 0)
            continue;
        int l = s->lab[i];
        if (!l || (l != AT_PHI_NOM && l != AT_PHI_EMPLOYEUR && l != AT_PHI_HOPITAL) || s->tok[i].nl ||
            (s->lab[i - 1] && s->ent[i - 1] == s->ent[i]))
            continue;
        size_t p = i - 1;
        const text_tok *k = &s->tok[p];
        if (l == AT_PHI_NOM) {
            /* particles before a surname: "Van Dijk", "LE BERRE", "le van",
             * "mme le floch" (after a title) */
            while (!s->lab[p] && k->kind == TOK_WORD && (k->dflags & DICT_PARTICLE) &&
                   (k->cap || k->allcaps || tok_word_is(s, p, foreign_particles) ||
                    (p > 0 && (s->tok[p - 1].dflags & DICT_TITLE) && !s->tok[p].nl))) {
                join_into(s, p, i, AT_PHI_NOM);
                if (p == 0 || s->tok[p].nl)
                    break;
                p--;
                k = &s->tok[p];
            }
            /* an initial before it: "L. Lacroix", "S. Kerjean" */
            if (p >= 1 && is_punct(s, p, '.') && !s->lab[p - 1] && s->tok[p - 1].kind == TOK_WORD &&
                s->tok[p - 1].cap && s->tok[p - 1].e - s->tok[p - 1].s <= 2 &&
                !(s->tok[p - 1].dflags & DICT_TITLE) && !s->tok[p].nl) {
                mark(s, p - 1, p, AT_PHI_PRENOM);
            }
        } else if (l == AT_PHI_EMPLOYEUR || l == AT_PHI_HOPITAL) {
            /* the capitalised words of its name before it: "Garage X", "SARL X" */
            for (int hop = 0; hop < 2 && !s->lab[p] && s->tok[p].kind == TOK_WORD &&
                              (s->tok[p].cap || s->tok[p].allcaps) &&
                              !(s->tok[p].allcaps && tlen(s, p) <= 4 && !(s->tok[p].lex & NAME_KINDS)) &&
                              /* a name or an organisation's word, not a header ("REGULATION");
                               * a word of the language inside a sentence ("au Nouvel Hôpital") */
                              ((s->tok[p].lex & (NAME_KINDS | LEX_ORG)) ||
                               !(s->tok[p].lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) ||
                               (s->tok[p].cap && !s->tok[p].allcaps && !(s->tok[p].lex & LEX_MED) && p > 0 &&
                                !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && !s->tok[p - 1].cap)) &&
                              !(s->tok[p].dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE));
                 hop++) {
                join_into(s, p, i, l);
                if (p == 0 || s->tok[p].nl)
                    break;
                p--;
            }
        }
    }
    /* initials that sign a letter: two or three capitals alone on the
     * line after a closing formula ("Bien à vous,\nMC") */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (s->lab[i] || !k->nl || !k->allcaps || n < 2 || n > 3 || i < 2 ||
            (i + 1 < s->n && !s->tok[i + 1].nl))
            continue;
        static const char *const closings[] = {
            "amicalement", "cordialement", "vous",          "confraternellement",
            "sentiments",  "salutations",  "devoue",        "devouee",
            "signe",       "merci",        "remerciements", NULL};
        /* a closing formula within the three lines before */
        int lines = 0, found = 0;
        for (size_t p = i; p > 0 && lines < 4 && i - p < 24 && !found; p--) {
            lines += s->tok[p].nl;
            found = s->tok[p - 1].kind == TOK_WORD && tok_word_is(s, p - 1, closings);
        }
        if (found)
            mark(s, i, i + 1, AT_PHI_NOM);
    }
    /* the end of a name cut at a line end ("Dupo-" / "nt"), after the
     * names labelled before the joins */
    for (size_t q = 0; q < cnt; q++) {
        size_t i = idx[q] + 2;
        if (i < s->n && s->tok[i].nl && !s->lab[i] && s->tok[i].kind == TOK_WORD && is_punct(s, i - 1, '-') &&
            s->tok[i - 1].s == s->tok[i - 2].e &&
            (s->lab[i - 2] == AT_PHI_NOM || s->lab[i - 2] == AT_PHI_PRENOM || s->lab[i - 2] == AT_PHI_VILLE ||
             s->lab[i - 2] == AT_PHI_HOPITAL))
            mark(s, i, i + 1, s->lab[i - 2]);
    }
    /* the words of one name the tagger left around the words it took, on
     * one line with nothing between ("LE GALL Jean-Yves", "Nguyen Van
     * Thanh", "riou bernard", "J.-M. COADOU") */
    /* (every labelled token in order, and the one after a token when a
     * join has just labelled it) */
    cnt = labelled_tokens(s, idx);
    for (size_t q = 0, i = 0;;) {
        if (i + 1 < s->n && s->lab[i + 1]) {
            i++;
        } else {
            while (q < cnt && idx[q] <= i)
                q++;
            if (q >= cnt)
                break;
            i = idx[q];
        }
        if (i == 0)
            continue;
        int l = s->lab[i];
        if ((l != AT_PHI_PRENOM && l != AT_PHI_NOM) || s->tok[i].nl)
            continue;
        /* capitals before a first name: its surname, up to three words */
        if (l == AT_PHI_PRENOM && !s->tok[i].allcaps) {
            size_t p = i;
            while (p > 0 && i - p < 3 && !s->tok[p].nl && !s->lab[p - 1] && s->tok[p - 1].kind == TOK_WORD &&
                   s->tok[p - 1].allcaps && !(s->tok[p - 1].lex & LEX_MED) && s->tok[p - 1].s + 1 >= s->tok[p - 1].e - 40 &&
                   !(s->tok[p - 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_IDLABEL | DICT_MONTH)))
                p--;
            if (p < i && mark(s, p, i, AT_PHI_NOM))
                deid_names_add(s, p, i);
        }
        /* a particle between two words of names ("Nguyen Van Thanh") */
        if (i + 2 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl && !s->tok[i + 2].nl &&
            (s->lab[i + 2] == AT_PHI_PRENOM || s->lab[i + 2] == AT_PHI_NOM) && s->tok[i + 1].kind == TOK_WORD &&
            (s->tok[i + 1].cap || s->tok[i + 1].allcaps) && (s->tok[i + 1].dflags & DICT_PARTICLE))
            join_into(s, i + 1, i + 2, s->lab[i + 2]);
        /* a name of a name list right after, in lower case too ("riou bernard") */
        if (i + 1 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD &&
            s->tok[i + 1].s > s->tok[i].e && (s->tok[i + 1].lex & (LEX_FIRST | LEX_LAST)) &&
            (!(s->tok[i + 1].lex & (LEX_MED | LEX_EPONYM)) ||
             ((s->tok[i + 1].lex & LEX_EPONYM) && (s->tok[i + 1].cap || s->tok[i + 1].allcaps) && l == AT_PHI_PRENOM &&
              !deid_eponym_context(s, i + 1))) &&
            (s->tok[i + 1].cap || s->tok[i + 1].allcaps || !(s->tok[i + 1].lex & LEX_WORD)) &&
            !(s->tok[i + 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_CONNECT))) {
            int lab = (s->tok[i + 1].lex & LEX_FIRST) && !(s->tok[i + 1].lex & LEX_LAST) ? AT_PHI_PRENOM
                      : (s->tok[i + 1].lex & LEX_LAST) && !(s->tok[i + 1].lex & LEX_FIRST) ? AT_PHI_NOM
                      : l == AT_PHI_NOM ? AT_PHI_PRENOM : AT_PHI_NOM;
            if (mark(s, i + 1, i + 2, lab))
                deid_names_add(s, i + 1, i + 2);
        }
        /* compound initials before a surname: "J.-M. Coadou", "P.-Y. Le Roux" */
        if (l == AT_PHI_NOM && i >= 5 && (s->lab[i - 1] == AT_PHI_PRENOM || is_punct(s, i - 1, '.'))) {
            size_t e = s->lab[i - 1] == AT_PHI_PRENOM ? i - 1 : i;
            /* e: the first token of the initial before the surname (or the surname) */
            while (e > 0 && s->lab[e - 1] == AT_PHI_PRENOM && s->ent[e - 1] == s->ent[i - 1])
                e--;
            if (e >= 4 && is_punct(s, e - 1, '-') && is_punct(s, e - 2, '.') && s->tok[e - 3].kind == TOK_WORD &&
                s->tok[e - 3].cap && s->tok[e - 3].e - s->tok[e - 3].s <= 2 && !s->lab[e - 3] && !s->tok[e - 1].nl &&
                !s->tok[e].nl) {
                size_t b = i;
                while (b > e && (s->lab[b - 1] == AT_PHI_PRENOM || is_punct(s, b - 1, '.')))
                    b--;
                for (size_t q = e - 3; q < b; q++)
                    s->lab[q] = 0;
                mark(s, e - 3, b, AT_PHI_PRENOM);
            } else if (is_punct(s, i - 1, '.') && i >= 4 && is_punct(s, i - 3, '-') && s->tok[i - 2].kind == TOK_WORD &&
                       s->tok[i - 2].cap && s->tok[i - 2].e - s->tok[i - 2].s <= 2 && is_punct(s, i - 4, '.') &&
                       s->tok[i - 5].kind == TOK_WORD && s->tok[i - 5].cap && s->tok[i - 5].e - s->tok[i - 5].s <= 2 &&
                       !s->tok[i - 4].nl && !s->tok[i - 3].nl && !s->tok[i - 2].nl && !s->tok[i - 1].nl) {
                int free_run = 1;
                for (size_t q = i - 5; q < i - 1; q++)
                    free_run &= !s->lab[q] || s->lab[q] == AT_PHI_PRENOM;
                if (free_run) {
                    for (size_t q = i - 5; q < i - 1; q++)
                        s->lab[q] = 0;
                    mark(s, i - 5, i - 1, AT_PHI_PRENOM);
                }
            }
        }
    }
    /* "NOM Prénom": a known first name after a surname in capitals */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || i == 0 || k->nl || k->allcaps || !(k->lex & LEX_FIRST) ||
            s->lab[i - 1] != AT_PHI_NOM || !s->tok[i - 1].allcaps ||
            (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD)))
            continue;
        mark(s, i, i + 1, AT_PHI_PRENOM);
    }
    at_free(idx);
    return AT_OK;
}
