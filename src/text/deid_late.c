/* The late rule passes of the de-identifier (issue #12): labelled record
 * and account numbers in free formats, unlabelled specimen codes,
 * extensions, employers after a cue, rural and residence addresses,
 * dates without a year (deid_short_dates.c), a weekday before a date. They run
 * after the patient's identity, before the communes and the
 * dictionaries. */
#include "deid_scan.h"

#include <pthread.h>
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
/* Token i folded into f (cap 64): its length, 0 when none. */
static size_t fold_tok(const text_scan *s, size_t i, char *f)
{
    if (i >= s->n || tlen(s, i) > 48)
        return 0;
    int fl = text_lexicon_fold(s->t + s->tok[i].s, tlen(s, i), f, 64);
    return fl > 0 ? (size_t)fl : 0;
}

/* ---- late: record numbers, employers, rural addresses, short dates ---------------------- */

static int glued_digit(const text_scan *s, size_t j);
static int after_lot(const text_scan *s, size_t i);

const char *const text_cue_id_words[] = {"ref",
                                         "reference",
                                         "references",
                                         "dossier",
                                         "prelevement",
                                         "prelevements",
                                         "echantillon",
                                         "bloc",
                                         "lame",
                                         "lames",
                                         "examen",
                                         "demande",
                                         "ordonnance",
                                         "identifiant",
                                         "id",
                                         "numero",
                                         "num",
                                         "no",
                                         "n",
                                         "episode",
                                         "requete",
                                         "patient",
                                         "anapath",
                                         "cr",
                                         "compte-rendu",
                                         "document",
                                         "scan",
                                         "archive",
                                         "etiquette",
                                         "tube",
                                         "specimen",
                                         "biopsie",
                                         "prescription",
                                         "matricule",
                                         "immatriculation",
                                         "dossard",
                                         "badge",
                                         "code",
                                         "siret",
                                         "siren",
                                         NULL};
const char *const text_cue_account_words[] = {
    "iban",           "rib",    "adherent",  "adhesion", "mutuelle", "contrat", "police", "societaire", "amc",
    "complementaire", "assure", "assurance", "bic",      "compte",   "carte",   "cpam",   NULL};

/* text_cue_account_words and the words of a trial's site indexed
 * (deid_scan.h), built once */
static const char *const sites[] = {"site", "centre", "center", "sujet", "subject", NULL};
static text_word_index account_ix = {.set = text_cue_account_words}, sites_ix = {.set = sites};
static pthread_once_t late_ix_once = PTHREAD_ONCE_INIT;

static void late_ix_build(void)
{
    text_word_index_build(&account_ix);
    text_word_index_build(&sites_ix);
}

/* The glued code from token j (letters, digits, '-', '/', '.' without
 * spaces between): its end token; *digits the digit count, with use_ocr
 * the OCR's O, o, l, I of a group otherwise of digits counted as digits. */
static size_t glued_code(const text_scan *s, size_t j, size_t *digits, int *letters, int use_ocr)
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
            /* an OCR'd group ("0O7l2"): its letters O, o, l, I are digits */
            size_t d = 0, ocr = 0;
            for (uint32_t b = k->s; b < k->e; b++) {
                char c = s->t[b];
                d += is_dig(c);
                ocr += c == 'O' || c == 'o' || c == 'l' || c == 'I';
            }
            if (use_ocr && d && d + ocr == (size_t)(k->e - k->s)) {
                *digits += d + ocr;
            } else {
                *digits += d;
                *letters |= d < (size_t)(k->e - k->s);
            }
        }
        r++;
    }
    return r;
}

/* After an id or account label: skip "n°", "no", ":", "#", "de", "du",
 * "patient" ... then a glued code with enough digits. */
