/* A name spelled out letter by letter beside the name itself, last: a
 * dictation's "monsieur jean pierre dumoulin d u m o u l i n", or "D U
 * M O U L I N (Dumoulin)". The letters, one per token and one space apart,
 * spell a word labelled a name or a first name on the same line; they get
 * its label. Letters that spell nothing labelled ("items a b c d", "grades
 * A B C D") stay. */
#include "tagger.h"

#include <string.h>

/* Token i is one ASCII letter. */
static int letter(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || s->tok[i].e - s->tok[i].s != 1)
        return 0;
    char c = (char)(s->t[s->tok[i].s] | 0x20);
    return c >= 'a' && c <= 'z';
}

/* The letters from token a, one space apart on one line, spell the word
 * token w (ASCII, in any case): the index after the last letter, or a. */
static size_t spells(const text_scan *s, size_t a, size_t w)
{
    const char *p = s->t + s->tok[w].s;
    size_t n = s->tok[w].e - s->tok[w].s, q = a;
    for (size_t j = 0; j < n; j++, q++) {
        if (!letter(s, q) || (q > a && (s->tok[q].nl || s->tok[q].s != s->tok[q - 1].e + 1)))
            return a;
        if ((char)(s->t[s->tok[q].s] | 0x20) != (char)(p[j] | 0x20))
            return a;
    }
    return q;
}

static int mark_letters(text_scan *s, size_t a, size_t e, int label)
{
    for (size_t q = a; q < e; q++)
        if (s->lab[q])
            return 0;
    uint32_t ent = ++s->next_ent;
    for (size_t q = a; q < e; q++) {
        s->lab[q] = (uint8_t)label;
        s->ent[q] = ent;
    }
    return 1;
}

/* The letters within five tokens after the name's entity, or ending
 * within five tokens before the name, on its line. */
static void spelled_beside(text_scan *s, size_t w)
{
    int label = s->lab[w];
    size_t n = s->tok[w].e - s->tok[w].s;
    if (n < 4 || n > 24)
        return;
    size_t a = w + 1;
    while (a < s->n && !s->tok[a].nl && s->lab[a] && s->ent[a] == s->ent[w])
        a++;
    for (size_t hop = 0; a < s->n && hop < 5 && !s->tok[a].nl; a++, hop++)
        if (letter(s, a) && !letter(s, a - 1)) {
            size_t e = spells(s, a, w);
            if (e > a && !letter(s, e) && mark_letters(s, a, e, label))
                return;
        }
    for (size_t b = w, hop = 0; b > n && hop < 5 && !s->tok[b].nl; b--, hop++)
        if (letter(s, b - 1) && !letter(s, b)) {
            size_t a2 = b - n;
            if (a2 > 0 && letter(s, a2 - 1))
                continue;
            if (spells(s, a2, w) == b && mark_letters(s, a2, b, label))
                return;
        }
}

void deid_pass_spelled(text_scan *s)
{
    /* a name spelled out is four letters or more, one per token in a
     * row: a text without four such tokens in a row has none (the
     * tokeniser noted them; a word of one byte is an ASCII letter, a
     * digit alone being a number, or a stray byte of broken UTF-8, which
     * only lets the full look run) */
    if (!(s->seen & TEXT_SEEN_SPELT))
        return;
    /* (names are few: the labels, eight at a time) */
    for (size_t i = 0; i < s->n;) {
        i = deid_next_label_of(s, i, AT_PHI_NOM, AT_PHI_PRENOM, AT_PHI_NOM, AT_PHI_PRENOM);
        if (i >= s->n)
            break;
        int l = s->lab[i];
        if ((l == AT_PHI_NOM || l == AT_PHI_PRENOM) && s->tok[i].kind == TOK_WORD)
            spelled_beside(s, i);
        i++;
    }
    /* letters alone that spell a name of the lists, no word of the
     * language ("R a c h e l" in an OCR'd form) */
    for (size_t i = 0; i < s->n; i++) {
        if (!letter(s, i) || (i > 0 && letter(s, i - 1) && !s->tok[i].nl))
            continue;
        char f[32];
        size_t e = i, n = 0;
        while (e < s->n && n < 24 && letter(s, e) && !s->lab[e] &&
               (e == i || (!s->tok[e].nl && s->tok[e].s == s->tok[e - 1].e + 1)))
            f[n++] = (char)(s->t[s->tok[e++].s] | 0x20);
        if (n >= 4 && !(e < s->n && letter(s, e) && !s->tok[e].nl)) {
            unsigned lx = text_lexicon_get(&s->d->lex, f, n);
            if ((lx & (LEX_FIRST | LEX_LAST)) && !(lx & (LEX_WORD | LEX_MED))) {
                mark_letters(s, i, e, (lx & LEX_FIRST) && !(lx & LEX_LAST) ? AT_PHI_PRENOM : AT_PHI_NOM);
            } else {
                /* a word said, then spelled, within six tokens on its
                 * line, is a name whatever word it is too ("je répète
                 * mollard m o l l a r d"): one spells names */
                for (size_t b = i, hop = 0; b > 0 && hop < 6 && !s->tok[b].nl; b--, hop++) {
                    size_t w = b - 1;
                    const text_tok *k = &s->tok[w];
                    if (k->kind != TOK_WORD || k->e - k->s != n ||
                        (s->lab[w] && s->lab[w] != AT_PHI_NOM && s->lab[w] != AT_PHI_PRENOM))
                        continue;
                    size_t q = 0;
                    while (q < n && (char)(s->t[k->s + q] | 0x20) == f[q])
                        q++;
                    if (q < n)
                        continue;
                    int label = s->lab[w] ? s->lab[w] : AT_PHI_NOM;
                    if (!s->lab[w] && mark(s, w, w + 1, label))
                        deid_names_add(s, w, w + 1);
                    mark_letters(s, i, e, label);
                    /* and its other mentions (this pass comes after the
                     * mentions' pass): the same word, in any case */
                    for (size_t m = 0; m < s->n; m++) {
                        const text_tok *u = &s->tok[m];
                        if (s->lab[m] || u->kind != TOK_WORD || u->e - u->s != n)
                            continue;
                        size_t r = 0;
                        while (r < n && (char)(s->t[u->s + r] | 0x20) == f[r])
                            r++;
                        if (r == n)
                            mark(s, m, m + 1, label);
                    }
                    break;
                }
            }
        }
        i = e > i ? e - 1 : i;
    }
}
