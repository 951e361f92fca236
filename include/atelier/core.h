/* atelier core: errors as values, the allocation hook, bounded buffers,
 * files written atomically, keyed hashing and key files, logging, progress.
 * Nothing here prints to the terminal except through the log handler the
 * front end installs, and nothing exits the process. */
#ifndef ATELIER_CORE_H
#define ATELIER_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATELIER_VERSION "0.1.0"

/* ---- errors ---------------------------------------------------------- */
typedef int at_status;
enum {
    AT_OK = 0,
    AT_ERR_IO = -1,          /* open/read/write/rename failed */
    AT_ERR_FORMAT = -2,      /* malformed input */
    AT_ERR_NOMEM = -3,       /* allocation failed */
    AT_ERR_LIMIT = -4,       /* a documented ceiling was exceeded */
    AT_ERR_ARG = -5,         /* caller passed something invalid */
    AT_ERR_UNSUPPORTED = -6, /* valid but not supported */
    AT_ERR_CRYPTO = -7,      /* key or crypto failure */
    AT_ERR_NUMERIC = -8,     /* NaN/Inf or divergence */
    AT_ERR_INTERRUPTED = -9, /* stopped by a signal */
    AT_ERR_NOT_FOUND = -10,  /* a named thing does not exist */
    AT_ERR_REFUSED = -11     /* a request refused before anything was written (an output over an input) */
};

/* Set the calling thread's error message (printf-style) and return code.
 * The message must never contain identifying values: name files, offsets,
 * tags, never the data itself. */
