/* Name, commune, street and hospital pools of the synthetic clinical
 * documents. Each pool has a development half (used while writing the
 * detector's rules) and a held-out half (used only for the reported
 * figures). The held-out halves deliberately hold many names and communes
 * that are absent from the detector's dictionaries in data/text, so the
 * measurement is not circular (docs/text.md gives the overlap). */
#include "notes_pools.h"

static const char *const first_f_dev[] = {
    "Marie",  "Nathalie", "Isabelle", "Sylvie",  "Catherine", "Françoise", "Monique", "Christine",
    "Sophie", "Valérie",  "Sandrine", "Hélène",  "Brigitte",  "Claire",    "Anne",    "Julie",
    "Céline", "Martine",  "Rose",     "Chantal", "Élodie",    "Aurélie",   "Camille", "Léa",
    "Nadia",  "Fatima",   "Josiane",  "Odette",  "Agnès",     "Annick"};
static const char *const first_m_dev[] = {
    "Jean",   "Pierre",  "Michel",  "Philippe", "Alain",       "Patrick",     "Nicolas",  "Christophe",
    "Daniel", "Bernard", "Éric",    "Thierry",  "Laurent",     "Frédéric",    "Jacques",  "Stéphane",
    "Pascal", "David",   "Olivier", "Gérard",   "Jean-Pierre", "Jean-Claude", "François", "Marcel",
    "André",  "Mohamed", "Yves",    "Hervé",    "Gilles",      "Luc"};
static const char *const first_f_held[] = {
    "Véronique", "Patricia",     "Florence", "Corinne",   "Laurence",  "Mireille", "Jacqueline",
    "Ginette",   "Pascale",      "Émilie",   "Gwenaëlle", "Maëlys",    "Solenn",   "Ophélie",
    "Ségolène",  "Perrine",      "Anouk",    "Awa",       "Leïla",     "Soazig",   "Clothilde",
    "Bérangère", "Marie-Hélène", "Rose",     "Apolline",  "Cunégonde", "Lison",    "Noémie"};
static const char *const first_m_held[] = {
    "Serge",   "Dominique", "Roger",    "Claude",  "Didier",        "Bruno",      "Lionel",
    "Yannick", "Rémi",      "Gwendal",  "Ronan",   "Erwan",         "Tanguy",     "Loïc",
    "Anatole", "Côme",      "Mamadou",  "Karim",   "Jean-Baptiste", "Pierre",     "Hippolyte",
    "Aymeric", "Ghislain",  "Évariste", "Fulbert", "Kylian",        "Enguerrand", "Marius"};
static const char *const last_dev[] = {
    "Martin",   "Bernard",  "Dubois",    "Thomas",   "Robert",  "Richard",  "Petit",   "Durand",   "Leroy",
    "Moreau",   "Simon",    "Laurent",   "Lefebvre", "Michel",  "Garcia",   "David",   "Bertrand", "Roux",
    "Vincent",  "Fournier", "Morel",     "Girard",   "Andre",   "Mercier",  "Dupont",  "Lambert",  "Bonnet",
    "François", "Martinez", "Legrand",   "Garnier",  "Faure",   "Rousseau", "Blanc",   "Guérin",   "Muller",
    "Henry",    "Roussel",  "Nicolas",   "Perrin",   "Morin",   "Mathieu",  "Clément", "Gauthier", "Dumont",
    "Lopez",    "Fontaine", "Chevalier", "Robin",    "Masson",  "Le Gall",  "Nguyen",  "Pierre",   "Roche",
    "Berger",   "Le Bihan", "Haddad",    "Da Silva", "Kerbrat", "Diallo"};
