/* The parts the hospital-style synthetic notes share (notes_hosp_docs.c
 * puts them together by kind of record): clinical text full of strings
 * that must stay (drugs, doses, TNM, genes, scores, eponyms, lab values,
 * made-up medical words), letterheads, identity blocks, the patient's
 * title, age and birth, relatives, staff and colleagues named in passing,
 * signatures. */
#include "notes_hosp.h"

#include <stdio.h>
#include <string.h>

#define PICK(w, a) (a)[nw_pick(w, sizeof(a) / sizeof *(a))]

static const char *const clinical[] = {
    "Traitement par {oxaliplatine} {85 mg/m2} et {5-FU} en perfusion continue. ",
    "Poursuite du protocole {FOLFIRINOX}, cycle 4, dose réduite de 20 %. ",
    ("Carcinome canalaire infiltrant {pT2N1aM0}, grade {SBR} II, {RE} 90 %, {RP} 60 %, {HER2} négatif, "
     "{Ki67} "
     "25 %. "),
    "Adénocarcinome pulmonaire {cT3N2M1b}, mutation {EGFR} exon 19, pas de réarrangement {ALK} ni {ROS1}. ",
    "Mutation {KRAS} {G12C} retrouvée, statut {MSS}. ",
    "Recherche de mutation {BRCA1}/{BRCA2} négative. Score {PD-L1} à 60 %. ",
    "Score de {Gleason} 7 (4+3), {ISUP} 3, {PSA} à 12,4 ng/mL. ",
    "Indice de {Karnofsky} à 70 %, {OMS} 1. ",
    "Maladie de {Hodgkin} traitée par {ABVD} en [2009]. ",
    "Cholécystectomie en [2011], appendicectomie dans l'enfance. ",
    "Ancien fumeur (30 PA), sevré depuis [2015]. ",
    "Tuberculose pulmonaire traitée ([1978]). ",
    "Tumeur classée selon l'{OMS 2021} ({TNM} 8e édition, {UICC 2017}). ",
    "Compatibilité {HLA} 10/10 avec le donneur, {CMV} +/+. ",
    "Lot du médicament : {X013729}. ",
    "Syndrome de {Lynch} suspecté, consultation d'oncogénétique demandée. ",
    "Clairance selon {Cockcroft} à 62 mL/min, créatinine 88 µmol/L. ",
    "Hémoglobine {10,2 g/dL}, plaquettes {145 G/L}, {PNN} 1,2 G/L. ",
    "{CA 15-3} à 42 U/mL, {ACE} 6,1 ng/mL. ",
    "Mise sous {pembrolizumab} {200 mg} toutes les 3 semaines. ",
    "Relais par {capécitabine} ({Xeloda}) {1000 mg/m2} matin et soir, J1-J14. ",
    "Prémédication par {ondansétron} {8 mg} et {dexaméthasone} {12 mg}. ",
    "Thromboprophylaxie par {Lovenox} {4000 UI} sous-cutané. ",
    "Antalgie par {paracétamol} 1 g x 4 et {oxycodone} {10 mg} LP. ",
    "Neutropénie grade 3 à J10, {G-CSF} par {pegfilgrastim} au prochain cycle. ",
    "Signe de {Babinski} négatif, pas de signe de {Murphy}. ",
    "Score de {Khorana} à 2, score {G8} à 13/17. ",
    "Lésion hépatique segment VII de 18 mm, {RECIST} : réponse partielle. ",
    "{TEP-TDM} : hypermétabolisme ganglionnaire sus-claviculaire ({SUVmax} 8,4). ",
    "Classification de {Masaoka} : stade II. ",
    "Sarcome de {Kaposi} cutané stable. ",
    "Antécédent de maladie de {Crohn} et de thyroïdite de {Hashimoto}. ",
    "Radiothérapie {50 Gy} en 25 fractions sur le lit tumoral. ",
    "Chimiothérapie par {carboplatine} {AUC 5} et {paclitaxel} {175 mg/m2}. ",
    "Tumeur de {Klatskin} de type IIIa de {Bismuth}. ",
    "Syndrome de {Cushing} iatrogène sous corticoïdes. ",
    "Sous {Kardégic} {75 mg} et {Eliquis} {5 mg} x 2. ",
    "Traitement par {trastuzumab} ({Herceptin}) {6 mg/kg} toutes les 3 semaines. ",
    "Mutation {BRAF} {V600E}, traitement par {dabrafénib} et {trametinib}. ",
    "Hypothyroïdie sous {Lévothyrox} {75 µg}. ",
    "Patiente en bon état général, apyrétique, eupnéique. ",
    "Examen clinique sans particularité, pas d'adénopathie palpable. ",
    "Bonne tolérance globale, asthénie grade 1, pas de neuropathie. ",
    "Petit épanchement pleural droit non ponctionnable. ",
    "Rose et bien hydratée, conjonctives normocolorées. ",
    "Martin-pêcheur évoqué par le patient, passionné d'ornithologie. ",
    "Pierre angulaire de la prise en charge : la nutrition. ",
    "Scanner {TAP} de réévaluation prévu dans 3 mois. ",
    "Discussion en {RCP} pour une radiothérapie stéréotaxique. ",
    "{IRM} pelvienne : {ymrT2N0}, bonne réponse. ",
    "Un petit nodule pulmonaire de 4 mm, peau rose et bien colorée. ",
    "Urines claires, liquide pleural clair citrin. ",
    "Teint blanc, sclérotiques blanches, pas de petit ganglion palpable. ",
    "Lésion à bords nets, fond rose, marge saine. ",
    "Trois tours de piste en kinésithérapie, marche possible avec une canne. ",
    "Douleur en barre, aggravée par la marche, améliorée au repos. ",
    "Le moulin à paroles de la famille ne l'aide pas ; il reste franc et constant dans ses plaintes. ",
    "Aspect en verre dépoli, petit épanchement, poumon droit clair. ",
    "Alimentation légère, petit-déjeuner pris, appétit juste. ",
    "La pierre angulaire reste la nutrition ; régime riche en protéines. ",
    "Amélioration franche, reprise d'un sommeil constant, moral clément. ",
    "Eau de rose pour les soins de bouche, bain de bouche au bicarbonate. ",
};

