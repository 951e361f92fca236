/* Unit tests for the de-identifier's classes of issue #12, round 3:
 * entity completion (an establishment or an organisation as a whole noun
 * phrase from its head word, with the ordinary words inside it), numbers
 * under the allow-list's principle (years alone, days before a date,
 * groups of digits, codes by shape, a label's shape), the safe side by
 * classes (eponym places, study names, field labels, drug stems, cut and
 * misspelt words, units, batch and trial numbers), and names after a
 * greeting; round 4: tables by their header, names from e-mail
 * addresses, joins by position, treatments by their context. Each assertion names a string that a rule of one
 * class must find or keep; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define FOUND(text, needle) assert_true(label_of(text, needle) != 0)
#define KEPT(text, needle) assert_int_equal(label_of(text, needle), 0)

/* Establishments and organisations from their head word, the ordinary
 * words inside them too; descriptors alone name nothing. */
static void test_phrases(void **state)
{
    (void)state;
    static const char a[] = "Transféré au centre de soins de suite et de réadaptation de Kervalen hier.";
    FOUND(a, "soins");
    FOUND(a, "suite");
    FOUND(a, "Kervalen");
    static const char b[] = "Décès à l'hôpital de la Roche Grise, service de médecine.";
    FOUND(b, "hôpital");
    FOUND(b, "Roche");
    KEPT(b, "service");
    static const char c[] = "Retour assuré par les Ambulances de la Rance vers 18 h.";
    FOUND(c, "Ambulances");
    FOUND(c, "Rance");
    assert_int_equal(label_of("Ouvrier agricole au GAEC des Trois Ormes depuis vingt ans.", "Ormes"),
                     AT_PHI_EMPLOYEUR);
    assert_int_equal(label_of("Suivi à la clinique Saint-Hilarion (CSH) depuis mars.", "CSH"),
                     AT_PHI_HOPITAL);
    assert_int_equal(label_of("Retour au CHCB après la greffe.", "CHCB"), AT_PHI_HOPITAL);
    FOUND("Relais par la HAD 22, passage le matin.", "22");
    FOUND("Aide à domicile par l'ADMR de Plouvorn le soir.", "Plouvorn");
    FOUND("Domicile : Les Hauts de Kervellec, 29860 Plabennec.", "Hauts");
    FOUND("Vit seule, appt 12, résidence du Vallon.", "12");
    /* generic descriptors alone, and an acronym opening a sentence */
    KEPT("Recommandations de l'Institut National du Cancer suivies.", "National");
    KEPT("Avis du Centre de Lutte Contre le Cancer demandé.", "Lutte");
    KEPT("Bilan fait. EVA Hypothyroïdie sous traitement stable.", "Hypothyroïdie");
}

/* Numbers: years alone are dates unless measured or named, a day before a
 * date is one, groups of digits and codes by shape are record numbers. */
static void test_numbers(void **state)
{
    (void)state;
    assert_int_equal(label_of("Cholécystectomie en 2009, sans suite.", "2009"), AT_PHI_DATE);
    assert_int_equal(label_of("Tuberculose traitée (1978), guérie.", "1978"), AT_PHI_DATE);
    assert_int_equal(label_of("Hospitalisée à l'été 2016 pour une chute.", "été"), AT_PHI_DATE);
    assert_int_equal(label_of("Née en 1941 à la ferme familiale.", "1941"), AT_PHI_DATE_NAISSANCE);
    KEPT("Classification OMS 2016 des tumeurs cérébrales.", "2016");
    KEPT("Apport de 1800 kcal par jour conseillé.", "1800");
    KEPT("Plaquettes 1950 G/L après transfusion.", "1950");
    assert_int_equal(label_of("Garde de nuit du 14 au 15/02 sans incident.", "14"), AT_PHI_DATE);
    assert_int_equal(label_of("Poche n° 4417 0921 3385 délivrée.", "3385"), AT_PHI_ID);
    assert_int_equal(label_of("Patients 031-002 et 031-005 vus en visite.", "002"), AT_PHI_ID);
    assert_int_equal(label_of("Examen H24.00931 reçu au laboratoire.", "H24"), AT_PHI_ID);
    assert_int_equal(label_of("Séjour NDA 24-007731 clos.", "007731"), AT_PHI_NDA);
    /* a label's shape: "sécurité sociale du 30 janvier" holds no NIR */
    assert_int_equal(label_of("Dossier de sécurité sociale du 30 janvier reçu.", "janvier"), AT_PHI_DATE);
    /* no one's numbers: batches, trials' registrations, ranges with units */
    KEPT("Lot du flacon : B22741X, conservé.", "B22741X");
    KEPT("Essai enregistré (EudraCT 2021-004412-33-00).", "004412");
    KEPT("Pression 120-130 mmHg au repos.", "120-130");
    /* a score out of ten is no date */
    KEPT("Greffe HLA géno-identique 10/10.", "10/10");
}

