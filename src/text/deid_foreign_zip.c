/* Foreign postcodes: a country's prefix and its digits ("CH-1205",
 * "L-4149"), a Canadian's or a British one's shape ("G1V 2L8", "CR0
 * 2LB"), four digits after an address ("4000"); moved out of
 * deid_address.c, whose streets run before. */
#include "deid_scan.h"

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* Countries' prefixes of postcodes ("CH-1205", "L-4149", "B-4000"). */
static const char *const post_prefixes[] = {"ch", "l",  "b",  "d",  "a",  "f",  "i",  "e",  "p",  "nl",
                                            "mc", "lu", "be", "de", "at", "it", "es", "pt", "pl", "ro",
                                            "cz", "sk", "hu", "dk", "se", "fi", "no", NULL};

static int all_digits(const text_scan *s, size_t i, size_t lo, size_t hi)
{
    if (i >= s->n || s->tok[i].kind != TOK_NUM)
        return 0;
    size_t n = tl(s, i);
    return n >= lo && n <= hi;
}

/* Token i's bytes have the shape pat: 'A' a capital, '9' a digit. */
static int shape(const text_scan *s, size_t i, const char *pat)
{
    size_t n = tl(s, i), m = strlen(pat);
    if (i >= s->n || n != m)
        return 0;
    const char *w = s->t + s->tok[i].s;
    for (size_t q = 0; q < n; q++) {
        char c = w[q];
        if (pat[q] == 'A' ? !(c >= 'A' && c <= 'Z') : !(c >= '0' && c <= '9'))
            return 0;
    }
    return 1;
}

/* A town's word after token i on its line: capitalised, no title. */
static int town_after(const text_scan *s, size_t i)
{
    size_t j = i + 1;
    if (j >= s->n || s->tok[j].nl || s->tok[j].kind != TOK_WORD || !(s->tok[j].cap || s->tok[j].allcaps))
        return 0;
    return !(s->tok[j].dflags & (DICT_TITLE | DICT_MONTH | DICT_FIELD | DICT_IDLABEL)) &&
           !((s->tok[j].lex & LEX_MED) && !(s->tok[j].lex & (LEX_PLACE | LEX_CITY)));
}

static void zip_mark(text_scan *s, size_t a, size_t b)
{
    for (size_t q = a; q < b; q++)
        if (s->lab[q] && s->lab[q] != AT_PHI_ID && s->lab[q] != AT_PHI_ADRESSE)
            return;
    uint32_t ent = ++s->next_ent;
    for (size_t q = a; q < b; q++) {
        s->lab[q] = AT_PHI_ZIP;
        s->ent[q] = ent;
    }
    /* the town after it */
    size_t j = b;
    if (town_after(s, b - 1) && !s->lab[j]) {
        size_t e = j + 1;
        while (e < s->n && !s->tok[e].nl && !s->lab[e] && s->tok[e].kind == TOK_WORD &&
               (s->tok[e].cap || s->tok[e].allcaps) && e - j < 3)
            e++;
        mark(s, j, e, AT_PHI_VILLE);
    }
}

/* An address before token i on its line, past a comma. */
static int address_before(const text_scan *s, size_t i)
{
    size_t q = i;
    if (q > 0 && !s->tok[q].nl && is_punct(s, q - 1, ','))
        q--;
    return q > 0 && !s->tok[q].nl && s->lab[q - 1] == AT_PHI_ADRESSE;
}

