/* The learned extension of entities: after every other pass, the words and
 * signs beside an entity on its line are offered to a small averaged
 * perceptron, one at a time outwards, and join the entity while it says
 * so. The rules and the tagger find the heart of a name ("Weppes",
 * "CHR des Flandres"); where its edges are ("Taxi-Ambulances des Weppes",
 * "CHR des Flandres - site de Dunkerque", "Résidence X, bât. B") is what
 * the writers of the annotated notes taught it, by features that
 * generalise: the word's identity when the language knows it, else its
 * shape, the entity's label, the side, the next word, the signs between,
 * the nearest other entity. Before it, the same weights decide alone
 * the numbers no pass labelled (a trial's centre, a family's number) and
 * the words that may be a person's initials ("validé NB", "M. Bonnet" in
 * a signature, "GUILLOU;Claire;GUI"), these by their context and whether
 * a name of the note would be initialled so. Trained on the annotated
 * notes as the rules and the tagger leave them (deid_extend_train.c); each
 * part's bias chosen on the notes kept aside. */
#include "tagger.h"

#include <string.h>

#define EXT_KEEP_WEIGHT 2

/* Token j may be offered at all: a word, a number, or a sign that may sit
 * inside a name or an address (not a bracket, a colon or an end of
 * sentence's sign). */
static int offerable(const text_scan *s, size_t j)
{
    const text_tok *k = &s->tok[j];
    if (k->kind != TOK_PUNCT)
        return k->e - k->s <= 40;
    unsigned char c = (unsigned char)s->t[k->s];
    return c == '-' || c == ',' || c == '.' || c == '/' || c == '&' || c == '\'' || c == 0xE2;
}

/* The signs between tokens a and b (a < b): none, spaces, else other. */
static unsigned gap_kind(const text_scan *s, size_t a, size_t b)
{
    if (b >= s->n || a >= s->n)
        return 3;
    uint32_t e = s->tok[a].e, st = s->tok[b].s;
    return e == st ? 0 : st - e == 1 ? 1 : 2;
}

static unsigned cap_class(const text_tok *k)
{
    return k->kind != TOK_WORD ? 3u : k->allcaps ? 2u : k->cap ? 1u : 0u;
}

/* The token next to q on side dir (0 right, 1 left) on q's line, s->n
 * when there is none. */
static size_t on_line(const text_scan *s, size_t q, int dir)
{
    size_t r = dir ? (q ? q - 1 : s->n) : q + 1;
    return r >= s->n || (dir ? s->tok[q].nl : s->tok[r].nl) ? s->n : r;
}

/* The features of token j offered on side dir (0 right, 1 left) of an
 * entity of label lab whose token next to it is edge, at step. */
