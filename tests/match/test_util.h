/* SPDX-License-Identifier: Apache-2.0 */
/* test_util.h — deterministic random vectors for the match tests (also used
 * by the aarch64 driver, so plain C only). */
#ifndef EGATE_TEST_MATCH_UTIL_H
#define EGATE_TEST_MATCH_UTIL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

struct trng {
	uint64_t s;
};

static inline uint64_t
trng_u64(struct trng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

/* uniform in [0, 1) */
static inline double
trng_unif(struct trng *r)
{
	return (double)(trng_u64(r) >> 11) * 0x1p-53;
}

static inline float
trng_gauss(struct trng *r)
{
	double u = trng_unif(r), v = trng_unif(r);

	if (u < 1e-300)
		u = 1e-300;
	return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

/* a random unit vector (Gaussian direction) */
static inline void
trng_unit(struct trng *r, float *v, size_t d)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < d; i++) {
		v[i] = trng_gauss(r);
		s += (double)v[i] * v[i];
	}
	for (i = 0; i < d; i++)
		v[i] = (float)(v[i] / sqrt(s));
}

/* a unit vector near src: src + Gaussian noise of norm ≈ noise, renormalised */
static inline void
trng_noisy(struct trng *r, const float *src, float *v, size_t d, float noise)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < d; i++) {
		v[i] = src[i] + noise * trng_gauss(r) / sqrtf((float)d);
		s += (double)v[i] * v[i];
	}
	for (i = 0; i < d; i++)
		v[i] = (float)(v[i] / sqrt(s));
}

#endif
