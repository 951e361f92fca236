/* Employers of the patient and of the people around them (issue #12): a
 * firm is found by the place it holds in the sentence, not by a list of
 * firms. The cues are the words of work: "chez", "employeur", a trade
 * before "à l'", "au", "(" or "," ("aide-soignante à l'EHPAD ...",
 * "boulanger (boulangerie ...)"), "raison sociale :", English "works at",
 * "employed by"; a trade's firm word before a name ("transports",
 * "garage", "boulangerie", "cartonnages") and a legal form after one
 * ("SARL", "SAS", "& Fils") name a firm wherever they stand. The firm's
 * span is its whole name: the trade word, the words that qualify it, the
 * capitalised words, the words no list of the language holds in lower
 * case ("les serres x"), the legal form and an acronym in brackets after
 * it ("(TIS)"). Called from the late rule passes (deid_late.c). */
#include "deid_scan.h"

#include <pthread.h>
#include <string.h>

#define EMP_MAX_SPAN 12 /* tokens of a firm's name */

static int work_before(const text_scan *s, size_t i);

/* Word token i, folded, is one of set (below the sets). */
static int emp_word_in(const text_scan *s, size_t i, const char *const *set);

/* The employer cues (the first EMP_CUES) and the words that head a
 * firm's name ("boulangerie X", "Transports X"); all of them carry
 * LEX_CUE_EMP in the lexicon. */
#define EMP_CUES 7
const char *const text_cue_employer_words[] = {
    "chez", "employeur", "employer", "sociale", "works", "worked", "employed",
    /* firm heads */
    "entreprise", "societe", "ste", "usine", "atelier", "ateliers", "garage", "boulangerie", "patisserie",
    "boucherie", "charcuterie", "restaurant", "brasserie", "hotel", "magasin", "supermarche", "hypermarche",
    "pharmacie", "agence", "banque", "mairie", "conserverie", "laiterie", "fromagerie", "scierie",
    "menuiserie", "imprimerie", "serres", "ferme", "gaec", "earl", "scea", "cooperative", "chantier",
    "chantiers", "carrieres", "raffinerie", "transports", "armement", "caves", "cuisine", "cuisines",
    "etablissements", "ets", "cartonnages", "toitures", "peintures", "charbonnages", "batiments", "platrerie",
    "tolerie", "maconnerie", "plomberie", "nettoyage", "logistique", "industries", "constructions",
    "assurances", "fonderie", "forges", "acieries", "filature", "tissage", "verrerie", "papeterie",
    "abattoir", "salaisons", "vins", "librairie", "cabinet",
    /* (their plurals that name a firm: "brasseries x", "Tonnelleries X") */
    "brasseries", "tonnelleries", "conserveries", "laiteries", "fromageries", "scieries", "menuiseries",
    "imprimeries", "verreries", "papeteries", "fonderies", "tuileries", "briqueteries", "cimenteries",
    "abattoirs", "usines", "garages", "magasins", "supermarches", "boulangeries", "ciments", "houilleres",
    /* military units (deid_units.c) */
    "regiment", "bataillon", "brigade", "escadron", "escadrille", "escadre", "flottille",
    /* legal forms (their list below): LEX_CUE_EMP brings them here */
    "sarl", "sas", "sasu", "eurl", "scop", "ltd", "gmbh", NULL};
static const char *const *const firm_heads = text_cue_employer_words + EMP_CUES;
/* Trades: a firm may follow them ("cariste chez X", "aide-soignante à
 * l'X"); no trade that is also a common surname (Boucher, Berger). */
