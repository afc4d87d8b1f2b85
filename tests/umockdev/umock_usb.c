/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_usb.c — the umockdev testbed and the usbdevfs engine (umock.h).
 *
 * How a libusb transfer travels here: libusb opens /dev/bus/usb/001/DDD,
 * which the preload library maps to a plain file in the testbed and
 * connects to the Unix socket this engine listens on for that node; every
 * ioctl on the file descriptor is then sent to umockdev's worker thread and
 * lands in umock_on_ioctl() below, which reads and writes the caller's
 * memory through UMockdevIoctlData (the URB struct and its buffer).
 *
 *   SUBMITURB  control and OUT URBs are answered at once (the model is
 *              synchronous); IN URBs wait in `pending` until the model has
 *              data (it is asked again at every reap)
 *   REAPURB*   the oldest finished URB of this file descriptor, written back
 *              into the caller's struct usbdevfs_urb and buffer
 *   DISCARDURB a pending URB finishes with -ENOENT (libusb's timeout/cancel)
 *
 * The testbed's /dev node is a regular file, so poll() always reports it
 * ready: libusb's event loop then asks REAPURBNDELAY in a loop and gets
 * EAGAIN until something finished. That costs CPU (a round trip over the
 * socket each time) but no correctness; docs/testing-devices.md says more.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umockdev.h>

#include "egate/error.h"
#include "umock.h"

#define UMOCK_MAX_DEVS 8
#define UMOCK_BUS 1
#define UMOCK_SYSFS_PARENT "/devices/pci0000:00/0000:00:14.0/usb1"

struct umock {
	UMockdevTestbed *tb;
	pthread_mutex_t tb_lock;	/* testbed mutations */
	uint8_t next_addr;
	unsigned next_port;
	struct umock_dev *devs[UMOCK_MAX_DEVS];
	size_t ndevs;
};

/* One appearance of a device on the bus (a replug makes a new one). */
struct umock_plug {
	struct umock_dev *dev;
	UMockdevIoctlBase *handler;
	char node[32];			/* /dev/bus/usb/001/DDD */
	char *syspath;			/* from the testbed */
	uint8_t addr;
	bool gone;			/* URBs fail with ENODEV */
	bool removed;			/* sysfs entry and uevent done */
	struct umock_plug *next;	/* every plug of the device */
};

struct umock_urb {
	struct umock_urb *next;
	UMockdevIoctlClient *client;	/* the file descriptor it came from */
	UMockdevIoctlData *data;	/* struct usbdevfs_urb (local copy) */
	UMockdevIoctlData *buf;		/* its buffer, NULL when empty */
	struct umock_plug *plug;
};

struct umock_dev {
	struct umock *u;
	pthread_mutex_t lock;
	uint8_t *desc;
	size_t desc_len;
	char *strings[UMOCK_MAX_STRINGS];
	unsigned speed;
	const struct umock_dev_ops *ops;
	void *ctx;
	unsigned port;
	struct umock_plug *cur;		/* the current plug (maybe gone) */
	struct umock_plug *plugs;
	struct umock_urb *pending;	/* IN URBs waiting for data */
	struct umock_urb *done;		/* finished, not reaped */
	struct umock_stats st;
};

/* ---- descriptor helpers ---------------------------------------------------- */

void
umock_put(struct umock_buf *b, const void *p, size_t n)
{
	if (n > sizeof(b->b) - b->n) {
		b->overflow = true;
		return;
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

void
umock_put_u8(struct umock_buf *b, uint8_t v)
{
	umock_put(b, &v, 1);
}

void
umock_put_le16(struct umock_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	umock_put(b, x, 2);
}

void
umock_put_le32(struct umock_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	umock_put(b, x, 4);
}

void
umock_put_device(struct umock_buf *b, uint8_t cls, uint16_t vid, uint16_t pid,
    uint16_t bcd, uint8_t mps0)
{
	umock_put_u8(b, USB_DT_DEVICE_SIZE);
	umock_put_u8(b, USB_DT_DEVICE);
	umock_put_le16(b, 0x0200);		/* bcdUSB */
	umock_put_u8(b, cls);
	umock_put_u8(b, cls == 0xEF ? 2 : 0);	/* IAD: common class */
	umock_put_u8(b, cls == 0xEF ? 1 : 0);
	umock_put_u8(b, mps0);
	umock_put_le16(b, vid);
	umock_put_le16(b, pid);
	umock_put_le16(b, bcd);
	umock_put_u8(b, 1);			/* iManufacturer */
	umock_put_u8(b, 2);			/* iProduct */
	umock_put_u8(b, 3);			/* iSerialNumber */
	umock_put_u8(b, 1);			/* bNumConfigurations */
}

void
umock_put_config(struct umock_buf *b, uint8_t nifaces)
{
	umock_put_u8(b, USB_DT_CONFIG_SIZE);
	umock_put_u8(b, USB_DT_CONFIG);
	umock_put_le16(b, 0);			/* wTotalLength: config_done */
	umock_put_u8(b, nifaces);
	umock_put_u8(b, 1);			/* bConfigurationValue */
	umock_put_u8(b, 0);
	umock_put_u8(b, 0x80);			/* bus powered */
	umock_put_u8(b, 250);			/* 500 mA */
}

void
umock_config_done(struct umock_buf *b, size_t at)
{
	size_t total = b->n - at;

	if (at + 4 > b->n)
		return;
	b->b[at + 2] = (uint8_t)total;
	b->b[at + 3] = (uint8_t)(total >> 8);
}

void
umock_put_iface(struct umock_buf *b, uint8_t num, uint8_t alt, uint8_t neps,
    uint8_t cls, uint8_t sub, uint8_t proto)
{
	umock_put_u8(b, USB_DT_INTERFACE_SIZE);
	umock_put_u8(b, USB_DT_INTERFACE);
	umock_put_u8(b, num);
	umock_put_u8(b, alt);
	umock_put_u8(b, neps);
	umock_put_u8(b, cls);
	umock_put_u8(b, sub);
	umock_put_u8(b, proto);
	umock_put_u8(b, 0);
}

void
umock_put_ep(struct umock_buf *b, uint8_t addr, uint8_t type, uint16_t mps,
    uint8_t interval)
{
	umock_put_u8(b, USB_DT_ENDPOINT_SIZE);
	umock_put_u8(b, USB_DT_ENDPOINT);
	umock_put_u8(b, addr);
	umock_put_u8(b, type);
	umock_put_le16(b, mps);
	umock_put_u8(b, interval);
}

/* ---- URB lists ---------------------------------------------------------------- */

static struct usbdevfs_urb *
urb_of(struct umock_urb *r)
{
	return (struct usbdevfs_urb *)(void *)r->data->data;
}

static void
urb_free(struct umock_urb *r)
{
	if (r == NULL)
		return;
	if (r->buf != NULL)
		g_object_unref(r->buf);
	g_object_unref(r->data);
	g_object_unref(r->client);
	free(r);
}

static void
list_append(struct umock_urb **head, struct umock_urb *r)
{
	r->next = NULL;
	while (*head != NULL)
		head = &(*head)->next;
	*head = r;
}

/* Finish an URB with status (0 or -errno) and n bytes; it goes to `done`. */
static void
urb_finish(struct umock_dev *d, struct umock_urb *r, int status, size_t n)
{
	struct usbdevfs_urb *urb = urb_of(r);

	urb->status = status;
	urb->actual_length = (int)n;
	if (status == -EPIPE)
		d->st.stalls++;
	list_append(&d->done, r);
}

/* Drop the URBs of file descriptors that were closed (nothing to write to). */
static void
prune_closed(struct umock_urb **head)
{
	while (*head != NULL) {
		struct umock_urb *r = *head;

		if (!umockdev_ioctl_client_get_connected(r->client)) {
			*head = r->next;
			urb_free(r);
		} else {
			head = &r->next;
		}
	}
}

/* The device died: every URB still waiting finishes as the kernel's do. */
static void
fail_pending(struct umock_dev *d)
{
	while (d->pending != NULL) {
		struct umock_urb *r = d->pending;

		d->pending = r->next;
		urb_finish(d, r, -ESHUTDOWN, 0);
	}
}

static void
mark_gone(struct umock_dev *d)
{
	if (d->cur != NULL && !d->cur->gone) {
		d->cur->gone = true;
		fail_pending(d);
	}
}

/* Ask the model for data for every waiting IN URB, in order, per endpoint. */
static void
pump(struct umock_dev *d)
{
	struct umock_urb **pp = &d->pending;
	uint32_t blocked = 0;

	while (*pp != NULL) {
		struct umock_urb *r = *pp;
		struct usbdevfs_urb *urb = urb_of(r);
		uint32_t bit = 1u << (urb->endpoint & 0x0f);
		int n;

		if ((blocked & bit) || r->plug->gone) {
			pp = &r->next;
			continue;
		}
		n = d->ops->in(d->ctx, urb->endpoint, urb->buffer,
		    (size_t)urb->buffer_length);
		if (n == UMOCK_PENDING) {
			blocked |= bit;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (n == -ENODEV) {
			urb_finish(d, r, -ESHUTDOWN, 0);
			mark_gone(d);
			pp = &d->pending;
			continue;
		}
		if (n > urb->buffer_length)
			n = -EOVERFLOW;
		urb_finish(d, r, n < 0 ? n : 0, n < 0 ? 0 : (size_t)n);
	}
}

/* ---- EP0 ---------------------------------------------------------------------- */

static bool
has_endpoint(const struct umock_dev *d, uint8_t ep)
{
	size_t i = 0;

	while (i + 2 <= d->desc_len && d->desc[i] >= 2) {
		if (d->desc[i + 1] == USB_DT_ENDPOINT && i + 3 <= d->desc_len &&
		    d->desc[i + 2] == ep)
			return true;
		i += d->desc[i];
	}
	return false;
}

static int
std_get_descriptor(struct umock_dev *d, uint16_t value, uint8_t *data,
    size_t len)
{
	uint8_t type = (uint8_t)(value >> 8), idx = (uint8_t)value;
	uint8_t s[256];
	size_t n = 0, i;

	switch (type) {
	case USB_DT_DEVICE:
		if (d->desc_len < USB_DT_DEVICE_SIZE)
			return -EPIPE;
		n = USB_DT_DEVICE_SIZE;
		memcpy(s, d->desc, n);
		break;
	case USB_DT_CONFIG:
		if (idx != 0 || d->desc_len <= USB_DT_DEVICE_SIZE)
			return -EPIPE;
		n = d->desc_len - USB_DT_DEVICE_SIZE;
		if (n > len)
			n = len;
		memcpy(data, d->desc + USB_DT_DEVICE_SIZE, n);
		return (int)n;
	case USB_DT_STRING:
		if (idx == 0) {
			s[0] = 4;
			s[1] = USB_DT_STRING;
			s[2] = 0x09;	/* en-US */
			s[3] = 0x04;
			n = 4;
			break;
		}
		if (idx > UMOCK_MAX_STRINGS || d->strings[idx - 1] == NULL)
			return -EPIPE;
		n = 2;
		for (i = 0; d->strings[idx - 1][i] != '\0' && n + 2 <= 254; i++) {
			s[n++] = (uint8_t)d->strings[idx - 1][i];
			s[n++] = 0;
		}
		s[0] = (uint8_t)n;
		s[1] = USB_DT_STRING;
		break;
	default:
		return -EPIPE;
	}
	if (n > len)
		n = len;
	memcpy(data, s, n);
	return (int)n;
}

static int
control(struct umock_dev *d, const uint8_t *setup, uint8_t *data, size_t len)
{
	uint8_t rt = setup[0], req = setup[1];
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);
	uint16_t index = (uint16_t)(setup[4] | setup[5] << 8);

	d->st.controls++;
	if ((rt & USB_TYPE_MASK) != USB_TYPE_STANDARD) {
		if (d->ops->control == NULL)
			return -EPIPE;
		return d->ops->control(d->ctx, setup, data, len);
	}
	switch (req) {
	case USB_REQ_GET_DESCRIPTOR:
		return std_get_descriptor(d, value, data, len);
	case USB_REQ_GET_STATUS:
		if (len < 2)
			return -EPIPE;
		data[0] = data[1] = 0;
		return 2;
	case USB_REQ_GET_CONFIGURATION:
		if (len < 1)
			return -EPIPE;
		data[0] = 1;
		return 1;
	case USB_REQ_SET_CONFIGURATION:
		return value == 1 ? 0 : -EPIPE;
	case USB_REQ_CLEAR_FEATURE:
		if ((rt & USB_RECIP_MASK) == USB_RECIP_ENDPOINT &&
		    value == USB_ENDPOINT_HALT) {
			d->st.clear_halts++;
			if (d->ops->clear_halt != NULL)
				d->ops->clear_halt(d->ctx, (uint8_t)index);
			return 0;
		}
		return -EPIPE;
	case USB_REQ_SET_INTERFACE:
		if (d->ops->set_interface == NULL)
			return 0;
		return d->ops->set_interface(d->ctx, index, value);
	default:
		return -EPIPE;
	}
}

/* ---- the ioctl handler ------------------------------------------------------ */

static void
complete(UMockdevIoctlClient *client, long res, int err)
{
	umockdev_ioctl_client_complete(client, res, err);
}

static UMockdevIoctlData *
resolve(UMockdevIoctlData *arg, size_t off, size_t len)
{
	GError *e = NULL;
	UMockdevIoctlData *r = umockdev_ioctl_data_resolve(arg, off, len, &e);

	if (e != NULL) {
		fprintf(stderr, "umock: cannot read the caller's memory: %s\n",
		    e->message);
		g_error_free(e);
		if (r != NULL)
			g_object_unref(r);
		return NULL;
	}
	return r;
}

static void
do_submit(struct umock_dev *d, struct umock_plug *p,
    UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	struct umock_urb *r;
	struct usbdevfs_urb *urb;
	int n;

	d->st.submits++;
	if (p->gone) {
		d->st.enodev++;
		complete(client, -1, ENODEV);
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		complete(client, -1, ENOMEM);
		return;
	}
	if ((r->data = resolve(arg, 0, sizeof(struct usbdevfs_urb))) == NULL) {
		free(r);
		complete(client, -1, EFAULT);
		return;
	}
	r->client = g_object_ref(client);
	r->plug = p;
	urb = urb_of(r);
	if (urb->buffer_length < 0 ||
	    (urb->buffer_length > 0 && (r->buf = resolve(r->data,
	    offsetof(struct usbdevfs_urb, buffer),
	    (size_t)urb->buffer_length)) == NULL)) {
		urb_free(r);
		complete(client, -1, EFAULT);
		return;
	}
	urb = urb_of(r);	/* urb->buffer now points to local memory */
	switch (urb->type) {
	case USBDEVFS_URB_TYPE_CONTROL:
		if (urb->buffer_length < 8) {
			urb_free(r);
			complete(client, -1, EINVAL);
			return;
		}
		n = control(d, urb->buffer, (uint8_t *)urb->buffer + 8,
		    (size_t)urb->buffer_length - 8);
		urb_finish(d, r, n < 0 ? n : 0, n < 0 ? 0 : (size_t)n);
		break;
	case USBDEVFS_URB_TYPE_BULK:
	case USBDEVFS_URB_TYPE_INTERRUPT:
		if (!has_endpoint(d, urb->endpoint)) {
			urb_free(r);
			complete(client, -1, ENOENT);
			return;
		}
		if (urb->endpoint & USB_DIR_IN) {
			list_append(&d->pending, r);
			pump(d);
			break;
		}
		n = d->ops->out(d->ctx, urb->endpoint, urb->buffer,
		    (size_t)urb->buffer_length);
		if (n == -ENODEV) {
			urb_finish(d, r, -ESHUTDOWN, 0);
			mark_gone(d);
			break;
		}
		urb_finish(d, r, n < 0 ? n : 0,
		    n < 0 ? 0 : (size_t)urb->buffer_length);
		break;
	default:
		/* isochronous: see docs/testing-devices.md */
		urb_free(r);
		complete(client, -1, EINVAL);
		return;
	}
	complete(client, 0, 0);
}

static void
do_reap(struct umock_dev *d, struct umock_plug *p, UMockdevIoctlClient *client,
    UMockdevIoctlData *arg)
{
	struct umock_urb **pp;
	UMockdevIoctlData *slot;

	if (!p->gone)
		pump(d);
	for (pp = &d->done; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->client == client)
			break;
	if (*pp == NULL) {
		if (p->gone) {
			d->st.enodev++;
			complete(client, -1, ENODEV);
		} else {
			d->st.reap_empty++;
			complete(client, -1, EAGAIN);
		}
		return;
	}
	if ((slot = resolve(arg, 0, sizeof(void *))) == NULL) {
		complete(client, -1, EFAULT);
		return;
	}
	{
		struct umock_urb *r = *pp;

		*pp = r->next;
		umockdev_ioctl_data_set_ptr(slot, 0, r->data);
		d->st.reaps++;
		complete(client, 0, 0);	/* flushes URB and buffer back */
		g_object_unref(slot);
		urb_free(r);
	}
}

static void
do_discard(struct umock_dev *d, UMockdevIoctlClient *client,
    UMockdevIoctlData *arg)
{
	unsigned long addr = *(unsigned long *)(void *)arg->data;
	struct umock_urb **pp;

	for (pp = &d->pending; *pp != NULL; pp = &(*pp)->next) {
		struct umock_urb *r = *pp;

		if (r->client == client && r->data->client_addr == addr) {
			*pp = r->next;
			d->st.discards++;
			urb_finish(d, r, -ENOENT, 0);
			complete(client, 0, 0);
			return;
		}
	}
	complete(client, -1, EINVAL);	/* already finished: reap it */
}

/* An ioctl argument that is a pointer to a small struct or integer. */
static bool
read_arg(UMockdevIoctlData *arg, void *out, size_t len)
{
	UMockdevIoctlData *x = resolve(arg, 0, len);

	if (x == NULL)
		return false;
	memcpy(out, x->data, len);
	g_object_unref(x);
	return true;
}

static gboolean
umock_on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client,
    gpointer user)
{
	struct umock_plug *p = user;
	struct umock_dev *d = p->dev;
	unsigned long req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	unsigned v = 0;

	(void)h;
	pthread_mutex_lock(&d->lock);
	d->st.ioctls++;
	prune_closed(&d->pending);
	prune_closed(&d->done);
	if (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY) {
		do_reap(d, p, client, arg);	/* also after an unplug */
		goto out;
	}
	if (p->gone) {
		d->st.enodev++;
		complete(client, -1, ENODEV);
		goto out;
	}
	switch (req) {
	case USBDEVFS_SUBMITURB:
		do_submit(d, p, client, arg);
		break;
	case USBDEVFS_DISCARDURB:
		do_discard(d, client, arg);
		break;
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *x = resolve(arg, 0, sizeof(uint32_t));
		uint32_t caps = USBDEVFS_CAP_ZERO_PACKET |
		    USBDEVFS_CAP_BULK_CONTINUATION |
		    USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
		    USBDEVFS_CAP_REAP_AFTER_DISCONNECT;

		if (x == NULL) {
			complete(client, -1, EFAULT);
			break;
		}
		memcpy(x->data, &caps, sizeof(caps));
		complete(client, 0, 0);
		g_object_unref(x);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_DISCONNECT_CLAIM:
		d->st.claims++;
		if (req == USBDEVFS_DISCONNECT_CLAIM)
			d->st.detach_claims++;
		complete(client, 0, 0);
		break;
	case USBDEVFS_RELEASEINTERFACE:
		if (read_arg(arg, &v, sizeof(v)) && d->ops->released != NULL)
			d->ops->released(d->ctx, v);
		complete(client, 0, 0);
		break;
	case USBDEVFS_GETDRIVER:
		complete(client, -1, ENODATA);	/* no kernel driver bound */
		break;
	case USBDEVFS_IOCTL: {		/* DISCONNECT / CONNECT a kernel driver */
		struct usbdevfs_ioctl io;

		if (read_arg(arg, &io, sizeof(io)) && io.ioctl_code == (int)USBDEVFS_CONNECT)
			d->st.reattaches++;
		complete(client, -1, ENODATA);
		break;
	}
	case USBDEVFS_SETINTERFACE: {
		struct usbdevfs_setinterface si;
		int r = 0;

		if (!read_arg(arg, &si, sizeof(si))) {
			complete(client, -1, EFAULT);
			break;
		}
		if (d->ops->set_interface != NULL)
			r = d->ops->set_interface(d->ctx, si.interface,
			    si.altsetting);
		complete(client, r < 0 ? -1 : 0, r < 0 ? -r : 0);
		break;
	}
	case USBDEVFS_SETCONFIGURATION:
		complete(client, 0, 0);
		break;
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
		if (!read_arg(arg, &v, sizeof(v))) {
			complete(client, -1, EFAULT);
			break;
		}
		d->st.clear_halts++;
		if (d->ops->clear_halt != NULL)
			d->ops->clear_halt(d->ctx, (uint8_t)v);
		complete(client, 0, 0);
		break;
	case USBDEVFS_RESET:
		complete(client, 0, 0);
		break;
	default:
		complete(client, -1, ENOTTY);
		break;
	}
out:
	pthread_mutex_unlock(&d->lock);
	return TRUE;
}

/* ---- testbed ---------------------------------------------------------------- */

bool
umock_preloaded(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "libumockdev-preload") != NULL;
}

int
umock_new(struct umock **out)
{
	struct umock *u;

	*out = NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return EG_ERR_NOMEM;
	pthread_mutex_init(&u->tb_lock, NULL);
	u->tb = umockdev_testbed_new();
	if (u->tb == NULL) {
		pthread_mutex_destroy(&u->tb_lock);
		free(u);
		return EG_ERR_IO;
	}
	u->next_addr = 2;	/* 1 is the root hub's */
	u->next_port = 1;
	*out = u;
	return EG_OK;
}

static void
plug_remove(struct umock *u, struct umock_plug *p)
{
	GError *e = NULL;

	if (p->removed)
		return;
	p->removed = true;
	pthread_mutex_lock(&u->tb_lock);
	umockdev_testbed_uevent(u->tb, p->syspath, "remove");
	umockdev_testbed_remove_device(u->tb, p->syspath);
	if (!umockdev_testbed_detach_ioctl(u->tb, p->node, &e)) {
		fprintf(stderr, "umock: detach %s: %s\n", p->node,
		    e != NULL ? e->message : "?");
	}
	if (e != NULL)
		g_error_free(e);
	pthread_mutex_unlock(&u->tb_lock);
}

void
umock_free(struct umock **pu)
{
	struct umock *u;
	size_t i;

	if (pu == NULL || (u = *pu) == NULL)
		return;
	for (i = 0; i < u->ndevs; i++) {
		struct umock_dev *d = u->devs[i];
		struct umock_plug *p;

		pthread_mutex_lock(&d->lock);
		mark_gone(d);
		pthread_mutex_unlock(&d->lock);
		for (p = d->plugs; p != NULL; p = p->next)
			plug_remove(u, p);
	}
	/* The worker thread stops with the testbed; no callback after this. */
	g_object_unref(u->tb);
	for (i = 0; i < u->ndevs; i++) {
		struct umock_dev *d = u->devs[i];
		size_t k;

		while (d->pending != NULL) {
			struct umock_urb *r = d->pending;

			d->pending = r->next;
			urb_free(r);
		}
		while (d->done != NULL) {
			struct umock_urb *r = d->done;

			d->done = r->next;
			urb_free(r);
		}
		while (d->plugs != NULL) {
			struct umock_plug *p = d->plugs;

			d->plugs = p->next;
			g_object_unref(p->handler);
			g_free(p->syspath);
			free(p);
		}
		for (k = 0; k < UMOCK_MAX_STRINGS; k++)
			free(d->strings[k]);
		free(d->desc);
		pthread_mutex_destroy(&d->lock);
		free(d);
	}
	pthread_mutex_destroy(&u->tb_lock);
	free(u);
	*pu = NULL;
}

const char *
umock_root(const struct umock *u)
{
	const char *r = g_getenv("UMOCKDEV_DIR");

	(void)u;
	return r != NULL ? r : "";
}

/* "\n" escapes for add_from_string's A: lines (values are ours: no \\). */
static void
put_attr(GString *s, const char *key, const char *val)
{
	g_string_append_printf(s, "A: %s=", key);
	for (; *val != '\0'; val++) {
		if (*val == '\n')
			g_string_append(s, "\\n");
		else if (*val == '\\')
			g_string_append(s, "\\\\");
		else
			g_string_append_c(s, *val);
	}
	g_string_append(s, "\\n\n");
}

/* Create the sysfs entry and node of a new plug and listen on it. */
static int
plug_new(struct umock_dev *d)
{
	struct umock *u = d->u;
	struct umock_plug *p;
	GString *s;
	GError *e = NULL;
	char buf[64];
	uint16_t vid = 0, pid = 0, bcd = 0;
	uint8_t cls = 0;
	size_t i;
	int ret = EG_ERR_IO;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return EG_ERR_NOMEM;
	p->dev = d;
	if (d->desc_len >= USB_DT_DEVICE_SIZE) {
		cls = d->desc[4];
		vid = (uint16_t)(d->desc[8] | d->desc[9] << 8);
		pid = (uint16_t)(d->desc[10] | d->desc[11] << 8);
		bcd = (uint16_t)(d->desc[12] | d->desc[13] << 8);
	}
	pthread_mutex_lock(&u->tb_lock);
	p->addr = u->next_addr++;
	snprintf(p->node, sizeof(p->node), "/dev/bus/usb/%03u/%03u", UMOCK_BUS,
	    p->addr);
	s = g_string_new(NULL);
	g_string_append_printf(s, "P: %s/%u-%u\n", UMOCK_SYSFS_PARENT, UMOCK_BUS,
	    d->port);
	g_string_append_printf(s, "N: %s\n", p->node + 5);
	g_string_append(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n");
	g_string_append(s, "E: DRIVER=usb\n");
	g_string_append_printf(s, "E: DEVNAME=%s\n", p->node);
	g_string_append_printf(s, "E: BUSNUM=%03u\nE: DEVNUM=%03u\n", UMOCK_BUS,
	    p->addr);
	g_string_append_printf(s, "E: PRODUCT=%x/%x/%x\n", vid, pid, bcd);
	g_string_append_printf(s, "E: MAJOR=189\nE: MINOR=%u\n",
	    (UMOCK_BUS - 1) * 128u + p->addr - 1u);
	snprintf(buf, sizeof(buf), "%u", UMOCK_BUS);
	put_attr(s, "busnum", buf);
	snprintf(buf, sizeof(buf), "%u", p->addr);
	put_attr(s, "devnum", buf);
	snprintf(buf, sizeof(buf), "%u", d->speed);
	put_attr(s, "speed", buf);
	put_attr(s, "bConfigurationValue", "1");
	put_attr(s, "bNumConfigurations", "1");
	snprintf(buf, sizeof(buf), "%04x", vid);
	put_attr(s, "idVendor", buf);
	snprintf(buf, sizeof(buf), "%04x", pid);
	put_attr(s, "idProduct", buf);
	snprintf(buf, sizeof(buf), "%04x", bcd);
	put_attr(s, "bcdDevice", buf);
	snprintf(buf, sizeof(buf), "%02x", cls);
	put_attr(s, "bDeviceClass", buf);
	snprintf(buf, sizeof(buf), "189:%u", (UMOCK_BUS - 1) * 128u + p->addr - 1u);
	put_attr(s, "dev", buf);
	if (d->strings[0] != NULL)
		put_attr(s, "manufacturer", d->strings[0]);
	if (d->strings[1] != NULL)
		put_attr(s, "product", d->strings[1]);
	if (d->strings[2] != NULL)
		put_attr(s, "serial", d->strings[2]);
	g_string_append(s, "H: descriptors=");
	for (i = 0; i < d->desc_len; i++)
		g_string_append_printf(s, "%02X", d->desc[i]);
	g_string_append(s, "\n");
	if (!umockdev_testbed_add_from_string(u->tb, s->str, &e)) {
		fprintf(stderr, "umock: testbed refused the device: %s\n",
		    e != NULL ? e->message : "?");
		goto out;
	}
	snprintf(buf, sizeof(buf), "/sys%s/%u-%u", UMOCK_SYSFS_PARENT, UMOCK_BUS,
	    d->port);
	p->syspath = g_strdup(buf);
	p->handler = umockdev_ioctl_base_new();
	g_signal_connect(p->handler, "handle-ioctl", G_CALLBACK(umock_on_ioctl),
	    p);
	if (!umockdev_testbed_attach_ioctl(u->tb, p->node, p->handler, &e)) {
		fprintf(stderr, "umock: attach %s: %s\n", p->node,
		    e != NULL ? e->message : "?");
		goto out;
	}
	/* add_from_string sends "add" itself only inside the preload */
	if (!umockdev_in_mock_environment())
		umockdev_testbed_uevent(u->tb, p->syspath, "add");
	ret = EG_OK;
out:
	pthread_mutex_unlock(&u->tb_lock);
	g_string_free(s, TRUE);
	if (e != NULL)
		g_error_free(e);
	if (ret != EG_OK) {
		if (p->handler != NULL)
			g_object_unref(p->handler);
		g_free(p->syspath);
		free(p);
		return ret;
	}
	pthread_mutex_lock(&d->lock);
	p->next = d->plugs;
	d->plugs = p;
	d->cur = p;
	pthread_mutex_unlock(&d->lock);
	return EG_OK;
}

int
umock_dev_add(struct umock *u, const struct umock_dev_desc *desc,
    const struct umock_dev_ops *ops, void *ctx, struct umock_dev **out)
{
	struct umock_dev *d;
	size_t i;
	int ret;

	if (out != NULL)
		*out = NULL;
	if (u == NULL || desc == NULL || ops == NULL || ops->in == NULL ||
	    ops->out == NULL || out == NULL || u->ndevs == UMOCK_MAX_DEVS)
		return EG_ERR_INVAL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return EG_ERR_NOMEM;
	pthread_mutex_init(&d->lock, NULL);
	d->u = u;
	d->ops = ops;
	d->ctx = ctx;
	d->speed = desc->speed_mbps != 0 ? desc->speed_mbps : 480;
	d->port = u->next_port++;
	if ((d->desc = malloc(desc->len > 0 ? desc->len : 1)) == NULL)
		goto nomem;
	memcpy(d->desc, desc->desc, desc->len);
	d->desc_len = desc->len;
	for (i = 0; i < UMOCK_MAX_STRINGS; i++)
		if (desc->strings[i] != NULL &&
		    (d->strings[i] = strdup(desc->strings[i])) == NULL)
			goto nomem;
	u->devs[u->ndevs++] = d;
	if ((ret = plug_new(d)) != EG_OK) {
		u->ndevs--;
		goto fail;
	}
	*out = d;
	return EG_OK;
nomem:
	ret = EG_ERR_NOMEM;
fail:
	for (i = 0; i < UMOCK_MAX_STRINGS; i++)
		free(d->strings[i]);
	free(d->desc);
	pthread_mutex_destroy(&d->lock);
	free(d);
	return ret;
}

void
umock_dev_gone_async(struct umock_dev *d)
{
	/* called with the lock held, from a model callback */
	mark_gone(d);
}

void
umock_dev_sync(struct umock_dev *d)
{
	struct umock_plug *p;

	pthread_mutex_lock(&d->lock);
	p = d->cur != NULL && d->cur->gone && !d->cur->removed ? d->cur : NULL;
	pthread_mutex_unlock(&d->lock);
	if (p != NULL)
		plug_remove(d->u, p);
}

void
umock_dev_unplug(struct umock_dev *d)
{
	pthread_mutex_lock(&d->lock);
	mark_gone(d);
	pthread_mutex_unlock(&d->lock);
	umock_dev_sync(d);
}

int
umock_dev_replug(struct umock_dev *d)
{
	umock_dev_unplug(d);
	return plug_new(d);
}

bool
umock_dev_gone(struct umock_dev *d)
{
	bool g;

	pthread_mutex_lock(&d->lock);
	g = d->cur == NULL || d->cur->gone;
	pthread_mutex_unlock(&d->lock);
	return g;
}

void
umock_dev_lock(struct umock_dev *d)
{
	pthread_mutex_lock(&d->lock);
}

void
umock_dev_unlock(struct umock_dev *d)
{
	pthread_mutex_unlock(&d->lock);
}

uint8_t
umock_dev_address(struct umock_dev *d)
{
	uint8_t a;

	pthread_mutex_lock(&d->lock);
	a = d->cur != NULL ? d->cur->addr : 0;
	pthread_mutex_unlock(&d->lock);
	return a;
}

void
umock_dev_node(struct umock_dev *d, char *path, size_t cap)
{
	pthread_mutex_lock(&d->lock);
	snprintf(path, cap, "%s", d->cur != NULL ? d->cur->node : "");
	pthread_mutex_unlock(&d->lock);
}

void
umock_dev_stats(struct umock_dev *d, struct umock_stats *st)
{
	pthread_mutex_lock(&d->lock);
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
}