static int slashed_medical(const text_scan *s, size_t i, size_t r);

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
            if (label == AT_PHI_ID && (k->lex & LEX_CUE_ID) && deid_tok_in_index(s, j, &account_ix))
                label = AT_PHI_COMPTE; /* "n° adhérent" */
            j++;
        } else
            break;
    }
    /* an allcaps word that names the register before the code: "dossier
     * CPAM 671 2403 5588", "dossier PACS ACC-7738201" */
    if (j + 1 < s->n && s->tok[j].kind == TOK_WORD && s->tok[j].allcaps && tlen(s, j) <= 6 &&
        !glued_digit(s, j) && !s->tok[j + 1].nl && s->tok[j + 1].s > s->tok[j].e && !s->lab[j + 1] &&
        s->tok[j + 1].kind != TOK_PUNCT) {
        size_t d0;
        int l0;
        glued_code(s, j + 1, &d0, &l0, 0);
        if (d0)
            j++;
    }
    if (j >= s->n || s->tok[j].nl || s->lab[j] || s->tok[j].kind == TOK_PUNCT)
        return;
    /* a classification's code is no one's ("code CIM-10 C50.9", "code
     * CCAM JDFA001", "code ATC L01XC18") */
    static const char *const classifications[] = {"cim",    "icd",   "ccam",  "atc",    "adicap", "loinc",
                                                  "snomed", "ngap",  "nabm",  "ghm",    "ucd",    "cip",
                                                  "ccs",    "cim-o", "icd-o", "cim-10", "icd-10", NULL};
    for (size_t q = i + 1; q <= j; q++)
        if (tok_ascii_in(s, q, classifications))
            return;
    size_t digits;
    int letters;
    size_t r = glued_code(s, j, &digits, &letters, 1);
    if (!digits || after_lot(s, j))
        return; /* a code holds digits; a batch number is no one's */
    /* a marker of the medical vocabulary ("Ki67 80 %"), or markers joined
     * ("CK7/CK20/CDX2/TTF1"): a panel, no one's number */
    if (slashed_medical(s, j, r) || (r == j + 1 && (s->tok[j].lex & LEX_MED)))
        return;
    /* groups of digits separated by one space (account numbers, "GRP-449 0173") */
    if (label == AT_PHI_COMPTE || letters || digits < min_digits ||
        (r == j + 1 && tlen(s, j) <= 5 && !deid_unit_next(s, r + 1)))
        while (r < s->n && !s->tok[r].nl && s->tok[r].s == s->tok[r - 1].e + 1 &&
               s->t[s->tok[r].s - 1] == ' ' &&
               (s->tok[r].kind == TOK_NUM || (s->tok[r].kind == TOK_WORD &&
                                              (s->tok[r].allcaps || glued_digit(s, r)) && tlen(s, r) <= 4))) {
            size_t d2;
            int l2;
            size_t r2 = glued_code(s, r, &d2, &l2, 1);
            digits += d2;
            r = r2;
        }
    if (digits >= min_digits)
        mark(s, j, r, label);
}

static int glued_digit(const text_scan *s, size_t j)
{
    return tok_has_digit(s, j); /* (the tokeniser's TOK_AUX_DIGIT: no byte loop) */
}

static const char *const rural_lower[] = {
    "lieu-dit", "lieudit",     "bat",   "batiment", "appt",      "apt",    "appartement",
    "esc",      "escalier",    "rue",   "avenue",   "boulevard", "bd",     "impasse",
    "allee",    "chemin",      "route", "quai",     "place",     "square", "residence",
    "hameau",   "lotissement", "cite",  "clos",     "domaine",   "ferme",  "villa",
    "etage",    "porte",       "bp",    "traverse", NULL};
/* Words of an address's complement whose value is a number or a short
 * code ("appt 41", "bât. C2", "esc. B", "2e étage"). */
static const char *const unit_words[] = {"bat",      "batiment", "appt",  "apt", "appartement", "esc",
                                         "escalier", "etage",    "porte", "bp",  "immeuble",    NULL};

