/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_mrzdev.c — arbitrary bytes from an MRZ line reader (CDC-ACM bulk-in),
 * fed to the MRZ line driver through a fuzz transport backend. The first
 * byte sets the transfer size (1..64), the rest is the byte stream.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/error.h"
#include "egate/mrzdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	const uint8_t *p;
	size_t left;
	size_t packet;
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
	return EG_OK;
}

static int
fz_bulk_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct fz *f = dev;
	size_t n = f->left < f->packet ? f->left : f->packet;

	(void)timeout_ms;
	*got = 0;
	if (n == 0)
		return EG_ERR_NO_DEVICE;	/* end of input: unplug ends reads */
	if (n > cap)
		n = cap;
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	*got = n;
	return EG_OK;
}

static int
fz_interrupt_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	(void)dev; (void)buf; (void)cap; (void)timeout_ms;
	*got = 0;
	return EG_ERR_UNSUPPORTED;
}

static int
fz_control(void *dev, uint8_t rt, uint8_t rq, uint16_t v, uint16_t i,
    uint8_t *data, size_t len, size_t *got, unsigned timeout_ms)
{
	(void)dev; (void)rt; (void)rq; (void)v; (void)i; (void)data; (void)len;
	(void)timeout_ms;
	if (got != NULL)
		*got = 0;
	return EG_ERR_IO;
}

static int
fz_get_descriptors(void *dev, struct usb_dev_info *info, uint8_t *extra,
    size_t cap, size_t *len)
{
	(void)dev; (void)extra; (void)cap;
	if (info != NULL)
		memset(info, 0, sizeof(*info));
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	struct usb_transport t = { .ops = &fz_ops, .backend = &f };
	struct usb_match m;
	struct mrzdev *d = NULL;
	struct mrzdev_doc doc;
	char line[MRZDEV_MAX_LINE + 1];
	int i, ret;

	if (size == 0)
		return 0;
	f.packet = (size_t)(data[0] % 64) + 1;
	f.p = data + 1;
	f.left = size - 1;
	memset(&m, 0, sizeof(m));
	if (mrzdev_open(&d, &t, &m) != EG_OK)
		return 0;
	/* alternate documents and single (small-buffer) lines until EOF */
	for (i = 0; i < 1000; i++) {
		if (i % 3 == 2)
			ret = mrzdev_read_line(d, line, 1 + (size_t)i % sizeof(line), 1);
		else
			ret = mrzdev_read_doc(d, &doc, 1);
		if (ret == EG_ERR_NO_DEVICE)
			break;
	}
	mrzdev_free(&d);
	return 0;
}
