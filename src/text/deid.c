/* The de-identifier's life cycle: dictionaries (data/text plus the built-in
 * trigger words) and the date shift (the patient's identity is in
 * deid_patient.c). */
#include "deid_internal.h"
#include "tagger.h"

#include "atelier/text_model.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *word;
    unsigned flags;
    int value;
} builtin_word;

static const builtin_word builtins[] = {
    {"m", DICT_TITLE, 0},
    {"mr", DICT_TITLE, 0},
    {"mme", DICT_TITLE, 0},
    {"mlle", DICT_TITLE, 0},
    {"monsieur", DICT_TITLE, 0},
    {"madame", DICT_TITLE, 0},
    {"mademoiselle", DICT_TITLE, 0},
    {"dr", DICT_TITLE, 0},
    {"drs", DICT_TITLE, 0},
    {"prs", DICT_TITLE, 0},
    {"mmes", DICT_TITLE, 0},
    {"docteurs", DICT_TITLE, 0},
    {"docteur", DICT_TITLE, 0},
    {"pr", DICT_TITLE, 0},
    {"professeur", DICT_TITLE, 0},
    {"epouse", DICT_TITLE, 0},
    {"ep", DICT_TITLE, 0},
    {"veuve", DICT_TITLE, 0},
    {"vve", DICT_TITLE, 0},
    {"ne", DICT_BIRTH, 0},
    {"nee", DICT_BIRTH, 0},
    {"naissance", DICT_BIRTH, 0},
    {"ddn", DICT_BIRTH, 0},
    {"demeurant", DICT_RESID, 0},
    {"domicilie", DICT_RESID, 0},
    {"domiciliee", DICT_RESID, 0},
    {"habite", DICT_RESID, 0},
    {"residant", DICT_RESID, 0},
    {"residante", DICT_RESID, 0},
    {"originaire", DICT_RESID, 0},
    {"vit", DICT_RESID, 0},
    {"exercant", DICT_RESID, 0},
    {"hopital", DICT_HOSP, 0},
    {"chu", DICT_HOSP, 0},
    {"chr", DICT_HOSP, 0},
    {"chru", DICT_HOSP, 0},
    {"ch", DICT_HOSP, 0},
    {"clinique", DICT_HOSP, 0},
    {"polyclinique", DICT_HOSP, 0},
    {"institut", DICT_HOSP, 0},
    {"centre", DICT_HOSP, 0},
    {"groupe", DICT_HOSP, 0},
    {"gh", DICT_HOSP, 0},
    {"hospitalier", DICT_HOSPQUAL, 0},
    {"hospitaliere", DICT_HOSPQUAL, 0},
    {"hospitalo-universitaire", DICT_HOSPQUAL, 0},
    {"universitaire", DICT_HOSPQUAL, 0},
    {"regional", DICT_HOSPQUAL, 0},
    {"prive", DICT_HOSPQUAL, 0},
    {"privee", DICT_HOSPQUAL, 0},
    {"intercommunal", DICT_HOSPQUAL, 0},
    {"general", DICT_HOSPQUAL, 0},
    {"mutualiste", DICT_HOSPQUAL, 0},
    {"rue", DICT_STREET, 0},
    {"avenue", DICT_STREET, 0},
    {"av", DICT_STREET, 0},
    {"bd", DICT_STREET, 0},
    {"boulevard", DICT_STREET, 0},
    {"allee", DICT_STREET, 0},
    {"allees", DICT_STREET, 0},
    {"pl", DICT_STREET, 0},
    {"imp", DICT_STREET, 0},
    {"chemin", DICT_STREET, 0},
    {"place", DICT_STREET, 0},
    {"impasse", DICT_STREET, 0},
    {"route", DICT_STREET, 0},
    {"quai", DICT_STREET, 0},
    {"cours", DICT_STREET, 0},
    {"square", DICT_STREET, 0},
    {"residence", DICT_STREET, 0},
    {"lotissement", DICT_STREET, 0},
    {"lieu-dit", DICT_STREET, 0},
    {"chaussee", DICT_STREET, 0},
    {"passage", DICT_STREET, 0},
    {"rond-point", DICT_STREET, 0},
    {"hameau", DICT_STREET, 0},
    {"hent", DICT_STREET, 0},
    {"straed", DICT_STREET, 0},
    {"traverse", DICT_STREET, 0},
    {"montee", DICT_STREET, 0},
    {"sentier", DICT_STREET, 0},
    {"venelle", DICT_STREET, 0},
    {"sente", DICT_STREET, 0},
    {"carrefour", DICT_STREET, 0},
    {"ruelle", DICT_STREET, 0},
    {"parvis", DICT_STREET, 0},
    {"esplanade", DICT_STREET, 0},
    {"promenade", DICT_STREET, 0},
    {"faubourg", DICT_STREET, 0},
    {"fbg", DICT_STREET, 0},
    {"cite", DICT_STREET, 0},
    {"clos", DICT_STREET, 0},
    {"villa", DICT_STREET, 0},
    {"maladie", DICT_EPOTRIG, 0},
    {"syndrome", DICT_EPOTRIG, 0},
    {"score", DICT_EPOTRIG, 0},
    {"signe", DICT_EPOTRIG, 0},
    {"classification", DICT_EPOTRIG, 0},
    {"stade", DICT_EPOTRIG, 0},
    {"indice", DICT_EPOTRIG, 0},
    {"index", DICT_EPOTRIG, 0},
    {"test", DICT_EPOTRIG, 0},
    {"echelle", DICT_EPOTRIG, 0},
    {"criteres", DICT_EPOTRIG, 0},
    {"intervention", DICT_EPOTRIG, 0},
    {"operation", DICT_EPOTRIG, 0},
    {"procedure", DICT_EPOTRIG, 0},
    {"sarcome", DICT_EPOTRIG, 0},
    {"lymphome", DICT_EPOTRIG, 0},
    {"tumeur", DICT_EPOTRIG, 0},
    {"formule", DICT_EPOTRIG, 0},
    {"gangrene", DICT_EPOTRIG, 0},
    {"manoeuvre", DICT_EPOTRIG, 0},
    {"triade", DICT_EPOTRIG, 0},
    /* devices, techniques and anatomy named after people: "drain de Redon",
     * "sonde de Swan-Ganz", "ganglion de Virchow", "espace de Retzius" */
    {"drain", DICT_EPOTRIG, 0},
    {"drains", DICT_EPOTRIG, 0},
    {"lame", DICT_EPOTRIG, 0},
    {"sonde", DICT_EPOTRIG, 0},
    {"solution", DICT_EPOTRIG, 0},
    {"catheter", DICT_EPOTRIG, 0},
    {"canule", DICT_EPOTRIG, 0},
    {"aiguille", DICT_EPOTRIG, 0},
    {"pince", DICT_EPOTRIG, 0},
    {"valve", DICT_EPOTRIG, 0},
    {"attelle", DICT_EPOTRIG, 0},
    {"technique", DICT_EPOTRIG, 0},
    {"incision", DICT_EPOTRIG, 0},
    {"anastomose", DICT_EPOTRIG, 0},
    {"reflexe", DICT_EPOTRIG, 0},
    {"coloration", DICT_EPOTRIG, 0},
    {"classification", DICT_EPOTRIG, 0},
    {"grade", DICT_EPOTRIG, 0},
    {"ganglion", DICT_EPOTRIG, 0},
    {"canal", DICT_EPOTRIG, 0},
    {"espace", DICT_EPOTRIG, 0},
    {"ligament", DICT_EPOTRIG, 0},
    {"fascia", DICT_EPOTRIG, 0},
    {"sphincter", DICT_EPOTRIG, 0},
    {"ampoule", DICT_EPOTRIG, 0},
    {"cellules", DICT_EPOTRIG, 0},
    {"fracture", DICT_EPOTRIG, 0},
    {"hernie", DICT_EPOTRIG, 0},
    {"diverticule", DICT_EPOTRIG, 0},
    {"carcinome", DICT_EPOTRIG, 0},
    {"abord", DICT_EPOTRIG, 0},
    {"position", DICT_EPOTRIG, 0},
    {"critere", DICT_EPOTRIG, 0},
    {"phenomene", DICT_EPOTRIG, 0},
    {"loi", DICT_EPOTRIG, 0},
    {"regime", DICT_EPOTRIG, 0},
    {"modele", DICT_EPOTRIG, 0},
    {"plan", DICT_EPOTRIG, 0},
    {"selon", DICT_EPOTRIG, 0},
    /* instruments, anatomy and course named after a person (round 7) */
    {"ecarteur", DICT_EPOTRIG, 0},
    {"broche", DICT_EPOTRIG, 0},
    {"broches", DICT_EPOTRIG, 0},
    {"loge", DICT_EPOTRIG, 0},
    {"nodule", DICT_EPOTRIG, 0},
    {"transformation", DICT_EPOTRIG, 0},
    {"virus", DICT_EPOTRIG, 0},
    {"lambeau", DICT_EPOTRIG, 0},
    {"triangle", DICT_EPOTRIG, 0},
    {"trigone", DICT_EPOTRIG, 0},
    {"procede", DICT_EPOTRIG, 0},
    {"trocart", DICT_EPOTRIG, 0},
    {"cure", DICT_EPOTRIG, 0},
    {"kyste", DICT_EPOTRIG, 0},
    {"ulcere", DICT_EPOTRIG, 0},
    {"tubercule", DICT_EPOTRIG, 0},
    {"nerf", DICT_EPOTRIG, 0},
    {"glande", DICT_EPOTRIG, 0},
    {"pli", DICT_EPOTRIG, 0},
    {"fosse", DICT_EPOTRIG, 0},
    {"angle", DICT_EPOTRIG, 0},
    {"ilots", DICT_EPOTRIG, 0},
    {"cellule", DICT_EPOTRIG, 0},
    {"crise", DICT_EPOTRIG, 0},
    {"reaction", DICT_EPOTRIG, 0},
    {"salle", DICT_EPOTRIG, 0},
    {"pavillon", DICT_EPOTRIG, 0},
    {"methode", DICT_EPOTRIG, 0},
    {"protocole", DICT_EPOTRIG, 0},
    {"essai", DICT_EPOTRIG, 0},
    {"etude", DICT_EPOTRIG, 0},
    {"ipp", DICT_IDLABEL, AT_PHI_IPP},
    {"nip", DICT_IDLABEL, AT_PHI_IPP},
    {"nda", DICT_IDLABEL, AT_PHI_NDA},
    {"sejour", DICT_IDLABEL, AT_PHI_NDA},
    {"venue", DICT_IDLABEL, AT_PHI_NDA},
    {"rpps", DICT_IDLABEL, AT_PHI_RPPS},
    {"adeli", DICT_IDLABEL, AT_PHI_RPPS},
    {"finess", DICT_IDLABEL, AT_PHI_FINESS},
    {"nir", DICT_IDLABEL, AT_PHI_SECU},
    {"ss", DICT_IDLABEL, AT_PHI_SECU},
    {"secu", DICT_IDLABEL, AT_PHI_SECU},
    {"sociale", DICT_IDLABEL, AT_PHI_SECU},
    {"insee", DICT_IDLABEL, AT_PHI_SECU},
    {"nom", DICT_FIELD, 2},
    {"prenom", DICT_FIELD, 3},
    {"prenoms", DICT_FIELD, 3},
    {"patient", DICT_FIELD, 1},
    {"patiente", DICT_FIELD, 1},
    {"medecin", DICT_FIELD, 1},
    {"interne", DICT_FIELD, 1},
    {"ide", DICT_FIELD, 1},
    {"infirmier", DICT_FIELD, 1},
    {"infirmiere", DICT_FIELD, 1},
    {"redige", DICT_FIELD, 1},
    {"signe", DICT_FIELD, 1},
    {"valide", DICT_FIELD, 1},
    {"destinataire", DICT_FIELD, 1},
    {"copie", DICT_FIELD, 1},
    {"correspondant", DICT_FIELD, 1},
    {"oncologue", DICT_FIELD, 1},
    {"chirurgien", DICT_FIELD, 1},
    {"radiotherapeute", DICT_FIELD, 1},
    {"pharmacien", DICT_FIELD, 1},
    {"prescripteur", DICT_FIELD, 1},
    {"contact", DICT_FIELD, 1},
    {"personne", DICT_FIELD, 1},
    {"ide", DICT_ROLE, 0},
    {"interne", DICT_ROLE, 0},
    {"externe", DICT_ROLE, 0},
    {"infirmier", DICT_ROLE, 0},
    {"infirmiere", DICT_ROLE, 0},
    {"cadre", DICT_ROLE, 0},
    {"secretaire", DICT_ROLE, 0},
    {"aide-soignant", DICT_ROLE, 0},
    {"aide-soignante", DICT_ROLE, 0},
    {"psychologue", DICT_ROLE, 0},
    {"dieteticien", DICT_ROLE, 0},
    {"dieteticienne", DICT_ROLE, 0},
    {"kinesitherapeute", DICT_ROLE, 0},
    {"pharmacien", DICT_ROLE, 0},
    {"pharmacienne", DICT_ROLE, 0},
    {"assistante", DICT_ROLE, 0},
    {"ipa", DICT_ROLE, 0},
    {"manipulateur", DICT_ROLE, 0},
    {"manipulatrice", DICT_ROLE, 0},
    {"ibode", DICT_ROLE, 0},
    {"iade", DICT_ROLE, 0},
    {"referente", DICT_ROLE, 0},
    {"referent", DICT_ROLE, 0},
    {"coordinatrice", DICT_ROLE, 0},
    {"coordinateur", DICT_ROLE, 0},
    {"cca", DICT_ROLE, 0},
    {"idec", DICT_ROLE, 0},
    {"idel", DICT_ROLE, 0},
    {"arc", DICT_ROLE, 0},
    {"tec", DICT_ROLE, 0},
    {"ash", DICT_ROLE, 0},
    {"cds", DICT_ROLE, 0},
    {"aes", DICT_ROLE, 0},
    {"ioa", DICT_ROLE, 0},
    {"ph", DICT_ROLE, 0},
    {"merm", DICT_ROLE, 0},
    {"anesth", DICT_FIELD, 1},
    {"adresseur", DICT_FIELD, 1},
    {"psychologue", DICT_FIELD, 1},
    {"ibode", DICT_FIELD, 1},
    {"aide", DICT_FIELD, 1},
    {"anesthesiste", DICT_FIELD, 1},
    {"operateur", DICT_FIELD, 1},
    {"internes", DICT_FIELD, 3},
    {"presents", DICT_FIELD, 1},
    {"referent", DICT_FIELD, 1},
    {"initiales", DICT_FIELD, 1},
    {"defunt", DICT_FIELD, 1},
    {"defunte", DICT_FIELD, 1},
    {"usager", DICT_FIELD, 1},
    {"usagere", DICT_FIELD, 1},
    {"beneficiaire", DICT_FIELD, 1},
    {"assure", DICT_FIELD, 1},
    {"assuree", DICT_FIELD, 1},
    {"receveur", DICT_FIELD, 1},
    {"donneur", DICT_FIELD, 1},
    {"donneuse", DICT_FIELD, 1},
    {"eleve", DICT_FIELD, 1},
    {"resident", DICT_FIELD, 1},
    {"residente", DICT_FIELD, 1},
    {"notificateur", DICT_FIELD, 1},
    {"investigateur", DICT_FIELD, 1},
    {"preleveur", DICT_FIELD, 1},
    {"demandeur", DICT_FIELD, 1},
    {"appelant", DICT_FIELD, 1},
    {"appelante", DICT_FIELD, 1},
    {"signataire", DICT_FIELD, 1},
    {"titulaire", DICT_FIELD, 1},
    {"temoin", DICT_FIELD, 1},
    {"aidant", DICT_FIELD, 1},
    {"aidante", DICT_FIELD, 1},
    {"interlocuteur", DICT_FIELD, 1},
    {"moniteur", DICT_FIELD, 1},
    {"arc", DICT_FIELD, 1},
    {"redacteur", DICT_FIELD, 1},
    {"medecins", DICT_FIELD, 1},
    {"participants", DICT_FIELD, 1},
    {"auteur", DICT_FIELD, 1},
    {"cabinet", DICT_HOSP, 0},
    {"laboratoire", DICT_HOSP, 0},
    {"ehpad", DICT_HOSP, 0},
    {"had", DICT_HOSP, 0},
    {"ssr", DICT_HOSP, 0},
    {"usld", DICT_HOSP, 0},
    {"polyclinique", DICT_HOSP, 0},
    {"imagerie", DICT_HOSP, 0},
    {"le", DICT_PARTICLE | DICT_CONNECT, 0},
    {"la", DICT_PARTICLE | DICT_CONNECT, 0},
    {"da", DICT_PARTICLE, 0},
    {"de", DICT_PARTICLE | DICT_CONNECT, 0},
    {"dos", DICT_PARTICLE, 0},
    {"van", DICT_PARTICLE, 0},
    {"von", DICT_PARTICLE, 0},
    {"du", DICT_PARTICLE | DICT_CONNECT, 0},
    {"des", DICT_PARTICLE | DICT_CONNECT, 0},
    {"der", DICT_PARTICLE, 0},
    {"den", DICT_PARTICLE, 0},
    {"ter", DICT_PARTICLE, 0},
    {"di", DICT_PARTICLE, 0},
    {"del", DICT_PARTICLE, 0},
    {"della", DICT_PARTICLE, 0},
    {"das", DICT_PARTICLE, 0},
    {"do", DICT_PARTICLE, 0},
    {"i", DICT_PARTICLE, 0},   /* "Puig i Ferrer" */
    {"ait", DICT_PARTICLE, 0}, /* "Aït Ouarab" */
    {"ben", DICT_PARTICLE, 0},
    {"bin", DICT_PARTICLE, 0},
    {"el", DICT_PARTICLE, 0},
    {"ould", DICT_PARTICLE, 0},
    {"les", DICT_CONNECT, 0},
    {"l", DICT_CONNECT, 0},
    {"d", DICT_CONNECT, 0},
    {"sur", DICT_CONNECT, 0},
    {"sous", DICT_CONNECT, 0},
    {"en", DICT_CONNECT, 0},
    {"lez", DICT_CONNECT, 0},
    {"et", DICT_CONNECT, 0},
};

