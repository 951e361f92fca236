/* Shared front-end helpers: error printing, progress display, log handler,
 * and the habits every command shares (options, the run with its signals,
 * existing outputs, the site key). */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
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

void cli_log_init(int verbose)
{
    at_log_set_handler(log_to_stderr, NULL, verbose ? AT_LOG_DEBUG : AT_LOG_INFO);
}

int cli_key_outside(const char *cmd, const char *key, const char *outdir)
{
    char *kc = key ? at_path_canonical(key) : NULL, *oc = at_path_canonical(outdir);
    int inside = kc && oc && at_path_within(kc, oc);
    if (inside)
        fprintf(stderr,
                "atelier %s: the key %s is inside -o %s, which is meant to be shared; nothing was written "
                "(keep the key outside the outputs)\n",
                cmd, key, outdir);
    at_free(kc);
    at_free(oc);
    return !inside;
}

/* ---- one set of habits: options, runs, outputs, keys ------------------- */

int cli_unknown_option(const char *cmd, const char *arg)
{
    return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_needs_value(const char *cmd, const char *opt)
{
    return cli_usage_error(cmd, "%s needs a value", opt);
}

int cli_take(const char *cmd, int argc, char **argv, int *i, const char *name, const char *alias,
             const char **val, int *rc)
{
    const char *a = argv[*i];
    if (strcmp(a, name) && (!alias || strcmp(a, alias)))
        return 0;
    if (*i + 1 >= argc) {
        *rc = cli_needs_value(cmd, a);
        return 1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_flag(const char *arg, const char *name, const char *alias)
{
    return !strcmp(arg, name) || (alias && !strcmp(arg, alias));
}

int cli_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < lo || v > hi)
        return cli_usage_error(cmd, "%s needs a whole number in %ld..%ld", opt, lo, hi);
    *out = v;
    return CLI_OK;
}

int cli_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || !(v >= lo && v <= hi))
        return cli_usage_error(cmd, "%s needs a number in %g..%g", opt, lo, hi);
    *out = v;
    return CLI_OK;
}

int cli_threads_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* The one cancel flag of the process: SIGINT and SIGTERM raise it. A
 * second signal finds the default action back (SA_RESETHAND) and stops
 * the process at once. */
static volatile sig_atomic_t cli_stop;
static struct sigaction cli_old_int, cli_old_term;
static int cli_signals_set;

static void on_signal(int sig)
{
    (void)sig;
    cli_stop = 1;
}

static void run_progress(void *ud, const at_run_event *ev)
{
    cli_run *r = ud;
    char note[160] = "";
    size_t k = 0;
    for (size_t i = 0; i < ev->metric_count && k + 1 < sizeof note; i++) {
        int w = snprintf(note + k, sizeof note - k, "%s%s %.4g", k ? ", " : "", ev->metrics[i].name,
                         ev->metrics[i].value);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    if (!r->phase || strcmp(r->phase, ev->phase)) { /* a new phase: its own bar */
        if (r->phase)
            cli_progress_end(&r->bar);
        cli_progress_init(&r->bar, ev->phase, r->bar.quiet);
        r->phase = ev->phase;
    }
    cli_progress_cb(&r->bar, ev->step, ev->total, note);
}

/* Inside a room's job: the events as JSON lines on $ATELIER_PROGRESS_FD
 * (the runner reads them; phases and metric names are the program's own
 * identifiers, numbers finite or written as 0). */
static int events_fd = -1;
static void run_events(void *ud, const at_run_event *ev)
{
    (void)ud;
    char line[1024];
    int k = snprintf(line, sizeof line, "{\"phase\":\"%s\",\"step\":%llu,\"total\":%llu,\"metrics\":{",
                     ev->phase, (unsigned long long)ev->step, (unsigned long long)ev->total);
    for (size_t i = 0; i < ev->metric_count && k > 0 && (size_t)k < sizeof line - 64; i++) {
        double v = ev->metrics[i].value;
        k += snprintf(line + k, sizeof line - (size_t)k, "%s\"%s\":%.6g", i ? "," : "", ev->metrics[i].name,
                      v == v && v < 1e300 && v > -1e300 ? v : 0.0);
    }
    if (k > 0 && (size_t)k < sizeof line - 3) {
        k += snprintf(line + k, sizeof line - (size_t)k, "}}\n");
        if (write(events_fd, line, (size_t)k) < 0)
            events_fd = -1;
    }
}

static void run_log(void *ud, at_log_level level, const char *msg)
{
    cli_run *r = ud;
    fprintf(stderr, "atelier %s: %s%s\n", r->cmd, level >= AT_LOG_WARN ? "warning: " : "", msg);
}

void cli_run_start(cli_run *r, const char *cmd, int threads, int quiet, int table_on_stdout)
{
    memset(r, 0, sizeof *r);
    r->cmd = cmd;
    at_run_init(&r->run);
    r->run.threads = threads < 1 ? 1 : threads;
    r->run.cancel = &cli_stop;
    r->run.log = run_log;
    r->run.log_ud = r;
    r->run.log_min = quiet ? AT_LOG_WARN : AT_LOG_INFO;
    /* progress only on a terminal, and never over a table the command is
     * writing to that same terminal */
    int show = !quiet && isatty(STDERR_FILENO) && !(table_on_stdout && isatty(STDOUT_FILENO));
    cli_progress_init(&r->bar, cmd, !show);
    if (show) {
        r->run.progress = run_progress;
        r->run.progress_ud = r;
    }
    const char *fd = getenv("ATELIER_PROGRESS_FD");
    if (fd && atoi(fd) >= 3) { /* a job in the room: its events for the runner */
        events_fd = atoi(fd);
        r->run.progress = run_events;
        r->run.progress_ud = r;
    }
    if (!cli_signals_set) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(SIGINT, &sa, &cli_old_int);
        sigaction(SIGTERM, &sa, &cli_old_term);
        cli_signals_set = 1;
    }
}

