/* Unit tests for the de-identifier's classes of issue #12, round 8:
 * establishments named by a care structure's head and a place. Every
 * string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define LABEL(text, needle) label_nth(det, text, needle, 0)

/* A care structure's head (in words or an acronym the medical vocabulary
 * holds), specialty words, a connector and its place: the whole phrase
 * is the establishment; the same words without a place stay. */
static void test_care_structures(void **state)
{
    (void)state;
    const char *cab = "Passage du cabinet infirmier des Vergers de Moselle chaque soir.";
    assert_int_equal(LABEL(cab, "cabinet"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(cab, "Vergers"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(cab, "soir"), 0);
    const char *msp = "Suivie à la Maison de santé pluriprofessionnelle de Lanvollon depuis mai.";
    assert_int_equal(LABEL(msp, "pluriprofessionnelle"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(msp, "Lanvollon"), AT_PHI_HOPITAL);
    const char *emsp = "L'EMSP du Haut-Vivarais passera jeudi.";
    assert_int_equal(LABEL(emsp, "EMSP"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(emsp, "Haut-Vivarais"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL("AVIS DU CAMSP DU BOCAGE NORMAND : BILAN EN COURS.", "BOCAGE"), AT_PHI_HOPITAL);
    const char *low = "transférée à la clinique de l'ardrière pour la suite";
    assert_int_equal(LABEL(low, "ardrière"), AT_PHI_HOPITAL);
    assert_int_equal(LABEL(low, "suite"), 0);
    /* specialties and the words of a compound stay */
    assert_int_equal(LABEL("Hôpital de jour d'onco-hématologie pédiatrique le 3e étage.", "onco-hématologie"),
                     0);
    assert_int_equal(LABEL("Consultation au cabinet infirmier le matin.", "cabinet"), 0);
    assert_int_equal(LABEL("Gliome : IDH wild-type, MGMT méthylé.", "wild-type"), 0);
    assert_int_equal(LABEL("Revue par l'EMSP ce jour, douleur contrôlée.", "EMSP"), 0);
}

/* A street's phrase is one address: its word, connectors, name and
 * house number, in French, in capitals, dictated or abroad; the words
 * that are streets only now and then stay words elsewhere. */
static void test_street_phrases(void **state)
{
    (void)state;
    const char *q = "Vit au quartier de l'Orme-Vert depuis dix ans.";
    assert_int_equal(LABEL(q, "quartier"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(q, "Orme-Vert"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(q, "depuis"), 0);
    const char *grande = "Domicile : 17 Grande Rue, 70100 Gray.";
    assert_int_equal(LABEL(grande, "17"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(grande, "Grande"), AT_PHI_ADRESSE);
    const char *dict = "il habite trente-six rue de la fontaine avec sa femme";
    assert_int_equal(LABEL(dict, "trente-six"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(dict, "fontaine"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(dict, "avec"), 0);
    const char *caps = "ADRESSE : 9 AV. DU PRÉSIDENT WILSON 86000 POITIERS";
    assert_int_equal(LABEL(caps, "PRÉSIDENT"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(caps, "WILSON"), AT_PHI_ADRESSE);
    const char *abroad = "Domiciliée Carrer de la Riera 22, Figueres, et Ahornstrasse 31 à Bâle.";
    assert_int_equal(LABEL(abroad, "Carrer"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(abroad, "22"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(abroad, "Ahornstrasse"), AT_PHI_ADRESSE);
    assert_int_equal(LABEL(abroad, "31"), AT_PHI_ADRESSE);
    /* words that are streets only now and then */
    assert_int_equal(LABEL("Mise en place du PAC au cours de la cure.", "place"), 0);
    assert_int_equal(LABEL("Perfusion par voie veineuse centrale.", "voie"), 0);
    assert_int_equal(LABEL("Hémocultures sur flacons BD BACTEC Plus.", "BACTEC"), 0);
    assert_int_equal(LABEL("Il cite l'exemple de la Belgique.", "exemple"), 0);
}

/* A soldier's unit by its ordinal, its place or its number, and a
 * trade's house with its name, are employers; "en compagnie de" and the
 * vena cava stay. */
static void test_units_and_trades(void **state)
{
    (void)state;
    const char *reg = "Caporal au 21e régiment d'infanterie de marine, en mission.";
    assert_int_equal(LABEL(reg, "21e"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL(reg, "infanterie"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL(reg, "marine"), AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL(reg, "mission"), 0);
    assert_int_equal(LABEL("Adjudant de la brigade de gendarmerie de Saugues.", "gendarmerie"),
                     AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Affecté à la base aérienne 702 depuis mars.", "702"), AT_PHI_EMPLOYEUR);
    assert_int_equal(
        LABEL("Ancien ouvrier des Forges de la Brême, puis à la fromagerie du Plateau.", "Brême"),
        AT_PHI_EMPLOYEUR);
    assert_int_equal(
        LABEL("Ancien ouvrier des Forges de la Brême, puis à la fromagerie du Plateau.", "fromagerie"),
        AT_PHI_EMPLOYEUR);
    assert_int_equal(LABEL("Venue en compagnie de sa fille Inès.", "compagnie"), 0);
    assert_int_equal(LABEL("Thrombose de la veine cave inférieure.", "cave"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_care_structures),
        cmocka_unit_test(test_street_phrases),
        cmocka_unit_test(test_units_and_trades),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
