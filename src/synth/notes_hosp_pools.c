/* Pools of the hospital-style synthetic notes (notes_hosp.c): first names,
 * surnames, communes, streets, establishments, employers and insurers, in
 * a training half and a held-out half, and made-up names and places (from
 * syllables) so that a model trained on them learns contexts rather than
 * a list. Hand-written for atelier. */
#include "notes_hosp.h"

#include <stdio.h>
#include <string.h>

static const char *const ff_train[] = {
    "Marie",      "Nathalie",  "Isabelle",  "Sylvie",    "Catherine", "Françoise",    "Monique",  "Christine",
    "Sophie",     "Valérie",   "Sandrine",  "Hélène",    "Brigitte",  "Claire",       "Anne",     "Julie",
    "Céline",     "Martine",   "Rose",      "Chantal",   "Élodie",    "Aurélie",      "Camille",  "Léa",
    "Nadia",      "Fatima",    "Josiane",   "Odette",    "Agnès",     "Annick",       "Marine",   "Océane",
    "Florence",   "Capucine",  "Margot",    "Violette",  "Gwenaëlle", "Maëlle",       "Soizic",   "Aïcha",
    "Fatoumata",  "Yasmine",   "Inès",      "Chloé",     "Manon",     "Clémence",     "Pauline",  "Mathilde",
    "Justine",    "Laëtitia",  "Stéphanie", "Karine",    "Véronique", "Patricia",     "Corinne",  "Mireille",
    "Jacqueline", "Ginette",   "Pascale",   "Émilie",    "Solenn",    "Ophélie",      "Ségolène", "Perrine",
    "Anouk",      "Awa",       "Leïla",     "Clothilde", "Bérangère", "Marie-Hélène", "Apolline", "Noémie",
    "Joanna",     "Agnieszka", "Thi Lan",   "Mei",       "Ana",       "Beatriz",      "Giulia",   "Sabrina",
    "Samia",      "Khadija",   "Nour",      "Salomé",    "Zoé",       "Louise",       "Jeanne",   "Lucie",
    "Élise",      "Alix",      "Blanche",   "Prune",     "Héloïse",   "Gaëlle",       "Morgane",  "Nolwenn",
    "Enora",      "Typhaine",  "Maïwenn",   "Rozenn"};
static const char *const fm_train[] = {
    "Jean",        "Pierre",   "Michel",   "Philippe",    "Alain",         "Patrick",      "Nicolas",
    "Christophe",  "Daniel",   "Bernard",  "Éric",        "Thierry",       "Laurent",      "Frédéric",
    "Jacques",     "Stéphane", "Pascal",   "David",       "Olivier",       "Gérard",       "Jean-Pierre",
    "Jean-Claude", "François", "Marcel",   "André",       "Mohamed",       "Yves",         "Hervé",
    "Gilles",      "Luc",      "Mehdi",    "Yanis",       "Karim",         "Rachid",       "Mamadou",
    "Moussa",      "Ibrahim",  "Serge",    "Dominique",   "Roger",         "Claude",       "Didier",
    "Bruno",       "Lionel",   "Yannick",  "Rémi",        "Gwendal",       "Ronan",        "Erwan",
    "Tanguy",      "Loïc",     "Anatole",  "Côme",        "Jean-Baptiste", "Hippolyte",    "Aymeric",
    "Ghislain",    "Kylian",   "Enzo",     "Lucas",       "Hugo",          "Théo",         "Maxime",
    "Antoine",     "Julien",   "Romain",   "Clément",     "Martin",        "Florent",      "Constant",
    "Aimé",        "Ange",     "Paul",     "Piotr",       "Tomasz",        "Joao",         "Manuel",
    "Luis",        "Giovanni", "Wei",      "Minh",        "Kevin",         "Dylan",        "Brahim",
    "Samir",       "Youssef",  "Ousmane",  "Pierre-Yves", "Jean-Marc",     "Marc-Antoine", "Gaël",
    "Maël",        "Titouan",  "Corentin", "Killian",     "Goulven",       "Malo",         "Armel",
    "Benoît"};