const char *const text_cue_job_words[] = {
    "travaille", "travaillait", "travaillant", "employe", "employee", "salarie", "salariee", "embauche",
    "embauchee", "retraite", "retraitee", "ancien", "ancienne", "ouvrier", "ouvriere", "agent", "agente",
    "technicien", "technicienne", "comptable", "chauffeur", "livreur", "livreuse", "routier", "vendeur",
    "vendeuse", "caissier", "caissiere", "ingenieur", "ingenieure", "magasinier", "manutentionnaire", "cadre",
    "commercial", "commerciale", "mecanicien", "soudeur", "boulanger", "boulangere", "cuisinier",
    "cuisiniere", "serveur", "serveuse", "macon", "electricien", "infirmier", "infirmiere", "soignante",
    "soignant", "agricultrice", "agriculteur", "exploitant", "exploitante", "enseignant", "enseignante",
    "professeur", "professeure", "institutrice", "instituteur", "facteur", "postier", "postiere", "cariste",
    "plombier", "chauffagiste", "platrier", "couturiere", "preparatrice", "preparateur", "contremaitre",
    "caviste", "mineur", "secretaire", "assistante", "animatrice", "animateur", "educateur", "educatrice",
    "menuisier", "peintre", "couvreur", "ambulancier", "ambulanciere", "conducteur", "conductrice",
    "operateur", "operatrice", "directeur", "directrice", "gerant", "gerante", "responsable", "stagiaire",
    "apprenti", "apprentie", "interimaire", "saisonnier", "saisonniere", "viticulteur", "maraicher",
    "eleveur", "ash", "developpeur", "informaticien", "consultant", "consultante", "hotesse", "standardiste",
    "auxiliaire", "pharmacien", "pharmacienne", "architecte", "teacher", "engineer", "nurse", "driver",
    "worker",
    /* round 7: more trades */
    "bucheron", "forestier", "pompier", "pompiere", "militaire", "gendarme", "policier", "policiere",
    "douanier", "douaniere", "marin", "pecheur", "docker", "artisan", "artisane", "charpentier", "carreleur",
    "jardinier", "jardiniere", "paysagiste", "fromager", "fromagere", "vigneron", "vigneronne", "sapeur",
    "aide-soignante", "aide-soignant", "coiffeur", "coiffeuse", "boucher", "bouchere", "charcutier",
    "patissier", "patissiere", "retired", "cheminot", "cheminote", "licencie", "licenciee", NULL};
/* Establishments that employ too, named after a trade only ("infirmière
 * à la clinique X"): the others' rules name them otherwise. */
static const char *const place_heads[] = {"ecole",       "college",  "lycee",    "universite", "creche",
                                          "ehpad",       "clinique", "hopital",  "ch",         "chu",
                                          "institut",    "centre",   "maison",   "residence",  "foyer",
                                          "association", "service",  "centrale", NULL};
/* Administrations and bodies that employ, named by their place or their
 * kind ("Conseil départemental de X", "commissariat de X", "Port de X",
 * "Base navale de X", "Marine nationale"). */
static const char *const admin_heads[] = {
    "conseil",   "commissariat", "rectorat", "prefecture", "port",     "base",     "arsenal",
    "caserne",   "gendarmerie",  "brigade",  "marine",     "academie", "tribunal", "aeroport",
    "aeroports", "regiment",     "office",   "communaute", NULL};
/* Adjectives closing such a name ("Marine nationale", "Port autonome"). */
static const char *const admin_quals[] = {
    "national",  "nationale",  "naval",         "navale",         "aerienne", "autonome",
    "maritime",  "militaire",  "departemental", "departementale", "regional", "regionale",
    "municipal", "municipale", "general",       "generale",       NULL};
/* Legal forms closing a firm's name. */
static const char *const legal_forms[] = {"sarl",  "sas",      "sasu",      "eurl",   "scop",
                                          "ltd",   "gmbh",     "fils",      "freres", "filhos",
                                          "hijos", "associes", "associees", NULL};
/* Words of a sentence, not of a name, that a capital may open. */
static const char *const stop_words[] = {"il",   "elle",   "ils",   "elles",    "on",   "je",   "nous",
                                         "vous", "depuis", "pour",  "avec",     "sans", "dans", "en",
                                         "a",    "au",     "aux",   "est",      "sont", "cdi",  "cdd",
                                         "rqth", "ald",    "arret", "mi-temps", NULL};

