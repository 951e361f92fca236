/* Bounded growable buffer: every append checks a hard ceiling set at init. */
#include "atelier/core.h"

#include <stdio.h>
#include <string.h>

void at_buf_init(at_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

static at_status buf_reserve(at_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return at_error_set(AT_ERR_LIMIT, "buffer would exceed its %zu-byte limit", b->max);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return AT_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    unsigned char *p = at_realloc(b->data, cap);
    if (!p)
        return AT_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return AT_OK;
}

at_status at_buf_append(at_buf *b, const void *data, size_t len)
{
    at_status st = buf_reserve(b, len);
    if (st)
        return st;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return AT_OK;
}

at_status at_buf_putc(at_buf *b, int c)
{
    unsigned char ch = (unsigned char)c;
    return at_buf_append(b, &ch, 1);
}

at_status at_buf_puts(at_buf *b, const char *s)
{
    return at_buf_append(b, s, strlen(s));
}

at_status at_buf_vprintf(at_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return at_error_set(AT_ERR_ARG, "bad format");
    at_status st = buf_reserve(b, (size_t)n);
    if (st)
        return st;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return AT_OK;
}

at_status at_buf_printf(at_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    at_status st = at_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return st;
}

at_status at_buf_json_string(at_buf *b, const char *s, size_t n)
{
    at_status st = at_buf_putc(b, '"');
    for (size_t i = 0; i < n && !st; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            st = at_buf_puts(b, "\\\"");
            break;
        case '\\':
            st = at_buf_puts(b, "\\\\");
            break;
        case '\n':
            st = at_buf_puts(b, "\\n");
            break;
        case '\r':
            st = at_buf_puts(b, "\\r");
            break;
        case '\t':
            st = at_buf_puts(b, "\\t");
            break;
        default:
            if (c < 0x20)
                st = at_buf_printf(b, "\\u%04x", c);
            else
                st = at_buf_putc(b, c);
        }
    }
    return st ? st : at_buf_putc(b, '"');
}

void at_buf_reset(at_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void at_buf_free(at_buf *b)
{
    at_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

unsigned char *at_buf_steal(at_buf *b, size_t *len)
{
    unsigned char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
