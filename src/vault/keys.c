/* Dataset keys and object encryption.
 *
 * A dataset's secret is 32 random bytes, stored only wrapped by the room
 * master key (XChaCha20-Poly1305 under a key derived from the master key
 * for this use alone, a random nonce, the key file's header as
 * associated data: format version, algorithm, key version, the master
 * key's id and the dataset id, so a key file moved to another dataset or
 * edited fails). From the secret, BLAKE2b (crypto_kdf) derives three
 * subkeys: the objects' encryption key, the object-id key and the
 * chunker's table.
 *
 * An object is sealed with XChaCha20-Poly1305 under a random 24-byte
 * nonce: 192 bits make random nonces safe for any number of objects a
 * vault will hold (a collision is expected after about 2^96 of them), need
 * no state that a crash could lose or roll back, and stay unique when the
 * same chunk is stored twice in different forms (compressed or not, two
 * zlib versions), which a nonce derived from the plaintext would not. Its
 * associated data is the object's header, the dataset id and the object
 * id, so a chunk renamed to another id, moved to another dataset or given
 * another header fails authentication. */
#include "internal.h"

#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define KDF_CONTEXT "atvault1"

void vault_master_id(const at_key *master, unsigned char id[VAULT_MASTER_ID])
{
    static const char what[] = "atelier vault master key id";
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)what, sizeof what - 1, master->bytes,
                       AT_KEY_BYTES);
    memcpy(id, h, VAULT_MASTER_ID);
}

void vault_wrap_key(const at_key *master, unsigned char key[32])
{
    at_keyed_hash(master, "atelier vault key wrapping", "", 0, key, 32);
}

void at_vault_master_id(const at_key *master, char out[17])
{
    unsigned char id[VAULT_MASTER_ID];
    vault_master_id(master, id);
    sodium_bin2hex(out, 17, id, sizeof id);
}

static void keys_derive(vault_keys *k, const at_vault_dataset_id *ds, const unsigned char secret[32])
{
    unsigned char gear_key[32];
    k->ds = *ds;
    crypto_kdf_derive_from_key(k->enc, sizeof k->enc, 1, KDF_CONTEXT, secret);
    crypto_kdf_derive_from_key(k->name, sizeof k->name, 2, KDF_CONTEXT, secret);
    crypto_kdf_derive_from_key(gear_key, sizeof gear_key, 3, KDF_CONTEXT, secret);
    static const unsigned char zero_nonce[crypto_stream_chacha20_NONCEBYTES];
    unsigned char table[256 * 8];
    crypto_stream_chacha20(table, sizeof table, zero_nonce, gear_key);
    for (int i = 0; i < 256; i++)
        k->gear[i] = vault_get64(table + 8 * i);
    sodium_memzero(gear_key, sizeof gear_key);
    sodium_memzero(table, sizeof table);
}

void vault_keys_wipe(vault_keys *k)
{
    sodium_memzero(k, sizeof *k);
}

at_status vault_key_wrap(const at_vault *v, const at_vault_dataset_id *ds, const unsigned char secret[32],
                         unsigned char out[VAULT_KEYFILE_SIZE])
{
    memcpy(out, VAULT_KEYFILE_MAGIC, 4);
    out[4] = VAULT_KEYFILE_VERSION;
    out[5] = VAULT_KEYFILE_ALG_XCHACHA;
    vault_put16(out + 6, 1); /* key version: the first key of the dataset */
    memcpy(out + 8, v->master_id, VAULT_MASTER_ID);
    memcpy(out + 16, ds->bytes, 16);
    randombytes_buf(out + 32, VAULT_NONCE);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 56, &clen, secret, 32, out, VAULT_KEYFILE_AAD, NULL,
                                               out + 32, v->wrap);
    return clen == 48 ? AT_OK : at_error_set(AT_ERR_CRYPTO, "key wrapping failed");
}

