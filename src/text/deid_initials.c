/* Initials and compound first names, after the tagger:
 *  - dotted initials joined by a hyphen ("J.-P.", "M.-F. G.", "W.-K."):
 *    a first name wherever they stand;
 *  - dotted initials run together or spaced ("L.B.", "P.E.", "E. G.")
 *    and a hyphenated pair of capitals ("J-B", "L-GM"): where a
 *    signature or a name stands (beside a name, at a line's end, in
 *    parentheses, after "/", "signé", "par"), never an abbreviation of
 *    the language ("N.B.", "i.v.", "P.S.");
 *  - one dotted capital beside a name ("Gwen L.", "CORNEC Y.", "L."
 *    before a name), not the title "M." before a name;
 *  - two or three capitals that sign a line: alone on it ("NS / BS"),
 *    after a dash at its end ("— GK"), after a closing ("Cordialement,
 *    AM"), after "par" at its end, before "= Dr", after "initiales";
 *    after a verb of typing or checking and "par" ("frappée par CB le
 *    6/03", "dactylographié ... par MG"); a letter's reference ("GP/sl",
 *    "/ML – ASS");
 *  - a name spelt out in capitals ("H E D I"): four letters or more;
 *  - a hyphenated word whose first and last parts are first names
 *    ("Marie-Reine", "Marc-Olivier"), not after a street or "saint". */
#include "tagger.h"

#include "lexicon.h"

static size_t ilen(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* A one-letter word token (an ASCII letter). */
static int letter1(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD || ilen(s, i) != 1)
        return 0;
    char c = s->t[s->tok[i].s];
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int nm_label(int l)
{
    return l == AT_PHI_NOM || l == AT_PHI_PRENOM;
}

/* A dash token: '-', en dash or em dash. */
static int dash(const text_scan *s, size_t i)
{
    if (i >= s->n || s->tok[i].kind != TOK_PUNCT)
        return 0;
    const unsigned char *p = (const unsigned char *)s->t + s->tok[i].s;
    size_t n = ilen(s, i);
    return (n == 1 && p[0] == '-') ||
           (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94));
}

static int line_end(const text_scan *s, size_t i)
{
    return i >= s->n || s->tok[i].nl;
}

/* Abbreviations of the language written with dots, folded letters. */
static int abbrev(const char *f)
{
    static const char *const ab[] = {"nb",  "ps", "iv", "po",  "sc",  "im",  "ok",  "eg", "ie",
                                     "cad", "am", "pm", "sa",  "ue",  "us",  "ht",  "st", "cf",
                                     "id",  "av", "ap", "jc",  "vs",  "ms",  "mr",  "rv", "sl",
                                     "qs",  "pc", "pj", "vgm", "usa", "qsp", "ttc", "vac"};
    for (size_t k = 0; k < sizeof ab / sizeof *ab; k++)
        if (!strcmp(ab[k], f))
            return 1;
    return 0;
}

/* The group of dotted initials starting at token i: its end (exclusive),
 * its letters folded in f (up to 7), whether a hyphen or a space joins
 * two of them. 0 letters when token i starts none. */
static size_t dotted_group(const text_scan *s, size_t i, char *f, int *nlet, int *hyph, int *spaced)
{
    size_t j = i;
    *nlet = *hyph = *spaced = 0;
    while (letter1(s, j) && (j == i || !s->tok[j].nl) && is_punct(s, j + 1, '.') && !s->tok[j + 1].sp) {
        char c = s->t[s->tok[j].s];
        if (*nlet < 7)
            f[*nlet] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        (*nlet)++;
        j += 2;
        if (is_punct(s, j, '-') && !s->tok[j].sp && letter1(s, j + 1) && !s->tok[j + 1].sp) {
            *hyph = 1;
            j++;
            continue;
        }
        if (letter1(s, j) && !s->tok[j].nl && is_punct(s, j + 1, '.') && !s->tok[j + 1].sp) {
            if (s->tok[j].sp)
                *spaced = 1;
            continue;
        }
        break;
    }
    f[*nlet < 7 ? *nlet : 7] = 0;
    return j;
}

