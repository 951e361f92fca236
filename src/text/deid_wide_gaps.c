/* An entity cut at a wide gap, after every pass: a form's or a
 * letterhead's next cell, three spaces or a tab away, is no part of the
 * entity a pass ran into it ("27 chemin des Fins Nord      CP", "CH
 * Arras   Passage", "DE LA TOUR D'AUVERGNE    Prénom").
 * The entity's runs between wide gaps are looked at: a run of words of
 * the language, of care or of a form's labels only, without a digit, a
 * letter alone, a name's, a place's or an establishment's word, is given back,
 * unless every run is such (then the entity stays as the passes made
 * it). */
#include "deid_scan.h"

/* Tokens q - 1 and q are three spaces or a tab apart (characters: a
 * no-break space inside a name, "Le\u202fGoff", is one). */
static int wide_gap(const text_scan *s, size_t q)
{
    uint32_t a = s->tok[q - 1].e, b = s->tok[q].s, chars = 0;
    for (uint32_t c = a; c < b; c++) {
        if (s->t[c] == '\t')
            return 1;
        chars += ((unsigned char)s->t[c] & 0xC0) != 0x80;
    }
    return chars >= 3;
}

/* Tokens [a, b) hold no identifier by themselves: words of the language,
 * of care or of labels, and no digit, letter alone, initials ("ML": two
 * or three capitals, but a label's before its colon, "CP :"), name's,
 * place's, street's or establishment's word. */
static int safe_run(const text_scan *s, size_t a, size_t b)
{
    int words = 0;
    for (size_t q = a; q < b; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_NUM || tok_has_digit(s, q))
            return 0;
        if (k->kind != TOK_WORD)
            continue;
        words++;
        /* (an establishment's head is its name's: "Polyclinique", "Centre") */
        if (!((k->lex & (LEX_WORD | LEX_MED)) || (k->dflags & (DICT_COMMON | DICT_FIELD | DICT_IDLABEL))) ||
            (k->lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY | LEX_ORG | LEX_STREET)) ||
            (k->dflags & (DICT_HOSP | DICT_HEAD | DICT_STREET | DICT_RESID)) || k->e - k->s == 1 ||
            (k->allcaps && k->e - k->s <= 3 && !(k->dflags & (DICT_FIELD | DICT_IDLABEL)) &&
             !is_punct(s, q + 1, ':')))
            return 0;
    }
    return words > 0;
}

void deid_pass_wide_gaps(text_scan *s)
{
    for (size_t i = deid_next_labelled(s, 0); i < s->n;) {
        size_t j = i + 1;
        int gaps = 0;
        while (j < s->n && s->lab[j] == s->lab[i] && s->ent[j] == s->ent[i]) {
            gaps |= wide_gap(s, j);
            j++;
        }
        if (gaps) {
            /* the runs between the gaps: given back when safe, while one
             * stays */
            size_t kept = 0, a = i;
            uint8_t safe[64];
            size_t nr = 0, starts[64];
            for (size_t q = i + 1; q <= j && nr < 64; q++)
                if (q == j || wide_gap(s, q)) {
                    starts[nr] = a;
                    safe[nr] = (uint8_t)safe_run(s, a, q);
                    kept += !safe[nr];
                    nr++;
                    a = q;
                }
            for (size_t r = 0; r < nr && kept; r++)
                if (safe[r])
                    for (size_t q = starts[r]; q < (r + 1 < nr ? starts[r + 1] : j); q++) {
                        s->lab[q] = 0;
                        s->ent[q] = 0;
                    }
        }
        i = deid_next_labelled(s, j);
    }
}
