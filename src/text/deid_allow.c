/* The allow-list pass, the de-identifier's recall floor (Philter's
 * principle, as the DICOM door's allow-list): a word the rules and the
 * tagger left is kept only when it is known to be safe (a word of Debian's
 * French dictionaries or of the medical vocabulary, or one of their
 * inflections, or a drug or surgical word by its ending) or when its
 * context explains it (an eponym's place, a brand name beside a drug, an
 * abbreviation). Words that are known and also names (Martin, Rose,
 * Nancy) were the tagger's to decide. The known-safe words are
 * deid_safe.c's. */
#include "tagger.h"

#include <stddef.h>
#include <string.h>

/* Token i opens a grade's value: one digit, or a roman numeral up to VI,
 * with a letter of a subgrade or not ("2", "IV", "IIa", "1a", "IIA"). The
 * value's end, or 0. */
static size_t grade_value(const text_scan *s, size_t i)
{
    static const char *const romans[] = {"VI", "IV", "V", "III", "II", "I", NULL};
    if (i >= s->n)
        return 0;
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    const char *w = s->t + k->s;
    if (k->nl || n > 4)
        return 0;
    size_t m = 0;
    if (k->kind == TOK_NUM || (w[0] >= '0' && w[0] <= '9'))
        m = w[0] >= '0' && w[0] <= '9' ? 1 : 0;
    else if (k->kind == TOK_WORD)
        for (const char *const *r = romans; *r && !m; r++)
            if (strlen(*r) <= n && !memcmp(*r, w, strlen(*r)))
                m = strlen(*r);
    if (!m)
        return 0;
    /* (a subgrade's letter, in the token or glued after it) */
    if (m < n)
        return m + 1 == n && strchr("abcABC", w[m]) ? i + 1 : 0;
    if (i + 1 < s->n && s->tok[i + 1].s == k->e && s->tok[i + 1].kind == TOK_WORD &&
        s->tok[i + 1].e - s->tok[i + 1].s == 1 && strchr("abcABC", s->t[s->tok[i + 1].s]))
        return i + 2;
    if (i + 1 < s->n && s->tok[i + 1].s == k->e && s->tok[i + 1].kind != TOK_PUNCT)
        return 0; /* (glued to more: "2a3", "IVe") */
    return i + 1;
}

/* The value after the name at token i, with "grade", "score", "stade",
 * "classe" or "type" before it or not: its end, or 0. */
static size_t grade_after(const text_scan *s, size_t i, int *worded)
{
    static const char *const words[] = {"grade", "score", "stade", "classe", "type", NULL};
    *worded = 0;
    if (i + 1 >= s->n || s->tok[i + 1].nl)
        return 0;
    if (tok_ascii_in(s, i + 1, words) && !s->tok[i + 1].cap) {
        *worded = 1;
        return grade_value(s, i + 2);
    }
    return grade_value(s, i + 1);
}

/* A scale's grade after a name (deid_score_name): "Esposito grade 0",
 * "Asan score 4", "Knosp 2,", "(Milan VI)", "Forrest IIa", and a name
 * of two words ("Hunt et Hess IV", "Ann Arbor IIA", "Spetzler-Martin
 * II"). A bare digit only when the name opens a clause (after a comma, a
 * bracket, the line's start or a word in lower case) and a comma, a
 * bracket, the line or a word in lower case closes it; a roman numeral
 * after such a name whatever follows. */
