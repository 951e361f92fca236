/* atelier dataset: a room's datasets from the command line: list, show,
 * log, get (members: a snapshot's files into a new folder, audited), the
 * lineage, and the room's gc (administrators). */
#include "client.h"

#include "atelier/core.h"
#include "atelier/vault.h"

#include <fcntl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(int rc)
{
    fprintf(rc ? stderr : stdout,
            "usage: atelier dataset list [--project P] [--json]\n"
            "       atelier dataset show P/NAME[@SNAP] [--json]   (with @SNAP: the snapshot's files)\n"
            "       atelier dataset log P/NAME [--json]\n"
            "       atelier dataset get P/NAME[@SNAP] [PATH] -o DIR\n"
            "       atelier dataset lineage P/NAME[@SNAP] [--json]\n"
            "       atelier dataset gc [--json]                  (administrators)\n"
            "       atelier dataset delete P/NAME --reason TEXT  (the project's lead asks)\n"
            "       atelier dataset shred P/NAME --confirm P/NAME (the DPO: the key destroyed)\n"
            "       atelier dataset deletions [--json]           (the DPO)\n\n"
            "Datasets enter a room only through its door (atelier import). A snapshot is\n"
            "immutable; SNAP is 'latest' (the default), a full id or a unique prefix.\n"
            "get copies a snapshot (or one of its files or folders) into the new folder\n"
            "DIR, for members of the project, and is audited; files leave the room only\n"
            "through the airlock (atelier export).\n");
    return rc;
}

/* "P/NAME[@SNAP]" */
static int split(const char *ref, char *p, char *n, char *s, size_t cap)
{
    const char *slash = strchr(ref, '/');
    if (!slash || slash == ref || (size_t)(slash - ref) >= cap)
        return 0;
    snprintf(p, cap, "%.*s", (int)(slash - ref), ref);
    const char *at = strchr(slash + 1, '@');
    size_t nl = at ? (size_t)(at - slash - 1) : strlen(slash + 1);
    if (!nl || nl >= cap)
        return 0;
    snprintf(n, cap, "%.*s", (int)nl, slash + 1);
    snprintf(s, cap, "%s", at && at[1] ? at + 1 : "latest");
    return 1;
}

static void urlenc(const char *v, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;
    for (; *v && k + 4 < cap; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~' || c == '/') {
            out[k++] = (char)c;
        } else {
            out[k++] = '%';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    out[k] = '\0';
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

static int get_json(client_conf *c, const char *path, client_resp *r)
{
    int rc = client_request(c, "GET", path, NULL, r);
    if (!rc)
        rc = client_check("dataset", r);
    if (rc)
        client_resp_free(r);
    return rc;
}

static int mkdirs_for(const char *file)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", file);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return 0;
}

/* unpack the server's archive ("F MODE SIZE PATHLEN\n" PATH DATA per file)
 * into the folder part (files 0600 or 0700, folders 0700), every length
 * bounded and every path checked as the vault checks it */
static at_status unpack(const char *archive, const char *part, uint64_t *files, uint64_t *bytes)
{
    FILE *in = fopen(archive, "rb");
    if (!in)
        return at_error_set(AT_ERR_IO, "%s: %s", archive, strerror(errno));
    at_status st = AT_OK;
    char head[128];
    long long off = 0;
    while (!st && fgets(head, sizeof head, in)) {
        char mode[8], extra;
        unsigned long long size = 0;
        size_t plen = 0;
        if (!strchr(head, '\n') || sscanf(head, "F %7s %llu %zu%c", mode, &size, &plen, &extra) != 4 ||
            extra != '\n' || (strcmp(mode, "644") && strcmp(mode, "755")) || !plen ||
            plen > AT_VAULT_PATH_MAX) {
            st = at_error_set(AT_ERR_FORMAT, "the server's archive: offset %lld: a malformed header", off);
            break;
        }
        char path[AT_VAULT_PATH_MAX + 1];
        if (fread(path, 1, plen, in) != plen) {
            st = at_error_set(AT_ERR_FORMAT, "the server's archive: offset %lld: cut short", off);
            break;
        }
        path[plen] = '\0';
        if (strlen(path) != plen || (st = at_vault_path_check(path)) != AT_OK) {
            st = st ? st : at_error_set(AT_ERR_FORMAT, "the server's archive: a path holds a NUL");
            break;
        }
        char dest[8192];
        snprintf(dest, sizeof dest, "%s/%s", part, path);
        if (mkdirs_for(dest) != 0) {
            st = at_error_set(AT_ERR_IO, "%s: %s", dest, strerror(errno));
            break;
        }
        int fd =
            open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode[0] == '7' ? 0700 : 0600);
        if (fd < 0) {
            st = at_error_set(AT_ERR_IO, "%s: %s", dest, strerror(errno));
            break;
        }
        char buf[1 << 16];
        unsigned long long left = size;
        while (!st && left) {
            size_t want = left < sizeof buf ? (size_t)left : sizeof buf;
            if (fread(buf, 1, want, in) != want)
                st = at_error_set(AT_ERR_FORMAT, "the server's archive: %s cut short", path);
            else if (write(fd, buf, want) != (ssize_t)want)
                st = at_error_set(AT_ERR_IO, "%s: %s", dest, strerror(errno));
            left -= want;
        }
        close(fd);
        off += (long long)(strlen(head) + plen + size);
        ++*files;
        *bytes += size;
    }
    fclose(in);
    return st;
}

