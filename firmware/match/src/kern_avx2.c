/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_avx2.c — AVX2 + FMA + F16C kernels (compiled with -mavx2 -mfma -mf16c;
 * only called when the CPU has them).
 *
 * int8 without VNNI: _mm256_maddubs_epi16 multiplies unsigned by signed bytes,
 * so the query's sign is moved onto the row (_mm256_sign_epi8) and |q| is the
 * unsigned operand. With both in [-127, 127] a pair sum is at most
 * 2·127·127 = 32258 and the int16 never saturates.
 */
#include <immintrin.h>
#include <string.h>

#include "match_kern.h"

static inline float
hsum256(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	__m128 sh = _mm_movehdup_ps(s);

	s = _mm_add_ps(s, sh);
	sh = _mm_movehl_ps(sh, s);
	s = _mm_add_ss(s, sh);
	return _mm_cvtss_f32(s);
}

float
match_avx2_dot_f32(const float *a, const float *b, size_t d)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	size_t j = 0;
	float s;

	for (; j + 32 <= d; j += 32) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 8), _mm256_loadu_ps(b + j + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 16), _mm256_loadu_ps(b + j + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j + 24), _mm256_loadu_ps(b + j + 24), s3);
	}
	for (; j + 8 <= d; j += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j), s0);
	s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; j < d; j++)
		s += a[j] * b[j];
	return s;
}

void
match_avx2_scan_f32(const float *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const float *r = rows + i * d;
		__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
		__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();

		for (j = 0; j < d; j += 32) {
			s0 = _mm256_fmadd_ps(_mm256_load_ps(r + j), _mm256_loadu_ps(q + j), s0);
			s1 = _mm256_fmadd_ps(_mm256_load_ps(r + j + 8), _mm256_loadu_ps(q + j + 8), s1);
			s2 = _mm256_fmadd_ps(_mm256_load_ps(r + j + 16), _mm256_loadu_ps(q + j + 16), s2);
			s3 = _mm256_fmadd_ps(_mm256_load_ps(r + j + 24), _mm256_loadu_ps(q + j + 24), s3);
		}
		out[i] = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	}
}

void
match_avx2_scan_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const uint16_t *r = rows + i * d;
		__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
		__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();

		for (j = 0; j < d; j += 32) {
			const __m128i *p = (const __m128i *)(const void *)(r + j);

			s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(p)),
			    _mm256_loadu_ps(q + j), s0);
			s1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(p + 1)),
			    _mm256_loadu_ps(q + j + 8), s1);
			s2 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(p + 2)),
			    _mm256_loadu_ps(q + j + 16), s2);
			s3 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(p + 3)),
			    _mm256_loadu_ps(q + j + 24), s3);
		}
		out[i] = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	}
}

/* Four queries against two rows at a time: eight FMA chains; each row is
 * loaded (and for fp16 converted) once for four queries. */
void
match_avx2_scan4_f32(const float *rows, size_t n, size_t d, const float *q, float *out, size_t os)
{
	size_t i, j, u;

	for (i = 0; i + 2 <= n; i += 2) {
		const float *r0 = rows + i * d, *r1 = r0 + d;
		__m256 a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm256_setzero_ps();
		for (j = 0; j < d; j += 8) {
			__m256 x0 = _mm256_load_ps(r0 + j), x1 = _mm256_load_ps(r1 + j);

			for (u = 0; u < 4; u++) {
				__m256 qv = _mm256_loadu_ps(q + u * d + j);

				a[0][u] = _mm256_fmadd_ps(x0, qv, a[0][u]);
				a[1][u] = _mm256_fmadd_ps(x1, qv, a[1][u]);
			}
		}
		for (u = 0; u < 4; u++) {
			out[u * os + i] = hsum256(a[0][u]);
			out[u * os + i + 1] = hsum256(a[1][u]);
		}
	}
	for (; i < n; i++)
		for (u = 0; u < 4; u++)
			match_avx2_scan_f32(rows + i * d, 1, d, q + u * d, out + u * os + i);
}

