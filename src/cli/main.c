/* atelier: git-style dispatch to one function per subcommand. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

/* Weak defaults so a module's command can land on its own. */
#define WEAK_COMMAND(fn, label)                                                                              \
    __attribute__((weak)) int fn(int argc, char **argv)                                                      \
    {                                                                                                        \
        (void)argc;                                                                                          \
        (void)argv;                                                                                          \
        fprintf(stderr, "atelier: '%s' is not built into this atelier\n", label);                            \
        return CLI_FAIL;                                                                                     \
    }
WEAK_COMMAND(cmd_demo, "demo")
WEAK_COMMAND(cmd_dicom, "dicom")
WEAK_COMMAND(cmd_deid, "deid")
WEAK_COMMAND(cmd_learn, "learn")
WEAK_COMMAND(cmd_image, "image")
WEAK_COMMAND(cmd_synth, "synth")
WEAK_COMMAND(cmd_sct, "sct")
WEAK_COMMAND(cmd_text, "text")
WEAK_COMMAND(cmd_key, "key")
WEAK_COMMAND(cmd_room, "room")
WEAK_COMMAND(cmd_serve, "serve")
WEAK_COMMAND(cmd_login, "login")
WEAK_COMMAND(cmd_logout, "logout")
WEAK_COMMAND(cmd_whoami, "whoami")
WEAK_COMMAND(cmd_vault, "vault")
WEAK_COMMAND(cmd_job, "job")
WEAK_COMMAND(cmd_code, "code")
WEAK_COMMAND(cmd_export, "export")
WEAK_COMMAND(cmd_airlock, "airlock")
WEAK_COMMAND(cmd_import, "import")
WEAK_COMMAND(cmd_dataset, "dataset")
WEAK_COMMAND(cmd_course, "course")

static const command commands[] = {
    {"demo", cmd_demo, "three parts on synthetic data: the door, clinical-text risk, pseudo-CT training"},
    {"dicom", cmd_dicom, "read DICOM files: dump (text or JSON), convert"},
    {"deid", cmd_deid, "de-identify DICOM files (PS3.15 profiles, keyed pseudonyms)"},
    {"key", cmd_key, "the site key: make one (key new PATH), say where the default is"},
    {"image", cmd_image, "volumes: DICOM series to NIfTI and back, info"},
    {"learn", cmd_learn, "the learning engine (benchmarks, training)"},
    {"synth", cmd_synth, "synthetic data: a DICOM study, CT/MRI cohorts, clinical documents, a chemo cohort"},
    {"sct", cmd_sct, "MRI-only radiotherapy: pseudo-CT pipeline"},
    {"text", cmd_text, "French clinical text: de-identification, extraction, re-hospitalisation risk"},
    {"room", cmd_room, "the shared room: init, audit verify, users, projects"},
    {"serve", cmd_serve, "serve a room (HTTPS: JSON API and web pages)"},
    {"login", cmd_login, "log in to a room"},
    {"logout", cmd_logout, "end the room session"},
    {"whoami", cmd_whoami, "who the room session is"},
    {"vault", cmd_vault, "the room's encrypted store: verify, gc (and a low-level put/get/ls)"},
    {"import", cmd_import, "data into a room through its door: dicom or text de-identified on the server"},
    {"dataset", cmd_dataset, "a room's datasets: list, show, log, get, lineage, gc"},
    {"job", cmd_job, "jobs in a room: submit, list, show, logs, cancel, wait, result"},
    {"code", cmd_code, "push a folder of code to a room's project (a code snapshot)"},
    {"export", cmd_export,
     "take files out of a room through the airlock: request, add, submit, status, download"},
    {"airlock", cmd_airlock, "verify a release package anywhere: its signature and every file's hash"},
    {"course", cmd_course,
     "the classroom: courses, enrolment, synthetic cohorts, assignments, submissions, grades"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: atelier [--version] [--help] <command> [<args>]\n\n"
                 "atelier, the sovereign AI workstation for cancer centres.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-6s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'atelier <command> --help' tells more about a command, and\n"
                 "'atelier <command> <subcommand> --help' about a subcommand, with its defaults.\n"
                 "Every command: -o/--out for what it writes (an existing output is refused\n"
                 "unless --force), --quiet, Ctrl-C cancels cleanly (docs/cli.md).\n"
                 "Exit status: 0 ok, 1 failure, 2 usage error or refused, 130 interrupted.\n");
}

