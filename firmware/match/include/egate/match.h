/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match.h — face-embedding matching: 1:1 cosine and 1:N gallery search.
 *
 * Embeddings are float vectors that the caller L2-normalises (match_l2_normalize)
 * so that the inner product is the cosine similarity. Thresholds are the
 * caller's business: this module only computes scores and ranks them.
 *
 * A gallery (struct match_gallery, opaque) holds N enrolled vectors of one
 * dimension d with a 64-bit id each, in one of three storage formats:
 *   MATCH_F32  4·d bytes a row, exact;
 *   MATCH_F16  2·d bytes a row (IEEE binary16), top-1 equal to float in practice;
 *   MATCH_I8   d + 4 bytes a row: symmetric int8 in [-127, 127] with one float
 *              scale per row, stored 8 rows interleaved (docs/matching.md);
 *              optionally with an fp16 or float copy for re-scoring the best
 *              rescore_k candidates, which restores the exact top-1 at the cost
 *              of 2·d (fp16) or 4·d (float) more bytes a row.
 * d must be a multiple of 32 in [32, MATCH_DIM_MAX] (128 and 512 are the
 * models' sizes). Storage is one contiguous 64-byte aligned block per array.
 *
 * Search paths (match_params.search). Every gallery also keeps compact codes
 * of its rows (code_bits bits a dimension after a fixed rotation: d/4 bytes a
 * row at the default 2 bits). The default path, MATCH_SEARCH_COMPACT, scans
 * the codes, keeps the best `shortlist` rows (0: a size measured for recall@1
 * ≥ 0.99 on random queries, docs/matching.md) and re-scores them with the
 * stored rows (then, for int8 with a re-scoring copy, the best rescore_k with
 * the copy), so scores are those of the storage format and only the choice of
 * rows is approximate. With n ≤ shortlist every row is re-scored and the
 * result holds the rows of MATCH_SEARCH_EXACT, which scans every stored row
 * (float scores equal to rounding: the exact path scores four queries at once).
 *
 * The SIMD kernels (scalar reference, AVX2/F16C, AVX-VNNI, AVX-512/VNNI,
 * NEON) are chosen at run time from the CPU's features; a kernel can be forced
 * by name through match_params.kernel or the environment variable
 * EGATE_MATCH_KERNEL (tests and benchmarks).
 *
 * Thread safety: a gallery may be read by one search at a time (the search
 * scratch lives in the gallery, so searching allocates nothing); add, search,
 * save and free must not run concurrently on the same gallery.
 */
#ifndef EGATE_MATCH_H
#define EGATE_MATCH_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_DIM_MAX 2048u	/* largest supported dimension */
#define MATCH_DIM_ALIGN 32u	/* d must be a multiple of this */
#define MATCH_K_MAX 256u	/* largest k (and rescore_k) of a search */
#define MATCH_THREADS_MAX 2u	/* threads a search may use */

enum match_format {
	MATCH_F32 = 1,
	MATCH_F16 = 2,
	MATCH_I8 = 3,
};

enum match_rescore {
	MATCH_RESCORE_NONE = 0,	/* int8 scores are final */
	MATCH_RESCORE_F16 = 1,	/* keep an fp16 copy (2·d bytes a row) */
	MATCH_RESCORE_F32 = 2,	/* keep a float copy (4·d bytes a row) */
};

enum match_search {
	MATCH_SEARCH_COMPACT = 0,	/* codes, short list, re-score (default) */
	MATCH_SEARCH_EXACT = 1,		/* scan every stored row */
};

#define MATCH_SHORTLIST_MAX 65536u	/* largest short list */

/* How a gallery is built. Zero fields take the documented default. */
struct match_params {
	uint32_t dim;			/* required: multiple of 32, ≤ MATCH_DIM_MAX */
	enum match_format format;	/* required */
	enum match_rescore rescore;	/* MATCH_I8 only; default none */
	uint32_t rescore_k;		/* candidates re-scored; default 16 */
	uint32_t threads;		/* 1 (default) or 2 */
	uint32_t max_nq;		/* largest query batch; default 32 */
	uint32_t max_k;			/* largest k; default 16 */
	size_t capacity;		/* rows to reserve; grows as needed */
	const char *kernel;		/* force a kernel by name; NULL = env or best */
	enum match_search search;	/* default MATCH_SEARCH_COMPACT */
	uint32_t code_bits;		/* compact codes: 1, 2 (default) or 4 */
	uint32_t shortlist;		/* rows re-scored; 0 = by gallery size */
};

/* The id of an empty result slot; never a valid gallery id. */
#define MATCH_ID_NONE UINT64_MAX

/* One search result; score is the cosine (inner product) estimate. */
struct match_hit {
	uint64_t id;
	float score;
};

struct match_gallery;

/*
 * match_cosine — inner product of two L2-normalised vectors of d floats
 * (= their cosine). Uses the best kernel of this CPU. Borrowed pointers;
 * cannot fail (d == 0 gives 0).
 */
float match_cosine(const float *a, const float *b, size_t d);

/*
 * match_l2_normalize — scale v (d floats, in place) to unit length.
 * EG_ERR_INVAL if v is NULL, d == 0, the norm is 0 or not finite.
 */
int match_l2_normalize(float *v, size_t d);

/*
 * match_gallery_new — an empty gallery. On success *out owns it (free with
 * match_gallery_free). Errors: EG_ERR_INVAL (bad dim, format, threads, limits),
 * EG_ERR_NOT_FOUND (params->kernel / EGATE_MATCH_KERNEL names no kernel this
 * CPU runs), EG_ERR_NOMEM.
 */
int match_gallery_new(const struct match_params *params, struct match_gallery **out);

/* match_gallery_free — release *g (and wipe the embeddings); sets *g = NULL.
 * Safe on NULL and on *g == NULL. */
void match_gallery_free(struct match_gallery **g);

/*
 * match_gallery_add — append n vectors (n·dim floats, row-major, expected
 * L2-normalised) with their ids; data is copied and converted to the
 * gallery's format. Ids need not be unique but must not be MATCH_ID_NONE.
 * Errors: EG_ERR_INVAL (NULL, a non-finite value, an id MATCH_ID_NONE),
 * EG_ERR_OVERFLOW (size), EG_ERR_NOMEM. On error the gallery is unchanged.
 */
int match_gallery_add(struct match_gallery *g, const float *vecs, const uint64_t *ids, size_t n);

/*
 * match_gallery_search — the k best entries for each of nq queries (nq·dim
 * floats, L2-normalised). results (caller storage of nq·k hits) receives for
 * query q its hits in results[q·k .. q·k+k-1], best first; ties are broken by
 * insertion order (earlier first). If the gallery has fewer than k entries the
 * tail hits have id MATCH_ID_NONE and score -INFINITY. Allocates nothing (two
 * threads start one pthread). Errors: EG_ERR_INVAL (NULL, nq == 0 or
 * > max_nq, k == 0 or > max_k), EG_ERR_STATE (thread start failed).
 */
int match_gallery_search(struct match_gallery *g, const float *queries, size_t nq,
    size_t k, struct match_hit *results);

/*
 * match_gallery_set_threads — use 1..params.threads threads in later searches
 * (scratch was sized at creation). EG_ERR_INVAL otherwise.
 */
int match_gallery_set_threads(struct match_gallery *g, uint32_t threads);

/*
 * match_gallery_set_search — switch later searches to path `search` with a
 * short list of `shortlist` rows (0: by size; ignored for the exact path).
 * May allocate the larger candidate scratch. Errors: EG_ERR_INVAL (NULL, bad
 * path, shortlist > MATCH_SHORTLIST_MAX), EG_ERR_NOMEM (unchanged then).
 */
int match_gallery_set_search(struct match_gallery *g, enum match_search search, uint32_t shortlist);

/* match_gallery_shortlist — the short list of the compact path at the
 * current size for a search of k results (0 for the exact path); a search
 * re-scores min(this, size) rows. */
size_t match_gallery_shortlist(const struct match_gallery *g, size_t k);

/* match_gallery_bytes_per_query — bytes one query's search reads from the
 * gallery at the current size and path, for k results: the codes (or the
 * rows) scanned, plus the rows re-scored. Ids and caches are not counted. */
size_t match_gallery_bytes_per_query(const struct match_gallery *g, size_t k);

/* Accessors. */
size_t match_gallery_size(const struct match_gallery *g);
uint32_t match_gallery_dim(const struct match_gallery *g);
enum match_format match_gallery_format(const struct match_gallery *g);
/* match_gallery_kernel — name of the kernel in use (static string). */
const char *match_gallery_kernel(const struct match_gallery *g);
/* match_gallery_bytes_per_row — bytes a search reads per row (vector + scale),
 * excluding ids and the re-scoring copy. */
size_t match_gallery_bytes_per_row(const struct match_gallery *g);
/* match_gallery_memory — total bytes held by the gallery's arrays (with the
 * compact codes). */
size_t match_gallery_memory(const struct match_gallery *g);

/*
 * Gallery files (format in docs/matching.md): little-endian header with magic
 * "EGGALLRY", version, d, format, re-scoring copy, n; ids; rows in logical
 * row-major order; a SHA-256 over everything before it.
 *
 * match_gallery_save — write g to path (created or truncated; 0600).
 *   Errors: EG_ERR_INVAL, EG_ERR_IO, EG_ERR_NOMEM.
 * match_gallery_load — parse a gallery from len bytes at data (borrowed;
 *   untrusted: bounds-checked). params may be NULL or give threads, max_nq,
 *   max_k, rescore_k and kernel; dim/format come from the file. On success
 *   *out owns a new gallery. Errors: EG_ERR_FORMAT (bad magic, sizes, values),
 *   EG_ERR_UNSUPPORTED (version), EG_ERR_TRUNCATED, EG_ERR_CHECKSUM,
 *   EG_ERR_NOMEM, EG_ERR_NOT_FOUND (kernel). On error *out is untouched.
 * match_gallery_load_file — same, reading the file at path (EG_ERR_IO).
 */
int match_gallery_save(const struct match_gallery *g, const char *path);
int match_gallery_load(const uint8_t *data, size_t len, const struct match_params *params,
    struct match_gallery **out);
int match_gallery_load_file(const char *path, const struct match_params *params,
    struct match_gallery **out);

/*
 * Kernel inventory, for tests and benchmarks: match_kernel_count() kernels are
 * compiled in; match_kernel_name(i) is the i-th name (NULL past the end);
 * match_kernel_runs(name) is 1 when this CPU can run it, else 0.
 * match_kernel_best() is the name the dispatcher picks without overrides.
 */
size_t match_kernel_count(void);
const char *match_kernel_name(size_t i);
int match_kernel_runs(const char *name);
const char *match_kernel_best(void);

#endif
