/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match_io.c — gallery files: save, and a bounds-checked loader (all reads
 * through eg_rbuf; fuzz target tests/fuzz/fuzz_gallery.c).
 *
 * Format version 1, all integers little-endian (docs/matching.md):
 *   offset 0   8  magic "EGGALLRY"
 *          8   4  version (1)
 *         12   4  dim (multiple of 32, ≤ MATCH_DIM_MAX)
 *         16   4  format (1 f32, 2 f16, 3 int8)
 *         20   4  re-scoring copy (0 none, 1 f16, 2 f32; int8 only)
 *         24   8  n (rows)
 *         32      n ids (u64, never MATCH_ID_NONE = 2^64-1)
 *                 n rows in row-major order (f32 bits / f16 bits / int8 in [-127,127])
 *                 int8 only: n scales (f32 bits, finite, ≥ 0)
 *                 n rows of the re-scoring copy, if any
 *    len-32   32  SHA-256 of every byte before it
 * The in-memory int8 interleaving and the compact codes are not part of the
 * file: the loader builds them.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "match_impl.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gallery files are read and written with memcpy: little-endian hosts only"
#endif

#define GAL_MAGIC "EGGALLRY"
#define GAL_VERSION 1u
#define GAL_HDR 32u
#define GAL_SUM 32u

struct gal_writer {
	FILE *f;
	mbedtls_sha256_context sha;
	int err;
};

static void
gw_put(struct gal_writer *w, const void *p, size_t n)
{
	if (w->err || n == 0)
		return;
	if (mbedtls_sha256_update_ret(&w->sha, p, n) != 0 || fwrite(p, 1, n, w->f) != n)
		w->err = 1;
}

static void
gw_u32(struct gal_writer *w, uint32_t v)
{
	gw_put(w, &v, sizeof(v));
}

int
match_gallery_save(const struct match_gallery *g, const char *path)
{
	_Alignas(64) int8_t row[MATCH_DIM_MAX];
	struct gal_writer w = { .f = NULL, .err = 0 };
	uint8_t sum[GAL_SUM];
	uint64_t n64;
	size_t i, vb, rb;
	int fd, ret = EG_ERR_INVAL;

	mbedtls_sha256_init(&w.sha);
	if (g == NULL || path == NULL)
		goto out;
	ret = EG_ERR_IO;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	w.f = fdopen(fd, "wb");
	if (w.f == NULL) {
		close(fd);
		goto out;
	}
	if (mbedtls_sha256_starts_ret(&w.sha, 0) != 0)
		goto out;
	vb = match_vec_bytes(g->format, g->dim);
	rb = match_rvec_bytes(g->rescore, g->dim);
	n64 = g->n;
	gw_put(&w, GAL_MAGIC, 8);
	gw_u32(&w, GAL_VERSION);
	gw_u32(&w, g->dim);
	gw_u32(&w, (uint32_t)g->format);
	gw_u32(&w, (uint32_t)g->rescore);
	gw_put(&w, &n64, sizeof(n64));
	gw_put(&w, g->ids, g->n * sizeof(uint64_t));
	if (g->format == MATCH_I8) {
		for (i = 0; i < g->n; i++) {
			match_i8_load_row(g->vec, i, g->dim, row);
			gw_put(&w, row, g->dim);
		}
		gw_put(&w, g->scales, g->n * sizeof(float));
	} else {
		gw_put(&w, g->vec, g->n * vb);
	}
	if (rb)
		gw_put(&w, g->rvec, g->n * rb);
	if (w.err || mbedtls_sha256_finish_ret(&w.sha, sum) != 0)
		goto out;
	if (fwrite(sum, 1, sizeof(sum), w.f) != sizeof(sum) || fflush(w.f) != 0)
		goto out;
	ret = EG_OK;
out:
	eg_memzero(row, sizeof(row));
	if (w.f != NULL && fclose(w.f) != 0 && ret == EG_OK)
		ret = EG_ERR_IO;
	mbedtls_sha256_free(&w.sha);
	return ret;
}

static int
rd_u64(struct eg_rbuf *b, uint64_t *v)
{
	uint32_t lo, hi;
	struct eg_rbuf save = *b;

	if (eg_rbuf_le32(b, &lo) != EG_OK || eg_rbuf_le32(b, &hi) != EG_OK) {
		*b = save;
		return EG_ERR_TRUNCATED;
	}
	*v = (uint64_t)hi << 32 | lo;
	return EG_OK;
}

static int
f32_ok(const uint8_t *p, size_t n)
{
	float f;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&f, p + 4 * i, sizeof(f));
		if (!isfinite(f))
			return 0;
	}
	return 1;
}

static int
f16_ok(const uint8_t *p, size_t n)
{
	uint16_t h;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&h, p + 2 * i, sizeof(h));
		if ((h & 0x7c00u) == 0x7c00u)	/* inf or NaN */
			return 0;
	}
	return 1;
}

