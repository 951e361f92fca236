/* Letter-spaced text: a scan or a letterhead that writes its words a
 * letter at a time ("R a c h e l", "C E N T R E   E U G È N E", "2 9 / 0 1
 * / 1 9 3 2"). The runs of one- and two-character tokens one space apart
 * (five single characters at least) are read again with their spaces
 * taken out, as a view of the chunk where every other byte stays; what
 * the detector finds in that view over a run labels the tokens of the
 * run it covers. Between two letters of a run a word still starts where
 * a capital follows a lower-case letter, or where a capital followed by
 * a lower-case letter follows a capital ("B E N H A M O U R a c h e l":
 * "BENHAMOU Rachel"), and after a point ("M . A U B E R T": "M. AUBERT"). */
#include "deid_scan.h"
#include "spaced_view.h"

#include "atelier/core.h"

#include <string.h>

/* Token i may stand in a run: a word or a number of one or two
 * characters (their count; two letters no word of the language), a
 * point, a dash, a slash, a comma or an apostrophe (0: a sign, counted
 * as none); -1 when it may not. */
static int piece(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind == TOK_PUNCT)
        return k->e - k->s == 1 && strchr("./-,'", s->t[k->s]) ? 0 : -1;
    int c = 0;
    for (uint32_t b = k->s; b < k->e && c < 3; b++)
        c += ((unsigned char)s->t[b] & 0xC0) != 0x80;
    /* (two letters that make a word of the language are one: "né le 2 9
     * / 0 1", not "Ch a r p e n t i e r") */
    if (c == 2 && k->kind == TOK_WORD && (k->lex & (LEX_WORD | LEX_MED | LEX_KIN)))
        return -1;
    return c <= 2 ? c : -1;
}

/* Token i follows token i - 1 one space apart on its line. */
static int one_space(const text_scan *s, size_t i)
{
    return !s->tok[i].nl && s->tok[i].s == s->tok[i - 1].e + 1 && s->t[s->tok[i - 1].e] == ' ';
}

/* The case of the character at p (n bytes on): 1 a capital, 2 a
 * lower-case letter (ASCII and Latin-1's), 0 anything else. */
static int case_at(const char *p, size_t n)
{
    unsigned c = (unsigned char)p[0];
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= 'a' && c <= 'z')
        return 2;
    if (c == 0xC3 && n > 1) { /* À..Þ and ß..ÿ, but × and ÷ */
        unsigned d = (unsigned char)p[1];
        if (d >= 0x80 && d <= 0x9E && d != 0x97)
            return 1;
        if (d >= 0x9F && d <= 0xBF && d != 0xB7)
            return 2;
    }
    return 0;
}

/* The case of token i's last character (last), or of its second one,
 * else of the next token's first when next (0 past the run's end e). */
static int case_last(const text_scan *s, size_t i)
{
    uint32_t b = s->tok[i].e - 1;
    while (b > s->tok[i].s && ((unsigned char)s->t[b] & 0xC0) == 0x80)
        b--;
    return case_at(s->t + b, s->tok[i].e - b);
}

static int case_second(const text_scan *s, size_t i, size_t e)
{
    uint32_t b = s->tok[i].s + 1;
    while (b < s->tok[i].e && ((unsigned char)s->t[b] & 0xC0) == 0x80)
        b++;
    if (b < s->tok[i].e)
        return case_at(s->t + b, s->tok[i].e - b);
    return i + 1 < e ? case_at(s->t + s->tok[i + 1].s, s->tok[i + 1].e - s->tok[i + 1].s) : 0;
}

/* The letters of tokens [a, e) may spell words: digits that do not
 * count one by one (a scale's "0 1 2 3 4 5" spells nothing), or three
 * different letters with a vowel among them, not the alphabet's order
 * ("M M R R S" of a rota, "A B C D E" of grades spell nothing). */
static int spells_words(const text_scan *s, size_t a, size_t e)
{
    unsigned seen[8] = {0}; /* (bits of the bytes met) */
    int letters = 0, digits = 0, vowel = 0, distinct = 0, ascending = 1, counting = 1, numbers = 0;
    unsigned prev = 0, prev_num = 0;
    for (size_t i = a; i < e; i++) {
        if (s->tok[i].kind == TOK_PUNCT)
            continue;
        if (s->tok[i].kind == TOK_NUM) { /* (a scale counts: "0 1 2 3 4 5 6") */
            unsigned v = 0;
            for (uint32_t b = s->tok[i].s; b < s->tok[i].e; b++)
                v = v * 10 + (unsigned)(s->t[b] - '0');
            counting &= !numbers || v == prev_num + 1;
            prev_num = v;
            numbers++;
        } else {
            counting = 0;
        }
        for (uint32_t b = s->tok[i].s; b < s->tok[i].e; b++) {
            unsigned c = (unsigned char)s->t[b];
            if (c >= '0' && c <= '9') {
                digits++;
                continue;
            }
            unsigned l = c >= 'A' && c <= 'Z' ? c + 32 : c;
            if (!(seen[l >> 5] >> (l & 31) & 1))
                distinct++;
            seen[l >> 5] |= 1u << (l & 31);
            vowel |= l == 'a' || l == 'e' || l == 'i' || l == 'o' || l == 'u' || l == 'y' || c >= 0x80;
            ascending &= !letters || l == prev + 1;
            prev = l;
            letters++;
        }
    }
    return (digits > letters && !counting) || (vowel && distinct >= 3 && !ascending);
}

