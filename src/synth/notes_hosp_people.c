/* People, places and employers named in passing, put together from parts
 * rather than from a few fixed sentences: a relation or a role (about 40
 * relatives, 35 staff roles, each in its gender), a frame (the relation
 * before the first name, the name before the relation in parentheses, a
 * field label and a colon, a list, a greeting, no cue at all, the name
 * opening a sentence) and what follows (a town after "à", "de" or in
 * parentheses, in lower case too; an employer after a job word). So the
 * tagger trained on these notes learns the kinds of context a name has,
 * not a handful of sentences. Hand-written for atelier (issue #12, round 4). */
#include "notes_hosp.h"

#include <stdio.h>
#include <string.h>

#define PICK(w, a) (a)[nw_pick(w, sizeof(a) / sizeof *(a))]

typedef struct {
    const char *f, *m; /* with its article or possessive, feminine and masculine */
} rel_words;

/* Relatives and people around the patient. */
static const rel_words kin[] = {
    {"sa fille", "son fils"},
    {"sa femme", "son mari"},
    {"son épouse", "son époux"},
    {"sa compagne", "son compagnon"},
    {"sa sœur", "son frère"},
    {"sa mère", "son père"},
    {"sa nièce", "son neveu"},
    {"sa belle-fille", "son gendre"},
    {"sa petite-fille", "son petit-fils"},
    {"sa tante", "son oncle"},
    {"sa cousine", "son cousin"},
    {"sa voisine", "son voisin"},
    {"son amie", "son ami"},
    {"sa belle-sœur", "son beau-frère"},
    {"sa belle-mère", "son beau-père"},
    {"sa filleule", "son filleul"},
    {"sa tutrice", "son tuteur"},
    {"sa curatrice", "son curateur"},
    {"sa fille aînée", "son fils aîné"},
    {"sa petite-nièce", "son petit-neveu"},
    {"sa conjointe", "son conjoint"},
    {"sa partenaire", "son partenaire"},
    {"sa belle-fille", "son beau-fils"},
    {"sa marraine", "son parrain"},
};
/* Staff, as a noun with its article. */
static const rel_words staff[] = {
    {"l'infirmière", "l'infirmier"},
    {"la kiné", "le kiné"},
    {"la kinésithérapeute", "le kinésithérapeute"},
    {"la psychologue", "le psychologue"},
    {"la diététicienne", "le diététicien"},
    {"l'assistante sociale", "l'assistant social"},
    {"la secrétaire", "le secrétaire"},
    {"l'interne", "l'interne"},
    {"l'externe", "l'externe"},
    {"l'aide-soignante", "l'aide-soignant"},
    {"la manipulatrice", "le manipulateur"},
    {"la technicienne", "le technicien"},
    {"la pharmacienne", "le pharmacien"},
    {"la cadre de santé", "le cadre de santé"},
    {"l'infirmière coordinatrice", "l'infirmier coordinateur"},
    {"la conseillère en génétique", "le conseiller en génétique"},
    {"la sage-femme", "le maïeuticien"},
    {"l'ergothérapeute", "l'ergothérapeute"},
    {"l'orthophoniste", "l'orthophoniste"},
    {"la sophrologue", "le sophrologue"},
    {"la brancardière", "le brancardier"},
    {"l'infirmière libérale", "l'infirmier libéral"},
    {"l'attachée de recherche clinique", "l'attaché de recherche clinique"},
    {"la socio-esthéticienne", "le socio-esthéticien"},
    {"la stomathérapeute", "le stomathérapeute"},
    {"la coordinatrice", "le coordinateur"},
    {"l'auxiliaire de vie", "l'auxiliaire de vie"},
    {"la manipulatrice radio", "le manipulateur radio"},
    {"la préparatrice", "le préparateur"},
    {"la dosimétriste", "le dosimétriste"},
    {"la physicienne", "le physicien"},
};
/* The same as field labels ("Kiné : X"), capitalised, without article. */
static const char *const labels[] = {
    "Kiné",
    "Psychologue",
    "Diététicienne",
    "Assistante sociale",
    "Secrétaire",
    "Interne",
    "Externe",
    "Technicienne",
    "Technicien",
    "Pharmacien",
    "Pharmacienne",
    "Cadre de santé",
    "IDEC",
    "Conseillère en génétique",
    "Orthophoniste",
    "Ergothérapeute",
    "Manipulateur",
    "Manipulatrice",
    "Aide-soignante",
    "IDE de jour",
    "IDE de nuit",
    "Personne de confiance",
    "Référent familial",
    "Tuteur",
    "Curatrice",
    "Aidant principal",
    "Contact",
    "Coordinatrice",
    "Sophrologue",
    "Stomathérapeute",
    "Dosimétriste",
    "Physicien",
    "Préparatrice",
    "Sage-femme",
    "ARC",
    "Infirmière référente",
    "Accompagnant",
    "Rédigé par",
    "Saisi par",
    "Vu par",
};
/* Short forms in parentheses after a name ("Gildas (mari)"). */
static const rel_words tags[] = {
    {"fille", "fils"},
    {"épouse", "mari"},
    {"compagne", "compagnon"},
    {"sœur", "frère"},
    {"mère", "père"},
    {"nièce", "neveu"},
    {"voisine", "voisin"},
    {"amie", "ami"},
    {"IDE", "IDE"},
    {"kiné", "kiné"},
    {"psychologue", "psychologue"},
    {"interne", "interne"},
    {"IDEC", "IDEC"},
    {"secrétaire", "secrétaire"},
    {"aide-soignante", "aide-soignant"},
    {"belle-fille", "gendre"},
    {"tutrice", "tuteur"},
    {"personne de confiance", "personne de confiance"},
    {"assistante sociale", "assistant social"},
    {"diététicienne", "diététicien"},
};
/* Verbs and phrases after a name opening a sentence or after it. */
static const char *const after_name[] = {
    " a appelé ce matin",   " est passée dans l'après-midi",
    " rappellera demain",   " demande un rendez-vous",
    " est d'accord",        " s'occupe des courses",
    " viendra la chercher", " a été prévenu(e)",
    " signale une fatigue", " souhaite être présent(e)",
    " est injoignable",     " confirme l'horaire",
};
/* Sentences around a first name with no cue at all. */
static const char *const bare_before[] = {
    "Vu avec ",    "Prévenu ",    "Relève à ",     "Appel de ",     "Transmis à ",       "Merci ",
    "Validé par ", "Rappel par ", "Discuté avec ", "En lien avec ", "Message laissé à ", "Accord de ",
};
static const char *const jobs[] = {"magasinier",        "comptable",
                                   "ouvrière",          "cadre",
                                   "chauffeur",         "vendeuse",
                                   "caissière",         "secrétaire",
                                   "agent d'entretien", "manutentionnaire",
                                   "soudeur",           "aide à domicile",
                                   "technicien",        "boulanger",
                                   "infirmière",        "professeur des écoles",
                                   "conducteur de bus", "maçon",
                                   "intérimaire",       "commerciale"};
