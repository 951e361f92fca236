/* Numbers dictated in words: a speech-recognition transcript writes a
 * phone, a social security or RPPS number as its spoken groups ("zéro six
 * quarante-quatre vingt-trois douze zéro huit", "un zéro zéro un quatre
 * cinq sept ..."), with a spoken letter or a digit among them ("D R sept
 * quatre quatre un deux"). No quantity is said in six number words in a
 * row with nothing between them ("vingt six gray en cinq fractions" has
 * two, a date in words has its month): such a run is an identifier,
 * labelled by the cue before it on its line (téléphone, sécurité
 * sociale, RPPS, IPP ...), else ID. Dates in words are deid_extra.c's and
 * run before this. */
#include "deid_scan.h"

#include <string.h>

/* (number_word_tok once its first part may be a number word: folded) */
static int number_word_folded(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    unsigned c = (unsigned char)s->t[k->s] | 0x20;
    /* the first letters of the number words (zéro, un, deux, ... mille, et) */
    if (!strchr("zudtqcshnovme", (int)c) || c == 0)
        return 0;
    char f[32];
    int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f);
    if (fl <= 0)
        return 0;
    if (fl == 2 && f[0] == 'e' && f[1] == 't')
        return 2;
    for (int a = 0; a < fl;) {
        int b = a;
        while (b < fl && f[b] != '-')
            b++;
        /* ("et" inside: "soixante-et-onze", "vingt-et-un") */
        int inner_et = b == a + 2 && f[a] == 'e' && f[a + 1] == 't' && a > 0 && b < fl;
        if (b == a || (!inner_et && text_number_word(f + a, (size_t)(b - a)) < 0))
            return 0;
        a = b + 1;
    }
    return 1;
}

/* Every dash-separated part of word token i is a number word ("vingt",
 * "quarante-quatre", "zéro", "et"): 1 for a number word, 2 for "et"
 * alone, 0 otherwise. (A function of the token's bytes: the tokeniser
 * asks it of every word, deid_number_word_bytes, and notes the answer in
 * the token's TOK_AUX_NUMBER_* bits, which number_word_tok reads.) */
static inline int number_word_bytes(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n < 2 || n > 24)
        return 0;
    /* (the key of its first two bytes, when ASCII: most words leave here) */
    if (k->key != TOK_KEY_ANY && !text_number_word_keys[k->key & 1023])
        return 0;
    /* ASCII bytes fold to their lower case, one letter each: two first
     * bytes that open no number word rule the word out (most words leave
     * here), then the length of an ASCII first part */
    const unsigned char *w = (const unsigned char *)s->t + k->s;
    unsigned c = w[0] | 0x20u;
    if ((w[0] | w[1]) < 0x80 && !text_number_word_lengths_of(c, w[1] | 0x20u))
        return 0;
    size_t p = 0;
    unsigned any = 0;
    while (p < n && w[p] != '-')
        any |= w[p++];
    if (any < 0x80 && !text_number_word_may(c, p > 1 ? w[1] | 0x20u : 0, p))
        return 0;
    return number_word_folded(s, i);
}

int deid_number_word_bytes(const text_scan *s, size_t i)
{
    return number_word_bytes(s, i);
}

/* number_word_bytes' answer, as the tokeniser noted it (0 for a token
 * that is no word). */
static inline int number_word_tok(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD)
        return 0;
    return k->aux & TOK_AUX_NUMBER_WORD ? 1 : k->aux & TOK_AUX_NUMBER_ET ? 2 : 0;
}

int deid_number_word_tok(const text_scan *s, size_t i)
{
    return number_word_tok(s, i);
}

/* Token i may stand in a dictated number beside number words: a digit or
 * two, or a spoken letter (one capital); in a transcript also a letter in
 * lower case but "a" and "y" (words of the language: "numéro z vingt-six
 * quatre", "deux six g un deux") and the joints said in words ("barre",
 * "tiret", "moins"), never at a run's ends. */
static int number_filler_tok(const text_scan *s, size_t i, int dictated)
{
    static const char *const joints[] = {"barre", "tiret", "moins", "slash", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind == TOK_NUM)
        return n <= 2;
    if (k->kind != TOK_WORD)
        return 0;
    if (n == 1)
        return k->cap || (dictated && s->t[k->s] != 'a' && s->t[k->s] != 'y');
    return dictated && n == 5 && tok_ascii_in(s, i, joints) ? 2 : 0; /* (each joint has five letters) */
}

