/* The names of the lists in a name's place (issue #12's rules): a first
 * name and a capitalised word after it, a surname after a first name that
 * is a word too, a particle's name. Split from deid_passes.c. */
#include "deid_scan.h"

/* One letter (an initial), whatever its UTF-8 length. */
static int tok_single(const text_scan *s, size_t i)
{
    size_t n = s->tok[i].e - s->tok[i].s;
    unsigned c = (unsigned char)s->t[s->tok[i].s];
    return n == 1 || (n == 2 && c >= 0xC0 && c < 0xE0);
}

void deid_pass_dictionary(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD || !(k->cap || k->allcaps))
            continue;
        unsigned f = k->dflags;
        if (k->lex & LEX_MED)
            continue; /* "EVA", "Eliquis": words of the medical vocabulary, the tagger's to decide */
        if (!(f & (DICT_FIRST | DICT_LAST)))
            continue; /* (every rule below asks for a name of the lists) */
        if (k->allcaps && deid_study_name(s, i))
            continue; /* "programme LEA", "essai ALINA" */
        if ((f & DICT_FIRST) && !k->allcaps && i + 1 < s->n && s->tok[i + 1].allcaps &&
            !tok_single(s, i + 1) && !s->tok[i + 1].nl && !s->lab[i + 1] && !deid_eponym_context(s, i) &&
            !((s->tok[i + 1].dflags & DICT_COMMON) && !(s->tok[i + 1].dflags & DICT_LAST)) &&
            !(s->tok[i + 1].dflags &
              (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_IDLABEL | DICT_ROLE | DICT_FIELD | DICT_BIRTH)) &&
            !(s->tok[i + 1].lex & LEX_MED) &&
            !deid_field_label(s, i + 1)) { /* (a form's next field: "Raymond    ID : ISC25") */
            mark(s, i, i + 1, AT_PHI_PRENOM);
            mark(s, i + 1, i + 2, AT_PHI_NOM);
            i++;
            continue;
        }
        /* "Pierre Petit": a first name and a surname, both also common words */
        if ((f & DICT_FIRST) && (f & DICT_COMMON) && is_name_word(s, i + 1) && !s->tok[i + 1].nl &&
            !s->lab[i + 1] && (s->tok[i + 1].dflags & DICT_LAST) &&
            !(s->tok[i + 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_MONTH)) && !deid_eponym_context(s, i)) {
            mark(s, i, i + 1, AT_PHI_PRENOM);
            mark(s, i + 1, i + 2, AT_PHI_NOM);
            i++;
            continue;
        }
        if (!(f & (DICT_FIRST | DICT_LAST)) || (f & DICT_COMMON) || deid_eponym_context(s, i))
            continue;
        /* first name + "LE GALL", "Da Silva" */
        if ((f & DICT_FIRST) && i + 2 < s->n && is_name_word(s, i + 1) &&
            (s->tok[i + 1].dflags & DICT_PARTICLE) && !s->tok[i + 1].nl && is_name_word(s, i + 2) &&
            !s->lab[i + 1] && !s->lab[i + 2]) {
            mark(s, i, i + 1, AT_PHI_PRENOM);
            mark(s, i + 1, i + 3, AT_PHI_NOM);
            i += 2;
            continue;
        }
        /* first name followed by a capitalised word: first name + surname */
        if ((f & DICT_FIRST) && i + 1 < s->n && is_name_word(s, i + 1) && !s->tok[i + 1].nl &&
            !s->lab[i + 1]) {
            unsigned g = s->tok[i + 1].dflags;
            if (!((g & DICT_COMMON) && !(g & DICT_LAST)) &&
                !(g &
                  (DICT_TITLE | DICT_HOSP | DICT_MONTH | DICT_CITY | DICT_ROLE | DICT_FIELD | DICT_BIRTH)) &&
                !(s->tok[i + 1].lex & LEX_MED) && !deid_field_label(s, i + 1)) {
                mark(s, i, i + 1, AT_PHI_PRENOM);
                mark(s, i + 1, i + 2, AT_PHI_NOM);
                i++;
                continue;
            }
        }
        if (f & DICT_LAST) {
            /* "Pierre Martin": the first name before it may be a common word */
            if (i > 0 && !s->tok[i].nl && !s->lab[i - 1] && is_name_word(s, i - 1) &&
                (s->tok[i - 1].dflags & DICT_FIRST) &&
                !(s->tok[i - 1].dflags & (DICT_TITLE | DICT_HOSP | DICT_MONTH)) &&
                !deid_eponym_context(s, i - 1))
                mark(s, i - 1, i, AT_PHI_PRENOM);
            mark(s, i, i + 1, AT_PHI_NOM);
        } else {
            mark(s, i, i + 1, AT_PHI_PRENOM); /* a known first name alone ("la patiente Hélène") */
        }
    }
}
