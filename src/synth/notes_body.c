/* Body text of the synthetic clinical documents: oncology content with
 * eponyms (kept), common words that are also names (traps), relatives and
 * colleagues named in passing, follow-up dates and places. */
#include "notes_gen.h"

#include <string.h>

typedef struct {
    const char *text, *eponym; /* eponym: the word that must not be redacted */
} eponym_sentence;

static const eponym_sentence eponyms[] = {
    {"Antécédent de maladie de Hodgkin traitée dans l'enfance. ", "Hodgkin"},
    {"Indice de Karnofsky à 70 %. ", "Karnofsky"},
    {"Suspicion de syndrome de Lynch, consultation d'oncogénétique demandée. ", "Lynch"},
    {"Clairance de la créatinine selon la formule de Cockcroft à 65 mL/min. ", "Cockcroft"},
    {"Score de Gleason 7 (4+3) sur les biopsies. ", "Gleason"},
    {"Indice de Breslow à 2,1 mm. ", "Breslow"},
    {"Intervention de Hartmann en urgence il y a deux ans. ", "Hartmann"},
    {"Gangrène de Fournier éliminée cliniquement. ", "Fournier"},
    {"Maladie de Crohn connue, quiescente. ", "Crohn"},
    {"Sarcome d'Ewing du fémur dans l'adolescence. ", "Ewing"},
    {"Score de Charlson à 4. ", "Charlson"},
    {"Maladie de Waldenström en surveillance. ", "Waldenström"},
    {"Endobrachyœsophage de Barrett sans dysplasie. ", "Barrett"},
    {"Signe de Babinski négatif. ", "Babinski"},
    {"Score de Khorana à 2. ", "Khorana"},
    {"Maladie de Parkinson débutante. ", "Parkinson"},
    {"Syndrome de Li-Fraumeni suspecté devant l'histoire familiale. ", "Li-Fraumeni"},
    {"Pas de signe de Murphy. ", "Murphy"},
    {"Sarcome de Kaposi cutané. ", "Kaposi"},
    {"Score de Glasgow à 15. ", "Glasgow"},
    {"Syndrome de Cushing iatrogène. ", "Cushing"},
    {"Maladie de Paget du mamelon. ", "Paget"},
    {"Classification de Masaoka : stade II. ", "Masaoka"},
    {"Lymphome de Burkitt traité en 2011. ", "Burkitt"},
};

static const char *const body_common[] = {
    "Patiente en bon état général, OMS 1. ",
    "Petit épanchement pleural droit non ponctionnable. ",
    "Rose et bien hydratée, apyrétique. ",
    "Blanc de l'œil sans ictère. ",
    "Pas de douleur, pas de fièvre, transit conservé. ",
    "Examen clinique sans particularité. ",
    "Bonne tolérance du cycle précédent, asthénie grade 1. ",
    "Neutropénie grade 2 sans fièvre au dernier bilan. ",
    "Le scanner thoraco-abdomino-pelvien montre une réponse partielle. ",
    "Poursuite du protocole FOLFOX, cycle 4, à dose pleine. ",
    "Mucite grade 2 traitée par bains de bouche. ",
    "Martin-pêcheur mentionné par le patient comme passe-temps ornithologique. ",
    "Pierre angulaire de la prise en charge : la nutrition. ",
    "Présente une neuropathie périphérique grade 1 sous oxaliplatine. ",
    "Marqueurs tumoraux en baisse (ACE 4,2 ng/mL). ",
};

static const char *const relations[] = {"Sa fille", "Son fils", "Son épouse",
                                        "Son mari", "Sa sœur",  "Son frère"};

static void put_eponym(notes_writer *w, const eponym_sentence *e)
{
    size_t a = w->b.len;
    nw_put(w, e->text);
    if (w->st)
        return;
    const char *hit = strstr((const char *)w->b.data + a, e->eponym);
    if (hit)
        w->st = at_text_spans_push(&w->epo, (size_t)(hit - (const char *)w->b.data), strlen(e->eponym), 0);
    /* a year alone ("traité en 2011") is a date */
    const char *y = strstr((const char *)w->b.data + a, " en ");
    if (y && !w->st && y[4] >= '1' && y[4] <= '2' && strspn(y + 4, "0123456789") == 4)
        w->st = at_text_spans_push(&w->gold, (size_t)(y + 4 - (const char *)w->b.data), 4, AT_PHI_DATE);
}

static void put_common(notes_writer *w)
{
    nw_put(w, body_common[nw_pick(w, sizeof body_common / sizeof *body_common)]);
}

void notes_body(notes_writer *w, int kind, const notes_person *p, const notes_doctor *docs, size_t ndocs,
                const notes_hospital *h, int y, int m, int d)
{
    int nsent = 2 + (int)nw_pick(w, 4);
    for (int i = 0; i < nsent; i++) {
        if (nw_u(w) < 0.45)
            put_eponym(w, &eponyms[nw_pick(w, sizeof eponyms / sizeof *eponyms)]);
        else
            put_common(w);
    }
    double r = nw_u(w);
    if (r < 0.25) {
        nw_put(w, relations[nw_pick(w, sizeof relations / sizeof *relations)]);
        nw_put(w, ", ");
        nw_put(w, nw_u(w) < 0.5 ? "Mme " : "M. ");
        const notes_doctor *o = &docs[nw_pick(w, ndocs)];
        nw_ent(w, AT_PHI_PRENOM, o->first);
        nw_put(w, " ");
        nw_last(w, p->last, 0.5);
        nw_put(w, ", est joignable au ");
        char ph[40];
        memcpy(ph, p->phone, sizeof ph);
        ph[sizeof ph - 1] = 0;
        size_t n = strlen(ph);
        if (n > 2)
            ph[n - 2] = ph[n - 2] == '9' ? '1' : (char)(ph[n - 2] + 1);
        nw_ent(w, AT_PHI_TEL, ph);
        nw_put(w, ". ");
    } else if (r < 0.40) {
        nw_put(w, "Vu ce jour avec ");
        const notes_doctor *o = &docs[nw_pick(w, ndocs)];
        nw_ent(w, AT_PHI_PRENOM, o->first);
        nw_put(w, " ");
        nw_last(w, o->last, 0.3);
        nw_put(w, ", interne du service. ");
    } else if (r < 0.55) {
        nw_put(w, "Le patient a été adressé par le Dr ");
        nw_last(w, docs[1].last, 0.6);
        nw_put(w, ", exerçant à ");
        nw_ent(w, AT_PHI_VILLE, h->com.name);
        nw_put(w, ". ");
    } else if (r < 0.65) {
        nw_put(w, "Scanner de réévaluation réalisé au ");
        nw_ent(w, AT_PHI_HOPITAL, h->name);
        nw_put(w, " le ");
        nw_date(w, AT_PHI_DATE, y, m, d);
        nw_put(w, ". ");
    }
    (void)kind;
    nw_put(w, "\nProchain rendez-vous le ");
    nw_date(w, AT_PHI_DATE, m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, d);
    nw_put(w, ".");
    if (nw_u(w) < 0.2) {
        nw_put(w, " Contact du secrétariat : ");
        nw_ent(w, AT_PHI_TEL, h->phone);
        nw_put(w, ".");
    }
    if (nw_u(w) < 0.15) {
        nw_put(w, " Résultats à adresser à ");
        nw_ent(w, AT_PHI_MAIL, p->email);
        nw_put(w, ".");
    }
}
