/* Tables written into the text (a CSV pasted into a note, an export with
 * tabs or '|'): a header line whose cells name people, places, employers
 * or addresses ("NOM;PRENOM;DDN;COMMUNE;MEDECIN") gives its label to the
 * cells of that column on the lines below that have as many cells, so a
 * surname in a table is found by its column, not by a list ("LE
 * GOFF;Armelle", "Vierzon", "DE SMET"). The pass starts from the field
 * labels the tokeniser listed; a table ends at a line with another count
 * of cells (or with one more, when the last column is free text that
 * holds the separator). */
#include "deid_scan.h"

#include <string.h>

#define TABLE_COLS 32
#define TABLE_LINES 4096

/* The separator of the line of tokens [a, e): '\t', ';', '|' or ',' when
 * it separates two cells or more (0 otherwise), its count into *count. */
static char line_separator(const text_scan *s, size_t a, size_t e, size_t *count)
{
    size_t tabs = 0, semi = 0, bar = 0, comma = 0;
    int quoted = 0; /* (a separator inside "..." is the cell's: CSV) */
    for (size_t q = a; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if (q > a && memchr(s->t + s->tok[q - 1].e, '\t', k->s - s->tok[q - 1].e))
            tabs++;
        if (k->kind == TOK_PUNCT && k->e - k->s == 1) {
            char c = s->t[k->s];
            quoted ^= c == '"';
            semi += c == ';' && !quoted;
            bar += c == '|' && !quoted;
            comma += c == ',' && !quoted;
        }
    }
    *count = tabs >= 2 ? tabs : semi >= 2 ? semi : bar >= 2 ? bar : comma >= 2 ? comma : 0;
    return tabs >= 2 ? '\t' : semi >= 2 ? ';' : bar >= 2 ? '|' : comma >= 2 ? ',' : 0;
}

/* Token q starts a new cell (the separator before it, or is one); the
 * tokens are read in order from the line's start a, *quoted following
 * the double quotes met (a separator between them is the cell's). */
static int is_sep(const text_scan *s, size_t a, size_t q, char sep, int *quoted)
{
    if (sep == '\t')
        return q > a && memchr(s->t + s->tok[q - 1].e, '\t', s->tok[q].s - s->tok[q - 1].e) != NULL;
    if (is_punct(s, q, '"'))
        *quoted ^= 1;
    return !*quoted && is_punct(s, q, sep);
}

/* The end of the line that token a opens. */
static size_t line_end(const text_scan *s, size_t a)
{
    size_t e = a + 1;
    while (e < s->n && !s->tok[e].nl)
        e++;
    return e;
}

/* Column kinds beyond the labels: a column of staff (initials, a first
 * name or a surname after a title, decided cell by cell), of initials,
 * of record numbers, of numbers ("N°": a row's own number 1, 2, 3 is
 * none), of ages (only from 90 on). */
enum { COL_STAFF = 100, COL_INITIALS, COL_ID, COL_NUMBER, COL_AGE, COL_CODE, COL_DAY, COL_TEL };

