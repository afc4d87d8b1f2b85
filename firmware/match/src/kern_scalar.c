/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_scalar.c — the plain-C reference kernels (always built, every CPU) and
 * the storage helpers: binary16 conversion, int8 quantisation, the interleaved
 * int8 layout. The SIMD kernels are tested against these.
 */
#include <math.h>
#include <string.h>

#include "match_kern.h"

uint16_t
match_f32_to_f16(float f)
{
	/* Round to nearest even, after F. Giesen's float_to_half_fast3_rtne. */
	const uint32_t f16max = (127u + 16u) << 23;	/* 65536.0f: rounds to inf */
	const uint32_t denorm_magic = ((127u - 15u) + (23u - 10u) + 1u) << 23;
	uint32_t x, sign;
	uint16_t o;

	memcpy(&x, &f, sizeof(x));
	sign = x & 0x80000000u;
	x ^= sign;
	if (x >= f16max) {
		o = x > 0x7f800000u ? 0x7e00 : 0x7c00;	/* NaN : inf */
	} else if (x < (113u << 23)) {
		/* result is subnormal or zero: let the FPU round */
		float fx, dm;

		memcpy(&fx, &x, sizeof(fx));
		memcpy(&dm, &denorm_magic, sizeof(dm));
		fx += dm;
		memcpy(&x, &fx, sizeof(x));
		o = (uint16_t)(x - denorm_magic);
	} else {
		uint32_t mant_odd = (x >> 13) & 1u;

		x -= 112u << 23;	/* rebias exponent 127 -> 15 */
		x += 0xfffu + mant_odd;
		o = (uint16_t)(x >> 13);
	}
	return (uint16_t)(o | (sign >> 16));
}

float
match_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, x;
	float f;

	if (exp == 0x1f) {
		x = sign | 0x7f800000u | (man << 13);
	} else if (exp == 0) {
		f = (float)man * 0x1p-24f;	/* exact */
		return sign ? -f : f;
	} else {
		x = sign | ((exp + 112u) << 23) | (man << 13);
	}
	memcpy(&f, &x, sizeof(f));
	return f;
}

float
match_quantize_i8(const float *v, size_t d, int8_t *q)
{
	float maxabs = 0.0f, inv;
	size_t i;

	for (i = 0; i < d; i++)
		if (fabsf(v[i]) > maxabs)
			maxabs = fabsf(v[i]);
	if (!(maxabs > 0.0f)) {
		memset(q, 0, d);
		return 0.0f;
	}
	inv = 127.0f / maxabs;
	for (i = 0; i < d; i++) {
		long r = lrintf(v[i] * inv);

		if (r > 127)
			r = 127;
		if (r < -127)
			r = -127;
		q[i] = (int8_t)r;
	}
	return maxabs / 127.0f;
}

void
match_i8_store_row(int8_t *blocks, size_t r, size_t d, const int8_t *q)
{
	int8_t *blk = blocks + (r / MATCH_I8_BLOCK) * MATCH_I8_BLOCK * d;
	size_t rr = r % MATCH_I8_BLOCK, g;

	for (g = 0; g < d / 4; g++)
		memcpy(blk + g * 32 + rr * 4, q + 4 * g, 4);
}

void
match_i8_load_row(const int8_t *blocks, size_t r, size_t d, int8_t *q)
{
	const int8_t *blk = blocks + (r / MATCH_I8_BLOCK) * MATCH_I8_BLOCK * d;
	size_t rr = r % MATCH_I8_BLOCK, g;

	for (g = 0; g < d / 4; g++)
		memcpy(q + 4 * g, blk + g * 32 + rr * 4, 4);
}

/* The reference accumulates in double: it is the yardstick, not the fast path. */
static float
scalar_dot_f32(const float *a, const float *b, size_t d)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < d; i++)
		s += (double)a[i] * (double)b[i];
	return (float)s;
}

static void
scalar_scan_f32(const float *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = scalar_dot_f32(rows + i * d, q, d);
}

static void
scalar_scan_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const uint16_t *r = rows + i * d;
		double s = 0.0;

		for (j = 0; j < d; j++)
			s += (double)match_f16_to_f32(r[j]) * (double)q[j];
		out[i] = (float)s;
	}
}

static void
scalar_scan_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out)
{
	size_t b, rr, g, j;

	for (b = 0; b < nblk; b++) {
		const int8_t *blk = blocks + b * MATCH_I8_BLOCK * d;

		for (rr = 0; rr < MATCH_I8_BLOCK; rr++) {
			int32_t s = 0;

			for (g = 0; g < d / 4; g++)
				for (j = 0; j < 4; j++)
					s += (int32_t)blk[g * 32 + rr * 4 + j] * (int32_t)q8[4 * g + j];
			out[b * MATCH_I8_BLOCK + rr] = s;
		}
	}
}

static void
scalar_scan_codes(const uint8_t *blocks, size_t nblk, size_t m, const uint8_t *lut, uint16_t *out)
{
	size_t b, i, t;

	for (b = 0; b < nblk; b++) {
		const uint8_t *blk = blocks + b * MATCH_CODE_BLOCK * (m / 2);

		for (i = 0; i < MATCH_CODE_BLOCK; i++) {
			unsigned s = 0;

			for (t = 0; t < m / 2; t++) {
				uint8_t x = blk[t * MATCH_CODE_BLOCK + i];

				s += lut[32 * t + (x & 15u)] + lut[32 * t + 16 + (x >> 4)];
			}
			out[b * MATCH_CODE_BLOCK + i] = (uint16_t)s;
		}
	}
}

const struct match_kernels match_kern_scalar = {
	.name = "scalar",
	.needs = 0,
	.dot_f32 = scalar_dot_f32,
	.scan_f32 = scalar_scan_f32,
	.scan_f16 = scalar_scan_f16,
	.scan_i8 = scalar_scan_i8,
	.scan_codes = scalar_scan_codes,
};
