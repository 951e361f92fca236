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

char *at_key_default_path(void)
{
    const char *env = getenv("ATELIER_KEY");
    if (env && *env)
        return at_strdup(env);
    const char *home = getenv("HOME");
    if (!home || !*home)
        home = ".";
    char *dir = at_path_join(home, ".config/atelier");
    if (!dir)
        return NULL;
    char *p = at_path_join(dir, "site.key");
    at_free(dir);
    return p;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

at_status at_key_load_or_create(const char *path, at_key *key, int *created)
{
    at_status st = at_crypto_init();
    if (st)
        return st;
    if (created)
        *created = 0;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno != ENOENT)
            return at_error_set(AT_ERR_IO, "%s: cannot access key file: %s", path, strerror(errno));
        /* create: folder, then the key with 0600, never overwriting */
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
         * place: link() fails if another process created the key first, in
         * which case we load theirs. A reader never sees a half-written key. */
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
        if (!linked && !raced)
            return at_error_set(AT_ERR_IO, "%s: cannot write key file", path);
        if (linked) {
            if (created)
                *created = 1;
            return AT_OK;
        }
        /* another process won the race: fall through and load its key */
    }
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

void at_keyed_hash(const at_key *key, const char *domain, const void *data, size_t len,
                   unsigned char *out, size_t outlen)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, key->bytes, AT_KEY_BYTES, outlen);
    crypto_generichash_update(&state, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&state, data, len);
    crypto_generichash_final(&state, out, outlen);
}