static int graded(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || !(k->cap || k->allcaps) || k->e - k->s < 3 || i + 2 >= s->n ||
        s->tok[i + 1].nl)
        return 0;
    int opens = i == 0 || k->nl || is_punct(s, i - 1, ',') || is_punct(s, i - 1, '(') ||
                is_punct(s, i - 1, ';') || is_punct(s, i - 1, '/') ||
                (s->tok[i - 1].kind == TOK_WORD &&
                 (s->tok[i - 1].allcaps ? s->tok[i - 1].e - s->tok[i - 1].s <= 5 : !s->tok[i - 1].cap) &&
                 !(s->tok[i - 1].dflags & (DICT_TITLE | DICT_FIELD | DICT_BIRTH | DICT_ROLE)) &&
                 !(s->tok[i - 1].lex & LEX_KIN)) ||
                /* (after a capitalised word of care: "Macroadénome Knosp 2") */
                (s->tok[i - 1].kind == TOK_WORD && s->tok[i - 1].cap && (s->tok[i - 1].lex & LEX_MED) &&
                 !(s->tok[i - 1].lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) &&
                 !(s->tok[i - 1].dflags & (DICT_TITLE | DICT_FIELD | DICT_BIRTH | DICT_ROLE)));
    /* (a place after "à", "chez": "à Langres 2) EHPAD ...", "chez ma
     * soeur à Quimperlé 7 impasse ...") */
    static const char *const places[] = {"a", "chez", "par", "avec", "pour", NULL};
    if (!opens || (i > 0 && tok_ascii_in(s, i - 1, places)) || (i > 0 && tok_is(s, i - 1, "\xC3\xA0")))
        return 0;
    /* (the name's second word: after "et", a hyphen or a space) */
    size_t last = i;
    if (i + 2 < s->n && !s->tok[i + 2].nl && (tok_is(s, i + 1, "et") || is_punct(s, i + 1, '-')) &&
        s->tok[i + 2].kind == TOK_WORD && s->tok[i + 2].cap && s->tok[i + 2].e - s->tok[i + 2].s >= 3)
        last = i + 2;
    else if (s->tok[i + 1].kind == TOK_WORD && s->tok[i + 1].cap && !s->tok[i + 1].allcaps &&
             s->tok[i + 1].e - s->tok[i + 1].s >= 4 && i + 2 < s->n && !s->tok[i + 2].nl &&
             s->tok[i + 2].kind == TOK_WORD && s->tok[i + 2].allcaps)
        last = i + 1; /* ("Ann Arbor IIA": the value in capitals) */
    int worded;
    size_t v = grade_after(s, last, &worded);
    if (!v)
        return 0;
    if (worded)
        return 1;
    static const char *const counts[] = {"ans",     "an", "a",      "mois", "semaines", "sem", "jours", "j",
                                         "enfants", "h",  "heures", "min",  "kg",       "g",   "sa",    NULL};
    size_t r = last + 1;
    int roman = s->tok[r].kind == TOK_WORD;
    /* (a single letter and a point is an initial: "Pauline V.") */
    if (roman && v == r + 1 && s->tok[r].e - s->tok[r].s == 1 && is_punct(s, v, '.'))
        return 0;
    /* (a first name and an age: "(Noah 6 ans, Lina 3 ans)") */
    if (v < s->n && !s->tok[v].nl && (tok_ascii_in(s, v, counts) || (s->tok[v].lex & LEX_STREET)))
        return 0;
    int closed = v >= s->n || s->tok[v].nl || is_punct(s, v, ',') || is_punct(s, v, ')') ||
                 is_punct(s, v, ';') || is_punct(s, v, '.') || is_punct(s, v, '/') ||
                 (s->tok[v].kind == TOK_WORD && !s->tok[v].cap && !s->tok[v].allcaps);
    return roman || closed;
}

int deid_scale_grade(const text_scan *s, size_t i)
{
    return i + 2 < s->n && graded(s, i);
}

int deid_score_name(const text_scan *s, size_t i)
{
    if (deid_scale_grade(s, i))
        return 1;
    /* "Barthel 55/100", "Apgar 9/10": a name before a score is a scale's */
    return i + 3 < s->n && s->tok[i + 1].kind == TOK_NUM && !s->tok[i + 1].nl && is_punct(s, i + 2, '/') &&
           s->tok[i + 2].s == s->tok[i + 1].e && s->tok[i + 3].kind == TOK_NUM &&
           s->tok[i + 3].s == s->tok[i + 2].e && s->tok[i + 1].e - s->tok[i + 1].s <= 3 &&
           s->tok[i + 3].e - s->tok[i + 3].s <= 3 &&
           atoi_n(s->t + s->tok[i + 1].s, s->tok[i + 1].e - s->tok[i + 1].s) <=
               atoi_n(s->t + s->tok[i + 3].s, s->tok[i + 3].e - s->tok[i + 3].s);
}

int deid_field_label(const text_scan *s, size_t i)
{
    if (i + 1 >= s->n || !is_punct(s, i + 1, ':') || s->tok[i].kind != TOK_WORD)
        return 0;
    if (s->tok[i].nl || i == 0)
        return 1;
    /* a table cell: after a tab or a gap of three spaces */
    const char *g = s->t + s->tok[i - 1].e;
    size_t gl = s->tok[i].s - s->tok[i - 1].e;
    return gl >= 3 || (gl >= 1 && g[gl - 1] == '\t');
}

/* Token i names a pharmaceutical form or a dose unit. */
static int tok_drug_form(const text_scan *s, size_t i)
{
    static const char *const forms[] = {
        "creme",   "gel",    "cp",         "cps",     "comprime", "comprimes", "gelule",
        "gelules", "sachet", "sachets",    "ampoule", "ampoules", "solution",  "collyre",
        "pommade", "sirop",  "injectable", "lp",      "lm",       "mg",        "g",
        "ug",      "mcg",    "ui",         "ml",      "patch",    "spray",     "suppositoire",
        "poudre",  "flacon", "inj",        "sol",     NULL};
    char f[32];
    size_t n = s->tok[i].e - s->tok[i].s;
    int fl = n < 24 ? text_lexicon_fold(s->t + s->tok[i].s, n, f, sizeof f) : -1;
    if (fl <= 0)
        return 0;
    for (const char *const *w = forms; *w; w++)
        if (strlen(*w) == (size_t)fl && !memcmp(*w, f, (size_t)fl))
            return 1;
    return 0;
}