/* The engine's libraries read some settings once, when they load, so
 * they must be in the environment before the engine starts:
 * - OPENBLAS_NUM_THREADS=1: liblinear pulls in OpenBLAS (libblas.so.3),
 *   whose pthread build starts a thread per core that spins on
 *   sched_yield for a while; nothing here uses threaded BLAS (liblinear
 *   calls level-1 routines), and the spinning thread took the second core
 *   from the risk model's parallel feature extraction;
 * - OMP_WAIT_POLICY=PASSIVE for the commands that run a network (sct
 *   train, predict, eval --prepared): OpenMP's default spinning costs a
 *   factor 2 to 4 when there are more runnable threads than cores.
 * A caller's own settings are kept. Returns 1 when something was set. */
static int set_engine_environment(int argc, char **argv)
{
    int network =
        argc >= 3 && !strcmp(argv[1], "sct") &&
        (!strcmp(argv[2], "train") || !strcmp(argv[2], "predict") || (!strcmp(argv[2], "eval") && argc > 3));
    int changed = 0;
    if (!getenv("OPENBLAS_NUM_THREADS"))
        changed |= setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0;
    if (network && !getenv("OMP_WAIT_POLICY"))
        changed |= setenv("OMP_WAIT_POLICY", "PASSIVE", 1) == 0;
    return changed && network;
}

#ifdef ATELIER_FRONT
#include <errno.h>
#include <limits.h>
/* The front program links the door alone; every other command runs in
 * atelier-engine, beside this program, through exec (same argv, so the
 * messages and exit codes are the engine's), with its environment set. */
static int is_front_command(int argc, char **argv)
{
    if (!strcmp(argv[1], "deid")) {
        /* clean-descriptors reuses the French text detector, which lives in
         * the engine (src/text sits above the door): those runs go there */
        for (int i = 2; i < argc; i++)
            if (!strcmp(argv[i], "--"))
                break;
            else if ((!strcmp(argv[i], "--option") && i + 1 < argc &&
                      !strcmp(argv[i + 1], "clean-descriptors")) ||
                     !strcmp(argv[i], "--option=clean-descriptors"))
                return 0;
        return 1;
    }
    return !strcmp(argv[1], "dicom") || !strcmp(argv[1], "key");
}

static int run_engine(int argc, char **argv)
{
    char self[PATH_MAX], engine[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
    if (!slash) {
        fprintf(stderr, "atelier: cannot find where atelier is installed: %s\n", strerror(errno));
        return CLI_FAIL;
    }
    *slash = '\0';
    snprintf(engine, sizeof engine, "%s/atelier-engine", self);
    set_engine_environment(argc, argv);
    execv(engine, argv);
    fprintf(stderr, "atelier: cannot run %s (it is built and installed beside atelier): %s\n", engine,
            strerror(errno));
    return CLI_FAIL;
}
#endif

int main(int argc, char **argv)
{
    /* process settings, once, before anything else: cJSON through the
     * allocation hook (the library never changes process-wide state) */
    at_cjson_use_allocator();
#ifdef ATELIER_FRONT
    if (argc >= 2 && argv[1][0] != '-' && strcmp(argv[1], "help") && strcmp(argv[1], "version") &&
        !is_front_command(argc, argv))
        return run_engine(argc, argv);
#else
    /* the engine started directly: a network command re-executes itself
     * once with its environment (if that fails it carries on as it is) */
    if (set_engine_environment(argc, argv))
        execv("/proc/self/exe", argv);
#endif
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("atelier %s\n", ATELIER_VERSION);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "atelier: '%s' is not a command; see 'atelier --help'\n", argv[1]);
    return CLI_USAGE;
}
