/* The learned tagger's features and decoding: which tokens it decides,
 * their hashed features, Viterbi over each run of them, and its pass in
 * the detector. Training is in tagger_train.c, the model file in
 * tagger_io.c. */
#include "tagger.h"

#include <math.h>
#include <string.h>

static const int tag_labels[TAG_COUNT] = {AT_PHI_NONE,    AT_PHI_PRENOM,  AT_PHI_NOM,      AT_PHI_VILLE,
                                          AT_PHI_ADRESSE, AT_PHI_HOPITAL, AT_PHI_EMPLOYEUR};

int tag_to_label(int tag)
{
    return tag > 0 && tag < TAG_COUNT ? tag_labels[tag] : AT_PHI_NONE;
}

int tag_of_label(int label)
{
    for (int t = 1; t < TAG_COUNT; t++)
        if (tag_labels[t] == label)
            return t;
    return TAG_O;
}

/* ---- which tokens the tagger decides --------------------------------------- */

#define NAMEY (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)
#define KNOWN (LEX_WORD | LEX_MED | LEX_EPONYM)

/* A sentence starts at token i: the first of a line, or after . ! ? : */
static int sentence_start(const text_scan *s, size_t i)
{
    if (i == 0 || s->tok[i].nl)
        return 1;
    const text_tok *p = &s->tok[i - 1];
    size_t gl = s->tok[i].s - p->e;
    if (gl >= 3 || (gl >= 1 && s->t[s->tok[i].s - 1] == '\t'))
        return 1; /* a table cell */
    /* after an item's number that opens its line ("1 Traitement",
     * "2) Conclusion"): a heading or a list item */
    size_t q = i - 1;
    if (p->kind == TOK_PUNCT && p->e - p->s == 1 && s->t[p->s] == ')' && q > 0)
        q--;
    if (s->tok[q].kind == TOK_NUM && s->tok[q].e - s->tok[q].s <= 2 && (q == 0 || s->tok[q].nl))
        return 1;
    if (p->kind != TOK_PUNCT || p->e - p->s != 1)
        return 0;
    char c = s->t[p->s];
    return c == '.' || c == '!' || c == '?' || c == ':' || c == '-' || c == '(' || c == '"';
}

static int lower_cue(const text_scan *s, size_t i);
static int title_case_line(const text_scan *s, size_t i);

/* Token c is a ':' after a label of one to four words that opens its line
 * (or a table cell): the words after it are the field's value. */
static int label_colon(const text_scan *s, size_t c)
{
    size_t words = 0, q = c;
    while (q > 0 && words < 5) {
        q--;
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_WORD)
            words++;
        else if (!(k->kind == TOK_PUNCT &&
                   (s->t[k->s] == '\'' || s->t[k->s] == '-' || s->t[k->s] == '(' || s->t[k->s] == ')')))
            return 0;
        if (k->nl || q == 0)
            return words >= 1 && words <= 4 && (k->cap || k->allcaps || k->kind != TOK_WORD);
    }
    return 0;
}

/* Token i stands where the rules keep a word that is no name: an
 * eponym's, a field label's, a score's or (in capitals) a study's place. */
static int name_free_place(const text_scan *s, size_t i)
{
    return deid_eponym_context(s, i) || deid_field_label(s, i) || deid_score_name(s, i) ||
           (s->tok[i].allcaps && deid_study_name(s, i));
}

