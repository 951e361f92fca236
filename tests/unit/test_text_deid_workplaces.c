/* Unit tests for two classes of issue #12, round 6: employers by their
 * place in the sentence (deid_employer.c: a cue past a participle or a
 * colon, a trade before "à l'", "au", "(" or ",", a firm word heading a
 * name, a legal form closing one, lower-case names after "chez" in a
 * sentence about work, English "for", an acronym in brackets), and tables
 * by their header (deid_tables.c: headers in English and abbreviated,
 * columns of initials, staff, record numbers and ages, rule lines,
 * quoted cells). Every name and firm here is invented; each assertion
 * names a string that the class must find (or keep). */
#include "text_label.h"

#include "atelier/text.h"

#include <string.h>

#define FOUND(text, needle) assert_true(label_of(text, needle) != 0)
#define KEPT(text, needle) assert_int_equal(label_of(text, needle), 0)
#define EMPLOYER(text, needle) assert_int_equal(label_of(text, needle), AT_PHI_EMPLOYEUR)

/* The cue words of employment, past what stands between them and the
 * firm; the firm's whole name, its trade word and qualifiers included. */
static void test_employer_cues(void **state)
{
    (void)state;
    static const char a[] = "Employeur déclaré : Banque Populaire du Velay — agence de Brioude.";
    EMPLOYER(a, "Banque");
    EMPLOYER(a, "Velay");
    EMPLOYER("Employeur : chauffeur-livreur, Transports Vidalenc (arrêt de travail).", "Transports");
    EMPLOYER("Raison sociale : MENUISERIE ARTISANALE DU MEYGAL (MAM)", "ARTISANALE");
    EMPLOYER("Raison sociale : MENUISERIE ARTISANALE DU MEYGAL (MAM)", "MAM");
    static const char b[] = "Elle travaille comme aide-cuisinière à la cuisine centrale de Saugues.";
    EMPLOYER(b, "cuisine");
    EMPLOYER(b, "centrale");
    static const char c[] = "Ancien boulanger (boulangerie Ferrand & Fils, Yssingeaux), retraité.";
    EMPLOYER(c, "boulangerie");
    EMPLOYER(c, "Fils");
    EMPLOYER("Son fils est second de cuisine au restaurant Le Petit Quercy à Cahors.", "restaurant");
    EMPLOYER("Sa femme est employée à la mairie de Retournac depuis 2019.", "mairie");
    EMPLOYER("Ancien mineur aux Charbonnages de Lorraine, fosse 3.", "Charbonnages");
    EMPLOYER("chauffeur poids-lourd en invalidité (ex-Transports Miradou Auvergne)", "Miradou");
    /* lower case, in a sentence about work */
    static const char d[] = "travaillait au noir en maraîchage chez les serres malbosc jusqu'en mai.";
    EMPLOYER(d, "serres");
    EMPLOYER(d, "malbosc");
    EMPLOYER("Works as a data analyst for Quillon Metrics Ltd (Dublin).", "Quillon");
    /* a legal form names a firm with no cue */
    EMPLOYER("Bon de transport adressé à Cuisines Vellaves SAS, site de Brives.", "Vellaves");
    /* no firm: a relative's home, care at home, a contract, medicine */
    KEPT("Il vit chez sa fille depuis l'été.", "fille");
    KEPT("Infirmière à domicile deux fois par jour.", "domicile");
    KEPT("Aide-soignante (CDI) en arrêt depuis juin.", "CDI");
    KEPT("Patient avec HTA SAS appareillé, BPCO stable.", "SAS");
    KEPT("Chez ce patient, la douleur reste contrôlée.", "patient");
}

/* Tables: the header names the columns, in French, English or
 * abbreviated; initials and staff columns cell by cell, numbers and ages
 * by column, drugs and doses kept. */
static void test_tables(void **state)
{
    (void)state;
    static const char tsv[] = "registre_site14.tsv\n"
                              "site\tsubj\tinit\tyob\tage\tsexe\tstatut\tARC\n"
                              "14\t14-002\tKLM\t1931\t93\tF\tSF\tmbd\n"
                              "14\t14-003\tA-R\t1960\t64\tM\trandomisé\tmbd\n";
    assert_int_equal(label_of(tsv, "KLM"), AT_PHI_PRENOM);
    assert_int_equal(label_of(tsv, "A-R"), AT_PHI_PRENOM);
    assert_int_equal(label_of(tsv, "\t93\t"), AT_PHI_AGE);
    KEPT(tsv, "\t64\t");
    FOUND(tsv, "mbd");
    assert_int_equal(label_of(tsv, "14\t14-002"), AT_PHI_ID);
    static const char md[] =
        "Lit | Patient (âge)        | Méd. | Points de vigilance (relève 13h45) | IDE\n"
        "----+----------------------+------+------------------------------------+-----\n"
        "12A | Vialatte Odile (71)  | EVB  | canule, aspiration /2h              | Cathy\n"
        "14  | Sabatier Marcel (96) | PJM  | calcémie 1,98 → Calcidia            | Lucas\n";
    FOUND(md, "Vialatte");
    assert_int_equal(label_of(md, "96"), AT_PHI_AGE);
    KEPT(md, "(71)");
    FOUND(md, "EVB");
    FOUND(md, "Lucas");
    KEPT(md, "calcémie");
    KEPT(md, "canule");
    static const char csv[] = "\"scr\";\"nom\";\"prenom\";\"bras\";\"commentaire\"\n"
                              "\"SCR-0007\";\"ROUVEYRE\";\"Anselme\";\"A\";\"PD-L1 CPS 12; HER2 neg\"\n"
                              "\"SCR-0008\";\"Malavieille\";\"Berthe\";\"B\";\"ok\"\n";
    FOUND(csv, "Malavieille");
    FOUND(csv, "Berthe");
    KEPT(csv, "HER2");
    static const char plan[] = "heure;patient;ddn;protocole;IDE\n"
                               "08:00;Ravanel Odile;03/09/1955;carboplatine AUC5;Maëlys\n"
                               "08:30;Tessier Anne;17/05/1930 (94 a);trastuzumab SC 600 mg;Maëlys\n";
    assert_int_equal(label_of(plan, "94"), AT_PHI_AGE);
    KEPT(plan, "carboplatine");
    KEPT(plan, "trastuzumab");
    FOUND(plan, "Maëlys");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_employer_cues),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, text_setup, text_teardown);
}