void
match_avx2_scan4_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out, size_t os)
{
	size_t i, j, u;

	for (i = 0; i + 2 <= n; i += 2) {
		const uint16_t *r0 = rows + i * d, *r1 = r0 + d;
		__m256 a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm256_setzero_ps();
		for (j = 0; j < d; j += 8) {
			__m256 x0 = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(const void *)(r0 + j)));
			__m256 x1 = _mm256_cvtph_ps(_mm_load_si128((const __m128i *)(const void *)(r1 + j)));

			for (u = 0; u < 4; u++) {
				__m256 qv = _mm256_loadu_ps(q + u * d + j);

				a[0][u] = _mm256_fmadd_ps(x0, qv, a[0][u]);
				a[1][u] = _mm256_fmadd_ps(x1, qv, a[1][u]);
			}
		}
		for (u = 0; u < 4; u++) {
			out[u * os + i] = hsum256(a[0][u]);
			out[u * os + i + 1] = hsum256(a[1][u]);
		}
	}
	for (; i < n; i++)
		for (u = 0; u < 4; u++)
			match_avx2_scan_f16(rows + i * d, 1, d, q + u * d, out + u * os + i);
}

static inline __m256i
bcast4(const int8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return _mm256_set1_epi32(v);
}

void
match_avx2_scan_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out)
{
	_Alignas(64) int8_t absq[MATCH_KERN_DIM_MAX];
	const __m256i ones = _mm256_set1_epi16(1);
	size_t b, g, j;

	for (j = 0; j < d; j++)
		absq[j] = (int8_t)(q8[j] < 0 ? -q8[j] : q8[j]);
	for (b = 0; b < nblk; b++) {
		const __m256i *blk = (const __m256i *)(const void *)(blocks + b * MATCH_I8_BLOCK * d);
		__m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
		__m256i a2 = _mm256_setzero_si256(), a3 = _mm256_setzero_si256();

		for (g = 0; g < d / 4; g += 4) {
#define STEP(acc, u) do { \
		__m256i r_ = _mm256_sign_epi8(_mm256_load_si256(blk + g + (u)), bcast4(q8 + 4 * (g + (u)))); \
		__m256i p_ = _mm256_maddubs_epi16(bcast4(absq + 4 * (g + (u))), r_); \
		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p_, ones)); \
	} while (0)
			STEP(a0, 0);
			STEP(a1, 1);
			STEP(a2, 2);
			STEP(a3, 3);
#undef STEP
		}
		a0 = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
		_mm256_storeu_si256((__m256i *)(void *)(out + b * MATCH_I8_BLOCK), a0);
	}
}

/*
 * Four queries, two blocks: per group of 4 dimensions, two row loads and
 * four query broadcasts feed eight sign/maddubs/madd chains (register
 * blocking: each row load serves four queries, each query load two blocks).
 */
void
match_avx2_scan4_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out,
    size_t os)
{
	_Alignas(64) int8_t absq[4][MATCH_KERN_DIM_MAX];
	const __m256i ones = _mm256_set1_epi16(1);
	size_t b, g, j, u;

	for (u = 0; u < 4; u++)
		for (j = 0; j < d; j++)
			absq[u][j] = (int8_t)(q8[u * d + j] < 0 ? -q8[u * d + j] : q8[u * d + j]);
	for (b = 0; b + 2 <= nblk; b += 2) {
		const __m256i *b0 = (const __m256i *)(const void *)(blocks + b * MATCH_I8_BLOCK * d);
		const __m256i *b1 = (const __m256i *)(const void *)(blocks + (b + 1) * MATCH_I8_BLOCK * d);
		__m256i a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm256_setzero_si256();
		for (g = 0; g < d / 4; g++) {
			__m256i r0 = _mm256_load_si256(b0 + g), r1 = _mm256_load_si256(b1 + g);

			for (u = 0; u < 4; u++) {
				__m256i qs = bcast4(q8 + u * d + 4 * g), qa = bcast4(absq[u] + 4 * g);

				a[0][u] = _mm256_add_epi32(a[0][u], _mm256_madd_epi16(
				    _mm256_maddubs_epi16(qa, _mm256_sign_epi8(r0, qs)), ones));
				a[1][u] = _mm256_add_epi32(a[1][u], _mm256_madd_epi16(
				    _mm256_maddubs_epi16(qa, _mm256_sign_epi8(r1, qs)), ones));
			}
		}
		for (u = 0; u < 4; u++) {
			_mm256_storeu_si256((__m256i *)(void *)(out + u * os + b * MATCH_I8_BLOCK), a[0][u]);
			_mm256_storeu_si256((__m256i *)(void *)(out + u * os + (b + 1) * MATCH_I8_BLOCK),
			    a[1][u]);
		}
	}
	for (; b < nblk; b++)
		for (u = 0; u < 4; u++)
			match_avx2_scan_i8(blocks + b * MATCH_I8_BLOCK * d, 1, d, q8 + u * d,
			    out + u * os + b * MATCH_I8_BLOCK);
}

