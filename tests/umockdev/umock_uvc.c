/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_uvc.c — an emulated USB Video Class camera (UVC 1.1) behind the
 * usbdevfs engine: a VideoControl interface (camera terminal, processing
 * unit, streaming output terminal; no status endpoint) and a VideoStreaming
 * interface with ONE alternate setting and a bulk IN endpoint, so libuvc
 * streams with bulk transfers. Two formats of the same size: MJPEG (the
 * test's JPEG) and YUY2 (the test's bytes, or a grey ramp). The probe and
 * commit controls are answered as a camera does; after a commit every bulk
 * IN transfer gets one payload (2-byte header: FID, EOF) at the committed
 * frame interval. Faults for the next frame make the broken streams of real
 * cameras. Isochronous streaming is not offered: see
 * docs/testing-devices.md for why umockdev 0.17 cannot carry it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "umock_uvc.h"

#define UVC_EP       0x81
#define UVC_PAYLOAD  1024		/* dwMaxPayloadTransferSize */
#define UVC_HDR      2
#define UVC_SET_CUR  0x01
#define UVC_GET_CUR  0x81
#define UVC_GET_MIN  0x82
#define UVC_GET_MAX  0x83
#define UVC_GET_RES  0x84
#define UVC_GET_LEN  0x85
#define UVC_GET_INFO 0x86
#define UVC_GET_DEF  0x87
#define UVC_PROBE_LEN 34		/* bcdUVC 1.1 */

struct umock_uvc {
	struct umock_dev *dev;
	uint16_t w, h;
	uint32_t interval;		/* 100 ns units */
	uint8_t probe[UVC_PROBE_LEN];	/* what the host set, answered back */
	bool committed;
	uint8_t format;			/* 1 MJPEG, 2 YUY2 */
	uint8_t *mjpeg, *yuyv;
	size_t mjpeg_len, yuyv_len;
	/* the frame being sent */
	const uint8_t *cur;
	size_t cur_len, off;
	uint8_t fid;
	uint64_t next_ns;
	enum umock_uvc_fault fault, cur_fault;
	size_t fault_n;
	bool sticky;			/* the fault stays for every frame */
	uint32_t payload;		/* dwMaxPayloadTransferSize */
	unsigned frames;
	uint8_t ae_mode;
	uint32_t exposure;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The probe/commit answer for format f, frame 1, at the camera's interval. */
static void
fill_probe(struct umock_uvc *c, uint8_t *p, uint8_t f)
{
	memset(p, 0, UVC_PROBE_LEN);
	p[0] = 0x01;			/* bmHint: dwFrameInterval */
	p[2] = f;			/* bFormatIndex */
	p[3] = 1;			/* bFrameIndex */
	le32(p + 4, c->interval);
	le32(p + 18, (uint32_t)c->w * c->h * 2);	/* dwMaxVideoFrameSize */
	le32(p + 22, c->payload);	/* dwMaxPayloadTransferSize */
	le32(p + 26, 48000000);		/* dwClockFrequency */
	p[30] = 0x03;			/* bmFramingInfo: FID, EOF */
	p[31] = 1;			/* bPreferedVersion */
	p[32] = 1;			/* bMinVersion */
	p[33] = 1;			/* bMaxVersion */
}

static int
vs_control(struct umock_uvc *c, uint8_t req, uint8_t cs, uint8_t *data,
    size_t len)
{
	uint8_t f;

	if (cs != 0x01 && cs != 0x02)		/* PROBE, COMMIT */
		return -EPIPE;
	switch (req) {
	case UVC_SET_CUR:
		if (len < 26)
			return -EPIPE;
		f = data[2];
		if (f != 1 && f != 2)
			f = 1;
		fill_probe(c, c->probe, f);
		if (cs == 0x02) {	/* commit: start the stream afresh */
			c->committed = true;
			c->format = f;
			c->cur = NULL;
			c->next_ns = 0;
		}
		return (int)len;
	case UVC_GET_CUR:
	case UVC_GET_MIN:
	case UVC_GET_MAX:
	case UVC_GET_DEF:
		if (c->probe[2] == 0)
			fill_probe(c, c->probe, 1);
		if (len > UVC_PROBE_LEN)
			len = UVC_PROBE_LEN;
		memcpy(data, c->probe, len);
		return (int)len;
	case UVC_GET_LEN:
		if (len < 2)
			return -EPIPE;
		data[0] = UVC_PROBE_LEN;
		data[1] = 0;
		return 2;
	case UVC_GET_INFO:
		if (len < 1)
			return -EPIPE;
		data[0] = 0x03;
		return 1;
	default:
		return -EPIPE;
	}
}

/* Camera terminal controls: auto-exposure mode (2) and exposure time (4). */
static int
ct_control(struct umock_uvc *c, uint8_t req, uint8_t cs, uint8_t *data,
    size_t len)
{
	if (cs == 0x02 && len >= 1) {
		if (req == UVC_SET_CUR)
			c->ae_mode = data[0];
		else
			data[0] = req == UVC_GET_RES ? 0x0f : c->ae_mode;
		return 1;
	}
	if (cs == 0x04 && len >= 4) {
		if (req == UVC_SET_CUR)
			c->exposure = rd32(data);
		else
			le32(data, req == UVC_GET_MAX ? 10000 : req == UVC_GET_MIN ?
			    1 : c->exposure);
		return 4;
	}
	return -EPIPE;
}

static int
uvc_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len)
{
	struct umock_uvc *c = ctx;
	uint8_t req = setup[1], cs = setup[3], entity = setup[5];
	uint8_t iface = setup[4];

	if ((setup[0] & 0x1f) != 0x01)		/* to an interface */
		return -EPIPE;
	if (iface == 1)
		return vs_control(c, req, cs, data, len);
	if (iface == 0 && entity == 1)
		return ct_control(c, req, cs, data, len);
	return -EPIPE;
}