static int candidate(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    /* (a word a table's column says is safe: a code's, a day's) */
    if (k->kind != TOK_WORD || s->lab[i] || k->e - k->s > 40 || (k->aux & TOK_AUX_SAFE))
        return 0;
    unsigned lx = k->lex;
    size_t n = k->e - k->s;
    /* eponyms (the rules keep them in their place), the medical
     * vocabulary, headers in capitals, single letters but initials */
    if ((lx & LEX_EPONYM) || (k->dflags & DICT_EPONYM) ||
        ((lx & (LEX_MED | LEX_WORD)) && !(lx & NAMEY) && (k->allcaps || (lx & LEX_MED))))
        return 0;
    if ((n == 1 || (n == 2 && (unsigned char)s->t[k->s] >= 0xC0)) && !is_punct(s, i + 1, '.'))
        return 0;
    /* abbreviations of two to four capitals that a list knows (and no
     * name list): "IRM", "HDJ", "SSR". One that no list knows is the
     * tagger's to decide from its place, as the longer ones are: most are
     * the units' and drugs' of the notes, but the annotated notes name
     * establishments that way ("Service d'oncologie médicale – IAO",
     * "suivi à l'IAOG") and staff by their initials ("sign. GR ide").
     * Round 22, cross-validated with each code's own fold models: 98
     * fewer tokens missed, 34 fewer false, 6 fewer strings lost. */
    if (k->allcaps && n <= 4 && !(lx & NAMEY) && ((lx & KNOWN) || k->dflags))
        return 0;
    /* a unit after a number ("30 PA", "12 UI", "70 Gy") */
    if (n <= 3 && i > 0 && s->tok[i - 1].kind == TOK_NUM && !k->nl)
        return 0;
    if (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_IDLABEL | DICT_ROLE | DICT_FIELD | DICT_BIRTH |
                     DICT_HOSP | DICT_HOSPQUAL | DICT_STREET | DICT_EPOTRIG | DICT_RESID))
        return 0;
    /* a name-free place makes no candidate: it is looked at (it only
     * reads) where a candidate would otherwise be made */
    if (lx & NAMEY || k->dflags & (DICT_FIRST | DICT_LAST | DICT_CITY))
        return !name_free_place(s, i);
    if (tok_has_digit(s, i))
        return 0; /* codes and numbers: the rules */
    /* an unknown word, unless the safe vocabulary explains it by its form
     * (a drug's or a medical word's ending, an abbreviation's writing, a
     * trial's name) with no title, label or name beside it */
    if (!(lx & KNOWN) && !(k->dflags & (DICT_COMMON | DICT_EPONYM | DICT_CONNECT | DICT_PARTICLE)))
    /* (a sentence's first word safe by a guess at its form, an
     * inflection, a prefix, two letters swapped, "Prcohain", stays
     * unless a role or relative names it: "Nanelle (tutrice)") */
    {
        if (name_free_place(s, i))
            return 0;
        /* (a treatment by its context is none: "Creon poursuivi") */
        if (k->cap || k->allcaps)
            return (!(deid_safe_form(s, i) ||
                      (sentence_start(s, i) && !k->allcaps && deid_known_safe(s, i))) ||
                    lower_cue(s, i)) &&
                   !deid_treatment_context(s, i);
        return !deid_known_safe(s, i) && !deid_treatment_context(s, i);
    }
    /* a word of the language that no name list holds, but capitalised
     * inside a sentence ("Olive, interne", "sa nièce Prune", "vu par
     * Florence"): the tagger decides it from its context. Round 5 dropped
     * the cue this asked for (a title, label, role or relative before it,
     * a name or a role after it): trained on the outside-written notes as
     * well, the tagger tells these words apart by itself (cross-validated
     * on them: recall +0.3, precision and strings kept no worse); not
     * after a particle ("Van der Berg": the particles' join names it) */
    if (k->cap && !k->allcaps &&
        !(lx & (LEX_MED | LEX_EPONYM | LEX_STREET | LEX_ORG | LEX_KIN | LEX_CUE_ID | LEX_CUE_EMP)) &&
        !sentence_start(s, i) && n >= 3 && !(k->dflags & DICT_PARTICLE) &&
        !(i > 0 && (s->tok[i - 1].dflags & DICT_PARTICLE))) {
        if (name_free_place(s, i))
            return 0;
        int cue = lower_cue(s, i) ||
                  (i + 2 < s->n && is_punct(s, i + 1, ',') && (s->tok[i + 2].dflags & DICT_ROLE));
        if (deid_treatment_context(s, i) || (!cue && title_case_line(s, i)))
            return 0;       /* a title-cased line: its capitals are no evidence */
        return cue ? 1 : 2; /* 2: no cue (no address of these alone) */
    }
    return 0;
}

/* Token i's line is written in title case: two or more words of three
 * letters or more, every one capitalised ("Compte Rendu De Consultation",
 * a term of a model title-cased), or a short line of capitalised words
 * ("B Diffus"): a capital there says nothing of a name. Lines of more
 * than 24 tokens are not looked at. */
static int title_case_line(const text_scan *s, size_t i)
{
    size_t a = i, b = i + 1;
    while (a > 0 && !s->tok[a].nl && i - a < 24)
        a--;
    if (!s->tok[a].nl && a > 0)
        return 0;
    while (b < s->n && !s->tok[b].nl && b - a < 24)
        b++;
    if (b < s->n && !s->tok[b].nl)
        return 0;
    int caps = 0, words = 0, short_lower = 0;
    for (size_t q = a; q < b; q++) {
        const text_tok *t = &s->tok[q];
        if (t->kind != TOK_WORD)
            continue;
        words++;
        if (t->e - t->s < 3) {
            short_lower |= !t->cap && !t->allcaps;
            continue;
        }
        if (!t->cap && !t->allcaps)
            return 0;
        caps += t->cap && !t->allcaps;
    }
    /* (or a short line whose every word is capitalised: "B Diffus") */
    return caps >= 2 || (caps == 1 && words >= 2 && !short_lower && b - a <= 4);
}

/* A cue that a word in lower case is a name: a title, a field label, a
 * role or a relative within two tokens before it, or a name beside it. */
