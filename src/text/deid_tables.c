/* Tables written into the text (a CSV pasted into a note, an export with
 * tabs or '|'): a header line whose cells name people, places, employers
 * or addresses ("NOM;PRENOM;DDN;COMMUNE;MEDECIN") gives its label to the
 * cells of that column on the lines below that have as many cells, so a
 * surname in a table is found by its column, not by a list ("LE
 * GOFF;Armelle", "Vierzon", "DE SMET"). The pass starts from the field
 * labels the tokeniser listed; a table ends at a line with another count
 * of cells. */
#include "deid_scan.h"

#include <string.h>

#define TABLE_COLS 32
#define TABLE_LINES 4096

/* The separator of the line of tokens [a, e): '\t', ';', '|' or ',' when
 * it separates two cells or more (0 otherwise), its count into *count. */
static char line_separator(const text_scan *s, size_t a, size_t e, size_t *count)
{
    size_t tabs = 0, semi = 0, bar = 0, comma = 0;
    for (size_t q = a; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if (q > a && memchr(s->t + s->tok[q - 1].e, '\t', k->s - s->tok[q - 1].e))
            tabs++;
        if (k->kind == TOK_PUNCT && k->e - k->s == 1) {
            char c = s->t[k->s];
            semi += c == ';';
            bar += c == '|';
            comma += c == ',';
        }
    }
    *count = tabs >= 2 ? tabs : semi >= 2 ? semi : bar >= 2 ? bar : comma >= 2 ? comma : 0;
    return tabs >= 2 ? '\t' : semi >= 2 ? ';' : bar >= 2 ? '|' : comma >= 2 ? ',' : 0;
}

/* Token q starts a new cell (the separator before it, or is one). */
static int is_sep(const text_scan *s, size_t a, size_t q, char sep)
{
    if (sep == '\t')
        return q > a && memchr(s->t + s->tok[q - 1].e, '\t', s->tok[q].s - s->tok[q - 1].e) != NULL;
    return is_punct(s, q, sep);
}

/* The end of the line that token a opens. */
static size_t line_end(const text_scan *s, size_t a)
{
    size_t e = a + 1;
    while (e < s->n && !s->tok[e].nl)
        e++;
    return e;
}

/* The label a header cell [a, e) gives its column (0 none). */
static int header_label(const text_scan *s, size_t a, size_t e)
{
    size_t words = 0, w0 = e;
    for (size_t q = a; q < e; q++)
        if (s->tok[q].kind == TOK_WORD && words++ == 0)
            w0 = q;
    if (!words || words > 4)
        return 0;
    const text_tok *k = &s->tok[w0];
    if (k->dflags & DICT_FIELD)
        return k->dval == 3 ? AT_PHI_PRENOM : AT_PHI_NOM;
    static const struct {
        const char *w;
        int label;
    } heads[] = {
        {"commune", AT_PHI_VILLE},        {"ville", AT_PHI_VILLE},     {"localite", AT_PHI_VILLE},
        {"domicile", AT_PHI_VILLE},       {"residence", AT_PHI_VILLE}, {"employeur", AT_PHI_EMPLOYEUR},
        {"entreprise", AT_PHI_EMPLOYEUR}, {"adresse", AT_PHI_ADRESSE}, {"identite", AT_PHI_NOM}};
    char f[32];
    int fl = k->e - k->s < 24 ? text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f) : -1;
    for (size_t h = 0; fl > 0 && h < sizeof heads / sizeof *heads; h++)
        if (strlen(heads[h].w) == (size_t)fl && !memcmp(heads[h].w, f, (size_t)fl))
            return heads[h].label;
    return 0;
}

/* Mark the words of a data cell [a, e) with label: the runs of unlabelled
 * words without digits, titles apart ("Dr Riou"). */