/* A signature's or a name's place around tokens [a, b). */
static int sign_place(const text_scan *s, size_t a, size_t b, int strict)
{
    if (is_punct(s, b, ':') && !s->tok[b].nl)
        return 0; /* a label ("P.J. :") */
    if (b < s->n && !s->tok[b].nl && nm_label(s->lab[b]))
        return 1;
    if (a > 0 && !s->tok[a].nl && nm_label(s->lab[a - 1]))
        return 1;
    int after = line_end(s, b) || is_punct(s, b, ')') || is_punct(s, b, '/');
    int before = a == 0 || s->tok[a].nl || is_punct(s, a - 1, '(') || is_punct(s, a - 1, '/') ||
                 dash(s, a - 1) || tok_is(s, a - 1, "par") || tok_is(s, a - 1, "sign\xC3\xA9") ||
                 tok_is(s, a - 1, "visa");
    return strict ? after && before : after || before;
}

static void label_first(text_scan *s, size_t a, size_t b)
{
    if (mark(s, a, b, AT_PHI_PRENOM)) {
        deid_names_add(s, a, b);
        return;
    }
    /* a part the tagger took: the others beside it */
    for (size_t j = a; j < b;) {
        size_t e = j;
        while (e < b && !s->lab[e])
            e++;
        while (j < e && s->tok[j].kind != TOK_WORD)
            j++;
        if (e > j)
            mark(s, j, e, AT_PHI_PRENOM);
        j = e + 1;
    }
}

/* Token i, a capital followed by its dot, beside a labelled name. */
static void single_initial(text_scan *s, size_t i)
{
    if (s->lab[i] || !is_name_word(s, i) || ilen(s, i) != 1 || s->lab[i + 1])
        return;
    int next = i + 2 < s->n && !s->tok[i + 2].nl && s->tok[i + 2].sp && nm_label(s->lab[i + 2]) &&
               s->tok[i + 2].kind == TOK_WORD;
    int prev =
        i > 0 && !s->tok[i].nl && s->tok[i].sp && nm_label(s->lab[i - 1]) && s->tok[i - 1].kind == TOK_WORD;
    /* "M." before a name is the title */
    if (next && (s->tok[i].dflags & DICT_TITLE))
        return;
    /* an initial signing a line's last sentence: "... faxé au labo. N." */
    if (!next && !prev && i > 0 && !s->tok[i].nl && is_punct(s, i - 1, '.') && line_end(s, i + 2) &&
        s->tok[i + 1].s == s->tok[i].e)
        prev = 1;
    /* "Signature : L. Berger": after a field, before a capitalised word
     * that ends the line */
    if (!next && !prev && i > 0 && is_punct(s, i - 1, ':') && !s->tok[i].nl && is_name_word(s, i + 2) &&
        !s->tok[i + 2].nl && !s->lab[i + 2] && !(s->tok[i + 2].lex & LEX_MED) && line_end(s, i + 3) &&
        !(s->tok[i + 2].dflags & (DICT_TITLE | DICT_HEAD | DICT_HOSP)))
        prev = 1;
    if (next || prev) {
        label_first(s, i, i + 2);
        return;
    }
    /* an initial before a capitalised surname no list of the language
     * holds ("par S. Quéré", "Biologiste : A. Raverot"), or before one
     * that is a word after a signer's place ("par", a field's colon, a
     * bracket, a role) where the name ends the phrase ("gérant J. Petit",
     * "(C. Rose)"); "M." is the title, and the word after a sentence's
     * initial ("vitamine D. Puis") is the language's */
    size_t w = i + 2;
    if (w >= s->n || (s->tok[i].dflags & DICT_TITLE) || s->tok[i + 1].e != s->tok[w].s - 1 || s->tok[w].nl ||
        s->lab[w] || s->tok[w].kind != TOK_WORD || !s->tok[w].cap || ilen(s, w) < 2 ||
        (s->tok[w].dflags & (DICT_TITLE | DICT_HOSP | DICT_HEAD | DICT_MONTH | DICT_ROLE | DICT_FIELD)) ||
        (s->tok[w].lex & (LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET)) ||
        !is_punct(s, i + 1, '.') || s->tok[i + 1].s != s->tok[i].e ||
        (i > 0 && s->tok[i].s == s->tok[i - 1].e))
        return;
    /* (after a number a letter is a unit's, "3 L."; D and G after a
     * word are a side's, "hanche D.") */
    char c0 = s->t[s->tok[i].s];
    if (i > 0 && !s->tok[i].nl &&
        (s->tok[i - 1].kind == TOK_NUM || ((c0 == 'D' || c0 == 'G') && s->tok[i - 1].kind == TOK_WORD)))
        return;
    int signer = i > 0 && !s->tok[i].nl &&
                 (tok_is(s, i - 1, "par") || is_punct(s, i - 1, ':') || is_punct(s, i - 1, '(') ||
                  (s->tok[i - 1].dflags & DICT_ROLE) || (s->tok[i - 1].lex & (LEX_KIN | LEX_CUE_EMP)));
    int ends = w + 1 >= s->n || s->tok[w + 1].nl || is_punct(s, w + 1, ',') || is_punct(s, w + 1, ')') ||
               tok_is(s, w + 1, "le");
    if (!(s->tok[w].lex & LEX_WORD) || (signer && ends)) {
        label_first(s, i, i + 2);
        mark(s, w, w + 1, AT_PHI_NOM);
    }
}

