/* The de-identifier's large lexicon: Debian's French word lists, read at
 * run time from /usr/share (never from the build tree), and the project's
 * lists of data/text, in one table of fingerprints and kinds. The Debian
 * part is read once per process and shared by every detector. */
#include "lexicon.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LEX_WFRENCH "/usr/share/dict/french"
#define LEX_HUNSPELL "/usr/share/hunspell/fr.dic"
#define LEX_EN_MED "/usr/share/hunspell/en_med_glut.dic"
#define LEX_MAX_FILE ((size_t)64 << 20)
#define LEX_SLOTS ((size_t)1 << 20) /* about 470,000 words: at most 0.5 full */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight bytes of x with A-Z given bit 5 (x: ASCII bytes). */
static inline uint64_t ascii8_lower(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x80 * ones;
    return x | ((x + (0x80 - 'A') * ones) & ~(x + (0x80 - 'Z' - 1) * ones) & high) >> 2;
}

/* Fold the n bytes at w into f (room for n + 9 bytes, at least 16) when
 * every one is ASCII: their lower case and eight zero bytes after them,
 * and 1; else 0, with f as it was. Reads only w[0 .. n): a word of eight
 * bytes or more by eight-byte loads, its last eight overlapping the one
 * before; a shorter one by two four-byte loads or by its bytes. */
static inline int lexicon_fold_ascii(const unsigned char *w, size_t n, char *f)
{
    const uint64_t high = 0x8080808080808080ull;
    if (n >= 8) {
        uint64_t any = 0, x;
        for (size_t j = 0; j + 8 <= n; j += 8) {
            memcpy(&x, w + j, 8);
            any |= x;
        }
        memcpy(&x, w + n - 8, 8);
        if ((any | x) & high)
            return 0;
        for (size_t j = 0; j + 8 <= n; j += 8) {
            memcpy(&x, w + j, 8);
            x = ascii8_lower(x);
            memcpy(f + j, &x, 8);
        }
        memcpy(&x, w + n - 8, 8);
        x = ascii8_lower(x);
        memcpy(f + n - 8, &x, 8);
        memset(f + n, 0, 8);
        return 1;
    }
    uint64_t x;
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, w, 4);
        memcpy(&b, w + n - 4, 4);
        x = (uint64_t)a | (uint64_t)b << (8 * (n - 4));
    } else {
        x = n ? (uint64_t)w[0] | (uint64_t)w[n >> 1] << (8 * (n >> 1)) | (uint64_t)w[n - 1] << (8 * (n - 1))
              : 0;
    }
    if (x & high)
        return 0;
    x = ascii8_lower(x);
    memcpy(f, &x, 8);
    memset(f + n, 0, 8);
    return 1;
}
#endif

/* text_lexicon_fold of a word that is not all ASCII or that may not fit
 * (its own function: the ASCII word's way saves no registers). */
static __attribute__((noinline)) int lexicon_fold_any(const char *s, size_t n, char *f, size_t cap);

int text_lexicon_fold(const char *s, size_t n, char *f, size_t cap)
{
    if (cap < 16)
        return -1;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* a word of ASCII bytes that fits (most of them): all of it without a
     * loop over its bytes, the same bytes written as below */
    if (n + 9 <= cap && lexicon_fold_ascii((const unsigned char *)s, n, f))
        return (int)n;
#endif
    return lexicon_fold_any(s, n, f, cap);
}