static size_t ext_features(const text_scan *s, size_t edge, size_t j, int dir, unsigned step, int lab,
                           uint32_t *f)
{
    size_t n = 0;
    const text_tok *k = &s->tok[j];
    size_t beyond = on_line(s, j, dir);
    uint64_t id = tag_ident(s, j), idb = tag_ident(s, beyond), ide = tag_ident(s, edge);
    unsigned sh = tag_shape(s, j), shb = tag_shape(s, beyond);
    unsigned d = (unsigned)dir, L = (unsigned)lab, cc = cap_class(k);
    unsigned lb = beyond < s->n ? s->lab[beyond] : 0;
    /* the nearest entity further on this side, on the line */
    unsigned near = 0, near_lab = 0;
    for (size_t q = j, hop = 1; hop <= EXT_STEPS; hop++) {
        size_t r = on_line(s, q, dir);
        if (r >= s->n)
            break;
        if (s->lab[r]) {
            near = (unsigned)hop;
            near_lab = s->lab[r];
            break;
        }
        q = r;
    }
    unsigned gin = dir ? gap_kind(s, j, edge) : gap_kind(s, edge, j);
    unsigned gout = beyond < s->n ? (dir ? gap_kind(s, beyond, j) : gap_kind(s, j, beyond)) : 3;
    f[n++] = tag_feat(101, d);
    f[n++] = tag_feat(102, d << 8 | L);
    f[n++] = tag_feat(103, id << 9 ^ (uint64_t)(d << 8 | L));
    f[n++] = tag_feat(104, id << 1 | d);
    f[n++] = tag_feat(105, (uint64_t)sh << 9 | d << 8 | L);
    f[n++] = tag_feat(106, (uint64_t)sh << 20 ^ (uint64_t)shb << 1 ^ d);
    f[n++] = tag_feat(107, (id * 1000003u ^ idb) << 1 | d);
    f[n++] = tag_feat(108, (id << 9 ^ (uint64_t)(d << 8 | L)) * 31 + lb);
    f[n++] = tag_feat(109, (ide * 1000003u ^ id) << 1 | d);
    f[n++] = tag_feat(110, (uint64_t)step << 9 | d << 8 | L);
    f[n++] = tag_feat(111, (uint64_t)(gin << 2 | gout) << 9 | d << 8 | L);
    f[n++] = tag_feat(112, (uint64_t)(near << 8 | near_lab) << 9 | d << 8 | L);
    f[n++] = tag_feat(113, (uint64_t)(near << 8 | near_lab) << 20 ^ id << 1 ^ d);
    f[n++] = tag_feat(114, (uint64_t)k->lex << 12 | cc << 9 | d << 8 | L);
    f[n++] = tag_feat(
        115, (uint64_t)(k->dflags & (DICT_TITLE | DICT_FIELD | DICT_ROLE | DICT_PARTICLE | DICT_CONNECT |
                                     DICT_HOSP | DICT_STREET | DICT_CITY | DICT_FIRST | DICT_LAST))
                     << 9 |
                 d << 8 | L);
    f[n++] = tag_feat(116, (uint64_t)(beyond < s->n ? s->tok[beyond].lex : 0xFFFFu) << 12 |
                               (beyond < s->n ? cap_class(&s->tok[beyond]) : 4u) << 9 | d << 8 | L);
    f[n++] = tag_feat(117, (uint64_t)lb << 9 | d << 8 | L);
    int safe = k->kind == TOK_WORD && deid_known_safe(s, j);
    f[n++] = tag_feat(118, (uint64_t)(safe << 2 | cc) << 9 | d << 8 | L);
    if (k->kind == TOK_WORD && !((k->lex & (LEX_WORD | LEX_MED | LEX_EPONYM)) || k->dflags)) {
        /* an unknown word: its ending, not its identity */
        char w[80];
        int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, w, sizeof w);
        if (fl >= 3)
            f[n++] = tag_feat(119, tag_bytes_hash(w + fl - 3, 3) << 1 | d);
    }
    /* the end of the line, the start of the next sentence */
    int eol = dir ? (k->nl || j == 0) : (j + 1 >= s->n || s->tok[j + 1].nl);
    f[n++] = tag_feat(120, (uint64_t)eol << 9 | d << 8 | L);
    f[n++] = tag_feat(121, (uint64_t)(cc << 2 | (beyond < s->n ? cap_class(&s->tok[beyond]) : 4u)) << 20 ^
                               id << 1 ^ d);
    return n;
}

/* The nearest word token from i on side dir (0 right, 1 left) on the line,
 * past signs, at most three tokens away (s->n when none). */
static size_t word_near(const text_scan *s, size_t i, int dir)
{
    for (size_t q = i, hop = 0; hop < 3; hop++) {
        size_t r = on_line(s, q, dir);
        if (r >= s->n)
            return s->n;
        if (s->tok[r].kind == TOK_WORD)
            return r;
        q = r;
    }
    return s->n;
}

/* An entity of label lab may grow: names of places, organisations and
 * records. The patterns' own labels keep their edges (a date's, a
 * phone's, a NIR's: spans their surrogates must read), and people's names
 * theirs (a name's edges are the rules' and the tagger's: the words
 * before one, "Appel de", "Vu", are as often in capitals as a first name;
 * the tests caught the extension swallowing them). */
static int extendable(int lab)
{
    return lab != AT_PHI_AGE && lab != AT_PHI_DATE && lab != AT_PHI_DATE_NAISSANCE && lab != AT_PHI_TEL &&
           lab != AT_PHI_MAIL && lab != AT_PHI_SECU && lab != AT_PHI_URL && lab != AT_PHI_NOM &&
           lab != AT_PHI_PRENOM;
}

/* Token i, taken alone, joins the entity it touches (only spaces between,
 * on its line), the one before first, when that entity may grow: 1 when
 * it did. */
static int join_beside(text_scan *s, size_t i)
{
    for (int q = 1; q >= 0; q--) {
        size_t j = on_line(s, i, q);
        if (j >= s->n || !s->lab[j])
            continue;
        int lab = s->lab[j];
        if (!extendable(lab))
            continue;
        s->lab[i] = (uint8_t)lab;
        s->ent[i] = s->ent[j];
        return 1;
    }
    return 0;
}

/* Token i is a single digit that counts with a number beside it (the one
 * before it one less, or the one after one more, only spaces between): a
 * scale's boxes, a list's numbers. */
static int counting(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_NUM || k->e - k->s != 1)
        return 0;
    int v = s->t[k->s] - '0';
    for (int side = 0; side < 2; side++) {
        size_t j = side ? i + 1 : i - 1;
        if ((!side && !i) || j >= s->n || s->tok[side ? j : i].nl || s->tok[j].kind != TOK_NUM ||
            s->tok[j].e - s->tok[j].s > 2)
            continue;
        const text_tok *o = &s->tok[j];
        uint32_t gs = side ? k->e : o->e, ge = side ? o->s : k->s;
        if (ge - gs < 1 || ge - gs > 3 || memchr(s->t + gs, '\n', ge - gs))
            continue;
        int w = atoi_n(s->t + o->s, o->e - o->s);
        if (w == (side ? v + 1 : v - 1))
            return 1;
    }
    return 0;
}

