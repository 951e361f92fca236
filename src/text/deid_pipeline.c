/* The French clinical de-identifier's run over a text: cut into chunks at
 * blank lines, each scanned by the rule passes (deid_detect.c), then the
 * tagger, the allow-list and the late passes; a token belongs to at most
 * one entity, and entities become spans. */
#include "deid_scan.h"
#include "tagger.h"

#include <string.h>

#define DEID_MAX_TEXT ((size_t)1 << 31)

/* ASCII lower-case of a byte (other bytes unchanged). */
static inline unsigned char ascii_lower(unsigned b)
{
    return (unsigned char)(b - 'A' < 26u ? b + 32 : b);
}

/* Detect in one chunk; spans get base added to their offsets. */
static at_status detect_chunk(const at_text_deid *d, const char *text, size_t len, size_t base,
                              at_text_spans *out, text_run_acc *acc, int view)
{
    text_scan s;
    text_names names;
    tag_doc c;
    memset(&c, 0, sizeof c);
    at_status st = deid_scan_rules(d, text, len, &s, &names);
    if (!st && (d->tagger || d->allow_list))
        st = tag_doc_init(&s, &c, d->tagger != NULL);
    /* the other mentions of the names the rules found, then the tagger
     * and the allow-list, then the mentions of the names they added */
    size_t names_before = 0;
    uint32_t rules_ent = s.next_ent; /* the entities the rules found: ids up to it */
    if (!st) {
        deid_pass_mentions(&s);
        names_before = names.count;
    }
    if (!st)
        st = deid_pass_tagger(&s, &c);
    if (!st)
        deid_pass_joins(&s);
    if (!st)
        deid_pass_firm_check(&s, rules_ent);
    if (!st)
        deid_pass_complete(&s);
    if (!st && d->allow_list) {
        size_t before = s.next_ent;
        deid_pass_allow(&s, &c);
        /* the parts of names around the words the allow-list took
         * ("Madame Lorraine CHERIF": the surname is the allow-list's) */
        if (s.next_ent != before)
            deid_pass_name_joins(&s);
    }
    if (!st) {
        deid_pass_split_names(&s);
        deid_pass_towns_late(&s);
        deid_pass_mid_months(&s);
        deid_pass_estab_lower(&s);
        deid_pass_maiden_names(&s);
        /* and of every word labelled that no list of the language holds */
        deid_names_add_labelled(&s, rules_ent);
        if (names.count > names_before)
            deid_pass_mentions(&s);
        /* the words of the run's other documents */
        if (d->run)
            deid_pass_run_words(&s);
        if (acc)
            deid_run_collect(&s, acc, rules_ent);
        deid_pass_number_tails(&s);
        deid_pass_dictated(&s);
        deid_pass_place_fields(&s);
        deid_pass_dictated_places(&s);
        deid_pass_address_blocks(&s);
        deid_pass_before_zip(&s);
        deid_pass_spelled(&s);
        deid_pass_zip_before_town(&s);
        deid_pass_place_late(&s);
        deid_pass_public_refs(&s);
        deid_pass_lists(&s);
        deid_pass_known_estab(&s);
        deid_pass_late_names(&s);
        deid_pass_place_heads(&s);
        deid_pass_ocr_names(&s);
        deid_pass_region_orgs(&s);
        deid_pass_acronyms(&s);
        /* the edges the annotated notes taught */
        deid_pass_extend(&s, base);
        /* letter-spaced runs read again without their spaces (not in a
         * view itself) */
        if (!view && (s.seen & TEXT_SEEN_SPELT)) {
            spaced_view sv;
            st = deid_spaced_view(&s, &sv);
            if (!st && sv.t) {
                at_text_spans found;
                memset(&found, 0, sizeof found);
                st = detect_chunk(d, sv.t, sv.len, 0, &found, NULL, 1);
                if (!st)
                    deid_spaced_apply(&s, &sv, &found);
                at_text_spans_free(&found);
            }
            deid_spaced_view_free(&sv);
        }
        /* one span per entity: make room for them at once */
        size_t need = out->n + s.next_ent;
        if (need > out->cap) {
            size_t ncap = out->cap * 2 > need ? out->cap * 2 : need;
            at_text_span *v = at_realloc(out->v, ncap * sizeof *v);
            if (!v)
                st = AT_ERR_NOMEM;
            else {
                out->v = v;
                out->cap = ncap;
            }
        }
        for (size_t i = 0; i < s.n && !st;) {
            i = deid_next_labelled(&s, i); /* (on to the first labelled token) */
            if (i >= s.n)
                break;
            size_t j = i + 1;
            while (j < s.n && s.ent[j] == s.ent[i])
                j++;
            size_t a = i;
            size_t start = base + s.tok[a].s, span_len = s.tok[j - 1].e - s.tok[a].s;
            if (s.lab[i] == AT_PHI_AGE && j < s.n && !s.lab[j]) { /* "92 ans": the unit too, as rewritten */
                size_t end = s.tok[j - 1].e, u = text_age_unit_len(text + end, len - end, len - end);
                if (end + u <= s.tok[j].e)
                    span_len += u;
            }
            if (out->n < out->cap) { /* as at_text_spans_push, which grows the array when full */
                out->v[out->n].start = start;
                out->v[out->n].len = span_len;
                out->v[out->n].label = s.lab[i];
                out->n++;
            } else {
                st = at_text_spans_push(out, start, span_len, s.lab[i]);
            }
            i = j;
        }
    }
    tag_doc_free(&c);
    deid_scan_free(&s);
    if (st == AT_ERR_NOMEM)
        return at_error_set(st, "text deid: out of memory");
    return st;
}

