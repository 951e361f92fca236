/* Public references that look like record numbers: the number of an
 * article of a code ("article L1111-4 du CSP", "art. R. 4624-29 du Code du
 * travail"), of a law, decree or regulation ("règlement (UE) n° 536/2014",
 * "décret n° 2016-1537"), of an official form ("cerfa n° 11574*04") and an
 * object identifier of a public scheme ("1.2.250.1.213.1.4.8"), and the
 * date of a legal text ("l'arrêté du 13 décembre 2017") or a product's
 * expiry ("péremption 08/2028"), a medicine's CIP13 code and a study's
 * ID-RCB number. They name
 * texts and forms, no one: a record-number label the earlier passes put
 * on one is taken back, whole entity by whole entity, at the end of
 * detection. Only ID and DATE entities are looked at (IPP, NDA and the
 * others come from a label that says whose number it is). */
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
    if (low(t[a]) != lit[0]) /* (a token has a byte: the first first) */
        return 0;
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

/* A French medicine's or product's CIP13 / ACL code: thirteen digits
 * from "340", with its EAN-13 check digit ("3400930137900"), or from
 * "3400" whatever its check digit (a medicine's prefix: no record or
 * person's number of the notes is written so; a code copied with a
 * typo is a medicine's still). */
static int cip13_shape(const char *t, size_t b, size_t e)
{
    if (e - b != 13 || memcmp(t + b, "340", 3))
        return 0;
    if (t[b + 3] == '0') {
        for (size_t p = b + 4; p < e; p++)
            if (!dig(t[p]))
                return 0;
        return 1;
    }
    int sum = 0;
    for (size_t p = b; p < e; p++) {
        if (!dig(t[p]))
            return 0;
        if (p + 1 < e)
            sum += (t[p] - '0') * (((p - b) % 2) ? 3 : 1);
    }
    return (10 - sum % 10) % 10 == t[e - 1] - '0';
}

/* A research's registration number in France, ID-RCB
 * ("2026-A00981-52"): a year, 'A' and five digits, two digits. */
