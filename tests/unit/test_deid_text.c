/* Unit tests for src/deid_text: the French detector as the DICOM door's
 * text detector (kinds mapped, offsets kept over invalid bytes, spans
 * appended to what the door already holds, out of memory). */
#include "support.h"

#include "atelier/deid_text.h"

#include <string.h>

static at_text_deid *det;

static int setup(void **state)
{
    (void)state;
    return at_text_deid_new(NULL, &det) == AT_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    at_text_deid_free(det);
    return 0;
}

/* The kind of the span covering text[a, a + n) (-1 when none). */
static int kind_over(const at_deid_span *v, size_t count, size_t a, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (v[i].start < a + n && v[i].start + v[i].len > a)
            return v[i].kind;
    return -1;
}

static void test_kinds(void **state)
{
    (void)state;
    const char *t = "Vu le 12/03/2024 en HDJ. Hospitalisée au CHU de Rennes en 2020.";
    at_deid_span *v = NULL;
    size_t n = 0;
    assert_int_equal(at_deid_text_detect(det, t, strlen(t), &v, &n), AT_OK);
    size_t date = (size_t)(strstr(t, "12/03") - t), chu = (size_t)(strstr(t, "CHU") - t);
    assert_int_equal(kind_over(v, n, date, 5), AT_DEID_SPAN_DATE);
    assert_int_equal(kind_over(v, n, chu, 3), AT_DEID_SPAN_INSTITUTION);
    assert_int_equal(kind_over(v, n, 0, 2), -1); /* "Vu" is no identifier */
    at_free(v);
}

/* Invalid UTF-8 and a NUL before the date: the offsets are the original's,
 * and the caller's text is not changed. */
static void test_invalid_bytes_keep_offsets(void **state)
{
    (void)state;
    char t[] = "\xff\xfe le\0 Vu le 12/03/2024 en HDJ";
    size_t len = sizeof t - 1;
    char before[sizeof t];
    memcpy(before, t, sizeof t);
    at_deid_span *v = NULL;
    size_t n = 0;
    assert_int_equal(at_deid_text_detect(det, t, len, &v, &n), AT_OK);
    assert_memory_equal(t, before, sizeof t);
    size_t date = 0;
    while (memcmp(t + date, "12/03", 5))
        date++;
    assert_int_equal(kind_over(v, n, date, 5), AT_DEID_SPAN_DATE);
    at_free(v);
}

/* Spans are appended after those the door already holds. */
static void test_appends(void **state)
{
    (void)state;
    const char *t = "Vu le 12/03/2024 en HDJ";
    at_deid_span *v = at_malloc(sizeof *v);
    assert_non_null(v);
    v[0] = (at_deid_span){.start = 1000, .len = 7, .kind = AT_DEID_SPAN_OTHER};
    size_t n = 1;
    assert_int_equal(at_deid_text_detect(det, t, strlen(t), &v, &n), AT_OK);
    assert_true(n > 1);
    assert_int_equal(v[0].start, 1000);
    assert_int_equal(v[0].len, 7);
    assert_int_equal(kind_over(v + 1, n - 1, 6, 5), AT_DEID_SPAN_DATE);
    at_free(v);
}

/* Every allocation failing in turn: an error or success, never a crash
 * or a leak, and on error the caller's spans as they were. */
static void test_out_of_memory(void **state)
{
    (void)state;
    const char t[] = "\xff Vu le 12/03/2024 au CHU de Rennes";
    int ok = 0;
    for (long k = 1; k < 10000 && !ok; k++) {
        at_deid_span *v = NULL;
        size_t n = 0;
        at_alloc_fail_after(k);
        at_status st = at_deid_text_detect(det, t, sizeof t - 1, &v, &n);
        at_alloc_fail_after(0);
        if (st == AT_OK) {
            ok = 1;
            assert_true(n >= 2);
        } else {
            assert_int_equal(st, AT_ERR_NOMEM);
            assert_int_equal(n, 0);
            assert_null(v);
        }
        at_free(v);
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_invalid_bytes_keep_offsets),
        cmocka_unit_test(test_appends),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
