/* Errors as values: a thread-local message buffer beside the status code. */
#include "atelier/core.h"

#include <stdio.h>
#include <string.h>

#define AT_ERROR_MAX 1024
static _Thread_local char error_message[AT_ERROR_MAX];

at_status at_error_set(at_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_message, sizeof error_message, fmt, ap);
    va_end(ap);
    return code;
}

at_status at_error_prefix(at_status code, const char *fmt, ...)
{
    char prefix[512], old[AT_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, error_message, sizeof old);
    if (old[0])
        snprintf(error_message, sizeof error_message, "%s: %s", prefix, old);
    else
        snprintf(error_message, sizeof error_message, "%s: %s", prefix, at_status_name(code));
    return code;
}

const char *at_error_message(void)
{
    return error_message;
}

void at_error_clear(void)
{
    error_message[0] = '\0';
}

const char *at_status_name(at_status code)
{
    switch (code) {
    case AT_OK:
        return "ok";
    case AT_ERR_IO:
        return "input/output error";
    case AT_ERR_FORMAT:
        return "format error";
    case AT_ERR_NOMEM:
        return "out of memory";
    case AT_ERR_LIMIT:
        return "limit exceeded";
    case AT_ERR_ARG:
        return "invalid argument";
    case AT_ERR_UNSUPPORTED:
        return "unsupported";
    case AT_ERR_CRYPTO:
        return "cryptographic error";
    case AT_ERR_NUMERIC:
        return "numeric error";
    case AT_ERR_INTERRUPTED:
        return "cancelled";
    case AT_ERR_NOT_FOUND:
        return "not found";
    case AT_ERR_REFUSED:
        return "refused";
    default:
        return "error";
    }
}
