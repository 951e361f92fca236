/* Names an e-mail address gives away: the parts of its local part
 * ("iris.vidal@...") are the names of its owner, and the words of the
 * document written as those parts are names. A part that no list holds or
 * that a name list holds is a name wherever it is written with a capital
 * (in lower case too when it is no word of the language); a part that is
 * a word of the language ("Iris", "Rose") only beside the address, where
 * the display name repeats the local part ("Iris Vidal <iris.vidal@...>")
 * and one of its parts at least is no word of the language. */
#include "deid_scan.h"

#include <string.h>

#define PARTS_MAX 4
#define PART_LEN 48

typedef struct {
    char f[PART_LEN];
    int n;
    unsigned lex;
} mail_part;

/* The parts of the local part of the e-mail whose tokens are [a, at):
 * words of three letters or more without digits. Their count. */
static size_t local_parts(const text_scan *s, size_t a, size_t at, mail_part *p)
{
    size_t c = 0;
    for (size_t i = a; i < at && c < PARTS_MAX; i++) {
        const text_tok *k = &s->tok[i];
        if (k->kind != TOK_WORD || k->e - k->s < 3 || k->e - k->s >= PART_LEN - 16)
            continue;
        int digit = 0;
        for (uint32_t b = k->s; b < k->e; b++)
            digit |= (unsigned)(s->t[b] - '0') < 10u;
        if (digit)
            continue;
        int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, p[c].f, sizeof p[c].f);
        if (fl < 3)
            continue;
        p[c].n = fl;
        p[c].lex = text_lexicon_get(&s->d->lex, p[c].f, (size_t)fl);
        c++;
    }
    return c;
}

static int part_of(const text_scan *s, size_t i, const mail_part *p, size_t np)
{
    const text_tok *k = &s->tok[i];
    size_t n = k->e - k->s;
    if (k->kind != TOK_WORD || n >= PART_LEN - 16 || n < 3)
        return -1;
    /* most words end here: by their length and first letter */
    unsigned c0 = (unsigned char)s->t[k->s];
    int maybe = 0;
    for (size_t q = 0; q < np && !maybe; q++)
        maybe = n >= (size_t)p[q].n && n <= (size_t)p[q].n * 2 &&
                (c0 >= 0x80 || (c0 | 0x20) == (unsigned char)p[q].f[0]);
    if (!maybe)
        return -1;
    char f[PART_LEN];
    int fl = text_lexicon_fold(s->t + k->s, k->e - k->s, f, sizeof f);
    for (size_t q = 0; q < np && fl > 0; q++)
        if (p[q].n == fl && !memcmp(p[q].f, f, (size_t)fl))
            return (int)q;
    return -1;
}

/* The name of a mail provider or of a messaging service ("gmail",
 * "mssante"), or of a host's service ("visio", "portail"): the domain of
 * anyone's address, no establishment's. */
static int provider(const char *f, size_t n)
{
    static const char *const names[] = {
        "gmail", "googlemail", "hotmail", "yahoo", "outlook", "live", "msn", "icloud", "wanadoo", "orange",
        "free", "sfr", "laposte", "aol", "gmx", "neuf", "bbox", "proton", "protonmail", "numericable",
        "mssante", "apicrypt", "example", "www", "http", "https", "mail", "email", "web", "com", "org", "net",
        "gouv", "univ", "club", "internet",
        /* and the services of a host */
        "visio", "webmail", "portail", "extranet", "intranet", "app", "api", "rdv", "teleconsultation",
        "espace", "mon", "my", "secure", "login", NULL};
    for (const char *const *w = names; *w; w++)
        if (strlen(*w) == n && !memcmp(*w, f, n))
            return 1;
    return 0;
}

/* The domain of the address or web address whose tokens are [a, e) (from
 * its '@', or past its "://"): its parts but the last (".fr") cut at '.'
 * and '-' ("clc-angers.example.fr": "clc", "angers", "example") that no
 * list of the language holds and that name no mail provider are kept as
 * an establishment's words (a town's or a name's when a list says so):
 * the acronym the establishment is written by elsewhere ("CLC"). */
static void domain_parts(text_scan *s, size_t a, size_t e)
{
    uint32_t from = s->tok[a].s, to = s->tok[e - 1].e;
    /* the host ends at the first '/' after it; the last part is the TLD */
    for (uint32_t b = from; b < to; b++)
        if (s->t[b] == '/' && !(b + 1 < to && s->t[b + 1] == '/') && !(b > from && s->t[b - 1] == '/') &&
            !(b > from && s->t[b - 1] == ':')) {
            to = b;
            break;
        }
    while (to > from && s->t[to - 1] != '.')
        to--;
    for (uint32_t b = from; b < to;) {
        uint32_t c = b;
        while (c < to && s->t[c] != '.' && s->t[c] != '-' && s->t[c] != '/' && s->t[c] != ':' &&
               s->t[c] != '@')
            c++;
        int letters = c - b >= 3 && c - b < PART_LEN - 16;
        for (uint32_t q = b; q < c && letters; q++)
            letters = ((unsigned char)s->t[q] | 0x20) >= 'a' && ((unsigned char)s->t[q] | 0x20) <= 'z';
        char f[PART_LEN];
        int fl = letters ? text_lexicon_fold(s->t + b, c - b, f, sizeof f) : -1;
        if (fl >= 3 && !provider(f, (size_t)fl)) {
            unsigned lex = text_lexicon_get(&s->d->lex, f, (size_t)fl);
            unsigned df = text_dict_get(&s->d->dict, f, (size_t)fl, NULL);
            if (!(lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET | LEX_CUE_ID)) &&
                !(df & (DICT_COMMON | DICT_HOSP | DICT_HEAD | DICT_DESCR | DICT_TITLE | DICT_IDLABEL |
                        DICT_FIELD)))
                deid_names_add_folded(s, f, (size_t)fl,
                                      (lex & (LEX_CITY | LEX_PLACE))   ? AT_PHI_VILLE
                                      : (lex & (LEX_FIRST | LEX_LAST)) ? AT_PHI_NOM
                                                                       : AT_PHI_HOPITAL);
        }
        b = c + 1;
    }
}