static const char *const last_held[] = {"Sanchez",
                                        "Dupuis",
                                        "Lucas",
                                        "Meunier",
                                        "Brun",
                                        "Blanchard",
                                        "Caron",
                                        "Giraud",
                                        "Joly",
                                        "Rivière",
                                        "Lemaire",
                                        "Barbier",
                                        "Arnaud",
                                        "Roger",
                                        "Picard",
                                        "Leclerc",
                                        "Cousin",
                                        "Moulin",
                                        "Marin",
                                        "Petit",
                                        "Quéméner",
                                        "Le Meur",
                                        "Kervella",
                                        "Goasdoué",
                                        "Etchebarne",
                                        "Iribarne",
                                        "Casanova",
                                        "Pietri",
                                        "Zerbib",
                                        "Benhamou",
                                        "Ouedraogo",
                                        "Tshibanda",
                                        "Ferrandez",
                                        "Wojcik",
                                        "Kowalczyk",
                                        "Schaeffer",
                                        "Baumgartner",
                                        "Lachaud",
                                        "Peyronnet",
                                        "Chabanel",
                                        "Vautrin",
                                        "Dellac",
                                        "Montagnier",
                                        "Trébuchet",
                                        "Rose",
                                        "Blanc",
                                        "Laborde-Ducasse",
                                        "Van der Berg",
                                        "Ménétrier-Lacaze",
                                        "Hallouin",
                                        "Cadoret",
                                        "Ricordeau"};
static const notes_commune communes_dev[] = {
    {"Rennes", "35000"},     {"Brest", "29200"},        {"Nantes", "44000"},      {"Lyon", "69003"},
    {"Paris", "75013"},      {"Marseille", "13005"},    {"Toulouse", "31400"},    {"Bordeaux", "33000"},
    {"Lille", "59000"},      {"Strasbourg", "67000"},   {"Vannes", "56000"},      {"Quimper", "29000"},
    {"Saint-Malo", "35400"}, {"Angers", "49100"},       {"Le Mans", "72000"},     {"Caen", "14000"},
    {"Dijon", "21000"},      {"Grenoble", "38000"},     {"Montpellier", "34000"}, {"Nice", "06100"},
    {"Lorient", "56100"},    {"Saint-Brieuc", "22000"}, {"La Rochelle", "17000"}, {"Tours", "37000"}};
static const notes_commune communes_held[] = {{"Plouguerneau", "29880"},
                                              {"Landerneau", "29800"},
                                              {"Châteaulin", "29150"},
                                              {"Ploërmel", "56800"},
                                              {"Saint-Jean-de-Luz", "64500"},
                                              {"Bourg-Saint-Maurice", "73700"},
                                              {"Lamballe-Armor", "22400"},
                                              {"Montbrison", "42600"},
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
                                              {"Pau", "64000"}};
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
                                      "rue du Stade"};
static const char *const hospitals_dev[] = {"CHU de Rennes",        "Centre Eugène Marquis",
                                            "Hôpital Saint-Louis",  "Centre Hospitalier de Vannes",
                                            "Institut Curie",       "CHU de Nantes",
                                            "Clinique Saint-Jean",  "Hôpital Européen Georges Pompidou",
                                            "Centre Léon Bérard",   "Institut Bergonié",
                                            "Hôpital de la Timone", "Centre Oscar Lambret"};
static const char *const hospitals_held[] = {"Centre Hospitalier de Cornouaille",
                                             "Institut Paoli-Calmettes",
                                             "Hôpital Henri Mondor",
                                             "CHU de Brest",
                                             "Polyclinique du Trégor",
                                             "Centre François Baclesse",
                                             "Hôpital Privé Sévigné",
                                             "Institut de Cancérologie de l'Ouest",
                                             "Clinique Pasteur",
                                             "CHRU de Tours",
                                             "Centre Antoine Lacassagne",
                                             "Groupe Hospitalier Bretagne Sud"};
static const char *const domains[] = {"gmail.com",  "orange.fr", "free.fr",  "laposte.net",
                                      "wanadoo.fr", "sfr.fr",    "yahoo.fr", "hotmail.fr"};

#define N(a) (sizeof a / sizeof *a)

void notes_pools_get(int heldout, notes_pools *p)
{
    p->first_f = heldout ? first_f_held : first_f_dev;
    p->n_first_f = heldout ? N(first_f_held) : N(first_f_dev);
    p->first_m = heldout ? first_m_held : first_m_dev;
    p->n_first_m = heldout ? N(first_m_held) : N(first_m_dev);
    p->last = heldout ? last_held : last_dev;
    p->n_last = heldout ? N(last_held) : N(last_dev);
    p->communes = heldout ? communes_held : communes_dev;
    p->n_communes = heldout ? N(communes_held) : N(communes_dev);
    p->hospitals = heldout ? hospitals_held : hospitals_dev;
    p->n_hospitals = heldout ? N(hospitals_held) : N(hospitals_dev);
    p->streets = streets;
    p->n_streets = N(streets);
    p->domains = domains;
    p->n_domains = N(domains);
}
