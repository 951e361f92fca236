/* The templates of the hospital-style synthetic notes: each kind of
 * record in several styles (labelled or not, headers, tables, signatures,
 * lower case), with relatives, staff and colleagues, and clinical text
 * full of strings that must stay (drugs, doses, TNM, genes, scores,
 * eponyms, lab values); the shared parts are in notes_hosp_parts.c. */
#include "notes_hosp.h"

#include <stdio.h>
#include <string.h>

#define PICK(w, a) (a)[nw_pick(w, sizeof(a) / sizeof *(a))]

/* ---- the kinds -------------------------------------------------------------------------------- */

static void doc_letter(notes_writer *w, hosp_world *hw)
{
    int style = (int)nw_pick(w, 3);
    if (style != 2)
        hw_letterhead(w, hw);
    nw_ent(w, AT_PHI_VILLE, hw->hcity);
    nw_put(w, ", le ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, "\n\n");
    if (style == 0) {
        nw_put(w, "Cher confrère,\n\nJ'ai revu en consultation ");
        hw_patient_title(w, hw);
        hw_name(w, hw, &hw->p);
        nw_put(w, ", ");
        hw_birth(w, hw);
        nw_put(w, ", ");
        hw_age_phrase(w, hw);
        nw_put(w, ". ");
    } else {
        nw_put(w, "Objet : ");
        hw_patient_title(w, hw);
        hw_last(w, hw, &hw->p, -1);
        nw_put(w, " ");
        hw_first(w, hw, &hw->p, -1);
        nw_put(w, " (IPP ");
        nw_ent(w, AT_PHI_IPP, hw->ipp);
        nw_put(w, ")\n\nChère consœur, cher confrère,\n");
    }
    hw_clinical_block(w, 2, 5);
    hw_people_sentence(w, hw);
    hw_clinical_block(w, 1, 3);
    hw_people_sentence(w, hw);
    nw_put(w, "\nProchain rendez-vous le ");
    hw_date(w, AT_PHI_DATE, hw->m == 12 ? hw->y + 1 : hw->y, hw->m == 12 ? 1 : hw->m + 1, hw->d, 0);
    nw_put(w, ".");
    hw_signature(w, hw, &hw->doc[HW_ONCO]);
    if (nw_u(w) < 0.4) {
        nw_put(w, "Copie : ");
        hw_doctor(w, hw, &hw->doc[HW_GP]);
        nw_put(w, ", ");
        nw_ent(w, AT_PHI_VILLE, hw->city);
        nw_put(w, "\n");
    }
}

static void doc_crh(notes_writer *w, hosp_world *hw)
{
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp);
    nw_put(w, nw_u(w) < 0.5 ? "\nCOMPTE RENDU D'HOSPITALISATION\n\n" : "\nCompte-rendu de sortie\n\n");
    hw_identity_block(w, hw);
    nw_put(w, "Hospitalisation du ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, " au ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d < 20 ? hw->d + 6 : 28, 0);
    nw_put(w, ".\nMotif : ");
    hw_clinical_block(w, 1, 2);
    nw_put(w, "\nHistoire : ");
    hw_age_phrase(w, hw);
    nw_put(w, ". ");
    hw_clinical_block(w, 2, 4);
    hw_people_sentence(w, hw);
    hw_people_sentence(w, hw);
    nw_put(w, "\nDevenir : retour à domicile (");
    nw_ent(w, AT_PHI_ADRESSE, hw->addr);
    nw_put(w, ", ");
    nw_ent(w, AT_PHI_VILLE, hw->city);
    nw_put(w, ").");
    hw_signature(w, hw, &hw->doc[HW_ONCO]);
}

