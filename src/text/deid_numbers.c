/* Numbers under the allow-list's principle: a number the earlier passes
 * left is an identifier unless its shape and context explain it. Years
 * alone ("depuis 2019", "(1991)", "été 2020") are dates unless a unit or
 * a count follows them or a classification, a code or a vocabulary word
 * names them ("TNM 2017", "OMS 2016", "PNN 1950"); a day before "au" and a
 * date is a date ("du 14 au 15/02"); three or more groups of digits
 * separated by single spaces ("2502 8811 0937") are a record number. */
#include "deid_scan.h"

#include <stdlib.h>
#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

static int fold_is(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || tl(s, i) > 40)
        return 0;
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, tl(s, i), f, sizeof f);
    if (fl <= 0)
        return 0;
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, (size_t)fl) && (*set)[fl] == 0)
            return 1;
    return 0;
}

/* Units, counts and quantities that a number before them measures. */
static const char *const measures[] = {"mg",        "g",          "kg",        "ug",           "mcg",
                                       "ml",        "l",          "dl",        "cl",           "ui",
                                       "u",         "ua",         "mui",       "gy",           "cgy",
                                       "mgy",       "mbq",        "mmol",      "umol",         "nmol",
                                       "pmol",      "mmhg",       "cm",        "mm",           "m",
                                       "km",        "kcal",       "cal",       "ng",           "pg",
                                       "mosm",      "meq",        "patients",  "patientes",    "cas",
                                       "malades",   "sujets",     "personnes", "fois",         "jours",
                                       "j",         "mois",       "ans",       "an",           "semaines",
                                       "heures",    "h",          "min",       "minutes",      "secondes",
                                       "s",         "cycles",     "cures",     "seances",      "fractions",
                                       "comprimes", "cp",         "gelules",   "unites",       "doses",
                                       "prises",    "pas",        "metres",    "euros",        "eur",
                                       "cellules",  "plaquettes", "globules",  "copies",       "lits",
                                       "places",    "habitants",  "kg/m2",     "mg/m2",        "g/l",
                                       "mg/l",      "ml/min",     "points",    "participants", "inclus",
                                       "dossiers",  NULL};

/* Words before a number that make it a value, a code or a version:
 * never a date. */
static const char *const not_date_before[] = {"n",
                                              "no",
                                              "numero",
                                              "num",
                                              "lot",
                                              "code",
                                              "version",
                                              "v",
                                              "chambre",
                                              "bureau",
                                              "poste",
                                              "bip",
                                              "dect",
                                              "ref",
                                              "reference",
                                              "protocole",
                                              "essai",
                                              "etude",
                                              "classification",
                                              "edition",
                                              "ed",
                                              "criteres",
                                              "recommandations",
                                              "score",
                                              "taux",
                                              "dosage",
                                              "valeur",
                                              "poids",
                                              "total",
                                              "environ",
                                              "plus",
                                              "moins",
                                              "superieur",
                                              "inferieur",
                                              "x",
                                              NULL};

/* Words before a year that belong to the date: "été 2020", "fin 2019". */
static const char *const year_lead[] = {"ete", "hiver",   "printemps", "automne", "fin",     "debut",
                                        "mi",  "courant", "noel",      "paques",  "rentree", NULL};

/* A number measured by the token after it (same line): a unit, a count,
 * '%'. */
static int measured(const text_scan *s, size_t i)
{
    size_t j = i + 1;
    if (j >= s->n || s->tok[j].nl)
        return 0;
    if (s->tok[j].kind == TOK_PUNCT)
        return s->t[s->tok[j].s] == '%' || (unsigned char)s->t[s->tok[j].s] == 0xC2 /* ° */;
    return fold_is(s, j, measures);
}

static int is_year(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_NUM || tl(s, i) != 4)
        return 0;
    int v = atoi_n(s->t + s->tok[i].s, 4);
    return v >= 1900 && v <= 2099;
}

