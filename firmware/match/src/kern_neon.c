/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_neon.c — AArch64 Advanced SIMD kernels. NEON is baseline on AArch64,
 * so this set always runs there. int8 uses only ARMv8.0 instructions
 * (SMULL/SADALP, no SDOT): each 16-byte half of a group holds 4 bytes of 4
 * rows; products of two rows are widened to int16 (|127·127| fits) and
 * pair-added into int32 lanes.
 */
#include <arm_neon.h>

#include "match_kern.h"

static float
neon_dot_f32(const float *a, const float *b, size_t d)
{
	float32x4_t s0 = vdupq_n_f32(0.0f), s1 = vdupq_n_f32(0.0f);
	float32x4_t s2 = vdupq_n_f32(0.0f), s3 = vdupq_n_f32(0.0f);
	size_t j = 0;
	float s;

	for (; j + 16 <= d; j += 16) {
		s0 = vfmaq_f32(s0, vld1q_f32(a + j), vld1q_f32(b + j));
		s1 = vfmaq_f32(s1, vld1q_f32(a + j + 4), vld1q_f32(b + j + 4));
		s2 = vfmaq_f32(s2, vld1q_f32(a + j + 8), vld1q_f32(b + j + 8));
		s3 = vfmaq_f32(s3, vld1q_f32(a + j + 12), vld1q_f32(b + j + 12));
	}
	s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
	for (; j < d; j++)
		s += a[j] * b[j];
	return s;
}

static void
neon_scan_f32(const float *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = neon_dot_f32(rows + i * d, q, d);
}

static void
neon_scan_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const uint16_t *r = rows + i * d;
		float32x4_t s0 = vdupq_n_f32(0.0f), s1 = vdupq_n_f32(0.0f);
		float32x4_t s2 = vdupq_n_f32(0.0f), s3 = vdupq_n_f32(0.0f);

		for (j = 0; j < d; j += 16) {
			float16x8_t h0 = vreinterpretq_f16_u16(vld1q_u16(r + j));
			float16x8_t h1 = vreinterpretq_f16_u16(vld1q_u16(r + j + 8));

			s0 = vfmaq_f32(s0, vcvt_f32_f16(vget_low_f16(h0)), vld1q_f32(q + j));
			s1 = vfmaq_f32(s1, vcvt_high_f32_f16(h0), vld1q_f32(q + j + 4));
			s2 = vfmaq_f32(s2, vcvt_f32_f16(vget_low_f16(h1)), vld1q_f32(q + j + 8));
			s3 = vfmaq_f32(s3, vcvt_high_f32_f16(h1), vld1q_f32(q + j + 12));
		}
		out[i] = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
	}
}

static void
neon_scan_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out)
{
	size_t b, g;

	for (b = 0; b < nblk; b++) {
		const int8_t *blk = blocks + b * MATCH_I8_BLOCK * d;
		int32x4_t a01 = vdupq_n_s32(0), a23 = vdupq_n_s32(0);
		int32x4_t a45 = vdupq_n_s32(0), a67 = vdupq_n_s32(0);

		for (g = 0; g < d / 4; g++) {
			/* the query's 4 bytes, repeated: q0 q1 q2 q3 q0 q1 q2 q3 */
			int8x8_t qv = vreinterpret_s8_s32(vld1_dup_s32((const int32_t *)(const void *)(q8 + 4 * g)));
			int8x16_t r0 = vld1q_s8(blk + g * 32);		/* rows 0..3 */
			int8x16_t r1 = vld1q_s8(blk + g * 32 + 16);	/* rows 4..7 */

			a01 = vpadalq_s16(a01, vmull_s8(vget_low_s8(r0), qv));
			a23 = vpadalq_s16(a23, vmull_s8(vget_high_s8(r0), qv));
			a45 = vpadalq_s16(a45, vmull_s8(vget_low_s8(r1), qv));
			a67 = vpadalq_s16(a67, vmull_s8(vget_high_s8(r1), qv));
		}
		/* lanes: a01 = {r0a, r0b, r1a, r1b} → pairwise adds give r0..r3 */
		vst1q_s32(out + b * MATCH_I8_BLOCK, vpaddq_s32(a01, a23));
		vst1q_s32(out + b * MATCH_I8_BLOCK + 4, vpaddq_s32(a45, a67));
	}
}