static const char *const ff_held[] = {
    "Adèle",     "Albane",   "Amandine", "Anaïs",    "Armelle",   "Aude",   "Béatrice",  "Cécile",
    "Charlotte", "Colette",  "Danielle", "Delphine", "Denise",    "Edwige", "Éliane",    "Emmanuelle",
    "Estelle",   "Eugénie",  "Fabienne", "Gisèle",   "Hortense",  "Ingrid", "Irène",     "Josette",
    "Judith",    "Léonie",   "Liliane",  "Lorraine", "Lydie",     "Magali", "Maryvonne", "Murielle",
    "Nicole",    "Paulette", "Raymonde", "Renée",    "Roselyne",  "Simone", "Suzanne",   "Thérèse",
    "Yvette",    "Zohra",    "Malika",   "Hafsa",    "Mariam",    "Bintou", "Oumou",     "Dorota",
    "Katarzyna", "Linh",     "Hoa",      "Carla",    "Francesca", "Lucía",  "Maëlys",    "Lilou",
    "Jade",      "Ambre",    "Iris",     "Capucine", "Marine",    "Océane"};
static const char *const fm_held[] = {
    "Adrien",  "Albert",  "Alexandre", "Arnaud",  "Arthur",  "Baptiste", "Bertrand",  "Cédric",
    "Charles", "Denis",   "Emmanuel",  "Étienne", "Fabrice", "Félix",    "Fernand",   "Gabriel",
    "Gaston",  "Georges", "Grégoire",  "Guy",     "Henri",   "Jérôme",   "Joël",      "Joseph",
    "Léon",    "Louis",   "Marius",    "Mathias", "Noël",    "Norbert",  "Pascal",    "Raymond",
    "René",    "Robert",  "Sébastien", "Simon",   "Sylvain", "Thibault", "Victor",    "Vincent",
    "Xavier",  "Abdel",   "Hamza",     "Bilal",   "Sékou",   "Adama",    "Krzysztof", "Pawel",
    "Duc",     "Huy",     "Rui",       "Paolo",   "Marco",   "Florian",  "Quentin",   "Baptiste",
    "Nathan",  "Noah",    "Sacha",     "Gwenolé", "Ewen",    "Yann"};
static const char *const last_train[] = {"Martin",          "Bernard",
                                         "Dubois",          "Thomas",
                                         "Robert",          "Richard",
                                         "Petit",           "Durand",
                                         "Leroy",           "Moreau",
                                         "Simon",           "Laurent",
                                         "Lefebvre",        "Michel",
                                         "Garcia",          "David",
                                         "Bertrand",        "Roux",
                                         "Vincent",         "Fournier",
                                         "Morel",           "Girard",
                                         "Mercier",         "Dupont",
                                         "Lambert",         "Bonnet",
                                         "Martinez",        "Legrand",
                                         "Garnier",         "Faure",
                                         "Rousseau",        "Blanc",
                                         "Guérin",          "Muller",
                                         "Henry",           "Perrin",
                                         "Morin",           "Mathieu",
                                         "Clément",         "Gauthier",
                                         "Dumont",          "Lopez",
                                         "Fontaine",        "Chevalier",
                                         "Robin",           "Masson",
                                         "Le Gall",         "Nguyen",
                                         "Roche",           "Berger",
                                         "Le Bihan",        "Haddad",
                                         "Da Silva",        "Kerbrat",
                                         "Diallo",          "Benali",
                                         "Ferreira",        "Van den Broek",
                                         "Wiśniewska-Kral", "Tran",
                                         "Le Goff",         "Quéméner",
                                         "Le Meur",         "Kervella",
                                         "Goasdoué",        "Etchebarne",
                                         "Iribarne",        "Casanova",
                                         "Pietri",          "Zerbib",
                                         "Benhamou",        "Ouedraogo",
                                         "Tshibanda",       "Ferrandez",
                                         "Wojcik",          "Kowalczyk",
                                         "Schaeffer",       "Baumgartner",
                                         "Lachaud",         "Peyronnet",
                                         "Chabanel",        "Vautrin",
                                         "Dellac",          "Trébuchet",
                                         "Laborde-Ducasse", "Ménétrier-Lacaze",
                                         "Hallouin",        "Cadoret",
                                         "Ricordeau",       "Rose",
                                         "Marin",           "Cousin",
                                         "Moulin",          "Pierre",
                                         "Lebon",           "Salaün",
                                         "Le Floc'h",       "Guillou",
                                         "Tanguy",          "Prigent",
                                         "Le Roux",         "Morvan",
                                         "Jaouen",          "Cornec",
                                         "Bourhis",         "Mahé",
                                         "Rannou",          "Nicol",
                                         "Bellec",          "Gourvès",
                                         "Abgrall",         "Ollivier",
                                         "Le Corre",        "Derrien",
                                         "Boucher",         "Carré"};
