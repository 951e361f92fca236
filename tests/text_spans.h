/* Shared by the text de-identifier's unit tests that compare two
 * detections: the same spans, in the same order. Header-only. */
#ifndef ATELIER_TESTS_TEXT_SPANS_H
#define ATELIER_TESTS_TEXT_SPANS_H

#include "atelier/text.h"

static inline int same_spans(const at_text_spans *a, const at_text_spans *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].start != b->v[i].start || a->v[i].len != b->v[i].len || a->v[i].label != b->v[i].label)
            return 0;
    return 1;
}

#endif
