/* Unit tests for at_grow / AT_GROW (src/core/alloc.c): the growable-array
 * helper every hand-grown array of the library uses. */
#include "support.h"

#include "atelier/core.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    int64_t id;
    char name[24];
} row;

/* Capacity starts at 16, doubles, and never moves when need fits. */
static void test_grow_capacity(void **state)
{
    (void)state;
    row *v = NULL;
    size_t cap = 0;
    assert_int_equal(AT_GROW(v, cap, 0), AT_OK);
    assert_null(v);
    assert_int_equal(cap, 0);
    assert_int_equal(AT_GROW(v, cap, 1), AT_OK);
    assert_non_null(v);
    assert_int_equal(cap, 16);
    row *same = v;
    assert_int_equal(AT_GROW(v, cap, 16), AT_OK);
    assert_ptr_equal(v, same);
    assert_int_equal(cap, 16);
    assert_int_equal(AT_GROW(v, cap, 17), AT_OK);
    assert_int_equal(cap, 32);
    assert_int_equal(AT_GROW(v, cap, 1000), AT_OK);
    assert_int_equal(cap, 1024);
    at_free(v);
}

/* Contents survive every move, element by element. */
static void test_grow_keeps_contents(void **state)
{
    (void)state;
    row *v = NULL;
    size_t n = 0, cap = 0;
    for (int64_t i = 0; i < 5000; i++) {
        assert_int_equal(AT_GROW(v, cap, n + 1), AT_OK);
        assert_true(cap >= n + 1);
        v[n].id = i * 7;
        snprintf(v[n].name, sizeof v[n].name, "r%lld", (long long)i);
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        char want[24];
        snprintf(want, sizeof want, "r%zu", i);
        assert_int_equal(v[i].id, (int64_t)i * 7);
        assert_string_equal(v[i].name, want);
    }
    at_free(v);
}

/* need * elem past SIZE_MAX is refused before any allocation; the old
 * array and its capacity are left as they were. */
static void test_grow_overflow_refused(void **state)
{
    (void)state;
    row *v = NULL;
    size_t cap = 0;
    assert_int_equal(AT_GROW(v, cap, 3), AT_OK);
    v[2].id = 42;
    row *before = v;
    at_error_clear();
    assert_int_equal(AT_GROW(v, cap, SIZE_MAX / sizeof *v + 1), AT_ERR_NOMEM);
    assert_non_null(strstr(at_error_message(), "overflow"));
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 16);
    assert_int_equal(v[2].id, 42);
    /* a byte array near SIZE_MAX: doubling must not wrap round */
    unsigned char *b = NULL;
    size_t bcap = 0;
    at_alloc_fail_after(1); /* whatever the size, no real allocation */
    assert_int_equal(AT_GROW(b, bcap, SIZE_MAX - 1), AT_ERR_NOMEM);
    at_alloc_fail_after(0);
    assert_null(b);
    assert_int_equal(bcap, 0);
    at_free(v);
}

/* An allocation failure leaves the caller's array and capacity intact. */
static void test_grow_out_of_memory(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    assert_int_equal(AT_GROW(v, cap, 16), AT_OK);
    for (int i = 0; i < 16; i++)
        v[i] = i;
    int *before = v;
    at_alloc_fail_after(1);
    assert_int_equal(AT_GROW(v, cap, 17), AT_ERR_NOMEM);
    at_alloc_fail_after(0);
    assert_ptr_equal(v, before);
    assert_int_equal(cap, 16);
    for (int i = 0; i < 16; i++)
        assert_int_equal(v[i], i);
    at_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_capacity),
        cmocka_unit_test(test_grow_keeps_contents),
        cmocka_unit_test(test_grow_overflow_refused),
        cmocka_unit_test(test_grow_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
