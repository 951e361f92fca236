/* Verification of a release package, anywhere, without the room: the
 * signature of manifest.json (Ed25519, the package's domain) by the key
 * the manifest names, or by the key given; every file's size and sha256;
 * no file missing or added. A tar must be in the one canonical form the
 * room writes (each header remade from the manifest and compared byte for
 * byte, zero padding, two zero blocks, nothing after), so that any
 * altered byte is found; a folder it was unpacked into is checked by its
 * files. Every length is bounded before anything is allocated; the first
 * problem is reported with the entry and the offset. */
#include "internal.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_MAX 256
#define DEPTH_MAX 64

/* A sequential reader over memory or a file. */
typedef struct {
    const unsigned char *mem;
    size_t len;
    FILE *f;
    uint64_t off;
} reader;

static int rd(reader *r, void *out, size_t n)
{
    if (r->mem) {
        if (r->len - (size_t)r->off < n)
            return 0;
        memcpy(out, r->mem + r->off, n);
    } else if (n && fread(out, 1, n, r->f) != n) {
        return 0;
    }
    r->off += n;
    return 1;
}

static int at_end(reader *r)
{
    if (r->mem)
        return r->off == r->len;
    unsigned char c;
    return fread(&c, 1, 1, r->f) == 0;
}

static at_status bad(at_airlock_verify_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static at_status bad(at_airlock_verify_report *rep, const char *fmt, ...)
{
    if (!rep->message[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rep->message, sizeof rep->message, fmt, ap);
        va_end(ap);
    }
    rep->ok = 0;
    return AT_OK;
}

static uint64_t parse_octal(const unsigned char *f, size_t width, int *ok)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < width && f[i] >= '0' && f[i] <= '7'; i++)
        v = v << 3 | (uint64_t)(f[i] - '0');
    if (i == 0 || (i < width && f[i] != '\0' && f[i] != ' '))
        *ok = 0;
    return v;
}

/* The manifest's signature, key and facts; 0 when something is wrong
 * (said in rep). pk_out receives the key that signed. */