at_status vault_keys_load(const at_vault *v, const at_vault_dataset_id *ds, vault_keys *k)
{
    char hex[AT_VAULT_DATASET_HEX];
    at_vault_dataset_hex(ds, hex);
    char *dsdir = vault_dataset_path(v, ds, NULL);
    char *path = vault_dataset_path(v, ds, "key");
    char *tomb = vault_dataset_path(v, ds, "shredded");
    if (!dsdir || !path || !tomb) {
        at_free(dsdir);
        at_free(path);
        at_free(tomb);
        return AT_ERR_NOMEM;
    }
    at_status st = AT_OK;
    unsigned char *data = NULL;
    size_t len = 0;
    if (!at_path_is_dir(dsdir)) {
        st = at_error_set(AT_ERR_NOT_FOUND, "dataset %s: no such dataset in this vault", hex);
    } else if (access(tomb, F_OK) == 0) {
        st = at_error_set(AT_ERR_CRYPTO,
                          "dataset %s: its key was destroyed (crypto-shredded): its snapshots "
                          "are unreadable",
                          hex);
    } else if (vault_read_file(path, 4096, NULL, 0, 0, &data, &len) != AT_OK) {
        st = at_error_set(AT_ERR_CRYPTO,
                          "dataset %s: its key file is missing or unreadable: its snapshots "
                          "cannot be read",
                          hex);
    } else if (at_vault_keyfile_check(data, len) != AT_OK) {
        st = at_error_prefix(AT_ERR_CRYPTO, "dataset %s", hex);
    } else if (memcmp(data + 16, ds->bytes, 16)) {
        st = at_error_set(AT_ERR_CRYPTO, "dataset %s: its key file belongs to another dataset", hex);
    } else if (memcmp(data + 8, v->master_id, VAULT_MASTER_ID)) {
        char want[17], have[17];
        sodium_bin2hex(want, sizeof want, data + 8, VAULT_MASTER_ID);
        sodium_bin2hex(have, sizeof have, v->master_id, VAULT_MASTER_ID);
        st = at_error_set(AT_ERR_CRYPTO,
                          "dataset %s: its key is wrapped by master key %s, not by the key given (%s)", hex,
                          want, have);
    } else {
        unsigned char secret[32];
        unsigned long long mlen = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret, &mlen, NULL, data + 56, 48, data,
                                                       VAULT_KEYFILE_AAD, data + 32, v->wrap) != 0 ||
            mlen != 32) {
            st =
                at_error_set(AT_ERR_CRYPTO,
                             "dataset %s: its wrapped key fails authentication (corrupted or tampered)", hex);
        } else {
            keys_derive(k, ds, secret);
        }
        sodium_memzero(secret, sizeof secret);
    }
    if (data) {
        sodium_memzero(data, len);
        at_free(data);
    }
    at_free(dsdir);
    at_free(path);
    at_free(tomb);
    return st;
}

/* ---- object ids and sealing ---- */

void vault_chunk_id(const vault_keys *k, const void *data, size_t len, unsigned char id[32])
{
    static const unsigned char personal[16] = "atvault-chunk-v1";
    crypto_generichash_blake2b_salt_personal(id, 32, data, len, k->name, sizeof k->name, NULL, personal);
}

void vault_manifest_id(const vault_keys *k, const void *data, size_t len, unsigned char id[32])
{
    static const unsigned char personal[16] = "atvault-manif-v1";
    crypto_generichash_blake2b_salt_personal(id, 32, data, len, k->name, sizeof k->name, NULL, personal);
}

static void object_aad(const vault_keys *k, const unsigned char *header, const unsigned char id[32],
                       unsigned char aad[VAULT_OBJ_HEADER + 48])
{
    memcpy(aad, header, VAULT_OBJ_HEADER);
    memcpy(aad + VAULT_OBJ_HEADER, k->ds.bytes, 16);
    memcpy(aad + VAULT_OBJ_HEADER + 16, id, 32);
}

void vault_seal(const vault_keys *k, unsigned type, unsigned flags, const unsigned char id[32],
                uint32_t plain_len, const unsigned char *body, uint32_t stored_len, unsigned char *out)
{
    memcpy(out, VAULT_OBJ_MAGIC, 4);
    out[4] = VAULT_OBJ_VERSION;
    out[5] = (unsigned char)type;
    out[6] = (unsigned char)flags;
    out[7] = 0;
    vault_put32(out + 8, plain_len);
    vault_put32(out + 12, stored_len);
    randombytes_buf(out + 16, VAULT_NONCE);
    unsigned char aad[VAULT_OBJ_HEADER + 48];
    object_aad(k, out, id, aad);
    unsigned long long clen;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_OBJ_HEADER, &clen, body, stored_len, aad,
                                               sizeof aad, NULL, out + 16, k->enc);
}

at_status vault_open_object(const vault_keys *k, unsigned type, const unsigned char id[32],
                            unsigned char *data, size_t len, vault_header *h, unsigned char **body)
{
    *body = NULL;
    at_status st = vault_header_parse(data, len, (int)type, h);
    if (st)
        return st;
    unsigned char aad[VAULT_OBJ_HEADER + 48];
    object_aad(k, data, id, aad);
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            data + VAULT_OBJ_HEADER, &mlen, NULL, data + VAULT_OBJ_HEADER,
            (unsigned long long)h->stored_len + VAULT_TAG, aad, sizeof aad, h->nonce, k->enc) != 0)
        return at_error_set(AT_ERR_CRYPTO, "authentication failed (corrupted, tampered or misnamed)");
    *body = data + VAULT_OBJ_HEADER;
    return AT_OK;
}

at_status vault_inflate(const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_len)
{
    uLongf out = (uLongf)dst_len;
    uLong in = (uLong)src_len;
    int z = uncompress2(dst, &out, src, &in);
    if (z != Z_OK || out != dst_len || in != src_len)
        return at_error_set(AT_ERR_FORMAT, "compressed chunk does not inflate to its length");
    return AT_OK;
}

at_status vault_key_new(const at_vault *v, const at_vault_dataset_id *ds,
                        unsigned char out[VAULT_KEYFILE_SIZE])
{
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    at_status st = vault_key_wrap(v, ds, secret, out);
    sodium_memzero(secret, sizeof secret);
    return st;
}
