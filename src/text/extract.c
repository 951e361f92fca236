/* Structuring of French oncology notes: drugs (dictionary with ATC codes),
 * doses, routes, dates (ISO, relative dates resolved), regimens with cycle
 * numbers, TNM, performance status, adverse events with CTCAE grades; each
 * qualified for negation, hypothesis, family and history by cues in its
 * sentence. */
#include "deid_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EX_MAX_TEXT ((size_t)64 << 20)

typedef struct {
    char atc[16], inn[48];
} drug_entry;

struct at_text_extractor {
    text_dict dict; /* folded drug names, value = index + 1 */
    drug_entry *drugs;
    size_t ndrugs;
};

typedef struct {
    uint32_t s, e;
    char f[48]; /* folded */
    int num;    /* all digits */
    int sent;   /* sentence index */
} ex_tok;

static const char *const type_names[AT_MENTION_COUNT] = {"NONE", "DRUG", "DOSE", "ROUTE", "DATE",
                                                         "REGIMEN", "TNM", "PS", "AE"};

const char *at_mention_type_name(int t) { return t > 0 && t < AT_MENTION_COUNT ? type_names[t] : "NONE"; }

void at_text_extractor_free(at_text_extractor *x)
{
    if (!x)
        return;
    text_dict_free(&x->dict);
    at_free(x->drugs);
    at_free(x);
}

at_status at_text_extractor_new(const char *dict_dir, at_text_extractor **out)
{
    *out = NULL;
    at_text_extractor *x = at_calloc(1, sizeof *x);
    if (!x)
        return AT_ERR_NOMEM;
    at_status st = text_dict_init(&x->dict, 1024);
    char *path = at_path_join(dict_dir ? dict_dir : ATELIER_SOURCE_DIR "/data/text", "medicaments.txt");
    unsigned char *data = NULL;
    size_t len = 0;
    if (!st)
        st = path ? at_file_read(path, 1u << 20, &data, &len) : AT_ERR_NOMEM;
    if (!st && at_text_utf8_check((const char *)data, len, NULL))
        st = at_error_set(AT_ERR_FORMAT, "%s: not UTF-8", path);
    size_t line = 0;
    for (char *p = (char *)data, *end = p + len; !st && p && p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *le = nl ? nl : end;
        if (*p != '#' && le > p) {
            char *a = memchr(p, ';', (size_t)(le - p));
            char *b = a ? memchr(a + 1, ';', (size_t)(le - a - 1)) : NULL;
            if (!a || !b || a - p > 40 || b - a - 1 >= 16 || le - b - 1 >= 48) {
                st = at_error_set(AT_ERR_FORMAT, "%s: line %zu: expected name;ATC;INN", path, line + 1);
                break;
            }
            drug_entry *nd = at_realloc(x->drugs, (x->ndrugs + 1) * sizeof *nd);
            if (!nd) {
                st = AT_ERR_NOMEM;
                break;
            }
            x->drugs = nd;
            snprintf(nd[x->ndrugs].atc, sizeof nd->atc, "%.*s", (int)(b - a - 1), a + 1);
            snprintf(nd[x->ndrugs].inn, sizeof nd->inn, "%.*s", (int)(le - b - 1), b + 1);
            char f[96];
            int fl = at_text_fold(p, (size_t)(a - p), f, sizeof f);
            st = fl > 0 ? text_dict_add(&x->dict, f, (size_t)fl, 1, (int)++x->ndrugs) : AT_ERR_FORMAT;
        }
        p = le + 1;
    }
    at_free(data);
    at_free(path);
    if (st) {
        at_text_extractor_free(x);
        return st;
    }
    *out = x;
    return AT_OK;
}

void at_text_mentions_free(at_text_mentions *m)
{
    at_free(m->v);
    memset(m, 0, sizeof *m);
}

static at_text_mention *push(at_text_mentions *m, const ex_tok *t, size_t a, size_t b, int type)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        at_text_mention *v = at_realloc(m->v, cap * sizeof *v);
        if (!v)
            return NULL;
        m->v = v;
        m->cap = cap;
    }
    at_text_mention *x = &m->v[m->n++];
    memset(x, 0, sizeof *x);
    x->start = t[a].s;
    x->len = t[b - 1].e - t[a].s;
    x->type = type;
    return x;
}