/* Header words, folded, cut at '_' or '.' ("nom_naissance", "Ini."). */
static const struct {
    const char *w;
    int label;
} heads[] = {{"nom", AT_PHI_NOM},
             {"name", AT_PHI_NOM},
             {"surname", AT_PHI_NOM},
             {"lastname", AT_PHI_NOM},
             {"patient", AT_PHI_NOM},
             {"patiente", AT_PHI_NOM},
             {"pt", AT_PHI_NOM},
             {"identite", AT_PHI_NOM},
             {"beneficiaire", AT_PHI_NOM},
             {"prenom", AT_PHI_PRENOM},
             {"firstname", AT_PHI_PRENOM},
             {"forename", AT_PHI_PRENOM},
             {"commune", AT_PHI_VILLE},
             {"localite", AT_PHI_VILLE},
             {"domicile", AT_PHI_VILLE},
             {"residence", AT_PHI_VILLE},
             {"city", AT_PHI_VILLE},
             {"town", AT_PHI_VILLE},
             {"employeur", AT_PHI_EMPLOYEUR},
             {"entreprise", AT_PHI_EMPLOYEUR},
             {"employer", AT_PHI_EMPLOYEUR},
             {"adresse", AT_PHI_ADRESSE},
             {"cp", AT_PHI_ZIP},
             {"zip", AT_PHI_ZIP},
             {"postcode", AT_PHI_ZIP},
             {"ville", AT_PHI_VILLE},
             {"address", AT_PHI_ADRESSE},
             {"init", COL_INITIALS},
             {"initiales", COL_INITIALS},
             {"initials", COL_INITIALS},
             {"ini", COL_INITIALS},
             {"inits", COL_INITIALS},
             {"medecin", COL_STAFF},
             {"med", COL_STAFF},
             {"referent", COL_STAFF},
             {"referente", COL_STAFF},
             {"ide", COL_STAFF},
             {"idec", COL_STAFF},
             {"infirmier", COL_STAFF},
             {"infirmiere", COL_STAFF},
             {"arc", COL_STAFF},
             {"tec", COL_STAFF},
             {"interne", COL_STAFF},
             {"inv", COL_STAFF},
             {"investigateur", COL_STAFF},
             {"oncologue", COL_STAFF},
             {"chirurgien", COL_STAFF},
             {"praticien", COL_STAFF},
             {"operateur", COL_STAFF},
             {"prescripteur", COL_STAFF},
             {"signataire", COL_STAFF},
             {"redacteur", COL_STAFF},
             {"intervenant", COL_STAFF},
             {"pharmacien", COL_STAFF},
             {"physician", COL_STAFF},
             {"nurse", COL_STAFF},
             {"signature", COL_STAFF},
             {"sign", COL_STAFF},
             {"visa", COL_STAFF},
             {"prep", COL_STAFF},
             {"preparateur", COL_STAFF},
             {"preparatrice", COL_STAFF},
             {"soignant", COL_STAFF},
             {"soignante", COL_STAFF},
             {"manipulateur", COL_STAFF},
             {"manipulatrice", COL_STAFF},
             {"kine", COL_STAFF},
             {"physicien", COL_STAFF},
             {"physicienne", COL_STAFF},
             {"dosimetriste", COL_STAFF},
             {"manip", COL_STAFF},
             {"valideur", COL_STAFF},
             {"validateur", COL_STAFF},
             {"valid", COL_STAFF},
             {"preleveur", COL_STAFF},
             {"preleveuse", COL_STAFF},
             {"orthophoniste", COL_STAFF},
             {"technicien", COL_STAFF},
             {"technicienne", COL_STAFF},
             {"biologiste", COL_STAFF},
             {"secretaire", COL_STAFF},
             {"psychologue", COL_STAFF},
             {"dieteticien", COL_STAFF},
             {"dieteticienne", COL_STAFF},
             {"coordinateur", COL_STAFF},
             {"coordinatrice", COL_STAFF},
             {"enqueteur", COL_STAFF},
             {"prat", COL_STAFF},
             {"auteur", COL_STAFF},
             {"author", COL_STAFF},
             /* a product's batch or a code system's codes: no one's */
             {"lot", COL_CODE},
             {"lots", COL_CODE},
             {"batch", COL_CODE},
             {"loinc", COL_CODE},
             {"cip", COL_CODE},
             {"cip13", COL_CODE},
             {"ucd", COL_CODE},
             {"meddra", COL_CODE},
             {"llt", COL_CODE},
             {"atc", COL_CODE},
             {"ccam", COL_CODE},
             {"peremption", COL_CODE},
             {"expiration", COL_CODE},
             /* a directory's numbers: extensions and pagers ("Poste | Bip") */
             {"poste", COL_TEL},
             {"postes", COL_TEL},
             {"bip", COL_TEL},
             {"dect", COL_TEL},
             {"tel", COL_TEL},
             {"telephone", COL_TEL},
             {"portable", COL_TEL},
             {"mobile", COL_TEL},
             {"fax", COL_TEL},
             {"phone", COL_TEL},
             {"site", COL_ID},
             {"subj", COL_ID},
             {"subject", COL_ID},
             {"sujet", COL_ID},
             {"id", COL_ID},
             {"identifiant", COL_ID},
             {"ipp", COL_ID},
             {"nda", COL_ID},
             {"dossier", COL_ID},
             {"screening", COL_ID},
             {"scr", COL_ID},
             {"inclusion", COL_ID},
             /* the days of a rota ("Lun", "Ven", "Sam (astreinte)"): no one */
             {"jour", COL_DAY},
             {"jours", COL_DAY},
             {"day", COL_DAY},
             {"age", COL_AGE},
             {"ages", COL_AGE}};

