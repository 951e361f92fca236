/* The joins after the tagger: the parts of an entity the tagger and the
 * rules leave around the words they took (particles and initials before a
 * surname, capitals before a first name, the words before an employer or
 * an establishment, initials that sign a letter, a name cut at a line
 * end, a known first name after a surname in capitals). */
#include "deid_scan.h"
#include "tagger.h"

#include <string.h>

#define NAME_KINDS (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)

static size_t tlen(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* ---- after the tagger: the parts of an entity the tagger leaves -------------------- */

static const char *const foreign_particles[] = {"van", "von", "der", "den", "da", "dos",
                                                "di",  "del", "ter", "ten", NULL};

/* A surname in capitals that only the medical dictionaries hold, of five
 * letters or more, no word of the language ("FONTANEL": English for the
 * fontanelle): beside a first name it is the surname. */
static int medical_surname(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return k->kind == TOK_WORD && k->allcaps && k->e - k->s >= 5 && (k->lex & LEX_MED) &&
           !(k->lex & (LEX_WORD | LEX_EPONYM | LEX_LEARNED)) &&
           !(k->dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_IDLABEL)) &&
           !tok_has_digit(s, i);
}

/* Token w opens a person's identity: after a title, "née" or a field's
 * colon on its line ("Mme CHAMPAGNE Valérie", "Patient : BISMUTH
 * Bernard", "née LEBRUN Ghislaine"). There the capitals before a first
 * name are the surname, though a word of care or of the language. */
static int identity_start(const text_scan *s, size_t w)
{
    if (w == 0 || s->tok[w].nl || s->tok[w].e - s->tok[w].s < 3 || tok_has_digit(s, w))
        return 0;
    if (s->tok[w - 1].dflags & (DICT_TITLE | DICT_BIRTH))
        return 1;
    if (!is_punct(s, w - 1, ':') || s->tok[w - 1].nl)
        return 0;
    for (size_t b = w - 1; b > 0 && w - b < 5 && !s->tok[b].nl; b--)
        if ((s->tok[b - 1].dflags & DICT_FIELD) && s->tok[b - 1].kind == TOK_WORD)
            return 1;
    return 0;
}

/* A noun that introduces an eponym ("maladie", "signe", "score") in the
 * three tokens before i: "syndrome de Claude Bernard" names no one. */
static int epo_trigger_before(const text_scan *s, size_t i)
{
    for (size_t b = i > 3 ? i - 3 : 0; b < i; b++)
        if (s->tok[b].dflags & DICT_EPOTRIG)
            return 1;
    return 0;
}

static void join_into(text_scan *s, size_t i, size_t with, int label)
{
    s->lab[i] = (uint8_t)label;
    s->ent[i] = s->ent[with];
}

/* The tokens labelled now, in text order, into idx (room for s->n): their
 * count. The joins visit these rather than every token. */
static size_t labelled_tokens(const text_scan *s, uint32_t *idx)
{
    size_t c = 0, i = 0;
#if defined(__SSE2__)
    /* sixteen labels at a time where SSE2 is: the mask of the labelled
     * bytes, its lowest bit taken while any is left */
    for (; i + 16 <= s->n; i += 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s->lab + i));
        for (unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_setzero_si128())) & 0xFFFFu; m;
             m &= m - 1)
            idx[c++] = (uint32_t)(i + (size_t)__builtin_ctz(m));
    }
#endif
    /* eight labels at a time: most tokens are no identifier; in a group
     * with one, each index is written and counted when labelled (no
     * branch to guess) */
    for (; i + 8 <= s->n; i += 8) {
        if (deid_labels8_empty(s, i))
            continue;
        for (size_t j = i; j < i + 8; j++) {
            idx[c] = (uint32_t)j;
            c += s->lab[j] != 0;
        }
    }
    for (; i < s->n; i++)
        if (s->lab[i])
            idx[c++] = (uint32_t)i;
    return c;
}

/* Token i opens dotted initials (two or three capitals, each with its
 * point, joined by nothing, a hyphen or a space: "T.G.", "A.-L.", "L. B.")
 * that end their line (or come before a comma or a bracket and a role:
 * "C. D., IDE") and follow its start, a point, a slash, a dash, a colon
 * or a word of signing ("par", "validé", "signé", "visa", "vu"): a first
 * name's initials. */
static void signing_initials(text_scan *s, size_t i)
{
    static const char *const signing[] = {"par",  "valide", "validee", "signe", "signee",
                                          "visa", "vu",     "vue",     NULL};
    if (s->tok[i].e - s->tok[i].s != 1 || i + 1 >= s->n || !is_punct(s, i + 1, '.') || s->lab[i])
        return;
    size_t j = i, letters = 0;
    while (j + 1 < s->n && letters < 4 && s->tok[j].kind == TOK_WORD && s->tok[j].cap &&
           s->tok[j].e - s->tok[j].s == 1 && !s->lab[j] && is_punct(s, j + 1, '.') && !s->tok[j + 1].nl &&
           (j == i || !s->tok[j].nl)) {
        letters++;
        j += 2;
        if (j + 1 < s->n && is_punct(s, j, '-') && !s->tok[j].nl && s->tok[j].s == s->tok[j - 1].e)
            j++;
        if (j < s->n && s->tok[j].s > s->tok[j - 1].e + 1)
            break; /* more than a space */
    }
    /* (at the line's end, or before a comma or a bracket and a role:
     * "C. D., IDE", "A. G. (IDEC sein)") */
    int role_after = j + 1 < s->n && !s->tok[j].nl && !s->tok[j + 1].nl &&
                     (is_punct(s, j, ',') || is_punct(s, j, '(')) && s->tok[j + 1].kind == TOK_WORD &&
                     ((s->tok[j + 1].dflags & DICT_ROLE) || (s->tok[j + 1].lex & LEX_KIN));
    if (letters < 2 || letters > 3 || (j < s->n && !s->tok[j].nl && !role_after))
        return;
    if (!(i == 0 || s->tok[i].nl)) {
        const text_tok *p = &s->tok[i - 1];
        char c = p->kind == TOK_PUNCT ? s->t[p->s] : 0;
        int ok = c == '.' || c == '/' || c == ':' || c == '-' || c == ',' ||
                 (p->kind == TOK_PUNCT && (unsigned char)c == 0xE2) || /* "–", "—" */
                 (p->kind == TOK_WORD && deid_tok_in(s, i - 1, signing));
        if (!ok)
            return;
    }
    mark(s, i, j, AT_PHI_PRENOM);
}