/* Token p ("par") follows a verb of typing, entering or checking on its
 * line, within ten tokens: "frappée par", "dactylographié le ... par",
 * "saisi par", "validé par". */
static const char *const typed_verbs[] = {"frappe",         "frappee",         "tape",      "tapee",
                                          "dactylographie", "dactylographiee", "saisi",     "saisie",
                                          "redige",         "redigee",         "transcrit", "transcrite",
                                          "relu",           "relue",           "valide",    "validee",
                                          "controle",       "controlee",       "dicte",     "dictee",
                                          "verifie",        "verifiee",        NULL};

/* Those whose participle right before capitals names who did it ("dicté
 * EK", "relu NM"; not "validé CBO", "contrôle QA", "transcrit BCR"). */
static const char *const typist_verbs[] = {"frappe",         "frappee",         "tape", "tapee",
                                           "dactylographie", "dactylographiee", "relu", "relue",
                                           "dicte",          "dictee",          NULL};

static int typed_by(const text_scan *s, size_t p)
{
    for (size_t q = p, hop = 0; q > 0 && hop < 10 && !s->tok[q].nl; q--, hop++)
        if (s->tok[q - 1].kind == TOK_WORD && deid_tok_in(s, q - 1, typed_verbs))
            return 1;
    return 0;
}

/* Token i opens a letter's reference, on its line or after a dash: the
 * signer's and the typist's initials ("GP/sl", "– AB/cd"); after "Réf.
 * :", "N/Réf", "V/Réf" the reference's initials may be capitals both and
 * go on ("Réf. : JYB/SD – Dossier n° ..."). The typist's are token i + 2. */
static int reference_pair(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    int opens = i == 0 || k->nl || (dash(s, i - 1) && !s->tok[i - 1].nl);
    size_t rq = i;
    if (rq > 0 && is_punct(s, rq - 1, ':') && !s->tok[rq - 1].nl)
        rq--;
    if (rq > 0 && is_punct(s, rq - 1, '.') && !s->tok[rq - 1].nl)
        rq--;
    int ref = rq > 0 &&
              (tok_is(s, rq - 1, "ref") || tok_is(s, rq - 1,
                                                  "r\xC3\xA9"
                                                  "f")) &&
              !s->tok[i].nl;
    return (opens || ref) && is_punct(s, i + 1, '/') && !s->tok[i + 1].nl && i + 2 < s->n &&
           s->tok[i + 2].kind == TOK_WORD && (!s->tok[i + 2].cap || (ref && s->tok[i + 2].allcaps)) &&
           ilen(s, i + 2) >= 2 && ilen(s, i + 2) <= 3 && (line_end(s, i + 3) || (ref && dash(s, i + 3)));
}