static int lower_cue(const text_scan *s, size_t i)
{
    /* an article right before: a common noun ("Examen : l'iris est
     * normal"), not a name */
    static const char *const articles[] = {"l'", "l\xE2\x80\x99", "un", "une", "des", "au", "aux", NULL};
    if (i > 0 && !s->tok[i].nl && s->tok[i - 1].kind == TOK_WORD && deid_tok_in(s, i - 1, articles))
        return 0;
    for (size_t q = i, hop = 0; q > 0 && hop < 2 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if (p->kind == TOK_PUNCT &&
            (s->t[p->s] == '.' || s->t[p->s] == ';' || s->t[p->s] == '!' || s->t[p->s] == '?'))
            break;
        /* the value of a field: a label of up to four words opening the
         * line, then ':' ("Kiné : X", "Conseillère en génétique : X") */
        if (p->kind == TOK_PUNCT && s->t[p->s] == ':' && label_colon(s, q - 1))
            return 1;
        if ((p->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE)) || (p->lex & LEX_KIN) ||
            s->lab[q - 1] == AT_PHI_NOM || s->lab[q - 1] == AT_PHI_PRENOM)
            return 1;
        if (s->tok[q - 1].nl)
            break;
    }
    /* a name or a role after it ("solène IDE"), or a role or relative
     * in parentheses or after a comma ("Marine (IDE)", "Mébert, son époux") */
    if (i + 1 >= s->n || s->tok[i + 1].nl)
        return 0;
    if (s->lab[i + 1] == AT_PHI_NOM || s->lab[i + 1] == AT_PHI_PRENOM || (s->tok[i + 1].dflags & DICT_ROLE))
        return 1;
    if (is_punct(s, i + 1, '(') || is_punct(s, i + 1, ',')) {
        for (size_t q = i + 2; q < s->n && q < i + 4 && !s->tok[q].nl; q++)
            if ((s->tok[q].dflags & DICT_ROLE) || (s->tok[q].lex & LEX_KIN))
                return 1;
    }
    return 0;
}

/* ---- per-document context ------------------------------------------------------ */

int tag_lower_case_text(const text_scan *s)
{
    /* the words opening a sentence (of two letters or more): in a note
     * written in lower case ("pt vu ce jour", "exam : ..."), most open in
     * lower case; in any other, almost none do */
    size_t lower = 0, all = 0;
    for (size_t i = 0; i < s->n && all < 48; i++) { /* (its first sentences tell) */
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || k->e - k->s < 2 ||
            !(k->nl || i == 0 || (k->sp && s->tok[i - 1].kind == TOK_PUNCT)) || !sentence_start(s, i))
            continue;
        all++;
        lower += !k->cap && !k->allcaps && (unsigned char)s->t[k->s] >= 'a';
    }
    return all >= 4 && lower * 5 >= all * 3;
}

/* The number of training notes (in training, other than this one) that
 * held token i's word outside every identifier; -1 without a vocabulary. */
static int voc_count(const text_scan *s, const tag_doc *c, size_t i)
{
    const text_tagger *vm = c->voc ? c->voc : s->d->tagger;
    if (!vm || !vm->nvoc)
        return -1;
    uint32_t fh = s->tok[i].fh;
    unsigned vc = fh ? text_tagger_voc(vm, fh) : 0;
    if (vc && c->nself) {
        size_t at = tag_lower_bound(c->self, c->nself, fh);
        vc -= at < c->nself && c->self[at] == fh;
    }
    return (int)vc;
}

/* Token i, a word of the language in lower case that no list of names,
 * care or places holds, beside a name's place (a title, a name or a
 * candidate before it on its line, a name after it), that no training
 * note wrote outside a name ("mme lise bourdais", "patient bouvreuil
 * jean-marc"): the tagger decides it (3). */
static int rare_word(const text_scan *s, const tag_doc *c, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || k->cap || k->allcaps || s->lab[i] || !(k->lex & LEX_WORD) || k->dflags ||
        !k->fh || k->e - k->s < 4 || k->e - k->s > 40 || (k->aux & (TOK_AUX_SAFE | TOK_AUX_DIGIT)) ||
        (k->lex & (LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET | LEX_CUE_ID | LEX_CUE_EMP)))
        return 0;
    int before = i > 0 && !k->nl &&
                 (c->cand[i - 1] || s->lab[i - 1] == AT_PHI_NOM || s->lab[i - 1] == AT_PHI_PRENOM ||
                  (s->tok[i - 1].dflags & DICT_TITLE));
    int after = i + 1 < s->n && !s->tok[i + 1].nl &&
                (s->lab[i + 1] == AT_PHI_NOM || s->lab[i + 1] == AT_PHI_PRENOM ||
                 (c->cand[i + 1] && (s->tok[i + 1].lex & LEX_FIRST)));
    return (before || after) && voc_count(s, c, i) == 0;
}