/* ---- made-up medical words: the classes of the safe vocabulary, not a list ---- */

static void made_stem(notes_writer *w, char *o, size_t cap, int capital)
{
    static const char *const a[] = {"ta", "ve", "ri", "lo", "bra", "ze", "mo",
                                    "ni", "da", "po", "se", "cu",  "fi", "gal"};
    static const char *const b[] = {"li", "ra", "to", "ne", "ci", "vu", "ma", "de", "so", "ru", "ba", "xi"};
    snprintf(o, cap, "%s%s%s", PICK(w, a), PICK(w, b), nw_u(w) < 0.5 ? PICK(w, b) : "");
    if (capital && o[0] >= 'a' && o[0] <= 'z')
        o[0] = (char)(o[0] - 32);
}

/* A drug of no list, by its INN stem ("velicitinib", "Poramab"), a trial
 * named in capitals or mixed case with its number ("KARVELO-2",
 * "VeriSol 311"), an abbreviation in mixed case ("QTc"), a device or a sign
 * named after someone ("drain de Kerbrac"): strings that must stay. */
static void made_trap(notes_writer *w)
{
    static const char *const inn[] = {"mab",      "tinib",   "ciclib",  "platine", "taxel",
                                      "rubicine", "lisib",   "parib",   "rafénib", "zumab",
                                      "ximab",    "tuzumab", "métinib", "limus"};
    char stem[40], word[80], t[256];
    made_stem(w, stem, sizeof stem, 0);
    switch (nw_pick(w, 6)) {
    case 0:
        snprintf(word, sizeof word, "%s%s", stem, PICK(w, inn));
        if (nw_u(w) < 0.4)
            word[0] = (char)(word[0] - 32);
        snprintf(t, sizeof t, "Introduction de {%s} {%d mg} %s. ", word, 50 * (1 + (int)nw_pick(w, 8)),
                 nw_u(w) < 0.5 ? "par jour" : "toutes les 3 semaines");
        break;
    case 1: {
        char up[40];
        size_t n = strlen(stem);
        for (size_t i = 0; i <= n; i++)
            up[i] = (char)(stem[i] >= 'a' && stem[i] <= 'z' ? stem[i] - 32 : stem[i]);
        static const char *const lead[] = {"Inclusion dans l'essai ", "Étude ", "Essai de phase III ",
                                           "Protocole ", "Éligible à l'essai "};
        snprintf(t, sizeof t, "%s{%s-%d}. ", PICK(w, lead), up, 1 + (int)nw_pick(w, 40));
        break;
    }
    case 2: {
        char b2[40];
        made_stem(w, b2, sizeof b2, 1);
        stem[0] = (char)(stem[0] - 32);
        snprintf(t, sizeof t, "Traitement selon le schéma de l'essai {%s%s %d}, bras A. ", stem, b2,
                 100 + (int)nw_pick(w, 300));
        break;
    }
    case 3: {
        static const char *const ab[] = {"QTc",  "SpO2",  "HbA1c", "NT-proBNP", "pCO2",
                                         "FiO2", "TcPO2", "eGFR",  "VEMS/CVF"};
        snprintf(t, sizeof t, "{%s} à %d,%d. ", PICK(w, ab), 1 + (int)nw_pick(w, 99), (int)nw_pick(w, 10));
        break;
    }
    case 4: {
        static const char *const dev[] = {"drain de",    "sonde de",    "lame de",           "solution de",
                                          "cathéter de", "ganglion de", "classification de", "technique de"};
        char nm[40];
        made_stem(w, nm, sizeof nm, 1);
        snprintf(t, sizeof t, "Mise en place d'un %s {%s}. ", PICK(w, dev), nm);
        break;
    }
    default: {
        char up[40];
        size_t n = strlen(stem);
        for (size_t i = 0; i <= n; i++)
            up[i] = (char)(stem[i] >= 'a' && stem[i] <= 'z' ? stem[i] - 32 : stem[i]);
        snprintf(t, sizeof t, "Sous {durvalumab} depuis 6 mois ({%s}). ", up);
        break;
    }
    }
    hw_trap(w, t);
}

