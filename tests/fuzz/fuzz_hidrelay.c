/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_hidrelay.c — what a USB HID relay board sends (hidrelay_proto.h),
 * first to the three parsers on their own, then to the whole HID relay gate
 * (gate_hidrelay.c and the gate engine) through a fuzz transport: every
 * control transfer IN is answered by the next chunk of the input (a length
 * byte, then that many bytes; the length byte 0xFF means a stall), and the
 * gate is opened, commanded and polled on a virtual clock until the input
 * runs out (then the board is "unplugged").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/error.h"
#include "egate/gate.h"
#include "egate/hidrelay_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *p;
	size_t left;
	uint64_t now;
};

static int
fz_open(void *backend, const struct usb_match *m, void **dev)
{
	(void)m;
	*dev = backend;
	return EG_OK;
}

static void
fz_close(void *backend, void *dev)
{
	(void)backend;
	(void)dev;
}

static int
fz_bulk_out(void *dev, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	(void)dev; (void)data; (void)len; (void)timeout_ms;
	return EG_ERR_IO;
}

static int
fz_bulk_in(void *dev, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	(void)dev; (void)buf; (void)cap; (void)timeout_ms;
	*got = 0;
	return EG_ERR_IO;
}

static int
fz_interrupt_in(void *dev, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	(void)dev; (void)buf; (void)cap; (void)timeout_ms;
	*got = 0;
	return EG_ERR_UNSUPPORTED;
}

static int
fz_control(void *dev, uint8_t rt, uint8_t rq, uint16_t v, uint16_t i, uint8_t *data, size_t len,
    size_t *got, unsigned timeout_ms)
{
	struct fz *f = dev;
	size_t n;

	(void)rq; (void)v; (void)i; (void)timeout_ms;
	if (got != NULL)
		*got = 0;
	if (f->left == 0)
		return EG_ERR_NO_DEVICE;
	if ((rt & 0x80u) == 0)
		return EG_OK;			/* OUT (SET_REPORT): taken */
	n = f->p[0];
	f->p++;
	f->left--;
	if (n == 0xFF)
		return EG_ERR_IO;		/* a stall */
	if (n > f->left)
		n = f->left;
	if (n > len)
		n = len;
	memcpy(data, f->p, n);
	f->p += n;
	f->left -= n;
	if (got != NULL)
		*got = n;
	return EG_OK;
}

static int
fz_get_descriptors(void *dev, struct usb_dev_info *info, uint8_t *extra, size_t cap, size_t *len)
{
	(void)dev; (void)extra; (void)cap;
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if (len != NULL)
		*len = 0;
	return EG_OK;
}

static int
fz_clear_halt(void *dev, enum usb_ep ep)
{
	(void)dev;
	(void)ep;
	return EG_OK;
}

static const struct usb_transport_ops fz_ops = {
	.name = "fuzz",
	.open = fz_open,
	.close = fz_close,
	.bulk_out = fz_bulk_out,
	.bulk_in = fz_bulk_in,
	.interrupt_in = fz_interrupt_in,
	.control = fz_control,
	.get_descriptors = fz_get_descriptors,
	.clear_halt = fz_clear_halt,
};

static uint64_t
fz_now(void *self)
{
	return ((struct fz *)self)->now;
}

static void
fz_sleep(void *self, unsigned ms)
{
	((struct fz *)self)->now += ms;
}

static const struct gate_clock_ops fz_clock = { .now_ms = fz_now, .sleep_ms = fz_sleep };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size, 1000 };
	struct usb_transport t = { .ops = &fz_ops, .backend = &f };
	struct gate_opts o;
	struct gate *g = NULL;
	const struct gate_ops *ops;
	struct gate_event ev;
	struct gate_status st;
	char id[HIDRELAY_ID_LEN + 1], product[32];
	uint8_t state, index;
	unsigned channels;

	/* the parsers on their own, on the whole input */
	(void)hidrelay_parse_state(data, size, &state, id);
	(void)hidrelay_parse_iproduct(data, size, &index);
	(void)hidrelay_parse_product(data, size, product, sizeof(product), &channels);
	(void)hidrelay_parse_product(data, size, product, 3, &channels);

	/* the gate over a board that sends the input */
	memset(&o, 0, sizeof(o));
	o.usb = &t;
	o.clock = &fz_clock;
	o.clock_self = &f;
	if (gate_open("hidrelay,channel=1,confirm=100", &o, &g, NULL, 0) != EG_OK)
		return 0;
	ops = gate_get_ops(g);
	for (int i = 0; i < 64 && f.left > 0; i++) {
		switch (i % 4) {
		case 0: (void)ops->open(g); break;
		case 2: (void)ops->close(g); break;
		default: break;
		}
		while (ops->wait_event(g, 150, &ev) == EG_OK)
			;
		if (ops->status(g, &st) != EG_OK && ops->reconnect != NULL)
			(void)ops->reconnect(g);
	}
	gate_free(&g);
	return 0;
}
