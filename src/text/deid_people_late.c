/* People named where only the phrase tells a name, after the other
 * passes (with the employers known by their name, on the same walk over
 * the capitalised words, and in a transcript's lower case):
 *   - after "signé", "signée" (and "par" or a colon): the first name, and
 *     the initial or the surname after it ("Signé Aude P.", "signé
 *     Jade"); "signe" without its accent is the noun of the eponyms
 *     ("signe de Babinski") and is left;
 *   - a first name alone in brackets after a relative and at most two
 *     words about them ("Mari présent (Manuel)", "fille jointe
 *     (Pascaline)").
 * The word must be a first name of the lists and no word of care. */
#include "deid_scan.h"

#include <string.h>

/* Token i is "signé" or "signée" (any case): its accent is written. */
static int signed_word(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || (n != 6 && n != 7) || ((s->t[k->s] | 0x20) != 's'))
        return 0;
    return tok_is(s, i, "sign\xC3\xA9") ||
           tok_is(s, i,
                  "sign\xC3\xA9"
                  "e") ||
           (k->allcaps && n >= 6 && !memcmp(s->t + k->s + 4, "\xC3\x89", 2));
}

/* A first name of the lists, capitalised, free, no word of care. */
static int first_name(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    return i < s->n && !s->lab[i] && k->kind == TOK_WORD && k->cap && !k->allcaps && (k->lex & LEX_FIRST) &&
           !(k->lex & (LEX_MED | LEX_EPONYM)) && !(k->dflags & (DICT_MONTH | DICT_TITLE | DICT_HOSP));
}

/* The signer after "signé" at i: a first name, then an initial ("P.") or a
 * capitalised surname. */
static void signer_at(text_scan *s, size_t i)
{
    size_t j = i + 1;
    if (j < s->n && !s->tok[j].nl && (is_punct(s, j, ':') || tok_is(s, j, "par")))
        j++;
    if (j >= s->n || s->tok[j].nl || !first_name(s, j))
        return;
    size_t e = j + 1;
    if (e < s->n && !s->tok[e].nl && !s->lab[e] && s->tok[e].kind == TOK_WORD &&
        s->tok[e].e - s->tok[e].s == 1 && s->tok[e].cap && is_punct(s, e + 1, '.')) {
        mark(s, j, e, AT_PHI_PRENOM);
        mark(s, e, e + 1, AT_PHI_NOM); /* "Aude P." */
        return;
    }
    if (e < s->n && !s->tok[e].nl && !s->lab[e] && s->tok[e].kind == TOK_WORD &&
        (s->tok[e].cap || s->tok[e].allcaps) && !(s->tok[e].lex & (LEX_MED | LEX_EPONYM | LEX_KIN)) &&
        !s->tok[e].dflags) {
        mark(s, j, e, AT_PHI_PRENOM);
        mark(s, e, e + 1, AT_PHI_NOM); /* "Aude Perrin" */
        return;
    }
    mark(s, j, e, AT_PHI_PRENOM);
}

/* A first name alone in brackets at i after a relative and at most two
 * lower-case words on its line (in a text in capitals, capitals too:
 * "CONTACT DU PÈRE (ROLAND)"). */
static void bracketed_relative_at(text_scan *s, size_t i)
{
    const text_tok *f = &s->tok[i];
    int caps_first = f->allcaps && f->e - f->s >= 3 && (f->lex & LEX_FIRST) &&
                     !(f->lex & (LEX_MED | LEX_EPONYM)) &&
                     !(f->dflags & (DICT_MONTH | DICT_TITLE | DICT_HOSP));
    if (i < 2 || !is_punct(s, i - 1, '(') || !is_punct(s, i + 1, ')') || s->lab[i] ||
        !(first_name(s, i) || caps_first))
        return;
    for (size_t p = i - 1, words = 0; p > 0 && words < 3 && !s->tok[p].nl; p--, words++) {
        const text_tok *k = &s->tok[p - 1];
        if (k->kind != TOK_WORD)
            return;
        if (k->lex & LEX_KIN) {
            mark(s, i, i + 1, AT_PHI_PRENOM);
            return;
        }
        if ((k->cap && !(caps_first && k->allcaps)) || (k->allcaps && !caps_first) || s->lab[p - 1])
            return;
    }
}

/* A capitalised word right after a relative or a colleague in lower case
 * (or a role in capitals) is their first name, though a month, a country
 * or a word ("sa fille Avril", "sa nièce France", "tante Mai", "IDE
 * Avril"; a word of the language after a relative only): not before a
 * number ("depuis mars 2024"), not a word of care, an establishment's or
 * a street's. i: the capitalised word. */