/* A year alone at token i: a date unless explained. */
static void year_at(text_scan *s, size_t i)
{
    if (s->lab[i] || !is_year(s, i))
        return;
    const text_tok *k = &s->tok[i];
    /* glued before: part of a code or a number ("A2019", "12.2019" taken
     * by the dates), save an opening parenthesis or a range's dash */
    int range = 0;
    if (i > 0 && s->tok[i - 1].e == k->s) {
        if (is_punct(s, i - 1, '-') && i >= 2 && s->tok[i - 2].e == s->tok[i - 1].s &&
            s->lab[i - 2] == AT_PHI_DATE && is_year(s, i - 2))
            range = 1; /* "1987-1998" */
        else if (!is_punct(s, i - 1, '(') && !is_punct(s, i - 1, '['))
            return;
    }
    /* glued after: a code ("2017-01", "2019a"), save a range to a year and
     * closing punctuation */
    if (i + 1 < s->n && s->tok[i + 1].s == k->e && !s->tok[i + 1].nl) {
        const text_tok *u = &s->tok[i + 1];
        char c = s->t[u->s];
        int closing =
            u->kind == TOK_PUNCT &&
            (c == ')' || c == ']' || c == ',' || c == ';' || c == ':' ||
             (c == '.' && !(i + 2 < s->n && s->tok[i + 2].s == u->e && s->tok[i + 2].kind == TOK_NUM)));
        int to_year = is_punct(s, i + 1, '-') && i + 2 < s->n && s->tok[i + 2].s == u->e && is_year(s, i + 2);
        if (!closing && !to_year)
            return;
    }
    if (measured(s, i))
        return;
    size_t a = i;
    if (!range && i > 0 && !k->nl) {
        const text_tok *p = &s->tok[i - 1];
        if (p->kind == TOK_NUM)
            return; /* "1 950" */
        if (p->kind == TOK_WORD) {
            if (p->allcaps || (p->cap && p->e - p->s <= 3 && !(p->lex & LEX_WORD)))
                return; /* "TNM 2017", "OMS 2016", "ESMO 2023" */
            /* a reference's or a product's edition: a word with a capital
             * inside ("iwCLL 2018", "OncoNormandie 2025"), none of a name
             * or a place */
            if (tok_inner_capital(s, i - 1) && !(p->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) &&
                !s->lab[i - 1])
                return;
            if ((p->lex & LEX_MED) && (!(p->lex & (LEX_WORD | LEX_KIN)) || p->e - p->s <= 5))
                return; /* "PNN 1950", "l'oms 2021" */
            if (fold_is(s, i - 1, not_date_before))
                return;
            if (fold_is(s, i - 1, year_lead) && !s->lab[i - 1])
                a = i - 1;
        }
    }
    /* "née en 1935": a birth date */
    int birth = 0;
    for (size_t b = a; b > 0 && a - b < 4 && !birth; b--) {
        birth = (s->tok[b - 1].dflags & DICT_BIRTH) != 0;
        if (s->tok[b - 1].nl)
            break;
    }
    mark(s, a, i + 1, birth ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

/* "du 14 au 15/02", "les 3 et 4 mars": a day before a date. */
static void day_before_date(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (s->lab[i] || k->kind != TOK_NUM || tl(s, i) > 2 || i + 2 >= s->n || s->tok[i + 1].nl ||
        s->tok[i + 2].nl)
        return;
    int d = atoi_n(s->t + k->s, tl(s, i));
    if (d < 1 || d > 31)
        return;
    static const char *const links[] = {"au", "et", "a", NULL};
    if (!(fold_is(s, i + 1, links) || is_punct(s, i + 1, '-')) || s->lab[i + 2] != AT_PHI_DATE ||
        s->tok[i + 2].kind != TOK_NUM)
        return;
    mark(s, i, i + 1, AT_PHI_DATE);
    /* and the days listed before it: "les 20, 23, 27 et 30/10" (a list
     * ends in "et"; not "Linac 2, 29-30/09") */
    for (size_t q = i;
         tok_is(s, i + 1, "et") && q >= 2 && is_punct(s, q - 1, ',') && !s->tok[q].nl && !s->tok[q - 1].nl;
         q -= 2) {
        size_t p = q - 2;
        int v = s->tok[p].kind == TOK_NUM && tl(s, p) <= 2 && !s->lab[p]
                    ? atoi_n(s->t + s->tok[p].s, tl(s, p))
                    : 0;
        if (v < 1 || v > 31 || (p > 0 && s->tok[p - 1].e == s->tok[p].s))
            break;
        mark(s, p, p + 1, AT_PHI_DATE);
    }
}

/* Three or more groups of two to four digits separated by single spaces,
 * nine digits or more, with no unit after: a record number. */
static void digit_groups(text_scan *s, size_t i)
{
    if (s->lab[i] || tl(s, i) < 2 || tl(s, i) > 4 || (i > 0 && s->tok[i - 1].e == s->tok[i].s))
        return;
    size_t r = i + 1, digits = tl(s, i);
    while (r < s->n && !s->tok[r].nl && s->tok[r].kind == TOK_NUM && !s->lab[r] && tl(s, r) >= 2 &&
           tl(s, r) <= 5 && s->tok[r].s == s->tok[r - 1].e + 1 && s->t[s->tok[r].s - 1] == ' ') {
        digits += tl(s, r);
        r++;
    }
    if (r - i < 3 || digits < 9 || measured(s, r - 1) ||
        (r < s->n && s->tok[r].s == s->tok[r - 1].e && s->tok[r].kind != TOK_PUNCT))
        return;
    /* numbers that count up or down by one: a dental chart's teeth ("18
     * 17 16 15 14 13 12 11"), a scale's boxes */
    int step = 0, counts = 1;
    for (size_t q = i + 1; q < r && counts; q++) {
        int d = atoi_n(s->t + s->tok[q].s, tl(s, q)) - atoi_n(s->t + s->tok[q - 1].s, tl(s, q - 1));
        counts = (d == 1 || d == -1) && (!step || d == step);
        step = d;
    }
    if (counts)
        return;
    mark(s, i, r, AT_PHI_ID);
}

/* A month alone after "en", "début", "fin", "mi-", "depuis", "courant"
 * ("prochain scanner en septembre"): a date. */
static void month_alone(text_scan *s, size_t i)
{
    static const char *const cues[] = {"en",  "debut",    "fin", "mi",   "depuis", "courant",
                                       "des", "jusqu'en", "d'",  "mois", NULL};
    if (s->lab[i])
        return;
    /* two months joined, a span of time: "avril-mai", "mai à juillet 2022" */
    static const char *const links[] = {"a", "au", "et", NULL};
    for (int side = -1; side <= 1; side += 2) {
        if ((side < 0 && i < 2) || (side > 0 && i + 2 >= s->n))
            continue;
        size_t l = side < 0 ? i - 1 : i + 1, o = side < 0 ? i - 2 : i + 2;
        if (s->tok[l].nl || s->tok[o].nl || (side > 0 ? s->tok[l].nl : s->tok[i].nl) ||
            s->tok[o].kind != TOK_WORD || !(s->tok[o].dflags & DICT_MONTH))
            continue;
        int dash = is_punct(s, l, '-') && s->tok[l].s == s->tok[l - 1].e && s->tok[l + 1].s == s->tok[l].e;
        if (dash || fold_is(s, l, links)) {
            mark(s, i, i + 1, AT_PHI_DATE);
            return;
        }
    }
    if (i == 0 || s->tok[i].nl || s->lab[i - 1] || !fold_is(s, i - 1, cues))
        return;
    mark(s, i, i + 1, AT_PHI_DATE);
}

/* A street number written with a letter ("14a rue", "3B avenue") or with
 * the OCR's letters for digits ("l2 avenue"), before a street word. */
static void street_number_word(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = tl(s, i);
    if (s->lab[i] || k->kind != TOK_WORD || n > 5 || i + 1 >= s->n || s->tok[i + 1].nl ||
        !(s->tok[i + 1].dflags & DICT_STREET))
        return;
    const char *t = s->t + k->s;
    size_t digits = 0, ocr = 0, letters = 0;
    for (size_t j = 0; j < n; j++) {
        char c = t[j];
        if (c >= '0' && c <= '9')
            digits++;
        else if (c == 'l' || c == 'I' || c == 'O' || c == 'o')
            ocr++;
        else if (((c | 0x20) >= 'a' && (c | 0x20) <= 'd') && j == n - 1)
            letters++;
        else
            return;
    }
    if (!digits || digits + ocr > 4 || letters > 1)
        return;
    if (s->lab[i + 1] == AT_PHI_ADRESSE) { /* the street the rules found */
        s->lab[i] = AT_PHI_ADRESSE;
        s->ent[i] = s->ent[i + 1];
        return;
    }
    size_t r = i + 2;
    while (r < s->n && r - i < 10 && !s->tok[r].nl && s->tok[r].kind != TOK_NUM && !s->lab[r] &&
           !(s->tok[r].kind == TOK_PUNCT && s->t[s->tok[r].s] != '\'' && s->t[s->tok[r].s] != '-'))
        r++;
    mark(s, i, r, AT_PHI_ADRESSE);
}

/* "15.10.", "03.08.": a day and a month each closed by a full stop,
 * without a year, as a letter from Germany writes a date; on such a line
 * only (a French note's "12.5" is a dose). */
static void day_month_dots(text_scan *s, size_t i)
{
    if (i + 3 >= s->n || tl(s, i) > 2 || tl(s, i + 2) > 2 || !is_punct(s, i + 1, '.') ||
        s->tok[i + 2].kind != TOK_NUM || !is_punct(s, i + 3, '.') || s->lab[i + 2] ||
        s->tok[i + 1].s != s->tok[i].e || s->tok[i + 2].s != s->tok[i + 1].e ||
        s->tok[i + 3].s != s->tok[i + 2].e)
        return;
    /* (a year after the second stop is another pass's date) */
    if (i + 4 < s->n && s->tok[i + 4].s == s->tok[i + 3].e && s->tok[i + 4].kind == TOK_NUM)
        return;
    int d = atoi(s->t + s->tok[i].s), m = atoi(s->t + s->tok[i + 2].s);
    if (d < 1 || d > 31 || m < 1 || m > 12 || !deid_abroad_line(s, i))
        return;
    mark(s, i, i + 3, AT_PHI_DATE);
}

void deid_pass_number_shapes(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (s->tok[i].kind == TOK_WORD && !s->lab[i])
            street_number_word(s, i);
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        if (s->lab[i])
            continue;
        if (s->tok[i].kind == TOK_WORD && (s->tok[i].dflags & DICT_MONTH)) {
            month_alone(s, i);
            continue;
        }
        if (s->tok[i].kind != TOK_NUM)
            continue;
        digit_groups(s, i);
        year_at(s, i);
        day_before_date(s, i);
        if (!s->lab[i])
            day_month_dots(s, i);
    }
}
