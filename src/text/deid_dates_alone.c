/* Dates said in words with no other part of a date beside them (called
 * by deid_extra.c's pass over the number words): a day of the month
 * before a transcript's spoken punctuation, a year after a word of time. */
#include "deid_scan.h"

/* A day of the month in words alone in a transcript: after "le", "au",
 * "du", before its spoken punctuation or the line's end ("prochaine venue
 * le dix-huit point", "elle rentre le onze virgule"). */
void deid_day_words(text_scan *s, size_t i)
{
    if (i == 0 || s->lab[i] || s->tok[i].nl ||
        !(tok_is(s, i - 1, "le") || tok_is(s, i - 1, "au") || tok_is(s, i - 1, "du")))
        return;
    size_t e = i + 1;
    if (e + 1 < s->n && tok_is(s, e, "et") && deid_number_word_tok(s, e + 1) == 1 && !s->tok[e].nl)
        e += 2; /* "vingt et un" */
    int v = deid_words_value(s, i, e);
    if (v < 1 || v > 31)
        return;
    if (e < s->n && !s->tok[e].nl && !tok_is(s, e, "point") && !tok_is(s, e, "virgule"))
        return;
    mark(s, i, e, AT_PHI_DATE);
}

/* A weekday and a day of the month in words ("le vendredi vingt point",
 * "mercredi vingt-cinq monsieur ..."); i is its first number word. Not a
 * time ("vendredi quatorze heures") nor a count. */
void deid_weekday_words(text_scan *s, size_t i)
{
    static const char *const counts[] = {"heure", "heures", "h",    "minutes", "min",      "jours", "jour",
                                         "ans",   "mois",   "fois", "mg",      "semaines", "cures", NULL};
    char f[64];
    int fl = text_lexicon_fold(s->t + s->tok[i - 1].s, s->tok[i - 1].e - s->tok[i - 1].s, f, sizeof f);
    if (fl <= 0 || !text_weekday_of(f, (size_t)fl))
        return;
    size_t e = i + 1;
    if (e + 1 < s->n && tok_is(s, e, "et") && deid_number_word_tok(s, e + 1) == 1 && !s->tok[e].nl)
        e += 2; /* "vingt et un" */
    else if (e < s->n && !s->tok[e].nl && deid_number_word_tok(s, e) == 1 &&
             (deid_words_value(s, i, i + 1) == 20 || deid_words_value(s, i, i + 1) == 30))
        e++; /* "vingt deux" */
    int v = deid_words_value(s, i, e);
    if (v < 1 || v > 31 || (e < s->n && !s->tok[e].nl && deid_tok_in(s, e, counts)))
        return;
    mark(s, i - 1, e, AT_PHI_DATE);
}

/* A year in words alone after a word of time ("depuis deux mille
 * quinze", "en mil neuf cent quatre-vingt-dix", "l'année deux mille
 * trois"); i is its "mille" or "mil". A quantity ("deux mille mg") has
 * no such word before it. */
void deid_year_words(text_scan *s, size_t i)
{
    static const char *const cues[] = {"en",      "depuis",    "annee",    "des",   "fin",  "debut",
                                       "courant", "vers",      "avant",    "apres", "ete",  "hiver",
                                       "automne", "printemps", "jusqu'en", "an",    "l'an", NULL};
    size_t a = i;
    while (a > 0 && i - a < 3 && !s->tok[a].nl && !s->lab[a - 1] && deid_number_word_tok(s, a - 1) == 1)
        a--;
    size_t e = i + 1;
    while (e < s->n && e - i < 6 && !s->tok[e].nl && !s->lab[e] &&
           (deid_number_word_tok(s, e) == 1 ||
            (deid_number_word_tok(s, e) == 2 && e + 1 < s->n && deid_number_word_tok(s, e + 1) == 1)))
        e++;
    if (a == 0 || s->tok[a].nl || e - a > 8 || !deid_tok_in(s, a - 1, cues))
        return;
    int v = deid_words_value(s, a, e);
    if (v >= 1900 && v <= 2099)
        mark(s, a, e, AT_PHI_DATE);
}