at_status at_error_set(at_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the current message with "prefix: " (e.g. a file name); returns code. */
at_status at_error_prefix(at_status code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The calling thread's last error message ("" when none). Borrowed pointer. */
const char *at_error_message(void);
void at_error_clear(void);
/* A short name for a status code ("format error", ...). Static string. */
const char *at_status_name(at_status code);

/* ---- allocation hook (Lua's frealloc) --------------------------------- */
/* fn(ud, ptr, size): size 0 frees and returns NULL; otherwise realloc. */
typedef void *(*at_alloc_fn)(void *ud, void *ptr, size_t size);
void at_set_allocator(at_alloc_fn fn, void *ud); /* NULL restores the default */
void *at_malloc(size_t size);                    /* NULL (and error set) on failure */
void *at_calloc(size_t count, size_t size);      /* overflow-checked */
void *at_realloc(void *ptr, size_t size);
void at_free(void *ptr);
char *at_strdup(const char *s);
char *at_strndup(const char *s, size_t n);
/* Test hook: the n-th allocation from now (1-based) and all after it fail;
 * n <= 0 disables. at_alloc_count() counts the allocations made since the
 * last at_alloc_fail_after(n > 0) (none are counted while disarmed). */
void at_alloc_fail_after(long n);
long at_alloc_count(void);
/* Grow the array whose pointer is at *arrayp (any T **, passed as void *)
 * so that it holds at least need elements of elem bytes; *cap is its
 * capacity in elements. Nothing happens when need <= *cap. Otherwise the
 * capacity doubles (from 16 when 0) until it reaches need, the array is
 * moved with at_realloc, and *arrayp and *cap are updated; the contents
 * are kept. On failure (AT_ERR_NOMEM: out of memory, or need * elem past
 * SIZE_MAX) nothing changes: the old array is still the caller's. */
at_status at_grow(void *arrayp, size_t *cap, size_t need, size_t elem);
/* AT_GROW(v, cap, need): at_grow for a T *v and a size_t cap. */
#define AT_GROW(v, cap, need) at_grow(&(v), &(cap), (need), sizeof *(v))
/* Route cJSON's allocations through at_malloc/at_free (so the hook and its
 * failure switch see them). cJSON's hooks are one setting for the whole
 * process: call this once, in main, before any thread starts and before
 * any JSON is parsed (the atelier programs do); no library call sets it.
 * Memory cJSON returns (cJSON_Print) is then freed with cJSON_free. */
void at_cjson_use_allocator(void);

/* ---- bounded growable buffer (curl's dynbuf) -------------------------- */
typedef struct {
    unsigned char *data; /* always NUL-terminated when non-NULL */
    size_t len, cap, max;
} at_buf;
void at_buf_init(at_buf *b, size_t max); /* max: hard ceiling on len */
at_status at_buf_append(at_buf *b, const void *data, size_t len);
at_status at_buf_putc(at_buf *b, int c);
at_status at_buf_puts(at_buf *b, const char *s);
at_status at_buf_printf(at_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
at_status at_buf_vprintf(at_buf *b, const char *fmt, va_list ap);
/* Append s (n bytes) as a JSON string literal with quotes and escapes. */
at_status at_buf_json_string(at_buf *b, const char *s, size_t n);
void at_buf_reset(at_buf *b);
void at_buf_free(at_buf *b);
/* Take ownership of the data (caller frees with at_free); buffer reset. */
unsigned char *at_buf_steal(at_buf *b, size_t *len);

/* ---- files ------------------------------------------------------------ */
/* Write all len bytes of data to fd (at offset off for the pwrite form),
 * retrying when a signal interrupts: 0 when all is written, -1 when write
 * failed (errno says why), 1 when it wrote nothing (a full device). Sets
 * no error message: the caller names the file. */
int at_fd_write_all(int fd, const void *data, size_t len);
int at_fd_pwrite_all(int fd, const void *data, size_t len, uint64_t off);
/* Read a whole regular file of at most max bytes. *out is owned by the
 * caller (at_free), NUL-terminated. A FIFO, folder or device is refused at
 * once (never blocking on the open). Errors name the path. */
at_status at_file_read(const char *path, size_t max, unsigned char **out, size_t *len);
/* Write data to path atomically: temp file in the same folder, fsync,
 * rename. On failure nothing is left at path or beside it. */
at_status at_file_write_atomic(const char *path, const void *data, size_t len);
/* Atomic writer for streamed output. */
typedef struct at_atomic_file at_atomic_file;
at_status at_atomic_open(const char *path, at_atomic_file **out);
at_status at_atomic_write(at_atomic_file *f, const void *data, size_t len);
at_status at_atomic_commit(at_atomic_file *f); /* renames; frees f */
void at_atomic_abort(at_atomic_file *f);       /* removes temp; frees f */
/* mkdir -p with mode for created folders. */
at_status at_mkdir_p(const char *path, int mode);
int at_path_is_dir(const char *path);
/* Remove a folder and everything under it (symbolic links are removed,
 * never followed). Best effort: returns AT_ERR_IO if something remained. */
at_status at_remove_tree(const char *path);
/* Join a and b with one '/'. Owned by caller. */
char *at_path_join(const char *a, const char *b);
/* Canonical absolute form of path, which need not exist: the longest
 * existing prefix through realpath, the rest appended ("x", "./x",
 * "d/../x" and links give one form). Owned by caller; NULL when out of
 * memory. */
char *at_path_canonical(const char *path);
/* 1 when a and b name one file: the same inode when both exist, else the
 * same canonical path. */
int at_path_same(const char *a, const char *b);
/* 1 when the canonical path lies in the canonical folder dir (or is it). */
int at_path_within(const char *path, const char *dir);
/* AT_ERR_REFUSED (a message naming both, in the words of the command line:
 * "-o OUT is inside the input IN; nothing was written ...") when the
 * output folder out is one of the n inputs or lies inside one; else AT_OK. */
at_status at_path_refuse_inside(const char *out, const char *const *inputs, size_t n);

/* ---- keys and keyed hashing (libsodium BLAKE2b) ----------------------- */
#define AT_KEY_BYTES 32
typedef struct {
    unsigned char bytes[AT_KEY_BYTES];
} at_key;
/* Load a 32-byte key (raw or 64 hex chars) from path, or create a random
 * one with mode 0600 if the file does not exist (*created = 1). The key is
 * never printed or logged. */
at_status at_key_load_or_create(const char *path, at_key *key, int *created);
/* Load a key that must exist (AT_ERR_NOT_FOUND when there is no file:
 * a mistyped path never becomes a new key). */
at_status at_key_load(const char *path, at_key *key);
/* Create a new random key at path (mode 0600, its folder made 0700);
 * refused (AT_ERR_IO) when a file is already there. Where the default key
 * lives is the front end's choice: the library takes paths. */
at_status at_key_create(const char *path, at_key *key);
/* out = BLAKE2b(key, domain || 0x00 || data), outlen in [16, 64]. Domain
 * separates uses (uid, patient-id, date-shift, ...). */
void at_keyed_hash(const at_key *key, const char *domain, const void *data, size_t len, unsigned char *out,
                   size_t outlen);
/* Must be called once before crypto use; safe to call many times. */
at_status at_crypto_init(void);

/* ---- logging --------------------------------------------------------- */
typedef enum { AT_LOG_DEBUG, AT_LOG_INFO, AT_LOG_WARN, AT_LOG_ERROR } at_log_level;
typedef void (*at_log_fn)(void *ud, at_log_level level, const char *msg);
void at_log_set_handler(at_log_fn fn, void *ud, at_log_level min_level);
void at_log(at_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- progress --------------------------------------------------------- */
/* Long work reports progress through a callback the front end supplies;
 * the library never draws. done/total in units; note is a short label. */
typedef void (*at_progress_fn)(void *ud, uint64_t done, uint64_t total, const char *note);

/* ---- calendar (proleptic Gregorian, days since 1970-01-01) ------------- */
long at_days_from_civil(long year, int month, int day);
void at_civil_from_days(long days, long *year, int *month, int *day);
/* Days in month (1-12) of year, leap years counted; 0 for another month. */
int at_days_in_month(long year, int month);
/* 1 when s is exactly YYYY-MM-DD and a day of the calendar (no 2024-02-30),
 * its day number into *days (may be NULL); else 0. */
int at_date_parse_iso(const char *s, long *days);

/* ---- installed data ---------------------------------------------------- */
/* The path of rel (e.g. "text") in atelier's data, looked up relative to
 * the running program: PROGRAM_DIR/../share/atelier/rel (an installed
 * tree, wherever it was put), else PROGRAM_DIR/share/atelier/rel (a build
 * tree). *out owned by the caller; AT_ERR_NOT_FOUND naming both places
 * when neither holds it. */
at_status at_data_path(const char *rel, char **out);

/* ---- misc -------------------------------------------------------------- */
double at_now_seconds(void); /* monotonic */
/* Deterministic PRNG (xoshiro256**), seeded by splitmix64. */
typedef struct {
    uint64_t s[4];
} at_rng;
void at_rng_seed(at_rng *r, uint64_t seed);
uint64_t at_rng_next(at_rng *r);
double at_rng_uniform(at_rng *r); /* [0,1) */
double at_rng_normal(at_rng *r);  /* N(0,1) */

#ifdef __cplusplus
}
#endif
#endif