static void pass_rural(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (!(k->lex & LEX_STREET))
        return;
    if (!k->cap && !deid_tok_in(s, i, rural_lower)) {
        /* (a place of firms in lower case: "zac du pré long", "zone
         * artisanale de la lande": its street's reading alone; "za" and
         * "zi", two letters, are no word the tokeniser looks up) */
        size_t from, end;
        if ((tok_is(s, i, "zac") || tok_is(s, i, "zone")) && (end = deid_lower_street(s, i, &from)) > i)
            mark(s, from, end, AT_PHI_ADRESSE);
        return;
    }
    /* "Bloc B", "bloc 3": an operating theatre, save in an address
     * ("Les Terrasses, bloc 2, 45 avenue ...": a street word follows) */
    if (tok_is(s, i, "bloc")) {
        int street = 0;
        for (size_t q = i + 1; q < s->n && q - i < 10 && !s->tok[q].nl && !street; q++)
            street = q > i + 2 && (s->lab[q] == AT_PHI_ADRESSE || (s->tok[q].lex & LEX_STREET));
        if (!street)
            return;
    }
    /* in lower case, a street's name after "rue du", "chemin des" */
    size_t from, end = deid_lower_street(s, i, &from);
    if (end > i) {
        mark(s, from, end, AT_PHI_ADRESSE);
        return;
    }
    size_t j = i + 1;
    /* the full stop of an abbreviation ("bât. B", "esc. C"); after a whole
     * word it ends the sentence ("au 3e étage. Un ascenseur", "sur
     * place. Pas de ...") */
    if (is_punct(s, j, '.')) {
        if (tlen(s, i) >= 5 && !(s->tok[i].allcaps))
            return;
        j++;
    }
    /* "appt 41", "bât. C2": a number or a short code after a complement word */
    if (j < s->n && !s->tok[j].nl && !s->lab[j] && deid_tok_in(s, i, unit_words) &&
        !(s->tok[j].e < s->len && (s->t[s->tok[j].e] == 'h' || s->t[s->tok[j].e - 1] == 'h')) &&
        (s->tok[j].kind == TOK_NUM ||
         (s->tok[j].kind == TOK_WORD && tlen(s, j) <= 3 && (s->tok[j].allcaps || glued_digit(s, j)))) &&
        tlen(s, j) <= 5) {
        mark(s, i, j + 1, AT_PHI_ADRESSE);
        return;
    }
    if (j < s->n && s->lab[j] == AT_PHI_ADRESSE && deid_tok_in(s, i, unit_words) && !s->tok[j].nl) {
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
        (s->tok[i - 1].dflags & DICT_PARTICLE) &&
        (i < 2 || s->tok[i - 1].nl || s->tok[i - 2].kind == TOK_PUNCT))
        i--;
    /* "bât. B", "Résidence Le Parc" */
    size_t r = j;
    while (r < s->n && r - j < 6 && !s->tok[r].nl && !s->lab[r]) {
        const text_tok *u = &s->tok[r];
        /* (a form's next field: "chemin de Valdegour   CP : 30900") */
        if (r > j && (is_punct(s, r + 1, ':') || u->s - s->tok[r - 1].e >= 3 || s->t[u->s - 1] == '\t'))
            break;
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
    /* nor a carer's abbreviation after a capitalised one ("Passage IDE
     * 2x/j") */
    if (k->cap && f0 == j && f0 < r && s->tok[f0].allcaps && tlen(s, f0) <= 4 &&
        ((s->tok[f0].dflags & DICT_ROLE) || ((s->tok[f0].lex & LEX_MED) && !(s->tok[f0].lex & NAME_KINDS))))
        return;
    if (r > j && !(k->cap && i > 0 && !k->nl && s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].cap &&
                   !(s->tok[i - 1].dflags & DICT_CONNECT)))
        mark(s, i, r, AT_PHI_ADRESSE);
}

/* Unlabelled specimen and record codes: letters and at least four digits
 * glued with '-' ("B23-11902", "S23-0048812"), or year-number
 * ("2023-44871"). */
/* A unit or '%' right after token r - 1 ("120-130 mmHg", "1000-1500 mL"). */
int deid_unit_next(const text_scan *s, size_t r)
{
    static const char *const units[] = {"mg", "g",    "ml",   "l",     "ui",   "mmhg", "gy",   "cgy",
                                        "kg", "mm",   "cm",   "ng",    "ug",   "mcg",  "mmol", "umol",
                                        "u",  "kcal", "fois", "jours", "mois", "ans",  NULL};
    if (r >= s->n || s->tok[r].nl)
        return 0;
    return is_punct(s, r, '%') || (s->tok[r].kind == TOK_WORD && deid_tok_in(s, r, units));
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
     * label's words ("n° de patient dans l'essai : 014-0027"); from the
     * start of the code the token is glued into ("2019-003456-21") */
    while (i > 0 && !s->tok[i].nl && s->tok[i - 1].e == s->tok[i].s)
        i--;
    for (size_t q = i, hop = 0; q > 0 && hop < 5 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if ((p->dflags & DICT_NOTID) && (tok_is(s, q - 1, "lot") || tok_is(s, q - 1, "lots")))
            return 1;
        if ((p->dflags & DICT_NOTID) &&
            (hop == 0 || (hop == 1 && s->tok[q].kind == TOK_WORD && s->tok[q].allcaps) ||
             /* a registry's name and a colon ("EudraCT : 2019-..."; not a
              * study word: "n° patient dans l'étude : 012-0047") */
             (hop == 1 && is_punct(s, q, ':') &&
              (tok_is(s, q - 1, "eudract") || tok_is(s, q - 1, "ctis") || tok_is(s, q - 1, "rcb")))))
            return 1;
    }
    return 0;
}