/* Token i: two or three capitals (or "J-B") in a signature's place. */
static void capitals_sign(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = ilen(s, i);
    if (s->lab[i] || k->kind != TOK_WORD || n < 2 || n > 4)
        return;
    int hy = 0;
    for (size_t j = 0; j < n; j++) {
        char c = s->t[k->s + j];
        if (c == '-' && j == 1 && n > 2)
            hy = 1;
        else if (c < 'A' || c > 'Z')
            return;
    }
    if (n == 4 && !hy)
        return;
    if (k->dflags & (DICT_TITLE | DICT_IDLABEL | DICT_ROLE | DICT_MONTH))
        return;
    int end = line_end(s, i + 1);
    int ok = 0;
    /* who typed, entered or checked it: "frappée par CB le 06/03",
     * "dactylographié ... par MG" (a medical abbreviation too: MG) */
    if (i > 1 && !k->nl && tok_is(s, i - 1, "par") && typed_by(s, i - 1) &&
        (end || s->tok[i + 1].kind == TOK_PUNCT || tok_is(s, i + 1, "le") || tok_is(s, i + 1, "et"))) {
        label_first(s, i, i + 1);
        return;
    }
    /* a letter's reference: the signer's and the typist's initials */
    if (reference_pair(s, i)) {
        label_first(s, i, i + 1);
        if (!s->lab[i + 2])
            label_first(s, i + 2, i + 3);
        return;
    }
    /* or the typist's alone ("/ML – ASS", "/AM") */
    if (i > 0 && !k->nl && is_punct(s, i - 1, '/') && (i == 1 || s->tok[i - 1].nl) &&
        (end || dash(s, i + 1))) {
        label_first(s, i, i + 1);
        return;
    }
    /* two signatures alone on their line ("AS / LD"), or one after a
     * closing ("Cordialement, AS"): even a medical abbreviation's letters */
    if ((i == 0 || k->nl) && is_punct(s, i + 1, '/') && !s->tok[i + 1].nl && i + 2 < s->n &&
        s->tok[i + 2].allcaps && ilen(s, i + 2) <= 3 && line_end(s, i + 3))
        ok = 2;
    else if (end && i > 1 && is_punct(s, i - 1, ',') &&
             (tok_is(s, i - 2, "cordialement") || tok_is(s, i - 2, "amiti\xC3\xA9s") ||
              tok_is(s, i - 2, "bises")))
        ok = 1;
    /* (after a signing word, even a medical abbreviation's letters:
     * "signé AMG", "visa : PL") */
    size_t sw = i > 1 && is_punct(s, i - 1, ':') && !s->tok[i - 1].nl ? i - 1 : i;
    if (!ok && end && sw > 0 && !s->tok[sw].nl && !k->nl &&
        (tok_is(s, sw - 1, "sign\xC3\xA9") || tok_is(s, sw - 1, "signe") || tok_is(s, sw - 1, "visa")))
        ok = 1;
    if (!ok && (k->lex & LEX_MED))
        return;
    if (ok) {
        /* (decided above) */
    } else if (hy)
        ok = sign_place(s, i, i + 1, 0);
    else if ((i == 0 || k->nl) && end)
        ok = 1; /* alone on its line */
    else if (end && i > 0 && !k->nl && ((dash(s, i - 1) && n == 2) || tok_is(s, i - 1, "par")))
        ok = 1;
    else if (i > 0 && !k->nl && tok_is(s, i - 1, "par") && is_punct(s, i + 1, ')'))
        ok = 1;
    else if (end && n == 2 && i > 0 && !k->nl && is_punct(s, i - 1, '.') && !(k->lex & LEX_WORD))
        ok = 1; /* "... ce matin. EG" */
    else if (i > 0 && !k->nl && !s->lab[i - 1] && s->tok[i - 1].allcaps &&
             ((s->tok[i - 1].lex & LEX_KIN) || (s->tok[i - 1].dflags & DICT_ROLE)) &&
             !(k->dflags & DICT_HEAD) &&
             (end || is_punct(s, i + 1, '|') || is_punct(s, i + 1, ';') || is_punct(s, i + 1, '"') ||
              is_punct(s, i + 1, ')') || is_punct(s, i + 1, '+') || is_punct(s, i + 1, '/')))
        ok = 1; /* a carer's initials signing a line: "| IDE LM", "(IOA MZ)", "IDE MZ + JLP" */
    else if (i > 0 && !k->nl && s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].allcaps &&
             deid_tok_in(s, i - 1, typist_verbs) && !(k->lex & (LEX_WORD | LEX_ORG)) &&
             !(k->dflags & DICT_HEAD))
        ok = 1; /* who typed or read it, right after the verb: "dicté EK / frappé VB", "relu NM" */
    else if (end && i > 1 && !k->nl && is_punct(s, i - 1, '/') && s->tok[i - 1].s > s->tok[i - 2].e &&
             s->tok[i - 1].e == k->s && !(k->lex & LEX_WORD))
        ok = 1; /* signing the end of a line after a slash: "... à surveiller. /MZ" */
    else if (is_punct(s, i + 1, '=') && i + 2 < s->n && (s->tok[i + 2].dflags & DICT_TITLE))
        ok = 1;
    else if (i > 0 && (tok_is(s, i - 1, "initiales") ||
                       (is_punct(s, i - 1, ':') && i > 1 && tok_is(s, i - 2, "initiales"))))
        ok = 1;
    if (!ok)
        return;
    label_first(s, i, i + 1);
    if (ok == 2 && !s->lab[i + 2] && !(s->tok[i + 2].lex & LEX_MED))
        label_first(s, i + 2, i + 3);
}

