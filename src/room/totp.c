/* TOTP (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1 from nettle (libsodium
 * has no SHA-1), 6 digits, 30-second steps, +-1 step of clock drift, and a
 * step accepted at most once per user (the caller stores the last one).
 * Secrets rest sealed with the room's master key (XChaCha20-Poly1305),
 * bound to the user's id. */
#include "internal.h"

#include <nettle/hmac.h>
#include <string.h>

#define TOTP_STEP 30
#define TOTP_DIGITS 6

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

at_status room_base32_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t need = (n * 8 + 4) / 5 + 1, k = 0;
    if (cap < need)
        return at_error_set(AT_ERR_LIMIT, "base32: output too small");
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            out[k++] = b32[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[k++] = b32[(acc << (5 - bits)) & 31];
    out[k] = '\0';
    return AT_OK;
}

at_status room_base32_decode(const char *in, unsigned char *out, size_t cap, size_t *n)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '=')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        const char *q = c ? strchr(b32, c) : NULL;
        if (!q)
            return at_error_set(AT_ERR_FORMAT, "base32: invalid character at offset %zu", (size_t)(p - in));
        acc = (acc << 5) | (uint32_t)(q - b32);
        bits += 5;
        if (bits >= 8) {
            if (k >= cap)
                return at_error_set(AT_ERR_LIMIT, "base32: more than %zu bytes", cap);
            out[k++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    *n = k;
    return AT_OK;
}

uint32_t room_hotp(const unsigned char *key, size_t keylen, uint64_t counter)
{
    struct hmac_sha1_ctx ctx;
    unsigned char msg[8], mac[SHA1_DIGEST_SIZE];
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (unsigned char)(counter & 0xff);
    hmac_sha1_set_key(&ctx, keylen, key);
    hmac_sha1_update(&ctx, sizeof msg, msg);
    hmac_sha1_digest(&ctx, sizeof mac, mac);
    int off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    sodium_memzero(&ctx, sizeof ctx);
    sodium_memzero(mac, sizeof mac);
    return bin % 1000000u;
}

/* The code as an integer, or -1 unless exactly 6 ASCII digits (spaces
 * allowed between groups, as authenticator apps show them). */
static long parse_code(const char *code)
{
    if (!code)
        return -1;
    long v = 0;
    int digits = 0;
    for (const char *p = code; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9' || ++digits > TOTP_DIGITS)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return digits == TOTP_DIGITS ? v : -1;
}

int64_t room_totp_match(const unsigned char *key, size_t keylen, const char *code, time_t now,
                        int64_t last_step)
{
    long want = parse_code(code);
    if (want < 0 || now < TOTP_STEP)
        return 0;
    int64_t step = (int64_t)now / TOTP_STEP, found = 0;
    /* every candidate is computed and compared, whatever matches */
    for (int64_t s = step - 1; s <= step + 1; s++) {
        uint32_t c = room_hotp(key, keylen, (uint64_t)s);
        unsigned char a[4] = {(unsigned char)(c >> 24), (unsigned char)(c >> 16), (unsigned char)(c >> 8),
                              (unsigned char)c};
        unsigned char b[4] = {(unsigned char)((uint32_t)want >> 24), (unsigned char)((uint32_t)want >> 16),
                              (unsigned char)((uint32_t)want >> 8), (unsigned char)want};
        if (sodium_memcmp(a, b, 4) == 0 && s > last_step && !found)
            found = s;
    }
    return found;
}

at_status at_room_totp_code(const char *secret_base32, time_t t, char code[7])
{
    unsigned char key[64];
    size_t n = 0;
    at_status st = room_base32_decode(secret_base32, key, sizeof key, &n);
    if (st)
        return st;
    if (n < 10)
        return at_error_set(AT_ERR_ARG, "TOTP secret too short");
    snprintf(code, 7, "%06u", room_hotp(key, n, (uint64_t)(t / TOTP_STEP)));
    sodium_memzero(key, sizeof key);
    return AT_OK;
}

static void seal_key(const at_room *room, unsigned char out[32])
{
    at_keyed_hash(&room->master, "totp-seal", "", 0, out, 32);
}

at_status room_secret_seal(const at_room *room, int64_t user_id, const unsigned char *secret, size_t n,
                           unsigned char *out, size_t cap, size_t *outlen)
{
    size_t need =
        crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + n + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (cap < need)
        return at_error_set(AT_ERR_LIMIT, "sealed secret too large");
    unsigned char k[32], ad[8];
    for (int i = 0; i < 8; i++)
        ad[i] = (unsigned char)((uint64_t)user_id >> (8 * i));
    seal_key(room, k);
    randombytes_buf(out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
                                               secret, n, ad, sizeof ad, NULL, out, k);
    sodium_memzero(k, sizeof k);
    *outlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
    return AT_OK;
}

at_status room_secret_open(const at_room *room, int64_t user_id, const unsigned char *sealed, size_t n,
                           unsigned char *out, size_t cap, size_t *outlen)
{
    size_t over = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (n < over || n - over > cap)
        return at_error_set(AT_ERR_CRYPTO, "a sealed TOTP secret has a wrong size");
    unsigned char k[32], ad[8];
    for (int i = 0; i < 8; i++)
        ad[i] = (unsigned char)((uint64_t)user_id >> (8 * i));
    seal_key(room, k);
    unsigned long long mlen = 0;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, &mlen, NULL, sealed + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
        n - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad, sizeof ad, sealed, k);
    sodium_memzero(k, sizeof k);
    if (rc != 0)
        return at_error_set(AT_ERR_CRYPTO, "a sealed TOTP secret does not open with this room's master key");
    *outlen = (size_t)mlen;
    return AT_OK;
}
