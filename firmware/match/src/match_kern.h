/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match_kern.h — internal: the kernel table and the storage helpers shared by
 * the gallery code, the kernels and the kernel tests (native and aarch64).
 *
 * Layouts (d a multiple of 32):
 *   f32  rows of d floats, row-major.
 *   f16  rows of d IEEE binary16 values (uint16_t bits), row-major.
 *   i8   blocks of 8 rows. Inside a block, for each group g of 4 dimensions
 *        (g = 0 .. d/4-1), 32 bytes: row 0's dims 4g..4g+3, row 1's, … row 7's.
 *        A block is 8·d bytes; a search reads the gallery as one stream, and
 *        one 256-bit load holds 4 products for each of 8 rows. Values are in
 *        [-127, 127] (never -128: the AVX2 sign trick needs it). Padding rows
 *        of the last block are zero.
 *   codes  compact codes (match_code.c): m = d·bits/4 nibbles a row, stored
 *        in blocks of 32 rows. Inside a block, for each pair of nibble
 *        positions t (0 .. m/2-1), 32 bytes: byte i is row i's nibble 2t in
 *        the low half and nibble 2t+1 in the high half. A block is 16·m
 *        bytes (d·bits/8 a row).
 */
#ifndef EGATE_MATCH_KERN_H
#define EGATE_MATCH_KERN_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_I8_BLOCK 8u	/* rows per interleaved int8 block */
#define MATCH_CODE_BLOCK 32u	/* rows per block of compact codes */
#define MATCH_KERN_DIM_MAX 2048u	/* = MATCH_DIM_MAX; sizes kernel stack buffers */

/*
 * A kernel set. Every function reads its inputs only and writes out[]; none
 * allocates. Pointers are 64-byte aligned gallery rows (queries: any float
 * alignment; int8 queries 64-byte aligned scratch).
 *   dot_f32   inner product of two d-float vectors.
 *   scan_f32  out[i] = <rows[i], q> for n rows.
 *   scan_f16  out[i] = <f16 rows[i], q> for n rows.
 *   scan_i8   out[8b + r] = integer <row 8b+r, q8> for nblk interleaved blocks.
 */
/* CPU features a kernel set needs (bits of match_cpu_features()). */
#define MATCH_CPU_AVX2 (1u << 0)	/* with OS support for YMM state */
#define MATCH_CPU_FMA (1u << 1)
#define MATCH_CPU_F16C (1u << 2)
#define MATCH_CPU_AVXVNNI (1u << 3)
#define MATCH_CPU_AVX512 (1u << 4)	/* F + BW + VL, with OS support for ZMM state */
#define MATCH_CPU_AVX512VNNI (1u << 5)

struct match_kernels {
	const char *name;
	unsigned needs;		/* MATCH_CPU_* bits; 0 = runs everywhere it compiles */
	float (*dot_f32)(const float *a, const float *b, size_t d);
	void (*scan_f32)(const float *rows, size_t n, size_t d, const float *q, float *out);
	void (*scan_f16)(const uint16_t *rows, size_t n, size_t d, const float *q, float *out);
	void (*scan_i8)(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8,
	    int32_t *out);
	/*
	 * Optional (NULL: the search calls the one-query scan four times):
	 * four queries against the same rows in one pass, so a batch reads each
	 * row from cache once per four queries. q holds 4·d floats (q8: 4·d
	 * int8) contiguous; query j's results go to out + j·ostride.
	 */
	void (*scan4_f32)(const float *rows, size_t n, size_t d, const float *q, float *out,
	    size_t ostride);
	void (*scan4_f16)(const uint16_t *rows, size_t n, size_t d, const float *q, float *out,
	    size_t ostride);
	void (*scan4_i8)(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8,
	    int32_t *out, size_t ostride);
	/*
	 * Compact codes (fast scan): out[32b + i] = Σ_p lut[16p + nibble p of
	 * row 32b+i] for nblk blocks of m nibble positions (m even). The table
	 * entries are at most 65535/m (match_code_lut), so the sums fit 16 bits
	 * and two entries fit one byte.
	 */
	void (*scan_codes)(const uint8_t *blocks, size_t nblk, size_t m, const uint8_t *lut,
	    uint16_t *out);
};