/*
 * Compact codes: per 32 bytes (two nibble positions of 32 rows), two
 * in-lane table lookups (vpshufb; the 16-byte table is in both lanes) whose
 * sum fits a byte (entries ≤ 127). The bytes are summed in 16-bit lanes
 * without unpacking: acc += word (low byte + 256·high byte, modulo 2^16) and
 * hi += word >> 8; at the end even rows are acc − 256·hi, odd rows hi. Every
 * row's total is ≤ 65535 (match_code_lut), so the modular sums are exact.
 */
void
match_avx2_scan_codes(const uint8_t *blocks, size_t nblk, size_t m, const uint8_t *lut,
    uint16_t *out)
{
	const __m256i low4 = _mm256_set1_epi8(0x0f);
	size_t b, t, np = m / 2;

	for (b = 0; b < nblk; b++) {
		const __m256i *blk = (const __m256i *)(const void *)(blocks + b * MATCH_CODE_BLOCK * np);
		__m256i acc0 = _mm256_setzero_si256(), hi0 = _mm256_setzero_si256();
		__m256i acc1 = _mm256_setzero_si256(), hi1 = _mm256_setzero_si256();
		__m256i even, odd, lo, hi;

		for (t = 0; t + 2 <= np; t += 2) {
			__m256i x0 = _mm256_load_si256(blk + t), x1 = _mm256_load_si256(blk + t + 1);
			__m256i l0 = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(lut + 32 * t)));
			__m256i h0 = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(lut + 32 * t + 16)));
			__m256i l1 = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(lut + 32 * t + 32)));
			__m256i h1 = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(lut + 32 * t + 48)));
			__m256i s0 = _mm256_add_epi8(_mm256_shuffle_epi8(l0, _mm256_and_si256(x0, low4)),
			    _mm256_shuffle_epi8(h0, _mm256_and_si256(_mm256_srli_epi16(x0, 4), low4)));
			__m256i s1 = _mm256_add_epi8(_mm256_shuffle_epi8(l1, _mm256_and_si256(x1, low4)),
			    _mm256_shuffle_epi8(h1, _mm256_and_si256(_mm256_srli_epi16(x1, 4), low4)));

			acc0 = _mm256_add_epi16(acc0, s0);
			hi0 = _mm256_add_epi16(hi0, _mm256_srli_epi16(s0, 8));
			acc1 = _mm256_add_epi16(acc1, s1);
			hi1 = _mm256_add_epi16(hi1, _mm256_srli_epi16(s1, 8));
		}
		for (; t < np; t++) {
			__m256i x0 = _mm256_load_si256(blk + t);
			__m256i l0 = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(lut + 32 * t)));
			__m256i h0 = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(lut + 32 * t + 16)));
			__m256i s0 = _mm256_add_epi8(_mm256_shuffle_epi8(l0, _mm256_and_si256(x0, low4)),
			    _mm256_shuffle_epi8(h0, _mm256_and_si256(_mm256_srli_epi16(x0, 4), low4)));

			acc0 = _mm256_add_epi16(acc0, s0);
			hi0 = _mm256_add_epi16(hi0, _mm256_srli_epi16(s0, 8));
		}
		acc0 = _mm256_add_epi16(acc0, acc1);
		odd = _mm256_add_epi16(hi0, hi1);
		even = _mm256_sub_epi16(acc0, _mm256_slli_epi16(odd, 8));
		/* rows 2w / 2w+1 sit in word w of even / odd; lanes hold rows 0-15 and 16-31 */
		lo = _mm256_unpacklo_epi16(even, odd);	/* rows 0-7 | 16-23 */
		hi = _mm256_unpackhi_epi16(even, odd);	/* rows 8-15 | 24-31 */
		_mm256_storeu_si256((__m256i *)(void *)(out + b * MATCH_CODE_BLOCK),
		    _mm256_permute2x128_si256(lo, hi, 0x20));
		_mm256_storeu_si256((__m256i *)(void *)(out + b * MATCH_CODE_BLOCK + 16),
		    _mm256_permute2x128_si256(lo, hi, 0x31));
	}
}

const struct match_kernels match_kern_avx2 = {
	.name = "avx2",
	.needs = MATCH_CPU_AVX2 | MATCH_CPU_FMA | MATCH_CPU_F16C,
	.dot_f32 = match_avx2_dot_f32,
	.scan_f32 = match_avx2_scan_f32,
	.scan_f16 = match_avx2_scan_f16,
	.scan_i8 = match_avx2_scan_i8,
	.scan4_f32 = match_avx2_scan4_f32,
	.scan4_f16 = match_avx2_scan4_f16,
	.scan4_i8 = match_avx2_scan4_i8,
	.scan_codes = match_avx2_scan_codes,
};
