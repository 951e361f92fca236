/* atelier key: the site key, made only when asked (or on the first run at
 * the default place): a mistyped --key never becomes a new key. */
#include "cli.h"

#include <string.h>

static void usage(FILE *o)
{
    fprintf(o, "usage: atelier key new PATH\n"
               "       atelier key path\n\n"
               "new   make a new random site key at PATH (mode 0600, its folder made 0700);\n"
               "      refused when a file is already there. Keep the key: the same key gives\n"
               "      the same pseudonyms, UIDs and date shifts; never put it among the outputs.\n"
               "path  print where the default key is: $ATELIER_KEY, else\n"
               "      ~/.config/atelier/site.key (made there on the first run that needs it).\n");
}

int cmd_key(int argc, char **argv)
{
    static const char *cmd = "key";
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "path")) {
        if (argc > 2)
            return cli_unknown_option("key path", argv[2]);
        char *p = cli_key_default_path();
        if (!p)
            return cli_fail(AT_ERR_NOMEM);
        printf("%s\n", p);
        at_free(p);
        return CLI_OK;
    }
    if (strcmp(argv[1], "new"))
        return cli_usage_error(cmd, "'%s' is not a key command (new, path)", argv[1]);
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_unknown_option("key new", argv[i]);
        if (path)
            return cli_usage_error("key new", "one PATH only");
        path = argv[i];
    }
    if (!path)
        return cli_usage_error("key new", "needs PATH");
    at_key key;
    at_status st = at_key_create(path, &key);
    memset(&key, 0, sizeof key);
    if (st)
        return cli_fail(st);
    fprintf(stderr, "atelier key new: made a new site key at %s (mode 0600)\n", path);
    return CLI_OK;
}
