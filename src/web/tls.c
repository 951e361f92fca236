/* The room's TLS certificate, made with GnuTLS at init: an ECDSA P-256
 * key (DIR/keys/tls.key, 0600) and a self-signed certificate
 * (DIR/tls.crt) naming localhost, the loopback addresses, this host and
 * an optional name. A centre's own certificate replaces it through
 * room.conf. Also the public key pin that the CLI keeps at first login. */
#include "internal.h"

#include <arpa/inet.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

at_status room_write_private(const char *path, const void *data, size_t len, int mode); /* room/keys.c */

#define TLS_DAYS (3 * 365)

static at_status gt(int rc, const char *what)
{
    return rc < 0 ? at_error_set(AT_ERR_CRYPTO, "TLS certificate: %s: %s", what, gnutls_strerror(rc)) : AT_OK;
}

at_status at_web_make_certificate(const char *dir, const char *hostname)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kpem = {NULL, 0}, cpem = {NULL, 0};
    at_status st = gt(gnutls_x509_privkey_init(&key), "key");
    if (!st)
        st = gt(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                             GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                "key generation");
    if (!st)
        st = gt(gnutls_x509_crt_init(&crt), "certificate");
    unsigned char serial[16];
    randombytes_buf(serial, sizeof serial);
    serial[0] &= 0x7f; /* positive */
    time_t now = time(NULL);
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    const char *cn = hostname && *hostname ? hostname : (host[0] ? host : "localhost");
    if (!st)
        st = gt(gnutls_x509_crt_set_version(crt, 3), "version");
    if (!st)
        st = gt(gnutls_x509_crt_set_serial(crt, serial, sizeof serial), "serial");
    if (!st)
        st = gt(gnutls_x509_crt_set_activation_time(crt, now - 3600), "activation");
    if (!st)
        st = gt(gnutls_x509_crt_set_expiration_time(crt, now + (time_t)TLS_DAYS * 86400), "expiration");
    if (!st)
        st = gt(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn)),
                "name");
    if (!st)
        st = gt(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "atelier room", 12),
                "organisation");
    const char *names[] = {"localhost", host, hostname};
    for (size_t i = 0; i < 3 && !st; i++) {
        if (!names[i] || !*names[i] || (i > 0 && !strcmp(names[i], "localhost")) ||
            (i == 2 && !strcmp(names[2], host)))
            continue;
        st = gt(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, names[i],
                                                     (unsigned)strlen(names[i]), GNUTLS_FSAN_APPEND),
                "DNS name");
    }
    unsigned char v4[4], v6[16];
    inet_pton(AF_INET, "127.0.0.1", v4);
    inet_pton(AF_INET6, "::1", v6);
    if (!st)
        st = gt(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4, GNUTLS_FSAN_APPEND),
                "address");
    if (!st)
        st = gt(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16, GNUTLS_FSAN_APPEND),
                "address");
    if (!st && hostname && inet_pton(AF_INET, hostname, v4) == 1)
        st = gt(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4, GNUTLS_FSAN_APPEND),
                "address");
    if (!st)
        st = gt(gnutls_x509_crt_set_key(crt, key), "key");
    if (!st)
        st = gt(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "constraints");
    if (!st)
        st = gt(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "key usage");
    if (!st)
        st = gt(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "purpose");
    unsigned char kid[64];
    size_t kidlen = sizeof kid;
    if (!st)
        st = gt(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, kid, &kidlen), "key id");
    if (!st)
        st = gt(gnutls_x509_crt_set_subject_key_id(crt, kid, kidlen), "key id");
    if (!st)
        st = gt(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature");
    if (!st)
        st = gt(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem), "key export");
    if (!st)
        st = gt(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem), "certificate export");
    char *kpath = st ? NULL : at_path_join(dir, "keys/tls.key");
    char *cpath = st ? NULL : at_path_join(dir, "tls.crt");
    if (!st && (!kpath || !cpath))
        st = AT_ERR_NOMEM;
    if (!st)
        st = room_write_private(kpath, kpem.data, kpem.size, 0600);
    if (!st)
        st = room_write_private(cpath, cpem.data, cpem.size, 0644);
    at_free(kpath);
    at_free(cpath);
    if (kpem.data) {
        sodium_memzero(kpem.data, kpem.size);
        gnutls_free(kpem.data);
    }
    gnutls_free(cpem.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return st;
}

at_status at_web_certificate_pin(const char *pem, size_t len, char *out, size_t cap)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t in = {(unsigned char *)pem, (unsigned)len}, der = {NULL, 0};
    at_status st = gt(gnutls_x509_crt_init(&crt), "certificate");
    if (!st)
        st = gt(gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM), "reading the certificate");
    if (!st)
        st = gt(gnutls_pubkey_init(&pub), "public key");
    if (!st)
        st = gt(gnutls_pubkey_import_x509(pub, crt, 0), "public key");
    if (!st)
        st = gt(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der), "public key");
    if (!st) {
        unsigned char h[32];
        crypto_hash_sha256(h, der.data, der.size);
        char b64[64];
        sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
        if ((size_t)snprintf(out, cap, "sha256//%s", b64) >= cap)
            st = at_error_set(AT_ERR_LIMIT, "pin buffer too small");
    }
    gnutls_free(der.data);
    if (pub)
        gnutls_pubkey_deinit(pub);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    return st;
}
