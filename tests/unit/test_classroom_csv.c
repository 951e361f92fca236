/* The enrolment CSV parser: the forms a class list comes in (commas or
 * semicolons, quotes, a spreadsheet's byte-order mark, CRLF, blank lines,
 * logins made from e-mails), and each refusal naming its line and column;
 * its ceilings; every allocation failure handled. */
#include "support.h"

#include "atelier/classroom.h"

#include <stdio.h>
#include <string.h>

static void parse_ok(const char *csv, size_t want)
{
    at_course_student *s = NULL;
    size_t n = 0;
    if (at_course_csv_parse(csv, strlen(csv), &s, &n) != AT_OK)
        fail_msg("%s", at_error_message());
    assert_int_equal((int)n, (int)want);
    at_free(s);
}

static void parse_err(const char *csv, const char *where)
{
    at_course_student *s = NULL;
    size_t n = 0;
    at_status st = at_course_csv_parse(csv, strlen(csv), &s, &n);
    assert_true(st != AT_OK);
    assert_null(s);
    if (!strstr(at_error_message(), where))
        fail_msg("expected '%s' in: %s", where, at_error_message());
}

static void test_forms(void **state)
{
    (void)state;
    const char *csv = "\xEF\xBB\xBFNom;Courriel\r\n\"Martin; Alice\";Alice.Martin@univ.example\r\n\r\n"
                      "Bruno \"\"B\"\" Petit;b-petit@univ.example\r\n";
    at_course_student *s = NULL;
    size_t n = 0;
    assert_int_equal(at_course_csv_parse(csv, strlen(csv), &s, &n),
                     AT_ERR_FORMAT); /* a quote inside an unquoted field */
    assert_non_null(strstr(at_error_message(), "line 4, column 1"));
    csv = "\xEF\xBB\xBFNom;Courriel\r\n\"Martin; Alice\";Alice.Martin@univ.example\r\n\r\n"
          "\"Bruno \"\"B\"\" Petit\";b-petit@univ.example\r\n";
    assert_int_equal(at_course_csv_parse(csv, strlen(csv), &s, &n), AT_OK);
    assert_int_equal((int)n, 2);
    assert_string_equal(s[0].name, "Martin; Alice");
    assert_string_equal(s[0].login, "alice.martin");
    assert_string_equal(s[1].name, "Bruno \"B\" Petit");
    assert_string_equal(s[1].login, "b-petit");
    assert_int_equal(s[1].line, 4);
    at_free(s);
    csv = "name,email\nÉlise Dœuf,Élise.DŒUF-ç@u.example\n";
    assert_int_equal(at_course_csv_parse(csv, strlen(csv), &s, &n), AT_OK);
    assert_string_equal(s[0].login, "elise.doeuf-c"); /* accents spelt out */
    at_free(s);
    parse_ok("login,name\nx1,X One\nx2,X Two", 2);             /* columns in any order, no final newline */
    parse_ok("name,email,login\nA,a@b.example,\nB,,bee\n", 2); /* a login column or the e-mail */
}

static void test_refusals(void **state)
{
    (void)state;
    parse_err("", "line 1: no header");
    parse_err("email\na@b.example\n", "line 1: the header names no 'name' column");
    parse_err("name,phone\nA,1\n", "line 1: the header names neither");
    parse_err("name,email\n", "no student");
    parse_err("name,email\nA,a@b.example\n,b@b.example\n", "line 3, column 1: the name is empty");
    parse_err("name,email\nA,not-an-address\n", "line 2, column 2: not an e-mail address");
    parse_err("email,name\nA,\"unclosed\n", "line 2, column 2: a quote is not closed");
    parse_err("name,email\n\"A\"x,a@b.example\n", "line 2, column 1: text after a closing quote");
    parse_err("name,login\nA,-bad\n", "line 2, column 2: a login is 1 to 64");
    parse_err("name,login\nA,same\nB,same\n", "line 3, column 2: login 'same' is already on line 2");
    parse_err("name,email\nA,a@b.example,1,2,3,4,5,6,7\n", "line 2, column 9: more than 8 columns");
    parse_err("name,email\nA,\n", "line 2, column 2: neither a login nor an e-mail");
    parse_err("name,email\nA,@@@.example\n", "line 2, column 2: not an e-mail");
    parse_err("name,email\nA,+++@b.example\n", "line 2, column 2: no login can be made");
    parse_err("name,name\n", "line 1, column 2: a column named twice");
    /* ceilings */
    char *big = at_malloc(AT_COURSE_CSV_LINE + 64);
    snprintf(big, 64, "name,email\n");
    size_t k = strlen(big);
    memset(big + k, 'a', AT_COURSE_CSV_LINE + 1);
    big[k + AT_COURSE_CSV_LINE + 1] = '\0';
    parse_err(big, "line 2: longer than 4096 bytes");
    memset(big + k, 'a', 300);
    snprintf(big + k + 300, 32, ",a@b.example\n");
    parse_err(big, "line 2, column 1: a field longer than 256 bytes");
    at_free(big);
    at_buf b;
    at_buf_init(&b, 1 << 20);
    at_buf_puts(&b, "name,login\n");
    for (int i = 0; i <= AT_COURSE_CSV_ROWS; i++)
        at_buf_printf(&b, "S,s%d\n", i);
    parse_err((const char *)b.data, "more than 2000 students");
    at_buf_free(&b);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    const char *csv = "name,email\nA B,a.b@u.example\nC D,c.d@u.example\n";
    for (long k = 1; k < 50; k++) {
        at_alloc_fail_after(k);
        at_course_student *s = NULL;
        size_t n = 0;
        at_status st = at_course_csv_parse(csv, strlen(csv), &s, &n);
        at_alloc_fail_after(0);
        if (st == AT_OK) {
            assert_int_equal((int)n, 2);
            at_free(s);
            return;
        }
        assert_int_equal(st, AT_ERR_NOMEM);
    }
    fail_msg("never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
