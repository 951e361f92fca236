/* libFuzzer target: read any bytes as DICOM; what reads must dump, convert
 * to JSON and write, and what atelier writes must read back. */
#include "atelier/dicom.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
    at_dcm_file_free(f);
    return 0;
}