/* The kind a header word gives its column (0 none). */
static int header_word(const text_scan *s, size_t q)
{
    const text_tok *k = &s->tok[q];
    if (k->dflags & DICT_FIELD)
        return k->dval == 3 ? AT_PHI_PRENOM : AT_PHI_NOM;
    char f[32];
    int fl = k->e - k->s < 24 ? text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f) : -1;
    if (fl <= 0)
        return 0;
    for (int c = 0; c < fl; c++)
        if (f[c] == '_' || f[c] == '.')
            fl = c;
    for (size_t h = 0; fl > 0 && h < sizeof heads / sizeof *heads; h++)
        if (heads[h].w[0] == f[0] && !strncmp(heads[h].w, f, (size_t)fl) && heads[h].w[fl] == 0)
            return heads[h].label;
    return 0;
}

/* The kind a header cell [a, e) gives its column (0 none): its first
 * word's, else "n° patient"-like cells: a record number. */
static int header_label(const text_scan *s, size_t a, size_t e)
{
    size_t words = 0, w0 = e;
    for (size_t q = a; q < e; q++)
        if (s->tok[q].kind == TOK_WORD && words++ == 0)
            w0 = q;
    if (!words || words > 4)
        return 0;
    int l = header_word(s, w0);
    /* "Aide demandée" is the help asked for, not an aide's name */
    if (words > 1 && tok_is(s, w0, "aide"))
        return 0;
    if (l == AT_PHI_NOM && words > 1 && tok_is(s, w0, "patient"))
        for (size_t q = w0 + 1; q < e; q++)
            if (s->tok[q].kind == TOK_WORD && header_word(s, q) == COL_ID)
                return COL_ID; /* "patient id" */
    if (!l && (tok_is(s, w0, "n") || tok_is(s, w0, "no") || tok_is(s, w0, "num") || tok_is(s, w0, "numero")))
        return COL_NUMBER;
    if (!l && tok_is(s, w0, "code"))
        for (size_t q = w0 + 1; q < e; q++)
            if (tok_is(s, q, "postal"))
                return AT_PHI_ZIP; /* "code_postal", "Code postal" */
    return l;
}

static int cell_digit(const text_scan *s, size_t q)
{
    for (uint32_t b = s->tok[q].s; b < s->tok[q].e; b++)
        if ((unsigned)(s->t[b] - '0') < 10u)
            return 1;
    return 0;
}

/* Nothing said ("NA", "nd", "–", "non"): no one's. */
static int empty_word(const text_scan *s, size_t q)
{
    static const char *const none[] = {"na", "nd",    "nc",     "ne",      "nr",  "non", "oui",
                                       "x",  "aucun", "aucune", "inconnu", "n/a", NULL};
    for (const char *const *w = none; *w; w++)
        if (tok_is(s, q, *w))
            return 1;
    return 0;
}

/* A cell of initials: words of one to four letters, in capitals or in
 * lower case, with '.', '-' between ("GYM", "S-M", "M.-F. G.", "nad"). */
static int initials_cell(const text_scan *s, size_t a, size_t e)
{
    size_t words = 0;
    for (size_t q = a; q < e; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_WORD) {
            if (k->e - k->s > 4 || cell_digit(s, q) || (!k->allcaps && k->cap && k->e - k->s > 1) ||
                (k->dflags & DICT_TITLE) || empty_word(s, q))
                return 0;
            words++;
        } else if (!is_punct(s, q, '.') && !is_punct(s, q, '-') && !is_punct(s, q, '"')) {
            return 0;
        }
    }
    return words > 0 && words <= 4;
}

