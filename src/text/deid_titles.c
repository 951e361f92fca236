/* Names after a title, a field label, "la patiente" or "née" (the
 * titles pass of deid_passes.c's order): a run of capitalised name words
 * with their particles and initials, or names written in lower case, and
 * the labels of the run's words by case, particles and the first-name
 * dictionary. */
#include "deid_scan.h"

static size_t tok_len(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

/* One letter (an initial), whatever its UTF-8 length. */
static int tok_single(const text_scan *s, size_t i)
{
    size_t n = tok_len(s, i);
    unsigned c = (unsigned char)s->t[s->tok[i].s];
    return n == 1 || (n == 2 && c >= 0xC0 && c < 0xE0);
}

/* Token i is the initials of a compound first name in one word: "J-B",
 * "P-Y" (two capitals and a dash). */
static int tok_compound_initial(const text_scan *s, size_t i)
{
    const char *w = s->t + s->tok[i].s;
    return tok_len(s, i) == 3 && w[0] >= 'A' && w[0] <= 'Z' && w[1] == '-' && w[2] >= 'A' && w[2] <= 'Z';
}

/* Label a run of name tokens [a, b): override 2 = all surnames, 3 = all
 * first names, else by case, particles and the first-name dictionary. */
/* Dictionary flags of the word at i, looked up even when the tokeniser
 * skipped it (lower-case words outside the trigger set). */
static unsigned word_flags(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->dflags || (k->aux & TOK_AUX_LOOKED) || tok_len(s, i) > 40)
        return k->dflags;
    char f[136];
    int fl = text_fold_word(s->t + k->s, tok_len(s, i), f, sizeof f);
    return fl > 0 ? text_dict_get(&s->d->dict, f, (size_t)fl, NULL) : 0;
}

/* A particle of a surname at token i: "de", "Van", "der" ... or the
 * elided "d'" of "d'Ormesson" (' or ’). */
static int name_particle(const text_scan *s, size_t i)
{
    return tok_elided_d(s, i) || (word_flags(s, i) & DICT_PARTICLE) != 0;
}

static void label_name_run(text_scan *s, size_t a, size_t b, int override)
{
    size_t ua[8], ub[8];
    int part[8];
    size_t n = 0;
    int any_part = 0;
    for (size_t i = a; i < b && n < 8; i++) {
        if (s->tok[i].kind != TOK_WORD)
            continue;
        ua[n] = i;
        part[n] = 0;
        /* particles with the word after them: "Le Goff", "Van der Berg" */
        while (name_particle(s, i) && !tok_single(s, i) && i + 1 < b && s->tok[i + 1].kind == TOK_WORD) {
            part[n] = any_part = 1;
            i++;
        }
        ub[n++] = i + 1;
    }
    if (!n)
        return;
    int any_caps = 0;
    for (size_t k = 0; k < n; k++)
        any_caps |= s->tok[ua[k]].allcaps && !tok_single(s, ua[k]);
    /* (a month opening the run is a surname too: "Mme Avril Jacqueline") */
    unsigned df0 = s->tok[ua[0]].dflags;
    int last_only0 =
        ((df0 & (DICT_LAST | DICT_FIRST)) == DICT_LAST || ((df0 & DICT_MONTH) && !(df0 & DICT_FIRST))) &&
        !tok_single(s, ua[0]);
    for (size_t k = 0; k < n; k++) {
        const text_tok *t = &s->tok[ua[k]];
        int single = tok_single(s, ua[k]) || tok_compound_initial(s, ua[k]);
        int first = (t->dflags & DICT_FIRST) != 0 || single;
        int lab;
        if (override == 2)
            lab = AT_PHI_NOM;
        else if (override == 3)
            lab = AT_PHI_PRENOM;
        else if (part[k])
            lab = AT_PHI_NOM;
        else if (single)
            lab = AT_PHI_PRENOM;
        else if (any_part)
            lab = AT_PHI_PRENOM;
        else if (n == 1)
            lab = AT_PHI_NOM;
        else if (any_caps && t->allcaps)
            lab = (first && k + 1 < n && s->tok[ua[k + 1]].allcaps) ? AT_PHI_PRENOM : AT_PHI_NOM;
        else if (any_caps)
            lab = AT_PHI_PRENOM;
        else if (k == n - 1)
            lab = (first && last_only0) ? AT_PHI_PRENOM : AT_PHI_NOM;
        else
            lab = (k == 0 && last_only0 && (s->tok[ua[n - 1]].dflags & DICT_FIRST)) ? AT_PHI_NOM
                                                                                    : AT_PHI_PRENOM;
        if (mark(s, ua[k], ub[k], lab))
            deid_names_add(s, ua[k], ub[k]);
    }
}

/* Whether one of the bytes of set is among the n bytes at w. */
static int strpbrk_n(const char *w, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] && strchr(set, w[i]))
            return 1;
    return 0;
}