/* An initial and a capitalised word that closes its line or its item
 * ("Le Directeur des Finances, A. Roques", "Préparateur : K. Mas –",
 * "Physicien : Y. Trouvé   Cadre"): a person, though the word is one of
 * the language. The initial opens its line or follows a colon, a comma,
 * a bracket or a dash; the word is followed by the line's end, a comma, a
 * bracket, a dash, a slash or a wide space. Not a sentence: "Hépatite B.
 * Contrôle dans un mois" goes on. i: the letter. */
static void closed_initial_name(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    unsigned c = (unsigned char)s->t[k->s];
    if (s->lab[i] || c < 'A' || c > 'Z' || c == 'M' || i + 2 >= s->n || !is_punct(s, i + 1, '.') ||
        s->tok[i + 1].s != k->e || s->tok[i + 1].nl || s->tok[i + 2].nl || s->lab[i + 2])
        return;
    const text_tok *w = &s->tok[i + 2];
    if (w->kind != TOK_WORD || !w->cap || w->allcaps || w->e - w->s < 2 || w->s != s->tok[i + 1].e + 1 ||
        tok_has_digit(s, i + 2) || (w->lex & (LEX_MED | LEX_EPONYM | LEX_ORG | LEX_KIN | LEX_STREET)) ||
        (w->dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_HEAD |
                      DICT_IDLABEL | DICT_PARTICLE | DICT_CONNECT | DICT_BIRTH)))
        return;
    if (!k->nl) {
        const text_tok *p = &s->tok[i - 1];
        unsigned pc = p->kind == TOK_PUNCT ? (unsigned char)s->t[p->s] : 0;
        if (!(pc == ':' || pc == ',' || pc == '(' || pc == 0xE2 || (pc == '-' && p->s > s->tok[i - 2].e)))
            return;
    }
    size_t e = i + 3;
    if (e < s->n && !s->tok[e].nl) {
        const text_tok *q = &s->tok[e];
        unsigned qc = q->kind == TOK_PUNCT ? (unsigned char)s->t[q->s] : 0;
        int wide = q->s >= w->e + 2;
        if (!(qc == ',' || qc == ')' || qc == 0xE2 || qc == '/' || (qc == '-' && q->s > w->e) || wide))
            return;
    }
    if (mark(s, i + 2, i + 3, AT_PHI_NOM)) {
        mark(s, i, i + 1, AT_PHI_PRENOM);
        deid_names_add(s, i + 2, i + 3);
    }
}

/* A word in lower case ends like an adjective of a place or a region
 * ("minier", "basque", "saônoises", "ariégeois", "normande",
 * "picarde"). */
static int place_adjective(const text_scan *s, size_t i)
{
    static const char *const ends[] = {"ier",  "iere",  "ois",  "oise", "oises", "ais", "aise", "aises",
                                       "ien",  "ienne", "iens", "al",   "ale",   "aux", "ain",  "aine",
                                       "ains", "que",   "ques", "and",  "ande",  "ard", "arde", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || k->cap || k->allcaps || n < 5 || n > 20 || (k->lex & LEX_MED) ||
        (k->dflags & (DICT_CONNECT | DICT_PARTICLE | DICT_MONTH | DICT_TITLE | DICT_ROLE)))
        return 0;
    char f[32];
    int fl = text_lexicon_fold(s->t + k->s, n, f, sizeof f);
    if (fl < 5)
        return 0;
    for (const char *const *e = ends; *e; e++) {
        size_t el = strlen(*e);
        if ((size_t)fl > el + 2 && !memcmp(f + fl - el, *e, el))
            return 1;
    }
    return 0;
}

/* An establishment's or an employer's name that closes on an adjective
 * of its place ("Centre hospitalier du Bassin minier,", "HAD du Pays
 * basque,"): the adjective, in lower case after the name's last capital,
 * before a punctuation mark or the line's end, is the name's. */
static void place_adjectives(text_scan *s)
{
    for (size_t i = 1; i + 1 < s->n; i++) {
        i = deid_next_label_of(s, i, AT_PHI_HOPITAL, AT_PHI_EMPLOYEUR, AT_PHI_HOPITAL, AT_PHI_EMPLOYEUR);
        if (i + 1 >= s->n)
            break;
        int l = s->lab[i];
        if ((l != AT_PHI_HOPITAL && l != AT_PHI_EMPLOYEUR) || s->lab[i + 1] || s->tok[i + 1].nl ||
            !(s->tok[i].cap || s->tok[i].allcaps) || s->ent[i - 1] != s->ent[i] ||
            s->tok[i + 1].s != s->tok[i].e + 1 || !place_adjective(s, i + 1))
            continue;
        if (i + 2 < s->n && !s->tok[i + 2].nl && s->tok[i + 2].kind != TOK_PUNCT)
            continue;
        join_into(s, i + 1, i, l);
    }
}