/* Large texts are cut at blank lines (else at line breaks) into chunks of
 * about DEID_CHUNK bytes so the token arrays stay in cache; no rule looks
 * across a blank line, so the result is the same as one pass. */
#define DEID_CHUNK ((size_t)64 << 10)

static at_status detect_all(const at_text_deid *d, const char *text, size_t len, at_text_spans *out,
                            text_run_acc *acc)
{
    if (!d || (!text && len))
        return at_error_set(AT_ERR_ARG, "text deid: no detector or text");
    if (len >= DEID_MAX_TEXT)
        return at_error_set(AT_ERR_LIMIT, "text deid: document of %zu bytes exceeds the 2 GiB limit", len);
    size_t pos = 0;
    at_status st = AT_OK;
    while (pos < len && !st) {
        size_t end = len;
        if (len - pos > 2 * DEID_CHUNK) {
            const char *from = text + pos + DEID_CHUNK, *lim = text + pos + 2 * DEID_CHUNK;
            const char *cut = NULL;
            for (const char *p = from; p + 1 < lim && !cut; p++)
                if (p[0] == '\n' && p[1] == '\n')
                    cut = p + 2;
            if (!cut)
                cut = memchr(from, '\n', (size_t)(lim - from));
            end = cut ? (size_t)(cut + (cut[-1] == '\n' ? 0 : 1) - text) : len;
        }
        st = detect_chunk(d, text + pos, end - pos, pos, out, acc, 0);
        pos = end;
    }
    return st;
}

at_status at_text_deid_detect(const at_text_deid *d, const char *text, size_t len, at_text_spans *out)
{
    return detect_all(d, text, len, out, NULL);
}

at_status text_deid_detect_collect(const at_text_deid *d, const char *text, size_t len, at_text_spans *out,
                                   text_run_acc *acc)
{
    return detect_all(d, text, len, out, acc);
}

/* Token i, folded, is one of set (NULL-ended, folded words); tokens of more
 * than 48 bytes never are. */
int deid_tok_in(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].e - s->tok[i].s > 48)
        return 0;
    /* the first letter first (ASCII): most words leave before folding */
    unsigned c = (unsigned char)s->t[s->tok[i].s];
    const char *const *from = set; /* the first word that may be an ASCII token's */
    if (c < 0x80) {
        unsigned lc = c | 0x20;
        const char *const *w = set;
        while (*w && (unsigned char)(*w)[0] != lc)
            w++;
        if (!*w)
            return 0;
        if (ascii_lower(c) == lc)
            from = w; /* (the words before it have another first byte) */
    }
    /* an ASCII word folds to its lower case: compared as it is */
    const unsigned char *w = (const unsigned char *)s->t + s->tok[i].s;
    size_t wn = s->tok[i].e - s->tok[i].s;
    unsigned any = 0;
    for (size_t j = 0; j < wn; j++)
        any |= w[j];
    if (any < 0x80) {
        for (set = from; *set; set++) {
            size_t j = 0;
            while (j < wn && (unsigned char)(*set)[j] == ascii_lower(w[j]))
                j++;
            if (j == wn && (*set)[wn] == 0)
                return 1;
        }
        return 0;
    }
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, wn, f, sizeof f);
    if (fl <= 0)
        return 0;
    size_t n = (size_t)fl;
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, n) && (*set)[n] == 0)
            return 1;
    return 0;
}

void text_word_index_build(text_word_index *x)
{
    for (size_t i = 0; x->set[i]; i++) {
        unsigned c = (unsigned char)x->set[i][0];
        size_t n = strlen(x->set[i]);
        if (!x->lens[c])
            x->first[c] = (uint16_t)i;
        x->end[c] = (uint16_t)(i + 1);
        x->lens[c] |= 1u << (n < 31 ? n : 31);
    }
}

int text_word_index_has(const text_word_index *x, const char *w, size_t n)
{
    unsigned c = (unsigned char)w[0];
    if (!(x->lens[c] >> (n < 31 ? n : 31) & 1))
        return 0;
    for (size_t i = x->first[c]; i < x->end[c]; i++) {
        const char *e = x->set[i];
        size_t j = 1; /* (the first byte is c) */
        while (j < n && e[j] && e[j] == w[j])
            j++;
        if (j == n && e[n] == 0)
            return 1;
    }
    return 0;
}

int deid_tok_in_index(const text_scan *s, size_t i, const text_word_index *x)
{
    if (i >= s->n || s->tok[i].e - s->tok[i].s > 48)
        return 0;
    const unsigned char *w = (const unsigned char *)s->t + s->tok[i].s;
    size_t wn = s->tok[i].e - s->tok[i].s;
    /* (deid_tok_in's first test: a word of the set opens with the first
     * byte of an ASCII token, bit 5 set) */
    if (w[0] < 0x80 && !x->lens[w[0] | 0x20])
        return 0;
    unsigned any = 0;
    for (size_t j = 0; j < wn; j++)
        any |= w[j];
    if (any < 0x80) {
        /* an ASCII word folds to its lower case */
        unsigned c = ascii_lower(w[0]);
        if (!(x->lens[c] >> (wn < 31 ? wn : 31) & 1))
            return 0;
        for (size_t q = x->first[c]; q < x->end[c]; q++) {
            const char *e = x->set[q];
            size_t j = 1;
            while (j < wn && (unsigned char)e[j] == ascii_lower(w[j]))
                j++;
            if (j == wn && e[wn] == 0)
                return 1;
        }
        return 0;
    }
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, wn, f, sizeof f);
    return fl > 0 && text_word_index_has(x, f, (size_t)fl);
}
