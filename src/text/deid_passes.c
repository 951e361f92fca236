/* The detection passes of the de-identifier, from the most to the least
 * certain. Each labels whole tokens through mark(), which refuses tokens
 * an earlier pass already took. */
#include "deid_scan.h"

static size_t tok_len(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* "2A" or "2B": the Corsican department inside a NIR written in groups. */
static int tok_corsica(const text_scan *s, size_t i)
{
    const char *p = s->t + s->tok[i].s;
    return tok_len(s, i) == 2 && p[0] == '2' && (p[1] == 'A' || p[1] == 'B' || p[1] == 'a' || p[1] == 'b');
}

static int is_connector(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_WORD && !s->tok[i].cap && (s->tok[i].dflags & DICT_CONNECT);
}

void deid_pass_email(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_AT]; q++) {
        size_t i = s->list[TEXT_LIST_AT][q];
        if (s->tok[i].kind != TOK_PUNCT || s->t[s->tok[i].s] != '@')
            continue;
        size_t a = text_scan_email_start(s->t, s->tok[i].s);
        size_t e = text_scan_email_end(s->t, s->len, s->tok[i].s);
        if (a >= s->tok[i].s || !e)
            continue;
        size_t j = i;
        while (j > 0 && s->tok[j - 1].s >= a)
            j--;
        mark(s, j, tok_end_index(s, i, e), AT_PHI_MAIL);
    }
}

static int zip_ok(const text_scan *s, size_t i)
{
    if (s->tok[i].kind != TOK_NUM || tok_len(s, i) != 5)
        return 0;
    int dep = (s->t[s->tok[i].s] - '0') * 10 + (s->t[s->tok[i].s + 1] - '0');
    return dep >= 1 && dep <= 98 && dep != 96;
}

/* A place name run from i: capitalised words and inner connectors. */
static size_t place_run(const text_scan *s, size_t i, size_t max)
{
    size_t j = i, last = i;
    /* (a wide gap, two spaces or a tab, ends it: "06110 Le Cannet    Tél") */
    while (j < s->n && j - i < max && !s->lab[j] && (j == i || !s->tok[j].nl) &&
           !(j > i && (s->tok[j].s - s->tok[j - 1].e >= 2 || s->t[s->tok[j - 1].e] == '\t'))) {
        if (is_name_word(s, j) && s->tok[j].special != TOK_SPECIAL_CEDEX) {
            j++;
            last = j;
        } else if ((is_connector(s, j) || is_punct(s, j, '\'')) && j > i) {
            j++;
        } else {
            break;
        }
    }
    return last;
}

void deid_town_after_zip(text_scan *s, size_t z)
{
    size_t r = place_run(s, z + 1, 6);
    if (r > z + 1)
        mark(s, z + 1, r, AT_PHI_VILLE);
}

/* Token i is a unit of a dose or a measure ("UI", "mg", "Gy"): a number
 * before it is a quantity, not a zip code. */
static int tok_unit(const text_scan *s, size_t i)
{
    static const char *const units[] = {"ui",  "mg",   "g",      "kg",  "ml",  "l",  "gy",  "ug",
                                        "mcg", "mmol", "umol",   "mui", "u",   "ua", "cgy", "mbq",
                                        "mm",  "cm",   "unites", "cp",  "gel", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (n > 6)
        return 0;
    char f[16];
    for (size_t j = 0; j < n; j++) {
        char c = s->t[k->s + j];
        f[j] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    for (const char *const *u = units; *u; u++)
        if ((*u)[0] == f[0] && strlen(*u) == n && !memcmp(*u, f, n))
            return 1;
    return 0;
}

/* "10/10", "8/10" after a word that announces no date ("HLA
 * géno-identique 10/10", "EVA 8/10", "vision 10/10"): a score out of
 * ten, not the tenth of October. */
static int score_of_ten(const text_scan *s, size_t i, int ymd)
{
    static const char *const date_cues[] = {"le",    "du",     "au",       "depuis", "des",  "et",
                                            "avant", "apres",  "jusqu'au", "vu",     "revu", "rdv",
                                            "prevu", "prevue", "ce",       NULL};
    /* (an Apgar's three scores out of ten: "Apgar 9/10/10") */
    if (i > 0 && !s->tok[i].nl && tok_is(s, i - 1, "apgar"))
        return 1;
    if (ymd / 10000 || ymd / 100 % 100 != 10 || ymd % 100 > 10 || i == 0 || s->tok[i].nl ||
        s->tok[i - 1].kind != TOK_WORD || tok_len(s, i - 1) > 40)
        return 0;
    char f[136];
    int fl = text_fold_word(s->t + s->tok[i - 1].s, tok_len(s, i - 1), f, sizeof f);
    for (const char *const *c = date_cues; fl > 0 && *c; c++)
        if (!strcmp(f, *c))
            return 0;
    return !(s->tok[i - 1].dflags & DICT_MONTH);
}

/* Number k can open a NIR: its 15 characters whole, or fewer before a
 * separator of its groups and a digit (a longer number, or a shorter one
 * glued to what follows, is none; a letter after a digit would be in k's
 * token; the Corsican 'A' or 'B' may follow a separator only after six
 * digits). */
static int nir_may_start(const text_scan *s, const text_tok *k)
{
    size_t n = k->e - k->s;
    if (n == 15)
        return 1;
    if (n > 15 || k->e + 1 >= s->len)
        return 0;
    char c = s->t[k->e], d = s->t[k->e + 1];
    return (c == ' ' || c == '.' || c == '-') && ((d >= '0' && d <= '9') || n == 6);
}

/* The character after number k is one of a numeric date's separators (a
 * date's first group is the whole number: none is found without one). */
static int date_sep_after(const text_scan *s, const text_tok *k)
{
    char c = k->e < s->len ? s->t[k->e] : 0;
    return c == '/' || c == '.' || c == '-';
}

/* Token i goes on a code glued before it by a dash: letters or digits,
 * '-', then it ("TUT-03-2021-0457" is a record's number, not a phone). */
static int code_tail(const text_scan *s, size_t i)
{
    return i >= 2 && is_punct(s, i - 1, '-') && s->tok[i - 1].e == s->tok[i].s &&
           s->tok[i - 2].e == s->tok[i - 1].s && s->tok[i - 2].kind != TOK_PUNCT;
}

/* Word token i, read by the OCR with digits for letters ("a11ée",
 * "qua1", "P1ace"), is a street's word with its letters back (1 as l,
 * then as i; 0 as o). */
static int ocr_street_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || !(k->aux & TOK_AUX_DIGIT) || n < 3 || n > 12)
        return 0;
    for (int one = 0; one < 2; one++) {
        char w[16];
        for (size_t q = 0; q < n; q++) {
            char c = s->t[k->s + q];
            w[q] = c == '1' ? (one ? 'i' : 'l') : c == '0' ? 'o' : c;
        }
        char f[32];
        int fl = at_text_fold(w, n, f, sizeof f);
        if (fl > 0 && (text_dict_get(&s->d->dict, f, (size_t)fl, NULL) & DICT_STREET))
            return 1;
    }
    return 0;
}

