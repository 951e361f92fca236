/* atelier login, logout, whoami: the CLI's session with a room. */
#include "client.h"

#include "atelier/room.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void login_usage(FILE *o)
{
    fprintf(o, "usage: atelier login [https://HOST:PORT] [--user NAME] [--cacert FILE | --pin sha256//KEY] "
               "[--json]\n\n"
               "Log in to a room: password, then the 6-digit code of your authenticator app.\n"
               "A new account (one-time password) chooses its password and sets up TOTP here.\n"
               "The token is stored (mode 0600) in ~/.config/atelier/login.json (or\n"
               "$ATELIER_CONFIG_DIR, $XDG_CONFIG_HOME/atelier). The server's certificate is\n"
               "checked with --cacert FILE, or by the system's authorities, or its public key\n"
               "is pinned: --pin (as printed by 'atelier room init'), or the key seen at the\n"
               "first login (you are asked).\n"
               "Prompts read stdin when it is not a terminal. See docs/room.md.\n");
}

/* The terminal's QR code of uri (two rows of modules per line). */
static void print_qr(const char *uri)
{
    QRcode *q = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return;
    int w = q->width, m = 2;
    for (int y = -m; y < w + m; y += 2) {
        for (int x = -m; x < w + m; x++) {
            int top = y >= 0 && y < w && x >= 0 && x < w && (q->data[y * w + x] & 1);
            int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (q->data[(y + 1) * w + x] & 1);
            /* light on dark terminals: print the light modules */
            fputs(!top && !bot ? "\u2588" : !top ? "\u2580" : !bot ? "\u2584" : " ", stderr);
        }
        fputc('\n', stderr);
    }
    QRcode_free(q);
}

static int post(const client_conf *c, const char *path, cJSON *body, client_resp *r)
{
    int rc = client_request(c, "POST", path, body, r);
    cJSON_Delete(body);
    return rc;
}

static int has_must(const cJSON *j, const char *what)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "must"), *e;
    cJSON_ArrayForEach(e, m) if (cJSON_IsString(e) && !strcmp(e->valuestring, what)) return 1;
    return 0;
}

/* POST /login; prompts for the code when the server asks for one. */
static int do_login(client_conf *c, const char *password, client_resp *r)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "user", c->user);
    cJSON_AddStringToObject(b, "password", password);
    int rc = post(c, "/api/v1/login", b, r);
    const char *err = rc ? NULL : client_str(r->json, "error");
    if (!rc && r->status == 401 && err && strstr(err, "TOTP code is required")) {
        char code[32];
        client_resp_free(r);
        if (client_prompt("Code from your authenticator app: ", 0, code, sizeof code))
            return CLI_FAIL;
        b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "user", c->user);
        cJSON_AddStringToObject(b, "password", password);
        cJSON_AddStringToObject(b, "totp", code);
        rc = post(c, "/api/v1/login", b, r);
    }
    return rc ? rc : client_check("login", r);
}

/* A new account: its own password, then TOTP. */
static int setup_account(client_conf *c, const cJSON *must, char *password, size_t cap)
{
    client_resp r;
    if (has_must(must, "password")) {
        char again[1100];
        fprintf(stderr, "This is a one-time password: choose your own (at least %d characters).\n",
                AT_ROOM_PASSWORD_MIN);
        if (client_prompt("New password: ", 1, password, cap) ||
            client_prompt("Again: ", 1, again, sizeof again))
            return CLI_FAIL;
        if (strcmp(password, again)) {
            fprintf(stderr, "atelier login: the two passwords differ\n");
            return CLI_FAIL;
        }
        memset(again, 0, sizeof again);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "password", password);
        int rc = post(c, "/api/v1/password", b, &r);
        if (!rc)
            rc = client_check("login", &r);
        client_resp_free(&r);
        if (rc)
            return rc;
    }
    if (has_must(must, "mfa")) {
        int rc = post(c, "/api/v1/mfa/enrol", cJSON_CreateObject(), &r);
        if (!rc)
            rc = client_check("login", &r);
        if (rc) {
            client_resp_free(&r);
            return rc;
        }
        const char *secret = client_str(r.json, "secret"), *uri = client_str(r.json, "uri");
        fprintf(stderr, "Set up TOTP: scan this code with an authenticator app, or type the key.\n");
        if (isatty(STDERR_FILENO) && uri)
            print_qr(uri);
        fprintf(stderr, "Key: %s\nURI: %s\n", secret ? secret : "?", uri ? uri : "?");
        fflush(stderr);
        client_resp_free(&r);
        char code[32];
        if (client_prompt("Code from the app: ", 0, code, sizeof code))
            return CLI_FAIL;
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "totp", code);
        rc = post(c, "/api/v1/mfa/confirm", b, &r);
        if (!rc)
            rc = client_check("login", &r);
        client_resp_free(&r);
        if (rc)
            return rc;
        fprintf(stderr, "TOTP is set up. Logging in with the new factors (wait for the next code).\n");
    }
    return CLI_OK;
}