/* The bytes [a, b) are one to three of a space or a no-break space. */
static int thin_gap(const text_scan *s, uint32_t a, uint32_t b)
{
    if (b <= a || b - a > 3)
        return 0;
    const unsigned char *g = (const unsigned char *)s->t + a;
    return (b - a == 1 && g[0] == ' ') || deid_nbsp_len(g, b - a) == b - a;
}

/* Token i opens a sum of money, its thousands apart and its cents after a
 * comma: "68 000 €", "1 562,25 €", "300 euros". */
static int money(const text_scan *s, size_t i)
{
    size_t j = i;
    while (j + 1 < s->n && s->tok[j + 1].kind == TOK_NUM && !s->tok[j + 1].nl &&
           s->tok[j + 1].e - s->tok[j + 1].s == 3 && thin_gap(s, s->tok[j].e, s->tok[j + 1].s) && j - i < 4)
        j++;
    if (j + 2 < s->n && (is_punct(s, j + 1, ',') || is_punct(s, j + 1, '.')) &&
        s->tok[j + 1].s == s->tok[j].e && s->tok[j + 2].kind == TOK_NUM &&
        s->tok[j + 2].s == s->tok[j + 1].e && s->tok[j + 2].e - s->tok[j + 2].s == 2)
        j += 2;
    if (j + 1 >= s->n || s->tok[j + 1].nl)
        return 0;
    const text_tok *u = &s->tok[j + 1];
    if (u->s != s->tok[j].e && !thin_gap(s, s->tok[j].e, u->s))
        return 0;
    return (u->e - u->s >= 3 && !memcmp(s->t + u->s, "\xE2\x82\xAC", 3)) || tok_is(s, j + 1, "euros") ||
           tok_is(s, j + 1, "euro") || tok_is(s, j + 1, "EUR");
}

/* The features of a number the passes left, token i, offered alone: its
 * writing (digits, letters, leading zero, what is glued to it), the words
 * around and the line's first word, the entities near. */
static size_t seed_features(const text_scan *s, size_t i, size_t ls, uint32_t *f)
{
    size_t n = 0;
    const text_tok *k = &s->tok[i];
    const char *t = s->t + k->s;
    size_t len = k->e - k->s;
    unsigned digits = 0, letters = 0;
    for (size_t q = 0; q < len; q++) {
        unsigned c = (unsigned char)t[q];
        digits += c - '0' < 10u;
        letters += (c | 0x20u) - 'a' < 26u;
    }
    unsigned db = digits <= 2   ? digits
                  : digits <= 4 ? 3 + (digits - 3)
                  : digits <= 6 ? 5
                  : digits <= 9 ? 6
                                : 7;
    unsigned lz = t[0] == '0' && digits >= 2;
    unsigned lb = letters == 0 ? 0 : letters <= 2 ? 1 : 2;
    int gl = i > 0 && s->tok[i - 1].e == k->s && !k->nl,
        gr = i + 1 < s->n && s->tok[i + 1].s == k->e && !s->tok[i + 1].nl;
    unsigned wshape = db | lz << 3 | lb << 4 | (unsigned)gl << 6 | (unsigned)gr << 7;
    size_t p1 = word_near(s, i, 1), n1 = word_near(s, i, 0);
    size_t p2 = p1 < s->n ? word_near(s, p1, 1) : s->n;
    uint64_t ip1 = tag_ident(s, p1), in1 = tag_ident(s, n1), ip2 = tag_ident(s, p2);
    /* the token just before and after, signs included */
    size_t b1 = on_line(s, i, 1), a1 = on_line(s, i, 0);
    uint64_t ib1 = tag_ident(s, b1), ia1 = tag_ident(s, a1);
    /* the line's first token (ls) */
    uint64_t il = tag_ident(s, ls);
    /* entities near on the line */
    unsigned near = 0;
    for (size_t q = i, hop = 0; hop < 3 && q > 0 && !s->tok[q].nl; hop++, q--)
        if (s->lab[q - 1]) {
            near |= 1;
            break;
        }
    for (size_t q = i + 1, hop = 0; hop < 3 && q < s->n && !s->tok[q].nl; hop++, q++)
        if (s->lab[q]) {
            near |= 2;
            break;
        }
    unsigned val = 0;
    if (!letters && digits <= 9) {
        size_t lead = 0; /* the leading digits, within the token */
        while (lead < len && (unsigned)(t[lead] - '0') < 10u)
            lead++;
        int v = atoi_n(t, lead);
        val = v <= 12 ? 0 : v <= 31 ? 1 : v <= 100 ? 2 : v <= 1000 ? 3 : v <= 2100 ? 4 : 5;
    }
    int safe = k->kind == TOK_WORD && deid_known_safe(s, i);
    f[n++] = tag_feat(130, 0);
    f[n++] = tag_feat(131, wshape);
    f[n++] = tag_feat(132, ip1);
    f[n++] = tag_feat(133, ip1 * 1000003u ^ wshape);
    f[n++] = tag_feat(134, in1);
    f[n++] = tag_feat(135, in1 * 1000003u ^ wshape);
    f[n++] = tag_feat(136, ip2 * 1000003u ^ ip1);
    f[n++] = tag_feat(137, ib1 * 1000003u ^ ia1);
    f[n++] = tag_feat(138, ib1 * 1000003u ^ wshape);
    f[n++] = tag_feat(139, ia1 * 1000003u ^ wshape);
    f[n++] = tag_feat(140, il);
    f[n++] = tag_feat(141, il * 1000003u ^ wshape);
    f[n++] = tag_feat(142, (uint64_t)near << 8 | wshape);
    f[n++] = tag_feat(143, (uint64_t)val << 8 | db | lb << 4);
    f[n++] = tag_feat(144, (uint64_t)val << 20 ^ ip1);
    f[n++] = tag_feat(145, (uint64_t)safe << 1 | (k->kind == TOK_WORD));
    f[n++] = tag_feat(146, (uint64_t)(k->nl || i == 0) << 1 | (a1 >= s->n));
    if (letters && len < 64) {
        /* the letters' writing: "L24K118", "FR0147" as shapes */
        char sh[16];
        size_t o = 0;
        for (size_t q = 0; q < len && o < sizeof sh; q++) {
            unsigned c = (unsigned char)t[q];
            char x = c - '0' < 10u ? 'd' : c - 'A' < 26u ? 'X' : c - 'a' < 26u ? 'x' : 'o';
            if (!o || sh[o - 1] != x)
                sh[o++] = x;
        }
        f[n++] = tag_feat(147, tag_bytes_hash(sh, o));
    }
    return n;
}

