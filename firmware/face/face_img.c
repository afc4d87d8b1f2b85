/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face_img.c — image format sniffing from headers, so that a hostile image
 * announcing 60000 x 60000 pixels is refused before a decoder allocates for
 * it. Parsed only through eg_rbuf.
 */
#include <string.h>

#include "egate/buf.h"
#include "egate/error.h"
#include "face.h"

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };
static const uint8_t jp2_sig[12] = { 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A };

const char *
face_img_fmt_str(enum face_img_fmt f)
{
	switch (f) {
	case FACE_IMG_JPEG: return "jpeg";
	case FACE_IMG_PNG: return "png";
	case FACE_IMG_JP2: return "jp2";
	case FACE_IMG_J2K: return "j2k";
	case FACE_IMG_UNKNOWN: break;
	}
	return "unknown";
}

/* JPEG: walk the marker segments up to the first SOFn. */
static int
probe_jpeg(struct eg_rbuf b, uint32_t *w, uint32_t *h)
{
	int ret;

	if ((ret = eg_rbuf_skip(&b, 2)) != EG_OK)	/* FF D8 */
		return ret;
	for (;;) {
		uint8_t ff, m;
		uint16_t seglen, y, x;

		if ((ret = eg_rbuf_u8(&b, &ff)) != EG_OK)
			return ret;
		if (ff != 0xFF)
			return EG_ERR_FORMAT;
		do {	/* fill bytes */
			if ((ret = eg_rbuf_u8(&b, &m)) != EG_OK)
				return ret;
		} while (m == 0xFF);
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;	/* standalone markers */
		if (m == 0xD8 || m == 0xD9 || m == 0xDA || m == 0x00)
			return EG_ERR_FORMAT;	/* no frame header before scan/end */
		if ((ret = eg_rbuf_be16(&b, &seglen)) != EG_OK)
			return ret;
		if (seglen < 2)
			return EG_ERR_FORMAT;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			struct eg_rbuf s;
			uint8_t prec;

			if ((ret = eg_rbuf_sub(&b, seglen - 2u, &s)) != EG_OK)
				return ret;
			if ((ret = eg_rbuf_u8(&s, &prec)) != EG_OK ||
			    (ret = eg_rbuf_be16(&s, &y)) != EG_OK ||
			    (ret = eg_rbuf_be16(&s, &x)) != EG_OK)
				return ret == EG_ERR_TRUNCATED ? EG_ERR_FORMAT : ret;
			if (x == 0 || y == 0)	/* y == 0: DNL, not supported */
				return EG_ERR_FORMAT;
			*w = x;
			*h = y;
			return EG_OK;
		}
		if ((ret = eg_rbuf_skip(&b, seglen - 2u)) != EG_OK)
			return ret;
	}
}

/* jpeg_check_eoi — EG_OK when an EOI marker (FF D9) follows the first SOS
 * segment; EG_ERR_TRUNCATED otherwise. */
static int
jpeg_check_eoi(const uint8_t *p, size_t len)
{
	struct eg_rbuf b = eg_rbuf_init(p, len);
	int ret;

	if ((ret = eg_rbuf_skip(&b, 2)) != EG_OK)
		return ret;
	for (;;) {
		uint8_t ff, m;
		uint16_t seglen;

		if ((ret = eg_rbuf_u8(&b, &ff)) != EG_OK)
			return ret;
		if (ff != 0xFF)
			return EG_ERR_FORMAT;
		do {
			if ((ret = eg_rbuf_u8(&b, &m)) != EG_OK)
				return ret;
		} while (m == 0xFF);
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;
		if (m == 0xD9)
			return EG_ERR_FORMAT;	/* end before any scan */
		if ((ret = eg_rbuf_be16(&b, &seglen)) != EG_OK)
			return ret;
		if (seglen < 2)
			return EG_ERR_FORMAT;
		if ((ret = eg_rbuf_skip(&b, seglen - 2u)) != EG_OK)
			return ret;
		if (m == 0xDA)
			break;
	}
	/* entropy-coded data never holds FF D9 (an FF byte is stuffed with 00) */
	for (const uint8_t *q = b.p; q + 1 < b.end; q++)
		if (q[0] == 0xFF && q[1] == 0xD9)
			return EG_OK;
	return EG_ERR_TRUNCATED;
}

static int
probe_png(struct eg_rbuf b, uint32_t *w, uint32_t *h)
{
	uint32_t len, type;
	int ret;

	if ((ret = eg_rbuf_skip(&b, 8)) != EG_OK || (ret = eg_rbuf_be32(&b, &len)) != EG_OK ||
	    (ret = eg_rbuf_be32(&b, &type)) != EG_OK)
		return ret;
	if (type != 0x49484452u || len != 13)	/* "IHDR" */
		return EG_ERR_FORMAT;
	if ((ret = eg_rbuf_be32(&b, w)) != EG_OK || (ret = eg_rbuf_be32(&b, h)) != EG_OK)
		return ret;
	return (*w == 0 || *h == 0) ? EG_ERR_FORMAT : EG_OK;
}

