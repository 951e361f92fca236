/* atelier room: make a room (init), check its audit (audit verify), and,
 * as a client of a running room, administer users and projects, list the
 * audit, change one's password. */
#include "client.h"

#include "atelier/room.h"
#include "atelier/web.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *o)
{
    fprintf(o, "usage: atelier room <command> [<args>]\n\n"
               "On the head station (a folder):\n"
               "  init DIR [--admin NAME] [--hostname NAME] [--json]\n"
               "                         make a room: keys, catalog, certificate, first administrator\n"
               "                         (its one-time password is printed once)\n"
               "  audit verify DIR [--public-key HEX] [--json]\n"
               "                         re-check the audit chain and its signed anchors; names the\n"
               "                         first broken entry (exit 1 when broken)\n"
               "As a client of a running room (after 'atelier login'):\n"
               "  users list | create NAME [--role admin|dpo|teacher]... [--full-name TEXT]\n"
               "        | disable NAME | enable NAME | reset-mfa NAME | reset-password NAME\n"
               "        | grant NAME ROLE | withdraw NAME ROLE         (administrators)\n"
               "  projects list | show NAME | create NAME [--title TEXT]\n"
               "           | add-member NAME USER lead|member|student | remove-member NAME USER\n"
               "  audit list [--who USER] [--what ACTION] [--since DAY] [--until DAY] [--limit N]  (DPO)\n"
               "  password               change your password\n"
               "Every command takes --json (the server's answer as it is); client commands take\n"
               "--server URL and --cacert FILE, and read ATELIER_SERVER and ATELIER_TOKEN.\n"
               "See docs/room.md and docs/api.md.\n");
}

/* ---- init ---- */

static int room_init(int argc, char **argv)
{
    const char *dir = NULL, *admin = NULL, *hostname = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--admin") && next) {
            admin = next;
            i++;
        } else if (!strcmp(a, "--hostname") && next) {
            hostname = next;
            i++;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] != '-' && !dir) {
            dir = a;
        } else {
            return cli_usage_error("room init", "unknown or incomplete argument '%s'", a);
        }
    }
    if (!dir)
        return cli_usage_error("room init", "DIR is required");
    at_room_init_result res;
    at_status st = at_room_init(dir, admin, &res);
    if (!st)
        st = at_web_make_certificate(dir, hostname);
    char pin[128] = "";
    if (!st) {
        char *crt = at_path_join(dir, "tls.crt");
        unsigned char *pem = NULL;
        size_t len = 0;
        st = crt ? at_file_read(crt, 1 << 20, &pem, &len) : AT_ERR_NOMEM;
        if (!st)
            st = at_web_certificate_pin((const char *)pem, len, pin, sizeof pin);
        at_free(pem);
        at_free(crt);
    }
    if (st) {
        memset(&res, 0, sizeof res);
        return cli_fail(st);
    }
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "room", dir);
        cJSON_AddStringToObject(j, "user", res.admin);
        cJSON_AddStringToObject(j, "password", res.password);
        cJSON_AddStringToObject(j, "audit_public_key", res.audit_public_key);
        cJSON_AddStringToObject(j, "tls_pin", pin);
        char *t = cJSON_PrintUnformatted(j);
        printf("%s\n", t);
        memset(t, 0, strlen(t));
        free(t);
        cJSON_Delete(j);
    } else {
        printf("Room made in %s.\n"
               "First administrator: %s\n"
               "One-time password:   %s   (shown once: at the first login choose a password, set up TOTP)\n"
               "Certificate key pin: %s   (users check it at their first login: atelier login --pin ...)\n"
               "Audit public key:    %s   (keep a copy away from this station)\n"
               "Start it: atelier serve --room %s   (settings in %s/room.conf; see docs/room.md)\n",
               dir, res.admin, res.password, pin, res.audit_public_key, dir, dir);
    }
    memset(&res, 0, sizeof res);
    return CLI_OK;
}