/* Token i names a specialist's trade: a field's label of the lists
 * ("Radiothérapeute", "Oncologue") or a word ending as the trades do
 * ("-logue", "-logiste", "-thérapeute", "-iatre"), on no list of names. */
static int trade_word(const text_scan *s, size_t i)
{
    const text_tok *t = &s->tok[i];
    if ((t->lex & (LEX_FIRST | LEX_LAST)) || (word_flags(s, i) & (DICT_FIRST | DICT_LAST)))
        return 0;
    if (t->dflags & DICT_FIELD)
        return 1;
    char f[48];
    size_t n = tok_len(s, i);
    int fl = n < 40 ? text_lexicon_fold(s->t + t->s, n, f, sizeof f) : -1;
    static const char *const ends[] = {"logue", "logiste", "therapeute", "iatre", NULL};
    for (const char *const *e = ends; fl >= 7 && *e; e++) {
        size_t el = strlen(*e);
        if ((size_t)fl > el + 2 && !memcmp(f + fl - el, *e, el))
            return 1;
    }
    return 0;
}

/* Words that say a name's field is empty (folded). */
static const char *const unknown[] = {"neant", "inconnu", "inconnue", "anonyme", "idem", "nc", "nr",
                                      "na",    "non",     "sans",     "aucun",   "x",    "xx", NULL};

/* The value of a surname's or a first name's field ("Nom : HARTMANN",
 * "NOM d'usage : FRANCE", "Prénom : Soleil"): its capitalised words,
 * whatever the lexicons say of them (an eponym, a word of the language),
 * up to the line's end, a wide gap or the next field's label; not a word
 * that says the value is unknown. */
static size_t field_name(const text_scan *s, size_t j)
{
    size_t r = j;
    while (r < s->n && r - j < 3 && !s->tok[r].nl && !s->lab[r] && s->tok[r].kind == TOK_WORD &&
           (s->tok[r].cap || s->tok[r].allcaps) && tok_len(s, r) >= 2 && !tok_has_digit(s, r) &&
           !deid_tok_in(s, r, unknown) && !is_punct(s, r + 1, ':') &&
           !(s->tok[r].dflags & (DICT_TITLE | DICT_IDLABEL | DICT_FIELD | DICT_ROLE | DICT_BIRTH))) {
        if (r > j) { /* (characters: a no-break space inside a name is one) */
            const char *g = s->t + s->tok[r - 1].e;
            size_t gl = s->tok[r].s - s->tok[r - 1].e, chars = 0;
            for (size_t b = 0; b < gl; b++)
                chars += ((unsigned char)g[b] & 0xC0) != 0x80;
            if (chars >= 3 || memchr(g, '\t', gl))
                break;
        }
        r++;
    }
    return r;
}

/* Token i, in capitals, may be a surname: three letters or more, no
 * digit, no acronym of care of four letters or less ("TEP", "HDJ"), no
 * word of a title, a trade, a field or an establishment. */
static int caps_name(const text_scan *s, size_t i)
{
    const text_tok *t = &s->tok[i];
    size_t n = tok_len(s, i);
    return t->kind == TOK_WORD && t->allcaps && n >= 3 && !tok_has_digit(s, i) &&
           !(n <= 4 && (t->lex & LEX_MED)) && !(t->lex & (LEX_ORG | LEX_KIN | LEX_STREET)) &&
           !(t->dflags & (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_IDLABEL | DICT_BIRTH | DICT_ROLE |
                          DICT_FIELD | DICT_HEAD)) &&
           !trade_word(s, i);
}

/* Name tokens after position j: returns the end of the run, never after
 * particles that no name word follows ("Dr Martin des Urgences": the run
 * is "Martin"). initial_first: 1 after a title (an initial or a particle
 * may open the run), 2 after a field's label (a particle may), 0 none. */