static int word(const text_scan *s, size_t i)
{
    return i < s->n && s->tok[i].kind == TOK_WORD;
}
static int lower(const text_scan *s, size_t i)
{
    return word(s, i) && !s->tok[i].cap && !s->tok[i].allcaps;
}
static int capital(const text_scan *s, size_t i)
{
    /* (a letter alone is a workshop's, a building's: "atelier B") */
    return word(s, i) && (s->tok[i].cap || s->tok[i].allcaps) && s->tok[i].e - s->tok[i].s > 1 &&
           !(s->tok[i].dflags & (DICT_TITLE | DICT_MONTH)) && !emp_word_in(s, i, stop_words);
}
/* A word no list of the language holds, in lower case ("x", "y"). */
static int unknown_lower(const text_scan *s, size_t i)
{
    unsigned char c = (unsigned char)s->t[s->tok[i].s];
    return lower(s, i) && s->tok[i].e - s->tok[i].s >= 3 && !tok_has_digit(s, i) &&
           ((c >= 'a' && c <= 'z') || c == 0xC3) &&
           !memchr(s->t + s->tok[i].s, '-', s->tok[i].e - s->tok[i].s) &&
           !(s->tok[i].lex &
             (LEX_WORD | LEX_MED | LEX_EPONYM | LEX_KIN | LEX_STREET | LEX_ORG | LEX_CUE_EMP)) &&
           !(s->tok[i].dflags & (DICT_CONNECT | DICT_TITLE | DICT_MONTH));
}
/* de, du, des, la, le, les, d', l', et, &, '-', '\'' inside a name. */
static int joiner(const text_scan *s, size_t i)
{
    if (i >= s->n)
        return 0;
    if (is_punct(s, i, '&') || is_punct(s, i, '-') || is_punct(s, i, '\''))
        return 1;
    if (!word(s, i) || s->tok[i].e - s->tok[i].s > 4)
        return 0;
    return (s->tok[i].dflags & DICT_CONNECT) || tok_is(s, i, "et") || tok_is(s, i, "l'") ||
           tok_is(s, i, "d'") || tok_is(s, i, "la") || tok_is(s, i, "le") || tok_is(s, i, "les") ||
           tok_is(s, i, "l") || tok_is(s, i, "d") || tok_is(s, i, "and");
}

/* The end of the firm's name that starts at token j (j when none):
 * trade words and the words qualifying them, then capitals, labelled
 * words, unknown lower-case words and joiners, then a legal form. A name
 * needs a capital, a labelled word or an unknown word; with strong, one
 * known capitalised word is enough ("chez Renault"). */
static size_t firm_span(const text_scan *s, size_t j, int strong)
{
    size_t r = j, last = j, named = 0, heads = 0, quals = 0, words = 0;
    while (r < s->n && r - j < EMP_MAX_SPAN && (r == j || !s->tok[r].nl)) {
        const text_tok *k = &s->tok[r];
        if (k->kind == TOK_WORD && tok_has_digit(s, r))
            break;
        if (word(s, r) && (emp_word_in(s, r, legal_forms)) && (named || heads) && r > j) {
            r++;
            last = r;
            continue;
        }
        if (s->lab[r] && k->kind == TOK_WORD) {
            int l = s->lab[r];
            if (l != AT_PHI_NOM && l != AT_PHI_PRENOM && l != AT_PHI_VILLE && l != AT_PHI_EMPLOYEUR &&
                l != AT_PHI_HOPITAL && l != AT_PHI_ADRESSE)
                break;
            r++, named++, words++;
            last = r;
            continue;
        }
        if (s->lab[r])
            break;
        if (capital(s, r)) {
            if ((emp_word_in(s, r, firm_heads) || emp_word_in(s, r, admin_heads)) && !named &&
                !emp_word_in(s, r, legal_forms)) {
                heads++; /* "Charbonnages de France": what follows names it */
            } else {
                named += !(k->lex & (LEX_WORD | LEX_MED)) || k->allcaps || strong || heads;
                last = r + 1;
            }
            r++, words++;
            continue;
        }
        if (lower(s, r) && !named &&
            (emp_word_in(s, r, firm_heads) || emp_word_in(s, r, place_heads) ||
             emp_word_in(s, r, admin_heads))) {
            r++, heads++, words++;
            continue;
        }
        /* an administration's adjective after its name ("Marine nationale") */
        if (lower(s, r) && (named || heads) && r > j && emp_word_in(s, r, admin_quals)) {
            r++, words++;
            named += heads > 0 && !named;
            last = r;
            continue;
        }
        if (lower(s, r) && heads && !named && quals < 2 && !joiner(s, r) && (k->lex & LEX_WORD) &&
            !emp_word_in(s, r, stop_words)) {
            r++, quals++, words++; /* "école élémentaire", "cuisine centrale" */
            continue;
        }
        if (heads && !named && r > j && k->kind == TOK_PUNCT &&
            (is_punct(s, r, '"') || (k->e - k->s == 2 && !memcmp(s->t + k->s, "\xC2\xAB", 2)) ||
             (k->e - k->s == 3 && !memcmp(s->t + k->s, "\xE2\x80\x9C", 3)))) {
            r++; /* restaurant « X » */
            continue;
        }
        /* (a person's or a town's word of the lists after a trade's word:
         * "assurances mercier et associés") */
        if ((unknown_lower(s, r) && (heads || named || strong)) ||
            (lower(s, r) && heads && !named && (k->lex & (LEX_FIRST | LEX_LAST | LEX_CITY)) &&
             !(k->lex & (LEX_MED | LEX_KIN | LEX_ORG | LEX_STREET)) && !joiner(s, r) &&
             !emp_word_in(s, r, stop_words) && !(k->dflags & (DICT_MONTH | DICT_TITLE | DICT_CONNECT)))) {
            r++, named++, words++;
            last = r;
            continue;
        }
        if (words && joiner(s, r) && !s->tok[r].nl) {
            r++;
            continue;
        }
        break;
    }
    if (!named)
        return j;
    return last;
}