/* A postcode [i, z) and its town [z, r), and the place before it. */
static void zip_and_town(text_scan *s, size_t i, size_t z, size_t r)
{
    if (r > z && mark(s, i, z, AT_PHI_ZIP)) {
        mark(s, z, r, AT_PHI_VILLE);
        deid_place_before_zip(s, i);
    }
}

/* A street's word within five words before token i on its line ("route
 * de condat 15300 murat"). */
static int street_before(const text_scan *s, size_t i)
{
    for (size_t p = i, hop = 0; p > 0 && hop < 5 && !s->tok[p].nl; p--, hop++)
        if (s->tok[p - 1].kind == TOK_WORD && (s->tok[p - 1].dflags & DICT_STREET))
            return 1;
    return 0;
}

/* Number token i and the next are a postcode written with one space
 * after its department ("62 100"), a town's word after them on the line:
 * in capitals, of a list of places or of none; not a month, a unit ("35
 * 000 UI"), a currency ("15 000 EUR") nor a word with a digit (the OCR'd
 * NIR "1 81 12 62 193 O48 72"). */
static int spaced_zip(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (i + 2 >= s->n || k->e - k->s != 2 || (i > 0 && s->tok[i - 1].e == k->s))
        return 0;
    int dep = (s->t[k->s] - '0') * 10 + (s->t[k->s + 1] - '0');
    const text_tok *u = &s->tok[i + 1];
    return dep >= 1 && dep <= 98 && dep != 96 && u->kind == TOK_NUM && u->e - u->s == 3 && u->s == k->e + 1 &&
           s->t[k->e] == ' ' && !u->nl && !s->tok[i + 2].nl && is_name_word(s, i + 2) &&
           !(s->tok[i + 2].dflags & DICT_MONTH) && !tok_unit(s, i + 2) && s->tok[i + 2].s - u->e <= 2 &&
           !tok_has_digit(s, i + 2) && !tok_is(s, i + 2, "eur") &&
           (s->tok[i + 2].allcaps || (s->tok[i + 2].lex & (LEX_CITY | LEX_PLACE)) ||
            !(s->tok[i + 2].lex & (LEX_WORD | LEX_MED)));
}

/* The town in lower case after a postcode opening at token i, from word
 * z: a word of no list of the language's words (a word of the language
 * only after a street on the line), to the end of its line or clause
 * when joined ("12250 roquefort sur soulzon", "29 120 pont l abbe").
 * Its end, or 0. */
