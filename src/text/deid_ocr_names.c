/* Names an OCR wrote with digits and signs for letters, after the other
 * passes: "Bonnaf0us", "0livier", "Pa1mpol", "Ger4rd", "Ta|bot",
 * "Duca$se". The word is read back with the OCR's usual confusions
 * undone (0 for o, 1 for l or i, 4 for a, | for l, $ for s) and looked
 * up: a first name, a surname or a commune of the lists, and no word of
 * the language nor of care, is one still; after a title, an initial or
 * a name's field, any word but one of care is. A name another pass found in
 * part ("Ta" of "Ta|bot", after "Dr") takes the rest of its glued word.
 * In a scan whose OCR shows its confusions on two words of the language
 * ("C0MPTE RENDU", "Prén0m"), a word in capitals with a digit between
 * its letters that becomes no word of the language nor of care is a
 * name too ("N0M : DUCR0CQ", "Dr Ph. BERTH0MIEU"). */
#include "deid_scan.h"
#include "tagger.h"

#include <string.h>

#define OCR_MAX 40

/* The glued run of word, number, '|' and '$' tokens from i: its end. */
static size_t glued_run(const text_scan *s, size_t i)
{
    size_t e = i + 1;
    while (e < s->n && s->tok[e].s == s->tok[e - 1].e && !s->tok[e].nl &&
           (s->tok[e].kind == TOK_WORD || s->tok[e].kind == TOK_NUM || is_punct(s, e, '|') ||
            is_punct(s, e, '$')))
        e++;
    return e;
}

/* The bytes of [a, e) with the OCR's confusions undone into out (l or i
 * for 1): its length, 0 when a digit or sign no letter explains is left,
 * when nothing was undone, or when too short or long. */
static size_t undo_ocr(const text_scan *s, size_t a, size_t e, char one, char *out)
{
    size_t n = 0, undone = 0, letters = 0;
    for (size_t p = s->tok[a].s; p < s->tok[e - 1].e; p++) {
        char c = s->t[p];
        char r = c == '0'   ? 'o' /* (the look-up folds the case) */
                 : c == '1' ? one
                 : c == '4' ? 'a'
                 : c == '|' ? 'l'
                 : c == '$' ? 's'
                            : 0;
        if (r) {
            undone++;
        } else if ((c >= '0' && c <= '9') || c == '|' || c == '$') {
            return 0;
        } else {
            r = c;
            letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c & 0x80);
        }
        if (n + 1 >= OCR_MAX)
            return 0;
        out[n++] = r;
    }
    /* (a letter for a sign now and then: "T1N0" is a stage) */
    return undone && letters >= 3 && undone * 3 <= letters && n >= 4 ? n : 0;
}

static int label_of(unsigned lex)
{
    if (lex & (LEX_WORD | LEX_MED | LEX_EPONYM))
        return 0;
    if (lex & LEX_CITY)
        return AT_PHI_VILLE;
    if (lex & LEX_LAST)
        return AT_PHI_NOM;
    if (lex & LEX_FIRST)
        return AT_PHI_PRENOM;
    return 0;
}

/* The word as written is in capitals, one piece (no hyphen, no
 * apostrophe), its OCR signs between two letters ("DUCR0CQ"; not "TTF1",
 * "HbA1c", "D'H0SPITALISATI0N", "Staphyl0coccus"). */
static int name_shaped(const char *w, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)w[k];
        if (c >= 'a' && c <= 'z')
            return 0;
        if (c < 0x80 && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9'))
            return 0;
        if (c >= '0' && c <= '9' &&
            (k == 0 || k + 1 == n || (w[k - 1] >= '0' && w[k - 1] <= '9') ||
             (w[k + 1] >= '0' && w[k + 1] <= '9')))
            return 0;
    }
    return 1;
}

/* The glued run of word i ([*a, *e)): 0 when it opens or closes with a
 * sign or runs over five tokens. */
static int ocr_run(const text_scan *s, size_t i, size_t *a, size_t *e)
{
    size_t b = i;
    while (b > 0 && s->tok[b].s == s->tok[b - 1].e && !s->tok[b].nl &&
           (s->tok[b - 1].kind == TOK_WORD || s->tok[b - 1].kind == TOK_NUM || is_punct(s, b - 1, '|') ||
            is_punct(s, b - 1, '$')))
        b--;
    *a = b;
    *e = glued_run(s, b);
    return s->tok[b].kind != TOK_PUNCT && s->tok[*e - 1].kind != TOK_PUNCT && *e - b <= 5;
}

/* What the run [a, e) becomes with the OCR's confusions undone: 1 a word
 * of the language or of care, 2 none and written as a name (capitals),
 * 3 none, 0 nothing to undo; the label of the lists in *label (after a
 * title, any word but one of care). */