static int numeric(const text_tok *o)
{
    return o->kind == TOK_NUM || (o->kind == TOK_WORD && (o->aux & TOK_AUX_DIGIT));
}

/* Token i is glued to a number, or to a hyphen or slash glued to one: a
 * code's letters ("FAM-0917", "B23/11902"). */
static int glued_number(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    for (int side = 0; side < 2; side++) {
        size_t g = side ? i + 1 : i - 1, h = side ? i + 2 : i - 2;
        if ((!side && i < 1) || g >= s->n || (side ? s->tok[g].s != k->e : s->tok[g].e != k->s))
            continue;
        const text_tok *o = &s->tok[g];
        if (numeric(o))
            return 1;
        if ((is_punct(s, g, '-') || is_punct(s, g, '/')) && (side || i >= 2) && h < s->n &&
            (side ? s->tok[h].s == o->e : s->tok[h].e == o->s) && numeric(&s->tok[h]))
            return 1;
    }
    return 0;
}

/* Token i may be a person's initials or a short code: a word without
 * digits of one to four letters, every one a capital ("K", "JL", "J-P",
 * "SYF"), or two letters glued to a full stop ("Ch.", "Ph."). Its
 * letters, 0 when not. Not "M": Monsieur's title before a name as often
 * as an initial; nor a single letter glued to a full stop or after a word
 * in lower case (the tests caught "Vu M. d'Ormesson", "vitamine D.",
 * "N.B."), nor one before the sign ° of "N°". */
static unsigned initial_letters(const text_scan *s, size_t i)
{
    const text_tok *k = &s->tok[i];
    if (k->kind != TOK_WORD || (k->aux & TOK_AUX_DIGIT) || !k->cap || k->e - k->s > (k->allcaps ? 8u : 4u))
        return 0;
    /* letters (Latin ones with their accents), hyphens and full stops only:
     * not an elided article ("D'", "L’") */
    unsigned n = 0;
    for (uint32_t q = k->s; q < k->e; q++) {
        unsigned c = (unsigned char)s->t[q];
        if ((c | 0x20u) - 'a' < 26u || (c >= 0xC3 && c <= 0xC5))
            n++;
        else if (c != '-' && c != '.' && (c < 0x80 || c > 0xBF))
            return 0;
    }
    if (!n || n > 4 || (n == 1 && s->t[k->s] == 'M'))
        return 0;
    /* the sign of a number ("N° RPPS", "Nº"): a degree or an ordinal sign
     * glued after */
    if (k->e + 1 < s->len && (unsigned char)s->t[k->e] == 0xC2 &&
        ((unsigned char)s->t[k->e + 1] == 0xB0 || (unsigned char)s->t[k->e + 1] == 0xBA))
        return 0;
    /* a field's label or a score's name: a colon or a number next ("IPP :
     * 1234", "OMS 1") */
    size_t a1 = on_line(s, i, 0);
    if (a1 < s->n && (is_punct(s, a1, ':') || numeric(&s->tok[a1])))
        return 0;
    /* a letter after a word in lower case names its kind ("vitamine D",
     * "hépatite B", "groupe A"); one glued to a full stop is the rules'
     * (dotted initials "K.D.", beside "N.B.", "P.J.", "E. coli") */
    int dot = is_punct(s, i + 1, '.') && s->tok[i + 1].s == k->e;
    if (n == 1 && (dot || (i > 0 && !k->nl && s->tok[i - 1].kind == TOK_WORD && !s->tok[i - 1].cap)))
        return 0;
    if (n == 1 || k->allcaps)
        return n;
    return n == 2 && dot ? n : 0;
}

