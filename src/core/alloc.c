/* One allocation hook for the whole library (Lua's frealloc), with a
 * fail-after-N switch so tests can walk every out-of-memory path. */
#include "atelier/core.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static at_alloc_fn alloc_fn = default_alloc;
static void *alloc_ud;
/* Allocations are counted only while a failure is armed: a counter
 * updated by every allocation of every thread is one cache line bounced
 * between the cores (it made 2-thread feature extraction slower than 1). */
static atomic_long alloc_counter; /* allocations since the failure was armed */
static atomic_long alloc_fail_at; /* count at which failures start; 0 = never */

void at_set_allocator(at_alloc_fn fn, void *ud)
{
    alloc_fn = fn ? fn : default_alloc;
    alloc_ud = fn ? ud : NULL;
}

void at_alloc_fail_after(long n)
{
    atomic_store(&alloc_fail_at, 0);
    atomic_store(&alloc_counter, 0);
    atomic_store(&alloc_fail_at, n > 0 ? n : 0);
}

long at_alloc_count(void)
{
    return atomic_load(&alloc_counter);
}

static int should_fail(void)
{
    long at = atomic_load_explicit(&alloc_fail_at, memory_order_relaxed);
    if (at <= 0)
        return 0;
    return atomic_fetch_add(&alloc_counter, 1) + 1 >= at;
}

void *at_realloc(void *ptr, size_t size)
{
    if (size == 0)
        size = 1;
    if (should_fail()) {
        at_error_set(AT_ERR_NOMEM, "out of memory (%zu bytes)", size);
        return NULL;
    }
    void *p = alloc_fn(alloc_ud, ptr, size);
    if (!p)
        at_error_set(AT_ERR_NOMEM, "out of memory (%zu bytes)", size);
    return p;
}

void *at_malloc(size_t size)
{
    return at_realloc(NULL, size);
}

void *at_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        at_error_set(AT_ERR_NOMEM, "allocation size overflow");
        return NULL;
    }
    void *p = at_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void at_free(void *ptr)
{
    if (ptr)
        alloc_fn(alloc_ud, ptr, 0);
}

char *at_strndup(const char *s, size_t n)
{
    char *p = at_malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *at_strdup(const char *s)
{
    return at_strndup(s, strlen(s));
}

/* cJSON's allocations through the hook. cJSON keeps one pair of hooks for
 * the whole process, so this is a process setting: the program calls it
 * once, first thing in main (src/cli/main.c), never a library call. */
static void *cjson_malloc(size_t size)
{
    return at_malloc(size);
}

void at_cjson_use_allocator(void)
{
    cJSON_Hooks hooks = {cjson_malloc, at_free};
    cJSON_InitHooks(&hooks);
}

/* Grow an array to hold need elements (core.h): doubling, overflow
 * refused, the caller's array untouched on failure. */
at_status at_grow(void *arrayp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return AT_OK;
    if (elem == 0 || need > SIZE_MAX / elem)
        return at_error_set(AT_ERR_NOMEM, "allocation size overflow (%zu elements of %zu bytes)", need, elem);
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc = nc > SIZE_MAX / 2 ? need : nc * 2;
    if (nc > SIZE_MAX / elem)
        nc = need; /* doubling overshot what can be addressed: just enough */
    void *old;
    memcpy(&old, arrayp, sizeof old);
    void *p = at_realloc(old, nc * elem);
    if (!p)
        return AT_ERR_NOMEM;
    memcpy(arrayp, &p, sizeof p);
    *cap = nc;
    return AT_OK;
}
