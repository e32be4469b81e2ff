/* The generator's own PRNG: xoshiro256** seeded through splitmix64.
 *
 * Why not rand(): its sequence differs between C libraries, and a capture must be the same
 * bytes for the same seed on every machine. Several independent streams are drawn from one
 * seed (the market model, each line's anomalies), so that asking for --loss-a does not change
 * which messages are generated. */
#ifndef TP_GEN_PRNG_H
#define TP_GEN_PRNG_H

#include <stdint.h>

struct tp_gen_rng {
	uint64_t s[4];
};

static inline uint64_t tp_gen_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* `stream` selects an independent sequence for the same seed. */
static inline void tp_gen_rng_seed(struct tp_gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	uint64_t mix = tp_gen_splitmix64(&x) ^ (stream * 0xd1b54a32d192ed03ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = tp_gen_splitmix64(&mix);
}

static inline uint64_t tp_gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t tp_gen_rng_next(struct tp_gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = tp_gen_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = tp_gen_rotl(s[3], 45);
	return out;
}

/* Uniform in [0, n) for n >= 1 (multiply-shift; the bias is below 2^-32, irrelevant here). */
static inline uint32_t tp_gen_rng_below(struct tp_gen_rng *r, uint32_t n)
{
	return (uint32_t)(((tp_gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static inline double tp_gen_rng_unit(struct tp_gen_rng *r)
{
	return (double)(tp_gen_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
