/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_hidrelay.c — an emulated USBRelayN HID board (umock_hidrelay.h)
 * behind the usbdevfs engine: one HID interface (class 3, no subclass) with
 * its HID descriptor and an interrupt IN endpoint that never sends (V-USB
 * boards report nothing on it), and the feature reports of the board's
 * firmware on endpoint 0. Standard requests (descriptors, strings) are the
 * engine's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "umock_hidrelay.h"

#define HR_REPORT_LEN	8
#define HR_MAX_CH	8

struct umock_hidrelay {
	struct umock_dev *dev;
	unsigned channels;
	uint8_t state;
	enum umock_hidrelay_fault fault;
	unsigned ons[HR_MAX_CH + 1];
	char product[16];
};

static int
hr_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len)
{
	struct umock_hidrelay *r = ctx;
	uint8_t rt = setup[0], req = setup[1];
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);

	if (r->fault == UMOCK_HIDRELAY_STALL || value != 0x0300)
		return -EPIPE;
	if (rt == 0x21 && req == 0x09) {		/* SET_REPORT, feature 0 */
		unsigned ch;

		if (len < 2)
			return -EPIPE;
		ch = data[1];
		if (ch < 1 || ch > r->channels || (data[0] != 0xFF && data[0] != 0xFD))
			return (int)len;	/* the firmware ignores it */
		if (r->fault == UMOCK_HIDRELAY_STUCK)
			return (int)len;
		if (data[0] == 0xFF) {
			if (!(r->state & (1u << (ch - 1))))
				r->ons[ch]++;
			r->state = (uint8_t)(r->state | 1u << (ch - 1));
		} else {
			r->state = (uint8_t)(r->state & ~(1u << (ch - 1)));
		}
		return (int)len;
	}
	if (rt == 0xA1 && req == 0x01) {		/* GET_REPORT, feature 0 */
		uint8_t rep[HR_REPORT_LEN] = { 'E', 'G', 'T', '0', '1', 0, 0, 0 };
		size_t n = r->fault == UMOCK_HIDRELAY_SHORT ? 3 : HR_REPORT_LEN;

		rep[7] = r->state;
		if (n > len)
			n = len;
		memcpy(data, rep, n);
		return (int)n;
	}
	return -EPIPE;
}

static int
hr_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)ep;
	(void)data;
	(void)len;
	return -EPIPE;
}

static int
hr_in(void *ctx, uint8_t ep, uint8_t *buf, size_t cap)
{
	(void)ctx;
	(void)ep;
	(void)buf;
	(void)cap;
	return UMOCK_PENDING;
}

static const struct umock_dev_ops hr_ops = {
	.control = hr_control,
	.out = hr_out,
	.in = hr_in,
};

int
umock_hidrelay_add(struct umock *u, unsigned channels, struct umock_hidrelay **out)
{
	struct umock_dev_desc dd;
	struct umock_buf b;
	struct umock_hidrelay *r;
	size_t at;
	int ret;

	*out = NULL;
	if (channels < 1 || channels > HR_MAX_CH)
		return EG_ERR_INVAL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return EG_ERR_NOMEM;
	r->channels = channels;
	snprintf(r->product, sizeof(r->product), "USBRelay%u", channels);
	memset(&b, 0, sizeof(b));
	umock_put_device(&b, 0x00, UMOCK_HIDRELAY_VID, UMOCK_HIDRELAY_PID, 0x0100, 8);
	at = b.n;
	umock_put_config(&b, 1);
	umock_put_iface(&b, 0, 0, 1, 0x03, 0x00, 0x00);
	/* HID descriptor: HID 1.01, no country, one report descriptor of 22 bytes */
	umock_put_u8(&b, 9);
	umock_put_u8(&b, 0x21);
	umock_put_le16(&b, 0x0101);
	umock_put_u8(&b, 0);
	umock_put_u8(&b, 1);
	umock_put_u8(&b, 0x22);
	umock_put_le16(&b, 22);
	umock_put_ep(&b, 0x81, 0x03, 8, 20);
	umock_config_done(&b, at);
	if (b.overflow) {
		free(r);
		return EG_ERR_OVERFLOW;
	}
	memset(&dd, 0, sizeof(dd));
	dd.desc = b.b;
	dd.len = b.n;
	dd.strings[0] = "www.dcttech.com";
	dd.strings[1] = r->product;
	dd.speed_mbps = 12;
	if ((ret = umock_dev_add(u, &dd, &hr_ops, r, &r->dev)) != EG_OK) {
		free(r);
		return ret;
	}
	*out = r;
	return EG_OK;
}

void
umock_hidrelay_free(struct umock_hidrelay **r)
{
	if (r == NULL || *r == NULL)
		return;
	free(*r);
	*r = NULL;
}

struct umock_dev *
umock_hidrelay_dev(struct umock_hidrelay *r)
{
	return r->dev;
}

void
umock_hidrelay_set_fault(struct umock_hidrelay *r, enum umock_hidrelay_fault f)
{
	r->fault = f;
}

uint8_t
umock_hidrelay_state(struct umock_hidrelay *r)
{
	return r->state;
}

unsigned
umock_hidrelay_ons(struct umock_hidrelay *r, unsigned ch)
{
	return ch >= 1 && ch <= HR_MAX_CH ? r->ons[ch] : 0;
}