/* Token i follows an HGVS prefix glued before it ("p.E746_A750del",
 * "c.5266dupC", "g.", "m.", "r.", "n."): a variant's description. */
static int hgvs_after(const text_scan *s, size_t i)
{
    /* a predicted protein change in brackets: "p.(Gln1756ProfsTer74)" */
    if (i >= 3 && is_punct(s, i - 1, '(') && s->tok[i - 1].e == s->tok[i].s &&
        s->tok[i - 2].e == s->tok[i - 1].s)
        i--;
    if (i < 2 || !is_punct(s, i - 1, '.') || s->tok[i - 1].e != s->tok[i].s ||
        s->tok[i - 2].e != s->tok[i - 1].s || tlen(s, i - 2) != 1)
        return 0;
    char c = s->t[s->tok[i - 2].s];
    return c == 'p' || c == 'c' || c == 'g' || c == 'm' || c == 'r' || c == 'n';
}

/* Word token q is a protein change: a capital, one to four digits, a
 * capital ("V600E", "G12C", "T790M"). */
static int protein_change(const text_scan *s, size_t q)
{
    const char *w = s->t + s->tok[q].s;
    size_t n = tlen(s, q);
    if (n < 3 || n > 6 || !is_up(w[0]) || !is_up(w[n - 1]))
        return 0;
    for (size_t k = 1; k + 1 < n; k++)
        if (!is_dig(w[k]))
            return 0;
    return 1;
}

/* Tokens [i, r) are words joined by '/' alone, each of the medical
 * vocabulary or a protein change. */
static int slashed_medical(const text_scan *s, size_t i, size_t r)
{
    int slash = 0, med = 0, marker = 0;
    for (size_t q = i; q < r; q++) {
        if (is_punct(s, q, '/')) {
            slash = 1;
            continue;
        }
        if (q > i && !is_punct(s, q - 1, '/'))
            return 0;
        /* (a number of one or two digits after a marker: "CK5/6") */
        if (s->tok[q].kind == TOK_NUM && q >= i + 2 && tlen(s, q) <= 2 && s->tok[q - 2].kind == TOK_WORD)
            continue;
        if (s->tok[q].kind != TOK_WORD)
            return 0;
        if ((s->tok[q].lex & LEX_MED) || protein_change(s, q)) {
            med = 1;
            continue;
        }
        /* (or, beside one of them, a marker's short name: letters then
         * one to three digits, "P504S/p63/CK5/6") */
        size_t n = tlen(s, q), d = 0, a = 0;
        const char *w = s->t + s->tok[q].s;
        while (a < n && ((w[a] | 0x20) >= 'a' && (w[a] | 0x20) <= 'z'))
            a++;
        while (a + d < n && is_dig(w[a + d]))
            d++;
        if (n > 6 || a == 0 || d == 0 || d > 3 || n - a - d > 1)
            return 0;
        marker = 1;
    }
    return slash && (med || !marker);
}

/* Token i opens with an isotope: a mass number, "m" for a metastable
 * state, an element's symbol, then a dash and a name ("18F-PSMA-1007",
 * "177Lu-PSMA-617", "99mTc-MAA") or, of two letters, its end ("68Ga"): a
 * radiopharmaceutical's name, no one's record. */