static int lexicon_fold_any(const char *s, size_t n, char *f, size_t cap)
{
    const unsigned char *w = (const unsigned char *)s;
    size_t o = 0, j = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight ASCII bytes at a time (A-Z get bit 5) while each of them would
     * pass the byte loop's room check */
    while (j + 8 <= n && o + 17 <= cap) {
        const uint64_t ones = 0x0101010101010101ull, high = 0x80 * ones;
        uint64_t x;
        memcpy(&x, w + j, 8);
        if (x & high)
            break;
        x |= ((x + (0x80 - 'A') * ones) & ~(x + (0x80 - 'Z' - 1) * ones) & high) >> 2;
        memcpy(f + o, &x, 8);
        j += 8;
        o += 8;
    }
#endif
    while (j < n) {
        unsigned b = w[j];
        if (o + 10 > cap)
            return -1;
        if (b < 0x80) {
            f[o++] = (char)(b - 'A' < 26u ? b + 32 : b);
            j++;
        } else if (b == 0xC3 && j + 1 < n && w[j + 1] >= 0x80 && w[j + 1] <= 0xBF) {
            const char *r = text_latin1_fold[w[j + 1] - 0x80];
            for (int k = 0; k < 2 && r[k]; k++)
                f[o++] = r[k];
            j += 2;
        } else if (b == 0xC5 && j + 1 < n && (w[j + 1] == 0x92 || w[j + 1] == 0x93)) {
            f[o++] = 'o';
            f[o++] = 'e';
            j += 2;
        } else if (b == 0xE2 && j + 2 < n && w[j + 1] == 0x80 && w[j + 2] == 0x99) {
            f[o++] = '\'';
            j += 3;
        } else {
            char tmp[256];
            int fl = n < 120 ? at_text_fold(s, n, tmp, sizeof tmp) : -1;
            if (fl < 0 || (size_t)fl + 8 > cap)
                return -1;
            /* the typographic apostrophe as ' */
            o = 0;
            for (int i = 0; i < fl; i++) {
                if (i + 2 < fl && (unsigned char)tmp[i] == 0xE2 && (unsigned char)tmp[i + 1] == 0x80 &&
                    (unsigned char)tmp[i + 2] == 0x99) {
                    f[o++] = '\'';
                    i += 2;
                } else {
                    f[o++] = tmp[i];
                }
            }
            break;
        }
    }
    memset(f + o, 0, 8);
    return (int)o;
}

static void lex_put(text_lexicon *x, uint64_t h, unsigned kinds)
{
    uint32_t fp = lex_fp(h);
    for (size_t i = (size_t)h & x->mask;; i = (i + 1) & x->mask) {
        uint32_t e = x->slot[i];
        if (!e) {
            x->slot[i] = fp << 12 | (kinds & LEX_MASK);
            x->n++;
            return;
        }
        if (e >> 12 == fp) {
            /* (a commune of the list is no medical word of hunspell-en-med,
             * which writes "avignon", "bordeaux", "valence" in lower case;
             * the medical lists, read after it, set theirs again) */
            if (kinds & LEX_CITY)
                e &= ~(uint32_t)LEX_MED;
            x->slot[i] = e | (kinds & LEX_MASK);
            return;
        }
    }
}

/* Add word s (n bytes, raw) with kinds; words too long are skipped. */
static at_status lex_add(text_lexicon *x, const char *s, size_t n, unsigned kinds)
{
    char f[LEX_MAX_WORD + 16];
    if (!n || n > LEX_MAX_WORD)
        return AT_OK;
    int fl = text_lexicon_fold(s, n, f, sizeof f);
    if (fl <= 0 || fl > LEX_MAX_WORD)
        return AT_OK;
    if ((x->n + 1) * 2 > x->mask + 1)
        return at_error_set(AT_ERR_LIMIT, "text lexicon: more than %zu words", (x->mask + 1) / 2);
    lex_put(x, text_dict_hash_padded(f, (size_t)fl), kinds);
    return AT_OK;
}

unsigned text_lexicon_get(const text_lexicon *x, const char *f, size_t n)
{
    char pad[LEX_MAX_WORD + 16];
    if (!n || n > LEX_MAX_WORD)
        return 0;
    memcpy(pad, f, n);
    memset(pad + n, 0, 8);
    return lex_get(x, text_dict_hash_padded(pad, n));
}

/* wfrench: one word a line, all of them words of the language. */
static at_status load_wordlist(text_lexicon *x, const char *path)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, LEX_MAX_FILE, &data, &len);
    if (st)
        return at_error_set(
            AT_ERR_IO, "text deid: cannot read %s (Debian package wfrench; scripts/bootstrap installs it)",
            path);
    const char *p = (const char *)data, *end = p + len;
    while (p < end && !st) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        st = lex_add(x, p, (size_t)(le - p), LEX_WORD);
        p = le + 1;
    }
    at_free(data);
    return st;
}

