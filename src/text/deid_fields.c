/* A place's field and its value, after the tagger: a line that opens with
 * an address's or a town's label and a colon ("Adresse : Les Hauts de
 * Costebelle, villa 4", "Domicile : La Combe Haute", "Lieu de naissance :
 * Le Tampon", "Commune de résidence : La Garde") gives its value that
 * label, whatever words of the language the value is written with. The
 * value opens with a capital or a number ("Domicile : seule", "Adresse :
 * non renseignée", "Néant", "Idem" stay) and ends at the line's end, a
 * cell's separator, a bracket, the next field's label, or a token another
 * pass gave another label (a postcode, a town, a phone). A town's value is
 * its capitalised words with their connectors; an address's takes the
 * words the tagger read as a name or an establishment ("Costebelle").
 * Labels of mail, phone, web and IP addresses are none of these. */
#include "tagger.h"

#include <string.h>

static size_t tl(const text_scan *s, size_t i)
{
    return s->tok[i].e - s->tok[i].s;
}

static int word(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_WORD;
}

/* The words after a field's first word that make it another field's
 * ("Adresse mail", "Domicile tél."). */
static const char *const not_place[] = {
    "mail",      "e-mail",   "email", "courriel", "electronique", "ip",  "web",  "url", "tel",
    "telephone", "portable", "fixe",  "fax",      "messagerie",   "mel", "site", NULL};

/* The values that say no place ("Non renseignée", "Idem", "SDF"). */
static const char *const no_value[] = {
    "non",       "inconnu",     "inconnue", "idem",     "neant",        "nc",       "sdf",
    "sans",      "voir",        "cf",       "ras",      "aucun",        "aucune",   "na",
    "nr",        "identique",   "meme",     "pas",      "confidentiel", "inchange", "inchangee",
    "ci-dessus", "hebergement", "heberge",  "hebergee", "chez",         NULL};

/* The connectors inside a town's name ("Saint-Pierre de la Réunion",
 * "Le Port"). */
static const char *const town_inner[] = {"de",  "du",   "des", "la", "le", "les",
                                         "sur", "sous", "en",  "l'", "d'", NULL};

static int folded_in(const text_scan *s, size_t i, const char *const *set)
{
    char f[64];
    if (!word(s, i) || tl(s, i) > 40)
        return 0;
    int n = text_lexicon_fold(s->t + s->tok[i].s, tl(s, i), f, sizeof f);
    if (n <= 0)
        return 0;
    for (; *set; set++)
        if ((*set)[0] == f[0] && strlen(*set) == (size_t)n && !memcmp(*set, f, (size_t)n))
            return 1;
    return 0;
}

/* The field whose label opens at token h (the first word of its line or
 * cell): AT_PHI_ADRESSE or AT_PHI_VILLE, 0 if none; *colon is set to the
 * colon's token. */
static int place_field(const text_scan *s, size_t h, size_t *colon)
{
    int label = 0;
    size_t j = h + 1;
    if (tok_is(s, h, "adresse") || tok_is(s, h, "domicile"))
        label = AT_PHI_ADRESSE;
    else if (tok_is(s, h, "adr")) { /* "Adr :", "Adr. :" (not "ADR de l'opérateur : 41 %") */
        if (is_punct(s, j, '.') && s->tok[j].s == s->tok[h].e)
            j++;
        if (!is_punct(s, j, ':') || s->tok[j].nl)
            return 0;
        label = AT_PHI_ADRESSE;
    } else if (tok_is(s, h, "ville") || tok_is(s, h, "commune") || tok_is(s, h, "localit\xC3\xA9") ||
               tok_is(s, h, "localite"))
        label = AT_PHI_VILLE;
    else if (tok_is(s, h, "lieu") && tok_is(s, h + 1, "de") && !s->tok[h + 1].nl) {
        if (tok_is(s, h + 2, "naissance"))
            label = AT_PHI_VILLE;
        else if (tok_is(s, h + 2, "vie") || tok_is(s, h + 2, "r\xC3\xA9sidence") ||
                 tok_is(s, h + 2, "residence"))
            label = AT_PHI_ADRESSE;
        j = h + 3;
    }
    if (!label)
        return 0;
    /* up to four more words of the label, then the colon */
    for (size_t hop = 0; j < s->n && hop < 5 && !s->tok[j].nl; j++, hop++) {
        if (is_punct(s, j, ':')) {
            *colon = j;
            return label;
        }
        if (folded_in(s, j, not_place) || tok_has_digit(s, j))
            return 0;
        if (!word(s, j) && !is_punct(s, j, '(') && !is_punct(s, j, ')') && !is_punct(s, j, '-') &&
            !is_punct(s, j, '\''))
            return 0;
    }
    return 0;
}