static int
uvc_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)ep;
	(void)data;
	(void)len;
	return -EPIPE;
}

/* Next payload of the stream into buf (cap bytes), or UMOCK_PENDING before
 * the next frame is due. */
static int
uvc_in(void *ctx, uint8_t ep, uint8_t *buf, size_t cap)
{
	struct umock_uvc *c = ctx;
	size_t n, hdr = UVC_HDR, len;
	uint8_t info;

	if (ep != UVC_EP || cap < UVC_HDR + 1)
		return -EPIPE;
	if (!c->committed)
		return UMOCK_PENDING;
	if (c->cur == NULL) {
		uint64_t t = now_ns();

		if (c->next_ns != 0 && t < c->next_ns)
			return UMOCK_PENDING;
		c->next_ns = (c->next_ns == 0 ? t : c->next_ns) +
		    (uint64_t)c->interval * 100u;
		if (c->next_ns < t)
			c->next_ns = t;
		c->cur = c->format == 1 ? c->mjpeg : c->yuyv;
		c->cur_len = c->format == 1 ? c->mjpeg_len : c->yuyv_len;
		if (c->cur == NULL)
			return UMOCK_PENDING;	/* no JPEG given: no frames */
		c->off = 0;
		c->fid ^= 1;
		c->cur_fault = c->fault;
		if (!c->sticky)
			c->fault = UMOCK_UVC_OK;
		c->frames++;
		if (c->cur_fault == UMOCK_UVC_TRUNCATED && c->fault_n < c->cur_len)
			c->cur_len = c->fault_n;
	}
	len = c->cur_len;
	if (c->cur_fault == UMOCK_UVC_OVERSIZE)
		len = (size_t)c->w * c->h * 2 + 4096;	/* past dwMaxVideoFrameSize */
	n = len - c->off;
	if (n > cap - hdr)
		n = cap - hdr;
	if (n > c->payload - hdr)
		n = c->payload - hdr;
	info = (uint8_t)(0x80 | c->fid);
	if (c->off + n == len && c->cur_fault != UMOCK_UVC_NO_EOF)
		info |= 0x02;			/* EOF */
	if (c->cur_fault == UMOCK_UVC_ERROR_BIT)
		info |= 0x40;
	buf[0] = (uint8_t)hdr;
	if (c->cur_fault == UMOCK_UVC_BAD_HEADER)
		buf[0] = 0xff;			/* header longer than the payload */
	buf[1] = info;
	for (size_t i = 0; i < n; i++) {
		size_t k = c->off + i;

		buf[hdr + i] = k < c->cur_len ? c->cur[k] : (uint8_t)k;
	}
	c->off += n;
	if (c->off == len)
		c->cur = NULL;
	return (int)(hdr + n);
}

