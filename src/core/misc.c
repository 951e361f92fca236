/* Logging through a front-end handler, a monotonic clock, a seeded RNG. */
#include "atelier/core.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

static at_log_fn log_fn;
static void *log_ud;
static at_log_level log_min = AT_LOG_INFO;

void at_log_set_handler(at_log_fn fn, void *ud, at_log_level min_level)
{
    log_fn = fn;
    log_ud = ud;
    log_min = min_level;
}

void at_log(at_log_level level, const char *fmt, ...)
{
    if (!log_fn || level < log_min)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_fn(log_ud, level, msg);
}

double at_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void at_rng_seed(at_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t at_rng_next(at_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double at_rng_uniform(at_rng *r)
{
    return (double)(at_rng_next(r) >> 11) * 0x1.0p-53;
}

double at_rng_normal(at_rng *r)
{
    double u1 = at_rng_uniform(r), u2 = at_rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