static size_t name_run(const text_scan *s, size_t j, int initial_first)
{
    size_t r = j, end = j;
    int count = 0, particle = 0;
    while (r < s->n && count < 4 && !s->tok[r].nl && !s->lab[r]) {
        const text_tok *t = &s->tok[r];
        int after_particle = particle;
        particle = 0;
        /* lower-case particles inside a name (or first after a title),
         * before a capital: "Van der Berg", "Anne de la Fontaine", "M. de
         * Gaulle", "M. d'Ormesson" */
        size_t q = r;
        while ((count > 0 || initial_first) && q < s->n && q < r + 3 && s->tok[q].kind == TOK_WORD &&
               !s->tok[q].nl && !(s->tok[q].cap || s->tok[q].allcaps) && name_particle(s, q))
            q++;
        if (q > r && q < s->n && s->tok[q].kind == TOK_WORD && !s->tok[q].nl &&
            (s->tok[q].cap || s->tok[q].allcaps)) {
            /* "de" before a place is where the person works, not a
             * particle ("docteur Morvan de Saint-Renan", "Dr Le Gall de
             * Lannion") */
            const text_tok *u = &s->tok[q];
            int place = (u->lex & LEX_CITY) || ((u->lex & LEX_PLACE) && !(u->lex & (LEX_FIRST | LEX_LAST))) ||
                        ((tok_is(s, q, "saint") || tok_is(s, q, "sainte")) && is_punct(s, q + 1, '-'));
            if (place && count > 0 && !s->tok[q - 1].cap &&
                (tok_is(s, q - 1, "de") || tok_is(s, q - 1, "d'")))
                break;
            r = q;
            particle = 1;
            continue;
        }
        if (t->kind != TOK_WORD || !(t->cap || t->allcaps))
            break;
        /* a trade after the name ends it: "DOCTEUR ARNAUD BELLEC
         * RADIOTHERAPEUTE"; so does a short word with a digit no scan
         * reads for a letter ("patient O2 2L"; not "L3 G0FF", "Po1") */
        if ((count > 0 && trade_word(s, r)) ||
            (tok_has_digit(s, r) && tok_len(s, r) <= 3 && strpbrk_n(s->t + t->s, tok_len(s, r), "24679")))
            break;
        if (tok_compound_initial(s, r) && is_punct(s, r + 1, '.') && !s->tok[r + 1].nl) {
            r += 2; /* "Dr J-B. Petit" */
            count++;
            end = r;
            continue;
        }
        if (tok_single(s, r)) { /* an initial "J." only, never "N°" nor "M." */
            if (!is_punct(s, r + 1, '.') || (count == 0 && initial_first != 1 && (t->dflags & DICT_TITLE)))
                break;
            r += 2;
            count++;
            end = r;
            continue;
        }
        /* a capitalised word after a first name of the run that ends the
         * phrase is the surname, though a word of the language or of care
         * ("Dr Pascal Dimanche, médecin du travail") */
        int surname_slot = count >= 1 && r > j && (s->tok[r - 1].lex & LEX_FIRST) && t->cap && !t->allcaps &&
                           (r + 1 >= s->n || s->tok[r + 1].nl || is_punct(s, r + 1, ',') ||
                            is_punct(s, r + 1, '.') || is_punct(s, r + 1, ')') || is_punct(s, r + 1, '('));
        /* in capitals after the first name, wherever it stands: "M.
         * Bernard TRAVERS né le", "M. Yohan BISMUTH (fils)", "Docteur
         * Sylvain LHERMITTE" (not an acronym of care: "Dr Marie TEP") */
        surname_slot |= count >= 1 && r > j && (s->tok[r - 1].lex & LEX_FIRST) && t->allcaps &&
                        caps_name(s, r) && s->tok[r].s - s->tok[r - 1].e <= 2;
        /* any capitalised word after a capitalised particle right after
         * the title, though a word of the language or before a colon:
         * "CR de Dr Le Bot : verre dépoli", "Mme De Sousa" */
        surname_slot |= count == 1 && r == j + 1 && j > 0 && name_particle(s, j) && !tok_single(s, j) &&
                        (s->tok[j].cap || s->tok[j].allcaps) && (t->cap || t->allcaps) &&
                        !tok_has_digit(s, r) && s->tok[r].s == s->tok[j].e + 1 &&
                        ((s->tok[j - 1].dflags & DICT_TITLE) ||
                         (j >= 2 && is_punct(s, j - 1, '.') && (s->tok[j - 2].dflags & DICT_TITLE)));
        if (surname_slot &&
            !(t->dflags &
              (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_IDLABEL | DICT_BIRTH | DICT_ROLE | DICT_FIELD)) &&
            !(t->lex & (LEX_ORG | LEX_KIN | LEX_STREET))) {
            r++;
            count++;
            end = r;
            continue;
        }
        /* a wide gap (three spaces, a tab) ends the name: the next cell
         * ("Dr Morgane Thomas   Validation pharmaceutique : ...") */
        if (count > 0 && r > 0) {
            const char *g = s->t + s->tok[r - 1].e;
            size_t gl = t->s - s->tok[r - 1].e, chars = 0;
            for (size_t b = 0; b < gl; b++) /* (characters: a no-break space is one) */
                chars += ((unsigned char)g[b] & 0xC0) != 0x80;
            if (chars >= 3 || memchr(g, '\t', gl))
                break;
        }
        /* a field's label of the next field on the line ends the name:
         * "NOM de naissance : GUILLOU     NOM d'usage : LE CORRE" */
        if ((t->dflags & DICT_FIELD) && count > 0) {
            int colon = 0;
            for (size_t q = r + 1; q < s->n && q <= r + 4 && !s->tok[q].nl && !colon; q++)
                colon = is_punct(s, q, ':');
            if (colon)
                break;
        }
        /* a month right after the title or an initial, capitalised,
         * before no number, is a surname: "Dr Avril", "Dr P. Avril" */
        int month_name = (t->dflags & DICT_MONTH) && t->cap && !t->allcaps &&
                         (count == 0 || (r >= 2 && is_punct(s, r - 1, '.') && tok_single(s, r - 2))) &&
                         !(r + 1 < s->n && !s->tok[r + 1].nl && s->tok[r + 1].kind == TOK_NUM);
        /* (a word before a colon is a field's label, but not a name
         * right after the title and its point: a name of the lists, a
         * surname in capitals or a word no list holds: "Mme Fournier :
         * RAS", "M. CORBIN : dyspnée", "- M. Granier : sortie") */
        if ((is_punct(s, r + 1, ':') &&
             !(count == 0 && r > 0 &&
               ((s->tok[r - 1].dflags & DICT_TITLE) ||
                (r >= 2 && is_punct(s, r - 1, '.') && (s->tok[r - 2].dflags & DICT_TITLE))) &&
               t->cap &&
               (((t->lex & (LEX_FIRST | LEX_LAST)) && !t->allcaps) || caps_name(s, r) ||
                (!(t->lex & LEX_MASK) && tok_len(s, r) >= 3 && !tok_has_digit(s, r))) &&
               !(t->dflags & (DICT_FIELD | DICT_IDLABEL | DICT_ROLE)))) ||
            (t->dflags & (DICT_TITLE | DICT_HOSP | DICT_IDLABEL | DICT_BIRTH | DICT_ROLE)) ||
            ((t->dflags & DICT_MONTH) && !month_name) ||
            /* (a word of care ends the name, but not after a particle,
             * nor a word the model learned as safe from a writer's KEEP
             * strings, no list's: "Van der Berg", "Mme Berg", "M.
             * Tinetti", whose names a balance scale and a gait test
             * carry) */
            ((t->lex & LEX_MED) && !(t->lex & (LEX_FIRST | LEX_LAST | LEX_LEARNED)) && !after_particle &&
             /* (but an eponym, or any word of care capitalised, right
              * after the title or a first name is a person's: "Dr
              * Binet", "Dr Thomas Kremer"; in capitals too when it has
              * five letters or more and follows the title: "Dr
              * BOUVERET", never an acronym of care) */
             !(t->cap &&
               (!t->allcaps ||
                (count == 0 && tok_len(s, r) >= 5 && !tok_has_digit(s, r) &&
                 ((s->tok[r - 1].dflags & DICT_TITLE) ||
                  (r >= 2 && is_punct(s, r - 1, '.') && (s->tok[r - 2].dflags & DICT_TITLE))))) &&
               (count == 0 || (s->tok[r - 1].lex & LEX_FIRST) ||
                (r >= 2 && is_punct(s, r - 1, '.') && tok_single(s, r - 2))) &&
               r > 0 && !is_punct(s, r - 1, ':') &&
               !(s->tok[r - 1].kind == TOK_WORD && tok_len(s, r - 1) < 2) &&
               !(r + 1 < s->n && s->tok[r + 1].kind == TOK_NUM) && !deid_dose_after(s, r + 1))))
            break;
        if ((t->dflags & DICT_COMMON) && !(t->dflags & (DICT_FIRST | DICT_LAST)) && !t->allcaps &&
            !(t->dflags & DICT_PARTICLE) && !month_name)
            break;
        r++;
        count++;
        end = r;
    }
    return end;
}

