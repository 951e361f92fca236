/* Codes that name no one, read before a glued code is taken for a
 * record's number (deid_late.c's pass_code): a protein change over a span
 * of residues or with the amino acids' three letters, a count per unit.
 * Written for issue #12's round 25. */
#include "deid_scan.h"

#include <string.h>

/* An amino acid's letter and its position ("E746", "G776"): the end, or
 * NULL. */
static const char *residue(const char *t, const char *end)
{
    if (t >= end || !strchr("ACDEFGHIKLMNPQRSTVWY", *t) || !*t)
        return NULL;
    const char *d = ++t;
    while (t < end && t - d < 5 && *t >= '0' && *t <= '9')
        t++;
    return t > d && t - d <= 4 && *d != '0' ? t : NULL;
}

/* Tokens [i, r) spell a protein change over a span of residues, a
 * variant's name and no one's: "E746_A750del", "A775_G776insYVMA". */
static int protein_span(const text_scan *s, size_t i, size_t r)
{
    const char *t = s->t + s->tok[i].s, *end = s->t + s->tok[r - 1].e;
    if (!(t = residue(t, end)) || t >= end || *t++ != '_' || !(t = residue(t, end)) || end - t < 3)
        return 0;
    if (memcmp(t, "del", 3) && memcmp(t, "ins", 3) && memcmp(t, "dup", 3))
        return 0;
    for (t += 3; t < end; t++)
        if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9')))
            return 0;
    return 1;
}

/* Tokens [i, r) are a protein change written with the amino acids'
 * three letters, whatever comes before it: "Gln1756ProfsTer74",
 * "Arg273His", "Val600Glu". */
static int protein3(const text_scan *s, size_t i, size_t r)
{
    static const char acids[] = "AlaArgAsnAspCysGlnGluGlyHisIleLeuLysMetPheProSerThrTrpTyrValTer";
    const char *t = s->t + s->tok[i].s, *end = s->t + s->tok[r - 1].e;
    if (end - t < 5)
        return 0;
    int known = 0;
    for (size_t a = 0; a + 3 <= sizeof acids - 1 && !known; a += 3)
        known = !memcmp(t, acids + a, 3);
    if (!known)
        return 0;
    const char *d = t + 3;
    while (d < end && *d >= '0' && *d <= '9')
        d++;
    if (d == t + 3 || d - (t + 3) > 5 || d >= end)
        return 0;
    for (; d < end; d++)
        if (!((*d >= 'A' && *d <= 'Z') || (*d >= 'a' && *d <= 'z') || (*d >= '0' && *d <= '9') || *d == '*' ||
              *d == '_'))
            return 0;
    return 1;
}

/* Tokens [i, r) are a count per unit: "1000/mm3", "150/µL", "2/h". */
static int per_unit(const text_scan *s, size_t i, size_t r)
{
    static const char *const units[] = {"mm", "m", "cm", "l", "ml",  "dl", "\xC2\xB5l", "ul",
                                        "kg", "g", "h",  "j", "min", "s",  NULL};
    if (r != i + 3 || s->tok[i].kind != TOK_NUM || !is_punct(s, i + 1, '/') || s->tok[i + 2].kind != TOK_WORD)
        return 0;
    char f[16];
    size_t n = s->tok[i + 2].e - s->tok[i + 2].s;
    int fl = n < 12 ? text_lexicon_fold(s->t + s->tok[i + 2].s, n, f, sizeof f) : -1;
    if (fl > 1 && (f[fl - 1] == '2' || f[fl - 1] == '3'))
        fl--;
    for (const char *const *u = units; fl > 0 && *u; u++)
        if (strlen(*u) == (size_t)fl && !memcmp(*u, f, (size_t)fl))
            return 1;
    return 0;
}

/* Tokens [i, r) are a variant's protein change or a count per unit. */
int deid_variant_or_count(const text_scan *s, size_t i, size_t r)
{
    return protein_span(s, i, r) || protein3(s, i, r) || per_unit(s, i, r);
}
