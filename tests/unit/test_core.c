/* Unit tests for src/core: errors, allocation hook, buffers, files, keys. */
#include "support.h"

#include "atelier/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_error_message_and_prefix(void **state)
{
    (void)state;
    at_status st = at_error_set(AT_ERR_FORMAT, "offset %d: bad", 12);
    assert_int_equal(st, AT_ERR_FORMAT);
    assert_string_equal(at_error_message(), "offset 12: bad");
    at_error_prefix(st, "%s", "f.dcm");
    assert_string_equal(at_error_message(), "f.dcm: offset 12: bad");
    at_error_clear();
    assert_string_equal(at_error_message(), "");
}

static void test_buf_limit(void **state)
{
    (void)state;
    at_buf b;
    at_buf_init(&b, 10);
    assert_int_equal(at_buf_puts(&b, "0123456789"), AT_OK);
    assert_int_equal(at_buf_putc(&b, 'x'), AT_ERR_LIMIT);
    assert_int_equal(b.len, 10);
    assert_string_equal((char *)b.data, "0123456789");
    at_buf_reset(&b);
    assert_int_equal(at_buf_json_string(&b, "a\"\n", 3), AT_OK);
    assert_string_equal((char *)b.data, "\"a\\\"\\n\"");
    at_buf_free(&b);
}

static void test_alloc_fail_after(void **state)
{
    (void)state;
    at_alloc_fail_after(2);
    void *a = at_malloc(8);
    void *b = at_malloc(8);
    assert_non_null(a);
    assert_null(b);
    at_alloc_fail_after(0);
    b = at_malloc(8);
    assert_non_null(b);
    at_free(a);
    at_free(b);
    assert_null(at_calloc(SIZE_MAX / 2, 4));
}

static void test_atomic_write_and_read(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *path = at_path_join(dir, "sub/dir/out.bin");
    char *sub = at_path_join(dir, "sub/dir");
    assert_int_equal(at_mkdir_p(sub, 0755), AT_OK);
    assert_int_equal(at_file_write_atomic(path, "hello", 5), AT_OK);
    unsigned char *data;
    size_t len;
    assert_int_equal(at_file_read(path, 100, &data, &len), AT_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "hello", 5);
    at_free(data);
    assert_int_equal(at_file_read(path, 4, &data, &len), AT_ERR_LIMIT);
    assert_non_null(strstr(at_error_message(), "out.bin"));
    /* an aborted writer leaves nothing behind */
    at_atomic_file *f;
    char *p2 = at_path_join(dir, "aborted.bin");
    assert_int_equal(at_atomic_open(p2, &f), AT_OK);
    at_atomic_write(f, "x", 1);
    at_atomic_abort(f);
    char *out = NULL;
    test_run(&out, 0, "ls -A '%s/'", dir);
    assert_string_equal(out, "sub\n");
    free(out);
    at_free(p2);
    at_free(path);
    at_free(sub);
    test_rmtree(dir);
    free(dir);
}

static void test_key_create_load_and_hash(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *path = at_path_join(dir, "keys/site.key");
    at_key k1, k2;
    int created = 0;
    assert_int_equal(at_key_load_or_create(path, &k1, &created), AT_OK);
    assert_int_equal(created, 1);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(at_key_load_or_create(path, &k2, &created), AT_OK);
    assert_int_equal(created, 0);
    assert_memory_equal(k1.bytes, k2.bytes, AT_KEY_BYTES);
    unsigned char h1[16], h2[16], h3[16];
    at_keyed_hash(&k1, "uid", "1.2.3", 5, h1, 16);
    at_keyed_hash(&k2, "uid", "1.2.3", 5, h2, 16);
    at_keyed_hash(&k2, "pid", "1.2.3", 5, h3, 16);
    assert_memory_equal(h1, h2, 16);
    assert_memory_not_equal(h1, h3, 16);
    test_write_file(path, "zz", 2);
    assert_int_equal(at_key_load_or_create(path, &k2, NULL), AT_ERR_CRYPTO);
    at_free(path);
    test_rmtree(dir);
    free(dir);
}

