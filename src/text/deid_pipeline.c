/* The French clinical de-identifier's run over a text: cut into chunks at
 * blank lines, each scanned by the rule passes (deid_detect.c), then the
 * tagger, the allow-list and the late passes; a token belongs to at most
 * one entity, and entities become spans. */
#include "deid_scan.h"
#include "spaced_view.h"
#include "tagger.h"

#include <string.h>

#define DEID_MAX_TEXT ((size_t)1 << 31)

/* ASCII lower-case of a byte (other bytes unchanged). */
static inline unsigned char ascii_lower(unsigned b)
{
    return (unsigned char)(b - 'A' < 26u ? b + 32 : b);
}

/* The rule passes, from the most to the least certain (deid_passes.c,
 * deid_extra.c and the others), and a scan through them alone (the
 * tagger's training reads the notes as the rules leave them). */
void (*const deid_rule_passes[])(text_scan *s) = {
    deid_pass_email,        deid_pass_form_dates,    deid_pass_extra_early, deid_pass_numbers,
    deid_pass_labelled_ids, deid_pass_text_dates,    deid_pass_extra_dates, deid_pass_number_classes,
    deid_pass_orgs,         deid_pass_hospitals,     deid_pass_titles,      deid_pass_patient,
    deid_pass_extra_late,   deid_pass_number_shapes, deid_pass_cities,      deid_pass_dictionary,
    deid_pass_birth_dates,  deid_pass_tables,        deid_pass_mail_names,  NULL};

at_status deid_scan_rules(const at_text_deid *d, const char *text, size_t len, text_scan *s,
                          text_names *names)
{
    at_status st = deid_scan_tokens(d, text, len, s, names);
    if (st)
        return st;
    for (size_t p = 0; deid_rule_passes[p]; p++)
        deid_rule_passes[p](s);
    return AT_OK;
}

/* One chunk on its way through the passes: what detect_chunk kept in
 * locals, so that several short documents can go through each pass in
 * turn (the passes' code, far larger than the instruction cache, is then
 * read once for them) with the same result as one after the other. */
typedef struct {
    const char *text;
    size_t len, base;
    at_text_spans *out;
    text_run_acc *acc;
    int view;
    at_status st;
    void *room; /* the scan's block lent by detect_jobs, NULL for its own */
    text_scan s;
    text_names names;
    tag_doc c;
    size_t names_before;
    uint32_t rules_ent; /* the entities the rules found: ids up to it */
} chunk_job;

static at_status detect_chunk(const at_text_deid *d, const char *text, size_t len, size_t base,
                              at_text_spans *out, text_run_acc *acc, int view);

/* The steps of a chunk, in order (chunk_steps): detect_jobs runs each
 * while the chunk's status is 0, and step_free last, whatever it is. */
static void step_tokens(const at_text_deid *d, chunk_job *j)
{
    memset(&j->c, 0, sizeof j->c);
    j->st = deid_scan_tokens_in(d, j->text, j->len, &j->s, &j->names, j->room);
}

static void step_tag_init(const at_text_deid *d, chunk_job *j)
{
    if (!j->st && (d->tagger || d->allow_list))
        j->st = tag_doc_init(&j->s, &j->c, d->tagger != NULL);
    j->rules_ent = j->s.next_ent;
}

/* the other mentions of the names the rules found, then the tagger and
 * the allow-list, then the mentions of the names they added */
static void step_mentions(const at_text_deid *d, chunk_job *j)
{
    deid_pass_mentions(&j->s);
    j->names_before = j->names.count;
}

static void step_tagger(const at_text_deid *d, chunk_job *j)
{
    j->st = deid_pass_tagger(&j->s, &j->c);
}

static void step_firm_check(const at_text_deid *d, chunk_job *j)
{
    deid_pass_firm_check(&j->s, j->rules_ent);
}

static void step_allow(const at_text_deid *d, chunk_job *j)
{
    if (d->allow_list) {
        size_t before = j->s.next_ent;
        deid_pass_allow(&j->s, &j->c);
        /* the parts of names around the words the allow-list took
         * ("Madame Lorraine CHERIF": the surname is the allow-list's) */
        if (j->s.next_ent != before)
            deid_pass_name_joins(&j->s);
    }
}