int deid_marker_glued(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return k->e - k->s <= 4 && i + 2 < s->n && is_punct(s, i + 1, '-') && s->tok[i + 1].s == k->e &&
           s->tok[i + 2].s == s->tok[i + 1].e && s->tok[i + 2].kind == TOK_NUM;
}

int deid_dose_after(const text_scan *s, size_t j)
{
    if (j + 1 >= s->n || s->tok[j].kind != TOK_NUM || s->tok[j].nl || s->tok[j + 1].nl)
        return 0;
    size_t u = j + 1;
    if (u + 1 < s->n && (is_punct(s, u, ',') || is_punct(s, u, '.')) && s->tok[u].s == s->tok[j].e &&
        s->tok[u + 1].kind == TOK_NUM && s->tok[u + 1].s == s->tok[u].e)
        u += 2;
    if (u < s->n && s->tok[u].e - s->tok[u].s == 2 && !memcmp(s->t + s->tok[u].s, "\xC2\xB5", 2))
        return 1; /* "µg", "µL": the micro sign is no letter of a word */
    return u < s->n && !s->tok[u].nl &&
           (is_punct(s, u, '%') ||
            (s->tok[u].kind == TOK_WORD && (tok_drug_form(s, u) || tok_is(s, u, "\xC2\xB5g"))));
}

#define DRUG_NEAR 8

int deid_drug_line(const text_scan *s, size_t i)
{
    size_t a = i, e = i + 1;
    while (a > 0 && !s->tok[a].nl && i - a < 40)
        a--;
    while (e < s->n && !s->tok[e].nl && e - i < 40)
        e++;
    int med = 0;
    /* a first name of the lists, no word nor drug, capitalised: the
     * drugs must be near it (a paragraph of prose on one line that names
     * a disease far from a first name is no list of drugs) */
    const text_tok *w = &s->tok[i];
    size_t near = (w->lex & LEX_FIRST) && !(w->lex & (LEX_MED | LEX_WORD | LEX_EPONYM)) && w->cap &&
                          !w->allcaps && w->e - w->s >= 4
                      ? DRUG_NEAR
                      : 40;
    for (size_t q = a; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if ((k->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)) || (k->lex & LEX_KIN) ||
            s->lab[q] == AT_PHI_NOM || s->lab[q] == AT_PHI_PRENOM)
            return 0;
        /* (a word the model learned as safe is no evidence of a drug:
         * "Biologiste ... RPPS" makes no line of drugs) */
        med += q != i && q + near >= i && q <= i + near && (k->lex & LEX_MED) &&
               !(k->lex & (LEX_FIRST | LEX_LAST | LEX_LEARNED)) && k->kind == TOK_WORD && k->e - k->s >= 4;
    }
    return med >= 2;
}

/* Context that explains an unknown word as safe: an eponym's place
 * ("maladie de X"), a brand name in parentheses after a drug or a dose
 * after it ("X 50 mg"), an abbreviation of at most three capitals. */
/* Folded word f (n bytes) is one of set (NULL-ended). */
static int word_in(const char *f, size_t n, const char *const *set)
{
    for (; *set; set++)
        if ((*set)[0] == f[0] && strlen(*set) == n && !memcmp(*set, f, n))
            return 1;
    return 0;
}

static int folded_is(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || s->tok[i].e - s->tok[i].s > 24)
        return 0;
    /* most words end here: by their first letter (ASCII) */
    unsigned c0 = (unsigned char)s->t[s->tok[i].s];
    if (c0 < 0x80) {
        c0 |= 0x20;
        const char *const *w = set;
        while (*w && (unsigned char)(*w)[0] != c0)
            w++;
        if (!*w)
            return 0;
    }
    char f[40];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, sizeof f);
    return fl > 0 && word_in(f, (size_t)fl, set);
}

