/* Crash test of the vault: a child process imports snapshots, forgets old
 * ones and garbage-collects in a loop; the parent kills it with SIGKILL
 * at 30 random moments. After each kill: verify finds nothing corrupted
 * or missing, every visible snapshot materialises with exactly the files
 * of one generation and their exact bytes (no half snapshot), and the next
 * child resumes the interrupted generation (its import reuses the chunks
 * already stored). A shared page tells where each kill landed. */
#include "support.h"

#include "atelier/run.h"
#include "atelier/vault.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILLS 30
#define FILES 6

enum { PHASE_START, PHASE_SOURCES, PHASE_IMPORT, PHASE_FORGET, PHASE_GC, PHASE_COUNT };
static const char *phase_names[] = {"start", "writing sources", "importing", "forgetting", "gc"};

typedef struct {
    volatile int phase;
    volatile long gen;           /* the generation being imported */
    volatile long resumed_gen;   /* set by a child that starts on an unfinished generation */
    volatile long reused_chunks; /* chunks a resumed import found stored */
    volatile long commits;
} shared_state;

static size_t file_size(long gen, int i)
{
    return 40000 + (size_t)((gen * 7919 + i * 104729) % 1900000);
}

static void fill(unsigned char *b, size_t n, long gen, int i)
{
    at_rng r;
    at_rng_seed(&r, (uint64_t)gen * 1000 + (uint64_t)i);
    for (size_t k = 0; k < n; k += 8) {
        uint64_t x = at_rng_next(&r);
        memcpy(b + k, &x, n - k < 8 ? n - k : 8);
    }
}

/* src/gen-N/{f0..f5.bin, gen.txt}, written under a temporary name, renamed. */
static int write_sources(const char *src, long gen, char *out, size_t cap)
{
    snprintf(out, cap, "%s/gen-%ld", src, gen);
    struct stat sb;
    if (stat(out, &sb) == 0)
        return 0;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s/.tmp-%ld-%d", src, gen, (int)getpid());
    if (mkdir(tmp, 0700) != 0)
        return -1;
    for (int i = 0; i < FILES; i++) {
        size_t n = file_size(gen, i);
        unsigned char *b = malloc(n);
        fill(b, n, gen, i);
        char p[1100];
        snprintf(p, sizeof p, "%s/f%d.bin", tmp, i);
        test_write_file(p, b, n);
        free(b);
    }
    char p[1100], g[32];
    snprintf(p, sizeof p, "%s/gen.txt", tmp);
    int gl = snprintf(g, sizeof g, "%ld\n", gen);
    test_write_file(p, g, (size_t)gl);
    return rename(tmp, out);
}

/* The child: import generation after generation; never returns. */
static void child(const char *vault_dir, const at_key *master, const at_vault_dataset_id *ds, const char *src,
                  shared_state *sh)
{
    at_vault *v;
    if (at_vault_open(vault_dir, master, &v))
        _exit(3);
    long gen = sh->gen;
    int first = 1;
    for (int round = 0;; round++, gen++) {
        sh->gen = gen;
        sh->phase = PHASE_SOURCES;
        char dir[1024];
        if (write_sources(src, gen, dir, sizeof dir))
            _exit(4);
        sh->phase = PHASE_IMPORT;
        at_vault_snapshot_id parent, id;
        int has_parent = at_vault_snapshot_resolve(v, ds, "latest", &parent) == AT_OK;
        at_vault_tx *tx;
        if (at_vault_begin(v, ds, has_parent ? &parent : NULL, NULL, &tx))
            _exit(5);
        if (has_parent && at_vault_remove(tx, "cur")) {
            at_vault_abort(tx);
            _exit(6);
        }
        if (at_vault_add_tree(tx, dir, "cur")) {
            at_vault_abort(tx);
            _exit(7);
        }
        at_run run;
        at_run_init(&run);
        run.threads = 2;
        at_vault_commit_stats cs;
        if (at_vault_commit(tx, &run, NULL, NULL, &id, &cs))
            _exit(8);
        if (first && sh->resumed_gen == gen)
            sh->reused_chunks += (long)cs.chunks_dedup;
        first = 0;
        sh->commits++;
        if (round % 2 == 1) {
            sh->phase = PHASE_FORGET;
            at_vault_snapshot_info *info;
            size_t n;
            if (at_vault_snapshot_list(v, ds, &info, &n))
                _exit(9);
            for (size_t i = 0; i + 2 < n; i++)
                at_vault_snapshot_forget(v, ds, &info[i].id);
            at_free(info);
            sh->phase = PHASE_GC;
            if (at_vault_gc(v, ds, NULL, NULL, NULL, NULL))
                _exit(10);
        }
    }
}