at_status tag_doc_init(const text_scan *s, tag_doc *c, int features)
{
    /* (the vocabulary's fields are the caller's) */
    const text_tagger *voc = c->voc;
    const uint32_t *self = c->self;
    size_t nself = c->nself;
    memset(c, 0, sizeof *c);
    c->voc = voc;
    c->self = self;
    c->nself = nself;
    size_t n = s->n ? s->n : 1;
    /* one block: candidates, best tags (the scan's room for them when it
     * has one) */
    uint8_t *b;
    if (s->tag_room && s->tag_room_tokens >= n) {
        b = s->tag_room;
        memset(b, 0, 2 * n);
        c->lent = 1;
    } else {
        b = at_calloc(n, 2);
        if (!b)
            return AT_ERR_NOMEM;
    }
    c->cand = b;
    c->best = c->cand + n;
    /* the candidates are capitalised words, or lower-case words unknown
     * or in a name list: the tokeniser's lists of them */
    for (int l = 0; l < 2; l++) {
        const uint32_t *v = s->list[l ? TEXT_LIST_ODD : TEXT_LIST_NAME];
        for (size_t q = 0; q < s->nlist[l ? TEXT_LIST_ODD : TEXT_LIST_NAME]; q++)
            c->cand[v[q]] = (uint8_t)candidate(s, v[q]);
    }
    /* and the rare words of the language beside names: beside the
     * candidates, the capitalised words, the words of the name lists and
     * the titles (the tokeniser's lists) */
    const text_tagger *vm = c->voc ? c->voc : s->d->tagger;
    for (int l = 0; vm && vm->nvoc && l < 3; l++) {
        int list = l == 0 ? TEXT_LIST_NAME : l == 1 ? TEXT_LIST_ODD : TEXT_LIST_FLAG;
        const uint32_t *v = s->list[list];
        for (size_t q = 0; q < s->nlist[list]; q++) {
            size_t a = v[q];
            int name = s->lab[a] == AT_PHI_NOM || s->lab[a] == AT_PHI_PRENOM;
            if (!name && !c->cand[a] && !(s->tok[a].dflags & DICT_TITLE))
                continue; /* (no name's place beside it) */
            if (a + 1 < s->n && !c->cand[a + 1] && rare_word(s, c, a + 1))
                c->cand[a + 1] = 3;
            if (a > 0 && (name || (s->tok[a].lex & LEX_FIRST)) && !c->cand[a - 1] && rare_word(s, c, a - 1))
                c->cand[a - 1] = 3;
        }
    }
    /* and every other word of the lines, but titles, months, roles and
     * single letters (their passes decide them): the tagger reads a line
     * whole, the words of the language in lower case inside the names of
     * establishments and firms ("Centre hospitalier de la Somme",
     * "cartonnages de la somme") and around the names (their context).
     * Round 31, cross-validated over 325 sets with the operating point
     * chosen by gain: 1,081 fewer tokens missed, 49 more false, 27 more
     * strings lost (seed 2: 1,043, 4, 36). A word
     * of the language in lower case still becomes a name only with a cue
     * (deid_pass_tagger) */
    for (size_t i = 0; i < s->n; i++) {
        const text_tok *k = &s->tok[i];
        size_t n = k->e - k->s;
        if (c->cand[i] || k->kind != TOK_WORD || s->lab[i] || n < 2 || n > 40 ||
            (k->dflags & (DICT_TITLE | DICT_MONTH | DICT_ROLE)))
            continue;
        /* (nor, as candidate() says, a unit after a number: "3531 AB";
         * round 31 tried its other exclusions too, the abbreviations in
         * capitals the lists know and a capitalised particle and the word
         * after it: 850 more tokens missed, "CLCC François Baclesse",
         * "Le Tampon", "La Flèche") */
        if (n <= 3 && i > 0 && s->tok[i - 1].kind == TOK_NUM && !k->nl)
            continue;
        /* (nor, as candidate() says too, a capitalised word of a line
         * written in title case without a cue: the airlock title-cases a
         * model's terms, "À Éliminer", "Aidant Le") */
        if ((k->cap || k->allcaps) && !lower_cue(s, i) && title_case_line(s, i))
            continue;
        c->cand[i] = TAG_CAND_LINE;
    }
    (void)features;
    c->lower_doc = 2; /* not known yet: deid_pass_tagger asks when it needs it */
    c->lines = s->n ? (uint32_t)s->tok[s->n - 1].line + 1 : 1;
    return AT_OK;
}

void tag_doc_free(tag_doc *c)
{
    if (!c->lent)
        at_free(c->cand); /* the block */
    memset(c, 0, sizeof *c);
}

/* Flags of the line of token i: 1 a table line (';', '|', a tab or a
 * wide gap between cells), 2 a short line (at most four tokens); the last
 * line's flags are kept in c (candidates come in text order). */
static unsigned line_flags(const text_scan *s, tag_doc *c, size_t i)
{
    if (c->lf_end && i >= c->lf_start && i < c->lf_end)
        return c->lf;
    size_t a = i, e = i + 1;
    while (a > 0 && !s->tok[a].nl && i - a < 48)
        a--;
    while (e < s->n && !s->tok[e].nl && e - i < 48)
        e++;
    unsigned fl = e - a <= 4 ? 2 : 0;
    for (size_t q = a; q < e && !(fl & 1); q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_PUNCT && (s->t[k->s] == ';' || s->t[k->s] == '|'))
            fl |= 1;
        if (q > a && k->sp) {
            size_t gl = k->s - s->tok[q - 1].e;
            const char *g = s->t + s->tok[q - 1].e;
            if (gl >= 3 || g[0] == '\t' || (gl == 2 && g[1] == '\t'))
                fl |= 1;
        }
    }
    c->lf_start = a;
    c->lf_end = e;
    c->lf = fl;
    return fl;
}

/* ---- features ---------------------------------------------------------------------- */

