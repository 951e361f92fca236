/* Structuring of French oncology notes: drugs (dictionary with ATC codes),
 * doses, routes, dates (ISO, relative dates resolved on the calendar),
 * regimens with cycle numbers, TNM, performance status, adverse events
 * with CTCAE grades, ages and prior admissions; each qualified for
 * negation, hypothesis, family and history by cues in its clause
 * (extract_rules.c). One tokenising pass looks every word up once in a
 * dictionary of drugs and keywords. */
#include "extract_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#define EX_MAX_TEXT ((size_t)64 << 20)
#define EX_NO_DOC LONG_MIN

static const char *const type_names[AT_MENTION_COUNT] = {
    "NONE", "DRUG", "DOSE", "ROUTE", "DATE", "REGIMEN", "TNM", "PS", "AE", "AGE", "ADMISSION"};

const char *at_mention_type_name(int t)
{
    return t > 0 && t < AT_MENTION_COUNT ? type_names[t] : "NONE";
}

static const struct {
    const char *term, *canon;
} ae_terms[] = {{"neutropenie febrile", "neutropénie fébrile"},
                {"aplasie febrile", "neutropénie fébrile"},
                {"syndrome main-pied", "syndrome main-pied"},
                {"neuropathie peripherique", "neuropathie périphérique"},
                {"eruption cutanee", "éruption cutanée"},
                {"insuffisance renale", "insuffisance rénale"},
                {"cytolyse hepatique", "cytolyse hépatique"},
                {"neutropenie", "neutropénie"},
                {"anemie", "anémie"},
                {"thrombopenie", "thrombopénie"},
                {"mucite", "mucite"},
                {"stomatite", "stomatite"},
                {"diarrhee", "diarrhée"},
                {"nausees", "nausées"},
                {"vomissements", "vomissements"},
                {"neuropathie", "neuropathie"},
                {"asthenie", "asthénie"},
                {"alopecie", "alopécie"},
                {"hypertension", "hypertension"},
                {"proteinurie", "protéinurie"},
                {"colite", "colite"},
                {"pneumopathie", "pneumopathie"},
                {"thrombose", "thrombose"},
                {"constipation", "constipation"},
                {"anorexie", "anorexie"},
                {"dysgueusie", "dysgueusie"},
                {"hypothyroidie", "hypothyroïdie"},
                {"rash", "rash"},
                {"sepsis", "sepsis"}};

/* The first words of the terms, singular and plural, for the dictionary. */
const char *const ex_ae_first_words[] = {"neutropenie",   "neutropenies",
                                         "aplasie",       "syndrome",
                                         "neuropathie",   "neuropathies",
                                         "eruption",      "insuffisance",
                                         "cytolyse",      "anemie",
                                         "thrombopenie",  "mucite",
                                         "mucites",       "stomatite",
                                         "diarrhee",      "diarrhees",
                                         "nausees",       "nausee",
                                         "vomissements",  "vomissement",
                                         "asthenie",      "alopecie",
                                         "hypertension",  "proteinurie",
                                         "colite",        "pneumopathie",
                                         "thrombose",     "constipation",
                                         "anorexie",      "dysgueusie",
                                         "hypothyroidie", "rash",
                                         "sepsis",        NULL};

static const char *const routes[][2] = {{"iv", "IV"}, {"ivl", "IV"},          {"intraveineuse", "IV"},
                                        {"sc", "SC"}, {"sous-cutanee", "SC"}, {"im", "IM"}};

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
    at_status st = text_dict_init(&x->dict, 2048);
    char *installed = NULL, *path = NULL; /* the data installed beside the program */
    if (!st && !dict_dir)
        st = at_data_path("text", &installed);
    if (!st && !(path = at_path_join(dict_dir ? dict_dir : installed, "medicaments.txt")))
        st = AT_ERR_NOMEM;
    at_free(installed);
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
            st = fl > 0 ? text_dict_add(&x->dict, f, (size_t)fl, KW_DRUG, (int)++x->ndrugs) : AT_ERR_FORMAT;
        }
        p = le + 1;
    }
    if (!st)
        st = ex_add_keywords(&x->dict);
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

