/* atelier import: data into a room, only through its door. The client
 * walks the paths, declares the files (sizes and extensions, never their
 * names, except a synthetic cohort's paths), uploads them in framed chunks
 * (resuming an interrupted upload: the same command again finds it by a
 * fingerprint of the local files), asks the server to finish, then follows
 * the door's progress until the snapshot is stored. */
#include "client.h"

#include "atelier/datasets.h"
#include "atelier/walk.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the lowercased extension of a name when it is a plain one ("dcm",
 * "txt", "nii.gz"), else "" */
static void extension(const char *rel, char out[16])
{
    out[0] = '\0';
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    const char *dot = strchr(base + (base[0] == '.'), '.');
    if (!dot || !dot[1] || strlen(dot + 1) >= 16)
        return;
    size_t k = 0;
    for (const char *p = dot + 1; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'))
            return;
        out[k++] = c;
    }
    out[k] = '\0';
    if (out[k - 1] == '.' || strstr(out, ".."))
        out[0] = '\0';
}

static void progress(const char *what, uint64_t done, uint64_t total, double t0, int tty)
{
    if (!tty)
        return;
    double el = now_s() - t0;
    unsigned pct = total ? (unsigned)(100.0 * (double)done / (double)total) : 0;
    char bar[31];
    unsigned fill = pct * 30 / 100;
    for (unsigned i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r%-10s [%s] %3u%% %.1f/%.1f MiB %.1f MiB/s ", what, bar, pct, done / 1048576.0,
            total / 1048576.0, el > 0 ? done / 1048576.0 / el : 0.0);
    fflush(stderr);
}

static int usage(int rc)
{
    fprintf(rc ? stderr : stdout,
            "usage: atelier import --project P --dataset NAME [--synthetic] [--fresh] [--no-wait]\n"
            "                      [--json] (dicom|text|files) PATH...\n\n"
            "Send data into the room through its door. The server de-identifies them (DICOM:\n"
            "the PS3.15 profile with the project's options; text: French clinical text\n"
            "pseudonymised) with the room's site key and stores only the result and the\n"
            "door's report, as a new snapshot of project P's dataset NAME (added to its\n"
            "latest snapshot; --fresh: these files alone). The raw upload is removed on the\n"
            "server whatever happens. An interrupted upload resumes: run the same command\n"
            "again. 'files' stores files as they are and is only for a synthetic cohort\n"
            "(--synthetic, e.g. the output of atelier synth); a synthetic dataset is the\n"
            "only kind a course or a student may use.\n");
    return rc;
}

