/* libFuzzer target: the French de-identifier (detection with and without a
 * patient's identity, redaction and pseudonymisation, several documents
 * detected together) and the extractor on arbitrary bytes that pass the
 * UTF-8 check. */
#include "atelier/text.h"

#include <string.h>

static at_text_deid *det, *det_patient;
static at_text_extractor *ex;

/* A detector that also looks for one patient's identity (every field). */
static int patient_detector(void)
{
    if (at_text_deid_new(NULL, &det_patient))
        return -1;
    at_text_patient p = {.last_name = "Le Gall",
                         .first_name = "Anne-Marie",
                         .birth_date = "03/02/1961",
                         .ipp = "80012345",
                         .nir = "2 61 02 2A 238 045 12",
                         .address = "12 bis rue de l'Église, 35000 Rennes",
                         .city = "Tours",
                         .zip = "35400",
                         .phone = "+33 6 12 34 56 78",
                         .email = "a.m@exemple.fr",
                         .patient_id = "P1"};
    return at_text_deid_set_patient(det_patient, &p) ? -1 : 0;
}

static void check_spans(const at_text_spans *sp, size_t size)
{
    size_t prev = 0;
    for (size_t i = 0; i < sp->n; i++) {
        if (sp->v[i].start < prev || sp->v[i].start + sp->v[i].len > size || sp->v[i].len == 0)
            __builtin_trap(); /* spans must be sorted, disjoint, inside the text */
        prev = sp->v[i].start + sp->v[i].len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!det && at_text_deid_new(NULL, &det))
        return 0;
    if (!ex && at_text_extractor_new(NULL, &ex))
        return 0;
    if (!det_patient && patient_detector())
        return 0;
    if (size > (1u << 20) || at_text_utf8_check((const char *)data, size, NULL))
        return 0;
    at_text_mentions mm = {0};
    if (at_text_extract(ex, (const char *)data, size, NULL, &mm) == AT_OK)
        for (size_t i = 0; i < mm.n; i++)
            if (mm.v[i].start + mm.v[i].len > size)
                __builtin_trap();
    at_text_mentions_free(&mm);
    at_text_spans sp = {0};
    if (at_text_deid_detect(det_patient, (const char *)data, size, &sp) == AT_OK)
        check_spans(&sp, size);
    at_text_spans_free(&sp);
    if (at_text_deid_detect(det, (const char *)data, size, &sp) == AT_OK) {
        check_spans(&sp, size);
        at_key key;
        memset(key.bytes, 1, sizeof key.bytes);
        at_buf out;
        at_buf_init(&out, (size_t)1 << 24);
        at_text_deid_apply((const char *)data, size, &sp, AT_TEXT_REDACT, &key, "p", &out);
        at_buf_reset(&out);
        at_text_deid_apply((const char *)data, size, &sp, AT_TEXT_PSEUDONYMISE, &key, "p", &out);
        at_buf_free(&out);
    }
    at_text_spans_free(&sp);
    /* the input cut at its blank lines into up to 8 documents, detected
     * together, finds what each finds alone */
    const char *texts[8];
    size_t lens[8], nd = 0, from = 0;
    for (size_t i = 0; i + 1 < size && nd < 7; i++)
        if (data[i] == '\n' && data[i + 1] == '\n') {
            texts[nd] = (const char *)data + from;
            lens[nd++] = i + 1 - from;
            from = i + 1;
        }
    texts[nd] = (const char *)data + from;
    lens[nd++] = size - from;
    at_text_spans many[8];
    memset(many, 0, sizeof many);
    if (at_text_deid_detect_many(det, texts, lens, nd, many) == AT_OK) {
        for (size_t k = 0; k < nd; k++) {
            at_text_spans one = {0};
            if (at_text_deid_detect(det, texts[k], lens[k], &one) != AT_OK || one.n != many[k].n)
                __builtin_trap();
            for (size_t i = 0; i < one.n; i++)
                if (one.v[i].start != many[k].v[i].start || one.v[i].len != many[k].v[i].len ||
                    one.v[i].label != many[k].v[i].label)
                    __builtin_trap(); /* grouped detection must not change a span */
            at_text_spans_free(&one);
        }
    }
    for (size_t k = 0; k < nd; k++)
        at_text_spans_free(&many[k]);
    return 0;
}