static size_t lower_town(const text_scan *s, size_t i, size_t z)
{
    if (z >= s->n || s->tok[z].nl || s->tok[z].kind != TOK_WORD || s->tok[z].cap || s->tok[z].allcaps ||
        tok_len(s, z) < 3 || tok_has_digit(s, z) ||
        !((s->t[s->tok[z].s] >= 'a' && s->t[s->tok[z].s] <= 'z') ||
          (unsigned char)s->t[s->tok[z].s] == 0xC3) ||
        ((s->tok[z].lex & (LEX_WORD | LEX_MED)) && !street_before(s, i)) ||
        (s->tok[z].dflags & (DICT_MONTH | DICT_CONNECT)) || (i > 0 && s->tok[i - 1].e == s->tok[i].s) ||
        s->tok[z].s != s->tok[z - 1].e + 1 || tok_unit(s, z))
        return 0;
    static const char *const joins[] = {"sur", "sous", "en",  "les",   "le",     "la", "de",  "du",
                                        "l",   "des",  "lez", "saint", "sainte", "st", "ste", NULL};
    size_t r = z + 1;
    /* (a first word that opens a name: "saint flour", "la ferté") */
    if (r < s->n && !s->tok[r].nl && tok_ascii_in(s, z, joins) && s->tok[r].kind == TOK_WORD &&
        !s->tok[r].cap && !s->tok[r].allcaps && !s->lab[r])
        r++;
    while (r + 1 < s->n && r - z < 6 && !s->tok[r].nl && !s->tok[r + 1].nl && !s->lab[r] &&
           tok_ascii_in(s, r, joins) && !s->tok[r].cap && s->tok[r + 1].kind == TOK_WORD &&
           !s->tok[r + 1].cap && !s->tok[r + 1].allcaps && !s->lab[r + 1])
        r += 2;
    int closes = r >= s->n || s->tok[r].nl || s->tok[r].kind == TOK_PUNCT;
    return closes ? r : z + 1;
}

/* Number token i and the next: a department's two digits, a space and
 * three digits ("29 860"), not inside a longer run of numbers. */
static int spaced_zip_digits(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (i + 2 >= s->n || k->e - k->s != 2 || (i > 0 && s->tok[i - 1].e == k->s) ||
        (i > 0 && !k->nl && s->tok[i - 1].kind == TOK_NUM))
        return 0;
    int dep = (s->t[k->s] - '0') * 10 + (s->t[k->s + 1] - '0');
    const text_tok *u = &s->tok[i + 1];
    return dep >= 1 && dep <= 95 && u->kind == TOK_NUM && u->e - u->s == 3 && u->s == k->e + 1 &&
           s->t[k->e] == ' ' && !u->nl && !s->lab[i + 1];
}

void deid_pass_numbers(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || !(k->kind == TOK_NUM || (k->kind == TOK_PUNCT && s->t[k->s] == '+')))
            continue;
        size_t e;
        int ymd;
        if ((k->kind != TOK_NUM || nir_may_start(s, k)) && (e = text_scan_nir(s->t, s->len, k->s))) {
            mark(s, i, tok_end_index(s, i, e), AT_PHI_SECU);
        } else if ((s->t[k->s] == '0' || s->t[k->s] == '+') && /* a phone's first character */
                   !code_tail(s, i) && (e = text_scan_phone_or_ocr(s->t, s->len, k->s))) {
            mark(s, i, tok_end_index(s, i, e), AT_PHI_TEL);
        } else if (k->kind == TOK_NUM && date_sep_after(s, k) &&
                   (e = text_scan_date_numeric(s->t, s->len, k->s, &ymd))) {
            size_t de = tok_end_index(s, i, e);
            /* (doses over a day before their unit: "Hydrocortisone 20-10-10
             * mg") */
            if (!score_of_ten(s, i, ymd) &&
                !(de < s->n && !s->tok[de].nl && s->tok[de].kind == TOK_WORD && tok_unit(s, de) &&
                  e - k->s <= 8 && (i == 0 || !tok_is(s, i - 1, "le"))))
                mark(s, i, de, AT_PHI_DATE);
        } else if (k->kind == TOK_NUM && zip_ok(s, i) && is_name_word(s, i + 1) && !s->tok[i + 1].nl &&
                   !(s->tok[i + 1].dflags & DICT_MONTH) && !tok_unit(s, i + 1) &&
                   !(i > 0 && s->tok[i - 1].e == k->s) && s->tok[i + 1].s - k->e <= 2) {
            /* not the tail of a code ("H25.01872"), nor a number and the
             * next cell of a table */
            zip_and_town(s, i, i + 1, place_run(s, i + 1, 6));
        } else if (k->kind == TOK_NUM && zip_ok(s, i) && (e = lower_town(s, i, i + 1))) {
            /* a dictated letter's postcode and town in lower case: "route
             * de condat 15300 murat" */
            zip_and_town(s, i, i + 1, e);
        } else if (k->kind == TOK_NUM && spaced_zip(s, i)) {
            /* a postcode written with a space after its department, then
             * its town: "62 100 CALAIS", "35 000 Rennes" */
            zip_and_town(s, i, i + 2, place_run(s, i + 2, 6));
        } else if (k->kind == TOK_NUM && spaced_zip_digits(s, i) && (e = lower_town(s, i, i + 2))) {
            /* the same in lower case: "12 impasse des ajoncs 29 860
             * plabennec", "lieu dit kerhuel 56 550 belz" */
            zip_and_town(s, i, i + 2, e);
        } else if (k->kind == TOK_NUM && tok_len(s, i) <= 4) {
            size_t j = i + 1;
            if (j < s->n && (tok_is(s, j, "bis") || tok_is(s, j, "ter")))
                j++;
            if (is_punct(s, j, ','))
                j++;
            /* ("7 pl/cm": an abbreviation before a slash is a unit's) */
            if (j < s->n && ((s->tok[j].dflags & DICT_STREET) || ocr_street_word(s, j)) && !s->tok[j].nl &&
                !(tok_len(s, j) <= 3 && j + 1 < s->n && !is_punct(s, j + 1, '.') &&
                  s->tok[j + 1].kind == TOK_PUNCT && s->tok[j + 1].s == s->tok[j].e)) {
                size_t r = j + 1;
                /* "19 av. de la République": an abbreviation's dot */
                if (is_punct(s, r, '.') && s->tok[r].s == s->tok[j].e && tok_len(s, j) <= 4 && r + 1 < s->n &&
                    !s->tok[r + 1].nl && s->tok[r + 1].kind == TOK_WORD)
                    r++;
                while (
                    r < s->n && r - j < 9 && !s->tok[r].nl && s->tok[r].kind != TOK_NUM &&
                    !tok_is(s, r, "\xC3\xA0") && /* "12 hent Koz à Plouvien": the street stops at "à" */
                    !(s->tok[r].kind == TOK_PUNCT && s->t[s->tok[r].s] != '\'' && s->t[s->tok[r].s] != '-') &&
                    !(is_punct(s, r, '-') && s->tok[r].s != s->tok[r - 1].e)) /* " - 63000 ..." */
                    r++;
                mark(s, i, r, AT_PHI_ADRESSE);
            }
        }
    }
}

