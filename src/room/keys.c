/* The room's keys in DIR/keys (0700), each file 0600, written whole
 * (temp, fsync, rename) and never shown: master.key (sessions' and CSRF
 * tokens' keyed hashes, TOTP secrets sealed at rest), site.key (the
 * door's, for imports), audit.key (Ed25519 seed signing the audit's
 * anchors) beside audit.pub (its public half, 0644). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

at_status room_write_private(const char *path, const void *data, size_t len, int mode)
{
    size_t plen = strlen(path);
    char *tmp = at_malloc(plen + 16);
    if (!tmp)
        return AT_ERR_NOMEM;
    snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        at_status st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        at_free(tmp);
        return st;
    }
    at_status st = AT_OK;
    if (fchmod(fd, (mode_t)mode) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot set its mode: %s", path, strerror(errno));
    if (!st && at_fd_write_all(fd, data, len))
        st = at_error_set(AT_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    if (!st && fsync(fd) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot sync: %s", path, strerror(errno));
    if (close(fd) != 0 && !st)
        st = at_error_set(AT_ERR_IO, "%s: cannot close: %s", path, strerror(errno));
    if (!st && rename(tmp, path) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot rename into place: %s", path, strerror(errno));
    if (st)
        unlink(tmp);
    at_free(tmp);
    return st;
}

at_status room_read_hex_key(const char *path, unsigned char *out, size_t n, int private_file)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return at_error_set(AT_ERR_IO, "%s: cannot read the key: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return at_error_set(AT_ERR_IO, "%s: not a regular file", path);
    if (private_file && (sb.st_mode & 077))
        return at_error_set(AT_ERR_CRYPTO, "%s: the key can be read by others (mode %03o); chmod 600 it",
                            path, (unsigned)(sb.st_mode & 0777));
    unsigned char *text = NULL;
    size_t len = 0;
    at_status st = at_file_read(path, 4096, &text, &len);
    if (st)
        return st;
    size_t bin = 0;
    const char *end = NULL;
    if (sodium_hex2bin(out, n, (const char *)text, len, " \r\n", &bin, &end) != 0 || bin != n)
        st = at_error_set(AT_ERR_CRYPTO, "%s: not a key of %zu bytes in hex", path, n);
    sodium_memzero(text, len);
    at_free(text);
    return st;
}

static at_status write_hex_key(const char *dir, const char *name, const unsigned char *key, size_t n,
                               int mode)
{
    char hex[2 * 64 + 2];
    sodium_bin2hex(hex, sizeof hex, key, n);
    hex[2 * n] = '\n';
    char *path = at_path_join(dir, name);
    at_status st = path ? room_write_private(path, hex, 2 * n + 1, mode) : AT_ERR_NOMEM;
    sodium_memzero(hex, sizeof hex);
    at_free(path);
    return st;
}

at_status room_keys_create(const char *dir, char audit_public_hex[65])
{
    char *keys = at_path_join(dir, "keys");
    if (!keys)
        return AT_ERR_NOMEM;
    at_status st = AT_OK;
    if (mkdir(keys, 0700) != 0)
        st = at_error_set(AT_ERR_IO, "%s: cannot create: %s", keys, strerror(errno));
    unsigned char master[AT_KEY_BYTES], seed[crypto_sign_SEEDBYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    randombytes_buf(master, sizeof master);
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    if (!st)
        st = write_hex_key(keys, "master.key", master, sizeof master, 0600);
    if (!st)
        st = write_hex_key(keys, "audit.key", seed, sizeof seed, 0600);
    if (!st)
        st = write_hex_key(keys, "audit.pub", pk, sizeof pk, 0644);
    if (!st) {
        /* the door's site key, in the format every atelier command reads */
        char *site = at_path_join(keys, "site.key");
        at_key k;
        int created = 0;
        st = site ? at_key_load_or_create(site, &k, &created) : AT_ERR_NOMEM;
        sodium_memzero(&k, sizeof k);
        at_free(site);
    }
    sodium_bin2hex(audit_public_hex, 65, pk, sizeof pk);
    sodium_memzero(master, sizeof master);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk, sizeof sk);
    at_free(keys);
    return st;
}

at_status room_audit_public_key(const char *dir, const char *hex,
                                unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
    if (hex) {
        size_t bin = 0;
        if (sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, hex, strlen(hex), NULL, &bin, NULL) != 0 ||
            bin != crypto_sign_PUBLICKEYBYTES)
            return at_error_set(AT_ERR_ARG, "the audit public key must be 64 hexadecimal digits");
        return AT_OK;
    }
    char *path = at_path_join(dir, "keys/audit.pub");
    at_status st = path ? room_read_hex_key(path, pk, crypto_sign_PUBLICKEYBYTES, 0) : AT_ERR_NOMEM;
    at_free(path);
    return st;
}

at_status room_keys_load(at_room *room)
{
    char *keys = at_path_join(room->dir, "keys");
    if (!keys)
        return AT_ERR_NOMEM;
    struct stat sb;
    at_status st = AT_OK;
    if (lstat(keys, &sb) != 0 || !S_ISDIR(sb.st_mode))
        st = at_error_set(AT_ERR_IO, "%s: the room's key folder is missing", keys);
    else if (sb.st_mode & 077)
        st = at_error_set(AT_ERR_CRYPTO, "%s: the key folder is open to others (mode %03o); chmod 700 it",
                          keys, (unsigned)(sb.st_mode & 0777));
    char *p = st ? NULL : at_path_join(keys, "master.key");
    if (!st)
        st = p ? room_read_hex_key(p, room->master.bytes, AT_KEY_BYTES, 1) : AT_ERR_NOMEM;
    at_free(p);
    unsigned char seed[crypto_sign_SEEDBYTES];
    p = st ? NULL : at_path_join(keys, "audit.key");
    if (!st)
        st = p ? room_read_hex_key(p, seed, sizeof seed, 1) : AT_ERR_NOMEM;
    at_free(p);
    if (!st)
        crypto_sign_seed_keypair(room->audit_pk, room->audit_sk, seed);
    sodium_memzero(seed, sizeof seed);
    if (!st) {
        unsigned char pub[crypto_sign_PUBLICKEYBYTES];
        st = room_audit_public_key(room->dir, NULL, pub);
        if (!st && sodium_memcmp(pub, room->audit_pk, sizeof pub) != 0)
            st = at_error_set(AT_ERR_CRYPTO, "%s/audit.pub does not match audit.key", keys);
    }
    at_free(keys);
    return st;
}

at_status at_room_site_key(const at_room *room, at_key *out)
{
    char *p = at_path_join(room->dir, "keys/site.key");
    at_status st = p ? room_read_hex_key(p, out->bytes, AT_KEY_BYTES, 1) : AT_ERR_NOMEM;
    at_free(p);
    return st;
}
