/* Dates without a year in digits, after the other late passes' codes:
 * a month and a year ("03/2023"), a day and a month after a cue ("le
 * 12/9", "revu le 4/11", "le 30-09", "TDM du 28.2", "ma 22/9"), opening a
 * handover's entry ("14/6 : toilette ok"), or closing a phrase a few
 * words after an event's name ("Consultation HDJ hémato 6/10"); never a
 * course's count ("cure 3/6"), a range, a decimal or a version. Called by
 * deid_late.c on each number. */
#include "deid_scan.h"

#include <string.h>

static size_t tlen(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

static const char *const short_date_cues[] = {
    "le",           "du",        "au",          "depuis",       "des",          "jusqu'au",
    "vu",           "vue",       "revu",        "revue",        "rdv",          "prevu",
    "prevue",       "controle",  "avant",       "apres",        "entre",        "lundi",
    "mardi",        "mercredi",  "jeudi",       "vendredi",     "samedi",       "dimanche",
    "semaine",      "et",        "fait",        "lun",          "mer",          "jeu",
    "ven",          "sam",       "dim",         "mar",          "faite",        "realise",
    "realisee",     "j",         "hospitalise", "hospitalisee", "telephonique", "appel",
    "consultation", "note",      "visite",      "passage",      "nuit",         "matin",
    "soir",         "hdj",       "cure",        "seance",       "bilan",        "ce",
    "prochain",     "prochaine", NULL};

/* A weekday cut to two or three letters right before i, with or without
 * its point ("ma 22/9", "je 14/8", "mer. 2/12", "lu. 7/12"): before a
 * day and a month, "ma", "je" or "sa" is no word of a sentence. */
static int weekday_cut_before(const text_scan *s, size_t i)
{
    static const char *const cut[] = {"lu",  "ma",  "me",  "je",  "ve",  "sa",  "di", "lun",
                                      "mar", "mer", "jeu", "ven", "sam", "dim", NULL};
    if (i >= 1 && !s->tok[i].nl && deid_tok_in(s, i - 1, cut))
        return 1;
    return i >= 2 && !s->tok[i].nl && is_punct(s, i - 1, '.') && !s->tok[i - 1].nl &&
           s->tok[i - 1].s == s->tok[i - 2].e && deid_tok_in(s, i - 2, cut);
}

/* "03/2023", "3/2021": a month and a year. */
static int month_year(text_scan *s, size_t i)
{
    if (i + 2 >= s->n || tlen(s, i) > 2 || !is_punct(s, i + 1, '/') || s->tok[i + 2].kind != TOK_NUM ||
        tlen(s, i + 2) != 4 || s->tok[i + 1].s != s->tok[i].e || s->tok[i + 2].s != s->tok[i + 1].e ||
        s->lab[i + 2])
        return 0;
    /* (not inside a longer number: "12/03/2024"; a bracket may open it) */
    if ((i + 3 < s->n && s->tok[i + 3].s == s->tok[i + 2].e &&
         (s->tok[i + 3].kind != TOK_PUNCT ||
          ((is_punct(s, i + 3, '-') || is_punct(s, i + 3, '/')) && i + 4 < s->n &&
           s->tok[i + 4].s == s->tok[i + 3].e && s->tok[i + 4].kind == TOK_NUM))) ||
        (i > 0 && s->tok[i].s == s->tok[i - 1].e && s->tok[i - 1].kind != TOK_WORD &&
         !is_punct(s, i - 1, '(')))
        return 0;
    int m = atoi_n(s->t + s->tok[i].s, tlen(s, i)), y = atoi_n(s->t + s->tok[i + 2].s, 4);
    if (m < 1 || m > 12 || y < 1900 || y > 2100)
        return 0;
    return mark(s, i, i + 3, AT_PHI_DATE);
}

/* A day/month at i that closes its phrase (the line's end, a point, a
 * comma, a bracket, a wide space) a few words after the name of an event: "Consultation
 * HDJ hémato 6/10", "Cs onco-gériatrie 3/3", "bilan TEP 20/7, début",
 * "Prochain staff 9/12.", "Date : 3/12", "entretien familial (1/12)". Up
 * to three words, dashes, colons or an opening bracket between; no
 * number (not "ganglions 2/12", "cure 3/6 de FOLFOX"). */
static int event_heading(const text_scan *s, size_t i)
{
    static const char *const events[] = {"consultation", "consult", "cs",   "staff",   "rcp",
                                         "tep",          "irm",     "tdm",  "scanner", "entretien",
                                         "bilan",        "date",    "hdj",  "visite",  "prochain",
                                         "prochaine",    "rdv",     "revu", "revue",   NULL};
    size_t e = i + 3;
    if (e < s->n && !s->tok[e].nl && s->tok[e].s < s->tok[e - 1].e + 2 &&
        !(is_punct(s, e, '.') || is_punct(s, e, ',') || is_punct(s, e, ')') || is_punct(s, e, ';') ||
          (s->tok[e].kind == TOK_PUNCT && (unsigned char)s->t[s->tok[e].s] == 0xE2))) /* ("— Dr Marzin") */
        return 0;
    for (size_t q = i, words = 0; q > 0 && words < 4 && !s->tok[q].nl; q--) {
        const text_tok *p = &s->tok[q - 1];
        if (p->kind == TOK_WORD) {
            if (deid_tok_in(s, q - 1, events))
                return 1;
            words++;
        } else if (p->kind == TOK_NUM || !(is_punct(s, q - 1, ':') || is_punct(s, q - 1, '-') ||
                                           is_punct(s, q - 1, '(') || (unsigned char)s->t[p->s] == 0xE2)) {
            return 0;
        }
    }
    return 0;
}

/* "le 12/9", "revu le 4/11": day/month with one digit after a cue. */
/* A date written in a form's boxes, "14 | 08 | 1933", "25|04|1976": a
 * day, a month and a year on one line between bars; a birth date after
 * a birth's word on its line. */
static int boxed_date(text_scan *s, size_t i)
{
    if (i + 4 >= s->n || tlen(s, i) > 2 || !is_punct(s, i + 1, '|') || !is_punct(s, i + 3, '|') ||
        s->tok[i + 2].kind != TOK_NUM || s->tok[i + 4].kind != TOK_NUM || tlen(s, i + 2) > 2 ||
        tlen(s, i + 4) != 4 || s->lab[i + 2] || s->lab[i + 4])
        return 0;
    for (size_t q = i + 1; q <= i + 4; q++)
        if (s->tok[q].nl)
            return 0;
    int d = atoi_n(s->t + s->tok[i].s, tlen(s, i)), m = atoi_n(s->t + s->tok[i + 2].s, tlen(s, i + 2)),
        y = atoi_n(s->t + s->tok[i + 4].s, 4);
    if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1900 || y > 2100 ||
        (i + 5 < s->n && !s->tok[i + 5].nl && s->tok[i + 5].kind == TOK_NUM))
        return 0;
    int birth = 0;
    for (size_t b = i; b > 0 && i - b < 8 && !birth && !s->tok[b].nl; b--)
        birth = (s->tok[b - 1].dflags & DICT_BIRTH) != 0;
    return mark(s, i, i + 5, birth ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

static const char *const weekday_words[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                            "vendredi", "samedi", "dimanche", NULL};

/* A cell's edge before token i: the line's start, a tab, a separator
 * (";", "|", ","). */
static int cell_edge_before(const text_scan *s, size_t i)
{
    return i == 0 || s->tok[i].nl || s->t[s->tok[i].s - 1] == '\t' || is_punct(s, i - 1, ';') ||
           is_punct(s, i - 1, '|') || is_punct(s, i - 1, ',');
}

/* A cell's edge after token y: the text's or the line's end, a tab, a
 * separator. */
static int cell_edge_after(const text_scan *s, size_t y)
{
    if (y >= s->n)
        return 0;
    size_t e = y + 1;
    return e >= s->n || s->tok[e].nl || s->t[s->tok[y].e] == '\t' || is_punct(s, e, ';') ||
           is_punct(s, e, '|') || (is_punct(s, e, ',') && s->tok[e].s == s->tok[y].e);
}

/* Token e opens a time of day one space after the token before it,
 * "18h40", "9h", "14:05". */
static int time_at(const text_scan *s, size_t e)
{
    if (e >= s->n || s->tok[e].nl || s->tok[e].s != s->tok[e - 1].e + 1)
        return 0;
    const char *p = s->t + s->tok[e].s, *end = s->t + s->len;
    int d = 0;
    while (p < end && d < 3 && *p >= '0' && *p <= '9')
        p++, d++;
    if (d < 1 || d > 2 || p >= end || (*p != 'h' && *p != ':'))
        return 0;
    char sep = *p++;
    if (p < end && *p >= '0' && *p <= '9')
        return 1;
    return sep == 'h' && (p >= end || *p == ' ' || *p == '\n' || *p == ',');
}

/* A day's cue before token i for a month of one digit, "report au 13
 * 2", "rcp du 6 9", "staff du lundi 11 3": "le", "du", "au" or a
 * weekday, no number before the cue (not a value's change, "de 9 8 au
 * 11 3"). */
static int day_cue(const text_scan *s, size_t i)
{
    if (i < 1 || s->tok[i].nl ||
        !(tok_is(s, i - 1, "le") || tok_is(s, i - 1, "du") || tok_is(s, i - 1, "au") ||
          deid_tok_in(s, i - 1, weekday_words)))
        return 0;
    for (size_t b = i - 1; b > 0 && i - b < 4 && !s->tok[b].nl; b--)
        if (s->tok[b - 1].kind == TOK_NUM)
            return 0;
    return 1;
}

/* Token i and the numbers after it one space apart, on its line: a date
 * written without its signs, as a note typed without punctuation writes
 * it: a day, a month and a year ("coloscopie du 22 08 2025", "ddn 3 1
 * 1948"; a year of two digits after a cue only), or a day and a month of
 * two digits after a cue ("cycle 2 le 26 08", "revu le 5 10"); never
 * inside a longer run of numbers (a phone's) nor before a unit. */
static int spaced_date(text_scan *s, size_t i)
{
    /* a day "du" a month, dictated ("intervention le 14 du 10") */
    if (i > 0 && i + 2 < s->n && tok_is(s, i - 1, "le") && !s->tok[i].nl && tlen(s, i) <= 2 &&
        tok_is(s, i + 1, "du") && s->tok[i + 2].kind == TOK_NUM && tlen(s, i + 2) <= 2 && !s->tok[i + 1].nl &&
        !s->tok[i + 2].nl && (!s->lab[i + 2] || s->lab[i + 2] == AT_PHI_DATE) &&
        !(i + 3 < s->n && !s->tok[i + 3].nl && s->tok[i + 3].kind == TOK_NUM) && !deid_unit_next(s, i + 3) &&
        !(i + 3 < s->n && s->tok[i + 3].s == s->tok[i + 2].e)) {
        int dd = atoi_n(s->t + s->tok[i].s, tlen(s, i)), mm = atoi_n(s->t + s->tok[i + 2].s, tlen(s, i + 2));
        if (dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12 &&
            !(s->lab[i + 2] && i + 3 < s->n && s->ent[i + 3] == s->ent[i + 2])) {
            deid_relabel(s, i, i + 3, AT_PHI_DATE); /* (the month another pass read as a day: whole) */
            return 1;
        }
    }
    if (i + 1 >= s->n || tlen(s, i) > 2 || tlen(s, i + 1) > 2 || s->tok[i + 1].kind != TOK_NUM ||
        s->tok[i + 1].s != s->tok[i].e + 1 || s->tok[i + 1].nl || s->t[s->tok[i].e] != ' ')
        return 0;
    /* (a code the extension read in the month, or the month and the
     * year, "12 06 24", is taken back whole) */
    int coded = s->lab[i + 1] == AT_PHI_ID && i + 2 < s->n &&
                (!s->lab[i + 2] || s->ent[i + 2] == s->ent[i + 1]) &&
                (i + 3 >= s->n || s->ent[i + 3] != s->ent[i + 1] || !s->lab[i + 3]);
    if (s->lab[i + 1] && !coded)
        return 0;
    if (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_NUM && s->tok[i].s == s->tok[i - 1].e + 1)
        return 0; /* (a run of numbers: a phone's, a code's) */
    int d = atoi_n(s->t + s->tok[i].s, tlen(s, i)), m = atoi_n(s->t + s->tok[i + 1].s, tlen(s, i + 1));
    if (d < 1 || d > 31 || m < 1 || m > 12)
        return 0;
    static const char *const cues[] = {"le",   "du",   "au",    "depuis", "des",    "ddn",      "nee", "ne",
                                       "date", "revu", "revue", "prevu",  "prevue", "jusqu'au", NULL};
    int dcue = day_cue(s, i);
    int cue = (i > 0 && !s->tok[i].nl && deid_tok_in(s, i - 1, cues)) || dcue;
    size_t y = i + 2, e = i + 3;
    int year = 0;
    /* (a year of two digits also in a cell of its own, with a day and a
     * month of two digits: "leclerc;12 06 24;folfox", "28 06 24" alone
     * on its line) */
    int cell = tlen(s, i) == 2 && tlen(s, i + 1) == 2 && cell_edge_before(s, i) && cell_edge_after(s, y);
    if (y < s->n && s->tok[y].kind == TOK_NUM && !s->tok[y].nl && (!s->lab[y] || coded) &&
        s->tok[y].s == s->tok[i + 1].e + 1 && (tlen(s, y) == 4 || (tlen(s, y) == 2 && (cue || cell)))) {
        int v = atoi_n(s->t + s->tok[y].s, tlen(s, y));
        year = tlen(s, y) == 2 || (v >= 1900 && v <= 2100);
    }
    if (year) {
        /* (a number after it, or a sign glued to it: a longer run; a
         * unit: a quantity's, "12 10 2000 UI") */
        if (deid_unit_next(s, e))
            return 0;
        if (e < s->n && !s->tok[e].nl && !(cell && s->t[s->tok[y].e] == '\t') &&
            (s->tok[e].kind == TOK_NUM ||
             (s->tok[e].s == s->tok[y].e && !is_punct(s, e, ',') && !is_punct(s, e, '.') &&
              !is_punct(s, e, ')') && !is_punct(s, e, ';') && !is_punct(s, e, '|'))))
            return 0;
    } else {
        /* a day and a month: two digits of the month, after a cue, with
         * nothing of a number after them */
        e = i + 2;
        int timed = !cue && tlen(s, i + 1) == 2 && cell_edge_before(s, i) && time_at(s, e);
        if (!timed && (coded || !cue || (tlen(s, i + 1) != 2 && !dcue) ||
                       (e < s->n && !s->tok[e].nl && deid_unit_next(s, e)) ||
                       (e < s->n && !s->tok[e].nl && s->tok[e].kind == TOK_NUM) ||
                       (e < s->n && s->tok[e].s == s->tok[e - 1].e)))
            return 0;
        if (timed && !coded) /* ("13 03 18h40": a day's date, never a birth's) */
            return mark(s, i, e, AT_PHI_DATE);
    }
    if (coded) {
        deid_relabel(s, i, e, AT_PHI_DATE);
        return 1;
    }
    int birth = 0;
    for (size_t b = i; b > 0 && i - b < 6 && !birth && !s->tok[b].nl; b--)
        birth = (s->tok[b - 1].dflags & DICT_BIRTH) || tok_is(s, b - 1, "ddn");
    return mark(s, i, e, birth ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
}

/* Token i, a month of one or two digits one space after a weekday and
 * its day that another pass took ("staff du lundi 11 3"): the date's
 * end. */
static int weekday_month(text_scan *s, size_t i)
{
    if (i < 2 || s->tok[i].nl || tlen(s, i) > 2 || s->tok[i - 1].kind != TOK_NUM || tlen(s, i - 1) > 2 ||
        s->lab[i - 1] != AT_PHI_DATE || s->ent[i - 2] != s->ent[i - 1] ||
        !deid_tok_in(s, i - 2, weekday_words) || s->tok[i].s != s->tok[i - 1].e + 1 ||
        s->t[s->tok[i - 1].e] != ' ')
        return 0;
    int d = atoi_n(s->t + s->tok[i - 1].s, tlen(s, i - 1)), m = atoi_n(s->t + s->tok[i].s, tlen(s, i));
    size_t e = i + 1;
    if (d < 1 || d > 31 || m < 1 || m > 12 ||
        (e < s->n && !s->tok[e].nl &&
         (s->tok[e].kind == TOK_NUM || s->tok[e].s == s->tok[i].e || deid_unit_next(s, e))))
        return 0;
    s->lab[i] = AT_PHI_DATE;
    s->ent[i] = s->ent[i - 1];
    return 1;
}

void deid_short_date_at(text_scan *s, size_t i)
{
    if (month_year(s, i) || boxed_date(s, i) || spaced_date(s, i) || weekday_month(s, i))
        return;
    /* (with a dash or a point, "le 30-09", "TDM du 28.2", "IRM (27-10)",
     * only after a cue or an event's name: not a range nor a decimal) */
    int slash = i + 1 < s->n && is_punct(s, i + 1, '/');
    int other = i + 1 < s->n && (is_punct(s, i + 1, '-') || is_punct(s, i + 1, '.'));
    if (i + 2 >= s->n || tlen(s, i) > 2 || !(slash || other) || s->tok[i + 2].kind != TOK_NUM ||
        tlen(s, i + 2) > 2 || s->tok[i + 1].s != s->tok[i].e || s->tok[i + 2].s != s->tok[i + 1].e ||
        s->lab[i + 2])
        return;
    if (i + 3 < s->n && s->tok[i + 3].s == s->tok[i + 2].e &&
        (is_punct(s, i + 3, '/') ||
         (other && (is_punct(s, i + 3, '-') || is_punct(s, i + 3, '.')) && i + 4 < s->n &&
          s->tok[i + 4].kind == TOK_NUM && s->tok[i + 4].s == s->tok[i + 3].e)))
        return; /* (a third part: a whole date, a version) */
    if (other) {
        if (i == 0 || s->tok[i].nl || deid_unit_next(s, i + 3) ||
            (s->tok[i].s == s->tok[i - 1].e && !is_punct(s, i - 1, '(')))
            return;
        int d = atoi_n(s->t + s->tok[i].s, tlen(s, i)), m = atoi_n(s->t + s->tok[i + 2].s, tlen(s, i + 2));
        static const char *const cues[] = {"le",    "du",    "au",     "depuis", "jusqu'au", "revu",
                                           "revue", "prevu", "prevue", "fait",   "faite",    NULL};
        if (d >= 1 && d <= 31 && m >= 1 && m <= 12 &&
            (deid_tok_in(s, i - 1, cues) || (is_punct(s, i - 1, '(') && event_heading(s, i))))
            mark(s, i, i + 3, AT_PHI_DATE);
        return;
    }
    int d = atoi_n(s->t + s->tok[i].s, tlen(s, i)), m = atoi_n(s->t + s->tok[i + 2].s, tlen(s, i + 2));
    if (d < 1 || d > 31 || m < 1 || m > 12)
        return;
    int eol = i + 3 >= s->n || s->tok[i + 3].nl;
    /* a handover's entry opening its line: "14/6 : toilette ok" */
    int entry = (i == 0 || s->tok[i].nl) && i + 3 < s->n && !s->tok[i + 3].nl &&
                (is_punct(s, i + 3, ':') || is_punct(s, i + 3, '-'));
    if (i == 0 && !entry)
        return;
    if (!entry && !deid_tok_in(s, i - 1, short_date_cues) && !(i >= 2 && s->lab[i - 2] == AT_PHI_DATE) &&
        !(eol && d > m) && !event_heading(s, i) && !weekday_cut_before(s, i))
        return;
    /* "cure 3/6", "séance 4/25": a count of a course, not a day */
    static const char *const course_words[] = {"cure", "seance", "cycle", "fraction", NULL};
    if (d <= m && i > 0 && deid_tok_in(s, i - 1, course_words))
        return;
    mark(s, i, i + 3, AT_PHI_DATE);
}

/* ---- dates filled in a form's boxes --------------------------------------------------- */

/* A form's filler between a date's digits: '_', '[', ']', '|', a space. */
static int filler(char c)
{
    return c == '_' || c == '[' || c == ']' || c == '|' || c == ' ';
}

/* The date a form's boxes hold from byte b ("___19___.___02___.___2026",
 * "[ 0 7 ] [ 0 1 ] [ 2 0 2 6 ]", "[1][8] / [0][2] / [2][0][2][6]",
 * "0 7|0 3|1 9 4 1", "1954 / 09 / 19"): its end (the byte after its last
 * digit), 0 when none. The digits read without the fillers make a day, a
 * month and a year (or the year first) between '/', '.', '-' or '|', or
 * eight digits in three groups of boxes; one filler at least, on one
 * line. */
static size_t form_date_end(const char *t, size_t len, size_t b)
{
    int grp[4] = {0}, val[4] = {0}, g = 0, fill = 0, boxes = 0;
    size_t p = b, last = 0;
    while (p < len && p - b < 64 && g < 4) {
        char c = t[p];
        if (c >= '0' && c <= '9') {
            if (grp[g] == (g ? 4 : 8)) /* (eight boxes without a separator) */
                return 0;
            val[g] = val[g] * 10 + (c - '0');
            grp[g]++;
            last = p + 1;
        } else if (filler(c)) {
            fill++;
            boxes += c == '[' || c == ']';
        } else if ((c == '/' || c == '.' || c == '-') && grp[g]) {
            g++;
        } else {
            break;
        }
        if (c == '|' && grp[g]) /* ('|' between a day's boxes and a month's) */
            g++;
        p++;
    }
    int n = g + (g < 4 && grp[g] ? 1 : 0);
    if (!fill || !last)
        return 0;
    int d, m, y;
    if (n == 3 && grp[0] == 4) {
        y = val[0], m = val[1], d = val[2];
    } else if (n == 3 && grp[2] == 4) {
        d = val[0], m = val[1], y = val[2];
    } else if (n == 1 && grp[0] == 8 && boxes >= 3) {
        d = val[0] / 1000000, m = val[0] / 10000 % 100, y = val[0] % 10000;
    } else {
        return 0;
    }
    if (d < 1 || d > 31 || m < 1 || m > 12 || y < 1900 || y > 2100)
        return 0;
    return last;
}

void deid_pass_form_dates(text_scan *s)
{
    const char *t = s->t;
    /* (most texts have no filler: they leave here) */
    if (!(s->seen & (TEXT_SEEN_BAR | TEXT_SEEN_FILLER)))
        return;
    for (size_t p = 0; p + 1 < s->len; p++) {
        /* a digit right after a filler, or with one right after it */
        if (!(t[p] >= '0' && t[p] <= '9'))
            continue;
        if (!((p > 0 && (t[p - 1] == '_' || t[p - 1] == '[' || t[p - 1] == '|')) ||
              (p > 1 && t[p - 1] == ' ' && (t[p - 2] == '[' || t[p - 2] == '_')) || t[p + 1] == '_' ||
              t[p + 1] == ']' || t[p + 1] == '|'))
            continue;
        if (p > 0 && t[p - 1] >= '0' && t[p - 1] <= '9')
            continue;
        size_t e = form_date_end(t, s->len, p);
        if (!e) {
            while (p + 1 < s->len && t[p + 1] >= '0' && t[p + 1] <= '9')
                p++;
            continue;
        }
        size_t a = tok_first_at(s, p), z = a;
        if (a > 0 && s->tok[a - 1].e > p)
            a--; /* (the token that holds the digit) */
        while (z < s->n && s->tok[z].s < e)
            z++;
        if (a < z) {
            int birth = 0;
            for (size_t q = a; q > 0 && a - q < 8 && !birth && !s->tok[q].nl; q--)
                birth = (s->tok[q - 1].dflags & DICT_BIRTH) != 0;
            mark(s, a, z, birth ? AT_PHI_DATE_NAISSANCE : AT_PHI_DATE);
        }
        p = e;
    }
}
