/* Shared front-end helpers: error printing, progress display, log handler. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

int cli_fail(at_status st)
{
    const char *msg = at_error_message();
    fprintf(stderr, "atelier: %s\n", msg && *msg ? msg : at_status_name(st));
    return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "atelier %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'atelier %s --help')\n", cmd);
    return CLI_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return 0;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    }
    return 0;
}

void cli_progress_init(cli_progress *p, const char *label, int quiet)
{
    p->label = label;
    p->start = p->last = at_now_seconds();
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
}

void cli_progress_cb(void *ud, uint64_t done, uint64_t total, const char *note)
{
    cli_progress *p = ud;
    if (p->quiet)
        return;
    double now = at_now_seconds();
    int last = total && done >= total;
    if (!last && now - p->last < (p->tty ? 0.1 : 5.0))
        return;
    p->last = now;
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 && total > done ? (double)(total - done) / rate : 0;
    if (p->tty) {
        int width = 30, fill = total ? (int)((double)done * width / (double)total) : 0;
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r%s [%s] %llu/%llu %.1f/s ETA %.0fs %s\033[K", p->label, bar,
                (unsigned long long)done, (unsigned long long)total, rate, eta, note ? note : "");
    } else {
        fprintf(stderr, "%s: %llu/%llu (%.1f/s, ETA %.0fs) %s\n", p->label, (unsigned long long)done,
                (unsigned long long)total, rate, eta, note ? note : "");
    }
}

void cli_progress_end(cli_progress *p)
{
    if (!p->quiet && p->tty)
        fputc('\n', stderr);
}

static void log_to_stderr(void *ud, at_log_level level, const char *msg)
{
    (void)ud;
    static const char *names[] = {"debug", "info", "warning", "error"};
    fprintf(stderr, "atelier: %s: %s\n", names[level], msg);
}

void cli_log_init(int verbose) { at_log_set_handler(log_to_stderr, NULL, verbose ? AT_LOG_DEBUG : AT_LOG_INFO); }

/* Canonical absolute form of path, which need not exist: the longest
 * existing prefix through realpath, the rest appended. Owned by caller;
 * NULL when out of memory. */
char *cli_canon_path(const char *path)
{
    char buf[PATH_MAX];
    if (realpath(path, buf))
        return at_strdup(buf);
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *slash = NULL;
    for (size_t i = n; i-- > 0;)
        if (path[i] == '/') {
            slash = path + i;
            break;
        }
    char *parent = slash ? at_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : at_strdup(".");
    if (!parent)
        return NULL;
    char *pc = cli_canon_path(parent);
    at_free(parent);
    if (!pc)
        return NULL;
    const char *base = slash ? slash + 1 : path;
    char *bn = at_strndup(base, n - (size_t)(base - path));
    char *r = bn ? at_path_join(pc, bn) : NULL;
    at_free(bn);
    at_free(pc);
    return r;
}

int cli_same_path(const char *a, const char *b)
{
    struct stat x, y;
    if (!stat(a, &x) && !stat(b, &y))
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino; /* hard links too */
    char *ca = cli_canon_path(a), *cb = cli_canon_path(b);
    int same = ca && cb && !strcmp(ca, cb);
    at_free(ca);
    at_free(cb);
    return same;
}

int cli_path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (strncmp(path, dir, n))
        return 0;
    return path[n] == 0 || path[n] == '/' || (n == 1 && dir[0] == '/');
}

int cli_key_outside(const char *cmd, const char *key, const char *outdir)
{
    char *kc = key ? cli_canon_path(key) : NULL, *oc = cli_canon_path(outdir);
    int inside = kc && oc && cli_path_within(kc, oc);
    if (inside)
        fprintf(stderr, "atelier %s: the key %s is inside -o %s, which is meant to be shared; nothing was written "
                        "(keep the key outside the outputs)\n",
                cmd, key, outdir);
    at_free(kc);
    at_free(oc);
    return !inside;
}