int deid_treatment_context(const text_scan *s, size_t i)
{
    /* what is said of a treatment, not of a person, right after it: "X
     * arrêté", "X poursuivi", "X mal toléré" */
    static const char *const done_to[] = {
        "arrete",      "arretee",      "arretes",   "poursuivi",  "poursuivie",  "suspendu",  "suspendue",
        "reintroduit", "reintroduite", "tolere",    "toleree",    "majore",      "majoree",   "diminue",
        "diminuee",    "augmente",     "augmentee", "relaye",     "relayee",     "debute",    "debutee",
        "instaure",    "instauree",    "introduit", "introduite", "prescrit",    "prescrite", "renouvele",
        "renouvelee",  "stoppe",       "stoppee",   "interrompu", "interrompue", "switche",   "decale",
        "pose",        "posee",        "change",    "changes",    "changee",     "applique",  "appliquee",
        NULL};
    static const char *const before[] = {
        "sous", "relais", "switch", "introduction", "arret", "reprise", "majoration", "diminution", NULL};
    static const char *const well[] = {"bien", "mal", "tres", "peu", NULL};
    size_t v = i + 1; /* "X mal toléré" */
    if (v + 1 < s->n && !s->tok[v].nl && folded_is(s, v, well))
        v++;
    if (v < s->n && !s->tok[v].nl && folded_is(s, v, done_to))
        return !(i > 0 && (s->tok[i - 1].dflags & (DICT_TITLE | DICT_FIELD)) != 0);
    /* "sous X", "relais par X", "arrêt du X" */
    size_t p = i;
    if (p >= 1 && (tok_is(s, p - 1, "par") || tok_is(s, p - 1, "de") || tok_is(s, p - 1, "du") ||
                   tok_is(s, p - 1, "pour")))
        p--;
    if (p >= 1 && !s->tok[p].nl && folded_is(s, p - 1, before))
        return 1;
    /* the items of a list after a treatment label opening the line
     * ("Traitement en cours : X, Y, Z") */
    static const char *const labels[] = {"traitement",   "traitements",   "ttt",       "tt",
                                         "prescription", "ordonnance",    "pansement", "pansements",
                                         "relais",       "traitement(s)", NULL};
    for (size_t q = i, hop = 0; q > 0 && hop < 24 && !s->tok[q].nl; q--, hop++) {
        const text_tok *t = &s->tok[q - 1];
        if (t->kind == TOK_PUNCT && (s->t[t->s] == '.' || s->t[t->s] == ';'))
            return 0;
        if (is_punct(s, q - 1, ':')) {
            for (size_t b = q - 1; b > 0 && q - 1 - b < 5; b--) {
                if (folded_is(s, b - 1, labels))
                    return 1;
                if (s->tok[b - 1].nl)
                    break;
            }
            return 0;
        }
        if (t->kind == TOK_WORD && (t->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)))
            return 0;
    }
    return 0;
}

/* The first letter of the word part [b, e), folded (an accent dropped):
 * 0 when it is no letter. */
static char initial_of(const text_scan *s, uint32_t b, uint32_t e)
{
    char f[32];
    size_t n = e - b < 4 ? e - b : 4;
    int fl = text_lexicon_fold(s->t + b, n, f, sizeof f);
    return fl > 0 && f[0] >= 'a' && f[0] <= 'z' ? f[0] : 0;
}

/* 1 when the capitalised words from token j on (step -1: the words
 * before, read backwards; +1: the words after) spell the acronym token
 * a by their initials, de, du, d', l', la, des, et and dashes between
 * them, on one line, and one of them heads an establishment: "Institut
 * Xyz de Zyx (IXZ)", "IXZ (Institut Xyz de Zyx)". */
static int acronym_spelt(const text_scan *s, size_t j, int step, size_t a)
{
    char ac[8];
    size_t n = s->tok[a].e - s->tok[a].s, m = 0;
    for (size_t q = 0; q < n; q++)
        ac[q] = (char)(s->t[s->tok[a].s + q] | 0x20);
    int head = 0;
    for (size_t hop = 0; m < n && j < s->n && hop < 14; hop++, j = (size_t)((ptrdiff_t)j + step)) {
        const text_tok *k = &s->tok[j];
        if (step > 0 ? (k->nl && hop > 0) : (j + 1 < s->n && s->tok[j + 1].nl && hop > 0))
            return 0;
        if (k->kind == TOK_PUNCT && is_punct(s, j, '-'))
            continue;
        if (k->kind != TOK_WORD)
            return 0;
        /* the connectors, in any case: de, du, des, la, et, d', l' */
        if (tok_is(s, j, "de") || tok_is(s, j, "du") || tok_is(s, j, "des") || tok_is(s, j, "la") ||
            tok_is(s, j, "et") || tok_is(s, j, "d'") || tok_is(s, j, "l'"))
            continue;
        if ((s->t[k->s] | 0x20) == 'd' || (s->t[k->s] | 0x20) == 'l') {
            if (k->e - k->s == 4 && !memcmp(s->t + k->s + 1, "\xE2\x80\x99", 3))
                continue; /* d’, l’ */
        }
        if (!k->cap && !k->allcaps)
            return 0;
        head |= (k->dflags & DICT_HEAD) != 0;
        /* the parts of a dashed word, in the order of reading */
        uint32_t parts[8][2];
        size_t np = 0;
        uint32_t b = k->s;
        for (uint32_t c = k->s; c <= k->e && np < 8; c++)
            if (c == k->e || s->t[c] == '-') {
                if (c > b)
                    parts[np][0] = b, parts[np][1] = c, np++;
                b = c + 1;
            }
        for (size_t p = 0; p < np; p++) {
            size_t pp = step > 0 ? p : np - 1 - p;
            if (m >= n)
                return 0;
            char want = step > 0 ? ac[m] : ac[n - 1 - m];
            if (initial_of(s, parts[pp][0], parts[pp][1]) != want)
                return 0;
            m++;
        }
    }
    return m == n && head;
}