/* ---- audit ---- */

static int audit_verify(int argc, char **argv)
{
    const char *dir = NULL, *pk = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--public-key") && next) {
            pk = next;
            i++;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] != '-' && !dir) {
            dir = a;
        } else {
            return cli_usage_error("room audit verify", "unknown or incomplete argument '%s'", a);
        }
    }
    if (!dir)
        return cli_usage_error("room audit verify", "DIR is required");
    at_audit_report rep;
    at_status st = at_room_audit_verify(dir, pk, &rep);
    if (st)
        return cli_fail(st);
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddBoolToObject(j, "ok", rep.ok);
        cJSON_AddNumberToObject(j, "entries", (double)rep.entries);
        cJSON_AddNumberToObject(j, "anchors", (double)rep.anchors);
        cJSON_AddNumberToObject(j, "first_broken", (double)rep.first_broken);
        cJSON_AddNumberToObject(j, "problems", (double)rep.problems);
        cJSON_AddStringToObject(j, "message", rep.message);
        char *t = cJSON_PrintUnformatted(j);
        printf("%s\n", t);
        free(t);
        cJSON_Delete(j);
    } else if (rep.ok) {
        printf("audit verifies: %s\n", rep.message);
    } else {
        printf("audit BROKEN at entry %lld: %s (%lld problems in all)\n", (long long)rep.first_broken,
               rep.message, (long long)rep.problems);
    }
    return rep.ok ? CLI_OK : CLI_FAIL;
}

/* ---- client commands ---- */

/* Run a request and print the answer (JSON, or a short line). */
static int run(const char *cmd, const client_opts *o, const char *method, const char *path, cJSON *body,
               void (*show)(const cJSON *))
{
    client_conf c;
    int rc = client_setup(cmd, o, &c, 1);
    client_resp r = {0};
    if (!rc)
        rc = client_request(&c, method, path, body, &r);
    cJSON_Delete(body);
    if (!rc)
        rc = client_check(cmd, &r);
    if (!rc && o->json)
        client_print_json(&r);
    else if (!rc && show)
        show(r.json);
    client_resp_free(&r);
    memset(&c, 0, sizeof c);
    return rc;
}

static void show_ok(const cJSON *j)
{
    (void)j;
    printf("done\n");
}

static void show_password(const cJSON *j)
{
    printf("one-time password of %s: %s\n(give it by hand; shown once)\n",
           client_str(j, "user") ? client_str(j, "user") : "?",
           client_str(j, "password") ? client_str(j, "password") : "?");
}

static void print_list(const cJSON *arr, const char *k1, const char *k2, const char *k3)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        printf("%-24s", client_str(e, k1) ? client_str(e, k1) : "");
        if (k2)
            printf(" %-12s", client_str(e, k2) ? client_str(e, k2) : "");
        if (k3)
            printf(" %s", client_str(e, k3) ? client_str(e, k3) : "");
        printf("\n");
    }
}

static void show_users(const cJSON *j)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "users"))
    {
        printf("%-24s %s%s", client_str(e, "user"),
               cJSON_IsTrue(cJSON_GetObjectItem(e, "disabled")) ? "disabled" : "active",
               cJSON_IsTrue(cJSON_GetObjectItem(e, "mfa")) ? "" : ", no TOTP yet");
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(e, "roles")) printf(" %s", r->valuestring);
        printf("\n");
    }
}

static void show_projects(const cJSON *j)
{
    print_list(cJSON_GetObjectItemCaseSensitive(j, "projects"), "name", "role", "title");
}

static void show_project(const cJSON *j)
{
    printf("%s: %s\n", client_str(j, "name"), client_str(j, "title") ? client_str(j, "title") : "");
    print_list(cJSON_GetObjectItemCaseSensitive(j, "members"), "user", "role", NULL);
}

