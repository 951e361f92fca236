/* Shared by the text de-identifier's unit tests: one default detector
 * (rules, tagger, allow-list) for the group, and the label a detector
 * puts over a needle. Header-only: static inline functions, so a test
 * that leaves one unused still builds with -Werror. */
#ifndef ATELIER_TESTS_TEXT_LABEL_H
#define ATELIER_TESTS_TEXT_LABEL_H

#include "support.h"

#include "atelier/text.h"
#include "atelier/text_model.h"

#include <string.h>

static at_text_deid *det;

static inline int text_setup(void **state)
{
    (void)state;
    return at_text_deid_new(NULL, &det) == AT_OK ? 0 : -1;
}

static inline int text_teardown(void **state)
{
    (void)state;
    at_text_deid_free(det);
    return 0;
}

/* A group with a second detector, rules: no tagger, the rules and the
 * allow-list alone (what a rule does, whatever the model learned). */
static at_text_deid *rules;

static inline int text_rules_setup(void **state)
{
    (void)state;
    if (at_text_deid_new(NULL, &det) != AT_OK || at_text_deid_new(NULL, &rules) != AT_OK)
        return -1;
    return at_text_deid_set_model(rules, NULL) == AT_OK ? 0 : -1;
}

static inline int text_rules_teardown(void **state)
{
    (void)state;
    at_text_deid_free(det);
    at_text_deid_free(rules);
    return 0;
}

/* Label over occurrence nth (0: the first) of needle in text, by d (0:
 * none; the needle must be there). */
static inline int label_nth(const at_text_deid *d, const char *text, const char *needle, int nth)
{
    at_text_spans sp = {0};
    assert_int_equal(at_text_deid_detect(d, text, strlen(text), &sp), AT_OK);
    const char *hit = strstr(text, needle);
    for (int k = 0; k < nth && hit; k++)
        hit = strstr(hit + 1, needle);
    assert_non_null(hit);
    size_t a = (size_t)(hit - text), b = a + strlen(needle);
    int lab = 0;
    for (size_t i = 0; i < sp.n; i++)
        if (sp.v[i].start < b && sp.v[i].start + sp.v[i].len > a)
            lab = sp.v[i].label;
    at_text_spans_free(&sp);
    return lab;
}

/* Label over the first occurrence of needle in text, by the default detector. */
static inline int label_of(const char *text, const char *needle)
{
    return label_nth(det, text, needle, 0);
}

#endif
