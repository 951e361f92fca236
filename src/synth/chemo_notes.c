/* Synthetic oncology notes with gold mentions for measuring extraction:
 * performance status, regimens and cycles, drugs with doses and routes,
 * TNM, adverse events with grades, negated, hypothetical, family and
 * history mentions, absolute and relative dates. Gold labels are
 * type | qualifiers << 8. Drugs, events and regimens come in a development
 * half and a held-out half. */
#include "atelier/text.h"

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

static size_t pick(cw *w, size_t n) { return (size_t)(at_rng_next(w->r) % n); }

static const char *const drugs_dev[] = {"oxaliplatine", "cisplatine",  "carboplatine", "fluorouracile",
                                        "capécitabine", "gemcitabine", "paclitaxel",   "docétaxel",
                                        "irinotécan",   "étoposide",   "trastuzumab",  "bévacizumab"};
static const char *const drugs_held[] = {"pémétrexed", "vinorelbine", "épirubicine", "nivolumab", "cétuximab",
                                         "Herceptin",  "Xeloda",      "Taxotere",    "Keytruda",  "témozolomide",
                                         "olaparib",   "pembrolizumab"};
static const char *const ae_dev[] = {"neutropénie", "mucite", "diarrhée", "nausées", "anémie", "thrombopénie"};
static const char *const ae_held[] = {"neutropénie fébrile", "neuropathie périphérique", "syndrome main-pied",
                                      "vomissements", "asthénie", "colite"};
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

static void one_doc(cw *w, int held)
{
    const char *const *drugs = held ? drugs_held : drugs_dev;
    const char *const *aes = held ? ae_held : ae_dev;
    const char *const *regs = held ? reg_held : reg_dev;
    int y = 2019 + (int)pick(w, 6), m = 1 + (int)pick(w, 12), d = 1 + (int)pick(w, 28);
    put(w, "Consultation d'oncologie du ");
    ment(w, AT_MENTION_DATE, 0, "%02d/%02d/%04d", d, m, y);
    put(w, ".\n");
    put(w, pick(w, 2) ? "Patiente de " : "Patient de ");
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%d ans, ", 35 + (int)pick(w, 50));
    put(w, tmp);
    static const char *const psw[] = {"OMS", "ECOG", "PS"};
    ment(w, AT_MENTION_PS, 0, "%s %d", psw[pick(w, held ? 3 : 2)], (int)pick(w, 4));
    put(w, ". ");
    put(w, "Traitement par ");
    if (held && pick(w, 2))
        ment(w, AT_MENTION_REGIMEN, 0, "%s cycle %d", regs[pick(w, 4)], 1 + (int)pick(w, 8));
    else
        ment(w, AT_MENTION_REGIMEN, 0, "%s C%d", regs[pick(w, 4)], 1 + (int)pick(w, 8));
    put(w, " le ");
    ment(w, AT_MENTION_DATE, 0, "%02d/%02d/%04d", d, m, y);
    put(w, ".\n");
    snprintf(tmp, sizeof tmp, "%s", drugs[pick(w, 12)]);
    cap_first(tmp);
    ment(w, AT_MENTION_DRUG, 0, "%s", tmp);
    put(w, " ");
    ment(w, AT_MENTION_DOSE, 0, "%d mg/m%s", 50 + 5 * (int)pick(w, 40), pick(w, 2) ? "²" : "2");
    put(w, " ");
    ment(w, AT_MENTION_ROUTE, 0, "%s", pick(w, 2) ? "IV" : "voie intraveineuse");
    put(w, " à J1. ");
    ment(w, AT_MENTION_DRUG, 0, "%s", drugs[pick(w, 12)]);
    put(w, " ");
    ment(w, AT_MENTION_DOSE, 0, "%d,5 mg", 1 + (int)pick(w, 9));
    put(w, " ");
    ment(w, AT_MENTION_ROUTE, 0, "%s", pick(w, 2) ? "per os" : "voie orale");
    put(w, " matin et soir.\nTumeur classée ");
    ment(w, AT_MENTION_TNM, 0, "%s", tnm[pick(w, 6)]);
    put(w, ".\n");
    int nae = 2 + (int)pick(w, 3);
    for (int k = 0; k < nae; k++) {
        const char *ae = aes[pick(w, 6)];
        snprintf(tmp, sizeof tmp, "%s", ae);
        int style = (int)pick(w, 7);
        if (style <= 1) {
            cap_first(tmp);
            ment(w, AT_MENTION_AE, 0, "%s", tmp);
            snprintf(tmp, sizeof tmp, style ? " grade %d. " : " de grade %d. ", 1 + (int)pick(w, 4));
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
        } else {
            put(w, "Présente une ");
            ment(w, AT_MENTION_AE, 0, "%s", ae);
            put(w, " G");
            snprintf(tmp, sizeof tmp, "%d. ", 1 + (int)pick(w, 4));
            put(w, tmp);
        }
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
    put(w, "\nContrôle ");
    ment(w, AT_MENTION_DATE, 0, "dans %d semaines", 2 + (int)pick(w, 3));
    put(w, ".\n");
}

at_status at_text_synth_extract_docs(size_t n, uint64_t seed, int heldout, at_text_doc **out)
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