/* A name spelt out: four capitals or more, one space apart, from i, a
 * vowel and three letters among them. */
static void spelt_out(text_scan *s, size_t i)
{
    if (s->lab[i] || (i > 0 && letter1(s, i - 1) && !s->tok[i].nl))
        return;
    size_t j = i;
    while (j < s->n && is_name_word(s, j) && ilen(s, j) == 1 && !s->lab[j] &&
           (j == i || (!s->tok[j].nl && s->tok[j].sp)))
        j++;
    if (j - i < 4 || (j < s->n && !s->tok[j].nl && s->tok[j].kind == TOK_WORD && !s->tok[j].sp))
        return;
    /* a name has a vowel and three letters at least ("M M R R S", a rota's
     * shifts, is none) */
    unsigned vowel = 0, seen = 0;
    for (size_t q = i; q < j; q++) {
        char c = (char)(s->t[s->tok[q].s] | 0x20);
        vowel |= c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
        if (c >= 'a' && c <= 'z')
            seen |= 1u << (c - 'a');
    }
    if (!vowel || __builtin_popcount(seen) < 3)
        return;
    int label = i > 0 && s->lab[i - 1] == AT_PHI_PRENOM ? AT_PHI_PRENOM : AT_PHI_NOM;
    mark(s, i, j, label);
}

/* Token i, a capitalised hyphenated word whose first and last parts are
 * first names. */
static void compound_first(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = ilen(s, i);
    if (s->lab[i] || k->kind != TOK_WORD || n < 5 || n > 40 ||
        (k->lex & (LEX_CITY | LEX_PLACE | LEX_STREET)) ||
        deid_scale_grade(s, i)) /* (a scale's: "occlusion Raymond-Roy 1") */
        return;
    const char *w = s->t + k->s;
    const char *h = memchr(w, '-', n);
    if (!h || h == w)
        return;
    const char *l = w + n;
    while (l > h && l[-1] != '-')
        l--;
    size_t n1 = (size_t)(h - w), n2 = (size_t)(w + n - l);
    if (n1 < 2 || n2 < 2)
        return;
    char f[64];
    int m = text_lexicon_fold(w, n1, f, sizeof f);
    if (m <= 0 || !(text_lexicon_get(&s->d->lex, f, (size_t)m) & LEX_FIRST))
        return;
    m = text_lexicon_fold(l, n2, f, sizeof f);
    if (m <= 0 || !(text_lexicon_get(&s->d->lex, f, (size_t)m) & LEX_FIRST))
        return;
    if (i > 0 && !k->nl) {
        const text_tok *p = &s->tok[i - 1];
        if ((p->lex & (LEX_STREET | LEX_ORG)) || (p->dflags & (DICT_HOSP | DICT_STREET)) ||
            tok_is(s, i - 1, "saint") || tok_is(s, i - 1, "sainte") || tok_is(s, i - 1, "st") ||
            tok_is(s, i - 1, "ste"))
            return;
    }
    if (i + 1 < s->n && !s->tok[i + 1].nl && (s->tok[i + 1].lex & LEX_STREET))
        return;
    label_first(s, i, i + 1);
}

/* Token p may put the word after it in a surname's place: a title, a
 * first name, a dot (after "M", an initial), "née", "veuve", "épouse" by
 * their length and first byte (deid_word_after_name decides). */
static int after_name_place(const text_scan *s, size_t p)
{
    const text_tok *k = &s->tok[p];
    if ((k->dflags & DICT_TITLE) || s->lab[p] == AT_PHI_PRENOM)
        return 1;
    if (k->kind == TOK_PUNCT)
        return k->e - k->s == 1 && s->t[k->s] == '.';
    size_t n = k->e - k->s;
    char c = (char)(s->t[k->s] | 32);
    return k->kind == TOK_WORD && (n == 4 || n == 5 || n == 7) &&
           (c == 'n' || c == 'v' || (unsigned char)s->t[k->s] == 0xC3);
}

