/* The rules of extraction that look around a mention: keyword classes,
 * CTCAE grades written after an event, the scope of negation, hypothesis,
 * family and history cues, dose units, TNM, calendar months, and the
 * number of drugs of the common regimens. */
#include "extract_internal.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    const char *word;
    unsigned kw;
    int value;
} ex_keyword;

static const ex_keyword keywords[] = {
    {"pas", KW_NEG_PRE | KW_STOP_GRADE, 0},
    {"absence", KW_NEG_PRE, 0},
    {"sans", KW_NEG_PRE | KW_STOP_GRADE, 0},
    {"aucun", KW_NEG_PRE, 0},
    {"aucune", KW_NEG_PRE, 0},
    {"ni", KW_NEG_PRE | KW_LIST | KW_STOP_GRADE, 0},
    {"non", KW_NEG_PRE, 0},
    {"negatif", KW_NEG_POST, 0},
    {"negative", KW_NEG_POST, 0},
    {"exclu", KW_NEG_POST, 0},
    {"exclue", KW_NEG_POST, 0},
    {"elimine", KW_NEG_POST, 0},
    {"eliminee", KW_NEG_POST, 0},
    {"suspicion", KW_HYP_PRE, 0},
    {"probable", KW_HYP_PRE, 0},
    {"possible", KW_HYP_PRE, 0},
    {"eventuel", KW_HYP_PRE, 0},
    {"eventuelle", KW_HYP_PRE, 0},
    {"evoque", KW_HYP_PRE, 0},
    {"evoquant", KW_HYP_PRE, 0},
    {"hypothese", KW_HYP_PRE, 0},
    {"suspecte", KW_HYP_PRE, 0},
    {"suspectee", KW_HYP_PRE, 0},
    {"mere", KW_FAM, 0},
    {"pere", KW_FAM, 0},
    {"frere", KW_FAM, 0},
    {"soeur", KW_FAM, 0},
    {"tante", KW_FAM, 0},
    {"oncle", KW_FAM, 0},
    {"grand-mere", KW_FAM, 0},
    {"grand-pere", KW_FAM, 0},
    {"familial", KW_FAM, 0},
    {"familiale", KW_FAM, 0},
    {"famille", KW_FAM, 0},
    {"cousin", KW_FAM, 0},
    {"cousine", KW_FAM, 0},
    {"antecedent", KW_HIST, 0},
    {"antecedents", KW_HIST, 0},
    {"atcd", KW_HIST, 0},
    {"ancien", KW_HIST, 0},
    {"ancienne", KW_HIST, 0},
    {"mais", KW_SCOPE_END, 0},
    {"cependant", KW_SCOPE_END, 0},
    {"toutefois", KW_SCOPE_END, 0},
    {"neanmoins", KW_SCOPE_END, 0},
    {"pourtant", KW_SCOPE_END, 0},
    {"sauf", KW_SCOPE_END, 0},
    {"hormis", KW_SCOPE_END, 0},
    {"revanche", KW_SCOPE_END, 0},
    {"contre", KW_SCOPE_END, 0},
    {"de", KW_LIST, 0},
    {"d", KW_LIST, 0},
    {"du", KW_LIST, 0},
    {"des", KW_LIST, 0},
    {"ou", KW_LIST | KW_STOP_GRADE, 0},
    {"et", KW_LIST | KW_STOP_GRADE, 0},
    {"avec", KW_STOP_GRADE, 0},
    {"oms", KW_PS, 0},
    {"ecog", KW_PS, 0},
    {"ps", KW_PS, 0},
    {"performance", KW_PS, 0},
    {"patient", KW_AGE_CTX, 0},
    {"patiente", KW_AGE_CTX, 0},
    {"homme", KW_AGE_CTX, 0},
    {"femme", KW_AGE_CTX, 0},
    {"age", KW_AGE_CTX, 0},
    {"agee", KW_AGE_CTX, 0},
    {"monsieur", KW_AGE_CTX, 0},
    {"madame", KW_AGE_CTX, 0},
    {"enfant", KW_AGE_CTX, 0},
    {"hospitalisation", KW_ADMIT, 0},
    {"hospitalisations", KW_ADMIT, 0},
    {"hospitalise", KW_ADMIT, 0},
    {"hospitalisee", KW_ADMIT, 0},
    {"hospitalises", KW_ADMIT, 0},
    {"hospitalisees", KW_ADMIT, 0},
    {"cycle", KW_CYCLE, 0},
    {"cure", KW_CYCLE, 0},
    {"un", KW_NUMWORD, 1},
    {"une", KW_NUMWORD, 1},
    {"deux", KW_NUMWORD, 2},
    {"trois", KW_NUMWORD, 3},
    {"quatre", KW_NUMWORD, 4},
    {"cinq", KW_NUMWORD, 5},
    {"six", KW_NUMWORD, 6},
    {"sept", KW_NUMWORD, 7},
    {"huit", KW_NUMWORD, 8},
    {"neuf", KW_NUMWORD, 9},
    {"dix", KW_NUMWORD, 10},
    {"hier", KW_REL, 0},
    {"avant-hier", KW_REL, 0},
    {"demain", KW_REL, 0},
    {"aujourd", KW_REL, 0},
    {"ce", KW_REL, 0},
    {"il", KW_REL, 0},
    {"dans", KW_REL, 0},
    {"iv", KW_ROUTE, 0},
    {"ivl", KW_ROUTE, 0},
    {"intraveineuse", KW_ROUTE, 0},
    {"sc", KW_ROUTE, 0},
    {"sous-cutanee", KW_ROUTE, 0},
    {"im", KW_ROUTE, 0},
    {"per", KW_ROUTE, 0},
    {"voie", KW_ROUTE, 0},
    {"auc", KW_OTHER, 0},
    {"acide", KW_OTHER, 0},
    {"karnofsky", KW_OTHER, 0},
};