static void kin_word_name_at(text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i], *p = &s->tok[i - 1];
    if (s->lab[i] || !k->cap || k->allcaps || k->nl || p->kind != TOK_WORD || !(p->lex & LEX_KIN) ||
        (p->cap && !p->allcaps) || k->s != p->e + 1 || k->e - k->s < 3 || tok_has_digit(s, i) ||
        (k->lex & (LEX_ORG | LEX_STREET | LEX_KIN | LEX_EPONYM)) ||
        ((k->lex & LEX_MED) && !(k->dflags & DICT_COMMON)) ||
        (k->dflags & (DICT_TITLE | DICT_HOSP | DICT_FIELD | DICT_ROLE | DICT_IDLABEL | DICT_HEAD |
                      DICT_STREET | DICT_BIRTH | DICT_EPONYM)))
        return;
    if (i + 1 < s->n && !s->tok[i + 1].nl && s->tok[i + 1].kind == TOK_NUM)
        return;
    /* (a month or a place after anyone; a word of the language after a
     * relative only: "cadre Réanimation" is a ward; the other words are
     * the tagger's, which reads them) */
    if (!(k->dflags & DICT_MONTH) && !(k->lex & (LEX_PLACE | LEX_CITY)) &&
        !((k->dflags & DICT_COMMON) && !(p->dflags & DICT_ROLE)))
        return;
    if (mark(s, i, i + 1, AT_PHI_PRENOM))
        deid_names_add(s, i, i + 1);
}

/* In lower case, the surname before a first name found, after a title
 * or a patient's word ("pt lhermitte georges", "mme lhermitte colette":
 * an eponym's word too), and a compound of first names after a surname
 * found ("patient santoni ange-marie"). */
static void lower_name_order(text_scan *s)
{
    static const char *const patient[] = {"pt", "patient", "patiente", "pte", NULL};
    uint32_t before = s->next_ent;
    for (size_t p = deid_next_labelled(s, 0); p < s->n; p = deid_next_labelled(s, p + 1)) {
        const text_tok *k = &s->tok[p];
        if (k->cap || k->allcaps || k->kind != TOK_WORD || k->nl)
            continue;
        if (s->lab[p] == AT_PHI_PRENOM && p >= 2 && !s->tok[p - 1].nl) {
            size_t x = p - 1;
            const text_tok *w = &s->tok[x];
            if (!s->lab[x] && w->kind == TOK_WORD && !w->cap && !w->allcaps && w->e - w->s >= 3 &&
                !(w->aux & TOK_AUX_DIGIT) && !(w->dflags & ~(DICT_FIRST | DICT_LAST | DICT_EPONYM)) &&
                !(w->lex & (LEX_KIN | LEX_ORG | LEX_STREET | LEX_CUE_ID | LEX_CUE_EMP)) &&
                (!(w->lex & LEX_MED) || (w->lex & LEX_EPONYM)) &&
                ((s->tok[x - 1].dflags & DICT_TITLE) || deid_tok_in(s, x - 1, patient)) &&
                mark(s, x, x + 1, AT_PHI_NOM))
                deid_names_add(s, x, x + 1);
        }
        if (s->lab[p] == AT_PHI_NOM && p + 1 < s->n && !s->lab[p + 1] && !s->tok[p + 1].nl &&
            s->tok[p + 1].kind == TOK_WORD && !s->tok[p + 1].cap && deid_compound_firsts(s, p + 1) &&
            mark(s, p + 1, p + 2, AT_PHI_PRENOM))
            deid_names_add(s, p + 1, p + 2);
    }
    /* (and their other mentions: "personne de confiance colette
     * lhermitte") */
    if (s->next_ent != before)
        deid_pass_mentions(s);
}

/* A surname's particle in lower case, "le", "la" or "l" (its
 * apostrophe dropped), after a title or a patient's word that the
 * dictionary flags ("patient", "assuré"): before the
 * surname found ("patient le gall herve", "m l hostis"), or with the
 * word after it when nothing took that word ("dr le du", "passage kine m
 * le bras"): a title's particle is no article ("monsieur le
 * professeur" is no name). */