void deid_pass_labelled_ids(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t i = s->list[TEXT_LIST_FLAG][q];
        if (!(s->tok[i].dflags & DICT_IDLABEL) || s->tok[i].kind != TOK_WORD)
            continue;
        int label = s->tok[i].dval;
        size_t j = i + 1;
        while (j < s->n && j - i <= 7 && !s->tok[j].nl &&
               (s->tok[j].kind == TOK_PUNCT || (s->tok[j].kind == TOK_WORD && !tok_has_digit(s, j) &&
                                                tok_len(s, j) <= 9 && !s->tok[j].allcaps)))
            j++;
        if (j >= s->n || s->tok[j].nl || !tok_has_digit(s, j) || s->lab[j])
            continue;
        /* the whole code, glued by '-', '/' or '.' ("NDA 25-008812") */
        size_t r = j + 1;
        while (r + 1 < s->n && s->tok[r].s == s->tok[r - 1].e && !s->tok[r].nl &&
               (is_punct(s, r, '-') || is_punct(s, r, '/') || is_punct(s, r, '.')) &&
               s->tok[r + 1].s == s->tok[r].e && s->tok[r + 1].kind != TOK_PUNCT && !s->lab[r + 1])
            r += 2;
        int groups = label == AT_PHI_SECU || label == AT_PHI_RPPS || label == AT_PHI_FINESS;
        while (groups && r < s->n && !s->tok[r].nl && s->tok[r].s == s->tok[r - 1].e + 1 &&
               s->t[s->tok[r].s - 1] == ' ' && r - j < 8 &&
               (s->tok[r].kind == TOK_NUM || (label == AT_PHI_SECU && tok_corsica(s, r))))
            r++;
        /* the label's shape: a NIR has 13 digits or more, RPPS, ADELI and
         * FINESS numbers 8 or more, record numbers 4 or more ("sécurité
         * sociale du 30 janvier" holds no NIR) */
        size_t digits = 0;
        for (size_t q = j; q < r; q++)
            for (uint32_t b = s->tok[q].s; b < s->tok[q].e; b++)
                digits += s->t[b] >= '0' && s->t[b] <= '9';
        size_t need = label == AT_PHI_SECU ? 13 : groups ? 8 : 3;
        if (digits >= need)
            mark(s, j, r, label);
    }
}

void deid_pass_text_dates(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (i + 1 >= s->n)
            continue;
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
        int day = 0;
        if (k->kind == TOK_NUM && tok_len(s, i) <= 2) {
            day = atoi_n(s->t + k->s, tok_len(s, i));
        } else if (tok_is(s, i, "1er")) {
            day = 1;
        }
        if (day >= 1 && day <= 31 && (s->tok[i + 1].dflags & DICT_MONTH)) {
            /* "12 janv. 2024": the dot of an abbreviation with the year after
             * it; "Le 1er mars." keeps its full stop */
            size_t j = i + 2, y = is_punct(s, j, '.') ? j + 1 : j;
            if (y < s->n && s->tok[y].kind == TOK_NUM && tok_len(s, y) == 4)
                j = y + 1;
            mark(s, i, j, AT_PHI_DATE);
        } else if ((k->dflags & DICT_MONTH) && k->kind == TOK_WORD && s->tok[i + 1].kind == TOK_NUM &&
                   tok_len(s, i + 1) == 4 && !s->tok[i + 1].nl) {
            mark(s, i, i + 2, AT_PHI_DATE);
        }
    }
}

