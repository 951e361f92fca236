/* The other mentions of a name found in context: the words that the
 * context rules (titles, field labels, "la patiente", "née", roles)
 * labelled NOM or PRENOM are looked for in the rest of the document
 * ("Mme Aurélienne Trebouta. ... Trebouta aussi."). */
#include "deid_scan.h"

/* Token i folded into f (DEID_NAME_LEN bytes, zero-padded): its length, 0
 * when it is no word, too short (an initial, "Le") or too long to be kept.
 * ASCII and Latin-1 letters are folded inline, anything else by
 * text_fold_word. */
static size_t fold_name_tok(const text_scan *s, size_t i, char *f)
{
    const text_tok *k = &s->tok[i];
    const unsigned char *w = (const unsigned char *)s->t + k->s;
    size_t n = k->e - k->s, o = 0, j = 0;
    if (k->kind != TOK_WORD || n < 3 || n >= DEID_NAME_LEN)
        return 0;
    memset(f, 0, DEID_NAME_LEN);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight ASCII bytes at a time (A-Z get bit 5, bytes past the word are
     * cleared), while the text has eight bytes to read and f room for them */
    while (j < n && j + 8 <= DEID_NAME_LEN && k->s + j + 8 <= s->len) {
        const uint64_t ones = 0x0101010101010101ull, high = 0x80 * ones;
        uint64_t x;
        memcpy(&x, w + j, 8);
        if (n - j < 8)
            x &= ((uint64_t)1 << (8 * (n - j))) - 1;
        if (x & high)
            break;
        x |= ((x + (0x80 - 'A') * ones) & ~(x + (0x80 - 'Z' - 1) * ones) & high) >> 2;
        memcpy(f + j, &x, 8);
        j = n - j < 8 ? n : j + 8;
        o = j;
    }
#endif
    while (j < n) {
        if (w[j] < 0x80) {
            f[o++] = (char)((unsigned)w[j] - 'A' < 26u ? w[j] + 32 : w[j]);
            j++;
        } else if (w[j] == 0xC3 && j + 1 < n && w[j + 1] >= 0x80 && w[j + 1] <= 0xBF) {
            const char *r = text_latin1_fold[w[j + 1] - 0x80];
            for (size_t c = 0; c < 2 && r[c]; c++)
                f[o++] = r[c];
            j += 2;
        } else {
            int fl = text_fold_word((const char *)w, n, f, DEID_NAME_LEN);
            if (fl < 3)
                return 0;
            memset(f + fl, 0, DEID_NAME_LEN - (size_t)fl);
            return (size_t)fl;
        }
    }
    return o >= 3 ? o : 0;
}

/* The slot of a folded word (its first eight bytes and its length) in
 * text_names.slot: a multiplicative hash. */
static inline size_t name_slot(uint64_t head, size_t n)
{
    return (size_t)(((head ^ n) * 0x9E3779B97F4A7C15ull) >> (64 - DEID_NAME_SLOT_BITS)) &
           (DEID_NAME_SLOTS - 1);
}

/* The index of the kept word f (n bytes, zero-padded to DEID_NAME_LEN,
 * as the kept words are), -1 when none. */
static int known_name(const text_names *nm, const char *f, size_t n)
{
    uint64_t a[DEID_NAME_LEN / 8];
    memcpy(a, f, sizeof a);
    size_t h = name_slot(a[0], n);
    for (size_t probe = 0; probe < DEID_NAME_SLOTS; probe++, h = (h + 1) & (DEID_NAME_SLOTS - 1)) {
        if (!nm->slot[h])
            return -1;
        size_t k = nm->slot[h] - 1u;
        if (nm->len[k] != n)
            continue;
        uint64_t b[DEID_NAME_LEN / 8], d = 0;
        memcpy(b, nm->w[k], sizeof b);
        for (size_t j = 0; j < DEID_NAME_LEN / 8; j++)
            d |= a[j] ^ b[j];
        if (!d)
            return (int)k;
    }
    return -1;
}

void deid_names_init(text_names *nm)
{
    memset(nm->pairs, 0, sizeof nm->pairs);
    nm->count = 0;
    nm->min_len = DEID_NAME_LEN;
    nm->last = 0;
    memset(nm->slot, 0, sizeof nm->slot);
}