int deid_acronym_place(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (!k->allcaps || n < 3 || n > 6 || (k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) || k->dflags)
        return 0;
    /* a town after it, or a site: "XYZ Toulon", "XYZ site de Tarbes" */
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD &&
        ((s->tok[i + 1].cap && !s->tok[i + 1].allcaps && (s->tok[i + 1].lex & LEX_CITY)) ||
         s->lab[i + 1] == AT_PHI_VILLE || tok_is(s, i + 1, "site")))
        return 1;
    /* where one is cared for: "à l'XYZ", "au XYZ", "de l'XYZ", "du XYZ"
     * after a word of care ("suivi", "hospitalisée", "transfert") */
    if (i >= 2 && (tok_is(s, i - 1, "au") || tok_is(s, i - 1, "l'") || tok_is(s, i - 1, "du"))) {
        static const char *const care[] = {"suivi",    "suivie",   "hospitalise", "hospitalisee", "transfert",
                                           "adresse",  "adressee", "opere",       "operee",       "pris",
                                           "prise",    "retour",   "admis",       "admise",       "traite",
                                           "traitee",  "consulte", "vu",          "vue",          "patient",
                                           "patiente", NULL};
        size_t q = i - 1;
        if (tok_is(s, q, "l'") && q >= 1 && (tok_is(s, q - 1, "\xC3\xA0") || tok_is(s, q - 1, "de")))
            q--;
        if (q >= 1 && !s->tok[q].nl && folded_is(s, q - 1, care))
            return 1;
    }
    if (i >= 2 && is_punct(s, i - 1, '(') && !k->nl) {
        /* after a person or a town, in parentheses: "Dr X (XYZ)", "à
         * Town (XYZ)", "(XYZ, Dr X)" (the roles written there, IDE, CCA,
         * are the dictionary's) */
        int lp = s->lab[i - 2];
        if (is_punct(s, i + 1, ')') && (lp == AT_PHI_NOM || lp == AT_PHI_PRENOM || lp == AT_PHI_VILLE))
            return 1;
        if ((is_punct(s, i + 1, ',') || is_punct(s, i + 1, '/')) && i + 2 < s->n &&
            (s->tok[i + 2].dflags & DICT_TITLE))
            return 1;
        /* defined after its establishment: "Institut Xyz de Zyx (IXZ)" */
        if (n <= 5 && is_punct(s, i + 1, ')') && acronym_spelt(s, i - 2, -1, i))
            return 1;
    }
    /* defined before it: "IXZ (Institut Xyz de Zyx)" */
    if (n <= 5 && is_punct(s, i + 1, '(') && i + 2 < s->n && acronym_spelt(s, i + 2, 1, i))
        return 1;
    return 0;
}

/* The token after word i on its line is a model's code: letters and
 * digits glued, six bytes at most, a capital first ("G7", "XN-10",
 * "T3s"), or a strength of 100 to 1000 in fifties ("500"). */
static int model_after(const text_scan *s, size_t i)
{
    size_t j = i + 1;
    if (j >= s->n || s->tok[j].nl || !s->tok[j].sp)
        return 0;
    const text_tok *u = &s->tok[j];
    size_t n = u->e - u->s;
    if (u->kind == TOK_NUM) {
        int v = n <= 4 ? atoi_n(s->t + u->s, n) : 0;
        return v >= 100 && v <= 1000 && v % 50 == 0 && !(j + 1 < s->n && s->tok[j + 1].s == u->e);
    }
    if (u->kind != TOK_WORD || n < 2 || n > 6 || !(s->t[u->s] >= 'A' && s->t[u->s] <= 'Z') ||
        !tok_has_digit(s, j))
        return 0;
    return 1;
}

/* A capitalised first name of the lists, no word of the language nor of
 * care, right before or after token i on its line. */
static int first_name_beside(const text_scan *s, size_t i)
{
    for (int d = -1; d <= 1; d += 2) {
        if ((d < 0 && i == 0) || i + (size_t)(d + 1) > s->n)
            continue;
        size_t j = d < 0 ? i - 1 : i + 1;
        if (j >= s->n || s->tok[j].nl || s->tok[d < 0 ? i : j].nl)
            continue;
        const text_tok *u = &s->tok[j];
        if (s->lab[j] == AT_PHI_PRENOM ||
            (u->kind == TOK_WORD && u->cap && (u->lex & LEX_FIRST) && !(u->lex & (LEX_WORD | LEX_MED))))
            return 1;
    }
    return 0;
}

