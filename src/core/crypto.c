/* Site keys and keyed hashing with libsodium (BLAKE2b, keyed). */
#include "atelier/core.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

at_status at_crypto_init(void)
{
    if (sodium_init() < 0)
        return at_error_set(AT_ERR_CRYPTO, "libsodium failed to initialise");
    return AT_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Create a random key at path: folder made (0700), a complete key written
 * to a private temp file (0600) then linked into place, so that a reader
 * never sees half a key and an existing key is never overwritten. */
at_status at_key_create(const char *path, at_key *key)
{
    at_status st = at_crypto_init();
    if (st)
        return st;
    char *dir = at_strdup(path);
    if (!dir)
        return AT_ERR_NOMEM;
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        st = at_mkdir_p(dir, 0700);
    }
    at_free(dir);
    if (st)
        return st;
    randombytes_buf(key->bytes, AT_KEY_BYTES);
    char hex[2 * AT_KEY_BYTES + 2];
    sodium_bin2hex(hex, sizeof hex, key->bytes, AT_KEY_BYTES);
    hex[2 * AT_KEY_BYTES] = '\n';
    /* Write a complete key to a private temp file, then link it into
     * place: link() fails if a key is there already (another process
     * created it first). A reader never sees a half-written key. */
    size_t plen = strlen(path);
    char *tmp = at_malloc(plen + 16);
    if (!tmp) {
        sodium_memzero(hex, sizeof hex);
        return AT_ERR_NOMEM;
    }
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        sodium_memzero(hex, sizeof hex);
        at_free(tmp);
        return at_error_set(AT_ERR_IO, "%s: cannot create key file: %s", path, strerror(errno));
    }
    fchmod(fd, 0600);
    ssize_t n = write(fd, hex, 2 * AT_KEY_BYTES + 1);
    int ok = n == 2 * AT_KEY_BYTES + 1 && fsync(fd) == 0;
    close(fd);
    sodium_memzero(hex, sizeof hex);
    int linked = ok && link(tmp, path) == 0;
    int raced = ok && !linked && errno == EEXIST;
    unlink(tmp);
    at_free(tmp);
    if (linked)
        return AT_OK;
    sodium_memzero(key->bytes, AT_KEY_BYTES);
    if (raced)
        return at_error_set(AT_ERR_IO, "%s: a key file is already there (nothing was overwritten)", path);
    return at_error_set(AT_ERR_IO, "%s: cannot write key file", path);
}

at_status at_key_load(const char *path, at_key *key)
{
    at_status st = at_crypto_init();
    if (st)
        return st;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return at_error_set(errno == ENOENT ? AT_ERR_NOT_FOUND : AT_ERR_IO, "%s: cannot access key file: %s",
                            path, strerror(errno));
    unsigned char *data;
    size_t len;
    st = at_file_read(path, 4096, &data, &len);
    if (st)
        return st;
    if (len == AT_KEY_BYTES) {
        memcpy(key->bytes, data, AT_KEY_BYTES);
    } else {
        size_t n = len;
        while (n && (data[n - 1] == '\n' || data[n - 1] == '\r' || data[n - 1] == ' '))
            n--;
        if (n != 2 * AT_KEY_BYTES) {
            sodium_memzero(data, len);
            at_free(data);
            return at_error_set(AT_ERR_CRYPTO, "%s: a key file holds 32 raw bytes or 64 hex digits", path);
        }
        for (size_t i = 0; i < AT_KEY_BYTES; i++) {
            int hi = hexval(data[2 * i]), lo = hexval(data[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                sodium_memzero(data, len);
                at_free(data);
                return at_error_set(AT_ERR_CRYPTO, "%s: key file is not hexadecimal", path);
            }
            key->bytes[i] = (unsigned char)(hi << 4 | lo);
        }
    }
    sodium_memzero(data, len);
    at_free(data);
    return AT_OK;
}

at_status at_key_load_or_create(const char *path, at_key *key, int *created)
{
    if (created)
        *created = 0;
    at_status st = at_key_load(path, key);
    if (st != AT_ERR_NOT_FOUND)
        return st;
    at_error_clear();
    st = at_key_create(path, key);
    if (!st && created)
        *created = 1;
    if (st == AT_ERR_IO && !access(path, F_OK)) { /* another process made it first: its key */
        at_error_clear();
        return at_key_load(path, key);
    }
    return st;
}

void at_keyed_hash(const at_key *key, const char *domain, const void *data, size_t len, unsigned char *out,
                   size_t outlen)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, key->bytes, AT_KEY_BYTES, outlen);
    crypto_generichash_update(&state, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&state, data, len);
    crypto_generichash_final(&state, out, outlen);
}
