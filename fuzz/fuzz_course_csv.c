/* libFuzzer target: the classroom's enrolment CSV parser. Whatever the
 * input, it either fails with a message naming a line, or returns bounded
 * students whose logins are valid identifiers, whose names are valid text,
 * with no login twice. */
#include "atelier/classroom.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    at_course_student *s = NULL;
    size_t n = 0;
    at_status st = at_course_csv_parse((const char *)data, size, &s, &n);
    if (st) {
        if (s || n || !strstr(at_error_message(), "enrolment CSV"))
            __builtin_trap();
        return 0;
    }
    if (!n || n > AT_COURSE_CSV_ROWS)
        __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        if (!at_room_name_valid(s[i].login) || !at_room_text_valid(s[i].name) || s[i].password[0] ||
            s[i].line < 2)
            __builtin_trap();
        for (size_t k = 0; k < i; k++)
            if (!strcmp(s[i].login, s[k].login))
                __builtin_trap();
    }
    at_free(s);
    return 0;
}
