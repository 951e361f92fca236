/* Token-level evaluation of the de-identifier against gold spans, as
 * EDS-Pseudo reports it: precision, recall and F1 per label, the
 * label-agnostic redaction figures, the share of documents fully redacted;
 * plus the two places rule systems fail: eponyms wrongly redacted and
 * names that are also common words. */
#include "atelier/text.h"

#include <stdint.h>
#include <stdio.h>
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

/* Bytes of the character at t[i] that belongs to a word token, or 0:
 * ASCII letters and digits, and every other character from U+00C0 on
 * except the signs x and / of Latin-1 and the punctuation and symbols of
 * U+2000..U+2BFF, U+3000..U+303F and U+FE00..U+FFFF (a dash, a guillemet,
 * an arrow between two names is no identifier's token). A stray byte is
 * one byte and no token. */
static size_t tok_char(const unsigned char *t, size_t i, size_t len)
{
    unsigned c = t[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (!n || c >= 0xF5 || i + n > len)
        return 0;
    uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < n; k++) {
        if ((t[i + k] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (t[i + k] & 0x3F);
    }
    if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2BFF) ||
        (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFFFF))
        return 0;
    return n;
}

/* Bytes of the next character (at least one). */
static size_t char_len(const unsigned char *t, size_t i, size_t len)
{
    unsigned c = t[i];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return i + n <= len ? n : 1;
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

/* Character (code point) offsets of byte offsets met in increasing order
 * (as BRAT writes them): a cursor over the text. */
typedef struct {
    const unsigned char *t;
    size_t byte, cp;
} cp_cursor;

static size_t cp_at(cp_cursor *c, size_t b)
{
    if (b < c->byte) { /* (back to the start: rare) */
        c->byte = 0;
        c->cp = 0;
    }
    for (; c->byte < b; c->byte++)
        c->cp += (c->t[c->byte] & 0xC0) != 0x80;
    return c->cp;
}

/* The word tokens of [a, b) of the text, and those of them any span of
 * sp covers (sp sorted; *cur a cursor over it for increasing a). */
static void span_tokens(const unsigned char *t, size_t len, size_t a, size_t b, const at_text_spans *sp,
                        size_t *cur, size_t *all, size_t *hit)
{
    *all = *hit = 0;
    for (size_t i = a; i < b && i < len;) {
        size_t w = tok_char(t, i, len);
        if (!w) {
            i += char_len(t, i, len);
            continue;
        }
        size_t s0 = i;
        while (i < b && i < len && (w = tok_char(t, i, len)) != 0)
            i += w;
        (*all)++;
        *hit += label_at(sp, cur, s0, i) != 0;
    }
}

/* One row of the error listing: its kind, the document, the label, the
 * span in characters, its tokens and its text (tabs and line breaks as
 * spaces, at most 160 bytes, cut on a character). */
static at_status error_row(at_buf *out, const char *kind, const char *doc, int label, cp_cursor *c,
                           const at_text_span *sp, const char *tokens)
{
    size_t a = cp_at(c, sp->start), b = cp_at(c, sp->start + sp->len);
    at_status st = at_buf_printf(out, "%s\t%s\t%s\t%zu\t%zu\t%s\t", kind, doc,
                                 label > 0 ? at_phi_label_name(label) : "KEEP", a, b, tokens);
    size_t n = sp->len > 160 ? 160 : sp->len;
    while (n > 0 && n < sp->len && (c->t[sp->start + n] & 0xC0) == 0x80)
        n--;
    for (size_t i = 0; i < n && !st; i++) {
        char ch = (char)c->t[sp->start + i];
        st = at_buf_putc(out, ch == '\t' || ch == '\n' || ch == '\r' ? ' ' : ch);
    }
    return st ? st : at_buf_putc(out, '\n');
}

/* The rows of document doc with detection pred: each identifier with a
 * token left (missed), each detection with a token outside every
 * identifier (false), each string to keep touched (lost). */
static at_status error_rows(const at_text_doc *doc, const char *name, const at_text_spans *pred, at_buf *out)
{
    const unsigned char *t = (const unsigned char *)doc->text;
    cp_cursor c = {t, 0, 0};
    at_status st = AT_OK;
    size_t cur = 0, all, hit;
    char tk[48];
    for (size_t i = 0; i < doc->gold.n && !st; i++) {
        const at_text_span *g = &doc->gold.v[i];
        if (g->label <= 0)
            continue;
        span_tokens(t, doc->len, g->start, g->start + g->len, pred, &cur, &all, &hit);
        if (hit < all) {
            snprintf(tk, sizeof tk, "%zu/%zu", all - hit, all);
            st = error_row(out, "missed", name, g->label, &c, g, tk);
        }
    }
    cur = 0;
    for (size_t i = 0; i < pred->n && !st; i++) {
        const at_text_span *p = &pred->v[i];
        span_tokens(t, doc->len, p->start, p->start + p->len, &doc->gold, &cur, &all, &hit);
        if (hit < all) {
            snprintf(tk, sizeof tk, "%zu/%zu", all - hit, all);
            st = error_row(out, "false", name, p->label, &c, p, tk);
        }
    }
    for (size_t i = 0; i < doc->eponyms.n && !st; i++) {
        const at_text_span *k = &doc->eponyms.v[i];
        if (covered(pred, k->start, k->start + k->len))
            st = error_row(out, "lost", name, 0, &c, k, "-");
    }
    return st;
}

at_status at_text_deid_evaluate(const at_text_deid *d, const at_text_doc *docs, size_t n,
                                at_text_deid_eval *ev)
{
    return at_text_deid_evaluate_errors(d, docs, n, ev, NULL);
}

at_status at_text_deid_evaluate_errors(const at_text_deid *d, const at_text_doc *docs, size_t n,
                                       at_text_deid_eval *ev, at_buf *errors)
{
    at_status st = AT_OK;
    /* every document detected first, the clock read around the batch
     * only (two reads of the thread's clock per document cost about 4% of
     * detection's own time), then scored */
    at_text_spans *all = n ? at_calloc(n, sizeof *all) : NULL;
    const char **texts = n ? at_calloc(n, sizeof *texts) : NULL;
    size_t *lens = n ? at_calloc(n, sizeof *lens) : NULL;
    if (n && (!all || !texts || !lens)) {
        at_free(all);
        at_free(texts);
        at_free(lens);
        return AT_ERR_NOMEM;
    }
    for (size_t k = 0; k < n; k++) {
        texts[k] = docs[k].text;
        lens[k] = docs[k].len;
    }
    double t0 = thread_cpu_seconds();
    st = at_text_deid_detect_many(d, texts, lens, n, all);
    ev->seconds += thread_cpu_seconds() - t0;
    at_free(texts);
    at_free(lens);
    for (size_t k = 0; k < n && !st; k++) {
        const at_text_doc *doc = &docs[k];
        at_text_spans pred = all[k];
        memset(&all[k], 0, sizeof all[k]);
        ev->bytes += doc->len;
        ev->docs++;
        const unsigned char *t = (const unsigned char *)doc->text;
        size_t gc = 0, pc = 0, missed = 0;
        for (size_t i = 0; i < doc->len;) {
            size_t w = tok_char(t, i, doc->len);
            if (!w) {
                i += char_len(t, i, doc->len);
                continue;
            }
            size_t a = i;
            while (i < doc->len && (w = tok_char(t, i, doc->len)) != 0)
                i += w;
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
        if (errors) {
            char num[32];
            snprintf(num, sizeof num, "%zu", k + 1);
            st = error_rows(doc, doc->patient_id && doc->kind < 0 ? doc->patient_id : num, &pred, errors);
        }
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
    for (size_t k = 0; k < n; k++)
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