static const char *const month_words[] = {
    "janvier", "fevrier",   "mars",    "avril",    "mai",      "juin", "juillet",
    "aout",    "septembre", "octobre", "novembre", "decembre", "janv", "fevr",
    "fev",     "avr",       "juil",    "sept",     "oct",      "nov",  "dec"};

int text_fold_word(const char *s, size_t n, char *out, size_t cap)
{
    int fl = at_text_fold(s, n, out, cap);
    if (fl < 0 || !memchr(out, 0xE2, (size_t)fl))
        return fl;
    size_t o = 0;
    for (size_t i = 0; i < (size_t)fl; i++) {
        if (i + 2 < (size_t)fl && !memcmp(out + i, "\xE2\x80\x99", 3)) {
            out[o++] = '\'';
            i += 2;
        } else {
            out[o++] = out[i];
        }
    }
    out[o] = 0;
    return (int)o;
}

static at_status add_word(at_text_deid *dd, const char *w, unsigned flags, int value)
{
    char f[128];
    int n = at_text_fold(w, strlen(w), f, sizeof f);
    if (n <= 0)
        return at_error_set(AT_ERR_ARG, "dictionary word too long");
    dd->lower_mask[(unsigned char)f[0]] |= n < 31 ? 1u << n : 1u << 31;
    return text_dict_add(&dd->dict, f, (size_t)n, flags, value);
}