/* Label the unlabelled tokens of [a, b) as one employer; a labelled word
 * inside keeps its label. An acronym in brackets after it joins it. */
static void mark_firm(text_scan *s, size_t a, size_t b)
{
    /* a common noun in lower case before the name is no part of it
     * ("la société Dufour Frères", "agence de Laxou", as the notes'
     * writers mark them) */
    static const char *const common_heads[] = {"societe",     "ste",      "entreprise", "agence",
                                               "association", "armement", "magasin",    NULL};
    while (a + 1 < b && lower(s, a) && (s->tok[a].dflags & DICT_HEAD) && emp_word_in(s, a, common_heads)) {
        a++;
        while (a + 1 < b && joiner(s, a))
            a++;
    }
    uint32_t e = 0;
    for (size_t q = a; q < b; q++) {
        if (s->lab[q])
            continue;
        if (!e)
            e = ++s->next_ent;
        s->lab[q] = AT_PHI_EMPLOYEUR;
        s->ent[q] = e;
    }
    if (b + 2 < s->n && is_punct(s, b, '(') && is_punct(s, b + 2, ')') && !s->lab[b + 1] &&
        s->tok[b + 1].allcaps && s->tok[b + 1].e - s->tok[b + 1].s <= 6 && !tok_has_digit(s, b + 1) &&
        !(s->tok[b + 1].lex & LEX_MED))
        mark(s, b + 1, b + 2, AT_PHI_EMPLOYEUR);
}

/* Skip, from j, what opens a slot: an opening mark or quote, a
 * determiner or an elided article ("l'", "la", "les", "du"). */
static size_t open_slot(const text_scan *s, size_t j)
{
    for (int n = 0; n < 3 && j < s->n && !s->tok[j].nl; n++) {
        const text_tok *k = &s->tok[j];
        if (k->kind == TOK_PUNCT && (is_punct(s, j, '(') || is_punct(s, j, '"') || is_punct(s, j, '\'')))
            j++;
        else if (k->kind != TOK_WORD && k->e - k->s <= 3 && (unsigned char)s->t[k->s] >= 0x80)
            j++; /* « “ – */
        else if (word(s, j) && !s->tok[j].cap &&
                 (tok_is(s, j, "l'") || tok_is(s, j, "l") || tok_is(s, j, "la") || tok_is(s, j, "le") ||
                  tok_is(s, j, "du")))
            j++;
        else
            break;
    }
    return j;
}

/* The firm after a slot's opening at j: marked when found. */
static int slot(text_scan *s, size_t j, int strong)
{
    j = open_slot(s, j);
    if (j >= s->n || s->tok[j].nl || !word(s, j) ||
        (s->lab[j] && s->lab[j] != AT_PHI_NOM && s->lab[j] != AT_PHI_EMPLOYEUR))
        return 0;
    /* "les serres x": a determiner is part of the name before a trade word */
    size_t a = j;
    if (tok_is(s, j, "les") && emp_word_in(s, j + 1, firm_heads))
        j++;
    size_t r = firm_span(s, j, strong);
    if (r == j)
        return 0;
    mark_firm(s, a, r);
    return 1;
}

/* A trade's word, or a compound with one ("chauffeur-livreur"). */
static int job_word(const char *f, size_t n);

