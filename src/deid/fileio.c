/* Batch file I/O: inputs read with pread (no mappings: unmapping in a
 * threaded process costs TLB shootdowns), with a fast path that reads only
 * the head of the file and leaves native pixel data in the input (copied to
 * the output by the kernel), temporary outputs, and the optional sync. */
#include "deid/fileio.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAST_PATH_CANDIDATES 8      /* pixel-data headers tried before the full parse */
#define FAST_PATH_FIRST (32u << 10) /* bytes read first and scanned for it (most headers fit) ... */
#define FAST_PATH_HEAD (256u << 10) /* ... then up to this many */

static uint32_t rd32(const unsigned char *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A pixel data element at x that is native, even, and ends exactly at the
 * end of the file: header length (8 implicit, 12 explicit) or 0. */
static size_t pixel_header_at(const unsigned char *m, size_t have, size_t size, size_t x, int *explicit_vr)
{
    if (x + 8 > have || memcmp(m + x, "\xe0\x7f\x10\x00", 4))
        return 0;
    if (x + 12 <= have && m[x + 4] == 'O' && (m[x + 5] == 'W' || m[x + 5] == 'B') && !m[x + 6] && !m[x + 7]) {
        uint32_t len = rd32(m + x + 8);
        if (len != 0xffffffffu && !(len & 1) && len && (uint64_t)x + 12 + len == size) {
            *explicit_vr = 1;
            return 12;
        }
    }
    uint32_t len = rd32(m + x + 4);
    if (len != 0xffffffffu && !(len & 1) && len && (uint64_t)x + 8 + len == size) {
        *explicit_vr = 0;
        return 8;
    }
    return 0;
}

/* The fast path: the bytes before a candidate pixel-data header must parse
 * on their own as a complete dataset in the matching little-endian syntax,
 * which proves the candidate is the top-level element boundary. */
static int try_fast_path(at_deid_input *in, const char *rel, at_dcm_file **out)
{
    const unsigned char *m = in->map;
    size_t size = in->file_len, limit = in->map_len, tried = 0;
    for (size_t x = 0; x + 8 <= limit && tried < FAST_PATH_CANDIDATES; x++) {
        const unsigned char *hit = memchr(m + x, 0xe0, limit - x);
        if (!hit)
            break;
        x = (size_t)(hit - m);
        int explicit_vr = 0;
        size_t hl = pixel_header_at(m, limit, size, x, &explicit_vr);
        if (!hl)
            continue;
        tried++;
        at_dcm_read_options ropt = {.name = rel, .stop_before_pixels = 0};
        at_dcm_file *f = NULL;
        if (at_dcm_read_memory(m, x, &ropt, &f) != AT_OK) {
            at_error_clear();
            continue;
        }
        const char *want = explicit_vr ? AT_TS_EXPLICIT_LE : AT_TS_IMPLICIT_LE;
        if (strcmp(f->transfer_syntax, want) || at_dcm_find(f->dataset, AT_TAG(0x7fe0, 0x0010))) {
            at_dcm_file_free(f);
            continue;
        }
        memcpy(in->pixel_header, m + x, hl);
        in->pixel_header_len = hl;
        in->pixel_offset = x + hl;
        in->pixel_len = (uint32_t)(size - x - hl);
        *out = f;
        return 1;
    }
    return 0;
}

/* Extend in->map to the first n bytes of the input (n >= in->map_len):
 * only the bytes not read yet are read. */
static at_status read_to(at_deid_input *in, size_t n, const char *rel)
{
    unsigned char *m = at_realloc(in->map, n ? n : 1);
    if (!m)
        return AT_ERR_NOMEM;
    in->map = m;
    while (in->map_len < n) {
        ssize_t got = pread(in->fd, in->map + in->map_len, n - in->map_len, (off_t)in->map_len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return at_error_set(AT_ERR_IO, "%s: read failed at offset %zu", rel, in->map_len);
        in->map_len += (size_t)got;
    }
    return AT_OK;
}

at_status at_deid_input_open(const char *path, const char *rel, at_deid_input *in, at_dcm_file **out)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    *out = NULL;
    /* O_NONBLOCK: a FIFO put in place of a file after the walk must not
     * block the open; it is refused below, and regular files read as usual */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", rel, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return at_error_set(AT_ERR_IO, "%s: not a regular file", rel);
    }
    /* O_NONBLOCK stays: it has no effect on regular files (saves two
     * fcntl calls per input) */
    if (sb.st_size == 0) {
        close(fd);
        return at_error_set(AT_ERR_FORMAT, "%s: empty file, not DICOM", rel);
    }
    if ((uint64_t)sb.st_size > AT_DCM_MAX_FILE_BYTES) {
        close(fd);
        return at_error_set(AT_ERR_LIMIT, "%s: file exceeds the %zu-byte limit", rel, AT_DCM_MAX_FILE_BYTES);
    }
    in->fd = fd;
    in->file_len = (size_t)sb.st_size;
    /* a small head first, then a larger one, then the whole file: most
     * headers are a few KiB, and every byte read is a copy out of the cache */
    size_t first = in->file_len < FAST_PATH_FIRST ? in->file_len : FAST_PATH_FIRST;
    size_t head = in->file_len < FAST_PATH_HEAD ? in->file_len : FAST_PATH_HEAD;
    at_status st = read_to(in, first, rel);
    if (!st && try_fast_path(in, rel, out))
        return AT_OK;
    if (!st && head > first) {
        st = read_to(in, head, rel);
        if (!st && try_fast_path(in, rel, out))
            return AT_OK;
    }
    if (!st && head < in->file_len)
        st = read_to(in, in->file_len, rel);
    if (!st) {
        at_dcm_read_options ropt = {.name = rel, .stop_before_pixels = 0};
        st = at_dcm_read_memory(in->map, in->map_len, &ropt, out);
        /* a file without the Part 10 prefix that is not a bare dataset either:
         * say so, rather than describe its bytes as if they were tags */
        if (st && st != AT_ERR_NOMEM && (in->map_len < 132 || memcmp(in->map + 128, "DICM", 4)))
            st = at_error_set(AT_ERR_FORMAT, "%s: not a DICOM file (no DICM prefix, not a readable dataset)",
                              rel);
    }
    if (st)
        at_deid_input_close(in);
    return st;
}