uint64_t deid_look_gen_next(void)
{
    static atomic_uint_fast64_t gen;
    return (uint64_t)atomic_fetch_add(&gen, 1) + 1;
}

at_status at_text_deid_new(const char *dict_dir, at_text_deid **out)
{
    *out = NULL;
    at_text_deid *d = at_calloc(1, sizeof *d);
    if (!d)
        return AT_ERR_NOMEM;
    at_status st = text_dict_init(&d->dict, 1u << 14);
    if (!st)
        st = text_dict_init(&d->patdict, 64);
    static const struct {
        const char *file;
        unsigned flags;
    } files[] = {{"prenoms.txt", DICT_FIRST},
                 {"noms.txt", DICT_LAST},
                 {"communes.txt", DICT_CITY},
                 {"mots_communs.txt", DICT_COMMON},
                 {"eponymes.txt", DICT_EPONYM}};
    char *installed = NULL; /* the data installed beside the program */
    if (!st && !dict_dir)
        st = at_data_path("text", &installed);
    const char *dir = dict_dir ? dict_dir : installed;
    for (size_t i = 0; i < sizeof files / sizeof *files && !st; i++) {
        char *path = at_path_join(dir, files[i].file);
        if (!path)
            st = AT_ERR_NOMEM;
        else
            st = text_dict_load_file(&d->dict, path, files[i].flags);
        at_free(path);
    }
    for (size_t i = 0; i < sizeof builtins / sizeof *builtins && !st; i++)
        st = add_word(d, builtins[i].word, builtins[i].flags, builtins[i].value);
    for (size_t i = 0; text_org_heads[i].w && !st; i++) {
        if (text_org_heads[i].caps) {
            /* no lower-case look-up: not in the tokeniser's mask */
            char f[128];
            int n = at_text_fold(text_org_heads[i].w, strlen(text_org_heads[i].w), f, sizeof f);
            st = n > 0 ? text_dict_add(&d->dict, f, (size_t)n, DICT_HEAD, (int)i + 1) : AT_ERR_ARG;
        } else {
            st = add_word(d, text_org_heads[i].w, DICT_HEAD, (int)i + 1);
        }
    }
    for (size_t i = 0; text_org_descriptors[i] && !st; i++)
        st = add_word(d, text_org_descriptors[i], DICT_DESCR, 0);
    for (size_t i = 0; text_notid_words[i] && !st; i++)
        st = add_word(d, text_notid_words[i], DICT_NOTID, 0);
    for (size_t i = 0; text_greetings[i] && !st; i++)
        st = add_word(d, text_greetings[i], DICT_GREET, 0);
    for (size_t i = 0; i < sizeof month_words / sizeof *month_words && !st; i++)
        st = add_word(d, month_words[i], DICT_MONTH, text_month_of(month_words[i], strlen(month_words[i])));
    if (!st)
        st = text_dict_compact(&d->dict); /* small enough to stay in cache */
    if (!st)
        st = text_lexicon_load(dir, &d->lex);
    d->allow_list = 1;
    deid_known_employer_keys(d->employer_keys, d->employer_fh);
    deid_region_keys(d->region_keys);
    if (!st) {
        /* the default tagger model ships in data/text; without it the rules
         * and the allow-list run alone */
        char *path = at_path_join(dir, AT_TEXT_TAGGER_DEFAULT);
        if (!path)
            st = AT_ERR_NOMEM;
        else if (access(path, F_OK) == 0)
            st = text_tagger_load(path, &d->tagger);
        at_free(path);
    }
    at_free(installed); /* dir, when it was NULL: used by the lexicon and the model above */
    d->look_gen = deid_look_gen_next();
    if (st) {
        at_text_deid_free(d);
        return st;
    }
    *out = d;
    return AT_OK;
}