/* The safe side by classes. */
static void test_safe_classes(void **state)
{
    (void)state;
    KEPT("Open coelioscopie selon Vassier, sans incident.", "Vassier");
    KEPT("Score Morvani : 6, risque intermédiaire.", "Morvani");
    KEPT("Réunion en salle Trousseau à 14 h.", "Trousseau");
    KEPT("Inclus dans le programme LEA de suivi.", "LEA");
    KEPT("Essai GORTEC 2019-02 (TRELIX) proposé.", "TRELIX");
    KEPT("Préleveur : service de chirurgie.", "Préleveur");
    KEPT("Prophylaxie par letermovir pendant 100 jours.", "letermovir");
    KEPT("Service;RADIOTH;salle 2", "RADIOTH");
    KEPT("Phénotype LAL-T confirmé en cytométrie.", "LAL-T");
    KEPT("Prcohain contrôle dans un mois.", "Prcohain");
    KEPT("Tabac sevré, 40 PA, et 66 Gy délivrés.", "PA");
    KEPT("Tabac sevré, 40 PA, et 66 Gy délivrés.", "Gy");
    KEPT("Demande faite à la biobanque, BIOBANQUE informée.", "BIOBANQUE");
    /* names still go */
    assert_int_equal(label_of("Défunt : LE MEUR Yannick, 81 ans.", "MEUR"), AT_PHI_NOM);
    assert_int_equal(label_of("Bonjour Pascale,\nmerci pour le compte rendu.", "Pascale"), AT_PHI_PRENOM);
    assert_int_equal(label_of("Communes : noyal-sur-vilaine et plouguin-le-haut.", "noyal"), AT_PHI_VILLE);
    assert_int_equal(label_of("Envoyé le mer. 5 févr. 2025 à 9 h.", "févr"), AT_PHI_DATE);
    /* the weekday before a date is the date's (it narrows the day down) */
    assert_int_equal(label_of("Envoyé le mer. 5 févr. 2025 à 9 h.", "mer"), AT_PHI_DATE);
}

/* Round 4: names by position and structure, treatments by context. */
static void test_round4_classes(void **state)
{
    (void)state;
    /* a table's column by its header; a line of prose with commas is none */
    static const char t[] = "NOM;PRENOM;DDN;COMMUNE\nLE GOFF;Armelle;14/11/1962;Vierzon\n";
    FOUND(t, "GOFF");
    assert_int_equal(label_of(t, "Vierzon"), AT_PHI_VILLE);
    KEPT("Patiente de 74 ans, veuve, seule.\nAntécédents : HTA, FA, diabète.\n", "HTA");
    /* the names an e-mail address gives away */
    static const char m[] = "De : Iris Vidal <iris.vidal@example.fr>\nMerci, Iris.\n";
    FOUND(m, "Iris");
    KEPT("À : secretariat.onco@example.fr\nSecrétariat fermé.\n", "Secrétariat");
    /* joins by position */
    assert_int_equal(label_of("Docteur Lorraine MENARD a vu la patiente.", "Lorraine"), AT_PHI_PRENOM);
    assert_int_equal(label_of("Ses enfants, Zéria et Auette, sont venus.", "Auette"), AT_PHI_PRENOM);
    assert_int_equal(label_of("Dossier présenté : R. DURAUD, né le 3/4/1950.", "R"), AT_PHI_PRENOM);
    assert_int_equal(label_of("Cabinet, 31 chemin de Kerlann, Millau\n", "Millau"), AT_PHI_VILLE);
    assert_int_equal(label_of("Fait à Pithiviers, le 12/02/2020\n", "Pithiviers"), AT_PHI_VILLE);
    FOUND("Cher Flomon,\nmerci pour le dossier.", "Flomon");
    FOUND("Son employeur (Safran) est informé.", "Safran");
    KEPT("Adressé par le docteur Morvan de Saint-Renan pour hématurie.", " de ");
    /* a list of drugs is no list of people; treatments by their context */
    KEPT("Traitement en cours : Aquacel, Biatain, Urgotul, Jelonet.", "Jelonet");
    KEPT("Vextralin arrêté la semaine dernière, Zorbiqa poursuivi.", "Zorbiqa");
    KEPT("Essais : KEYNOTE-189, CheckMate 227, IMpower150, PACIFIC.", "PACIFIC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrases),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_safe_classes),
        cmocka_unit_test(test_round4_classes),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