static void step_labelled_names(const at_text_deid *d, chunk_job *j)
{
    deid_pass_maiden_names(&j->s);
    /* and of every word labelled that no list of the language holds */
    deid_names_add_labelled(&j->s, j->rules_ent);
    if (j->names.count > j->names_before)
        deid_pass_mentions(&j->s);
    /* the words of the run's other documents */
    if (d->run)
        deid_pass_run_words(&j->s);
    if (j->acc)
        deid_run_collect(&j->s, j->acc, j->rules_ent);
}

/* the edges the annotated notes taught */
static void step_extend(const at_text_deid *d, chunk_job *j)
{
    deid_pass_extend(&j->s, j->base);
}

/* letter-spaced runs read again without their spaces (not in a view
 * itself) */
static void step_spaced(const at_text_deid *d, chunk_job *j)
{
    if (!j->view && (j->s.seen & TEXT_SEEN_SPELT)) {
        spaced_view sv;
        j->st = deid_spaced_view(&j->s, &sv);
        if (!j->st && sv.t) {
            at_text_spans found;
            memset(&found, 0, sizeof found);
            j->st = detect_chunk(d, sv.t, sv.len, 0, &found, NULL, 1);
            if (!j->st)
                deid_spaced_apply(&j->s, &sv, &found);
            at_text_spans_free(&found);
        }
        deid_spaced_view_free(&sv);
    }
}

/* one span per entity: make room for them at once */
static void step_spans(const at_text_deid *d, chunk_job *j)
{
    text_scan *s = &j->s;
    at_text_spans *out = j->out;
    size_t need = out->n + s->next_ent;
    if (need > out->cap) {
        size_t ncap = out->cap * 2 > need ? out->cap * 2 : need;
        at_text_span *v = at_realloc(out->v, ncap * sizeof *v);
        if (!v)
            j->st = AT_ERR_NOMEM;
        else {
            out->v = v;
            out->cap = ncap;
        }
    }
    for (size_t i = 0; i < s->n && !j->st;) {
        i = deid_next_labelled(s, i); /* (on to the first labelled token) */
        if (i >= s->n)
            break;
        size_t k = i + 1;
        while (k < s->n && s->ent[k] == s->ent[i])
            k++;
        size_t a = i;
        size_t start = j->base + s->tok[a].s, span_len = s->tok[k - 1].e - s->tok[a].s;
        if (s->lab[i] == AT_PHI_AGE && k < s->n && !s->lab[k]) { /* "92 ans": the unit too, as rewritten */
            size_t end = s->tok[k - 1].e, u = text_age_unit_len(j->text + end, j->len - end, j->len - end);
            if (end + u <= s->tok[k].e)
                span_len += u;
        }
        if (out->n < out->cap) { /* as at_text_spans_push, which grows the array when full */
            out->v[out->n].start = start;
            out->v[out->n].len = span_len;
            out->v[out->n].label = s->lab[i];
            out->n++;
        } else {
            j->st = at_text_spans_push(out, start, span_len, s->lab[i]);
        }
        i = k;
    }
}

static void step_free(const at_text_deid *d, chunk_job *j)
{
    tag_doc_free(&j->c);
    deid_scan_free(&j->s);
}

/* A step: a function of the chunk, or a pass of its scan alone. */
typedef struct {
    void (*step)(const at_text_deid *d, chunk_job *j);
    void (*pass)(text_scan *s);
} chunk_step;

