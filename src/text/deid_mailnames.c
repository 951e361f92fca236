/* Names an e-mail address gives away: the parts of its local part
 * ("iris.vidal@...") are the names of its owner, and the words of the
 * document written as those parts are names. A part that no list holds or
 * that a name list holds is a name wherever it is written with a capital
 * (in lower case too when it is no word of the language); a part that is
 * a word of the language ("Iris", "Rose") only beside the address, where
 * the display name repeats the local part ("Iris Vidal <iris.vidal@...>")
 * and one of its parts at least is no word of the language. */
#include "deid_scan.h"

#include <string.h>

#define PARTS_MAX 4
#define PART_LEN 48

typedef struct {
    char f[PART_LEN];
    int n;
    unsigned lex;
} mail_part;

/* The parts of the local part of the e-mail whose tokens are [a, at):
 * words of three letters or more without digits. Their count. */
static size_t local_parts(const text_scan *s, size_t a, size_t at, mail_part *p)
{
    size_t c = 0;
    for (size_t i = a; i < at && c < PARTS_MAX; i++) {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || k->e - k->s < 3 || k->e - k->s >= PART_LEN - 16)
            continue;
        int digit = 0;
        for (uint32_t b = k->s; b < k->e; b++)
            digit |= (unsigned)(s->t[b] - '0') < 10u;
        if (digit)
            continue;
        int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, p[c].f, sizeof p[c].f);
        if (fl < 3)
            continue;
        p[c].n = fl;
        p[c].lex = text_lexicon_get(&s->d->lex, p[c].f, (size_t)fl);
        c++;
    }
    return c;
}

static int part_of(const text_scan *s, size_t i, const mail_part *p, size_t np)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || k->e - k->s >= PART_LEN - 16)
        return -1;
    char f[PART_LEN];
    int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f);
    for (size_t q = 0; q < np && fl > 0; q++)
        if (p[q].n == fl && !memcmp(p[q].f, f, (size_t)fl))
            return (int)q;
    return -1;
}

void deid_pass_mail_names(text_scan *s)
{
    /* (the first eight addresses of a chunk: each visits the chunk once) */
    size_t seen = 0;
    for (size_t a = 0; a < s->n && seen < 8; a++) {
        if (s->lab[a] != AT_PHI_MAIL || (a > 0 && s->lab[a - 1] == AT_PHI_MAIL && s->ent[a - 1] == s->ent[a]))
            continue;
        size_t at = a;
        while (at < s->n && s->lab[at] == AT_PHI_MAIL && s->ent[at] == s->ent[a] && !is_punct(s, at, '@'))
            at++;
        if (at >= s->n || !is_punct(s, at, '@'))
            continue;
        seen++;
        mail_part p[PARTS_MAX];
        size_t np = local_parts(s, a, at, p);
        if (!np)
            continue;
        int named = 0; /* a part is no word of the language */
        for (size_t q = 0; q < np; q++)
            named |= !(p[q].lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET));
        if (!named)
            continue; /* "secretariat.onco@", "contact@" */
        /* the display name just before the address: "Iris Vidal <...>" */
        size_t b = a;
        if (b > 0 && (is_punct(s, b - 1, '<') || is_punct(s, b - 1, '(')))
            b--;
        size_t d = b;
        while (d > 0 && b - d < PARTS_MAX && !s->tok[d].nl && part_of(s, d - 1, p, np) >= 0)
            d--;
        for (size_t i = d; i < b; i++) {
            int q = part_of(s, i, p, np);
            if (!s->lab[i] && mark(s, i, i + 1, q == 0 && np >= 2 ? AT_PHI_PRENOM : AT_PHI_NOM))
                deid_names_add(s, i, i + 1);
        }
        /* elsewhere: the parts that are no word of the language */
        for (size_t i = 0; i < s->n; i++) {
            if (s->lab[i] || s->tok[i].kind != TOK_WORD)
                continue;
            int q = part_of(s, i, p, np);
            if (q < 0 || (p[q].lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET)))
                continue;
            if (!s->tok[i].cap && !s->tok[i].allcaps && (s->tok[i].lex & LEX_WORD))
                continue;
            if (mark(s, i, i + 1, q == 0 && np >= 2 ? AT_PHI_PRENOM : AT_PHI_NOM))
                deid_names_add(s, i, i + 1);
        }
    }
}
