/* Shared by the text de-identifier's white-box unit tests: the scan of a
 * text by the default detector's rules, and a token's index by the text
 * it opens. Header-only, with text_label.h before it. */
#ifndef ATELIER_TESTS_TEXT_SCAN_AT_H
#define ATELIER_TESTS_TEXT_SCAN_AT_H

#include "text_label.h"

#include "text/deid_scan.h"

#include <string.h>

/* The scan of text by the rules (owned by the caller: deid_scan_free). */
static inline void scan(text_scan *s, text_names *nm, const char *text)
{
    assert_int_equal(deid_scan_rules(det, text, strlen(text), s, nm), AT_OK);
}

/* Token index of the first token starting at needle's first byte. */
static inline size_t tok_at(const text_scan *s, const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    assert_non_null(hit);
    for (size_t i = 0; i < s->n; i++)
        if (s->tok[i].s == (uint32_t)(hit - text))
            return i;
    fail_msg("no token at the needle");
    return 0;
}

#endif
