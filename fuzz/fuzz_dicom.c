/* libFuzzer target: read any bytes as DICOM; what reads must dump, convert
 * to JSON and write (as Part 10 and as a bare dataset), and what atelier
 * writes as Part 10 must read back. The same bytes also go through the
 * parser of sequences encoded as UN (at_dcm_un_to_sequence). */
#include "atelier/dicom.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size && size < 0xFFFFFFFEu) {
        at_dcm_element el;
        memset(&el, 0, sizeof el);
        el.tag = AT_TAG(0x0008, 0x1115);
        el.vr = AT_VR('U', 'N');
        el.value = at_malloc(size);
        if (el.value) {
            memcpy(el.value, data, size);
            el.length = (uint32_t)size;
            (void)at_dcm_un_to_sequence(&el, AT_DCM_MAX_DEPTH, "fuzz");
        }
        at_dcm_element_clear(&el);
        at_error_clear();
    }
    at_dcm_file *f;
    if (at_dcm_read_memory(data, size, NULL, &f) != AT_OK)
        return 0;
    at_buf b;
    at_buf_init(&b, (size_t)1 << 28);
    at_dcm_dump(f, &b);
    at_buf_reset(&b);
    at_dcm_to_json(f->dataset, &b);
    at_buf_free(&b);
    unsigned char *out;
    size_t len;
    if (at_dcm_write_memory(f, &out, &len) == AT_OK) {
        at_dcm_file *g;
        if (at_dcm_read_memory(out, len, NULL, &g) != AT_OK)
            abort(); /* atelier could not read what it wrote */
        at_dcm_file_free(g);
        at_free(out);
    }
    if (at_dcm_write_bare_memory(f, &out, &len) == AT_OK) {
        at_dcm_file *g;
        if (at_dcm_read_memory(out, len, NULL, &g) == AT_OK) /* a bare dataset's syntax is guessed */
            at_dcm_file_free(g);
        at_free(out);
    }
    at_error_clear();
    at_dcm_file_free(f);
    return 0;
}