/* Lower-case words that follow a title without being a name ("Madame
 * refuse.", "Monsieur lui-même,", the German degree of "Dr. med.", "Dr.
 * rer. nat."). Folded. */
static const char *const not_names_after_title[] = {
    "a",       "ai",     "as",        "au",      "aussi",    "avait",  "bien",      "ca",       "ce",
    "cela",    "ceci",   "cette",     "dit",     "donc",     "dort",   "elle-meme", "en",       "encore",
    "ensuite", "est",    "et",        "etait",   "fait",     "ici",    "il",        "lui",      "lui-meme",
    "mal",     "mange",  "meme",      "ne",      "non",      "nous",   "ou",        "oui",      "part",
    "qui",     "refuse", "accepte",   "sort",    "seul",     "seule",  "signale",   "souhaite", "va",
    "vient",   "y",      "egalement", "present", "presente", "absent", "absente",   "med",      "rer",
    "nat",     "decede", "decedee",   "defunt",  "defunte",  NULL};

/* Lower-case words after "docteur", "dr", "professeur" or "pr" that go
 * on a phrase without naming anyone ("docteur junior", "docteur traitant
 * de", "professeur associé"). Folded. */
static const char *const not_names_after_doctor[] = {
    "junior",      "senior",       "traitant",      "traitante",
    "referent",    "referente",    "remplacant",    "remplacante",
    "associe",     "associee",     "agrege",        "agregee",
    "honoraire",   "emerite",      "specialiste",   "generaliste",
    "responsable", "coordinateur", "coordinatrice", "chef",
    "titulaire",   "present",      "presents",      "avait",
    "sera",        "serait",       "pourra",        "pourrait",
    "doit",        "devra",        "peut",          "avons",
    "ont",         "sont",         "aura",          "demande",
    "propose",     "prescrit",     "conseille",     "recommande",
    "note",        "retrouve",     "constate",      "precise",
    "rappelle",    "explique",     "indique",       "informe",
    "adresse",     "revoit",       "reverra",       "verra",
    "voit",        "vu",           "vue",           "pense",
    "juge",        "estime",       "souhaite",      "prend",
    "prendra",     "appelle",      "rappellera",    "contacte",
    "arrive",      "passe",        "passera",       "repasse",
    "dit",         "disait",       "confirme",      "valide",
    "organise",    "programme",    "lui",           "leur",
    "nous",        "vous",         "pour",          "avec",
    "sans",        "dans",         "vers",          "chez",
    "merci",       "votre",        "notre",         "cette",
    "quand",       "comme",        "apres",         "avant",
    "pendant",     "depuis",       "selon",         "entre",
    NULL};

