/* The training loop's JSONL log: one object per line, strict JSON (null
 * for a missing or non-finite value), trimmed back to the checkpoint when
 * a run resumes. */
#include "train_log.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#define LOG_MAX_BYTES ((size_t)1 << 30) /* a log read back on resume */

const char *train_log_num(char *buf, double v)
{
    if (!isfinite(v))
        return "null";
    snprintf(buf, 32, "%.7g", v);
    return buf;
}

void train_log_line(FILE *f, const char *fmt, ...)
{
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

/* Keep the lines up to step and drop later ones and torn lines. No log
 * yet is fine. */
static at_status trim(const char *path, int64_t step)
{
    FILE *probe = fopen(path, "rb");
    if (!probe)
        return AT_OK;
    fclose(probe);
    unsigned char *data;
    size_t len;
    at_status st = at_file_read(path, LOG_MAX_BYTES, &data, &len);
    if (st != AT_OK)
        return st;
    at_buf out;
    at_buf_init(&out, LOG_MAX_BYTES);
    int dropped = 0;
    for (size_t pos = 0; pos < len && st == AT_OK;) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        cJSON *j = cJSON_ParseWithLength((const char *)data + pos, end - pos);
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "step");
        if (cJSON_IsNumber(s) && s->valuedouble <= (double)step) {
            st = at_buf_append(&out, data + pos, end - pos);
            if (st == AT_OK)
                st = at_buf_putc(&out, '\n');
        } else {
            dropped = 1;
        }
        cJSON_Delete(j);
        pos = end + 1;
    }
    at_atomic_file *f = NULL;
    if (st == AT_OK && dropped && (st = at_atomic_open(path, &f)) == AT_OK) {
        st = at_atomic_write(f, out.data ? out.data : (unsigned char *)"", out.len);
        if (st == AT_OK)
            st = at_atomic_commit(f);
        else
            at_atomic_abort(f);
    }
    at_buf_free(&out);
    at_free(data);
    return st;
}

at_status train_log_open(const char *path, int64_t step, FILE **out)
{
    *out = NULL;
    if (!path)
        return AT_OK;
    at_status st = step > 0 ? trim(path, step) : AT_OK;
    if (st != AT_OK)
        return st;
    if (!(*out = fopen(path, step > 0 ? "a" : "w")))
        return at_error_set(AT_ERR_IO, "%s: cannot open the training log", path);
    return AT_OK;
}
