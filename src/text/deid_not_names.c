/* Words no person bears, whatever took them as a name, after every
 * pass: the letter of "N°"; the article of "né le" before its date ("NÉ
 * LE 11 03 1949", OCR'd "née Ie O3/O2/1935"); "Marié", "Mariée" of a
 * social history, which fold to the first name; an OCR's "Ie", "Ia",
 * "Ies" (the article with I for l) before a word in lower case or a
 * number; a record number's label in capitals ("IPP"); a greeting or a
 * dictated "point"; and the words of the phrases of care that hold a
 * name's word ("robot Da Vinci", "Timed Up and Go", "claudine 18.2",
 * "Best regards", "Dr de garde", "professeur d'EPS", "Monsieur le
 * Médecin-conseil"). */
#include "deid_scan.h"

#include "dict.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int person(int l)
{
    return l == AT_PHI_NOM || l == AT_PHI_PRENOM;
}

/* An establishment's, a firm's, a town's or an address's label. */
static int named_place(int l)
{
    return l == AT_PHI_HOPITAL || l == AT_PHI_EMPLOYEUR || l == AT_PHI_VILLE || l == AT_PHI_ADRESSE;
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
    /* (octal escapes: a hex escape would swallow the "e" after it; tok_is
     * lowers the ASCII letters only, so "NÉ" reads "n\303\211") */
    static const char *const born[] = {"n\303\251", "n\303\251e", "ne", "nee", "n\303\211", "n\303\211e"};
    int after_born = 0;
    for (size_t q = 0; q < sizeof born / sizeof *born && !after_born; q++)
        after_born = tok_is(s, i - 1, born[q]);
    if (!after_born)
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

/* Token p and what its entity holds after it on its line lose their
 * label: 1. */
static int unlabel_entity(text_scan *s, size_t p)
{
    uint32_t ent = s->ent[p];
    unlabel(s, p);
    for (size_t r = p + 1; ent && r < s->n && !s->tok[r].nl && s->ent[r] == ent; r++)
        unlabel(s, r);
    return 1;
}

/* Words of letters and transcripts that name no one (folded): a
 * dictated stop, a letter's close (the greetings, "merci" among them,
 * are the dictionary's: DICT_GREET). */
static const char *const never_people[] = {"point", "virgule", "cordialement", NULL};

/* Token p, labelled an address's, is "Lot" opening its entity, neither
 * abbreviated ("lot. Les Goyaviers") nor numbered ("lot 24", "lot n°
 * 12"): a batch's word ("Lot Xeloda dispensé", "Lot W012345"); the
 * entity's tokens on the line lose their label, its numbers but kept
 * (1; else 0). */
static int batch_word(text_scan *s, size_t p)
{
    if (!tok_is(s, p, "lot") || (p && s->ent[p - 1] == s->ent[p]) || p + 1 >= s->n)
        return 0;
    const text_tok *k = &s->tok[p + 1];
    if (k->kind == TOK_NUM || (k->kind == TOK_PUNCT && s->t[k->s] == '.' && k->s == s->tok[p].e) ||
        tok_is(s, p + 1, "n") || tok_is(s, p + 1, "no"))
        return 0;
    uint32_t e = s->ent[p], id = 0;
    unlabel(s, p);
    /* (its number stays a number: "Lot W012345") */
    for (size_t q = p + 1; e && q < s->n && !s->tok[q].nl && s->ent[q] == e; q++)
        if (s->tok[q].kind == TOK_NUM || tok_has_digit(s, q)) {
            if (!id)
                id = ++s->next_ent;
            s->lab[q] = AT_PHI_ID;
            s->ent[q] = id;
        } else {
            unlabel(s, q);
        }
    return 1;
}

/* Token p, labelled a place's, is "HAD" before its anxiety score ("HAD
 * A9/D6", "HAD A 11 D 7", "HAD : A 15, D 11"): the hospital anxiety and
 * depression scale, no home hospital (unlabel_entity). */
static int had_score(text_scan *s, size_t p)
{
    if (!s->tok[p].allcaps || !tok_is(s, p, "had"))
        return 0;
    size_t q = p + 1;
    if (q < s->n && !s->tok[q].nl && is_punct(s, q, ':'))
        q++;
    if (q >= s->n || s->tok[q].nl || s->tok[q].kind != TOK_WORD || s->t[s->tok[q].s] != 'A')
        return 0;
    /* "A9", "A14" (a letter and its digits), or "A" then "=" or a number */
    size_t a = s->tok[q].s, e = s->tok[q].e;
    int digits = e - a > 1;
    for (size_t c = a + 1; c < e && digits; c++)
        digits = s->t[c] >= '0' && s->t[c] <= '9';
    if (!digits && !(e - a == 1 && q + 1 < s->n && !s->tok[q + 1].nl &&
                     (s->tok[q + 1].kind == TOK_NUM || is_punct(s, q + 1, '='))))
        return 0;
    return unlabel_entity(s, p);
}

/* Token p, labelled a town's or a person's, is a scale's name: "grade",
 * "score", "stade" or "classe" in lower case, then its value, after it
 * on the line ("ALBI grade 1", "Albi grade 2" beside Albi the town); not
 * after a title ("Dr Martin score ..."): unlabel_entity. */
static int scale_named(text_scan *s, size_t p)
{
    static const char *const words[] = {"grade", "score", "stade", "classe", NULL};
    if (p + 2 >= s->n || s->tok[p + 1].nl || s->tok[p + 2].nl || s->tok[p + 1].cap || s->tok[p + 1].allcaps ||
        !deid_tok_in(s, p + 1, words) || (p > 0 && (s->tok[p - 1].dflags & DICT_TITLE)) ||
        !deid_scale_grade(s, p))
        return 0;
    return unlabel_entity(s, p);
}

/* Phrases of care and of letters whose words a name's list holds,
 * folded, up to four words; "#" stands for a number. */
static const char *const phrases[][4] = {
    {"da", "vinci", NULL, NULL},           {"timed", "up", "and", "go"},     {"claudine", "#", NULL, NULL},
    {"best", "regards", NULL, NULL},       {"best", "wishes", NULL, NULL},   {"kind", "regards", NULL, NULL},
    {"mailto", NULL, NULL, NULL},          {"de", "garde", NULL, NULL},      {"d'", "eps", NULL, NULL},
    {"le", "medecin-conseil", NULL, NULL}, {"la", "procureure", NULL, NULL}, {"le", "procureur", NULL, NULL},
    {"adjudant-chef", NULL, NULL, NULL},   {"ann", "arbor", NULL, NULL},     {"bence", "jones", NULL, NULL},
};

/* The phrases' words, sorted once (strcmp): a labelled word is looked up
 * there before the phrases are walked; and the hashes of these words and
 * of never_people's, which most names leave at once, before any fold. */
#define PHRASE_WORDS (sizeof phrases / sizeof *phrases * 4)
static const char *phrase_words[PHRASE_WORDS];
static size_t n_phrase_words;
/* The lists' words by their folded hash (as text_tok.fh), open addressing. */
enum { LIST_SLOTS = 128 };
static uint32_t list_hash[LIST_SLOTS];
static pthread_once_t phrase_words_once = PTHREAD_ONCE_INIT;

static int cmp_words(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void hash_word(const char *w)
{
    size_t n = strlen(w);
    char pad[64] = {0};
    memcpy(pad, w, n);
    uint32_t h = (uint32_t)text_dict_hash_padded(pad, n);
    size_t x = h & (LIST_SLOTS - 1);
    while (list_hash[x] && list_hash[x] != h)
        x = (x + 1) & (LIST_SLOTS - 1);
    list_hash[x] = h;
}

static void sort_phrase_words(void)
{
    for (size_t r = 0; r < sizeof phrases / sizeof *phrases; r++)
        for (size_t k = 0; k < 4 && phrases[r][k]; k++)
            if (phrases[r][k][0] != '#') {
                phrase_words[n_phrase_words++] = phrases[r][k];
                hash_word(phrases[r][k]);
            }
    for (size_t w = 0; never_people[w]; w++)
        hash_word(never_people[w]);
    qsort(phrase_words, n_phrase_words, sizeof *phrase_words, cmp_words);
}

/* A token's folded hash h (0: none, a short word) may be a list word's. */
static int hash_maybe(uint32_t h)
{
    pthread_once(&phrase_words_once, sort_phrase_words);
    if (!h)
        return 1;
    for (size_t x = h & (LIST_SLOTS - 1); list_hash[x]; x = (x + 1) & (LIST_SLOTS - 1))
        if (list_hash[x] == h)
            return 1;
    return 0;
}

static int phrase_word(const char *f)
{
    return bsearch(&f, phrase_words, n_phrase_words, sizeof *phrase_words, cmp_words) != NULL;
}

/* Token i's folded word is w ("#": a number). */
static int word_is(const text_scan *s, size_t i, const char *w)
{
    if (i >= s->n)
        return 0;
    if (w[0] == '#')
        return s->tok[i].kind == TOK_NUM;
    char f[64];
    size_t n = s->tok[i].e - s->tok[i].s;
    if (n > 40)
        return 0;
    int fl = text_lexicon_fold(s->t + s->tok[i].s, n, f, sizeof f);
    return fl > 0 && strlen(w) == (size_t)fl && !memcmp(f, w, (size_t)fl);
}

/* Token i is a stage's roman numeral, with a letter after it or not
 * ("IV", "IIIA", "IIB"). */
static int roman(const text_scan *s, size_t i)
{
    size_t a = s->tok[i].s, e = s->tok[i].e;
    if (s->tok[i].kind != TOK_WORD || e - a > 5)
        return 0;
    if (e - a >= 2 && (s->t[e - 1] == 'A' || s->t[e - 1] == 'B' || s->t[e - 1] == 'E'))
        e--;
    for (size_t c = a; c < e; c++)
        if (s->t[c] != 'I' && s->t[c] != 'V' && s->t[c] != 'X')
            return 0;
    return 1;
}

/* Token p, whose folded word is f (fl bytes), is a word of a phrase on
 * one line: its tokens lose their names' labels. The phrase's other words
 * are folded only when p's is one of its words. */
static int in_phrase(text_scan *s, size_t p, const char *f, size_t fl)
{
    for (size_t r = 0; r < sizeof phrases / sizeof *phrases; r++) {
        size_t len = 0;
        while (len < 4 && phrases[r][len])
            len++;
        for (size_t k = 0; k < len; k++) {
            const char *w = phrases[r][k];
            if (p < k || w[0] != f[0] || strlen(w) != fl || memcmp(w, f, fl))
                continue;
            size_t a = p - k, q = 0;
            while (q < len && a + q < s->n && (q == 0 || !s->tok[a + q].nl) &&
                   (a + q == p || word_is(s, a + q, phrases[r][q])))
                q++;
            if (q < len)
                continue;
            /* (and what the entity of its last word holds after it on
             * the line: the stage of "Ann Arbor IV") */
            uint32_t last = s->ent[a + len - 1];
            for (q = 0; q < len; q++)
                if (person(s->lab[a + q]) || named_place(s->lab[a + q]))
                    unlabel(s, a + q);
            for (q = a + len; last && q < s->n && !s->tok[q].nl && s->ent[q] == last && roman(s, q); q++)
                unlabel(s, q);
            return 1;
        }
    }
    return 0;
}

void deid_pass_not_names(text_scan *s)
{
    for (size_t p = deid_next_labelled(s, 0); p < s->n; p = deid_next_labelled(s, p + 1)) {
        if (s->tok[p].kind != TOK_WORD)
            continue;
        /* a batch's lot, the HAD score, a scale named like a town */
        int three = s->tok[p].e - s->tok[p].s == 3;
        if ((three && s->lab[p] == AT_PHI_ADRESSE && batch_word(s, p)) ||
            (three && named_place(s->lab[p]) && had_score(s, p)) ||
            ((s->lab[p] == AT_PHI_VILLE || person(s->lab[p])) && scale_named(s, p)))
            continue;
        if (!person(s->lab[p])) {
            /* (a phrase's word the tagger took for an establishment's, a
             * firm's or a town's: "robot-assistée (Da Vinci Xi)") */
            char f[64];
            size_t n = s->tok[p].e - s->tok[p].s;
            int fl = named_place(s->lab[p]) && hash_maybe(s->tok[p].fh) && n <= 40
                         ? text_lexicon_fold(s->t + s->tok[p].s, n, f, sizeof f)
                         : 0;
            if (fl > 0) {
                f[fl] = 0;
                if (phrase_word(f))
                    in_phrase(s, p, f, (size_t)fl);
            }
            continue;
        }
        /* "N°", "Nº" */
        if (s->tok[p].e - s->tok[p].s == 1 && p + 1 < s->n && s->tok[p + 1].s == s->tok[p].e &&
            s->tok[p + 1].e - s->tok[p + 1].s >= 2 && (unsigned char)s->t[s->tok[p + 1].s] == 0xC2 &&
            ((unsigned char)s->t[s->tok[p + 1].s + 1] == 0xB0 ||
             (unsigned char)s->t[s->tok[p + 1].s + 1] == 0xBA))
            unlabel(s, p);
        else if (born_article(s, p) || married(s, p) || ocr_article(s, p) ||
                 ((s->tok[p].dflags & DICT_IDLABEL) && s->tok[p].allcaps))
            unlabel(s, p);
        else if (s->tok[p].dflags & DICT_GREET)
            unlabel(s, p);
        else {
            /* (folded once: the lists of words and of phrases read it) */
            char f[64];
            size_t n = s->tok[p].e - s->tok[p].s;
            if (!hash_maybe(s->tok[p].fh))
                continue;
            int fl = n <= 40 ? text_lexicon_fold(s->t + s->tok[p].s, n, f, sizeof f) : 0;
            if (fl <= 0)
                continue;
            f[fl] = 0;
            int never = 0;
            for (size_t w = 0; never_people[w] && !never; w++)
                never = !strcmp(never_people[w], f);
            if (never)
                unlabel(s, p);
            else if (phrase_word(f))
                in_phrase(s, p, f, (size_t)fl);
        }
    }
}