static void doc_cro(notes_writer *w, hosp_world *hw)
{
    nw_put(w, "COMPTE RENDU OPÉRATOIRE\n");
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp);
    nw_put(w, " - Bloc opératoire\n\nPatient(e) : ");
    hw_name(w, hw, &hw->p);
    nw_put(w, "   ");
    hw_birth(w, hw);
    nw_put(w, "\nDate de l'intervention : ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, "\nOpérateur : ");
    hw_doctor(w, hw, &hw->doc[HW_SURG]);
    nw_put(w, "\nAide : ");
    hw_first(w, hw, &hw->intern[0], -1);
    nw_put(w, " ");
    hw_last(w, hw, &hw->intern[0], -1);
    nw_put(w, " (interne)\nAnesthésiste : ");
    hw_doctor(w, hw, &hw->doc[HW_RADIO]);
    nw_put(w, "\nIBODE : ");
    hw_first(w, hw, &hw->nurse[0], -1);
    nw_put(w, "\n\nIntervention : colectomie gauche par cœlioscopie avec curage ganglionnaire.\n");
    hw_clinical_block(w, 2, 4);
    nw_put(w, "\nPièce adressée en anatomopathologie (");
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp2);
    nw_put(w, ").");
    hw_signature(w, hw, &hw->doc[HW_SURG]);
}

