/* liblinear's random numbers without process-wide state. liblinear draws
 * the order of its coordinate descent from rand(), one generator for the
 * whole process that only srand() can seed. atelier links liblinear's
 * static archive with -Wl,--wrap=rand (CMakeLists.txt), so liblinear's
 * calls land in __wrap_rand below: a generator of the calling thread,
 * seeded by risk before each fit (risk_rand_seed). It is glibc's TYPE_3
 * additive generator, the one behind rand(): after risk_rand_seed(s) it
 * gives the numbers rand() gives after srand(s), so models are the bytes
 * they were when risk called srand(1). Nothing else in the process is
 * touched: its rand() and srand() are glibc's. */
#include "risk/internal.h"

#include <stdint.h>

enum { DEG = 31, SEP = 3 };

static _Thread_local struct {
    int32_t r[DEG];
    int f, b; /* front and rear of the lagged pair */
    int seeded;
} gen;

void risk_rand_seed(unsigned seed)
{
    int32_t word = seed ? (int32_t)seed : 1;
    gen.r[0] = word;
    for (int i = 1; i < DEG; i++) { /* 16807 * word % (2^31 - 1) without overflow (Schrage) */
        int32_t hi = word / 127773, lo = word % 127773;
        word = 16807 * lo - 2836 * hi;
        if (word < 0)
            word += 2147483647;
        gen.r[i] = word;
    }
    gen.f = SEP;
    gen.b = 0;
    gen.seeded = 1;
    for (int i = 0; i < 10 * DEG; i++)
        (void)__wrap_rand();
}

int __wrap_rand(void)
{
    if (!gen.seeded)
        risk_rand_seed(1); /* as rand() before any srand() */
    uint32_t val = (uint32_t)gen.r[gen.f] + (uint32_t)gen.r[gen.b];
    gen.r[gen.f] = (int32_t)val;
    int result = (int)(val >> 1);
    if (++gen.f >= DEG) {
        gen.f = 0;
        ++gen.b;
    } else if (++gen.b >= DEG) {
        gen.b = 0;
    }
    return result;
}