static int is_wordc(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    if (c < 0x80 || c == 0xC2)
        return 0;
    if (c == 0xE2 && left > 1 && (unsigned char)p[1] == 0x80)
        return 0;
    return 1;
}

static at_status tokenise(const char *text, size_t len, ex_tok **out, size_t *n)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t cap = len / 4 + 16, k = 0;
    ex_tok *v = at_malloc(cap * sizeof *v);
    if (!v)
        return AT_ERR_NOMEM;
    int sent = 0;
    for (size_t i = 0; i < len;) {
        if (!is_wordc(t + i, len - i)) {
            if (t[i] == '.' || t[i] == ';' || t[i] == '\n' || t[i] == '!' || t[i] == '?') {
                /* a decimal point is not a sentence end */
                if (!(t[i] == '.' && i > 0 && i + 1 < len && t[i - 1] >= '0' && t[i - 1] <= '9' && t[i + 1] >= '0' &&
                      t[i + 1] <= '9'))
                    sent++;
            }
            i++;
            continue;
        }
        size_t a = i;
        int num = 1;
        while (i < len) {
            if (is_wordc(t + i, len - i)) {
                num &= t[i] >= '0' && t[i] <= '9';
                i++;
            } else if (t[i] == '-' && i + 1 < len && is_wordc(t + i + 1, len - i - 1)) {
                num = 0;
                i++;
            } else {
                break;
            }
        }
        if (k == cap) {
            cap *= 2;
            ex_tok *nv = at_realloc(v, cap * sizeof *nv);
            if (!nv) {
                at_free(v);
                return AT_ERR_NOMEM;
            }
            v = nv;
        }
        v[k].s = (uint32_t)a;
        v[k].e = (uint32_t)i;
        v[k].num = num;
        v[k].sent = sent;
        if (at_text_fold(text + a, i - a < 40 ? i - a : 40, v[k].f, sizeof v[k].f) < 0)
            v[k].f[0] = 0;
        k++;
    }
    *out = v;
    *n = k;
    return AT_OK;
}

static int is(const ex_tok *t, size_t n, size_t i, const char *w) { return i < n && !strcmp(t[i].f, w); }

static int in_list(const char *f, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(f, *list))
            return 1;
    return 0;
}

static const char *const regimens[] = {"folfox", "folfiri", "folfirinox", "folfoxiri", "xelox", "capox", "r-chop",
                                       "chop", "ec", "ac", "tc", "fec", "abvd", "beacopp", "bep", "mvac", "gemox",
                                       "lv5fu2", "tcf", "dcf", "flot", "eox", "r-cvp", "r-benda", NULL};
static const struct {
    const char *term, *canon;
} ae_terms[] = {{"neutropenie febrile", "neutropénie fébrile"}, {"syndrome main-pied", "syndrome main-pied"},
                {"neuropathie peripherique", "neuropathie périphérique"}, {"eruption cutanee", "éruption cutanée"},
                {"insuffisance renale", "insuffisance rénale"}, {"cytolyse hepatique", "cytolyse hépatique"},
                {"neutropenie", "neutropénie"}, {"anemie", "anémie"}, {"thrombopenie", "thrombopénie"},
                {"mucite", "mucite"}, {"stomatite", "stomatite"}, {"diarrhee", "diarrhée"}, {"nausees", "nausées"},
                {"vomissements", "vomissements"}, {"neuropathie", "neuropathie"}, {"asthenie", "asthénie"},
                {"alopecie", "alopécie"}, {"hypertension", "hypertension"}, {"proteinurie", "protéinurie"},
                {"colite", "colite"}, {"pneumopathie", "pneumopathie"}, {"thrombose", "thrombose"},
                {"constipation", "constipation"}, {"anorexie", "anorexie"}, {"dysgueusie", "dysgueusie"},
                {"hypothyroidie", "hypothyroïdie"}, {"rash", "rash"}, {"sepsis", "sepsis"}};

/* Match a folded multi-word term at token i; returns tokens used or 0. */
static size_t match_words(const ex_tok *t, size_t n, size_t i, const char *term)
{
    size_t k = 0;
    const char *p = term;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        if (i + k >= n || strlen(t[i + k].f) != wl || memcmp(t[i + k].f, p, wl))
            return 0;
        k++;
        p += wl + (sp ? 1 : 0);
    }
    return k;
}

