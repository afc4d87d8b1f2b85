/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mrzhid.c — the hid backend of the MRZ source (mrzsrc.h): a "keyboard
 * wedge" MRZ reader, a USB HID boot keyboard that types the MRZ lines, each
 * ended by Enter. The interface is claimed through the usb_transport
 * (libusb detaches the kernel's usbhid driver while we hold it, so the MRZ
 * is not typed into a console, and gives it back on close), put in boot
 * protocol, and its 8-byte input reports are read from the interrupt-in
 * endpoint and decoded by hidkbd.c; the lines make a document as the
 * CDC-ACM reader's do (mrzdev_doc_assemble).
 */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hid_proto.h"
#include "egate/hidkbd.h"
#include "egate/mrzsrc.h"
#include "egate/secure.h"

#define HID_CTRL_TIMEOUT_MS 500u
#define HID_REPORT_CAP 64u	/* room for a misbehaving reader's long report */
#define HID_MAX_IO_FAILS 3u	/* lost reports in a row before EG_ERR_IO */

struct hid {
	const struct usb_transport *t;
	struct usb_match m;
	void *dev;			/* the transport's handle; NULL while gone */
	uint8_t iface;
	struct hidkbd kbd;
	const struct eg_log *log;
	void (*release)(void *owner);
	void *owner;
};

static void
hid_disconnect(struct hid *h)
{
	if (h->dev != NULL)
		h->t->ops->close(h->t->backend, h->dev);
	h->dev = NULL;
	hidkbd_wipe(&h->kbd);
}

/* Open the boot keyboard interface (3/1/1); with VID:PID, any HID interface
 * of that device when it has no boot keyboard. Boot protocol, no idle
 * repeats. */
static int
hid_connect(struct hid *h)
{
	struct usb_match m = h->m;
	struct usb_dev_info info;
	int ret;

	hid_disconnect(h);
	m.iface_class = HID_CLASS;
	m.iface_subclass = HID_SUBCLASS_BOOT;
	m.iface_protocol = HID_PROTOCOL_KEYBOARD;
	ret = h->t->ops->open(h->t->backend, &m, &h->dev);
	if (ret == EG_ERR_NOT_FOUND && (m.vid != 0 || m.pid != 0)) {
		m.iface_subclass = m.iface_protocol = 0;
		ret = h->t->ops->open(h->t->backend, &m, &h->dev);
	}
	if (ret != EG_OK) {
		h->dev = NULL;
		return ret;
	}
	memset(&info, 0, sizeof(info));
	if ((ret = h->t->ops->get_descriptors(h->dev, &info, NULL, 0, NULL)) != EG_OK)
		goto fail;
	h->iface = info.iface_number;
	ret = EG_ERR_FORMAT;
	if (!info.has_intr_in) {
		EG_LOG(h->log, EG_LOG_WARN, "mrz.hid_no_endpoint",
		    EG_STR("why", "the HID interface has no interrupt-in endpoint"));
		goto fail;
	}
	/* A boot interface must take SET_PROTOCOL; another HID interface
	 * (given by VID:PID) must already send the boot report layout. */
	if (info.iface_subclass == HID_SUBCLASS_BOOT &&
	    (ret = h->t->ops->control(h->dev, HID_RT_CLASS_IFACE_OUT, HID_REQ_SET_PROTOCOL,
	    HID_PROTOCOL_VALUE_BOOT, h->iface, NULL, 0, NULL, HID_CTRL_TIMEOUT_MS)) != EG_OK) {
		EG_LOG(h->log, EG_LOG_WARN, "mrz.hid_set_protocol", EG_ERRF(ret),
		    EG_STR("why", "the reader refused SET_PROTOCOL(boot)"));
		if (ret != EG_ERR_NO_DEVICE)
			ret = EG_ERR_IO;
		goto fail;
	}
	/* SET_IDLE(0): report on change only. Optional for keyboards. */
	(void)h->t->ops->control(h->dev, HID_RT_CLASS_IFACE_OUT, HID_REQ_SET_IDLE, 0, h->iface,
	    NULL, 0, NULL, HID_CTRL_TIMEOUT_MS);
	EG_LOG(h->log, EG_LOG_INFO, "mrz.hid_open", EG_UINT("bus", info.bus),
	    EG_UINT("address", info.address), EG_UINT("interface", info.iface_number),
	    EG_UINT("boot", info.iface_subclass == HID_SUBCLASS_BOOT));
	return EG_OK;
fail:
	hid_disconnect(h);
	return ret;
}