/* Token i ends a value: a cell's separator, a bracket, a sentence's end,
 * or the next field's label (a word with a colon after it). */
static int value_end(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->nl)
        return 1;
    if (k->kind == TOK_PUNCT) {
        char c = s->t[k->s];
        return c == ';' || c == '|' || c == '(' || c == '[' || c == ':' || c == '.' || c == '!' || c == '?' ||
               c == '/' || c == '*';
    }
    return word(s, i) && i + 1 < s->n && is_punct(s, i + 1, ':') && !s->tok[i + 1].nl;
}

int deid_field_no_value(const text_scan *s, size_t i)
{
    /* back to the ':' of the line, past eight words at most */
    for (size_t q = i, hop = 0; q > 0 && hop < 8 && !s->tok[q].nl; q--, hop++) {
        if (is_punct(s, q - 1, ':'))
            return q < s->n && !s->tok[q].nl && folded_in(s, q, no_value);
        /* (a comma ends that value: "Domicile : chez sa fille, 2 rue X") */
        if (is_punct(s, q - 1, ',') || is_punct(s, q - 1, ';') || is_punct(s, q - 1, '('))
            return 0;
    }
    return 0;
}

/* A value takes the tokens free, its own label's, and the tagger's
 * readings of a place's words as a name (or, in an address, as an
 * establishment: "Les Hauts de Vaucelles"). */
static int takes(int label, int field)
{
    if (!label || label == field || label == AT_PHI_NOM || label == AT_PHI_PRENOM)
        return 1;
    return field == AT_PHI_ADRESSE && label == AT_PHI_HOPITAL;
}

static void field_value(text_scan *s, size_t c, int field)
{
    size_t a = c + 1;
    if (a >= s->n || s->tok[a].nl)
        return;
    const text_tok *k = &s->tok[a];
    int opens = (k->kind == TOK_WORD && (k->cap || k->allcaps)) || k->kind == TOK_NUM;
    if (!opens || folded_in(s, a, no_value) || !takes(s->lab[a], field))
        return;
    size_t e = a;
    while (e < s->n && e - a < 16 && (e == a || !value_end(s, e)) && takes(s->lab[e], field)) {
        const text_tok *u = &s->tok[e];
        if (field == AT_PHI_VILLE) {
            /* a town: capitalised words, their connectors and hyphens, a
             * district's number ("Paris 10e") */
            int ok = (u->kind == TOK_WORD && (u->cap || u->allcaps)) || folded_in(s, e, town_inner) ||
                     (is_punct(s, e, '-') && e > a && s->tok[e - 1].e == u->s) ||
                     (u->kind == TOK_NUM && e > a) || (tok_is(s, e, "e") && e > a) ||
                     (tok_is(s, e, "er") && e > a);
            if (!ok)
                break;
        } else if (u->kind == TOK_PUNCT && s->t[u->s] != ',' && s->t[u->s] != '-' && s->t[u->s] != '\'' &&
                   s->t[u->s] != '\xE2') {
            break;
        }
        e++;
    }
    /* not on a connector, a comma or a hyphen */
    while (e > a && (s->tok[e - 1].kind == TOK_PUNCT || folded_in(s, e - 1, town_inner)))
        e--;
    if (e <= a)
        return;
    int free = 0;
    for (size_t i = a; i < e; i++)
        free |= s->lab[i] != field;
    if (free)
        deid_relabel(s, a, e, field);
}

