/* The French clinical de-identifier: tokenises the text once, then runs
 * passes from the most to the least certain (e-mails, phones, NIR, dates,
 * addresses and zip codes, labelled identifiers, hospitals, names after a
 * title or a field label, the patient's own identity, dictionaries). A
 * token belongs to at most one entity; entities become spans. */
#include "deid_scan.h"

#include <stdio.h>
#include <string.h>

#define DEID_MAX_TEXT ((size_t)1 << 31)

/* ---- tokenising ---------------------------------------------------------- */

static inline __attribute__((always_inline)) int byte_is_upper_start(const unsigned char *p, size_t left)
{
    if (p[0] >= 'A' && p[0] <= 'Z')
        return 1;
    if (p[0] == 0xC3 && left > 1 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
        return 1;
    if (p[0] == 0xC5 && left > 1 && p[1] == 0x92)
        return 1;
    return 0;
}

static inline __attribute__((always_inline)) int byte_is_lower_start(const unsigned char *p, size_t left)
{
    if (p[0] >= 'a' && p[0] <= 'z')
        return 1;
    if (p[0] == 0xC3 && left > 1 && p[1] >= 0x9F && p[1] <= 0xBF && p[1] != 0xB7)
        return 1;
    if (p[0] == 0xC5 && left > 1 && p[1] == 0x93)
        return 1;
    return 0;
}

/* Length of the word character at p (0 when p is not a word character). */
static inline __attribute__((always_inline)) size_t word_char_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    if (c < 0x80)
        return 0;
    if (c == 0xC2)
        return 0; /* NBSP, guillemets, degree sign */
    if (c == 0xE2 && left > 1 && p[1] == 0x80)
        return 0; /* quotes, dashes, ellipsis */
    if (c == 0xC3 && left > 1 && (p[1] == 0x97 || p[1] == 0xB7))
        return 0; /* multiplication, division */
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n <= left ? n : left;
}