static const chunk_step chunk_steps[] = {
    {step_tokens, NULL},
    {NULL, NULL}, /* each of deid_rule_passes (deid_detect.c) */
    {step_tag_init, NULL},
    {step_mentions, NULL},
    {step_tagger, NULL},
    {NULL, deid_pass_joins},
    {step_firm_check, NULL},
    {NULL, deid_pass_complete},
    {step_allow, NULL},
    {NULL, deid_pass_split_names},
    {NULL, deid_pass_towns_late},
    {NULL, deid_pass_mid_months},
    {NULL, deid_pass_estab_lower},
    {step_labelled_names, NULL},
    {NULL, deid_pass_number_tails},
    {NULL, deid_pass_dictated},
    {NULL, deid_pass_place_fields},
    {NULL, deid_pass_dictated_places},
    {NULL, deid_pass_address_blocks},
    {NULL, deid_pass_before_zip},
    {NULL, deid_pass_spelled},
    {NULL, deid_pass_zip_before_town},
    {NULL, deid_pass_place_late},
    {NULL, deid_pass_lists},
    {NULL, deid_pass_known_estab},
    {NULL, deid_pass_late_names},
    {NULL, deid_pass_place_heads},
    {NULL, deid_pass_ocr_names},
    {NULL, deid_pass_region_orgs},
    {NULL, deid_pass_acronyms},
    {step_extend, NULL},
    /* (after the numbers' model too: a law's, a form's or a medicine's
     * number it took is taken back as the rules' are) */
    {NULL, deid_pass_public_refs},
    {NULL, deid_pass_initials_late},
    {NULL, deid_pass_initials_defined},
    {NULL, deid_pass_town_zip_bracket},
    {NULL, deid_pass_not_names},
    {NULL, deid_pass_wide_gaps},
    {step_spaced, NULL},
    {step_spans, NULL},
};

/* The lines of the first bytes of t (len) asked of the memory (a hint,
 * no read): a text the tokens' step reads next is most often in none of
 * the caches, and its first reads would wait for each line in turn (the
 * processor's own prefetch follows a longer text). */
static void text_prefetch(const char *t, size_t len)
{
    size_t n = len < 4096 ? len : 4096;
    for (size_t o = 0; o < n; o += 64)
        __builtin_prefetch(t + o);
    if (n)
        __builtin_prefetch(t + n - 1);
}

/* The first lines a pass reads of scan s asked of the memory (a hint):
 * its fields, its labels, its first tokens and entities, and the lists
 * most passes start from. A group's scans outgrow the second-level cache
 * (each pass reads them all in turn), so a pass over one asks for the
 * next one's (eval-deid's 5000 notes: about +2% alternating; the whole
 * token array, or the one after next, were no better). */
static inline void scan_prefetch(const text_scan *s)
{
    __builtin_prefetch(s);
    __builtin_prefetch((const char *)s + 64);
    __builtin_prefetch(s->lab);
    __builtin_prefetch(s->tok);
    __builtin_prefetch(s->list[TEXT_LIST_NAME]);
    __builtin_prefetch(s->list[TEXT_LIST_NUM]);
    __builtin_prefetch(s->ent);
}

/* Run n chunks through every step, each step over all of them before the
 * next; the status of the first that failed (its out-of-memory message
 * set), 0 when none did. */
static at_status detect_jobs(const at_text_deid *d, chunk_job *jobs, size_t n)
{
    size_t nsteps = sizeof chunk_steps / sizeof chunk_steps[0];
    /* the scans' first blocks in one allocation lent to them all (one
     * malloc and free for the group; without it, each its own) */
    char *room = NULL;
    if (n > 1) {
        size_t total = 0;
        for (size_t k = 0; k < n; k++)
            total += deid_scan_room(jobs[k].len);
        room = at_malloc(total);
    }
    for (size_t k = 0; k < n; k++)
        jobs[k].room = NULL;
    size_t off = 0; /* (the room's bytes the scans packed so far take) */
    for (size_t q = 0; q < nsteps; q++) {
        const chunk_step *st = &chunk_steps[q];
        if (st->step == step_tokens) {
            /* (the next chunk's text asked for while one is read) */
            if (n)
                text_prefetch(jobs[0].text, jobs[0].len);
            for (size_t k = 0; k < n; k++) {
                if (k + 1 < n)
                    text_prefetch(jobs[k + 1].text, jobs[k + 1].len);
                if (!jobs[k].st) {
                    /* (each scan's block right after the one before it,
                     * packed: deid_scan_pack) */
                    jobs[k].room = room ? room + off : NULL;
                    st->step(d, &jobs[k]);
                    off += jobs[k].s.block_lent ? jobs[k].s.block_used : 0;
                }
            }
        } else if (st->step) {
            for (size_t k = 0; k < n; k++)
                if (!jobs[k].st)
                    st->step(d, &jobs[k]);
        } else if (st->pass) {
            for (size_t k = 0; k < n; k++) {
                if (k + 1 < n)
                    scan_prefetch(&jobs[k + 1].s);
                if (!jobs[k].st)
                    st->pass(&jobs[k].s);
            }
        } else {
            for (size_t p = 0; deid_rule_passes[p]; p++)
                for (size_t k = 0; k < n; k++) {
                    if (k + 1 < n)
                        scan_prefetch(&jobs[k + 1].s);
                    if (!jobs[k].st)
                        deid_rule_passes[p](&jobs[k].s);
                }
        }
    }
    at_status first = AT_OK;
    for (size_t k = 0; k < n; k++) {
        step_free(d, &jobs[k]);
        if (!first)
            first = jobs[k].st;
    }
    at_free(room);
    if (first == AT_ERR_NOMEM)
        return at_error_set(first, "text deid: out of memory");
    return first;
}

