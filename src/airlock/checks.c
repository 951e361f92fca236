/* The automated checks of one file: its type (from the name and the first
 * bytes) against the allow-list, its size, then the checks of its type
 * (check_text.c, check_table.c, check_dicom.c, check_model.c), written as
 * one JSON report. A finding names a line, a column, a tag, a label or an
 * offset, never a value. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define FINDINGS_MAX 50 /* per check; the rest are counted */

const char *at_check_outcome_name(at_check_outcome o)
{
    return o == AT_CHECK_FAIL ? "fail" : o == AT_CHECK_REVIEW ? "review" : "pass";
}

at_status airlock_json_string(at_buf *b, const char *s, size_t n)
{
    return at_buf_json_string(b, s ? s : "", s ? n : 0);
}

void airlock_report_init(airlock_report *r)
{
    memset(r, 0, sizeof *r);
    at_buf_init(&r->b, 4u << 20);
    at_buf_puts(&r->b, "{\"checks\":[");
}

void airlock_check_begin(airlock_report *r, const char *name, at_check_outcome outcome, const char *summary)
{
    at_buf_printf(&r->b, "%s{\"name\":\"%s\",\"outcome\":\"%s\",\"summary\":", r->checks ? "," : "", name,
                  at_check_outcome_name(outcome));
    airlock_json_string(&r->b, summary, summary ? strlen(summary) : 0);
    at_buf_puts(&r->b, ",\"findings\":[");
    r->checks++;
    if (outcome > r->outcome)
        r->outcome = outcome;
    r->findings = r->dropped = 0;
}

void airlock_finding(airlock_report *r, const char *fmt, ...)
{
    if (r->findings >= FINDINGS_MAX) {
        r->dropped++;
        return;
    }
    at_buf_puts(&r->b, r->findings++ ? ",{" : "{");
    va_list ap;
    va_start(ap, fmt);
    at_buf_vprintf(&r->b, fmt, ap);
    va_end(ap);
    at_buf_putc(&r->b, '}');
}

void airlock_check_end(airlock_report *r)
{
    at_buf_printf(&r->b, "],\"more\":%d}", r->dropped);
}

static at_status report_finish(airlock_report *r, const char *type, at_airlock_checks *out)
{
    at_buf_printf(&r->b, "],\"outcome\":\"%s\",\"type\":\"%s\",\"hard\":%s,\"needs_dpo\":%s}",
                  at_check_outcome_name(r->outcome), type, r->hard ? "true" : "false",
                  r->needs_dpo ? "true" : "false");
    if (!r->b.data || r->b.len >= r->b.max) {
        at_buf_free(&r->b);
        return at_error_set(AT_ERR_LIMIT, "checks: the report is too large");
    }
    out->outcome = r->outcome;
    out->hard = r->hard;
    out->needs_dpo = r->needs_dpo;
    snprintf(out->type, sizeof out->type, "%s", type);
    size_t n;
    out->json = (char *)at_buf_steal(&r->b, &n);
    return out->json ? AT_OK : AT_ERR_NOMEM;
}

void at_airlock_checks_free(at_airlock_checks *c)
{
    if (c) {
        at_free(c->json);
        c->json = NULL;
    }
}