/* A column of record numbers, ages: the cell's tokens from its first
 * with a digit to its last ("S-0412-031", "21"); an age from 90 on. */
static void mark_number_cell(text_scan *s, size_t a, size_t e, int kind)
{
    size_t f = e, l = a;
    for (size_t q = a; q < e; q++)
        if ((s->tok[q].kind == TOK_WORD || s->tok[q].kind == TOK_NUM) && !is_punct(s, q, '"')) {
            if (f == e)
                f = q;
            l = q + 1;
        }
    if (f == e)
        return;
    int digit = 0;
    for (size_t q = f; q < l; q++)
        digit |= cell_digit(s, q);
    if (!digit)
        return;
    /* a sentence in a record's column ("ADK LID cT2aN2M0, EGFR ex19del"):
     * no number's cell when two of its words are the language's or
     * medical */
    size_t known = 0;
    for (size_t q = f; q < l; q++)
        known += s->tok[q].kind == TOK_WORD && (s->tok[q].lex & (LEX_WORD | LEX_MED)) &&
                 s->tok[q].e - s->tok[q].s >= 3;
    if (known >= 2)
        return;
    if (kind == COL_NUMBER && f + 1 == l && s->tok[f].kind == TOK_NUM && s->tok[f].e - s->tok[f].s <= 3)
        return;          /* a row's number */
    if (kind == COL_TEL) /* a number's digits only ("4410", "36 46"; not a post's "IDE 1", "TB1") */
        for (size_t q = f; q < l; q++)
            if (s->tok[q].kind == TOK_WORD)
                return;
    if (kind == COL_AGE) {
        const char *t = s->t + s->tok[f].s;
        size_t n = s->tok[f].e - s->tok[f].s;
        if (s->tok[f].kind != TOK_NUM || n < 2 || n > 3)
            return;
        unsigned v = 0;
        for (size_t c = 0; c < n; c++)
            v = v * 10 + (unsigned)(t[c] - '0');
        if (v >= 90 && v < 130)
            mark(s, f, f + 1, AT_PHI_AGE);
        else if (v < 90)
            s->tok[f].aux |= TOK_AUX_SAFE; /* an age: no number to take later */
        return;
    }
    /* (the digits may be a rule's already: the letters join them) */
    uint32_t ent = 0;
    for (size_t q = f; q < l; q++)
        if (!s->lab[q]) {
            if (!ent)
                ent = ++s->next_ent;
            s->lab[q] = kind == COL_TEL ? AT_PHI_TEL : AT_PHI_ID;
            s->ent[q] = ent;
        }
}

/* A cell [a, e) of a column of postcodes: its numbers of four or five
 * digits ("66300", Belgian and Swiss "1206"), and a word beside them
 * ("CH-1206") is left as it is. */
static void mark_zip_cell(text_scan *s, size_t a, size_t e)
{
    for (size_t q = a; q < e; q++)
        if (s->tok[q].kind == TOK_NUM && s->tok[q].e - s->tok[q].s >= 4 && s->tok[q].e - s->tok[q].s <= 5)
            mark(s, q, q + 1, AT_PHI_ZIP);
}

/* A cell [a, e) of a column of codes (a batch, a LOINC or drug code, an
 * expiry): the record-number and date guesses of the earlier passes in
 * it are taken back, and the allow-list leaves its words. */
static void clear_code_cell(text_scan *s, size_t a, size_t e)
{
    for (size_t q = a; q < e; q++) {
        if (s->lab[q] == AT_PHI_ID || s->lab[q] == AT_PHI_DATE)
            s->lab[q] = 0;
        if (!s->lab[q])
            s->tok[q].aux |= TOK_AUX_SAFE; /* and the allow-list leaves them */
    }
}

/* Mark the words of a data cell [a, e) with label: the runs of unlabelled
 * words without digits, titles apart ("Dr Riou"). */