/* Match a folded multi-word term at token i (a plural 's' on either side
 * accepted); returns tokens used or 0. */
static size_t match_words(const ex_tok *t, size_t n, size_t i, const char *term)
{
    size_t k = 0;
    const char *p = term;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        if (i + k >= n || (k > 0 && (t[i + k].brk & (EX_BRK_SENT | EX_BRK_COMMA))))
            return 0;
        const char *f = t[i + k].f;
        size_t fl = strlen(f);
        int ok = (fl == wl && !memcmp(f, p, wl)) || (fl == wl + 1 && f[wl] == 's' && !memcmp(f, p, wl)) ||
                 (fl + 1 == wl && p[fl] == 's' && !memcmp(f, p, fl));
        if (!ok)
            return 0;
        k++;
        p += wl + (sp ? 1 : 0);
    }
    return k;
}

/* Value writers without printf (extraction runs on every note the risk
 * model reads): the parts are copied and truncated to the field. */
static void put_parts(char *dst, size_t cap, const char *a, size_t an, const char *b, size_t bn)
{
    size_t o = an < cap - 1 ? an : cap - 1;
    memcpy(dst, a, o);
    size_t k = bn < cap - 1 - o ? bn : cap - 1 - o;
    memcpy(dst + o, b, k);
    dst[o + k] = 0;
}

static void put_int(char *dst, size_t cap, long v)
{
    char tmp[24];
    size_t n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < 20);
    if (v < 0)
        tmp[sizeof tmp - 1 - n++] = '-';
    put_parts(dst, cap, tmp + sizeof tmp - n, n, "", 0);
}

static void iso(char *out, size_t cap, long days)
{
    long y;
    int m, d;
    at_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999 || cap < 11) {
        snprintf(out, cap, "%04ld-%02d-%02d", y, m, d);
        return;
    }
    char b[11] = {(char)('0' + y / 1000),
                  (char)('0' + y / 100 % 10),
                  (char)('0' + y / 10 % 10),
                  (char)('0' + y % 10),
                  '-',
                  (char)('0' + m / 10),
                  (char)('0' + m % 10),
                  '-',
                  (char)('0' + d / 10),
                  (char)('0' + d % 10),
                  0};
    memcpy(out, b, 11);
}

/* The value of a date of month m, day d: ISO when its year is known (cal
 * 1, day number days), else the ISO 8601 month-day "--MM-DD". */
static void date_value(char *out, size_t cap, int cal, long days, int m, int d)
{
    if (cal == 1)
        iso(out, cap, days);
    else
        snprintf(out, cap, "--%02d-%02d", m, d);
}

/* End of the number at token i, with a decimal part ("2,5", "1.5"). */
static size_t num_end(const ex_tok *t, size_t n, size_t i, const char *text, size_t len)
{
    size_t e = t[i].e;
    if (e + 1 < len && (text[e] == ',' || text[e] == '.') && i + 1 < n && t[i + 1].num && t[i + 1].s == e + 1)
        return t[i + 1].e;
    return e;
}

/* The digits that start token i ("75" of "75mg"): their end, or 0. */
static size_t lead_digits_end(const char *text, const ex_tok *k)
{
    size_t e = k->s;
    while (e < k->e && text[e] >= '0' && text[e] <= '9')
        e++;
    return e > k->s ? e : 0;
}