static void doc_anapath(notes_writer *w, hosp_world *hw)
{
    char code[32];
    switch (nw_pick(w, 4)) { /* record numbers in free formats */
    case 0:
        snprintf(code, sizeof code, "%c%02d.%05d", "BHPS"[nw_pick(w, 4)], hw -> y % 100,
                 (int)nw_pick(w, 99999));
        break;
    case 1:
        snprintf(code, sizeof code, "0%02d-%03d", (int)nw_pick(w, 100), (int)nw_pick(w, 1000));
        break;
    case 2:
        snprintf(code, sizeof code, "%04d %04d %04d", 1000 + (int)nw_pick(w, 9000), (int)nw_pick(w, 10000),
                 (int)nw_pick(w, 10000));
        break;
    default:
        snprintf(code, sizeof code, "%c%02d-%05d", "BHPS"[nw_pick(w, 4)], hw -> y % 100,
                 (int)nw_pick(w, 99999));
    }
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp2);
    nw_put(w, "\nLaboratoire d'anatomie et cytologie pathologiques\n\n");
    nw_put(w, PICK(w, ((const char *const[]){"Prélèvement n° ", "N° d'examen : ", "Réf. ", "Dossier "})));
    nw_ent(w, AT_PHI_ID, code);
    nw_put(w, "\nPatient : ");
    hw_last(w, hw, &hw->p, 1);
    nw_put(w, " ");
    hw_first(w, hw, &hw->p, -1);
    nw_put(w, " - ");
    hw_birth(w, hw);
    nw_put(w, "\nPrescripteur : ");
    hw_doctor(w, hw, &hw->doc[HW_SURG]);
    nw_put(w, "\nReçu le ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 0);
    nw_put(w, "\n\nMacroscopie : pièce de tumorectomie de 45 x 30 x 22 mm.\nConclusion : ");
    hw_clinical_block(w, 2, 3);
    nw_put(w, "\n\nCompte rendu validé par ");
    hw_doctor(w, hw, &hw->doc[HW_PATH]);
    nw_put(w, ", le ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d < 25 ? hw->d + 3 : hw->d, 0);
    nw_put(w, ".\n");
}

static void doc_rcp(notes_writer *w, hosp_world *hw)
{
    nw_put(w, nw_u(w) < 0.5 ? "Réunion de concertation pluridisciplinaire du " : "RCP ONCO-DIGESTIVE - ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, "\n");
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp);
    nw_put(w, "\nPrésents : ");
    for (int k = 0; k < 4; k++) {
        hw_doctor(w, hw, &hw->doc[k]);
        nw_putf(w, " (%s)%s", hw->doc[k].spec, k < 3 ? ", " : "\n");
    }
    nw_put(w, "\nDossier présenté : ");
    hw_name(w, hw, &hw->p);
    nw_put(w, ", ");
    hw_birth(w, hw);
    nw_put(w, "\n");
    hw_clinical_block(w, 2, 4);
    nw_put(w, "\nProposition : ");
    hw_clinical_block(w, 1, 2);
    nw_put(w, "\nRéférent : ");
    hw_doctor(w, hw, &hw->doc[HW_ONCO]);
    nw_put(w, "\n");
}

static void doc_prescription(notes_writer *w, hosp_world *hw)
{
    int renewal = nw_u(w) < 0.4;
    hw_letterhead(w, hw);
    nw_put(w, renewal ? "RENOUVELLEMENT D'ORDONNANCE\n" : "ORDONNANCE\n");
    hw_doctor(w, hw, &hw->doc[HW_ONCO]);
    nw_put(w, " - RPPS ");
    nw_ent(w, AT_PHI_RPPS, hw->rpps[HW_ONCO]);
    nw_put(w, "\n\n");
    hw_patient_title(w, hw);
    hw_name(w, hw, &hw->p);
    nw_put(w, " - Poids 64 kg - ");
    if (nw_u(w) < 0.5)
        hw_age_phrase(w, hw);
    else
        hw_birth(w, hw);
    nw_put(w, "\n\n");
    for (int k = 0; k < 3; k++) {
        nw_putf(w, "%d) ", k + 1);
        hw_clinical(w);
        nw_put(w, "\n");
    }
    nw_put(w, "\nFait à ");
    nw_ent(w, AT_PHI_VILLE, hw->hcity);
    nw_put(w, ", le ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, "\n");
}

static void doc_nursing(notes_writer *w, hosp_world *hw)
{
    nw_put(w, "Transmissions ciblées - ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 0);
    nw_put(w, "\n");
    hw_patient_title(w, hw);
    hw_last(w, hw, &hw->p, -1);
    nw_put(w, " ch. 214\n\n");
    for (int k = 0; k < 3; k++) {
        nw_putf(w, "%02dh%02d ", 6 + 4 * k, (int)nw_pick(w, 60));
        nw_put(w, PICK(w, ((const char *const[]){
                              "D : douleur EVA 4. A : ", "Cible nausées : ", "Cible surveillance : "})));
        hw_clinical(w);
        hw_people_sentence(w, hw);
        nw_put(w, "\n");
        hw_first(w, hw, &hw->nurse[k], -1);
        nw_put(w, nw_u(w) < 0.5 ? " IDE\n" : " (IDE)\n");
    }
}

static void doc_mail(notes_writer *w, hosp_world *hw)
{
    nw_put(w, "De : ");
    hw_first(w, hw, &hw->doc[HW_GP], 3);
    nw_put(w, " ");
    hw_last(w, hw, &hw->doc[HW_GP], 3);
    nw_put(w, " <");
    char m[128], a[48], b[64];
    hosp_case(hw->doc[HW_GP].first, 2, a, sizeof a);
    hosp_case(hw->doc[HW_GP].last, 2, b, sizeof b);
    for (char *p = a; *p; p++)
        if ((unsigned char)*p >= 0x80 || *p == ' ')
            *p = 'e';
    for (char *p = b; *p; p++)
        if ((unsigned char)*p >= 0x80 || *p == ' ')
            *p = 'e';
    snprintf(m, sizeof m, "%s.%s@mssante.fr", a, b);
    nw_ent(w, AT_PHI_MAIL, m);
    nw_put(w, ">\nEnvoyé : ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, " 18:42\nÀ : ");
    hw_doctor(w, hw, &hw->doc[HW_ONCO]);
    nw_put(w, "\nObjet : RE: ");
    hw_last(w, hw, &hw->p, -1);
    nw_put(w, "\n\nBonjour,\nJe vous adresse ");
    hw_patient_title(w, hw);
    hw_name(w, hw, &hw->p);
    nw_put(w, " que j'ai vue ce jour. ");
    hw_clinical_block(w, 1, 3);
    hw_people_sentence(w, hw);
    nw_put(w, "\nBien à vous,\n");
    hw_first(w, hw, &hw->doc[HW_GP], -1);
    nw_put(w, "\n-- \nCabinet médical, ");
    nw_ent(w, AT_PHI_ADRESSE, hw->haddr);
    nw_put(w, ", ");
    nw_ent(w, AT_PHI_VILLE, hw->hcity);
    nw_put(w, "\n");
}

static void doc_table(notes_writer *w, hosp_world *hw)
{
    const char *sep = PICK(w, ((const char *const[]){";", " | ", "\t", ","}));
    nw_putf(w, "NOM%sPrénom%sDDN%sIPP%sCommune%sTéléphone%sMédecin\n", sep, sep, sep, sep, sep, sep);
    hosp_world row = *hw;
    for (int k = 0; k < 4; k++) {
        hw_last(w, hw, &row.p, k % 2 ? 1 : -1);
        nw_put(w, sep);
        hw_first(w, hw, &row.p, -1);
        nw_put(w, sep);
        hw_date(w, AT_PHI_DATE_NAISSANCE, hw->by - k, hw->bm, hw->bd, 1);
        nw_put(w, sep);
        nw_ent(w, AT_PHI_IPP, hw->ipp);
        nw_put(w, sep);
        nw_ent(w, AT_PHI_VILLE, k % 2 ? hw->city : hw->hcity);
        nw_put(w, sep);
        nw_ent(w, AT_PHI_TEL, k % 2 ? hw->phone : hw->phone2);
        nw_put(w, sep);
        hw_last(w, hw, &hw->doc[k], -1);
        nw_put(w, "\n");
        row.p = k % 2 ? hw->child[0] : hw->sibling;
    }
    nw_put(w, "\n");
    hw_clinical(w);
}

static void doc_social(notes_writer *w, hosp_world *hw)
{
    nw_put(w, "Note de l'assistante sociale - ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, "\nRencontre avec ");
    hw_patient_title(w, hw);
    hw_name(w, hw, &hw->p);
    nw_put(w, ", ");
    hw_age_phrase(w, hw);
    nw_put(w, ".\nSituation professionnelle : ");
    nw_put(w, PICK(w, ((const char *const[]){"salarié(e) de ", "employé(e) chez ", "ouvrier chez ",
                                             "Employeur : "})));
    nw_ent(w, AT_PHI_EMPLOYEUR, hw->employer);
    nw_put(w, ", en arrêt maladie.\nMutuelle : ");
    nw_put(w, hw->insurer);
    nw_put(w, nw_u(w) < 0.5 ? ", n° adhérent " : ", contrat n° ");
    nw_ent(w, AT_PHI_COMPTE, hw->insurer_no);
    nw_put(w, "\n");
    if (nw_u(w) < 0.6) {
        nw_put(w, "RIB transmis pour l'aide : IBAN ");
        nw_ent(w, AT_PHI_COMPTE, hw->iban);
        nw_put(w, "\n");
    }
    if (nw_u(w) < 0.6) {
        nw_put(w, "Véhicule personnel immatriculé ");
        nw_ent(w, AT_PHI_IMMAT, hw->plate);
        nw_put(w, " (bon de transport VSL refusé).\n");
    }
    if (nw_u(w) < 0.5) {
        nw_put(w, "Cagnotte en ligne créée par sa famille : ");
        nw_ent(w, AT_PHI_URL, hw->url);
        nw_put(w, nw_u(w) < 0.5 ? " (compte Instagram " : " (suivre ");
        nw_ent(w, AT_PHI_URL, hw->handle);
        nw_put(w, ").\n");
    }
    nw_put(w, "Domicile : ");
    nw_ent(w, AT_PHI_ADRESSE, hw->addr);
    nw_put(w, ", ");
    nw_ent(w, AT_PHI_ZIP, hw->zip);
    nw_put(w, " ");
    nw_ent(w, AT_PHI_VILLE, hw->city);
    nw_put(w, ".\n");
    hw_people_sentence(w, hw);
    hw_people_sentence(w, hw);
    nw_put(w, "\n");
    hw_first(w, hw, &hw->secretary, -1);
    nw_put(w, " ");
    hw_last(w, hw, &hw->secretary, 1);
    nw_put(w, ", assistante sociale\n");
}

static void doc_radio(notes_writer *w, hosp_world *hw)
{
    nw_ent(w, AT_PHI_HOPITAL, hw->hosp2);
    nw_put(w, "\nSCANNER THORACO-ABDOMINO-PELVIEN\n");
    hw_patient_title(w, hw);
    hw_name(w, hw, &hw->p);
    nw_put(w, " - Examen du ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 0);
    nw_put(w, " - N° ");
    char acc[24];
    snprintf(acc, sizeof acc, "%d%06d", hw->y, (int)nw_pick(w, 999999));
    nw_ent(w, AT_PHI_ID, acc);
    nw_put(w, "\nIndication : réévaluation. Comparaison avec l'examen du ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m > 3 ? hw->m - 3 : 1, hw->d, 0);
    nw_put(w, ".\nRésultats : ");
    hw_clinical_block(w, 2, 3);
    nw_put(w, "\n");
    hw_doctor(w, hw, &hw->doc[HW_RADIO]);
    nw_put(w, "\n");
}

static void doc_phone(notes_writer *w, hosp_world *hw)
{
    nw_put(w, "Appel téléphonique ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 0);
    nw_put(w, " à 14h\n");
    nw_put(w, nw_u(w) < 0.5 ? "Appel de " : "Appel reçu de ");
    hw_first(w, hw, &hw->child[0], -1);
    nw_put(w, hw->child[0].female ? ", fille de " : ", fils de ");
    hw_patient_title(w, hw);
    hw_last(w, hw, &hw->p, -1);
    nw_put(w, ", au ");
    nw_ent(w, AT_PHI_TEL, hw->phone2);
    nw_put(w, ". ");
    hw_clinical(w);
    nw_put(w, "Rappel prévu le ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d < 27 ? hw->d + 1 : hw->d, 0);
    nw_put(w, ".\n");
    hw_first(w, hw, &hw->nurse[0], -1);
    nw_put(w, ", IDE coordinatrice\n");
}

static void doc_psycho(notes_writer *w, hosp_world *hw)
{
    nw_put(w, "Consultation de psycho-oncologie - ");
    hw_date(w, AT_PHI_DATE, hw->y, hw->m, hw->d, 1);
    nw_put(w, "\n");
    hw_patient_title(w, hw);
    hw_first(w, hw, &hw->p, -1);
    nw_put(w, " ");
    hw_last(w, hw, &hw->p, -1);
    nw_put(w, " évoque ");
    nw_put(w, hw->spouse.female ? "sa femme, " : "son mari, ");
    hw_first(w, hw, &hw->spouse, -1);
    nw_put(w, ", et leurs enfants ");
    hw_first(w, hw, &hw->child[0], -1);
    nw_put(w, " et ");
    hw_first(w, hw, &hw->child[1], -1);
    nw_put(w, ". Ancien(ne) salarié(e) de ");
    nw_ent(w, AT_PHI_EMPLOYEUR, hw->employer);
    nw_put(w, ", a grandi à ");
    nw_ent(w, AT_PHI_VILLE, hw->city);
    nw_put(w, ". Son amie ");
    hw_first(w, hw, &hw->friend_, -1);
    nw_put(w, " l'accompagne. ");
    hw_clinical(w);
    nw_put(w, "\n");
    hw_first(w, hw, &hw->secretary, -1);
    nw_put(w, " ");
    hw_last(w, hw, &hw->secretary, -1);
    nw_put(w, ", psychologue\n");
}

void hosp_document(notes_writer *w, hosp_world *hw, int kind)
{
    switch (kind) {
    case HOSP_KIND_LETTER:
        doc_letter(w, hw);
        break;
    case HOSP_KIND_CRH:
        doc_crh(w, hw);
        break;
    case HOSP_KIND_CRO:
        doc_cro(w, hw);
        break;
    case HOSP_KIND_ANAPATH:
        doc_anapath(w, hw);
        break;
    case HOSP_KIND_RCP:
        doc_rcp(w, hw);
        break;
    case HOSP_KIND_PRESCRIPTION:
        doc_prescription(w, hw);
        break;
    case HOSP_KIND_NURSING:
        doc_nursing(w, hw);
        break;
    case HOSP_KIND_MAIL:
        doc_mail(w, hw);
        break;
    case HOSP_KIND_TABLE:
        doc_table(w, hw);
        break;
    case HOSP_KIND_SOCIAL:
        doc_social(w, hw);
        break;
    case HOSP_KIND_RADIO:
        doc_radio(w, hw);
        break;
    case HOSP_KIND_PHONE:
        doc_phone(w, hw);
        break;
    default:
        doc_psycho(w, hw);
    }
}