void hw_clinical(notes_writer *w)
{
    if (nw_u(w) < 0.15)
        made_trap(w);
    if (nw_u(w) < 0.12) { /* an abbreviation of the service, unknown to any list */
        static const char L[] = "ABCDEFGHIJKLMNOPRSTUV";
        char ab[8];
        size_t n = 2 + nw_pick(w, 3);
        for (size_t i = 0; i < n; i++)
            ab[i] = L[nw_pick(w, sizeof L - 1)];
        ab[n] = 0;
        nw_put(w, ab);
        nw_put(w, nw_u(w) < 0.5 ? " : " : " ");
    }
    hw_trap(w, PICK(w, clinical));
}

void hw_clinical_block(notes_writer *w, int nmin, int nmax)
{
    int k = nmin + (int)nw_pick(w, (size_t)(nmax - nmin + 1));
    for (int i = 0; i < k; i++)
        hw_clinical(w);
}

/* ---- shared pieces ----------------------------------------------------------------------- */

void hw_letterhead(notes_writer *w, hosp_world *hw)
{
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp);
    nw_put(w,
           PICK(w, ((const char *const[]){"\nService d'oncologie médicale\n", "\nDépartement d'oncologie\n",
                                          "\n", "\nPôle cancérologie - Hôpital de jour\n"})));
    if (nw_u(w) < 0.7) {
        nw_ent(w, AT_PHI_ADRESSE, hw->haddr);
        nw_put(w, nw_u(w) < 0.5 ? "\n" : " - ");
        nw_ent(w, AT_PHI_ZIP, hw->hzip);
        nw_put(w, " ");
        nw_ent(w, AT_PHI_VILLE, hw->hcity);
        nw_put(w, "\n");
    }
    if (nw_u(w) < 0.6) {
        nw_put(w, PICK(w, ((const char *const[]){"Tél. : ", "Tel ", "Secrétariat : ", "Standard "})));
        nw_ent(w, AT_PHI_TEL, hw->hphone);
        if (nw_u(w) < 0.4) {
            nw_put(w, " - FINESS ");
            nw_ent(w, AT_PHI_FINESS, hw->finess);
        }
        nw_put(w, "\n");
    }
    nw_put(w, "\n");
}