static void show_audit(const cJSON *j)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "entries"))
    {
        const cJSON *seq = cJSON_GetObjectItem(e, "seq");
        printf("%6.0f %s %-16s %-20s %s %s\n", cJSON_IsNumber(seq) ? seq->valuedouble : 0,
               client_str(e, "time"), client_str(e, "actor"), client_str(e, "action"),
               client_str(e, "object"), client_str(e, "details"));
    }
}

/* "/api/v1/users/NAME/what" with NAME checked (no '/', '?', '%'). */
static int path_with(char *out, size_t cap, const char *fmt, const char *a, const char *b)
{
    if ((a && !at_room_name_valid(a)) || (b && *b && !at_room_name_valid(b))) {
        fprintf(stderr, "atelier room: '%s' is not a valid name\n", a && !at_room_name_valid(a) ? a : b);
        return CLI_USAGE;
    }
    snprintf(out, cap, fmt, a, b);
    return CLI_OK;
}

static int room_users(int argc, char **argv)
{
    static const char *cmd = "room users";
    client_opts o = {0};
    const char *pos[4] = {0}, *full = NULL;
    char roles[64] = "";
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--role") && next) {
            size_t n = strlen(roles);
            snprintf(roles + n, sizeof roles - n, "%s%s", n ? "," : "", next);
            i++;
        } else if (!strcmp(a, "--full-name") && next) {
            full = next;
            i++;
        } else if (a[0] != '-' && np < 4) {
            pos[np++] = a;
        } else {
            return cli_usage_error(cmd, "unknown or incomplete argument '%s'", a);
        }
    }
    const char *op = pos[0] ? pos[0] : "list";
    char path[256];
    if (!strcmp(op, "list") && np <= 1)
        return run(cmd, &o, "GET", "/api/v1/users", NULL, show_users);
    if (!strcmp(op, "create") && np == 2) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "user", pos[1]);
        if (roles[0])
            cJSON_AddStringToObject(b, "role", roles);
        if (full)
            cJSON_AddStringToObject(b, "full_name", full);
        return run(cmd, &o, "POST", "/api/v1/users", b, show_password);
    }
    static const char *const simple[] = {"disable", "enable", "reset-mfa", "reset-password"};
    for (size_t k = 0; k < 4; k++)
        if (!strcmp(op, simple[k]) && np == 2) {
            int rc = path_with(path, sizeof path, "/api/v1/users/%s/%s", pos[1], simple[k]);
            return rc ? rc : run(cmd, &o, "POST", path, NULL, k == 3 ? show_password : show_ok);
        }
    if ((!strcmp(op, "grant") || !strcmp(op, "withdraw")) && np == 3) {
        int rc = path_with(path, sizeof path, "/api/v1/users/%s/roles%s", pos[1], "");
        if (rc)
            return rc;
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, op, pos[2]);
        return run(cmd, &o, "POST", path, b, show_ok);
    }
    return cli_usage_error(cmd, "expected list, create NAME, disable NAME, enable NAME, reset-mfa NAME, "
                                "reset-password NAME, grant NAME ROLE or withdraw NAME ROLE");
}