static size_t punct_len(const unsigned char *p, size_t left)
{
    unsigned c = p[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n <= left ? n : left;
}

/* ASCII classes: 0 separator, 1 lower-case, 2 upper-case, 3 digit. */
static const uint8_t ascii_class[128] = {
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 2,
    ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2,
    ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2,
    ['T'] = 2, ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2, ['0'] = 3, ['1'] = 3,
    ['2'] = 3, ['3'] = 3, ['4'] = 3, ['5'] = 3, ['6'] = 3, ['7'] = 3, ['8'] = 3, ['9'] = 3};

static at_status tokenise(text_scan *s)
{
    const unsigned char *t = (const unsigned char *)s->t;
    size_t len = s->len, i = 0, cap = len / 5 + 16;
    s->tok = at_malloc(cap * sizeof *s->tok);
    if (!s->tok)
        return AT_ERR_NOMEM;
    int nl = 1, sp = 1;
    while (i < len) {
        unsigned c = t[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || (c == 0xC2 && i + 1 < len && t[i + 1] == 0xA0)) {
            if (c == '\n')
                nl = 1;
            sp = 1;
            i += c == 0xC2 ? 2 : 1;
            continue;
        }
        if (s->n == cap) {
            cap *= 2;
            text_tok *nt = at_realloc(s->tok, cap * sizeof *nt);
            if (!nt)
                return AT_ERR_NOMEM;
            s->tok = nt;
        }
        text_tok *k = &s->tok[s->n++];
        memset(k, 0, sizeof *k);
        k->s = (uint32_t)i;
        k->nl = (uint8_t)nl;
        k->sp = (uint8_t)sp;
        nl = sp = 0;
        size_t w = word_char_len(t + i, len - i);
        if (!w) {
            k->kind = TOK_PUNCT;
            i += punct_len(t + i, len - i);
            k->e = (uint32_t)i;
            continue;
        }
        int ascii = 1;
        unsigned mask = 0; /* bit 1: lower, 2: upper, 3: digit, 4: non-ASCII letter */
        k->cap = (uint8_t)byte_is_upper_start(t + i, len - i);
        size_t start = i;
        for (;;) {
            while (i < len) {
                unsigned b = t[i];
                if (b < 0x80) {
                    unsigned cl = ascii_class[b];
                    if (!cl)
                        break;
                    mask |= 1u << cl;
                    i++;
                    continue;
                }
                if (!(w = word_char_len(t + i, len - i)))
                    break;
                ascii = 0;
                mask |= 1u << 4;
                i += w;
            }
            /* keep hyphenated words and "d'Ascq"-like inner apostrophes together,
             * but split elisions (l', d', qu') from the word they precede */
            if (i + 1 < len && (t[i] == '-' || t[i] == '\'') && (mask & ~(1u << 3)) &&
                word_char_len(t + i + 1, len - i - 1) && !(t[i + 1] >= '0' && t[i + 1] <= '9')) {
                if (t[i] == '\'' && (i - start <= 2)) {
                    i++;
                    break;
                }
                i++;
                continue;
            }
            break;
        }
        k->e = (uint32_t)i;
        k->kind = (mask & ~(1u << 3)) ? TOK_WORD : TOK_NUM;
        size_t wl = k->e - k->s;
        if (t[k->e - 1] == '\'')
            wl--;
        if (k->cap) { /* all capitals: at least two letters, none lower-case */
            int letters = 0, lower = 0;
            for (size_t j = k->s; j < k->s + wl;) {
                unsigned b = t[j];
                if (b < 0x80) {
                    letters += ascii_class[b] == 1 || ascii_class[b] == 2;
                    lower += ascii_class[b] == 1;
                    j++;
                } else {
                    size_t cw = word_char_len(t + j, len - j);
                    if (!cw)
                        cw = 1;
                    letters++;
                    lower += byte_is_lower_start(t + j, len - j);
                    j += cw;
                }
            }
            k->allcaps = (uint8_t)(letters >= 2 && lower == 0);
        }
        /* look-up: capitalised words, and short lower-case words (triggers) */
        unsigned first = t[k->s] | 0x20u;
        int skip = !k->cap && ascii && wl > 0 && k->kind == TOK_WORD &&
                   !(s->d->lower_mask[first & 0xff] & (wl < 31 ? 1u << wl : 1u << 31));
        if (k->kind == TOK_WORD && !skip && k->e - k->s <= 40 && (k->cap || k->e - k->s <= 24)) {
            char f[128];
            int fl;
            if (ascii) {
                for (size_t j = 0; j < wl; j++) {
                    unsigned b = t[k->s + j];
                    f[j] = (char)(ascii_class[b] == 2 ? b + 32 : b);
                }
                f[wl] = 0;
                fl = (int)wl;
            } else {
                fl = at_text_fold(s->t + k->s, wl, f, sizeof f);
            }
            if (fl > 0)
                k->dflags = text_dict_get(&s->d->dict, f, (size_t)fl, &k->dval);
        }
    }
    s->lab = at_calloc(s->n + 1, 1);
    s->ent = at_calloc(s->n + 1, sizeof *s->ent);
    s->idx = at_malloc((s->n + 1) * sizeof *s->idx);
    if (!s->lab || !s->ent || !s->idx)
        return AT_ERR_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        const text_tok *k = &s->tok[i];
        const unsigned char *c = t + k->s;
        size_t n = k->e - k->s;
        int keep = k->kind == TOK_NUM || k->cap || k->allcaps || k->dflags ||
                   (k->kind == TOK_PUNCT && (c[0] == '@' || c[0] == '+')) ||
                   (n == 3 && c[0] == '1' && c[1] == 'e' && c[2] == 'r') || (n == 2 && c[0] == 0xC3 && c[1] == 0xA0);
        if (keep)
            s->idx[s->ni++] = (uint32_t)i;
    }
    return AT_OK;
}


/* Detect in one chunk; spans get base added to their offsets. */
static at_status detect_chunk(const at_text_deid *d, const char *text, size_t len, size_t base, at_text_spans *out)
{
    text_scan s;
    memset(&s, 0, sizeof s);
    s.d = d;
    s.t = text;
    s.len = len;
    at_status st = tokenise(&s);
    if (!st) {
        deid_pass_email(&s);
        deid_pass_numbers(&s);
        deid_pass_labelled_ids(&s);
        deid_pass_text_dates(&s);
        deid_pass_hospitals(&s);
        deid_pass_titles(&s);
        deid_pass_patient(&s);
        deid_pass_cities(&s);
        deid_pass_dictionary(&s);
        deid_pass_birth_dates(&s);
        for (size_t i = 0; i < s.n && !st;) {
            if (!s.lab[i]) {
                i++;
                continue;
            }
            size_t j = i + 1;
            while (j < s.n && s.ent[j] == s.ent[i])
                j++;
            st = at_text_spans_push(out, base + s.tok[i].s, s.tok[j - 1].e - s.tok[i].s, s.lab[i]);
            i = j;
        }
    }
    at_free(s.tok);
    at_free(s.lab);
    at_free(s.ent);
    at_free(s.idx);
    if (st == AT_ERR_NOMEM)
        return at_error_set(st, "text deid: out of memory");
    return st;
}

/* Large texts are cut at blank lines (else at line breaks) into chunks of
 * about DEID_CHUNK bytes so the token arrays stay in cache; no rule looks
 * across a blank line, so the result is the same as one pass. */
#define DEID_CHUNK ((size_t)64 << 10)

at_status at_text_deid_detect(const at_text_deid *d, const char *text, size_t len, at_text_spans *out)
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
        st = detect_chunk(d, text + pos, end - pos, pos, out);
        pos = end;
    }
    return st;
}
