/* The pools keyed surrogates are drawn from (surrogate.c): invented
 * surnames, first names (female, male in turn), towns, streets and
 * establishments, none a real person's; and the list of each label. */
#include "deid_internal.h"

#include <stddef.h>

const char *const text_sur_last[] = {
    "Arnoux",     "Balland",  "Cazenave",    "Delorme",   "Escoffier", "Ferrandi",  "Gasnier",  "Hautbois",
    "Imbert",     "Jolivet",  "Kessler",     "Lafargue",  "Maupin",    "Nadaud",    "Orsini",   "Pradier",
    "Quillet",    "Rabier",   "Sauvage",     "Thuillier", "Urvoy",     "Valette",   "Wattier",  "Yvon",
    "Zeller",     "Aubrac",   "Bessiere",    "Castagne",  "Dorval",    "Espinasse", "Fauvel",   "Gendron",
    "Allard",     "Barbier",  "Berthier",    "Blondel",   "Boissier",  "Bonnafous", "Bourdin",  "Brunet",
    "Carpentier", "Chabert",  "Charpentier", "Chauvet",   "Clavel",    "Cordier",   "Coste",    "Courtois",
    "Dalmasso",   "Delattre", "Delmas",      "Deschamps", "Devaux",    "Dufour",    "Dumas",    "Duval",
    "Esnault",    "Fabre",    "Faure",       "Fleury",    "Ferrand",   "Fournier",  "Gaillard", "Garnier",
    "Gauthier",   "Gervais",  "Girard",      "Godard",    "Grondin",   "Guerin",    "Guillot",  "Hamon",
    "Hebert",     "Hoarau",   "Huet",        "Jacquet",   "Joly",      "Jourdan",   "Labbe",    "Lacroix",
    "Lambert",    "Langlois", "Laurent",     "Leclerc",   "Lefort",    "Legrand",   "Lemaire",  "Leroux",
    "Lebrun",     "Maillard", "Marchand",    "Maury",     "Masson",    "Marty",     "Menard",   "Mercier",
    "Meunier",    "Michaud",  "Millet",      "Moreau",    "Morel",     "Navarro",   "Neveu",    "Oudin",
    "Pelletier",  "Pasquier", "Payet",       "Perrin",    "Picard",    "Poirier",   "Poulain",  "Prevost",
    "Raynaud",    "Regnier",  "Rey",         "Riviere",   "Rigal",     "Rolland",   "Roussel",  "Royer",
    "Sanchez",    "Schmitt",  "Tessier",     "Texier",    "Tournier",  "Vasseur",   "Vidal",    "Weber"};
/* First names in female/male pairs: even indices female, odd male. */
const char *const text_sur_first[] = {
    "Alice",     "Bastien", "Coline",   "Damien", "Elsa",   "Fabien", "Gaelle", "Hugo",
    "Ines",      "Jules",   "Katia",    "Lucas",  "Maelle", "Nathan", "Oriane", "Paul",
    "Quitterie", "Remi",    "Solene",   "Theo",   "Ursule", "Victor", "Wendy",  "Yanis",
    "Zelie",     "Adam",    "Berenice", "Cyril",  "Diane",  "Emile",  "Flora",  "Gaspard"};
const char *const text_sur_city[] = {"Valmont",
                                     "Beaulieu",
                                     "Montclar",
                                     "Rochefontaine",
                                     "Saint-Aubin-des-Bois",
                                     "Villeneuve-la-Riviere",
                                     "Bellegarde",
                                     "Champfleury",
                                     "Fontenelle",
                                     "Mirabel",
                                     "Roquebrune",
                                     "Sainte-Colombe",
                                     "Chateauneuf",
                                     "Montagnac",
                                     "Puymirol",
                                     "Vauclair"};
const char *const text_sur_street[] = {"rue des Tilleuls",        "avenue des Acacias", "allee des Cerisiers",
                                       "chemin des Vignes",       "place du Marche",    "impasse des Lilas",
                                       "boulevard de la Liberte", "rue du Moulin",      "route de la Foret",
                                       "quai des Mariniers"};
/* Hospitals, all masculine so that the article before them can be fixed
 * up (le, l', du, de l', au, à l'). */
const char *const text_sur_hosp[] = {"Centre Hospitalier de Valmont",
                                     "Hôpital Beaulieu",
                                     "Groupe Hospitalier des Tilleuls",
                                     "CHU de Montclar",
                                     "Institut Fontenelle",
                                     "Hôpital Sainte-Colombe"};

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

const char *const *text_surrogate_list(int label, size_t *n)
{
    static const struct {
        int label;
        const char *const *v;
        size_t n;
    } lists[] = {{AT_PHI_NOM, text_sur_last, COUNT_OF(text_sur_last)},
                 {AT_PHI_PRENOM, text_sur_first, COUNT_OF(text_sur_first)},
                 {AT_PHI_VILLE, text_sur_city, COUNT_OF(text_sur_city)},
                 {AT_PHI_ADRESSE, text_sur_street, COUNT_OF(text_sur_street)},
                 {AT_PHI_HOPITAL, text_sur_hosp, COUNT_OF(text_sur_hosp)}};
    for (size_t k = 0; k < COUNT_OF(lists); k++)
        if (lists[k].label == label) {
            *n = lists[k].n;
            return lists[k].v;
        }
    *n = 0;
    return NULL;
}

const size_t text_sur_last_n = sizeof text_sur_last / sizeof *text_sur_last;
const size_t text_sur_first_n = sizeof text_sur_first / sizeof *text_sur_first;
const size_t text_sur_city_n = sizeof text_sur_city / sizeof *text_sur_city;
const size_t text_sur_street_n = sizeof text_sur_street / sizeof *text_sur_street;
const size_t text_sur_hosp_n = sizeof text_sur_hosp / sizeof *text_sur_hosp;