void deid_pass_joins(text_scan *s)
{
    uint32_t *idx = s->scratch; /* (room for s->n indices) */
    size_t cnt = labelled_tokens(s, idx);
    for (size_t q = 0; q < cnt; q++) {
        size_t i = idx[q];
        if (i == 0)
            continue;
        int l = s->lab[i];
        if (!l || (l != AT_PHI_NOM && l != AT_PHI_EMPLOYEUR && l != AT_PHI_HOPITAL) || s->tok[i].nl ||
            (s->lab[i - 1] && s->ent[i - 1] == s->ent[i]))
            continue;
        size_t p = i - 1;
        const text_tok *k = &s->tok[p];
        if (l == AT_PHI_NOM) {
            /* particles before a surname: "Van Dijk", "LE BERRE", "le van",
             * "mme le floch" (after a title) */
            while (!s->lab[p] && k->kind == TOK_WORD && (k->dflags & DICT_PARTICLE) &&
                   (k->cap || k->allcaps || deid_tok_in(s, p, foreign_particles) ||
                    (p > 0 && (s->tok[p - 1].dflags & DICT_TITLE) && !s->tok[p].nl))) {
                join_into(s, p, i, AT_PHI_NOM);
                if (p == 0 || s->tok[p].nl)
                    break;
                p--;
                k = &s->tok[p];
            }
            /* an initial before it: "L. Lacroix", "S. Kerjean" */
            if (p >= 1 && is_punct(s, p, '.') && !s->lab[p - 1] && s->tok[p - 1].kind == TOK_WORD &&
                s->tok[p - 1].cap && s->tok[p - 1].e - s->tok[p - 1].s <= 2 &&
                !(s->tok[p - 1].dflags & DICT_TITLE) && !s->tok[p].nl) {
                mark(s, p - 1, p, AT_PHI_PRENOM);
            }
        } else if (l == AT_PHI_EMPLOYEUR || l == AT_PHI_HOPITAL) {
            /* a capitalised head and its connector before it: "Centre
             * d'[Imagerie du Léon]", "Caisse d'[Épargne ...]" */
            if (p >= 1 && !s->lab[p] && !s->lab[p - 1] && !s->tok[i].nl && !s->tok[p].nl &&
                s->tok[p].kind == TOK_WORD && !s->tok[p].cap &&
                (tok_is(s, p, "d'") || tok_is(s, p, "de") || tok_is(s, p, "du") || tok_is(s, p, "des") ||
                 tok_is(s, p, "d\xE2\x80\x99")) &&
                s->tok[p - 1].kind == TOK_WORD && s->tok[p - 1].cap &&
                ((s->tok[p - 1].dflags & (DICT_HOSP | DICT_HEAD)) || (s->tok[p - 1].lex & LEX_ORG)) &&
                !(s->tok[p - 1].dflags & (DICT_TITLE | DICT_ROLE | DICT_FIELD))) {
                join_into(s, p, i, l);
                join_into(s, p - 1, i, l);
                if (p - 1 == 0 || s->tok[p - 1].nl)
                    continue;
                p -= 2;
            }
            /* the capitalised words of its name before it: "Garage X", "SARL X" */
            for (int hop = 0; hop < 2 && !s->lab[p] && s->tok[p].kind == TOK_WORD &&
                              (s->tok[p].cap || s->tok[p].allcaps) &&
                              !(s->tok[p].allcaps && tlen(s, p) <= 4 && !(s->tok[p].lex & NAME_KINDS)) &&
                              /* a name or an organisation's word, not a header ("REGULATION");
                               * a word of the language inside a sentence ("au Nouvel Hôpital") */
                              ((s->tok[p].lex & (NAME_KINDS | LEX_ORG)) ||
                               !(s->tok[p].lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) ||
                               (s->tok[p].cap && !s->tok[p].allcaps && !(s->tok[p].lex & LEX_MED) && p > 0 &&
                                !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD && !s->tok[p - 1].cap)) &&
                              !(s->tok[p].dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE));
                 hop++) {
                join_into(s, p, i, l);
                if (p == 0 || s->tok[p].nl)
                    break;
                p--;
            }
        }
    }
    /* initials that sign a letter: two or three capitals alone on the
     * line after a closing formula ("Bien à vous,\nMC"); and dotted
     * initials that sign a line: "validé T.G.", "saisi par L.M.", "...
     * vu en consultation. A.-L." (one visit of the list: the first are
     * words of two or three letters, the second read and label single
     * letters and points, so neither sees what the other labels; the
     * tokeniser's list of the short capitalised words) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_SHORT]; q++) {
        size_t i = s->list[TEXT_LIST_SHORT][q];
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (n == 1) {
            signing_initials(s, i);
            closed_initial_name(s, i);
            /* an initial before an eponym's word is a person's: "A.
             * Lhermitte" (not a numeral: "stade I. Hodgkin") */
            unsigned c = (unsigned char)s->t[k->s];
            if (!s->lab[i] && c >= 'A' && c <= 'Z' && c != 'I' && c != 'V' && c != 'X' && i + 2 < s->n &&
                is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e && !s->tok[i + 1].nl &&
                !s->tok[i + 2].nl && !s->lab[i + 2] && s->tok[i + 2].kind == TOK_WORD && s->tok[i + 2].cap &&
                !s->tok[i + 2].allcaps && (s->tok[i + 2].lex & LEX_EPONYM) && !epo_trigger_before(s, i) &&
                (k->nl || (i > 0 && k->s > s->tok[i - 1].e)) && /* not "1,12 g/L. Glasgow 15" */
                !(i + 3 < s->n && s->tok[i + 3].kind == TOK_NUM && !s->tok[i + 3].nl) &&
                mark(s, i + 2, i + 3, AT_PHI_NOM)) {
                if (!(k->dflags & DICT_TITLE)) /* "M. Wilms": a title */
                    mark(s, i, i + 1, AT_PHI_PRENOM);
                deid_names_add(s, i + 2, i + 3);
            }
            continue;
        }
        if (s->lab[i] || !k->nl || !k->allcaps || n < 2 || n > 3 || i < 2 ||
            (i + 1 < s->n && !s->tok[i + 1].nl))
            continue;
        static const char *const closings[] = {
            "amicalement", "cordialement", "vous",          "confraternellement",
            "sentiments",  "salutations",  "devoue",        "devouee",
            "signe",       "merci",        "remerciements", NULL};
        /* a closing formula within the three lines before */
        int lines = 0, found = 0;
        for (size_t p = i; p > 0 && lines < 4 && i - p < 24 && !found; p--) {
            lines += s->tok[p].nl;
            found = s->tok[p - 1].kind == TOK_WORD && deid_tok_in(s, p - 1, closings);
        }
        if (found)
            mark(s, i, i + 1, AT_PHI_NOM);
    }
    /* the end of a name cut at a line end ("Dupo-" / "nt"), after the
     * names labelled before the joins (none where no line ends after a
     * '-': the tokeniser's sign) */
    for (size_t q = 0; q < cnt && (s->seen & TEXT_SEEN_DASH_NL); q++) {
        size_t i = idx[q] + 2;
        if (i < s->n && s->tok[i].nl && !s->lab[i] && s->tok[i].kind == TOK_WORD && is_punct(s, i - 1, '-') &&
            s->tok[i - 1].s == s->tok[i - 2].e &&
            (s->lab[i - 2] == AT_PHI_NOM || s->lab[i - 2] == AT_PHI_PRENOM || s->lab[i - 2] == AT_PHI_VILLE ||
             s->lab[i - 2] == AT_PHI_HOPITAL))
            mark(s, i, i + 1, s->lab[i - 2]);
    }
    /* the words of one name the tagger left around the words it took, on
     * one line with nothing between ("LE GALL Jean-Yves", "Nguyen Van
     * Thanh", "riou bernard", "J.-M. COADOU") */
    /* (every labelled token in order, and the one after a token when a
     * join has just labelled it) */
    cnt = labelled_tokens(s, idx);
    for (size_t q = 0, i = 0;;) {
        if (i + 1 < s->n && s->lab[i + 1]) {
            i++;
        } else {
            while (q < cnt && idx[q] <= i)
                q++;
            if (q >= cnt)
                break;
            i = idx[q];
        }
        if (i == 0)
            continue;
        int l = s->lab[i];
        if ((l != AT_PHI_PRENOM && l != AT_PHI_NOM) || s->tok[i].nl)
            continue;
        /* capitals before a first name: its surname, up to three words
         * (a first name of the lists the tagger took for a surname too,
         * where the identity is written: "Patient : BISMUTH Bernard") */
        if ((l == AT_PHI_PRENOM || (l == AT_PHI_NOM && s->tok[i].cap && (s->tok[i].lex & LEX_FIRST) &&
                                    i >= 1 && !s->lab[i - 1] && identity_start(s, i - 1))) &&
            !s->tok[i].allcaps) {
            size_t p = i;
            while (
                p > 0 && i - p < 3 && !s->tok[p].nl && !s->lab[p - 1] && s->tok[p - 1].kind == TOK_WORD &&
                s->tok[p - 1].allcaps &&
                !(s->tok[p - 1].lex & LEX_MED && !medical_surname(s, p - 1) && !identity_start(s, p - 1)) &&
                s->tok[p - 1].e - s->tok[p - 1].s <= 41 && /* (not "e - 40": unsigned near the start) */
                !(s->tok[p - 1].dflags &
                  (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_IDLABEL | DICT_MONTH)))
                p--;
            if (p < i && mark(s, p, i, AT_PHI_NOM))
                deid_names_add(s, p, i);
        }
        /* a capitalised surname of the lists, or a capitalised word no
         * list knows, right before a first name of the lists: the
         * person's surname, written first ("signé Durand Vincent",
         * "pharma : Verdier Chloé") */
        if ((l == AT_PHI_PRENOM || l == AT_PHI_NOM) && (s->tok[i].lex & LEX_FIRST) && s->tok[i].cap &&
            !s->tok[i].allcaps && i >= 1 && !s->lab[i - 1] && s->tok[i - 1].kind == TOK_WORD &&
            s->tok[i - 1].cap && !s->tok[i - 1].allcaps && s->tok[i - 1].e + 1 == s->tok[i].s &&
            tlen(s, i - 1) >= 3 && !tok_has_digit(s, i - 1) &&
            ((s->tok[i - 1].lex & LEX_LAST) || !(s->tok[i - 1].lex & (LEX_WORD | LEX_MED | LEX_EPONYM))) &&
            !(s->tok[i - 1].lex & (LEX_ORG | LEX_KIN | LEX_STREET | LEX_MED | LEX_CITY)) &&
            !(s->tok[i - 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH |
                                      DICT_CONNECT | DICT_PARTICLE | DICT_IDLABEL | DICT_BIRTH)) &&
            mark(s, i - 1, i, AT_PHI_NOM))
            deid_names_add(s, i - 1, i);
        /* a word in lower case between a title and a first name in
         * lower case is the surname, though a word of the language ("mr
         * bastide albert", "madame duc huguette") */
        if (l == AT_PHI_PRENOM && !s->tok[i].cap && !s->tok[i].allcaps && i >= 2 && !s->lab[i - 1] &&
            !s->tok[i - 1].nl && s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].cap &&
            !s->tok[i - 1].allcaps && s->tok[i - 1].e - s->tok[i - 1].s >= 3 && !tok_has_digit(s, i - 1) &&
            (((s->tok[i - 2].dflags & DICT_TITLE) && s->tok[i - 2].kind == TOK_WORD) ||
             (i >= 3 && is_punct(s, i - 2, '.') && (s->tok[i - 3].dflags & DICT_TITLE) &&
              s->tok[i - 3].kind == TOK_WORD && !s->tok[i - 2].nl)) &&
            !(s->tok[i - 1].lex & (LEX_MED | LEX_KIN | LEX_EPONYM)) &&
            !(s->tok[i - 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_PARTICLE |
                                      DICT_CONNECT | DICT_IDLABEL | DICT_BIRTH)) &&
            mark(s, i - 1, i, AT_PHI_NOM))
            deid_names_add(s, i - 1, i);
        /* a particle between two words of names ("Nguyen Van Thanh",
         * "m. yannick le goff", "Puig i Ferrer") */
        if (i + 2 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl && !s->tok[i + 2].nl &&
            (s->lab[i + 2] == AT_PHI_PRENOM || s->lab[i + 2] == AT_PHI_NOM) &&
            s->tok[i + 1].kind == TOK_WORD && (s->tok[i + 1].dflags & DICT_PARTICLE) &&
            (s->tok[i + 1].cap || s->tok[i + 1].allcaps || s->ent[i + 2] != s->ent[i]))
            join_into(s, i + 1, i + 2, s->lab[i + 2]);
        /* an elided particle glued to a surname: "N'GUESSAN", "M'Baye" */
        if (l == AT_PHI_NOM && i >= 1 && !s->lab[i - 1] && s->tok[i - 1].e == s->tok[i].s &&
            s->tok[i - 1].kind == TOK_WORD && !s->tok[i].nl && s->tok[i - 1].cap &&
            (s->tok[i].cap || s->tok[i].allcaps) &&
            (tok_is(s, i - 1, "n'") || tok_is(s, i - 1, "m'") || tok_is(s, i - 1, "n\xE2\x80\x99") ||
             tok_is(s, i - 1, "m\xE2\x80\x99")))
            join_into(s, i - 1, i, AT_PHI_NOM);
        /* a name of a name list right after, in lower case too ("riou bernard") */
        if (i + 1 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_WORD &&
            s->tok[i + 1].s > s->tok[i].e &&
            ((s->tok[i + 1].lex & (LEX_FIRST | LEX_LAST)) ||
             ((s->tok[i + 1].lex & LEX_EPONYM) && l == AT_PHI_PRENOM && s->tok[i + 1].cap) ||
             (l == AT_PHI_PRENOM && !s->tok[i].allcaps && medical_surname(s, i + 1))) &&
            (!(s->tok[i + 1].lex & (LEX_MED | LEX_EPONYM)) || medical_surname(s, i + 1) ||
             ((s->tok[i + 1].lex & LEX_EPONYM) && (s->tok[i + 1].cap || s->tok[i + 1].allcaps) &&
              l == AT_PHI_PRENOM && !epo_trigger_before(s, i))) &&
            (s->tok[i + 1].cap || s->tok[i + 1].allcaps || !(s->tok[i + 1].lex & LEX_WORD)) &&
            !(s->tok[i + 1].dflags &
              (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_CONNECT))) {
            int lab = (s->tok[i + 1].lex & LEX_FIRST) && !(s->tok[i + 1].lex & LEX_LAST)   ? AT_PHI_PRENOM
                      : (s->tok[i + 1].lex & LEX_LAST) && !(s->tok[i + 1].lex & LEX_FIRST) ? AT_PHI_NOM
                      : l == AT_PHI_NOM                                                    ? AT_PHI_PRENOM
                                                                                           : AT_PHI_NOM;
            if (mark(s, i + 1, i + 2, lab))
                deid_names_add(s, i + 1, i + 2);
        }
        /* a capitalised word closing a phrase after a first name of the
         * lists is its surname, though a word of the language ("sage-femme
         * Bérangère Dimanche, étudiante ...") */
        if (l == AT_PHI_PRENOM && i + 2 < s->n && !s->lab[i + 1] && !s->tok[i + 1].nl &&
            s->tok[i + 1].kind == TOK_WORD && s->tok[i + 1].cap && !s->tok[i + 1].allcaps &&
            s->tok[i + 1].s == s->tok[i].e + 1 && (s->tok[i].lex & LEX_FIRST) &&
            !(s->tok[i].lex & (LEX_WORD | LEX_MED)) && s->tok[i].cap && !s->tok[i].allcaps &&
            (s->tok[i + 2].nl || is_punct(s, i + 2, ',') || is_punct(s, i + 2, ')') ||
             is_punct(s, i + 2, '(')) &&
            !(s->tok[i + 1].lex & (LEX_ORG | LEX_KIN | LEX_STREET | LEX_FIRST)) &&
            !(s->tok[i + 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH |
                                      DICT_CONNECT | DICT_PARTICLE | DICT_IDLABEL | DICT_BIRTH)) &&
            !epo_trigger_before(s, i) && mark(s, i + 1, i + 2, AT_PHI_NOM))
            deid_names_add(s, i + 1, i + 2);
        /* compound initials before a surname: "J.-M. Coadou", "P.-Y. Le Roux" */
        if (l == AT_PHI_NOM && i >= 5 && (s->lab[i - 1] == AT_PHI_PRENOM || is_punct(s, i - 1, '.'))) {
            size_t e = s->lab[i - 1] == AT_PHI_PRENOM ? i - 1 : i;
            /* e: the first token of the initial before the surname (or the surname) */
            while (e > 0 && s->lab[e - 1] == AT_PHI_PRENOM && s->ent[e - 1] == s->ent[i - 1])
                e--;
            if (e >= 4 && is_punct(s, e - 1, '-') && is_punct(s, e - 2, '.') &&
                s->tok[e - 3].kind == TOK_WORD && s->tok[e - 3].cap &&
                s->tok[e - 3].e - s->tok[e - 3].s <= 2 && !s->lab[e - 3] && !s->tok[e - 1].nl &&
                !s->tok[e].nl) {
                size_t b = i;
                while (b > e && (s->lab[b - 1] == AT_PHI_PRENOM || is_punct(s, b - 1, '.')))
                    b--;
                for (size_t q = e - 3; q < b; q++)
                    s->lab[q] = 0;
                mark(s, e - 3, b, AT_PHI_PRENOM);
            } else if (is_punct(s, i - 1, '.') && i >= 4 && is_punct(s, i - 3, '-') &&
                       s->tok[i - 2].kind == TOK_WORD && s->tok[i - 2].cap &&
                       s->tok[i - 2].e - s->tok[i - 2].s <= 2 && is_punct(s, i - 4, '.') &&
                       s->tok[i - 5].kind == TOK_WORD && s->tok[i - 5].cap &&
                       s->tok[i - 5].e - s->tok[i - 5].s <= 2 && !s->tok[i - 4].nl && !s->tok[i - 3].nl &&
                       !s->tok[i - 2].nl && !s->tok[i - 1].nl) {
                int free_run = 1;
                for (size_t q = i - 5; q < i - 1; q++)
                    free_run &= !s->lab[q] || s->lab[q] == AT_PHI_PRENOM;
                if (free_run) {
                    for (size_t q = i - 5; q < i - 1; q++)
                        s->lab[q] = 0;
                    mark(s, i - 5, i - 1, AT_PHI_PRENOM);
                }
            }
        }
    }
    place_adjectives(s);
    deid_pass_name_joins(s);
}