/* The codes that people's names in the chunk would be initialled by:
 * the initials of two to four parts in a row of the names on a line ("N.
 * Boukhris" NB, "LE BIHAN Yann" LBY, "MOREAU-DIALLO Julie" MDJ), a
 * surname's first two or three letters (GUI, ABG) and its first two with
 * the next part's initial (SY Fatoumata: SYF). Folded, a letter a byte,
 * packed in four bytes. */
#define INIT_CODES 512
#define INIT_PARTS 8
typedef struct {
    uint32_t v[INIT_CODES];
    size_t n;
} init_codes;

static void code_add(init_codes *c, uint32_t v)
{
    if (c->n < INIT_CODES)
        c->v[c->n++] = v;
}

/* The folded letters of token i packed (at most max, from the first),
 * their count in *n; a letter that folds to none ends them. */
static uint32_t packed_letters(const text_scan *s, size_t i, unsigned max, unsigned *n)
{
    const text_tok *k = &s->tok[i];
    char w[80];
    const char *p = s->t + k->s;
    int fl = (int)(k->e - k->s);
    for (int q = 0; q < fl && q < 8; q++)
        if ((unsigned char)p[q] >= 0x80) {
            fl = text_lexicon_fold(p, k->e - k->s, w, sizeof w);
            p = w;
            break;
        }
    uint32_t v = 0;
    unsigned c = 0;
    for (int q = 0; q < fl && c < max; q++) {
        unsigned x = (unsigned char)p[q] | 0x20u;
        if (x - 'a' < 26u)
            v |= x << (8 * c++);
        else if (p[q] != '.' && p[q] != '-')
            break;
    }
    *n = c;
    return v;
}

static void names_codes(const text_scan *s, init_codes *c)
{
    uint32_t part[INIT_PARTS]; /* a part's first three letters */
    uint8_t sur[INIT_PARTS];   /* the part is of a surname */
    size_t np = 0;
    unsigned line = 0;
    c->n = 0;
    for (size_t i = 0; i < s->n && c->n < INIT_CODES; i++) {
        if (i + 8 <= s->n && deid_labels8_lack(s, i, AT_PHI_NOM, AT_PHI_PRENOM)) {
            i += 7;
            continue;
        }
        const text_tok *k = &s->tok[i];
        if (k->line != line)
            np = 0;
        line = k->line;
        int lab = s->lab[i];
        if (k->kind != TOK_WORD || (lab != AT_PHI_NOM && lab != AT_PHI_PRENOM))
            continue;
        unsigned nl;
        uint32_t v = packed_letters(s, i, 3, &nl);
        if (!nl)
            continue;
        if (np == INIT_PARTS) {
            memmove(part, part + 1, sizeof *part * (INIT_PARTS - 1));
            memmove(sur, sur + 1, INIT_PARTS - 1);
            np--;
        }
        part[np] = v;
        sur[np] = lab == AT_PHI_NOM;
        np++;
        for (size_t len = 2; len <= 4 && len <= np; len++) {
            uint32_t code = 0;
            for (size_t x = 0; x < len; x++)
                code |= (part[np - len + x] & 0xFFu) << (8 * x);
            code_add(c, code);
        }
        if (sur[np - 1] && nl >= 2)
            code_add(c, v & 0xFFFFu);
        if (sur[np - 1] && nl >= 3)
            code_add(c, v);
        if (np >= 2 && sur[np - 2] && (part[np - 2] & 0xFF00u))
            code_add(c, (part[np - 2] & 0xFFFFu) | (v & 0xFFu) << 16);
    }
}

/* Whether token i's letters are asked among the names' codes: two or more,
 * and not a word the lexicons know (IRM, LE). */
static int initials_asked(const text_scan *s, size_t i, unsigned letters)
{
    return letters >= 2 && !(s->tok[i].lex & (LEX_WORD | LEX_MED | LEX_EPONYM));
}