static void lower_particle_names(text_scan *s)
{
    static const char *const particles[] = {"le", "la", "l", NULL};
    static const char *const patient[] = {"patient", "patiente", "assure", "assuree", NULL};
    static const char *const offices[] = {
        "maire", "president", "presidente", "directeur",  "directrice",  "professeur", "docteur",
        "juge",  "procureur", "prefet",     "ministre",   "depute",      "senateur",   "notaire",
        "cure",  "chef",      "medecin",    "conseiller", "conseillere", NULL};
    /* (titles of a person only: not "pr", an SMS's "pour", nor "épouse") */
    static const char *const titles[] = {"dr",   "docteur",  "m",      "mr", "mme",
                                         "mlle", "monsieur", "madame", NULL};
    static const char *const days[] = {"lundi",  "mardi",    "mercredi", "jeudi", "vendredi",
                                       "samedi", "dimanche", "matin",    "soir",  NULL};
    uint32_t before = s->next_ent;
    /* (from the words flagged as titles or fields, "patient", "assuré":
     * the list of them, not every token) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_FLAG]; q++) {
        size_t x = s->list[TEXT_LIST_FLAG][q] + 1;
        if (x + 1 >= s->n)
            continue;
        const text_tok *k = &s->tok[x];
        if (k->e - k->s > 2 || s->lab[x] || k->kind != TOK_WORD || k->cap || k->allcaps || k->nl ||
            s->tok[x + 1].nl || !deid_tok_in(s, x, particles) || deid_tok_in(s, x + 1, offices) ||
            deid_tok_in(s, x + 1, days) || s->tok[x + 1].s != k->e + 1)
            continue;
        const text_tok *t = &s->tok[x - 1];
        int title = deid_tok_in(s, x - 1, titles) && !t->cap && !t->allcaps;
        if (!(title || deid_tok_in(s, x - 1, patient)) || s->lab[x - 1] ||
            (x >= 2 && !t->nl && s->tok[x - 2].kind == TOK_NUM))
            continue;
        const text_tok *w = &s->tok[x + 1];
        if (w->kind != TOK_WORD || w->cap || w->allcaps || (w->aux & TOK_AUX_DIGIT))
            continue;
        if (s->lab[x + 1] == AT_PHI_NOM) {
            size_t e = x + 1;
            while (e < s->n && s->lab[e] == AT_PHI_NOM && s->ent[e] == s->ent[x + 1])
                e++;
            deid_relabel(s, x, e, AT_PHI_NOM);
            deid_names_add(s, x, e);
        } else if (title && !s->lab[x + 1] && w->e - w->s >= 2 &&
                   !(w->dflags &
                     (DICT_TITLE | DICT_ROLE | DICT_FIELD | DICT_HOSP | DICT_MONTH | DICT_IDLABEL)) &&
                   !(w->lex & (LEX_KIN | LEX_ORG | LEX_CUE_ID | LEX_CUE_EMP)) &&
                   !(x + 2 < s->n && !s->tok[x + 2].nl && s->tok[x + 2].kind == TOK_NUM) &&
                   mark(s, x, x + 2, AT_PHI_NOM)) {
            deid_names_add(s, x, x + 2);
        }
    }
    if (s->next_ent != before)
        deid_pass_mentions(s);
}

void deid_pass_late_names(text_scan *s)
{
    lower_name_order(s);
    lower_particle_names(s);
    /* one walk over the capitalised words for the employers known by
     * their name and the people named by their phrase */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        if (deid_known_employer_may(s, i))
            deid_known_employer_at(s, i);
        if (i > 0)
            kin_word_name_at(s, i);
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || !(k->lex & LEX_FIRST) || i == 0 || s->tok[i].nl)
            continue;
        if (s->tok[i - 1].kind == TOK_PUNCT) {
            bracketed_relative_at(s, i);
            /* "Signé : Aude" */
            if (!s->lab[i] && i >= 2 && is_punct(s, i - 1, ':') && !s->tok[i - 1].nl && signed_word(s, i - 2))
                signer_at(s, i - 2);
        } else if (signed_word(s, i - 1)) {
            signer_at(s, i - 1); /* "signé Jade" */
        } else if (i >= 2 && tok_is(s, i - 1, "par") && !s->tok[i - 1].nl && signed_word(s, i - 2)) {
            signer_at(s, i - 2); /* "signée par Aude" */
        }
    }
    /* a transcript writes the employers in lower case too ("il travaille
     * chez bouygues construction"): its words, when it is one */
    if (deid_dictated_chunk(s))
        for (size_t i = 0; i < s->n; i++)
            if (s->tok[i].kind == TOK_WORD && !s->tok[i].cap && !s->lab[i] &&
                s->tok[i].e - s->tok[i].s >= 3 && deid_known_employer_may(s, i))
                deid_known_employer_at(s, i);
}