/* Several processes creating the same key at once all end with one key. */
static void test_key_create_race(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *path = at_path_join(dir, "race/site.key");
    enum { N = 6 };
    int pipes[N][2];
    for (int i = 0; i < N; i++) {
        assert_int_equal(pipe(pipes[i]), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            at_key k;
            int rc = at_key_load_or_create(path, &k, NULL) == AT_OK;
            ssize_t w = write(pipes[i][1], rc ? k.bytes : (unsigned char *)"", rc ? AT_KEY_BYTES : 0);
            _exit(w == (rc ? AT_KEY_BYTES : 0) && rc ? 0 : 1);
        }
        close(pipes[i][1]);
    }
    unsigned char keys[N][AT_KEY_BYTES];
    for (int i = 0; i < N; i++) {
        int status;
        assert_int_equal(read(pipes[i][0], keys[i], AT_KEY_BYTES), AT_KEY_BYTES);
        close(pipes[i][0]);
        wait(&status);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    for (int i = 1; i < N; i++)
        assert_memory_equal(keys[0], keys[i], AT_KEY_BYTES);
    char *out = NULL;
    test_run(&out, 0, "ls -A '%s/race'", dir);
    assert_string_equal(out, "site.key\n");
    free(out);
    at_free(path);
    test_rmtree(dir);
    free(dir);
}

static void test_calendar(void **state)
{
    (void)state;
    assert_int_equal(at_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(at_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(at_days_from_civil(1969, 12, 31), -1);
    long y;
    int m, d;
    at_civil_from_days(at_days_from_civil(2024, 2, 28) + 1, &y, &m, &d);
    assert_true(y == 2024 && m == 2 && d == 29);
    at_civil_from_days(at_days_from_civil(2023, 2, 28) + 1, &y, &m, &d);
    assert_true(y == 2023 && m == 3 && d == 1);
    for (long z = -800000; z < 800000; z += 997) {
        at_civil_from_days(z, &y, &m, &d);
        assert_int_equal(at_days_from_civil(y, m, d), z);
    }
    /* month lengths with leap years; ISO dates of the calendar only */
    assert_int_equal(at_days_in_month(2024, 2), 29);
    assert_int_equal(at_days_in_month(2023, 2), 28);
    assert_int_equal(at_days_in_month(1900, 2), 28);
    assert_int_equal(at_days_in_month(2000, 2), 29);
    assert_int_equal(at_days_in_month(2024, 4), 30);
    assert_int_equal(at_days_in_month(2024, 13), 0);
    long days = 0;
    assert_true(at_date_parse_iso("2024-02-29", &days));
    assert_int_equal(days, at_days_from_civil(2024, 2, 29));
    assert_true(at_date_parse_iso("2023-12-31", NULL));
    static const char *const bad[] = {"2024-02-30", "2023-02-29", "2024-04-31", "2024-13-01",
                                      "2024-00-10", "2024-01-00", "2024-2-3",   "2024-02-290",
                                      "hello",      "",           "2024/02/03", "2024-02-03 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(at_date_parse_iso(bad[i], NULL));
}

/* at_fd_write_all and at_fd_pwrite_all: every byte written, at its place;
 * a failed write is -1 with errno. */
static void test_fd_write_all(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char path[512];
    snprintf(path, sizeof path, "%s/w.bin", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    static unsigned char big[1 << 20];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7 + 3);
    assert_int_equal(at_fd_write_all(fd, big, sizeof big), 0);
    assert_int_equal(at_fd_pwrite_all(fd, "abc", 3, 10), 0);
    assert_int_equal(at_fd_pwrite_all(fd, "xyz", 3, sizeof big + 5), 0);
    close(fd);
    unsigned char *back = NULL;
    size_t len = 0;
    assert_int_equal(at_file_read(path, 4u << 20, &back, &len), AT_OK);
    assert_int_equal(len, sizeof big + 8);
    assert_memory_equal(back, big, 10);
    assert_memory_equal(back + 10, "abc", 3);
    assert_memory_equal(back + 13, big + 13, sizeof big - 13);
    assert_memory_equal(back + sizeof big, "\0\0\0\0\0xyz", 8);
    at_free(back);
    errno = 0;
    assert_int_equal(at_fd_write_all(fd, "a", 1), -1); /* closed */
    assert_int_equal(errno, EBADF);
    assert_int_equal(at_fd_pwrite_all(-1, "a", 1, 0), -1);
    assert_int_equal(at_fd_write_all(-1, "", 0), 0); /* nothing to write */
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void test_remove_tree(void **state)
{
    (void)state;
    char *dir = test_mkdtemp();
    char *out = NULL;
    char target[600];
    snprintf(target, sizeof target, "%s-keep", dir);
    assert_int_equal(
        test_run(NULL, 0,
                 "mkdir -p '%s/a/b/c' '%s' && touch '%s/a/b/c/f' '%s/keep' && ln -s '%s' '%s/a/link'", dir,
                 target, dir, target, target, dir),
        0);
    assert_int_equal(at_remove_tree(dir), AT_OK);
    assert_int_equal(
        test_run(&out, 0, "test -e '%s' && echo exists; test -e '%s/keep' && echo kept", dir, target), 0);
    assert_string_equal(out, "kept\n"); /* the link was removed, its target untouched */
    free(out);
    test_rmtree(target);
    free(dir);
}

static void test_rng_deterministic(void **state)
{
    (void)state;
    at_rng a, b;
    at_rng_seed(&a, 42);
    at_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        assert_int_equal(at_rng_next(&a), at_rng_next(&b));
    double sum = 0;
    for (int i = 0; i < 10000; i++)
        sum += at_rng_normal(&a);
    assert_true(sum / 10000 < 0.05 && sum / 10000 > -0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_message_and_prefix),
        cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_alloc_fail_after),
        cmocka_unit_test(test_atomic_write_and_read),
        cmocka_unit_test(test_key_create_load_and_hash),
        cmocka_unit_test(test_rng_deterministic),
        cmocka_unit_test(test_key_create_race),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_fd_write_all),
        cmocka_unit_test(test_remove_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