static void mark_cell(text_scan *s, size_t a, size_t e, int label)
{
    for (size_t q = a; q < e;) {
        const text_tok *k = &s->tok[q];
        int digit = 0;
        for (uint32_t b = k->s; b < k->e && k->kind == TOK_WORD; b++)
            digit |= (unsigned)(s->t[b] - '0') < 10u;
        if (s->lab[q] || k->kind != TOK_WORD || digit ||
            (k->dflags & (DICT_TITLE | DICT_ROLE | DICT_BIRTH)) || empty_word(s, q) ||
            (!k->cap && (k->lex & LEX_KIN)) ||
            (!k->cap && !k->allcaps && k->e - k->s > 4 && (k->lex & (LEX_WORD | LEX_MED)) &&
             !(k->lex & (LEX_FIRST | LEX_LAST | LEX_CITY)))) {
            q++;
            continue;
        }
        size_t r = q + 1; /* words, and '-' or '\'' glued between them */
        while (r < e && !s->lab[r] &&
               (s->tok[r].kind == TOK_WORD || ((is_punct(s, r, '-') || is_punct(s, r, '\'')) && r + 1 < e &&
                                               s->tok[r + 1].kind == TOK_WORD)) &&
               !(s->tok[r].dflags & DICT_TITLE))
            r++;
        while (r > q + 1 && s->tok[r - 1].kind != TOK_WORD)
            r--;
        if (mark(s, q, r, label) && (label == AT_PHI_NOM || label == AT_PHI_PRENOM))
            deid_names_add(s, q, r);
        q = r;
    }
}

/* A cell of a staff column: initials and a first name alone are first
 * names ("GYM", "Hugo"), the rest surnames ("Dr Riou"); words of the
 * language in lower case are no one's. */
static void mark_staff_cell(text_scan *s, size_t a, size_t e)
{
    if (initials_cell(s, a, e)) {
        mark_cell(s, a, e, AT_PHI_PRENOM);
        return;
    }
    size_t words = 0, caps = 0, title = 0;
    for (size_t q = a; q < e; q++)
        if (s->tok[q].kind == TOK_WORD) {
            words++;
            caps += s->tok[q].cap || s->tok[q].allcaps;
            title += (s->tok[q].dflags & DICT_TITLE) != 0;
        }
    if (!caps)
        return;
    mark_cell(s, a, e, words == 1 && !title ? AT_PHI_PRENOM : AT_PHI_NOM);
}

/* An age from 90 on in any cell of a table's row: "(91 a)", "92 ans",
 * "(96)" when a header names ages. */
static void row_ages(text_scan *s, size_t a, size_t e, int ages)
{
    for (size_t q = a; q + 1 < e; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind != TOK_NUM || s->lab[q] || k->e - k->s != 2 || s->t[k->s] != '9')
            continue;
        if (tok_is(s, q + 1, "a") || tok_is(s, q + 1, "ans") ||
            (ages && q > a && is_punct(s, q - 1, '(') && is_punct(s, q + 1, ')')))
            mark(s, q, q + 1, AT_PHI_AGE);
    }
}

/* A line of '-', '+', '=', '|', ':' only: a table's rule. */
static int rule_line(const text_scan *s, size_t a, size_t e)
{
    for (size_t q = a; q < e; q++)
        if (!(is_punct(s, q, '-') || is_punct(s, q, '+') || is_punct(s, q, '=') || is_punct(s, q, '|') ||
              is_punct(s, q, ':')))
            return 0;
    return e > a;
}

/* Cells [a, e) under a column (or after a field) of label l: marked as
 * that column's. */
static void mark_column_cell(text_scan *s, size_t a, size_t e, int l, int initials_guess)
{
    if (l == COL_STAFF)
        mark_staff_cell(s, a, e);
    else if (l == COL_INITIALS)
        mark_cell(s, a, e, !initials_guess || initials_cell(s, a, e) ? AT_PHI_PRENOM : AT_PHI_NOM);
    else if (l == COL_CODE)
        clear_code_cell(s, a, e);
    else if (l == COL_ID || l == COL_NUMBER || l == COL_AGE || l == COL_TEL)
        mark_number_cell(s, a, e, l);
    else if (l == AT_PHI_ZIP)
        mark_zip_cell(s, a, e);
    else if (l == COL_DAY) {
        for (size_t q = a; q < e; q++) /* (its dates stay dates) */
            if (!s->lab[q] && s->tok[q].kind == TOK_WORD)
                s->tok[q].aux |= TOK_AUX_SAFE;
    } else if (l)
        mark_cell(s, a, e, l);
}