static const char *const emp_frames[] = {" chez ",           " à la société ",       " dans l'entreprise ",
                                         " employé(e) par ", " au sein de ",         " salarié(e) de ",
                                         " en CDI chez ",    " depuis 15 ans chez ", " pour le compte de "};

/* A first name of a fresh person, or of one of the world's. */
static void first_of(notes_writer *w, hosp_world *hw, int *female, char *out, size_t cap)
{
    const hosp_person *pool[] = {&hw->child[0],  &hw->child[1], &hw->sibling,  &hw->friend_,
                                 &hw->nurse[0],  &hw->nurse[1], &hw->nurse[2], &hw->intern[0],
                                 &hw->intern[1], &hw->secretary};
    if (nw_u(w) < 0.35) {
        *female = nw_u(w) < 0.55;
        hosp_made_first(w->rng, *female, out, cap);
        return;
    }
    const hosp_person *p = pool[nw_pick(w, sizeof pool / sizeof *pool)];
    *female = p->female;
    snprintf(out, cap, "%s", p->first);
}

static void put_first(notes_writer *w, const hosp_world *hw, const char *first)
{
    hosp_person p;
    memset(&p, 0, sizeof p);
    snprintf(p.first, sizeof p.first, "%s", first);
    hw_first(w, hw, &p, -1);
}

static void put_last(notes_writer *w, const hosp_world *hw)
{
    hosp_person p;
    memset(&p, 0, sizeof p);
    const hosp_person *src = nw_u(w) < 0.5 ? &hw->friend_ : &hw->nurse[nw_pick(w, 3)];
    snprintf(p.last, sizeof p.last, "%s", src->last);
    hw_last(w, hw, &p, -1);
}