static int room_projects(int argc, char **argv)
{
    static const char *cmd = "room projects";
    client_opts o = {0};
    const char *pos[5] = {0}, *title = NULL;
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--title") && next) {
            title = next;
            i++;
        } else if (a[0] != '-' && np < 5) {
            pos[np++] = a;
        } else {
            return cli_usage_error(cmd, "unknown or incomplete argument '%s'", a);
        }
    }
    const char *op = pos[0] ? pos[0] : "list";
    char path[256];
    int rc;
    if (!strcmp(op, "list") && np <= 1)
        return run(cmd, &o, "GET", "/api/v1/projects", NULL, show_projects);
    if (!strcmp(op, "show") && np == 2)
        return (rc = path_with(path, sizeof path, "/api/v1/projects/%s%s", pos[1], ""))
                   ? rc
                   : run(cmd, &o, "GET", path, NULL, show_project);
    if (!strcmp(op, "create") && np == 2) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "name", pos[1]);
        if (title)
            cJSON_AddStringToObject(b, "title", title);
        return run(cmd, &o, "POST", "/api/v1/projects", b, show_ok);
    }
    if (!strcmp(op, "add-member") && np == 4) {
        if ((rc = path_with(path, sizeof path, "/api/v1/projects/%s/members%s", pos[1], "")))
            return rc;
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "user", pos[2]);
        cJSON_AddStringToObject(b, "role", pos[3]);
        return run(cmd, &o, "POST", path, b, show_ok);
    }
    if (!strcmp(op, "remove-member") && np == 3)
        return (rc = path_with(path, sizeof path, "/api/v1/projects/%s/members/%s", pos[1], pos[2]))
                   ? rc
                   : run(cmd, &o, "DELETE", path, NULL, show_ok);
    return cli_usage_error(
        cmd, "expected list, show NAME, create NAME, add-member NAME USER ROLE or remove-member "
             "NAME USER");
}

static int room_audit(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "verify"))
        return audit_verify(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "list"))
        return cli_usage_error("room audit", "expected verify DIR or list");
    client_opts o = {0};
    const char *keys[] = {"who", "what", "since", "until", "limit"};
    const char *vals[5] = {0};
    for (int i = 2; i < argc; i++) {
        if (client_common_option(&o, argc, argv, &i))
            continue;
        int known = 0;
        for (int k = 0; k < 5; k++)
            if (!strncmp(argv[i], "--", 2) && !strcmp(argv[i] + 2, keys[k]) && i + 1 < argc) {
                vals[k] = argv[++i];
                known = 1;
            }
        if (!known)
            return cli_usage_error("room audit list", "unknown or incomplete argument '%s'", argv[i]);
    }
    char path[2048] = "/api/v1/audit";
    char *esc;
    for (int k = 0; k < 5; k++) {
        if (!vals[k])
            continue;
        esc = curl_easy_escape(NULL, vals[k], 0);
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "%c%s=%s", strchr(path, '?') ? '&' : '?', keys[k],
                 esc ? esc : "");
        curl_free(esc);
    }
    return run("room audit", &o, "GET", path, NULL, show_audit);
}

static int room_password(int argc, char **argv)
{
    client_opts o = {0};
    for (int i = 1; i < argc; i++)
        if (!client_common_option(&o, argc, argv, &i))
            return cli_usage_error("room password", "unknown argument '%s'", argv[i]);
    char cur[1100], pw[1100], again[1100];
    if (client_prompt("Current password: ", 1, cur, sizeof cur) ||
        client_prompt("New password: ", 1, pw, sizeof pw) || client_prompt("Again: ", 1, again, sizeof again))
        return CLI_FAIL;
    if (strcmp(pw, again)) {
        fprintf(stderr, "atelier room password: the two passwords differ\n");
        return CLI_FAIL;
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "current", cur);
    cJSON_AddStringToObject(b, "password", pw);
    memset(cur, 0, sizeof cur);
    memset(pw, 0, sizeof pw);
    memset(again, 0, sizeof again);
    return run("room password", &o, "POST", "/api/v1/password", b, show_ok);
}

int cmd_room(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    if (cli_wants_help(argc - 1, argv + 1)) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(sub, "init"))
        return room_init(argc - 1, argv + 1);
    if (!strcmp(sub, "audit"))
        return room_audit(argc - 1, argv + 1);
    if (!strcmp(sub, "users"))
        return room_users(argc - 1, argv + 1);
    if (!strcmp(sub, "projects"))
        return room_projects(argc - 1, argv + 1);
    if (!strcmp(sub, "password"))
        return room_password(argc - 1, argv + 1);
    return cli_usage_error("room", "unknown command '%s'", sub);
}