void hw_patient_title(notes_writer *w, const hosp_world *hw)
{
    static const char *const f[] = {"Mme ", "Madame ", "Mme ", "MME ", "mme "}, *const m[] = {
                                                                                    "M. ", "Monsieur ", "M. ",
                                                                                    "Mr ", "M "};
    nw_put(w, hw->p.female ? PICK(w, f) : PICK(w, m));
}

void hw_age_phrase(notes_writer *w, const hosp_world *hw)
{
    char b[32];
    snprintf(b, sizeof b, "%d ans", hw->age);
    nw_put(w, hw->p.female ? PICK(w, ((const char *const[]){"patiente de ", "Mme âgée de ", "femme de "}))
                           : PICK(w, ((const char *const[]){"patient de ", "homme de ", "M. âgé de "})));
    if (hw->age > 89)
        nw_ent(w, AT_PHI_AGE, b);
    else
        nw_put(w, b);
}

void hw_birth(notes_writer *w, const hosp_world *hw)
{
    nw_put(w, PICK(w, ((const char *const[]){"né(e) le ", hw->p.female ? "née le " : "né le ", "DDN ",
                                             "DDN : ", "date de naissance : "})));
    hw_date(w, AT_PHI_DATE_NAISSANCE, hw->by, hw->bm, hw->bd, 1);
}

void hw_identity_block(notes_writer *w, hosp_world *hw)
{
    int style = (int)nw_pick(w, 4);
    if (style == 3) { /* no labels: "DURAND Claire - 03/02/1961 - IPP 80012345" */
        hw_last(w, hw, &hw->p, 1);
        nw_put(w, " ");
        hw_first(w, hw, &hw->p, -1);
        nw_put(w, " - ");
        hw_date(w, AT_PHI_DATE_NAISSANCE, hw->by, hw->bm, hw->bd, 1);
        nw_put(w, " - ");
        nw_ent(w, AT_PHI_IPP, hw->ipp);
        nw_put(w, "\n");
        nw_ent(w, AT_PHI_ADRESSE, hw->addr);
        nw_put(w, " ");
        nw_ent(w, AT_PHI_ZIP, hw->zip);
        nw_put(w, " ");
        nw_ent(w, AT_PHI_VILLE, hw->city);
        nw_put(w, "\n\n");
        return;
    }
    const char *sep = style == 1 ? "\t" : " : ";
    nw_putf(w, "%s%s", style == 2 ? "NOM" : "Nom", sep);
    hw_last(w, hw, &hw->p, style == 2 ? 1 : -1);
    if (hw->maiden[0] && nw_u(w) < 0.6) {
        nw_putf(w, "   %s%s", nw_u(w) < 0.5 ? "Nom de naissance" : "née", nw_u(w) < 0.5 ? sep : " ");
        hosp_person mp = hw->p;
        snprintf(mp.last, sizeof mp.last, "%s", hw->maiden);
        hw_last(w, hw, &mp, -1);
    }
    nw_putf(w, "\n%s%s", style == 2 ? "PRENOM" : "Prénom", sep);
    hw_first(w, hw, &hw->p, -1);
    nw_putf(w, "\n%s%s", nw_u(w) < 0.5 ? "Date de naissance" : "DDN", sep);
    hw_date(w, AT_PHI_DATE_NAISSANCE, hw->by, hw->bm, hw->bd, 1);
    nw_putf(w, "\nIPP%s", sep);
    nw_ent(w, AT_PHI_IPP, hw->ipp);
    if (nw_u(w) < 0.6) {
        nw_putf(w, "   %s%s", nw_u(w) < 0.5 ? "N° séjour" : "NDA", sep);
        nw_ent(w, AT_PHI_NDA, hw->nda);
    }
    nw_putf(w, "\nAdresse%s", sep);
    nw_ent(w, AT_PHI_ADRESSE, hw->addr);
    nw_put(w, ", ");
    nw_ent(w, AT_PHI_ZIP, hw->zip);
    nw_put(w, " ");
    nw_ent(w, AT_PHI_VILLE, hw->city);
    nw_putf(w, "\nTél%s", sep);
    nw_ent(w, AT_PHI_TEL, hw->phone);
    if (nw_u(w) < 0.4) {
        nw_putf(w, "\nMail%s", sep);
        nw_ent(w, AT_PHI_MAIL, hw->email);
    }
    if (nw_u(w) < 0.5) {
        nw_putf(w, "\nN° SS%s", sep);
        nw_ent(w, AT_PHI_SECU, hw->nir);
    }
    if (nw_u(w) < 0.4) {
        nw_putf(w, "\nMédecin traitant%s", sep);
        hw_doctor(w, hw, &hw->doc[HW_GP]);
        nw_put(w, " (");
        nw_ent(w, AT_PHI_VILLE, hw->hcity);
        nw_put(w, ")");
    }
    if (nw_u(w) < 0.4) {
        nw_putf(w, "\nPersonne de confiance%s", sep);
        hw_name(w, hw, &hw->spouse);
        nw_put(w, nw_u(w) < 0.5 ? " (conjoint)" : " (époux/épouse)");
    }
    nw_put(w, "\n\n");
}