void deid_pass_foreign_zip(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++) {
        size_t i = s->list[TEXT_LIST_NUM][q];
        const text_tok *k = &s->tok[i];
        if (k->kind == TOK_NUM && (!s->lab[i] || s->lab[i] == AT_PHI_ID)) {
            /* "CH-1205 Genève": a country's letters, a dash, the digits */
            if (i >= 2 && all_digits(s, i, 4, 5) && is_punct(s, i - 1, '-') &&
                s->tok[i - 1].s == s->tok[i - 2].e && k->s == s->tok[i - 1].e &&
                s->tok[i - 2].kind == TOK_WORD &&
                (s->tok[i - 2].allcaps || (tl(s, i - 2) == 1 && s->tok[i - 2].cap)) && !s->tok[i - 1].nl &&
                (i < 3 || s->tok[i - 2].s != s->tok[i - 3].e) && tok_ascii_in(s, i - 2, post_prefixes) &&
                (town_after(s, i) || address_before(s, i - 2)))
                zip_mark(s, i - 2, i + 1);
            /* the Netherlands "1012 AB Amsterdam" */
            else if (all_digits(s, i, 4, 4) && i + 1 < s->n && shape(s, i + 1, "AA") && !s->tok[i + 1].nl &&
                     town_after(s, i + 1) && (address_before(s, i) || (i > 0 && is_punct(s, i - 1, ','))))
                zip_mark(s, i, i + 2);
            /* "…, 4000 Liège" after an address, "à 7500 Tournai" */
            else if (all_digits(s, i, 4, 4) && !s->lab[i] &&
                     (address_before(s, i) ||
                      (i > 0 && !k->nl && (tok_is(s, i - 1, "\xC3\xA0") || tok_is(s, i - 1, "a")))) &&
                     town_after(s, i))
                zip_mark(s, i, i + 1);
            /* two groups joined by a dash before a town: Portugal "4000-123
             * Porto", Poland "00-950 Warszawa", Brazil "01310-100 São Paulo" */
            else if (i + 2 < s->n &&
                     (all_digits(s, i, 4, 4) || all_digits(s, i, 2, 2) || all_digits(s, i, 5, 5)) &&
                     is_punct(s, i + 1, '-') && s->tok[i + 1].s == k->e &&
                     s->tok[i + 2].s == s->tok[i + 1].e && all_digits(s, i + 2, 3, 3) &&
                     (!s->lab[i + 2] || s->lab[i + 2] == AT_PHI_ID) && town_after(s, i + 2) &&
                     s->tok[i + 3].s == s->tok[i + 2].e + 1 && s->t[s->tok[i + 2].e] == ' ' &&
                     (i == 0 || !is_punct(s, i - 1, '-')) &&
                     (!all_digits(s, i, 2, 2) || address_before(s, i) || (i > 0 && is_punct(s, i - 1, ','))))
                zip_mark(s, i, i + 3);
            /* the United States "Miami, FL 33139": a state's two capitals,
             * after a comma, before five digits */
            else if (all_digits(s, i, 5, 5) && i >= 3 && !k->nl && shape(s, i - 1, "AA") &&
                     is_punct(s, i - 2, ',') && s->tok[i - 3].kind == TOK_WORD &&
                     (s->tok[i - 3].cap || s->lab[i - 3]))
                zip_mark(s, i, i + 1);
        }
    }
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || !(k->aux & TOK_AUX_DIGIT) || i + 1 >= s->n || s->tok[i + 1].nl)
            continue;
        /* Ireland's Eircode "D02 X285", "A65 F4E2": a routing key, then
         * four letters and digits, both */
        if (shape(s, i, "A99") && tl(s, i + 1) == 4 && s->tok[i + 1].kind == TOK_WORD &&
            (s->tok[i + 1].aux & TOK_AUX_DIGIT) && !s->lab[i] && !s->lab[i + 1]) {
            const char *w = s->t + s->tok[i + 1].s;
            int up = 1;
            for (size_t c = 0; c < 4; c++)
                up &= (w[c] >= 'A' && w[c] <= 'Z') || (w[c] >= '0' && w[c] <= '9');
            if (up && (address_before(s, i) || town_after(s, i + 1) ||
                       (i > 0 && !s->tok[i].nl && (is_punct(s, i - 1, ',') || s->tok[i - 1].cap)))) {
                zip_mark(s, i, i + 2);
                /* the town before it ("Dublin D02 X285") */
                if (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_WORD && s->tok[i - 1].cap &&
                    !s->tok[i - 1].allcaps && !s->lab[i - 1])
                    mark(s, i - 1, i, AT_PHI_VILLE);
            }
            continue;
        }
        /* Canada "G1V 2L8"; the United Kingdom "CR0 2LB", "HA1 3UJ", "SW1A 1AA" */
        if ((shape(s, i, "A9A") && shape(s, i + 1, "9A9")) ||
            ((shape(s, i, "A9") || shape(s, i, "A99") || shape(s, i, "AA9") || shape(s, i, "AA99") ||
              shape(s, i, "A9A") || shape(s, i, "AA9A")) &&
             shape(s, i + 1, "9AA")))
            zip_mark(s, i, i + 2);
    }
}