static int context_safe(const text_scan *s, const tag_doc *c, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (deid_eponym_context(s, i) || deid_field_label(s, i) || deid_score_name(s, i))
        return 1;
    /* a treatment by what is said of it ("Creon poursuivi", "sous
     * Xeloda", "Traitement : X, Y") */
    if ((k->cap || k->allcaps) && deid_treatment_context(s, i))
        return 1;
    /* a batch's or a trial's number ("lot X013729") */
    if (deid_after_notid(s, i))
        return 1;
    if (i >= 2 && is_punct(s, i - 1, '(') && (s->tok[i - 2].lex & LEX_MED))
        return 1;
    /* a line of drugs, with no title nor name ("Traitements : Kardégic 75
     * mg, Spiriva ..."); not a word beside a first name ("lit 3 -
     * PEYRONNET Jeannine 78a - LAM sous azacitidine + venetoclax": a
     * patient's name on a handover's line of drugs) */
    if ((k->cap || k->allcaps) && deid_drug_line(s, i) && !first_name_beside(s, i))
        return 1;
    /* a drug by the form or dose after it: "X crème", "X 500 mg", "X LP" */
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD && tok_drug_form(s, i + 1))
        return 1;
    if (i + 2 < s->n && s->tok[i + 1].kind == TOK_NUM && !s->tok[i + 1].nl &&
        s->tok[i + 2].kind == TOK_WORD) {
        const text_tok *u = &s->tok[i + 2];
        if ((u->lex & LEX_MED) && u->e - u->s <= 6 && !(u->lex & LEX_WORD))
            return 1; /* "X 50 mg", "X 400 UI" */
    }
    if (deid_dose_after(s, i + 1))
        return 1;
    /* an abbreviation: up to four capitals no name list holds (a surname
     * that short comes with a title or a first name, which the rules see) */
    if (k->allcaps && k->e - k->s <= 4 && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE)) &&
        !deid_acronym_place(s, i))
        return 1;
    /* a product by the model written after it: a code of letters and
     * digits ("Dexcom G7", "Urgo K2", "Sysmex XN-10", "Nox T3s"), or a
     * round strength ("Daflon 500", "Ciflox 500") */
    if ((k->cap || k->allcaps) && !(k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) &&
        model_after(s, i))
        return 1;
    if (deid_marker_glued(s, i))
        return 1;
    /* a unit after a number ("30 PA", "70 Gy") */
    if (k->e - k->s <= 3 && i > 0 && s->tok[i - 1].kind == TOK_NUM && !k->nl)
        return 1;
    return 0;
}

static void allow_token(text_scan *s, const tag_doc *c, size_t i);

/* A word written in another script than the Latin one, a person's name in
 * a French note ("Коваленко", "Παπαδόπουλος", "العمراني", "张雨欣"): three
 * letters or more of Greek, Cyrillic, Armenian, Hebrew, Arabic or
 * Georgian, or one to three Chinese, Japanese or Korean characters (a
 * longer run is a phrase: "肝右叶占位"). Greek letters alone ("β", "κ")
 * and words glued to Latin letters or digits ("β-HCG") are none. */
static int other_script_name(const char *w, size_t n)
{
    size_t letters = 0, cjk = 0;
    for (size_t q = 0; q < n;) {
        unsigned char b = (unsigned char)w[q];
        uint32_t cp;
        size_t len;
        if (b < 0x80)
            return 0;
        if ((b & 0xE0) == 0xC0 && q + 1 < n) {
            cp = (uint32_t)(b & 0x1F) << 6 | ((unsigned char)w[q + 1] & 0x3F);
            len = 2;
        } else if ((b & 0xF0) == 0xE0 && q + 2 < n) {
            cp = (uint32_t)(b & 0x0F) << 12 | (uint32_t)((unsigned char)w[q + 1] & 0x3F) << 6 |
                 ((unsigned char)w[q + 2] & 0x3F);
            len = 3;
        } else {
            return 0;
        }
        if ((cp >= 0x0370 && cp <= 0x03FF) || (cp >= 0x0400 && cp <= 0x052F) ||
            (cp >= 0x0530 && cp <= 0x058F) || (cp >= 0x05D0 && cp <= 0x05EA) ||
            (cp >= 0x0620 && cp <= 0x064A) || (cp >= 0x10A0 && cp <= 0x10FF))
            letters++;
        else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3040 && cp <= 0x30FF) ||
                 (cp >= 0xAC00 && cp <= 0xD7A3))
            cjk++;
        else if (!(cp >= 0x064B && cp <= 0x065F)) /* (Arabic vowel marks go with their letters) */
            return 0;
        q += len;
    }
    return (letters >= 3 && !cjk) || (cjk >= 1 && cjk <= 3 && !letters);
}

/* A name the OCR misread with digits for letters ("Ce1ine", "Joce1yn",
 * "BESANÇ0N"): 0 read for o, 1 for i or l, at most two of them among three
 * letters or more; the word with its letters back is a first name, a
 * surname or a place of the lists and no word of the language. The label,
 * or 0. */