/* Word token r is a compound of first names ("mohamed-amine",
 * "marie-thérèse"). */
int deid_compound_firsts(const text_scan *s, size_t r)
{
    const text_tok *u = &s->tok[r];
    if (!memchr(s->t + u->s, '-', tok_len(s, r)))
        return 0;
    char g[64];
    int gl = text_lexicon_fold(s->t + u->s, tok_len(s, r), g, sizeof g);
    int firsts = gl > 0;
    for (int a = 0; a < gl && firsts;) {
        int b = a;
        while (b < gl && g[b] != '-')
            b++;
        firsts = b > a && (text_lexicon_get(&s->d->lex, g + a, (size_t)(b - a)) & LEX_FIRST);
        a = b + 1;
    }
    return firsts;
}

/* Token e is a dictated stop, a punctuation said in lower case
 * ("madame nathalie rossignol point examen", "... virgule née le"). */
static int said_stop(const text_scan *s, size_t e)
{
    return e < s->n && !s->tok[e].cap && (tok_is(s, e, "point") || tok_is(s, e, "virgule"));
}

/* After a title, names written in lower case ("Mme dupont", "M. jean
 * dupont"): a run of up to three known first names or surnames (not common
 * words), else one unknown word that ends the phrase. Returns the end of
 * the run, j when there is none. */