void deid_pass_hospitals(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t i = s->list[TEXT_LIST_FLAG][q];
        if (!(s->tok[i].dflags & DICT_HOSP) || s->lab[i])
            continue;
        if (!s->tok[i].cap) {
            /* in lower case, its name right after it: "laboratoire
             * Cerballiance Rennes Sud", "clinique Pasteur-Lanroze"; not a
             * letter alone ("groupe A Rh+", "groupe O+", GOLD's "groupe E") */
            size_t j = i + 1;
            if (j < s->n && !s->tok[j].nl && s->tok[j].kind == TOK_WORD &&
                (s->tok[j].e - s->tok[j].s == 1 || tok_is(s, j, "ab")))
                continue;
            while (j < s->n && j - i <= 4 && !s->tok[j].nl && is_name_word(s, j) && !s->lab[j] &&
                   !(s->tok[j].dflags & (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_ROLE | DICT_FIELD)) &&
                   !(s->tok[j].lex & (LEX_MED | LEX_EPONYM)))
                j++;
            if (j > i + 1)
                mark(s, i + 1, j, AT_PHI_HOPITAL);
            continue;
        }
        size_t j = i + 1;
        /* a blood group ("Groupe A Rh+", "groupe O négatif", "Groupe AB") */
        if (tok_is(s, i, "groupe") && j < s->n && !s->tok[j].nl && s->tok[j].kind == TOK_WORD &&
            (tok_is(s, j, "a") || tok_is(s, j, "b") || tok_is(s, j, "ab") || tok_is(s, j, "o")) &&
            s->tok[j].allcaps + (s->tok[j].e - s->tok[j].s == 1 && s->tok[j].cap))
            continue;
        int qual = 0;
        while (j < s->n && !s->tok[j].nl && (s->tok[j].dflags & DICT_HOSPQUAL)) {
            j++;
            qual = 1;
        }
        if (tok_is(s, j, "de") && tok_is(s, j + 1, "lutte") && tok_is(s, j + 2, "contre") &&
            tok_is(s, j + 3, "le") && tok_is(s, j + 4, "cancer")) {
            j += 5;
            qual = 1;
        } else if (j + 3 < s->n && (tok_is(s, j, "de") || tok_elided_d(s, j)) && !s->tok[j + 1].nl &&
                   s->tok[j + 1].kind == TOK_WORD && !s->tok[j + 1].cap &&
                   !(s->tok[j + 1].dflags & DICT_CONNECT)) {
            /* a specialty in lower case, then the place: "Institut de
             * cancérologie du Finistère", "Centre d'imagerie de Quimper" */
            size_t q = j + 1;
            while (q < s->n && q - j <= 3 && !s->tok[q].nl && s->tok[q].kind == TOK_WORD && !s->tok[q].cap &&
                   !(s->tok[q].dflags & DICT_CONNECT))
                q++;
            size_t c = q;
            while (c < s->n && c - q < 3 && !s->tok[c].nl && (is_connector(s, c) || is_punct(s, c, '\'')))
                c++;
            if (c < s->n && !s->tok[c].nl && is_name_word(s, c) && !(s->tok[c].dflags & DICT_TITLE))
                j = c; /* "Centre de radiothérapie de Quimper", "... Saint-Yves" */
        }
        int names = 0;
        for (;;) {
            if (j < s->n && !s->tok[j].nl && is_name_word(s, j) && !s->lab[j] &&
                !(s->tok[j].dflags & DICT_TITLE) && !(is_punct(s, j + 1, ':'))) {
                /* a word that describes without naming ("Institut National
                 * du Cancer") names nothing by itself */
                /* (nor does a connector in capitals: "HOPITAL DE JOUR") */
                names += !(s->tok[j].dflags & (DICT_DESCR | DICT_CONNECT)) ||
                         (s->tok[j].lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY));
                j++;
            } else if (j + 1 < s->n && !s->tok[j].nl && (is_connector(s, j) || is_punct(s, j, '\''))) {
                size_t q = j;
                while (q < s->n && q - j < 4 && !s->tok[q].nl && (is_connector(s, q) || is_punct(s, q, '\'')))
                    q++;
                if (q >= s->n || s->tok[q].nl || !is_name_word(s, q) || (s->tok[q].dflags & DICT_TITLE))
                    break;
                j = q;
            } else {
                break;
            }
        }
        size_t end = j;
        while (j > i + 1 && (is_connector(s, j - 1) || is_punct(s, j - 1, '\'')))
            j--;
        if (names || (qual && !tok_is(s, i, "centre"))) {
            mark(s, i, j, AT_PHI_HOPITAL);
        } else if (end < s->n && s->lab[end] == AT_PHI_HOPITAL && !s->tok[end].nl) {
            /* the head and its describing words before an establishment
             * another pass found ("CENTRE D'IMAGERIE MÉDICALE DES X",
             * "EHPAD LA MAISON DES X"): one establishment */
            for (size_t q = i; q < end; q++) {
                s->lab[q] = AT_PHI_HOPITAL;
                s->ent[q] = s->ent[end];
            }
        }
    }
}