static int check_manifest(const char *manifest, size_t mlen, const char *sigtext, size_t slen,
                          const char *key_hex, at_airlock_verify_report *rep, cJSON **out)
{
    *out = NULL;
    unsigned char sig[64], pk[32];
    size_t got = 0;
    /* the canonical form only (lower-case hex, as package.c writes it): an
     * upper-case digit decodes to the same signature, so the package's
     * bytes could change and still verify */
    int canonical = slen >= 128;
    for (size_t i = 0; canonical && i < 128; i++)
        canonical = (sigtext[i] >= '0' && sigtext[i] <= '9') || (sigtext[i] >= 'a' && sigtext[i] <= 'f');
    if (!canonical || sodium_hex2bin(sig, sizeof sig, sigtext, 128, NULL, &got, NULL) != 0 || got != 64 ||
        (slen > 128 && !(slen == 129 && sigtext[128] == '\n'))) {
        bad(rep, "manifest.sig: not 128 lower-case hex digits and a newline");
        return 0;
    }
    cJSON *m = cJSON_ParseWithLength(manifest, mlen);
    if (!cJSON_IsObject(m)) {
        cJSON_Delete(m);
        bad(rep, "manifest.json: not a JSON object");
        return 0;
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(m, "format");
    const cJSON *room = cJSON_GetObjectItemCaseSensitive(m, "room");
    const cJSON *key = room ? cJSON_GetObjectItemCaseSensitive(room, "public_key") : NULL;
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, AT_AIRLOCK_PACKAGE_FORMAT) || !cJSON_IsString(key) ||
        strlen(key->valuestring) != 64 ||
        sodium_hex2bin(pk, sizeof pk, key->valuestring, 64, NULL, &got, NULL) != 0 || got != 32) {
        cJSON_Delete(m);
        bad(rep, "manifest.json: not an %s manifest (format, room.public_key)", AT_AIRLOCK_PACKAGE_FORMAT);
        return 0;
    }
    snprintf(rep->key_hex, sizeof rep->key_hex, "%s", key->valuestring);
    if (key_hex && strcasecmp(key_hex, key->valuestring)) {
        bad(rep, "manifest.json: signed by key %.16s..., not by the key given (%.16s...)", key->valuestring,
            key_hex);
        cJSON_Delete(m);
        return 0;
    }
    size_t dn = strlen(AT_AIRLOCK_PACKAGE_DOMAIN);
    unsigned char *msg = at_malloc(dn + 1 + mlen);
    if (!msg) {
        cJSON_Delete(m);
        bad(rep, "out of memory");
        return 0;
    }
    memcpy(msg, AT_AIRLOCK_PACKAGE_DOMAIN, dn);
    msg[dn] = '\n';
    memcpy(msg + dn + 1, manifest, mlen);
    int good = crypto_sign_verify_detached(sig, msg, dn + 1 + mlen, pk) == 0;
    at_free(msg);
    if (!good) {
        cJSON_Delete(m);
        bad(rep, "manifest.json: the signature does not verify (the manifest or its signature was altered)");
        return 0;
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(m, "request"),
                *proj = cJSON_GetObjectItemCaseSensitive(m, "project"),
                *auth = cJSON_GetObjectItemCaseSensitive(m, "author"),
                *times = cJSON_GetObjectItemCaseSensitive(m, "times");
    const cJSON *rel = times ? cJSON_GetObjectItemCaseSensitive(times, "released") : NULL;
    rep->request = cJSON_IsNumber(req) ? (int64_t)req->valuedouble : 0;
    snprintf(rep->project, sizeof rep->project, "%s", cJSON_IsString(proj) ? proj->valuestring : "");
    snprintf(rep->author, sizeof rep->author, "%s", cJSON_IsString(auth) ? auth->valuestring : "");
    snprintf(rep->released, sizeof rep->released, "%s", cJSON_IsString(rel) ? rel->valuestring : "");
    *out = m;
    return 1;
}

/* A file entry of the manifest: name (a valid path of at most
 * AT_AIRLOCK_NAME_MAX bytes), size, sha256. */
static int file_entry(const cJSON *e, size_t i, const char **name, uint64_t *size, const char **sha,
                      at_airlock_verify_report *rep)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name"),
                *s = cJSON_GetObjectItemCaseSensitive(e, "size"),
                *h = cJSON_GetObjectItemCaseSensitive(e, "sha256");
    if (!cJSON_IsString(n) || !cJSON_IsNumber(s) || !cJSON_IsString(h) ||
        strlen(n->valuestring) > AT_AIRLOCK_NAME_MAX || at_vault_path_check(n->valuestring) != AT_OK ||
        s->valuedouble < 0 || s->valuedouble > 9.0e15 || (double)(uint64_t)s->valuedouble != s->valuedouble ||
        strlen(h->valuestring) != 64) {
        at_error_clear();
        bad(rep, "manifest.json: file %zu: a bad name, size or sha256", i + 1);
        return 0;
    }
    *name = n->valuestring;
    *size = (uint64_t)s->valuedouble;
    *sha = h->valuestring;
    return 1;
}

/* One tar header read and checked: checksum, ustar, a regular file;
 * name (prefix/name joined), size, mtime out. */