/* The label a cue before token a on its line gives (up to eight tokens
 * back): a record label's (IPP, NDA, RPPS, NIR), a phone's, else ID. */
static int dictated_label(const text_scan *s, size_t a)
{
    static const char *const phone[] = {"telephone", "tel",  "portable", "mobile", "joindre", "joignable",
                                        "rappeler",  "fixe", "poste",    "fax",    NULL};
    static const char *const secu[] = {"securite", "secu", "nir", "ins", NULL};
    for (size_t q = a, hop = 0; q > 0 && hop < 8 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if (p->kind != TOK_WORD)
            continue;
        if ((p->dflags & DICT_IDLABEL) && p->dval > 0)
            return p->dval;
        if (deid_tok_in(s, q - 1, phone))
            return AT_PHI_TEL;
        if (deid_tok_in(s, q - 1, secu))
            return AT_PHI_SECU;
        if (tok_is(s, q - 1, "adherent") || tok_is(s, q - 1, "adh\xC3\xA9rent"))
            return AT_PHI_COMPTE;
    }
    return AT_PHI_ID;
}

int deid_dictated_chunk(const text_scan *s)
{
    if (s->words < 12)
        return 0;
    if (s->cap_words * 10 <= s->words) /* (the tokeniser's counts) */
        return 1;
    if (s->cap_words * 10 > s->words * 3)
        return 0;
    /* speech recognition that writes names with capitals: its punctuation
     * said in words, "virgule" twice ("domiciliée à Porspoder virgule") */
    for (size_t i = 0, said = 0; i < s->n; i++)
        if (s->t[s->tok[i].s] == 'v' && s->tok[i].e - s->tok[i].s == 7 && tok_is(s, i, "virgule") &&
            ++said == 2)
            return 1;
    return 0;
}

/* The value of the number words [a, e) (an "et" between them), -1 when
 * they make none. */
int deid_words_value(const text_scan *s, size_t a, size_t e)
{
    const char *w[8];
    size_t l[8];
    char b[8][64];
    size_t c = 0;
    for (size_t q = a; q < e; q++) {
        if (c == 8)
            return -1;
        int fl = text_lexicon_fold(s->t + s->tok[q].s, s->tok[q].e - s->tok[q].s, b[c], sizeof b[c]);
        if (fl <= 0)
            return -1;
        w[c] = b[c];
        l[c] = (size_t)fl;
        c++;
    }
    int v;
    return c && text_number_words_value(w, l, c, &v) ? v : -1;
}

/* Words that end a dictated place's name. */
static const char *const place_stops[] = {"point",  "virgule", "a",         "et",       "pour", "avec",
                                          "depuis", "tel",     "telephone", "portable", "il",   "elle",
                                          "qui",    "fin",     "ligne",     NULL};

/* The end of a dictated place's words from i (lower case, up to max, no
 * number word, no stop). */
static size_t dictated_words(const text_scan *s, size_t i, size_t max)
{
    size_t e = i;
    while (e < s->n && e - i < max && !s->tok[e].nl && !s->lab[e] && s->tok[e].kind == TOK_WORD &&
           !s->tok[e].cap && !s->tok[e].allcaps && !number_word_tok(s, e) &&
           !deid_tok_in(s, e, place_stops) && !tok_has_digit(s, e))
        e++;
    return e;
}

/* A postcode said in two groups, its département then its hundreds
 * ("soixante-huit sept cents": 68700, "soixante-sept cinq cent dix":
 * 67510), or digit by digit ("six huit deux quatre zéro"): its value,
 * -1 when [a, e) says none so. */
static int spoken_postcode(const text_scan *s, size_t a, size_t e)
{
    if (e - a == 5) {
        int v = 0;
        for (size_t q = a; q < e; q++) {
            int d = deid_words_value(s, q, q + 1);
            if (d < 0 || d > 9)
                return -1;
            v = v * 10 + d;
        }
        return v;
    }
    for (size_t k = a + 1; k + 2 <= e; k++) {
        if (!tok_is(s, k + 1, "cent") && !tok_is(s, k + 1, "cents"))
            continue;
        int d = deid_words_value(s, a, k), h = deid_words_value(s, k, k + 1), r = deid_words_value(s, k, e);
        if (d >= 1 && d <= 98 && h >= 1 && h <= 9 && r >= 100 && r <= 999)
            return d * 1000 + r;
    }
    return -1;
}