/* Shape class of token i: kind, case, digits, length. */
unsigned tag_shape(const text_scan *s, size_t i)
{
    if (i >= s->n)
        return 1;
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    unsigned lb = n <= 1 ? 0 : n <= 3 ? 1 : n <= 6 ? 2 : 3;
    if (k->kind == TOK_PUNCT)
        return 2 | (unsigned)(unsigned char)s->t[k->s] << 8;
    if (k->kind == TOK_NUM)
        return 3 | lb << 4;
    unsigned cs = k->allcaps ? 2 : k->cap ? 1 : 0;
    return 4 | cs << 4 | lb << 6 | (unsigned)tok_has_digit(s, i) << 8 |
           (unsigned)((k->aux & TOK_AUX_HYPHEN) && memchr(s->t + k->s, '-', n) != NULL) << 9;
}

size_t tag_features(const text_scan *s, tag_doc *c, size_t i, uint32_t *f)
{
    size_t n = 0;
    const text_tok *k = &s->tok[i];
    unsigned sh = tag_shape(s, i);
    unsigned lx = k->lex;
    unsigned df = k->dflags & (DICT_FIRST | DICT_LAST | DICT_COMMON | DICT_EPONYM | DICT_CITY | DICT_HOSP |
                               DICT_STREET | DICT_PARTICLE | DICT_CONNECT | DICT_ROLE | DICT_FIELD);
    int sent = sentence_start(s, i);
    f[n++] = tag_feat(1, 0);
    f[n++] = tag_feat(2, sh);
    f[n++] = tag_feat(3, lx);
    f[n++] = tag_feat(4, df);
    f[n++] = tag_feat(5, (uint64_t)lx << 4 | (unsigned)(k->cap | k->allcaps << 1) | (unsigned)sent << 3);
    for (unsigned b = 0; b < 10; b++)
        if (lx & 1u << b)
            f[n++] = tag_feat(6, b << 2 | (unsigned)(k->cap | k->allcaps << 1));
    if ((lx & KNOWN) || k->dflags)
        f[n++] = tag_feat(7, k->fh);
    /* suffixes and prefix of the folded word */
    char w[80];
    int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, w, sizeof w);
    if (fl >= 2) {
        f[n++] = tag_feat(8, tag_bytes_hash(w + fl - 2, 2));
        if (fl >= 3)
            f[n++] = tag_feat(9, tag_bytes_hash(w + fl - 3, 3));
        if (fl >= 4)
            f[n++] = tag_feat(10, tag_bytes_hash(w + fl - 4, 4));
        f[n++] = tag_feat(11, tag_bytes_hash(w, fl >= 3 ? 3 : 2));
    }
    f[n++] = tag_feat(12, (uint64_t)(fl < 0 ? 0 : fl > 12 ? 12 : fl));
    /* neighbours */
    size_t p1 = i >= 1 ? i - 1 : s->n, p2 = i >= 2 ? i - 2 : s->n, p3 = i >= 3 ? i - 3 : s->n;
    size_t n1 = i + 1, n2 = i + 2;
    f[n++] = tag_feat(13, tag_ident(s, p1));
    f[n++] = tag_feat(14, tag_ident(s, p2));
    f[n++] = tag_feat(15, tag_ident(s, n1));
    f[n++] = tag_feat(16, tag_ident(s, n2));
    f[n++] = tag_feat(17, tag_ident(s, p1) * 31 + tag_ident(s, p2));
    f[n++] = tag_feat(18, tag_ident(s, n1) * 31 + tag_ident(s, n2));
    f[n++] = tag_feat(19, tag_ident(s, p1) * 131 + sh);
    f[n++] = tag_feat(20, tag_ident(s, n1) * 131 + sh);
    if (p1 < s->n) {
        f[n++] = tag_feat(21, (uint64_t)s->tok[p1].lex << 8 | tag_shape(s, p1) << 0);
        f[n++] = tag_feat(22, s->lab[p1]);
        f[n++] = tag_feat(23, (uint64_t)s->lab[p1] << 8 | (unsigned)(k->cap | k->allcaps << 1));
        f[n++] = tag_feat(
            24, (uint64_t)(s->tok[p1].dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE | DICT_PARTICLE)) << 2 |
                    (unsigned)(k->cap | k->allcaps << 1));
    }
    if (n1 < s->n) {
        f[n++] = tag_feat(25, (uint64_t)s->tok[n1].lex << 8 | tag_shape(s, n1));
        f[n++] = tag_feat(26, s->lab[n1]);
        f[n++] = tag_feat(27, (uint64_t)(s->tok[n1].dflags & (DICT_ROLE | DICT_FIRST | DICT_LAST)) << 2 |
                                  s->tok[n1].nl);
    }
    if (p2 < s->n)
        f[n++] = tag_feat(28, s->lab[p2]);
    if (n2 < s->n)
        f[n++] = tag_feat(29, s->lab[n2]);
    /* a relative, a colleague, a title or a field label just before */
    unsigned kin = 0;
    for (size_t q = p1, hop = 0; hop < 3 && q < s->n; hop++, q = q ? q - 1 : s->n) {
        kin |= (s->tok[q].lex & LEX_KIN) ? 1u << hop : 0;
        kin |= (s->tok[q].dflags & (DICT_TITLE | DICT_FIELD)) ? 8u << hop : 0;
        if (s->tok[q].nl)
            break;
    }
    (void)p3;
    f[n++] = tag_feat(30, kin);
    /* position in the line and the document */
    uint32_t ln = k->line;
    unsigned lf = line_flags(s, c, i);
    int first = k->nl || i == 0, last = n1 >= s->n || s->tok[n1].nl;
    f[n++] = tag_feat(31, (unsigned)first | (unsigned)last << 1 | lf << 2);
    unsigned dpos = ln < 4 ? 0 : ln + 4 >= c->lines ? 1 : 2;
    f[n++] = tag_feat(32, dpos << 4 | (unsigned)(k->cap | k->allcaps << 1));
    f[n++] = tag_feat(33, (uint64_t)lf << 12 | lx);
    /* names and places in a run: the candidates around */
    f[n++] = tag_feat(34, (unsigned)(p1 < s->n && c->cand[p1]) | (unsigned)(n1 < s->n && c->cand[n1]) << 1 |
                              (unsigned)(k->cap | k->allcaps << 1) << 2);
    f[n++] = tag_feat(35, (uint64_t)sent << 12 | lx);
    /* the trigger words around: the nearest word of the language in lower
     * case on the line, left and right (past names, punctuation and
     * particles), its identity and its ending ("-iste", "-ienne", "-eur":
     * roles and relatives the lists do not hold) */
    uint64_t lt = 0, rt = 0, ls = 0;
    unsigned ld = 0;
    for (size_t q = i, hop = 0; q > 0 && hop < 5 && !s->tok[q].nl; q--, hop++) {
        const text_tok *p = &s->tok[q - 1];
        if (p->kind == TOK_WORD && !p->cap && !p->allcaps && (p->lex & (LEX_WORD | LEX_KIN)) &&
            !(p->dflags & DICT_PARTICLE)) {
            lt = (uint64_t)p->fh << 4 | 1;
            char pw[80];
            int pl = text_lexicon_fold(s->t + p->s, p->e - p->s, pw, sizeof pw);
            ls = pl >= 4 ? tag_bytes_hash(pw + pl - 3, 3) : 1;
            ld = (unsigned)hop;
            break;
        }
        if (p->kind == TOK_PUNCT && (s->t[p->s] == '.' || s->t[p->s] == '!' || s->t[p->s] == '?'))
            break;
    }
    for (size_t q = i + 1, hop = 0; q < s->n && hop < 4 && !s->tok[q].nl; q++, hop++) {
        const text_tok *p = &s->tok[q];
        if (p->kind == TOK_WORD && !p->cap && !p->allcaps && (p->lex & (LEX_WORD | LEX_KIN)) &&
            !(p->dflags & DICT_PARTICLE)) {
            rt = (uint64_t)p->fh << 4 | 2;
            break;
        }
        if (p->kind == TOK_PUNCT && (s->t[p->s] == '.' || s->t[p->s] == '!' || s->t[p->s] == '?'))
            break;
    }
    unsigned cs = (unsigned)(k->cap | k->allcaps << 1);
    f[n++] = tag_feat(36, lt << 2 | cs);
    f[n++] = tag_feat(37, ls << 6 | ld << 2 | cs);
    f[n++] = tag_feat(38, rt << 2 | cs);
    /* the value of a field ("Kiné : X"): the label's shape, not its words */
    int val = 0;
    for (size_t q = i, hop = 0; q > 0 && hop < 3 && !s->tok[q].nl; q--, hop++)
        if (is_punct(s, q - 1, ':')) {
            val = label_colon(s, q - 1) ? 1 + (int)hop : 0;
            break;
        }
    f[n++] =
        tag_feat(39, (unsigned)val << 12 | (lx & (LEX_FIRST | LEX_LAST | LEX_WORD | LEX_PLACE)) << 2 | cs);
    /* how many training notes held the word outside any identifier (in
     * training, the other notes): a word of the language the notes never
     * write but as a name ("roques", "bourdais") against one they write
     * every day; beside the label before it ("lise [PRENOM] bourdais") */
    int vcount = voc_count(s, c, i);
    if (vcount >= 0) {
        unsigned vc = (unsigned)vcount;
        unsigned vb = !k->fh ? 5 : vc == 0 ? 0 : vc == 1 ? 1 : vc <= 3 ? 2 : vc <= 15 ? 3 : 4;
        unsigned kinds = (unsigned)((lx & LEX_WORD) != 0) | (unsigned)((lx & (LEX_FIRST | LEX_LAST)) != 0)
                                                                << 1;
        f[n++] = tag_feat(40, vb << 4 | cs << 2 | kinds);
        f[n++] = tag_feat(41, (uint64_t)vb << 12 | (p1 < s->n ? s->lab[p1] : 255u) << 2 | cs);
    }
    return n;
}