static const char *const last_held[] = {
    "Sanchez", "Dupuis",    "Lucas",   "Meunier",  "Brun",     "Blanchard", "Caron",       "Giraud",
    "Joly",    "Rivière",   "Lemaire", "Barbier",  "Arnaud",   "Roger",     "Picard",      "Leclerc",
    "Aubert",  "Bailly",    "Baron",   "Besson",   "Bouvier",  "Brunet",    "Charpentier", "Colin",
    "Collet",  "Deschamps", "Dumas",   "Fabre",    "Fleury",   "Gaillard",  "Hamon",       "Hoarau",
    "Huet",    "Jacquet",   "Lacroix", "Langlois", "Lebrun",   "Leduc",     "Lemoine",     "Marchand",
    "Marty",   "Menard",    "Meyer",   "Millet",   "Noël",     "Paris",     "Pasquier",    "Payet",
    "Poulain", "Prévost",   "Renaud",  "Royer",    "Schmitt",  "Tessier",   "Vidal",       "Weber",
    "Bensaïd", "Cherif",    "Kaddour", "Traoré",   "Keita",    "Nowak",     "Lewandowski", "Pham",
    "Le Van",  "Costa",     "Pereira", "Rossi",    "Esposito", "Van Dijk",  "De Smet",     "Le Berre",
    "Kerjean"};
static const notes_commune communes_train[] = {{"Rennes", "35000"},
                                               {"Brest", "29200"},
                                               {"Nantes", "44000"},
                                               {"Lyon", "69003"},
                                               {"Paris", "75013"},
                                               {"Marseille", "13005"},
                                               {"Toulouse", "31400"},
                                               {"Bordeaux", "33000"},
                                               {"Lille", "59000"},
                                               {"Strasbourg", "67000"},
                                               {"Vannes", "56000"},
                                               {"Quimper", "29000"},
                                               {"Saint-Malo", "35400"},
                                               {"Angers", "49100"},
                                               {"Le Mans", "72000"},
                                               {"Caen", "14000"},
                                               {"Dijon", "21000"},
                                               {"Grenoble", "38000"},
                                               {"Montpellier", "34000"},
                                               {"Nice", "06100"},
                                               {"Lorient", "56100"},
                                               {"Saint-Brieuc", "22000"},
                                               {"La Rochelle", "17000"},
                                               {"Tours", "37000"},
                                               {"Plouguerneau", "29880"},
                                               {"Landerneau", "29800"},
                                               {"Châteaulin", "29150"},
                                               {"Ploërmel", "56800"},
                                               {"Saint-Jean-de-Luz", "64500"},
                                               {"Quimperlé", "29300"},
                                               {"Morlaix", "29600"},
                                               {"Concarneau", "29900"},
                                               {"Fougères", "35300"},
                                               {"Vitré", "35500"},
                                               {"Pontivy", "56300"},
                                               {"Redon", "35600"},
                                               {"Guingamp", "22200"},
                                               {"Lannion", "22300"},
                                               {"Dinan", "22100"},
                                               {"Auray", "56400"},
                                               {"Carhaix-Plouguer", "29270"},
                                               {"Nancy", "54000"},
                                               {"Florence", "00000"},
                                               {"Laval", "53000"},
                                               {"Cholet", "49300"},
                                               {"Niort", "79000"},
                                               {"Agen", "47000"},
                                               {"Orange", "84100"}};
static const notes_commune communes_held[] = {{"Montbrison", "42600"},
                                              {"Issoire", "63500"},
                                              {"Castelnaudary", "11400"},
                                              {"Oloron-Sainte-Marie", "64400"},
                                              {"Pithiviers", "45300"},
                                              {"Romorantin-Lanthenay", "41200"},
                                              {"Paimpol", "22500"},
                                              {"Douarnenez", "29100"},
                                              {"Clermont-Ferrand", "63000"},
                                              {"Limoges", "87000"},
                                              {"Poitiers", "86000"},
                                              {"Besançon", "25000"},
                                              {"Amiens", "80000"},
                                              {"Metz", "57000"},
                                              {"Ajaccio", "20000"},
                                              {"Bastia", "20200"},
                                              {"Pau", "64000"},
                                              {"Aurillac", "15000"},
                                              {"Rodez", "12000"},
                                              {"Millau", "12100"},
                                              {"Vierzon", "18100"},
                                              {"Lons-le-Saunier", "39000"}};