int deid_place_field_word(const char *f, size_t n)
{
    switch (n) {
    case 3:
        return !memcmp(f, "adr", 3);
    case 4:
        return !memcmp(f, "lieu", 4);
    case 5:
        return !memcmp(f, "ville", 5);
    case 7:
        return !memcmp(f, "adresse", 7) || !memcmp(f, "commune", 7);
    case 8:
        return !memcmp(f, "domicile", 8) || !memcmp(f, "localite", 8);
    default:
        return 0;
    }
}

void deid_pass_place_fields(text_scan *s)
{
    /* (a field opens at one of place_field's words, capitalised) */
    if (!(s->seen & TEXT_SEEN_FIELD))
        return;
    /* (the fields' labels are capitalised: the tokeniser's list of such
     * words) */
    /* (the words that may open a field are noted first, each index
     * written and counted when it is one: no branch to guess; a field's
     * value only labels, so a word labelled then stays so) */
    uint32_t *may = s->scratch;
    size_t nm = 0;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME]; q++) {
        size_t h = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[h];
        size_t n = tl(s, h);
        unsigned c0 = (unsigned char)s->t[k->s] | 0x20u;
        /* the first word of its line or cell ("- Adresse :", "| Ville :") */
        const text_tok *p = &s->tok[h ? h - 1 : 0];
        unsigned pc = p->special, cell = (h > 0) & (p->kind == TOK_PUNCT) & (p->e - p->s == 1) &
                                         ((pc == '|') | (pc == ';') | (pc == '-') | (pc == '*'));
        /* or after a wide gap, a form's next field on the line ("Code postal
         * : 88250   Commune : La Bresse") */
        if (h > 0 && k->s >= p->e + 3)
            cell |= (s->t[k->s - 1] == ' ') & (s->t[k->s - 2] == ' ');
        may[nm] = (uint32_t)h;
        nm += (k->kind == TOK_WORD) & (n >= 3) & (n <= 10) & (s->lab[h] == 0) &
              ((c0 == 'a') | (c0 == 'd') | (c0 == 'v') | (c0 == 'c') | (c0 == 'l')) &
              (k->nl | (h == 0) | cell);
    }
    for (size_t q = 0; q < nm; q++) {
        size_t h = may[q];
        if (s->lab[h])
            continue;
        size_t colon = 0;
        int field = place_field(s, h, &colon);
        if (field)
            field_value(s, colon, field);
    }
}

/* The first token of the line of token i. */
static size_t line_start(const text_scan *s, size_t i)
{
    while (i > 0 && !s->tok[i].nl)
        i--;
    return i;
}

/* A blank line (two line breaks) between tokens i - 1 and i. */
static int blank_before(const text_scan *s, size_t i)
{
    if (i == 0)
        return 1;
    int nl = 0;
    for (uint32_t b = s->tok[i - 1].e; b < s->tok[i].s; b++)
        nl += s->t[b] == '\n';
    return nl >= 2;
}

/* Words that open a letterhead's line of practice, folded. */
static const char *const practice_words[] = {
    "medecine",    "chirurgie",  "medecin",     "docteur", "pharmacien",    "pharmacienne",
    "infirmier",   "infirmiere", "specialiste", "ancien",  "ancienne",      "praticien",
    "praticienne", "diplome",    "diplomee",    "membre",  "consultations", "attache",
    "attachee",    "qualifie",   "qualifiee",   NULL};

/* The lines of a postal address block between the addressee's name and
 * the line "ZIP Town" ("Madame Jocelyne GIRAUDEAU / La Petite Noue / 11
 * route de Sancerre / 18300 SAINT-SATUR"): a house's or a place's name
 * no street word announces is the address's too. Up to three lines of at
 * most twelve tokens, no field label (":"), each free or an address's,
 * under a line that names a person (a name found, or a title opening
 * it). */
