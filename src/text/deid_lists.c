/* Late passes over what the others found (deid_pipeline.c's last):
 * - a list of names on one line ("Présents : Ghiringhelli, Lepage, Rat,
 *   Facy, Borg.", "Drs Aubanel, Roumanille, Mistral, Chaix"): an item
 *   left alone among items labelled as people or places is one of them,
 *   even when it is a word of the language ("Rat", "Mistral");
 * - a door code after "digicode", "code porte", "code d'accès",
 *   "interphone" ("digicode 4417B", "code portail : 2748A") is an ID: it
 *   opens the patient's home. */
#include "deid_scan.h"

#include <pthread.h>
#include <string.h>

#define LIST_ITEMS 32
#define ITEM_TOKENS 4
#define LIST_LINE 64 /* tokens of a line that may hold a list */

/* Token i separates two items of a list: ',', '&' or "et" (not ';': a
 * line of a table, whose columns are deid_tables.c's). */
static inline int item_sep(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind == TOK_PUNCT)
        return (k->special == ',' || k->special == '&') && k->e - k->s == 1;
    return k->kind == TOK_WORD && k->e - k->s == 2 && (s->t[k->s] | 0x20) == 'e' &&
           (s->t[k->s + 1] | 0x20) == 't';
}

/* The kind of item [a, b): 0 not an item of a list of names (numbers,
 * other punctuation, too long), 1 its words are labelled as people, 2 as
 * places, 3 none is labelled and it may be a name (one or two capitalised
 * words, no acronym, title alone, relative or month), 4 another item of names. */
static int item_kind(const text_scan *s, size_t a, size_t b)
{
    if (b <= a || b - a > ITEM_TOKENS)
        return 0;
    size_t words = 0, people = 0, places = 0, free_caps = 0, other = 0;
    for (size_t q = a; q < b; q++) {
        const text_tok *k = &s->tok[q];
        if (k->kind == TOK_PUNCT) {
            if (!is_punct(s, q, '-') && !is_punct(s, q, '\'') && !is_punct(s, q, '.'))
                return 0;
            continue;
        }
        if (k->kind != TOK_WORD || tok_has_digit(s, q))
            return 0;
        if (q == a && (k->dflags & DICT_TITLE) && !s->lab[q])
            continue; /* "Dr Facy" */
        words++;
        int lab = s->lab[q];
        if (lab == AT_PHI_NOM || lab == AT_PHI_PRENOM)
            people++;
        else if (lab == AT_PHI_VILLE)
            places++;
        else if (lab)
            other++;
        else if ((k->cap || k->allcaps) && !(k->allcaps && k->e - k->s <= 4) && k->e - k->s >= 2 &&
                 !(k->dflags & (DICT_TITLE | DICT_ROLE | DICT_MONTH | DICT_FIELD)) &&
                 !(k->lex & (LEX_KIN | LEX_ORG | LEX_STREET)))
            free_caps++;
        else
            other++;
    }
    if (!words || other)
        return words && other ? 4 : 0;
    if (people + places == words)
        return people >= places ? 1 : 2;
    if (free_caps == words && words <= 2)
        return 3;
    return 4;
}

/* The lists of names of line [a, e): runs of items between separators;
 * an unlabelled item among at least two labelled ones, and more labelled
 * items than unlabelled, takes the label of most. */
