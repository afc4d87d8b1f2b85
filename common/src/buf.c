/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "egate/secure.h"

int
eg_rbuf_ptr(struct eg_rbuf *b, size_t n, const uint8_t **ptr)
{
	if (b == NULL || eg_rbuf_left(b) < n)
		return EG_ERR_TRUNCATED;
	if (ptr != NULL)
		*ptr = b->p;
	b->p += n;
	return EG_OK;
}

int
eg_rbuf_skip(struct eg_rbuf *b, size_t n)
{
	return eg_rbuf_ptr(b, n, NULL);
}

int
eg_rbuf_copy(struct eg_rbuf *b, void *dst, size_t n)
{
	const uint8_t *p;
	int r;

	if ((r = eg_rbuf_ptr(b, n, &p)) != EG_OK)
		return r;
	if (n > 0)
		memcpy(dst, p, n);
	return EG_OK;
}

int
eg_rbuf_sub(struct eg_rbuf *b, size_t n, struct eg_rbuf *sub)
{
	const uint8_t *p;
	int r;

	if ((r = eg_rbuf_ptr(b, n, &p)) != EG_OK)
		return r;
	sub->p = p;
	sub->end = p + n;
	return EG_OK;
}

int
eg_rbuf_u8(struct eg_rbuf *b, uint8_t *v)
{
	return eg_rbuf_copy(b, v, 1);
}

int
eg_rbuf_be16(struct eg_rbuf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = eg_rbuf_ptr(b, 2, &p)) != EG_OK)
		return r;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return EG_OK;
}

int
eg_rbuf_be32(struct eg_rbuf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = eg_rbuf_ptr(b, 4, &p)) != EG_OK)
		return r;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
	return EG_OK;
}

int
eg_rbuf_le16(struct eg_rbuf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = eg_rbuf_ptr(b, 2, &p)) != EG_OK)
		return r;
	*v = (uint16_t)(p[0] | (p[1] << 8));
	return EG_OK;
}

int
eg_rbuf_le32(struct eg_rbuf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = eg_rbuf_ptr(b, 4, &p)) != EG_OK)
		return r;
	*v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	    ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
	return EG_OK;
}

void
eg_wbuf_init(struct eg_wbuf *w, size_t max, bool secret)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	w->owned = true;
	w->secret = secret;
}

void
eg_wbuf_init_fixed(struct eg_wbuf *w, void *storage, size_t cap, bool secret)
{
	memset(w, 0, sizeof(*w));
	w->data = storage;
	w->cap = cap;
	w->max = cap;
	w->owned = false;
	w->secret = secret;
}

void
eg_wbuf_reset(struct eg_wbuf *w)
{
	if (w->secret && w->data != NULL)
		eg_memzero(w->data, w->len);
	w->len = 0;
}

void
eg_wbuf_free(struct eg_wbuf *w)
{
	if (w == NULL)
		return;
	eg_wbuf_reset(w);
	if (w->owned) {
		if (w->secret && w->data != NULL)
			eg_memzero(w->data, w->cap);
		free(w->data);
		w->data = NULL;
		w->cap = 0;
	}
}

/* Grow to hold at least need bytes. A secret buffer is moved by hand so the
 * old copy can be wiped (realloc would leave it in freed memory). */
static int
wbuf_grow(struct eg_wbuf *w, size_t need)
{
	size_t ncap;
	uint8_t *n;

	if (need <= w->cap)
		return EG_OK;
	if (!w->owned || need > w->max)
		return EG_ERR_OVERFLOW;
	ncap = w->cap < 64 ? 64 : w->cap;
	while (ncap < need)
		ncap = ncap > w->max / 2 ? w->max : ncap * 2;
	if (w->secret) {
		if ((n = malloc(ncap)) == NULL)
			return EG_ERR_NOMEM;
		if (w->len > 0)
			memcpy(n, w->data, w->len);
		if (w->data != NULL)
			eg_memzero(w->data, w->cap);
		free(w->data);
	} else if ((n = realloc(w->data, ncap)) == NULL) {
		return EG_ERR_NOMEM;
	}
	w->data = n;
	w->cap = ncap;
	return EG_OK;
}

int
eg_wbuf_reserve(struct eg_wbuf *w, size_t n, uint8_t **out)
{
	int r;

	if (n > w->max || w->len > w->max - n)
		return EG_ERR_OVERFLOW;
	if (n == 0) {		/* nothing to reserve; no arithmetic on NULL */
		if (out != NULL)
			*out = w->data != NULL ? w->data + w->len : NULL;
		return EG_OK;
	}
	if ((r = wbuf_grow(w, w->len + n)) != EG_OK)
		return r;
	if (out != NULL)
		*out = w->data + w->len;
	w->len += n;
	return EG_OK;
}

int
eg_wbuf_put(struct eg_wbuf *w, const void *src, size_t n)
{
	uint8_t *dst;
	int r;

	if ((r = eg_wbuf_reserve(w, n, &dst)) != EG_OK)
		return r;
	if (n > 0)
		memcpy(dst, src, n);
	return EG_OK;
}

int
eg_wbuf_u8(struct eg_wbuf *w, uint8_t v)
{
	return eg_wbuf_put(w, &v, 1);
}

int
eg_wbuf_be16(struct eg_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return eg_wbuf_put(w, b, sizeof(b));
}

int
eg_wbuf_be32(struct eg_wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return eg_wbuf_put(w, b, sizeof(b));
}

int
eg_wbuf_le16(struct eg_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	return eg_wbuf_put(w, b, sizeof(b));
}

int
eg_wbuf_le32(struct eg_wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8),
	    (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return eg_wbuf_put(w, b, sizeof(b));
}