/* Token i, unlabelled, is joined to a first name found by "et", "/" or a
 * comma and written in the same case ("Zéria et Auette", "Ont appelé :
 * Noël / Garick", "leurs enfants victor et robert"), and is no word of
 * the language but of the first-name list. */
static int coordinated_first_read(const text_scan *s, size_t i);
static inline int coordinated_first(const text_scan *s, size_t i)
{
    /* most words end here, without a call: no first name found two tokens
     * away */
    if (!((i >= 2 && s->lab[i - 2] == AT_PHI_PRENOM) || (i + 2 < s->n && s->lab[i + 2] == AT_PHI_PRENOM)))
        return 0;
    return coordinated_first_read(s, i);
}

static int coordinated_first_read(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    /* (no word with a digit: "mme ribeiro ana paula, 42a") */
    if (k->e - k->s < 3 || tok_has_digit(s, i) ||
        (k->lex & (LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET)) ||
        ((k->lex & LEX_WORD) && !(k->lex & LEX_FIRST)) ||
        (k->dflags & (DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_HOSP | DICT_STREET | DICT_HEAD |
                      DICT_CONNECT | DICT_PARTICLE)))
        return 0;
    for (int side = -1; side <= 1; side += 2) {
        size_t c = side < 0 ? i - 1 : i + 1, p = side < 0 ? i - 2 : i + 2;
        if (side < 0 && i < 2)
            continue;
        if (p >= s->n || s->tok[c].nl || s->tok[p].nl || (side > 0 && s->tok[i + 1].nl))
            continue;
        if (!(tok_is(s, c, "et") || is_punct(s, c, '/') || is_punct(s, c, ',')))
            continue;
        const text_tok *u = &s->tok[p];
        if (s->lab[p] != AT_PHI_PRENOM || u->kind != TOK_WORD || u->cap != k->cap ||
            u->allcaps != k->allcaps || (p > 0 && s->lab[p - 1] && s->ent[p - 1] == s->ent[p]) ||
            (p + 1 < s->n && s->lab[p + 1] && s->ent[p + 1] == s->ent[p]))
            continue;
        /* a person named before on the line: a relative, a title, a
         * role or a field label ("Ses enfants, X et Y", "Présents : X,
         * Y"), never a list of drugs ("Aquacel, Biatain") */
        size_t from = p < i ? p : i;
        for (size_t b = from, hop = 0; b > 0 && hop < 12 && !s->tok[b].nl; b--, hop++) {
            const text_tok *t = &s->tok[b - 1];
            if ((t->lex & LEX_KIN) || (t->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE | DICT_GREET)))
                return !deid_drug_line(s, i);
        }
    }
    return 0;
}