static int trade_word(const text_scan *s, size_t i)
{
    if (!word(s, i))
        return 0;
    if ((s->tok[i].lex & LEX_CUE_EMP) && !emp_word_in(s, i, text_cue_employer_words))
        return 1;
    const char *t = s->t + s->tok[i].s, *h = memchr(t, '-', s->tok[i].e - s->tok[i].s);
    if (!h || s->tok[i].e - s->tok[i].s > 48)
        return 0;
    char f[64];
    size_t parts[2][2] = {{0, (size_t)(h - t)}, {(size_t)(h - t) + 1, s->tok[i].e - s->tok[i].s}};
    for (int p = 0; p < 2; p++) {
        int fl = text_lexicon_fold(t + parts[p][0], parts[p][1] - parts[p][0], f, sizeof f);
        if (fl > 0 && job_word(f, (size_t)fl))
            return 1;
    }
    return 0;
}

/* A trade in lower case (or in a line written in capitals). */
static int trade(const text_scan *s, size_t i)
{
    if (!trade_word(s, i))
        return 0;
    if (s->tok[i].cap && !s->tok[i].allcaps)
        return i == 0 || s->tok[i].nl || is_punct(s, i - 1, ':'); /* "Chauffeur chez", "Profession : Agent" */
    return !s->tok[i].allcaps || (i > 0 && s->tok[i - 1].allcaps) || s->tok[i].nl;
}

/* After a trade at i: "à l'X", "au X", "(X", ", X", "– X", "X" (a firm
 * word or two capitals), past a few words of the trade ("de nuit", "en
 * CDI", "(SVT)", "de maintenance"). */
/* Words of employment itself (not a trade): the firm after them and its
 * preposition is named whatever words it is written with. */
static const char *const employed[] = {
    "employe", "employee", "salarie",  "salariee",  "travaille",   "travaillait", "retraite",  "retraitee",
    "ancien",  "ancienne", "embauche", "embauchee", "travaillant", "licencie",    "licenciee", NULL};
/* (of those, the words a veteran's or a pupil's "du", "des" follows:
 * "ancien du Vietnam", "ancienne des Beaux-Arts") */
static const char *const former[] = {"ancien", "ancienne", NULL};

/* The sets of the file indexed (deid_scan.h), built once: emp_word_in
 * looks a word up by its set's index (deid_tok_in's answer), a set of
 * no index word by word. */
static text_word_index emp_ix[] = {{.set = text_cue_employer_words},
                                   {.set = text_cue_employer_words + EMP_CUES},
                                   {.set = place_heads},
                                   {.set = admin_heads},
                                   {.set = admin_quals},
                                   {.set = legal_forms},
                                   {.set = stop_words},
                                   {.set = employed},
                                   {.set = former}};
static text_word_index job_ix = {.set = text_cue_job_words}; /* (trade_word's parts) */
static pthread_once_t emp_ix_once = PTHREAD_ONCE_INIT;

static void emp_ix_build(void)
{
    for (size_t x = 0; x < sizeof emp_ix / sizeof *emp_ix; x++)
        text_word_index_build(&emp_ix[x]);
    text_word_index_build(&job_ix);
}

/* The folded word f (n >= 1 bytes) is one of text_cue_job_words. */
static int job_word(const char *f, size_t n)
{
    pthread_once(&emp_ix_once, emp_ix_build);
    return text_word_index_has(&job_ix, f, n);
}

static int emp_word_in(const text_scan *s, size_t i, const char *const *set)
{
    if (i >= s->n || s->tok[i].kind != TOK_WORD)
        return 0;
    pthread_once(&emp_ix_once, emp_ix_build);
    for (size_t x = 0; x < sizeof emp_ix / sizeof *emp_ix; x++)
        if (emp_ix[x].set == set)
            return deid_tok_in_index(s, i, &emp_ix[x]);
    return deid_tok_in(s, i, set);
}

