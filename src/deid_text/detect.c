/* The French text detector (src/text) as the DICOM door's text detector:
 * one adapter for every caller (deid_text.h). */
#include "atelier/deid_text.h"

#include <string.h>

/* The door's span kind of a detector label. */
static int span_kind(int label)
{
    if (label == AT_PHI_DATE || label == AT_PHI_DATE_NAISSANCE)
        return AT_DEID_SPAN_DATE;
    if (label == AT_PHI_HOPITAL || label == AT_PHI_FINESS)
        return AT_DEID_SPAN_INSTITUTION;
    return AT_DEID_SPAN_OTHER;
}

/* One text value: invalid UTF-8 and NUL bytes (the detector wants valid
 * UTF-8) become '?' in a copy of the same length, so offsets still hold. */
at_status at_deid_text_detect(void *ud, const char *text, size_t len, at_deid_span **spans, size_t *count)
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
                v[*count].start = s.v[i].start;
                v[*count].len = s.v[i].len;
                v[*count].kind = span_kind(s.v[i].label);
                (*count)++;
            }
        }
    }
    at_text_spans_free(&s);
    at_free(copy);
    return st;
}