static int isotope_led(const text_scan *s, size_t i)
{
    static const char *const symbols[] = {"F",  "Ga", "Lu", "Tc", "I",  "Y",  "Ra", "C",  "Cu", "Zr", "In",
                                          "Tl", "Rb", "O",  "N",  "Ho", "Ac", "Sm", "Sr", "Re", "Pb", "Bi",
                                          "Ir", "Co", "Cs", "Ge", "Kr", "Xe", "At", "Tb", "Er", "Pd", NULL};
    const char *w = s->t + s->tok[i].s;
    size_t n = s->tok[i].e - s->tok[i].s, d = 0;
    while (d < n && d < 4 && w[d] >= '0' && w[d] <= '9')
        d++;
    if (d == 0 || d > 3)
        return 0;
    if (d < n && w[d] == 'm')
        d++;
    if (d >= n)
        return 0; /* (no symbol after the digits) */
    for (const char *const *y = symbols; *y; y++) {
        if ((*y)[0] != w[d])
            continue;
        size_t l = (*y)[1] ? 2 : 1; /* (a symbol has one or two letters) */
        /* (a one-letter symbol with a name after it only: "26C-0043"
         * is a specimen's) */
        if (d + l <= n && !memcmp(w + d, *y, l) && ((d + l == n && l == 2) || (d + l < n && w[d + l] == '-')))
            return 1;
    }
    return 0;
}

/* The glued code [i, r) is a range of times ("6h45-14h15", "21h-7h"):
 * hours, 'h', minutes, joined by '-'. */
static int time_range(const text_scan *s, size_t i, size_t r)
{
    size_t times = 0;
    for (size_t q = i; q < r; q++) {
        if (is_punct(s, q, '-'))
            continue;
        const char *w = s->t + s->tok[q].s;
        size_t n = s->tok[q].e - s->tok[q].s, d = 0;
        while (d < n && w[d] >= '0' && w[d] <= '9')
            d++;
        if (d == 0 || d > 2 || d >= n || (w[d] | 0x20) != 'h')
            return 0;
        size_t m = n - d - 1;
        if (m != 0 && !(m == 2 && w[d + 1] >= '0' && w[d + 1] <= '5' && w[d + 2] >= '0' && w[d + 2] <= '9'))
            return 0;
        times++;
    }
    return times >= 2;
}

/* Tokens [i, r) read "A-B" with A and B numbers of the same writing (as
 * many decimals, no leading zero, three digits at most before them) and
 * A < B <= 10 A. */
static int value_range(const text_scan *s, size_t i, size_t r)
{
    const char *t = s->t + s->tok[i].s, *end = s->t + s->tok[r - 1].e;
    double v[2];
    int dec[2];
    for (int h = 0; h < 2; h++) {
        if (t >= end || *t < '1' || *t > '9')
            return 0;
        double x = 0;
        const char *d0 = t;
        while (t < end && *t >= '0' && *t <= '9' && t - d0 < 4)
            x = x * 10 + (*t++ - '0');
        if (t - d0 > 3)
            return 0;
        dec[h] = 0;
        if (t < end && (*t == '.' || *t == ',')) {
            double f = 0.1;
            for (t++; t < end && *t >= '0' && *t <= '9'; t++, f /= 10, dec[h]++)
                x += (*t - '0') * f;
            if (!dec[h])
                return 0;
        }
        v[h] = x;
        if (h == 0 && (t >= end || *t++ != '-'))
            return 0;
    }
    return t == end && dec[0] == dec[1] && v[0] < v[1] && v[1] <= 10 * v[0];
}