static const char *const streets[] = {"rue de la République",
                                      "avenue Jean Jaurès",
                                      "boulevard Victor Hugo",
                                      "rue Pasteur",
                                      "place de l'Église",
                                      "allée des Chênes",
                                      "chemin du Moulin",
                                      "rue des Écoles",
                                      "impasse des Mésanges",
                                      "route de Lorient",
                                      "avenue du Général de Gaulle",
                                      "rue Nationale",
                                      "quai de la Fosse",
                                      "rue du Port",
                                      "boulevard de la Paix",
                                      "rue Saint-Michel",
                                      "avenue des Marronniers",
                                      "rue de Brest",
                                      "chemin de Kerlann",
                                      "rue du Stade",
                                      "impasse des Tilleuls",
                                      "rue des Lilas",
                                      "allée des Peupliers",
                                      "rue Anatole France",
                                      "rue du Général Leclerc",
                                      "avenue de la Gare",
                                      "rue des Acacias",
                                      "route de Quimper",
                                      "rue de Verdun",
                                      "place du Marché"};
static const char *const rural[] = {
    "lieu-dit Le Moulin Neuf", "Ferme des Trois Chênes",    "lieu-dit Kerhuel",
    "Hameau de la Source",     "Résidence Le Parc, bât. B", "Résidence Les Jardins, appt 12",
    "Domaine de la Roche",     "lieu-dit La Croix Blanche", "Le Bourg",
    "Mas des Oliviers",        "lieu-dit Penhoat",          "Lotissement Les Hortensias",
    "Ferme de Kervenny",       "Village de Kermadec",       "La Métairie Neuve"};
static const char *const hosp_forms[] = {"CHU de %s",
                                         "Centre Hospitalier de %s",
                                         "CH de %s",
                                         "Institut de cancérologie du %s",
                                         "HAD du Pays de %s",
                                         "Clinique Saint-%s",
                                         "Polyclinique de %s",
                                         "Centre de radiothérapie de %s",
                                         "Hôpital privé de %s",
                                         "Centre d'imagerie de %s",
                                         "Laboratoire %s",
                                         "Cabinet de radiologie du %s",
                                         "EHPAD Les Tilleuls de %s",
                                         "SSR de %s",
                                         "Centre François %s",
                                         "Institut %s",
                                         "Groupe hospitalier %s",
                                         "Centre de rééducation et de réadaptation fonctionnelle de %s",
                                         "hôpital de %s",
                                         "Pôle Santé %s",
                                         "Maison de santé de %s",
                                         "CMP de %s",
                                         "centre d'imagerie %s",
                                         "Hôpital privé des Côtes de %s"};
static const char *const employers[] = {
    "Renault",   "SNCF",        "La Poste",    "Airbus", "Michelin", "Crédit Agricole",
    "Leclerc",   "Carrefour",   "Intermarché", "Bigard", "Doux",     "Lactalis",
    "Thales",    "Naval Group", "Peugeot",     "Orange", "EDF",      "Engie",
    "Decathlon", "Auchan",      "Triskalia",   "Savéol", "Hénaff",   "Brittany Ferries",
    "Arkéa",     "Armor Lux",   "Bolloré",     "Safran", "Veolia",   "Suez"};
static const char *const employer_forms[] = {"Société %s",
                                             "Entreprise %s",
                                             "Transports %s",
                                             "Garage %s",
                                             "Boulangerie %s",
                                             "SARL %s",
                                             "Établissements %s",
                                             "Menuiserie %s",
                                             "Ambulances %s",
                                             "Taxis %s",
                                             "Pompes funèbres %s",
                                             "GAEC %s",
                                             "Transports %s et Fils",
                                             "Hôtel %s",
                                             "Pharmacie %s"};
static const char *const insurers[] = {"MGEN",
                                       "Harmonie Mutuelle",
                                       "Malakoff Humanis",
                                       "AG2R La Mondiale",
                                       "MAAF",
                                       "Groupama",
                                       "MACIF",
                                       "MAIF",
                                       "Mutuelle des Pays de Vilaine",
                                       "Apivia",
                                       "Swiss Life",
                                       "Axa",
                                       "Allianz",
                                       "Mutualia",
                                       "Crédit Mutuel"};
static const char *const domains[] = {"gmail.com", "orange.fr", "free.fr",    "laposte.net", "wanadoo.fr",
                                      "sfr.fr",    "yahoo.fr",  "hotmail.fr", "outlook.fr",  "icloud.com"};

