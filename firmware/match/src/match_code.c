/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match_code.c — compact codes for the short-list search: a fixed random
 * rotation, 1/2/4-bit scalar quantisation of the rotated vector, nibble
 * packing into blocks of 32 rows, and the per-query lookup tables the
 * fast-scan kernels (scan_codes) sum.
 *
 * Why a rotation: the codes quantise every dimension with the same levels,
 * which is right when the coordinates look alike (≈ N(0, 1/d) for a unit
 * vector). Real embeddings need not: a few dimensions may carry most of the
 * energy. A randomised Hadamard transform (fixed pseudo-random signs, then a
 * Walsh–Hadamard transform over blocks of B = the largest power of two
 * dividing d) is orthogonal, so inner products are unchanged, and it spreads
 * the energy evenly. It costs O(d log d) per vector (once per row at add,
 * once per query).
 *
 * Levels (units of σ = ‖x‖/√d; Lloyd–Max for a Gaussian where it matters):
 *   1 bit  sign: ±0.798
 *   2 bits thresholds 0, ±0.9816; levels ±0.4528, ±1.510
 *   4 bits uniform step 0.3352, levels (c − 7.5)·step, clipped
 * The codes of one row only rank candidates: the short list is re-scored
 * with the stored rows, so the levels need not be exact.
 */
#include <math.h>
#include <string.h>

#include "match_kern.h"

static const float lvl1[2] = { -0.7979f, 0.7979f };
static const float lvl2[4] = { -1.510f, -0.4528f, 0.4528f, 1.510f };
#define T2 0.9816f
#define STEP4 0.3352f

size_t
match_code_m(size_t d, unsigned bits)
{
	return d * bits / 4;
}

/* fixed pseudo-random sign of dimension i (splitmix64 of i) */
static inline int
rot_sign(size_t i)
{
	uint64_t z = (uint64_t)i + 0x9e3779b97f4a7c15ULL * 0x5eedULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (int)(z >> 63);
}

void
match_code_rotate(const float *v, size_t d, float *out)
{
	size_t blk = d & (~d + 1), b, h, i, j;	/* largest power of two dividing d */
	float norm;

	for (i = 0; i < d; i++)
		out[i] = rot_sign(i) ? -v[i] : v[i];
	for (b = 0; b < d; b += blk)
		for (h = 1; h < blk; h *= 2)
			for (i = b; i < b + blk; i += 2 * h)
				for (j = i; j < i + h; j++) {
					float x = out[j], y = out[j + h];

					out[j] = x + y;
					out[j + h] = x - y;
				}
	norm = 1.0f / sqrtf((float)blk);
	for (i = 0; i < d; i++)
		out[i] *= norm;
}

/* code of one rotated coordinate y, with inv = 1/σ; total for any input
 * (a NaN from an overflowing row codes as 0 and merely ranks badly) */
static inline unsigned
code_of(float y, float inv, unsigned bits)
{
	float z = y * inv, f;

	switch (bits) {
	case 1:
		return z >= 0.0f;
	case 2:
		return z >= T2 ? 3u : z >= 0.0f ? 2u : z >= -T2 ? 1u : 0u;
	default:
		f = floorf(z / STEP4);
		if (!(f >= -8.0f))
			return 0u;
		return f >= 7.0f ? 15u : (unsigned)((int)f + 8);
	}
}

static inline float
level_of(unsigned c, unsigned bits)
{
	switch (bits) {
	case 1: return lvl1[c & 1];
	case 2: return lvl2[c & 3];
	default: return ((float)c - 7.5f) * STEP4;
	}
}

void
match_code_store_row(uint8_t *blocks, size_t r, size_t d, unsigned bits, const float *v, float *tmp)
{
	size_t m = match_code_m(d, bits), per = 4 / bits, p, j;
	uint8_t *blk = blocks + (r / MATCH_CODE_BLOCK) * MATCH_CODE_BLOCK * (m / 2);
	size_t ri = r % MATCH_CODE_BLOCK;
	double s = 0.0;
	float inv;

	match_code_rotate(v, d, tmp);
	for (j = 0; j < d; j++)
		s += (double)tmp[j] * tmp[j];
	inv = s > 0.0 && isfinite(s) ? (float)(sqrt((double)d / s)) : 0.0f;
	for (p = 0; p < m; p++) {
		unsigned nib = 0;
		uint8_t *byte = blk + (p / 2) * MATCH_CODE_BLOCK + ri;

		for (j = 0; j < per; j++)
			nib |= code_of(tmp[p * per + j], inv, bits) << (bits * j);
		if (p & 1)
			*byte = (uint8_t)((*byte & 0x0f) | (nib << 4));
		else
			*byte = (uint8_t)((*byte & 0xf0) | nib);
	}
}

unsigned
match_code_lut(const float *q, size_t d, unsigned bits, uint8_t *lut, float *tmp)
{
	size_t m = match_code_m(d, bits), per = 4 / bits, p, j;
	unsigned v, vmax = 65535u / (unsigned)m, mask = (1u << bits) - 1u;
	float f[16], range = 0.0f, scale;

	if (vmax > 127)
		vmax = 127;
	match_code_rotate(q, d, tmp);
	/* first pass: the widest table sets the scale */
	for (p = 0; p < m; p++) {
		float lo = INFINITY, hi = -INFINITY;

		for (v = 0; v < 16; v++) {
			float s = 0.0f;

			for (j = 0; j < per; j++)
				s += level_of((v >> (bits * j)) & mask, bits) * tmp[p * per + j];
			lo = s < lo ? s : lo;
			hi = s > hi ? s : hi;
		}
		if (hi - lo > range)
			range = hi - lo;
	}
	scale = range > 0.0f && isfinite(range) ? (float)vmax / range : 0.0f;
	for (p = 0; p < m; p++) {
		float lo = INFINITY;

		for (v = 0; v < 16; v++) {
			f[v] = 0.0f;
			for (j = 0; j < per; j++)
				f[v] += level_of((v >> (bits * j)) & mask, bits) * tmp[p * per + j];
			lo = f[v] < lo ? f[v] : lo;
		}
		for (v = 0; v < 16; v++) {
			float x = (f[v] - lo) * scale;

			if (!(x >= 0.0f))	/* also NaN from an overflowing query */
				x = 0.0f;
			lut[p * 16 + v] = (uint8_t)(x >= (float)vmax ? vmax : (unsigned)lrintf(x));
		}
	}
	return vmax;
}
