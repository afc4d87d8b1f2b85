/* SPDX-License-Identifier: Apache-2.0 */
#include "egate/error.h"
#include "egate/tlv.h"

static int
read_tag(struct eg_rbuf *b, uint32_t *tag, bool *constructed)
{
	uint8_t c;
	uint32_t t;
	int r;

	if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
		return r;
	*constructed = (c & 0x20) != 0;
	t = c;
	if ((c & 0x1f) == 0x1f) {
		/* Subsequent bytes: bit 8 set means "more follow". */
		for (int i = 1;; i++) {
			if (i == 4)
				return EG_ERR_FORMAT;
			if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
				return r;
			t = (t << 8) | c;
			if ((c & 0x80) == 0)
				break;
		}
	}
	*tag = t;
	return EG_OK;
}

static int
read_len(struct eg_rbuf *b, size_t *len)
{
	uint8_t c, n;
	size_t v = 0;
	int r;

	if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
		return r;
	if (c < 0x80) {
		*len = c;
		return EG_OK;
	}
	n = c & 0x7f;
	if (n == 0)
		return EG_ERR_FORMAT;	/* indefinite form */
	if (n > 4)
		return EG_ERR_OVERFLOW;
	for (uint8_t i = 0; i < n; i++) {
		if ((r = eg_rbuf_u8(b, &c)) != EG_OK)
			return r;
		v = (v << 8) | c;
	}
	if (n > 1 && (v >> (8 * (n - 1))) == 0)
		return EG_ERR_FORMAT;	/* leading zero byte: not minimal */
	if (v > EG_TLV_MAX_LEN)
		return EG_ERR_OVERFLOW;
	*len = v;
	return EG_OK;
}

int
eg_tlv_read(struct eg_rbuf *b, struct eg_tlv *out)
{
	struct eg_rbuf c = *b;	/* work on a copy: move b only on success */
	struct eg_tlv t;
	size_t len;
	int r;

	t.raw = c.p;
	if ((r = read_tag(&c, &t.tag, &t.constructed)) != EG_OK)
		return r;
	if ((r = read_len(&c, &len)) != EG_OK)
		return r;
	if ((r = eg_rbuf_sub(&c, len, &t.value)) != EG_OK)
		return r;
	t.raw_len = (size_t)(c.p - t.raw);
	*b = c;
	*out = t;
	return EG_OK;
}

int
eg_tlv_find(const struct eg_rbuf *b, uint32_t tag, struct eg_tlv *out)
{
	struct eg_rbuf c = *b;
	struct eg_tlv t;
	int r;

	while (eg_rbuf_left(&c) > 0) {
		if ((r = eg_tlv_read(&c, &t)) != EG_OK)
			return r;
		if (t.tag == tag) {
			*out = t;
			return EG_OK;
		}
	}
	return EG_ERR_NOT_FOUND;
}

int
eg_tlv_expect(struct eg_rbuf *b, uint32_t tag, struct eg_tlv *out)
{
	struct eg_rbuf c = *b;
	int r;

	if ((r = eg_tlv_read(&c, out)) != EG_OK)
		return r;
	if (out->tag != tag)
		return EG_ERR_FORMAT;
	*b = c;
	return EG_OK;
}

int
eg_tlv_put_tag(struct eg_wbuf *w, uint32_t tag)
{
	uint8_t b[4];
	int n = 0;

	if (tag > 0xffffff)
		b[n++] = (uint8_t)(tag >> 24);
	if (tag > 0xffff)
		b[n++] = (uint8_t)(tag >> 16);
	if (tag > 0xff)
		b[n++] = (uint8_t)(tag >> 8);
	b[n++] = (uint8_t)tag;
	return eg_wbuf_put(w, b, (size_t)n);
}

size_t
eg_tlv_len_size(size_t len)
{
	if (len < 0x80)
		return 1;
	if (len <= 0xff)
		return 2;
	if (len <= 0xffff)
		return 3;
	if (len <= 0xffffff)
		return 4;
	return 5;
}

int
eg_tlv_put_len(struct eg_wbuf *w, size_t len)
{
	uint8_t b[5];
	size_t n = eg_tlv_len_size(len);

	if (len > 0xffffffffu)
		return EG_ERR_OVERFLOW;
	if (n == 1) {
		b[0] = (uint8_t)len;
	} else {
		b[0] = (uint8_t)(0x80 | (n - 1));
		for (size_t i = 1; i < n; i++)
			b[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	}
	return eg_wbuf_put(w, b, n);
}

int
eg_tlv_put(struct eg_wbuf *w, uint32_t tag, const void *value, size_t len)
{
	size_t mark = w->len;
	int r;

	if ((r = eg_tlv_put_tag(w, tag)) != EG_OK ||
	    (r = eg_tlv_put_len(w, len)) != EG_OK ||
	    (r = eg_wbuf_put(w, value, len)) != EG_OK) {
		w->len = mark;	/* leave the buffer as it was */
		return r;
	}
	return EG_OK;
}
