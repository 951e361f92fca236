/* Identifiers in text, CSV, JSON, SVG and job logs, through the French
 * text de-identification detector (src/text): the door's own rules, not a
 * second set. Names, numbers (NIR, IPP, NDA, RPPS), addresses, phones,
 * e-mails and birth dates fail the file; dates, cities, postcodes and
 * hospitals (and ages over 89, employers, web addresses) are shown to the
 * reviewers. The suppression marks a table holds ("[REDACTED]") are not
 * read as names. Findings give the line and the label, never the text
 * found. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int airlock_label_strong(int label)
{
    switch (label) {
    case AT_PHI_NOM:
    case AT_PHI_PRENOM:
    case AT_PHI_ADRESSE:
    case AT_PHI_TEL:
    case AT_PHI_MAIL:
    case AT_PHI_SECU:
    case AT_PHI_IPP:
    case AT_PHI_NDA:
    case AT_PHI_DATE_NAISSANCE:
    case AT_PHI_RPPS:
    case AT_PHI_COMPTE:
    case AT_PHI_IMMAT:
    case AT_PHI_ID:
        return 1;
    default:
        return 0;
    }
}

size_t airlock_digit_run(const char *s, size_t n)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = isdigit((unsigned char)s[i]) ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* A machine's timestamp (2026-12-05T10:00 or 2026-12-05 10:00:00): the
 * time of a run, not a patient's date. */
static int is_timestamp(const char *text, size_t len, size_t start)
{
    const char *p = text + start;
    size_t left = len - start;
    if (left < 16)
        return 0;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? p[i] != '-' : !isdigit((unsigned char)p[i]))
            return 0;
    return (p[10] == 'T' || p[10] == ' ') && isdigit((unsigned char)p[11]) && isdigit((unsigned char)p[12]) &&
           p[13] == ':' && isdigit((unsigned char)p[14]) && isdigit((unsigned char)p[15]);
}

void airlock_check_identifiers(airlock_report *r, const at_text_deid *d, const char *what, const char *text,
                               size_t len)
{
    if (!d) {
        airlock_check_begin(r, "identifiers", AT_CHECK_REVIEW,
                            "the text detector is not available here: a person reads the file");
        airlock_check_end(r);
        return;
    }
    /* the airlock's own suppression marks are blanked in a copy (offsets kept) */
    static const char mark[] = "[REDACTED]";
    char *copy = NULL;
    for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), mark, sizeof mark - 1)) != NULL;
         p += sizeof mark - 1) {
        if (!copy) {
            copy = at_malloc(len ? len : 1);
            if (!copy)
                break;
            memcpy(copy, text, len);
        }
        memset(copy + (p - text), ' ', sizeof mark - 1);
    }
    at_text_spans spans = {0};
    at_status st = at_text_deid_detect(d, copy ? copy : text, len, &spans);
    at_free(copy);
    if (st) {
        char s[200];
        snprintf(s, sizeof s, "the detector could not read the file (%s)", at_status_name(st));
        airlock_check_begin(r, "identifiers", AT_CHECK_FAIL, s);
        airlock_check_end(r);
        r->hard = 1;
        at_text_spans_free(&spans);
        return;
    }
    size_t strong = 0, weak = 0;
    for (size_t i = 0; i < spans.n; i++) {
        if ((spans.v[i].label == AT_PHI_DATE || spans.v[i].label == AT_PHI_ID) &&
            is_timestamp(text, len, spans.v[i].start))
            spans.v[i].label = AT_PHI_NONE; /* a run's own time */
        else if (airlock_label_strong(spans.v[i].label))
            strong++;
        else if (spans.v[i].label != AT_PHI_NONE)
            weak++;
    }
    at_check_outcome o = strong ? AT_CHECK_FAIL : weak ? AT_CHECK_REVIEW : AT_CHECK_PASS;
    char s[300];
    if (!strong && !weak)
        snprintf(s, sizeof s, "no identifier found by the French detector in the %s", what);
    else
        snprintf(s, sizeof s,
                 "%zu identifier%s (names, numbers, addresses, contacts) and %zu date%s or place%s found",
                 strong, strong == 1 ? "" : "s", weak, weak == 1 ? "" : "s", weak == 1 ? "" : "s");
    airlock_check_begin(r, "identifiers", o, s);
    /* line numbers: one pass over the text with the spans in order */
    size_t line = 1, pos = 0;
    for (size_t i = 0; i < spans.n; i++) {
        const at_text_span *sp = &spans.v[i];
        if (sp->label == AT_PHI_NONE)
            continue;
        for (; pos < sp->start && pos < len; pos++)
            if (text[pos] == '\n')
                line++;
        size_t col = 1;
        for (size_t k = sp->start; k > 0 && text[k - 1] != '\n'; k--)
            col++;
        airlock_finding(r, "\"line\":%zu,\"column\":%zu,\"length\":%zu,\"label\":\"%s\",\"strong\":%s", line,
                        col, sp->len, at_phi_label_name(sp->label),
                        airlock_label_strong(sp->label) ? "true" : "false");
    }
    airlock_check_end(r);
    at_text_spans_free(&spans);
}
