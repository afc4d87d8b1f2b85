/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_hidkbd.c — an emulated keyboard-wedge MRZ reader (umock_hidkbd.h)
 * behind the usbdevfs engine: one HID interface with its HID descriptor
 * and an interrupt IN endpoint that hands out the queued input reports, one
 * per transfer; the class requests SET_PROTOCOL, GET_PROTOCOL and SET_IDLE
 * on endpoint 0. Standard requests (descriptors, strings) are the engine's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "umock_hidkbd.h"

#define KB_QUEUE	4096	/* reports: a TD1 typed is 186 */
#define KB_REP_MAX	16
#define KB_EP_IN	0x81

struct kb_report {
	uint8_t b[KB_REP_MAX];
	uint8_t len;
	int err;	/* < 0: the transfer ends with this URB status instead */
};

struct umock_hidkbd {
	struct umock_dev *dev;
	struct kb_report q[KB_QUEUE];
	size_t head, count;
	unsigned protocol;
	unsigned set_protocols;
	bool refuse_protocol;
};

static int
kb_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len)
{
	struct umock_hidkbd *k = ctx;
	uint8_t rt = setup[0], req = setup[1];
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);

	if (rt == 0x21 && req == 0x0B) {		/* SET_PROTOCOL */
		if (k->refuse_protocol || value > 1)
			return -EPIPE;
		k->protocol = value;
		k->set_protocols++;
		return 0;
	}
	if (rt == 0xA1 && req == 0x03 && len >= 1) {	/* GET_PROTOCOL */
		data[0] = (uint8_t)k->protocol;
		return 1;
	}
	if (rt == 0x21 && req == 0x0A)			/* SET_IDLE */
		return 0;
	return -EPIPE;
}

static int
kb_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)ep;
	(void)data;
	(void)len;
	return -EPIPE;
}

static int
kb_in(void *ctx, uint8_t ep, uint8_t *buf, size_t cap)
{
	struct umock_hidkbd *k = ctx;
	struct kb_report *r;

	if (ep != KB_EP_IN)
		return -EPIPE;
	if (k->count == 0)
		return UMOCK_PENDING;
	r = &k->q[k->head];
	k->head = (k->head + 1) % KB_QUEUE;
	k->count--;
	if (r->err < 0)
		return r->err;
	if (r->len > cap)
		return -EOVERFLOW;	/* babble, as the host controller says */
	memcpy(buf, r->b, r->len);
	return r->len;
}

static const struct umock_dev_ops kb_ops = {
	.control = kb_control,
	.out = kb_out,
	.in = kb_in,
};

int
umock_hidkbd_report(struct umock_hidkbd *k, const uint8_t *rep, size_t len)
{
	struct kb_report *r;

	if (len > KB_REP_MAX)
		return EG_ERR_INVAL;
	if (k->count == KB_QUEUE)
		return EG_ERR_OVERFLOW;
	r = &k->q[(k->head + k->count) % KB_QUEUE];
	if (len > 0)
		memcpy(r->b, rep, len);
	r->len = (uint8_t)len;
	r->err = 0;
	k->count++;
	return EG_OK;
}

int
umock_hidkbd_link_error(struct umock_hidkbd *k, int err)
{
	int ret;

	if (err >= 0)
		return EG_ERR_INVAL;
	if ((ret = umock_hidkbd_report(k, NULL, 0)) == EG_OK)
		k->q[(k->head + k->count - 1) % KB_QUEUE].err = err;
	return ret;
}

int
umock_hidkbd_type(struct umock_hidkbd *k, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		uint8_t down[8] = { 0 }, up[8] = { 0 };
		char c = *p;
		int ret;

		if (c >= 'A' && c <= 'Z')
			down[2] = (uint8_t)(0x04 + (c - 'A'));
		else if (c >= '1' && c <= '9')
			down[2] = (uint8_t)(0x1E + (c - '1'));
		else if (c == '0')
			down[2] = 0x27;
		else if (c == '<') {
			down[0] = 0x02;		/* left Shift */
			down[2] = 0x36;		/* ',' */
		} else if (c == '\n')
			down[2] = 0x28;
		else
			return EG_ERR_INVAL;
		if (KB_QUEUE - k->count < 2)
			return EG_ERR_OVERFLOW;
		if ((ret = umock_hidkbd_report(k, down, sizeof(down))) != EG_OK ||
		    (ret = umock_hidkbd_report(k, up, sizeof(up))) != EG_OK)
			return ret;
	}
	return EG_OK;
}

int
umock_hidkbd_add(struct umock *u, bool boot, struct umock_hidkbd **out)
{
	struct umock_dev_desc dd;
	struct umock_buf b;
	struct umock_hidkbd *k;
	size_t at;
	int ret;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return EG_ERR_NOMEM;
	k->protocol = 1;
	memset(&b, 0, sizeof(b));
	umock_put_device(&b, 0x00, UMOCK_HIDKBD_VID, UMOCK_HIDKBD_PID, 0x0100, 8);
	at = b.n;
	umock_put_config(&b, 1);
	umock_put_iface(&b, 0, 0, 1, 0x03, boot ? 0x01 : 0x00, boot ? 0x01 : 0x00);
	/* HID descriptor: HID 1.11, no country, the 63-byte boot keyboard
	 * report descriptor */
	umock_put_u8(&b, 9);
	umock_put_u8(&b, 0x21);
	umock_put_le16(&b, 0x0111);
	umock_put_u8(&b, 0);
	umock_put_u8(&b, 1);
	umock_put_u8(&b, 0x22);
	umock_put_le16(&b, 63);
	umock_put_ep(&b, KB_EP_IN, 0x03, 8, 10);
	umock_config_done(&b, at);
	if (b.overflow) {
		free(k);
		return EG_ERR_OVERFLOW;
	}
	memset(&dd, 0, sizeof(dd));
	dd.desc = b.b;
	dd.len = b.n;
	dd.strings[0] = "egate test";
	dd.strings[1] = "MRZ keyboard reader";
	dd.speed_mbps = 12;
	if ((ret = umock_dev_add(u, &dd, &kb_ops, k, &k->dev)) != EG_OK) {
		free(k);
		return ret;
	}
	*out = k;
	return EG_OK;
}

void
umock_hidkbd_free(struct umock_hidkbd **k)
{
	if (k == NULL || *k == NULL)
		return;
	free(*k);
	*k = NULL;
}

struct umock_dev *
umock_hidkbd_dev(struct umock_hidkbd *k)
{
	return k->dev;
}

unsigned
umock_hidkbd_protocol(struct umock_hidkbd *k)
{
	return k->protocol;
}

unsigned
umock_hidkbd_set_protocols(struct umock_hidkbd *k)
{
	return k->set_protocols;
}

size_t
umock_hidkbd_queued(struct umock_hidkbd *k)
{
	return k->count;
}

void
umock_hidkbd_refuse_protocol(struct umock_hidkbd *k, bool refuse)
{
	k->refuse_protocol = refuse;
}

void
umock_hidkbd_clear(struct umock_hidkbd *k)
{
	memset(k->q, 0, sizeof(k->q));
	k->head = k->count = 0;
}
