/* A job's log and its progress events, read from the job's folder. */
#include "internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
at_status at_jobs_log(at_jobs *j, int64_t id, int64_t offset, size_t max, char **out, size_t *len,
                      int64_t *size)
{
    *out = NULL;
    *len = 0;
    *size = 0;
    char *path = jobs_job_file(j, id, "log");
    if (!path)
        return AT_ERR_NOMEM;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    at_free(path);
    if (fd < 0) {
        *out = at_strdup("");
        return *out ? AT_OK : AT_ERR_NOMEM;
    }
    struct stat sb;
    fstat(fd, &sb);
    *size = sb.st_size;
    if (offset < 0) /* from the end: the tail */
        offset = sb.st_size + offset < 0 ? 0 : sb.st_size + offset;
    if (offset > sb.st_size)
        offset = sb.st_size;
    size_t want = (size_t)(sb.st_size - offset) < max ? (size_t)(sb.st_size - offset) : max;
    char *buf = at_malloc(want + 1);
    if (!buf) {
        close(fd);
        return AT_ERR_NOMEM;
    }
    ssize_t n = pread(fd, buf, want, offset);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    *out = buf;
    *len = (size_t)n;
    return AT_OK;
}

at_status at_jobs_events(at_jobs *j, int64_t id, int64_t from, size_t max, char **out, size_t *len,
                         int64_t *next)
{
    *out = NULL;
    *len = 0;
    *next = from;
    char *path = jobs_job_file(j, id, "progress.jsonl");
    if (!path)
        return AT_ERR_NOMEM;
    unsigned char *data = NULL;
    size_t n = 0;
    at_status st = at_file_read(path, 64u << 20, &data, &n);
    at_free(path);
    if (st) {
        at_error_clear();
        *out = at_strdup("");
        return *out ? AT_OK : AT_ERR_NOMEM;
    }
    at_buf b;
    at_buf_init(&b, 16u << 20);
    int64_t line = 0;
    size_t taken = 0;
    char *p = (char *)data, *end = p + n;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a line being written */
        if (line >= from && taken < max) {
            st = at_buf_append(&b, p, (size_t)(nl - p) + 1);
            if (st)
                break;
            taken++;
            *next = line + 1;
        }
        line++;
        p = nl + 1;
    }
    at_free(data);
    if (!st)
        st = at_buf_putc(&b, '\0');
    if (st) {
        at_buf_free(&b);
        return st;
    }
    *len = b.len - 1;
    *out = (char *)at_buf_steal(&b, NULL);
    return *out ? AT_OK : AT_ERR_NOMEM;
}

at_status at_jobs_last_event(at_jobs *j, int64_t id, char *out, size_t cap, int64_t *count)
{
    out[0] = '\0';
    *count = 0;
    char *path = jobs_job_file(j, id, "progress.jsonl");
    FILE *f = path ? fopen(path, "r") : NULL;
    at_free(path);
    if (!f)
        return AT_OK;
    /* the lines, counted by chunks; the last full line kept */
    char chunk[65536], line[JOBS_EVENT_MAX + 1];
    size_t n, len = 0;
    int overflow = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        for (size_t i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
                if (!overflow && len) {
                    line[len] = '\0';
                    snprintf(out, cap, "%s", line);
                }
                (*count)++;
                len = 0;
                overflow = 0;
            } else if (len < JOBS_EVENT_MAX) {
                line[len++] = chunk[i];
            } else {
                overflow = 1;
            }
        }
    }
    fclose(f);
    return AT_OK;
}