void cli_run_finish(cli_run *r)
{
    if (r->phase)
        cli_progress_end(&r->bar);
    r->phase = NULL;
    if (cli_signals_set) {
        sigaction(SIGINT, &cli_old_int, NULL);
        sigaction(SIGTERM, &cli_old_term, NULL);
        cli_signals_set = 0;
    }
}

int cli_interrupted(void)
{
    return cli_stop != 0;
}

int cli_run_end(cli_run *r, at_status st, const char *kept)
{
    cli_run_finish(r);
    if (st == AT_ERR_CANCELLED || (st && cli_stop)) {
        fprintf(stderr, "atelier %s: interrupted; %s\n", r->cmd, kept && *kept ? kept : "nothing was kept");
        return CLI_INTERRUPTED;
    }
    if (st == AT_ERR_REFUSED) { /* refused before anything was written */
        fprintf(stderr, "atelier %s: %s\n", r->cmd, at_error_message());
        return CLI_USAGE;
    }
    return st ? cli_fail(st) : CLI_OK;
}

int cli_output_free(const char *cmd, const char *path, int force)
{
    struct stat sb;
    if (force || lstat(path, &sb) != 0)
        return CLI_OK;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        int empty = 1;
        while (d && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                empty = 0;
                break;
            }
        if (d)
            closedir(d);
        if (empty)
            return CLI_OK;
    }
    fprintf(stderr, "atelier %s: %s exists%s; nothing was written (--force writes over it)\n", cmd, path,
            S_ISDIR(sb.st_mode) ? " and is not empty" : "");
    return CLI_USAGE;
}

char *cli_key_default_path(void)
{
    const char *env = getenv("ATELIER_KEY");
    if (env && *env)
        return at_strdup(env);
    const char *home = getenv("HOME");
    if (!home || !*home)
        home = ".";
    char *dir = at_path_join(home, ".config/atelier");
    char *p = dir ? at_path_join(dir, "site.key") : NULL;
    at_free(dir);
    return p;
}

int cli_key_load(const char *cmd, const char *keyfile, const char *outdir, at_key *key, char **path_out)
{
    char *path = keyfile ? at_strdup(keyfile) : cli_key_default_path();
    if (path_out)
        *path_out = NULL;
    if (!path)
        return cli_fail(AT_ERR_NOMEM);
    if (outdir && !cli_key_outside(cmd, path, outdir)) {
        at_free(path);
        return CLI_USAGE;
    }
    at_status st = at_key_load(path, key);
    if (st == AT_ERR_NOT_FOUND && keyfile) {
        /* a mistyped --key never becomes a new key */
        fprintf(stderr,
                "atelier %s: no key at %s; nothing was written (make one with 'atelier key new %s', or give "
                "the key you used before)\n",
                cmd, keyfile, keyfile);
        at_free(path);
        return CLI_USAGE;
    }
    if (st == AT_ERR_NOT_FOUND) { /* the first run: a key at the default place, said even with --quiet */
        at_error_clear();
        st = at_key_create(path, key);
        if (!st)
            fprintf(stderr,
                    "atelier %s: created the site key %s (mode 0600; keep it: the same key gives the same "
                    "pseudonyms next time)\n",
                    cmd, path);
    }
    if (st) {
        at_free(path);
        return cli_fail(st);
    }
    if (path_out)
        *path_out = path;
    else
        at_free(path);
    return CLI_OK;
}
