/* SPDX-License-Identifier: Apache-2.0 */
/* camera_image.c — JPEG size and PPM header readers (camera_image.h). */
#include <string.h>

#include "camera_image.h"
#include "egate/buf.h"
#include "egate/error.h"

/* JPEG start-of-frame markers carry the size: C0..CF except DHT (C4),
 * JPG (C8) and DAC (CC). */
static int
is_sof(uint8_t m)
{
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

static int
probe_jpeg(struct eg_rbuf *b, struct camera_image *out)
{
	uint8_t ff, m, precision;
	uint16_t len, h, w;
	int ret;

	for (;;) {
		if ((ret = eg_rbuf_u8(b, &ff)) != EG_OK)
			return ret;
		if (ff != 0xFF)
			return EG_ERR_FORMAT;
		do {	/* any number of 0xFF fill bytes before a marker */
			if ((ret = eg_rbuf_u8(b, &m)) != EG_OK)
				return ret;
		} while (m == 0xFF);
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;	/* TEM, RSTn: no length */
		if (m == 0xD8 || m == 0xD9 || m == 0xDA || m == 0x00)
			return EG_ERR_FORMAT;	/* SOI again, EOI or scan before any frame header */
		if ((ret = eg_rbuf_be16(b, &len)) != EG_OK)
			return ret;
		if (len < 2)
			return EG_ERR_FORMAT;
		if (!is_sof(m)) {
			if ((ret = eg_rbuf_skip(b, len - 2u)) != EG_OK)
				return ret;
			continue;
		}
		if (len < 8)
			return EG_ERR_FORMAT;
		if ((ret = eg_rbuf_u8(b, &precision)) != EG_OK ||
		    (ret = eg_rbuf_be16(b, &h)) != EG_OK ||
		    (ret = eg_rbuf_be16(b, &w)) != EG_OK)
			return ret;
		/* height 0 (set later by a DNL segment) is legal JPEG but
		 * useless to us */
		if (w == 0 || h == 0 || w > CAMERA_IMAGE_MAX_SIDE || h > CAMERA_IMAGE_MAX_SIDE)
			return EG_ERR_UNSUPPORTED;
		out->pixfmt = CAMERA_FMT_MJPEG;
		out->width = w;
		out->height = h;
		out->pixel_offset = 0;
		return EG_OK;
	}
}

/* skip whitespace and '#' comments in a PPM header */
static int
ppm_skip_space(struct eg_rbuf *b)
{
	uint8_t c;
	bool comment = false;

	for (;;) {
		if (eg_rbuf_left(b) == 0)
			return EG_ERR_TRUNCATED;
		c = *b->p;
		if (comment) {
			if (c == '\n' || c == '\r')
				comment = false;
		} else if (c == '#') {
			comment = true;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\v' && c != '\f') {
			return EG_OK;
		}
		(void)eg_rbuf_skip(b, 1);
	}
}

static int
ppm_number(struct eg_rbuf *b, uint32_t *v)
{
	uint8_t c;
	uint32_t x = 0;
	size_t digits = 0;
	int ret;

	if ((ret = ppm_skip_space(b)) != EG_OK)
		return ret;
	while (eg_rbuf_left(b) > 0 && *b->p >= '0' && *b->p <= '9') {
		(void)eg_rbuf_u8(b, &c);
		if (x > 100000000u)
			return EG_ERR_UNSUPPORTED;
		x = x * 10 + (uint32_t)(c - '0');
		digits++;
	}
	if (digits == 0)
		return eg_rbuf_left(b) == 0 ? EG_ERR_TRUNCATED : EG_ERR_FORMAT;
	*v = x;
	return EG_OK;
}

static int
probe_ppm(struct eg_rbuf *b, const uint8_t *start, struct camera_image *out)
{
	uint32_t w, h, maxval;
	uint8_t sep;
	int ret;

	if ((ret = ppm_number(b, &w)) != EG_OK ||
	    (ret = ppm_number(b, &h)) != EG_OK ||
	    (ret = ppm_number(b, &maxval)) != EG_OK)
		return ret;
	/* exactly one whitespace byte ends the header */
	if ((ret = eg_rbuf_u8(b, &sep)) != EG_OK)
		return ret;
	if (sep != ' ' && sep != '\t' && sep != '\n' && sep != '\r')
		return EG_ERR_FORMAT;
	if (maxval == 0 || maxval > 65535)
		return EG_ERR_FORMAT;
	if (maxval > 255 || w == 0 || h == 0 || w > CAMERA_IMAGE_MAX_SIDE ||
	    h > CAMERA_IMAGE_MAX_SIDE)
		return EG_ERR_UNSUPPORTED;
	if (eg_rbuf_left(b) < (size_t)w * h * 3)
		return EG_ERR_TRUNCATED;
	out->pixfmt = CAMERA_FMT_BGR24;
	out->width = w;
	out->height = h;
	out->pixel_offset = (size_t)(b->p - start);
	return EG_OK;
}

int
camera_image_probe(const uint8_t *p, size_t n, struct camera_image *out)
{
	struct eg_rbuf b = eg_rbuf_init(p, n);
	uint8_t m0, m1;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = eg_rbuf_u8(&b, &m0)) != EG_OK || (ret = eg_rbuf_u8(&b, &m1)) != EG_OK)
		goto out;
	if (m0 == 0xFF && m1 == 0xD8)
		ret = probe_jpeg(&b, out);
	else if (m0 == 'P' && m1 == '6')
		ret = probe_ppm(&b, p, out);
	else
		ret = EG_ERR_FORMAT;
out:
	if (ret != EG_OK)
		memset(out, 0, sizeof(*out));
	return ret;
}

/* BT.601 limited range, integer form */
static uint8_t
luma(int r, int g, int b)
{
	return (uint8_t)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
}

int
camera_bgr_to_yuyv(const uint8_t *bgr, uint32_t width, uint32_t height, uint8_t *dst,
    size_t cap)
{
	size_t npairs;

	if (width % 2 != 0)
		return EG_ERR_INVAL;
	if (cap < (size_t)width * height * 2)
		return EG_ERR_OVERFLOW;
	npairs = (size_t)width * height / 2;
	for (size_t i = 0; i < npairs; i++) {
		const uint8_t *p = bgr + 6 * i;
		int b0 = p[0], g0 = p[1], r0 = p[2], b1 = p[3], g1 = p[4], r1 = p[5];
		int r = (r0 + r1 + 1) / 2, g = (g0 + g1 + 1) / 2, b = (b0 + b1 + 1) / 2;

		dst[4 * i + 0] = luma(r0, g0, b0);
		dst[4 * i + 1] = (uint8_t)(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
		dst[4 * i + 2] = luma(r1, g1, b1);
		dst[4 * i + 3] = (uint8_t)(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
	}
	return EG_OK;
}

int
camera_ppm_to_bgr(const uint8_t *p, size_t n, const struct camera_image *img,
    uint8_t *dst, size_t cap)
{
	size_t npix, need;

	if (img->pixfmt != CAMERA_FMT_BGR24)
		return EG_ERR_INVAL;
	npix = (size_t)img->width * img->height;
	need = npix * 3;
	if (cap < need)
		return EG_ERR_OVERFLOW;
	if (img->pixel_offset > n || n - img->pixel_offset < need)
		return EG_ERR_TRUNCATED;
	p += img->pixel_offset;
	for (size_t i = 0; i < npix; i++) {
		dst[3 * i + 0] = p[3 * i + 2];
		dst[3 * i + 1] = p[3 * i + 1];
		dst[3 * i + 2] = p[3 * i + 0];
	}
	return EG_OK;
}
