/* libFuzzer target: the room's request parsers (src/web/parse.c). The
 * same bytes are read as a JSON body, a form, a Cookie header and a path;
 * what the JSON parser accepts, written back as JSON, reads again to the
 * same fields; no parser lets a field exceed its ceiling. */
#include "web/internal.h"

#include <string.h>

static void check_fields(const web_fields *f)
{
    if (f->n > WEB_FIELDS_MAX)
        __builtin_trap();
    for (size_t i = 0; i < f->n; i++) {
        if (!f->v[i].name || !f->v[i].value || strlen(f->v[i].value) > WEB_FIELD_MAX)
            __builtin_trap();
        for (size_t k = 0; k < i; k++)
            if (!strcmp(f->v[i].name, f->v[k].name))
                __builtin_trap(); /* duplicates are refused */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 18))
        return 0;
    const char *s = (const char *)data;
    web_fields f;
    if (web_parse_json(s, size, &f) == AT_OK) {
        check_fields(&f);
        at_buf b;
        at_buf_init(&b, (size_t)1 << 22);
        at_buf_putc(&b, '{');
        for (size_t i = 0; i < f.n; i++) {
            if (i)
                at_buf_putc(&b, ',');
            at_buf_json_string(&b, f.v[i].name, strlen(f.v[i].name));
            at_buf_putc(&b, ':');
            at_buf_json_string(&b, f.v[i].value, strlen(f.v[i].value));
        }
        at_buf_putc(&b, '}');
        web_fields g;
        if (web_parse_json((const char *)b.data, b.len, &g) != AT_OK || g.n != f.n)
            __builtin_trap();
        for (size_t i = 0; i < f.n; i++)
            if (strcmp(f.v[i].name, g.v[i].name) || strcmp(f.v[i].value, g.v[i].value))
                __builtin_trap();
        web_fields_free(&g);
        at_buf_free(&b);
        web_fields_free(&f);
    }
    if (web_parse_form(s, size, &f) == AT_OK) {
        check_fields(&f);
        web_fields_free(&f);
    }
    /* the rest want a C string */
    char *z = at_malloc(size + 1);
    if (!z)
        return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    char cookie[AT_ROOM_TOKEN_MAX];
    if (web_cookie_get(z, WEB_COOKIE, cookie, sizeof cookie) && strlen(cookie) >= sizeof cookie)
        __builtin_trap();
    char params[WEB_PARAMS_MAX][WEB_PARAM_CAP];
    const char *names[WEB_PARAMS_MAX];
    size_t n = 0;
    static const char *const patterns[] = {"/api/v1/projects/{project}/members/{user}",
                                           "/api/v1/users/{user}", "/", "/admin/users/{user}/roles"};
    for (size_t i = 0; i < 4; i++)
        if (web_path_match(patterns[i], z, params, names, &n))
            for (size_t k = 0; k < n; k++)
                if (!params[k][0] || strlen(params[k]) >= WEB_PARAM_CAP)
                    __builtin_trap();
    at_free(z);
    return 0;
}
