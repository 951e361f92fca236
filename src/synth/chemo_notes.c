/* Synthetic oncology notes with gold mentions for measuring extraction:
 * performance status, regimens and cycles, drugs with doses and routes,
 * TNM, adverse events with grades, negated, hypothetical, family and
 * history mentions, absolute and relative dates, ages, prior admissions.
 * Gold labels are type | qualifiers << 8 | CTCAE grade << 12. Drugs, events and regimens come in a
 * development half and a held-out half. */
#include "atelier/synth.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    at_buf b;
    at_text_spans gold;
    at_status st;
    at_rng *r;
} cw;

static void put(cw *w, const char *s)
{
    if (!w->st)
        w->st = at_buf_puts(&w->b, s);
}

static void ment(cw *w, int type, unsigned qual, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void ment(cw *w, int type, unsigned qual, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    size_t a = w->b.len;
    put(w, tmp);
    if (!w->st)
        w->st = at_text_spans_push(&w->gold, a, w->b.len - a, type | (int)(qual << 8));
}

/* The CTCAE grade of the last gold mention (label bits 12-14). */
static void set_grade(cw *w, int g)
{
    if (!w->st && w->gold.n)
        w->gold.v[w->gold.n - 1].label |= g << 12;
}

static size_t pick(cw *w, size_t n)
{
    return (size_t)(at_rng_next(w->r) % n);
}

static const char *const drugs_dev[] = {"oxaliplatine", "cisplatine",  "carboplatine", "fluorouracile",
                                        "capécitabine", "gemcitabine", "paclitaxel",   "docétaxel",
                                        "irinotécan",   "étoposide",   "trastuzumab",  "bévacizumab"};
static const char *const drugs_held[] = {"pémétrexed", "vinorelbine",  "épirubicine", "nivolumab",
                                         "cétuximab",  "Herceptin",    "Xeloda",      "Taxotere",
                                         "Keytruda",   "témozolomide", "olaparib",    "pembrolizumab"};
static const char *const ae_dev[] = {"neutropénie", "mucite", "diarrhée",
                                     "nausées",     "anémie", "thrombopénie"};
static const char *const ae_held[] = {"neutropénie fébrile",
                                      "neuropathie périphérique",
                                      "syndrome main-pied",
                                      "vomissements",
                                      "asthénie",
                                      "colite"};
static const char *const reg_dev[] = {"FOLFOX", "FOLFIRI", "EC", "R-CHOP"};
static const char *const reg_held[] = {"FOLFIRINOX", "XELOX", "carboplatine-paclitaxel", "TC"};
static const char *const tnm[] = {"cT2N1M0", "pT1cN0(sn)M0", "ypT2N1aM0", "cT3N2M1", "pT3 N1 M0", "cT4bN0M0"};

static void cap_first(char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 32);
    else if ((unsigned char)s[0] == 0xC3 && (unsigned char)s[1] >= 0xA0 && (unsigned char)s[1] <= 0xBE)
        s[1] = (char)(s[1] - 0x20);
}

static int rnd(cw *w, int n)
{
    return (int)pick(w, (size_t)n);
}

/* One note. Writings vary (date formats, how age, performance status,
 * regimen and cycle, doses and grades are written, lists of negated events
 * with a positive one after "mais" or a comma), the held-out half with
 * writings of its own, so that eval-extract measures more than one
 * phrasing. */