/* Token i: two or three letters in lower case, no word that follows
 * "par" in a sentence, after "par" behind a verb of typing ("lh", "mc":
 * a hormone's or a unit's letters too), at its line's end or before
 * "le", a date or a mark: the typist's initials of a dictation ("tapé
 * par lh le sept mai", "frappé par mc.", "export du 31/05 par jlb"). */
static void lower_typist(text_scan *s, size_t i)
{
    static const char *const exported[] = {"export", "exporte", "extrait", "extraction",
                                           "edite",  "imprime", NULL};
    /* (the words that follow "par" in a sentence) */
    static const char *const words[] = {
        "le",  "la",   "les",  "un",   "une", "du",  "des", "ce",   "ces",  "sa",   "son", "ses", "ma",
        "mon", "mes",  "ta",   "ton",  "tes", "moi", "lui", "eux",  "elle", "il",   "on",  "qui", "tel",
        "fax", "sms",  "mail", "ide",  "ash", "nos", "vos", "leur", "au",   "aux",  "cet", "ici", "mer",
        "air", "jour", "an",   "mois", "os",  "iv",  "sc",  "im",   "po",   "voie", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = ilen(s, i);
    if (s->lab[i] || k->kind != TOK_WORD || k->cap || n < 2 || n > 3 || i < 2 || k->nl || k->dflags ||
        (k->lex & (LEX_ORG | LEX_KIN | LEX_STREET)) || !tok_is(s, i - 1, "par") || deid_tok_in(s, i, words))
        return;
    for (size_t j = 0; j < n; j++)
        if (s->t[k->s + j] < 'a' || s->t[k->s + j] > 'z')
            return;
    /* (the verb within four words before "par", no mark between but a
     * date's) */
    int by = 0;
    for (size_t q = i - 1, hop = 0; !by && q > 0 && hop < 10 && !s->tok[q].nl; q--) {
        if (s->lab[q - 1] == AT_PHI_DATE)
            continue;
        if (s->tok[q - 1].kind != TOK_WORD || ++hop > 4)
            break;
        by = deid_tok_in(s, q - 1, typed_verbs) || deid_tok_in(s, q - 1, exported);
    }
    if (by && (line_end(s, i + 1) || s->tok[i + 1].kind == TOK_PUNCT || tok_is(s, i + 1, "le") ||
               s->lab[i + 1] == AT_PHI_DATE))
        label_first(s, i, i + 1);
}

/* Token i ends a signature: the line's end, a sign (not an apostrophe,
 * a full stop only at the line's end), a carer's role or "pour". */
static int signer_end(const text_scan *s, size_t i, const char *const *roles)
{
    return line_end(s, i + 1) ||
           (s->tok[i + 1].kind == TOK_PUNCT && !is_punct(s, i + 1, '\'') && !is_punct(s, i + 1, '.')) ||
           (is_punct(s, i + 1, '.') && line_end(s, i + 2)) || deid_tok_in(s, i + 1, roles) ||
           tok_is(s, i + 1, "pour");
}

/* Token i: a carer's or a typist's initials in lower case, two or three
 * letters of no list but the language's: after a word of signing or
 * typing, or a carer's role, and its colon ("signe kr ide", "manip :
 * jm", "ide nuit cb", "fin de dictee hm pour frappe", "secretariat nb"),
 * after "dr" at the line's end ("consentement signe anesth dr ab"),
 * opening a line before a carer's role ("al ide had cornouaille") or
 * before one in brackets ("ag (secretaire)"), or after initials found
 * and a slash or a comma ("ck / dp", "fl, rt"). */
static void lower_signer(text_scan *s, size_t i)
{
    /* (folded: "signé", "dictée" are read as "signe", "dictee") */
    static const char *const signing[] = {"signe", "visa", "dicte", "dictee", "frappe",
                                          "tape",  "relu", "relue", NULL};
    static const char *const roles[] = {
        "ide",   "as",   "ash",          "manip",         "interne",    "cadre",       "kine", "ioa",
        "ibode", "iade", "manipulateur", "manipulatrice", "secretaire", "secretariat", NULL};
    static const char *const shifts[] = {"nuit", "jour", "matin", "soir", NULL};
    static const char *const titles[] = {"dr", "docteur", NULL};
    /* (short words of a note that are no initials; the lists hold most
     * letters' pairs as words, so they cannot decide) */
    static const char *const words[] = {
        "ok",  "ko",  "rv",  "rdv", "vu",  "vue",  "pas",  "non",  "oui",  "ras", "cf",   "po", "iv",  "sc",
        "im",  "os",  "mg",  "ml",  "sms", "tel",  "fax",  "bon",  "ca",   "et",  "ou",   "ni", "car", "dit",
        "fin", "mal", "peu", "tot", "top", "vs",   "bis",  "ter",  "rep",  "msg", "nuit", "le", "la",  "les",
        "un",  "une", "de",  "du",  "des", "au",   "aux",  "en",   "il",   "on",  "se",   "sa", "son", "ses",
        "ce",  "qui", "que", "par", "sur", "pour", "vers", "avec", "sans", "ref", "dom",  "cs", "cc",  "cci",
        "obj", "pj",  "tx",  "hdj", "rx",  "cro",  "crh",  "cat",  "ttt",  "bio", NULL};
    const text_tok *k = &s->tok[i];
    size_t n = ilen(s, i);
    /* (the cheap tests first: most short words are function words, which
     * the dictionary flags) */
    if (s->lab[i] || k->kind != TOK_WORD || k->cap || k->allcaps || n < 2 || n > 3 || k->dflags ||
        (k->lex & (LEX_MED | LEX_ORG | LEX_KIN | LEX_STREET | LEX_CITY | LEX_PLACE | LEX_FIRST)))
        return;
    for (size_t j = 0; j < n; j++)
        if (s->t[k->s + j] < 'a' || s->t[k->s + j] > 'z')
            return;
    size_t p = i; /* the word before it, past a colon */
    if (p > 0 && !s->tok[p].nl && is_punct(s, p - 1, ':'))
        p--;
    int ok = 0;
    if (p > 0 && !s->tok[p].nl && s->tok[p - 1].kind == TOK_WORD &&
        (deid_tok_in(s, p - 1, signing) || deid_tok_in(s, p - 1, roles) ||
         (p > 1 && !s->tok[p - 1].nl && deid_tok_in(s, p - 1, shifts) && deid_tok_in(s, p - 2, roles))))
        ok = signer_end(s, i, roles);
    else if (i > 0 && !k->nl && deid_tok_in(s, i - 1, titles))
        ok = line_end(s, i + 1);
    else if ((i == 0 || k->nl) && i + 2 < s->n && !s->tok[i + 1].nl &&
             (deid_tok_in(s, i + 1, roles) ||
              (is_punct(s, i + 1, '(') && deid_tok_in(s, i + 2, roles) && is_punct(s, i + 3, ')'))))
        ok = 1;
    else if (i > 1 && !k->nl && (is_punct(s, i - 1, '/') || is_punct(s, i - 1, ',')) && !s->tok[i - 1].nl &&
             nm_label(s->lab[i - 2]) && !s->tok[i - 2].cap && !s->tok[i - 2].allcaps && ilen(s, i - 2) <= 3)
        ok = signer_end(s, i, roles);
    else if (i > 0 && !k->nl && i + 3 < s->n && is_punct(s, i + 1, '(') && deid_tok_in(s, i + 2, roles) &&
             is_punct(s, i + 3, ')') && (is_punct(s, i - 1, ':') || s->tok[i - 1].kind == TOK_PUNCT))
        ok = 1;
    else if (i > 0 && k->nl && (line_end(s, i + 1) || (is_punct(s, i + 1, '.') && line_end(s, i + 2))))
        ok = 1; /* alone on its line after the note's text ("...au courant\nvl") */
    /* (the lists last: few tokens get here) */
    if (ok && !deid_tok_in(s, i, roles) && !deid_tok_in(s, i, words))
        label_first(s, i, i + 1);
}

void deid_pass_initials(text_scan *s)
{
    /* a first name's initial in lower case after a title and the surname
     * it found, ending the line or the clause ("dr mahe c", "rédigé par dr
     * ouvrard m.") */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t t = s->list[TEXT_LIST_FLAG][q], i = t + 2;
        if (!(s->tok[t].dflags & DICT_TITLE) || i >= s->n || s->lab[t + 1] != AT_PHI_NOM ||
            s->tok[t + 1].nl || s->tok[i].nl || s->lab[i] || s->tok[i].kind != TOK_WORD || ilen(s, i) != 1 ||
            s->tok[i].cap || s->tok[i].allcaps || s->t[s->tok[i].s] < 'b' || s->t[s->tok[i].s] > 'z' ||
            s->t[s->tok[i].s] == 'y' || s->t[s->tok[i].s] == 'o' ||
            (t + 3 < s->n && s->lab[t + 1] && s->ent[t + 2] == s->ent[t + 1]))
            continue;
        if (line_end(s, i + 1) || is_punct(s, i + 1, '.') || is_punct(s, i + 1, ',') ||
            is_punct(s, i + 1, ')'))
            label_first(s, i, i + 1);
    }
    /* (after each "par" of a note in lower case, where a typist's
     * initials are written so: the lists leave out a hormone's letters) */
    for (size_t i = 1; s->cap_words * 4 <= s->words && i + 1 < s->n; i++)
        if (s->tok[i].e - s->tok[i].s == 3 && s->t[s->tok[i].s] == 'p' && s->t[s->tok[i].s + 1] == 'a' &&
            s->t[s->tok[i].s + 2] == 'r')
            lower_typist(s, i + 1);
    for (size_t i = 0; i < s->n; i++)
        if (s->tok[i].kind == TOK_WORD && s->tok[i].e - s->tok[i].s <= 3 && !s->tok[i].cap)
            lower_signer(s, i);
    size_t nq = s->nlist[TEXT_LIST_NAME];
    const uint32_t *q = s->list[TEXT_LIST_NAME];
    uint32_t before = s->next_ent;
    for (size_t r = 0; r < nq; r++) {
        size_t i = q[r];
        size_t n = ilen(s, i);
        /* (the signer's initials the tagger took: the typist's after them,
         * "GP/sl") */
        if (nm_label(s->lab[i]) && n >= 2 && n <= 4 && s->tok[i].allcaps && reference_pair(s, i) &&
            !s->lab[i + 2])
            label_first(s, i + 2, i + 3);
        /* (a group's first letter the tagger took: the others) */
        if ((s->lab[i] && !(n == 1 && nm_label(s->lab[i]))) || s->tok[i].kind != TOK_WORD)
            continue;
        if (n == 1) {
            char f[8];
            int nlet, hyph, spaced;
            size_t e = dotted_group(s, i, f, &nlet, &hyph, &spaced);
            if (nlet >= 2 && !abbrev(f) && (hyph ? 1 : sign_place(s, i, e, spaced)))
                label_first(s, i, e);
            else if (nlet == 1)
                single_initial(s, i);
            else if (nlet == 0 && !s->lab[i])
                spelt_out(s, i);
            continue;
        }
        if (s->lab[i])
            continue;
        char c0 = s->t[s->tok[i].s];
        if ((n >= 3 && n <= 5 && s->tok[i].allcaps) || ((n == 7 || n == 8) && (c0 == 'S' || c0 == 'C'))) {
            deid_estab_head_at(s, i); /* "HAD du X", "Clinique de l'X" */
            if (s->lab[i])
                continue;
        }
        if (n <= 4 && s->tok[i].allcaps)
            capitals_sign(s, i);
        else if (n >= 5 &&
                 !(s->tok[i].lex & (LEX_WORD | LEX_MED | LEX_CITY | LEX_PLACE | LEX_STREET | LEX_ORG)) &&
                 (s->tok[i].aux & TOK_AUX_HYPHEN) && memchr(s->t + s->tok[i].s + 2, '-', n - 4))
            compound_first(s, i);
        /* a word or a town in a surname's place (deid_namewords.c) */
        if (!s->lab[i] && i > 0 && s->tok[i].sp && !s->tok[i].nl && after_name_place(s, i - 1))
            deid_word_after_name(s, i);
    }
    /* one initial beside a name found after it: "E. R.-S.", "N. L." */
    if (s->next_ent != before)
        for (size_t r = 0; r < s->nlist[TEXT_LIST_SHORT]; r++) {
            size_t i = s->list[TEXT_LIST_SHORT][r];
            if (s->tok[i].e - s->tok[i].s == 1 && !s->lab[i] && is_punct(s, i + 1, '.') && !s->tok[i + 1].sp)
                single_initial(s, i);
        }
}