/* Keep the word of token i, labelled NOM or PRENOM, unless it is a
 * particle (the tokeniser looked every particle up: they are trigger
 * words), too short, or kept already. */
static void add_name_as(text_names *nm, const text_scan *s, size_t i, int label);

static void add_name(text_names *nm, const text_scan *s, size_t i)
{
    add_name_as(nm, s, i, s->lab[i]);
}

void deid_names_add_word(text_scan *s, size_t i, int label)
{
    if (s->names && i < s->n && s->names->count < DEID_MAX_NAMES)
        add_name_as(s->names, s, i, label);
}

static void add_folded(text_names *nm, const char *f, size_t n, int label);

static void add_name_as(text_names *nm, const text_scan *s, size_t i, int label)
{
    char f[DEID_NAME_LEN];
    size_t n = fold_name_tok(s, i, f);
    if (!n || (s->tok[i].dflags & DICT_PARTICLE))
        return;
    add_folded(nm, f, n, label);
}

void deid_names_add_folded(text_scan *s, const char *w, size_t n, int label)
{
    char f[DEID_NAME_LEN];
    if (!s->names || s->names->count >= DEID_MAX_NAMES || n < 3 || n >= DEID_NAME_LEN)
        return;
    memset(f, 0, sizeof f);
    memcpy(f, w, n);
    add_folded(s->names, f, n, label);
}

/* Keep the folded word f (n bytes, zero-padded to DEID_NAME_LEN) with
 * label, unless kept already. */
static void add_folded(text_names *nm, const char *f, size_t n, int label)
{
    if (known_name(nm, f, n) >= 0)
        return;
    uint64_t head;
    memcpy(&head, f, 8);
    size_t h = name_slot(head, n);
    while (nm->slot[h]) /* never full: DEID_NAME_SLOTS > DEID_MAX_NAMES */
        h = (h + 1) & (DEID_NAME_SLOTS - 1);
    memcpy(nm->w[nm->count], f, DEID_NAME_LEN);
    nm->len[nm->count] = (uint8_t)n;
    nm->label[nm->count++] = (uint8_t)label;
    nm->slot[h] = (uint8_t)nm->count;
    /* a word that begins with two ASCII letters folded has the key of any
     * writing of it that begins with two ASCII bytes; the others are not
     * filtered */
    unsigned a = (unsigned char)f[0], b = (unsigned char)f[1];
    unsigned key = text_pair_key(a, b);
    if (a - 'a' < 26u && b - 'a' < 26u)
        nm->pairs[key >> 6] |= (uint64_t)1 << (key & 63);
    else
        memset(nm->pairs, 0xFF, sizeof nm->pairs);
    unsigned z = (unsigned char)f[n - 1]; /* a last byte outside a-z: not filtered */
    nm->last |= z - 'a' < 26u ? 1u << (z & 0x1F) : ~0u;
    nm->min_len = n < nm->min_len ? n : nm->min_len; /* a token has at least its folded bytes */
}

void deid_names_add(text_scan *s, size_t a, size_t b)
{
    text_names *nm = s->names;
    for (size_t i = a; nm && i < b && i < s->n && nm->count < DEID_MAX_NAMES; i++)
        if (s->lab[i] == AT_PHI_NOM || s->lab[i] == AT_PHI_PRENOM)
            add_name(nm, s, i);
}

static void add_labelled_at(text_scan *s, size_t i, unsigned lex_safe, unsigned dict_safe, uint32_t from_ent);