static void one_doc(cw *w, int held)
{
    const char *const *drugs = held ? drugs_held : drugs_dev;
    const char *const *aes = held ? ae_held : ae_dev;
    const char *const *regs = held ? reg_held : reg_dev;
    int y = 2019 + rnd(w, 6), m = 1 + rnd(w, 12), d = 1 + rnd(w, 28);
    char tmp[96];
    put(w, rnd(w, 2) ? "Consultation d'oncologie du " : "Consultation du ");
    if (held && rnd(w, 3) == 0)
        ment(w, AT_MENTION_DATE, 0, "%04d-%02d-%02d", y, m, d);
    else
        ment(w, AT_MENTION_DATE, 0, "%02d/%02d/%04d", d, m, y);
    put(w, ".\n");
    static const char *const who[] = {"Patiente de ", "Patient de ",       "Homme de ",
                                      "Femme de ",    "Patiente âgée de ", "Patient âgé de "};
    put(w, who[rnd(w, held ? 6 : 4)]);
    ment(w, AT_MENTION_AGE, 0, "%d ans", 35 + rnd(w, 50));
    put(w, ", ");
    static const char *const psw[] = {"OMS %d", "ECOG %d", "PS %d", "OMS à %d", "Performance status %d"};
    ment(w, AT_MENTION_PS, 0, psw[rnd(w, held ? 5 : 2)], rnd(w, 4));
    put(w, ". ");
    put(w, "Traitement par ");
    const char *reg = regs[rnd(w, 4)];
    int cyc = 1 + rnd(w, 8), rs = held ? rnd(w, 4) : 0;
    if (rs == 0)
        ment(w, AT_MENTION_REGIMEN, 0, "%s C%d", reg, cyc);
    else if (rs == 1)
        ment(w, AT_MENTION_REGIMEN, 0, "%s cycle %d", reg, cyc);
    else if (rs == 2)
        ment(w, AT_MENTION_REGIMEN, 0, "C%d %s", cyc, reg);
    else
        ment(w, AT_MENTION_REGIMEN, 0, "cycle %d de %s", cyc, reg);
    put(w, " le ");
    ment(w, AT_MENTION_DATE, 0, "%02d/%02d/%04d", d, m, y);
    put(w, ".\n");
    snprintf(tmp, sizeof tmp, "%s", drugs[pick(w, 12)]);
    cap_first(tmp);
    ment(w, AT_MENTION_DRUG, 0, "%s", tmp);
    put(w, " ");
    ment(w, AT_MENTION_DOSE, 0, held && rnd(w, 3) == 0 ? "%dmg/m%s" : "%d mg/m%s", 50 + 5 * rnd(w, 40),
         pick(w, 2) ? "²" : "2");
    put(w, " ");
    ment(w, AT_MENTION_ROUTE, 0, "%s", pick(w, 2) ? "IV" : "voie intraveineuse");
    put(w, " à J1. ");
    ment(w, AT_MENTION_DRUG, 0, "%s", drugs[pick(w, 12)]);
    put(w, " ");
    ment(w, AT_MENTION_DOSE, 0, "%d,5 mg", 1 + rnd(w, 9));
    put(w, " ");
    ment(w, AT_MENTION_ROUTE, 0, "%s", pick(w, 2) ? "per os" : "voie orale");
    put(w, " matin et soir.\nTumeur classée ");
    ment(w, AT_MENTION_TNM, 0, "%s", tnm[pick(w, 6)]);
    put(w, ".\n");
    int nae = 2 + rnd(w, 3);
    for (int k = 0; k < nae; k++) {
        const char *ae = aes[pick(w, 6)];
        snprintf(tmp, sizeof tmp, "%s", ae);
        int style = rnd(w, 10);
        if (style <= 1) {
            cap_first(tmp);
            ment(w, AT_MENTION_AE, 0, "%s", tmp);
            static const char *const gw[] = {" grade %d. ", " de grade %d. ", " grade %s. ",
                                             " grade %d-%d. "};
            static const char *const roman[] = {"I", "II", "III", "IV"};
            int g = 1 + rnd(w, 4), f = held ? rnd(w, 4) : style;
            if (f == 2)
                snprintf(tmp, sizeof tmp, gw[2], roman[g - 1]);
            else if (f == 3)
                snprintf(tmp, sizeof tmp, gw[3], g < 4 ? g : 3, g < 4 ? g + 1 : 4);
            else
                snprintf(tmp, sizeof tmp, gw[f], g);
            set_grade(w, f == 3 ? (g < 4 ? g + 1 : 4) : g); /* "grade 2-3": the higher */
            put(w, tmp);
        } else if (style == 2) {
            put(w, pick(w, 2) ? "Pas de " : "Absence de ");
            ment(w, AT_MENTION_AE, AT_QUAL_NEGATED, "%s", ae);
            put(w, ". ");
        } else if (style == 3) {
            cap_first(tmp);
            ment(w, AT_MENTION_AE, AT_QUAL_HYPOTHESIS, "%s", tmp);
            put(w, " à éliminer. ");
        } else if (style == 4) {
            put(w, "Suspicion de ");
            ment(w, AT_MENTION_AE, AT_QUAL_HYPOTHESIS, "%s", ae);
            put(w, ". ");
        } else if (style == 5) {
            put(w, "Antécédent de ");
            ment(w, AT_MENTION_AE, AT_QUAL_HISTORY, "%s", ae);
            put(w, " lors d'une chimiothérapie antérieure. ");
        } else if (style == 6) {
            put(w, "Présente une ");
            ment(w, AT_MENTION_AE, 0, "%s", ae);
            int g = 1 + rnd(w, 4);
            set_grade(w, g);
            snprintf(tmp, sizeof tmp, " G%d. ", g);
            put(w, tmp);
        } else {
            /* negated events, then a positive graded one after "mais" or a comma */
            const char *b = aes[pick(w, 6)], *c = aes[pick(w, 6)];
            put(w, "Pas de ");
            ment(w, AT_MENTION_AE, AT_QUAL_NEGATED, "%s", ae);
            if (style == 7) {
                put(w, " ni de ");
                ment(w, AT_MENTION_AE, AT_QUAL_NEGATED, "%s", b);
                put(w, ", mais ");
            } else {
                put(w, ", ");
            }
            ment(w, AT_MENTION_AE, 0, "%s", c);
            int g = 1 + rnd(w, 4);
            set_grade(w, g);
            snprintf(tmp, sizeof tmp, " grade %d. ", g);
            put(w, tmp);
        }
    }
    int adm = rnd(w, held ? 4 : 3);
    if (adm == 0) {
        put(w, "Antécédent de ");
        int k = 1 + rnd(w, 3);
        ment(w, AT_MENTION_ADMISSION, AT_QUAL_HISTORY, "%d hospitalisation%s", k, k > 1 ? "s" : "");
        put(w, " non programmée dans l'année. ");
    } else if (adm == 1) {
        put(w, "Aucune ");
        ment(w, AT_MENTION_ADMISSION, AT_QUAL_NEGATED, "hospitalisation");
        put(w, " antérieure. ");
    } else if (adm == 3) {
        ment(w, AT_MENTION_ADMISSION, 0, "Hospitalisé%s %d fois", rnd(w, 2) ? "e" : "", 1 + rnd(w, 3));
        put(w, " dans l'année. ");
    }
    if (pick(w, 2)) {
        put(w, "Cancer du sein chez sa mère traité par ");
        ment(w, AT_MENTION_DRUG, AT_QUAL_FAMILY, "%s", drugs[pick(w, 12)]);
        put(w, ". ");
    }
    if (pick(w, 2)) {
        put(w, "Fièvre depuis ");
        ment(w, AT_MENTION_DATE, 0, "%s", pick(w, 2) ? "hier" : "avant-hier");
        put(w, ". ");
    }
    if (held && pick(w, 2)) {
        put(w, "Dernier scanner ");
        ment(w, AT_MENTION_DATE, 0, "il y a %d mois", 1 + rnd(w, 5));
        put(w, ". ");
    }
    put(w, "\nContrôle ");
    ment(w, AT_MENTION_DATE, 0, "dans %d semaines", 2 + rnd(w, 3));
    put(w, ".\n");
}

at_status at_synth_extract_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out)
{
    *out = NULL;
    if (n > 1000000)
        return at_error_set(AT_ERR_LIMIT, "synthetic notes: %zu exceeds the limit of 1000000", n);
    at_text_doc *docs = at_calloc(n ? n : 1, sizeof *docs);
    if (!docs)
        return AT_ERR_NOMEM;
    at_rng r;
    at_rng_seed(&r, seed ^ (heldout ? 0x6578747261637431ull : 0x6578747261637430ull));
    at_status st = AT_OK;
    for (size_t i = 0; i < n && !st; i++) {
        cw w;
        memset(&w, 0, sizeof w);
        w.r = &r;
        at_buf_init(&w.b, 1 << 20);
        one_doc(&w, heldout);
        st = w.st;
        docs[i].text = (char *)at_buf_steal(&w.b, &docs[i].len);
        docs[i].gold = w.gold;
        docs[i].patient_id = at_strdup("X");
        if (!st && (!docs[i].text || !docs[i].patient_id))
            st = AT_ERR_NOMEM;
    }
    if (st) {
        at_text_docs_free(docs, n);
        return st;
    }
    *out = docs;
    return AT_OK;
}
