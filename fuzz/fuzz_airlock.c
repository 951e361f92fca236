/* libFuzzer target: the airlock's readers of untrusted bytes. The first
 * byte picks one: 0 a release package (tar, manifest, signature) as
 * `airlock verify` reads it; 1 a risk model's term table; 2 the automated
 * checks on a file of the type the second byte names (a table, JSON, a
 * log, a PNG, a PDF, safetensors, a risk model, DICOM); 3 the rounding
 * transformation, whose output must pass the table check again; 4 a valid
 * signed package with the input XORed into it, which must never verify
 * once any byte changed. */
#include "atelier/airlock.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
at_status airlock_tar_header(const char *name, uint64_t size, int64_t mtime, unsigned char out[512]);

static at_airlock_conf conf;
static unsigned char *package;
static size_t package_len;

static void put(unsigned char **p, const char *name, const void *d, size_t n)
{
    airlock_tar_header(name, n, 1700000000, *p);
    memcpy(*p + 512, d, n);
    *p += 512 + (n + 511) / 512 * 512;
}

/* A package signed by a fixed key: one file. */
static void make_package(void)
{
    unsigned char seed[32] = {7}, pk[32], sk[64], sig[64];
    crypto_sign_seed_keypair(pk, sk, seed);
    char pkhex[65], sighex[130], sha[65];
    sodium_bin2hex(pkhex, sizeof pkhex, pk, 32);
    const char *file = "stage,patients\nI,25\nII,31\n";
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)file, strlen(file));
    sodium_bin2hex(sha, sizeof sha, h, 32);
    char manifest[1024];
    snprintf(
        manifest, sizeof manifest,
        "{\"format\":\"%s\",\"request\":1,\"project\":\"p\",\"author\":\"a\",\"room\":{\"public_key\":\"%s\"}"
        ","
        "\"times\":{\"released\":\"2023-11-14T22:13:20Z\"},\"released_unix\":1700000000,\"files\":[{\"name\":"
        "\"t.csv\",\"size\":%zu,\"sha256\":\"%s\"}]}",
        AT_AIRLOCK_PACKAGE_FORMAT, pkhex, strlen(file), sha);
    size_t dn = strlen(AT_AIRLOCK_PACKAGE_DOMAIN), mn = strlen(manifest);
    unsigned char *msg = malloc(dn + 1 + mn);
    memcpy(msg, AT_AIRLOCK_PACKAGE_DOMAIN, dn);
    msg[dn] = '\n';
    memcpy(msg + dn + 1, manifest, mn);
    crypto_sign_detached(sig, NULL, msg, dn + 1 + mn, sk);
    free(msg);
    sodium_bin2hex(sighex, sizeof sighex, sig, 64);
    size_t sn = strlen(sighex);
    sighex[sn] = '\n';
    package = calloc(1, 8192);
    unsigned char *p = package;
    put(&p, "manifest.json", manifest, mn);
    put(&p, "manifest.sig", sighex, sn + 1);
    put(&p, "files/t.csv", file, strlen(file));
    p += 1024;
    package_len = (size_t)(p - package);
    at_airlock_verify_report rep;
    if (at_airlock_verify_memory(package, package_len, NULL, &rep) != AT_OK || !rep.ok) {
        fprintf(stderr, "fuzz_airlock: the seed package does not verify: %s\n", rep.message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!package) {
        at_crypto_init();
        at_airlock_conf_defaults(&conf);
        snprintf(conf.types, sizeof conf.types, "csv,tsv,json,txt,log,png,svg,pdf,safetensors,atrisk,dicom");
        make_package();
    }
    if (size < 2)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 5) {
    case 0: {
        at_airlock_verify_report rep;
        at_airlock_verify_memory(p, n, NULL, &rep);
        break;
    }
    case 1: {
        char *terms = NULL;
        size_t count = 0;
        if (at_airlock_model_terms(p, n, &terms, &count) == AT_OK) {
            const char *t = terms;
            for (size_t i = 0; i < count; i++)
                t += strlen(t) + 1; /* every term NUL-terminated inside the buffer */
        }
        at_free(terms);
        at_error_clear();
        break;
    }
    case 2: {
        static const char *const names[] = {"t.csv", "t.tsv",         "m.json",   "log",   "f.png",
                                            "p.pdf", "w.safetensors", "m.atrisk", "i.dcm", "x.bin"};
        at_airlock_check_ctx ctx = {.conf = &conf, .threshold = 10};
        at_airlock_checks c;
        if (at_airlock_check_file(&ctx, names[p[0] % 10], p + 1, n - 1, n - 1, &c) == AT_OK)
            at_airlock_checks_free(&c);
        at_error_clear();
        break;
    }
    case 3: {
        unsigned char *out = NULL;
        size_t len = 0;
        if (at_airlock_round_table(p, n, 10, 5, &out, &len) == AT_OK) {
            at_airlock_check_ctx ctx = {.conf = &conf, .threshold = 10, .rounded = 1};
            at_airlock_checks c;
            if (at_airlock_check_file(&ctx, "t.csv", out, len, len, &c) != AT_OK)
                abort();
            if (strstr(c.json, "\"name\":\"disclosure\",\"outcome\":\"fail\"") &&
                !strstr(c.json, "\"name\":\"row-level\""))
                abort(); /* a rounded table never fails the threshold */
            at_airlock_checks_free(&c);
            at_free(out);
        }
        at_error_clear();
        break;
    }
    case 4: {
        unsigned char *copy = malloc(package_len);
        memcpy(copy, package, package_len);
        int changed = 0;
        for (size_t i = 0; i + 2 < n; i += 3) {
            size_t at = ((size_t)p[i] << 8 | p[i + 1]) % package_len;
            changed |= p[i + 2] != 0;
            copy[at] ^= p[i + 2];
        }
        at_airlock_verify_report rep;
        at_airlock_verify_memory(copy, package_len, NULL, &rep);
        if (rep.ok && memcmp(copy, package, package_len))
            abort(); /* an altered package verified */
        (void)changed;
        free(copy);
        break;
    }
    }
    return 0;
}