extern const struct match_kernels match_kern_scalar;
#if defined(__x86_64__)
extern const struct match_kernels match_kern_avx2;
extern const struct match_kernels match_kern_avxvnni;
extern const struct match_kernels match_kern_avx512;
extern const struct match_kernels match_kern_avx512vnni;
/* shared between the x86 sets (kern_avx2.c, kern_avx512.c) */
float match_avx2_dot_f32(const float *a, const float *b, size_t d);
void match_avx2_scan_f32(const float *rows, size_t n, size_t d, const float *q, float *out);
void match_avx2_scan_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out);
void match_avx2_scan4_f32(const float *rows, size_t n, size_t d, const float *q, float *out,
    size_t ostride);
void match_avx2_scan4_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out,
    size_t ostride);
void match_avx2_scan_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8,
    int32_t *out);
void match_avx2_scan4_i8(const int8_t *blocks, size_t nblk, size_t d, const int8_t *q8,
    int32_t *out, size_t ostride);
void match_avx2_scan_codes(const uint8_t *blocks, size_t nblk, size_t m, const uint8_t *lut,
    uint16_t *out);
float match_avx512_dot_f32(const float *a, const float *b, size_t d);
void match_avx512_scan_f32(const float *rows, size_t n, size_t d, const float *q, float *out);
void match_avx512_scan_f16(const uint16_t *rows, size_t n, size_t d, const float *q, float *out);
#endif
#if defined(__aarch64__)
extern const struct match_kernels match_kern_neon;
#endif

/* match_cpu_features — MATCH_CPU_* bits of this CPU and OS (CPUID and
 * XGETBV on x86-64, so it works the same with GCC and clang; 0 elsewhere). */
unsigned match_cpu_features(void);
/* match_kern_runs — 1 if this CPU runs set k. */
int match_kern_runs(const struct match_kernels *k);

/* All kernel sets compiled in, best first, NULL-terminated. */
const struct match_kernels *const *match_kern_all(void);
/* match_kern_find — the named set (NULL: EGATE_MATCH_KERNEL, else the best
 * that runs). Returns NULL if the name is unknown or does not run here. */
const struct match_kernels *match_kern_find(const char *name);

/* binary16 conversions (round to nearest even; inf/NaN preserved). */
uint16_t match_f32_to_f16(float f);
float match_f16_to_f32(uint16_t h);

/* match_quantize_i8 — symmetric int8 of d floats: q[i] = round(v[i]/scale)
 * clamped to [-127, 127], scale = max|v| / 127 (0 for a zero vector). */
float match_quantize_i8(const float *v, size_t d, int8_t *q);

/* match_i8_store_row — write quantised row r (d values) into its place in
 * the interleaved block storage starting at blocks. */
void match_i8_store_row(int8_t *blocks, size_t r, size_t d, const int8_t *q);
/* match_i8_load_row — the inverse: read row r back into q[d]. */
void match_i8_load_row(const int8_t *blocks, size_t r, size_t d, int8_t *q);

/* ---- compact codes (match_code.c) ---- */
/* match_code_m — nibble positions a row for d dimensions at bits (1, 2, 4). */
size_t match_code_m(size_t d, unsigned bits);
/* match_code_rotate — the fixed orthogonal rotation (randomised Hadamard)
 * of v[d] into out[d]. */
void match_code_rotate(const float *v, size_t d, float *out);
/* match_code_store_row — encode v[d] (any norm) as row r of the code blocks;
 * tmp: d floats of scratch. */
void match_code_store_row(uint8_t *blocks, size_t r, size_t d, unsigned bits, const float *v,
    float *tmp);
/* match_code_lut — the m·16-byte table of query q[d] (tmp: d floats of
 * scratch); entries are in [0, vmax], vmax = min(127, 65535/m), returned.
 * The sum of a row's entries is an increasing affine function of its
 * estimated inner product with q. */
unsigned match_code_lut(const float *q, size_t d, unsigned bits, uint8_t *lut, float *tmp);

#endif