static const struct umock_dev_ops uvc_ops = {
	.control = uvc_control,
	.out = uvc_out,
	.in = uvc_in,
};

static void
put_frame(struct umock_buf *b, uint8_t subtype, uint16_t w, uint16_t h,
    uint32_t interval)
{
	umock_put_u8(b, 30);
	umock_put_u8(b, 0x24);
	umock_put_u8(b, subtype);
	umock_put_u8(b, 1);			/* bFrameIndex */
	umock_put_u8(b, 0);
	umock_put_le16(b, w);
	umock_put_le16(b, h);
	umock_put_le32(b, (uint32_t)w * h * 16 * 10);	/* min bit rate */
	umock_put_le32(b, (uint32_t)w * h * 16 * 30);
	umock_put_le32(b, (uint32_t)w * h * 2);		/* max frame size */
	umock_put_le32(b, interval);
	umock_put_u8(b, 1);			/* one discrete interval */
	umock_put_le32(b, interval);
}

int
umock_uvc_desc(uint16_t w, uint16_t h, uint32_t interval, struct umock_buf *b)
{
	static const uint8_t yuy2[16] = { 'Y', 'U', 'Y', '2', 0x00, 0x00, 0x10,
	    0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71 };
	size_t cfg, vc, vs;

	memset(b, 0, sizeof(*b));
	umock_put_device(b, 0xEF, UMOCK_UVC_VID, UMOCK_UVC_PID, 0x0100, 64);
	cfg = b->n;
	umock_put_config(b, 2);
	/* interface association: video function, interfaces 0-1 */
	umock_put(b, (const uint8_t[]){ 8, 0x0B, 0, 2, 0x0E, 0x03, 0, 0 }, 8);
	umock_put_iface(b, 0, 0, 0, 0x0E, 0x01, 0);	/* VideoControl */
	vc = b->n;
	umock_put(b, (const uint8_t[]){ 13, 0x24, 0x01, 0x10, 0x01, 0, 0,
	    0x00, 0x6C, 0xDC, 0x02, 1, 1 }, 13);	/* header, 48 MHz, VS 1 */
	umock_put(b, (const uint8_t[]){ 18, 0x24, 0x02, 1, 0x01, 0x02, 0, 0,
	    0, 0, 0, 0, 0, 0, 3, 0x0A, 0, 0 }, 18);	/* camera: AE, exposure */
	umock_put(b, (const uint8_t[]){ 11, 0x24, 0x05, 2, 1, 0, 0, 2, 0x01,
	    0, 0 }, 11);				/* processing: brightness */
	umock_put(b, (const uint8_t[]){ 9, 0x24, 0x03, 3, 0x01, 0x01, 0, 2,
	    0 }, 9);					/* output: streaming */
	b->b[vc + 5] = (uint8_t)(b->n - vc);		/* VC wTotalLength */
	b->b[vc + 6] = (uint8_t)((b->n - vc) >> 8);
	umock_put_iface(b, 1, 0, 1, 0x0E, 0x02, 0);	/* VideoStreaming */
	vs = b->n;
	umock_put(b, (const uint8_t[]){ 15, 0x24, 0x01, 2, 0, 0, UVC_EP, 0, 3,
	    0, 0, 0, 1, 0, 0 }, 15);			/* input header, 2 formats */
	umock_put(b, (const uint8_t[]){ 11, 0x24, 0x06, 1, 1, 0, 1, 0, 0, 0,
	    0 }, 11);					/* MJPEG */
	put_frame(b, 0x07, w, h, interval);
	umock_put(b, (const uint8_t[]){ 27, 0x24, 0x04, 2, 1 }, 5);	/* YUY2 */
	umock_put(b, yuy2, 16);
	umock_put(b, (const uint8_t[]){ 16, 1, 0, 0, 0, 0 }, 6);
	put_frame(b, 0x05, w, h, interval);
	b->b[vs + 4] = (uint8_t)(b->n - vs);		/* VS wTotalLength */
	b->b[vs + 5] = (uint8_t)((b->n - vs) >> 8);
	umock_put_ep(b, UVC_EP, 0x02, 512, 0);		/* bulk IN */
	umock_config_done(b, cfg);
	return b->overflow ? EG_ERR_OVERFLOW : EG_OK;
}