void deid_names_add_labelled(text_scan *s, uint32_t from_ent)
{
    /* no word of the language, of the medical vocabulary, nor a head, a
     * descriptor, a connector or a label of the writing of places and
     * establishments ("Centre", "Hospitalier", "de", "rue") */
    const unsigned lex_safe =
        LEX_WORD | LEX_MED | LEX_EPONYM | LEX_STREET | LEX_ORG | LEX_KIN | LEX_CUE_ID | LEX_CUE_EMP;
    const unsigned dict_safe = DICT_COMMON | DICT_EPONYM | DICT_MONTH | DICT_TITLE | DICT_HOSP | DICT_STREET |
                               DICT_EPOTRIG | DICT_BIRTH | DICT_IDLABEL | DICT_FIELD | DICT_RESID |
                               DICT_PARTICLE | DICT_CONNECT | DICT_HOSPQUAL | DICT_ROLE | DICT_HEAD |
                               DICT_DESCR | DICT_NOTID | DICT_GREET;
    /* (the capitalised words and the words in lower case that no list of
     * the language holds: the tokeniser's lists of them) */
    const text_names *nm = s->names;
    if (!nm)
        return;
    for (int li = 0; li < 2; li++) {
        const uint32_t *v = s->list[li ? TEXT_LIST_ODD : TEXT_LIST_NAME];
        size_t nv = s->nlist[li ? TEXT_LIST_ODD : TEXT_LIST_NAME];
        for (size_t q = 0; q < nv; q++) {
            if (!s->lab[v[q]]) /* (an unlabelled token is none) */
                continue;
            if (nm->count >= DEID_MAX_NAMES) /* (the count grows only here) */
                return;
            add_labelled_at(s, v[q], lex_safe, dict_safe, from_ent);
        }
    }
}

/* (token i of deid_names_add_labelled) */
static void add_labelled_at(text_scan *s, size_t i, unsigned lex_safe, unsigned dict_safe, uint32_t from_ent)
{
    int l = s->lab[i];
    const text_tok *k = &s->tok[i];
    /* (the words of the lists of names and places: their passes and the
     * tagger find them at each mention; a name the rules found is kept
     * already) */
    /* (an establishment's acronym the rules read as its alias, "Institut
     * X (IX)", is not found again by them at its other mentions) */
    if ((s->ent[i] <= from_ent && !(k->allcaps && l == AT_PHI_HOPITAL)) ||
        !(l == AT_PHI_NOM || l == AT_PHI_PRENOM || l == AT_PHI_VILLE || l == AT_PHI_HOPITAL ||
          l == AT_PHI_EMPLOYEUR) ||
        k->kind != TOK_WORD || (k->lex & (lex_safe | LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)) ||
        (k->dflags & dict_safe))
        return;
    int digit = 0;
    for (uint32_t b = k->s; b < k->e && !digit; b++)
        digit = (unsigned)(s->t[b] - '0') < 10u;
    if (!digit)
        add_name_as(s->names, s, i, l);
}

/* Flags that make a lower-case word a word of the language rather than a
 * name: "blanc", "mai", "des", "rue". */
#define NOT_NAME_LOWER (~(unsigned)(DICT_FIRST | DICT_LAST | DICT_CITY | DICT_PATFIRST | DICT_PATLAST))

/* Token i inside a sentence: after a word, a number or a comma on its
 * line, where a capital is a name's and not the sentence's. */
static int mid_sentence(const text_scan *s, size_t i)
{
    return i > 0 && !s->tok[i].nl && (s->tok[i - 1].kind != TOK_PUNCT || is_punct(s, i - 1, ','));
}

/* Another mention of a name word f (n bytes) at token i: capitalised or
 * in capitals; in lower case only when it is no word of the language. A
 * common word ("Blanc", "Rose") in capitals, or capitalised inside a
 * sentence, as "Petit épanchement" opens one. */
static int other_mention(const text_scan *s, size_t i, const char *f, size_t n)
{
    const text_tok *k = &s->tok[i];
    if (deid_eponym_context(s, i) || deid_scale_grade(s, i)) /* ("Hunt et Hess IV" beside M. HUNT) */
        return 0;
    unsigned fl = text_dict_get(&s->d->dict, f, n, NULL);
    if (!(k->cap || k->allcaps))
        return !(fl & NOT_NAME_LOWER);
    return !(fl & DICT_COMMON) || k->allcaps || mid_sentence(s, i);
}