static void mark_cell(text_scan *s, size_t a, size_t e, int label)
{
    for (size_t q = a; q < e;) {
        const text_tok *k = &s->tok[q];
        int digit = 0;
        for (uint32_t b = k->s; b < k->e && k->kind == TOK_WORD; b++)
            digit |= (unsigned)(s->t[b] - '0') < 10u;
        if (s->lab[q] || k->kind != TOK_WORD || digit || (k->dflags & DICT_TITLE)) {
            q++;
            continue;
        }
        size_t r = q + 1; /* words, and '-' or '\'' glued between them */
        while (r < e && !s->lab[r] &&
               (s->tok[r].kind == TOK_WORD || ((is_punct(s, r, '-') || is_punct(s, r, '\'')) && r + 1 < e &&
                                               s->tok[r + 1].kind == TOK_WORD)) &&
               !(s->tok[r].dflags & DICT_TITLE))
            r++;
        while (r > q + 1 && s->tok[r - 1].kind != TOK_WORD)
            r--;
        if (mark(s, q, r, label) && (label == AT_PHI_NOM || label == AT_PHI_PRENOM))
            deid_names_add(s, q, r);
        q = r;
    }
}

void deid_pass_tables(text_scan *s)
{
    size_t done = 0; /* the tables read so far end there */
    for (size_t f = 0; f < s->nlist[TEXT_LIST_FLAG]; f++) {
        size_t h = s->list[TEXT_LIST_FLAG][f];
        if (h < done || !(s->tok[h].dflags & DICT_FIELD))
            continue;
        /* a header's cell opens its line or follows a separator */
        if (!(h == 0 || s->tok[h].nl || is_punct(s, h - 1, ';') || is_punct(s, h - 1, '|') ||
              is_punct(s, h - 1, ',') || memchr(s->t + s->tok[h - 1].e, '\t', s->tok[h].s - s->tok[h - 1].e)))
            continue;
        /* and ends within four words at a separator */
        int ends = 0;
        for (size_t q = h + 1; q < s->n && q < h + 6 && !ends && !s->tok[q].nl; q++)
            ends = is_punct(s, q, ';') || is_punct(s, q, '|') || is_punct(s, q, ',') ||
                   memchr(s->t + s->tok[q - 1].e, '\t', s->tok[q].s - s->tok[q - 1].e) != NULL;
        if (!ends)
            continue;
        size_t a = h; /* the line of the field label */
        while (a > 0 && !s->tok[a].nl && h - a < 6 * TABLE_COLS)
            a--;
        if (!(a == 0 || s->tok[a].nl))
            continue;
        if (a < done)
            continue;
        size_t e = line_end(s, a), count = 0;
        if (e - a > 6 * TABLE_COLS)
            continue;
        char sep = line_separator(s, a, e, &count);
        if (!sep || count + 1 > TABLE_COLS)
            continue;
        int lab[TABLE_COLS];
        size_t col = 0, c0 = a, labelled = 0;
        int header = 1; /* short cells of words: no sentence, no number */
        for (size_t q = a; q <= e && header; q++) {
            if (q == e || is_sep(s, a, q, sep)) {
                size_t words = 0;
                for (size_t r = c0; r < q; r++) {
                    words += s->tok[r].kind == TOK_WORD;
                    if (s->tok[r].kind == TOK_NUM || is_punct(s, r, '.') || is_punct(s, r, ':'))
                        header = 0;
                }
                header &= words >= 1 && words <= 3;
                lab[col] = header_label(s, c0, q);
                labelled += lab[col] != 0;
                col++;
                c0 = sep == '\t' ? q : q + 1;
            }
        }
        if (!header || !labelled || col < 2)
            continue;
        size_t cols = col;
        /* the lines below with as many cells */
        size_t la = e;
        for (int lines = 0; la < s->n && lines < TABLE_LINES; lines++) {
            size_t le = line_end(s, la), cnt = 0;
            if (line_separator(s, la, le, &cnt) != sep || cnt + 1 != cols)
                break;
            col = 0;
            c0 = la;
            for (size_t q = la; q <= le; q++) {
                if (q == le || is_sep(s, la, q, sep)) {
                    if (lab[col])
                        mark_cell(s, c0, q, lab[col]);
                    col++;
                    c0 = sep == '\t' ? q : q + 1;
                }
            }
            la = le;
        }
        done = la;
    }
}