int cmd_login(int argc, char **argv)
{
    static const char *cmd = "login";
    if (cli_wants_help(argc, argv)) {
        login_usage(stdout);
        return CLI_OK;
    }
    client_opts o = {0};
    const char *user = NULL, *pin = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (client_common_option(&o, argc, argv, &i))
            continue;
        if (!strcmp(a, "--user") && next) {
            user = next;
            i++;
        } else if (!strcmp(a, "--pin") && next) {
            pin = next;
            i++;
        } else if (a[0] != '-' && !o.server) {
            o.server = a;
        } else {
            return cli_usage_error(cmd, "unknown or incomplete argument '%s'", a);
        }
    }
    client_conf c;
    int rc = client_setup(cmd, &o, &c, 0);
    if (rc)
        return rc;
    if (pin)
        snprintf(c.pin, sizeof c.pin, "%s", pin);
    if (!strncmp(c.server, "https://", 8) && !c.cacert[0] && !c.pin[0] && client_system_trusted(c.server))
        snprintf(c.cacert, sizeof c.cacert, "%s", CLIENT_SYSTEM_CA); /* a certificate of a known authority */
    if (!strncmp(c.server, "https://", 8) && !c.cacert[0] && !c.pin[0]) {
        char seen[128];
        if (client_fetch_pin(c.server, seen, sizeof seen))
            return CLI_FAIL;
        fprintf(stderr,
                "The server's certificate is not checked by an authority you gave (--cacert).\n"
                "Its public key is %s\n"
                "(compare with the key 'atelier room init' printed on the server).\n",
                seen);
        if (isatty(STDIN_FILENO)) {
            char yes[16];
            if (client_prompt("Trust this key for this server from now on? [y/N] ", 0, yes, sizeof yes) ||
                (yes[0] != 'y' && yes[0] != 'Y'))
                return CLI_FAIL;
        } else {
            fprintf(stderr, "atelier login: not a terminal: give --pin %s or --cacert FILE to trust it\n",
                    seen);
            return CLI_FAIL;
        }
        snprintf(c.pin, sizeof c.pin, "%s", seen);
    }
    c.token[0] = '\0';
    if (user)
        snprintf(c.user, sizeof c.user, "%s", user);
    else if (client_prompt("User: ", 0, c.user, sizeof c.user))
        return CLI_FAIL;
    char password[1100];
    if (client_prompt("Password: ", 1, password, sizeof password))
        return CLI_FAIL;
    client_resp r;
    rc = do_login(&c, password, &r);
    if (!rc && has_must(r.json, "password") + has_must(r.json, "mfa")) {
        /* a setup session: its token serves only the setup, then log in again */
        snprintf(c.token, sizeof c.token, "%s",
                 client_str(r.json, "token") ? client_str(r.json, "token") : "");
        rc = setup_account(&c, r.json, password, sizeof password);
        client_resp_free(&r);
        c.token[0] = '\0';
        if (!rc)
            rc = do_login(&c, password, &r);
    }
    memset(password, 0, sizeof password);
    if (rc) {
        client_resp_free(&r);
        return rc;
    }
    const char *token = client_str(r.json, "token");
    if (!token) {
        client_resp_free(&r);
        fprintf(stderr, "atelier login: the server gave no token\n");
        return CLI_FAIL;
    }
    snprintf(c.token, sizeof c.token, "%s", token);
    rc = client_conf_save(&c);
    if (!rc) {
        if (o.json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "server", c.server);
            cJSON_AddStringToObject(j, "user", c.user);
            cJSON_AddBoolToObject(j, "logged_in", 1);
            char *t = cJSON_PrintUnformatted(j);
            printf("%s\n", t ? t : "{}");
            free(t);
            cJSON_Delete(j);
        } else
            fprintf(stderr, "Logged in to %s as %s.\n", c.server, c.user);
    }
    client_resp_free(&r);
    memset(&c, 0, sizeof c);
    return rc;
}

int cmd_logout(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: atelier logout [--json]\n\nEnd the session of the stored token (or ATELIER_TOKEN) and "
               "forget "
               "it.\n");
        return CLI_OK;
    }
    client_opts o = {0};
    for (int i = 1; i < argc; i++)
        if (!client_common_option(&o, argc, argv, &i))
            return cli_usage_error("logout", "unknown argument '%s'", argv[i]);
    client_conf c;
    int rc = client_setup("logout", &o, &c, 1);
    if (rc)
        return rc;
    client_resp r;
    rc = client_request(&c, "POST", "/api/v1/logout", NULL, &r);
    if (!rc && r.status != 401)
        rc = client_check("logout", &r);
    client_resp_free(&r);
    client_conf_forget_token();
    if (!rc && o.json)
        printf("{\"logged_out\":true}\n");
    else if (!rc)
        fprintf(stderr, "Logged out.\n");
    return rc;
}

int cmd_whoami(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf(
            "usage: atelier whoami [--json]\n\nWho the stored token (or ATELIER_TOKEN) is: user, room roles, "
            "projects.\n");
        return CLI_OK;
    }
    client_opts o = {0};
    for (int i = 1; i < argc; i++)
        if (!client_common_option(&o, argc, argv, &i))
            return cli_usage_error("whoami", "unknown argument '%s'", argv[i]);
    client_conf c;
    int rc = client_setup("whoami", &o, &c, 1);
    if (rc)
        return rc;
    client_resp r;
    rc = client_request(&c, "GET", "/api/v1/me", NULL, &r);
    if (!rc)
        rc = client_check("whoami", &r);
    if (!rc && o.json) {
        client_print_json(&r);
    } else if (!rc) {
        printf("%s", client_str(r.json, "user") ? client_str(r.json, "user") : "?");
        const cJSON *e, *roles = cJSON_GetObjectItemCaseSensitive(r.json, "roles");
        printf(" (roles:");
        int any = 0;
        cJSON_ArrayForEach(e, roles) if (cJSON_IsString(e)) printf(" %s", e->valuestring), any = 1;
        printf("%s) on %s\n", any ? "" : " none", c.server);
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r.json, "projects"))
        {
            const char *n = client_str(e, "name"), *role = client_str(e, "role");
            printf("  %s (%s)\n", n ? n : "?", role ? role : "?");
        }
    }
    client_resp_free(&r);
    return rc;
}