/* The cell [a, e) opens with a word of a birth's or a record number's
 * label ("DDN", "IPP", "Né le"). */
static int id_label_cell(const text_scan *s, size_t a, size_t e)
{
    for (size_t q = a; q < e; q++)
        if (s->tok[q].kind == TOK_WORD)
            return (s->tok[q].dflags & (DICT_BIRTH | DICT_IDLABEL)) != 0;
    return 0;
}

/* The line from token la has cols cells by sep, and its cell of index
 * column names a field ("Prénom", "Nom d'usage", "DDN", "IPP"). */
static int label_in_column(const text_scan *s, size_t la, char sep, size_t cols, size_t column)
{
    size_t le = line_end(s, la), cnt = 0, c = 0, cs = la;
    int quoted = 0;
    if (line_separator(s, la, le, &cnt) != sep || cnt + 1 != cols)
        return 0;
    for (size_t q = la; q <= le; q++)
        if (q == le || is_sep(s, la, q, sep, &quoted)) {
            if (c++ == column)
                return q > cs && (header_label(s, cs, q) != 0 || id_label_cell(s, cs, q));
            cs = sep == '\t' ? q : q + 1;
        }
    return 0;
}

/* The table whose header line starts at token a, when there is one: its
 * columns' cells marked; the end of its last line (a when none). A
 * header in ',' only with commas set. */