/* Every file of the materialised snapshot is what its generation wrote. */
static void check_snapshot(at_vault *v, const at_vault_dataset_id *ds, const at_vault_snapshot_id *id,
                           const char *dest)
{
    at_run run;
    at_run_init(&run);
    run.threads = 2;
    at_status st = at_vault_materialise(v, ds, id, NULL, dest, NULL, &run, NULL);
    if (st)
        fail_msg("a visible snapshot does not materialise: %s", at_error_message());
    char p[1100];
    snprintf(p, sizeof p, "%s/cur/gen.txt", dest);
    size_t len;
    char *g = (char *)test_read_file(p, &len);
    assert_non_null(g);
    long gen = strtol(g, NULL, 10);
    free(g);
    for (int i = 0; i < FILES; i++) {
        snprintf(p, sizeof p, "%s/cur/f%d.bin", dest, i);
        unsigned char *got = test_read_file(p, &len);
        assert_non_null(got);
        size_t n = file_size(gen, i);
        assert_int_equal(len, n);
        unsigned char *want = malloc(n);
        fill(want, n, gen, i);
        assert_memory_equal(got, want, n);
        free(got);
        free(want);
    }
    snprintf(p, sizeof p, "%s/cur", dest);
    DIR *d = opendir(p);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        entries += e->d_name[0] != '.';
    if (d)
        closedir(d);
    assert_int_equal(entries, FILES + 1); /* exactly one generation's files */
    test_rmtree(dest);
}

static void test_kill_at_random_moments(void **state)
{
    (void)state;
    assert_int_equal(at_crypto_init(), AT_OK);
    char *tmp = test_mkdtemp();
    char vault_dir[1024], src[1024], out[1024];
    snprintf(vault_dir, sizeof vault_dir, "%s/vault", tmp);
    snprintf(src, sizeof src, "%s/src", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    assert_int_equal(mkdir(src, 0700), 0);
    at_key master;
    randombytes_buf(master.bytes, sizeof master.bytes);
    assert_int_equal(at_vault_init(vault_dir, &master), AT_OK);
    at_vault *v;
    assert_int_equal(at_vault_open(vault_dir, &master, &v), AT_OK);
    at_vault_dataset_id ds;
    assert_int_equal(at_vault_dataset_create(v, &ds), AT_OK);
    shared_state *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(sh != MAP_FAILED);
    memset((void *)sh, 0, sizeof *sh);
    sh->gen = 1;
    sh->resumed_gen = -1;
    const char *seed_env = getenv("ATELIER_CRASH_SEED");
    at_rng rng;
    at_rng_seed(&rng, seed_env ? strtoull(seed_env, NULL, 10) : (uint64_t)time(NULL));
    int landed[PHASE_COUNT] = {0};
    size_t checked = 0;
    for (int k = 0; k < KILLS; k++) {
        long commits_before = sh->commits;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            child(vault_dir, &master, &ds, src, sh);
        /* a first moment in the first 50 ms, then anywhere in 0.6 s */
        long us = (long)(at_rng_uniform(&rng) * (k < 5 ? 50000 : 600000));
        usleep((useconds_t)us);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status))
            fail_msg("the child ended by itself (status %d) before the kill", WEXITSTATUS(status));
        landed[sh->phase]++;
        /* the next child resumes the generation this one was importing */
        if (sh->phase == PHASE_IMPORT && sh->commits == commits_before)
            sh->resumed_gen = sh->gen;
        else if (sh->phase >= PHASE_FORGET)
            sh->gen = sh->gen + 1;
        /* after the crash: nothing damaged, every snapshot whole */
        at_vault_report rep;
        assert_int_equal(at_vault_verify(v, NULL, NULL, &rep), AT_OK);
        if (!at_vault_report_ok(&rep)) {
            for (size_t i = 0; i < rep.line_count; i++)
                printf("verify: %s\n", rep.lines[i]);
            fail_msg("kill %d (%s): the vault is damaged", k, phase_names[sh->phase]);
        }
        at_vault_report_free(&rep);
        at_vault_snapshot_info *info;
        size_t n;
        assert_int_equal(at_vault_snapshot_list(v, &ds, &info, &n), AT_OK);
        for (size_t i = 0; i < n; i++) {
            check_snapshot(v, &ds, &info[i].id, out);
            checked++;
        }
        at_free(info);
    }
    /* gc cleans what the kills left behind */
    at_vault_gc_stats gs;
    assert_int_equal(at_vault_gc(v, &ds, NULL, NULL, NULL, &gs), AT_OK);
    at_vault_report rep;
    assert_int_equal(at_vault_verify(v, NULL, NULL, &rep), AT_OK);
    assert_true(at_vault_report_ok(&rep));
    assert_int_equal(rep.dangling_chunks, 0);
    assert_int_equal(rep.temporaries, 0);
    at_vault_report_free(&rep);
    printf("kills: %d; landed while", KILLS);
    for (int p = 0; p < PHASE_COUNT; p++)
        printf(" %s %d%s", phase_names[p], landed[p], p + 1 < PHASE_COUNT ? "," : "");
    printf("; %ld snapshots committed, %zu snapshot checks; resumed imports reused %ld chunks; gc after: %zu "
           "temporaries and %zu chunks removed\n",
           sh->commits, checked, sh->reused_chunks, gs.temporaries_removed, gs.chunks_removed);
    assert_true(sh->commits > 0);
    assert_true(checked > 0);
    /* how many chunks a resumed import finds depends on where the kills
     * land (none when each lands before the first chunk is durable), so it
     * is reported, not asserted: test_vault's cancel-and-resume test proves
     * the reuse deterministically */
    at_vault_close(v);
    munmap((void *)sh, sizeof *sh);
    test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_at_random_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