/* hunspell fr.dic: "word/FLAGS po:xx ..." (Grammalecte's tags): po:prn a
 * first name, po:patr a surname, po:npr a proper noun, the rest words of
 * the language. The first line is the entry count. */
static at_status load_hunspell(text_lexicon *x, const char *path)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, LEX_MAX_FILE, &data, &len);
    if (st)
        return at_error_set(
            AT_ERR_IO,
            "text deid: cannot read %s (Debian package hunspell-fr-comprehensive; scripts/bootstrap "
            "installs it)",
            path);
    const char *p = (const char *)data, *end = p + len;
    int first = 1;
    while (p < end && !st) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (!first) {
            const char *we = p;
            while (we < le && *we != '/' && *we != ' ' && *we != '\t')
                we++;
            unsigned kinds = LEX_WORD;
            for (const char *q = we; q + 6 <= le; q++) {
                if (q[0] != 'p' || q[1] != 'o' || q[2] != ':')
                    continue;
                if (!memcmp(q + 3, "prn", 3))
                    kinds = LEX_FIRST;
                else if (q + 7 <= le && !memcmp(q + 3, "patr", 4))
                    kinds = LEX_LAST;
                else if (!memcmp(q + 3, "npr", 3))
                    kinds = LEX_PLACE;
                break;
            }
            st = lex_add(x, p, (size_t)(we - p), kinds);
        }
        first = 0;
        p = le + 1;
    }
    at_free(data);
    return st;
}

/* A data/text list: one entry a line, "#" comments, "name;..." keeps the name. */
static at_status load_list(text_lexicon *x, const char *dir, const char *file, unsigned kinds)
{
    char *path = at_path_join(dir, file);
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, LEX_MAX_FILE, &data, &len);
    at_free(path);
    if (st)
        return st;
    const char *p = (const char *)data, *end = p + len;
    while (p < end && !st) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *semi = memchr(p, ';', (size_t)(le - p));
        const char *we = semi ? semi : le;
        while (we > p && (we[-1] == ' ' || we[-1] == '\r' || we[-1] == '\t'))
            we--;
        if (we > p && *p != '#')
            st = lex_add(x, p, (size_t)(we - p), kinds);
        p = le + 1;
    }
    at_free(data);
    return st;
}

/* English medical endings and their French form: the French medical
 * word an English entry stands for ("hyperplasia" -> "hyperplasie",
 * "cisplatin" -> "cisplatine", "nasopharyngoscopy" -> "...scopie"). */
static const struct {
    const char *en, *fr;
} en_fr_endings[] = {
    {"ectomy", "ectomie"}, {"otomy", "otomie"},     {"ostomy", "ostomie"}, {"scopy", "scopie"},
    {"plasty", "plastie"}, {"graphy", "graphie"},   {"pathy", "pathie"},   {"logy", "logie"},
    {"trophy", "trophie"}, {"therapy", "therapie"}, {"ia", "ie"},          {"oma", "ome"},
    {"omas", "omes"},      {"osis", "ose"},         {"itis", "ite"},       {"ic", "ique"},
    {"ical", "ique"},      {"ous", "eux"},          {"in", "ine"},         {"ism", "isme"},
    {"ist", "iste"},       {"rrhea", "rrhee"},      {"y", "ie"},           {"ae", "es"},
    {NULL, NULL}};

/* hunspell-en-med: the English medical dictionary's entries that start in
 * lower case (its capitalised ones are eponyms and brands, many of them
 * surnames: Bernard, Durand) and are at least six letters, and not written
 * capitalised too, as medical words, with their French form by ending. */