static int tar_read_header(reader *r, unsigned char h[512], char *name, size_t cap, uint64_t *size,
                           int64_t *mtime, at_airlock_verify_report *rep)
{
    uint64_t at = r->off;
    if (!rd(r, h, 512)) {
        bad(rep, "offset %llu: truncated in a tar header", (unsigned long long)at);
        return 0;
    }
    int ok = 1;
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    uint64_t stored = parse_octal(h + 148, 8, &ok);
    if (!ok || stored != sum || memcmp(h + 257, "ustar", 6) || h[156] != '0') {
        bad(rep, "offset %llu: not a tar header of a regular file (checksum, magic or type)",
            (unsigned long long)at);
        return 0;
    }
    *size = parse_octal(h + 124, 12, &ok);
    *mtime = (int64_t)parse_octal(h + 136, 12, &ok);
    if (!ok) {
        bad(rep, "offset %llu: a tar header's size or time is not octal", (unsigned long long)at);
        return 0;
    }
    char nm[101], pre[156];
    memcpy(nm, h, 100);
    nm[100] = '\0';
    memcpy(pre, h + 345, 155);
    pre[155] = '\0';
    snprintf(name, cap, "%s%s%s", pre, pre[0] ? "/" : "", nm);
    return 1;
}

static int tar_padding(reader *r, uint64_t size, at_airlock_verify_report *rep)
{
    size_t pad = (size_t)((512 - size % 512) % 512);
    unsigned char z[512];
    uint64_t at = r->off;
    if (!rd(r, z, pad)) {
        bad(rep, "offset %llu: truncated in padding", (unsigned long long)at);
        return 0;
    }
    for (size_t i = 0; i < pad; i++)
        if (z[i]) {
            bad(rep, "offset %llu: the padding holds a byte that is not zero", (unsigned long long)(at + i));
            return 0;
        }
    return 1;
}

/* A small entry (the manifest, its signature) read whole, at most max. */
static char *tar_small(reader *r, const char *want, size_t max, unsigned char hdr[512], uint64_t *size,
                       at_airlock_verify_report *rep)
{
    char name[300];
    int64_t mtime;
    if (!tar_read_header(r, hdr, name, sizeof name, size, &mtime, rep))
        return NULL;
    if (strcmp(name, want)) {
        bad(rep, "offset %llu: expected %s, found another entry", (unsigned long long)(r->off - 512), want);
        return NULL;
    }
    if (*size > max) {
        bad(rep, "%s: %llu bytes, more than %zu", want, (unsigned long long)*size, max);
        return NULL;
    }
    char *data = at_malloc((size_t)*size + 1);
    if (!data) {
        bad(rep, "out of memory");
        return NULL;
    }
    if (!rd(r, data, (size_t)*size) || !tar_padding(r, *size, rep)) {
        bad(rep, "%s: truncated", want);
        at_free(data);
        return NULL;
    }
    data[*size] = '\0';
    return data;
}

static int same_header(const unsigned char got[512], const char *name, uint64_t size, int64_t mtime,
                       at_airlock_verify_report *rep, uint64_t at)
{
    unsigned char want[512];
    if (airlock_tar_header(name, size, mtime, want) != AT_OK) {
        at_error_clear();
        bad(rep, "%s: a name the package cannot hold", name);
        return 0;
    }
    for (int i = 0; i < 512; i++)
        if (got[i] != want[i]) {
            bad(rep, "offset %llu: the header of %s differs from the canonical one (byte %d)",
                (unsigned long long)(at + (uint64_t)i), name, i);
            return 0;
        }
    return 1;
}