/* ---- made-up names ------------------------------------------------------------- */

static const char *const syl_a[] = {"Ker", "Le",  "Mor", "Gal", "Bel", "Cor", "Dan", "Gor", "Lan",
                                    "Mar", "Pen", "Ros", "Tal", "Bre", "Cas", "Dur", "Fer", "Gil",
                                    "Lab", "Mon", "Pel", "Ram", "Sal", "Tur", "Val", "Ben", "Char",
                                    "Fau", "Gau", "Jou", "Lau", "Rou", "Vi"};
static const char *const syl_b[] = {"ma", "ri", "lo", "be", "ga", "do", "ne", "ta", "vi", "ro", "sa", "cha",
                                    "mi", "lu", "dé", "ra", "mé", "ni", "po", "ze", "",   "",   ""};
static const char *const syl_c[] = {"ec", "ou",   "an",  "ac",   "ot",  "ier", "eau", "in",  "aud", "oux",
                                    "ez", "ski",  "ini", "elli", "sen", "ard", "el",  "on",  "et",  "ès",
                                    "ic", "ault", "uet", "ois",  "oz",  "ieu", "ane", "och", "ade", "ens"};
static const char *const syl_f[] = {"Ma", "Lo", "Cla", "Ro", "Li", "Na", "Ja", "Ma", "Syl", "Flo",
                                    "Ga", "Mé", "So",  "Ly", "Au", "É",  "Ya", "Ka", "Zé",  "Thi"};
static const char *const syl_fe[] = {"rine", "lène", "dine", "lie", "ria", "nelle", "rielle", "sia",
                                     "line", "mée",  "na",   "dia", "lys", "ne",    "ette",   "ïa"};
static const char *const syl_me[] = {"rin", "ric", "lien", "bert", "mand", "tan",  "vin", "nis",
                                     "lio", "ran", "mon",  "rick", "del",  "than", "dy",  "vis"};

#define N(a) (sizeof a / sizeof *a)

void hosp_made_surname(at_rng *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s", syl_a[at_rng_next(r) % N(syl_a)], syl_b[at_rng_next(r) % N(syl_b)],
             syl_c[at_rng_next(r) % N(syl_c)]);
}

void hosp_made_first(at_rng *r, int female, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s", syl_f[at_rng_next(r) % N(syl_f)],
             female ? syl_fe[at_rng_next(r) % N(syl_fe)] : syl_me[at_rng_next(r) % N(syl_me)]);
}

void hosp_made_place(at_rng *r, char *out, size_t cap)
{
    static const char *const forms[] = {"Saint-%s",    "%s-sur-Mer", "%s-les-Bains",  "Plou%s", "Lan%s",
                                        "%s-en-Forêt", "Sainte-%s",  "%s-le-Château", "Ker%s",  "%s"};
    char s[48];
    hosp_made_surname(r, s, sizeof s);
    const char *f = forms[at_rng_next(r) % N(forms)];
    if (!strncmp(f, "Plou", 4) || !strncmp(f, "Lan", 3) || !strncmp(f, "Ker", 3)) {
        /* the made-up name in lower case after the prefix */
        for (char *p = s; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
    }
    snprintf(out, cap, f, s);
}

void hosp_pools_get(int heldout, hosp_pools *p)
{
    memset(p, 0, sizeof *p);
    p->first_f = heldout ? ff_held : ff_train;
    p->n_first_f = heldout ? N(ff_held) : N(ff_train);
    p->first_m = heldout ? fm_held : fm_train;
    p->n_first_m = heldout ? N(fm_held) : N(fm_train);
    p->last = heldout ? last_held : last_train;
    p->n_last = heldout ? N(last_held) : N(last_train);
    p->communes = heldout ? communes_held : communes_train;
    p->n_communes = heldout ? N(communes_held) : N(communes_train);
    p->streets = streets;
    p->n_streets = N(streets);
    p->rural = rural;
    p->n_rural = N(rural);
    p->hosp_forms = hosp_forms;
    p->n_hosp_forms = N(hosp_forms);
    p->employers = employers;
    p->n_employers = N(employers);
    p->employer_forms = employer_forms;
    p->n_employer_forms = N(employer_forms);
    p->insurers = insurers;
    p->n_insurers = N(insurers);
    p->domains = domains;
    p->n_domains = N(domains);
}