static int read_grade(const ex_tok *t, size_t n, size_t i, size_t *end)
{
    /* "grade 3", "de grade 3", "G3", "(G2)" within the next 4 tokens of the sentence */
    for (size_t j = i; j < n && j < i + 4 && t[j].sent == t[i > 0 ? i - 1 : 0].sent; j++) {
        if (!strcmp(t[j].f, "grade") && j + 1 < n && t[j + 1].num) {
            *end = j + 2;
            return atoi(t[j + 1].f);
        }
        if (t[j].f[0] == 'g' && t[j].f[1] >= '0' && t[j].f[1] <= '5' && !t[j].f[2]) {
            *end = j + 1;
            return t[j].f[1] - '0';
        }
    }
    return 0;
}

static void iso(char *out, size_t cap, long days)
{
    int y, m, d;
    text_civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
}

static const char *const neg_pre[] = {"pas", "absence", "sans", "aucun", "aucune", "ni", "non", NULL};
static const char *const neg_post[] = {"negatif", "negative", "exclu", "exclue", "elimine", "eliminee", NULL};
static const char *const hyp_pre[] = {"suspicion", "probable", "possible", "eventuel", "eventuelle", "evoque",
                                      "evoquant", "hypothese", "suspecte", "suspectee", NULL};
static const char *const fam_pre[] = {"mere", "pere", "frere", "soeur", "tante", "oncle", "grand-mere", "grand-pere",
                                      "familial", "familiale", "famille", "cousin", "cousine", NULL};
static const char *const hist_pre[] = {"antecedent", "antecedents", "atcd", "ancien", "ancienne", NULL};

static unsigned qualify(const ex_tok *t, size_t n, size_t a, size_t b)
{
    unsigned q = 0;
    int s = t[a].sent;
    size_t from = a;
    while (from > 0 && t[from - 1].sent == s && !is(t, n, from - 1, "mais"))
        from--;
    for (size_t j = from; j < a; j++) {
        if (in_list(t[j].f, neg_pre))
            q |= AT_QUAL_NEGATED;
        if (in_list(t[j].f, hyp_pre))
            q |= AT_QUAL_HYPOTHESIS;
        if (in_list(t[j].f, fam_pre))
            q |= AT_QUAL_FAMILY;
        if (in_list(t[j].f, hist_pre))
            q |= AT_QUAL_HISTORY;
    }
    for (size_t j = b; j < n && j < b + 5 && t[j].sent == s; j++) {
        if (in_list(t[j].f, neg_post))
            q |= AT_QUAL_NEGATED;
        if (!strcmp(t[j].f, "a") && j + 1 < n &&
            (is(t, n, j + 1, "eliminer") || is(t, n, j + 1, "confirmer") || is(t, n, j + 1, "rechercher")))
            q |= AT_QUAL_HYPOTHESIS;
    }
    return q;
}


static int unit_at(const char *text, size_t len, size_t i, char *unit, size_t cap, size_t *end)
{
    static const char *const units[] = {"mg/m²", "mg/m2", "mg/kg", "µg/kg", "g/m²", "g/m2", "mg", "µg", "mcg",
                                        "UI",    "ui",    "mL",    "ml",    "g",    "mmol", NULL};
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
static size_t scan_tnm(const char *t, size_t len, size_t s)
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
    if (i + 3 < len && t[i] == '(' && (!memcmp(t + i, "(sn)", 4) || !memcmp(t + i, "(i+)", 4) || !memcmp(t + i, "(i-)", 4)))
        i += 4;
    size_t j = i < len && t[i] == ' ' ? i + 1 : i;
    if (j + 1 < len && t[j] == 'M' && (t[j + 1] == '0' || t[j + 1] == '1' || t[j + 1] == 'x' || t[j + 1] == 'X')) {
        i = j + 2;
        while (i < len && t[i] >= 'a' && t[i] <= 'c')
            i++;
    }
    if (i < len && is_wordc((const unsigned char *)t + i, len - i))
        return 0;
    return i;
}

