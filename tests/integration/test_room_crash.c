/* Crash test: `atelier serve` killed with SIGKILL at a random moment of a
 * burst of writes (two clients creating projects and adding members), 20
 * times on one room. After each kill: the catalog passes its integrity
 * and foreign key checks, every project and membership is in the audit
 * (same transaction), the audit verifies, nothing acknowledged (HTTP 201
 * or 200 received) is lost, and the server starts again. */
#include "room_support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 20
#define WRITERS 2
#define MAX_ACKED 20000

static char dir[700];
static char token[AT_ROOM_TOKEN_MAX];
static char base[64];
static volatile int stop_writers;
static pthread_mutex_t acked_mu = PTHREAD_MUTEX_INITIALIZER;
static char acked[MAX_ACKED][48];
static int nacked, round_no;

static size_t discard(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

static long post(CURL *h, const char *path, const char *json)
{
    char url[256], auth[200];
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *hl = curl_slist_append(NULL, auth);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    return status;
}

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    CURL *h = curl_easy_init();
    for (int i = 0; !stop_writers; i++) {
        char name[48], json[200], path[120];
        snprintf(name, sizeof name, "c%d-%d-%d", round_no, id, i);
        snprintf(json, sizeof json, "{\"name\":\"%s\",\"title\":\"crash round %d\"}", name, round_no);
        if (post(h, "/api/v1/projects", json) != 201)
            break;
        pthread_mutex_lock(&acked_mu);
        if (nacked < MAX_ACKED)
            snprintf(acked[nacked++], sizeof acked[0], "P%s", name);
        pthread_mutex_unlock(&acked_mu);
        snprintf(path, sizeof path, "/api/v1/projects/%s/members", name);
        if (post(h, path, "{\"user\":\"admin\",\"role\":\"lead\"}") != 200)
            break;
        pthread_mutex_lock(&acked_mu);
        if (nacked < MAX_ACKED)
            snprintf(acked[nacked++], sizeof acked[0], "M%s", name);
        pthread_mutex_unlock(&acked_mu);
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* Start `atelier serve` on a free port; returns its pid. */
static pid_t start_server(void)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDERR_FILENO);
        close(fds[0]);
        execl(test_atelier_bin(), "atelier", "serve", "--room", dir, "--listen", "127.0.0.1:0",
              "--insecure-http", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[128] = "";
    int port = 0;
    if (fgets(line, sizeof line, f))
        sscanf(line, "listening on %d", &port);
    fclose(f);
    if (!port)
        fail_msg("the server did not start (round %d)", round_no);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    return pid;
}

static int count_action(void *ud, const at_audit_entry *e)
{
    (void)e;
    (*(int64_t *)ud)++;
    return 0;
}

static void check_room(void)
{
    at_audit_report rep;
    assert_int_equal(at_room_audit_verify(dir, NULL, &rep), AT_OK);
    if (!rep.ok)
        fail_msg("round %d: the audit does not verify: %s", round_no, rep.message);
    at_room *room;
    assert_int_equal(at_room_open(dir, &room), AT_OK);
    if (at_room_check(room) != AT_OK)
        fail_msg("round %d: %s", round_no, at_error_message());
    for (int i = 0; i < nacked; i++) {
        const char *name = acked[i] + 1;
        at_project p;
        if (at_room_project_get(room, name, &p) != AT_OK)
            fail_msg("round %d: project %s was acknowledged and is lost", round_no, name);
        if (acked[i][0] == 'M' && at_room_member_role(room, 1, name) != AT_PROJECT_LEAD)
            fail_msg("round %d: the member of %s was acknowledged and is lost", round_no, name);
    }
    /* every project in the catalog has its audit entry, and no more */
    at_project *ps;
    size_t n;
    assert_int_equal(at_room_project_list(room, &ps, &n), AT_OK);
    at_free(ps);
    int64_t created = 0;
    at_audit_filter f = {.what = "project.create", .limit = 1000000};
    assert_int_equal(at_room_audit_query(room, &f, count_action, &created), AT_OK);
    if ((size_t)created != n)
        fail_msg("round %d: %zu projects but %lld project.create entries", round_no, n, (long long)created);
    assert_int_equal(at_room_close(room), AT_OK);
}

static void test_kill_during_writes(void **state)
{
    (void)state;
    char *tmp = test_mkdtemp();
    snprintf(dir, sizeof dir, "%s/room", tmp);
    at_room_init_result res;
    assert_int_equal(at_room_init(dir, "admin", &res), AT_OK);
    at_room *room;
    assert_int_equal(at_room_open(dir, &room), AT_OK);
    at_user u;
    assert_int_equal(at_room_user_get(room, "admin", &u), AT_OK);
    assert_int_equal(u.id, 1);
    assert_int_equal(at_room_session_open(room, u.id, AT_SESSION_BEARER, AT_STAGE_FULL, 0, token), AT_OK);
    assert_int_equal(at_room_close(room), AT_OK);
    unsigned seed = (unsigned)time(NULL);
    print_message("crash test seed %u\n", seed);
    srand(seed);
    int total = 0;
    for (round_no = 1; round_no <= ROUNDS; round_no++) {
        pid_t pid = start_server();
        stop_writers = 0;
        pthread_t th[WRITERS];
        for (int i = 0; i < WRITERS; i++)
            pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i);
        usleep((useconds_t)(30000 + rand() % 400000)); /* a random moment of the burst */
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        stop_writers = 1;
        for (int i = 0; i < WRITERS; i++)
            pthread_join(th[i], NULL);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        check_room();
        total = nacked;
    }
    print_message("%d rounds, %d acknowledged writes, none lost\n", ROUNDS, total);
    assert_true(total > ROUNDS); /* the bursts did write */
    /* a clean stop after all that: SIGTERM, then the anchor covers the head */
    pid_t pid = start_server();
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    at_audit_report rep;
    assert_int_equal(at_room_audit_verify(dir, NULL, &rep), AT_OK);
    assert_true(rep.ok);
    test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_kill_during_writes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