/* The domains of the addresses and web addresses of the chunk (the first
 * sixteen). */
static void pass_domains(text_scan *s)
{
    /* (from the tokeniser's lists: an address's '@', a web address's
     * words glued to '.', '/' or ':') */
    size_t seen = 0;
    uint32_t done = 0;
    for (int l = 0; l < 2; l++) {
        const uint32_t *v = s->list[l ? TEXT_LIST_EXTRA : TEXT_LIST_AT];
        for (size_t q = 0; q < s->nlist[l ? TEXT_LIST_EXTRA : TEXT_LIST_AT] && seen < 16; q++) {
            size_t i = v[q];
            if ((s->lab[i] != AT_PHI_MAIL && s->lab[i] != AT_PHI_URL) || s->ent[i] == done)
                continue;
            done = s->ent[i];
            size_t a = i, e = i + 1;
            while (a > 0 && s->lab[a - 1] == s->lab[i] && s->ent[a - 1] == s->ent[i])
                a--;
            while (e < s->n && s->lab[e] == s->lab[i] && s->ent[e] == s->ent[i])
                e++;
            if (s->lab[i] == AT_PHI_MAIL) {
                while (a < e && !is_punct(s, a, '@'))
                    a++;
                a++;
            } else if (l == 0) {
                continue;
            }
            if (a < e)
                domain_parts(s, a, e);
            seen++;
        }
    }
}

void deid_pass_mail_names(text_scan *s)
{
    /* (both halves read the addresses found: none, nothing to do) */
    if (!memchr(s->lab, AT_PHI_MAIL, s->n) && !memchr(s->lab, AT_PHI_URL, s->n))
        return;
    pass_domains(s);
    /* (the first eight addresses of a chunk, from the tokeniser's list of '@') */
    size_t seen = 0;
    for (size_t r = 0; r < s->nlist[TEXT_LIST_AT] && seen < 8; r++) {
        size_t at = s->list[TEXT_LIST_AT][r]; /* an '@' inside an address found */
        if (at == 0 || s->lab[at] != AT_PHI_MAIL)
            continue;
        size_t a = at;
        while (a > 0 && s->lab[a - 1] == AT_PHI_MAIL && s->ent[a - 1] == s->ent[at])
            a--;
        seen++;
        mail_part p[PARTS_MAX];
        size_t np = local_parts(s, a, at, p);
        if (!np)
            continue;
        int named = 0; /* a part is no word of the language */
        for (size_t q = 0; q < np; q++)
            named |= !(p[q].lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET));
        if (!named)
            continue; /* "secretariat.onco@", "contact@" */
        /* the display name just before the address: "Iris Vidal <...>" */
        size_t b = a;
        if (b > 0 && (is_punct(s, b - 1, '<') || is_punct(s, b - 1, '(')))
            b--;
        size_t d = b;
        while (d > 0 && b - d < PARTS_MAX && !s->tok[d].nl && part_of(s, d - 1, p, np) >= 0)
            d--;
        for (size_t i = d; i < b; i++) {
            int q = part_of(s, i, p, np);
            if (!s->lab[i] && mark(s, i, i + 1, q == 0 && np >= 2 ? AT_PHI_PRENOM : AT_PHI_NOM))
                deid_names_add(s, i, i + 1);
        }
        /* elsewhere, when no display name repeats it: the parts that are
         * no word of the language are names, whose other mentions the
         * mentions' pass finds; a local part of one short word that no
         * name list holds is an office's acronym ("dpo@", "drh@", "cme@":
         * "Valérie Chauvet, DPO — dpo@..."), no one's name */
        if (d < b || (np == 1 && p[0].n <= 4 && !(p[0].lex & (LEX_FIRST | LEX_LAST))))
            continue;
        for (size_t i = a, q = 0; i < at; i++) {
            if (s->tok[i].kind != TOK_WORD || s->tok[i].e - s->tok[i].s < 3)
                continue;
            int k = part_of(s, i, p, np);
            if (k >= 0 && !(p[k].lex & (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_ORG | LEX_STREET)))
                deid_names_add_word(s, i, q == 0 && np >= 2 ? AT_PHI_PRENOM : AT_PHI_NOM);
            q++;
        }
    }
}
