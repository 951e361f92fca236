/* Public references that look like record numbers: the number of an
 * article of a code ("article L1111-4 du CSP", "art. R. 4624-29 du Code du
 * travail"), of a law, decree or regulation ("règlement (UE) n° 536/2014",
 * "décret n° 2016-1537"), of an official form ("cerfa n° 11574*04") and an
 * object identifier of a public scheme ("1.2.250.1.213.1.4.8"). They name
 * texts and forms, no one: a record-number label the earlier passes put
 * on one is taken back, whole entity by whole entity, at the end of
 * detection. Only ID entities are looked at (IPP, NDA and the others come
 * from a label that says whose number it is). */
#include "deid_scan.h"

#include <string.h>

static int dig(char c)
{
    return c >= '0' && c <= '9';
}

static char low(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The bytes of t[a, b) are lit, in any case. */
static int bytes_are(const char *t, size_t a, size_t b, const char *lit)
{
    size_t n = strlen(lit);
    if (b - a != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (low(t[a + k]) != lit[k])
            return 0;
    return 1;
}

/* Word token q is one of set (NULL-ended, lower case, ASCII). */
static int word_in(const text_scan *s, size_t q, const char *const *set)
{
    if (q >= s->n || s->tok[q].kind != TOK_WORD)
        return 0;
    for (; *set; set++)
        if (bytes_are(s->t, s->tok[q].s, s->tok[q].e, *set))
            return 1;
    return 0;
}

/* A word naming a legal text or an article within the five tokens before
 * token i on its line ("article", "art.", "règlement (UE) n°"). */
static int text_word_before(const text_scan *s, size_t i, const char *const *set)
{
    for (size_t q = i, hop = 0; q > 0 && hop < 6 && !s->tok[q].nl; q--, hop++)
        if (word_in(s, q - 1, set))
            return 1;
    return 0;
}

/* "du CSP", "du Code de la santé publique", "of the Code": a code named
 * within the three tokens after token j - 1 on its line. */
static int code_after(const text_scan *s, size_t j)
{
    static const char *const codes[] = {"csp", "css", "casf", "cpp", "cp", "cgi", "ct", "code", NULL};
    for (size_t q = j, hop = 0; q < s->n && hop < 3 && !s->tok[q].nl; q++, hop++)
        if (word_in(s, q, codes))
            return 1;
    return 0;
}

/* An article's number: a letter L, R, D or A (with a dot, a space or
 * neither), three to five digits, then one to three groups of up to three
 * digits after dashes ("L1111-4", "R. 4624-29", "D.6124-1-2"). b..e holds
 * the entity; the letter may stand just before it. */
static int article_shape(const char *t, size_t len, size_t b, size_t e)
{
    size_t p = b;
    if (p < e && (t[p] == 'L' || t[p] == 'R' || t[p] == 'D' || t[p] == 'A') && p + 1 < e && !dig(t[p]) &&
        (dig(t[p + 1]) || t[p + 1] == '.' || t[p + 1] == ' ')) {
        p++;
        if (p < e && t[p] == '.')
            p++;
        if (p < e && t[p] == ' ')
            p++;
    }
    size_t d = 0;
    while (p < e && dig(t[p]))
        p++, d++;
    if (d < 3 || d > 5)
        return 0;
    int groups = 0;
    while (p < e && t[p] == '-') {
        size_t g = 0;
        p++;
        while (p < e && dig(t[p]))
            p++, g++;
        if (g < 1 || g > 3)
            return 0;
        groups++;
    }
    (void)len;
    return p == e && groups >= 1 && groups <= 3;
}

/* A cerfa number: five digits, '*', two digits (the OCR's O for zero
 * too), the entity inside it. */
static int cerfa_at(const char *t, size_t len, size_t b, size_t e)
{
    size_t a = b;
    while (a > 0 && b - a < 6 && (dig(t[a - 1]) || t[a - 1] == '*'))
        a--;
    for (size_t p = a; p + 8 <= len && p <= e; p++) {
        if (p > 0 && dig(t[p - 1]))
            continue;
        size_t q = p;
        while (q < len && q - p < 6 && dig(t[q]))
            q++;
        if (q - p != 5 || q >= len || t[q] != '*' || q + 3 > len)
            continue;
        int ok = 1;
        for (size_t k = q + 1; k < q + 3; k++)
            ok &= dig(t[k]) || t[k] == 'O' || t[k] == 'o';
        if (ok && (q + 3 == len || !dig(t[q + 3])) && p <= b && e <= q + 3)
            return 1;
    }
    return 0;
}

/* An object identifier of a scheme: five to sixteen dotted arcs of at
 * most six digits, the first 0, 1 or 2 (a DICOM instance's UID has arcs
 * of ten digits and more; a date or an address of four arcs is not one). */
static int oid_shape(const char *t, size_t b, size_t e)
{
    if (b >= e || t[b] < '0' || t[b] > '2')
        return 0;
    size_t arcs = 0, run = 0;
    for (size_t p = b; p < e; p++) {
        if (dig(t[p])) {
            if (++run > 6)
                return 0;
        } else if (t[p] == '.' && run > 0) {
            arcs++;
            run = 0;
        } else {
            return 0;
        }
    }
    if (run == 0)
        return 0;
    arcs++;
    return arcs >= 5 && arcs <= 16;
}

/* A law's, decree's or regulation's number: digits with '/' or '-' and
 * digits ("536/2014", "2016-1537", "2001/20/CE"). */
static int law_shape(const char *t, size_t b, size_t e)
{
    size_t d = 0, sep = 0;
    for (size_t p = b; p < e; p++) {
        if (dig(t[p]))
            d++;
        else if (t[p] == '/' || t[p] == '-')
            sep++;
        else if (!(t[p] >= 'A' && t[p] <= 'Z'))
            return 0;
    }
    return d >= 3 && sep >= 1 && dig(t[b]);
}

void deid_pass_public_refs(text_scan *s)
{
    static const char *const article[] = {"article", "articles", "art", NULL};
    static const char *const laws[] = {"règlement",  "reglement",  "directive",  "décret",
                                       "decret",     "arrêté",     "arrete",     "loi",
                                       "ordonnance", "circulaire", "regulation", NULL};
    for (size_t i = 0; i < s->n;) {
        if (i + 8 <= s->n) {
            /* eight labels at a time while none of them is AT_PHI_ID */
            const uint64_t ones = 0x0101010101010101ull;
            uint64_t w;
            memcpy(&w, s->lab + i, 8);
            w ^= (uint64_t)AT_PHI_ID * ones;
            if (!((w - ones) & ~w & 0x80 * ones)) {
                i += 8;
                continue;
            }
        }
        if (s->lab[i] != AT_PHI_ID) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < s->n && s->lab[j] && s->ent[j] == s->ent[i])
            j++;
        size_t b = s->tok[i].s, e = s->tok[j - 1].e;
        /* the article's letter may be a token of its own before ("R. 4624-29") */
        size_t lb = b;
        if (i >= 2 && is_punct(s, i - 1, '.') && s->tok[i - 2].e - s->tok[i - 2].s == 1)
            lb = s->tok[i - 2].s;
        else if (i >= 1 && s->tok[i - 1].e - s->tok[i - 1].s == 1 && s->tok[i - 1].kind == TOK_WORD)
            lb = s->tok[i - 1].s;
        int safe = cerfa_at(s->t, s->len, b, e) || oid_shape(s->t, b, e);
        if (!safe && (article_shape(s->t, s->len, b, e) || (lb != b && article_shape(s->t, s->len, lb, e))))
            safe = text_word_before(s, i, article) || code_after(s, j);
        if (!safe && law_shape(s->t, b, e))
            safe = text_word_before(s, i, laws);
        if (safe)
            for (size_t q = i; q < j; q++)
                s->lab[q] = 0;
        i = j;
    }
}
