/* atelier export request|add|remove|round|submit|withdraw|status|download:
 * the airlock's client, over the room's API (docs/airlock.md). A request
 * gathers files of a project's jobs; the automated checks run at once;
 * two reviewers decide on the web pages; the author releases it and
 * downloads the signed package, which is verified here before it is kept. */
#include "client.h"

#include "atelier/airlock.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *o)
{
    fprintf(
        o,
        "usage: atelier export <command> [options]\n\n"
        "  request --project P [--title TEXT]     a new export request (a draft); prints its number\n"
        "  add ID --job N [--path PATH | --log] [--name NAME] [--role output|supporting]\n"
        "         [--justification TEXT]          a file of job N's result (or its log) into request ID;\n"
        "                                         it is read, hashed and checked at once\n"
        "  remove ID FILE                         take a file out (FILE: its number, see status)\n"
        "  round ID FILE                          the rounding transformation of a table: counts under the\n"
        "                                         threshold suppressed, totals recomputed, counts rounded\n"
        "  submit ID                              the checks again, then review (or blocked: see status)\n"
        "  withdraw ID                            withdraw it\n"
        "  status [ID]                            my requests, or one request: its files, checks, votes\n"
        "  download ID -o FILE [--force] [--key HEX]\n"
        "                                         release an approved request (its author), download the\n"
        "                                         signed package and verify it (signature and hashes)\n\n"
        "Reviewers vote on the web pages (/airlock/queue). Common options: --json, --server URL,\n"
        "--cacert FILE. Exit status: 0 ok, 1 failure (or a blocked submission), 2 usage.\n");
}

static long long number(const char *s)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    return s && *s && !*end && v > 0 ? v : 0;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key)
{
    const char *s = client_str(o, key);
    return s ? s : "";
}

static int post(client_conf *c, client_opts *o, const char *cmd, const char *path, cJSON *body,
                client_resp *r)
{
    int rc = client_request(c, "POST", path, body, r);
    cJSON_Delete(body);
    if (!rc)
        rc = client_check(cmd, r);
    if (!rc && o->json)
        client_print_json(r);
    return rc;
}

static int status_one(client_conf *c, client_opts *o, long long id)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exports/%lld", id);
    client_resp r;
    int rc = client_request(c, "GET", path, NULL, &r);
    if (!rc)
        rc = client_check("export status", &r);
    if (!rc && o->json) {
        client_print_json(&r);
    } else if (!rc) {
        const cJSON *q = cJSON_GetObjectItemCaseSensitive(r.json, "request"), *e;
        printf("request   %lld: %s\nproject   %s\nauthor    %s\nstate     %s (round %d)\nchecks    %s\n", id,
               str(q, "title"), str(q, "project"), str(q, "author"), str(q, "state"), (int)num(q, "round"),
               str(q, "checks"));
        const char *sha = client_str(q, "manifest_sha256");
        if (sha && *sha)
            printf("manifest  sha256 %s\n", sha);
        printf("\n%-5s %-28s %-10s %-11s %-8s %-9s %s\n", "FILE", "NAME", "ROLE", "TYPE", "CHECKS", "BYTES",
               "SHA256");
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r.json, "files"))
        {
            printf("%-5lld %-28s %-10s %-11s %-8s %-9lld %.16s%s%s\n", (long long)num(e, "id"),
                   str(e, "name"), str(e, "role"), str(e, "type"), str(e, "outcome"),
                   (long long)num(e, "size"), str(e, "sha256"),
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "needs_dpo")) ? "  (needs the DPO)" : "",
                   *str(e, "transform") ? "  (rounded)" : "");
            const cJSON *checks = cJSON_GetObjectItemCaseSensitive(e, "checks"), *k;
            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(checks, "checks"))
            {
                const char *oc = str(k, "outcome");
                if (oc && strcmp(oc, "pass"))
                    printf("      %-6s %s: %s\n", oc, str(k, "name"), str(k, "summary"));
            }
        }
        const cJSON *votes = cJSON_GetObjectItemCaseSensitive(r.json, "votes");
        if (cJSON_GetArraySize(votes)) {
            printf("\n%-5s %-16s %-10s %s\n", "FILE", "REVIEWER", "VOTE", "COMMENT");
            cJSON_ArrayForEach(e, votes) printf("%-5lld %-16s %-10s %s\n", (long long)num(e, "file"),
                                                str(e, "reviewer"), str(e, "vote"), str(e, "comment"));
        }
    }
    client_resp_free(&r);
    return rc;
}