void deid_pass_address_blocks(text_scan *s)
{
    /* (a postcode is a number of the tokeniser's list) */
    for (size_t qz = 0; qz < s->nlist[TEXT_LIST_NUM]; qz++) {
        size_t z = s->list[TEXT_LIST_NUM][qz];
        if (z == 0 || z + 1 >= s->n || s->lab[z] != AT_PHI_ZIP || !s->tok[z].nl ||
            s->lab[z + 1] != AT_PHI_VILLE || s->tok[z + 1].nl || blank_before(s, z))
            continue;
        size_t top = z, lines = 0, found = 0;
        while (top > 0 && lines < 4 && !found) {
            size_t a = line_start(s, top - 1), n = top - a;
            int person = 0, ok = n <= 12;
            for (size_t q = a; q < top && ok; q++) {
                int l = s->lab[q];
                person |=
                    l == AT_PHI_NOM || l == AT_PHI_PRENOM || (q == a && (s->tok[q].dflags & DICT_TITLE));
                ok = !is_punct(s, q, ':') &&
                     (!l || l == AT_PHI_ADRESSE || l == AT_PHI_NOM || l == AT_PHI_PRENOM);
            }
            /* (not a line of a role or a specialty: "Médecin généraliste",
             * "Médecine générale", "Ancien interne des hôpitaux") */
            const text_tok *f0 = &s->tok[a];
            if (!person && ((f0->lex & (LEX_MED | LEX_KIN)) || (f0->dflags & (DICT_ROLE | DICT_FIELD)) ||
                            folded_in(s, a, practice_words)))
                ok = 0;
            if (!ok || (blank_before(s, a) && !person) || (person && lines == 0))
                break;
            if (person)
                found = 1;
            else {
                top = a;
                lines++;
            }
        }
        if (!found || !lines)
            continue;
        /* each line of the block: its words from the first to the last,
         * as one address with what is labelled there already */
        for (size_t a = top; a < z;) {
            size_t e = a + 1;
            while (e < z && !s->tok[e].nl)
                e++;
            size_t f = a, g = e;
            while (f < g && s->tok[f].kind == TOK_PUNCT)
                f++;
            while (g > f && s->tok[g - 1].kind == TOK_PUNCT)
                g--;
            int any = 0;
            for (size_t q = f; q < g; q++)
                any |= !s->lab[q] && s->tok[q].kind != TOK_PUNCT;
            if (any && f < g)
                deid_relabel(s, f, g, AT_PHI_ADRESSE);
            a = e;
        }
    }
}

/* The words before "ZIP Town" on its line, back to a field's colon, a
 * bracket, a cell's edge, the line's start or what is labelled: the end
 * of the address ("La Grande Métairie, 49125 Tiercé", "Domicile : le
 * Bourg, 19320 Marcillac", "foyer Adoma, 31 rue de la Paix, chambre 214,
 * 44600 Saint-Nazaire", "TSA 40217 — 59036 LILLE CEDEX"). Not a service,
 * a role or a record's words ("Service de rhumatologie, 65200 ..."), nor
 * a region's code alone ("Miami, FL 33137"); words in lower case only
 * after an address. */