/* End of the number at token i, with a decimal part ("2,5", "1.5"). */
static size_t num_end(const ex_tok *t, size_t n, size_t i, const char *text, size_t len)
{
    size_t e = t[i].e;
    if (e + 1 < len && (text[e] == ',' || text[e] == '.') && i + 1 < n && t[i + 1].num && t[i + 1].s == e + 1)
        return t[i + 1].e;
    return e;
}

static size_t tok_until(const ex_tok *t, size_t n, size_t i, size_t end)
{
    while (i < n && t[i].s < end)
        i++;
    return i;
}

at_status at_text_extract(const at_text_extractor *x, const char *text, size_t len, const char *doc_date,
                          at_text_mentions *out)
{
    if (len > EX_MAX_TEXT)
        return at_error_set(AT_ERR_LIMIT, "extract: text of %zu bytes exceeds the limit", len);
    ex_tok *t = NULL;
    size_t n = 0;
    at_status st = tokenise(text, len, &t, &n);
    if (st)
        return st;
    long doc = -1;
    int y, m, d;
    if (doc_date && sscanf(doc_date, "%d-%d-%d", &y, &m, &d) == 3)
        doc = text_days_from_civil(y, m, d);
    for (size_t i = 0; i < n && doc < 0; i++) {
        int ymd;
        if (t[i].num && text_scan_date_numeric(text, len, t[i].s, &ymd) && ymd >= 10000000)
            doc = text_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
    }
    for (size_t i = 0; i < n && !st;) {
        const ex_tok *k = &t[i];
        at_text_mention *mm = NULL;
        size_t next = i + 1;
        int ymd, mon;
        size_t e;
        char unit[16];
        if (k->num && (e = text_scan_date_numeric(text, len, k->s, &ymd))) {
            next = tok_until(t, n, i, e);
            if (!(mm = push(out, t, i, next, AT_MENTION_DATE))) {
                st = AT_ERR_NOMEM;
                break;
            }
            if (ymd >= 10000000)
                iso(mm->value, sizeof mm->value, text_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100));
            else if (doc >= 0) {
                text_civil_from_days(doc, &y, &m, &d);
                iso(mm->value, sizeof mm->value, text_days_from_civil(y, ymd / 100, ymd % 100));
            }
        } else if ((k->num || !strcmp(k->f, "1er")) && strlen(k->f) <= 3 && i + 1 < n &&
                   (mon = text_month_of(t[i + 1].f, strlen(t[i + 1].f))) && atoi(k->f) >= 1 && atoi(k->f) <= 31) {
            int day = atoi(k->f), year = -1;
            next = i + 2;
            if (next < n && t[next].num && strlen(t[next].f) == 4)
                year = atoi(t[next++].f);
            if (!(mm = push(out, t, i, next, AT_MENTION_DATE))) {
                st = AT_ERR_NOMEM;
                break;
            }
            if (year < 0 && doc >= 0) {
                text_civil_from_days(doc, &y, &m, &d);
                year = y;
            }
            if (year > 0)
                iso(mm->value, sizeof mm->value, text_days_from_civil(year, mon, day));
        } else if (k->num && (i + 1 >= n || strcmp(t[i + 1].f, "ans")) && unit_at(text, len, num_end(t, n, i, text, len),
                                                                                  unit, sizeof unit, &e)) {
            size_t ne = num_end(t, n, i, text, len);
            next = tok_until(t, n, i, e);
            if (!(mm = push(out, t, i, next, AT_MENTION_DOSE))) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(mm->value, sizeof mm->value, "%.*s %s", (int)(ne - k->s) < 24 ? (int)(ne - k->s) : 24,
                     text + k->s, unit);
            for (char *c = mm->value; *c && *c != ' '; c++)
                if (*c == ',')
                    *c = '.';
        } else if (!strcmp(k->f, "auc") && i + 1 < n && t[i + 1].num) {
            next = i + 2;
            if (!(mm = push(out, t, i, next, AT_MENTION_DOSE))) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(mm->value, sizeof mm->value, "AUC %s", t[i + 1].f);
        } else if (!strcmp(k->f, "hier") || !strcmp(k->f, "avant-hier") || !strcmp(k->f, "demain") ||
                   !strcmp(k->f, "aujourd") || (is(t, n, i, "ce") && is(t, n, i + 1, "jour")) ||
                   (is(t, n, i, "il") && is(t, n, i + 1, "y") && is(t, n, i + 2, "a") && i + 4 < n && t[i + 3].num) ||
                   (is(t, n, i, "dans") && i + 2 < n && t[i + 1].num &&
                    (is(t, n, i + 2, "jours") || is(t, n, i + 2, "semaines") || is(t, n, i + 2, "mois")))) {
            long off = 0;
            int ok = 1;
            if (!strcmp(k->f, "hier"))
                off = -1;
            else if (!strcmp(k->f, "avant-hier"))
                off = -2;
            else if (!strcmp(k->f, "demain"))
                off = 1;
            else if (!strcmp(k->f, "aujourd")) {
                next = is(t, n, i + 1, "hui") ? i + 2 : i + 1;
            } else if (!strcmp(k->f, "ce"))
                next = i + 2;
            else {
                size_t q = !strcmp(k->f, "il") ? i + 3 : i + 1;
                long v = atol(t[q].f);
                const char *u = q + 1 < n ? t[q + 1].f : "";
                long mul = !strncmp(u, "jour", 4) ? 1 : !strncmp(u, "semaine", 7) ? 7 : !strcmp(u, "mois") ? 30
                           : !strncmp(u, "an", 2)                                   ? 365
                                                                                    : 0;
                ok = mul > 0;
                off = (!strcmp(k->f, "il") ? -1 : 1) * v * mul;
                next = q + 2;
            }
            if (ok) {
                if (!(mm = push(out, t, i, next, AT_MENTION_DATE))) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                if (doc >= 0)
                    iso(mm->value, sizeof mm->value, doc + off);
                else
                    snprintf(mm->value, sizeof mm->value, "relative:%+ldd", off);
            }
        } else if (k->f[0] && (in_list(k->f, regimens) ||
                               (strchr(k->f, '-') && text_dict_get(&x->dict, k->f, (size_t)(strchr(k->f, '-') - k->f), NULL)))) {
            next = i + 1;
            int cycle = 0;
            if (next < n && (t[next].f[0] == 'c') && t[next].f[1] >= '1' && t[next].f[1] <= '9' && t[next].s == k->e + 1) {
                cycle = atoi(t[next].f + 1);
                next++;
            } else if (next + 1 < n && (is(t, n, next, "cycle") || is(t, n, next, "cure")) && t[next + 1].num) {
                cycle = atoi(t[next + 1].f);
                next += 2;
            }
            if (!(mm = push(out, t, i, next, AT_MENTION_REGIMEN))) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(mm->value, sizeof mm->value, "%.*s", (int)(k->e - k->s), text + k->s);
            for (char *c = mm->value; *c; c++)
                if (*c >= 'a' && *c <= 'z' && in_list(k->f, regimens))
                    *c = (char)(*c - 32);
            mm->cycle = cycle;
        } else if (k->f[0] && (text_dict_get(&x->dict, k->f, strlen(k->f), &mon) ||
                               (i + 1 < n && !strcmp(k->f, "acide") && is(t, n, i + 1, "folinique") &&
                                text_dict_get(&x->dict, "acide folinique", 15, &mon)))) {
            next = !strcmp(k->f, "acide") ? i + 2 : i + 1;
            if (!(mm = push(out, t, i, next, AT_MENTION_DRUG))) {
                st = AT_ERR_NOMEM;
                break;
            }
            const drug_entry *de = &x->drugs[mon - 1];
            snprintf(mm->value, sizeof mm->value, "%s", de->inn);
            snprintf(mm->code, sizeof mm->code, "%s", de->atc);
        } else if (!strcmp(k->f, "iv") || !strcmp(k->f, "ivl") || !strcmp(k->f, "sc") || !strcmp(k->f, "im") ||
                   !strcmp(k->f, "intraveineuse") || !strcmp(k->f, "sous-cutanee") ||
                   (is(t, n, i, "per") && is(t, n, i + 1, "os")) ||
                   (is(t, n, i, "voie") && (is(t, n, i + 1, "orale") || is(t, n, i + 1, "intraveineuse") ||
                                             is(t, n, i + 1, "sous-cutanee")))) {
            int two = !strcmp(k->f, "per") || !strcmp(k->f, "voie");
            next = i + 1 + two;
            const char *w = two ? t[i + 1].f : k->f;
            if ((!strcmp(k->f, "iv") || !strcmp(k->f, "sc") || !strcmp(k->f, "im")) &&
                memcmp(text + k->s, k->f[0] == 'i' ? (k->f[1] == 'v' ? "IV" : "IM") : "SC", 2)) {
                i = next;
                continue; /* lower-case "sc", "im": not a route */
            }
            if (!(mm = push(out, t, i, next, AT_MENTION_ROUTE))) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(mm->value, sizeof mm->value, "%s",
                     !strcmp(w, "os") || !strcmp(w, "orale")                ? "PO"
                     : !strcmp(w, "sc") || !strcmp(w, "sous-cutanee")       ? "SC"
                     : !strcmp(w, "im")                                     ? "IM"
                                                                            : "IV");
        } else if ((e = scan_tnm(text, len, k->s))) {
            next = tok_until(t, n, i, e);
            if (!(mm = push(out, t, i, next, AT_MENTION_TNM))) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(mm->value, sizeof mm->value, "%.*s", (int)(e - k->s) < 60 ? (int)(e - k->s) : 60, text + k->s);
        } else if ((!strcmp(k->f, "oms") || !strcmp(k->f, "ecog") || !strcmp(k->f, "ps")) && i + 1 < n &&
                   t[i + 1].num && strlen(t[i + 1].f) == 1 && t[i + 1].f[0] <= '4') {
            next = i + 2;
            if (!(mm = push(out, t, i, next, AT_MENTION_PS))) {
                st = AT_ERR_NOMEM;
                break;
            }
            snprintf(mm->value, sizeof mm->value, "ECOG %s", t[i + 1].f);
        } else if (!strcmp(k->f, "karnofsky")) {
            size_t q = i + 1;
            while (q < n && q < i + 3 && !t[q].num)
                q++;
            if (q < n && t[q].num && t[q].sent == k->sent) {
                next = q + 1;
                if (!(mm = push(out, t, i, next, AT_MENTION_PS))) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                snprintf(mm->value, sizeof mm->value, "KPS %s", t[q].f);
            }
        } else {
            for (size_t a = 0; a < sizeof ae_terms / sizeof *ae_terms; a++) {
                size_t used = match_words(t, n, i, ae_terms[a].term);
                if (!used)
                    continue;
                size_t ge = i + used;
                int g = read_grade(t, n, i + used, &ge);
                next = i + used;
                if (!(mm = push(out, t, i, next, AT_MENTION_AE))) {
                    st = AT_ERR_NOMEM;
                    break;
                }
                snprintf(mm->value, sizeof mm->value, "%s", ae_terms[a].canon);
                mm->grade = g;
                break;
            }
        }
        if (mm)
            mm->qual = qualify(t, n, i, next);
        i = next > i ? next : i + 1;
    }
    at_free(t);
    return st;
}