static at_status verify_tar(reader *r, const char *key_hex, at_airlock_verify_report *rep)
{
    unsigned char h1[512], h2[512], h[512];
    uint64_t s1 = 0, s2 = 0;
    char *manifest = tar_small(r, "manifest.json", AT_AIRLOCK_MANIFEST_MAX, h1, &s1, rep);
    char *sig = manifest ? tar_small(r, "manifest.sig", SIG_MAX, h2, &s2, rep) : NULL;
    cJSON *m = NULL;
    if (sig && check_manifest(manifest, (size_t)s1, sig, (size_t)s2, key_hex, rep, &m)) {
        const cJSON *ru = cJSON_GetObjectItemCaseSensitive(m, "released_unix");
        int64_t mtime = cJSON_IsNumber(ru) ? (int64_t)ru->valuedouble : -1;
        const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
        if (mtime < 0 || !cJSON_IsArray(files))
            bad(rep, "manifest.json: no released_unix or files");
        else if (same_header(h1, "manifest.json", s1, mtime, rep, 0) &&
                 same_header(h2, "manifest.sig", s2, mtime, rep, 512 + (s1 + 511) / 512 * 512)) {
            size_t i = 0;
            for (const cJSON *e = files->child; e && rep->ok; e = e->next, i++) {
                const char *name, *sha;
                uint64_t size, got_size;
                int64_t got_mtime;
                if (!file_entry(e, i, &name, &size, &sha, rep))
                    break;
                char want[AT_AIRLOCK_NAME_MAX + 8], got[300];
                snprintf(want, sizeof want, "files/%s", name);
                uint64_t at = r->off;
                if (!tar_read_header(r, h, got, sizeof got, &got_size, &got_mtime, rep))
                    break;
                if (strcmp(got, want) || got_size != size) {
                    bad(rep, "offset %llu: expected %s of %llu bytes, found another entry",
                        (unsigned long long)at, want, (unsigned long long)size);
                    break;
                }
                if (!same_header(h, want, size, mtime, rep, at))
                    break;
                crypto_hash_sha256_state hs;
                crypto_hash_sha256_init(&hs);
                unsigned char buf[65536];
                uint64_t left = size;
                while (left) {
                    size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
                    if (!rd(r, buf, n))
                        break;
                    crypto_hash_sha256_update(&hs, buf, n);
                    left -= n;
                }
                if (left) {
                    bad(rep, "%s: truncated", want);
                    break;
                }
                unsigned char d[32];
                char hex[65];
                crypto_hash_sha256_final(&hs, d);
                sodium_bin2hex(hex, sizeof hex, d, sizeof d);
                if (strcasecmp(hex, sha)) {
                    bad(rep, "%s: its sha256 differs from the manifest's (the file was altered)", want);
                    break;
                }
                if (!tar_padding(r, size, rep))
                    break;
                rep->files++;
                rep->bytes += size;
            }
            unsigned char end[1024];
            uint64_t at = r->off;
            if (rep->ok) {
                if (!rd(r, end, sizeof end))
                    bad(rep, "offset %llu: the two zero blocks that end the package are missing",
                        (unsigned long long)at);
                else
                    for (size_t k = 0; k < sizeof end && rep->ok; k++)
                        if (end[k])
                            bad(rep, "offset %llu: an entry or byte the manifest does not name",
                                (unsigned long long)(at + k));
            }
            if (rep->ok && !at_end(r))
                bad(rep, "offset %llu: bytes after the end of the package", (unsigned long long)r->off);
        }
    }
    cJSON_Delete(m);
    at_free(manifest);
    at_free(sig);
    return AT_OK;
}

at_status at_airlock_verify_memory(const void *data, size_t len, const char *key_hex,
                                   at_airlock_verify_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->ok = 1;
    reader r = {.mem = data ? data : (const unsigned char *)"", .len = data ? len : 0};
    return verify_tar(&r, key_hex, rep);
}

/* ---- a folder ---- */

static int count_files(const char *dir, int depth, size_t *n, at_airlock_verify_report *rep)
{
    if (depth > DEPTH_MAX) {
        bad(rep, "files/: folders nested too deep");
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d) {
        bad(rep, "%s: cannot be read (%s)", dir, strerror(errno));
        return 0;
    }
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = at_path_join(dir, e->d_name);
        struct stat st;
        if (!p || lstat(p, &st) != 0) {
            ok = 0;
            bad(rep, "files/: an entry cannot be read");
        } else if (S_ISDIR(st.st_mode)) {
            ok = count_files(p, depth + 1, n, rep);
        } else if (S_ISREG(st.st_mode)) {
            (*n)++;
        } else {
            ok = 0;
            bad(rep, "files/: an entry that is not a regular file (a link, a device)");
        }
        at_free(p);
    }
    closedir(d);
    return ok;
}