/* mrzdev_line_fn over the reader: reports until a line is complete. */
static int
hid_read_line(void *ctx, char *line, size_t cap, unsigned timeout_ms)
{
	struct hid *h = ctx;
	uint8_t rep[HID_REPORT_CAP];
	uint64_t deadline = mrzdev_now_ms() + timeout_ms;
	bool tried = false;
	unsigned fails = 0;
	int ret;

	for (;;) {
		uint64_t now;
		size_t got = 0;

		ret = hidkbd_next_line(&h->kbd, line, cap);
		if (ret == EG_ERR_FORMAT || ret == EG_ERR_OVERFLOW)
			EG_LOG(h->log, EG_LOG_WARN, "mrz.hid_line", EG_ERRF(ret),
			    EG_STR("why", hidkbd_why(&h->kbd)));
		if (ret != EG_ERR_TRUNCATED)
			return ret;
		now = mrzdev_now_ms();
		if (tried && now >= deadline)
			return EG_ERR_TIMEOUT;
		tried = true;
		ret = h->t->ops->interrupt_in(h->dev, rep, sizeof(rep), &got,
		    (unsigned)(deadline > now ? deadline - now : 1));
		if ((ret == EG_ERR_OVERFLOW || ret == EG_ERR_IO) && ++fails <= HID_MAX_IO_FAILS) {
			/* babble, a CRC error or a stall: that report is lost
			 * and its line spoilt (the stall cleared); a reader
			 * that keeps failing is an I/O error. */
			hidkbd_garbled(&h->kbd, ret == EG_ERR_OVERFLOW ?
			    "a report longer than the endpoint allows" : "a lost report");
			if (ret == EG_ERR_IO)
				(void)h->t->ops->clear_halt(h->dev, USB_EP_INTR_IN);
			continue;
		}
		if (ret != EG_OK)
			return ret;
		fails = 0;
		ret = hidkbd_push(&h->kbd, rep, got <= sizeof(rep) ? got : sizeof(rep));
		eg_memzero(rep, sizeof(rep));
		if (ret != EG_OK)
			return ret;
	}
}

static int
hid_read_doc(void *ctx, struct mrzdev_doc *doc, unsigned timeout_ms)
{
	struct hid *h = ctx;

	if (h->dev == NULL) {
		eg_memzero(doc, sizeof(*doc));
		return EG_ERR_NO_DEVICE;
	}
	return mrzdev_doc_assemble(doc, hid_read_line, h, timeout_ms);
}

static int
hid_reconnect(void *ctx)
{
	return hid_connect(ctx);
}

static void
hid_close(void *ctx)
{
	struct hid *h = ctx;

	if (h == NULL)
		return;
	hid_disconnect(h);
	if (h->release != NULL)
		h->release(h->owner);
	eg_memzero(h, sizeof(*h));
	free(h);
}

static const struct mrz_source_ops hid_ops = {
	.name = "hid",
	.read_doc = hid_read_doc,
	.reconnect = hid_reconnect,
	.close = hid_close,
};

int
mrz_source_new_hid(const struct usb_transport *t, const struct usb_match *m,
    const struct eg_log *log, void (*release)(void *owner), void *owner, const char *desc,
    struct mrz_source **out)
{
	struct hid *h;
	int ret;

	if (t == NULL || t->ops == NULL || m == NULL || out == NULL) {
		if (release != NULL)
			release(owner);
		return EG_ERR_INVAL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		if (release != NULL)
			release(owner);
		return EG_ERR_NOMEM;
	}
	h->t = t;
	h->m = *m;
	h->log = log;
	h->release = release;
	h->owner = owner;
	hidkbd_init(&h->kbd);
	if ((ret = hid_connect(h)) != EG_OK) {
		hid_close(h);
		return ret;
	}
	return mrz_source_new(&hid_ops, h, desc, out);
}