static int cmd_get(client_conf *c, const char *p, const char *n, const char *s, const char *sub,
                   const char *out)
{
    if (access(out, F_OK) == 0) {
        fprintf(stderr, "atelier dataset get: %s exists: give a new folder\n", out);
        return CLI_FAIL;
    }
    char enc[3 * 1024 + 8], url[4096], part[4096], archive[4200];
    urlenc(sub ? sub : "", enc, sizeof enc);
    snprintf(url, sizeof url, "/api/v1/projects/%s/datasets/%s/snapshots/%s/archive%s%s", p, n, s,
             sub ? "?path=" : "", sub ? enc : "");
    snprintf(part, sizeof part, "%s.partial", out);
    snprintf(archive, sizeof archive, "%s.archive", out);
    client_resp r;
    uint64_t got = 0, files = 0, bytes = 0;
    int rc = client_download(c, url, archive, &r, &got);
    if (!rc && (r.status < 200 || r.status >= 300))
        rc = client_check("dataset get", &r);
    client_resp_free(&r);
    if (!rc) {
        at_status st =
            mkdir(part, 0700) == 0 ? AT_OK : at_error_set(AT_ERR_IO, "%s: %s", part, strerror(errno));
        if (!st)
            st = unpack(archive, part, &files, &bytes);
        if (!st && !files)
            st = at_error_set(AT_ERR_NOT_FOUND, "nothing at '%s' in %s/%s@%s", sub ? sub : "", p, n, s);
        if (!st && rename(part, out) != 0)
            st = at_error_set(AT_ERR_IO, "%s: %s", out, strerror(errno));
        if (st)
            rc = cli_fail(st);
    }
    unlink(archive);
    if (!rc)
        fprintf(stderr, "%llu files, %.1f MiB from %s/%s@%s into %s\n", (unsigned long long)files,
                bytes / 1048576.0, p, n, s, out);
    else if (access(part, F_OK) == 0)
        at_remove_tree(part); /* nothing half copied stays */
    return rc;
}