/* 1 when token i's letters, folded, are one of the codes; 2 when they are
 * not asked (a single letter: any name's initial; a known word). */
static unsigned initials_named(const text_scan *s, size_t i, unsigned letters, const init_codes *c)
{
    if (!initials_asked(s, i, letters))
        return 2;
    unsigned n;
    uint32_t v = packed_letters(s, i, 4, &n);
    for (size_t q = 0; q < c->n; q++)
        if (c->v[q] == v)
            return 1;
    return 0;
}

/* What the features of initials read of their line, of its first 32
 * tokens at most (made once a line). */
typedef struct {
    size_t ls, le, colon; /* first and last token read, first colon (s->n: none) */
    unsigned words, caps; /* its words and those in capitals */
} init_line;

static void line_read(const text_scan *s, size_t ls, init_line *L)
{
    L->ls = ls;
    L->words = L->caps = 0;
    L->colon = s->n;
    size_t q = ls;
    for (; q < s->n && q - ls < 32 && (q == ls || !s->tok[q].nl); q++) {
        const text_tok *o = &s->tok[q];
        L->words += o->kind == TOK_WORD;
        L->caps += o->kind == TOK_WORD && o->allcaps;
        if (L->colon == s->n && is_punct(s, q, ':'))
            L->colon = q;
    }
    L->le = q - 1;
}

/* The features of a word that may be initials, token i offered alone (L:
 * what its line holds, last: the chunk's last line, codes: the names'
 * codes): its writing and
 * what is glued to it, the words and signs around, the entities beside,
 * its line (first word, length, place, capitals, a field's colon before),
 * the document's last lines (signatures). */
static size_t initial_features(const text_scan *s, size_t i, const init_line *L, unsigned letters,
                               unsigned last, const init_codes *codes, uint32_t *f)
{
    size_t n = 0;
    const text_tok *k = &s->tok[i];
    size_t b1 = on_line(s, i, 1), a1 = on_line(s, i, 0);
    size_t p1 = word_near(s, i, 1), n1 = word_near(s, i, 0);
    size_t p2 = p1 < s->n ? word_near(s, p1, 1) : s->n, n2 = n1 < s->n ? word_near(s, n1, 0) : s->n;
    uint64_t id = tag_ident(s, i), ib1 = tag_ident(s, b1), ia1 = tag_ident(s, a1);
    uint64_t ip1 = tag_ident(s, p1), in1 = tag_ident(s, n1), ip2 = tag_ident(s, p2), in2 = tag_ident(s, n2);
    unsigned lp = p1 < s->n ? s->lab[p1] : 0, ln = n1 < s->n ? s->lab[n1] : 0;
    unsigned dot = a1 < s->n && s->tok[a1].s == k->e && is_punct(s, a1, '.');
    unsigned hy = a1 < s->n && s->tok[a1].s == k->e && is_punct(s, a1, '-');
    unsigned shape = letters | dot << 3 | hy << 4 | (unsigned)k->allcaps << 5 | (k->e - k->s > letters) << 6;
    /* its line: length, the share of the other words in capitals, a
     * field's colon before it, where it stands */
    int in = i <= L->le; /* i among the tokens read */
    unsigned words = L->words - in, caps = L->caps - (in && k->allcaps), colon = L->colon < i;
    size_t span = L->le - L->ls + 1;
    unsigned lenb = span <= 1 ? 0 : span <= 2 ? 1 : span <= 4 ? 2 : span <= 8 ? 3 : 4;
    unsigned capb = !words ? 0 : caps * 2 < words ? 1 : caps < words ? 2 : 3;
    unsigned pos = (i == L->ls) | (i + 1 >= s->n || s->tok[i + 1].nl) << 1;
    unsigned tail = last - k->line <= 3;
    unsigned paren = is_punct(s, b1, '(') && a1 < s->n && is_punct(s, a1, ')');
    int safe = deid_known_safe(s, i);
    unsigned named = initials_named(s, i, letters, codes);
    f[n++] = tag_feat(150, shape);
    f[n++] = tag_feat(151, id * 1000003u ^ shape);
    f[n++] = tag_feat(152, ip1 * 1000003u ^ shape);
    f[n++] = tag_feat(153, in1 * 1000003u ^ shape);
    f[n++] = tag_feat(154, ib1 * 1000003u ^ ia1);
    f[n++] = tag_feat(155, ip2 * 1000003u ^ ip1);
    f[n++] = tag_feat(156, in1 * 1000003u ^ in2);
    f[n++] = tag_feat(157, (uint64_t)(lp << 8 | ln) << 16 | shape);
    f[n++] = tag_feat(158, (uint64_t)(lp << 8 | ln) << 16 ^ id);
    f[n++] = tag_feat(159, tag_ident(s, L->ls) * 1000003u ^ shape);
    f[n++] = tag_feat(160, (uint64_t)(pos << 4 | lenb) << 8 | shape);
    f[n++] = tag_feat(161, (uint64_t)(capb << 4 | lenb) << 8 | letters);
    f[n++] = tag_feat(162, (uint64_t)(colon | tail << 1 | pos << 2 | paren << 4) << 8 | shape);
    f[n++] = tag_feat(163, (uint64_t)k->lex << 12 | (uint64_t)safe << 8 | letters);
    f[n++] = tag_feat(164, id * 1000003u ^ ip1);
    f[n++] = tag_feat(165, id * 1000003u ^ in1);
    f[n++] = tag_feat(166, (uint64_t)(lp << 8 | ln) << 16 | (uint64_t)(colon | tail << 1 | pos << 2) << 8 |
                               letters);
    f[n++] = tag_feat(167, (uint64_t)named << 8 | shape);
    f[n++] = tag_feat(168, (uint64_t)named << 16 | lp << 8 | ln);
    return n;
}

