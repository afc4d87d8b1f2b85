/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face_gallery.c — the nth face of a photo, and the label sidecar of a
 * gallery (face_gallery.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/sha256.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "face_gallery.h"

#define LABELS_HEADER "# egate face labels v1\n"

struct face_label {
	uint64_t id;
	char *text;
	size_t len;
};

struct face_labels {
	struct face_label *v;
	size_t n, cap;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the nth face ------------------------------------------------------- */

static int
cmp_pos(const void *a, const void *b)
{
	const struct face_box *x = a, *y = b;
	float cx = x->x1 + x->x2, cy = y->x1 + y->x2;

	if (cx != cy)
		return (cx > cy) - (cx < cy);
	cx = x->y1 + x->y2;
	cy = y->y1 + y->y2;
	return (cx > cy) - (cx < cy);
}

int
face_analyse_box(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    const struct face_opts *opts, struct face_result *out)
{
	int ret;

	if (ctx == NULL || img == NULL || box == NULL || opts == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->box = *box;
	if ((ret = face_analyse_stages(ctx, img, opts, out)) != EG_OK)
		face_result_wipe(out);
	return ret;
}

int
face_analyse_nth(struct face_ctx *ctx, const struct fcv_image *img, unsigned nth,
    const struct face_opts *opts, struct face_result *out)
{
	struct face_box boxes[FACE_MAX_FACES];
	const struct face_profile *prof;
	size_t n = 0;
	double t;
	int ret;

	if (nth == 0)
		return face_analyse(ctx, img, opts, out);
	if (ctx == NULL || img == NULL || opts == NULL || out == NULL)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	prof = face_ctx_profile(ctx);
	t = now_ms();
	ret = face_detect(ctx, img, boxes, FACE_MAX_FACES, &n);
	out->ms[FACE_T_DETECT] = now_ms() - t;
	if (ret != EG_OK)
		goto out;
	out->nfaces = n;
	(void)face_choose(boxes, n, img->width, img->height, prof->zone,
	    (double)prof->q.min_face_px, &out->faces_in_zone);
	out->tailgating = out->faces_in_zone >= 2;
	if (nth > n) {
		ret = EG_ERR_NO_FACE;
		goto out;
	}
	qsort(boxes, n, sizeof(boxes[0]), cmp_pos);
	out->box = boxes[nth - 1];
	ret = face_analyse_stages(ctx, img, opts, out);
out:
	eg_memzero(boxes, sizeof(boxes));
	if (ret != EG_OK && ret != EG_ERR_NO_FACE) {
		size_t keep_n = out->nfaces;

		face_result_wipe(out);
		out->nfaces = keep_n;
	}
	return ret;
}

uint64_t
face_label_id(const char *label)
{
	uint8_t h[32];
	uint64_t id = 0;

	if (label == NULL)
		label = "";
	if (mbedtls_sha256_ret((const unsigned char *)label, strlen(label), h, 0) != 0)
		memset(h, 0, sizeof(h));	/* cannot fail for SHA-256 in memory */
	for (int i = 0; i < 8; i++)
		id = id << 8 | h[i];
	return id & 0x7FFFFFFFFFFFFFFFull;
}

/* ---- labels ------------------------------------------------------------- */

int
face_labels_new(struct face_labels **out)
{
	if (out == NULL)
		return EG_ERR_INVAL;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return EG_ERR_NOMEM;
	return EG_OK;
}

void
face_labels_free(struct face_labels **l)
{
	if (l == NULL || *l == NULL)
		return;
	for (size_t i = 0; i < (*l)->n; i++)
		eg_secret_free(&(*l)->v[i].text, (*l)->v[i].len + 1);
	if ((*l)->v != NULL)
		eg_secret_free(&(*l)->v, (*l)->cap * sizeof(struct face_label));
	free(*l);
	*l = NULL;
}

static bool
label_ok(const char *s, size_t len)
{
	if (len == 0 || len > FACE_LABEL_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7F)
			return false;
	return true;
}

const char *
face_labels_find(const struct face_labels *l, uint64_t id)
{
	if (l == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return l->v[i].text;
	return NULL;
}

static int
labels_addn(struct face_labels *l, uint64_t id, const char *s, size_t len)
{
	struct face_label *v;
	size_t cap;

	if (l == NULL || s == NULL || id == UINT64_MAX || !label_ok(s, len))
		return EG_ERR_INVAL;
	if (face_labels_find(l, id) != NULL)
		return EG_ERR_STATE;
	if (l->n >= FACE_LABELS_MAX)
		return EG_ERR_OVERFLOW;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		/* grow by copy so the old array can be wiped */
		if ((v = calloc(cap, sizeof(*v))) == NULL)
			return EG_ERR_NOMEM;
		if (l->n > 0)
			memcpy(v, l->v, l->n * sizeof(*v));
		if (l->v != NULL)
			eg_secret_free(&l->v, l->cap * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n].text = malloc(len + 1)) == NULL)
		return EG_ERR_NOMEM;
	memcpy(l->v[l->n].text, s, len);
	l->v[l->n].text[len] = '\0';
	l->v[l->n].len = len;
	l->v[l->n].id = id;
	l->n++;
	return EG_OK;
}

int
face_labels_add(struct face_labels *l, uint64_t id, const char *label)
{
	if (label == NULL)
		return EG_ERR_INVAL;
	return labels_addn(l, id, label, strnlen(label, FACE_LABEL_MAX + 1));
}

size_t
face_labels_count(const struct face_labels *l)
{
	return l == NULL ? 0 : l->n;
}

uint64_t
face_labels_max_id(const struct face_labels *l)
{
	uint64_t m = 0;

	for (size_t i = 0; l != NULL && i < l->n; i++)
		if (l->v[i].id > m)
			m = l->v[i].id;
	return m;
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One line "ID\tLABEL" (without its newline) from b. */
static int
parse_entry(struct face_labels *l, struct eg_rbuf *b)
{
	uint64_t id = 0;
	uint8_t c;
	const uint8_t *text;
	size_t len;
	int ret;

	for (int i = 0; i < 16; i++) {
		int v;

		if ((ret = eg_rbuf_u8(b, &c)) != EG_OK || (v = hexval(c)) < 0)
			return EG_ERR_FORMAT;
		id = id << 4 | (uint64_t)v;
	}
	if (eg_rbuf_u8(b, &c) != EG_OK || c != '\t')
		return EG_ERR_FORMAT;
	len = eg_rbuf_left(b);
	if ((ret = eg_rbuf_ptr(b, len, &text)) != EG_OK)
		return EG_ERR_FORMAT;
	ret = labels_addn(l, id, (const char *)text, len);
	if (ret == EG_ERR_INVAL || ret == EG_ERR_STATE)
		return EG_ERR_FORMAT;
	return ret;
}

int
face_labels_parse(const uint8_t *p, size_t len, struct face_labels **out, size_t *line)
{
	struct eg_rbuf b = eg_rbuf_init(p, len), ln;
	struct face_labels *l = NULL;
	const uint8_t *nl;
	size_t lineno = 1, hl = strlen(LABELS_HEADER);
	int ret = EG_ERR_FORMAT;

	if (line != NULL)
		*line = 0;
	if (out == NULL || (p == NULL && len > 0))
		return EG_ERR_INVAL;
	if ((ret = face_labels_new(&l)) != EG_OK)
		goto out;
	ret = EG_ERR_FORMAT;
	if (len < hl || memcmp(p, LABELS_HEADER, hl) != 0)
		goto out;
	(void)eg_rbuf_skip(&b, hl);
	while (eg_rbuf_left(&b) > 0) {
		lineno++;
		nl = memchr(b.p, '\n', eg_rbuf_left(&b));
		if (nl == NULL) {
			ret = EG_ERR_FORMAT;
			goto out;
		}
		if ((ret = eg_rbuf_sub(&b, (size_t)(nl - b.p), &ln)) != EG_OK ||
		    (ret = eg_rbuf_skip(&b, 1)) != EG_OK)
			goto out;
		if (eg_rbuf_left(&ln) > 0 && ln.p[0] == '#')
			continue;
		if ((ret = parse_entry(l, &ln)) != EG_OK)
			goto out;
	}
	*out = l;
	l = NULL;
	ret = EG_OK;
out:
	if (ret != EG_OK && line != NULL)
		*line = lineno;
	face_labels_free(&l);
	return ret;
}

int
face_labels_load_file(const char *path, struct face_labels **out, size_t *line)
{
	FILE *f = NULL;
	struct stat st;
	uint8_t *p = NULL;
	size_t len = 0;
	int ret = EG_ERR_IO;

	if (line != NULL)
		*line = 0;
	if (path == NULL || out == NULL)
		return EG_ERR_INVAL;
	if ((f = fopen(path, "rb")) == NULL)
		return errno == ENOENT ? EG_ERR_NOT_FOUND : EG_ERR_IO;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if ((uint64_t)st.st_size > FACE_LABELS_FILE_MAX) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	len = (size_t)st.st_size;
	if ((p = malloc(len + 1)) == NULL) {
		ret = EG_ERR_NOMEM;
		goto out;
	}
	if (fread(p, 1, len, f) != len || ferror(f))
		goto out;
	ret = face_labels_parse(p, len, out, line);
out:
	if (p != NULL)
		eg_secret_free(&p, len + 1);
	fclose(f);
	return ret;
}

int
face_labels_save(const struct face_labels *l, const char *path)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd, ret = EG_ERR_IO;

	if (l == NULL || path == NULL)
		return EG_ERR_INVAL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return EG_ERR_INVAL;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return EG_ERR_IO;
	if ((f = fdopen(fd, "wb")) == NULL) {
		close(fd);
		goto out;
	}
	if (fputs(LABELS_HEADER, f) == EOF)
		goto out;
	for (size_t i = 0; i < l->n; i++)
		if (fprintf(f, "%016llx\t%s\n", (unsigned long long)l->v[i].id, l->v[i].text) < 0)
			goto out;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		goto out;
	ret = EG_OK;
out:
	if (f != NULL && fclose(f) != 0)
		ret = EG_ERR_IO;
	if (ret == EG_OK && rename(tmp, path) != 0)
		ret = EG_ERR_IO;
	if (ret != EG_OK)
		(void)unlink(tmp);
	return ret;
}