/* Relatives, staff and colleagues named in passing. */
void hw_people_sentence(notes_writer *w, hosp_world *hw)
{
    double u = nw_u(w);
    if (u < 0.2) {
        hw_treatment_mention(w);
        return;
    }
    if (u < 0.7) {
        hw_people_mention(w, hw);
        return;
    }
    const hosp_person *c = &hw->child[nw_pick(w, 2)];
    switch (nw_pick(w, 14)) {
    case 0:
        nw_put(w, c->female ? "Accompagnée de sa fille " : "Accompagné de son fils ");
        hw_first(w, hw, c, -1);
        nw_put(w, ". ");
        break;
    case 1:
        nw_put(w, c->female ? "Sa fille " : "Son fils ");
        hw_first(w, hw, c, -1);
        nw_put(w, " est joignable au ");
        nw_ent(w, AT_PHI_TEL, hw->phone2);
        nw_put(w, ". ");
        break;
    case 2:
        nw_put(w, "IDE référente ");
        hw_first(w, hw, &hw->nurse[0], -1);
        nw_put(w, ". ");
        break;
    case 3:
        nw_put(w, "Internes : ");
        hw_first(w, hw, &hw->intern[0], -1);
        nw_put(w, " et ");
        hw_first(w, hw, &hw->intern[1], -1);
        nw_put(w, ".\n");
        break;
    case 4:
        nw_put(w, "Vu avec le ");
        hw_doctor(w, hw, &hw->doc[HW_SURG]);
        nw_put(w, PICK(w, ((const char *const[]){", chirurgien. ", " qui propose une reprise. ",
                                                 " de Chirurgie viscérale. ", " des Urgences. ",
                                                 " du service de Radiothérapie. ",
                                                 " de Médecine Nucléaire. "})));
        break;
    case 5:
        nw_put(w, hw->spouse.female ? "Son épouse, " : "Son mari, ");
        hw_name(w, hw, &hw->spouse);
        nw_put(w, ", est présente. ");
        break;
    case 6:
        nw_put(w, "Vit avec ");
        hw_first(w, hw, &hw->spouse, -1);
        nw_put(w, ", ");
        nw_put(w, hw->spouse.female ? "sa compagne" : "son compagnon");
        nw_put(w, ", à ");
        nw_ent(w, AT_PHI_VILLE, hw->city);
        nw_put(w, ". ");
        break;
    case 7:
        nw_put(w, "Adressé(e) par le ");
        hw_doctor(w, hw, &hw->doc[HW_GP]);
        nw_put(w, " (");
        nw_ent(w, AT_PHI_VILLE, hw->hcity);
        nw_put(w, "). ");
        break;
    case 8:
        nw_put(w, "Transmis à ");
        hw_first(w, hw, &hw->nurse[1], -1);
        nw_put(w, " (IDE de nuit). ");
        break;
    case 9:
        nw_put(w, "Son frère ");
        hw_name(w, hw, &hw->sibling);
        nw_put(w, " vit à ");
        nw_ent(w, AT_PHI_VILLE, hw->city);
        nw_put(w, ". ");
        break;
    case 10:
        nw_put(w, "Avis demandé au ");
        hw_doctor(w, hw, &hw->doc[HW_RADIO]);
        nw_put(w, " du ");
        nw_ent(w, AT_PHI_HOPITAL, hw->hosp2);
        nw_put(w, ". ");
        break;
    case 11:
        nw_put(w, "Prise en charge en ");
        nw_ent(w, AT_PHI_HOPITAL, hw->hosp2);
        nw_put(w, " à prévoir. ");
        break;
    case 12:
        nw_put(w, "Travaille chez ");
        nw_ent(w, AT_PHI_EMPLOYEUR, hw->employer);
        nw_put(w, " comme ");
        nw_put(w,
               PICK(w, ((const char *const[]){"magasinier", "comptable", "ouvrier", "cadre", "chauffeur"})));
        nw_put(w, ". ");
        break;
    default:
        nw_put(w, "Contrôle le ");
        hw_date(w, AT_PHI_DATE, hw->y, hw->m == 12 ? 1 : hw->m + 1, hw->d, 0);
        nw_put(w, " avec ");
        hw_first(w, hw, &hw->nurse[2], -1);
        nw_put(w, ". ");
    }
}

