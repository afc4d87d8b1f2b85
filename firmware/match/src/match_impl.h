/* SPDX-License-Identifier: Apache-2.0 */
/* match_impl.h — internal: the gallery object, shared by match.c and match_io.c. */
#ifndef EGATE_MATCH_IMPL_H
#define EGATE_MATCH_IMPL_H

#include "egate/match.h"
#include "match_kern.h"

/* A search candidate: score and row index (ties: lower row first). */
struct match_cand {
	float s;
	uint32_t row;
};

/* Per-thread search scratch, preallocated so a search allocates nothing. */
struct match_tscratch {
	float *scores;		/* 4 · chunk_rows floats */
	int32_t *iscores;	/* 4 · chunk_rows int32 (int8 kernels) */
	struct match_cand *cand;	/* max_nq · cand_max, sorted best first */
	uint32_t *ncand;	/* max_nq counts */
	/* compact path: per query the best rows so far as keys (score << 32 |
	 * ~row: larger is better), keycap each, and the entry threshold */
	uint16_t *cscores;	/* code_chunk_rows code scores */
	uint64_t *keys;		/* max_nq · keycap */
	uint32_t *nkeys;	/* max_nq counts */
	int32_t *thr;		/* max_nq: a row enters if its code score is above */
};

struct match_gallery {
	const struct match_kernels *kern;
	uint32_t dim;
	enum match_format format;
	enum match_rescore rescore;
	uint32_t rescore_k, threads, max_nq, max_k, cand_max;
	size_t n;		/* rows in use */
	size_t cap;		/* rows allocated (multiple of MATCH_I8_BLOCK) */
	uint64_t *ids;
	void *vec;		/* f32 / f16 rows, or int8 interleaved blocks */
	float *scales;		/* int8: one scale per row */
	void *rvec;		/* int8 re-scoring copy: f16 or f32 rows, or NULL */
	size_t chunk_rows;	/* rows scanned per kernel call (multiple of 8) */
	int8_t *q8;		/* max_nq · dim quantised queries */
	float *qscale;		/* max_nq query scales */
	/* compact codes (match_code.c) and the short-list search */
	enum match_search search;
	unsigned code_bits;
	size_t code_m;		/* nibble positions a row (d·bits/4) */
	uint8_t *codes;		/* cap/32 blocks of 16·code_m bytes */
	uint32_t shortlist;	/* fixed short list, or 0 = by size */
	size_t code_chunk_rows;	/* rows of codes scanned per kernel call (multiple of 32) */
	uint8_t *luts;		/* max_nq · code_m · 16 query tables */
	size_t keycap;		/* key slots a query, per thread (0: not allocated) */
	uint32_t *srows;	/* keycap rows of one short list, for re-scoring */
	struct match_tscratch ts[MATCH_THREADS_MAX];
};

/* match_vec_bytes — bytes of one row in the main storage format. */
size_t match_vec_bytes(enum match_format f, uint32_t dim);
/* match_rvec_bytes — bytes of one row of the re-scoring copy (0: none). */
size_t match_rvec_bytes(enum match_rescore r, uint32_t dim);
/* match_gallery_reserve — make room for n rows in total (unchanged on error). */
int match_gallery_reserve(struct match_gallery *g, size_t n);

/* match_gallery_build_codes — (re)compute the compact codes of rows [r0, r1)
 * from the stored rows (the most precise copy held). */
void match_gallery_build_codes(struct match_gallery *g, size_t r0, size_t r1);

/* match_gallery_parse — match_gallery_load with the SHA-256 check optional,
 * so the fuzz target can reach the field checks behind it. */
int match_gallery_parse(const uint8_t *data, size_t len, const struct match_params *params,
    int verify_checksum, struct match_gallery **out);

#endif