/* J2K codestream: SOC (FF4F), SIZ (FF51) with the reference grid size. */
static int
probe_j2k(struct eg_rbuf b, uint32_t *w, uint32_t *h)
{
	uint16_t lsiz, rsiz;
	uint32_t xs, ys, xo, yo;
	int ret;

	if ((ret = eg_rbuf_skip(&b, 4)) != EG_OK || (ret = eg_rbuf_be16(&b, &lsiz)) != EG_OK ||
	    (ret = eg_rbuf_be16(&b, &rsiz)) != EG_OK || (ret = eg_rbuf_be32(&b, &xs)) != EG_OK ||
	    (ret = eg_rbuf_be32(&b, &ys)) != EG_OK || (ret = eg_rbuf_be32(&b, &xo)) != EG_OK ||
	    (ret = eg_rbuf_be32(&b, &yo)) != EG_OK)
		return ret;
	(void)rsiz;
	if (lsiz < 41 || xo >= xs || yo >= ys)
		return EG_ERR_FORMAT;
	*w = xs - xo;
	*h = ys - yo;
	return EG_OK;
}

/* JP2: boxes; the image header box 'ihdr' is inside the 'jp2h' superbox. */
static int
probe_jp2(struct eg_rbuf b, int depth, uint32_t *w, uint32_t *h)
{
	int ret;

	while (eg_rbuf_left(&b) > 0) {
		uint32_t lbox, tbox;
		uint64_t len;
		struct eg_rbuf box;
		size_t hdr = 8;

		if ((ret = eg_rbuf_be32(&b, &lbox)) != EG_OK || (ret = eg_rbuf_be32(&b, &tbox)) != EG_OK)
			return ret;
		if (lbox == 1) {
			uint32_t hi, lo;

			if ((ret = eg_rbuf_be32(&b, &hi)) != EG_OK || (ret = eg_rbuf_be32(&b, &lo)) != EG_OK)
				return ret;
			len = ((uint64_t)hi << 32) | lo;
			hdr = 16;
		} else if (lbox == 0) {
			len = eg_rbuf_left(&b) + hdr;	/* to the end */
		} else {
			len = lbox;
		}
		if (len < hdr)
			return EG_ERR_FORMAT;
		if (len - hdr > eg_rbuf_left(&b))
			return EG_ERR_TRUNCATED;
		if ((ret = eg_rbuf_sub(&b, (size_t)(len - hdr), &box)) != EG_OK)
			return ret;
		if (tbox == 0x6A703268u && depth == 0)	/* 'jp2h' */
			return probe_jp2(box, 1, w, h);
		if (tbox == 0x69686472u && depth == 1) {	/* 'ihdr' */
			if ((ret = eg_rbuf_be32(&box, h)) != EG_OK || (ret = eg_rbuf_be32(&box, w)) != EG_OK)
				return EG_ERR_FORMAT;
			return (*w == 0 || *h == 0) ? EG_ERR_FORMAT : EG_OK;
		}
		if (tbox == 0x6A703263u)	/* 'jp2c' before any header */
			return EG_ERR_FORMAT;
	}
	return depth == 0 ? EG_ERR_TRUNCATED : EG_ERR_FORMAT;
}

int
face_img_probe(const uint8_t *p, size_t len, enum face_img_fmt *fmt, uint32_t *w, uint32_t *h)
{
	struct eg_rbuf b = eg_rbuf_init(p, len);
	uint32_t ww = 0, hh = 0;
	enum face_img_fmt f = FACE_IMG_UNKNOWN;
	int ret = EG_ERR_FORMAT;

	if (p == NULL || len < 2)
		goto out;
	if (p[0] == 0xFF && p[1] == 0xD8) {
		f = FACE_IMG_JPEG;
		ret = probe_jpeg(b, &ww, &hh);
	} else if (len >= 8 && memcmp(p, png_sig, 8) == 0) {
		f = FACE_IMG_PNG;
		ret = probe_png(b, &ww, &hh);
	} else if (len >= 4 && p[0] == 0xFF && p[1] == 0x4F && p[2] == 0xFF && p[3] == 0x51) {
		f = FACE_IMG_J2K;
		ret = probe_j2k(b, &ww, &hh);
	} else if (len >= 12 && memcmp(p, jp2_sig, 12) == 0) {
		f = FACE_IMG_JP2;
		ret = eg_rbuf_skip(&b, 12);
		if (ret == EG_OK)
			ret = probe_jp2(b, 0, &ww, &hh);
	}
out:
	if (fmt != NULL)
		*fmt = ret == EG_OK ? f : FACE_IMG_UNKNOWN;
	if (w != NULL)
		*w = ret == EG_OK ? ww : 0;
	if (h != NULL)
		*h = ret == EG_OK ? hh : 0;
	return ret;
}

int
face_img_decode(const uint8_t *p, size_t len, int max_dim, struct fcv_image *out)
{
	enum face_img_fmt fmt;
	uint32_t w, h;
	int ret;

	if (out == NULL || max_dim <= 0)
		return EG_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if ((ret = face_img_probe(p, len, &fmt, &w, &h)) != EG_OK)
		return ret;
	if (w > (uint32_t)max_dim || h > (uint32_t)max_dim)
		return EG_ERR_OVERFLOW;
	/* libjpeg decodes a cut-off file to a grey-padded picture without an
	 * error: insist on the end-of-image marker after the first scan */
	if (fmt == FACE_IMG_JPEG && (ret = jpeg_check_eoi(p, len)) != EG_OK)
		return ret;
	ret = fcv_image_decode(p, len, max_dim, out);
	/* EXIF orientation may swap the two */
	if (ret == EG_OK && !(((uint32_t)out->width == w && (uint32_t)out->height == h) ||
	    ((uint32_t)out->width == h && (uint32_t)out->height == w))) {
		/* the decoder saw another picture than the header announced */
		fcv_image_free(out);
		ret = EG_ERR_IMAGE;
	}
	return ret;
}