static const char *extension(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

static int ext_is(const char *e, const char *want)
{
    return !strcasecmp(e, want);
}

const char *at_airlock_file_type(const char *name, const unsigned char *d, size_t n)
{
    const char *e = extension(name ? name : "");
    /* formats known by their bytes first: a name cannot make a model a table */
    if (d && n >= 8 && (!memcmp(d, "ATRISK01", 8) || !memcmp(d, "ATRISK02", 8)))
        return "atrisk";
    if (d && n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        return "png";
    if (d && n >= 5 && !memcmp(d, "%PDF-", 5))
        return "pdf";
    if (d && n >= 132 && !memcmp(d + 128, "DICM", 4))
        return "dicom";
    if (ext_is(e, "dcm") || ext_is(e, "dicom"))
        return "dicom";
    if (ext_is(e, "safetensors"))
        return "safetensors";
    if (ext_is(e, "atrisk"))
        return "atrisk";
    static const char *const text_types[] = {"csv", "tsv", "json", "txt", "log", "svg", "md"};
    for (size_t i = 0; i < sizeof text_types / sizeof *text_types; i++)
        if (ext_is(e, text_types[i]))
            return ext_is(e, "md") ? "txt" : text_types[i];
    if (ext_is(e, "png"))
        return "png";
    if (ext_is(e, "pdf"))
        return "pdf";
    if (name && !strcmp(name, "log"))
        return "log"; /* a job's log */
    return "unknown";
}

static int is_text_type(const char *t)
{
    return !strcmp(t, "csv") || !strcmp(t, "tsv") || !strcmp(t, "json") || !strcmp(t, "txt") ||
           !strcmp(t, "log") || !strcmp(t, "svg");
}

/* A text type must be UTF-8 without NUL: anything else is not what its
 * name says (and the detector could not read it). */
static int text_ok(airlock_report *r, const unsigned char *d, size_t n)
{
    size_t bad = 0;
    if (at_text_utf8_check((const char *)d, n, &bad) == 0)
        return 1;
    char s[160];
    snprintf(s, sizeof s, "not UTF-8 text (byte %zu): it cannot be checked", bad);
    airlock_check_begin(r, "encoding", AT_CHECK_FAIL, s);
    airlock_finding(r, "\"offset\":%zu", bad);
    airlock_check_end(r);
    r->hard = 1;
    return 0;
}

static void check_png(airlock_report *r, const unsigned char *d, size_t n)
{
    /* the signature, then IHDR: a picture may show anything, a person
     * looks at it; text chunks (tEXt, zTXt, iTXt) are named */
    if (n < 33 || memcmp(d + 12, "IHDR", 4)) {
        airlock_check_begin(r, "image", AT_CHECK_FAIL, "not a PNG image (no IHDR)");
        airlock_check_end(r);
        r->hard = 1;
        return;
    }
    uint32_t w = (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19];
    uint32_t h = (uint32_t)d[20] << 24 | (uint32_t)d[21] << 16 | (uint32_t)d[22] << 8 | d[23];
    size_t text_chunks = 0;
    for (size_t off = 8; off + 12 <= n;) {
        uint32_t len =
            (uint32_t)d[off] << 24 | (uint32_t)d[off + 1] << 16 | (uint32_t)d[off + 2] << 8 | d[off + 3];
        if (len > n - off - 12)
            break;
        if (!memcmp(d + off + 4, "tEXt", 4) || !memcmp(d + off + 4, "zTXt", 4) ||
            !memcmp(d + off + 4, "iTXt", 4))
            text_chunks++;
        off += 12 + (size_t)len;
    }
    char s[200];
    snprintf(s, sizeof s, "a %ux%u picture: a person looks at it (the checks cannot read pixels)%s", w, h,
             text_chunks ? "; it holds text chunks" : "");
    airlock_check_begin(r, "image", AT_CHECK_REVIEW, s);
    if (text_chunks)
        airlock_finding(r, "\"text_chunks\":%zu", text_chunks);
    airlock_check_end(r);
}

static void check_pdf(airlock_report *r, const unsigned char *d, size_t n)
{
    /* a PDF's text is compressed and laid out by its own programs: a
     * person reads it; the scripts and attachments it may carry are named */
    static const char *const risky[] = {"/JavaScript", "/JS", "/EmbeddedFile", "/Launch"};
    airlock_check_begin(r, "document", AT_CHECK_REVIEW,
                        "a PDF document: a person reads it (its text is not checked automatically)");
    for (size_t i = 0; i < sizeof risky / sizeof *risky; i++) {
        size_t k = strlen(risky[i]);
        for (size_t off = 0; off + k <= n; off++)
            if (d[off] == '/' && !memcmp(d + off, risky[i], k)) {
                airlock_finding(r, "\"key\":\"%s\",\"offset\":%zu", risky[i] + 1, off);
                break;
            }
    }
    airlock_check_end(r);
}

at_status at_airlock_check_file(const at_airlock_check_ctx *ctx, const char *name, const unsigned char *data,
                                size_t len, uint64_t size, at_airlock_checks *out)
{
    memset(out, 0, sizeof *out);
    const at_airlock_conf *conf = ctx->conf;
    airlock_report r;
    airlock_report_init(&r);
    const char *type = at_airlock_file_type(name, data, data ? len : 0);
    char s[256];
    int allowed = at_airlock_type_allowed(conf, type);
    snprintf(s, sizeof s, "%s%s", type,
             allowed ? " is on the allow-list" : " is not on the allow-list (airlock.types)");
    airlock_check_begin(&r, "type", allowed ? AT_CHECK_PASS : AT_CHECK_FAIL, s);
    airlock_check_end(&r);
    if (!allowed)
        r.hard = 1;
    int big = size > conf->file_max || !data;
    snprintf(s, sizeof s, "%llu bytes %s the limit of %llu (airlock.file_max_mb)", (unsigned long long)size,
             big ? "over" : "within", (unsigned long long)conf->file_max);
    airlock_check_begin(&r, "size", big ? AT_CHECK_FAIL : AT_CHECK_PASS, s);
    airlock_check_end(&r);
    if (big) {
        r.hard = 1;
        return report_finish(&r, type, out);
    }
    const char *text = (const char *)data;
    if (is_text_type(type) && !text_ok(&r, data, len))
        return report_finish(&r, type, out);
    if (!strcmp(type, "csv") || !strcmp(type, "tsv")) {
        airlock_check_identifiers(&r, ctx->detector, "csv", text, len);
        airlock_check_table(&r, ctx, text, len);
    } else if (!strcmp(type, "json") || !strcmp(type, "txt") || !strcmp(type, "log") ||
               !strcmp(type, "svg")) {
        airlock_check_identifiers(&r, ctx->detector, type, text, len);
        if (!strcmp(type, "svg")) {
            airlock_check_begin(&r, "image", AT_CHECK_REVIEW, "a drawing: a person looks at it");
            airlock_check_end(&r);
        }
    } else if (!strcmp(type, "png")) {
        check_png(&r, data, len);
    } else if (!strcmp(type, "pdf")) {
        check_pdf(&r, data, len);
    } else if (!strcmp(type, "dicom")) {
        airlock_check_dicom(&r, ctx->detector, data, len);
    } else if (!strcmp(type, "atrisk")) {
        airlock_check_risk_model(&r, ctx, data, len);
    } else if (!strcmp(type, "safetensors")) {
        airlock_check_safetensors(&r, ctx->detector, data, len);
    }
    return report_finish(&r, type, out);
}
