/* hw_clock.c: see hw_clock.h. */
#include "hw_clock.h"

#include <time.h>

static double secs(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double hw_now_s(void) { return secs(CLOCK_MONOTONIC); }
double hw_cpu_s(void) { return secs(CLOCK_PROCESS_CPUTIME_ID); }
