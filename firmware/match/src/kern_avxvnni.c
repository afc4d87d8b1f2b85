/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kern_avxvnni.c — int8 with AVX-VNNI (256-bit vpdpbusd; -mavx2 -mavxvnni);
 * float and fp16 come from the AVX2 set.
 *
 * vpdpbusd multiplies unsigned by signed bytes and adds groups of four into
 * int32 without saturation. Rows are stored signed; flipping their top bit
 * (xor 0x80) gives r + 128 as unsigned, so the sum is <r, q> + 128·Σq, and the
 * constant 128·Σq is subtracted once per query.
 */
#include <immintrin.h>
#include <string.h>

#include "match_kern.h"

static inline __m256i
bcast4(const int8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return _mm256_set1_epi32(v);
}

static void
avxvnni_scan_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out)
{
	const __m256i flip = _mm256_set1_epi8((char)0x80);
	int32_t corr = 0;
	__m256i vcorr;
	size_t b, g, j;

	for (j = 0; j < d; j++)
		corr += 128 * (int32_t)q8[j];
	vcorr = _mm256_set1_epi32(corr);
	for (b = 0; b < nblk; b++) {
		const __m256i *blk = (const __m256i *)(const void *)(blocks + b * MATCH_I8_BLOCK * d);
		__m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
		__m256i a2 = _mm256_setzero_si256(), a3 = _mm256_setzero_si256();

		for (g = 0; g < d / 4; g += 4) {
			a0 = _mm256_dpbusd_avx_epi32(a0, _mm256_xor_si256(_mm256_load_si256(blk + g), flip),
			    bcast4(q8 + 4 * g));
			a1 = _mm256_dpbusd_avx_epi32(a1, _mm256_xor_si256(_mm256_load_si256(blk + g + 1), flip),
			    bcast4(q8 + 4 * g + 4));
			a2 = _mm256_dpbusd_avx_epi32(a2, _mm256_xor_si256(_mm256_load_si256(blk + g + 2), flip),
			    bcast4(q8 + 4 * g + 8));
			a3 = _mm256_dpbusd_avx_epi32(a3, _mm256_xor_si256(_mm256_load_si256(blk + g + 3), flip),
			    bcast4(q8 + 4 * g + 12));
		}
		a0 = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
		_mm256_storeu_si256((__m256i *)(void *)(out + b * MATCH_I8_BLOCK),
		    _mm256_sub_epi32(a0, vcorr));
	}
}

/* four queries: each row load feeds four vpdpbusd; even and odd groups go
 * to separate accumulators so eight chains are in flight */
static void
avxvnni_scan4_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8, int32_t *out,
    size_t os)
{
	const __m256i flip = _mm256_set1_epi8((char)0x80);
	int32_t corr[4] = { 0 };
	size_t b, g, j, u;

	for (u = 0; u < 4; u++)
		for (j = 0; j < d; j++)
			corr[u] += 128 * (int32_t)q8[u * d + j];
	for (b = 0; b < nblk; b++) {
		const __m256i *blk = (const __m256i *)(const void *)(blocks + b * MATCH_I8_BLOCK * d);
		__m256i a[2][4];

		for (u = 0; u < 4; u++)
			a[0][u] = a[1][u] = _mm256_setzero_si256();
		for (g = 0; g < d / 4; g += 2) {
			__m256i r0 = _mm256_xor_si256(_mm256_load_si256(blk + g), flip);
			__m256i r1 = _mm256_xor_si256(_mm256_load_si256(blk + g + 1), flip);

			for (u = 0; u < 4; u++) {
				a[0][u] = _mm256_dpbusd_avx_epi32(a[0][u], r0, bcast4(q8 + u * d + 4 * g));
				a[1][u] = _mm256_dpbusd_avx_epi32(a[1][u], r1, bcast4(q8 + u * d + 4 * g + 4));
			}
		}
		for (u = 0; u < 4; u++)
			_mm256_storeu_si256((__m256i *)(void *)(out + u * os + b * MATCH_I8_BLOCK),
			    _mm256_sub_epi32(_mm256_add_epi32(a[0][u], a[1][u]), _mm256_set1_epi32(corr[u])));
	}
}

const struct match_kernels match_kern_avxvnni = {
	.name = "avxvnni",
	.needs = MATCH_CPU_AVX2 | MATCH_CPU_FMA | MATCH_CPU_F16C | MATCH_CPU_AVXVNNI,
	.dot_f32 = match_avx2_dot_f32,
	.scan_f32 = match_avx2_scan_f32,
	.scan_f16 = match_avx2_scan_f16,
	.scan_i8 = avxvnni_scan_i8,
	.scan4_f32 = match_avx2_scan4_f32,
	.scan4_f16 = match_avx2_scan4_f16,
	.scan4_i8 = avxvnni_scan4_i8,
	.scan_codes = match_avx2_scan_codes,
};
