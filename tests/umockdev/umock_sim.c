/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_sim.c — a simulated device of hw/sim/ (struct usb_sim_device_ops:
 * the CCID reader sim_ccid.c with its card, the MRZ reader sim_mrz.c) put
 * behind the usbdevfs engine, so libusb reaches it through the kernel
 * interface instead of the in-process simulator bus. The simulators are
 * reused as they are: this file only maps endpoints and errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/usb_sim.h"
#include "umock.h"

/* from the USB spec (linux/usb/ch9.h clashes with usb_transport.h) */
#define DIR_IN   0x80
#define XFER_BULK 2
#define XFER_INT  3

struct umock_sim {
	const struct usb_sim_device_ops *ops;
	void *dev;
	void (*replug)(void *dev);
	struct umock_dev *udev;
	unsigned gen;		/* the simulator's generation when plugged */
	/* a link fault for the next IN transfer with data on fault_ep */
	enum umock_in_fault fault;
	uint8_t fault_ep;
	size_t fault_n;
	bool silent;		/* UMOCK_IN_SILENT fired: fault_ep is mute */
};

/* eg_err of a simulator as the status the kernel would give the URB. */
static int
sim_status(int err)
{
	switch (err) {
	case EG_OK: return 0;
	case EG_ERR_TIMEOUT: return UMOCK_PENDING;
	case EG_ERR_IO: return -EPIPE;
	case EG_ERR_OVERFLOW: return -EOVERFLOW;
	case EG_ERR_NO_DEVICE: return -ENODEV;
	case EG_ERR_UNSUPPORTED: return -EPIPE;
	default: return -EPROTO;
	}
}

/* The simulator unplugged itself (a fault armed by the test). */
static bool
sim_dead(struct umock_sim *s)
{
	return s->ops->generation(s->dev) != s->gen;
}

static int
ms_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
	struct umock_sim *s = ctx;
	int r;

	if (ep != UMOCK_EP_OUT)
		return -EPIPE;
	if (sim_dead(s))
		return -ENODEV;
	r = sim_status(s->ops->bulk_out(s->dev, data, len, 0));
	if (r == UMOCK_PENDING)
		r = -ETIMEDOUT;
	/* a simulated unplug during the command: the message went out, the
	 * next transfer finds the device gone */
	return r < 0 ? r : (int)len;
}

static int
ms_in(void *ctx, uint8_t ep, uint8_t *buf, size_t cap)
{
	struct umock_sim *s = ctx;
	size_t got = 0;
	int r;

	if (sim_dead(s))
		return -ENODEV;
	if (ep == UMOCK_EP_IN)
		r = sim_status(s->ops->bulk_in(s->dev, buf, cap, &got, 0));
	else if (ep == UMOCK_EP_INTR && s->ops->interrupt_in != NULL)
		r = sim_status(s->ops->interrupt_in(s->dev, buf, cap, &got, 0));
	else
		return -EPIPE;
	if (s->silent && ep == s->fault_ep)
		return UMOCK_PENDING;
	if (r < 0 || s->fault == UMOCK_IN_OK || ep != s->fault_ep)
		return r < 0 ? r : (int)got;
	switch (s->fault) {
	case UMOCK_IN_TRUNCATE:
		r = (int)(got < s->fault_n ? got : s->fault_n);
		break;
	case UMOCK_IN_BABBLE:
		r = -EOVERFLOW;
		break;
	case UMOCK_IN_PROTO:
		r = -EPROTO;
		break;
	default:
		s->silent = true;
		r = UMOCK_PENDING;
		break;
	}
	s->fault = UMOCK_IN_OK;
	return r;
}

void
umock_sim_arm_in(struct umock_sim *s, uint8_t ep, enum umock_in_fault f,
    size_t n)
{
	s->fault = f;
	s->fault_ep = ep;
	s->fault_n = n;
	s->silent = false;
}

static int
ms_control(void *ctx, const uint8_t setup[8], uint8_t *data, size_t len)
{
	struct umock_sim *s = ctx;
	size_t got = 0;
	int r;

	if (s->ops->control == NULL)
		return -EPIPE;
	if (sim_dead(s))
		return -ENODEV;
	r = sim_status(s->ops->control(s->dev, setup[0], setup[1],
	    (uint16_t)(setup[2] | setup[3] << 8),
	    (uint16_t)(setup[4] | setup[5] << 8), data, len, &got, 0));
	if (r < 0)
		return r == UMOCK_PENDING ? -ETIMEDOUT : r;
	return (setup[0] & DIR_IN) ? (int)got : (int)len;
}

static void
ms_clear_halt(void *ctx, uint8_t ep)
{
	struct umock_sim *s = ctx;

	if (sim_dead(s))
		return;
	(void)s->ops->clear_halt(s->dev, ep == UMOCK_EP_OUT ? USB_EP_BULK_OUT :
	    ep == UMOCK_EP_IN ? USB_EP_BULK_IN : USB_EP_INTR_IN);
}