/* The words of tokens [a, e) are a commune's of the lists or no word of
 * the language nor of care (connectors and dashes between them aside). */
static int place_words(const text_scan *s, size_t a, size_t e)
{
    for (size_t i = a; i < e; i++) {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || is_connector(s, i))
            continue;
        if (!(k->lex & LEX_CITY) &&
            ((k->lex & (LEX_WORD | LEX_MED | LEX_KIN | LEX_ORG | LEX_STREET | LEX_FIRST | LEX_LAST)) ||
             (k->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE | DICT_HOSP | DICT_MONTH | DICT_IDLABEL))))
            return 0;
    }
    return 1;
}

/* Token i stands where a town does (see deid_pass_cities). */
static int town_stands(const text_scan *s, size_t i)
{
    const text_tok *p = &s->tok[i - 1];
    if (tok_has_digit(s, i)) /* ("à M6": the sixth month) */
        return 0;
    if (tok_is(s, i - 1, "\xC3\xA0") || tok_is(s, i - 1, "depuis"))
        return !p->cap && !p->allcaps;
    if (i >= 2 && tok_is(s, i - 1, "de") && tok_is(s, i - 2, "pr\xC3\xA8s"))
        return 1;
    if (is_punct(s, i - 1, '(') && i + 2 < s->n) {
        /* with a district or a postcode after it ("15e", "1er", "1205";
         * not a score's grade, "Deauville 2", "Lugano 2014") */
        const text_tok *d = &s->tok[i + 1];
        size_t dl = d->e - d->s, j = i + 2;
        int district = d->kind == TOK_NUM && dl <= 2 && s->tok[j].kind == TOK_WORD && s->tok[j].s == d->e &&
                       (tok_is(s, j, "e") || tok_is(s, j, "er") || tok_is(s, j, "eme"));
        /* (or one token: "15e") */
        int glued = dl >= 2 && dl <= 4 && (unsigned)(s->t[d->s] - '0') < 10u &&
                    (s->t[d->e - 1] == 'e' || (s->t[d->e - 2] == 'e' && s->t[d->e - 1] == 'r'));
        int postcode = d->kind == TOK_NUM && (dl == 4 || dl == 5);
        if (district)
            j++; /* (past its letters) */
        return (district || glued ||
                (postcode && !(s->t[d->s] == '1' && s->t[d->s + 1] == '9') &&
                 !(s->t[d->s] == '2' && s->t[d->s + 1] == '0' && dl == 4))) &&
               j < s->n && is_punct(s, j, ')');
    }
    if (i >= 2 && (is_punct(s, i - 1, ',') || is_punct(s, i - 1, '-')) && s->lab[i - 2] == AT_PHI_HOPITAL)
        return 1;
    return 0;
}