static size_t lower_name_run(const text_scan *s, size_t j, int doctor)
{
    size_t r = j;
    while (r < s->n && r - j < 3 && !s->lab[r] && s->tok[r].kind == TOK_WORD && !s->tok[r].cap &&
           !s->tok[r].nl && !tok_has_digit(s, r)) {
        unsigned f = word_flags(s, r);
        if (!(f & (DICT_FIRST | DICT_LAST)) || (f & DICT_COMMON))
            break;
        r++;
    }
    /* after a first name of the run, a word no lexicon knows, or a word
     * that ends the phrase, is the surname ("mme lucie jaffrezic", "dr
     * etienne rochas / psychologue"); after a first name or a surname, a
     * compound of first names is a first name ("monsieur benali
     * mohamed-amine") */
    if (r > j && r < s->n && r - j < 3 && !s->lab[r] && s->tok[r].kind == TOK_WORD && !s->tok[r].cap &&
        !s->tok[r].nl && !tok_has_digit(s, r) && tok_len(s, r) >= 3 && tok_len(s, r) <= 40) {
        unsigned pf = word_flags(s, r - 1), f = word_flags(s, r);
        const text_tok *u = &s->tok[r];
        size_t e = r + 1;
        int ends = e >= s->n || s->tok[e].nl ||
                   (s->tok[e].kind == TOK_PUNCT && !is_punct(s, e, '-') && !is_punct(s, e, '\'')) ||
                   said_stop(s, e);
        int unknown = !u->lex && u->fh && !f;
        int word_end = ends && (u->lex & LEX_WORD) && !(u->lex & (LEX_MED | LEX_KIN | LEX_ORG)) &&
                       !(f & (DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_MONTH));
        int firsts = deid_compound_firsts(s, r);
        if (((pf & DICT_FIRST) && (unknown || word_end)) || ((pf & (DICT_FIRST | DICT_LAST)) && firsts))
            r++;
    }
    if (r > j || j >= s->n || s->lab[j] || s->tok[j].kind != TOK_WORD || s->tok[j].cap || s->tok[j].nl ||
        tok_has_digit(s, j))
        return r;
    /* a particle and the word after it, whatever it is ("mme le bras",
     * "dr le floch"): after a title, "le" starts a surname; so do two
     * particles ("docteur de la vallée") and, after a doctor's title,
     * "saint" ("professeur saint martin") */
    size_t w = j + 1;
    int particle = (word_flags(s, j) & DICT_PARTICLE) && tok_len(s, j) <= 3;
    if (particle && w + 1 < s->n && !s->tok[w].nl && !s->lab[w] && s->tok[w].kind == TOK_WORD &&
        !s->tok[w].cap && tok_len(s, w) <= 3 && (word_flags(s, w) & DICT_PARTICLE))
        w++;
    else if (!particle && doctor && (tok_is(s, j, "saint") || tok_is(s, j, "sainte")))
        particle = 1;
    if (particle && w < s->n && !s->tok[w].nl && !s->lab[w] && s->tok[w].kind == TOK_WORD && !s->tok[w].cap &&
        tok_len(s, w) >= 3 && !tok_has_digit(s, w) && !(s->tok[w].lex & (LEX_MED | LEX_KIN)) &&
        !(word_flags(s, w) &
          (DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_PARTICLE | DICT_CONNECT))) {
        /* and a first name after it ("madame de montaigu anne-claire") */
        size_t f = w + 1;
        if (f < s->n && !s->tok[f].nl && !s->lab[f] && s->tok[f].kind == TOK_WORD && !s->tok[f].cap &&
            (((word_flags(s, f) & (DICT_FIRST | DICT_COMMON)) == DICT_FIRST) || deid_compound_firsts(s, f)))
            f++;
        return f;
    }
    /* an initial in lower case and the surname after it: "dr b. dauphin",
     * "mme l. dupont", "docteur a dubus", a doctor's "dr p." ending its
     * line; with the point, any word but the commonest; without it, after
     * a doctor only and before a word no dictionary holds ("le dr a dit"
     * names no one) */
    unsigned char c0 = (unsigned char)s->t[s->tok[j].s];
    if (tok_len(s, j) == 1 && c0 >= 'a' && c0 <= 'z') {
        size_t w2 = j + 1;
        int dot = is_punct(s, w2, '.') && s->tok[w2].s == s->tok[j].e;
        w2 += dot;
        if (dot && doctor && (w2 >= s->n || s->tok[w2].nl))
            return w2;
        /* (a message's "c", "g", "t": "bjr docteur c kevin, le fils") */
        if ((dot || (doctor && !strchr("cgty", c0))) && w2 < s->n && !s->tok[w2].nl && !s->lab[w2] &&
            s->tok[w2].kind == TOK_WORD && tok_len(s, w2) >= 3 && tok_len(s, w2) <= 40 &&
            !tok_has_digit(s, w2) &&
            !(word_flags(s, w2) & (DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_MONTH |
                                   DICT_CONNECT | DICT_PARTICLE | DICT_IDLABEL | DICT_BIRTH)) &&
            !(s->tok[w2].lex & (LEX_MED | LEX_KIN | LEX_ORG | LEX_STREET)) &&
            (dot ? !(word_flags(s, w2) & DICT_COMMON) || (word_flags(s, w2) & (DICT_FIRST | DICT_LAST))
                 : !(s->tok[w2].lex & LEX_WORD)))
            return w2 + 1;
    }
    if (tok_len(s, j) < 3 || (word_flags(s, j) & ~(doctor ? (unsigned)DICT_EPONYM : 0u)))
        return r;
    /* a word no lexicon knows: a name ("dr corre à ...") */
    if (!(s->tok[j].lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_STREET | LEX_ORG)) &&
        s->tok[j].lex)
        return j + 1;
    if (!s->tok[j].lex && s->tok[j].fh)
        return j + 1;
    size_t e = j + 1;
    int ends = e >= s->n || s->tok[e].nl || is_punct(s, e, ',') || is_punct(s, e, '.') ||
               is_punct(s, e, ';') || is_punct(s, e, ')') || is_punct(s, e, ':') || said_stop(s, e);
    /* after a doctor's title, a word of the language goes on the phrase
     * too ("le docteur moineau de montrésor", "docteur cordonnier anne"):
     * a doctor is named, not described, right after the title */
    if (!ends && (!doctor || tok_len(s, j) < 4 || (s->tok[j].lex & (LEX_KIN | LEX_ORG | LEX_STREET)) ||
                  /* (an eponym is a doctor's name: "le docteur lhermitte") */
                  ((s->tok[j].lex & LEX_MED) && !(s->tok[j].lex & LEX_EPONYM))))
        return j;
    char f[136];
    int fl = tok_len(s, j) <= 40 ? at_text_fold(s->t + s->tok[j].s, tok_len(s, j), f, sizeof f) : -1;
    if (fl <= 0)
        return j;
    for (const char *const *w = not_names_after_title; *w; w++)
        if (!strcmp(f, *w))
            return j;
    if (!ends)
        for (const char *const *w = not_names_after_doctor; *w; w++)
            if (!strcmp(f, *w))
                return j;
    return j + 1;
}