void deid_pass_mentions(text_scan *s)
{
    const text_names *nm = s->names;
    if (!nm || !nm->count)
        return;
    const text_tok *tok = s->tok;
    const uint8_t *lab = s->lab; /* (the pass labels through mark(); these stay) */
    const size_t count = s->n;
    /* most tokens end at once: no word, or a key no name has (the key
     * alone read: few tokens pass it); of the others, a length or a last
     * letter no name has ends them; the rest are noted first (each index
     * written and counted when it is one: no branch to guess), then looked
     * at in order (a mark labels its one token, which no later test reads) */
    uint32_t *cand = s->scratch;
    size_t nc = 0;
    const uint64_t *pairs = nm->pairs;
    const unsigned last = nm->last;
    const size_t min_len = nm->min_len;
    for (size_t i = 0; i < count; i++) {
        const text_tok *k = &tok[i];
        unsigned key = k->key;
        if (key != TOK_KEY_ANY && !((pairs[(key >> 6) & 15] >> (key & 63)) & 1))
            continue;
        unsigned z = (unsigned char)s->t[k->e - 1];
        cand[nc] = (uint32_t)i;
        nc += (lab[i] == 0) & (k->e - k->s >= min_len) & ((z >> 7) | ((last >> (z & 0x1F)) & 1));
    }
    for (size_t q = 0; q < nc; q++) {
        size_t i = cand[q];
        char f[DEID_NAME_LEN];
        size_t n = fold_name_tok(s, i, f);
        int w = n ? known_name(nm, f, n) : -1;
        if (w >= 0 && other_mention(s, i, f, n))
            mark(s, i, i + 1, nm->label[w]);
    }
}

/* ---- the words of a run ---------------------------------------------------- */

void deid_run_collect(const text_scan *s, text_run_acc *a, uint32_t rules_ent)
{
    /* the words deid_names_add_labelled keeps, found by any pass: no
     * word of the language, of medicine, of the lists of names and places
     * (their passes find them), of the writing of places and
     * establishments, nor with a digit */
    const unsigned lex_safe = LEX_WORD | LEX_MED | LEX_EPONYM | LEX_STREET | LEX_ORG | LEX_KIN | LEX_CUE_ID |
                              LEX_CUE_EMP | LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY;
    const unsigned dict_safe = DICT_COMMON | DICT_EPONYM | DICT_MONTH | DICT_TITLE | DICT_HOSP | DICT_STREET |
                               DICT_EPOTRIG | DICT_BIRTH | DICT_IDLABEL | DICT_FIELD | DICT_RESID |
                               DICT_PARTICLE | DICT_CONNECT | DICT_HOSPQUAL | DICT_ROLE | DICT_HEAD |
                               DICT_DESCR | DICT_NOTID | DICT_GREET;
    for (size_t i = 0; i < s->n; i++) {
        int l = s->lab[i];
        const text_tok *k = &s->tok[i];
        if (!(l == AT_PHI_NOM || l == AT_PHI_PRENOM || l == AT_PHI_VILLE || l == AT_PHI_HOPITAL ||
              l == AT_PHI_EMPLOYEUR) ||
            k->kind != TOK_WORD || (k->lex & lex_safe) || (k->dflags & dict_safe))
            continue;
        /* a name is written with a capital; a word that may be an
         * abbreviation the tagger took for a name or an employer ("Pte",
         * "USP": three letters, or an employer in capitals) is carried
         * to the other documents only when labelled in two; a name of
         * three letters not at all */
        if (!(k->cap || k->allcaps))
            continue;
        int digit = 0;
        for (uint32_t b = k->s; b < k->e && !digit; b++)
            digit = (unsigned)(s->t[b] - '0') < 10u;
        char f[DEID_NAME_LEN];
        size_t n = digit ? 0 : fold_name_tok(s, i, f);
        if (n < 4 && (l == AT_PHI_NOM || l == AT_PHI_PRENOM))
            continue; /* "Pte", "RDV" */
        /* (what the tagger or the allow-list alone named, without a rule's
         * context, is its guess: carried when guessed in two documents) */
        int weak = (n < 4 && !(k->allcaps && l == AT_PHI_HOPITAL)) || (k->allcaps && l == AT_PHI_EMPLOYEUR) ||
                   s->ent[i] > rules_ent;
        /* (a word of the dictionaries' common words, "blanc", is none) */
        if (n && !(text_dict_get(&s->d->dict, f, n, NULL) & NOT_NAME_LOWER))
            text_run_acc_add(a, f, n, l, weak);
    }
}

void deid_pass_run_words(text_scan *s)
{
    const text_run_words *r = s->d->run;
    for (size_t i = 0; i < s->n; i++) {
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD || k->e - k->s < 3)
            continue;
        char f[DEID_NAME_LEN];
        size_t n = fold_name_tok(s, i, f);
        int l = n ? text_run_words_label(r, f, n) : 0;
        if (l && other_mention(s, i, f, n))
            mark(s, i, i + 1, l);
    }
}