at_status at_text_mentions_jsonl(const char *text, const at_text_mentions *m, at_buf *out)
{
    at_status st = AT_OK;
    for (size_t i = 0; i < m->n && !st; i++) {
        const at_text_mention *x = &m->v[i];
        st = at_buf_printf(out, "{\"type\":\"%s\",\"offset\":%zu,\"length\":%zu,\"text\":", at_mention_type_name(x->type),
                           x->start, x->len);
        if (!st)
            st = at_buf_json_string(out, text + x->start, x->len);
        if (!st)
            st = at_buf_puts(out, ",\"value\":");
        if (!st)
            st = at_buf_json_string(out, x->value, strlen(x->value));
        if (!st && x->code[0])
            st = at_buf_printf(out, ",\"atc\":\"%s\"", x->code);
        if (!st && x->grade)
            st = at_buf_printf(out, ",\"grade\":%d", x->grade);
        if (!st && x->cycle)
            st = at_buf_printf(out, ",\"cycle\":%d", x->cycle);
        if (!st)
            st = at_buf_printf(out, ",\"negated\":%s,\"hypothesis\":%s,\"family\":%s,\"history\":%s}\n",
                               x->qual & AT_QUAL_NEGATED ? "true" : "false",
                               x->qual & AT_QUAL_HYPOTHESIS ? "true" : "false",
                               x->qual & AT_QUAL_FAMILY ? "true" : "false",
                               x->qual & AT_QUAL_HISTORY ? "true" : "false");
    }
    return st;
}