/* An address dictated in words: a house number in words and a street
 * ("quarante-quatre boulevard gambetta", "deux rue de la gare"), then a
 * postcode in words and its town ("zéro six mille nice", "quarante-neuf
 * mille trois cents cholet"). The street's words run to a number word or
 * a word that ends the phrase; a postcode needs "mille" (or its two
 * groups, or its five digits said one by one), a value of a French
 * postcode and an address, "code postal" or its town before it. */
static void dictated_address(text_scan *s, size_t i)
{
    if (s->lab[i] || number_word_tok(s, i) != 1 || (i > 0 && !s->tok[i].nl && number_word_tok(s, i - 1)))
        return;
    size_t e = i;
    while (e < s->n && e - i < 8 && !s->tok[e].nl && !s->lab[e] && number_word_tok(s, e))
        e++;
    while (e > i && number_word_tok(s, e - 1) == 2)
        e--;
    size_t j = e;
    if (j < s->n && (tok_is(s, j, "bis") || tok_is(s, j, "ter")))
        j++;
    /* ("un passage", "une place": an article, not a number) */
    int article = e == i + 1 && (tok_is(s, i, "un") || tok_is(s, i, "une"));
    if (!article && j < s->n && !s->tok[j].nl && (s->tok[j].dflags & DICT_STREET) &&
        (!s->lab[j] || s->lab[j] == AT_PHI_ADRESSE)) {
        /* the house number: the longest run before the street that makes
         * one ("appartement douze quarante-quatre boulevard ..."); a street
         * found already gets its number */
        size_t r = s->lab[j] ? j : dictated_words(s, j + 1, 8);
        for (size_t k = i; k < e && r > j && e - k <= 4; k++) {
            int h = deid_words_value(s, k, e);
            if (h >= 1 && h <= 999) {
                mark(s, k, r, AT_PHI_ADRESSE);
                return;
            }
        }
        if (s->lab[j]) {
            size_t k = e - 1; /* (no run before it makes a number) */
            int h = deid_words_value(s, k, e);
            if (h >= 1 && h <= 999)
                mark(s, k, j, AT_PHI_ADRESSE);
            return;
        }
    }
    int v = deid_words_value(s, i, e);
    /* a postcode after an address or "code postal" */
    int contains_mille = 0;
    for (size_t q = i; q < e; q++)
        contains_mille |= tok_is(s, q, "mille");
    int spoken = 0;
    if (!contains_mille || v < 1000 || v > 98999) {
        v = spoken_postcode(s, i, e);
        spoken = 1;
    }
    if (v < 1000 || v > 98999)
        return;
    /* right after its town ("à plonéour-lanvern vingt-neuf mille sept
     * cent vingt"), but a year ("à lyon deux mille dix-huit": a postcode
     * of 01 or 02 is said from "zéro") */
    if (i > 0 && !s->tok[i].nl && s->lab[i - 1] == AT_PHI_VILLE && (v < 1900 || v > 2099)) {
        mark(s, i, e, AT_PHI_ZIP);
        return;
    }
    if (e >= s->n || s->tok[e].nl)
        return;
    /* (a comma, spoken or written, may stand between: "cinq rue du
     * général sarrail virgule cinquante et un mille cent reims") */
    size_t b = i;
    if (b > 1 && !s->tok[b].nl && !s->tok[b - 1].nl &&
        (tok_is(s, b - 1, "virgule") || is_punct(s, b - 1, ',')))
        b--;
    int after = b > 0 && !s->tok[b].nl && (s->lab[b - 1] == AT_PHI_ADRESSE || tok_is(s, b - 1, "postal"));
    if (!after)
        return;
    size_t t = dictated_words(s, e, 4);
    /* (after a postcode said in groups or digits, the town is a word
     * that is no word of the language: "... six huit sept sept zéro
     * ammerschwihr", not "... accès difficile") */
    if (spoken && (s->tok[e].lex & LEX_WORD)) {
        mark(s, i, e, AT_PHI_ZIP);
        return;
    }
    if ((t == e && s->lab[e] != AT_PHI_VILLE) || !mark(s, i, e, AT_PHI_ZIP))
        return;
    mark(s, e, t, AT_PHI_VILLE);
}