int cmd_dataset(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return usage(argc < 2 ? CLI_USAGE : CLI_OK);
    const char *sub = argv[1];
    client_opts o = {0};
    const char *project = NULL, *ref = NULL, *path_arg = NULL, *out = NULL, *reason = NULL, *confirm = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--project") && next) {
            project = next;
            i++;
        } else if (!strcmp(a, "-o") && next) {
            out = next;
            i++;
        } else if (!strcmp(a, "--reason") && next) {
            reason = next;
            i++;
        } else if (!strcmp(a, "--confirm") && next) {
            confirm = next;
            i++;
        } else if (a[0] != '-' && !ref) {
            ref = a;
        } else if (a[0] != '-' && !path_arg) {
            path_arg = a;
        } else {
            return cli_usage_error("dataset", "unknown or incomplete argument '%s'", a);
        }
    }
    char p[128], n[128], s[128];
    int known = !strcmp(sub, "list") || !strcmp(sub, "show") || !strcmp(sub, "log") || !strcmp(sub, "get") ||
                !strcmp(sub, "lineage") || !strcmp(sub, "gc") || !strcmp(sub, "delete") ||
                !strcmp(sub, "shred") || !strcmp(sub, "deletions");
    if (!known)
        return cli_usage_error("dataset", "unknown command '%s'", sub);
    if (strcmp(sub, "list") && strcmp(sub, "gc") && strcmp(sub, "deletions") &&
        (!ref || !split(ref, p, n, s, sizeof p)))
        return cli_usage_error("dataset", "a dataset is named PROJECT/NAME[@SNAPSHOT]");
    if (!strcmp(sub, "get") && !out)
        return cli_usage_error("dataset get", "-o DIR (a new folder) is required");
    client_conf c;
    int rc = client_setup("dataset", &o, &c, 1);
    if (rc)
        return rc;
    char path[512];
    client_resp r;
    if (!strcmp(sub, "get"))
        return cmd_get(&c, p, n, s, path_arg, out);
    if (!strcmp(sub, "delete") || !strcmp(sub, "shred")) {
        int del = !strcmp(sub, "delete");
        if (del ? !reason : !confirm)
            return cli_usage_error("dataset", "%s is required",
                                   del ? "--reason TEXT" : "--confirm PROJECT/NAME");
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, del ? "reason" : "confirm", del ? reason : confirm);
        snprintf(path, sizeof path, "/api/v1/projects/%s/datasets/%s/%s", p, n, sub);
        rc = client_request(&c, "POST", path, b, &r);
        cJSON_Delete(b);
        if (!rc)
            rc = client_check("dataset", &r);
        if (!rc)
            printf("%s/%s: %s\n", p, n, client_str(r.json, "state") ? client_str(r.json, "state") : "");
        client_resp_free(&r);
        return rc;
    }
    if (!strcmp(sub, "deletions")) {
        rc = get_json(&c, "/api/v1/deletions", &r);
        if (rc)
            return rc;
        if (o.json)
            client_print_json(&r);
        cJSON *l = cJSON_GetObjectItemCaseSensitive(r.json, "deletions");
        for (cJSON *e = o.json ? NULL : l ? l->child : NULL; e; e = e->next)
            printf("%s/%s  %-9s asked by %s %s: %s%s%s\n", client_str(e, "project"), client_str(e, "dataset"),
                   client_str(e, "state"), client_str(e, "requested_by"), client_str(e, "requested"),
                   client_str(e, "reason"), client_str(e, "confirmed_by")[0] ? "; shredded by " : "",
                   client_str(e, "confirmed_by"));
        client_resp_free(&r);
        return CLI_OK;
    }
    if (!strcmp(sub, "gc")) {
        rc = client_request(&c, "POST", "/api/v1/vault/gc", NULL, &r);
        if (!rc)
            rc = client_check("dataset gc", &r);
        if (!rc && o.json)
            client_print_json(&r);
        else if (!rc)
            printf("%.0f snapshots forgotten, %.0f chunks removed, %.1f MiB freed\n",
                   num(r.json, "snapshots_forgotten"), num(r.json, "chunks_removed"),
                   num(r.json, "bytes_freed") / 1048576.0);
        client_resp_free(&r);
        return rc;
    }
    if (!strcmp(sub, "list")) {
        if (project)
            snprintf(path, sizeof path, "/api/v1/projects/%s/datasets", project);
        else
            snprintf(path, sizeof path, "/api/v1/datasets");
    } else if (!strcmp(sub, "show") && ref && strchr(ref, '@')) {
        snprintf(path, sizeof path, "/api/v1/projects/%s/datasets/%s/snapshots/%s", p, n, s);
    } else if (!strcmp(sub, "lineage")) {
        snprintf(path, sizeof path, "/api/v1/projects/%s/datasets/%s/lineage%s%s", p, n,
                 strchr(ref, '@') ? "?snapshot=" : "", strchr(ref, '@') ? s : "");
    } else {
        snprintf(path, sizeof path, "/api/v1/projects/%s/datasets/%s", p, n);
    }
    rc = get_json(&c, path, &r);
    if (rc)
        return rc;
    if (o.json) {
        client_print_json(&r);
        client_resp_free(&r);
        return CLI_OK;
    }
    if (!strcmp(sub, "list")) {
        cJSON *l = cJSON_GetObjectItemCaseSensitive(r.json, "datasets");
        printf("%-16s %-20s %-7s %-9s %9s %8s %12s\n", "PROJECT", "DATASET", "KIND", "SYNTHETIC", "SNAPSHOTS",
               "FILES", "BYTES");
        for (cJSON *e = l ? l->child : NULL; e; e = e->next) {
            const char *pr = client_str(e, "project");
            printf("%-16s %-20s %-7s %-9s %9.0f %8.0f %12.0f\n",
                   pr        ? pr
                   : project ? project
                             : "",
                   client_str(e, "name"), client_str(e, "kind"),
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "synthetic")) ? "yes" : "no",
                   num(e, "snapshots"), num(e, "files"), num(e, "bytes"));
        }
        cJSON *u = cJSON_GetObjectItemCaseSensitive(r.json, "storage");
        if (u)
            printf("storage: %.1f MiB used%s", num(u, "used") / 1048576.0,
                   num(u, "limit") ? "" : " (no quota)\n");
        if (u && num(u, "limit"))
            printf(" of %.1f MiB\n", num(u, "limit") / 1048576.0);
    } else if (!strcmp(sub, "show") && strchr(ref, '@')) {
        printf("snapshot %s\n", client_str(r.json, "snapshot"));
        cJSON *l = cJSON_GetObjectItemCaseSensitive(r.json, "files");
        for (cJSON *e = l ? l->child : NULL; e; e = e->next)
            printf("%12.0f  %s\n", num(e, "size"), client_str(e, "path"));
    } else if (!strcmp(sub, "lineage")) {
        cJSON *nodes = cJSON_GetObjectItemCaseSensitive(r.json, "nodes"),
              *edges = cJSON_GetObjectItemCaseSensitive(r.json, "edges");
        int nn = cJSON_GetArraySize(nodes);
        for (int depth = -64; depth <= 64; depth++)
            for (cJSON *e = nodes ? nodes->child : NULL; e; e = e->next)
                if ((int)num(e, "depth") == depth)
                    printf("%+3d  %-8s %s\n", depth, client_str(e, "kind"), client_str(e, "label"));
        for (cJSON *e = edges ? edges->child : NULL; e; e = e->next) {
            int f = (int)num(e, "from"), t = (int)num(e, "to");
            if (f < nn && t < nn)
                printf("     %s -> %s (%s)\n", client_str(cJSON_GetArrayItem(nodes, f), "label"),
                       client_str(cJSON_GetArrayItem(nodes, t), "label"), client_str(e, "role"));
        }
    } else {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(r.json, "dataset");
        cJSON *l = cJSON_GetObjectItemCaseSensitive(r.json, "snapshots");
        if (!strcmp(sub, "show"))
            printf("dataset %s/%s (%s%s), %d snapshots, latest %s\n", client_str(d, "project"),
                   client_str(d, "name"), client_str(d, "kind"),
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "synthetic")) ? ", synthetic" : "",
                   cJSON_GetArraySize(l), client_str(d, "latest"));
        for (cJSON *e = l ? l->child : NULL; e; e = e->next) {
            if (!strcmp(sub, "show") && e->next)
                continue; /* show: the latest one; log: all */
            cJSON *rep = cJSON_GetObjectItemCaseSensitive(e, "report");
            char *rt = rep ? cJSON_PrintUnformatted(rep) : NULL;
            printf("%.12s  %s  %-8s %-6s %6.0f files %12.0f bytes%s\n        report %s\n",
                   client_str(e, "id"), client_str(e, "created"), client_str(e, "user"),
                   client_str(e, "door"), num(e, "files"), num(e, "bytes"),
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "synthetic")) ? " synthetic" : "",
                   rt ? rt : "{}");
            cJSON_free(rt);
        }
    }
    client_resp_free(&r);
    return CLI_OK;
}