/* Detect in one chunk; spans get base added to their offsets. */
static at_status detect_chunk(const at_text_deid *d, const char *text, size_t len, size_t base,
                              at_text_spans *out, text_run_acc *acc, int view)
{
    chunk_job j;
    j.text = text;
    j.len = len;
    j.base = base;
    j.out = out;
    j.acc = acc;
    j.view = view;
    j.st = AT_OK;
    return detect_jobs(d, &j, 1);
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

/* Documents that go through the passes together: up to DEID_GROUP of
 * them and DEID_GROUP_BYTES of text (their tokens and lists take about
 * 30 bytes a byte of text); each pass's code and tables are then read
 * once for them all, which pays more than keeping the tokens of one in
 * the first-level cache (eval-deid's short notes: +14% at 64 KiB). */
#define DEID_GROUP 256
#define DEID_GROUP_BYTES ((size_t)64 << 10)

at_status at_text_deid_detect_many(const at_text_deid *d, const char *const *texts, const size_t *lens,
                                   size_t n, at_text_spans *outs)
{
    if (!d || (n && (!texts || !lens || !outs)))
        return at_error_set(AT_ERR_ARG, "text deid: no detector or documents");
    size_t cap = n < DEID_GROUP ? n : DEID_GROUP;
    chunk_job *jobs = cap ? at_malloc(cap * sizeof *jobs) : NULL;
    if (cap && !jobs)
        return at_error_set(AT_ERR_NOMEM, "text deid: out of memory");
    at_status st = AT_OK;
    size_t g = 0, bytes = 0; /* documents in the group, their bytes */
    for (size_t k = 0; k < n && !st; k++) {
        if (lens[k] > 2 * DEID_CHUNK || (!texts[k] && lens[k])) {
            /* one cut into chunks (or refused) alone */
            st = detect_all(d, texts[k], lens[k], &outs[k], NULL);
        } else if (lens[k]) { /* (an empty document has no chunk) */
            chunk_job *j = &jobs[g++];
            j->text = texts[k];
            j->len = lens[k];
            j->base = 0;
            j->out = &outs[k];
            j->acc = NULL;
            j->view = 0;
            j->st = AT_OK;
            bytes += lens[k];
        }
        if (!st && g && (g == cap || bytes >= DEID_GROUP_BYTES || k + 1 == n)) {
            st = detect_jobs(d, jobs, g);
            g = bytes = 0;
        }
    }
    at_free(jobs);
    return st;
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
    const unsigned char *w = (const unsigned char *)s->t + s->tok[i].s;
    size_t wn = s->tok[i].e - s->tok[i].s;
    /* (a token opening with an ASCII byte: none of the set opens with
     * that byte, bit 5 set, and it is none of them, whatever its other
     * bytes, as below; else the walks start at the first that does) */
    const char *const *lead = set;
    if (c < 0x80) {
        while (*lead && (unsigned char)(*lead)[0] != (c | 0x20))
            lead++;
        if (!*lead)
            return 0;
    }
    unsigned any = 0;
    for (size_t j = 0; j < wn; j++)
        any |= w[j];
    if (any < 0x80 && ascii_lower(c) == (c | 0x20)) {
        /* an ASCII word that opens with a letter (or a byte that is its
         * own lower case): the words of the set that open with that
         * letter compared, in one walk, as below */
        unsigned lc = c | 0x20;
        for (set = lead; *set; set++) {
            const unsigned char *e = (const unsigned char *)*set;
            if (e[0] != lc)
                continue;
            size_t j = 1;
            while (j < wn && e[j] == ascii_lower(w[j]))
                j++;
            if (j == wn && e[wn] == 0)
                return 1;
        }
        return 0;
    }
    if (c < 0x80 && ascii_lower(c) == (c | 0x20))
        from = lead; /* (the words before it have another first byte) */
    /* an ASCII word folds to its lower case: compared as it is */
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

/* The slot of the n bytes at w, a word's bytes after its first (its
 * length n + 1 mixed in). */
static inline size_t word_slot(const unsigned char *w, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull * (n + 1);
    for (size_t j = 0; j < n; j++)
        h = (h ^ w[j]) * 0x100000001B3ull;
    return (size_t)(h ^ h >> 29) & (TEXT_WORD_SLOTS - 1);
}

void text_word_index_build(text_word_index *x)
{
    size_t count = 0;
    for (size_t i = 0; x->set[i]; i++) {
        unsigned c = (unsigned char)x->set[i][0];
        size_t n = strlen(x->set[i]);
        if (!x->lens[c])
            x->first[c] = (uint16_t)i;
        x->end[c] = (uint16_t)(i + 1);
        x->lens[c] |= 1u << (n < 31 ? n : 31);
        count++;
    }
    /* (the words of one or more bytes, by their bytes after the first) */
    if (count > TEXT_WORD_SLOTS / 2)
        return;
    for (size_t i = 0; x->set[i]; i++) {
        size_t n = strlen(x->set[i]);
        if (!n)
            return; /* (an empty word: the walk alone) */
        size_t h = word_slot((const unsigned char *)x->set[i] + 1, n - 1);
        while (x->slot[h])
            h = (h + 1) & (TEXT_WORD_SLOTS - 1);
        x->slot[h] = (uint16_t)(i + 1);
    }
    x->hashed = 1;
}

/* The walk's answer by the hash: a word of the set of n bytes whose bytes
 * after the first are w's, among the words from the first to the last of
 * w's first byte c (the walk compares those only, from their second
 * byte). */
/* Word e of a set is the n bytes at w, whose first byte is c (a set is
 * not sorted: its first byte is compared too). */
static int index_word_is(const unsigned char *e, unsigned c, const unsigned char *w, size_t n)
{
    if (e[0] != c)
        return 0;
    size_t j = 1;
    while (j < n && e[j] && e[j] == w[j])
        j++;
    return j == n && e[n] == 0;
}

static int word_index_hashed(const text_word_index *x, unsigned c, const unsigned char *w, size_t n)
{
    for (size_t h = word_slot(w + 1, n - 1); x->slot[h]; h = (h + 1) & (TEXT_WORD_SLOTS - 1)) {
        size_t i = x->slot[h] - 1u;
        if (i < x->first[c] || i >= x->end[c])
            continue;
        if (index_word_is((const unsigned char *)x->set[i], c, w, n))
            return 1;
    }
    return 0;
}

int text_word_index_has(const text_word_index *x, const char *w, size_t n)
{
    unsigned c = (unsigned char)w[0];
    if (!(x->lens[c] >> (n < 31 ? n : 31) & 1))
        return 0;
    if (x->hashed)
        return word_index_hashed(x, c, (const unsigned char *)w, n);
    for (size_t i = x->first[c]; i < x->end[c]; i++) {
        if (index_word_is((const unsigned char *)x->set[i], c, (const unsigned char *)w, n))
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
        if (x->hashed) {
            unsigned char low[48];
            for (size_t j = 0; j < wn; j++)
                low[j] = ascii_lower(w[j]);
            return word_index_hashed(x, c, low, wn);
        }
        for (size_t q = x->first[c]; q < x->end[c]; q++) {
            const char *e = x->set[q];
            if ((unsigned char)e[0] != c)
                continue;
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