static at_status load_en_med(text_lexicon *x, const char *path)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, LEX_MAX_FILE, &data, &len);
    if (st)
        return at_error_set(
            AT_ERR_IO,
            "text deid: cannot read %s (Debian package hunspell-en-med; scripts/bootstrap installs it)",
            path);
    /* the capitalised entries first, to leave out the words written both ways */
    text_lexicon caps = {0};
    caps.slot = at_calloc((size_t)1 << 16, sizeof *caps.slot);
    caps.mask = ((size_t)1 << 16) - 1;
    if (!caps.slot) {
        at_free(data);
        return AT_ERR_NOMEM;
    }
    const char *p = (const char *)data, *end = p + len;
    for (int pass = 0; pass < 2 && !st; pass++) {
        p = (const char *)data;
        int first = 1;
        while (p < end && !st) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            const char *we = p;
            while (we < le && *we != '/' && *we != ' ' && *we != '\t' && *we != '\r')
                we++;
            size_t n = (size_t)(we - p);
            int upper = n && p[0] >= 'A' && p[0] <= 'Z', lower = n && p[0] >= 'a' && p[0] <= 'z';
            int plain = 1;
            for (const char *q = p; q < we; q++)
                plain &= (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '-';
            if (!first && plain && pass == 0 && upper && n <= LEX_MAX_WORD &&
                (caps.n + 1) * 2 <= caps.mask + 1) {
                st = lex_add(&caps, p, n, 1);
            } else if (!first && plain && pass == 1 && lower && n >= 6 && n + 8 <= LEX_MAX_WORD) {
                char f[LEX_MAX_WORD + 16];
                int fl = text_lexicon_fold(p, n, f, sizeof f);
                if (fl > 0 && !text_lexicon_get(&caps, f, (size_t)fl)) {
                    /* (an entry that is a first name or a surname of the
                     * lists stays theirs alone: "delphine") */
                    if (!(text_lexicon_get(x, f, (size_t)fl) & (LEX_FIRST | LEX_LAST)))
                        st = lex_add(x, f, (size_t)fl, LEX_MED);
                    for (size_t e = 0; en_fr_endings[e].en && !st; e++) {
                        size_t el = strlen(en_fr_endings[e].en), frl = strlen(en_fr_endings[e].fr);
                        if ((size_t)fl > el + 3 && !memcmp(f + fl - el, en_fr_endings[e].en, el)) {
                            char g[LEX_MAX_WORD + 16];
                            memcpy(g, f, (size_t)fl - el);
                            memcpy(g + fl - el, en_fr_endings[e].fr, frl);
                            /* (a guessed French form that is a first name
                             * or a surname of the lists is theirs alone:
                             * "amandin" -> "amandine" made a first name a
                             * medical word) */
                            if (!(text_lexicon_get(x, g, (size_t)fl - el + frl) & (LEX_FIRST | LEX_LAST)))
                                st = lex_add(x, g, (size_t)fl - el + frl, LEX_MED);
                            break;
                        }
                    }
                }
            }
            first = 0;
            p = le + 1;
        }
    }
    at_free(caps.slot);
    at_free(data);
    return st;
}

static const char *const street_words[] = {
    "rue",      "avenue",   "av",       "bd",        "boulevard", "allee",     "chemin",      "place",
    "impasse",  "route",    "quai",     "cours",     "square",    "residence", "res",         "lotissement",
    "lot",      "lieu-dit", "lieudit",  "ld",        "hameau",    "ferme",     "domaine",     "mas",
    "cite",     "village",  "batiment", "bat",       "escalier",  "esc",       "appartement", "appt",
    "apt",      "etage",    "porte",    "voie",      "sentier",   "passage",   "rond-point",  "chaussee",
    "faubourg", "fbg",      "parvis",   "esplanade", "promenade", "venelle",   "ruelle",      "traverse",
    "montee",   "bp",       "cedex",    "manoir",    "chateau",   "moulin",    "clos",        "zone",
    "za",       "zi",       "zac",      "parc",      "quartier",  "villa",     "tour",        "immeuble",
    "bloc",     "bourg",    "metairie", "lieu",      "couree",    "tribu",     "sente",       "carrefour",
    NULL};