void deid_pass_before_zip(text_scan *s)
{
    for (size_t qz = 0; qz < s->nlist[TEXT_LIST_NUM]; qz++) {
        size_t z = s->list[TEXT_LIST_NUM][qz];
        if (z < 2 || z + 1 >= s->n || s->lab[z] != AT_PHI_ZIP || s->tok[z].nl ||
            s->lab[z + 1] != AT_PHI_VILLE || s->tok[z + 1].nl)
            continue;
        /* between an address found and "ZIP Town" on its line, up to a
         * dozen words and their commas are the address's too ("12 rue
         * Paul Bert, appt 32, 4e étage sans ascenseur, 69500 Bron") */
        {
            size_t b = z;
            while (b > 0 && z - b < 14 && !s->tok[b].nl && !s->lab[b - 1] &&
                   (s->tok[b - 1].kind != TOK_PUNCT || is_punct(s, b - 1, ',') || is_punct(s, b - 1, '.') ||
                    is_punct(s, b - 1, '-') || is_punct(s, b - 1, '\'') || s->tok[b - 1].special == 0xE2) &&
                   !memchr(s->t + s->tok[b - 1].e, '\t', s->tok[b].s - s->tok[b - 1].e))
                b--;
            if (b > 0 && b < z && !s->tok[b].nl && s->lab[b - 1] == AT_PHI_ADRESSE) {
                size_t g = z;
                while (g > b && s->tok[g - 1].kind == TOK_PUNCT)
                    g--;
                int words = 0;
                for (size_t q = b; q < g; q++)
                    words += s->tok[q].kind != TOK_PUNCT;
                /* (right after the address, without a comma: a few words,
                 * "4e étage sans ascenseur") */
                if (words && (is_punct(s, b, ',') || words <= 3)) {
                    for (size_t q = b; q < g; q++) {
                        s->lab[q] = AT_PHI_ADRESSE;
                        s->ent[q] = s->ent[b - 1];
                    }
                    continue;
                }
            }
        }
        size_t e = z; /* the run [a, e) before a ',' or a dash */
        if (is_punct(s, e - 1, ',') || (s->tok[e - 1].kind == TOK_PUNCT && s->tok[e - 1].special == 0xE2) ||
            is_punct(s, e - 1, '-'))
            e--;
        if (s->tok[e].nl)
            continue;
        size_t a = e;
        while (a > 0 && e - a < 7 && !s->lab[a - 1] && !s->tok[a].nl) {
            const text_tok *k = &s->tok[a - 1];
            if (k->kind == TOK_PUNCT && !is_punct(s, a - 1, '-') && !is_punct(s, a - 1, '\'') &&
                !is_punct(s, a - 1, '.'))
                break;
            if (memchr(s->t + k->e, '\t', s->tok[a].s - k->e))
                break;
            a--;
        }
        while (a < e && s->tok[a].kind == TOK_PUNCT)
            a++;
        if (a >= e || e - a > 6 ||
            (a > 0 && !s->tok[a].nl && !s->lab[a - 1] && s->tok[a - 1].kind == TOK_WORD))
            continue; /* (too long a run: prose) */
        const text_tok *f = &s->tok[a];
        if (f->kind != TOK_WORD && f->kind != TOK_NUM)
            continue;
        if ((f->dflags & (DICT_HOSP | DICT_ROLE | DICT_FIELD | DICT_TITLE | DICT_IDLABEL | DICT_HEAD)) ||
            (f->lex & (LEX_ORG | LEX_KIN | LEX_MED)))
            continue;
        if (e - a == 1 && f->allcaps && f->e - f->s <= 3)
            continue;
        int caps = 0, digits = 0;
        for (size_t q = a; q < e; q++) {
            caps |= s->tok[q].kind == TOK_WORD && (s->tok[q].cap || s->tok[q].allcaps);
            digits |= tok_has_digit(s, q);
        }
        /* before it: the line's start, a field's colon, a bracket, or
         * what is labelled and a comma (an address, a name, an age) */
        size_t b = a;
        int after_address = 0;
        if (b > 0 && !s->tok[b].nl) {
            const text_tok *p = &s->tok[b - 1];
            /* (an age's unit is the age's: "91 ans, La Petite Barre") */
            int before = b >= 2 ? s->lab[b - 2] : 0;
            if (!before && b >= 3 && s->lab[b - 3] == AT_PHI_AGE)
                before = AT_PHI_AGE;
            if (is_punct(s, b - 1, ',')) {
                if (!before)
                    continue;
                after_address = before == AT_PHI_ADRESSE;
            } else if (!(p->kind == TOK_PUNCT || memchr(s->t + p->e, '\t', f->s - p->e)))
                continue;
        }
        if (!after_address && !caps && !digits)
            continue;
        mark(s, a, e, AT_PHI_ADRESSE);
    }
}