void hw_signature(notes_writer *w, hosp_world *hw, const hosp_person *p)
{
    nw_put(w, PICK(w, ((const char *const[]){"\n\nBien confraternellement,\n\n", "\n\nBien à vous,\n",
                                             "\n\nCordialement,\n", "\n\n", "\n\nVotre bien dévoué,\n"})));
    int f = (int)nw_pick(w, 5);
    if (f == 0) { /* "Dr P.-Y. LE GALL" */
        nw_put(w, "Dr ");
        char ini[16];
        unsigned char c0 = (unsigned char)p->first[0];
        int n0 = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : c0 >= 0xC0 ? 2 : 1;
        const char *h = strchr(p->first, '-');
        if (h && h[1])
            snprintf(ini, sizeof ini, "%.*s.-%c.", n0, p->first, h[1]);
        else
            snprintf(ini, sizeof ini, "%.*s.", n0, p->first);
        nw_ent(w, AT_PHI_PRENOM, ini);
        nw_put(w, " ");
        hw_last(w, hw, p, 1);
    } else if (f == 1) { /* initials */
        char ini[8], a[48], b[64];
        hosp_case(p->first, 1, a, sizeof a);
        hosp_case(p->last, 1, b, sizeof b);
        snprintf(ini, sizeof ini, "%c%c", (unsigned char)a[0] < 0x80 ? a[0] : 'E',
                 (unsigned char)b[0] < 0x80 ? b[0] : 'E');
        nw_ent(w, AT_PHI_NOM, ini);
    } else {
        hw_doctor(w, hw, p);
        if (nw_u(w) < 0.5) {
            nw_putf(w, "\n%s", nw_u(w) < 0.5 ? "Oncologue médical" : "Praticien hospitalier");
            if (nw_u(w) < 0.5) {
                nw_put(w, " - RPPS ");
                nw_ent(w, AT_PHI_RPPS, hw->rpps[HW_ONCO]);
            }
        }
    }
    nw_put(w, "\n");
}