/* ---- decoding ------------------------------------------------------------------------- */

void tag_viterbi(const float *w, unsigned bits, const float tr[TAG_COUNT + 1][TAG_COUNT], float o_bias,
                 const uint32_t *feats, const size_t *nf, size_t len, uint8_t *out, uint8_t *best)
{
    enum { SEG_MAX = 64 };
    float delta[SEG_MAX][TAG_COUNT];
    uint8_t back[SEG_MAX][TAG_COUNT];
    uint32_t mask = (1u << bits) - 1;
    for (size_t base = 0; base < len; base += SEG_MAX) {
        size_t m = len - base < SEG_MAX ? len - base : SEG_MAX;
        for (size_t t = 0; t < m; t++) {
            float e[TAG_W] = {0};
            const uint32_t *f = feats + (base + t) * TAG_MAX_FEATS;
            for (size_t j = 0; j < nf[base + t]; j++) {
                const float *row = w + (size_t)(f[j] & mask) * TAG_W;
                for (int l = 0; l < TAG_W; l++)
                    e[l] += row[l];
            }
            e[TAG_O] += o_bias;
            if (best) {
                int b = 1;
                for (int l = 2; l < TAG_COUNT; l++)
                    if (e[l] > e[b])
                        b = l;
                best[base + t] = (uint8_t)b;
            }
            for (int l = 0; l < TAG_COUNT; l++) {
                if (t == 0) {
                    delta[t][l] = e[l] + tr[base == 0 ? TAG_COUNT : out[base - 1]][l];
                    back[t][l] = 0;
                    continue;
                }
                int bp = 0;
                float bv = delta[t - 1][0] + tr[0][l];
                for (int p = 1; p < TAG_COUNT; p++) {
                    float v = delta[t - 1][p] + tr[p][l];
                    if (v > bv) {
                        bv = v;
                        bp = p;
                    }
                }
                delta[t][l] = bv + e[l];
                back[t][l] = (uint8_t)bp;
            }
        }
        int b = 0;
        for (int l = 1; l < TAG_COUNT; l++)
            if (delta[m - 1][l] > delta[m - 1][b])
                b = l;
        for (size_t t = m; t-- > 0;) {
            out[base + t] = (uint8_t)b;
            b = back[t][b];
        }
    }
}