/* A particle between two names found apart, in any case, after the
 * allow-list too ("m. yannick le goff": "goff" is the allow-list's). */
static void particles_between(text_scan *s)
{
    /* particles no French phrase writes after a name: any word after them
     * is the surname's ("da costa", "dos reis") */
    static const char *const strong_particles[] = {"da",  "dos", "das", "van", "von",  "della",
                                                   "del", "ait", "ben", "bin", "ould", NULL};
    for (size_t i = 0; i + 2 < s->n; i++) {
        i = deid_next_label_of(s, i, AT_PHI_NOM, AT_PHI_PRENOM, AT_PHI_NOM, AT_PHI_PRENOM); /* (a name's) */
        if (i + 2 >= s->n)
            break;
        int l = s->lab[i], r = s->lab[i + 2];
        if ((l == AT_PHI_NOM || l == AT_PHI_PRENOM) && (r == AT_PHI_NOM || r == AT_PHI_PRENOM) &&
            !s->lab[i + 1] && s->ent[i] != s->ent[i + 2] && !s->tok[i + 1].nl && !s->tok[i + 2].nl &&
            s->tok[i + 1].kind == TOK_WORD && (s->tok[i + 1].dflags & DICT_PARTICLE) &&
            s->tok[i + 1].s > s->tok[i].e && s->tok[i + 2].s > s->tok[i + 1].e)
            join_into(s, i + 1, i + 2, r);
        /* a foreign particle and a word of no list after a name ("aurore
         * da costa", "Benoît van Wulf"); not "le", "de", "la", "du" */
        if ((l == AT_PHI_NOM || l == AT_PHI_PRENOM) && !s->lab[i + 1] && !s->lab[i + 2] &&
            !s->tok[i + 1].nl && !s->tok[i + 2].nl && s->tok[i + 1].kind == TOK_WORD &&
            (s->tok[i + 1].dflags & DICT_PARTICLE) && !(s->tok[i + 1].dflags & DICT_CONNECT) &&
            s->tok[i + 2].kind == TOK_WORD && s->tok[i + 1].s > s->tok[i].e &&
            s->tok[i + 2].s > s->tok[i + 1].e && !(s->tok[i + 2].lex & LEX_EPONYM) &&
            (!(s->tok[i + 2].lex & LEX_WORD) || (s->tok[i + 2].lex & (LEX_FIRST | LEX_LAST)) ||
             deid_tok_in(s, i + 1, strong_particles)) &&
            !(s->tok[i + 2].dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH |
                                      DICT_CONNECT | DICT_PARTICLE)) &&
            !tok_has_digit(s, i + 2) && mark(s, i + 1, i + 3, AT_PHI_NOM))
            deid_names_add(s, i + 1, i + 3);
    }
}

