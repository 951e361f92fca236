/* Token-level evaluation of the de-identifier against gold spans, as
 * EDS-Pseudo reports it: precision, recall and F1 per label, the
 * label-agnostic redaction figures, the share of documents fully redacted;
 * plus the two places rule systems fail: eponyms wrongly redacted and
 * names that are also common words. */
#include "atelier/text.h"

#include <string.h>
#include <time.h>

/* CPU time of the calling thread: speed per core, not disturbed by other
 * processes sharing the machine. */
static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *const ambiguous_names[] = {"martin", "petit",    "blanc",  "rose",  "pierre", "roche",
                                              "moulin", "fontaine", "berger", "marin", "cousin", "brun"};

static int tok_byte(const unsigned char *t, size_t i, size_t len)
{
    unsigned c = t[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    if (c < 0x80 || c == 0xC2)
        return 0;
    if (c == 0xE2 && i + 1 < len && t[i + 1] == 0x80)
        return 0;
    return 1;
}

/* Label of the span covering [a, b) in a sorted list (cursor advanced). */
static int label_at(const at_text_spans *s, size_t *cur, size_t a, size_t b)
{
    while (*cur < s->n && s->v[*cur].start + s->v[*cur].len <= a)
        (*cur)++;
    if (*cur < s->n && s->v[*cur].start < b)
        return s->v[*cur].label ? s->v[*cur].label : -1;
    return 0;
}

static int covered(const at_text_spans *pred, size_t a, size_t b)
{
    for (size_t i = 0; i < pred->n; i++)
        if (pred->v[i].start < b && pred->v[i].start + pred->v[i].len > a)
            return 1;
    return 0;
}

static int fully_covered(const at_text_spans *pred, size_t a, size_t b)
{
    size_t pos = a;
    for (size_t i = 0; i < pred->n && pos < b; i++)
        if (pred->v[i].start <= pos && pred->v[i].start + pred->v[i].len > pos)
            pos = pred->v[i].start + pred->v[i].len;
    return pos >= b;
}

at_status at_text_deid_evaluate(const at_text_deid *d, const at_text_doc *docs, size_t n,
                                at_text_deid_eval *ev)
{
    at_status st = AT_OK;
    /* every document detected first, the clock read around the batch
     * only (two reads of the thread's clock per document cost about 4% of
     * detection's own time), then scored */
    at_text_spans *all = n ? at_calloc(n, sizeof *all) : NULL;
    if (n && !all)
        return AT_ERR_NOMEM;
    double t0 = thread_cpu_seconds();
    size_t done = 0;
    for (; done < n && !st; done++)
        st = at_text_deid_detect(d, docs[done].text, docs[done].len, &all[done]);
    ev->seconds += thread_cpu_seconds() - t0;
    for (size_t k = 0; k < n && !st; k++) {
        const at_text_doc *doc = &docs[k];
        at_text_spans pred = all[k];
        memset(&all[k], 0, sizeof all[k]);
        ev->bytes += doc->len;
        ev->docs++;
        const unsigned char *t = (const unsigned char *)doc->text;
        size_t gc = 0, pc = 0, missed = 0;
        for (size_t i = 0; i < doc->len;) {
            if (!tok_byte(t, i, doc->len)) {
                i++;
                continue;
            }
            size_t a = i;
            while (i < doc->len && tok_byte(t, i, doc->len))
                i++;
            int g = label_at(&doc->gold, &gc, a, i), p = label_at(&pred, &pc, a, i);
            if (g < 0)
                g = 0;
            if (g && p) {
                ev->red_tp++;
            } else if (g) {
                ev->red_fn++;
                missed++;
            } else if (p) {
                ev->red_fp++;
            }
            if (g && g == p) {
                ev->tp[g]++;
            } else {
                if (g)
                    ev->fn[g]++;
                if (p)
                    ev->fp[p]++;
            }
        }
        if (!missed)
            ev->docs_fully_redacted++;
        for (size_t i = 0; i < doc->eponyms.n; i++) {
            ev->eponym_total++;
            if (covered(&pred, doc->eponyms.v[i].start, doc->eponyms.v[i].start + doc->eponyms.v[i].len))
                ev->eponym_fp++;
        }
        for (size_t i = 0; i < doc->gold.n; i++) {
            const at_text_span *g = &doc->gold.v[i];
            if (g->label != AT_PHI_NOM && g->label != AT_PHI_PRENOM)
                continue;
            char f[128];
            int fl = g->len < 60 ? at_text_fold(doc->text + g->start, g->len, f, sizeof f) : -1;
            if (fl < 0)
                continue;
            for (size_t a = 0; a < sizeof ambiguous_names / sizeof *ambiguous_names; a++) {
                if ((size_t)fl == strlen(ambiguous_names[a]) && !memcmp(f, ambiguous_names[a], (size_t)fl)) {
                    ev->ambiguous_total++;
                    if (fully_covered(&pred, g->start, g->start + g->len))
                        ev->ambiguous_hit++;
                }
            }
        }
        at_text_spans_free(&pred);
    }
    for (size_t k = 0; k < done; k++)
        at_text_spans_free(&all[k]);
    at_free(all);
    return st;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

at_status at_text_deid_eval_report(const at_text_deid_eval *ev, int json, at_buf *out)
{
    double P = ratio(ev->red_tp, ev->red_tp + ev->red_fp), R = ratio(ev->red_tp, ev->red_tp + ev->red_fn);
    double F = ratio(2 * P * R, P + R);
    double mbs = ratio((double)ev->bytes / 1e6, ev->seconds);
    at_status st = AT_OK;
    if (json) {
        st = at_buf_printf(out,
                           "{\"docs\":%zu,\"bytes\":%zu,\"seconds\":%.4f,\"mb_per_s\":%.1f,"
                           "\"overall\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f},"
                           "\"docs_fully_redacted\":%.4f,\"eponyms\":%zu,\"eponyms_redacted\":%zu,"
                           "\"ambiguous_names\":%zu,\"ambiguous_found\":%zu,\"labels\":{",
                           ev->docs, ev->bytes, ev->seconds, mbs, P, R, F,
                           ratio((double)ev->docs_fully_redacted, (double)ev->docs), ev->eponym_total,
                           ev->eponym_fp, ev->ambiguous_total, ev->ambiguous_hit);
        int first = 1;
        for (int l = 1; l < AT_PHI_COUNT && !st; l++) {
            double p = ratio(ev->tp[l], ev->tp[l] + ev->fp[l]), r = ratio(ev->tp[l], ev->tp[l] + ev->fn[l]);
            if (ev->tp[l] + ev->fp[l] + ev->fn[l] == 0)
                continue;
            st = at_buf_printf(
                out, "%s\"%s\":{\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"support\":%.0f}",
                first ? "" : ",", at_phi_label_name(l), p, r, ratio(2 * p * r, p + r), ev->tp[l] + ev->fn[l]);
            first = 0;
        }
        if (!st)
            st = at_buf_puts(out, "}}\n");
        return st;
    }
    st = at_buf_printf(out, "%-16s %9s %9s %9s %9s\n", "label", "precision", "recall", "f1", "tokens");
    for (int l = 1; l < AT_PHI_COUNT && !st; l++) {
        if (ev->tp[l] + ev->fp[l] + ev->fn[l] == 0)
            continue;
        double p = ratio(ev->tp[l], ev->tp[l] + ev->fp[l]), r = ratio(ev->tp[l], ev->tp[l] + ev->fn[l]);
        st = at_buf_printf(out, "%-16s %9.4f %9.4f %9.4f %9.0f\n", at_phi_label_name(l), p, r,
                           ratio(2 * p * r, p + r), ev->tp[l] + ev->fn[l]);
    }
    if (!st)
        st = at_buf_printf(out,
                           "%-16s %9.4f %9.4f %9.4f %9.0f\n"
                           "documents fully redacted: %zu/%zu (%.4f)\n"
                           "eponyms wrongly redacted: %zu/%zu\n"
                           "names that are common words found: %zu/%zu\n"
                           "detection speed: %.1f MB/s per core (%zu bytes in %.3f s of thread CPU time)\n",
                           "OVERALL(redact)", P, R, F, ev->red_tp + ev->red_fn, ev->docs_fully_redacted,
                           ev->docs, ratio((double)ev->docs_fully_redacted, (double)ev->docs), ev->eponym_fp,
                           ev->eponym_total, ev->ambiguous_hit, ev->ambiguous_total, mbs, ev->bytes,
                           ev->seconds);
    return st;
}