static int status_mine(client_conf *c, client_opts *o)
{
    client_resp r;
    int rc = client_request(c, "GET", "/api/v1/exports", NULL, &r);
    if (!rc)
        rc = client_check("export status", &r);
    if (!rc && o->json) {
        client_print_json(&r);
    } else if (!rc) {
        const cJSON *e;
        printf("%-7s %-14s %-11s %-6s %-7s %-20s %s\n", "REQUEST", "PROJECT", "STATE", "FILES", "CHECKS",
               "UPDATED", "TITLE");
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r.json, "requests")) printf(
            "%-7lld %-14s %-11s %-6d %-7s %-20s %s\n", (long long)num(e, "id"), str(e, "project"),
            str(e, "state"), (int)num(e, "files"), str(e, "checks"), str(e, "updated"), str(e, "title"));
    }
    client_resp_free(&r);
    return rc;
}

static int download(client_conf *c, client_opts *o, long long id, const char *out, int force, const char *key)
{
    if (!out)
        return cli_usage_error("export download", "-o FILE is required");
    int rc = cli_output_free("export download", out, force);
    if (rc)
        return rc;
    /* an approved request is released first (its author signs nothing: the room does) */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exports/%lld", id);
    client_resp r;
    rc = client_request(c, "GET", path, NULL, &r);
    if (!rc)
        rc = client_check("export download", &r);
    const char *state = rc ? NULL : client_str(cJSON_GetObjectItemCaseSensitive(r.json, "request"), "state");
    int approved = state && !strcmp(state, "approved");
    client_resp_free(&r);
    if (rc)
        return rc;
    if (approved) {
        snprintf(path, sizeof path, "/api/v1/exports/%lld/release", id);
        rc = client_request(c, "POST", path, NULL, &r);
        if (!rc)
            rc = client_check("export download", &r);
        client_resp_free(&r);
        if (rc)
            return rc;
        fprintf(stderr, "export %lld: released\n", id);
    }
    snprintf(path, sizeof path, "/api/v1/exports/%lld/package", id);
    uint64_t bytes = 0;
    rc = client_download(c, path, out, &r, &bytes);
    if (!rc)
        rc = client_check("export download", &r);
    client_resp_free(&r);
    if (rc)
        return rc;
    at_airlock_verify_report rep;
    at_status st = at_airlock_verify_path(out, key, &rep);
    if (st)
        return cli_fail(st);
    if (!rep.ok) {
        fprintf(stderr, "atelier export download: %s does not verify: %s (kept for inspection)\n", out,
                rep.message);
        return CLI_FAIL;
    }
    if (o->json)
        printf("{\"file\":\"%s\",\"bytes\":%llu,\"files\":%zu,\"key\":\"%s\"}\n", out,
               (unsigned long long)bytes, rep.files, rep.key_hex);
    else
        fprintf(stderr,
                "export %lld: %s, %llu bytes, %zu files; signature and hashes verified (room key %s)\n", id,
                out, (unsigned long long)bytes, rep.files, rep.key_hex);
    return CLI_OK;
}