/* A town, in lower case now and then (a fast typist). */
static void put_town(notes_writer *w, const hosp_world *hw)
{
    const char *c = nw_u(w) < 0.5 ? hw->city : hw->hcity;
    char b[80];
    hosp_case(c, hw->lower_names || nw_u(w) < 0.12 ? 2 : 0, b, sizeof b);
    nw_ent(w, AT_PHI_VILLE, b);
}

static void put_town_phrase(notes_writer *w, const hosp_world *hw)
{
    switch (nw_pick(w, 6)) {
    case 0:
        nw_put(w, ", qui vit à ");
        put_town(w, hw);
        break;
    case 1:
        nw_put(w, " (");
        put_town(w, hw);
        nw_put(w, ")");
        break;
    case 2:
        nw_put(w, ", domicilié(e) à ");
        put_town(w, hw);
        break;
    case 3:
        nw_put(w, ", qui habite ");
        put_town(w, hw);
        break;
    case 4:
        nw_put(w, " à ");
        put_town(w, hw);
        break;
    default:
        nw_put(w, ", hospitalisé(e) à l'hôpital de ");
        put_town(w, hw);
    }
}

void hw_people_mention(notes_writer *w, hosp_world *hw)
{
    int fem = 0, fem2 = 0;
    char a[48], b[48];
    first_of(w, hw, &fem, a, sizeof a);
    first_of(w, hw, &fem2, b, sizeof b);
    const rel_words *r = nw_u(w) < 0.55 ? &kin[nw_pick(w, sizeof kin / sizeof *kin)]
                                        : &staff[nw_pick(w, sizeof staff / sizeof *staff)];
    const char *rel = fem ? r->f : r->m;
    switch (nw_pick(w, 11)) {
    case 0: /* "Appel de son fils X." */
        nw_put(w, PICK(w, ((const char *const[]){"Appel de ", "Vu avec ", "Présence de ", "Entretien avec ",
                                                 "Venue de ", "Message de "})));
        nw_put(w, rel);
        nw_put(w, " ");
        put_first(w, hw, a);
        if (nw_u(w) < 0.4)
            put_town_phrase(w, hw);
        nw_put(w, ". ");
        break;
    case 1: { /* "Son fils X a appelé." */
        char c[64];
        hosp_case(rel, 3, c, sizeof c);
        nw_put(w, c);
        nw_put(w, " ");
        put_first(w, hw, a);
        nw_put(w, PICK(w, after_name));
        nw_put(w, ". ");
        break;
    }
    case 2: /* "X (mari)" */
        put_first(w, hw, a);
        nw_put(w, " (");
        nw_put(w, fem ? tags[nw_pick(w, sizeof tags / sizeof *tags)].f
                      : tags[nw_pick(w, sizeof tags / sizeof *tags)].m);
        nw_put(w, ")");
        nw_put(w, PICK(w, after_name));
        nw_put(w, ". ");
        break;
    case 3: /* a field: "Kiné : X", "Kiné : X NOM" */
        nw_put(w, "\n");
        nw_put(w, PICK(w, labels));
        nw_put(w, PICK(w, ((const char *const[]){" : ", " : ", ": ", " :\t", " - "})));
        if (nw_u(w) < 0.3) {
            put_last(w, hw);
            nw_put(w, " ");
            put_first(w, hw, a);
        } else {
            put_first(w, hw, a);
            if (nw_u(w) < 0.4) {
                nw_put(w, " ");
                put_last(w, hw);
            }
        }
        nw_put(w, "\n");
        break;
    case 4: /* no cue at all */
        nw_put(w, PICK(w, bare_before));
        put_first(w, hw, a);
        nw_put(w, nw_u(w) < 0.5 ? ". " : ".\n");
        break;
    case 5: /* the name opening a sentence */
        put_first(w, hw, a);
        nw_put(w, PICK(w, after_name));
        nw_put(w, ". ");
        break;
    case 6: /* two names */
        nw_put(w, PICK(w, ((const char *const[]){"Ses enfants, ", "Présents : ", "Internes : ",
                                                 "Entourage : ", "Ont appelé : ", "Visite de "})));
        put_first(w, hw, a);
        nw_put(w, PICK(w, ((const char *const[]){" et ", ", ", " / "})));
        put_first(w, hw, b);
        nw_put(w, ". ");
        break;
    case 7: /* a greeting */
        nw_put(w, PICK(w, ((const char *const[]){"Bonjour ", "Merci ", "Salut ", "Chère ", "Cher ",
                                                 "Coucou "})));
        put_first(w, hw, a);
        nw_put(w, PICK(w, ((const char *const[]){",\n", ", ", " !\n"})));
        break;
    case 8: /* "X, sa voisine, passe chaque jour" */
        put_first(w, hw, a);
        nw_put(w, ", ");
        nw_put(w, rel);
        nw_put(w, PICK(w, ((const char *const[]){", passe chaque jour. ", ", est informé(e). ",
                                                 ", l'accompagne. ", ", a pris le relais. "})));
        break;
    case 9: { /* an employer */
        const char *job = PICK(w, jobs);
        if (nw_u(w) < 0.5) {
            nw_put(w, fem ? "Elle est " : "Il est ");
        } else {
            char c[64];
            hosp_case(rel, 3, c, sizeof c);
            nw_put(w, c);
            nw_put(w, " ");
            put_first(w, hw, a);
            nw_put(w, " est ");
        }
        nw_put(w, job);
        nw_put(w, PICK(w, emp_frames));
        nw_ent(w, AT_PHI_EMPLOYEUR, hw->employer);
        if (nw_u(w) < 0.4)
            put_town_phrase(w, hw);
        nw_put(w, ". ");
        break;
    }
    default: /* "son employeur (X)", a town alone */
        if (nw_u(w) < 0.5) {
            int paren = nw_u(w) < 0.4;
            nw_put(w, paren ? "Son employeur ("
                            : PICK(w, ((const char *const[]){"Employeur : ", "Salarié(e) de ",
                                                             "Arrêt de travail transmis à l'employeur, ",
                                                             "Travaille pour "})));
            nw_ent(w, AT_PHI_EMPLOYEUR, hw->employer);
            nw_put(w, paren ? "). " : ". ");
        } else {
            nw_put(w, PICK(w, ((const char *const[]){"Retour à domicile", "Transfert prévu",
                                                     "Elle part en vacances", "Il vit seul",
                                                     "Déménagement prévu"})));
            put_town_phrase(w, hw);
            nw_put(w, ". ");
        }
    }
}