int
match_gallery_parse(const uint8_t *data, size_t len, const struct match_params *params,
    int verify_checksum, struct match_gallery **out)
{
	struct match_params p;
	struct match_gallery *g = NULL;
	struct eg_rbuf b = eg_rbuf_init(data, len), body;
	const uint8_t *magic, *ids, *rows, *scales = NULL, *rvec = NULL, *sum;
	uint8_t calc[GAL_SUM];
	uint32_t version, dim, format, rescore;
	uint64_t n64;
	size_t n, vb, rb, per_row, i;
	int ret;

	if (data == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(&p, 0, sizeof(p));
	if (params != NULL)
		p = *params;
	ret = eg_rbuf_ptr(&b, 8, &magic);
	if (ret != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (memcmp(magic, GAL_MAGIC, 8) != 0)
		goto out;
	ret = eg_rbuf_le32(&b, &version);
	if (ret != EG_OK)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if (version != GAL_VERSION)
		goto out;
	if ((ret = eg_rbuf_le32(&b, &dim)) != EG_OK || (ret = eg_rbuf_le32(&b, &format)) != EG_OK ||
	    (ret = eg_rbuf_le32(&b, &rescore)) != EG_OK || (ret = rd_u64(&b, &n64)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (dim == 0 || dim > MATCH_DIM_MAX || dim % MATCH_DIM_ALIGN != 0)
		goto out;
	if (format < MATCH_F32 || format > MATCH_I8 || rescore > MATCH_RESCORE_F32 ||
	    (rescore != MATCH_RESCORE_NONE && format != MATCH_I8))
		goto out;
	vb = match_vec_bytes((enum match_format)format, dim);
	rb = match_rvec_bytes((enum match_rescore)rescore, dim);
	per_row = sizeof(uint64_t) + vb + (format == MATCH_I8 ? sizeof(float) : 0) + rb;
	if (eg_rbuf_left(&b) < GAL_SUM) {
		ret = EG_ERR_TRUNCATED;
		goto out;
	}
	/* the body must be exactly n rows: compare by division, no overflow */
	if (n64 > (eg_rbuf_left(&b) - GAL_SUM) / per_row) {
		ret = EG_ERR_TRUNCATED;
		goto out;
	}
	n = (size_t)n64;
	if (eg_rbuf_left(&b) - GAL_SUM != n * per_row)
		goto out;	/* trailing bytes */
	if ((ret = eg_rbuf_sub(&b, n * per_row, &body)) != EG_OK ||
	    (ret = eg_rbuf_ptr(&b, GAL_SUM, &sum)) != EG_OK)
		goto out;
	if (verify_checksum) {
		ret = EG_ERR_CRYPTO;
		if (mbedtls_sha256_ret(data, len - GAL_SUM, calc, 0) != 0)
			goto out;
		ret = EG_ERR_CHECKSUM;
		if (!eg_ct_equal(calc, sum, GAL_SUM))
			goto out;
	}
	if ((ret = eg_rbuf_ptr(&body, n * sizeof(uint64_t), &ids)) != EG_OK ||
	    (ret = eg_rbuf_ptr(&body, n * vb, &rows)) != EG_OK)
		goto out;
	if (format == MATCH_I8 && (ret = eg_rbuf_ptr(&body, n * sizeof(float), &scales)) != EG_OK)
		goto out;
	if (rb && (ret = eg_rbuf_ptr(&body, n * rb, &rvec)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	for (i = 0; i < n; i++) {
		uint64_t id;

		memcpy(&id, ids + 8 * i, sizeof(id));
		if (id == MATCH_ID_NONE)	/* reserved: marks empty result slots */
			goto out;
	}
	if (format == MATCH_F32 && !f32_ok(rows, n * dim))
		goto out;
	if (format == MATCH_F16 && !f16_ok(rows, n * dim))
		goto out;
	if (format == MATCH_I8) {
		for (i = 0; i < n * dim; i++)
			if (rows[i] == 0x80)	/* -128: outside the symmetric range */
				goto out;
		for (i = 0; i < n; i++) {
			float s;

			memcpy(&s, scales + 4 * i, sizeof(s));
			if (!isfinite(s) || s < 0.0f)
				goto out;
		}
	}
	if ((rescore == MATCH_RESCORE_F16 && !f16_ok(rvec, n * dim)) ||
	    (rescore == MATCH_RESCORE_F32 && !f32_ok(rvec, n * dim)))
		goto out;

	p.dim = dim;
	p.format = (enum match_format)format;
	p.rescore = (enum match_rescore)rescore;
	p.capacity = n;
	ret = match_gallery_new(&p, &g);
	if (ret != EG_OK)
		goto out;
	if (n > 0) {	/* an empty gallery has no arrays yet */
		memcpy(g->ids, ids, n * sizeof(uint64_t));
		if (format == MATCH_I8) {
			for (i = 0; i < n; i++)
				match_i8_store_row(g->vec, i, dim,
				    (const int8_t *)(const void *)(rows + i * dim));
			memcpy(g->scales, scales, n * sizeof(float));
		} else {
			memcpy(g->vec, rows, n * vb);
		}
		if (rb)
			memcpy(g->rvec, rvec, n * rb);
		/* the compact codes are derived data, not part of the file */
		match_gallery_build_codes(g, 0, n);
	}
	g->n = n;
	*out = g;
	g = NULL;
	ret = EG_OK;
out:
	match_gallery_free(&g);
	return ret;
}

int
match_gallery_load(const uint8_t *data, size_t len, const struct match_params *params,
    struct match_gallery **out)
{
	return match_gallery_parse(data, len, params, 1, out);
}

int
match_gallery_load_file(const char *path, const struct match_params *params,
    struct match_gallery **out)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0, got = 0;
	ssize_t r;
	int fd = -1, ret = EG_ERR_INVAL;

	if (path == NULL || out == NULL)
		goto out;
	ret = EG_ERR_IO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	len = (size_t)st.st_size;
	ret = EG_ERR_NOMEM;
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		goto out;
	ret = EG_ERR_IO;
	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (size_t)r;
	}
	ret = match_gallery_load(buf, len, params, out);
out:
	if (fd >= 0)
		close(fd);
	if (buf != NULL) {
		eg_memzero(buf, len);
		free(buf);
	}
	return ret;
}