static size_t table_at(text_scan *s, size_t a, int commas)
{
    size_t e = line_end(s, a), count = 0;
    if (e - a > 6 * TABLE_COLS)
        return a;
    char sep = line_separator(s, a, e, &count);
    if (!sep || count + 1 > TABLE_COLS || (sep == ',' && !commas))
        return a; /* (commas: from a field label only, prose has them) */
    int lab[TABLE_COLS];
    size_t start[TABLE_COLS];
    size_t col = 0, c0 = a, labelled = 0;
    int header = 1, ages = 0, quoted = 0; /* short cells of words: no sentence, no number */
    for (size_t q = a; q <= e && header; q++) {
        if (q == e || is_sep(s, a, q, sep, &quoted)) {
            size_t words = 0, nums = 0, dots = 0;
            int paren = 0;
            for (size_t r = c0; r < q; r++) {
                words += s->tok[r].kind == TOK_WORD;
                paren += is_punct(s, r, '(') - is_punct(s, r, ')');
                /* (a number glued inside a word is a name's part:
                 * "topo_CIM-O-3", "date_c1j1") */
                /* (nor one closing a cell of three words or more: a
                 * machine's, "Manip référent TrueBeam 2") */
                nums += s->tok[r].kind == TOK_NUM && paren <= 0 &&
                        !(r > c0 && s->tok[r].s == s->tok[r - 1].e) && !(words >= 3 && r + 1 == q);
                dots += is_punct(s, r, '.');
                if (is_punct(s, r, ':'))
                    header = 0;
            }
            if (nums)
                header = 0; /* a number in a header only in brackets: "(relève 13h45)" */
            /* a line of prose has commas: a header in ',' has no number,
             * no '.', three words a cell at most */
            if (sep == ',' && (nums || dots || words > 3))
                header = 0;
            /* (a table in '|' opens and closes its lines with it) */
            header &= (words >= 1 && words <= 6) || (sep == '|' && (c0 == a || q == e));
            start[col++] = c0;
            c0 = sep == '\t' ? q : q + 1;
        }
    }
    if (!header || col < 2)
        return a;
    /* the labels of the columns, once the line has a header's shape */
    for (size_t c = 0; c < col; c++) {
        size_t ce = c + 1 < col ? start[c + 1] - (sep != '\t') : e;
        lab[c] = header_label(s, start[c], ce);
        labelled += lab[c] != 0;
        for (size_t r = start[c]; r < ce; r++)
            ages |= s->tok[r].kind == TOK_WORD && header_word(s, r) == COL_AGE; /* "Patient (âge)" */
    }
    if (!labelled)
        return a;
    size_t cols = col;
    /* a table of fields and values ("| Nom de naissance | FAURE |",
     * "| Prénom | Géraldine |"): its first cell a label, four cells at
     * most, and the line before or after holds a label in that column;
     * the line is no header, its value is the field's */
    size_t first = 0;
    while (first < cols && !lab[first])
        first++;
    size_t na = e, pa = a;
    while (na < s->n && rule_line(s, na, line_end(s, na)))
        na = line_end(s, na);
    while (pa > 0) { /* the line before, rules skipped */
        size_t b = pa - 1;
        while (b > 0 && !s->tok[b].nl)
            b--;
        pa = b;
        if (!rule_line(s, pa, line_end(s, pa)))
            break;
    }
    size_t lead = sep == '|' && is_punct(s, a, '|'); /* (the empty cell before a '|' that opens) */
    if (first == lead && cols <= lead + 4 &&
        ((na < s->n && label_in_column(s, na, sep, cols, first)) ||
         (pa < a && label_in_column(s, pa, sep, cols, first)))) {
        /* its value: the cell after the field's */
        if (first + 1 < cols) {
            size_t ve = first + 2 < cols ? start[first + 2] - (sep != '\t') : e;
            mark_column_cell(s, start[first + 1], ve, lab[first], 1);
        }
        return a;
    }
    /* the lines below with as many cells */
    size_t la = e;
    for (int lines = 0; la < s->n && lines < TABLE_LINES; lines++) {
        size_t le = line_end(s, la), cnt = 0;
        if (rule_line(s, la, le)) {
            la = le; /* "----+----" */
            continue;
        }
        /* (a line with one cell more goes on when the last column is
         * free text that held the separator: "...;2e avis ALK+ ; suivi") */
        if (line_separator(s, la, le, &cnt) != sep || cnt + 1 < cols || cnt > cols ||
            (cnt + 1 > cols && lab[cols - 1]))
            break;
        col = 0;
        c0 = la;
        quoted = 0;
        for (size_t q = la; q <= le; q++) {
            int at = q == le || is_sep(s, la, q, sep, &quoted);
            if (at && (col + 1 < cols || q == le)) {
                mark_column_cell(s, c0, q, lab[col], 1);
                col++;
                c0 = sep == '\t' ? q : q + 1;
            }
        }
        row_ages(s, la, le, ages);
        la = le;
    }
    return la;
}

/* The fields of JSON pasted into a note, '"key": "value"': a key that
 * names a column names its value ("nom", "prenom", "cp", "ville",
 * "adresse", "ipp" ...), as a table's header its cells. */
static void json_fields(text_scan *s)
{
    for (size_t i = 2; i + 3 < s->n; i++) {
        if (!is_punct(s, i, ':') || !is_punct(s, i - 1, '"') || s->tok[i].nl)
            continue;
        /* the key: back to its opening quote, four tokens at most */
        size_t a = i - 1;
        while (a > 0 && i - 1 - a < 5 && !is_punct(s, a - 1, '"') && !s->tok[a].nl)
            a--;
        if (a == 0 || !is_punct(s, a - 1, '"') || a == i - 1)
            continue;
        int l = header_label(s, a, i - 1);
        if (!l)
            continue;
        /* the value: a quoted string on the line */
        size_t v = i + 1;
        if (!is_punct(s, v, '"') || s->tok[v].nl)
            continue;
        size_t e = v + 1;
        while (e < s->n && !s->tok[e].nl && !is_punct(s, e, '"') && e - v < 16)
            e++;
        if (e >= s->n || !is_punct(s, e, '"') || e == v + 1)
            continue;
        mark_column_cell(s, v + 1, e, l, 0); /* ("cp": "66300" a postcode) */
        i = e;
    }
}

