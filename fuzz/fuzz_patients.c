/* libFuzzer target: --patient-info read from arbitrary bytes (a CSV table
 * of patients or one patient's key: value lines); every patient loaded is
 * found again by its key and can be looked for in a note. */
#include "atelier/text.h"

#include <string.h>

static at_text_deid *det;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!det && at_text_deid_new(NULL, &det))
        return 0;
    if (size > (1u << 20))
        return 0;
    at_text_patients t;
    if (at_text_patients_parse("fuzz", (const char *)data, size, &t) != AT_OK) {
        if (t.v || t.n)
            __builtin_trap(); /* nothing half-loaded */
        return 0;
    }
    static const char note[] =
        "Vu M. Yannick Le Goff, né le 14/07/1955, IPP 80012345, 12 rue de la Paix 35000 Rennes.";
    for (size_t i = 0; i < t.n && i < 8; i++) {
        const at_text_patient *p = &t.v[i];
        const char *key = p->patient_id ? p->patient_id : p->ipp;
        if (t.n > 1 && at_text_patients_find(&t, key) != p)
            __builtin_trap(); /* each patient of a table by its own key */
        at_text_spans sp = {0};
        if (at_text_deid_set_patient(det, p) == AT_OK &&
            at_text_deid_detect(det, note, sizeof note - 1, &sp) == AT_OK)
            for (size_t k = 0; k < sp.n; k++)
                if (sp.v[k].start + sp.v[k].len > sizeof note - 1)
                    __builtin_trap();
        at_text_spans_free(&sp);
    }
    at_text_patients_free(&t);
    return 0;
}