/* Token i is an initial ("K", "JB", "J-B"; capitals, no title "M"),
 * its full stop glued, then a word unlabelled on the line, one space on,
 * capitalised, that a list gives as a surname or first name or no list
 * holds. */
static int initial_before_surname(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n > 3 || i + 2 >= s->n || s->lab[i] || !is_punct(s, i + 1, '.') ||
        s->tok[i + 1].s != k->e || s->tok[i + 2].nl || s->tok[i + 2].s != s->tok[i + 1].e + 1 ||
        s->lab[i + 2])
        return 0;
    for (size_t q = 0; q < n; q++) {
        char c = s->t[k->s + q];
        if (!((c >= 'A' && c <= 'Z') || (c == '-' && q == 1 && n == 3)))
            return 0;
    }
    if (n == 1 && s->t[k->s] == 'M')
        return 0;
    /* a roman numeral ("Clavien-Dindo II. Gastroparésie"), the last letter
     * of an acronym with its dots ("V.A.C. Ulta"), a unit's ("kUI/L.") */
    int roman = 1;
    for (size_t q = 0; q < n; q++)
        roman &= s->t[k->s + q] == 'I' || s->t[k->s + q] == 'V' || s->t[k->s + q] == 'X';
    if (roman ||
        (i > 0 && s->tok[i - 1].e == k->s && !(is_punct(s, i - 1, '-') && i > 1 && is_punct(s, i - 2, '.'))))
        return 0; /* (but "A.-S. Marin") */
    /* after a word in lower case or a number on the line: a vitamin's, a
     * group's, a list's letter */
    if (i > 0 && !k->nl &&
        (s->tok[i - 1].kind == TOK_NUM ||
         (s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].cap && !s->tok[i - 1].allcaps)))
        return 0;
    const text_tok *w = &s->tok[i + 2];
    if (w->kind != TOK_WORD || !w->cap || w->allcaps || w->e - w->s < 2 || tok_has_digit(s, i + 2))
        return 0;
    if (w->dflags & (DICT_TITLE | DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_MONTH | DICT_HEAD | DICT_IDLABEL))
        return 0;
    unsigned lx = w->lex;
    if (lx & (LEX_FIRST | LEX_LAST))
        return !(lx & (LEX_MED | LEX_EPONYM)) || (lx & LEX_LAST);
    return !(lx & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_ORG | LEX_STREET | LEX_PLACE | LEX_CITY));
}