static int ocr_reading(const text_scan *s, size_t a, size_t e, int titled, int *label)
{
    char w[OCR_MAX], f[OCR_MAX + 16];
    int known = 0;
    *label = 0;
    for (int pass = 0; pass < 2 && !*label; pass++) {
        size_t n = undo_ocr(s, a, e, pass ? 'i' : 'l', w);
        if (!n)
            return 0;
        int fl = text_lexicon_fold(w, n, f, sizeof f);
        unsigned lex = fl > 0 ? text_lexicon_get(&s->d->lex, f, (size_t)fl) : 0;
        known |= (lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) != 0;
        /* (a brand the model learned as safe: "M0VIPREP") */
        if (fl > 0 && !known && s->d->tagger && s->d->tagger->nkeep)
            known = text_tagger_keeps(s->d->tagger, text_dict_hash_padded(f, (size_t)fl));
        *label = label_of(lex);
        if (!*label && titled && !(lex & (LEX_MED | LEX_EPONYM)) && pass)
            *label = lex & LEX_FIRST ? AT_PHI_PRENOM : AT_PHI_NOM;
    }
    return known ? 1 : name_shaped(s->t + s->tok[a].s, s->tok[e - 1].e - s->tok[a].s) ? 2 : 3;
}

static int ocr_scan(const text_scan *s);

/* *ocr_doc: -1 until asked, then ocr_scan's answer. */
static void ocr_word_at(text_scan *s, size_t i, int *ocr_doc)
{
    size_t a, e;
    if (!ocr_run(s, i, &a, &e))
        return;
    /* a sign for a letter stands between two lower-case letters
     * ("Ta|bot"; not a field's separator: "NK1|1|GUÉRINEAU", "Joël|SPO") */
    for (size_t q = a + 1; q + 1 < e; q++)
        if (s->tok[q].kind == TOK_PUNCT) {
            char l = s->t[s->tok[q].s - 1], r = s->t[s->tok[q].e];
            if (!(l >= 'a' && l <= 'z') || !(r >= 'a' && r <= 'z'))
                return;
        }
    /* a name found in part: the whole glued word is its */
    int part = 0, free = 0;
    for (size_t q = a; q < e; q++) {
        if (s->lab[q] == AT_PHI_NOM || s->lab[q] == AT_PHI_PRENOM || s->lab[q] == AT_PHI_VILLE) {
            if (part && s->ent[q] != s->ent[part - 1])
                return;
            part = (int)q + 1;
        } else if (s->lab[q]) {
            return;
        } else {
            free++;
        }
    }
    if (!free)
        return;
    /* after a title, an initial or a name's field ("Dr R. 0livier",
     * "Prénom : Ger4rd"), a word of the language is a name too */
    int titled = a > 0 && !s->tok[a].nl &&
                 ((s->tok[a - 1].dflags & DICT_TITLE) ||
                  (a > 1 && is_punct(s, a - 1, '.') && s->tok[a - 2].kind == TOK_WORD && s->tok[a - 2].cap &&
                   s->tok[a - 2].e - s->tok[a - 2].s == 1) ||
                  (a > 1 && is_punct(s, a - 1, ':') && (s->tok[a - 2].dflags & DICT_FIELD)));
    int label = 0;
    int reading = ocr_reading(s, a, e, titled, &label);
    if (!reading)
        return;
    if (!label && reading == 2 && *ocr_doc < 0)
        *ocr_doc = ocr_scan(s);
    if (!label && reading == 2 && *ocr_doc)
        label = AT_PHI_NOM;
    if (part) {
        deid_relabel(s, a, e, s->lab[part - 1]);
        return;
    }
    if (label)
        deid_relabel(s, a, e, label);
}

/* The text is a scan whose OCR wrote digits for letters in two words of
 * the language or of care ("C0MPTE RENDU", "Prén0m"): those read back
 * before the passes (deid_ocr_view.c) and those left. */
static int ocr_scan(const text_scan *s)
{
    size_t confirmed = s->ocr_words;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE] && confirmed < 2; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q], a, e;
        int label;
        if (s->tok[i].kind == TOK_WORD && tok_has_digit(s, i) && ocr_run(s, i, &a, &e) &&
            ocr_reading(s, a, e, 0, &label) == 1)
            confirmed++;
    }
    return confirmed >= 2;
}

void deid_pass_ocr_names(text_scan *s)
{
    /* (a word with a digit is on the list of cue words; '|' and '$' are
     * looked for where the text has them) */
    int ocr_doc = -1; /* (asked once, when a word needs it) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (!s->lab[i] && s->tok[i].kind == TOK_WORD && tok_has_digit(s, i))
            ocr_word_at(s, i, &ocr_doc);
    }
    /* a sign between two lower-case letters, found in the bytes; its
     * token by a binary search */
    for (int sign = 0; sign < 2; sign++) {
        char c = sign ? '$' : '|';
        if (!(s->seen & (sign ? TEXT_SEEN_DOLLAR : TEXT_SEEN_BAR)))
            continue;
        for (const char *p = memchr(s->t, c, s->len); p;
             p = (size_t)(p - s->t) + 1 < s->len ? memchr(p + 1, c, s->len - (size_t)(p - s->t) - 1) : NULL) {
            size_t b = (size_t)(p - s->t);
            if (b == 0 || b + 1 >= s->len || !(p[-1] >= 'a' && p[-1] <= 'z') || !(p[1] >= 'a' && p[1] <= 'z'))
                continue;
            size_t lo = tok_first_at(s, b);
            if (lo > 0 && lo + 1 < s->n && s->tok[lo].s == b && is_punct(s, lo, c) &&
                s->tok[lo].s == s->tok[lo - 1].e && s->tok[lo + 1].s == s->tok[lo].e &&
                s->tok[lo - 1].kind == TOK_WORD && s->tok[lo + 1].kind == TOK_WORD) {
                int no = 0;
                ocr_word_at(s, lo - 1, &no);
            }
        }
    }
}
