/* Unit tests for the de-identifier's classes of issue #12, round 18:
 * surnames that are words of care or of the language where the identity
 * is written. Every string is invented here; none is a fixture of
 * patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

/* det, rules: the default detector and the rules alone (text_label.h) */

#define LABEL(text, needle) label_nth(det, text, needle, 0)
#define RULE(text, needle) label_nth(rules, text, needle, 0)

/* A surname in capitals that a dictionary of care or of the language
 * holds: after a title, "née" or a field's colon and before a first
 * name, and right after a doctor's title when it has five letters. Not a
 * protocol's name after "patient" without a colon. */
static void test_identity_surnames(void **state)
{
    (void)state;
    assert_int_equal(RULE("Patiente : Mme CHAMPAGNE Valérie, née le 27/07/1974", "CHAMPAGNE"), AT_PHI_NOM);
    assert_int_equal(LABEL("Patient : SAMEDI Théodore   né le 02/08/1950", "SAMEDI"), AT_PHI_NOM);
    assert_int_equal(RULE("Consultation le 26/3 avec Dr BOUVERET.", "BOUVERET"), AT_PHI_NOM);
    assert_int_equal(LABEL("Patient : BISMUTH Bernard — 66 ans — IPP 4471203", "BISMUTH"), AT_PHI_NOM);
    assert_int_equal(RULE("Prenez la carte patient FOLFIRINOX et l'ordonnance.", "FOLFIRINOX"), 0);
    assert_int_equal(RULE("Dr Perrin : TDM TAP le 12/3, pas de récidive.", "TAP"), 0);
}

/* After a title: a surname of the lists before a colon ("Mme Fournier :
 * RAS", Fournier also an eponym), and a surname after the initials of a
 * compound first name in one word ("Dr J-B. Petit"). A field's label
 * before its colon stays. */
static void test_after_title(void **state)
{
    (void)state;
    assert_int_equal(RULE("Ch. 22 – Mme Fournier : RAS, radiodermite en amélioration.", "Fournier"),
                     AT_PHI_NOM);
    assert_int_not_equal(RULE("Ordonnance faite.\n                 Dr J-B. Petit\n", "Petit"), 0);
    assert_int_equal(RULE("Gangrène de Fournier : débridement en urgence.", "Fournier"), 0);
    /* the next field's label ends a name */
    static const char f[] = "NOM de naissance : GUILLOU     NOM d'usage : LE CORRE\nPrénom(s) : Yvette\n";
    assert_int_equal(RULE(f, "GUILLOU"), AT_PHI_NOM);
    assert_int_equal(label_nth(rules, f, "NOM", 1), 0);
    /* a wide gap ends a name; "veuve." ends a sentence; "NE PAS" is no
     * birth; "décédée" after "épouse" is no maiden name */
    static const char g[] =
        "Validation médicale : Dr Morgane Thomas   Validation pharmaceutique : F. Grondin\n";
    assert_int_equal(RULE(g, "Thomas"), AT_PHI_NOM);
    assert_int_equal(label_nth(rules, g, "Validation", 1), 0);
    assert_int_equal(RULE("Situation familiale : veuve. Vit avec son fils cadet.", "Vit"), 0);
    assert_int_equal(RULE("Neveu (pers. confiance) NE PAS appeler la nuit.", "PAS"), 0);
    assert_int_equal(RULE("Elle cherche son mari (épouse décédée) la nuit.", "décédée"), 0);
}

/* An initial and a capitalised word that close their line or item are a
 * person, though the word is one of the language; a sentence after a
 * letter and its point goes on, and a maker of devices stays. */