/* Token q, one of the line's words, could be part of a name the pass
 * marks: capitalised (not a word of the language opening its sentence),
 * in capitals, unknown to the lists of the language, with a cue, or in a
 * table's cell (the conditions of deid_pass_tagger's "ok"). */
/* Token k is an eponym or a code: the rules' whatever the tagger says. */
static int eponym_or_code(const text_tok *k)
{
    return (k->aux & TOK_AUX_DIGIT) || (k->lex & LEX_EPONYM) || (k->dflags & DICT_EPONYM);
}

static int could_name(const text_scan *s, tag_doc *c, size_t q)
{
    const text_tok *k = &s->tok[q];
    if (eponym_or_code(k))
        return 0;
    if (k->allcaps || !(k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM)))
        return 1;
    if (k->cap && (!(k->lex & LEX_WORD) || !sentence_start(s, q)))
        return 1;
    return lower_cue(s, q) || (line_flags(s, c, q) & 1);
}

/* Token t stands where the rules keep a word: an eponym, a code, a word
 * the allow-list explains, an eponym's, a score's or a treatment's place. */
static int kept_place(const text_scan *s, size_t t)
{
    const text_tok *k = &s->tok[t];
    return eponym_or_code(k) || (k->aux & TOK_AUX_SAFE) || name_free_place(s, t) ||
           deid_treatment_context(s, t);
}