static const char *const org_words[] = {"institut",
                                        "laboratoire",
                                        "labo",
                                        "centre",
                                        "clinique",
                                        "polyclinique",
                                        "hopital",
                                        "chu",
                                        "chru",
                                        "chr",
                                        "ch",
                                        "had",
                                        "ssr",
                                        "ehpad",
                                        "usld",
                                        "cabinet",
                                        "maison",
                                        "pharmacie",
                                        "phie",
                                        "societe",
                                        "entreprise",
                                        "sarl",
                                        "sas",
                                        "sa",
                                        "eurl",
                                        "groupe",
                                        "etablissements",
                                        "ets",
                                        "mutuelle",
                                        "association",
                                        "fondation",
                                        "ecole",
                                        "lycee",
                                        "college",
                                        "universite",
                                        "mairie",
                                        "usine",
                                        "agence",
                                        "banque",
                                        "assurance",
                                        "assurances",
                                        "cooperative",
                                        "imagerie",
                                        "radiologie",
                                        "scanner",
                                        "irm",
                                        "hospitalisation",
                                        "service",
                                        "unite",
                                        "pole",
                                        "departement",
                                        "hopitaux",
                                        "hospices",
                                        "chi",
                                        "chs",
                                        "ght",
                                        "ghu",
                                        "cmp",
                                        "cmpp",
                                        "cattp",
                                        "epsm",
                                        "csapa",
                                        "smur",
                                        "samu",
                                        "hia",
                                        "efs",
                                        "etablissement",
                                        "laboratoires",
                                        "foyer",
                                        "site",
                                        "ste",
                                        "sasu",
                                        "gaec",
                                        "earl",
                                        "sci",
                                        "scop",
                                        "transports",
                                        "ambulances",
                                        "ambulance",
                                        "taxis",
                                        "taxi",
                                        "garage",
                                        "pompes",
                                        "boulangerie",
                                        "hotel",
                                        "restaurant",
                                        "caisse",
                                        "atelier",
                                        "ateliers",
                                        "menuiserie",
                                        "plomberie",
                                        "carrosserie",
                                        "imprimerie",
                                        "librairie",
                                        "magasin",
                                        "supermarche",
                                        "armement",
                                        "chantiers",
                                        "compagnie",
                                        "industries",
                                        "creche",
                                        NULL};
static const char *const kin_words[] = {"fils",
                                        "fille",
                                        "epouse",
                                        "epoux",
                                        "mari",
                                        "femme",
                                        "conjoint",
                                        "conjointe",
                                        "compagnon",
                                        "compagne",
                                        "pere",
                                        "mere",
                                        "frere",
                                        "soeur",
                                        "oncle",
                                        "tante",
                                        "neveu",
                                        "niece",
                                        "cousin",
                                        "cousine",
                                        "petit-fils",
                                        "petite-fille",
                                        "gendre",
                                        "belle-fille",
                                        "beau-fils",
                                        "belle-mere",
                                        "beau-pere",
                                        "grand-mere",
                                        "grand-pere",
                                        "arriere-grand-mere",
                                        "arriere-grand-pere",
                                        "belle-soeur",
                                        "beau-frere",
                                        "demi-frere",
                                        "demi-soeur",
                                        "parrain",
                                        "marraine",
                                        "filleul",
                                        "filleule",
                                        "copain",
                                        "copine",
                                        "concubin",
                                        "concubine",
                                        "fiance",
                                        "fiancee",
                                        "papa",
                                        "maman",
                                        "mamie",
                                        "mamy",
                                        "papi",
                                        "papy",
                                        "tonton",
                                        "tata",
                                        "tatie",
                                        "ami",
                                        "amie",
                                        "voisin",
                                        "voisine",
                                        "aidant",
                                        "aidante",
                                        "tuteur",
                                        "tutrice",
                                        "curateur",
                                        "curatrice",
                                        "interne",
                                        "internes",
                                        "externe",
                                        "ide",
                                        "idel",
                                        "ipa",
                                        "cadre",
                                        "secretaire",
                                        "assistante",
                                        "kine",
                                        "psychologue",
                                        "dieteticienne",
                                        "pharmacien",
                                        "pharmacienne",
                                        "infirmier",
                                        "infirmiere",
                                        "referente",
                                        "referent",
                                        "aide-soignante",
                                        "aide-soignant",
                                        "as",
                                        "confrere",
                                        "consoeur",
                                        "collegue",
                                        "dr",
                                        "pr",
                                        "docteur",
                                        "professeur",
                                        "mme",
                                        "mlle",
                                        "m",
                                        "monsieur",
                                        "madame",
                                        NULL};

