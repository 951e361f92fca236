/* The joins after the tagger: the parts of an entity the tagger and the
 * rules leave around the words they took (particles and initials before a
 * surname, capitals before a first name, the words before an employer or
 * an establishment, initials that sign a letter, a name cut at a line
 * end, a known first name after a surname in capitals). */
#include "deid_scan.h"

#include <string.h>

#define NAME_KINDS (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)

static size_t tlen(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Token i folded is one of set (NULL-ended, folded words). */
static int tok_word_is(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || tlen(s, i) > 48)
        return 0;
    unsigned c = (unsigned char)s->t[s->tok[i].s];
    if (c < 0x80) {
        c |= 0x20;
        const char *const *w = set;
        while (*w && (unsigned char)(*w)[0] != c)
            w++;
        if (!*w)
            return 0;
    }
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i].s, tlen(s, i), f, sizeof f);
    if (fl <= 0)
        return 0;
    size_t n = (size_t)fl;
    for (; *set; set++)
        if ((*set)[0] == f[0] && !strncmp(*set, f, n) && (*set)[n] == 0)
            return 1;
    return 0;
}

/* ---- after the tagger: the parts of an entity the tagger leaves -------------------- */

static const char *const foreign_particles[] = {"van", "von", "der", "den", "da", "dos",
                                                "di",  "del", "ter", "ten", NULL};

static void join_into(text_scan *s, size_t i, size_t with, int label)
{
    s->lab[i] = (uint8_t)label;
    s->ent[i] = s->ent[with];
}

/* The tokens labelled now, in text order, into idx (room for s->n): their
 * count. The joins visit these rather than every token. */
static size_t labelled_tokens(const text_scan *s, uint32_t *idx)
{
    size_t c = 0, i = 0;
    /* eight labels at a time: most tokens are no identifier */
    for (; i + 8 <= s->n; i += 8) {
        uint64_t w;
        memcpy(&w, s->lab + i, 8);
        if (!w)
            continue;
        for (size_t j = i; j < i + 8; j++)
            if (s->lab[j])
                idx[c++] = (uint32_t)j;
    }
    for (; i < s->n; i++)
        if (s->lab[i])
            idx[c++] = (uint32_t)i;
    return c;
}

