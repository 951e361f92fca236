/* libFuzzer target: the vault's parsers of untrusted bytes (a damaged or
 * hostile vault folder): the manifest's plaintext (and the property that a
 * manifest that parses encodes back to the same bytes), paths inside a
 * snapshot, and the frames of stored objects and wrapped keys. The first
 * byte picks the parser. */
#include "atelier/vault.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 4) {
    case 0: {
        at_vault_manifest *m = NULL;
        if (at_vault_manifest_parse(p, n, &m) == AT_OK) {
            unsigned char *again = NULL;
            size_t len = 0;
            if (at_vault_manifest_encode(m, &again, &len) != AT_OK || len != n || memcmp(again, p, n))
                abort(); /* what parses must encode back to the same bytes */
            for (size_t i = 0; i < m->file_count; i++)
                if (at_vault_path_check(m->files[i].path) != AT_OK ||
                    at_vault_manifest_find(m, m->files[i].path) != (long)i)
                    abort();
            at_free(again);
            at_vault_manifest_free(m);
        } else if (m) {
            abort();
        }
        break;
    }
    case 1: {
        char *s = malloc(n + 1);
        if (!s)
            return 0;
        memcpy(s, p, n);
        s[n] = '\0';
        at_vault_path_check(s);
        free(s);
        break;
    }
    case 2:
        at_vault_object_check(p, n, 0);
        at_vault_object_check(p, n, 1);
        break;
    default:
        at_vault_keyfile_check(p, n);
        break;
    }
    return 0;
}
