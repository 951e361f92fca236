/* libFuzzer target: the safetensors checkpoint parser (header length,
 * JSON header, offsets, dtypes, shapes), the tensor conversion and the
 * checkpoint metadata reader (architecture keys, ranges). */
#include "atelier/learn.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    at_st_file *f = NULL;
    if (at_st_parse(data, size, &f) == AT_OK) {
        float tmp[64];
        for (size_t i = 0; i < f->count; i++) {
            const at_st_tensor *t = &f->tensors[i];
            at_st_find(f, t->name);
            if (t->nbytes <= sizeof tmp)
                for (size_t n = 0; n <= 64; n++)
                    if (at_st_to_f32(t, tmp, n) == AT_OK)
                        break;
        }
        at_unet_config cfg;
        at_unet_config_default(&cfg);
        at_st_read_config(f, "fuzz", &cfg);
        at_st_free(f);
    }
    return 0;
}
