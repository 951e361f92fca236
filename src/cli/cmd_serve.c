/* atelier serve: the room's service on the head station, until SIGTERM
 * or SIGINT, then a graceful stop (requests in progress finish, the audit
 * gets its signed anchor). */
#include "cli.h"

#include "atelier/airlock.h"
#include "atelier/classroom.h"
#include "atelier/jobs.h"
#include "atelier/room.h"
#include "atelier/web.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

static void usage(FILE *o)
{
    fprintf(o, "usage: atelier serve --room DIR [--listen ADDR:PORT] [--insecure-http] [--verbose]\n\n"
               "Serve the room in DIR over HTTPS (the JSON API under /api/v1 and the web pages),\n"
               "with DIR/tls.crt and DIR/keys/tls.key unless room.conf names the centre's own.\n"
               "--listen overrides room.conf's listen (default 127.0.0.1:8443; port 0: any free\n"
               "port). --insecure-http serves plain HTTP, on a loopback address only (tests).\n"
               "Prints 'listening on PORT' on stdout once ready; logs one line per request on\n"
               "stderr. SIGTERM or SIGINT stops it gracefully. See docs/room.md.\n");
}

int cmd_serve(int argc, char **argv)
{
    static const char *cmd = "serve";
    if (cli_wants_help(argc, argv)) {
        usage(stdout);
        return CLI_OK;
    }
    const char *dir = NULL;
    at_web_options opt = {0};
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--room") && next) {
            dir = next;
            i++;
        } else if (!strcmp(a, "--listen") && next) {
            opt.listen = next;
            i++;
        } else if (!strcmp(a, "--insecure-http")) {
            opt.insecure_http = 1;
        } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
            verbose = 1;
        } else {
            return cli_usage_error(cmd, "unknown or incomplete argument '%s'", a);
        }
    }
    if (!dir)
        return cli_usage_error(cmd, "--room DIR is required");
    cli_log_init(verbose);
    /* the signals are taken by this thread alone, with sigwait */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    at_room *room = NULL;
    at_status st = at_room_open(dir, &room);
    at_web_server *srv = NULL;
    at_jobs *jobs = NULL;
    at_airlock *airlock = NULL;
    if (!st)
        st = at_jobs_open(room, &jobs);
    opt.jobs = jobs;
    at_airlock_source source;
    if (!st && (st = at_airlock_source_room(room, jobs, &source)) == AT_OK &&
        (st = at_airlock_open(room, &source, &airlock)) != AT_OK)
        source.close(source.ud);
    opt.airlock = airlock;
    at_classroom *classroom = NULL;
    if (!st)
        st = at_classroom_open(room, jobs, &classroom);
    opt.classroom = classroom;
    if (!st)
        st = at_web_start(room, &opt, &srv);
    if (!st)
        st = at_jobs_start(jobs); /* recovers the jobs an earlier process left, then schedules */
    if (!st)
        st = at_classroom_start(classroom, 0); /* scores the submissions as their jobs end */
    if (st) {
        at_web_stop(srv);
        at_classroom_close(classroom);
        at_airlock_close(airlock);
        at_jobs_close(jobs);
        at_room_close(room);
        return cli_fail(st);
    }
    printf("listening on %d\n", at_web_port(srv));
    fflush(stdout);
    fprintf(stderr, "atelier serve: %s://%s (room %s); SIGTERM or Ctrl-C stops\n",
            opt.insecure_http ? "http" : "https", opt.listen ? opt.listen : at_room_config(room)->listen,
            dir);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "atelier serve: stopping (signal %d)\n", sig);
    at_web_stop(srv);
    at_classroom_close(classroom);
    at_airlock_close(airlock);
    at_jobs_close(jobs); /* running jobs go on: the next start re-attaches them */
    st = at_room_close(room);
    return st ? cli_fail(st) : CLI_OK;
}
