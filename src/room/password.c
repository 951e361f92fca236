/* Passwords: Argon2id through libsodium's crypto_pwhash_str (19 MiB and 2
 * passes: OWASP's minimum for Argon2id), the policy for new ones, and the
 * one-time passwords handed out by administrators. */
#include "internal.h"

#include <string.h>

#define PWHASH_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define PWHASH_OPSLIMIT 2ULL

at_status room_password_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), PWHASH_OPSLIMIT, PWHASH_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return at_error_set(AT_ERR_NOMEM, "password hashing: out of memory");
    return AT_OK;
}

int room_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || strlen(password) > AT_ROOM_PASSWORD_MAX)
        return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* UTF-8 code points of s, or -1 when s is not valid UTF-8 or holds a
 * control character. */
static long utf8_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long n = 0;
    while (*p) {
        int extra;
        unsigned cp;
        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f)
                return -1;
            p++;
            n++;
            continue;
        } else if ((*p & 0xe0) == 0xc0) {
            extra = 1;
            cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            extra = 2;
            cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            extra = 3;
            cp = *p & 0x07;
        } else {
            return -1;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (*p & 0x3f);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
            return -1;
        n++;
    }
    return n;
}

int at_room_text_valid(const char *s)
{
    return s && strlen(s) <= AT_ROOM_TEXT_MAX && utf8_chars(s) >= 0;
}

at_status room_password_policy(const char *password)
{
    if (!password)
        return at_error_set(AT_ERR_ARG, "a new password is required");
    if (strlen(password) > AT_ROOM_PASSWORD_MAX)
        return at_error_set(AT_ERR_ARG, "the password is longer than %d bytes", AT_ROOM_PASSWORD_MAX);
    long n = utf8_chars(password);
    if (n < 0)
        return at_error_set(AT_ERR_ARG, "the password must be UTF-8 text without control characters");
    if (n < AT_ROOM_PASSWORD_MIN)
        return at_error_set(AT_ERR_ARG, "the password must have at least %d characters",
                            AT_ROOM_PASSWORD_MIN);
    return AT_OK;
}

void room_onetime_password(char out[AT_ROOM_OTP_MAX])
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"; /* no 0/o, 1/l/i */
    size_t k = 0;
    for (int g = 0; g < 4; g++) {
        if (g)
            out[k++] = '-';
        for (int i = 0; i < 5; i++)
            out[k++] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    }
    out[k] = '\0';
}