static void after_trade(text_scan *s, size_t i)
{
    size_t j = i + 1;
    for (int n = 0; n < 5 && j < s->n && !s->tok[j].nl; n++) {
        if (is_punct(s, j, '-') && lower(s, j + 1)) { /* "chauffeur-livreur" */
            j += 2;
        } else if (is_punct(s, j, '(') && j + 2 < s->n && is_punct(s, j + 2, ')') && s->tok[j + 1].allcaps) {
            j += 3; /* "(SVT)" */
        } else if (lower(s, j) && (s->tok[j].dflags & DICT_CONNECT) && lower(s, j + 1) &&
                   !emp_word_in(s, j + 1, firm_heads) && !emp_word_in(s, j + 1, place_heads) &&
                   !tok_is(s, j + 1, "la") && !tok_is(s, j + 1, "l'") && !tok_is(s, j + 1, "l") &&
                   !tok_is(s, j + 1, "le")) {
            j += 2; /* "de nuit", "de maintenance" */
        } else if (tok_is(s, j, "en") && (word(s, j + 1)) && !s->tok[j + 1].cap) {
            j += 2; /* "en CDI", "en conserverie" */
        } else {
            break;
        }
    }
    if (j >= s->n || s->tok[j].nl)
        return;
    if (tok_is(s, j, "chez") || tok_is(s, j, "employeur"))
        return; /* the cue's own */
    size_t k = j;
    int prep = 0;
    if (tok_is(s, j, "au") || tok_is(s, j, "aux") || tok_is(s, j, "pour") || tok_is(s, j, "at") ||
        tok_is(s, j, "for") || tok_is(s, j, "by")) {
        k = j + 1, prep = 1;
    } else if ((tok_is(s, j, "\xC3\xA0") || tok_is(s, j, "a") || tok_is(s, j, "de")) && j + 1 < s->n &&
               (tok_is(s, j + 1, "l'") || tok_is(s, j + 1, "l") || tok_is(s, j + 1, "la"))) {
        k = j + 1, prep = 1;
    } else if (tok_is(s, j, "de") && emp_word_in(s, i, employed) && j + 1 < s->n && !s->tok[j + 1].nl &&
               s->tok[j + 1].allcaps && !s->lab[j + 1]) {
        k = j + 1, prep = 1; /* "ancien de MBDA", "retraité de EDF" */
    } else if ((tok_is(s, j, "de") || tok_is(s, j, "des") || tok_is(s, j, "du")) &&
               emp_word_in(s, i, employed) && !emp_word_in(s, i, former) && j + 1 < s->n &&
               !s->tok[j + 1].nl && !s->lab[j + 1] &&
               (emp_word_in(s, j + 1, firm_heads) ||
                (capital(s, j + 1) && !s->tok[j + 1].allcaps &&
                 !(s->tok[j + 1].lex & (LEX_CITY | LEX_PLACE | LEX_EPONYM | LEX_MED | LEX_FIRST))))) {
        k = j + 1, prep = 1; /* "salarié des Tonnelleries X", "licencié de brasseries x" */
    } else if (is_punct(s, j, '(') || is_punct(s, j, ',') || is_punct(s, j, '-') ||
               (s->tok[j].kind == TOK_PUNCT && (unsigned char)s->t[s->tok[j].s] >= 0x80)) {
        k = j + 1, prep = 2;
    }
    size_t o = open_slot(s, k);
    if (o >= s->n || s->tok[o].nl || s->lab[o])
        return;
    int head =
        emp_word_in(s, o, firm_heads) || emp_word_in(s, o, place_heads) || emp_word_in(s, o, admin_heads);
    if (!prep || (s->tok[o].dflags & (DICT_IDLABEL | DICT_TITLE | DICT_FIELD | DICT_ROLE | DICT_MONTH)))
        return; /* a firm word heads its name itself; a label, a title is none */
    /* a word of employment and its preposition say the firm: "employée
     * de La Poste", "retraité de la SNCF", "travaille à la sncf" (in lower
     * case, a word of no list) */
    int strong = prep == 1 && emp_word_in(s, i, employed) && !head && !s->tok[i].allcaps &&
                 ((capital(s, o) && !(s->tok[o].lex & (LEX_EPONYM | LEX_CITY)) &&
                   !(s->tok[o].dflags & (DICT_CITY | DICT_HOSP))) ||
                  unknown_lower(s, o));
    if (strong) {
        slot(s, k, 1);
        return;
    }
    if (!head) {
        const text_tok *w = &s->tok[o];
        /* (a word the model learned as safe from one writer's note is no
         * medical word here: "Pompier de la BSPP") */
        if (!capital(s, o) || (w->lex & LEX_EPONYM) || ((w->lex & LEX_MED) && !(w->lex & LEX_LEARNED)))
            return;
        /* in a line of capitals, a word of the language is no name (an
         * acronym after a trade in lower case is: "retraité de la SNCF") */
        if (w->allcaps && (w->lex & LEX_WORD) && s->tok[i].allcaps)
            return;
        /* "l'infirmière (Klervi)": a first name alone is a person's */
        if (prep == 2 && (w->lex & (LEX_FIRST | LEX_LAST)) && !capital(s, o + 1) && !s->lab[o + 1])
            return;
    }
    slot(s, k, 0);
}