/* E-mail and web addresses spoken: "c point mercier arobase wanadoo
 * point fr", "visio point doctolib point fr slash r slash k sept". The
 * words joined by "point", "tiret", "arobase" (or "at" between two such
 * words), up to a top-level domain, and a path after it by "slash". i: a
 * top-level domain's word after "point". */
static const char *const tlds[] = {"fr", "com", "org", "net", "eu",   "be",
                                   "ch", "de",  "io",  "re",  "info", NULL};

static int spoken_joint(const text_scan *s, size_t i)
{
    return tok_is(s, i, "point") || tok_is(s, i, "tiret") || tok_is(s, i, "arobase") ||
           tok_is(s, i, "underscore") || tok_is(s, i, "slash");
}

/* A word of a spoken address: a word (what the other passes read in it
 * as a name or a place is the address's). */
static int address_word(const text_scan *s, size_t q)
{
    int l = s->lab[q];
    return s->tok[q].kind == TOK_WORD && !spoken_joint(s, q) &&
           (!l || l == AT_PHI_NOM || l == AT_PHI_PRENOM || l == AT_PHI_VILLE || l == AT_PHI_HOPITAL ||
            l == AT_PHI_EMPLOYEUR);
}

/* A joint between two words of a spoken address: "point", "arobase",
 * "at" ..., or a dash glued to both. */
static int address_joint(const text_scan *s, size_t q)
{
    return spoken_joint(s, q) || tok_is(s, q, "at") ||
           (is_punct(s, q, '-') && q > 0 && s->tok[q].s == s->tok[q - 1].e && q + 1 < s->n &&
            s->tok[q + 1].s == s->tok[q].e);
}

static void spoken_address(text_scan *s, size_t i)
{
    if (i < 3 || s->lab[i] || !deid_tok_in(s, i, tlds) || !tok_is(s, i - 1, "point") || s->tok[i].nl ||
        s->tok[i - 1].nl)
        return;
    /* back over "word joint" pairs on the line */
    size_t a = i - 1;
    int at = 0, points = 0;
    for (int nums = 0; a >= 2 && !s->tok[a].nl && !s->tok[a - 1].nl;) {
        if (address_word(s, a - 1) && address_joint(s, a - 2)) {
            at |= tok_is(s, a - 2, "arobase") || tok_is(s, a - 2, "at");
            points += tok_is(s, a - 2, "point");
            a -= 2;
        } else if (nums < 3 && number_word_tok(s, a - 1) == 1 && address_word(s, a - 2)) {
            a--; /* a number said after a word: "dasilva soixante-trois arobase" */
            nums++;
        } else {
            break;
        }
    }
    if (a > 0 && !s->tok[a].nl && address_word(s, a - 1))
        a--; /* the first word */
    if (a >= i - 1 || (!at && points < 1))
        return;
    size_t e = i + 1;
    /* a path: "slash" and words or letters */
    while (e + 1 < s->n && !s->tok[e].nl && tok_is(s, e, "slash") && !s->tok[e + 1].nl &&
           s->tok[e + 1].kind != TOK_PUNCT && !s->lab[e + 1]) {
        e += 2;
        while (e < s->n && !s->tok[e].nl && !s->lab[e] && s->tok[e].kind != TOK_PUNCT &&
               !tok_is(s, e, "point") && !tok_is(s, e, "slash") && s->tok[e].e - s->tok[e].s <= 6 &&
               (s->tok[e].e - s->tok[e].s == 1 || number_word_tok(s, e)))
            e++;
    }
    /* the entities of the other passes inside are the address's whole */
    if ((s->lab[a] && a > 0 && s->ent[a - 1] == s->ent[a]) ||
        (e < s->n && s->lab[e - 1] && s->ent[e] == s->ent[e - 1]))
        return;
    deid_relabel(s, a, e, at ? AT_PHI_MAIL : AT_PHI_URL);
}

/* A phone said from "zéro", its groups in words or in digits, a spoken
 * point or a comma between them ("zéro six 61 33 08 92", "zéro six.
 * quinze. trente-trois. zéro zéro. soixante-quatre", "zéro six, douze,
 * trente-quatre, ..."): ten digits in all. i: the
 * "zéro". */