static const struct {
    const char *name;
    int drugs;
} regimen_table[] = {
    {"folfox", 3}, {"folfiri", 3}, {"folfirinox", 4}, {"folfoxiri", 4}, {"xelox", 2}, {"capox", 2},
    {"r-chop", 5}, {"chop", 4},    {"ec", 2},         {"ac", 2},        {"tc", 2},    {"fec", 3},
    {"abvd", 4},   {"beacopp", 7}, {"bep", 3},        {"mvac", 4},      {"gemox", 2}, {"lv5fu2", 2},
    {"tcf", 3},    {"dcf", 3},     {"flot", 4},       {"eox", 3},       {"r-cvp", 4}, {"r-benda", 2},
};

/* Words of the adverse-event terms (first words get KW_AE). */
extern const char *const ex_ae_first_words[];

int ex_regimen_drugs(const char *f)
{
    for (size_t i = 0; i < sizeof regimen_table / sizeof *regimen_table; i++)
        if (!strcmp(f, regimen_table[i].name))
            return regimen_table[i].drugs;
    return 0;
}

at_status ex_add_keywords(text_dict *d)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords && !st; i++)
        st = text_dict_add(d, keywords[i].word, strlen(keywords[i].word), keywords[i].kw, keywords[i].value);
    for (size_t i = 0; i < sizeof regimen_table / sizeof *regimen_table && !st; i++)
        st = text_dict_add(d, regimen_table[i].name, strlen(regimen_table[i].name), KW_REGIMEN, 0);
    for (size_t i = 0; ex_ae_first_words[i] && !st; i++)
        st = text_dict_add(d, ex_ae_first_words[i], strlen(ex_ae_first_words[i]), KW_AE, 0);
    return st;
}

/* A roman numeral I..V (folded) or 0. */
static int roman(const char *f)
{
    static const char *const r[] = {"i", "ii", "iii", "iv", "v"};
    for (int k = 0; k < 5; k++)
        if (!strcmp(f, r[k]))
            return k + 1;
    return 0;
}

