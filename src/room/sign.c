/* Signatures with the room's Ed25519 key for the modules above the room
 * (the airlock's release packages), each under its own domain so that no
 * signature made for one purpose verifies for another. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define SIGN_DOMAIN_MAX 128

at_status at_room_sign(const at_room *room, const char *domain, const void *msg, size_t len,
                       unsigned char sig[64])
{
    size_t dn = domain ? strlen(domain) : 0;
    if (!dn || dn > SIGN_DOMAIN_MAX || strchr(domain, '\n') || !strncmp(domain, "atelier-audit-anchor", 20))
        return at_error_set(AT_ERR_ARG, "sign: a domain of 1..%d characters, not the audit's, is required",
                            SIGN_DOMAIN_MAX);
    if (len > SIZE_MAX - dn - 1)
        return at_error_set(AT_ERR_LIMIT, "sign: message too long");
    unsigned char *buf = at_malloc(dn + 1 + len);
    if (!buf)
        return AT_ERR_NOMEM;
    memcpy(buf, domain, dn);
    buf[dn] = '\n';
    if (len)
        memcpy(buf + dn + 1, msg, len);
    crypto_sign_detached(sig, NULL, buf, dn + 1 + len, room->audit_sk);
    at_free(buf);
    return AT_OK;
}

void at_room_public_key(const at_room *room, unsigned char pk[32])
{
    memcpy(pk, room->audit_pk, crypto_sign_PUBLICKEYBYTES);
}