static void line_lists(text_scan *s, size_t a, size_t e)
{
    size_t start[LIST_ITEMS], end[LIST_ITEMS];
    int kind[LIST_ITEMS];
    size_t n = 0, q = a;
    while (q <= e) {
        /* the item from q to the next separator or list end */
        size_t r = q;
        int dots = 0;
        for (; r < e; r++) {
            const text_tok *k = &s->tok[r];
            if (k->kind == TOK_PUNCT && k->e - k->s == 1) {
                unsigned c = k->special;
                if (c == ',' || c == '&' || c == ':' || c == '(' || c == ')' || c == '/' || c == '|')
                    break;
                dots |= c == '.';
            } else if (k->kind == TOK_WORD && k->e - k->s == 2 && item_sep(s, r)) {
                break;
            }
        }
        /* a '.' ends an item's sentence unless it follows an initial or
         * a title ("Dr. X", "J. Facy") */
        size_t stop = r;
        for (size_t t = q; dots && t < r; t++)
            if (is_punct(s, t, '.') && !(t > q && s->tok[t - 1].e - s->tok[t - 1].s <= 3 && t + 1 < r)) {
                stop = t;
                break;
            }
        int k = item_kind(s, q, stop);
        if (k && n < LIST_ITEMS) {
            start[n] = q;
            end[n] = stop;
            kind[n] = k;
            n++;
        }
        int goes_on = k && stop == r && r < e && item_sep(s, r) && n < LIST_ITEMS;
        if (!goes_on) {
            /* the list ends here: decide it */
            size_t people = 0, places = 0, free = 0;
            for (size_t i = 0; i < n; i++) {
                people += kind[i] == 1;
                places += kind[i] == 2;
                free += kind[i] == 3;
            }
            if (n >= 3 && free && people + places >= 2 && people + places > free) {
                int label = people >= places ? AT_PHI_NOM : AT_PHI_VILLE;
                for (size_t i = 0; i < n; i++) {
                    if (kind[i] != 3)
                        continue;
                    size_t w = start[i];
                    if (s->tok[w].dflags & DICT_TITLE)
                        w++;
                    while (w < end[i] && s->tok[w].kind == TOK_PUNCT)
                        w++;
                    size_t z = end[i];
                    while (z > w && s->tok[z - 1].kind == TOK_PUNCT)
                        z--;
                    mark(s, w, z, label);
                }
            }
            n = 0;
        }
        q = r + 1;
    }
}

/* The words that head a line listing who attends ("Présents :",
 * "Participants :", "Quorum :", "Médecins présents :", "equipe nuit :",
 * "relais :"). */
static const char *const attend_heads[] = {
    "presents", "presentes", "participants", "participantes", "quorum",      "excuses", "excusees",
    "absents",  "invites",   "equipe",       "relais",        "assistaient", NULL};
/* The words that may come before a head ("Médecins présents"). */
static const char *const before_head[] = {"medecins", "etaient", "membres", "personnes", "soignants", NULL};
/* The short forms of a role or a specialty in such a line that no list
 * holds ("Le Moal (radiother)", "derm", "manips"): the lexicons know the
 * others ("chir", "anapath", "ide", "oui"), which attend_word leaves. */
static const char *const attend_roles[] = {"radiother", "derm", "ortho", "nucl", "manips", NULL};

/* The three lists indexed (deid_scan.h), built once. */
static text_word_index heads_ix = {.set = attend_heads}, before_ix = {.set = before_head},
                       roles_ix = {.set = attend_roles};
static pthread_once_t attend_once = PTHREAD_ONCE_INIT;

static void attend_build(void)
{
    text_word_index_build(&heads_ix);
    text_word_index_build(&before_ix);
    text_word_index_build(&roles_ix);
}

/* Token q of an attendance line may be a name's word: an unlabelled word
 * of no list but the names' (a word of the language that is a name of
 * the lists too: "Collet", "Barbier"), no title, role, function word,
 * month or number. */
static int attend_word(const text_scan *s, size_t q)
{
    const text_tok *k = &s->tok[q];
    if (s->lab[q] || k->kind != TOK_WORD || tok_has_digit(s, q) ||
        (k->dflags & (DICT_TITLE | DICT_ROLE | DICT_MONTH | DICT_FIELD | DICT_BIRTH | DICT_HOSP)) ||
        (k->lex & (LEX_KIN | LEX_ORG | LEX_STREET)) ||
        ((k->lex & (LEX_WORD | LEX_MED)) && !(k->lex & (LEX_FIRST | LEX_LAST))) ||
        (k->allcaps && k->e - k->s >= 5))
        return 0;
    return !(k->aux & TOK_AUX_FN_FRENCH) && !deid_tok_in_index(s, q, &roles_ix);
}

/* An attendance line from token a (its first) to e (its end): the
 * words after its head and colon that name no role are people ("presents
 * : le goff morvan quemener (chir) abgrall (radiotherapie)", "relais :
 * martins collet barbier / cadre villard"); a surname's particle goes
 * with the word after it ("le goff"), alone it stays. */