/* Four queries against the same block: each 32-byte group load feeds four
 * queries (16 accumulators of the 32 registers). */
static void
neon_scan4_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out,
    size_t os)
{
	size_t b, g, u;

	for (b = 0; b < nblk; b++) {
		const int8_t *blk = blocks + b * MATCH_I8_BLOCK * d;
		int32x4_t a[4][4];

		for (u = 0; u < 4; u++)
			a[u][0] = a[u][1] = a[u][2] = a[u][3] = vdupq_n_s32(0);
		for (g = 0; g < d / 4; g++) {
			int8x16_t r0 = vld1q_s8(blk + g * 32), r1 = vld1q_s8(blk + g * 32 + 16);

			for (u = 0; u < 4; u++) {
				int8x8_t qv = vreinterpret_s8_s32(vld1_dup_s32(
				    (const int32_t *)(const void *)(q8 + u * d + 4 * g)));

				a[u][0] = vpadalq_s16(a[u][0], vmull_s8(vget_low_s8(r0), qv));
				a[u][1] = vpadalq_s16(a[u][1], vmull_s8(vget_high_s8(r0), qv));
				a[u][2] = vpadalq_s16(a[u][2], vmull_s8(vget_low_s8(r1), qv));
				a[u][3] = vpadalq_s16(a[u][3], vmull_s8(vget_high_s8(r1), qv));
			}
		}
		for (u = 0; u < 4; u++) {
			vst1q_s32(out + u * os + b * MATCH_I8_BLOCK, vpaddq_s32(a[u][0], a[u][1]));
			vst1q_s32(out + u * os + b * MATCH_I8_BLOCK + 4, vpaddq_s32(a[u][2], a[u][3]));
		}
	}
}

/* Compact codes: vqtbl1q_u8 looks up 16 rows' nibbles at once; two entries
 * fit a byte (≤ 127 each) and rows are widened into 16-bit sums (≤ 65535). */
static void
neon_scan_codes(const uint8_t *blocks, size_t nblk, size_t m, const uint8_t *lut, uint16_t *out)
{
	const uint8x16_t low4 = vdupq_n_u8(0x0f);
	size_t b, t, np = m / 2;

	for (b = 0; b < nblk; b++) {
		const uint8_t *blk = blocks + b * MATCH_CODE_BLOCK * np;
		uint16x8_t a0 = vdupq_n_u16(0), a1 = vdupq_n_u16(0);
		uint16x8_t a2 = vdupq_n_u16(0), a3 = vdupq_n_u16(0);

		for (t = 0; t < np; t++) {
			uint8x16_t l = vld1q_u8(lut + 32 * t), h = vld1q_u8(lut + 32 * t + 16);
			uint8x16_t x0 = vld1q_u8(blk + 32 * t), x1 = vld1q_u8(blk + 32 * t + 16);
			uint8x16_t s0 = vaddq_u8(vqtbl1q_u8(l, vandq_u8(x0, low4)),
			    vqtbl1q_u8(h, vshrq_n_u8(x0, 4)));
			uint8x16_t s1 = vaddq_u8(vqtbl1q_u8(l, vandq_u8(x1, low4)),
			    vqtbl1q_u8(h, vshrq_n_u8(x1, 4)));

			a0 = vaddw_u8(a0, vget_low_u8(s0));
			a1 = vaddw_high_u8(a1, s0);
			a2 = vaddw_u8(a2, vget_low_u8(s1));
			a3 = vaddw_high_u8(a3, s1);
		}
		vst1q_u16(out + b * MATCH_CODE_BLOCK, a0);
		vst1q_u16(out + b * MATCH_CODE_BLOCK + 8, a1);
		vst1q_u16(out + b * MATCH_CODE_BLOCK + 16, a2);
		vst1q_u16(out + b * MATCH_CODE_BLOCK + 24, a3);
	}
}

const struct match_kernels match_kern_neon = {
	.name = "neon",
	.needs = 0,	/* NEON is baseline on AArch64 */
	.dot_f32 = neon_dot_f32,
	.scan_f32 = neon_scan_f32,
	.scan_f16 = neon_scan_f16,
	.scan_i8 = neon_scan_i8,
	.scan4_i8 = neon_scan4_i8,
	.scan_codes = neon_scan_codes,
};