int cmd_export(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    client_opts o = {0};
    const char *project = NULL, *title = "", *job = NULL, *file_path = NULL, *name = NULL, *role = NULL,
               *justification = NULL, *out = NULL, *key = NULL;
    const char *pos[2] = {NULL, NULL};
    int npos = 0, log = 0, force = 0, rc = CLI_OK;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (cli_take("export", argc, argv, &i, "--project", "-p", &project, &rc) ||
            cli_take("export", argc, argv, &i, "--title", NULL, &title, &rc) ||
            cli_take("export", argc, argv, &i, "--job", NULL, &job, &rc) ||
            cli_take("export", argc, argv, &i, "--path", NULL, &file_path, &rc) ||
            cli_take("export", argc, argv, &i, "--name", NULL, &name, &rc) ||
            cli_take("export", argc, argv, &i, "--role", NULL, &role, &rc) ||
            cli_take("export", argc, argv, &i, "--justification", NULL, &justification, &rc) ||
            cli_take("export", argc, argv, &i, "--out", "-o", &out, &rc) ||
            cli_take("export", argc, argv, &i, "--key", NULL, &key, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (cli_flag(a, "--log", NULL))
            log = 1;
        else if (cli_flag(a, "--force", "-f"))
            force = 1;
        else if (a[0] != '-' && npos < 2)
            pos[npos++] = a;
        else
            return cli_unknown_option("export", a);
    }
    long long id = number(pos[0]);
    client_conf c;
    if (strcmp(sub, "request") && strcmp(sub, "add") && strcmp(sub, "remove") && strcmp(sub, "round") &&
        strcmp(sub, "submit") && strcmp(sub, "withdraw") && strcmp(sub, "status") && strcmp(sub, "download"))
        return cli_usage_error("export", "unknown command '%s'", sub);
    if (strcmp(sub, "request") && strcmp(sub, "status") && !id)
        return cli_usage_error("export", "%s needs a request number", sub);
    rc = client_setup("export", &o, &c, 1);
    if (rc)
        return rc;
    client_resp r = {0};
    char path[160];
    if (!strcmp(sub, "request")) {
        if (!project || !at_room_name_valid(project))
            return cli_usage_error("export request", "--project NAME is required");
        snprintf(path, sizeof path, "/api/v1/projects/%s/exports", project);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "title", title);
        rc = post(&c, &o, "export request", path, b, &r);
        if (!rc && !o.json)
            printf("%lld\n", (long long)num(r.json, "id"));
    } else if (!strcmp(sub, "add")) {
        if (!number(job))
            return cli_usage_error("export add", "--job N (the job whose result or log) is required");
        if (!log && !file_path)
            return cli_usage_error("export add", "--path PATH (a file of the job's result) or --log");
        snprintf(path, sizeof path, "/api/v1/exports/%lld/files", id);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "source", log ? "log" : "result");
        cJSON_AddStringToObject(b, "id", job);
        if (file_path)
            cJSON_AddStringToObject(b, "path", file_path);
        if (name)
            cJSON_AddStringToObject(b, "name", name);
        if (role)
            cJSON_AddStringToObject(b, "role", role);
        if (justification)
            cJSON_AddStringToObject(b, "justification", justification);
        rc = post(&c, &o, "export add", path, b, &r);
        if (!rc && !o.json)
            printf("%lld\n", (long long)num(r.json, "file"));
    } else if (!strcmp(sub, "remove") || !strcmp(sub, "round")) {
        long long fid = number(pos[1]);
        if (!fid)
            return cli_usage_error("export", "%s ID FILE: the file's number (see 'atelier export status ID')",
                                   sub);
        snprintf(path, sizeof path, "/api/v1/exports/%lld/files/%lld%s", id, fid,
                 !strcmp(sub, "round") ? "/round" : "");
        rc = client_request(&c, !strcmp(sub, "round") ? "POST" : "DELETE", path, NULL, &r);
        if (!rc)
            rc = client_check("export", &r);
        if (!rc && o.json)
            client_print_json(&r);
    } else if (!strcmp(sub, "submit") || !strcmp(sub, "withdraw")) {
        snprintf(path, sizeof path, "/api/v1/exports/%lld/%s", id, sub);
        rc = post(&c, &o, !strcmp(sub, "submit") ? "export submit" : "export withdraw", path, NULL, &r);
        const char *state = rc ? NULL : client_str(r.json, "state");
        if (!rc && !o.json)
            printf("%s\n", state ? state : "");
        if (!rc && state && !strcmp(state, "blocked")) {
            fprintf(stderr,
                    "atelier export submit: request %lld is blocked by the automated checks: see 'atelier "
                    "export status %lld'\n",
                    id, id);
            rc = CLI_FAIL;
        }
    } else if (!strcmp(sub, "status")) {
        return id ? status_one(&c, &o, id) : status_mine(&c, &o);
    } else {
        return download(&c, &o, id, out, force, key);
    }
    client_resp_free(&r);
    return rc;
}
