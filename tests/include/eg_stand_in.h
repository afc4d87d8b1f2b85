/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eg_stand_in.h — for the ingest benchmarks (tests/audit/bench_audit.c,
 * bench/bench_ingest.c): a stand-in for an identifier HMAC in the raw SQLite
 * reference rows, distinct and spread like real HMACs but not hashed.
 */
#ifndef EG_STAND_IN_H
#define EG_STAND_IN_H

#include <stdint.h>

/* eg_stand_in — 64 hex digits of splitmix64 from row i, NUL-terminated. */
static inline void
eg_stand_in(uint64_t i, char out[65])
{
	uint64_t x = i * 0x9e3779b97f4a7c15ULL;

	for (int k = 0; k < 64; k += 16) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		for (int d = 0; d < 16; d++)
			out[k + d] = "0123456789abcdef"[(z >> (60 - 4 * d)) & 15];
	}
	out[64] = '\0';
}

#endif