/* A grade value in f: "3", "2-3" (the higher), "iii"; 0 when none. */
static int grade_value(const char *f)
{
    if (f[0] >= '0' && f[0] <= '5' && !f[1])
        return f[0] - '0';
    if (f[0] >= '0' && f[0] <= '5' && f[1] == '-' && f[2] >= '0' && f[2] <= '5' && !f[3])
        return f[2] > f[0] ? f[2] - '0' : f[0] - '0';
    return roman(f);
}

int ex_read_grade(const ex_tok *t, size_t n, size_t i, size_t *end)
{
    for (size_t j = i; j < n && j < i + 4; j++) {
        const ex_tok *k = &t[j];
        /* the grade belongs to the clause of the event: not after a
         * sentence end, a comma or a colon (but "(G2)", and "grade" or "G2"
         * right after the term), nor after "mais", "et", "sans", another event */
        int first = j == i;
        if (k->brk & EX_BRK_SENT)
            return 0;
        int is_grade_word = !strcmp(k->f, "grade") || (k->f[0] == 'g' && k->f[1] >= '0' && k->f[1] <= '5');
        if ((k->brk & (EX_BRK_COMMA | EX_BRK_COLON)) && !(first && is_grade_word))
            return 0;
        if (k->kw & (KW_SCOPE_END | KW_STOP_GRADE | KW_AE | KW_DRUG | KW_REGIMEN))
            return 0;
        if (!strcmp(k->f, "grade") && j + 1 < n && !(t[j + 1].brk & EX_BRK_SENT)) {
            int g = grade_value(t[j + 1].f);
            if (g) {
                *end = j + 2;
                return g;
            }
            return 0;
        }
        if (k->f[0] == 'g' && grade_value(k->f + 1)) {
            *end = j + 1;
            return grade_value(k->f + 1);
        }
    }
    return 0;
}

/* The qualifiers a keyword class cues before a mention. */
static unsigned cue_of(unsigned kw)
{
    return (kw & KW_NEG_PRE ? AT_QUAL_NEGATED : 0) | (kw & KW_HYP_PRE ? AT_QUAL_HYPOTHESIS : 0) |
           (kw & KW_FAM ? AT_QUAL_FAMILY : 0) | (kw & KW_HIST ? AT_QUAL_HISTORY : 0);
}

/* Move sc forward to token a (< n): a clause starts at a token after a
 * sentence end or after "mais" and its kin; for a graded mention also at
 * a comma that does not go on with a list ("pas de mucite, neutropénie
 * fébrile grade 4"), while a list goes on ("pas de nausées, de
 * vomissements"). */
static void scope_walk(ex_scope *sc, const ex_tok *t, size_t a)
{
    if (a < sc->at) {
        size_t steps = sc->steps;
        memset(sc, 0, sizeof *sc);
        sc->steps = steps;
    }
    for (; sc->at < a; sc->at++, sc->steps++) {
        const ex_tok *k = &t[sc->at + 1];
        unsigned c = cue_of(t[sc->at].kw);
        sc->cue[0] |= c;
        sc->cue[1] |= c;
        if ((k->brk & EX_BRK_SENT) || (t[sc->at].kw & KW_SCOPE_END))
            sc->cue[0] = sc->cue[1] = 0;
        else if ((k->brk & EX_BRK_COMMA) && !(k->kw & KW_LIST))
            sc->cue[1] = 0;
    }
}

unsigned ex_qualify(ex_scope *sc, const ex_tok *t, size_t n, size_t a, size_t b, int graded)
{
    scope_walk(sc, t, a);
    unsigned q = sc->cue[graded ? 1 : 0];
    /* after it: "négatif", "à éliminer", within its clause */
    for (size_t j = b; j < n && j < b + 5; j++) {
        if ((t[j].brk & (EX_BRK_SENT | EX_BRK_COMMA)) || (t[j].kw & (KW_SCOPE_END | KW_AE)))
            break;
        if (t[j].kw & KW_NEG_POST)
            q |= AT_QUAL_NEGATED;
        if (!strcmp(t[j].f, "a") && j + 1 < n && !(t[j + 1].brk & EX_BRK_SENT) &&
            (ex_is(t, n, j + 1, "eliminer") || ex_is(t, n, j + 1, "confirmer") ||
             ex_is(t, n, j + 1, "rechercher")))
            q |= AT_QUAL_HYPOTHESIS;
    }
    return q;
}