void deid_pass_cities(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        if (s->lab[i])
            continue;
        const text_tok *k = &s->tok[i];
        /* letterhead "Rennes, le 12 mars 2024" */
        if (is_name_word(s, i) && k->nl && !(k->dflags & DICT_TITLE)) {
            /* (the run ends at most four tokens on: a date two tokens
             * after one of those ends, or no run is looked at) */
            int dated = 0;
            for (size_t r = i + 1; r <= i + 4 && r + 1 < s->n && !dated; r++)
                dated = s->lab[r + 1] == AT_PHI_DATE || (r + 2 < s->n && s->lab[r + 2] == AT_PHI_DATE);
            /* a commune of the lists alone on its line (a letterhead's
             * town, "Unité d'endoscopie⏎Rennes⏎") */
            if (!dated && (k->dflags & DICT_CITY) && !(k->dflags & (DICT_FIRST | DICT_LAST)) &&
                (i + 1 >= s->n || s->tok[i + 1].nl))
                mark(s, i, i + 1, AT_PHI_VILLE);
            if (!dated)
                continue;
            size_t r = place_run(s, i, 4);
            if (r > i && is_punct(s, r, ',') && tok_is(s, r + 1, "le") && r + 2 < s->n &&
                s->lab[r + 2] == AT_PHI_DATE)
                mark(s, i, r, AT_PHI_VILLE);
            /* without its comma ("Bordeaux le 2 décembre 2026") when its
             * words are a town's or no word of the language ("Vu le 3
             * mars", "Opéré le ..." are participles) */
            else if (r > i && tok_is(s, r, "le") && !s->tok[r].cap && r + 1 < s->n &&
                     s->lab[r + 1] == AT_PHI_DATE && place_words(s, i, r))
                mark(s, i, r, AT_PHI_VILLE);
            continue;
        }
        /* "à Brest" after a birth or residence word, or a known commune */
        if (k->kind == TOK_WORD && tok_len(s, i) == 2 && (unsigned char)s->t[k->s] == 0xC3 &&
            (unsigned char)s->t[k->s + 1] == 0xA0 && is_name_word(s, i + 1) && !s->lab[i + 1]) {
            int ctx = (s->tok[i + 1].dflags & DICT_CITY) != 0;
            for (size_t b = i; b > 0 && i - b < 12 && !ctx; b--)
                ctx = (s->tok[b - 1].dflags & (DICT_BIRTH | DICT_RESID)) != 0;
            if (ctx && !(s->tok[i + 1].dflags & (DICT_HOSP | DICT_TITLE))) {
                size_t r = place_run(s, i + 1, 5);
                mark(s, i + 1, r, AT_PHI_VILLE);
            }
            continue;
        }
        if (is_name_word(s, i) && is_name_word(s, i + 1) && !s->tok[i + 1].nl && !s->lab[i + 1] &&
            (k->dflags & DICT_PARTICLE) && s->tok[i + 1].e - k->s < 60) {
            char f[256];
            int fl = at_text_fold(s->t + k->s, s->tok[i + 1].e - k->s, f, sizeof f);
            if (fl > 0 && (text_dict_get(&s->d->dict, f, (size_t)fl, NULL) & DICT_CITY)) {
                mark(s, i, i + 2, AT_PHI_VILLE);
                continue;
            }
        }
        /* "habite Rennes", "domiciliée Saint-Lunaire": a residence word
         * without "à" (not a letter: "vit D 18", "Vit B12", the vitamin) */
        if (is_name_word(s, i) && i >= 1 && (s->tok[i - 1].dflags & DICT_RESID) && !k->nl &&
            tok_len(s, i) >= 2 && !tok_has_digit(s, i) &&
            !(k->dflags & (DICT_HOSP | DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD))) {
            size_t r = place_run(s, i, 5);
            if (mark(s, i, r, AT_PHI_VILLE))
                continue;
        }
        if (is_name_word(s, i) && i >= 2 && is_punct(s, i - 1, ',') &&
            (s->lab[i - 2] == AT_PHI_NOM || s->lab[i - 2] == AT_PHI_PRENOM)) {
            size_t r = place_run(s, i, 5);
            int eol = r >= s->n || s->tok[r].nl;
            if ((k->dflags & DICT_CITY) ||
                (eol && !(k->dflags & (DICT_ROLE | DICT_FIELD | DICT_COMMON | DICT_HOSP | DICT_TITLE)))) {
                mark(s, i, r, AT_PHI_VILLE);
                continue;
            }
        }
        /* a known commune, save in a classification's name
         * ("classification de Lyon", "critères de Milan") */
        static const char *const classifying[] = {"classification", "criteres", "critere", "score",
                                                  "stade",          "grade",    "echelle", "consensus",
                                                  "index",          "indice",   NULL};
        /* a town that also names a score or a rule (Genève, Ottawa,
         * Lugano): a town after "à", or after "de" of a coming from
         * ("fille à Genève", "vient de Genève"; but "score de Genève
         * révisé", "grade de Nottingham") */
        static const char *const from[] = {"vient",   "venant",  "venu",    "venue",   "originaire", "retour",
                                           "rentre",  "rentree", "arrive",  "arrivee", "parti",      "partie",
                                           "revient", "revenu",  "revenue", NULL};
        if (k->cap && (k->dflags & DICT_EPONYM) && (k->lex & LEX_PLACE) && i >= 1 && !s->tok[i].nl &&
            (tok_is(s, i - 1, "à") ||
             ((tok_is(s, i - 1, "de") || tok_elided_d(s, i - 1)) && deid_tok_in(s, i - 2, from)))) {
            mark(s, i, i + 1, AT_PHI_VILLE);
            continue;
        }
        if (is_name_word(s, i) && (k->dflags & DICT_CITY) &&
            !(k->dflags & (DICT_COMMON | DICT_FIRST | DICT_LAST)) &&
            !(i >= 2 && (tok_is(s, i - 1, "de") || tok_is(s, i - 1, "du")) && !k->nl &&
              deid_tok_in(s, i - 2, classifying)))
            mark(s, i, i + 1, AT_PHI_VILLE);
    }
}

/* Token i, after "du" or "au", is a town whose name opens with "Le"
 * ("CPAM du Havre", "au Mans", "du Puy"): "le" and the word are a town of
 * the lists. */
static int article_town(const text_scan *s, size_t i)
{
    char w[64], f[80];
    size_t n = s->tok[i].e - s->tok[i].s;
    if (n < 3 || n + 3 > sizeof w)
        return 0;
    memcpy(w, "le ", 3);
    memcpy(w + 3, s->t + s->tok[i].s, n);
    int fl = text_lexicon_fold(w, n + 3, f, sizeof f);
    return fl > 0 && (text_lexicon_get(&s->d->lex, f, (size_t)fl) & LEX_CITY);
}

/* Token i is a commune's compound by its writing: capitalised, a town's
 * connector between hyphens ("Roche-sur-Foron", "Saint-Rémy-lès-
 * Chevreuse", "Neuilly-en-Thelle"). */