/* The word lists of the languages of letters from abroad (wbritish,
 * wngerman, witalian, wspanish): words of those languages, asked only
 * on a line written in one of them (deid_abroad.c). Their capitalised
 * entries are proper nouns (Smith, London, Basel) and are left out, save
 * German's nouns (german_noun); so are the English possessives. */
static const char *const foreign_lists[] = {"/usr/share/dict/british-english", "/usr/share/dict/ngerman",
                                            "/usr/share/dict/italian", "/usr/share/dict/spanish"};
static const char *const foreign_packages[] = {"wbritish", "wngerman", "witalian", "wspanish"};
#define LEX_FOREIGN_SLOTS ((size_t)1 << 21)
static text_lexicon foreign_lex;

/* The German nouns of wngerman: its capitalised entries with a plural
 * or a case ending in the list too ("Klinik" / "Kliniken", "Kollegin" /
 * "Kolleginnen", "Frau" / "Frauen"); a town or a surname has its
 * genitive alone ("Basel" / "Basels", "Schmidt" / "Schmidts"). */
static int german_noun(const text_lexicon *caps, const char *w, size_t n)
{
    static const char *const endings[] = {"en", "n", "e", "er", "nen", "ern"};
    char f[LEX_MAX_WORD + 16], g[LEX_MAX_WORD + 24];
    int fl = n <= LEX_MAX_WORD ? text_lexicon_fold(w, n, f, sizeof f) : -1;
    if (fl < 3 || fl + 4 > LEX_MAX_WORD)
        return 0;
    for (size_t e = 0; e < sizeof endings / sizeof *endings; e++) {
        size_t el = strlen(endings[e]);
        memcpy(g, f, (size_t)fl);
        memcpy(g + fl, endings[e], el);
        if (text_lexicon_get(caps, g, (size_t)fl + el))
            return 1;
    }
    return 0;
}

static at_status load_foreign(text_lexicon *x, size_t which)
{
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(foreign_lists[which], LEX_MAX_FILE, &data, &len);
    if (st)
        return st;
    /* the capitalised entries: proper nouns (skipped), or in German the
     * nouns too, told apart by their endings (german_noun) */
    text_lexicon caps = {0};
    if (which == 1) {
        caps.slot = at_calloc((size_t)1 << 19, sizeof *caps.slot);
        caps.mask = ((size_t)1 << 19) - 1;
        if (!caps.slot) {
            at_free(data);
            return AT_ERR_NOMEM;
        }
    }
    for (int pass = 0; pass < (which == 1 ? 2 : 1) && !st; pass++) {
        const char *p = (const char *)data, *end = p + len;
        while (p < end && !st) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            size_t n = (size_t)(le - p);
            int cap =
                (*p >= 'A' && *p <= 'Z') || ((unsigned char)*p == 0xC3 && n > 1 &&
                                             (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9E);
            if (n >= 3 && !memchr(p, '\'', n)) {
                if (!cap && pass == 0)
                    st = lex_add(x, p, n, LEX_WORD);
                else if (cap && which == 1 && pass == 0)
                    st = lex_add(&caps, p, n, LEX_WORD);
                else if (cap && which == 1 && pass == 1 && german_noun(&caps, p, n))
                    st = lex_add(x, p, n, LEX_ORG);
            }
            p = le + 1;
        }
    }
    at_free(caps.slot);
    at_free(data);
    return st;
}

static pthread_once_t foreign_once = PTHREAD_ONCE_INIT;

/* (read at the first line written abroad a process meets: a French
 * note never pays for it; text_lexicon_load checked that the lists are
 * there; memory short, or a list changed meanwhile, leaves those words
 * unknown, which only removes more) */
static void foreign_build(void)
{
    foreign_lex.slot = at_calloc(LEX_FOREIGN_SLOTS, sizeof *foreign_lex.slot);
    foreign_lex.mask = LEX_FOREIGN_SLOTS - 1;
    if (!foreign_lex.slot) {
        memset(&foreign_lex, 0, sizeof foreign_lex);
        return;
    }
    for (size_t i = 0; i < sizeof foreign_lists / sizeof *foreign_lists; i++)
        (void)load_foreign(&foreign_lex, i);
}