/* "Prénom NOM, IDE": a name run of two or three words before a role. */
static void role_names(text_scan *s, size_t i)
{
    if (i < 3 || !is_punct(s, i - 1, ','))
        return;
    size_t a = i - 1, words = 0;
    for (;;) {
        if (a > 0 && i - 1 - a < 5 && is_name_word(s, a - 1) && !s->lab[a - 1] && !s->tok[a].nl &&
            !(s->tok[a - 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_IDLABEL | DICT_ROLE)) &&
            !((s->tok[a - 1].dflags & DICT_COMMON) &&
              !(s->tok[a - 1].dflags & (DICT_FIRST | DICT_LAST | DICT_PARTICLE)))) {
            a--;
            words++;
        } else if (words && a > 1 && !s->tok[a].nl && !s->lab[a - 1] && s->tok[a - 1].kind == TOK_WORD &&
                   !s->tok[a - 1].cap && (s->tok[a - 1].dflags & DICT_PARTICLE) && is_name_word(s, a - 2)) {
            a--; /* a particle inside: "Pierre Van der Berg, IDE" */
        } else {
            break;
        }
    }
    if (words >= 2)
        label_name_run(s, a, i - 1, 0);
}

/* The words of a negation after "ne" (in capitals "NE PAS" is no birth).
 * Folded. */
static const char *const negations[] = {"pas", "plus", "jamais", "rien", "point", NULL};

void deid_pass_titles(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t i = s->list[TEXT_LIST_FLAG][q];
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || s->lab[i])
            continue;
        if ((k->dflags & DICT_ROLE) && !k->nl) {
            role_names(s, i);
            if (!(k->dflags & DICT_FIELD) || !k->cap)
                continue;
        }
        if (k->dflags & DICT_TITLE) {
            size_t len = tok_len(s, i);
            /* (an elided pronoun is no title: "de m'alimenter", "en
             * m'adressant") */
            if (!k->cap && len >= 2 && (s->t[k->e - 1] == '\'' || (unsigned char)s->t[k->e - 1] == 0x99))
                continue;
            size_t j = i + 1;
            /* (the point of an abbreviation: "Dr.", "Mme."; after a word,
             * "veuve. Vit avec ...", it ends a sentence) */
            if (is_punct(s, j, '.') && len <= 4)
                j++;
            if (j >= s->n || s->tok[j].nl || is_punct(s, j, '.'))
                continue;
            /* "m" the unit, but "m." before a word in lower case after no
             * number ("convoquer m. caron", not "1,70 m. poids"); "dr",
             * "mme" in lower case before a lower-case name */
            int mister = len == 1 && j == i + 2 && s->tok[j].kind == TOK_WORD && !s->tok[j].cap &&
                         !s->tok[j].allcaps && (i == 0 || k->nl || s->tok[i - 1].kind == TOK_WORD);
            if (len <= 3 && !k->cap && !mister && (len == 1 || s->tok[j].kind != TOK_WORD || s->tok[j].cap))
                continue;
            /* "EP segmentaire", "PR séropositive", "DR diabétique": two
             * capitals without their point before a word in lower case
             * are an acronym's (an embolism, an arthritis), no title */
            if (k->allcaps && len == 2 && j == i + 1 && s->tok[j].kind == TOK_WORD && !s->tok[j].cap &&
                !s->tok[j].allcaps)
                continue;
            /* "épouse de M. Lefèvre": the title after "de" names him */
            if (j + 1 < s->n && tok_is(s, j, "de") && !s->tok[j].cap && (s->tok[j + 1].dflags & DICT_TITLE))
                continue;
            /* "Madame la Directrice", "M. le Président": an office, not
             * a name (a word of the language no name list holds after
             * the article in lower case) */
            if (j + 1 < s->n && !s->tok[j].cap && (tok_is(s, j, "le") || tok_is(s, j, "la")) &&
                !s->tok[j + 1].nl && s->tok[j + 1].kind == TOK_WORD && s->tok[j + 1].cap &&
                !s->tok[j + 1].allcaps && (s->tok[j + 1].lex & LEX_WORD) &&
                !(s->tok[j + 1].lex & (LEX_FIRST | LEX_LAST | LEX_PLACE | LEX_CITY)))
                continue;
            size_t r = name_run(s, j, 1);
            /* "professeur des écoles", "docteur en pharmacie": in lower
             * case the long titles are nouns before a particle; a
             * relative's word opening a sentence is the relative, the
             * word in lower case after it no name ("Épouse épuisée") */
            int kin_noun =
                (k->lex & LEX_KIN) && k->cap && (k->nl || i == 0 || s->tok[i - 1].kind == TOK_PUNCT);
            if (r == j && !kin_noun &&
                !(!k->cap && len > 8 && j < s->n && (word_flags(s, j) & DICT_PARTICLE)))
                r = lower_name_run(s, j,
                                   tok_is(s, i, "dr") || tok_is(s, i, "docteur") ||
                                       (k->cap && tok_is(s, i, "pr")) || tok_is(s, i, "professeur") ||
                                       tok_is(s, i, "drs"));
            if (r > j)
                label_name_run(s, j, r, 0);
        } else if ((k->dflags & DICT_FIELD) && k->dval == 1 && !k->nl &&
                   (tok_is(s, i, "patient") || tok_is(s, i, "patiente")) && !is_punct(s, i + 1, ':') &&
                   is_name_word(s, i + 1) && !s->tok[i + 1].nl) {
            /* "la patiente Hélène", "le patient Jean DUPONT" */
            size_t r = name_run(s, i + 1, 0);
            int one_first = r == i + 2 && (s->tok[i + 1].dflags & (DICT_FIRST | DICT_LAST)) == DICT_FIRST;
            if (r > i + 1)
                label_name_run(s, i + 1, r, one_first ? 3 : 0);
        } else if ((k->dflags & DICT_BIRTH) && k->special == TOK_SPECIAL_NE && is_name_word(s, i + 1) &&
                   !((s->tok[i + 1].dflags & DICT_COMMON) && !(s->tok[i + 1].dflags & DICT_LAST) &&
                     !s->tok[i + 1].allcaps) &&
                   !deid_tok_in(s, i + 1, negations)) { /* (not "NE PAS appeler") */
            size_t r = name_run(s, i + 1, 0);
            if (r > i + 1)
                label_name_run(s, i + 1, r, 2);
        } else if ((k->dflags & DICT_BIRTH) && k->special == TOK_SPECIAL_NE && !k->cap &&
                   (tok_is(s, i, "nee") || tok_is(s, i,
                                                  "n\xC3\xA9"
                                                  "e")) &&
                   i + 1 < s->n && !s->tok[i + 1].nl && i > 0 &&
                   (s->lab[i - 1] == AT_PHI_NOM || s->lab[i - 1] == AT_PHI_PRENOM ||
                    (s->tok[i - 1].lex & (LEX_FIRST | LEX_LAST)) ||
                    (word_flags(s, i - 1) & (DICT_FIRST | DICT_LAST)))) {
            /* "mme perrier marthe nee mollard": a maiden name in lower
             * case after a name, as after a title (not "elle est née
             * prématurée", nor "né", "ne": "il ne ...") */
            size_t r = lower_name_run(s, i + 1, 0);
            if (r > i + 1)
                label_name_run(s, i + 1, r, 2);
        } else if ((k->dflags & DICT_FIELD) && (k->cap || k->allcaps)) {
            size_t j = i + 1;
            while (
                j < s->n && j - i <= 4 && !s->tok[j].nl && !is_punct(s, j, ':') &&
                (s->tok[j].kind == TOK_PUNCT || !s->tok[j].cap || (s->tok[j].allcaps && tok_len(s, j) <= 4)))
                j++; /* "IDE HDJ : Morgane" */
            if (!is_punct(s, j, ':'))
                continue;
            j++;
            if (j >= s->n || s->tok[j].nl)
                continue;
            if (deid_tok_in(s, j, unknown)) /* "Nom : Néant", "Prénom : inconnu" */
                continue;
            /* (a particle may open the value: "Patient : de Kerguelen
             * Tanguy") */
            size_t r = name_run(s, j, 2);
            if (r == j && (k->dval == 2 || k->dval == 3))
                r = field_name(s, j);
            if (r > j)
                label_name_run(s, j, r, k->dval);
        }
    }
}