static void attendance_line(text_scan *s, size_t a, size_t e)
{
    size_t colon = e;
    for (size_t r = a; r < e && r < a + 6; r++)
        if (is_punct(s, r, ':')) {
            colon = r;
            break;
        }
    /* (the head among the line's first three words, before a colon;
     * without one, "présents" opening the line) */
    int head = 0;
    if (colon < e)
        head = deid_tok_in_index(s, a, &heads_ix) || (a + 1 < colon && deid_tok_in_index(s, a, &before_ix) &&
                                                      deid_tok_in_index(s, a + 1, &heads_ix));
    else
        head = tok_is(s, a, "presents");
    if (!head)
        return;
    size_t q = colon < e ? colon + 1 : a + 1;
    int depth = 0;
    static const char *const particles[] = {"le",  "la", "de", "du",  "da",  "van", "von", "di",  "del",
                                            "ben", "el", "al", "mac", "ter", "ten", "dos", "das", NULL};
    while (q < e) {
        size_t z = q + 1;
        /* (what brackets hold is most often a role: "Dr Pham (radiol.)") */
        if (is_punct(s, q, '(') || is_punct(s, q, ')')) {
            depth = is_punct(s, q, '(');
            q++;
            continue;
        }
        if (depth) {
            q++;
            continue;
        }
        /* (a full stop after a word, not an initial, ends the list) */
        if (is_punct(s, q, '.') && q > a &&
            !(s->tok[q - 1].kind == TOK_WORD && s->tok[q - 1].e - s->tok[q - 1].s <= 2) && q + 1 < e)
            break;
        if (!s->lab[q] && s->tok[q].kind == TOK_WORD && z < e && s->tok[q].e - s->tok[q].s <= 3 &&
            deid_tok_in(s, q, particles)) {
            /* a particle: with the name word after it (or the name found
             * there), else nothing */
            if (attend_word(s, z) && !deid_tok_in(s, z, particles)) {
                z++;
            } else {
                if (s->lab[z] == AT_PHI_NOM && s->tok[z].kind == TOK_WORD) {
                    s->lab[q] = AT_PHI_NOM;
                    s->ent[q] = s->ent[z];
                }
                q++;
                continue;
            }
        } else if (!attend_word(s, q)) {
            q++;
            continue;
        }
        int first = (s->tok[z - 1].lex & LEX_FIRST) && !(s->tok[z - 1].lex & LEX_LAST);
        mark(s, q, z, first ? AT_PHI_PRENOM : AT_PHI_NOM);
        q = z;
    }
}

/* The words that announce a door code. */
static int door_word(const text_scan *s, size_t i, size_t *after)
{
    static const char *const alone[] = {"digicode", "digicodes", "interphone", NULL};
    static const char *const what[] = {"porte", "portail", "immeuble", "entree", "acces",
                                       "boite", "cles",    "hall",     NULL};
    if (tok_ascii_in(s, i, alone)) {
        *after = i + 1;
        return 1;
    }
    if (!tok_is(s, i, "code") || i + 1 >= s->n)
        return 0;
    size_t j = i + 1;
    if (tok_is(s, j, "de") || tok_is(s, j, "du") || tok_elided_d(s, j))
        j++;
    if (j < s->n &&
        (tok_ascii_in(s, j, what) ||
         tok_is(s, j,
                "entr\xC3\xA9"
                "e") ||
         tok_is(s, j, "acc\xC3\xA8s") || tok_is(s, j, "bo\xC3\xAEte") || tok_is(s, j, "cl\xC3\xA9s"))) {
        *after = j + 1;
        return 1;
    }
    return 0;
}

/* A code of one to eight letters and digits holding a digit ("4417B",
 * "2748A", "4B19", "0705") at token q, a door word within three tokens
 * before it on its line (a colon, a dash, "n°" between). door_code_may
 * first, in the caller's loop: most numbers are none (labelled, long, at
 * a line's start). */
static inline int door_code_may(const text_scan *s, size_t q)
{
    const text_tok *k = &s->tok[q];
    return !s->lab[q] && k->e - k->s <= 8 && tok_has_digit(s, q) && !k->nl && q != 0;
}

static void door_code(text_scan *s, size_t q)
{
    const text_tok *k = &s->tok[q];
    for (uint32_t b = k->s; b < k->e; b++) {
        unsigned c = (unsigned char)s->t[b];
        if (!(c - '0' < 10u || (c | 0x20) - 'a' < 26u))
            return;
    }
    for (size_t p = q, hop = 0; p > 0 && hop < 4 && !s->tok[p].nl; p--, hop++) {
        size_t i = p - 1, after;
        unsigned c0 = (unsigned char)s->t[s->tok[i].s] | 0x20u;
        if (s->tok[i].kind != TOK_WORD || s->tok[i].e - s->tok[i].s < 4 ||
            (c0 != 'd' && c0 != 'i' && c0 != 'c'))
            continue; /* (no door word opens so) */
        if (door_word(s, i, &after)) {
            for (size_t r = after; r < q; r++)
                if (!(is_punct(s, r, ':') || is_punct(s, r, '-') || is_punct(s, r, '(') ||
                      is_punct(s, r, '#')))
                    return;
            mark(s, q, q + 1, AT_PHI_ID);
            return;
        }
    }
}