static int is_wordc(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    if (c < 0x80 || c == 0xC2)
        return 0;
    if (c == 0xE2 && left > 1 && p[1] == 0x80)
        return 0;
    return 1;
}

int ex_unit_at(const char *text, size_t len, size_t i, char *unit, size_t cap, size_t *end)
{
    static const char *const units[] = {"mg/m²", "mg/m2", "mg/kg", "µg/kg", "g/m²", "g/m2", "mg",   "µg",
                                        "mcg",   "UI",    "ui",    "mL",    "ml",   "g",    "mmol", NULL};
    while (i < len && text[i] == ' ')
        i++;
    for (const char *const *u = units; *u; u++) {
        size_t ul = strlen(*u);
        if (i + ul <= len && !memcmp(text + i, *u, ul) &&
            (i + ul == len || !is_wordc((const unsigned char *)text + i + ul, len - i - ul))) {
            snprintf(unit, cap, "%s", !strcmp(*u, "mg/m²") ? "mg/m2" : !strcmp(*u, "g/m²") ? "g/m2" : *u);
            *end = i + ul;
            return 1;
        }
    }
    return 0;
}

/* TNM at raw offset s: [cpyr]{0,2}T(0-4|is|x)[a-d]? N(0-3|x)[a-c]? (M(0|1|x)[a-c]?)?, parts
 * possibly separated by one space, "(sn)" or "(i+)" after N allowed. */
size_t ex_scan_tnm(const char *t, size_t len, size_t s)
{
    size_t i = s;
    while (i < len && i - s < 2 && (t[i] == 'c' || t[i] == 'p' || t[i] == 'y' || t[i] == 'r'))
        i++;
    if (i >= len || t[i] != 'T')
        return 0;
    i++;
    if (i + 1 < len && t[i] == 'i' && t[i + 1] == 's')
        i += 2;
    else if (i < len && ((t[i] >= '0' && t[i] <= '4') || t[i] == 'x' || t[i] == 'X'))
        i++;
    else
        return 0;
    while (i < len && t[i] >= 'a' && t[i] <= 'd')
        i++;
    if (i < len && t[i] == ' ')
        i++;
    if (i >= len || t[i] != 'N')
        return 0;
    i++;
    if (i < len && ((t[i] >= '0' && t[i] <= '3') || t[i] == 'x' || t[i] == 'X'))
        i++;
    else
        return 0;
    while (i < len && t[i] >= 'a' && t[i] <= 'c')
        i++;
    if (i + 3 < len && t[i] == '(' &&
        (!memcmp(t + i, "(sn)", 4) || !memcmp(t + i, "(i+)", 4) || !memcmp(t + i, "(i-)", 4)))
        i += 4;
    size_t j = i < len && t[i] == ' ' ? i + 1 : i;
    if (j + 1 < len && t[j] == 'M' &&
        (t[j + 1] == '0' || t[j + 1] == '1' || t[j + 1] == 'x' || t[j + 1] == 'X')) {
        i = j + 2;
        while (i < len && t[i] >= 'a' && t[i] <= 'c')
            i++;
    }
    if (i < len && is_wordc((const unsigned char *)t + i, len - i))
        return 0;
    return i;
}

long ex_add_months(long days, int months)
{
    long y;
    int m, d;
    at_civil_from_days(days, &y, &m, &d);
    long total = y * 12 + (m - 1) + months;
    y = total >= 0 ? total / 12 : -((-total + 11) / 12);
    m = (int)(total - y * 12) + 1;
    int last = at_days_in_month(y, m);
    return at_days_from_civil(y, m, d < last ? d : last);
}
