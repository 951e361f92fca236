/* Small helpers of the room: names and roles, the clock, time stamps,
 * base64url, token hashes and the audit's details objects. */
#include "internal.h"

#include <stdarg.h>
#include <string.h>

static time_t (*clock_fn)(void);

void at_room_set_clock(time_t (*now)(void))
{
    clock_fn = now;
}

time_t at_room_now(void)
{
    return clock_fn ? clock_fn() : time(NULL);
}

int at_room_name_valid(const char *s)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    if (n > AT_ROOM_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

unsigned at_room_role_parse(const char *name)
{
    if (!name)
        return 0;
    if (!strcmp(name, "admin"))
        return AT_ROLE_ADMIN;
    if (!strcmp(name, "dpo"))
        return AT_ROLE_DPO;
    if (!strcmp(name, "teacher"))
        return AT_ROLE_TEACHER;
    return 0;
}

const char *at_room_role_name(unsigned role_bit)
{
    switch (role_bit) {
    case AT_ROLE_ADMIN:
        return "admin";
    case AT_ROLE_DPO:
        return "dpo";
    case AT_ROLE_TEACHER:
        return "teacher";
    default:
        return "";
    }
}

at_project_role at_room_project_role_parse(const char *name)
{
    if (!name)
        return AT_PROJECT_NONE;
    if (!strcmp(name, "lead"))
        return AT_PROJECT_LEAD;
    if (!strcmp(name, "member"))
        return AT_PROJECT_MEMBER;
    if (!strcmp(name, "student"))
        return AT_PROJECT_STUDENT;
    return AT_PROJECT_NONE;
}

const char *at_room_project_role_name(at_project_role role)
{
    switch (role) {
    case AT_PROJECT_LEAD:
        return "lead";
    case AT_PROJECT_MEMBER:
        return "member";
    case AT_PROJECT_STUDENT:
        return "student";
    default:
        return "";
    }
}

void room_time_iso(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void room_b64url(const unsigned char *in, size_t n, char *out, size_t cap)
{
    sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void room_token_hash(const at_room *room, const char *token, unsigned char out[ROOM_HASH_BYTES])
{
    at_keyed_hash(&room->master, "session-token", token, strlen(token), out, ROOM_HASH_BYTES);
}

void at_room_random_token(char out[AT_ROOM_TOKEN_MAX])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    room_b64url(r, sizeof r, out, AT_ROOM_TOKEN_MAX);
    sodium_memzero(r, sizeof r);
}

void at_room_csrf_token(const at_room *room, const char *cookie_value, char out[AT_ROOM_TOKEN_MAX])
{
    unsigned char h[32];
    at_keyed_hash(&room->master, "csrf", cookie_value, strlen(cookie_value), h, sizeof h);
    room_b64url(h, sizeof h, out, AT_ROOM_TOKEN_MAX);
}

int at_room_csrf_check(const at_room *room, const char *cookie_value, const char *given)
{
    if (!cookie_value || !*cookie_value || !given)
        return 0;
    char want[AT_ROOM_TOKEN_MAX];
    at_room_csrf_token(room, cookie_value, want);
    size_t n = strlen(want);
    return strlen(given) == n && sodium_memcmp(want, given, n) == 0;
}

char *room_details(const char *k1, ...)
{
    at_buf b;
    at_buf_init(&b, ROOM_AUDIT_DETAILS_MAX);
    at_status st = at_buf_putc(&b, '{');
    va_list ap;
    va_start(ap, k1);
    int first = 1;
    for (const char *k = k1; k && !st; k = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        if (!v)
            continue;
        if (!first)
            st = at_buf_putc(&b, ',');
        first = 0;
        if (!st)
            st = at_buf_json_string(&b, k, strlen(k));
        if (!st)
            st = at_buf_putc(&b, ':');
        if (!st)
            st = at_buf_json_string(&b, v, strlen(v));
    }
    va_end(ap);
    if (!st)
        st = at_buf_putc(&b, '}');
    if (st) {
        at_buf_free(&b);
        return NULL;
    }
    return (char *)at_buf_steal(&b, NULL);
}
