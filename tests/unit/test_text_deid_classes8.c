/* Unit tests for the de-identifier's classes of issue #12, round 6
 * (third part, after the tagger): initials (dotted, hyphenated, spaced,
 * capitals that sign a line, a name spelt out), compound first names,
 * words or towns in a surname's place, and establishments named by a
 * head of care and a place, with their traps. Every
 * string is invented here; none is a fixture of patient data. */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define FOUND(d, text, needle) assert_true(label_nth(d, text, needle, 0) != 0)
#define KEPT(d, text, needle) assert_int_equal(label_nth(d, text, needle, 0), 0)

/* Initials: dotted and hyphenated, run together in a signature, one
 * beside a name, capitals that sign a line, a name spelt out. */
static void test_initials(void **state)
{
    (void)state;
    static const char t1[] = "Transmissions.\nPansement refait à 14h (signé K.D. / R.T.)\n";
    FOUND(det, t1, "K.D.");
    FOUND(det, t1, "R.T.");
    static const char t2[] = "Avis.\nRéponse Dr Z.-W. (26/03) : renouvellement accepté.\n";
    FOUND(det, t2, "W.");
    static const char t3[] = "Appel patient.\nRDV déplacé au 15/03 17h20. — QF\n";
    FOUND(det, t3, "QF");
    static const char t4[] = "Identification.\nNom de naissance : K A R B A L          Prénom : Sana\n";
    FOUND(det, t4, "K A R B A L");
    static const char t5[] = "Transmissions.\nVu avec Gwenaëlle T. ce matin au lit du patient.\n";
    FOUND(det, t5, "T.");
    static const char t6[] = "Essai.\nLégende : QX = Dr Paule Kervella.\n";
    FOUND(det, t6, "QX");
    static const char t7[] = "Soins palliatifs.\nSignature : L. Berger\n";
    FOUND(det, t7, "L.");
    /* the traps: abbreviations, labels, germs, routes, staging, a title */
    static const char k1[] = "Courrier.\nP.J. : compte rendu opératoire.\nN.B. : à jeun strict.\n";
    KEPT(det, k1, "P.J.");
    KEPT(det, k1, "N.B.");
    static const char k2[] = "Bilan.\nGerme : E. coli multisensible.\n"
                             "Injection i.v. lente sur 30 min, relais p.o. à J3.\n"
                             "Classement cT2 N1 M0, stade II B.\n"
                             "Réf. : V.A.C. Ulta réglé à -125 mmHg.\n";
    KEPT(det, k2, "E.");
    KEPT(det, k2, "i.v.");
    KEPT(det, k2, "p.o.");
    KEPT(det, k2, "B.");
    KEPT(det, k2, "V.A.C.");
    static const char k3[] = "Courrier.\nSalutations distinguées.\nM. Rose\n";
    KEPT(det, k3, "M.");
}

/* A hyphenated word of two first names is a first name. */
static void test_compound_first_names(void **state)
{
    (void)state;
    static const char t1[] = "Visite.\nEntretien ce jour avec Hans-Peter et sa fille.\n";
    FOUND(det, t1, "Hans-Peter");
    static const char t2[] = "Transport.\nAppel de Marie-Paule pour le transport.\n";
    FOUND(det, t2, "Marie-Paule");
    /* an eponym whose first part is no first name is not one */
    static const char k1[] = "Neurologie.\nNeuropathie de Charcot-Marie-Tooth connue.\n";
    KEPT(det, k1, "Charcot-Marie-Tooth");
}

/* A word or a town in a surname's place: after a title, a first name,
 * an initial, "veuve"; the word and the town elsewhere kept. */
static void test_words_after_names(void **state)
{
    (void)state;
    static const char t1[] = "Soins palliatifs.\nSignature : L. Berger\n";
    FOUND(det, t1, "Berger");
    static const char t2[] = "Séjour.\nMme Germaine FAURE veuve PRINTEMPS, 84 ans.\n";
    FOUND(det, t2, "PRINTEMPS");
    static const char k1[] =
        "Décès.\nDate du décès : 21/10/2025.\nElle a offert une rose à sa fille, née à Lourdes.\n";
    KEPT(det, k1, "Date");
    KEPT(det, k1, "rose");
    KEPT(det, k1, "offert");
}

/* A head of care and a place: the establishment; an organ, a heading,
 * a specialty after the head are not. */
static void test_head_and_place(void **state)
{
    (void)state;
    static const char t1[] = "Sortie.\nCopie : Dr Aubert ; HAD de l'agglomération rouennaise\n";
    FOUND(det, t1, "agglomération rouennaise");
    FOUND(det, t1, "HAD");
    static const char t2[] = "Douleur.\nPréparé par la PUI du CHU, lot 25-IT-1187.\n";
    FOUND(det, t2, "PUI");
    static const char t3[] = "Imagerie.\nL'IRM du 2/4 faite à l'IRM du Kronenbourg montre une lésion.\n";
    assert_int_not_equal(label_nth(det, t3, "IRM", 1), 0);
    static const char k1[] = "Imagerie.\nIRM du genou droit normale. Scanner du Thorax sans anomalie.\n"
                             "Consultation à la clinique de la Douleur.\n";
    KEPT(det, k1, "genou");
    KEPT(det, k1, "Thorax");
    KEPT(det, k1, "Douleur");
    KEPT(det, k1, "clinique");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initials),
        cmocka_unit_test(test_compound_first_names),
        cmocka_unit_test(test_words_after_names),
        cmocka_unit_test(test_head_and_place),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