static int idrcb_shape(const char *t, size_t b, size_t e)
{
    if (e - b != 14 || t[b + 4] != '-' || (t[b + 5] != 'A' && t[b + 5] != 'a') || t[b + 11] != '-')
        return 0;
    for (size_t p = b; p < e; p++)
        if (p != b + 4 && p != b + 5 && p != b + 11 && !dig(t[p]))
            return 0;
    return 1;
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

/* Token du ("du") dates a legal text: "L'arrêté du", "le décret du",
 * "Loi du" (the law word right before, capitalised or after an article:
 * "arrêté du" alone is a treatment stopped), or a text's number before it
 * ("loi n° 2022-46 du", "décret 2016-1537 du"). */
static int law_dated(const text_scan *s, size_t du, const char *const *laws)
{
    static const char *const articles[] = {"l'",    "le", "la", "un",    "une", "cet",
                                           "cette", "au", "du", "selon", NULL};
    size_t w = du - 1;
    if (word_in(s, w, laws) && !s->tok[du].nl) {
        /* a law, a decree, a directive is one whatever stands before it;
         * "arrêté" (also a treatment stopped) needs a capital, an article,
         * or to open its clause ("(arrêté du ...", "; arrêté du ...");
         * "ordonnance" without its number is a prescription's or a
         * judge's, the patient's own date ("Ordonnance du 24 novembre
         * 2026"): only "ordonnance n° 2020-1407 du ..." is a text (below) */
        if (tok_is(s, w, "ordonnance"))
            return 0;
        if (!(tok_is(s, w, "arr\xC3\xAAt\xC3\xA9") || tok_is(s, w, "arrete")))
            return 1;
        return s->tok[w].cap || (w > 0 && !s->tok[w].nl && word_in(s, w - 1, articles)) ||
               (w > 0 && !s->tok[w].nl && s->tok[w - 1].kind == TOK_WORD && s->tok[w - 1].e == s->tok[w].s) ||
               w == 0 || s->tok[w].nl || is_punct(s, w - 1, '(') || is_punct(s, w - 1, ';');
    }
    /* a law named after its authors ("loi Claeys-Leonetti du 2 février
     * 2016", "loi Kouchner du ..."): capitalised words and dashes after
     * "loi" */
    if (s->tok[w].kind == TOK_WORD && s->tok[w].cap) {
        size_t b = w;
        while (b > 0 && w - b < 4 && !s->tok[b].nl && !tok_is(s, b - 1, "loi") &&
               ((s->tok[b - 1].kind == TOK_WORD && s->tok[b - 1].cap) || is_punct(s, b - 1, '-')))
            b--;
        return b > 0 && !s->tok[b].nl && tok_is(s, b - 1, "loi");
    }
    /* the number: digits, '/' or '-' right before "du" */
    if (s->tok[w].kind != TOK_NUM)
        return 0;
    size_t b = w;
    while (b > 0 && !s->tok[b].nl && s->tok[b - 1].e == s->tok[b].s &&
           (s->tok[b - 1].kind == TOK_NUM || is_punct(s, b - 1, '/') || is_punct(s, b - 1, '-')))
        b--;
    return law_shape(s->t, s->tok[b].s, s->tok[w].e) && text_word_before(s, b, laws);
}

/* Date entity [i, j) is a product's expiry, a month and a year
 * ("péremption 08/2028", "EXP 2027-06", "DLU : 05/2029"): no one's date. */
static int expiry_at(const text_scan *s, size_t i, size_t j)
{
    static const char *const expiry[] = {"peremption", "péremption", "perime", "périmé", "exp",
                                         "expiration", "expire",     "expiry", "dlu",    "dluo",
                                         "use",        "utiliser",   NULL};
    size_t nums = 0, year = 0;
    for (size_t q = i; q < j; q++)
        if (s->tok[q].kind == TOK_NUM) {
            nums++;
            year += s->tok[q].e - s->tok[q].s == 4;
        } else if (s->tok[q].kind == TOK_WORD) {
            return 0;
        }
    if (nums != 2 || year != 1)
        return 0;
    return text_word_before(s, i, expiry);
}

int deid_emergency_call(const text_scan *s, size_t i)
{
    static const char *const numbers[] = {"15", "17", "18", "112", "114", "115", NULL};
    static const char *const calling[] = {
        "appel",     "appels",  "appeler",  "appelez",    "appelle",    "appelles", "appelé",   "appelée",
        "appele",    "appelee", "composer", "composez",   "faire",      "faites",   "fait",     "contacter",
        "contactez", "joindre", "rappeler", "téléphoner", "telephoner", "prévenir", "prevenir", NULL};
    if (i < 2 || i >= s->n || s->tok[i].kind != TOK_NUM || s->tok[i].nl || s->tok[i - 1].nl)
        return 0;
    int known = 0;
    for (const char *const *n = numbers; *n && !known; n++)
        known = bytes_are(s->t, s->tok[i].s, s->tok[i].e, *n);
    if (!known || !(tok_is(s, i - 1, "le") || tok_is(s, i - 1, "au")))
        return 0;
    /* "ou le 15" after a phone number */
    return word_in(s, i - 2, calling) || (tok_is(s, i - 2, "ou") && i >= 3 && s->lab[i - 3] == AT_PHI_TEL);
}

/* Town entity [i, j) is NICE, the classification of colonic polyps, in
 * capitals before its type ("NICE 2", "NICE 1"). */
static int nice_class(const text_scan *s, size_t i, size_t j)
{
    return j == i + 1 && s->tok[i].allcaps && tok_is(s, i, "nice") && j < s->n && !s->tok[j].nl &&
           s->tok[j].kind == TOK_NUM && s->tok[j].e - s->tok[j].s == 1 && s->t[s->tok[j].s] >= '1' &&
           s->t[s->tok[j].s] <= '3';
}

void deid_pass_public_refs(text_scan *s)
{
    static const char *const article[] = {"article", "articles", "art", NULL};
    static const char *const laws[] = {"règlement",  "reglement",  "directive",  "décret",
                                       "decret",     "arrêté",     "arrete",     "loi",
                                       "ordonnance", "circulaire", "regulation", NULL};
    for (size_t i = 0; i < s->n;) {
        /* (the next ID, date or town) */
        i = deid_next_label_of(s, i, AT_PHI_ID, AT_PHI_DATE, AT_PHI_DATE_NAISSANCE, AT_PHI_VILLE);
        if (i >= s->n)
            break;
        if (s->lab[i] != AT_PHI_ID && s->lab[i] != AT_PHI_DATE && s->lab[i] != AT_PHI_DATE_NAISSANCE &&
            s->lab[i] != AT_PHI_VILLE) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < s->n && s->lab[j] && s->ent[j] == s->ent[i])
            j++;
        if (s->lab[i] != AT_PHI_ID && s->lab[i] != AT_PHI_DATE) {
            if ((j == i + 1 && deid_emergency_call(s, i)) ||
                (s->lab[i] == AT_PHI_VILLE && nice_class(s, i, j)))
                for (size_t q = i; q < j; q++)
                    s->lab[q] = 0;
            i = j;
            continue;
        }
        if (j == i + 1 && deid_emergency_call(s, i)) {
            s->lab[i] = 0;
            i = j;
            continue;
        }
        if (s->lab[i] == AT_PHI_DATE) {
            /* a text's date ("arrêté du 13 décembre 2017", "loi n° 2022-46
             * du 22 janvier 2022"): the law word within six tokens
             * before "du", on the line */
            if ((i >= 2 && tok_is(s, i - 1, "du") && !s->tok[i].nl && law_dated(s, i - 1, laws)) ||
                expiry_at(s, i, j))
                for (size_t q = i; q < j; q++)
                    s->lab[q] = 0;
            i = j;
            continue;
        }
        size_t b = s->tok[i].s, e = s->tok[j - 1].e;
        /* the article's letter may be a token of its own before ("R. 4624-29") */
        size_t lb = b;
        if (i >= 2 && is_punct(s, i - 1, '.') && s->tok[i - 2].e - s->tok[i - 2].s == 1)
            lb = s->tok[i - 2].s;
        else if (i >= 1 && s->tok[i - 1].e - s->tok[i - 1].s == 1 && s->tok[i - 1].kind == TOK_WORD)
            lb = s->tok[i - 1].s;
        /* (an ID-RCB's year may stand glued before the entity: "2026-" "A00981-52") */
        size_t yb = b;
        if (i >= 2 && is_punct(s, i - 1, '-') && s->tok[i - 1].e == b && s->tok[i - 2].e == s->tok[i - 1].s &&
            s->tok[i - 2].kind == TOK_NUM)
            yb = s->tok[i - 2].s;
        /* (an identifier's last glued run: words the extension joined
         * before it, "de l'annuaire 1.2.250.1.71.4.2.1") */
        size_t g = j - 1;
        while (g > i && s->tok[g].s == s->tok[g - 1].e)
            g--;
        int safe = cerfa_at(s->t, s->len, b, e) || oid_shape(s->t, b, e) || oid_shape(s->t, s->tok[g].s, e) ||
                   cip13_shape(s->t, b, e) || idrcb_shape(s->t, yb, e);
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