static int ocr_name(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (n < 4 || n > 40 || k->kind != TOK_WORD)
        return 0;
    const char *w = s->t + k->s;
    size_t digits = 0, letters = 0;
    for (size_t q = 0; q < n; q++) {
        unsigned char c = (unsigned char)w[q];
        if (c == '0' || c == '1')
            digits++;
        else if ((c >= '2' && c <= '9') || c == '/' || c == '.' || c == ',')
            return 0;
        else if (c >= 0x80 || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            letters++;
    }
    if (!digits || digits > 2 || letters < 3)
        return 0;
    char f[64];
    int fl = text_lexicon_fold(w, n, f, sizeof f);
    if (fl <= 0)
        return 0;
    for (unsigned combo = 0; combo < 4; combo++) {
        char g[64];
        memcpy(g, f, (size_t)fl);
        unsigned one = 0;
        for (int q = 0; q < fl; q++) {
            if (g[q] == '0')
                g[q] = 'o';
            else if (g[q] == '1')
                g[q] = (combo >> (one++ & 1)) & 1 ? 'l' : 'i';
        }
        unsigned lx = text_lexicon_get(&s->d->lex, g, (size_t)fl);
        /* (a first name that is a word too when capitalised: "Aurél1e") */
        if ((lx & (LEX_FIRST | LEX_LAST)) && (!(lx & (LEX_WORD | LEX_MED)) || k->cap))
            return (lx & LEX_FIRST) && !(lx & LEX_LAST) ? AT_PHI_PRENOM : AT_PHI_NOM;
        if ((lx & (LEX_PLACE | LEX_CITY)) && !(lx & (LEX_WORD | LEX_MED)))
            return AT_PHI_VILLE; /* "BESANÇ0N", "BAST1A" */
        /* a compound first name ("marie-0dile"): its parts */
        char *h = memchr(g, '-', (size_t)fl);
        if (h) {
            size_t a = (size_t)(h - g) + 1;
            unsigned l2 = text_lexicon_get(&s->d->lex, g + a, (size_t)fl - a);
            unsigned l1 = text_lexicon_get(&s->d->lex, g, a - 1);
            if ((l1 & LEX_FIRST) && (l2 & LEX_FIRST))
                return AT_PHI_PRENOM;
        }
    }
    return 0;
}

/* A word in capitals the OCR wrote with an 'l' for an 'I' ("AVlGNON",
 * "DlNAN", "MARTlNEZ"): with its I back, a place, a surname or a first
 * name of the lists and no word of the language. The label, or 0. */
static int ocr_caps_name(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s, upper = 0, ells = 0;
    if (n < 4 || n > 30)
        return 0;
    char f[32];
    const char *w = s->t + k->s;
    for (size_t q = 0; q < n; q++) {
        char c = w[q];
        if (c >= 'A' && c <= 'Z') {
            upper++;
            f[q] = (char)(c | 0x20);
        } else if (c == 'l' && q > 0) {
            ells++;
            f[q] = 'i';
        } else {
            return 0;
        }
    }
    if (!ells || upper < 3 || ells > 2)
        return 0;
    unsigned lx = text_lexicon_get(&s->d->lex, f, n);
    if (lx & (LEX_WORD | LEX_MED))
        return 0;
    if (lx & (LEX_PLACE | LEX_CITY))
        return AT_PHI_VILLE;
    if (lx & (LEX_FIRST | LEX_LAST))
        return (lx & LEX_FIRST) && !(lx & LEX_LAST) ? AT_PHI_PRENOM : AT_PHI_NOM;
    return 0;
}

/* From token i: an optional comma, "le", an optional weekday, then a date
 * found: 2 with the comma, 1 without, 0 when none. */
static int dateline(const text_scan *s, size_t i)
{
    int comma = i < s->n && s->tok[i].kind == TOK_PUNCT && s->t[s->tok[i].s] == ',';
    i += (size_t)comma;
    if (i + 1 >= s->n || s->tok[i].nl || !tok_is(s, i, "le"))
        return 0;
    i++;
    char f[16];
    int fl = i + 1 < s->n && !s->lab[i] && s->tok[i].kind == TOK_WORD && tok_may_be_weekday(s, i) &&
                     s->tok[i].e - s->tok[i].s < sizeof f
                 ? text_lexicon_fold(s->t + s->tok[i].s, s->tok[i].e - s->tok[i].s, f, sizeof f)
                 : -1;
    if (fl > 0 && text_weekday_of(f, (size_t)fl))
        i++;
    return i < s->n && !s->tok[i].nl && s->lab[i] == AT_PHI_DATE ? 1 + comma : 0;
}

void deid_pass_allow(text_scan *s, const tag_doc *c)
{
    static const int lists[] = {TEXT_LIST_NAME, TEXT_LIST_ODD, TEXT_LIST_CUE};
    for (size_t l = 0; l < 3; l++)
        for (size_t q = 0; q < s->nlist[lists[l]]; q++)
            allow_token(s, c, s->list[lists[l]][q]);
}

/* (the pass over each token the tokeniser listed) */
static void allow_token(text_scan *s, const tag_doc *c, size_t i)
{
    {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || s->lab[i] || (k->aux & TOK_AUX_SAFE) || k->e - k->s > 60)
            return;
        if (other_script_name(s->t + k->s, k->e - k->s)) {
            if (mark(s, i, i + 1, AT_PHI_NOM))
                deid_names_add(s, i, i + 1);
            return;
        }
        if (k->cap && !k->allcaps) {
            int l = ocr_caps_name(s, i);
            if (l) {
                if (mark(s, i, i + 1, l) && l != AT_PHI_VILLE)
                    deid_names_add(s, i, i + 1);
                return;
            }
        }
        if (k->aux & TOK_AUX_DIGIT) {
            int l = ocr_name(s, i);
            if (l) {
                if (mark(s, i, i + 1, l) && l != AT_PHI_VILLE)
                    deid_names_add(s, i, i + 1);
                return;
            }
        }
        int dated = !k->cap && !k->allcaps && (k->nl || i == 0) && k->e - k->s >= 3 ? dateline(s, i + 1) : 0;
        if ((k->lex & LEX_CITY) && (dated == 2 || (dated && !(k->lex & LEX_WORD)))) {
            mark(s, i, i + 1, AT_PHI_VILLE);
            return;
        }
        if (deid_known_safe(s, i) || context_safe(s, c, i))
            return;
        int named = (k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) != 0;
        char pf[96];
        int pfl = k->e - k->s < 90 ? text_lexicon_fold(s->t + k->s, k->e - k->s, pf, sizeof pf) : -1;
        int place = pfl > 0 && deid_place_compound(pf, (size_t)pfl);
        /* a login: an initial, or two consonants, glued to a surname of
         * the lists ("kpichon", "jpdupont" in an audit log's user column;
         * not "anjouan") */
        int login = 0;
        for (int skip = 1; skip <= 2 && !login && !k->cap && !k->allcaps && pfl - skip >= 5; skip++)
            login = pf[0] >= 'a' && pf[0] <= 'z' &&
                    (skip == 1 || (pf[1] >= 'a' && pf[1] <= 'z' && !strchr("aeiouy", pf[0]) &&
                                   !strchr("aeiouy", pf[1]))) &&
                    (text_lexicon_get(&s->d->lex, pf + skip, (size_t)(pfl - skip)) & (LEX_LAST | LEX_MED)) ==
                        LEX_LAST;
        named |= login;
        /* a word in lower case opening a line before "le" and a date (a
         * letter's "avignon, le lundi vingt octobre"): a commune of the
         * lists (one that is also a word of the language, "limoges", only
         * before the comma), or no word of the language ("vu le") */
        place |= dated;
        /* an unknown word after "à" in lower case ("habite à plouguin") */
        place |=
            !k->cap && !k->allcaps && i > 0 && !k->nl && tok_is(s, i - 1, "\xC3\xA0") && k->e - k->s >= 4;
        if (!k->cap && !k->allcaps && !named && !place) {
            /* an unknown word in lower case: a name only when the tagger
             * leans that way or a title, relative or label stands before */
            /* (or glued by '_' after a word taken: a handle's part,
             * "duncan_runs_geneva") */
            int cue = i >= 2 && is_punct(s, i - 1, '_') && s->tok[i - 1].s == s->tok[i - 2].e &&
                      s->tok[i].s == s->tok[i - 1].e && s->lab[i - 2];
            for (size_t q = i, hop = 0; !cue && q > 0 && hop < 2; q--, hop++) {
                const text_tok *p = &s->tok[q - 1];
                cue = (p->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)) || (p->lex & LEX_KIN) ||
                      s->lab[q - 1] == AT_PHI_NOM || s->lab[q - 1] == AT_PHI_PRENOM;
                if (s->tok[q - 1].nl)
                    break;
            }
            if (!cue)
                return;
        }
        int label, digit = 0;
        for (uint32_t b = k->s; b < k->e; b++)
            digit |= (unsigned)(s->t[b] - '0') < 10u;
        /* (a protein change or a count per unit names no one:
         * "p.Ser1982ArgfsTer22") */
        if (digit && deid_variant_or_count(s, i, i + 1))
            return;
        if (digit)
            label = AT_PHI_ID;
        else if (k->allcaps && deid_acronym_place(s, i))
            label = AT_PHI_HOPITAL;
        else if (place)
            label = AT_PHI_VILLE;
        else if (login)
            label = AT_PHI_NOM;
        else if (c->cand[i] && c->cand[i] != TAG_CAND_LINE && s->d->tagger)
            label = tag_to_label(c->best[i]);
        else if ((k->lex & (LEX_PLACE | LEX_CITY)) && !(k->lex & (LEX_FIRST | LEX_LAST)))
            label = AT_PHI_VILLE;
        else if ((k->lex & LEX_FIRST) && !(k->lex & LEX_LAST))
            label = AT_PHI_PRENOM;
        else
            label = AT_PHI_NOM;
        if (mark(s, i, i + 1, label) && (label == AT_PHI_NOM || label == AT_PHI_PRENOM))
            deid_names_add(s, i, i + 1);
    }
}