void deid_pass_name_joins(text_scan *s)
{
    particles_between(s);
    /* names joined to a first name found ("X et Y"), in lower case too */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ODD]; q++) {
        size_t i = s->list[TEXT_LIST_ODD][q];
        if (!s->lab[i] && i > 0 && s->tok[i].kind == TOK_WORD && coordinated_first(s, i) &&
            mark(s, i, i + 1, AT_PHI_PRENOM))
            deid_names_add(s, i, i + 1);
    }
    /* one visit of the capitalised words the rules left */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        if (!s->lab[i] && (i == 0 || k->nl) && k->kind == TOK_WORD && k->cap && !k->allcaps &&
            (k->lex & LEX_FIRST) && !(k->lex & LEX_EPONYM) && i + 1 < s->n && s->lab[i + 1] == AT_PHI_NOM &&
            !s->tok[i + 1].nl && s->tok[i + 1].s == k->e + 1 &&
            !(k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_CONNECT |
                           DICT_EPONYM | DICT_PARTICLE)) &&
            !deid_eponym_context(s, i)) {
            /* "Claire Montagnac, conseillère": a first name opening its
             * line before a surname found, though a word too */
            if (mark(s, i, i + 1, AT_PHI_PRENOM))
                deid_names_add(s, i, i + 1);
            continue;
        }
        if (s->lab[i] || i == 0 || k->nl || k->kind != TOK_WORD)
            continue;
        if (coordinated_first(s, i)) {
            if (mark(s, i, i + 1, AT_PHI_PRENOM))
                deid_names_add(s, i, i + 1);
            continue;
        }
        /* an initial before a surname found: "R. DURAUD", and "M." too
         * after a title ("dr M. BAILLY"); after a relative or a label it is
         * Monsieur ("son frère M. LEDUC", "Patient : M. Diallo") */
        if (k->e - k->s <= 2 && k->cap && i + 2 < s->n && is_punct(s, i + 1, '.') &&
            s->lab[i + 2] == AT_PHI_NOM && !s->tok[i + 2].nl &&
            (k->e - k->s == 1 || (unsigned char)s->t[k->s] >= 0xC0)) {
            int title = (k->dflags & DICT_TITLE) != 0;
            const text_tok *b = &s->tok[i - 1];
            if (!title || (b->dflags & DICT_TITLE)) {
                mark(s, i, i + 1, AT_PHI_PRENOM);
                continue;
            }
        }
        /* an initial and its full stop before a capitalised word that is a
         * surname of the lists or no word of the language ("K. Ly", "Dr
         * J-B. Petit", "C. Sénéchal, psychologue"); not after a word in
         * lower case ("vitamine D. Vu"), not a medical word ("S. Aureus") */
        if (initial_before_surname(s, i)) {
            s->lab[i] = AT_PHI_PRENOM;
            s->ent[i] = ++s->next_ent;
            if (mark(s, i + 2, i + 3, AT_PHI_NOM))
                deid_names_add(s, i + 2, i + 3);
            continue;
        }
        int next_nom =
            i + 1 < s->n && s->lab[i + 1] == AT_PHI_NOM && !s->tok[i + 1].nl && s->tok[i + 1].s == k->e + 1;
        /* "NOM Prénom": a known first name after a surname in capitals */
        if (!k->allcaps && (k->lex & LEX_FIRST) && s->lab[i - 1] == AT_PHI_NOM && s->tok[i - 1].allcaps &&
            !(k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD))) {
            mark(s, i, i + 1, AT_PHI_PRENOM);
            continue;
        }
        /* "Prénom NOM": a capitalised word of the first-name list right
         * before a surname found on the same line, though a word of the
         * language or of the medical vocabulary too ("Amandine Derrien");
         * after a title, any capitalised word ("Docteur Lorraine MENARD",
         * "Madame Océane Kerelli") */
        if (next_nom && k->cap && !k->allcaps && !(k->lex & LEX_EPONYM) &&
            !(k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_CONNECT |
                           DICT_EPONYM | DICT_PARTICLE)) &&
            (((k->lex & LEX_FIRST) && !deid_eponym_context(s, i)) ||
             ((s->tok[i - 1].dflags & DICT_TITLE) && !s->lab[i - 1]))) {
            if (mark(s, i, i + 1, AT_PHI_PRENOM))
                deid_names_add(s, i, i + 1);
            continue;
        }
        /* a town by its place in the writing: after an address and a
         * comma at the end of the line or of a clause ("31 chemin de
         * Kerlann, Millau"), or where a letter is signed ("Fait à
         * Pithiviers, le 12/02/2020"), a word of the language too,
         * hyphenated parts joined */
        if (i < 2 || !k->cap || !(is_punct(s, i - 1, ',') || tok_is(s, i - 1, "\xC3\xA0")) ||
            (k->lex & (LEX_MED | LEX_EPONYM)) ||
            (k->dflags &
             (DICT_TITLE | DICT_MONTH | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_STREET | DICT_HEAD)))
            continue;
        size_t e = i + 1; /* the hyphenated parts glued to it */
        while (e + 1 < s->n && is_punct(s, e, '-') && s->tok[e].s == s->tok[e - 1].e &&
               s->tok[e + 1].s == s->tok[e].e && s->tok[e + 1].kind == TOK_WORD && !s->lab[e + 1] &&
               e - i < 8)
            e += 2;
        int end =
            e >= s->n || s->tok[e].nl || is_punct(s, e, '.') || is_punct(s, e, ')') || is_punct(s, e, ';');
        int after_addr = is_punct(s, i - 1, ',') && s->lab[i - 2] == AT_PHI_ADRESSE && end;
        int signed_at = tok_is(s, i - 1, "\xC3\xA0") && e + 2 < s->n && is_punct(s, e, ',') &&
                        tok_is(s, e + 1, "le") &&
                        (s->lab[e + 2] == AT_PHI_DATE || s->tok[e + 2].kind == TOK_NUM);
        if ((after_addr || signed_at) &&
            !(k->allcaps && e - i == 1 && !(k->lex & NAME_KINDS) && k->e - k->s <= 4))
            mark(s, i, e, AT_PHI_VILLE);
    }
}