static at_status verify_folder(const char *dir, const char *key_hex, at_airlock_verify_report *rep)
{
    char *mp = at_path_join(dir, "manifest.json"), *sp = at_path_join(dir, "manifest.sig"),
         *fp = at_path_join(dir, "files");
    unsigned char *manifest = NULL, *sig = NULL;
    size_t mlen = 0, slen = 0;
    cJSON *m = NULL;
    if (!mp || !sp || !fp)
        bad(rep, "out of memory");
    else if (at_file_read(mp, AT_AIRLOCK_MANIFEST_MAX, &manifest, &mlen) != AT_OK ||
             at_file_read(sp, SIG_MAX, &sig, &slen) != AT_OK)
        bad(rep, "%s", at_error_message());
    else if (check_manifest((const char *)manifest, mlen, (const char *)sig, slen, key_hex, rep, &m)) {
        const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files");
        size_t i = 0, listed = 0;
        for (const cJSON *e = cJSON_IsArray(files) ? files->child : NULL; e && rep->ok; e = e->next, i++) {
            const char *name, *sha;
            uint64_t size;
            if (!file_entry(e, i, &name, &size, &sha, rep))
                break;
            char *p = at_path_join(fp, name);
            int fd = p ? open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
            struct stat st;
            if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
                bad(rep, "files/%s: missing, not a regular file, or not of %llu bytes", name,
                    (unsigned long long)size);
            } else {
                crypto_hash_sha256_state hs;
                crypto_hash_sha256_init(&hs);
                unsigned char buf[65536];
                ssize_t n;
                while ((n = read(fd, buf, sizeof buf)) > 0)
                    crypto_hash_sha256_update(&hs, buf, (size_t)n);
                unsigned char d[32];
                char hex[65];
                crypto_hash_sha256_final(&hs, d);
                sodium_bin2hex(hex, sizeof hex, d, sizeof d);
                if (n < 0 || strcasecmp(hex, sha))
                    bad(rep, "files/%s: its sha256 differs from the manifest's (the file was altered)", name);
                else {
                    rep->files++;
                    rep->bytes += size;
                    listed++;
                }
            }
            if (fd >= 0)
                close(fd);
            at_free(p);
        }
        size_t present = 0;
        if (rep->ok && at_path_is_dir(fp) && count_files(fp, 0, &present, rep) && present != listed)
            bad(rep, "files/: %zu files, the manifest names %zu", present, listed);
        /* nothing else beside manifest.json, manifest.sig and files/ */
        DIR *d = rep->ok ? opendir(dir) : NULL;
        struct dirent *e;
        while (d && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "manifest.json") &&
                strcmp(e->d_name, "manifest.sig") && strcmp(e->d_name, "files"))
                bad(rep,
                    "an entry beside manifest.json, manifest.sig and files/ that the package does not have");
        if (d)
            closedir(d);
    }
    at_error_clear();
    cJSON_Delete(m);
    at_free(manifest);
    at_free(sig);
    at_free(mp);
    at_free(sp);
    at_free(fp);
    return AT_OK;
}

at_status at_airlock_verify_path(const char *path, const char *key_hex, at_airlock_verify_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->ok = 1;
    struct stat st;
    if (stat(path, &st) != 0)
        return at_error_set(AT_ERR_NOT_FOUND, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return verify_folder(path, key_hex, rep);
    if (!S_ISREG(st.st_mode))
        return at_error_set(AT_ERR_ARG, "%s: neither a package file nor a folder", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return at_error_set(AT_ERR_IO, "%s: %s", path, strerror(errno));
    reader r = {.f = f};
    at_status s = verify_tar(&r, key_hex, rep);
    fclose(f);
    return s;
}