void at_deid_input_close(at_deid_input *in)
{
    at_free(in->map);
    if (in->fd >= 0)
        close(in->fd);
    memset(in, 0, sizeof *in);
    in->fd = -1;
}

static int write_all(int fd, struct iovec *iov, int iovcnt)
{
    while (iovcnt) {
        ssize_t n = writev(fd, iov, iovcnt);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        size_t adv = (size_t)n;
        while (iovcnt && adv >= iov->iov_len) {
            adv -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt) {
            iov->iov_base = (char *)iov->iov_base + adv;
            iov->iov_len -= adv;
        }
    }
    return 0;
}

/* Copy the input's pixel value to fd: in the kernel when it can, else from the mapping. */
static int copy_pixels(const at_deid_input *in, int fd)
{
    loff_t off = (loff_t)in->pixel_offset;
    size_t left = in->pixel_len;
    while (left) {
        ssize_t n = copy_file_range(in->fd, &off, fd, NULL, left, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        left -= (size_t)n;
    }
    if (!left)
        return 0;
    /* no in-kernel copy here: read and write through a bounded buffer */
    unsigned char buf[1 << 16];
    while (left) {
        size_t want = left < sizeof buf ? left : sizeof buf;
        ssize_t got = pread(in->fd, buf, want, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        struct iovec v = {buf, (size_t)got};
        if (write_all(fd, &v, 1))
            return -1;
        off += got;
        left -= (size_t)got;
    }
    return 0;
}

/* The next temporary name in dir: unique in this process (pid, counter),
 * so no random name; a stray file of an earlier crash with the same name is
 * stepped over by the callers (EEXIST). NULL when out of memory. */
static char *next_temp_path(const char *dir)
{
    static atomic_uint counter;
    static atomic_long pid; /* getpid is a system call: once */
    long me = atomic_load(&pid);
    if (!me) {
        me = (long)getpid();
        atomic_store(&pid, me);
    }
    char name[64];
    snprintf(name, sizeof name, ".deid.tmp.%ld.%u", me, atomic_fetch_add(&counter, 1));
    return at_path_join(dir, name);
}

/* Give the unnamed (O_TMPFILE) file fd its name in dir: final when given
 * and free, else a temporary one (the pattern of a named temporary, so an
 * interrupted run's debris is found the same way). Returns 0 with *tmp set
 * (NULL when named final), -1 with errno set. */
static int name_unnamed(const char *dir, const char *final, int fd, char **tmp)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    *tmp = NULL;
    if (final && linkat(AT_FDCWD, proc, AT_FDCWD, final, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (final && errno != EEXIST)
        return -1;
    for (int tries = 0; tries < 100; tries++) {
        *tmp = next_temp_path(dir);
        if (!*tmp) {
            errno = ENOMEM;
            return -1;
        }
        if (linkat(AT_FDCWD, proc, AT_FDCWD, *tmp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        int e = errno;
        at_free(*tmp);
        *tmp = NULL;
        errno = e;
        if (e != EEXIST)
            break;
    }
    return -1;
}

at_status at_deid_write_out(const char *dir, const char *final, struct iovec *iov, int iovcnt,
                            const at_deid_input *pixels, int sync, char **tmp_out)
{
    *tmp_out = NULL;
    char *tmp = NULL;
    /* an unnamed file first (O_TMPFILE), created with its final mode (0644
     * less the umask): its inode is allocated without holding the folder's
     * lock, so threads writing into one series folder do not queue behind
     * each other's inode search; it is named once whole (name_unnamed).
     * Where the file system has no O_TMPFILE, a file created exclusively:
     * under final when given and free, else a temporary name. */
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    int unnamed = fd >= 0;
    int named_final = 0;
    if (fd < 0 && final) {
        fd = open(final, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        named_final = fd >= 0;
    }
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        at_free(tmp);
        tmp = next_temp_path(dir);
        if (!tmp)
            return AT_ERR_NOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        at_status st = at_error_set(AT_ERR_IO, "%s: cannot create a file: %s", dir, strerror(errno));
        at_free(tmp);
        return st;
    }
    int ok = write_all(fd, iov, iovcnt) == 0;
    if (ok && pixels && pixels->pixel_len)
        ok = copy_pixels(pixels, fd) == 0;
    /* with sync, start writeback now without waiting: the final syncfs then
     * finds most data on disk (the I/O overlaps the work on later files) */
    if (ok && sync)
        sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (ok && unnamed)
        ok = name_unnamed(dir, final, fd, &tmp) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        at_status st = at_error_set(AT_ERR_IO, "%s: write failed: %s", dir, strerror(errno));
        if (tmp)
            unlink(tmp);
        else if (named_final)
            unlink(final);
        at_free(tmp);
        return st;
    }
    *tmp_out = tmp;
    return AT_OK;
}

at_status at_deid_write_temp(const char *dir, struct iovec *iov, int iovcnt, const at_deid_input *pixels,
                             int sync, char **tmp_out)
{
    return at_deid_write_out(dir, NULL, iov, iovcnt, pixels, sync, tmp_out);
}

at_status at_deid_sync_dir(const char *outdir)
{
    int fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return at_error_set(AT_ERR_IO, "%s: cannot open: %s", outdir, strerror(errno));
    int rc = syncfs(fd);
    if (rc != 0)
        rc = fsync(fd);
    close(fd);
    if (rc != 0)
        return at_error_set(AT_ERR_IO, "%s: sync failed: %s", outdir, strerror(errno));
    return AT_OK;
}