/* An employer cue or a trade at token i (a word of text_cue_employer_words
 * or text_cue_job_words): the firm it names, when there is one. */
static void legal_form_at(text_scan *s, size_t i);

void deid_employer_at(text_scan *s, size_t i)
{
    if (s->lab[i])
        return;
    if (emp_word_in(s, i, legal_forms)) {
        legal_form_at(s, i); /* (never a head: "SAS X" is too rare) */
        return;
    }
    if (emp_word_in(s, i, firm_heads)) {
        /* a form's field: "Société : X", "Entreprise : X" */
        if ((tok_is(s, i, "soci\xC3\xA9t\xC3\xA9") || tok_is(s, i, "societe") ||
             tok_is(s, i, "entreprise")) &&
            s->tok[i].cap && is_punct(s, i + 1, ':') &&
            (i == 0 || s->tok[i].nl || s->tok[i - 1].kind == TOK_PUNCT)) {
            slot(s, i + 2, 1);
            return;
        }
        /* "l'entreprise X", "au restaurant X", "Transports X": the word
         * heads the name when capitals follow */
        size_t r = firm_span(s, i, 0);
        size_t o = open_slot(s, i + 1);
        if (!s->tok[i].cap && o + 1 < s->n && (s->tok[o].dflags & DICT_CONNECT) && !s->tok[o].nl &&
            (capital(s, o + 1) || s->lab[o + 1]) && work_before(s, i))
            o++; /* "employée à la mairie de X" */
        /* (a short acronym alone is a department's: "pharmacie PUI") */
        if (r > o && o < s->n && !s->tok[o].nl && (capital(s, o) || unknown_lower(s, o) || s->lab[o]) &&
            !(r == o + 1 && s->tok[o].allcaps && s->tok[o].e - s->tok[o].s <= 4))
            mark_firm(s, i, r);
        return;
    }
    if (trade(s, i)) {
        after_trade(s, i);
        return;
    }
    if (!emp_word_in(s, i, text_cue_employer_words))
        return;
    size_t j = i + 1;
    if (tok_is(s, i, "sociale") && !(i > 0 && tok_is(s, i - 1, "raison")))
        return;
    if (tok_is(s, i, "employeur") || tok_is(s, i, "employer") || tok_is(s, i, "sociale")) {
        /* "Employeur déclaré : X", "employeur du patient (...) : X" */
        size_t c = j;
        while (c < s->n && c - j < 12 && !s->tok[c].nl && !is_punct(s, c, ':') && !capital(s, c))
            c++;
        if (is_punct(s, c, ':'))
            j = c + 1;
        else
            while (j < s->n && j - i <= 3 && lower(s, j) && !emp_word_in(s, j, firm_heads) &&
                   !unknown_lower(s, j))
                j++;
        if (is_punct(s, j, ',') || is_punct(s, j, '-'))
            j++;
        /* "Employeur : chauffeur-livreur, Transports X" */
        for (int n = 0; n < 4 && word(s, j) && !s->tok[j].cap && trade_word(s, j); n++) {
            j++;
            while (is_punct(s, j, '-') || is_punct(s, j, ','))
                j++;
            if (lower(s, j) && (s->tok[j].lex & LEX_WORD) && !emp_word_in(s, j, firm_heads) &&
                !unknown_lower(s, j))
                j++;
            while (is_punct(s, j, '-') || is_punct(s, j, ','))
                j++;
        }
        slot(s, j, 1);
        return;
    }
    if (tok_is(s, i, "chez")) {
        /* "chez X": strong after a trade or a word of work before it on
         * the line; in lower case only then */
        int work = 0;
        for (size_t p = i; p > 0 && i - p < 8 && !s->tok[p].nl && !work; p--)
            work = (s->tok[p - 1].lex & LEX_CUE_EMP) != 0;
        size_t o = open_slot(s, j);
        if (o < s->n && !s->tok[o].nl && !s->lab[o] && lower(s, o) && !work)
            return;
        if (o < s->n && (s->tok[o].dflags & (DICT_TITLE | DICT_HOSP)))
            return;
        slot(s, j, work);
        return;
    }
    /* "works at", "employed by" */
    if (tok_is(s, i, "works") || tok_is(s, i, "worked") || tok_is(s, i, "employed")) {
        for (size_t p = j; p < s->n && p - j < 6 && !s->tok[p].nl; p++)
            if (tok_is(s, p, "at") || tok_is(s, p, "for") || tok_is(s, p, "by")) {
                slot(s, p + 1, 0);
                return;
            }
        return;
    }
    slot(s, j, 0);
}