static void test_closed_initial_names(void **state)
{
    (void)state;
    assert_int_equal(RULE("Le Directeur des Finances, A. Roques\n", "Roques"), AT_PHI_NOM);
    assert_int_equal(RULE("Dr C. Ribeiro   Physicien : Y. Trouvé   Cadre : N. Dumas\n", "Trouvé"),
                     AT_PHI_NOM);
    assert_int_equal(RULE("Sérologie hépatite B. Contrôle dans un mois.\n", "Contrôle"), 0);
    assert_int_equal(RULE("Vitamine D. Pas de supplémentation.\n", "Pas"), 0);
    assert_int_equal(RULE("Dispositif : chambre Celsite ST305c (B. Braun), cathéter 6,5 Fr\n", "Braun"), 0);
    /* dotted initials before a comma or a bracket and a role */
    assert_int_not_equal(RULE("Je préviens l'interne.\nC. D., IDE\n", "C. D."), 0);
    assert_int_not_equal(RULE("Départ à 7h15.\nA. G. (IDEC sein)\n", "A. G."), 0);
    assert_int_equal(RULE("Bilan : stade T. N. (IDE)\n", "T. N."), 0);
}

/* A day and month without a year that close a phrase a few words after
 * the name of an event; not a count of lymph nodes or criteria. */
static void test_event_dates(void **state)
{
    (void)state;
    assert_int_equal(RULE("Consultation HDJ hémato 6/10\nM. Roy, 76 ans.\n", "6/10"), AT_PHI_DATE);
    assert_int_equal(RULE("Bilan TEP 20/7, début du traitement ensuite.\n", "20/7"), AT_PHI_DATE);
    assert_int_equal(RULE("Date : 3/12      Heure : 11h20\n", "3/12"), AT_PHI_DATE);
    assert_int_equal(RULE("Curage : ganglions 2/12 envahis.\n", "2/12"), 0);
    assert_int_equal(RULE("Bilan : 3/4 critères.\n", "3/4"), 0);
    /* with a dash or a point after a cue or an event's name */
    assert_int_equal(RULE("C1 le 16/9, C2 le 30-09, C3 le 14-10 à dose réduite.\n", "30-09"), AT_PHI_DATE);
    assert_int_equal(RULE("Indication : masse (TDM du 28.2).\n", "28.2"), AT_PHI_DATE);
    assert_int_equal(RULE("IRM (27-10) : 28 mm.\n", "27-10"), AT_PHI_DATE);
    assert_int_equal(RULE("Hb passée de 12.3 à 10.1 g/dL.\n", "12.3"), 0);
    assert_int_equal(RULE("Nausées le 2-3 fois par jour.\n", "2-3"), 0);
    assert_int_equal(RULE("Mise à jour du logiciel le 2.1.3 ce matin.\n", "2.1"), 0);
}

/* First names that are months, countries or words: after a relative or a
 * colleague, and a month after a doctor's title or initial; a ward after
 * a nurse manager and a month before a year stay. */
static void test_names_that_are_words(void **state)
{
    (void)state;
    assert_int_equal(RULE("Il vient accompagné de sa nièce France, qui s'occupe de lui.", "France"),
                     AT_PHI_PRENOM);
    assert_int_equal(RULE("Demande si sa tante Mai peut venir dimanche.", "Mai"), AT_PHI_PRENOM);
    assert_int_equal(RULE("Nuit du 14/02, 21h (IDE Avril) : nuit calme.", "Avril"), AT_PHI_PRENOM);
    assert_int_not_equal(RULE("Opérateur : Dr P. Avril   Aide : Dr F. Martin\n", "Avril"), 0);
    assert_int_equal(RULE("Copie : cadre Réanimation, secrétariat.", "Réanimation"), 0);
    assert_int_equal(RULE("Son fils veut savoir si grand-mère Avril peut venir.", "Avril"), AT_PHI_PRENOM);
    assert_int_equal(RULE("Sa fille Mai 2024 : rien à signaler.", "Mai"), AT_PHI_DATE);
    /* in capitals, a first name in brackets after a relative */
    static const char c[] = "RDV À 1 MOIS. CONTACT DU PÈRE (ROLAND) : 06 12 58 77 30.\n"
                            "TRAITEMENT PAR FOLFOX (ALICE) EN COURS.\n";
    assert_int_equal(RULE(c, "ROLAND"), AT_PHI_PRENOM);
    assert_int_equal(RULE(c, "ALICE"), 0);
}