void at_text_deid_free(at_text_deid *d)
{
    if (!d)
        return;
    text_dict_free(&d->dict);
    text_dict_free(&d->patdict);
    text_lexicon_free(&d->lex);
    text_tagger_free(d->tagger);
    text_run_words_free(d->run);
    at_free(d);
}

at_status at_text_deid_set_model(at_text_deid *d, const char *path)
{
    text_tagger *t = NULL;
    if (path) {
        at_status st = text_tagger_load(path, &t);
        if (st)
            return st;
    }
    text_tagger_free(d->tagger);
    d->tagger = t;
    d->look_gen = deid_look_gen_next(); /* the learned words changed */
    return AT_OK;
}

void at_text_deid_set_allow_list(at_text_deid *d, int on)
{
    d->allow_list = on != 0;
}

int at_text_deid_has_model(const at_text_deid *d)
{
    return d->tagger != NULL;
}

int at_text_date_shift_days(const at_key *key, const char *patient_id)
{
    unsigned char h[16];
    const char *id = patient_id ? patient_id : "";
    at_keyed_hash(key, "atelier-text-date-shift", id, strlen(id), h, sizeof h);
    uint32_t v = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    int days = (int)(v % 730) - 365; /* [-365, 364] */
    return days >= 0 ? days + 1 : days;
}