at_status deid_pass_tagger(text_scan *s, tag_doc *c)
{
    const text_tagger *tg = s->d->tagger;
    if (!tg)
        return AT_OK;
    uint32_t feats[16 * TAG_MAX_FEATS];
    size_t nf[16];
    uint8_t out[16];
    for (size_t i = 0; i < s->n;) {
        i = deid_next_nonzero(c->cand, i, s->n); /* (over the tokens the tagger does not decide) */
        if (i >= s->n)
            break;
        size_t j = i;
        while (j < s->n && c->cand[j] && j - i < 16)
            j++;
        /* (a run of the line's words only, none of which could make a
         * name below, is not decoded: its output would be left) */
        size_t q = i;
        while (q < j && c->cand[q] == TAG_CAND_LINE && !could_name(s, c, q))
            q++;
        if (q == j) {
            i = j;
            continue;
        }
        for (size_t t = i; t < j; t++) {
            nf[t - i] = tag_features(s, c, t, feats + (t - i) * TAG_MAX_FEATS);
        }
        tag_viterbi(tg->w, tg->bits, tg->trans, tg->o_bias, feats, nf, j - i, out, c->best + i);
        /* the line's words where the rules keep a word (an eponym's, a
         * score's, a treatment's place, a code, an eponym) stay */
        for (size_t t = i; t < j; t++)
            if (out[t - i] != TAG_O && c->cand[t] == TAG_CAND_LINE && kept_place(s, t))
                out[t - i] = TAG_O;
        for (size_t t = i; t < j;) {
            if (out[t - i] == TAG_O) {
                t++;
                continue;
            }
            size_t u = t + 1;
            while (u < j && out[u - i] == out[t - i] && !s->tok[u].nl)
                u++;
            /* words of the language in lower case ("le blanc", "peau
             * rose") are names only with a cue */
            int ok = lower_cue(s, t) || (line_flags(s, c, t) & 1); /* or a cell of a table */
            /* a town in lower case after a preposition of place, when no
             * word of the language ("hôpital de guingamp", "vit à plouha") */
            if (!ok && out[t - i] == TAG_VILLE && t > 0 && !s->tok[t].nl &&
                !(s->tok[t].lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) && !(s->tok[t].dflags & DICT_COMMON) &&
                (tok_is(s, t - 1, "\xC3\xA0") || tok_is(s, t - 1, "de") || tok_is(s, t - 1, "vers") ||
                 tok_is(s, t - 1, "sur") || tok_is(s, t - 1, "habite") || tok_is(s, t - 1, "(")))
                ok = 1;
            /* a product by the dose after it ("Flixotide 50 µg", "XARELTO 15
             * MG"), a marker glued to its number ("Ki-67") */
            if (u == t + 1 && (s->tok[t].cap || s->tok[t].allcaps) &&
                !(s->tok[t].lex & (LEX_FIRST | LEX_LAST)) &&
                (deid_dose_after(s, u) || deid_marker_glued(s, t))) {
                t = u;
                continue;
            }
            if (deid_drug_line(s, t) && out[t - i] != TAG_ADRESSE && !(line_flags(s, c, t) & 1) &&
                !(t > 0 && (tok_is(s, t - 1, "\xC3\xA0") || tok_is(s, t - 1, "chez")))) {
                t = u; /* brand names in a list of drugs ("Tafinlar, Mekinist") */
                continue;
            }
            for (size_t q = t; q < u && !ok; q++)
                ok = ((s->tok[q].cap || s->tok[q].allcaps) &&
                      (!(s->tok[q].lex & LEX_WORD) || !sentence_start(s, q) || s->tok[q].allcaps));
            /* in a note written in lower case, a word that no list of
             * the language holds, as a capitalised one elsewhere (of
             * three letters, an abbreviation's length, only when a list
             * of names holds it) */
            if (!ok && c->lower_doc == 2)
                c->lower_doc = (uint8_t)tag_lower_case_text(s);
            for (size_t q = t; q < u && !ok && c->lower_doc; q++)
                ok = (!(s->tok[q].lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) || c->cand[q] == 3) &&
                     !(s->tok[q].dflags & DICT_COMMON) &&
                     (s->tok[q].e - s->tok[q].s >= 4 || (s->tok[q].lex & NAMEY)); /* "urg", "ped" */
            int label = tag_to_label(out[t - i]);
            /* a region or a département alone is no town ("originaire de
             * Bretagne"); a particle alone is the particles' join's to read
             * ("m le bras", "Aidant Le"), and a word of the language of two
             * letters alone none ("Patient Se") */
            if (u == t + 1 &&
                ((label == AT_PHI_VILLE && !(s->tok[t].lex & LEX_CITY) && deid_region_tok(s, t) == 2) ||
                 (c->cand[t] == TAG_CAND_LINE &&
                  ((s->tok[t].dflags & DICT_PARTICLE) ||
                   (s->tok[t].e - s->tok[t].s <= 2 && (s->tok[t].lex & KNOWN) && !(s->tok[t].lex & NAMEY))))))
                ok = 0;
            /* one word after a person's title is a person's name, not an
             * establishment's ("m l hostis", "mme corbel") */
            if ((label == AT_PHI_HOPITAL || label == AT_PHI_EMPLOYEUR) && u == t + 1 && !s->tok[t].nl &&
                ((t >= 1 && (s->tok[t - 1].dflags & DICT_TITLE)) ||
                 (t >= 2 && !s->tok[t - 1].nl && (s->tok[t - 2].dflags & DICT_TITLE) &&
                  s->tok[t - 1].e - s->tok[t - 1].s == 1)))
                label = AT_PHI_NOM;
            /* (nor is a field's value that says there is none: "Nom :
             * Néant", "Domicile : Chez Ses Parents") */
            if (ok && deid_field_no_value(s, t))
                ok = 0;
            /* capitalised words of the language with no cue make no
             * address by themselves ("Nausées Présente" is none) */
            if (label == AT_PHI_ADRESSE) {
                size_t q = t;
                while (q < u && (c->cand[q] == 2 || c->cand[q] == TAG_CAND_LINE))
                    q++;
                if (q == u)
                    ok = 0;
            }
            if (ok && u == t + 1 && (label == AT_PHI_PRENOM || label == AT_PHI_NOM) && !s->tok[t].cap &&
                !s->tok[t].allcaps) {
                /* a word written as a commune is ("noyal-sur-vilaine") */
                char pf[96];
                int pfl =
                    s->tok[t].e - s->tok[t].s < 90
                        ? text_lexicon_fold(s->t + s->tok[t].s, s->tok[t].e - s->tok[t].s, pf, sizeof pf)
                        : -1;
                if (pfl > 0 && deid_place_compound(pf, (size_t)pfl))
                    label = AT_PHI_VILLE;
            }
            if (ok && mark(s, t, u, label) && (label == AT_PHI_NOM || label == AT_PHI_PRENOM))
                deid_names_add(s, t, u);
            t = u;
        }
        i = j;
    }
    return AT_OK;
}
