/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.h — bounded byte buffers. All untrusted input is parsed through these.
 *
 * struct eg_rbuf is a read cursor over memory it does not own: a pointer p
 * walking towards end. Every read checks against end first and, on failure,
 * leaves the cursor where it was and returns EG_ERR_TRUNCATED, so a parser can
 * chain reads and stop at the first error without ever reading out of bounds.
 *
 * struct eg_wbuf is an append buffer with a hard maximum size. It either owns
 * heap memory that grows up to `max`, or wraps caller storage (no
 * allocation, for hot paths). A buffer marked secret is wiped whenever its
 * memory is released or reallocated.
 */
#ifndef EGATE_BUF_H
#define EGATE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eg_rbuf {
	const uint8_t *p;	/* next byte to read */
	const uint8_t *end;	/* one past the last readable byte */
};

/* eg_rbuf_init — a cursor over len bytes at data (borrowed, not copied). */
static inline struct eg_rbuf
eg_rbuf_init(const void *data, size_t len)
{
	struct eg_rbuf b;

	b.p = data;
	b.end = data != NULL ? b.p + len : b.p;	/* no arithmetic on NULL */
	return b;
}

/* eg_rbuf_left — bytes remaining. */
static inline size_t
eg_rbuf_left(const struct eg_rbuf *b)
{
	return (size_t)(b->end - b->p);
}

/* Readers: return EG_OK, or EG_ERR_TRUNCATED without moving the cursor. */
int eg_rbuf_u8(struct eg_rbuf *b, uint8_t *v);
int eg_rbuf_be16(struct eg_rbuf *b, uint16_t *v);
int eg_rbuf_be32(struct eg_rbuf *b, uint32_t *v);
int eg_rbuf_le16(struct eg_rbuf *b, uint16_t *v);
int eg_rbuf_le32(struct eg_rbuf *b, uint32_t *v);
/* eg_rbuf_skip — advance n bytes. */
int eg_rbuf_skip(struct eg_rbuf *b, size_t n);
/* eg_rbuf_copy — copy n bytes out to dst (caller storage of n bytes). */
int eg_rbuf_copy(struct eg_rbuf *b, void *dst, size_t n);
/* eg_rbuf_ptr — borrow a pointer to the next n bytes and advance past them.
 * The pointer stays valid as long as the underlying memory does. */
int eg_rbuf_ptr(struct eg_rbuf *b, size_t n, const uint8_t **ptr);
/* eg_rbuf_sub — split off the next n bytes as their own cursor. */
int eg_rbuf_sub(struct eg_rbuf *b, size_t n, struct eg_rbuf *sub);

struct eg_wbuf {
	uint8_t *data;
	size_t len;		/* bytes written */
	size_t cap;		/* bytes allocated (or caller storage size) */
	size_t max;		/* hard limit on len */
	bool owned;		/* data is ours to realloc/free */
	bool secret;		/* wipe on free/realloc */
};

/*
 * eg_wbuf_init — an empty heap buffer that may grow to max bytes.
 * Allocates nothing until the first write; cannot fail.
 */
void eg_wbuf_init(struct eg_wbuf *w, size_t max, bool secret);
/*
 * eg_wbuf_init_fixed — a buffer over caller storage of cap bytes; it never
 * allocates, and writes past cap fail with EG_ERR_OVERFLOW.
 */
void eg_wbuf_init_fixed(struct eg_wbuf *w, void *storage, size_t cap, bool secret);
/* eg_wbuf_free — release (and, if secret, wipe) the contents. Safe after
 * init alone and safe to call twice; the buffer is left empty and usable. */
void eg_wbuf_free(struct eg_wbuf *w);
/* eg_wbuf_reset — drop the contents (wiping if secret), keep the memory. */
void eg_wbuf_reset(struct eg_wbuf *w);

/* Writers: EG_OK, EG_ERR_OVERFLOW past max, or EG_ERR_NOMEM. On failure the
 * buffer is unchanged. */
int eg_wbuf_put(struct eg_wbuf *w, const void *src, size_t n);
int eg_wbuf_u8(struct eg_wbuf *w, uint8_t v);
int eg_wbuf_be16(struct eg_wbuf *w, uint16_t v);
int eg_wbuf_be32(struct eg_wbuf *w, uint32_t v);
int eg_wbuf_le16(struct eg_wbuf *w, uint16_t v);
int eg_wbuf_le32(struct eg_wbuf *w, uint32_t v);
/* eg_wbuf_reserve — make room for n more bytes and return a pointer to them
 * in *out; the caller fills them, and they count as written. */
int eg_wbuf_reserve(struct eg_wbuf *w, size_t n, uint8_t **out);

#endif