void deid_pass_lists(text_scan *s)
{
    /* attendance lines: a line whose first word opens as a head does,
     * read whole (attendance_line asks for its head) */
    pthread_once(&attend_once, attend_build);
    for (size_t i = 0; i < s->n; i++) {
        if (!(i == 0 || s->tok[i].nl) || s->tok[i].kind != TOK_WORD)
            continue;
        unsigned c = (unsigned char)s->t[s->tok[i].s] | 0x20;
        if (c != 'p' && c != 'q' && c != 'e' && c != 'r' && c != 'i' && c != 'a' && c != 'm' && c != 's' &&
            c != 0xc3)
            continue;
        size_t e = i + 1;
        while (e < s->n && !s->tok[e].nl && e - i < 96)
            e++;
        attendance_line(s, i, e);
        i = e - 1;
    }

    /* the lines where a name or a place is followed by a separator: their
     * lists (the labels walked eight at a time, each line read once) */
    size_t done = 0; /* the lines before token done are read */
    for (size_t i = 0; i < s->n;) {
        /* (the next name's or place's label) */
        i = deid_next_label_of(s, i, AT_PHI_NOM, AT_PHI_PRENOM, AT_PHI_VILLE, AT_PHI_VILLE);
        if (i >= s->n)
            break;
        /* (a list shows at a person's or a place's last word before a
         * separator: the line is read from there) */
        int l = s->lab[i];
        if (i < done || !(l == AT_PHI_NOM || l == AT_PHI_PRENOM || l == AT_PHI_VILLE) || i + 1 >= s->n ||
            s->ent[i + 1] == s->ent[i] || !item_sep(s, i + 1)) {
            i++;
            continue;
        }
        /* (a list of names is a short line: a paragraph written on one
         * line is prose, whose commas part clauses) */
        size_t a = i, e = i + 1;
        while (a > 0 && !s->tok[a].nl && i - a < LIST_LINE)
            a--;
        while (e < s->n && !s->tok[e].nl && e - a < LIST_LINE)
            e++;
        if (!(a == 0 || s->tok[a].nl) || !(e >= s->n || s->tok[e].nl)) {
            while (e < s->n && !s->tok[e].nl)
                e++;
            done = i = e;
            continue;
        }
        /* (two names or places at least, and a separator after one) */
        /* (and a capitalised word no pass labelled after a separator: an
         * item to decide) */
        size_t names = 0, before_sep = 0, free_after_sep = 0;
        for (size_t q = a; q < e; q++) {
            int m = s->lab[q];
            if ((m == AT_PHI_NOM || m == AT_PHI_PRENOM || m == AT_PHI_VILLE) &&
                (q + 1 >= e || s->ent[q + 1] != s->ent[q])) {
                names++;
                before_sep += q + 1 < e && item_sep(s, q + 1);
            } else if (!m && q > a && s->tok[q].kind == TOK_WORD && s->tok[q].cap && item_sep(s, q - 1)) {
                free_after_sep++;
            }
        }
        if (names >= 2 && before_sep && free_after_sep)
            line_lists(s, a, e);
        done = i = e;
    }
    /* door codes: from the codes (numbers, words with a digit) back to
     * their door word (none where the tokeniser saw no door word) */
    if (!(s->seen & TEXT_SEEN_DOOR))
        return;
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NUM]; q++)
        if (s->tok[s->list[TEXT_LIST_NUM][q]].kind == TOK_NUM && door_code_may(s, s->list[TEXT_LIST_NUM][q]))
            door_code(s, s->list[TEXT_LIST_NUM][q]);
    for (size_t q = 0; q < s->nlist[TEXT_LIST_CUE]; q++) {
        size_t i = s->list[TEXT_LIST_CUE][q];
        if (s->tok[i].kind == TOK_WORD && (s->tok[i].aux & TOK_AUX_DIGIT) && door_code_may(s, i))
            door_code(s, i);
    }
}
