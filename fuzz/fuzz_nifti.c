/* libFuzzer target: NIfTI-1 reading from memory (plain and gzip). */
#include "atelier/image.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    at_volume *v = NULL;
    if (at_nifti_read_memory(data, size, "fuzz.nii", &v) == AT_OK) {
        /* a volume that was read must be whole and writable to memory-sized grids */
        volatile float sink = v->data[at_grid_voxels(&v->grid) - 1];
        (void)sink;
        at_volume_free(v);
    }
    return 0;
}
