/* rng: xoshiro256** (Blackman & Vigna), seeded through splitmix64.
 * The whole state is the four words of hw_rng, so it can be saved to a
 * checkpoint and restored bit-exactly. Never use rand(). */
#ifndef HW_RNG_H
#define HW_RNG_H

#include <stdint.h>

typedef struct hw_rng {
    uint64_t s[4];
} hw_rng;

void rng_seed(hw_rng *r, uint64_t seed);
/* An independent stream: seed mixed with a stream id (e.g. the MPI rank). */
void rng_seed_stream(hw_rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(hw_rng *r);
/* Uniform double in [0, 1). */
double rng_uniform(hw_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire). n > 0. */
uint64_t rng_below(hw_rng *r, uint64_t n);
/* Standard normal (Box-Muller, no cached second value: state stays 4 words). */
double rng_normal(hw_rng *r);
/* Fisher-Yates shuffle of n ints. */
void rng_shuffle_int(hw_rng *r, int *a, int n);

#endif
