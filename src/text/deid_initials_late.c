/* An initial after a name the tagger found ("Descamps B.", "Berthelot,
 * J. ;", "Da Costa (J.)", "LE GALL Y.  suivi"), after the tagger: the
 * rules' initials pass (deid_initials.c) runs before it and sees only the
 * names the rules took. A capital alone with its full stop glued, on the
 * name's line, one space after it, after its comma or in brackets after
 * it. "M." before a capitalised word is the title of the next person
 * ("Dupont M. Durand"). And two words no person bears, whatever took
 * them: the letter of "N°" and the article of "né le" before its date
 * ("NÉ LE 11 03 1949", OCR'd "née Ie O3/O2/1935"), and "Marié", "Mariée"
 * of a social history, which fold to the first name; and an OCR's "Ie",
 * "Ia", "Ies" (the article with I for l) before a word in lower case or a
 * number. */
#include "deid_scan.h"

#include <string.h>

static int person(int l)
{
    return l == AT_PHI_NOM || l == AT_PHI_PRENOM;
}

/* Token i: one capital letter (ASCII), unlabelled, its full stop glued. */
static int dotted_capital(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (i + 1 >= s->n || k->kind != TOK_WORD || k->e - k->s != 1 || s->lab[i] || k->nl)
        return 0;
    char c = s->t[k->s];
    return c >= 'A' && c <= 'Z' && is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e;
}

/* The name at p, then token i (the letter) after a space, a comma or a
 * bracket. */
static void after_name(text_scan *s, size_t p, size_t i)
{
    if (!dotted_capital(s, i))
        return;
    size_t w = i + 2;
    int title_next =
        s->t[s->tok[i].s] == 'M' && w < s->n && !s->tok[w].nl && s->tok[w].kind == TOK_WORD && s->tok[w].cap;
    /* "Dupont D. ..." read as a dotted group ("D.M.") is a code */
    if (title_next || (w < s->n && s->tok[w].kind == TOK_WORD && s->tok[w].s == s->tok[i + 1].e))
        return;
    s->lab[i] = s->lab[p] == AT_PHI_NOM ? AT_PHI_PRENOM : AT_PHI_NOM;
    s->ent[i] = s->ent[p];
}

static void unlabel(text_scan *s, size_t i)
{
    s->lab[i] = 0;
    s->ent[i] = 0;
}

/* Token i (labelled a name) is "le" or "la" (OCR'd "Ie", "Ia"), after "né"
 * or "née" and before a number or a word with a digit on the line. */
static int born_article(const text_scan *s, size_t i)
{
    if (i == 0 || i + 1 >= s->n || s->tok[i].nl || s->tok[i + 1].nl || s->tok[i].e - s->tok[i].s != 2)
        return 0;
    char a = (char)(s->t[s->tok[i].s] | 0x20), b = (char)(s->t[s->tok[i].s + 1] | 0x20);
    if (!((a == 'l' || a == 'i') && (b == 'e' || b == 'a')))
        return 0;
    if (!(tok_is(s, i - 1, "n\xC3\xA9") ||
          tok_is(s, i - 1,
                 "n\xC3\xA9"
                 "e") ||
          tok_is(s, i - 1, "ne") || tok_is(s, i - 1, "nee") || tok_is(s, i - 1, "N\xC3\x89") ||
          tok_is(s, i - 1,
                 "N\xC3\x89"
                 "E")))
        return 0;
    return s->tok[i + 1].kind == TOK_NUM || tok_has_digit(s, i + 1);
}

/* Token i is "Ie", "Ia" or "Ies", then a word in lower case or a number
 * on its line. */
static int ocr_article(const text_scan *s, size_t i)
{
    size_t n = s->tok[i].e - s->tok[i].s;
    const char *w = s->t + s->tok[i].s;
    if (!((n == 2 && w[0] == 'I' && (w[1] == 'e' || w[1] == 'a')) || (n == 3 && !memcmp(w, "Ies", 3))) ||
        i + 1 >= s->n || s->tok[i + 1].nl)
        return 0;
    const text_tok *k = &s->tok[i + 1];
    return k->kind == TOK_NUM || (k->kind == TOK_WORD && !k->cap && !k->allcaps);
}

/* Token i is "marié" or "mariée" with its accent, in any case. */
static int married(const text_scan *s, size_t i)
{
    size_t n = s->tok[i].e - s->tok[i].s;
    if (n != 6 && n != 7)
        return 0;
    const char *w = s->t + s->tok[i].s;
    static const char m[] = "mari";
    for (size_t q = 0; q < 4; q++)
        if ((char)(w[q] | 0x20) != m[q])
            return 0;
    int acc = (unsigned char)w[4] == 0xC3 && ((unsigned char)w[5] == 0xA9 || (unsigned char)w[5] == 0x89);
    return acc && (n == 6 || (w[6] | 0x20) == 'e');
}

void deid_pass_initials_late(text_scan *s)
{
    for (size_t p = deid_next_labelled(s, 0); p < s->n; p = deid_next_labelled(s, p + 1)) {
        if (!person(s->lab[p]) || s->tok[p].kind != TOK_WORD)
            continue;
        /* "N°", "Nº" */
        if (s->tok[p].e - s->tok[p].s == 1 && p + 1 < s->n && s->tok[p + 1].s == s->tok[p].e &&
            s->tok[p + 1].e - s->tok[p + 1].s >= 2 && (unsigned char)s->t[s->tok[p + 1].s] == 0xC2 &&
            ((unsigned char)s->t[s->tok[p + 1].s + 1] == 0xB0 ||
             (unsigned char)s->t[s->tok[p + 1].s + 1] == 0xBA))
            unlabel(s, p);
        else if (born_article(s, p) || married(s, p) || ocr_article(s, p))
            unlabel(s, p);
    }
    for (size_t p = deid_next_labelled(s, 0); p < s->n; p = deid_next_labelled(s, p + 1)) {
        if (!person(s->lab[p]) || s->tok[p].kind != TOK_WORD || p + 1 >= s->n || s->lab[p + 1] ||
            s->tok[p + 1].nl)
            continue;
        const text_tok *k = &s->tok[p + 1];
        if (k->kind == TOK_WORD && k->s == s->tok[p].e + 1 && s->t[s->tok[p].e] == ' ')
            after_name(s, p, p + 1);
        else if (is_punct(s, p + 1, ',') && k->s == s->tok[p].e && p + 2 < s->n && !s->tok[p + 2].nl &&
                 s->tok[p + 2].s == k->e + 1)
            after_name(s, p, p + 2);
        else if (is_punct(s, p + 1, '(') && k->s == s->tok[p].e + 1 && p + 4 < s->n &&
                 s->tok[p + 2].s == k->e && is_punct(s, p + 4, ')') && s->tok[p + 4].s == s->tok[p + 3].e)
            after_name(s, p, p + 2);
    }
}