void deid_pass_maiden_names(text_scan *s)
{
    static const char *const not_names[] = {"le",  "la",   "les",  "l'", "a",     "en",   "au",   "aux",
                                            "du",  "de",   "des",  "d'", "vers",  "avec", "dans", "sur",
                                            "par", "pour", "et",   "ou", "il",    "elle", "est",  "une",
                                            "un",  "chez", "hier", "ce", "cette", NULL};
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t i = s->list[TEXT_LIST_FLAG][q];
        const text_tok *k = &s->tok[i];
        if (k->special != TOK_SPECIAL_NE || k->cap || i == 0 || k->nl || i + 1 >= s->n || s->tok[i + 1].nl ||
            s->lab[i] || s->lab[i + 1] || !(s->lab[i - 1] == AT_PHI_NOM || s->lab[i - 1] == AT_PHI_PRENOM) ||
            !(tok_is(s, i, "nee") || tok_is(s, i,
                                            "n\xC3\xA9"
                                            "e")))
            continue;
        const text_tok *w = &s->tok[i + 1];
        if (w->kind != TOK_WORD || w->cap || w->allcaps || tok_len(s, i + 1) < 2 || tok_has_digit(s, i + 1) ||
            (w->lex & (LEX_MED | LEX_KIN)) || deid_number_word_tok(s, i + 1) ||
            (word_flags(s, i + 1) & (DICT_MONTH | DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_BIRTH)) ||
            deid_tok_in(s, i + 1, not_names))
            continue;
        if (mark(s, i + 1, i + 2, AT_PHI_NOM))
            deid_names_add(s, i + 1, i + 2);
    }
}