static int commune_compound(const text_scan *s, size_t i)
{
    static const char *const joins[] = {"-sur-", "-sous-", "-en-", "-l\303\250s-", "-lez-", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (!k->cap || k->allcaps || n < 8)
        return 0;
    for (const char *const *j = joins; *j; j++)
        if (memmem(s->t + k->s, n, *j, strlen(*j)))
            return 1;
    return 0;
}

/* An address the tagger read that is only a commune's compound and its
 * article ("domicile, La Roche-sur-Foron"): no number, no street's word. */
static void compound_town(text_scan *s, size_t i)
{
    size_t a = i, e = i + 1;
    while (a > 0 && s->lab[a - 1] == AT_PHI_ADRESSE && s->ent[a - 1] == s->ent[i])
        a--;
    while (e < s->n && s->lab[e] == AT_PHI_ADRESSE && s->ent[e] == s->ent[i])
        e++;
    for (size_t q = a; q < e; q++)
        if (q != i && (s->tok[q].kind != TOK_WORD || !(s->tok[q].dflags & DICT_PARTICLE)))
            return;
    deid_relabel(s, a, e, AT_PHI_VILLE);
}

/* A town of the language's proper nouns of place (Amsterdam, Genève,
 * Dublin: hunspell's, not the lists' communes) where a town stands, after
 * the tagger (it reads the establishments found): after "à", "depuis" or
 * "près de" ("vers Eclipse" is a planning system), alone in brackets with
 * its district or postcode ("(Paris 15e)"), after an establishment and its
 * comma ("St James's Hospital, Dublin"). An address the tagger read that
 * is only a commune's compound is a town. */
void deid_pass_towns_late(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] == AT_PHI_ADRESSE && commune_compound(s, i)) {
            compound_town(s, i);
            continue;
        }
        if (!s->lab[i] && k->cap && !k->allcaps && i >= 1 && !k->nl &&
            (tok_is(s, i - 1, "du") || tok_is(s, i - 1, "au")) && article_town(s, i)) {
            mark(s, i, i + 1, AT_PHI_VILLE);
            continue;
        }
        if (!s->lab[i] && is_name_word(s, i) && (k->lex & LEX_PLACE) && !k->nl && i >= 1 &&
            !(k->aux & TOK_AUX_SENT) &&
            !(k->dflags & (DICT_HOSP | DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_STREET)) &&
            town_stands(s, i))
            mark(s, i, i + 1, AT_PHI_VILLE);
    }
}

int deid_eponym_context(const text_scan *s, size_t i)
{
    if (s->tok[i].dflags & DICT_EPONYM)
        return 1;
    /* a later part of an eponym of several words ("maladie de Von
     * Hippel-Lindau", "signe de Claude Bernard-Horner", "syndrome de
     * Miller Fisher"): back over up to three capitalised words and dashes
     * to its first, on the line */
    size_t f = i;
    for (size_t hop = 0; f > 0 && hop < 4 && !s->tok[f].nl && (s->tok[f].cap || s->tok[f].allcaps); hop++) {
        const text_tok *p = &s->tok[f - 1];
        if (p->kind == TOK_WORD && (p->cap || p->allcaps) && !(p->dflags & (DICT_TITLE | DICT_ROLE)))
            f--;
        else if (is_punct(s, f - 1, '-') && f >= 2 && p->s == s->tok[f - 2].e && p->e == s->tok[f].s &&
                 (s->tok[f - 2].cap || s->tok[f - 2].allcaps))
            f -= 2;
        else
            break;
    }
    /* (only in the "maladie de X Y" form: "selon Pierre Martin" is a person) */
    if (f != i && (s->tok[f].cap || s->tok[f].allcaps) && f >= 2 && !s->tok[f].nl &&
        (tok_is(s, f - 1, "de") || tok_is(s, f - 1, "du") || tok_elided_d(s, f - 1)) &&
        (s->tok[f - 2].dflags & DICT_EPOTRIG))
        return 1;
    /* the trigger is one of the three tokens before i: most words leave here */
    unsigned before = 0;
    for (size_t b = i > 3 ? i - 3 : 0; b < i; b++)
        before |= s->tok[b].dflags;
    if (!(before & DICT_EPOTRIG))
        return 0;
    size_t j = i;
    if (j >= 1 && (tok_is(s, j - 1, "de") || tok_elided_d(s, j - 1) || tok_is(s, j - 1, "du")))
        j--;
    else if (j >= 2 && is_punct(s, j - 1, '\'') && tok_is(s, j - 2, "d"))
        j -= 2;
    else if (!(s->tok[i].cap || s->tok[i].allcaps) || s->tok[i].nl)
        return 0; /* "score Eisinger", "selon Hasson", "salle Laennec": the word right after */
    else if ((s->tok[i].lex & LEX_FIRST) && i + 1 < s->n && !s->tok[i + 1].nl &&
             s->tok[i + 1].kind == TOK_WORD && (s->tok[i + 1].cap || s->tok[i + 1].allcaps) &&
             (!(s->tok[i + 1].lex & (LEX_MED | LEX_WORD)) || (s->tok[i + 1].lex & LEX_LAST)))
        return 0; /* a first name and a surname after it: "selon Pierre Martin" is a person */
    return j >= 1 && (s->tok[j - 1].dflags & DICT_EPOTRIG) && !s->tok[j].nl;
}