static void zero_phone_at(text_scan *s, size_t i)
{
    if (s->lab[i] || !(tok_is(s, i, "z\xC3\xA9ro") || tok_is(s, i, "zero")))
        return;
    /* (a longer number's "zéro": "rpps un zéro zéro zéro deux ...", the
     * run's below) */
    if (i > 0 && !s->tok[i].nl && !s->lab[i - 1] && number_word_tok(s, i - 1) == 1)
        return;
    size_t e = i, last = i, digits = 0;
    while (e < s->n && (e == i || !s->tok[e].nl) && !s->lab[e] && digits < 11) {
        const text_tok *k = &s->tok[e];
        if (k->kind == TOK_NUM && k->e - k->s <= 2) {
            digits += k->e - k->s;
        } else if (k->kind == TOK_WORD && number_word_tok(s, e) == 1) {
            int v = deid_words_value(s, e, e + 1);
            if (v < 0 || v > 99)
                break;
            digits += v < 10 ? 1 : 2;
        } else if ((is_punct(s, e, '.') || is_punct(s, e, ',')) && e > i && e + 1 < s->n &&
                   !s->tok[e + 1].nl) {
            e++;
            continue;
        } else {
            break;
        }
        last = e++;
    }
    if (digits == 10)
        mark(s, i, last + 1, AT_PHI_TEL);
}