void deid_pass_tables(text_scan *s)
{
    /* JSON: a quoted key and a colon somewhere */
    if ((s->seen & TEXT_SEEN_QUOTE) && memmem(s->t, s->len, "\":", 2))
        json_fields(s);
    size_t done = 0; /* the tables read so far end there */
    /* a text with tabs, '|' or ';' in it: the lines that hold one may
     * open a table (found from the bytes: most lines are prose; the
     * tokeniser noted which of them the text holds) */
    const char *tab = s->seen & TEXT_SEEN_TAB ? memchr(s->t, '\t', s->len) : NULL,
               *bar = s->seen & TEXT_SEEN_BAR ? memchr(s->t, '|', s->len) : NULL,
               *semi = s->seen & TEXT_SEEN_SEMI ? memchr(s->t, ';', s->len) : NULL;
    if (tab || bar || semi) {
        size_t from = 0; /* the first byte not yet read */
        while (from < s->len) {
            const char *p = NULL;
            for (int c = 0; c < 3; c++) {
                const char **next = c == 0 ? &tab : c == 1 ? &bar : &semi;
                if (*next && (size_t)(*next - s->t) < from)
                    *next = memchr(s->t + from, c == 0 ? '\t' : c == 1 ? '|' : ';', s->len - from);
                if (*next && (!p || *next < p))
                    p = *next;
            }
            if (!p)
                break;
            /* a line with two separators of one kind at least, from its
             * bytes (prose has a ';' here and there) */
            size_t ls = (size_t)(p - s->t), le = ls;
            while (ls > 0 && s->t[ls - 1] != '\n')
                ls--;
            const char *nl = memchr(p, '\n', s->len - (size_t)(p - s->t));
            le = nl ? (size_t)(nl - s->t) : s->len;
            size_t nt = 0, nb = 0, ns = 0, nd = 0;
            for (size_t b = ls; b < le; b++) {
                nt += s->t[b] == '\t';
                nb += s->t[b] == '|';
                ns += s->t[b] == ';';
                nd += (unsigned)(s->t[b] - '0') < 10u;
            }
            /* (and few digits: a header's, "date_c1j1", "(relève 13h45)";
             * the rows are read from their header) */
            if ((nt < 2 && nb < 2 && ns < 2) || nd > 6) {
                from = le + 1;
                continue;
            }
            /* the line's first token: the last token starting a line at or
             * before p */
            size_t lo = tok_first_at(s, (size_t)(p - s->t) + 1);
            size_t a = lo ? lo - 1 : 0;
            while (a > 0 && !s->tok[a].nl)
                a--;
            size_t r = a < done ? done : table_at(s, a, (s->tok[a].dflags & DICT_FIELD) != 0);
            if (r > a)
                done = r;
            else
                r = line_end(s, a);
            /* on from the next line */
            from = r < s->n ? s->tok[r].s : s->len;
            if (from <= (size_t)(p - s->t))
                from = (size_t)(p - s->t) + 1;
        }
    }
    /* tables in ',' from a field label ("Nom,Prénom,..."), also in a
     * text with a ';' or a tab elsewhere ("# séparateur : virgule ;
     * encodage UTF-8 ; ...") */
    for (size_t f = 0; f < s->nlist[TEXT_LIST_FLAG]; f++) {
        size_t h = s->list[TEXT_LIST_FLAG][f];
        if (h < done || !(s->tok[h].dflags & DICT_FIELD))
            continue;
        /* a header's cell opens its line or follows a ',', and ends
         * within four words at one */
        size_t o = h > 0 && is_punct(s, h - 1, '"') ? h - 1 : h; /* "N°","Nom",... */
        if (!(o == 0 || s->tok[o].nl || is_punct(s, o - 1, ',')))
            continue;
        int ends = 0;
        for (size_t q = h + 1; q < s->n && q < h + 6 && !ends && !s->tok[q].nl; q++)
            ends = is_punct(s, q, ',');
        if (!ends)
            continue;
        size_t a = h; /* the line of the field label */
        while (a > 0 && !s->tok[a].nl && h - a < 6 * TABLE_COLS)
            a--;
        if (!(a == 0 || s->tok[a].nl) || a < done)
            continue;
        size_t r = table_at(s, a, 1);
        if (r > a)
            done = r;
    }
}