/* A made-up brand name of a drug or a dressing, from syllables with a
 * brand's ending ("Vextralin", "Zorbiqa"): no list holds it, as no list
 * holds a patient's name, so the tagger learns the contexts that make a
 * word a treatment rather than a person. */
static void made_brand(notes_writer *w, char *out, size_t cap)
{
    static const char *const a[] = {"Vex", "Zor", "Cal", "Pra", "Lu",  "Ta", "Xe", "No", "Fe", "Der",
                                    "Mo",  "Ki",  "Sal", "Tri", "Ven", "Ox", "Ly", "Bi", "Ca", "Ro"};
    static const char *const b[] = {"tra", "bi", "lo", "ne", "va", "ri", "do", "pe", "ze", "mi", "", "si"};
    static const char *const e[] = {"lin", "qa", "ex", "ax", "ine", "al",  "on", "yl",
                                    "ix",  "ia", "a",  "ol", "ane", "ium", "el", "ide"};
    snprintf(out, cap, "%s%s%s", PICK(w, a), PICK(w, b), PICK(w, e));
}

void hw_treatment_mention(notes_writer *w)
{
    char x[48], y[48], z[48], s[256];
    made_brand(w, x, sizeof x);
    made_brand(w, y, sizeof y);
    made_brand(w, z, sizeof z);
    static const char *const after[] = {" arrêté la semaine dernière",
                                        " poursuivi",
                                        " à reprendre demain",
                                        " mal toléré",
                                        " bien toléré",
                                        " suspendu",
                                        " réintroduit",
                                        " renouvelé pour un mois",
                                        " à la demande",
                                        " est efficace"};
    switch (nw_pick(w, 5)) {
    case 0:
        snprintf(s, sizeof s, "Traitement en cours : {%s}, {%s}, {%s}. ", x, y, z);
        break;
    case 1:
        snprintf(s, sizeof s, "{%s}%s. ", x, PICK(w, after));
        break;
    case 2:
        snprintf(s, sizeof s, "Relais par {%s} puis {%s}%s. ", x, y, PICK(w, after));
        break;
    case 3:
        snprintf(s, sizeof s, "Pansement {%s} et {%s} changés. ", x, y);
        break;
    default:
        snprintf(s, sizeof s, "{%s} %d mg, {%s}%s. ", x, 5 * (1 + (int)nw_pick(w, 40)), y, PICK(w, after));
    }
    hw_trap(w, s);
}