unsigned text_lexicon_foreign(const char *f, size_t n)
{
    pthread_once(&foreign_once, foreign_build);
    return text_lexicon_get(&foreign_lex, f, n);
}

static text_lexicon base_lex;
static at_status base_status;
static char base_error[256];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static void base_build(void)
{
    base_lex.slot = at_calloc(LEX_SLOTS, sizeof *base_lex.slot);
    base_lex.mask = LEX_SLOTS - 1;
    if (!base_lex.slot) {
        base_status = AT_ERR_NOMEM;
        snprintf(base_error, sizeof base_error, "text lexicon: out of memory");
        return;
    }
    base_status = load_wordlist(&base_lex, LEX_WFRENCH);
    if (!base_status)
        base_status = load_hunspell(&base_lex, LEX_HUNSPELL);
    if (!base_status)
        base_status = load_en_med(&base_lex, LEX_EN_MED);
    for (size_t i = 0; street_words[i] && !base_status; i++)
        base_status = lex_add(&base_lex, street_words[i], strlen(street_words[i]), LEX_STREET);
    for (size_t i = 0; org_words[i] && !base_status; i++)
        base_status = lex_add(&base_lex, org_words[i], strlen(org_words[i]), LEX_ORG);
    for (size_t i = 0; kin_words[i] && !base_status; i++)
        base_status = lex_add(&base_lex, kin_words[i], strlen(kin_words[i]), LEX_KIN);
    const char *const *cues[] = {text_cue_id_words, text_cue_account_words, text_cue_employer_words,
                                 text_cue_job_words};
    for (size_t c = 0; c < 4 && !base_status; c++)
        for (size_t i = 0; cues[c][i] && !base_status; i++)
            base_status =
                lex_add(&base_lex, cues[c][i], strlen(cues[c][i]), c < 2 ? LEX_CUE_ID : LEX_CUE_EMP);
    if (base_status) {
        snprintf(base_error, sizeof base_error, "%s", at_error_message());
        at_free(base_lex.slot);
        memset(&base_lex, 0, sizeof base_lex);
    }
}

at_status text_lexicon_load(const char *dict_dir, text_lexicon *x)
{
    memset(x, 0, sizeof x[0]);
    pthread_once(&base_once, base_build);
    if (base_status)
        return at_error_set(base_status, "%s", base_error);
    /* the lists of letters from abroad are read later, when a text needs
     * them: here, that they are there */
    for (size_t i = 0; i < sizeof foreign_lists / sizeof *foreign_lists; i++)
        if (access(foreign_lists[i], R_OK))
            return at_error_set(
                AT_ERR_IO, "text deid: cannot read %s (Debian package %s; scripts/bootstrap installs it)",
                foreign_lists[i], foreign_packages[i]);
    x->slot = at_malloc((base_lex.mask + 1) * sizeof *x->slot);
    if (!x->slot)
        return AT_ERR_NOMEM;
    memcpy(x->slot, base_lex.slot, (base_lex.mask + 1) * sizeof *x->slot);
    x->mask = base_lex.mask;
    x->n = base_lex.n;
    static const struct {
        const char *file;
        unsigned kinds;
        int optional;
    } lists[] = {{"prenoms.txt", LEX_FIRST, 0},
                 {"noms.txt", LEX_LAST, 0},
                 {"communes.txt", LEX_PLACE | LEX_CITY, 0},
                 {"mots_communs.txt", LEX_WORD, 0},
                 {"eponymes.txt", LEX_EPONYM | LEX_MED, 0},
                 {"medicaments.txt", LEX_MED, 1},
                 {"medical.txt", LEX_MED, 1}};
    at_status st = AT_OK;
    for (size_t i = 0; i < sizeof lists / sizeof *lists && !st; i++) {
        st = load_list(x, dict_dir, lists[i].file, lists[i].kinds);
        if ((st == AT_ERR_IO || st == AT_ERR_NOT_FOUND) && lists[i].optional)
            st = AT_OK;
    }
    if (st)
        text_lexicon_free(x);
    return st;
}

void text_lexicon_free(text_lexicon *x)
{
    at_free(x->slot);
    memset(x, 0, sizeof x[0]);
}
