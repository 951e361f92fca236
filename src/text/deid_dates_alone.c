/* Dates said in words with no other part of a date beside them (called
 * by deid_extra.c's pass over the number words): a day of the month
 * before a transcript's spoken punctuation, a year after a word of time,
 * a weekday and a day; and the day said in words before a month word. */
#include "deid_scan.h"

/* Word token i is a number word (each hyphen part): its value, else -1. */
static int word_value(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_WORD ? deid_words_value(s, i, i + 1) : -1;
}

/* The day in words before month word i, on its line and unlabelled
 * ("premier", "vingt-deux", "vingt deux", "trente et un"; "1er" is the
 * rules'): its first token, i when none; *day its value. */
size_t deid_day_words_before(const text_scan *s, size_t i, int *day)
{
    *day = 0;
    if (i == 0 || s->tok[i].nl)
        return i;
    int v[3] = {-1, -1, -1}; /* the words before i, nearest first */
    for (size_t h = 0; h < 3 && h < i && !s->lab[i - 1 - h] && !s->tok[i - h].nl; h++)
        v[h] = tok_is(s, i - 1 - h, "et") ? 0 : word_value(s, i - 1 - h);
    /* "dix sept", "trente sept", "quatre-vingt sept": seven, not September */
    if (v[0] >= 10 && v[0] % 10 == 0 && tok_is(s, i, "sept") && !is_punct(s, i + 1, '.')) {
        *day = -1;
        return i;
    }
    /* "vingt et un", "trente et un"; "vingt deux", "dix huit"; one word ("vingt-deux",
     * "premier", "douze") */
    size_t a = i;
    if (v[0] == 1 && v[1] == 0 && (v[2] == 20 || v[2] == 30))
        a = i - 3;
    else if (v[0] >= 1 && v[0] <= 9 && (v[1] == 20 || (v[1] == 30 && v[0] == 1) || (v[1] == 10 && v[0] >= 7)))
        a = i - 2;
    else if (v[0] >= 1)
        a = i - 1;
    else
        return i;
    int d = deid_words_value(s, a, i);
    /* (a number word before it: digits said one by one, "quatre deux
     * sept", where "sept" is seven) */
    if (d < 1 || d > 31 || (a > 0 && !s->tok[a].nl && !s->lab[a - 1] && word_value(s, a - 1) >= 0))
        return i;
    *day = d;
    return a;
}

/* A day of the month in words alone in a transcript: after "le", "au",
 * "du", before its spoken punctuation or the line's end ("prochaine venue
 * le dix-huit point", "elle rentre le onze virgule"), or before a word
 * that goes on a date as after a day in digits ("prévue le dix-huit au
 * chic", "je lui ai proposé le vingt-deux à quatorze heures", "depuis le
 * cinq du mois"; not "le vingt-huit mai", read with its month, nor a
 * count, "le dix-huit mois"). Folded. */
static const char *const after_day[] = {"a",    "au",       "matin", "soir", "midi",  "ca",  "et",
                                        "ou",   "prochain", "vers",  "je",   "on",    "il",  "elle",
                                        "nous", "dans",     "pour",  "avec", "sinon", "euh", "parce",
                                        "donc", "du",       "comme", "mais", NULL};

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
    if (e < s->n && !s->tok[e].nl && !tok_is(s, e, "point") && !tok_is(s, e, "virgule") &&
        !(s->tok[e].kind == TOK_WORD && !s->tok[e].cap && deid_tok_in(s, e, after_day) &&
          !(tok_is(s, e, "du") && e + 1 < s->n && deid_number_word_tok(s, e + 1))))
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
    int tens = word_value(s, i);
    if (e + 1 < s->n && tok_is(s, e, "et") && deid_number_word_tok(s, e + 1) == 1 && !s->tok[e].nl)
        e += 2; /* "vingt et un" */
    else if (e < s->n && !s->tok[e].nl && deid_number_word_tok(s, e) == 1 && (tens == 20 || tens == 30))
        e++; /* "vingt deux" */
    int v = deid_words_value(s, i, e);
    if (v < 1 || v > 31 || (e < s->n && !s->tok[e].nl && deid_tok_in(s, e, counts)))
        return;
    mark(s, i - 1, e, AT_PHI_DATE);
}

/* A year in words alone after a word of time ("depuis deux mille
 * quinze", "en mil neuf cent quatre-vingt-dix", "l'année deux mille
 * trois"), or after a date's month; i is its "mille" or "mil". A
 * quantity ("deux mille mg") has no such word before it. */
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
    if (a == 0 || s->tok[a].nl || e - a > 8)
        return;
    /* the year of a date another pass read to its month ("le 7 février
     * deux mille vingt-quatre"): the date's end */
    const text_tok *p = &s->tok[a - 1];
    int month = (s->lab[a - 1] == AT_PHI_DATE || s->lab[a - 1] == AT_PHI_DATE_NAISSANCE) &&
                (p->dflags & DICT_MONTH) && p->kind == TOK_WORD;
    if (!month && !deid_tok_in(s, a - 1, cues))
        return;
    int v = deid_words_value(s, a, e);
    if (v < 1900 || v > 2099)
        return;
    if (!month) {
        mark(s, a, e, AT_PHI_DATE);
        return;
    }
    for (size_t q = a; q < e; q++)
        if (s->lab[q])
            return;
    for (size_t q = a; q < e; q++) {
        s->lab[q] = s->lab[a - 1];
        s->ent[q] = s->ent[a - 1];
    }
}

/* A month's middle, "mi-novembre", "Mi-mars" (one word): the whole word
 * is a date (a month alone is one where the notes write it; its middle
 * always). Found in the bytes: most texts have no "mi-". */
void deid_pass_mid_months(text_scan *s)
{
    if (!(s->seen & TEXT_SEEN_MID)) /* (no word opens with "mi-": the tokeniser's sign) */
        return;
    for (const char *p = memchr(s->t, '-', s->len); p;
         p = (size_t)(p - s->t) + 1 < s->len ? memchr(p + 1, '-', s->len - (size_t)(p - s->t) - 1) : NULL) {
        size_t b = (size_t)(p - s->t);
        if (b < 2 || (p[-1] | 0x20) != 'i' || (p[-2] | 0x20) != 'm')
            continue;
        size_t w = tok_first_at(s, b - 2);
        if (w >= s->n || s->tok[w].s != b - 2 || s->tok[w].kind != TOK_WORD || s->tok[w].e <= b + 3 ||
            s->tok[w].e - b > 16 || (s->lab[w] && s->lab[w] != AT_PHI_DATE))
            continue;
        char f[40];
        int fl = text_lexicon_fold(s->t + b + 1, s->tok[w].e - b - 1, f, sizeof f);
        if (fl <= 0 || !(text_dict_get(&s->d->dict, f, (size_t)fl, NULL) & DICT_MONTH))
            continue;
        if (!s->lab[w])
            mark(s, w, w + 1, AT_PHI_DATE);
    }
}