int
umock_uvc_add(struct umock *u, uint16_t w, uint16_t h, unsigned fps,
    const struct umock_buf *desc, struct umock_uvc **out)
{
	struct umock_dev_desc dd;
	struct umock_buf built;
	struct umock_uvc *c;
	int ret;

	*out = NULL;
	if (w == 0 || h == 0 || fps == 0 || fps > 1000)
		return EG_ERR_INVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return EG_ERR_NOMEM;
	c->w = w;
	c->h = h;
	c->interval = 10000000u / fps;
	c->ae_mode = 0x08;
	c->payload = UVC_PAYLOAD;
	c->yuyv_len = (size_t)w * h * 2;
	if ((c->yuyv = malloc(c->yuyv_len)) == NULL) {
		free(c);
		return EG_ERR_NOMEM;
	}
	for (size_t i = 0; i < c->yuyv_len; i++)	/* Y ramp, U = V = 128 */
		c->yuyv[i] = i % 2 ? 128 : (uint8_t)((i / 2) % w * 255 / w);
	if (desc == NULL) {
		if ((ret = umock_uvc_desc(w, h, c->interval, &built)) != EG_OK)
			goto fail;
		desc = &built;
	}
	memset(&dd, 0, sizeof(dd));
	dd.desc = desc->b;
	dd.len = desc->n;
	dd.strings[0] = "egate test";
	dd.strings[1] = "UVC camera";
	dd.strings[2] = "UMOCKUVC1";
	dd.speed_mbps = 480;
	if ((ret = umock_dev_add(u, &dd, &uvc_ops, c, &c->dev)) != EG_OK)
		goto fail;
	*out = c;
	return EG_OK;
fail:
	free(c->yuyv);
	free(c);
	return ret;
}

void
umock_uvc_free(struct umock_uvc **c)
{
	if (c == NULL || *c == NULL)
		return;
	free((*c)->mjpeg);
	free((*c)->yuyv);
	free(*c);
	*c = NULL;
}

struct umock_dev *
umock_uvc_dev(struct umock_uvc *c)
{
	return c->dev;
}

static int
set_bytes(uint8_t **dst, size_t *dlen, const void *p, size_t n)
{
	uint8_t *x;

	if (n == 0 || (x = malloc(n)) == NULL)
		return n == 0 ? EG_ERR_INVAL : EG_ERR_NOMEM;
	memcpy(x, p, n);
	free(*dst);
	*dst = x;
	*dlen = n;
	return EG_OK;
}

int
umock_uvc_set_mjpeg(struct umock_uvc *c, const void *jpeg, size_t len)
{
	return set_bytes(&c->mjpeg, &c->mjpeg_len, jpeg, len);
}

int
umock_uvc_set_yuyv(struct umock_uvc *c, const void *data, size_t len)
{
	if (len != (size_t)c->w * c->h * 2)
		return EG_ERR_INVAL;
	return set_bytes(&c->yuyv, &c->yuyv_len, data, len);
}

void
umock_uvc_arm(struct umock_uvc *c, enum umock_uvc_fault f, size_t n)
{
	c->fault = f;
	c->fault_n = n;
	c->sticky = false;
}

void
umock_uvc_set_fault(struct umock_uvc *c, enum umock_uvc_fault f, size_t n)
{
	c->fault = f;
	c->fault_n = n;
	c->sticky = f != UMOCK_UVC_OK;
}

int
umock_uvc_set_payload(struct umock_uvc *c, uint32_t bytes)
{
	if (bytes < UVC_HDR + 1 || bytes > (uint32_t)c->w * c->h * 2)
		return EG_ERR_INVAL;
	c->payload = bytes;
	return EG_OK;
}

unsigned
umock_uvc_frames(struct umock_uvc *c)
{
	return c->frames;
}

void
umock_uvc_exposure(struct umock_uvc *c, uint8_t *ae_mode, uint32_t *exposure)
{
	*ae_mode = c->ae_mode;
	*exposure = c->exposure;
}
