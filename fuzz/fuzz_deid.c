/* libFuzzer target: any bytes the reader accepts go through the profile
 * engine (options chosen by the last byte) and back through the writer.
 * No crash, no leak, no hang whatever the tree looks like. */
#include "atelier/deid.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static at_key key;
    static int ready;
    if (!ready) {
        at_crypto_init();
        memset(&key, 0x42, sizeof key);
        ready = 1;
    }
    if (size < 2)
        return 0;
    unsigned options = (unsigned)data[size - 1] * 7u & 0x3ffu;
    options &= ~AT_DEID_OPT_CLEAN_STRUCTURED;
    if ((options & AT_DEID_OPT_FULL_DATES) && (options & AT_DEID_OPT_MODIFIED_DATES))
        options &= ~AT_DEID_OPT_FULL_DATES;
    at_dcm_file *f = NULL;
    at_dcm_read_options ropt = {.name = "fuzz", .stop_before_pixels = 0};
    if (at_dcm_read_memory(data, size - 1, &ropt, &f) == AT_OK) {
        const char *why;
        (void)at_deid_burned_in_risk(f->dataset, &why);
        at_deid_config cfg = {.options = options, .key = &key};
        if (at_deid_apply(f, &cfg) == AT_OK) {
            unsigned char *out = NULL;
            size_t len = 0;
            if (at_dcm_write_memory(f, &out, &len) == AT_OK)
                at_free(out);
        }
        at_dcm_file_free(f);
    }
    at_error_clear();
    return 0;
}
