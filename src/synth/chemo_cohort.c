/* A synthetic cohort of chemotherapy patients for the re-hospitalisation
 * risk model: one row per cycle (patient_id, cycle, age, text, label) with
 * a French pre-cycle note, and an unplanned 30-day hospitalisation drawn
 * from a logistic model of the risk factors reported in the literature:
 * age, performance status, grade >= 3 toxicities, febrile neutropenia,
 * polychemotherapy and prior admissions (plus a patient random effect). */
#include "atelier/synth.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name, *cancer;
    int ndrugs;
} regimen;

static const regimen regimens[] = {{"FOLFOX", "adénocarcinome colique", 3},
                                   {"FOLFIRI", "adénocarcinome rectal", 3},
                                   {"FOLFIRINOX", "adénocarcinome pancréatique", 4},
                                   {"capécitabine", "adénocarcinome colique", 1},
                                   {"EC", "carcinome mammaire", 2},
                                   {"paclitaxel hebdomadaire", "carcinome mammaire", 1},
                                   {"docétaxel", "adénocarcinome prostatique", 1},
                                   {"carboplatine-paclitaxel", "carcinome ovarien", 2},
                                   {"cisplatine-étoposide", "carcinome bronchique à petites cellules", 2},
                                   {"R-CHOP", "lymphome B diffus à grandes cellules", 5},
                                   {"gemcitabine", "adénocarcinome pancréatique", 1},
                                   {"cisplatine-pémétrexed", "adénocarcinome bronchique", 2}};

static const char *const tox_names[] = {
    "neutropénie", "mucite", "diarrhée", "nausées", "anémie", "thrombopénie", "neuropathie périphérique",
    "asthénie"};
static const char *const fillers[] = {"Examen clinique sans particularité.",
                                      "Le patient se dit en forme.",
                                      "Poids stable.",
                                      "Bilan biologique du jour satisfaisant.",
                                      "Pas de douleur.",
                                      "Appétit conservé.",
                                      "Entourage présent et aidant.",
                                      "Vit à domicile avec son épouse.",
                                      "Bonne compréhension du traitement.",
                                      "Voie veineuse centrale fonctionnelle.",
                                      "Scanner de réévaluation prévu après le prochain cycle."};

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static at_status cohort_row(at_buf *csv, at_rng *r, size_t pid, int cycle, int age, int ps, const regimen *rg,
                            int prior, double patient_effect)
{
    char text[2048];
    size_t o = 0;
#define PUT(...) o += (size_t)snprintf(text + o, o < sizeof text ? sizeof text - o : 0, __VA_ARGS__)
    PUT("Patient de %d ans, OMS %d, traité par %s C%d pour %s. ", age, ps, rg->name, cycle, rg->cancer);
    if (prior > 0)
        PUT("Antécédent de %d hospitalisation%s non programmée%s dans l'année. ", prior, prior > 1 ? "s" : "",
            prior > 1 ? "s" : "");
    else
        PUT("Aucune hospitalisation antérieure. ");
    /* toxicities of the previous cycle */
    int g3 = 0, fn = 0, diar3 = 0, maxg = 0;
    double tox_rate = 0.15 + 0.08 * (rg->ndrugs - 1) + 0.05 * ps;
    for (size_t t = 0; t < sizeof tox_names / sizeof *tox_names; t++) {
        double u = at_rng_uniform(r);
        if (u < tox_rate) {
            int g = 1 + (int)(at_rng_uniform(r) * (1.6 + 0.5 * ps + 0.3 * rg->ndrugs));
            if (g > 4)
                g = 4;
            if (g > maxg)
                maxg = g;
            g3 |= g >= 3;
            if (t == 2 && g >= 3)
                diar3 = 1;
            int style = (int)(at_rng_next(r) % 3);
            if (style == 0)
                PUT("%c%s grade %d. ", tox_names[t][0] == 'n' ? 'N' : tox_names[t][0] - 32, tox_names[t] + 1,
                    g);
            else if (style == 1)
                PUT("Au décours du cycle précédent : %s G%d. ", tox_names[t], g);
            else
                PUT("Présente une %s de grade %d. ", tox_names[t], g);
        } else if (u < tox_rate + 0.12) {
            PUT("Pas de %s. ", tox_names[t]);
        }
    }
    double u = at_rng_uniform(r);
    if (u < 0.04 + 0.04 * rg->ndrugs + 0.03 * ps) {
        fn = 1;
        PUT("Épisode de neutropénie fébrile après le dernier cycle. ");
    } else if (u < 0.45) {
        PUT("Pas de neutropénie fébrile. ");
    } else if (u < 0.55) {
        PUT("Neutropénie fébrile à éliminer devant une fébricule isolée, hémocultures négatives. ");
    }
    for (int k = 0; k < 2; k++)
        PUT("%s ", fillers[at_rng_next(r) % (sizeof fillers / sizeof *fillers)]);
#undef PUT
    double logit = -3.8 + 0.035 * (age - 62) + 0.65 * ps + 1.1 * g3 + 1.4 * fn + 0.35 * (rg->ndrugs - 1) +
                   0.45 * prior + 0.5 * diar3 + 0.1 * (maxg >= 2) + patient_effect;
    int label = at_rng_uniform(r) < sigmoid(logit);
    char head[96];
    snprintf(head, sizeof head, "S%06zu,%d,%d,", pid, cycle, age);
    at_status st = at_buf_puts(csv, head);
    if (!st)
        st = at_csv_put_field(csv, text, strlen(text) < sizeof text ? strlen(text) : sizeof text - 1);
    if (!st)
        st = at_buf_printf(csv, ",%d\n", label);
    return st;
}

at_status at_synth_chemo_cohort(size_t patients, uint64_t seed, at_buf *csv)
{
    if (patients == 0 || patients > 10000000)
        return at_error_set(AT_ERR_ARG, "synthetic cohort: patients must be in [1, 10000000]");
    at_rng r;
    at_rng_seed(&r, seed ^ 0x63686d6fULL);
    at_status st = at_buf_puts(csv, "patient_id,cycle,age,text,label\n");
    for (size_t p = 0; p < patients && !st; p++) {
        int age = (int)lround(63 + 11 * at_rng_normal(&r));
        age = age < 18 ? 18 : age > 95 ? 95 : age;
        double ups = at_rng_uniform(&r) + (age > 75 ? 0.25 : 0);
        int ps = ups < 0.35 ? 0 : ups < 0.75 ? 1 : ups < 0.95 ? 2 : 3;
        const regimen *rg = &regimens[at_rng_next(&r) % (sizeof regimens / sizeof *regimens)];
        int prior = (int)(at_rng_uniform(&r) * at_rng_uniform(&r) * 4);
        double eff = 0.5 * at_rng_normal(&r);
        int cycles = 2 + (int)(at_rng_next(&r) % 5);
        for (int c = 1; c <= cycles && !st; c++)
            st = cohort_row(csv, &r, p, c, age, ps, rg, prior, eff);
    }
    return st;
}