static const struct umock_dev_ops ms_ops = {
	.control = ms_control,
	.out = ms_out,
	.in = ms_in,
	.clear_halt = ms_clear_halt,
};

/* CDC 1.2 functional descriptors of an ACM function (comm iface 0, data 1). */
static void
put_cdc_functional(struct umock_buf *b)
{
	static const uint8_t f[] = {
		0x05, 0x24, 0x00, 0x10, 0x01,	/* header, bcdCDC 1.10 */
		0x05, 0x24, 0x01, 0x00, 0x01,	/* call management, data 1 */
		0x04, 0x24, 0x02, 0x02,		/* ACM: line coding, state */
		0x05, 0x24, 0x06, 0x00, 0x01,	/* union: master 0, slave 1 */
	};

	umock_put(b, f, sizeof(f));
}

int
umock_sim_desc(const struct usb_sim_device_ops *ops, void *dev,
    struct umock_buf *b)
{
	struct usb_dev_info info;
	uint8_t extra[512];
	size_t elen = 0, cfg;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = ops->describe(dev, &info, extra, sizeof(extra), &elen);
	if (ret != EG_OK)
		return ret;
	if (elen > sizeof(extra))
		return EG_ERR_OVERFLOW;
	if (info.max_packet_in == 0)
		info.max_packet_in = 64;
	umock_put_device(b, 0, info.vid, info.pid, info.bcd_device, 64);
	cfg = b->n;
	if (info.iface_class == USB_CLASS_CDC_DATA) {
		umock_put_config(b, 2);
		umock_put_iface(b, 0, 0, 1, 0x02, 0x02, 0x01);	/* CDC ACM, AT */
		put_cdc_functional(b);
		umock_put_ep(b, UMOCK_EP_INTR, XFER_INT, 16, 10);
		umock_put_iface(b, 1, 0, 2, USB_CLASS_CDC_DATA, 0, 0);
	} else {
		umock_put_config(b, 1);
		umock_put_iface(b, 0, 0, info.has_intr_in ? 3 : 2,
		    info.iface_class, 0, 0);
		umock_put(b, extra, elen);
	}
	umock_put_ep(b, UMOCK_EP_OUT, XFER_BULK, info.max_packet_in,
	    0);
	umock_put_ep(b, UMOCK_EP_IN, XFER_BULK, info.max_packet_in,
	    0);
	if (info.has_intr_in && info.iface_class != USB_CLASS_CDC_DATA)
		umock_put_ep(b, UMOCK_EP_INTR, XFER_INT, 8, 24);
	umock_config_done(b, cfg);
	return b->overflow ? EG_ERR_OVERFLOW : EG_OK;
}

int
umock_sim_add(struct umock *u, const struct usb_sim_device_ops *ops, void *dev,
    const struct umock_buf *desc, const char *manufacturer, const char *product,
    void (*replug)(void *dev), struct umock_sim **out)
{
	struct umock_dev_desc dd;
	struct usb_dev_info info;
	struct umock_buf built;
	struct umock_sim *s;
	int ret;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return EG_ERR_NOMEM;
	s->ops = ops;
	s->dev = dev;
	s->replug = replug;
	s->gen = ops->generation(dev);
	if ((ret = ops->describe(dev, &info, NULL, 0, NULL)) != EG_OK)
		goto fail;
	if (desc == NULL) {
		if ((ret = umock_sim_desc(ops, dev, &built)) != EG_OK)
			goto fail;
		desc = &built;
	}
	memset(&dd, 0, sizeof(dd));
	dd.desc = desc->b;
	dd.len = desc->n;
	dd.strings[0] = manufacturer;
	dd.strings[1] = product;
	dd.strings[2] = info.serial[0] != '\0' ? info.serial : NULL;
	dd.speed_mbps = 12;	/* full speed, like the readers */
	if ((ret = umock_dev_add(u, &dd, &ms_ops, s, &s->udev)) != EG_OK)
		goto fail;
	*out = s;
	return EG_OK;
fail:
	free(s);
	return ret;
}

void
umock_sim_free(struct umock_sim **s)
{
	if (s == NULL || *s == NULL)
		return;
	free(*s);
	*s = NULL;
}

struct umock_dev *
umock_sim_dev(struct umock_sim *s)
{
	return s->udev;
}

void
umock_sim_unplug(struct umock_sim *s)
{
	umock_dev_unplug(s->udev);
}

int
umock_sim_replug(struct umock_sim *s)
{
	umock_dev_unplug(s->udev);
	umock_dev_lock(s->udev);
	if (s->replug != NULL)
		s->replug(s->dev);
	s->gen = s->ops->generation(s->dev);
	s->fault = UMOCK_IN_OK;
	s->silent = false;
	umock_dev_unlock(s->udev);
	return umock_dev_replug(s->udev);
}
