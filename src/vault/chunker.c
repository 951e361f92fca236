/* Content-defined chunking: FastCDC (Xia et al., USENIX ATC 2016) with a
 * gear hash and normalised chunking. The hash at byte i is a function of
 * the 64 bytes before it only (each step shifts the older bytes one bit
 * further out), so a cut depends on the content around it and not on its
 * offset: an insertion in the middle of a file moves the cuts near it and
 * leaves the others where they were, and the chunks after it are found
 * again (deduplicated). Normalisation: between the smallest size and the
 * normal size a cut needs 22 zero bits (rare), after it 18 (frequent), so
 * sizes gather around the normal size; the first AT_VAULT_CHUNK_MIN bytes
 * are skipped. The gear table is secret per dataset (derived from its
 * key), so chunk sizes, which anyone can see on disk, do not fingerprint
 * known files. */
#include "internal.h"

#define MASK_SMALL (~0ull << (64 - 22)) /* before the normal size */
#define MASK_LARGE (~0ull << (64 - 18)) /* after it */

size_t vault_chunk_cut(const uint64_t gear[256], const unsigned char *p, size_t n)
{
    if (n <= AT_VAULT_CHUNK_MIN)
        return n;
    size_t max = n < AT_VAULT_CHUNK_MAX ? n : AT_VAULT_CHUNK_MAX;
    size_t normal = AT_VAULT_CHUNK_AVG < max ? AT_VAULT_CHUNK_AVG : max;
    uint64_t h = 0;
    size_t i = AT_VAULT_CHUNK_MIN - 64; /* fill the window: the hash at the smallest cut sees 64 bytes */
    for (; i < AT_VAULT_CHUNK_MIN; i++)
        h = (h << 1) + gear[p[i]];
    for (; i < normal; i++) {
        h = (h << 1) + gear[p[i]];
        if (!(h & MASK_SMALL))
            return i + 1;
    }
    for (; i < max; i++) {
        h = (h << 1) + gear[p[i]];
        if (!(h & MASK_LARGE))
            return i + 1;
    }
    return max;
}