/* The runs of scan s: [a, e) token ranges into runs (up to max), their
 * count. A run holds five single letters or digits at least, and three
 * in four of its words and numbers are single characters. */
static size_t find_runs(const text_scan *s, size_t (*runs)[2], size_t max)
{
    size_t nr = 0;
    for (size_t i = 0; i < s->n && nr < max;) {
        int c = piece(s, i);
        if (c < 0) {
            i++;
            continue;
        }
        size_t e = i + 1, singles = c == 1, words = c > 0;
        while (e < s->n && one_space(s, e) && (c = piece(s, e)) >= 0) {
            singles += c == 1;
            words += c > 0;
            e++;
        }
        if (singles >= 5 && singles * 4 >= words * 3 && spells_words(s, i, e)) {
            runs[nr][0] = i;
            runs[nr][1] = e;
            nr++;
        }
        i = e;
    }
    return nr;
}

at_status deid_spaced_view(const text_scan *s, spaced_view *v)
{
    memset(v, 0, sizeof *v);
    if (!(s->seen & TEXT_SEEN_SPELT))
        return AT_OK;
    size_t runs[64][2];
    size_t nr = find_runs(s, runs, 64);
    if (!nr)
        return AT_OK;
    size_t len = s->len;
    v->t = at_malloc(len + 1);
    v->map = at_malloc((len + 1) * sizeof *v->map);
    v->runs = at_malloc(nr * sizeof *v->runs);
    if (!v->t || !v->map || !v->runs) {
        deid_spaced_view_free(v);
        return AT_ERR_NOMEM;
    }
    size_t o = 0, from = 0;
    for (size_t r = 0; r < nr; r++) {
        size_t a = runs[r][0], e = runs[r][1];
        for (size_t b = from; b < s->tok[a].s; b++) { /* the bytes before the run, as they are */
            v->t[o] = s->t[b];
            v->map[o++] = (uint32_t)b;
        }
        v->runs[r].start = o;
        for (size_t i = a; i < e; i++) {
            const text_tok *k = &s->tok[i];
            if (i > a) {
                int p = case_last(s, i - 1), c = case_at(s->t + k->s, k->e - k->s);
                int word = (p == 2 && c == 1) || (p == 1 && c == 1 && case_second(s, i, e) == 2) ||
                           (is_punct(s, i - 1, '.') && c);
                if (word) { /* (the space kept, mapped to itself) */
                    v->t[o] = ' ';
                    v->map[o++] = k->s - 1;
                }
            }
            for (uint32_t b = k->s; b < k->e; b++) {
                v->t[o] = s->t[b];
                v->map[o++] = b;
            }
        }
        v->runs[r].end = o;
        from = s->tok[e - 1].e;
    }
    for (size_t b = from; b < len; b++) {
        v->t[o] = s->t[b];
        v->map[o++] = (uint32_t)b;
    }
    v->map[o] = (uint32_t)len;
    v->t[o] = 0;
    v->len = o;
    v->nruns = nr;
    return AT_OK;
}

void deid_spaced_view_free(spaced_view *v)
{
    at_free(v->t);
    at_free(v->map);
    at_free(v->runs);
    memset(v, 0, sizeof *v);
}

void deid_spaced_apply(text_scan *s, const spaced_view *v, const at_text_spans *found)
{
    for (size_t q = 0; q < found->n; q++) {
        size_t a = found->v[q].start, e = a + found->v[q].len;
        int over = 0;
        for (size_t r = 0; r < v->nruns && !over; r++)
            over = a < v->runs[r].end && e > v->runs[r].start;
        if (!over || e == a || e > v->len)
            continue;
        size_t os = v->map[a], oe = v->map[e - 1] + 1;
        /* the tokens of the chunk the span covers whole: one entity of its
         * label when the entities found there lie inside it (the view
         * read whole what the chunk read in parts: "2 9 / 0 1 / 1 9 3 2",
         * a date, not two numbers), else its unlabelled ones as one
         * entity each stretch */
        size_t i = tok_first_at(s, os), j = i;
        while (j < s->n && s->tok[j].e <= oe)
            j++;
        int inside = j > i && !(i > 0 && s->lab[i - 1] && s->ent[i - 1] == s->ent[i] && s->lab[i]) &&
                     !(j < s->n && s->lab[j] && s->ent[j] == s->ent[j - 1] && s->lab[j - 1]);
        /* (one entity over them all is a reading already: "2 7 0 3 1 9 7
         * 4" after "Date de naissance :" stays a birth date) */
        int parts = 0;
        for (size_t q = i; q < j && inside; q++)
            parts += q == i || !s->lab[q] || !s->lab[q - 1] || s->ent[q] != s->ent[q - 1];
        if (inside && !(parts == 1 && s->lab[i])) {
            deid_relabel(s, i, j, found->v[q].label);
            continue;
        }
        while (i < s->n && s->tok[i].e <= oe) {
            while (i < s->n && s->tok[i].e <= oe && s->lab[i])
                i++;
            j = i;
            while (j < s->n && s->tok[j].e <= oe && !s->lab[j])
                j++;
            if (j > i)
                mark(s, i, j, found->v[q].label);
            i = j;
        }
    }
}
