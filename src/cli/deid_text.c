/* The French text de-identification detector (src/text) as the door's
 * text detector: `deid --option clean-descriptors` reuses it on every text
 * value the door retains, rather than a second set of rules. Built into
 * atelier-engine only (the door cannot link src/text, which sits above it). */
#include "cli.h"

#include "atelier/deid.h"
#include "atelier/text.h"

#include <string.h>

/* One text value: invalid UTF-8 and NUL bytes (the detector wants valid
 * UTF-8) become '?' in a copy of the same length, so offsets still hold. */
static at_status detect(void *ud, const char *text, size_t len, at_deid_span **spans, size_t *count)
{
    const at_text_deid *d = ud;
    size_t bad;
    char *copy = NULL;
    if (at_text_utf8_check(text, len, &bad) != 0) {
        copy = at_malloc(len ? len : 1);
        if (!copy)
            return AT_ERR_NOMEM;
        memcpy(copy, text, len);
        size_t off = 0;
        while (off < len && at_text_utf8_check(copy + off, len - off, &bad) != 0) {
            copy[off + bad] = '?';
            off += bad + 1;
        }
        text = copy;
    }
    at_text_spans s = {0};
    at_status st = at_text_deid_detect(d, text, len, &s);
    if (!st && s.n) {
        at_deid_span *v = at_realloc(*spans, (*count + s.n) * sizeof *v);
        if (!v)
            st = AT_ERR_NOMEM;
        else {
            *spans = v;
            for (size_t i = 0; i < s.n; i++) {
                int l = s.v[i].label;
                v[*count].start = s.v[i].start;
                v[*count].len = s.v[i].len;
                v[*count].kind = l == AT_PHI_DATE || l == AT_PHI_DATE_NAISSANCE ? AT_DEID_SPAN_DATE
                                 : l == AT_PHI_HOPITAL || l == AT_PHI_FINESS    ? AT_DEID_SPAN_INSTITUTION
                                                                                : AT_DEID_SPAN_OTHER;
                (*count)++;
            }
        }
    }
    at_text_spans_free(&s);
    at_free(copy);
    return st;
}

at_status cli_deid_detector(void *deid_spec, void **state)
{
    at_deid_spec *cfg = deid_spec;
    at_text_deid *d = NULL;
    at_status st = at_text_deid_new(NULL, &d);
    if (st)
        return st;
    cfg->detect = detect;
    cfg->detect_ud = d;
    *state = d;
    return AT_OK;
}

void cli_deid_detector_free(void *state)
{
    at_text_deid_free(state);
}