at_status deid_pass_joins(text_scan *s)
{
    uint32_t *idx = at_malloc((s->n ? s->n : 1) * sizeof *idx);
    if (!idx)
        return AT_ERR_NOMEM;
    size_t cnt = labelled_tokens(s, idx);
    for (size_t q = 0; q < cnt; q++) {
        size_t i = idx[q];
        if (i == 0)
            continue;
        int l = s->lab[i];
        if (!l || (l != AT_PHI_NOM && l != AT_PHI_EMPLOYEUR && l != AT_PHI_HOPITAL) || s->tok[i].nl ||
            (s->lab[i - 1] && s->ent[i - 1] == s->ent[i]))
            continue;
        size_t p = i - 1;
        const text_tok *k = &s->tok[p];
        if (l == AT_PHI_NOM) {
            /* particles before a surname: "Van Dijk", "LE BERRE", "le van",
             * "mme le floch" (after a title) */
            while (!s->lab[p] && k->kind == TOK_WORD && (k->dflags & DICT_PARTICLE) &&
                   (k->cap || k->allcaps || tok_word_is(s, p, foreign_particles) ||
                    (p > 0 && (s->tok[p - 1].dflags & DICT_TITLE) && !s->tok[p].nl))) {
                join_into(s, p, i, AT_PHI_NOM);
                if (p == 0 || s->tok[p].nl)
                    break;
                p--;
                k = &s->tok[p];
            }
            /* an initial before it: "L. Lacroix", "S. Kerjean" */
            if (p >= 1 && is_punct(s, p, '.') && !s->lab[p - 1] && s->tok[p - 1].kind == TOK_WORD &&
                s->tok[p - 1].cap && s->tok[p - 1].e - s->tok[p - 1].s <= 2 &&
                !(s->tok[p - 1].dflags & DICT_TITLE) && !s->tok[p].nl) {
                mark(s, p - 1, p, AT_PHI_PRENOM);
            }
        } else if (l == AT_PHI_EMPLOYEUR || l == AT_PHI_HOPITAL) {
            /* the capitalised words of its name before it: "Garage X", "SARL X" */
            for (int hop = 0; hop < 2 && !s->lab[p] && s->tok[p].kind == TOK_WORD &&
                              (s->tok[p].cap || s->tok[p].allcaps) &&
                              !(s->tok[p].allcaps && tlen(s, p) <= 4 && !(s->tok[p].lex & NAME_KINDS)) &&
                              /* a name or an organisation's word, not a header ("REGULATION");
                               * a word of the language inside a sentence ("au Nouvel Hôpital") */
                              ((s->tok[p].lex & (NAME_KINDS | LEX_ORG)) ||
                               !(s->tok[p].lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) ||
                               (s->tok[p].cap && !s->tok[p].allcaps && !(s->tok[p].lex & LEX_MED) && p > 0 &&
                                !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && !s->tok[p - 1].cap)) &&
                              !(s->tok[p].dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE));
                 hop++) {
                join_into(s, p, i, l);
                if (p == 0 || s->tok[p].nl)
                    break;
                p--;
            }
        }
    }
    /* initials that sign a letter: two or three capitals alone on the
     * line after a closing formula ("Bien à vous,\nMC") */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (s->lab[i] || !k->nl || !k->allcaps || n < 2 || n > 3 || i < 2 ||
            (i + 1 < s->n && !s->tok[i + 1].nl))
            continue;
        static const char *const closings[] = {
            "amicalement", "cordialement", "vous",          "confraternellement",
            "sentiments",  "salutations",  "devoue",        "devouee",
            "signe",       "merci",        "remerciements", NULL};
        /* a closing formula within the three lines before */
        int lines = 0, found = 0;
        for (size_t p = i; p > 0 && lines < 4 && i - p < 24 && !found; p--) {
            lines += s->tok[p].nl;
            found = s->tok[p - 1].kind == TOK_WORD && tok_word_is(s, p - 1, closings);
        }
        if (found)
            mark(s, i, i + 1, AT_PHI_NOM);
    }
    /* the end of a name cut at a line end ("Dupo-" / "nt"), after the
     * names labelled before the joins */
    for (size_t q = 0; q < cnt; q++) {
        size_t i = idx[q] + 2;
        if (i < s->n && s->tok[i].nl && !s->lab[i] && s->tok[i].kind == TOK_WORD && is_punct(s, i - 1, '-') &&
            s->tok[i - 1].s == s->tok[i - 2].e &&
            (s->lab[i - 2] == AT_PHI_NOM || s->lab[i - 2] == AT_PHI_PRENOM || s->lab[i - 2] == AT_PHI_VILLE ||
             s->lab[i - 2] == AT_PHI_HOPITAL))
            mark(s, i, i + 1, s->lab[i - 2]);
    }
    /* the words of one name the tagger left around the words it took, on
     * one line with nothing between ("LE GALL Jean-Yves", "Nguyen Van
     * Thanh", "riou bernard", "J.-M. COADOU") */
    /* (every labelled token in order, and the one after a token when a
     * join has just labelled it) */
    cnt = labelled_tokens(s, idx);
    for (size_t q = 0, i = 0;;) {
        if (i + 1 < s->n && s->lab[i + 1]) {
            i++;
        } else {
            while (q < cnt && idx[q] <= i)
                q++;
            if (q >= cnt)
                break;
            i = idx[q];
        }
        if (i == 0)
            continue;
        int l = s->lab[i];
        if ((l != AT_PHI_PRENOM && l != AT_PHI_NOM) || s->tok[i].nl)
            continue;
        /* capitals before a first name: its surname, up to three words */
        if (l == AT_PHI_PRENOM && !s->tok[i].allcaps) {
            size_t p = i;
            while (p > 0 && i - p < 3 && !s->tok[p].nl && !s->lab[p - 1] && s->tok[p - 1].kind == TOK_WORD &&
                   s->tok[p - 1].allcaps && !(s->tok[p - 1].lex & LEX_MED) && s->tok[p - 1].s + 1 >= s->tok[p - 1].e - 40 &&
                   !(s->tok[p - 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_IDLABEL | DICT_MONTH)))
                p--;
            if (p < i && mark(s, p, i, AT_PHI_NOM))
                deid_names_add(s, p, i);
        }
        /* a particle between two words of names ("Nguyen Van Thanh") */
        if (i + 2 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl && !s->tok[i + 2].nl &&
            (s->lab[i + 2] == AT_PHI_PRENOM || s->lab[i + 2] == AT_PHI_NOM) && s->tok[i + 1].kind == TOK_WORD &&
            (s->tok[i + 1].cap || s->tok[i + 1].allcaps) && (s->tok[i + 1].dflags & DICT_PARTICLE))
            join_into(s, i + 1, i + 2, s->lab[i + 2]);
        /* a name of a name list right after, in lower case too ("riou bernard") */
        if (i + 1 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD &&
            s->tok[i + 1].s > s->tok[i].e && (s->tok[i + 1].lex & (LEX_FIRST | LEX_LAST)) &&
            (!(s->tok[i + 1].lex & (LEX_MED | LEX_EPONYM)) ||
             ((s->tok[i + 1].lex & LEX_EPONYM) && (s->tok[i + 1].cap || s->tok[i + 1].allcaps) && l == AT_PHI_PRENOM &&
              !deid_eponym_context(s, i + 1))) &&
            (s->tok[i + 1].cap || s->tok[i + 1].allcaps || !(s->tok[i + 1].lex & LEX_WORD)) &&
            !(s->tok[i + 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_CONNECT))) {
            int lab = (s->tok[i + 1].lex & LEX_FIRST) && !(s->tok[i + 1].lex & LEX_LAST) ? AT_PHI_PRENOM
                      : (s->tok[i + 1].lex & LEX_LAST) && !(s->tok[i + 1].lex & LEX_FIRST) ? AT_PHI_NOM
                      : l == AT_PHI_NOM ? AT_PHI_PRENOM : AT_PHI_NOM;
            if (mark(s, i + 1, i + 2, lab))
                deid_names_add(s, i + 1, i + 2);
        }
        /* compound initials before a surname: "J.-M. Coadou", "P.-Y. Le Roux" */
        if (l == AT_PHI_NOM && i >= 5 && (s->lab[i - 1] == AT_PHI_PRENOM || is_punct(s, i - 1, '.'))) {
            size_t e = s->lab[i - 1] == AT_PHI_PRENOM ? i - 1 : i;
            /* e: the first token of the initial before the surname (or the surname) */
            while (e > 0 && s->lab[e - 1] == AT_PHI_PRENOM && s->ent[e - 1] == s->ent[i - 1])
                e--;
            if (e >= 4 && is_punct(s, e - 1, '-') && is_punct(s, e - 2, '.') && s->tok[e - 3].kind == TOK_WORD &&
                s->tok[e - 3].cap && s->tok[e - 3].e - s->tok[e - 3].s <= 2 && !s->lab[e - 3] && !s->tok[e - 1].nl &&
                !s->tok[e].nl) {
                size_t b = i;
                while (b > e && (s->lab[b - 1] == AT_PHI_PRENOM || is_punct(s, b - 1, '.')))
                    b--;
                for (size_t q = e - 3; q < b; q++)
                    s->lab[q] = 0;
                mark(s, e - 3, b, AT_PHI_PRENOM);
            } else if (is_punct(s, i - 1, '.') && i >= 4 && is_punct(s, i - 3, '-') && s->tok[i - 2].kind == TOK_WORD &&
                       s->tok[i - 2].cap && s->tok[i - 2].e - s->tok[i - 2].s <= 2 && is_punct(s, i - 4, '.') &&
                       s->tok[i - 5].kind == TOK_WORD && s->tok[i - 5].cap && s->tok[i - 5].e - s->tok[i - 5].s <= 2 &&
                       !s->tok[i - 4].nl && !s->tok[i - 3].nl && !s->tok[i - 2].nl && !s->tok[i - 1].nl) {
                int free_run = 1;
                for (size_t q = i - 5; q < i - 1; q++)
                    free_run &= !s->lab[q] || s->lab[q] == AT_PHI_PRENOM;
                if (free_run) {
                    for (size_t q = i - 5; q < i - 1; q++)
                        s->lab[q] = 0;
                    mark(s, i - 5, i - 1, AT_PHI_PRENOM);
                }
            }
        }
    }
    /* "NOM Prénom": a known first name after a surname in capitals */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || i == 0 || k->nl || k->allcaps || !(k->lex & LEX_FIRST) ||
            s->lab[i - 1] != AT_PHI_NOM || !s->tok[i - 1].allcaps ||
            (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD)))
            continue;
        mark(s, i, i + 1, AT_PHI_PRENOM);
    }
    at_free(idx);
    return AT_OK;
}