static void collect_add(text_ext_collect *c, const uint32_t *f, size_t nf, int y, int wt)
{
    if (c->st)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        uint32_t *fe = at_realloc(c->feat, cap * EXT_MAX_FEATS * sizeof *fe);
        if (fe)
            c->feat = fe;
        uint8_t *nfv = at_realloc(c->nf, cap), *wv = at_realloc(c->wt, cap);
        if (nfv)
            c->nf = nfv;
        if (wv)
            c->wt = wv;
        int8_t *yv = at_realloc(c->y, cap);
        if (yv)
            c->y = yv;
        if (!fe || !nfv || !wv || !yv) {
            c->st = AT_ERR_NOMEM;
            return;
        }
        c->cap = cap;
    }
    memcpy(c->feat + c->n * EXT_MAX_FEATS, f, nf * sizeof *f);
    c->nf[c->n] = (uint8_t)nf;
    c->y[c->n] = (int8_t)y;
    c->wt[c->n] = (uint8_t)wt;
    c->n++;
}

static float ext_score(const text_tagger *t, const uint32_t *f, size_t nf)
{
    uint32_t mask = (1u << t->ext_bits) - 1;
    float v = 0;
    for (size_t q = 0; q < nf; q++)
        v += t->ext_w[f[q] & mask];
    return v;
}

/* Whether token j, its features f, is taken (its score above bias); in
 * training, recorded with its gold answer instead, which is taken
 * (teacher forcing: on as far as the gold spans go). */
static int decide(text_scan *s, size_t j, const uint32_t *f, size_t nf, float bias, size_t base)
{
    text_ext_collect *col = s->d->ext_collect;
    if (!col)
        return ext_score(s->d->tagger, f, nf) > bias;
    size_t x = base + s->tok[j].s, y = base + s->tok[j].e;
    int take = text_spans_overlap(&col->doc->gold, x, y);
    collect_add(col, f, nf, take ? 1 : -1,
                !take && text_spans_overlap(&col->doc->eponyms, x, y) ? EXT_KEEP_WEIGHT : 1);
    return take;
}

/* Entity [a, b) grown on side dir. */
static void extend_side(text_scan *s, size_t a, size_t b, int dir, float bias, size_t base)
{
    int lab = s->lab[a];
    uint32_t ent = s->ent[a];
    size_t edge = dir ? a : b - 1, cur = edge, last = edge;
    for (unsigned step = 0; step < EXT_STEPS; step++) {
        size_t j = on_line(s, cur, dir);
        if (j >= s->n || s->lab[j] || !offerable(s, j))
            break;
        uint32_t f[EXT_MAX_FEATS];
        size_t nf = ext_features(s, cur, j, dir, step, lab, f);
        if (!decide(s, j, f, nf, bias, base))
            break;
        /* a day said relative to today names nothing ("à la clinique des
         * trois frontières hier"); after the decision, so that training
         * reads the same samples */
        if (s->tok[j].kind == TOK_WORD && (tok_is(s, j, "hier") || tok_is(s, j, "demain") ||
                                           tok_is(s, j, "aujourd'hui") || tok_is(s, j, "aujourdhui")))
            break;
        s->lab[j] = (uint8_t)lab;
        s->ent[j] = ent;
        cur = j;
        if (s->tok[j].kind != TOK_PUNCT &&
            !(lab == AT_PHI_VILLE && (s->tok[j].dflags & DICT_CONNECT) && !s->tok[j].cap))
            last = j;
    }
    /* a sign it ended on goes back, and a town's connector in lower case
     * ("le docteur Morvan de Saint-Renan") */
    while (cur != last) {
        s->lab[cur] = 0;
        s->ent[cur] = 0;
        cur = dir ? cur + 1 : cur - 1;
    }
}