/* A house number as an OCR writes it (l for 1, O for 0) opens the
 * address; "l" alone is an elision. */
static void test_ocr_house_numbers(void **state)
{
    (void)state;
    assert_int_equal(RULE("Adresse : ll bis rue St Jean appt 3\n", "ll"), AT_PHI_ADRESSE);
    assert_int_equal(RULE("Adresse : l4 ter, Lieu-dit Pech de Berre\n", "l4"), AT_PHI_ADRESSE);
    assert_int_equal(RULE("il habite l avenue de la gare depuis toujours\n", "habite l "), 0);
}

/* A hospital's acronym no list holds: "CH" or "GH" and one to three
 * capitals; a regimen or a word of care stays. */
static void test_hospital_acronyms(void **state)
{
    (void)state;
    assert_int_equal(RULE("Patient adressé par CHM pour carcinome de l'oropharynx.", "CHM"), AT_PHI_HOPITAL);
    assert_int_equal(RULE("Lymphome traité par R-CHOP 21, puis CHIP prévue.", "CHOP"), 0);
    assert_int_equal(RULE("Lymphome traité par R-CHOP 21, puis CHIP prévue.", "CHIP"), 0);
}

/* In a transcript: a word between a title and a first name in lower case
 * is the surname; a phone said with "soixante-et-onze" is one number. */
static void test_transcript_names_and_phones(void **state)
{
    (void)state;
    static const char a[] = "appelle pour le lonsurf de mr bastide albert rupture grossiste dispo demain "
                            "ok pour decaler de vingt-quatre heures le debut du cycle";
    assert_int_equal(LABEL(a, "bastide"), AT_PHI_NOM);
    assert_int_equal(LABEL(a, "lonsurf"), 0);
    /* an eponym after a doctor's title in lower case is the doctor */
    static const char d[] = "bon alors courrier pour le docteur lhermitte virgule objet madame x point "
                            "signe de lhermitte positif point";
    assert_int_equal(RULE(d, "lhermitte"), AT_PHI_NOM);
    assert_int_equal(label_nth(rules, d, "lhermitte", 1), 0);
    static const char b[] = "le fils n a pas de voiture le car passe le mardi seulement donc prevoir un vsl "
                            "point numero de telephone du fils zero quatre soixante-et-onze vingt-deux "
                            "cinquante-huit trente point il a eu soixante-et-onze ans";
    assert_int_equal(RULE(b, "soixante-et-onze vingt"), AT_PHI_TEL);
    assert_int_equal(RULE(b, "trente"), AT_PHI_TEL);
    assert_int_equal(label_nth(rules, b, "soixante-et-onze", 1), 0);
    /* from "zéro", groups in words and digits, spoken points: ten digits */
    static const char c[] = "rappeler zéro six. quinze. trente-trois. zéro zéro. soixante-quatre avec "
                            "les résultats point il a zéro six douze ans point";
    assert_int_equal(RULE(c, "quinze"), AT_PHI_TEL);
    assert_int_equal(RULE(c, "soixante-quatre"), AT_PHI_TEL);
    assert_int_equal(label_nth(rules, c, "douze", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_surnames),    cmocka_unit_test(test_after_title),
        cmocka_unit_test(test_closed_initial_names), cmocka_unit_test(test_event_dates),
        cmocka_unit_test(test_names_that_are_words), cmocka_unit_test(test_transcript_names_and_phones),
        cmocka_unit_test(test_ocr_house_numbers),    cmocka_unit_test(test_hospital_acronyms),
    };
    return cmocka_run_group_tests(tests, text_rules_setup, text_rules_teardown);
}