void deid_pass_dictated(text_scan *s)
{
    for (size_t q = 0; s->number_words >= 2 && q < s->nlist[TEXT_LIST_NUMWORD]; q++) {
        size_t i = s->list[TEXT_LIST_NUMWORD][q];
        if (s->t[s->tok[i].s] == 'z')
            zero_phone_at(s, i);
    }
    /* (what only a transcript says in words: its addresses, its short
     * numbers after their cue, its e-mail and web addresses) */
    int dictated = deid_dictated_chunk(s);
    for (size_t i = 3; dictated && i < s->n; i++) /* (after "point": its first letter first) */
        if (s->tok[i].kind == TOK_WORD && s->tok[i].e - s->tok[i].s <= 4 && !s->lab[i] &&
            s->t[s->tok[i - 1].s] == 'p')
            spoken_address(s, i);
    for (size_t q = 0; dictated && s->number_words >= 2 && q < s->nlist[TEXT_LIST_NUMWORD]; q++)
        dictated_address(s, s->list[TEXT_LIST_NUMWORD][q]);
    /* a run of six tokens or more, four number words among them, holds a
     * number word at one of the indices of a step of four but where its
     * fillers fall just there (a spoken letter and a digit three tokens
     * apart): look at every fourth token, then widen (the tokens of the
     * step that the tokeniser's list of possible number words holds: the
     * others number_word_tok takes not) */
    if (s->number_words < 4)
        return; /* (a run needs four number words) */
    const uint32_t *v = s->list[TEXT_LIST_NUMWORD];
    size_t nv = s->nlist[TEXT_LIST_NUMWORD];
    for (size_t p = 0, i = 0; p < nv; p++) {
        if (v[p] < i || (v[p] - i) % 4)
            continue;
        i = v[p];
        if (s->lab[i] || number_word_tok(s, i) != 1)
            continue;
        size_t a = i, e = i + 1;
        while (a > 0 && !s->tok[a].nl && !s->lab[a - 1] &&
               (number_word_tok(s, a - 1) || number_filler_tok(s, a - 1, dictated)))
            a--;
        while (e < s->n && !s->tok[e].nl && !s->lab[e] &&
               (number_word_tok(s, e) || number_filler_tok(s, e, dictated)))
            e++;
        /* "et" and a joint open or close no number */
        while (a < e && (number_word_tok(s, a) == 2 || number_filler_tok(s, a, dictated) == 2))
            a++;
        while (e > a && (number_word_tok(s, e - 1) == 2 || number_filler_tok(s, e - 1, dictated) == 2))
            e--;
        size_t words = 0;
        for (size_t q = a; q < e; q++)
            words += number_word_tok(s, q) == 1;
        if (words >= 4 && e - a >= 6)
            mark(s, a, e, dictated_label(s, a));
        i = e + 4; /* on past the run (a run after it holds e + 4) */
    }
    /* a shorter run right after a number's cue ("ipp zéro quatre sept
     * sept huit", "adhérent quatre quatre sept deux", "poste quatre deux
     * un cinq"): three number words are a number there */
    static const char *const cues[] = {"numero",    "n",        "no",
                                       "adherent",  "dossier",  "poste",
                                       "telephone", "portable", "identification",
                                       "examen",    "sejour",   "ipp",
                                       "nda",       "fax",      "contrat",
                                       "matricule", NULL};
    for (size_t p = 0; p < nv; p++) {
        size_t a = v[p];
        /* (a letter may open it: "numéro z vingt-six quatre") */
        if (dictated && a >= 2 && !s->lab[a - 1] && !s->tok[a - 1].nl && s->tok[a - 1].kind == TOK_WORD &&
            s->tok[a - 1].e - s->tok[a - 1].s == 1 && number_filler_tok(s, a - 1, dictated) == 1 &&
            s->tok[a - 2].kind == TOK_WORD && deid_tok_in(s, a - 2, cues) && number_word_tok(s, a) == 1)
            a--;
        if (s->lab[a] || a == 0 || s->tok[a].nl || s->tok[a - 1].kind != TOK_WORD ||
            !((s->tok[a - 1].dflags & DICT_IDLABEL) || (s->tok[a - 1].lex & LEX_CUE_ID) ||
              (dictated && deid_tok_in(s, a - 1, cues))) ||
            (number_word_tok(s, a) != 1 &&
             !(a + 1 < s->n && number_word_tok(s, a + 1) == 1 && number_filler_tok(s, a, dictated) == 1)))
            continue;
        /* (number words another pass read as a date, "quatre sept" for a
         * 4th of September, are the number's when the run holds them
         * whole) */
        size_t e = a + 1, words = number_word_tok(s, a) == 1;
        while (e < s->n && !s->tok[e].nl && (!s->lab[e] || s->lab[e] == AT_PHI_DATE) &&
               (number_word_tok(s, e) || (!s->lab[e] && number_filler_tok(s, e, dictated)))) {
            words += number_word_tok(s, e) == 1;
            e++;
        }
        while (e > a && (number_word_tok(s, e - 1) == 2 || number_filler_tok(s, e - 1, dictated) == 2))
            e--;
        int whole = e >= s->n || !s->lab[e] || s->ent[e] != s->ent[e - 1];
        /* (or two said in tens, four digits: "poste quarante-deux
         * dix-huit") */
        if (words == 2 && e == a + 2) {
            int v1 = deid_words_value(s, a, a + 1), v2 = deid_words_value(s, a + 1, a + 2);
            if (v1 >= 10 && v1 <= 99 && v2 >= 10 && v2 <= 99)
                words = 3;
        }
        if (words >= 3 && whole)
            deid_relabel(s, a, e, dictated_label(s, a));
    }
    /* letters spelled before a number said in words are its own ("h i a
     * zéro zéro sept sept", "a c c deux six zéro"): two letters or more
     * right before it, "a" and "y" too, or one before a letter it has */
    for (size_t p = 0; dictated && p < nv; p++) {
        size_t a = v[p];
        int l = s->lab[a];
        if (!(l == AT_PHI_ID || l == AT_PHI_IPP || l == AT_PHI_NDA || l == AT_PHI_COMPTE ||
              l == AT_PHI_RPPS || l == AT_PHI_SECU))
            continue;
        while (a > 0 && s->lab[a - 1] == l && s->ent[a - 1] == s->ent[a]) /* (from its first token) */
            a--;
        size_t b = a;
        while (b > 0 && a - b < 6 && !s->tok[b].nl && !s->lab[b - 1] && s->tok[b - 1].kind == TOK_WORD &&
               s->tok[b - 1].e - s->tok[b - 1].s == 1 &&
               ((unsigned char)s->t[s->tok[b - 1].s] | 0x20) >= 'a' &&
               ((unsigned char)s->t[s->tok[b - 1].s] | 0x20) <= 'z')
            b--;
        /* (one is enough before a letter the number took already) */
        if (a - b >= 2 || (a - b == 1 && s->tok[a].kind == TOK_WORD && s->tok[a].e - s->tok[a].s == 1))
            for (size_t q = b; q < a; q++) {
                s->lab[q] = (uint8_t)l;
                s->ent[q] = s->ent[a];
            }
    }
}