/* The first token of token i's line, given that of an earlier token p
 * (ls; p == s->n: none): the same when no line begins between (a walk
 * back to p at most: the tokens of a chunk walked once a pass). */
static size_t line_start(const text_scan *s, size_t i, size_t ls, size_t p)
{
    size_t q = i;
    while (q > 0 && !s->tok[q].nl && (p >= s->n || q > p))
        q--;
    return p < s->n && q == p && !s->tok[q].nl ? ls : q;
}

void deid_pass_extend(text_scan *s, size_t base)
{
    const text_tagger *t = s->d->tagger;
    if (!s->d->ext_collect && (!t || !t->ext_w))
        return;
    text_ext_collect *col = s->d->ext_collect;
    /* the numbers the passes left, each offered alone first; not a digit
     * that counts with its neighbours (a scale's boxes, "0 1 2 ... 10"),
     * nor one a pass explained as safe (a table's codes and ages) */
    int numbers = col || t->seed_bias < EXT_OFF, initials = col || t->init_bias < EXT_OFF;
    unsigned last = s->n ? s->tok[s->n - 1].line : 0;
    /* (the tokeniser's lists: numbers in one, words with digits in another,
     * both in the text's order: merged) */
    const uint32_t *ln = s->list[TEXT_LIST_NUM], *lc = s->list[TEXT_LIST_CUE];
    size_t nn = numbers ? s->nlist[TEXT_LIST_NUM] : 0, nc = numbers ? s->nlist[TEXT_LIST_CUE] : 0;
    size_t ls = 0, lsi = s->n; /* the line start of token lsi */
    for (size_t a = 0, c = 0; a < nn || c < nc;) {
        size_t i = a < nn && (c >= nc || ln[a] <= lc[c]) ? ln[a] : lc[c];
        while (a < nn && ln[a] == i)
            a++;
        while (c < nc && lc[c] == i)
            c++;
        const text_tok *k = &s->tok[i];
        /* (nor a batch's or a trial's number: "Lot du flacon : B22741X") */
        if (s->lab[i] || !numeric(k) || (k->aux & TOK_AUX_SAFE) || k->e - k->s > 40 || counting(s, i) ||
            deid_after_notid(s, i) || money(s, i))
            continue;
        ls = line_start(s, i, ls, lsi);
        lsi = i;
        uint32_t f[EXT_MAX_FEATS];
        size_t nf = seed_features(s, i, ls, f);
        if (decide(s, i, f, nf, col ? 0 : t->seed_bias, base) && !join_beside(s, i))
            mark(s, i, i + 1, AT_PHI_ID);
    }
    /* then initials and short codes: a person's, else a name's part */
    init_codes codes; /* 2 KB, made when a word not known is offered */
    codes.n = 0;
    int coded = 0;
    init_line line = {s->n, 0, 0, 0, 0}; /* of the last initials offered */
    lsi = s->n;
    /* (the capitalised words: the tokeniser's list of them) */
    for (size_t q = 0; q < s->nlist[TEXT_LIST_NAME] && initials; q++) {
        size_t i = s->list[TEXT_LIST_NAME][q];
        const text_tok *k = &s->tok[i];
        unsigned letters = !s->lab[i] && !(k->aux & TOK_AUX_SAFE) ? initial_letters(s, i) : 0;
        if (!letters)
            continue;
        if (!coded && initials_asked(s, i, letters)) {
            names_codes(s, &codes);
            coded = 1;
        }
        ls = line_start(s, i, ls, lsi);
        lsi = i;
        if (ls != line.ls)
            line_read(s, ls, &line);
        uint32_t f[EXT_MAX_FEATS];
        size_t nf = initial_features(s, i, &line, letters, last, &codes, f);
        if (decide(s, i, f, nf, col ? 0 : t->init_bias, base) && !join_beside(s, i)) {
            size_t n1 = word_near(s, i, 0);
            mark(s, i, i + 1,
                 glued_number(s, i)                      ? AT_PHI_ID
                 : n1 < s->n && s->lab[n1] == AT_PHI_NOM ? AT_PHI_PRENOM
                                                         : AT_PHI_NOM);
        }
    }
    for (size_t i = deid_next_labelled(s, 0); i < s->n; i = deid_next_labelled(s, i)) {
        uint32_t ent = s->ent[i];
        size_t j = i + 1;
        while (j < s->n && s->lab[j] && s->ent[j] == ent)
            j++;
        int lab = s->lab[i];
        if ((col || t->ext_bias < EXT_OFF) && extendable(lab)) {
            float bias = col ? 0 : t->ext_bias;
            extend_side(s, i, j, 1, bias, base);
            extend_side(s, i, j, 0, bias, base);
        }
        while (j < s->n && s->lab[j] && s->ent[j] == ent)
            j++;
        i = j;
    }
}