/* Work said before a place at i, on its line or the line before
 * ("agent d'accueil au service de la\nmairie de X"). */
static int work_before(const text_scan *s, size_t i)
{
    int lines = 0;
    for (size_t p = i; p > 0 && i - p < 14 && lines < 2; p--) {
        lines += s->tok[p].nl != 0;
        if (trade_word(s, p - 1) || tok_is(s, p - 1, "chez") || tok_is(s, p - 1, "employeur"))
            return 1;
    }
    return 0;
}

/* Compounds no list holds, from the list of unknown lower-case words: a
 * trade in a compound before its firm ("aide-cuisinière à la cuisine
 * X", "ex-professeure ... à l'école X"), a former firm ("ex-Transports
 * X": the whole word goes, its firm inside it). */
static void employer_compounds(text_scan *s)
{
    for (size_t q = 0; q < s->nlist[TEXT_LIST_ODD]; q++) {
        size_t i = s->list[TEXT_LIST_ODD][q];
        const text_tok *k = &s->tok[i];
        if (s->lab[i] || k->kind != TOK_WORD || k->e - k->s < 5 || !memchr(s->t + k->s, '-', k->e - k->s))
            continue;
        const char *t = s->t + k->s;
        if ((t[0] == 'e' || t[0] == 'E') && t[1] == 'x' && t[2] == '-' && t[3] >= 'A' && t[3] <= 'Z') {
            size_t r = firm_span(s, i + 1, 1);
            mark_firm(s, i, r > i + 1 ? r : i + 1);
        } else if (trade_word(s, i)) {
            after_trade(s, i);
        }
    }
}

/* A legal form at i after a capitalised name names a firm wherever it
 * stands ("X Y SARL"); "& Fils" only extends a firm found otherwise. */
static void legal_form_at(text_scan *s, size_t i)
{
    if (i < 2 || s->tok[i].nl)
        return;
    if (!s->tok[i].allcaps)
        return;
    size_t a = i;
    while (a > 0 && i - a < 6 && !s->tok[a].nl &&
           (capital(s, a - 1) || (a < i && joiner(s, a - 1) && a - 1 > 0)))
        a--;
    while (a < i && joiner(s, a))
        a++;
    /* a word in Title case and none of medicine ("HTA SAS" is no firm) */
    int title = 0, med = 0;
    for (size_t q = a; q < i; q++) {
        title |= s->tok[q].cap && !s->tok[q].allcaps;
        med |= (s->tok[q].lex & (LEX_MED | LEX_EPONYM)) != 0;
    }
    if (a < i && title && !med)
        mark_firm(s, a, i + 1);
}

/* The compounds (above), after the cues and trades. */
void deid_pass_employers(text_scan *s)
{
    employer_compounds(s);
}

/* After the tagger: a firm or an establishment it named with nothing but
 * the words that head or describe one ("Institut National", "Centre
 * Hospitalier") names none; the entities the rules found (ids up to
 * rules_ent) stand. Found from their head. */
void deid_pass_firm_check(text_scan *s, uint32_t rules_ent)
{
    if (s->next_ent == rules_ent)
        return;
    /* from the heads of establishments (the tokeniser's list) */
    for (size_t o = 0; o < s->nlist[TEXT_LIST_ORG]; o++) {
        size_t h = s->list[TEXT_LIST_ORG][o];
        if (!s->lab[h] || s->ent[h] <= rules_ent ||
            (s->lab[h] != AT_PHI_EMPLOYEUR && s->lab[h] != AT_PHI_HOPITAL))
            continue;
        size_t i = h, j = h + 1;
        while (i > 0 && s->lab[i - 1] && s->ent[i - 1] == s->ent[h])
            i--;
        while (j < s->n && s->lab[j] && s->ent[j] == s->ent[h])
            j++;
        int named = 0;
        for (size_t q = i; q < j && !named; q++) {
            const text_tok *k = &s->tok[q];
            named = k->kind == TOK_WORD &&
                    !(k->dflags & (DICT_DESCR | DICT_HEAD | DICT_CONNECT | DICT_HOSPQUAL)) &&
                    !(k->lex & LEX_ORG) && !joiner(s, q);
        }
        for (size_t q = i; q < j && !named; q++) {
            s->lab[q] = 0;
            s->ent[q] = 0;
        }
    }
}