/* Copy a NUL-terminated string into a value field of cap bytes. */
static void set_value(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static size_t tok_until(const ex_tok *t, size_t n, size_t i, size_t end)
{
    while (i < n && t[i].s < end)
        i++;
    return i;
}

/* A count at token i: digits or a number word ("trois"); -1 when none. */
static int count_at(const ex_tok *t, size_t n, size_t i)
{
    if (i >= n)
        return -1;
    if (t[i].num && strlen(t[i].f) <= 3)
        return atoi(t[i].f);
    return (t[i].kw & KW_NUMWORD) ? t[i].kval : -1;
}

typedef struct {
    const at_text_extractor *x;
    const char *text;
    size_t len;
    const ex_tok *t;
    size_t n;
    long doc; /* the document date (days since 1970, negative before), EX_NO_DOC when unknown */
    at_text_mentions *out;
    size_t past; /* no rule reads the tokens before it (a date not on the calendar) */
} ex_state;

#define PUSH(a, b, type)                                                                                     \
    do {                                                                                                     \
        if (!(mm = push(s->out, s->t, (a), (b), (type))))                                                    \
            return AT_ERR_NOMEM;                                                                             \
    } while (0)

/* Whether day d of month m of year y (-1: the document's year when known;
 * 0 or still unknown: any year, so 29/02 passes) is a day of the calendar:
 * 0 when not, 1 with its day number in *days, 2 when the year stays
 * unknown. The shared scanner takes 31/02/2024 as a date, which the
 * de-identifier redacts; the extractor gives no date for it rather than
 * 2024-03-02. */
static int calendar_day(const ex_state *s, long y, int m, int d, long *days)
{
    if (y < 0 && s->doc != EX_NO_DOC) {
        int dm, dd;
        at_civil_from_days(s->doc, &y, &dm, &dd);
    }
    if (d < 1 || d > at_days_in_month(y > 0 ? y : 2000, m))
        return 0;
    if (y <= 0)
        return 2;
    *days = at_days_from_civil(y, m, d);
    return 1;
}

/* Dates: numeric (dd/mm/yyyy, yyyy-mm-dd, dd/mm), written (12 mars 2024),
 * relative (hier, il y a 2 mois, dans 3 semaines); none for a day not on
 * the calendar (31/02/2024, 29 février 2023). *next past the mention;
 * 0 when none at i. */
static at_status ex_date(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t, *k = &t[i];
    size_t n = s->n;
    at_text_mention *mm = NULL;
    int ymd, mon;
    size_t e;
    long day_no;
    int cal;
    *got = NULL;
    if (k->f[0] >= '0' && k->f[0] <= '9' && (e = text_scan_date_numeric(s->text, s->len, k->s, &ymd))) {
        size_t end = tok_until(t, n, i, e);
        if (!(cal =
                  calendar_day(s, ymd >= 10000000 ? ymd / 10000 : -1, ymd / 100 % 100, ymd % 100, &day_no))) {
            s->past = end; /* not "2024 mg" of "31/02/2024 mg" either */
            return AT_OK;
        }
        *next = end;
        PUSH(i, *next, AT_MENTION_DATE);
        date_value(mm->value, sizeof mm->value, cal, day_no, ymd / 100 % 100, ymd % 100);
    } else if ((k->num || !strcmp(k->f, "1er")) && strlen(k->f) <= 3 && i + 1 < n &&
               (mon = text_month_of(t[i + 1].f, strlen(t[i + 1].f))) && atoi(k->f) >= 1 && atoi(k->f) <= 31) {
        long year = -1;
        size_t end = i + 2;
        if (end < n && t[end].num && strlen(t[end].f) == 4)
            year = atoi(t[end++].f);
        if (!(cal = calendar_day(s, year, mon, atoi(k->f), &day_no))) {
            s->past = end;
            return AT_OK;
        }
        *next = end;
        PUSH(i, *next, AT_MENTION_DATE);
        date_value(mm->value, sizeof mm->value, cal, day_no, mon, atoi(k->f));
    } else {
        /* relative: days, weeks, or calendar months and years */
        long days = 0;
        int months = 0, ok = 0;
        if (!strcmp(k->f, "hier") || !strcmp(k->f, "avant-hier") || !strcmp(k->f, "demain")) {
            days = k->f[0] == 'd' ? 1 : k->f[0] == 'h' ? -1 : -2;
            *next = i + 1;
            ok = 1;
        } else if (!strcmp(k->f, "aujourd")) {
            *next = ex_is(t, n, i + 1, "hui") ? i + 2 : i + 1;
            ok = 1;
        } else if (ex_is(t, n, i, "ce") && ex_is(t, n, i + 1, "jour")) {
            *next = i + 2;
            ok = 1;
        } else if ((ex_is(t, n, i, "il") && ex_is(t, n, i + 1, "y") && ex_is(t, n, i + 2, "a")) ||
                   ex_is(t, n, i, "dans")) {
            size_t q = k->f[0] == 'i' ? i + 3 : i + 1;
            int v = count_at(t, n, q), sign = k->f[0] == 'i' ? -1 : 1;
            const char *u = q + 1 < n ? t[q + 1].f : "";
            if (v >= 0 && q + 1 < n && !(t[q + 1].brk & EX_BRK_SENT)) {
                ok = 1;
                if (!strncmp(u, "jour", 4))
                    days = sign * v;
                else if (!strncmp(u, "semaine", 7))
                    days = sign * 7L * v;
                else if (!strcmp(u, "mois"))
                    months = sign * v;
                else if (!strcmp(u, "an") || !strcmp(u, "ans") || !strncmp(u, "annee", 5))
                    months = sign * 12 * v;
                else
                    ok = 0;
                *next = q + 2;
            }
        }
        if (ok) {
            PUSH(i, *next, AT_MENTION_DATE);
            if (s->doc != EX_NO_DOC)
                iso(mm->value, sizeof mm->value, months ? ex_add_months(s->doc, months) : s->doc + days);
            else if (months)
                snprintf(mm->value, sizeof mm->value, "relative:%+dm", months);
            else
                snprintf(mm->value, sizeof mm->value, "relative:%+ldd", days);
        }
    }
    *got = mm;
    return AT_OK;
}

/* A regimen at token r (FOLFOX, carboplatine-paclitaxel): 1 when it is. */
static int regimen_at(const ex_state *s, size_t r)
{
    if (r >= s->n)
        return 0;
    const ex_tok *k = &s->t[r];
    if (k->kw & KW_REGIMEN)
        return 1;
    const char *h = strchr(k->f, '-');
    return h && h > k->f && !k->num && (text_dict_get(&s->x->dict, k->f, (size_t)(h - k->f), NULL) & KW_DRUG);
}

static void regimen_value(const ex_state *s, size_t r, at_text_mention *mm)
{
    const ex_tok *k = &s->t[r];
    put_parts(mm->value, sizeof mm->value, s->text + k->s, k->e - k->s, "", 0);
    if (k->kw & KW_REGIMEN)
        for (char *c = mm->value; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 32);
}

/* A cycle number token "c4" (folded): the number, else 0. */
static int cycle_token(const ex_tok *k)
{
    if (k->f[0] != 'c' || k->f[1] < '1' || k->f[1] > '9')
        return 0;
    for (const char *p = k->f + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return atoi(k->f + 1);
}

/* Regimens with their cycle, before or after: "FOLFOX C3", "FOLFOX cycle
 * 3", "C4 FOLFIRINOX", "Cycle 4 de R-CHOP". */
static at_status ex_regimen(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t, *k = &t[i];
    size_t n = s->n;
    at_text_mention *mm = NULL;
    *got = NULL;
    int c = cycle_token(k);
    if (c && regimen_at(s, i + 1) && !(t[i + 1].brk & (EX_BRK_SENT | EX_BRK_COMMA))) {
        *next = i + 2;
        PUSH(i, *next, AT_MENTION_REGIMEN);
        regimen_value(s, i + 1, mm);
        mm->cycle = c;
    } else if ((k->kw & KW_CYCLE) && i + 1 < n && t[i + 1].num && strlen(t[i + 1].f) <= 2) {
        size_t r = i + 2;
        if (r < n && (ex_is(t, n, r, "de") || ex_is(t, n, r, "du") || ex_is(t, n, r, "d")))
            r++;
        if (!regimen_at(s, r) || t[r].sent != k->sent)
            return AT_OK;
        *next = r + 1;
        PUSH(i, *next, AT_MENTION_REGIMEN);
        regimen_value(s, r, mm);
        mm->cycle = atoi(t[i + 1].f);
    } else if (regimen_at(s, i)) {
        *next = i + 1;
        int cycle = 0;
        if (*next < n && (c = cycle_token(&t[*next])) && t[*next].s == k->e + 1) {
            cycle = c;
            (*next)++;
        } else if (*next + 1 < n && (t[*next].kw & KW_CYCLE) && t[*next + 1].num &&
                   !(t[*next].brk & EX_BRK_SENT)) {
            cycle = atoi(t[*next + 1].f);
            *next += 2;
        }
        PUSH(i, *next, AT_MENTION_REGIMEN);
        regimen_value(s, i, mm);
        mm->cycle = cycle;
    }
    *got = mm;
    return AT_OK;
}

/* Age "78 ans" after "patient(e)/homme/femme/âgé(e) de" or "âge :";
 * prior admissions: "3 hospitalisations", "hospitalisé 3 fois", "à 2
 * reprises", "aucune hospitalisation" (0). */
static at_status ex_age_admission(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t, *k = &t[i];
    size_t n = s->n;
    at_text_mention *mm = NULL;
    *got = NULL;
    int v = count_at(t, n, i);
    if (k->num && (ex_is(t, n, i + 1, "ans") || ex_is(t, n, i + 1, "an")) && !(t[i + 1].brk & EX_BRK_SENT) &&
        i > 0 && v >= 0 && v <= 120) {
        int ctx = (t[i - 1].kw & KW_AGE_CTX) && !(k->brk & EX_BRK_SENT);
        if (!ctx && i > 1 && (ex_is(t, n, i - 1, "de") || ex_is(t, n, i - 1, "d")) &&
            (t[i - 2].kw & KW_AGE_CTX) && !(t[i - 1].brk & EX_BRK_SENT) && !(k->brk & EX_BRK_SENT))
            ctx = 1;
        if (ctx) {
            *next = i + 2;
            PUSH(i, *next, AT_MENTION_AGE);
            put_int(mm->value, sizeof mm->value, v);
        }
    } else if (v >= 0 && i + 1 < n && (t[i + 1].kw & KW_ADMIT) && t[i + 1].f[strlen(t[i + 1].f) - 1] == 's' &&
               !(t[i + 1].brk & EX_BRK_SENT) && strncmp(t[i + 1].f, "hospitalise", 11)) {
        *next = i + 2;
        PUSH(i, *next, AT_MENTION_ADMISSION);
        put_int(mm->value, sizeof mm->value, v);
    } else if (v == 1 && i + 1 < n && ex_is(t, n, i + 1, "hospitalisation") &&
               !(t[i + 1].brk & EX_BRK_SENT)) {
        *next = i + 2;
        PUSH(i, *next, AT_MENTION_ADMISSION);
        put_int(mm->value, sizeof mm->value, 1);
    } else if ((k->kw & KW_ADMIT) && strncmp(k->f, "hospitalisation", 15)) {
        /* "hospitalisé 3 fois", "hospitalisée à 2 reprises" */
        size_t q = i + 1;
        if (ex_is(t, n, q, "a"))
            q++;
        int c = count_at(t, n, q);
        if (c >= 0 && q + 1 < n && (ex_is(t, n, q + 1, "fois") || ex_is(t, n, q + 1, "reprises")) &&
            t[q + 1].sent == k->sent) {
            *next = q + 2;
            PUSH(i, *next, AT_MENTION_ADMISSION);
            put_int(mm->value, sizeof mm->value, c);
        }
    } else if ((k->kw & KW_ADMIT) && !strncmp(k->f, "hospitalisation", 15) && i > 0 &&
               (t[i - 1].kw & KW_NEG_PRE) && !(k->brk & EX_BRK_SENT)) {
        *next = i + 1; /* "aucune hospitalisation", "pas d'hospitalisation": none */
        PUSH(i, *next, AT_MENTION_ADMISSION);
        put_int(mm->value, sizeof mm->value, 0);
    } else if ((k->kw & KW_ADMIT) && !strncmp(k->f, "hospitalisation", 15) && i > 1 &&
               ex_is(t, n, i - 1, "d") && (t[i - 2].kw & KW_NEG_PRE)) {
        *next = i + 1;
        PUSH(i, *next, AT_MENTION_ADMISSION);
        put_int(mm->value, sizeof mm->value, 0);
    }
    *got = mm;
    return AT_OK;
}

/* Performance status: "OMS 1", "ECOG 2", "PS 0", "OMS à 3", "OMS = 2",
 * "Performance status 2"; "Karnofsky 70 %". */
static at_status ex_ps(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t, *k = &t[i];
    size_t n = s->n;
    at_text_mention *mm = NULL;
    *got = NULL;
    if (k->kw & KW_PS) {
        size_t q = i + 1;
        if (!strcmp(k->f, "performance")) {
            if (!ex_is(t, n, q, "status"))
                return AT_OK;
            q++;
        }
        if (ex_is(t, n, q, "a") || ex_is(t, n, q, "de") || ex_is(t, n, q, "est"))
            q++;
        if (q < n && t[q].num && strlen(t[q].f) == 1 && t[q].f[0] <= '4' && t[q].sent == k->sent &&
            q - i <= 3) {
            *next = q + 1;
            PUSH(i, *next, AT_MENTION_PS);
            put_parts(mm->value, sizeof mm->value, "ECOG ", 5, t[q].f, strlen(t[q].f));
        }
    } else if (!strcmp(k->f, "karnofsky")) {
        size_t q = i + 1;
        while (q < n && q < i + 3 && !t[q].num)
            q++;
        if (q < n && t[q].num && t[q].sent == k->sent) {
            *next = q + 1;
            PUSH(i, *next, AT_MENTION_PS);
            put_parts(mm->value, sizeof mm->value, "KPS ", 4, t[q].f, strlen(t[q].f));
        }
    }
    *got = mm;
    return AT_OK;
}

/* Doses: "85 mg/m²", "2,5 mg", "75mg/m2" (glued), "AUC 5". */
static at_status ex_dose(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t, *k = &t[i];
    size_t n = s->n, e, ne = 0;
    at_text_mention *mm = NULL;
    char unit[16];
    *got = NULL;
    if (k->num && !ex_is(t, n, i + 1, "ans"))
        ne = num_end(t, n, i, s->text, s->len);
    else if (!k->num && k->f[0] >= '0' && k->f[0] <= '9')
        ne = lead_digits_end(s->text, k); /* "75mg" */
    if (ne && ex_unit_at(s->text, s->len, ne, unit, sizeof unit, &e) && (k->num || e >= k->e)) {
        *next = tok_until(t, n, i, e);
        PUSH(i, *next, AT_MENTION_DOSE);
        char num[32];
        size_t nl = ne - k->s < 24 ? ne - k->s : 24; /* at most 24 bytes of the number, then a space */
        memcpy(num, s->text + k->s, nl);
        num[nl] = ' ';
        put_parts(mm->value, sizeof mm->value, num, nl + 1, unit, strlen(unit));
        for (char *c = mm->value; *c && *c != ' '; c++)
            if (*c == ',')
                *c = '.';
    } else if (!strcmp(k->f, "auc") && i + 1 < n && t[i + 1].num) {
        *next = i + 2;
        PUSH(i, *next, AT_MENTION_DOSE);
        put_parts(mm->value, sizeof mm->value, "AUC ", 4, t[i + 1].f, strlen(t[i + 1].f));
    }
    *got = mm;
    return AT_OK;
}

/* Drugs (dictionary; "acide folinique") and routes. */
static at_status ex_drug_route(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t, *k = &t[i];
    size_t n = s->n;
    at_text_mention *mm = NULL;
    int idx = 0;
    *got = NULL;
    if ((k->kw & KW_DRUG) || (!strcmp(k->f, "acide") && ex_is(t, n, i + 1, "folinique") &&
                              (text_dict_get(&s->x->dict, "acide folinique", 15, &idx) & KW_DRUG))) {
        if (k->kw & KW_DRUG)
            idx = k->kval;
        *next = k->kw & KW_DRUG ? i + 1 : i + 2;
        if (idx < 1 || (size_t)idx > s->x->ndrugs)
            return AT_OK;
        PUSH(i, *next, AT_MENTION_DRUG);
        const drug_entry *de = &s->x->drugs[idx - 1];
        set_value(mm->value, sizeof mm->value, de->inn);
        set_value(mm->code, sizeof mm->code, de->atc);
    } else {
        const char *v = NULL;
        if (ex_is(t, n, i, "per") && ex_is(t, n, i + 1, "os"))
            v = "PO";
        else if (ex_is(t, n, i, "voie") && ex_is(t, n, i + 1, "orale"))
            v = "PO";
        else if (ex_is(t, n, i, "voie") && ex_is(t, n, i + 1, "intraveineuse"))
            v = "IV";
        else if (ex_is(t, n, i, "voie") && ex_is(t, n, i + 1, "sous-cutanee"))
            v = "SC";
        if (v) {
            *next = i + 2;
        } else {
            for (size_t r = 0; r < sizeof routes / sizeof *routes && !v; r++)
                if (!strcmp(k->f, routes[r][0]))
                    v = routes[r][1];
            /* "IV", "SC", "IM" only in capitals: "sc" and "im" are words too */
            if (v && k->e - k->s == 2 && memcmp(s->text + k->s, v, 2))
                v = NULL;
            *next = i + 1;
        }
        if (v) {
            PUSH(i, *next, AT_MENTION_ROUTE);
            set_value(mm->value, sizeof mm->value, v);
        }
    }
    *got = mm;
    return AT_OK;
}

/* Adverse events with the grade that follows them. */
static at_status ex_ae(ex_state *s, size_t i, size_t *next, at_text_mention **got)
{
    const ex_tok *t = s->t;
    at_text_mention *mm = NULL;
    *got = NULL;
    for (size_t a = 0; a < sizeof ae_terms / sizeof *ae_terms; a++) {
        if (ae_terms[a].term[0] != t[i].f[0] || ae_terms[a].term[1] != t[i].f[1])
            continue;
        size_t used = match_words(t, s->n, i, ae_terms[a].term);
        if (!used)
            continue;
        size_t ge = i + used;
        int g = ex_read_grade(t, s->n, i + used, &ge);
        *next = i + used;
        PUSH(i, *next, AT_MENTION_AE);
        set_value(mm->value, sizeof mm->value, ae_terms[a].canon);
        mm->grade = g;
        if (g)
            *next = ge; /* the grade is read: "grade IV" is not a route */
        break;
    }
    *got = mm;
    return AT_OK;
}

at_status at_text_extract(const at_text_extractor *x, const char *text, size_t len, const char *doc_date,
                          at_text_mentions *out)
{
    if (!x || (!text && len))
        return at_error_set(AT_ERR_ARG, "extract: no extractor or text");
    if (len > EX_MAX_TEXT)
        return at_error_set(AT_ERR_LIMIT, "extract: text of %zu bytes exceeds the limit", len);
    ex_tok *t = NULL;
    size_t n = 0;
    at_status st = ex_tokenise(x, text, len, &t, &n);
    if (!st)
        st = ex_extract_tokens(x, text, len, t, n, doc_date, out);
    at_free(t);
    return st;
}

at_status ex_extract_tokens(const at_text_extractor *x, const char *text, size_t len, const ex_tok *t,
                            size_t n, const char *doc_date, at_text_mentions *out)
{
    at_status st = AT_OK;
    ex_state s = {x, text, len, t, n, EX_NO_DOC, out, 0};
    ex_scope scope = {0};
    if (doc_date && doc_date[0] && !at_date_parse_iso(doc_date, &s.doc))
        return at_error_set(AT_ERR_ARG, "extract: the document date is not a calendar date YYYY-MM-DD");
    /* else the first full date of the note from 1970 on (an earlier one is
     * a birth date, not the note's) */
    for (size_t i = 0; i < n && s.doc == EX_NO_DOC; i++) {
        int ymd;
        if (t[i].f[0] >= '0' && t[i].f[0] <= '9' && text_scan_date_numeric(text, len, t[i].s, &ymd) &&
            ymd >= 19700101 && ymd % 100 <= at_days_in_month(ymd / 10000, ymd / 100 % 100))
            s.doc = at_days_from_civil(ymd / 10000, ymd / 100 % 100, ymd % 100);
    }
    /* the rules in order, each tried only at the tokens that can start it */
    static at_status (*const rules[])(ex_state *, size_t, size_t *, at_text_mention **) = {
        ex_date, ex_age_admission, ex_dose, ex_regimen, ex_drug_route, ex_ps, ex_ae};
    for (size_t i = 0; i < n && !st;) {
        at_text_mention *mm = NULL;
        size_t next = i + 1, e;
        unsigned kw = t[i].kw;
        const char *f = t[i].f;
        int digit = f[0] >= '0' && f[0] <= '9';
        const int can[] = {digit || (kw & KW_REL),
                           digit || (kw & (KW_NUMWORD | KW_ADMIT)),
                           digit || ((kw & KW_OTHER) && f[0] == 'a'),
                           (kw & (KW_REGIMEN | KW_CYCLE)) || (f[0] == 'c' && f[1] >= '1' && f[1] <= '9') ||
                               (!digit && strchr(f, '-')),
                           (kw & (KW_DRUG | KW_ROUTE)) || ((kw & KW_OTHER) && f[0] == 'a'),
                           (kw & KW_PS) || ((kw & KW_OTHER) && f[0] == 'k'),
                           (kw & KW_AE) != 0};
        for (size_t r = 0; r < sizeof rules / sizeof *rules && !mm && !st && s.past <= i; r++) {
            if (can[r])
                st = rules[r](&s, i, &next, &mm);
            if (!mm)
                next = i + 1;
            unsigned char c0 = (unsigned char)text[t[i].s];
            if (r == 4 && !mm && !st && (c0 == 'T' || c0 == 'c' || c0 == 'p' || c0 == 'y' || c0 == 'r') &&
                (e = ex_scan_tnm(text, len, t[i].s))) {
                next = tok_until(t, n, i, e);
                if (!(mm = push(out, t, i, next, AT_MENTION_TNM)))
                    st = AT_ERR_NOMEM;
                else
                    put_parts(mm->value, sizeof mm->value, text + t[i].s, e - t[i].s, "", 0);
            }
        }
        if (mm)
            mm->qual = ex_qualify(&scope, t, n, i, next, mm->grade > 0);
        i = next > i ? next : i + 1;
        i = s.past > i ? s.past : i;
    }
    if (st == AT_ERR_NOMEM)
        return at_error_set(st, "extract: out of memory");
    return st;
}

/* The tokens and the rules for modules built on extraction (src/risk). */
at_status at_text_tokenise(const at_text_extractor *x, const char *text, size_t len, at_text_token **out,
                           size_t *n)
{
    return ex_tokenise(x, text, len, out, n);
}

at_status at_text_extract_tokens(const at_text_extractor *x, const char *text, size_t len,
                                 const at_text_token *t, size_t n, const char *doc_date,
                                 at_text_mentions *out)
{
    return ex_extract_tokens(x, text, len, t, n, doc_date, out);
}

int at_text_regimen_drugs(const char *folded)
{
    return ex_regimen_drugs(folded);
}
