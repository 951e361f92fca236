/* The run context of the learn and sct commands: cancel on SIGINT and
 * SIGTERM, progress on the terminal from the run's events, the one rule
 * for existing outputs and the one line of a cancelled command. */
#include "cli_run.h"

#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

static volatile sig_atomic_t cancel_flag;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    (void)sig;
    cancel_flag = 1;
}

/* Events of the drawn phase to the progress bar; a resumed run's rate and
 * ETA count this process's steps only and the note gives the run's. */
static void on_event(void *ud, const at_run_event *ev)
{
    cli_run *r = ud;
    if (r->hook)
        r->hook(r, ev);
    if (r->phase && strcmp(ev->phase, r->phase))
        return;
    if (r->started && ev->step == r->last_step && ev->total == r->last_total)
        return; /* nothing new */
    r->last_step = ev->step;
    r->last_total = ev->total;
    char note[160] = "";
    size_t n = 0;
    for (size_t i = 0; i < ev->metric_count && n < sizeof note - 40; i++) {
        const at_run_metric *m = &ev->metrics[i];
        if (!isfinite(m->value))
            continue;
        if (!strcmp(m->name, "epoch"))
            n += (size_t)snprintf(note + n, sizeof note - n, "%sepoch %.0f", n ? ", " : "", m->value);
        else
            n += (size_t)snprintf(note + n, sizeof note - n, "%s%s %.4g", n ? ", " : "", m->name,
                                  m->value);
    }
    if (!r->started) {
        r->started = 1;
        r->base = ev->step;
        r->bar.start = r->bar.last = at_now_seconds();
        if (ev->step)
            return; /* where a resumed run starts: nothing done by this process yet */
    }
    if (!r->base) {
        cli_progress_cb(&r->bar, ev->step, ev->total, note);
        return;
    }
    char full[200];
    snprintf(full, sizeof full, "step %llu/%llu, %s", (unsigned long long)ev->step,
             (unsigned long long)ev->total, note);
    cli_progress_cb(&r->bar, ev->step - r->base, ev->total > r->base ? ev->total - r->base : 0, full);
}

void cli_run_begin(cli_run *r, const char *label, const char *phase, int quiet, int threads)
{
    memset(r, 0, sizeof *r);
    at_run_init(&r->run);
    r->run.threads = threads > 0 ? threads : 1;
    r->run.cancel = &cancel_flag;
    r->run.progress = on_event;
    r->run.progress_ud = r;
    r->phase = phase;
    r->quiet = quiet;
    cli_progress_init(&r->bar, label, quiet);
    cancel_flag = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal acts as usual */
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

void cli_run_end(cli_run *r)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (r->started)
        cli_progress_end(&r->bar);
}

int cli_run_was_cancelled(const cli_run *r)
{
    (void)r;
    return cancel_flag != 0;
}

void cli_run_line(cli_run *r, const char *fmt, ...)
{
    if (r->quiet)
        return;
    if (r->bar.tty)
        fputs("\r\033[K", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_run_cancelled(const char *cmd, const char *fmt, ...)
{
    fprintf(stderr, "atelier %s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_CANCELLED;
}

int cli_refuse_existing(const char *cmd, const char *path, const char *how)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 0;
    fprintf(stderr, "atelier %s: %s already exists; nothing was written (%s)\n", cmd, path, how);
    return CLI_USAGE;
}
