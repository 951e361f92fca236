/* atelier airlock verify PACKAGE: a release package checked anywhere,
 * without the room: the signature of manifest.json by the room's Ed25519
 * key, every file's size and sha256, no file missing or added, every byte
 * of the tar in its canonical form. */
#include "cli.h"

#include "atelier/airlock.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *o)
{
    fprintf(o, "usage: atelier airlock verify PACKAGE [--key HEX | --key-file FILE] [--json]\n\n"
               "PACKAGE: the .tar a room released, or a folder it was unpacked into. Without --key the\n"
               "package is checked against the key it names (printed: compare it with the room's\n"
               "keys/audit.pub); with --key (64 hex digits) or --key-file (a room's audit.pub) that key\n"
               "must have signed it. Exit status 0 when it verifies, 1 when it does not, 2 usage.\n");
}

int cmd_airlock(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "verify"))
        return cli_usage_error("airlock", "unknown command '%s' (verify)", argv[1]);
    const char *package = NULL, *key = NULL, *key_file = NULL;
    int json = 0, rc = CLI_OK;
    for (int i = 2; i < argc; i++) {
        if (cli_take("airlock verify", argc, argv, &i, "--key", NULL, &key, &rc) ||
            cli_take("airlock verify", argc, argv, &i, "--key-file", NULL, &key_file, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (cli_flag(argv[i], "--json", NULL))
            json = 1;
        else if (argv[i][0] != '-' && !package)
            package = argv[i];
        else
            return cli_unknown_option("airlock verify", argv[i]);
    }
    if (!package)
        return cli_usage_error("airlock verify", "PACKAGE is required");
    char hex[65] = "";
    if (key_file) {
        unsigned char *d = NULL;
        size_t n = 0;
        at_status st = at_file_read(key_file, 4096, &d, &n);
        if (st)
            return cli_fail(st);
        size_t k = 0;
        for (size_t i = 0; i < n && k < 64; i++)
            if ((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f') || (d[i] >= 'A' && d[i] <= 'F'))
                hex[k++] = (char)d[i];
        hex[k] = '\0';
        at_free(d);
        key = hex;
    }
    if (key && strlen(key) != 64)
        return cli_usage_error("airlock verify", "a key is 64 hex digits");
    at_airlock_verify_report rep;
    at_status st = at_airlock_verify_path(package, key, &rep);
    if (st)
        return cli_fail(st);
    if (json) {
        at_buf b;
        at_buf_init(&b, 8192);
        at_buf_printf(&b, "{\"ok\":%s,\"files\":%zu,\"bytes\":%llu,\"request\":%lld",
                      rep.ok ? "true" : "false", rep.files, (unsigned long long)rep.bytes,
                      (long long)rep.request);
        const char *keys[] = {"project", "author", "released", "key", "problem"};
        const char *vals[] = {rep.project, rep.author, rep.released, rep.key_hex, rep.message};
        for (int i = 0; i < 5; i++) {
            at_buf_printf(&b, ",\"%s\":", keys[i]);
            at_buf_json_string(&b, vals[i], strlen(vals[i]));
        }
        at_buf_puts(&b, "}\n");
        fputs(b.data ? (const char *)b.data : "{}\n", stdout);
        at_buf_free(&b);
    } else if (rep.ok) {
        printf("%s: verified: request %lld of project %s by %s, released %s; %zu files, %llu bytes; signed "
               "by %s%s\n",
               package, (long long)rep.request, rep.project, rep.author, rep.released, rep.files,
               (unsigned long long)rep.bytes, rep.key_hex,
               key ? " (the key given)" : " (compare with the room's audit.pub)");
    } else {
        fprintf(stderr, "%s: FAILED: %s\n", package, rep.message);
    }
    return rep.ok ? CLI_OK : CLI_FAIL;
}