static void pass_code(text_scan *s, size_t i)
{
    if (after_lot(s, i) || hgvs_after(s, i) || isotope_led(s, i))
        return;
    if (i > 0 && s->tok[i].s == s->tok[i - 1].e && s->tok[i - 1].kind != TOK_PUNCT)
        return;
    /* never from the middle of a glued code ("2022-501234-17-00") */
    if (i > 1 && s->tok[i].s == s->tok[i - 1].e && s->tok[i - 1].kind == TOK_PUNCT &&
        s->tok[i - 2].e == s->tok[i - 1].s && (s->tok[i - 2].kind == TOK_NUM || glued_digit(s, i - 2)) &&
        (is_punct(s, i - 1, '-') || is_punct(s, i - 1, '/') || is_punct(s, i - 1, '.') ||
         is_punct(s, i - 1, '_')))
        return;
    size_t digits;
    int letters;
    size_t r = glued_code(s, i, &digits, &letters, 0);
    if (time_range(s, i, r) || deid_variant_or_count(s, i, r))
        return;
    int dash = 0;
    for (size_t q = i; q < r; q++)
        dash |= is_punct(s, q, '-') || is_punct(s, q, '/') || is_punct(s, q, '_') || is_punct(s, q, '.');
    /* ... and from its number ("NM_" glued before it) */
    if (i >= 2 && is_punct(s, i - 1, '_') && s->tok[i - 1].s == s->tok[i - 2].e &&
        s->tok[i].s == s->tok[i - 1].e && tlen(s, i - 2) == 2 && is_up(s->t[s->tok[i - 2].s]) &&
        is_up(s->t[s->tok[i - 2].s + 1]))
        return;
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
    /* genes and variants joined by '/' ("BRCA1/BRCA2/PALB2", "V600E/V600K"):
     * every part a word of the medical vocabulary or a protein change */
    if (letters && slashed_medical(s, i, r))
        return;
    /* a reference range ("150-400", "13.0-17.0"): two numbers written
     * alike, the first the smaller, the second at most ten times it */
    if (!letters && groups <= 4 && value_range(s, i, r))
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
    else if (!letters && dash && groups >= 2 && ((zero && digits >= 5) || digits >= 6) &&
             !deid_unit_next(s, r) &&
             /* a drug's doses, "cotrimoxazole 800/160": a word of the
              * medical vocabulary in lower case before, groups of four
              * digits at most */
             !(!zero && digits <= 4 * (size_t)groups && i > 0 && !s->tok[i].nl &&
               s->tok[i - 1].kind == TOK_WORD &&
               (((s->tok[i - 1].lex & LEX_MED) && !(s->tok[i - 1].lex & (LEX_CUE_ID | LEX_LEARNED)) &&
                 !s->tok[i - 1].cap && !s->tok[i - 1].allcaps) ||
                /* (a brand's or a scale's, capitalised: "Emend 125/80/80",
                 * "Apgar 10/10/10") */
                (s->tok[i - 1].cap && !s->tok[i - 1].allcaps &&
                 (s->tok[i - 1].lex & (LEX_MED | LEX_EPONYM)) &&
                 !(s->tok[i - 1].lex & (LEX_FIRST | LEX_LAST | LEX_CUE_ID))))) &&
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
    if (p > 0 && !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && deid_tok_in(s, p - 1, extension_words) &&
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
    if (p > 0 && !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && deid_tok_in(s, p - 1, extension_words))
        mark(s, i, i + 2, AT_PHI_TEL);
}

/* A weekday before a date joins it ("lundi 12 mars"), abbreviated too
 * when the date opens with a number ("ven 20/02", "Lun 7 juin"; not
 * "MAR", the anaesthetist). */
static void weekday_join(text_scan *s, size_t i)
{
    char w0 = (char)(s->t[s->tok[i].s] | 0x20);
    if (w0 != 'l' && w0 != 'm' && w0 != 'j' && w0 != 'v' && w0 != 's' && w0 != 'd' && w0 != 't' &&
        w0 != 'w' && w0 != 'f')
        return;
    int abbr = tlen(s, i) == 3 && i + 1 < s->n && s->tok[i + 1].kind == TOK_NUM &&
               !(s->tok[i].allcaps && tok_is(s, i, "mar"));
    if (!abbr && !tok_may_be_weekday(s, i))
        return;
    if (i + 1 >= s->n || s->lab[i] || s->lab[i + 1] != AT_PHI_DATE || s->tok[i + 1].nl ||
        (i + 1 > 0 && i > 0 && s->ent[i] && s->ent[i] == s->ent[i + 1]))
        return;
    char f[64];
    size_t n = fold_tok(s, i, f);
    if (n && (abbr ? text_weekday_abbr(f, n) || text_weekday_abbr_en(f, n) : text_weekday_of(f, n))) {
        s->lab[i] = AT_PHI_DATE;
        s->ent[i] = s->ent[i + 1];
    }
}

/* A clinical study's site or subject by its number: "Site 1003", "centre
 * 044", "Centre investigateur n° 017", "sujet 076-014", "site : FR012"
 * (two digits or more, a code glued to it, no unit after). */
static void site_number(text_scan *s, size_t i)
{
    size_t p = i;
    for (int hop = 0; hop < 3 && p > 0 && !s->tok[p].nl; hop++) {
        const text_tok *b = &s->tok[p - 1];
        if (is_punct(s, p - 1, ':') || tok_is(s, p - 1, "n\xC2\xB0") || tok_is(s, p - 1, "n") ||
            (unsigned char)s->t[b->s] == 0xC2 || tok_is(s, p - 1, "investigateur") || tok_is(s, p - 1, "no"))
            p--;
        else
            break;
    }
    if (p == 0 || s->tok[p].nl || s->tok[p - 1].kind != TOK_WORD || !deid_tok_in_index(s, p - 1, &sites_ix))
        return;
    size_t digits;
    int letters;
    size_t r = glued_code(s, i, &digits, &letters, 0);
    if (digits < 2 || digits > 12 || deid_unit_next(s, r) || after_lot(s, i))
        return;
    /* "le centre 15": the emergency numbers */
    if (r == i + 1 && (tok_is(s, i, "15") || tok_is(s, i, "17") || tok_is(s, i, "18") ||
                       tok_is(s, i, "112") || tok_is(s, i, "114") || tok_is(s, i, "115")))
        return;
    /* (the code may open with letters: "FR012" is one token) */
    for (size_t q = i; q < r; q++)
        if (s->lab[q])
            return;
    mark(s, i, r, AT_PHI_ID);
}

void deid_pass_extra_late(text_scan *s)
{
    pthread_once(&late_ix_once, late_ix_build); /* (labelled_code's and site_number's sets) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD)
            continue;
        unsigned lx = k->lex;
        if ((lx & LEX_CUE_ID) && deid_tok_in_index(s, i, &account_ix))
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
            deid_employer_at(s, i);
        else if (!(lx & LEX_WORD) && glued_digit(s, i))
            pass_code(s, i);
    }
    deid_pass_employers(s);
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
                deid_short_date_at(s, i);
            if (!s->lab[i])
                pass_code(s, i);
            if (!s->lab[i])
                site_number(s, i);
        }
        /* a weekday before a date joins it, abbreviated too ("mer. 5 févr.") */
        if (s->lab[i] == AT_PHI_DATE && i > 0 && !s->lab[i - 1] && s->tok[i - 1].kind == TOK_WORD &&
            (i < 2 || s->ent[i - 1] != s->ent[i]))
            weekday_join(s, i - 1);
        else if (s->lab[i] == AT_PHI_DATE && i > 1 && is_punct(s, i - 1, ',') && !s->lab[i - 2] &&
                 s->tok[i - 2].kind == TOK_WORD && tlen(s, i - 2) == 3 && s->tok[i - 2].cap &&
                 !s->tok[i - 2].allcaps && !s->tok[i].nl && !s->tok[i - 1].nl) {
            /* a mail's header: "Thu, 26 Nov 2026" */
            char f[64];
            size_t n = fold_tok(s, i - 2, f);
            for (size_t q = i - 2; q < i && text_weekday_abbr_en(f, n); q++) {
                s->lab[q] = AT_PHI_DATE; /* (its comma too: one date to rewrite) */
                s->ent[q] = s->ent[i];
            }
        } else if (s->lab[i] == AT_PHI_DATE && i > 1 && is_punct(s, i - 1, '.') && !s->lab[i - 1] &&
                   s->tok[i - 1].s == s->tok[i - 2].e && !s->lab[i - 2] && s->tok[i - 2].kind == TOK_WORD &&
                   (tlen(s, i - 2) == 3 || tlen(s, i - 2) == 4) && !s->tok[i - 1].nl && !s->tok[i].nl) {
            /* "mer. 5 févr.", "vend. 27/11" */
            char f[64];
            size_t n = fold_tok(s, i - 2, f);
            if (n == 4 && !memcmp(f, "vend", 4))
                n = 3;
            if (n == 3 && text_weekday_abbr(f, n)) {
                for (size_t q = i - 2; q < i; q++) {
                    s->lab[q] = AT_PHI_DATE;
                    s->ent[q] = s->ent[i];
                }
            }
        }
    }
}