int cmd_import(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return usage(argc < 2 ? CLI_USAGE : CLI_OK);
    client_opts o = {0};
    const char *project = NULL, *dataset = NULL, *kind = NULL;
    int synthetic = 0, fresh = 0, wait = 1;
    const char *paths[256];
    size_t np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--project") && next) {
            project = next;
            i++;
        } else if (!strcmp(a, "--dataset") && next) {
            dataset = next;
            i++;
        } else if (!strcmp(a, "--synthetic")) {
            synthetic = 1;
        } else if (!strcmp(a, "--fresh")) {
            fresh = 1;
        } else if (!strcmp(a, "--no-wait")) {
            wait = 0;
        } else if (a[0] != '-' && !kind) {
            kind = a;
        } else if (a[0] != '-' && np < 256) {
            paths[np++] = a;
        } else {
            return cli_usage_error("import", "unknown or incomplete argument '%s'", a);
        }
    }
    if (!project || !dataset || !kind || !np)
        return cli_usage_error("import",
                               "--project, --dataset, a kind (dicom, text, files) and paths are required");
    if (strcmp(kind, "dicom") && strcmp(kind, "text") && strcmp(kind, "files"))
        return cli_usage_error("import", "the kind is dicom, text or files, not '%s'", kind);
    if (!strcmp(kind, "files") && !synthetic)
        return cli_usage_error("import",
                               "'files' is for synthetic cohorts only (--synthetic): patient data go "
                               "through the door (dicom or text)");
    client_conf c;
    int rc = client_setup("import", &o, &c, 1);
    if (rc)
        return rc;
    /* the files, in a stable order */
    at_walk_list wl = {0};
    at_walk_options wo = {.skip_hidden = 1};
    at_status st = AT_OK;
    for (size_t i = 0; i < np && !st; i++)
        st = at_walk_collect(&wl, paths[i], &wo);
    if (!st && !wl.n)
        st = at_error_set(AT_ERR_NOT_FOUND, "no file to import under the paths given");
    if (!st && wl.n > AT_IMPORT_FILES_MAX)
        st = at_error_set(AT_ERR_LIMIT, "more than %d files: import them in parts", AT_IMPORT_FILES_MAX);
    if (st) {
        at_walk_list_free(&wl);
        return cli_fail(st);
    }
    uint64_t *sizes = calloc(wl.n, sizeof *sizes), total = 0;
    cJSON *body = cJSON_CreateObject(), *files = cJSON_AddArrayToObject(body, "files");
    crypto_generichash_state fp;
    crypto_generichash_init(&fp, NULL, 0, 16);
    crypto_generichash_update(&fp, (const unsigned char *)kind, strlen(kind) + 1);
    for (size_t i = 0; i < wl.n && !st; i++) {
        struct stat sb;
        if (stat(wl.v[i].path, &sb) != 0) {
            st = at_error_set(AT_ERR_IO, "%s: %s", wl.v[i].path, strerror(errno));
            break;
        }
        sizes[i] = (uint64_t)sb.st_size;
        total += sizes[i];
        char ext[16];
        extension(wl.v[i].rel, ext);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(files, e);
        cJSON_AddNumberToObject(e, "size", (double)sizes[i]);
        cJSON_AddStringToObject(e, "ext", ext);
        if (!strcmp(kind, "files")) /* a synthetic cohort's own paths */
            cJSON_AddStringToObject(e, "path", wl.v[i].rel);
        /* the fingerprint: which local files these are (never sent themselves) */
        crypto_generichash_update(&fp, (const unsigned char *)wl.v[i].path, strlen(wl.v[i].path) + 1);
        int64_t meta[2] = {(int64_t)sb.st_size, (int64_t)sb.st_mtime};
        crypto_generichash_update(&fp, (const unsigned char *)meta, sizeof meta);
    }
    unsigned char h[16];
    char hex[33];
    crypto_generichash_final(&fp, h, sizeof h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    cJSON_AddStringToObject(body, "dataset", dataset);
    cJSON_AddStringToObject(body, "kind", kind);
    cJSON_AddBoolToObject(body, "synthetic", synthetic);
    cJSON_AddBoolToObject(body, "fresh", fresh);
    cJSON_AddStringToObject(body, "fingerprint", hex);
    char *text = st ? NULL : cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (st) {
        free(sizes);
        at_walk_list_free(&wl);
        return cli_fail(st);
    }
    char path[256];
    snprintf(path, sizeof path, "/api/v1/projects/%s/imports", project);
    client_resp r;
    rc = client_request_raw(&c, "POST", path, text, strlen(text), "application/json", &r);
    cJSON_free(text);
    if (!rc)
        rc = client_check("import", &r);
    long long id = 0;
    size_t chunk = AT_IMPORT_CHUNK_MAX;
    uint64_t *have = calloc(wl.n, sizeof *have);
    if (!rc) {
        cJSON *x = cJSON_GetObjectItemCaseSensitive(r.json, "import");
        id = cJSON_IsNumber(x) ? (long long)x->valuedouble : 0;
        cJSON *rec = cJSON_GetObjectItemCaseSensitive(r.json, "received_files");
        size_t k = 0;
        for (cJSON *e = rec ? rec->child : NULL; e && k < wl.n; e = e->next, k++)
            have[k] = cJSON_IsNumber(e) ? (uint64_t)e->valuedouble : 0;
        if (r.status == 200 && !o.json)
            fprintf(stderr, "import %lld: resuming an interrupted upload\n", id);
        const char *state = client_str(r.json, "state");
        if (state && strcmp(state, "uploading"))
            for (size_t i = 0; i < wl.n; i++)
                have[i] = sizes[i];
    }
    client_resp_free(&r);
    int tty = isatty(2) && !o.json;
    double t0 = now_s();
    uint64_t done = 0;
    for (size_t i = 0; i < wl.n; i++)
        done += have[i] < sizes[i] ? have[i] : sizes[i];
    uint64_t resumed_from = done;
    /* tests: stop after this many chunks, as an interrupted client would */
    const char *stop_env = getenv("ATELIER_TEST_IMPORT_STOP_AFTER");
    long stop_after = stop_env ? atol(stop_env) : 0, sent = 0;
    const char *chunk_env = getenv("ATELIER_IMPORT_CHUNK_KB");
    if (chunk_env && atol(chunk_env) > 0 && (size_t)atol(chunk_env) * 1024 < chunk)
        chunk = (size_t)atol(chunk_env) * 1024;
    /* frames one after another in a request of at most `chunk` bytes of
     * data: small files travel many to a request */
    size_t frames_max = 1024, cap = chunk + frames_max * 200;
    unsigned char *batch = rc ? NULL : malloc(cap);
    size_t blen = 0, bdata = 0, bframes = 0;
    if (!rc && !batch)
        rc = cli_fail(AT_ERR_NOMEM);
    snprintf(path, sizeof path, "/api/v1/projects/%s/imports/%lld/chunks", project, id);
    for (size_t i = 0; !rc && i <= wl.n; i++) {
        int last = i == wl.n;
        int fd = -1;
        if (!last && have[i] < sizes[i]) {
            fd = open(wl.v[i].path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                fprintf(stderr, "\natelier import: %s: %s\n", wl.v[i].path, strerror(errno));
                rc = CLI_FAIL;
                break;
            }
        }
        uint64_t off = last ? 0 : have[i];
        for (;;) {
            int more = !last && off < sizes[i];
            if (more && bdata < chunk && bframes < frames_max) {
                size_t want = sizes[i] - off < chunk - bdata ? (size_t)(sizes[i] - off) : chunk - bdata;
                unsigned char *data = batch + blen + 200;
                ssize_t got = pread(fd, data, want, (off_t)off);
                if (got != (ssize_t)want) {
                    fprintf(stderr, "\natelier import: %s: it changed while being sent\n", wl.v[i].path);
                    rc = CLI_FAIL;
                    break;
                }
                char head[200];
                size_t hl = at_datasets_chunk_header(i, off, data, want, head);
                memmove(batch + blen + hl, data, want);
                memcpy(batch + blen, head, hl);
                blen += hl + want;
                bdata += want;
                bframes++;
                off += want;
                continue;
            }
            if (!blen || (!last && more == 0 && bdata < chunk && bframes < frames_max))
                break; /* the next file fills the request further */
            int tries = 0;
            for (;;) {
                rc = client_request_raw(&c, "POST", path, batch, blen, "application/octet-stream", &r);
                if (!rc && r.status >= 500 && ++tries < 5) {
                    client_resp_free(&r);
                    sleep((unsigned)tries);
                    continue;
                }
                break;
            }
            if (!rc)
                rc = client_check("import", &r);
            client_resp_free(&r);
            if (rc)
                break;
            done += bdata;
            blen = bdata = bframes = 0;
            progress("upload", done, total, t0, tty);
            if (stop_after && ++sent >= stop_after) {
                fprintf(stderr,
                        "\natelier import: stopped after %ld requests (ATELIER_TEST_IMPORT_STOP_AFTER)\n",
                        sent);
                rc = 130;
                break;
            }
            if (!more && last)
                break;
        }
        if (fd >= 0)
            close(fd);
    }
    free(batch);
    if (tty && total)
        fprintf(stderr, "\n");
    if (!rc && !o.json && total > resumed_from)
        fprintf(stderr, "import %lld: %.1f MiB sent in %.1f s\n", id, (total - resumed_from) / 1048576.0,
                now_s() - t0);
    if (rc && id)
        fprintf(stderr, "atelier import: interrupted: run the same command again to resume import %lld\n",
                id);
    if (!rc) {
        snprintf(path, sizeof path, "/api/v1/projects/%s/imports/%lld/finish", project, id);
        rc = client_request(&c, "POST", path, NULL, &r);
        if (!rc)
            rc = client_check("import", &r);
        client_resp_free(&r);
    }
    /* the door's progress */
    snprintf(path, sizeof path, "/api/v1/projects/%s/imports/%lld", project, id);
    while (!rc && wait) {
        rc = client_request(&c, "GET", path, NULL, &r);
        if (!rc)
            rc = client_check("import", &r);
        if (rc)
            break;
        const char *state = client_str(r.json, "state");
        if (state && (!strcmp(state, "done") || !strcmp(state, "failed") || !strcmp(state, "cancelled"))) {
            if (tty)
                fprintf(stderr, "\n");
            if (o.json) {
                client_print_json(&r);
            } else if (!strcmp(state, "done")) {
                printf("%s\n", client_str(r.json, "snapshot"));
            } else {
                fprintf(stderr, "atelier import: import %lld %s: %s\n", id, state,
                        client_str(r.json, "error") ? client_str(r.json, "error") : "");
            }
            rc = strcmp(state, "done") ? CLI_FAIL : CLI_OK;
            client_resp_free(&r);
            break;
        }
        cJSON *s = cJSON_GetObjectItemCaseSensitive(r.json, "step"),
              *t = cJSON_GetObjectItemCaseSensitive(r.json, "total");
        char what[32];
        snprintf(what, sizeof what, "%s", client_str(r.json, "phase") ? client_str(r.json, "phase") : state);
        if (tty)
            fprintf(stderr, "\r%-12s %s %.0f/%.0f        ", what, state ? state : "",
                    cJSON_IsNumber(s) ? s->valuedouble : 0, cJSON_IsNumber(t) ? t->valuedouble : 0);
        client_resp_free(&r);
        struct timespec ts = {0, 300 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!rc && !wait) {
        if (o.json)
            printf("{\"import\":%lld}\n", id);
        else
            printf("%lld\n", id);
    }
    free(have);
    free(sizes);
    at_walk_list_free(&wl);
    return rc;
}
